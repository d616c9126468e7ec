//! The document collection: lists, views, edits, deletes, download links,
//! analysis requests, isolation between users, and the cascades.

mod common;

use common::spawn;
use serde_json::{json, Value};
use shared::jobs::{decode, OcrJob};
use shared::store::keys;
use testkit::documents::{drain_queue, multipart, object_keys, raw_http, Part};
use testkit::samples;

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_list_filters_searches_orders_and_pages() {
    let docs = spawn().await;
    let (user, token) = docs.app.signed_in_user("lister").await;
    let clio = docs.app.store_vehicle(&user.id, "Renault", 1).await;
    let a = docs
        .pdf(
            &token,
            "Assurance 2026",
            &[("document_type", "insurance"), ("vehicle", &clio.id)],
        )
        .await;
    let b = docs
        .pdf(
            &token,
            "Facture pneus",
            &[
                ("document_type", "invoice"),
                ("description", "Michelin été"),
            ],
        )
        .await;
    let c = docs
        .pdf(&token, "Révision", &[("document_type", "invoice")])
        .await;
    let list = docs.app.get("/api/documents/").bearer(&token).send().await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body["count"], 3);
    assert_eq!(
        ids(&list.body["results"]),
        vec![c.clone(), b.clone(), a.clone()],
        "newest first"
    );
    let get = |q: &str| {
        docs.app
            .get(&format!("/api/documents/?{q}"))
            .bearer(&token)
            .send()
    };
    assert_eq!(
        ids(&get("document_type=invoice").await.body["results"]),
        vec![c.clone(), b.clone()]
    );
    assert_eq!(
        ids(&get(&format!("vehicle={}", clio.id)).await.body["results"]),
        vec![a.clone()]
    );
    assert_eq!(
        ids(&get("is_analyzed=false").await.body["results"]).len(),
        3
    );
    assert_eq!(ids(&get("is_analyzed=true").await.body["results"]).len(), 0);
    // Search folds case and accents, and reaches the vehicle's make.
    assert_eq!(
        ids(&get("search=ETE").await.body["results"]),
        vec![b.clone()]
    );
    assert_eq!(
        ids(&get("search=revision").await.body["results"]),
        vec![c.clone()]
    );
    assert_eq!(
        ids(&get("search=renault").await.body["results"]),
        vec![a.clone()]
    );
    assert_eq!(
        ids(&get("ordering=created_at").await.body["results"]),
        vec![a.clone(), b.clone(), c.clone()]
    );
    let bad = get("document_type=passport").await;
    assert_eq!(bad.status, 400);
    let page = get("page=9").await;
    assert_eq!(page.status, 404);
    assert_eq!(page.body, json!({"detail": "Invalid page."}));
    // Another user sees none of it.
    let (_, other) = docs.app.signed_in_user("other").await;
    let theirs = docs.app.get("/api/documents/").bearer(&other).send().await;
    assert_eq!(theirs.body["count"], 0);
}

#[tokio::test]
async fn another_users_document_is_a_404_everywhere() {
    let docs = spawn().await;
    let (_, owner) = docs.app.signed_in_user("owner").await;
    let (_, intruder) = docs.app.signed_in_user("intruder").await;
    let id = docs.pdf(&owner, "Private", &[]).await;
    let not_found = json!({"detail": "No Document matches the given query."});
    let paths = [
        ("GET", format!("/api/documents/{id}/")),
        ("PUT", format!("/api/documents/{id}/")),
        ("PATCH", format!("/api/documents/{id}/")),
        ("DELETE", format!("/api/documents/{id}/")),
        ("POST", format!("/api/documents/{id}/analyze/")),
        ("GET", format!("/api/documents/{id}/file/")),
    ];
    for (method, path) in &paths {
        let res = docs
            .app
            .request(method.parse().unwrap(), path)
            .bearer(&intruder)
            .json(json!({"title": "mine now"}))
            .send()
            .await;
        assert_eq!(res.status, 404, "{method} {path}: {}", res.text);
        assert_eq!(res.body, not_found, "{method} {path}");
    }
    // batch_analyze answers exactly as for an unknown id.
    let foreign = docs
        .app
        .post("/api/documents/batch_analyze/")
        .bearer(&intruder)
        .json(json!({"document_ids": [id]}))
        .send()
        .await;
    let unknown = docs
        .app
        .post("/api/documents/batch_analyze/")
        .bearer(&intruder)
        .json(json!({"document_ids": ["nope"]}))
        .send()
        .await;
    assert_eq!(foreign.status, 400);
    assert_eq!(
        (foreign.status, &foreign.body),
        (unknown.status, &unknown.body)
    );
    // Still there, untouched, for its owner.
    let res = docs
        .app
        .get(&format!("/api/documents/{id}/"))
        .bearer(&owner)
        .send()
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["title"], "Private");
    assert_eq!(res.body["analysis_status"], "none");
    for (method, path) in &paths {
        let res = docs.app.request(method.parse().unwrap(), path).send().await;
        assert_eq!(res.status, 401, "{method} {path} without a token");
    }
}

#[tokio::test]
async fn edits_take_json_metadata_or_a_new_file_that_resets_the_analysis() {
    let docs = spawn().await;
    let (user, token) = docs.app.signed_in_user("editor").await;
    let id = docs
        .pdf(&token, "Old title", &[("document_type", "invoice")])
        .await;
    let path = format!("/api/documents/{id}/");
    // PUT with JSON only: title required, file optional (a reference gap).
    let res = docs
        .app
        .put(&path)
        .bearer(&token)
        .json(json!({"description": "x"}))
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(res.body, json!({"title": ["This field is required."]}));
    let res = docs
        .app
        .put(&path)
        .bearer(&token)
        .json(json!({"title": "New title", "document_type": "maintenance", "vehicle": "ignored"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["title"], "New title");
    assert_eq!(res.body["document_type"], "maintenance");
    assert_eq!(res.body["vehicle"], Value::Null);
    let res = docs
        .app
        .patch(&path)
        .bearer(&token)
        .json(json!({"description": "Note"}))
        .send()
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(
        (res.body["title"].as_str(), res.body["description"].as_str()),
        (Some("New title"), Some("Note"))
    );
    let res = docs
        .app
        .patch(&path)
        .bearer(&token)
        .json(json!({"title": ""}))
        .send()
        .await;
    assert_eq!(res.status, 400);
    // Mark it analysed, then PATCH a new file: the old object goes, the
    // analysis is reset, the counter follows the size.
    let store = docs.app.state.store.documents();
    let before = store.get(&user.id, &id).await.unwrap().unwrap();
    let mut analysed = before.clone();
    analysed.is_analyzed = true;
    analysed.analysis_status = "done".into();
    analysed.analysis_data = json!({"document_type": "invoice"});
    store
        .save(&before, &mut analysed, Vec::new())
        .await
        .unwrap();
    let old_key = analysed.file_key.clone();
    let png = samples::png();
    let (ct, body) = multipart(
        &[],
        Some(Part {
            file_name: "scan.png",
            content_type: Some("image/png"),
            bytes: &png,
        }),
    );
    let res = docs
        .app
        .patch(&path)
        .bearer(&token)
        .raw(&ct, &body)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["mime_type"], "image/png");
    assert_eq!(res.body["file_name"], "scan.png");
    assert_eq!(res.body["is_analyzed"], false);
    assert_eq!(res.body["analysis_status"], "none");
    assert_eq!(res.body["analysis_data"], json!({}));
    assert_eq!(res.body["title"], "New title");
    assert!(
        object_keys(&docs.res.bucket, &old_key).await.is_empty(),
        "old object purged"
    );
    assert_eq!(docs.object_of(&res.body).await.unwrap(), png);
    let counter = store.counter(&user.id).await.unwrap();
    assert_eq!((counter.count, counter.bytes), (1, png.len() as i64));
}

#[tokio::test]
async fn concurrent_edits_of_one_document_leave_one_winner() {
    let docs = spawn().await;
    let (_, token) = docs.app.signed_in_user("racer").await;
    let id = docs.pdf(&token, "Race", &[]).await;
    let path = format!("/api/documents/{id}/");
    let edits = (0..4).map(|i| {
        docs.app
            .patch(&path)
            .bearer(&token)
            .json(json!({"title": format!("title {i}")}))
            .send()
    });
    let results = testkit::join_all(edits.collect()).await;
    let statuses: Vec<u16> = results.iter().map(|r| r.status).collect();
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 409),
        "{statuses:?}"
    );
    assert!(statuses.contains(&200), "{statuses:?}");
    let winner = docs.app.get(&path).bearer(&token).send().await;
    let title = winner.body["title"].as_str().unwrap().to_string();
    assert!(results
        .iter()
        .any(|r| r.status == 200 && r.body["title"] == title.as_str()));
}

#[tokio::test]
async fn deleting_a_document_removes_its_item_counter_share_and_object() {
    let docs = spawn().await;
    let (user, token) = docs.app.signed_in_user("deleter").await;
    let vehicle = docs.app.store_vehicle(&user.id, "Dacia", 1).await;
    let id = docs
        .pdf(&token, "Gone soon", &[("vehicle", &vehicle.id)])
        .await;
    let detail = docs
        .app
        .get(&format!("/api/documents/{id}/"))
        .bearer(&token)
        .send()
        .await;
    let key = docs.key_of(&detail.body).await.unwrap();
    let res = docs
        .app
        .delete(&format!("/api/documents/{id}/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 204);
    assert!(object_keys(&docs.res.bucket, &key).await.is_empty());
    let res = docs
        .app
        .get(&format!("/api/documents/{id}/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 404);
    let counter = docs
        .app
        .state
        .store
        .documents()
        .counter(&user.id)
        .await
        .unwrap();
    assert_eq!((counter.count, counter.bytes), (0, 0));
    assert_eq!(
        docs.app
            .stored_vehicle(&user.id, &vehicle.id)
            .await
            .documents_count,
        0
    );
    let again = docs
        .app
        .delete(&format!("/api/documents/{id}/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(again.status, 404);
    // No marker is left waiting: the purge ran at once.
    let waiting = docs
        .app
        .state
        .store
        .purges()
        .waiting(&shared::time::now(), 10)
        .await
        .unwrap();
    assert!(waiting.is_empty(), "{waiting:?}");
}

#[tokio::test]
async fn the_download_route_redirects_to_a_fresh_link() {
    let docs = spawn().await;
    let (_, token) = docs.app.signed_in_user("dl").await;
    let res = docs
        .upload(
            &token,
            &[("title", "Word")],
            "lettre.docx",
            None,
            &samples::docx(),
        )
        .await;
    let id = res.body["id"].as_str().unwrap();
    for alias in ["file", "download"] {
        let res = docs
            .app
            .get(&format!("/api/documents/{id}/{alias}/"))
            .bearer(&token)
            .send()
            .await;
        assert_eq!(res.status, 302, "{alias}");
        let location = res.header("location").unwrap().to_string();
        let fetched = raw_http("GET", &location, &[], b"").await;
        assert_eq!(fetched.status, 200);
        assert_eq!(fetched.body, samples::docx());
        // Word files are downloaded, not shown.
        assert!(fetched
            .header("content-disposition")
            .unwrap()
            .starts_with("attachment"));
    }
}

#[tokio::test]
async fn views_and_stats_follow_the_spec() {
    let docs = spawn().await;
    let (user, token) = docs.app.signed_in_user("views").await;
    let car = docs.app.store_vehicle(&user.id, "Citroen", 1).await;
    let a = docs
        .pdf(
            &token,
            "A",
            &[("document_type", "insurance"), ("vehicle", &car.id)],
        )
        .await;
    let b = docs.pdf(&token, "B", &[("document_type", "invoice")]).await;
    let get = |p: &str| docs.app.get(p).bearer(&token).send();
    assert_eq!(
        ids(&get("/api/documents/unanalyzed/").await.body),
        vec![b.clone(), a.clone()]
    );
    for path in [
        "/api/documents/by-type/?type=invoice",
        "/api/documents/by_type/?type=invoice",
    ] {
        assert_eq!(ids(&get(path).await.body), vec![b.clone()], "{path}");
    }
    assert_eq!(
        ids(&get("/api/documents/by_type/?type=passport").await.body).len(),
        0
    );
    assert_eq!(ids(&get("/api/documents/by_type/").await.body).len(), 2);
    let groups = get("/api/documents/by_vehicle/").await.body;
    assert_eq!(groups.as_array().unwrap().len(), 2);
    assert_eq!(
        groups[0]["vehicle"],
        json!({"id": car.id, "make": "Citroen", "model": "Model", "year": 2019})
    );
    assert_eq!(ids(&groups[0]["documents"]), vec![a.clone()]);
    assert_eq!(groups[1]["vehicle"], Value::Null);
    assert_eq!(ids(&groups[1]["documents"]), vec![b.clone()]);
    let only = get(&format!("/api/documents/by_vehicle/?vehicle_id={}", car.id))
        .await
        .body;
    assert_eq!(only.as_array().unwrap().len(), 1);
    let stats = get("/api/documents/stats/").await.body;
    let size = samples::pdf().len() as i64;
    assert_eq!(
        stats,
        json!({
            "total_documents": 2,
            "by_type": [{"document_type": "insurance", "count": 1}, {"document_type": "invoice", "count": 1}],
            "analyzed": 0,
            "unanalyzed": 2,
            "total_storage_bytes": 2 * size,
            "total_storage_mb": 0.0
        })
    );
}

#[tokio::test]
async fn analyze_queues_a_job_for_the_current_analysis() {
    let docs = spawn().await;
    let (user, token) = docs.app.signed_in_user("analyst").await;
    let id = docs.pdf(&token, "To read", &[]).await;
    let res = docs
        .app
        .post(&format!("/api/documents/{id}/analyze/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 202, "{}", res.text);
    assert_eq!(
        res.body["message"],
        "Document analysis started. Results will be available shortly."
    );
    assert_eq!(res.body["document_id"], id.as_str());
    let task = res.body["task_id"].as_str().unwrap().to_string();
    let jobs = drain_queue(&docs.res.ocr_queue_url).await;
    assert_eq!(jobs.len(), 1);
    let job: OcrJob = decode(&jobs[0]).unwrap();
    assert_eq!(
        job,
        OcrJob {
            document_id: id.clone(),
            owner_id: user.id.clone(),
            analysis_id: task.clone()
        }
    );
    let detail = docs
        .app
        .get(&format!("/api/documents/{id}/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(detail.body["analysis_status"], "queued");
    // Word files cannot be read.
    let word = docs
        .upload(&token, &[("title", "w")], "w.doc", None, &samples::doc())
        .await;
    let res = docs
        .app
        .post(&format!(
            "/api/documents/{}/analyze/",
            word.body["id"].as_str().unwrap()
        ))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body,
        json!({"error": "Analysis is only available for images and PDFs."})
    );
}

#[tokio::test]
async fn a_queue_that_is_down_is_a_503_and_changes_nothing() {
    let res = testkit::documents::documents_resources().await;
    let app = common::TestApp::spawn_with(documents::router, |c| {
        c.bucket_name = Some(res.bucket.clone());
        c.ocr_queue_url = Some("http://127.0.0.1:9/000000000000/closed".into());
    })
    .await;
    let docs = common::Docs { app, res };
    let (_, token) = docs.app.signed_in_user("down").await;
    let id = docs.pdf(&token, "Waiting", &[]).await;
    let res = docs
        .app
        .post(&format!("/api/documents/{id}/analyze/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.status, 503, "{}", res.text);
    let detail = docs
        .app
        .get(&format!("/api/documents/{id}/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(detail.body["analysis_status"], "none");
}

#[tokio::test]
async fn batch_analyze_checks_every_id_and_queues_one_job_each() {
    let docs = spawn().await;
    let (_, token) = docs.app.signed_in_user("batch").await;
    let mut mine = Vec::new();
    for i in 0..3 {
        mine.push(docs.pdf(&token, &format!("doc {i}"), &[]).await);
    }
    let post = |body: Value| {
        docs.app
            .post("/api/documents/batch_analyze/")
            .bearer(&token)
            .json(body)
            .send()
    };
    for body in [
        json!({}),
        json!({"document_ids": []}),
        json!({"document_ids": "x"}),
    ] {
        let res = post(body).await;
        assert_eq!(res.status, 400);
        assert_eq!(res.body, json!({"error": "No document IDs provided."}));
    }
    let not_found = json!({"error": "Some documents not found or not accessible."});
    let res = post(json!({"document_ids": [mine[0], mine[0]]})).await;
    assert_eq!((res.status, &res.body), (400, &not_found), "a duplicate");
    let res = post(json!({"document_ids": [mine[0], 7]})).await;
    assert_eq!((res.status, &res.body), (400, &not_found));
    let many: Vec<String> = (0..51).map(|i| format!("id-{i}")).collect();
    let res = post(json!({"document_ids": many})).await;
    assert_eq!(res.status, 400);
    assert!(
        drain_queue(&docs.res.ocr_queue_url).await.is_empty(),
        "nothing queued by a refusal"
    );
    let res = post(json!({"document_ids": mine})).await;
    assert_eq!(res.status, 202, "{}", res.text);
    assert_eq!(res.body["document_count"], 3);
    assert_eq!(
        res.body["message"],
        "Batch analysis started for 3 documents."
    );
    let jobs = drain_queue(&docs.res.ocr_queue_url).await;
    assert_eq!(jobs.len(), 3);
    let list = docs
        .app
        .get("/api/documents/?is_analyzed=false")
        .bearer(&token)
        .send()
        .await;
    for row in list.body["results"].as_array().unwrap() {
        assert_eq!(row["analysis_status"], "queued");
    }
}

#[tokio::test]
async fn deleting_the_vehicle_or_the_account_takes_the_documents_and_their_objects() {
    let docs = spawn().await;
    let (user, token) = docs.app.signed_in_user("cascade").await;
    let car = docs.app.store_vehicle(&user.id, "Fiat", 1).await;
    let on_car = docs
        .pdf(&token, "On the car", &[("vehicle", &car.id)])
        .await;
    let loose = docs.pdf(&token, "Loose", &[]).await;
    let store = &docs.app.state.store;
    // The vehicle goes (as the vehicles function deletes it).
    let fleet = store
        .fleet(&user.id, shared::store::fleet::FleetParts::ALL)
        .await
        .unwrap();
    let vehicle = fleet.vehicle(&car.id).unwrap().clone();
    shared::usecases::vehicle_deletion::delete_vehicle(store, &fleet, &vehicle)
        .await
        .unwrap();
    assert!(store
        .documents()
        .get(&user.id, &on_car)
        .await
        .unwrap()
        .is_none());
    assert!(store
        .documents()
        .get(&user.id, &loose)
        .await
        .unwrap()
        .is_some());
    let counter = store.documents().counter(&user.id).await.unwrap();
    assert_eq!(counter.count, 1);
    // Its object waits for the scheduled drain, which removes it.
    let prefix = keys::user_objects_prefix(&user.id);
    assert_eq!(object_keys(&docs.res.bucket, &prefix).await.len(), 2);
    let later = shared::time::now() + chrono::Duration::seconds(1);
    let report = shared::usecases::object_purge::drain(store, &docs.app.state.bucket, &later, 100)
        .await
        .unwrap();
    assert_eq!(report.purged, 1);
    assert_eq!(object_keys(&docs.res.bucket, &prefix).await.len(), 1);
    // The account goes: its partition and every object under its prefixes.
    let pending = docs
        .app
        .post("/api/documents/upload-url/")
        .bearer(&token)
        .json(json!({"filename": "p.pdf", "content_type": "application/pdf"}))
        .send()
        .await;
    raw_http(
        "PUT",
        pending.body["url"].as_str().unwrap(),
        &[("Content-Type", "application/pdf")],
        &samples::pdf(),
    )
    .await;
    shared::usecases::account_deletion::delete_account(store, &user, Vec::new())
        .await
        .unwrap();
    assert!(store
        .partition_keys(&keys::documents_pk(&user.id))
        .await
        .unwrap()
        .is_empty());
    let later = shared::time::now() + chrono::Duration::seconds(1);
    let report = shared::usecases::object_purge::drain(store, &docs.app.state.bucket, &later, 100)
        .await
        .unwrap();
    assert_eq!(
        report,
        shared::usecases::object_purge::DrainReport {
            purged: 1,
            failed: 0
        }
    );
    assert!(object_keys(&docs.res.bucket, &prefix).await.is_empty());
    assert!(
        object_keys(&docs.res.bucket, &keys::pending_objects_prefix(&user.id))
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn a_vehicle_with_more_documents_than_one_transaction_holds_goes_whole() {
    let docs = spawn().await;
    let (user, _) = docs.app.signed_in_user("many").await;
    let car = docs.app.store_vehicle(&user.id, "Volvo", 1).await;
    let store = &docs.app.state.store;
    let mut vehicle = car.clone();
    for i in 0..50 {
        let document = shared::domain::documents::Document::new(
            uuid::Uuid::now_v7().to_string(),
            &user.id,
            Some(car.id.clone()),
            format!("doc {i}"),
            None,
            "other".into(),
            shared::domain::documents::StoredFile {
                key: keys::document_object(&user.id, "d", &i.to_string(), "pdf"),
                name: "a.pdf".into(),
                size: 10,
                mime_type: "application/pdf".into(),
            },
        );
        store
            .documents()
            .create(&document, Some(&vehicle), None, None)
            .await
            .unwrap();
        vehicle = docs.app.stored_vehicle(&user.id, &car.id).await;
    }
    assert_eq!(vehicle.documents_count, 50);
    let fleet = store
        .fleet(&user.id, shared::store::fleet::FleetParts::ALL)
        .await
        .unwrap();
    shared::usecases::vehicle_deletion::delete_vehicle(
        store,
        &fleet,
        fleet.vehicle(&car.id).unwrap(),
    )
    .await
    .unwrap();
    let library = store.documents().library(&user.id).await.unwrap();
    assert!(library.documents.is_empty());
    assert_eq!((library.counter.count, library.counter.bytes), (0, 0));
    let markers = store
        .purges()
        .waiting(&(shared::time::now() + chrono::Duration::seconds(1)), 10)
        .await
        .unwrap();
    let keys: usize = markers.iter().map(|m| m.keys.len()).sum();
    assert_eq!(keys, 50, "every object is named by a marker");
}

#[tokio::test]
async fn search_reaches_the_text_an_analysis_read() {
    let docs = spawn().await;
    let (user, token) = docs.app.signed_in_user("reader").await;
    let read = docs.pdf(&token, "Scan 1", &[]).await;
    let other = docs.pdf(&token, "Scan 2", &[]).await;
    let store = docs.app.state.store.documents();
    let before = store.get(&user.id, &read).await.unwrap().unwrap();
    let mut after = before.clone();
    after.analysis_status = "done".into();
    after.is_analyzed = true;
    after.search_text =
        shared::domain::documents::search_digest("Contrôle technique FAVORABLE — Autosur Lyon");
    store.save(&before, &mut after, Vec::new()).await.unwrap();
    for q in ["autosur", "CONTROLE", "favorable%20lyon"] {
        let res = docs
            .app
            .get(&format!("/api/documents/?search={q}"))
            .bearer(&token)
            .send()
            .await;
        assert_eq!(ids(&res.body["results"]), vec![read.clone()], "{q}");
    }
    let res = docs
        .app
        .get("/api/documents/?search=scan")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(ids(&res.body["results"]), vec![other, read]);
}

#[tokio::test]
async fn two_analyze_requests_at_once_leave_one_current_analysis() {
    let docs = spawn().await;
    let (user, token) = docs.app.signed_in_user("twice").await;
    let id = docs.pdf(&token, "Twice", &[]).await;
    let path = format!("/api/documents/{id}/analyze/");
    let answers = testkit::join_all(vec![
        docs.app.post(&path).bearer(&token).send(),
        docs.app.post(&path).bearer(&token).send(),
    ])
    .await;
    let statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    assert!(statuses.contains(&202), "{statuses:?}");
    assert!(
        statuses.iter().all(|s| *s == 202 || *s == 409),
        "{statuses:?}"
    );
    // The document names one analysis, one the client was told about; a
    // request that lost the race sent no job (it is marked before sending).
    let stored = docs
        .app
        .state
        .store
        .documents()
        .get(&user.id, &id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.analysis_status, "queued");
    let current = stored.analysis_id.unwrap();
    assert!(answers
        .iter()
        .any(|a| a.status == 202 && a.body["task_id"] == current.as_str()));
    let jobs = drain_queue(&docs.res.ocr_queue_url).await;
    let accepted = statuses.iter().filter(|s| **s == 202).count();
    assert_eq!(jobs.len(), accepted, "one job per accepted request");
    let named: Vec<String> = jobs
        .iter()
        .map(|j| decode::<OcrJob>(j).unwrap().analysis_id)
        .collect();
    assert!(named.contains(&current));
}
