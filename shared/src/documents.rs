//! The documents bucket (S3): a component of the functions that store or
//! check documents, present only when `BUCKET_NAME` is set.

#[derive(Clone, Debug)]
pub struct DocumentsBucket {
    s3: aws_sdk_s3::Client,
    name: String,
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
}
