//! Diagnostics and their replies in their owner's diagnostics partition
//! (`keys::diagnostics_pk`): the diagnostics, the account's counter, and
//! each reply twice (in its thread, and in the account's timeline of
//! replies), both written in one transaction.
//!
//! A new diagnostic moves the counter (with the account's limit as the
//! condition) and its vehicle's effect (the vehicle must still exist) in
//! the same transaction. Every change of a diagnostic, a reply's included
//! (its count and latest copy), is conditioned on the version read.

use super::billing::{self, Usage};
use super::{from_item, keys, n, s, Entity, Expr, Item, Store, Write, WriteError};
use crate::domain::diagnostics::{
    diagnostics_reached, Diagnostic, DiagnosticCounter, Reply, MAX_DIAGNOSTICS_PER_USER,
};
use crate::domain::plans::Limit;
use crate::domain::vehicles::Vehicle;
use crate::error::Error;
use crate::store::vehicles::{conditions::VEHICLE_EFFECT, VehicleEffect};
use crate::time;

/// Condition names of the diagnostics' writes.
pub const DIAGNOSTIC_LIMIT: &str = "diagnostic_limit";
pub const DIAGNOSTIC_AS_READ: &str = "diagnostic_as_read";
pub const NEW_DIAGNOSTIC: &str = "new_diagnostic";
pub const REPLY_AS_READ: &str = "reply_as_read";

/// Attempts of a create that loses a race on the counter or the vehicle to
/// another request of the same user (nothing was wrong with it).
const CONTENTION_ATTEMPTS: usize = 6;

/// Diagnostics deleted per transaction in a cascade (their replies go
/// first, in batches): with the counter, within DynamoDB's 100 writes.
const CASCADE_BATCH: usize = 90;

/// Replies read per Query page of `/api/replies/`.
const PAGE_READ: usize = 50;

pub struct Diagnostics<'a> {
    store: &'a Store,
}

impl Store {
    pub fn diagnostics(&self) -> Diagnostics<'_> {
        Diagnostics { store: self }
    }
}

impl Entity for Diagnostic {
    const NAME: &'static str = keys::entity::DIAGNOSTIC;
    fn key(&self) -> (String, String) {
        (
            keys::diagnostics_pk(&self.owner_id),
            keys::diagnostic_sk(&self.id),
        )
    }
}

/// The thread's copy of a reply; the account's copy is `timeline_item`.
impl Entity for Reply {
    const NAME: &'static str = keys::entity::DIAGNOSTIC_REPLY;
    fn key(&self) -> (String, String) {
        (
            keys::diagnostics_pk(&self.owner_id),
            keys::thread_reply_sk(&self.diagnostic_id, &self.id),
        )
    }
}

/// The account's copy of a reply (`REPLY#<id>`): the same fields.
fn timeline_item(reply: &Reply) -> Result<Item, Error> {
    let mut item = reply.to_item()?;
    item.insert(keys::SK.into(), s(keys::reply_sk(&reply.id)));
    item.insert(keys::ENTITY.into(), s(keys::entity::DIAGNOSTIC_REPLY_COPY));
    Ok(item)
}

/// What a write that queues an analysis found in the owner's month of AI
/// analyses (`billing::Usage::AiAnalyses`, counted in the same
/// transaction).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Analyses {
    /// Written, the analysis counted (or none to count).
    Counted,
    /// The plan's analyses of the month are used up: nothing was written.
    UsedUp,
}

/// Which replies `/api/replies/` lists.
#[derive(Clone, Debug, Default)]
pub struct ReplyFilter {
    /// One diagnostic's thread (its id), else every reply of the account.
    pub diagnostic: Option<String>,
    pub sender_type: Option<String>,
}

impl ReplyFilter {
    fn prefix(&self) -> String {
        match &self.diagnostic {
            Some(id) => keys::thread_prefix(id),
            None => keys::REPLY_PREFIX.to_string(),
        }
    }

    fn expr(&self) -> Expr {
        match &self.sender_type {
            Some(kind) => Expr::new()
                .condition("sender_type = :sender_type")
                .value(":sender_type", s(kind)),
            None => Expr::new(),
        }
    }
}

impl Diagnostics<'_> {
    /// Every diagnostic of the account, oldest first (one Query).
    pub async fn all(&self, owner_id: &str) -> Result<Vec<Diagnostic>, Error> {
        self.store
            .query_prefix(&keys::diagnostics_pk(owner_id), keys::DIAGNOSTIC_PREFIX)
            .await?
            .into_iter()
            .map(from_item)
            .collect()
    }

    pub async fn get(&self, owner_id: &str, id: &str) -> Result<Option<Diagnostic>, Error> {
        self.store
            .get(&keys::diagnostics_pk(owner_id), &keys::diagnostic_sk(id))
            .await?
            .map(from_item)
            .transpose()
    }

    pub async fn counter(&self, owner_id: &str) -> Result<DiagnosticCounter, Error> {
        Ok(self
            .store
            .get(&keys::diagnostics_pk(owner_id), keys::DIAGNOSTIC_COUNTER_SK)
            .await?
            .map(from_item)
            .transpose()?
            .unwrap_or_default())
    }

    /// One diagnostic's replies, oldest first (one Query).
    pub async fn thread(&self, owner_id: &str, id: &str) -> Result<Vec<Reply>, Error> {
        self.store
            .query_prefix(&keys::diagnostics_pk(owner_id), &keys::thread_prefix(id))
            .await?
            .into_iter()
            .map(from_item)
            .collect()
    }

    /// A diagnostic and its thread, read at the same time.
    pub async fn with_thread(
        &self,
        owner_id: &str,
        id: &str,
    ) -> Result<Option<(Diagnostic, Vec<Reply>)>, Error> {
        let (diagnostic, thread) =
            tokio::try_join!(self.get(owner_id, id), self.thread(owner_id, id))?;
        Ok(diagnostic.map(|d| (d, thread)))
    }

    /// One reply of the account by its id (its timeline copy).
    pub async fn reply(&self, owner_id: &str, reply_id: &str) -> Result<Option<Reply>, Error> {
        self.store
            .get(&keys::diagnostics_pk(owner_id), &keys::reply_sk(reply_id))
            .await?
            .map(from_item)
            .transpose()
    }

    /// Up to `size` replies matching `filter`, newest first (or oldest
    /// first), after `offset` of them: pages of the partition, never every
    /// reply of the account at once.
    pub async fn replies_page(
        &self,
        owner_id: &str,
        filter: &ReplyFilter,
        newest_first: bool,
        offset: usize,
        size: usize,
    ) -> Result<Vec<Reply>, Error> {
        self.store
            .query_window(
                &keys::diagnostics_pk(owner_id),
                &filter.prefix(),
                !newest_first,
                &filter.expr(),
                offset,
                size,
                PAGE_READ,
            )
            .await?
            .into_iter()
            .map(from_item)
            .collect()
    }

    /// How many replies match `filter` (a COUNT query).
    pub async fn replies_count(
        &self,
        owner_id: &str,
        filter: &ReplyFilter,
    ) -> Result<usize, Error> {
        self.store
            .count_matching(
                &keys::diagnostics_pk(owner_id),
                &filter.prefix(),
                &filter.expr(),
            )
            .await
    }

    /// The counter's move in a transaction; growth is conditioned on the
    /// account's limit.
    fn tx_counter(&self, owner_id: &str, delta: i64) -> Result<Write, Error> {
        let mut expr = Expr::new()
            .update("SET entity = :entity ADD #count :delta")
            .name("#count", "count")
            .value(":entity", s(keys::entity::DIAGNOSTIC_COUNTER))
            .value(":delta", n(delta));
        if delta > 0 {
            expr = expr
                .condition("attribute_not_exists(#count) OR #count <= :room")
                .value(":room", n(MAX_DIAGNOSTICS_PER_USER - delta))
                .named(DIAGNOSTIC_LIMIT);
        }
        self.store.tx_update(
            &keys::diagnostics_pk(owner_id),
            keys::DIAGNOSTIC_COUNTER_SK,
            expr,
        )
    }

    /// The month's usage write of an analysis queued by a write of
    /// `owner_id`'s (`analyses`: the plan's limit), when there is one.
    fn tx_analysis(&self, owner_id: &str, analyses: Option<Limit>) -> Result<Option<Write>, Error> {
        analyses
            .map(|limit| {
                self.store
                    .billing()
                    .tx_use(owner_id, Usage::AiAnalyses, limit, &time::now())
            })
            .transpose()
    }

    /// Stores a new diagnostic of `vehicle`: the item, the account's count
    /// and the vehicle's, all or nothing; with `analyses` (the plan's AI
    /// analyses a month), the diagnostic is queued and the month counts its
    /// analysis in the same transaction, or nothing is written when they
    /// are used up (`Analyses::UsedUp`).
    pub async fn create(
        &self,
        diagnostic: &Diagnostic,
        vehicle: &Vehicle,
        analyses: Option<Limit>,
    ) -> Result<Analyses, Error> {
        let effect = VehicleEffect {
            diagnostics: 1,
            ..Default::default()
        };
        let mut attempt = 0;
        loop {
            let mut tx = self.store.tx();
            tx.put(
                diagnostic.to_item()?,
                Expr::new()
                    .condition("attribute_not_exists(pk)")
                    .named(NEW_DIAGNOSTIC),
            )?;
            tx.add(self.tx_counter(&diagnostic.owner_id, 1)?);
            tx.extend(self.store.vehicles().tx_effect(vehicle, effect)?);
            tx.extend(self.tx_analysis(&diagnostic.owner_id, analyses)?);
            match tx.commit().await {
                Ok(()) => return Ok(Analyses::Counted),
                Err(e) if e.is_contention() && attempt + 1 < CONTENTION_ATTEMPTS => {
                    attempt += 1;
                    super::garages::backoff(attempt as u32).await;
                }
                Err(WriteError::Conditions(refused)) => {
                    if refused.has(DIAGNOSTIC_LIMIT) {
                        return Err(Error::non_field(diagnostics_reached()));
                    }
                    if refused.has(VEHICLE_EFFECT) {
                        return Err(self.store.vehicles().refusal(vehicle, effect).await);
                    }
                    if refused.has(billing::USAGE_LIMIT) {
                        return Ok(Analyses::UsedUp);
                    }
                    return Err(Error::Conflict(format!(
                        "concurrent change ({refused}), please retry"
                    )));
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// `after` over `before` (the version read), with `extra` writes in
    /// the same transaction (a reply, a notification). A diagnostic
    /// changed or deleted meanwhile is a 409 or a 404.
    pub async fn save(
        &self,
        before: &Diagnostic,
        after: &mut Diagnostic,
        extra: Vec<Write>,
    ) -> Result<(), Error> {
        self.save_queued(before, after, extra, None)
            .await
            .map(|_| ())
    }

    /// `save` of an `after` queued for a new analysis, which the month of
    /// the owner's AI analyses counts within `analyses` (the plan's limit)
    /// in the same transaction; nothing is written when they are used up
    /// (`Analyses::UsedUp`). None: `save`.
    pub async fn save_queued(
        &self,
        before: &Diagnostic,
        after: &mut Diagnostic,
        extra: Vec<Write>,
        analyses: Option<Limit>,
    ) -> Result<Analyses, Error> {
        let mut tx = self.store.tx();
        tx.add(self.tx_save(before, after)?);
        tx.extend(extra);
        tx.extend(self.tx_analysis(&before.owner_id, analyses)?);
        match tx.commit().await {
            Ok(()) => Ok(Analyses::Counted),
            Err(WriteError::Conditions(refused)) if refused.has(DIAGNOSTIC_AS_READ) => {
                Err(self.changed_or_gone(before).await)
            }
            Err(WriteError::Conditions(refused)) if refused.has(billing::USAGE_LIMIT) => {
                Ok(Analyses::UsedUp)
            }
            Err(WriteError::Conditions(refused)) => Err(Error::Conflict(format!(
                "concurrent change ({refused}), please retry"
            ))),
            Err(e) => Err(e.into()),
        }
    }

    /// `after` over `before` as one write of a transaction; `after` takes
    /// the next version.
    pub fn tx_save(&self, before: &Diagnostic, after: &mut Diagnostic) -> Result<Write, Error> {
        after.version = before.version + 1;
        after.updated_at = time::now();
        self.store.tx_put(
            after.to_item()?,
            Expr::new()
                .condition("version = :version")
                .value(":version", n(before.version))
                .named(DIAGNOSTIC_AS_READ),
        )
    }

    async fn changed_or_gone(&self, before: &Diagnostic) -> Error {
        match self.get(&before.owner_id, &before.id).await {
            Ok(None) => Error::NotFound(Some("Diagnostic")),
            Ok(Some(_)) => Error::Conflict(
                "The diagnostic was changed by another request; reload and retry.".into(),
            ),
            Err(e) => e,
        }
    }

    /// The Puts of a new reply: its thread copy and its timeline copy.
    pub fn tx_put_reply(&self, reply: &Reply) -> Result<Vec<Write>, Error> {
        Ok(vec![
            self.store.tx_put(
                reply.to_item()?,
                Expr::new().condition("attribute_not_exists(pk)"),
            )?,
            self.store.tx_put(
                timeline_item(reply)?,
                Expr::new().condition("attribute_not_exists(pk)"),
            )?,
        ])
    }

    /// Replaces a reply's copies with `after` if nobody changed it since
    /// `before` was read; `diagnostic` takes the writes that keep its
    /// latest copy right.
    pub async fn edit_reply(
        &self,
        before: &Reply,
        after: &Reply,
        diagnostic: Option<(&Diagnostic, &mut Diagnostic)>,
    ) -> Result<(), Error> {
        let as_read = Expr::new()
            .condition("updated_at = :read")
            .value(":read", s(time::format(&before.updated_at)))
            .named(REPLY_AS_READ);
        let mut tx = self.store.tx();
        tx.put(after.to_item()?, as_read.clone())?;
        tx.put(timeline_item(after)?, as_read)?;
        if let Some((before_d, after_d)) = diagnostic {
            tx.add(self.tx_save(before_d, after_d)?);
        }
        self.commit_reply_change(tx).await
    }

    /// Deletes a reply's copies; `diagnostic` takes its count and latest
    /// copy in the same transaction.
    pub async fn delete_reply(
        &self,
        reply: &Reply,
        diagnostic: (&Diagnostic, &mut Diagnostic),
    ) -> Result<(), Error> {
        let as_read = Expr::new()
            .condition("updated_at = :read")
            .value(":read", s(time::format(&reply.updated_at)))
            .named(REPLY_AS_READ);
        let pk = keys::diagnostics_pk(&reply.owner_id);
        let mut tx = self.store.tx();
        tx.delete(
            &pk,
            &keys::thread_reply_sk(&reply.diagnostic_id, &reply.id),
            as_read,
        )?;
        tx.delete(&pk, &keys::reply_sk(&reply.id), Expr::new())?;
        tx.add(self.tx_save(diagnostic.0, diagnostic.1)?);
        self.commit_reply_change(tx).await
    }

    async fn commit_reply_change(&self, tx: super::Tx<'_>) -> Result<(), Error> {
        match tx.commit().await {
            Ok(()) => Ok(()),
            Err(WriteError::Conditions(_)) => Err(Error::Conflict(
                "The reply or its diagnostic was changed by another request; reload and retry."
                    .into(),
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// The keys of a thread's replies, both copies.
    async fn thread_keys(&self, owner_id: &str, id: &str) -> Result<Vec<(String, String)>, Error> {
        let pk = keys::diagnostics_pk(owner_id);
        let mut doomed = Vec::new();
        for reply in self.thread(owner_id, id).await? {
            doomed.push((pk.clone(), keys::thread_reply_sk(id, &reply.id)));
            doomed.push((pk.clone(), keys::reply_sk(&reply.id)));
        }
        Ok(doomed)
    }

    /// Deletes a diagnostic (as read) with its replies: the diagnostic and
    /// the counts first, in one transaction at its version, then its thread.
    /// Once the diagnostic is gone no reply can join the thread (every
    /// reply's and answer's write is conditioned on its version), so the
    /// thread read after it is complete; a failure part way leaves replies
    /// of no diagnostic, which `delete_orphan_reply` removes.
    pub async fn delete(
        &self,
        diagnostic: &Diagnostic,
        vehicle: Option<&Vehicle>,
    ) -> Result<(), Error> {
        let mut tx = self.store.tx();
        tx.delete(
            &keys::diagnostics_pk(&diagnostic.owner_id),
            &keys::diagnostic_sk(&diagnostic.id),
            Expr::new()
                .condition("version = :version")
                .value(":version", n(diagnostic.version))
                .named(DIAGNOSTIC_AS_READ),
        )?;
        tx.add(self.tx_counter(&diagnostic.owner_id, -1)?);
        if let Some(vehicle) = vehicle {
            let effect = VehicleEffect {
                diagnostics: -1,
                ..Default::default()
            };
            tx.extend(self.store.vehicles().tx_effect(vehicle, effect)?);
        }
        match tx.commit().await {
            Ok(()) => {}
            Err(WriteError::Conditions(refused)) if refused.has(DIAGNOSTIC_AS_READ) => {
                return Err(self.changed_or_gone(diagnostic).await)
            }
            Err(WriteError::Conditions(_)) => {
                return Err(Error::Conflict(
                    "The vehicle was changed by another request; reload and retry.".into(),
                ))
            }
            Err(e) => return Err(e.into()),
        }
        let replies = self
            .thread_keys(&diagnostic.owner_id, &diagnostic.id)
            .await?;
        self.store.delete_keys(replies).await
    }

    /// Both copies of a reply whose diagnostic is gone (a delete that
    /// failed part way).
    pub async fn delete_orphan_reply(&self, reply: &Reply) -> Result<(), Error> {
        let pk = keys::diagnostics_pk(&reply.owner_id);
        self.store
            .delete_keys(vec![
                (
                    pk.clone(),
                    keys::thread_reply_sk(&reply.diagnostic_id, &reply.id),
                ),
                (pk, keys::reply_sk(&reply.id)),
            ])
            .await
    }

    /// A vehicle's cascade: the diagnostics with the account's count, in
    /// batches, each diagnostic at its version (one deleted or answered
    /// meanwhile is read again, and the count moves only by what goes);
    /// then their threads (complete once their diagnostics are gone).
    pub async fn cascade_delete(
        &self,
        owner_id: &str,
        diagnostics: &[Diagnostic],
    ) -> Result<(), Error> {
        let pk = keys::diagnostics_pk(owner_id);
        for batch in diagnostics.chunks(CASCADE_BATCH) {
            let mut doomed: Vec<Diagnostic> = batch.to_vec();
            let mut attempt = 0;
            loop {
                if doomed.is_empty() {
                    break;
                }
                let mut writes = Vec::with_capacity(doomed.len() + 1);
                for d in &doomed {
                    writes.push(
                        self.store.tx_delete(
                            &pk,
                            &keys::diagnostic_sk(&d.id),
                            Expr::new()
                                .condition("version = :version")
                                .value(":version", n(d.version))
                                .named(DIAGNOSTIC_AS_READ),
                        )?,
                    );
                }
                writes.push(self.tx_counter(owner_id, -(doomed.len() as i64))?);
                match self.store.transact(writes).await {
                    Ok(()) => break,
                    Err(e) if (e.is_condition() || e.is_contention()) && attempt < 3 => {
                        attempt += 1;
                        let mut current = Vec::with_capacity(doomed.len());
                        for d in &doomed {
                            if let Some(now) = self.get(owner_id, &d.id).await? {
                                current.push(now);
                            }
                        }
                        doomed = current;
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            for d in batch {
                let replies = self.thread_keys(owner_id, &d.id).await?;
                self.store.delete_keys(replies).await?;
            }
        }
        Ok(())
    }

    /// Every item of the partition's keys, for the account's deletion.
    pub async fn all_keys(&self, owner_id: &str) -> Result<Vec<(String, String)>, Error> {
        self.store
            .partition_keys(&keys::diagnostics_pk(owner_id))
            .await
    }
}
