//! Deleting an account: every participant names the items it owns for the
//! user (each reads what it needs, all at the same time), they go in
//! batches, participants clean up outside the table, and the profile goes
//! last, so a failure part way leaves an account that can delete itself
//! again. Day counters of codes sent stay until their TTL (keyed by
//! address, they must survive a re-registration).

use super::{nothing, together, Cleanup, Pending};
use crate::domain::subscriptions as subs;
use crate::domain::users::User;
use crate::error::Error;
use crate::store::purges::ObjectsPurge;
use crate::store::{keys, Store};

/// An item's (`pk`, `sk`).
pub type Key = (String, String);

/// An owner of data that goes with an account.
pub trait AccountDependents: Send + Sync {
    /// The keys of its items for `user` (the profile excepted).
    fn keys<'a>(&'a self, store: &'a Store, user: &'a User) -> Pending<'a, Vec<Key>>;

    /// Writes that must keep other data right before the items go (a
    /// review leaves its garage's rating in a transaction of its own).
    fn settle<'a>(&'a self, _store: &'a Store, _user: &'a User) -> Cleanup<'a> {
        nothing()
    }

    /// Work outside the table (S3 objects), once the items are gone.
    fn cleanup<'a>(&'a self, _store: &'a Store, _user: &'a User) -> Cleanup<'a> {
        nothing()
    }
}

/// The user's partition (vehicles, maintenances, reminders, settings) and
/// the guards its items list, with the e-mail guard.
struct Partition;

impl AccountDependents for Partition {
    fn keys<'a>(&'a self, store: &'a Store, user: &'a User) -> Pending<'a, Vec<Key>> {
        Box::pin(async move { store.users().owned_keys(user).await })
    }
}

/// The notifications partition.
struct Notifications;

impl AccountDependents for Notifications {
    fn keys<'a>(&'a self, store: &'a Store, user: &'a User) -> Pending<'a, Vec<Key>> {
        Box::pin(async move { store.notifications().all_keys(&user.id).await })
    }
}

/// The user's garage reviews: each one leaves its garage's rating and
/// recent reviews as a delete through the API would. The garages the user
/// created stay (the directory is global; staff keep them).
struct GarageReviews;

impl AccountDependents for GarageReviews {
    /// Guards left by a review that was already gone.
    fn keys<'a>(&'a self, store: &'a Store, user: &'a User) -> Pending<'a, Vec<Key>> {
        Box::pin(async move { store.garages().review_guard_keys(&user.id).await })
    }

    fn settle<'a>(&'a self, store: &'a Store, user: &'a User) -> Cleanup<'a> {
        Box::pin(async move {
            let garages = store.garages();
            for review_id in garages.reviews_of_user(&user.id).await? {
                // Already gone (a concurrent delete) is as good.
                let _ = garages.delete_review(&review_id).await?;
            }
            Ok(())
        })
    }
}

/// The documents partition, and every object of the account in the
/// bucket: a marker naming the account's prefixes is written before the
/// items go (the users function has no S3 client; the scheduled run
/// deletes them).
struct Documents;

impl AccountDependents for Documents {
    fn keys<'a>(&'a self, store: &'a Store, user: &'a User) -> Pending<'a, Vec<Key>> {
        Box::pin(async move { store.documents().all_keys(&user.id).await })
    }

    fn settle<'a>(&'a self, store: &'a Store, user: &'a User) -> Cleanup<'a> {
        Box::pin(async move {
            let marker = ObjectsPurge::prefixes(vec![
                keys::user_objects_prefix(&user.id),
                keys::pending_objects_prefix(&user.id),
            ]);
            store
                .transact(vec![store.purges().tx_mark(&marker)?])
                .await?;
            Ok(())
        })
    }
}

/// The diagnostics partition (diagnostics, replies, counter).
struct Diagnostics;

impl AccountDependents for Diagnostics {
    fn keys<'a>(&'a self, store: &'a Store, user: &'a User) -> Pending<'a, Vec<Key>> {
        Box::pin(async move { store.diagnostics().all_keys(&user.id).await })
    }
}

/// The billing partition and the Stripe locators it names. A current
/// subscription ends first (its plan's count moves); one Stripe still
/// renews is the owner's to cancel first (Stripe would go on charging an
/// account that no longer exists): a 409 before anything is deleted.
struct Billing;

impl AccountDependents for Billing {
    fn keys<'a>(&'a self, store: &'a Store, user: &'a User) -> Pending<'a, Vec<Key>> {
        Box::pin(async move { store.billing().all_keys(&user.id).await })
    }

    fn settle<'a>(&'a self, store: &'a Store, user: &'a User) -> Cleanup<'a> {
        Box::pin(async move {
            let billing = store.billing();
            let all = billing.subscriptions(&user.id).await?;
            let renewing = all.iter().any(|s| {
                s.billing == subs::BILLING_STRIPE && s.grants_plan() && !s.cancel_at_period_end
            });
            // An open Stripe checkout could still be paid (and renew) after
            // the account is gone: its delete expires it at Stripe.
            let open_checkout = all
                .iter()
                .any(|s| s.billing == subs::BILLING_STRIPE && s.status == subs::INCOMPLETE);
            if open_checkout {
                return Err(Error::Conflict(
                    "A checkout is open: delete it first (DELETE /api/subscriptions/{id}/), then delete the account.".into(),
                ));
            }
            if renewing {
                return Err(Error::Conflict(
                    "Your subscription renews: cancel it first (POST /api/subscriptions/cancel/), then delete the account.".into(),
                ));
            }
            // Each record goes through the billing writes, so the plans'
            // counts and the stats stay right.
            for before in all {
                let mut gone = before.clone();
                if before.is_current() {
                    let mut after = before.clone();
                    after.status = subs::CANCELLED.into();
                    after.cancelled_at = Some(crate::time::now());
                    billing.transition(&before, &after, None).await?;
                    gone = after;
                    gone.version = before.version + 1;
                }
                billing.delete(&gone).await?;
            }
            Ok(())
        })
    }
}

/// The assistant's partition (conversations, messages, counter).
struct Assistant;

impl AccountDependents for Assistant {
    fn keys<'a>(&'a self, store: &'a Store, user: &'a User) -> Pending<'a, Vec<Key>> {
        Box::pin(async move { store.assistant().all_keys(&user.id).await })
    }
}

/// What goes with an account in the shared partitions; a new kind of user
/// data (subscriptions) adds its participant here.
pub fn participants() -> Vec<Box<dyn AccountDependents>> {
    vec![
        // First: its refusal must come before anything is deleted.
        Box::new(Billing),
        Box::new(Partition),
        Box::new(Notifications),
        Box::new(GarageReviews),
        Box::new(Documents),
        Box::new(Diagnostics),
        Box::new(Assistant),
    ]
}

/// Deletes `user` and everything they own: the shared `participants()` and
/// the caller's own (the users function's sessions and codes).
pub async fn delete_account(
    store: &Store,
    user: &User,
    own: Vec<Box<dyn AccountDependents>>,
) -> Result<(), Error> {
    let mut participants = own;
    participants.extend(self::participants());
    for participant in &participants {
        participant.settle(store, user).await?;
    }
    let reads = participants.iter().map(|p| p.keys(store, user)).collect();
    let doomed: Vec<Key> = together(reads).await?.into_iter().flatten().collect();
    store.delete_keys(doomed).await?;
    for participant in &participants {
        participant.cleanup(store, user).await?;
    }
    store
        .delete_keys(vec![(
            keys::user_pk(&user.id),
            keys::USER_PROFILE_SK.into(),
        )])
        .await
}
