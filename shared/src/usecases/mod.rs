//! Rules that span entities, in one layer between the handlers and the
//! repositories: a handler calls a use case, a use case composes the
//! repositories' writes into the store's transactions.
//!
//! - `odometer`: a new odometer reading or history refreshes the vehicle's
//!   reminders, in the same transaction as the change.
//! - `vehicle_deletion`, `account_deletion`: cascades over a list of
//!   participants, one per owner of dependent data; a new kind of data
//!   (documents and their S3 objects, diagnostics, subscriptions) joins by
//!   adding its participant to the list, not by editing the callers.
//! - `object_purge`: S3 objects whose items a transaction deleted.

pub mod account_deletion;
pub mod maintenance_input;
pub mod object_purge;
pub mod odometer;
pub mod stripe_events;
pub mod vehicle_deletion;

use std::future::Future;
use std::pin::Pin;

/// Work of a participant outside the table (S3 objects, for instance).
pub type Cleanup<'a> = Pin<Box<dyn Future<Output = Result<(), crate::Error>> + Send + 'a>>;

/// A cleanup with nothing to do.
pub fn nothing<'a>() -> Cleanup<'a> {
    Box::pin(async { Ok(()) })
}

/// A participant's read, for `together`.
pub type Pending<'a, T> = Pin<Box<dyn Future<Output = Result<T, crate::Error>> + Send + 'a>>;

/// Runs the futures at the same time (one round of latency); the first
/// error, in list order, once all have ended.
pub async fn together<T>(mut futures: Vec<Pending<'_, T>>) -> Result<Vec<T>, crate::Error> {
    use std::task::Poll;
    let mut results: Vec<Option<Result<T, crate::Error>>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut waiting = false;
        for (future, slot) in futures.iter_mut().zip(results.iter_mut()) {
            if slot.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(result) => *slot = Some(result),
                    Poll::Pending => waiting = true,
                }
            }
        }
        if waiting {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    results.into_iter().flatten().collect()
}
