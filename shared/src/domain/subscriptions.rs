//! Subscriptions (spec 10, issue 14): the entity, its representation with
//! the computed fields the reference crashed on, and how a Stripe
//! subscription object (from the API or a webhook event) updates it:
//! Stripe's statuses mapped onto ours, periods read where recent API
//! versions put them (the subscription's items), and events older than
//! what was applied ignored (they arrive in any order).

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::plans::Plan;
use super::users::User;
use crate::time;

pub const ACTIVE: &str = "active";
pub const TRIALING: &str = "trialing";
pub const PAST_DUE: &str = "past_due";
pub const CANCELLED: &str = "cancelled";
pub const EXPIRED: &str = "expired";
/// Checkout started, not paid yet (the rewrite's addition).
pub const INCOMPLETE: &str = "incomplete";
pub const STATUSES: &[&str] = &[ACTIVE, CANCELLED, EXPIRED, TRIALING, PAST_DUE, INCOMPLETE];

/// Where a subscription's billing happens.
pub const BILLING_STRIPE: &str = "stripe";
/// The local checkout simulator (`make dev`, tests): no money moves.
pub const BILLING_SIMULATED: &str = "simulated";

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Subscription {
    pub id: String,
    pub owner_id: String,
    pub plan_id: String,
    pub status: String,
    pub billing: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stripe_subscription_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stripe_customer_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkout_session_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkout_url: Option<String>,
    #[serde(
        default,
        with = "time::rfc3339_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub current_period_start: Option<DateTime<Utc>>,
    #[serde(
        default,
        with = "time::rfc3339_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub current_period_end: Option<DateTime<Utc>>,
    #[serde(default)]
    pub cancel_at_period_end: bool,
    #[serde(
        default,
        with = "time::rfc3339_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub cancelled_at: Option<DateTime<Utc>>,
    #[serde(
        default,
        with = "time::rfc3339_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub trial_start: Option<DateTime<Utc>>,
    #[serde(
        default,
        with = "time::rfc3339_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub trial_end: Option<DateTime<Utc>>,
    /// The `created` (Unix seconds) of the newest Stripe event applied: an
    /// older one changes nothing.
    #[serde(default)]
    pub stripe_event_at: i64,
    #[serde(with = "time::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "time::rfc3339")]
    pub updated_at: DateTime<Utc>,
    #[serde(default)]
    pub version: u64,
}

/// Stripe's subscription statuses on ours: `past_due` keeps the plan while
/// Stripe retries the payment; `unpaid` (the retries are over and the
/// account marks it so), `paused` (a trial ended without a payment
/// method) and `incomplete_expired` grant nothing.
pub fn status_from_stripe(status: &str) -> &'static str {
    match status {
        "active" => ACTIVE,
        "trialing" => TRIALING,
        "past_due" => PAST_DUE,
        "canceled" => CANCELLED,
        "incomplete" => INCOMPLETE,
        _ => EXPIRED,
    }
}

/// What applying a Stripe object did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    Changed,
    /// Same state as stored (a duplicate or an event with nothing new).
    Unchanged,
    /// Older than the state stored: ignored.
    Stale,
}

/// A Stripe timestamp (Unix seconds) as a date-time.
pub fn seconds(value: &Value) -> Option<DateTime<Utc>> {
    value
        .as_i64()
        .and_then(|s| Utc.timestamp_opt(s, 0).single())
}

impl Subscription {
    pub fn new(owner_id: &str, plan_id: &str, billing: &str) -> Self {
        let now = time::now();
        Subscription {
            id: uuid::Uuid::now_v7().to_string(),
            owner_id: owner_id.to_string(),
            plan_id: plan_id.to_string(),
            status: INCOMPLETE.into(),
            billing: billing.to_string(),
            stripe_subscription_id: None,
            stripe_customer_id: None,
            checkout_session_id: None,
            checkout_url: None,
            current_period_start: None,
            current_period_end: None,
            cancel_at_period_end: false,
            cancelled_at: None,
            trial_start: None,
            trial_end: None,
            stripe_event_at: 0,
            created_at: now,
            updated_at: now,
            version: 0,
        }
    }

    /// Whether it is the account's current subscription (at most one): a
    /// checkout under way, or a plan granted.
    pub fn is_current(&self) -> bool {
        matches!(
            self.status.as_str(),
            ACTIVE | TRIALING | PAST_DUE | INCOMPLETE
        )
    }

    /// Whether its plan's limits apply (a payment late is a grace period).
    pub fn grants_plan(&self) -> bool {
        matches!(self.status.as_str(), ACTIVE | TRIALING | PAST_DUE)
    }

    /// Applies a Stripe subscription object seen in an event created at
    /// `event_at` (Unix seconds). Periods come from the first item (API
    /// versions since 2025-03-31) or, for older versions, the object
    /// itself; a plan change comes back as the item's price, which the
    /// caller maps to a plan (`price_of`).
    pub fn apply_stripe(&mut self, object: &Value, event_at: i64) -> Applied {
        if event_at < self.stripe_event_at {
            return Applied::Stale;
        }
        // Events of the same second come in any order: a canceled
        // subscription never comes back, and one that was paid never
        // returns to waiting for its first payment.
        if let Some(incoming) = object["status"].as_str().map(status_from_stripe) {
            if (self.status == CANCELLED && incoming != CANCELLED)
                || (incoming == INCOMPLETE && self.grants_plan())
            {
                return Applied::Stale;
            }
        }
        let before = self.clone();
        let item = &object["items"]["data"][0];
        let period = |key: &str| seconds(&item[key]).or_else(|| seconds(&object[key]));
        if let Some(id) = object["id"].as_str() {
            self.stripe_subscription_id = Some(id.to_string());
        }
        if let Some(customer) = object["customer"].as_str() {
            self.stripe_customer_id = Some(customer.to_string());
        }
        if let Some(status) = object["status"].as_str() {
            self.status = status_from_stripe(status).to_string();
        }
        if let Some(start) = period("current_period_start") {
            self.current_period_start = Some(start);
        }
        if let Some(end) = period("current_period_end") {
            self.current_period_end = Some(end);
        }
        self.cancel_at_period_end = object["cancel_at_period_end"].as_bool().unwrap_or(false);
        self.cancelled_at = seconds(&object["canceled_at"]).or(if self.cancel_at_period_end {
            self.cancelled_at
        } else {
            None
        });
        self.trial_start = seconds(&object["trial_start"]);
        self.trial_end = seconds(&object["trial_end"]);
        self.stripe_event_at = event_at;
        let mut same = self.clone();
        same.stripe_event_at = before.stripe_event_at;
        if same == before {
            Applied::Unchanged
        } else {
            Applied::Changed
        }
    }

    /// Whole days from `today` to the date of `current_period_end`, never
    /// below 0 (spec 10.1); none without a period.
    pub fn days_until_renewal(&self, today: NaiveDate) -> Option<i64> {
        self.current_period_end
            .map(|end| (end.date_naive() - today).num_days().max(0))
    }

    /// Both trial dates set and `now` between them, inclusive.
    pub fn is_trial_active(&self, now: DateTime<Utc>) -> bool {
        match (self.trial_start, self.trial_end) {
            (Some(start), Some(end)) => start <= now && now <= end,
            _ => false,
        }
    }

    /// `Subscription` (spec 10.1) with the rewrite's fields (`billing`,
    /// `checkout_url`, `cancelled_at`).
    pub fn to_json(&self, user: &User, plan: Option<&Plan>, now: DateTime<Utc>) -> Value {
        let at = |d: &Option<DateTime<Utc>>| d.as_ref().map(time::format);
        json!({
            "id": self.id,
            "user": self.owner_id,
            "user_info": {
                "id": user.id,
                "email": user.email,
                "first_name": user.first_name,
                "last_name": user.last_name,
            },
            "plan": self.plan_id,
            "plan_info": plan.map(Plan::to_json),
            "status": self.status,
            "billing": self.billing,
            "stripe_subscription_id": self.stripe_subscription_id,
            "stripe_customer_id": self.stripe_customer_id,
            "checkout_url": self.checkout_url,
            "current_period_start": at(&self.current_period_start),
            "current_period_end": at(&self.current_period_end),
            "cancel_at_period_end": self.cancel_at_period_end,
            "cancelled_at": at(&self.cancelled_at),
            "trial_start": at(&self.trial_start),
            "trial_end": at(&self.trial_end),
            "days_until_renewal": self.days_until_renewal(now.date_naive()),
            "is_trial_active": self.is_trial_active(now),
            "created_at": time::format(&self.created_at),
            "updated_at": time::format(&self.updated_at),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(status: &str, items_periods: bool) -> Value {
        let periods =
            json!({"current_period_start": 1_790_000_000, "current_period_end": 1_792_678_400});
        let mut item = json!({"id": "si_1", "price": {"id": "price_std_m"}});
        let mut sub = json!({
            "id": "sub_1", "object": "subscription", "customer": "cus_1", "status": status,
            "cancel_at_period_end": false, "canceled_at": null, "trial_start": null, "trial_end": null,
        });
        let target = if items_periods { &mut item } else { &mut sub };
        for (k, v) in periods.as_object().unwrap() {
            target[k] = v.clone();
        }
        sub["items"] = json!({"object": "list", "data": [item]});
        sub
    }

    #[test]
    fn stripe_statuses_map_onto_ours() {
        for (stripe, ours) in [
            ("active", ACTIVE),
            ("trialing", TRIALING),
            ("past_due", PAST_DUE),
            ("unpaid", EXPIRED),
            ("canceled", CANCELLED),
            ("incomplete", INCOMPLETE),
            ("incomplete_expired", EXPIRED),
            ("paused", EXPIRED),
            ("something_new", EXPIRED),
        ] {
            assert_eq!(status_from_stripe(stripe), ours, "{stripe}");
        }
    }

    #[test]
    fn periods_are_read_on_items_or_on_the_subscription() {
        for on_items in [true, false] {
            let mut s = Subscription::new("u1", "p1", BILLING_STRIPE);
            assert_eq!(
                s.apply_stripe(&object("active", on_items), 100),
                Applied::Changed
            );
            assert_eq!(s.status, ACTIVE);
            assert_eq!(s.stripe_subscription_id.as_deref(), Some("sub_1"));
            assert_eq!(s.stripe_customer_id.as_deref(), Some("cus_1"));
            assert_eq!(
                s.current_period_end.unwrap().timestamp(),
                1_792_678_400,
                "items: {on_items}"
            );
            assert!(s.grants_plan());
        }
    }

    #[test]
    fn an_older_event_never_undoes_a_newer_state() {
        let mut s = Subscription::new("u1", "p1", BILLING_STRIPE);
        let mut cancelled = object("canceled", true);
        cancelled["canceled_at"] = json!(1_790_500_000);
        assert_eq!(s.apply_stripe(&cancelled, 200), Applied::Changed);
        assert_eq!(s.status, CANCELLED);
        assert!(s.cancelled_at.is_some());
        // The `created` of the older `updated` event is before: ignored.
        assert_eq!(s.apply_stripe(&object("active", true), 150), Applied::Stale);
        assert_eq!(s.status, CANCELLED);
        assert!(!s.is_current());
        // The same event again changes nothing.
        assert_eq!(s.apply_stripe(&cancelled, 200), Applied::Unchanged);
    }

    #[test]
    fn computed_fields_follow_the_spec() {
        let mut s = Subscription::new("u1", "p1", BILLING_SIMULATED);
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        assert_eq!(s.days_until_renewal(today), None);
        s.current_period_end = Some(Utc.with_ymd_and_hms(2026, 12, 26, 23, 0, 0).unwrap());
        assert_eq!(s.days_until_renewal(today), Some(30));
        s.current_period_end = Some(Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap());
        assert_eq!(s.days_until_renewal(today), Some(0));
        let now = Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap();
        assert!(!s.is_trial_active(now));
        s.trial_start = Some(now);
        s.trial_end = Some(now);
        assert!(s.is_trial_active(now), "inclusive");
        s.trial_end = Some(now - chrono::Duration::seconds(1));
        assert!(!s.is_trial_active(now));
        assert_eq!(s.status, INCOMPLETE);
        assert!(s.is_current());
        assert!(!s.grants_plan());
    }
}
