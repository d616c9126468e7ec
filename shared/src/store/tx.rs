//! Transactions built through the store. Every condition carries a name
//! (`Expr::named`), and a refusal reports the names of the conditions that
//! failed: DynamoDB answers by position, which breaks silently as soon as a
//! caller adds or reorders writes. Writes that one repository prepares for
//! another's transaction travel as `Write`, never as SDK types.

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{Delete, Put, TransactWriteItem, Update};

use super::{keys, s, sdk_error, service_error, Expr, Item, Store};
use crate::error::Error;

/// The name a condition reports when its write did not name it.
pub const UNNAMED: &str = "unnamed";

/// One operation of a transaction and the name of its condition.
#[derive(Clone, Debug)]
pub struct Write {
    op: TransactWriteItem,
    condition: Option<String>,
}

/// The names of the conditions that did not hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Refused(Vec<String>);

impl Refused {
    pub fn one(name: &str) -> Self {
        Refused(vec![name.to_string()])
    }

    /// Whether the condition named `name` failed.
    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|n| n == name)
    }

    pub fn names(&self) -> &[String] {
        &self.0
    }
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join(", "))
    }
}

/// Why a conditional write or a transaction was refused.
#[derive(Debug)]
pub enum WriteError {
    /// These named conditions did not hold.
    Conditions(Refused),
    Other(Error),
}

impl WriteError {
    pub fn is_condition(&self) -> bool {
        matches!(self, WriteError::Conditions(_))
    }

    /// A transaction cancelled because another one touched the same items
    /// at the same moment (`commit` reports it as a conflict): retryable.
    pub fn is_contention(&self) -> bool {
        matches!(self, WriteError::Other(Error::Conflict(_)))
    }
}

impl From<WriteError> for Error {
    fn from(err: WriteError) -> Self {
        match err {
            WriteError::Conditions(failed) => {
                Error::Conflict(format!("concurrent change ({failed}), please retry"))
            }
            WriteError::Other(e) => e,
        }
    }
}

impl From<Error> for WriteError {
    fn from(err: Error) -> Self {
        WriteError::Other(err)
    }
}

impl Write {
    fn new(op: TransactWriteItem, expr: &Expr) -> Self {
        let condition = expr
            .condition
            .as_ref()
            .map(|_| expr.condition_name.clone().unwrap_or(UNNAMED.into()));
        Write { op, condition }
    }
}

impl Store {
    /// A Put for a transaction.
    pub fn tx_put(&self, item: Item, expr: Expr) -> Result<Write, Error> {
        let put = Put::builder()
            .table_name(self.table())
            .set_item(Some(item))
            .set_condition_expression(expr.condition.clone())
            .set_expression_attribute_names(expr.names())
            .set_expression_attribute_values(expr.values())
            .build()
            .map_err(Error::internal)?;
        Ok(Write::new(
            TransactWriteItem::builder().put(put).build(),
            &expr,
        ))
    }

    /// An Update for a transaction.
    pub fn tx_update(&self, pk: &str, sk: &str, expr: Expr) -> Result<Write, Error> {
        let update = Update::builder()
            .table_name(self.table())
            .key(keys::PK, s(pk))
            .key(keys::SK, s(sk))
            .update_expression(expr.update.clone().unwrap_or_default())
            .set_condition_expression(expr.condition.clone())
            .set_expression_attribute_names(expr.names())
            .set_expression_attribute_values(expr.values())
            .build()
            .map_err(Error::internal)?;
        Ok(Write::new(
            TransactWriteItem::builder().update(update).build(),
            &expr,
        ))
    }

    /// A Delete for a transaction.
    pub fn tx_delete(&self, pk: &str, sk: &str, expr: Expr) -> Result<Write, Error> {
        let delete = Delete::builder()
            .table_name(self.table())
            .key(keys::PK, s(pk))
            .key(keys::SK, s(sk))
            .set_condition_expression(expr.condition.clone())
            .set_expression_attribute_names(expr.names())
            .set_expression_attribute_values(expr.values())
            .build()
            .map_err(Error::internal)?;
        Ok(Write::new(
            TransactWriteItem::builder().delete(delete).build(),
            &expr,
        ))
    }

    /// A new, empty transaction.
    pub fn tx(&self) -> Tx<'_> {
        Tx {
            store: self,
            writes: Vec::new(),
        }
    }

    /// One atomic TransactWriteItems of `writes`.
    pub async fn transact(&self, writes: Vec<Write>) -> Result<(), WriteError> {
        let mut tx = self.tx();
        tx.writes = writes;
        tx.commit().await
    }
}

/// Writes committed together (TransactWriteItems), all or nothing.
pub struct Tx<'a> {
    store: &'a Store,
    writes: Vec<Write>,
}

impl Tx<'_> {
    pub fn put(&mut self, item: Item, expr: Expr) -> Result<&mut Self, Error> {
        let write = self.store.tx_put(item, expr)?;
        Ok(self.add(write))
    }

    pub fn update(&mut self, pk: &str, sk: &str, expr: Expr) -> Result<&mut Self, Error> {
        let write = self.store.tx_update(pk, sk, expr)?;
        Ok(self.add(write))
    }

    pub fn delete(&mut self, pk: &str, sk: &str, expr: Expr) -> Result<&mut Self, Error> {
        let write = self.store.tx_delete(pk, sk, expr)?;
        Ok(self.add(write))
    }

    /// A write prepared elsewhere (another repository's follow-on write).
    pub fn add(&mut self, write: Write) -> &mut Self {
        self.writes.push(write);
        self
    }

    pub fn extend(&mut self, writes: impl IntoIterator<Item = Write>) -> &mut Self {
        self.writes.extend(writes);
        self
    }

    pub fn len(&self) -> usize {
        self.writes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.writes.is_empty()
    }

    /// Sends the transaction; a refusal names the conditions that failed.
    pub async fn commit(self) -> Result<(), WriteError> {
        let Tx { store, writes } = self;
        let (ops, names): (Vec<_>, Vec<_>) =
            writes.into_iter().map(|w| (w.op, w.condition)).unzip();
        match store
            .client()
            .transact_write_items()
            .set_transact_items(Some(ops))
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(ctx)) => match ctx.into_err() {
                TransactWriteItemsError::TransactionCanceledException(tx) => {
                    // Reasons come in the order of the writes.
                    let reasons = tx.cancellation_reasons();
                    let failed: Vec<String> = reasons
                        .iter()
                        .zip(&names)
                        .filter(|(r, _)| r.code() == Some("ConditionalCheckFailed"))
                        .map(|(_, name)| name.clone().unwrap_or(UNNAMED.into()))
                        .collect();
                    // Any other reason than a condition or a conflict (a
                    // value DynamoDB refuses, a throttled item) is not the
                    // caller's to retry as a race.
                    let other: Vec<&str> = reasons
                        .iter()
                        .filter_map(|r| r.code())
                        .filter(|c| {
                            !matches!(
                                *c,
                                "None" | "ConditionalCheckFailed" | "TransactionConflict"
                            )
                        })
                        .collect();
                    if !failed.is_empty() {
                        Err(WriteError::Conditions(Refused(failed)))
                    } else if let Some(code) = other.first() {
                        let message = reasons.iter().find_map(|r| r.message()).unwrap_or("");
                        Err(WriteError::Other(service_error(Some(code), Some(message))))
                    } else {
                        // Cancelled for contention (TransactionConflict): retryable.
                        Err(WriteError::Other(Error::Conflict(
                            "a concurrent request changed the same data, please retry".into(),
                        )))
                    }
                }
                other => {
                    use aws_sdk_dynamodb::error::ProvideErrorMetadata;
                    Err(WriteError::Other(service_error(
                        other.code(),
                        other.message(),
                    )))
                }
            },
            Err(other) => Err(WriteError::Other(sdk_error(other))),
        }
    }
}
