//! Talking to a language model (feature `openai`): the chat-completions
//! client the AI worker and the assistant share. Its configuration is
//! `config::OpenAiConfig` (no key: the callers answer offline).

pub mod openai;

pub use openai::{AiError, Answer, OpenAi, Tool, ToolCall, Turn};
