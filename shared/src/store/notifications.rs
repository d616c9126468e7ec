//! Notifications in their own partition per user, with an unread counter
//! item kept in the same transaction as every change of `is_read`.

use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};

use super::keys;
use super::{from_item, n, s, to_item, Expr, Item, Store, WriteError, MAX_TRANSACTION_ITEMS};
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

/// Everything of one user's notifications partition.
#[derive(Debug, Default)]
pub struct Inbox {
    /// Oldest first (ids are time-ordered).
    pub notifications: Vec<Notification>,
    pub unread_count: i64,
}

fn notification_item(notification: &Notification) -> Result<Item, Error> {
    let mut item = to_item(notification)?;
    item.insert(
        keys::PK.into(),
        s(keys::notifications_pk(&notification.user_id)),
    );
    item.insert(keys::SK.into(), s(keys::notification_sk(&notification.id)));
    item.insert(keys::ENTITY.into(), s(keys::entity::NOTIFICATION));
    Ok(item)
}

fn bool_value(value: bool) -> AttributeValue {
    AttributeValue::Bool(value)
}

impl Notifications<'_> {
    /// The counter and every notification: one Query.
    pub async fn inbox(&self, user_id: &str) -> Result<Inbox, Error> {
        let mut inbox = Inbox::default();
        for item in self
            .store
            .query_prefix(&keys::notifications_pk(user_id), "")
            .await?
        {
            let sk = item.get(keys::SK).and_then(|v| v.as_s().ok());
            if sk.is_some_and(|sk| sk == keys::NOTIFICATION_COUNTER_SK) {
                inbox.unread_count = counter_value(&item);
            } else {
                inbox.notifications.push(from_item(item)?);
            }
        }
        Ok(inbox)
    }

    pub async fn get(&self, user_id: &str, id: &str) -> Result<Option<Notification>, Error> {
        self.store
            .get(&keys::notifications_pk(user_id), &keys::notification_sk(id))
            .await?
            .map(from_item)
            .transpose()
    }

    /// The unread counter alone (one GetItem).
    pub async fn unread_count(&self, user_id: &str) -> Result<i64, Error> {
        Ok(self
            .store
            .get(
                &keys::notifications_pk(user_id),
                keys::NOTIFICATION_COUNTER_SK,
            )
            .await?
            .map_or(0, |item| counter_value(&item)))
    }

    fn tx_count(&self, user_id: &str, delta: i64) -> Result<TransactWriteItem, Error> {
        self.store.tx_update(
            &keys::notifications_pk(user_id),
            keys::NOTIFICATION_COUNTER_SK,
            Expr::new()
                .update("SET #entity = :entity ADD unread :delta")
                .name("#entity", keys::ENTITY)
                .value(":entity", s(keys::entity::NOTIFICATION_COUNTER))
                .value(":delta", n(delta)),
        )
    }

    /// The writes creating `notification` (unread) and counting it, for a
    /// transaction that may carry more (the reminders run).
    pub fn tx_create(&self, notification: &Notification) -> Result<Vec<TransactWriteItem>, Error> {
        let mut items = vec![self.store.tx_put(
            notification_item(notification)?,
            Expr::new().condition("attribute_not_exists(pk)"),
        )?];
        if !notification.is_read {
            items.push(self.tx_count(&notification.user_id, 1)?);
        }
        Ok(items)
    }

    pub async fn create(&self, notification: &Notification) -> Result<(), Error> {
        self.store
            .transact(self.tx_create(notification)?)
            .await
            .map_err(Error::from)
    }

    /// The write moving `before` to `after` (read state only) if it is still
    /// as read, with the counter.
    fn tx_mark(
        &self,
        before: &Notification,
        after: &Notification,
    ) -> Result<TransactWriteItem, Error> {
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
            self.tx_count(&before.user_id, delta)?,
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
            items.push(self.tx_count(user_id, -(chunk.len() as i64))?);
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

    /// Deletes one notification (uncounting it when unread); `false` when it
    /// changed meanwhile.
    pub async fn delete(&self, notification: &Notification) -> Result<bool, Error> {
        let mut items = vec![self.tx_delete(notification)?];
        if !notification.is_read {
            items.push(self.tx_count(&notification.user_id, -1)?);
        }
        match self.store.transact(items).await {
            Ok(()) => Ok(true),
            Err(WriteError::Conditions(_)) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    fn tx_delete(&self, notification: &Notification) -> Result<TransactWriteItem, Error> {
        self.store.tx_delete(
            &keys::notifications_pk(&notification.user_id),
            &keys::notification_sk(&notification.id),
            Expr::new()
                .condition("is_read = :was")
                .value(":was", bool_value(notification.is_read)),
        )
    }

    /// Deletes the given read notifications (still read when deleted, so the
    /// counter stays right); returns how many went.
    pub async fn delete_read(&self, read: &[Notification]) -> Result<usize, Error> {
        let mut deleted = 0;
        for chunk in read.chunks(MAX_TRANSACTION_ITEMS) {
            let items = chunk
                .iter()
                .map(|n| self.tx_delete(n))
                .collect::<Result<Vec<_>, Error>>()?;
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

/// The counter never shows below zero, whatever happened.
fn counter_value(item: &Item) -> i64 {
    item.get("unread")
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(0)
        .max(0)
}
