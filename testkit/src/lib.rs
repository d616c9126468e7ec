//! Test helpers (a dev-dependency of the function crates): every test gets
//! its own table in the emulator, drives the function's router in process
//! on the function's own state, and can read the e-mails the emulator
//! accepted.

pub mod documents;
pub mod fixtures;
pub mod openai;
pub mod samples;
pub mod stripe;
pub mod textract;

use std::io::{Read, Write};

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::Value;
use shared::auth::TokenService;
use shared::config::{AwsConfig, AwsCredentials, Env, Secret, TokenConfig};
use shared::state::{sdk_config, Aws, FromRef, FunctionState, SdkConfig, SdkTimeouts};
use shared::store::{table, Store};
use tokio::sync::OnceCell;
use tower::ServiceExt;

pub const MAIL_FROM: &str = "noreply@autotrack.test";
pub const FRONTEND_URL: &str = "https://app.autotrack.test";

/// The emulator's address; `make test` starts one and exports it.
pub fn endpoint() -> String {
    std::env::var("AWS_ENDPOINT_URL").expect(
        "AWS_ENDPOINT_URL is not set: run the tests with `make test`, which starts the emulator",
    )
}

/// Where the tests' e-mail goes: a second emulator of its own when
/// `make test` started one (`TEST_MAIL_ENDPOINT_URL`), else the main one.
pub fn mail_endpoint() -> String {
    std::env::var("TEST_MAIL_ENDPOINT_URL").unwrap_or_else(|_| endpoint())
}

/// The emulator at `endpoint`, with the region and keys `make test`
/// exports (the emulator accepts any keys).
pub fn emulator_aws(endpoint: &str) -> AwsConfig {
    let var = |key: &str, default: &str| std::env::var(key).unwrap_or_else(|_| default.into());
    AwsConfig {
        endpoint_url: Some(endpoint.into()),
        region: var("AWS_REGION", "eu-west-1"),
        credentials: AwsCredentials {
            access_key_id: var("AWS_ACCESS_KEY_ID", "testing"),
            secret_access_key: Secret::new(var("AWS_SECRET_ACCESS_KEY", "testing")),
            session_token: None,
        },
    }
}

/// An SDK configuration for the emulator at `endpoint`, for a test's own
/// clients (buckets, queues) next to the app.
pub fn emulator_sdk(endpoint: &str) -> SdkConfig {
    sdk_config(&emulator_aws(endpoint), SdkTimeouts::EMULATOR)
}

/// The environment of one test: its own table, a random signing secret;
/// a test may set the optional components before the app is built.
#[derive(Clone, Debug)]
pub struct TestConfig {
    pub table_name: String,
    pub jwt_secret: String,
    pub bucket_name: Option<String>,
    pub ocr_queue_url: Option<String>,
    pub ai_queue_url: Option<String>,
    pub aws_endpoint_url: String,
    /// A function's own variables (the OCR worker's engine, say).
    pub extra: Vec<(&'static str, String)>,
}

impl TestConfig {
    pub fn new(endpoint: &str) -> Self {
        Self {
            table_name: format!("test-{}", uuid::Uuid::now_v7().simple()),
            jwt_secret: format!(
                "{}{}",
                uuid::Uuid::new_v4().simple(),
                uuid::Uuid::new_v4().simple()
            ),
            bucket_name: None,
            ocr_queue_url: None,
            ai_queue_url: None,
            aws_endpoint_url: endpoint.into(),
            extra: Vec::new(),
        }
    }

    /// The variables, as a function reads them.
    pub fn env(&self) -> Env<'_> {
        Env::from_lookup(|key| match key {
            "TABLE_NAME" => Some(self.table_name.clone()),
            "JWT_SECRET" => Some(self.jwt_secret.clone()),
            "FRONTEND_URL" => Some(FRONTEND_URL.into()),
            "MAIL_FROM" => Some(MAIL_FROM.into()),
            "BUCKET_NAME" => self.bucket_name.clone(),
            "OCR_QUEUE_URL" => self.ocr_queue_url.clone(),
            "AI_QUEUE_URL" => self.ai_queue_url.clone(),
            "AWS_ENDPOINT_URL" => Some(self.aws_endpoint_url.clone()),
            other => self
                .extra
                .iter()
                .find(|(name, _)| *name == other)
                .map(|(_, value)| value.clone()),
        })
    }

    fn aws(&self) -> AwsConfig {
        emulator_aws(&self.aws_endpoint_url)
    }
}

/// A function's router on its own state `S`, and what the helpers below
/// write with: the same table, and tokens signed with the same secret
/// (whether or not the function itself checks tokens).
pub struct TestApp<S> {
    pub router: Router,
    pub state: S,
    store: Store,
    tokens: TokenService,
}

static SENDER: OnceCell<()> = OnceCell::const_new();

impl<S: FunctionState> TestApp<S>
where
    Store: FromRef<S>,
{
    /// A fresh table and the app built on it by `build`.
    pub async fn spawn(build: impl FnOnce(S) -> Router) -> Self {
        Self::spawn_with(build, |_| {}).await
    }

    /// Like `spawn`, with a chance to adjust the configuration first.
    pub async fn spawn_with(
        build: impl FnOnce(S) -> Router,
        adjust: impl FnOnce(&mut TestConfig),
    ) -> Self {
        let mut config = TestConfig::new(&endpoint());
        adjust(&mut config);
        let mail_sdk = emulator_sdk(&mail_endpoint());
        let aws = Aws::connect(&config.aws()).with_mail_sdk(mail_sdk.clone());
        let app = Self::compose(&config, &aws, build);
        table::create(app.store.client(), app.store.table())
            .await
            .expect("create test table");
        SENDER
            .get_or_init(|| async {
                let _ = aws_sdk_sesv2::Client::new(&mail_sdk)
                    .create_email_identity()
                    .email_identity(MAIL_FROM)
                    .send()
                    .await;
            })
            .await;
        app
    }

    /// An app whose AWS endpoint is a closed port: every dependency is down.
    pub async fn spawn_unreachable(build: impl FnOnce(S) -> Router) -> Self {
        Self::spawn_at("http://127.0.0.1:9", build).await
    }

    /// An app whose AWS endpoint accepts connections and never answers (a
    /// hung dependency): requests must still end, in our 503 JSON. The
    /// listener lives as long as the test's runtime.
    pub async fn spawn_silent(build: impl FnOnce(S) -> Router) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a silent endpoint");
        let address = listener.local_addr().expect("silent endpoint address");
        tokio::spawn(async move {
            // Keep every connection open, read nothing, write nothing.
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                held.push(socket);
            }
        });
        Self::spawn_at(&format!("http://{address}"), build).await
    }

    /// `spawn_unreachable` for a function that needs more configuration
    /// (a bucket, a queue) to start.
    pub async fn spawn_unreachable_with(
        build: impl FnOnce(S) -> Router,
        adjust: impl FnOnce(&mut TestConfig),
    ) -> Self {
        let mut config = TestConfig::new("http://127.0.0.1:9");
        adjust(&mut config);
        let aws = Aws::with_timeouts(&config.aws(), SdkTimeouts::REQUEST);
        Self::compose(&config, &aws, build)
    }

    /// An app against `endpoint` with the deployed request budget, no table.
    async fn spawn_at(endpoint: &str, build: impl FnOnce(S) -> Router) -> Self {
        let config = TestConfig::new(endpoint);
        let aws = Aws::with_timeouts(&config.aws(), SdkTimeouts::REQUEST);
        Self::compose(&config, &aws, build)
    }

    /// The function's state read from the test's environment, as at a cold
    /// start, and the helpers' store and tokens next to it.
    fn compose(config: &TestConfig, aws: &Aws, build: impl FnOnce(S) -> Router) -> Self {
        let mut env = config.env();
        let sections = S::read(&mut env);
        let tokens = TokenConfig::read(&mut env);
        env.finish().expect("test configuration is complete");
        let state = S::build(sections, aws);
        TestApp {
            router: build(state.clone()),
            store: Store::from_ref(&state),
            tokens: TokenService::new(tokens),
            state,
        }
    }
}

impl<S> TestApp<S> {
    /// The same app, its state type forgotten (to keep apps of several
    /// functions in one list).
    pub fn without_state(self) -> TestApp<()> {
        TestApp {
            router: self.router,
            state: (),
            store: self.store,
            tokens: self.tokens,
        }
    }

    /// A user stored directly (no HTTP), with an access token for it. Its
    /// password is unusable: see `signed_in_user_with_password` for requests
    /// that ask for it (e-mail change, account deletion).
    pub async fn signed_in_user(&self, name: &str) -> (shared::domain::users::User, String) {
        self.store_signed_in_user(name, "unusable".into()).await
    }

    /// Like `signed_in_user`, with `password` as its password.
    pub async fn signed_in_user_with_password(
        &self,
        name: &str,
        password: &str,
    ) -> (shared::domain::users::User, String) {
        let hash = shared::auth::password::hash(password).expect("hash password");
        self.store_signed_in_user(name, hash).await
    }

    async fn store_signed_in_user(
        &self,
        name: &str,
        password_hash: String,
    ) -> (shared::domain::users::User, String) {
        use shared::domain::users::{EmailCode, Session, User};
        use shared::store::Entity;
        let now = shared::time::now();
        let user = User::new(
            &unique_email(name),
            "Test".into(),
            name.into(),
            password_hash,
            now,
        );
        let session_id = uuid::Uuid::now_v7().to_string();
        let issued = self.tokens.issue(&user.id, 0, &session_id, now);
        let session = Session {
            id: session_id,
            user_id: user.id.clone(),
            refresh_jti: issued.refresh_jti,
            refresh_iat: Some(issued.refresh_issued_at),
            previous_jti: None,
            rotated_at: None,
            ip_address: None,
            user_agent: None,
            is_active: true,
            expires_at: issued.refresh_expires_at.timestamp(),
            created_at: now,
            updated_at: now,
        };
        let code = EmailCode {
            user_id: user.id.clone(),
            digest: String::new(),
            attempts: 0,
            sent_at: 0,
            expires_at: 0,
        };
        self.store
            .users()
            .register(
                &user,
                vec![
                    self.store
                        .tx_put(session.to_item().expect("session item"), Default::default())
                        .expect("session write"),
                    self.store
                        .tx_put(code.to_item().expect("code item"), Default::default())
                        .expect("code write"),
                ],
            )
            .await
            .expect("store user");
        (user, issued.pair.access)
    }

    /// Like `signed_in_user`, with `is_staff` set.
    pub async fn signed_in_staff(&self, name: &str) -> (shared::domain::users::User, String) {
        let (mut user, token) = self.signed_in_user(name).await;
        user.is_staff = true;
        let item = shared::store::users::user_item(&user).expect("user item");
        self.store
            .put(item, shared::store::Expr::new())
            .await
            .expect("store staff");
        (user, token)
    }

    /// Gives `owner_id` the monthly plan of `tier` (`plans::STANDARD`,
    /// `plans::PREMIUM`) of the catalogue, as the billing writes do (the
    /// grant on the profile); none: back to Free (a downgrade).
    pub async fn grant_plan(&self, owner_id: &str, tier: Option<&str>) {
        let grant = tier.map(catalogue_grant);
        self.store
            .transact(vec![self
                .store
                .billing()
                .tx_grant(owner_id, grant.as_ref())
                .expect("grant write")])
            .await
            .expect("store the grant");
    }

    /// A vehicle of `owner_id`, written straight to the store (outside
    /// the plan's limits: see `fixture_plan`).
    pub async fn store_vehicle(
        &self,
        owner_id: &str,
        make: &str,
        mileage: i64,
    ) -> shared::domain::vehicles::Vehicle {
        let now = shared::time::now();
        let vehicle = shared::domain::vehicles::Vehicle {
            id: uuid::Uuid::now_v7().to_string(),
            owner_id: owner_id.into(),
            make: make.into(),
            model: "Model".into(),
            year: 2019,
            license_plate: Some("AB-123-CD".into()),
            vin: None,
            color: None,
            fuel_type: None,
            transmission: None,
            mileage,
            odometer_log: vec![shared::domain::odometer::Reading {
                at: now,
                km: mileage,
            }],
            maintenances_count: 0,
            documents_count: 0,
            diagnostics_count: 0,
            active_reminders: 0,
            created_at: now,
            updated_at: now,
            version: 0,
        };
        self.store
            .vehicles()
            .create(&vehicle, Some(&fixture_plan()))
            .await
            .expect("store vehicle");
        vehicle
    }

    /// A COMPLETED maintenance of `vehicle` (as currently stored), written
    /// through the store like the maintenances function does.
    pub async fn store_maintenance(
        &self,
        vehicle: &shared::domain::vehicles::Vehicle,
        service_type: &str,
        cost_cents: i64,
        mileage: i64,
        date: &str,
    ) {
        let at = shared::time::parse(date).expect("test date");
        let maintenance = shared::domain::maintenances::Maintenance {
            id: uuid::Uuid::now_v7().to_string(),
            owner_id: vehicle.owner_id.clone(),
            vehicle_id: vehicle.id.clone(),
            service_date: at,
            service_type: service_type.into(),
            description: None,
            mileage: Some(mileage),
            cost: Some(cost_cents),
            status: shared::domain::maintenances::COMPLETED.into(),
            invoice_url: None,
            performed_by: None,
            reminder_sent: false,
            created_at: at,
            updated_at: at,
            version: 0,
        };
        let current = self.stored_vehicle(&vehicle.owner_id, &vehicle.id).await;
        self.store
            .maintenances()
            .create(
                &maintenance,
                &current,
                Vec::new(),
                Default::default(),
                Some(&fixture_plan()),
            )
            .await
            .expect("store maintenance");
    }

    /// An active reminder of `vehicle` (as given), written through the store
    /// like the reminders endpoints do, default thresholds.
    pub async fn store_reminder(
        &self,
        vehicle: &shared::domain::vehicles::Vehicle,
        title: &str,
        due_date: Option<&str>,
        due_mileage: Option<i64>,
    ) -> shared::domain::reminders::Reminder {
        let reminder = reminder_for(vehicle, title, due_date, due_mileage);
        let repo = self.store.reminders();
        let gained = shared::store::reminders::Reminders::active_delta(None, Some(&reminder));
        repo.commit(
            vec![repo.tx_create(&reminder).expect("reminder item")],
            Some(vehicle),
            gained,
        )
        .await
        .expect("store reminder");
        reminder
    }

    /// A vehicle as stored now (it must exist).
    pub async fn stored_vehicle(
        &self,
        owner_id: &str,
        vehicle_id: &str,
    ) -> shared::domain::vehicles::Vehicle {
        self.store
            .vehicles()
            .get(owner_id, vehicle_id)
            .await
            .expect("read vehicle")
            .expect("vehicle exists")
    }

    /// A reminder as stored now (`None` once deleted).
    pub async fn stored_reminder(
        &self,
        owner_id: &str,
        reminder_id: &str,
    ) -> Option<shared::domain::reminders::Reminder> {
        self.store
            .get(
                &shared::store::keys::user_pk(owner_id),
                &shared::store::keys::reminder_sk(reminder_id),
            )
            .await
            .expect("read reminder")
            .map(|item| shared::store::from_item(item).expect("decode reminder"))
    }

    /// DynamoDB round trips made so far.
    pub fn calls(&self) -> u64 {
        self.store.calls()
    }

    /// Items DynamoDB returned (or scanned for a filter) to reads so far.
    pub fn items_read(&self) -> u64 {
        self.store.items_read()
    }

    /// Sets a numeric attribute of a stored item (a counter brought near a
    /// limit, say) without going through the API.
    pub async fn set_number(&self, pk: &str, sk: &str, attribute: &str, value: i64) {
        self.store
            .update(
                pk,
                sk,
                shared::store::Expr::new()
                    .update("SET #a = :v")
                    .name("#a", attribute)
                    .value(":v", shared::store::n(value)),
            )
            .await
            .expect("set number");
    }

    /// A long history for read-cost tests, written in bulk: `sessions`
    /// login sessions of the vehicle's owner and `maintenances` completed
    /// records of the vehicle (counted on it).
    pub async fn store_history(
        &self,
        vehicle: &shared::domain::vehicles::Vehicle,
        sessions: usize,
        maintenances: usize,
    ) {
        use shared::domain::maintenances::{Maintenance, COMPLETED};
        use shared::domain::users::Session;
        let now = shared::time::now();
        let mut items = Vec::new();
        for _ in 0..sessions {
            let session = Session {
                id: uuid::Uuid::now_v7().to_string(),
                user_id: vehicle.owner_id.clone(),
                refresh_jti: shared::auth::tokens::new_jti(),
                refresh_iat: Some(now.timestamp()),
                previous_jti: None,
                rotated_at: None,
                ip_address: None,
                user_agent: None,
                is_active: true,
                expires_at: now.timestamp() + 3600,
                created_at: now,
                updated_at: now,
            };
            items.push(shared::store::sessions::session_item(&session).expect("session item"));
        }
        for i in 0..maintenances {
            let at = now - chrono::Duration::days(i as i64 + 1);
            let m = Maintenance {
                id: uuid::Uuid::now_v7().to_string(),
                owner_id: vehicle.owner_id.clone(),
                vehicle_id: vehicle.id.clone(),
                service_date: at,
                service_type: "Oil change".into(),
                description: Some("From the history".into()),
                mileage: None,
                cost: Some(5_000),
                status: COMPLETED.into(),
                invoice_url: None,
                performed_by: None,
                reminder_sent: false,
                created_at: at,
                updated_at: at,
                version: 0,
            };
            items
                .push(shared::store::maintenances::maintenance_item(&m).expect("maintenance item"));
        }
        self.store.put_many(items).await.expect("store history");
        let (pk, sk) = (
            shared::store::keys::user_pk(&vehicle.owner_id),
            shared::store::keys::vehicle_sk(&vehicle.id),
        );
        self.set_number(&pk, &sk, "maintenances_count", maintenances as i64)
            .await;
    }

    pub fn request(&self, method: Method, path: &str) -> TestRequest<'_> {
        TestRequest {
            router: &self.router,
            method,
            path: path.to_string(),
            body: Vec::new(),
            headers: vec![("host".into(), "testserver".into())],
        }
    }

    pub fn get(&self, path: &str) -> TestRequest<'_> {
        self.request(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> TestRequest<'_> {
        self.request(Method::POST, path)
    }

    pub fn put(&self, path: &str) -> TestRequest<'_> {
        self.request(Method::PUT, path)
    }

    pub fn patch(&self, path: &str) -> TestRequest<'_> {
        self.request(Method::PATCH, path)
    }

    pub fn delete(&self, path: &str) -> TestRequest<'_> {
        self.request(Method::DELETE, path)
    }
}

pub struct TestRequest<'a> {
    router: &'a Router,
    method: Method,
    path: String,
    body: Vec<u8>,
    headers: Vec<(String, String)>,
}

impl TestRequest<'_> {
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    pub fn json(mut self, body: Value) -> Self {
        self.body = serde_json::to_vec(&body).expect("JSON body");
        self.header("content-type", "application/json")
    }

    pub fn raw(mut self, content_type: &str, body: &[u8]) -> Self {
        self.body = body.to_vec();
        self.header("content-type", content_type)
    }

    /// A body sent without any content type.
    pub fn untyped(mut self, body: &[u8]) -> Self {
        self.body = body.to_vec();
        self
    }

    pub async fn send(self) -> TestResponse {
        let mut builder = Request::builder().method(self.method).uri(&self.path);
        for (k, v) in &self.headers {
            builder = builder.header(k, v);
        }
        let request = builder.body(Body::from(self.body)).expect("valid request");
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible router");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let text = String::from_utf8_lossy(&bytes).to_string();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| panic!("response is not JSON: {text}"))
        };
        TestResponse {
            status,
            headers,
            body,
            text,
        }
    }
}

#[derive(Debug)]
pub struct TestResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl TestResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Runs every future at the same time on this task and returns their
/// outputs in order: concurrent requests through the in-process router.
/// The plan of `tier` (monthly) of the catalogue `make dev` loads, as a
/// grant on a profile.
pub fn catalogue_grant(tier: &str) -> shared::domain::plans::PlanGrant {
    use shared::domain::plans::{PlanGrant, CATALOGUE, MONTH};
    let plan = CATALOGUE
        .iter()
        .find(|p| p.tier == tier && p.interval == MONTH)
        .unwrap_or_else(|| panic!("no monthly plan of tier {tier}"));
    PlanGrant::of(&plan.plan(|_| None, shared::time::now()))
}

/// Checks a 403 of a create beyond the plan's limit (`plans::limit_reached`):
/// the limit named, the caller's tier, and the plan that lifts it (its
/// tier; none on the top plan).
pub fn assert_plan_limit(res: &TestResponse, limit: &str, tier: &str, lifted_by: Option<&str>) {
    assert_eq!(res.status, 403, "{}", res.text);
    assert_eq!(res.body["code"], "plan_limit", "{}", res.text);
    assert_eq!(res.body["limit"], limit, "{}", res.text);
    assert_eq!(res.body["plan"], tier, "{}", res.text);
    match lifted_by {
        Some(upgrade) => {
            assert_eq!(res.body["upgrade_plan"]["tier"], upgrade, "{}", res.text);
            let name = res.body["upgrade_plan"]["name"].as_str().unwrap();
            let detail = res.body["detail"].as_str().unwrap();
            assert!(detail.contains(&format!("{name} (")), "{detail}");
        }
        None => assert!(res.body["upgrade_plan"].is_null(), "{}", res.text),
    }
}

/// What the fixtures written straight to the store are held to: no plan
/// limit (only the hard ones), so a test sets its user's counters where it
/// wants them whatever the plan; the requests it makes are held to the
/// user's own plan.
pub fn fixture_plan() -> shared::domain::plans::PlanGrant {
    use shared::domain::plans::{FeatureValue, PlanGrant, FEATURES, PREMIUM, UNLIMITED};
    PlanGrant {
        plan_id: "fixture".into(),
        name: "Fixture".into(),
        tier: PREMIUM.into(),
        features: FEATURES
            .iter()
            .map(|f| FeatureValue {
                feature_key: f.key.into(),
                value: UNLIMITED.into(),
            })
            .collect(),
    }
}

pub async fn join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    use std::task::Poll;
    let mut pending: Vec<std::pin::Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut all_done = true;
        for (future, output) in pending.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(value) => *output = Some(value),
                    Poll::Pending => all_done = false,
                }
            }
        }
        if all_done {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

/// Of responses to identical concurrent requests, checks that exactly one
/// got `winner` and every other a clear 4xx among `others`; returns the
/// winner.
pub fn one_winner<'a>(
    responses: &'a [TestResponse],
    winner: u16,
    others: &[u16],
) -> &'a TestResponse {
    let statuses: Vec<u16> = responses.iter().map(|r| r.status).collect();
    let won: Vec<&TestResponse> = responses.iter().filter(|r| r.status == winner).collect();
    assert_eq!(won.len(), 1, "exactly one {winner} among {statuses:?}");
    for lost in responses.iter().filter(|r| r.status != winner) {
        assert!(
            others.contains(&lost.status),
            "{}: {}",
            lost.status,
            lost.text
        );
    }
    won[0]
}

/// A unique address for one test.
pub fn unique_email(name: &str) -> String {
    format!(
        "{name}-{}@example.com",
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    )
}

/// An e-mail the emulator accepted.
#[derive(Clone, Debug)]
pub struct SentMail {
    pub subject: String,
    pub body: String,
}

/// Every e-mail sent to `address`, oldest first (read from the emulator).
pub async fn emails_to(address: &str) -> Vec<SentMail> {
    let endpoint = mail_endpoint();
    let raw = tokio::task::spawn_blocking(move || http_get(&endpoint, "/moto-api/data.json"))
        .await
        .expect("join");
    let data: Value = serde_json::from_str(&raw).expect("emulator data is JSON");
    let messages = data["ses"]["Message"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    messages
        .iter()
        .filter(|m| {
            m["destinations"]["ToAddresses"]
                .as_array()
                .is_some_and(|to| to.iter().any(|a| a.as_str() == Some(address)))
        })
        .map(|m| SentMail {
            subject: m["subject"].as_str().unwrap_or_default().to_string(),
            body: m["body"].as_str().unwrap_or_default().to_string(),
        })
        .collect()
}

/// The first run of six digits in a text (the verification code of a mail).
pub fn six_digit_code(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.windows(6).enumerate().find_map(|(i, w)| {
        let digits = w.iter().all(|c| c.is_ascii_digit());
        let before = i == 0 || !chars[i - 1].is_ascii_digit();
        let after = chars.get(i + 6).is_none_or(|c| !c.is_ascii_digit());
        (digits && before && after).then(|| w.iter().collect())
    })
}

/// A minimal HTTP/1.0 GET against the (plain-HTTP, loopback) emulator.
fn http_get(endpoint: &str, path: &str) -> String {
    let host = endpoint.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(host).expect("emulator reachable");
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n").expect("request sent");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response read");
    response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_string())
        .unwrap_or_default()
}

/// An active reminder of `vehicle` with default thresholds, its alert time
/// computed from the vehicle's own odometer log (no maintenances).
pub fn reminder_for(
    vehicle: &shared::domain::vehicles::Vehicle,
    title: &str,
    due_date: Option<&str>,
    due_mileage: Option<i64>,
) -> shared::domain::reminders::Reminder {
    use shared::domain::reminders::{vehicle_trend, Reminder};
    let mut r = Reminder::new(&vehicle.owner_id, &vehicle.id, "Oil change", title);
    r.due_date = due_date.map(|d| shared::time::parse(d).expect("test date"));
    r.due_mileage = due_mileage;
    r.refreshed(vehicle_trend(vehicle, &[], shared::time::now()))
}
