//! Health checks, and a dependency that is down.

mod common;

use serde_json::json;
use shared::testkit::TestApp;

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
    assert_eq!(res.body["database"], "connected");
    assert_eq!(res.body["engine"], "dynamodb");
    // Public, but a bad token is still refused.
    let res = app.get("/api/health/").bearer("junk").send().await;
    assert_eq!(res.status, 401);
}

#[tokio::test]
async fn health_checks_bucket_and_queues_when_configured() {
    let endpoint = shared::testkit::endpoint();
    let sdk = shared::state::sdk_config(Some(&endpoint)).await;
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
    assert!(res.body["checks"]["ai_queue"]
        .as_str()
        .unwrap()
        .starts_with("error: "));
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
    assert!(res.body["checks"]["table"]
        .as_str()
        .unwrap()
        .starts_with("error: "));
    let res = app.get("/api/health/db/").send().await;
    assert_eq!(res.status, 503);
    assert_eq!(res.body["database"], "disconnected");
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
