//! The Stripe client (shared::stripe::client) against the local fake:
//! form encoding with brackets, the key, the pinned version, idempotent
//! retries after a failure, refusals, timeouts, a closed port.

use std::time::{Duration, Instant};

use shared::config::{Secret, StripeApiConfig};
use shared::stripe::client::{StripeClient, StripeError, API_VERSION};
use testkit::stripe::FakeStripe;

fn client(base_url: String, timeout_seconds: u64) -> StripeClient {
    StripeClient::new(&StripeApiConfig {
        secret_key: Secret::new("sk_test_client"),
        base_url,
        timeout: Duration::from_secs(timeout_seconds),
    })
}

fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[tokio::test]
async fn a_customer_and_a_checkout_session_round_trip() {
    let fake = FakeStripe::start().await;
    let stripe = client(fake.base_url(), 5);
    let customer = stripe
        .post(
            "/v1/customers",
            &params(&[("email", "jean@example.com"), ("metadata[user_id]", "u1")]),
            "customer-u1",
        )
        .await
        .unwrap();
    let id = customer["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("cus_"));
    assert_eq!(customer["metadata"]["user_id"], "u1");
    // The same key is the same customer (a double click creates one).
    let again = stripe
        .post(
            "/v1/customers",
            &params(&[("email", "jean@example.com"), ("metadata[user_id]", "u1")]),
            "customer-u1",
        )
        .await
        .unwrap();
    assert_eq!(again["id"], id.as_str());
    let session = stripe
        .post(
            "/v1/checkout/sessions",
            &params(&[
                ("mode", "subscription"),
                ("customer", &id),
                ("line_items[0][price]", "price_std_m"),
                ("line_items[0][quantity]", "1"),
                ("success_url", "https://app.example/ok"),
                ("cancel_url", "https://app.example/cancel"),
                ("client_reference_id", "u1"),
            ]),
            "checkout-1",
        )
        .await
        .unwrap();
    assert!(session["url"].as_str().unwrap().starts_with("https://"));
    let read = stripe.get(&format!("/v1/customers/{id}")).await.unwrap();
    assert_eq!(read["email"], "jean@example.com");
    let recorded = fake.requests();
    assert_eq!(
        recorded[0].authorization.as_deref(),
        Some("Bearer sk_test_client")
    );
    assert_eq!(recorded[0].stripe_version.as_deref(), Some(API_VERSION));
    assert_eq!(recorded[0].idempotency_key.as_deref(), Some("customer-u1"));
    assert_eq!(
        recorded[2].param("line_items[0][price]"),
        Some("price_std_m")
    );
}

#[tokio::test]
async fn a_server_error_is_retried_once_with_the_same_key() {
    let fake = FakeStripe::start().await;
    let stripe = client(fake.base_url(), 5);
    fake.fail_next(500, 1);
    let customer = stripe
        .post("/v1/customers", &params(&[("email", "a@b.c")]), "k-1")
        .await
        .unwrap();
    assert!(customer["id"].as_str().unwrap().starts_with("cus_"));
    let keys: Vec<Option<String>> = fake
        .requests()
        .into_iter()
        .map(|r| r.idempotency_key)
        .collect();
    assert_eq!(keys, vec![Some("k-1".into()), Some("k-1".into())]);
    fake.fail_next(503, 2);
    let err = stripe
        .post("/v1/customers", &params(&[("email", "a@b.c")]), "k-2")
        .await
        .unwrap_err();
    assert!(matches!(err, StripeError::Unavailable(_)), "{err:?}");
}

#[tokio::test]
async fn refusals_are_not_retried_and_say_why() {
    let fake = FakeStripe::start().await;
    let stripe = client(fake.base_url(), 5);
    let err = stripe.get("/v1/customers/cus_missing").await.unwrap_err();
    match err {
        StripeError::Refused { status, code, .. } => {
            assert_eq!(status, 404);
            assert_eq!(code.as_deref(), Some("resource_missing"));
        }
        other => panic!("{other:?}"),
    }
    let err = stripe
        .post("/v1/customers", &params(&[("emial", "typo")]), "k-3")
        .await
        .unwrap_err();
    assert!(
        matches!(err, StripeError::Refused { status: 400, .. }),
        "{err:?}"
    );
    assert_eq!(fake.requests().len(), 2);
    let wrong_key = StripeClient::new(&StripeApiConfig {
        secret_key: Secret::new("rk_live_nope"),
        base_url: fake.base_url(),
        timeout: Duration::from_secs(5),
    });
    let err = wrong_key.get("/v1/customers/cus_x").await.unwrap_err();
    assert!(
        matches!(err, StripeError::Refused { status: 401, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_silent_stripe_times_out_within_the_bound_and_a_closed_port_is_unavailable() {
    let fake = FakeStripe::start().await;
    let stripe = client(fake.base_url(), 1);
    fake.hang_next(2);
    let started = Instant::now();
    let err = stripe.get("/v1/customers/cus_x").await.unwrap_err();
    assert_eq!(err, StripeError::Timeout);
    assert!(started.elapsed() < Duration::from_secs(10));
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let closed = client(format!("http://127.0.0.1:{port}"), 2);
    let err = closed.get("/v1/customers/cus_x").await.unwrap_err();
    assert!(matches!(err, StripeError::Unavailable(_)), "{err:?}");
}
