//! The table exists in two places, `infra/table.json` (local stack, tests)
//! and `template.yaml` (deployment). This test fails when they drift.

use serde_json::Value as Json;
use serde_yaml::Value as Yaml;

fn yaml_to_json(value: &Yaml) -> Json {
    match value {
        Yaml::Null => Json::Null,
        Yaml::Bool(b) => Json::Bool(*b),
        Yaml::Number(n) => n
            .as_i64()
            .map(Json::from)
            .or_else(|| n.as_f64().map(Json::from))
            .unwrap_or(Json::Null),
        Yaml::String(s) => Json::String(s.clone()),
        Yaml::Sequence(items) => Json::Array(items.iter().map(yaml_to_json).collect()),
        Yaml::Mapping(map) => Json::Object(
            map.iter()
                .map(|(k, v)| (k.as_str().unwrap_or_default().to_string(), yaml_to_json(v)))
                .collect(),
        ),
        // CloudFormation intrinsics (!Ref, !Sub...): keep the tag for comparison.
        Yaml::Tagged(tagged) => {
            serde_json::json!({ tagged.tag.to_string(): yaml_to_json(&tagged.value) })
        }
    }
}

#[test]
fn template_table_matches_the_shared_definition() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let template: Yaml =
        serde_yaml::from_str(&std::fs::read_to_string(format!("{root}/template.yaml")).unwrap())
            .unwrap();
    let deployed = yaml_to_json(&template["Resources"]["Table"]["Properties"]);
    let local: Json =
        serde_json::from_str(&std::fs::read_to_string(format!("{root}/infra/table.json")).unwrap())
            .unwrap();

    for (key, expected) in local.as_object().unwrap() {
        assert_eq!(
            &deployed[key], expected,
            "template.yaml Table.{key} differs from infra/table.json"
        );
    }
    // And nothing key-related exists only in the template.
    for key in [
        "AttributeDefinitions",
        "KeySchema",
        "GlobalSecondaryIndexes",
        "LocalSecondaryIndexes",
        "TimeToLiveSpecification",
        "BillingMode",
    ] {
        assert_eq!(
            deployed.get(key).is_some(),
            local.get(key).is_some(),
            "{key} present in only one definition"
        );
    }
    assert_eq!(
        deployed["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"],
        true
    );
}

/// `METHOD /path` of every HttpApi event of the users function.
fn users_routes(template: &Yaml) -> Vec<String> {
    template["Resources"]["UsersFunction"]["Properties"]["Events"]
        .as_mapping()
        .unwrap()
        .values()
        .filter(|e| e["Type"].as_str() == Some("HttpApi"))
        .map(|e| {
            format!(
                "{} {}",
                e["Properties"]["Method"].as_str().unwrap().to_uppercase(),
                e["Properties"]["Path"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn route_throttling_names_declared_routes_and_covers_the_auth_endpoints() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let template: Yaml =
        serde_yaml::from_str(&std::fs::read_to_string(format!("{root}/template.yaml")).unwrap())
            .unwrap();
    let declared = users_routes(&template);
    let settings = template["Resources"]["HttpApi"]["Properties"]["RouteSettings"]
        .as_mapping()
        .expect("RouteSettings on the HTTP API stage");
    let throttled: Vec<String> = settings
        .keys()
        .map(|k| k.as_str().unwrap().to_string())
        .collect();
    // API Gateway refuses a key that is not a declared route, exactly.
    for (key, value) in settings {
        let key = key.as_str().unwrap();
        assert!(
            declared.iter().any(|d| d == key),
            "RouteSettings key {key:?} is not a declared route"
        );
        assert!(
            value["ThrottlingBurstLimit"]
                .as_u64()
                .is_some_and(|b| b > 0),
            "{key}"
        );
        assert!(
            value["ThrottlingRateLimit"]
                .as_f64()
                .is_some_and(|r| r > 0.0),
            "{key}"
        );
    }
    for path in [
        "/api/users/login",
        "/api/auth/login",
        "/api/users/register",
        "/api/auth/register",
        "/api/users/token/refresh",
        "/api/token/refresh",
        "/api/users/forgot-password",
        "/api/auth/forgot-password",
        "/api/users/resend-otp",
        "/api/auth/resend-otp",
        "/api/users/verify-otp",
        "/api/auth/verify-otp",
        "/api/users/reset-password",
        "/api/auth/reset-password",
    ] {
        for form in [path.to_string(), format!("{path}/")] {
            let key = format!("POST {form}");
            assert!(throttled.contains(&key), "{key} is not throttled");
        }
    }
    // Any other spelling of those paths reaches a proxy route: capped too.
    for proxy in [
        "/api/users/{proxy+}",
        "/api/auth/{proxy+}",
        "/api/token/{proxy+}",
    ] {
        assert!(throttled.contains(&format!("ANY {proxy}")), "{proxy}");
    }
}
