//! JSON shaped like Stripe's own objects. Field names follow the examples in
//! Stripe's OpenAPI fixtures (`openapi/fixtures3.json`) for a recent API
//! version: billing periods on subscription items, and invoices pointing at
//! their subscription through `parent.subscription_details` (the top-level
//! `invoice.subscription` is gone since 2025-03-31.basil).

use chrono::{DateTime, Months};
use serde_json::{json, Map, Value};

/// A recurring price's billing interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interval {
    Month,
    Year,
}

impl Interval {
    pub fn as_str(self) -> &'static str {
        match self {
            Interval::Month => "month",
            Interval::Year => "year",
        }
    }

    /// `start` plus one interval, calendar-wise (Jan 31 + 1 month = Feb 28
    /// or 29, as Stripe bills).
    pub fn after(self, start: i64) -> i64 {
        let months = match self {
            Interval::Month => 1,
            Interval::Year => 12,
        };
        DateTime::from_timestamp(start, 0)
            .and_then(|d| d.checked_add_months(Months::new(months)))
            .map_or(start, |d| d.timestamp())
    }
}

#[derive(Debug, Clone)]
pub(super) struct Price {
    pub id: String,
    pub product: String,
    pub unit_amount: i64,
    pub currency: String,
    pub interval: Interval,
    pub created: i64,
}

impl Price {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "object": "price",
            "active": true,
            "billing_scheme": "per_unit",
            "created": self.created,
            "currency": self.currency,
            "livemode": false,
            "lookup_key": null,
            "metadata": {},
            "nickname": null,
            "product": self.product,
            "recurring": {
                "interval": self.interval.as_str(),
                "interval_count": 1,
                "meter": null,
                "usage_type": "licensed",
            },
            "tax_behavior": "unspecified",
            "type": "recurring",
            "unit_amount": self.unit_amount,
            "unit_amount_decimal": self.unit_amount.to_string(),
        })
    }
}

pub(super) struct NewCustomer<'a> {
    pub id: &'a str,
    pub created: i64,
    pub email: Option<&'a str>,
    pub name: Option<&'a str>,
    pub description: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub metadata: Map<String, Value>,
    pub invoice_prefix: &'a str,
}

pub(super) fn customer(c: NewCustomer<'_>) -> Value {
    json!({
        "id": c.id,
        "object": "customer",
        "address": null,
        "balance": 0,
        "created": c.created,
        "currency": null,
        "default_source": null,
        "delinquent": false,
        "description": c.description,
        "discount": null,
        "email": c.email,
        "invoice_prefix": c.invoice_prefix,
        "invoice_settings": {
            "custom_fields": null,
            "default_payment_method": null,
            "footer": null,
            "rendering_options": null,
        },
        "livemode": false,
        "metadata": c.metadata,
        "name": c.name,
        "next_invoice_sequence": 1,
        "phone": c.phone,
        "preferred_locales": [],
        "shipping": null,
        "tax_exempt": "none",
        "test_clock": null,
    })
}

/// What GET and DELETE answer for a deleted customer.
pub(super) fn deleted_customer(id: &str) -> Value {
    json!({"id": id, "object": "customer", "deleted": true})
}

pub(super) fn subscription_item(
    id: &str,
    subscription: &str,
    price: &Price,
    quantity: u64,
    period: (i64, i64),
    created: i64,
) -> Value {
    json!({
        "id": id,
        "object": "subscription_item",
        "created": created,
        "current_period_end": period.1,
        "current_period_start": period.0,
        "discounts": [],
        "metadata": {},
        "price": price.to_json(),
        "quantity": quantity,
        "subscription": subscription,
        "tax_rates": [],
    })
}

pub(super) struct NewSubscription<'a> {
    pub id: &'a str,
    pub customer: &'a str,
    pub created: i64,
    pub currency: &'a str,
    pub items: Vec<Value>,
    pub metadata: Map<String, Value>,
    pub latest_invoice: &'a str,
    pub default_payment_method: &'a str,
}

pub(super) fn subscription(s: NewSubscription<'_>) -> Value {
    json!({
        "id": s.id,
        "object": "subscription",
        "application": null,
        "application_fee_percent": null,
        "automatic_tax": {"disabled_reason": null, "enabled": false, "liability": null},
        "billing_cycle_anchor": s.created,
        "billing_mode": {"type": "flexible"},
        "cancel_at": null,
        "cancel_at_period_end": false,
        "canceled_at": null,
        "cancellation_details": {"comment": null, "feedback": null, "reason": null},
        "collection_method": "charge_automatically",
        "created": s.created,
        "currency": s.currency,
        "customer": s.customer,
        "days_until_due": null,
        "default_payment_method": s.default_payment_method,
        "default_source": null,
        "default_tax_rates": [],
        "description": null,
        "discounts": [],
        "ended_at": null,
        "items": list(s.items, &format!("/v1/subscription_items?subscription={}", s.id)),
        "latest_invoice": s.latest_invoice,
        "livemode": false,
        "metadata": s.metadata,
        "next_pending_invoice_item_invoice": null,
        "on_behalf_of": null,
        "pause_collection": null,
        "pending_setup_intent": null,
        "pending_update": null,
        "schedule": null,
        "start_date": s.created,
        "status": "active",
        "test_clock": null,
        "transfer_data": null,
        "trial_end": null,
        "trial_start": null,
    })
}

pub(super) struct NewSession<'a> {
    pub id: &'a str,
    pub created: i64,
    pub mode: &'a str,
    pub customer: Option<&'a str>,
    pub customer_email: Option<&'a str>,
    pub client_reference_id: Option<&'a str>,
    pub success_url: Option<&'a str>,
    pub cancel_url: Option<&'a str>,
    pub metadata: Map<String, Value>,
    pub amount: Option<i64>,
    pub currency: Option<&'a str>,
}

pub(super) fn checkout_session(s: NewSession<'_>) -> Value {
    json!({
        "id": s.id,
        "object": "checkout.session",
        "after_expiration": null,
        "allow_promotion_codes": null,
        "amount_subtotal": s.amount,
        "amount_total": s.amount,
        "automatic_tax": {"enabled": false, "liability": null, "provider": null, "status": null},
        "billing_address_collection": null,
        "cancel_url": s.cancel_url,
        "client_reference_id": s.client_reference_id,
        "client_secret": null,
        "created": s.created,
        "currency": s.currency,
        "customer": s.customer,
        "customer_creation": if s.customer.is_none() && s.mode != "subscription" {
            Value::from("if_required")
        } else {
            Value::Null
        },
        "customer_details": null,
        "customer_email": s.customer_email,
        "expires_at": s.created + 24 * 3600,
        "invoice": null,
        "livemode": false,
        "locale": null,
        "metadata": s.metadata,
        "mode": s.mode,
        "payment_intent": null,
        "payment_link": null,
        "payment_method_collection": "always",
        "payment_method_types": ["card"],
        "payment_status": "unpaid",
        "status": "open",
        "submit_type": null,
        "subscription": null,
        "success_url": s.success_url,
        "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
        "ui_mode": "hosted",
        "url": format!("https://checkout.stripe.test/c/pay/{}", s.id),
    })
}

pub(super) fn portal_session(
    id: &str,
    created: i64,
    customer: &str,
    return_url: Option<&str>,
    secret: &str,
) -> Value {
    json!({
        "id": id,
        "object": "billing_portal.session",
        "configuration": "bpc_fake_default",
        "created": created,
        "customer": customer,
        "flow": null,
        "livemode": false,
        "locale": null,
        "on_behalf_of": null,
        "return_url": return_url,
        "url": format!("https://billing.stripe.test/p/session/{secret}"),
    })
}

/// A subscription invoice, paid or not.
pub(super) struct NewInvoice<'a> {
    pub id: &'a str,
    pub number: &'a str,
    pub created: i64,
    pub customer: &'a str,
    pub customer_email: Option<&'a str>,
    pub subscription: &'a Value,
    pub billing_reason: &'a str,
    pub paid: bool,
}

pub(super) fn invoice(i: NewInvoice<'_>) -> Value {
    let sub = i.subscription;
    let sub_id = sub["id"].as_str().unwrap_or_default();
    let items = sub["items"]["data"].as_array().cloned().unwrap_or_default();
    let mut total = 0;
    let mut period = (i.created, i.created);
    let lines: Vec<Value> = items
        .iter()
        .enumerate()
        .map(|(n, item)| {
            let price = &item["price"];
            let quantity = item["quantity"].as_i64().unwrap_or(1);
            let amount = price["unit_amount"].as_i64().unwrap_or(0) * quantity;
            total += amount;
            let start = item["current_period_start"].as_i64().unwrap_or(i.created);
            let end = item["current_period_end"].as_i64().unwrap_or(i.created);
            period = (start, end);
            json!({
                "id": format!("il_{}_{n}", i.id.trim_start_matches("in_")),
                "object": "line_item",
                "amount": amount,
                "currency": price["currency"],
                "description": format!(
                    "{quantity} × {} (at {} / {})",
                    price["product"].as_str().unwrap_or_default(),
                    price["unit_amount"],
                    price["recurring"]["interval"].as_str().unwrap_or("month"),
                ),
                "discount_amounts": [],
                "discountable": true,
                "discounts": [],
                "invoice": i.id,
                "livemode": false,
                "metadata": {},
                "parent": {
                    "invoice_item_details": null,
                    "subscription_item_details": {
                        "invoice_item": null,
                        "proration": false,
                        "proration_details": {"credited_items": null},
                        "subscription": sub_id,
                        "subscription_item": item["id"],
                    },
                    "type": "subscription_item_details",
                },
                "period": {"end": end, "start": start},
                "pretax_credit_amounts": [],
                "pricing": {
                    "price_details": {"price": price["id"], "product": price["product"]},
                    "type": "price_details",
                    "unit_amount_decimal": price["unit_amount_decimal"],
                },
                "quantity": quantity,
                "taxes": [],
            })
        })
        .collect();
    let paid_at = i.paid.then_some(i.created);
    // Two halves: one json! this size exceeds the macro recursion limit.
    let mut invoice = json!({
        "id": i.id,
        "object": "invoice",
        "account_country": "FR",
        "account_name": "AutoTrack (fake)",
        "amount_due": total,
        "amount_overpaid": 0,
        "amount_paid": if i.paid { total } else { 0 },
        "amount_remaining": if i.paid { 0 } else { total },
        "amount_shipping": 0,
        "attempt_count": 1,
        "attempted": true,
        "auto_advance": !i.paid,
        "billing_reason": i.billing_reason,
        "collection_method": "charge_automatically",
        "created": i.created,
        "currency": sub["currency"],
        "customer": i.customer,
        "customer_email": i.customer_email,
        "default_payment_method": null,
        "description": null,
        "discounts": [],
        "due_date": null,
        "effective_at": i.created,
        "ending_balance": 0,
        "hosted_invoice_url": format!("https://invoice.stripe.test/i/{}", i.id),
        "invoice_pdf": format!("https://invoice.stripe.test/i/{}/pdf", i.id),
        "last_finalization_error": null,
    });
    let rest = json!({
        "lines": list(lines, &format!("/v1/invoices/{}/lines", i.id)),
        "livemode": false,
        "metadata": {},
        "next_payment_attempt": if i.paid { Value::Null } else { Value::from(i.created + 3 * 24 * 3600) },
        "number": i.number,
        "parent": {
            "quote_details": null,
            "subscription_details": {"metadata": sub["metadata"], "subscription": sub_id},
            "type": "subscription_details",
        },
        "period_end": period.1,
        "period_start": period.0,
        "status": if i.paid { "paid" } else { "open" },
        "status_transitions": {
            "finalized_at": i.created,
            "marked_uncollectible_at": null,
            "paid_at": paid_at,
            "voided_at": null,
        },
        "subtotal": total,
        "subtotal_excluding_tax": total,
        "total": total,
        "total_discount_amounts": [],
        "total_excluding_tax": total,
        "total_taxes": [],
        "webhooks_delivered_at": null,
    });
    if let (Some(invoice), Value::Object(rest)) = (invoice.as_object_mut(), rest) {
        invoice.extend(rest);
    }
    invoice
}

pub(super) fn event(
    id: &str,
    created: i64,
    api_version: &str,
    kind: &str,
    object: Value,
    previous_attributes: Option<Value>,
) -> Value {
    let mut data = Map::new();
    data.insert("object".into(), object);
    if let Some(previous) = previous_attributes {
        data.insert("previous_attributes".into(), previous);
    }
    json!({
        "id": id,
        "object": "event",
        "api_version": api_version,
        "created": created,
        "data": data,
        "livemode": false,
        "pending_webhooks": 1,
        "request": {"id": null, "idempotency_key": null},
        "type": kind,
    })
}

pub(super) fn error_body(
    kind: &str,
    message: &str,
    param: Option<&str>,
    code: Option<&str>,
) -> Value {
    let mut error = Map::new();
    if let Some(code) = code {
        error.insert("code".into(), code.into());
        error.insert(
            "doc_url".into(),
            format!(
                "https://docs.stripe.com/error-codes/{}",
                code.replace('_', "-")
            )
            .into(),
        );
    }
    error.insert("message".into(), message.into());
    if let Some(param) = param {
        error.insert("param".into(), param.into());
    }
    error.insert("type".into(), kind.into());
    json!({ "error": error })
}

/// The fields of `new` whose values differ from `old`, with their old values:
/// what Stripe puts in an update event's `data.previous_attributes`.
pub(super) fn previous_attributes(old: &Value, new: &Value) -> Value {
    let mut changed = Map::new();
    if let (Some(old), Some(new)) = (old.as_object(), new.as_object()) {
        for (key, value) in new {
            let before = old.get(key).unwrap_or(&Value::Null);
            if before != value {
                changed.insert(key.clone(), before.clone());
            }
        }
    }
    Value::Object(changed)
}

fn list(data: Vec<Value>, url: &str) -> Value {
    let total = data.len();
    json!({
        "object": "list",
        "data": data,
        "has_more": false,
        "total_count": total,
        "url": url,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_follow_the_calendar() {
        // 2025-01-31T00:00:00Z
        let jan31 = 1_738_281_600;
        let feb28 = 1_740_700_800;
        assert_eq!(Interval::Month.after(jan31), feb28);
        // 2024-02-29 + 1 year = 2025-02-28
        assert_eq!(Interval::Year.after(1_709_164_800), 1_740_700_800);
    }

    #[test]
    fn previous_attributes_keep_old_values_of_changed_fields() {
        let old = json!({"a": 1, "b": {"c": 2}, "d": null});
        let new = json!({"a": 1, "b": {"c": 3}, "d": 4});
        assert_eq!(
            previous_attributes(&old, &new),
            json!({"b": {"c": 2}, "d": null})
        );
    }
}
