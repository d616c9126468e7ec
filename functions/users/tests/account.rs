//! Profile, password change, sessions, account deletion, isolation, and the
//! HTTP conventions (trailing slash, 404/405/415, body errors).

mod common;

use common::{age_email_code, app, login, register, tokens, PASSWORD};
use serde_json::json;
use testkit::{emails_to, six_digit_code};

#[tokio::test]
async fn profile_read_is_one_round_trip_at_both_paths() {
    let app = app().await;
    let acct = register(&app, "prof").await;
    for path in ["/api/users/profile/", "/api/users/profile", "/api/auth/me/"] {
        let before = app.calls();
        let res = app.get(path).bearer(&acct.access).send().await;
        assert_eq!(res.status, 200, "{path}");
        assert_eq!(app.calls() - before, 1, "{path}");
        assert_eq!(res.body["email"], acct.email);
    }
}

#[tokio::test]
async fn profile_and_sessions_read_only_what_they_answer_with() {
    let app = app().await;
    let (user, token) = app.signed_in_user("busy").await;
    let v = app.store_vehicle(&user.id, "Volvo", 90_000).await;
    app.store_history(&v, 200, 500).await;

    let before = app.items_read();
    let res = app.get("/api/users/profile/").bearer(&token).send().await;
    assert_eq!(res.status, 200);
    assert_eq!(app.items_read() - before, 1, "the profile alone");

    // The sessions list reads the auth partition, never the vehicles and
    // maintenances (1 session from sign-in + 200 stored).
    let before = app.items_read();
    let res = app.get("/api/users/sessions/").bearer(&token).send().await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["count"], 201);
    let read = app.items_read() - before;
    assert!(read <= 1 + 201 + 1, "user + sessions (+ the code): {read}");
}

#[tokio::test]
async fn put_requires_fields_and_patch_updates_some() {
    let app = app().await;
    let acct = register(&app, "put").await;
    let res = app
        .put("/api/users/profile/")
        .bearer(&acct.access)
        .json(json!({"first_name": "Marie"}))
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body,
        json!({"email": ["This field is required."], "last_name": ["This field is required."]})
    );

    let res = app
        .put("/api/users/profile/")
        .bearer(&acct.access)
        .json(json!({"email": acct.email, "first_name": "Marie", "last_name": "Curie", "phone_number": "0102030405"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        (
            res.body["first_name"].as_str(),
            res.body["last_name"].as_str()
        ),
        (Some("Marie"), Some("Curie"))
    );

    let res = app
        .patch("/api/auth/me/")
        .bearer(&acct.access)
        .json(json!({"phone_number": null}))
        .send()
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["phone_number"], serde_json::Value::Null);
    assert_eq!(res.body["first_name"], "Marie");
    let again = app.get("/api/auth/me/").bearer(&acct.access).send().await;
    assert_eq!(
        again.body, res.body,
        "what PATCH returned is what is stored"
    );
}

#[tokio::test]
async fn profile_updates_cannot_grant_roles_verification_or_staff() {
    let app = app().await;
    let acct = register(&app, "escalate").await;
    let res = app
        .patch("/api/users/profile/")
        .bearer(&acct.access)
        .json(json!({"roles": ["admin"], "email_verified": true, "is_staff": true, "first_name": "Eve"}))
        .send()
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["roles"], json!(["user"]));
    assert_eq!(res.body["email_verified"], false);
    let stored = app
        .state
        .store
        .users()
        .get(&acct.id)
        .await
        .unwrap()
        .unwrap();
    assert!(!stored.is_staff && !stored.email_verified);
    assert_eq!(stored.first_name, "Eve");
}

#[tokio::test]
async fn changing_the_address_moves_uniqueness_and_requires_verification_again() {
    let app = app().await;
    let a = register(&app, "mover").await;
    let b = register(&app, "taken").await;
    let res = app
        .patch("/api/users/profile/")
        .bearer(&a.access)
        .json(json!({"email": b.email.to_uppercase(), "current_password": PASSWORD}))
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body,
        json!({"email": ["user with this email already exists."]})
    );

    // The registration code was sent a while ago (one code per cooldown).
    age_email_code(&app, &a.id).await;
    let new_email = testkit::unique_email("moved");
    let res = app
        .patch("/api/users/profile/")
        .bearer(&a.access)
        .json(json!({"email": new_email, "current_password": PASSWORD}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["email"], new_email);
    assert_eq!(res.body["email_verified"], false);
    let mail = emails_to(&new_email).await;
    assert_eq!(mail.len(), 1, "a code goes to the new address");

    // The old address is free again; the new one logs in.
    assert_eq!(login(&app, &new_email, PASSWORD).await.status, 200);
    assert_eq!(login(&app, &a.email, PASSWORD).await.status, 400);
    let res = app
        .post("/api/users/register/")
        .json(json!({"email": a.email, "password": PASSWORD, "password_confirm": PASSWORD, "first_name": "N", "last_name": "N"}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    // The code sent to the new address verifies it.
    let code = six_digit_code(&mail[0].body).unwrap();
    let res = app
        .post("/api/auth/verify-otp/")
        .json(json!({"email": new_email, "otp_code": code}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
}

#[tokio::test]
async fn change_password_validates_then_revokes_old_tokens() {
    let app = app().await;
    let acct = register(&app, "chpw").await;
    let path = "/api/users/change-password/";
    let res = app
        .post(path)
        .bearer(&acct.access)
        .json(json!({}))
        .send()
        .await;
    assert_eq!(
        res.body,
        json!({"old_password": ["This field is required."], "new_password": ["This field is required."], "new_password_confirm": ["This field is required."]})
    );
    let res = app
        .post(path)
        .bearer(&acct.access)
        .json(json!({"old_password": PASSWORD, "new_password": "password", "new_password_confirm": "password"}))
        .send()
        .await;
    assert_eq!(
        res.body,
        json!({"new_password": ["This password is too common."]})
    );
    let res = app
        .post(path)
        .bearer(&acct.access)
        .json(json!({"old_password": PASSWORD, "new_password": "Brand-New-Pass-9", "new_password_confirm": "Brand-New-Pass-8"}))
        .send()
        .await;
    assert_eq!(res.body, json!({"new_password": ["Passwords don't match"]}));
    let res = app
        .post(path)
        .bearer(&acct.access)
        .json(json!({"old_password": "Not-The-Old-One-1", "new_password": "Brand-New-Pass-9", "new_password_confirm": "Brand-New-Pass-9"}))
        .send()
        .await;
    assert_eq!(
        (res.status, res.body.clone()),
        (400, json!({"error": "Invalid old password"}))
    );

    let res = app
        .post("/api/auth/change-password/")
        .bearer(&acct.access)
        .json(json!({"old_password": PASSWORD, "new_password": "Brand-New-Pass-9", "new_password_confirm": "Brand-New-Pass-9"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["message"], "Password changed successfully");
    let (fresh_access, _) = tokens(&res.body);

    assert_eq!(
        app.get("/api/users/profile/")
            .bearer(&acct.access)
            .send()
            .await
            .status,
        401
    );
    let res = app
        .post("/api/token/refresh/")
        .json(json!({"refresh": acct.refresh}))
        .send()
        .await;
    assert_eq!(res.status, 401);
    assert_eq!(
        app.get("/api/users/profile/")
            .bearer(&fresh_access)
            .send()
            .await
            .status,
        200
    );
    assert_eq!(login(&app, &acct.email, PASSWORD).await.status, 400);
    assert_eq!(
        login(&app, &acct.email, "Brand-New-Pass-9").await.status,
        200
    );
    let mails = emails_to(&acct.email).await;
    assert!(mails
        .iter()
        .any(|m| m.subject == "Votre mot de passe a été changé"));
}

#[tokio::test]
async fn sessions_lists_active_logins_newest_first_with_the_page_envelope() {
    let app = app().await;
    let acct = register(&app, "sess").await;
    let res = app
        .post("/api/users/login/")
        .header("user-agent", "Firefox")
        .header("x-forwarded-for", "203.0.113.7, 10.0.0.1")
        .json(json!({"email": acct.email, "password": PASSWORD}))
        .send()
        .await;
    let (access, _) = tokens(&res.body);
    let res = app.get("/api/auth/sessions/").bearer(&access).send().await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["count"], 2);
    assert_eq!(res.body["next"], serde_json::Value::Null);
    let newest = &res.body["results"][0];
    assert_eq!(newest["user_agent"], "Firefox");
    assert_eq!(newest["ip_address"], "203.0.113.7");
    assert_eq!(newest["is_active"], true);
    let keys: Vec<&str> = newest
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "id",
            "ip_address",
            "user_agent",
            "is_active",
            "expires_at",
            "created_at"
        ]
    );
    let res = app
        .get("/api/auth/sessions/?ordering=created_at")
        .bearer(&access)
        .send()
        .await;
    assert_ne!(res.body["results"][0]["user_agent"], "Firefox");
    let res = app
        .get("/api/auth/sessions/?page=2")
        .bearer(&access)
        .send()
        .await;
    assert_eq!(
        (res.status, res.body.clone()),
        (404, json!({"detail": "Invalid page."}))
    );
    // Only an empty `page` means the first; a blank one is no page number
    // (the document's enum: an integer, `last` or "").
    for blank in ["%20", "%0B", "%20last"] {
        let res = app
            .get(&format!("/api/auth/sessions/?page={blank}"))
            .bearer(&access)
            .send()
            .await;
        assert_eq!(
            (res.status, res.body.clone()),
            (404, json!({"detail": "Invalid page."})),
            "{blank}"
        );
    }
    for first in ["", "1", "%201%20"] {
        let res = app
            .get(&format!("/api/auth/sessions/?page={first}"))
            .bearer(&access)
            .send()
            .await;
        assert_eq!(
            (res.status, &res.body["count"]),
            (200, &json!(2)),
            "{first}"
        );
    }
}

#[tokio::test]
async fn users_only_ever_see_their_own_account() {
    let app = app().await;
    let alice = register(&app, "alice").await;
    let bob = register(&app, "bob").await;
    let res = app
        .get("/api/users/profile/")
        .bearer(&bob.access)
        .send()
        .await;
    assert_eq!(res.body["email"], bob.email);
    let res = app
        .get("/api/auth/sessions/")
        .bearer(&bob.access)
        .send()
        .await;
    assert_eq!(res.body["count"], 1);
    // Bob deleting his account leaves Alice untouched.
    assert_eq!(
        app.delete("/api/users/delete-account/")
            .bearer(&bob.access)
            .json(json!({"password": PASSWORD}))
            .send()
            .await
            .status,
        204
    );
    assert_eq!(
        app.get("/api/users/profile/")
            .bearer(&alice.access)
            .send()
            .await
            .status,
        200
    );
    assert_eq!(login(&app, &alice.email, PASSWORD).await.status, 200);
}

#[tokio::test]
async fn delete_account_removes_every_item_and_is_safe_to_retry() {
    let app = app().await;
    let acct = register(&app, "gone").await;
    login(&app, &acct.email, PASSWORD).await;
    // Notifications live in a partition of their own: they go too.
    let notification = shared::domain::notifications::Notification::new(
        &acct.id,
        "info",
        "Hello".into(),
        "m".into(),
        None,
        json!({}),
    );
    app.state
        .store
        .notifications()
        .create(&notification)
        .await
        .unwrap();
    let res = app
        .delete("/api/users/delete-account/")
        .bearer(&acct.access)
        .json(json!({"password": PASSWORD}))
        .send()
        .await;
    assert_eq!((res.status, res.text.as_str()), (204, ""));

    let pk = shared::store::keys::user_pk(&acct.id);
    assert!(
        app.state
            .store
            .query_prefix(&pk, "")
            .await
            .unwrap()
            .is_empty(),
        "partition emptied"
    );
    assert!(
        app.state
            .store
            .query_prefix(&shared::store::keys::notifications_pk(&acct.id), "")
            .await
            .unwrap()
            .is_empty(),
        "notifications and their counter deleted"
    );
    let (guard_pk, guard_sk) = shared::store::keys::email_guard(&acct.email.to_lowercase());
    assert!(
        app.state
            .store
            .get(&guard_pk, &guard_sk)
            .await
            .unwrap()
            .is_none(),
        "guard freed"
    );

    let res = app
        .delete("/api/users/delete-account/")
        .bearer(&acct.access)
        .json(json!({"password": PASSWORD}))
        .send()
        .await;
    assert_eq!(
        (res.status, res.body.clone()),
        (
            401,
            json!({"detail": "User not found", "code": "user_not_found"})
        )
    );
    assert_eq!(login(&app, &acct.email, PASSWORD).await.status, 400);
    // The address can be registered again.
    let res = app
        .post("/api/users/register/")
        .json(json!({"email": acct.email, "password": PASSWORD, "password_confirm": PASSWORD, "first_name": "A", "last_name": "B"}))
        .send()
        .await;
    assert_eq!(res.status, 201);
}

#[tokio::test]
async fn half_done_deletion_can_be_finished_by_retrying() {
    let app = app().await;
    let acct = register(&app, "retry").await;
    // Simulate a deletion interrupted after the guard went but before the profile.
    let (guard_pk, guard_sk) = shared::store::keys::email_guard(&acct.email.to_lowercase());
    app.state
        .store
        .delete_keys(vec![(guard_pk, guard_sk)])
        .await
        .unwrap();
    let res = app
        .delete("/api/users/delete-account/")
        .bearer(&acct.access)
        .json(json!({"password": PASSWORD}))
        .send()
        .await;
    assert_eq!(res.status, 204);
    let pk = shared::store::keys::user_pk(&acct.id);
    assert!(app
        .state
        .store
        .query_prefix(&pk, "")
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn http_conventions() {
    let app = app().await;
    let res = app.get("/api/nowhere/").send().await;
    assert_eq!(
        (res.status, res.body.clone()),
        (404, json!({"detail": "Not found."}))
    );
    let res = app.get("/api/users/login/").send().await;
    assert_eq!(
        (res.status, res.body.clone()),
        (405, json!({"detail": "Method \"GET\" not allowed."}))
    );
    assert!(
        res.header("allow").is_some_and(|a| a.contains("POST")),
        "{:?}",
        res.headers
    );
    let res = app
        .post("/api/users/login/")
        .raw("application/json", b"{\"email\":")
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert!(res.body["detail"]
        .as_str()
        .unwrap()
        .starts_with("JSON parse error - "));
    let res = app
        .post("/api/users/login/")
        .raw("text/plain", b"hello")
        .send()
        .await;
    assert_eq!(
        (res.status, res.body.clone()),
        (
            415,
            json!({"detail": "Unsupported media type \"text/plain\" in request."})
        )
    );
    let res = app
        .post("/api/users/login/")
        .raw("application/json", b"[1,2]")
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body,
        json!({"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]})
    );
    let big = format!("{{\"email\": \"{}\"}}", "a".repeat(1024 * 1024 + 10));
    let res = app
        .post("/api/users/login/")
        .raw("application/json", big.as_bytes())
        .send()
        .await;
    assert_eq!(res.status, 413);
    let res = app
        .post("/api/users/login/")
        .json(json!({"email": ["x"], "password": {"a": 1}}))
        .send()
        .await;
    assert_eq!(
        res.body,
        json!({"email": ["Not a valid string."], "password": ["Not a valid string."]})
    );
    // Form bodies work like JSON.
    let acct = register(&app, "form").await;
    let form = format!(
        "email={}&password={}",
        acct.email.replace('@', "%40"),
        PASSWORD
    );
    let res = app
        .post("/api/users/login")
        .raw("application/x-www-form-urlencoded", form.as_bytes())
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
}

#[tokio::test]
async fn delete_account_takes_the_user_s_reviews_out_of_the_ratings() {
    use shared::domain::garages::{Garage, GarageFields, Review, ReviewFields};
    let app = app().await;
    let acct = register(&app, "reviewer").await;
    let directory = app.state.store.garages();
    let fields = |name: &str| GarageFields {
        name: name.into(),
        email: "g@example.com".into(),
        address: "x".into(),
        ..GarageFields::default()
    };
    // A garage the user created stays; their reviews go and the ratings
    // of both garages drop back to the other reviewer's.
    let mine = Garage::new(fields("Mine"), Some(acct.id.clone()));
    let other = Garage::new(fields("Other"), None);
    for g in [&mine, &other] {
        directory.create(g).await.unwrap();
        for (author, rating) in [(acct.id.as_str(), 1), ("someone-else", 5)] {
            let review = Review::new(
                &g.id,
                author,
                ReviewFields {
                    reviewer_name: "R".into(),
                    reviewer_email: Some("r@example.com".into()),
                    rating,
                    comment: None,
                },
            );
            directory.add_review(&review).await.unwrap().unwrap();
        }
    }
    assert_eq!(directory.reviews_of_user(&acct.id).await.unwrap().len(), 2);
    let res = app
        .delete("/api/users/delete-account/")
        .bearer(&acct.access)
        .json(json!({"password": PASSWORD}))
        .send()
        .await;
    assert_eq!(res.status, 204, "{}", res.text);
    for g in [&mine, &other] {
        let now = directory
            .get(&g.id)
            .await
            .unwrap()
            .expect("the garage stays");
        assert_eq!(
            (now.rating_count, now.tally().average()),
            (1, "5.00".into())
        );
        assert!(now.recent.iter().all(|r| r.author_id == "someone-else"));
    }
    assert!(directory
        .reviews_of_user(&acct.id)
        .await
        .unwrap()
        .is_empty());
    assert!(directory
        .review_guard_keys(&acct.id)
        .await
        .unwrap()
        .is_empty());
}
