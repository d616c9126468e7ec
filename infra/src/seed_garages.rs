//! The reference garages of the local stack (`infra/seed/garages.json`, see
//! `infra/seed/garages.md`), loaded by `autotrack-local bootstrap` after the
//! catalogue.
//!
//! Every garage carries a fixed id, so a second bootstrap finds it and
//! leaves it alone. Its reviews are added only when the garage itself was
//! new, each under a pseudo author `seed-reviewer-<n>` (n: its place in the
//! garage's list), so a second run adds no review either.

use serde::Deserialize;
use shared::domain::garages::{Garage, GarageFields, Review, ReviewFields};
use shared::domain::geo::Position;
use shared::store::Store;
use shared::Error;

/// The file, built into the binary.
pub const SEED_GARAGES: &str = include_str!("../seed/garages.json");

#[derive(Debug, Deserialize)]
struct SeedGarage {
    id: String,
    name: String,
    email: String,
    phone: Option<String>,
    address: String,
    city: Option<String>,
    postal_code: Option<String>,
    country: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    description: Option<String>,
    #[serde(default)]
    specialties: Vec<String>,
    #[serde(default)]
    certifications: Vec<String>,
    #[serde(default)]
    reviews: Vec<SeedReview>,
}

#[derive(Debug, Deserialize)]
struct SeedReview {
    reviewer_name: String,
    rating: u8,
    comment: Option<String>,
}

/// The pseudo author of a garage's `n`-th seed review (from 1).
pub fn seed_reviewer(n: usize) -> String {
    format!("seed-reviewer-{n}")
}

/// The garages of the file, as `Garage`s with their fixed ids (reference
/// data: no creator), each with its reviews' fields.
pub fn garages() -> Result<Vec<(Garage, Vec<ReviewFields>)>, Error> {
    let seed: Vec<SeedGarage> = serde_json::from_str(SEED_GARAGES)
        .map_err(|e| Error::internal(format!("infra/seed/garages.json: {e}")))?;
    seed.into_iter()
        .map(|g| {
            let position = match (g.latitude, g.longitude) {
                (Some(lat), Some(lng)) => Some(Position::new(lat, lng).ok_or_else(|| {
                    Error::internal(format!("garage {}: bad position {lat}, {lng}", g.id))
                })?),
                _ => None,
            };
            let mut garage = Garage::new(
                GarageFields {
                    name: g.name,
                    email: g.email,
                    phone: g.phone,
                    address: g.address,
                    city: g.city,
                    postal_code: g.postal_code,
                    country: g.country,
                    position,
                    description: g.description,
                    specialties: g.specialties,
                    certifications: g.certifications,
                },
                None,
            );
            garage.id = g.id;
            let reviews = g
                .reviews
                .into_iter()
                .map(|r| ReviewFields {
                    reviewer_name: r.reviewer_name,
                    reviewer_email: None,
                    rating: r.rating,
                    comment: r.comment,
                })
                .collect();
            Ok((garage, reviews))
        })
        .collect()
}

/// Stores the garages not stored yet, and the reviews of those: the number
/// of new garages and of new reviews.
pub async fn load(store: &Store) -> Result<(usize, usize), Error> {
    let directory = store.garages();
    let (mut new_garages, mut new_reviews) = (0, 0);
    for (garage, reviews) in garages()? {
        if !directory.create_if_absent(&garage).await? {
            continue;
        }
        new_garages += 1;
        for (i, fields) in reviews.into_iter().enumerate() {
            let review = Review::new(&garage.id, &seed_reviewer(i + 1), fields);
            directory.add_review(&review).await?.map_err(|refused| {
                Error::internal(format!(
                    "seed review {} of garage {}: {refused:?}",
                    i + 1,
                    garage.id
                ))
            })?;
            new_reviews += 1;
        }
    }
    Ok((new_garages, new_reviews))
}
