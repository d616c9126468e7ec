//! Maintenances through the router and the real SDK against the emulator.

use serde_json::{json, Value};

type TestApp = testkit::TestApp<maintenances::MaintenancesState>;

async fn app() -> TestApp {
    TestApp::spawn(maintenances::router).await
}

fn days_from_now(days: i64) -> String {
    shared::time::format(&(shared::time::now() + chrono::Duration::days(days)))
}

#[tokio::test]
async fn create_reads_in_one_step_raises_the_odometer_and_counts() {
    let app = app().await;
    let (user, token) = app.signed_in_user("owner").await;
    let v = app.store_vehicle(&user.id, "Renault", 40_000).await;
    let before = app.calls();
    let res = app
        .post("/api/maintenances/")
        .bearer(&token)
        .json(json!({"vehicle": v.id, "service_date": "2024-05-01", "service_type": "Oil change",
                     "mileage": 42_000, "cost": 89.9, "status": "COMPLETED", "performed_by": user.id}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(
        app.calls() - before,
        5,
        "the user and three collections read at the same time, then one transaction"
    );
    let m = &res.body;
    assert!(m["id"].is_string());
    assert_eq!(m["cost"], "89.90");
    assert_eq!(m["service_date"], "2024-05-01T00:00:00Z");
    assert_eq!(m["vehicle_info"]["make"], "Renault");
    assert_eq!(m["created_by_name"], "Test owner");
    assert_eq!(m["performed_by_name"], "Test owner");
    let stored = app.stored_vehicle(&user.id, &v.id).await;
    assert_eq!((stored.mileage, stored.maintenances_count), (42_000, 1));

    // A lower reading never lowers the odometer.
    let res = app
        .post("/api/maintenances/")
        .bearer(&token)
        .json(json!({"vehicle": v.id, "service_date": "2023-01-01", "service_type": "Tires", "mileage": 10_000}))
        .send()
        .await;
    assert_eq!(res.status, 201);
    assert_eq!(res.body["status"], "SCHEDULED", "default status");
    let stored = app.stored_vehicle(&user.id, &v.id).await;
    assert_eq!((stored.mileage, stored.maintenances_count), (42_000, 2));

    let id = m["id"].as_str().unwrap();
    let before = app.calls();
    let res = app
        .get(&format!("/api/maintenances/{id}/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(
        app.calls() - before,
        3,
        "detail: the user, the vehicles and the maintenances at the same time"
    );
    assert_eq!(res.body["vehicle_detail"]["id"], v.id);
    let before = app.calls();
    let res = app.get("/api/maintenances/").bearer(&token).send().await;
    assert_eq!(app.calls() - before, 3, "list: as the detail");
    assert_eq!(res.body["count"], 2);
    assert_eq!(
        res.body["results"][0]["service_type"], "Oil change",
        "newest service first"
    );
}

#[tokio::test]
async fn validation_errors() {
    let app = app().await;
    let (user, token) = app.signed_in_user("v").await;
    let v = app.store_vehicle(&user.id, "Peugeot", 0).await;
    let res = app
        .post("/api/maintenances/")
        .bearer(&token)
        .json(json!({}))
        .send()
        .await;
    assert_eq!(
        res.body,
        json!({"vehicle": ["This field is required."], "service_date": ["This field is required."], "service_type": ["This field is required."]})
    );
    let res = app
        .post("/api/maintenances/")
        .bearer(&token)
        .json(json!({"vehicle": v.id, "service_date": "tomorrow", "service_type": "X", "mileage": -1,
                     "cost": "-5", "status": "done", "invoice_url": "nope", "performed_by": "someone-else"}))
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body,
        json!({
            "service_date": ["Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."],
            "mileage": ["Mileage cannot be negative"],
            "cost": ["Cost cannot be negative"],
            "status": ["\"done\" is not a valid choice."],
            "invoice_url": ["Enter a valid URL."],
            "performed_by": ["Invalid pk \"someone-else\" - object does not exist."],
        })
    );
    let res = app
        .post("/api/maintenances/")
        .bearer(&token)
        .json(json!({"vehicle": v.id, "service_date": "2024-01-01", "service_type": "X", "cost": "1.234"}))
        .send()
        .await;
    assert_eq!(
        res.body,
        json!({"cost": ["Ensure that there are no more than 2 decimal places."]})
    );
    assert_eq!(app.get("/api/maintenances/").send().await.status, 401);
}

#[tokio::test]
async fn other_users_records_and_vehicles_are_out_of_reach() {
    let app = app().await;
    let (alice, alice_token) = app.signed_in_user("alice").await;
    let (_, bob_token) = app.signed_in_user("bob").await;
    let v = app.store_vehicle(&alice.id, "Audi", 0).await;
    let res = app
        .post("/api/maintenances/")
        .bearer(&alice_token)
        .json(json!({"vehicle": v.id, "service_date": "2024-01-01", "service_type": "Oil change"}))
        .send()
        .await;
    let id = res.body["id"].as_str().unwrap().to_string();
    let res = app
        .post("/api/maintenances/")
        .bearer(&bob_token)
        .json(json!({"vehicle": v.id, "service_date": "2024-01-01", "service_type": "Oil change"}))
        .send()
        .await;
    assert_eq!(
        res.body,
        json!({"vehicle": ["You can only create maintenances for your own vehicles"]})
    );
    let path = format!("/api/maintenances/{id}/");
    for res in [
        app.get(&path).bearer(&bob_token).send().await,
        app.patch(&path)
            .bearer(&bob_token)
            .json(json!({"cost": 1}))
            .send()
            .await,
        app.delete(&path).bearer(&bob_token).send().await,
    ] {
        assert_eq!(
            (res.status, res.body.clone()),
            (
                404,
                json!({"detail": "No Maintenance matches the given query."})
            )
        );
    }
    assert_eq!(
        app.get("/api/maintenances/")
            .bearer(&bob_token)
            .send()
            .await
            .body["count"],
        0
    );
    assert_eq!(app.get(&path).bearer(&alice_token).send().await.status, 200);
}

#[tokio::test]
async fn update_keeps_the_vehicle_applies_rules_and_delete_uncounts() {
    let app = app().await;
    let (user, token) = app.signed_in_user("u").await;
    let v = app.store_vehicle(&user.id, "Kia", 1_000).await;
    let other = app.store_vehicle(&user.id, "Fiat", 0).await;
    let id = app
        .post("/api/maintenances/")
        .bearer(&token)
        .json(json!({"vehicle": v.id, "service_date": "2024-01-01", "service_type": "Oil change"}))
        .send()
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/maintenances/{id}/");
    let res = app
        .patch(&path)
        .bearer(&token)
        .json(json!({"cost": -10, "mileage": -3}))
        .send()
        .await;
    assert_eq!(
        res.body,
        json!({"mileage": ["Mileage cannot be negative"], "cost": ["Cost cannot be negative"]})
    );
    let res = app
        .put(&path)
        .bearer(&token)
        .json(json!({"service_type": "Brakes"}))
        .send()
        .await;
    assert_eq!(
        res.body,
        json!({"service_date": ["This field is required."]})
    );
    let res = app
        .patch(&path)
        .bearer(&token)
        .json(json!({"vehicle": other.id, "mileage": 5_000, "reminder_sent": true, "status": "COMPLETED"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["vehicle"], v.id, "vehicle cannot be changed");
    assert_eq!(res.body["reminder_sent"], true);
    let stored = app.stored_vehicle(&user.id, &v.id).await;
    assert_eq!(stored.mileage, 5_000, "odometer follows the edit");
    assert_eq!(app.delete(&path).bearer(&token).send().await.status, 204);
    let stored = app.stored_vehicle(&user.id, &v.id).await;
    assert_eq!(
        (stored.mileage, stored.maintenances_count),
        (5_000, 0),
        "never lowered; uncounted"
    );
    assert_eq!(app.get(&path).bearer(&token).send().await.status, 404);
}

#[tokio::test]
async fn upcoming_and_overdue_come_from_the_scheduled_index() {
    let app = app().await;
    let (user, token) = app.signed_in_user("planner").await;
    let v = app.store_vehicle(&user.id, "Honda", 0).await;
    for (days, status, kind) in [
        (-10, "SCHEDULED", "late"),
        (-2, "SCHEDULED", "later"),
        (5, "SCHEDULED", "soon"),
        (40, "SCHEDULED", "far"),
        (3, "COMPLETED", "done"),
        (-3, "CANCELLED", "dropped"),
    ] {
        let res = app
            .post("/api/maintenances/")
            .bearer(&token)
            .json(json!({"vehicle": v.id, "service_date": days_from_now(days), "service_type": kind, "status": status}))
            .send()
            .await;
        assert_eq!(res.status, 201);
    }
    let names = |body: &Value| {
        body.as_array()
            .unwrap()
            .iter()
            .map(|m| m["service_type"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let res = app
        .get("/api/maintenances/upcoming/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(names(&res.body), ["soon", "far"]);
    assert_eq!(res.body[0]["vehicle_info"]["make"], "Honda");
    let res = app
        .get("/api/maintenances/overdue/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(names(&res.body), ["late", "later"]);
    // Completing a scheduled item takes it out of the index.
    let soon = app
        .get("/api/maintenances/upcoming/")
        .bearer(&token)
        .send()
        .await
        .body[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.patch(&format!("/api/maintenances/{soon}/"))
        .bearer(&token)
        .json(json!({"status": "COMPLETED"}))
        .send()
        .await;
    let res = app
        .get("/api/maintenances/upcoming/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(names(&res.body), ["far"]);
    let (_, other) = app.signed_in_user("other").await;
    assert_eq!(
        app.get("/api/maintenances/upcoming/")
            .bearer(&other)
            .send()
            .await
            .body,
        json!([])
    );
}

#[tokio::test]
async fn stats_recent_by_vehicle_and_list_options() {
    let app = app().await;
    let (user, token) = app.signed_in_user("stats").await;
    let clio = app.store_vehicle(&user.id, "Renault", 0).await;
    let golf = app.store_vehicle(&user.id, "Volkswagen", 0).await;
    for (v, kind, cost, status, days) in [
        (&clio, "Oil change", json!("10.00"), "SCHEDULED", 10),
        (&clio, "Oil change", json!(30), "COMPLETED", -5),
        (&clio, "Oil change", Value::Null, "SCHEDULED", 20),
        (&golf, "Tires", json!(300), "COMPLETED", -60),
    ] {
        let res = app
            .post("/api/maintenances/")
            .bearer(&token)
            .json(json!({"vehicle": v.id, "service_type": kind, "cost": cost, "status": status, "service_date": days_from_now(days), "description": "routine"}))
            .send()
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
    }
    let res = app
        .get("/api/maintenances/stats/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.body["overview"]["total_count"], 4);
    assert_eq!(res.body["overview"]["total_cost"], 340.0);
    assert_eq!(
        res.body["top_services"][0],
        json!({"service_type": "Oil change", "count": 3, "total_cost": 40.0})
    );
    let res = app
        .get("/api/maintenances/stats/?start_date=bad")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert!(res.body["start_date"].is_array());
    let since = &days_from_now(-30)[..10];
    let res = app
        .get(&format!("/api/maintenances/stats/?start_date={since}"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.body["overview"]["total_count"], 3);

    let res = app
        .get("/api/maintenances/recent/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(
        res.body.as_array().unwrap().len(),
        1,
        "completed within 30 days"
    );
    let res = app
        .get("/api/maintenances/by_vehicle/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(
        res.body[0]["vehicle"]["make"], "Renault",
        "vehicle of the latest service first"
    );
    assert_eq!(res.body[0]["count"], 3);
    assert_eq!(res.body[0]["total_cost"], 40.0);
    let res = app
        .get(&format!(
            "/api/maintenances/by_vehicle/?vehicle_id={}",
            golf.id
        ))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.body.as_array().unwrap().len(), 1);

    let res = app
        .get("/api/maintenances/?search=volkswagen")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.body["count"], 1, "search covers the vehicle's make");
    let res = app
        .get(&format!(
            "/api/maintenances/?vehicle={}&status=SCHEDULED",
            clio.id
        ))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.body["count"], 2);
    let res = app
        .get("/api/maintenances/?ordering=-cost")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.body["results"][0]["cost"], "300.00");
    let res = app
        .get("/api/maintenances/?status=done")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 400);
}

#[tokio::test]
async fn dates_outside_1900_to_2200_are_a_field_error_and_boundaries_round_trip() {
    let app = app().await;
    let (user, token) = app.signed_in_user("dates").await;
    let v = app.store_vehicle(&user.id, "Peugeot", 0).await;
    for bad in [
        "+10001-01-01",
        "-0001-06-01",
        "1899-12-31T23:59:59Z",
        "2200-12-31T23:30:00-01:00",
        "1900-01-01T00:30:00+01:00",
    ] {
        let res = app
            .post("/api/maintenances/")
            .bearer(&token)
            .json(json!({"vehicle": v.id, "service_date": bad, "service_type": "X"}))
            .send()
            .await;
        assert_eq!(res.status, 400, "{bad}: {}", res.text);
        assert_eq!(
            res.body,
            json!({"service_date": [shared::time::OUT_OF_RANGE]}),
            "{bad}"
        );
    }
    // Nothing was written: the list is still empty and readable.
    let res = app.get("/api/maintenances/").bearer(&token).send().await;
    assert_eq!((res.status, res.body["count"].clone()), (200, json!(0)));

    for (input, stored) in [
        ("1900-01-01T00:00:00Z", "1900-01-01T00:00:00Z"),
        ("2200-12-31T23:59:59.999999Z", "2200-12-31T23:59:59.999999Z"),
        ("2201-01-01T00:30:00+01:00", "2200-12-31T23:30:00Z"),
        ("2024-02-29", "2024-02-29T00:00:00Z"),
    ] {
        for status in ["SCHEDULED", "COMPLETED"] {
            let res = app
                .post("/api/maintenances/")
                .bearer(&token)
                .json(json!({"vehicle": v.id, "service_date": input, "service_type": "X", "status": status}))
                .send()
                .await;
            assert_eq!(res.status, 201, "{input}: {}", res.text);
            assert_eq!(res.body["service_date"], stored, "{input}");
            let id = res.body["id"].as_str().unwrap();
            let res = app
                .get(&format!("/api/maintenances/{id}/"))
                .bearer(&token)
                .send()
                .await;
            assert_eq!(res.status, 200, "{input}: {}", res.text);
            assert_eq!(res.body["service_date"], stored, "{input}");
        }
    }
    for path in [
        "/api/maintenances/",
        "/api/maintenances/upcoming/",
        "/api/maintenances/overdue/",
    ] {
        let res = app.get(path).bearer(&token).send().await;
        assert_eq!(res.status, 200, "{path}: {}", res.text);
    }
    // Query parameters keep their own 400 shape.
    let res = app
        .get("/api/maintenances/stats/?start_date=%2B10001-01-01")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 400, "{}", res.text);
    assert!(res.body["start_date"].is_array(), "{}", res.text);
}

#[tokio::test]
async fn impossible_path_ids_are_a_json_404_without_a_dynamodb_call() {
    let app = app().await;
    let (_, token) = app.signed_in_user("paths").await;
    let long = "a".repeat(2048);
    for id in [long.as_str(), "a.b", "%2E%2E", "x%00y", "a~b"] {
        for path in [
            format!("/api/maintenances/{id}/"),
            format!("/api/reminders/{id}/"),
            format!("/api/reminders/{id}/complete/"),
        ] {
            let before = app.calls();
            for method in ["GET", "PATCH", "DELETE", "POST"] {
                let res = app
                    .request(method.parse().unwrap(), &path)
                    .bearer(&token)
                    .json(json!({}))
                    .send()
                    .await;
                assert_eq!(res.status, 404, "{method} {path}: {}", res.text);
                assert_eq!(res.body, json!({"detail": "Not found."}));
            }
            assert_eq!(app.calls(), before, "{path}: no DynamoDB call");
        }
    }
}
