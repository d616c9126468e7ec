//! The scheduled reminders run. It reads only the global alert index (GSI3),
//! where an item sits while something is left to announce, keyed by the
//! moment that becomes true: a run costs what is due, not what is stored.
//!
//! For each reminder that reached a new urgency level, and each scheduled
//! maintenance a few days ahead, one transaction records that it was
//! announced (conditional on the version read, so a repeated or overlapping
//! run cannot announce twice) and creates the notification with its unread
//! count. The e-mail goes after the commit, when the owner wants e-mail.
//! Owners who turned maintenance reminders off get nothing; their items are
//! marked all the same, so turning reminders back on does not replay the past.
//!
//! An entry the run can do nothing with, an item it cannot decode or one
//! whose owner is gone, leaves the index (conditionally, so an item
//! rewritten meanwhile is left alone) and is counted: it would otherwise
//! come back every hour, first in its shard, and starve the rest. The
//! counts go to CloudWatch as one metrics line per run (`metrics`).
//!
//! Expired sessions and one-time codes need no run: they carry the table's
//! TTL attribute (`expires_at`) and every reader checks expiry itself.

pub mod metrics;
mod owners;
pub mod scheduled;
mod state;

use std::time::Instant;

use chrono::{DateTime, Utc};
use serde::Serialize;
use shared::domain::maintenances::Maintenance;
use shared::domain::notifications::{Notification, MAINTENANCE_REMINDER};
use shared::domain::reminders::{maintenance_notice, Notice, Reminder};
use shared::mail::templates;
use shared::store::keys;
use shared::store::reminders::{AlertEntry, Alerting};
use shared::store::{Write, WriteError};
use shared::Error;

use owners::Owners;

pub use state::RemindersState;

/// Items read per shard and run; a bigger backlog is left for the next run.
pub const BATCH_PER_SHARD: usize = 500;

/// What a run did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RunReport {
    /// Items read from the alert index.
    pub scanned: usize,
    /// Notifications created.
    pub notified: usize,
    pub emailed: usize,
    /// Marked without a notification: the owner turned reminders off.
    pub silenced: usize,
    /// Nothing to send: already announced, changed meanwhile, or gone.
    pub skipped: usize,
    /// Items of the index that could not be decoded.
    pub undecodable: usize,
    /// Items whose owner's profile is gone.
    pub ownerless: usize,
    /// Undecodable or ownerless items taken out of the index.
    pub removed: usize,
    /// Errors: an unreadable shard or owner, a write that failed.
    pub failed: usize,
    /// A shard had a full batch: the next run goes on with the rest.
    pub more: bool,
    /// Purge markers done: objects of deleted documents removed.
    pub purged: usize,
}

enum Due {
    Reminder(Reminder),
    Maintenance(Maintenance),
}

impl Due {
    fn owner_id(&self) -> &str {
        match self {
            Due::Reminder(r) => &r.owner_id,
            Due::Maintenance(m) => &m.owner_id,
        }
    }

    fn vehicle_id(&self) -> &str {
        match self {
            Due::Reminder(r) => &r.vehicle_id,
            Due::Maintenance(m) => &m.vehicle_id,
        }
    }
}

impl From<Alerting> for Due {
    fn from(alerting: Alerting) -> Self {
        match alerting {
            Alerting::Reminder(r) => Due::Reminder(r),
            Alerting::Maintenance(m) => Due::Maintenance(m),
        }
    }
}

/// A due item and where it sits in the index.
struct Entry {
    due: Due,
    at: AlertEntry,
}

enum Outcome {
    Notified { emailed: bool },
    Silenced,
    Skipped,
}

/// One run at `now`: read what is due, then announce it. Fails only when
/// the owners of the due items cannot be read at all; one item's failure is
/// counted and the run goes on.
pub async fn run(state: &RemindersState, now: DateTime<Utc>) -> Result<RunReport, Error> {
    DueBatch::read(state, now).await.process(state, now).await
}

/// Like `run`, stopping before `deadline` (the Lambda's own, less a margin):
/// what is left stays in the index for the next run, reported as `more`.
pub async fn run_until(
    state: &RemindersState,
    now: DateTime<Utc>,
    deadline: Instant,
) -> Result<RunReport, Error> {
    DueBatch::read(state, now)
        .await
        .process_until(state, now, Some(deadline))
        .await
}

/// Markers younger than this are left to the function that wrote them
/// (the documents function purges its own at once).
const PURGE_GRACE: chrono::Duration = chrono::Duration::minutes(5);
/// Markers drained per shard and run.
const PURGE_BATCH: usize = 100;

/// Drains the purge outbox (`usecases::object_purge`): objects of
/// documents deleted with their vehicle or their account. Returns the
/// markers done and those that failed (left for the next run).
pub async fn purge_objects(state: &RemindersState) -> (usize, usize) {
    let Some(bucket) = &state.bucket else {
        return (0, 0);
    };
    let before = shared::time::now() - PURGE_GRACE;
    match shared::usecases::object_purge::drain(&state.store, bucket, &before, PURGE_BATCH).await {
        Ok(report) => (report.purged, report.failed),
        Err(e) => {
            tracing::error!(error = %e, "purge outbox unreadable");
            (0, 1)
        }
    }
}

/// What one run read from the alert index.
pub struct DueBatch {
    due: Vec<Entry>,
    /// Entries that could not be decoded: they only leave the index.
    undecodable: Vec<AlertEntry>,
    report: RunReport,
}

impl DueBatch {
    /// Every shard's items due by `now` (a bounded batch per shard).
    pub async fn read(state: &RemindersState, now: DateTime<Utc>) -> Self {
        let mut report = RunReport::default();
        let mut due = Vec::new();
        let mut undecodable = Vec::new();
        for shard in 0..keys::ALERT_SHARDS {
            let items = match state
                .store
                .reminders()
                .alerts_due(shard, &now, BATCH_PER_SHARD)
                .await
            {
                Ok(items) => items,
                Err(e) => {
                    tracing::error!(shard, error = %e, "alert shard unreadable");
                    report.failed += 1;
                    continue;
                }
            };
            report.more |= items.len() >= BATCH_PER_SHARD;
            report.scanned += items.len();
            for item in items {
                let Some(at) = item.entry else {
                    // Index items always carry their keys; nothing to act on.
                    report.failed += 1;
                    continue;
                };
                match item.alerting {
                    Ok(d) => due.push(Entry { due: d.into(), at }),
                    Err(e) => {
                        // Keys only: the content may hold personal data.
                        tracing::error!(pk = %at.pk, sk = %at.sk, error = %e, "undecodable alert item");
                        report.undecodable += 1;
                        undecodable.push(at);
                    }
                }
            }
        }
        DueBatch {
            due,
            undecodable,
            report,
        }
    }

    /// What reading found (`scanned`, and failures of unreadable shards).
    pub fn report(&self) -> &RunReport {
        &self.report
    }

    /// Announces what was read. Every write is conditional on the version
    /// read, so a batch read by two runs is announced once.
    pub async fn process(
        self,
        state: &RemindersState,
        now: DateTime<Utc>,
    ) -> Result<RunReport, Error> {
        self.process_until(state, now, None).await
    }

    async fn process_until(
        self,
        state: &RemindersState,
        now: DateTime<Utc>,
        deadline: Option<Instant>,
    ) -> Result<RunReport, Error> {
        let DueBatch {
            due,
            undecodable,
            mut report,
        } = self;
        for at in &undecodable {
            unindex(state, at, &mut report).await;
        }
        if due.is_empty() {
            return Ok(report);
        }
        let wanted: Vec<(&str, &str)> = due
            .iter()
            .map(|e| (e.due.owner_id(), e.due.vehicle_id()))
            .collect();
        let owners = Owners::load(state, &wanted).await?;
        for Entry { due: d, at } in &due {
            if deadline.is_some_and(|at| Instant::now() >= at) {
                report.more = true;
                break;
            }
            if owners.is_gone(d.owner_id()) {
                // The account went: its entries only leave the index.
                report.ownerless += 1;
                unindex(state, at, &mut report).await;
                continue;
            }
            match process(state, &owners, d, now).await {
                Ok(Outcome::Notified { emailed }) => {
                    report.notified += 1;
                    report.emailed += usize::from(emailed);
                }
                Ok(Outcome::Silenced) => report.silenced += 1,
                Ok(Outcome::Skipped) => report.skipped += 1,
                Err(e) => {
                    tracing::error!(error = %e, "reminder item failed");
                    report.failed += 1;
                }
            }
        }
        Ok(report)
    }
}

/// Takes an entry out of the index unless it changed since it was read.
async fn unindex(state: &RemindersState, at: &AlertEntry, report: &mut RunReport) {
    match state.store.reminders().leave_alert_index(at).await {
        Ok(true) => report.removed += 1,
        Ok(false) => report.skipped += 1,
        Err(e) => {
            tracing::error!(pk = %at.pk, sk = %at.sk, error = %e, "alert entry not removed");
            report.failed += 1;
        }
    }
}

async fn process(
    state: &RemindersState,
    owners: &Owners,
    due: &Due,
    now: DateTime<Utc>,
) -> Result<Outcome, Error> {
    let owner_id = due.owner_id();
    let user = owners.user(owner_id)?;
    let label = owners.vehicle_label(owner_id, due.vehicle_id());
    // What to write whatever happens, and the notice when there is one.
    let (mark, notice) = match due {
        Due::Reminder(r) => {
            let reminders = state.store.reminders();
            match r.urgency_at(now) {
                Some(u) if u.level() > r.notified_level => {
                    let mut after = r.notified(u);
                    after.version = r.version + 1;
                    (
                        reminders.tx_replace(r.version, &after)?,
                        Some(r.notice(u, &label)),
                    )
                }
                _ => {
                    // A stale index entry: put it where it belongs.
                    let mut after = r.realigned();
                    after.version = r.version + 1;
                    (reminders.tx_replace(r.version, &after)?, None)
                }
            }
        }
        Due::Maintenance(m) => {
            let fresh = m.is_scheduled() && !m.reminder_sent && m.service_date >= now;
            let notice = fresh.then(|| maintenance_notice(m, &label));
            (state.store.maintenances().tx_reminded(m)?, notice)
        }
    };
    let settings = owners.settings(owner_id);
    let notice = match notice {
        // Nothing to announce: the entry only moves (or leaves the index).
        None => {
            commit(state, vec![mark]).await?;
            return Ok(Outcome::Skipped);
        }
        Some(_) if !(settings.maintenance_reminders && user.is_active) => {
            return Ok(match commit(state, vec![mark]).await? {
                true => Outcome::Silenced,
                false => Outcome::Skipped,
            });
        }
        Some(notice) => notice,
    };
    let notification = Notification::new(
        owner_id,
        MAINTENANCE_REMINDER,
        notice.title.clone(),
        notice.message.clone(),
        Some(notice.link.clone()),
        notice.metadata.clone(),
    );
    let mut writes = vec![mark];
    writes.extend(state.store.notifications().tx_create(&notification)?);
    if !commit(state, writes).await? {
        return Ok(Outcome::Skipped);
    }
    // The notice is kept whatever happens next; past the limit kept per
    // user the oldest go (a failure here only delays that to the next one).
    if let Err(e) = state.store.notifications().trim(&user.id).await {
        tracing::warn!(user_id = %user.id, error = %e, "notifications not trimmed");
    }
    let emailed = settings.email_notifications && send_mail(state, user, &notice).await;
    Ok(Outcome::Notified { emailed })
}

/// `false` when an item changed since it was read (another run, an edit).
async fn commit(state: &RemindersState, writes: Vec<Write>) -> Result<bool, Error> {
    match state.store.transact(writes).await {
        Ok(()) => Ok(true),
        Err(WriteError::Conditions(_)) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

async fn send_mail(
    state: &RemindersState,
    user: &shared::domain::users::User,
    notice: &Notice,
) -> bool {
    let link = format!("{}{}", state.mailer.frontend_url(), notice.link);
    state
        .mailer
        .send(templates::maintenance_reminder(
            user,
            &notice.title,
            &notice.message,
            &link,
        ))
        .await
}
