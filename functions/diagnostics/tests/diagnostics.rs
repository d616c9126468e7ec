//! The diagnostic collection through the router against the emulator:
//! create with its analysis queued, validation, isolation, lists and
//! views, edits, deletes with their replies, limits and races.

mod common;

use common::spawn;
use serde_json::{json, Value};
use shared::domain::diagnostics::MAX_DIAGNOSTICS_PER_USER;
use shared::store::keys;

#[tokio::test]
async fn a_new_diagnostic_is_stored_whole_and_queued_for_its_analysis() {
    let t = spawn().await;
    let (user_id, token, vehicle) = t.owner("create").await;
    let res = t
        .create(
            &token,
            json!({
                "vehicle": vehicle.id,
                "title": "Ratés au ralenti",
                "description": "Voyant moteur allumé, code P0420 aussi",
                "status": "completed",
                "fault_codes": ["p0301", "P0301"],
                "symptoms": ["ratés", "voyant moteur"],
                "mileage": 123456
            }),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let d = &res.body;
    assert!(d["id"].as_str().is_some_and(|id| !id.is_empty()));
    assert_eq!(d["user"], user_id.as_str());
    assert_eq!(d["vehicle"], vehicle.id.as_str());
    assert_eq!(d["vehicle_info"]["make"], "Peugeot");
    // A status sent with a create is ignored.
    assert_eq!(d["status"], "pending");
    assert_eq!(d["fault_codes"], json!(["P0301", "P0420"]));
    assert_eq!(d["symptoms"], json!(["ratés", "voyant moteur"]));
    assert_eq!(d["mileage"], 123456);
    assert_eq!(d["analysis_status"], "queued");
    assert_eq!(d["ai_analysis"], Value::Null);
    assert_eq!(d["confidence_score"], Value::Null);
    assert_eq!(d["replies_count"], 0);
    assert_eq!(d["latest_reply"], Value::Null);
    let jobs = t.jobs().await;
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].diagnostic_id, d["id"].as_str().unwrap());
    assert_eq!(jobs[0].owner_id, user_id);
    let stored = t
        .app
        .state
        .store
        .diagnostics()
        .get(&user_id, d["id"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.analysis_id.as_deref(),
        Some(jobs[0].analysis_id.as_str())
    );
}

#[tokio::test]
async fn bad_input_is_a_clear_400_and_nothing_is_stored() {
    let t = spawn().await;
    let (user_id, token, vehicle) = t.owner("bad").await;
    let (_, _, foreign) = t.owner("someone-else").await;
    let cases = [
        (json!({}), vec!["vehicle", "title", "description"]),
        (
            json!({"vehicle": vehicle.id, "title": "  ", "description": ""}),
            vec!["title", "description"],
        ),
        (
            json!({"vehicle": vehicle.id, "title": "x".repeat(256), "description": "d"}),
            vec!["title"],
        ),
        (
            json!({"vehicle": vehicle.id, "title": "t", "description": "d", "fault_codes": ["P0301", "X1234", "P03"]}),
            vec!["fault_codes"],
        ),
        (
            json!({"vehicle": vehicle.id, "title": "t", "description": "d", "fault_codes": "P0301"}),
            vec!["fault_codes"],
        ),
        (
            json!({"vehicle": vehicle.id, "title": "t", "description": "d", "mileage": 5_000_001}),
            vec!["mileage"],
        ),
        (
            json!({"vehicle": vehicle.id, "title": "t", "description": "d", "mileage": -1}),
            vec!["mileage"],
        ),
        (
            json!({"vehicle": vehicle.id, "title": "t", "description": "d", "symptoms": (0..21).map(|i| i.to_string()).collect::<Vec<_>>()}),
            vec!["symptoms"],
        ),
        (
            json!({"vehicle": [1], "title": "t", "description": "d"}),
            vec!["vehicle"],
        ),
    ];
    for (body, fields) in cases {
        let res = t.create(&token, body.clone()).await;
        assert_eq!(res.status, 400, "{body}: {}", res.text);
        for field in fields {
            assert!(res.body.get(field).is_some(), "{field} in {}", res.text);
        }
    }
    let res = t
        .create(
            &token,
            json!({"vehicle": vehicle.id, "title": "t", "description": "d", "fault_codes": ["X1234"]}),
        )
        .await;
    assert!(res.body["fault_codes"][0]
        .as_str()
        .unwrap()
        .starts_with("Item 1:"));
    // Another user's vehicle, or none at all: the spec's message.
    for id in [foreign.id.as_str(), "no-such-vehicle"] {
        let res = t
            .create(
                &token,
                json!({"vehicle": id, "title": "t", "description": "d"}),
            )
            .await;
        assert_eq!(res.status, 400);
        assert_eq!(
            res.body,
            json!({"vehicle": ["You can only create diagnostics for your own vehicles."]})
        );
    }
    assert!(t
        .app
        .state
        .store
        .diagnostics()
        .all(&user_id)
        .await
        .unwrap()
        .is_empty());
    assert!(t.jobs().await.is_empty());
    let res = t
        .app
        .post("/api/diagnostics/")
        .json(json!({"vehicle": vehicle.id, "title": "t", "description": "d"}))
        .send()
        .await;
    assert_eq!(res.status, 401);
}

#[tokio::test]
async fn the_largest_values_are_stored_and_read_back_unchanged() {
    let t = spawn().await;
    let (_, token, vehicle) = t.owner("extremes").await;
    let title = "é".repeat(255);
    let description = "d".repeat(10_000);
    let codes: Vec<String> = (0..20).map(|i| format!("P{:04}", 100 + i)).collect();
    let symptoms: Vec<String> = (0..20).map(|i| format!("{i:0>100}")).collect();
    for mileage in [0, 5_000_000] {
        let res = t
            .create(
                &token,
                json!({"vehicle": vehicle.id, "title": title, "description": description,
                       "fault_codes": codes, "symptoms": symptoms, "mileage": mileage}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
        let id = res.body["id"].as_str().unwrap();
        let back = t
            .app
            .get(&format!("/api/diagnostics/{id}/"))
            .bearer(&token)
            .send()
            .await;
        assert_eq!(back.body["title"], title.as_str());
        assert_eq!(back.body["description"], description.as_str());
        assert_eq!(back.body["fault_codes"], json!(codes));
        assert_eq!(back.body["symptoms"], json!(symptoms));
        assert_eq!(back.body["mileage"], mileage);
    }
    let res = t
        .create(
            &token,
            json!({"vehicle": vehicle.id, "title": "t", "description": "d".repeat(10_001)}),
        )
        .await;
    assert_eq!(res.status, 400);
}

#[tokio::test]
async fn another_users_diagnostic_is_not_found_everywhere() {
    let t = spawn().await;
    let (_, token, vehicle) = t.owner("owner").await;
    let (_, intruder, _) = t.owner("intruder").await;
    let id = t.diagnostic(&token, &vehicle, "Mine").await;
    let path = format!("/api/diagnostics/{id}/");
    for res in [
        t.app.get(&path).bearer(&intruder).send().await,
        t.app
            .put(&path)
            .bearer(&intruder)
            .json(json!({"title": "x", "description": "y"}))
            .send()
            .await,
        t.app
            .patch(&path)
            .bearer(&intruder)
            .json(json!({"status": "completed"}))
            .send()
            .await,
        t.app.delete(&path).bearer(&intruder).send().await,
        t.app
            .post(&format!("{path}reply/"))
            .bearer(&intruder)
            .json(json!({"message": "hi"}))
            .send()
            .await,
        t.app
            .post(&format!("{path}request_ai_analysis/"))
            .bearer(&intruder)
            .send()
            .await,
    ] {
        assert_eq!(res.status, 404, "{}", res.text);
    }
    let list = t
        .app
        .get("/api/diagnostics/")
        .bearer(&intruder)
        .send()
        .await;
    assert_eq!(list.body["count"], 0);
    let mine = t.app.get(&path).bearer(&token).send().await;
    assert_eq!(mine.status, 200);
    assert_eq!(mine.body["title"], "Mine");
    assert_eq!(mine.body["all_replies"], json!([]));
}

#[tokio::test]
async fn lists_filter_search_order_and_page() {
    let t = spawn().await;
    let (user_id, token, peugeot) = t.owner("lists").await;
    let renault = t.app.store_vehicle(&user_id, "Renault", 50_000).await;
    let first = t.diagnostic(&token, &peugeot, "Freins").await;
    let second = t.diagnostic(&token, &renault, "Batterie").await;
    let third = t.diagnostic(&token, &peugeot, "Embrayage").await;
    t.app
        .patch(&format!("/api/diagnostics/{second}/"))
        .bearer(&token)
        .json(json!({"status": "completed"}))
        .send()
        .await;
    let ids = |res: &testkit::TestResponse, key: &str| -> Vec<String> {
        let rows = if key.is_empty() {
            res.body.as_array().unwrap().clone()
        } else {
            res.body[key].as_array().unwrap().clone()
        };
        rows.iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect()
    };
    let all = t.app.get("/api/diagnostics/").bearer(&token).send().await;
    assert_eq!(all.body["count"], 3);
    assert_eq!(
        ids(&all, "results"),
        vec![third.clone(), second.clone(), first.clone()]
    );
    let oldest = t
        .app
        .get("/api/diagnostics/?ordering=created_at")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(ids(&oldest, "results")[0], first);
    let by_status = t
        .app
        .get("/api/diagnostics/?status=completed")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(ids(&by_status, "results"), vec![second.clone()]);
    let bad = t
        .app
        .get("/api/diagnostics/?status=broken")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(bad.status, 400);
    let by_vehicle = t
        .app
        .get(&format!("/api/diagnostics/?vehicle={}", renault.id))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(ids(&by_vehicle, "results"), vec![second.clone()]);
    let search = t
        .app
        .get("/api/diagnostics/?search=renault")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(ids(&search, "results"), vec![second.clone()]);
    let search = t
        .app
        .get("/api/diagnostics/?search=embray")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(ids(&search, "results"), vec![third.clone()]);
    let past = t
        .app
        .get("/api/diagnostics/?page=2")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(past.status, 404);

    let pending = t
        .app
        .get("/api/diagnostics/pending/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(ids(&pending, ""), vec![third.clone(), first.clone()]);
    let completed = t
        .app
        .get("/api/diagnostics/completed/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(ids(&completed, ""), vec![second.clone()]);
    let stats = t
        .app
        .get("/api/diagnostics/stats/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(stats.body["total_diagnostics"], 3);
    assert_eq!(
        stats.body["by_status"],
        json!([{"status": "completed", "count": 1}, {"status": "pending", "count": 2}])
    );
    assert_eq!(stats.body["average_confidence_score"], 0.0);
    let groups = t
        .app
        .get("/api/diagnostics/by_vehicle/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(groups.status, 200);
    assert_eq!(groups.body[0]["vehicle"]["make"], "Peugeot");
    assert_eq!(groups.body[0]["diagnostics"].as_array().unwrap().len(), 2);
    assert_eq!(groups.body[1]["vehicle"]["make"], "Renault");
    let one = t
        .app
        .get(&format!(
            "/api/diagnostics/by_vehicle/?vehicle_id={}",
            renault.id
        ))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(one.body.as_array().unwrap().len(), 1);
    let unknown = t
        .app
        .get("/api/diagnostics/by_vehicle/?vehicle_id=abc")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(unknown.status, 200);
    assert_eq!(unknown.body, json!([]));
}

#[tokio::test]
async fn edits_change_what_the_owner_may_change_only() {
    let t = spawn().await;
    let (user_id, token, vehicle) = t.owner("edits").await;
    let other = t.app.store_vehicle(&user_id, "Renault", 1).await;
    let id = t.diagnostic(&token, &vehicle, "Avant").await;
    let path = format!("/api/diagnostics/{id}/");
    let res = t
        .app
        .patch(&path)
        .bearer(&token)
        .json(
            json!({"status": "in_progress", "vehicle": other.id, "ai_analysis": "forged",
                     "confidence_score": "99.00", "analysis_status": "done"}),
        )
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["status"], "in_progress");
    assert_eq!(res.body["vehicle"], vehicle.id.as_str());
    assert_eq!(res.body["ai_analysis"], Value::Null);
    assert_eq!(res.body["confidence_score"], Value::Null);
    assert_eq!(res.body["analysis_status"], "queued");
    assert_eq!(res.body["title"], "Avant");
    // PUT needs the title and description; a PATCH does not.
    let res = t
        .app
        .put(&path)
        .bearer(&token)
        .json(json!({"title": "Après"}))
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert!(res.body.get("description").is_some());
    let res = t
        .app
        .put(&path)
        .bearer(&token)
        .json(json!({"title": "Après", "description": "Code P0171 maintenant", "status": "completed"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["title"], "Après");
    assert_eq!(res.body["status"], "completed");
    assert_eq!(res.body["fault_codes"], json!(["P0171"]));
    for bad in [
        json!({"status": "done"}),
        json!({"status": null}),
        json!({"title": ""}),
        json!({"fault_codes": ["nope"]}),
    ] {
        let res = t
            .app
            .patch(&path)
            .bearer(&token)
            .json(bad.clone())
            .send()
            .await;
        assert_eq!(res.status, 400, "{bad}: {}", res.text);
    }
    let res = t
        .app
        .patch(&path)
        .bearer(&token)
        .json(json!({"mileage": null, "symptoms": null}))
        .send()
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["mileage"], Value::Null);
    assert_eq!(res.body["symptoms"], json!([]));
}

#[tokio::test]
async fn a_delete_takes_the_replies_and_frees_the_count() {
    let t = spawn().await;
    let (user_id, token, vehicle) = t.owner("delete").await;
    let id = t.diagnostic(&token, &vehicle, "Bientôt parti").await;
    let reply = t
        .app
        .post(&format!("/api/diagnostics/{id}/reply/"))
        .bearer(&token)
        .json(json!({"message": "Toujours là"}))
        .send()
        .await;
    assert_eq!(reply.status, 201);
    let reply_id = reply.body["id"].as_str().unwrap().to_string();
    let res = t
        .app
        .delete(&format!("/api/diagnostics/{id}/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 204);
    let gone = t
        .app
        .get(&format!("/api/diagnostics/{id}/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(gone.status, 404);
    let gone = t
        .app
        .get(&format!("/api/replies/{reply_id}/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(gone.status, 404);
    let items = t
        .app
        .state
        .store
        .query_prefix(&keys::diagnostics_pk(&user_id), "")
        .await
        .unwrap();
    // Only the counter is left, at zero.
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(
        t.app
            .state
            .store
            .diagnostics()
            .counter(&user_id)
            .await
            .unwrap()
            .count,
        0
    );
    let vehicle_now = t.app.stored_vehicle(&user_id, &vehicle.id).await;
    assert_eq!(vehicle_now.diagnostics_count, 0);
}

#[tokio::test]
async fn the_account_limit_holds_at_its_boundary() {
    let t = spawn().await;
    let (user_id, token, vehicle) = t.owner("limit").await;
    t.diagnostic(&token, &vehicle, "premier").await;
    t.app
        .set_number(
            &keys::diagnostics_pk(&user_id),
            keys::DIAGNOSTIC_COUNTER_SK,
            "count",
            MAX_DIAGNOSTICS_PER_USER - 1,
        )
        .await;
    t.diagnostic(&token, &vehicle, "le dernier permis").await;
    let res = t
        .create(
            &token,
            json!({"vehicle": vehicle.id, "title": "un de trop", "description": "d"}),
        )
        .await;
    assert_eq!(res.status, 400, "{}", res.text);
    assert!(res.text.contains("at most 200 diagnostics"), "{}", res.text);
}

#[tokio::test]
async fn identical_creates_at_the_same_instant_are_both_counted() {
    let t = spawn().await;
    let (user_id, token, vehicle) = t.owner("race").await;
    let body = json!({"vehicle": vehicle.id, "title": "Même", "description": "Même"});
    let responses =
        testkit::join_all(vec![t.create(&token, body.clone()), t.create(&token, body)]).await;
    for res in &responses {
        assert_eq!(res.status, 201, "{}", res.text);
    }
    assert_ne!(responses[0].body["id"], responses[1].body["id"]);
    assert_eq!(
        t.app
            .state
            .store
            .diagnostics()
            .counter(&user_id)
            .await
            .unwrap()
            .count,
        2
    );
    assert_eq!(
        t.app
            .stored_vehicle(&user_id, &vehicle.id)
            .await
            .diagnostics_count,
        2
    );
    assert_eq!(t.jobs().await.len(), 2);
}

#[tokio::test]
async fn a_queue_that_is_down_keeps_the_diagnostic_and_says_to_ask_again() {
    let app = common::TestApp::spawn_with(diagnostics::router, |c| {
        c.ai_queue_url = Some("http://127.0.0.1:9/000000000000/closed".into());
    })
    .await;
    let t = common::Diag {
        app,
        queue: String::new(),
    };
    let (_, token, vehicle) = t.owner("down").await;
    let res = t
        .create(
            &token,
            json!({"vehicle": vehicle.id, "title": "t", "description": "d"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["analysis_status"], "failed");
    assert!(res.body["analysis_error"]
        .as_str()
        .unwrap()
        .contains("request_ai_analysis"));
    let id = res.body["id"].as_str().unwrap();
    let res = t
        .app
        .post(&format!("/api/diagnostics/{id}/request_ai_analysis/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 503, "{}", res.text);
    let detail = t
        .app
        .get(&format!("/api/diagnostics/{id}/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(detail.body["analysis_status"], "failed");
}

#[tokio::test]
async fn requesting_an_analysis_queues_one_even_on_a_double_click() {
    let t = spawn().await;
    let (_, token, vehicle) = t.owner("request").await;
    let id = t.diagnostic(&token, &vehicle, "Analyse").await;
    let first = t.jobs().await;
    assert_eq!(first.len(), 1);
    // Already queued: the same analysis, no second job.
    let path = format!("/api/diagnostics/{id}/request_ai_analysis/");
    let res = t.app.post(&path).bearer(&token).send().await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        res.body["message"],
        "AI analysis requested. You will receive a response shortly."
    );
    assert_eq!(res.body["diagnostic_id"], id.as_str());
    assert_eq!(res.body["analysis_id"], first[0].analysis_id.as_str());
    assert!(t.jobs().await.is_empty());
    // Once that one has ended, two requests at once queue one new one.
    let store = t.app.state.store.diagnostics();
    let before = store.get(&first[0].owner_id, &id).await.unwrap().unwrap();
    let mut after = before.clone();
    after.analysis_status = "done".into();
    store.save(&before, &mut after, Vec::new()).await.unwrap();
    let responses = testkit::join_all(vec![
        t.app.post(&path).bearer(&token).send(),
        t.app.post(&path).bearer(&token).send(),
    ])
    .await;
    for res in &responses {
        assert_eq!(res.status, 200, "{}", res.text);
        assert_eq!(res.body["analysis_status"], "queued");
    }
    assert_eq!(
        responses[0].body["analysis_id"],
        responses[1].body["analysis_id"]
    );
    let jobs = t.jobs().await;
    assert_eq!(jobs.len(), 1);
    assert_ne!(jobs[0].analysis_id, first[0].analysis_id);
}

#[tokio::test]
async fn codes_named_by_the_text_follow_it_and_given_ones_stay() {
    let t = spawn().await;
    let (_, token, vehicle) = t.owner("codes").await;
    let res = t
        .create(
            &token,
            json!({"vehicle": vehicle.id, "title": "Voyant", "description": "Code P0301 lu",
                   "fault_codes": ["P0420"]}),
        )
        .await;
    assert_eq!(res.body["fault_codes"], json!(["P0420", "P0301"]));
    let path = format!("/api/diagnostics/{}/", res.body["id"].as_str().unwrap());
    let res = t
        .app
        .patch(&path)
        .bearer(&token)
        .json(json!({"description": "Plus de code, juste un bruit"}))
        .send()
        .await;
    assert_eq!(res.body["fault_codes"], json!(["P0420"]));
    let res = t
        .app
        .patch(&path)
        .bearer(&token)
        .json(json!({"fault_codes": []}))
        .send()
        .await;
    assert_eq!(res.body["fault_codes"], json!([]));
}

#[tokio::test]
async fn an_analysis_waiting_too_long_is_replaced_by_a_new_request() {
    let t = spawn().await;
    let (user_id, token, vehicle) = t.owner("stale").await;
    let id = t.diagnostic(&token, &vehicle, "Perdu").await;
    let lost = t.jobs().await;
    // Its job was lost twenty minutes ago (the queue took it, no worker ran).
    let repo = t.app.state.store.diagnostics();
    let before = repo.get(&user_id, &id).await.unwrap().unwrap();
    let mut after = before.clone();
    after.analysis_requested_at = Some(shared::time::now() - chrono::Duration::minutes(20));
    repo.save(&before, &mut after, Vec::new()).await.unwrap();
    let res = t
        .app
        .post(&format!("/api/diagnostics/{id}/request_ai_analysis/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_ne!(res.body["analysis_id"], lost[0].analysis_id.as_str());
    assert_eq!(t.jobs().await.len(), 1);
}

/// Brings the owner's AI analyses of this month to `used`.
async fn set_analyses(t: &common::Diag, owner_id: &str, used: i64) {
    let month = shared::store::billing::usage_month(&shared::time::now());
    t.app
        .set_number(
            &keys::billing_pk(owner_id),
            &keys::usage_sk(&month),
            "ai_analyses",
            used,
        )
        .await;
}

async fn analyses_used(t: &common::Diag, owner_id: &str) -> i64 {
    t.app
        .state
        .store
        .billing()
        .usage(owner_id, &shared::time::now())
        .await
        .unwrap()
        .ai_analyses
}

/// Ends the diagnostic's analysis (`done`), as the worker would.
async fn analysed(t: &common::Diag, owner_id: &str, id: &str) {
    let store = t.app.state.store.diagnostics();
    let before = store.get(owner_id, id).await.unwrap().unwrap();
    let mut after = before.clone();
    after.analysis_status = "done".into();
    store.save(&before, &mut after, Vec::new()).await.unwrap();
}

fn assert_not_analysed(diagnostic: &Value) {
    assert_eq!(diagnostic["analysis_status"], "failed", "{diagnostic}");
    let why = diagnostic["analysis_error"].as_str().unwrap();
    assert!(
        why.starts_with(
            "AI analyses per month: your plan (Free) allows 5. Standard (9.99 EUR/month) lifts it."
        ),
        "{why}"
    );
    assert!(why.ends_with(diagnostics::analysis::NOT_ANALYSED), "{why}");
}

#[tokio::test]
async fn the_free_plan_analyses_five_a_month_and_keeps_what_is_written_past_them() {
    use shared::domain::plans::{AI_ANALYSES_PER_MONTH, FREE, STANDARD};
    let t = spawn().await;
    let (user_id, token, vehicle) = t.owner("quota").await;
    let first = t.diagnostic(&token, &vehicle, "Premier").await;
    assert_eq!(analyses_used(&t, &user_id).await, 1, "a create counts one");
    analysed(&t, &user_id, &first).await;
    set_analyses(&t, &user_id, 3).await;
    let fourth = t.diagnostic(&token, &vehicle, "Quatrième").await;
    assert_eq!(analyses_used(&t, &user_id).await, 4);
    analysed(&t, &user_id, &fourth).await;
    let path = format!("/api/diagnostics/{first}/request_ai_analysis/");
    let res = t.app.post(&path).bearer(&token).send().await;
    assert_eq!(res.status, 200, "the fifth: {}", res.text);
    assert_eq!(res.body["analysis_status"], "queued");
    assert_eq!(analyses_used(&t, &user_id).await, 5);
    assert_eq!(t.jobs().await.len(), 3);

    // A request past them: 403, nothing changes.
    let stored = t.app.state.store.diagnostics();
    let before = stored.get(&user_id, &fourth).await.unwrap().unwrap();
    let res = t
        .app
        .post(&format!("/api/diagnostics/{fourth}/request_ai_analysis/"))
        .bearer(&token)
        .send()
        .await;
    testkit::assert_plan_limit(&res, AI_ANALYSES_PER_MONTH, FREE, Some(STANDARD));
    assert_eq!(res.body["allowed"], "5");
    assert_eq!(
        stored.get(&user_id, &fourth).await.unwrap().unwrap(),
        before
    );

    // A new diagnostic is the owner's all the same: stored, not analysed.
    let res = t
        .create(
            &token,
            json!({"vehicle": vehicle.id, "title": "Au-delà", "description": "Fumée"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_not_analysed(&res.body);
    assert_eq!(res.body["status"], "pending");
    let past = res.body["id"].as_str().unwrap().to_string();
    let detail = t
        .app
        .get(&format!("/api/diagnostics/{past}/"))
        .bearer(&token)
        .send()
        .await;
    assert_not_analysed(&detail.body);
    let counter = stored.counter(&user_id).await.unwrap();
    assert_eq!(counter.count, 3);

    // So is a reply: in the thread, the diagnostic saying why no analysis.
    let res = t
        .app
        .post(&format!("/api/diagnostics/{fourth}/reply/"))
        .bearer(&token)
        .json(json!({"message": "Toujours de la fumée"}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let detail = t
        .app
        .get(&format!("/api/diagnostics/{fourth}/"))
        .bearer(&token)
        .send()
        .await;
    assert_not_analysed(&detail.body);
    assert_eq!(detail.body["replies_count"], 1);
    assert_eq!(
        detail.body["all_replies"][0]["message"],
        "Toujours de la fumée"
    );
    assert!(t.jobs().await.is_empty(), "nothing queued past the quota");
    assert_eq!(analyses_used(&t, &user_id).await, 5);

    // Standard: 50 a month, read with the user at the next request.
    t.app
        .grant_plan(&user_id, Some(shared::domain::plans::STANDARD))
        .await;
    let res = t
        .app
        .post(&format!("/api/diagnostics/{past}/request_ai_analysis/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["analysis_status"], "queued");
    assert_eq!(analyses_used(&t, &user_id).await, 6);
    assert_eq!(t.jobs().await.len(), 1);
}

#[tokio::test]
async fn a_downgrade_keeps_the_diagnostics_and_refuses_the_next_analysis() {
    use shared::domain::plans::{AI_ANALYSES_PER_MONTH, FREE, PREMIUM, STANDARD};
    let t = spawn().await;
    let (user_id, token, vehicle) = t.owner("downgrade").await;
    t.app.grant_plan(&user_id, Some(PREMIUM)).await;
    set_analyses(&t, &user_id, 40).await;
    let id = t.diagnostic(&token, &vehicle, "Premium").await;
    assert_eq!(t.jobs().await.len(), 1);
    analysed(&t, &user_id, &id).await;

    t.app.grant_plan(&user_id, None).await;
    let path = format!("/api/diagnostics/{id}/");
    let res = t.app.get(&path).bearer(&token).send().await;
    assert_eq!(res.status, 200, "{}", res.text);
    let res = t
        .app
        .patch(&path)
        .bearer(&token)
        .json(json!({"title": "Renommé", "status": "in_progress"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["title"], "Renommé");
    assert_eq!(
        res.body["analysis_status"], "done",
        "an edit queues nothing"
    );
    let res = t
        .app
        .post(&format!("{path}request_ai_analysis/"))
        .bearer(&token)
        .send()
        .await;
    testkit::assert_plan_limit(&res, AI_ANALYSES_PER_MONTH, FREE, Some(STANDARD));
    assert!(t.jobs().await.is_empty());
}

#[tokio::test]
async fn two_requests_for_the_months_last_analysis_queue_one() {
    use shared::domain::plans::{AI_ANALYSES_PER_MONTH, FREE, STANDARD};
    let t = spawn().await;
    let (user_id, token, vehicle) = t.owner("race").await;
    let a = t.diagnostic(&token, &vehicle, "A").await;
    let b = t.diagnostic(&token, &vehicle, "B").await;
    t.jobs().await;
    analysed(&t, &user_id, &a).await;
    analysed(&t, &user_id, &b).await;
    set_analyses(&t, &user_id, 4).await;
    let request = |id: &str| {
        t.app
            .post(&format!("/api/diagnostics/{id}/request_ai_analysis/"))
            .bearer(&token)
            .send()
    };
    // Two diagnostics: only the month's counter is shared.
    let (first, second) = tokio::join!(request(&a), request(&b));
    let responses = [first, second];
    testkit::one_winner(&responses, 200, &[403]);
    let lost = responses.iter().find(|r| r.status != 200).unwrap();
    testkit::assert_plan_limit(lost, AI_ANALYSES_PER_MONTH, FREE, Some(STANDARD));
    assert_eq!(analyses_used(&t, &user_id).await, 5);
    assert_eq!(t.jobs().await.len(), 1);
}
