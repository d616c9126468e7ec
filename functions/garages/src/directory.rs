//! The directory endpoints (spec 5.2.1 to 5.2.5): list, create, detail,
//! PUT/PATCH, delete. Anyone reads; a signed-in user creates; only the
//! creator or staff edits or deletes.

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::Value;
use shared::auth::{CurrentUser, PublicRequest};
use shared::domain::garages::{
    name_key, Garage, GarageFields, ADDRESS_MAX, CERTIFICATIONS_MAX, CERTIFICATION_MAX, CITY_MAX,
    COUNTRY_MAX, DESCRIPTION_MAX, NAME_MAX, PHONE_MAX, POSTAL_CODE_MAX, SPECIALTIES_MAX,
    SPECIALTY_MAX,
};
use shared::domain::geo::Position;
use shared::http::listing::{ordering, sort, SortKey};
use shared::http::pagination::RequestUrl;
use shared::http::validate::{Field, Fields, Text};
use shared::http::{created, no_content, ok, JsonBody, Page};
use shared::store::garages::{count_scope, facet_kind, filtered};
use shared::store::SortRange;
use shared::{Error, Result};

use crate::paging::{self, Ordered};
use crate::GaragesState;

pub const NOT_FOUND: Error = Error::NotFound(Some("Garage"));

/// Fields `?ordering=` accepts (spec 5.2.1); the first one decides.
pub const ORDERING_FIELDS: &[&str] = &["name", "average_rating", "total_reviews", "created_at"];

/// The exact-match filters (spec 5.2.1), and their directory partitions.
pub const FILTERS: &[(&str, &str)] = &[
    ("city", facet_kind::CITY),
    ("postal_code", facet_kind::POSTAL),
    ("country", facet_kind::COUNTRY),
];

/// Most garages a search may match: it is counted by reading them.
pub const SEARCH_MAX: usize = 200;

/// Reviews in a garage's detail (`all_reviews`), newest first; the rest
/// through `GET /api/garages/{id}/reviews/`.
pub const DETAIL_REVIEWS_MAX: usize = 100;

/// How a list is read.
enum ListForm {
    /// One partition of the directory, a page at a time.
    Index {
        partition: String,
        forward: bool,
        /// The counter of the envelope's `count`.
        counter: String,
    },
    /// The garages whose name key starts with `prefix` (at most
    /// `SEARCH_MAX`), then filtered, ordered and paged in memory.
    Search { prefix: String },
}

/// The served list forms (see docs/data-model.md); anything else would
/// need a read of the whole directory and is a 400.
fn list_form(url: &RequestUrl) -> Result<ListForm> {
    let search = url.param("search").map(name_key).unwrap_or_default();
    if !search.is_empty() {
        return Ok(ListForm::Search { prefix: search });
    }
    let filters: Vec<(&str, &str, &str)> = FILTERS
        .iter()
        .filter_map(|(param, kind)| {
            url.param(param)
                .filter(|v| !v.is_empty())
                .map(|v| (*param, *kind, v))
        })
        .collect();
    let (field, descending) = ordering(url, ORDERING_FIELDS, DEFAULT_ORDERING)
        .into_iter()
        .next()
        .unwrap_or(("average_rating".into(), true));
    if filters.len() > 1 {
        return Err(Error::non_field(
            "Filter by one of city, postal_code and country at a time (or add a search).",
        ));
    }
    if let Some((param, kind, value)) = filters.first() {
        if field != "average_rating" {
            return Err(Error::field(
                "ordering",
                format!("With the {param} filter, order by average_rating only (or add a search)."),
            ));
        }
        let scope = filtered(kind, value);
        return Ok(ListForm::Index {
            partition: scope.clone(),
            forward: descending,
            counter: scope,
        });
    }
    let (partition, forward) = match field.as_str() {
        "name" => (facet_kind::NAME, !descending),
        "created_at" => (facet_kind::CREATED, !descending),
        "total_reviews" => (facet_kind::REVIEWS, !descending),
        // Rating keys sort best first.
        _ => (facet_kind::RATING, descending),
    };
    Ok(ListForm::Index {
        partition: partition.into(),
        forward,
        counter: count_scope::ALL.into(),
    })
}

/// The spec's default order.
const DEFAULT_ORDERING: &[&str] = &["-average_rating", "name"];

pub async fn list(
    State(state): State<GaragesState>,
    _: PublicRequest,
    url: RequestUrl,
) -> Result<Response> {
    paging::check_cursors(&url)?;
    let (partition, forward, counter) = match list_form(&url)? {
        ListForm::Search { prefix } => return search(&state, &url, &prefix).await,
        ListForm::Index {
            partition,
            forward,
            counter,
        } => (partition, forward, counter),
    };
    let directory = state.store.garages();
    let count = directory.count(&counter).await? as usize;
    let partition = partition.as_str();
    let read = |range: SortRange, ascending: bool, limit: usize| {
        let directory = state.store.garages();
        async move {
            let pointers = directory
                .pointers(partition, &range, ascending, limit)
                .await?;
            let ids: Vec<String> = pointers.iter().map(|p| p.garage_id.clone()).collect();
            let garages = directory.many(&ids).await?;
            Ok(pointers
                .into_iter()
                .filter_map(|p| {
                    let garage = garages.iter().find(|g| g.id == p.garage_id)?.clone();
                    Some((p.order, garage))
                })
                .collect())
        }
    };
    let source = Ordered {
        prefix: None,
        forward,
        count,
    };
    let page = paging::page(&url, source, &read, |g: Garage| g.to_json()).await?;
    Ok(ok(page))
}

/// A search: every garage whose name starts with the search (at most
/// `SEARCH_MAX`, else a 400), then the filters, any ordering and the page,
/// in memory.
async fn search(state: &GaragesState, url: &RequestUrl, prefix: &str) -> Result<Response> {
    let directory = state.store.garages();
    let pointers = directory
        .pointers(
            facet_kind::NAME,
            &SortRange::Prefix(prefix.to_string()),
            true,
            SEARCH_MAX + 1,
        )
        .await?;
    if pointers.len() > SEARCH_MAX {
        return Err(Error::field(
            "search",
            format!("More than {SEARCH_MAX} garages match: type more of the name."),
        ));
    }
    let ids: Vec<String> = pointers.into_iter().map(|p| p.garage_id).collect();
    let filters: Vec<(&str, &str)> = FILTERS
        .iter()
        .filter_map(|(param, _)| {
            url.param(param)
                .filter(|v| !v.is_empty())
                .map(|v| (*param, v))
        })
        .collect();
    let mut garages: Vec<Garage> = directory
        .many(&ids)
        .await?
        .into_iter()
        .filter(|g| {
            filters.iter().all(|(param, value)| {
                let field = match *param {
                    "city" => &g.city,
                    "postal_code" => &g.postal_code,
                    _ => &g.country,
                };
                field.as_deref() == Some(*value)
            })
        })
        .collect();
    let order = ordering(url, ORDERING_FIELDS, DEFAULT_ORDERING);
    sort(&mut garages, &order, |g, field| match field {
        "name" => SortKey::Text(g.name.clone()),
        "average_rating" => SortKey::Number(g.tally().hundredths() as f64),
        "total_reviews" => SortKey::Number(g.rating_count as f64),
        _ => SortKey::Time(g.created_at),
    });
    let rows: Vec<Value> = garages.iter().map(Garage::to_json).collect();
    Ok(ok(Page::paginate(rows, url)?))
}

/// A garage body, read field by field; `None` is "not given".
#[derive(Debug, Default)]
pub struct GarageBody {
    name: Option<String>,
    email: Option<String>,
    phone: Option<Option<String>>,
    address: Option<String>,
    city: Option<Option<String>>,
    postal_code: Option<Option<String>>,
    country: Option<Option<String>>,
    position: Option<Position>,
    description: Option<Option<String>>,
    specialties: Option<Vec<String>>,
    certifications: Option<Vec<String>>,
}

impl GarageBody {
    /// `partial` (PATCH): nothing is required. `average_rating`,
    /// `total_reviews`, `location` and `id` are read-only and ignored.
    pub fn read(body: &serde_json::Map<String, Value>, partial: bool) -> Result<Self> {
        let mut f = Fields::partial(body, partial);
        let optional = |f: &mut Fields, name: &str, max: usize| -> Option<Option<String>> {
            f.text(name, Text::optional(max)).into_update()
        };
        let name = f.required_text("name", NAME_MAX);
        let email = f.email("email", true).value();
        let phone = optional(&mut f, "phone", PHONE_MAX);
        let address = f.required_text("address", ADDRESS_MAX);
        let city = optional(&mut f, "city", CITY_MAX);
        let postal_code = optional(&mut f, "postal_code", POSTAL_CODE_MAX);
        let country = optional(&mut f, "country", COUNTRY_MAX);
        let description = optional(&mut f, "description", DESCRIPTION_MAX);
        let latitude = f.number("latitude", false, -90.0, 90.0);
        let latitude = f.not_null("latitude", latitude);
        let longitude = f.number("longitude", false, -180.0, 180.0);
        let longitude = f.not_null("longitude", longitude);
        // A position is both coordinates or neither (the reference dropped
        // a lone one silently).
        let position = match (latitude, longitude) {
            (Some(lat), Some(lng)) => Position::new(stored(lat), stored(lng)),
            (Some(_), None) if !f.has_error("longitude") => {
                f.error(
                    "longitude",
                    "This field is required when latitude is given.",
                );
                None
            }
            (None, Some(_)) if !f.has_error("latitude") => {
                f.error(
                    "latitude",
                    "This field is required when longitude is given.",
                );
                None
            }
            _ => None,
        };
        let specialties = string_list(&mut f, "specialties", SPECIALTIES_MAX, SPECIALTY_MAX);
        let certifications = string_list(
            &mut f,
            "certifications",
            CERTIFICATIONS_MAX,
            CERTIFICATION_MAX,
        );
        f.finish()?;
        Ok(GarageBody {
            name,
            email,
            phone,
            address,
            city,
            postal_code,
            country,
            position,
            description,
            specialties,
            certifications,
        })
    }

    /// The fields after this body: given ones replace, others stay.
    pub fn apply(&self, base: GarageFields) -> GarageFields {
        let pick = |given: &Option<Option<String>>, kept: Option<String>| match given {
            Some(v) => v.clone(),
            None => kept,
        };
        GarageFields {
            name: self.name.clone().unwrap_or(base.name),
            email: self.email.clone().unwrap_or(base.email),
            phone: pick(&self.phone, base.phone),
            address: self.address.clone().unwrap_or(base.address),
            city: pick(&self.city, base.city),
            postal_code: pick(&self.postal_code, base.postal_code),
            country: pick(&self.country, base.country),
            position: self.position,
            description: pick(&self.description, base.description),
            specialties: self.specialties.clone().unwrap_or(base.specialties),
            certifications: self.certifications.clone().unwrap_or(base.certifications),
        }
    }
}

/// Coordinates are kept to `COORDINATE_DECIMALS` decimals (0.1 mm): far
/// finer than any address, and always a number DynamoDB can store (it
/// refuses magnitudes under 1e-130, which a float may hold).
pub const COORDINATE_DECIMALS: i32 = 9;

fn stored(degrees: f64) -> f64 {
    let scale = 10f64.powi(COORDINATE_DECIMALS);
    // `+ 0.0` turns -0.0 into 0.
    (degrees * scale).round() / scale + 0.0
}

fn string_list(
    f: &mut Fields,
    name: &str,
    max_items: usize,
    max_len: usize,
) -> Option<Vec<String>> {
    match f.string_list(name, max_items, max_len) {
        Field::Value(v) => Some(v),
        _ => None,
    }
}

pub async fn create(
    State(state): State<GaragesState>,
    CurrentUser(user): CurrentUser,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    // Name, e-mail and address are required: `read` refused their absence.
    let fields = GarageBody::read(&body, false)?.apply(GarageFields::default());
    let garage = Garage::new(fields, Some(user.id.clone()));
    state.store.garages().create(&garage).await?;
    Ok(created(garage.to_json()))
}

pub async fn detail(
    State(state): State<GaragesState>,
    _: PublicRequest,
    Path(id): Path<String>,
) -> Result<Response> {
    let directory = state.store.garages();
    let reviews = SortRange::Prefix(shared::store::keys::REVIEW_PREFIX.into());
    let (garage, reviews) = tokio::join!(
        directory.get(&id),
        directory.reviews(&id, &reviews, true, DETAIL_REVIEWS_MAX)
    );
    let garage = garage?.filter(|g| !g.deleting).ok_or(NOT_FOUND)?;
    let mut body = garage.to_json();
    body["all_reviews"] = reviews?.iter().map(|r| r.to_json()).collect();
    Ok(ok(body))
}

pub async fn replace(
    state: State<GaragesState>,
    user: CurrentUser,
    id: Path<String>,
    body: JsonBody,
) -> Result<Response> {
    update(state, user, id, body, false).await
}

pub async fn patch(
    state: State<GaragesState>,
    user: CurrentUser,
    id: Path<String>,
    body: JsonBody,
) -> Result<Response> {
    update(state, user, id, body, true).await
}

/// The garage, when the caller may change it: 404 when there is none,
/// 403 when it is someone else's.
async fn editable(state: &GaragesState, user: &CurrentUser, id: &str) -> Result<Garage> {
    let garage = state.store.garages().get(id).await?.ok_or(NOT_FOUND)?;
    if !garage.editable_by(&user.0.id, user.0.is_staff) {
        return Err(Error::Forbidden(
            "Only the garage's creator or staff may change it.".into(),
        ));
    }
    Ok(garage)
}

async fn update(
    State(state): State<GaragesState>,
    user: CurrentUser,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
    partial: bool,
) -> Result<Response> {
    let garage = editable(&state, &user, &id).await?;
    if garage.deleting {
        return Err(NOT_FOUND);
    }
    let changes = GarageBody::read(&body, partial)?;
    let saved = state
        .store
        .garages()
        .update(garage, |read| {
            let mut next = read.clone();
            next.set(changes.apply(read.fields()));
            next.updated_at = shared::time::now();
            Some(next)
        })
        .await?
        .ok_or(NOT_FOUND)?;
    Ok(ok(saved.to_json()))
}

pub async fn delete(
    State(state): State<GaragesState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    // A garage left `deleting` by an interrupted delete is finished here.
    editable(&state, &user, &id).await?;
    if !state.store.garages().delete(&id).await? {
        return Err(NOT_FOUND);
    }
    Ok(no_content())
}
