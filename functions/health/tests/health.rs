//! Health checks (spec 14): one word per dependency, never a detail, and
//! a table that is down or silent.

use serde_json::json;

type TestApp = testkit::TestApp<health::HealthState>;

#[tokio::test]
async fn health_reports_each_dependency() {
    let app = TestApp::spawn(health::router).await;
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
    let app = TestApp::spawn_with(health::router, |c| {
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
async fn a_table_that_is_down_is_reported_never_a_crash() {
    let app = TestApp::spawn_unreachable(health::router).await;
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
}

#[tokio::test]
async fn a_table_that_never_answers_gives_503_json_before_the_deadline() {
    let app = TestApp::spawn_silent(health::router).await;
    // The bound is the request deadline, itself under the Lambda timeout:
    // the answer is ours, never API Gateway's own timeout error.
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

fn aws_s3(sdk: &shared::state::SdkConfig) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(true)
            .build(),
    )
}

fn aws_sqs(sdk: &shared::state::SdkConfig) -> aws_sdk_sqs::Client {
    aws_sdk_sqs::Client::new(sdk)
}
