//! The documents bucket (S3): a component of the functions that store,
//! read or check documents, present only when `BUCKET_NAME` is set. Keys
//! come from `store::keys`; this module only moves bytes and signs URLs.

use std::time::Duration;

use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{Delete, ObjectIdentifier};

use crate::error::Error;

#[derive(Clone, Debug)]
pub struct DocumentsBucket {
    s3: aws_sdk_s3::Client,
    name: String,
}

/// What a presigned URL lets its holder do, until when.
#[derive(Clone, Debug)]
pub struct Presigned {
    pub url: String,
    pub expires_in: Duration,
}

fn unavailable(operation: &str, e: impl std::error::Error + Send + Sync + 'static) -> Error {
    let e = DisplayErrorContext(e);
    tracing::error!(operation, error = %e, "S3 call failed");
    Error::Unavailable(format!("S3 {operation}: {e}"))
}

impl DocumentsBucket {
    pub fn new(s3: aws_sdk_s3::Client, name: String) -> Self {
        Self { s3, name }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn client(&self) -> &aws_sdk_s3::Client {
        &self.s3
    }

    /// Whether the bucket answers (the health check).
    pub async fn check(&self) -> Result<(), impl std::fmt::Debug> {
        self.s3
            .head_bucket()
            .bucket(&self.name)
            .send()
            .await
            .map(drop)
    }

    pub async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), Error> {
        self.s3
            .put_object()
            .bucket(&self.name)
            .key(key)
            .content_type(content_type)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map(drop)
            .map_err(|e| unavailable("PutObject", e))
    }

    /// The first bytes of an object (`first..=last`) and its whole size,
    /// in one ranged GET (no HeadObject: the documents function links one
    /// S3 operation fewer). `None` when there is no such object; without
    /// `s3:ListBucket` S3 answers 403 for a missing key, so both mean absent.
    pub async fn head(&self, key: &str, last: u64) -> Result<Option<(Vec<u8>, i64)>, Error> {
        let out = match self
            .s3
            .get_object()
            .bucket(&self.name)
            .key(key)
            .range(format!("bytes=0-{last}"))
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) => {
                let status = e.raw_response().map(|r| r.status().as_u16());
                return match status {
                    Some(403 | 404) => Ok(None),
                    // A range of an empty object is not satisfiable.
                    Some(416) => Ok(Some((Vec::new(), 0))),
                    _ => Err(unavailable("GetObject", e)),
                };
            }
        };
        // "bytes 0-8191/123456": the size is after the slash.
        let total = out
            .content_range()
            .and_then(|r| r.rsplit('/').next())
            .and_then(|n| n.parse::<i64>().ok());
        let length = out.content_length();
        let body = out
            .body
            .collect()
            .await
            .map_err(|e| unavailable("GetObject body", e))?
            .into_bytes()
            .to_vec();
        let size = total.or(length).unwrap_or(body.len() as i64);
        Ok(Some((body, size)))
    }

    /// The last `n` bytes of an object.
    pub async fn tail(&self, key: &str, n: u64) -> Result<Vec<u8>, Error> {
        self.read(key, Some(format!("bytes=-{n}"))).await
    }

    /// The whole object (callers check its size first).
    pub async fn get(&self, key: &str) -> Result<Vec<u8>, Error> {
        self.read(key, None).await
    }

    async fn read(&self, key: &str, range: Option<String>) -> Result<Vec<u8>, Error> {
        let out = self
            .s3
            .get_object()
            .bucket(&self.name)
            .key(key)
            .set_range(range)
            .send()
            .await
            .map_err(|e| {
                if e.as_service_error().is_some_and(|s| s.is_no_such_key()) {
                    Error::NotFound(None)
                } else {
                    unavailable("GetObject", e)
                }
            })?;
        let body = out
            .body
            .collect()
            .await
            .map_err(|e| unavailable("GetObject body", e))?;
        Ok(body.into_bytes().to_vec())
    }

    /// Copies `from` to `to`, with the content type given (the sniffed one,
    /// not what the uploader declared).
    pub async fn copy(&self, from: &str, to: &str, content_type: &str) -> Result<(), Error> {
        self.s3
            .copy_object()
            .bucket(&self.name)
            .copy_source(format!("{}/{}", self.name, from))
            .key(to)
            .content_type(content_type)
            .metadata_directive(aws_sdk_s3::types::MetadataDirective::Replace)
            .send()
            .await
            .map(drop)
            .map_err(|e| unavailable("CopyObject", e))
    }

    /// Deletes one object (absent is fine).
    pub async fn delete(&self, key: &str) -> Result<(), Error> {
        self.s3
            .delete_object()
            .bucket(&self.name)
            .key(key)
            .send()
            .await
            .map(drop)
            .map_err(|e| unavailable("DeleteObject", e))
    }

    /// Deletes objects by key (absent keys are fine), 1,000 per request.
    pub async fn delete_many(&self, keys: &[String]) -> Result<(), Error> {
        for chunk in keys.chunks(1000) {
            if chunk.is_empty() {
                continue;
            }
            let objects = chunk
                .iter()
                .map(|k| ObjectIdentifier::builder().key(k).build())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| Error::internal(format!("S3 object identifier: {e}")))?;
            let delete = Delete::builder()
                .set_objects(Some(objects))
                .quiet(true)
                .build()
                .map_err(|e| Error::internal(format!("S3 delete request: {e}")))?;
            let out = self
                .s3
                .delete_objects()
                .bucket(&self.name)
                .delete(delete)
                .send()
                .await
                .map_err(|e| unavailable("DeleteObjects", e))?;
            if let Some(failed) = out.errors().first() {
                return Err(Error::Unavailable(format!(
                    "S3 DeleteObjects refused {} key(s): {}",
                    out.errors().len(),
                    failed.code().unwrap_or("unknown")
                )));
            }
        }
        Ok(())
    }

    /// Deletes every object under `prefix`.
    pub async fn delete_prefix(&self, prefix: &str) -> Result<(), Error> {
        let mut token: Option<String> = None;
        loop {
            let page = self
                .s3
                .list_objects_v2()
                .bucket(&self.name)
                .prefix(prefix)
                .set_continuation_token(token)
                .send()
                .await
                .map_err(|e| unavailable("ListObjectsV2", e))?;
            let keys: Vec<String> = page
                .contents()
                .iter()
                .filter_map(|o| o.key().map(str::to_string))
                .collect();
            self.delete_many(&keys).await?;
            match page.next_continuation_token() {
                Some(next) if page.is_truncated().unwrap_or(false) => token = Some(next.into()),
                _ => return Ok(()),
            }
        }
    }

    /// A GET URL for `key`, signed here (no call to AWS): the response
    /// carries `content_type` and `disposition` whatever the object says.
    pub async fn presign_get(
        &self,
        key: &str,
        content_type: &str,
        disposition: &str,
        ttl: Duration,
    ) -> Result<Presigned, Error> {
        let config = presigning(ttl)?;
        let request = self
            .s3
            .get_object()
            .bucket(&self.name)
            .key(key)
            .response_content_type(content_type)
            .response_content_disposition(disposition)
            .presigned(config)
            .await
            .map_err(|e| Error::internal(format!("presigning a GET: {e}")))?;
        Ok(Presigned {
            url: request.uri().to_string(),
            expires_in: ttl,
        })
    }

    /// A PUT URL for `key` that only accepts `content_type` (the header is
    /// part of the signature).
    pub async fn presign_put(
        &self,
        key: &str,
        content_type: &str,
        ttl: Duration,
    ) -> Result<Presigned, Error> {
        let config = presigning(ttl)?;
        let request = self
            .s3
            .put_object()
            .bucket(&self.name)
            .key(key)
            .content_type(content_type)
            .presigned(config)
            .await
            .map_err(|e| Error::internal(format!("presigning a PUT: {e}")))?;
        Ok(Presigned {
            url: request.uri().to_string(),
            expires_in: ttl,
        })
    }
}

fn presigning(ttl: Duration) -> Result<PresigningConfig, Error> {
    PresigningConfig::expires_in(ttl).map_err(|e| Error::internal(format!("presigning: {e}")))
}
