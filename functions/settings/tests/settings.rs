//! Settings through the router and the real SDK against the emulator.

use serde_json::json;

type TestApp = testkit::TestApp<settings::SettingsState>;

async fn app() -> TestApp {
    TestApp::spawn(settings::router).await
}

#[tokio::test]
async fn me_creates_the_defaults_once_and_the_list_does_not() {
    let app = app().await;
    let (user, token) = app.signed_in_user("prefs").await;
    let res = app.get("/api/settings/").bearer(&token).send().await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["count"], 0, "listing creates nothing");

    let res = app.get("/api/settings/me/").bearer(&token).send().await;
    assert_eq!(res.status, 200, "{}", res.text);
    let s = res.body.clone();
    assert_eq!(s["user"], user.id);
    assert_eq!(
        (&s["language"], &s["theme"], &s["timezone"]),
        (&json!("en"), &json!("auto"), &json!("UTC"))
    );
    for flag in [
        "email_notifications",
        "push_notifications",
        "maintenance_reminders",
        "subscription_alerts",
    ] {
        assert_eq!(s[flag], true, "{flag}");
    }
    assert_eq!(s["profile_public"], false);
    assert_eq!(s["custom_settings"], json!({}));

    let res = app.get("/api/settings/me/").bearer(&token).send().await;
    assert_eq!(res.body["id"], s["id"], "created once");
    let res = app.get("/api/settings").bearer(&token).send().await;
    assert_eq!(res.body["count"], 1);
    assert_eq!(res.body["results"][0]["id"], s["id"]);
    assert_eq!(app.get("/api/settings/me/").send().await.status, 401);
}

#[tokio::test]
async fn put_and_patch_are_partial_on_every_path_and_check_each_field() {
    let app = app().await;
    let (_, token) = app.signed_in_user("editor").await;
    let res = app
        .put("/api/settings/me/")
        .bearer(&token)
        .json(json!({"language": "fr", "timezone": "Europe/Paris"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["language"], "fr");
    assert_eq!(res.body["theme"], "auto", "untouched");
    assert!(res.body["id"].is_string(), "full representation");

    let res = app
        .patch("/api/settings/update_me/")
        .bearer(&token)
        .json(json!({"maintenance_reminders": false, "custom_settings": {"units": "km"}}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["maintenance_reminders"], false);
    assert_eq!(res.body["timezone"], "Europe/Paris");
    assert_eq!(res.body["custom_settings"], json!({"units": "km"}));
    let res = app
        .put("/api/settings/update_me/")
        .bearer(&token)
        .json(json!({"theme": "dark"}))
        .send()
        .await;
    assert_eq!(res.status, 200);

    let res = app
        .patch("/api/settings/me/")
        .bearer(&token)
        .json(
            json!({"language": "de", "theme": "blue", "timezone": "Mars/Olympus_Mons",
                     "email_notifications": null, "custom_settings": [1, 2]}),
        )
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body["language"],
        json!(["\"de\" is not a valid choice."])
    );
    assert_eq!(
        res.body["theme"],
        json!(["\"blue\" is not a valid choice."])
    );
    assert!(res.body["timezone"][0]
        .as_str()
        .unwrap()
        .contains("not a valid time zone"));
    assert_eq!(
        res.body["email_notifications"],
        json!(["This field may not be null."])
    );
    assert_eq!(
        res.body["custom_settings"],
        json!(["Expected a dictionary of items but got type \"list\"."])
    );
    let res = app
        .patch("/api/settings/me/")
        .bearer(&token)
        .json(json!({"timezone": "x".repeat(51), "custom_settings": {"blob": "x".repeat(20_000)}}))
        .send()
        .await;
    assert!(res.body["custom_settings"][0]
        .as_str()
        .unwrap()
        .contains("bytes of JSON"));
    assert_eq!(
        res.body["timezone"],
        json!(["Ensure this field has no more than 50 characters."])
    );
    // Nothing of the refused bodies was written.
    let res = app.get("/api/settings/me/").bearer(&token).send().await;
    assert_eq!(
        (
            &res.body["language"],
            &res.body["theme"],
            &res.body["timezone"]
        ),
        (&json!("fr"), &json!("dark"), &json!("Europe/Paris"))
    );
    assert_eq!(res.body["email_notifications"], true);
}

#[tokio::test]
async fn reset_restores_the_defaults() {
    let app = app().await;
    let (_, token) = app.signed_in_user("resetter").await;
    let res = app
        .patch("/api/settings/me/")
        .bearer(&token)
        .json(
            json!({"language": "es", "profile_public": true, "push_notifications": false,
                     "custom_settings": {"a": 1}}),
        )
        .send()
        .await;
    let id = res.body["id"].clone();
    let res = app.post("/api/settings/reset/").bearer(&token).send().await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["id"], id);
    assert_eq!(res.body["language"], "en");
    assert_eq!(res.body["profile_public"], false);
    assert_eq!(res.body["push_notifications"], true);
    assert_eq!(res.body["custom_settings"], json!({}));
    let res = app.get("/api/settings/reset/").bearer(&token).send().await;
    assert_eq!(res.status, 405);
}

#[tokio::test]
async fn by_id_only_the_callers_row() {
    let app = app().await;
    let (_, owner) = app.signed_in_user("rowowner").await;
    let (_, other) = app.signed_in_user("prober").await;
    let id = app
        .get("/api/settings/me/")
        .bearer(&owner)
        .send()
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let res = app
        .get(&format!("/api/settings/{id}/"))
        .bearer(&owner)
        .send()
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["id"], id);
    let res = app
        .patch(&format!("/api/settings/{id}/"))
        .bearer(&owner)
        .json(json!({"theme": "light"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["theme"], "light");
    assert!(res.body.get("id").is_none(), "SettingsUpdated has no id");

    for res in [
        app.get(&format!("/api/settings/{id}/"))
            .bearer(&other)
            .send()
            .await,
        app.put(&format!("/api/settings/{id}/"))
            .bearer(&other)
            .json(json!({"theme": "dark"}))
            .send()
            .await,
    ] {
        assert_eq!(res.status, 404);
        assert_eq!(
            res.body["detail"],
            "No UserSettings matches the given query."
        );
    }
    let res = app
        .delete(&format!("/api/settings/{id}/"))
        .bearer(&owner)
        .send()
        .await;
    assert_eq!(res.status, 405);
    let res = app
        .post("/api/settings/")
        .bearer(&owner)
        .json(json!({}))
        .send()
        .await;
    assert_eq!(res.status, 405);
    let res = app.get("/api/settings/me/").bearer(&owner).send().await;
    assert_eq!(res.body["theme"], "light");
}

#[tokio::test]
async fn impossible_path_ids_are_a_json_404_without_a_dynamodb_call() {
    let app = app().await;
    let (_, token) = app.signed_in_user("paths").await;
    let long = "a".repeat(2048);
    for id in [long.as_str(), "a.b", "%2E%2E", "x%00y", "a~b"] {
        let path = format!("/api/settings/{id}/");
        let before = app.calls();
        for method in ["GET", "PUT", "PATCH"] {
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

/// Fuzz finding (issue 10): a JSON-typed body of only whitespace was read
/// as `{}` (a PATCH that changed nothing answered 200). It is not a JSON
/// document: the JSON parse-error 400, nothing written. No body at all is
/// still an empty object.
#[tokio::test]
async fn a_whitespace_only_json_body_is_a_parse_error_and_an_empty_one_is_not() {
    let app = app().await;
    let (_, token) = app.signed_in_user("blank-body").await;
    let before = app.get("/api/settings/me/").bearer(&token).send().await;
    for body in [&b"  "[..], b"\n", b" \t\r\n "] {
        let res = app
            .patch("/api/settings/me/")
            .bearer(&token)
            .raw("application/json", body)
            .send()
            .await;
        assert_eq!(res.status, 400, "{body:?}: {}", res.text);
        let detail = res.body["detail"].as_str().unwrap_or_default();
        assert!(
            detail.starts_with("JSON parse error - "),
            "{body:?}: {detail}"
        );
    }
    let after = app.get("/api/settings/me/").bearer(&token).send().await;
    assert_eq!(
        after.body["updated_at"], before.body["updated_at"],
        "nothing written"
    );

    let res = app
        .patch("/api/settings/me/")
        .bearer(&token)
        .raw("application/json", b"")
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
}
