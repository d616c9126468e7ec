//! Uploads too large for a request through API Gateway and Lambda (about
//! 6 MB, base64 included): the client asks for a presigned PUT to a
//! pending key under its own prefix, sends the file straight to S3, then
//! creates the document with that key. The function then checks the
//! object (owner, size, first bytes) and copies it to its final key.
//! Pending objects never confirmed expire with a bucket lifecycle rule,
//! and their records with the table's TTL.

use std::time::Duration;

use axum::extract::State;
use axum::response::Response;
use serde_json::json;
use shared::auth::CurrentUser;
use shared::domain::documents::{over_limits, StoredFile, MAX_FILE_BYTES};
use shared::domain::files::{clean_file_name, FileKind, FileNameError, HEAD_BYTES, TAIL_BYTES};
use shared::http::validate::Fields;
use shared::http::{created, JsonBody};
use shared::store::documents::{unknown_upload, PendingUpload};
use shared::store::keys;
use shared::{time, Error, Result};

use crate::files::{self, not_allowed};
use crate::DocumentsState;

/// How long the PUT link works.
pub const UPLOAD_TTL: Duration = Duration::from_secs(5 * 60);
/// How long an unconfirmed upload is kept (the bucket rule says the same).
const PENDING_FOR: i64 = 24 * 3600;

/// `POST /api/documents/upload-url/` with `filename`, `content_type` and,
/// optionally, `size` (checked again on the object itself).
pub async fn upload_url(
    State(state): State<DocumentsState>,
    CurrentUser(user): CurrentUser,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let mut f = Fields::new(&body);
    let name = f.required_text("filename", 1000);
    let declared = f.required_text("content_type", 255);
    let size = f.integer("size", false, 1, i64::MAX).value();
    let kind = declared.as_deref().and_then(FileKind::from_declared);
    if let (Some(d), None) = (&declared, kind) {
        f.error("content_type", not_allowed(d));
    }
    if let (Some(n), Some(k)) = (&name, kind) {
        if let Err(FileNameError::TooLong { chars }) = clean_file_name(n, k) {
            f.error(
                "filename",
                format!("Ensure this filename has at most 100 characters (it has {chars})."),
            );
        }
    }
    if size.is_some_and(|s| s > MAX_FILE_BYTES) {
        f.error("size", files::too_big_message());
    }
    f.finish()?;
    let (Some(name), Some(declared), Some(kind)) = (name, declared, kind) else {
        return Err(Error::internal("upload fields validated but absent"));
    };
    // Early, for the client's sake (the create's transaction decides):
    // one more document, of the size announced, within the plan's limits.
    let counter = state.store.documents().counter(&user.id).await?;
    if let Some(refusal) = over_limits(counter, 1, size.unwrap_or(1), user.plan.as_ref()) {
        return Err(refusal);
    }
    let id = uuid::Uuid::new_v4().to_string();
    let upload = PendingUpload {
        object_key: keys::pending_object(&user.id, &id),
        id,
        owner_id: user.id.clone(),
        file_name: clean_file_name(&name, kind).unwrap_or_default(),
        declared_type: declared.trim().to_string(),
        expires_at: time::now().timestamp() + PENDING_FOR,
    };
    state.store.documents().add_upload(&upload).await?;
    let link = state
        .bucket
        .presign_put(&upload.object_key, &upload.declared_type, UPLOAD_TTL)
        .await?;
    let expires_at = time::now() + chrono::Duration::seconds(UPLOAD_TTL.as_secs() as i64);
    Ok(created(json!({
        "upload_key": upload.object_key,
        "url": link.url,
        "method": "PUT",
        "headers": {"Content-Type": upload.declared_type},
        "expires_in": UPLOAD_TTL.as_secs(),
        "expires_at": time::format(&expires_at),
        "max_bytes": MAX_FILE_BYTES,
    })))
}

/// Checks the pending object of `upload_key` and copies it to the final
/// key of `document_id`. Another user's key, an unknown or expired one,
/// or one already confirmed are the same 400.
pub async fn confirm(
    state: &DocumentsState,
    owner_id: &str,
    document_id: &str,
    upload_key: &str,
) -> Result<(StoredFile, PendingUpload)> {
    let upload_id = upload_key
        .strip_prefix(&keys::pending_objects_prefix(owner_id))
        .filter(|id| !id.is_empty() && !id.contains('/'))
        .ok_or_else(unknown_upload)?;
    let upload = state
        .store
        .documents()
        .upload(owner_id, upload_id)
        .await?
        .ok_or_else(unknown_upload)?;
    let bucket = &state.bucket;
    let (head, size) = bucket
        .head(&upload.object_key, HEAD_BYTES as u64 - 1)
        .await?
        .ok_or_else(|| Error::field("file", files::NO_FILE))?;
    if size == 0 {
        return Err(Error::field("file", files::EMPTY_FILE));
    }
    let checked = async {
        if size > MAX_FILE_BYTES {
            return Err(Error::field("file", files::too_big_message()));
        }
        let tail = if size as u64 > HEAD_BYTES as u64 {
            bucket.tail(&upload.object_key, TAIL_BYTES as u64).await?
        } else {
            head.clone()
        };
        files::identify(
            &head,
            &tail,
            size,
            Some(&upload.declared_type),
            MAX_FILE_BYTES,
        )
    }
    .await;
    let kind = match checked {
        Ok(kind) => kind,
        Err(e) => {
            // The object can never be confirmed: it goes now rather than
            // at the lifecycle rule's expiry.
            if matches!(e, Error::Validation(_)) {
                let _ = bucket.delete(&upload.object_key).await;
            }
            return Err(e);
        }
    };
    let key = keys::document_object(
        owner_id,
        document_id,
        &uuid::Uuid::now_v7().to_string(),
        kind.extension(),
    );
    bucket.copy(&upload.object_key, &key, kind.mime()).await?;
    let file = StoredFile {
        key,
        name: if upload.file_name.is_empty() {
            format!("document.{}", kind.extension())
        } else {
            upload.file_name.clone()
        },
        size,
        mime_type: kind.mime().to_string(),
    };
    Ok((file, upload))
}
