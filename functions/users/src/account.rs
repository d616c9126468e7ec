//! The signed-in user's own account: profile, password change, sessions,
//! account deletion.

use axum::extract::State;
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use serde_json::json;
use shared::auth::{password, CurrentUser};
use shared::domain::users::{email_key, normalize_email, Session};
use shared::http::listing::{ordering, sort, SortKey};
use shared::http::pagination::RequestUrl;
use shared::http::validate::{Fields, Text};
use shared::http::{no_content, ok, JsonBody, Page};
use shared::mail::templates;
use shared::store::users::ProfileChanges;
use shared::usecases::account_deletion::{self, AccountDependents};
use shared::{time, Error, Result};

use crate::auth::{new_password, new_session, send_email_code, PASSWORDS_DONT_MATCH};
use crate::credentials::check_password;
use crate::store::codes::CodeIssue;
use crate::store::{AuthStore, Credentials};
use crate::UsersState;

const REQUIRED: &str = "This field is required.";
const WRONG_PASSWORD: &str = "Your password was entered incorrectly.";

pub async fn profile(CurrentUser(user): CurrentUser) -> Result<Response> {
    Ok(ok(user.to_json()))
}

pub async fn replace_profile(
    state: State<UsersState>,
    user: CurrentUser,
    body: JsonBody,
) -> Result<Response> {
    update_profile(state, user, Method::PUT, body).await
}

pub async fn patch_profile(
    state: State<UsersState>,
    user: CurrentUser,
    body: JsonBody,
) -> Result<Response> {
    update_profile(state, user, Method::PATCH, body).await
}

/// PUT (every writable field required) and PATCH. `roles`, `email_verified`
/// and `is_staff` are read-only here: sent values are ignored.
async fn update_profile(
    State(state): State<UsersState>,
    CurrentUser(user): CurrentUser,
    method: Method,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let mut f = Fields::partial(&body, method == Method::PATCH);
    let email = f.email("email", true).value();
    let first_name = f.required_text("first_name", 150);
    let last_name = f.required_text("last_name", 150);
    let phone_number = f.text("phone_number", Text::optional(20)).into_update();
    let current_password = f.text("current_password", Text::optional(4096)).value();
    f.finish()?;

    let changes = ProfileChanges {
        email: email.map(|e| normalize_email(&e)),
        first_name,
        last_name,
        phone_number,
    };
    let address_moves = changes
        .email
        .as_ref()
        .is_some_and(|e| email_key(e) != user.email_key());
    if address_moves {
        // The login address is a credential: moving it takes the password.
        let Some(current) = current_password else {
            return Err(Error::field("current_password", REQUIRED));
        };
        if !check_password(&state, &user, &current).await? {
            return Err(Error::field("current_password", WRONG_PASSWORD));
        }
    }

    let updated = state
        .store
        .users()
        .update_profile(&user, &changes, time::now())
        .await?
        .ok_or_else(|| Error::field("email", "user with this email already exists."))?;

    if address_moves {
        // A new address must be verified again: send it a fresh code, at most
        // one per cooldown. When none may go out, the pending code (sent to
        // the old address) must not verify the new one.
        if send_email_code(&state, &updated).await? != CodeIssue::Stored {
            state.store.email_codes().void(&updated.id).await?;
        }
        state
            .mailer
            .send(templates::email_changed(
                &updated,
                &user.email,
                &updated.email,
            ))
            .await;
    }
    Ok(ok(updated.to_json()))
}

pub async fn change_password(
    State(state): State<UsersState>,
    CurrentUser(user): CurrentUser,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let mut f = Fields::new(&body);
    let old = f.password("old_password");
    let new = new_password(&mut f, "new_password");
    let confirm = f.password("new_password_confirm");
    f.finish()?;
    let (Some(old), Some(new), Some(confirm)) = (old, new, confirm) else {
        return Err(Error::internal("validated fields missing"));
    };
    if new != confirm {
        return Err(Error::field("new_password", PASSWORDS_DONT_MATCH));
    }
    if !check_password(&state, &user, &old).await? {
        return Err(Error::message(400, "Invalid old password"));
    }

    let now = time::now();
    let new_hash = password::hash(&new)?;
    let updated = state
        .store
        .users()
        .set_password(&user.id, &user.password, &new_hash, false, now)
        .await?
        .ok_or_else(|| Error::Conflict("The password was changed by another request.".into()))?;
    state.store.sessions().revoke_all(&user.id, now).await?;

    // Every earlier token is now refused; this device gets a fresh pair.
    let (session, tokens) = new_session(&updated, &headers, &state);
    state.store.sessions().create(&session).await?;
    state
        .mailer
        .send(templates::password_changed(&updated))
        .await;
    Ok(ok(
        json!({"message": "Password changed successfully", "tokens": tokens}),
    ))
}

pub async fn delete_account(
    State(state): State<UsersState>,
    CurrentUser(user): CurrentUser,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let mut f = Fields::new(&body);
    let given = f.password("password");
    f.finish()?;
    if !check_password(&state, &user, &given.unwrap_or_default()).await? {
        return Err(Error::field("password", WRONG_PASSWORD));
    }
    let own: Vec<Box<dyn AccountDependents>> = vec![Box::new(Credentials)];
    account_deletion::delete_account(&state.store, &user, own).await?;
    tracing::info!(user_id = %user.id, "account deleted");
    Ok(no_content())
}

pub(crate) const SESSION_FIELDS: &[&str] = &[
    "id",
    "ip_address",
    "user_agent",
    "is_active",
    "expires_at",
    "created_at",
];

fn session_key(session: &Session, field: &str) -> SortKey {
    let text = |v: &Option<String>| v.clone().map(SortKey::Text).unwrap_or(SortKey::Null);
    match field {
        "id" => SortKey::Text(session.id.clone()),
        "ip_address" => text(&session.ip_address),
        "user_agent" => text(&session.user_agent),
        "is_active" => SortKey::Bool(session.is_active),
        "expires_at" => SortKey::Number(session.expires_at as f64),
        _ => SortKey::Time(session.created_at),
    }
}

/// The caller's active sessions, newest first, paginated.
pub async fn sessions(
    State(state): State<UsersState>,
    CurrentUser(user): CurrentUser,
    url: RequestUrl,
) -> Result<Response> {
    let now = time::now();
    let mut active: Vec<Session> = state
        .store
        .sessions()
        .list(&user.id)
        .await?
        .into_iter()
        .filter(|s| s.is_usable(now))
        .collect();
    let order = ordering(&url, SESSION_FIELDS, &["-created_at"]);
    sort(&mut active, &order, session_key);
    let rows = active.iter().map(Session::to_json).collect();
    Ok(ok(Page::paginate(rows, &url)?))
}
