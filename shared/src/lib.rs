//! AutoTrack's shared library: every Lambda function links it.
//!
//! Handlers call `usecases` (rules spanning entities) and the repositories
//! of `store`, which encode the `domain` types as items. Key formats live
//! only in `store::keys`; the one error type is `error::Error`.

#[cfg(feature = "openai")]
pub mod ai;
pub mod auth;
pub mod config;
pub mod documents;
pub mod domain;
pub mod error;
pub mod http;
pub mod jobs;
pub mod mail;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod percent;
pub mod runtime;
pub mod state;
pub mod store;
pub mod stripe;
pub mod time;
pub mod usecases;

pub use error::{Error, FieldErrors, Result};
pub use state::FunctionState;
