//! The template's edge settings that the code relies on: the request
//! deadline stays under the Lambda timeout, CORS sends no credentials.

use serde_yaml::Value as Yaml;

fn template() -> Yaml {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml");
    serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn the_request_deadline_is_under_the_lambda_timeout() {
    let t = template();
    let timeout = t["Globals"]["Function"]["Timeout"].as_u64().unwrap();
    let deadline = shared::http::app::REQUEST_DEADLINE;
    assert!(
        deadline.as_secs() + 3 <= timeout,
        "{deadline:?} leaves too little of the {timeout} s Lambda timeout"
    );
}

/// API Gateway gives up on an integration after 30 s: a function behind
/// the HTTP API that ran longer would keep working for a caller who already
/// got a 503. Its own Timeout (the assistant's, for its longer deadline:
/// infra/tests/template_env.rs) or the Globals' stays under it, and never
/// under the shared request deadline.
#[test]
fn every_http_function_times_out_before_api_gateway() {
    let t = template();
    let global = t["Globals"]["Function"]["Timeout"].as_u64().unwrap();
    let deadline = shared::http::app::REQUEST_DEADLINE.as_secs();
    let mut checked = 0;
    for (name, resource) in t["Resources"].as_mapping().unwrap() {
        let properties = &resource["Properties"];
        let behind_the_api = properties["Events"].as_mapping().is_some_and(|events| {
            events
                .values()
                .any(|e| e["Type"].as_str() == Some("HttpApi"))
        });
        if resource["Type"].as_str() != Some("AWS::Serverless::Function") || !behind_the_api {
            continue;
        }
        let timeout = properties["Timeout"].as_u64().unwrap_or(global);
        assert!(
            timeout < 30,
            "{name:?}: Timeout {timeout} s, API Gateway waits 30 s"
        );
        assert!(
            deadline + 3 <= timeout,
            "{name:?}: Timeout {timeout} s, the request deadline is {deadline} s"
        );
        checked += 1;
    }
    assert!(checked > 1, "no HTTP function found");
}

#[test]
fn cors_allows_the_configured_origin_without_credentials() {
    let t = template();
    let cors = &t["Resources"]["HttpApi"]["Properties"]["CorsConfiguration"];
    assert!(
        cors.get("AllowCredentials").is_none(),
        "tokens travel in a header: {cors:?}"
    );
    let origins = cors["AllowOrigins"].as_sequence().unwrap();
    assert_eq!(origins.len(), 1);
    let Yaml::Tagged(origin) = &origins[0] else {
        panic!("the origin comes from a parameter: {origins:?}")
    };
    assert_eq!(origin.tag.to_string(), "!Ref");
    assert_eq!(origin.value.as_str(), Some("CorsAllowedOrigin"));
}

/// Stripe sends no token: its deliveries must reach the webhook function
/// (which checks their signature) with no authorizer in the way, at both
/// paths, with and without the trailing slash. Tokens are checked in the
/// functions, so the API declares no authorizer at all.
#[test]
fn stripe_reaches_its_webhook_without_an_authorizer() {
    let t = template();
    assert!(
        t["Resources"]["HttpApi"]["Properties"]
            .get("Auth")
            .is_none(),
        "an API-level authorizer would refuse Stripe's deliveries"
    );
    let events = t["Resources"]["StripeWebhookFunction"]["Properties"]["Events"]
        .as_mapping()
        .expect("the webhook function has events");
    let mut paths: Vec<&str> = Vec::new();
    for event in events.values() {
        let properties = &event["Properties"];
        let path = properties["Path"].as_str().unwrap();
        if path.trim_end_matches('/').ends_with("/stripe") {
            let authorizer = &properties["Auth"]["Authorizer"];
            assert!(
                properties.get("Auth").is_none() || authorizer.as_str() == Some("NONE"),
                "{path}: the webhook route has an authorizer"
            );
            let method = properties["Method"].as_str().unwrap().to_uppercase();
            assert!(method == "ANY" || method == "POST", "{path}: {method}");
            paths.push(path);
        }
    }
    paths.sort();
    assert_eq!(
        paths,
        [
            "/api/stripe",
            "/api/stripe/",
            "/api/webhooks/stripe",
            "/api/webhooks/stripe/"
        ]
    );
}
