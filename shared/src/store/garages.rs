//! The garage directory and its reviews (issue 11).
//!
//! A garage's partition holds the garage, its reviews and its *facets*:
//! small items that each place the garage in one partition of the
//! directory index (`gsi4`): all garages by rating, by name, by creation,
//! by number of reviews, those of one city, postal code, country or
//! specialty, the top rated, and its geohash cell. A list page is one Query
//! of facets bounded by the page size, then one BatchGetItem of the garages.
//!
//! Every change of a garage (its fields, or its rating when a review comes,
//! changes or goes) is one transaction: the garage conditioned on the
//! version read, the facets whose keys moved, the counters of the list
//! envelopes, and the review writes. A concurrent change makes it fail as a
//! whole; the caller reads again and retries, so nothing is lost or counted
//! twice.

use std::collections::{BTreeMap, HashMap};

use super::keys;
pub use super::keys::{count_scope, facet_kind, filtered};
use super::{from_item, n, s, Entity, Expr, Item, SortRange, Store, Write, WriteError};
use crate::domain::garages::{name_key, Garage, Review, RATINGS, RECENT_REVIEWS};
use crate::domain::geo::{self, Position};
use crate::error::Error;

/// Reviews a garage needs before it is in `top_rated/` (spec 5.2.9).
pub const TOP_RATED_MIN_REVIEWS: u64 = 3;

/// Attempts of a write that lost a race before the client gets a 409.
const ATTEMPTS: u32 = 12;

/// Condition names.
const GARAGE_UNCHANGED: &str = "garage_unchanged";
const NEW_GARAGE: &str = "new_garage";
const REVIEW_UNCHANGED: &str = "review_unchanged";
pub const ONE_REVIEW_PER_USER: &str = "one_review_per_user";

impl Entity for Garage {
    const NAME: &'static str = keys::entity::GARAGE;
    fn key(&self) -> (String, String) {
        (keys::garage_pk(&self.id), keys::GARAGE_SK.to_string())
    }
}

impl Entity for Review {
    const NAME: &'static str = keys::entity::REVIEW;
    fn key(&self) -> (String, String) {
        (keys::garage_pk(&self.garage_id), keys::review_sk(&self.id))
    }
}

/// One entry of a garage in the directory index.
#[derive(Clone, Debug, PartialEq)]
struct Facet {
    /// Its sort key in the garage's partition (`FACET#<kind>`).
    sk: String,
    partition: String,
    order: String,
    position: Option<Position>,
}

/// Where the garage appears in the directory: nowhere while it is being
/// deleted.
fn facets(g: &Garage) -> Vec<Facet> {
    if g.deleting {
        return Vec::new();
    }
    let name = name_key(&g.name);
    let h = g.tally().hundredths();
    let rating = keys::rating_order(h, &name, &g.id);
    let facet = |kind: &str, partition: &str, order: String| Facet {
        sk: keys::garage_facet_sk(kind),
        partition: keys::directory_partition(partition),
        order,
        position: None,
    };
    let mut all = vec![
        facet(facet_kind::RATING, facet_kind::RATING, rating.clone()),
        facet(
            facet_kind::NAME,
            facet_kind::NAME,
            keys::name_order(&name, &g.id),
        ),
        facet(
            facet_kind::CREATED,
            facet_kind::CREATED,
            keys::created_order(&g.created_at, &g.id),
        ),
        facet(
            facet_kind::REVIEWS,
            facet_kind::REVIEWS,
            keys::reviews_order(g.rating_count, h, &name, &g.id),
        ),
    ];
    for (kind, value) in [
        (facet_kind::CITY, &g.city),
        (facet_kind::POSTAL, &g.postal_code),
        (facet_kind::COUNTRY, &g.country),
    ] {
        if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
            all.push(facet(kind, &filtered(kind, value), rating.clone()));
        }
    }
    if g.rating_count >= TOP_RATED_MIN_REVIEWS {
        all.push(facet(facet_kind::TOP, facet_kind::TOP, rating.clone()));
    }
    for specialty in &g.specialties {
        let kind = filtered(facet_kind::SPECIALTY, specialty);
        all.push(facet(&kind, &kind, rating.clone()));
    }
    if let Some(at) = g.position() {
        let hash = geo::geohash(at, geo::STORED_PRECISION);
        all.push(Facet {
            sk: keys::garage_facet_sk(facet_kind::GEO),
            partition: keys::geo_partition(&hash),
            order: keys::geo_order(&hash, &g.id),
            position: Some(at),
        });
    }
    all
}

/// The list counters a garage counts in.
fn scopes(g: &Garage) -> Vec<String> {
    if g.deleting {
        return Vec::new();
    }
    let mut all = vec![count_scope::ALL.to_string()];
    for (kind, value) in [
        (facet_kind::CITY, &g.city),
        (facet_kind::POSTAL, &g.postal_code),
        (facet_kind::COUNTRY, &g.country),
    ] {
        if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
            all.push(filtered(kind, value));
        }
    }
    all
}

/// A garage of a directory read: its id and the sort key that placed it.
#[derive(Clone, Debug, PartialEq)]
pub struct Pointer {
    pub garage_id: String,
    pub order: String,
}

/// A garage found near a point, with its distance in km.
#[derive(Clone, Debug, PartialEq)]
pub struct Near {
    pub garage_id: String,
    pub distance_km: f64,
}

/// What a review write did not do, when it was refused.
#[derive(Debug)]
pub enum ReviewRefusal {
    /// The garage does not exist (or is being deleted).
    NoGarage,
    /// The review does not exist (any more).
    NoReview,
    /// The author already reviewed this garage: that review's id.
    AlreadyReviewed(String),
}

pub struct Directory<'a> {
    store: &'a Store,
}

impl Store {
    pub fn garages(&self) -> Directory<'_> {
        Directory { store: self }
    }
}

impl Directory<'_> {
    /// A garage by id (consistent), including one being deleted.
    pub async fn get(&self, garage_id: &str) -> Result<Option<Garage>, Error> {
        self.store
            .get(&keys::garage_pk(garage_id), keys::GARAGE_SK)
            .await?
            .map(from_item)
            .transpose()
    }

    /// Garages by id, in that order; missing and deleting ones left out.
    pub async fn many(&self, ids: &[String]) -> Result<Vec<Garage>, Error> {
        let mut garages = Vec::with_capacity(ids.len());
        let mut unique: Vec<&String> = Vec::new();
        for id in ids {
            if !unique.contains(&id) {
                unique.push(id);
            }
        }
        for chunk in unique.chunks(100) {
            let wanted: Vec<(String, String)> = chunk
                .iter()
                .map(|id| (keys::garage_pk(id), keys::GARAGE_SK.to_string()))
                .collect();
            for item in self.store.get_many(&wanted).await?.into_iter().flatten() {
                let garage: Garage = from_item(item)?;
                if !garage.deleting {
                    garages.push(garage);
                }
            }
        }
        Ok(garages)
    }

    /// A list counter (`count_scope::ALL`, `filtered(..)`).
    pub async fn count(&self, scope: &str) -> Result<u64, Error> {
        if !fits_a_key(scope) {
            return Ok(0);
        }
        let (pk, sk) = keys::garage_count_key(scope);
        Ok(self
            .store
            .get(&pk, &sk)
            .await?
            .and_then(|item| item.get("n").and_then(|v| v.as_n().ok()).cloned())
            .and_then(|v| v.parse::<i64>().ok())
            .map_or(0, |v| v.max(0) as u64))
    }

    /// Up to `limit` garages of a directory partition (`facet_kind` or
    /// `filtered(..)`) within `range`, in key order or reversed.
    pub async fn pointers(
        &self,
        partition: &str,
        range: &SortRange,
        forward: bool,
        limit: usize,
    ) -> Result<Vec<Pointer>, Error> {
        if !fits_a_key(partition) || !range_fits(range) {
            // Longer than any stored key: nothing can match (and DynamoDB
            // would refuse the query).
            return Ok(Vec::new());
        }
        let items = self
            .store
            .query_range(
                Some(keys::DIRECTORY_INDEX),
                &keys::directory_partition(partition),
                range,
                forward,
                Some(limit),
            )
            .await?;
        Ok(items.iter().filter_map(pointer).collect())
    }

    /// Garages within `radius_km` of `center`, nearest first (ties by id),
    /// at most `max`. Reads the facets of the cells covering the circle
    /// only, all at the same time.
    pub async fn near(
        &self,
        center: Position,
        radius_km: f64,
        max: usize,
    ) -> Result<Vec<Near>, Error> {
        let mut queries = tokio::task::JoinSet::new();
        for cell in geo::search_cover(center, radius_km) {
            let store = self.store.clone();
            queries.spawn(async move {
                let range = if cell.chars().count() > 2 {
                    SortRange::Prefix(cell.clone())
                } else {
                    SortRange::All
                };
                store
                    .query_range(
                        Some(keys::DIRECTORY_INDEX),
                        &keys::geo_partition(&cell),
                        &range,
                        true,
                        None,
                    )
                    .await
            });
        }
        let mut found: BTreeMap<String, f64> = BTreeMap::new();
        while let Some(done) = queries.join_next().await {
            let items = done.map_err(Error::internal)??;
            for item in &items {
                let (Some(id), Some(at)) = (facet_text(item, "garage_id"), facet_position(item))
                else {
                    continue;
                };
                let distance = geo::distance_km(center, at);
                if distance <= radius_km {
                    found.insert(id.to_string(), distance);
                }
            }
        }
        let mut near: Vec<Near> = found
            .into_iter()
            .map(|(garage_id, distance_km)| Near {
                garage_id,
                distance_km,
            })
            .collect();
        near.sort_by(|a, b| {
            a.distance_km
                .total_cmp(&b.distance_km)
                .then_with(|| a.garage_id.cmp(&b.garage_id))
        });
        near.truncate(max);
        Ok(near)
    }

    /// Stores a new garage with its facets and counters.
    pub async fn create(&self, garage: &Garage) -> Result<(), Error> {
        self.create_if_absent(garage).await?;
        Ok(())
    }

    /// Like `create`; `false` when a garage of that id exists (reference
    /// data loaded again).
    /// The items a new garage is stored as (the garage and its facets,
    /// not the counters): for bulk loads (benches) that write them with
    /// BatchWriteItem and set the counters from `count_scopes` themselves.
    pub fn items_of(&self, garage: &Garage) -> Result<Vec<Item>, Error> {
        let pk = keys::garage_pk(&garage.id);
        let mut items = vec![garage.to_item()?];
        items.extend(
            facets(garage)
                .iter()
                .map(|f| facet_item(&pk, &garage.id, f)),
        );
        Ok(items)
    }

    /// The list counters a garage counts in (`count_scope::ALL`, its city,
    /// postal code and country).
    pub fn count_scopes(garage: &Garage) -> Vec<String> {
        scopes(garage)
    }

    /// Sets a list counter (bulk loads; the API moves counters only in the
    /// garage's own transactions).
    pub async fn set_count(&self, scope: &str, n: u64) -> Result<(), Error> {
        let (pk, sk) = keys::garage_count_key(scope);
        self.store
            .put(
                Item::from([
                    (keys::PK.to_string(), s(pk)),
                    (keys::SK.to_string(), s(sk)),
                    (keys::ENTITY.to_string(), s(keys::entity::GARAGE_COUNT)),
                    ("n".to_string(), super::n(n)),
                ]),
                Expr::new(),
            )
            .await
            .map_err(Error::from)
    }

    /// Creates share the directory's counters: two at the same instant may
    /// cancel each other (contention), so a cancelled one is sent again.
    pub async fn create_if_absent(&self, garage: &Garage) -> Result<bool, Error> {
        for attempt in 0..ATTEMPTS {
            let mut writes = vec![self.store.tx_put(
                garage.to_item()?,
                Expr::new()
                    .condition("attribute_not_exists(pk)")
                    .named(NEW_GARAGE),
            )?];
            writes.extend(self.moves(None, garage)?);
            match self.store.transact(writes).await {
                Ok(()) => return Ok(true),
                Err(WriteError::Conditions(failed)) if failed.has(NEW_GARAGE) => return Ok(false),
                Err(e) if e.is_contention() => backoff(attempt).await,
                Err(e) => return Err(e.into()),
            }
        }
        Err(busy())
    }

    /// Writes `next` over `read` (same id) with `extra` writes, in one
    /// transaction conditioned on the version read; facets and counters
    /// follow. Refused when the garage changed since it was read.
    pub async fn save(
        &self,
        read: &Garage,
        next: &Garage,
        extra: Vec<Write>,
    ) -> Result<(), WriteError> {
        let mut next = next.clone();
        next.version = read.version + 1;
        let mut writes = vec![self.store.tx_put(
            next.to_item()?,
            Expr::new()
                .condition("version = :read AND attribute_not_exists(deleting)")
                .value(":read", n(read.version))
                .named(GARAGE_UNCHANGED),
        )?];
        writes.extend(self.moves(Some(read), &next)?);
        writes.extend(extra);
        self.store.transact(writes).await
    }

    /// The facet and counter writes that take the directory from `before`
    /// to `after`: each facet written at most once (a transaction may not
    /// touch one item twice).
    fn moves(&self, before: Option<&Garage>, after: &Garage) -> Result<Vec<Write>, Error> {
        let old: HashMap<String, Facet> = before
            .map(facets)
            .unwrap_or_default()
            .into_iter()
            .map(|f| (f.sk.clone(), f))
            .collect();
        let new = facets(after);
        let pk = keys::garage_pk(&after.id);
        let mut writes = Vec::new();
        for facet in &new {
            if old.get(&facet.sk) != Some(facet) {
                writes.push(
                    self.store
                        .tx_put(facet_item(&pk, &after.id, facet), Expr::new())?,
                );
            }
        }
        for sk in old.keys() {
            if !new.iter().any(|f| &f.sk == sk) {
                writes.push(self.store.tx_delete(&pk, sk, Expr::new())?);
            }
        }
        let old_scopes = before.map(scopes).unwrap_or_default();
        let new_scopes = scopes(after);
        for scope in &new_scopes {
            if !old_scopes.contains(scope) {
                writes.push(self.counter(scope, 1)?);
            }
        }
        for scope in &old_scopes {
            if !new_scopes.contains(scope) {
                writes.push(self.counter(scope, -1)?);
            }
        }
        Ok(writes)
    }

    fn counter(&self, scope: &str, delta: i64) -> Result<Write, Error> {
        let (pk, sk) = keys::garage_count_key(scope);
        self.store.tx_update(
            &pk,
            &sk,
            Expr::new()
                .update("ADD n :d SET entity = :e")
                .value(":d", n(delta))
                .value(":e", s(keys::entity::GARAGE_COUNT)),
        )
    }

    /// Changes a garage with `change` applied to `first` (the caller's
    /// read), then to a fresh read each time a concurrent write got there
    /// first. `change` returns `None` to give up (the garage went).
    pub async fn update<F>(&self, first: Garage, mut change: F) -> Result<Option<Garage>, Error>
    where
        F: FnMut(&Garage) -> Option<Garage>,
    {
        let id = first.id.clone();
        let mut known = Some(first);
        for attempt in 0..ATTEMPTS {
            let read = match known.take() {
                Some(read) => Some(read),
                None => self.get(&id).await?,
            };
            let Some(read) = read.filter(|g| !g.deleting) else {
                return Ok(None);
            };
            let Some(next) = change(&read) else {
                return Ok(None);
            };
            match self.save(&read, &next, Vec::new()).await {
                Ok(()) => {
                    let mut saved = next;
                    saved.version = read.version + 1;
                    return Ok(Some(saved));
                }
                Err(e) if retryable(&e) => backoff(attempt).await,
                Err(e) => return Err(e.into()),
            }
        }
        Err(busy())
    }

    /// Deletes a garage with its reviews (and their locators and guards).
    /// First it leaves the directory and refuses new reviews (one
    /// transaction), then the reviews go in batches, then the garage: a
    /// failure part way leaves a garage marked `deleting`, which a second
    /// DELETE finishes.
    pub async fn delete(&self, garage_id: &str) -> Result<bool, Error> {
        let Some(mut read) = self.get(garage_id).await? else {
            return Ok(false);
        };
        let mut attempt = 0;
        while !read.deleting {
            let mut marked = read.clone();
            marked.deleting = true;
            match self.save(&read, &marked, Vec::new()).await {
                Ok(()) => break,
                Err(e) if retryable(&e) && attempt + 1 < ATTEMPTS => {
                    backoff(attempt).await;
                    attempt += 1;
                    match self.get(garage_id).await? {
                        Some(g) => read = g,
                        None => return Ok(false),
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
        let pk = keys::garage_pk(garage_id);
        let items = self
            .store
            .query_range(None, &pk, &SortRange::All, true, None)
            .await?;
        let mut doomed = Vec::new();
        for item in items {
            match super::entity::name_of(&item) {
                keys::entity::REVIEW => {
                    let review: Review = from_item(item)?;
                    doomed.push(keys::review_locator(&review.id));
                    doomed.push(keys::review_guard(&review.author_id, garage_id));
                    doomed.push(review.key());
                }
                keys::entity::GARAGE => {}
                _ => doomed.push(item_key(&item)),
            }
        }
        self.store.delete_keys(doomed).await?;
        self.store
            .delete_keys(vec![(pk, keys::GARAGE_SK.to_string())])
            .await?;
        Ok(true)
    }

    /// The newest reviews of a garage first (or oldest first), within
    /// `range` of review sort keys.
    pub async fn reviews(
        &self,
        garage_id: &str,
        range: &SortRange,
        newest_first: bool,
        limit: usize,
    ) -> Result<Vec<Review>, Error> {
        self.store
            .query_range(
                None,
                &keys::garage_pk(garage_id),
                range,
                !newest_first,
                Some(limit),
            )
            .await?
            .into_iter()
            .map(from_item)
            .collect()
    }

    /// A review by id (its locator names the garage).
    pub async fn review(&self, review_id: &str) -> Result<Option<Review>, Error> {
        let (pk, sk) = keys::review_locator(review_id);
        let Some(locator) = self.store.get(&pk, &sk).await? else {
            return Ok(None);
        };
        let Some(garage_id) = facet_text(&locator, "garage_id") else {
            return Ok(None);
        };
        self.store
            .get(&keys::garage_pk(garage_id), &keys::review_sk(review_id))
            .await?
            .map(from_item)
            .transpose()
    }

    /// The review `user_id` wrote of a garage, if any.
    pub async fn review_by(&self, user_id: &str, garage_id: &str) -> Result<Option<String>, Error> {
        let (pk, sk) = keys::review_guard(user_id, garage_id);
        Ok(self
            .store
            .get(&pk, &sk)
            .await?
            .and_then(|g| facet_text(&g, "review_id").map(str::to_string)))
    }

    /// Adds a review: the garage's tally and recent reviews change in the
    /// same transaction; one review per user and garage.
    pub async fn add_review(&self, review: &Review) -> Result<Result<(), ReviewRefusal>, Error> {
        let gid = &review.garage_id;
        for attempt in 0..ATTEMPTS {
            let Some(read) = self.get(gid).await?.filter(|g| !g.deleting) else {
                return Ok(Err(ReviewRefusal::NoGarage));
            };
            let mut next = read.clone();
            next.set_tally(read.tally().with(review.rating));
            next.recent.insert(0, review.clone());
            next.recent.truncate(RECENT_REVIEWS);
            next.updated_at = review.created_at;
            let (guard_pk, guard_sk) = keys::review_guard(&review.author_id, gid);
            let (locator_pk, locator_sk) = keys::review_locator(&review.id);
            let extra = vec![
                self.store.tx_put(
                    review.to_item()?,
                    Expr::new().condition("attribute_not_exists(pk)"),
                )?,
                self.store.tx_put(
                    marker(
                        &guard_pk,
                        &guard_sk,
                        keys::entity::REVIEW_GUARD,
                        &[("garage_id", gid), ("review_id", &review.id)],
                    ),
                    Expr::new()
                        .condition("attribute_not_exists(pk)")
                        .named(ONE_REVIEW_PER_USER),
                )?,
                self.store.tx_put(
                    marker(
                        &locator_pk,
                        &locator_sk,
                        keys::entity::REVIEW_LOCATOR,
                        &[("garage_id", gid), ("author_id", &review.author_id)],
                    ),
                    Expr::new(),
                )?,
            ];
            match self.save(&read, &next, extra).await {
                Ok(()) => return Ok(Ok(())),
                Err(WriteError::Conditions(failed)) if failed.has(ONE_REVIEW_PER_USER) => {
                    // The id of the first review; gone meanwhile: try again.
                    if let Some(existing) = self.review_by(&review.author_id, gid).await? {
                        return Ok(Err(ReviewRefusal::AlreadyReviewed(existing)));
                    }
                    backoff(attempt).await
                }
                Err(e) if retryable(&e) => backoff(attempt).await,
                Err(e) => return Err(e.into()),
            }
        }
        Err(busy())
    }

    /// Changes a review (`change` applied to `first`, the caller's read,
    /// then to a fresh read after a race); the garage's tally and recent
    /// reviews follow in the same transaction.
    pub async fn edit_review<F>(
        &self,
        first: Review,
        mut change: F,
    ) -> Result<Result<Review, ReviewRefusal>, Error>
    where
        F: FnMut(&Review) -> Review,
    {
        let id = first.id.clone();
        let mut known = Some(first);
        for attempt in 0..ATTEMPTS {
            let old = match known.take() {
                Some(old) => old,
                None => match self.review(&id).await? {
                    Some(old) => old,
                    None => return Ok(Err(ReviewRefusal::NoReview)),
                },
            };
            let Some(read) = self.get(&old.garage_id).await?.filter(|g| !g.deleting) else {
                return Ok(Err(ReviewRefusal::NoReview));
            };
            let new = change(&old);
            let Some(tally) = read.tally().replacing(old.rating, new.rating) else {
                backoff(attempt).await;
                continue;
            };
            let mut next = read.clone();
            next.set_tally(tally);
            for shown in next.recent.iter_mut().filter(|r| r.id == new.id) {
                *shown = new.clone();
            }
            let extra = vec![self.store.tx_put(new.to_item()?, unchanged_review(&old))?];
            match self.save(&read, &next, extra).await {
                Ok(()) => return Ok(Ok(new)),
                Err(e) if retryable(&e) => backoff(attempt).await,
                Err(e) => return Err(e.into()),
            }
        }
        Err(busy())
    }

    /// Deletes a review by id; the garage's tally and recent reviews follow.
    pub async fn delete_review(&self, review_id: &str) -> Result<Result<(), ReviewRefusal>, Error> {
        match self.review(review_id).await? {
            Some(first) => self.delete_loaded_review(first).await,
            None => Ok(Err(ReviewRefusal::NoReview)),
        }
    }

    /// Deletes a review the caller has read (`first`; read again after a
    /// race); the garage's tally and recent reviews follow.
    pub async fn delete_loaded_review(
        &self,
        first: Review,
    ) -> Result<Result<(), ReviewRefusal>, Error> {
        let id = first.id.clone();
        let mut known = Some(first);
        for attempt in 0..ATTEMPTS {
            let old = match known.take() {
                Some(old) => old,
                None => match self.review(&id).await? {
                    Some(old) => old,
                    None => return Ok(Err(ReviewRefusal::NoReview)),
                },
            };
            let gid = old.garage_id.clone();
            let Some(read) = self.get(&gid).await?.filter(|g| !g.deleting) else {
                return Ok(Err(ReviewRefusal::NoReview));
            };
            let Some(tally) = read.tally().without(old.rating) else {
                backoff(attempt).await;
                continue;
            };
            let mut next = read.clone();
            next.set_tally(tally);
            if read.recent.iter().any(|r| r.id == old.id) {
                // The version condition holds these newest still newest.
                let newest = self
                    .reviews(
                        &gid,
                        &SortRange::Prefix(keys::REVIEW_PREFIX.into()),
                        true,
                        RECENT_REVIEWS + 1,
                    )
                    .await?;
                next.recent = newest
                    .into_iter()
                    .filter(|r| r.id != old.id)
                    .take(RECENT_REVIEWS)
                    .collect();
            }
            let (guard_pk, guard_sk) = keys::review_guard(&old.author_id, &gid);
            let (locator_pk, locator_sk) = keys::review_locator(&old.id);
            let (review_pk, review_sk) = old.key();
            let extra = vec![
                self.store
                    .tx_delete(&review_pk, &review_sk, unchanged_review(&old))?,
                self.store
                    .tx_delete(&locator_pk, &locator_sk, Expr::new())?,
                self.store.tx_delete(&guard_pk, &guard_sk, Expr::new())?,
            ];
            match self.save(&read, &next, extra).await {
                Ok(()) => return Ok(Ok(())),
                Err(e) if retryable(&e) => backoff(attempt).await,
                Err(e) => return Err(e.into()),
            }
        }
        Err(busy())
    }

    /// The keys of the user's review guards (account deletion).
    pub async fn review_guard_keys(&self, user_id: &str) -> Result<Vec<(String, String)>, Error> {
        let items = self
            .store
            .query_range(
                None,
                &keys::reviews_by_user_pk(user_id),
                &SortRange::All,
                true,
                None,
            )
            .await?;
        Ok(items.iter().map(item_key).collect())
    }

    /// The ids of every review `user_id` wrote (account deletion).
    pub async fn reviews_of_user(&self, user_id: &str) -> Result<Vec<String>, Error> {
        let items = self
            .store
            .query_range(
                None,
                &keys::reviews_by_user_pk(user_id),
                &SortRange::All,
                true,
                None,
            )
            .await?;
        Ok(items
            .iter()
            .filter_map(|g| facet_text(g, "review_id").map(str::to_string))
            .collect())
    }
}

/// Whether a refused garage write is worth reading again and retrying.
fn retryable(err: &WriteError) -> bool {
    err.is_contention()
        || matches!(err, WriteError::Conditions(failed)
            if failed.has(GARAGE_UNCHANGED) || failed.has(REVIEW_UNCHANGED))
}

/// The review is still as read: the tally moves by the rating read. (A
/// review read before a concurrent edit, with the garage read after it,
/// would otherwise pass the garage's version condition.)
fn unchanged_review(read: &Review) -> Expr {
    Expr::new()
        .condition("rating = :read_rating AND updated_at = :read_updated")
        .value(":read_rating", n(read.rating))
        .value(":read_updated", s(crate::time::format(&read.updated_at)))
        .named(REVIEW_UNCHANGED)
}

/// A short random pause growing with the attempt, so racing writers spread.
pub(crate) async fn backoff(attempt: u32) {
    use rand::Rng;
    let ceiling = 10u64 << attempt.min(5);
    let pause = rand::thread_rng().gen_range(ceiling / 2..=ceiling);
    tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
}

fn busy() -> Error {
    Error::Conflict("this garage is changing a lot right now, please retry".into())
}

fn facet_item(pk: &str, garage_id: &str, facet: &Facet) -> Item {
    let mut item = Item::from([
        (keys::PK.to_string(), s(pk)),
        (keys::SK.to_string(), s(&facet.sk)),
        (keys::ENTITY.to_string(), s(keys::entity::GARAGE_FACET)),
        (keys::GSI4PK.to_string(), s(&facet.partition)),
        (keys::GSI4SK.to_string(), s(&facet.order)),
        ("garage_id".to_string(), s(garage_id)),
    ]);
    if let Some(at) = facet.position {
        item.insert("lat".into(), n(at.lat));
        item.insert("lng".into(), n(at.lng));
    }
    item
}

/// A small item of text attributes (guards, locators).
fn marker(pk: &str, sk: &str, entity: &str, attributes: &[(&str, &str)]) -> Item {
    let mut item = Item::from([
        (keys::PK.to_string(), s(pk)),
        (keys::SK.to_string(), s(sk)),
        (keys::ENTITY.to_string(), s(entity)),
    ]);
    for (name, value) in attributes {
        item.insert(name.to_string(), s(*value));
    }
    item
}

fn pointer(item: &Item) -> Option<Pointer> {
    Some(Pointer {
        garage_id: facet_text(item, "garage_id")?.to_string(),
        order: facet_text(item, keys::GSI4SK)?.to_string(),
    })
}

fn facet_text<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    item.get(name)?.as_s().ok().map(String::as_str)
}

fn facet_position(item: &Item) -> Option<Position> {
    let number = |name: &str| item.get(name)?.as_n().ok()?.parse::<f64>().ok();
    Position::new(number("lat")?, number("lng")?)
}

fn item_key(item: &Item) -> (String, String) {
    (
        facet_text(item, keys::PK).unwrap_or_default().to_string(),
        facet_text(item, keys::SK).unwrap_or_default().to_string(),
    )
}

/// Key values this long never occur in the directory (names, cities and
/// specialties are far shorter); DynamoDB refuses sort keys over 1 KB.
const KEY_VALUE_MAX: usize = 1000;

fn fits_a_key(value: &str) -> bool {
    value.len() <= KEY_VALUE_MAX
}

fn range_fits(range: &SortRange) -> bool {
    match range {
        SortRange::All => true,
        SortRange::Prefix(a) | SortRange::Above(a) | SortRange::Below(a) => fits_a_key(a),
        SortRange::Between(a, b) => fits_a_key(a) && fits_a_key(b),
    }
}

/// Whether `rating` is one a review may give.
pub fn valid_rating(rating: i64) -> bool {
    (i64::from(RATINGS.0)..=i64::from(RATINGS.1)).contains(&rating)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::garages::GarageFields;

    fn garage() -> Garage {
        Garage::new(
            GarageFields {
                name: "Garage du Pré".into(),
                email: "a@example.com".into(),
                address: "1 rue".into(),
                city: Some("Lyon".into()),
                postal_code: Some(String::new()),
                specialties: vec!["Pneus".into(), "Freins".into()],
                position: Position::new(45.76, 4.83),
                ..GarageFields::default()
            },
            None,
        )
    }

    #[test]
    fn facets_follow_the_fields_and_the_rating() {
        let g = garage();
        let sks: Vec<String> = facets(&g).into_iter().map(|f| f.sk).collect();
        assert_eq!(
            sks,
            [
                "FACET#RATING",
                "FACET#NAME",
                "FACET#CREATED",
                "FACET#REVIEWS",
                "FACET#CITY",
                "FACET#SPEC#Pneus",
                "FACET#SPEC#Freins",
                "FACET#GEO"
            ]
        );
        assert_eq!(scopes(&g), ["ALL", "CITY#Lyon"]);
        let mut rated = g.clone();
        rated.set_tally(crate::domain::garages::RatingTally { sum: 13, count: 3 });
        let rated_facets = facets(&rated);
        assert!(rated_facets.iter().any(|f| f.sk == "FACET#TOP"));
        let city = rated_facets.iter().find(|f| f.sk == "FACET#CITY").unwrap();
        assert_eq!(city.partition, "GARAGES#CITY#Lyon");
        assert!(
            city.order.starts_with("067#garage du pre#"),
            "{}",
            city.order
        );
        let mut gone = g;
        gone.deleting = true;
        assert!(facets(&gone).is_empty() && scopes(&gone).is_empty());
    }
}
