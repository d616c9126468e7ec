//! The pending e-mail verification code of a user: one item, replaced on
//! resend, destroyed on success or after too many wrong guesses.

use aws_sdk_dynamodb::types::AttributeValue;

use super::keys;
use super::{from_item, n, s, to_item, Expr, Item, Store, WriteError};
use crate::auth::otp::MAX_ATTEMPTS;
use crate::domain::users::EmailCode;
use crate::error::Error;

pub struct EmailCodes<'a> {
    store: &'a Store,
}

impl Store {
    pub fn email_codes(&self) -> EmailCodes<'_> {
        EmailCodes { store: self }
    }
}

pub fn code_item(code: &EmailCode) -> Result<Item, Error> {
    let mut item = to_item(code)?;
    item.insert(keys::PK.into(), s(keys::user_pk(&code.user_id)));
    item.insert(keys::SK.into(), s(keys::EMAIL_OTP_SK));
    item.insert(keys::ENTITY.into(), s(keys::entity::EMAIL_CODE));
    Ok(item)
}

/// Result of checking a submitted code.
#[derive(Debug, PartialEq, Eq)]
pub enum CodeCheck {
    Verified,
    Rejected,
}

impl EmailCodes<'_> {
    pub async fn get(&self, user_id: &str) -> Result<Option<EmailCode>, Error> {
        self.store
            .get(&keys::user_pk(user_id), keys::EMAIL_OTP_SK)
            .await?
            .map(from_item)
            .transpose()
    }

    /// Stores a new code unless one was sent less than `cooldown_cutoff`
    /// (epoch seconds) ago. `Ok(false)`: too soon, nothing stored.
    pub async fn replace_if_cooled_down(
        &self,
        code: &EmailCode,
        cooldown_cutoff: i64,
    ) -> Result<bool, Error> {
        match self
            .store
            .put(
                code_item(code)?,
                Expr::new()
                    .condition("attribute_not_exists(pk) OR sent_at < :cutoff")
                    .value(":cutoff", n(cooldown_cutoff)),
            )
            .await
        {
            Ok(()) => Ok(true),
            Err(WriteError::Conditions(_)) => Ok(false),
            Err(WriteError::Other(e)) => Err(e),
        }
    }

    /// Writes a new code regardless of the cooldown (after an address change).
    pub async fn replace(&self, code: &EmailCode) -> Result<(), Error> {
        self.store
            .put(code_item(code)?, Expr::new())
            .await
            .map_err(Error::from)
    }

    /// Counts a wrong guess; the code is destroyed at the limit.
    pub async fn record_wrong_attempt(&self, code: &EmailCode) -> Result<(), Error> {
        let pk = keys::user_pk(&code.user_id);
        if code.attempts + 1 >= MAX_ATTEMPTS {
            return match self
                .store
                .delete(&pk, keys::EMAIL_OTP_SK, Expr::new())
                .await
            {
                Ok(()) | Err(WriteError::Conditions(_)) => Ok(()),
                Err(WriteError::Other(e)) => Err(e),
            };
        }
        let expr = Expr::new()
            .update("ADD attempts :one")
            .condition("digest = :digest")
            .value(":one", n(1))
            .value(":digest", s(&code.digest));
        match self.store.update(&pk, keys::EMAIL_OTP_SK, expr).await {
            Ok(_) | Err(WriteError::Conditions(_)) => Ok(()),
            Err(WriteError::Other(e)) => Err(e),
        }
    }

    /// Consumes the code and marks the address verified, atomically, only if
    /// the code is still the one checked and has attempts left.
    pub async fn consume_and_verify(&self, code: &EmailCode) -> Result<CodeCheck, Error> {
        let pk = keys::user_pk(&code.user_id);
        let items = vec![
            self.store.tx_delete(
                &pk,
                keys::EMAIL_OTP_SK,
                Expr::new()
                    .condition("digest = :digest AND attempts < :max")
                    .value(":digest", s(&code.digest))
                    .value(":max", n(MAX_ATTEMPTS)),
            )?,
            self.store.tx_update(
                &pk,
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
