//! Local stack tooling, run by `make dev` and `make staff`:
//!
//! - `autotrack-local bootstrap <env-file>`: creates the table (from
//!   `infra/table.json`), the documents bucket, the job queues with their
//!   dead-letter queues, and the SES sender identity in the emulator; loads
//!   reference data; writes the queue URLs to `<env-file>`.
//! - `autotrack-local staff <email> <password>`: creates a staff user or
//!   promotes an existing one (Django's `createsuperuser`).
//! - `autotrack-local bridge <invoke-url> [<function>=<queue-url> ...]`:
//!   delivers each queue's messages to its worker function on the
//!   `cargo lambda watch` server at `<invoke-url>` (see `infra::bridge`),
//!   until Ctrl-C. With no worker it says so and exits.
//! - `autotrack-local serve [--port N]`: the whole HTTP API in this process
//!   on 127.0.0.1 (default port 9000; 0 picks a free one), every function
//!   built from the environment as its cold start does, each request sent
//!   to the function the watch router names (`infra::serve`). Tests and
//!   `make fuzz` run against it.
//! - `autotrack-local sample-invoice <file>`: writes a one-page French
//!   garage invoice as a PDF with a text layer (the README's walk-through
//!   uploads it; no binary is checked in).

use std::process::ExitCode;

use infra::aws::tool_sdk_config;
use serde_json::json;
use shared::domain::users::{password_problems, User};
use shared::http::validate::is_valid_email;
use shared::state::SdkTimeouts;
use shared::store::{client, table, Store};

fn env(key: &str, default: &str) -> String {
    std::env::var(key)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_string())
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["bootstrap", env_file] => bootstrap(env_file).await,
        ["staff", email, password] => staff(email, password).await,
        ["bridge", invoke_url, workers @ ..] => bridge(invoke_url, workers).await,
        ["serve"] => serve("9000").await,
        ["serve", "--port", port] => serve(port).await,
        ["sample-invoice", file] => std::fs::write(
            file,
            testkit::fixtures::text_pdf(testkit::fixtures::SAMPLE_INVOICE),
        )
        .map_err(|e| format!("writing {file}: {e}")),
        _ => Err(
            "usage: autotrack-local bootstrap <env-file> | staff <email> <password> \
                  | bridge <invoke-url> [<function>=<queue-url> ...] | serve [--port N] \
                  | sample-invoice <file>"
                .into(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The bucket's rules as the template declares them: pending uploads
/// expire after a day; the browser may PUT to presigned links (any origin
/// locally, the front-end's deployed).
async fn configure_bucket(s3: &aws_sdk_s3::Client, bucket: &str) -> Result<(), String> {
    use aws_sdk_s3::types::{
        BucketLifecycleConfiguration, CorsConfiguration, CorsRule, ExpirationStatus,
        LifecycleExpiration, LifecycleRule, LifecycleRuleFilter,
    };
    let pending = LifecycleRule::builder()
        .id("ExpirePendingUploads")
        .status(ExpirationStatus::Enabled)
        .filter(
            LifecycleRuleFilter::builder()
                .prefix(shared::store::keys::PENDING_OBJECTS)
                .build(),
        )
        .expiration(LifecycleExpiration::builder().days(1).build())
        .build()
        .map_err(|e| e.to_string())?;
    s3.put_bucket_lifecycle_configuration()
        .bucket(bucket)
        .lifecycle_configuration(
            BucketLifecycleConfiguration::builder()
                .rules(pending)
                .build()
                .map_err(|e| e.to_string())?,
        )
        .send()
        .await
        .map_err(|e| format!("bucket lifecycle: {e:?}"))?;
    let cors = CorsRule::builder()
        .allowed_origins("*")
        .allowed_methods("PUT")
        .allowed_methods("GET")
        .allowed_methods("HEAD")
        .allowed_headers("Content-Type")
        .expose_headers("ETag")
        .max_age_seconds(600)
        .build()
        .map_err(|e| e.to_string())?;
    s3.put_bucket_cors()
        .bucket(bucket)
        .cors_configuration(
            CorsConfiguration::builder()
                .cors_rules(cors)
                .build()
                .map_err(|e| e.to_string())?,
        )
        .send()
        .await
        .map_err(|e| format!("bucket CORS: {e:?}"))?;
    Ok(())
}

async fn bootstrap(env_file: &str) -> Result<(), String> {
    let endpoint = std::env::var("AWS_ENDPOINT_URL")
        .map_err(|_| "AWS_ENDPOINT_URL must point at the emulator".to_string())?;
    let sdk = tool_sdk_config(Some(&endpoint), SdkTimeouts::EMULATOR).await;
    let table_name = env("TABLE_NAME", "autotrack");
    let bucket = env("BUCKET_NAME", "autotrack-documents");
    let sender = env("MAIL_FROM", "noreply@autotrack.local");
    let region = sdk
        .region()
        .map(|r| r.to_string())
        .unwrap_or_else(|| "eu-west-1".into());

    let (dynamodb, _) = client::dynamodb(&sdk);
    table::create(&dynamodb, &table_name)
        .await
        .map_err(|e| e.to_string())?;
    println!("table      {table_name}");
    let store = Store::new(dynamodb.clone(), table_name.clone(), Default::default());
    let (brands, models) = vehicles::catalog::store::Catalog::of(&store)
        .load(vehicles::catalog::store::SEED_CATALOG)
        .await
        .map_err(|e| e.to_string())?;
    println!("catalogue  {brands} new brands, {models} new models");
    let (garages, reviews) = infra::seed_garages::load(&store)
        .await
        .map_err(|e| e.to_string())?;
    println!("garages    {garages} new, {reviews} new reviews");
    // The plans of issue 14, their Stripe prices from STRIPE_PRICE_* (unset
    // locally: the checkout simulator needs none).
    let now = shared::time::now();
    let catalogue: Vec<_> = shared::domain::plans::CATALOGUE
        .iter()
        .map(|p| p.plan(|var| std::env::var(var).ok(), now))
        .collect();
    let plans = store
        .plans()
        .load(&catalogue)
        .await
        .map_err(|e| e.to_string())?;
    println!("plans      {plans} written of {}", catalogue.len());

    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&sdk)
            .force_path_style(true)
            .build(),
    );
    let mut create = s3.create_bucket().bucket(&bucket);
    if region != "us-east-1" {
        create = create.create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(
                    region.as_str(),
                ))
                .build(),
        );
    }
    if let Err(e) = create.send().await {
        let owned = e
            .as_service_error()
            .is_some_and(|s| s.is_bucket_already_owned_by_you());
        if !owned {
            return Err(format!("creating bucket {bucket}: {e:?}"));
        }
    }
    configure_bucket(&s3, &bucket).await?;
    println!("bucket     {bucket}");

    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let mut lines = Vec::new();
    for (var, name, visibility) in [
        ("OCR_QUEUE_URL", "autotrack-ocr-jobs", 540),
        ("AI_QUEUE_URL", "autotrack-ai-jobs", 360),
    ] {
        // As the template: five receives, then the dead-letter queue.
        let (url, _) = infra::queues::create_with_dlq(&sqs, name, 5, visibility).await?;
        println!("queue      {url}");
        lines.push(format!("{var}={url}"));
    }

    aws_sdk_sesv2::Client::new(&sdk)
        .create_email_identity()
        .email_identity(&sender)
        .send()
        .await
        .map(|_| ())
        .or_else(|e| {
            let exists = e
                .as_service_error()
                .is_some_and(|s| s.is_already_exists_exception());
            if exists {
                Ok(())
            } else {
                Err(format!("creating sender identity: {e:?}"))
            }
        })?;
    println!("sender     {sender}");

    std::fs::write(env_file, lines.join("\n") + "\n")
        .map_err(|e| format!("writing {env_file}: {e}"))?;
    Ok(())
}

async fn bridge(invoke_url: &str, workers: &[&str]) -> Result<(), String> {
    let workers = workers
        .iter()
        .filter(|w| !w.trim().is_empty())
        .map(|w| w.parse::<infra::bridge::Worker>())
        .collect::<Result<Vec<_>, _>>()?;
    if workers.is_empty() {
        println!("bridge: no worker function to deliver to: the SQS bridge does not start");
        return Ok(());
    }
    let endpoint = std::env::var("AWS_ENDPOINT_URL")
        .map_err(|_| "AWS_ENDPOINT_URL must point at the emulator".to_string())?;
    let sdk = tool_sdk_config(Some(&endpoint), SdkTimeouts::EMULATOR).await;
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let options = infra::bridge::PumpOptions::new(invoke_url);
    tokio::select! {
        () = infra::bridge::run(sqs, workers, options) => Ok(()),
        _ = tokio::signal::ctrl_c() => {
            println!("bridge: stopped");
            Ok(())
        }
    }
}

async fn serve(port: &str) -> Result<(), String> {
    let port: u16 = port
        .parse()
        .map_err(|_| format!("--port {port:?} is not a port number"))?;
    shared::http::app::init_tracing();
    let api = infra::serve::LocalApi::from_env().await?;
    infra::serve::serve(api, port).await
}

async fn staff(email: &str, password: &str) -> Result<(), String> {
    if !is_valid_email(email.trim()) {
        return Err(format!("{email:?} is not a valid e-mail address"));
    }
    let problems = password_problems(password);
    if !problems.is_empty() {
        return Err(problems.join(" "));
    }
    let endpoint = std::env::var("AWS_ENDPOINT_URL").ok();
    let sdk = tool_sdk_config(
        endpoint.as_deref(),
        SdkTimeouts::for_endpoint(endpoint.as_deref()),
    )
    .await;
    let (dynamodb, calls) = client::dynamodb(&sdk);
    let store = Store::new(dynamodb, env("TABLE_NAME", "autotrack"), calls);
    let hash = shared::auth::password::hash(password).map_err(|e| e.to_string())?;
    let mut user = User::new(
        email,
        "Admin".into(),
        "AutoTrack".into(),
        hash,
        shared::time::now(),
    );
    user.roles = json!(["admin"]);
    user.email_verified = true;
    user.is_staff = true;
    user.is_superuser = true;
    let saved = store
        .users()
        .upsert_staff(&user)
        .await
        .map_err(|e| e.to_string())?;
    println!("staff user {} ({})", saved.email, saved.id);
    Ok(())
}
