//! Register, login, refresh, logout, and the 401 shapes of spec 0.3.

mod common;

use common::{age_rotation, app, login, register, tokens, PASSWORD};
use serde_json::json;
use shared::auth::jwt::Claims;
use testkit::{emails_to, unique_email};

#[tokio::test]
async fn register_returns_user_tokens_and_message_and_sends_two_mails() {
    let app = app().await;
    let email = unique_email("Reg");
    let res = app
        .post("/api/users/register/")
        .json(json!({
            "email": format!("  {}", email.replace("example.com", "EXAMPLE.com")),
            "password": PASSWORD, "password_confirm": PASSWORD,
            "first_name": " Jean ", "last_name": "Dupont", "phone_number": "+33600000000",
        }))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let user = &res.body["user"];
    assert_eq!(user["email"], email, "domain lower-cased, local part kept");
    assert_eq!(user["first_name"], "Jean");
    assert_eq!(user["phone_number"], "+33600000000");
    assert_eq!(user["roles"], json!(["user"]));
    assert_eq!(user["email_verified"], false);
    assert!(user.get("password").is_none());
    let keys: Vec<&str> = user
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "id",
            "email",
            "first_name",
            "last_name",
            "phone_number",
            "roles",
            "email_verified",
            "created_at",
            "updated_at"
        ]
    );
    assert_eq!(
        res.body["message"],
        "Registration successful. Please check your email to verify your account."
    );
    assert!(res.body["tokens"]["access"].is_string() && res.body["tokens"]["refresh"].is_string());

    let mails = emails_to(&email).await;
    let subjects: Vec<&str> = mails.iter().map(|m| m.subject.as_str()).collect();
    assert!(
        subjects.contains(&"Bienvenue sur AutoTrack+ !"),
        "{subjects:?}"
    );
    assert!(
        subjects.contains(&"Votre code de vérification AutoTrack+"),
        "{subjects:?}"
    );

    // The access token works right away.
    let me = app
        .get("/api/users/profile/")
        .bearer(res.body["tokens"]["access"].as_str().unwrap())
        .send()
        .await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["id"], user["id"]);
}

#[tokio::test]
async fn register_reports_every_missing_field_together() {
    let app = app().await;
    let res = app.post("/api/auth/register/").json(json!({})).send().await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body,
        json!({
            "email": ["This field is required."],
            "password": ["This field is required."],
            "password_confirm": ["This field is required."],
            "first_name": ["This field is required."],
            "last_name": ["This field is required."],
        })
    );
}

#[tokio::test]
async fn register_validates_formats_lengths_and_password_rules() {
    let app = app().await;
    let res = app
        .post("/api/users/register")
        .json(json!({
            "email": "not-an-email", "password": "1234567", "password_confirm": "1234567",
            "first_name": "  ", "last_name": "x".repeat(151), "phone_number": "0".repeat(21),
        }))
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body,
        json!({
            "email": ["Enter a valid email address."],
            "password": [
                "This password is too short. It must contain at least 8 characters.",
                "This password is too common.",
                "This password is entirely numeric."
            ],
            "first_name": ["This field may not be blank."],
            "last_name": ["Ensure this field has no more than 150 characters."],
            "phone_number": ["Ensure this field has no more than 20 characters."],
        })
    );
}

#[tokio::test]
async fn register_checks_confirmation_after_fields() {
    let app = app().await;
    let res = app
        .post("/api/users/register/")
        .json(json!({
            "email": unique_email("c"), "password": PASSWORD, "password_confirm": "Other-Passphrase-42",
            "first_name": "A", "last_name": "B",
        }))
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(res.body, json!({"password": ["Passwords don't match"]}));
}

#[tokio::test]
async fn emails_are_unique_regardless_of_case() {
    let app = app().await;
    let first = register(&app, "dup").await;
    let shouted = first.email.to_uppercase();
    let res = app
        .post("/api/users/register/")
        .json(json!({
            "email": shouted, "password": PASSWORD, "password_confirm": PASSWORD,
            "first_name": "A", "last_name": "B",
        }))
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body,
        json!({"email": ["user with this email already exists."]})
    );
    // And login is case-insensitive too.
    let res = login(&app, &shouted, PASSWORD).await;
    assert_eq!(res.status, 200, "{}", res.text);
}

#[tokio::test]
async fn login_succeeds_in_three_round_trips_and_stamps_last_login() {
    let app = app().await;
    let acct = register(&app, "login").await;
    let before = app.calls();
    let res = login(&app, &acct.email, PASSWORD).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        app.calls() - before,
        3,
        "login costs one query, one attempt reservation and one transaction"
    );
    assert_eq!(res.body["user"]["email"], acct.email);
    let (access, _) = tokens(&res.body);
    let stored = app
        .state
        .store
        .users()
        .get(&acct.id)
        .await
        .unwrap()
        .unwrap();
    assert!(stored.last_login.is_some());
    let me = app.get("/api/auth/me/").bearer(&access).send().await;
    assert_eq!(me.status, 200);
}

#[tokio::test]
async fn login_errors() {
    let app = app().await;
    let acct = register(&app, "loginerr").await;
    let res = app.post("/api/users/login/").json(json!({})).send().await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.body,
        json!({"email": ["This field is required."], "password": ["This field is required."]})
    );
    let res = app
        .post("/api/users/login/")
        .json(json!({"email": "nope", "password": "x"}))
        .send()
        .await;
    assert_eq!(res.body, json!({"email": ["Enter a valid email address."]}));
    for (email, password) in [
        (acct.email.as_str(), "Wrong-Passphrase-1"),
        ("ghost@example.com", PASSWORD),
    ] {
        let res = login(&app, email, password).await;
        assert_eq!(res.status, 400);
        assert_eq!(
            res.body,
            json!({"non_field_errors": ["Invalid email or password"]})
        );
    }
}

#[tokio::test]
async fn repeated_failed_logins_lock_the_account_with_a_429() {
    let app = app().await;
    let acct = register(&app, "lock").await;
    for attempt in 1..=4 {
        let res = login(&app, &acct.email, "Wrong-Passphrase-1").await;
        assert_eq!(res.status, 400, "attempt {attempt}");
    }
    let res = login(&app, &acct.email, "Wrong-Passphrase-1").await;
    assert_eq!(res.status, 429, "{}", res.text);
    // Locked: even the right password is refused until the lock ends.
    let res = login(&app, &acct.email, PASSWORD).await;
    assert_eq!(res.status, 429);
    assert!(res.body["detail"]
        .as_str()
        .unwrap()
        .contains("Too many failed login attempts"));
    let retry: u64 = res.header("retry-after").unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 15 * 60);
    // Another account is not affected.
    let other = register(&app, "unlocked").await;
    assert_eq!(login(&app, &other.email, PASSWORD).await.status, 200);
}

#[tokio::test]
async fn a_success_resets_the_failure_count() {
    let app = app().await;
    let acct = register(&app, "reset-count").await;
    for _ in 0..4 {
        assert_eq!(
            login(&app, &acct.email, "Wrong-Passphrase-1").await.status,
            400
        );
    }
    assert_eq!(login(&app, &acct.email, PASSWORD).await.status, 200);
    for _ in 0..4 {
        assert_eq!(
            login(&app, &acct.email, "Wrong-Passphrase-1").await.status,
            400
        );
    }
    assert_eq!(login(&app, &acct.email, PASSWORD).await.status, 200);
}

#[tokio::test]
async fn migrated_pbkdf2_hashes_log_in_and_are_rehashed_to_argon2id() {
    let app = app().await;
    let acct = register(&app, "legacy").await;
    // Put a hash as the Django system stored it.
    let legacy = shared::auth::password::django_pbkdf2("Legacy-Passphrase-7", "somesalt", 1000);
    let store = &app.state.store;
    store
        .update(
            &shared::store::keys::user_pk(&acct.id),
            shared::store::keys::USER_PROFILE_SK,
            shared::store::Expr::new()
                .update("SET password = :p")
                .value(":p", shared::store::s(&legacy)),
        )
        .await
        .unwrap();
    let res = login(&app, &acct.email, "Legacy-Passphrase-7").await;
    assert_eq!(res.status, 200, "{}", res.text);
    let stored = store.users().get(&acct.id).await.unwrap().unwrap();
    assert!(
        stored.password.starts_with("$argon2id$"),
        "{}",
        stored.password
    );
    assert_eq!(
        login(&app, &acct.email, "Legacy-Passphrase-7").await.status,
        200
    );
}

#[tokio::test]
async fn inactive_accounts_cannot_log_in_or_use_tokens() {
    let app = app().await;
    let acct = register(&app, "inactive").await;
    app.state
        .store
        .update(
            &shared::store::keys::user_pk(&acct.id),
            shared::store::keys::USER_PROFILE_SK,
            shared::store::Expr::new()
                .update("SET is_active = :no")
                .value(":no", shared::store::Attr::Bool(false)),
        )
        .await
        .unwrap();
    assert_eq!(
        login(&app, &acct.email, "Wrong-Passphrase-1").await.body["non_field_errors"][0],
        "Invalid email or password"
    );
    let res = app
        .get("/api/users/profile/")
        .bearer(&acct.access)
        .send()
        .await;
    assert_eq!(res.status, 401);
    assert_eq!(
        res.body,
        json!({"detail": "User is inactive", "code": "user_inactive"})
    );
    let res = app
        .post("/api/token/refresh/")
        .json(json!({"refresh": acct.refresh}))
        .send()
        .await;
    assert_eq!(res.status, 401);
    assert_eq!(
        res.body,
        json!({"detail": "No active account found for the given token."})
    );
}

#[tokio::test]
async fn refresh_rotates_and_a_reused_token_revokes_the_whole_chain() {
    let app = app().await;
    let acct = register(&app, "rotate").await;
    let res = login(&app, &acct.email, PASSWORD).await;
    let (_, r1) = tokens(&res.body);

    let before = app.calls();
    let res = app
        .post("/api/users/token/refresh/")
        .json(json!({"refresh": r1}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        app.calls() - before,
        2,
        "refresh: one batch read, one conditional write"
    );
    let r2 = res.body["refresh"].as_str().unwrap().to_string();
    let a2 = res.body["access"].as_str().unwrap().to_string();
    assert_ne!(r1, r2);
    assert_eq!(
        app.get("/api/users/profile/")
            .bearer(&a2)
            .send()
            .await
            .status,
        200
    );

    // The old refresh token comes back after the grace: refused, and the
    // chain is ended.
    age_rotation(&app, &acct.id, &r1).await;
    let res = app
        .post("/api/token/refresh/")
        .json(json!({"refresh": r1}))
        .send()
        .await;
    assert_eq!(res.status, 401);
    assert_eq!(
        res.body,
        json!({"detail": "Token is blacklisted", "code": "token_not_valid"})
    );
    assert_eq!(res.header("www-authenticate"), Some("Bearer realm=\"api\""));
    let res = app
        .post("/api/token/refresh/")
        .json(json!({"refresh": r2}))
        .send()
        .await;
    assert_eq!(res.status, 401, "the legitimate copy is revoked too");

    // Other logins of the same user keep working.
    let res = app
        .post("/api/token/refresh/")
        .json(json!({"refresh": acct.refresh}))
        .send()
        .await;
    assert_eq!(res.status, 200);
}

#[tokio::test]
async fn refresh_errors() {
    let app = app().await;
    let acct = register(&app, "referr").await;
    let res = app.post("/api/token/refresh/").json(json!({})).send().await;
    assert_eq!(
        (res.status, res.body.clone()),
        (400, json!({"refresh": ["This field is required."]}))
    );
    let res = app
        .post("/api/token/refresh/")
        .json(json!({"refresh": "garbage"}))
        .send()
        .await;
    assert_eq!(
        (res.status, res.body.clone()),
        (
            401,
            json!({"detail": "Token is invalid", "code": "token_not_valid"})
        )
    );
    let res = app
        .post("/api/token/refresh/")
        .json(json!({"refresh": acct.access}))
        .send()
        .await;
    assert_eq!(
        res.body,
        json!({"detail": "Token has wrong type", "code": "token_not_valid"})
    );

    let now = chrono::Utc::now().timestamp();
    let expired = app.state.tokens.sign(&Claims {
        token_type: "refresh".into(),
        exp: now - 10,
        iat: now - 100,
        jti: "a".repeat(32),
        user_id: acct.id.clone(),
        ver: 0,
        sid: Some("s".into()),
    });
    let res = app
        .post("/api/token/refresh/")
        .json(json!({"refresh": expired}))
        .send()
        .await;
    assert_eq!(
        res.body,
        json!({"detail": "Token is expired", "code": "token_not_valid"})
    );

    // A deleted user's refresh token is a 401, not a crash.
    assert_eq!(
        app.delete("/api/users/delete-account/")
            .bearer(&acct.access)
            .json(json!({"password": PASSWORD}))
            .send()
            .await
            .status,
        204
    );
    let res = app
        .post("/api/token/refresh/")
        .json(json!({"refresh": acct.refresh}))
        .send()
        .await;
    assert_eq!(
        (res.status, res.body.clone()),
        (
            401,
            json!({"detail": "User not found", "code": "user_not_found"})
        )
    );
}

#[tokio::test]
async fn bad_expired_and_wrong_type_access_tokens_get_the_contract_401s() {
    let app = app().await;
    let acct = register(&app, "tok").await;
    let invalid = |reason: &str| {
        json!({
            "detail": "Given token not valid for any token type",
            "code": "token_not_valid",
            "messages": [{"token_class": "AccessToken", "token_type": "access", "message": reason}]
        })
    };
    let res = app.get("/api/users/profile/").send().await;
    assert_eq!(
        (res.status, res.body.clone()),
        (
            401,
            json!({"detail": "Authentication credentials were not provided."})
        )
    );
    assert_eq!(res.header("www-authenticate"), Some("Bearer realm=\"api\""));
    let res = app
        .get("/api/users/profile/")
        .header("authorization", "Token abc")
        .send()
        .await;
    assert_eq!(
        res.body["detail"],
        "Authentication credentials were not provided."
    );
    let res = app
        .get("/api/users/profile/")
        .header("authorization", "Bearer")
        .send()
        .await;
    assert_eq!(
        res.body,
        json!({"detail": "Authorization header must contain two space-delimited values", "code": "bad_authorization_header"})
    );
    let res = app
        .get("/api/users/profile/")
        .header("authorization", "Bearer a b")
        .send()
        .await;
    assert_eq!(res.body["code"], "bad_authorization_header");
    let res = app
        .get("/api/users/profile/")
        .bearer("not.a.token")
        .send()
        .await;
    assert_eq!(
        (res.status, res.body.clone()),
        (401, invalid("Token is invalid"))
    );
    let res = app
        .get("/api/users/profile/")
        .bearer(&acct.refresh)
        .send()
        .await;
    assert_eq!(res.body, invalid("Token has wrong type"));
    let now = chrono::Utc::now().timestamp();
    let expired = app.state.tokens.sign(&Claims {
        token_type: "access".into(),
        exp: now - 1,
        iat: now - 900,
        jti: "b".repeat(32),
        user_id: acct.id.clone(),
        ver: 0,
        sid: None,
    });
    let res = app.get("/api/users/profile/").bearer(&expired).send().await;
    assert_eq!(res.body, invalid("Token is expired"));
    // Signed with another secret.
    let other = testkit::TestApp::spawn(users::router).await;
    let foreign = other.state.tokens.sign(&Claims {
        token_type: "access".into(),
        exp: now + 600,
        iat: now,
        jti: "c".repeat(32),
        user_id: acct.id.clone(),
        ver: 0,
        sid: None,
    });
    let res = app.get("/api/users/profile/").bearer(&foreign).send().await;
    assert_eq!(res.body, invalid("Token is invalid"));
    // A bad token fails even on a public endpoint.
    let res = app
        .post("/api/users/login/")
        .bearer("junk")
        .json(json!({}))
        .send()
        .await;
    assert_eq!(res.status, 401);
}

#[tokio::test]
async fn logout_revokes_every_token_of_every_device() {
    let app = app().await;
    let acct = register(&app, "logout").await;
    let other_device = login(&app, &acct.email, PASSWORD).await;
    let (other_access, other_refresh) = tokens(&other_device.body);

    let res = app
        .post("/api/users/logout/")
        .bearer(&acct.access)
        .send()
        .await;
    assert_eq!(
        (res.status, res.body.clone()),
        (200, json!({"message": "Successfully logged out"}))
    );

    for refresh in [&acct.refresh, &other_refresh] {
        let res = app
            .post("/api/token/refresh/")
            .json(json!({"refresh": refresh}))
            .send()
            .await;
        assert_eq!(res.status, 401);
    }
    for access in [&acct.access, &other_access] {
        let res = app.get("/api/users/profile/").bearer(access).send().await;
        assert_eq!(res.status, 401);
        assert_eq!(res.body["messages"][0]["message"], "Token is blacklisted");
    }
    // Logging in again works.
    let res = login(&app, &acct.email, PASSWORD).await;
    let (access, _) = tokens(&res.body);
    assert_eq!(
        app.get("/api/users/profile/")
            .bearer(&access)
            .send()
            .await
            .status,
        200
    );
    let sessions = app.get("/api/auth/sessions/").bearer(&access).send().await;
    assert_eq!(
        sessions.body["count"], 1,
        "only the new login is active: {}",
        sessions.text
    );
}
