//! Conversations (spec 13.2.1, 13.2.3, 13.2.4): the caller's own only;
//! another user's is a 404 everywhere.

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{json, Value};
use shared::auth::CurrentUser;
use shared::domain::assistant::{Conversation, Message, RECENT_DEFAULT, RECENT_MAX, TITLE_MAX};
use shared::http::pagination::RequestUrl;
use shared::http::validate::{Fields, Text, INVALID_INTEGER};
use shared::http::{created, no_content, ok, JsonBody, Page};
use shared::store::{keys, SortRange};
use shared::{Error, Result};

use crate::AssistantState;

pub const NOT_FOUND: Error = Error::NotFound(Some("Conversation"));

/// Messages a conversation shows in lists (the latest; the detail shows
/// all, `messages_count` says how many there are).
const LISTED_MESSAGES: usize = 20;

/// The caller's conversation `id`.
pub async fn owned(state: &AssistantState, owner_id: &str, id: &str) -> Result<Conversation> {
    if id.len() > 64 {
        return Err(NOT_FOUND);
    }
    state
        .store
        .assistant()
        .get(owner_id, id)
        .await?
        .ok_or(NOT_FOUND)
}

/// A refusal of a message's write: the conversation deleted meanwhile
/// is a 404 (its bound and its existence share one condition), a full one
/// the bound's 400.
pub async fn refused_message(
    state: &AssistantState,
    c: &Conversation,
    is_new: bool,
    error: shared::store::WriteError,
) -> Error {
    let bound = match shared::store::assistant::Assistant::bound_error(error) {
        Ok(bound) => bound,
        Err(other) => return other.into(),
    };
    // A conversation being created was never there: the account's bound.
    if is_new {
        return bound;
    }
    match state.store.assistant().get(&c.owner_id, &c.id).await {
        Ok(None) => NOT_FOUND,
        Ok(Some(_)) => bound,
        Err(e) => e,
    }
}

/// The conversation's latest messages, oldest first (one Query).
async fn latest(state: &AssistantState, c: &Conversation) -> Result<Vec<Message>> {
    let items = state
        .store
        .query_range(
            None,
            &keys::assistant_pk(&c.owner_id),
            &SortRange::Prefix(keys::chat_prefix(&c.id)),
            false,
            Some(LISTED_MESSAGES),
        )
        .await?;
    let mut messages = items
        .into_iter()
        .map(shared::store::from_item)
        .collect::<Result<Vec<Message>>>()?;
    messages.reverse();
    Ok(messages)
}

/// Conversations with their latest messages (their Queries at once).
async fn listed(state: &AssistantState, conversations: &[Conversation]) -> Result<Vec<Value>> {
    let reads = conversations
        .iter()
        .map(|c| Box::pin(latest(state, c)) as shared::usecases::Pending<'_, Vec<Message>>)
        .collect();
    let messages = shared::usecases::together(reads).await?;
    Ok(conversations
        .iter()
        .zip(messages)
        .map(|(c, m)| c.to_json(&m))
        .collect())
}

/// Newest activity first.
async fn by_activity(state: &AssistantState, owner_id: &str) -> Result<Vec<Conversation>> {
    let mut all = state.store.assistant().conversations(owner_id).await?;
    all.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then(b.id.cmp(&a.id)));
    Ok(all)
}

/// `GET /api/ai/conversations/`: paged, the most recently active first.
pub async fn list(
    State(state): State<AssistantState>,
    CurrentUser(user): CurrentUser,
    url: RequestUrl,
) -> Result<Response> {
    let all = by_activity(&state, &user.id).await?;
    let page = Page::paginate(all, &url)?;
    let results = listed(&state, &page.results).await?;
    Ok(ok(Page {
        count: page.count,
        next: page.next,
        previous: page.previous,
        results,
    }))
}

/// A title as given: trimmed, blank is none.
pub fn title(fields: &mut Fields) -> Option<Option<String>> {
    fields
        .text("title", Text::optional(TITLE_MAX))
        .into_update()
        .map(|t| t.filter(|t| !t.is_empty()))
}

/// `POST /api/ai/conversations/` `{title?}`: the full conversation.
pub async fn create(
    State(state): State<AssistantState>,
    CurrentUser(user): CurrentUser,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let mut fields = Fields::new(&body);
    let title = title(&mut fields).flatten();
    fields.finish()?;
    let conversation = Conversation::new(&user.id, title);
    state.store.assistant().create(&conversation).await?;
    Ok(created(conversation.to_json(&[])))
}

/// `GET /api/ai/conversations/{id}/`: with every message, oldest first.
pub async fn detail(
    State(state): State<AssistantState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    let conversation = owned(&state, &user.id, &id).await?;
    let messages = state
        .store
        .assistant()
        .messages(&user.id, &conversation.id)
        .await?;
    Ok(ok(conversation.to_json(&messages)))
}

/// `PUT`/`PATCH`: the title only.
pub async fn update(
    State(state): State<AssistantState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let conversation = owned(&state, &user.id, &id).await?;
    let mut fields = Fields::partial(&body, true);
    let title = title(&mut fields);
    fields.finish()?;
    let after = match title {
        Some(t) if t != conversation.title => {
            state.store.assistant().rename(&conversation, t).await?
        }
        _ => conversation,
    };
    let messages = state
        .store
        .assistant()
        .messages(&user.id, &after.id)
        .await?;
    Ok(ok(after.to_json(&messages)))
}

/// `DELETE`: the conversation and its messages.
pub async fn delete(
    State(state): State<AssistantState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    let conversation = owned(&state, &user.id, &id).await?;
    state.store.assistant().delete(&conversation).await?;
    Ok(no_content())
}

/// `GET .../recent/?limit=`: the `limit` (1 to 50, default 10) most
/// recently active, bare array.
pub async fn recent(
    State(state): State<AssistantState>,
    CurrentUser(user): CurrentUser,
    url: RequestUrl,
) -> Result<Response> {
    let limit = match url.param("limit").map(str::trim).filter(|l| !l.is_empty()) {
        None => RECENT_DEFAULT,
        Some(raw) => match raw.parse::<usize>() {
            Ok(n) if (1..=RECENT_MAX).contains(&n) => n,
            Ok(_) => {
                return Err(Error::field(
                    "limit",
                    format!("Ensure this value is between 1 and {RECENT_MAX}."),
                ))
            }
            Err(_) => return Err(Error::field("limit", INVALID_INTEGER)),
        },
    };
    let mut all = by_activity(&state, &user.id).await?;
    all.truncate(limit);
    Ok(ok(listed(&state, &all).await?))
}

/// `GET .../stats/`.
pub async fn stats(
    State(state): State<AssistantState>,
    CurrentUser(user): CurrentUser,
) -> Result<Response> {
    let all = state.store.assistant().conversations(&user.id).await?;
    let total = all.len();
    let messages: i64 = all.iter().map(|c| c.messages_count).sum();
    let average = if total == 0 {
        0.0
    } else {
        (messages as f64 / total as f64 * 100.0).round() / 100.0
    };
    Ok(ok(json!({
        "total_conversations": total,
        "total_messages": messages,
        "average_messages_per_conversation": average,
    })))
}

/// `GET .../{id}/messages/`: every message, oldest first (bare array).
pub async fn messages(
    State(state): State<AssistantState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    let conversation = owned(&state, &user.id, &id).await?;
    let messages = state
        .store
        .assistant()
        .messages(&user.id, &conversation.id)
        .await?;
    Ok(ok(messages
        .iter()
        .map(Message::to_json)
        .collect::<Vec<_>>()))
}
