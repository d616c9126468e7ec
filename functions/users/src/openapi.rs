//! This function's part of the API document (feature `openapi`, never in
//! the release binary; docs/openapi-design.md, pattern of
//! `functions/settings/src/openapi.rs`). One `utoipa::path` stub per
//! operation, named after its handler, at the first path the router lists
//! for it (with its trailing slash); the other path is in `ALIASES`. Bodies
//! are the fields the handlers read with `validate::Fields`, with the same
//! limits (the constants of `shared::domain::users`, `otp`, the lengths the
//! handlers pass); answers are `User::to_json`, `Session::to_json` and the
//! handlers' own `json!` bodies.

// The stubs only carry their `utoipa::path` attribute: nothing calls them.
#![allow(dead_code)]

use std::borrow::Cow;

use serde_json::json;
use shared::domain::users::{
    LOGIN_LOCK_SECONDS, MAX_CODES_PER_DAY, MAX_FAILED_LOGINS, MIN_PASSWORD_LEN,
};
use shared::openapi::{fixed, DetailRef, FieldErrorsRef};
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, SchemaType, Type};
use utoipa::openapi::{Ref, RefOr, Schema};
use utoipa::{OpenApi, PartialSchema, ToSchema};

use crate::account::SESSION_FIELDS;
use crate::secrets::otp::{CODE_TTL_SECONDS, MAX_ATTEMPTS, RESEND_COOLDOWN_SECONDS};

const TAG: &str = "users";

/// The longest password read (`Fields::password`).
const PASSWORD_MAX: usize = 4096;
/// `first_name`, `last_name` (spec 2.1).
const NAME_MAX: usize = 150;
const PHONE_MAX: usize = 20;
/// `Fields::email`.
const EMAIL_MAX: usize = 254;
/// `uid` and `token` of a reset link.
const RESET_PART_MAX: usize = 128;
/// A refresh token.
const REFRESH_MAX: usize = 4096;
/// A verification code: exactly this many characters.
const CODE_LEN: usize = 6;

/// A text input as `Fields::text` reads it: a string (trimmed, then at most
/// `max` characters, and not blank when `non_blank`; stated as a pattern,
/// since a `maxLength` would count the spaces the validator trims) or a
/// number (turned into text).
fn text(max: usize, non_blank: bool, nullable: bool) -> ObjectBuilder {
    let mut types = vec![Type::String, Type::Number];
    if nullable {
        types.push(Type::Null);
    }
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter(types))
        .pattern(Some(shared::openapi::trimmed_text_pattern(max, !non_blank)))
}

fn email_in() -> utoipa::openapi::Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(EMAIL_MAX))
        .pattern(Some(shared::openapi::email_pattern()))
        .description(Some(
            "An e-mail address (local part at most 64 characters, domain labels at most 63). \
             Surrounding spaces are trimmed.",
        ))
        .examples([json!("jane.doe@example.com")])
        .build()
}

fn password_in() -> utoipa::openapi::Object {
    text(PASSWORD_MAX, true, false)
        .description(Some("A password as typed (surrounding spaces trimmed)."))
        .build()
}

fn new_password_in() -> utoipa::openapi::Object {
    text(PASSWORD_MAX, true, false)
        .description(Some(format!(
            "A new password: at least {MIN_PASSWORD_LEN} characters, not a common password, \
             not only digits (every broken rule is reported under this field)."
        )))
        .examples([json!("Correct-Horse-42")])
        .build()
}

fn name_in() -> utoipa::openapi::Object {
    text(NAME_MAX, true, false).build()
}

fn phone_in() -> utoipa::openapi::Object {
    text(PHONE_MAX, false, true).build()
}

fn reset_part_in() -> utoipa::openapi::Object {
    text(RESET_PART_MAX, true, false).build()
}

fn refresh_in() -> utoipa::openapi::Object {
    text(REFRESH_MAX, true, false)
        .description(Some(
            "A refresh token (`tokens.refresh` of login or register).",
        ))
        .build()
}

fn code_in() -> utoipa::openapi::Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Integer]))
        .min_length(Some(CODE_LEN))
        .max_length(Some(CODE_LEN))
        .minimum(Some(100_000))
        .maximum(Some(999_999))
        .description(Some(format!(
            "The {CODE_LEN}-digit code of the verification mail (valid {} minutes, \
             {MAX_ATTEMPTS} wrong tries destroy it).",
            CODE_TTL_SECONDS / 60
        )))
        .examples([json!("042137")])
        .build()
}

/// `{"error": ...}`: the reference's shape for a refused password, token
/// or code (spec 2.2.5, 2.2.10, 2.2.11).
#[derive(ToSchema)]
#[schema(as = ErrorMessage)]
struct ErrorMessage {
    error: String,
}

/// A 400 of an operation that also answers `{"error": ...}`.
struct BadRequestOrError;
impl ToSchema for BadRequestOrError {}
impl PartialSchema for BadRequestOrError {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .item(FieldErrorsRef::schema())
            .item(DetailRef::schema())
            .item(Ref::from_schema_name(ErrorMessage::name()))
            .into()
    }
}

/// `User` (spec 2.1): `User::to_json`.
#[derive(ToSchema)]
#[schema(as = User)]
struct UserOut {
    #[schema(format = Uuid)]
    id: String,
    #[schema(format = Email)]
    email: String,
    first_name: String,
    last_name: String,
    phone_number: Option<String>,
    /// `["user"]` on registration; read-only through this API.
    roles: Vec<String>,
    email_verified: bool,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

/// `Session` (spec 2.1): `Session::to_json`, one per login (device).
#[derive(ToSchema)]
#[schema(as = Session)]
struct SessionOut {
    #[schema(format = Uuid)]
    id: String,
    ip_address: Option<String>,
    user_agent: Option<String>,
    is_active: bool,
    #[schema(format = DateTime)]
    expires_at: String,
    #[schema(format = DateTime)]
    created_at: String,
}

/// An access token (60 minutes) and a refresh token (30 days; single use:
/// each refresh answers a new one).
#[derive(ToSchema)]
#[schema(as = TokenPair)]
struct TokenPairOut {
    refresh: String,
    access: String,
}

/// Login's answer (spec 1.5).
#[derive(ToSchema)]
#[schema(as = SignedIn)]
struct SignedIn {
    user: UserOut,
    tokens: TokenPairOut,
}

/// Register's answer (spec 1.5).
#[derive(ToSchema)]
#[schema(as = Registered)]
struct Registered {
    user: UserOut,
    tokens: TokenPairOut,
    message: String,
}

/// A confirmation.
#[derive(ToSchema)]
#[schema(as = Message)]
struct Message {
    message: String,
}

/// The password is changed: every earlier token is refused, this pair is
/// the caller's new session.
#[derive(ToSchema)]
#[schema(as = PasswordChanged)]
struct PasswordChanged {
    message: String,
    tokens: TokenPairOut,
}

/// Whether a reset link still holds.
#[derive(ToSchema)]
#[schema(as = ResetTokenCheck)]
struct ResetTokenCheck {
    valid: bool,
    message: String,
}

#[derive(ToSchema)]
#[schema(as = OtpVerified)]
struct OtpVerified {
    message: String,
    #[schema(schema_with = fixed_true)]
    verified: bool,
}

#[derive(ToSchema)]
#[schema(as = RegisterWrite)]
struct RegisterWrite {
    #[schema(schema_with = email_in)]
    email: String,
    #[schema(schema_with = new_password_in)]
    password: String,
    /// Must equal `password` (else `{"password": ["Passwords don't match"]}`).
    #[schema(schema_with = password_in)]
    password_confirm: String,
    #[schema(schema_with = name_in)]
    first_name: String,
    #[schema(schema_with = name_in)]
    last_name: String,
    #[schema(schema_with = phone_in, required = false)]
    phone_number: String,
}

#[derive(ToSchema)]
#[schema(as = LoginWrite)]
struct LoginWrite {
    #[schema(schema_with = email_in)]
    email: String,
    #[schema(schema_with = password_in)]
    password: String,
}

#[derive(ToSchema)]
#[schema(as = RefreshWrite)]
struct RefreshWrite {
    #[schema(schema_with = refresh_in)]
    refresh: String,
}

/// PUT: `email`, `first_name` and `last_name` required. `roles`,
/// `email_verified` and unknown fields are ignored.
#[derive(ToSchema)]
#[schema(as = ProfileWrite)]
struct ProfileWrite {
    #[schema(schema_with = email_in)]
    email: String,
    #[schema(schema_with = name_in)]
    first_name: String,
    #[schema(schema_with = name_in)]
    last_name: String,
    #[schema(schema_with = phone_in, required = false)]
    phone_number: String,
    /// Required when `email` moves to another address (then a new
    /// verification code is mailed to it).
    #[schema(schema_with = current_password_in, required = false)]
    current_password: String,
}

/// PATCH: the fields of `ProfileWrite`, each optional.
#[derive(ToSchema)]
#[schema(as = ProfilePatch)]
struct ProfilePatch {
    #[schema(schema_with = email_in, required = false)]
    email: String,
    #[schema(schema_with = name_in, required = false)]
    first_name: String,
    #[schema(schema_with = name_in, required = false)]
    last_name: String,
    #[schema(schema_with = phone_in, required = false)]
    phone_number: String,
    /// Required when `email` moves to another address.
    #[schema(schema_with = current_password_in, required = false)]
    current_password: String,
}

fn current_password_in() -> utoipa::openapi::Object {
    text(PASSWORD_MAX, false, true).build()
}

#[derive(ToSchema)]
#[schema(as = ChangePasswordWrite)]
struct ChangePasswordWrite {
    #[schema(schema_with = password_in)]
    old_password: String,
    #[schema(schema_with = new_password_in)]
    new_password: String,
    /// Must equal `new_password`.
    #[schema(schema_with = password_in)]
    new_password_confirm: String,
}

#[derive(ToSchema)]
#[schema(as = DeleteAccountWrite)]
struct DeleteAccountWrite {
    /// The caller's password.
    #[schema(schema_with = password_in)]
    password: String,
}

#[derive(ToSchema)]
#[schema(as = EmailWrite)]
struct EmailWrite {
    #[schema(schema_with = email_in)]
    email: String,
}

/// The two parts of a reset link `/reset-password/<uid>/<token>`.
#[derive(ToSchema)]
#[schema(as = ResetTokenWrite)]
struct ResetTokenWrite {
    #[schema(schema_with = reset_part_in)]
    uid: String,
    #[schema(schema_with = reset_part_in)]
    token: String,
}

#[derive(ToSchema)]
#[schema(as = ResetPasswordWrite)]
struct ResetPasswordWrite {
    #[schema(schema_with = reset_part_in)]
    uid: String,
    #[schema(schema_with = reset_part_in)]
    token: String,
    #[schema(schema_with = new_password_in)]
    password: String,
    /// Must equal `password`.
    #[schema(schema_with = password_in)]
    password_confirm: String,
}

#[derive(ToSchema)]
#[schema(as = VerifyOtpWrite)]
struct VerifyOtpWrite {
    #[schema(schema_with = email_in)]
    email: String,
    #[schema(schema_with = code_in)]
    otp_code: String,
}

fn fixed_true() -> utoipa::openapi::Object {
    fixed(json!(true))
}

#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct SessionsParams {
    /// Comma-separated fields of `Session`, `-` for descending (unknown
    /// ones ignored); default `-created_at`.
    #[param(schema_with = session_ordering, required = false)]
    ordering: String,
}

fn session_ordering() -> utoipa::openapi::Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(format!("Fields: {}.", SESSION_FIELDS.join(", "))))
        .examples([json!("-expires_at,id")])
        .build()
}

// Documentation strings of the lock and throttle answers.
macro_rules! locked {
    () => {
        "Too many wrong passwords on this account: locked, `Retry-After` says for how long"
    };
}

#[utoipa::path(post, path = "/api/users/register/", tag = TAG,
    security((), ("bearer" = [])),
    summary = "Create an account: answers its first token pair; a verification code is mailed",
    request_body(content = RegisterWrite),
    responses(
        (status = 201, description = "The account, its tokens and a message", body = Registered),
        (status = 400, description = "Invalid fields (all at once), an address already taken (`email`: `user with this email already exists.`), or `password_confirm` differing (under `password`)",
            body = inline(BadRequestOrError))))]
fn register() {}

#[utoipa::path(post, path = "/api/users/login/", tag = TAG,
    security((), ("bearer" = [])),
    summary = "Sign in with e-mail and password: a new session and its token pair",
    description = concat!("Wrong credentials (or a disabled account) answer 400 `non_field_errors`. ",
        "Wrong passwords in a row lock the account for a while (429)."),
    request_body(content = LoginWrite),
    responses(
        (status = 200, description = "The user and the tokens", body = SignedIn),
        (status = 429, description = locked!(), body = inline(DetailRef),
            headers(("Retry-After" = String, description = "Seconds until the lock ends")))))]
fn login() {}

#[utoipa::path(post, path = "/api/users/token/refresh/", tag = TAG,
    security((), ("bearer" = [])),
    summary = "Exchange a refresh token for a new pair (rotation: the old one is spent)",
    description = "A refresh token used twice ends its session (reuse), except within a short grace after its rotation, which answers the current pair. Refused tokens answer 401 `token_not_valid`.",
    request_body(content = RefreshWrite),
    responses((status = 200, description = "A new access and refresh token", body = TokenPairOut)))]
fn refresh() {}

#[utoipa::path(post, path = "/api/users/logout/", tag = TAG,
    summary = "Sign out everywhere: every session and refresh token of the caller is revoked",
    responses((status = 200, description = "Done", body = Message)))]
fn logout() {}

#[utoipa::path(get, path = "/api/users/profile/", tag = TAG,
    summary = "The caller's profile",
    responses((status = 200, description = "The user", body = UserOut)))]
fn profile() {}

#[utoipa::path(put, path = "/api/users/profile/", tag = TAG,
    summary = "Replace the caller's profile (e-mail and names required)",
    request_body(content = ProfileWrite),
    responses(
        (status = 200, description = "The user after the update", body = UserOut),
        (status = 400, description = "Invalid fields, an address already taken, a missing or wrong `current_password` for an e-mail change",
            body = inline(BadRequestOrError)),
        (status = 429, description = locked!(), body = inline(DetailRef),
            headers(("Retry-After" = String, description = "Seconds until the lock ends")))))]
fn replace_profile() {}

#[utoipa::path(patch, path = "/api/users/profile/", tag = TAG,
    summary = "Update some fields of the caller's profile",
    request_body(content = ProfilePatch),
    responses(
        (status = 200, description = "The user after the update", body = UserOut),
        (status = 400, description = "Invalid fields, an address already taken, a missing or wrong `current_password` for an e-mail change",
            body = inline(BadRequestOrError)),
        (status = 429, description = locked!(), body = inline(DetailRef),
            headers(("Retry-After" = String, description = "Seconds until the lock ends")))))]
fn patch_profile() {}

#[utoipa::path(post, path = "/api/users/change-password/", tag = TAG,
    summary = "Change the password: every other session ends, this one gets a new pair",
    request_body(content = ChangePasswordWrite),
    responses(
        (status = 200, description = "Changed, with the caller's new tokens", body = PasswordChanged),
        (status = 400, description = "Invalid fields, `new_password_confirm` differing (under `new_password`), or a wrong old password (`{\"error\": \"Invalid old password\"}`)",
            body = inline(BadRequestOrError)),
        (status = 409, description = "The password was changed by a concurrent request", body = inline(DetailRef)),
        (status = 429, description = locked!(), body = inline(DetailRef),
            headers(("Retry-After" = String, description = "Seconds until the lock ends")))))]
fn change_password() {}

#[utoipa::path(delete, path = "/api/users/delete-account/", tag = TAG,
    summary = "Delete the caller's account and everything it owns (password required)",
    request_body(content = DeleteAccountWrite),
    responses(
        (status = 204, description = "Deleted"),
        (status = 429, description = locked!(), body = inline(DetailRef),
            headers(("Retry-After" = String, description = "Seconds until the lock ends")))))]
fn delete_account() {}

#[utoipa::path(get, path = "/api/auth/sessions/", tag = TAG,
    summary = "The caller's active sessions, newest first",
    params(SessionsParams),
    extensions(("x-paged" = json!(true))),
    responses((status = 200, description = "A page", body = Vec<SessionOut>)))]
fn sessions() {}

#[utoipa::path(post, path = "/api/auth/forgot-password/", tag = TAG,
    security((), ("bearer" = [])),
    summary = "Mail a password reset link (same answer whether the address has an account)",
    description = "At most one link per account and cooldown; the answer never tells.",
    request_body(content = EmailWrite),
    responses((status = 200, description = "Always the same message", body = Message)))]
fn forgot_password() {}

#[utoipa::path(post, path = "/api/auth/validate-reset-token/", tag = TAG,
    security((), ("bearer" = [])),
    summary = "Whether a reset link still holds",
    request_body(content = ResetTokenWrite),
    responses(
        (status = 200, description = "It does (`valid`: true)", body = ResetTokenCheck),
        (status = 400, description = "Invalid fields, or the link does not hold (`valid`: false)",
            body = inline(ValidateResetBadRequest))))]
fn validate_reset_token() {}

/// 400 of validate-reset-token.
struct ValidateResetBadRequest;
impl ToSchema for ValidateResetBadRequest {}
impl PartialSchema for ValidateResetBadRequest {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .item(FieldErrorsRef::schema())
            .item(DetailRef::schema())
            .item(Ref::from_schema_name(ResetTokenCheck::name()))
            .into()
    }
}

#[utoipa::path(post, path = "/api/auth/reset-password/", tag = TAG,
    security((), ("bearer" = [])),
    summary = "Set a new password with a reset link (once); every session ends",
    request_body(content = ResetPasswordWrite),
    responses(
        (status = 200, description = "Done", body = Message),
        (status = 400, description = "Invalid fields, `password_confirm` differing (under `password`), or a link that does not hold (`{\"error\": \"Invalid or expired token\"}`)",
            body = inline(BadRequestOrError))))]
fn reset_password() {}

#[utoipa::path(post, path = "/api/auth/verify-otp/", tag = TAG,
    security((), ("bearer" = [])),
    summary = "Verify the account's e-mail address with the mailed code",
    request_body(content = VerifyOtpWrite),
    responses(
        (status = 200, description = "The address is verified", body = OtpVerified),
        (status = 400, description = "Invalid fields, or a wrong, expired, used or unknown code (`{\"error\": \"Invalid or expired OTP code\"}`, whether or not the address has an account)",
            body = inline(BadRequestOrError))))]
fn verify_otp() {}

const RESEND_DESCRIPTION: &str = "Same answer for unknown, verified and cooling-down addresses.";

#[utoipa::path(post, path = "/api/auth/resend-otp/", tag = TAG,
    security((), ("bearer" = [])),
    summary = "Mail a new verification code",
    description = RESEND_DESCRIPTION,
    request_body(content = EmailWrite),
    responses(
        (status = 200, description = "The same message whether or not a code went out", body = Message),
        (status = 429, description = "The address's daily cap of codes is reached: `Retry-After` until the next UTC day",
            body = inline(DetailRef),
            headers(("Retry-After" = String, description = "Seconds until the next UTC day")))))]
fn resend_otp() {}

#[derive(OpenApi)]
#[openapi(
    paths(
        register, login, refresh, logout, profile, replace_profile, patch_profile,
        change_password, delete_account, sessions, forgot_password, validate_reset_token,
        reset_password, verify_otp, resend_otp
    ),
    components(schemas(
        UserOut, SessionOut, TokenPairOut, SignedIn, Registered, Message, PasswordChanged,
        ResetTokenCheck, OtpVerified, ErrorMessage, RegisterWrite, LoginWrite, RefreshWrite,
        ProfileWrite, ProfilePatch, ChangePasswordWrite, DeleteAccountWrite, EmailWrite,
        ResetTokenWrite, ResetPasswordWrite, VerifyOtpWrite
    )),
    tags(
        (name = "users", description = "Accounts, authentication, profile, password recovery, e-mail verification (spec 1, 2)")
    )
)]
struct Doc;

/// This function's operations at their seed paths (`ALIASES` are applied
/// once the document is merged), with the lock and cooldown figures in the
/// tag's description.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = Doc::openapi();
    if let Some(tag) = doc
        .tags
        .as_mut()
        .and_then(|tags| tags.iter_mut().find(|t| t.name == TAG))
    {
        let limits = format!(
            " {MAX_FAILED_LOGINS} wrong passwords in a row (login, or any request asking for the \
             current password) lock the account for {} minutes (429). At most one code or reset \
             link per {RESEND_COOLDOWN_SECONDS} s and account, {MAX_CODES_PER_DAY} codes per \
             address and UTC day.",
            LOGIN_LOCK_SECONDS / 60
        );
        let description: Cow<str> = tag.description.as_deref().unwrap_or("").into();
        tag.description = Some(format!("{description}.{limits}").replace("..", "."));
    }
    doc
}

/// The other path of each operation (the router's `at(router, &[first,
/// other], ...)`): the reference's `/api/auth/...` for the seed's
/// `/api/users/...` paths and the reverse for the reference-only ones.
pub const ALIASES: &[shared::openapi::Alias] = &[
    ("/api/users/register/", "/api/auth/register/", &["post"]),
    ("/api/users/login/", "/api/auth/login/", &["post"]),
    (
        "/api/users/token/refresh/",
        "/api/token/refresh/",
        &["post"],
    ),
    ("/api/users/logout/", "/api/auth/logout/", &["post"]),
    (
        "/api/users/profile/",
        "/api/auth/me/",
        &["get", "put", "patch"],
    ),
    (
        "/api/users/change-password/",
        "/api/auth/change-password/",
        &["post"],
    ),
    (
        "/api/users/delete-account/",
        "/api/auth/delete-account/",
        &["delete"],
    ),
    ("/api/auth/sessions/", "/api/users/sessions/", &["get"]),
    (
        "/api/auth/forgot-password/",
        "/api/users/forgot-password/",
        &["post"],
    ),
    (
        "/api/auth/validate-reset-token/",
        "/api/users/validate-reset-token/",
        &["post"],
    ),
    (
        "/api/auth/reset-password/",
        "/api/users/reset-password/",
        &["post"],
    ),
    ("/api/auth/verify-otp/", "/api/users/verify-otp/", &["post"]),
    ("/api/auth/resend-otp/", "/api/users/resend-otp/", &["post"]),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_has_every_operation_of_the_router() {
        let doc = serde_json::to_value(openapi()).unwrap();
        let paths = doc["paths"].as_object().unwrap();
        assert_eq!(paths.len(), 13);
        let ops: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
        assert_eq!(ops, 15);
        let register = &doc["components"]["schemas"]["RegisterWrite"];
        assert_eq!(register["properties"]["email"]["maxLength"], EMAIL_MAX);
        assert!(register["properties"]["password"]["description"]
            .as_str()
            .unwrap()
            .contains(&MIN_PASSWORD_LEN.to_string()));
    }
}
