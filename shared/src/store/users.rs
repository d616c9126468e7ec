//! User records, their e-mail guard and the e-mail lookup index.

use chrono::{DateTime, SubsecRound, Utc};

use super::keys::{self, GSI1, GSI1PK, GSI1SK};
use super::{from_item, n, s, Entity, Expr, Item, Store, Write, WriteError};
use crate::domain::users::{email_key, User};
use crate::error::Error;
use crate::time;

pub struct Users<'a> {
    store: &'a Store,
}

/// Profile fields a user may change.
#[derive(Clone, Debug, Default)]
pub struct ProfileChanges {
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone_number: Option<Option<String>>,
}

/// Outcome of reserving a password check (see `reserve_password_check`).
#[derive(Debug, PartialEq, Eq)]
pub enum PasswordAttempt {
    /// Check the password: this is failure number `attempt` if it is wrong.
    Check { attempt: u32 },
    /// Too many attempts are already in flight: this one locked the account.
    LockedNow,
    /// The account is locked until then.
    Locked { until: Option<DateTime<Utc>> },
}

/// Outcome of a registration attempt.
pub enum Registration {
    Created,
    EmailTaken,
}

impl Store {
    pub fn users(&self) -> Users<'_> {
        Users { store: self }
    }
}

impl Entity for User {
    const NAME: &'static str = keys::entity::USER;
    fn key(&self) -> (String, String) {
        Users::profile_key(&self.id)
    }
    fn extra(&self, item: &mut Item) {
        let (gsi1pk, gsi1sk) = keys::user_by_email(&self.email_key());
        item.insert(GSI1PK.into(), s(gsi1pk));
        item.insert(GSI1SK.into(), s(gsi1sk));
    }
}

/// The stored form of a user: the entity plus its keys.
pub fn user_item(user: &User) -> Result<Item, Error> {
    user.to_item()
}

/// The condition of an e-mail guard's Put: the address is not taken.
const EMAIL_FREE: &str = "email_free";
/// The profile is still at the version read.
const PROFILE_VERSION: &str = "profile_version";

fn email_free() -> Expr {
    Expr::new()
        .condition("attribute_not_exists(pk)")
        .named(EMAIL_FREE)
}

fn guard_item(email_key: &str, user_id: &str) -> Item {
    let (pk, sk) = keys::email_guard(email_key);
    Item::from([
        (keys::PK.to_string(), s(pk)),
        (keys::SK.to_string(), s(sk)),
        (keys::ENTITY.to_string(), s(keys::entity::EMAIL_GUARD)),
        ("user_id".to_string(), s(user_id)),
    ])
}

impl Users<'_> {
    fn profile_key(user_id: &str) -> (String, String) {
        (keys::user_pk(user_id), keys::USER_PROFILE_SK.to_string())
    }

    pub async fn get(&self, user_id: &str) -> Result<Option<User>, Error> {
        let (pk, sk) = Self::profile_key(user_id);
        self.store.get(&pk, &sk).await?.map(from_item).transpose()
    }

    /// Looks a user up by address (GSI1; one Query).
    pub async fn find_by_email(&self, email_key: &str) -> Result<Option<User>, Error> {
        let (gsi1pk, _) = keys::user_by_email(email_key);
        let items = self
            .store
            .query_index(GSI1, GSI1PK, &gsi1pk, Some(1))
            .await?;
        items.into_iter().next().map(from_item).transpose()
    }

    /// Creates the user and its e-mail guard with the writes in `also` (the
    /// registering function's first session and code), all or nothing.
    pub async fn register(&self, user: &User, also: Vec<Write>) -> Result<Registration, Error> {
        let mut tx = self.store.tx();
        tx.put(guard_item(&user.email_key(), &user.id), email_free())?
            .put(
                user.to_item()?,
                Expr::new().condition("attribute_not_exists(pk)"),
            )?
            .extend(also);
        match tx.commit().await {
            Ok(()) => Ok(Registration::Created),
            Err(WriteError::Conditions(failed)) if failed.has(EMAIL_FREE) => {
                Ok(Registration::EmailTaken)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// A successful login: stamps `last_login`, clears the failure counter,
    /// optionally stores a rehashed password, with the writes in `also`
    /// (the session it opens); only if the password and the active flag are
    /// still what we checked. `Ok(false)` means the record changed meanwhile.
    pub async fn record_login(
        &self,
        user: &User,
        new_hash: Option<&str>,
        also: Vec<Write>,
        now: DateTime<Utc>,
    ) -> Result<bool, Error> {
        let (pk, sk) = Self::profile_key(&user.id);
        let mut expr = Expr::new()
            .condition("password = :checked AND is_active = :yes")
            .value(":checked", s(&user.password))
            .value(":yes", aws_sdk_dynamodb::types::AttributeValue::Bool(true))
            .value(":now", s(time::format(&now)))
            .value(":zero", n(0));
        expr = match new_hash {
            Some(hash) => expr
                .update("SET last_login = :now, failed_logins = :zero, password = :new REMOVE locked_until")
                .value(":new", s(hash)),
            None => expr.update("SET last_login = :now, failed_logins = :zero REMOVE locked_until"),
        };
        let mut tx = self.store.tx();
        tx.update(&pk, &sk, expr)?.extend(also);
        match tx.commit().await {
            Ok(()) => Ok(true),
            Err(WriteError::Conditions(_)) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Reserves one password check, atomically, before the password is
    /// looked at: the failure counter goes up first (a correct password
    /// resets it afterwards), refused while the account is locked. Concurrent
    /// wrong guesses thus each see their own count instead of all reading
    /// "no failures yet". Past `max_failures` in flight, the account is locked
    /// at once and the password is not checked at all.
    pub async fn reserve_password_check(
        &self,
        user_id: &str,
        max_failures: u32,
        lock_seconds: i64,
        now: DateTime<Utc>,
    ) -> Result<PasswordAttempt, Error> {
        let (pk, sk) = Self::profile_key(user_id);
        // Whole seconds on both sides: the stored form drops a zero fraction,
        // so only second-precision strings compare in time order.
        let now_s = now.trunc_subsecs(0);
        let expr = Expr::new()
            .update("ADD failed_logins :one")
            .condition(
                "attribute_exists(pk) AND (attribute_not_exists(locked_until) OR locked_until <= :now)",
            )
            .value(":one", n(1))
            .value(":now", s(time::format(&now_s)));
        let attempt = match self.store.update(&pk, &sk, expr).await {
            Ok(item) => from_item::<User>(item)?.failed_logins,
            Err(WriteError::Conditions(_)) => {
                let until = self.get(user_id).await?.and_then(|u| u.locked_until);
                return Ok(PasswordAttempt::Locked { until });
            }
            Err(WriteError::Other(e)) => return Err(e),
        };
        if attempt > max_failures {
            self.lock(user_id, now_s + chrono::Duration::seconds(lock_seconds))
                .await?;
            return Ok(PasswordAttempt::LockedNow);
        }
        Ok(PasswordAttempt::Check { attempt })
    }

    /// Locks the account until `until` (whole seconds) and restarts the count.
    pub async fn lock(&self, user_id: &str, until: DateTime<Utc>) -> Result<(), Error> {
        let (pk, sk) = Self::profile_key(user_id);
        let expr = Expr::new()
            .update("SET failed_logins = :zero, locked_until = :until")
            .condition("attribute_exists(pk)")
            .value(":zero", n(0))
            .value(":until", s(time::format(&until.trunc_subsecs(0))));
        match self.store.update(&pk, &sk, expr).await {
            Ok(_) | Err(WriteError::Conditions(_)) => Ok(()),
            Err(WriteError::Other(e)) => Err(e),
        }
    }

    /// Replaces the password hash if it is still `expected_hash`, revokes every
    /// token (token version + 1), clears the lock. `mark_verified` also sets
    /// `email_verified` (a reset link proves the mailbox). Returns the updated
    /// user, or `None` when the password changed meanwhile.
    pub async fn set_password(
        &self,
        user_id: &str,
        expected_hash: &str,
        new_hash: &str,
        mark_verified: bool,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, Error> {
        let (pk, sk) = Self::profile_key(user_id);
        let verified = if mark_verified {
            ", email_verified = :yes"
        } else {
            ""
        };
        let expr = Expr::new()
            .update(format!(
                "SET password = :new, updated_at = :now, failed_logins = :zero{verified} \
                 REMOVE locked_until ADD token_version :one, version :one"
            ))
            .condition("password = :expected")
            .value(":new", s(new_hash))
            .value(":expected", s(expected_hash))
            .value(":now", s(time::format(&now)))
            .value(":zero", n(0))
            .value(":one", n(1));
        let expr = if mark_verified {
            expr.value(":yes", aws_sdk_dynamodb::types::AttributeValue::Bool(true))
        } else {
            expr
        };
        match self.store.update(&pk, &sk, expr).await {
            Ok(item) => Ok(Some(from_item(item)?)),
            Err(WriteError::Conditions(_)) => Ok(None),
            Err(WriteError::Other(e)) => Err(e),
        }
    }

    /// Revokes every token of the user at once (token version + 1).
    pub async fn revoke_tokens(&self, user_id: &str) -> Result<User, Error> {
        let (pk, sk) = Self::profile_key(user_id);
        let expr = Expr::new()
            .update("ADD token_version :one")
            .condition("attribute_exists(pk)")
            .value(":one", n(1));
        match self.store.update(&pk, &sk, expr).await {
            Ok(item) => from_item(item),
            Err(WriteError::Conditions(_)) => Err(Error::NotFound(None)),
            Err(WriteError::Other(e)) => Err(e),
        }
    }

    /// Records a reset request unless one was recorded after `cutoff`;
    /// `Ok(false)` means "too soon, do not send another mail".
    pub async fn claim_reset_slot(
        &self,
        user_id: &str,
        now: DateTime<Utc>,
        cutoff: DateTime<Utc>,
    ) -> Result<bool, Error> {
        let (pk, sk) = Self::profile_key(user_id);
        let expr = Expr::new()
            .update("SET reset_requested_at = :now")
            .condition("attribute_exists(pk) AND (attribute_not_exists(reset_requested_at) OR reset_requested_at < :cutoff)")
            .value(":now", s(time::format(&now)))
            .value(":cutoff", s(time::format(&cutoff)));
        match self.store.update(&pk, &sk, expr).await {
            Ok(_) => Ok(true),
            Err(WriteError::Conditions(_)) => Ok(false),
            Err(WriteError::Other(e)) => Err(e),
        }
    }

    /// Applies profile changes if the record is still at `user.version`. A new
    /// address moves the e-mail guard in the same transaction and resets
    /// `email_verified`. `Err(Conflict)` on a concurrent change; the caller
    /// maps a taken address to a field error through `Ok(None)`.
    pub async fn update_profile(
        &self,
        user: &User,
        changes: &ProfileChanges,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, Error> {
        let (pk, sk) = Self::profile_key(&user.id);
        let mut sets = vec![
            "updated_at = :now".to_string(),
            "version = :next".to_string(),
        ];
        let mut removes = Vec::new();
        let mut expr = Expr::new()
            .condition("version = :version")
            .named(PROFILE_VERSION)
            .value(":now", s(time::format(&now)))
            .value(":version", n(user.version))
            .value(":next", n(user.version + 1));
        if let Some(first) = &changes.first_name {
            sets.push("first_name = :first".into());
            expr = expr.value(":first", s(first));
        }
        if let Some(last) = &changes.last_name {
            sets.push("last_name = :last".into());
            expr = expr.value(":last", s(last));
        }
        match &changes.phone_number {
            Some(Some(phone)) => {
                sets.push("phone_number = :phone".into());
                expr = expr.value(":phone", s(phone));
            }
            Some(None) => removes.push("phone_number"),
            None => {}
        }
        let new_email = changes.email.as_ref().filter(|e| **e != user.email);
        let moves_guard = new_email.is_some_and(|e| email_key(e) != user.email_key());
        if let Some(email) = new_email {
            sets.push("email = :email".into());
            expr = expr.value(":email", s(email));
            if moves_guard {
                let (gsi1pk, _) = keys::user_by_email(&email_key(email));
                sets.push("gsi1pk = :gsi1pk".into());
                sets.push("email_verified = :no".into());
                // The caller checked the current password: a success resets
                // the failure count, as a login does.
                sets.push("failed_logins = :zero".into());
                expr = expr
                    .value(":gsi1pk", s(gsi1pk))
                    .value(":zero", n(0))
                    .value(":no", aws_sdk_dynamodb::types::AttributeValue::Bool(false));
            }
        }
        let mut update = format!("SET {}", sets.join(", "));
        if !removes.is_empty() {
            update.push_str(&format!(" REMOVE {}", removes.join(", ")));
        }
        expr = expr.update(update);

        let mut tx = self.store.tx();
        if let (Some(email), true) = (new_email, moves_guard) {
            let new_key = email_key(email);
            let (old_pk, old_sk) = keys::email_guard(&user.email_key());
            tx.put(guard_item(&new_key, &user.id), email_free())?
                .delete(
                    &old_pk,
                    &old_sk,
                    Expr::new()
                        .condition("user_id = :me")
                        .named("email_held")
                        .value(":me", s(&user.id)),
                )?;
        }
        tx.update(&pk, &sk, expr)?;

        match tx.commit().await {
            Ok(()) => {}
            Err(WriteError::Conditions(failed)) => {
                if failed.has(EMAIL_FREE) {
                    return Ok(None);
                }
                if failed.has(PROFILE_VERSION) {
                    return Err(Error::Conflict(
                        "The profile was changed by another request; reload it and retry.".into(),
                    ));
                }
                return Err(Error::internal(format!("profile update refused: {failed}")));
            }
            Err(e) => return Err(e.into()),
        }
        // The transaction succeeded: the stored record now equals this copy.
        let mut updated = user.clone();
        if let Some(first) = &changes.first_name {
            updated.first_name = first.clone();
        }
        if let Some(last) = &changes.last_name {
            updated.last_name = last.clone();
        }
        if let Some(phone) = &changes.phone_number {
            updated.phone_number = phone.clone();
        }
        if let Some(email) = new_email {
            updated.email = email.clone();
            if moves_guard {
                updated.email_verified = false;
            }
        }
        updated.updated_at = now;
        updated.version += 1;
        Ok(Some(updated))
    }

    /// Deletes the account and what it owns in the shared partitions
    /// (`usecases::account_deletion`; tests of other functions use it). The
    /// users function's own items (sessions, code) are left to their TTL:
    /// its handler deletes them with the rest.
    pub async fn delete_everything(&self, user: &User) -> Result<(), Error> {
        crate::usecases::account_deletion::delete_account(self.store, user, Vec::new()).await
    }

    /// The keys of the user's partition but the profile, every guard its
    /// items list (in `guards`), and the e-mail guard (one Query).
    pub async fn owned_keys(&self, user: &User) -> Result<Vec<(String, String)>, Error> {
        let pk = keys::user_pk(&user.id);
        let items = self.store.query_prefix(&pk, "").await?;
        let mut owned = Vec::new();
        for item in &items {
            let sk = item
                .get(keys::SK)
                .and_then(|v| v.as_s().ok())
                .cloned()
                .unwrap_or_default();
            if sk != keys::USER_PROFILE_SK {
                owned.push((pk.clone(), sk));
            }
            if let Some(Ok(guards)) = item.get("guards").map(|g| g.as_l()) {
                for guard in guards.iter().filter_map(|g| g.as_s().ok()) {
                    owned.push(keys::guard_key(guard));
                }
            }
        }
        owned.push(keys::email_guard(&user.email_key()));
        Ok(owned)
    }

    /// Creates a user or, when the address exists, makes it staff and sets
    /// its password (the local `make staff`).
    pub async fn upsert_staff(&self, user: &User) -> Result<User, Error> {
        match self.find_by_email(&user.email_key()).await? {
            Some(existing) => {
                let (pk, sk) = Self::profile_key(&existing.id);
                let expr = Expr::new()
                    .update("SET is_staff = :yes, is_superuser = :yes, is_active = :yes, email_verified = :yes, password = :pw ADD token_version :one")
                    .value(":yes", aws_sdk_dynamodb::types::AttributeValue::Bool(true))
                    .value(":pw", s(&user.password))
                    .value(":one", n(1));
                let item = self
                    .store
                    .update(&pk, &sk, expr)
                    .await
                    .map_err(Error::from)?;
                from_item(item)
            }
            None => {
                let items = vec![
                    self.store.tx_put(
                        guard_item(&user.email_key(), &user.id),
                        Expr::new().condition("attribute_not_exists(pk)"),
                    )?,
                    self.store.tx_put(user_item(user)?, Expr::new())?,
                ];
                self.store.transact(items).await?;
                Ok(user.clone())
            }
        }
    }
}
