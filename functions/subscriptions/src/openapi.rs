//! This function's part of the API document (feature `openapi`, never in
//! the release binary; docs/openapi-design.md): the caller's subscriptions
//! to the plans (spec 10, issue 14). One `utoipa::path` stub per operation,
//! named after its handler, at the seed path with its trailing slash; the
//! reference's `portal/` is in `ALIASES`. The collection-level `cancel/`,
//! `reactivate/` and `change_plan/` (the caller's current subscription) and
//! the reference's `{id}/...` forms are operations of their own: their
//! handlers and their refusals differ.
//!
//! The shapes are the ones `Subscription::to_json` and the handlers write;
//! the refusals quote the handlers' messages (a test finds each one in
//! `handlers.rs`). Two schemas of the `plans` function are referenced by
//! name, not copied: `Plan` (a subscription's `plan_info`) and
//! `PlanLimits` (the usage's `limits`). Every operation reads a token.

// The stubs only carry their `utoipa::path` attribute: nothing calls them.
#![allow(dead_code)]

use serde_json::{json, Value};
use shared::domain::plans::{FREE, TIERS};
use shared::domain::subscriptions::{
    ACTIVE, BILLING_SIMULATED, BILLING_STRIPE, CANCELLED, EXPIRED, INCOMPLETE, PAST_DUE, STATUSES,
    TRIALING,
};
use shared::openapi::schema_ref as reference;
use shared::openapi::{DetailRef, FieldErrorsRef};
use shared::{json_component as component, json_one_of as one_of};

use utoipa::openapi::{Ref, RefOr, Schema};
use utoipa::{OpenApi, ToSchema};

const TAG: &str = "subscriptions";
const ID: &str = "The subscription id";

/// The handlers' messages, quoted in the descriptions (each is found in
/// `handlers.rs` by a test).
mod says {
    pub const NO_ACTIVE: &str = "No active subscription found.";
    pub const REQUIRED: &str = "This field is required.";
    pub const NOT_AVAILABLE: &str = "This plan is not available.";
    pub const FREE_NEEDS_NONE: &str =
        "The Free plan needs no subscription: it is what an account has without one.";
    pub const NOT_ONLINE: &str = "This plan cannot be bought online yet.";
    pub const ALREADY: &str =
        "You already have a subscription (<status>): change its plan with change_plan/ or cancel it.";
    pub const STARTED_MEANWHILE: &str =
        "Another subscription was started at the same time; reload and retry.";
    pub const BILLING_CHANGED: &str = "A concurrent request changed your billing; retry.";
    pub const CHECKOUT_OPEN: &str = "The checkout of this subscription is not complete yet.";
    pub const CANCEL_INACTIVE: &str = "Only active subscriptions can be cancelled.";
    pub const NOT_SCHEDULED: &str = "Subscription is not scheduled for cancellation.";
    pub const REACTIVATE_INACTIVE: &str = "Only active subscriptions can be reactivated.";
    pub const PLAN_ID_REQUIRED: &str = "plan_id is required.";
    pub const PLAN_NOT_FOUND: &str = "Plan not found or inactive.";
    pub const CHANGE_INACTIVE: &str = "Only active subscriptions can change plan.";
    pub const TO_FREE: &str =
        "To move to the Free plan, cancel the subscription: it ends with its period.";
    pub const SAME_PLAN: &str = "The subscription is already on this plan.";
    pub const NO_ITEM: &str = "The Stripe subscription has no item.";
    pub const STATUS_IS_BILLINGS: &str =
        "The status is set by billing: use cancel/ or reactivate/.";
    pub const NOT_A_BOOLEAN: &str = "Must be a valid boolean.";
    pub const FLAG_INACTIVE: &str = "Only an active subscription can be cancelled or reactivated.";
    pub const DELETE_ACTIVE: &str =
        "This subscription is active: cancel it first (it ends with its period).";
    pub const CHANGED_MEANWHILE: &str = "The subscription changed meanwhile; reload and retry.";
    pub const NO_CUSTOMER: &str = "No billing account yet: subscribe to a plan first.";
    pub const ADMIN_ONLY: &str = "Admin access required.";
    pub const UNDER_WAY: &str =
        "Your previous checkout was just paid or is still under way; reload your subscriptions.";
    pub const BILLING_OFF: &str =
        "Billing is not configured on this server: subscriptions cannot be bought.";
    /// `provider::stripe_error`'s (in `provider.rs`).
    pub const STRIPE_DOWN: &str = "The payment provider is unavailable; try again shortly.";
    /// What every `Error::Unavailable` answers (the reason is only logged).
    pub const UNAVAILABLE: &str = "Service temporarily unavailable, please retry shortly.";

    /// Every message, for the test.
    pub const ALL: [&str; 27] = [
        NO_ACTIVE,
        REQUIRED,
        NOT_AVAILABLE,
        FREE_NEEDS_NONE,
        NOT_ONLINE,
        STARTED_MEANWHILE,
        BILLING_CHANGED,
        CHECKOUT_OPEN,
        CANCEL_INACTIVE,
        NOT_SCHEDULED,
        REACTIVATE_INACTIVE,
        PLAN_ID_REQUIRED,
        PLAN_NOT_FOUND,
        CHANGE_INACTIVE,
        TO_FREE,
        SAME_PLAN,
        NO_ITEM,
        STATUS_IS_BILLINGS,
        NOT_A_BOOLEAN,
        FLAG_INACTIVE,
        DELETE_ACTIVE,
        CHANGED_MEANWHILE,
        NO_CUSTOMER,
        ADMIN_ONLY,
        UNDER_WAY,
        BILLING_OFF,
        // Quoted with its status as a placeholder: its two halves.
        "You already have a subscription (",
    ];
}

/// `values` as a list of code spans, for descriptions.
fn quoted(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

const BILLINGS: [&str; 2] = [BILLING_STRIPE, BILLING_SIMULATED];

/// How long a simulated checkout is under way (`handlers`' constant).
const SIMULATED_CHECKOUT_SECONDS: i64 = 60;

// ---- inputs -------------------------------------------------------------

fn plan_id_in(description: &str) -> Value {
    json!({
        "type": "string",
        "format": "uuid",
        "description": description,
    })
}

component!(
    /// The body of `POST /api/subscriptions/`.
    SubscriptionCreate,
    "SubscriptionCreate",
    json!({
        "type": "object",
        "description": "The plan to subscribe to; unknown fields are ignored.",
        "properties": {
            "plan": plan_id_in(&format!(
                "The id of an active plan that is sold (not the Free tier): another id is a 400 \
                 `{}`; spaces around it are trimmed. `plan_id` is read instead when `plan` is \
                 absent or blank.",
                says::NOT_AVAILABLE
            )),
            "plan_id": plan_id_in("The same, under `change_plan/`'s name (read only when `plan` is absent or blank)."),
        },
        "required": ["plan"],
    })
);

component!(
    /// The body of the `change_plan/` operations.
    SubscriptionPlanChange,
    "SubscriptionPlanChange",
    json!({
        "type": "object",
        "description": "The plan to move to; unknown fields are ignored.",
        "properties": {
            "plan_id": plan_id_in(&format!(
                "The id of an active plan that is sold (not the Free tier): another id is a 404 \
                 `{}`; spaces around it are trimmed.",
                says::PLAN_NOT_FOUND
            )),
            "plan": plan_id_in("The same, under the create's name; read first when both are given."),
        },
        "required": ["plan_id"],
    })
);

component!(
    /// The body of `PUT`/`PATCH /api/subscriptions/{id}/`.
    SubscriptionWrite,
    "SubscriptionWrite",
    json!({
        "type": "object",
        "description": format!(
            "Only `cancel_at_period_end` is written (the same as `cancel/` and `reactivate/`); \
             `status` is billing's: a body that names it, whatever its value, is a 400 \
             (`status`: `{}`). Other fields are ignored.",
            says::STATUS_IS_BILLINGS
        ),
        "properties": {
            "cancel_at_period_end": {
                "allOf": [reference("BooleanInput")],
                "description": format!(
                    "True: the subscription ends with its period; false: it renews. Only a \
                     subscription that grants its plan can change it (`{}`); null or another \
                     value: `{}`. Absent or unchanged: nothing is asked of billing.",
                    says::FLAG_INACTIVE,
                    says::NOT_A_BOOLEAN
                ),
            },
        },
    })
);

// ---- outputs ------------------------------------------------------------

fn status_out() -> Value {
    json!({
        "type": "string",
        "enum": STATUSES,
        "description": format!(
            "Set by billing only (Stripe's events, or the simulator's): `{INCOMPLETE}` while the \
             checkout is not paid; `{ACTIVE}`, `{TRIALING}` and `{PAST_DUE}` (a payment late: \
             the plan is kept meanwhile) grant the plan; `{CANCELLED}` once ended; `{EXPIRED}` \
             for an abandoned checkout or a subscription Stripe ended otherwise."
        ),
    })
}

fn billing_out() -> Value {
    json!({
        "type": "string",
        "enum": BILLINGS,
        "description": format!(
            "`{BILLING_STRIPE}`: paid through Stripe; `{BILLING_SIMULATED}`: through the local \
             checkout simulator, which takes Stripe's place on a server configured for it (no \
             money moves)."
        ),
    })
}

fn nullable_time(description: &str) -> Value {
    json!({
        "type": ["string", "null"],
        "format": "date-time",
        "description": description,
    })
}

fn nullable_text(description: &str) -> Value {
    json!({
        "type": ["string", "null"],
        "description": description,
    })
}

component!(
    /// `user_info` of a subscription (spec 10.1).
    SubscriptionUserInfo,
    "SubscriptionUserInfo",
    json!({
        "type": "object",
        "description": "The owner (the caller).",
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "email": {"type": "string"},
            "first_name": {"type": "string"},
            "last_name": {"type": "string"},
        },
        "required": ["id", "email", "first_name", "last_name"],
    })
);

component!(
    /// `Subscription` (spec 10.1, `Subscription::to_json`), with the
    /// rewrite's `billing`, `checkout_url` and `cancelled_at`.
    SubscriptionOut,
    "Subscription",
    json!({
        "type": "object",
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "user": {"type": "string", "format": "uuid", "description": "The owner's id (the caller)."},
            "user_info": reference("SubscriptionUserInfo"),
            "plan": {"type": "string", "format": "uuid", "description": "The plan's id."},
            "plan_info": {
                "oneOf": [reference("Plan"), {"type": "null"}],
                "description": "The plan as `GET /api/plans/{id}/` shows it, or null when it is no longer in the catalogue.",
            },
            "status": status_out(),
            "billing": billing_out(),
            "stripe_subscription_id": nullable_text("Stripe's subscription id (`sub_...`), once Stripe created it; the simulator's own ids start with `sub_sim_`."),
            "stripe_customer_id": nullable_text("The caller's Stripe customer (`cus_...`), or null."),
            "checkout_url": {
                "type": ["string", "null"],
                "format": "uri",
                "description": "Where the caller pays (Stripe Checkout) until the checkout completes; null once it did or gave way, and always with the simulator.",
            },
            "current_period_start": nullable_time("The paid period's start, from billing; null before the first payment."),
            "current_period_end": nullable_time("When the paid period ends (it renews then, unless `cancel_at_period_end`); null before the first payment."),
            "cancel_at_period_end": {"type": "boolean", "description": "Whether the subscription ends with its period instead of renewing."},
            "cancelled_at": nullable_time("When the cancellation was asked (or the subscription ended), or null."),
            "trial_start": nullable_time("The trial's start, from billing, or null."),
            "trial_end": nullable_time("The trial's end, from billing, or null."),
            "days_until_renewal": {
                "type": ["integer", "null"],
                "minimum": 0,
                "description": "Whole days from today (UTC) to the date of `current_period_end`, never below 0; null without a period.",
            },
            "is_trial_active": {"type": "boolean", "description": "Both trial dates set and now between them (inclusive)."},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
        },
        "required": [
            "id", "user", "user_info", "plan", "plan_info", "status", "billing",
            "stripe_subscription_id", "stripe_customer_id", "checkout_url",
            "current_period_start", "current_period_end", "cancel_at_period_end",
            "cancelled_at", "trial_start", "trial_end", "days_until_renewal",
            "is_trial_active", "created_at", "updated_at"
        ],
    })
);

component!(
    /// `SubscriptionUpdated` (spec 10.1): what PUT and PATCH answer.
    SubscriptionUpdated,
    "SubscriptionUpdated",
    json!({
        "type": "object",
        "description": "The subscription's state once billing applied the change.",
        "properties": {
            "status": status_out(),
            "cancel_at_period_end": {"type": "boolean"},
        },
        "required": ["status", "cancel_at_period_end"],
    })
);

component!(
    /// What `billing_portal/` answers.
    SubscriptionPortal,
    "SubscriptionPortal",
    json!({
        "type": "object",
        "properties": {
            "url": {
                "type": "string",
                "format": "uri",
                "description": format!(
                    "Stripe's customer portal session (payment methods, invoices), which returns \
                     to the web app's subscription page; with the simulator, that page itself \
                     with `?portal={BILLING_SIMULATED}`."
                ),
            },
            "billing": billing_out(),
        },
        "required": ["url", "billing"],
    })
);

component!(
    /// The plan held, as `usage/` shows it.
    SubscriptionUsagePlan,
    "SubscriptionUsagePlan",
    json!({
        "type": "object",
        "description": "The plan the caller holds: the one its current subscription grants, else the Free tier (`id` null, `name` `Free`).",
        "properties": {
            "id": {"type": ["string", "null"], "format": "uuid"},
            "name": {"type": "string"},
            "tier": {"type": "string", "enum": TIERS},
        },
        "required": ["id", "name", "tier"],
    })
);

fn counted(what: &str) -> Value {
    json!({
        "type": "integer",
        "minimum": 0,
        "description": format!("{what} counted this month (each counter checked against its limit when the resource is created)."),
    })
}

component!(
    /// `MonthUsage`: this month's counters.
    SubscriptionMonthUsage,
    "SubscriptionMonthUsage",
    json!({
        "type": "object",
        "description": "What this calendar month's (UTC) counters hold; a new month starts at 0.",
        "properties": {
            "month": {
                "type": "string",
                "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$",
                "description": "The month counted, `YYYY-MM` (UTC).",
                "examples": ["2026-11"],
            },
            "ai_analyses": counted("AI analyses"),
            "assistant_messages": counted("Assistant messages"),
            "maintenances": counted("Maintenances"),
        },
        "required": ["month", "ai_analyses", "assistant_messages", "maintenances"],
    })
);

component!(
    /// What `usage/` answers.
    SubscriptionUsage,
    "SubscriptionUsage",
    json!({
        "type": "object",
        "properties": {
            "plan": reference("SubscriptionUsagePlan"),
            "limits": {
                "allOf": [reference("PlanLimits")],
                "description": "The limits of the plan held (the Free tier's without one): a bound, or null for none.",
            },
            "usage": reference("SubscriptionMonthUsage"),
        },
        "required": ["plan", "limits", "usage"],
    })
);

fn count(description: &str) -> Value {
    json!({"type": "integer", "minimum": 0, "description": description})
}

component!(
    /// A row of the stats' `by_status`.
    SubscriptionStatusCount,
    "SubscriptionStatusCount",
    json!({
        "type": "object",
        "properties": {
            "status": {"type": "string", "enum": STATUSES},
            "count": {"type": "integer", "minimum": 1},
        },
        "required": ["status", "count"],
    })
);

component!(
    /// A row of the stats' `by_plan`.
    SubscriptionPlanCount,
    "SubscriptionPlanCount",
    json!({
        "type": "object",
        "properties": {
            "plan__name": {"type": "string", "description": "The plan's name."},
            "count": {"type": "integer", "minimum": 1, "description": "The plan's subscribers."},
        },
        "required": ["plan__name", "count"],
    })
);

component!(
    /// What `stats/` answers (spec 10.2.10).
    SubscriptionStats,
    "SubscriptionStats",
    json!({
        "type": "object",
        "description": "Every account's subscriptions, counted by the subscriptions' own writes (no scan).",
        "properties": {
            "total_subscriptions": count("Every subscription stored, whatever its status."),
            "active": count(&format!("Those `{ACTIVE}`.")),
            "trialing": count(&format!("Those `{TRIALING}`.")),
            "scheduled_for_cancellation": count("Those with `cancel_at_period_end`, whatever their status."),
            "by_status": {
                "type": "array",
                "items": reference("SubscriptionStatusCount"),
                "maxItems": STATUSES.len(),
                "description": "Each status that has subscriptions, in a fixed order.",
            },
            "by_plan": {
                "type": "array",
                "items": reference("SubscriptionPlanCount"),
                "description": "Each plan of the catalogue that has subscribers.",
            },
        },
        "required": [
            "total_subscriptions", "active", "trialing", "scheduled_for_cancellation",
            "by_status", "by_plan"
        ],
    })
);

component!(
    /// `{"error": ...}`: the reference's refusals (spec 10.2.4 to 10.2.10)
    /// and Stripe's refusals.
    SubscriptionRefusal,
    "SubscriptionRefusal",
    json!({
        "type": "object",
        "properties": {"error": {"type": "string"}},
        "required": ["error"],
    })
);

component!(
    /// `{"message": ...}`: no current subscription (spec 10.2.3).
    SubscriptionMissing,
    "SubscriptionMissing",
    json!({
        "type": "object",
        "properties": {"message": {"type": "string", "enum": [says::NO_ACTIVE]}},
        "required": ["message"],
    })
);

fn refusal() -> RefOr<Schema> {
    Ref::from_schema_name(SubscriptionRefusal::name()).into()
}

fn missing() -> RefOr<Schema> {
    Ref::from_schema_name(SubscriptionMissing::name()).into()
}

one_of!(
    /// A 400 of a body: field errors, or a body that cannot be parsed.
    Invalid,
    [FieldErrorsRef::schema(), DetailRef::schema()]
);

one_of!(
    /// A 400 of `change_plan/`: a refusal, a body that is not an object
    /// (`non_field_errors`), or one that cannot be parsed.
    RefusalOrUnparsed,
    [refusal(), FieldErrorsRef::schema(), DetailRef::schema()]
);

one_of!(
    /// A 404 of a collection-level action: no current subscription, or it
    /// went meanwhile.
    MissingOrGone,
    [missing(), DetailRef::schema()]
);

one_of!(
    /// A 404 of the collection-level `change_plan/`: no current
    /// subscription, an unknown plan, or the subscription went meanwhile.
    MissingOrUnknownPlan,
    [missing(), refusal(), DetailRef::schema()]
);

one_of!(
    /// A 404 of `{id}/change_plan/`: not the caller's subscription, or an
    /// unknown plan.
    GoneOrUnknownPlan,
    [DetailRef::schema(), refusal()]
);

// ---- operations ---------------------------------------------------------

/// Replaced in `openapi()` (they quote the handlers' messages).
const CREATE_INVALID: &str = "The plan refused, or a body that cannot be parsed";
const CREATE_CONFLICT: &str = "Already subscribed, or a concurrent change";
const PENDING_CHECKOUT: &str = "The subscription's Stripe checkout is not complete";
const STRIPE_REFUSED: &str = "Stripe refused the request";
const UNAVAILABLE: &str = "Billing is unavailable";
const NO_CURRENT: &str = "No current subscription";
const CANCEL_REFUSED: &str = "Not cancellable";
const REACTIVATE_REFUSED: &str = "Not reactivable";
const CHANGE_REFUSED: &str = "The plan change refused";
const CHANGE_NOT_FOUND: &str = "No subscription or no such plan";
const UPDATE_INVALID: &str = "The body refused";
const DELETE_CONFLICT: &str = "Still granting its plan, or changed meanwhile";

#[utoipa::path(get, path = "/api/subscriptions/", tag = TAG,
    summary = "The caller's subscriptions, newest first by default",
    extensions(("x-paged" = json!(true))),
    responses(
        (status = 200, description = "A page of subscriptions", body = Vec<SubscriptionOut>),
        (status = 400, description = "A `status` that is not a status (`Select a valid choice. ... is not one of the available choices.`)", body = inline(FieldErrorsRef))))]
fn list() {}

#[utoipa::path(post, path = "/api/subscriptions/", tag = TAG,
    summary = "Subscribe to a plan: starts a checkout",
    request_body(content = SubscriptionCreate, description = "The plan"),
    responses(
        (status = 201, description = "The subscription: `incomplete` with its `checkout_url` through Stripe, `active` with the simulator", body = SubscriptionOut),
        (status = 400, description = CREATE_INVALID, body = inline(Invalid)),
        (status = 409, description = CREATE_CONFLICT, body = inline(DetailRef)),
        (status = 502, description = STRIPE_REFUSED, body = SubscriptionRefusal),
        (status = 503, description = UNAVAILABLE, body = inline(DetailRef))))]
fn create() {}

#[utoipa::path(get, path = "/api/subscriptions/active/", tag = TAG,
    summary = "The caller's subscription that grants its plan",
    responses(
        (status = 200, description = "The subscription", body = SubscriptionOut),
        (status = 404, description = NO_CURRENT, body = SubscriptionMissing)))]
fn active() {}

#[utoipa::path(get, path = "/api/subscriptions/stats/", tag = TAG,
    summary = "Counts over every account's subscriptions (staff only)",
    responses(
        (status = 200, description = "The counts", body = SubscriptionStats),
        (status = 403, description = "The caller is not staff", body = SubscriptionRefusal)))]
fn stats() {}

#[utoipa::path(get, path = "/api/subscriptions/usage/", tag = TAG,
    summary = "The caller's plan, its limits and this month's usage",
    responses((status = 200, description = "The plan held, its limits and the month's counters", body = SubscriptionUsage)))]
fn usage() {}

#[utoipa::path(post, path = "/api/subscriptions/cancel/", tag = TAG,
    summary = "End the current subscription with its period",
    responses(
        (status = 200, description = "The subscription, `cancel_at_period_end` true", body = SubscriptionOut),
        (status = 404, description = NO_CURRENT, body = inline(MissingOrGone)),
        (status = 409, description = PENDING_CHECKOUT, body = SubscriptionRefusal),
        (status = 502, description = STRIPE_REFUSED, body = SubscriptionRefusal),
        (status = 503, description = UNAVAILABLE, body = inline(DetailRef))))]
fn cancel_current() {}

#[utoipa::path(post, path = "/api/subscriptions/reactivate/", tag = TAG,
    summary = "Undo the current subscription's cancellation before its period ends",
    responses(
        (status = 200, description = "The subscription, `cancel_at_period_end` false", body = SubscriptionOut),
        (status = 400, description = REACTIVATE_REFUSED, body = SubscriptionRefusal),
        (status = 404, description = NO_CURRENT, body = inline(MissingOrGone)),
        (status = 409, description = PENDING_CHECKOUT, body = SubscriptionRefusal),
        (status = 502, description = STRIPE_REFUSED, body = SubscriptionRefusal),
        (status = 503, description = UNAVAILABLE, body = inline(DetailRef))))]
fn reactivate_current() {}

#[utoipa::path(post, path = "/api/subscriptions/change_plan/", tag = TAG,
    summary = "Move the current subscription to another plan now",
    request_body(content = SubscriptionPlanChange, description = "The plan"),
    responses(
        (status = 200, description = "The subscription on its new plan", body = SubscriptionOut),
        (status = 400, description = CHANGE_REFUSED, body = inline(RefusalOrUnparsed)),
        (status = 404, description = CHANGE_NOT_FOUND, body = inline(MissingOrUnknownPlan)),
        (status = 409, description = PENDING_CHECKOUT, body = SubscriptionRefusal),
        (status = 502, description = STRIPE_REFUSED, body = SubscriptionRefusal),
        (status = 503, description = UNAVAILABLE, body = inline(DetailRef))))]
fn change_plan_current() {}

#[utoipa::path(get, path = "/api/subscriptions/{id}/", tag = TAG,
    summary = "One of the caller's subscriptions",
    params(("id" = String, Path, description = ID)),
    responses((status = 200, description = "The subscription", body = SubscriptionOut)))]
fn detail() {}

#[utoipa::path(put, path = "/api/subscriptions/{id}/", tag = TAG,
    summary = "Set whether the subscription ends with its period (only `cancel_at_period_end`)",
    params(("id" = String, Path, description = ID)),
    request_body(content = SubscriptionWrite, description = "The flag"),
    responses(
        (status = 200, description = "The status and the flag after the change", body = SubscriptionUpdated),
        (status = 400, description = UPDATE_INVALID, body = inline(Invalid)),
        (status = 409, description = PENDING_CHECKOUT, body = SubscriptionRefusal),
        (status = 502, description = STRIPE_REFUSED, body = SubscriptionRefusal),
        (status = 503, description = UNAVAILABLE, body = inline(DetailRef))))]
fn update() {}

#[utoipa::path(patch, path = "/api/subscriptions/{id}/", tag = TAG,
    summary = "Set whether the subscription ends with its period (same as PUT)",
    params(("id" = String, Path, description = ID)),
    request_body(content = SubscriptionWrite, description = "The flag"),
    responses(
        (status = 200, description = "The status and the flag after the change", body = SubscriptionUpdated),
        (status = 400, description = UPDATE_INVALID, body = inline(Invalid)),
        (status = 409, description = PENDING_CHECKOUT, body = SubscriptionRefusal),
        (status = 502, description = STRIPE_REFUSED, body = SubscriptionRefusal),
        (status = 503, description = UNAVAILABLE, body = inline(DetailRef))))]
fn partial_update() {}

#[utoipa::path(delete, path = "/api/subscriptions/{id}/", tag = TAG,
    summary = "Delete a past subscription's record, or an abandoned checkout",
    params(("id" = String, Path, description = ID)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = DELETE_CONFLICT, body = inline(DetailRef)),
        (status = 502, description = STRIPE_REFUSED, body = SubscriptionRefusal),
        (status = 503, description = UNAVAILABLE, body = inline(DetailRef))))]
fn delete() {}

#[utoipa::path(post, path = "/api/subscriptions/{id}/cancel/", tag = TAG,
    summary = "End this subscription with its period",
    params(("id" = String, Path, description = ID)),
    responses(
        (status = 200, description = "The subscription, `cancel_at_period_end` true", body = SubscriptionOut),
        (status = 400, description = CANCEL_REFUSED, body = SubscriptionRefusal),
        (status = 409, description = PENDING_CHECKOUT, body = SubscriptionRefusal),
        (status = 502, description = STRIPE_REFUSED, body = SubscriptionRefusal),
        (status = 503, description = UNAVAILABLE, body = inline(DetailRef))))]
fn cancel() {}

#[utoipa::path(post, path = "/api/subscriptions/{id}/reactivate/", tag = TAG,
    summary = "Undo this subscription's cancellation before its period ends",
    params(("id" = String, Path, description = ID)),
    responses(
        (status = 200, description = "The subscription, `cancel_at_period_end` false", body = SubscriptionOut),
        (status = 400, description = REACTIVATE_REFUSED, body = SubscriptionRefusal),
        (status = 409, description = PENDING_CHECKOUT, body = SubscriptionRefusal),
        (status = 502, description = STRIPE_REFUSED, body = SubscriptionRefusal),
        (status = 503, description = UNAVAILABLE, body = inline(DetailRef))))]
fn reactivate() {}

#[utoipa::path(post, path = "/api/subscriptions/{id}/change_plan/", tag = TAG,
    summary = "Move this subscription to another plan now",
    params(("id" = String, Path, description = ID)),
    request_body(content = SubscriptionPlanChange, description = "The plan"),
    responses(
        (status = 200, description = "The subscription on its new plan", body = SubscriptionOut),
        (status = 400, description = CHANGE_REFUSED, body = inline(RefusalOrUnparsed)),
        (status = 404, description = CHANGE_NOT_FOUND, body = inline(GoneOrUnknownPlan)),
        (status = 409, description = PENDING_CHECKOUT, body = SubscriptionRefusal),
        (status = 502, description = STRIPE_REFUSED, body = SubscriptionRefusal),
        (status = 503, description = UNAVAILABLE, body = inline(DetailRef))))]
fn change_plan() {}

#[utoipa::path(post, path = "/api/subscriptions/billing_portal/", tag = TAG,
    summary = "A link to the billing portal (payment methods, invoices)",
    responses(
        (status = 200, description = "The portal's URL", body = SubscriptionPortal),
        (status = 404, description = "No Stripe customer yet", body = SubscriptionRefusal),
        (status = 502, description = STRIPE_REFUSED, body = SubscriptionRefusal),
        (status = 503, description = UNAVAILABLE, body = inline(DetailRef))))]
fn billing_portal() {}

#[derive(OpenApi)]
#[openapi(
    paths(
        list, create, active, stats, usage, cancel_current, reactivate_current,
        change_plan_current, detail, update, partial_update, delete, cancel, reactivate,
        change_plan, billing_portal
    ),
    components(schemas(
        SubscriptionOut, SubscriptionUserInfo, SubscriptionUpdated, SubscriptionCreate,
        SubscriptionPlanChange, SubscriptionWrite, SubscriptionPortal, SubscriptionUsage,
        SubscriptionUsagePlan, SubscriptionMonthUsage, SubscriptionStats,
        SubscriptionStatusCount, SubscriptionPlanCount, SubscriptionRefusal, SubscriptionMissing
    )),
    tags(
        (name = "subscriptions", description = "The caller's subscriptions to the plans (spec 10): a checkout through Stripe (or, on a server configured for it, the local checkout simulator), then billing's events set the status and the period; cancellation at the period's end, reactivation, plan changes, Stripe's billing portal, the month's usage, and the staff's counts. An account has at most one current subscription. An unknown subscription, or another user's, is a 404 `No Subscription matches the given query.`")
    )
)]
struct Doc;

/// This function's operations at their seed paths (`ALIASES` are applied
/// once the document is merged), with the query parameters and the
/// descriptions that quote the handlers' messages.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = Doc::openapi();
    set_parameters(
        &mut doc,
        "/api/subscriptions/",
        json!([
            query(
                "status",
                json!({"type": "string", "enum": with_empty(STATUSES)}),
                &format!(
                    "Only the subscriptions of this status ({}); empty is ignored; another value \
                     is a 400.",
                    quoted(STATUSES)
                ),
            ),
            query(
                "plan",
                json!({"type": "string"}),
                "Only the subscriptions of this plan (an id); empty is ignored; an unknown id selects nothing.",
            ),
            query(
                "cancel_at_period_end",
                json!({"type": "string"}),
                "`true`/`1` (any case): only the subscriptions that end with their period; `false`/`0`: only the others; any other value is ignored.",
            ),
            query(
                "ordering",
                json!({"type": "string"}),
                "`created_at` or `current_period_end`, `-` for descending, several separated by commas; unknown fields are ignored. Default `-created_at`.",
            ),
        ]),
    );
    describe(
        &mut doc,
        "/api/subscriptions/",
        "get",
        "Every subscription of the account, past ones included (staff too see only their own), \
         filtered and ordered, then paged."
            .into(),
    );
    describe(
        &mut doc,
        "/api/subscriptions/",
        "post",
        format!(
            "A subscription never grants a plan by itself: billing does. Through Stripe the \
             answer is `{INCOMPLETE}` with `checkout_url` (Stripe Checkout, the caller's Stripe \
             customer created once and kept) until Stripe's events make it `{ACTIVE}`. With the \
             local checkout simulator (`billing` `{BILLING_SIMULATED}`), the payment completes \
             before the answer: the subscription comes back `{ACTIVE}` with its period. An \
             account has at most one current subscription: one that grants a plan is a 409; an \
             unpaid checkout (`{INCOMPLETE}`) gives way to the new one (it becomes \
             `{EXPIRED}`; through Stripe its Checkout Session is expired first, and one paid \
             meanwhile is a 409, as is a simulated checkout started less than \
             {SIMULATED_CHECKOUT_SECONDS} s ago). A server with neither Stripe nor the \
             simulator sells nothing (503)."
        ),
    );
    set_response(
        &mut doc,
        "/api/subscriptions/",
        "post",
        "400",
        format!(
            "`plan`: `{}` (neither `plan` nor `plan_id` given), `{}` (unknown or inactive), \
             `{}` (the Free tier, or a price of 0), then, through Stripe, `{}` (the plan has no \
             Stripe price). `non_field_errors` for a body that is not an object, `detail` for \
             one that cannot be parsed.",
            says::REQUIRED,
            says::NOT_AVAILABLE,
            says::FREE_NEEDS_NONE,
            says::NOT_ONLINE
        ),
    );
    set_response(
        &mut doc,
        "/api/subscriptions/",
        "post",
        "409",
        format!(
            "A current subscription grants a plan (`{}`); the unpaid checkout that would give \
             way was paid meanwhile, or is a simulated one still under way (`{}`); or another \
             request changed the account's billing at the same time (`{}`, `{}`).",
            says::ALREADY,
            says::UNDER_WAY,
            says::STARTED_MEANWHILE,
            says::BILLING_CHANGED
        ),
    );
    let stripe_refused = "Stripe refused the request or answered something unusable (`error`: \
                          `The payment provider refused the request: ...`).";
    let unavailable = format!(
        "`detail` says why: `{}` (neither Stripe nor the simulator is configured, or a \
         subscription billed through Stripe on a server without it), `{}` (Stripe is \
         unreachable), or `{}` (a dependency is down).",
        says::BILLING_OFF,
        says::STRIPE_DOWN,
        says::UNAVAILABLE
    );
    let pending = format!(
        "The subscription is billed through Stripe and its checkout is not complete (`{}`).",
        says::CHECKOUT_OPEN
    );
    let billing_ops = [
        ("/api/subscriptions/", "post"),
        ("/api/subscriptions/cancel/", "post"),
        ("/api/subscriptions/reactivate/", "post"),
        ("/api/subscriptions/change_plan/", "post"),
        ("/api/subscriptions/{id}/", "put"),
        ("/api/subscriptions/{id}/", "patch"),
        ("/api/subscriptions/{id}/", "delete"),
        ("/api/subscriptions/{id}/cancel/", "post"),
        ("/api/subscriptions/{id}/reactivate/", "post"),
        ("/api/subscriptions/{id}/change_plan/", "post"),
        ("/api/subscriptions/billing_portal/", "post"),
    ];
    for (path, method) in billing_ops {
        set_response(&mut doc, path, method, "502", stripe_refused.into());
        set_response(&mut doc, path, method, "503", unavailable.clone());
        if method != "delete"
            && path != "/api/subscriptions/"
            && path != "/api/subscriptions/billing_portal/"
        {
            set_response(&mut doc, path, method, "409", pending.clone());
        }
    }
    describe(
        &mut doc,
        "/api/subscriptions/active/",
        "get",
        format!(
            "The caller's current subscription if it grants its plan: `{ACTIVE}`, `{TRIALING}` \
             or `{PAST_DUE}` (a late payment keeps the plan meanwhile)."
        ),
    );
    let no_current = format!(
        "No current subscription grants a plan (`message`: `{}`)",
        says::NO_ACTIVE
    );
    set_response(
        &mut doc,
        "/api/subscriptions/active/",
        "get",
        "404",
        no_current.clone(),
    );
    describe(
        &mut doc,
        "/api/subscriptions/stats/",
        "get",
        "Over every account, from counters the subscriptions' writes keep (no scan); the \
         rows of `by_status` and `by_plan` with a count of 0 are left out."
            .into(),
    );
    set_response(
        &mut doc,
        "/api/subscriptions/stats/",
        "get",
        "403",
        format!("The caller is not staff (`error`: `{}`)", says::ADMIN_ONLY),
    );
    describe(
        &mut doc,
        "/api/subscriptions/usage/",
        "get",
        format!(
            "The plan the caller holds (the `{FREE}` tier without a subscription that grants \
             one), its limits as the functions that create resources enforce them (null: \
             unlimited), and this month's counters."
        ),
    );
    let cancels = "The subscription ends with its period (`cancel_at_period_end` true, \
                   `cancelled_at` set): billing is told (Stripe, or the simulator's event); \
                   nothing is refunded and the plan is kept until `current_period_end`. Already \
                   set: nothing changes.";
    describe(
        &mut doc,
        "/api/subscriptions/cancel/",
        "post",
        format!(
            "Acts on the caller's subscription that grants its plan. {cancels} No body is read."
        ),
    );
    describe(
        &mut doc,
        "/api/subscriptions/{id}/cancel/",
        "post",
        format!("{cancels} No body is read."),
    );
    set_response(
        &mut doc,
        "/api/subscriptions/{id}/cancel/",
        "post",
        "400",
        format!(
            "The subscription does not grant its plan (`error`: `{}`)",
            says::CANCEL_INACTIVE
        ),
    );
    let reactivates = "The subscription renews again (`cancel_at_period_end` false): billing \
                       is told (Stripe, or the simulator's event).";
    describe(
        &mut doc,
        "/api/subscriptions/reactivate/",
        "post",
        format!(
            "Acts on the caller's subscription that grants its plan. {reactivates} No body is \
             read."
        ),
    );
    describe(
        &mut doc,
        "/api/subscriptions/{id}/reactivate/",
        "post",
        format!("{reactivates} No body is read."),
    );
    set_response(
        &mut doc,
        "/api/subscriptions/reactivate/",
        "post",
        "400",
        format!(
            "The subscription is not set to end (`error`: `{}`)",
            says::NOT_SCHEDULED
        ),
    );
    set_response(
        &mut doc,
        "/api/subscriptions/{id}/reactivate/",
        "post",
        "400",
        format!(
            "The subscription is not set to end (`error`: `{}`), or it no longer grants its plan \
             (`{}`)",
            says::NOT_SCHEDULED,
            says::REACTIVATE_INACTIVE
        ),
    );
    for path in [
        "/api/subscriptions/cancel/",
        "/api/subscriptions/reactivate/",
    ] {
        set_response(
            &mut doc,
            path,
            "post",
            "404",
            format!(
                "{no_current}, or it went meanwhile (`No Subscription matches the given query.`)"
            ),
        );
    }
    let changes = "The subscription moves to the plan now: through Stripe, its item's price \
                   changes (Stripe prorates) and Stripe's answer is applied at once; with the \
                   simulator, the event Stripe would send is delivered.";
    describe(
        &mut doc,
        "/api/subscriptions/change_plan/",
        "post",
        format!("Acts on the caller's subscription that grants its plan, found first. {changes}"),
    );
    describe(
        &mut doc,
        "/api/subscriptions/{id}/change_plan/",
        "post",
        changes.into(),
    );
    let change_refusals = |inactive: bool| {
        let inactive = if inactive {
            format!("`{}`, ", says::CHANGE_INACTIVE)
        } else {
            String::new()
        };
        format!(
            "`error`: `{}` (neither `plan_id` nor `plan` given), then {inactive}`{}`, `{}`, and \
             through Stripe `{}` (the plan has no Stripe price). `non_field_errors` for a body \
             that is not an object, `detail` for one that cannot be parsed.",
            says::PLAN_ID_REQUIRED,
            says::TO_FREE,
            says::SAME_PLAN,
            says::NOT_ONLINE
        )
    };
    set_response(
        &mut doc,
        "/api/subscriptions/change_plan/",
        "post",
        "400",
        change_refusals(false),
    );
    set_response(
        &mut doc,
        "/api/subscriptions/{id}/change_plan/",
        "post",
        "400",
        change_refusals(true),
    );
    set_response(
        &mut doc,
        "/api/subscriptions/change_plan/",
        "post",
        "404",
        format!(
            "{no_current}; then an unknown or inactive plan (`error`: `{}`); or the subscription \
             went meanwhile (`detail`)",
            says::PLAN_NOT_FOUND
        ),
    );
    set_response(
        &mut doc,
        "/api/subscriptions/{id}/change_plan/",
        "post",
        "404",
        format!(
            "Not one of the caller's subscriptions (`detail`: `No Subscription matches the given \
             query.`); then an unknown or inactive plan (`error`: `{}`)",
            says::PLAN_NOT_FOUND
        ),
    );
    for (path, method) in [
        ("/api/subscriptions/change_plan/", "post"),
        ("/api/subscriptions/{id}/change_plan/", "post"),
    ] {
        set_response(
            &mut doc,
            path,
            method,
            "502",
            format!(
                "{stripe_refused} Also `{}` when Stripe's subscription has no item to change.",
                says::NO_ITEM
            ),
        );
    }
    for method in ["put", "patch"] {
        describe(
            &mut doc,
            "/api/subscriptions/{id}/",
            method,
            "Only `cancel_at_period_end`, which billing applies as `cancel/` or `reactivate/` \
             do; the status is server-controlled. A body that names `status` is refused \
             whatever its value. Nothing to change: the state as it is."
                .into(),
        );
        set_response(
            &mut doc,
            "/api/subscriptions/{id}/",
            method,
            "400",
            format!(
                "`status`: `{}` (any value); `cancel_at_period_end`: `{}`, or `{}` (a change \
                 asked of a subscription that does not grant its plan). `non_field_errors` \
                 for a body that is not an object, `detail` for one that cannot be parsed.",
                says::STATUS_IS_BILLINGS,
                says::NOT_A_BOOLEAN,
                says::FLAG_INACTIVE
            ),
        );
    }
    describe(
        &mut doc,
        "/api/subscriptions/{id}/",
        "delete",
        format!(
            "A past subscription's record (`{CANCELLED}`, `{EXPIRED}`), or an unpaid checkout \
             (`{INCOMPLETE}`: through Stripe its Checkout Session is expired first, so it can \
             no longer be paid; then it stops being current). One that grants its plan is \
             cancelled instead: deleting the record would not stop billing from renewing it."
        ),
    );
    set_response(
        &mut doc,
        "/api/subscriptions/{id}/",
        "delete",
        "409",
        format!(
            "The subscription grants its plan (`{}`); an unpaid checkout that was paid \
             meanwhile, or a simulated one still under way (`{}`); or it changed meanwhile \
             (`{}`)",
            says::DELETE_ACTIVE,
            says::UNDER_WAY,
            says::CHANGED_MEANWHILE
        ),
    );
    describe(
        &mut doc,
        "/api/subscriptions/billing_portal/",
        "post",
        format!(
            "Through Stripe: a customer portal session for the caller's Stripe customer, which \
             returns to the web app's subscription page. With the simulator (`billing` \
             `{BILLING_SIMULATED}`): that page itself. No body is read."
        ),
    );
    set_response(
        &mut doc,
        "/api/subscriptions/billing_portal/",
        "post",
        "404",
        format!(
            "Through Stripe, the caller has no Stripe customer yet (`error`: `{}`)",
            says::NO_CUSTOMER
        ),
    );
    doc
}

/// The values of a `choice_filter`, and the empty one it ignores.
fn with_empty<'a>(values: &[&'a str]) -> Vec<&'a str> {
    let mut all = values.to_vec();
    all.push("");
    all
}

fn query(name: &str, schema: Value, description: &str) -> Value {
    json!({
        "name": name,
        "in": "query",
        "required": false,
        "description": description,
        "schema": schema,
    })
}

fn operation<'a>(
    doc: &'a mut utoipa::openapi::OpenApi,
    path: &str,
    method: &str,
) -> &'a mut utoipa::openapi::path::Operation {
    let item = doc
        .paths
        .paths
        .get_mut(path)
        .unwrap_or_else(|| panic!("{path} is documented"));
    let op = match method {
        "get" => item.get.as_mut(),
        "post" => item.post.as_mut(),
        "put" => item.put.as_mut(),
        "patch" => item.patch.as_mut(),
        "delete" => item.delete.as_mut(),
        _ => None,
    };
    op.unwrap_or_else(|| panic!("{method} {path} is documented"))
}

fn set_parameters(doc: &mut utoipa::openapi::OpenApi, path: &str, params: Value) {
    let params: Vec<utoipa::openapi::path::Parameter> =
        serde_json::from_value(params).expect("valid parameters");
    let op = operation(doc, path, "get");
    op.parameters.get_or_insert_with(Vec::new).extend(params);
}

fn describe(doc: &mut utoipa::openapi::OpenApi, path: &str, method: &str, text: String) {
    operation(doc, path, method).description = Some(text);
}

/// Sets the description of a response the operation declares.
fn set_response(
    doc: &mut utoipa::openapi::OpenApi,
    path: &str,
    method: &str,
    status: &str,
    text: String,
) {
    let responses = &mut operation(doc, path, method).responses.responses;
    match responses.get_mut(status) {
        Some(RefOr::T(response)) => response.description = text,
        _ => panic!("{method} {path} declares its {status}"),
    }
}

/// The reference's other spelling of the portal (the router's
/// `at(router, &[seed, alias], ...)`).
pub const ALIASES: &[shared::openapi::Alias] = &[(
    "/api/subscriptions/billing_portal/",
    "/api/subscriptions/portal/",
    &["post"],
)];

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};
    use shared::domain::subscriptions::{Subscription, BILLING_STRIPE, STATUSES};
    use shared::domain::users::User;

    fn doc() -> Value {
        serde_json::to_value(super::openapi()).unwrap()
    }

    fn schemas() -> Value {
        doc()["components"]["schemas"].clone()
    }

    /// The names of an object's members, sorted.
    fn keys(value: &Value) -> Vec<String> {
        let mut names: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
        names.sort();
        names
    }

    fn properties(schema: &Value) -> Vec<String> {
        keys(&schema["properties"])
    }

    fn required(schema: &Value) -> Vec<String> {
        let mut names: Vec<String> = schema["required"]
            .as_array()
            .map(|r| r.iter().map(|v| v.as_str().unwrap().to_string()).collect())
            .unwrap_or_default();
        names.sort();
        names
    }

    #[test]
    fn the_document_has_every_operation_of_the_router() {
        let doc = doc();
        let paths = doc["paths"].as_object().unwrap();
        assert_eq!(paths.len(), 12);
        let operations: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
        assert_eq!(operations, 16);
        // Every path the router declares is documented, or an alias.
        let source = include_str!("lib.rs");
        let declared: Vec<String> = source
            .split('"')
            .skip(1)
            .step_by(2)
            .filter(|literal| literal.starts_with("/api/"))
            .map(|literal| format!("{literal}/"))
            .collect();
        for path in &declared {
            let alias = super::ALIASES.iter().any(|(_, a, _)| a == path);
            assert!(paths.contains_key(path) != alias, "{path}");
        }
        assert_eq!(declared.len(), paths.len() + super::ALIASES.len());
        for (seed, path, methods) in super::ALIASES {
            assert!(!paths.contains_key(*path), "{path} is an alias");
            for method in *methods {
                assert!(paths[*seed].get(*method).is_some(), "{method} {seed}");
            }
        }
        for name in keys(&doc["components"]["schemas"]) {
            assert!(
                name.starts_with("Subscription"),
                "{name}: the merged document shares one namespace of schemas"
            );
        }
        // Every operation reads a token (the default rule).
        for (path, item) in paths {
            for (method, op) in item.as_object().unwrap() {
                assert!(op.get("security").is_none(), "{method} {path}");
            }
        }
    }

    /// The representation's fields are the ones `to_json` writes, all of
    /// them required (a field is always there, null or not).
    #[test]
    fn the_subscription_has_the_representations_fields() {
        let schemas = schemas();
        let now = shared::time::now();
        let user = User::new("a@example.com", "A".into(), "B".into(), "x".into(), now);
        let sub = Subscription::new(&user.id, "p", BILLING_STRIPE);
        let value = sub.to_json(&user, None, now);
        assert_eq!(properties(&schemas["Subscription"]), keys(&value));
        assert_eq!(required(&schemas["Subscription"]), keys(&value));
        let info = &schemas["SubscriptionUserInfo"];
        assert_eq!(properties(info), keys(&value["user_info"]));
        assert_eq!(required(info), keys(&value["user_info"]));
        let props = &schemas["Subscription"]["properties"];
        assert_eq!(props["status"]["enum"], json!(STATUSES));
        assert_eq!(props["billing"]["enum"], json!(super::BILLINGS));
        assert_eq!(
            schemas["SubscriptionUpdated"]["properties"]["status"]["enum"],
            json!(STATUSES)
        );
        // The month's counters are `MonthUsage`'s fields.
        let usage = serde_json::to_value(shared::store::billing::MonthUsage::default()).unwrap();
        let month = &schemas["SubscriptionMonthUsage"];
        assert_eq!(properties(month), keys(&usage));
        assert_eq!(required(month), keys(&usage));
        assert_eq!(
            shared::store::billing::usage_month(&now).len(),
            "2026-11".len()
        );
    }

    /// Every message the descriptions quote is one the handlers answer.
    #[test]
    fn the_quoted_messages_are_the_handlers() {
        let handlers = include_str!("handlers.rs");
        for message in super::says::ALL {
            assert!(handlers.contains(message), "{message}");
        }
        assert!(handlers.contains("): change its plan with change_plan/ or cancel it."));
        assert!(handlers.contains(&format!(
            "const SIMULATED_CHECKOUT_SECONDS: i64 = {};",
            super::SIMULATED_CHECKOUT_SECONDS
        )));
        let provider = include_str!("provider.rs");
        assert!(provider.contains("The payment provider refused the request: {message}"));
        assert!(provider.contains(super::says::STRIPE_DOWN));
        let response = include_str!("../../../shared/src/http/response.rs");
        assert!(response.contains(super::says::UNAVAILABLE));
        // The body fields a handler reads.
        for field in [
            "\"plan\", \"plan_id\"",
            "\"cancel_at_period_end\"",
            "\"status\"",
        ] {
            assert!(handlers.contains(field), "{field}");
        }
    }

    #[test]
    fn every_query_parameter_is_described() {
        let doc = doc();
        let mut seen = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                for p in op["parameters"].as_array().into_iter().flatten() {
                    seen += 1;
                    assert!(
                        p["description"].as_str().is_some_and(|d| !d.is_empty()),
                        "{method} {path} {}",
                        p["name"]
                    );
                }
            }
        }
        // 4 query parameters, and `id` on 7 operations.
        assert_eq!(seen, 11);
    }
}
