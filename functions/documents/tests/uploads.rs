//! Uploading documents: multipart through the function, and presigned PUTs
//! straight to the bucket confirmed afterwards; every refusal.

mod common;

use common::spawn;
use serde_json::json;
use shared::domain::documents::{BYTES_PER_MB, MAX_BYTES_PER_USER, MAX_DOCUMENTS_PER_USER};
use shared::domain::plans::{FREE, MAX_DOCUMENTS, PREMIUM, STANDARD, STORAGE_MB};
use shared::store::keys;
use testkit::assert_plan_limit;
use testkit::documents::{multipart, object, object_keys, raw_http};
use testkit::samples;

#[tokio::test]
async fn a_multipart_upload_stores_the_file_under_the_owner_and_answers_the_document() {
    let docs = spawn().await;
    let (user, token) = docs.app.signed_in_user("up").await;
    let vehicle = docs.app.store_vehicle(&user.id, "Peugeot", 42_000).await;
    let pdf = samples::pdf();
    let res = docs
        .upload(
            &token,
            &[
                ("title", "Facture vidange"),
                ("document_type", "invoice"),
                ("description", "Garage du Centre"),
                ("vehicle", &vehicle.id),
            ],
            "C:\\Users\\me\\facture mars.pdf",
            Some("application/pdf"),
            &pdf,
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let body = &res.body;
    assert_eq!(body["title"], "Facture vidange");
    assert_eq!(body["document_type"], "invoice");
    assert_eq!(body["vehicle"], vehicle.id.as_str());
    assert_eq!(body["vehicle_info"]["make"], "Peugeot");
    assert_eq!(body["user"], user.id.as_str());
    assert_eq!(body["file_size"], pdf.len());
    assert_eq!(body["mime_type"], "application/pdf");
    assert_eq!(body["file_name"], "facture mars.pdf");
    assert_eq!(body["is_analyzed"], false);
    assert_eq!(body["analysis_status"], "none");
    assert_eq!(body["analysis_data"], json!({}));
    assert_eq!(body["extracted_text"], json!(null));
    assert_eq!(body["file"], body["file_url"]);
    // The object sits under the owner's prefix, with the sniffed type and
    // no part of the user's file name in its key.
    let key = docs.key_of(body).await.unwrap();
    assert!(
        key.starts_with(&keys::user_objects_prefix(&user.id)),
        "{key}"
    );
    assert!(!key.contains("facture"), "{key}");
    let (stored, content_type) = object(&docs.res.bucket, &key).await.unwrap();
    assert_eq!(stored, pdf);
    assert_eq!(content_type.as_deref(), Some("application/pdf"));
    // The link is a presigned GET: it serves the bytes, inline, under the
    // original name.
    let url = body["file_url"].as_str().unwrap();
    assert!(url.contains("X-Amz-Signature="), "{url}");
    assert!(url.contains("X-Amz-Expires=900"), "{url}");
    let fetched = raw_http("GET", url, &[], b"").await;
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.body, pdf);
    let disposition = fetched.header("content-disposition").unwrap_or_default();
    assert!(disposition.starts_with("inline"), "{disposition}");
    assert!(disposition.contains("facture%20mars.pdf"), "{disposition}");
    // The vehicle counts it; the counter too.
    let stored_vehicle = docs.app.stored_vehicle(&user.id, &vehicle.id).await;
    assert_eq!(stored_vehicle.documents_count, 1);
    let counter = docs
        .app
        .state
        .store
        .documents()
        .counter(&user.id)
        .await
        .unwrap();
    assert_eq!((counter.count, counter.bytes), (1, pdf.len() as i64));
}

#[tokio::test]
async fn each_accepted_kind_is_recognised_from_its_bytes() {
    let docs = spawn().await;
    let (_, token) = docs.app.signed_in_user("kinds").await;
    let cases = [
        (
            "a.pdf",
            "application/pdf",
            samples::pdf(),
            "application/pdf",
        ),
        ("b.png", "image/png", samples::png(), "image/png"),
        ("c.jpg", "image/jpg", samples::jpeg(), "image/jpeg"),
        ("d.gif", "image/gif", samples::gif(), "image/gif"),
        (
            "e.doc",
            "application/msword",
            samples::doc(),
            "application/msword",
        ),
        (
            "f.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            samples::docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        // No declared type (or octet-stream): the bytes decide.
        (
            "g.bin",
            "application/octet-stream",
            samples::png(),
            "image/png",
        ),
    ];
    for (name, declared, bytes, sniffed) in cases {
        let res = docs
            .upload(&token, &[("title", name)], name, Some(declared), &bytes)
            .await;
        assert_eq!(res.status, 201, "{name}: {}", res.text);
        assert_eq!(res.body["mime_type"], sniffed, "{name}");
    }
    let res = docs
        .upload(&token, &[("title", "none")], "x", None, &samples::gif())
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["file_name"], "x");
}

#[tokio::test]
async fn field_errors_come_together_then_the_file_checks_in_order() {
    let docs = spawn().await;
    let (user, token) = docs.app.signed_in_user("bad").await;
    // No title and no file, as the spec's combined example.
    let (ct, body) = multipart(&[("document_type", "invoice")], None);
    let res = docs
        .app
        .post("/api/documents/")
        .bearer(&token)
        .raw(&ct, &body)
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body,
        json!({"title": ["This field is required."], "file": ["No file was submitted."]})
    );
    // JSON without a file.
    let res = docs
        .app
        .post("/api/documents/")
        .bearer(&token)
        .json(json!({"title": "x"}))
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(res.body, json!({"file": ["No file was submitted."]}));
    /// Fields, file name, declared type, bytes, expected body.
    type Case<'a> = (
        Vec<(&'a str, &'a str)>,
        String,
        Option<&'a str>,
        Vec<u8>,
        serde_json::Value,
    );
    let cases: Vec<Case> = vec![
        (
            vec![("title", "  ")],
            "a.pdf".into(),
            Some("application/pdf"),
            samples::pdf(),
            json!({"title": ["This field may not be blank."]}),
        ),
        (
            vec![("title", "t"), ("document_type", "passport")],
            "a.pdf".into(),
            Some("application/pdf"),
            samples::pdf(),
            json!({"document_type": ["\"passport\" is not a valid choice."]}),
        ),
        (
            vec![("title", "t")],
            "a.pdf".into(),
            Some("application/pdf"),
            Vec::new(),
            json!({"file": ["The submitted file is empty."]}),
        ),
        (
            vec![("title", "t")],
            format!("{}.pdf", "n".repeat(97)),
            Some("application/pdf"),
            samples::pdf(),
            json!({"file": ["Ensure this filename has at most 100 characters (it has 101)."]}),
        ),
        (
            vec![("title", "t")],
            "a.exe".into(),
            Some("application/x-msdownload"),
            samples::pdf(),
            json!({"file": ["File type application/x-msdownload is not allowed. Allowed types: PDF, JPEG, PNG, GIF, DOC, DOCX."]}),
        ),
        (
            vec![("title", "t")],
            "a.pdf".into(),
            Some("application/pdf"),
            samples::png(),
            json!({"file": ["The file content (image/png) does not match its declared type application/pdf."]}),
        ),
        (
            vec![("title", "t")],
            "a.txt".into(),
            None,
            b"just some text".to_vec(),
            json!({"file": ["The file content is not a PDF, JPEG, PNG, GIF, DOC or DOCX document."]}),
        ),
        (
            vec![("title", "t")],
            "a.xlsx".into(),
            None,
            samples::xlsx(),
            json!({"file": ["The file content is not a PDF, JPEG, PNG, GIF, DOC or DOCX document."]}),
        ),
    ];
    for (fields, name, declared, bytes, expected) in cases {
        let res = docs.upload(&token, &fields, &name, declared, &bytes).await;
        assert_eq!(res.status, 400, "{name}: {}", res.text);
        assert_eq!(res.body, expected, "{name}");
    }
    // A vehicle of someone else (or none at all) is refused after the fields.
    let (other, _) = docs.app.signed_in_user("other").await;
    let foreign = docs.app.store_vehicle(&other.id, "Renault", 1).await;
    for id in [foreign.id.as_str(), "missing"] {
        let res = docs
            .upload(
                &token,
                &[("title", "t"), ("vehicle", id)],
                "a.pdf",
                Some("application/pdf"),
                &samples::pdf(),
            )
            .await;
        assert_eq!(res.status, 400);
        assert_eq!(
            res.body,
            json!({"vehicle": ["You can only create documents for your own vehicles."]})
        );
    }
    // Nothing was stored by any refusal.
    assert!(
        object_keys(&docs.res.bucket, &keys::user_objects_prefix(&user.id))
            .await
            .is_empty()
    );
    let counter = docs
        .app
        .state
        .store
        .documents()
        .counter(&user.id)
        .await
        .unwrap();
    assert_eq!(counter.count, 0);
    // No token.
    let res = docs
        .app
        .post("/api/documents/")
        .json(json!({}))
        .send()
        .await;
    assert_eq!(res.status, 401);
}

#[tokio::test]
async fn a_body_too_large_for_lambda_is_a_json_413_pointing_to_presigned_uploads() {
    let docs = spawn().await;
    let (_, token) = docs.app.signed_in_user("big").await;
    // Over the file limit, under the body limit.
    let mut big = samples::pdf();
    big.resize(4 * 1024 * 1024 + 1, b' ');
    let res = docs
        .upload(
            &token,
            &[("title", "big")],
            "big.pdf",
            Some("application/pdf"),
            &big,
        )
        .await;
    assert_eq!(res.status, 413, "{}", res.text);
    assert_eq!(res.body["upload_url"], "/api/documents/upload-url/");
    assert_eq!(res.body["max_bytes"], 4 * 1024 * 1024);
    // Over the body limit.
    big.resize(5 * 1024 * 1024, b' ');
    let res = docs
        .upload(
            &token,
            &[("title", "big")],
            "big.pdf",
            Some("application/pdf"),
            &big,
        )
        .await;
    assert_eq!(res.status, 413);
    assert!(res.body["detail"].as_str().unwrap().contains("upload-url"));
    // The largest accepted file is stored and read back whole.
    big.truncate(4 * 1024 * 1024);
    let res = docs
        .upload(
            &token,
            &[("title", "max")],
            "max.pdf",
            Some("application/pdf"),
            &big,
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["file_size"], 4 * 1024 * 1024);
    assert_eq!(docs.object_of(&res.body).await.unwrap(), big);
}

#[tokio::test]
async fn a_malformed_multipart_body_is_a_400() {
    let docs = spawn().await;
    let (_, token) = docs.app.signed_in_user("mp").await;
    for (ct, body) in [
        ("multipart/form-data", b"--x\r\n".to_vec()),
        (
            "multipart/form-data; boundary=abc",
            b"--abc\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nno end".to_vec(),
        ),
    ] {
        let res = docs
            .app
            .post("/api/documents/")
            .bearer(&token)
            .raw(ct, &body)
            .send()
            .await;
        assert_eq!(res.status, 400, "{}", res.text);
        assert!(
            res.body["detail"]
                .as_str()
                .unwrap()
                .starts_with("Multipart form parse error - "),
            "{}",
            res.text
        );
    }
}

#[tokio::test]
async fn the_storage_limit_holds_by_count_and_by_bytes() {
    let docs = spawn().await;
    let (user, token) = docs.app.signed_in_user("full").await;
    // Premium's documents are the hard limit's: that one answers.
    docs.app.grant_plan(&user.id, Some(PREMIUM)).await;
    docs.pdf(&token, "first", &[]).await;
    let pk = keys::documents_pk(&user.id);
    docs.app
        .set_number(
            &pk,
            keys::DOCUMENT_COUNTER_SK,
            "count",
            MAX_DOCUMENTS_PER_USER,
        )
        .await;
    let res = docs
        .upload(
            &token,
            &[("title", "one more")],
            "a.pdf",
            Some("application/pdf"),
            &samples::pdf(),
        )
        .await;
    assert_eq!(res.status, 400, "{}", res.text);
    assert!(
        res.body["file"][0]
            .as_str()
            .unwrap()
            .starts_with("Storage limit reached"),
        "{}",
        res.text
    );
    docs.app
        .set_number(&pk, keys::DOCUMENT_COUNTER_SK, "count", 1)
        .await;
    docs.app
        .set_number(
            &pk,
            keys::DOCUMENT_COUNTER_SK,
            "bytes",
            MAX_BYTES_PER_USER - 10,
        )
        .await;
    let res = docs
        .upload(
            &token,
            &[("title", "too big")],
            "a.pdf",
            Some("application/pdf"),
            &samples::pdf(),
        )
        .await;
    assert_eq!(res.status, 400, "{}", res.text);
    // The refused uploads left no object behind.
    assert_eq!(
        object_keys(&docs.res.bucket, &keys::user_objects_prefix(&user.id))
            .await
            .len(),
        1
    );
}

/// Sets the account's counter (it exists: a document was uploaded).
async fn set_counter(docs: &common::Docs, owner_id: &str, count: i64, bytes: i64) {
    let pk = keys::documents_pk(owner_id);
    docs.app
        .set_number(&pk, keys::DOCUMENT_COUNTER_SK, "count", count)
        .await;
    docs.app
        .set_number(&pk, keys::DOCUMENT_COUNTER_SK, "bytes", bytes)
        .await;
}

async fn counter(docs: &common::Docs, owner_id: &str) -> (i64, i64) {
    let c = docs
        .app
        .state
        .store
        .documents()
        .counter(owner_id)
        .await
        .unwrap();
    (c.count, c.bytes)
}

async fn one_more(docs: &common::Docs, token: &str) -> testkit::TestResponse {
    docs.upload(
        token,
        &[("title", "one more")],
        "a.pdf",
        Some("application/pdf"),
        &samples::pdf(),
    )
    .await
}

async fn upload_url(docs: &common::Docs, token: &str, size: i64) -> testkit::TestResponse {
    docs.app
        .post("/api/documents/upload-url/")
        .bearer(token)
        .json(json!({"filename": "a.pdf", "content_type": "application/pdf", "size": size}))
        .send()
        .await
}

#[tokio::test]
async fn the_free_plan_keeps_fifty_documents_and_a_hundred_megabytes() {
    let docs = spawn().await;
    let (user, token) = docs.app.signed_in_user("free").await;
    docs.pdf(&token, "first", &[]).await;
    let pdf = samples::pdf().len() as i64;
    set_counter(&docs, &user.id, 49, 1000).await;
    let res = one_more(&docs, &token).await;
    assert_eq!(res.status, 201, "the fiftieth: {}", res.text);
    let res = one_more(&docs, &token).await;
    assert_plan_limit(&res, MAX_DOCUMENTS, FREE, Some(STANDARD));
    assert_eq!(res.body["allowed"], "50");
    let res = upload_url(&docs, &token, 100).await;
    assert_plan_limit(&res, MAX_DOCUMENTS, FREE, Some(STANDARD));
    assert_eq!(counter(&docs, &user.id).await, (50, 1000 + pdf));

    // By bytes: 100 MB of 2^20 bytes.
    let free_bytes = 100 * BYTES_PER_MB;
    set_counter(&docs, &user.id, 2, free_bytes - pdf).await;
    let res = one_more(&docs, &token).await;
    assert_eq!(res.status, 201, "up to the last byte: {}", res.text);
    let res = one_more(&docs, &token).await;
    assert_plan_limit(&res, STORAGE_MB, FREE, Some(STANDARD));
    assert_eq!(res.body["allowed"], "100");
    let res = upload_url(&docs, &token, 1).await;
    assert_plan_limit(&res, STORAGE_MB, FREE, Some(STANDARD));
    assert_eq!(counter(&docs, &user.id).await, (3, free_bytes));
    // The refused uploads left no object behind.
    assert_eq!(
        object_keys(&docs.res.bucket, &keys::user_objects_prefix(&user.id))
            .await
            .len(),
        3
    );
}

#[tokio::test]
async fn a_grant_lifts_the_plans_bounds_within_the_hard_ones() {
    let docs = spawn().await;
    let (user, token) = docs.app.signed_in_user("standard").await;
    docs.pdf(&token, "first", &[]).await;
    docs.app.grant_plan(&user.id, Some(STANDARD)).await;
    set_counter(&docs, &user.id, 50, 1000).await;
    let res = one_more(&docs, &token).await;
    assert_eq!(res.status, 201, "the fifty-first: {}", res.text);
    set_counter(&docs, &user.id, 300, 1000).await;
    let res = one_more(&docs, &token).await;
    assert_plan_limit(&res, MAX_DOCUMENTS, STANDARD, Some(PREMIUM));
    assert_eq!(res.body["allowed"], "300");
    // Standard's 1000 MB are over the hard 250 MiB: that one binds, with
    // its own 400.
    set_counter(&docs, &user.id, 2, MAX_BYTES_PER_USER - 10).await;
    let res = one_more(&docs, &token).await;
    assert_eq!(res.status, 400, "{}", res.text);
    assert!(
        res.body["file"][0]
            .as_str()
            .unwrap()
            .starts_with("Storage limit reached"),
        "{}",
        res.text
    );
}

#[tokio::test]
async fn a_downgrade_keeps_the_documents_and_refuses_the_next() {
    let docs = spawn().await;
    let (user, token) = docs.app.signed_in_user("downgraded").await;
    docs.app.grant_plan(&user.id, Some(STANDARD)).await;
    let id = docs.pdf(&token, "kept", &[]).await;
    set_counter(&docs, &user.id, 120, 1000).await;
    docs.app.grant_plan(&user.id, None).await;

    let path = format!("/api/documents/{id}/");
    let res = docs.app.get(&path).bearer(&token).send().await;
    assert_eq!(res.status, 200, "{}", res.text);
    let res = docs
        .app
        .patch(&path)
        .bearer(&token)
        .json(json!({"title": "renamed"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["title"], "renamed");
    let res = one_more(&docs, &token).await;
    assert_plan_limit(&res, MAX_DOCUMENTS, FREE, Some(STANDARD));

    // Over the Free storage too: a larger file in place of the kept one is
    // refused (the old one stays).
    set_counter(&docs, &user.id, 120, 200 * BYTES_PER_MB).await;
    let mut larger = samples::pdf();
    larger.resize(larger.len() + 1000, b' ');
    let (ct, body) = multipart(
        &[],
        Some(testkit::documents::Part {
            file_name: "b.pdf",
            content_type: Some("application/pdf"),
            bytes: &larger,
        }),
    );
    let res = docs
        .app
        .patch(&path)
        .bearer(&token)
        .raw(&ct, &body)
        .send()
        .await;
    assert_plan_limit(&res, STORAGE_MB, FREE, Some(STANDARD));
    let res = docs.app.get(&path).bearer(&token).send().await;
    assert_eq!(
        res.body["file_size"],
        samples::pdf().len(),
        "kept as it was"
    );
    let res = docs.app.delete(&path).bearer(&token).send().await;
    assert_eq!(res.status, 204, "{}", res.text);
}

#[tokio::test]
async fn two_uploads_for_the_last_place_leave_one_document() {
    let docs = spawn().await;
    let (user, token) = docs.app.signed_in_user("race").await;
    docs.pdf(&token, "first", &[]).await;
    set_counter(&docs, &user.id, 49, 1000).await;
    let (a, b) = tokio::join!(one_more(&docs, &token), one_more(&docs, &token));
    let responses = [a, b];
    testkit::one_winner(&responses, 201, &[403]);
    let lost = responses.iter().find(|r| r.status != 201).unwrap();
    assert_plan_limit(lost, MAX_DOCUMENTS, FREE, Some(STANDARD));
    assert_eq!(counter(&docs, &user.id).await.0, 50);
    assert_eq!(
        object_keys(&docs.res.bucket, &keys::user_objects_prefix(&user.id))
            .await
            .len(),
        2,
        "the loser's object is taken back"
    );
}

#[tokio::test]
async fn two_uploads_at_the_same_instant_are_both_counted() {
    let docs = spawn().await;
    let (user, token) = docs.app.signed_in_user("twins").await;
    let pdf = samples::pdf();
    let uploads = (0..4).map(|_| {
        docs.upload(
            &token,
            &[("title", "same")],
            "same.pdf",
            Some("application/pdf"),
            &pdf,
        )
    });
    for res in testkit::join_all(uploads.collect()).await {
        assert_eq!(res.status, 201, "{}", res.text);
    }
    let counter = docs
        .app
        .state
        .store
        .documents()
        .counter(&user.id)
        .await
        .unwrap();
    assert_eq!((counter.count, counter.bytes), (4, 4 * pdf.len() as i64));
}

#[tokio::test]
async fn a_presigned_upload_goes_to_s3_then_becomes_a_document_once() {
    let docs = spawn().await;
    let (user, token) = docs.app.signed_in_user("presigned").await;
    let res = docs
        .app
        .post("/api/documents/upload-url/")
        .bearer(&token)
        .json(
            json!({"filename": "Carte grise.pdf", "content_type": "application/pdf", "size": 5000}),
        )
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let upload_key = res.body["upload_key"].as_str().unwrap().to_string();
    assert!(upload_key.starts_with(&keys::pending_objects_prefix(&user.id)));
    assert_eq!(res.body["method"], "PUT");
    assert_eq!(res.body["headers"]["Content-Type"], "application/pdf");
    assert_eq!(res.body["max_bytes"], 10 * 1024 * 1024);
    let url = res.body["url"].as_str().unwrap();
    assert!(
        url.to_ascii_lowercase().contains("content-type"),
        "the type is signed: {url}"
    );
    // A file bigger than a multipart request allows.
    let mut big = samples::pdf();
    big.resize(6 * 1024 * 1024, b' ');
    let put = raw_http("PUT", url, &[("Content-Type", "application/pdf")], &big).await;
    assert_eq!(put.status, 200, "{}", String::from_utf8_lossy(&put.body));
    let res = docs
        .app
        .post("/api/documents/")
        .bearer(&token)
        .json(json!({"title": "Carte grise", "document_type": "registration", "upload_key": upload_key}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["file_size"], big.len());
    assert_eq!(res.body["file_name"], "Carte grise.pdf");
    assert_eq!(docs.object_of(&res.body).await.unwrap(), big);
    // The pending object is gone; the key cannot be confirmed twice.
    assert!(object_keys(&docs.res.bucket, &upload_key).await.is_empty());
    let again = docs
        .app
        .post("/api/documents/")
        .bearer(&token)
        .json(json!({"title": "again", "upload_key": upload_key}))
        .send()
        .await;
    assert_eq!(again.status, 400);
    assert_eq!(
        again.body,
        json!({"upload_key": ["Unknown or expired upload."]})
    );
}

#[tokio::test]
async fn presigned_uploads_refuse_foreign_keys_oversize_and_wrong_content() {
    let docs = spawn().await;
    let (_, token) = docs.app.signed_in_user("owner").await;
    let (_, intruder) = docs.app.signed_in_user("intruder").await;
    let ask = |name: &str, ct: &str| {
        docs.app
            .post("/api/documents/upload-url/")
            .bearer(&token)
            .json(json!({"filename": name, "content_type": ct}))
    };
    // Bad requests for a link.
    let res = docs
        .app
        .post("/api/documents/upload-url/")
        .bearer(&token)
        .json(json!({}))
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body,
        json!({"filename": ["This field is required."], "content_type": ["This field is required."]})
    );
    let res = ask("a.zip", "application/zip").send().await;
    assert_eq!(res.status, 400);
    let res = docs
        .app
        .post("/api/documents/upload-url/")
        .bearer(&token)
        .json(json!({"filename": "a.pdf", "content_type": "application/pdf", "size": 10 * 1024 * 1024 + 1}))
        .send()
        .await;
    assert_eq!(
        res.body,
        json!({"size": ["File size must not exceed 10.0MB."]})
    );
    // Someone else's key is unknown to the intruder.
    let res = ask("a.pdf", "application/pdf").send().await;
    let key = res.body["upload_key"].as_str().unwrap().to_string();
    let url = res.body["url"].as_str().unwrap().to_string();
    raw_http(
        "PUT",
        &url,
        &[("Content-Type", "application/pdf")],
        &samples::pdf(),
    )
    .await;
    for (who, upload_key) in [
        (&intruder, key.clone()),
        (&token, "pending/../x".into()),
        (&token, "users/x/y".into()),
    ] {
        let res = docs
            .app
            .post("/api/documents/")
            .bearer(who)
            .json(json!({"title": "t", "upload_key": upload_key}))
            .send()
            .await;
        assert_eq!(res.status, 400, "{upload_key}");
        assert_eq!(
            res.body,
            json!({"upload_key": ["Unknown or expired upload."]})
        );
    }
    // Over 10 MiB once uploaded: refused, and the pending object deleted.
    let res = ask("huge.pdf", "application/pdf").send().await;
    let huge_key = res.body["upload_key"].as_str().unwrap().to_string();
    let mut huge = samples::pdf();
    huge.resize(10 * 1024 * 1024 + 1, b' ');
    raw_http(
        "PUT",
        res.body["url"].as_str().unwrap(),
        &[("Content-Type", "application/pdf")],
        &huge,
    )
    .await;
    let res = docs
        .app
        .post("/api/documents/")
        .bearer(&token)
        .json(json!({"title": "t", "upload_key": huge_key}))
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body,
        json!({"file": ["File size must not exceed 10.0MB."]})
    );
    assert!(object_keys(&docs.res.bucket, &huge_key).await.is_empty());
    // Declared PDF, uploaded PNG.
    let res = ask("lie.pdf", "application/pdf").send().await;
    let lie_key = res.body["upload_key"].as_str().unwrap().to_string();
    raw_http(
        "PUT",
        res.body["url"].as_str().unwrap(),
        &[("Content-Type", "application/pdf")],
        &samples::png(),
    )
    .await;
    let res = docs
        .app
        .post("/api/documents/")
        .bearer(&token)
        .json(json!({"title": "t", "upload_key": lie_key}))
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body["file"][0],
        "The file content (image/png) does not match its declared type application/pdf."
    );
    // A link asked for but never used.
    let res = ask("never.pdf", "application/pdf").send().await;
    let never = res.body["upload_key"].as_str().unwrap().to_string();
    let res = docs
        .app
        .post("/api/documents/")
        .bearer(&token)
        .json(json!({"title": "t", "upload_key": never}))
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(res.body, json!({"file": ["No file was submitted."]}));
}

#[tokio::test]
async fn the_largest_values_each_field_accepts_are_stored_and_read_back() {
    let docs = spawn().await;
    let (_, token) = docs.app.signed_in_user("extremes").await;
    let title = "T".repeat(255);
    let description = "é".repeat(10_000);
    let name = format!("{}.pdf", "n".repeat(96));
    let res = docs
        .upload(
            &token,
            &[("title", &title), ("description", &description)],
            &name,
            Some("application/pdf"),
            &samples::pdf(),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let id = res.body["id"].as_str().unwrap();
    let detail = docs
        .app
        .get(&format!("/api/documents/{id}/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(detail.body["title"], title.as_str());
    assert_eq!(detail.body["description"], description.as_str());
    assert_eq!(detail.body["file_name"], name.as_str());
    // One more character is refused.
    let res = docs
        .upload(
            &token,
            &[("title", &"T".repeat(256))],
            "a.pdf",
            Some("application/pdf"),
            &samples::pdf(),
        )
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body["title"][0],
        "Ensure this field has no more than 255 characters."
    );
    let res = docs
        .upload(
            &token,
            &[("title", "t"), ("description", &"é".repeat(10_001))],
            "a.pdf",
            Some("application/pdf"),
            &samples::pdf(),
        )
        .await;
    assert_eq!(res.status, 400);
    assert!(res.body["description"].is_array(), "{}", res.text);
    // Exactly 10 MiB through a presigned upload.
    let link = docs
        .app
        .post("/api/documents/upload-url/")
        .bearer(&token)
        .json(json!({"filename": "max.pdf", "content_type": "application/pdf", "size": 10 * 1024 * 1024}))
        .send()
        .await;
    assert_eq!(link.status, 201, "{}", link.text);
    let mut max = samples::pdf();
    max.resize(10 * 1024 * 1024, b' ');
    let put = raw_http(
        "PUT",
        link.body["url"].as_str().unwrap(),
        &[("Content-Type", "application/pdf")],
        &max,
    )
    .await;
    assert_eq!(put.status, 200);
    let res = docs
        .app
        .post("/api/documents/")
        .bearer(&token)
        .json(json!({"title": "max", "upload_key": link.body["upload_key"]}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["file_size"], 10 * 1024 * 1024);
    assert_eq!(docs.object_of(&res.body).await.unwrap().len(), max.len());
}
