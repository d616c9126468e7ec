//! Reminders through the router and the real SDK against the emulator.

use serde_json::{json, Value};

type TestApp = testkit::TestApp<maintenances::MaintenancesState>;

async fn app() -> TestApp {
    TestApp::spawn(maintenances::router).await
}

fn days_from_now(days: i64) -> String {
    shared::time::format(&(shared::time::now() + chrono::Duration::days(days)))
}

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let res = app
        .post("/api/reminders/")
        .bearer(token)
        .json(body)
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    res.body
}

#[tokio::test]
async fn create_validates_defaults_and_answers_the_full_reminder() {
    let app = app().await;
    let (user, token) = app.signed_in_user("planner").await;
    let (other, _) = app.signed_in_user("stranger").await;
    let v = app.store_vehicle(&user.id, "Peugeot", 40_000).await;
    let theirs = app.store_vehicle(&other.id, "Fiat", 1_000).await;

    let before = app.calls();
    let r = create(
        &app,
        &token,
        json!({"vehicle": v.id, "service_type": "Oil change", "due_date": "2030-01-01",
               "due_mileage": 55_000, "recurrence_months": 12, "recurrence_km": 15_000}),
    )
    .await;
    assert_eq!(
        app.calls() - before,
        5,
        "the user and three collections at the same time + one write"
    );
    assert!(r["id"].is_string());
    assert_eq!(
        r["title"], "Oil change",
        "title defaults to the service type"
    );
    assert_eq!(r["status"], "active");
    assert_eq!(r["urgency"], Value::Null);
    assert_eq!(r["due_date"], "2030-01-01T00:00:00Z");
    assert_eq!(r["km_remaining"], 15_000);
    assert_eq!(
        (
            &r["remind_days_before"],
            &r["urgent_days_before"],
            &r["remind_km_before"],
            &r["urgent_km_before"]
        ),
        (&json!(30), &json!(7), &json!(1000), &json!(300))
    );
    assert_eq!(r["vehicle_info"]["make"], "Peugeot");

    let res = app
        .post("/api/reminders/")
        .bearer(&token)
        .json(json!({"vehicle": v.id, "service_type": "Tyres"}))
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body,
        json!({"non_field_errors": ["Set a due date, a due mileage or both."]})
    );
    let res = app
        .post("/api/reminders/")
        .bearer(&token)
        .json(
            json!({"vehicle": v.id, "service_type": "Tyres", "due_mileage": -1,
                     "due_date": "soon", "recurrence_months": 0}),
        )
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert!(res.body["due_mileage"].is_array());
    assert!(res.body["due_date"].is_array());
    assert!(res.body["recurrence_months"].is_array());
    let res = app
        .post("/api/reminders/")
        .bearer(&token)
        .json(
            json!({"vehicle": v.id, "service_type": "Tyres", "due_mileage": 50_000,
                     "remind_km_before": 100, "urgent_km_before": 500}),
        )
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body,
        json!({"urgent_km_before": ["Must not be more than remind_km_before."]})
    );
    let res = app
        .post("/api/reminders/")
        .bearer(&token)
        .json(json!({"vehicle": theirs.id, "service_type": "Tyres", "due_mileage": 5_000}))
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body,
        json!({"vehicle": ["You can only create reminders for your own vehicles"]})
    );
    let res = app
        .post("/api/reminders/")
        .json(json!({"vehicle": v.id, "service_type": "Tyres", "due_mileage": 5_000}))
        .send()
        .await;
    assert_eq!(res.status, 401);
}

#[tokio::test]
async fn due_lists_what_is_near_with_its_urgency_most_pressing_first() {
    let app = app().await;
    let (user, token) = app.signed_in_user("due").await;
    let v = app.store_vehicle(&user.id, "Renault", 10_000).await;
    let body = |title: &str, extra: Value| {
        let mut b = json!({"vehicle": v.id, "service_type": "Service", "title": title});
        b.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        b
    };
    create(
        &app,
        &token,
        body("far", json!({"due_date": days_from_now(40)})),
    )
    .await;
    create(
        &app,
        &token,
        body("soon", json!({"due_date": days_from_now(20)})),
    )
    .await;
    create(
        &app,
        &token,
        body("urgent", json!({"due_date": days_from_now(5)})),
    )
    .await;
    create(
        &app,
        &token,
        body("late", json!({"due_date": days_from_now(-1)})),
    )
    .await;
    create(
        &app,
        &token,
        body("km urgent", json!({"due_mileage": 10_200})),
    )
    .await;
    create(&app, &token, body("km far", json!({"due_mileage": 30_000}))).await;
    let custom = create(
        &app,
        &token,
        body(
            "custom",
            json!({"due_date": days_from_now(50), "remind_days_before": 60}),
        ),
    )
    .await;
    assert_eq!(custom["urgency"], "soon", "per-reminder threshold");

    let res = app.get("/api/reminders/due/").bearer(&token).send().await;
    assert_eq!(res.status, 200, "{}", res.text);
    let got: Vec<(String, String)> = res
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["title"].as_str().unwrap().to_string(),
                r["urgency"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let titles: Vec<&str> = got.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(titles, ["late", "urgent", "km urgent", "soon", "custom"]);
    assert_eq!(got[0].1, "overdue");
    assert_eq!(got[1].1, "urgent");
    assert_eq!(got[2].1, "urgent");
    assert_eq!(got[3].1, "soon");

    let res = app
        .get("/api/reminders/?urgency=urgent")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.body["count"], 2);
    let res = app.get("/api/reminders/").bearer(&token).send().await;
    assert_eq!(res.body["count"], 7);
    assert_eq!(
        res.body["results"][0]["title"], "late",
        "earliest deadline first"
    );
    let res = app
        .get("/api/reminders/?search=km")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.body["count"], 2);
    let res = app
        .get("/api/reminders/?status=nope")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 400);
}

#[tokio::test]
async fn mileage_reminders_are_projected_from_the_odometer_history() {
    let app = app().await;
    let (user, token) = app.signed_in_user("driver").await;
    let v = app.store_vehicle(&user.id, "Skoda", 0).await;
    // 30 km a day over the last 100 days.
    app.store_maintenance(&v, "Inspection", 0, 10_000, &days_from_now(-100))
        .await;
    app.store_maintenance(&v, "Tyres", 0, 13_000, &days_from_now(0))
        .await;
    let r = create(
        &app,
        &token,
        json!({"vehicle": v.id, "service_type": "Oil change", "due_mileage": 16_000}),
    )
    .await;
    let projected = shared::time::parse(r["projected_due_date"].as_str().unwrap()).unwrap();
    let expected = shared::time::now() + chrono::Duration::days(100);
    assert!(
        (projected - expected).num_hours().abs() < 24,
        "projected {projected}, expected about {expected}"
    );
    assert_eq!(r["km_per_day"], 30.0);
    assert_eq!(r["urgency"], Value::Null);

    // The odometer jumps: the projection follows in the same write.
    let res = app
        .post("/api/maintenances/")
        .bearer(&token)
        .json(
            json!({"vehicle": v.id, "service_date": days_from_now(0), "service_type": "Wash",
                     "mileage": 15_800, "status": "COMPLETED"}),
        )
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let id = r["id"].as_str().unwrap();
    let res = app
        .get(&format!("/api/reminders/{id}/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.body["urgency"], "urgent", "200 km left");
    assert_eq!(res.body["km_remaining"], 200);
    let stored = app
        .state
        .store
        .get(
            &shared::store::keys::user_pk(&user.id),
            &shared::store::keys::reminder_sk(id),
        )
        .await
        .unwrap()
        .unwrap();
    assert!(
        stored.contains_key(shared::store::keys::GSI3PK),
        "now due: in the run's alert index"
    );

    // Without history a mileage reminder waits for the odometer.
    let quiet = app.store_vehicle(&user.id, "Dacia", 5_000).await;
    let r = create(
        &app,
        &token,
        json!({"vehicle": quiet.id, "service_type": "Belt", "due_mileage": 60_000}),
    )
    .await;
    assert_eq!(r["projected_due_date"], Value::Null);
    let stored = app
        .state
        .store
        .get(
            &shared::store::keys::user_pk(&user.id),
            &shared::store::keys::reminder_sk(r["id"].as_str().unwrap()),
        )
        .await
        .unwrap()
        .unwrap();
    assert!(
        !stored.contains_key(shared::store::keys::GSI3PK),
        "nothing to schedule yet"
    );
}

#[tokio::test]
async fn complete_records_the_work_and_schedules_the_next_occurrence() {
    let app = app().await;
    let (user, token) = app.signed_in_user("finisher").await;
    let v = app.store_vehicle(&user.id, "Toyota", 44_000).await;
    let r = create(
        &app,
        &token,
        json!({"vehicle": v.id, "service_type": "Oil change", "title": "Vidange",
               "due_date": days_from_now(3), "due_mileage": 45_000,
               "recurrence_months": 12, "recurrence_km": 15_000}),
    )
    .await;
    let id = r["id"].as_str().unwrap();
    let res = app
        .post(&format!("/api/reminders/{id}/complete/"))
        .bearer(&token)
        .json(json!({"completed_at": "2026-01-15", "mileage": 44_800,
                     "record_maintenance": true, "cost": "79.50"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let done = &res.body["reminder"];
    assert_eq!(done["status"], "done");
    assert_eq!(done["completed_mileage"], 44_800);
    let next = &res.body["next_reminder"];
    assert_eq!(next["due_date"], "2027-01-15T00:00:00Z");
    assert_eq!(next["due_mileage"], 59_800);
    assert_eq!(next["status"], "active");
    assert_eq!(next["title"], "Vidange");
    assert_eq!(done["next_reminder"], next["id"]);
    let m = &res.body["maintenance"];
    assert_eq!(m["status"], "COMPLETED");
    assert_eq!(m["cost"], "79.50");
    assert_eq!(m["mileage"], 44_800);
    assert_eq!(done["maintenance"], m["id"]);
    let stored = app.stored_vehicle(&user.id, &v.id).await;
    assert_eq!((stored.mileage, stored.maintenances_count), (44_800, 1));

    let res = app
        .post(&format!("/api/reminders/{id}/complete/"))
        .bearer(&token)
        .json(json!({}))
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body["detail"],
        "Only an active reminder can be completed."
    );
    let res = app
        .post(&format!(
            "/api/reminders/{}/complete/",
            next["id"].as_str().unwrap()
        ))
        .bearer(&token)
        .json(json!({"completed_at": "2999-01-01", "mileage": "lots"}))
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert!(res.body["completed_at"].is_array() && res.body["mileage"].is_array());

    // A one-off reminder completes without a successor or a record.
    let once = create(
        &app,
        &token,
        json!({"vehicle": v.id, "service_type": "Wipers", "due_date": days_from_now(10)}),
    )
    .await;
    let res = app
        .post(&format!(
            "/api/reminders/{}/complete/",
            once["id"].as_str().unwrap()
        ))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["next_reminder"], Value::Null);
    assert_eq!(res.body["maintenance"], Value::Null);
    assert_eq!(
        res.body["reminder"]["completed_mileage"], 44_800,
        "the odometer"
    );
    let res = app
        .get("/api/reminders/?status=active")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.body["count"], 1, "only the next occurrence");
}

#[tokio::test]
async fn edit_delete_and_isolation() {
    let app = app().await;
    let (user, token) = app.signed_in_user("editor").await;
    let (_, other) = app.signed_in_user("intruder").await;
    let v = app.store_vehicle(&user.id, "Kia", 1_000).await;
    let r = create(
        &app,
        &token,
        json!({"vehicle": v.id, "service_type": "Brakes", "due_date": days_from_now(60)}),
    )
    .await;
    let id = r["id"].as_str().unwrap();
    let path = format!("/api/reminders/{id}/");
    let res = app
        .patch(&path)
        .bearer(&token)
        .json(json!({"due_date": days_from_now(2), "notes": "front pads"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["urgency"], "urgent");
    assert_eq!(res.body["notes"], "front pads");
    let res = app
        .patch(&path)
        .bearer(&token)
        .json(json!({"status": "dismissed"}))
        .send()
        .await;
    assert_eq!(
        res.body["urgency"],
        Value::Null,
        "a dismissed reminder is quiet"
    );
    let res = app
        .put(&path)
        .bearer(&token)
        .json(json!({"service_type": "Brakes", "due_date": null}))
        .send()
        .await;
    assert_eq!(res.status, 400, "{}", res.text);
    let res = app
        .put(&path)
        .bearer(&token)
        .json(json!({"status": "bogus", "service_type": ""}))
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert!(res.body["status"].is_array() && res.body["service_type"].is_array());

    for res in [
        app.get(&path).bearer(&other).send().await,
        app.patch(&path)
            .bearer(&other)
            .json(json!({"notes": "x"}))
            .send()
            .await,
        app.post(&format!("{path}complete/"))
            .bearer(&other)
            .send()
            .await,
        app.delete(&path).bearer(&other).send().await,
    ] {
        assert_eq!(res.status, 404, "{}", res.text);
        assert_eq!(
            res.body["detail"],
            "No MaintenanceReminder matches the given query."
        );
    }
    let res = app.get("/api/reminders/due/").bearer(&other).send().await;
    assert_eq!(res.body, json!([]));

    let res = app.delete(&path).bearer(&token).send().await;
    assert_eq!(res.status, 204);
    let res = app.get(&path).bearer(&token).send().await;
    assert_eq!(res.status, 404);
}

#[tokio::test]
async fn dates_at_the_edge_of_the_calendar_are_not_a_500() {
    // The accepted calendar starts in 1900; alerts a year earlier are
    // derived values, stored and read back all the same.
    let app = app().await;
    let (user, token) = app.signed_in_user("edges").await;
    let v = app.store_vehicle(&user.id, "Lada", 1_000).await;
    let r = create(
        &app,
        &token,
        json!({"vehicle": v.id, "service_type": "Ancient", "due_date": "1900-01-01",
               "remind_days_before": 365, "recurrence_months": 120}),
    )
    .await;
    assert_eq!(r["urgency"], "overdue");
    let res = app
        .post("/api/maintenances/")
        .bearer(&token)
        .json(json!({"vehicle": v.id, "service_date": "1900-01-02", "service_type": "Old"}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let res = app
        .post(&format!(
            "/api/reminders/{}/complete/",
            r["id"].as_str().unwrap()
        ))
        .bearer(&token)
        .json(json!({"completed_at": "1900-01-03"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
}

#[tokio::test]
async fn due_dates_outside_1900_to_2200_are_a_field_error_and_boundaries_round_trip() {
    let app = app().await;
    let (user, token) = app.signed_in_user("far-future").await;
    let v = app.store_vehicle(&user.id, "Peugeot", 40_000).await;
    for bad in [
        "+10001-01-01",
        "-0001-06-01",
        "2201-01-01",
        "2200-12-31T23:30:00-01:00",
    ] {
        let res = app
            .post("/api/reminders/")
            .bearer(&token)
            .json(json!({"vehicle": v.id, "service_type": "Oil change", "due_date": bad}))
            .send()
            .await;
        assert_eq!(res.status, 400, "{bad}: {}", res.text);
        assert_eq!(
            res.body,
            json!({"due_date": [shared::time::OUT_OF_RANGE]}),
            "{bad}"
        );
    }
    let res = app.get("/api/reminders/").bearer(&token).send().await;
    assert_eq!((res.status, res.body["count"].clone()), (200, json!(0)));

    for due in ["1900-01-01T00:00:00Z", "2200-12-31T23:59:59.999999Z"] {
        // A recurrence too: the next occurrence may leave the range, and
        // must still read back.
        let r = create(
            &app,
            &token,
            json!({"vehicle": v.id, "service_type": "Oil change", "due_date": due, "recurrence_months": 12}),
        )
        .await;
        assert_eq!(r["due_date"], due);
        let id = r["id"].as_str().unwrap();
        let res = app
            .get(&format!("/api/reminders/{id}/"))
            .bearer(&token)
            .send()
            .await;
        assert_eq!(res.status, 200, "{due}: {}", res.text);
        assert_eq!(res.body["due_date"], due);
        let res = app
            .post(&format!("/api/reminders/{id}/complete/"))
            .bearer(&token)
            .json(json!({}))
            .send()
            .await;
        assert!(res.status < 300, "{due}: {}", res.text);
    }
    let res = app.get("/api/reminders/").bearer(&token).send().await;
    assert_eq!(res.status, 200, "{}", res.text);
    let res = app.get("/api/reminders/due/").bearer(&token).send().await;
    assert_eq!(res.status, 200, "{}", res.text);
}
