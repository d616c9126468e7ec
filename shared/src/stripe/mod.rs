//! Stripe (issue 14): what the webhook and the checkout simulator share.
//! `signature` verifies the `Stripe-Signature` header of webhook deliveries
//! (every `v1`, any configured secret, for rotations) and produces it for
//! tests and the local simulator.

pub mod signature;
