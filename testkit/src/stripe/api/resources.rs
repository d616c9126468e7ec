//! The endpoints: what each Stripe request does to the fake's state.

use serde_json::{Map, Value};

use super::{check_url, end_now, item_interval, non_empty, ApiError, Session, State};
use crate::stripe::objects;
use crate::stripe::params::Params;

impl State {
    // ---- customers -----------------------------------------------------

    pub(super) fn create_customer(&mut self, p: &Params) -> Result<Value, ApiError> {
        p.only(&[
            "email",
            "name",
            "description",
            "phone",
            "metadata",
            "metadata[*]",
            "expand[]",
            "expand[N]",
        ])?;
        let email = non_empty(p.get("email"));
        if let Some(email) = email {
            if !email.contains('@') {
                return Err(ApiError::invalid(
                    format!("Invalid email address: {email}"),
                    "email",
                    "email_invalid",
                ));
            }
        }
        let mut metadata = Map::new();
        p.apply_metadata(&["metadata"], &mut metadata);
        let id = self.id("cus");
        let prefix: String = id[4..12].to_ascii_uppercase();
        let customer = objects::customer(objects::NewCustomer {
            id: &id,
            created: self.now(),
            email,
            name: non_empty(p.get("name")),
            description: non_empty(p.get("description")),
            phone: non_empty(p.get("phone")),
            metadata,
            invoice_prefix: &prefix,
        });
        self.customers.insert(id, customer.clone());
        Ok(customer)
    }

    pub(super) fn get_customer(&self, id: &str) -> Result<Value, ApiError> {
        if let Some(customer) = self.customers.get(id) {
            return Ok(customer.clone());
        }
        // Stripe still answers for a deleted customer, with its stub.
        if self.deleted_customers.contains_key(id) {
            return Ok(objects::deleted_customer(id));
        }
        Err(ApiError::missing(404, "customer", id, "id"))
    }

    pub(super) fn delete_customer(&mut self, id: &str) -> Result<Value, ApiError> {
        let customer = self
            .customers
            .remove(id)
            .ok_or_else(|| ApiError::missing(404, "customer", id, "id"))?;
        self.deleted_customers.insert(id.to_owned(), customer);
        // Deleting a customer cancels its subscriptions at once.
        let now = self.now();
        let ids: Vec<String> = self
            .subscriptions
            .iter()
            .filter(|(_, s)| s["customer"] == id && s["status"] != "canceled")
            .map(|(k, _)| k.clone())
            .collect();
        for sub_id in ids {
            self.change_subscription(&sub_id, |sub| end_now(sub, now));
        }
        Ok(objects::deleted_customer(id))
    }

    // ---- checkout --------------------------------------------------------

    pub(super) fn create_checkout(&mut self, p: &Params) -> Result<Value, ApiError> {
        p.only(&[
            "mode",
            "customer",
            "customer_email",
            "success_url",
            "cancel_url",
            "client_reference_id",
            "line_items[N][price]",
            "line_items[N][quantity]",
            "metadata",
            "metadata[*]",
            "subscription_data[metadata]",
            "subscription_data[metadata][*]",
            "subscription_data[description]",
            "subscription_data[trial_period_days]",
            "allow_promotion_codes",
            "billing_address_collection",
            "locale",
            "payment_method_types[N]",
            "expand[]",
            "expand[N]",
        ])?;
        let mode = p.required("mode")?;
        p.choice("mode", &["payment", "setup", "subscription"])?;

        let customer = non_empty(p.get("customer"));
        if let Some(id) = customer {
            if !self.customers.contains_key(id) {
                return Err(ApiError::missing(400, "customer", id, "customer"));
            }
        }
        let customer_email = non_empty(p.get("customer_email"));
        if customer.is_some() && customer_email.is_some() {
            return Err(ApiError::invalid(
                "You may only specify one of these parameters: customer, customer_email."
                    .to_owned(),
                "customer_email",
                "parameters_exclusive",
            ));
        }
        for name in ["success_url", "cancel_url"] {
            check_url(p, name)?;
        }
        p.bool("allow_promotion_codes")?;
        let trial_days = p.positive_int("subscription_data[trial_period_days]")?;

        let mut line_items = Vec::new();
        for n in p.indexes("line_items") {
            let price = p.required(&format!("line_items[{n}][price]"))?.to_owned();
            let quantity = p
                .positive_int(&format!("line_items[{n}][quantity]"))?
                .unwrap_or(1);
            line_items.push((price, quantity));
        }
        if mode == "subscription" && line_items.is_empty() {
            return Err(ApiError::invalid(
                "You must provide at least one recurring price in `subscription` mode when \
                 using prices."
                    .to_owned(),
                "line_items",
                "parameter_missing",
            ));
        }
        let mut amount = None;
        let mut currency = None;
        if mode != "setup" {
            for (price_id, quantity) in &line_items {
                let price = self.price(price_id);
                *amount.get_or_insert(0) += price.unit_amount * *quantity as i64;
                currency.get_or_insert(price.currency);
            }
        }

        let mut metadata = Map::new();
        p.apply_metadata(&["metadata"], &mut metadata);
        let mut subscription_metadata = Map::new();
        p.apply_metadata(
            &["subscription_data", "metadata"],
            &mut subscription_metadata,
        );

        let id = format!("cs_test_a1{}{}", self.id_chars(), self.id_chars());
        let object = objects::checkout_session(objects::NewSession {
            id: &id,
            created: self.now(),
            mode,
            customer,
            customer_email,
            client_reference_id: non_empty(p.get("client_reference_id")),
            success_url: non_empty(p.get("success_url")),
            cancel_url: non_empty(p.get("cancel_url")),
            metadata,
            amount,
            currency: currency.as_deref(),
        });
        self.sessions.insert(
            id,
            Session {
                object: object.clone(),
                line_items,
                subscription_metadata,
                trial_days,
            },
        );
        Ok(object)
    }

    // ---- subscriptions ---------------------------------------------------

    pub(super) fn update_subscription(&mut self, id: &str, p: &Params) -> Result<Value, ApiError> {
        p.only(&[
            "cancel_at_period_end",
            "items[N][id]",
            "items[N][price]",
            "items[N][quantity]",
            "items[N][deleted]",
            "proration_behavior",
            "proration_date",
            "payment_behavior",
            "description",
            "metadata",
            "metadata[*]",
            "expand[]",
            "expand[N]",
        ])?;
        let old = self
            .subscriptions
            .get(id)
            .cloned()
            .ok_or_else(|| ApiError::missing(404, "subscription", id, "id"))?;
        let touches_more_than_metadata = p.0.iter().any(|(name, _)| {
            !(name == "metadata" || name.starts_with("metadata[") || name.starts_with("expand"))
        });
        if old["status"] == "canceled" && touches_more_than_metadata {
            return Err(ApiError::plain(
                400,
                "invalid_request_error",
                "A canceled subscription can only update its cancellation_details and metadata."
                    .to_owned(),
                Some("invalid_canceled_subscription_fields"),
            ));
        }
        let cancel_at_period_end = p.bool("cancel_at_period_end")?;
        p.choice(
            "proration_behavior",
            &["always_invoice", "create_prorations", "none"],
        )?;
        p.choice(
            "payment_behavior",
            &[
                "allow_incomplete",
                "default_incomplete",
                "error_if_incomplete",
                "pending_if_incomplete",
            ],
        )?;

        let now = self.now();
        let mut sub = old.clone();
        let mut items: Vec<Value> = sub["items"]["data"].as_array().cloned().unwrap_or_default();
        let old_interval = items.first().map(item_interval);
        for n in p.indexes("items") {
            let field = |f: &str| format!("items[{n}][{f}]");
            let quantity = p.positive_int(&field("quantity"))?;
            let deleted = p.bool(&field("deleted"))?.unwrap_or(false);
            let price = non_empty(p.get(&field("price")));
            match non_empty(p.get(&field("id"))) {
                Some(item_id) => {
                    let at = items
                        .iter()
                        .position(|i| i["id"] == item_id)
                        .ok_or_else(|| {
                            ApiError::missing(400, "subscription item", item_id, &field("id"))
                        })?;
                    if deleted {
                        items.remove(at);
                        continue;
                    }
                    if let Some(price) = price {
                        items[at]["price"] = self.price(price).to_json();
                    }
                    if let Some(quantity) = quantity {
                        items[at]["quantity"] = quantity.into();
                    }
                }
                None => {
                    let price_id = p.required(&field("price"))?;
                    let price = self.price(price_id);
                    let period = items.first().map(|i| {
                        (
                            i["current_period_start"].clone(),
                            i["current_period_end"].clone(),
                        )
                    });
                    let item_id = self.id("si");
                    let mut item = objects::subscription_item(
                        &item_id,
                        id,
                        &price,
                        quantity.unwrap_or(1),
                        (now, price.interval.after(now)),
                        now,
                    );
                    if let Some((start, end)) = period {
                        item["current_period_start"] = start;
                        item["current_period_end"] = end;
                    }
                    items.push(item);
                }
            }
        }
        if items.is_empty() {
            return Err(ApiError::invalid(
                "A subscription must have at least one active plan.".to_owned(),
                "items",
                "parameter_invalid_empty",
            ));
        }
        // Switching between monthly and yearly restarts the billing cycle
        // now; a same-interval change keeps the period (and prorates).
        let new_interval = items.first().map(item_interval);
        if new_interval != old_interval {
            for item in &mut items {
                let interval = item_interval(item);
                item["current_period_start"] = now.into();
                item["current_period_end"] = interval.after(now).into();
            }
            sub["billing_cycle_anchor"] = now.into();
        }
        sub["items"]["data"] = Value::Array(items.clone());
        sub["items"]["total_count"] = items.len().into();

        match cancel_at_period_end {
            Some(true) => {
                sub["cancel_at_period_end"] = true.into();
                sub["cancel_at"] = items[0]["current_period_end"].clone();
                sub["canceled_at"] = now.into();
                sub["cancellation_details"]["reason"] = "cancellation_requested".into();
            }
            Some(false) => {
                sub["cancel_at_period_end"] = false.into();
                sub["cancel_at"] = Value::Null;
                sub["canceled_at"] = Value::Null;
                sub["cancellation_details"]["reason"] = Value::Null;
            }
            None => {}
        }
        if let Some(description) = p.get("description") {
            sub["description"] = non_empty(Some(description)).into();
        }
        if let Some(metadata) = sub["metadata"].as_object_mut() {
            p.apply_metadata(&["metadata"], metadata);
        }
        Ok(self.change_subscription(id, |s| *s = sub))
    }

    pub(super) fn cancel_subscription(&mut self, id: &str, p: &Params) -> Result<Value, ApiError> {
        p.only(&[
            "invoice_now",
            "prorate",
            "cancellation_details[comment]",
            "cancellation_details[feedback]",
            "expand[]",
            "expand[N]",
        ])?;
        p.bool("invoice_now")?;
        p.bool("prorate")?;
        let sub = self
            .subscriptions
            .get(id)
            .ok_or_else(|| ApiError::missing(404, "subscription", id, "id"))?;
        // Not checked against Stripe: cancelling again answers the canceled
        // subscription unchanged.
        if sub["status"] == "canceled" {
            return Ok(sub.clone());
        }
        let now = self.now();
        let comment = non_empty(p.get("cancellation_details[comment]")).map(str::to_owned);
        Ok(self.change_subscription(id, |sub| {
            end_now(sub, now);
            if let Some(comment) = comment {
                sub["cancellation_details"]["comment"] = comment.into();
            }
        }))
    }

    // ---- billing portal --------------------------------------------------

    pub(super) fn create_portal_session(&mut self, p: &Params) -> Result<Value, ApiError> {
        p.only(&[
            "customer",
            "return_url",
            "configuration",
            "locale",
            "expand[]",
            "expand[N]",
        ])?;
        let customer = p.required("customer")?;
        if !self.customers.contains_key(customer) {
            return Err(ApiError::missing(400, "customer", customer, "customer"));
        }
        check_url(p, "return_url")?;
        let id = self.id("bps");
        let secret = format!("{}{}", self.id_chars(), self.id_chars());
        Ok(objects::portal_session(
            &id,
            self.now(),
            customer,
            non_empty(p.get("return_url")),
            &secret,
        ))
    }
}
