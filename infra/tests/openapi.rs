//! The API's OpenAPI document (docs/openapi-design.md).
//!
//! - It is generated here from the functions' code (each function's
//!   `openapi()`, feature `openapi`, merged and completed by
//!   `shared::openapi`) and must equal the checked-in `docs/openapi.json`,
//!   which the `docs` function serves. After a change of routes or shapes:
//!   `make openapi` (this test with `UPDATE_OPENAPI=1`) rewrites the file.
//! - The document and the routers agree: every method a router serves on
//!   every path literal of its `src/lib.rs` is documented at that path (with
//!   its trailing slash), and every documented operation is served.

use axum::http::Method;
use serde_json::Value;
use std::future::Future;
use std::pin::Pin;

use testkit::TestApp;
use tower::ServiceExt;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

/// Builds a function's app on its own state (states differ by function).
type SpawnApp = fn() -> Pin<Box<dyn Future<Output = TestApp<()>>>>;

/// A documented function: its directory under `functions/`, its router,
/// its operations and its aliases.
struct Documented {
    name: &'static str,
    /// The function's app on an unreachable backend (no request here needs one).
    app: SpawnApp,
    openapi: fn() -> utoipa::openapi::OpenApi,
    aliases: &'static [shared::openapi::Alias],
}

/// Every function whose routes are documented. Issue 10 adds the others
/// as their `openapi` modules land (docs/adding-a-function.md).
const DOCUMENTED: [Documented; 14] = [
    Documented {
        name: "settings",
        app: || {
            Box::pin(async {
                TestApp::spawn_unreachable(settings::router)
                    .await
                    .without_state()
            })
        },
        openapi: settings::openapi::openapi,
        aliases: settings::openapi::ALIASES,
    },
    Documented {
        name: "users",
        app: || {
            Box::pin(async {
                TestApp::spawn_unreachable(users::router)
                    .await
                    .without_state()
            })
        },
        openapi: users::openapi::openapi,
        aliases: users::openapi::ALIASES,
    },
    Documented {
        name: "health",
        app: || {
            Box::pin(async {
                TestApp::spawn_unreachable(health::router)
                    .await
                    .without_state()
            })
        },
        openapi: health::openapi::openapi,
        aliases: health::openapi::ALIASES,
    },
    Documented {
        name: "docs",
        app: || {
            Box::pin(async {
                // No state: a settings app carries the docs router.
                let mut app = TestApp::spawn_unreachable(settings::router)
                    .await
                    .without_state();
                app.router = docs::router();
                app
            })
        },
        openapi: docs::openapi::openapi,
        aliases: &[],
    },
    Documented {
        name: "vehicles",
        app: || {
            Box::pin(async {
                TestApp::spawn_unreachable(vehicles::router)
                    .await
                    .without_state()
            })
        },
        openapi: vehicles::openapi::openapi,
        aliases: vehicles::openapi::ALIASES,
    },
    Documented {
        name: "maintenances",
        app: || {
            Box::pin(async {
                TestApp::spawn_unreachable(maintenances::router)
                    .await
                    .without_state()
            })
        },
        openapi: maintenances::openapi::openapi,
        aliases: maintenances::openapi::ALIASES,
    },
    Documented {
        name: "notifications",
        app: || {
            Box::pin(async {
                TestApp::spawn_unreachable(notifications::router)
                    .await
                    .without_state()
            })
        },
        openapi: notifications::openapi::openapi,
        aliases: notifications::openapi::ALIASES,
    },
    Documented {
        name: "garages",
        app: || {
            Box::pin(async {
                TestApp::spawn_unreachable(garages::router)
                    .await
                    .without_state()
            })
        },
        openapi: garages::openapi::openapi,
        aliases: garages::openapi::ALIASES,
    },
    Documented {
        name: "documents",
        app: || {
            Box::pin(async {
                // Its state needs a bucket and a queue to start.
                TestApp::spawn_unreachable_with(documents::router, |c| {
                    c.bucket_name = Some("unreachable-bucket".into());
                    c.ocr_queue_url = Some("http://127.0.0.1:9/000000000000/unreachable".into());
                })
                .await
                .without_state()
            })
        },
        openapi: documents::openapi::openapi,
        aliases: documents::openapi::ALIASES,
    },
    Documented {
        name: "diagnostics",
        app: || {
            Box::pin(async {
                // Its state needs a queue to start.
                TestApp::spawn_unreachable_with(diagnostics::router, |c| {
                    c.ai_queue_url = Some("http://127.0.0.1:9/000000000000/unreachable".into());
                })
                .await
                .without_state()
            })
        },
        openapi: diagnostics::openapi::openapi,
        aliases: diagnostics::openapi::ALIASES,
    },
    Documented {
        name: "plans",
        app: || {
            Box::pin(async {
                TestApp::spawn_unreachable(plans::router)
                    .await
                    .without_state()
            })
        },
        openapi: plans::openapi::openapi,
        aliases: plans::openapi::ALIASES,
    },
    Documented {
        name: "subscriptions",
        app: || {
            Box::pin(async {
                // Neither Stripe nor the simulator: nothing is sold.
                TestApp::spawn_unreachable(subscriptions::router)
                    .await
                    .without_state()
            })
        },
        openapi: subscriptions::openapi::openapi,
        aliases: subscriptions::openapi::ALIASES,
    },
    Documented {
        name: "stripe-webhook",
        app: || {
            Box::pin(async {
                // No signing secret: a delivery is the 503 (still routed).
                TestApp::spawn_unreachable(stripe_webhook::router)
                    .await
                    .without_state()
            })
        },
        openapi: stripe_webhook::openapi::openapi,
        aliases: stripe_webhook::openapi::ALIASES,
    },
    Documented {
        name: "ai-assistant",
        app: || {
            Box::pin(async {
                // No model key: the offline assistant (no request here
                // reaches it).
                TestApp::spawn_unreachable(ai_assistant::router)
                    .await
                    .without_state()
            })
        },
        openapi: ai_assistant::openapi::openapi,
        aliases: ai_assistant::openapi::ALIASES,
    },
];

fn generate() -> Value {
    let mut doc = shared::openapi::document(DOCUMENTED.iter().map(|f| (f.openapi)()).collect());
    for function in &DOCUMENTED {
        for alias in function.aliases {
            shared::openapi::alias(&mut doc, *alias);
        }
    }
    doc
}

fn render(doc: &Value) -> String {
    serde_json::to_string_pretty(doc).unwrap() + "\n"
}

#[test]
fn the_checked_in_document_is_the_codes() {
    let path = format!("{ROOT}/docs/openapi.json");
    let generated = render(&generate());
    if std::env::var("UPDATE_OPENAPI").as_deref() == Ok("1") {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    if checked_in != generated {
        let first = checked_in
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(checked_in.lines().count().min(generated.lines().count()));
        panic!(
            "docs/openapi.json differs from the code from line {}: run `make openapi` \
             (UPDATE_OPENAPI=1 cargo test -p infra --test openapi) and commit the file",
            first + 1
        );
    }
    assert_eq!(
        docs::DOCUMENT,
        checked_in,
        "the docs function embeds the file"
    );
}

#[test]
fn the_document_is_openapi_3_1_and_every_reference_resolves() {
    let doc = generate();
    assert_eq!(doc["openapi"], "3.1.0");
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    assert!(!refs.is_empty());
    for reference in refs {
        let pointer = reference
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("{reference}: only local references"));
        assert!(
            doc.pointer(pointer).is_some(),
            "{reference} does not resolve"
        );
    }
    let mut ids = Vec::new();
    for item in doc["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            let id = op["operationId"]
                .as_str()
                .expect("every operation has an id");
            assert!(!ids.contains(&id.to_string()), "operation id {id} twice");
            ids.push(id.to_string());
            let security = op["security"].as_array().expect("security stated");
            let reads_token = security.iter().any(|r| r.get("bearer").is_some());
            assert_eq!(
                op["responses"]["401"].is_object(),
                reads_token,
                "{id}: 401 documented where a token is read"
            );
        }
    }
}

fn collect_refs(value: &Value, refs: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("$ref", Value::String(r)) => refs.push(r.clone()),
                    _ => collect_refs(inner, refs),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, refs)),
        _ => {}
    }
}

/// The `"/api/..."` string literals of a function's `src/lib.rs`.
fn declared_patterns(function: &str) -> Vec<String> {
    let source =
        std::fs::read_to_string(format!("{ROOT}/functions/{function}/src/lib.rs")).unwrap();
    let mut patterns: Vec<String> = source
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|literal| literal.starts_with("/api/"))
        .map(str::to_string)
        .collect();
    patterns.sort();
    patterns.dedup();
    patterns
}

/// A concrete path for a pattern: each parameter becomes a UUID.
fn concrete(pattern: &str) -> String {
    pattern
        .split('/')
        .map(|s| {
            if s.starts_with('{') {
                "0195f0a0-4e1b-7c3d-8e2f-0123456789ab"
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

const METHODS: [Method; 5] = [
    Method::GET,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
];

#[tokio::test]
async fn every_routed_method_is_documented_and_every_operation_is_routed() {
    let doc = generate();
    let documented_paths = doc["paths"].as_object().unwrap();
    let mut problems = Vec::new();
    let mut covered = Vec::new();
    for function in &DOCUMENTED {
        let app = (function.app)().await;
        for pattern in declared_patterns(function.name) {
            let doc_path = format!("{pattern}/");
            covered.push(doc_path.clone());
            let path = concrete(&pattern);
            for method in METHODS {
                // No request reaches a handler that needs the backend: a
                // protected one stops at the missing token, a public one of
                // `docs` needs none. An unrouted method is the shared 405.
                let request = axum::http::Request::builder()
                    .method(method.clone())
                    .uri(&path)
                    .body(axum::body::Body::empty())
                    .unwrap();
                let status = app.router.clone().oneshot(request).await.unwrap().status();
                let routed = status != 405;
                let method_name = method.as_str().to_ascii_lowercase();
                let documented = documented_paths
                    .get(&doc_path)
                    .is_some_and(|item| item.get(&method_name).is_some());
                if routed && !documented {
                    problems.push(format!(
                        "{method} {doc_path} is served by {} but not documented",
                        function.name
                    ));
                }
                if documented && !routed {
                    problems.push(format!(
                        "{method} {doc_path} is documented but {} answers 405",
                        function.name
                    ));
                }
            }
        }
    }
    for path in documented_paths.keys() {
        if !covered.contains(path) {
            problems.push(format!("{path} is documented but no router declares it"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
