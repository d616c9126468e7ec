//! The `ai-assistant` function (spec 13, issue 15): conversations with an
//! automotive assistant that knows the owner's own vehicles, their history
//! and what is due. Seed paths (`/api/ai/...`) with the reference's
//! (`/api/conversations/`, `/api/messages/`, `/api/assistant/...`) as
//! aliases.

pub mod conversations;
pub mod engine;
pub mod messages;
mod state;

use axum::routing::get;
use axum::Router;
use shared::http::app::at;
pub use state::AssistantState;

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
    shared::http::finish(routes.with_state(state))
}
