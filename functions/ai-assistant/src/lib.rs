//! The `ai-assistant` function (spec 13, issue 15): conversations with an
//! automotive assistant that knows the owner's own vehicles, their history
//! and what is due. Being built: see the issue.

pub mod engine;
mod state;

use axum::Router;
pub use state::AssistantState;

pub fn router(state: AssistantState) -> Router {
    shared::http::finish(Router::new().with_state(state))
}
