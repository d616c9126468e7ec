//! Subscriptions through the router against the emulator: the local
//! checkout simulator end to end (create to active, cancel, reactivate,
//! change of plan, limits lifted), Stripe through its local fake (the
//! Checkout Session, events completing it, updates, the portal, Stripe
//! down), validation, isolation, races, staff stats, account deletion.

use serde_json::{json, Value};
use shared::domain::plans::{Plan, CATALOGUE};
use shared::stripe::signature::sign;
use shared::usecases::stripe_events;
use testkit::stripe::FakeStripe;

type TestApp = testkit::TestApp<subscriptions::SubscriptionsState>;

const FREE: &str = "0195b000-0000-7000-8000-000000000001";
const STANDARD: &str = "0195b000-0000-7000-8000-000000000002";
const PREMIUM: &str = "0195b000-0000-7000-8000-000000000004";

async fn load(app: &TestApp) {
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
}

async fn simulated() -> TestApp {
    let app = TestApp::spawn_with(subscriptions::router, |c| {
        c.extra.push(("STRIPE_SIMULATOR", "1".into()))
    })
    .await;
    load(&app).await;
    app
}

async fn with_stripe(fake: &FakeStripe) -> TestApp {
    let base = fake.base_url();
    let app = TestApp::spawn_with(subscriptions::router, |c| {
        c.extra.push(("STRIPE_SECRET_KEY", "sk_test_local".into()));
        c.extra.push(("STRIPE_API_BASE", base));
        c.extra.push(("STRIPE_TIMEOUT_SECONDS", "2".into()));
    })
    .await;
    load(&app).await;
    app
}

async fn subscribers(app: &TestApp, plan_id: &str) -> i64 {
    let plan = app.state.store.plans().get(plan_id).await.unwrap();
    plan.unwrap().subscribers
}

async fn subscribe(app: &TestApp, token: &str, plan: &str) -> testkit::TestResponse {
    app.post("/api/subscriptions/")
        .bearer(token)
        .json(json!({"plan": plan}))
        .send()
        .await
}

#[tokio::test]
async fn the_simulator_completes_a_checkout_and_lifts_the_limits() {
    let app = simulated().await;
    let (user, token) = app.signed_in_user("owner").await;
    let usage = app
        .get("/api/subscriptions/usage/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(usage.status, 200);
    assert_eq!(usage.body["plan"]["tier"], "free");
    assert_eq!(usage.body["limits"]["vehicles"], 3);
    assert_eq!(usage.body["usage"]["ai_analyses"], 0);
    let none = app
        .get("/api/subscriptions/active/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(none.status, 404);
    assert_eq!(
        none.body,
        json!({"message": "No active subscription found."})
    );

    let res = subscribe(&app, &token, STANDARD).await;
    assert_eq!(res.status, 201, "{}", res.body);
    let sub = &res.body;
    assert_eq!(sub["status"], "active");
    assert_eq!(sub["billing"], "simulated");
    assert_eq!(sub["user"], user.id.as_str());
    assert_eq!(sub["user_info"]["email"], user.email.as_str());
    assert_eq!(sub["plan"], STANDARD);
    assert_eq!(sub["plan_info"]["tier"], "standard");
    assert!(sub["stripe_subscription_id"]
        .as_str()
        .unwrap()
        .starts_with("sub_sim_"));
    assert!(sub["current_period_end"].is_string());
    let days = sub["days_until_renewal"].as_i64().unwrap();
    assert!((27..=31).contains(&days), "{days}");
    assert_eq!(sub["is_trial_active"], false);
    assert_eq!(sub["cancel_at_period_end"], false);

    let usage = app
        .get("/api/subscriptions/usage/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(usage.body["plan"]["tier"], "standard");
    assert_eq!(usage.body["limits"]["vehicles"], 10);
    assert_eq!(usage.body["limits"]["maintenances_per_month"], Value::Null);
    let active = app
        .get("/api/subscriptions/active/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(active.body["id"], sub["id"]);
    let list = app.get("/api/subscriptions/").bearer(&token).send().await;
    assert_eq!(list.body["count"], 1);
    assert_eq!(subscribers(&app, STANDARD).await, 1);

    // One current subscription at a time.
    let again = subscribe(&app, &token, PREMIUM).await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert_eq!(subscribers(&app, PREMIUM).await, 0);
}

#[tokio::test]
async fn a_create_names_an_active_plan_that_is_sold() {
    let app = simulated().await;
    let (_, token) = app.signed_in_user("picky").await;
    for (body, message) in [
        (json!({}), "This field is required."),
        (json!({"plan": ""}), "This field is required."),
        (
            json!({"plan": "0195b000-0000-7000-8000-00000000dead"}),
            "This plan is not available.",
        ),
        (
            json!({"plan": "x".repeat(500)}),
            "This plan is not available.",
        ),
        (json!({"plan": ["a"]}), "This field is required."),
    ] {
        let res = app
            .post("/api/subscriptions/")
            .bearer(&token)
            .json(body.clone())
            .send()
            .await;
        assert_eq!(res.status, 400, "{body}");
        assert_eq!(res.body["plan"][0], message, "{body}");
    }
    let free = subscribe(&app, &token, FREE).await;
    assert_eq!(free.status, 400);
    assert!(free.body["plan"][0].as_str().unwrap().contains("Free"));
    // An inactive plan is not sold.
    let store = &app.state.store;
    let before = store.plans().get(PREMIUM).await.unwrap().unwrap();
    let mut after = before.clone();
    after.is_active = false;
    store.plans().save(&before, &mut after).await.unwrap();
    assert_eq!(subscribe(&app, &token, PREMIUM).await.status, 400);
    assert_eq!(
        app.post("/api/subscriptions/")
            .json(json!({"plan": STANDARD}))
            .send()
            .await
            .status,
        401
    );
    assert!(store
        .billing()
        .subscriptions("nobody")
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn without_stripe_or_the_simulator_nothing_is_sold() {
    let app = TestApp::spawn(subscriptions::router).await;
    load(&app).await;
    let (user, token) = app.signed_in_user("early").await;
    let res = subscribe(&app, &token, STANDARD).await;
    assert_eq!(res.status, 503, "{}", res.body);
    assert!(res.body["detail"]
        .as_str()
        .unwrap()
        .contains("not configured"));
    let portal = app
        .post("/api/subscriptions/billing_portal/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(portal.status, 503);
    assert!(app
        .state
        .store
        .billing()
        .subscriptions(&user.id)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(subscribers(&app, STANDARD).await, 0);
}

#[tokio::test]
async fn cancel_reactivate_and_change_plan_at_both_paths() {
    let app = simulated().await;
    let (user, token) = app.signed_in_user("changer").await;
    let id = subscribe(&app, &token, STANDARD).await.body["id"]
        .as_str()
        .unwrap()
        .to_string();

    let res = app
        .post("/api/subscriptions/cancel/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["cancel_at_period_end"], true);
    assert_eq!(res.body["status"], "active");
    assert!(res.body["cancelled_at"].is_string());
    // Again: nothing more to do.
    let again = app
        .post(&format!("/api/subscriptions/{id}/cancel/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body["cancel_at_period_end"], true);

    let res = app
        .post(&format!("/api/subscriptions/{id}/reactivate/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["cancel_at_period_end"], false);
    assert_eq!(res.body["cancelled_at"], Value::Null);
    let res = app
        .post("/api/subscriptions/reactivate/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body,
        json!({"error": "Subscription is not scheduled for cancellation."})
    );

    let path = "/api/subscriptions/change_plan/";
    for (body, status, message) in [
        (json!({}), 400, "plan_id is required."),
        (
            json!({"plan_id": "nope"}),
            404,
            "Plan not found or inactive.",
        ),
        (
            json!({"plan_id": STANDARD}),
            400,
            "The subscription is already on this plan.",
        ),
    ] {
        let res = app
            .post(path)
            .bearer(&token)
            .json(body.clone())
            .send()
            .await;
        assert_eq!(res.status, status, "{body}");
        assert_eq!(res.body["error"], message);
    }
    let free = app
        .post(path)
        .bearer(&token)
        .json(json!({"plan_id": FREE}))
        .send()
        .await;
    assert_eq!(free.status, 400);
    let res = app
        .post(&format!("/api/subscriptions/{id}/change_plan/"))
        .bearer(&token)
        .json(json!({"plan_id": PREMIUM}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["plan"], PREMIUM);
    assert_eq!(res.body["plan_info"]["tier"], "premium");
    assert_eq!(
        (
            subscribers(&app, STANDARD).await,
            subscribers(&app, PREMIUM).await
        ),
        (0, 1)
    );
    let profile = app
        .state
        .store
        .users()
        .get(&user.id)
        .await
        .unwrap()
        .unwrap();
    assert!(profile.limits().ai_diagnostic);
    assert_eq!(profile.plan.unwrap().tier, "premium");
}

#[tokio::test]
async fn status_is_billings_and_other_users_see_nothing() {
    let app = simulated().await;
    let (_, token) = app.signed_in_user("mine").await;
    let (_, other) = app.signed_in_user("theirs").await;
    let id = subscribe(&app, &token, STANDARD).await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/subscriptions/{id}/");

    let res = app
        .patch(&path)
        .bearer(&token)
        .json(json!({"status": "active"}))
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert!(res.body["status"].is_array());
    let res = app
        .patch(&path)
        .bearer(&token)
        .json(json!({"cancel_at_period_end": "maybe"}))
        .send()
        .await;
    assert_eq!(res.status, 400);
    let res = app
        .patch(&path)
        .bearer(&token)
        .json(json!({"cancel_at_period_end": true}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(
        res.body,
        json!({"status": "active", "cancel_at_period_end": true})
    );
    let res = app.put(&path).bearer(&token).json(json!({})).send().await;
    assert_eq!(
        res.body,
        json!({"status": "active", "cancel_at_period_end": true})
    );

    // Active: not deleted (Stripe would go on renewing it).
    assert_eq!(app.delete(&path).bearer(&token).send().await.status, 409);

    for res in [
        app.get(&path).bearer(&other).send().await,
        app.patch(&path)
            .bearer(&other)
            .json(json!({"cancel_at_period_end": false}))
            .send()
            .await,
        app.delete(&path).bearer(&other).send().await,
        app.post(&format!("{path}cancel/"))
            .bearer(&other)
            .send()
            .await,
        app.post(&format!("{path}reactivate/"))
            .bearer(&other)
            .send()
            .await,
        app.post(&format!("{path}change_plan/"))
            .bearer(&other)
            .json(json!({"plan_id": PREMIUM}))
            .send()
            .await,
    ] {
        assert_eq!(res.status, 404, "{}", res.body);
    }
    assert_eq!(
        app.get("/api/subscriptions/")
            .bearer(&other)
            .send()
            .await
            .body["count"],
        0
    );
    assert_eq!(
        app.post("/api/subscriptions/cancel/")
            .bearer(&other)
            .send()
            .await
            .status,
        404
    );
    assert_eq!(app.get(&path).send().await.status, 401);
    let long = format!("/api/subscriptions/{}/", "a".repeat(300));
    assert_eq!(app.get(&long).bearer(&token).send().await.status, 404);
}

#[tokio::test]
async fn two_creates_at_once_make_one_subscription() {
    let app = simulated().await;
    let (user, token) = app.signed_in_user("eager").await;
    let (a, b) = tokio::join!(
        subscribe(&app, &token, STANDARD),
        subscribe(&app, &token, STANDARD)
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [201, 409], "{} {}", a.body, b.body);
    let all = app
        .state
        .store
        .billing()
        .subscriptions(&user.id)
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(subscribers(&app, STANDARD).await, 1);
    let stats = app.state.store.billing().stats().await.unwrap();
    assert_eq!((stats.total, stats.status("active")), (1, 1));
}

#[tokio::test]
async fn stats_are_the_staffs() {
    let app = simulated().await;
    let (_, token) = app.signed_in_user("member").await;
    let (_, staff) = app.signed_in_staff("admin").await;
    subscribe(&app, &token, STANDARD).await;
    app.post("/api/subscriptions/cancel/")
        .bearer(&token)
        .send()
        .await;
    let res = app
        .get("/api/subscriptions/stats/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 403);
    assert_eq!(res.body, json!({"error": "Admin access required."}));
    let res = app
        .get("/api/subscriptions/stats/")
        .bearer(&staff)
        .send()
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["total_subscriptions"], 1);
    assert_eq!(res.body["active"], 1);
    assert_eq!(res.body["scheduled_for_cancellation"], 1);
    assert_eq!(
        res.body["by_status"],
        json!([{"status": "active", "count": 1}])
    );
    assert_eq!(
        res.body["by_plan"],
        json!([{"plan__name": "Standard", "count": 1}])
    );
}

#[tokio::test]
async fn deleting_the_account_ends_its_subscription() {
    let app = simulated().await;
    let (user, token) = app.signed_in_user("leaving").await;
    subscribe(&app, &token, STANDARD).await;
    app.state
        .store
        .users()
        .delete_everything(&user)
        .await
        .unwrap();
    assert_eq!(subscribers(&app, STANDARD).await, 0);
    let stats = app.state.store.billing().stats().await.unwrap();
    assert_eq!(stats.total, 0);
    assert!(app
        .state
        .store
        .billing()
        .subscriptions(&user.id)
        .await
        .unwrap()
        .is_empty());
}

/// Delivers Stripe's events as the webhook would receive them.
async fn deliver(app: &TestApp, events: Vec<Value>) {
    for event in events {
        let body = serde_json::to_vec(&event).unwrap();
        let now = shared::time::now().timestamp();
        let header = sign(&body, &["whsec_t"], now);
        let received = stripe_events::receive(&app.state.store, &["whsec_t"], Some(&header), &body)
            .await
            .unwrap()
            .unwrap();
        assert!(
            matches!(received, stripe_events::Received::Processed { .. }),
            "{received:?}"
        );
    }
}

#[tokio::test]
async fn stripe_checkout_then_its_events_then_changes_through_the_api() {
    let fake = FakeStripe::start().await;
    let app = with_stripe(&fake).await;
    let (user, token) = app.signed_in_user("payer").await;

    let res = subscribe(&app, &token, STANDARD).await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.body["status"], "incomplete");
    assert_eq!(res.body["billing"], "stripe");
    let url = res.body["checkout_url"].as_str().unwrap().to_string();
    assert!(url.starts_with("http"), "{url}");
    // A checkout never grants the plan by itself.
    let profile = app
        .state
        .store
        .users()
        .get(&user.id)
        .await
        .unwrap()
        .unwrap();
    assert!(profile.plan.is_none());
    assert_eq!(
        app.get("/api/subscriptions/active/")
            .bearer(&token)
            .send()
            .await
            .status,
        404
    );

    let requests = fake.requests();
    let customer = requests.iter().find(|r| r.path == "/v1/customers").unwrap();
    assert_eq!(
        customer.idempotency_key.as_deref(),
        Some(format!("customer-{}", user.id).as_str())
    );
    assert_eq!(customer.param("metadata[user_id]"), Some(user.id.as_str()));
    let checkout = requests
        .iter()
        .find(|r| r.path == "/v1/checkout/sessions")
        .unwrap();
    let sub_id = res.body["id"].as_str().unwrap();
    assert_eq!(checkout.param("mode"), Some("subscription"));
    assert_eq!(checkout.param("line_items[0][price]"), Some("price_std_m"));
    assert_eq!(checkout.param("client_reference_id"), Some(sub_id));
    assert_eq!(
        checkout.param("subscription_data[metadata][subscription_id]"),
        Some(sub_id)
    );

    // The customer pays: Stripe's events make it active.
    let stored = app
        .state
        .store
        .billing()
        .get(&user.id, sub_id)
        .await
        .unwrap()
        .unwrap();
    let session = stored.checkout_session_id.clone().unwrap();
    deliver(&app, fake.complete_checkout(&session)).await;
    let active = app
        .get("/api/subscriptions/active/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(active.status, 200, "{}", active.body);
    assert_eq!(active.body["status"], "active");
    assert_eq!(active.body["checkout_url"], Value::Null);
    let stripe_id = active.body["stripe_subscription_id"]
        .as_str()
        .unwrap()
        .to_string();

    // Cancel: Stripe is told, and its answer applied at once.
    let res = app
        .post("/api/subscriptions/cancel/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["cancel_at_period_end"], true);
    assert_eq!(
        fake.subscription(&stripe_id).unwrap()["cancel_at_period_end"],
        true
    );
    let res = app
        .post("/api/subscriptions/reactivate/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.body["cancel_at_period_end"], false);

    // A plan change: the item's price changes with proration.
    let res = app
        .post("/api/subscriptions/change_plan/")
        .bearer(&token)
        .json(json!({"plan_id": PREMIUM}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["plan"], PREMIUM);
    let change = fake
        .requests()
        .into_iter()
        .rfind(|r| r.path == format!("/v1/subscriptions/{stripe_id}") && r.method == "POST")
        .unwrap();
    assert_eq!(change.param("items[0][price]"), Some("price_pre_m"));
    assert_eq!(
        change.param("proration_behavior"),
        Some("create_prorations")
    );
    assert_eq!(
        change.param("payment_behavior"),
        Some("pending_if_incomplete")
    );
    assert_eq!(
        fake.subscription(&stripe_id).unwrap()["items"]["data"][0]["price"]["id"],
        "price_pre_m"
    );

    // The portal.
    let portal = app
        .post("/api/subscriptions/portal/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(portal.status, 200, "{}", portal.body);
    assert!(portal.body["url"].as_str().unwrap().starts_with("http"));

    // A renewing Stripe subscription holds the account's deletion back
    // (Stripe would go on charging): cancel first.
    let refused = app.state.store.users().delete_everything(&user).await;
    assert!(
        matches!(refused, Err(shared::Error::Conflict(_))),
        "{refused:?}"
    );
    assert!(app
        .state
        .store
        .users()
        .get(&user.id)
        .await
        .unwrap()
        .is_some());

    // The renewal's events arrive later: nothing goes backwards.
    deliver(
        &app,
        vec![fake.subscription_event(&stripe_id, "invoice.paid")],
    )
    .await;
    let after = app
        .get("/api/subscriptions/active/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(after.body["plan"], PREMIUM);
    assert_eq!(after.body["status"], "active");

    // Cancelled (at period end), the account can go; the plan's count follows.
    app.post("/api/subscriptions/cancel/")
        .bearer(&token)
        .send()
        .await;
    app.state
        .store
        .users()
        .delete_everything(&user)
        .await
        .unwrap();
    assert_eq!(subscribers(&app, PREMIUM).await, 0);
    assert!(app
        .state
        .store
        .billing()
        .locate(&stripe_id)
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn stripe_down_is_a_503_that_stores_nothing() {
    let fake = FakeStripe::start().await;
    let app = with_stripe(&fake).await;
    let (user, token) = app.signed_in_user("unlucky").await;
    fake.fail_next(500, 4);
    let res = subscribe(&app, &token, STANDARD).await;
    assert_eq!(res.status, 503, "{}", res.body);
    assert!(app
        .state
        .store
        .billing()
        .subscriptions(&user.id)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(subscribers(&app, STANDARD).await, 0);
    // No price configured for the annual plan: not sold online.
    let annual = subscribe(&app, &token, "0195b000-0000-7000-8000-000000000003").await;
    assert_eq!(annual.status, 400);
    // The portal needs a customer first.
    let portal = app
        .post("/api/subscriptions/billing_portal/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(portal.status, 404);
}

#[tokio::test]
async fn an_abandoned_checkout_is_expired_at_stripe_before_it_gives_way() {
    let fake = FakeStripe::start().await;
    let app = with_stripe(&fake).await;
    let (user, token) = app.signed_in_user("hesitant").await;
    let first = subscribe(&app, &token, STANDARD).await;
    assert_eq!(first.status, 201);
    let first_id = first.body["id"].as_str().unwrap().to_string();
    let billing = app.state.store.billing();
    let first_session = billing
        .get(&user.id, &first_id)
        .await
        .unwrap()
        .unwrap()
        .checkout_session_id
        .unwrap();

    // Another plan instead: the first checkout can no longer be paid.
    let second = subscribe(&app, &token, PREMIUM).await;
    assert_eq!(second.status, 201, "{}", second.body);
    assert_eq!(
        fake.checkout_session(&first_session).unwrap()["status"],
        "expired"
    );
    let first_now = billing.get(&user.id, &first_id).await.unwrap().unwrap();
    assert_eq!(first_now.status, "expired");
    assert_eq!(
        (
            subscribers(&app, STANDARD).await,
            subscribers(&app, PREMIUM).await
        ),
        (0, 1)
    );
    // One customer for both.
    let customers = fake
        .requests()
        .iter()
        .filter(|r| r.path == "/v1/customers")
        .count();
    assert_eq!(customers, 1);

    // An open checkout holds the account's deletion back (it could still
    // be paid, and renew, with no account left).
    let refused = app.state.store.users().delete_everything(&user).await;
    assert!(
        matches!(refused, Err(shared::Error::Conflict(_))),
        "{refused:?}"
    );

    // Deleting the pending one expires its session too.
    let second_id = second.body["id"].as_str().unwrap();
    let second_session = billing
        .get(&user.id, second_id)
        .await
        .unwrap()
        .unwrap()
        .checkout_session_id
        .unwrap();
    let res = app
        .delete(&format!("/api/subscriptions/{second_id}/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 204, "{}", res.body);
    assert_eq!(
        fake.checkout_session(&second_session).unwrap()["status"],
        "expired"
    );
    assert_eq!(subscribers(&app, PREMIUM).await, 0);
    // The expired record of the first can be deleted as history.
    let res = app
        .delete(&format!("/api/subscriptions/{first_id}/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 204);
    assert_eq!(
        app.get("/api/subscriptions/")
            .bearer(&token)
            .send()
            .await
            .body["count"],
        0
    );
    assert_eq!(billing.stats().await.unwrap().total, 0);
}
