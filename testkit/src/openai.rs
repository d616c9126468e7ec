//! A local stand-in for OpenAI's chat-completions endpoint, for tests.
//!
//! A deliberately tiny HTTP/1.1 server: one request per connection
//! (`Connection: close`), bodies sized by Content-Length only.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

const MAX_HEAD: usize = 64 * 1024;
const MAX_BODY: usize = 16 * 1024 * 1024;

/// What the fake answers to the next chat-completions request.
#[derive(Clone, Debug)]
pub enum FakeReply {
    /// 200, choices[0].message.content = this text (for structured calls,
    /// pass JSON text), finish_reason "stop".
    Content(String),
    /// 200, message with tool_calls (id, function name, arguments text),
    /// finish_reason "tool_calls", content null.
    ToolCalls(Vec<(String, String, String)>),
    /// 200 with a JSON body that is not a chat completion.
    MalformedBody,
    /// 200 with a body that is not JSON at all.
    NotJson,
    /// 200 with message.refusal set and content null.
    Refusal(String),
    /// This HTTP status with OpenAI's error body.
    Status(u16),
    /// Accept the request and never answer (the connection stays open until
    /// the fake is dropped).
    Hang,
}

/// Running fake; the server stops when this is dropped.
pub struct FakeOpenAi {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    server: JoinHandle<()>,
}

struct State {
    queue: VecDeque<FakeReply>,
    default: FakeReply,
    requests: Vec<Value>,
    authorizations: Vec<String>,
    answered: u64,
}

struct Request {
    method: String,
    path: String,
    authorization: Option<String>,
    body: Vec<u8>,
}

struct Reply {
    status: u16,
    content_type: &'static str,
    body: String,
}

impl FakeOpenAi {
    pub async fn start() -> FakeOpenAi {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("fake OpenAI: bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("fake OpenAI: local address");
        let state = Arc::new(Mutex::new(State {
            queue: VecDeque::new(),
            default: FakeReply::Status(500),
            requests: Vec::new(),
            authorizations: Vec::new(),
            answered: 0,
        }));
        let server = tokio::spawn(serve(listener, state.clone()));
        FakeOpenAi {
            addr,
            state,
            server,
        }
    }

    /// "http://127.0.0.1:PORT/v1"
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Queues a reply; queued replies are used in order.
    pub fn push(&self, reply: FakeReply) {
        self.lock().queue.push_back(reply);
    }

    /// The reply used when the queue is empty (initially `Status(500)`).
    pub fn set_default(&self, reply: FakeReply) {
        self.lock().default = reply;
    }

    /// Every request body received (parsed JSON; a body that is not JSON is
    /// kept as a string), in order.
    pub fn requests(&self) -> Vec<Value> {
        self.lock().requests.clone()
    }

    pub fn request_count(&self) -> usize {
        self.lock().requests.len()
    }

    /// Authorization header values received, in order.
    pub fn authorizations(&self) -> Vec<String> {
        self.lock().authorizations.clone()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }
}

impl Drop for FakeOpenAi {
    fn drop(&mut self) {
        // Dropping the server task drops its JoinSet, which aborts every
        // connection task, hanging ones included.
        self.server.abort();
    }
}

// A panicking test thread must not make every later call panic too.
fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

async fn serve(listener: TcpListener, state: Arc<Mutex<State>>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    connections.spawn(handle(stream, state.clone()));
                }
            }
            // Reap finished connections so the set does not grow.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn handle(mut stream: TcpStream, state: Arc<Mutex<State>>) {
    let Some(request) = read_request(&mut stream).await else {
        return;
    };
    let reply = {
        let mut state = lock(&state);
        state.requests.push(
            serde_json::from_slice(&request.body)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&request.body).into())),
        );
        if let Some(authorization) = &request.authorization {
            state.authorizations.push(authorization.clone());
        }
        let path = request.path.split('?').next().unwrap_or_default();
        if request.method == "POST" && path == "/v1/chat/completions" {
            let reply = state
                .queue
                .pop_front()
                .unwrap_or_else(|| state.default.clone());
            state.answered += 1;
            let model = serde_json::from_slice::<Value>(&request.body)
                .ok()
                .and_then(|body| body.get("model")?.as_str().map(str::to_owned))
                .unwrap_or_else(|| "unknown".to_owned());
            render(&reply, &model, state.answered)
        } else {
            let message = format!("Unknown request URL: {} {}", request.method, path);
            Some(error_reply(
                404,
                &message,
                "invalid_request_error",
                Some("unknown_url"),
            ))
        }
    };

    let Some(reply) = reply else {
        // Hang: keep the socket open until the task is aborted.
        std::future::pending::<()>().await;
        return;
    };
    let head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        reply.status,
        reason(reply.status),
        reply.content_type,
        reply.body.len()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(reply.body.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// Reads one request: head up to the blank line, then Content-Length bytes.
async fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut buffer = Vec::with_capacity(4096);
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        if buffer.len() > MAX_HEAD {
            return None;
        }
        let mut chunk = [0u8; 4096];
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
    };

    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let path = request_line.next()?.to_owned();

    let mut content_length = 0usize;
    let mut authorization = None;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            content_length = value.parse().ok()?;
        } else if name.eq_ignore_ascii_case("authorization") {
            authorization = Some(value.to_owned());
        }
    }
    if content_length > MAX_BODY {
        return None;
    }

    let mut body = buffer.split_off(head_end + 4);
    while body.len() < content_length {
        let mut chunk = [0u8; 8192];
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..read]);
    }
    body.truncate(content_length);

    Some(Request {
        method,
        path,
        authorization,
        body,
    })
}

/// None means "hang".
fn render(reply: &FakeReply, model: &str, serial: u64) -> Option<Reply> {
    let message = match reply {
        FakeReply::Content(text) => json!({
            "role": "assistant", "content": text, "refusal": null, "annotations": []
        }),
        FakeReply::ToolCalls(calls) => json!({
            "role": "assistant",
            "content": null,
            "refusal": null,
            "tool_calls": calls.iter().map(|(id, name, arguments)| json!({
                "id": id,
                "type": "function",
                "function": {"name": name, "arguments": arguments}
            })).collect::<Vec<_>>(),
            "annotations": []
        }),
        FakeReply::Refusal(text) => json!({
            "role": "assistant", "content": null, "refusal": text, "annotations": []
        }),
        FakeReply::MalformedBody => return Some(ok_json(json!({"unexpected": true}))),
        FakeReply::NotJson => {
            return Some(Reply {
                status: 200,
                content_type: "text/html",
                body: "<html><body>this is not JSON</body></html>".to_owned(),
            })
        }
        FakeReply::Status(status) => return Some(status_reply(*status)),
        FakeReply::Hang => return None,
    };
    let finish_reason = match reply {
        FakeReply::ToolCalls(_) => "tool_calls",
        _ => "stop",
    };
    let created = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    Some(ok_json(json!({
        "id": format!("chatcmpl-fake{serial:06}"),
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [{
            "index": 0,
            "message": message,
            "logprobs": null,
            "finish_reason": finish_reason
        }],
        "usage": {
            "prompt_tokens": 12,
            "completion_tokens": 7,
            "total_tokens": 19,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": 0, "audio_tokens": 0,
                "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0
            }
        },
        "service_tier": "default",
        "system_fingerprint": "fp_fake"
    })))
}

fn ok_json(body: Value) -> Reply {
    Reply {
        status: 200,
        content_type: "application/json",
        body: body.to_string(),
    }
}

/// OpenAI's error body for a status, with the type/code it uses for it.
fn status_reply(status: u16) -> Reply {
    let (kind, code, message) = match status {
        400 => ("invalid_request_error", None, "Invalid request."),
        401 => (
            "invalid_request_error",
            Some("invalid_api_key"),
            "Incorrect API key provided: sk-fake***1234.",
        ),
        403 => ("invalid_request_error", None, "Forbidden."),
        404 => (
            "invalid_request_error",
            Some("model_not_found"),
            "The model does not exist.",
        ),
        429 => (
            "requests",
            Some("rate_limit_exceeded"),
            "Rate limit reached.",
        ),
        500..=599 => (
            "server_error",
            None,
            "The server had an error while processing your request.",
        ),
        _ => ("invalid_request_error", None, "Request failed."),
    };
    error_reply(status, message, kind, code)
}

fn error_reply(status: u16, message: &str, kind: &str, code: Option<&str>) -> Reply {
    Reply {
        status,
        content_type: "application/json",
        // OpenAI sends `"code": null` when there is no code.
        body: json!({"error": {"message": message, "type": kind, "param": null, "code": code}})
            .to_string(),
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        409 => "Conflict",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}
