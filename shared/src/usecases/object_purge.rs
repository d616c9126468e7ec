//! Deleting the S3 objects of the purge outbox (`store::purges`): the
//! objects first, then the marker, so a failure part way leaves the marker
//! for the next attempt (deleting an absent object is not an error).

use chrono::{DateTime, Utc};

use crate::documents::DocumentsBucket;
use crate::error::Error;
use crate::store::purges::ObjectsPurge;
use crate::store::Store;

/// Purges a marker naming keys only (what a document's own delete or
/// edit writes), one DeleteObject per key, then the marker: the documents
/// function links neither S3's batch delete nor its listing.
pub async fn purge_keys(
    store: &Store,
    bucket: &DocumentsBucket,
    marker: &ObjectsPurge,
) -> Result<(), Error> {
    if !marker.prefixes.is_empty() {
        return Err(Error::internal("purge_keys given a marker with prefixes"));
    }
    for key in &marker.keys {
        bucket.delete(key).await?;
    }
    store.purges().done(marker).await
}

/// Purges one marker's objects, then the marker.
pub async fn purge(
    store: &Store,
    bucket: &DocumentsBucket,
    marker: &ObjectsPurge,
) -> Result<(), Error> {
    bucket.delete_many(&marker.keys).await?;
    for prefix in &marker.prefixes {
        bucket.delete_prefix(prefix).await?;
    }
    store.purges().done(marker).await
}

/// What a drain did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct DrainReport {
    pub purged: usize,
    pub failed: usize,
}

/// Purges the markers written before `before` (up to `limit` per shard);
/// one marker's failure is counted and the others go on.
pub async fn drain(
    store: &Store,
    bucket: &DocumentsBucket,
    before: &DateTime<Utc>,
    limit: usize,
) -> Result<DrainReport, Error> {
    let mut report = DrainReport::default();
    for marker in store.purges().waiting(before, limit).await? {
        match purge(store, bucket, &marker).await {
            Ok(()) => report.purged += 1,
            Err(e) => {
                tracing::warn!(marker = %marker.id, error = %e, "purging objects failed; kept for the next run");
                report.failed += 1;
            }
        }
    }
    Ok(report)
}
