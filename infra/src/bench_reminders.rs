//! `make bench`: the cost of one reminders run as the table grows.
//!
//! For each size N, in a fresh table of the emulator: 50 owners with one
//! vehicle each, N reminders of which 50 are due (one per owner), the rest
//! due months ahead. Then one run: its read phase (items read from the alert
//! index, round trips, time), then its writes (notifications, round trips,
//! time), then a second run (nothing left to send: items read).
//!
//! Items read and round trips are what DynamoDB bills and what its latency
//! follows; they stay flat. The emulator's own time does not: moto answers
//! an index Query by walking the whole table and deep-copies the table for
//! every TransactWriteItems (its rollback), so its per-call time grows with
//! the table. Read the time columns as the emulator's, not DynamoDB's.
//!
//! Usage: bench-reminders <N> [<N> ...]   (AWS_ENDPOINT_URL must be set)

use std::process::ExitCode;
use std::time::Instant;

use chrono::Duration;
use reminders::RemindersState;
use shared::config::Env;
use shared::domain::odometer::Reading;
use shared::domain::reminders::{vehicle_trend, Reminder};
use shared::domain::users::User;
use shared::domain::vehicles::Vehicle;
use shared::state::{Aws, FunctionState};
use shared::store::reminders::reminder_item;
use shared::store::{table, users::user_item};
use shared::time;

const OWNERS: usize = 50;
const DUE: usize = 50;
const SENDER: &str = "bench@autotrack.local";
/// Above this size only the read phase runs: moto deep-copies the whole
/// table for every TransactWriteItems, and at 100,000 items 50 of those
/// exhaust it (killed for memory). DynamoDB has no such cost.
const FULL_RUN_MAX: usize = 20_000;

#[tokio::main]
async fn main() -> ExitCode {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.replace('_', "").parse().ok())
        .collect();
    if sizes.is_empty() {
        eprintln!("usage: bench-reminders <N> [<N> ...]");
        return ExitCode::FAILURE;
    }
    println!(
        "{:>8} {:>4} | {:>10} {:>10} {:>10} | {:>8} {:>6} {:>10} {:>10} {:>8} {:>11}",
        "stored",
        "due",
        "items read",
        "read calls",
        "read time",
        "notified",
        "failed",
        "run calls",
        "run time",
        "2nd read",
        "bare write"
    );
    for n in sizes {
        if let Err(e) = bench(n).await {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

async fn state_for(table_name: &str) -> Result<RemindersState, String> {
    let endpoint = std::env::var("AWS_ENDPOINT_URL")
        .map_err(|_| "AWS_ENDPOINT_URL must point at the emulator".to_string())?;
    let mut env = Env::from_lookup(|key| match key {
        "TABLE_NAME" => Some(table_name.to_string()),
        "FRONTEND_URL" => Some("http://localhost:3000".into()),
        "MAIL_FROM" => Some(SENDER.into()),
        _ => None,
    });
    let config = RemindersState::read(&mut env);
    env.finish().map_err(|e| e.to_string())?;
    // The emulator slows down as its tables grow (see the module comment):
    // generous timeouts, so that slowness is measured, not turned into errors.
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(&endpoint)
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .operation_attempt_timeout(std::time::Duration::from_secs(600))
                .operation_timeout(std::time::Duration::from_secs(600))
                .build(),
        )
        .load()
        .await;
    let state = RemindersState::build(config, &Aws::from_sdk(sdk.clone(), true));
    table::create(state.store.client(), state.store.table())
        .await
        .map_err(|e| e.to_string())?;
    let _ = aws_sdk_sesv2::Client::new(&sdk)
        .create_email_identity()
        .email_identity(SENDER)
        .send()
        .await;
    Ok(state)
}

async fn bench(stored: usize) -> Result<(), String> {
    let table_name = format!("bench-{}", uuid::Uuid::new_v4());
    let state = state_for(&table_name).await?;
    let now = time::now();
    let mut vehicles = Vec::new();
    let mut seed = Vec::new();
    for i in 0..OWNERS {
        let user = User::new(
            &format!("owner{i}@bench.autotrack.local"),
            "Bench".into(),
            format!("Owner {i}"),
            "unusable".into(),
            now,
        );
        // The owner first: a vehicle creation counts itself on the profile.
        state
            .store
            .put_many(vec![user_item(&user).map_err(|e| e.to_string())?])
            .await
            .map_err(|e| e.to_string())?;
        let vehicle = Vehicle {
            id: uuid::Uuid::now_v7().to_string(),
            owner_id: user.id.clone(),
            make: "Peugeot".into(),
            model: "308".into(),
            year: 2020,
            license_plate: None,
            vin: None,
            color: None,
            fuel_type: None,
            transmission: None,
            mileage: 40_000,
            odometer_log: vec![Reading {
                at: now,
                km: 40_000,
            }],
            maintenances_count: 0,
            documents_count: 0,
            diagnostics_count: 0,
            active_reminders: 0,
            created_at: now,
            updated_at: now,
            version: 0,
        };
        state
            .store
            .vehicles()
            .create(&vehicle, None)
            .await
            .map_err(|e| e.to_string())?;
        vehicles.push(vehicle);
    }
    for i in 0..stored {
        let vehicle = &vehicles[i % OWNERS];
        let mut r = Reminder::new(&vehicle.owner_id, &vehicle.id, "Oil change", "Vidange");
        r.due_date = Some(if i < DUE {
            now + Duration::days(5)
        } else {
            now + Duration::days(60 + (i % 700) as i64)
        });
        let r = r.refreshed(vehicle_trend(vehicle, &[], now));
        seed.push(reminder_item(&r).map_err(|e| e.to_string())?);
    }
    put_parallel(&state, seed).await?;

    // The read phase: what the run takes from the alert index.
    let calls = state.store.calls();
    let started = Instant::now();
    let batch = reminders::DueBatch::read(&state, now).await;
    let read_time = started.elapsed();
    let read_calls = state.store.calls() - calls;
    print!(
        "{:>8} {:>4} | {:>10} {:>10} {:>8.0}ms |",
        stored,
        DUE.min(stored),
        batch.report().scanned,
        read_calls,
        read_time.as_secs_f64() * 1000.0
    );
    if stored > FULL_RUN_MAX {
        println!(" writes not run: the emulator copies the table per transaction");
    } else {
        let report = batch
            .process(&state, now)
            .await
            .map_err(|e| e.to_string())?;
        let run_time = started.elapsed();
        let run_calls = state.store.calls() - calls;
        let again = reminders::run(&state, now)
            .await
            .map_err(|e| e.to_string())?;
        // The emulator's cost of one write transaction at this table size,
        // with nothing of the run in it: the run's time is about `notified`
        // of these.
        let started = Instant::now();
        let probe = Reminder::new("probe", "probe", "Probe", "Probe");
        let repo = state.store.reminders();
        repo.commit(
            vec![repo.tx_create(&probe).map_err(|e| e.to_string())?],
            None,
            0,
        )
        .await
        .map_err(|e| e.to_string())?;
        let bare_write = started.elapsed();
        println!(
            " {:>8} {:>6} {:>10} {:>8.0}ms {:>8} {:>9.0}ms",
            report.notified,
            report.failed,
            run_calls,
            run_time.as_secs_f64() * 1000.0,
            again.scanned,
            bare_write.as_secs_f64() * 1000.0
        );
    }
    let _ = state
        .store
        .client()
        .delete_table()
        .table_name(&table_name)
        .send()
        .await;
    Ok(())
}

/// Seeds with a few batch writers at once (the emulator is the bottleneck).
async fn put_parallel(
    state: &RemindersState,
    items: Vec<shared::store::Item>,
) -> Result<(), String> {
    let per_task = items.len().div_ceil(8).max(1);
    let mut tasks = Vec::new();
    let mut items = items;
    while !items.is_empty() {
        let rest = items.split_off(per_task.min(items.len()));
        let chunk = std::mem::replace(&mut items, rest);
        let store = state.store.clone();
        tasks.push(tokio::spawn(async move { store.put_many(chunk).await }));
    }
    for task in tasks {
        task.await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}
