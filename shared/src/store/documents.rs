//! Documents in their owner's documents partition (`keys::documents_pk`):
//! the document items, their extracted texts, the account's counter
//! (documents and bytes, the storage limit) and pending presigned uploads.
//!
//! Every write that adds or removes a document or bytes moves the counter
//! in the same transaction, with a condition when it grows: two uploads at
//! the same instant cannot pass the limit together. Edits are conditioned
//! on the version read; a refusal is read back once to answer 404, 400 or
//! 409. Deleting an item that has a file also writes a purge marker
//! (`store::purges`): the S3 object goes after the commit.

use std::collections::HashMap;

use super::purges::ObjectsPurge;
use super::{from_item, keys, n, s, Entity, Expr, SortRange, Store, Write, WriteError};
use crate::domain::documents::{
    bounds, over_limits, storage_reached, Document, DocumentCounter, DocumentText,
    MAX_BYTES_PER_USER, MAX_DOCUMENTS_PER_USER,
};
use crate::domain::plans::{Limits, PlanGrant};
use crate::domain::vehicles::Vehicle;
use crate::error::Error;
use crate::store::vehicles::VehicleEffect;
use crate::time;

/// Condition names of the documents' writes.
pub const STORAGE_LIMIT: &str = "storage_limit";
pub const DOCUMENT_AS_READ: &str = "document_as_read";
pub const NEW_DOCUMENT: &str = "new_document";
pub const UPLOAD_PENDING: &str = "upload_pending";

/// Attempts of a create that loses a race on the counter to another
/// upload of the same user (not a refusal: nothing was wrong with it).
const CONTENTION_ATTEMPTS: usize = 6;

pub struct Documents<'a> {
    store: &'a Store,
}

impl Store {
    pub fn documents(&self) -> Documents<'_> {
        Documents { store: self }
    }
}

impl Entity for Document {
    const NAME: &'static str = keys::entity::DOCUMENT;
    fn key(&self) -> (String, String) {
        (
            keys::documents_pk(&self.owner_id),
            keys::document_sk(&self.id),
        )
    }
}

impl Entity for DocumentText {
    const NAME: &'static str = keys::entity::DOCUMENT_TEXT;
    fn key(&self) -> (String, String) {
        (
            keys::documents_pk(&self.owner_id),
            keys::document_text_sk(&self.document_id),
        )
    }
}

/// A presigned upload handed out and not yet confirmed. It expires with
/// the table's TTL a day later, like the pending object in the bucket.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct PendingUpload {
    pub id: String,
    pub owner_id: String,
    pub object_key: String,
    pub file_name: String,
    pub declared_type: String,
    /// Epoch seconds (the TTL attribute).
    pub expires_at: i64,
}

impl Entity for PendingUpload {
    const NAME: &'static str = keys::entity::DOCUMENT_UPLOAD;
    fn key(&self) -> (String, String) {
        (
            keys::documents_pk(&self.owner_id),
            keys::document_upload_sk(&self.id),
        )
    }
}

/// The limits a write that may grow the account's documents is held to.
#[derive(Clone, Copy)]
enum HeldTo<'a> {
    /// The hard limits only (the system's writes).
    Ceiling,
    /// The owner's plan (none: Free) within the hard limits.
    Plan(Option<&'a PlanGrant>),
}

impl HeldTo<'_> {
    fn limits(self) -> Option<Limits> {
        match self {
            HeldTo::Ceiling => None,
            HeldTo::Plan(plan) => Some(PlanGrant::limits_of(plan)),
        }
    }
}

/// The account's documents (oldest first) and its counter: one Query.
#[derive(Clone, Debug, Default)]
pub struct Library {
    pub documents: Vec<Document>,
    pub counter: DocumentCounter,
}

impl Documents<'_> {
    /// Every document of the account and the counter (not the texts).
    pub async fn library(&self, owner_id: &str) -> Result<Library, Error> {
        let items = self
            .store
            .query_range(
                None,
                &keys::documents_pk(owner_id),
                &SortRange::Below(keys::DOCUMENTS_END.into()),
                true,
                None,
            )
            .await?;
        let mut library = Library::default();
        for item in items {
            if super::entity::name_of(&item) == keys::entity::DOCUMENT_COUNTER {
                library.counter = from_item(item)?;
            } else {
                library.documents.push(from_item(item)?);
            }
        }
        Ok(library)
    }

    pub async fn get(&self, owner_id: &str, id: &str) -> Result<Option<Document>, Error> {
        self.store
            .get(&keys::documents_pk(owner_id), &keys::document_sk(id))
            .await?
            .map(from_item)
            .transpose()
    }

    pub async fn counter(&self, owner_id: &str) -> Result<DocumentCounter, Error> {
        Ok(self
            .store
            .get(&keys::documents_pk(owner_id), keys::DOCUMENT_COUNTER_SK)
            .await?
            .map(from_item)
            .transpose()?
            .unwrap_or_default())
    }

    /// The extracted text of one document, when it has one.
    pub async fn text(&self, owner_id: &str, id: &str) -> Result<Option<String>, Error> {
        let item = self
            .store
            .get(&keys::documents_pk(owner_id), &keys::document_text_sk(id))
            .await?;
        Ok(item
            .map(from_item::<DocumentText>)
            .transpose()?
            .map(|t| t.text))
    }

    /// The texts of several documents (one BatchGetItem per 100), by id.
    pub async fn texts(
        &self,
        owner_id: &str,
        ids: &[&str],
    ) -> Result<HashMap<String, String>, Error> {
        let mut texts = HashMap::new();
        let pk = keys::documents_pk(owner_id);
        for chunk in ids.chunks(100) {
            let wanted: Vec<(String, String)> = chunk
                .iter()
                .map(|id| (pk.clone(), keys::document_text_sk(id)))
                .collect();
            for item in self.store.get_many(&wanted).await?.into_iter().flatten() {
                let text: DocumentText = from_item(item)?;
                texts.insert(text.document_id, text.text);
            }
        }
        Ok(texts)
    }

    pub async fn upload(&self, owner_id: &str, id: &str) -> Result<Option<PendingUpload>, Error> {
        let item = self
            .store
            .get(&keys::documents_pk(owner_id), &keys::document_upload_sk(id))
            .await?;
        let upload = item.map(from_item::<PendingUpload>).transpose()?;
        Ok(upload.filter(|u| u.expires_at > time::now().timestamp()))
    }

    pub async fn add_upload(&self, upload: &PendingUpload) -> Result<(), Error> {
        let mut item = upload.to_item()?;
        item.insert(keys::EXPIRES_AT.into(), n(upload.expires_at));
        self.store.put(item, Expr::new()).await.map_err(Error::from)
    }

    /// The counter's move in a transaction: `count` documents and `bytes`
    /// more (or fewer). Growth is conditioned on the account's limits:
    /// `limits`' (the plan's) within the hard ones, or the hard ones only
    /// with none (a move that only shrinks has no condition).
    pub fn tx_counter(
        &self,
        owner_id: &str,
        count: i64,
        bytes: i64,
        limits: Option<&Limits>,
    ) -> Result<Write, Error> {
        let (max_count, max_bytes) = match limits {
            Some(limits) => bounds(limits),
            None => (MAX_DOCUMENTS_PER_USER, MAX_BYTES_PER_USER),
        };
        let mut expr = Expr::new()
            .update("SET entity = :entity ADD #count :count, bytes :bytes")
            .name("#count", "count")
            .value(":entity", s(keys::entity::DOCUMENT_COUNTER))
            .value(":count", n(count))
            .value(":bytes", n(bytes));
        let mut conditions = Vec::new();
        if count > 0 {
            conditions.push(super::counter_within(
                "#count",
                ":count_room",
                max_count - count,
            ));
            expr = expr.value(":count_room", n(max_count - count));
        }
        if bytes > 0 {
            conditions.push(super::counter_within(
                "bytes",
                ":bytes_room",
                max_bytes - bytes,
            ));
            expr = expr.value(":bytes_room", n(max_bytes - bytes));
        }
        if !conditions.is_empty() {
            expr = expr
                .condition(conditions.join(" AND "))
                .named(STORAGE_LIMIT);
        }
        self.store.tx_update(
            &keys::documents_pk(owner_id),
            keys::DOCUMENT_COUNTER_SK,
            expr,
        )
    }

    /// Stores a new document whose object is in the bucket: the item, the
    /// counter, the vehicle's count and, for a presigned upload, the end of
    /// its pending record (so one upload makes one document), within the
    /// documents and storage of `plan` (the owner's grant; none: Free).
    pub async fn create(
        &self,
        document: &Document,
        vehicle: Option<&Vehicle>,
        upload_id: Option<&str>,
        plan: Option<&PlanGrant>,
    ) -> Result<(), Error> {
        let limits = PlanGrant::limits_of(plan);
        let grows = (1, document.file_size);
        if document.file_size > bounds(&limits).1 {
            // Larger than the whole storage: refused even on an empty
            // account (whose counter, absent, the condition lets through).
            return Err(self
                .limit_error(&document.owner_id, grows, HeldTo::Plan(plan))
                .await);
        }
        let effect = VehicleEffect {
            documents: 1,
            ..Default::default()
        };
        let mut attempt = 0;
        loop {
            let mut tx = self.store.tx();
            tx.put(
                document.to_item()?,
                Expr::new()
                    .condition("attribute_not_exists(pk)")
                    .named(NEW_DOCUMENT),
            )?;
            tx.add(self.tx_counter(&document.owner_id, 1, document.file_size, Some(&limits))?);
            if let Some(vehicle) = vehicle {
                tx.extend(self.store.vehicles().tx_effect(vehicle, effect)?);
            }
            if let Some(upload_id) = upload_id {
                tx.delete(
                    &keys::documents_pk(&document.owner_id),
                    &keys::document_upload_sk(upload_id),
                    Expr::new()
                        .condition("attribute_exists(pk)")
                        .named(UPLOAD_PENDING),
                )?;
            }
            match tx.commit().await {
                Ok(()) => return Ok(()),
                Err(e) if e.is_contention() && attempt + 1 < CONTENTION_ATTEMPTS => {
                    attempt += 1;
                    super::garages::backoff(attempt as u32).await;
                }
                Err(WriteError::Conditions(refused)) => {
                    if refused.has(STORAGE_LIMIT) {
                        return Err(self
                            .limit_error(&document.owner_id, grows, HeldTo::Plan(plan))
                            .await);
                    }
                    if refused.has(UPLOAD_PENDING) {
                        return Err(unknown_upload());
                    }
                    if let Some(vehicle) =
                        vehicle.filter(|_| refused.has(super::vehicles::conditions::VEHICLE_EFFECT))
                    {
                        return Err(self.store.vehicles().refusal(vehicle, effect).await);
                    }
                    return Err(Error::Conflict(format!(
                        "concurrent change ({refused}), please retry"
                    )));
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Why `grows` (documents, bytes) did not fit, read back once after
    /// the refusal: the plan's 403 or the hard limits' 400
    /// (`documents::over_limits`); a counter that fits again by now (a
    /// delete meanwhile) is a 409 to retry.
    async fn limit_error(&self, owner_id: &str, grows: (i64, i64), held: HeldTo<'_>) -> Error {
        let counter = match self.counter(owner_id).await {
            Ok(counter) => counter,
            Err(e) => return e,
        };
        match held {
            HeldTo::Ceiling => Error::field("file", storage_reached(counter)),
            HeldTo::Plan(plan) => {
                over_limits(counter, grows.0, grows.1, plan).unwrap_or_else(|| {
                    Error::Conflict("The account's documents changed meanwhile; retry.".into())
                })
            }
        }
    }

    /// Writes `after` over `before` (the version read) with `extra` writes
    /// in the same transaction: the worker's results, a link. A file
    /// replaced here is held to the hard limits only: the owner's edits go
    /// through `edit`, which holds it to the plan. A document changed or
    /// deleted meanwhile is a 409 or a 404.
    pub async fn save(
        &self,
        before: &Document,
        after: &mut Document,
        extra: Vec<Write>,
    ) -> Result<Option<ObjectsPurge>, Error> {
        self.write(before, after, extra, HeldTo::Ceiling).await
    }

    /// The owner's edit of `before` into `after`: a file replaced (the old
    /// text goes, the counter takes the byte difference within the storage
    /// of `plan`, and the old object gets the purge marker returned).
    pub async fn edit(
        &self,
        before: &Document,
        after: &mut Document,
        plan: Option<&PlanGrant>,
    ) -> Result<Option<ObjectsPurge>, Error> {
        self.write(before, after, Vec::new(), HeldTo::Plan(plan))
            .await
    }

    async fn write(
        &self,
        before: &Document,
        after: &mut Document,
        extra: Vec<Write>,
        held: HeldTo<'_>,
    ) -> Result<Option<ObjectsPurge>, Error> {
        after.version = before.version + 1;
        after.updated_at = time::now();
        let mut tx = self.store.tx();
        tx.put(
            after.to_item()?,
            Expr::new()
                .condition("version = :version")
                .value(":version", n(before.version))
                .named(DOCUMENT_AS_READ),
        )?;
        let mut marker = None;
        let delta = after.file_size - before.file_size;
        if before.file_key != after.file_key {
            tx.delete(
                &keys::documents_pk(&before.owner_id),
                &keys::document_text_sk(&before.id),
                Expr::new(),
            )?;
            if delta != 0 {
                let limits = held.limits();
                tx.add(self.tx_counter(&before.owner_id, 0, delta, limits.as_ref())?);
            }
            let old = ObjectsPurge::keys(vec![before.file_key.clone()]);
            tx.add(self.store.purges().tx_mark(&old)?);
            marker = Some(old);
        }
        tx.extend(extra);
        match tx.commit().await {
            Ok(()) => Ok(marker),
            Err(WriteError::Conditions(refused)) if refused.has(STORAGE_LIMIT) => {
                Err(self.limit_error(&before.owner_id, (0, delta), held).await)
            }
            Err(WriteError::Conditions(refused)) if refused.has(DOCUMENT_AS_READ) => {
                Err(self.changed_or_gone(before).await)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// `after` over `before` as one write of another transaction (a
    /// maintenance recorded from the document links it in the same commit);
    /// `after` takes the next version.
    pub fn tx_save(&self, before: &Document, after: &mut Document) -> Result<Write, Error> {
        after.version = before.version + 1;
        after.updated_at = time::now();
        self.store.tx_put(
            after.to_item()?,
            Expr::new()
                .condition("version = :version")
                .value(":version", n(before.version))
                .named(DOCUMENT_AS_READ),
        )
    }

    async fn changed_or_gone(&self, before: &Document) -> Error {
        match self.get(&before.owner_id, &before.id).await {
            Ok(None) => Error::NotFound(Some("Document")),
            Ok(Some(_)) => Error::Conflict(
                "The document was changed by another request; reload and retry.".into(),
            ),
            Err(e) => e,
        }
    }

    /// Deletes a document (as read): its item, text, count and bytes, the
    /// vehicle's count, and marks its object for purging. Returns the
    /// marker, which the caller may purge at once.
    pub async fn delete(
        &self,
        document: &Document,
        vehicle: Option<&Vehicle>,
    ) -> Result<ObjectsPurge, Error> {
        let marker = ObjectsPurge::keys(vec![document.file_key.clone()]);
        let mut tx = self.store.tx();
        tx.delete(
            &keys::documents_pk(&document.owner_id),
            &keys::document_sk(&document.id),
            Expr::new()
                .condition("version = :version")
                .value(":version", n(document.version))
                .named(DOCUMENT_AS_READ),
        )?;
        tx.delete(
            &keys::documents_pk(&document.owner_id),
            &keys::document_text_sk(&document.id),
            Expr::new(),
        )?;
        tx.add(self.tx_counter(&document.owner_id, -1, -document.file_size, None)?);
        if let Some(vehicle) = vehicle {
            let effect = VehicleEffect {
                documents: -1,
                ..Default::default()
            };
            tx.extend(self.store.vehicles().tx_effect(vehicle, effect)?);
        }
        tx.add(self.store.purges().tx_mark(&marker)?);
        match tx.commit().await {
            Ok(()) => Ok(marker),
            Err(WriteError::Conditions(refused)) if refused.has(DOCUMENT_AS_READ) => {
                Err(self.changed_or_gone(document).await)
            }
            Err(WriteError::Conditions(_)) => Err(Error::Conflict(
                "The vehicle was changed by another request; reload and retry.".into(),
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// The deletes of a cascade (the vehicle or the account goes): every
    /// document's item and text, one counter move for all of them, and
    /// purge markers for their objects (100 keys each).
    pub fn tx_cascade_delete(
        &self,
        owner_id: &str,
        documents: &[Document],
    ) -> Result<Vec<Write>, Error> {
        if documents.is_empty() {
            return Ok(Vec::new());
        }
        let pk = keys::documents_pk(owner_id);
        let mut writes = Vec::new();
        for d in documents {
            writes.push(
                self.store
                    .tx_delete(&pk, &keys::document_sk(&d.id), Expr::new())?,
            );
            writes.push(
                self.store
                    .tx_delete(&pk, &keys::document_text_sk(&d.id), Expr::new())?,
            );
        }
        let bytes: i64 = documents.iter().map(|d| d.file_size).sum();
        writes.push(self.tx_counter(owner_id, -(documents.len() as i64), -bytes, None)?);
        let keys: Vec<String> = documents.iter().map(|d| d.file_key.clone()).collect();
        for chunk in keys.chunks(ObjectsPurge::MAX_KEYS) {
            writes.push(
                self.store
                    .purges()
                    .tx_mark(&ObjectsPurge::keys(chunk.to_vec()))?,
            );
        }
        Ok(writes)
    }

    /// The Put of an extracted text, for the worker's final transaction.
    pub fn tx_put_text(&self, text: &DocumentText) -> Result<Write, Error> {
        self.store.tx_put(text.to_item()?, Expr::new())
    }

    /// Every item of the partition's keys, for the account's deletion.
    /// (The texts are large: only the keys travel.)
    pub async fn all_keys(&self, owner_id: &str) -> Result<Vec<(String, String)>, Error> {
        self.store
            .partition_keys(&keys::documents_pk(owner_id))
            .await
    }
}

pub fn unknown_upload() -> Error {
    Error::field("upload_key", "Unknown or expired upload.")
}
