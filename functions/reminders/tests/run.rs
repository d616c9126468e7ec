//! The scheduled run against the emulator: it reads only what is due, sends
//! each urgency level once, honours the owners' settings, and stays right
//! when repeated or run twice at once.

use chrono::Duration;
use shared::domain::maintenances::{Maintenance, SCHEDULED};
use shared::domain::notifications::MAINTENANCE_REMINDER;
use shared::domain::reminders::Reminder;
use shared::domain::users::User;
use shared::domain::vehicles::Vehicle;
use shared::store::keys::{self, ALERT_SHARDS};
use shared::store::reminders::reminder_item;
use shared::store::{Attr, Expr};
use shared::time;
use testkit::{emails_to, reminder_for};

type TestApp = testkit::TestApp<reminders::RemindersState>;

async fn app() -> TestApp {
    TestApp::spawn(|_| axum::Router::new()).await
}

fn days(n: i64) -> String {
    time::format(&(time::now() + Duration::days(n)))
}

/// `count` reminders of `vehicle` due far away, written in batches.
async fn seed_far_reminders(app: &TestApp, vehicle: &Vehicle, count: usize) {
    let items = (0..count)
        .map(|i| {
            let r = reminder_for(vehicle, "Far", Some(&days(200 + (i % 300) as i64)), None);
            reminder_item(&r).unwrap()
        })
        .collect();
    app.state.store.put_many(items).await.unwrap();
}

async fn scheduled_maintenance(app: &TestApp, vehicle: &Vehicle, in_days: i64) -> Maintenance {
    let at = time::now() + Duration::days(in_days);
    let m = Maintenance {
        id: uuid::Uuid::now_v7().to_string(),
        owner_id: vehicle.owner_id.clone(),
        vehicle_id: vehicle.id.clone(),
        service_date: at,
        service_type: "Contrôle technique".into(),
        description: None,
        mileage: None,
        cost: None,
        status: SCHEDULED.into(),
        invoice_url: None,
        performed_by: None,
        reminder_sent: false,
        created_at: at,
        updated_at: at,
        version: 0,
    };
    let current = app.stored_vehicle(&vehicle.owner_id, &vehicle.id).await;
    app.state
        .store
        .maintenances()
        .create(
            &m,
            &current,
            Vec::new(),
            Default::default(),
            Some(&testkit::fixture_plan()),
        )
        .await
        .unwrap();
    m
}

async fn set_preferences(app: &TestApp, user: &User, email: bool, reminders: bool) {
    let settings = app.state.store.settings();
    let before = settings.get_or_create(&user.id).await.unwrap();
    let mut after = before.clone();
    after.email_notifications = email;
    after.maintenance_reminders = reminders;
    after.version += 1;
    settings.replace(&before, &after).await.unwrap();
}

async fn reminder_notices(app: &TestApp, user: &User) -> (usize, i64) {
    let inbox = app
        .state
        .store
        .notifications()
        .inbox(&user.id)
        .await
        .unwrap();
    let notices = inbox
        .notifications
        .iter()
        .filter(|n| n.notification_type == MAINTENANCE_REMINDER)
        .count();
    (notices, inbox.unread_count)
}

async fn stored(app: &TestApp, r: &Reminder) -> Reminder {
    app.stored_reminder(&r.owner_id, &r.id)
        .await
        .expect("reminder still stored")
}

#[tokio::test]
async fn a_run_reads_only_what_is_due_once_per_level_and_honours_settings() {
    let app = app().await;
    let (alice, _) = app.signed_in_user("alice").await;
    let (bob, _) = app.signed_in_user("bob").await;
    let (carol, _) = app.signed_in_user("carol").await;
    set_preferences(&app, &bob, false, true).await;
    set_preferences(&app, &carol, true, false).await;
    let car = app.store_vehicle(&alice.id, "Peugeot", 30_000).await;
    let van = app.store_vehicle(&bob.id, "Renault", 80_000).await;
    let bike = app.store_vehicle(&carol.id, "Yamaha", 9_000).await;

    seed_far_reminders(&app, &car, 2_000).await;
    let soon = app
        .store_reminder(&car, "Vidange", Some(&days(20)), None)
        .await;
    let late = app
        .store_reminder(&car, "Freins", Some(&days(-2)), None)
        .await;
    let near_km = app.store_reminder(&car, "Pneus", None, Some(30_100)).await;
    scheduled_maintenance(&app, &car, 2).await;
    scheduled_maintenance(&app, &car, 30).await;
    let bobs = app
        .store_reminder(&van, "Courroie", Some(&days(5)), None)
        .await;
    let carols = app
        .store_reminder(&bike, "Chaîne", Some(&days(3)), None)
        .await;

    let before = app.calls();
    let report = reminders::run(&app.state, time::now()).await.unwrap();
    let calls = app.calls() - before;
    assert_eq!(report.scanned, 6, "{report:?}: only the due items are read");
    assert_eq!(report.notified, 5, "{report:?}");
    assert_eq!(report.silenced, 1, "{report:?}: carol turned reminders off");
    assert_eq!(report.emailed, 4, "{report:?}: bob turned e-mail off");
    assert_eq!((report.failed, report.skipped), (0, 0), "{report:?}");
    assert!(!report.more);
    assert!(
        calls <= u64::from(ALERT_SHARDS) + 1 + 6 + 5,
        "{calls} round trips: one query per shard, one batch read, one write per item, \
         one counter read per notice (the limit kept)"
    );

    assert_eq!(reminder_notices(&app, &alice).await, (4, 4));
    assert_eq!(reminder_notices(&app, &bob).await, (1, 1));
    assert_eq!(reminder_notices(&app, &carol).await, (0, 0));
    let mails = emails_to(&alice.email).await;
    let subjects: Vec<&str> = mails.iter().map(|m| m.subject.as_str()).collect();
    assert!(
        subjects.contains(&"Entretien à prévoir : Vidange"),
        "{subjects:?}"
    );
    assert!(
        subjects.contains(&"Entretien en retard : Freins"),
        "{subjects:?}"
    );
    assert!(
        subjects.contains(&"Entretien urgent : Pneus"),
        "{subjects:?}"
    );
    assert!(
        subjects.contains(&"Entretien prévu : Contrôle technique"),
        "{subjects:?}"
    );
    assert!(emails_to(&bob.email).await.is_empty());
    assert!(emails_to(&carol.email).await.is_empty());
    assert_eq!(stored(&app, &soon).await.notified_level, 1);
    assert_eq!(
        stored(&app, &late).await.alert_at,
        None,
        "nothing left to say"
    );
    assert_eq!(
        stored(&app, &near_km).await.notified_level,
        2,
        "100 km left"
    );
    assert_eq!(
        stored(&app, &carols).await.notified_level,
        2,
        "marked, not sent"
    );

    // Run again: nothing is due any more, nothing is sent twice.
    let again = reminders::run(&app.state, time::now()).await.unwrap();
    assert_eq!(again.scanned, 0, "{again:?}");
    assert_eq!(again.notified, 0);
    assert_eq!(reminder_notices(&app, &alice).await, (4, 4));

    // Two weeks later: the next levels, and still not the 2,000 far ones.
    // (Pneus waits for the odometer: no trend to project from.)
    let later = reminders::run(&app.state, time::now() + Duration::days(14))
        .await
        .unwrap();
    assert_eq!(later.scanned, 3, "{later:?}");
    assert_eq!((later.notified, later.silenced), (2, 1), "{later:?}");
    assert_eq!(stored(&app, &soon).await.notified_level, 2);
    assert_eq!(stored(&app, &bobs).await.notified_level, 3);
    assert_eq!(reminder_notices(&app, &alice).await, (5, 5));
}

#[tokio::test]
async fn overlapping_runs_send_each_notice_once() {
    let app = app().await;
    let (dan, _) = app.signed_in_user("dan").await;
    let car = app.store_vehicle(&dan.id, "Skoda", 50_000).await;
    for i in 0..12 {
        app.store_reminder(&car, &format!("R{i}"), Some(&days(i - 3)), None)
            .await;
    }
    // Both runs read the index before either writes: the worst overlap.
    let now = time::now();
    let first = reminders::DueBatch::read(&app.state, now).await;
    let second = reminders::DueBatch::read(&app.state, now).await;
    let a = first.process(&app.state, now).await.unwrap();
    let b = second.process(&app.state, now).await.unwrap();
    assert_eq!((a.scanned, b.scanned), (12, 12));
    assert_eq!((a.notified, b.notified), (12, 0), "{a:?} {b:?}");
    assert_eq!((b.skipped, b.failed), (12, 0), "{b:?}");
    assert_eq!(reminder_notices(&app, &dan).await, (12, 12));
}

#[tokio::test]
async fn a_deleted_account_or_edited_item_is_skipped_not_failed() {
    let app = app().await;
    let (erin, _) = app.signed_in_user("erin").await;
    let car = app.store_vehicle(&erin.id, "Opel", 1_000).await;
    let r = app
        .store_reminder(&car, "Huile", Some(&days(1)), None)
        .await;
    // The owner edits it after the index was written: the version moved.
    let mut edited = r.clone();
    edited.version += 1;
    edited.notes = Some("edited".into());
    let repo = app.state.store.reminders();
    repo.commit(vec![repo.tx_replace(r.version, &edited).unwrap()], None, 0)
        .await
        .unwrap();
    let report = reminders::run(&app.state, time::now()).await.unwrap();
    assert_eq!(
        report.notified, 1,
        "the stored version is what counts: {report:?}"
    );
    assert_eq!(report.failed, 0);
    app.state
        .store
        .users()
        .delete_everything(&erin)
        .await
        .unwrap();
    let after = reminders::run(&app.state, time::now() + Duration::days(2))
        .await
        .unwrap();
    assert_eq!((after.notified, after.failed), (0, 0), "{after:?}");
}

#[tokio::test]
async fn a_run_out_of_time_leaves_the_rest_for_the_next_one() {
    let app = app().await;
    let (fay, _) = app.signed_in_user("fay").await;
    let car = app.store_vehicle(&fay.id, "Seat", 2_000).await;
    for i in 0..3 {
        app.store_reminder(&car, &format!("R{i}"), Some(&days(i)), None)
            .await;
    }
    let spent = reminders::run_until(&app.state, time::now(), std::time::Instant::now())
        .await
        .unwrap();
    assert_eq!((spent.scanned, spent.notified), (3, 0), "{spent:?}");
    assert!(spent.more, "{spent:?}");
    let next = reminders::run(&app.state, time::now()).await.unwrap();
    assert_eq!(next.notified, 3, "{next:?}");
}

/// A raw item in the alert index, due now, that no code can decode: a
/// reminder whose stored date has a five-digit year.
async fn undecodable_alert_item(app: &TestApp, vehicle: &Vehicle) -> (String, String) {
    let r = reminder_for(vehicle, "Garbage", Some(&days(1)), None);
    let mut item = reminder_item(&r).unwrap();
    item.insert("due_date".into(), Attr::S("+10001-01-01T00:00:00Z".into()));
    let key = (keys::user_pk(&r.owner_id), keys::reminder_sk(&r.id));
    app.state.store.put(item, Expr::new()).await.unwrap();
    key
}

async fn in_alert_index(app: &TestApp, (pk, sk): &(String, String)) -> bool {
    let item = app
        .state
        .store
        .get(pk, sk)
        .await
        .unwrap()
        .expect("item kept");
    item.contains_key(keys::GSI3PK) || item.contains_key(keys::GSI3SK)
}

#[tokio::test]
async fn undecodable_and_ownerless_items_leave_the_index_and_the_rest_is_notified() {
    let app = app().await;
    let (gus, _) = app.signed_in_user("gus").await;
    let (gone, _) = app.signed_in_user("gone").await;
    let car = app.store_vehicle(&gus.id, "Dacia", 10_000).await;
    let old = app.store_vehicle(&gone.id, "Lada", 10_000).await;
    let garbage = undecodable_alert_item(&app, &car).await;
    let good = app
        .store_reminder(&car, "Vidange", Some(&days(1)), None)
        .await;
    let orphan = app
        .store_reminder(&old, "Freins", Some(&days(1)), None)
        .await;
    let orphan_key = (
        keys::user_pk(&orphan.owner_id),
        keys::reminder_sk(&orphan.id),
    );
    // The owner's profile goes, the reminder stays behind.
    app.state
        .store
        .delete(&keys::user_pk(&gone.id), keys::USER_PROFILE_SK, Expr::new())
        .await
        .unwrap();

    let report = reminders::run(&app.state, time::now()).await.unwrap();
    assert_eq!(report.scanned, 3, "{report:?}");
    assert_eq!(report.notified, 1, "{report:?}: the good one is announced");
    assert_eq!(
        (report.undecodable, report.ownerless, report.removed),
        (1, 1, 2),
        "{report:?}"
    );
    assert_eq!(report.failed, 0, "{report:?}");
    assert!(!in_alert_index(&app, &garbage).await);
    assert!(!in_alert_index(&app, &orphan_key).await);
    assert_eq!(stored(&app, &good).await.notified_level, 2);
    assert_eq!(reminder_notices(&app, &gus).await, (1, 1));

    // Gone from the index: the next run does not see them again.
    let again = reminders::run(&app.state, time::now()).await.unwrap();
    assert_eq!((again.scanned, again.removed), (0, 0), "{again:?}");

    let doc = reminders::metrics::emf(&report, "reminders", 0);
    assert_eq!(
        (doc["removed"].clone(), doc["failed"].clone()),
        (2.into(), 0.into())
    );
}

#[tokio::test]
async fn an_ownerless_item_rewritten_meanwhile_is_left_alone() {
    let app = app().await;
    let (hal, _) = app.signed_in_user("hal").await;
    let car = app.store_vehicle(&hal.id, "Fiat", 10_000).await;
    let r = app
        .store_reminder(&car, "Courroie", Some(&days(1)), None)
        .await;
    let key = (keys::user_pk(&r.owner_id), keys::reminder_sk(&r.id));
    app.state
        .store
        .delete(&keys::user_pk(&hal.id), keys::USER_PROFILE_SK, Expr::new())
        .await
        .unwrap();
    let batch = reminders::DueBatch::read(&app.state, time::now()).await;
    // Rewritten after the run read it (a new version, still indexed).
    let mut edited = r.clone();
    edited.version += 1;
    edited.notes = Some("edited".into());
    let repo = app.state.store.reminders();
    repo.commit(vec![repo.tx_replace(r.version, &edited).unwrap()], None, 0)
        .await
        .unwrap();
    let report = batch.process(&app.state, time::now()).await.unwrap();
    assert_eq!(
        (report.ownerless, report.removed, report.skipped),
        (1, 0, 1),
        "{report:?}"
    );
    assert!(in_alert_index(&app, &key).await, "the rewrite is untouched");
    assert_eq!(stored(&app, &r).await.notes.as_deref(), Some("edited"));
}

#[tokio::test]
async fn a_notice_to_a_full_inbox_drops_the_oldest_notification() {
    use shared::domain::limits::MAX_NOTIFICATIONS_KEPT;
    use shared::domain::notifications::{Notification, INFO};
    let app = app().await;
    let (user, _) = app.signed_in_user("full").await;
    let car = app.store_vehicle(&user.id, "Citroën", 50_000).await;
    let mut items = Vec::new();
    let mut oldest = None;
    for i in 0..MAX_NOTIFICATIONS_KEPT {
        let n = Notification::new(
            &user.id,
            INFO,
            format!("Old {i}"),
            "m".into(),
            None,
            serde_json::json!({}),
        );
        oldest.get_or_insert(n.id.clone());
        items.push(shared::store::notifications::notification_item(&n).unwrap());
    }
    app.state.store.put_many(items).await.unwrap();
    let pk = keys::notifications_pk(&user.id);
    for counter in ["unread", "total"] {
        app.set_number(
            &pk,
            keys::NOTIFICATION_COUNTER_SK,
            counter,
            MAX_NOTIFICATIONS_KEPT,
        )
        .await;
    }
    let _ = app
        .store_reminder(&car, "Vidange", Some(&days(3)), None)
        .await;

    let report = reminders::run(&app.state, time::now()).await.unwrap();
    assert_eq!(report.notified, 1, "{report:?}");
    let notifications = app.state.store.notifications();
    let counts = notifications.counts(&user.id).await.unwrap();
    assert_eq!(counts.total, MAX_NOTIFICATIONS_KEPT, "still at the limit");
    assert_eq!(
        counts.unread, MAX_NOTIFICATIONS_KEPT,
        "one unread in, one out"
    );
    let oldest = oldest.unwrap();
    assert!(notifications
        .get(&user.id, &oldest)
        .await
        .unwrap()
        .is_none());
    assert_eq!(reminder_notices(&app, &user).await.0, 1);
}
