//! The routes throttled on the stage (`template.yaml`) are paths the users
//! function serves: a throttled route nobody calls would protect nothing.

mod common;

use serde_json::json;

/// The `POST /path` keys of `RouteSettings` in `template.yaml` (the test in
/// shared/tests/template_drift.rs checks they name declared routes).
fn throttled_posts() -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../template.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    let keys: Vec<String> = text
        .lines()
        .filter_map(|line| line.trim().strip_prefix("\"POST "))
        .filter_map(|rest| rest.strip_suffix("\":"))
        .map(str::to_string)
        .collect();
    assert!(keys.len() >= 28, "{keys:?}");
    keys
}

#[tokio::test]
async fn the_function_serves_every_throttled_route() {
    let app = common::app().await;
    for path in throttled_posts() {
        let key = format!("POST {path}");
        let res = app.post(&path).json(json!({})).send().await;
        assert!(
            res.status == 400 || res.status == 401,
            "{key}: {} {}",
            res.status,
            res.text
        );
    }
}
