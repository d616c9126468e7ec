//! Test control that moves time on: completing a checkout, renewals, failed
//! payments, ends; each returns the events Stripe would send.

use serde_json::{json, Value};

use super::{end_now, item_interval, State, DAY, DEFAULT_CURRENCY};
use crate::stripe::objects::{self, Price};
use crate::stripe::params::Params;

impl State {
    /// Completes a checkout session as a successful payment would. `Err` says
    /// why it cannot (unknown session, not open).
    pub fn complete_checkout(&mut self, session_id: &str) -> Result<Vec<Value>, String> {
        let now = self.now();
        let session = self
            .sessions
            .get(session_id)
            .ok_or_else(|| format!("no checkout session {session_id}"))?;
        if session.object["status"] != "open" {
            return Err(format!(
                "checkout session {session_id} is {}, not open",
                session.object["status"]
            ));
        }
        let mode = session.object["mode"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let email = session.object["customer_email"].as_str().map(str::to_owned);
        let line_items = session.line_items.clone();
        let subscription_metadata = session.subscription_metadata.clone();
        let trial_days = session.trial_days;

        // Checkout creates the customer when none was given.
        let customer_id = match session.object["customer"].as_str() {
            Some(id) => id.to_owned(),
            None => {
                let mut p = Vec::new();
                if let Some(email) = &email {
                    p.push(("email".to_owned(), email.clone()));
                }
                self.create_customer(&Params(p)).map_err(|e| e.message)?["id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            }
        };
        let customer = self
            .customers
            .get(&customer_id)
            .cloned()
            .unwrap_or_default();

        let mut events = Vec::new();
        let mut session_object = self.sessions[session_id].object.clone();
        session_object["status"] = "complete".into();
        session_object["customer"] = customer_id.clone().into();
        session_object["customer_details"] = json!({
            "address": null,
            "email": customer["email"],
            "name": customer["name"],
            "phone": null,
            "tax_exempt": "none",
            "tax_ids": [],
        });

        if mode != "subscription" {
            session_object["payment_status"] = if mode == "setup" {
                "no_payment_required".into()
            } else {
                "paid".into()
            };
            self.store_session(session_id, session_object.clone());
            events.push(self.event("checkout.session.completed", session_object, None));
            return Ok(events);
        }

        let sub_id = self.id("sub");
        let invoice_id = self.id("in");
        let period_end = |price: &Price| match trial_days {
            Some(days) => now + days as i64 * DAY,
            None => price.interval.after(now),
        };
        let mut items = Vec::new();
        let mut currency = DEFAULT_CURRENCY.to_owned();
        for (n, (price_id, quantity)) in line_items.iter().enumerate() {
            let price = self.price(price_id);
            if n == 0 {
                currency = price.currency.clone();
            }
            let item_id = self.id("si");
            items.push(objects::subscription_item(
                &item_id,
                &sub_id,
                &price,
                *quantity,
                (now, period_end(&price)),
                now,
            ));
        }
        let payment_method = self.id("pm");
        let mut subscription = objects::subscription(objects::NewSubscription {
            id: &sub_id,
            customer: &customer_id,
            created: now,
            currency: &currency,
            items,
            metadata: subscription_metadata,
            latest_invoice: &invoice_id,
            default_payment_method: &payment_method,
        });
        if let Some(days) = trial_days {
            subscription["status"] = "trialing".into();
            subscription["trial_start"] = now.into();
            subscription["trial_end"] = (now + days as i64 * DAY).into();
        }
        self.subscriptions
            .insert(sub_id.clone(), subscription.clone());

        let invoice = self.new_invoice(&invoice_id, &subscription, "subscription_create", true);
        session_object["payment_status"] = "paid".into();
        session_object["subscription"] = sub_id.into();
        session_object["invoice"] = invoice_id.into();
        self.store_session(session_id, session_object.clone());

        events.push(self.event("checkout.session.completed", session_object, None));
        events.push(self.event("customer.subscription.created", subscription, None));
        events.push(self.event("invoice.paid", invoice, None));
        Ok(events)
    }

    fn store_session(&mut self, id: &str, object: Value) {
        if let Some(session) = self.sessions.get_mut(id) {
            session.object = object;
        }
    }

    /// The event for a later change to a subscription; see
    /// `FakeStripe::subscription_event`.
    pub fn subscription_event(&mut self, id: &str, kind: &str) -> Result<Value, String> {
        let sub = self
            .subscriptions
            .get(id)
            .cloned()
            .ok_or_else(|| format!("no subscription {id}"))?;
        let now = self.now();
        match kind {
            "created" | "customer.subscription.created" => {
                Ok(self.event("customer.subscription.created", sub, None))
            }
            "updated" | "customer.subscription.updated" => {
                let previous = self.previous.get(id).cloned().unwrap_or_else(|| json!({}));
                Ok(self.event("customer.subscription.updated", sub, Some(previous)))
            }
            "deleted" | "customer.subscription.deleted" => {
                let sub = if sub["status"] == "canceled" {
                    sub
                } else {
                    self.change_subscription(id, |s| end_now(s, now))
                };
                Ok(self.event("customer.subscription.deleted", sub, None))
            }
            "paid" | "renewed" | "invoice.paid" => {
                let invoice = self.renew(id, true)?;
                Ok(self.event("invoice.paid", invoice, None))
            }
            "payment_failed" | "invoice.payment_failed" => {
                let invoice = self.renew(id, false)?;
                Ok(self.event("invoice.payment_failed", invoice, None))
            }
            other => Err(format!(
                "unknown subscription event kind {other:?} (known: customer.subscription.created, \
                 customer.subscription.updated, customer.subscription.deleted, invoice.paid, \
                 invoice.payment_failed)"
            )),
        }
    }

    /// A renewal: the next period starts, and its invoice is paid or not
    /// (then the subscription goes `past_due`, as with Stripe's default
    /// retry settings).
    fn renew(&mut self, id: &str, paid: bool) -> Result<Value, String> {
        let sub = &self.subscriptions[id];
        if sub["status"] == "canceled" {
            return Err(format!("subscription {id} is canceled: no renewal"));
        }
        let invoice_id = self.id("in");
        let sub = self.change_subscription(id, |sub| {
            if let Some(items) = sub["items"]["data"].as_array_mut() {
                for item in items {
                    let end = item["current_period_end"].as_i64().unwrap_or_default();
                    let interval = item_interval(item);
                    item["current_period_start"] = end.into();
                    item["current_period_end"] = interval.after(end).into();
                }
            }
            sub["latest_invoice"] = invoice_id.clone().into();
            sub["status"] = if paid { "active" } else { "past_due" }.into();
        });
        Ok(self.new_invoice(&invoice_id, &sub, "subscription_cycle", paid))
    }

    /// `customer.created` or `customer.deleted` (deleting it first if it
    /// still exists, as a deletion from the Dashboard would).
    pub fn customer_event(&mut self, id: &str, kind: &str) -> Result<Value, String> {
        match kind {
            "created" | "customer.created" => {
                let customer = self
                    .customers
                    .get(id)
                    .cloned()
                    .ok_or_else(|| format!("no customer {id}"))?;
                Ok(self.event("customer.created", customer, None))
            }
            "deleted" | "customer.deleted" => {
                if self.customers.contains_key(id) {
                    self.delete_customer(id).map_err(|e| e.message)?;
                }
                let customer = self
                    .deleted_customers
                    .get(id)
                    .cloned()
                    .ok_or_else(|| format!("no customer {id}"))?;
                Ok(self.event("customer.deleted", customer, None))
            }
            other => Err(format!(
                "unknown customer event kind {other:?} (known: customer.created, customer.deleted)"
            )),
        }
    }
}
