//! The fake's state, and how a request is answered: recording, injected
//! failures, authentication, idempotent replays, routing. The endpoints
//! themselves are in `resources`, the events in `events`.

use std::collections::{HashMap, VecDeque};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use super::http::Request;
use super::objects::{self, Interval, Price};
use super::params::Params;
use super::Recorded;

mod events;
mod resources;

/// The API version stamped on events until a request says otherwise with a
/// `Stripe-Version` header (the newest in Stripe's OpenAPI repository when
/// this was written; the objects follow its fixtures).
pub const DEFAULT_API_VERSION: &str = "2026-08-26.dahlia";

/// A price the fake has not been told about bills this much, monthly.
const DEFAULT_UNIT_AMOUNT: i64 = 1000;
const DEFAULT_CURRENCY: &str = "eur";

const DAY: i64 = 24 * 3600;

#[derive(Debug, Clone)]
pub(super) struct ApiError {
    pub status: u16,
    pub kind: &'static str,
    pub message: String,
    pub param: Option<String>,
    pub code: Option<&'static str>,
}

impl ApiError {
    /// 400 `invalid_request_error`, for a bad parameter.
    pub fn invalid(message: String, param: &str, code: &'static str) -> ApiError {
        ApiError {
            status: 400,
            kind: "invalid_request_error",
            message,
            param: Some(param.to_owned()),
            code: Some(code),
        }
    }

    /// 400 for a value Stripe rejects without a specific error code (a bad
    /// boolean, a value outside an enum).
    pub fn invalid_value(message: String, param: &str) -> ApiError {
        ApiError {
            code: None,
            ..ApiError::invalid(message, param, "")
        }
    }

    /// `No such customer: 'cus_x'`: 404 for the object in the path, 400 for
    /// one named by a parameter.
    fn missing(status: u16, object: &str, id: &str, param: &str) -> ApiError {
        ApiError {
            status,
            kind: "invalid_request_error",
            message: format!("No such {object}: '{id}'"),
            param: Some(param.to_owned()),
            code: Some("resource_missing"),
        }
    }

    fn plain(status: u16, kind: &'static str, message: String, code: Option<&'static str>) -> Self {
        ApiError {
            status,
            kind,
            message,
            param: None,
            code,
        }
    }

    fn into_reply(self) -> Reply {
        let body = objects::error_body(self.kind, &self.message, self.param.as_deref(), self.code);
        Reply {
            status: self.status,
            body,
            // What Stripe tells clients that may retry on their own.
            should_retry: matches!(self.status, 409 | 429) || self.status >= 500,
            replayed: false,
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct Reply {
    pub status: u16,
    pub body: Value,
    pub should_retry: bool,
    pub replayed: bool,
}

pub(super) enum Outcome {
    Answer(Reply),
    /// Keep the connection open and never answer.
    Hang,
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Injected {
    Fail(u16),
    Hang,
}

/// A POST's first outcome, kept under its idempotency key.
struct Saved {
    method: String,
    path: String,
    params: Vec<(String, String)>,
    reply: Reply,
}

/// What a checkout session needs at completion beyond its public fields.
struct Session {
    object: Value,
    line_items: Vec<(String, u64)>,
    subscription_metadata: Map<String, Value>,
    trial_days: Option<u64>,
}

pub(super) struct State {
    pub requests: Vec<Recorded>,
    pub injected: VecDeque<Injected>,
    clock_offset: i64,
    api_version: String,
    id_seed: u64,
    id_count: u64,
    invoice_count: u64,
    prices: HashMap<String, Price>,
    customers: HashMap<String, Value>,
    /// Deleted customers as they were, for `customer.deleted`.
    deleted_customers: HashMap<String, Value>,
    sessions: HashMap<String, Session>,
    subscriptions: HashMap<String, Value>,
    /// The `previous_attributes` of each subscription's latest change.
    previous: HashMap<String, Value>,
    idempotent: HashMap<String, Saved>,
}

impl State {
    pub fn new() -> State {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        State {
            requests: Vec::new(),
            injected: VecDeque::new(),
            clock_offset: 0,
            api_version: DEFAULT_API_VERSION.to_owned(),
            id_seed: nanos,
            id_count: 0,
            invoice_count: 0,
            prices: HashMap::new(),
            customers: HashMap::new(),
            deleted_customers: HashMap::new(),
            sessions: HashMap::new(),
            subscriptions: HashMap::new(),
            previous: HashMap::new(),
            idempotent: HashMap::new(),
        }
    }

    // ---- test control ------------------------------------------------

    pub fn now(&self) -> i64 {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        real + self.clock_offset
    }

    pub fn advance_clock(&mut self, seconds: i64) {
        self.clock_offset += seconds;
    }

    pub fn add_price(&mut self, id: &str, unit_amount: i64, currency: &str, interval: Interval) {
        let product = self.id("prod");
        let created = self.now();
        self.prices.insert(
            id.to_owned(),
            Price {
                id: id.to_owned(),
                product,
                unit_amount,
                currency: currency.to_owned(),
                interval,
                created,
            },
        );
    }

    pub fn customer(&self, id: &str) -> Option<Value> {
        self.customers.get(id).cloned()
    }

    pub fn subscription(&self, id: &str) -> Option<Value> {
        self.subscriptions.get(id).cloned()
    }

    pub fn checkout_session(&self, id: &str) -> Option<Value> {
        self.sessions.get(id).map(|s| s.object.clone())
    }

    // ---- HTTP ----------------------------------------------------------

    pub fn handle(&mut self, request: &Request) -> Outcome {
        let (path, query) = request
            .target
            .split_once('?')
            .unwrap_or((request.target.as_str(), ""));
        let params = Params::parse(query, &request.body);
        self.requests.push(Recorded {
            method: request.method.clone(),
            path: path.to_owned(),
            params: params.0.clone(),
            idempotency_key: request.header("idempotency-key").map(str::to_owned),
            authorization: request.header("authorization").map(str::to_owned),
            stripe_version: request.header("stripe-version").map(str::to_owned),
        });

        // Injected behaviours stand for Stripe (or the network) failing, so
        // they come before anything Stripe would check.
        match self.injected.pop_front() {
            Some(Injected::Hang) => return Outcome::Hang,
            Some(Injected::Fail(status)) => return Outcome::Answer(injected_error(status)),
            None => {}
        }
        if !authorized(request.header("authorization")) {
            return Outcome::Answer(
                ApiError::plain(
                    401,
                    "invalid_request_error",
                    "Invalid API Key provided: expected `Authorization: Bearer sk_test_...`"
                        .to_owned(),
                    None,
                )
                .into_reply(),
            );
        }
        if let Some(version) = request.header("stripe-version") {
            self.api_version = version.to_owned();
        }

        // Stripe keys only POSTs; GET and DELETE are idempotent anyway.
        let key = (request.method == "POST")
            .then(|| request.header("idempotency-key"))
            .flatten()
            .map(str::to_owned);
        if let Some(key) = &key {
            if let Some(saved) = self.idempotent.get(key) {
                return Outcome::Answer(replay(saved, &request.method, path, &params));
            }
        }

        let reply = match self.route(&request.method, path, &params) {
            Ok(body) => Reply {
                status: 200,
                body,
                should_retry: false,
                replayed: false,
            },
            Err(error) => error.into_reply(),
        };
        // Stripe keeps the outcome of any request that began executing; a
        // request refused by parameter validation (our 400s) did not.
        if let Some(key) = key {
            if reply.status != 400 {
                self.idempotent.insert(
                    key,
                    Saved {
                        method: request.method.clone(),
                        path: path.to_owned(),
                        params: params.0.clone(),
                        reply: reply.clone(),
                    },
                );
            }
        }
        Outcome::Answer(reply)
    }

    fn route(&mut self, method: &str, path: &str, p: &Params) -> Result<Value, ApiError> {
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        match (method, segments.as_slice()) {
            ("POST", ["v1", "customers"]) => self.create_customer(p),
            ("GET", ["v1", "customers", id]) if !id.is_empty() => {
                only_expand(p)?;
                self.get_customer(id)
            }
            ("DELETE", ["v1", "customers", id]) if !id.is_empty() => {
                only_expand(p)?;
                self.delete_customer(id)
            }
            ("POST", ["v1", "checkout", "sessions"]) => self.create_checkout(p),
            ("GET", ["v1", "checkout", "sessions", id]) if !id.is_empty() => {
                only_expand(p)?;
                self.sessions
                    .get(*id)
                    .map(|s| s.object.clone())
                    .ok_or_else(|| ApiError::missing(404, "checkout.session", id, "id"))
            }
            ("POST", ["v1", "checkout", "sessions", id, "expire"]) if !id.is_empty() => {
                let session = self
                    .sessions
                    .get_mut(*id)
                    .ok_or_else(|| ApiError::missing(404, "checkout.session", id, "id"))?;
                if session.object["status"] != "open" {
                    return Err(ApiError::plain(
                        400,
                        "invalid_request_error",
                        "Only Checkout Sessions with a status in [\"open\"] can be expired.".into(),
                        None,
                    ));
                }
                session.object["status"] = Value::from("expired");
                session.object["url"] = Value::Null;
                Ok(session.object.clone())
            }
            ("GET", ["v1", "subscriptions", id]) if !id.is_empty() => {
                only_expand(p)?;
                self.subscriptions
                    .get(*id)
                    .cloned()
                    .ok_or_else(|| ApiError::missing(404, "subscription", id, "id"))
            }
            ("POST", ["v1", "subscriptions", id]) if !id.is_empty() => {
                self.update_subscription(id, p)
            }
            ("DELETE", ["v1", "subscriptions", id]) if !id.is_empty() => {
                self.cancel_subscription(id, p)
            }
            ("POST", ["v1", "billing_portal", "sessions"]) => self.create_portal_session(p),
            _ => Err(ApiError::plain(
                404,
                "invalid_request_error",
                format!(
                    "Unrecognized request URL ({method}: {path}). This fake Stripe serves only \
                     the endpoints AutoTrack uses."
                ),
                None,
            )),
        }
    }

    /// Applies `change` to a stored subscription, remembering what it
    /// changed for the next `customer.subscription.updated` event.
    fn change_subscription(&mut self, id: &str, change: impl FnOnce(&mut Value)) -> Value {
        let Some(sub) = self.subscriptions.get_mut(id) else {
            return Value::Null;
        };
        let old = sub.clone();
        change(sub);
        let new = sub.clone();
        let previous = objects::previous_attributes(&old, &new);
        if previous.as_object().is_some_and(|m| !m.is_empty()) {
            self.previous.insert(id.to_owned(), previous);
        }
        new
    }

    // ---- helpers ---------------------------------------------------------

    /// A known price, or a monthly default one for an id never added (the
    /// fake takes any price id, as a test may not care about amounts).
    fn price(&mut self, id: &str) -> Price {
        if !self.prices.contains_key(id) {
            self.add_price(id, DEFAULT_UNIT_AMOUNT, DEFAULT_CURRENCY, Interval::Month);
        }
        self.prices[id].clone()
    }

    fn new_invoice(&mut self, id: &str, sub: &Value, reason: &str, paid: bool) -> Value {
        self.invoice_count += 1;
        let customer_id = sub["customer"].as_str().unwrap_or_default();
        let email = self
            .customers
            .get(customer_id)
            .and_then(|c| c["email"].as_str());
        let number = format!("FAKE-{:04}", self.invoice_count);
        objects::invoice(objects::NewInvoice {
            id,
            number: &number,
            created: self.now(),
            customer: customer_id,
            customer_email: email,
            subscription: sub,
            billing_reason: reason,
            paid,
        })
    }

    fn event(&mut self, kind: &str, object: Value, previous: Option<Value>) -> Value {
        let id = self.id("evt");
        objects::event(&id, self.now(), &self.api_version, kind, object, previous)
    }

    /// `prefix_` and 14 characters, unique within this fake, Stripe-like.
    fn id(&mut self, prefix: &str) -> String {
        format!("{prefix}_{}", self.id_chars())
    }

    fn id_chars(&mut self) -> String {
        const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        self.id_count += 1;
        // splitmix64 is a bijection of its input: distinct counts give
        // distinct values, and 14 base-62 digits hold any u64.
        let mut z = self
            .id_seed
            .wrapping_add(self.id_count.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (0..14)
            .map(|_| {
                let c = ALPHABET[(z % 62) as usize];
                z /= 62;
                char::from(c)
            })
            .collect()
    }
}

/// Stripe's test keys only: a live key reaching the fake is a bug worth a
/// loud 401.
fn authorized(header: Option<&str>) -> bool {
    header
        .and_then(|h| h.strip_prefix("Bearer "))
        .and_then(|key| key.strip_prefix("sk_test_"))
        .is_some_and(|rest| !rest.is_empty())
}

fn injected_error(status: u16) -> Reply {
    let (kind, code, message) = match status {
        402 => (
            "card_error",
            Some("card_declined"),
            "Your card was declined.",
        ),
        409 => (
            "invalid_request_error",
            Some("lock_timeout"),
            "This object cannot be accessed right now because another API request or Stripe process is currently accessing it.",
        ),
        429 => (
            "invalid_request_error",
            Some("rate_limit"),
            "Request rate limit exceeded.",
        ),
        s if s >= 500 => (
            "api_error",
            None,
            "An unknown error occurred (injected by the fake).",
        ),
        _ => (
            "invalid_request_error",
            None,
            "Injected failure (fake Stripe).",
        ),
    };
    ApiError::plain(status, kind, message.to_owned(), code).into_reply()
}

fn replay(saved: &Saved, method: &str, path: &str, params: &Params) -> Reply {
    if saved.method != method || saved.path != path || saved.params != params.0 {
        return ApiError::plain(
            400,
            "idempotency_error",
            "Keys for idempotent requests can only be used with the same parameters they were \
             first used with."
                .to_owned(),
            Some("idempotency_key_in_use"),
        )
        .into_reply();
    }
    Reply {
        replayed: true,
        ..saved.reply.clone()
    }
}

fn only_expand(p: &Params) -> Result<(), ApiError> {
    p.only(&["expand[]", "expand[N]"])
}

fn check_url(p: &Params, name: &str) -> Result<(), ApiError> {
    match non_empty(p.get(name)) {
        Some(url) if !(url.starts_with("https://") || url.starts_with("http://")) => Err(
            ApiError::invalid("Not a valid URL".to_owned(), name, "url_invalid"),
        ),
        _ => Ok(()),
    }
}

/// Stripe reads an empty form value as "not given".
fn non_empty(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.is_empty())
}

fn item_interval(item: &Value) -> Interval {
    match item["price"]["recurring"]["interval"].as_str() {
        Some("year") => Interval::Year,
        _ => Interval::Month,
    }
}

/// Ends a subscription now (API cancel, customer deleted, or the period end
/// of a subscription set to cancel).
fn end_now(sub: &mut Value, now: i64) {
    sub["status"] = "canceled".into();
    sub["ended_at"] = now.into();
    if sub["canceled_at"].is_null() {
        sub["canceled_at"] = now.into();
    }
    if sub["cancellation_details"]["reason"].is_null() {
        sub["cancellation_details"]["reason"] = "cancellation_requested".into();
    }
}
