//! Reviews through the router and the real SDK: both write paths, the
//! exact rating, permissions, one review per user, pages, concurrency.

mod common;

use common::*;
use serde_json::{json, Value};

async fn garage_now(app: &TestApp, gid: &str) -> Value {
    let res = get(app, &format!("/api/garages/{gid}/")).await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body
}

/// `(average_rating, total_reviews)` of a garage.
async fn rating(app: &TestApp, gid: &str) -> (String, i64) {
    let g = garage_now(app, gid).await;
    assert_eq!(g["reviews_count"], g["total_reviews"]);
    (
        g["average_rating"].as_str().unwrap().to_string(),
        g["total_reviews"].as_i64().unwrap(),
    )
}

async fn users(app: &TestApp, n: usize) -> Vec<String> {
    let mut tokens = Vec::new();
    for i in 0..n {
        tokens.push(app.signed_in_user(&format!("u{i}")).await.1);
    }
    tokens
}

#[tokio::test]
async fn adding_reviews_keeps_the_exact_mean() {
    let app = app().await;
    let (_, owner) = app.signed_in_user("owner").await;
    let gid = garage(&app, &owner, "Rated", None).await;
    let u = users(&app, 4).await;
    let res = app
        .post(&format!("/api/garages/{gid}/review/"))
        .bearer(&u[0])
        .json(
            json!({"reviewer_name": " Camille ", "rating": "5", "reviewer_email": "c@example.com",
                     "comment": "Parfait", "garage": "someone-else"}),
        )
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(
        res.body["garage"], gid,
        "the URL's garage; the body's ignored"
    );
    assert_eq!(res.body["reviewer_name"], "Camille");
    assert_eq!(res.body["rating"], 5);
    assert_eq!(res.body["reviewer_email"], "c@example.com");
    // The reference's path answers the same.
    let res = app
        .post(&format!("/api/garages/{gid}/add_review/"))
        .bearer(&u[1])
        .json(json!({"reviewer_name": "B", "rating": 4}))
        .send()
        .await;
    assert_eq!(res.status, 201);
    assert_eq!(review(&app, &u[2], &gid, 4).await.status, 201);
    assert_eq!(rating(&app, &gid).await, ("4.33".to_string(), 3));
    assert_eq!(review(&app, &u[3], &gid, 1).await.status, 201);
    assert_eq!(rating(&app, &gid).await, ("3.50".to_string(), 4));
    let g = garage_now(&app, &gid).await;
    let recent: Vec<i64> = g["recent_reviews"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rating"].as_i64().unwrap())
        .collect();
    assert_eq!(recent, [1, 4, 4], "the 3 newest, newest first");
    assert_eq!(g["all_reviews"].as_array().unwrap().len(), 4);
    assert_eq!(g["all_reviews"][3]["reviewer_name"], "Camille");
}

#[tokio::test]
async fn edits_and_deletes_recompute_the_rating() {
    let app = app().await;
    let (_, owner) = app.signed_in_user("owner").await;
    let gid = garage(&app, &owner, "Edited", None).await;
    let u = users(&app, 4).await;
    let mut ids = Vec::new();
    for (token, r) in u.iter().zip([5, 4, 4, 1]) {
        ids.push(id(&review(&app, token, &gid, r).await.body));
    }
    let res = app
        .patch(&format!("/api/reviews/{}/", ids[3]))
        .bearer(&u[3])
        .json(json!({"rating": 5}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["rating"], 5);
    assert_eq!(res.body["comment"], "ok", "PATCH keeps the rest");
    assert_eq!(rating(&app, &gid).await, ("4.50".to_string(), 4));
    assert_eq!(
        garage_now(&app, &gid).await["recent_reviews"][0]["rating"],
        5,
        "the shown copy follows"
    );
    // Deleting the newest brings an older one back into recent_reviews.
    assert_eq!(
        app.delete(&format!("/api/reviews/{}/", ids[3]))
            .bearer(&u[3])
            .send()
            .await
            .status,
        204
    );
    assert_eq!(rating(&app, &gid).await, ("4.33".to_string(), 3));
    let recent: Vec<String> = garage_now(&app, &gid).await["recent_reviews"]
        .as_array()
        .unwrap()
        .iter()
        .map(id)
        .collect();
    assert_eq!(recent, [ids[2].clone(), ids[1].clone(), ids[0].clone()]);
    for (i, token) in u.iter().enumerate().take(3) {
        assert_eq!(
            app.delete(&format!("/api/reviews/{}/", ids[i]))
                .bearer(token)
                .send()
                .await
                .status,
            204
        );
    }
    assert_eq!(rating(&app, &gid).await, ("0.00".to_string(), 0));
    assert_eq!(garage_now(&app, &gid).await["recent_reviews"], json!([]));
}

#[tokio::test]
async fn review_bodies_are_validated() {
    let app = app().await;
    let (_, token) = app.signed_in_user("valid").await;
    let gid = garage(&app, &token, "V", None).await;
    let path = format!("/api/garages/{gid}/review/");
    for (body, expected) in [
        (
            json!({}),
            json!({"reviewer_name": ["This field is required."], "rating": ["This field is required."]}),
        ),
        (
            json!({"reviewer_name": "a", "rating": 0}),
            json!({"rating": ["Ensure this value is greater than or equal to 1."]}),
        ),
        (
            json!({"reviewer_name": "a", "rating": 6}),
            json!({"rating": ["Ensure this value is less than or equal to 5."]}),
        ),
        (
            json!({"reviewer_name": "a", "rating": "x"}),
            json!({"rating": ["A valid integer is required."]}),
        ),
        (
            json!({"reviewer_name": "a", "rating": null}),
            json!({"rating": ["This field may not be null."]}),
        ),
        (
            json!({"reviewer_name": "n".repeat(101), "rating": 3, "reviewer_email": "bad", "comment": "c".repeat(2001)}),
            json!({"reviewer_name": ["Ensure this field has no more than 100 characters."],
                "reviewer_email": ["Enter a valid email address."],
                "comment": ["Ensure this field has no more than 2000 characters."]}),
        ),
    ] {
        let res = app
            .post(&path)
            .bearer(&token)
            .json(body.clone())
            .send()
            .await;
        assert_eq!(res.status, 400, "{body}");
        assert_eq!(res.body, expected, "{body}");
    }
    assert_eq!(
        app.post(&path)
            .json(json!({"reviewer_name": "a", "rating": 3}))
            .send()
            .await
            .status,
        401
    );
    let res = app
        .post("/api/garages/0195a000-0000-7000-8000-00000000ffff/review/")
        .bearer(&token)
        .json(json!({"reviewer_name": "a", "rating": 3}))
        .send()
        .await;
    assert_eq!(res.status, 404);
    assert_eq!(
        res.body,
        json!({"detail": "No Garage matches the given query."})
    );
    // The extremes are stored and read back unchanged.
    let res = app
        .post(&path)
        .bearer(&token)
        .json(json!({"reviewer_name": "n".repeat(100), "rating": 1, "comment": "c".repeat(2000)}))
        .send()
        .await;
    assert_eq!(res.status, 201);
    let read = get(&app, &format!("/api/reviews/{}/", id(&res.body)))
        .await
        .body;
    assert_eq!(
        (
            read["reviewer_name"].as_str().unwrap().len(),
            read["comment"].as_str().unwrap().len(),
            read["rating"].as_i64()
        ),
        (100, 2000, Some(1))
    );
    assert_eq!(garage_now(&app, &gid).await["average_rating"], "1.00");
    // A blank address is no address (the contract's field allows blank).
    let rid = id(&res.body);
    let res = app
        .patch(&format!("/api/reviews/{rid}/"))
        .bearer(&token)
        .json(json!({"reviewer_email": "  "}))
        .send()
        .await;
    assert_eq!(
        (res.status, res.body["reviewer_email"].clone()),
        (200, json!(""))
    );
}

#[tokio::test]
async fn one_review_per_user_and_garage() {
    let app = app().await;
    let (_, token) = app.signed_in_user("once").await;
    let gid = garage(&app, &token, "Once", None).await;
    let first = id(&review(&app, &token, &gid, 4).await.body);
    let res = review(&app, &token, &gid, 2).await;
    assert_eq!(res.status, 409);
    assert_eq!(res.body["review"], first);
    assert!(res.body["detail"].is_string());
    assert_eq!(rating(&app, &gid).await, ("4.00".to_string(), 1));
    assert_eq!(
        app.delete(&format!("/api/reviews/{first}/"))
            .bearer(&token)
            .send()
            .await
            .status,
        204
    );
    assert_eq!(
        review(&app, &token, &gid, 2).await.status,
        201,
        "free again"
    );
    assert_eq!(rating(&app, &gid).await, ("2.00".to_string(), 1));
}

#[tokio::test]
async fn only_the_author_or_staff_change_a_review() {
    let app = app().await;
    let (_, author) = app.signed_in_user("author").await;
    let (_, other) = app.signed_in_user("other").await;
    let (_, staff) = app.signed_in_staff("staff").await;
    let gid = garage(&app, &author, "Perm", None).await;
    let elsewhere = garage(&app, &author, "Elsewhere", None).await;
    let rid = id(&review(&app, &author, &gid, 3).await.body);
    let path = format!("/api/reviews/{rid}/");
    let res = get(&app, &path).await;
    assert_eq!(
        (res.status, res.body["rating"].clone()),
        (200, json!(3)),
        "anyone reads"
    );
    assert_eq!(
        app.patch(&path)
            .json(json!({"rating": 1}))
            .send()
            .await
            .status,
        401
    );
    for res in [
        app.patch(&path)
            .bearer(&other)
            .json(json!({"rating": 1}))
            .send()
            .await,
        app.put(&path)
            .bearer(&other)
            .json(json!({"reviewer_name": "x", "rating": 1}))
            .send()
            .await,
        app.delete(&path).bearer(&other).send().await,
    ] {
        assert_eq!(res.status, 403, "{}", res.text);
    }
    let res = app
        .patch(&path)
        .bearer(&author)
        .json(json!({"garage": elsewhere}))
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body,
        json!({"garage": ["A review cannot move to another garage."]})
    );
    let res = app
        .put(&path)
        .bearer(&author)
        .json(json!({"rating": 2}))
        .send()
        .await;
    assert_eq!(res.status, 400, "PUT needs every required field");
    let res = app
        .put(&path)
        .bearer(&staff)
        .json(json!({"reviewer_name": "Mod", "rating": 2, "garage": gid}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        (
            res.body["reviewer_name"].as_str(),
            res.body["comment"].as_str()
        ),
        (Some("Mod"), Some("ok"))
    );
    assert_eq!(rating(&app, &gid).await, ("2.00".to_string(), 1));
    assert_eq!(app.delete(&path).bearer(&staff).send().await.status, 204);
    let res = get(&app, &path).await;
    assert_eq!(res.status, 404);
    assert_eq!(
        res.body,
        json!({"detail": "No GarageReview matches the given query."})
    );
    assert_eq!(app.delete(&path).bearer(&author).send().await.status, 404);
}

#[tokio::test]
async fn the_reviews_collection_is_read_per_garage() {
    let app = app().await;
    let (_, owner) = app.signed_in_user("coll").await;
    let gid = garage(&app, &owner, "Coll", None).await;
    let u = users(&app, 3).await;
    let mut ids = Vec::new();
    for (token, r) in u.iter().zip([2, 5, 3]) {
        ids.push(id(&review(&app, token, &gid, r).await.body));
    }
    let res = get(&app, "/api/reviews/").await;
    assert_eq!(res.status, 400);
    assert_eq!(res.body, json!({"garage": ["This filter is required."]}));
    let listed = get(&app, &format!("/api/reviews/?garage={gid}")).await.body;
    assert_eq!(listed["count"], 3);
    let order: Vec<String> = listed["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(id)
        .collect();
    assert_eq!(
        order,
        [ids[2].clone(), ids[1].clone(), ids[0].clone()],
        "newest first"
    );
    let oldest = get(
        &app,
        &format!("/api/reviews/?garage={gid}&ordering=created_at"),
    )
    .await
    .body;
    assert_eq!(id(&oldest["results"][0]), ids[0]);
    for (query, field) in [
        ("rating=5", "rating"),
        ("ordering=rating", "ordering"),
        ("garage=nope", "garage"),
        ("garage=0195a000-0000-7000-8000-00000000ffff", "garage"),
    ] {
        let q = if query.starts_with("garage") {
            query.to_string()
        } else {
            format!("garage={gid}&{query}")
        };
        let res = get(&app, &format!("/api/reviews/?{q}")).await;
        assert_eq!(res.status, 400, "{q}");
        assert!(res.body[field].is_array(), "{q}: {}", res.text);
    }
    // POST with the garage in the body.
    let (_, late) = app.signed_in_user("late").await;
    let res = app
        .post("/api/reviews/")
        .bearer(&late)
        .json(json!({"garage": gid, "reviewer_name": "L", "rating": 5}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(rating(&app, &gid).await, ("3.75".to_string(), 4));
    let res = app.post("/api/reviews/").bearer(&late).json(json!({"garage": "0195a000-0000-7000-8000-00000000ffff", "reviewer_name": "L", "rating": 5})).send().await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body,
        json!({"garage": ["Invalid pk \"0195a000-0000-7000-8000-00000000ffff\" - object does not exist."]})
    );
    let res = app
        .post("/api/reviews/")
        .bearer(&late)
        .json(json!({"rating": 9}))
        .send()
        .await;
    assert_eq!(
        res.body,
        json!({"garage": ["This field is required."], "reviewer_name": ["This field is required."],
                                "rating": ["Ensure this value is less than or equal to 5."]})
    );
    assert_eq!(
        app.post("/api/reviews/")
            .json(json!({"garage": gid}))
            .send()
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn a_garage_s_reviews_page_newest_first() {
    let app = app().await;
    let (_, owner) = app.signed_in_user("paged").await;
    let gid = garage(&app, &owner, "Paged", None).await;
    let u = users(&app, 25).await;
    let mut ids = Vec::new();
    for token in &u {
        ids.push(id(&review(&app, token, &gid, 4).await.body));
    }
    ids.reverse();
    let first = get(&app, &format!("/api/garages/{gid}/reviews/"))
        .await
        .body;
    assert_eq!(first["count"], 25);
    let got: Vec<String> = first["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(id)
        .collect();
    assert_eq!(got, ids[..20]);
    let next = first["next"].as_str().unwrap();
    let second = get(&app, next.split_once("localhost").map_or(next, |(_, p)| p))
        .await
        .body;
    let got: Vec<String> = second["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(id)
        .collect();
    assert_eq!(got, ids[20..]);
    let bare = get(&app, &format!("/api/garages/{gid}/reviews/?page=2"))
        .await
        .body;
    assert_eq!(bare["results"], second["results"]);
    assert_eq!(
        get(&app, &format!("/api/garages/{gid}/reviews/?page=3"))
            .await
            .status,
        404
    );
    assert_eq!(
        get(
            &app,
            "/api/garages/0195a000-0000-7000-8000-00000000ffff/reviews/"
        )
        .await
        .status,
        404
    );
}

#[tokio::test]
async fn concurrent_reviews_of_one_garage_lose_nothing() {
    let app = app().await;
    let (_, owner) = app.signed_in_user("busy").await;
    let gid = garage(&app, &owner, "Busy", None).await;
    let u = users(&app, 8).await;
    let ratings = [5, 4, 4, 1, 3, 2, 5, 5];
    let sent = testkit::join_all(
        u.iter()
            .zip(ratings)
            .map(|(t, r)| review(&app, t, &gid, r))
            .collect(),
    )
    .await;
    for res in &sent {
        assert_eq!(res.status, 201, "{}", res.text);
    }
    // 29 / 8 = 3.625: half to even gives 3.62.
    assert_eq!(rating(&app, &gid).await, ("3.62".to_string(), 8));
    let listed = get(&app, &format!("/api/garages/{gid}/reviews/"))
        .await
        .body;
    assert_eq!(listed["count"], 8);
    assert_eq!(listed["results"].as_array().unwrap().len(), 8);
}

#[tokio::test]
async fn identical_concurrent_writes_leave_the_data_right() {
    let app = app().await;
    let (_, owner) = app.signed_in_user("twice").await;
    let (_, token) = app.signed_in_user("clicker").await;
    let gid = garage(&app, &owner, "Twice", None).await;
    // One user posting the same review twice at once: one counts.
    let sent = testkit::join_all(vec![
        review(&app, &token, &gid, 5),
        review(&app, &token, &gid, 5),
    ])
    .await;
    let won = testkit::one_winner(&sent, 201, &[409]);
    let rid = id(&won.body);
    assert_eq!(rating(&app, &gid).await, ("5.00".to_string(), 1));
    // Two deletes of one review at once: one 204, the count moves once.
    let (_, other) = app.signed_in_user("second").await;
    assert_eq!(review(&app, &other, &gid, 3).await.status, 201);
    let path = format!("/api/reviews/{rid}/");
    let gone = testkit::join_all(vec![
        app.delete(&path).bearer(&token).send(),
        app.delete(&path).bearer(&token).send(),
    ])
    .await;
    testkit::one_winner(&gone, 204, &[404]);
    assert_eq!(rating(&app, &gid).await, ("3.00".to_string(), 1));
    // The owner edits the garage while reviews arrive: both land.
    let u = users(&app, 3).await;
    let mut work: Vec<_> = u
        .iter()
        .map(|t| {
            Box::pin(async { review(&app, t, &gid, 4).await })
                as std::pin::Pin<Box<dyn std::future::Future<Output = testkit::TestResponse>>>
        })
        .collect();
    work.push(Box::pin(async {
        app.patch(&format!("/api/garages/{gid}/"))
            .bearer(&owner)
            .json(json!({"name": "Renamed"}))
            .send()
            .await
    }));
    for res in testkit::join_all(work).await {
        assert!(res.status == 200 || res.status == 201, "{}", res.text);
    }
    let g = garage_now(&app, &gid).await;
    assert_eq!(
        (
            g["name"].as_str(),
            g["total_reviews"].as_i64(),
            g["average_rating"].as_str()
        ),
        (Some("Renamed"), Some(4), Some("3.75"))
    );
    // The directory's facets follow: the rating order lists it once.
    let listed = get(&app, "/api/garages/?search=renamed").await.body;
    assert_eq!(listed["count"], 1);
}
