//! A small Stripe API client (feature `stripe`): form-encoded requests,
//! JSON answers, on the hyper 1 / rustls (aws-lc-rs) stack the AWS SDK
//! already links, so it adds no TLS stack and almost no code. async-stripe
//! was weighed and left (its generated code and a newer minimum Rust for a
//! handful of calls).
//!
//! Every call is bounded by the configured timeout; a POST carries an
//! `Idempotency-Key`, so the one retry after a network error, a 429 or a
//! 5xx cannot do anything twice (Stripe replays the first answer).

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

use crate::config::StripeApiConfig;

/// The API version every request asks for, so the objects' shapes do not
/// change with the account's default (webhook endpoints pin theirs too).
pub const API_VERSION: &str = "2026-09-30.endive";
/// Answers larger than this are not Stripe objects we asked for.
const MAX_ANSWER_BYTES: usize = 1024 * 1024;
const ATTEMPTS: u32 = 2;
const BACKOFF: Duration = Duration::from_millis(300);

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StripeError {
    #[error("Stripe did not answer in time")]
    Timeout,
    /// Network errors, 429 and 5xx (after the retry).
    #[error("Stripe is unavailable: {0}")]
    Unavailable(String),
    /// A 4xx: the request itself was refused (a bad id, a bad parameter).
    #[error("Stripe refused the request ({status} {kind}{}): {message}", code.as_deref().map(|c| format!(" {c}")).unwrap_or_default())]
    Refused {
        status: u16,
        kind: String,
        code: Option<String>,
        param: Option<String>,
        message: String,
    },
    #[error("Stripe's answer is not usable: {0}")]
    Malformed(String),
}

impl StripeError {
    fn retryable(&self) -> bool {
        matches!(self, StripeError::Timeout | StripeError::Unavailable(_))
    }
}

type Https = hyper_rustls::HttpsConnector<HttpConnector>;

/// Built once per cold start (it reads the CA roots); cheap to clone.
#[derive(Clone)]
pub struct StripeClient {
    http: Result<Client<Https, Full<Bytes>>, String>,
    base_url: Arc<str>,
    key: Arc<str>,
    timeout: Duration,
}

impl std::fmt::Debug for StripeClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeClient")
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("ready", &self.http.is_ok())
            .finish_non_exhaustive()
    }
}

fn https_client() -> Result<Client<Https, Full<Bytes>>, String> {
    let mut roots = rustls::RootCertStore::empty();
    let found = rustls_native_certs::load_native_certs();
    let (added, _) = roots.add_parsable_certificates(found.certs);
    if added == 0 {
        return Err("no CA roots could be read".into());
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        // The tests' fake speaks plain HTTP on 127.0.0.1.
        .https_or_http()
        .enable_http1()
        .build();
    Ok(Client::builder(TokioExecutor::new()).build(connector))
}

impl StripeClient {
    pub fn new(config: &StripeApiConfig) -> Self {
        let http = https_client();
        if let Err(e) = &http {
            tracing::warn!(error = %e, "the Stripe client could not be built");
        }
        StripeClient {
            http,
            base_url: config.base_url.as_str().into(),
            key: config.secret_key.expose().into(),
            timeout: config.timeout,
        }
    }

    /// `GET /v1/...`.
    pub async fn get(&self, path: &str) -> Result<Value, StripeError> {
        self.call(Method::GET, path, &[], None).await
    }

    /// `POST /v1/...` with form parameters (bracket names: `metadata[k]`),
    /// under `idempotency_key`.
    pub async fn post(
        &self,
        path: &str,
        params: &[(String, String)],
        idempotency_key: &str,
    ) -> Result<Value, StripeError> {
        self.call(Method::POST, path, params, Some(idempotency_key))
            .await
    }

    /// `DELETE /v1/...`.
    pub async fn delete(&self, path: &str) -> Result<Value, StripeError> {
        self.call(Method::DELETE, path, &[], None).await
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        params: &[(String, String)],
        idempotency_key: Option<&str>,
    ) -> Result<Value, StripeError> {
        let mut attempt = 1;
        loop {
            let outcome = tokio::time::timeout(
                self.timeout,
                self.once(method.clone(), path, params, idempotency_key),
            )
            .await
            .unwrap_or(Err(StripeError::Timeout));
            match outcome {
                Err(e) if e.retryable() && attempt < ATTEMPTS => {
                    // Path and kind only: parameters can name a customer.
                    tracing::warn!(%method, path, attempt, error = %e, "Stripe call failed; retrying");
                    tokio::time::sleep(BACKOFF * attempt).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn once(
        &self,
        method: Method,
        path: &str,
        params: &[(String, String)],
        idempotency_key: Option<&str>,
    ) -> Result<Value, StripeError> {
        let http = self
            .http
            .as_ref()
            .map_err(|e| StripeError::Unavailable(e.clone()))?;
        let body = form(params);
        let mut request = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base_url))
            .header(AUTHORIZATION, format!("Bearer {}", self.key))
            .header("Stripe-Version", API_VERSION)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(key) = idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        let request = request
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| StripeError::Malformed(format!("request: {e}")))?;
        let response = http
            .request(request)
            .await
            .map_err(|e| StripeError::Unavailable(e.to_string()))?;
        let status = response.status();
        let bytes = Limited::new(response.into_body(), MAX_ANSWER_BYTES)
            .collect()
            .await
            .map_err(|e| StripeError::Unavailable(format!("reading the answer: {e}")))?
            .to_bytes();
        answer(status, &bytes)
    }
}

/// Form encoding of bracket-named parameters, as Stripe reads them.
pub fn form(params: &[(String, String)]) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (name, value) in params {
        out.append_pair(name, value);
    }
    out.finish()
}

fn answer(status: StatusCode, bytes: &[u8]) -> Result<Value, StripeError> {
    let value: Option<Value> = serde_json::from_slice(bytes).ok();
    if status.is_success() {
        return value
            .filter(Value::is_object)
            .ok_or_else(|| StripeError::Malformed(format!("HTTP {status}: not a JSON object")));
    }
    let error = value.as_ref().and_then(|v| v.get("error"));
    let text = |key: &str| {
        error
            .and_then(|e| e.get(key))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
        return Err(StripeError::Unavailable(format!(
            "HTTP {}{}",
            status.as_u16(),
            text("type").map(|t| format!(" {t}")).unwrap_or_default()
        )));
    }
    Err(StripeError::Refused {
        status: status.as_u16(),
        kind: text("type").unwrap_or_else(|| "unknown".into()),
        code: text("code"),
        param: text("param"),
        message: text("message").unwrap_or_else(|| format!("HTTP {}", status.as_u16())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_and_reserved_characters_are_encoded() {
        let body = form(&[
            ("line_items[0][price]".into(), "price_1".into()),
            ("metadata[note]".into(), "a&b=c é".into()),
        ]);
        assert_eq!(
            body,
            "line_items%5B0%5D%5Bprice%5D=price_1&metadata%5Bnote%5D=a%26b%3Dc+%C3%A9"
        );
    }

    #[test]
    fn answers_are_sorted_into_errors() {
        let ok = answer(StatusCode::OK, br#"{"id":"cus_1","object":"customer"}"#).unwrap();
        assert_eq!(ok["id"], "cus_1");
        let refused = answer(
            StatusCode::NOT_FOUND,
            br#"{"error":{"type":"invalid_request_error","code":"resource_missing","param":"id","message":"No such customer"}}"#,
        )
        .unwrap_err();
        assert!(matches!(
            &refused,
            StripeError::Refused { status: 404, code: Some(c), .. } if c == "resource_missing"
        ));
        assert!(matches!(
            answer(StatusCode::SERVICE_UNAVAILABLE, b"<html>"),
            Err(StripeError::Unavailable(_))
        ));
        assert!(matches!(
            answer(StatusCode::TOO_MANY_REQUESTS, b"{}"),
            Err(StripeError::Unavailable(_))
        ));
        assert!(matches!(
            answer(StatusCode::OK, b"[1]"),
            Err(StripeError::Malformed(_))
        ));
    }
}
