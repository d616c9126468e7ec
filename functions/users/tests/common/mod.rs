//! Helpers shared by the users function's integration tests.
#![allow(dead_code)]

use serde_json::{json, Value};
use shared::testkit::{unique_email, TestApp};

pub const PASSWORD: &str = "Sturdy-Passphrase-42";

pub async fn app() -> TestApp {
    TestApp::spawn(users::router).await
}

/// A registered account: its address, user id and token pair.
pub struct Account {
    pub email: String,
    pub id: String,
    pub access: String,
    pub refresh: String,
}

pub async fn register(app: &TestApp, name: &str) -> Account {
    let email = unique_email(name);
    let res = app
        .post("/api/users/register/")
        .json(json!({
            "email": email, "password": PASSWORD, "password_confirm": PASSWORD,
            "first_name": "Jean", "last_name": "Dupont",
        }))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    Account {
        email,
        id: res.body["user"]["id"].as_str().unwrap().to_string(),
        access: res.body["tokens"]["access"].as_str().unwrap().to_string(),
        refresh: res.body["tokens"]["refresh"].as_str().unwrap().to_string(),
    }
}

pub async fn login(app: &TestApp, email: &str, password: &str) -> shared::testkit::TestResponse {
    app.post("/api/users/login/")
        .json(json!({"email": email, "password": password}))
        .send()
        .await
}

pub fn tokens(body: &Value) -> (String, String) {
    (
        body["tokens"]["access"]
            .as_str()
            .expect("access token")
            .to_string(),
        body["tokens"]["refresh"]
            .as_str()
            .expect("refresh token")
            .to_string(),
    )
}
