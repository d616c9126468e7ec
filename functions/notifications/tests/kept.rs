//! How many notifications are kept, and lists that page inside DynamoDB,
//! through the router and the real SDK against the emulator.

use serde_json::json;
use shared::domain::limits::MAX_NOTIFICATIONS_KEPT;
use shared::domain::notifications::{Notification, INFO};
use shared::store::keys;

type TestApp = testkit::TestApp<notifications::NotificationsState>;

async fn app() -> TestApp {
    TestApp::spawn(notifications::router).await
}

/// `count` notifications stored in bulk, oldest first, every third read and
/// every fifth a warning; the counter set to match. Returns their ids.
async fn store_inbox(app: &TestApp, user_id: &str, count: usize) -> Vec<String> {
    let mut items = Vec::new();
    let mut ids = Vec::new();
    let mut unread = 0;
    for i in 0..count {
        let kind = if i % 5 == 0 { "warning" } else { INFO };
        let mut n = Notification::new(
            user_id,
            kind,
            format!("N{i}"),
            "x".repeat(2_000),
            None,
            json!({}),
        );
        if i % 3 == 0 {
            n = n.marked(true, shared::time::now());
        } else {
            unread += 1;
        }
        ids.push(n.id.clone());
        items.push(shared::store::notifications::notification_item(&n).unwrap());
    }
    app.state.store.put_many(items).await.unwrap();
    let pk = keys::notifications_pk(user_id);
    app.set_number(&pk, keys::NOTIFICATION_COUNTER_SK, "unread", unread)
        .await;
    app.set_number(&pk, keys::NOTIFICATION_COUNTER_SK, "total", count as i64)
        .await;
    ids
}

#[tokio::test]
async fn past_the_limit_the_oldest_are_dropped_and_counters_stay_right() {
    let app = app().await;
    let (user, token) = app.signed_in_user("inbox").await;
    let ids = store_inbox(&app, &user.id, MAX_NOTIFICATIONS_KEPT as usize).await;
    let unread_before = app
        .get("/api/notifications/unread_count/")
        .bearer(&token)
        .send()
        .await
        .body["unread_count"]
        .as_i64()
        .unwrap();

    let res = app
        .post("/api/notifications/")
        .bearer(&token)
        .json(json!({"title": "Newest", "message": "m"}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);

    let res = app.get("/api/notifications/").bearer(&token).send().await;
    assert_eq!(res.body["count"], MAX_NOTIFICATIONS_KEPT);
    assert_eq!(res.body["results"][0]["title"], "Newest");
    // The oldest (N0, read) went; the second oldest is still there.
    let gone = app
        .get(&format!("/api/notifications/{}/", ids[0]))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(gone.status, 404);
    let kept = app
        .get(&format!("/api/notifications/{}/", ids[1]))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(kept.status, 200);
    let unread_after = app
        .get("/api/notifications/unread_count/")
        .bearer(&token)
        .send()
        .await
        .body["unread_count"]
        .as_i64()
        .unwrap();
    assert_eq!(unread_after, unread_before + 1, "N0 was read: unread +1");
    let stats = app
        .get("/api/notifications/stats/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(stats.body["total_notifications"], MAX_NOTIFICATIONS_KEPT);
    assert_eq!(stats.body["unread"], unread_after);
}

#[tokio::test]
async fn list_pages_are_read_page_by_page_not_the_whole_inbox() {
    let app = app().await;
    let (user, token) = app.signed_in_user("pages").await;
    let ids = store_inbox(&app, &user.id, 300).await;

    let before = app.items_read();
    let res = app.get("/api/notifications/").bearer(&token).send().await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["count"], 300);
    assert_eq!(res.body["results"].as_array().unwrap().len(), 20);
    assert_eq!(res.body["results"][0]["id"], ids[299], "newest first");
    let read = app.items_read() - before;
    assert!(
        read <= 30,
        "one page, the counter and the user, not 300: {read}"
    );

    // Page 3, oldest first: items 40..60.
    let res = app
        .get("/api/notifications/?ordering=created_at&page=3")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let got: Vec<&str> = res.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    let want: Vec<&str> = ids[40..60].iter().map(String::as_str).collect();
    assert_eq!(got, want);
    assert!(res.body["next"]
        .as_str()
        .unwrap()
        .ends_with("?ordering=created_at&page=4"));

    // Filters are applied by DynamoDB, counts stay exact.
    let res = app
        .get("/api/notifications/?is_read=true&page=5")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.body["count"], 100, "every third of 300 is read");
    let got: Vec<&str> = res.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert_eq!(got.len(), 20);
    assert_eq!(got[0], ids[297 - 3 * 80], "81st read one, newest first");
    let res = app
        .get("/api/notifications/?notification_type=warning&is_read=false")
        .bearer(&token)
        .send()
        .await;
    // i % 5 == 0 and i % 3 != 0 among 0..300: 60 warnings, 20 of them read.
    assert_eq!(res.body["count"], 40);
    assert!(res.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|n| n["notification_type"] == "warning" && n["is_read"] == false));
    let res = app
        .get("/api/notifications/?is_read=true&page=6")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 404, "past the last page");

    // Bare arrays show the newest few only.
    let res = app
        .get("/api/notifications/unread/")
        .bearer(&token)
        .send()
        .await;
    let unread = res.body.as_array().unwrap();
    assert_eq!(unread.len(), notifications::handlers::BARE_LIST_MAX);
    assert_eq!(unread[0]["id"], ids[299]);
}
