//! Health checks, and a dependency that is down.

mod common;

use common::TestApp;
use serde_json::json;

#[tokio::test]
async fn health_reports_each_dependency() {
    let app = common::app().await;
    let res = app.get("/api/health/").send().await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["status"], "healthy");
    assert_eq!(res.body["service"], "autotrack-backend");
    assert_eq!(res.body["checks"]["table"], "ok");
    assert_eq!(res.body["checks"]["bucket"], "not configured");
    let res = app.get("/api/health/db").send().await;
    assert_eq!(res.status, 200);
    assert_eq!(
        res.body,
        json!({"status": "healthy", "database": "connected", "engine": "dynamodb"}),
        "no table name, no item count"
    );
    assert!(!res.text.contains(app.state.store.table()), "{}", res.text);
    // Public, but a bad token is still refused.
    let res = app.get("/api/health/").bearer("junk").send().await;
    assert_eq!(res.status, 401);
}

#[tokio::test]
async fn health_checks_bucket_and_queues_when_configured() {
    let endpoint = testkit::endpoint();
    let sdk = testkit::emulator_sdk(&endpoint);
    let bucket = format!("health-{}", uuid_like());
    let region = sdk.region().unwrap().to_string();
    aws_s3(&sdk)
        .create_bucket()
        .bucket(&bucket)
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(
                    region.as_str(),
                ))
                .build(),
        )
        .send()
        .await
        .unwrap();
    let queue = aws_sqs(&sdk)
        .create_queue()
        .queue_name(format!("q-{}", uuid_like()))
        .send()
        .await
        .unwrap();
    let queue_url = queue.queue_url().unwrap().to_string();
    let app = TestApp::spawn_with(users::router, |c| {
        c.bucket_name = Some(bucket.clone());
        c.ocr_queue_url = Some(queue_url.clone());
        c.ai_queue_url = Some(format!("{endpoint}/123456789012/missing-queue"));
    })
    .await;
    let res = app.get("/api/health/").send().await;
    assert_eq!(res.body["checks"]["bucket"], "ok");
    assert_eq!(res.body["checks"]["ocr_queue"], "ok");
    assert_eq!(
        res.body["checks"]["ai_queue"], "error",
        "no error chain, no queue name: {}",
        res.text
    );
    assert!(!res.text.contains("missing-queue"), "{}", res.text);
    assert_eq!(
        res.body["status"], "healthy",
        "only the table decides overall health"
    );
}

#[tokio::test]
async fn a_dependency_that_is_down_gives_503_json_never_a_crash() {
    let app = TestApp::spawn_unreachable(users::router).await;
    let res = app.get("/api/health/").send().await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["status"], "unhealthy");
    assert_eq!(res.body["checks"]["table"], "error", "{}", res.text);
    assert!(
        !res.text.contains("127.0.0.1"),
        "no error chain: {}",
        res.text
    );
    let res = app.get("/api/health/db/").send().await;
    assert_eq!(res.status, 503);
    assert_eq!(
        res.body,
        json!({"status": "unhealthy", "database": "disconnected", "error": "error"})
    );
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
async fn a_dependency_that_never_answers_gives_503_json_before_the_deadline() {
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
    let res = tokio::time::timeout(
        shared::http::app::REQUEST_DEADLINE,
        app.get("/api/health/db/").send(),
    )
    .await
    .expect("the health check returns");
    assert_eq!(res.status, 503, "{}", res.text);
}

fn uuid_like() -> String {
    format!(
        "{:x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

fn aws_s3(sdk: &aws_config::SdkConfig) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(true)
            .build(),
    )
}

fn aws_sqs(sdk: &aws_config::SdkConfig) -> aws_sdk_sqs::Client {
    aws_sdk_sqs::Client::new(sdk)
}
