//! Helpers shared by the users function's integration tests.
#![allow(dead_code)]

use serde_json::{json, Value};
use testkit::unique_email;

pub type TestApp = testkit::TestApp<users::UsersState>;

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

pub async fn login(app: &TestApp, email: &str, password: &str) -> testkit::TestResponse {
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

/// Moves the pending e-mail code's `sent_at` into the past, as if the resend
/// cooldown had passed.
pub async fn age_email_code(app: &TestApp, user_id: &str) {
    let (pk, sk) = shared::store::keys::email_code_key(user_id);
    app.state
        .store
        .update(
            &pk,
            &sk,
            shared::store::Expr::new()
                .update("SET sent_at = :long_ago")
                .value(":long_ago", shared::store::n(1)),
        )
        .await
        .unwrap();
}

/// Moves the last rotation of the session of `refresh` (a token of
/// `user_id`) a minute into the past, beyond the refresh grace.
pub async fn age_rotation(app: &TestApp, user_id: &str, refresh: &str) {
    let claims = app
        .state
        .tokens
        .decode(refresh, "refresh", chrono::Utc::now())
        .expect("a valid refresh token");
    let (pk, sk) = shared::store::keys::session_key(user_id, &claims.sid.unwrap());
    let minute_ago = chrono::Utc::now().timestamp() - 60;
    app.state
        .store
        .update(
            &pk,
            &sk,
            shared::store::Expr::new()
                .update("SET rotated_at = :then")
                .value(":then", shared::store::n(minute_ago)),
        )
        .await
        .unwrap();
}
