//! Rendering of `Error` and of success bodies.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};

use crate::error::{AuthError, Error};

pub const WWW_AUTHENTICATE: &str = "Bearer realm=\"api\"";

pub fn ok<T: Serialize>(body: T) -> Response {
    (StatusCode::OK, Json(body)).into_response()
}

pub fn created<T: Serialize>(body: T) -> Response {
    (StatusCode::CREATED, Json(body)).into_response()
}

pub fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

fn auth_body(err: &AuthError) -> Value {
    match err {
        AuthError::NotProvided => {
            json!({"detail": "Authentication credentials were not provided."})
        }
        AuthError::BadHeader => json!({
            "detail": "Authorization header must contain two space-delimited values",
            "code": "bad_authorization_header"
        }),
        AuthError::InvalidAccessToken(reason) => json!({
            "detail": "Given token not valid for any token type",
            "code": "token_not_valid",
            "messages": [{"token_class": "AccessToken", "token_type": "access", "message": reason}]
        }),
        AuthError::InvalidRefreshToken(reason) => {
            json!({"detail": reason, "code": "token_not_valid"})
        }
        AuthError::UserNotFound => json!({"detail": "User not found", "code": "user_not_found"}),
        AuthError::UserInactive => json!({"detail": "User is inactive", "code": "user_inactive"}),
        AuthError::NoActiveAccount => {
            json!({"detail": "No active account found for the given token."})
        }
    }
}

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let (code, body) = match &self {
            Error::Validation(errors) => (StatusCode::BAD_REQUEST, errors.to_json()),
            Error::BadRequest(detail) => (StatusCode::BAD_REQUEST, json!({"detail": detail})),
            Error::Message { status: s, message } => (status(*s), json!({"error": message})),
            Error::Body { status: s, body } => (status(*s), body.clone()),
            Error::Unauthenticated(err) => {
                let mut response = (StatusCode::UNAUTHORIZED, Json(auth_body(err))).into_response();
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static(WWW_AUTHENTICATE),
                );
                return response;
            }
            Error::Forbidden(detail) => (StatusCode::FORBIDDEN, json!({"detail": detail})),
            Error::NotFound(None) => (StatusCode::NOT_FOUND, json!({"detail": "Not found."})),
            Error::NotFound(Some(model)) => (
                StatusCode::NOT_FOUND,
                json!({"detail": format!("No {model} matches the given query.")}),
            ),
            Error::MethodNotAllowed(method) => (
                StatusCode::METHOD_NOT_ALLOWED,
                json!({"detail": format!("Method \"{method}\" not allowed.")}),
            ),
            Error::UnsupportedMediaType(media) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                json!({"detail": format!("Unsupported media type \"{media}\" in request.")}),
            ),
            Error::PayloadTooLarge(limit) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                json!({"detail": format!("Request body is too large (limit {limit} bytes).")}),
            ),
            Error::Conflict(detail) => (StatusCode::CONFLICT, json!({"detail": detail})),
            Error::TooManyRequests {
                message,
                retry_after_secs,
            } => {
                let mut response = (
                    StatusCode::TOO_MANY_REQUESTS,
                    Json(json!({"detail": message})),
                )
                    .into_response();
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
                return response;
            }
            Error::Unavailable(what) => {
                tracing::warn!(dependency = %what, "dependency unavailable");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    json!({"detail": "Service temporarily unavailable, please retry shortly."}),
                )
            }
            Error::Internal(what) => {
                tracing::error!(error = %what, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    json!({"detail": "Internal server error."}),
                )
            }
        };
        (code, Json(body)).into_response()
    }
}
