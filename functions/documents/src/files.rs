//! Checking an uploaded file and putting it in the bucket: the size, the
//! type sniffed from the bytes against the declared one, the cleaned name.
//! Object keys hold ids only (`keys::document_object`).

use std::time::Duration;

use shared::documents::DocumentsBucket;
use shared::domain::documents::{StoredFile, MAX_FILE_BYTES, MAX_MULTIPART_FILE_BYTES};
use shared::domain::files::{clean_file_name, content_disposition, sniff, FileKind, FileNameError};
use shared::http::validate::Fields;
use shared::store::keys;
use shared::Error;

use crate::form::too_large;
use crate::multipart::FilePart;

/// How long a download link works.
pub const DOWNLOAD_TTL: Duration = Duration::from_secs(15 * 60);

pub const NO_FILE: &str = "No file was submitted.";
pub const EMPTY_FILE: &str = "The submitted file is empty.";
const ALLOWED: &str = "Allowed types: PDF, JPEG, PNG, GIF, DOC, DOCX.";

pub fn too_big_message() -> String {
    format!(
        "File size must not exceed {:.1}MB.",
        MAX_FILE_BYTES as f64 / (1024.0 * 1024.0)
    )
}

pub fn not_allowed(declared: &str) -> String {
    format!("File type {declared} is not allowed. {ALLOWED}")
}

pub fn unrecognised() -> String {
    "The file content is not a PDF, JPEG, PNG, GIF, DOC or DOCX document.".into()
}

pub fn mismatch(sniffed: FileKind, declared: &str) -> String {
    format!(
        "The file content ({}) does not match its declared type {declared}.",
        sniffed.mime()
    )
}

/// The declared type that counts: none, or `application/octet-stream`
/// (what a client sends when it does not know), leaves it to the bytes.
pub fn declared_type(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim)
        .filter(|t| !t.is_empty() && !t.eq_ignore_ascii_case("application/octet-stream"))
}

/// Field-level checks of a file part (reported with the other fields'
/// errors): it is there, it is not empty, its name fits.
pub fn check_part(f: &mut Fields, part: Option<&FilePart>, required: bool) {
    match part {
        None if required => f.error("file", NO_FILE),
        None => {}
        Some(p) if p.bytes.is_empty() => f.error("file", EMPTY_FILE),
        Some(p) => {
            let name = p.file_name.as_deref().unwrap_or("");
            // The kind only picks a default name; any will do here.
            if let Err(FileNameError::TooLong { chars }) = clean_file_name(name, FileKind::Pdf) {
                f.error(
                    "file",
                    format!("Ensure this filename has at most 100 characters (it has {chars})."),
                );
            }
        }
    }
}

/// What the bytes are, checked against the declared type (spec order: the
/// size, then the declared type, then the content).
pub fn identify(
    head: &[u8],
    tail: &[u8],
    size: i64,
    declared: Option<&str>,
    max: i64,
) -> Result<FileKind, Error> {
    if size > max {
        return Err(if max == MAX_MULTIPART_FILE_BYTES {
            too_large()
        } else {
            Error::field("file", too_big_message())
        });
    }
    let declared_kind = match declared {
        Some(d) => {
            Some(FileKind::from_declared(d).ok_or_else(|| Error::field("file", not_allowed(d)))?)
        }
        None => None,
    };
    let sniffed =
        sniff(head, tail, size as u64).ok_or_else(|| Error::field("file", unrecognised()))?;
    match (declared_kind, declared) {
        (Some(kind), Some(d)) if kind != sniffed => Err(Error::field("file", mismatch(sniffed, d))),
        _ => Ok(sniffed),
    }
}

/// The cleaned name of an upload (its length was checked with the fields).
pub fn file_name(raw: Option<&str>, kind: FileKind) -> String {
    clean_file_name(raw.unwrap_or(""), kind)
        .unwrap_or_else(|_| format!("document.{}", kind.extension()))
}

/// Checks a multipart file part and stores it as the file of `document_id`.
pub async fn store_part(
    bucket: &DocumentsBucket,
    owner_id: &str,
    document_id: &str,
    part: FilePart,
) -> Result<StoredFile, Error> {
    let size = part.bytes.len() as i64;
    let kind = identify(
        &part.bytes,
        &part.bytes,
        size,
        declared_type(part.content_type.as_deref()),
        MAX_MULTIPART_FILE_BYTES,
    )?;
    let name = file_name(part.file_name.as_deref(), kind);
    let key = keys::document_object(
        owner_id,
        document_id,
        &uuid::Uuid::now_v7().to_string(),
        kind.extension(),
    );
    bucket.put(&key, part.bytes, kind.mime()).await?;
    Ok(StoredFile {
        key,
        name,
        size,
        mime_type: kind.mime().to_string(),
    })
}

/// A link to download the file for a few minutes: shown inline (PDF,
/// images) or downloaded (Word), under its original name.
pub async fn download_url(
    bucket: &DocumentsBucket,
    key: &str,
    mime_type: &str,
    file_name: &str,
) -> Result<String, Error> {
    let kind = FileKind::from_declared(mime_type).unwrap_or(FileKind::Pdf);
    let disposition = content_disposition(file_name, kind);
    Ok(bucket
        .presign_get(key, mime_type, &disposition, DOWNLOAD_TTL)
        .await?
        .url)
}
