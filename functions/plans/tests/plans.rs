//! The plan catalogue through the router against the emulator: public
//! reads with the visibility rule, staff writes, validation at the bounds,
//! the catalogue load, deletion of a plan in use.

use serde_json::{json, Value};
use shared::domain::plans::{CATALOGUE, MAX_PLANS};
use shared::store::keys;

type TestApp = testkit::TestApp<plans::PlansState>;

async fn app() -> TestApp {
    TestApp::spawn(plans::router).await
}

/// The catalogue as `make dev` loads it, with a Stripe price for Standard;
/// how many plans the load wrote.
async fn load(app: &TestApp) -> usize {
    let now = shared::time::now();
    let plans: Vec<_> = CATALOGUE
        .iter()
        .map(|p| {
            p.plan(
                |var| (var == "STRIPE_PRICE_STANDARD_MONTH").then(|| "price_std_m".into()),
                now,
            )
        })
        .collect();
    app.state.store.plans().load(&plans).await.unwrap()
}

async fn load_catalogue(app: &TestApp) {
    assert_eq!(load(app).await, CATALOGUE.len());
}

fn names(res: &testkit::TestResponse, key: &str) -> Vec<String> {
    let rows = if key.is_empty() {
        res.body.as_array().unwrap().clone()
    } else {
        res.body[key].as_array().unwrap().clone()
    };
    rows.iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect()
}

fn premium_body() -> Value {
    json!({
        "name": "Garage pro", "price": "49.90", "currency": "eur", "interval": "month",
        "tier": "premium", "is_popular": false,
        "feature_values": [{"feature_key": "max_vehicles", "value": "unlimited"},
                           {"feature": "ai_analyses_per_month", "value": 1000},
                           {"feature_key": "ai_diagnostic", "value": true}]
    })
}

#[tokio::test]
async fn anyone_reads_the_active_catalogue_cheapest_first() {
    let app = app().await;
    load_catalogue(&app).await;
    let list = app.get("/api/plans/").send().await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(list.body["count"], 5);
    assert_eq!(
        names(&list, "results"),
        vec![
            "Free",
            "Standard",
            "Premium",
            "Standard (annual)",
            "Premium (annual)"
        ]
    );
    let standard = &list.body["results"][1];
    assert_eq!(standard["price"], "9.99");
    assert_eq!(standard["price_display"], "9.99 EUR/month");
    assert_eq!(standard["tier"], "standard");
    assert_eq!(standard["stripe_price_id"], "price_std_m");
    assert_eq!(standard["limits"]["vehicles"], 10);
    assert_eq!(standard["limits"]["maintenances_per_month"], Value::Null);
    assert_eq!(
        list.body["results"][0]["limits"]["ai_analyses_per_month"],
        5
    );
    let yearly = app.get("/api/plans/?interval=year").send().await;
    assert_eq!(
        names(&yearly, "results"),
        vec!["Standard (annual)", "Premium (annual)"]
    );
    let bad = app.get("/api/plans/?interval=week").send().await;
    assert_eq!(bad.status, 400);
    let search = app.get("/api/plans/?search=yearly").send().await;
    assert_eq!(search.body["count"], 2);
    let dearest = app.get("/api/plans/?ordering=-price").send().await;
    assert_eq!(names(&dearest, "results")[0], "Premium (annual)");
    for path in ["/api/plans/active/", "/api/plans/active_plans/"] {
        let res = app.get(path).send().await;
        assert_eq!(res.status, 200);
        assert_eq!(res.body.as_array().unwrap().len(), 5);
    }
    for path in [
        "/api/plans/by-interval/?interval=month",
        "/api/plans/by_interval/?interval=month",
    ] {
        let res = app.get(path).send().await;
        assert_eq!(names(&res, ""), vec!["Free", "Standard", "Premium"]);
    }
    let unknown = app
        .get("/api/plans/by_interval/?interval=week")
        .send()
        .await;
    assert_eq!(unknown.body, json!([]));
    let popular = app.get("/api/plans/popular/").send().await;
    assert_eq!(names(&popular, ""), vec!["Standard"]);
    let one = app
        .get(&format!("/api/plans/{}/", CATALOGUE[1].id))
        .send()
        .await;
    assert_eq!(one.body["name"], "Standard");
    // A token that is sent must be valid, even on a public read.
    let res = app.get("/api/plans/").bearer("not-a-token").send().await;
    assert_eq!(res.status, 401);
}

#[tokio::test]
async fn inactive_plans_exist_for_staff_only() {
    let app = app().await;
    load_catalogue(&app).await;
    let (_, staff) = app.signed_in_staff("plans-admin").await;
    let (_, owner) = app.signed_in_user("plans-owner").await;
    let id = CATALOGUE[2].id;
    let res = app
        .patch(&format!("/api/plans/{id}/"))
        .bearer(&staff)
        .json(json!({"is_active": false}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["is_active"], false);
    for token in [None, Some(owner.as_str())] {
        let mut req = app.get(&format!("/api/plans/{id}/"));
        if let Some(t) = token {
            req = req.bearer(t);
        }
        assert_eq!(req.send().await.status, 404);
        let mut req = app.get("/api/plans/");
        if let Some(t) = token {
            req = req.bearer(t);
        }
        assert_eq!(req.send().await.body["count"], 4);
    }
    let seen = app
        .get(&format!("/api/plans/{id}/"))
        .bearer(&staff)
        .send()
        .await;
    assert_eq!(seen.status, 200);
    let all = app.get("/api/plans/").bearer(&staff).send().await;
    assert_eq!(all.body["count"], 5);
    let inactive = app
        .get("/api/plans/?is_active=false")
        .bearer(&staff)
        .send()
        .await;
    assert_eq!(names(&inactive, "results"), vec!["Standard (annual)"]);
    // `active/` is the active ones, staff or not.
    let active = app.get("/api/plans/active/").bearer(&staff).send().await;
    assert_eq!(active.body.as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn staff_write_plans_and_nobody_else_does() {
    let app = app().await;
    let (_, staff) = app.signed_in_staff("writer").await;
    let (_, owner) = app.signed_in_user("not-staff").await;
    let res = app.post("/api/plans/").json(premium_body()).send().await;
    assert_eq!(res.status, 401);
    let res = app
        .post("/api/plans/")
        .bearer(&owner)
        .json(premium_body())
        .send()
        .await;
    assert_eq!(res.status, 403);
    // Refused before the body is read: the same 403 for a broken body.
    let res = app
        .post("/api/plans/")
        .bearer(&owner)
        .raw("application/json", b"{not json")
        .send()
        .await;
    assert_eq!(res.status, 403, "{}", res.text);
    let res = app
        .post("/api/plans/")
        .bearer(&staff)
        .json(premium_body())
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let plan = res.body.clone();
    assert!(plan["id"].as_str().is_some());
    assert_eq!(plan["currency"], "EUR");
    assert_eq!(plan["price"], "49.90");
    assert_eq!(plan["limits"]["vehicles"], Value::Null);
    assert_eq!(plan["limits"]["ai_analyses_per_month"], 1000);
    assert_eq!(plan["limits"]["ai_diagnostic"], true);
    // Limits the plan does not name are the Free tier's.
    assert_eq!(plan["limits"]["documents"], 50);
    let path = format!("/api/plans/{}/", plan["id"].as_str().unwrap());
    for req in [
        app.patch(&path)
            .bearer(&owner)
            .json(json!({"price": "1.00"})),
        app.delete(&path).bearer(&owner),
    ] {
        assert_eq!(req.send().await.status, 403);
    }
    let res = app
        .put(&path)
        .bearer(&staff)
        .json(json!({"name": "Garage pro+"}))
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert!(res.body.get("price").is_some());
    let res = app
        .put(&path)
        .bearer(&staff)
        .json(
            json!({"name": "Garage pro+", "price": 59, "description": null, "feature_values": []}),
        )
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["price"], "59.00");
    assert_eq!(res.body["feature_values"], json!([]));
    assert_eq!(res.body["tier"], "premium");
    let res = app.delete(&path).bearer(&staff).send().await;
    assert_eq!(res.status, 204);
    assert_eq!(app.get(&path).bearer(&staff).send().await.status, 404);
}

#[tokio::test]
async fn bad_plans_are_refused_with_field_errors() {
    let app = app().await;
    let (_, staff) = app.signed_in_staff("validator").await;
    let cases = [
        (json!({}), vec!["name", "price"]),
        (json!({"name": "x", "price": "-0.01"}), vec!["price"]),
        (json!({"name": "x", "price": "1.001"}), vec!["price"]),
        (json!({"name": "x", "price": "123456789.00"}), vec!["price"]),
        (json!({"name": "x".repeat(101), "price": 1}), vec!["name"]),
        (
            json!({"name": "x", "price": 1, "currency": "EURO"}),
            vec!["currency"],
        ),
        (
            json!({"name": "x", "price": 1, "currency": "E1R"}),
            vec!["currency"],
        ),
        (
            json!({"name": "x", "price": 1, "interval": "week"}),
            vec!["interval"],
        ),
        (
            json!({"name": "x", "price": 1, "tier": "gold"}),
            vec!["tier"],
        ),
        (
            json!({"name": "x", "price": 1, "is_active": null}),
            vec!["is_active"],
        ),
        (
            json!({"name": "x", "price": 1, "feature_values": [{"feature_key": "max_cars", "value": "3"}]}),
            vec!["feature_values"],
        ),
        (
            json!({"name": "x", "price": 1, "feature_values": [{"feature_key": "max_vehicles", "value": "-3"}]}),
            vec!["feature_values"],
        ),
        (
            json!({"name": "x", "price": 1, "feature_values": [{"feature_key": "ai_diagnostic", "value": "yes"}]}),
            vec!["feature_values"],
        ),
        (
            json!({"name": "x", "price": 1, "feature_values": [
                {"feature_key": "max_vehicles", "value": 3}, {"feature_key": "max_vehicles", "value": 4}]}),
            vec!["feature_values"],
        ),
        (
            json!({"name": "x", "price": 1, "feature_values": "3"}),
            vec!["feature_values"],
        ),
    ];
    for (body, fields) in cases {
        let res = app
            .post("/api/plans/")
            .bearer(&staff)
            .json(body.clone())
            .send()
            .await;
        assert_eq!(res.status, 400, "{body}: {}", res.text);
        for field in fields {
            assert!(res.body.get(field).is_some(), "{field} in {}", res.text);
        }
    }
    let res = app
        .post("/api/plans/")
        .bearer(&staff)
        .json(json!({"name": "x", "price": "-1"}))
        .send()
        .await;
    assert_eq!(res.body, json!({"price": ["Price must be non-negative."]}));
    // The smallest and the largest price read back unchanged.
    for price in ["0.00", "99999999.99"] {
        let res = app
            .post("/api/plans/")
            .bearer(&staff)
            .json(json!({"name": format!("p{price}"), "price": price}))
            .send()
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
        let id = res.body["id"].as_str().unwrap();
        let back = app.get(&format!("/api/plans/{id}/")).send().await;
        assert_eq!(back.body["price"], price);
        assert_eq!(back.body["currency"], "USD");
    }
    // A PATCH cannot make a price negative either (the reference could).
    let id = CATALOGUE[0].id;
    let res = app
        .patch(&format!("/api/plans/{id}/"))
        .bearer(&staff)
        .json(json!({"price": -5}))
        .send()
        .await;
    assert!(res.status == 400 || res.status == 404);
}

#[tokio::test]
async fn a_plan_with_subscribers_is_not_deleted_and_the_catalogue_reloads_in_place() {
    let app = app().await;
    load_catalogue(&app).await;
    let (_, staff) = app.signed_in_staff("deleter").await;
    let id = CATALOGUE[1].id;
    app.set_number(keys::PLANS_PK, &keys::plan_sk(id), "subscribers", 2)
        .await;
    let res = app
        .delete(&format!("/api/plans/{id}/"))
        .bearer(&staff)
        .send()
        .await;
    assert_eq!(res.status, 409, "{}", res.text);
    assert!(res.text.contains("deactivate"), "{}", res.text);
    // A staff edit keeps the count; a reload of the catalogue too.
    let res = app
        .patch(&format!("/api/plans/{id}/"))
        .bearer(&staff)
        .json(json!({"description": "Nouveau texte"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    // Only the edited plan differs from the catalogue.
    assert_eq!(load(&app).await, 1);
    let stored = app.state.store.plans().get(id).await.unwrap().unwrap();
    assert_eq!(stored.subscribers, 2);
    assert_eq!(
        stored.description.as_deref(),
        Some(CATALOGUE[1].description)
    );
    let res = app
        .delete("/api/plans/no-such-plan/")
        .bearer(&staff)
        .send()
        .await;
    assert_eq!(res.status, 404);
}

#[tokio::test]
async fn the_catalogue_has_a_bound_and_two_edits_at_once_do_not_both_win() {
    let app = app().await;
    let (_, staff) = app.signed_in_staff("bounds").await;
    let now = shared::time::now();
    let many: Vec<_> = (0..MAX_PLANS)
        .map(|i| {
            let mut p = CATALOGUE[0].plan(|_| None, now);
            p.id = format!("plan-{i:03}");
            p
        })
        .collect();
    app.state.store.plans().load(&many).await.unwrap();
    let res = app
        .post("/api/plans/")
        .bearer(&staff)
        .json(json!({"name": "one too many", "price": 1}))
        .send()
        .await;
    assert_eq!(res.status, 400, "{}", res.text);
    let path = "/api/plans/plan-000/";
    let responses = testkit::join_all(vec![
        app.patch(path)
            .bearer(&staff)
            .json(json!({"name": "A"}))
            .send(),
        app.patch(path)
            .bearer(&staff)
            .json(json!({"name": "B"}))
            .send(),
    ])
    .await;
    let statuses: Vec<u16> = responses.iter().map(|r| r.status).collect();
    assert!(statuses.contains(&200), "{statuses:?}");
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 409),
        "{statuses:?}"
    );
    // Each edit that succeeded was applied to what it read: the stored
    // version counts them, and the name is one of theirs.
    let stored = app
        .state
        .store
        .plans()
        .get("plan-000")
        .await
        .unwrap()
        .unwrap();
    let won = statuses.iter().filter(|s| **s == 200).count() as u64;
    assert_eq!(stored.version, won);
    assert!(responses
        .iter()
        .any(|r| r.status == 200 && r.body["name"] == stored.name.as_str()));
}
