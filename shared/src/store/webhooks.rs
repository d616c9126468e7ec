//! Stripe's webhook events: the guard at the event's id (`processed` once
//! its effects are committed, in their transaction) and the admin log
//! partition (`keys::WEBHOOK_EVENTS_PK`, arrival order), both written
//! together. A TTL removes both after `EVENTS_KEPT_DAYS`.

use serde::{Deserialize, Serialize};

use super::{from_item, keys, n, s, Attr, Expr, Item, Store, Write};
use crate::domain::webhooks::WebhookEvent;
use crate::error::Error;
use crate::store::to_item;

/// The guard shows the event unprocessed (or absent): its effects may
/// be committed. Refused: another delivery of it got there first.
pub const EVENT_UNPROCESSED: &str = "event_unprocessed";

/// Log entries read per Query page of the admin list.
const PAGE_READ: usize = 100;

/// The guard at the event's id: where its log entry is, and whether its
/// effects are in.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct EventGuard {
    pub log_sk: String,
    pub processed: bool,
}

pub struct Webhooks<'a> {
    store: &'a Store,
}

impl Store {
    pub fn webhooks(&self) -> Webhooks<'_> {
        Webhooks { store: self }
    }
}

/// Admin list filters (spec 11.2.2).
#[derive(Clone, Debug, Default)]
pub struct EventFilter {
    pub event_type: Option<String>,
    pub source: Option<String>,
    pub processed: Option<bool>,
    pub errors_only: bool,
}

impl EventFilter {
    fn expr(&self) -> Expr {
        let mut parts = Vec::new();
        let mut expr = Expr::new();
        if let Some(t) = &self.event_type {
            parts.push("event_type = :type");
            expr = expr.value(":type", s(t));
        }
        if let Some(source) = &self.source {
            parts.push("#source = :source");
            expr = expr.name("#source", "source").value(":source", s(source));
        }
        if let Some(p) = self.processed {
            parts.push("#processed = :processed");
            expr = expr
                .name("#processed", "processed")
                .value(":processed", Attr::Bool(p));
        }
        if self.errors_only {
            parts.push("attribute_exists(error_message)");
        }
        if parts.is_empty() {
            expr
        } else {
            expr.condition(parts.join(" AND "))
        }
    }
}

impl Webhooks<'_> {
    pub async fn guard(&self, event_id: &str) -> Result<Option<EventGuard>, Error> {
        let (pk, sk) = keys::webhook_event_guard(event_id);
        self.store.get(&pk, &sk).await?.map(from_item).transpose()
    }

    /// An event by Stripe's id (the guard, then its log entry).
    pub async fn get(&self, event_id: &str) -> Result<Option<WebhookEvent>, Error> {
        let Some(guard) = self.guard(event_id).await? else {
            return Ok(None);
        };
        self.store
            .get(keys::WEBHOOK_EVENTS_PK, &guard.log_sk)
            .await?
            .map(from_item)
            .transpose()
    }

    /// The event's record and guard as `event` says, for the transaction
    /// of its effects: refused (`EVENT_UNPROCESSED`) when a delivery
    /// already committed them.
    pub fn tx_record(&self, event: &WebhookEvent) -> Result<Vec<Write>, Error> {
        let log_sk = keys::webhook_event_sk(&event.created_at, &event.id);
        let mut log = to_item(event)?;
        log.insert(keys::PK.into(), s(keys::WEBHOOK_EVENTS_PK));
        log.insert(keys::SK.into(), s(&log_sk));
        log.insert(keys::ENTITY.into(), s(keys::entity::WEBHOOK_EVENT));
        log.insert(keys::EXPIRES_AT.into(), n(event.expires_at()));
        let (pk, sk) = keys::webhook_event_guard(&event.id);
        let mut guard: Item = to_item(&EventGuard {
            log_sk,
            processed: event.processed,
        })?;
        guard.insert(keys::PK.into(), s(pk));
        guard.insert(keys::SK.into(), s(sk));
        guard.insert(keys::ENTITY.into(), s(keys::entity::WEBHOOK_GUARD));
        guard.insert(keys::EXPIRES_AT.into(), n(event.expires_at()));
        Ok(vec![
            self.store.tx_put(
                guard,
                Expr::new()
                    .condition("attribute_not_exists(pk) OR #processed = :no")
                    .name("#processed", "processed")
                    .value(":no", Attr::Bool(false))
                    .named(EVENT_UNPROCESSED),
            )?,
            self.store.tx_put(log, Expr::new())?,
        ])
    }

    /// How many log entries match (a COUNT query).
    pub async fn count(&self, filter: &EventFilter) -> Result<usize, Error> {
        self.store
            .count_matching(
                keys::WEBHOOK_EVENTS_PK,
                keys::WEBHOOK_EVENT_PREFIX,
                &filter.expr(),
            )
            .await
    }

    /// Up to `size` matching entries, newest first, after `offset`.
    pub async fn window(
        &self,
        filter: &EventFilter,
        offset: usize,
        size: usize,
    ) -> Result<Vec<WebhookEvent>, Error> {
        self.store
            .query_window(
                keys::WEBHOOK_EVENTS_PK,
                keys::WEBHOOK_EVENT_PREFIX,
                false,
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
}
