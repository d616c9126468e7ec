//! Conversations and `/api/messages/` through the router against the
//! emulator: the caller's own only, bounds, lists, stats, deletion.

use serde_json::{json, Value};
use shared::domain::assistant::{MAX_CONVERSATIONS_PER_USER, TITLE_MAX};
use shared::store::keys;

type TestApp = testkit::TestApp<ai_assistant::AssistantState>;

async fn app() -> TestApp {
    TestApp::spawn(ai_assistant::router).await
}

async fn conversation(app: &TestApp, token: &str, title: Value) -> Value {
    let res = app
        .post("/api/ai/conversations/")
        .bearer(token)
        .json(json!({"title": title}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    res.body
}

async fn note(app: &TestApp, token: &str, conversation: &str, content: &str) -> Value {
    let res = app
        .post("/api/messages/")
        .bearer(token)
        .json(json!({"conversation": conversation, "content": content}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    res.body
}

#[tokio::test]
async fn conversations_are_created_read_renamed_and_deleted() {
    let app = app().await;
    let (user, token) = app.signed_in_user("talker").await;
    let created = conversation(&app, &token, json!("  Vidange de la 208  ")).await;
    assert_eq!(created["title"], "Vidange de la 208");
    assert_eq!(created["user"], user.id.as_str());
    assert_eq!(created["messages"], json!([]));
    assert_eq!(created["messages_count"], 0);
    let id = created["id"].as_str().unwrap();
    let untitled = conversation(&app, &token, Value::Null).await;
    assert_eq!(untitled["title"], Value::Null);

    let first = note(&app, &token, id, "Bonjour").await;
    assert_eq!(first["role"], "user");
    assert_eq!(first["conversation"], id);
    note(&app, &token, id, "Encore moi").await;

    let detail = app
        .get(&format!("/api/conversations/{id}/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(detail.status, 200);
    assert_eq!(detail.body["messages_count"], 2);
    let contents: Vec<&str> = detail.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(contents, ["Bonjour", "Encore moi"]);
    let thread = app
        .get(&format!("/api/ai/conversations/{id}/messages/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(thread.body.as_array().unwrap().len(), 2);

    let renamed = app
        .patch(&format!("/api/ai/conversations/{id}/"))
        .bearer(&token)
        .json(json!({"title": "Révision"}))
        .send()
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert_eq!(renamed.body["title"], "Révision");
    assert_eq!(renamed.body["messages_count"], 2);
    assert_eq!(renamed.body["messages"].as_array().unwrap().len(), 2);
    let cleared = app
        .put(&format!("/api/conversations/{id}/"))
        .bearer(&token)
        .json(json!({"title": ""}))
        .send()
        .await;
    assert_eq!(cleared.body["title"], Value::Null);

    // Lists: the most recently active first (a note does not move it).
    let list = app
        .get("/api/ai/conversations/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(list.body["count"], 2);
    let stats = app
        .get("/api/conversations/stats/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(
        stats.body,
        json!({"total_conversations": 2, "total_messages": 2, "average_messages_per_conversation": 1.0})
    );
    let recent = app
        .get("/api/conversations/recent/?limit=1")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(recent.body.as_array().unwrap().len(), 1);
    for bad in ["abc", "0", "51", "-1"] {
        let res = app
            .get(&format!("/api/conversations/recent/?limit={bad}"))
            .bearer(&token)
            .send()
            .await;
        assert_eq!(res.status, 400, "{bad}");
        assert!(res.body["limit"].is_array());
    }

    let gone = app
        .delete(&format!("/api/ai/conversations/{id}/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(gone.status, 204);
    assert_eq!(
        app.get(&format!("/api/ai/conversations/{id}/"))
            .bearer(&token)
            .send()
            .await
            .status,
        404
    );
    let first_id = first["id"].as_str().unwrap();
    assert_eq!(
        app.get(&format!("/api/messages/{first_id}/"))
            .bearer(&token)
            .send()
            .await
            .status,
        404
    );
    let keys = app
        .state
        .store
        .assistant()
        .all_keys(&user.id)
        .await
        .unwrap();
    assert!(
        keys.iter()
            .all(|(_, sk)| !sk.starts_with(keys::MESSAGE_PREFIX)),
        "{keys:?}"
    );
    let stats = app
        .get("/api/conversations/stats/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(stats.body["total_conversations"], 1);
}

#[tokio::test]
async fn bad_input_is_a_clear_400() {
    let app = app().await;
    let (_, token) = app.signed_in_user("sloppy").await;
    let long = "t".repeat(TITLE_MAX + 1);
    for body in [
        json!({"title": long}),
        json!({"title": ["a"]}),
        json!({"title": {"x": 1}}),
    ] {
        let res = app
            .post("/api/ai/conversations/")
            .bearer(&token)
            .json(body.clone())
            .send()
            .await;
        assert_eq!(res.status, 400, "{body}");
        assert!(res.body["title"].is_array());
    }
    let max = conversation(&app, &token, json!("é".repeat(TITLE_MAX))).await;
    assert_eq!(max["title"].as_str().unwrap().chars().count(), TITLE_MAX);
    let id = max["id"].as_str().unwrap();
    for (body, field) in [
        (json!({"conversation": id}), "content"),
        (json!({"conversation": id, "content": "   "}), "content"),
        (
            json!({"conversation": id, "content": "x".repeat(4_001)}),
            "content",
        ),
        (json!({"content": "hi"}), "conversation"),
    ] {
        let res = app
            .post("/api/messages/")
            .bearer(&token)
            .json(body.clone())
            .send()
            .await;
        assert_eq!(res.status, 400, "{body}");
        assert!(res.body[field].is_array(), "{}", res.body);
    }
    let longest = note(&app, &token, id, &"ü".repeat(4_000)).await;
    assert_eq!(longest["content"].as_str().unwrap().chars().count(), 4_000);
    let res = app
        .post("/api/ai/conversations/")
        .bearer(&token)
        .raw("application/json", b"{")
        .send()
        .await;
    assert_eq!(res.status, 400);
}

#[tokio::test]
async fn another_users_conversations_and_messages_are_not_found() {
    let app = app().await;
    let (_, mine) = app.signed_in_user("mine").await;
    let (_, theirs) = app.signed_in_user("theirs").await;
    let c = conversation(&app, &mine, json!("Privé")).await;
    let id = c["id"].as_str().unwrap();
    let m = note(&app, &mine, id, "secret").await;
    let mid = m["id"].as_str().unwrap();
    for res in [
        app.get(&format!("/api/ai/conversations/{id}/"))
            .bearer(&theirs)
            .send()
            .await,
        app.patch(&format!("/api/ai/conversations/{id}/"))
            .bearer(&theirs)
            .json(json!({"title": "x"}))
            .send()
            .await,
        app.delete(&format!("/api/conversations/{id}/"))
            .bearer(&theirs)
            .send()
            .await,
        app.get(&format!("/api/conversations/{id}/messages/"))
            .bearer(&theirs)
            .send()
            .await,
        app.get(&format!("/api/messages/{mid}/"))
            .bearer(&theirs)
            .send()
            .await,
    ] {
        assert_eq!(res.status, 404, "{}", res.body);
    }
    let res = app
        .post("/api/messages/")
        .bearer(&theirs)
        .json(json!({"conversation": id, "content": "intrusion"}))
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body["conversation"][0],
        ai_assistant::messages::FOREIGN_CONVERSATION
    );
    assert_eq!(
        app.get("/api/messages/").bearer(&theirs).send().await.body["count"],
        0
    );
    assert_eq!(
        app.get("/api/ai/conversations/")
            .bearer(&theirs)
            .send()
            .await
            .body["count"],
        0
    );
    assert_eq!(app.get("/api/ai/conversations/").send().await.status, 401);
    // Still there for its owner.
    let detail = app
        .get(&format!("/api/ai/conversations/{id}/"))
        .bearer(&mine)
        .send()
        .await;
    assert_eq!(detail.body["messages"][0]["content"], "secret");
}

#[tokio::test]
async fn the_messages_list_pages_filters_and_orders() {
    let app = app().await;
    let (_, token) = app.signed_in_user("pager").await;
    let a = conversation(&app, &token, json!("A")).await;
    let b = conversation(&app, &token, json!("B")).await;
    let (a, b) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap());
    for i in 0..23 {
        note(
            &app,
            &token,
            if i % 2 == 0 { a } else { b },
            &format!("m{i}"),
        )
        .await;
    }
    let page = app.get("/api/messages/").bearer(&token).send().await;
    assert_eq!(page.body["count"], 23);
    assert_eq!(page.body["results"].as_array().unwrap().len(), 20);
    assert_eq!(page.body["results"][0]["content"], "m22");
    let second = app.get("/api/messages/?page=2").bearer(&token).send().await;
    assert_eq!(second.body["results"].as_array().unwrap().len(), 3);
    let oldest = app
        .get("/api/messages/?ordering=created_at")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(oldest.body["results"][0]["content"], "m0");
    let only_b = app
        .get(&format!("/api/messages/?conversation={b}"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(only_b.body["count"], 11);
    let assistant = app
        .get("/api/messages/?role=assistant")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(assistant.body["count"], 0);
    assert_eq!(
        app.get("/api/messages/?role=robot")
            .bearer(&token)
            .send()
            .await
            .status,
        400
    );
    for method in ["PUT", "PATCH", "DELETE"] {
        let mid = page.body["results"][0]["id"].as_str().unwrap();
        let res = app
            .request(method.parse().unwrap(), &format!("/api/messages/{mid}/"))
            .bearer(&token)
            .json(json!({}))
            .send()
            .await;
        assert_eq!(res.status, 405, "{method}");
    }
}

#[tokio::test]
async fn the_account_keeps_a_bounded_number_of_conversations() {
    let app = app().await;
    let (user, token) = app.signed_in_user("hoarder").await;
    app.set_number(
        &keys::assistant_pk(&user.id),
        keys::ASSISTANT_COUNTER_SK,
        "conversations",
        MAX_CONVERSATIONS_PER_USER - 1,
    )
    .await;
    let (a, b) = tokio::join!(
        app.post("/api/ai/conversations/")
            .bearer(&token)
            .json(json!({}))
            .send(),
        app.post("/api/ai/conversations/")
            .bearer(&token)
            .json(json!({}))
            .send()
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert!(
        statuses == [201, 400] || statuses == [201, 409],
        "{statuses:?}"
    );
    let refused = app
        .post("/api/ai/conversations/")
        .bearer(&token)
        .json(json!({}))
        .send()
        .await;
    assert_eq!(refused.status, 400);
    assert!(refused.body["non_field_errors"][0]
        .as_str()
        .unwrap()
        .contains("200"));
}
