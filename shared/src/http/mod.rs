//! HTTP plumbing shared by every HTTP function: error rendering, request
//! bodies and field validation, pagination and list helpers, and the outer
//! layers (trailing slashes, JSON 404/405, panics as JSON 500).

pub mod app;
pub mod body;
pub mod listing;
pub mod pagination;
pub mod response;
pub mod validate;

pub use app::{finish, finish_with_deadline};
pub use body::JsonBody;
pub use pagination::Page;
pub use response::{created, no_content, ok};
