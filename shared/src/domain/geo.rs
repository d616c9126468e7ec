//! Positions on the Earth, for the garage directory's nearby search
//! (issue 11): the geohash grid a garage's position is stored under, the
//! cells that cover a search circle (each one a `begins_with` query on the
//! stored hash), and the great-circle distance that decides what is
//! actually near. Pure arithmetic, no I/O.
//!
//! A geohash of precision P is 5P bits, longitude and latitude bits
//! interleaved (longitude first), written in a base-32 alphabet. Everything
//! here works on the integer grid behind it: column `i` of the longitude
//! bits, row `j` of the latitude bits. A cell's neighbours are then `i ± 1`
//! and `j ± 1`, and a cover is a block of rows and columns.

/// The mean Earth radius of the haversine distance (spec 5: 6371 km).
pub const EARTH_RADIUS_KM: f64 = 6371.0;

/// The precision stored on every garage: about 4.8 m by 4.8 m. Any coarser
/// cell is a prefix of it, so one stored hash answers every query precision.
pub const STORED_PRECISION: usize = 9;

/// The most cells (one query each) a search may cover.
pub const MAX_COVER_CELLS: usize = 36;

/// The query precisions tried, finest first; the coarsest (2) always fits.
const SEARCH_PRECISIONS: [usize; 4] = [6, 5, 4, 3];
const COARSEST: usize = 2;

const ALPHABET: &[u8; 32] = b"0123456789bcdefghjkmnpqrstuvwxyz";

/// A latitude and a longitude in degrees, both in range and finite.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Position {
    pub lat: f64,
    pub lng: f64,
}

impl Position {
    /// `None` outside [-90, 90] x [-180, 180] or when not finite.
    pub fn new(lat: f64, lng: f64) -> Option<Self> {
        let valid = lat.is_finite()
            && lng.is_finite()
            && (-90.0..=90.0).contains(&lat)
            && (-180.0..=180.0).contains(&lng);
        valid.then_some(Self { lat, lng })
    }
}

/// The grid of one precision.
#[derive(Clone, Copy, Debug)]
struct Grid {
    precision: usize,
    lng_bits: u32,
    lat_bits: u32,
}

impl Grid {
    fn new(precision: usize) -> Self {
        assert!((1..=12).contains(&precision), "geohash precision 1 to 12");
        let bits = 5 * precision as u32;
        Self {
            precision,
            lng_bits: bits.div_ceil(2),
            lat_bits: bits / 2,
        }
    }

    fn columns(&self) -> u64 {
        1 << self.lng_bits
    }

    fn rows(&self) -> u64 {
        1 << self.lat_bits
    }

    /// The column of a longitude (180 itself falls in the last one).
    fn column(&self, lng: f64) -> u64 {
        let at = ((lng + 180.0) / 360.0 * self.columns() as f64).floor();
        (at.max(0.0) as u64).min(self.columns() - 1)
    }

    /// The row of a latitude (90 itself falls in the last one).
    fn row(&self, lat: f64) -> u64 {
        let at = ((lat + 90.0) / 180.0 * self.rows() as f64).floor();
        (at.max(0.0) as u64).min(self.rows() - 1)
    }

    /// The hash of a cell: the bits of `column` and `row`, most significant
    /// first, interleaved from the longitude's, five to a character.
    fn hash(&self, column: u64, row: u64) -> String {
        let mut bits: u64 = 0;
        let (mut lng_left, mut lat_left) = (self.lng_bits, self.lat_bits);
        for k in 0..5 * self.precision {
            let bit = if k % 2 == 0 {
                lng_left -= 1;
                (column >> lng_left) & 1
            } else {
                lat_left -= 1;
                (row >> lat_left) & 1
            };
            bits = (bits << 1) | bit;
        }
        (0..self.precision)
            .rev()
            .map(|c| ALPHABET[((bits >> (5 * c)) & 31) as usize] as char)
            .collect()
    }
}

/// The geohash of `at` at `precision` characters.
pub fn geohash(at: Position, precision: usize) -> String {
    let grid = Grid::new(precision);
    grid.hash(grid.column(at.lng), grid.row(at.lat))
}

/// The rows and the column ranges of the cells that cover a circle.
struct Block {
    rows: (u64, u64),
    columns: Vec<(u64, u64)>,
}

impl Block {
    fn of(grid: &Grid, center: Position, radius_km: f64) -> Self {
        // A radius below zero (or not a number) covers the centre's cell:
        // never rows in the wrong order.
        let radius_km = radius_km.max(0.0);
        let spread = (radius_km / EARTH_RADIUS_KM).to_degrees();
        let south = center.lat - spread;
        let north = center.lat + spread;
        let rows = (grid.row(south.max(-90.0)), grid.row(north.min(90.0)));
        let every_column = vec![(0, grid.columns() - 1)];
        // A circle around a pole spans every longitude.
        if south <= -90.0 || north >= 90.0 {
            return Self {
                rows,
                columns: every_column,
            };
        }
        // The widest longitude of a spherical cap not containing a pole.
        let ratio = (radius_km / EARTH_RADIUS_KM).sin() / center.lat.to_radians().cos();
        if ratio >= 1.0 {
            return Self {
                rows,
                columns: every_column,
            };
        }
        let half_width = ratio.asin().to_degrees();
        let (west, east) = (center.lng - half_width, center.lng + half_width);
        let columns = if west < -180.0 {
            // Across the antimeridian: two ranges.
            vec![
                (grid.column(west + 360.0), grid.columns() - 1),
                (0, grid.column(east)),
            ]
        } else if east > 180.0 {
            vec![
                (grid.column(west), grid.columns() - 1),
                (0, grid.column(east - 360.0)),
            ]
        } else {
            vec![(grid.column(west), grid.column(east))]
        };
        Self { rows, columns }
    }

    fn count(&self) -> u64 {
        let rows = self.rows.1 - self.rows.0 + 1;
        let columns: u64 = self.columns.iter().map(|(w, e)| e - w + 1).sum();
        rows * columns
    }

    fn hashes(&self, grid: &Grid) -> Vec<String> {
        let mut cells: Vec<String> = (self.rows.0..=self.rows.1)
            .flat_map(|row| {
                self.columns
                    .iter()
                    .flat_map(move |&(west, east)| (west..=east).map(move |column| (column, row)))
            })
            .map(|(column, row)| grid.hash(column, row))
            .collect();
        cells.sort();
        cells.dedup();
        cells
    }
}

/// The cells of `precision` that together contain every point within
/// `radius_km` of `center` (and some beyond: the distance decides).
pub fn cover(center: Position, radius_km: f64, precision: usize) -> Vec<String> {
    let grid = Grid::new(precision);
    Block::of(&grid, center, radius_km).hashes(&grid)
}

/// The cells a nearby search queries: the finest precision whose cover
/// holds at most [`MAX_COVER_CELLS`] cells, else the coarsest grid.
pub fn search_cover(center: Position, radius_km: f64) -> Vec<String> {
    for precision in SEARCH_PRECISIONS {
        let grid = Grid::new(precision);
        let block = Block::of(&grid, center, radius_km);
        if block.count() <= MAX_COVER_CELLS as u64 {
            return block.hashes(&grid);
        }
    }
    cover(center, radius_km, COARSEST)
}

/// The great-circle distance in km (haversine, [`EARTH_RADIUS_KM`]).
pub fn distance_km(a: Position, b: Position) -> f64 {
    let (lat_a, lat_b) = (a.lat.to_radians(), b.lat.to_radians());
    let half_lat = (lat_b - lat_a) / 2.0;
    let half_lng = (b.lng - a.lng).to_radians() / 2.0;
    let h = half_lat.sin().powi(2) + lat_a.cos() * lat_b.cos() * half_lng.sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// A distance as the API shows it: km to 2 decimals, rounded from the
/// decimal text (as the reference's `round(x, 2)`), not from `x * 100`.
pub fn rounded_km(distance: f64) -> f64 {
    format!("{distance:.2}").parse().unwrap_or(distance)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(lat: f64, lng: f64) -> Position {
        Position::new(lat, lng).unwrap()
    }

    /// The point `distance_km` from `from` along `bearing` degrees.
    fn destination(from: Position, bearing: f64, distance_km: f64) -> Position {
        let d = distance_km / EARTH_RADIUS_KM;
        let (lat, lng, b) = (
            from.lat.to_radians(),
            from.lng.to_radians(),
            bearing.to_radians(),
        );
        let lat2 = (lat.sin() * d.cos() + lat.cos() * d.sin() * b.cos()).asin();
        let lng2 = lng + (b.sin() * d.sin() * lat.cos()).atan2(d.cos() - lat.sin() * lat2.sin());
        let lng2 = (lng2.to_degrees() + 540.0) % 360.0 - 180.0;
        at(lat2.to_degrees(), lng2)
    }

    #[test]
    fn encodes_the_published_vectors() {
        assert_eq!(geohash(at(42.6, -5.6), 5), "ezs42");
        assert_eq!(geohash(at(57.64911, 10.40744), 11), "u4pruydqqvj");
        assert_eq!(geohash(at(48.8566, 2.3522), 9), "u09tvw0f6");
    }

    #[test]
    fn a_coarser_hash_is_a_prefix_of_the_stored_one() {
        let paris = at(48.8566, 2.3522);
        let stored = geohash(paris, STORED_PRECISION);
        for precision in 1..STORED_PRECISION {
            assert!(stored.starts_with(&geohash(paris, precision)));
        }
    }

    #[test]
    fn the_extreme_positions_encode() {
        assert_eq!(geohash(at(-90.0, -180.0), 4), "0000");
        assert_eq!(geohash(at(90.0, 180.0), 4), "zzzz");
        assert_eq!(geohash(at(0.0, 0.0), 1), "s");
    }

    #[test]
    fn positions_out_of_range_or_not_finite_are_refused() {
        for (lat, lng) in [
            (90.000001, 0.0),
            (-90.5, 0.0),
            (0.0, 180.0001),
            (0.0, -181.0),
            (f64::NAN, 0.0),
            (0.0, f64::INFINITY),
        ] {
            assert_eq!(Position::new(lat, lng), None, "{lat}, {lng}");
        }
        assert!(Position::new(-90.0, 180.0).is_some());
    }

    #[test]
    fn haversine_matches_the_spec_and_the_poles() {
        let d = distance_km(at(48.85, 2.35), at(48.8566, 2.3522));
        assert_eq!(rounded_km(d), 0.75);
        let d = distance_km(at(89.9, 0.0), at(89.9, 180.0));
        assert_eq!(rounded_km(d), 22.24);
        let d = distance_km(at(-17.5, 179.99), at(-17.5, -179.99));
        assert_eq!(rounded_km(d), 2.12);
        let (a, b) = (at(43.6, 1.44), at(45.76, 4.84));
        assert_eq!(distance_km(a, b), distance_km(b, a));
        assert_eq!(distance_km(a, a), 0.0);
    }

    #[test]
    fn rounding_follows_the_decimal_text() {
        assert_eq!(rounded_km(0.7513), 0.75);
        assert_eq!(rounded_km(9.999), 10.0);
        assert_eq!(rounded_km(0.0), 0.0);
    }

    /// Every point inside the circle (on rings up to its edge, all round)
    /// lies in a cell of the cover.
    fn assert_covers(center: Position, radius_km: f64, cells: &[String]) {
        let precision = cells[0].len();
        assert!(cells.iter().all(|c| c.len() == precision));
        for step in 0..72 {
            let bearing = f64::from(step) * 5.0;
            for fraction in [0.0, 0.25, 0.5, 0.75, 0.999] {
                let point = destination(center, bearing, radius_km * fraction);
                let cell = geohash(point, precision);
                assert!(
                    cells.contains(&cell),
                    "{point:?} ({cell}) not covered around {center:?}, {radius_km} km"
                );
            }
        }
    }

    #[test]
    fn covers_hold_the_whole_circle_across_cell_borders() {
        let places = [
            at(48.8566, 2.3522), // Paris
            at(49.0, 0.0),       // Normandy, on the 0 meridian (cells gb/u0)
            at(45.0, 4.9),       // near Valence, on 45 N (cells sp/u0)
            at(-17.5, 179.99),   // next to the antimeridian
            at(89.9, 0.0),       // next to the north pole
            at(-89.95, 120.0),   // next to the south pole
        ];
        for center in places {
            for radius in [0.5, 1.0, 5.0, 10.0, 25.0, 50.0] {
                let cells = search_cover(center, radius);
                assert!(
                    cells.len() <= MAX_COVER_CELLS || cells[0].len() == COARSEST,
                    "{center:?} {radius} km: {} cells",
                    cells.len()
                );
                assert_covers(center, radius, &cells);
            }
        }
    }

    #[test]
    fn a_radius_of_zero_or_less_covers_the_centre_s_cell() {
        let paris = at(48.8566, 2.3522);
        let own = vec![geohash(paris, 6)];
        for radius in [0.0, -5.0, f64::NAN] {
            assert_eq!(search_cover(paris, radius), own, "{radius}");
        }
    }

    #[test]
    fn the_antimeridian_cover_has_cells_on_both_sides() {
        let cells = cover(at(-17.5, 179.99), 5.0, 4);
        let east = geohash(at(-17.5, 179.99), 4);
        let west = geohash(at(-17.5, -179.99), 4);
        assert!(cells.contains(&east) && cells.contains(&west), "{cells:?}");
    }

    #[test]
    fn the_search_precision_shrinks_with_the_radius() {
        let paris = at(48.8566, 2.3522);
        let precision = |radius: f64| search_cover(paris, radius)[0].len();
        assert_eq!(precision(1.0), 6);
        assert_eq!(precision(10.0), 5);
        assert_eq!(precision(50.0), 4);
        // Around a pole every longitude is covered: only the coarsest fits.
        assert_eq!(search_cover(at(89.9, 0.0), 50.0)[0].len(), COARSEST);
    }
}
