//! The `users` function: accounts, authentication, profile, password
//! recovery, e-mail verification.
//!
//! Seed paths (`/api/users/...`) and the reference paths (`/api/auth/...`,
//! `/api/token/refresh/`) are both served; trailing slashes are optional.

mod account;
mod auth;
mod client;
mod credentials;
#[cfg(feature = "openapi")]
pub mod openapi;
mod recovery;
mod secrets;
mod state;
pub mod store;

use axum::routing::{delete, get, post};
use axum::Router;
use shared::http::app::at;
pub use state::UsersState;

pub fn router(state: UsersState) -> Router {
    let mut r = Router::new();
    r = at(
        r,
        &["/api/users/register", "/api/auth/register"],
        post(auth::register),
    );
    r = at(
        r,
        &["/api/users/login", "/api/auth/login"],
        post(auth::login),
    );
    r = at(
        r,
        &["/api/users/token/refresh", "/api/token/refresh"],
        post(auth::refresh),
    );
    r = at(
        r,
        &["/api/users/logout", "/api/auth/logout"],
        post(auth::logout),
    );
    r = at(
        r,
        &["/api/users/profile", "/api/auth/me"],
        get(account::profile)
            .put(account::replace_profile)
            .patch(account::patch_profile),
    );
    r = at(
        r,
        &["/api/users/change-password", "/api/auth/change-password"],
        post(account::change_password),
    );
    r = at(
        r,
        &["/api/users/delete-account", "/api/auth/delete-account"],
        delete(account::delete_account),
    );
    r = at(
        r,
        &["/api/auth/sessions", "/api/users/sessions"],
        get(account::sessions),
    );
    r = at(
        r,
        &["/api/auth/forgot-password", "/api/users/forgot-password"],
        post(recovery::forgot_password),
    );
    r = at(
        r,
        &[
            "/api/auth/validate-reset-token",
            "/api/users/validate-reset-token",
        ],
        post(recovery::validate_reset_token),
    );
    r = at(
        r,
        &["/api/auth/reset-password", "/api/users/reset-password"],
        post(recovery::reset_password),
    );
    r = at(
        r,
        &["/api/auth/verify-otp", "/api/users/verify-otp"],
        post(recovery::verify_otp),
    );
    r = at(
        r,
        &["/api/auth/resend-otp", "/api/users/resend-otp"],
        post(recovery::resend_otp),
    );
    shared::http::finish(r.with_state(state))
}
