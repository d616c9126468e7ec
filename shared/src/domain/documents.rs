//! Documents (spec 7): the entity, its extracted text, the per-account
//! counter, the analysis states and the representation. The file itself is
//! an S3 object (`file_key`); the item only describes it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::plans::{self, Limit, Limits, PlanGrant};
use crate::error::Error;
use crate::time;

pub const TYPES: &[&str] = &[
    "invoice",
    "insurance",
    "registration",
    "inspection",
    "maintenance",
    "other",
];
pub const DEFAULT_TYPE: &str = "other";
pub const TITLE_MAX: usize = 255;
/// Descriptions are free text; bounded so an item stays far below 400 KB.
pub const DESCRIPTION_MAX: usize = 10_000;

/// Documents one account may keep, and their total size, whatever its
/// plan (a plan's limits apply within them).
pub const MAX_DOCUMENTS_PER_USER: i64 = 500;
pub const MAX_BYTES_PER_USER: i64 = 250 * BYTES_PER_MB;
/// A megabyte of the plans' `storage_mb`: 2^20 bytes, as
/// `MAX_BYTES_PER_USER` and every message about storage count it.
pub const BYTES_PER_MB: i64 = 1024 * 1024;
/// The largest file (the presigned upload's bound; spec 7.2.2).
pub const MAX_FILE_BYTES: i64 = 10 * 1024 * 1024;
/// The largest file sent through the function as multipart: a synchronous
/// Lambda event carries 6 MB, and API Gateway base64-encodes binary bodies
/// (+33 %), so about 4.5 MB of body is what fits with headers to spare.
pub const MAX_MULTIPART_FILE_BYTES: i64 = 4 * 1024 * 1024;
pub const MAX_MULTIPART_BODY_BYTES: usize = 4_500_000;
/// Extracted text kept per document (in its own item).
pub const MAX_TEXT_CHARS: usize = 100_000;
/// The folded excerpt of the text kept on the document item for search.
pub const SEARCH_DIGEST_CHARS: usize = 4_000;
/// Documents one `batch_analyze/` call may queue.
pub const MAX_BATCH_ANALYZE: usize = 50;
/// Bare-array views (unanalyzed, by type, by vehicle) show the newest
/// ones, with their texts: 20 texts of 100,000 characters keep a response
/// far below Lambda's 6 MB.
pub const VIEW_LIMIT: usize = 20;

/// Where an analysis stands.
pub mod status {
    pub const NONE: &str = "none";
    pub const QUEUED: &str = "queued";
    pub const PROCESSING: &str = "processing";
    pub const DONE: &str = "done";
    pub const FAILED: &str = "failed";
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Document {
    /// UUIDv7: the partition's sort order is upload order.
    pub id: String,
    pub owner_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vehicle_id: Option<String>,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub document_type: String,
    /// The S3 object; a new file gets a new key, so a presigned URL handed
    /// out earlier never shows another file.
    pub file_key: String,
    /// The cleaned original name (never part of a key).
    pub file_name: String,
    pub file_size: i64,
    /// The type sniffed from the bytes.
    pub mime_type: String,
    pub analysis_status: String,
    /// The current analysis (the `task_id` the API returned); a job with
    /// another id is stale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis_error: Option<String>,
    #[serde(default)]
    pub analysis_attempts: u32,
    #[serde(
        default,
        with = "time::rfc3339_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub analyzed_at: Option<DateTime<Utc>>,
    pub is_analyzed: bool,
    #[serde(with = "super::json_text")]
    pub analysis_data: Value,
    /// A folded excerpt of the extracted text (`search_key`), for search
    /// without reading the text items.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub search_text: String,
    /// The maintenance recorded from this document, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maintenance_id: Option<String>,
    /// The reminder created from its expiry date, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminder_id: Option<String>,
    #[serde(with = "time::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "time::rfc3339")]
    pub updated_at: DateTime<Utc>,
    #[serde(default)]
    pub version: u64,
}

/// The text an analysis read, in an item of its own (up to 100,000
/// characters): reads of the documents never carry it, only the rows a
/// response shows fetch theirs (one BatchGetItem).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct DocumentText {
    pub owner_id: String,
    pub document_id: String,
    pub analysis_id: String,
    pub text: String,
}

/// The account's documents and bytes, kept in every write's transaction.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct DocumentCounter {
    #[serde(default)]
    pub count: i64,
    #[serde(default)]
    pub bytes: i64,
}

impl Document {
    /// A new document for a stored file: not analysed yet.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: String,
        owner_id: &str,
        vehicle_id: Option<String>,
        title: String,
        description: Option<String>,
        document_type: String,
        file: StoredFile,
    ) -> Self {
        let now = time::now();
        Document {
            id,
            owner_id: owner_id.to_string(),
            vehicle_id,
            title,
            description,
            document_type,
            file_key: file.key,
            file_name: file.name,
            file_size: file.size,
            mime_type: file.mime_type,
            analysis_status: status::NONE.into(),
            analysis_id: None,
            analysis_error: None,
            analysis_attempts: 0,
            analyzed_at: None,
            is_analyzed: false,
            analysis_data: json!({}),
            search_text: String::new(),
            maintenance_id: None,
            reminder_id: None,
            created_at: now,
            updated_at: now,
            version: 0,
        }
    }

    /// Takes a new file: the analysis of the old one no longer applies
    /// (and a job still running for it becomes stale).
    pub fn replace_file(&mut self, file: StoredFile) {
        self.file_key = file.key;
        self.file_name = file.name;
        self.file_size = file.size;
        self.mime_type = file.mime_type;
        self.reset_analysis();
    }

    pub fn reset_analysis(&mut self) {
        self.analysis_status = status::NONE.into();
        self.analysis_id = None;
        self.analysis_error = None;
        self.analysis_attempts = 0;
        self.analyzed_at = None;
        self.is_analyzed = false;
        self.analysis_data = json!({});
        self.search_text = String::new();
    }

    /// Whether the text and analysis of the current file can be asked for.
    pub fn is_analysable(&self) -> bool {
        matches!(
            self.mime_type.as_str(),
            "application/pdf" | "image/png" | "image/jpeg"
        )
    }

    /// The type the document is used as: the owner's choice, or what the
    /// analysis detected when the owner left it at `other`.
    pub fn effective_type(&self) -> &str {
        if self.document_type == DEFAULT_TYPE {
            if let Some(detected) = self.analysis_data["document_type"].as_str() {
                return detected;
            }
        }
        &self.document_type
    }

    /// `Document` (spec 7.1) with the analysis state; `file_url` is a
    /// short-lived link (or a relative path in the vehicle's view),
    /// `vehicle` the vehicle's representation when it has one.
    pub fn to_json(&self, file_url: &str, vehicle: Option<Value>, text: Option<&str>) -> Value {
        json!({
            "id": self.id,
            "user": self.owner_id,
            "vehicle": self.vehicle_id,
            "vehicle_info": vehicle,
            "document_type": self.document_type,
            "title": self.title,
            "description": self.description,
            "file": file_url,
            "file_url": file_url,
            "file_name": self.file_name,
            "file_size": self.file_size,
            "mime_type": self.mime_type,
            "extracted_text": text,
            "analysis_data": self.analysis_data,
            "analysis_status": self.analysis_status,
            "analysis_error": self.analysis_error,
            "analyzed_at": self.analyzed_at.as_ref().map(time::format),
            "is_analyzed": self.is_analyzed,
            "maintenance": self.maintenance_id,
            "created_at": time::format(&self.created_at),
            "updated_at": time::format(&self.updated_at),
        })
    }
}

/// The API path that redirects to a fresh download link (what views
/// without an S3 client, like the vehicle's, give as `file`).
pub fn download_path(document_id: &str) -> String {
    format!("/api/documents/{document_id}/file/")
}

/// A file stored in the bucket, as a document refers to it.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredFile {
    pub key: String,
    pub name: String,
    pub size: i64,
    pub mime_type: String,
}

/// The folded form search compares: lower case, accents dropped, runs of
/// other characters one space (`"Révision 2024"` → `"revision 2024"`).
pub fn search_key(text: &str) -> String {
    super::garages::name_key(text)
}

/// The excerpt of an extracted text kept on the document item.
pub fn search_digest(text: &str) -> String {
    let folded = search_key(text);
    match folded.char_indices().nth(SEARCH_DIGEST_CHARS) {
        Some((cut, _)) => folded[..cut].to_string(),
        None => folded,
    }
}

/// The first `MAX_TEXT_CHARS` characters of a text, and whether it was cut.
pub fn bounded_text(text: &str) -> (&str, bool) {
    match text.char_indices().nth(MAX_TEXT_CHARS) {
        Some((cut, _)) => (&text[..cut], true),
        None => (text, false),
    }
}

pub fn storage_reached(counter: DocumentCounter) -> String {
    format!(
        "Storage limit reached: an account can keep {MAX_DOCUMENTS_PER_USER} documents and {} MB ({} documents, {:.1} MB used).",
        MAX_BYTES_PER_USER / BYTES_PER_MB,
        counter.count,
        counter.bytes as f64 / (1024.0 * 1024.0)
    )
}

/// The plan's storage in bytes (`storage_mb` MB of `BYTES_PER_MB`).
pub fn storage_limit(limits: &Limits) -> Limit {
    match limits.storage_mb {
        Limit::AtMost(mb) => Limit::AtMost(mb.saturating_mul(BYTES_PER_MB)),
        Limit::Unlimited => Limit::Unlimited,
    }
}

/// The bounds in force for an account of `limits`: its documents and
/// bytes, the plan's within `MAX_DOCUMENTS_PER_USER` and
/// `MAX_BYTES_PER_USER` (the counter's conditions).
pub fn bounds(limits: &Limits) -> (i64, i64) {
    (
        limits.documents.under(MAX_DOCUMENTS_PER_USER),
        storage_limit(limits).under(MAX_BYTES_PER_USER),
    )
}

/// Why `count` more documents of `bytes` more bytes do not fit an account
/// at `counter` under `plan` (none: Free): a bound no plan lifts is the
/// 400 on `file` it always was; else the plan's 403 (`plan_limit`, the
/// documents' before the storage's) naming the plan that lifts it. None
/// when they fit.
pub fn over_limits(
    counter: DocumentCounter,
    count: i64,
    bytes: i64,
    plan: Option<&PlanGrant>,
) -> Option<Error> {
    let limits = PlanGrant::limits_of(plan);
    let storage = storage_limit(&limits);
    let (max_count, max_bytes) = bounds(&limits);
    let count_over = count > 0 && counter.count + count > max_count;
    let bytes_over = bytes > 0 && counter.bytes + bytes > max_bytes;
    let ceiling = (count_over && !limits.documents.binds_under(MAX_DOCUMENTS_PER_USER))
        || (bytes_over && !storage.binds_under(MAX_BYTES_PER_USER));
    if ceiling {
        Some(Error::field("file", storage_reached(counter)))
    } else if count_over {
        Some(plans::limit_reached(
            plans::MAX_DOCUMENTS,
            |l| l.documents,
            plan,
        ))
    } else if bytes_over {
        Some(plans::limit_reached(
            plans::STORAGE_MB,
            |l| l.storage_mb,
            plan,
        ))
    } else {
        None
    }
}

/// `GET /api/documents/stats/` (spec 7.2.9).
pub fn stats(documents: &[Document]) -> Value {
    let mut by_type: std::collections::BTreeMap<&str, i64> = Default::default();
    let mut analyzed = 0;
    let mut bytes = 0i64;
    for d in documents {
        *by_type.entry(d.document_type.as_str()).or_default() += 1;
        analyzed += i64::from(d.is_analyzed);
        bytes += d.file_size;
    }
    let total = documents.len() as i64;
    let mb = (bytes as f64 / 1_048_576.0 * 100.0).round() / 100.0;
    json!({
        "total_documents": total,
        "by_type": by_type
            .into_iter()
            .map(|(t, c)| json!({"document_type": t, "count": c}))
            .collect::<Vec<_>>(),
        "analyzed": analyzed,
        "unanalyzed": total - analyzed,
        "total_storage_bytes": bytes,
        "total_storage_mb": mb,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(kind: &str, size: i64, analyzed: bool) -> Document {
        let mut d = Document::new(
            "d".into(),
            "u",
            None,
            "t".into(),
            None,
            kind.into(),
            StoredFile {
                key: "k".into(),
                name: "a.pdf".into(),
                size,
                mime_type: "application/pdf".into(),
            },
        );
        d.is_analyzed = analyzed;
        d
    }

    #[test]
    fn the_plan_binds_below_the_hard_limits_and_they_above_it() {
        use crate::domain::plans::{PlanGrant, CATALOGUE};
        let status = |e: Option<Error>| match e {
            Some(Error::Body { status, body }) => format!("{status} {}", body["limit"]),
            Some(Error::Validation(_)) => "400".into(),
            Some(other) => format!("{other:?}"),
            None => "fits".into(),
        };
        let at = |count, bytes| DocumentCounter { count, bytes };
        // Free: 50 documents, 100 MB of 2^20 bytes.
        assert_eq!(status(over_limits(at(49, 0), 1, 10, None)), "fits");
        assert_eq!(
            status(over_limits(at(50, 0), 1, 10, None)),
            "403 \"max_documents\""
        );
        let mb100 = 100 * BYTES_PER_MB;
        assert_eq!(status(over_limits(at(1, mb100 - 10), 1, 10, None)), "fits");
        assert_eq!(
            status(over_limits(at(1, mb100 - 10), 1, 11, None)),
            "403 \"storage_mb\""
        );
        // A file replaced by a smaller one, or a delete: no bound.
        assert_eq!(status(over_limits(at(60, mb100 * 2), 0, -5, None)), "fits");
        // Standard's storage (1000 MB) is over the hard 250 MiB: that one
        // binds, with its 400.
        let standard = PlanGrant::of(&CATALOGUE[1].plan(|_| None, time::now()));
        assert_eq!(
            status(over_limits(
                at(1, MAX_BYTES_PER_USER),
                1,
                1,
                Some(&standard)
            )),
            "400"
        );
        assert_eq!(
            status(over_limits(at(300, 0), 1, 1, Some(&standard))),
            "403 \"max_documents\""
        );
        assert_eq!(bounds(&standard.limits()), (300, MAX_BYTES_PER_USER));
    }

    #[test]
    fn stats_count_types_and_storage_as_the_spec_shows() {
        let value = stats(&[doc("invoice", 100, false), doc("insurance", 16, true)]);
        assert_eq!(value["total_documents"], 2);
        assert_eq!(
            value["by_type"],
            json!([{"document_type": "insurance", "count": 1}, {"document_type": "invoice", "count": 1}])
        );
        assert_eq!(value["analyzed"], 1);
        assert_eq!(value["unanalyzed"], 1);
        assert_eq!(value["total_storage_bytes"], 116);
        assert_eq!(value["total_storage_mb"], 0.0);
        assert_eq!(
            stats(&[doc("other", 1_572_864, false)])["total_storage_mb"],
            1.5
        );
    }

    #[test]
    fn texts_are_bounded_on_character_boundaries() {
        let long = "é".repeat(MAX_TEXT_CHARS + 5);
        let (kept, cut) = bounded_text(&long);
        assert!(cut);
        assert_eq!(kept.chars().count(), MAX_TEXT_CHARS);
        assert_eq!(bounded_text("court"), ("court", false));
        assert_eq!(search_digest("Révision  ÉTÉ"), "revision ete");
        assert_eq!(
            search_digest(&"a ".repeat(SEARCH_DIGEST_CHARS))
                .chars()
                .count(),
            SEARCH_DIGEST_CHARS
        );
    }

    #[test]
    fn a_new_file_resets_the_analysis() {
        let mut d = doc("invoice", 1, true);
        d.analysis_status = status::DONE.into();
        d.analysis_id = Some("a".into());
        d.analysis_data = json!({"document_type": "invoice"});
        d.replace_file(StoredFile {
            key: "k2".into(),
            name: "b.png".into(),
            size: 2,
            mime_type: "image/png".into(),
        });
        assert_eq!(d.analysis_status, status::NONE);
        assert!(!d.is_analyzed && d.analysis_id.is_none());
        assert_eq!(d.analysis_data, json!({}));
        assert_eq!((d.file_key.as_str(), d.file_size), ("k2", 2));
    }

    #[test]
    fn the_detected_type_applies_only_to_other() {
        let mut d = doc("other", 1, true);
        d.analysis_data = json!({"document_type": "insurance"});
        assert_eq!(d.effective_type(), "insurance");
        d.document_type = "invoice".into();
        assert_eq!(d.effective_type(), "invoice");
    }
}
