//! Notification endpoints. A user's notifications are one partition with a
//! counter item (`unread`, `total`) changed in the same transaction as every
//! notification it counts. Lists page inside DynamoDB; bare arrays show the
//! newest `BARE_LIST_MAX`, so no response grows with the history.

use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{json, Value};
use shared::auth::CurrentUser;
use shared::domain::notifications::{
    stats as stats_of, Notification, INFO, LINK_MAX, MESSAGE_MAX, METADATA_MAX_BYTES, TITLE_MAX,
    TYPES,
};
use shared::http::listing::{
    bool_filter, choice_filter, matches_search, ordering, search_terms, sort, SortKey,
};
use shared::http::pagination::{page_offset, requested_page, RequestUrl, PAGE_SIZE};
use shared::http::validate::{Fields, Text};
use shared::http::{created, no_content, ok, JsonBody, Page};
use shared::store::notifications::InboxFilter;
use shared::{time, Error, Result};

use crate::NotificationsState;

const NOT_FOUND: Error = Error::NotFound(Some("Notification"));
pub(crate) const ORDERING_FIELDS: &[&str] = &["created_at", "read_at"];

/// The bare-array views (`unread/`, `by_type/`) show at most the newest this
/// many: each notification may weigh tens of kilobytes, and a response must
/// stay far below Lambda's 6 MB.
pub const BARE_LIST_MAX: usize = 50;

/// The newest notifications matching `filter`, at most `BARE_LIST_MAX`.
async fn newest(
    state: &NotificationsState,
    user_id: &str,
    filter: &InboxFilter,
) -> Result<Vec<Notification>> {
    state
        .store
        .notifications()
        .page(user_id, filter, true, 0, BARE_LIST_MAX)
        .await
}

fn rows(items: &[&Notification]) -> Vec<Value> {
    items.iter().map(|n| n.to_json()).collect()
}

fn sort_key(n: &Notification, field: &str) -> SortKey {
    match field {
        "read_at" => n.read_at.map_or(SortKey::Null, SortKey::Time),
        _ => SortKey::Time(n.created_at),
    }
}

pub async fn list(
    State(state): State<NotificationsState>,
    CurrentUser(user): CurrentUser,
    url: RequestUrl,
) -> Result<Response> {
    let filter = InboxFilter {
        kind: choice_filter(&url, "notification_type", TYPES)?.map(str::to_string),
        is_read: bool_filter(&url, "is_read"),
    };
    let terms = url.param("search").map(search_terms).unwrap_or_default();
    let order = ordering(&url, ORDERING_FIELDS, &["-created_at"]);
    let inbox = state.store.notifications();
    // Key order is creation order: such pages are read page by page.
    let by_creation = match order.as_slice() {
        [(field, descending)] if field == "created_at" => Some(*descending),
        _ => None,
    };
    if let (true, Some(newest_first)) = (terms.is_empty(), by_creation) {
        let count = inbox.count(&user.id, &filter).await?;
        let page = requested_page(&url, count)?;
        let items = inbox
            .page(
                &user.id,
                &filter,
                newest_first,
                page_offset(page),
                PAGE_SIZE,
            )
            .await?;
        let refs: Vec<&Notification> = items.iter().collect();
        return Ok(ok(Page::assemble(rows(&refs), count, page, &url)));
    }
    // Search and other orders need every match in memory: the number kept
    // is capped, and only one page travels back.
    let all = inbox.all(&user.id, &filter).await?;
    let mut items: Vec<&Notification> = all
        .iter()
        .filter(|n| matches_search(&terms, &[&n.title, &n.message]))
        .collect();
    sort(&mut items, &order, |n, f| sort_key(n, f));
    Ok(ok(Page::paginate(rows(&items), &url)?))
}

/// Users create notifications for themselves only (spec 8.1).
pub async fn create(
    State(state): State<NotificationsState>,
    CurrentUser(user): CurrentUser,
    JsonBody(body): JsonBody,
) -> Result<Response> {
    let mut f = Fields::new(&body);
    let title = f.required_text("title", TITLE_MAX);
    let message = f.required_text("message", MESSAGE_MAX);
    let kind = f.choice("notification_type", TYPES, false);
    let kind = f.not_null("notification_type", kind);
    let link = f.text("link", Text::optional(LINK_MAX)).value();
    let metadata = match f.raw("metadata", false) {
        None | Some(Value::Null) => json!({}),
        Some(v) if v.to_string().len() > METADATA_MAX_BYTES => {
            f.error(
                "metadata",
                format!("Ensure this value has at most {METADATA_MAX_BYTES} bytes of JSON."),
            );
            json!({})
        }
        Some(v) => v.clone(),
    };
    f.finish()?;
    let (Some(title), Some(message)) = (title, message) else {
        return Err(Error::internal("validated fields missing"));
    };
    let n = Notification::new(
        &user.id,
        kind.as_deref().unwrap_or(INFO),
        title,
        message,
        link,
        metadata,
    );
    state.store.notifications().create(&n).await?;
    Ok(created(n.to_json()))
}

async fn find(state: &NotificationsState, user_id: &str, id: &str) -> Result<Notification> {
    state
        .store
        .notifications()
        .get(user_id, id)
        .await?
        .ok_or(NOT_FOUND)
}

pub async fn detail(
    State(state): State<NotificationsState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    Ok(ok(find(&state, &user.id, &id).await?.to_json()))
}

/// Sets the read state; returns the notification as stored afterwards (a
/// concurrent change wins and is what the caller sees).
async fn set_read(
    state: &NotificationsState,
    user_id: &str,
    id: &str,
    read: bool,
) -> Result<Notification> {
    let before = find(state, user_id, id).await?;
    let after = before.marked(read, time::now());
    if state.store.notifications().mark(&before, &after).await? || before == after {
        Ok(after)
    } else {
        find(state, user_id, id).await
    }
}

pub async fn replace(
    state: State<NotificationsState>,
    user: CurrentUser,
    id: Path<String>,
    body: JsonBody,
) -> Result<Response> {
    update(state, user, id, body, false).await
}

pub async fn patch(
    state: State<NotificationsState>,
    user: CurrentUser,
    id: Path<String>,
    body: JsonBody,
) -> Result<Response> {
    update(state, user, id, body, true).await
}

/// Only `is_read` is writable; `read_at` follows it (the reference left it).
async fn update(
    State(state): State<NotificationsState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
    partial: bool,
) -> Result<Response> {
    let mut f = Fields::partial(&body, partial);
    let is_read = f.boolean("is_read", true).value();
    f.finish()?;
    let n = match is_read {
        Some(read) => set_read(&state, &user.id, &id, read).await?,
        None => find(&state, &user.id, &id).await?,
    };
    Ok(ok(json!({"is_read": n.is_read})))
}

pub async fn delete(
    State(state): State<NotificationsState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    let n = find(&state, &user.id, &id).await?;
    if !state.store.notifications().delete(&n).await? {
        // Its read state changed meanwhile: delete what is there now.
        let n = find(&state, &user.id, &id).await?;
        if !state.store.notifications().delete(&n).await? {
            return Err(Error::Conflict(
                "The notification is changing; retry.".into(),
            ));
        }
    }
    Ok(no_content())
}

/// Unread notifications, newest first (bare array).
pub async fn unread(
    State(state): State<NotificationsState>,
    CurrentUser(user): CurrentUser,
) -> Result<Response> {
    let filter = InboxFilter {
        is_read: Some(false),
        kind: None,
    };
    let items = newest(&state, &user.id, &filter).await?;
    Ok(ok(rows(&items.iter().collect::<Vec<_>>())))
}

/// The counter alone: two round trips whatever the number of notifications.
pub async fn unread_count(
    State(state): State<NotificationsState>,
    CurrentUser(user): CurrentUser,
) -> Result<Response> {
    let count = state.store.notifications().unread_count(&user.id).await?;
    Ok(ok(json!({"unread_count": count})))
}

pub async fn mark_all_read(
    State(state): State<NotificationsState>,
    CurrentUser(user): CurrentUser,
) -> Result<Response> {
    let filter = InboxFilter {
        is_read: Some(false),
        kind: None,
    };
    let unread = state.store.notifications().all(&user.id, &filter).await?;
    let changed = state
        .store
        .notifications()
        .mark_all_read(&user.id, &unread, time::now())
        .await?;
    Ok(ok(
        json!({"message": format!("{changed} notifications marked as read.")}),
    ))
}

pub async fn stats(
    State(state): State<NotificationsState>,
    CurrentUser(user): CurrentUser,
) -> Result<Response> {
    let all = state
        .store
        .notifications()
        .all(&user.id, &InboxFilter::default())
        .await?;
    Ok(ok(stats_of(&all)))
}

pub async fn mark_as_read(
    State(state): State<NotificationsState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    Ok(ok(set_read(&state, &user.id, &id, true).await?.to_json()))
}

pub async fn mark_as_unread(
    State(state): State<NotificationsState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    Ok(ok(set_read(&state, &user.id, &id, false).await?.to_json()))
}

pub async fn delete_all_read(
    State(state): State<NotificationsState>,
    CurrentUser(user): CurrentUser,
) -> Result<Response> {
    let filter = InboxFilter {
        is_read: Some(true),
        kind: None,
    };
    let read = state.store.notifications().all(&user.id, &filter).await?;
    let deleted = state.store.notifications().delete_many(&read).await?;
    Ok(ok(
        json!({"message": format!("{deleted} notifications deleted.")}),
    ))
}

/// `?type=` filters on `notification_type` (the reference crashed on it).
pub async fn by_type(
    State(state): State<NotificationsState>,
    CurrentUser(user): CurrentUser,
    url: RequestUrl,
) -> Result<Response> {
    let filter = InboxFilter {
        is_read: None,
        kind: url
            .param("type")
            .filter(|t| !t.is_empty())
            .map(str::to_string),
    };
    let items = newest(&state, &user.id, &filter).await?;
    Ok(ok(rows(&items.iter().collect::<Vec<_>>())))
}
