//! `POST /api/webhooks/stripe/`: the raw body and its `Stripe-Signature`
//! header go to the shared processing; the answer tells Stripe whether to
//! deliver again (any 2xx: no; a 500: yes, with backoff, for days).

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use shared::http::body::MAX_BODY_BYTES;
use shared::mail::{templates, Mail};
use shared::usecases::stripe_events::{self, Received, Refusal};
use shared::{Error, Result};

use crate::WebhookState;

/// Where the payment-failed mail sends the owner (the frontend's page).
const SUBSCRIPTION_PAGE: &str = "/settings/subscription";

fn answer(status: StatusCode, body: serde_json::Value) -> Response {
    (status, axum::Json(body)).into_response()
}

pub async fn receive(State(state): State<WebhookState>, request: Request) -> Result<Response> {
    let (parts, body) = request.into_parts();
    let headers: HeaderMap = parts.headers;
    // The shared bound (Stripe's events are a few kilobytes): over it, the
    // API's JSON 413.
    let body = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| Error::PayloadTooLarge(MAX_BODY_BYTES))?;
    if !state.webhook.is_configured() {
        // Never "accept anything": without a secret nothing is verified.
        return Ok(answer(
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"error": "Stripe webhooks are not configured."}),
        ));
    }
    let header = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    let secrets = state.webhook.secrets();
    let received = stripe_events::receive(&state.store, &secrets, header, &body).await?;
    Ok(match received {
        Err(Refusal::Signature(reason)) => {
            tracing::info!(reason = ?reason, "webhook refused: signature");
            answer(
                StatusCode::BAD_REQUEST,
                json!({"error": "Invalid signature"}),
            )
        }
        Err(Refusal::Payload) => {
            answer(StatusCode::BAD_REQUEST, json!({"error": "Invalid payload"}))
        }
        Ok(Received::Duplicate { event_id }) => answer(
            StatusCode::OK,
            json!({"status": "success", "event_id": event_id, "duplicate": true}),
        ),
        Ok(Received::Failed { event_id, error }) => answer(
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"error": error, "event_id": event_id}),
        ),
        Ok(Received::Processed {
            event,
            payment_failed,
        }) => {
            if let Some(owner) = payment_failed {
                mail_payment_failed(&state, &owner).await;
            }
            answer(
                StatusCode::OK,
                json!({"status": "success", "event_id": event.id, "outcome": event.outcome}),
            )
        }
    })
}

/// The owner learns by mail too (the notification is in the event's
/// transaction). A mail that cannot go is logged, not retried: the
/// event's effects are in, and a retry would change nothing.
pub(crate) async fn mail_payment_failed(state: &WebhookState, owner_id: &str) {
    // The notification went in with the event: the inbox keeps its bound.
    if let Err(e) = state.store.notifications().trim(owner_id).await {
        tracing::warn!(error = %e, "payment-failed notification: inbox not trimmed");
    }
    let user = match state.store.users().get(owner_id).await {
        Ok(Some(user)) => user,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!(error = %e, "payment-failed mail: owner not read");
            return;
        }
    };
    let plan_name = user
        .plan
        .as_ref()
        .map_or("AutoTrack+".to_string(), |g| g.name.clone());
    let link = format!(
        "{}{SUBSCRIPTION_PAGE}",
        state.mailer.frontend_url().trim_end_matches('/')
    );
    let mail: Mail = templates::payment_failed(&user, &plan_name, &link);
    state.mailer.send(mail).await;
}
