//! The plan catalogue (`keys::PLANS_PK`): one small partition, read whole
//! by every request that shows plans (one Query), written by staff and by
//! `make dev`'s catalogue load. A plan's `subscribers` count is moved by
//! the subscriptions' own transactions; a plan in use is not deleted.

use super::{from_item, keys, n, Entity, Expr, Store, WriteError};
use crate::domain::plans::Plan;
use crate::error::Error;
use crate::time;

/// Condition names of the plans' writes.
pub const PLAN_AS_READ: &str = "plan_as_read";
pub const PLAN_UNUSED: &str = "plan_unused";

pub struct Plans<'a> {
    store: &'a Store,
}

impl Store {
    pub fn plans(&self) -> Plans<'_> {
        Plans { store: self }
    }
}

impl Entity for Plan {
    const NAME: &'static str = keys::entity::PLAN;
    fn key(&self) -> (String, String) {
        (keys::PLANS_PK.to_string(), keys::plan_sk(&self.id))
    }
}

impl Plans<'_> {
    /// Every plan, active or not (one Query).
    pub async fn all(&self) -> Result<Vec<Plan>, Error> {
        self.store
            .query_prefix(keys::PLANS_PK, keys::PLAN_PREFIX)
            .await?
            .into_iter()
            .map(from_item)
            .collect()
    }

    pub async fn get(&self, id: &str) -> Result<Option<Plan>, Error> {
        self.store
            .get(keys::PLANS_PK, &keys::plan_sk(id))
            .await?
            .map(from_item)
            .transpose()
    }

    /// Stores a new plan (its id must be new).
    pub async fn create(&self, plan: &Plan) -> Result<(), Error> {
        self.store
            .put(
                plan.to_item()?,
                Expr::new().condition("attribute_not_exists(pk)"),
            )
            .await
            .map_err(|e| match e {
                WriteError::Conditions(_) => Error::Conflict("This plan already exists.".into()),
                WriteError::Other(e) => e,
            })
    }

    /// `after` over `before` (the version read). The count of subscribers
    /// is `before`'s: the subscriptions' writes move it with `ADD version
    /// 1`, so a count that changed meanwhile fails the condition (409).
    pub async fn save(&self, before: &Plan, after: &mut Plan) -> Result<(), Error> {
        after.version = before.version + 1;
        after.updated_at = time::now();
        after.subscribers = before.subscribers;
        let expr = Expr::new()
            .condition("attribute_exists(pk) AND version = :read")
            .value(":read", n(before.version))
            .named(PLAN_AS_READ);
        match self.store.put(after.to_item()?, expr).await {
            Ok(()) => Ok(()),
            Err(WriteError::Conditions(_)) => Err(match self.get(&before.id).await? {
                None => Error::NotFound(Some("Plan")),
                Some(_) => Error::Conflict(
                    "The plan was changed by another request; reload and retry.".into(),
                ),
            }),
            Err(WriteError::Other(e)) => Err(e),
        }
    }

    /// Deletes a plan nobody subscribes to; one in use is a 409.
    pub async fn delete(&self, plan: &Plan) -> Result<(), Error> {
        let expr = Expr::new()
            .condition("attribute_exists(pk) AND (attribute_not_exists(subscribers) OR subscribers <= :none)")
            .value(":none", n(0))
            .named(PLAN_UNUSED);
        match self
            .store
            .delete(keys::PLANS_PK, &keys::plan_sk(&plan.id), expr)
            .await
        {
            Ok(()) => Ok(()),
            Err(WriteError::Conditions(_)) => match self.get(&plan.id).await? {
                None => Err(Error::NotFound(Some("Plan"))),
                Some(_) => Err(Error::Conflict(
                    "This plan has subscribers: deactivate it (is_active false) instead of deleting it."
                        .into(),
                )),
            },
            Err(WriteError::Other(e)) => Err(e),
        }
    }

    /// Loads the catalogue: each plan created when missing, else updated in
    /// place (its subscribers and creation date kept). Returns how many
    /// were written.
    pub async fn load(&self, plans: &[Plan]) -> Result<usize, Error> {
        let stored = self.all().await?;
        let mut written = 0;
        for plan in plans {
            match stored.iter().find(|p| p.id == plan.id) {
                None => {
                    self.create(plan).await?;
                    written += 1;
                }
                Some(before) => {
                    let mut after = plan.clone();
                    after.created_at = before.created_at;
                    after.subscribers = before.subscribers;
                    after.version = before.version;
                    after.updated_at = before.updated_at;
                    if after != *before {
                        self.save(before, &mut after).await?;
                        written += 1;
                    }
                }
            }
        }
        Ok(written)
    }
}
