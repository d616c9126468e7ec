//! The purge outbox: S3 objects whose items are gone. A transaction that
//! deletes a document's item writes a marker naming its object (or, for an
//! account, the account's prefixes) in the same commit; the objects are
//! deleted afterwards, then the marker. The documents function purges its
//! own markers at once; the scheduled run drains whatever is left (a
//! function without an S3 client, a failure part way).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{from_item, keys, Entity, Expr, SortRange, Store, Write};
use crate::error::Error;
use crate::time;

/// Objects to delete: exact keys, or every object under a prefix.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ObjectsPurge {
    pub id: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prefixes: Vec<String>,
    #[serde(with = "time::rfc3339")]
    pub created_at: DateTime<Utc>,
}

impl ObjectsPurge {
    /// Keys per marker: the item stays small and one S3 DeleteObjects
    /// (1,000 keys) takes a marker whole.
    pub const MAX_KEYS: usize = 100;

    pub fn keys(keys: Vec<String>) -> Self {
        Self::new(keys, Vec::new())
    }

    pub fn prefixes(prefixes: Vec<String>) -> Self {
        Self::new(Vec::new(), prefixes)
    }

    fn new(keys: Vec<String>, prefixes: Vec<String>) -> Self {
        ObjectsPurge {
            id: uuid::Uuid::now_v7().to_string(),
            keys,
            prefixes,
            created_at: time::now(),
        }
    }
}

impl Entity for ObjectsPurge {
    const NAME: &'static str = keys::entity::OBJECTS_PURGE;
    fn key(&self) -> (String, String) {
        keys::purge_key(&self.id, &self.created_at)
    }
}

pub struct Purges<'a> {
    store: &'a Store,
}

impl Store {
    pub fn purges(&self) -> Purges<'_> {
        Purges { store: self }
    }
}

impl Purges<'_> {
    /// The marker's Put, for the transaction deleting the items.
    pub fn tx_mark(&self, marker: &ObjectsPurge) -> Result<Write, Error> {
        self.store.tx_put(marker.to_item()?, Expr::new())
    }

    /// Up to `limit` markers of each shard written before `before`, oldest
    /// first (a marker just written is its writer's to purge).
    pub async fn waiting(
        &self,
        before: &DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ObjectsPurge>, Error> {
        let mut found = Vec::new();
        for shard in 0..keys::PURGE_SHARDS {
            let items = self
                .store
                .query_range(
                    None,
                    &keys::purge_pk(shard),
                    &SortRange::Below(time::sortable(before)),
                    true,
                    Some(limit),
                )
                .await?;
            for item in items {
                found.push(from_item(item)?);
            }
        }
        Ok(found)
    }

    /// The marker is done: its objects are gone.
    pub async fn done(&self, marker: &ObjectsPurge) -> Result<(), Error> {
        let (pk, sk) = marker.key();
        self.store.delete(&pk, &sk, Expr::new()).await?;
        Ok(())
    }
}
