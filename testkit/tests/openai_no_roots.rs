//! Without any CA roots the HTTP client cannot be built; calls must then fail
//! as Unavailable instead of panicking. Own test binary: it changes the
//! process environment.

use std::time::Duration;

use shared::ai::{AiError, OpenAi, Turn};
use shared::config::{OpenAiConfig, Secret};

#[tokio::test]
async fn missing_ca_roots_make_calls_unavailable() {
    // rustls-native-certs reads only this file when the variable is set.
    std::env::set_var("SSL_CERT_FILE", "/nonexistent/ca-bundle.pem");
    std::env::remove_var("SSL_CERT_DIR");

    let ai = OpenAi::new(&OpenAiConfig {
        api_key: Secret::new("sk-test"),
        base_url: "https://127.0.0.1:9/v1".to_owned(),
        model: "gpt-test".to_owned(),
        timeout: Duration::from_secs(1),
        attempts: 2,
    });
    let error = ai
        .chat(&[Turn::User("hi".to_owned())], &[], 10)
        .await
        .unwrap_err();

    assert!(
        matches!(&error, AiError::Unavailable(m) if m.contains("HTTP client")),
        "{error:?}"
    );
}
