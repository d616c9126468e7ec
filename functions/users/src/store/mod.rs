//! The repositories only this function uses: login sessions and e-mail
//! codes (the user record itself is shared: every function authenticates).

pub mod codes;
pub mod sessions;

use shared::domain::users::User;
use shared::store::Store;
use shared::usecases::account_deletion::{AccountDependents, Key};
use shared::usecases::Pending;

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

/// Account deletion's participant for this function's items: the auth
/// partition (sessions, the pending code).
pub struct Credentials;

impl AccountDependents for Credentials {
    fn keys<'a>(&'a self, store: &'a Store, user: &'a User) -> Pending<'a, Vec<Key>> {
        Box::pin(async move { Sessions::of(store).all_keys(&user.id).await })
    }
}
