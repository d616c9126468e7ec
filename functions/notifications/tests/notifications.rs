//! Notifications through the router and the real SDK against the emulator.

use serde_json::json;
use testkit::TestResponse;

type TestApp = testkit::TestApp<notifications::NotificationsState>;

async fn app() -> TestApp {
    TestApp::spawn(notifications::router).await
}

async fn create(app: &TestApp, token: &str, title: &str, kind: &str) -> String {
    let res = app
        .post("/api/notifications/")
        .bearer(token)
        .json(
            json!({"title": title, "message": format!("{title} body"), "notification_type": kind}),
        )
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    res.body["id"].as_str().unwrap().to_string()
}

/// `POST /api/notifications/{id}/<name>/` (mark_as_read, mark_as_unread).
async fn action(app: &TestApp, token: &str, id: &str, name: &str) -> TestResponse {
    app.post(&format!("/api/notifications/{id}/{name}/"))
        .bearer(token)
        .send()
        .await
}

async fn unread_count(app: &TestApp, token: &str) -> i64 {
    let res = app
        .get("/api/notifications/unread_count/")
        .bearer(token)
        .send()
        .await;
    assert_eq!(res.status, 200);
    res.body["unread_count"].as_i64().unwrap()
}

#[tokio::test]
async fn create_validates_and_answers_the_full_notification() {
    let app = app().await;
    let (user, token) = app.signed_in_user("notif").await;
    let res = app
        .post("/api/notifications/")
        .bearer(&token)
        .json(
            json!({"notification_type": "warning", "title": " Hi ", "message": "m",
                     "link": "/x", "metadata": {"a": 1, "list": [1, null, "x"]}}),
        )
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let n = &res.body;
    assert!(n["id"].is_string(), "the id the reference forgot");
    assert_eq!(n["user"], user.id);
    assert_eq!(n["title"], "Hi");
    assert_eq!(n["metadata"], json!({"a": 1, "list": [1, null, "x"]}));
    assert_eq!(n["is_read"], false);
    assert_eq!(n["read_at"], serde_json::Value::Null);

    let res = app
        .post("/api/notifications/")
        .bearer(&token)
        .json(json!({"notification_type": "spam", "title": "Hi"}))
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body,
        json!({"notification_type": ["\"spam\" is not a valid choice."],
               "message": ["This field is required."]})
    );
    let res = app
        .post("/api/notifications/")
        .bearer(&token)
        .json(
            json!({"title": "x".repeat(256), "message": "m".repeat(10_001), "link": "/".repeat(501),
                     "metadata": {"blob": "x".repeat(20_000)}}),
        )
        .send()
        .await;
    assert_eq!(res.status, 400);
    for field in ["title", "message", "link", "metadata"] {
        assert!(res.body[field].is_array(), "{field}: {}", res.text);
    }
    let res = app.get("/api/notifications/").send().await;
    assert_eq!(res.status, 401);
    assert_eq!(
        unread_count(&app, &token).await,
        1,
        "only the valid one counted"
    );
}

#[tokio::test]
async fn list_filters_searches_orders_and_pages() {
    let app = app().await;
    let (_, token) = app.signed_in_user("lister").await;
    for i in 0..22 {
        create(&app, &token, &format!("Info {i}"), "info").await;
    }
    let w = create(&app, &token, "Brake pads", "warning").await;
    let res = app.get("/api/notifications/").bearer(&token).send().await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["count"], 23);
    assert_eq!(res.body["results"].as_array().unwrap().len(), 20);
    assert_eq!(res.body["results"][0]["id"], w, "newest first");
    assert!(res.body["next"].as_str().unwrap().ends_with("page=2"));

    let res = app
        .get("/api/notifications/?notification_type=warning")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.body["count"], 1);
    let res = app
        .get("/api/notifications/?search=brake")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.body["count"], 1);
    let res = app
        .get("/api/notifications/?ordering=created_at")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.body["results"][0]["title"], "Info 0");
    let res = app
        .get("/api/notifications/?notification_type=spam")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 400);

    action(&app, &token, &w, "mark_as_read").await;
    let res = app
        .get("/api/notifications/?is_read=true")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.body["count"], 1);
    assert_eq!(res.body["results"][0]["id"], w);
    let res = app
        .get("/api/notifications/?is_read=false")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.body["count"], 22);
}

#[tokio::test]
async fn the_unread_counter_follows_every_change_and_read_at_is_kept_right() {
    let app = app().await;
    let (_, token) = app.signed_in_user("counter").await;
    let a = create(&app, &token, "A", "info").await;
    let b = create(&app, &token, "B", "warning").await;
    let c = create(&app, &token, "C", "info").await;
    let before = app.calls();
    assert_eq!(unread_count(&app, &token).await, 3);
    assert_eq!(
        app.calls() - before,
        2,
        "user + counter, never a count of all"
    );

    let res = action(&app, &token, &a, "mark_as_read").await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["is_read"], true);
    let read_at = res.body["read_at"].clone();
    assert!(read_at.is_string());
    assert_eq!(unread_count(&app, &token).await, 2);
    // Marking again changes nothing, the first read_at stays.
    let res = action(&app, &token, &a, "mark_as_read").await;
    assert_eq!(res.body["read_at"], read_at);
    assert_eq!(unread_count(&app, &token).await, 2);

    let res = action(&app, &token, &a, "mark_as_unread").await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["is_read"], false);
    assert_eq!(res.body["read_at"], serde_json::Value::Null);
    assert_eq!(unread_count(&app, &token).await, 3);

    // PUT/PATCH write is_read only, and read_at follows.
    let res = app
        .patch(&format!("/api/notifications/{b}/"))
        .bearer(&token)
        .json(json!({"is_read": true, "title": "ignored"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body, json!({"is_read": true}));
    let res = app
        .get(&format!("/api/notifications/{b}/"))
        .bearer(&token)
        .send()
        .await;
    assert!(res.body["read_at"].is_string());
    assert_eq!(res.body["title"], "B");
    let res = app
        .put(&format!("/api/notifications/{b}/"))
        .bearer(&token)
        .json(json!({}))
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(res.body, json!({"is_read": ["This field is required."]}));
    let res = app
        .put(&format!("/api/notifications/{b}/"))
        .bearer(&token)
        .json(json!({"is_read": "maybe"}))
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(unread_count(&app, &token).await, 2);

    // Deleting an unread one uncounts it.
    let res = app
        .delete(&format!("/api/notifications/{c}/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 204);
    assert_eq!(unread_count(&app, &token).await, 1);
    let res = app
        .get(&format!("/api/notifications/{c}/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 404);
    assert_eq!(
        res.body["detail"],
        "No Notification matches the given query."
    );

    // Unread list, then everything read at once (seed path and reference alias).
    let res = app
        .get("/api/notifications/unread/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.body.as_array().unwrap().len(), 1);
    assert_eq!(res.body[0]["id"], a);
    let res = app
        .post("/api/notifications/mark-all-read/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["message"], "1 notifications marked as read.");
    let res = app
        .post("/api/notifications/mark_all_as_read/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.body["message"], "0 notifications marked as read.");
    assert_eq!(unread_count(&app, &token).await, 0);
    let res = app
        .get(&format!("/api/notifications/{b}/"))
        .bearer(&token)
        .send()
        .await;
    assert!(res.body["read_at"].is_string());

    let res = app
        .delete("/api/notifications/delete_all_read/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["message"], "2 notifications deleted.");
    let res = app.get("/api/notifications/").bearer(&token).send().await;
    assert_eq!(res.body["count"], 0);
    assert_eq!(unread_count(&app, &token).await, 0);
}

#[tokio::test]
async fn stats_and_by_type_group_on_notification_type() {
    let app = app().await;
    let (_, token) = app.signed_in_user("stats").await;
    let a = create(&app, &token, "A", "info").await;
    create(&app, &token, "B", "warning").await;
    create(&app, &token, "C", "info").await;
    action(&app, &token, &a, "mark_as_read").await;
    let res = app
        .get("/api/notifications/stats/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        res.body,
        json!({"total_notifications": 3, "unread": 2, "read": 1,
               "by_type": [{"notification_type": "info", "count": 2},
                           {"notification_type": "warning", "count": 1}]})
    );
    let res = app
        .get("/api/notifications/by_type/?type=info")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body.as_array().unwrap().len(), 2);
    let res = app
        .get("/api/notifications/by_type/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.body.as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn another_users_notifications_are_not_found() {
    let app = app().await;
    let (_, owner) = app.signed_in_user("mine").await;
    let (_, other) = app.signed_in_user("theirs").await;
    let id = create(&app, &owner, "Private", "info").await;
    for res in [
        app.get(&format!("/api/notifications/{id}/"))
            .bearer(&other)
            .send()
            .await,
        app.patch(&format!("/api/notifications/{id}/"))
            .bearer(&other)
            .json(json!({"is_read": true}))
            .send()
            .await,
        action(&app, &other, &id, "mark_as_read").await,
        app.delete(&format!("/api/notifications/{id}/"))
            .bearer(&other)
            .send()
            .await,
    ] {
        assert_eq!(res.status, 404, "{}", res.text);
    }
    let res = app.get("/api/notifications/").bearer(&other).send().await;
    assert_eq!(res.body["count"], 0);
    let res = app
        .post("/api/notifications/mark_all_as_read/")
        .bearer(&other)
        .send()
        .await;
    assert_eq!(res.body["message"], "0 notifications marked as read.");
    assert_eq!(unread_count(&app, &owner).await, 1);
    assert_eq!(unread_count(&app, &other).await, 0);
}

#[tokio::test]
async fn impossible_path_ids_are_a_json_404_without_a_dynamodb_call() {
    let app = app().await;
    let (_, token) = app.signed_in_user("paths").await;
    let long = "a".repeat(2048);
    for id in [long.as_str(), "a.b", "%2E%2E", "x%00y", "a~b"] {
        for path in [
            format!("/api/notifications/{id}/"),
            format!("/api/notifications/{id}/mark_as_read/"),
            format!("/api/notifications/{id}/mark_as_unread/"),
        ] {
            let before = app.calls();
            for method in ["GET", "PATCH", "DELETE", "POST"] {
                let res = app
                    .request(method.parse().unwrap(), &path)
                    .bearer(&token)
                    .json(json!({}))
                    .send()
                    .await;
                assert_eq!(res.status, 404, "{method} {path}: {}", res.text);
                assert_eq!(res.body, json!({"detail": "Not found."}));
            }
            assert_eq!(app.calls(), before, "{path}: no DynamoDB call");
        }
    }
}
