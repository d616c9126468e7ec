//! Plans (spec 9) with the rewrite's `tier` and machine-readable limits
//! (issue 14): the entity, its features, its representation, and the
//! catalogue `make dev` loads. A plan's limits are feature values
//! (`max_vehicles` = `"3"`, `"unlimited"`), read into `Limits`, which the
//! functions that create resources check against their counters.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::money::format_cents;
use crate::time;

pub const MONTH: &str = "month";
pub const YEAR: &str = "year";
pub const INTERVALS: &[&str] = &[MONTH, YEAR];

pub const FREE: &str = "free";
pub const STANDARD: &str = "standard";
pub const PREMIUM: &str = "premium";
pub const TIERS: &[&str] = &[FREE, STANDARD, PREMIUM];

pub const NAME_MAX: usize = 100;
pub const DESCRIPTION_MAX: usize = 2_000;
pub const CURRENCY_MAX: usize = 3;
pub const STRIPE_ID_MAX: usize = 255;
pub const FEATURE_VALUE_MAX: usize = 255;
/// The reference's `decimal(10,2)`: at most 99,999,999.99.
pub const PRICE_DIGITS: usize = 10;
/// Plans the catalogue holds (every read takes it whole).
pub const MAX_PLANS: usize = 100;

/// The value of a limit without a bound.
pub const UNLIMITED: &str = "unlimited";

/// The features plans are described with (spec 9.1 `PlanFeature`): no
/// endpoint manages them, so they are code, with their key as their id.
pub struct Feature {
    pub key: &'static str,
    pub name: &'static str,
    pub description: &'static str,
}

pub const MAX_VEHICLES: &str = "max_vehicles";
pub const MAX_DOCUMENTS: &str = "max_documents";
pub const STORAGE_MB: &str = "storage_mb";
pub const MAINTENANCES_PER_MONTH: &str = "maintenances_per_month";
pub const AI_ANALYSES_PER_MONTH: &str = "ai_analyses_per_month";
pub const ASSISTANT_MESSAGES_PER_MONTH: &str = "assistant_messages_per_month";
pub const AI_DIAGNOSTIC: &str = "ai_diagnostic";

pub const FEATURES: &[Feature] = &[
    Feature {
        key: MAX_VEHICLES,
        name: "Vehicles",
        description: "Vehicles an account can keep.",
    },
    Feature {
        key: MAX_DOCUMENTS,
        name: "Documents",
        description: "Documents an account can keep.",
    },
    Feature {
        key: STORAGE_MB,
        name: "Document storage (MB)",
        description: "Total size of the account's documents, in megabytes.",
    },
    Feature {
        key: MAINTENANCES_PER_MONTH,
        name: "Maintenance records per month",
        description: "Maintenance records added per calendar month (UTC).",
    },
    Feature {
        key: AI_ANALYSES_PER_MONTH,
        name: "AI analyses per month",
        description: "Diagnostic analyses per calendar month (UTC).",
    },
    Feature {
        key: ASSISTANT_MESSAGES_PER_MONTH,
        name: "Assistant messages per month",
        description: "Messages to the AI assistant per calendar month (UTC).",
    },
    Feature {
        key: AI_DIAGNOSTIC,
        name: "Assistant diagnostic",
        description: "The assistant's structured diagnostic (`/api/assistant/diagnostic/`).",
    },
];

pub fn feature(key: &str) -> Option<&'static Feature> {
    FEATURES.iter().find(|f| f.key == key)
}

/// One feature's value on a plan (spec 9.1 `PlanFeatureValue`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct FeatureValue {
    pub feature_key: String,
    pub value: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Plan {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Cents.
    pub price: i64,
    pub currency: String,
    pub interval: String,
    pub tier: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stripe_price_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stripe_product_id: Option<String>,
    pub is_active: bool,
    pub is_popular: bool,
    #[serde(default)]
    pub features: Vec<FeatureValue>,
    /// Subscriptions that name the plan (moved by their writes): a plan in
    /// use cannot be deleted.
    #[serde(default)]
    pub subscribers: i64,
    #[serde(with = "time::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "time::rfc3339")]
    pub updated_at: DateTime<Utc>,
    #[serde(default)]
    pub version: u64,
}

/// A limit: a bound, or none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    AtMost(i64),
    Unlimited,
}

impl Limit {
    /// Whether `used` plus `more` stays within it.
    pub fn allows(self, used: i64, more: i64) -> bool {
        match self {
            Limit::AtMost(n) => used + more <= n,
            Limit::Unlimited => true,
        }
    }

    /// The room a counter's condition needs: the largest value the counter
    /// may hold before adding `more` (`None`: no condition).
    pub fn room_before(self, more: i64) -> Option<i64> {
        match self {
            Limit::AtMost(n) => Some(n - more),
            Limit::Unlimited => None,
        }
    }

    /// The bound in force under a hard ceiling `hard` (the per-account
    /// limits that keep every request bounded): the smaller of the two.
    pub fn under(self, hard: i64) -> i64 {
        match self {
            Limit::AtMost(n) => n.min(hard),
            Limit::Unlimited => hard,
        }
    }

    /// Whether the plan's bound is the one that binds under `hard` (a
    /// refusal is then the plan's 403, which a higher plan lifts; at or
    /// above the ceiling it is the ceiling's own error).
    pub fn binds_under(self, hard: i64) -> bool {
        matches!(self, Limit::AtMost(n) if n < hard)
    }

    fn parse(value: &str) -> Option<Limit> {
        let value = value.trim();
        if value.eq_ignore_ascii_case(UNLIMITED) {
            return Some(Limit::Unlimited);
        }
        value
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .map(Limit::AtMost)
    }
}

/// What a plan allows, read from its feature values. A feature a plan
/// does not name, or names with a value that is not a limit, is the Free
/// tier's (never more than the plan says, never a crash on a typo).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub vehicles: Limit,
    pub documents: Limit,
    pub storage_mb: Limit,
    pub maintenances_per_month: Limit,
    pub ai_analyses_per_month: Limit,
    pub assistant_messages_per_month: Limit,
    pub ai_diagnostic: bool,
}

impl Limits {
    /// The Free tier's limits: what an account without a current
    /// subscription gets.
    pub const FREE: Limits = Limits {
        vehicles: Limit::AtMost(3),
        documents: Limit::AtMost(50),
        storage_mb: Limit::AtMost(100),
        maintenances_per_month: Limit::AtMost(30),
        ai_analyses_per_month: Limit::AtMost(5),
        assistant_messages_per_month: Limit::AtMost(20),
        ai_diagnostic: false,
    };

    pub fn of(plan: &Plan) -> Limits {
        Limits::of_features(&plan.features)
    }

    /// The limits feature values describe (a plan's, or a grant's copy).
    pub fn of_features(features: &[FeatureValue]) -> Limits {
        let free = Limits::FREE;
        let value = |key: &str| {
            features
                .iter()
                .find(|f| f.feature_key == key)
                .map(|f| f.value.as_str())
        };
        let limit =
            |key: &str, default: Limit| value(key).and_then(Limit::parse).unwrap_or(default);
        Limits {
            vehicles: limit(MAX_VEHICLES, free.vehicles),
            documents: limit(MAX_DOCUMENTS, free.documents),
            storage_mb: limit(STORAGE_MB, free.storage_mb),
            maintenances_per_month: limit(MAINTENANCES_PER_MONTH, free.maintenances_per_month),
            ai_analyses_per_month: limit(AI_ANALYSES_PER_MONTH, free.ai_analyses_per_month),
            assistant_messages_per_month: limit(
                ASSISTANT_MESSAGES_PER_MONTH,
                free.assistant_messages_per_month,
            ),
            ai_diagnostic: value(AI_DIAGNOSTIC)
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("true")),
        }
    }
}

impl Plan {
    /// The value of feature `key`, when the plan names it.
    pub fn value(&self, key: &str) -> Option<&str> {
        self.features
            .iter()
            .find(|f| f.feature_key == key)
            .map(|f| f.value.as_str())
    }

    /// `"9.99 EUR/month"` (spec 9.1 `price_display`).
    pub fn price_display(&self) -> String {
        format!(
            "{} {}/{}",
            format_cents(self.price),
            self.currency,
            self.interval
        )
    }

    /// `Plan` (spec 9.1) with the rewrite's `tier` and `limits`.
    pub fn to_json(&self) -> Value {
        let feature_values: Vec<Value> = self
            .features
            .iter()
            .map(|f| {
                let name = feature(&f.feature_key).map_or(f.feature_key.as_str(), |d| d.name);
                json!({
                    "id": format!("{}:{}", self.id, f.feature_key),
                    "feature": f.feature_key,
                    "feature_name": name,
                    "feature_key": f.feature_key,
                    "value": f.value,
                })
            })
            .collect();
        let limits = Limits::of(self);
        let shown = |l: Limit| match l {
            Limit::AtMost(n) => json!(n),
            Limit::Unlimited => Value::Null,
        };
        json!({
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "price": format_cents(self.price),
            "price_display": self.price_display(),
            "currency": self.currency,
            "interval": self.interval,
            "tier": self.tier,
            "stripe_price_id": self.stripe_price_id,
            "stripe_product_id": self.stripe_product_id,
            "is_active": self.is_active,
            "is_popular": self.is_popular,
            "feature_values": feature_values,
            // Machine-readable, null for unlimited.
            "limits": {
                "vehicles": shown(limits.vehicles),
                "documents": shown(limits.documents),
                "storage_mb": shown(limits.storage_mb),
                "maintenances_per_month": shown(limits.maintenances_per_month),
                "ai_analyses_per_month": shown(limits.ai_analyses_per_month),
                "assistant_messages_per_month": shown(limits.assistant_messages_per_month),
                "ai_diagnostic": limits.ai_diagnostic,
            },
            "created_at": time::format(&self.created_at),
            "updated_at": time::format(&self.updated_at),
        })
    }
}

/// A plan of the catalogue `make dev` loads: fixed ids (a reload updates
/// them in place), prices in euros, Stripe price ids from configuration.
pub struct CataloguePlan {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub price: i64,
    pub interval: &'static str,
    pub tier: &'static str,
    pub is_popular: bool,
    pub features: &'static [(&'static str, &'static str)],
    /// The variable holding its Stripe price id (`STRIPE_PRICE_...`).
    pub price_var: Option<&'static str>,
}

const FREE_FEATURES: &[(&str, &str)] = &[
    (MAX_VEHICLES, "3"),
    (MAX_DOCUMENTS, "50"),
    (STORAGE_MB, "100"),
    (MAINTENANCES_PER_MONTH, "30"),
    (AI_ANALYSES_PER_MONTH, "5"),
    (ASSISTANT_MESSAGES_PER_MONTH, "20"),
    (AI_DIAGNOSTIC, "false"),
];

const STANDARD_FEATURES: &[(&str, &str)] = &[
    (MAX_VEHICLES, "10"),
    (MAX_DOCUMENTS, "300"),
    (STORAGE_MB, "1000"),
    (MAINTENANCES_PER_MONTH, UNLIMITED),
    (AI_ANALYSES_PER_MONTH, "50"),
    (ASSISTANT_MESSAGES_PER_MONTH, "200"),
    (AI_DIAGNOSTIC, "false"),
];

const PREMIUM_FEATURES: &[(&str, &str)] = &[
    (MAX_VEHICLES, "50"),
    (MAX_DOCUMENTS, "500"),
    (STORAGE_MB, "5000"),
    (MAINTENANCES_PER_MONTH, UNLIMITED),
    (AI_ANALYSES_PER_MONTH, "300"),
    (ASSISTANT_MESSAGES_PER_MONTH, "1000"),
    (AI_DIAGNOSTIC, "true"),
];

pub const CATALOGUE: &[CataloguePlan] = &[
    CataloguePlan {
        id: "0195b000-0000-7000-8000-000000000001",
        name: "Free",
        description:
            "Three vehicles, their maintenance and reminders, 50 documents, a taste of the AI.",
        price: 0,
        interval: MONTH,
        tier: FREE,
        is_popular: false,
        features: FREE_FEATURES,
        price_var: None,
    },
    CataloguePlan {
        id: "0195b000-0000-7000-8000-000000000002",
        name: "Standard",
        description: "Ten vehicles, 300 documents, 50 AI analyses a month.",
        price: 999,
        interval: MONTH,
        tier: STANDARD,
        is_popular: true,
        features: STANDARD_FEATURES,
        price_var: Some("STRIPE_PRICE_STANDARD_MONTH"),
    },
    CataloguePlan {
        id: "0195b000-0000-7000-8000-000000000003",
        name: "Standard (annual)",
        description: "Standard, billed yearly: two months free.",
        price: 9_900,
        interval: YEAR,
        tier: STANDARD,
        is_popular: false,
        features: STANDARD_FEATURES,
        price_var: Some("STRIPE_PRICE_STANDARD_YEAR"),
    },
    CataloguePlan {
        id: "0195b000-0000-7000-8000-000000000004",
        name: "Premium",
        description: "Fifty vehicles, 500 documents, the assistant's diagnostic and the most AI.",
        price: 1_999,
        interval: MONTH,
        tier: PREMIUM,
        is_popular: false,
        features: PREMIUM_FEATURES,
        price_var: Some("STRIPE_PRICE_PREMIUM_MONTH"),
    },
    CataloguePlan {
        id: "0195b000-0000-7000-8000-000000000005",
        name: "Premium (annual)",
        description: "Premium, billed yearly: two months free.",
        price: 19_900,
        interval: YEAR,
        tier: PREMIUM,
        is_popular: false,
        features: PREMIUM_FEATURES,
        price_var: Some("STRIPE_PRICE_PREMIUM_YEAR"),
    },
];

impl CataloguePlan {
    /// The plan, with its Stripe price id from `lookup` (configuration).
    pub fn plan(&self, lookup: impl Fn(&str) -> Option<String>, now: DateTime<Utc>) -> Plan {
        Plan {
            id: self.id.to_string(),
            name: self.name.to_string(),
            description: Some(self.description.to_string()),
            price: self.price,
            currency: "EUR".into(),
            interval: self.interval.to_string(),
            tier: self.tier.to_string(),
            stripe_price_id: self.price_var.and_then(&lookup).filter(|v| !v.is_empty()),
            stripe_product_id: None,
            is_active: true,
            is_popular: self.is_popular,
            features: self
                .features
                .iter()
                .map(|(key, value)| FeatureValue {
                    feature_key: (*key).to_string(),
                    value: (*value).to_string(),
                })
                .collect(),
            subscribers: 0,
            created_at: now,
            updated_at: now,
            version: 0,
        }
    }
}

/// The plan that lifts `what` past the Free tier's bound, for a 403's
/// message ("... Standard (9.99 EUR/month) lifts it.").
/// The plan an account holds, copied onto its profile by the billing
/// writes (the subscription's activation, renewal, change, end), so every
/// request that creates something reads its limits with the user, with no
/// extra round trip. None on the profile: the Free tier.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct PlanGrant {
    pub plan_id: String,
    pub name: String,
    pub tier: String,
    pub features: Vec<FeatureValue>,
}

impl PlanGrant {
    pub fn of(plan: &Plan) -> PlanGrant {
        PlanGrant {
            plan_id: plan.id.clone(),
            name: plan.name.clone(),
            tier: plan.tier.clone(),
            features: plan.features.clone(),
        }
    }

    pub fn limits(&self) -> Limits {
        Limits::of_features(&self.features)
    }

    /// The limits of a grant held, Free's without one.
    pub fn limits_of(grant: Option<&PlanGrant>) -> Limits {
        grant.map_or(Limits::FREE, PlanGrant::limits)
    }
}

/// The 403 of a create beyond the plan's limit: what the limit is, the
/// plan's name, and the cheapest plan that lifts it (none: the top).
pub fn limit_reached(
    feature_key: &str,
    what: impl Fn(&Limits) -> Limit,
    grant: Option<&PlanGrant>,
) -> crate::error::Error {
    let limits = PlanGrant::limits_of(grant);
    let tier = grant.map_or(FREE, |g| g.tier.as_str());
    let upgrade = lifted_by(&what, &limits);
    crate::error::Error::Body {
        status: 403,
        body: json!({
            "detail": limit_detail(feature_key, &what, grant),
            "code": "plan_limit",
            "limit": feature_key,
            "allowed": allowed(what(&limits)),
            "plan": tier,
            "upgrade_plan": upgrade.map(|p| json!({"id": p.id, "name": p.name, "tier": p.tier})),
        }),
    }
}

fn allowed(limit: Limit) -> String {
    match limit {
        Limit::AtMost(n) => n.to_string(),
        Limit::Unlimited => UNLIMITED.to_string(),
    }
}

/// The sentence of `limit_reached` ("AI analyses per month: your plan
/// (Free) allows 5. Standard (9.99 EUR/month) lifts it."), for what says
/// it elsewhere than in a 403 (an analysis not queued).
pub fn limit_detail(
    feature_key: &str,
    what: impl Fn(&Limits) -> Limit,
    grant: Option<&PlanGrant>,
) -> String {
    let limits = PlanGrant::limits_of(grant);
    let plan_name = grant.map_or("Free", |g| g.name.as_str());
    let label = feature(feature_key).map_or(feature_key, |f| f.name);
    let allowed = allowed(what(&limits));
    let mut detail = format!("{label}: your plan ({plan_name}) allows {allowed}.");
    if let Some(p) = lifted_by(&what, &limits) {
        detail.push_str(&format!(
            " {} ({} {}/{}) lifts it.",
            p.name,
            format_cents(p.price),
            "EUR",
            p.interval
        ));
    }
    detail
}

/// The cheapest monthly plan for sale that allows more than `current`.
pub fn lifted_by(
    what: impl Fn(&Limits) -> Limit,
    current: &Limits,
) -> Option<&'static CataloguePlan> {
    let now_allowed = what(current);
    // A plan one buys: Free is what an account has without one.
    CATALOGUE
        .iter()
        .filter(|p| p.interval == MONTH && p.price > 0)
        .find(|p| {
            let plan = p.plan(|_| None, Utc::now());
            let limit = what(&Limits::of(&plan));
            match (limit, now_allowed) {
                (Limit::Unlimited, Limit::AtMost(_)) => true,
                (Limit::AtMost(a), Limit::AtMost(b)) => a > b,
                _ => false,
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue() -> Vec<Plan> {
        let now = time::now();
        CATALOGUE
            .iter()
            .map(|p| {
                p.plan(
                    |var| (var == "STRIPE_PRICE_STANDARD_MONTH").then(|| "price_std_m".into()),
                    now,
                )
            })
            .collect()
    }

    #[test]
    fn the_catalogue_has_the_issues_prices_and_limits() {
        let plans = catalogue();
        let prices: Vec<(String, String)> = plans
            .iter()
            .map(|p| (p.name.clone(), p.price_display()))
            .collect();
        assert_eq!(
            prices,
            vec![
                ("Free".into(), "0.00 EUR/month".into()),
                ("Standard".into(), "9.99 EUR/month".into()),
                ("Standard (annual)".into(), "99.00 EUR/year".into()),
                ("Premium".into(), "19.99 EUR/month".into()),
                ("Premium (annual)".into(), "199.00 EUR/year".into()),
            ]
        );
        assert_eq!(Limits::of(&plans[0]), Limits::FREE);
        assert_eq!(Limits::of(&plans[1]).vehicles, Limit::AtMost(10));
        assert_eq!(
            Limits::of(&plans[1]).maintenances_per_month,
            Limit::Unlimited
        );
        assert!(Limits::of(&plans[3]).ai_diagnostic);
        assert_eq!(plans[1].stripe_price_id.as_deref(), Some("price_std_m"));
        assert_eq!(plans[3].stripe_price_id, None);
        // Ids are fixed and distinct: a reload updates in place.
        let mut ids: Vec<&str> = CATALOGUE.iter().map(|p| p.id).collect();
        ids.dedup();
        assert_eq!(ids.len(), CATALOGUE.len());
        // Every feature named is a known feature, every limit readable.
        for plan in &plans {
            for f in &plan.features {
                assert!(feature(&f.feature_key).is_some(), "{}", f.feature_key);
            }
        }
    }

    #[test]
    fn limits_read_their_values_and_fall_back_to_free() {
        let mut plan = catalogue().remove(1);
        plan.features = vec![
            FeatureValue {
                feature_key: MAX_VEHICLES.into(),
                value: " Unlimited ".into(),
            },
            FeatureValue {
                feature_key: MAX_DOCUMENTS.into(),
                value: "lots".into(),
            },
            FeatureValue {
                feature_key: STORAGE_MB.into(),
                value: "-4".into(),
            },
        ];
        let limits = Limits::of(&plan);
        assert_eq!(limits.vehicles, Limit::Unlimited);
        assert_eq!(limits.documents, Limits::FREE.documents);
        assert_eq!(limits.storage_mb, Limits::FREE.storage_mb);
        assert!(Limit::AtMost(3).allows(2, 1));
        assert!(!Limit::AtMost(3).allows(3, 1));
        assert_eq!(Limit::AtMost(3).room_before(1), Some(2));
        assert_eq!(Limit::Unlimited.room_before(1), None);
        // Under a hard ceiling: the smaller binds.
        assert_eq!(Limit::AtMost(3).under(50), 3);
        assert_eq!(Limit::AtMost(80).under(50), 50);
        assert_eq!(Limit::Unlimited.under(50), 50);
        assert!(Limit::AtMost(3).binds_under(50));
        assert!(!Limit::AtMost(50).binds_under(50));
        assert!(!Limit::Unlimited.binds_under(50));
    }

    #[test]
    fn the_representation_follows_the_spec_with_tier_and_limits() {
        let plan = catalogue().remove(1);
        let value = plan.to_json();
        assert_eq!(value["price"], "9.99");
        assert_eq!(value["price_display"], "9.99 EUR/month");
        assert_eq!(value["tier"], "standard");
        assert_eq!(value["feature_values"][0]["feature_key"], "max_vehicles");
        assert_eq!(value["feature_values"][0]["feature_name"], "Vehicles");
        assert_eq!(value["feature_values"][0]["value"], "10");
        assert_eq!(value["limits"]["vehicles"], 10);
        assert_eq!(value["limits"]["maintenances_per_month"], Value::Null);
    }

    #[test]
    fn the_plan_that_lifts_a_limit_is_the_cheapest_monthly_one() {
        let free = Limits::FREE;
        assert_eq!(lifted_by(|l| l.vehicles, &free).unwrap().name, "Standard");
        let standard = Limits::of(&catalogue()[1]);
        assert_eq!(
            lifted_by(|l| l.vehicles, &standard).unwrap().name,
            "Premium"
        );
        let premium = Limits::of(&catalogue()[3]);
        assert!(lifted_by(|l| l.vehicles, &premium).is_none());
    }
}
