//! Just enough HTTP/1.1 for the fake: one request per connection, bodies
//! sized by Content-Length, answers with `Connection: close`.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Request line plus headers. Stripe's clients send well under 8 KB.
const MAX_HEAD: usize = 64 * 1024;
/// Stripe caps request bodies far below this.
const MAX_BODY: usize = 1024 * 1024;

pub(super) struct Request {
    pub method: String,
    /// Path and query, as sent (`/v1/customers?expand[]=x`).
    pub target: String,
    headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The first header of that name (names compare case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Reads one request. `Err` carries the status to answer with when the
/// bytes are not a request we can read (or `None` when the peer just left).
pub(super) async fn read_request(stream: &mut TcpStream) -> Result<Request, Option<u16>> {
    let mut buf = Vec::with_capacity(4096);
    let head_end = loop {
        if let Some(at) = find(&buf, b"\r\n\r\n") {
            break at;
        }
        if buf.len() > MAX_HEAD {
            return Err(Some(431));
        }
        let mut chunk = [0u8; 4096];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return Err(None),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };

    let head = std::str::from_utf8(&buf[..head_end]).map_err(|_| Some(400))?;
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let (Some(method), Some(target), Some(_version)) = (
        request_line.next(),
        request_line.next(),
        request_line.next(),
    ) else {
        return Err(Some(400));
    };
    let mut headers = Vec::new();
    for line in lines {
        let (name, value) = line.split_once(':').ok_or(Some(400))?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let mut request = Request {
        method: method.to_owned(),
        target: target.to_owned(),
        headers,
        body: Vec::new(),
    };

    // Stripe's clients always size their bodies; chunked uploads are not
    // worth supporting here.
    if request.header("transfer-encoding").is_some() {
        return Err(Some(411));
    }
    let length = match request.header("content-length") {
        None => 0,
        Some(v) => v.parse::<usize>().map_err(|_| Some(400))?,
    };
    if length > MAX_BODY {
        return Err(Some(413));
    }
    let mut body = buf.split_off(head_end + 4);
    if body.len() < length {
        let already = body.len();
        body.resize(length, 0);
        stream
            .read_exact(&mut body[already..])
            .await
            .map_err(|_| None)?;
    }
    body.truncate(length);
    request.body = body;
    Ok(request)
}

pub(super) async fn write_response(
    stream: &mut TcpStream,
    status: u16,
    headers: &[(&str, String)],
    body: &str,
) {
    let mut out = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        reason(status),
        body.len()
    );
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(body);
    // The peer may have given up (a client timeout): nothing to do then.
    let _ = stream.write_all(out.as_bytes()).await;
    let _ = stream.shutdown().await;
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Unknown",
    }
}
