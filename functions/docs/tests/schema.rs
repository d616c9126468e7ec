//! `GET /api/schema/` through the function's router: the formats the
//! document lists for `format`, and the 400 for any other.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

struct Answer {
    status: StatusCode,
    content_type: String,
    text: String,
}

async fn get(uri: &str) -> Answer {
    let request = Request::builder()
        .uri(uri)
        .header("host", "testserver")
        .body(Body::empty())
        .unwrap();
    let response = docs::router().oneshot(request).await.unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        content_type,
        text: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

fn document() -> Value {
    serde_json::from_str(docs::DOCUMENT).unwrap()
}

#[tokio::test]
async fn json_is_the_default_and_an_empty_format_means_it() {
    for uri in [
        "/api/schema/",
        "/api/schema",
        "/api/schema/?format=json",
        "/api/schema/?format=",
        "/api/schema/?format",
    ] {
        let answer = get(uri).await;
        assert_eq!(answer.status, 200, "{uri}: {}", answer.text);
        assert_eq!(answer.content_type, "application/json", "{uri}");
        let body: Value = serde_json::from_str(&answer.text).unwrap();
        assert_eq!(body, document(), "{uri}");
    }
}

#[tokio::test]
async fn yaml_is_the_same_document() {
    let answer = get("/api/schema/?format=yaml").await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert!(
        answer.content_type.starts_with("application/yaml"),
        "{}",
        answer.content_type
    );
    let body: Value = serde_yaml::from_str(&answer.text).unwrap();
    assert_eq!(body, document());
}

#[tokio::test]
async fn another_format_is_a_400_on_format() {
    for (uri, given) in [
        ("/api/schema/?format=xml", "xml"),
        ("/api/schema/?format=JSON", "JSON"),
        ("/api/schema/?format=%20", " "),
    ] {
        let answer = get(uri).await;
        assert_eq!(answer.status, 400, "{uri}");
        assert_eq!(answer.content_type, "application/json", "{uri}");
        let body: Value = serde_json::from_str(&answer.text).unwrap();
        assert_eq!(
            body,
            json!({"format": [format!("\"{given}\" is not a valid choice.")]}),
            "{uri}"
        );
    }
}

/// The document says what the function does: the formats it serves are
/// the enum of `format`, empty included, and both answer one object.
#[tokio::test]
async fn the_document_lists_what_the_function_serves() {
    let doc = document();
    let op = &doc["paths"]["/api/schema/"]["get"];
    let format = op["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "format")
        .expect("a format parameter");
    assert_eq!(format["schema"]["enum"], json!(["json", "yaml", ""]));
    let content = &op["responses"]["200"]["content"];
    assert_eq!(content["application/json"], content["application/yaml"]);
    assert_eq!(content["application/json"]["schema"]["type"], "object");
    assert!(op["responses"]["400"]["content"]["application/json"].is_object());
}
