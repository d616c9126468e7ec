//! How subscriptions are sold: through Stripe (Checkout, subscription
//! updates, the customer portal), or through the local checkout simulator,
//! which takes Stripe's place on a machine without keys. The simulator
//! builds the objects Stripe would, signs the events Stripe would send and
//! hands them to the webhook's own processing (`stripe_events::receive`)
//! before the request answers: locally a subscription is active at once,
//! through the same code a real delivery runs.

use std::sync::Arc;

use chrono::{DateTime, Months, Utc};
use serde_json::{json, Value};
use shared::config::stripe::StripeWebhookConfig;
use shared::domain::plans::{Plan, YEAR};
use shared::domain::subscriptions::{self as subs, Subscription};
use shared::domain::users::User;
use shared::store::Store;
use shared::stripe::client::{StripeClient, StripeError};
use shared::stripe::signature;
use shared::usecases::stripe_events::{self, Received, Refusal};
use shared::{time, Error, Result};

#[derive(Clone, Debug)]
pub enum Provider {
    Stripe(Arc<StripeClient>),
    Simulator(Simulator),
    /// Neither: nothing is sold.
    Off,
}

/// A Stripe error as the API answers it: Stripe down is a 503, a refusal
/// of our request (a price id that does not exist) a 502 naming it.
pub fn stripe_error(e: StripeError) -> Error {
    match e {
        StripeError::Timeout | StripeError::Unavailable(_) => Error::Body {
            status: 503,
            body: json!({"detail": "The payment provider is unavailable; try again shortly."}),
        },
        StripeError::Refused { message, .. } => Error::message(
            502,
            format!("The payment provider refused the request: {message}"),
        ),
        StripeError::Malformed(m) => Error::message(
            502,
            format!("The payment provider's answer was not usable: {m}"),
        ),
    }
}

fn text(value: &Value, key: &str) -> Result<String> {
    value[key]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| Error::message(502, format!("The payment provider's answer has no {key}.")))
}

/// The caller's Stripe customer, created once (the same idempotency key
/// for every attempt: two requests at once make one customer).
pub async fn stripe_customer(client: &StripeClient, user: &User) -> Result<String> {
    let params = vec![
        ("email".to_string(), user.email.clone()),
        (
            "name".to_string(),
            format!("{} {}", user.first_name, user.last_name)
                .trim()
                .to_string(),
        ),
        ("metadata[user_id]".to_string(), user.id.clone()),
    ];
    let customer = client
        .post("/v1/customers", &params, &format!("customer-{}", user.id))
        .await
        .map_err(stripe_error)?;
    text(&customer, "id")
}

/// A Checkout Session in subscription mode for `subscription`: our ids
/// travel as the session's `client_reference_id` and metadata, and as the
/// Stripe subscription's metadata, so every event leads back to it.
pub async fn stripe_checkout(
    client: &StripeClient,
    subscription: &Subscription,
    customer: &str,
    price: &str,
    frontend_url: &str,
) -> Result<(String, String)> {
    let mut params: Vec<(String, String)> = [
        ("mode", "subscription".to_string()),
        ("customer", customer.to_string()),
        ("line_items[0][price]", price.to_string()),
        ("line_items[0][quantity]", "1".to_string()),
        ("client_reference_id", subscription.id.clone()),
        (
            "success_url",
            format!("{frontend_url}/settings/subscription?checkout=success"),
        ),
        (
            "cancel_url",
            format!("{frontend_url}/settings/subscription?checkout=cancelled"),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    for prefix in ["metadata", "subscription_data[metadata]"] {
        params.push((format!("{prefix}[user_id]"), subscription.owner_id.clone()));
        params.push((
            format!("{prefix}[subscription_id]"),
            subscription.id.clone(),
        ));
    }
    params.push((
        "subscription_data[metadata][plan_id]".into(),
        subscription.plan_id.clone(),
    ));
    let session = client
        .post(
            "/v1/checkout/sessions",
            &params,
            &format!("checkout-{}", subscription.id),
        )
        .await
        .map_err(stripe_error)?;
    Ok((text(&session, "id")?, text(&session, "url")?))
}

/// Updates the Stripe subscription; returns it as Stripe now has it.
pub async fn stripe_update(
    client: &StripeClient,
    stripe_id: &str,
    params: Vec<(String, String)>,
    idempotency_key: &str,
) -> Result<Value> {
    client
        .post(
            &format!("/v1/subscriptions/{stripe_id}"),
            &params,
            idempotency_key,
        )
        .await
        .map_err(stripe_error)
}

pub async fn stripe_subscription(client: &StripeClient, stripe_id: &str) -> Result<Value> {
    client
        .get(&format!("/v1/subscriptions/{stripe_id}"))
        .await
        .map_err(stripe_error)
}

/// Expires an open Checkout Session, so an abandoned checkout can no
/// longer be paid. `Ok(false)`: it is no longer open (paid, or expired).
pub async fn stripe_expire_checkout(client: &StripeClient, session_id: &str) -> Result<bool> {
    match client
        .post(
            &format!("/v1/checkout/sessions/{session_id}/expire"),
            &[],
            &format!("expire-{session_id}"),
        )
        .await
    {
        Ok(_) => Ok(true),
        Err(StripeError::Refused { status: 400, .. }) => {
            let session = client
                .get(&format!("/v1/checkout/sessions/{session_id}"))
                .await
                .map_err(stripe_error)?;
            Ok(session["status"] == "expired")
        }
        Err(e) => Err(stripe_error(e)),
    }
}

/// A customer portal session's URL.
pub async fn stripe_portal(
    client: &StripeClient,
    customer: &str,
    return_url: &str,
) -> Result<String> {
    let params = vec![
        ("customer".to_string(), customer.to_string()),
        ("return_url".to_string(), return_url.to_string()),
    ];
    let key = format!("portal-{customer}-{}", uuid::Uuid::now_v7());
    let session = client
        .post("/v1/billing_portal/sessions", &params, &key)
        .await
        .map_err(stripe_error)?;
    text(&session, "url")
}

/// The local checkout simulator: no money moves, the events are real.
#[derive(Clone)]
pub struct Simulator {
    secret: Arc<str>,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Simulator")
    }
}

/// The end of a period that starts at `start`.
fn period_end(start: DateTime<Utc>, interval: &str) -> DateTime<Utc> {
    let months = if interval == YEAR { 12 } else { 1 };
    start
        .checked_add_months(Months::new(months))
        .unwrap_or(start)
}

fn stripe_status(status: &str) -> &'static str {
    match status {
        subs::TRIALING => "trialing",
        subs::PAST_DUE => "past_due",
        subs::CANCELLED => "canceled",
        subs::INCOMPLETE => "incomplete",
        subs::EXPIRED => "incomplete_expired",
        _ => "active",
    }
}

/// The simulator's ids: stable per subscription and owner.
fn simulated_ids(subscription: &Subscription) -> (String, String) {
    let simple = |id: &str| id.replace('-', "");
    (
        format!("sub_sim_{}", simple(&subscription.id)),
        format!("cus_sim_{}", simple(&subscription.owner_id)),
    )
}

impl Simulator {
    /// Signs with the webhook's secret when one is configured, else with
    /// a secret of this cold start's own (the events never leave it).
    pub fn new(webhook: &StripeWebhookConfig) -> Self {
        let secret = webhook
            .secrets()
            .first()
            .map(|s| s.to_string())
            .unwrap_or_else(|| format!("whsec_sim_{}", uuid::Uuid::new_v4().simple()));
        Simulator {
            secret: secret.into(),
        }
    }

    /// A Stripe subscription object for `subscription` on `plan`.
    fn object(
        subscription: &Subscription,
        plan: &Plan,
        status: &str,
        cancel_at_period_end: bool,
        start: DateTime<Utc>,
    ) -> Value {
        let (stripe_id, customer) = simulated_ids(subscription);
        let end = period_end(start, &plan.interval);
        let price = plan
            .stripe_price_id
            .clone()
            .unwrap_or_else(|| format!("price_sim_{}", plan.id.replace('-', "")));
        json!({
            "id": stripe_id,
            "object": "subscription",
            "customer": customer,
            "status": stripe_status(status),
            "cancel_at_period_end": cancel_at_period_end,
            "canceled_at": if cancel_at_period_end { json!(time::now().timestamp()) } else { Value::Null },
            "trial_start": null,
            "trial_end": null,
            "livemode": false,
            "metadata": {
                "user_id": subscription.owner_id,
                "subscription_id": subscription.id,
                "plan_id": plan.id,
            },
            "items": {"object": "list", "data": [{
                "id": format!("si_sim_{}", subscription.id.replace('-', "")),
                "object": "subscription_item",
                "current_period_start": start.timestamp(),
                "current_period_end": end.timestamp(),
                "price": {
                    "id": price,
                    "object": "price",
                    "unit_amount": plan.price,
                    "currency": plan.currency.to_lowercase(),
                    "recurring": {"interval": plan.interval},
                    "metadata": {"plan_id": plan.id},
                },
                "quantity": 1,
            }]},
        })
    }

    /// Completes a checkout at once: the session, the subscription
    /// created active, its first invoice paid, as Stripe would send them.
    pub async fn checkout(
        &self,
        store: &Store,
        subscription: &Subscription,
        plan: &Plan,
    ) -> Result<()> {
        let now = time::now();
        let (stripe_id, customer) = simulated_ids(subscription);
        let object = Self::object(subscription, plan, subs::ACTIVE, false, now);
        let session = json!({
            "id": format!("cs_sim_{}", subscription.id.replace('-', "")),
            "object": "checkout.session",
            "mode": "subscription",
            "status": "complete",
            "payment_status": "paid",
            "client_reference_id": subscription.id,
            "customer": customer,
            "subscription": stripe_id,
            "metadata": {"user_id": subscription.owner_id, "subscription_id": subscription.id},
        });
        let invoice = json!({
            "id": format!("in_sim_{}", uuid::Uuid::now_v7().simple()),
            "object": "invoice",
            "customer": customer,
            "status": "paid",
            "amount_paid": plan.price,
            "currency": plan.currency.to_lowercase(),
            "parent": {"type": "subscription_details", "subscription_details": {
                "subscription": stripe_id,
                "metadata": object["metadata"],
            }},
            "lines": {"object": "list", "data": [{"period": {
                "start": now.timestamp(),
                "end": period_end(now, &plan.interval).timestamp(),
            }}]},
        });
        self.deliver(store, "checkout.session.completed", session)
            .await?;
        self.deliver(store, "customer.subscription.created", object)
            .await?;
        self.deliver(store, "invoice.paid", invoice).await
    }

    /// A change as Stripe would report it (`customer.subscription.updated`):
    /// the subscription on `plan`, set to cancel at period end or not.
    pub async fn update(
        &self,
        store: &Store,
        subscription: &Subscription,
        plan: &Plan,
        cancel_at_period_end: bool,
    ) -> Result<()> {
        let start = subscription.current_period_start.unwrap_or_else(time::now);
        let mut object = Self::object(
            subscription,
            plan,
            &subscription.status,
            cancel_at_period_end,
            start,
        );
        if let Some(end) = subscription.current_period_end {
            object["items"]["data"][0]["current_period_end"] = json!(end.timestamp());
        }
        self.deliver(store, "customer.subscription.updated", object)
            .await
    }

    /// Signs the event and runs it through the webhook's processing.
    async fn deliver(&self, store: &Store, kind: &str, object: Value) -> Result<()> {
        let now = time::now().timestamp();
        let event = json!({
            "id": format!("evt_sim_{}", uuid::Uuid::now_v7().simple()),
            "object": "event",
            "type": kind,
            "created": now,
            "livemode": false,
            "api_version": shared::stripe::client::API_VERSION,
            "data": {"object": object},
        });
        let body = serde_json::to_vec(&event).map_err(Error::internal)?;
        let header = signature::sign(&body, &[&self.secret], now);
        match stripe_events::receive(store, &[&self.secret], Some(&header), &body).await? {
            Ok(Received::Processed { .. } | Received::Duplicate { .. }) => Ok(()),
            Ok(Received::Failed { error, .. }) => {
                Err(Error::internal(format!("simulated {kind} failed: {error}")))
            }
            Err(Refusal::Signature(e)) => {
                Err(Error::internal(format!("simulated {kind} refused: {e:?}")))
            }
            Err(Refusal::Payload) => Err(Error::internal(format!(
                "simulated {kind}: payload refused"
            ))),
        }
    }
}
