//! Garages and their reviews (spec 5, issue 11): the rules without I/O.
//!
//! A garage's `average_rating` is kept exact: the store holds the integer
//! sum and count of its reviews' ratings, changed in the same transaction
//! as each review, and the mean is rounded to 2 decimals half-to-even in
//! integers (no float ever rounds it the other way).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::geo::Position;
use crate::time;

/// The lowest and highest rating a review gives (spec 5: 1 to 5 stars).
pub const RATINGS: (u8, u8) = (1, 5);

/// Field limits (spec 5.1; the text caps and list sizes are ours: every
/// garage is read on list pages, so none may grow without bound).
pub const NAME_MAX: usize = 200;
pub const PHONE_MAX: usize = 20;
pub const ADDRESS_MAX: usize = 255;
pub const CITY_MAX: usize = 100;
pub const POSTAL_CODE_MAX: usize = 20;
pub const COUNTRY_MAX: usize = 100;
pub const DESCRIPTION_MAX: usize = 5_000;
pub const SPECIALTIES_MAX: usize = 10;
pub const SPECIALTY_MAX: usize = 50;
pub const CERTIFICATIONS_MAX: usize = 10;
pub const CERTIFICATION_MAX: usize = 100;
pub const REVIEWER_NAME_MAX: usize = 100;
pub const COMMENT_MAX: usize = 2_000;

/// Reviews shown in `recent_reviews` (spec 5.1), kept on the garage item.
pub const RECENT_REVIEWS: usize = 3;

/// A garage of the directory, as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Garage {
    /// UUIDv7.
    pub id: String,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub address: String,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub description: Option<String>,
    pub specialties: Vec<String>,
    pub certifications: Vec<String>,
    pub rating_sum: u64,
    pub rating_count: u64,
    /// The newest reviews, newest first (at most [`RECENT_REVIEWS`]).
    pub recent: Vec<Review>,
    /// Who created it; `None` for reference data (staff only).
    pub created_by: Option<String>,
    #[serde(with = "time::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "time::rfc3339")]
    pub updated_at: DateTime<Utc>,
    /// Bumped by every write: writes are conditioned on the version read.
    pub version: u64,
    /// Set while its reviews are being deleted with it; absent otherwise
    /// (writes are conditioned on its absence).
    #[serde(default, skip_serializing_if = "is_false")]
    pub deleting: bool,
}

fn is_false(flag: &bool) -> bool {
    !*flag
}

/// What a client sets on a garage (create, PUT, PATCH applied).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GarageFields {
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub address: String,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub position: Option<Position>,
    pub description: Option<String>,
    pub specialties: Vec<String>,
    pub certifications: Vec<String>,
}

impl Garage {
    pub fn new(fields: GarageFields, created_by: Option<String>) -> Self {
        let now = time::now();
        let mut garage = Garage {
            id: uuid::Uuid::now_v7().to_string(),
            name: String::new(),
            email: String::new(),
            phone: None,
            address: String::new(),
            city: None,
            postal_code: None,
            country: None,
            latitude: None,
            longitude: None,
            description: None,
            specialties: Vec::new(),
            certifications: Vec::new(),
            rating_sum: 0,
            rating_count: 0,
            recent: Vec::new(),
            created_by,
            created_at: now,
            updated_at: now,
            version: 0,
            deleting: false,
        };
        garage.set(fields);
        garage
    }

    /// The client's fields; the position is kept when none is given (it
    /// cannot be cleared, spec 5.2.4).
    pub fn set(&mut self, fields: GarageFields) {
        self.name = fields.name;
        self.email = fields.email;
        self.phone = fields.phone;
        self.address = fields.address;
        self.city = fields.city;
        self.postal_code = fields.postal_code;
        self.country = fields.country;
        if let Some(at) = fields.position {
            self.latitude = Some(at.lat);
            self.longitude = Some(at.lng);
        }
        self.description = fields.description;
        self.specialties = fields.specialties;
        self.certifications = fields.certifications;
    }

    /// The client's fields as they are now (the base a PATCH applies to).
    pub fn fields(&self) -> GarageFields {
        GarageFields {
            name: self.name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            address: self.address.clone(),
            city: self.city.clone(),
            postal_code: self.postal_code.clone(),
            country: self.country.clone(),
            position: None,
            description: self.description.clone(),
            specialties: self.specialties.clone(),
            certifications: self.certifications.clone(),
        }
    }

    pub fn position(&self) -> Option<Position> {
        Position::new(self.latitude?, self.longitude?)
    }

    pub fn tally(&self) -> RatingTally {
        RatingTally {
            sum: self.rating_sum,
            count: self.rating_count,
        }
    }

    pub fn set_tally(&mut self, tally: RatingTally) {
        self.rating_sum = tally.sum;
        self.rating_count = tally.count;
    }

    /// Whether `user` may edit or delete it: its creator, or staff.
    pub fn editable_by(&self, user_id: &str, is_staff: bool) -> bool {
        is_staff || self.created_by.as_deref() == Some(user_id)
    }

    /// `Garage` (spec 5.1): `location` is GeoJSON, longitude first.
    pub fn to_json(&self) -> Value {
        let location = self
            .position()
            .map(|at| json!({"type": "Point", "coordinates": [at.lng, at.lat]}));
        let recent: Vec<Value> = self.recent.iter().map(Review::to_json).collect();
        json!({
            "id": self.id,
            "name": self.name,
            "email": self.email,
            "phone": self.phone,
            "address": self.address,
            "city": self.city,
            "postal_code": self.postal_code,
            "country": self.country,
            "location": location,
            "description": self.description,
            "specialties": self.specialties,
            "certifications": self.certifications,
            "average_rating": self.tally().average(),
            "total_reviews": self.rating_count,
            "reviews_count": self.rating_count,
            "recent_reviews": recent,
            "created_at": time::format(&self.created_at),
            "updated_at": time::format(&self.updated_at),
        })
    }
}

/// A review of a garage, as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Review {
    /// UUIDv7: the garage partition's key order is time order.
    pub id: String,
    pub garage_id: String,
    pub author_id: String,
    pub reviewer_name: String,
    pub reviewer_email: Option<String>,
    pub rating: u8,
    pub comment: Option<String>,
    #[serde(with = "time::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "time::rfc3339")]
    pub updated_at: DateTime<Utc>,
}

/// What a client sets on a review.
#[derive(Clone, Debug, PartialEq)]
pub struct ReviewFields {
    pub reviewer_name: String,
    pub reviewer_email: Option<String>,
    pub rating: u8,
    pub comment: Option<String>,
}

impl Review {
    pub fn new(garage_id: &str, author_id: &str, fields: ReviewFields) -> Self {
        let now = time::now();
        Review {
            id: uuid::Uuid::now_v7().to_string(),
            garage_id: garage_id.to_string(),
            author_id: author_id.to_string(),
            reviewer_name: fields.reviewer_name,
            reviewer_email: fields.reviewer_email,
            rating: fields.rating,
            comment: fields.comment,
            created_at: now,
            updated_at: now,
        }
    }

    pub fn fields(&self) -> ReviewFields {
        ReviewFields {
            reviewer_name: self.reviewer_name.clone(),
            reviewer_email: self.reviewer_email.clone(),
            rating: self.rating,
            comment: self.comment.clone(),
        }
    }

    /// Whether `user` may edit or delete it: its author, or staff.
    pub fn editable_by(&self, user_id: &str, is_staff: bool) -> bool {
        is_staff || self.author_id == user_id
    }

    /// `Review` (spec 5.1).
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "garage": self.garage_id,
            "reviewer_name": self.reviewer_name,
            "reviewer_email": self.reviewer_email,
            "rating": self.rating,
            "comment": self.comment,
            "created_at": time::format(&self.created_at),
            "updated_at": time::format(&self.updated_at),
        })
    }
}

/// The form of a name the directory sorts and searches by: lower case,
/// common Latin accents folded, every run of other characters one space.
/// "Garage  du Pré-Saint" and "garage du pre saint" are the same key.
pub fn name_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    let mut gap = false;
    for c in name.chars().flat_map(char::to_lowercase) {
        if !c.is_alphanumeric() {
            gap = true;
            continue;
        }
        if gap && !key.is_empty() {
            key.push(' ');
        }
        gap = false;
        match fold_accent(c) {
            Some(plain) => key.push_str(plain),
            None => key.push(c),
        }
    }
    key
}

fn fold_accent(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => "a",
        'ç' => "c",
        'è' | 'é' | 'ê' | 'ë' => "e",
        'ì' | 'í' | 'î' | 'ï' => "i",
        'ñ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => "o",
        'ù' | 'ú' | 'û' | 'ü' => "u",
        'ý' | 'ÿ' => "y",
        'œ' => "oe",
        'æ' => "ae",
        'ß' => "ss",
        _ => return None,
    })
}

/// The running sum and count of a garage's ratings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RatingTally {
    pub sum: u64,
    pub count: u64,
}

impl RatingTally {
    /// With one more review of `rating`.
    pub fn with(self, rating: u8) -> Self {
        Self {
            sum: self.sum + u64::from(rating),
            count: self.count + 1,
        }
    }

    /// Without a review of `rating` (a deleted review). `None` when the
    /// tally never held it: the caller's read is stale.
    pub fn without(self, rating: u8) -> Option<Self> {
        Some(Self {
            sum: self.sum.checked_sub(u64::from(rating))?,
            count: self.count.checked_sub(1)?,
        })
        .filter(|t| t.count > 0 || t.sum == 0)
    }

    /// With a review's rating changed from `before` to `after`.
    pub fn replacing(self, before: u8, after: u8) -> Option<Self> {
        self.without(before).map(|t| t.with(after))
    }

    /// The mean in hundredths, rounded half to even; 0 without reviews.
    pub fn hundredths(self) -> u64 {
        if self.count == 0 {
            return 0;
        }
        let scaled = 100 * self.sum;
        let (quotient, remainder) = (scaled / self.count, scaled % self.count);
        match (2 * remainder).cmp(&self.count) {
            std::cmp::Ordering::Greater => quotient + 1,
            std::cmp::Ordering::Equal => quotient + quotient % 2,
            std::cmp::Ordering::Less => quotient,
        }
    }

    /// `average_rating` as the API shows it: `"4.33"`, `"0.00"`.
    pub fn average(self) -> String {
        let h = self.hundredths();
        format!("{}.{:02}", h / 100, h % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(ratings: &[u8]) -> RatingTally {
        ratings
            .iter()
            .fold(RatingTally::default(), |t, &r| t.with(r))
    }

    #[test]
    fn name_keys_fold_case_accents_and_punctuation() {
        assert_eq!(name_key("  Garage  du Pré-Saint!"), "garage du pre saint");
        assert_eq!(name_key("ÉLECTRO-Auto 2000"), "electro auto 2000");
        assert_eq!(name_key("Œuvre & Fils"), "oeuvre fils");
        assert_eq!(name_key("!!!"), "");
        assert_eq!(name_key("Straße"), "strasse");
    }

    #[test]
    fn the_issue_s_example() {
        let t = tally(&[5, 4, 4]);
        assert_eq!(t.average(), "4.33");
        assert_eq!(t.with(1).average(), "3.50");
    }

    #[test]
    fn exact_halves_round_to_even() {
        // 9/8 = 1.125, 11/8 = 1.375, 33/8 = 4.125 (in hundredths: x.5).
        let of = |sum, count| RatingTally { sum, count }.average();
        assert_eq!(of(9, 8), "1.12");
        assert_eq!(of(11, 8), "1.38");
        assert_eq!(of(33, 8), "4.12");
        // 167/40 = 4.175 exactly: the rule gives 4.18 (a float would not).
        assert_eq!(of(167, 40), "4.18");
    }

    #[test]
    fn the_bounds_and_no_review() {
        assert_eq!(RatingTally::default().average(), "0.00");
        assert_eq!(tally(&[5, 5, 5]).average(), "5.00");
        assert_eq!(tally(&[1]).average(), "1.00");
        assert_eq!(tally(&[1, 2, 2]).average(), "1.67");
    }

    #[test]
    fn edits_and_deletes_keep_the_tally_exact() {
        let t = tally(&[5, 4, 4, 1]);
        assert_eq!(t.replacing(1, 5).unwrap().average(), "4.50");
        let t = t.without(1).unwrap();
        assert_eq!(t, tally(&[5, 4, 4]));
        let emptied = tally(&[3]).without(3).unwrap();
        assert_eq!(emptied, RatingTally::default());
        assert_eq!(emptied.average(), "0.00");
        // A rating the tally cannot hold: the read was stale.
        assert_eq!(RatingTally::default().without(3), None);
        assert_eq!(tally(&[1]).without(5), None);
        assert_eq!(RatingTally { sum: 9, count: 1 }.without(4), None);
    }
}
