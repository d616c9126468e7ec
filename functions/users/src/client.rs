//! Facts about the calling client kept on login sessions.

use axum::http::HeaderMap;

/// First address of `X-Forwarded-For` (API Gateway sets it to the caller).
pub fn ip_address(headers: &HeaderMap) -> Option<String> {
    headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(str::trim)
        .filter(|ip| ip.parse::<std::net::IpAddr>().is_ok())
        .map(str::to_string)
}

pub fn user_agent(headers: &HeaderMap) -> Option<String> {
    let agent = headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    Some(agent.chars().take(512).collect())
}
