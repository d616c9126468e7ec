//! The run drains the purge outbox: objects of documents deleted with
//! their vehicle or account, left by functions without an S3 client.

use shared::store::keys;
use shared::store::purges::ObjectsPurge;
use testkit::documents::{new_bucket, object_keys, put_object};

type TestApp = testkit::TestApp<reminders::RemindersState>;

#[tokio::test]
async fn the_run_deletes_the_objects_of_old_markers_and_leaves_young_ones() {
    let bucket = new_bucket().await;
    let app = TestApp::spawn_with(
        |_| axum::Router::new(),
        |c| c.bucket_name = Some(bucket.clone()),
    )
    .await;
    let store = &app.state.store;
    let doomed = keys::document_object("u1", "d1", "f1", "pdf");
    let young = keys::document_object("u1", "d2", "f2", "pdf");
    let kept = keys::document_object("u2", "d3", "f3", "pdf");
    for key in [&doomed, &young, &kept] {
        put_object(&bucket, key, b"%PDF-1.4".to_vec()).await;
    }
    put_object(
        &bucket,
        &keys::pending_object("u1", "upload"),
        b"x".to_vec(),
    )
    .await;
    // An account's prefixes, an hour ago; a document's key, just now.
    let mut account = ObjectsPurge::prefixes(vec![
        keys::user_objects_prefix("u1"),
        keys::pending_objects_prefix("u1"),
    ]);
    account.keys = vec![doomed.clone()];
    account.created_at = shared::time::now() - chrono::Duration::hours(1);
    let fresh = ObjectsPurge::keys(vec![young.clone()]);
    let purges = store.purges();
    store
        .transact(vec![
            purges.tx_mark(&account).unwrap(),
            purges.tx_mark(&fresh).unwrap(),
        ])
        .await
        .unwrap();
    // The young marker is its writer's to purge: the run leaves it.
    put_object(&bucket, &young, b"%PDF-1.4".to_vec()).await;
    let (purged, failed) = reminders::purge_objects(&app.state).await;
    assert_eq!((purged, failed), (1, 0));
    assert!(object_keys(&bucket, &keys::user_objects_prefix("u1"))
        .await
        .is_empty());
    assert!(object_keys(&bucket, &keys::pending_objects_prefix("u1"))
        .await
        .is_empty());
    assert_eq!(
        object_keys(&bucket, &keys::user_objects_prefix("u2")).await,
        vec![kept]
    );
    let waiting = purges.waiting(&shared::time::now(), 10).await.unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].keys, vec![young]);
    // Without a bucket (a stack without documents) the run skips it.
    let bare = TestApp::spawn(|_| axum::Router::new()).await;
    assert_eq!(reminders::purge_objects(&bare.state).await, (0, 0));
}

#[tokio::test]
async fn a_marker_whose_objects_cannot_go_stays_for_the_next_run() {
    let app = TestApp::spawn_with(
        |_| axum::Router::new(),
        |c| c.bucket_name = Some("no-such-bucket-for-purges".into()),
    )
    .await;
    let store = &app.state.store;
    let mut marker = ObjectsPurge::keys(vec!["users/u9/documents/d/f.pdf".into()]);
    marker.created_at = shared::time::now() - chrono::Duration::hours(1);
    store
        .transact(vec![store.purges().tx_mark(&marker).unwrap()])
        .await
        .unwrap();
    let (purged, failed) = reminders::purge_objects(&app.state).await;
    assert_eq!((purged, failed), (0, 1));
    let waiting = store
        .purges()
        .waiting(&shared::time::now(), 10)
        .await
        .unwrap();
    assert_eq!(waiting.len(), 1);
}
