//! The local stack's library: queue creation shared by the bootstrap and
//! the tests, and the SQS bridge that stands in for Lambda's event source
//! mapping under `cargo lambda watch` (`bridge`).

pub mod bridge;
pub mod queues;
