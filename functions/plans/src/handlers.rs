//! The catalogue's endpoints (spec 9.2). Every read takes the whole
//! catalogue (one Query: at most `MAX_PLANS` small items) and shapes it in
//! memory; for anyone but staff, inactive plans do not exist.

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::Value;
use shared::auth::{Staff, Viewer};
use shared::domain::plans::{Plan, INTERVALS, MAX_PLANS, MONTH};
use shared::http::listing::{bool_filter, choice_filter, ordering, search_terms, sort, SortKey};
use shared::http::pagination::RequestUrl;
use shared::http::validate::Fields;
use shared::http::{created, no_content, ok, JsonBody, Page};
use shared::{Error, Result};

use crate::input;
use crate::PlansState;

const NOT_FOUND: Error = Error::NotFound(Some("Plan"));
const ORDERING_FIELDS: &[&str] = &["price", "created_at"];

fn sort_key(p: &Plan, field: &str) -> SortKey {
    match field {
        "created_at" => SortKey::Time(p.created_at),
        _ => SortKey::Number(p.price as f64),
    }
}

/// The plans `viewer` may see, cheapest first (then by name, so equal
/// prices keep one order).
async fn visible(state: &PlansState, viewer: &Viewer) -> Result<Vec<Plan>> {
    let staff = viewer.is_staff();
    let mut plans: Vec<Plan> = state
        .store
        .plans()
        .all()
        .await?
        .into_iter()
        .filter(|p| staff || p.is_active)
        .collect();
    plans.sort_by(|a, b| a.price.cmp(&b.price).then_with(|| a.name.cmp(&b.name)));
    Ok(plans)
}

fn rows(plans: &[Plan]) -> Vec<Value> {
    plans.iter().map(Plan::to_json).collect()
}

/// `GET /api/plans/`: filters `interval`, `is_active`, `is_popular`;
/// search in name and description; ordering `price`, `created_at`.
pub async fn list(
    State(state): State<PlansState>,
    viewer: Viewer,
    url: RequestUrl,
) -> Result<Response> {
    let interval = choice_filter(&url, "interval", INTERVALS)?;
    let active = bool_filter(&url, "is_active");
    let popular = bool_filter(&url, "is_popular");
    let terms = url.param("search").map(search_terms).unwrap_or_default();
    let mut plans: Vec<Plan> = visible(&state, &viewer)
        .await?
        .into_iter()
        .filter(|p| interval.is_none_or(|i| p.interval == i))
        .filter(|p| active.is_none_or(|a| p.is_active == a))
        .filter(|p| popular.is_none_or(|a| p.is_popular == a))
        .filter(|p| {
            shared::http::listing::matches_search(
                &terms,
                &[&p.name, p.description.as_deref().unwrap_or("")],
            )
        })
        .collect();
    sort(
        &mut plans,
        &ordering(&url, ORDERING_FIELDS, &["price"]),
        sort_key,
    );
    let page = Page::paginate(plans, &url)?;
    Ok(ok(Page {
        count: page.count,
        next: page.next,
        previous: page.previous,
        results: rows(&page.results),
    }))
}

/// `GET /api/plans/{id}/`: an inactive plan is a 404 but for staff.
pub async fn detail(
    State(state): State<PlansState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response> {
    let plan = state.store.plans().get(&id).await?.ok_or(NOT_FOUND)?;
    if !plan.is_active && !viewer.is_staff() {
        return Err(NOT_FOUND);
    }
    Ok(ok(plan.to_json()))
}

/// `GET /api/plans/active/` (alias `active_plans/`): every active plan,
/// staff included.
pub async fn active(State(state): State<PlansState>, viewer: Viewer) -> Result<Response> {
    let plans: Vec<Plan> = visible(&state, &viewer)
        .await?
        .into_iter()
        .filter(|p| p.is_active)
        .collect();
    Ok(ok(rows(&plans)))
}

/// `GET /api/plans/by-interval/?interval=` (alias `by_interval/`): public,
/// as the seed lists it; an unknown interval selects nothing, none all.
pub async fn by_interval(
    State(state): State<PlansState>,
    viewer: Viewer,
    url: RequestUrl,
) -> Result<Response> {
    let wanted = url.param("interval").filter(|i| !i.is_empty());
    let plans: Vec<Plan> = visible(&state, &viewer)
        .await?
        .into_iter()
        .filter(|p| wanted.is_none_or(|i| p.interval == i))
        .collect();
    Ok(ok(rows(&plans)))
}

/// `GET /api/plans/popular/`: active and popular.
pub async fn popular(State(state): State<PlansState>, viewer: Viewer) -> Result<Response> {
    let plans: Vec<Plan> = visible(&state, &viewer)
        .await?
        .into_iter()
        .filter(|p| p.is_active && p.is_popular)
        .collect();
    Ok(ok(rows(&plans)))
}

/// `POST /api/plans/` (staff): `201` with the full plan. Nothing is
/// created on Stripe: its price id is configuration.
pub async fn create(
    State(state): State<PlansState>,
    _staff: Staff,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let mut f = Fields::new(&body);
    let fields = input::plan(&mut f, true);
    f.finish()?;
    let plans = state.store.plans();
    if plans.all().await?.len() >= MAX_PLANS {
        return Err(Error::non_field(format!(
            "The catalogue holds at most {MAX_PLANS} plans; deactivate or delete one first."
        )));
    }
    let now = shared::time::now();
    let plan = Plan {
        id: uuid::Uuid::now_v7().to_string(),
        name: fields.name.unwrap_or_default(),
        description: fields.description.flatten(),
        price: fields.price.unwrap_or_default(),
        currency: fields.currency.unwrap_or_else(|| "USD".into()),
        interval: fields.interval.unwrap_or_else(|| MONTH.into()),
        tier: fields
            .tier
            .unwrap_or_else(|| shared::domain::plans::FREE.into()),
        stripe_price_id: fields.stripe_price_id.flatten(),
        stripe_product_id: fields.stripe_product_id.flatten(),
        is_active: fields.is_active.unwrap_or(true),
        is_popular: fields.is_popular.unwrap_or(false),
        features: fields.features.unwrap_or_default(),
        subscribers: 0,
        created_at: now,
        updated_at: now,
        version: 0,
    };
    plans.create(&plan).await?;
    Ok(created(plan.to_json()))
}

pub async fn replace(
    state: State<PlansState>,
    staff: Staff,
    path: Path<String>,
    body: JsonBody,
) -> Result<Response> {
    edit(state, staff, path, body, false).await
}

pub async fn patch(
    state: State<PlansState>,
    staff: Staff,
    path: Path<String>,
    body: JsonBody,
) -> Result<Response> {
    edit(state, staff, path, body, true).await
}

/// PUT/PATCH (staff): every field but the id, the dates and the count of
/// subscribers.
async fn edit(
    State(state): State<PlansState>,
    _staff: Staff,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
    partial: bool,
) -> Result<Response> {
    let plans = state.store.plans();
    let before = plans.get(&id).await?.ok_or(NOT_FOUND)?;
    let mut f = Fields::partial(&body, partial);
    let fields = input::plan(&mut f, false);
    f.finish()?;
    let mut after = before.clone();
    if let Some(v) = fields.name {
        after.name = v;
    }
    if let Some(v) = fields.description {
        after.description = v;
    }
    if let Some(v) = fields.price {
        after.price = v;
    }
    if let Some(v) = fields.currency {
        after.currency = v;
    }
    if let Some(v) = fields.interval {
        after.interval = v;
    }
    if let Some(v) = fields.tier {
        after.tier = v;
    }
    if let Some(v) = fields.stripe_price_id {
        after.stripe_price_id = v;
    }
    if let Some(v) = fields.stripe_product_id {
        after.stripe_product_id = v;
    }
    if let Some(v) = fields.is_active {
        after.is_active = v;
    }
    if let Some(v) = fields.is_popular {
        after.is_popular = v;
    }
    if let Some(v) = fields.features {
        after.features = v;
    }
    plans.save(&before, &mut after).await?;
    Ok(ok(after.to_json()))
}

/// `DELETE /api/plans/{id}/` (staff): a plan with subscribers is a 409
/// that says to deactivate it instead.
pub async fn delete(
    State(state): State<PlansState>,
    _staff: Staff,
    Path(id): Path<String>,
) -> Result<Response> {
    let plans = state.store.plans();
    let plan = plans.get(&id).await?.ok_or(NOT_FOUND)?;
    plans.delete(&plan).await?;
    Ok(no_content())
}
