//! Subscriptions, the Stripe customer and the month's usage in their
//! owner's billing partition (`keys::billing_pk`), and the global locators
//! that lead Stripe's ids back to them.
//!
//! At most one subscription is current (`CURRENT` names it, created with
//! a condition). Every change of a subscription is one transaction built
//! by `tx_transition` from the state read and the state wanted: the
//! subscription at its version, `CURRENT`, the plans' subscriber counts,
//! the grant on the owner's profile (the limits every create reads with
//! the user) and the locator of a new Stripe id, so none of them can
//! disagree with another.

use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};

use super::{from_item, keys, n, s, Attr, Entity, Expr, Item, Store, Write, WriteError};
use crate::domain::plans::{Limit, Plan, PlanGrant};
use crate::domain::subscriptions::Subscription;
use crate::error::Error;
use crate::store::to_item;

/// Condition names of the billing writes.
pub const SUBSCRIPTION_AS_READ: &str = "subscription_as_read";
pub const NEW_SUBSCRIPTION: &str = "new_subscription";
/// `CURRENT` is free (or already names this subscription).
pub const CURRENT_FREE: &str = "current_free";
/// `CURRENT` still names the subscription leaving it.
pub const CURRENT_HELD: &str = "current_held";
pub const PLAN_AVAILABLE: &str = "plan_available";
pub const PLAN_EXISTS: &str = "plan_exists";
pub const CUSTOMER_FREE: &str = "customer_free";
pub const OWNER_EXISTS: &str = "owner_exists";
pub const USAGE_LIMIT: &str = "usage_limit";

/// Months a usage counter is kept (a TTL removes it after).
const USAGE_KEPT_DAYS: i64 = 400;

impl Entity for Subscription {
    const NAME: &'static str = keys::entity::SUBSCRIPTION;
    fn key(&self) -> (String, String) {
        (
            keys::billing_pk(&self.owner_id),
            keys::subscription_sk(&self.id),
        )
    }
}

/// Where a Stripe subscription id leads.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct SubscriptionLocator {
    pub owner_id: String,
    pub subscription_id: String,
}

/// The month's counters of the usage quotas (`USAGE#<yyyy-mm>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Usage {
    AiAnalyses,
    AssistantMessages,
    Maintenances,
}

impl Usage {
    fn attribute(self) -> &'static str {
        match self {
            Usage::AiAnalyses => "ai_analyses",
            Usage::AssistantMessages => "assistant_messages",
            Usage::Maintenances => "maintenances",
        }
    }
}

/// The usage month of `at`: `2026-11` (UTC).
pub fn usage_month(at: &DateTime<Utc>) -> String {
    format!("{:04}-{:02}", at.year(), at.month())
}

pub struct Billing<'a> {
    store: &'a Store,
}

impl Store {
    pub fn billing(&self) -> Billing<'_> {
        Billing { store: self }
    }
}

fn plan_count(store: &Store, plan_id: &str, delta: i64, available: bool) -> Result<Write, Error> {
    let mut expr = Expr::new()
        .update("ADD subscribers :delta, version :one")
        .value(":delta", n(delta))
        .value(":one", n(1));
    expr = if available {
        expr.condition("attribute_exists(pk) AND is_active = :yes")
            .value(":yes", Attr::Bool(true))
            .named(PLAN_AVAILABLE)
    } else {
        expr.condition("attribute_exists(pk)").named(PLAN_EXISTS)
    };
    store.tx_update(keys::PLANS_PK, &keys::plan_sk(plan_id), expr)
}

fn current_item(subscription: &Subscription) -> Item {
    Item::from([
        (keys::PK.into(), s(keys::billing_pk(&subscription.owner_id))),
        (keys::SK.into(), s(keys::BILLING_CURRENT_SK)),
        (keys::ENTITY.into(), s(keys::entity::BILLING_CURRENT)),
        ("subscription_id".into(), s(&subscription.id)),
    ])
}

fn locator_item(pk: String, sk: String, fields: &[(&str, &str)]) -> Item {
    let mut item = Item::from([
        (keys::PK.into(), s(pk)),
        (keys::SK.into(), s(sk)),
        (keys::ENTITY.into(), s(keys::entity::STRIPE_LOCATOR)),
    ]);
    for (k, v) in fields {
        item.insert((*k).into(), s(*v));
    }
    item
}

impl Billing<'_> {
    /// Every subscription of the owner, oldest first (one Query).
    pub async fn subscriptions(&self, owner_id: &str) -> Result<Vec<Subscription>, Error> {
        self.store
            .query_prefix(&keys::billing_pk(owner_id), keys::SUBSCRIPTION_PREFIX)
            .await?
            .into_iter()
            .map(from_item)
            .collect()
    }

    pub async fn get(&self, owner_id: &str, id: &str) -> Result<Option<Subscription>, Error> {
        self.store
            .get(&keys::billing_pk(owner_id), &keys::subscription_sk(id))
            .await?
            .map(from_item)
            .transpose()
    }

    /// The owner's Stripe customer id, once created.
    pub async fn customer(&self, owner_id: &str) -> Result<Option<String>, Error> {
        Ok(self
            .store
            .get(&keys::billing_pk(owner_id), keys::BILLING_CUSTOMER_SK)
            .await?
            .and_then(|item| match item.get("stripe_customer_id") {
                Some(Attr::S(id)) => Some(id.clone()),
                _ => None,
            }))
    }

    /// Who a Stripe customer is.
    pub async fn customer_owner(&self, customer_id: &str) -> Result<Option<String>, Error> {
        let (pk, sk) = keys::stripe_customer_locator(customer_id);
        Ok(self
            .store
            .get(&pk, &sk)
            .await?
            .and_then(|item| match item.get("owner_id") {
                Some(Attr::S(id)) => Some(id.clone()),
                _ => None,
            }))
    }

    /// Where a Stripe subscription leads.
    pub async fn locate(
        &self,
        stripe_subscription_id: &str,
    ) -> Result<Option<SubscriptionLocator>, Error> {
        let (pk, sk) = keys::stripe_subscription_locator(stripe_subscription_id);
        self.store.get(&pk, &sk).await?.map(from_item).transpose()
    }

    /// The customer's record and locator, created once: a second writer
    /// with the same id is harmless, another id is refused
    /// (`CUSTOMER_FREE`).
    pub fn tx_customer(&self, owner_id: &str, customer_id: &str) -> Result<Vec<Write>, Error> {
        let record = Item::from([
            (keys::PK.into(), s(keys::billing_pk(owner_id))),
            (keys::SK.into(), s(keys::BILLING_CUSTOMER_SK)),
            (keys::ENTITY.into(), s(keys::entity::BILLING_CUSTOMER)),
            ("stripe_customer_id".into(), s(customer_id)),
        ]);
        let (pk, sk) = keys::stripe_customer_locator(customer_id);
        Ok(vec![
            self.store.tx_put(
                record,
                Expr::new()
                    .condition("attribute_not_exists(pk) OR stripe_customer_id = :id")
                    .value(":id", s(customer_id))
                    .named(CUSTOMER_FREE),
            )?,
            self.store.tx_put(
                locator_item(pk, sk, &[("owner_id", owner_id)]),
                Expr::new()
                    .condition("attribute_not_exists(pk) OR owner_id = :owner")
                    .value(":owner", s(owner_id))
                    .named(CUSTOMER_FREE),
            )?,
        ])
    }

    /// Forgets a customer Stripe deleted (its record and locator).
    pub fn tx_forget_customer(
        &self,
        owner_id: &str,
        customer_id: &str,
    ) -> Result<Vec<Write>, Error> {
        let (pk, sk) = keys::stripe_customer_locator(customer_id);
        Ok(vec![
            self.store.tx_delete(
                &keys::billing_pk(owner_id),
                keys::BILLING_CUSTOMER_SK,
                Expr::new()
                    .condition("attribute_not_exists(pk) OR stripe_customer_id = :id")
                    .value(":id", s(customer_id))
                    .named(CUSTOMER_FREE),
            )?,
            self.store.tx_delete(&pk, &sk, Expr::new())?,
        ])
    }

    /// A new subscription (a checkout started): it becomes the current one
    /// (refused by `CURRENT_FREE` when another is), and its plan, which
    /// must be active (`PLAN_AVAILABLE`), counts it. `replacing`: an
    /// abandoned checkout of the owner (`incomplete`) that gives way, ended
    /// in the same transaction.
    pub fn tx_start(
        &self,
        subscription: &Subscription,
        replacing: Option<(&Subscription, &Subscription)>,
    ) -> Result<Vec<Write>, Error> {
        let mut writes = vec![self.store.tx_put(
            subscription.to_item()?,
            Expr::new()
                .condition("attribute_not_exists(pk)")
                .named(NEW_SUBSCRIPTION),
        )?];
        let current = match replacing {
            Some((before, after)) => {
                writes.push(self.tx_save(before, after)?);
                // The same plan again: one write (its count does not move).
                if before.plan_id != subscription.plan_id {
                    writes.push(plan_count(self.store, &before.plan_id, -1, false)?);
                }
                Expr::new()
                    .condition("subscription_id = :old")
                    .value(":old", s(&before.id))
                    .named(CURRENT_FREE)
            }
            None => Expr::new()
                .condition("attribute_not_exists(pk)")
                .named(CURRENT_FREE),
        };
        writes.push(self.store.tx_put(current_item(subscription), current)?);
        let same_plan = replacing.is_some_and(|(b, _)| b.plan_id == subscription.plan_id);
        writes.push(plan_count(
            self.store,
            &subscription.plan_id,
            if same_plan { 0 } else { 1 },
            true,
        )?);
        // One write of the stats item (a transaction touches an item once).
        let mut changes = vec![(None, Some(subscription))];
        if let Some((before, after)) = replacing {
            changes.push((Some(before), Some(after)));
        }
        writes.extend(self.tx_stats(&changes)?);
        Ok(writes)
    }

    /// The subscription's Put at the version read.
    fn tx_save(&self, before: &Subscription, after: &Subscription) -> Result<Write, Error> {
        let mut after = after.clone();
        after.version = before.version + 1;
        self.store.tx_put(
            after.to_item()?,
            Expr::new()
                .condition("attribute_exists(pk) AND version = :read")
                .value(":read", n(before.version))
                .named(SUBSCRIPTION_AS_READ),
        )
    }

    /// Everything a change from `before` to `after` moves: the
    /// subscription at its version, `CURRENT`, the plans' counts, the
    /// owner's grant (`plan`: the plan `after` names), a new Stripe id's
    /// locator. `after.version` is set by the write.
    pub fn tx_transition(
        &self,
        before: &Subscription,
        after: &Subscription,
        plan: Option<&Plan>,
    ) -> Result<Vec<Write>, Error> {
        let store = self.store;
        let mut writes = vec![self.tx_save(before, after)?];
        writes.extend(self.tx_stats(&[(Some(before), Some(after))])?);
        match (before.is_current(), after.is_current()) {
            (true, false) => {
                writes.push(
                    store.tx_delete(
                        &keys::billing_pk(&before.owner_id),
                        keys::BILLING_CURRENT_SK,
                        Expr::new()
                            .condition("subscription_id = :id")
                            .value(":id", s(&before.id))
                            .named(CURRENT_HELD),
                    )?,
                );
                writes.push(plan_count(store, &before.plan_id, -1, false)?);
            }
            (false, true) => {
                writes.push(
                    store.tx_put(
                        current_item(after),
                        Expr::new()
                            .condition("attribute_not_exists(pk) OR subscription_id = :id")
                            .value(":id", s(&after.id))
                            .named(CURRENT_FREE),
                    )?,
                );
                writes.push(plan_count(store, &after.plan_id, 1, false)?);
            }
            (true, true) if before.plan_id != after.plan_id => {
                writes.push(plan_count(store, &before.plan_id, -1, false)?);
                writes.push(plan_count(store, &after.plan_id, 1, false)?);
            }
            _ => {}
        }
        let grant = match (after.grants_plan(), plan) {
            (true, Some(plan)) => Some(Some(PlanGrant::of(plan))),
            (true, None) => None,
            (false, _) if before.grants_plan() => Some(None),
            (false, _) => None,
        };
        if let Some(grant) = grant {
            writes.push(self.tx_grant(&after.owner_id, grant.as_ref())?);
        }
        if let Some(id) = &after.stripe_subscription_id {
            if before.stripe_subscription_id.as_deref() != Some(id) {
                let (pk, sk) = keys::stripe_subscription_locator(id);
                let locator = SubscriptionLocator {
                    owner_id: after.owner_id.clone(),
                    subscription_id: after.id.clone(),
                };
                let mut item = to_item(&locator)?;
                item.extend(locator_item(pk, sk, &[]));
                writes.push(store.tx_put(item, Expr::new())?);
            }
        }
        Ok(writes)
    }

    /// Sets (or, with none, removes) the plan on the owner's profile.
    pub fn tx_grant(&self, owner_id: &str, grant: Option<&PlanGrant>) -> Result<Write, Error> {
        let expr = match grant {
            Some(grant) => Expr::new()
                .update("SET #plan = :plan")
                .value(":plan", Attr::M(to_item(grant)?)),
            None => Expr::new().update("REMOVE #plan"),
        }
        .name("#plan", "plan")
        .condition("attribute_exists(pk)")
        .named(OWNER_EXISTS);
        self.store
            .tx_update(&keys::user_pk(owner_id), keys::USER_PROFILE_SK, expr)
    }

    /// Commits a transition; a refusal names its conditions.
    pub async fn transition(
        &self,
        before: &Subscription,
        after: &Subscription,
        plan: Option<&Plan>,
    ) -> Result<(), WriteError> {
        self.store
            .transact(self.tx_transition(before, after, plan)?)
            .await
    }

    /// Deletes a subscription record that is not current (history) and
    /// its locator.
    pub async fn delete(&self, subscription: &Subscription) -> Result<(), WriteError> {
        let mut writes = vec![self.store.tx_delete(
            &keys::billing_pk(&subscription.owner_id),
            &keys::subscription_sk(&subscription.id),
            Expr::new()
                .condition("attribute_exists(pk) AND version = :read")
                .value(":read", n(subscription.version))
                .named(SUBSCRIPTION_AS_READ),
        )?];
        writes.extend(self.tx_stats(&[(Some(subscription), None)])?);
        // Its Stripe id leads nowhere now (a late event is acknowledged).
        if let Some(id) = &subscription.stripe_subscription_id {
            let (pk, sk) = keys::stripe_subscription_locator(id);
            writes.push(self.store.tx_delete(&pk, &sk, Expr::new())?);
        }
        self.store.transact(writes).await
    }

    /// The stats' move for each change from `before` to `after` (none:
    /// absent), in one write, if anything moves.
    #[allow(clippy::type_complexity)]
    fn tx_stats(
        &self,
        changes: &[(Option<&Subscription>, Option<&Subscription>)],
    ) -> Result<Option<Write>, Error> {
        let mut deltas: Vec<(String, i64)> = Vec::new();
        let mut add = |name: String, d: i64| match deltas.iter_mut().find(|(n, _)| *n == name) {
            Some((_, v)) => *v += d,
            None => deltas.push((name, d)),
        };
        let sides = changes
            .iter()
            .flat_map(|(before, after)| [(*before, -1), (*after, 1)]);
        for (sub, sign) in sides {
            if let Some(sub) = sub {
                add("total".into(), sign);
                add(format!("status_{}", sub.status), sign);
                if sub.cancel_at_period_end {
                    add("scheduled".into(), sign);
                }
            }
        }
        deltas.retain(|(_, d)| *d != 0);
        if deltas.is_empty() {
            return Ok(None);
        }
        let mut expr = Expr::new().value(":entity", s(keys::entity::BILLING_STATS));
        let mut parts = Vec::new();
        for (i, (name, d)) in deltas.iter().enumerate() {
            parts.push(format!("#a{i} :d{i}"));
            expr = expr
                .name(&format!("#a{i}"), name)
                .value(&format!(":d{i}"), n(*d));
        }
        let (pk, sk) = keys::BILLING_STATS_KEY;
        expr = expr.update(format!("SET entity = :entity ADD {}", parts.join(", ")));
        Ok(Some(self.store.tx_update(pk, sk, expr)?))
    }

    /// The subscriptions' counts (one GetItem).
    pub async fn stats(&self) -> Result<BillingStats, Error> {
        let (pk, sk) = keys::BILLING_STATS_KEY;
        let item = self.store.get(pk, sk).await?.unwrap_or_default();
        let number = |v: &Attr| match v {
            Attr::N(n) => n.parse::<i64>().ok(),
            _ => None,
        };
        let mut stats = BillingStats::default();
        for (name, value) in &item {
            let Some(v) = number(value) else { continue };
            match name.as_str() {
                "total" => stats.total = v,
                "scheduled" => stats.scheduled_for_cancellation = v,
                other => {
                    if let Some(status) = other.strip_prefix("status_") {
                        stats.statuses.push((status.to_string(), v));
                    }
                }
            }
        }
        Ok(stats)
    }

    /// The month's usage counter moved by one, within `limit` (refused by
    /// `USAGE_LIMIT` at it): a write for the transaction of what it counts.
    pub fn tx_use(
        &self,
        owner_id: &str,
        usage: Usage,
        limit: Limit,
        at: &DateTime<Utc>,
    ) -> Result<Write, Error> {
        let expires = (*at + chrono::Duration::days(USAGE_KEPT_DAYS)).timestamp();
        let mut expr = Expr::new()
            .update("SET entity = :entity, expires_at = :expires ADD #used :one")
            .name("#used", usage.attribute())
            .value(":entity", s(keys::entity::USAGE))
            .value(":expires", n(expires))
            .value(":one", n(1));
        if let Some(room) = limit.room_before(1) {
            expr = expr
                .condition(super::counter_within("#used", ":room", room))
                .value(":room", n(room))
                .named(USAGE_LIMIT);
        }
        self.store.tx_update(
            &keys::billing_pk(owner_id),
            &keys::usage_sk(&usage_month(at)),
            expr,
        )
    }

    /// What the month counted so far.
    pub async fn usage(&self, owner_id: &str, at: &DateTime<Utc>) -> Result<MonthUsage, Error> {
        let item = self
            .store
            .get(
                &keys::billing_pk(owner_id),
                &keys::usage_sk(&usage_month(at)),
            )
            .await?;
        let count = |usage: Usage| {
            item.as_ref()
                .and_then(|i| i.get(usage.attribute()))
                .and_then(|v| match v {
                    Attr::N(n) => n.parse::<i64>().ok(),
                    _ => None,
                })
                .unwrap_or(0)
        };
        Ok(MonthUsage {
            month: usage_month(at),
            ai_analyses: count(Usage::AiAnalyses),
            assistant_messages: count(Usage::AssistantMessages),
            maintenances: count(Usage::Maintenances),
        })
    }

    /// Every key of the owner's billing partition and the locators its
    /// items name (account deletion).
    pub async fn all_keys(&self, owner_id: &str) -> Result<Vec<(String, String)>, Error> {
        let items = self
            .store
            .query_prefix(&keys::billing_pk(owner_id), "")
            .await?;
        let mut found = Vec::new();
        for item in items {
            let text = |name: &str| match item.get(name) {
                Some(Attr::S(v)) => Some(v.clone()),
                _ => None,
            };
            if let Some(id) = text("stripe_subscription_id") {
                found.push(keys::stripe_subscription_locator(&id));
            }
            if text(keys::ENTITY).as_deref() == Some(keys::entity::BILLING_CUSTOMER) {
                if let Some(id) = text("stripe_customer_id") {
                    found.push(keys::stripe_customer_locator(&id));
                }
            }
            if let (Some(pk), Some(sk)) = (text(keys::PK), text(keys::SK)) {
                found.push((pk, sk));
            }
        }
        Ok(found)
    }
}

/// The month's counted usage.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MonthUsage {
    pub month: String,
    pub ai_analyses: i64,
    pub assistant_messages: i64,
    pub maintenances: i64,
}

/// Every subscription counted, by status.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BillingStats {
    pub total: i64,
    pub scheduled_for_cancellation: i64,
    pub statuses: Vec<(String, i64)>,
}

impl BillingStats {
    pub fn status(&self, status: &str) -> i64 {
        self.statuses
            .iter()
            .find(|(s, _)| s == status)
            .map_or(0, |(_, n)| *n)
    }
}
