//! The one error type of the project. Handlers, repositories and rules all
//! return `Error`; `http::response` renders it in the contract's shapes
//! (spec 0.3 and 0.6).

use serde_json::Value;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Validation errors: field name -> messages, in the order fields were checked.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct FieldErrors(Vec<(String, Vec<String>)>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn single(field: &str, message: impl Into<String>) -> Self {
        let mut errors = Self::new();
        errors.add(field, message);
        errors
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        let message = message.into();
        match self.0.iter_mut().find(|(name, _)| name == field) {
            Some((_, messages)) => messages.push(message),
            None => self.0.push((field.to_string(), vec![message])),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds every message of `other` (checks done in two passes).
    pub fn merge(&mut self, other: FieldErrors) {
        for (field, messages) in other.0 {
            for message in messages {
                self.add(&field, message);
            }
        }
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|(name, _)| name == field)
    }

    pub fn to_json(&self) -> Value {
        let mut map = serde_json::Map::new();
        for (field, messages) in &self.0 {
            map.insert(field.clone(), Value::from(messages.clone()));
        }
        Value::Object(map)
    }

    /// `Ok(())` when nothing was reported, the validation error otherwise.
    pub fn into_result(self) -> Result<()> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(self))
        }
    }
}

/// Why a request could not be authenticated (spec 0.3 and 1.2).
#[derive(Debug, Clone, PartialEq)]
pub enum AuthError {
    /// No credentials on a protected endpoint.
    NotProvided,
    /// `Bearer` with zero or several values.
    BadHeader,
    /// An access token that is malformed, badly signed, expired, revoked or
    /// of the wrong type; the reason is shown to the client.
    InvalidAccessToken(&'static str),
    /// A refresh token that cannot be exchanged; the reason is shown.
    InvalidRefreshToken(&'static str),
    UserNotFound,
    UserInactive,
    /// A refresh token of an inactive account.
    NoActiveAccount,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// 400 `{"field": ["message", ...]}`
    #[error("validation failed: {0:?}")]
    Validation(FieldErrors),
    /// 400 `{"detail": ...}` (parse errors and the like)
    #[error("bad request: {0}")]
    BadRequest(String),
    /// `{"error": ...}` with the given status: the shape of the reference's
    /// hand-written views.
    #[error("{status}: {message}")]
    Message { status: u16, message: String },
    /// Any other body the contract asks for, verbatim.
    #[error("{status}: {body}")]
    Body { status: u16, body: Value },
    /// 401 in one of the shapes of spec 0.3.
    #[error("unauthenticated: {0:?}")]
    Unauthenticated(AuthError),
    /// 403 `{"detail": ...}`
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// 404: `None` gives `{"detail": "Not found."}`, `Some(model)` gives
    /// `{"detail": "No <model> matches the given query."}`.
    #[error("not found: {0:?}")]
    NotFound(Option<&'static str>),
    #[error("method {0} not allowed")]
    MethodNotAllowed(String),
    #[error("unsupported media type {0}")]
    UnsupportedMediaType(String),
    #[error("request body larger than {0} bytes")]
    PayloadTooLarge(usize),
    /// 409: a concurrent change won (optimistic locking) or a state conflict.
    #[error("conflict: {0}")]
    Conflict(String),
    /// 429 with `Retry-After`.
    #[error("too many requests: {message}")]
    TooManyRequests {
        message: String,
        retry_after_secs: u64,
    },
    /// 503: a dependency (DynamoDB, S3, SQS...) is unreachable or throttling.
    #[error("dependency unavailable: {0}")]
    Unavailable(String),
    /// 500: a bug or an unexpected answer from a dependency. Logged, never
    /// shown in detail to the client.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Error::Validation(FieldErrors::single(field, message))
    }

    pub fn non_field(message: impl Into<String>) -> Self {
        Self::field("non_field_errors", message)
    }

    pub fn message(status: u16, message: impl Into<String>) -> Self {
        Error::Message {
            status,
            message: message.into(),
        }
    }

    pub fn internal(context: impl std::fmt::Display) -> Self {
        Error::Internal(context.to_string())
    }
}
