//! Turning the `Authorization` header into a user (spec 0.3), with every 401
//! shape of the contract.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::jwt::Claims;
use super::tokens::{TokenService, ACCESS};
use crate::domain::users::User;
use crate::error::{AuthError, Error};
use crate::store::Store;
use crate::time;

/// The reason shown for a token issued before a logout or password change.
pub const REVOKED: &str = "Token is blacklisted";

/// The bearer token of the request: `None` when there is no header or it uses
/// another scheme (anonymous), an error when `Bearer` is malformed.
pub fn bearer(parts: &Parts) -> Result<Option<String>, Error> {
    let Some(raw) = parts.headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let raw = raw
        .to_str()
        .map_err(|_| Error::Unauthenticated(AuthError::InvalidAccessToken("Token is invalid")))?;
    let mut words = raw.split_whitespace();
    if words.next() != Some("Bearer") {
        return Ok(None);
    }
    match (words.next(), words.next()) {
        (Some(token), None) => Ok(Some(token.to_string())),
        _ => Err(Error::Unauthenticated(AuthError::BadHeader)),
    }
}

fn decode_access(tokens: &TokenService, token: &str) -> Result<Claims, Error> {
    tokens
        .decode(token, ACCESS, time::now())
        .map_err(|p| Error::Unauthenticated(AuthError::InvalidAccessToken(p.reason())))
}

/// The signed-in user; one GetItem (the user record) per request.
#[derive(Clone, Debug)]
pub struct CurrentUser(pub User);

impl<S> FromRequestParts<S> for CurrentUser
where
    Store: FromRef<S>,
    TokenService: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)?.ok_or(Error::Unauthenticated(AuthError::NotProvided))?;
        let claims = decode_access(&TokenService::from_ref(state), &token)?;
        let user = Store::from_ref(state)
            .users()
            .get(&claims.user_id)
            .await?
            .ok_or(Error::Unauthenticated(AuthError::UserNotFound))?;
        if !user.is_active {
            return Err(Error::Unauthenticated(AuthError::UserInactive));
        }
        if claims.ver != user.token_version {
            return Err(Error::Unauthenticated(AuthError::InvalidAccessToken(
                REVOKED,
            )));
        }
        Ok(CurrentUser(user))
    }
}

impl CurrentUser {
    /// Staff only (`is_staff`; the `roles` list never grants anything).
    pub fn require_staff(&self) -> Result<(), Error> {
        if self.0.is_staff {
            Ok(())
        } else {
            Err(Error::Forbidden(
                "You do not have permission to perform this action.".into(),
            ))
        }
    }
}

/// A staff member (`is_staff`): 401 without a valid token, 403 for anyone
/// else, before the body is read (a refusal does not depend on the body).
#[derive(Clone, Debug)]
pub struct Staff(pub User);

impl<S> FromRequestParts<S> for Staff
where
    Store: FromRef<S>,
    TokenService: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        user.require_staff()?;
        Ok(Staff(user.0))
    }
}

/// For public endpoints: anonymous is fine, but a bearer token that is
/// present must still be valid (spec 0.3). Checked without a database read.
#[derive(Clone, Debug)]
pub struct PublicRequest;

impl<S> FromRequestParts<S> for PublicRequest
where
    TokenService: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(token) = bearer(parts)? {
            decode_access(&TokenService::from_ref(state), &token)?;
        }
        Ok(PublicRequest)
    }
}

/// For public endpoints whose answer depends on who asks (staff see
/// inactive plans): anonymous is `None`; a bearer token that is present
/// must be valid, and its user is read (one GetItem), as `CurrentUser`.
#[derive(Clone, Debug)]
pub struct Viewer(pub Option<User>);

impl<S> FromRequestParts<S> for Viewer
where
    Store: FromRef<S>,
    TokenService: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if bearer(parts)?.is_none() {
            return Ok(Viewer(None));
        }
        let CurrentUser(user) = CurrentUser::from_request_parts(parts, state).await?;
        Ok(Viewer(Some(user)))
    }
}

impl Viewer {
    pub fn is_staff(&self) -> bool {
        self.0.as_ref().is_some_and(|u| u.is_staff)
    }
}

/// Collections of the caller's partition a handler may ask `UserData` for
/// (bits of its const parameter).
pub mod collections {
    pub const VEHICLES: u8 = 1;
    pub const MAINTENANCES: u8 = 2;
    pub const REMINDERS: u8 = 4;
    /// The documents (their own partition; the texts are not read).
    pub const DOCUMENTS: u8 = 8;
    /// The diagnostics (their own partition; not the replies).
    pub const DIAGNOSTICS: u8 = 16;
}

/// The signed-in user with the collections `C` of their partition (a set of
/// `collections` bits), read at the same time: the profile by GetItem and
/// each collection by a Query on its sort-key prefix. What a request reads
/// is the user and what it answers from, never the rest of the partition
/// (sessions, codes and settings live apart or under other prefixes).
#[derive(Clone, Debug)]
pub struct UserData<const C: u8> {
    pub user: User,
    /// The collections `C` asked for, decoded (the others are empty).
    pub fleet: crate::store::Fleet,
}

impl<S, const C: u8> FromRequestParts<S> for UserData<C>
where
    Store: FromRef<S>,
    TokenService: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)?.ok_or(Error::Unauthenticated(AuthError::NotProvided))?;
        let claims = decode_access(&TokenService::from_ref(state), &token)?;
        let store = &Store::from_ref(state);
        let wanted = crate::store::fleet::FleetParts {
            vehicles: C & collections::VEHICLES != 0,
            maintenances: C & collections::MAINTENANCES != 0,
            reminders: C & collections::REMINDERS != 0,
            documents: C & collections::DOCUMENTS != 0,
            diagnostics: C & collections::DIAGNOSTICS != 0,
        };
        let users = store.users();
        let (profile, fleet) = tokio::try_join!(
            users.get(&claims.user_id),
            store.fleet(&claims.user_id, wanted),
        )?;
        let user = profile.ok_or(Error::Unauthenticated(AuthError::UserNotFound))?;
        if !user.is_active {
            return Err(Error::Unauthenticated(AuthError::UserInactive));
        }
        if claims.ver != user.token_version {
            return Err(Error::Unauthenticated(AuthError::InvalidAccessToken(
                REVOKED,
            )));
        }
        Ok(UserData { user, fleet })
    }
}
