//! "Is this the user's password?", throttled: login and every request that
//! asks for the current password (change-password, e-mail change, account
//! deletion) go through here, so wrong guesses anywhere count toward the
//! same lock.

use shared::auth::password;
use shared::domain::users::{User, LOGIN_LOCK_SECONDS, MAX_FAILED_LOGINS};
use shared::store::users::PasswordAttempt;
use shared::{time, Error, Result};

use crate::UsersState;

/// `Ok(true)`: the password is right (the caller's success write resets the
/// failure count). `Ok(false)`: wrong, counted. `Err` 429: the account is
/// locked, or this guess locked it.
pub(crate) async fn check_password(state: &UsersState, user: &User, given: &str) -> Result<bool> {
    let now = time::now();
    let attempt = state
        .store
        .users()
        .reserve_password_check(&user.id, MAX_FAILED_LOGINS, LOGIN_LOCK_SECONDS, now)
        .await?;
    let attempt = match attempt {
        PasswordAttempt::Check { attempt } => attempt,
        PasswordAttempt::LockedNow => return Err(too_many_attempts(LOGIN_LOCK_SECONDS as u64)),
        PasswordAttempt::Locked { until } => {
            let left = until
                .map(|until| (until - now).num_seconds())
                .unwrap_or(LOGIN_LOCK_SECONDS);
            return Err(too_many_attempts(left.max(1) as u64));
        }
    };
    if password::verify(given, &user.password) {
        return Ok(true);
    }
    if attempt >= MAX_FAILED_LOGINS {
        let until = now + chrono::Duration::seconds(LOGIN_LOCK_SECONDS);
        state.store.users().lock(&user.id, until).await?;
        return Err(too_many_attempts(LOGIN_LOCK_SECONDS as u64));
    }
    Ok(false)
}

pub(crate) fn too_many_attempts(retry_after_secs: u64) -> Error {
    Error::TooManyRequests {
        message: format!(
            "Too many failed login attempts. Try again in {} minutes.",
            retry_after_secs.div_ceil(60)
        ),
        retry_after_secs,
    }
}
