//! The repositories only this function uses: login sessions and e-mail
//! codes (the user record itself is shared: every function authenticates).

pub mod codes;
pub mod sessions;

use shared::store::Store;

pub use codes::EmailCodes;
pub use sessions::Sessions;

/// `store.sessions()` / `store.email_codes()` on the shared store.
pub trait AuthStore {
    fn sessions(&self) -> Sessions<'_>;
    fn email_codes(&self) -> EmailCodes<'_>;
}

impl AuthStore for Store {
    fn sessions(&self) -> Sessions<'_> {
        Sessions::of(self)
    }
    fn email_codes(&self) -> EmailCodes<'_> {
        EmailCodes::of(self)
    }
}
