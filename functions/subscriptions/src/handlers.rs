//! The subscription endpoints (spec 10.2, with the changes): a
//! create starts a checkout and never grants a plan by itself; status and
//! periods come from billing (Stripe's events, or the simulator's); the
//! collection-level `cancel/`, `reactivate/`, `change_plan/` act on the
//! caller's current subscription, the `{id}/...` forms on that one.

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{json, Value};
use shared::auth::CurrentUser;
use shared::domain::plans::{Limit, Limits, Plan, FREE};
use shared::domain::subscriptions::{self as subs, Subscription};
use shared::domain::users::User;
use shared::http::listing::{bool_filter, choice_filter, ordering, sort, SortKey};
use shared::http::pagination::RequestUrl;
use shared::http::validate::parse_bool;
use shared::http::{created, no_content, ok, JsonBody, Page};
use shared::store::billing::{
    CURRENT_FREE, CUSTOMER_FREE, NEW_SUBSCRIPTION, PLAN_AVAILABLE, SUBSCRIPTION_AS_READ,
};
use shared::store::WriteError;
use shared::usecases::stripe_events::subscription_writes;
use shared::{time, Error, Result};

use crate::provider::{self, Provider};
use crate::SubscriptionsState;

const NOT_FOUND: Error = Error::NotFound(Some("Subscription"));
const ORDERING_FIELDS: &[&str] = &["created_at", "current_period_end"];

fn no_active() -> Error {
    Error::Body {
        status: 404,
        body: json!({"message": "No active subscription found."}),
    }
}

fn plan_error(message: &str) -> Error {
    Error::field("plan", message)
}

/// A 503 that says why (the generic one says "retry shortly", which
/// would not help here).
fn billing_off() -> Error {
    Error::Body {
        status: 503,
        body: json!({"detail": "Billing is not configured on this server: subscriptions cannot be bought."}),
    }
}

/// The caller's subscription `id` (404 for anyone else's).
async fn owned(state: &SubscriptionsState, user: &User, id: &str) -> Result<Subscription> {
    if id.len() > 100 {
        return Err(NOT_FOUND);
    }
    state
        .store
        .billing()
        .get(&user.id, id)
        .await?
        .ok_or(NOT_FOUND)
}

/// The caller's current subscription that grants its plan.
async fn granting(state: &SubscriptionsState, user: &User) -> Result<Subscription> {
    state
        .store
        .billing()
        .subscriptions(&user.id)
        .await?
        .into_iter()
        .find(Subscription::grants_plan)
        .ok_or_else(no_active)
}

async fn present(state: &SubscriptionsState, user: &User, sub: &Subscription) -> Result<Value> {
    let plan = state.store.plans().get(&sub.plan_id).await?;
    Ok(sub.to_json(user, plan.as_ref(), time::now()))
}

/// Reads the subscription again after a change and shows it.
async fn reread(state: &SubscriptionsState, user: &User, id: &str) -> Result<Response> {
    let sub = owned(state, user, id).await?;
    Ok(ok(present(state, user, &sub).await?))
}

fn sort_key(s: &Subscription, field: &str) -> SortKey {
    match field {
        "current_period_end" => s.current_period_end.map_or(SortKey::Null, SortKey::Time),
        _ => SortKey::Time(s.created_at),
    }
}

/// `GET /api/subscriptions/`: the caller's, newest first; filters
/// `status`, `plan`, `cancel_at_period_end`; ordering `created_at`,
/// `current_period_end`.
pub async fn list(
    State(state): State<SubscriptionsState>,
    CurrentUser(user): CurrentUser,
    url: RequestUrl,
) -> Result<Response> {
    let status = choice_filter(&url, "status", subs::STATUSES)?;
    let plan = url.param("plan").filter(|p| !p.is_empty());
    let flag = bool_filter(&url, "cancel_at_period_end");
    let (billing, catalogue) = (state.store.billing(), state.store.plans());
    let (mut found, plans) = tokio::try_join!(billing.subscriptions(&user.id), catalogue.all())?;
    found.retain(|s| {
        status.is_none_or(|st| s.status == st)
            && plan.is_none_or(|p| s.plan_id == p)
            && flag.is_none_or(|f| s.cancel_at_period_end == f)
    });
    sort(
        &mut found,
        &ordering(&url, ORDERING_FIELDS, &["-created_at"]),
        sort_key,
    );
    let now = time::now();
    let rows: Vec<Value> = found
        .iter()
        .map(|s| s.to_json(&user, plans.iter().find(|p| p.id == s.plan_id), now))
        .collect();
    Ok(ok(Page::paginate(rows, &url)?))
}

/// The plan a body names (`plan`, or `plan_id` as `change_plan/` takes it).
fn named_plan(body: &JsonBody) -> Option<String> {
    ["plan", "plan_id"]
        .iter()
        .find_map(|k| match body.0.get(*k) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        })
}

/// An active plan that is sold (not Free), or `None`.
async fn sold_plan(state: &SubscriptionsState, id: &str) -> Result<Option<Plan>> {
    if id.len() > 100 {
        return Ok(None);
    }
    Ok(state.store.plans().get(id).await?.filter(|p| p.is_active))
}

/// `POST /api/subscriptions/` `{plan}`: starts a checkout. With Stripe,
/// the answer carries the Checkout URL and the subscription stays
/// `incomplete` until Stripe's events activate it; with the simulator,
/// the payment completes before the answer (`billing: simulated`).
pub async fn create(
    State(state): State<SubscriptionsState>,
    CurrentUser(user): CurrentUser,
    body: JsonBody,
) -> Result<Response> {
    let Some(plan_id) = named_plan(&body) else {
        return Err(plan_error("This field is required."));
    };
    let plan = sold_plan(&state, &plan_id)
        .await?
        .ok_or_else(|| plan_error("This plan is not available."))?;
    if plan.tier == FREE || plan.price == 0 {
        return Err(plan_error(
            "The Free plan needs no subscription: it is what an account has without one.",
        ));
    }
    let billing = state.store.billing();
    let (existing, customer) =
        tokio::try_join!(billing.subscriptions(&user.id), billing.customer(&user.id))?;
    let current = existing.into_iter().find(Subscription::is_current);
    if let Some(c) = current.as_ref().filter(|c| c.status != subs::INCOMPLETE) {
        return Err(Error::Conflict(format!(
            "You already have a subscription ({}): change its plan with change_plan/ or cancel it.",
            c.status
        )));
    }
    if let Some(abandoned) = &current {
        abandon_checkout(&state, abandoned).await?;
    }
    let kind = match &state.provider {
        Provider::Off => return Err(billing_off()),
        Provider::Stripe(_) => subs::BILLING_STRIPE,
        Provider::Simulator(_) => subs::BILLING_SIMULATED,
    };
    let mut sub = Subscription::new(&user.id, &plan.id, kind);
    if let Provider::Stripe(client) = &state.provider {
        let price = plan
            .stripe_price_id
            .clone()
            .ok_or_else(|| plan_error("This plan cannot be bought online yet."))?;
        let customer = match customer {
            Some(c) => c,
            None => {
                // Recorded at once: a checkout that fails next reuses it.
                let c = provider::stripe_customer(client, &user).await?;
                match state
                    .store
                    .transact(billing.tx_customer(&user.id, &c)?)
                    .await
                {
                    Ok(()) => c,
                    // Another request recorded one meanwhile: that one.
                    Err(WriteError::Conditions(_)) => billing
                        .customer(&user.id)
                        .await?
                        .ok_or_else(|| Error::Conflict("Retry.".into()))?,
                    Err(WriteError::Other(e)) => return Err(e),
                }
            }
        };
        let (session, url) =
            provider::stripe_checkout(client, &sub, &customer, &price, &state.frontend_url).await?;
        sub.stripe_customer_id = Some(customer);
        sub.checkout_session_id = Some(session);
        sub.checkout_url = Some(url);
    }
    // An abandoned checkout gives way to the new one.
    let replaced = current.map(|before| {
        let mut after = before.clone();
        after.status = subs::EXPIRED.into();
        after.checkout_url = None;
        after.updated_at = time::now();
        (before, after)
    });
    let writes = billing.tx_start(&sub, replaced.as_ref().map(|(b, a)| (b, a)))?;
    match commit_with_retries(&state, writes).await {
        Ok(()) => {}
        Err(WriteError::Conditions(failed)) => {
            return Err(if failed.has(PLAN_AVAILABLE) {
                plan_error("This plan is not available.")
            } else if failed.has(CURRENT_FREE) || failed.has(SUBSCRIPTION_AS_READ) {
                Error::Conflict(
                    "Another subscription was started at the same time; reload and retry.".into(),
                )
            } else if failed.has(CUSTOMER_FREE) || failed.has(NEW_SUBSCRIPTION) {
                Error::Conflict("A concurrent request changed your billing; retry.".into())
            } else {
                Error::internal(format!("subscription start refused: {failed}"))
            })
        }
        Err(WriteError::Other(e)) => return Err(e),
    }
    if let Provider::Simulator(simulator) = &state.provider {
        simulator.checkout(&state.store, &sub, &plan).await?;
        sub = owned(&state, &user, &sub.id).await?;
    }
    Ok(created(present(&state, &user, &sub).await?))
}

/// How long a simulated checkout is "under way" (it completes within the
/// request that started it; one older than this failed part way).
const SIMULATED_CHECKOUT_SECONDS: i64 = 60;

/// Makes sure an unpaid checkout can no longer be paid before it gives
/// way: Stripe's session is expired (a session paid meanwhile is a 409:
/// its subscription is about to be active).
async fn abandon_checkout(state: &SubscriptionsState, checkout: &Subscription) -> Result<()> {
    let under_way = || {
        Error::Conflict(
            "Your previous checkout was just paid or is still under way; reload your subscriptions."
                .into(),
        )
    };
    if checkout.billing == subs::BILLING_SIMULATED {
        let age = time::now() - checkout.created_at;
        if age.num_seconds() < SIMULATED_CHECKOUT_SECONDS {
            return Err(under_way());
        }
        return Ok(());
    }
    let (Provider::Stripe(client), Some(session)) =
        (&state.provider, checkout.checkout_session_id.as_deref())
    else {
        return Err(billing_off());
    };
    if provider::stripe_expire_checkout(client, session).await? {
        Ok(())
    } else {
        Err(under_way())
    }
}

/// Commits `writes`, again when the transaction was cancelled by another
/// one touching the same shared item (a plan's count, the stats) at the
/// same moment: nothing was wrong with it.
async fn commit_with_retries(
    state: &SubscriptionsState,
    writes: Vec<shared::store::Write>,
) -> std::result::Result<(), WriteError> {
    let mut attempt = 1;
    loop {
        match state.store.transact(writes.clone()).await {
            Err(e) if e.is_contention() && attempt < 4 => {
                tokio::time::sleep(std::time::Duration::from_millis(20 * attempt)).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// `GET /api/subscriptions/active/`: the subscription that grants the
/// caller's plan.
pub async fn active(
    State(state): State<SubscriptionsState>,
    CurrentUser(user): CurrentUser,
) -> Result<Response> {
    let sub = granting(&state, &user).await?;
    Ok(ok(present(&state, &user, &sub).await?))
}

/// The change asked of billing.
enum Change {
    CancelAtPeriodEnd(bool),
    Plan(Box<Plan>),
}

/// Makes billing apply `change` to `sub`: Stripe's answer is applied at
/// once (its events, arriving later, find the same state); the simulator
/// delivers the event Stripe would send.
async fn apply(state: &SubscriptionsState, sub: &Subscription, change: Change) -> Result<()> {
    let store = &state.store;
    if sub.billing == subs::BILLING_SIMULATED {
        // Only where the simulator is on: elsewhere a simulated record
        // would be a free plan change.
        let Provider::Simulator(simulator) = &state.provider else {
            return Err(billing_off());
        };
        let (plan, cancel) = match change {
            Change::CancelAtPeriodEnd(flag) => {
                let plan = store.plans().get(&sub.plan_id).await?.ok_or(NOT_FOUND)?;
                (plan, flag)
            }
            Change::Plan(plan) => (*plan, sub.cancel_at_period_end),
        };
        return simulator.update(store, sub, &plan, cancel).await;
    }
    let Provider::Stripe(client) = &state.provider else {
        return Err(billing_off());
    };
    let stripe_id = sub.stripe_subscription_id.as_deref().ok_or_else(|| {
        Error::message(
            409,
            "The checkout of this subscription is not complete yet.",
        )
    })?;
    let key = format!("{}-v{}", sub.id, sub.version);
    let object = match change {
        Change::CancelAtPeriodEnd(flag) => {
            provider::stripe_update(
                client,
                stripe_id,
                vec![("cancel_at_period_end".into(), flag.to_string())],
                &format!("cancel-{flag}-{key}"),
            )
            .await?
        }
        Change::Plan(plan) => {
            let price = plan
                .stripe_price_id
                .clone()
                .ok_or_else(|| Error::message(400, "This plan cannot be bought online yet."))?;
            let current = provider::stripe_subscription(client, stripe_id).await?;
            let item = current["items"]["data"][0]["id"]
                .as_str()
                .ok_or_else(|| Error::message(502, "The Stripe subscription has no item."))?
                .to_string();
            provider::stripe_update(
                client,
                stripe_id,
                vec![
                    ("items[0][id]".into(), item),
                    ("items[0][price]".into(), price),
                    ("proration_behavior".into(), "create_prorations".into()),
                    // The new plan only once its invoice is paid (never a
                    // plan kept through a failed payment).
                    ("payment_behavior".into(), "pending_if_incomplete".into()),
                    ("metadata[plan_id]".into(), plan.id.clone()),
                ],
                &format!("plan-{}-{key}", plan.id),
            )
            .await?
        }
    };
    if let Some(writes) = subscription_writes(store, sub, &object, sub.stripe_event_at).await? {
        match store.transact(writes).await {
            // A webhook event applied meanwhile: it holds Stripe's state.
            Ok(()) | Err(WriteError::Conditions(_)) => {}
            Err(WriteError::Other(e)) => return Err(e),
        }
    }
    Ok(())
}

async fn cancel_one(
    state: &SubscriptionsState,
    user: &User,
    sub: Subscription,
) -> Result<Response> {
    if !sub.grants_plan() {
        return Err(Error::message(
            400,
            "Only active subscriptions can be cancelled.",
        ));
    }
    if !sub.cancel_at_period_end {
        apply(state, &sub, Change::CancelAtPeriodEnd(true)).await?;
    }
    reread(state, user, &sub.id).await
}

async fn reactivate_one(
    state: &SubscriptionsState,
    user: &User,
    sub: Subscription,
) -> Result<Response> {
    if !sub.cancel_at_period_end {
        return Err(Error::message(
            400,
            "Subscription is not scheduled for cancellation.",
        ));
    }
    if !sub.grants_plan() {
        return Err(Error::message(
            400,
            "Only active subscriptions can be reactivated.",
        ));
    }
    apply(state, &sub, Change::CancelAtPeriodEnd(false)).await?;
    reread(state, user, &sub.id).await
}

/// `POST /api/subscriptions/cancel/`: the current subscription ends at
/// the end of its period (Stripe is told; nothing is refunded).
pub async fn cancel_current(
    State(state): State<SubscriptionsState>,
    CurrentUser(user): CurrentUser,
) -> Result<Response> {
    let sub = granting(&state, &user).await?;
    cancel_one(&state, &user, sub).await
}

pub async fn cancel(
    State(state): State<SubscriptionsState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    let sub = owned(&state, &user, &id).await?;
    cancel_one(&state, &user, sub).await
}

/// `POST /api/subscriptions/reactivate/`: undoes a cancellation before
/// the period ends.
pub async fn reactivate_current(
    State(state): State<SubscriptionsState>,
    CurrentUser(user): CurrentUser,
) -> Result<Response> {
    let sub = granting(&state, &user).await?;
    reactivate_one(&state, &user, sub).await
}

pub async fn reactivate(
    State(state): State<SubscriptionsState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    let sub = owned(&state, &user, &id).await?;
    reactivate_one(&state, &user, sub).await
}

async fn change_plan_one(
    state: &SubscriptionsState,
    user: &User,
    sub: Subscription,
    body: &JsonBody,
) -> Result<Response> {
    let plan_id = named_plan(body).ok_or_else(|| Error::message(400, "plan_id is required."))?;
    let plan = sold_plan(state, &plan_id)
        .await?
        .ok_or_else(|| Error::message(404, "Plan not found or inactive."))?;
    if !sub.grants_plan() {
        return Err(Error::message(
            400,
            "Only active subscriptions can change plan.",
        ));
    }
    if plan.tier == FREE || plan.price == 0 {
        return Err(Error::message(
            400,
            "To move to the Free plan, cancel the subscription: it ends with its period.",
        ));
    }
    if plan.id == sub.plan_id {
        return Err(Error::message(
            400,
            "The subscription is already on this plan.",
        ));
    }
    apply(state, &sub, Change::Plan(Box::new(plan))).await?;
    reread(state, user, &sub.id).await
}

/// `POST /api/subscriptions/change_plan/` `{plan_id}`: the current
/// subscription moves to another plan now (Stripe prorates).
pub async fn change_plan_current(
    State(state): State<SubscriptionsState>,
    CurrentUser(user): CurrentUser,
    body: JsonBody,
) -> Result<Response> {
    // The body's fault first, as the `{id}` form answers it.
    if named_plan(&body).is_none() {
        return Err(Error::message(400, "plan_id is required."));
    }
    let sub = granting(&state, &user).await?;
    change_plan_one(&state, &user, sub, &body).await
}

pub async fn change_plan(
    State(state): State<SubscriptionsState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Response> {
    let sub = owned(&state, &user, &id).await?;
    change_plan_one(&state, &user, sub, &body).await
}

pub async fn detail(
    State(state): State<SubscriptionsState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    let sub = owned(&state, &user, &id).await?;
    Ok(ok(present(&state, &user, &sub).await?))
}

/// `PUT`/`PATCH /api/subscriptions/{id}/`: only `cancel_at_period_end`
/// (the same as `cancel/` and `reactivate/`); the status is billing's.
/// Answers `SubscriptionUpdated`.
pub async fn update(
    State(state): State<SubscriptionsState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Response> {
    let sub = owned(&state, &user, &id).await?;
    if body.0.contains_key("status") {
        return Err(Error::field(
            "status",
            "The status is set by billing: use cancel/ or reactivate/.",
        ));
    }
    let wanted = match body.0.get("cancel_at_period_end") {
        None => None,
        Some(raw) => Some(
            parse_bool(raw)
                .ok_or_else(|| Error::field("cancel_at_period_end", "Must be a valid boolean."))?,
        ),
    };
    if let Some(flag) = wanted.filter(|f| *f != sub.cancel_at_period_end) {
        if !sub.grants_plan() {
            return Err(Error::field(
                "cancel_at_period_end",
                "Only an active subscription can be cancelled or reactivated.",
            ));
        }
        apply(&state, &sub, Change::CancelAtPeriodEnd(flag)).await?;
    }
    let sub = owned(&state, &user, &id).await?;
    Ok(ok(json!({
        "status": sub.status,
        "cancel_at_period_end": sub.cancel_at_period_end,
    })))
}

/// `DELETE /api/subscriptions/{id}/`: a past subscription's record, or an
/// abandoned checkout. One that still grants its plan is cancelled first
/// (409): deleting a record would not stop Stripe from renewing it.
pub async fn delete(
    State(state): State<SubscriptionsState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    let sub = owned(&state, &user, &id).await?;
    if sub.grants_plan() {
        return Err(Error::Conflict(
            "This subscription is active: cancel it first (it ends with its period).".into(),
        ));
    }
    let billing = state.store.billing();
    let refused =
        || Error::Conflict("The subscription changed meanwhile; reload and retry.".into());
    let mut gone = sub.clone();
    if sub.is_current() {
        // An abandoned checkout: it can no longer be paid, then it stops
        // being current.
        abandon_checkout(&state, &sub).await?;
        let mut after = sub.clone();
        after.status = subs::EXPIRED.into();
        after.checkout_url = None;
        after.updated_at = time::now();
        billing
            .transition(&sub, &after, None)
            .await
            .map_err(|e| match e {
                WriteError::Conditions(_) => refused(),
                WriteError::Other(e) => e,
            })?;
        gone.version += 1;
    }
    billing.delete(&gone).await.map_err(|e| match e {
        WriteError::Conditions(_) => refused(),
        WriteError::Other(e) => e,
    })?;
    Ok(no_content())
}

/// `POST /api/subscriptions/billing_portal/`: where the customer manages
/// payment methods and invoices (Stripe's customer portal).
pub async fn billing_portal(
    State(state): State<SubscriptionsState>,
    CurrentUser(user): CurrentUser,
) -> Result<Response> {
    let return_url = format!("{}/settings/subscription", state.frontend_url);
    match &state.provider {
        Provider::Off => Err(billing_off()),
        Provider::Simulator(_) => Ok(ok(json!({
            "url": format!("{return_url}?portal=simulated"),
            "billing": subs::BILLING_SIMULATED,
        }))),
        Provider::Stripe(client) => {
            let customer = state
                .store
                .billing()
                .customer(&user.id)
                .await?
                .ok_or_else(|| {
                    Error::message(404, "No billing account yet: subscribe to a plan first.")
                })?;
            let url = provider::stripe_portal(client, &customer, &return_url).await?;
            Ok(ok(json!({"url": url, "billing": subs::BILLING_STRIPE})))
        }
    }
}

fn shown(limit: Limit) -> Value {
    match limit {
        Limit::AtMost(n) => json!(n),
        Limit::Unlimited => Value::Null,
    }
}

/// `GET /api/subscriptions/usage/`: the caller's plan, its limits (null:
/// unlimited) and what this month's quotas counted.
pub async fn usage(
    State(state): State<SubscriptionsState>,
    CurrentUser(user): CurrentUser,
) -> Result<Response> {
    let usage = state.store.billing().usage(&user.id, &time::now()).await?;
    let limits: Limits = user.limits();
    let plan = match &user.plan {
        Some(g) => json!({"id": g.plan_id, "name": g.name, "tier": g.tier}),
        None => json!({"id": null, "name": "Free", "tier": FREE}),
    };
    Ok(ok(json!({
        "plan": plan,
        "limits": {
            "vehicles": shown(limits.vehicles),
            "documents": shown(limits.documents),
            "storage_mb": shown(limits.storage_mb),
            "maintenances_per_month": shown(limits.maintenances_per_month),
            "ai_analyses_per_month": shown(limits.ai_analyses_per_month),
            "assistant_messages_per_month": shown(limits.assistant_messages_per_month),
            "ai_diagnostic": limits.ai_diagnostic,
        },
        "usage": usage,
    })))
}

/// `GET /api/subscriptions/stats/` (staff): the counts kept by every
/// subscription's writes (no table scan).
pub async fn stats(
    State(state): State<SubscriptionsState>,
    CurrentUser(user): CurrentUser,
) -> Result<Response> {
    if !user.is_staff {
        return Err(Error::message(403, "Admin access required."));
    }
    let (billing, catalogue) = (state.store.billing(), state.store.plans());
    let (counts, plans) = tokio::try_join!(billing.stats(), catalogue.all())?;
    let by_status: Vec<Value> = subs::STATUSES
        .iter()
        .map(|s| json!({"status": s, "count": counts.status(s)}))
        .filter(|row| row["count"].as_i64().unwrap_or(0) > 0)
        .collect();
    let by_plan: Vec<Value> = plans
        .iter()
        .filter(|p| p.subscribers > 0)
        .map(|p| json!({"plan__name": p.name, "count": p.subscribers}))
        .collect();
    Ok(ok(json!({
        "total_subscriptions": counts.total,
        "active": counts.status(subs::ACTIVE),
        "trialing": counts.status(subs::TRIALING),
        "scheduled_for_cancellation": counts.scheduled_for_cancellation,
        "by_status": by_status,
        "by_plan": by_plan,
    })))
}
