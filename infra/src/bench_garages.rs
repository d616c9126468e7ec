//! `make bench-garages`: what the garage directory's reads cost as the
//! directory grows.
//!
//! For each size N, in a fresh table of the emulator: N garages made up
//! from a fixed seed (30 % within 40 km of Paris, the rest anywhere in
//! mainland France; 20 cities; about 10 % with three reviews or more, so in
//! `top_rated/`). Then the reads the handlers make, each through the same
//! store functions: a list page (counter + one Query of facets + one
//! BatchGetItem), the next page from its cursor, a city page, top rated,
//! and nearby at 10 and 50 km in a dense place (Paris) and a sparse one.
//! For each: round trips, items read, garages returned, time.
//!
//! Round trips and items read are what DynamoDB bills and what its latency
//! follows: for the list forms and top rated they do not depend on N; a
//! nearby search reads the facets of the geohash cells it covers, so its
//! items follow the garages inside those cells. The time column is the
//! emulator's (moto walks the whole table for an index Query), not
//! DynamoDB's.
//!
//! Loading: each garage is written as the store writes it (the garage and
//! its facets, `Directory::items_of`) with batch writes, and the list
//! counters are set from the garages' scopes: the items one create
//! transaction per garage would leave, without the emulator's cost of a
//! transaction (moto copies the table for each). The reads measured do not
//! depend on how the items got there. `BENCH_GARAGES_MAX` caps the sizes
//! (the emulator holds every item in memory).
//!
//! Usage: bench-garages <N> [<N> ...]   (AWS_ENDPOINT_URL must be set)

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use shared::domain::garages::{Garage, GarageFields};
use shared::domain::geo::{self, Position};
use shared::store::garages::{count_scope, facet_kind, filtered, Directory, Pointer};
use shared::store::{client, table, Item, SortRange, Store};

const PARIS: (f64, f64) = (48.8566, 2.3522);
/// A place with no city of the list nearby (Allier, centre of France).
const SPARSE: (f64, f64) = (46.0, 2.0);
const PAGE_SIZE: usize = 20;
const TOP_RATED_LIMIT: usize = 10;
/// As `garages::finders::NEARBY_MAX`.
const NEARBY_MAX: usize = 100;
const FILTER_CITY: &str = "Lyon";

/// (name, postal code prefix); Paris first.
const CITIES: [(&str, &str); 20] = [
    ("Paris", "75"),
    ("Lyon", "69"),
    ("Marseille", "13"),
    ("Toulouse", "31"),
    ("Nice", "06"),
    ("Nantes", "44"),
    ("Strasbourg", "67"),
    ("Montpellier", "34"),
    ("Bordeaux", "33"),
    ("Lille", "59"),
    ("Rennes", "35"),
    ("Reims", "51"),
    ("Dijon", "21"),
    ("Angers", "49"),
    ("Grenoble", "38"),
    ("Brest", "29"),
    ("Tours", "37"),
    ("Limoges", "87"),
    ("Clermont-Ferrand", "63"),
    ("Rouen", "76"),
];

const SPECIALTIES: [&str; 6] = [
    "Vidange",
    "Freins",
    "Pneus",
    "Carrosserie",
    "Diagnostic",
    "Climatisation",
];

fn env_usize(key: &str) -> Option<usize> {
    std::env::var(key)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
}

#[tokio::main]
async fn main() -> ExitCode {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.replace('_', "").parse().ok())
        .collect();
    if sizes.is_empty() {
        eprintln!("usage: bench-garages <N> [<N> ...]");
        return ExitCode::FAILURE;
    }
    let cap = env_usize("BENCH_GARAGES_MAX");
    let mut rows = Vec::new();
    let mut done: Vec<usize> = Vec::new();
    for n in sizes {
        let n = match cap {
            Some(cap) if n > cap => {
                println!("size {n} capped to {cap} (BENCH_GARAGES_MAX)");
                cap
            }
            _ => n,
        };
        if done.contains(&n) {
            continue;
        }
        done.push(n);
        match bench(n).await {
            Ok(mut done) => rows.append(&mut done),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    println!();
    println!(
        "{:>8}  {:<26} {:>11} {:>10} {:>8} {:>15}",
        "garages", "read", "round trips", "items read", "returned", "emulator time"
    );
    for row in rows {
        println!(
            "{:>8}  {:<26} {:>11} {:>10} {:>8} {:>13.0}ms",
            row.size,
            row.pattern,
            row.calls,
            row.items,
            row.returned,
            row.elapsed.as_secs_f64() * 1000.0
        );
    }
    ExitCode::SUCCESS
}

struct Row {
    size: usize,
    pattern: String,
    calls: u64,
    items: u64,
    returned: usize,
    elapsed: Duration,
}

/// A small xorshift: the same garages on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The `i`-th garage of the bench directory.
fn garage(rng: &mut Rng, i: usize) -> Garage {
    let near_paris = rng.unit() < 0.3;
    let (city, postal, at) = if near_paris {
        // Uniform over the disc: the radius goes as the square root.
        let d = 39.9 * rng.unit().sqrt();
        let bearing = std::f64::consts::TAU * rng.unit();
        let lat = PARIS.0 + d / 111.32 * bearing.cos();
        let lng = PARIS.1 + d / (111.32 * PARIS.0.to_radians().cos()) * bearing.sin();
        (CITIES[0].0, CITIES[0].1, (lat, lng))
    } else {
        let (city, postal) = CITIES[1 + rng.below(19) as usize];
        let lat = 43.0 + 7.5 * rng.unit();
        let lng = -4.5 + 12.0 * rng.unit();
        (city, postal, (lat, lng))
    };
    let first = rng.below(SPECIALTIES.len() as u64) as usize;
    let second = (first + 1 + rng.below(SPECIALTIES.len() as u64 - 1) as usize) % SPECIALTIES.len();
    let mut g = Garage::new(
        GarageFields {
            name: format!("Garage {city} {i:06}"),
            email: format!("garage{i}@bench.autotrack.local"),
            phone: None,
            address: format!("{} rue du Banc d'Essai", 1 + i % 200),
            city: Some(city.into()),
            postal_code: Some(format!("{postal}{:03}", rng.below(1000))),
            country: Some("France".into()),
            position: Position::new(at.0, at.1),
            description: None,
            specialties: vec![SPECIALTIES[first].into(), SPECIALTIES[second].into()],
            certifications: Vec::new(),
        },
        None,
    );
    g.id = uuid::Uuid::from_u64_pair(rng.next(), rng.next()).to_string();
    let ratings = match rng.below(10) {
        0 => 3 + rng.below(18),
        1..=3 => 1 + rng.below(2),
        _ => 0,
    };
    g.rating_count = ratings;
    g.rating_sum = (0..ratings).map(|_| 1 + rng.below(5)).sum();
    g
}

async fn store_for(table_name: &str) -> Result<Store, String> {
    let endpoint = std::env::var("AWS_ENDPOINT_URL")
        .map_err(|_| "AWS_ENDPOINT_URL must point at the emulator".to_string())?;
    // The emulator slows down as its tables grow: generous timeouts, so that
    // slowness is measured, not turned into errors.
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(&endpoint)
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .operation_attempt_timeout(Duration::from_secs(600))
                .operation_timeout(Duration::from_secs(600))
                .build(),
        )
        .load()
        .await;
    let (dynamodb, calls) = client::dynamodb(&sdk);
    table::create(&dynamodb, table_name)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Store::new(dynamodb, table_name, calls))
}

async fn drop_table(store: &Store) {
    let _ = store
        .client()
        .delete_table()
        .table_name(store.table())
        .send()
        .await;
}

/// Loads `garages` into `store` as the store would write them (the garage
/// and its facets, `Directory::items_of`) with batch writes, then sets the
/// list counters from their scopes: the same items as one create
/// transaction per garage, without the emulator's cost of one.
async fn load(store: &Store, garages: Vec<Garage>) -> Result<(), String> {
    let directory = store.garages();
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    let mut items = Vec::new();
    for g in &garages {
        items.extend(directory.items_of(g).map_err(|e| e.to_string())?);
        for scope in Directory::count_scopes(g) {
            *counts.entry(scope).or_default() += 1;
        }
    }
    put_parallel(store, items).await?;
    for (scope, n) in counts {
        directory
            .set_count(&scope, n)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Batch writes, a few at once (the emulator is the bottleneck).
async fn put_parallel(store: &Store, items: Vec<Item>) -> Result<(), String> {
    let per_task = items.len().div_ceil(8).max(1);
    let mut tasks = Vec::new();
    let mut items = items;
    while !items.is_empty() {
        let rest = items.split_off(per_task.min(items.len()));
        let chunk = std::mem::replace(&mut items, rest);
        let store = store.clone();
        tasks.push(tokio::spawn(async move { store.put_many(chunk).await }));
    }
    for task in tasks {
        task.await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Round trips, items read and time of one read; it returns how many
/// garages it got.
/// (A future does nothing until awaited: the counts start here.)
async fn measure(
    store: &Store,
    size: usize,
    pattern: &str,
    read: impl std::future::Future<Output = Result<usize, shared::Error>>,
) -> Result<Row, String> {
    let (calls, items) = (store.calls(), store.items_read());
    let started = Instant::now();
    let returned = read.await.map_err(|e| format!("{pattern}: {e}"))?;
    Ok(Row {
        size,
        pattern: pattern.into(),
        calls: store.calls() - calls,
        items: store.items_read() - items,
        returned,
        elapsed: started.elapsed(),
    })
}

/// A list page as `directory::list` reads it: the envelope's counter, one
/// Query of facets, the garages; the page's last key for the next link.
async fn list_page(
    store: &Store,
    counter: &str,
    partition: &str,
    after: Option<&str>,
) -> Result<(usize, Option<String>), shared::Error> {
    let directory = store.garages();
    directory.count(counter).await?;
    let pointers: Vec<Pointer> = match after {
        None => {
            directory
                .pointers(partition, &SortRange::All, true, PAGE_SIZE)
                .await?
        }
        Some(after) => directory
            .pointers(
                partition,
                &SortRange::Above(after.to_string()),
                true,
                PAGE_SIZE + 1,
            )
            .await?
            .into_iter()
            .filter(|p| p.order != after)
            .take(PAGE_SIZE)
            .collect(),
    };
    let ids: Vec<String> = pointers.iter().map(|p| p.garage_id.clone()).collect();
    let garages = directory.many(&ids).await?;
    Ok((garages.len(), pointers.last().map(|p| p.order.clone())))
}

async fn bench(size: usize) -> Result<Vec<Row>, String> {
    let store = store_for(&format!("bench-{}", uuid::Uuid::new_v4())).await?;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let garages: Vec<Garage> = (0..size).map(|i| garage(&mut rng, i)).collect();
    let top = garages.iter().filter(|g| g.rating_count >= 3).count();
    let started = Instant::now();
    load(&store, garages).await?;
    let counted = store
        .garages()
        .count(count_scope::ALL)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "{size:>8} garages loaded in {:.1} s (emulator time; {} top rated; counter ALL = {counted})",
        started.elapsed().as_secs_f64(),
        top,
    );
    if counted != size as u64 {
        return Err(format!("counter ALL is {counted}, {size} garages loaded"));
    }

    let mut rows = Vec::new();
    let mut last = None;
    rows.push(
        measure(&store, size, "list page 1", async {
            let (n, key) = list_page(&store, count_scope::ALL, facet_kind::RATING, None).await?;
            last = key;
            Ok(n)
        })
        .await?,
    );
    let after = last.ok_or("page 1 is empty")?;
    rows.push(
        measure(&store, size, "list page 2 (cursor)", async {
            let (n, _) =
                list_page(&store, count_scope::ALL, facet_kind::RATING, Some(&after)).await?;
            Ok(n)
        })
        .await?,
    );
    let city = filtered(facet_kind::CITY, FILTER_CITY);
    rows.push(
        measure(&store, size, &format!("city={FILTER_CITY} page 1"), async {
            Ok(list_page(&store, &city, &city, None).await?.0)
        })
        .await?,
    );
    rows.push(
        measure(
            &store,
            size,
            &format!("top_rated limit {TOP_RATED_LIMIT}"),
            async {
                let directory = store.garages();
                let ids: Vec<String> = directory
                    .pointers(facet_kind::TOP, &SortRange::All, true, TOP_RATED_LIMIT)
                    .await?
                    .into_iter()
                    .map(|p| p.garage_id)
                    .collect();
                Ok(directory.many(&ids).await?.len())
            },
        )
        .await?,
    );
    for (place, (lat, lng)) in [("Paris", PARIS), ("sparse", SPARSE)] {
        let center = Position::new(lat, lng).ok_or("bad centre")?;
        for radius in [10.0, 50.0] {
            let cells = geo::search_cover(center, radius).len();
            let label = format!("nearby {place} {radius:.0}km ({cells} cells)");
            rows.push(
                measure(&store, size, &label, async {
                    let directory = store.garages();
                    let ids: Vec<String> = directory
                        .near(center, radius, NEARBY_MAX)
                        .await?
                        .into_iter()
                        .map(|n| n.garage_id)
                        .collect();
                    Ok(directory.many(&ids).await?.len())
                })
                .await?,
            );
        }
    }
    drop_table(&store).await;
    Ok(rows)
}
