//! Notifications in their own partition per user, with a counter item
//! (`unread`, `total`) kept in the same transaction as every notification
//! it counts. At most `MAX_NOTIFICATIONS_KEPT` are kept: past it, the
//! oldest are dropped. Lists page inside DynamoDB (`Limit`,
//! `ExclusiveStartKey`), so no response grows with the history.

use aws_sdk_dynamodb::types::AttributeValue;

use super::keys;
use super::{from_item, n, s, Entity, Expr, Item, Store, Write, WriteError, MAX_TRANSACTION_ITEMS};
use crate::domain::limits::MAX_NOTIFICATIONS_KEPT;
use crate::domain::notifications::Notification;
use crate::error::Error;
use crate::time;

pub struct Notifications<'a> {
    store: &'a Store,
}

impl Store {
    pub fn notifications(&self) -> Notifications<'_> {
        Notifications { store: self }
    }
}

/// The counter item: what the partition holds, without reading it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub unread: i64,
    pub total: i64,
}

/// A whole inbox (bounded by the number kept): tests and small views.
#[derive(Debug, Default)]
pub struct Inbox {
    /// Oldest first (ids are time-ordered).
    pub notifications: Vec<Notification>,
    pub unread_count: i64,
}

/// Which notifications a list shows.
#[derive(Clone, Debug, Default)]
pub struct InboxFilter {
    pub is_read: Option<bool>,
    pub kind: Option<String>,
}

impl InboxFilter {
    fn expr(&self) -> Expr {
        let mut parts = Vec::new();
        let mut expr = Expr::new();
        if let Some(read) = self.is_read {
            parts.push("is_read = :is_read");
            expr = expr.value(":is_read", AttributeValue::Bool(read));
        }
        if let Some(kind) = &self.kind {
            parts.push("notification_type = :kind");
            expr = expr.value(":kind", s(kind));
        }
        if parts.is_empty() {
            expr
        } else {
            expr.condition(parts.join(" AND "))
        }
    }
}

impl Entity for Notification {
    const NAME: &'static str = keys::entity::NOTIFICATION;
    fn key(&self) -> (String, String) {
        (
            keys::notifications_pk(&self.user_id),
            keys::notification_sk(&self.id),
        )
    }
}

pub fn notification_item(notification: &Notification) -> Result<Item, Error> {
    notification.to_item()
}

fn bool_value(value: bool) -> AttributeValue {
    AttributeValue::Bool(value)
}

impl Notifications<'_> {
    /// Up to `size` notifications matching `filter`, newest first (or
    /// oldest first), after skipping `offset` of them. Reads pages of the
    /// partition from DynamoDB; never the whole history at once.
    pub async fn page(
        &self,
        user_id: &str,
        filter: &InboxFilter,
        newest_first: bool,
        offset: usize,
        size: usize,
    ) -> Result<Vec<Notification>, Error> {
        self.store
            .query_window(
                &keys::notifications_pk(user_id),
                keys::NOTIFICATION_PREFIX,
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

    /// The counter and every notification kept.
    pub async fn inbox(&self, user_id: &str) -> Result<Inbox, Error> {
        let everything = InboxFilter::default();
        let (counts, notifications) =
            tokio::try_join!(self.counts(user_id), self.all(user_id, &everything))?;
        Ok(Inbox {
            notifications,
            unread_count: counts.unread,
        })
    }

    /// How many notifications match `filter`: from the counter when it
    /// knows, else a COUNT query.
    pub async fn count(&self, user_id: &str, filter: &InboxFilter) -> Result<usize, Error> {
        if filter.kind.is_none() {
            let counts = self.counts(user_id).await?;
            let n = match filter.is_read {
                None => counts.total,
                Some(false) => counts.unread,
                Some(true) => counts.total - counts.unread,
            };
            return Ok(n.max(0) as usize);
        }
        self.store
            .count_matching(
                &keys::notifications_pk(user_id),
                keys::NOTIFICATION_PREFIX,
                &filter.expr(),
            )
            .await
    }

    /// Every notification matching `filter`, oldest first (bounded by the
    /// number kept): bulk changes and statistics.
    pub async fn all(
        &self,
        user_id: &str,
        filter: &InboxFilter,
    ) -> Result<Vec<Notification>, Error> {
        let limit = MAX_NOTIFICATIONS_KEPT as usize * 2;
        self.page(user_id, filter, false, 0, limit).await
    }

    pub async fn get(&self, user_id: &str, id: &str) -> Result<Option<Notification>, Error> {
        self.store
            .get(&keys::notifications_pk(user_id), &keys::notification_sk(id))
            .await?
            .map(from_item)
            .transpose()
    }

    /// The counter item alone (one GetItem).
    pub async fn counts(&self, user_id: &str) -> Result<Counts, Error> {
        Ok(self
            .store
            .get(
                &keys::notifications_pk(user_id),
                keys::NOTIFICATION_COUNTER_SK,
            )
            .await?
            .map_or(Counts::default(), |item| Counts {
                unread: counter_value(&item, "unread"),
                total: counter_value(&item, "total"),
            }))
    }

    /// The unread counter alone (one GetItem).
    pub async fn unread_count(&self, user_id: &str) -> Result<i64, Error> {
        Ok(self.counts(user_id).await?.unread)
    }

    fn tx_count(&self, user_id: &str, unread: i64, total: i64) -> Result<Write, Error> {
        self.store.tx_update(
            &keys::notifications_pk(user_id),
            keys::NOTIFICATION_COUNTER_SK,
            Expr::new()
                .update("SET #entity = :entity ADD unread :unread, #total :total")
                .name("#entity", keys::ENTITY)
                .name("#total", "total")
                .value(":entity", s(keys::entity::NOTIFICATION_COUNTER))
                .value(":unread", n(unread))
                .value(":total", n(total)),
        )
    }

    /// The writes creating `notification` and counting it, for a
    /// transaction that may carry more (the reminders run). Whoever commits
    /// them calls `trim` afterwards.
    pub fn tx_create(&self, notification: &Notification) -> Result<Vec<Write>, Error> {
        Ok(vec![
            self.store.tx_put(
                notification_item(notification)?,
                Expr::new().condition("attribute_not_exists(pk)"),
            )?,
            self.tx_count(&notification.user_id, i64::from(!notification.is_read), 1)?,
        ])
    }

    /// Creates the notification, then drops the oldest past the limit.
    pub async fn create(&self, notification: &Notification) -> Result<(), Error> {
        self.store
            .transact(self.tx_create(notification)?)
            .await
            .map_err(Error::from)?;
        self.trim(&notification.user_id).await?;
        Ok(())
    }

    /// Drops the oldest notifications beyond `MAX_NOTIFICATIONS_KEPT`
    /// (uncounting them in the same transactions); returns how many went.
    /// One GetItem when under the limit. Concurrent trims are safe: each
    /// delete holds only while the item is as read.
    pub async fn trim(&self, user_id: &str) -> Result<usize, Error> {
        let excess = self.counts(user_id).await?.total - MAX_NOTIFICATIONS_KEPT;
        if excess <= 0 {
            return Ok(0);
        }
        let oldest = self
            .page(user_id, &InboxFilter::default(), false, 0, excess as usize)
            .await?;
        self.delete_many(&oldest).await
    }

    /// The write moving `before` to `after` (read state only) if it is still
    /// as read, with the counter.
    fn tx_mark(&self, before: &Notification, after: &Notification) -> Result<Write, Error> {
        let mut expr = Expr::new()
            .condition("attribute_exists(pk) AND is_read = :was")
            .value(":was", bool_value(before.is_read))
            .value(":read", bool_value(after.is_read))
            .value(":now", s(time::format(&after.updated_at)));
        expr = match &after.read_at {
            Some(at) => expr
                .update("SET is_read = :read, read_at = :at, updated_at = :now")
                .value(":at", s(time::format(at))),
            None => expr.update("SET is_read = :read, updated_at = :now REMOVE read_at"),
        };
        self.store.tx_update(
            &keys::notifications_pk(&before.user_id),
            &keys::notification_sk(&before.id),
            expr,
        )
    }

    /// Marks read or unread; `false` when it was already in that state (or
    /// changed meanwhile: the caller re-reads).
    pub async fn mark(&self, before: &Notification, after: &Notification) -> Result<bool, Error> {
        if before.is_read == after.is_read {
            return Ok(false);
        }
        let delta = if after.is_read { -1 } else { 1 };
        let items = vec![
            self.tx_mark(before, after)?,
            self.tx_count(&before.user_id, delta, 0)?,
        ];
        match self.store.transact(items).await {
            Ok(()) => Ok(true),
            Err(WriteError::Conditions(_)) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Marks every given unread notification read, in transactions of up to
    /// 99 plus the counter; returns how many changed.
    pub async fn mark_all_read(
        &self,
        user_id: &str,
        unread: &[Notification],
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<usize, Error> {
        let mut changed = 0;
        for chunk in unread.chunks(MAX_TRANSACTION_ITEMS - 1) {
            let mut items = Vec::with_capacity(chunk.len() + 1);
            for before in chunk {
                items.push(self.tx_mark(before, &before.marked(true, at))?);
            }
            items.push(self.tx_count(user_id, -(chunk.len() as i64), 0)?);
            match self.store.transact(items).await {
                Ok(()) => changed += chunk.len(),
                // One changed meanwhile: fall back to one at a time.
                Err(WriteError::Conditions(_)) => {
                    for before in chunk {
                        if self.mark(before, &before.marked(true, at)).await? {
                            changed += 1;
                        }
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(changed)
    }

    /// Deletes one notification and uncounts it; `false` when it changed
    /// meanwhile (or is gone).
    pub async fn delete(&self, notification: &Notification) -> Result<bool, Error> {
        let items = vec![
            self.tx_delete(notification)?,
            self.tx_count(&notification.user_id, -i64::from(!notification.is_read), -1)?,
        ];
        match self.store.transact(items).await {
            Ok(()) => Ok(true),
            Err(WriteError::Conditions(_)) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    fn tx_delete(&self, notification: &Notification) -> Result<Write, Error> {
        self.store.tx_delete(
            &keys::notifications_pk(&notification.user_id),
            &keys::notification_sk(&notification.id),
            Expr::new()
                .condition("is_read = :was")
                .value(":was", bool_value(notification.is_read)),
        )
    }

    /// Deletes the given notifications of one user (each only while still
    /// as read, so the counters stay right), in transactions of up to 99
    /// plus the counter; returns how many went.
    pub async fn delete_many(&self, doomed: &[Notification]) -> Result<usize, Error> {
        let mut deleted = 0;
        for chunk in doomed.chunks(MAX_TRANSACTION_ITEMS - 1) {
            let Some(first) = chunk.first() else { break };
            let mut items = chunk
                .iter()
                .map(|n| self.tx_delete(n))
                .collect::<Result<Vec<_>, Error>>()?;
            let unread = chunk.iter().filter(|n| !n.is_read).count() as i64;
            items.push(self.tx_count(&first.user_id, -unread, -(chunk.len() as i64))?);
            match self.store.transact(items).await {
                Ok(()) => deleted += chunk.len(),
                Err(WriteError::Conditions(_)) => {
                    for n in chunk {
                        if self.delete(n).await? {
                            deleted += 1;
                        }
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(deleted)
    }

    /// Every key of the user's notifications partition (account deletion).
    pub async fn all_keys(&self, user_id: &str) -> Result<Vec<(String, String)>, Error> {
        let pk = keys::notifications_pk(user_id);
        Ok(self
            .store
            .query_prefix(&pk, "")
            .await?
            .iter()
            .filter_map(|item| item.get(keys::SK).and_then(|v| v.as_s().ok()).cloned())
            .map(|sk| (pk.clone(), sk))
            .collect())
    }
}

/// Reads through a page of at least this many items at a time.
const PAGE_READ: usize = 25;

/// The counter never shows below zero, whatever happened.
fn counter_value(item: &Item, name: &str) -> i64 {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(0)
        .max(0)
}
