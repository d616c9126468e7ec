//! Stripe (issue 14): what the webhook and the checkout simulator share.
//! `signature` verifies the `Stripe-Signature` header of webhook deliveries
//! (every `v1`, any configured secret, for rotations) and produces it for
//! tests and the local simulator; `client` (feature `stripe`) calls the
//! API.

#[cfg(feature = "stripe")]
pub mod client;
pub mod signature;
