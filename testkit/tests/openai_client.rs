//! The chat-completions client (shared::ai) against the local fake:
//! answers, tool calls, retries, refusals, timeouts, malformed answers.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use shared::ai::{AiError, OpenAi, Tool, ToolCall, Turn};
use shared::config::{OpenAiConfig, Secret};
use testkit::openai::{FakeOpenAi, FakeReply};

const KEY: &str = "sk-test-0123456789";

fn settings(base_url: String, attempts: u32, timeout_seconds: u64) -> OpenAiConfig {
    OpenAiConfig {
        api_key: Secret::new(KEY),
        base_url,
        model: "gpt-test".to_owned(),
        timeout: Duration::from_secs(timeout_seconds),
        attempts,
    }
}

fn client(fake: &FakeOpenAi, attempts: u32) -> OpenAi {
    OpenAi::new(&settings(fake.base_url(), attempts, 5))
}

fn prompt() -> Vec<Turn> {
    vec![
        Turn::System("You read maintenance invoices.".to_owned()),
        Turn::User("Oil change at 12000 km".to_owned()),
    ]
}

fn invoice_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "kind": {"type": "string", "enum": ["oil", "tyres"]},
            "km": {"type": "integer"}
        },
        "required": ["kind", "km"],
        "additionalProperties": false
    })
}

#[tokio::test]
async fn chat_returns_content() {
    let fake = FakeOpenAi::start().await;
    fake.push(FakeReply::Content("Hello there".to_owned()));

    let answer = client(&fake, 2).chat(&prompt(), &[], 100).await.unwrap();

    assert_eq!(answer.content.as_deref(), Some("Hello there"));
    assert!(answer.tool_calls.is_empty());
    let request = &fake.requests()[0];
    assert_eq!(request["model"], "gpt-test");
    assert_eq!(request["max_completion_tokens"], 100);
    assert!(request.get("tools").is_none());
    assert!(request.get("tool_choice").is_none());
}

#[tokio::test]
async fn structured_returns_parsed_json_and_sends_the_schema() {
    let fake = FakeOpenAi::start().await;
    fake.push(FakeReply::Content(
        r#"{"kind":"oil","km":12000}"#.to_owned(),
    ));

    let value = client(&fake, 2)
        .structured(&prompt(), "invoice", invoice_schema(), 200)
        .await
        .unwrap();

    assert_eq!(value, json!({"kind": "oil", "km": 12000}));
    assert_eq!(fake.request_count(), 1);
    let request = &fake.requests()[0];
    assert_eq!(request["model"], "gpt-test");
    let format = &request["response_format"];
    assert_eq!(format["type"], "json_schema");
    assert_eq!(format["json_schema"]["name"], "invoice");
    assert_eq!(format["json_schema"]["strict"], true);
    assert_eq!(format["json_schema"]["schema"], invoice_schema());
    let messages = request["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0]["role"], "system");
    assert_eq!(messages[0]["content"], "You read maintenance invoices.");
    assert_eq!(messages[1]["role"], "user");
    assert_eq!(messages[1]["content"], "Oil change at 12000 km");
}

#[tokio::test]
async fn tool_calls_round_trip() {
    let fake = FakeOpenAi::start().await;
    let arguments = r#"{"plate": "AB-123-CD",  "km": 12000}"#;
    fake.push(FakeReply::ToolCalls(vec![(
        "call_1".to_owned(),
        "find_vehicle".to_owned(),
        arguments.to_owned(),
    )]));
    fake.push(FakeReply::Content("Done.".to_owned()));
    let ai = client(&fake, 2);
    let tools = [Tool {
        name: "find_vehicle".to_owned(),
        description: "Looks a vehicle up by plate.".to_owned(),
        parameters: json!({
            "type": "object",
            "properties": {"plate": {"type": "string"}, "km": {"type": "integer"}},
            "required": ["plate", "km"]
        }),
    }];

    let mut turns = prompt();
    let answer = ai.chat(&turns, &tools, 100).await.unwrap();
    let expected = ToolCall {
        id: "call_1".to_owned(),
        name: "find_vehicle".to_owned(),
        arguments: arguments.to_owned(),
    };
    assert_eq!(answer.content, None);
    assert_eq!(answer.tool_calls, vec![expected.clone()]);

    let first = &fake.requests()[0];
    assert_eq!(first["tool_choice"], "auto");
    assert_eq!(first["tools"][0]["type"], "function");
    assert_eq!(first["tools"][0]["function"]["name"], "find_vehicle");
    assert_eq!(
        first["tools"][0]["function"]["parameters"],
        tools[0].parameters
    );

    turns.push(Turn::Assistant {
        content: None,
        tool_calls: answer.tool_calls,
    });
    turns.push(Turn::Tool {
        call_id: "call_1".to_owned(),
        content: r#"{"found": true}"#.to_owned(),
    });
    let answer = ai.chat(&turns, &tools, 100).await.unwrap();
    assert_eq!(answer.content.as_deref(), Some("Done."));

    let second = &fake.requests()[1];
    let messages = second["messages"].as_array().unwrap();
    let roles: Vec<&str> = messages
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["system", "user", "assistant", "tool"]);
    let assistant = &messages[2];
    assert!(assistant.get("content").is_none());
    assert_eq!(assistant["tool_calls"][0]["id"], "call_1");
    assert_eq!(assistant["tool_calls"][0]["type"], "function");
    assert_eq!(
        assistant["tool_calls"][0]["function"]["name"],
        "find_vehicle"
    );
    assert_eq!(
        assistant["tool_calls"][0]["function"]["arguments"],
        arguments
    );
    assert_eq!(messages[3]["tool_call_id"], "call_1");
    assert_eq!(messages[3]["content"], r#"{"found": true}"#);
}

#[tokio::test]
async fn server_errors_are_retried_until_success() {
    let fake = FakeOpenAi::start().await;
    fake.push(FakeReply::Status(500));
    fake.push(FakeReply::Status(500));
    fake.push(FakeReply::Content("third time".to_owned()));

    let answer = client(&fake, 3).chat(&prompt(), &[], 50).await.unwrap();

    assert_eq!(answer.content.as_deref(), Some("third time"));
    assert_eq!(fake.request_count(), 3);
}

#[tokio::test]
async fn server_errors_exhaust_attempts() {
    let fake = FakeOpenAi::start().await; // default reply: 500

    let error = client(&fake, 2).chat(&prompt(), &[], 50).await.unwrap_err();

    assert!(
        matches!(&error, AiError::Unavailable(m) if m.contains("500")),
        "{error:?}"
    );
    assert_eq!(fake.request_count(), 2);
}

#[tokio::test]
async fn bad_key_is_refused_without_retry() {
    let fake = FakeOpenAi::start().await;
    fake.set_default(FakeReply::Status(401));

    let error = client(&fake, 3).chat(&prompt(), &[], 50).await.unwrap_err();

    assert!(matches!(&error, AiError::Refused(_)), "{error:?}");
    assert!(error.to_string().contains("401"));
    assert_eq!(fake.request_count(), 1);
}

#[tokio::test]
async fn bad_request_is_refused_without_retry() {
    let fake = FakeOpenAi::start().await;
    fake.set_default(FakeReply::Status(400));

    let error = client(&fake, 3).chat(&prompt(), &[], 50).await.unwrap_err();

    assert!(matches!(&error, AiError::Refused(_)), "{error:?}");
    assert_eq!(fake.request_count(), 1);
}

#[tokio::test]
async fn rate_limit_is_unavailable_after_all_attempts() {
    let fake = FakeOpenAi::start().await;
    fake.set_default(FakeReply::Status(429));

    let error = client(&fake, 2).chat(&prompt(), &[], 50).await.unwrap_err();

    assert!(matches!(&error, AiError::Unavailable(_)), "{error:?}");
    assert_eq!(fake.request_count(), 2);
}

#[tokio::test]
async fn unusable_answers_are_malformed_without_retry() {
    for reply in [
        FakeReply::MalformedBody,
        FakeReply::NotJson,
        FakeReply::Refusal("I can't help with that.".to_owned()),
    ] {
        let fake = FakeOpenAi::start().await;
        fake.set_default(reply.clone());

        let error = client(&fake, 3).chat(&prompt(), &[], 50).await.unwrap_err();

        assert!(
            matches!(&error, AiError::Malformed(_)),
            "{reply:?}: {error:?}"
        );
        assert_eq!(fake.request_count(), 1, "{reply:?}");
    }
}

#[tokio::test]
async fn structured_rejects_text_and_wrong_shapes() {
    for content in [
        "not json",
        r#"{"kind":"oil"}"#,
        r#"{"kind":"brakes","km":1}"#,
    ] {
        let fake = FakeOpenAi::start().await;
        fake.set_default(FakeReply::Content(content.to_owned()));

        let error = client(&fake, 3)
            .structured(&prompt(), "invoice", invoice_schema(), 50)
            .await
            .unwrap_err();

        assert!(
            matches!(&error, AiError::Malformed(_)),
            "{content}: {error:?}"
        );
        assert_eq!(fake.request_count(), 1, "{content}");
    }
}

#[tokio::test]
async fn structured_refusal_is_malformed() {
    let fake = FakeOpenAi::start().await;
    fake.set_default(FakeReply::Refusal("No.".to_owned()));

    let error = client(&fake, 3)
        .structured(&prompt(), "invoice", invoice_schema(), 50)
        .await
        .unwrap_err();

    assert!(
        matches!(&error, AiError::Malformed(m) if m.contains("refused")),
        "{error:?}"
    );
    assert_eq!(fake.request_count(), 1);
}

#[tokio::test]
async fn hanging_service_times_out_within_the_bound() {
    let fake = FakeOpenAi::start().await;
    fake.set_default(FakeReply::Hang);
    let ai = OpenAi::new(&settings(fake.base_url(), 2, 1));

    let started = Instant::now();
    let error = ai.chat(&prompt(), &[], 50).await.unwrap_err();
    let elapsed = started.elapsed();

    assert!(matches!(error, AiError::Timeout), "{error:?}");
    assert_eq!(fake.request_count(), 2);
    // 2 x 1 s + 300 ms backoff; generous bound against a slow machine.
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
    assert!(elapsed >= Duration::from_secs(2), "{elapsed:?}");
}

#[tokio::test]
async fn closed_port_is_unavailable() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let ai = OpenAi::new(&settings(format!("http://127.0.0.1:{port}/v1"), 2, 2));

    let error = ai.chat(&prompt(), &[], 50).await.unwrap_err();

    assert!(matches!(&error, AiError::Unavailable(_)), "{error:?}");
}

#[tokio::test]
async fn key_is_sent_as_bearer() {
    let fake = FakeOpenAi::start().await;
    fake.set_default(FakeReply::Content("ok".to_owned()));

    client(&fake, 1).chat(&prompt(), &[], 10).await.unwrap();

    assert_eq!(fake.authorizations(), vec![format!("Bearer {KEY}")]);
}

#[tokio::test]
async fn fake_answers_404_elsewhere() {
    let fake = FakeOpenAi::start().await;
    let wrong = OpenAi::new(&settings(format!("{}/v2", fake.base_url()), 1, 2));

    let error = wrong.chat(&prompt(), &[], 10).await.unwrap_err();

    assert!(
        matches!(&error, AiError::Refused(m) if m.contains("404")),
        "{error:?}"
    );
}
