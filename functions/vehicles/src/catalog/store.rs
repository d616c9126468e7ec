//! Brands and models (reference data) with their name guards and the
//! brand's `models_count`, kept in the same transactions.

use shared::store::keys;
use shared::store::{
    from_item, n, s, to_item, Expr, Item, Store, Write, WriteError, MAX_TRANSACTION_ITEMS,
};
use shared::{time, Error};

use super::entities::{name_key, Brand, CarModel};

pub struct Catalog<'a> {
    store: &'a Store,
}

impl<'a> Catalog<'a> {
    /// The catalogue repository over `store` (only this function writes it).
    pub fn of(store: &'a Store) -> Self {
        Catalog { store }
    }
}

/// Outcome of a catalogue write.
#[derive(Debug, PartialEq, Eq)]
pub enum CatalogWrite {
    Done,
    /// The name (of the brand, or of the model within its brand) is taken.
    NameTaken,
    /// The model's brand does not exist (any more).
    BrandMissing,
}

fn guard_item(key: (String, String), owner: &str) -> Item {
    Item::from([
        (keys::PK.to_string(), s(key.0)),
        (keys::SK.to_string(), s(key.1)),
        (keys::ENTITY.to_string(), s(keys::entity::NAME_GUARD)),
        ("owner_id".to_string(), s(owner)),
    ])
}

fn brand_item(brand: &Brand) -> Result<Item, Error> {
    let mut item = to_item(brand)?;
    item.insert(keys::PK.into(), s(keys::BRANDS_PK));
    item.insert(keys::SK.into(), s(keys::brand_sk(&brand.id)));
    item.insert(keys::ENTITY.into(), s(keys::entity::BRAND));
    Ok(item)
}

fn model_item(model: &CarModel) -> Result<Item, Error> {
    let mut item = to_item(model)?;
    item.insert(keys::PK.into(), s(keys::MODELS_PK));
    item.insert(keys::SK.into(), s(keys::model_sk(&model.id)));
    item.insert(keys::ENTITY.into(), s(keys::entity::CAR_MODEL));
    Ok(item)
}

/// The name guard's Put: nobody holds the name.
const NAME_FREE: &str = "name_free";
/// The brand or model written is (still) there, in the brand it was read in.
const PRESENT: &str = "present";

fn absent() -> Expr {
    Expr::new().condition("attribute_not_exists(pk)")
}

fn name_free() -> Expr {
    absent().named(NAME_FREE)
}

/// A delete that only happens while the item exists: of two concurrent
/// deletes one is refused, so counters move once.
fn present() -> Expr {
    Expr::new().condition("attribute_exists(pk)").named(PRESENT)
}

/// A name guard is freed only while it still names its owner.
fn owned_by(owner: &str) -> Expr {
    Expr::new()
        .condition("owner_id = :owner")
        .value(":owner", s(owner))
}

impl Catalog<'_> {
    pub async fn brands(&self) -> Result<Vec<Brand>, Error> {
        self.store
            .query_prefix(keys::BRANDS_PK, "BRAND#")
            .await?
            .into_iter()
            .map(from_item)
            .collect()
    }

    pub async fn brand(&self, id: &str) -> Result<Option<Brand>, Error> {
        self.store
            .get(keys::BRANDS_PK, &keys::brand_sk(id))
            .await?
            .map(from_item)
            .transpose()
    }

    pub async fn models(&self) -> Result<Vec<CarModel>, Error> {
        self.store
            .query_prefix(keys::MODELS_PK, "MODEL#")
            .await?
            .into_iter()
            .map(from_item)
            .collect()
    }

    pub async fn model(&self, id: &str) -> Result<Option<CarModel>, Error> {
        self.store
            .get(keys::MODELS_PK, &keys::model_sk(id))
            .await?
            .map(from_item)
            .transpose()
    }

    fn count_change(&self, brand_id: &str, delta: i64) -> Result<Write, Error> {
        self.store.tx_update(
            keys::BRANDS_PK,
            &keys::brand_sk(brand_id),
            Expr::new()
                .update("ADD models_count :delta")
                .condition("attribute_exists(pk)")
                .value(":delta", n(delta)),
        )
    }

    async fn run(&self, items: Vec<Write>) -> Result<CatalogWrite, Error> {
        match self.store.transact(items).await {
            Ok(()) => Ok(CatalogWrite::Done),
            Err(WriteError::Conditions(failed)) if failed.has(NAME_FREE) => {
                Ok(CatalogWrite::NameTaken)
            }
            Err(WriteError::Conditions(_)) => Ok(CatalogWrite::BrandMissing),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn create_brand(&self, brand: &Brand) -> Result<CatalogWrite, Error> {
        let items = vec![
            self.store.tx_put(
                guard_item(keys::brand_name_guard(&name_key(&brand.name)), &brand.id),
                name_free(),
            )?,
            self.store.tx_put(brand_item(brand)?, absent())?,
        ];
        self.run(items).await
    }

    /// Renames or changes the logo; `models_count` is left to the model writes.
    pub async fn update_brand(&self, before: &Brand, after: &Brand) -> Result<CatalogWrite, Error> {
        let mut items = Vec::new();
        let renamed = name_key(&before.name) != name_key(&after.name);
        if renamed {
            items.push(self.store.tx_put(
                guard_item(keys::brand_name_guard(&name_key(&after.name)), &after.id),
                name_free(),
            )?);
            let (pk, sk) = keys::brand_name_guard(&name_key(&before.name));
            items.push(self.store.tx_delete(&pk, &sk, owned_by(&before.id))?);
        }
        let mut expr = Expr::new()
            .condition("attribute_exists(pk)")
            .value(":name", s(&after.name))
            .value(":now", s(time::format(&after.updated_at)));
        expr = match &after.logo_url {
            Some(url) => expr
                .update("SET #name = :name, updated_at = :now, logo_url = :logo")
                .value(":logo", s(url)),
            None => expr.update("SET #name = :name, updated_at = :now REMOVE logo_url"),
        }
        .name("#name", "name");
        items.push(
            self.store
                .tx_update(keys::BRANDS_PK, &keys::brand_sk(&after.id), expr)?,
        );
        self.run(items).await
    }

    /// Deletes the brand's models (with their guards), then the brand; a
    /// failure part way leaves a brand whose deletion can simply be retried.
    pub async fn delete_brand(&self, brand: &Brand) -> Result<(), Error> {
        let models: Vec<CarModel> = self
            .models()
            .await?
            .into_iter()
            .filter(|m| m.brand_id == brand.id)
            .collect();
        for chunk in models.chunks(MAX_TRANSACTION_ITEMS / 2 - 1) {
            let mut items = Vec::new();
            for model in chunk {
                items.push(self.store.tx_delete(
                    keys::MODELS_PK,
                    &keys::model_sk(&model.id),
                    present(),
                )?);
                let (pk, sk) = keys::model_name_guard(&model.brand_id, &name_key(&model.name));
                items.push(self.store.tx_delete(&pk, &sk, owned_by(&model.id))?);
            }
            items.push(self.count_change(&brand.id, -(chunk.len() as i64))?);
            self.store.transact(items).await?;
        }
        let (pk, sk) = keys::brand_name_guard(&name_key(&brand.name));
        let items = vec![
            self.store
                .tx_delete(keys::BRANDS_PK, &keys::brand_sk(&brand.id), present())?,
            self.store.tx_delete(&pk, &sk, owned_by(&brand.id))?,
        ];
        match self.store.transact(items).await {
            Ok(()) => Ok(()),
            Err(WriteError::Conditions(failed)) if failed.has(PRESENT) => {
                Err(Error::NotFound(Some("Brand")))
            }
            Err(e) => Err(e.into()),
        }
    }

    pub async fn create_model(&self, model: &CarModel) -> Result<CatalogWrite, Error> {
        let guard = keys::model_name_guard(&model.brand_id, &name_key(&model.name));
        let items = vec![
            self.store
                .tx_put(guard_item(guard, &model.id), name_free())?,
            self.store.tx_put(model_item(model)?, absent())?,
            self.count_change(&model.brand_id, 1)?,
        ];
        self.run(items).await
    }

    pub async fn update_model(
        &self,
        before: &CarModel,
        after: &CarModel,
    ) -> Result<CatalogWrite, Error> {
        let mut items = Vec::new();
        let old_guard = keys::model_name_guard(&before.brand_id, &name_key(&before.name));
        let new_guard = keys::model_name_guard(&after.brand_id, &name_key(&after.name));
        let moved = old_guard != new_guard;
        if moved {
            items.push(
                self.store
                    .tx_put(guard_item(new_guard, &after.id), name_free())?,
            );
            items.push(
                self.store
                    .tx_delete(&old_guard.0, &old_guard.1, owned_by(&before.id))?,
            );
        }
        if before.brand_id != after.brand_id {
            items.push(self.count_change(&before.brand_id, -1)?);
            items.push(self.count_change(&after.brand_id, 1)?);
        }
        // Still in the brand it was read in: two concurrent moves cannot
        // both take it out of that brand's count.
        items.push(
            self.store.tx_put(
                model_item(after)?,
                Expr::new()
                    .condition("attribute_exists(pk) AND brand_id = :brand")
                    .value(":brand", s(&before.brand_id)),
            )?,
        );
        self.run(items).await
    }

    /// Deletes the model, its name guard and uncounts it, only while it
    /// exists in the brand it was read in: a concurrent second delete is a
    /// 404 and the brand's count moves once.
    pub async fn delete_model(&self, model: &CarModel) -> Result<(), Error> {
        let (pk, sk) = keys::model_name_guard(&model.brand_id, &name_key(&model.name));
        let items = vec![
            self.store.tx_delete(
                keys::MODELS_PK,
                &keys::model_sk(&model.id),
                Expr::new()
                    .condition("attribute_exists(pk) AND brand_id = :brand")
                    .named(PRESENT)
                    .value(":brand", s(&model.brand_id)),
            )?,
            self.store.tx_delete(&pk, &sk, owned_by(&model.id))?,
            self.count_change(&model.brand_id, -1)?,
        ];
        match self.store.transact(items).await {
            Ok(()) => Ok(()),
            Err(WriteError::Conditions(failed)) if failed.has(PRESENT) => {
                Err(Error::NotFound(Some("CarModel")))
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// The reference catalogue shipped with the project (brand -> models with
/// first and last model years), loaded by the local bootstrap.
pub const SEED_CATALOG: &str = include_str!("../../../../infra/seed/catalog.json");

/// Model name, first year, last year (if discontinued).
type SeedModel = (String, Option<i64>, Option<i64>);
type SeedCatalog = std::collections::BTreeMap<String, Vec<SeedModel>>;

impl Catalog<'_> {
    /// Loads brands and models from `json` (`{"Brand": [["Model", start,
    /// end|null], ...]}`), skipping what exists: safe to run again.
    /// Returns how many brands and models were created.
    pub async fn load(&self, json: &str) -> Result<(usize, usize), Error> {
        let data: SeedCatalog = serde_json::from_str(json)
            .map_err(|e| Error::internal(format!("catalogue file: {e}")))?;
        let mut brands: Vec<Brand> = self.brands().await?;
        let models = self.models().await?;
        let (mut new_brands, mut new_models) = (0, 0);
        for (brand_name, brand_models) in data {
            let brand = match brands
                .iter()
                .find(|b| name_key(&b.name) == name_key(&brand_name))
            {
                Some(b) => b.clone(),
                None => {
                    let now = time::now();
                    let brand = Brand {
                        id: uuid::Uuid::now_v7().to_string(),
                        name: brand_name.clone(),
                        logo_url: None,
                        models_count: 0,
                        created_at: now,
                        updated_at: now,
                    };
                    if self.create_brand(&brand).await? == CatalogWrite::Done {
                        new_brands += 1;
                    }
                    brands.push(brand.clone());
                    brand
                }
            };
            for (name, year_start, year_end) in brand_models {
                let exists = models
                    .iter()
                    .any(|m| m.brand_id == brand.id && name_key(&m.name) == name_key(&name));
                if exists {
                    continue;
                }
                let now = time::now();
                let model = CarModel {
                    id: uuid::Uuid::now_v7().to_string(),
                    brand_id: brand.id.clone(),
                    name,
                    year_start,
                    year_end,
                    created_at: now,
                    updated_at: now,
                };
                if self.create_model(&model).await? == CatalogWrite::Done {
                    new_models += 1;
                }
            }
        }
        Ok((new_brands, new_models))
    }
}
