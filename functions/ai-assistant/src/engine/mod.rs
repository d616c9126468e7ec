//! The assistant's answers (being written).
