//! The fake Stripe API over real HTTP, with a tiny hand-written client, and
//! its events through the webhook signature check.

use std::time::Duration;

use serde_json::Value;
use shared::stripe::signature;
use testkit::stripe::{FakeStripe, Interval, DEFAULT_API_VERSION};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const KEY: &str = "sk_test_fake123";

type Form<'a> = &'a [(&'a str, &'a str)];

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Value,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn error_code(&self) -> Option<&str> {
        self.body["error"]["code"].as_str()
    }
}

/// One request per connection, as the fake serves them.
struct Client {
    addr: String,
    authorization: Option<String>,
    stripe_version: Option<String>,
}

impl Client {
    fn new(fake: &FakeStripe) -> Client {
        Client {
            addr: fake
                .base_url()
                .strip_prefix("http://")
                .expect("http base URL")
                .to_owned(),
            authorization: Some(format!("Bearer {KEY}")),
            stripe_version: None,
        }
    }

    fn with_authorization(mut self, value: Option<&str>) -> Client {
        self.authorization = value.map(str::to_owned);
        self
    }

    async fn get(&self, path: &str) -> Response {
        self.send("GET", path, &[], None).await
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.send("POST", path, form, None).await
    }

    async fn delete(&self, path: &str) -> Response {
        self.send("DELETE", path, &[], None).await
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        form: &[(&str, &str)],
        idempotency_key: Option<&str>,
    ) -> Response {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            self.addr,
            body.len()
        );
        if let Some(auth) = &self.authorization {
            head.push_str(&format!("Authorization: {auth}\r\n"));
        }
        if let Some(version) = &self.stripe_version {
            head.push_str(&format!("Stripe-Version: {version}\r\n"));
        }
        if let Some(key) = idempotency_key {
            head.push_str(&format!("Idempotency-Key: {key}\r\n"));
        }
        head.push_str("\r\n");
        raw(&self.addr, format!("{head}{body}").as_bytes()).await
    }
}

async fn raw(addr: &str, bytes: &[u8]) -> Response {
    let mut stream = TcpStream::connect(addr).await.expect("connect to fake");
    stream.write_all(bytes).await.expect("send request");
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await.expect("read response");
    let text = String::from_utf8(out).expect("UTF-8 response");
    let (head, body) = text.split_once("\r\n\r\n").expect("response head");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect::<Vec<_>>();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .expect("content-length");
    assert_eq!(length, body.len(), "Content-Length matches the body");
    let body = serde_json::from_str(body).expect("JSON body");
    Response {
        status,
        headers,
        body,
    }
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("{key} in {v}"))
}

async fn customer(client: &Client, email: &str) -> String {
    let r = client
        .post(
            "/v1/customers",
            &[("email", email), ("metadata[user_id]", "u1")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    str_of(&r.body, "id").to_owned()
}

/// A checkout session for `price`, completed; returns (customer, subscription, events).
async fn subscribed(
    fake: &FakeStripe,
    client: &Client,
    price: &str,
) -> (String, String, Vec<Value>) {
    let cus = customer(client, "owner@example.test").await;
    let r = client
        .post(
            "/v1/checkout/sessions",
            &[
                ("mode", "subscription"),
                ("customer", &cus),
                ("line_items[0][price]", price),
                ("line_items[0][quantity]", "1"),
                ("success_url", "https://app.test/ok"),
                ("cancel_url", "https://app.test/cancel"),
                ("subscription_data[metadata][user_id]", "u1"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let events = fake.complete_checkout(str_of(&r.body, "id"));
    let sub = str_of(&events[1]["data"]["object"], "id").to_owned();
    (cus, sub, events)
}

// ---- customers ---------------------------------------------------------

#[tokio::test]
async fn customers_create_get_delete() {
    let fake = FakeStripe::start().await;
    let client = Client::new(&fake);

    let r = client
        .post(
            "/v1/customers",
            &[
                ("email", "a+b@example.test"),
                ("name", "Jean Dupont"),
                ("metadata[user_id]", "42"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let id = str_of(&r.body, "id").to_owned();
    assert!(id.starts_with("cus_") && id.len() == 18, "{id}");
    assert_eq!(r.body["object"], "customer");
    assert_eq!(r.body["email"], "a+b@example.test");
    assert_eq!(r.body["name"], "Jean Dupont");
    assert_eq!(r.body["metadata"]["user_id"], "42");
    assert_eq!(r.body["livemode"], false);
    assert!(r.body["created"].as_i64().unwrap() >= fake.now() - 5);
    assert!(r.header("Request-Id").unwrap().starts_with("req_"));

    let got = client.get(&format!("/v1/customers/{id}")).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body, r.body);

    let deleted = client.delete(&format!("/v1/customers/{id}")).await;
    assert_eq!(deleted.status, 200);
    assert_eq!(
        deleted.body,
        serde_json::json!({"id": id, "object": "customer", "deleted": true})
    );
    // Stripe still answers GET for a deleted customer, with the stub.
    let after = client.get(&format!("/v1/customers/{id}")).await;
    assert_eq!(after.status, 200);
    assert_eq!(after.body["deleted"], true);
    let again = client.delete(&format!("/v1/customers/{id}")).await;
    assert_eq!(again.status, 404);

    // What the fake saw, names and values decoded.
    let requests = fake.requests();
    assert_eq!(requests.len(), 5);
    assert_eq!(requests[0].method, "POST");
    assert_eq!(requests[0].path, "/v1/customers");
    assert_eq!(requests[0].param("email"), Some("a+b@example.test"));
    assert_eq!(requests[0].param("metadata[user_id]"), Some("42"));
    assert_eq!(
        requests[0].authorization.as_deref(),
        Some("Bearer sk_test_fake123")
    );
    assert_eq!(requests[0].idempotency_key, None);
}

#[tokio::test]
async fn unknown_customer_is_resource_missing() {
    let fake = FakeStripe::start().await;
    let r = Client::new(&fake).get("/v1/customers/cus_nope").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.body["error"]["type"], "invalid_request_error");
    assert_eq!(r.body["error"]["code"], "resource_missing");
    assert_eq!(r.body["error"]["param"], "id");
    assert_eq!(r.body["error"]["message"], "No such customer: 'cus_nope'");
}

#[tokio::test]
async fn customer_validation() {
    let fake = FakeStripe::start().await;
    let client = Client::new(&fake);
    let r = client
        .post("/v1/customers", &[("email", "not-an-email")])
        .await;
    assert_eq!((r.status, r.error_code()), (400, Some("email_invalid")));
    let r = client.post("/v1/customers", &[("emial", "a@b.test")]).await;
    assert_eq!((r.status, r.error_code()), (400, Some("parameter_unknown")));
    assert_eq!(r.body["error"]["param"], "emial");
    assert_eq!(
        r.body["error"]["message"],
        "Received unknown parameter: emial"
    );
}

// ---- authentication ------------------------------------------------------

#[tokio::test]
async fn only_test_keys_are_accepted() {
    let fake = FakeStripe::start().await;
    for auth in [
        None,
        Some("Bearer sk_live_123"),
        Some("Bearer sk_test_"),
        Some("Basic c2tfdGVzdF8xMjM6"),
        Some("sk_test_123"),
        Some("Bearer rk_test_123"),
    ] {
        let client = Client::new(&fake).with_authorization(auth);
        let r = client.post("/v1/customers", &[]).await;
        assert_eq!(r.status, 401, "{auth:?}");
        assert_eq!(r.body["error"]["type"], "invalid_request_error");
    }
    let r = Client::new(&fake).post("/v1/customers", &[]).await;
    assert_eq!(r.status, 200);
}

// ---- checkout ------------------------------------------------------------

#[tokio::test]
async fn checkout_session_in_subscription_mode() {
    let fake = FakeStripe::start().await;
    let client = Client::new(&fake);
    fake.add_price("price_standard_month", 999, "eur", Interval::Month);
    let cus = customer(&client, "owner@example.test").await;

    let r = client
        .post(
            "/v1/checkout/sessions",
            &[
                ("mode", "subscription"),
                ("customer", &cus),
                ("line_items[0][price]", "price_standard_month"),
                ("line_items[0][quantity]", "1"),
                (
                    "success_url",
                    "https://app.test/ok?session_id={CHECKOUT_SESSION_ID}",
                ),
                ("cancel_url", "https://app.test/cancel"),
                ("client_reference_id", "u1"),
                ("metadata[user_id]", "u1"),
                ("subscription_data[metadata][user_id]", "u1"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let s = &r.body;
    let id = str_of(s, "id");
    assert!(id.starts_with("cs_test_a1"), "{id}");
    assert_eq!(s["object"], "checkout.session");
    assert_eq!(s["url"], format!("https://checkout.stripe.test/c/pay/{id}"));
    assert_eq!(s["status"], "open");
    assert_eq!(s["payment_status"], "unpaid");
    assert_eq!(s["mode"], "subscription");
    assert_eq!(s["customer"], cus.as_str());
    assert_eq!(s["subscription"], Value::Null);
    assert_eq!(s["client_reference_id"], "u1");
    assert_eq!(s["metadata"]["user_id"], "u1");
    assert_eq!(s["amount_total"], 999);
    assert_eq!(s["currency"], "eur");
    assert_eq!(
        s["success_url"],
        "https://app.test/ok?session_id={CHECKOUT_SESSION_ID}"
    );

    let got = client.get(&format!("/v1/checkout/sessions/{id}")).await;
    assert_eq!(got.body, r.body);

    let seen = fake.requests().pop().unwrap();
    assert_eq!(seen.method, "GET");
    let create = &fake.requests()[1];
    assert_eq!(
        create.param("line_items[0][price]"),
        Some("price_standard_month")
    );
    assert_eq!(
        create.param("subscription_data[metadata][user_id]"),
        Some("u1")
    );
}

#[tokio::test]
async fn checkout_validation() {
    let fake = FakeStripe::start().await;
    let client = Client::new(&fake);
    // (form, expected error code, expected param)
    let cases: &[(Form, &str, &str)] = &[
        (
            &[("line_items[0][price]", "price_1")],
            "parameter_missing",
            "mode",
        ),
        (&[("mode", "rental")], "", "mode"),
        (
            &[("mode", "subscription")],
            "parameter_missing",
            "line_items",
        ),
        (
            &[
                ("mode", "subscription"),
                ("customer", "cus_missing"),
                ("line_items[0][price]", "p"),
            ],
            "resource_missing",
            "customer",
        ),
        (
            &[
                ("mode", "subscription"),
                ("customer", "CUSTOMER"),
                ("customer_email", "x@example.test"),
                ("line_items[0][price]", "p"),
            ],
            "parameters_exclusive",
            "customer_email",
        ),
        (
            &[("mode", "subscription"), ("line_items[0][prices]", "p")],
            "parameter_unknown",
            "line_items[0][prices]",
        ),
        (
            &[("mode", "subscription"), ("line_items[0][quantity]", "2")],
            "parameter_missing",
            "line_items[0][price]",
        ),
        (
            &[
                ("mode", "subscription"),
                ("line_items[0][price]", "p"),
                ("line_items[0][quantity]", "0"),
            ],
            "parameter_invalid_integer",
            "line_items[0][quantity]",
        ),
        (
            &[
                ("mode", "subscription"),
                ("line_items[0][price]", "p"),
                ("success_url", "app.test/ok"),
            ],
            "url_invalid",
            "success_url",
        ),
    ];
    let cus = customer(&client, "v@example.test").await;
    for (form, code, param) in cases {
        // "CUSTOMER" stands for a customer that exists.
        let form: Vec<(&str, &str)> = form
            .iter()
            .map(|&(k, v)| (k, if v == "CUSTOMER" { cus.as_str() } else { v }))
            .collect();
        let r = client.post("/v1/checkout/sessions", &form).await;
        assert_eq!(r.status, 400, "{form:?}: {}", r.body);
        // "" = no code, as Stripe for a value outside an enum.
        let want = (!code.is_empty()).then_some(*code);
        assert_eq!(r.error_code(), want, "{form:?}: {}", r.body);
        assert_eq!(r.body["error"]["param"], *param, "{form:?}");
    }
    let r = client.get("/v1/checkout/sessions/cs_test_nope").await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn completing_checkout_yields_stripe_events() {
    let fake = FakeStripe::start().await;
    let client = Client::new(&fake);
    fake.add_price("price_premium_year", 19900, "eur", Interval::Year);
    let (cus, sub_id, events) = subscribed(&fake, &client, "price_premium_year").await;

    let types: Vec<&str> = events.iter().map(|e| str_of(e, "type")).collect();
    assert_eq!(
        types,
        [
            "checkout.session.completed",
            "customer.subscription.created",
            "invoice.paid"
        ]
    );
    for e in &events {
        assert!(str_of(e, "id").starts_with("evt_"));
        assert_eq!(e["object"], "event");
        assert_eq!(e["api_version"], DEFAULT_API_VERSION);
        assert_eq!(e["livemode"], false);
        assert!(e["created"].as_i64().unwrap() >= fake.now() - 5);
    }
    let ids: std::collections::HashSet<&str> = events.iter().map(|e| str_of(e, "id")).collect();
    assert_eq!(ids.len(), 3);

    let session = &events[0]["data"]["object"];
    assert_eq!(session["status"], "complete");
    assert_eq!(session["payment_status"], "paid");
    assert_eq!(session["subscription"], sub_id.as_str());
    assert_eq!(session["customer"], cus.as_str());

    let sub = &events[1]["data"]["object"];
    assert_eq!(sub["object"], "subscription");
    assert_eq!(sub["status"], "active");
    assert_eq!(sub["customer"], cus.as_str());
    assert_eq!(sub["cancel_at_period_end"], false);
    assert_eq!(sub["metadata"]["user_id"], "u1");
    // Periods live on the items in recent API versions; yearly price.
    assert!(sub.get("current_period_end").is_none());
    let item = &sub["items"]["data"][0];
    assert!(str_of(item, "id").starts_with("si_"));
    assert_eq!(item["price"]["id"], "price_premium_year");
    assert_eq!(item["price"]["recurring"]["interval"], "year");
    let start = item["current_period_start"].as_i64().unwrap();
    let end = item["current_period_end"].as_i64().unwrap();
    assert!(
        (365 * 86400..=366 * 86400).contains(&(end - start)),
        "{start}..{end}"
    );

    let invoice = &events[2]["data"]["object"];
    assert!(str_of(invoice, "id").starts_with("in_"));
    assert_eq!(invoice["status"], "paid");
    assert_eq!(invoice["customer"], cus.as_str());
    assert_eq!(invoice["amount_paid"], 19900);
    assert_eq!(invoice["billing_reason"], "subscription_create");
    assert_eq!(
        invoice["parent"]["subscription_details"]["subscription"],
        sub_id.as_str()
    );
    let line = &invoice["lines"]["data"][0];
    assert_eq!(line["amount"], 19900);
    assert_eq!(line["period"]["end"], end);
    assert_eq!(
        line["pricing"]["price_details"]["price"],
        "price_premium_year"
    );
    assert_eq!(
        line["parent"]["subscription_item_details"]["subscription"],
        sub_id.as_str()
    );
    assert_eq!(sub["latest_invoice"], invoice["id"]);

    // The API agrees with the events.
    let got = client.get(&format!("/v1/subscriptions/{sub_id}")).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body, *sub);
    assert_eq!(
        fake.checkout_session(str_of(session, "id")).unwrap(),
        *session
    );
}

#[tokio::test]
#[should_panic(expected = "not open")]
async fn a_session_completes_once() {
    let fake = FakeStripe::start().await;
    let client = Client::new(&fake);
    let (_, _, events) = subscribed(&fake, &client, "price_x").await;
    fake.complete_checkout(str_of(&events[0]["data"]["object"], "id"));
}

#[tokio::test]
async fn checkout_without_customer_creates_one_and_monthly_default() {
    let fake = FakeStripe::start().await;
    let client = Client::new(&fake);
    let r = client
        .post(
            "/v1/checkout/sessions",
            &[
                ("mode", "subscription"),
                ("customer_email", "new@example.test"),
                ("line_items[0][price]", "price_unknown_to_fake"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["customer"], Value::Null);
    let events = fake.complete_checkout(str_of(&r.body, "id"));
    let cus = str_of(&events[0]["data"]["object"], "customer");
    assert_eq!(fake.customer(cus).unwrap()["email"], "new@example.test");
    let item = &events[1]["data"]["object"]["items"]["data"][0];
    assert_eq!(item["price"]["recurring"]["interval"], "month");
    assert_eq!(item["price"]["unit_amount"], 1000);
    let days = (item["current_period_end"].as_i64().unwrap()
        - item["current_period_start"].as_i64().unwrap())
        / 86400;
    assert!((28..=31).contains(&days), "{days}");
}

#[tokio::test]
async fn trial_checkout_is_trialing() {
    let fake = FakeStripe::start().await;
    let client = Client::new(&fake);
    let cus = customer(&client, "t@example.test").await;
    let r = client
        .post(
            "/v1/checkout/sessions",
            &[
                ("mode", "subscription"),
                ("customer", &cus),
                ("line_items[0][price]", "price_1"),
                ("subscription_data[trial_period_days]", "14"),
            ],
        )
        .await;
    let events = fake.complete_checkout(str_of(&r.body, "id"));
    let sub = &events[1]["data"]["object"];
    assert_eq!(sub["status"], "trialing");
    assert_eq!(
        sub["trial_end"].as_i64().unwrap() - sub["trial_start"].as_i64().unwrap(),
        14 * 86400
    );
}

// ---- subscriptions ---------------------------------------------------------

#[tokio::test]
async fn cancel_at_period_end_and_back() {
    let fake = FakeStripe::start().await;
    let client = Client::new(&fake);
    let (_, sub_id, _) = subscribed(&fake, &client, "price_m").await;
    let path = format!("/v1/subscriptions/{sub_id}");

    let r = client
        .post(&path, &[("cancel_at_period_end", "true")])
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["cancel_at_period_end"], true);
    assert_eq!(r.body["status"], "active");
    assert_eq!(
        r.body["cancel_at"],
        r.body["items"]["data"][0]["current_period_end"]
    );
    assert!(r.body["canceled_at"].is_i64());

    let event = fake.subscription_event(&sub_id, "customer.subscription.updated");
    assert_eq!(event["type"], "customer.subscription.updated");
    assert_eq!(event["data"]["object"], r.body);
    let previous = &event["data"]["previous_attributes"];
    assert_eq!(previous["cancel_at_period_end"], false);
    assert_eq!(previous["cancel_at"], Value::Null);
    assert!(previous.get("status").is_none(), "{previous}");

    let r = client
        .post(&path, &[("cancel_at_period_end", "false")])
        .await;
    assert_eq!(r.body["cancel_at_period_end"], false);
    assert_eq!(r.body["cancel_at"], Value::Null);
    let event = fake.subscription_event(&sub_id, "updated");
    assert_eq!(
        event["data"]["previous_attributes"]["cancel_at_period_end"],
        true
    );

    let r = client.post(&path, &[("cancel_at_period_end", "yes")]).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["error"]["param"], "cancel_at_period_end");
    assert_eq!(r.body["error"]["message"], "Invalid boolean: yes");
}

#[tokio::test]
async fn change_plan_through_items() {
    let fake = FakeStripe::start().await;
    let client = Client::new(&fake);
    fake.add_price("price_standard_month", 999, "eur", Interval::Month);
    fake.add_price("price_premium_month", 1999, "eur", Interval::Month);
    fake.add_price("price_premium_year", 19900, "eur", Interval::Year);
    let (_, sub_id, events) = subscribed(&fake, &client, "price_standard_month").await;
    let item = events[1]["data"]["object"]["items"]["data"][0].clone();
    let item_id = str_of(&item, "id");
    let path = format!("/v1/subscriptions/{sub_id}");

    // Same interval: price swapped on the same item, period kept.
    fake.advance_clock(3600);
    let r = client
        .post(
            &path,
            &[
                ("items[0][id]", item_id),
                ("items[0][price]", "price_premium_month"),
                ("proration_behavior", "create_prorations"),
                ("metadata[plan]", "premium"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let new_item = &r.body["items"]["data"][0];
    assert_eq!(new_item["id"], item_id);
    assert_eq!(new_item["price"]["id"], "price_premium_month");
    assert_eq!(new_item["current_period_end"], item["current_period_end"]);
    assert_eq!(r.body["metadata"]["plan"], "premium");
    assert_eq!(r.body["metadata"]["user_id"], "u1");
    let previous = &fake.subscription_event(&sub_id, "updated")["data"]["previous_attributes"];
    assert_eq!(
        previous["items"]["data"][0]["price"]["id"],
        "price_standard_month"
    );
    assert!(previous["metadata"].get("plan").is_none());

    // Monthly to yearly: the cycle restarts now.
    let r = client
        .post(
            &path,
            &[
                ("items[0][id]", item_id),
                ("items[0][price]", "price_premium_year"),
            ],
        )
        .await;
    let new_item = &r.body["items"]["data"][0];
    assert_eq!(new_item["current_period_start"], fake.now());
    assert_eq!(r.body["billing_cycle_anchor"], fake.now());

    // Errors as Stripe's.
    let r = client
        .post(
            &path,
            &[("items[0][id]", "si_nope"), ("items[0][price]", "p")],
        )
        .await;
    assert_eq!((r.status, r.error_code()), (400, Some("resource_missing")));
    assert_eq!(r.body["error"]["param"], "items[0][id]");
    let r = client
        .post(&path, &[("proration_behavior", "sometimes")])
        .await;
    assert_eq!(r.status, 400);
    let r = client
        .post("/v1/subscriptions/sub_nope", &[("metadata[a]", "b")])
        .await;
    assert_eq!((r.status, r.error_code()), (404, Some("resource_missing")));
    let r = client.get("/v1/subscriptions/sub_nope").await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn cancel_now_and_deleted_event() {
    let fake = FakeStripe::start().await;
    let client = Client::new(&fake);
    let (_, sub_id, _) = subscribed(&fake, &client, "price_m").await;
    let path = format!("/v1/subscriptions/{sub_id}");

    let r = client.delete(&path).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "canceled");
    assert!(r.body["ended_at"].is_i64());
    assert!(r.body["canceled_at"].is_i64());

    let event = fake.subscription_event(&sub_id, "customer.subscription.deleted");
    assert_eq!(event["type"], "customer.subscription.deleted");
    assert_eq!(event["data"]["object"]["status"], "canceled");

    // A canceled subscription only takes metadata.
    let r = client
        .post(&path, &[("cancel_at_period_end", "false")])
        .await;
    assert_eq!(
        (r.status, r.error_code()),
        (400, Some("invalid_canceled_subscription_fields"))
    );
    let r = client.post(&path, &[("metadata[note]", "gone")]).await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn deleted_event_ends_a_live_subscription() {
    let fake = FakeStripe::start().await;
    let client = Client::new(&fake);
    let (_, sub_id, _) = subscribed(&fake, &client, "price_m").await;
    client
        .post(
            &format!("/v1/subscriptions/{sub_id}"),
            &[("cancel_at_period_end", "true")],
        )
        .await;
    // The period ends: Stripe cancels and says so.
    let event = fake.subscription_event(&sub_id, "deleted");
    assert_eq!(event["data"]["object"]["status"], "canceled");
    assert_eq!(fake.subscription(&sub_id).unwrap()["status"], "canceled");
}

#[tokio::test]
async fn payment_failure_then_recovery() {
    let fake = FakeStripe::start().await;
    let client = Client::new(&fake);
    let (cus, sub_id, events) = subscribed(&fake, &client, "price_m").await;
    let first_end = events[1]["data"]["object"]["items"]["data"][0]["current_period_end"].clone();

    fake.advance_clock(31 * 86400);
    let failed = fake.subscription_event(&sub_id, "invoice.payment_failed");
    assert_eq!(failed["type"], "invoice.payment_failed");
    let invoice = &failed["data"]["object"];
    assert_eq!(invoice["status"], "open");
    assert_eq!(invoice["amount_paid"], 0);
    assert_eq!(invoice["amount_due"], 1000);
    assert_eq!(invoice["customer"], cus.as_str());
    assert_eq!(invoice["customer_email"], "owner@example.test");
    assert_eq!(invoice["billing_reason"], "subscription_cycle");
    assert!(invoice["next_payment_attempt"].is_i64());
    assert_eq!(
        invoice["parent"]["subscription_details"]["subscription"],
        sub_id.as_str()
    );

    let sub = fake.subscription(&sub_id).unwrap();
    assert_eq!(sub["status"], "past_due");
    assert_eq!(sub["items"]["data"][0]["current_period_start"], first_end);
    let updated = fake.subscription_event(&sub_id, "updated");
    assert_eq!(updated["data"]["previous_attributes"]["status"], "active");
    assert_eq!(updated["data"]["object"]["status"], "past_due");

    let paid = fake.subscription_event(&sub_id, "invoice.paid");
    assert_eq!(paid["data"]["object"]["status"], "paid");
    assert_eq!(fake.subscription(&sub_id).unwrap()["status"], "active");
    // Event times follow the fake's clock, so later events sort later.
    assert!(paid["created"].as_i64() >= failed["created"].as_i64());
    assert!(failed["created"].as_i64().unwrap() > events[2]["created"].as_i64().unwrap());
}

#[tokio::test]
async fn deleting_a_customer_cancels_its_subscriptions() {
    let fake = FakeStripe::start().await;
    let client = Client::new(&fake);
    let (cus, sub_id, _) = subscribed(&fake, &client, "price_m").await;
    client.delete(&format!("/v1/customers/{cus}")).await;
    assert_eq!(fake.subscription(&sub_id).unwrap()["status"], "canceled");
    let event = fake.customer_event(&cus, "customer.deleted");
    assert_eq!(event["type"], "customer.deleted");
    assert_eq!(event["data"]["object"]["email"], "owner@example.test");
}

// ---- billing portal ----------------------------------------------------------

#[tokio::test]
async fn billing_portal_session() {
    let fake = FakeStripe::start().await;
    let client = Client::new(&fake);
    let cus = customer(&client, "p@example.test").await;
    let r = client
        .post(
            "/v1/billing_portal/sessions",
            &[
                ("customer", &cus),
                ("return_url", "https://app.test/account"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(str_of(&r.body, "id").starts_with("bps_"));
    assert_eq!(r.body["object"], "billing_portal.session");
    assert_eq!(r.body["customer"], cus.as_str());
    assert_eq!(r.body["return_url"], "https://app.test/account");
    assert!(str_of(&r.body, "url").starts_with("https://billing.stripe.test/p/session/"));

    let r = client.post("/v1/billing_portal/sessions", &[]).await;
    assert_eq!((r.status, r.error_code()), (400, Some("parameter_missing")));
    let r = client
        .post("/v1/billing_portal/sessions", &[("customer", "cus_nope")])
        .await;
    assert_eq!((r.status, r.error_code()), (400, Some("resource_missing")));
}

// ---- idempotency -------------------------------------------------------------

#[tokio::test]
async fn idempotency_keys_replay() {
    let fake = FakeStripe::start().await;
    let client = Client::new(&fake);
    let form = [("email", "i@example.test")];

    let first = client
        .send("POST", "/v1/customers", &form, Some("key-1"))
        .await;
    let second = client
        .send("POST", "/v1/customers", &form, Some("key-1"))
        .await;
    assert_eq!(first.status, 200);
    assert_eq!(second.body, first.body);
    assert_eq!(first.header("Idempotent-Replayed"), None);
    assert_eq!(second.header("Idempotent-Replayed"), Some("true"));

    // Same key, other parameters or endpoint: refused.
    let other = client
        .send(
            "POST",
            "/v1/customers",
            &[("email", "x@example.test")],
            Some("key-1"),
        )
        .await;
    assert_eq!(other.status, 400);
    assert_eq!(other.body["error"]["type"], "idempotency_error");
    let other = client
        .send("POST", "/v1/billing_portal/sessions", &[], Some("key-1"))
        .await;
    assert_eq!(other.body["error"]["type"], "idempotency_error");

    // No key, or another key: a new object.
    let third = client.post("/v1/customers", &form).await;
    let fourth = client
        .send("POST", "/v1/customers", &form, Some("key-2"))
        .await;
    assert_ne!(third.body["id"], first.body["id"]);
    assert_ne!(fourth.body["id"], first.body["id"]);

    // A validation 400 is not kept: fixing nothing, the retry is checked again.
    let bad = client
        .send("POST", "/v1/customers", &[("email", "bad")], Some("key-3"))
        .await;
    assert_eq!(bad.status, 400);
    let bad_again = client
        .send("POST", "/v1/customers", &[("email", "bad")], Some("key-3"))
        .await;
    assert_eq!(bad_again.header("Idempotent-Replayed"), None);

    let keys: Vec<Option<String>> = fake
        .requests()
        .into_iter()
        .map(|r| r.idempotency_key)
        .collect();
    assert_eq!(keys[0].as_deref(), Some("key-1"));
}

// ---- injected failures -------------------------------------------------------

#[tokio::test]
async fn fail_next_then_recover() {
    let fake = FakeStripe::start().await;
    let client = Client::new(&fake);
    fake.fail_next(500, 2);
    fake.fail_next(402, 1);
    fake.fail_next(429, 1);

    for _ in 0..2 {
        let r = client
            .send("POST", "/v1/customers", &[], Some("retry-me"))
            .await;
        assert_eq!(r.status, 500);
        assert_eq!(r.body["error"]["type"], "api_error");
        assert_eq!(r.header("Stripe-Should-Retry"), Some("true"));
    }
    let r = client.post("/v1/customers", &[]).await;
    assert_eq!(
        (r.status, r.body["error"]["type"].as_str()),
        (402, Some("card_error"))
    );
    let r = client.post("/v1/customers", &[]).await;
    assert_eq!((r.status, r.error_code()), (429, Some("rate_limit")));

    // The injected 500s were not kept for the key: the retry goes through.
    let r = client
        .send("POST", "/v1/customers", &[], Some("retry-me"))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(fake.requests().len(), 5);
}

#[tokio::test]
async fn hang_next_never_answers() {
    let fake = FakeStripe::start().await;
    let client = Client::new(&fake);
    fake.hang_next(1);
    let hung = tokio::time::timeout(
        Duration::from_millis(300),
        client.post("/v1/customers", &[("email", "h@example.test")]),
    )
    .await;
    assert!(hung.is_err(), "the hung request must time out");
    // Recorded all the same, and the next request is answered.
    assert_eq!(fake.requests().len(), 1);
    let r = client.post("/v1/customers", &[]).await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn dropping_the_fake_stops_it() {
    let fake = FakeStripe::start().await;
    let addr = fake.base_url().trim_start_matches("http://").to_owned();
    fake.hang_next(1);
    let mut stream = TcpStream::connect(&addr).await.unwrap();
    stream
        .write_all(b"GET /v1/customers/cus_1 HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
        .await
        .unwrap();
    // Wait until the fake has read (and is sitting on) the request.
    while fake.requests().is_empty() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    drop(fake);
    // The hung connection is closed without an answer...
    let mut out = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(2), stream.read_to_end(&mut out)).await;
    assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "{read:?}");
    // ...and nothing listens any more.
    let mut refused = false;
    for _ in 0..20 {
        if TcpStream::connect(&addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(refused, "listener closed after drop");
}

// ---- routing and HTTP ----------------------------------------------------------

#[tokio::test]
async fn unknown_routes_are_404() {
    let fake = FakeStripe::start().await;
    let client = Client::new(&fake);
    for (method, path) in [
        ("GET", "/v1/charges"),
        ("PUT", "/v1/customers/cus_1"),
        ("GET", "/v1/customers/"),
        ("POST", "/v2/customers"),
    ] {
        let r = client.send(method, path, &[], None).await;
        assert_eq!(r.status, 404, "{method} {path}");
        assert_eq!(r.body["error"]["type"], "invalid_request_error");
    }
}

#[tokio::test]
async fn query_parameters_on_get() {
    let fake = FakeStripe::start().await;
    let client = Client::new(&fake);
    let cus = customer(&client, "q@example.test").await;
    let r = client
        .get(&format!(
            "/v1/customers/{cus}?expand%5B%5D=invoice_settings.default_payment_method"
        ))
        .await;
    assert_eq!(r.status, 200);
    let seen = fake.requests().pop().unwrap();
    assert_eq!(seen.path, format!("/v1/customers/{cus}"));
    assert_eq!(
        seen.param("expand[]"),
        Some("invoice_settings.default_payment_method")
    );
    let r = client.get(&format!("/v1/customers/{cus}?limit=3")).await;
    assert_eq!(r.error_code(), Some("parameter_unknown"));
}

#[tokio::test]
async fn stripe_version_header_sets_event_api_version() {
    let fake = FakeStripe::start().await;
    let mut client = Client::new(&fake);
    client.stripe_version = Some("2025-03-31.basil".to_owned());
    let (_, _, events) = subscribed(&fake, &client, "price_m").await;
    assert!(events
        .iter()
        .all(|e| e["api_version"] == "2025-03-31.basil"));
    assert_eq!(
        fake.requests()[0].stripe_version.as_deref(),
        Some("2025-03-31.basil")
    );
}

#[tokio::test]
async fn malformed_http_gets_400() {
    let fake = FakeStripe::start().await;
    let addr = fake.base_url().trim_start_matches("http://").to_owned();
    let r = raw(&addr, b"NONSENSE\r\n\r\n").await;
    assert_eq!(r.status, 400);
    let r = raw(
        &addr,
        b"POST /v1/customers HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    )
    .await;
    assert_eq!(r.status, 411);
    assert!(fake.requests().is_empty());
}

// ---- events through the webhook check ---------------------------------------------

#[tokio::test]
async fn fake_events_signed_and_verified() {
    let fake = FakeStripe::start().await;
    let client = Client::new(&fake);
    let (_, _, events) = subscribed(&fake, &client, "price_m").await;
    let secrets = ["whsec_new", "whsec_old"];
    for event in &events {
        let payload = serde_json::to_vec(event).unwrap();
        let t = event["created"].as_i64().unwrap();
        // Stripe during a rotation: one v1 per active secret.
        let header = signature::sign(&payload, &secrets, t);
        assert_eq!(
            signature::verify(Some(&header), &payload, &["whsec_old"], fake.now()),
            Ok(t)
        );
        let mut tampered = payload.clone();
        tampered.extend_from_slice(b" ");
        assert_eq!(
            signature::verify(Some(&header), &tampered, &["whsec_old"], fake.now()),
            Err(signature::SignatureError::Mismatch)
        );
    }
}
