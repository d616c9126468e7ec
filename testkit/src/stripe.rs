//! A local stand-in for the Stripe API, for tests.
//!
//! A hand-written HTTP/1.1 server on 127.0.0.1 (one request per connection,
//! `Connection: close`) that speaks Stripe's wire format: form-encoded
//! requests with bracket names, `Authorization: Bearer sk_test_...`,
//! optional `Idempotency-Key`, JSON answers shaped like Stripe's objects and
//! errors. State lives in memory; the server stops when the [`FakeStripe`]
//! is dropped.
//!
//! Served: `POST /v1/customers`, `GET|DELETE /v1/customers/{id}`,
//! `POST /v1/checkout/sessions`, `GET /v1/checkout/sessions/{id}`,
//! `GET|POST|DELETE /v1/subscriptions/{id}`, `POST /v1/billing_portal/sessions`.
//! Unknown parameters answer Stripe's `parameter_unknown` 400, so a typo in a
//! bracket name fails a test instead of passing silently.

mod api;
mod http;
mod objects;
mod params;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

pub use api::DEFAULT_API_VERSION;
use api::{Injected, Outcome, State};
pub use objects::Interval;

/// One request as the fake received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub method: String,
    /// Without the query string.
    pub path: String,
    /// Decoded form pairs, query string first then body, in order, names
    /// as sent (`line_items[0][price]`).
    pub params: Vec<(String, String)>,
    pub idempotency_key: Option<String>,
    pub authorization: Option<String>,
    pub stripe_version: Option<String>,
}

impl Recorded {
    /// The last value of parameter `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The running fake. Test-control methods panic on misuse (an unknown id):
/// they are for tests, where that is the clearest failure.
pub struct FakeStripe {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    server: JoinHandle<()>,
}

impl FakeStripe {
    pub async fn start() -> FakeStripe {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("fake Stripe: bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("fake Stripe: local address");
        let state = Arc::new(Mutex::new(State::new()));
        let server = tokio::spawn(serve(listener, state.clone()));
        FakeStripe {
            addr,
            state,
            server,
        }
    }

    /// `http://127.0.0.1:PORT`, to use as the Stripe client's API base (the
    /// client adds `/v1/...`).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request received so far, in order (injected failures and hung
    /// requests included).
    pub fn requests(&self) -> Vec<Recorded> {
        self.lock().requests.clone()
    }

    /// The next `count` requests answer `status` with a Stripe error body
    /// (`api_error` for 5xx, `card_error` for 402, `rate_limit` for 429).
    /// Such answers are not kept for idempotent replay: a retry with the same
    /// key then succeeds, as after a real outage.
    pub fn fail_next(&self, status: u16, count: usize) {
        let mut state = self.lock();
        state
            .injected
            .extend(std::iter::repeat_n(Injected::Fail(status), count));
    }

    /// The next `count` requests are read and never answered; the
    /// connections stay open until the fake is dropped. Queued after any
    /// failures already queued.
    pub fn hang_next(&self, count: usize) {
        let mut state = self.lock();
        state
            .injected
            .extend(std::iter::repeat_n(Injected::Hang, count));
    }

    /// Makes `price_id` a recurring price of `unit_amount` (minor units) in
    /// `currency`, billed every `interval`. A price id never added is taken
    /// as 10.00 EUR a month.
    pub fn add_price(&self, price_id: &str, unit_amount: i64, currency: &str, interval: Interval) {
        self.lock()
            .add_price(price_id, unit_amount, currency, interval);
    }

    /// Moves the fake's clock (object and event timestamps) forward.
    pub fn advance_clock(&self, seconds: i64) {
        self.lock().advance_clock(seconds);
    }

    /// The fake's current unix time.
    pub fn now(&self) -> i64 {
        self.lock().now()
    }

    pub fn customer(&self, id: &str) -> Option<Value> {
        self.lock().customer(id)
    }

    pub fn subscription(&self, id: &str) -> Option<Value> {
        self.lock().subscription(id)
    }

    pub fn checkout_session(&self, id: &str) -> Option<Value> {
        self.lock().checkout_session(id)
    }

    /// Completes a checkout session as a successful payment would: creates
    /// the customer if the session had none and, in subscription mode, the
    /// subscription (`active`, or `trialing` with
    /// `subscription_data[trial_period_days]`; periods on its items, from now
    /// to now + the price's interval) and its first invoice, paid. Returns the
    /// events Stripe would send, in this order: `checkout.session.completed`,
    /// `customer.subscription.created`, `invoice.paid` (only the first in
    /// payment and setup modes). Stripe itself does not promise any order.
    ///
    /// Panics if the session is unknown or not open.
    pub fn complete_checkout(&self, session_id: &str) -> Vec<Value> {
        self.lock()
            .complete_checkout(session_id)
            .unwrap_or_else(|e| panic!("fake Stripe: {e}"))
    }

    /// The event for a later change to a subscription. `kind` is the event
    /// type, with or without its prefix:
    /// - `customer.subscription.created`: the subscription as it is.
    /// - `customer.subscription.updated`: as it is, with
    ///   `data.previous_attributes` holding the old values of what its latest
    ///   change (API update, renewal, failed payment...) changed.
    /// - `customer.subscription.deleted`: ends it now first if it is not
    ///   canceled yet (as at the end of a period set to cancel).
    /// - `invoice.paid` (also `renewed`): a renewal; the items' periods move
    ///   one interval on, status `active`, and the new invoice is paid.
    /// - `invoice.payment_failed`: a renewal whose payment failed; periods
    ///   move on, status `past_due`, the invoice stays `open`.
    ///
    /// Panics if the subscription is unknown, or for a renewal of a canceled
    /// one.
    pub fn subscription_event(&self, subscription_id: &str, kind: &str) -> Value {
        self.lock()
            .subscription_event(subscription_id, kind)
            .unwrap_or_else(|e| panic!("fake Stripe: {e}"))
    }

    /// `customer.created`, or `customer.deleted` (deleting the customer and
    /// canceling its subscriptions first if that has not happened through
    /// the API). Panics if the customer is unknown.
    pub fn customer_event(&self, customer_id: &str, kind: &str) -> Value {
        self.lock()
            .customer_event(customer_id, kind)
            .unwrap_or_else(|e| panic!("fake Stripe: {e}"))
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }
}

impl Drop for FakeStripe {
    fn drop(&mut self) {
        // Aborting the accept loop drops its JoinSet, which aborts every
        // connection task, hung ones included.
        self.server.abort();
    }
}

// A test that panicked while holding the lock must not turn every later
// call into a second panic.
fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn serve(listener: TcpListener, state: Arc<Mutex<State>>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    connections.spawn(connection(stream, state.clone()));
                }
            }
            // Reap finished connections so the set does not grow.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn connection(mut stream: TcpStream, state: Arc<Mutex<State>>) {
    let request = match http::read_request(&mut stream).await {
        Ok(request) => request,
        Err(Some(status)) => {
            let body = objects::error_body(
                "invalid_request_error",
                "The fake could not read this HTTP request.",
                None,
                None,
            );
            http::write_response(&mut stream, status, &[], &body.to_string()).await;
            return;
        }
        Err(None) => return,
    };
    // The lock is held only while computing the answer, never across I/O.
    let (outcome, request_id) = {
        let mut state = lock(&state);
        let outcome = state.handle(&request);
        (outcome, format!("req_{}", state.requests.len()))
    };
    match outcome {
        Outcome::Hang => std::future::pending::<()>().await,
        Outcome::Answer(reply) => {
            let mut headers = vec![("Request-Id", request_id)];
            if reply.replayed {
                headers.push(("Idempotent-Replayed", "true".to_owned()));
            }
            if reply.should_retry {
                headers.push(("Stripe-Should-Retry", "true".to_owned()));
            }
            http::write_response(&mut stream, reply.status, &headers, &reply.body.to_string())
                .await;
        }
    }
}
