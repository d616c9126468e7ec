//! Reading a vehicle from a request body: the create rules apply to PUT and
//! PATCH too (year range, VIN format), which the system we replace skipped.

use serde_json::{Map, Value};
use shared::domain::vehicles::{
    last_year, normalize_vin, year_message, Vehicle, FIRST_YEAR, FUEL_TYPES, TRANSMISSIONS,
};
use shared::http::validate::{Field, Fields, Text};
use shared::{time, Result};

/// The fields a body sets; `None` leaves a field as it is.
#[derive(Default)]
pub struct VehicleInput {
    pub make: Option<String>,
    pub model: Option<String>,
    pub year: Option<i64>,
    pub license_plate: Option<Option<String>>,
    pub vin: Option<Option<String>>,
    pub color: Option<Option<String>>,
    pub fuel_type: Option<Option<String>>,
    pub transmission: Option<Option<String>>,
    pub mileage: Option<i64>,
}

/// Upper bound on an odometer reading (km).
pub(crate) const MAX_MILEAGE: i64 = 5_000_000;
/// Longest `make` and `model` (characters, once trimmed).
pub(crate) const NAME_MAX: usize = 100;
/// Longest licence plate (`license_plate`, or the seed's `registration_number`).
pub(crate) const PLATE_MAX: usize = 20;
/// Longest `vin` as sent (trimmed; it must then be 17 characters or empty).
pub(crate) const VIN_INPUT_MAX: usize = 64;
pub(crate) const COLOR_MAX: usize = 50;

pub fn read(body: &Map<String, Value>, partial: bool) -> Result<VehicleInput> {
    let now = time::now();
    let mut f = Fields::partial(body, partial);
    let make = f.required_text("make", NAME_MAX);
    let model = f.required_text("model", NAME_MAX);
    let year = match f.integer("year", true, i64::MIN, i64::MAX) {
        Field::Value(y) if !(FIRST_YEAR..=last_year(now)).contains(&y) => {
            f.error("year", year_message(now));
            None
        }
        other => f.not_null("year", other),
    };
    // `registration_number` is the seed's name for the same value, used
    // when `license_plate` is absent; sent, it is checked either way.
    let plate = f.text("license_plate", Text::optional(PLATE_MAX));
    let registration = f.text("registration_number", Text::optional(PLATE_MAX));
    let plate = match plate {
        Field::Absent if !body.contains_key("license_plate") => registration,
        given => given,
    };
    let vin = match f.text("vin", Text::optional(VIN_INPUT_MAX)) {
        Field::Value(raw) => match normalize_vin(&raw) {
            Ok(vin) => Some(vin),
            Err(message) => {
                f.error("vin", message);
                None
            }
        },
        other => other.into_update(),
    };
    let color = f.text("color", Text::optional(COLOR_MAX)).into_update();
    let fuel_type = f.choice("fuel_type", FUEL_TYPES, false).into_update();
    let transmission = f.choice("transmission", TRANSMISSIONS, false).into_update();
    // Not nullable: a null is refused rather than silently ignored.
    let mileage = f.integer("mileage", false, 0, MAX_MILEAGE);
    let mileage = f.not_null("mileage", mileage);
    f.finish()?;
    Ok(VehicleInput {
        make,
        model,
        year,
        license_plate: plate.into_update().map(|p| p.filter(|p| !p.is_empty())),
        vin,
        color,
        fuel_type,
        transmission,
        mileage,
    })
}

impl VehicleInput {
    /// Applies the given fields to `vehicle`.
    pub fn apply(self, vehicle: &mut Vehicle) {
        if let Some(v) = self.make {
            vehicle.make = v;
        }
        if let Some(v) = self.model {
            vehicle.model = v;
        }
        if let Some(v) = self.year {
            vehicle.year = v;
        }
        if let Some(v) = self.license_plate {
            vehicle.license_plate = v;
        }
        if let Some(v) = self.vin {
            vehicle.vin = v;
        }
        if let Some(v) = self.color {
            vehicle.color = v;
        }
        if let Some(v) = self.fuel_type {
            vehicle.fuel_type = v;
        }
        if let Some(v) = self.transmission {
            vehicle.transmission = v;
        }
        if let Some(v) = self.mileage {
            vehicle.mileage = v;
        }
    }
}
