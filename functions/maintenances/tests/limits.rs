//! Per-vehicle limits, the plan's maintenance records a month, concurrent
//! deletes and what a request reads, through the router and the real SDK
//! against the emulator.

use serde_json::json;
use shared::domain::limits::{MAX_ACTIVE_REMINDERS_PER_VEHICLE, MAX_MAINTENANCES_PER_VEHICLE};
use shared::domain::plans::{FREE, MAINTENANCES_PER_MONTH, STANDARD};
use shared::store::billing::usage_month;
use shared::store::keys;
use testkit::{assert_plan_limit, join_all, one_winner};

type TestApp = testkit::TestApp<maintenances::MaintenancesState>;

async fn app() -> TestApp {
    TestApp::spawn(maintenances::router).await
}

#[tokio::test]
async fn maintenances_per_vehicle_hold_under_concurrent_creates() {
    let app = app().await;
    let (user, token) = app.signed_in_user("limit").await;
    let v = app.store_vehicle(&user.id, "Renault", 10_000).await;
    let (pk, sk) = (keys::user_pk(&user.id), keys::vehicle_sk(&v.id));
    app.set_number(
        &pk,
        &sk,
        "maintenances_count",
        MAX_MAINTENANCES_PER_VEHICLE - 1,
    )
    .await;

    let body = json!({"vehicle": v.id, "service_date": "2024-05-01", "service_type": "Oil change"});
    let responses = join_all(
        (0..4)
            .map(|_| {
                app.post("/api/maintenances/")
                    .bearer(&token)
                    .json(body.clone())
                    .send()
            })
            .collect(),
    )
    .await;
    one_winner(&responses, 201, &[400, 409]);
    let stored = app.stored_vehicle(&user.id, &v.id).await;
    assert_eq!(stored.maintenances_count, MAX_MAINTENANCES_PER_VEHICLE);

    // At the limit, a create is a 400 that says why, and nothing is written.
    let res = app
        .post("/api/maintenances/")
        .bearer(&token)
        .json(body.clone())
        .send()
        .await;
    assert_eq!(res.status, 400, "{}", res.text);
    assert_eq!(
        res.body["non_field_errors"][0],
        format!("A vehicle can have at most {MAX_MAINTENANCES_PER_VEHICLE} maintenance records.")
    );
    let list = app.get("/api/maintenances/").bearer(&token).send().await;
    assert_eq!(list.body["count"], 1);

    // Deleting one frees a slot.
    let id = list.body["results"][0]["id"].as_str().unwrap().to_string();
    let res = app
        .delete(&format!("/api/maintenances/{id}/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 204);
    let res = app
        .post("/api/maintenances/")
        .bearer(&token)
        .json(body)
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
}

#[tokio::test]
async fn two_deletes_of_one_maintenance_uncount_it_once() {
    let app = app().await;
    let (user, token) = app.signed_in_user("twice").await;
    let v = app.store_vehicle(&user.id, "Fiat", 10_000).await;
    for date in ["2024-01-01", "2024-02-01"] {
        let res = app
            .post("/api/maintenances/")
            .bearer(&token)
            .json(json!({"vehicle": v.id, "service_date": date, "service_type": "Tires"}))
            .send()
            .await;
        assert_eq!(res.status, 201);
    }
    let list = app.get("/api/maintenances/").bearer(&token).send().await;
    let id = list.body["results"][0]["id"].as_str().unwrap().to_string();
    let path = format!("/api/maintenances/{id}/");
    let responses = join_all(
        (0..3)
            .map(|_| app.delete(&path).bearer(&token).send())
            .collect(),
    )
    .await;
    one_winner(&responses, 204, &[404, 409]);
    let stored = app.stored_vehicle(&user.id, &v.id).await;
    assert_eq!(stored.maintenances_count, 1, "decremented once");
}

#[tokio::test]
async fn active_reminders_per_vehicle_hold_under_concurrent_creates() {
    let app = app().await;
    let (user, token) = app.signed_in_user("reminders").await;
    let v = app.store_vehicle(&user.id, "Peugeot", 40_000).await;
    let kept = app
        .store_reminder(&v, "Kept", Some("2031-01-01"), None)
        .await;
    let (pk, sk) = (keys::user_pk(&user.id), keys::vehicle_sk(&v.id));
    app.set_number(
        &pk,
        &sk,
        "active_reminders",
        MAX_ACTIVE_REMINDERS_PER_VEHICLE - 1,
    )
    .await;

    let body = json!({"vehicle": v.id, "service_type": "Oil change", "due_date": "2030-01-01"});
    let responses = join_all(
        (0..4)
            .map(|_| {
                app.post("/api/reminders/")
                    .bearer(&token)
                    .json(body.clone())
                    .send()
            })
            .collect(),
    )
    .await;
    one_winner(&responses, 201, &[400, 409]);
    let stored = app.stored_vehicle(&user.id, &v.id).await;
    assert_eq!(stored.active_reminders, MAX_ACTIVE_REMINDERS_PER_VEHICLE);

    let res = app
        .post("/api/reminders/")
        .bearer(&token)
        .json(body.clone())
        .send()
        .await;
    assert_eq!(res.status, 400, "{}", res.text);
    assert_eq!(
        res.body["non_field_errors"][0],
        format!("A vehicle can have at most {MAX_ACTIVE_REMINDERS_PER_VEHICLE} active reminders.")
    );

    // Completing one frees its slot; a non-recurring completion adds none.
    let res = app
        .post(&format!("/api/reminders/{}/complete/", kept.id))
        .bearer(&token)
        .json(json!({}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let stored = app.stored_vehicle(&user.id, &v.id).await;
    assert_eq!(
        stored.active_reminders,
        MAX_ACTIVE_REMINDERS_PER_VEHICLE - 1
    );
    let res = app
        .post("/api/reminders/")
        .bearer(&token)
        .json(body)
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);

    // Reactivating a done reminder at the limit is refused too.
    let res = app
        .patch(&format!("/api/reminders/{}/", kept.id))
        .bearer(&token)
        .json(json!({"status": "active"}))
        .send()
        .await;
    assert_eq!(res.status, 400, "{}", res.text);
    assert!(res.body["non_field_errors"][0]
        .as_str()
        .unwrap()
        .contains("active reminders"));
}

async fn active(app: &TestApp, v: &shared::domain::vehicles::Vehicle) -> i64 {
    app.stored_vehicle(&v.owner_id, &v.id)
        .await
        .active_reminders
}

#[tokio::test]
async fn reminder_status_changes_and_deletes_keep_the_count() {
    let app = app().await;
    let (user, token) = app.signed_in_user("counting").await;
    let v = app.store_vehicle(&user.id, "Skoda", 40_000).await;
    let mut ids = Vec::new();
    for months in [6, 12, 24] {
        let res = app
            .post("/api/reminders/")
            .bearer(&token)
            .json(
                json!({"vehicle": v.id, "service_type": "Oil change", "due_date": "2030-01-01",
                         "recurrence_months": months}),
            )
            .send()
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
        ids.push(res.body["id"].as_str().unwrap().to_string());
    }
    assert_eq!(active(&app, &v).await, 3);

    // A recurring completion replaces itself: still three.
    let res = app
        .post(&format!("/api/reminders/{}/complete/", ids[0]))
        .bearer(&token)
        .json(json!({}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert!(res.body["next_reminder"]["id"].is_string());
    assert_eq!(active(&app, &v).await, 3);

    // Dismissed: one less; back to active: one more.
    let path = format!("/api/reminders/{}/", ids[1]);
    let res = app
        .patch(&path)
        .bearer(&token)
        .json(json!({"status": "dismissed"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(active(&app, &v).await, 2);
    let res = app
        .patch(&path)
        .bearer(&token)
        .json(json!({"status": "active"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(active(&app, &v).await, 3);

    // Two deletes at once: one goes through, the count moves once.
    let path = format!("/api/reminders/{}/", ids[2]);
    let responses = join_all(
        (0..3)
            .map(|_| app.delete(&path).bearer(&token).send())
            .collect(),
    )
    .await;
    one_winner(&responses, 204, &[404, 409]);
    assert_eq!(active(&app, &v).await, 2);
}

#[tokio::test]
async fn what_a_request_reads_depends_on_what_it_answers_with() {
    let app = app().await;
    let (user, token) = app.signed_in_user("history").await;
    let v = app.store_vehicle(&user.id, "Volvo", 90_000).await;
    let _ = app
        .store_reminder(&v, "Timing belt", Some("2031-01-01"), None)
        .await;
    app.store_history(&v, 200, 500).await;

    // Reminders answer from the reminders and their vehicles: the 500
    // maintenances and 200 sessions are not read.
    let before = app.items_read();
    let res = app.get("/api/reminders/").bearer(&token).send().await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["count"], 1);
    assert_eq!(app.items_read() - before, 3, "user + vehicle + reminder");

    let before = app.items_read();
    let res = app.get("/api/reminders/due/").bearer(&token).send().await;
    assert_eq!(res.status, 200);
    assert_eq!(app.items_read() - before, 3);

    // Statistics answer from the maintenances alone.
    let before = app.items_read();
    let res = app
        .get("/api/maintenances/stats/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(app.items_read() - before, 501, "user + 500 maintenances");

    // Upcoming reads the index (nothing scheduled) and the vehicles.
    let before = app.items_read();
    let res = app
        .get("/api/maintenances/upcoming/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(app.items_read() - before, 2, "user + vehicle");
}

/// Brings the owner's maintenance records of this month to `used`.
async fn set_month(app: &TestApp, owner_id: &str, used: i64) {
    let month = usage_month(&shared::time::now());
    app.set_number(
        &keys::billing_pk(owner_id),
        &keys::usage_sk(&month),
        "maintenances",
        used,
    )
    .await;
}

async fn month_used(app: &TestApp, owner_id: &str) -> i64 {
    app.state
        .store
        .billing()
        .usage(owner_id, &shared::time::now())
        .await
        .unwrap()
        .maintenances
}

fn oil_change(vehicle_id: &str) -> serde_json::Value {
    json!({"vehicle": vehicle_id, "service_date": "2024-05-01", "service_type": "Oil change"})
}

#[tokio::test]
async fn the_free_plan_records_thirty_maintenances_a_month() {
    let app = app().await;
    let (user, token) = app.signed_in_user("monthly").await;
    let v = app.store_vehicle(&user.id, "Renault", 10_000).await;
    let res = app
        .post("/api/maintenances/")
        .bearer(&token)
        .json(oil_change(&v.id))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(month_used(&app, &user.id).await, 1, "every create counts");

    set_month(&app, &user.id, 29).await;
    let res = app
        .post("/api/maintenances/")
        .bearer(&token)
        .json(oil_change(&v.id))
        .send()
        .await;
    assert_eq!(res.status, 201, "the thirtieth: {}", res.text);
    let res = app
        .post("/api/maintenances/")
        .bearer(&token)
        .json(oil_change(&v.id))
        .send()
        .await;
    assert_plan_limit(&res, MAINTENANCES_PER_MONTH, FREE, Some(STANDARD));
    assert_eq!(res.body["allowed"], "30");
    assert_eq!(month_used(&app, &user.id).await, 30);
    let stored = app.stored_vehicle(&user.id, &v.id).await;
    assert_eq!(stored.maintenances_count, 2, "nothing written");

    // Completing a reminder with its record is a create too: refused
    // whole, the reminder stays active.
    let reminder = app
        .store_reminder(&v, "Vidange", Some("2030-01-01"), None)
        .await;
    let res = app
        .post(&format!("/api/reminders/{}/complete/", reminder.id))
        .bearer(&token)
        .json(json!({"record_maintenance": true}))
        .send()
        .await;
    assert_plan_limit(&res, MAINTENANCES_PER_MONTH, FREE, Some(STANDARD));
    let kept = app.stored_reminder(&user.id, &reminder.id).await.unwrap();
    assert!(kept.is_active(), "{kept:?}");

    // Standard has no monthly bound: counted all the same.
    app.grant_plan(&user.id, Some(STANDARD)).await;
    let res = app
        .post("/api/maintenances/")
        .bearer(&token)
        .json(oil_change(&v.id))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(month_used(&app, &user.id).await, 31);
}

#[tokio::test]
async fn a_downgrade_keeps_the_records_editable_and_refuses_the_next() {
    let app = app().await;
    let (user, token) = app.signed_in_user("downgrade").await;
    let v = app.store_vehicle(&user.id, "Peugeot", 10_000).await;
    app.grant_plan(&user.id, Some(STANDARD)).await;
    set_month(&app, &user.id, 40).await;
    let res = app
        .post("/api/maintenances/")
        .bearer(&token)
        .json(oil_change(&v.id))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let id = res.body["id"].as_str().unwrap().to_string();

    app.grant_plan(&user.id, None).await;
    let path = format!("/api/maintenances/{id}/");
    let res = app.get(&path).bearer(&token).send().await;
    assert_eq!(res.status, 200, "{}", res.text);
    let res = app
        .patch(&path)
        .bearer(&token)
        .json(json!({"description": "Huile 5W30"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["description"], "Huile 5W30");
    let res = app
        .post("/api/maintenances/")
        .bearer(&token)
        .json(oil_change(&v.id))
        .send()
        .await;
    assert_plan_limit(&res, MAINTENANCES_PER_MONTH, FREE, Some(STANDARD));
    let res = app.delete(&path).bearer(&token).send().await;
    assert_eq!(res.status, 204, "{}", res.text);
    assert_eq!(
        month_used(&app, &user.id).await,
        41,
        "a delete gives none back"
    );
}

#[tokio::test]
async fn two_creates_for_the_months_last_record_leave_one() {
    let app = app().await;
    let (user, token) = app.signed_in_user("race").await;
    let a = app.store_vehicle(&user.id, "Renault", 10_000).await;
    let b = app.store_vehicle(&user.id, "Dacia", 10_000).await;
    set_month(&app, &user.id, 29).await;
    let send = |vehicle_id: &str| {
        app.post("/api/maintenances/")
            .bearer(&token)
            .json(oil_change(vehicle_id))
            .send()
    };
    // Two vehicles: only the month's counter is shared.
    let (first, second) = tokio::join!(send(&a.id), send(&b.id));
    let responses = [first, second];
    one_winner(&responses, 201, &[403]);
    let lost = responses.iter().find(|r| r.status != 201).unwrap();
    assert_plan_limit(lost, MAINTENANCES_PER_MONTH, FREE, Some(STANDARD));
    assert_eq!(month_used(&app, &user.id).await, 30);
    let list = app.get("/api/maintenances/").bearer(&token).send().await;
    assert_eq!(list.body["count"], 1, "{}", list.text);
}
