//! The documents bucket's section. Optional: until documents are served,
//! only the health check looks at the bucket.

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
}
