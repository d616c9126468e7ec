//! The AI assistant's conversations and messages (spec 13, issue 15): the
//! entities, their bounds and representations.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::time;

pub const ROLE_USER: &str = "user";
pub const ROLE_ASSISTANT: &str = "assistant";
pub const ROLE_SYSTEM: &str = "system";
pub const ROLES: &[&str] = &[ROLE_USER, ROLE_ASSISTANT, ROLE_SYSTEM];

pub const TITLE_MAX: usize = 255;
/// A message the owner writes (characters).
pub const CONTENT_MAX: usize = 4_000;
/// An answer kept (the model's is bounded by its output tokens; longer is cut).
pub const ANSWER_MAX: usize = 12_000;
/// Conversations one account keeps.
pub const MAX_CONVERSATIONS_PER_USER: i64 = 200;
/// Messages of one conversation (both roles).
pub const MAX_MESSAGES_PER_CONVERSATION: i64 = 400;
/// `recent/?limit=`: default and largest.
pub const RECENT_DEFAULT: usize = 10;
pub const RECENT_MAX: usize = 50;
/// History a client may send with `chat/`: turns and characters in all.
pub const CLIENT_HISTORY_TURNS: usize = 20;
pub const CLIENT_HISTORY_CHARS: usize = 16_000;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Conversation {
    pub id: String,
    pub owner_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default)]
    pub messages_count: i64,
    #[serde(with = "time::rfc3339")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "time::rfc3339")]
    pub updated_at: DateTime<Utc>,
    #[serde(default)]
    pub version: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Message {
    pub id: String,
    pub owner_id: String,
    pub conversation_id: String,
    pub role: String,
    pub content: String,
    /// What answered (`offline`, or the model's name), for the assistant's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(with = "time::rfc3339")]
    pub created_at: DateTime<Utc>,
}

impl Conversation {
    pub fn new(owner_id: &str, title: Option<String>) -> Self {
        let now = time::now();
        Conversation {
            id: uuid::Uuid::now_v7().to_string(),
            owner_id: owner_id.to_string(),
            title,
            messages_count: 0,
            created_at: now,
            updated_at: now,
            version: 0,
        }
    }

    /// `Conversation` (spec 13.1) with its messages, oldest first.
    pub fn to_json(&self, messages: &[Message]) -> Value {
        json!({
            "id": self.id,
            "user": self.owner_id,
            "title": self.title,
            "messages": messages.iter().map(Message::to_json).collect::<Vec<_>>(),
            "messages_count": self.messages_count,
            "created_at": time::format(&self.created_at),
            "updated_at": time::format(&self.updated_at),
        })
    }
}

impl Message {
    pub fn new(owner_id: &str, conversation_id: &str, role: &str, content: String) -> Self {
        Message {
            id: uuid::Uuid::now_v7().to_string(),
            owner_id: owner_id.to_string(),
            conversation_id: conversation_id.to_string(),
            role: role.to_string(),
            content,
            source: None,
            created_at: time::now(),
        }
    }

    /// `Message` (spec 13.1).
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "conversation": self.conversation_id,
            "role": self.role,
            "content": self.content,
            "created_at": time::format(&self.created_at),
        })
    }
}

pub use super::bounded;

pub fn conversations_reached() -> String {
    format!("An account can keep at most {MAX_CONVERSATIONS_PER_USER} conversations: delete older ones.")
}

pub fn messages_reached() -> String {
    format!(
        "A conversation holds at most {MAX_MESSAGES_PER_CONVERSATION} messages: start a new one."
    )
}
