//! Every key format of the table, in one place. Nothing outside this module
//! spells a `pk`, `sk` or GSI key.
//!
//! A user's own data lives under `USER#<id>`, so isolation is a property of
//! the key. Uniqueness guards live in their own partitions
//! (`UNIQUE#<KIND>#<value>`) and are written in the same transaction as the
//! item they protect.

use chrono::{DateTime, Utc};

use crate::time;

/// Attribute names.
pub const PK: &str = "pk";
pub const SK: &str = "sk";
pub const GSI1PK: &str = "gsi1pk";
pub const GSI1SK: &str = "gsi1sk";
pub const GSI2PK: &str = "gsi2pk";
pub const GSI2SK: &str = "gsi2sk";
pub const GSI3PK: &str = "gsi3pk";
pub const GSI3SK: &str = "gsi3sk";
pub const GSI4PK: &str = "gsi4pk";
pub const GSI4SK: &str = "gsi4sk";
/// TTL attribute (epoch seconds); DynamoDB deletes late, so readers check it.
pub const EXPIRES_AT: &str = "expires_at";

/// The attribute naming an item's type, and its values.
pub const ENTITY: &str = "entity";

pub mod entity {
    pub const USER: &str = "USER";
    pub const SESSION: &str = "SESSION";
    pub const EMAIL_CODE: &str = "EMAIL_CODE";
    pub const CODE_SENDS: &str = "CODE_SENDS";
    pub const EMAIL_GUARD: &str = "EMAIL_GUARD";
    pub const VEHICLE: &str = "VEHICLE";
    pub const VIN_GUARD: &str = "VIN_GUARD";
    pub const MAINTENANCE: &str = "MAINTENANCE";
    pub const BRAND: &str = "BRAND";
    pub const CAR_MODEL: &str = "CAR_MODEL";
    pub const NAME_GUARD: &str = "NAME_GUARD";
    pub const NOTIFICATION: &str = "NOTIFICATION";
    pub const NOTIFICATION_COUNTER: &str = "NOTIFICATION_COUNTER";
    pub const SETTINGS: &str = "SETTINGS";
    pub const REMINDER: &str = "REMINDER";
    pub const GARAGE: &str = "GARAGE";
    pub const GARAGE_FACET: &str = "GARAGE_FACET";
    pub const GARAGE_COUNT: &str = "GARAGE_COUNT";
    pub const REVIEW: &str = "REVIEW";
    pub const REVIEW_LOCATOR: &str = "REVIEW_LOCATOR";
    pub const REVIEW_GUARD: &str = "REVIEW_GUARD";
    pub const DOCUMENT: &str = "DOCUMENT";
    pub const DOCUMENT_TEXT: &str = "DOCUMENT_TEXT";
    pub const DOCUMENT_COUNTER: &str = "DOCUMENT_COUNTER";
    pub const DOCUMENT_UPLOAD: &str = "DOCUMENT_UPLOAD";
    pub const OBJECTS_PURGE: &str = "OBJECTS_PURGE";
    pub const DIAGNOSTIC: &str = "DIAGNOSTIC";
    pub const DIAGNOSTIC_COUNTER: &str = "DIAGNOSTIC_COUNTER";
    pub const DIAGNOSTIC_REPLY: &str = "DIAGNOSTIC_REPLY";
    pub const DIAGNOSTIC_REPLY_COPY: &str = "DIAGNOSTIC_REPLY_COPY";
    pub const PLAN: &str = "PLAN";
    pub const SUBSCRIPTION: &str = "SUBSCRIPTION";
    pub const BILLING_CURRENT: &str = "BILLING_CURRENT";
    pub const BILLING_CUSTOMER: &str = "BILLING_CUSTOMER";
    pub const USAGE: &str = "USAGE";
    pub const STRIPE_LOCATOR: &str = "STRIPE_LOCATOR";
    pub const WEBHOOK_GUARD: &str = "WEBHOOK_GUARD";
    pub const WEBHOOK_EVENT: &str = "WEBHOOK_EVENT";
    pub const BILLING_STATS: &str = "BILLING_STATS";
    pub const CONVERSATION: &str = "CONVERSATION";
    pub const ASSISTANT_MESSAGE: &str = "ASSISTANT_MESSAGE";
    pub const ASSISTANT_MESSAGE_COPY: &str = "ASSISTANT_MESSAGE_COPY";
    pub const ASSISTANT_COUNTER: &str = "ASSISTANT_COUNTER";
}

/// Index names.
pub const GSI1: &str = "gsi1";
pub const GSI2: &str = "gsi2";
pub const GSI3: &str = "gsi3";
pub const GSI4: &str = "gsi4";

/// The per-user index of scheduled maintenances by date.
pub const SCHEDULED_INDEX: super::IndexKeys = super::IndexKeys {
    name: GSI2,
    pk: GSI2PK,
    sk: GSI2SK,
};

/// The global index of what the scheduled run must look at, by alert time.
pub const ALERT_INDEX: super::IndexKeys = super::IndexKeys {
    name: GSI3,
    pk: GSI3PK,
    sk: GSI3SK,
};

/// The garage directory: every ordering, filter and geohash cell of the
/// garages, through small facet items (see `garage_facet_sk`).
pub const DIRECTORY_INDEX: super::IndexKeys = super::IndexKeys {
    name: GSI4,
    pk: GSI4PK,
    sk: GSI4SK,
};

const GUARD_SK: &str = "UNIQUE";

pub fn user_pk(user_id: &str) -> String {
    format!("USER#{user_id}")
}

/// The user's own record.
pub const USER_PROFILE_SK: &str = "PROFILE";

/// A user's credentials-related items (login sessions, the pending e-mail
/// code) live in a partition of their own: the main partition, read whole by
/// the other functions, never carries them, and they can pile up without
/// weighing on those reads.
pub fn auth_pk(user_id: &str) -> String {
    format!("USER#{user_id}#AUTH")
}

/// Refresh-token sessions of a user, under `auth_pk`: `SESSION#<session id>`.
pub const SESSION_PREFIX: &str = "SESSION#";

pub fn session_sk(session_id: &str) -> String {
    format!("{SESSION_PREFIX}{session_id}")
}

/// The full key of a login session.
pub fn session_key(user_id: &str, session_id: &str) -> (String, String) {
    (auth_pk(user_id), session_sk(session_id))
}

/// The pending e-mail verification code of a user (one at a time), under
/// `auth_pk`.
pub const EMAIL_OTP_SK: &str = "OTP#EMAIL_VERIFICATION";

/// The full key of a user's pending e-mail code.
pub fn email_code_key(user_id: &str) -> (String, String) {
    (auth_pk(user_id), EMAIL_OTP_SK.to_string())
}

/// Codes sent to one address (lower-cased) on one UTC day (`YYYY-MM-DD`):
/// the daily cap's counter, keyed by address so that moving an account to
/// another address does not reset it.
pub fn code_sends_key(email_key: &str, day: &str) -> (String, String) {
    (format!("CODESENDS#{email_key}"), format!("DAY#{day}"))
}

/// Guard making an e-mail address unique (case-insensitive: `email` is the
/// normalised, lower-cased address).
pub fn email_guard(email: &str) -> (String, String) {
    (format!("UNIQUE#EMAIL#{email}"), GUARD_SK.to_string())
}

/// GSI1 key of a user record: login looks the user up by e-mail.
pub fn user_by_email(email: &str) -> (String, String) {
    (format!("EMAIL#{email}"), "USER".to_string())
}

/// A vehicle, under its owner's partition: `VEHICLE#<vehicle id>`.
pub const VEHICLE_PREFIX: &str = "VEHICLE#";

pub fn vehicle_sk(vehicle_id: &str) -> String {
    format!("{VEHICLE_PREFIX}{vehicle_id}")
}

/// Guard making a VIN unique across all users.
pub fn vin_guard(vin: &str) -> (String, String) {
    (format!("UNIQUE#VIN#{vin}"), GUARD_SK.to_string())
}

/// The full key of a guard from the partition key that items list in `guards`.
pub fn guard_key(guard_pk: &str) -> (String, String) {
    (guard_pk.to_string(), GUARD_SK.to_string())
}

/// Reference data: every brand in one partition, every model in another
/// (hundreds of items: one Query reads a whole catalogue).
pub const BRANDS_PK: &str = "CATALOG#BRANDS";
pub const MODELS_PK: &str = "CATALOG#MODELS";

pub fn brand_sk(brand_id: &str) -> String {
    format!("BRAND#{brand_id}")
}

pub fn model_sk(model_id: &str) -> String {
    format!("MODEL#{model_id}")
}

/// Guard making a brand name unique (case-insensitive key).
pub fn brand_name_guard(name_key: &str) -> (String, String) {
    (format!("UNIQUE#BRAND#{name_key}"), GUARD_SK.to_string())
}

/// Guard making a model name unique within its brand.
pub fn model_name_guard(brand_id: &str, name_key: &str) -> (String, String) {
    (
        format!("UNIQUE#MODEL#{brand_id}#{name_key}"),
        GUARD_SK.to_string(),
    )
}

/// A maintenance, under its owner's partition: `MAINT#<maintenance id>`
/// (the vehicle is an attribute; a vehicle's maintenances are read with the
/// partition).
pub const MAINTENANCE_PREFIX: &str = "MAINT#";

pub fn maintenance_sk(maintenance_id: &str) -> String {
    format!("{MAINTENANCE_PREFIX}{maintenance_id}")
}

/// Sparse GSI2 key of a SCHEDULED maintenance: upcoming and overdue are a
/// range on the service date, and only scheduled items are in the index.
pub fn scheduled_by_date(
    owner_id: &str,
    service_date: &DateTime<Utc>,
    maintenance_id: &str,
) -> (String, String) {
    (
        scheduled_partition(owner_id),
        format!("{}#{maintenance_id}", time::sortable(service_date)),
    )
}

/// Range bound of the scheduled index at an instant: `< bound` is before it.
pub fn scheduled_bound(at: &DateTime<Utc>) -> String {
    time::sortable(at)
}

pub fn scheduled_partition(owner_id: &str) -> String {
    format!("SCHEDULED#{owner_id}")
}

/// The user's preferences (spec 12), one item created on first access.
pub const SETTINGS_SK: &str = "SETTINGS";

/// A reminder, under its owner's partition: `REMIND#<reminder id>`.
pub const REMINDER_PREFIX: &str = "REMIND#";

pub fn reminder_sk(reminder_id: &str) -> String {
    format!("{REMINDER_PREFIX}{reminder_id}")
}

/// Notifications live in a partition of their own, so they can pile up
/// without weighing on the reads of the user's partition (vehicles,
/// maintenances). Ids are time-ordered: the sort key is newest last.
pub fn notifications_pk(user_id: &str) -> String {
    format!("USER#{user_id}#NOTIFICATIONS")
}

pub const NOTIFICATION_PREFIX: &str = "NOTIF#";

pub fn notification_sk(notification_id: &str) -> String {
    format!("{NOTIFICATION_PREFIX}{notification_id}")
}

/// The unread counter, in the notifications partition (sorts before the
/// notifications, so one Query returns the counter and the list).
pub const NOTIFICATION_COUNTER_SK: &str = "COUNTER";

/// Shards of the global alert index: writes spread over a few partitions,
/// the scheduled run queries each one for `alert_at <= now`.
pub const ALERT_SHARDS: u32 = 4;

/// Sparse GSI3 key of anything the scheduled run must look at: an active
/// reminder (at the moment it reaches its next urgency level) or a SCHEDULED
/// maintenance not yet reminded (3 days before it). Items leave the index
/// once nothing more is to be sent, so a run reads only what is due.
pub fn alert_at(item_id: &str, at: &DateTime<Utc>) -> (String, String) {
    (
        alert_shard(alert_shard_of(item_id)),
        format!("{}#{item_id}", time::sortable(at)),
    )
}

/// Range bound of the alert index: `< bound` is everything due by `at`.
pub fn alert_bound(at: &DateTime<Utc>) -> String {
    // '$' sorts after '#', so items alerting exactly at `at` are included.
    format!("{}$", time::sortable(at))
}

pub fn alert_shard(shard: u32) -> String {
    format!("ALERT#{shard}")
}

/// A stable shard from the id (FNV-1a; any stable spread does).
fn alert_shard_of(item_id: &str) -> u32 {
    let hash = item_id.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    hash % ALERT_SHARDS
}

/// A garage's partition: the garage (`GARAGE`), its directory facets
/// (`FACET#...`) and its reviews (`REVIEW#<review id>`, time-ordered ids, so
/// newest last). `FACET#` < `GARAGE` < `REVIEW#` in key order.
pub fn garage_pk(garage_id: &str) -> String {
    format!("GARAGE#{garage_id}")
}

pub const GARAGE_SK: &str = "GARAGE";

/// The garage id of a garage partition key.
pub fn garage_id_of(pk: &str) -> Option<&str> {
    pk.strip_prefix("GARAGE#")
}

/// A facet of a garage: one entry of the directory index.
pub fn garage_facet_sk(kind: &str) -> String {
    format!("FACET#{kind}")
}

pub const FACET_PREFIX: &str = "FACET#";

pub const REVIEW_PREFIX: &str = "REVIEW#";

pub fn review_sk(review_id: &str) -> String {
    format!("{REVIEW_PREFIX}{review_id}")
}

/// Where a review is, from its id alone (`/api/reviews/{id}/`).
pub fn review_locator(review_id: &str) -> (String, String) {
    (format!("REVIEW#{review_id}"), "REVIEW".to_string())
}

/// A user's reviews, one guard per garage reviewed: makes a review unique
/// per user and garage, and lets account deletion find them. Its own
/// partition, so the user's main partition never carries them.
pub fn reviews_by_user_pk(user_id: &str) -> String {
    format!("USER#{user_id}#REVIEWS")
}

pub fn review_guard(user_id: &str, garage_id: &str) -> (String, String) {
    (reviews_by_user_pk(user_id), garage_pk(garage_id))
}

/// The directory's counters (list envelope `count`): `ALL`, `CITY#<city>`,
/// `POSTAL#<code>`, `COUNTRY#<country>`.
pub fn garage_count_key(scope: &str) -> (String, String) {
    ("GARAGES#COUNT".to_string(), scope.to_string())
}

/// The directory partitions a list can read (`GARAGES#<kind>`, and
/// `GARAGES#<kind>#<value>` through `filtered`).
pub mod facet_kind {
    pub const RATING: &str = "RATING";
    pub const NAME: &str = "NAME";
    pub const CREATED: &str = "CREATED";
    pub const REVIEWS: &str = "REVIEWS";
    pub const CITY: &str = "CITY";
    pub const POSTAL: &str = "POSTAL";
    pub const COUNTRY: &str = "COUNTRY";
    pub const TOP: &str = "TOP";
    pub const SPECIALTY: &str = "SPEC";
    pub const GEO: &str = "GEO";
}

pub mod count_scope {
    pub const ALL: &str = "ALL";
}

/// The counter scope and directory partition of a filtered list
/// (`CITY#Lyon`, `SPEC#Pneus`).
pub fn filtered(kind: &str, value: &str) -> String {
    format!("{kind}#{value}")
}

/// A partition of the directory index: `GARAGES#<facet>`.
pub fn directory_partition(facet: &str) -> String {
    format!("GARAGES#{facet}")
}

/// Sort keys of the directory facets. Ratings are hundredths (0 to 500);
/// `500 - h` makes best first the index's ascending order, and the name
/// key then orders ties as the spec's default `-average_rating,name`.
pub fn rating_order(hundredths: u64, name_key: &str, garage_id: &str) -> String {
    format!(
        "{:03}#{name_key}#{garage_id}",
        500u64.saturating_sub(hundredths)
    )
}

/// By name (the normalised name key; a search is a prefix of it).
pub fn name_order(name_key: &str, garage_id: &str) -> String {
    format!("{name_key}#{garage_id}")
}

/// By creation time.
pub fn created_order(at: &DateTime<Utc>, garage_id: &str) -> String {
    format!("{}#{garage_id}", time::sortable(at))
}

/// By number of reviews (fewest first), then best rated, then name.
pub fn reviews_order(count: u64, hundredths: u64, name_key: &str, garage_id: &str) -> String {
    format!(
        "{count:010}#{}",
        rating_order(hundredths, name_key, garage_id)
    )
}

/// The geohash facet: partitioned by the 2-character cell (about 1,250 km
/// wide), ordered by the stored hash, so any finer cell is a prefix range.
pub fn geo_partition(geohash: &str) -> String {
    let cell: String = geohash.chars().take(2).collect();
    directory_partition(&filtered(facet_kind::GEO, &cell))
}

pub fn geo_order(geohash: &str, garage_id: &str) -> String {
    format!("{geohash}#{garage_id}")
}

/// The garage id at the end of any directory sort key.
pub fn garage_id_of_order(order: &str) -> &str {
    order.rsplit('#').next().unwrap_or("")
}

/// A user's documents live in a partition of their own (like
/// notifications): `COUNTER`, then `DOC#<id>` (newest last), `TEXT#<id>`
/// (the extracted text, read only for the rows shown) and `UPLOAD#<id>`
/// (presigned uploads not yet confirmed).
pub fn documents_pk(user_id: &str) -> String {
    format!("USER#{user_id}#DOCS")
}

pub const DOCUMENT_PREFIX: &str = "DOC#";
/// Sorts after every `DOC#` key and before `TEXT#`: `sk < DOCUMENTS_END`
/// reads the counter and the documents in one Query, without the texts.
pub const DOCUMENTS_END: &str = "DOC$";
pub const DOCUMENT_COUNTER_SK: &str = "COUNTER";

pub fn document_sk(document_id: &str) -> String {
    format!("{DOCUMENT_PREFIX}{document_id}")
}

pub fn document_text_sk(document_id: &str) -> String {
    format!("TEXT#{document_id}")
}

pub fn document_upload_sk(upload_id: &str) -> String {
    format!("UPLOAD#{upload_id}")
}

/// A user's diagnostics live in a partition of their own: `COUNTER`, then
/// `DIAG#<id>` (creation order), `REPLY#<reply>` (every reply of the
/// account in creation order: `/api/replies/` and a reply by its id) and
/// `THREAD#<diagnostic>#<reply>` (the same reply in its diagnostic's
/// thread, oldest first). A reply is written at both keys in one
/// transaction; ids are UUIDv7, so key order is time order.
pub fn diagnostics_pk(user_id: &str) -> String {
    format!("USER#{user_id}#DIAG")
}

pub const DIAGNOSTIC_PREFIX: &str = "DIAG#";
/// Sorts after every `DIAG#` key and before `REPLY#`: `sk < DIAGNOSTICS_END`
/// reads the counter and the diagnostics in one Query, without replies.
pub const DIAGNOSTICS_END: &str = "DIAG$";
pub const DIAGNOSTIC_COUNTER_SK: &str = "COUNTER";
pub const REPLY_PREFIX: &str = "REPLY#";

pub fn diagnostic_sk(diagnostic_id: &str) -> String {
    format!("{DIAGNOSTIC_PREFIX}{diagnostic_id}")
}

pub fn reply_sk(reply_id: &str) -> String {
    format!("{REPLY_PREFIX}{reply_id}")
}

/// Every thread's replies (each diagnostic's under `thread_prefix`).
pub const THREAD_PREFIX: &str = "THREAD#";

/// The prefix of one diagnostic's thread.
pub fn thread_prefix(diagnostic_id: &str) -> String {
    format!("{THREAD_PREFIX}{diagnostic_id}#")
}

pub fn thread_reply_sk(diagnostic_id: &str, reply_id: &str) -> String {
    format!("{THREAD_PREFIX}{diagnostic_id}#{reply_id}")
}

/// The plan catalogue: one small global partition, read whole (at most
/// `domain::plans::MAX_PLANS` items).
pub const PLANS_PK: &str = "PLANS";
pub const PLAN_PREFIX: &str = "PLAN#";

pub fn plan_sk(plan_id: &str) -> String {
    format!("{PLAN_PREFIX}{plan_id}")
}

/// A user's assistant conversations live in a partition of their own:
/// `COUNTER`, `CONV#<id>`, and each message twice, written in one
/// transaction: `MSG#<id>` (the account's messages in time order:
/// `/api/messages/`, a message by id) and `CHAT#<conversation>#<id>` (one
/// Query per conversation, oldest first). Ids are UUIDv7.
pub fn assistant_pk(user_id: &str) -> String {
    format!("USER#{user_id}#AI")
}

pub const ASSISTANT_COUNTER_SK: &str = "COUNTER";
pub const CONVERSATION_PREFIX: &str = "CONV#";
pub const MESSAGE_PREFIX: &str = "MSG#";
pub const CHAT_PREFIX: &str = "CHAT#";

pub fn conversation_sk(conversation_id: &str) -> String {
    format!("{CONVERSATION_PREFIX}{conversation_id}")
}

pub fn message_sk(message_id: &str) -> String {
    format!("{MESSAGE_PREFIX}{message_id}")
}

/// The prefix of one conversation's messages.
pub fn chat_prefix(conversation_id: &str) -> String {
    format!("{CHAT_PREFIX}{conversation_id}#")
}

pub fn chat_message_sk(conversation_id: &str, message_id: &str) -> String {
    format!("{CHAT_PREFIX}{conversation_id}#{message_id}")
}

/// A user's billing lives in a partition of its own: `SUB#<id>` (every
/// subscription, creation order), `CURRENT` (names the one current
/// subscription: at most one), `CUSTOMER` (the Stripe customer, created
/// once) and `USAGE#<yyyy-mm>` (what the month's quotas counted).
pub fn billing_pk(user_id: &str) -> String {
    format!("USER#{user_id}#BILLING")
}

pub const SUBSCRIPTION_PREFIX: &str = "SUB#";
pub const BILLING_CURRENT_SK: &str = "CURRENT";
pub const BILLING_CUSTOMER_SK: &str = "CUSTOMER";

pub fn subscription_sk(subscription_id: &str) -> String {
    format!("{SUBSCRIPTION_PREFIX}{subscription_id}")
}

/// The month's usage counters (UTC calendar month, `2026-11`).
pub fn usage_sk(month: &str) -> String {
    format!("USAGE#{month}")
}

/// Counts of every subscription by status (the staff's stats without a
/// scan), moved by each subscription's write.
pub const BILLING_STATS_KEY: (&str, &str) = ("BILLING", "STATS");

/// Where a Stripe id leads (the webhook knows only Stripe's ids): a
/// subscription to its owner and our subscription, a customer to its
/// owner. Written in the transactions that store what they point to.
pub fn stripe_subscription_locator(stripe_subscription_id: &str) -> (String, String) {
    (
        format!("STRIPESUB#{stripe_subscription_id}"),
        "LOCATOR".to_string(),
    )
}

pub fn stripe_customer_locator(stripe_customer_id: &str) -> (String, String) {
    (
        format!("STRIPECUS#{stripe_customer_id}"),
        "LOCATOR".to_string(),
    )
}

/// Stripe's webhook deliveries: each event once, at its id (the guard of
/// exactly-once processing, written in the effects' transaction), and a
/// copy in the admin log partition, newest last by arrival.
pub fn webhook_event_guard(event_id: &str) -> (String, String) {
    (format!("STRIPEEVT#{event_id}"), "EVENT".to_string())
}

pub const WEBHOOK_EVENTS_PK: &str = "WEBHOOK_EVENTS";
pub const WEBHOOK_EVENT_PREFIX: &str = "EVT#";

pub fn webhook_event_sk(received_at: &DateTime<Utc>, event_id: &str) -> String {
    format!(
        "{WEBHOOK_EVENT_PREFIX}{}#{event_id}",
        time::sortable(received_at)
    )
}

/// S3 object keys. They hold ids only, never a name a user typed; every
/// object of a user is under `user_objects_prefix`, pending uploads under
/// `pending_objects_prefix` (a lifecycle rule expires them).
pub fn document_object(user_id: &str, document_id: &str, file_id: &str, extension: &str) -> String {
    format!("users/{user_id}/documents/{document_id}/{file_id}.{extension}")
}

pub fn user_objects_prefix(user_id: &str) -> String {
    format!("users/{user_id}/")
}

/// Where every pending upload lives (the bucket's lifecycle rule expires
/// this prefix).
pub const PENDING_OBJECTS: &str = "pending/";

pub fn pending_objects_prefix(user_id: &str) -> String {
    format!("{PENDING_OBJECTS}{user_id}/")
}

pub fn pending_object(user_id: &str, upload_id: &str) -> String {
    format!("{PENDING_OBJECTS}{user_id}/{upload_id}")
}

/// S3 objects whose items were deleted, waiting for their objects to go
/// (an outbox: the table write and the S3 deletes cannot share a
/// transaction). A few shards, each read in time order by the drain.
pub const PURGE_SHARDS: u32 = 4;

pub fn purge_pk(shard: u32) -> String {
    format!("PURGE#{shard}")
}

pub fn purge_key(marker_id: &str, at: &DateTime<Utc>) -> (String, String) {
    let shard = marker_id
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)))
        % PURGE_SHARDS;
    (
        purge_pk(shard),
        format!("{}#{marker_id}", time::sortable(at)),
    )
}
