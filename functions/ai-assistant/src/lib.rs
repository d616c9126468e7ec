//! The `ai-assistant` function (spec 13, issue 15): conversations with an
//! automotive assistant that knows the owner's own vehicles, their history
//! and what is due. Seed paths (`/api/ai/...`) with the reference's
//! (`/api/conversations/`, `/api/messages/`, `/api/assistant/...`) as
//! aliases.

pub mod actions;
pub mod chat;
pub mod conversations;
pub mod engine;
pub mod messages;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod quota;
mod state;

use axum::routing::{get, post};
use axum::Router;
use shared::http::app::at;
pub use state::AssistantState;

/// How long a request may take here (the template's timeout is longer).
pub const ANSWER_DEADLINE: std::time::Duration = std::time::Duration::from_secs(25);

pub fn router(state: AssistantState) -> Router {
    let routes = at(
        Router::new(),
        &["/api/ai/conversations", "/api/conversations"],
        get(conversations::list).post(conversations::create),
    );
    let routes = at(
        routes,
        &["/api/ai/conversations/recent", "/api/conversations/recent"],
        get(conversations::recent),
    );
    let routes = at(
        routes,
        &["/api/ai/conversations/stats", "/api/conversations/stats"],
        get(conversations::stats),
    );
    let routes = at(
        routes,
        &["/api/ai/conversations/{id}", "/api/conversations/{id}"],
        get(conversations::detail)
            .put(conversations::update)
            .patch(conversations::update)
            .delete(conversations::delete),
    );
    let routes = at(
        routes,
        &[
            "/api/ai/conversations/{id}/messages",
            "/api/conversations/{id}/messages",
        ],
        get(conversations::messages),
    );
    let routes = at(
        routes,
        &["/api/ai/messages", "/api/messages"],
        get(messages::list).post(messages::create),
    );
    let routes = at(
        routes,
        &["/api/ai/messages/{id}", "/api/messages/{id}"],
        get(messages::detail),
    );
    let routes = at(
        routes,
        &[
            "/api/ai/conversations/{id}/send_message",
            "/api/conversations/{id}/send_message",
        ],
        post(chat::send_message),
    );
    let routes = at(
        routes,
        &["/api/ai/chat", "/api/assistant/chat"],
        post(chat::chat),
    );
    let routes = at(
        routes,
        &[
            "/api/ai/maintenance_suggestions",
            "/api/assistant/maintenance_suggestions",
        ],
        post(actions::maintenance_suggestions),
    );
    let routes = at(
        routes,
        &["/api/ai/diagnostic", "/api/assistant/diagnostic"],
        post(actions::diagnostic),
    );
    let routes = at(
        routes,
        &["/api/ai/maintenance_ask", "/api/assistant/maintenance_ask"],
        post(actions::maintenance_ask),
    );
    // The model's answers take seconds: a deadline of its own (API
    // Gateway waits 30 s).
    shared::http::finish_with_deadline(routes.with_state(state), ANSWER_DEADLINE)
}
