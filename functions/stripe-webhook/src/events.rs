//! The staff's view of the stored events (spec 11.2.2 to 11.2.6): read
//! only (other methods are 405), 401 without a token, 403 for anyone but
//! staff. Events are Stripe's ids (`evt_...`).

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::Value;
use shared::auth::Staff;
use shared::domain::webhooks::WebhookEvent;
use shared::http::listing::bool_filter;
use shared::http::pagination::{page_offset, requested_page, RequestUrl, PAGE_SIZE};
use shared::http::{ok, Page};
use shared::store::webhooks::EventFilter;
use shared::usecases::stripe_events::{self, Received};
use shared::{Error, Result};

use crate::WebhookState;

const NOT_FOUND: Error = Error::NotFound(Some("Event"));
/// Events the bare-array views show (newest first).
const VIEW_LIMIT: usize = 100;

fn rows(events: &[WebhookEvent]) -> Vec<Value> {
    events.iter().map(WebhookEvent::to_json).collect()
}

/// A filter value as typed, bounded (a longer one matches nothing anyway).
fn text_filter(url: &RequestUrl, name: &str) -> Option<String> {
    url.param(name)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| v.chars().take(100).collect())
}

/// `GET /api/webhooks/events/`: newest first, paged in DynamoDB;
/// filters `event_type`, `source`, `processed`.
pub async fn list(
    State(state): State<WebhookState>,
    _staff: Staff,
    url: RequestUrl,
) -> Result<Response> {
    let filter = EventFilter {
        event_type: text_filter(&url, "event_type"),
        source: text_filter(&url, "source"),
        processed: bool_filter(&url, "processed"),
        errors_only: false,
    };
    let webhooks = state.store.webhooks();
    let count = webhooks.count(&filter).await?;
    let page = requested_page(&url, count)?;
    let events = webhooks
        .window(&filter, page_offset(page), PAGE_SIZE)
        .await?;
    Ok(ok(Page::assemble(rows(&events), count, page, &url)))
}

/// `GET .../unprocessed/`: the newest events not processed (bare array).
pub async fn unprocessed(State(state): State<WebhookState>, _staff: Staff) -> Result<Response> {
    let filter = EventFilter {
        processed: Some(false),
        ..Default::default()
    };
    let events = state
        .store
        .webhooks()
        .window(&filter, 0, VIEW_LIMIT)
        .await?;
    Ok(ok(rows(&events)))
}

/// `GET .../errors/`: the newest events whose processing failed.
pub async fn errors(State(state): State<WebhookState>, _staff: Staff) -> Result<Response> {
    let filter = EventFilter {
        errors_only: true,
        ..Default::default()
    };
    let events = state
        .store
        .webhooks()
        .window(&filter, 0, VIEW_LIMIT)
        .await?;
    Ok(ok(rows(&events)))
}

async fn find(state: &WebhookState, id: &str) -> Result<WebhookEvent> {
    // Stripe's ids are short; a longer one names nothing we could store.
    if id.len() > 255 {
        return Err(NOT_FOUND);
    }
    state.store.webhooks().get(id).await?.ok_or(NOT_FOUND)
}

pub async fn detail(
    State(state): State<WebhookState>,
    _staff: Staff,
    Path(id): Path<String>,
) -> Result<Response> {
    Ok(ok(find(&state, &id).await?.to_json()))
}

/// `POST .../{id}/retry/`: processes a failed event again from its stored
/// payload (the same steps as a delivery). Already processed: a 400.
/// The answer is the event as stored after the attempt (its error, if
/// it failed again).
pub async fn retry(
    State(state): State<WebhookState>,
    _staff: Staff,
    Path(id): Path<String>,
) -> Result<Response> {
    let stored = find(&state, &id).await?;
    if stored.processed {
        return Err(Error::Body {
            status: 400,
            body: serde_json::json!({"error": "This event was already processed."}),
        });
    }
    // A failed payment processed now tells its owner, as a delivery would.
    if let Received::Processed {
        payment_failed: Some(owner),
        ..
    } = stripe_events::retry(&state.store, &stored).await?
    {
        crate::receive::mail_payment_failed(&state, &owner).await;
    }
    Ok(ok(find(&state, &id).await?.to_json()))
}
