//! A small chat-completions client over `async-openai` (feature `openai`:
//! only the functions that talk to a model link it).
//!
//! Retries are ours alone: the crate's built-in retry layer (which retries
//! 429/5xx/connect errors and honours `Retry-After` without a cap) is replaced
//! by a plain transport, and every attempt is bounded by `timeout`, so one call
//! never takes longer than `attempts * timeout` plus the short backoffs.

use std::fmt;
use std::time::Duration;

use async_openai::config::OpenAIConfig;
use async_openai::error::{ApiError, ApiErrorResponse, OpenAIError, WrappedError};
use async_openai::middleware::HttpRequestFactory;
use async_openai::types::chat::{
    ChatChoice, ChatCompletionMessageToolCall, ChatCompletionMessageToolCalls,
    ChatCompletionRequestAssistantMessage, ChatCompletionRequestAssistantMessageContent,
    ChatCompletionRequestMessage, ChatCompletionRequestSystemMessage,
    ChatCompletionRequestSystemMessageContent, ChatCompletionRequestToolMessage,
    ChatCompletionRequestToolMessageContent, ChatCompletionRequestUserMessage,
    ChatCompletionRequestUserMessageContent, ChatCompletionTool, ChatCompletionToolChoiceOption,
    ChatCompletionTools, CreateChatCompletionRequest, CreateChatCompletionResponse, FinishReason,
    FunctionCall, FunctionObject, ResponseFormat, ResponseFormatJsonSchema, ToolChoiceOptions,
};
use async_openai::Client;
use serde_json::Value;

use crate::config::OpenAiConfig;

/// Pause before retry n is `BACKOFF * n`.
const BACKOFF: Duration = Duration::from_millis(300);
/// Longest piece of a server's error message kept in an `AiError`.
const MAX_DETAIL: usize = 300;

#[derive(Debug, thiserror::Error)]
pub enum AiError {
    #[error("the model did not answer in time")]
    Timeout,
    /// Connect errors, 429, 5xx (after retries).
    #[error("the model service is unavailable: {0}")]
    Unavailable(String),
    /// Other 4xx (401 bad key, 400); not retried.
    #[error("the model service refused the request: {0}")]
    Refused(String),
    /// Not JSON, no choices, JSON not matching the schema, refusal field set,
    /// finish_reason length/content_filter.
    #[error("the model's answer is not usable: {0}")]
    Malformed(String),
}

impl AiError {
    fn retryable(&self) -> bool {
        matches!(self, AiError::Timeout | AiError::Unavailable(_))
    }

    fn kind(&self) -> &'static str {
        match self {
            AiError::Timeout => "timeout",
            AiError::Unavailable(_) => "unavailable",
            AiError::Refused(_) => "refused",
            AiError::Malformed(_) => "malformed",
        }
    }
}

/// One message of the conversation sent to the model.
#[derive(Clone, Debug, PartialEq)]
pub enum Turn {
    System(String),
    User(String),
    Assistant {
        content: Option<String>,
        tool_calls: Vec<ToolCall>,
    },
    Tool {
        call_id: String,
        content: String,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct ToolCall {
    pub id: String,
    pub name: String,
    /// Raw JSON text as the model sent it.
    pub arguments: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Tool {
    pub name: String,
    pub description: String,
    /// JSON schema of the arguments.
    pub parameters: Value,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    pub content: Option<String>,
    pub tool_calls: Vec<ToolCall>,
}

pub struct OpenAi {
    /// Err when the HTTP client could not be built (no CA roots on the
    /// system): every call then answers `Unavailable` instead of panicking.
    client: Result<Client<OpenAIConfig>, String>,
    model: String,
    timeout: Duration,
    attempts: u32,
}

impl fmt::Debug for OpenAi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenAi")
            .field("model", &self.model)
            .field("timeout", &self.timeout)
            .field("attempts", &self.attempts)
            .field("ready", &self.client.is_ok())
            .finish_non_exhaustive()
    }
}

impl OpenAi {
    /// Builds the HTTP client once (it reads the system's CA roots); keep the
    /// value for the life of the process.
    pub fn new(settings: &OpenAiConfig) -> Self {
        let config = OpenAIConfig::new()
            .with_api_base(settings.base_url.clone())
            .with_api_key(settings.api_key.expose())
            // OpenAIConfig::new() also picks these up from the process
            // environment; only our settings should decide what is sent.
            .with_org_id("")
            .with_project_id("");

        let client = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .build()
            // Client::with_config would build a second reqwest client (a
            // second read of the CA bundle at cold start); hand it ours.
            .map(|http| Client::build(http.clone(), config).with_http_service(transport(http)))
            .map_err(|error| {
                let detail = chain(&error);
                tracing::warn!(error = %detail, "model HTTP client could not be built");
                format!("HTTP client could not be built: {detail}")
            });

        Self {
            client,
            model: settings.model.clone(),
            timeout: settings.timeout,
            attempts: settings.attempts.max(1),
        }
    }

    /// The model asked for (what answers report as their source).
    pub fn model(&self) -> &str {
        &self.model
    }

    /// One chat completion with optional tools (tool_choice auto when tools
    /// non-empty). Retries on Timeout/Unavailable; never on Refused/Malformed.
    pub async fn chat(
        &self,
        turns: &[Turn],
        tools: &[Tool],
        max_tokens: u32,
    ) -> Result<Answer, AiError> {
        let mut request = self.request(turns, max_tokens);
        if !tools.is_empty() {
            request.tools = Some(tools.iter().map(tool).collect());
            request.tool_choice = Some(ChatCompletionToolChoiceOption::Mode(
                ToolChoiceOptions::Auto,
            ));
        }

        let choice = first_choice(self.send(request).await?)?;
        let message = choice.message;
        let tool_calls = message
            .tool_calls
            .unwrap_or_default()
            .into_iter()
            .map(|call| match call {
                ChatCompletionMessageToolCalls::Function(call) => Ok(ToolCall {
                    id: call.id,
                    name: call.function.name,
                    arguments: call.function.arguments,
                }),
                // We only ever offer function tools.
                ChatCompletionMessageToolCalls::Custom(_) => {
                    Err(AiError::Malformed("unexpected custom tool call".to_owned()))
                }
            })
            .collect::<Result<Vec<_>, _>>()?;

        if message.content.is_none() && tool_calls.is_empty() {
            return Err(AiError::Malformed(
                "neither content nor tool calls".to_owned(),
            ));
        }
        Ok(Answer {
            content: message.content,
            tool_calls,
        })
    }

    /// Structured output: response_format json_schema {name, schema, strict:
    /// true}; returns the first choice's content parsed as JSON. Same retry
    /// rules as `chat`.
    pub async fn structured(
        &self,
        turns: &[Turn],
        schema_name: &str,
        schema: Value,
        max_tokens: u32,
    ) -> Result<Value, AiError> {
        let mut request = self.request(turns, max_tokens);
        request.response_format = Some(ResponseFormat::JsonSchema {
            json_schema: ResponseFormatJsonSchema {
                description: None,
                name: schema_name.to_owned(),
                schema: schema.clone(),
                strict: Some(true),
            },
        });

        let choice = first_choice(self.send(request).await?)?;
        let content = choice
            .message
            .content
            .ok_or_else(|| AiError::Malformed("no content".to_owned()))?;
        let value: Value = serde_json::from_str(&content)
            .map_err(|error| AiError::Malformed(format!("content is not JSON ({error})")))?;
        // Strict mode should guarantee this; check the common keywords anyway
        // so callers never see a shape they did not ask for.
        conforms(&value, &schema, "$")
            .map_err(|detail| AiError::Malformed(format!("does not match the schema: {detail}")))?;
        Ok(value)
    }

    fn request(&self, turns: &[Turn], max_tokens: u32) -> CreateChatCompletionRequest {
        CreateChatCompletionRequest {
            model: self.model.clone(),
            messages: turns.iter().map(message).collect(),
            // `max_tokens` is deprecated and rejected by reasoning models.
            max_completion_tokens: Some(max_tokens),
            ..Default::default()
        }
    }

    async fn send(
        &self,
        request: CreateChatCompletionRequest,
    ) -> Result<CreateChatCompletionResponse, AiError> {
        let client = self
            .client
            .as_ref()
            .map_err(|detail| AiError::Unavailable(detail.clone()))?;

        let mut attempt = 1;
        loop {
            let chat = client.chat();
            let call = chat.create(request.clone());
            let (error, status) = match tokio::time::timeout(self.timeout, call).await {
                Ok(Ok(response)) => return Ok(response),
                Ok(Err(error)) => classify(error),
                Err(_elapsed) => (AiError::Timeout, None),
            };
            // Kind and status only: the prompt and the key stay out of logs.
            tracing::warn!(
                attempt,
                attempts = self.attempts,
                kind = error.kind(),
                status,
                "chat completion failed"
            );
            if !error.retryable() || attempt >= self.attempts {
                return Err(error);
            }
            tokio::time::sleep(BACKOFF * attempt).await;
            attempt += 1;
        }
    }
}

/// The transport under async-openai: no retries (ours are in `send`), and the
/// status code alone decides how a failed answer is classified.
fn transport(
    http: reqwest::Client,
) -> impl tower::Service<
    HttpRequestFactory,
    Response = reqwest::Response,
    Error = OpenAIError,
    Future = impl Send + 'static,
> + Clone
       + Send
       + Sync
       + 'static {
    tower::service_fn(move |factory: HttpRequestFactory| {
        let http = http.clone();
        async move {
            let request = factory.build().await?;
            let response = http.execute(request).await?;
            let status = response.status();
            let body = response.bytes().await?;

            if !status.is_success() {
                // An error body that is not OpenAI's JSON (a proxy's HTML
                // page) would otherwise surface as a parse error.
                let api_error = serde_json::from_slice::<WrappedError>(&body)
                    .map(|wrapped| wrapped.error)
                    .unwrap_or_else(|_| ApiError {
                        message: "error body is not an OpenAI error object".to_owned(),
                        ..ApiError::default()
                    });
                return Err(OpenAIError::ApiError(ApiErrorResponse {
                    status_code: status,
                    api_error,
                }));
            }

            // Parse here first: when the crate fails to parse a body it logs
            // the whole body (model output) at error level.
            if let Err(error) = serde_json::from_slice::<CreateChatCompletionResponse>(&body) {
                return Err(OpenAIError::JSONDeserialize(error, String::new()));
            }
            let rebuilt = http::Response::builder()
                .status(status)
                .body(body)
                .map_err(|error| OpenAIError::InvalidArgument(error.to_string()))?;
            Ok(reqwest::Response::from(rebuilt))
        }
    })
}

/// Maps the crate's error to ours, with the HTTP status for the log.
fn classify(error: OpenAIError) -> (AiError, Option<u16>) {
    match error {
        OpenAIError::Reqwest(error) => {
            let error = error.without_url();
            let detail = chain(&error);
            let mapped = if error.is_timeout() {
                AiError::Timeout
            } else if error.is_builder() {
                AiError::Refused(format!("invalid request: {detail}"))
            } else {
                // Connect errors and connections dropped mid-answer (a pooled
                // connection that died while Lambda was frozen) alike.
                AiError::Unavailable(detail)
            };
            (mapped, None)
        }
        OpenAIError::ApiError(response) => {
            let status = response.status_code.as_u16();
            let detail = describe(&response);
            let mapped = if status == 429 || response.status_code.is_server_error() {
                AiError::Unavailable(detail)
            } else {
                AiError::Refused(detail)
            };
            (mapped, Some(status))
        }
        OpenAIError::JSONDeserialize(error, _) => (
            AiError::Malformed(format!("not a chat completion ({error})")),
            None,
        ),
        OpenAIError::InvalidArgument(detail) => (AiError::Refused(detail), None),
        other => (AiError::Unavailable(other.to_string()), None),
    }
}

/// "HTTP 400 invalid_request_error/code: message", leaving out the message
/// of 401/403 (it quotes part of the key).
fn describe(response: &ApiErrorResponse) -> String {
    let status = response.status_code.as_u16();
    let error = &response.api_error;
    let mut text = format!("HTTP {status}");
    for label in [&error.r#type, &error.code].into_iter().flatten() {
        text.push(' ');
        text.push_str(label);
    }
    if status != 401 && status != 403 && !error.message.is_empty() {
        text.push_str(": ");
        text.extend(error.message.chars().take(MAX_DETAIL));
    }
    text
}

/// An error and its causes, "a: b: c" (reqwest's own Display hides the cause).
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn first_choice(response: CreateChatCompletionResponse) -> Result<ChatChoice, AiError> {
    let choice = response
        .choices
        .into_iter()
        .next()
        .ok_or_else(|| AiError::Malformed("no choices".to_owned()))?;
    match choice.finish_reason {
        Some(FinishReason::Length) => {
            return Err(AiError::Malformed("cut off at the token limit".to_owned()))
        }
        Some(FinishReason::ContentFilter) => {
            return Err(AiError::Malformed(
                "withheld by the content filter".to_owned(),
            ))
        }
        _ => {}
    }
    if let Some(refusal) = &choice.message.refusal {
        let refusal: String = refusal.chars().take(MAX_DETAIL).collect();
        return Err(AiError::Malformed(format!("the model refused: {refusal}")));
    }
    Ok(choice)
}

fn message(turn: &Turn) -> ChatCompletionRequestMessage {
    match turn {
        Turn::System(text) => {
            ChatCompletionRequestMessage::System(ChatCompletionRequestSystemMessage {
                content: ChatCompletionRequestSystemMessageContent::Text(text.clone()),
                name: None,
            })
        }
        Turn::User(text) => ChatCompletionRequestMessage::User(ChatCompletionRequestUserMessage {
            content: ChatCompletionRequestUserMessageContent::Text(text.clone()),
            name: None,
        }),
        Turn::Assistant {
            content,
            tool_calls,
        } => ChatCompletionRequestMessage::Assistant(ChatCompletionRequestAssistantMessage {
            content: content
                .clone()
                .map(ChatCompletionRequestAssistantMessageContent::Text),
            tool_calls: (!tool_calls.is_empty()).then(|| {
                tool_calls
                    .iter()
                    .map(|call| {
                        ChatCompletionMessageToolCalls::Function(ChatCompletionMessageToolCall {
                            id: call.id.clone(),
                            function: FunctionCall {
                                name: call.name.clone(),
                                arguments: call.arguments.clone(),
                            },
                        })
                    })
                    .collect()
            }),
            ..Default::default()
        }),
        Turn::Tool { call_id, content } => {
            ChatCompletionRequestMessage::Tool(ChatCompletionRequestToolMessage {
                content: ChatCompletionRequestToolMessageContent::Text(content.clone()),
                tool_call_id: call_id.clone(),
            })
        }
    }
}

fn tool(tool: &Tool) -> ChatCompletionTools {
    ChatCompletionTools::Function(ChatCompletionTool {
        function: FunctionObject {
            name: tool.name.clone(),
            description: Some(tool.description.clone()),
            parameters: Some(tool.parameters.clone()),
            strict: None,
        },
    })
}

/// Checks `value` against the JSON-schema keywords that strict structured
/// outputs use: type, enum, anyOf, properties, required,
/// additionalProperties: false, items. Others (e.g. `$ref`) are not checked.
fn conforms(value: &Value, schema: &Value, at: &str) -> Result<(), String> {
    let Some(schema) = schema.as_object() else {
        return Ok(());
    };

    if let Some(options) = schema.get("anyOf").and_then(Value::as_array) {
        if !options
            .iter()
            .any(|option| conforms(value, option, at).is_ok())
        {
            return Err(format!("{at} matches none of anyOf"));
        }
    }

    let type_ok = match schema.get("type") {
        Some(Value::String(name)) => has_type(value, name),
        Some(Value::Array(names)) => names
            .iter()
            .filter_map(Value::as_str)
            .any(|name| has_type(value, name)),
        _ => true,
    };
    if !type_ok {
        return Err(format!("{at} has the wrong type"));
    }

    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            return Err(format!("{at} is not one of the allowed values"));
        }
    }

    if let Value::Object(fields) = value {
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            if let Some(missing) = required
                .iter()
                .filter_map(Value::as_str)
                .find(|name| !fields.contains_key(*name))
            {
                return Err(format!("{at}.{missing} is missing"));
            }
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        let closed = schema.get("additionalProperties") == Some(&Value::Bool(false));
        for (name, field) in fields {
            match properties.and_then(|properties| properties.get(name)) {
                Some(field_schema) => conforms(field, field_schema, &format!("{at}.{name}"))?,
                None if closed => return Err(format!("{at}.{name} is not allowed")),
                None => {}
            }
        }
    }

    if let (Value::Array(items), Some(item_schema)) = (value, schema.get("items")) {
        for (index, item) in items.iter().enumerate() {
            conforms(item, item_schema, &format!("{at}[{index}]"))?;
        }
    }
    Ok(())
}

fn has_type(value: &Value, name: &str) -> bool {
    match name {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => {
            value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|n| n.fract() == 0.0)
        }
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn schema_subset() {
        let schema = json!({
            "type": "object",
            "properties": {
                "km": {"type": "integer"},
                "kind": {"type": "string", "enum": ["oil", "tyres"]},
                "notes": {"type": ["string", "null"]},
                "parts": {"type": "array", "items": {"type": "string"}}
            },
            "required": ["km", "kind", "notes", "parts"],
            "additionalProperties": false
        });
        let good = json!({"km": 1200, "kind": "oil", "notes": null, "parts": ["filter"]});
        assert_eq!(conforms(&good, &schema, "$"), Ok(()));

        let cases = [
            json!({"kind": "oil", "notes": null, "parts": []}),
            json!({"km": "12", "kind": "oil", "notes": null, "parts": []}),
            json!({"km": 1, "kind": "brakes", "notes": null, "parts": []}),
            json!({"km": 1, "kind": "oil", "notes": null, "parts": [3]}),
            json!({"km": 1, "kind": "oil", "notes": null, "parts": [], "extra": 1}),
            json!([1, 2]),
        ];
        for case in cases {
            assert!(conforms(&case, &schema, "$").is_err(), "{case}");
        }
    }

    #[test]
    fn api_errors_are_described_without_401_message() {
        let response = ApiErrorResponse {
            status_code: reqwest::StatusCode::UNAUTHORIZED,
            api_error: ApiError {
                message: "Incorrect API key provided: sk-ab***cd".to_owned(),
                r#type: Some("invalid_request_error".to_owned()),
                code: Some("invalid_api_key".to_owned()),
                ..ApiError::default()
            },
        };
        let text = describe(&response);
        assert_eq!(text, "HTTP 401 invalid_request_error invalid_api_key");
    }
}
