//! Garage reviews (spec 5.2.7, 5.2.8, 5.2.11) with the permissions the
//! reference lacked: anyone reads, a signed-in user writes, only the author
//! or staff edits or deletes. One review per user and garage: a second one
//! is a 409 naming the first (the client edits that one instead). Every
//! write moves the garage's rating in the same transaction.

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{json, Map, Value};
use shared::auth::{CurrentUser, PublicRequest};
use shared::domain::garages::{Review, ReviewFields, COMMENT_MAX, RATINGS, REVIEWER_NAME_MAX};
use shared::http::app::possible_segment;
use shared::http::listing::ordering;
use shared::http::pagination::RequestUrl;
use shared::http::validate::{
    is_valid_email, Field, Fields, Text, EMAIL_MAX, INVALID_EMAIL, REQUIRED,
};
use shared::http::{created, no_content, ok, JsonBody};
use shared::store::garages::ReviewRefusal;
use shared::store::{keys, SortRange};
use shared::{Error, Result};

use crate::directory::NOT_FOUND as GARAGE_NOT_FOUND;
use crate::paging::{self, Ordered};
use crate::GaragesState;

pub const NOT_FOUND: Error = Error::NotFound(Some("GarageReview"));

/// A review body; `partial` (PATCH): nothing is required.
fn read_review(
    body: &Map<String, Value>,
    partial: bool,
    base: Option<ReviewFields>,
) -> Result<ReviewFields> {
    let mut f = Fields::partial(body, partial);
    let name = f.required_text("reviewer_name", REVIEWER_NAME_MAX);
    // Optional and blank allowed (the contract's model field): only a
    // non-blank address is checked.
    let email = match f.text("reviewer_email", Text::optional(EMAIL_MAX)) {
        Field::Value(v) if !v.is_empty() && !is_valid_email(&v) => {
            f.error("reviewer_email", INVALID_EMAIL);
            None
        }
        other => other.into_update(),
    };
    let rating = f.integer("rating", true, RATINGS.0.into(), RATINGS.1.into());
    let rating = f.not_null("rating", rating);
    let comment = f.text("comment", Text::optional(COMMENT_MAX)).into_update();
    f.finish()?;
    let base = base.unwrap_or(ReviewFields {
        reviewer_name: String::new(),
        reviewer_email: None,
        rating: RATINGS.0,
        comment: None,
    });
    Ok(ReviewFields {
        reviewer_name: name.unwrap_or(base.reviewer_name),
        reviewer_email: email.unwrap_or(base.reviewer_email),
        rating: rating.map_or(base.rating, |r| r as u8),
        comment: comment.unwrap_or(base.comment),
    })
}

fn refusal(refused: ReviewRefusal) -> Error {
    match refused {
        ReviewRefusal::NoGarage => GARAGE_NOT_FOUND,
        ReviewRefusal::NoReview => NOT_FOUND,
        ReviewRefusal::AlreadyReviewed(existing) => Error::Body {
            status: 409,
            body: json!({
                "detail": "You have already reviewed this garage: edit or delete that review.",
                "review": existing,
            }),
        },
    }
}

async fn add(
    state: &GaragesState,
    garage_id: &str,
    author_id: &str,
    fields: ReviewFields,
) -> Result<Response> {
    let review = Review::new(garage_id, author_id, fields);
    state
        .store
        .garages()
        .add_review(&review)
        .await?
        .map_err(refusal)?;
    Ok(created(review.to_json()))
}

/// `POST /api/garages/{id}/review/` (alias `add_review/`): the garage is
/// the URL's; a `garage` in the body is ignored.
pub async fn add_to_garage(
    State(state): State<GaragesState>,
    CurrentUser(user): CurrentUser,
    Path(garage_id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let fields = read_review(&body, false, None)?;
    add(&state, &garage_id, &user.id, fields).await
}

/// `POST /api/reviews/`: the garage comes in the body.
pub async fn create(
    State(state): State<GaragesState>,
    CurrentUser(user): CurrentUser,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let garage = match body.get("garage") {
        None | Some(Value::Null) => Err(Error::field("garage", REQUIRED)),
        Some(Value::String(id)) if possible_segment(id) && !id.is_empty() => Ok(id.clone()),
        Some(other) => Err(invalid_pk(other)),
    };
    let fields = read_review(&body, false, None);
    let (garage, fields) = match (garage, fields) {
        (Ok(g), Ok(f)) => (g, f),
        (Err(Error::Validation(mut a)), Err(Error::Validation(b))) => {
            a.merge(b);
            return Err(Error::Validation(a));
        }
        (Err(e), _) | (_, Err(e)) => return Err(e),
    };
    if state
        .store
        .garages()
        .get(&garage)
        .await?
        .is_none_or(|g| g.deleting)
    {
        return Err(invalid_pk(&Value::String(garage)));
    }
    add(&state, &garage, &user.id, fields).await
}

fn invalid_pk(value: &Value) -> Error {
    let shown = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Error::field(
        "garage",
        format!("Invalid pk \"{shown}\" - object does not exist."),
    )
}

/// Newest first by default; `ordering=created_at` is oldest first.
fn newest_first(url: &RequestUrl) -> Result<bool> {
    let order = ordering(url, &["created_at", "rating"], &["-created_at"]);
    match order.first() {
        Some((field, descending)) if field == "created_at" => Ok(*descending),
        _ => Err(Error::field(
            "ordering",
            "Reviews are ordered by created_at only.",
        )),
    }
}

/// A page of one garage's reviews.
async fn page_of(state: &GaragesState, garage_id: &str, url: &RequestUrl) -> Result<Response> {
    let newest = newest_first(url)?;
    let directory = state.store.garages();
    let garage = directory
        .get(garage_id)
        .await?
        .filter(|g| !g.deleting)
        .ok_or(GARAGE_NOT_FOUND)?;
    let read = |range: SortRange, ascending: bool, limit: usize| {
        let directory = state.store.garages();
        async move {
            let reviews = directory
                .reviews(garage_id, &range, !ascending, limit)
                .await?;
            Ok(reviews
                .into_iter()
                .map(|r| (keys::review_sk(&r.id), r))
                .collect())
        }
    };
    let source = Ordered {
        prefix: Some(keys::REVIEW_PREFIX),
        forward: !newest,
        count: garage.rating_count as usize,
    };
    let page = paging::page(url, source, &read, |r: Review| r.to_json()).await?;
    Ok(ok(page))
}

/// `GET /api/garages/{id}/reviews/`.
pub async fn of_garage(
    State(state): State<GaragesState>,
    _: PublicRequest,
    Path(garage_id): Path<String>,
    url: RequestUrl,
) -> Result<Response> {
    page_of(&state, &garage_id, &url).await
}

/// `GET /api/reviews/?garage=<id>`: reviews are read per garage (a list of
/// every review of the directory is not served).
pub async fn list(
    State(state): State<GaragesState>,
    _: PublicRequest,
    url: RequestUrl,
) -> Result<Response> {
    if url.param("rating").is_some_and(|r| !r.is_empty()) {
        return Err(Error::field(
            "rating",
            "Filtering reviews by rating is not served.",
        ));
    }
    let garage = url
        .param("garage")
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .ok_or_else(|| Error::field("garage", "This filter is required."))?;
    let unknown = || {
        Error::field(
            "garage",
            "Select a valid choice. That choice is not one of the available choices.",
        )
    };
    if !possible_segment(garage) {
        return Err(unknown());
    }
    match page_of(&state, garage, &url).await {
        Err(Error::NotFound(Some("Garage"))) => Err(unknown()),
        other => other,
    }
}

pub async fn detail(
    State(state): State<GaragesState>,
    _: PublicRequest,
    Path(id): Path<String>,
) -> Result<Response> {
    let review = state.store.garages().review(&id).await?.ok_or(NOT_FOUND)?;
    Ok(ok(review.to_json()))
}

/// The review, when the caller may change it: 404 when there is none, 403
/// when it is someone else's.
async fn editable(state: &GaragesState, user: &CurrentUser, id: &str) -> Result<Review> {
    let review = state.store.garages().review(id).await?.ok_or(NOT_FOUND)?;
    if !review.editable_by(&user.0.id, user.0.is_staff) {
        return Err(Error::Forbidden(
            "Only the review's author or staff may change it.".into(),
        ));
    }
    Ok(review)
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

async fn update(
    State(state): State<GaragesState>,
    user: CurrentUser,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
    partial: bool,
) -> Result<Response> {
    let review = editable(&state, &user, &id).await?;
    match body.get("garage") {
        None | Some(Value::Null) => {}
        Some(Value::String(g)) if *g == review.garage_id => {}
        Some(_) => {
            return Err(Error::field(
                "garage",
                "A review cannot move to another garage.",
            ))
        }
    }
    let fields = read_review(&body, partial, Some(review.fields()))?;
    let saved = state
        .store
        .garages()
        .edit_review(review, |current| {
            let mut next = current.clone();
            next.reviewer_name = fields.reviewer_name.clone();
            next.reviewer_email = fields.reviewer_email.clone();
            next.rating = fields.rating;
            next.comment = fields.comment.clone();
            next.updated_at = shared::time::now();
            next
        })
        .await?
        .map_err(refusal)?;
    Ok(ok(saved.to_json()))
}

pub async fn delete(
    State(state): State<GaragesState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    let review = editable(&state, &user, &id).await?;
    state
        .store
        .garages()
        .delete_loaded_review(review)
        .await?
        .map_err(refusal)?;
    Ok(no_content())
}
