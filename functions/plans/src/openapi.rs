//! This function's part of the API document (feature `openapi`, never in
//! the release binary; docs/openapi-design.md): the plan catalogue with its
//! tiers and machine-readable limits (spec 9, issue 14). One
//! `utoipa::path` stub per operation, named after its handler, at the seed
//! path with its trailing slash; the reference's spellings `active_plans/`
//! and `by_interval/` are `ALIASES`.
//!
//! The shapes are the ones `Plan::to_json` writes; the bodies the ones
//! `input::plan` reads, with the limits of the same constants. Every read
//! is public (a bad bearer header is still a 401, and a valid staff token
//! shows the inactive plans too); every write needs a staff token.

// The stubs only carry their `utoipa::path` attribute: nothing calls them.
#![allow(dead_code)]

use serde_json::{json, Value};
use shared::domain::plans::{
    Limits, AI_DIAGNOSTIC, CURRENCY_MAX, DESCRIPTION_MAX, FEATURES, FEATURE_VALUE_MAX, FREE,
    INTERVALS, MAX_PLANS, MONTH, NAME_MAX, PRICE_DIGITS, STRIPE_ID_MAX, TIERS, UNLIMITED,
};
use shared::openapi::{trimmed_text_pattern, DetailRef, FieldErrorsRef, TRIMMED_SPACE};
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, SchemaType};
use utoipa::openapi::{Ref, RefOr, Schema};
use utoipa::{OpenApi, PartialSchema, ToSchema};

use crate::input::NEGATIVE_PRICE;

const TAG: &str = "plans";
const ID: &str = "The plan id";

fn schema(value: Value) -> RefOr<Schema> {
    RefOr::T(serde_json::from_value(value).expect("a valid schema"))
}

/// The largest bound a limit may be given (`input::feature_value`).
const LIMIT_MAX: i64 = 1_000_000_000;

/// The currency of a plan created without one (`handlers::create`).
const DEFAULT_CURRENCY: &str = "USD";

/// The feature keys whose value is a bound (every one but the flag).
fn limit_keys() -> Vec<&'static str> {
    FEATURES
        .iter()
        .map(|f| f.key)
        .filter(|k| *k != AI_DIAGNOSTIC)
        .collect()
}

fn feature_keys() -> Vec<&'static str> {
    FEATURES.iter().map(|f| f.key).collect()
}

/// `word` in any case, for a pattern (JSON Schema has no `(?i)`).
fn any_case(word: &str) -> String {
    word.chars()
        .map(|c| {
            if c.is_ascii_alphabetic() {
                format!("[{}{}]", c.to_ascii_lowercase(), c.to_ascii_uppercase())
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// `values` as a list of code spans, for descriptions.
fn quoted(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

// ---- inputs -------------------------------------------------------------

/// A text that `Fields::text` trims; JSON numbers are taken as their text.
fn text_value(max: usize, blank: bool, nullable: bool) -> Value {
    let mut kinds = vec![json!("string"), json!("number")];
    if nullable {
        kinds.push(json!("null"));
    }
    json!({"type": kinds, "pattern": trimmed_text_pattern(max, blank)})
}

fn name_in() -> RefOr<Schema> {
    let mut value = text_value(NAME_MAX, false, false);
    value["description"] = json!(format!(
        "At most {NAME_MAX} characters once trimmed; not blank; null is a 400; a number is taken \
         as its text."
    ));
    schema(value)
}

fn description_in() -> RefOr<Schema> {
    let mut value = text_value(DESCRIPTION_MAX, true, true);
    value["description"] = json!(format!(
        "At most {DESCRIPTION_MAX} characters once trimmed; may be empty (kept as an empty \
         text); null: none. Absent: none on a create, unchanged on an edit."
    ));
    schema(value)
}

/// `parse_cents` with `PRICE_DIGITS`: a sign `+` (a `-` only before a
/// zero), at most `PRICE_DIGITS - 2` significant digits before the point
/// and 2 after it (trailing zeros are not counted), spaces around trimmed.
fn price_pattern() -> String {
    let s = TRIMMED_SPACE;
    let whole = PRICE_DIGITS - 2;
    format!(
        "^[{s}]*(\\+?(0*[0-9]{{1,{whole}}}(\\.[0-9]{{0,2}}0*)?|\\.[0-9]{{1,2}}0*)|-(0+(\\.0*)?|\\.0+))[{s}]*$"
    )
}

/// The largest whole price, as a JSON integer.
fn price_integer_max() -> i64 {
    10i64.pow((PRICE_DIGITS - 2) as u32) - 1
}

fn price_in() -> RefOr<Schema> {
    let whole = PRICE_DIGITS - 2;
    schema(json!({
        "description": format!(
            "The price in `currency`, not negative (`{NEGATIVE_PRICE}`): at most {PRICE_DIGITS} \
             digits, {whole} before the point and 2 after it; a number or a decimal string \
             (`\"9.99\"`; a JSON number with 2 decimals is read too). Null is a 400."
        ),
        "anyOf": [
            {"type": "integer", "minimum": 0, "maximum": price_integer_max()},
            {"type": "string", "pattern": price_pattern()}
        ],
        "examples": ["9.99"],
    }))
}

/// Three ASCII letters as `input::currency` takes them (trimmed, any case).
fn currency_in_pattern() -> String {
    let s = TRIMMED_SPACE;
    format!("^[{s}]*[A-Za-z]{{{CURRENCY_MAX}}}[{s}]*$")
}

fn currency_in() -> RefOr<Schema> {
    schema(json!({
        "type": "string",
        "pattern": currency_in_pattern(),
        "description": format!(
            "A currency code of {CURRENCY_MAX} letters in any case, stored upper case (`eur` is \
             `EUR`; `Enter a three-letter currency code, e.g. EUR.` otherwise). Absent: \
             `{DEFAULT_CURRENCY}` on a create, unchanged on an edit; null is a 400."
        ),
        "examples": ["EUR"],
    }))
}

fn interval_in() -> RefOr<Schema> {
    schema(json!({
        "type": "string",
        "enum": INTERVALS,
        "description": format!(
            "How often the price is charged. Absent: `{MONTH}` on a create, unchanged on an \
             edit; null or another value is a 400."
        ),
    }))
}

fn tier_in() -> RefOr<Schema> {
    schema(json!({
        "type": "string",
        "enum": TIERS,
        "description": format!(
            "The tier the plan grants. Absent: `{FREE}` on a create, unchanged on an edit; null \
             or another value is a 400."
        ),
    }))
}

fn stripe_id_in() -> RefOr<Schema> {
    let mut value = text_value(STRIPE_ID_MAX, true, true);
    value["description"] = json!(format!(
        "At most {STRIPE_ID_MAX} characters once trimmed; empty or null: none. Absent: none on a \
         create, unchanged on an edit. Nothing is created on Stripe: the id is configuration."
    ));
    schema(value)
}

fn feature_values_in() -> RefOr<Schema> {
    schema(json!({
        "type": ["array", "null"],
        "items": {"$ref": "#/components/schemas/PlanFeatureValueWrite"},
        "maxItems": FEATURES.len(),
        "description": format!(
            "The plan's features, each key at most once (`Item N: <key> is given twice.`), at \
             most {} items. The whole list is replaced: null or `[]` clears it (a feature the \
             plan does not name takes the Free tier's limit). Absent: none on a create, \
             unchanged on an edit.",
            FEATURES.len()
        ),
    }))
}

fn limit_key_in() -> RefOr<Schema> {
    schema(json!({"type": "string", "enum": limit_keys()}))
}

fn flag_key_in() -> RefOr<Schema> {
    schema(json!({"type": "string", "enum": [AI_DIAGNOSTIC]}))
}

/// `feature`: the key under the representation's name.
fn feature_alias_in() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(SchemaType::AnyValue)
        .description(Some(
            "The same key under the representation's name (`feature`), read only when \
             `feature_key` is absent.",
        ))
        .into()
}

/// A bound as `input::feature_value` reads it: a whole number (a JSON
/// integer, or its text with a `+` at most) or `unlimited` in any case.
fn limit_value_pattern() -> String {
    let s = TRIMMED_SPACE;
    let digits = LIMIT_MAX.to_string().len() - 1;
    format!(
        "^[{s}]*(\\+?([0-9]{{1,{digits}}}|{LIMIT_MAX})|{})[{s}]*$",
        any_case(UNLIMITED)
    )
}

fn limit_value_in() -> RefOr<Schema> {
    schema(json!({
        "description": format!(
            "A whole number from 0 to {LIMIT_MAX} (a JSON integer or its text), or \
             `{UNLIMITED}` in any case; stored as text."
        ),
        "anyOf": [
            {"type": "integer", "minimum": 0, "maximum": LIMIT_MAX},
            {"type": "string", "pattern": limit_value_pattern()}
        ],
    }))
}

fn flag_value_pattern() -> String {
    let s = TRIMMED_SPACE;
    format!("^[{s}]*({}|{})[{s}]*$", any_case("true"), any_case("false"))
}

fn flag_value_in() -> RefOr<Schema> {
    schema(json!({
        "description": "`true` or `false`: a JSON boolean or its text in any case; stored as `true` or `false`.",
        "anyOf": [
            {"type": "boolean"},
            {"type": "string", "pattern": flag_value_pattern()}
        ],
    }))
}

/// An item of `feature_values` that bounds a resource.
#[derive(ToSchema)]
struct LimitValueWrite {
    #[schema(schema_with = limit_key_in)]
    feature_key: String,
    #[schema(schema_with = feature_alias_in, required = false)]
    feature: Value,
    #[schema(schema_with = limit_value_in)]
    value: Value,
}

/// The item of `feature_values` that grants the assistant's diagnostic.
#[derive(ToSchema)]
struct FlagValueWrite {
    #[schema(schema_with = flag_key_in)]
    feature_key: String,
    #[schema(schema_with = feature_alias_in, required = false)]
    feature: Value,
    #[schema(schema_with = flag_value_in)]
    value: Value,
}

/// `PlanFeatureValueWrite`: one feature of a plan as staff send it, a
/// bound or the flag, the value's kind following the key.
struct PlanFeatureValueWrite;

impl PartialSchema for PlanFeatureValueWrite {
    fn schema() -> RefOr<Schema> {
        let names: Vec<String> = FEATURES
            .iter()
            .map(|f| format!("`{}` ({})", f.key, f.name))
            .collect();
        OneOfBuilder::new()
            .item(LimitValueWrite::schema())
            .item(FlagValueWrite::schema())
            .description(Some(format!(
                "A feature of the catalogue ({}) with its value: `Item N: Unknown feature ...` \
                 for another key, and a value over {FEATURE_VALUE_MAX} characters or not of the \
                 key's kind is the item's error. Unknown members are ignored.",
                names.join(", ")
            )))
            .into()
    }
}

impl ToSchema for PlanFeatureValueWrite {
    fn name() -> std::borrow::Cow<'static, str> {
        "PlanFeatureValueWrite".into()
    }
}

/// The body of `POST /api/plans/`: `name` and `price` required; the id,
/// the dates and unknown fields are ignored.
#[derive(ToSchema)]
#[schema(as = PlanCreate)]
struct PlanCreate {
    #[schema(schema_with = name_in)]
    name: String,
    #[schema(schema_with = description_in, required = false)]
    description: Option<String>,
    #[schema(schema_with = price_in)]
    price: Value,
    #[schema(schema_with = currency_in, required = false)]
    currency: String,
    #[schema(schema_with = interval_in, required = false)]
    interval: String,
    #[schema(schema_with = tier_in, required = false)]
    tier: String,
    #[schema(schema_with = stripe_id_in, required = false)]
    stripe_price_id: Option<String>,
    #[schema(schema_with = stripe_id_in, required = false)]
    stripe_product_id: Option<String>,
    /// Absent: `true` (the plan is listed); null is a 400.
    #[schema(schema_with = shared::openapi::boolean_input, required = false)]
    is_active: bool,
    /// Absent: `false`; null is a 400.
    #[schema(schema_with = shared::openapi::boolean_input, required = false)]
    is_popular: bool,
    #[schema(schema_with = feature_values_in, required = false)]
    feature_values: Vec<Value>,
}

/// The body of `PUT /api/plans/{id}/`: `name` and `price` required, the
/// other fields unchanged when absent.
#[derive(ToSchema)]
#[schema(as = PlanWrite)]
struct PlanWrite {
    #[schema(schema_with = name_in)]
    name: String,
    #[schema(schema_with = description_in, required = false)]
    description: Option<String>,
    #[schema(schema_with = price_in)]
    price: Value,
    #[schema(schema_with = currency_in, required = false)]
    currency: String,
    #[schema(schema_with = interval_in, required = false)]
    interval: String,
    #[schema(schema_with = tier_in, required = false)]
    tier: String,
    #[schema(schema_with = stripe_id_in, required = false)]
    stripe_price_id: Option<String>,
    #[schema(schema_with = stripe_id_in, required = false)]
    stripe_product_id: Option<String>,
    #[schema(schema_with = shared::openapi::boolean_input, required = false)]
    is_active: bool,
    #[schema(schema_with = shared::openapi::boolean_input, required = false)]
    is_popular: bool,
    #[schema(schema_with = feature_values_in, required = false)]
    feature_values: Vec<Value>,
}

/// The body of `PATCH /api/plans/{id}/`: the same fields, none required.
#[derive(ToSchema)]
#[schema(as = PlanPatch)]
struct PlanPatch {
    #[schema(schema_with = name_in, required = false)]
    name: String,
    #[schema(schema_with = description_in, required = false)]
    description: Option<String>,
    #[schema(schema_with = price_in, required = false)]
    price: Value,
    #[schema(schema_with = currency_in, required = false)]
    currency: String,
    #[schema(schema_with = interval_in, required = false)]
    interval: String,
    #[schema(schema_with = tier_in, required = false)]
    tier: String,
    #[schema(schema_with = stripe_id_in, required = false)]
    stripe_price_id: Option<String>,
    #[schema(schema_with = stripe_id_in, required = false)]
    stripe_product_id: Option<String>,
    #[schema(schema_with = shared::openapi::boolean_input, required = false)]
    is_active: bool,
    #[schema(schema_with = shared::openapi::boolean_input, required = false)]
    is_popular: bool,
    #[schema(schema_with = feature_values_in, required = false)]
    feature_values: Vec<Value>,
}

// ---- outputs ------------------------------------------------------------

fn nullable_text_out(description: &str) -> Value {
    json!({"type": ["string", "null"], "description": description})
}

fn description_out() -> RefOr<Schema> {
    schema(nullable_text_out("The plan's description, or null."))
}

fn price_out() -> RefOr<Schema> {
    schema(json!({
        "type": "string",
        "pattern": "^[0-9]+\\.[0-9]{2}$",
        "description": "The price in `currency` with 2 decimals, as text.",
        "examples": ["9.99"],
    }))
}

fn currency_out_pattern() -> String {
    format!("^[A-Z]{{{CURRENCY_MAX}}}$")
}

/// `Plan::price_display`: `<price> <currency>/<interval>`.
fn price_display_pattern() -> String {
    format!(
        "^[0-9]+\\.[0-9]{{2}} [A-Z]{{{CURRENCY_MAX}}}/({})$",
        INTERVALS.join("|")
    )
}

fn price_display_out() -> RefOr<Schema> {
    schema(json!({
        "type": "string",
        "pattern": price_display_pattern(),
        "description": "The price, the currency and the interval, for display.",
        "examples": ["9.99 EUR/month"],
    }))
}

fn currency_out() -> RefOr<Schema> {
    schema(json!({
        "type": "string",
        "pattern": currency_out_pattern(),
        "examples": ["EUR"],
    }))
}

fn interval_out() -> RefOr<Schema> {
    schema(json!({"type": "string", "enum": INTERVALS}))
}

fn tier_out() -> RefOr<Schema> {
    schema(json!({"type": "string", "enum": TIERS}))
}

fn stripe_id_out() -> RefOr<Schema> {
    schema(json!({
        "type": ["string", "null"],
        "minLength": 1,
        "maxLength": STRIPE_ID_MAX,
        "description": "The Stripe id (configuration), or null.",
    }))
}

fn feature_values_out() -> RefOr<Schema> {
    schema(json!({
        "type": "array",
        "items": {"$ref": "#/components/schemas/PlanFeatureValue"},
        "maxItems": FEATURES.len(),
        "description": "The features the plan names, in the order they were given.",
    }))
}

/// `PlanLimits` (`Limits::of`): read from the feature values.
fn limits_out() -> RefOr<Schema> {
    Ref::from_schema_name(PlanLimitsOut::name()).into()
}

/// `Plan` (spec 9.1, `Plan::to_json`) with the rewrite's `tier` and
/// `limits`.
#[derive(ToSchema)]
#[schema(as = Plan)]
struct PlanOut {
    #[schema(format = Uuid)]
    id: String,
    name: String,
    #[schema(schema_with = description_out, required = true)]
    description: Option<String>,
    #[schema(schema_with = price_out)]
    price: String,
    #[schema(schema_with = price_display_out)]
    price_display: String,
    #[schema(schema_with = currency_out)]
    currency: String,
    #[schema(schema_with = interval_out)]
    interval: String,
    #[schema(schema_with = tier_out)]
    tier: String,
    #[schema(schema_with = stripe_id_out, required = true)]
    stripe_price_id: Option<String>,
    #[schema(schema_with = stripe_id_out, required = true)]
    stripe_product_id: Option<String>,
    /// Whether the plan is offered (an inactive plan exists for staff only).
    is_active: bool,
    is_popular: bool,
    #[schema(schema_with = feature_values_out)]
    feature_values: Vec<Value>,
    #[schema(schema_with = limits_out)]
    limits: Value,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

fn feature_value_id_out() -> RefOr<Schema> {
    schema(json!({
        "type": "string",
        "description": "`<plan id>:<feature key>`.",
    }))
}

fn feature_key_out() -> RefOr<Schema> {
    schema(json!({"type": "string", "enum": feature_keys()}))
}

fn feature_name_out() -> RefOr<Schema> {
    let names: Vec<&str> = FEATURES.iter().map(|f| f.name).collect();
    schema(json!({
        "type": "string",
        "enum": names,
        "description": "The feature's readable name (in English).",
    }))
}

/// A stored value: a bound's text (no sign, no leading zero),
/// `unlimited`, or the flag's `true` / `false`.
fn feature_value_out_pattern() -> String {
    let digits = LIMIT_MAX.to_string().len() - 1;
    format!("^(0|[1-9][0-9]{{0,{digits}}}|{UNLIMITED}|true|false)$")
}

fn feature_value_out() -> RefOr<Schema> {
    schema(json!({
        "type": "string",
        "pattern": feature_value_out_pattern(),
        "description": format!(
            "A whole number or `{UNLIMITED}` for a bound, `true` or `false` for `{AI_DIAGNOSTIC}`."
        ),
    }))
}

/// `PlanFeatureValue` (spec 9.1): one feature a plan names.
#[derive(ToSchema)]
#[schema(as = PlanFeatureValue)]
struct PlanFeatureValueOut {
    #[schema(schema_with = feature_value_id_out)]
    id: String,
    /// The feature's key (the reference's feature id).
    #[schema(schema_with = feature_key_out)]
    feature: String,
    #[schema(schema_with = feature_name_out)]
    feature_name: String,
    #[schema(schema_with = feature_key_out)]
    feature_key: String,
    #[schema(schema_with = feature_value_out)]
    value: String,
}

/// A bound of `PlanLimits`: its feature and the Free tier's value.
fn bound(key: &str, free: shared::domain::plans::Limit) -> Value {
    let free = match free {
        shared::domain::plans::Limit::AtMost(n) => n.to_string(),
        shared::domain::plans::Limit::Unlimited => "none".into(),
    };
    json!({
        "type": ["integer", "null"],
        "minimum": 0,
        "description": format!(
            "The value of `{key}`: null when `{UNLIMITED}`; the Free tier's {free} when the plan \
             does not name it."
        ),
    })
}

/// `PlanLimits` (`Plan::to_json`'s `limits`): what the plan allows, as
/// the functions that create resources check it.
struct PlanLimitsOut;

impl PartialSchema for PlanLimitsOut {
    fn schema() -> RefOr<Schema> {
        use shared::domain::plans::{
            AI_ANALYSES_PER_MONTH, ASSISTANT_MESSAGES_PER_MONTH, MAINTENANCES_PER_MONTH,
            MAX_DOCUMENTS, MAX_VEHICLES, STORAGE_MB,
        };
        let free = Limits::FREE;
        schema(json!({
            "type": "object",
            "description": "Machine-readable limits, read from the feature values: a bound, or null for none.",
            "properties": {
                "vehicles": bound(MAX_VEHICLES, free.vehicles),
                "documents": bound(MAX_DOCUMENTS, free.documents),
                "storage_mb": bound(STORAGE_MB, free.storage_mb),
                "maintenances_per_month": bound(MAINTENANCES_PER_MONTH, free.maintenances_per_month),
                "ai_analyses_per_month": bound(AI_ANALYSES_PER_MONTH, free.ai_analyses_per_month),
                "assistant_messages_per_month": bound(
                    ASSISTANT_MESSAGES_PER_MONTH,
                    free.assistant_messages_per_month
                ),
                "ai_diagnostic": {
                    "type": "boolean",
                    "description": format!(
                        "Whether `{AI_DIAGNOSTIC}` is `true` (false when the plan does not name it)."
                    ),
                },
            },
            "required": [
                "vehicles", "documents", "storage_mb", "maintenances_per_month",
                "ai_analyses_per_month", "assistant_messages_per_month", "ai_diagnostic"
            ],
        }))
    }
}

impl ToSchema for PlanLimitsOut {
    fn name() -> std::borrow::Cow<'static, str> {
        "PlanLimits".into()
    }
}

/// A 400 of a body: field errors, or a body that cannot be parsed.
struct Invalid;
impl ToSchema for Invalid {}
impl PartialSchema for Invalid {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .item(FieldErrorsRef::schema())
            .item(DetailRef::schema())
            .into()
    }
}

// ---- operations ---------------------------------------------------------

const NOT_STAFF: &str =
    "The caller is not staff (`You do not have permission to perform this action.`), checked before the body's fields";
const CONFLICT: &str =
    "The plan was changed by another request meanwhile (`The plan was changed by another request; reload and retry.`)";
/// Replaced in `openapi()` (it quotes the catalogue's limit).
const CREATE_INVALID: &str = "Invalid input, or a full catalogue";
const EDIT_INVALID: &str = "Every failing field at once; `detail` for a body that cannot be parsed";

#[utoipa::path(get, path = "/api/plans/", tag = TAG,
    security((), ("bearer" = [])),
    summary = "The catalogue, cheapest first by default",
    extensions(("x-paged" = json!(true))),
    responses(
        (status = 200, description = "A page of plans", body = Vec<PlanOut>),
        (status = 400, description = "An `interval` that is not an interval (`Select a valid choice. ... is not one of the available choices.`)", body = inline(FieldErrorsRef))))]
fn list() {}

#[utoipa::path(post, path = "/api/plans/", tag = TAG,
    summary = "Add a plan to the catalogue (staff only)",
    request_body(content = PlanCreate, description = "The plan"),
    responses(
        (status = 201, description = "The plan created", body = PlanOut),
        (status = 400, description = CREATE_INVALID, body = inline(Invalid)),
        (status = 403, description = NOT_STAFF, body = inline(DetailRef))))]
fn create() {}

#[utoipa::path(get, path = "/api/plans/{id}/", tag = TAG,
    security((), ("bearer" = [])),
    summary = "One plan",
    params(("id" = String, Path, description = ID)),
    responses((status = 200, description = "The plan", body = PlanOut)))]
fn detail() {}

#[utoipa::path(put, path = "/api/plans/{id}/", tag = TAG,
    summary = "Replace a plan's fields (staff only; `name` and `price` required)",
    params(("id" = String, Path, description = ID)),
    request_body(content = PlanWrite, description = "The plan"),
    responses(
        (status = 200, description = "The plan after the update", body = PlanOut),
        (status = 400, description = EDIT_INVALID, body = inline(Invalid)),
        (status = 403, description = NOT_STAFF, body = inline(DetailRef)),
        (status = 409, description = CONFLICT, body = inline(DetailRef))))]
fn replace() {}

#[utoipa::path(patch, path = "/api/plans/{id}/", tag = TAG,
    summary = "Change some of a plan's fields (staff only)",
    params(("id" = String, Path, description = ID)),
    request_body(content = PlanPatch, description = "The fields to change"),
    responses(
        (status = 200, description = "The plan after the update", body = PlanOut),
        (status = 400, description = EDIT_INVALID, body = inline(Invalid)),
        (status = 403, description = NOT_STAFF, body = inline(DetailRef)),
        (status = 409, description = CONFLICT, body = inline(DetailRef))))]
fn patch() {}

#[utoipa::path(delete, path = "/api/plans/{id}/", tag = TAG,
    summary = "Delete a plan nobody subscribes to (staff only)",
    params(("id" = String, Path, description = ID)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = NOT_STAFF, body = inline(DetailRef)),
        (status = 409, description = "The plan has subscribers (`This plan has subscribers: deactivate it (is_active false) instead of deleting it.`)", body = inline(DetailRef))))]
fn delete() {}

#[utoipa::path(get, path = "/api/plans/active/", tag = TAG,
    security((), ("bearer" = [])),
    summary = "The active plans, cheapest first (not paged)",
    responses((status = 200, description = "The plans", body = Vec<PlanOut>)))]
fn active() {}

#[utoipa::path(get, path = "/api/plans/by-interval/", tag = TAG,
    security((), ("bearer" = [])),
    summary = "The plans of one billing interval, cheapest first (not paged)",
    responses((status = 200, description = "The plans", body = Vec<PlanOut>)))]
fn by_interval() {}

#[utoipa::path(get, path = "/api/plans/popular/", tag = TAG,
    security((), ("bearer" = [])),
    summary = "The active plans marked popular, cheapest first (not paged)",
    responses((status = 200, description = "The plans", body = Vec<PlanOut>)))]
fn popular() {}

#[derive(OpenApi)]
#[openapi(
    paths(list, create, detail, replace, patch, delete, active, by_interval, popular),
    components(schemas(
        PlanOut, PlanFeatureValueOut, PlanLimitsOut, PlanCreate, PlanWrite, PlanPatch,
        PlanFeatureValueWrite
    )),
    tags(
        (name = "plans", description = "The plan catalogue (spec 9): prices, tiers and the machine-readable limits the other functions enforce. Read by anyone (an inactive plan exists for staff only), written by staff. An unknown plan is a 404 `No Plan matches the given query.`")
    )
)]
struct Doc;

/// This function's operations at their seed paths (`ALIASES` are applied
/// once the document is merged), with the query parameters and the
/// descriptions that need the handlers' constants.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = Doc::openapi();
    let intervals = quoted(INTERVALS);
    set_parameters(
        &mut doc,
        "/api/plans/",
        json!([
            query(
                "interval",
                json!({"type": "string", "enum": with_empty(INTERVALS)}),
                &format!("Only the plans of this interval ({intervals}); empty is ignored; another value is a 400."),
            ),
            query(
                "is_active",
                json!({"type": "string"}),
                "`true`/`1` (any case): only the active plans; `false`/`0`: only the inactive ones (which only staff see); any other value is ignored.",
            ),
            query(
                "is_popular",
                json!({"type": "string"}),
                "`true`/`1` (any case): only the plans marked popular; `false`/`0`: only the others; any other value is ignored.",
            ),
            query(
                "search",
                json!({"type": "string"}),
                "Words (spaces or commas between them, `\"...\"` for a phrase) that must all occur, case ignored, in the name or the description.",
            ),
            query(
                "ordering",
                json!({"type": "string"}),
                "`price` or `created_at`, `-` for descending, several separated by commas; unknown fields are ignored. Default `price`; equal prices by name.",
            ),
        ]),
    );
    set_parameters(
        &mut doc,
        "/api/plans/by-interval/",
        json!([query(
            "interval",
            json!({"type": "string"}),
            &format!("Only the plans of this interval ({intervals}); absent or empty: every plan; any other value: none (an empty array, not a 400)."),
        )]),
    );
    let seen = "Inactive plans are listed for staff only.";
    describe(
        &mut doc,
        "/api/plans/",
        "get",
        format!(
            "Every plan the caller may see (the catalogue holds at most {MAX_PLANS}), filtered, \
             searched and ordered, then paged. {seen} A bearer token is optional; one that is \
             sent must be valid."
        ),
    );
    describe(
        &mut doc,
        "/api/plans/",
        "post",
        format!(
            "Defaults: `currency` `{DEFAULT_CURRENCY}`, `interval` `{MONTH}`, `tier` `{FREE}`, `is_active` true, `is_popular` \
             false, no features (every limit the Free tier's). Nothing is created on Stripe. The \
             catalogue holds at most {MAX_PLANS} plans."
        ),
    );
    set_response(
        &mut doc,
        "/api/plans/",
        "post",
        "400",
        format!(
            "Every failing field at once (`name`, `description`, `price`, `currency`, \
             `interval`, `tier`, `stripe_price_id`, `stripe_product_id`, `is_active`, \
             `is_popular`, `feature_values`; a feature as `Item N: ...`); then a full catalogue \
             (`non_field_errors`: `The catalogue holds at most {MAX_PLANS} plans; deactivate or \
             delete one first.`). `detail` for a body that cannot be parsed."
        ),
    );
    describe(
        &mut doc,
        "/api/plans/{id}/",
        "get",
        "An inactive plan is a 404 but for staff. A bearer token is optional; one that is sent \
         must be valid."
            .into(),
    );
    for method in ["put", "patch"] {
        describe(
            &mut doc,
            "/api/plans/{id}/",
            method,
            "Every field but the id and the dates; a field that is absent keeps its value (on a \
             PUT too), `feature_values` replaces the whole list. The count of subscribers is \
             kept: a subscription written meanwhile is a 409."
                .into(),
        );
    }
    describe(
        &mut doc,
        "/api/plans/{id}/",
        "delete",
        "A plan that subscriptions name cannot be deleted: deactivate it instead (`is_active` \
         false), which hides it from everyone but staff."
            .into(),
    );
    describe(
        &mut doc,
        "/api/plans/active/",
        "get",
        format!(
            "A bare array of every active plan (at most {MAX_PLANS}), cheapest first, then by \
             name; the same for staff."
        ),
    );
    describe(
        &mut doc,
        "/api/plans/by-interval/",
        "get",
        format!(
            "A bare array of the plans of `interval`, cheapest first, then by name. {seen} The \
             interval is not checked: an unknown one selects nothing."
        ),
    );
    describe(
        &mut doc,
        "/api/plans/popular/",
        "get",
        "A bare array of the active plans marked popular, cheapest first, then by name.".into(),
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

/// The reference's other spellings of the views (the router's
/// `at(router, &[seed, alias], ...)`).
pub const ALIASES: &[shared::openapi::Alias] = &[
    ("/api/plans/active/", "/api/plans/active_plans/", &["get"]),
    (
        "/api/plans/by-interval/",
        "/api/plans/by_interval/",
        &["get"],
    ),
];

#[cfg(test)]
mod tests {
    use serde_json::{json, Map, Value};
    use shared::domain::money::parse_cents;
    use shared::domain::plans::{
        FeatureValue, Plan, AI_DIAGNOSTIC, DESCRIPTION_MAX, FEATURES, INTERVALS, MAX_VEHICLES,
        NAME_MAX, PRICE_DIGITS, STRIPE_ID_MAX, TIERS, UNLIMITED,
    };
    use shared::http::validate::{Fields, REQUIRED};
    use shared::openapi::trimmed_text_pattern;

    use super::LIMIT_MAX;

    fn doc() -> Value {
        serde_json::to_value(super::openapi()).unwrap()
    }

    fn schemas() -> Value {
        doc()["components"]["schemas"].clone()
    }

    /// The property names of an object schema, sorted.
    fn properties(schema: &Value) -> Vec<String> {
        keys(&schema["properties"])
    }

    /// The names of an object's members, sorted.
    fn keys(value: &Value) -> Vec<String> {
        let mut names: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
        names.sort();
        names
    }

    /// The required names of an object schema, sorted.
    fn required(schema: &Value) -> Vec<String> {
        let mut names: Vec<String> = schema["required"]
            .as_array()
            .map(|r| r.iter().map(|v| v.as_str().unwrap().to_string()).collect())
            .unwrap_or_default();
        names.sort();
        names
    }

    /// A plan of the catalogue with every feature named.
    fn plan() -> Plan {
        let now = shared::time::now();
        let mut plan = shared::domain::plans::CATALOGUE[1].plan(|_| None, now);
        plan.features = FEATURES
            .iter()
            .map(|f| FeatureValue {
                feature_key: f.key.into(),
                value: if f.key == AI_DIAGNOSTIC {
                    "true".into()
                } else {
                    UNLIMITED.into()
                },
            })
            .collect();
        plan
    }

    /// What `input::plan` reports for `body` (a create, a PUT or a
    /// PATCH), as `{"field": [messages]}`.
    fn errors(body: Value, creating: bool, partial: bool) -> Value {
        let body: Map<String, Value> = body.as_object().unwrap().clone();
        let mut f = if creating {
            Fields::new(&body)
        } else {
            Fields::partial(&body, partial)
        };
        crate::input::plan(&mut f, creating);
        match f.finish() {
            Ok(()) => json!({}),
            Err(shared::Error::Validation(errors)) => errors.to_json(),
            Err(other) => panic!("{other}"),
        }
    }

    #[test]
    fn the_document_has_every_operation_of_the_router() {
        let doc = doc();
        let paths = doc["paths"].as_object().unwrap();
        assert_eq!(paths.len(), 5);
        let operations: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
        assert_eq!(operations, 9);
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
                name.starts_with("Plan"),
                "{name}: the merged document shares one namespace of schemas"
            );
        }
        // Reads are public (a token that is sent is checked); writes are
        // staff's, behind the default rule.
        for (path, item) in paths {
            for (method, op) in item.as_object().unwrap() {
                if method == "get" {
                    assert_eq!(op["security"], json!([{}, {"bearer": []}]), "{path}");
                } else {
                    assert!(op.get("security").is_none(), "{method} {path}");
                    assert!(op["responses"].get("403").is_some(), "{method} {path}");
                }
            }
        }
    }

    /// The representations' fields are the ones `to_json` writes, all of
    /// them required (a field is always there, null or not).
    #[test]
    fn the_schemas_have_the_representations_fields() {
        let schemas = schemas();
        let value = plan().to_json();
        assert_eq!(properties(&schemas["Plan"]), keys(&value));
        assert_eq!(required(&schemas["Plan"]), keys(&value));
        let feature = &value["feature_values"][0];
        assert_eq!(properties(&schemas["PlanFeatureValue"]), keys(feature));
        assert_eq!(required(&schemas["PlanFeatureValue"]), keys(feature));
        assert_eq!(properties(&schemas["PlanLimits"]), keys(&value["limits"]));
        assert_eq!(required(&schemas["PlanLimits"]), keys(&value["limits"]));
        assert_eq!(
            schemas["Plan"]["properties"]["limits"]["$ref"],
            "#/components/schemas/PlanLimits"
        );
        // Every bound of `limits` is null when unlimited, the flag a boolean.
        let limits = value["limits"].as_object().unwrap();
        for (name, bound) in limits {
            let kind = &schemas["PlanLimits"]["properties"][name]["type"];
            match name.as_str() {
                "ai_diagnostic" => assert_eq!(*bound, json!(true)),
                _ => {
                    assert_eq!(*bound, Value::Null, "{name}");
                    assert_eq!(*kind, json!(["integer", "null"]), "{name}");
                }
            }
        }
        // The values written fit the output patterns.
        assert_eq!(value["price"], "9.99");
        assert_eq!(value["price_display"], "9.99 EUR/month");
        assert_eq!(
            super::price_display_pattern(),
            "^[0-9]+\\.[0-9]{2} [A-Z]{3}/(month|year)$"
        );
        assert_eq!(
            super::feature_value_out_pattern(),
            "^(0|[1-9][0-9]{0,9}|unlimited|true|false)$"
        );
    }

    #[test]
    fn limits_come_from_the_constants() {
        let schemas = schemas();
        for name in ["PlanCreate", "PlanWrite", "PlanPatch"] {
            let p = &schemas[name]["properties"];
            assert_eq!(
                p["name"]["pattern"],
                trimmed_text_pattern(NAME_MAX, false),
                "{name}"
            );
            assert_eq!(
                p["description"]["pattern"],
                trimmed_text_pattern(DESCRIPTION_MAX, true)
            );
            for id in ["stripe_price_id", "stripe_product_id"] {
                assert_eq!(p[id]["pattern"], trimmed_text_pattern(STRIPE_ID_MAX, true));
            }
            assert_eq!(p["interval"]["enum"], json!(INTERVALS));
            assert_eq!(p["tier"]["enum"], json!(TIERS));
            assert_eq!(p["feature_values"]["maxItems"], FEATURES.len());
            assert_eq!(
                p["price"]["anyOf"][0]["maximum"],
                10i64.pow(PRICE_DIGITS as u32 - 2) - 1
            );
            assert_eq!(p["is_active"]["$ref"], "#/components/schemas/BooleanInput");
        }
        let out = &schemas["Plan"]["properties"];
        assert_eq!(out["interval"]["enum"], json!(INTERVALS));
        assert_eq!(out["tier"]["enum"], json!(TIERS));
        assert_eq!(out["feature_values"]["maxItems"], FEATURES.len());
        assert_eq!(out["stripe_price_id"]["maxLength"], STRIPE_ID_MAX);
        let feature = &schemas["PlanFeatureValue"]["properties"];
        let keys: Vec<&str> = FEATURES.iter().map(|f| f.key).collect();
        assert_eq!(feature["feature_key"]["enum"], json!(keys));
        assert_eq!(feature["feature"]["enum"], json!(keys));
        // The items as sent: one branch per kind of value, every key in one.
        let branches = schemas["PlanFeatureValueWrite"]["oneOf"]
            .as_array()
            .unwrap();
        assert_eq!(branches.len(), 2);
        let mut written: Vec<Value> = branches
            .iter()
            .flat_map(|b| {
                b["properties"]["feature_key"]["enum"]
                    .as_array()
                    .unwrap()
                    .clone()
            })
            .collect();
        written.sort_by_key(|k| k.as_str().unwrap().to_string());
        let mut expected = keys.clone();
        expected.sort();
        assert_eq!(json!(written), json!(expected));
        assert_eq!(
            branches[1]["properties"]["feature_key"]["enum"],
            json!([AI_DIAGNOSTIC])
        );
        for branch in branches {
            assert_eq!(required(branch), ["feature_key", "value"]);
        }
        assert_eq!(
            branches[0]["properties"]["value"]["anyOf"][0]["maximum"],
            LIMIT_MAX
        );
    }

    /// The required fields are the ones `input::plan` reports missing.
    #[test]
    fn the_required_fields_are_the_validators() {
        let schemas = schemas();
        let missing = |creating: bool, partial: bool| -> Vec<String> {
            let errors = errors(json!({}), creating, partial);
            let mut names: Vec<String> = errors
                .as_object()
                .unwrap()
                .iter()
                .filter(|(_, messages)| messages[0] == REQUIRED)
                .map(|(name, _)| name.clone())
                .collect();
            names.sort();
            names
        };
        assert_eq!(required(&schemas["PlanCreate"]), missing(true, false));
        assert_eq!(required(&schemas["PlanWrite"]), missing(false, false));
        assert_eq!(required(&schemas["PlanPatch"]), missing(false, true));
        assert!(missing(false, true).is_empty());
        // The create's default currency is the handler's.
        let handlers = include_str!("handlers.rs");
        assert!(handlers.contains(&format!(
            "currency.unwrap_or_else(|| \"{}\".into())",
            super::DEFAULT_CURRENCY
        )));
        // Every field the validator reads is a property of the bodies.
        let sent = json!({
            "name": null, "description": [], "price": null, "currency": null,
            "interval": null, "tier": null, "stripe_price_id": [], "stripe_product_id": [],
            "is_active": null, "is_popular": null, "feature_values": 3
        });
        let refused = errors(sent, true, false);
        for name in ["PlanCreate", "PlanWrite", "PlanPatch"] {
            assert_eq!(properties(&schemas[name]), keys(&refused), "{name}");
        }
    }

    /// The price's bounds are `parse_cents`'s with `PRICE_DIGITS`.
    #[test]
    fn the_price_follows_the_parser() {
        assert_eq!(PRICE_DIGITS, 10);
        assert_eq!(
            super::price_pattern(),
            format!(
                "^[{s}]*(\\+?(0*[0-9]{{1,8}}(\\.[0-9]{{0,2}}0*)?|\\.[0-9]{{1,2}}0*)|-(0+(\\.0*)?|\\.0+))[{s}]*$",
                s = shared::openapi::TRIMMED_SPACE
            )
        );
        for ok in [
            "0",
            "+5",
            "5.",
            ".5",
            "0.50",
            "99999999.99",
            "00099999999.990",
            " 1 ",
            "-0",
            "-0.00",
            "-.0",
        ] {
            assert!(parse_cents(&json!(ok), PRICE_DIGITS).is_ok(), "{ok}");
        }
        for bad in ["", ".", "-", "1.001", "100000000", "1e3", "1,5", "0x10"] {
            assert!(parse_cents(&json!(bad), PRICE_DIGITS).is_err(), "{bad}");
        }
        let max = super::price_integer_max();
        assert!(parse_cents(&json!(max), PRICE_DIGITS).is_ok());
        assert!(parse_cents(&json!(max + 1), PRICE_DIGITS).is_err());
        // A negative price parses; the validator refuses it.
        let refused = errors(
            json!({"name": "x", "price": "-0.01", "currency": "EUR"}),
            true,
            false,
        );
        assert_eq!(refused, json!({"price": [crate::input::NEGATIVE_PRICE]}));
        let zero = errors(
            json!({"name": "x", "price": "-0", "currency": "EUR"}),
            true,
            false,
        );
        assert_eq!(zero, json!({}));
    }

    /// The kinds of feature values are the validator's, at their bounds.
    #[test]
    fn the_feature_values_follow_the_validator() {
        let with = |items: Value| {
            errors(
                json!({"name": "x", "price": 1, "currency": "eur", "feature_values": items}),
                true,
                false,
            )
        };
        let ok = json!({});
        for value in [
            json!(LIMIT_MAX),
            json!(0),
            json!(format!("+{LIMIT_MAX}")),
            json!(" UnLimited "),
            json!("000000001"),
        ] {
            assert_eq!(
                with(json!([{"feature_key": MAX_VEHICLES, "value": value}])),
                ok,
                "{value}"
            );
        }
        for value in [
            json!(LIMIT_MAX + 1),
            json!(-1),
            json!(1.5),
            json!(true),
            json!("3.0"),
        ] {
            assert_ne!(
                with(json!([{"feature_key": MAX_VEHICLES, "value": value}])),
                ok,
                "{value}"
            );
        }
        for value in [json!(true), json!(" FALSE ")] {
            assert_eq!(
                with(json!([{"feature_key": AI_DIAGNOSTIC, "value": value}])),
                ok
            );
        }
        for value in [json!(1), json!("yes"), json!(UNLIMITED)] {
            assert_ne!(
                with(json!([{"feature_key": AI_DIAGNOSTIC, "value": value}])),
                ok
            );
        }
        // `feature` names the key when `feature_key` is absent, not over it.
        assert_eq!(with(json!([{"feature": MAX_VEHICLES, "value": 3}])), ok);
        assert_ne!(
            with(json!([{"feature_key": null, "feature": MAX_VEHICLES, "value": 3}])),
            ok
        );
        assert_eq!(with(json!(null)), ok);
        let all: Vec<Value> = FEATURES
            .iter()
            .map(|f| json!({"feature_key": f.key, "value": if f.key == AI_DIAGNOSTIC { json!(false) } else { json!(1) }}))
            .collect();
        assert_eq!(with(json!(all)), ok);
        let mut too_many = all.clone();
        too_many.push(all[0].clone());
        assert_ne!(with(json!(too_many)), ok);
        assert_eq!(
            super::limit_value_pattern(),
            format!(
                "^[{s}]*(\\+?([0-9]{{1,9}}|1000000000)|[uU][nN][lL][iI][mM][iI][tT][eE][dD])[{s}]*$",
                s = shared::openapi::TRIMMED_SPACE
            )
        );
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
        // 6 query parameters, and `id` on 4 operations.
        assert_eq!(seen, 10);
    }
}
