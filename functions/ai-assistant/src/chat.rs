//! Messages that get an answer: `{id}/send_message/` and `chat/` (with or
//! without a conversation, which is created when absent). The owner's
//! message is stored first, with the month's count of assistant messages
//! in the same transaction (a 403 at the plan's allowance, nothing
//! stored); the answer (the model with the owner's data, or the offline
//! assistant) is stored next and both come back.

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{json, Map, Value};
use shared::auth::CurrentUser;
use shared::domain::assistant::{
    bounded, Conversation, Message, ANSWER_MAX, CLIENT_HISTORY_CHARS, CLIENT_HISTORY_TURNS,
    CONTENT_MAX, ROLE_ASSISTANT, ROLE_USER,
};
use shared::domain::users::User;
use shared::http::validate::{Fields, Text};
use shared::http::{created, ok, JsonBody};
use shared::store::billing::{Usage, USAGE_LIMIT};
use shared::store::WriteError;
use shared::{time, Error, Result};

use crate::engine::{self, Turn};
use crate::{conversations, quota, AssistantState};

/// Characters of the first message that title a conversation `chat/` opens.
const TITLE_FROM_MESSAGE: usize = 60;

/// What an answered message stored.
struct Exchange {
    conversation: Conversation,
    question: Message,
    answer: Message,
    offline: bool,
}

/// Stores the owner's message (and the conversation when new), counted
/// against the month's allowance; answers with `history`; stores the
/// answer.
async fn exchange(
    state: &AssistantState,
    user: &User,
    conversation: Conversation,
    is_new: bool,
    content: String,
    history: Vec<Turn>,
) -> Result<Exchange> {
    let store = &state.store;
    let assistant = store.assistant();
    let question = Message::new(&user.id, &conversation.id, ROLE_USER, content);
    let usage = store.billing().tx_use(
        &user.id,
        Usage::AssistantMessages,
        user.limits().assistant_messages_per_month,
        &time::now(),
    )?;
    let stored = assistant
        .add_messages(
            &conversation,
            is_new,
            std::slice::from_ref(&question),
            true,
            1,
            vec![usage],
        )
        .await;
    let conversation = match stored {
        Ok(c) => c,
        Err(WriteError::Conditions(f)) if f.has(USAGE_LIMIT) => {
            return Err(quota::exhausted(user));
        }
        Err(e) => {
            return Err(conversations::refused_message(state, &conversation, is_new, e).await)
        }
    };
    let reply = engine::answer(state, user, &history, &question.content).await?;
    let mut answer = Message::new(
        &user.id,
        &conversation.id,
        ROLE_ASSISTANT,
        bounded(&reply.text, ANSWER_MAX),
    );
    answer.source = Some(reply.source.clone());
    let conversation = match assistant
        .add_messages(
            &conversation,
            false,
            std::slice::from_ref(&answer),
            true,
            0,
            Vec::new(),
        )
        .await
    {
        Ok(c) => c,
        Err(e) => return Err(conversations::refused_message(state, &conversation, false, e).await),
    };
    Ok(Exchange {
        conversation,
        question,
        answer,
        offline: reply.offline,
    })
}

/// The stored turns of a conversation, as history for the engine.
async fn stored_history(state: &AssistantState, c: &Conversation) -> Result<Vec<Turn>> {
    Ok(state
        .store
        .assistant()
        .messages(&c.owner_id, &c.id)
        .await?
        .into_iter()
        .filter(|m| m.role == ROLE_USER || m.role == ROLE_ASSISTANT)
        .map(|m| Turn {
            role: m.role,
            content: m.content,
        })
        .collect())
}

/// `POST /api/ai/conversations/{id}/send_message/` `{content}`: the
/// owner's message (the reference's `Message`) with the assistant's answer
/// in `assistant_message`.
pub async fn send_message(
    State(state): State<AssistantState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let conversation = conversations::owned(&state, &user.id, &id).await?;
    let mut fields = Fields::new(&body);
    let content = fields.text("content", Text::required(CONTENT_MAX)).value();
    fields.finish()?;
    let content = content.ok_or_else(|| Error::internal("validated content missing"))?;
    let history = stored_history(&state, &conversation).await?;
    let done = exchange(&state, &user, conversation, false, content, history).await?;
    let mut shown = done.question.to_json();
    shown["assistant_message"] = done.answer.to_json();
    shown["offline"] = json!(done.offline);
    shown["messages_count"] = json!(done.conversation.messages_count);
    Ok(created(shown))
}

/// The history a client sends with `chat/`: `user`/`assistant` turns only,
/// bounded.
pub fn client_history(raw: Option<&Value>) -> Result<Vec<Turn>> {
    let invalid = |why: &str| Error::message(400, format!("Historique invalide : {why}"));
    let Some(raw) = raw.filter(|v| !v.is_null()) else {
        return Ok(Vec::new());
    };
    let items = raw
        .as_array()
        .ok_or_else(|| invalid("une liste est attendue"))?;
    if items.len() > CLIENT_HISTORY_TURNS {
        return Err(invalid(&format!("{CLIENT_HISTORY_TURNS} messages au plus")));
    }
    let mut total = 0;
    let mut turns = Vec::with_capacity(items.len());
    for item in items {
        let role = item["role"].as_str().unwrap_or("");
        if role != ROLE_USER && role != ROLE_ASSISTANT {
            return Err(invalid("les rôles sont user ou assistant"));
        }
        let content = item["content"]
            .as_str()
            .ok_or_else(|| invalid("chaque message a un contenu texte"))?;
        total += content.chars().count();
        if total > CLIENT_HISTORY_CHARS {
            return Err(invalid(&format!(
                "{CLIENT_HISTORY_CHARS} caractères au plus"
            )));
        }
        turns.push(Turn {
            role: role.to_string(),
            content: content.to_string(),
        });
    }
    Ok(turns)
}

fn text_of<'a>(body: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    body.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// `POST /api/ai/chat/` (alias `/api/assistant/chat/`) `{message,
/// history?, conversation_id?}`: always the assistant's text in `content`
/// (with `model`: the model's name or `offline`), the conversation it was
/// stored in, and both messages.
pub async fn chat(
    State(state): State<AssistantState>,
    CurrentUser(user): CurrentUser,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let message =
        text_of(&body, "message").ok_or_else(|| Error::message(400, "Le message est requis"))?;
    if message.chars().count() > CONTENT_MAX {
        return Err(Error::message(
            400,
            format!("Le message dépasse {CONTENT_MAX} caractères"),
        ));
    }
    let client = client_history(body.get("history"))?;
    let (conversation, is_new, history) = match body.get("conversation_id").filter(|v| !v.is_null())
    {
        Some(id) => {
            let id = id
                .as_str()
                .ok_or_else(|| Error::field("conversation_id", "Not a valid id."))?;
            let c = conversations::owned(&state, &user.id, id).await?;
            let history = stored_history(&state, &c).await?;
            (c, false, history)
        }
        None => {
            let title = bounded(message, TITLE_FROM_MESSAGE);
            (Conversation::new(&user.id, Some(title)), true, client)
        }
    };
    let done = exchange(
        &state,
        &user,
        conversation,
        is_new,
        message.to_string(),
        history,
    )
    .await?;
    Ok(ok(json!({
        "content": done.answer.content,
        "model": done.answer.source,
        "offline": done.offline,
        "conversation": done.conversation.id,
        "conversation_id": done.conversation.id,
        "user_message": done.question.to_json(),
        "assistant_message": done.answer.to_json(),
    })))
}
