//! AutoTrack's shared library: every Lambda function links it.
//!
//! Dependencies point one way: `http` -> `domain` -> `store`. Key formats live
//! only in `store::keys`; the one error type is `error::Error`.

pub mod auth;
pub mod config;
pub mod domain;
pub mod error;
pub mod http;
pub mod jobs;
pub mod mail;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod runtime;
pub mod state;
pub mod store;
pub mod time;

#[cfg(feature = "testkit")]
pub mod testkit;

pub use error::{Error, FieldErrors, Result};
pub use state::AppState;
