//! The pending e-mail verification code of a user: one item in the user's
//! auth partition, replaced on resend, destroyed on success. Wrong guesses
//! use it up but never delete it, so its `sent_at` keeps the resend cooldown.
//! Each code sent also counts toward a per-address daily cap, in the same
//! transaction as the code write.

use chrono::{DateTime, Utc};
use shared::store::Attr as AttributeValue;

use shared::domain::users::{EmailCode, MAX_CODES_PER_DAY};
use shared::store::{from_item, keys, n, s, Entity, Expr, Store, Write, WriteError};
use shared::Error;

use crate::secrets::otp::MAX_ATTEMPTS;

pub struct EmailCodes<'a> {
    store: &'a Store,
}

impl<'a> EmailCodes<'a> {
    pub fn of(store: &'a Store) -> Self {
        EmailCodes { store }
    }
}

/// The previous code is older than the resend cooldown.
const COOLDOWN: &str = "code_cooldown";
/// The address is under its daily cap of codes.
const DAILY_CAP: &str = "daily_cap";

/// How long a daily counter is kept: its day, plus a margin for clock skew.
const COUNTER_TTL_SECONDS: i64 = 2 * 86_400;

/// Counts one code sent to `email_key` today, for a transaction. With `cap`,
/// only while fewer than `cap` were sent today.
pub fn count_code_sent(
    store: &Store,
    email_key: &str,
    now: DateTime<Utc>,
    cap: Option<u32>,
) -> Result<Write, Error> {
    let (pk, sk) = keys::code_sends_key(email_key, &now.format("%Y-%m-%d").to_string());
    let mut expr = Expr::new()
        .update("SET #entity = :entity, expires_at = :exp ADD sends :one")
        .name("#entity", keys::ENTITY)
        .value(":entity", s(keys::entity::CODE_SENDS))
        .value(":exp", n(now.timestamp() + COUNTER_TTL_SECONDS))
        .value(":one", n(1));
    if let Some(cap) = cap {
        expr = expr
            .condition("attribute_not_exists(sends) OR sends < :cap")
            .named(DAILY_CAP)
            .value(":cap", n(cap));
    }
    store.tx_update(&pk, &sk, expr)
}

/// Result of checking a submitted code.
#[derive(Debug, PartialEq, Eq)]
pub enum CodeCheck {
    Verified,
    Rejected,
}

/// Result of trying to send a new code.
#[derive(Debug, PartialEq, Eq)]
pub enum CodeIssue {
    /// Stored: send it.
    Stored,
    /// The previous code is younger than the cooldown: nothing stored.
    CoolingDown,
    /// The address already received its daily share: nothing stored.
    DailyCapReached,
}

/// Digest stored over a code that must no longer verify anything: no
/// submitted code's digest (64 hex characters) can equal it.
const VOID_DIGEST: &str = "void";

impl EmailCodes<'_> {
    /// The writes of a first code at registration: the code, counted
    /// toward the address's daily cap (no cap checked: it is the first).
    pub fn tx_first(
        &self,
        code: &EmailCode,
        email_key: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Write>, Error> {
        Ok(vec![
            self.store.tx_put(code.to_item()?, Expr::new())?,
            count_code_sent(self.store, email_key, now, None)?,
        ])
    }

    pub async fn get(&self, user_id: &str) -> Result<Option<EmailCode>, Error> {
        let (pk, sk) = keys::email_code_key(user_id);
        self.store.get(&pk, &sk).await?.map(from_item).transpose()
    }

    /// Stores a new code for the address `email_key` unless one was sent
    /// after `cooldown_cutoff` (epoch seconds) or the address reached its
    /// daily cap; the code and the daily counter are written together.
    pub async fn issue(
        &self,
        code: &EmailCode,
        email_key: &str,
        cooldown_cutoff: i64,
        now: DateTime<Utc>,
    ) -> Result<CodeIssue, Error> {
        let items = vec![
            self.store.tx_put(
                code.to_item()?,
                Expr::new()
                    .condition("attribute_not_exists(pk) OR sent_at < :cutoff")
                    .named(COOLDOWN)
                    .value(":cutoff", n(cooldown_cutoff)),
            )?,
            count_code_sent(self.store, email_key, now, Some(MAX_CODES_PER_DAY))?,
        ];
        match self.store.transact(items).await {
            Ok(()) => Ok(CodeIssue::Stored),
            // The cooldown answers first: it is the silent, ordinary case.
            Err(WriteError::Conditions(failed)) if failed.has(COOLDOWN) => {
                Ok(CodeIssue::CoolingDown)
            }
            Err(WriteError::Conditions(_)) => Ok(CodeIssue::DailyCapReached),
            Err(WriteError::Other(e)) => Err(e),
        }
    }

    /// Makes the pending code (if any) unusable, keeping its `sent_at` for
    /// the cooldown: after an address change no code sent to the old address
    /// may verify the new one.
    pub async fn void(&self, user_id: &str) -> Result<(), Error> {
        let (pk, sk) = keys::email_code_key(user_id);
        let expr = Expr::new()
            .update("SET digest = :void")
            .condition("attribute_exists(pk)")
            .value(":void", s(VOID_DIGEST));
        match self.store.update(&pk, &sk, expr).await {
            Ok(_) | Err(WriteError::Conditions(_)) => Ok(()),
            Err(WriteError::Other(e)) => Err(e),
        }
    }

    /// Counts a wrong guess. At the limit the code stays, used up, so that
    /// its `sent_at` still holds back a resend.
    pub async fn record_wrong_attempt(&self, code: &EmailCode) -> Result<(), Error> {
        let (pk, sk) = keys::email_code_key(&code.user_id);
        let expr = Expr::new()
            .update("ADD attempts :one")
            .condition("digest = :digest AND attempts < :max")
            .value(":one", n(1))
            .value(":digest", s(&code.digest))
            .value(":max", n(MAX_ATTEMPTS));
        match self.store.update(&pk, &sk, expr).await {
            Ok(_) | Err(WriteError::Conditions(_)) => Ok(()),
            Err(WriteError::Other(e)) => Err(e),
        }
    }

    /// Consumes the code and marks the address verified, atomically, only if
    /// the code is still the one checked and has attempts left.
    pub async fn consume_and_verify(&self, code: &EmailCode) -> Result<CodeCheck, Error> {
        let (pk, sk) = keys::email_code_key(&code.user_id);
        let items = vec![
            self.store.tx_delete(
                &pk,
                &sk,
                Expr::new()
                    .condition("digest = :digest AND attempts < :max")
                    .value(":digest", s(&code.digest))
                    .value(":max", n(MAX_ATTEMPTS)),
            )?,
            self.store.tx_update(
                &keys::user_pk(&code.user_id),
                keys::USER_PROFILE_SK,
                Expr::new()
                    .update("SET email_verified = :yes")
                    .condition("attribute_exists(pk)")
                    .value(":yes", AttributeValue::Bool(true)),
            )?,
        ];
        match self.store.transact(items).await {
            Ok(()) => Ok(CodeCheck::Verified),
            Err(WriteError::Conditions(_)) => Ok(CodeCheck::Rejected),
            Err(e) => Err(e.into()),
        }
    }
}
