//! Forgot/validate/reset password and e-mail verification codes.

mod common;

use common::{app, login, register, tokens, PASSWORD};
use serde_json::json;
use testkit::{emails_to, six_digit_code, FRONTEND_URL};

const RESET_ANSWER: &str = "If your email is registered, you will receive a password reset link";

/// `(uid, token)` out of the newest reset mail.
async fn reset_link(email: &str) -> (String, String) {
    let mails = emails_to(email).await;
    let mail = mails
        .iter()
        .rev()
        .find(|m| m.subject.starts_with("Réinitialisation"))
        .expect("reset mail");
    let prefix = format!("{FRONTEND_URL}/reset-password/");
    let start = mail.body.find(&prefix).expect("link to the front-end") + prefix.len();
    let rest: String = mail.body[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '<' && *c != '"')
        .collect();
    let (uid, token) = rest.split_once('/').expect("uid/token");
    (uid.to_string(), token.to_string())
}

#[tokio::test]
async fn forgot_password_answers_the_same_for_known_and_unknown_addresses() {
    let app = app().await;
    let acct = register(&app, "forgot").await;
    for email in [acct.email.clone(), "nobody-here@example.com".to_string()] {
        let res = app
            .post("/api/auth/forgot-password/")
            .json(json!({"email": email}))
            .send()
            .await;
        assert_eq!(
            (res.status, res.body.clone()),
            (200, json!({"message": RESET_ANSWER}))
        );
    }
    assert!(emails_to("nobody-here@example.com").await.is_empty());
    let res = app
        .post("/api/auth/forgot-password/")
        .json(json!({"email": "bad"}))
        .send()
        .await;
    assert_eq!(
        (res.status, res.body.clone()),
        (400, json!({"email": ["Enter a valid email address."]}))
    );
}

#[tokio::test]
async fn reset_flow_changes_the_password_once_and_revokes_sessions() {
    let app = app().await;
    let acct = register(&app, "resetter").await;
    app.post("/api/auth/forgot-password/")
        .json(json!({"email": acct.email}))
        .send()
        .await;
    let (uid, token) = reset_link(&acct.email).await;

    let res = app
        .post("/api/auth/validate-reset-token/")
        .json(json!({"uid": uid, "token": token}))
        .send()
        .await;
    assert_eq!(
        (res.status, res.body.clone()),
        (200, json!({"valid": true, "message": "Token is valid"}))
    );
    let res = app
        .post("/api/auth/validate-reset-token/")
        .json(json!({"uid": uid, "token": "1-deadbeef"}))
        .send()
        .await;
    assert_eq!(
        (res.status, res.body.clone()),
        (
            400,
            json!({"valid": false, "message": "Invalid or expired token"})
        )
    );
    let res = app
        .post("/api/auth/validate-reset-token/")
        .json(json!({}))
        .send()
        .await;
    assert_eq!(
        res.body,
        json!({"uid": ["This field is required."], "token": ["This field is required."]})
    );

    let res = app
        .post("/api/auth/reset-password/")
        .json(json!({"uid": uid, "token": token, "password": "Reset-Passphrase-3", "password_confirm": "nope"}))
        .send()
        .await;
    assert_eq!(res.body, json!({"password": ["Passwords don't match"]}));
    let res = app
        .post("/api/auth/reset-password/")
        .json(json!({"uid": "bogus", "token": token, "password": "Reset-Passphrase-3", "password_confirm": "Reset-Passphrase-3"}))
        .send()
        .await;
    assert_eq!(
        (res.status, res.body.clone()),
        (400, json!({"error": "Invalid or expired token"}))
    );

    let body = json!({"uid": uid, "token": token, "password": "Reset-Passphrase-3", "password_confirm": "Reset-Passphrase-3"});
    let res = app
        .post("/api/auth/reset-password/")
        .json(body.clone())
        .send()
        .await;
    assert_eq!(
        (res.status, res.body.clone()),
        (200, json!({"message": "Password reset successfully"}))
    );
    // Single use, old tokens revoked, new password works, mailbox proven.
    let res = app
        .post("/api/auth/reset-password/")
        .json(body)
        .send()
        .await;
    assert_eq!(res.status, 400);
    assert_eq!(
        app.get("/api/users/profile/")
            .bearer(&acct.access)
            .send()
            .await
            .status,
        401
    );
    assert_eq!(
        app.post("/api/token/refresh/")
            .json(json!({"refresh": acct.refresh}))
            .send()
            .await
            .status,
        401
    );
    let res = login(&app, &acct.email, "Reset-Passphrase-3").await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["user"]["email_verified"], true);
    assert_eq!(login(&app, &acct.email, PASSWORD).await.status, 400);
}

#[tokio::test]
async fn reset_requests_are_throttled_per_account() {
    let app = app().await;
    let acct = register(&app, "spam").await;
    for _ in 0..3 {
        let res = app
            .post("/api/auth/forgot-password/")
            .json(json!({"email": acct.email}))
            .send()
            .await;
        assert_eq!(res.status, 200);
    }
    let resets = emails_to(&acct.email)
        .await
        .into_iter()
        .filter(|m| m.subject.starts_with("Réinitialisation"))
        .count();
    assert_eq!(resets, 1);
}

#[tokio::test]
async fn verification_code_from_registration_verifies_the_address() {
    let app = app().await;
    let acct = register(&app, "verify").await;
    let mail = emails_to(&acct.email)
        .await
        .into_iter()
        .find(|m| m.subject.contains("vérification"))
        .unwrap();
    let code = six_digit_code(&mail.body).unwrap();
    let res = app
        .post("/api/auth/verify-otp/")
        .json(json!({"email": acct.email, "otp_code": code}))
        .send()
        .await;
    assert_eq!(
        (res.status, res.body.clone()),
        (
            200,
            json!({"message": "OTP verified successfully", "verified": true})
        )
    );
    let me = app
        .get("/api/users/profile/")
        .bearer(&acct.access)
        .send()
        .await;
    assert_eq!(me.body["email_verified"], true);
    // Single use.
    let res = app
        .post("/api/auth/verify-otp/")
        .json(json!({"email": acct.email, "otp_code": code}))
        .send()
        .await;
    assert_eq!(
        (res.status, res.body.clone()),
        (400, json!({"error": "Invalid or expired OTP code"}))
    );
}

#[tokio::test]
async fn verify_otp_validation_and_no_enumeration() {
    let app = app().await;
    let res = app
        .post("/api/auth/verify-otp/")
        .json(json!({"email": "x@example.com", "otp_code": "123"}))
        .send()
        .await;
    assert_eq!(
        res.body,
        json!({"otp_code": ["Ensure this field has at least 6 characters."]})
    );
    let res = app
        .post("/api/auth/verify-otp/")
        .json(json!({"email": "x@example.com", "otp_code": "1234567"}))
        .send()
        .await;
    assert_eq!(
        res.body,
        json!({"otp_code": ["Ensure this field has no more than 6 characters."]})
    );
    let res = app
        .post("/api/auth/verify-otp/")
        .json(json!({"email": "unknown@example.com", "otp_code": "123456"}))
        .send()
        .await;
    assert_eq!(
        (res.status, res.body.clone()),
        (400, json!({"error": "Invalid or expired OTP code"}))
    );
    let res = app
        .post("/api/auth/resend-otp/")
        .json(json!({"email": "unknown@example.com"}))
        .send()
        .await;
    assert_eq!(
        (res.status, res.body.clone()),
        (200, json!({"message": "OTP sent successfully"}))
    );
}

#[tokio::test]
async fn wrong_codes_are_limited_then_the_code_dies() {
    let app = app().await;
    let acct = register(&app, "guess").await;
    let mail = emails_to(&acct.email)
        .await
        .into_iter()
        .find(|m| m.subject.contains("vérification"))
        .unwrap();
    let code = six_digit_code(&mail.body).unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        let res = app
            .post("/api/auth/verify-otp/")
            .json(json!({"email": acct.email, "otp_code": wrong}))
            .send()
            .await;
        assert_eq!(res.status, 400);
    }
    let res = app
        .post("/api/auth/verify-otp/")
        .json(json!({"email": acct.email, "otp_code": code}))
        .send()
        .await;
    assert_eq!(
        res.status, 400,
        "after five wrong guesses even the right code is refused"
    );
}

#[tokio::test]
async fn expired_codes_are_refused_even_before_ttl_deletes_them() {
    let app = app().await;
    let acct = register(&app, "late").await;
    let mail = emails_to(&acct.email)
        .await
        .into_iter()
        .find(|m| m.subject.contains("vérification"))
        .unwrap();
    let code = six_digit_code(&mail.body).unwrap();
    let (pk, sk) = shared::store::keys::email_code_key(&acct.id);
    app.state
        .store
        .update(
            &pk,
            &sk,
            shared::store::Expr::new()
                .update("SET expires_at = :past")
                .value(":past", shared::store::n(1)),
        )
        .await
        .unwrap();
    let res = app
        .post("/api/auth/verify-otp/")
        .json(json!({"email": acct.email, "otp_code": code}))
        .send()
        .await;
    assert_eq!(res.status, 400);
}

#[tokio::test]
async fn resend_is_throttled_and_replaces_the_code() {
    let app = app().await;
    let acct = register(&app, "resend").await;
    let codes = |mails: Vec<testkit::SentMail>| {
        mails
            .into_iter()
            .filter(|m| m.subject.contains("vérification"))
            .count()
    };
    // Registration just sent one: an immediate resend is silently skipped.
    app.post("/api/auth/resend-otp/")
        .json(json!({"email": acct.email}))
        .send()
        .await;
    assert_eq!(codes(emails_to(&acct.email).await), 1);
    // Once the cooldown has passed a new code replaces the old one.
    common::age_email_code(&app, &acct.id).await;
    let res = app
        .post("/api/auth/resend-otp/")
        .json(json!({"email": acct.email}))
        .send()
        .await;
    assert_eq!(res.status, 200);
    let mails: Vec<_> = emails_to(&acct.email)
        .await
        .into_iter()
        .filter(|m| m.subject.contains("vérification"))
        .collect();
    assert_eq!(mails.len(), 2);
    let old = six_digit_code(&mails[0].body).unwrap();
    let new = six_digit_code(&mails[1].body).unwrap();
    if old != new {
        let res = app
            .post("/api/auth/verify-otp/")
            .json(json!({"email": acct.email, "otp_code": old}))
            .send()
            .await;
        assert_eq!(res.status, 400, "the replaced code is dead");
    }
    let res = app
        .post("/api/auth/verify-otp/")
        .json(json!({"email": acct.email, "otp_code": new}))
        .send()
        .await;
    assert_eq!(res.status, 200);
    // A verified address gets no more codes.
    app.post("/api/auth/resend-otp/")
        .json(json!({"email": acct.email}))
        .send()
        .await;
    assert_eq!(codes(emails_to(&acct.email).await), 2);
    let _ = tokens;
}
