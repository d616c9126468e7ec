//! The per-user vehicle limit (the plan's, within the hard one), deletes
//! that race, guards freed only by their holder, and what a request reads,
//! through the router and the real SDK against the emulator.

use serde_json::{json, Value};
use shared::domain::limits::MAX_VEHICLES_PER_USER;
use shared::domain::plans::{FREE, MAX_VEHICLES, PREMIUM, STANDARD};
use shared::store::keys;
use testkit::{assert_plan_limit, join_all, one_winner};

type TestApp = testkit::TestApp<vehicles::VehiclesState>;

async fn app() -> TestApp {
    TestApp::spawn(vehicles::router).await
}

fn car(make: &str) -> Value {
    json!({"make": make, "model": "Model", "year": 2020})
}

#[tokio::test]
async fn vehicles_per_user_hold_under_concurrent_creates() {
    let app = app().await;
    let (user, token) = app.signed_in_user("fleet").await;
    // Premium allows as many as the hard limit: that one answers.
    app.grant_plan(&user.id, Some(PREMIUM)).await;
    app.set_number(
        &keys::user_pk(&user.id),
        keys::USER_PROFILE_SK,
        "vehicles_count",
        MAX_VEHICLES_PER_USER - 1,
    )
    .await;
    let responses = join_all(
        (0..4)
            .map(|i| {
                app.post("/api/vehicles/")
                    .bearer(&token)
                    .json(car(&format!("Make{i}")))
                    .send()
            })
            .collect(),
    )
    .await;
    let created = one_winner(&responses, 201, &[400, 409]).body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let res = app
        .post("/api/vehicles/")
        .bearer(&token)
        .json(car("Late"))
        .send()
        .await;
    assert_eq!(res.status, 400, "{}", res.text);
    assert_eq!(
        res.body,
        json!({"non_field_errors": [format!("An account can hold at most {MAX_VEHICLES_PER_USER} vehicles.")]})
    );
    let list = app.get("/api/vehicles/").bearer(&token).send().await;
    assert_eq!(list.body["count"], 1, "nothing half-written");

    // A delete frees the slot.
    let res = app
        .delete(&format!("/api/vehicles/{created}/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 204);
    let res = app
        .post("/api/vehicles/")
        .bearer(&token)
        .json(car("Again"))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
}

async fn vehicles_count(app: &TestApp, owner_id: &str) -> String {
    let profile = app
        .state
        .store
        .get(&keys::user_pk(owner_id), keys::USER_PROFILE_SK)
        .await
        .unwrap()
        .unwrap();
    profile["vehicles_count"].as_n().unwrap().clone()
}

async fn create(app: &TestApp, token: &str, make: &str) -> testkit::TestResponse {
    app.post("/api/vehicles/")
        .bearer(token)
        .json(car(make))
        .send()
        .await
}

#[tokio::test]
async fn the_free_plan_holds_three_vehicles_and_a_grant_lifts_it() {
    let app = app().await;
    let (user, token) = app.signed_in_user("free").await;
    for i in 0..3 {
        let res = create(&app, &token, &format!("Make{i}")).await;
        assert_eq!(res.status, 201, "{}", res.text);
    }
    let res = create(&app, &token, "Fourth").await;
    assert_plan_limit(&res, MAX_VEHICLES, FREE, Some(STANDARD));
    assert_eq!(res.body["allowed"], "3");
    assert_eq!(res.body["upgrade_plan"]["name"], "Standard");
    assert!(
        res.body["detail"]
            .as_str()
            .unwrap()
            .starts_with("Vehicles: your plan (Free) allows 3. Standard (9.99 EUR/month)"),
        "{}",
        res.text
    );
    assert_eq!(vehicles_count(&app, &user.id).await, "3", "nothing counted");

    // Standard: ten, read with the user at the next request.
    app.grant_plan(&user.id, Some(STANDARD)).await;
    let res = create(&app, &token, "Fourth").await;
    assert_eq!(res.status, 201, "{}", res.text);
    app.set_number(
        &keys::user_pk(&user.id),
        keys::USER_PROFILE_SK,
        "vehicles_count",
        9,
    )
    .await;
    let res = create(&app, &token, "Tenth").await;
    assert_eq!(res.status, 201, "{}", res.text);
    let res = create(&app, &token, "Eleventh").await;
    assert_plan_limit(&res, MAX_VEHICLES, STANDARD, Some(PREMIUM));
    assert_eq!(res.body["allowed"], "10");
}

#[tokio::test]
async fn a_downgrade_keeps_the_vehicles_and_refuses_the_next() {
    let app = app().await;
    let (user, token) = app.signed_in_user("downgraded").await;
    app.grant_plan(&user.id, Some(STANDARD)).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let res = create(&app, &token, &format!("Make{i}")).await;
        assert_eq!(res.status, 201, "{}", res.text);
        ids.push(res.body["id"].as_str().unwrap().to_string());
    }
    // The subscription ended: back to Free, five vehicles held.
    app.grant_plan(&user.id, None).await;
    let list = app.get("/api/vehicles/").bearer(&token).send().await;
    assert_eq!(list.body["count"], 5, "{}", list.text);
    let path = format!("/api/vehicles/{}/", ids[0]);
    let res = app
        .patch(&path)
        .bearer(&token)
        .json(json!({"color": "Rouge", "mileage": 1000}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["color"], "Rouge");
    let res = create(&app, &token, "Sixth").await;
    assert_plan_limit(&res, MAX_VEHICLES, FREE, Some(STANDARD));
    // Under the Free limit again (two left), the next one goes in.
    for id in &ids[..3] {
        let res = app
            .delete(&format!("/api/vehicles/{id}/"))
            .bearer(&token)
            .send()
            .await;
        assert_eq!(res.status, 204, "{}", res.text);
    }
    let res = create(&app, &token, "Again").await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(vehicles_count(&app, &user.id).await, "3");
}

#[tokio::test]
async fn two_creates_for_the_last_place_leave_one_vehicle() {
    let app = app().await;
    let (user, token) = app.signed_in_user("racer").await;
    for i in 0..2 {
        let res = create(&app, &token, &format!("Make{i}")).await;
        assert_eq!(res.status, 201, "{}", res.text);
    }
    let (a, b) = tokio::join!(create(&app, &token, "A"), create(&app, &token, "B"));
    let responses = [a, b];
    let lost = responses.iter().find(|r| r.status != 201).unwrap();
    assert_plan_limit(lost, MAX_VEHICLES, FREE, Some(STANDARD));
    one_winner(&responses, 201, &[403]);
    assert_eq!(vehicles_count(&app, &user.id).await, "3");
    let list = app.get("/api/vehicles/").bearer(&token).send().await;
    assert_eq!(list.body["count"], 3, "{}", list.text);
}

#[tokio::test]
async fn concurrent_deletes_uncount_once_and_a_stale_delete_never_frees_anothers_vin() {
    let app = app().await;
    let (user, token) = app.signed_in_user("seller").await;
    let (buyer, buyer_token) = app.signed_in_user("buyer").await;
    let vin = "VF1RFB00X56789012";
    let res = app
        .post("/api/vehicles/")
        .bearer(&token)
        .json(json!({"make": "Renault", "model": "Clio", "year": 2019, "vin": vin}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let id = res.body["id"].as_str().unwrap().to_string();
    let stale = app.stored_vehicle(&user.id, &id).await;

    let path = format!("/api/vehicles/{id}/");
    let responses = join_all(
        (0..3)
            .map(|_| app.delete(&path).bearer(&token).send())
            .collect(),
    )
    .await;
    one_winner(&responses, 204, &[404, 409]);
    let profile = app
        .state
        .store
        .get(&keys::user_pk(&user.id), keys::USER_PROFILE_SK)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        profile["vehicles_count"].as_n().unwrap(),
        "0",
        "uncounted once"
    );

    // The buyer registers the car under the same VIN...
    let res = app
        .post("/api/vehicles/")
        .bearer(&buyer_token)
        .json(json!({"make": "Renault", "model": "Clio", "year": 2019, "vin": vin}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    // ...and a delete working from a stale read of the seller's vehicle is
    // refused without touching the buyer's guard.
    let err = app.state.store.vehicles().delete(&stale).await.unwrap_err();
    assert!(
        matches!(err, shared::Error::NotFound(Some("Vehicle"))),
        "{err:?}"
    );
    let (guard_pk, guard_sk) = keys::vin_guard(vin);
    let guard = app
        .state
        .store
        .get(&guard_pk, &guard_sk)
        .await
        .unwrap()
        .expect("the buyer's guard is still there");
    assert_eq!(guard["owner_id"].as_s().unwrap(), &buyer.id);
    let res = app
        .post("/api/vehicles/")
        .bearer(&token)
        .json(json!({"make": "Renault", "model": "Clio", "year": 2019, "vin": vin}))
        .send()
        .await;
    assert_eq!(
        res.body,
        json!({"vin": ["vehicle with this vin already exists."]})
    );
}

#[tokio::test]
async fn two_deletes_of_one_model_uncount_it_once() {
    let app = app().await;
    let (_, staff) = app.signed_in_staff("staff").await;
    let brand = app
        .post("/api/brands/")
        .bearer(&staff)
        .json(json!({"name": "Dacia"}))
        .send()
        .await
        .body;
    let brand_id = brand["id"].as_str().unwrap();
    let mut models = Vec::new();
    for name in ["Sandero", "Duster"] {
        let res = app
            .post("/api/models/")
            .bearer(&staff)
            .json(json!({"brand": brand_id, "name": name, "year_start": 2012}))
            .send()
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
        models.push(res.body["id"].as_str().unwrap().to_string());
    }
    let path = format!("/api/models/{}/", models[0]);
    let responses = join_all(
        (0..3)
            .map(|_| app.delete(&path).bearer(&staff).send())
            .collect(),
    )
    .await;
    one_winner(&responses, 204, &[404, 409]);
    let res = app
        .get(&format!("/api/brands/{brand_id}/"))
        .bearer(&staff)
        .send()
        .await;
    assert_eq!(res.body["models_count"], 1, "{}", res.text);
}

#[tokio::test]
async fn a_vehicle_list_reads_the_vehicles_and_the_user_only() {
    let app = app().await;
    let (user, token) = app.signed_in_user("reader").await;
    let v = app.store_vehicle(&user.id, "Volvo", 90_000).await;
    let _ = app.store_vehicle(&user.id, "Saab", 150_000).await;
    app.store_history(&v, 200, 500).await;

    let before = app.items_read();
    let res = app.get("/api/vehicles/").bearer(&token).send().await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["count"], 2);
    assert_eq!(app.items_read() - before, 3, "2 vehicles + the user");

    let before = app.items_read();
    let res = app
        .get(&format!("/api/vehicles/{}/", v.id))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["maintenances_count"], 500);
    assert_eq!(app.items_read() - before, 2, "the vehicle + the user");

    // A vehicle's own maintenances: its records, the vehicles, the user;
    // never the sessions.
    let before = app.items_read();
    let res = app
        .get(&format!("/api/vehicles/{}/maintenances/", v.id))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body.as_array().unwrap().len(), 500);
    assert_eq!(app.items_read() - before, 503);
}

#[tokio::test]
async fn a_plan_allowing_none_refuses_the_first_vehicle() {
    use shared::domain::plans::{FeatureValue, PlanGrant};
    let app = app().await;
    let (user, token) = app.signed_in_user("none-allowed").await;
    // A plan staff set to 0 vehicles (a counter that does not exist yet
    // must not let the first one through).
    let mut grant: PlanGrant = testkit::catalogue_grant(FREE);
    grant.features.retain(|f| f.feature_key != MAX_VEHICLES);
    grant.features.push(FeatureValue {
        feature_key: MAX_VEHICLES.into(),
        value: "0".into(),
    });
    let store = &app.state.store;
    store
        .transact(vec![store
            .billing()
            .tx_grant(&user.id, Some(&grant))
            .unwrap()])
        .await
        .unwrap();
    let res = app
        .post("/api/vehicles/")
        .bearer(&token)
        .json(car("Zero"))
        .send()
        .await;
    assert_plan_limit(&res, MAX_VEHICLES, FREE, Some(STANDARD));
    assert!(store.vehicles().list(&user.id).await.unwrap().is_empty());
}
