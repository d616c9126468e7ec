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
