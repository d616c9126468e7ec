//! The assistant's conversations and messages in their owner's partition
//! (`keys::assistant_pk`): the conversations, the account's counter, and
//! each message twice (the account's timeline, the conversation's thread),
//! both written in one transaction with the conversation's count.

use super::{from_item, keys, n, s, Entity, Expr, Item, Store, Write, WriteError};
use crate::domain::assistant::{
    conversations_reached, messages_reached, Conversation, Message, MAX_CONVERSATIONS_PER_USER,
    MAX_MESSAGES_PER_CONVERSATION,
};
use crate::error::Error;
use crate::time;

/// Condition names of the assistant's writes.
pub const CONVERSATION_LIMIT: &str = "conversation_limit";
pub const CONVERSATION_AS_READ: &str = "conversation_as_read";
pub const NEW_CONVERSATION: &str = "new_conversation";
pub const MESSAGES_LIMIT: &str = "messages_limit";

/// Messages read per Query page of `/api/messages/`.
const PAGE_READ: usize = 50;

pub struct Assistant<'a> {
    store: &'a Store,
}

impl Store {
    pub fn assistant(&self) -> Assistant<'_> {
        Assistant { store: self }
    }
}

impl Entity for Conversation {
    const NAME: &'static str = keys::entity::CONVERSATION;
    fn key(&self) -> (String, String) {
        (
            keys::assistant_pk(&self.owner_id),
            keys::conversation_sk(&self.id),
        )
    }
}

impl Entity for Message {
    const NAME: &'static str = keys::entity::ASSISTANT_MESSAGE;
    fn key(&self) -> (String, String) {
        (
            keys::assistant_pk(&self.owner_id),
            keys::message_sk(&self.id),
        )
    }
}

/// The message's thread copy.
fn copy_item(message: &Message) -> Result<Item, Error> {
    let mut item = message.to_item()?;
    item.insert(
        keys::SK.into(),
        s(keys::chat_message_sk(&message.conversation_id, &message.id)),
    );
    item.insert(keys::ENTITY.into(), s(keys::entity::ASSISTANT_MESSAGE_COPY));
    Ok(item)
}

/// What the `/api/messages/` list keeps.
#[derive(Clone, Debug, Default)]
pub struct MessageFilter {
    pub conversation: Option<String>,
    pub role: Option<String>,
}

impl MessageFilter {
    /// One conversation's messages are read from its own copies (at most
    /// 400), the account's from the timeline.
    fn prefix(&self) -> String {
        match &self.conversation {
            Some(c) => keys::chat_prefix(c),
            None => keys::MESSAGE_PREFIX.to_string(),
        }
    }

    fn expr(&self) -> Expr {
        let mut parts = Vec::new();
        let mut expr = Expr::new();
        if let Some(r) = &self.role {
            parts.push("#role = :role");
            expr = expr.name("#role", "role").value(":role", s(r));
        }
        if parts.is_empty() {
            expr
        } else {
            expr.condition(parts.join(" AND "))
        }
    }
}

impl Assistant<'_> {
    fn pk(owner_id: &str) -> String {
        keys::assistant_pk(owner_id)
    }

    /// Every conversation of the owner (one Query; at most 200).
    pub async fn conversations(&self, owner_id: &str) -> Result<Vec<Conversation>, Error> {
        self.store
            .query_prefix(&Self::pk(owner_id), keys::CONVERSATION_PREFIX)
            .await?
            .into_iter()
            .map(from_item)
            .collect()
    }

    pub async fn get(&self, owner_id: &str, id: &str) -> Result<Option<Conversation>, Error> {
        self.store
            .get(&Self::pk(owner_id), &keys::conversation_sk(id))
            .await?
            .map(from_item)
            .transpose()
    }

    /// A conversation's messages, oldest first (one Query).
    pub async fn messages(
        &self,
        owner_id: &str,
        conversation_id: &str,
    ) -> Result<Vec<Message>, Error> {
        self.store
            .query_prefix(&Self::pk(owner_id), &keys::chat_prefix(conversation_id))
            .await?
            .into_iter()
            .map(from_item)
            .collect()
    }

    pub async fn message(&self, owner_id: &str, id: &str) -> Result<Option<Message>, Error> {
        self.store
            .get(&Self::pk(owner_id), &keys::message_sk(id))
            .await?
            .map(from_item)
            .transpose()
    }

    /// The account's counter of conversations, moved by `delta` (a growth
    /// conditioned on the bound).
    fn tx_counter(&self, owner_id: &str, delta: i64) -> Result<Write, Error> {
        let mut expr = Expr::new()
            .update("SET entity = :entity ADD conversations :delta")
            .value(":entity", s(keys::entity::ASSISTANT_COUNTER))
            .value(":delta", n(delta));
        if delta > 0 {
            let room = MAX_CONVERSATIONS_PER_USER - delta;
            expr = expr
                .condition(super::counter_within("conversations", ":room", room))
                .value(":room", n(room))
                .named(CONVERSATION_LIMIT);
        }
        self.store
            .tx_update(&Self::pk(owner_id), keys::ASSISTANT_COUNTER_SK, expr)
    }

    /// The writes of a new conversation (with its first messages, if any).
    fn tx_new(&self, conversation: &Conversation) -> Result<Vec<Write>, Error> {
        Ok(vec![
            self.store.tx_put(
                conversation.to_item()?,
                Expr::new()
                    .condition("attribute_not_exists(pk)")
                    .named(NEW_CONVERSATION),
            )?,
            self.tx_counter(&conversation.owner_id, 1)?,
        ])
    }

    /// Stores a new, empty conversation.
    pub async fn create(&self, conversation: &Conversation) -> Result<(), Error> {
        self.store
            .transact(self.tx_new(conversation)?)
            .await
            .map_err(|e| match e {
                WriteError::Conditions(f) if f.has(CONVERSATION_LIMIT) => {
                    Error::non_field(conversations_reached())
                }
                other => other.into(),
            })
    }

    /// Renames a conversation at the version read; only the title and
    /// `updated_at` change (a message added meanwhile keeps its count).
    pub async fn rename(
        &self,
        before: &Conversation,
        title: Option<String>,
    ) -> Result<Conversation, Error> {
        let now = time::now();
        let mut expr = Expr::new()
            .condition("attribute_exists(pk) AND version = :read")
            .value(":read", n(before.version))
            .value(":one", n(1))
            .value(":now", s(time::format(&now)))
            .named(CONVERSATION_AS_READ);
        expr = match &title {
            Some(t) => expr
                .update("SET title = :title, updated_at = :now ADD version :one")
                .value(":title", s(t)),
            None => expr.update("SET updated_at = :now REMOVE title ADD version :one"),
        };
        match self
            .store
            .update(
                &Self::pk(&before.owner_id),
                &keys::conversation_sk(&before.id),
                expr,
            )
            .await
        {
            Ok(item) => from_item(item),
            Err(WriteError::Conditions(_)) => Err(Error::Conflict(
                "The conversation changed meanwhile; reload and retry.".into(),
            )),
            Err(WriteError::Other(e)) => Err(e),
        }
    }

    /// Adds `messages` (in order) to a conversation: stored `before` (its
    /// count grows within the bound, `bump` moves its `updated_at`), or new
    /// (`is_new`: `conversation` is created with them). `also` rides
    /// in the same transaction (the month's usage). The conversation as
    /// stored after.
    /// `reserve`: room kept for messages to come (an answer stored next).
    pub async fn add_messages(
        &self,
        conversation: &Conversation,
        is_new: bool,
        messages: &[Message],
        bump: bool,
        reserve: i64,
        also: Vec<Write>,
    ) -> Result<Conversation, WriteError> {
        let count = messages.len() as i64;
        let now = time::now();
        let mut after = conversation.clone();
        after.messages_count += count;
        if bump {
            after.updated_at = now;
        }
        let mut writes = Vec::new();
        if is_new {
            writes.extend(self.tx_new(&after)?);
        } else {
            let room = MAX_MESSAGES_PER_CONVERSATION - count - reserve;
            let mut expr = Expr::new()
                .condition(format!(
                    "attribute_exists(pk) AND {}",
                    super::counter_within("messages_count", ":room", room)
                ))
                .value(":room", n(room))
                .value(":count", n(count))
                .named(MESSAGES_LIMIT);
            expr = if bump {
                expr.update("ADD messages_count :count SET updated_at = :now")
                    .value(":now", s(time::format(&now)))
            } else {
                expr.update("ADD messages_count :count")
            };
            writes.push(self.store.tx_update(
                &Self::pk(&conversation.owner_id),
                &keys::conversation_sk(&conversation.id),
                expr,
            )?);
        }
        for message in messages {
            let new = || Expr::new().condition("attribute_not_exists(pk)");
            writes.push(self.store.tx_put(message.to_item()?, new())?);
            writes.push(self.store.tx_put(copy_item(message)?, new())?);
        }
        writes.extend(also);
        self.store.transact(writes).await?;
        Ok(after)
    }

    /// A refusal of `add_messages` as the API answers it: the bounds'
    /// 400s; other names (the caller's own writes) are the caller's.
    pub fn bound_error(error: WriteError) -> Result<Error, WriteError> {
        match error {
            WriteError::Conditions(f) if f.has(MESSAGES_LIMIT) => {
                Ok(Error::non_field(messages_reached()))
            }
            WriteError::Conditions(f) if f.has(CONVERSATION_LIMIT) => {
                Ok(Error::non_field(conversations_reached()))
            }
            other => Err(other),
        }
    }

    /// Deletes a conversation (at its version, with the counter), then its
    /// messages (both copies, in batches).
    pub async fn delete(&self, conversation: &Conversation) -> Result<(), Error> {
        let pk = Self::pk(&conversation.owner_id);
        let writes = vec![
            self.store.tx_delete(
                &pk,
                &keys::conversation_sk(&conversation.id),
                Expr::new()
                    .condition("attribute_exists(pk)")
                    .named(CONVERSATION_AS_READ),
            )?,
            self.tx_counter(&conversation.owner_id, -1)?,
        ];
        match self.store.transact(writes).await {
            Ok(()) => {}
            Err(WriteError::Conditions(_)) => return Err(Error::NotFound(Some("Conversation"))),
            Err(WriteError::Other(e)) => return Err(e),
        }
        // No message can join it now: its count's condition needs it.
        let messages = self
            .messages(&conversation.owner_id, &conversation.id)
            .await?;
        let mut doomed = Vec::with_capacity(messages.len() * 2);
        for m in &messages {
            doomed.push((pk.clone(), keys::message_sk(&m.id)));
            doomed.push((pk.clone(), keys::chat_message_sk(&m.conversation_id, &m.id)));
        }
        self.store.delete_keys(doomed).await
    }

    /// How many of the account's messages match (a COUNT query).
    pub async fn count_messages(
        &self,
        owner_id: &str,
        filter: &MessageFilter,
    ) -> Result<usize, Error> {
        self.store
            .count_matching(&Self::pk(owner_id), &filter.prefix(), &filter.expr())
            .await
    }

    /// Up to `size` of the account's messages matching, newest first (or
    /// oldest first with `forward`), after `offset`.
    pub async fn message_window(
        &self,
        owner_id: &str,
        filter: &MessageFilter,
        forward: bool,
        offset: usize,
        size: usize,
    ) -> Result<Vec<Message>, Error> {
        self.store
            .query_window(
                &Self::pk(owner_id),
                &filter.prefix(),
                forward,
                &filter.expr(),
                offset,
                size,
                PAGE_READ,
            )
            .await?
            .into_iter()
            .map(from_item)
            .collect()
    }

    /// Every key of the partition (account deletion).
    pub async fn all_keys(&self, owner_id: &str) -> Result<Vec<(String, String)>, Error> {
        self.store.partition_keys(&Self::pk(owner_id)).await
    }
}
