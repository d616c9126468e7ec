//! Brands and models: read by any signed-in user, written by staff only.

use serde_json::{json, Value};

type TestApp = testkit::TestApp<vehicles::VehiclesState>;

async fn app() -> TestApp {
    TestApp::spawn(vehicles::router).await
}

#[tokio::test]
async fn only_staff_write_reference_data_and_everyone_signed_in_reads_it() {
    let app = app().await;
    let (_, staff) = app.signed_in_staff("staff").await;
    let (_, user) = app.signed_in_user("driver").await;
    let res = app
        .post("/api/brands/")
        .bearer(&user)
        .json(json!({"name": "Renault"}))
        .send()
        .await;
    assert_eq!(
        (res.status, res.body.clone()),
        (
            403,
            json!({"detail": "You do not have permission to perform this action."})
        )
    );
    let res = app
        .post("/api/vehicles/brands/")
        .bearer(&staff)
        .json(json!({"name": "Renault", "logo_url": "https://cdn.example.com/renault.png"}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["models_count"], 0);
    let id = res.body["id"].as_str().unwrap().to_string();
    let res = app.get("/api/vehicles/brands/").bearer(&user).send().await;
    assert_eq!(res.body["count"], 1);
    assert_eq!(app.get("/api/brands/").send().await.status, 401);
    for res in [
        app.patch(&format!("/api/brands/{id}/"))
            .bearer(&user)
            .json(json!({"name": "X"}))
            .send()
            .await,
        app.delete(&format!("/api/brands/{id}/"))
            .bearer(&user)
            .send()
            .await,
        app.post("/api/models/")
            .bearer(&user)
            .json(json!({"brand": id, "name": "Clio"}))
            .send()
            .await,
    ] {
        assert_eq!(res.status, 403);
    }
}

#[tokio::test]
async fn brand_rules_and_models_count() {
    let app = app().await;
    let (_, staff) = app.signed_in_staff("staff").await;
    let res = app
        .post("/api/brands/")
        .bearer(&staff)
        .json(json!({"logo_url": "not a url"}))
        .send()
        .await;
    assert_eq!(
        res.body,
        json!({"name": ["This field is required."], "logo_url": ["Enter a valid URL."]})
    );
    let brand = app
        .post("/api/brands/")
        .bearer(&staff)
        .json(json!({"name": "Peugeot"}))
        .send()
        .await
        .body;
    let id = brand["id"].as_str().unwrap();
    let res = app
        .post("/api/brands/")
        .bearer(&staff)
        .json(json!({"name": "PEUGEOT"}))
        .send()
        .await;
    assert_eq!(
        res.body,
        json!({"name": ["car brand with this name already exists."]})
    );

    let mut model_ids = Vec::new();
    for name in ["208", "308", "3008"] {
        let res = app
            .post("/api/vehicles/models/")
            .bearer(&staff)
            .json(json!({"brand": id, "name": name, "year_start": 2012}))
            .send()
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
        assert_eq!(res.body["brand_name"], "Peugeot");
        model_ids.push(res.body["id"].as_str().unwrap().to_string());
    }
    let res = app
        .post("/api/models/")
        .bearer(&staff)
        .json(json!({"brand": id, "name": "208"}))
        .send()
        .await;
    assert_eq!(
        res.body,
        json!({"non_field_errors": ["The fields brand, name must make a unique set."]})
    );
    let res = app
        .post("/api/models/")
        .bearer(&staff)
        .json(json!({"brand": "nope", "name": "X", "year_start": 2020, "year_end": 2010}))
        .send()
        .await;
    assert_eq!(
        res.body,
        json!({"brand": ["Invalid pk \"nope\" - object does not exist."], "year_end": ["Ensure the end year is not before the start year."]})
    );
    let res = app
        .get(&format!("/api/brands/{id}/"))
        .bearer(&staff)
        .send()
        .await;
    assert_eq!(res.body["models_count"], 3);
    let res = app
        .get(&format!("/api/brands/{id}/models/"))
        .bearer(&staff)
        .send()
        .await;
    assert_eq!(res.body.as_array().unwrap().len(), 3);

    assert_eq!(
        app.delete(&format!("/api/models/{}/", model_ids[0]))
            .bearer(&staff)
            .send()
            .await
            .status,
        204
    );
    assert_eq!(
        app.get(&format!("/api/brands/{id}/"))
            .bearer(&staff)
            .send()
            .await
            .body["models_count"],
        2
    );

    // Renaming keeps uniqueness; deleting cascades to the models.
    let res = app
        .patch(&format!("/api/brands/{id}/"))
        .bearer(&staff)
        .json(json!({"name": "Peugeot SA"}))
        .send()
        .await;
    assert_eq!(res.body["name"], "Peugeot SA");
    assert_eq!(
        app.delete(&format!("/api/brands/{id}/"))
            .bearer(&staff)
            .send()
            .await
            .status,
        204
    );
    let res = app
        .get(&format!("/api/models/{}/", model_ids[1]))
        .bearer(&staff)
        .send()
        .await;
    assert_eq!(
        (res.status, res.body.clone()),
        (
            404,
            json!({"detail": "No CarModel matches the given query."})
        )
    );
    assert_eq!(
        app.post("/api/brands/")
            .bearer(&staff)
            .json(json!({"name": "Peugeot"}))
            .send()
            .await
            .status,
        201,
        "name freed"
    );
}

#[tokio::test]
async fn model_list_filters_search_and_default_order() {
    let app = app().await;
    let (_, staff) = app.signed_in_staff("staff").await;
    let mut brand_ids = Vec::new();
    for name in ["Toyota", "Audi"] {
        brand_ids.push(
            app.post("/api/brands/")
                .bearer(&staff)
                .json(json!({"name": name}))
                .send()
                .await
                .body["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    for (b, name, start) in [
        (0, "Yaris", 1999),
        (0, "Corolla", 1966),
        (1, "A4", 1994),
        (1, "A3", 1996),
    ] {
        let res = app
            .post("/api/models/")
            .bearer(&staff)
            .json(json!({"brand": brand_ids[b], "name": name, "year_start": start}))
            .send()
            .await;
        assert_eq!(res.status, 201);
    }
    let res = app.get("/api/models/").bearer(&staff).send().await;
    let names: Vec<&str> = res.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["A3", "A4", "Corolla", "Yaris"],
        "brand name, then model name"
    );
    let res = app
        .get(&format!("/api/models/?brand={}", brand_ids[0]))
        .bearer(&staff)
        .send()
        .await;
    assert_eq!(res.body["count"], 2);
    let res = app
        .get("/api/models/?search=toyota")
        .bearer(&staff)
        .send()
        .await;
    assert_eq!(res.body["count"], 2);
    let res = app
        .get("/api/models/?year_start=1994")
        .bearer(&staff)
        .send()
        .await;
    assert_eq!(res.body["results"][0]["name"], "A4");
    let res = app
        .get("/api/models/?brand=unknown")
        .bearer(&staff)
        .send()
        .await;
    assert_eq!(
        res.body,
        json!({"brand": ["Select a valid choice. That choice is not one of the available choices."]})
    );
    let res = app
        .get("/api/models/?ordering=-year_start")
        .bearer(&staff)
        .send()
        .await;
    assert_eq!(res.body["results"][0]["name"], "Yaris");
    let res = app
        .get("/api/brands/?search=aud")
        .bearer(&staff)
        .send()
        .await;
    assert_eq!(
        res.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["name"].clone())
            .collect::<Value>(),
        json!(["Audi"])
    );
}

#[tokio::test]
async fn the_shipped_catalogue_loads_once_with_right_counts() {
    let app = app().await;
    let catalog = vehicles::catalog::store::Catalog::of(&app.state.store);
    let (brands, models) = catalog
        .load(vehicles::catalog::store::SEED_CATALOG)
        .await
        .unwrap();
    assert!(brands >= 40, "{brands} brands");
    assert!(models >= 150, "{models} models");
    assert_eq!(
        catalog
            .load(vehicles::catalog::store::SEED_CATALOG)
            .await
            .unwrap(),
        (0, 0),
        "idempotent"
    );
    let (_, token) = app.signed_in_user("reader").await;
    let res = app
        .get("/api/vehicles/brands/?search=renault")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(res.body["count"], 1);
    let renault = &res.body["results"][0];
    let listed = app
        .get(&format!(
            "/api/brands/{}/models/",
            renault["id"].as_str().unwrap()
        ))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(
        renault["models_count"],
        listed.body.as_array().unwrap().len()
    );
    assert!(listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["name"] == "Clio" && m["year_start"] == 1990));
}

#[tokio::test]
async fn put_replaces_brands_and_models_and_moves_counts() {
    let app = app().await;
    let (_, staff) = app.signed_in_staff("staff").await;
    let a = app
        .post("/api/brands/")
        .bearer(&staff)
        .json(json!({"name": "Skoda"}))
        .send()
        .await
        .body;
    let b = app
        .post("/api/brands/")
        .bearer(&staff)
        .json(json!({"name": "Seat"}))
        .send()
        .await
        .body;
    let res = app
        .put(&format!("/api/brands/{}/", a["id"].as_str().unwrap()))
        .bearer(&staff)
        .json(json!({"logo_url": "https://x.example/l.png"}))
        .send()
        .await;
    assert_eq!(res.body, json!({"name": ["This field is required."]}));
    let res = app
        .put(&format!("/api/brands/{}/", a["id"].as_str().unwrap()))
        .bearer(&staff)
        .json(json!({"name": "Seat"}))
        .send()
        .await;
    assert_eq!(
        res.body,
        json!({"name": ["car brand with this name already exists."]})
    );
    let res = app
        .put(&format!("/api/brands/{}/", a["id"].as_str().unwrap()))
        .bearer(&staff)
        .json(json!({"name": "Škoda", "logo_url": "https://x.example/l.png"}))
        .send()
        .await;
    assert_eq!(
        (res.status, res.body["name"].clone()),
        (200, json!("Škoda"))
    );

    let model = app
        .post("/api/models/")
        .bearer(&staff)
        .json(json!({"brand": a["id"], "name": "Octavia"}))
        .send()
        .await
        .body;
    let path = format!("/api/models/{}/", model["id"].as_str().unwrap());
    let res = app
        .put(&path)
        .bearer(&staff)
        .json(json!({"name": "Leon"}))
        .send()
        .await;
    assert_eq!(res.body, json!({"brand": ["This field is required."]}));
    let res = app
        .put(&path)
        .bearer(&staff)
        .json(json!({"brand": b["id"], "name": "Leon", "year_start": 1999}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["brand_name"], "Seat");
    let count = |id: &Value| {
        let id = id.as_str().unwrap().to_string();
        let app = &app;
        let staff = staff.clone();
        async move {
            app.get(&format!("/api/brands/{id}/"))
                .bearer(&staff)
                .send()
                .await
                .body["models_count"]
                .clone()
        }
    };
    assert_eq!(count(&a["id"]).await, 0);
    assert_eq!(count(&b["id"]).await, 1);
}

/// What the document states for catalogue bodies (found by the fuzzer once
/// it wrote as staff): an empty logo means none, a number is a name's
/// text, and the URL rules hold with spaces around.
#[tokio::test]
async fn empty_logos_numeric_names_and_padded_urls() {
    let app = app().await;
    let (_, staff) = app.signed_in_staff("staff").await;
    let res = app
        .post("/api/brands/")
        .bearer(&staff)
        .json(json!({"name": 2024, "logo_url": ""}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["name"], "2024");
    assert_eq!(res.body["logo_url"], Value::Null);
    let brand = res.body["id"].as_str().unwrap().to_string();
    let res = app
        .patch(&format!("/api/brands/{brand}/"))
        .bearer(&staff)
        .json(json!({"logo_url": "  https://cdn.example.com/logo.png "}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["logo_url"], "https://cdn.example.com/logo.png");
    for bad in ["javascript:alert(1)", "http://nodot", "http://a .b"] {
        let res = app
            .patch(&format!("/api/brands/{brand}/"))
            .bearer(&staff)
            .json(json!({"logo_url": bad}))
            .send()
            .await;
        assert_eq!(res.status, 400, "{bad}: {}", res.text);
        assert_eq!(res.body, json!({"logo_url": ["Enter a valid URL."]}));
    }
    let res = app
        .post("/api/models/")
        .bearer(&staff)
        .json(json!({"brand": brand, "name": 0}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["name"], "0");
}
