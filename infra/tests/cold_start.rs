//! A cold start reads only the function's own sections, names every
//! problem at once, and opens the DynamoDB connection before the first
//! request.

use shared::config::Env;
use shared::state::start;
use shared::store::Store;

/// A test environment against the emulator, without the variables `drop`.
fn env_without(drop: &'static [&'static str]) -> Env<'static> {
    let endpoint = testkit::endpoint();
    Env::from_lookup(move |key| {
        let value = match key {
            "TABLE_NAME" => "cold-start-table".to_string(),
            "JWT_SECRET" => "cold-start-secret-cold-start-secret-0123".to_string(),
            "FRONTEND_URL" => testkit::FRONTEND_URL.to_string(),
            "AWS_ENDPOINT_URL" => endpoint.clone(),
            // What Lambda sets (the emulator takes any keys).
            "AWS_REGION" => "eu-west-1".to_string(),
            "AWS_ACCESS_KEY_ID" | "AWS_SECRET_ACCESS_KEY" => "testing".to_string(),
            _ => return None,
        };
        (!drop.contains(&key)).then_some(value)
    })
}

#[tokio::test]
async fn a_function_missing_several_values_names_them_all() {
    let err =
        start::<users::UsersState>(env_without(&["TABLE_NAME", "JWT_SECRET", "FRONTEND_URL"]))
            .await
            .unwrap_err()
            .to_string();
    for missing in ["TABLE_NAME", "JWT_SECRET", "FRONTEND_URL"] {
        assert!(err.contains(&format!("{missing} is missing")), "{err}");
    }
    let err = start::<users::UsersState>(env_without(&["AWS_REGION", "AWS_ACCESS_KEY_ID"]))
        .await
        .unwrap_err()
        .to_string();
    for missing in ["AWS_REGION", "AWS_ACCESS_KEY_ID"] {
        assert!(err.contains(&format!("{missing} is missing")), "{err}");
    }
}

#[tokio::test]
async fn a_function_that_checks_no_tokens_starts_without_the_signing_secret() {
    let state = start::<reminders::RemindersState>(env_without(&["JWT_SECRET"]))
        .await
        .expect("the reminders run needs no JWT_SECRET");
    assert_eq!(state.mailer.frontend_url(), testkit::FRONTEND_URL);
    let err = start::<vehicles::VehiclesState>(env_without(&["JWT_SECRET"]))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("JWT_SECRET is missing"), "{err}");
    assert!(
        !err.contains("FRONTEND_URL"),
        "vehicles sends no mail: {err}"
    );
}

#[tokio::test]
async fn the_store_connects_during_init() {
    let state = start::<settings::SettingsState>(env_without(&[]))
        .await
        .unwrap();
    let store: &Store = &state.store;
    assert!(store.calls() >= 1, "no DynamoDB call during init");
}
