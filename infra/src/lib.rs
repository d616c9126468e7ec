//! The local stack's library: the tools' SDK configuration (`aws`), queue creation shared by the bootstrap and
//! the tests, and the SQS bridge that stands in for Lambda's event source
//! mapping under `cargo lambda watch` (`bridge`), and the watch router's
//! path table that the local API server dispatches with (`watch`), and the
//! reference garages the bootstrap loads (`seed_garages`).

pub mod aws;
pub mod bridge;
pub mod queues;
pub mod seed_garages;
pub mod serve;
pub mod watch;
