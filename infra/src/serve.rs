//! The whole HTTP API in one local process (`autotrack-local serve`): every
//! HTTP function's state built from the environment as its cold start
//! builds it (`shared::state::from_env`), and each request handed to the
//! router of the function the watch router names for its path
//! (`infra::watch`, the table `make dev` uses); a path no function serves
//! gets the shared JSON 404. For tests and fuzzing (`make test`): no
//! compile-on-first-request, no restart on file changes, no proxy.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::Router;
use shared::error::Error;
use shared::state::{from_env, FunctionState};
use tower::ServiceExt;

use crate::watch;

/// Every HTTP function's router, by binary name, and the path table.
#[derive(Clone)]
pub struct LocalApi {
    table: Arc<Vec<(String, String)>>,
    routers: Arc<HashMap<&'static str, Router>>,
}

async fn cold_start<S: FunctionState>(name: &str) -> Result<S, String> {
    from_env::<S>().await.map_err(|e| format!("{name}: {e}"))
}

impl LocalApi {
    /// Builds every function from the process environment (the variables
    /// `make dev` exports); the first problem stops it, named.
    pub async fn from_env() -> Result<Self, String> {
        let mut routers: HashMap<&'static str, Router> = HashMap::new();
        routers.insert(
            "users",
            users::router(cold_start::<users::UsersState>("users").await?),
        );
        routers.insert(
            "vehicles",
            vehicles::router(cold_start::<vehicles::VehiclesState>("vehicles").await?),
        );
        routers.insert(
            "maintenances",
            maintenances::router(
                cold_start::<maintenances::MaintenancesState>("maintenances").await?,
            ),
        );
        routers.insert(
            "notifications",
            notifications::router(
                cold_start::<notifications::NotificationsState>("notifications").await?,
            ),
        );
        routers.insert(
            "garages",
            garages::router(cold_start::<garages::GaragesState>("garages").await?),
        );
        routers.insert(
            "documents",
            documents::router(cold_start::<documents::DocumentsState>("documents").await?),
        );
        routers.insert(
            "diagnostics",
            diagnostics::router(cold_start::<diagnostics::DiagnosticsState>("diagnostics").await?),
        );
        routers.insert(
            "plans",
            plans::router(cold_start::<plans::PlansState>("plans").await?),
        );
        routers.insert(
            "subscriptions",
            subscriptions::router(
                cold_start::<subscriptions::SubscriptionsState>("subscriptions").await?,
            ),
        );
        routers.insert(
            "stripe-webhook",
            stripe_webhook::router(
                cold_start::<stripe_webhook::WebhookState>("stripe-webhook").await?,
            ),
        );
        routers.insert(
            "ai-assistant",
            ai_assistant::router(cold_start::<ai_assistant::AssistantState>("ai-assistant").await?),
        );
        routers.insert(
            "settings",
            settings::router(cold_start::<settings::SettingsState>("settings").await?),
        );
        routers.insert(
            "health",
            health::router(cold_start::<health::HealthState>("health").await?),
        );
        routers.insert("docs", docs::router());
        Self::new(watch::router(watch::MANIFEST), routers)
    }

    /// Every function the path table names must have a router.
    pub fn new(
        table: Vec<(String, String)>,
        routers: HashMap<&'static str, Router>,
    ) -> Result<Self, String> {
        if table.is_empty() {
            return Err("no [workspace.metadata.lambda.watch.router] in Cargo.toml".into());
        }
        let missing: Vec<&str> = table
            .iter()
            .map(|(_, binary)| binary.as_str())
            .filter(|binary| !routers.contains_key(binary))
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "the watch router names functions the local server does not build: {}",
                missing.join(", ")
            ));
        }
        Ok(Self {
            table: Arc::new(table),
            routers: Arc::new(routers),
        })
    }

    /// The one router of the local server.
    pub fn router(self) -> Router {
        Router::new().fallback(dispatch).with_state(self)
    }
}

async fn dispatch(State(api): State<LocalApi>, req: Request) -> Response {
    let function = watch::target(&api.table, req.uri().path());
    match function.and_then(|f| api.routers.get(f)) {
        Some(router) => match router.clone().oneshot(req).await {
            Ok(response) => response,
            Err(never) => match never {},
        },
        None => Error::NotFound(None).into_response(),
    }
}

/// Serves the API on `127.0.0.1:port` (0: a free port) until Ctrl-C or
/// SIGTERM. Prints `serving http://127.0.0.1:<port>` once it listens.
pub async fn serve(api: LocalApi, port: u16) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| format!("binding 127.0.0.1:{port}: {e}"))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    println!("serving http://{address}");
    axum::serve(listener, api.router())
        .with_graceful_shutdown(stopped())
        .await
        .map_err(|e| e.to_string())
}

async fn stopped() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
