//! What an item of the table is: an entity type knows its keys (built in
//! `keys`) and its `entity` name, so encoding and decoding never spell them
//! out elsewhere. Mixed reads (a partition, a batch of keys) are sorted by
//! that name in one place, `Mixed`.

use std::collections::HashMap;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{from_item, keys, s, to_item, Item};
use crate::error::Error;

/// A type stored as items of the table.
pub trait Entity: Serialize + DeserializeOwned {
    /// The value of the item's `entity` attribute.
    const NAME: &'static str;

    /// The item's primary key (`pk`, `sk`).
    fn key(&self) -> (String, String);

    /// Attributes beyond the fields and the key: index keys, guards.
    fn extra(&self, _item: &mut Item) {}

    /// The stored form: the fields, the key, the entity name, the extras.
    fn to_item(&self) -> Result<Item, Error> {
        let mut item = to_item(self)?;
        let (pk, sk) = self.key();
        item.insert(keys::PK.into(), s(pk));
        item.insert(keys::SK.into(), s(sk));
        item.insert(keys::ENTITY.into(), s(Self::NAME));
        self.extra(&mut item);
        Ok(item)
    }
}

/// The `entity` name of a stored item (empty when it has none).
pub fn name_of(item: &Item) -> &str {
    text(item, keys::ENTITY)
}

/// The partition key of a stored item, for logs.
pub fn pk_of(item: &Item) -> &str {
    text(item, keys::PK)
}

fn text<'a>(item: &'a Item, attribute: &str) -> &'a str {
    item.get(attribute)
        .and_then(|v| v.as_s().ok())
        .map_or("", String::as_str)
}

/// Items of several entity types read together, sorted by entity name.
#[derive(Debug, Default)]
pub struct Mixed(HashMap<String, Vec<Item>>);

impl Mixed {
    pub fn of(items: impl IntoIterator<Item = Item>) -> Self {
        let mut sorted: HashMap<String, Vec<Item>> = HashMap::new();
        for item in items {
            sorted
                .entry(name_of(&item).to_string())
                .or_default()
                .push(item);
        }
        Mixed(sorted)
    }

    /// Every item of `E`, decoded; one unreadable item fails them all.
    pub fn all<E: Entity>(&mut self) -> Result<Vec<E>, Error> {
        self.0
            .remove(E::NAME)
            .unwrap_or_default()
            .into_iter()
            .map(from_item)
            .collect()
    }

    /// Every item of `E` with its partition key, each decoded on its own:
    /// one unreadable item does not hide the others.
    pub fn each<E: Entity>(&mut self) -> Vec<(String, Result<E, Error>)> {
        self.0
            .remove(E::NAME)
            .unwrap_or_default()
            .into_iter()
            .map(|item| (pk_of(&item).to_string(), from_item(item)))
            .collect()
    }
}
