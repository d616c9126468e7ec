//! The AI worker (SQS): analyses a diagnostic from its owner's report, the
//! vehicle, its recent maintenance and the facts of every fault code
//! (OpenAI with a JSON schema when a key is configured, else the offline
//! rules), and answers in the diagnostic's thread with a notification.
//! See `job` for why redelivery is safe.

pub mod analyst;
pub mod context;
pub mod job;
pub mod prompt;
mod state;

pub use job::handle;
pub use state::AiState;
