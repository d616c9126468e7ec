//! Brands and models (spec 3.2.10-11): readable by every signed-in user,
//! written by staff only. Only this function owns the catalogue: its
//! entities and repository live here (key formats stay in `shared::store::keys`).

pub mod entities;
pub mod store;

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::Method;
use axum::response::Response;
use serde_json::Value;
use shared::auth::{CurrentUser, Staff};
use shared::http::listing::{matches_search, number_filter, ordering, search_terms, sort, SortKey};
use shared::http::pagination::RequestUrl;
use shared::http::validate::{Field, Fields};
use shared::http::{created, no_content, ok, JsonBody, Page};
use shared::{time, Error, Result};

use crate::VehiclesState;
use entities::{Brand, CarModel};
use store::{Catalog, CatalogWrite};

const NO_BRAND: Error = Error::NotFound(Some("CarBrand"));
const NO_MODEL: Error = Error::NotFound(Some("CarModel"));
const BRAND_TAKEN: &str = "car brand with this name already exists.";
const MODEL_TAKEN: &str = "The fields brand, name must make a unique set.";
/// Longest brand or model name (characters, once trimmed).
pub(crate) const NAME_MAX: usize = 100;
pub(crate) const LOGO_URL_MAX: usize = 200;
/// Bounds of a model's `year_start` and `year_end`.
pub(crate) const MODEL_YEARS: (i64, i64) = (1850, 2100);

pub async fn list_brands(
    State(state): State<VehiclesState>,
    _user: CurrentUser,
    url: RequestUrl,
) -> Result<Response> {
    let terms = url.param("search").map(search_terms).unwrap_or_default();
    let mut brands: Vec<Brand> = Catalog::of(&state.store)
        .brands()
        .await?
        .into_iter()
        .filter(|b| matches_search(&terms, &[&b.name]))
        .collect();
    sort(
        &mut brands,
        &ordering(&url, &["name", "created_at"], &["name"]),
        |b, field| match field {
            "created_at" => SortKey::Time(b.created_at),
            _ => SortKey::Text(b.name.to_lowercase()),
        },
    );
    let rows: Vec<Value> = brands.iter().map(Brand::to_json).collect();
    Ok(ok(Page::paginate(rows, &url)?))
}

fn read_brand(
    body: &serde_json::Map<String, Value>,
    partial: bool,
) -> Result<(Option<String>, Option<Option<String>>)> {
    let mut f = Fields::partial(body, partial);
    let name = f.required_text("name", NAME_MAX);
    let logo = f.url("logo_url", LOGO_URL_MAX).into_update();
    f.finish()?;
    Ok((name, logo))
}

pub async fn create_brand(
    State(state): State<VehiclesState>,
    _staff: Staff,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let (name, logo) = read_brand(&body, false)?;
    let now = time::now();
    let brand = Brand {
        id: uuid::Uuid::now_v7().to_string(),
        name: name.unwrap_or_default(),
        logo_url: logo.flatten(),
        models_count: 0,
        created_at: now,
        updated_at: now,
    };
    match Catalog::of(&state.store).create_brand(&brand).await? {
        CatalogWrite::Done => Ok(created(brand.to_json())),
        _ => Err(Error::field("name", BRAND_TAKEN)),
    }
}

pub async fn brand_detail(
    State(state): State<VehiclesState>,
    _user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    Ok(ok(Catalog::of(&state.store)
        .brand(&id)
        .await?
        .ok_or(NO_BRAND)?
        .to_json()))
}

pub async fn update_brand(
    State(state): State<VehiclesState>,
    _staff: Staff,
    method: Method,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let before = Catalog::of(&state.store)
        .brand(&id)
        .await?
        .ok_or(NO_BRAND)?;
    let (name, logo) = read_brand(&body, method == Method::PATCH)?;
    let mut after = before.clone();
    if let Some(name) = name {
        after.name = name;
    }
    if let Some(logo) = logo {
        after.logo_url = logo;
    }
    after.updated_at = time::now();
    match Catalog::of(&state.store)
        .update_brand(&before, &after)
        .await?
    {
        CatalogWrite::Done => Ok(ok(after.to_json())),
        CatalogWrite::NameTaken => Err(Error::field("name", BRAND_TAKEN)),
        CatalogWrite::BrandMissing => Err(NO_BRAND),
    }
}

pub async fn delete_brand(
    State(state): State<VehiclesState>,
    _staff: Staff,
    Path(id): Path<String>,
) -> Result<Response> {
    let brand = Catalog::of(&state.store)
        .brand(&id)
        .await?
        .ok_or(NO_BRAND)?;
    Catalog::of(&state.store).delete_brand(&brand).await?;
    Ok(no_content())
}

/// Brand id -> name, for the models' `brand_name`.
async fn brand_names(state: &VehiclesState) -> Result<HashMap<String, String>> {
    Ok(Catalog::of(&state.store)
        .brands()
        .await?
        .into_iter()
        .map(|b| (b.id, b.name))
        .collect())
}

pub async fn brand_models(
    State(state): State<VehiclesState>,
    _user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    let brand = Catalog::of(&state.store)
        .brand(&id)
        .await?
        .ok_or(NO_BRAND)?;
    let mut models: Vec<CarModel> = Catalog::of(&state.store)
        .models()
        .await?
        .into_iter()
        .filter(|m| m.brand_id == brand.id)
        .collect();
    models.sort_by_key(|m| m.name.to_lowercase());
    Ok(ok(models
        .iter()
        .map(|m| m.to_json(&brand.name))
        .collect::<Vec<_>>()))
}

pub async fn list_models(
    State(state): State<VehiclesState>,
    _user: CurrentUser,
    url: RequestUrl,
) -> Result<Response> {
    let names = brand_names(&state).await?;
    let brand = url.param("brand").filter(|b| !b.is_empty());
    if brand.is_some_and(|b| !names.contains_key(b)) {
        return Err(Error::field(
            "brand",
            "Select a valid choice. That choice is not one of the available choices.",
        ));
    }
    let year_start = number_filter(&url, "year_start")?;
    let year_end = number_filter(&url, "year_end")?;
    let terms = url.param("search").map(search_terms).unwrap_or_default();
    let brand_name = |m: &CarModel| names.get(&m.brand_id).cloned().unwrap_or_default();
    let mut models: Vec<CarModel> = Catalog::of(&state.store)
        .models()
        .await?
        .into_iter()
        .filter(|m| brand.is_none_or(|b| m.brand_id == b))
        .filter(|m| year_start.is_none_or(|y| m.year_start.map(|v| v as f64) == Some(y)))
        .filter(|m| year_end.is_none_or(|y| m.year_end.map(|v| v as f64) == Some(y)))
        .filter(|m| matches_search(&terms, &[&m.name, &brand_name(m)]))
        .collect();
    let order = ordering(
        &url,
        &["name", "year_start", "created_at"],
        &["brand_name", "name"],
    );
    sort(&mut models, &order, |m, field| match field {
        "brand_name" => SortKey::Text(brand_name(m).to_lowercase()),
        "year_start" => m
            .year_start
            .map_or(SortKey::Null, |y| SortKey::Number(y as f64)),
        "created_at" => SortKey::Time(m.created_at),
        _ => SortKey::Text(m.name.to_lowercase()),
    });
    let rows: Vec<Value> = models.iter().map(|m| m.to_json(&brand_name(m))).collect();
    Ok(ok(Page::paginate(rows, &url)?))
}

struct ModelInput {
    brand: Option<String>,
    name: Option<String>,
    year_start: Option<Option<i64>>,
    year_end: Option<Option<i64>>,
}

fn read_model(
    body: &serde_json::Map<String, Value>,
    partial: bool,
    names: &HashMap<String, String>,
) -> Result<ModelInput> {
    let mut f = Fields::partial(body, partial);
    let brand = match body.get("brand") {
        None if !partial => {
            f.error("brand", shared::http::validate::REQUIRED);
            None
        }
        None => None,
        Some(Value::String(id)) if names.contains_key(id) => Some(id.clone()),
        Some(Value::String(id)) => {
            f.error(
                "brand",
                format!("Invalid pk \"{id}\" - object does not exist."),
            );
            None
        }
        Some(Value::Null) => {
            f.error("brand", shared::http::validate::NULL);
            None
        }
        Some(other) => {
            f.error(
                "brand",
                format!(
                    "Incorrect type. Expected pk value, received {}.",
                    shared::http::body::type_name(other)
                ),
            );
            None
        }
    };
    let name = f.required_text("name", NAME_MAX);
    let year =
        |f: &mut Fields, field: &str| match f.integer(field, false, MODEL_YEARS.0, MODEL_YEARS.1) {
            Field::Value(y) => Some(Some(y)),
            Field::Null => Some(None),
            Field::Absent => None,
        };
    let year_start = year(&mut f, "year_start");
    let year_end = year(&mut f, "year_end");
    if let (Some(Some(start)), Some(Some(end))) = (year_start, year_end) {
        if start > end {
            f.error(
                "year_end",
                "Ensure the end year is not before the start year.",
            );
        }
    }
    f.finish()?;
    Ok(ModelInput {
        brand,
        name,
        year_start,
        year_end,
    })
}

fn model_write_error(outcome: CatalogWrite) -> Error {
    match outcome {
        CatalogWrite::NameTaken => Error::non_field(MODEL_TAKEN),
        _ => Error::field("brand", "The brand was deleted meanwhile."),
    }
}

pub async fn create_model(
    State(state): State<VehiclesState>,
    _staff: Staff,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let names = brand_names(&state).await?;
    let input = read_model(&body, false, &names)?;
    let now = time::now();
    let model = CarModel {
        id: uuid::Uuid::now_v7().to_string(),
        brand_id: input.brand.unwrap_or_default(),
        name: input.name.unwrap_or_default(),
        year_start: input.year_start.flatten(),
        year_end: input.year_end.flatten(),
        created_at: now,
        updated_at: now,
    };
    match Catalog::of(&state.store).create_model(&model).await? {
        CatalogWrite::Done => Ok(created(
            model.to_json(names.get(&model.brand_id).map_or("", String::as_str)),
        )),
        other => Err(model_write_error(other)),
    }
}

pub async fn model_detail(
    State(state): State<VehiclesState>,
    _user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    let model = Catalog::of(&state.store)
        .model(&id)
        .await?
        .ok_or(NO_MODEL)?;
    let brand = Catalog::of(&state.store).brand(&model.brand_id).await?;
    Ok(ok(
        model.to_json(brand.as_ref().map_or("", |b| b.name.as_str()))
    ))
}

pub async fn update_model(
    State(state): State<VehiclesState>,
    _staff: Staff,
    method: Method,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let before = Catalog::of(&state.store)
        .model(&id)
        .await?
        .ok_or(NO_MODEL)?;
    let names = brand_names(&state).await?;
    let input = read_model(&body, method == Method::PATCH, &names)?;
    let mut after = before.clone();
    if let Some(brand) = input.brand {
        after.brand_id = brand;
    }
    if let Some(name) = input.name {
        after.name = name;
    }
    if let Some(y) = input.year_start {
        after.year_start = y;
    }
    if let Some(y) = input.year_end {
        after.year_end = y;
    }
    after.updated_at = time::now();
    match Catalog::of(&state.store)
        .update_model(&before, &after)
        .await?
    {
        CatalogWrite::Done => Ok(ok(
            after.to_json(names.get(&after.brand_id).map_or("", String::as_str))
        )),
        other => Err(model_write_error(other)),
    }
}

pub async fn delete_model(
    State(state): State<VehiclesState>,
    _staff: Staff,
    Path(id): Path<String>,
) -> Result<Response> {
    let model = Catalog::of(&state.store)
        .model(&id)
        .await?
        .ok_or(NO_MODEL)?;
    Catalog::of(&state.store).delete_model(&model).await?;
    Ok(no_content())
}
