//! The documents bucket's section: optional for the health check, which
//! only reports on it; required by the functions that store or read files.

use super::Env;

#[derive(Clone, Debug, Default)]
pub struct DocumentsConfig {
    pub bucket_name: Option<String>,
}

impl DocumentsConfig {
    pub fn read(env: &mut Env) -> Self {
        Self {
            bucket_name: env.optional("BUCKET_NAME"),
        }
    }

    /// The section of a function that cannot work without the bucket.
    pub fn require(env: &mut Env) -> Self {
        Self {
            bucket_name: env.required("BUCKET_NAME", "the documents bucket"),
        }
    }
}
