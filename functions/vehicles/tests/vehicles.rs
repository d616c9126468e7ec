//! Vehicles through the router and the real SDK against the emulator.

use serde_json::{json, Value};

type TestApp = testkit::TestApp<vehicles::VehiclesState>;

async fn app() -> TestApp {
    TestApp::spawn(vehicles::router).await
}

fn clio() -> Value {
    json!({"make": "Renault", "model": "Clio", "year": 2019, "license_plate": "AB-123-CD",
           "vin": " vf1rfb00x56789012 ", "color": "Blue", "fuel_type": "diesel", "transmission": "manual"})
}

#[tokio::test]
async fn create_returns_the_full_representation_in_two_round_trips() {
    let app = app().await;
    let (user, token) = app.signed_in_user("owner").await;
    let before = app.calls();
    let res = app
        .post("/api/vehicles/")
        .bearer(&token)
        .json(clio())
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(app.calls() - before, 2, "auth read + one transaction");
    let v = &res.body;
    assert!(v["id"].is_string());
    assert_eq!(v["owner"], user.id);
    assert_eq!(v["owner_email"], user.email);
    assert_eq!(v["owner_name"], "Test owner");
    assert_eq!(v["vin"], "VF1RFB00X56789012");
    assert_eq!(
        (v["license_plate"].clone(), v["registration_number"].clone()),
        (json!("AB-123-CD"), json!("AB-123-CD"))
    );
    assert_eq!(v["mileage"], 0);

    let id = v["id"].as_str().unwrap();
    let before = app.calls();
    let res = app
        .get(&format!("/api/vehicles/{id}/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(app.calls() - before, 2, "auth read + one GetItem");
    assert_eq!(res.body["maintenances_count"], 0);
    assert_eq!(res.body["documents_count"], 0);
}

#[tokio::test]
async fn create_validates_every_field() {
    let app = app().await;
    let (_, token) = app.signed_in_user("v").await;
    let res = app
        .post("/api/vehicles/")
        .bearer(&token)
        .json(json!({}))
        .send()
        .await;
    assert_eq!(
        res.body,
        json!({"make": ["This field is required."], "model": ["This field is required."], "year": ["This field is required."]})
    );
    let next = chrono::Datelike::year(&chrono::Utc::now()) + 1;
    let res = app
        .post("/api/vehicles/")
        .bearer(&token)
        .json(json!({"make": "A", "model": "B", "year": 1899, "vin": "X", "fuel_type": "petrol", "transmission": "cvt", "mileage": -5}))
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body,
        json!({
            "year": [format!("Year must be between 1900 and {next}")],
            "vin": ["VIN must be exactly 17 characters"],
            "fuel_type": ["\"petrol\" is not a valid choice."],
            "transmission": ["\"cvt\" is not a valid choice."],
            "mileage": ["Ensure this value is greater than or equal to 0."],
        })
    );
    let res = app
        .post("/api/vehicles/")
        .bearer(&token)
        .json(json!({"make": "A", "model": "B", "year": "x"}))
        .send()
        .await;
    assert_eq!(res.body, json!({"year": ["A valid integer is required."]}));
}

#[tokio::test]
async fn vins_are_unique_across_users_and_empty_vins_never_collide() {
    let app = app().await;
    let (_, alice) = app.signed_in_user("alice").await;
    let (_, bob) = app.signed_in_user("bob").await;
    assert_eq!(
        app.post("/api/vehicles/")
            .bearer(&alice)
            .json(clio())
            .send()
            .await
            .status,
        201
    );
    let res = app
        .post("/api/vehicles/")
        .bearer(&bob)
        .json(clio())
        .send()
        .await;
    assert_eq!(
        (res.status, res.body.clone()),
        (
            400,
            json!({"vin": ["vehicle with this vin already exists."]})
        )
    );
    for _ in 0..2 {
        let res = app
            .post("/api/vehicles/")
            .bearer(&bob)
            .json(json!({"make": "A", "model": "B", "year": 2020, "vin": ""}))
            .send()
            .await;
        assert_eq!(res.status, 201);
        assert_eq!(res.body["vin"], Value::Null);
    }
}

#[tokio::test]
async fn changing_or_deleting_a_vin_frees_it() {
    let app = app().await;
    let (_, alice) = app.signed_in_user("alice").await;
    let (_, bob) = app.signed_in_user("bob").await;
    let id = app
        .post("/api/vehicles/")
        .bearer(&alice)
        .json(clio())
        .send()
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let res = app
        .patch(&format!("/api/vehicles/{id}/"))
        .bearer(&alice)
        .json(json!({"vin": "WVWZZZ1JZXW000001"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        app.post("/api/vehicles/")
            .bearer(&bob)
            .json(clio())
            .send()
            .await
            .status,
        201,
        "old VIN freed"
    );
    let res = app
        .patch(&format!("/api/vehicles/{id}/"))
        .bearer(&alice)
        .json(json!({"vin": "VF1RFB00X56789012"}))
        .send()
        .await;
    assert_eq!(
        res.body,
        json!({"vin": ["vehicle with this vin already exists."]})
    );
    assert_eq!(
        app.delete(&format!("/api/vehicles/{id}/"))
            .bearer(&alice)
            .send()
            .await
            .status,
        204
    );
    let res = app
        .post("/api/vehicles/")
        .bearer(&bob)
        .json(json!({"make": "VW", "model": "Golf", "year": 2000, "vin": "WVWZZZ1JZXW000001"}))
        .send()
        .await;
    assert_eq!(res.status, 201, "deleted vehicle's VIN freed");
}

#[tokio::test]
async fn updates_apply_the_create_rules() {
    let app = app().await;
    let (_, token) = app.signed_in_user("u").await;
    let id = app
        .post("/api/vehicles/")
        .bearer(&token)
        .json(clio())
        .send()
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/vehicles/{id}/");
    let res = app
        .patch(&path)
        .bearer(&token)
        .json(json!({"year": 1700, "vin": "X"}))
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert!(res.body["year"].is_array() && res.body["vin"].is_array());
    let res = app
        .put(&path)
        .bearer(&token)
        .json(json!({"make": "Renault"}))
        .send()
        .await;
    assert_eq!(
        res.body,
        json!({"model": ["This field is required."], "year": ["This field is required."]})
    );
    let res = app
        .put(&path)
        .bearer(&token)
        .json(json!({"make": "Renault", "model": "Clio V", "year": 2021, "registration_number": "ZZ-999-ZZ", "mileage": 42000}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["model"], "Clio V");
    assert_eq!(res.body["license_plate"], "ZZ-999-ZZ");
    assert_eq!(res.body["mileage"], 42000);
    assert_eq!(
        res.body["vin"], "VF1RFB00X56789012",
        "PUT leaves fields it does not name"
    );
    let res = app.get(&path).bearer(&token).send().await;
    assert_eq!(res.body["model"], "Clio V");
}

#[tokio::test]
async fn other_users_vehicles_are_404_for_every_method() {
    let app = app().await;
    let (_, alice) = app.signed_in_user("alice").await;
    let (_, bob) = app.signed_in_user("bob").await;
    let id = app
        .post("/api/vehicles/")
        .bearer(&alice)
        .json(clio())
        .send()
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/vehicles/{id}/");
    let not_found = json!({"detail": "No Vehicle matches the given query."});
    for res in [
        app.get(&path).bearer(&bob).send().await,
        app.patch(&path)
            .bearer(&bob)
            .json(json!({"color": "Red"}))
            .send()
            .await,
        app.put(&path).bearer(&bob).json(clio()).send().await,
        app.delete(&path).bearer(&bob).send().await,
        app.get(&format!("{path}documents/"))
            .bearer(&bob)
            .send()
            .await,
        app.get(&format!("{path}diagnostics/"))
            .bearer(&bob)
            .send()
            .await,
    ] {
        assert_eq!((res.status, res.body.clone()), (404, not_found.clone()));
    }
    assert_eq!(
        app.get("/api/vehicles/").bearer(&bob).send().await.body["count"],
        0
    );
    assert_eq!(
        app.get(&path).bearer(&alice).send().await.body["color"],
        "Blue"
    );
    assert_eq!(app.get("/api/vehicles/").send().await.status, 401);
}

#[tokio::test]
async fn list_filters_searches_orders_and_pages() {
    let app = app().await;
    let (user, token) = app.signed_in_user("fleet").await;
    // 23 vehicles: past the Free plan's 3.
    app.grant_plan(&user.id, Some(shared::domain::plans::PREMIUM))
        .await;
    for i in 0..23 {
        let (make, fuel) = if i % 2 == 0 {
            ("Peugeot", "gasoline")
        } else {
            ("Toyota", "hybrid")
        };
        let res = app
            .post("/api/vehicles/")
            .bearer(&token)
            .json(json!({"make": make, "model": format!("M{i:02}"), "year": 2000 + i, "fuel_type": fuel, "transmission": "manual"}))
            .send()
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
    }
    let before = app.calls();
    let res = app.get("/api/vehicles/").bearer(&token).send().await;
    assert_eq!(app.calls() - before, 2, "auth read + one Query");
    assert_eq!(res.body["count"], 23);
    assert_eq!(res.body["results"].as_array().unwrap().len(), 20);
    assert_eq!(res.body["results"][0]["model"], "M22", "newest first");
    assert_eq!(res.body["next"], "http://testserver/api/vehicles/?page=2");
    let res = app.get("/api/vehicles/?page=2").bearer(&token).send().await;
    assert_eq!(res.body["results"].as_array().unwrap().len(), 3);
    assert_eq!(res.body["previous"], "http://testserver/api/vehicles/");
    assert_eq!(
        app.get("/api/vehicles/?page=3")
            .bearer(&token)
            .send()
            .await
            .status,
        404
    );
    let res = app
        .get("/api/vehicles/?page=last")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.body["results"].as_array().unwrap().len(), 3);

    let res = app
        .get("/api/vehicles/?fuel_type=hybrid&ordering=year")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.body["count"], 11);
    assert_eq!(res.body["results"][0]["year"], 2001);
    let res = app
        .get("/api/vehicles/?year=2004")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.body["count"], 1);
    let res = app
        .get("/api/vehicles/?search=toyota,M0")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.body["count"], 5, "{}", res.text);
    let res = app
        .get("/api/vehicles/?ordering=-make,model&fuel_type=")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.body["results"][0]["model"], "M01");
    let res = app
        .get("/api/vehicles/?fuel_type=steam")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body,
        json!({"fuel_type": ["Select a valid choice. steam is not one of the available choices."]})
    );
    let res = app
        .get("/api/vehicles/?year=abc")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.body, json!({"year": ["Enter a number."]}));

    let res = app.get("/api/vehicles/stats/").bearer(&token).send().await;
    assert_eq!(
        res.body,
        json!({"total": 23, "by_fuel_type": {"gasoline": 12, "hybrid": 11}, "by_transmission": {"manual": 23}})
    );
}

#[tokio::test]
async fn deleting_the_account_removes_vehicles_and_frees_their_vins() {
    let app = app().await;
    let (user, token) = app.signed_in_user("leaver").await;
    assert_eq!(
        app.post("/api/vehicles/")
            .bearer(&token)
            .json(clio())
            .send()
            .await
            .status,
        201
    );
    app.state
        .store
        .users()
        .delete_everything(&user)
        .await
        .unwrap();
    assert!(app
        .state
        .store
        .vehicles()
        .list(&user.id)
        .await
        .unwrap()
        .is_empty());
    let (_, other) = app.signed_in_user("next").await;
    assert_eq!(
        app.post("/api/vehicles/")
            .bearer(&other)
            .json(clio())
            .send()
            .await
            .status,
        201,
        "VIN guard freed"
    );
}

#[tokio::test]
async fn per_vehicle_maintenances_stats_and_cascade_delete() {
    let app = app().await;
    let (user, token) = app.signed_in_user("history").await;
    let id = app
        .post("/api/vehicles/")
        .bearer(&token)
        .json(clio())
        .send()
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let v = app.stored_vehicle(&user.id, &id).await;
    app.store_maintenance(&v, "Oil change", 9_000, 40_000, "2024-01-01")
        .await;
    app.store_maintenance(&v, "Brakes", 21_000, 60_000, "2024-06-01")
        .await;

    let res = app
        .get(&format!("/api/vehicles/{id}/maintenances/"))
        .bearer(&token)
        .send()
        .await;
    let kinds: Vec<&str> = res
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["service_type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["Brakes", "Oil change"]);
    let res = app
        .get(&format!("/api/vehicles/{id}/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(
        (
            res.body["maintenances_count"].clone(),
            res.body["mileage"].clone()
        ),
        (json!(2), json!(60_000))
    );
    let res = app
        .get(&format!("/api/vehicles/{id}/stats/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.body["maintenance_count"], 2);
    assert_eq!(res.body["total_cost"], 300.0);
    assert_eq!(res.body["cost_per_1000_km"], 15.0);
    let (_, stranger) = app.signed_in_user("stranger").await;
    assert_eq!(
        app.get(&format!("/api/vehicles/{id}/stats/"))
            .bearer(&stranger)
            .send()
            .await
            .status,
        404
    );

    // A vehicle edit made from a read older than a maintenance write is refused, not clobbering.
    let stale = v.clone();
    let mut edited = stale.clone();
    edited.color = Some("Red".into());
    assert!(app
        .state
        .store
        .vehicles()
        .replace(&stale, &edited, Vec::new())
        .await
        .is_err());

    assert_eq!(
        app.delete(&format!("/api/vehicles/{id}/"))
            .bearer(&token)
            .send()
            .await
            .status,
        204
    );
    let left = app
        .state
        .store
        .query_prefix(
            &shared::store::keys::user_pk(&user.id),
            shared::store::keys::MAINTENANCE_PREFIX,
        )
        .await
        .unwrap();
    assert!(left.is_empty(), "maintenances deleted with their vehicle");
}

#[tokio::test]
async fn an_odometer_edit_refreshes_the_vehicles_reminders_and_delete_takes_them() {
    let app = app().await;
    let (user, token) = app.signed_in_user("odometer").await;
    let v = app.store_vehicle(&user.id, "Volvo", 20_000).await;
    let r = app
        .store_reminder(&v, "Timing belt", None, Some(24_000))
        .await;
    assert_eq!(r.alert_at, None, "no history, far from the mileage");

    let before = app.calls();
    let res = app
        .patch(&format!("/api/vehicles/{}/", v.id))
        .bearer(&token)
        .json(json!({"mileage": 23_200}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        app.calls() - before,
        5,
        "the user and three collections at the same time + one transaction"
    );
    let stored = app.stored_reminder(&user.id, &r.id).await.unwrap();
    assert_eq!(stored.odometer.unwrap().km, 23_200);
    assert!(
        stored.alert_at.is_some(),
        "within 1,000 km: due for the run"
    );
    assert_eq!(stored.version, r.version + 1);
    assert_eq!(
        stored.urgency_at(shared::time::now()),
        Some(shared::domain::reminders::Urgency::Soon)
    );

    // A name change leaves the reminders alone.
    let res = app
        .patch(&format!("/api/vehicles/{}/", v.id))
        .bearer(&token)
        .json(json!({"color": "blue"}))
        .send()
        .await;
    assert_eq!(res.status, 200);

    let res = app
        .delete(&format!("/api/vehicles/{}/", v.id))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 204);
    assert!(
        app.stored_reminder(&user.id, &r.id).await.is_none(),
        "the vehicle's reminders go with it"
    );
}

#[tokio::test]
async fn a_body_without_content_type_is_415_and_bad_utf8_is_400() {
    let app = app().await;
    let (_, token) = app.signed_in_user("bodies").await;
    let body = serde_json::to_vec(&clio()).unwrap();
    let res = app
        .post("/api/vehicles/")
        .bearer(&token)
        .untyped(&body)
        .send()
        .await;
    assert_eq!(res.status, 415, "{}", res.text);
    assert_eq!(
        res.body,
        json!({"detail": "Unsupported media type \"\" in request."})
    );
    // An empty body without a type is still an empty object.
    let res = app
        .post("/api/vehicles/")
        .bearer(&token)
        .untyped(b"")
        .send()
        .await;
    assert_eq!(res.status, 400, "{}", res.text);
    assert_eq!(res.body["make"], json!(["This field is required."]));
    for media in ["application/json", "application/x-www-form-urlencoded"] {
        let res = app
            .post("/api/vehicles/")
            .bearer(&token)
            .raw(media, b"make=Renault\xff&model=Clio\xfe")
            .send()
            .await;
        assert_eq!(res.status, 400, "{media}: {}", res.text);
        assert_eq!(
            res.body,
            json!({"detail": shared::http::body::NOT_UTF8}),
            "{media}"
        );
    }
    let res = app.get("/api/vehicles/").bearer(&token).send().await;
    assert_eq!(res.body["count"], 0, "nothing was created");
}

#[tokio::test]
async fn impossible_path_ids_are_a_json_404_without_a_dynamodb_call() {
    let app = app().await;
    let (_, token) = app.signed_in_user("paths").await;
    let long = "a".repeat(2048);
    for id in [long.as_str(), "a.b", "%2E%2E", "x%00y", "caf%C3%A9", "a~b"] {
        for path in [
            format!("/api/vehicles/{id}/"),
            format!("/api/vehicles/{id}/stats/"),
            format!("/api/brands/{id}/"),
            format!("/api/brands/{id}/models/"),
            format!("/api/models/{id}/"),
        ] {
            let before = app.calls();
            for method in ["GET", "PUT", "DELETE"] {
                let res = app
                    .request(method.parse().unwrap(), &path)
                    .bearer(&token)
                    .json(clio())
                    .send()
                    .await;
                assert_eq!(res.status, 404, "{method} {path}: {}", res.text);
                assert_eq!(res.body, json!({"detail": "Not found."}));
            }
            assert_eq!(app.calls(), before, "{path}: no DynamoDB call");
        }
    }
    // A real UUID-shaped id still reaches the handler (a 404 of its own).
    let res = app
        .get("/api/vehicles/0194b2c4-7a3e-7cc1-9f0a-6b1d2e3f4a5b/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 404);
    assert_eq!(
        res.body,
        json!({"detail": "No Vehicle matches the given query."})
    );
}

/// The deployed path: API Gateway (HTTP API, payload 2.0) hands over a
/// body it does not pass as text base64-encoded (`isBase64Encoded`);
/// lambda_http decodes it back to the exact bytes before our router runs.
#[tokio::test]
async fn a_base64_event_body_that_is_not_utf8_is_a_400_through_lambda_http() {
    use lambda_http::tower::ServiceExt;
    let app = app().await;
    let (_, token) = app.signed_in_user("gateway").await;
    // base64 of `{"make": "Renault\xff"}`
    let event = json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/api/vehicles/",
        "rawQueryString": "",
        "headers": {"content-type": "application/json", "host": "api.example",
                    "authorization": format!("Bearer {token}")},
        "requestContext": {
            "accountId": "123456789012", "apiId": "api", "domainName": "api.example",
            "http": {"method": "POST", "path": "/api/vehicles/", "protocol": "HTTP/1.1",
                     "sourceIp": "127.0.0.1", "userAgent": "test"},
            "requestId": "r", "routeKey": "$default", "stage": "$default",
            "time": "25/Nov/2026:06:00:00 +0000", "timeEpoch": 1795586400000_i64
        },
        "body": "eyJtYWtlIjogIlJlbmF1bHT/In0=",
        "isBase64Encoded": true
    });
    let request = lambda_http::request::from_str(&event.to_string()).expect("an HTTP API event");
    let (parts, body) = request.into_parts();
    let request = axum::http::Request::from_parts(parts, axum::body::Body::from(body.to_vec()));
    let response = app.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), 400);
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
        .await
        .unwrap();
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(body, json!({"detail": shared::http::body::NOT_UTF8}));
}

#[tokio::test]
async fn a_null_mileage_is_refused_on_every_write() {
    let app = app().await;
    let (_, token) = app.signed_in_user("m").await;
    let mut body = clio();
    body["mileage"] = Value::Null;
    let res = app
        .post("/api/vehicles/")
        .bearer(&token)
        .json(body)
        .send()
        .await;
    assert_eq!(res.status, 400, "{}", res.text);
    assert_eq!(
        res.body,
        json!({"mileage": ["This field may not be null."]})
    );
    let res = app
        .post("/api/vehicles/")
        .bearer(&token)
        .json(json!({"make": "Renault", "model": "Clio", "year": 2019, "mileage": 1200}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let path = format!("/api/vehicles/{}/", res.body["id"].as_str().unwrap());
    let res = app
        .patch(&path)
        .bearer(&token)
        .json(json!({"mileage": null}))
        .send()
        .await;
    assert_eq!(res.status, 400, "{}", res.text);
    assert_eq!(
        res.body,
        json!({"mileage": ["This field may not be null."]})
    );
    let res = app
        .put(&path)
        .bearer(&token)
        .json(json!({"make": "Renault", "model": "Clio", "year": 2019, "mileage": null}))
        .send()
        .await;
    assert_eq!(res.status, 400, "{}", res.text);
    let res = app.get(&path).bearer(&token).send().await;
    assert_eq!(res.body["mileage"], 1200, "nothing changed");
}

/// Text fields count their length once trimmed (spec 0.1), as the
/// document's patterns say: whitespace around a full-length value is
/// accepted and dropped, one character more is a 400; a number is stored
/// as its text.
#[tokio::test]
async fn text_lengths_are_counted_after_trimming() {
    let app = app().await;
    let (_, token) = app.signed_in_user("t").await;
    let pad = |s: String| format!(" \t\u{a0}{s}\n\u{3000} ");
    let res = app
        .post("/api/vehicles/")
        .bearer(&token)
        .json(json!({
            "make": pad("M".repeat(100)), "model": pad("o".repeat(100)), "year": 2019,
            "license_plate": pad("P".repeat(20)), "color": pad("c".repeat(50)),
        }))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["make"], "M".repeat(100));
    assert_eq!(res.body["model"], "o".repeat(100));
    assert_eq!(res.body["license_plate"], "P".repeat(20));
    assert_eq!(res.body["color"], "c".repeat(50));
    let path = format!("/api/vehicles/{}/", res.body["id"].as_str().unwrap());

    let res = app
        .patch(&path)
        .bearer(&token)
        .json(json!({"registration_number": pad("R".repeat(20)), "color": 12345}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["license_plate"], "R".repeat(20));
    assert_eq!(res.body["color"], "12345");

    let res = app
        .patch(&path)
        .bearer(&token)
        .json(json!({
            "make": pad("M".repeat(101)), "model": " \u{a0} ",
            "license_plate": pad("P".repeat(21)), "color": pad("c".repeat(51)),
        }))
        .send()
        .await;
    assert_eq!(res.status, 400, "{}", res.text);
    assert_eq!(
        res.body,
        json!({
            "make": ["Ensure this field has no more than 100 characters."],
            "model": ["This field may not be blank."],
            "license_plate": ["Ensure this field has no more than 20 characters."],
            "color": ["Ensure this field has no more than 50 characters."],
        })
    );
    let res = app.get(&path).bearer(&token).send().await;
    assert_eq!(res.body["license_plate"], "R".repeat(20), "nothing changed");
}

/// `registration_number` is used only without `license_plate`, but a
/// value sent is checked either way (the document describes it).
#[tokio::test]
async fn a_registration_number_is_checked_even_beside_a_license_plate() {
    let app = app().await;
    let (_, token) = app.signed_in_user("r").await;
    let mut body = clio();
    body["registration_number"] = json!("R".repeat(21));
    let res = app
        .post("/api/vehicles/")
        .bearer(&token)
        .json(body.clone())
        .send()
        .await;
    assert_eq!(res.status, 400, "{}", res.text);
    assert_eq!(
        res.body,
        json!({"registration_number": ["Ensure this field has no more than 20 characters."]})
    );
    body["registration_number"] = json!(["AB"]);
    let res = app
        .post("/api/vehicles/")
        .bearer(&token)
        .json(body.clone())
        .send()
        .await;
    assert_eq!(res.status, 400, "{}", res.text);
    assert!(res.body["registration_number"].is_array(), "{}", res.text);

    body["registration_number"] = json!("ZZ-999-ZZ");
    let res = app
        .post("/api/vehicles/")
        .bearer(&token)
        .json(body)
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["license_plate"], "AB-123-CD", "license_plate wins");
    let path = format!("/api/vehicles/{}/", res.body["id"].as_str().unwrap());
    let res = app
        .patch(&path)
        .bearer(&token)
        .json(json!({"license_plate": "", "registration_number": "X".repeat(30)}))
        .send()
        .await;
    assert_eq!(res.status, 400, "{}", res.text);
    let res = app
        .patch(&path)
        .bearer(&token)
        .json(json!({"registration_number": "  EF-456-GH "}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["license_plate"], "EF-456-GH");
}

#[tokio::test]
async fn the_documents_view_lists_the_vehicles_documents_with_relative_links() {
    use shared::domain::documents::{Document, DocumentText, StoredFile};
    let app = app().await;
    let (user, token) = app.signed_in_user("papers").await;
    let car = app.store_vehicle(&user.id, "Peugeot", 1).await;
    let other = app.store_vehicle(&user.id, "Renault", 1).await;
    let documents = app.state.store.documents();
    let mut ids = Vec::new();
    for (i, vehicle) in [&car, &car, &other].into_iter().enumerate() {
        let current = app.stored_vehicle(&user.id, &vehicle.id).await;
        let document = Document::new(
            uuid::Uuid::now_v7().to_string(),
            &user.id,
            Some(vehicle.id.clone()),
            format!("paper {i}"),
            None,
            "insurance".into(),
            StoredFile {
                key: shared::store::keys::document_object(&user.id, &format!("d{i}"), "f", "pdf"),
                name: "a.pdf".into(),
                size: 100,
                mime_type: "application/pdf".into(),
            },
        );
        documents
            .create(&document, Some(&current), None, None)
            .await
            .unwrap();
        ids.push(document.id);
    }
    // The first one was read.
    let text = DocumentText {
        owner_id: user.id.clone(),
        document_id: ids[0].clone(),
        analysis_id: "a".into(),
        text: "ATTESTATION D'ASSURANCE".into(),
    };
    app.state
        .store
        .transact(vec![documents.tx_put_text(&text).unwrap()])
        .await
        .unwrap();
    let res = app
        .get(&format!("/api/vehicles/{}/documents/", car.id))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 200);
    let rows = res.body.as_array().unwrap();
    let listed: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        listed,
        vec![ids[1].as_str(), ids[0].as_str()],
        "newest first, this vehicle only"
    );
    assert_eq!(rows[0]["file"], format!("/api/documents/{}/file/", ids[1]));
    assert_eq!(rows[0]["file_url"], rows[0]["file"]);
    assert_eq!(rows[0]["vehicle_info"]["make"], "Peugeot");
    assert_eq!(rows[1]["extracted_text"], "ATTESTATION D'ASSURANCE");
    let detail = app
        .get(&format!("/api/vehicles/{}/", car.id))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(detail.body["documents_count"], 2);
}

#[tokio::test]
async fn the_diagnostics_view_lists_this_vehicles_newest_first() {
    use shared::domain::diagnostics::{Diagnostic, NewDiagnostic};
    let app = app().await;
    let (user, token) = app.signed_in_user("casebook").await;
    let car = app.store_vehicle(&user.id, "Peugeot", 1).await;
    let other = app.store_vehicle(&user.id, "Renault", 1).await;
    let mut ids = Vec::new();
    for (i, vehicle) in [&car, &other, &car].into_iter().enumerate() {
        let current = app.stored_vehicle(&user.id, &vehicle.id).await;
        let diagnostic = Diagnostic::new(
            &user.id,
            NewDiagnostic {
                vehicle_id: vehicle.id.clone(),
                title: format!("case {i}"),
                description: "Bruit".into(),
                fault_codes: vec!["P0301".into()],
                symptoms: Vec::new(),
                mileage: None,
            },
        );
        app.state
            .store
            .diagnostics()
            .create(&diagnostic, &current, None)
            .await
            .unwrap();
        ids.push(diagnostic.id);
    }
    let res = app
        .get(&format!("/api/vehicles/{}/diagnostics/", car.id))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let rows = res.body.as_array().unwrap();
    let listed: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(listed, vec![ids[2].as_str(), ids[0].as_str()]);
    assert_eq!(rows[0]["vehicle_info"]["make"], "Peugeot");
    assert_eq!(rows[0]["fault_codes"], json!(["P0301"]));
    assert_eq!(rows[0]["status"], "pending");
    // Deleting the vehicle takes its diagnostics, not the other's.
    let res = app
        .delete(&format!("/api/vehicles/{}/", car.id))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 204, "{}", res.text);
    let left = app.state.store.diagnostics().all(&user.id).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].id, ids[1]);
}
