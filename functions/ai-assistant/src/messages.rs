//! `/api/messages/` (spec 13.2.5): the messages of the caller's
//! conversations, newest first, paged in DynamoDB; a message added here is
//! the owner's note in a conversation (no answer, no quota, the
//! conversation's activity unchanged, as the reference).

use axum::extract::{Path, State};
use axum::response::Response;
use shared::auth::CurrentUser;
use shared::domain::assistant::{Message, CONTENT_MAX, ROLES, ROLE_USER};
use shared::http::listing::{choice_filter, ordering};
use shared::http::pagination::{page_offset, requested_page, RequestUrl, PAGE_SIZE};
use shared::http::validate::{Fields, Text};
use shared::http::{created, ok, JsonBody, Page};
use shared::store::assistant::MessageFilter;
use shared::{Error, Result};

use crate::conversations;
use crate::AssistantState;

const NOT_FOUND: Error = Error::NotFound(Some("Message"));
/// The orders DynamoDB keeps (ids are UUIDv7: time order).
const ORDERING_FIELDS: &[&str] = &["created_at", "id"];
pub const FOREIGN_CONVERSATION: &str = "You can only add messages to your own conversations.";

/// `GET /api/messages/`: filters `conversation`, `role`; ordering
/// `created_at` or `id` (either way), newest first by default.
pub async fn list(
    State(state): State<AssistantState>,
    CurrentUser(user): CurrentUser,
    url: RequestUrl,
) -> Result<Response> {
    let filter = MessageFilter {
        conversation: url
            .param("conversation")
            .filter(|c| !c.is_empty())
            .map(|c| c.chars().take(64).collect()),
        role: choice_filter(&url, "role", ROLES)?.map(str::to_string),
    };
    let order = ordering(&url, ORDERING_FIELDS, &["-created_at"]);
    let forward = order.first().is_some_and(|(_, desc)| !desc);
    let assistant = state.store.assistant();
    let count = assistant.count_messages(&user.id, &filter).await?;
    let page = requested_page(&url, count)?;
    let messages = assistant
        .message_window(&user.id, &filter, forward, page_offset(page), PAGE_SIZE)
        .await?;
    let rows = messages.iter().map(Message::to_json).collect();
    Ok(ok(Page::assemble(rows, count, page, &url)))
}

/// `POST /api/messages/` `{conversation, content}`: the owner's message.
pub async fn create(
    State(state): State<AssistantState>,
    CurrentUser(user): CurrentUser,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let mut fields = Fields::new(&body);
    let conversation_id = fields.required_text("conversation", 64);
    let content = fields.text("content", Text::required(CONTENT_MAX)).value();
    fields.finish()?;
    let (Some(conversation_id), Some(content)) = (conversation_id, content) else {
        return Err(Error::internal("validated fields missing"));
    };
    let conversation = conversations::owned(&state, &user.id, &conversation_id)
        .await
        .map_err(|e| match e {
            Error::NotFound(_) => Error::field("conversation", FOREIGN_CONVERSATION),
            other => other,
        })?;
    let message = Message::new(&user.id, &conversation.id, ROLE_USER, content);
    if let Err(e) = state
        .store
        .assistant()
        .add_messages(
            &conversation,
            false,
            std::slice::from_ref(&message),
            false,
            0,
            Vec::new(),
        )
        .await
    {
        return Err(conversations::refused_message(&state, &conversation, false, e).await);
    }
    Ok(created(message.to_json()))
}

/// `GET /api/messages/{id}/`.
pub async fn detail(
    State(state): State<AssistantState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    if id.len() > 64 {
        return Err(NOT_FOUND);
    }
    let message = state
        .store
        .assistant()
        .message(&user.id, &id)
        .await?
        .ok_or(NOT_FOUND)?;
    Ok(ok(message.to_json()))
}
