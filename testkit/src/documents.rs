//! Helpers for the documents tests: a bucket and a queue of their own in
//! the emulator, reading objects and queued jobs back, multipart bodies,
//! and a bare HTTP/1.1 client for presigned URLs (which go straight to
//! S3, not through the app).

use aws_sdk_s3::primitives::ByteStream;

use crate::{emulator_sdk, endpoint};

/// A bucket and an OCR queue for one test.
#[derive(Clone, Debug)]
pub struct DocumentsResources {
    pub bucket: String,
    pub ocr_queue_url: String,
}

pub fn s3() -> aws_sdk_s3::Client {
    let sdk = emulator_sdk(&endpoint());
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&sdk)
            .force_path_style(true)
            .request_checksum_calculation(
                aws_sdk_s3::config::RequestChecksumCalculation::WhenRequired,
            )
            .response_checksum_validation(
                aws_sdk_s3::config::ResponseChecksumValidation::WhenRequired,
            )
            .build(),
    )
}

pub fn sqs() -> aws_sdk_sqs::Client {
    aws_sdk_sqs::Client::new(&emulator_sdk(&endpoint()))
}

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

pub async fn new_bucket() -> String {
    let name = unique("docs");
    let sdk = emulator_sdk(&endpoint());
    let region = sdk.region().map(|r| r.to_string()).unwrap_or_default();
    let mut create = s3().create_bucket().bucket(&name);
    if region != "us-east-1" {
        create = create.create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(
                    region.as_str(),
                ))
                .build(),
        );
    }
    create.send().await.expect("create the test bucket");
    name
}

/// A queue; `max_receives` adds a dead-letter queue after that many
/// receives (returned second).
pub async fn new_queue(max_receives: Option<u32>) -> (String, Option<String>) {
    let sqs = sqs();
    let mut dlq_url = None;
    let mut create = sqs.create_queue().queue_name(unique("ocr"));
    if let Some(max) = max_receives {
        let dlq = sqs
            .create_queue()
            .queue_name(unique("ocr-dlq"))
            .send()
            .await
            .expect("create the dead-letter queue");
        let url = dlq.queue_url().unwrap_or_default().to_string();
        let arn = sqs
            .get_queue_attributes()
            .queue_url(&url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
            .send()
            .await
            .expect("dead-letter queue arn")
            .attributes()
            .and_then(|a| {
                a.get(&aws_sdk_sqs::types::QueueAttributeName::QueueArn)
                    .cloned()
            })
            .unwrap_or_default();
        create = create.attributes(
            aws_sdk_sqs::types::QueueAttributeName::RedrivePolicy,
            format!(r#"{{"deadLetterTargetArn":"{arn}","maxReceiveCount":"{max}"}}"#),
        );
        dlq_url = Some(url);
    }
    let queue = create.send().await.expect("create the test queue");
    (queue.queue_url().unwrap_or_default().to_string(), dlq_url)
}

pub async fn documents_resources() -> DocumentsResources {
    let (bucket, (queue, _)) = tokio::join!(new_bucket(), new_queue(None));
    DocumentsResources {
        bucket,
        ocr_queue_url: queue,
    }
}

/// An object's bytes and content type, when it exists.
pub async fn object(bucket: &str, key: &str) -> Option<(Vec<u8>, Option<String>)> {
    let out = s3()
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .ok()?;
    let content_type = out.content_type().map(str::to_string);
    let bytes = out.body.collect().await.ok()?.into_bytes().to_vec();
    Some((bytes, content_type))
}

pub async fn put_object(bucket: &str, key: &str, bytes: Vec<u8>) {
    s3().put_object()
        .bucket(bucket)
        .key(key)
        .body(ByteStream::from(bytes))
        .send()
        .await
        .expect("put a test object");
}

/// The keys of the objects under `prefix`.
pub async fn object_keys(bucket: &str, prefix: &str) -> Vec<String> {
    let out = s3()
        .list_objects_v2()
        .bucket(bucket)
        .prefix(prefix)
        .send()
        .await
        .expect("list test objects");
    out.contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_string))
        .collect()
}

/// Receives and deletes every message waiting in the queue; their bodies.
pub async fn drain_queue(queue_url: &str) -> Vec<String> {
    let sqs = sqs();
    let mut bodies = Vec::new();
    loop {
        let out = sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(0)
            .send()
            .await
            .expect("receive test messages");
        let messages = out.messages();
        if messages.is_empty() {
            return bodies;
        }
        for m in messages {
            bodies.push(m.body().unwrap_or_default().to_string());
            if let Some(handle) = m.receipt_handle() {
                let _ = sqs
                    .delete_message()
                    .queue_url(queue_url)
                    .receipt_handle(handle)
                    .send()
                    .await;
            }
        }
    }
}

/// A file part of a multipart body.
pub struct Part<'a> {
    pub file_name: &'a str,
    pub content_type: Option<&'a str>,
    pub bytes: &'a [u8],
}

/// A `multipart/form-data` body as a browser sends it: the Content-Type
/// (with its boundary) and the bytes.
pub fn multipart(fields: &[(&str, &str)], file: Option<Part<'_>>) -> (String, Vec<u8>) {
    let boundary = format!("----AutoTrackTest{}", uuid::Uuid::new_v4().simple());
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some(part) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\n",
                part.file_name
            )
            .as_bytes(),
        );
        if let Some(ct) = part.content_type {
            body.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(part.bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// An answer to `raw_http`.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request to an `http://host:port/...` URL (a presigned
/// link to the emulator), the connection closed after it.
pub async fn raw_http(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> RawResponse {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.strip_prefix("http://").expect("an http:// URL");
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let mut stream = tokio::net::TcpStream::connect(authority)
        .await
        .expect("connect to the URL's host");
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.expect("send");
    stream.write_all(body).await.expect("send the body");
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .await
        .expect("read the answer");
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP answer");
    let head = String::from_utf8_lossy(&answer[..split]).to_string();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = answer[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    RawResponse {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = data.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&data[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = end + 2;
        out.extend_from_slice(&data[start..(start + size).min(data.len())]);
        data = &data[(start + size + 2).min(data.len())..];
    }
    out
}
