//! A local fake of Textract's DetectDocumentText, speaking its JSON 1.1
//! protocol over a hand-written HTTP/1.1 server, for tests (moto's Textract
//! answers nothing usable).

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

const JSON_1_1: &str = "application/x-amz-json-1.1";
const TARGET: &str = "Textract.DetectDocumentText";
/// Requests larger than this are refused (Textract's own limit is 10 MB).
const MAX_BODY: usize = 16 * 1024 * 1024;

/// The server; stops when dropped.
pub struct FakeTextract {
    address: SocketAddr,
    state: Arc<Mutex<State>>,
    server: JoinHandle<()>,
}

#[derive(Default)]
struct State {
    answers: HashMap<[u8; 32], Vec<String>>,
    failures: VecDeque<String>,
    stalls: usize,
    requests: usize,
}

/// What the next request gets.
enum Reply {
    Answer(Vec<String>),
    Fail(String),
    Stall,
}

impl FakeTextract {
    pub async fn start() -> FakeTextract {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let address = listener.local_addr().expect("bound address");
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let server = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, shared.clone()));
            }
        });
        FakeTextract {
            address,
            state,
            server,
        }
    }

    /// Where to point the client: http://127.0.0.1:PORT.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Textract reads `lines` (top to bottom) in `bytes`.
    pub fn answer(&self, bytes: &[u8], lines: &[&str]) {
        let lines = lines.iter().map(|line| line.to_string()).collect();
        self.lock().answers.insert(digest(bytes), lines);
    }

    /// The next `n` valid requests fail with `error_type`
    /// (InternalServerError with a 500, the others with a 400).
    pub fn fail_next(&self, n: usize, error_type: &str) {
        let mut state = self.lock();
        state
            .failures
            .extend(std::iter::repeat_n(error_type.to_string(), n));
    }

    /// The next valid request never gets an answer.
    pub fn stall_next(&self) {
        self.lock().stalls += 1;
    }

    /// Requests received, valid or not.
    pub fn requests(&self) -> usize {
        self.lock().requests
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Drop for FakeTextract {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

struct Request {
    method: String,
    path: String,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", String::as_str)
    }
}

/// One connection: requests one after the other (keep-alive) until the
/// client closes it.
async fn serve(mut stream: TcpStream, state: Arc<Mutex<State>>) {
    let mut buffer = Vec::new();
    loop {
        let request = match read_request(&mut stream, &mut buffer).await {
            Ok(Some(request)) => request,
            Ok(None) => return,
            Err(message) => {
                let body = error_body("SerializationException", &message);
                let _ = write_response(&mut stream, 400, &[], &body, true).await;
                return;
            }
        };
        let close = request.header("connection").eq_ignore_ascii_case("close");
        let (status, headers, body) = match handle(&request, &state) {
            Some(response) => response,
            None => {
                // Stalled: hold the connection open and answer nothing.
                std::future::pending::<()>().await;
                return;
            }
        };
        if write_response(&mut stream, status, &headers, &body, close)
            .await
            .is_err()
            || close
        {
            return;
        }
    }
}

/// Headers up to the blank line, then Content-Length bytes of body.
/// `Ok(None)` when the client closed the connection between requests.
async fn read_request(
    stream: &mut TcpStream,
    buffer: &mut Vec<u8>,
) -> Result<Option<Request>, String> {
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|window| window == b"\r\n\r\n") {
            break at;
        }
        if buffer.len() > 64 * 1024 {
            return Err("headers too large".to_string());
        }
        if !read_more(stream, buffer).await? {
            return if buffer.is_empty() {
                Ok(None)
            } else {
                Err("connection closed mid-request".to_string())
            };
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_string();
    let path = request_line.next().unwrap_or_default().to_string();
    let headers: HashMap<String, String> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
        .collect();
    if headers.contains_key("transfer-encoding") {
        return Err("chunked bodies are not supported".to_string());
    }
    let length: usize = match headers.get("content-length") {
        Some(value) => value
            .parse()
            .map_err(|_| "bad content-length".to_string())?,
        None => 0,
    };
    if length > MAX_BODY {
        return Err("body too large".to_string());
    }
    let body_start = head_end + 4;
    while buffer.len() < body_start + length {
        if !read_more(stream, buffer).await? {
            return Err("connection closed mid-body".to_string());
        }
    }
    let body = buffer[body_start..body_start + length].to_vec();
    // Whatever follows is the next request (pipelining).
    buffer.drain(..body_start + length);
    Ok(Some(Request {
        method,
        path,
        headers,
        body,
    }))
}

async fn read_more(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Result<bool, String> {
    let mut chunk = [0u8; 16 * 1024];
    let read = stream
        .read(&mut chunk)
        .await
        .map_err(|error| error.to_string())?;
    buffer.extend_from_slice(&chunk[..read]);
    Ok(read > 0)
}

async fn write_response(
    stream: &mut TcpStream,
    status: u16,
    headers: &[(&str, String)],
    body: &[u8],
    close: bool,
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        _ => "Internal Server Error",
    };
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {JSON_1_1}\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if close {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body).await?;
    stream.flush().await
}

type Response = (u16, Vec<(&'static str, String)>, Vec<u8>);

/// The answer to one request; `None` to stall.
fn handle(request: &Request, state: &Mutex<State>) -> Option<Response> {
    static REQUEST_IDS: AtomicU64 = AtomicU64::new(1);
    let request_id = format!(
        "00000000-0000-4000-8000-{:012x}",
        REQUEST_IDS.fetch_add(1, Ordering::Relaxed)
    );
    let mut state = state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    state.requests += 1;
    let fail = |status: u16, error_type: &str, message: &str| -> Option<Response> {
        let headers = vec![
            ("x-amzn-RequestId", request_id.clone()),
            ("x-amzn-ErrorType", error_type.to_string()),
        ];
        Some((status, headers, error_body(error_type, message)))
    };
    if let Err(problem) = check_protocol(request) {
        return fail(400, "UnknownOperationException", &problem);
    }
    let Some(bytes) = document_bytes(&request.body) else {
        return fail(
            400,
            "InvalidParameterException",
            "Document.Bytes is required",
        );
    };
    let reply = if state.stalls > 0 {
        state.stalls -= 1;
        Reply::Stall
    } else if let Some(error_type) = state.failures.pop_front() {
        Reply::Fail(error_type)
    } else {
        match state.answers.get(&digest(&bytes)) {
            Some(lines) => Reply::Answer(lines.clone()),
            None => Reply::Fail("UnsupportedDocumentException".to_string()),
        }
    };
    drop(state);
    match reply {
        Reply::Stall => None,
        Reply::Fail(error_type) => {
            let status = if error_type == "InternalServerError" {
                500
            } else {
                400
            };
            fail(status, &error_type, "scripted failure")
        }
        Reply::Answer(lines) => {
            let body = serde_json::to_vec(&detect_output(&lines, &bytes)).expect("JSON");
            Some((200, vec![("x-amzn-RequestId", request_id)], body))
        }
    }
}

/// What the SDK sends: POST / with the target, the content type and a
/// SigV4 signature for the textract service.
fn check_protocol(request: &Request) -> Result<(), String> {
    if request.method != "POST" || request.path != "/" {
        return Err(format!(
            "{} {} is not an operation",
            request.method, request.path
        ));
    }
    let target = request.header("x-amz-target");
    if target != TARGET {
        return Err(format!("unknown operation {target:?}"));
    }
    let content_type = request.header("content-type");
    if content_type != JSON_1_1 {
        return Err(format!(
            "content type {content_type:?}, expected {JSON_1_1}"
        ));
    }
    let authorization = request.header("authorization");
    if !authorization.starts_with("AWS4-HMAC-SHA256")
        || !authorization.contains("/textract/aws4_request")
    {
        return Err("missing or foreign SigV4 signature".to_string());
    }
    Ok(())
}

fn document_bytes(body: &[u8]) -> Option<Vec<u8>> {
    let body: Value = serde_json::from_slice(body).ok()?;
    let encoded = body.get("Document")?.get("Bytes")?.as_str()?;
    base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()
}

fn error_body(error_type: &str, message: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({ "__type": error_type, "message": message })).expect("JSON")
}

/// PAGE, then the LINEs in a shuffled order, then the WORDs: the reader
/// must sort by geometry, as Textract does not promise an order.
fn detect_output(lines: &[String], bytes: &[u8]) -> Value {
    let mut ids = Ids(0);
    let page_id = ids.next();
    let mut line_blocks = Vec::new();
    let mut word_blocks = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let top = 0.06 + 0.045 * index as f64;
        // Labels and amounts start at different columns.
        let left = if index % 2 == 0 { 0.08 } else { 0.12 };
        let height = 0.028;
        let words: Vec<&str> = line.split_whitespace().collect();
        let mut word_ids = Vec::new();
        let mut word_left = left;
        for (word_index, word) in words.iter().enumerate() {
            let width = 0.011 * word.chars().count() as f64;
            let id = ids.next();
            let confidence = 99.2 - (word_index % 4) as f64 * 0.8;
            word_blocks.push(json!({
                "BlockType": "WORD",
                "Confidence": confidence,
                "Text": word,
                "TextType": "PRINTED",
                "Geometry": geometry(word_left, top, width, height),
                "Id": id,
                "Page": 1,
            }));
            word_ids.push(id);
            word_left += width + 0.008;
        }
        let width = (word_left - left - 0.008).max(0.01);
        line_blocks.push(json!({
            "BlockType": "LINE",
            "Confidence": line_confidence(index),
            "Text": line,
            "Geometry": geometry(left, top, width, height),
            "Id": ids.next(),
            "Relationships": [{ "Type": "CHILD", "Ids": word_ids }],
            "Page": 1,
        }));
    }
    shuffle(&mut line_blocks, bytes);
    let line_ids: Vec<Value> = line_blocks.iter().map(|line| line["Id"].clone()).collect();
    let mut blocks = vec![json!({
        "BlockType": "PAGE",
        "Geometry": geometry(0.0, 0.0, 1.0, 1.0),
        "Id": page_id,
        "Relationships": [{ "Type": "CHILD", "Ids": line_ids }],
        "Page": 1,
    })];
    blocks.extend(line_blocks);
    blocks.extend(word_blocks);
    json!({
        "DocumentMetadata": { "Pages": 1 },
        "DetectDocumentTextModelVersion": "1.0",
        "Blocks": blocks,
    })
}

/// The LINE confidence the fake gives line `index` (0-based), 0..100.
pub fn line_confidence(index: usize) -> f64 {
    98.5 - (index % 5) as f64 * 1.5
}

fn geometry(left: f64, top: f64, width: f64, height: f64) -> Value {
    json!({
        "BoundingBox": { "Width": width, "Height": height, "Left": left, "Top": top },
        "Polygon": [
            { "X": left, "Y": top },
            { "X": left + width, "Y": top },
            { "X": left + width, "Y": top + height },
            { "X": left, "Y": top + height },
        ],
    })
}

/// Textract's ids look like UUIDs.
struct Ids(u64);

impl Ids {
    fn next(&mut self) -> String {
        self.0 += 1;
        format!(
            "5e1f{:04x}-7c2a-4d0b-9a61-{:012x}",
            self.0,
            self.0 * 2_654_435_761
        )
    }
}

/// Fisher-Yates with a generator seeded by the document, so a run is
/// reproducible; never the identity for two lines or more.
fn shuffle(items: &mut [Value], seed: &[u8]) {
    let digest = digest(seed);
    let mut state = u64::from_le_bytes(digest[..8].try_into().expect("8 bytes")) | 1;
    for i in (1..items.len()).rev() {
        // xorshift64
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let j = (state % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
    let sorted = items.windows(2).all(|pair| {
        pair[0]["Geometry"]["BoundingBox"]["Top"].as_f64()
            <= pair[1]["Geometry"]["BoundingBox"]["Top"].as_f64()
    });
    if sorted {
        items.reverse();
    }
}
