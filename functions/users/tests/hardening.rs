//! Issue 8 (hardening): throttled password checks that hold under
//! concurrency, the password asked before an e-mail change or account
//! deletion, one-time code limits, the refresh grace, and the auth partition.

mod common;

use std::sync::Arc;

use common::{age_email_code, app, login, register, tokens, TestApp, PASSWORD};
use serde_json::{json, Value};
use shared::store::keys;
use testkit::{emails_to, six_digit_code, unique_email, TestResponse};
use tokio::task::JoinSet;
use users::store::AuthStore;

const WRONG: &str = "Wrong-Passphrase-1";
const INVALID_LOGIN: &str = "Invalid email or password";
const WRONG_PASSWORD: &str = "Your password was entered incorrectly.";
const CODE_SUBJECT: &str = "Votre code de vérification AutoTrack+";
const CHANGED_SUBJECT: &str = "Votre adresse e-mail a été changée";

fn assert_locked(res: &TestResponse) {
    assert_eq!(res.status, 429, "{}", res.text);
    let detail = res.body["detail"].as_str().unwrap_or_default();
    assert!(
        detail.starts_with("Too many failed login attempts. Try again in "),
        "{}",
        res.text
    );
    let retry: u64 = res.header("retry-after").unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 15 * 60, "{retry}");
}

async fn code_mails(address: &str) -> Vec<String> {
    emails_to(address)
        .await
        .into_iter()
        .filter(|m| m.subject == CODE_SUBJECT)
        .map(|m| six_digit_code(&m.body).expect("a code in the mail"))
        .collect()
}

async fn verify(app: &TestApp, email: &str, code: &str) -> TestResponse {
    app.post("/api/auth/verify-otp/")
        .json(json!({"email": email, "otp_code": code}))
        .send()
        .await
}

async fn resend(app: &TestApp, email: &str) -> TestResponse {
    app.post("/api/auth/resend-otp/")
        .json(json!({"email": email}))
        .send()
        .await
}

async fn refresh(app: &TestApp, token: &str) -> TestResponse {
    app.post("/api/token/refresh/")
        .json(json!({"refresh": token}))
        .send()
        .await
}

fn sort_keys(items: &[shared::store::Item]) -> Vec<String> {
    let mut sks: Vec<String> = items
        .iter()
        .map(|i| i[keys::SK].as_s().unwrap().clone())
        .collect();
    sks.sort();
    sks
}

// 1. Login throttling under concurrency.

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_wrong_logins_locks_the_account_without_checking_them_all() {
    let app = Arc::new(app().await);
    let acct = register(&app, "burst").await;
    let mut burst = JoinSet::new();
    for _ in 0..12 {
        let (app, email) = (app.clone(), acct.email.clone());
        burst.spawn(async move { login(&app, &email, WRONG).await });
    }
    let (mut refused, mut locked) = (0, 0);
    while let Some(res) = burst.join_next().await {
        let res = res.unwrap();
        match res.status {
            400 => {
                assert_eq!(res.body, json!({"non_field_errors": [INVALID_LOGIN]}));
                refused += 1;
            }
            429 => {
                assert_locked(&res);
                locked += 1;
            }
            other => panic!("unexpected {other}: {}", res.text),
        }
    }
    // At most five passwords were looked at: the fifth wrong one locks, and
    // every attempt past five is refused without a check.
    assert!(refused <= 4, "{refused} answered 'invalid'");
    assert!(locked >= 8, "only {locked} answered 429");
    // Locked: even the right password is refused.
    assert_locked(&login(&app, &acct.email, PASSWORD).await);
    let stored = app
        .state
        .store
        .users()
        .get(&acct.id)
        .await
        .unwrap()
        .unwrap();
    assert!(stored.is_locked(chrono::Utc::now()));
}

// 2. Every "current password" check is throttled by the same counter.

#[tokio::test]
async fn wrong_current_passwords_anywhere_count_toward_the_login_lock() {
    let app = app().await;
    let acct = register(&app, "shared-lock").await;
    let change = |old: &'static str| {
        app.post("/api/users/change-password/")
            .bearer(&acct.access)
            .json(json!({"old_password": old, "new_password": "Brand-New-Pass-9", "new_password_confirm": "Brand-New-Pass-9"}))
    };
    let res = change(WRONG).send().await;
    assert_eq!(
        (res.status, res.body.clone()),
        (400, json!({"error": "Invalid old password"}))
    );
    let res = app
        .delete("/api/users/delete-account/")
        .bearer(&acct.access)
        .json(json!({"password": WRONG}))
        .send()
        .await;
    assert_eq!(
        (res.status, res.body.clone()),
        (400, json!({"password": [WRONG_PASSWORD]}))
    );
    let res = app
        .patch("/api/users/profile/")
        .bearer(&acct.access)
        .json(json!({"email": unique_email("elsewhere"), "current_password": WRONG}))
        .send()
        .await;
    assert_eq!(
        (res.status, res.body.clone()),
        (400, json!({"current_password": [WRONG_PASSWORD]}))
    );
    let res = login(&app, &acct.email, WRONG).await;
    assert_eq!(res.body, json!({"non_field_errors": [INVALID_LOGIN]}));
    // The fifth wrong password, wherever it comes from, locks.
    assert_locked(&change(WRONG).send().await);

    // Locked: the right password is refused everywhere, nothing changes.
    assert_locked(&change(PASSWORD).send().await);
    assert_locked(
        &app.delete("/api/users/delete-account/")
            .bearer(&acct.access)
            .json(json!({"password": PASSWORD}))
            .send()
            .await,
    );
    assert_locked(
        &app.patch("/api/users/profile/")
            .bearer(&acct.access)
            .json(json!({"email": unique_email("elsewhere"), "current_password": PASSWORD}))
            .send()
            .await,
    );
    assert_locked(&login(&app, &acct.email, PASSWORD).await);
    let me = app
        .get("/api/users/profile/")
        .bearer(&acct.access)
        .send()
        .await;
    assert_eq!(
        (me.status, me.body["email"].as_str()),
        (200, Some(acct.email.as_str()))
    );
}

#[tokio::test]
async fn a_right_current_password_resets_the_failure_count() {
    let app = app().await;
    let acct = register(&app, "count-reset").await;
    for _ in 0..4 {
        assert_eq!(login(&app, &acct.email, WRONG).await.status, 400);
    }
    age_email_code(&app, &acct.id).await;
    let res = app
        .patch("/api/users/profile/")
        .bearer(&acct.access)
        .json(json!({"email": unique_email("moved"), "current_password": PASSWORD}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let stored = app
        .state
        .store
        .users()
        .get(&acct.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.failed_logins, 0);
}

// 3. The password before an e-mail change or an account deletion.

#[tokio::test]
async fn changing_the_login_address_takes_the_current_password_and_tells_the_old_address() {
    let app = app().await;
    let acct = register(&app, "addr").await;
    let new_email = unique_email("addr-new");
    let res = app
        .patch("/api/users/profile/")
        .bearer(&acct.access)
        .json(json!({"email": new_email}))
        .send()
        .await;
    assert_eq!(
        (res.status, res.body.clone()),
        (
            400,
            json!({"current_password": ["This field is required."]})
        )
    );
    let res = app
        .put("/api/users/profile/")
        .bearer(&acct.access)
        .json(json!({"email": new_email, "first_name": "A", "last_name": "B", "current_password": WRONG}))
        .send()
        .await;
    assert_eq!(
        (res.status, res.body.clone()),
        (400, json!({"current_password": [WRONG_PASSWORD]}))
    );
    // Names, phone, or the same address in other letter case: no password.
    let res = app
        .put("/api/users/profile/")
        .bearer(&acct.access)
        .json(json!({"email": acct.email.to_uppercase(), "first_name": "Marie", "last_name": "Curie", "phone_number": "0102030405"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["first_name"], "Marie");
    // Stored as typed (domain lower-cased): the notice goes there.
    let old_email = res.body["email"].as_str().unwrap().to_string();
    assert_ne!(old_email, acct.email);
    assert!(emails_to(&old_email)
        .await
        .iter()
        .all(|m| m.subject != CHANGED_SUBJECT));

    let res = app
        .patch("/api/users/profile/")
        .bearer(&acct.access)
        .json(json!({"email": new_email, "current_password": PASSWORD}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["email"], new_email);
    let notice: Vec<_> = emails_to(&old_email)
        .await
        .into_iter()
        .filter(|m| m.subject == CHANGED_SUBJECT)
        .collect();
    assert_eq!(notice.len(), 1, "the old address is told once");
    assert!(notice[0].body.contains(&new_email), "{}", notice[0].body);
    assert!(emails_to(&new_email)
        .await
        .iter()
        .all(|m| m.subject != CHANGED_SUBJECT));
}

#[tokio::test]
async fn deleting_the_account_takes_the_password() {
    let app = app().await;
    let acct = register(&app, "del-pw").await;
    let res = app
        .delete("/api/users/delete-account/")
        .bearer(&acct.access)
        .send()
        .await;
    assert_eq!(
        (res.status, res.body.clone()),
        (400, json!({"password": ["This field is required."]}))
    );
    let res = app
        .delete("/api/auth/delete-account/")
        .bearer(&acct.access)
        .json(json!({"password": WRONG}))
        .send()
        .await;
    assert_eq!(
        (res.status, res.body.clone()),
        (400, json!({"password": [WRONG_PASSWORD]}))
    );
    assert_eq!(
        app.get("/api/users/profile/")
            .bearer(&acct.access)
            .send()
            .await
            .status,
        200,
        "still there"
    );
    let res = app
        .delete("/api/users/delete-account/")
        .bearer(&acct.access)
        .json(json!({"password": PASSWORD}))
        .send()
        .await;
    assert_eq!((res.status, res.text.as_str()), (204, ""));
}

#[tokio::test]
async fn testkit_users_with_a_password_can_delete_their_account() {
    let app = app().await;
    let (user, access) = app.signed_in_user_with_password("kit", PASSWORD).await;
    let res = app
        .delete("/api/users/delete-account/")
        .bearer(&access)
        .json(json!({"password": PASSWORD}))
        .send()
        .await;
    assert_eq!(res.status, 204, "{}", res.text);
    assert!(app
        .state
        .store
        .users()
        .get(&user.id)
        .await
        .unwrap()
        .is_none());
}

// 4. One-time codes: cooldown, daily cap, address changes.

#[tokio::test]
async fn a_code_used_up_by_wrong_guesses_still_holds_the_resend_back() {
    let app = app().await;
    let acct = register(&app, "used-up").await;
    let code = code_mails(&acct.email).await.remove(0);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..6 {
        let res = verify(&app, &acct.email, wrong).await;
        assert_eq!(
            (res.status, res.body.clone()),
            (400, json!({"error": "Invalid or expired OTP code"}))
        );
    }
    // Used up but kept: its sending time still holds a resend back.
    let stored = app.state.store.email_codes().get(&acct.id).await.unwrap();
    assert_eq!(stored.map(|c| c.attempts), Some(5));
    let res = resend(&app, &acct.email).await;
    assert_eq!(
        (res.status, res.body.clone()),
        (200, json!({"message": "OTP sent successfully"}))
    );
    assert_eq!(code_mails(&acct.email).await.len(), 1, "no second code yet");
    assert_eq!(verify(&app, &acct.email, &code).await.status, 400);

    // After the cooldown a new code comes and works.
    age_email_code(&app, &acct.id).await;
    assert_eq!(resend(&app, &acct.email).await.status, 200);
    let codes = code_mails(&acct.email).await;
    assert_eq!(codes.len(), 2);
    let res = verify(&app, &acct.email, &codes[1]).await;
    assert_eq!(res.status, 200, "{}", res.text);
}

#[tokio::test]
async fn codes_sent_to_an_address_are_capped_per_day() {
    let app = app().await;
    let acct = register(&app, "cap").await;
    // Registration sent the first of the day's ten.
    for _ in 0..9 {
        age_email_code(&app, &acct.id).await;
        let res = resend(&app, &acct.email).await;
        assert_eq!(res.status, 200, "{}", res.text);
    }
    assert_eq!(code_mails(&acct.email).await.len(), 10);
    age_email_code(&app, &acct.id).await;
    let res = resend(&app, &acct.email).await;
    assert_eq!(res.status, 429, "{}", res.text);
    assert_eq!(
        res.body,
        json!({"detail": "Too many verification codes were sent to this address today. Try again tomorrow."})
    );
    let retry: u64 = res.header("retry-after").unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 86_400, "{retry}");
    assert_eq!(code_mails(&acct.email).await.len(), 10, "no eleventh code");
    // The last code sent still works.
    let last = code_mails(&acct.email).await.pop().unwrap();
    let stored = app
        .state
        .store
        .email_codes()
        .get(&acct.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.attempts, 0);
    assert_eq!(verify(&app, &acct.email, &last).await.status, 200);
}

#[tokio::test]
async fn an_address_change_within_the_cooldown_sends_no_code_and_voids_the_old_one() {
    let app = app().await;
    let acct = register(&app, "void").await;
    let old_code = code_mails(&acct.email).await.remove(0);
    let new_email = unique_email("void-new");
    let res = app
        .patch("/api/users/profile/")
        .bearer(&acct.access)
        .json(json!({"email": new_email, "current_password": PASSWORD}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert!(
        code_mails(&new_email).await.is_empty(),
        "one code per cooldown"
    );
    // The code mailed to the old address does not verify the new one.
    let res = verify(&app, &new_email, &old_code).await;
    assert_eq!(
        (res.status, res.body.clone()),
        (400, json!({"error": "Invalid or expired OTP code"}))
    );
    // Once the cooldown passed, the new address asks for and gets its code.
    age_email_code(&app, &acct.id).await;
    assert_eq!(resend(&app, &new_email).await.status, 200);
    let codes = code_mails(&new_email).await;
    assert_eq!(codes.len(), 1);
    let res = verify(&app, &new_email, &codes[0]).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let me = app
        .get("/api/users/profile/")
        .bearer(&acct.access)
        .send()
        .await;
    assert_eq!(me.body["email_verified"], true);
}

// 5. Refresh grace.

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_refreshes_racing_with_one_token_both_succeed_and_keep_the_chain() {
    let app = Arc::new(app().await);
    let acct = register(&app, "race").await;
    let (_, r1) = tokens(&login(&app, &acct.email, PASSWORD).await.body);
    let mut race = JoinSet::new();
    for _ in 0..2 {
        let (app, r1) = (app.clone(), r1.clone());
        race.spawn(async move { refresh(&app, &r1).await });
    }
    let mut answers: Vec<Value> = Vec::new();
    while let Some(res) = race.join_next().await {
        let res = res.unwrap();
        assert_eq!(res.status, 200, "{}", res.text);
        answers.push(res.body);
    }
    // Both hold the chain's current refresh token, byte for byte.
    assert_eq!(answers[0]["refresh"], answers[1]["refresh"]);
    assert_ne!(answers[0]["refresh"], json!(r1));
    for answer in &answers {
        let access = answer["access"].as_str().unwrap();
        let me = app.get("/api/users/profile/").bearer(access).send().await;
        assert_eq!(me.status, 200);
    }
    // Whichever copy the client kept still refreshes.
    let r2 = answers[0]["refresh"].as_str().unwrap();
    let res = refresh(&app, r2).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let r3 = res.body["refresh"].as_str().unwrap().to_string();
    let res = refresh(&app, answers[1]["refresh"].as_str().unwrap()).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["refresh"], json!(r3));
    assert_eq!(refresh(&app, &r3).await.status, 200);
}

#[tokio::test]
async fn the_replaced_token_gets_the_current_one_within_the_grace_and_older_ones_revoke() {
    let app = app().await;
    let acct = register(&app, "grace").await;
    let (_, r1) = tokens(&login(&app, &acct.email, PASSWORD).await.body);
    let res = refresh(&app, &r1).await;
    let r2 = res.body["refresh"].as_str().unwrap().to_string();
    // A late duplicate of the same refresh: the current token again.
    let res = refresh(&app, &r1).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["refresh"], json!(r2));
    let access = res.body["access"].as_str().unwrap();
    assert_eq!(
        app.get("/api/users/profile/")
            .bearer(access)
            .send()
            .await
            .status,
        200
    );
    // Two rotations back is reuse, grace or not: the chain ends.
    let r3 = refresh(&app, &r2).await.body["refresh"]
        .as_str()
        .unwrap()
        .to_string();
    let res = refresh(&app, &r1).await;
    assert_eq!(
        (res.status, res.body.clone()),
        (
            401,
            json!({"detail": "Token is blacklisted", "code": "token_not_valid"})
        )
    );
    assert_eq!(refresh(&app, &r3).await.status, 401, "the chain is revoked");
    assert_eq!(refresh(&app, &r2).await.status, 401);
}

// 6. The auth partition.

#[tokio::test]
async fn sessions_and_codes_live_in_the_auth_partition() {
    let app = app().await;
    let acct = register(&app, "auth-pk").await;
    login(&app, &acct.email, PASSWORD).await;
    let store = &app.state.store;
    let main = store
        .query_prefix(&keys::user_pk(&acct.id), "")
        .await
        .unwrap();
    assert_eq!(sort_keys(&main), [keys::USER_PROFILE_SK]);
    let auth = store
        .query_prefix(&keys::auth_pk(&acct.id), "")
        .await
        .unwrap();
    let sks = sort_keys(&auth);
    assert_eq!(sks.len(), 3, "{sks:?}");
    assert_eq!(sks[0], keys::EMAIL_OTP_SK);
    assert!(sks[1..]
        .iter()
        .all(|sk| sk.starts_with(keys::SESSION_PREFIX)));

    let res = app
        .get("/api/auth/sessions/")
        .bearer(&acct.access)
        .send()
        .await;
    assert_eq!(res.body["count"], 2);
    let res = app
        .delete("/api/users/delete-account/")
        .bearer(&acct.access)
        .json(json!({"password": PASSWORD}))
        .send()
        .await;
    assert_eq!(res.status, 204);
    assert!(store
        .query_prefix(&keys::auth_pk(&acct.id), "")
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn revoking_never_recreates_a_session_ttl_removed() {
    let app = app().await;
    let acct = register(&app, "ttl").await;
    let res = login(&app, &acct.email, PASSWORD).await;
    let (access, _) = tokens(&res.body);
    let store = &app.state.store;
    let sessions = store.sessions().list(&acct.id).await.unwrap();
    assert_eq!(sessions.len(), 2);
    let (gone, kept) = (sessions[0].id.clone(), sessions[1].id.clone());
    // TTL removes one session between the listing and the revocation.
    let gone_key = keys::session_key(&acct.id, &gone);
    store.delete_keys(vec![gone_key.clone()]).await.unwrap();
    store
        .sessions()
        .deactivate(&acct.id, &[gone.clone(), kept.clone()], shared::time::now())
        .await
        .unwrap();
    assert!(store.get(&gone_key.0, &gone_key.1).await.unwrap().is_none());
    let kept_now = store
        .sessions()
        .get(&acct.id, &kept)
        .await
        .unwrap()
        .unwrap();
    assert!(!kept_now.is_active);
    store
        .sessions()
        .revoke(&acct.id, &gone, shared::time::now())
        .await
        .unwrap();
    assert!(store.get(&gone_key.0, &gone_key.1).await.unwrap().is_none());
    // And logout still answers normally.
    let res = app.post("/api/users/logout/").bearer(&access).send().await;
    assert_eq!(
        (res.status, res.body.clone()),
        (200, json!({"message": "Successfully logged out"}))
    );
    assert!(store.get(&gone_key.0, &gone_key.1).await.unwrap().is_none());
}
