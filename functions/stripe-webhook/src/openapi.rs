//! This function's part of the API document (feature `openapi`, never in
//! the release binary; docs/openapi-design.md): Stripe's deliveries and the
//! staff's view of the events stored (spec 11, issue 14). One
//! `utoipa::path` stub per operation, named after its handler, at the seed
//! path with its trailing slash; the reference's `/api/stripe/` and
//! `/api/events/...` are `ALIASES`.
//!
//! The delivery is public (no token: Stripe's signature instead) and reads
//! the raw body; its answers are the ones `receive::receive` writes, which
//! tell Stripe whether to deliver again. The events' shape is the one
//! `WebhookEvent::to_json` writes; every events endpoint is staff's.

// The stubs only carry their `utoipa::path` attribute: nothing calls them.
#![allow(dead_code)]

use serde_json::{json, Value};
use shared::domain::webhooks::{ERROR_MAX, EVENTS_KEPT_DAYS, SOURCE_STRIPE};
use shared::openapi::DetailRef;
use shared::stripe::signature::TOLERANCE_SECONDS;
use shared::{json_component as component, json_one_of as one_of};

use utoipa::openapi::{Ref, RefOr, Schema};
use utoipa::{OpenApi, ToSchema};

const TAG: &str = "webhooks";
const ID: &str = "Stripe's event id (`evt_...`)";

/// The answers' texts (`receive.rs`, `events.rs`; a test finds each one).
mod says {
    pub const INVALID_SIGNATURE: &str = "Invalid signature";
    pub const INVALID_PAYLOAD: &str = "Invalid payload";
    pub const NOT_CONFIGURED: &str = "Stripe webhooks are not configured.";
    pub const SUCCESS: &str = "success";
    pub const ALREADY_PROCESSED: &str = "This event was already processed.";
}

/// The longest ids and types `stripe_events::parse` accepts.
const EVENT_ID_MAX: usize = 255;
const EVENT_TYPE_MAX: usize = 100;
/// Events the bare-array views show (`events::VIEW_LIMIT`).
const VIEW_LIMIT: usize = 100;
/// The event types whose effects are applied (`stripe_events::effects`).
const HANDLED: [&str; 11] = [
    "checkout.session.completed",
    "checkout.session.expired",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "customer.subscription.paused",
    "customer.subscription.resumed",
    "invoice.paid",
    "invoice.payment_succeeded",
    "invoice.payment_failed",
    "customer.deleted",
];

/// `values` as a list of code spans, for descriptions.
fn quoted(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

// ---- input --------------------------------------------------------------

component!(
    /// The body of a delivery: a Stripe event, as `stripe_events::parse`
    /// reads it once the signature is checked.
    StripeEventIn,
    "StripeEvent",
    json!({
        "type": "object",
        "description": format!(
            "A Stripe event exactly as Stripe sends it: the signature covers the raw bytes, so \
             the body is read as received. Once the signature is valid, a body that is not JSON, \
             or lacks one of the required fields, is a 400 `{}`. Handled types: {}; any other \
             type is stored and acknowledged.",
            says::INVALID_PAYLOAD,
            quoted(&HANDLED)
        ),
        "properties": {
            "id": {
                "type": "string",
                "minLength": 1,
                "maxLength": EVENT_ID_MAX,
                "description": "Stripe's event id (`evt_...`): each event is applied once, a later delivery of it changes nothing.",
            },
            "object": {"type": "string", "enum": ["event"]},
            "type": {"type": "string", "minLength": 1, "maxLength": EVENT_TYPE_MAX},
            "created": {
                "type": "integer",
                "description": "Unix seconds (0 when absent): an event older than the state stored changes nothing.",
            },
            "data": {
                "type": "object",
                "properties": {"object": {"type": "object", "description": "The object the event is about."}},
                "required": ["object"],
            },
        },
        "required": ["id", "object", "type", "data"],
    })
);

// ---- outputs ------------------------------------------------------------

fn event_id_out() -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": EVENT_ID_MAX, "description": ID})
}

component!(
    /// What a delivery processed now answers.
    WebhookProcessedOut,
    "WebhookProcessed",
    json!({
        "type": "object",
        "properties": {
            "status": {"type": "string", "enum": [says::SUCCESS]},
            "event_id": event_id_out(),
            "outcome": {
                "type": "string",
                "description": "What processing did, in a few words (`subscription active`, `checkout completed`, `ignored: type not handled`...).",
            },
        },
        "required": ["status", "event_id", "outcome"],
    })
);

component!(
    /// What a delivery of an event already processed answers.
    WebhookDuplicateOut,
    "WebhookDuplicate",
    json!({
        "type": "object",
        "properties": {
            "status": {"type": "string", "enum": [says::SUCCESS]},
            "event_id": event_id_out(),
            "duplicate": {"type": "boolean", "enum": [true]},
        },
        "required": ["status", "event_id", "duplicate"],
    })
);

component!(
    /// `{"error": ...}`: a delivery refused, or the staff's retry refused.
    WebhookRefusal,
    "WebhookRefusal",
    json!({
        "type": "object",
        "properties": {"error": {"type": "string"}},
        "required": ["error"],
    })
);

component!(
    /// What a delivery whose processing failed answers (Stripe retries).
    WebhookFailureOut,
    "WebhookFailure",
    json!({
        "type": "object",
        "properties": {
            "error": {
                "type": "string",
                "maxLength": ERROR_MAX,
                "description": "The processing error, as stored with the event.",
            },
            "event_id": event_id_out(),
        },
        "required": ["error", "event_id"],
    })
);

component!(
    /// `WebhookEvent` (spec 11.1, `WebhookEvent::to_json`) with the
    /// rewrite's `outcome` and `attempts`.
    WebhookEventOut,
    "WebhookEvent",
    json!({
        "type": "object",
        "properties": {
            "id": event_id_out(),
            "event_type": {"type": "string", "minLength": 1, "maxLength": EVENT_TYPE_MAX, "description": "The event's `type`."},
            // `type` null: no type (any JSON value) once serialised.
            "payload": {
                "type": null,
                "description": "The whole event as received (JSON).",
            },
            "source": {"type": "string", "enum": [SOURCE_STRIPE]},
            "processed": {"type": "boolean", "description": "True once processed without error."},
            "processed_at": {"type": ["string", "null"], "format": "date-time"},
            "error_message": {
                "type": ["string", "null"],
                "maxLength": ERROR_MAX,
                "description": "Why the last processing failed, or null.",
            },
            "outcome": {
                "type": ["string", "null"],
                "description": "What processing did, in a few words; null until processed.",
            },
            "attempts": {
                "type": "integer",
                "minimum": 0,
                "description": "Processings tried: Stripe's deliveries and the staff's retries.",
            },
            "created_at": {
                "type": "string",
                "format": "date-time",
                "description": "When the first delivery arrived.",
            },
        },
        "required": [
            "id", "event_type", "payload", "source", "processed", "processed_at",
            "error_message", "outcome", "attempts", "created_at"
        ],
    })
);

fn refusal() -> RefOr<Schema> {
    Ref::from_schema_name(WebhookRefusal::name()).into()
}

one_of!(
    /// A delivery's 200: processed now, or already.
    Received,
    [
        Ref::from_schema_name(WebhookProcessedOut::name()),
        Ref::from_schema_name(WebhookDuplicateOut::name()),
    ]
);

one_of!(
    /// A 503 of the delivery: no secret configured, or a dependency down.
    OffOrUnavailable,
    [refusal(), DetailRef::schema()]
);

one_of!(
    /// A 400 of `retry/`: already processed, or a stored payload that is
    /// not an event.
    RetryRefused,
    [refusal(), DetailRef::schema()]
);

// ---- operations ---------------------------------------------------------

const NOT_STAFF: &str =
    "The caller is not staff (`You do not have permission to perform this action.`)";

/// Replaced in `openapi()` (they quote the handlers' texts).
const REFUSED: &str = "Not Stripe's, or not an event";
const FAILED: &str = "Processing failed";
const OFF: &str = "Webhooks are not configured";

#[utoipa::path(post, path = "/api/webhooks/stripe/", tag = TAG,
    security(()),
    summary = "Stripe's deliveries of events (public, signed)",
    params(("Stripe-Signature" = String, Header, description = "`t=<unix seconds>,v1=<hex>[,v1=<hex>...]`, as Stripe sends it")),
    request_body(content = StripeEventIn, description = "The event, as Stripe sends it"),
    responses(
        (status = 200, description = "Processed now, or already (nothing changed): Stripe stops delivering it", body = inline(Received)),
        (status = 400, description = REFUSED, body = WebhookRefusal),
        (status = 413, description = "The body is over 1 MiB (the API's bound; Stripe's events are a few kilobytes)", body = inline(DetailRef)),
        (status = 500, description = FAILED, body = WebhookFailureOut),
        (status = 503, description = OFF, body = inline(OffOrUnavailable))))]
fn receive() {}

#[utoipa::path(get, path = "/api/webhooks/events/", tag = TAG,
    summary = "The events stored, newest first (staff only)",
    extensions(("x-paged" = json!(true))),
    responses(
        (status = 200, description = "A page of events", body = Vec<WebhookEventOut>),
        (status = 403, description = NOT_STAFF, body = inline(DetailRef))))]
fn list() {}

#[utoipa::path(get, path = "/api/webhooks/events/unprocessed/", tag = TAG,
    summary = "The newest events not processed (staff only; not paged)",
    responses(
        (status = 200, description = "The events", body = Vec<WebhookEventOut>),
        (status = 403, description = NOT_STAFF, body = inline(DetailRef))))]
fn unprocessed() {}

#[utoipa::path(get, path = "/api/webhooks/events/errors/", tag = TAG,
    summary = "The newest events whose processing failed (staff only; not paged)",
    responses(
        (status = 200, description = "The events", body = Vec<WebhookEventOut>),
        (status = 403, description = NOT_STAFF, body = inline(DetailRef))))]
fn errors() {}

#[utoipa::path(get, path = "/api/webhooks/events/{id}/", tag = TAG,
    summary = "One event (staff only)",
    params(("id" = String, Path, description = ID)),
    responses(
        (status = 200, description = "The event", body = WebhookEventOut),
        (status = 403, description = NOT_STAFF, body = inline(DetailRef))))]
fn detail() {}

#[utoipa::path(post, path = "/api/webhooks/events/{id}/retry/", tag = TAG,
    summary = "Process an event that failed again (staff only)",
    params(("id" = String, Path, description = ID)),
    responses(
        (status = 200, description = "The event as stored after the attempt: processed, or with its new error", body = WebhookEventOut),
        (status = 400, description = "Already processed", body = inline(RetryRefused)),
        (status = 403, description = NOT_STAFF, body = inline(DetailRef))))]
fn retry() {}

#[derive(OpenApi)]
#[openapi(
    paths(receive, list, unprocessed, errors, detail, retry),
    components(schemas(
        StripeEventIn, WebhookProcessedOut, WebhookDuplicateOut, WebhookRefusal,
        WebhookFailureOut, WebhookEventOut
    )),
    tags(
        (name = "webhooks", description = "Stripe's webhook (spec 11): deliveries are checked against the endpoint's signing secrets and applied exactly once (the subscriptions' status and periods, a failed payment notified); the events are stored, and staff read them and retry the ones that failed. The events' endpoints are read-only but for `retry/` (other methods are 405); an unknown event is a 404 `No Event matches the given query.`")
    )
)]
struct Doc;

/// This function's operations at their seed paths (`ALIASES` are applied
/// once the document is merged), with the query parameters and the
/// descriptions that quote the handlers' texts.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = Doc::openapi();
    set_parameters(
        &mut doc,
        "/api/webhooks/events/",
        json!([
            query(
                "event_type",
                "Only the events of this type (exact, spaces around trimmed); empty is ignored.",
            ),
            query(
                "source",
                &format!("Only the events of this source (`{SOURCE_STRIPE}` is the only one); empty is ignored."),
            ),
            query(
                "processed",
                "`true`/`1` (any case): only the events processed; `false`/`0`: only the others; any other value is ignored.",
            ),
        ]),
    );
    describe(
        &mut doc,
        "/api/webhooks/stripe/",
        "post",
        format!(
            "Stripe's endpoint: public, no token. Every `v1` of `Stripe-Signature` is checked \
             against every configured secret (HMAC-SHA256 over `<t>.<raw body>`, `t` within \
             {TOLERANCE_SECONDS} s of now), then the event is processed and stored in one \
             transaction with its effects, once per event id. Any 2xx tells Stripe the event \
             arrived; a 500 makes it deliver again later (for days). Events are kept \
             {EVENTS_KEPT_DAYS} days."
        ),
    );
    set_response(
        &mut doc,
        "/api/webhooks/stripe/",
        "post",
        "400",
        format!(
            "`error`: `{}` (the header missing, malformed, not matching a secret, or too old: \
             nothing is stored), or `{}` (signed, but not a Stripe event)",
            says::INVALID_SIGNATURE,
            says::INVALID_PAYLOAD
        ),
    );
    set_response(
        &mut doc,
        "/api/webhooks/stripe/",
        "post",
        "500",
        "Processing failed: the event is stored unprocessed with the error (`error`), which \
         staff see; Stripe delivers it again."
            .into(),
    );
    set_response(
        &mut doc,
        "/api/webhooks/stripe/",
        "post",
        "503",
        format!(
            "No signing secret is configured (`error`: `{}`): nothing is ever accepted \
             unchecked. Or a dependency is down (`detail`, nothing stored): Stripe delivers \
             again.",
            says::NOT_CONFIGURED
        ),
    );
    describe(
        &mut doc,
        "/api/webhooks/events/",
        "get",
        "Every event stored, newest first, filtered, then paged.".into(),
    );
    describe(
        &mut doc,
        "/api/webhooks/events/unprocessed/",
        "get",
        format!("A bare array of the newest {VIEW_LIMIT} events not processed, newest first."),
    );
    describe(
        &mut doc,
        "/api/webhooks/events/errors/",
        "get",
        format!(
            "A bare array of the newest {VIEW_LIMIT} events whose last processing failed \
             (`error_message` set), newest first."
        ),
    );
    describe(
        &mut doc,
        "/api/webhooks/events/{id}/",
        "get",
        "The event with the payload as received.".into(),
    );
    describe(
        &mut doc,
        "/api/webhooks/events/{id}/retry/",
        "post",
        "Processes the stored payload again, through the same steps as a delivery; the answer \
         is the event as stored after the attempt (200 whether it succeeded or failed again: \
         see `processed` and `error_message`). No body is read."
            .into(),
    );
    set_response(
        &mut doc,
        "/api/webhooks/events/{id}/retry/",
        "post",
        "400",
        format!(
            "The event was already processed (`error`: `{}`); `detail` when the stored payload \
             is not a Stripe event",
            says::ALREADY_PROCESSED
        ),
    );
    doc
}

fn query(name: &str, description: &str) -> Value {
    json!({
        "name": name,
        "in": "query",
        "required": false,
        "description": description,
        "schema": {"type": "string"},
    })
}

fn operation<'a>(
    doc: &'a mut utoipa::openapi::OpenApi,
    path: &str,
    method: &str,
) -> &'a mut utoipa::openapi::path::Operation {
    let item = doc
        .paths
        .paths
        .get_mut(path)
        .unwrap_or_else(|| panic!("{path} is documented"));
    let op = match method {
        "get" => item.get.as_mut(),
        "post" => item.post.as_mut(),
        _ => None,
    };
    op.unwrap_or_else(|| panic!("{method} {path} is documented"))
}

fn set_parameters(doc: &mut utoipa::openapi::OpenApi, path: &str, params: Value) {
    let params: Vec<utoipa::openapi::path::Parameter> =
        serde_json::from_value(params).expect("valid parameters");
    let op = operation(doc, path, "get");
    op.parameters.get_or_insert_with(Vec::new).extend(params);
}

fn describe(doc: &mut utoipa::openapi::OpenApi, path: &str, method: &str, text: String) {
    operation(doc, path, method).description = Some(text);
}

/// Sets the description of a response the operation declares.
fn set_response(
    doc: &mut utoipa::openapi::OpenApi,
    path: &str,
    method: &str,
    status: &str,
    text: String,
) {
    let responses = &mut operation(doc, path, method).responses.responses;
    match responses.get_mut(status) {
        Some(RefOr::T(response)) => response.description = text,
        _ => panic!("{method} {path} declares its {status}"),
    }
}

/// The reference's paths (the router's `at(router, &[seed, alias], ...)`).
pub const ALIASES: &[shared::openapi::Alias] = &[
    ("/api/webhooks/stripe/", "/api/stripe/", &["post"]),
    ("/api/webhooks/events/", "/api/events/", &["get"]),
    (
        "/api/webhooks/events/unprocessed/",
        "/api/events/unprocessed/",
        &["get"],
    ),
    (
        "/api/webhooks/events/errors/",
        "/api/events/errors/",
        &["get"],
    ),
    ("/api/webhooks/events/{id}/", "/api/events/{id}/", &["get"]),
    (
        "/api/webhooks/events/{id}/retry/",
        "/api/events/{id}/retry/",
        &["post"],
    ),
];

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};
    use shared::domain::webhooks::WebhookEvent;

    fn doc() -> Value {
        serde_json::to_value(super::openapi()).unwrap()
    }

    fn schemas() -> Value {
        doc()["components"]["schemas"].clone()
    }

    fn keys(value: &Value) -> Vec<String> {
        let mut names: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
        names.sort();
        names
    }

    fn required(schema: &Value) -> Vec<String> {
        let mut names: Vec<String> = schema["required"]
            .as_array()
            .map(|r| r.iter().map(|v| v.as_str().unwrap().to_string()).collect())
            .unwrap_or_default();
        names.sort();
        names
    }

    #[test]
    fn the_document_has_every_operation_of_the_router() {
        let doc = doc();
        let paths = doc["paths"].as_object().unwrap();
        assert_eq!(paths.len(), 6);
        let operations: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
        assert_eq!(operations, 6);
        let source = include_str!("lib.rs");
        let declared: Vec<String> = source
            .split('"')
            .skip(1)
            .step_by(2)
            .filter(|literal| literal.starts_with("/api/"))
            .map(|literal| format!("{literal}/"))
            .collect();
        for path in &declared {
            let alias = super::ALIASES.iter().any(|(_, a, _)| a == path);
            assert!(paths.contains_key(path) != alias, "{path}");
        }
        assert_eq!(declared.len(), paths.len() + super::ALIASES.len());
        for (seed, path, methods) in super::ALIASES {
            assert!(!paths.contains_key(*path), "{path} is an alias");
            for method in *methods {
                assert!(paths[*seed].get(*method).is_some(), "{method} {seed}");
            }
        }
        for name in keys(&doc["components"]["schemas"]) {
            assert!(
                name.starts_with("Webhook") || name == "StripeEvent",
                "{name}: the merged document shares one namespace of schemas"
            );
        }
        // The delivery is public and reads no token; the rest is staff's.
        for (path, item) in paths {
            for (method, op) in item.as_object().unwrap() {
                if path == "/api/webhooks/stripe/" {
                    assert_eq!(op["security"], json!([{}]));
                    let header = &op["parameters"][0];
                    assert_eq!(header["name"], "Stripe-Signature");
                    assert_eq!(header["in"], "header");
                    assert_eq!(header["required"], true);
                } else {
                    assert!(op.get("security").is_none(), "{method} {path}");
                    assert!(op["responses"].get("403").is_some(), "{method} {path}");
                }
            }
        }
    }

    #[test]
    fn the_event_has_the_representations_fields() {
        let schemas = schemas();
        let event = WebhookEvent::received(
            "evt_1",
            "invoice.paid",
            br#"{"id":"evt_1"}"#,
            shared::time::now(),
        );
        let value = event.to_json();
        let schema = &schemas["WebhookEvent"];
        assert_eq!(keys(&schema["properties"]), keys(&value));
        assert_eq!(required(schema), keys(&value));
        assert_eq!(value["payload"], json!({"id": "evt_1"}));
    }

    /// The texts quoted are the handlers', the limits the parser's.
    #[test]
    fn the_quoted_texts_are_the_handlers() {
        let receive = include_str!("receive.rs");
        for text in [
            super::says::INVALID_SIGNATURE,
            super::says::INVALID_PAYLOAD,
            super::says::NOT_CONFIGURED,
        ] {
            assert!(receive.contains(&format!("\"{text}\"")), "{text}");
        }
        assert!(receive.contains(r#""status": "success""#));
        assert!(receive.contains(r#""duplicate": true"#));
        let events = include_str!("events.rs");
        assert!(events.contains(super::says::ALREADY_PROCESSED));
        assert!(events.contains(&format!("const VIEW_LIMIT: usize = {};", super::VIEW_LIMIT)));
        let processing = include_str!("../../../shared/src/usecases/stripe_events.rs");
        assert!(processing.contains(&format!("id.len() <= {}", super::EVENT_ID_MAX)));
        assert!(processing.contains(&format!("t.len() <= {}", super::EVENT_TYPE_MAX)));
        // The types `effects` matches, and only those.
        let arms = processing
            .split("match event.kind {")
            .nth(1)
            .and_then(|rest| rest.split("_ => Ok(Effects::none(").next())
            .expect("effects matches on the type");
        let mut matched: Vec<&str> = arms
            .split('"')
            .skip(1)
            .step_by(2)
            .filter(|literal| literal.contains('.') && !literal.contains(' '))
            .collect();
        matched.sort();
        matched.dedup();
        let mut handled = super::HANDLED.to_vec();
        handled.sort();
        assert_eq!(matched, handled);
    }

    #[test]
    fn every_parameter_is_described() {
        let doc = doc();
        let mut seen = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                for p in op["parameters"].as_array().into_iter().flatten() {
                    seen += 1;
                    assert!(
                        p["description"].as_str().is_some_and(|d| !d.is_empty()),
                        "{method} {path} {}",
                        p["name"]
                    );
                }
            }
        }
        // The signature header, 3 query parameters, and `id` on 2 operations.
        assert_eq!(seen, 6);
    }
}
