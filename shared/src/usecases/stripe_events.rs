//! What a Stripe webhook delivery does (spec 11.2.1, issue 14), shared by
//! the `stripe-webhook` function and the subscriptions function's local
//! checkout simulator (which signs the events Stripe would send and hands
//! them to `receive`, so both go through one code path).
//!
//! 1. The `Stripe-Signature` header is checked against every configured
//!    secret (`stripe::signature`).
//! 2. The event's effects are computed from what is stored (the
//!    subscription found through our metadata or a locator, its state
//!    moved by `Subscription::apply_stripe`, which ignores events older
//!    than the state stored).
//! 3. The effects, the event's record and its guard are one transaction:
//!    a second delivery of the same event finds the guard processed and
//!    changes nothing, even at the same instant.
//!
//! A failure stores the event unprocessed with its error and is reported
//! to the caller (the webhook answers 500, so Stripe delivers it again).

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::domain::notifications::Notification;
use crate::domain::plans::Plan;
use crate::domain::subscriptions::{self as subs, seconds, Applied, Subscription};
use crate::domain::webhooks::{error_text, WebhookEvent};
use crate::error::Error;
use crate::store::webhooks::EVENT_UNPROCESSED;
use crate::store::{Store, Write, WriteError};
use crate::stripe::signature::{self, SignatureError};
use crate::time;

/// Attempts of an event whose transaction lost a race with another
/// event's (each attempt reads again).
const CONTENTION_ATTEMPTS: usize = 4;

/// Why a delivery was refused before anything was stored.
#[derive(Debug)]
pub enum Refusal {
    /// Missing, malformed, forged or stale signature.
    Signature(SignatureError),
    /// Signed, but not a Stripe event.
    Payload,
}

/// What a delivery did.
#[derive(Debug)]
pub enum Received {
    /// Effects committed (possibly none: an unknown type, a stale event).
    Processed {
        event: WebhookEvent,
        /// The owner of a subscription whose payment failed (the caller
        /// sends the e-mail once the transaction is in).
        payment_failed: Option<String>,
    },
    /// Already processed: nothing changed.
    Duplicate { event_id: String },
    /// Processing failed; the event is stored with the error.
    Failed { event_id: String, error: String },
}

/// The event fields processing needs.
struct Event<'a> {
    id: &'a str,
    kind: &'a str,
    created: i64,
    object: &'a Value,
}

fn parse(body: &Value) -> Option<Event<'_>> {
    let id = body["id"]
        .as_str()
        .filter(|id| !id.is_empty() && id.len() <= 255)?;
    let kind = body["type"]
        .as_str()
        .filter(|t| !t.is_empty() && t.len() <= 100)?;
    let object = &body["data"]["object"];
    if !object.is_object() || body["object"].as_str() != Some("event") {
        return None;
    }
    Some(Event {
        id,
        kind,
        created: body["created"].as_i64().unwrap_or(0),
        object,
    })
}

/// Checks, processes and records one delivery.
pub async fn receive(
    store: &Store,
    secrets: &[&str],
    header: Option<&str>,
    body: &[u8],
) -> Result<Result<Received, Refusal>, Error> {
    let now = time::now();
    if let Err(e) = signature::verify(header, body, secrets, now.timestamp()) {
        return Ok(Err(Refusal::Signature(e)));
    }
    let Ok(json) = serde_json::from_slice::<Value>(body) else {
        return Ok(Err(Refusal::Payload));
    };
    let Some(event) = parse(&json) else {
        return Ok(Err(Refusal::Payload));
    };
    Ok(Ok(process(store, &event, body, now).await?))
}

/// Processes a stored event again (`retry/`, staff): its payload as
/// received, through the same steps.
pub async fn retry(store: &Store, stored: &WebhookEvent) -> Result<Received, Error> {
    let json: Value = serde_json::from_str(&stored.payload)
        .map_err(|_| Error::BadRequest("The stored payload is not JSON.".into()))?;
    let event = parse(&json)
        .ok_or_else(|| Error::BadRequest("The stored payload is not a Stripe event.".into()))?;
    process(store, &event, stored.payload.as_bytes(), time::now()).await
}

async fn process(
    store: &Store,
    event: &Event<'_>,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<Received, Error> {
    let webhooks = store.webhooks();
    let previous = webhooks.get(event.id).await?;
    if previous.as_ref().is_some_and(|e| e.processed) {
        return Ok(Received::Duplicate {
            event_id: event.id.to_string(),
        });
    }
    let mut base =
        previous.unwrap_or_else(|| WebhookEvent::received(event.id, event.kind, body, now));
    base.attempts += 1;
    let mut attempt = 1;
    loop {
        let mut record = base.clone();
        let effects = match effects(store, event).await {
            Ok(effects) => effects,
            Err(e) => return failed(store, record, e).await,
        };
        record.processed = true;
        record.processed_at = Some(now);
        record.error_message = None;
        record.outcome = Some(effects.outcome.clone());
        let mut writes = effects.writes;
        writes.extend(webhooks.tx_record(&record)?);
        let refusal = match store.transact(writes).await {
            Ok(()) => {
                return Ok(Received::Processed {
                    event: record,
                    payment_failed: effects.payment_failed,
                })
            }
            Err(WriteError::Conditions(failed)) if failed.has(EVENT_UNPROCESSED) => {
                return Ok(Received::Duplicate {
                    event_id: event.id.to_string(),
                })
            }
            Err(WriteError::Conditions(refused)) => Error::Conflict(format!(
                "the stored state changed while the event was processed ({refused})"
            )),
            Err(WriteError::Other(e @ Error::Conflict(_))) => e,
            Err(WriteError::Other(e @ Error::Unavailable(_))) => return Err(e),
            Err(WriteError::Other(e)) => return failed(store, record, e).await,
        };
        // Another event of the same subscription (a checkout sends three
        // within a second) moved it meanwhile: read again and recompute.
        if attempt >= CONTENTION_ATTEMPTS {
            return failed(store, record, refusal).await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25 * attempt as u64)).await;
        attempt += 1;
    }
}

/// Stores the event unprocessed with its error (a storage outage is the
/// caller's 503, nothing stored).
async fn failed(store: &Store, mut record: WebhookEvent, error: Error) -> Result<Received, Error> {
    if let Error::Unavailable(_) = error {
        return Err(error);
    }
    let text = error_text(&error.to_string());
    record.processed = false;
    record.processed_at = None;
    record.error_message = Some(text.clone());
    record.outcome = None;
    match store.transact(store.webhooks().tx_record(&record)?).await {
        Ok(()) => {}
        Err(WriteError::Conditions(_)) => {
            // Another delivery processed it meanwhile.
            return Ok(Received::Duplicate {
                event_id: record.id,
            });
        }
        Err(WriteError::Other(e)) => return Err(e),
    }
    tracing::warn!(event_id = %record.id, event_type = %record.event_type, error = %text, "webhook event failed");
    Ok(Received::Failed {
        event_id: record.id,
        error: text,
    })
}

/// An event's writes and what they did.
struct Effects {
    writes: Vec<Write>,
    outcome: String,
    payment_failed: Option<String>,
}

impl Effects {
    fn none(outcome: &str) -> Self {
        Effects {
            writes: Vec::new(),
            outcome: outcome.to_string(),
            payment_failed: None,
        }
    }
}

async fn effects(store: &Store, event: &Event<'_>) -> Result<Effects, Error> {
    let object = event.object;
    match event.kind {
        "checkout.session.completed" => checkout_completed(store, object).await,
        "checkout.session.expired" => checkout_expired(store, object).await,
        "customer.subscription.created"
        | "customer.subscription.updated"
        | "customer.subscription.deleted"
        | "customer.subscription.paused"
        | "customer.subscription.resumed" => {
            let Some(before) = locate(store, object["id"].as_str(), &object["metadata"]).await?
            else {
                return Ok(Effects::none("ignored: unknown subscription"));
            };
            subscription_changed(store, before, object, event.created).await
        }
        "invoice.paid" | "invoice.payment_succeeded" | "invoice.payment_failed" => {
            let details = &object["parent"]["subscription_details"];
            let stripe_id = details["subscription"]
                .as_str()
                .or_else(|| object["subscription"].as_str());
            let Some(before) = locate(store, stripe_id, &details["metadata"]).await? else {
                return Ok(Effects::none("ignored: not a known subscription's invoice"));
            };
            let failed = event.kind == "invoice.payment_failed";
            invoice(store, before, object, event.created, failed).await
        }
        "customer.deleted" => customer_deleted(store, object, event.created).await,
        _ => Ok(Effects::none("ignored: type not handled")),
    }
}

/// Our subscription for a Stripe object: through the metadata our
/// checkout put on it (the first events may come before any locator),
/// else the locator of its Stripe id.
async fn locate(
    store: &Store,
    stripe_id: Option<&str>,
    metadata: &Value,
) -> Result<Option<Subscription>, Error> {
    let billing = store.billing();
    if let (Some(owner), Some(id)) = (
        metadata["user_id"].as_str(),
        metadata["subscription_id"].as_str(),
    ) {
        if let Some(found) = billing.get(owner, id).await? {
            return Ok(Some(found));
        }
    }
    let Some(stripe_id) = stripe_id else {
        return Ok(None);
    };
    match billing.locate(stripe_id).await? {
        Some(at) => billing.get(&at.owner_id, &at.subscription_id).await,
        None => Ok(None),
    }
}

async fn checkout_completed(store: &Store, session: &Value) -> Result<Effects, Error> {
    let (Some(id), Some(owner)) = (
        session["client_reference_id"].as_str(),
        session["metadata"]["user_id"].as_str(),
    ) else {
        return Ok(Effects::none("ignored: not one of our checkouts"));
    };
    let billing = store.billing();
    let Some(before) = billing.get(owner, id).await? else {
        return Ok(Effects::none("ignored: unknown subscription"));
    };
    let mut after = before.clone();
    if let Some(sub) = session["subscription"].as_str() {
        after.stripe_subscription_id = Some(sub.to_string());
    }
    if let Some(customer) = session["customer"].as_str() {
        after.stripe_customer_id = Some(customer.to_string());
    }
    after.checkout_url = None;
    if after == before {
        return Ok(Effects::none("unchanged"));
    }
    after.updated_at = time::now();
    let mut writes = billing.tx_transition(&before, &after, None)?;
    // The customer the checkout used is recorded when the owner has none
    // yet (ours passes the one recorded; never a second one).
    if let Some(customer) = session["customer"].as_str() {
        if billing.customer(owner).await?.is_none() {
            writes.extend(billing.tx_customer(owner, customer)?);
        }
    }
    Ok(Effects {
        writes,
        outcome: "checkout completed".into(),
        payment_failed: None,
    })
}

/// A checkout nobody paid (Stripe expires sessions after a day): its
/// subscription stops being current, so another checkout can start.
async fn checkout_expired(store: &Store, session: &Value) -> Result<Effects, Error> {
    let (Some(id), Some(owner)) = (
        session["client_reference_id"].as_str(),
        session["metadata"]["user_id"].as_str(),
    ) else {
        return Ok(Effects::none("ignored: not one of our checkouts"));
    };
    let billing = store.billing();
    let Some(before) = billing.get(owner, id).await? else {
        return Ok(Effects::none("ignored: unknown subscription"));
    };
    if before.status != subs::INCOMPLETE {
        return Ok(Effects::none("unchanged"));
    }
    let mut after = before.clone();
    after.status = subs::EXPIRED.into();
    after.checkout_url = None;
    after.updated_at = time::now();
    Ok(Effects {
        writes: billing.tx_transition(&before, &after, None)?,
        outcome: "checkout expired".into(),
        payment_failed: None,
    })
}

/// The plan a Stripe subscription's first item names: by price id, else
/// the price's `metadata.plan_id` (the simulator's prices, or prices set
/// up that way), else the plan it had.
fn plan_of<'p>(plans: &'p [Plan], object: &Value, current: &str) -> Option<&'p Plan> {
    let price = &object["items"]["data"][0]["price"];
    let by_price = price["id"].as_str().and_then(|id| {
        plans
            .iter()
            .find(|p| p.stripe_price_id.as_deref() == Some(id))
    });
    by_price
        .or_else(|| {
            price["metadata"]["plan_id"]
                .as_str()
                .and_then(|id| plans.iter().find(|p| p.id == id))
        })
        .or_else(|| plans.iter().find(|p| p.id == current))
}

/// Applies a Stripe subscription object as of `event_at`; also used by
/// the subscriptions function on the object an API call returned.
pub async fn subscription_writes(
    store: &Store,
    before: &Subscription,
    object: &Value,
    event_at: i64,
) -> Result<Option<Vec<Write>>, Error> {
    let mut after = before.clone();
    let applied = after.apply_stripe(object, event_at);
    if applied == Applied::Stale {
        return Ok(None);
    }
    // A plan change shows as a new price only (the portal's, say).
    let plans = store.plans().all().await?;
    let plan = plan_of(&plans, object, &before.plan_id);
    if let Some(plan) = plan {
        after.plan_id = plan.id.clone();
    }
    if applied == Applied::Unchanged && after.plan_id == before.plan_id {
        // Nothing new, but a newer event: the mark moves, so an older
        // event arriving later cannot bring an older state back.
        if event_at <= before.stripe_event_at {
            return Ok(None);
        }
    }
    after.updated_at = time::now();
    Ok(Some(store.billing().tx_transition(before, &after, plan)?))
}

async fn subscription_changed(
    store: &Store,
    before: Subscription,
    object: &Value,
    event_at: i64,
) -> Result<Effects, Error> {
    if event_at < before.stripe_event_at {
        return Ok(Effects::none("ignored: older than the state stored"));
    }
    let Some(writes) = subscription_writes(store, &before, object, event_at).await? else {
        return Ok(Effects::none("unchanged"));
    };
    let status = subs::status_from_stripe(object["status"].as_str().unwrap_or(""));
    Ok(Effects {
        writes,
        outcome: format!("subscription {status}"),
        payment_failed: None,
    })
}

async fn invoice(
    store: &Store,
    before: Subscription,
    invoice: &Value,
    event_at: i64,
    failed: bool,
) -> Result<Effects, Error> {
    if event_at < before.stripe_event_at {
        return Ok(Effects::none("ignored: older than the state stored"));
    }
    // An invoice does not carry the subscription's whole state: it does
    // not advance `stripe_event_at`, so a subscription event created
    // before it (a plan change, a renewal) still applies when it arrives
    // later.
    let mut after = before.clone();
    let mut payment_failed = None;
    let mut notify = None;
    if failed {
        if before.grants_plan() && before.status != subs::PAST_DUE {
            after.status = subs::PAST_DUE.into();
            payment_failed = Some(before.owner_id.clone());
            notify = Some(Notification::new(
                &before.owner_id,
                "warning",
                "Payment failed".into(),
                "The payment of your subscription failed. Update your payment method to keep your plan."
                    .into(),
                Some("/settings/subscription".into()),
                json!({"subscription_id": before.id, "invoice": invoice["id"]}),
            ));
        }
    } else {
        if matches!(before.status.as_str(), subs::PAST_DUE | subs::INCOMPLETE) {
            after.status = subs::ACTIVE.into();
        }
        // The period the invoice paid for (its line's period).
        let period = &invoice["lines"]["data"][0]["period"];
        if let (Some(start), Some(end)) = (seconds(&period["start"]), seconds(&period["end"])) {
            if after.current_period_end.is_none_or(|e| end >= e) {
                after.current_period_start = Some(start);
                after.current_period_end = Some(end);
            }
        }
    }
    if after == before {
        return Ok(Effects::none("unchanged"));
    }
    after.updated_at = time::now();
    let plan = store.plans().get(&after.plan_id).await?;
    let mut writes = store
        .billing()
        .tx_transition(&before, &after, plan.as_ref())?;
    if let Some(notification) = &notify {
        writes.extend(store.notifications().tx_create(notification)?);
    }
    Ok(Effects {
        writes,
        outcome: format!(
            "invoice {}: subscription {}",
            if failed { "payment failed" } else { "paid" },
            after.status
        ),
        payment_failed,
    })
}

async fn customer_deleted(
    store: &Store,
    customer: &Value,
    event_at: i64,
) -> Result<Effects, Error> {
    let Some(customer_id) = customer["id"].as_str() else {
        return Ok(Effects::none("ignored: no customer id"));
    };
    let billing = store.billing();
    let Some(owner) = billing.customer_owner(customer_id).await? else {
        return Ok(Effects::none("ignored: unknown customer"));
    };
    let mut writes = billing.tx_forget_customer(&owner, customer_id)?;
    let current = billing
        .subscriptions(&owner)
        .await?
        .into_iter()
        .find(|s| s.is_current() && s.stripe_customer_id.as_deref() == Some(customer_id));
    if let Some(before) = current {
        let mut after = before.clone();
        after.status = subs::CANCELLED.into();
        after.cancelled_at = Some(time::now());
        after.stripe_event_at = event_at.max(before.stripe_event_at);
        after.updated_at = time::now();
        writes.extend(billing.tx_transition(&before, &after, None)?);
    }
    Ok(Effects {
        writes,
        outcome: "customer forgotten".into(),
        payment_failed: None,
    })
}
