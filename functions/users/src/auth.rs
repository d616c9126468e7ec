//! Register, login, token refresh (rotation with reuse detection), logout.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::json;
use shared::auth::tokens::REFRESH;
use shared::auth::{password, CurrentUser, PublicRequest};
use shared::domain::users::{
    email_key, password_problems, EmailCode, Session, User, REFRESH_GRACE_SECONDS,
};
use shared::error::AuthError;
use shared::http::validate::{Fields, Text};
use shared::http::{created, ok, JsonBody};
use shared::mail::templates;
use shared::store::users::Registration;
use shared::{time, Error, Result};

use crate::client;
use crate::credentials::check_password;
use crate::secrets::otp;
use crate::store::codes::CodeIssue;
use crate::store::sessions::Rotation;
use crate::store::AuthStore;
use crate::UsersState;

pub const PASSWORDS_DONT_MATCH: &str = "Passwords don't match";
const INVALID_CREDENTIALS: &str = "Invalid email or password";

/// A new session record for a freshly issued token chain.
pub(crate) fn new_session(
    user: &User,
    headers: &HeaderMap,
    state: &UsersState,
) -> (Session, shared::auth::TokenPair) {
    let now = time::now();
    let session_id = uuid::Uuid::now_v7().to_string();
    let issued = state
        .tokens
        .issue(&user.id, user.token_version, &session_id, now);
    let session = Session {
        id: session_id,
        user_id: user.id.clone(),
        refresh_jti: issued.refresh_jti,
        refresh_iat: Some(issued.refresh_issued_at),
        previous_jti: None,
        rotated_at: None,
        ip_address: client::ip_address(headers),
        user_agent: client::user_agent(headers),
        is_active: true,
        expires_at: issued.refresh_expires_at.timestamp(),
        created_at: now,
        updated_at: now,
    };
    (session, issued.pair)
}

/// A fresh verification code and the record that stores its digest.
pub(crate) fn new_email_code(state: &UsersState, user_id: &str) -> (String, EmailCode) {
    let now = time::now().timestamp();
    let code = otp::generate();
    let record = EmailCode {
        user_id: user_id.to_string(),
        digest: otp::digest(state.tokens.secret().expose(), user_id, &code),
        attempts: 0,
        sent_at: now,
        expires_at: now + otp::CODE_TTL_SECONDS,
    };
    (code, record)
}

/// Stores a new code for the user's current address and mails it, unless
/// the cooldown or the address's daily cap holds it back (then nothing is
/// stored or sent; the outcome says which).
pub(crate) async fn send_email_code(state: &UsersState, user: &User) -> Result<CodeIssue> {
    let (code, record) = new_email_code(state, &user.id);
    let cutoff = record.sent_at - otp::RESEND_COOLDOWN_SECONDS;
    let outcome = state
        .store
        .email_codes()
        .issue(&record, &user.email_key(), cutoff, time::now())
        .await?;
    if outcome == CodeIssue::Stored {
        state
            .mailer
            .send(templates::verification_code(user, &code))
            .await;
    }
    Ok(outcome)
}

/// Reads a new password and reports every rule it breaks under `name`.
pub(crate) fn new_password(f: &mut Fields<'_>, name: &str) -> Option<String> {
    let password = f.password(name)?;
    let problems = password_problems(&password);
    let ok = problems.is_empty();
    for problem in problems {
        f.error(name, problem);
    }
    ok.then_some(password)
}

pub async fn register(
    State(state): State<UsersState>,
    _public: PublicRequest,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let mut f = Fields::new(&body);
    let email = f.email("email", true).value();
    let password = new_password(&mut f, "password");
    let confirm = f.password("password_confirm");
    let first_name = f.required_text("first_name", 150);
    let last_name = f.required_text("last_name", 150);
    let phone_number = f.text("phone_number", Text::optional(20)).value();
    f.finish()?;
    let (Some(email), Some(password), Some(confirm), Some(first_name), Some(last_name)) =
        (email, password, confirm, first_name, last_name)
    else {
        return Err(Error::internal("validated fields missing"));
    };
    if password != confirm {
        return Err(Error::field("password", PASSWORDS_DONT_MATCH));
    }

    let now = time::now();
    let mut user = User::new(
        &email,
        first_name,
        last_name,
        password::hash(&password)?,
        now,
    );
    user.phone_number = phone_number;
    let (session, tokens) = new_session(&user, &headers, &state);
    let (code, code_record) = new_email_code(&state, &user.id);

    let mut first = vec![state.store.sessions().tx_open(&session)?];
    first.extend(state.store.email_codes().tx_first(
        &code_record,
        &user.email_key(),
        user.created_at,
    )?);
    match state.store.users().register(&user, first).await? {
        Registration::EmailTaken => {
            return Err(Error::field(
                "email",
                "user with this email already exists.",
            ))
        }
        Registration::Created => {}
    }

    tokio::join!(
        state
            .mailer
            .send(templates::welcome(&user, state.mailer.frontend_url())),
        state
            .mailer
            .send(templates::verification_code(&user, &code)),
    );
    Ok(created(json!({
        "user": user.to_json(),
        "tokens": tokens,
        "message": "Registration successful. Please check your email to verify your account.",
    })))
}

pub async fn login(
    State(state): State<UsersState>,
    _public: PublicRequest,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let mut f = Fields::new(&body);
    let email = f.email("email", true).value();
    let password = f.password("password");
    f.finish()?;
    let (Some(email), Some(password)) = (email, password) else {
        return Err(Error::internal("validated fields missing"));
    };

    let now = time::now();
    let Some(user) = state
        .store
        .users()
        .find_by_email(&email_key(&email))
        .await?
    else {
        password::verify_dummy(&password);
        return Err(Error::non_field(INVALID_CREDENTIALS));
    };

    if !check_password(&state, &user, &password).await? {
        return Err(Error::non_field(INVALID_CREDENTIALS));
    }
    if !user.is_active {
        return Err(Error::non_field("User account is disabled."));
    }

    let rehash = if password::needs_rehash(&user.password) {
        Some(password::hash(&password)?)
    } else {
        None
    };
    let (session, tokens) = new_session(&user, &headers, &state);
    if !state
        .store
        .users()
        .record_login(
            &user,
            rehash.as_deref(),
            vec![state.store.sessions().tx_open(&session)?],
            now,
        )
        .await?
    {
        // The password or the account changed between our read and write.
        return Err(Error::non_field(INVALID_CREDENTIALS));
    }
    let mut user = user;
    user.last_login = Some(now);
    Ok(ok(json!({"user": user.to_json(), "tokens": tokens})))
}

fn refresh_refused(reason: &'static str) -> Error {
    Error::Unauthenticated(AuthError::InvalidRefreshToken(reason))
}

/// The reason shown when a refresh token was revoked or already used.
const REVOKED: &str = "Token is blacklisted";

pub async fn refresh(
    State(state): State<UsersState>,
    _public: PublicRequest,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let mut f = Fields::new(&body);
    let token = f.required_text("refresh", 4096);
    f.finish()?;
    let token = token.unwrap_or_default();

    let now = time::now();
    let claims = state
        .tokens
        .decode(&token, REFRESH, now)
        .map_err(|p| refresh_refused(p.reason()))?;
    let Some(session_id) = claims.sid.clone() else {
        return Err(refresh_refused("Token is invalid"));
    };

    let (user, session) = state
        .store
        .sessions()
        .with_user(&claims.user_id, &session_id)
        .await?;
    let user = user.ok_or(Error::Unauthenticated(AuthError::UserNotFound))?;
    if !user.is_active {
        return Err(Error::Unauthenticated(AuthError::NoActiveAccount));
    }
    let session = match session {
        Some(s) if s.is_usable(now) && claims.ver == user.token_version => s,
        _ => return Err(refresh_refused(REVOKED)),
    };
    if session.refresh_jti != claims.jti {
        return answer_replaced_token(&state, &user, session, &claims.jti, now).await;
    }

    let issued = state
        .tokens
        .issue(&user.id, user.token_version, &session.id, now);
    let rotation = Rotation {
        old_jti: &claims.jti,
        new_jti: &issued.refresh_jti,
        new_iat: issued.refresh_issued_at,
        expires_at: issued.refresh_expires_at.timestamp(),
    };
    if !state
        .store
        .sessions()
        .rotate(&session, &rotation, now)
        .await?
    {
        // A concurrent refresh with the same token won the rotation: judge
        // the token against the session as that refresh left it.
        let current = state.store.sessions().get(&user.id, &session.id).await?;
        return match current.filter(|s| s.is_usable(now)) {
            Some(current) => answer_replaced_token(&state, &user, current, &claims.jti, now).await,
            None => Err(refresh_refused(REVOKED)),
        };
    }
    Ok(ok(
        json!({"access": issued.pair.access, "refresh": issued.pair.refresh}),
    ))
}

/// A refresh token that is no longer the session's current one. The one the
/// last rotation replaced, shortly after: the client raced itself (two tabs,
/// a retried request), so it gets a fresh access token and the session's
/// CURRENT refresh token, the very bytes the winner received. Anything else
/// is reuse: someone holds a copy, so the whole chain ends.
async fn answer_replaced_token(
    state: &UsersState,
    user: &User,
    session: Session,
    jti: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Response> {
    if session.in_rotation_grace(jti, now, REFRESH_GRACE_SECONDS) {
        if let Some(iat) = session.refresh_iat {
            let refresh = state.tokens.refresh_token(
                &user.id,
                user.token_version,
                &session.id,
                &session.refresh_jti,
                iat,
                session.expires_at,
            );
            let access = state.tokens.access_token(&user.id, user.token_version, now);
            return Ok(ok(json!({"access": access, "refresh": refresh})));
        }
    }
    tracing::warn!(user_id = %user.id, session_id = %session.id, "refresh token reuse detected");
    state
        .store
        .sessions()
        .revoke(&user.id, &session.id, now)
        .await?;
    Err(refresh_refused(REVOKED))
}

pub async fn logout(
    State(state): State<UsersState>,
    CurrentUser(user): CurrentUser,
) -> Result<Response> {
    state.store.users().revoke_tokens(&user.id).await?;
    state
        .store
        .sessions()
        .revoke_all(&user.id, time::now())
        .await?;
    Ok(ok(json!({"message": "Successfully logged out"})))
}
