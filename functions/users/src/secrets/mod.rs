//! Secrets only this function hands out and checks: one-time e-mail codes
//! and password-reset tokens.

pub mod otp;
pub mod reset;
