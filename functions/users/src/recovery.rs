//! Password recovery and e-mail verification. Public endpoints that never
//! reveal whether an address has an account.

use axum::extract::State;
use axum::response::Response;
use chrono::Duration;
use serde_json::json;
use shared::auth::{password, PublicRequest};
use shared::domain::users::email_key;
use shared::http::validate::{Fields, Text};
use shared::http::{ok, JsonBody};
use shared::mail::templates;
use shared::{time, Error, Result};

use crate::auth::{new_password, send_email_code, PASSWORDS_DONT_MATCH};
use crate::secrets::otp::{self, RESEND_COOLDOWN_SECONDS};
use crate::secrets::reset;
use crate::store::codes::{CodeCheck, CodeIssue};
use crate::store::AuthStore;
use crate::UsersState;

const RESET_ANSWER: &str = "If your email is registered, you will receive a password reset link";
const BAD_RESET_TOKEN: &str = "Invalid or expired token";
const BAD_CODE: &str = "Invalid or expired OTP code";

pub async fn forgot_password(
    State(state): State<UsersState>,
    _public: PublicRequest,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let mut f = Fields::new(&body);
    let email = f.email("email", true).value();
    f.finish()?;
    let email = email.unwrap_or_default();

    let now = time::now();
    if let Some(user) = state
        .store
        .users()
        .find_by_email(&email_key(&email))
        .await?
    {
        let cutoff = now - Duration::seconds(RESEND_COOLDOWN_SECONDS);
        if user.is_active
            && state
                .store
                .users()
                .claim_reset_slot(&user.id, now, cutoff)
                .await?
        {
            let token = reset::make(state.tokens.secret().expose(), &user, now);
            let link = format!(
                "{}/reset-password/{}/{}",
                state.mailer.frontend_url(),
                reset::encode_uid(&user.id),
                token
            );
            state
                .mailer
                .send(templates::password_reset(&user, &link))
                .await;
        }
    }
    // Same answer whether or not the address has an account.
    Ok(ok(json!({"message": RESET_ANSWER})))
}

/// Reads `uid` and `token`, then finds the user they name if the token holds.
async fn user_from_reset_token(
    state: &UsersState,
    uid: &str,
    token: &str,
) -> Result<Option<shared::domain::users::User>> {
    let Some(user_id) = reset::decode_uid(uid) else {
        return Ok(None);
    };
    let Some(user) = state.store.users().get(&user_id).await? else {
        return Ok(None);
    };
    let valid =
        user.is_active && reset::check(state.tokens.secret().expose(), &user, token, time::now());
    Ok(valid.then_some(user))
}

pub async fn validate_reset_token(
    State(state): State<UsersState>,
    _public: PublicRequest,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let mut f = Fields::new(&body);
    let uid = f.required_text("uid", 128);
    let token = f.required_text("token", 128);
    f.finish()?;
    match user_from_reset_token(&state, &uid.unwrap_or_default(), &token.unwrap_or_default())
        .await?
    {
        Some(_) => Ok(ok(json!({"valid": true, "message": "Token is valid"}))),
        None => Err(Error::Body {
            status: 400,
            body: json!({"valid": false, "message": BAD_RESET_TOKEN}),
        }),
    }
}

pub async fn reset_password(
    State(state): State<UsersState>,
    _public: PublicRequest,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let mut f = Fields::new(&body);
    let uid = f.required_text("uid", 128);
    let token = f.required_text("token", 128);
    let new = new_password(&mut f, "password");
    let confirm = f.password("password_confirm");
    f.finish()?;
    let (Some(uid), Some(token), Some(new), Some(confirm)) = (uid, token, new, confirm) else {
        return Err(Error::internal("validated fields missing"));
    };
    if new != confirm {
        return Err(Error::field("password", PASSWORDS_DONT_MATCH));
    }
    let Some(user) = user_from_reset_token(&state, &uid, &token).await? else {
        return Err(Error::message(400, BAD_RESET_TOKEN));
    };

    let now = time::now();
    let new_hash = password::hash(&new)?;
    // Conditional on the hash the token was made from: a token works once.
    let Some(updated) = state
        .store
        .users()
        .set_password(&user.id, &user.password, &new_hash, true, now)
        .await?
    else {
        return Err(Error::message(400, BAD_RESET_TOKEN));
    };
    state.store.sessions().revoke_all(&user.id, now).await?;
    state
        .mailer
        .send(templates::password_changed(&updated))
        .await;
    Ok(ok(json!({"message": "Password reset successfully"})))
}

pub async fn verify_otp(
    State(state): State<UsersState>,
    _public: PublicRequest,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let mut f = Fields::new(&body);
    let email = f.email("email", true).value();
    let code = f.text("otp_code", Text::required(6).min(6)).value();
    f.finish()?;
    let (Some(email), Some(code)) = (email, code) else {
        return Err(Error::internal("validated fields missing"));
    };

    let now = time::now();
    let rejected = || Error::message(400, BAD_CODE);
    let Some(user) = state
        .store
        .users()
        .find_by_email(&email_key(&email))
        .await?
    else {
        return Err(rejected());
    };
    let Some(stored) = state.store.email_codes().get(&user.id).await? else {
        return Err(rejected());
    };
    // A used-up code stays stored (for the resend cooldown) but verifies nothing.
    if !stored.is_live(now) || stored.attempts >= otp::MAX_ATTEMPTS {
        return Err(rejected());
    }
    if !otp::matches(
        state.tokens.secret().expose(),
        &user.id,
        &code,
        &stored.digest,
    ) {
        state
            .store
            .email_codes()
            .record_wrong_attempt(&stored)
            .await?;
        return Err(rejected());
    }
    match state
        .store
        .email_codes()
        .consume_and_verify(&stored)
        .await?
    {
        CodeCheck::Verified => Ok(ok(
            json!({"message": "OTP verified successfully", "verified": true}),
        )),
        CodeCheck::Rejected => Err(rejected()),
    }
}

pub async fn resend_otp(
    State(state): State<UsersState>,
    _public: PublicRequest,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let mut f = Fields::new(&body);
    let email = f.email("email", true).value();
    f.finish()?;
    let email = email.unwrap_or_default();

    if let Some(user) = state
        .store
        .users()
        .find_by_email(&email_key(&email))
        .await?
    {
        if user.is_active
            && !user.email_verified
            && send_email_code(&state, &user).await? == CodeIssue::DailyCapReached
        {
            return Err(daily_cap_reached());
        }
    }
    // Same answer for unknown, verified and cooling-down addresses.
    Ok(ok(json!({"message": "OTP sent successfully"})))
}

/// The daily cap: a clear refusal until the next UTC day (a user who asked
/// for ten codes in a day needs to know why no more come).
fn daily_cap_reached() -> Error {
    let now = time::now();
    let tomorrow = (now.date_naive() + Duration::days(1))
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc())
        .unwrap_or(now);
    Error::TooManyRequests {
        message: "Too many verification codes were sent to this address today. Try again tomorrow."
            .into(),
        retry_after_secs: (tomorrow - now).num_seconds().max(1) as u64,
    }
}
