//! Route agreement: the paths each function's router serves, the
//! `cargo lambda watch` router of the workspace Cargo.toml (`make dev`) and
//! the HttpApi events of template.yaml (deployment) must send every request
//! to the same function.
//!
//! The served paths come from the routers: every `"/api/..."` literal of a
//! function's `src/lib.rs` (where its routes and `at` aliases are declared)
//! is sent through each router built on a test state; a router that does not
//! know a path answers the shared fallback `404 {"detail": "Not found."}`,
//! a known one anything else (a `TRACE` request never reaches a handler:
//! it gets the 405 of a known path).

use std::future::Future;
use std::pin::Pin;

use axum::http::Method;
use axum::Router;
use serde_yaml::Value as Yaml;
use shared::state::{FromRef, FunctionState};
use shared::store::Store;
use testkit::TestApp;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

/// Builds a function's app on its own state (states differ by function).
type SpawnApp = fn() -> Pin<Box<dyn Future<Output = TestApp<()>>>>;

/// Every HTTP function: its binary name (also its directory under
/// `functions/`) and its app.
const HTTP_FUNCTIONS: [(&str, SpawnApp); 14] = [
    ("users", || Box::pin(unreachable(users::router))),
    ("vehicles", || Box::pin(unreachable(vehicles::router))),
    ("maintenances", || {
        Box::pin(unreachable(maintenances::router))
    }),
    ("notifications", || {
        Box::pin(unreachable(notifications::router))
    }),
    ("garages", || Box::pin(unreachable(garages::router))),
    ("documents", || {
        Box::pin(async {
            TestApp::spawn_unreachable_with(documents::router, |c| {
                c.bucket_name = Some("unreachable-bucket".into());
                c.ocr_queue_url = Some("http://127.0.0.1:9/000000000000/unreachable".into());
            })
            .await
            .without_state()
        })
    }),
    ("diagnostics", || {
        Box::pin(async {
            TestApp::spawn_unreachable_with(diagnostics::router, |c| {
                c.ai_queue_url = Some("http://127.0.0.1:9/000000000000/unreachable".into());
            })
            .await
            .without_state()
        })
    }),
    ("plans", || Box::pin(unreachable(plans::router))),
    ("subscriptions", || {
        Box::pin(unreachable(subscriptions::router))
    }),
    ("stripe-webhook", || {
        Box::pin(unreachable(stripe_webhook::router))
    }),
    ("ai-assistant", || {
        Box::pin(unreachable(ai_assistant::router))
    }),
    ("settings", || Box::pin(unreachable(settings::router))),
    ("health", || Box::pin(unreachable(health::router))),
    // No state: the page and the document are compiled in.
    ("docs", || {
        Box::pin(async {
            let mut app = unreachable(settings::router).await;
            app.router = docs::router();
            app
        })
    }),
];

/// No request reaches a handler: an unreachable backend is enough.
async fn unreachable<S: FunctionState>(router: fn(S) -> Router) -> TestApp<()>
where
    Store: FromRef<S>,
{
    TestApp::spawn_unreachable(router).await.without_state()
}

/// A concrete path for a route pattern: ids become a UUID, a wildcard one
/// segment.
fn concrete(pattern: &str) -> String {
    pattern
        .split('/')
        .map(|segment| {
            if segment.starts_with("{*") {
                "rest"
            } else if segment.starts_with('{') {
                "0195f0a0-4e1b-7c3d-8e2f-0123456789ab"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
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

struct Routers(Vec<(&'static str, TestApp<()>)>);

impl Routers {
    async fn build() -> Self {
        let mut apps = Vec::new();
        for (name, spawn) in HTTP_FUNCTIONS {
            apps.push((name, spawn().await));
        }
        Routers(apps)
    }

    /// The functions whose router knows `path`.
    async fn serving(&self, path: &str) -> Vec<&'static str> {
        let mut serving = Vec::new();
        for (name, app) in &self.0 {
            let res = app.request(Method::TRACE, path).send().await;
            let fallback =
                res.status == 404 && res.body == serde_json::json!({"detail": "Not found."});
            if !fallback {
                serving.push(*name);
            }
        }
        serving
    }
}

/// `(function, concrete path)` for every path the functions serve.
async fn served_paths(routers: &Routers) -> Vec<(&'static str, String)> {
    let mut served = Vec::new();
    for (function, _) in HTTP_FUNCTIONS {
        let patterns = declared_patterns(function);
        assert!(
            !patterns.is_empty(),
            "no /api/ route literal found in functions/{function}/src/lib.rs"
        );
        for pattern in patterns {
            let path = concrete(&pattern);
            let serving = routers.serving(&path).await;
            assert_eq!(
                serving,
                vec![function],
                "{path} (from {pattern:?} in functions/{function}/src/lib.rs) must be served by \
                 {function} alone"
            );
            served.push((function, path));
        }
    }
    served
}

/// The `[workspace.metadata.lambda.watch.router]` table: `(pattern, binary)`
/// (read by `infra::watch`, which the local API server dispatches with).
fn watch_router() -> Vec<(String, String)> {
    let manifest = std::fs::read_to_string(format!("{ROOT}/Cargo.toml")).unwrap();
    let entries = infra::watch::router(&manifest);
    assert!(!entries.is_empty(), "no watch router in Cargo.toml");
    entries
}

fn split_greedy<'a>(pattern: &'a str, wildcard: &str) -> Option<&'a str> {
    pattern.strip_suffix(wildcard)
}

/// One HttpApi event of template.yaml.
struct TemplateRoute {
    function: String,
    method: String,
    path: String,
}

impl TemplateRoute {
    fn greedy_prefix(&self) -> Option<&str> {
        split_greedy(&self.path, "{proxy+}")
    }

    fn matches(&self, path: &str) -> Option<usize> {
        infra::watch::specificity(&self.path, self.greedy_prefix(), path)
    }
}

/// Every HttpApi event, with the binary of its function
/// (`Metadata.BuildProperties.Binary`).
fn template_routes() -> (Vec<TemplateRoute>, Vec<String>) {
    let template: Yaml =
        serde_yaml::from_str(&std::fs::read_to_string(format!("{ROOT}/template.yaml")).unwrap())
            .unwrap();
    let mut routes = Vec::new();
    let mut functions = Vec::new();
    for (_, resource) in template["Resources"].as_mapping().unwrap() {
        if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let binary = resource["Metadata"]["BuildProperties"]["Binary"]
            .as_str()
            .expect("every function names its binary")
            .to_string();
        functions.push(binary.clone());
        let Some(events) = resource["Properties"]["Events"].as_mapping() else {
            continue;
        };
        for event in events.values() {
            if event["Type"].as_str() != Some("HttpApi") {
                continue;
            }
            let properties = &event["Properties"];
            routes.push(TemplateRoute {
                function: binary.clone(),
                method: properties["Method"].as_str().unwrap().to_uppercase(),
                path: properties["Path"].as_str().unwrap().to_string(),
            });
        }
    }
    (routes, functions)
}

/// The template routes API Gateway would pick for `path` (the most specific
/// ones; several when they differ by method).
fn template_targets<'a>(routes: &'a [TemplateRoute], path: &str) -> Vec<&'a TemplateRoute> {
    let best = routes.iter().filter_map(|r| r.matches(path)).max();
    routes
        .iter()
        .filter(|r| best.is_some() && r.matches(path) == best)
        .collect()
}

#[tokio::test]
async fn routers_watch_router_and_template_agree() {
    let routers = Routers::build().await;
    for path in ["/api/nowhere", "/api", "/"] {
        assert!(
            routers.serving(path).await.is_empty(),
            "{path} must answer the fallback 404 everywhere"
        );
    }
    let served = served_paths(&routers).await;
    let watch = watch_router();
    let (template, template_functions) = template_routes();
    let http_functions: Vec<&str> = HTTP_FUNCTIONS.iter().map(|(name, _)| *name).collect();
    let mut problems = Vec::new();

    for (function, path) in &served {
        // (a) `make dev` sends it to the function, with or without the
        // trailing slash the routers accept.
        for variant in [path.clone(), format!("{path}/")] {
            let target = infra::watch::target(&watch, &variant);
            if target != Some(*function) {
                problems.push(format!(
                    "watch router: {variant} goes to {target:?}, served by {function}"
                ));
            }
        }
        // (b) API Gateway sends it to the function.
        let targets = template_targets(&template, path);
        if targets.is_empty() {
            problems.push(format!(
                "template.yaml: no HttpApi event covers {path} ({function})"
            ));
        }
        for route in targets {
            if route.function != *function {
                problems.push(format!(
                    "template.yaml: {} {} goes to {}, {path} is served by {function}",
                    route.method, route.path, route.function
                ));
            }
        }
    }

    // Conversely: every watch entry and template route leads to a function
    // that serves something under it.
    let serves_under = |function: &str, exact: &str, prefix: Option<&str>| {
        served.iter().any(|(f, path)| {
            *f == function
                && match prefix {
                    Some(prefix) => path.starts_with(prefix) && path.len() > prefix.len(),
                    None => path == exact.strip_suffix('/').unwrap_or(exact),
                }
        })
    };
    for (pattern, binary) in &watch {
        if !http_functions.contains(&binary.as_str()) {
            problems.push(format!(
                "watch router: {pattern} names {binary}, not an HTTP function"
            ));
            continue;
        }
        if !serves_under(binary, pattern, infra::watch::greedy_prefix(pattern)) {
            problems.push(format!(
                "watch router: {pattern} goes to {binary}, which serves nothing there"
            ));
        }
    }
    for route in &template {
        if !http_functions.contains(&route.function.as_str()) {
            problems.push(format!(
                "template.yaml: {} {} is on {}, not an HTTP function",
                route.method, route.path, route.function
            ));
            continue;
        }
        if !serves_under(&route.function, &route.path, route.greedy_prefix()) {
            problems.push(format!(
                "template.yaml: {} {} goes to {}, which serves nothing there",
                route.method, route.path, route.function
            ));
        }
    }
    // Every HTTP function is deployed, and has a route.
    for function in &http_functions {
        if !template_functions.iter().any(|f| f == function) {
            problems.push(format!("template.yaml: no function builds {function}"));
        }
    }

    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
