//! The thread: replies on the diagnostic's `reply/` (and `add_reply/`)
//! and through `/api/replies/`, scoped to the caller's diagnostics; the
//! cascades of a vehicle and of an account.

mod common;

use common::spawn;
use serde_json::{json, Value};
use shared::domain::diagnostics::MAX_REPLIES_PER_DIAGNOSTIC;
use shared::store::keys;

#[tokio::test]
async fn a_reply_joins_the_thread_and_queues_a_new_analysis() {
    let t = spawn().await;
    let (user_id, token, vehicle) = t.owner("reply").await;
    let id = t.diagnostic(&token, &vehicle, "Bruit").await;
    let created = t.jobs().await;
    for (path, message) in [
        (format!("/api/diagnostics/{id}/reply/"), "Le bruit empire"),
        (
            format!("/api/diagnostics/{id}/add_reply/"),
            "Surtout à froid",
        ),
    ] {
        let res = t
            .app
            .post(&path)
            .bearer(&token)
            .json(json!({"message": message, "metadata": {"k": 1}, "diagnostic": "ignored"}))
            .send()
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
        assert_eq!(res.body["diagnostic"], id.as_str());
        assert_eq!(res.body["message"], message);
        assert_eq!(res.body["metadata"], json!({"k": 1}));
        assert_eq!(res.body["sender"], user_id.as_str());
        assert_eq!(res.body["sender_type"], "user");
        assert!(res.body["id"].as_str().is_some());
    }
    let detail = t
        .app
        .get(&format!("/api/diagnostics/{id}/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(detail.body["replies_count"], 2);
    assert_eq!(detail.body["latest_reply"]["message"], "Surtout à froid");
    let thread: Vec<&str> = detail.body["all_replies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["message"].as_str().unwrap())
        .collect();
    assert_eq!(thread, vec!["Le bruit empire", "Surtout à froid"]);
    assert_eq!(detail.body["analysis_status"], "queued");
    let jobs = t.jobs().await;
    assert_eq!(jobs.len(), 2);
    assert_ne!(jobs[1].analysis_id, created[0].analysis_id);
    // The newest request is the current one: older jobs are stale.
    let stored = t
        .app
        .state
        .store
        .diagnostics()
        .get(&user_id, &id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.analysis_id.as_deref(),
        Some(jobs[1].analysis_id.as_str())
    );
}

#[tokio::test]
async fn a_reply_needs_a_message_and_an_owned_diagnostic() {
    let t = spawn().await;
    let (_, token, vehicle) = t.owner("reply-bad").await;
    let (_, intruder, _) = t.owner("reply-intruder").await;
    let id = t.diagnostic(&token, &vehicle, "Bruit").await;
    let path = format!("/api/diagnostics/{id}/reply/");
    let res = t
        .app
        .post(&path)
        .bearer(&token)
        .json(json!({}))
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(res.body, json!({"message": ["This field is required."]}));
    let res = t
        .app
        .post(&path)
        .bearer(&token)
        .json(json!({"message": "   "}))
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body,
        json!({"message": ["This field may not be blank."]})
    );
    let res = t
        .app
        .post(&path)
        .bearer(&token)
        .json(json!({"message": "x", "metadata": {"big": "y".repeat(20_000)}}))
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert!(res.body.get("metadata").is_some());
    let res = t
        .app
        .post("/api/replies/")
        .bearer(&intruder)
        .json(json!({"diagnostic": id, "message": "hello"}))
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body,
        json!({"diagnostic": ["You can only reply to your own diagnostics."]})
    );
    let res = t
        .app
        .post("/api/replies/")
        .bearer(&token)
        .json(json!({"message": "hello"}))
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert!(res.body.get("diagnostic").is_some());
    let res = t
        .app
        .post("/api/replies/")
        .bearer(&token)
        .json(json!({"diagnostic": id, "message": "hello"}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["metadata"], json!({}));
    let res = t
        .app
        .post(&path)
        .json(json!({"message": "no token"}))
        .send()
        .await;
    assert_eq!(res.status, 401);
}

#[tokio::test]
async fn the_replies_collection_is_the_callers_own() {
    let t = spawn().await;
    let (user_id, token, vehicle) = t.owner("replies").await;
    let (_, intruder, intruder_vehicle) = t.owner("replies-intruder").await;
    let first = t.diagnostic(&token, &vehicle, "Un").await;
    let second = t.diagnostic(&token, &vehicle, "Deux").await;
    let theirs = t.diagnostic(&intruder, &intruder_vehicle, "Autre").await;
    let post = |id: String, token: String, message: &'static str| {
        let app = &t.app;
        async move {
            let res = app
                .post(&format!("/api/diagnostics/{id}/reply/"))
                .bearer(&token)
                .json(json!({"message": message}))
                .send()
                .await;
            assert_eq!(res.status, 201, "{}", res.text);
            res.body["id"].as_str().unwrap().to_string()
        }
    };
    let a = post(first.clone(), token.clone(), "a").await;
    let b = post(second.clone(), token.clone(), "b").await;
    let c = post(first.clone(), token.clone(), "c").await;
    let foreign = post(theirs.clone(), intruder.clone(), "z").await;
    // An AI answer in the first thread, as the worker writes it.
    let store = t.app.state.store.diagnostics();
    let before = store.get(&user_id, &first).await.unwrap().unwrap();
    let ai =
        shared::domain::diagnostics::Reply::new(&before, None, "ai", "Bougie".into(), json!({}));
    let mut after = before.clone();
    after.replies_count += 1;
    after.latest_reply = Some(ai.clone());
    store
        .save(&before, &mut after, store.tx_put_reply(&ai).unwrap())
        .await
        .unwrap();

    let messages = |res: &testkit::TestResponse| -> Vec<String> {
        res.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["message"].as_str().unwrap().to_string())
            .collect()
    };
    let all = t.app.get("/api/replies/").bearer(&token).send().await;
    assert_eq!(all.status, 200, "{}", all.text);
    assert_eq!(all.body["count"], 4);
    assert_eq!(messages(&all), vec!["Bougie", "c", "b", "a"]);
    let oldest = t
        .app
        .get("/api/replies/?ordering=created_at")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(messages(&oldest), vec!["a", "b", "c", "Bougie"]);
    let thread = t
        .app
        .get(&format!("/api/replies/?diagnostic={first}"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(thread.body["count"], 3);
    assert_eq!(messages(&thread), vec!["Bougie", "c", "a"]);
    let ai_only = t
        .app
        .get("/api/replies/?is_ai_response=true")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(messages(&ai_only), vec!["Bougie"]);
    let users = t
        .app
        .get(&format!(
            "/api/replies/?sender_type=user&diagnostic={first}"
        ))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(messages(&users), vec!["c", "a"]);
    let none = t
        .app
        .get("/api/replies/?sender_type=user&is_ai_response=true")
        .bearer(&token)
        .send()
        .await;
    assert_eq!((none.status, none.body["count"].clone()), (200, json!(0)));
    let past = t
        .app
        .get("/api/replies/?sender_type=user&is_ai_response=true&page=2")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(past.status, 404);
    let bad = t
        .app
        .get("/api/replies/?sender_type=robot")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(bad.status, 400);
    // Someone else's thread and reply do not exist for the caller.
    let peek = t
        .app
        .get(&format!("/api/replies/?diagnostic={theirs}"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(peek.body["count"], 0);
    let path = format!("/api/replies/{foreign}/");
    for res in [
        t.app.get(&path).bearer(&token).send().await,
        t.app
            .patch(&path)
            .bearer(&token)
            .json(json!({"message": "x"}))
            .send()
            .await,
        t.app
            .put(&path)
            .bearer(&token)
            .json(json!({"message": "x"}))
            .send()
            .await,
        t.app.delete(&path).bearer(&token).send().await,
    ] {
        assert_eq!(res.status, 404, "{}", res.text);
    }
    let one = t
        .app
        .get(&format!("/api/replies/{b}/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(one.body["message"], "b");
    assert_eq!(one.body["diagnostic"], second.as_str());

    // Edits: the owner's own message; the AI's answers are read-only.
    let res = t
        .app
        .patch(&format!("/api/replies/{c}/"))
        .bearer(&token)
        .json(json!({"message": "c corrigé", "diagnostic": second, "sender_type": "ai"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["message"], "c corrigé");
    assert_eq!(res.body["diagnostic"], first.as_str());
    assert_eq!(res.body["sender_type"], "user");
    let res = t
        .app
        .put(&format!("/api/replies/{c}/"))
        .bearer(&token)
        .json(json!({"metadata": {}}))
        .send()
        .await;
    assert_eq!(res.status, 400);
    let res = t
        .app
        .patch(&format!("/api/replies/{}/", ai.id))
        .bearer(&token)
        .json(json!({"message": "forged"}))
        .send()
        .await;
    assert_eq!(res.status, 403);
    // Deleting the latest reply moves the diagnostic's copy back.
    let res = t
        .app
        .delete(&format!("/api/replies/{}/", ai.id))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 204);
    let detail = t
        .app
        .get(&format!("/api/diagnostics/{first}/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(detail.body["replies_count"], 2);
    assert_eq!(detail.body["latest_reply"]["message"], "c corrigé");
    let _ = a;
}

#[tokio::test]
async fn identical_replies_at_the_same_instant_are_both_kept() {
    let t = spawn().await;
    let (_, token, vehicle) = t.owner("reply-race").await;
    let id = t.diagnostic(&token, &vehicle, "Course").await;
    let path = format!("/api/diagnostics/{id}/reply/");
    let send = || {
        t.app
            .post(&path)
            .bearer(&token)
            .json(json!({"message": "Même message"}))
            .send()
    };
    let responses = testkit::join_all(vec![send(), send(), send()]).await;
    for res in &responses {
        assert_eq!(res.status, 201, "{}", res.text);
    }
    let detail = t
        .app
        .get(&format!("/api/diagnostics/{id}/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(detail.body["replies_count"], 3);
    assert_eq!(detail.body["all_replies"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn a_full_thread_refuses_the_owners_next_reply() {
    let t = spawn().await;
    let (user_id, token, vehicle) = t.owner("full").await;
    let id = t.diagnostic(&token, &vehicle, "Plein").await;
    t.app
        .set_number(
            &keys::diagnostics_pk(&user_id),
            &keys::diagnostic_sk(&id),
            "replies_count",
            MAX_REPLIES_PER_DIAGNOSTIC - 1,
        )
        .await;
    let path = format!("/api/diagnostics/{id}/reply/");
    let last = t
        .app
        .post(&path)
        .bearer(&token)
        .json(json!({"message": "dernier"}))
        .send()
        .await;
    assert_eq!(last.status, 201, "{}", last.text);
    let over = t
        .app
        .post(&path)
        .bearer(&token)
        .json(json!({"message": "de trop"}))
        .send()
        .await;
    assert_eq!(over.status, 400);
    assert!(over.text.contains("thread is full"), "{}", over.text);
    // With the last analysis over, a new one is refused too: its answer
    // could not join the thread.
    let repo = t.app.state.store.diagnostics();
    let before = repo.get(&user_id, &id).await.unwrap().unwrap();
    let mut after = before.clone();
    after.analysis_status = "done".into();
    repo.save(&before, &mut after, Vec::new()).await.unwrap();
    let again = t
        .app
        .post(&format!("/api/diagnostics/{id}/request_ai_analysis/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(again.status, 400, "{}", again.text);
    assert!(again.text.contains("thread is full"), "{}", again.text);
}

#[tokio::test]
async fn a_vehicles_deletion_and_an_accounts_take_their_diagnostics() {
    let t = spawn().await;
    let (user_id, token, vehicle) = t.owner("cascade").await;
    let kept = t.app.store_vehicle(&user_id, "Renault", 10).await;
    let gone = t.diagnostic(&token, &vehicle, "Parti").await;
    let stays = t.diagnostic(&token, &kept, "Reste").await;
    for id in [&gone, &stays] {
        let res = t
            .app
            .post(&format!("/api/diagnostics/{id}/reply/"))
            .bearer(&token)
            .json(json!({"message": "suite"}))
            .send()
            .await;
        assert_eq!(res.status, 201);
    }
    let store = &t.app.state.store;
    let fleet = store
        .fleet(&user_id, shared::store::fleet::FleetParts::ALL)
        .await
        .unwrap();
    let vehicle_now = fleet.vehicle(&vehicle.id).unwrap().clone();
    shared::usecases::vehicle_deletion::delete_vehicle(store, &fleet, &vehicle_now)
        .await
        .unwrap();
    let left: Vec<Value> = t
        .app
        .get("/api/diagnostics/")
        .bearer(&token)
        .send()
        .await
        .body["results"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["id"], stays.as_str());
    let replies = t.app.get("/api/replies/").bearer(&token).send().await;
    assert_eq!(replies.body["count"], 1);
    assert_eq!(
        store.diagnostics().counter(&user_id).await.unwrap().count,
        1
    );

    let user = store.users().get(&user_id).await.unwrap().unwrap();
    shared::usecases::account_deletion::delete_account(store, &user, Vec::new())
        .await
        .unwrap();
    let items = store
        .query_prefix(&keys::diagnostics_pk(&user_id), "")
        .await
        .unwrap();
    assert!(items.is_empty(), "{items:?}");
}

#[tokio::test]
async fn replies_left_by_a_failed_delete_can_be_deleted_and_long_ids_are_none() {
    let t = spawn().await;
    let (user_id, token, vehicle) = t.owner("orphans").await;
    let id = t.diagnostic(&token, &vehicle, "Parti à moitié").await;
    let reply = t
        .app
        .post(&format!("/api/diagnostics/{id}/reply/"))
        .bearer(&token)
        .json(json!({"message": "reste"}))
        .send()
        .await;
    let reply_id = reply.body["id"].as_str().unwrap().to_string();
    // The diagnostic went, its thread did not (a delete cut part way).
    t.app
        .state
        .store
        .delete(
            &keys::diagnostics_pk(&user_id),
            &keys::diagnostic_sk(&id),
            shared::store::Expr::new(),
        )
        .await
        .unwrap();
    let listed = t.app.get("/api/replies/").bearer(&token).send().await;
    assert_eq!(listed.body["count"], 1);
    let res = t
        .app
        .delete(&format!("/api/replies/{reply_id}/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 204, "{}", res.text);
    let listed = t.app.get("/api/replies/").bearer(&token).send().await;
    assert_eq!(listed.body["count"], 0);
    let left = t
        .app
        .state
        .store
        .query_prefix(&keys::diagnostics_pk(&user_id), keys::THREAD_PREFIX)
        .await
        .unwrap();
    assert!(left.is_empty());
    // Ids no path could hold: the spec's answers, never a 500.
    let long = "x".repeat(2_000);
    let res = t
        .app
        .post("/api/replies/")
        .bearer(&token)
        .json(json!({"diagnostic": long, "message": "hi"}))
        .send()
        .await;
    assert_eq!(res.status, 400, "{}", res.text);
    let res = t
        .app
        .get(&format!("/api/replies/?diagnostic={long}"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!((res.status, res.body["count"].clone()), (200, json!(0)));
}
