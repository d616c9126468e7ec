//! The directory through the router and the real SDK against the emulator:
//! create, detail, edit, delete, permissions, list forms and pages.

mod common;

use common::*;
use serde_json::{json, Value};

#[tokio::test]
async fn create_answers_the_full_garage_and_ignores_read_only_fields() {
    let app = app().await;
    let (_, token) = app.signed_in_user("creator").await;
    let mut input = body("  Garage du Centre ", Some((48.8566, 2.3522)));
    input["average_rating"] = json!("4.99");
    input["total_reviews"] = json!(12);
    input["location"] = json!({"type": "Point", "coordinates": [0, 0]});
    input["specialties"] = json!([" Pneus ", "Freins", "Pneus"]);
    let g = create(&app, &token, input).await;
    assert!(g["id"].is_string(), "the id the reference forgot");
    assert_eq!(g["name"], "Garage du Centre");
    assert_eq!(
        g["location"],
        json!({"type": "Point", "coordinates": [2.3522, 48.8566]})
    );
    assert_eq!(g["average_rating"], "0.00");
    assert_eq!(g["total_reviews"], 0);
    assert_eq!(g["reviews_count"], 0);
    assert_eq!(g["recent_reviews"], json!([]));
    assert_eq!(g["specialties"], json!(["Pneus", "Freins"]));
    assert_eq!(g["certifications"], json!([]));

    let res = get(&app, &format!("/api/garages/{}/", id(&g))).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["all_reviews"], json!([]));
    assert_eq!(res.body["location"], g["location"]);
    assert_eq!(res.body["name"], g["name"]);
}

#[tokio::test]
async fn create_reports_every_bad_field() {
    let app = app().await;
    let (_, token) = app.signed_in_user("bad").await;
    let res = app
        .post("/api/garages/")
        .bearer(&token)
        .json(
            json!({"email": "nope", "latitude": 90.0001, "longitude": "abc",
                     "specialties": "Pneus", "certifications": ["x".repeat(101)],
                     "phone": "0".repeat(21)}),
        )
        .send()
        .await;
    assert_eq!(res.status, 400, "{}", res.text);
    assert_eq!(
        res.body,
        json!({
            "name": ["This field is required."],
            "email": ["Enter a valid email address."],
            "phone": ["Ensure this field has no more than 20 characters."],
            "address": ["This field is required."],
            "latitude": ["Ensure this value is less than or equal to 90."],
            "longitude": ["A valid number is required."],
            "specialties": ["Expected a list of items but got type \"str\"."],
            "certifications": ["Item 1: Ensure this field has no more than 100 characters."],
        })
    );
    // One coordinate without the other; null coordinates; too many items.
    for (extra, field, message) in [
        (
            json!({"latitude": 45}),
            "longitude",
            "This field is required when latitude is given.",
        ),
        (
            json!({"longitude": 4}),
            "latitude",
            "This field is required when longitude is given.",
        ),
        (
            json!({"latitude": null, "longitude": 4}),
            "latitude",
            "This field may not be null.",
        ),
        (
            json!({"latitude": -90.5, "longitude": 4}),
            "latitude",
            "Ensure this value is greater than or equal to -90.",
        ),
        (
            json!({"latitude": 1, "longitude": 180.01}),
            "longitude",
            "Ensure this value is less than or equal to 180.",
        ),
        (
            json!({"specialties": (0..11).map(|i| format!("s{i}")).collect::<Vec<_>>()}),
            "specialties",
            "Ensure this field has no more than 10 elements.",
        ),
    ] {
        let mut input = body("G", None);
        input
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let res = app
            .post("/api/garages/")
            .bearer(&token)
            .json(input)
            .send()
            .await;
        assert_eq!(res.status, 400, "{extra}");
        assert_eq!(res.body, json!({field: [message]}), "{extra}");
    }
    // Nothing half-written: the directory is still empty.
    let res = get(&app, "/api/garages/").await;
    assert_eq!(res.body["count"], 0);
}

#[tokio::test]
async fn the_extremes_of_every_field_are_stored_and_read_back() {
    let app = app().await;
    let (_, token) = app.signed_in_user("extremes").await;
    let specialties: Vec<String> = (0..10).map(|i| format!("{i}{}", "s".repeat(49))).collect();
    for (lat, lng) in [
        (90.0, 180.0),
        (-90.0, -180.0),
        (0.0, 0.0),
        (-0.000001, 179.999999),
    ] {
        let input = json!({
            "name": "N".repeat(200), "email": format!("{}@{}.fr", "a".repeat(64), "b".repeat(60)),
            "address": "A".repeat(255), "phone": "0".repeat(20), "city": "C".repeat(100),
            "postal_code": "P".repeat(20), "country": "K".repeat(100),
            "description": "d".repeat(5000), "latitude": lat, "longitude": lng,
            "specialties": specialties, "certifications": vec!["c".repeat(100); 1],
        });
        let g = create(&app, &token, input.clone()).await;
        let read = get(&app, &format!("/api/garages/{}/", id(&g))).await.body;
        for field in [
            "name",
            "email",
            "address",
            "phone",
            "city",
            "postal_code",
            "country",
            "description",
            "specialties",
            "certifications",
        ] {
            assert_eq!(read[field], input[field], "{field}");
        }
        assert_eq!(read["location"]["coordinates"], json!([lng, lat]));
    }
    // Coordinates keep 9 decimals (0.1 mm): a float DynamoDB could not
    // store (under 1e-130) reads back as 0, never a failed write.
    let mut tiny = body("\u{2001}Tiny \u{1F60D}", None);
    tiny["latitude"] = json!(1e-200);
    tiny["longitude"] = json!(4.48262593755196e-136);
    tiny["specialties"] = json!(["\u{b1efc}", "P\u{53fcb}"]);
    let g = create(&app, &token, tiny).await;
    assert_eq!(g["location"]["coordinates"], json!([0.0, 0.0]));
    assert_eq!(g["name"], "Tiny \u{1F60D}");
    let mut fine = body("Fine", None);
    fine["latitude"] = json!(48.123456789012);
    fine["longitude"] = json!(-2.0000000004);
    let g = create(&app, &token, fine).await;
    assert_eq!(g["location"]["coordinates"], json!([-2.0, 48.123456789]));
    // Blank optional texts and null ones are kept as given.
    let g = create(
        &app,
        &token,
        json!({"name": "B", "email": "b@example.com", "address": "x",
                                         "city": "", "phone": null}),
    )
    .await;
    assert_eq!(
        (g["city"].clone(), g["phone"].clone()),
        (json!(""), Value::Null)
    );
    assert_eq!(g["location"], Value::Null);
}

#[tokio::test]
async fn only_the_creator_or_staff_change_a_garage() {
    let app = app().await;
    let (_, owner) = app.signed_in_user("owner").await;
    let (_, other) = app.signed_in_user("other").await;
    let (_, staff) = app.signed_in_staff("staff").await;
    let gid = garage(&app, &owner, "Mine", Some((45.0, 4.0))).await;
    let path = format!("/api/garages/{gid}/");

    let res = app.post("/api/garages/").json(body("x", None)).send().await;
    assert_eq!(res.status, 401);
    let res = app.patch(&path).json(json!({"name": "x"})).send().await;
    assert_eq!(res.status, 401);
    let res = app.get("/api/garages/").bearer("not-a-token").send().await;
    assert_eq!(res.status, 401, "a bad token on a public endpoint");
    for method in ["PATCH", "PUT", "DELETE"] {
        let req = match method {
            "PATCH" => app.patch(&path),
            "PUT" => app.put(&path),
            _ => app.delete(&path),
        };
        let res = req.bearer(&other).json(body("Theirs", None)).send().await;
        assert_eq!(res.status, 403, "{method}: {}", res.text);
        assert!(res.body["detail"].is_string());
    }
    let res = app
        .patch(&path)
        .bearer(&owner)
        .json(json!({"name": "Renamed"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["name"], "Renamed");
    let res = app
        .patch(&path)
        .bearer(&staff)
        .json(json!({"phone": "0102030405"}))
        .send()
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(
        (res.body["name"].as_str(), res.body["phone"].as_str()),
        (Some("Renamed"), Some("0102030405"))
    );

    let res = app.delete(&path).bearer(&staff).send().await;
    assert_eq!(res.status, 204);
    assert_eq!(get(&app, &path).await.status, 404);
    let res = app.delete(&path).bearer(&owner).send().await;
    assert_eq!(res.status, 404);
    assert_eq!(
        res.body,
        json!({"detail": "No Garage matches the given query."})
    );
}

#[tokio::test]
async fn put_needs_the_required_fields_and_keeps_the_position_patch_keeps_the_rest() {
    let app = app().await;
    let (_, token) = app.signed_in_user("put").await;
    let gid = garage(&app, &token, "Before", Some((43.3, 5.4))).await;
    let path = format!("/api/garages/{gid}/");
    let res = app
        .put(&path)
        .bearer(&token)
        .json(json!({"name": "x"}))
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body,
        json!({"email": ["This field is required."], "address": ["This field is required."]})
    );
    let res = app
        .put(&path)
        .bearer(&token)
        .json(json!({"name": "After", "email": "new@example.com", "address": "2 rue", "city": "Marseille"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        res.body["location"]["coordinates"],
        json!([5.4, 43.3]),
        "kept"
    );
    assert_eq!(res.body["specialties"], json!(["Pneus"]), "not given: kept");
    let res = app
        .patch(&path)
        .bearer(&token)
        .json(json!({"latitude": 44.0, "longitude": 5.0}))
        .send()
        .await;
    assert_eq!(res.body["location"]["coordinates"], json!([5.0, 44.0]));
    assert_eq!(res.body["name"], "After");
    // The city moved: the filters and counts follow.
    let lists = |q: &'static str| {
        let app = &app;
        async move { get(app, &format!("/api/garages/?{q}")).await.body }
    };
    assert_eq!(lists("city=Paris").await["count"], 0);
    assert_eq!(names(&lists("city=Marseille").await), ["After"]);
    assert_eq!(names(&lists("postal_code=75002").await), ["After"]);
}

#[tokio::test]
async fn unknown_and_impossible_ids_are_404() {
    let app = app().await;
    let (_, token) = app.signed_in_user("ids").await;
    for path in [
        "/api/garages/0195a000-0000-7000-8000-00000000ffff/",
        "/api/garages/nope/",
        &format!("/api/garages/{}/", "x".repeat(300)),
    ] {
        let res = get(&app, path).await;
        assert_eq!(res.status, 404, "{path}");
        let res = app
            .patch(path)
            .bearer(&token)
            .json(json!({"name": "x"}))
            .send()
            .await;
        assert_eq!(res.status, 404, "{path}");
    }
}

/// Creates `n` garages named `<prefix>NN` through the API.
async fn many(app: &TestApp, token: &str, prefix: &str, n: usize) {
    let bodies: Vec<_> = (0..n)
        .map(|i| {
            let mut b = body(&format!("{prefix}{i:02}"), None);
            b["city"] = json!(if i % 3 == 0 { "Lyon" } else { "Paris" });
            b
        })
        .collect();
    for chunk in bodies.chunks(8) {
        let futures = chunk
            .iter()
            .map(|b| {
                app.post("/api/garages/")
                    .bearer(token)
                    .json(b.clone())
                    .send()
            })
            .collect();
        for res in testkit::join_all(futures).await {
            assert_eq!(res.status, 201, "{}", res.text);
        }
    }
}

#[tokio::test]
async fn pages_follow_cursor_links_and_bare_page_numbers_agree() {
    let app = app().await;
    let (_, token) = app.signed_in_user("pages").await;
    many(&app, &token, "G", 45).await;
    let first = get(&app, "/api/garages/?ordering=name").await.body;
    assert_eq!(first["count"], 45);
    assert_eq!(first["previous"], Value::Null);
    assert_eq!(names(&first).first().map(String::as_str), Some("G00"));
    let next = first["next"].as_str().unwrap();
    assert!(
        next.contains("ordering=name") && next.contains("page=2") && next.contains("after="),
        "{next}"
    );
    let path = next.split_once("localhost").map_or(next, |(_, p)| p);
    let second = get(&app, path).await.body;
    let expected: Vec<String> = (20..40).map(|i| format!("G{i:02}")).collect();
    assert_eq!(names(&second), expected);
    assert_eq!(
        names(&get(&app, "/api/garages/?ordering=name&page=2").await.body),
        expected
    );
    // Back from page 3 by its previous link (a `before` cursor).
    let third_link = second["next"].as_str().unwrap();
    let third = get(
        &app,
        third_link
            .split_once("localhost")
            .map_or(third_link, |(_, p)| p),
    )
    .await
    .body;
    assert_eq!(names(&third), ["G40", "G41", "G42", "G43", "G44"]);
    assert_eq!(third["next"], Value::Null);
    let back = third["previous"].as_str().unwrap();
    assert!(back.contains("before="), "{back}");
    assert_eq!(
        names(
            &get(&app, back.split_once("localhost").map_or(back, |(_, p)| p))
                .await
                .body
        ),
        expected
    );
    assert!(
        !second["previous"].as_str().unwrap().contains("page="),
        "page 1 is the bare URL"
    );
    // Last page, descending order, and pages out of range.
    assert_eq!(
        names(
            &get(&app, "/api/garages/?ordering=-name&page=last")
                .await
                .body
        ),
        ["G04", "G03", "G02", "G01", "G00"]
    );
    for bad in ["4", "0", "abc"] {
        let res = get(&app, &format!("/api/garages/?page={bad}")).await;
        assert_eq!(res.status, 404, "{bad}");
        assert_eq!(res.body, json!({"detail": "Invalid page."}));
    }
    let res = get(&app, "/api/garages/?page=2&after=%%%").await;
    assert_eq!(res.status, 400);
    assert_eq!(res.body, json!({"after": ["Invalid cursor."]}));
}

#[tokio::test]
async fn a_deep_page_without_a_cursor_is_a_400_not_a_long_read() {
    let app = app().await;
    let (_, token) = app.signed_in_user("deep").await;
    many(&app, &token, "D", 3).await;
    // The counter says 10,000: page 100 is 1,980 keys from either end.
    let (pk, sk) = shared::store::keys::garage_count_key("ALL");
    app.set_number(&pk, &sk, "n", 10_000).await;
    let res = get(&app, "/api/garages/?page=100").await;
    assert_eq!(res.status, 400, "{}", res.text);
    assert!(res.body["page"][0]
        .as_str()
        .unwrap()
        .contains("next and previous links"));
    let res = get(&app, "/api/garages/?page=500").await;
    assert_eq!(res.status, 200, "the last page is read from the end");
}

#[tokio::test]
async fn orderings_filters_and_the_forms_that_are_not_served() {
    let app = app().await;
    let (_, token) = app.signed_in_user("orders").await;
    let (_, other) = app.signed_in_user("rater").await;
    let (_, third) = app.signed_in_user("rater2").await;
    let a = garage(&app, &token, "Alpha", None).await;
    let b = garage(&app, &token, "Bravo", None).await;
    garage(&app, &token, "Charlie", None).await;
    assert_eq!(review(&app, &other, &b, 5).await.status, 201);
    assert_eq!(review(&app, &third, &b, 4).await.status, 201);
    assert_eq!(review(&app, &other, &a, 3).await.status, 201);
    let list = |q: &str| {
        let path = format!("/api/garages/?{q}");
        let app = &app;
        async move { names(&get(app, &path).await.body) }
    };
    assert_eq!(
        list("").await,
        ["Bravo", "Alpha", "Charlie"],
        "-average_rating, name"
    );
    assert_eq!(
        list("ordering=average_rating").await,
        ["Charlie", "Alpha", "Bravo"]
    );
    assert_eq!(list("ordering=-name").await, ["Charlie", "Bravo", "Alpha"]);
    assert_eq!(
        list("ordering=-total_reviews").await,
        ["Bravo", "Alpha", "Charlie"]
    );
    assert_eq!(
        list("ordering=created_at").await,
        ["Alpha", "Bravo", "Charlie"]
    );
    assert_eq!(
        list("ordering=-created_at").await,
        ["Charlie", "Bravo", "Alpha"]
    );
    assert_eq!(
        list("ordering=bogus").await,
        ["Bravo", "Alpha", "Charlie"],
        "unknown: default"
    );
    assert_eq!(
        list("city=Paris&ordering=average_rating").await,
        ["Charlie", "Alpha", "Bravo"]
    );
    assert_eq!(
        list("city=paris").await,
        Vec::<String>::new(),
        "exact, case-sensitive"
    );
    assert_eq!(list("city=").await.len(), 3, "empty filter ignored");
    assert_eq!(list("country=France").await, ["Bravo", "Alpha", "Charlie"]);
    // A search is served with any filter and ordering (its matches are few).
    assert_eq!(list("search=a&ordering=-total_reviews").await, ["Alpha"]);
    assert_eq!(
        list("search=%20b&city=Paris&country=France&ordering=name").await,
        ["Bravo"]
    );
    assert_eq!(list("search=c&city=Lyon").await, Vec::<String>::new());
    for (query, field) in [
        ("city=Paris&country=France", "non_field_errors"),
        ("city=Paris&ordering=name", "ordering"),
    ] {
        let res = get(&app, &format!("/api/garages/?{query}")).await;
        assert_eq!(res.status, 400, "{query}");
        assert!(res.body[field].is_array(), "{query}: {}", res.text);
    }
    // A filter value longer than any stored one matches nothing.
    let long = "x".repeat(3000);
    let res = get(&app, &format!("/api/garages/?city={long}")).await;
    assert_eq!((res.status, res.body["count"].clone()), (200, json!(0)));
}

#[tokio::test]
async fn search_is_a_name_prefix_folded_and_bounded() {
    let app = app().await;
    let (_, token) = app.signed_in_user("search").await;
    for name in [
        "Électro-Auto Lyon",
        "Garage du Pré",
        "Garage du Centre",
        "Carrosserie Pré",
    ] {
        garage(&app, &token, name, None).await;
    }
    let search = |q: &str| {
        let path = format!("/api/garages/?search={q}");
        let app = &app;
        async move { get(app, &path).await.body }
    };
    assert_eq!(
        names(&search("garage%20du").await),
        ["Garage du Centre", "Garage du Pré"]
    );
    assert_eq!(names(&search("electro").await), ["Électro-Auto Lyon"]);
    assert_eq!(names(&search("GARAGE-DU-PRE").await), ["Garage du Pré"]);
    assert_eq!(search("pre").await["count"], 0, "inside a name: not served");
    assert_eq!(
        names(&search("garage&ordering=-name").await),
        ["Garage du Pré", "Garage du Centre"]
    );
    assert_eq!(
        search("%20%20").await["count"],
        4,
        "blank search: no search"
    );
    let long = "a".repeat(5000);
    assert_eq!(search(&long).await["count"], 0);

    // More matches than a search may count: a 400 asking for more letters.
    let directory = app.state.store.garages();
    let garages: Vec<_> = (0..201)
        .map(|i| {
            shared::domain::garages::Garage::new(
                shared::domain::garages::GarageFields {
                    name: format!("Same {i:03}"),
                    email: "s@example.com".into(),
                    address: "x".into(),
                    ..Default::default()
                },
                None,
            )
        })
        .collect();
    for chunk in garages.chunks(20) {
        testkit::join_all(chunk.iter().map(|g| directory.create(g)).collect()).await;
    }
    let res = get(&app, "/api/garages/?search=same").await;
    assert_eq!(res.status, 400);
    assert!(res.body["search"][0].as_str().unwrap().contains("200"));
    assert_eq!(search("same%2019").await["count"], 10);
}

#[tokio::test]
async fn a_list_page_reads_the_same_whatever_the_directory_holds() {
    let app = app().await;
    let (_, token) = app.signed_in_user("flat").await;
    let measure = |q: &'static str| {
        let app = &app;
        async move {
            let (calls, items) = (app.calls(), app.items_read());
            let res = get(app, q).await;
            assert_eq!(res.status, 200);
            (app.calls() - calls, app.items_read() - items)
        }
    };
    many(&app, &token, "A", 30).await;
    let small = (
        measure("/api/garages/").await,
        measure("/api/garages/?city=Paris").await,
    );
    many(&app, &token, "B", 60).await;
    let large = (
        measure("/api/garages/").await,
        measure("/api/garages/?city=Paris").await,
    );
    assert_eq!(small, large);
    // A count, 20 keys and 20 garages.
    assert_eq!(small.0, (3, 41));
}

#[tokio::test]
async fn deleting_a_garage_takes_its_reviews_and_frees_the_reviewers() {
    let app = app().await;
    let (_, owner) = app.signed_in_user("del-owner").await;
    let (_, reviewer) = app.signed_in_user("del-reviewer").await;
    let gone = garage(&app, &owner, "Gone", Some((45.0, 4.0))).await;
    let kept = garage(&app, &owner, "Kept", None).await;
    let res = review(&app, &reviewer, &gone, 4).await;
    let review_id = id(&res.body);
    assert_eq!(
        app.delete(&format!("/api/garages/{gone}/"))
            .bearer(&owner)
            .send()
            .await
            .status,
        204
    );
    assert_eq!(
        get(&app, &format!("/api/reviews/{review_id}/"))
            .await
            .status,
        404
    );
    assert_eq!(
        get(&app, &format!("/api/garages/{gone}/reviews/"))
            .await
            .status,
        404
    );
    assert_eq!(names(&get(&app, "/api/garages/").await.body), ["Kept"]);
    let near = get(&app, "/api/garages/nearby/?lat=45&lng=4").await.body;
    assert_eq!(near, json!([]));
    assert_eq!(review(&app, &reviewer, &kept, 5).await.status, 201);
    // Nothing of the garage is left in the table.
    let left = app
        .state
        .store
        .query_range(
            None,
            &shared::store::keys::garage_pk(&gone),
            &shared::store::SortRange::All,
            true,
            None,
        )
        .await
        .unwrap();
    assert!(left.is_empty(), "{left:?}");
}

#[tokio::test]
async fn an_interrupted_delete_is_finished_by_the_next_one() {
    let app = app().await;
    let (_, owner) = app.signed_in_user("resume").await;
    let (_, reviewer) = app.signed_in_user("resume-r").await;
    let gid = garage(&app, &owner, "Half", None).await;
    assert_eq!(review(&app, &reviewer, &gid, 2).await.status, 201);
    // As a crash after the first step would leave it.
    let directory = app.state.store.garages();
    let read = directory.get(&gid).await.unwrap().unwrap();
    let mut marked = read.clone();
    marked.deleting = true;
    directory.save(&read, &marked, Vec::new()).await.unwrap();
    assert_eq!(get(&app, &format!("/api/garages/{gid}/")).await.status, 404);
    assert_eq!(review(&app, &reviewer, &gid, 2).await.status, 404);
    assert_eq!(
        app.delete(&format!("/api/garages/{gid}/"))
            .bearer(&owner)
            .send()
            .await
            .status,
        204
    );
    assert!(directory.get(&gid).await.unwrap().is_none());
}
