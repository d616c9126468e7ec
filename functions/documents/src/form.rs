//! The body of a document create or edit: `multipart/form-data` (with the
//! file) as the front-ends send it, or JSON / form-encoded metadata alone
//! (an edit without a new file, or the confirmation of a presigned upload).
//! Fields come out as one JSON object, so validation is the same for all.

use axum::extract::{FromRequest, Request};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use serde_json::{json, Map, Value};
use shared::domain::documents::{
    MAX_FILE_BYTES, MAX_MULTIPART_BODY_BYTES, MAX_MULTIPART_FILE_BYTES,
};
use shared::http::body;
use shared::Error;

use crate::multipart::{self, FilePart};

/// The fields of the body and its file part, if any.
#[derive(Debug, Default)]
pub struct DocumentForm {
    pub fields: Map<String, Value>,
    pub file: Option<FilePart>,
}

/// The path clients use for files too large for a multipart request.
pub const UPLOAD_URL_PATH: &str = "/api/documents/upload-url/";

/// 413 with a JSON body that says where large files go.
pub fn too_large() -> Error {
    Error::Body {
        status: 413,
        body: json!({
            "detail": format!(
                "Files over {} MB must be uploaded through {UPLOAD_URL_PATH} (up to {} MB).",
                MAX_MULTIPART_FILE_BYTES / (1024 * 1024),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
            "max_bytes": MAX_MULTIPART_FILE_BYTES,
            "upload_url": UPLOAD_URL_PATH,
        }),
    }
}

fn is_multipart(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("multipart/form-data"))
}

impl<S: Send + Sync> FromRequest<S> for DocumentForm {
    type Rejection = Error;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Error> {
        let content_type = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let Some(content_type) = content_type.clone().filter(|ct| is_multipart(ct)) else {
            let bytes = axum::body::to_bytes(req.into_body(), body::MAX_BODY_BYTES)
                .await
                .map_err(|_| Error::PayloadTooLarge(body::MAX_BODY_BYTES))?;
            let fields = body::parse(content_type.as_deref(), &bytes)?;
            return Ok(DocumentForm { fields, file: None });
        };
        // Refuse by the declared length before reading anything.
        let declared = req
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > MAX_MULTIPART_BODY_BYTES as u64) {
            return Err(too_large());
        }
        let boundary = multipart::boundary(&content_type).map_err(parse_error)?;
        let bytes = axum::body::to_bytes(req.into_body(), MAX_MULTIPART_BODY_BYTES)
            .await
            .map_err(|_| too_large())?;
        let form = multipart::parse(&bytes, &boundary).map_err(parse_error)?;
        let mut fields = Map::new();
        for (name, value) in form.fields {
            // A repeated field keeps its last value, as form parsers do.
            fields.insert(name, Value::String(value));
        }
        Ok(DocumentForm {
            fields,
            file: form.file,
        })
    }
}

fn parse_error(e: multipart::MultipartError) -> Error {
    Error::BadRequest(format!("Multipart form parse error - {e}"))
}
