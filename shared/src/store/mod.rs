//! The single DynamoDB table: key formats (`keys`), the table definition
//! (`table`), the client and its round-trip counter (`client`), and one
//! repository per entity on top of the small generic helpers below.

pub mod assistant;
pub mod billing;
pub mod client;
pub mod diagnostics;
pub mod documents;
pub mod entity;
pub mod fleet;
pub mod garages;
pub mod keys;
pub mod maintenances;
pub mod notifications;
pub mod owners;
pub mod plans;
pub mod purges;
pub mod reminders;
pub mod sessions;
pub mod settings;
pub mod table;
pub mod tx;
pub mod users;
pub mod vehicles;
pub mod webhooks;

use std::collections::HashMap;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use serde::de::DeserializeOwned;
use serde::Serialize;

pub use aws_sdk_dynamodb::types::AttributeValue as Attr;
pub use client::CallCounter;
pub use entity::{Entity, Mixed};
pub use fleet::Fleet;
pub use tx::{Refused, Tx, Write, WriteError};

use crate::error::Error;

pub type Item = HashMap<String, AttributeValue>;

/// A secondary index and its key attributes.
#[derive(Clone, Copy, Debug)]
pub struct IndexKeys {
    pub name: &'static str,
    pub pk: &'static str,
    pub sk: &'static str,
}

/// Handle on the table, cheap to clone; built once per cold start.
#[derive(Clone, Debug)]
pub struct Store {
    client: Client,
    table: String,
    calls: CallCounter,
    items_read: ItemsRead,
}

/// Items returned by reads through one store (tests assert what a request
/// reads, not only how many calls it makes: a Query is one call whether it
/// returns one item or a thousand).
#[derive(Clone, Debug, Default)]
struct ItemsRead(std::sync::Arc<std::sync::atomic::AtomicU64>);

impl ItemsRead {
    fn add(&self, n: usize) {
        self.0
            .fetch_add(n as u64, std::sync::atomic::Ordering::SeqCst);
    }
    fn get(&self) -> u64 {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// Which sort keys of a partition a query reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SortRange {
    All,
    Prefix(String),
    /// Strictly greater than.
    Above(String),
    /// Strictly less than.
    Below(String),
    /// Both bounds included.
    Between(String, String),
}

/// Update, condition, names and values of one write.
#[derive(Clone, Debug, Default)]
pub struct Expr {
    pub update: Option<String>,
    pub condition: Option<String>,
    /// What a refusal of `condition` reports (see `tx`).
    pub condition_name: Option<String>,
    pub names: HashMap<String, String>,
    pub values: HashMap<String, AttributeValue>,
}

impl Expr {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn update(mut self, expression: impl Into<String>) -> Self {
        self.update = Some(expression.into());
        self
    }
    pub fn condition(mut self, expression: impl Into<String>) -> Self {
        self.condition = Some(expression.into());
        self
    }
    /// Names the condition: a refusal reports this name.
    pub fn named(mut self, name: &str) -> Self {
        self.condition_name = Some(name.into());
        self
    }
    pub fn name(mut self, placeholder: &str, attribute: &str) -> Self {
        self.names.insert(placeholder.into(), attribute.into());
        self
    }
    pub fn value(mut self, placeholder: &str, value: AttributeValue) -> Self {
        self.values.insert(placeholder.into(), value);
        self
    }
    pub(crate) fn names(&self) -> Option<HashMap<String, String>> {
        (!self.names.is_empty()).then(|| self.names.clone())
    }
    pub(crate) fn values(&self) -> Option<HashMap<String, AttributeValue>> {
        (!self.values.is_empty()).then(|| self.values.clone())
    }
}

/// The condition that a counter (`attribute`, absent meaning 0) may grow
/// by what the write adds: it holds at most `room` before. A room below 0
/// (a limit of 0) must refuse even the first item, so an absent counter
/// passes only when there is room.
pub fn counter_within(attribute: &str, room_placeholder: &str, room: i64) -> String {
    if room >= 0 {
        format!("(attribute_not_exists({attribute}) OR {attribute} <= {room_placeholder})")
    } else {
        format!("({attribute} <= {room_placeholder})")
    }
}

/// Largest number of items DynamoDB accepts in one transaction.
pub const MAX_TRANSACTION_ITEMS: usize = 100;

impl Store {
    pub fn new(client: Client, table: impl Into<String>, calls: CallCounter) -> Self {
        Self {
            client,
            table: table.into(),
            calls,
            items_read: ItemsRead::default(),
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// DynamoDB round trips made through this store's client so far.
    pub fn calls(&self) -> u64 {
        self.calls.get()
    }

    /// Items returned by GetItem, Query and BatchGetItem through this store so far.
    pub fn items_read(&self) -> u64 {
        self.items_read.get()
    }

    /// Opens the connection to DynamoDB with one GetItem of a key that
    /// never exists (every function may read the table). A failure is only
    /// logged: the first request then connects, or answers 503.
    pub async fn warm_up(&self) {
        if let Err(e) = self.get("WARMUP", "WARMUP").await {
            tracing::warn!(error = %e, "DynamoDB not reachable during init");
        }
    }

    /// GetItem on a full key (strongly consistent: reads follow our own writes).
    pub async fn get(&self, pk: &str, sk: &str) -> Result<Option<Item>, Error> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(keys::PK, s(pk))
            .key(keys::SK, s(sk))
            .consistent_read(true)
            .send()
            .await
            .map_err(sdk_error)?;
        self.items_read.add(usize::from(out.item.is_some()));
        Ok(out.item)
    }

    /// Every item of a partition whose sort key starts with `prefix`, all pages.
    pub async fn query_prefix(&self, pk: &str, prefix: &str) -> Result<Vec<Item>, Error> {
        let mut items = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let mut req = self
                .client
                .query()
                .table_name(&self.table)
                .consistent_read(true)
                .expression_attribute_values(":pk", s(pk));
            req = if prefix.is_empty() {
                req.key_condition_expression("pk = :pk")
            } else {
                req.key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
                    .expression_attribute_values(":prefix", s(prefix))
            };
            let out = req
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(sdk_error)?;
            let page = out.items.unwrap_or_default();
            self.items_read.add(page.len());
            items.extend(page);
            match out.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => break,
            }
        }
        Ok(items)
    }

    /// The keys of every item of a partition (only the keys travel: a
    /// projection), all pages.
    pub async fn partition_keys(&self, pk: &str) -> Result<Vec<(String, String)>, Error> {
        let mut found = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .consistent_read(true)
                .key_condition_expression("pk = :pk")
                .projection_expression("pk, sk")
                .expression_attribute_values(":pk", s(pk))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(sdk_error)?;
            let page = out.items.unwrap_or_default();
            self.items_read.add(page.len());
            for item in &page {
                let text = |name: &str| {
                    item.get(name)
                        .and_then(|v| v.as_s().ok())
                        .cloned()
                        .unwrap_or_default()
                };
                found.push((text(keys::PK), text(keys::SK)));
            }
            match out.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => break,
            }
        }
        Ok(found)
    }

    /// One page of a partition's items in key order (`forward`) or reverse,
    /// optionally keeping only those matching `filter` (applied by DynamoDB
    /// after reading up to `limit` items), from `start`. Returns the items
    /// and where the next page starts (`None`: the end).
    pub async fn query_page(
        &self,
        pk: &str,
        prefix: &str,
        forward: bool,
        filter: &Expr,
        limit: usize,
        start: Option<Item>,
    ) -> Result<(Vec<Item>, Option<Item>), Error> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .consistent_read(true)
            .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
            .set_filter_expression(filter.condition.clone())
            .set_expression_attribute_names(filter.names())
            .set_expression_attribute_values(Some(prefix_values(filter, pk, prefix)))
            .scan_index_forward(forward)
            .limit(limit.clamp(1, 1000) as i32)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(sdk_error)?;
        let items = out.items.unwrap_or_default();
        self.items_read.add(out.scanned_count.max(0) as usize);
        Ok((items, out.last_evaluated_key.filter(|k| !k.is_empty())))
    }

    /// Up to `size` items under `prefix` matching `filter`, in key order
    /// (`forward`) or reverse, after skipping `offset` of them: pages of at
    /// least `read` items at a time, never the whole partition at once (the
    /// offset pages of `/api/notifications/` and `/api/replies/`).
    #[allow(clippy::too_many_arguments)]
    pub async fn query_window(
        &self,
        pk: &str,
        prefix: &str,
        forward: bool,
        filter: &Expr,
        offset: usize,
        size: usize,
        read: usize,
    ) -> Result<Vec<Item>, Error> {
        let mut skipped = 0;
        let mut found = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let wanted = offset + size - skipped - found.len();
            let (items, next) = self
                .query_page(pk, prefix, forward, filter, wanted.max(read), start)
                .await?;
            for item in items {
                if skipped < offset {
                    skipped += 1;
                } else if found.len() < size {
                    found.push(item);
                }
            }
            match next {
                Some(key) if found.len() < size => start = Some(key),
                _ => break,
            }
        }
        Ok(found)
    }

    /// How many items of a partition under `prefix` match `filter` (a COUNT
    /// query: DynamoDB reads them, none travels back).
    pub async fn count_matching(
        &self,
        pk: &str,
        prefix: &str,
        filter: &Expr,
    ) -> Result<usize, Error> {
        let mut count = 0usize;
        let mut start: Option<Item> = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .consistent_read(true)
                .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
                .set_filter_expression(filter.condition.clone())
                .set_expression_attribute_names(filter.names())
                .set_expression_attribute_values(Some(prefix_values(filter, pk, prefix)))
                .select(aws_sdk_dynamodb::types::Select::Count)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(sdk_error)?;
            self.items_read.add(out.scanned_count.max(0) as usize);
            count += out.count.max(0) as usize;
            match out.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => break,
            }
        }
        Ok(count)
    }

    /// Items of a global secondary index partition (eventually consistent).
    pub async fn query_index(
        &self,
        index: &str,
        pk_attr: &str,
        pk: &str,
        limit: Option<i32>,
    ) -> Result<Vec<Item>, Error> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(index)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", pk_attr)
            .expression_attribute_values(":pk", s(pk))
            .set_limit(limit)
            .send()
            .await
            .map_err(sdk_error)?;
        let items = out.items.unwrap_or_default();
        self.items_read.add(items.len());
        Ok(items)
    }

    /// Items of an index partition whose sort key compares to `bound` as
    /// `range` says (`<`, `<=`, `>=`), all pages, ascending. `limit` caps the
    /// items read (the scheduled run works in bounded batches).
    pub async fn query_index_range(
        &self,
        index: IndexKeys,
        pk: &str,
        range: &str,
        bound: &str,
        limit: Option<usize>,
    ) -> Result<Vec<Item>, Error> {
        let mut items = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(index.name)
                .key_condition_expression(format!("#pk = :pk AND #sk {range} :bound"))
                .expression_attribute_names("#pk", index.pk)
                .expression_attribute_names("#sk", index.sk)
                .expression_attribute_values(":pk", s(pk))
                .expression_attribute_values(":bound", s(bound))
                .set_limit(limit.map(|l| (l - items.len()).min(1000) as i32))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(sdk_error)?;
            let page = out.items.unwrap_or_default();
            self.items_read.add(page.len());
            items.extend(page);
            if limit.is_some_and(|l| items.len() >= l) {
                break;
            }
            match out.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => break,
            }
        }
        Ok(items)
    }

    /// Up to `limit` items (all when `None`) of a partition of the table
    /// (strongly consistent) or of an index (`index`, eventually
    /// consistent), in sort-key order or reversed, within `range`.
    pub async fn query_range(
        &self,
        index: Option<IndexKeys>,
        pk: &str,
        range: &SortRange,
        forward: bool,
        limit: Option<usize>,
    ) -> Result<Vec<Item>, Error> {
        let (pk_attr, sk_attr) = index.map_or((keys::PK, keys::SK), |i| (i.pk, i.sk));
        let condition = match range {
            SortRange::All => "#pk = :pk",
            SortRange::Prefix(_) => "#pk = :pk AND begins_with(#sk, :a)",
            SortRange::Above(_) => "#pk = :pk AND #sk > :a",
            SortRange::Below(_) => "#pk = :pk AND #sk < :a",
            SortRange::Between(..) => "#pk = :pk AND #sk BETWEEN :a AND :b",
        };
        let mut items = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let mut req = self
                .client
                .query()
                .table_name(&self.table)
                .set_index_name(index.map(|i| i.name.to_string()))
                .consistent_read(index.is_none())
                .key_condition_expression(condition)
                .expression_attribute_names("#pk", pk_attr)
                .expression_attribute_values(":pk", s(pk))
                .scan_index_forward(forward)
                .set_limit(limit.map(|l| (l - items.len()).clamp(1, 1000) as i32))
                .set_exclusive_start_key(start);
            if !matches!(range, SortRange::All) {
                req = req.expression_attribute_names("#sk", sk_attr);
            }
            req = match range {
                SortRange::All => req,
                SortRange::Prefix(a) | SortRange::Above(a) | SortRange::Below(a) => {
                    req.expression_attribute_values(":a", s(a))
                }
                SortRange::Between(a, b) => req
                    .expression_attribute_values(":a", s(a))
                    .expression_attribute_values(":b", s(b)),
            };
            let out = req.send().await.map_err(sdk_error)?;
            let page = out.items.unwrap_or_default();
            self.items_read.add(out.scanned_count.max(0) as usize);
            items.extend(page);
            if limit.is_some_and(|l| items.len() >= l) {
                break;
            }
            match out.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => break,
            }
        }
        Ok(items)
    }

    /// PutItem, conditional when `expr` has a condition.
    pub async fn put(&self, item: Item, expr: Expr) -> Result<(), WriteError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .set_condition_expression(expr.condition.clone())
            .set_expression_attribute_names(expr.names())
            .set_expression_attribute_values(expr.values())
            .send()
            .await
            .map(|_| ())
            .map_err(|e| write_error(e, &expr))
    }

    /// UpdateItem; returns the item as it is after the update.
    pub async fn update(&self, pk: &str, sk: &str, expr: Expr) -> Result<Item, WriteError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(pk))
            .key(keys::SK, s(sk))
            .update_expression(expr.update.clone().unwrap_or_default())
            .set_condition_expression(expr.condition.clone())
            .set_expression_attribute_names(expr.names())
            .set_expression_attribute_values(expr.values())
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew)
            .send()
            .await
            .map(|out| out.attributes.unwrap_or_default())
            .map_err(|e| write_error(e, &expr))
    }

    /// DeleteItem, optionally conditional.
    pub async fn delete(&self, pk: &str, sk: &str, expr: Expr) -> Result<(), WriteError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key(keys::PK, s(pk))
            .key(keys::SK, s(sk))
            .set_condition_expression(expr.condition.clone())
            .set_expression_attribute_names(expr.names())
            .set_expression_attribute_values(expr.values())
            .send()
            .await
            .map(|_| ())
            .map_err(|e| write_error(e, &expr))
    }

    /// Several items by full key in one BatchGetItem (strongly consistent),
    /// returned in the order asked; missing items are `None`.
    pub async fn get_many(&self, keys: &[(String, String)]) -> Result<Vec<Option<Item>>, Error> {
        use aws_sdk_dynamodb::types::KeysAndAttributes;
        let mut wanted = KeysAndAttributes::builder().consistent_read(true);
        for (pk, sk) in keys {
            wanted = wanted.keys(HashMap::from([
                (keys::PK.to_string(), s(pk)),
                (keys::SK.to_string(), s(sk)),
            ]));
        }
        let mut request =
            HashMap::from([(self.table.clone(), wanted.build().map_err(Error::internal)?)]);
        let mut found: Vec<Item> = Vec::new();
        for attempt in 0..8 {
            let out = self
                .client
                .batch_get_item()
                .set_request_items(Some(request))
                .send()
                .await
                .map_err(sdk_error)?;
            if let Some(mut responses) = out.responses {
                let page = responses.remove(&self.table).unwrap_or_default();
                self.items_read.add(page.len());
                found.extend(page);
            }
            match out.unprocessed_keys.filter(|m| !m.is_empty()) {
                Some(rest) => request = rest,
                None => break,
            }
            if attempt == 7 {
                return Err(Error::Unavailable("DynamoDB kept keys unprocessed".into()));
            }
            tokio::time::sleep(std::time::Duration::from_millis(25 << attempt)).await;
        }
        let key_of = |item: &Item| {
            (
                item.get("pk")
                    .and_then(|v| v.as_s().ok())
                    .cloned()
                    .unwrap_or_default(),
                item.get(keys::SK)
                    .and_then(|v| v.as_s().ok())
                    .cloned()
                    .unwrap_or_default(),
            )
        };
        let mut by_key: HashMap<(String, String), Item> = found
            .into_iter()
            .map(|item| (key_of(&item), item))
            .collect();
        Ok(keys.iter().map(|k| by_key.remove(k)).collect())
    }

    /// Puts many items with BatchWriteItem (25 per call), unconditionally,
    /// retrying unprocessed ones: seeding (reference data, benches, tests).
    pub async fn put_many(&self, items: Vec<Item>) -> Result<(), Error> {
        use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
        for chunk in items.chunks(25) {
            let mut requests: Vec<WriteRequest> = chunk
                .iter()
                .map(|item| {
                    let put = PutRequest::builder()
                        .set_item(Some(item.clone()))
                        .build()
                        .map_err(Error::internal)?;
                    Ok(WriteRequest::builder().put_request(put).build())
                })
                .collect::<Result<_, Error>>()?;
            for attempt in 0..8 {
                let out = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, requests)
                    .send()
                    .await
                    .map_err(sdk_error)?;
                requests = out
                    .unprocessed_items
                    .and_then(|mut m| m.remove(&self.table))
                    .unwrap_or_default();
                if requests.is_empty() {
                    break;
                }
                if attempt == 7 {
                    return Err(Error::Unavailable("DynamoDB kept items unprocessed".into()));
                }
                tokio::time::sleep(std::time::Duration::from_millis(50 << attempt)).await;
            }
        }
        Ok(())
    }

    /// Deletes the given keys with BatchWriteItem (25 per call), retrying
    /// unprocessed items. Idempotent: deleting a missing item succeeds.
    pub async fn delete_keys(&self, keys: Vec<(String, String)>) -> Result<(), Error> {
        use aws_sdk_dynamodb::types::{DeleteRequest, WriteRequest};
        for chunk in keys.chunks(25) {
            let mut requests: Vec<WriteRequest> = chunk
                .iter()
                .map(|(pk, sk)| {
                    let delete = DeleteRequest::builder()
                        .key(keys::PK, s(pk))
                        .key(keys::SK, s(sk))
                        .build()
                        .map_err(Error::internal)?;
                    Ok(WriteRequest::builder().delete_request(delete).build())
                })
                .collect::<Result<_, Error>>()?;
            for attempt in 0..8 {
                let out = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, requests)
                    .send()
                    .await
                    .map_err(sdk_error)?;
                requests = out
                    .unprocessed_items
                    .and_then(|mut m| m.remove(&self.table))
                    .unwrap_or_default();
                if requests.is_empty() {
                    break;
                }
                if attempt == 7 {
                    return Err(Error::Unavailable("DynamoDB kept items unprocessed".into()));
                }
                tokio::time::sleep(std::time::Duration::from_millis(50 << attempt)).await;
            }
        }
        Ok(())
    }
}

/// The values of a `pk = :pk AND begins_with(sk, :prefix)` query with a
/// filter's own values.
fn prefix_values(filter: &Expr, pk: &str, prefix: &str) -> HashMap<String, AttributeValue> {
    let mut values = filter.values.clone();
    values.insert(":pk".into(), s(pk));
    values.insert(":prefix".into(), s(prefix));
    values
}

/// A string attribute.
pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

/// A number attribute.
pub fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

pub fn to_item<T: Serialize>(value: &T) -> Result<Item, Error> {
    serde_dynamo::to_item(value).map_err(|e| Error::internal(format!("encoding item: {e}")))
}

pub fn from_item<T: DeserializeOwned>(item: Item) -> Result<T, Error> {
    serde_dynamo::from_item(item).map_err(|e| Error::internal(format!("decoding item: {e}")))
}

/// Splits a single-item write failure: failed condition or anything else.
fn write_error<E: ProvideErrorMetadata + std::fmt::Debug, R: std::fmt::Debug>(
    err: SdkError<E, R>,
    expr: &Expr,
) -> WriteError {
    match &err {
        SdkError::ServiceError(ctx)
            if ctx.err().code() == Some("ConditionalCheckFailedException") =>
        {
            WriteError::Conditions(Refused::one(
                expr.condition_name.as_deref().unwrap_or(tx::UNNAMED),
            ))
        }
        _ => WriteError::Other(sdk_error(err)),
    }
}

/// Maps an SDK failure: unreachable, timing out or throttling gives 503,
/// anything else is an internal error.
pub fn sdk_error<E: ProvideErrorMetadata + std::fmt::Debug, R: std::fmt::Debug>(
    err: SdkError<E, R>,
) -> Error {
    match &err {
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) | SdkError::ResponseError(_) => {
            Error::Unavailable(format!("DynamoDB: {err:?}"))
        }
        SdkError::ServiceError(ctx) => service_error(ctx.err().code(), ctx.err().message()),
        _ => Error::internal(format!("DynamoDB: {err:?}")),
    }
}

pub(crate) fn service_error(code: Option<&str>, message: Option<&str>) -> Error {
    let code = code.unwrap_or("Unknown");
    let text = format!("DynamoDB {code}: {}", message.unwrap_or(""));
    match code {
        "ProvisionedThroughputExceededException"
        | "ThrottlingException"
        | "RequestLimitExceeded"
        | "InternalServerError"
        | "ServiceUnavailable"
        | "ResourceNotFoundException" => Error::Unavailable(text),
        _ => Error::Internal(text),
    }
}
