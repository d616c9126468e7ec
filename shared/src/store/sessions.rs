//! Login sessions: one item per refresh-token chain, under the user's
//! partition, expiring through TTL.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};

use super::keys;
use super::{from_item, n, s, to_item, Expr, Item, Store, WriteError, MAX_TRANSACTION_ITEMS};
use crate::domain::users::Session;
use crate::error::Error;
use crate::time;

pub struct Sessions<'a> {
    store: &'a Store,
}

impl Store {
    pub fn sessions(&self) -> Sessions<'_> {
        Sessions { store: self }
    }
}

pub fn session_item(session: &Session) -> Result<Item, Error> {
    let mut item = to_item(session)?;
    item.insert(keys::PK.into(), s(keys::user_pk(&session.user_id)));
    item.insert(keys::SK.into(), s(keys::session_sk(&session.id)));
    item.insert(keys::ENTITY.into(), s(keys::entity::SESSION));
    Ok(item)
}

impl Sessions<'_> {
    /// Every session record of the user (active or not).
    pub async fn list(&self, user_id: &str) -> Result<Vec<Session>, Error> {
        self.store
            .query_prefix(&keys::user_pk(user_id), keys::SESSION_PREFIX)
            .await?
            .into_iter()
            .map(from_item)
            .collect()
    }

    pub async fn create(&self, session: &Session) -> Result<(), Error> {
        self.store
            .put(
                session_item(session)?,
                Expr::new().condition("attribute_not_exists(pk)"),
            )
            .await
            .map_err(Error::from)
    }

    /// Moves the chain to a new refresh token, if `old_jti` is still the
    /// current one and the session is active. `Ok(false)` otherwise.
    pub async fn rotate(
        &self,
        session: &Session,
        old_jti: &str,
        new_jti: &str,
        expires_at: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, Error> {
        let expr = Expr::new()
            .update("SET refresh_jti = :new, expires_at = :exp, updated_at = :now")
            .condition("refresh_jti = :old AND is_active = :yes")
            .value(":new", s(new_jti))
            .value(":old", s(old_jti))
            .value(":exp", n(expires_at))
            .value(":now", s(time::format(&now)))
            .value(":yes", AttributeValue::Bool(true));
        match self
            .store
            .update(
                &keys::user_pk(&session.user_id),
                &keys::session_sk(&session.id),
                expr,
            )
            .await
        {
            Ok(_) => Ok(true),
            Err(WriteError::Conditions(_)) => Ok(false),
            Err(WriteError::Other(e)) => Err(e),
        }
    }

    /// Ends one chain (reuse detected).
    pub async fn revoke(
        &self,
        user_id: &str,
        session_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let expr = Expr::new()
            .update("SET is_active = :no, updated_at = :now")
            .condition("attribute_exists(pk)")
            .value(":no", AttributeValue::Bool(false))
            .value(":now", s(time::format(&now)));
        match self
            .store
            .update(&keys::user_pk(user_id), &keys::session_sk(session_id), expr)
            .await
        {
            Ok(_) | Err(WriteError::Conditions(_)) => Ok(()),
            Err(WriteError::Other(e)) => Err(e),
        }
    }

    /// Marks every active session of the user inactive (logout everywhere,
    /// password change). Tokens are already refused through the user's token
    /// version; this keeps the sessions list truthful.
    pub async fn revoke_all(&self, user_id: &str, now: DateTime<Utc>) -> Result<(), Error> {
        let active: Vec<Session> = self
            .list(user_id)
            .await?
            .into_iter()
            .filter(|s| s.is_active)
            .collect();
        for chunk in active.chunks(MAX_TRANSACTION_ITEMS) {
            let items = chunk
                .iter()
                .map(|session| {
                    self.store.tx_update(
                        &keys::user_pk(user_id),
                        &keys::session_sk(&session.id),
                        Expr::new()
                            .update("SET is_active = :no, updated_at = :now")
                            .value(":no", AttributeValue::Bool(false))
                            .value(":now", s(time::format(&now))),
                    )
                })
                .collect::<Result<Vec<_>, Error>>()?;
            self.store.transact(items).await?;
        }
        Ok(())
    }
}
