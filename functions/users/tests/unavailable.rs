//! A table that is down or never answers: the users function answers its
//! 503 JSON, never a crash, and before the request deadline.

mod common;

use common::TestApp;
use serde_json::json;

#[tokio::test]
async fn a_table_that_is_down_gives_503_json_never_a_crash() {
    let app = TestApp::spawn_unreachable(users::router).await;
    let res = app
        .post("/api/users/login/")
        .json(json!({"email": "someone@example.com", "password": "whatever-123"}))
        .send()
        .await;
    assert_eq!(res.status, 503, "{}", res.text);
    assert_eq!(
        res.body,
        json!({"detail": "Service temporarily unavailable, please retry shortly."})
    );
}

#[tokio::test]
async fn a_table_that_never_answers_gives_503_json_before_the_deadline() {
    let app = TestApp::spawn_silent(users::router).await;
    let session = "0194b2c4-7a3e-7cc1-9f0a-6b1d2e3f4a5b";
    let now = shared::time::now();
    let token = app
        .state
        .tokens
        .issue("someone", 0, session, now)
        .pair
        .access;
    // The bound is the request deadline, itself under the Lambda timeout:
    // the answer is ours, never API Gateway's own timeout error.
    let res = tokio::time::timeout(
        shared::http::app::REQUEST_DEADLINE,
        app.get("/api/users/profile/").bearer(&token).send(),
    )
    .await
    .expect("the request returns");
    assert_eq!(res.status, 503, "{}", res.text);
    assert_eq!(
        res.body,
        json!({"detail": "Service temporarily unavailable, please retry shortly."})
    );
}
