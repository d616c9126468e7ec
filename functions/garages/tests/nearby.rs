//! Nearby search, top rated and by specialty through the router and the
//! real SDK: distances, the radius edge, geohash cell borders, bad input.

mod common;

use common::*;
use serde_json::{json, Value};
use shared::domain::geo::{distance_km, Position, EARTH_RADIUS_KM};

/// The point `km` from `(lat, lng)` due north (bearing 0) or due east (90).
fn moved(lat: f64, lng: f64, bearing: f64, km: f64) -> (f64, f64) {
    let (lat1, lng1, b) = (lat.to_radians(), lng.to_radians(), bearing.to_radians());
    let d = km / EARTH_RADIUS_KM;
    let lat2 = (lat1.sin() * d.cos() + lat1.cos() * d.sin() * b.cos()).asin();
    let lng2 = lng1 + (b.sin() * d.sin() * lat1.cos()).atan2(d.cos() - lat1.sin() * lat2.sin());
    let lng2 = (lng2.to_degrees() + 540.0) % 360.0 - 180.0;
    (lat2.to_degrees(), lng2)
}

async fn nearby(app: &TestApp, query: &str) -> Value {
    let res = get(app, &format!("/api/garages/nearby/?{query}")).await;
    assert_eq!(res.status, 200, "{query}: {}", res.text);
    res.body
}

#[tokio::test]
async fn the_spec_example_and_distance_order() {
    let app = app().await;
    let (_, token) = app.signed_in_user("near").await;
    garage(&app, &token, "Centre", Some((48.8566, 2.3522))).await;
    garage(&app, &token, "Farther", Some((48.87, 2.36))).await;
    garage(&app, &token, "Lyon", Some((45.764, 4.8357))).await;
    garage(&app, &token, "Nowhere", None).await;
    let rows = nearby(&app, "lat=48.85&lng=2.35").await;
    assert_eq!(names(&rows), ["Centre", "Farther"]);
    assert_eq!(rows[0]["distance_km"], json!(0.75));
    let expected = distance_km(
        Position::new(48.85, 2.35).unwrap(),
        Position::new(48.87, 2.36).unwrap(),
    );
    assert_eq!(
        rows[1]["distance_km"],
        json!(format!("{expected:.2}").parse::<f64>().unwrap())
    );
    assert_eq!(rows[0]["location"]["coordinates"], json!([2.3522, 48.8566]));
    // The reference's path answers the same.
    let alias = get(&app, "/api/garages/search_nearby/?lat=48.85&lng=2.35").await;
    assert_eq!(alias.body, rows);
    // 50 km reaches nothing more; the whole of France from Lyon does not fit.
    assert_eq!(
        names(&nearby(&app, "lat=48.85&lng=2.35&radius=50").await),
        ["Centre", "Farther"]
    );
    assert_eq!(
        names(&nearby(&app, "lat=45.76&lng=4.83&radius=1").await),
        ["Lyon"]
    );
    assert_eq!(nearby(&app, "lat=0&lng=0&radius=0").await, json!([]));
}

#[tokio::test]
async fn the_radius_edge_is_inclusive_and_exact() {
    let app = app().await;
    let (_, token) = app.signed_in_user("edge").await;
    let (lat, lng) = (46.2, 6.1);
    for (name, km) in [("In", 9.99), ("Out", 10.01), ("East-in", 9.995)] {
        let bearing = if name.starts_with("East") { 90.0 } else { 0.0 };
        garage(&app, &token, name, Some(moved(lat, lng, bearing, km))).await;
    }
    let rows = nearby(&app, &format!("lat={lat}&lng={lng}")).await;
    assert_eq!(names(&rows), ["In", "East-in"], "default radius 10 km");
    assert_eq!(rows[0]["distance_km"], json!(9.99));
    assert_eq!(
        names(&nearby(&app, &format!("lat={lat}&lng={lng}&radius=10.02")).await).len(),
        3
    );
}

#[tokio::test]
async fn garages_across_geohash_cell_borders_are_found() {
    let app = app().await;
    let (_, token) = app.signed_in_user("cells").await;
    // Each pair straddles a border of the 2-character cells (the index's
    // partitions): the Greenwich meridian in Normandy (gb|u0), 45° N near
    // Valence (sp|u0 and u0|u0), the antimeridian, and the North Pole.
    let pairs = [
        ((49.3, -0.01), (49.3, 0.01)),
        ((44.99, 4.9), (45.01, 4.9)),
        ((-17.5, 179.99), (-17.5, -179.99)),
        ((89.9, 0.0), (89.9, 180.0)),
    ];
    for (i, (a, b)) in pairs.iter().enumerate() {
        garage(&app, &token, &format!("P{i}a"), Some(*a)).await;
        garage(&app, &token, &format!("P{i}b"), Some(*b)).await;
    }
    for (i, (a, b)) in pairs.iter().enumerate() {
        let gap = distance_km(
            Position::new(a.0, a.1).unwrap(),
            Position::new(b.0, b.1).unwrap(),
        );
        assert!(gap < 25.0, "{i}: {gap}");
        let from_a = nearby(&app, &format!("lat={}&lng={}&radius=25", a.0, a.1)).await;
        assert_eq!(
            names(&from_a),
            [format!("P{i}a"), format!("P{i}b")],
            "pair {i}"
        );
        let from_b = nearby(&app, &format!("lat={}&lng={}&radius=25", b.0, b.1)).await;
        assert_eq!(
            names(&from_b),
            [format!("P{i}b"), format!("P{i}a")],
            "pair {i}"
        );
    }
}

#[tokio::test]
async fn bad_coordinates_and_radius_are_400_with_the_spec_shape() {
    let app = app().await;
    let invalid = json!({"error": "Invalid coordinates. Please provide lat and lng parameters."});
    for query in [
        "",
        "lat=48",
        "lng=2",
        "lat=abc&lng=2",
        "lat=48&lng=",
        "lat=nan&lng=2",
        "lat=inf&lng=2",
        "lat=91&lng=2",
        "lat=48&lng=-180.5",
        "lat=48&lng=2&radius=x",
        "lat=48&lng=2&radius=",
        "lat=1e400&lng=2",
    ] {
        let res = get(&app, &format!("/api/garages/nearby/?{query}")).await;
        assert_eq!(res.status, 400, "{query}");
        assert_eq!(res.body, invalid, "{query}");
    }
    for radius in ["50.01", "-1", "1e9"] {
        let res = get(
            &app,
            &format!("/api/garages/nearby/?lat=48&lng=2&radius={radius}"),
        )
        .await;
        assert_eq!(res.status, 400, "{radius}");
        assert_eq!(
            res.body,
            json!({"error": "radius must be between 0 and 50 km."})
        );
    }
    for edge in [
        "lat=90&lng=180&radius=50",
        "lat=-90&lng=-180&radius=0",
        "lat=+48.5&lng=-2e0",
    ] {
        assert_eq!(
            get(&app, &format!("/api/garages/nearby/?{edge}"))
                .await
                .status,
            200,
            "{edge}"
        );
    }
}

#[tokio::test]
async fn nearby_reads_follow_the_covered_cells_not_the_directory() {
    let app = app().await;
    let (_, token) = app.signed_in_user("cost").await;
    garage(&app, &token, "Paris", Some((48.8566, 2.3522))).await;
    let measure = || {
        let app = &app;
        async move {
            let (calls, items) = (app.calls(), app.items_read());
            let rows = nearby(app, "lat=48.85&lng=2.35&radius=5").await;
            (
                names(&rows).len(),
                app.items_read() - items,
                app.calls() - calls,
            )
        }
    };
    let before = measure().await;
    // Garages elsewhere in France do not change what a Paris search reads.
    for i in 0..30 {
        garage(
            &app,
            &token,
            &format!("Lyon {i}"),
            Some((45.76 + f64::from(i) * 0.001, 4.83)),
        )
        .await;
    }
    assert_eq!(measure().await, before);
    assert_eq!(before.0, 1);
}

#[tokio::test]
async fn top_rated_needs_three_reviews_and_a_sane_limit() {
    let app = app().await;
    let (_, token) = app.signed_in_user("top").await;
    let raters: Vec<String> = {
        let mut tokens = Vec::new();
        for i in 0..3 {
            tokens.push(app.signed_in_user(&format!("rater{i}")).await.1);
        }
        tokens
    };
    let good = garage(&app, &token, "Good", None).await;
    let best = garage(&app, &token, "Best", None).await;
    let few = garage(&app, &token, "Few", None).await;
    for (i, rater) in raters.iter().enumerate() {
        assert_eq!(review(&app, rater, &good, 4).await.status, 201);
        assert_eq!(review(&app, rater, &best, 5).await.status, 201);
        if i < 2 {
            assert_eq!(review(&app, rater, &few, 5).await.status, 201);
        }
    }
    let top = get(&app, "/api/garages/top_rated/").await;
    assert_eq!(top.status, 200);
    assert_eq!(names(&top.body), ["Best", "Good"]);
    assert_eq!(top.body[0]["average_rating"], "5.00");
    assert_eq!(
        names(&get(&app, "/api/garages/top_rated/?limit=1").await.body),
        ["Best"]
    );
    assert_eq!(
        get(&app, "/api/garages/top_rated/?limit=0").await.body,
        json!([])
    );
    for (limit, message) in [
        ("x", "A valid integer is required."),
        ("%0A", "A valid integer is required."),
        ("-1", "Ensure this value is greater than or equal to 0."),
        ("101", "Ensure this value is less than or equal to 100."),
    ] {
        let res = get(&app, &format!("/api/garages/top_rated/?limit={limit}")).await;
        assert_eq!(res.status, 400, "{limit}");
        assert_eq!(res.body, json!({"limit": [message]}));
    }
}

#[tokio::test]
async fn by_specialty_is_exact_and_signed_in() {
    let app = app().await;
    let (_, token) = app.signed_in_user("spec").await;
    let mut tyres = body("Tyres", None);
    tyres["specialties"] = json!(["Pneus", "Freins"]);
    create(&app, &token, tyres).await;
    let mut paint = body("Paint", None);
    paint["specialties"] = json!(["Carrosserie"]);
    create(&app, &token, paint).await;
    let res = get(&app, "/api/garages/by_specialty/?specialty=Freins").await;
    assert_eq!(res.status, 401);
    let by = |q: &str| {
        let path = format!("/api/garages/by_specialty/?{q}");
        let (app, token) = (&app, &token);
        async move {
            let res = app.get(&path).bearer(token).send().await;
            assert_eq!(res.status, 200, "{}", res.text);
            names(&res.body)
        }
    };
    assert_eq!(by("specialty=Freins").await, ["Tyres"]);
    assert_eq!(by("specialty=freins").await, Vec::<String>::new(), "exact");
    assert_eq!(
        by("specialty=Frei").await,
        Vec::<String>::new(),
        "not a prefix"
    );
    assert_eq!(by("").await, ["Paint", "Tyres"]);
    assert_eq!(by("limit=1").await.len(), 1);
    assert_eq!(
        by(&format!("specialty={}", "s".repeat(4000))).await,
        Vec::<String>::new()
    );
}
