//! Login sessions: one item per refresh-token chain, in the user's auth
//! partition, expiring through TTL. Only this function reads or writes them
//! (their stored form is `shared::store::sessions`).

use chrono::{DateTime, Utc};
use shared::store::Attr as AttributeValue;

use shared::domain::users::{Session, User};
use shared::store::{
    from_item, keys, n, s, Entity, Expr, Store, Write, WriteError, MAX_TRANSACTION_ITEMS,
};
use shared::{time, Error};

pub struct Sessions<'a> {
    store: &'a Store,
}

impl<'a> Sessions<'a> {
    pub fn of(store: &'a Store) -> Self {
        Sessions { store }
    }
}

/// A new refresh token for a session chain.
#[derive(Clone, Debug)]
pub struct Rotation<'a> {
    pub old_jti: &'a str,
    pub new_jti: &'a str,
    pub new_iat: i64,
    pub expires_at: i64,
}

/// "Mark inactive", only on a session that still exists: an update without
/// the condition would recreate, as a bare item, a session TTL just removed.
fn deactivation(now: DateTime<Utc>) -> Expr {
    Expr::new()
        .update("SET is_active = :no, updated_at = :now")
        .condition("attribute_exists(pk)")
        .value(":no", AttributeValue::Bool(false))
        .value(":now", s(time::format(&now)))
}

impl Sessions<'_> {
    /// The Put opening `session`, for a transaction (registration, login).
    pub fn tx_open(&self, session: &Session) -> Result<Write, Error> {
        self.store.tx_put(session.to_item()?, Expr::new())
    }

    /// The user and one of their sessions, in one round trip.
    pub async fn with_user(
        &self,
        user_id: &str,
        session_id: &str,
    ) -> Result<(Option<User>, Option<Session>), Error> {
        let keys = [
            (keys::user_pk(user_id), keys::USER_PROFILE_SK.to_string()),
            keys::session_key(user_id, session_id),
        ];
        let mut found = self.store.get_many(&keys).await?.into_iter();
        let user = found.next().flatten().map(from_item).transpose()?;
        let session = found.next().flatten().map(from_item).transpose()?;
        Ok((user, session))
    }

    /// Every key of the user's auth partition, sessions and the pending
    /// code (one Query): account deletion's share of this function.
    pub async fn all_keys(&self, user_id: &str) -> Result<Vec<(String, String)>, Error> {
        let pk = keys::auth_pk(user_id);
        Ok(self
            .store
            .query_prefix(&pk, "")
            .await?
            .iter()
            .filter_map(|item| item.get(keys::SK).and_then(|v| v.as_s().ok()).cloned())
            .map(|sk| (pk.clone(), sk))
            .collect())
    }

    /// Every session record of the user (active or not).
    pub async fn list(&self, user_id: &str) -> Result<Vec<Session>, Error> {
        self.store
            .query_prefix(&keys::auth_pk(user_id), keys::SESSION_PREFIX)
            .await?
            .into_iter()
            .map(from_item)
            .collect()
    }

    pub async fn get(&self, user_id: &str, session_id: &str) -> Result<Option<Session>, Error> {
        let (pk, sk) = keys::session_key(user_id, session_id);
        self.store.get(&pk, &sk).await?.map(from_item).transpose()
    }

    pub async fn create(&self, session: &Session) -> Result<(), Error> {
        self.store
            .put(
                session.to_item()?,
                Expr::new().condition("attribute_not_exists(pk)"),
            )
            .await
            .map_err(Error::from)
    }

    /// Moves the chain to a new refresh token, if `old_jti` is still the
    /// current one and the session is active, remembering the replaced `jti`
    /// and when (the refresh grace). `Ok(false)` otherwise.
    pub async fn rotate(
        &self,
        session: &Session,
        rotation: &Rotation<'_>,
        now: DateTime<Utc>,
    ) -> Result<bool, Error> {
        let expr = Expr::new()
            .update(
                "SET refresh_jti = :new, refresh_iat = :iat, previous_jti = :old, \
                 rotated_at = :at, expires_at = :exp, updated_at = :now",
            )
            .condition("refresh_jti = :old AND is_active = :yes")
            .value(":new", s(rotation.new_jti))
            .value(":old", s(rotation.old_jti))
            .value(":iat", n(rotation.new_iat))
            .value(":at", n(now.timestamp()))
            .value(":exp", n(rotation.expires_at))
            .value(":now", s(time::format(&now)))
            .value(":yes", AttributeValue::Bool(true));
        let (pk, sk) = keys::session_key(&session.user_id, &session.id);
        match self.store.update(&pk, &sk, expr).await {
            Ok(_) => Ok(true),
            Err(WriteError::Conditions(_)) => Ok(false),
            Err(WriteError::Other(e)) => Err(e),
        }
    }

    /// Ends one chain (reuse detected). A session already gone stays gone.
    pub async fn revoke(
        &self,
        user_id: &str,
        session_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let (pk, sk) = keys::session_key(user_id, session_id);
        match self.store.update(&pk, &sk, deactivation(now)).await {
            Ok(_) | Err(WriteError::Conditions(_)) => Ok(()),
            Err(WriteError::Other(e)) => Err(e),
        }
    }

    /// Marks every active session of the user inactive (logout everywhere,
    /// password change). Tokens are already refused through the user's token
    /// version; this keeps the sessions list truthful.
    pub async fn revoke_all(&self, user_id: &str, now: DateTime<Utc>) -> Result<(), Error> {
        let active: Vec<String> = self
            .list(user_id)
            .await?
            .into_iter()
            .filter(|s| s.is_active)
            .map(|s| s.id)
            .collect();
        self.deactivate(user_id, &active, now).await
    }

    /// Marks these sessions inactive, 100 per transaction. Sessions that TTL
    /// removed in the meantime fail their `attribute_exists` condition: the
    /// transaction is retried without them, never recreating them.
    pub async fn deactivate(
        &self,
        user_id: &str,
        session_ids: &[String],
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        for chunk in session_ids.chunks(MAX_TRANSACTION_ITEMS) {
            let mut pending: Vec<&String> = chunk.iter().collect();
            // Each retry drops at least one session, so this ends.
            while !pending.is_empty() {
                let items = pending
                    .iter()
                    .map(|id| {
                        let (pk, sk) = keys::session_key(user_id, id);
                        // Named by session: a refusal says which ones went.
                        self.store.tx_update(&pk, &sk, deactivation(now).named(id))
                    })
                    .collect::<Result<Vec<_>, Error>>()?;
                match self.store.transact(items).await {
                    Ok(()) => break,
                    Err(WriteError::Conditions(gone)) => {
                        pending.retain(|id| !gone.has(id));
                    }
                    Err(WriteError::Other(e)) => return Err(e),
                }
            }
        }
        Ok(())
    }
}
