//! Stripe's deliveries through the router against the emulator: the
//! signature rules, checkout to active through signed events, duplicate,
//! concurrent and out-of-order deliveries, a payment failure, a customer
//! deleted, processing errors stored and retried, and the staff's events
//! endpoints.

use serde_json::{json, Value};
use shared::domain::plans::{Plan, CATALOGUE};
use shared::domain::subscriptions::{self as subs, Subscription, BILLING_STRIPE};
use shared::domain::users::User;
use shared::store::keys;
use shared::stripe::signature::sign;

type TestApp = testkit::TestApp<stripe_webhook::WebhookState>;

const SECRET: &str = "whsec_test_current";
const OLD_SECRET: &str = "whsec_test_previous";
const STANDARD: &str = "0195b000-0000-7000-8000-000000000002";
const PREMIUM: &str = "0195b000-0000-7000-8000-000000000004";

async fn app() -> TestApp {
    let app = TestApp::spawn_with(stripe_webhook::router, |c| {
        c.extra
            .push(("STRIPE_WEBHOOK_SECRET", format!("{SECRET},{OLD_SECRET}")))
    })
    .await;
    let now = shared::time::now();
    let plans: Vec<Plan> = CATALOGUE
        .iter()
        .map(|p| {
            p.plan(
                |var| match var {
                    "STRIPE_PRICE_STANDARD_MONTH" => Some("price_std_m".into()),
                    "STRIPE_PRICE_PREMIUM_MONTH" => Some("price_pre_m".into()),
                    _ => None,
                },
                now,
            )
        })
        .collect();
    app.state.store.plans().load(&plans).await.unwrap();
    app
}

fn now() -> i64 {
    shared::time::now().timestamp()
}

/// A Stripe event of `kind` around `object`, created at `created`.
fn event(id: &str, kind: &str, created: i64, object: Value) -> Value {
    json!({
        "id": id, "object": "event", "type": kind, "created": created,
        "livemode": false, "api_version": "2026-09-30.endive",
        "data": {"object": object},
    })
}

/// The subscription object Stripe would send for `sub` (our metadata on
/// it, periods on its item).
fn stripe_sub(sub: &Subscription, status: &str, price: &str, cancel: bool) -> Value {
    let start = now() - 60;
    json!({
        "id": format!("sub_{}", &sub.id[..8]), "object": "subscription",
        "customer": "cus_test_1", "status": status,
        "cancel_at_period_end": cancel,
        "canceled_at": if cancel { json!(now()) } else { Value::Null },
        "trial_start": null, "trial_end": null,
        "metadata": {"user_id": sub.owner_id, "subscription_id": sub.id},
        "items": {"object": "list", "data": [{
            "id": "si_1", "object": "subscription_item",
            "current_period_start": start, "current_period_end": start + 30 * 86_400,
            "price": {"id": price, "object": "price"},
        }]},
    })
}

async fn deliver_with(app: &TestApp, body: &[u8], header: Option<String>) -> testkit::TestResponse {
    let mut req = app
        .post("/api/webhooks/stripe/")
        .raw("application/json; charset=utf-8", body);
    if let Some(h) = header {
        req = req.header("Stripe-Signature", &h);
    }
    req.send().await
}

async fn deliver(app: &TestApp, event: &Value) -> testkit::TestResponse {
    let body = serde_json::to_vec(event).unwrap();
    let header = sign(&body, &[SECRET], now());
    deliver_with(app, &body, Some(header)).await
}

/// A checkout started by `user` for `plan_id` (as the subscriptions
/// function stores it).
async fn started(app: &TestApp, user: &User, plan_id: &str) -> Subscription {
    let mut sub = Subscription::new(&user.id, plan_id, BILLING_STRIPE);
    sub.checkout_session_id = Some(format!("cs_{}", &sub.id[..8]));
    sub.stripe_customer_id = Some("cus_test_1".into());
    let store = &app.state.store;
    store
        .transact(store.billing().tx_start(&sub, None).unwrap())
        .await
        .unwrap();
    sub
}

async fn stored(app: &TestApp, sub: &Subscription) -> Subscription {
    app.state
        .store
        .billing()
        .get(&sub.owner_id, &sub.id)
        .await
        .unwrap()
        .unwrap()
}

async fn subscribers(app: &TestApp, plan_id: &str) -> i64 {
    app.state
        .store
        .plans()
        .get(plan_id)
        .await
        .unwrap()
        .unwrap()
        .subscribers
}

async fn profile(app: &TestApp, user: &User) -> User {
    app.state
        .store
        .users()
        .get(&user.id)
        .await
        .unwrap()
        .unwrap()
}

/// The three events of a paid checkout, in Stripe's usual order.
fn checkout_events(sub: &Subscription, at: i64) -> Vec<Value> {
    let object = stripe_sub(sub, "active", "price_std_m", false);
    let session = json!({
        "id": sub.checkout_session_id, "object": "checkout.session", "mode": "subscription",
        "client_reference_id": sub.id, "customer": "cus_test_1",
        "subscription": object["id"], "payment_status": "paid", "status": "complete",
        "metadata": {"user_id": sub.owner_id, "subscription_id": sub.id},
    });
    let invoice = json!({
        "id": "in_1", "object": "invoice", "customer": "cus_test_1", "status": "paid",
        "parent": {"type": "subscription_details", "subscription_details": {
            "subscription": object["id"], "metadata": object["metadata"]}},
        "lines": {"object": "list", "data": [{"period": {"start": at - 60, "end": at - 60 + 30 * 86_400}}]},
    });
    vec![
        event(
            &format!("evt_cs_{}", &sub.id[..8]),
            "checkout.session.completed",
            at,
            session,
        ),
        event(
            &format!("evt_sc_{}", &sub.id[..8]),
            "customer.subscription.created",
            at,
            object,
        ),
        event(
            &format!("evt_ip_{}", &sub.id[..8]),
            "invoice.paid",
            at,
            invoice,
        ),
    ]
}

#[tokio::test]
async fn without_a_secret_every_delivery_is_a_503() {
    let app = TestApp::spawn(stripe_webhook::router).await;
    let body = serde_json::to_vec(&event("evt_1", "invoice.paid", now(), json!({}))).unwrap();
    // Even one signed with the empty key (the reference's gap).
    for header in [
        None,
        Some(sign(&body, &[""], now())),
        Some(sign(&body, &[SECRET], now())),
    ] {
        let res = deliver_with(&app, &body, header).await;
        assert_eq!(res.status, 503, "{}", res.body);
        assert!(res.body["error"].is_string());
    }
    assert!(app
        .state
        .store
        .webhooks()
        .get("evt_1")
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn signatures_are_checked_against_every_secret() {
    let app = app().await;
    let body = serde_json::to_vec(&event(
        "evt_sig",
        "charge.refunded",
        now(),
        json!({"id": "ch_1"}),
    ))
    .unwrap();
    let invalid = json!({"error": "Invalid signature"});
    for header in [
        None,
        Some(String::new()),
        Some("t=abc,v1=zz".to_string()),
        Some(sign(&body, &["whsec_forged"], now())),
        Some(sign(&body, &[""], now())),
        // Genuine but too old (a replay).
        Some(sign(&body, &[SECRET], now() - 400)),
    ] {
        let res = deliver_with(&app, &body, header.clone()).await;
        assert_eq!(res.status, 400, "{header:?}");
        assert_eq!(res.body, invalid);
    }
    // The body changed after signing.
    let header = sign(&body, &[SECRET], now());
    let mut tampered = body.clone();
    tampered.extend_from_slice(b" ");
    assert_eq!(
        deliver_with(&app, &tampered, Some(header)).await.status,
        400
    );
    assert!(app
        .state
        .store
        .webhooks()
        .get("evt_sig")
        .await
        .unwrap()
        .is_none());

    // A rotation: Stripe signs with both secrets; the first `v1` is one we
    // no longer know, the second is the old one we still accept.
    let header = sign(&body, &["whsec_unknown_new", OLD_SECRET], now());
    let res = deliver_with(&app, &body, Some(header)).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["outcome"], "ignored: type not handled");

    // Signed, but not an event.
    for bad in [
        &b"not json"[..],
        b"[1,2]",
        br#"{"id": "evt_x", "type": "x"}"#,
    ] {
        let header = sign(bad, &[SECRET], now());
        let res = deliver_with(&app, bad, Some(header)).await;
        assert_eq!(res.status, 400);
        assert_eq!(res.body, json!({"error": "Invalid payload"}));
    }
}

#[tokio::test]
async fn a_paid_checkout_activates_the_subscription_and_grants_the_plan() {
    let app = app().await;
    let (user, _) = app.signed_in_user("buyer").await;
    let sub = started(&app, &user, STANDARD).await;
    assert_eq!(subscribers(&app, STANDARD).await, 1);
    assert!(profile(&app, &user).await.plan.is_none());
    for e in checkout_events(&sub, now()) {
        let res = deliver(&app, &e).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["status"], "success");
    }
    let after = stored(&app, &sub).await;
    assert_eq!(after.status, subs::ACTIVE);
    assert!(after.current_period_end.is_some());
    assert_eq!(
        after.stripe_subscription_id,
        Some(format!("sub_{}", &sub.id[..8]))
    );
    let grant = profile(&app, &user).await.plan.expect("plan granted");
    assert_eq!(grant.tier, "standard");
    assert_eq!(
        profile(&app, &user).await.limits().vehicles,
        shared::domain::plans::Limit::AtMost(10)
    );
    assert_eq!(subscribers(&app, STANDARD).await, 1);
    // The locators lead back.
    let billing = app.state.store.billing();
    let at = billing
        .locate(after.stripe_subscription_id.as_deref().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (at.owner_id.as_str(), at.subscription_id.as_str()),
        (user.id.as_str(), sub.id.as_str())
    );
    assert_eq!(
        billing.customer_owner("cus_test_1").await.unwrap(),
        Some(user.id.clone())
    );
    assert_eq!(
        billing.customer(&user.id).await.unwrap().as_deref(),
        Some("cus_test_1")
    );

    // A later update without our metadata finds it through the locator:
    // a plan change made in Stripe's portal.
    let mut object = stripe_sub(&sub, "active", "price_pre_m", false);
    object["metadata"] = json!({});
    let res = deliver(
        &app,
        &event(
            "evt_portal",
            "customer.subscription.updated",
            now() + 1,
            object,
        ),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(stored(&app, &sub).await.plan_id, PREMIUM);
    assert_eq!(profile(&app, &user).await.plan.unwrap().tier, "premium");
    assert_eq!(subscribers(&app, STANDARD).await, 0);
    assert_eq!(subscribers(&app, PREMIUM).await, 1);
}

#[tokio::test]
async fn a_second_delivery_changes_nothing_even_at_the_same_instant() {
    let app = app().await;
    let (user, _) = app.signed_in_user("twice").await;
    let sub = started(&app, &user, STANDARD).await;
    let events = checkout_events(&sub, now());
    let first = deliver(&app, &events[0]).await;
    assert_eq!(first.status, 200);
    let again = deliver(&app, &events[0]).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body["duplicate"], true);

    // The activation delivered twice at once: applied once.
    let created = &events[1];
    let (a, b) = tokio::join!(deliver(&app, created), deliver(&app, created));
    assert_eq!((a.status, b.status), (200, 200), "{} {}", a.body, b.body);
    let duplicates = [&a, &b]
        .iter()
        .filter(|r| r.body["duplicate"] == true)
        .count();
    assert_eq!(duplicates, 1, "{} {}", a.body, b.body);
    let stored_event = app
        .state
        .store
        .webhooks()
        .get(created["id"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(stored_event.processed);
    assert_eq!(stored(&app, &sub).await.status, subs::ACTIVE);
    assert_eq!(subscribers(&app, STANDARD).await, 1);
    let stats = app.state.store.billing().stats().await.unwrap();
    assert_eq!((stats.total, stats.status(subs::ACTIVE)), (1, 1));
}

#[tokio::test]
async fn an_older_event_never_undoes_a_newer_state() {
    let app = app().await;
    let (user, _) = app.signed_in_user("order").await;
    let sub = started(&app, &user, STANDARD).await;
    let t = now();
    // The cancellation (newer) arrives before the creation (older).
    let deleted = event(
        "evt_del",
        "customer.subscription.deleted",
        t + 10,
        stripe_sub(&sub, "canceled", "price_std_m", false),
    );
    let created = event(
        "evt_new",
        "customer.subscription.created",
        t,
        stripe_sub(&sub, "active", "price_std_m", false),
    );
    assert_eq!(deliver(&app, &deleted).await.status, 200);
    let res = deliver(&app, &created).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["outcome"], "ignored: older than the state stored");
    let after = stored(&app, &sub).await;
    assert_eq!(after.status, subs::CANCELLED);
    assert!(profile(&app, &user).await.plan.is_none());
    assert_eq!(subscribers(&app, STANDARD).await, 0);
    // CURRENT is free again: a new checkout can start.
    started(&app, &user, PREMIUM).await;
}

#[tokio::test]
async fn a_failed_payment_makes_it_past_due_and_tells_the_owner() {
    let app = app().await;
    let (user, token) = app.signed_in_user("late").await;
    let sub = started(&app, &user, STANDARD).await;
    for e in checkout_events(&sub, now() - 5) {
        assert_eq!(deliver(&app, &e).await.status, 200);
    }
    let object = stripe_sub(&sub, "active", "price_std_m", false);
    let invoice = json!({
        "id": "in_2", "object": "invoice", "customer": "cus_test_1", "status": "open",
        "parent": {"type": "subscription_details", "subscription_details": {
            "subscription": object["id"], "metadata": {}}},
    });
    let res = deliver(
        &app,
        &event("evt_fail", "invoice.payment_failed", now(), invoice),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(stored(&app, &sub).await.status, subs::PAST_DUE);
    // A grace period: the plan is kept.
    assert_eq!(profile(&app, &user).await.plan.unwrap().tier, "standard");
    let inbox = app
        .state
        .store
        .notifications()
        .all_keys(&user.id)
        .await
        .unwrap();
    assert!(
        inbox
            .iter()
            .any(|(_, sk)| sk.starts_with(keys::NOTIFICATION_PREFIX)),
        "a notification"
    );
    let _ = token;
}

#[tokio::test]
async fn a_deleted_customer_ends_the_subscription() {
    let app = app().await;
    let (user, _) = app.signed_in_user("gone").await;
    let sub = started(&app, &user, STANDARD).await;
    for e in checkout_events(&sub, now() - 5) {
        assert_eq!(deliver(&app, &e).await.status, 200);
    }
    let res = deliver(
        &app,
        &event(
            "evt_cus",
            "customer.deleted",
            now(),
            json!({"id": "cus_test_1", "object": "customer", "deleted": true}),
        ),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(stored(&app, &sub).await.status, subs::CANCELLED);
    assert!(profile(&app, &user).await.plan.is_none());
    let billing = app.state.store.billing();
    assert_eq!(billing.customer(&user.id).await.unwrap(), None);
    assert_eq!(billing.customer_owner("cus_test_1").await.unwrap(), None);
}

#[tokio::test]
async fn a_processing_error_is_a_500_stored_and_retried_by_staff() {
    let app = app().await;
    let (user, _) = app.signed_in_user("clash").await;
    let (_, staff) = app.signed_in_staff("ops").await;
    // An abandoned checkout (expired) and a current subscription: an
    // event activating the old one cannot make two current.
    let old = started(&app, &user, STANDARD).await;
    let mut expired = old.clone();
    expired.status = subs::EXPIRED.into();
    app.state
        .store
        .billing()
        .transition(&old, &expired, None)
        .await
        .unwrap();
    let current = started(&app, &user, PREMIUM).await;
    let e = event(
        "evt_clash",
        "customer.subscription.created",
        now(),
        stripe_sub(&old, "active", "price_std_m", false),
    );
    let res = deliver(&app, &e).await;
    assert_eq!(res.status, 500, "{}", res.body);
    assert_eq!(res.body["event_id"], "evt_clash");
    let errors = app
        .get("/api/webhooks/events/errors/")
        .bearer(&staff)
        .send()
        .await;
    assert_eq!(errors.status, 200);
    assert_eq!(errors.body[0]["id"], "evt_clash");
    assert_eq!(errors.body[0]["processed"], false);
    assert!(errors.body[0]["error_message"]
        .as_str()
        .unwrap()
        .contains("current_free"));
    let unprocessed = app
        .get("/api/events/unprocessed/")
        .bearer(&staff)
        .send()
        .await;
    assert_eq!(unprocessed.body.as_array().unwrap().len(), 1);

    // Retried while the clash remains: still an error, stored.
    let retry = app
        .post("/api/webhooks/events/evt_clash/retry/")
        .bearer(&staff)
        .send()
        .await;
    assert_eq!(retry.status, 200);
    assert_eq!(retry.body["processed"], false);
    assert_eq!(retry.body["attempts"], 2);
    // The current one ends; the retry now applies.
    let mut ended = current.clone();
    ended.status = subs::CANCELLED.into();
    app.state
        .store
        .billing()
        .transition(&current, &ended, None)
        .await
        .unwrap();
    let retry = app
        .post("/api/webhooks/events/evt_clash/retry/")
        .bearer(&staff)
        .send()
        .await;
    assert_eq!(retry.status, 200, "{}", retry.body);
    assert_eq!(retry.body["processed"], true);
    assert_eq!(retry.body["error_message"], Value::Null);
    assert_eq!(stored(&app, &old).await.status, subs::ACTIVE);
    // Stripe's own redelivery now finds it done; a retry too.
    assert_eq!(deliver(&app, &e).await.body["duplicate"], true);
    let again = app
        .post("/api/webhooks/events/evt_clash/retry/")
        .bearer(&staff)
        .send()
        .await;
    assert_eq!(again.status, 400);
    assert_eq!(
        again.body,
        json!({"error": "This event was already processed."})
    );
}

#[tokio::test]
async fn the_events_are_the_staffs_to_read_and_nobody_writes_them() {
    let app = app().await;
    let (_, user) = app.signed_in_user("curious").await;
    let (_, staff) = app.signed_in_staff("ops2").await;
    for (i, kind) in ["charge.refunded", "invoice.paid", "charge.refunded"]
        .iter()
        .enumerate()
    {
        let e = event(
            &format!("evt_log_{i}"),
            kind,
            now(),
            json!({"id": format!("x_{i}")}),
        );
        assert_eq!(deliver(&app, &e).await.status, 200);
    }
    for path in [
        "/api/webhooks/events/",
        "/api/events/",
        "/api/webhooks/events/evt_log_0/",
        "/api/events/unprocessed/",
        "/api/webhooks/events/errors/",
    ] {
        assert_eq!(app.get(path).send().await.status, 401, "{path}");
        let res = app.get(path).bearer(&user).send().await;
        assert_eq!(res.status, 403, "{path}");
    }
    assert_eq!(
        app.post("/api/webhooks/events/evt_log_0/retry/")
            .bearer(&user)
            .send()
            .await
            .status,
        403
    );
    let list = app.get("/api/webhooks/events/").bearer(&staff).send().await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body["count"], 3);
    // Newest first.
    assert_eq!(list.body["results"][0]["id"], "evt_log_2");
    assert_eq!(
        list.body["results"][2]["payload"]["type"],
        "charge.refunded"
    );
    let filtered = app
        .get("/api/events/?event_type=charge.refunded&processed=true")
        .bearer(&staff)
        .send()
        .await;
    assert_eq!(filtered.body["count"], 2);
    let none = app
        .get("/api/events/?processed=false")
        .bearer(&staff)
        .send()
        .await;
    assert_eq!(none.body["count"], 0);
    let detail = app
        .get("/api/webhooks/events/evt_log_1/")
        .bearer(&staff)
        .send()
        .await;
    assert_eq!(detail.status, 200);
    assert_eq!(detail.body["event_type"], "invoice.paid");
    assert_eq!(detail.body["source"], "stripe");
    assert!(detail.body["processed_at"].is_string());
    let long = format!("/api/events/{}/", "e".repeat(300));
    assert_eq!(app.get(&long).bearer(&staff).send().await.status, 404);
    assert_eq!(
        app.get("/api/events/evt_nope/")
            .bearer(&staff)
            .send()
            .await
            .status,
        404
    );
    for res in [
        app.put("/api/events/evt_log_0/")
            .bearer(&staff)
            .json(json!({}))
            .send()
            .await,
        app.delete("/api/webhooks/events/evt_log_0/")
            .bearer(&staff)
            .send()
            .await,
        app.post("/api/webhooks/events/")
            .bearer(&staff)
            .json(json!({}))
            .send()
            .await,
        app.get("/api/webhooks/stripe/").send().await,
    ] {
        assert_eq!(res.status, 405);
    }
}

#[tokio::test]
async fn an_expired_checkout_frees_the_account_and_invoices_do_not_hide_older_changes() {
    let app = app().await;
    let (user, _) = app.signed_in_user("later").await;
    let unpaid = started(&app, &user, STANDARD).await;
    let session = json!({
        "id": unpaid.checkout_session_id, "object": "checkout.session", "status": "expired",
        "client_reference_id": unpaid.id, "metadata": {"user_id": user.id, "subscription_id": unpaid.id},
    });
    let res = deliver(
        &app,
        &event("evt_exp", "checkout.session.expired", now(), session),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["outcome"], "checkout expired");
    assert_eq!(stored(&app, &unpaid).await.status, subs::EXPIRED);
    assert_eq!(subscribers(&app, STANDARD).await, 0);

    // A new checkout, paid.
    let sub = started(&app, &user, STANDARD).await;
    let t = now();
    for e in checkout_events(&sub, t - 10) {
        assert_eq!(deliver(&app, &e).await.status, 200);
    }
    // A plan change (t) whose proration invoice (t + 5) is delivered first.
    let invoice = json!({
        "id": "in_prorate", "object": "invoice", "status": "paid",
        "parent": {"type": "subscription_details", "subscription_details": {
            "subscription": format!("sub_{}", &sub.id[..8]), "metadata": {}}},
    });
    let res = deliver(&app, &event("evt_inv", "invoice.paid", t + 5, invoice)).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let change = event(
        "evt_change",
        "customer.subscription.updated",
        t,
        stripe_sub(&sub, "active", "price_pre_m", false),
    );
    let res = deliver(&app, &change).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(stored(&app, &sub).await.plan_id, PREMIUM);
}

#[tokio::test]
async fn an_oversized_delivery_is_a_json_413() {
    let app = app().await;
    let body = vec![b' '; 1024 * 1024 + 1];
    let header = sign(&body, &[SECRET], now());
    let res = deliver_with(&app, &body, Some(header)).await;
    assert_eq!(res.status, 413);
    assert!(res.body["detail"].is_string(), "{}", res.body);
}

#[tokio::test]
async fn a_checkouts_events_at_the_same_instant_all_apply() {
    let app = app().await;
    let (user, _) = app.signed_in_user("burst").await;
    let sub = started(&app, &user, STANDARD).await;
    let events = checkout_events(&sub, now());
    let (a, b, c) = tokio::join!(
        deliver(&app, &events[0]),
        deliver(&app, &events[1]),
        deliver(&app, &events[2])
    );
    for res in [&a, &b, &c] {
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.body["duplicate"], Value::Null, "{}", res.body);
    }
    let after = stored(&app, &sub).await;
    assert_eq!(after.status, subs::ACTIVE);
    assert!(after.stripe_subscription_id.is_some());
    assert_eq!(profile(&app, &user).await.plan.unwrap().tier, "standard");
    assert_eq!(subscribers(&app, STANDARD).await, 1);
}

#[tokio::test]
async fn same_second_events_never_bring_back_an_older_state() {
    let app = app().await;
    let (user, _) = app.signed_in_user("ties").await;
    let sub = started(&app, &user, STANDARD).await;
    let t = now();
    for e in checkout_events(&sub, t - 100) {
        assert_eq!(deliver(&app, &e).await.status, 200);
    }
    // Premium at t - 50, back to Standard at t - 40 (already what is
    // stored): the later event arrives first and moves the mark, so the
    // earlier one changes nothing.
    let back = event(
        "evt_back",
        "customer.subscription.updated",
        t - 40,
        stripe_sub(&sub, "active", "price_std_m", false),
    );
    let up = event(
        "evt_up",
        "customer.subscription.updated",
        t - 50,
        stripe_sub(&sub, "active", "price_pre_m", false),
    );
    assert_eq!(deliver(&app, &back).await.status, 200);
    let res = deliver(&app, &up).await;
    assert_eq!(res.body["outcome"], "ignored: older than the state stored");
    assert_eq!(stored(&app, &sub).await.plan_id, STANDARD);

    // The same second: a creation (incomplete) after the payment, and an
    // update after the deletion, change nothing.
    let late_created = event(
        "evt_late",
        "customer.subscription.created",
        t - 40,
        stripe_sub(&sub, "incomplete", "price_std_m", false),
    );
    assert_eq!(deliver(&app, &late_created).await.status, 200);
    assert_eq!(stored(&app, &sub).await.status, subs::ACTIVE);
    let deleted = event(
        "evt_gone",
        "customer.subscription.deleted",
        t,
        stripe_sub(&sub, "canceled", "price_std_m", false),
    );
    let revived = event(
        "evt_back2",
        "customer.subscription.updated",
        t,
        stripe_sub(&sub, "active", "price_std_m", false),
    );
    assert_eq!(deliver(&app, &deleted).await.status, 200);
    assert_eq!(deliver(&app, &revived).await.status, 200);
    assert_eq!(stored(&app, &sub).await.status, subs::CANCELLED);
    assert!(profile(&app, &user).await.plan.is_none());
    assert_eq!(subscribers(&app, STANDARD).await, 0);
}
