//! A plan's fields as staff send them (spec 9.2.6, 9.2.7), validated: the
//! price is never negative (on edits too: the reference's gap), the
//! currency is three letters, the features are known ones with values
//! their kind accepts.

use serde_json::Value;
use shared::domain::money::parse_cents;
use shared::domain::plans::{
    feature, FeatureValue, AI_DIAGNOSTIC, CURRENCY_MAX, DESCRIPTION_MAX, FEATURES,
    FEATURE_VALUE_MAX, INTERVALS, NAME_MAX, PRICE_DIGITS, STRIPE_ID_MAX, TIERS, UNLIMITED,
};
use shared::http::validate::{Fields, Text};

pub const NEGATIVE_PRICE: &str = "Price must be non-negative.";

/// The writable fields; `None` is "not sent".
#[derive(Debug, Default)]
pub struct PlanInput {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub price: Option<i64>,
    pub currency: Option<String>,
    pub interval: Option<String>,
    pub tier: Option<String>,
    pub stripe_price_id: Option<Option<String>>,
    pub stripe_product_id: Option<Option<String>>,
    pub is_active: Option<bool>,
    pub is_popular: Option<bool>,
    pub features: Option<Vec<FeatureValue>>,
}

/// Reads the fields; a create and a PUT require the name and the price.
pub fn plan(f: &mut Fields, creating: bool) -> PlanInput {
    let whole = creating || !f.is_partial();
    let name = if whole {
        f.required_text("name", NAME_MAX)
    } else {
        f.text("name", Text::required(NAME_MAX)).value()
    };
    // A blank description is no description (as the Stripe ids).
    let description = f
        .text("description", Text::optional(DESCRIPTION_MAX))
        .into_update()
        .map(|v| v.filter(|s| !s.is_empty()));
    let price = match f.raw("price", whole) {
        None => None,
        Some(raw) => match parse_cents(raw, PRICE_DIGITS) {
            Ok(cents) if cents < 0 => {
                f.error("price", NEGATIVE_PRICE);
                None
            }
            Ok(cents) => Some(cents),
            Err(message) => {
                f.error("price", message);
                None
            }
        },
    };
    let currency = currency(f);
    let interval = f.choice("interval", INTERVALS, false);
    let interval = f.not_null("interval", interval);
    let tier = f.choice("tier", TIERS, false);
    let tier = f.not_null("tier", tier);
    let stripe_price_id = f
        .text("stripe_price_id", Text::optional(STRIPE_ID_MAX))
        .into_update()
        .map(|v| v.filter(|s| !s.is_empty()));
    let stripe_product_id = f
        .text("stripe_product_id", Text::optional(STRIPE_ID_MAX))
        .into_update()
        .map(|v| v.filter(|s| !s.is_empty()));
    // `boolean` reports a null itself.
    let is_active = f.boolean("is_active", false).value();
    let is_popular = f.boolean("is_popular", false).value();
    let features = features(f);
    PlanInput {
        name,
        description,
        price,
        currency,
        interval,
        tier,
        stripe_price_id,
        stripe_product_id,
        is_active,
        is_popular,
        features,
    }
}

/// Three ASCII letters, stored upper case (`eur` is `EUR`).
fn currency(f: &mut Fields) -> Option<String> {
    // Null passes `text` and is reported once, by `not_null`.
    let rule = Text {
        required: false,
        allow_blank: false,
        allow_null: true,
        min: CURRENCY_MAX,
        max: CURRENCY_MAX,
    };
    let raw = f.text("currency", rule);
    let value = f.not_null("currency", raw)?;
    if value.len() == CURRENCY_MAX && value.bytes().all(|b| b.is_ascii_alphabetic()) {
        Some(value.to_ascii_uppercase())
    } else {
        f.error("currency", "Enter a three-letter currency code, e.g. EUR.");
        None
    }
}

/// `feature_values`: `[{"feature_key": "max_vehicles", "value": "3"}]`
/// (`feature` is accepted for the key, as the representation names it);
/// each key once, known, with a value of its kind: a whole number or
/// `unlimited` for limits, `true`/`false` for `ai_diagnostic`.
fn features(f: &mut Fields) -> Option<Vec<FeatureValue>> {
    let raw = f.raw("feature_values", false)?;
    let items = match raw {
        Value::Null => return Some(Vec::new()),
        Value::Array(items) if items.len() <= FEATURES.len() => items,
        Value::Array(_) => {
            f.error(
                "feature_values",
                format!(
                    "Ensure this field has no more than {} elements.",
                    FEATURES.len()
                ),
            );
            return None;
        }
        _ => {
            f.error("feature_values", "Expected a list of {feature_key, value}.");
            return None;
        }
    };
    let mut values: Vec<FeatureValue> = Vec::new();
    let mut failed = false;
    for (i, item) in items.iter().enumerate() {
        match feature_value(item) {
            Ok(v) if values.iter().any(|o| o.feature_key == v.feature_key) => {
                f.error(
                    "feature_values",
                    format!("Item {}: {} is given twice.", i + 1, v.feature_key),
                );
                failed = true;
            }
            Ok(v) => values.push(v),
            Err(message) => {
                f.error("feature_values", format!("Item {}: {message}", i + 1));
                failed = true;
            }
        }
    }
    (!failed).then_some(values)
}

fn feature_value(item: &Value) -> Result<FeatureValue, String> {
    let key = item
        .get("feature_key")
        .or_else(|| item.get("feature"))
        .and_then(Value::as_str)
        .map(str::trim)
        .ok_or("Expected an object with `feature_key` and `value`.")?;
    let known = feature(key).ok_or_else(|| {
        let keys: Vec<&str> = FEATURES.iter().map(|f| f.key).collect();
        format!("Unknown feature {key:?}; known: {}.", keys.join(", "))
    })?;
    let value = match item.get("value") {
        Some(Value::String(s)) => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => return Err("`value` must be a string, a number or a boolean.".into()),
    };
    if value.chars().count() > FEATURE_VALUE_MAX {
        return Err(format!(
            "`value` has more than {FEATURE_VALUE_MAX} characters."
        ));
    }
    let value = if known.key == AI_DIAGNOSTIC {
        match value.to_ascii_lowercase().as_str() {
            "true" | "false" => value.to_ascii_lowercase(),
            _ => return Err(format!("{}: `true` or `false`.", known.key)),
        }
    } else if value.eq_ignore_ascii_case(UNLIMITED) {
        UNLIMITED.to_string()
    } else {
        match value.parse::<i64>() {
            Ok(n) if (0..=1_000_000_000).contains(&n) => n.to_string(),
            _ => {
                return Err(format!(
                    "{}: a whole number from 0 to 1000000000, or \"unlimited\".",
                    known.key
                ))
            }
        }
    };
    Ok(FeatureValue {
        feature_key: known.key.to_string(),
        value,
    })
}
