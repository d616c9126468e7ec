//! What the garages tests share: the app and small request helpers.
#![allow(dead_code)]

use serde_json::{json, Value};
use testkit::TestResponse;

pub type TestApp = testkit::TestApp<garages::GaragesState>;

pub async fn app() -> TestApp {
    TestApp::spawn(garages::router).await
}

/// A valid garage body named `name`, optionally at a position.
pub fn body(name: &str, at: Option<(f64, f64)>) -> Value {
    let mut body = json!({
        "name": name,
        "email": "contact@example.com",
        "address": "1 rue de la Paix",
        "city": "Paris",
        "postal_code": "75002",
        "country": "France",
        "specialties": ["Pneus"],
    });
    if let Some((lat, lng)) = at {
        body["latitude"] = json!(lat);
        body["longitude"] = json!(lng);
    }
    body
}

pub async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let res = app
        .post("/api/garages/")
        .bearer(token)
        .json(body)
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    res.body
}

/// Creates a garage and returns its id.
pub async fn garage(app: &TestApp, token: &str, name: &str, at: Option<(f64, f64)>) -> String {
    id(&create(app, token, body(name, at)).await)
}

pub fn id(value: &Value) -> String {
    value["id"].as_str().expect("an id").to_string()
}

pub async fn review(app: &TestApp, token: &str, garage: &str, rating: i64) -> TestResponse {
    app.post(&format!("/api/garages/{garage}/review/"))
        .bearer(token)
        .json(json!({"reviewer_name": "Camille", "rating": rating, "comment": "ok"}))
        .send()
        .await
}

pub async fn get(app: &TestApp, path: &str) -> TestResponse {
    app.get(path).send().await
}

/// The names of a list response's rows (page envelope or bare array).
pub fn names(body: &Value) -> Vec<String> {
    let rows = body.get("results").unwrap_or(body);
    rows.as_array()
        .expect("rows")
        .iter()
        .map(|g| g["name"].as_str().unwrap().to_string())
        .collect()
}
