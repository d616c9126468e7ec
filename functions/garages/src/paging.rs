//! Page-number envelopes (spec 0.4) over key-ordered reads: the garage
//! directory and a garage's reviews are far too large to count through, so
//! a page is one bounded read.
//!
//! Page 1 is the first `PAGE_SIZE` keys. The `next` and `previous` links
//! carry, beside `page`, a cursor (`after` / `before`: the boundary key,
//! base64url) from which the neighbouring page is again one read of
//! `PAGE_SIZE`. A bare `?page=N` (a client building its own URL) is served
//! by reading past the first pages, or back from the end, while that stays
//! within `MAX_SKIPPED` keys; deeper, it is a 400 asking to follow links.

use std::future::Future;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;
use shared::http::pagination::{requested_page, RequestUrl, PAGE_SIZE};
use shared::http::Page;
use shared::store::SortRange;
use shared::{Error, Result};

/// The most keys a page read may skip without a cursor.
pub const MAX_SKIPPED: usize = 400;

pub const AFTER: &str = "after";
pub const BEFORE: &str = "before";

/// What a page is cut from: the keys of one partition, optionally under a
/// prefix, in key order (`forward`) or reversed.
pub struct Ordered<'a> {
    pub prefix: Option<&'a str>,
    pub forward: bool,
    /// How many keys there are (the envelope's `count`).
    pub count: usize,
}

/// One read: a key range, a direction (`true`: ascending keys) and a
/// limit; rows come back with their keys, in the order read.
pub trait Read<T> {
    fn read(
        &self,
        range: SortRange,
        ascending: bool,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<(String, T)>>> + Send;
}

impl<T, F, Fut> Read<T> for F
where
    F: Fn(SortRange, bool, usize) -> Fut,
    Fut: Future<Output = Result<Vec<(String, T)>>> + Send,
{
    fn read(
        &self,
        range: SortRange,
        ascending: bool,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<(String, T)>>> + Send {
        self(range, ascending, limit)
    }
}

/// The page the request asks for, with links that carry cursors.
pub async fn page<T, R: Read<T>>(
    url: &RequestUrl,
    source: Ordered<'_>,
    reader: &R,
    render: impl Fn(T) -> Value,
) -> Result<Page<Value>> {
    let number = requested_page(url, source.count)?;
    let after = cursor(url, AFTER, source.prefix)?;
    let before = cursor(url, BEFORE, source.prefix)?;
    let rows = if number == 1 {
        reader
            .read(base_range(source.prefix), source.forward, PAGE_SIZE)
            .await?
    } else if let Some(after) = after {
        let rows = reader
            .read(
                beyond(&after, source.prefix, source.forward),
                source.forward,
                PAGE_SIZE + 1,
            )
            .await?;
        without_boundary(rows, &after)
    } else if let Some(before) = before {
        let rows = reader
            .read(
                beyond(&before, source.prefix, !source.forward),
                !source.forward,
                PAGE_SIZE + 1,
            )
            .await?;
        let mut rows = without_boundary(rows, &before);
        rows.reverse();
        rows
    } else {
        skip_to(number, &source, reader).await?
    };
    let last_page = source.count.div_ceil(PAGE_SIZE).max(1);
    let first_key = rows.first().map(|(k, _)| k.clone());
    let last_key = rows.last().map(|(k, _)| k.clone());
    let results: Vec<Value> = rows.into_iter().map(|(_, row)| render(row)).collect();
    let next = (number < last_page).then(|| link(url, number + 1, last_key.map(|k| (AFTER, k))));
    let previous = (number > 1).then(|| {
        let cursor = (number > 2).then_some(first_key).flatten();
        link(url, number - 1, cursor.map(|k| (BEFORE, k)))
    });
    Ok(Page {
        count: source.count,
        next,
        previous,
        results,
    })
}

/// `?page=N` without a cursor: read through the pages before it from the
/// nearer end, when that stays within `MAX_SKIPPED` keys.
async fn skip_to<T, R: Read<T>>(
    number: usize,
    source: &Ordered<'_>,
    reader: &R,
) -> Result<Vec<(String, T)>> {
    let skipped = (number - 1) * PAGE_SIZE;
    let from_end = source.count.saturating_sub(skipped);
    if skipped <= MAX_SKIPPED {
        let rows = reader
            .read(
                base_range(source.prefix),
                source.forward,
                skipped + PAGE_SIZE,
            )
            .await?;
        return Ok(rows.into_iter().skip(skipped).collect());
    }
    if from_end <= MAX_SKIPPED + PAGE_SIZE {
        let mut rows = reader
            .read(base_range(source.prefix), !source.forward, from_end)
            .await?;
        rows.reverse();
        return Ok(rows.into_iter().take(PAGE_SIZE).collect());
    }
    Err(Error::field(
        "page",
        format!(
            "Pages past {} are reached through the next and previous links.",
            MAX_SKIPPED / PAGE_SIZE + 1
        ),
    ))
}

fn base_range(prefix: Option<&str>) -> SortRange {
    prefix.map_or(SortRange::All, |p| SortRange::Prefix(p.to_string()))
}

/// The keys past `boundary` in the reading direction (`ascending`), the
/// boundary included when a prefix makes it a BETWEEN.
fn beyond(boundary: &str, prefix: Option<&str>, ascending: bool) -> SortRange {
    match (prefix, ascending) {
        (None, true) => SortRange::Above(boundary.to_string()),
        (None, false) => SortRange::Below(boundary.to_string()),
        (Some(p), true) => SortRange::Between(boundary.to_string(), prefix_end(p)),
        (Some(p), false) => SortRange::Between(p.to_string(), boundary.to_string()),
    }
}

/// Above every key that starts with `prefix`.
fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

fn without_boundary<T>(rows: Vec<(String, T)>, boundary: &str) -> Vec<(String, T)> {
    rows.into_iter()
        .filter(|(key, _)| key != boundary)
        .take(PAGE_SIZE)
        .collect()
}

/// Refuses cursor parameters that no link could carry (a list read in
/// memory, such as a search, has no use for them but still checks them).
pub fn check_cursors(url: &RequestUrl) -> Result<()> {
    cursor(url, AFTER, None)?;
    cursor(url, BEFORE, None)?;
    Ok(())
}

/// A cursor parameter, decoded; it must lie under the prefix read.
fn cursor(url: &RequestUrl, name: &str, prefix: Option<&str>) -> Result<Option<String>> {
    let Some(raw) = url.param(name).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    URL_SAFE_NO_PAD
        .decode(raw.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .filter(|key| !key.is_empty() && key.len() <= 1024)
        .filter(|key| prefix.is_none_or(|p| key.starts_with(p) && *key < prefix_end(p)))
        .map(Some)
        .ok_or_else(|| Error::field(name, "Invalid cursor."))
}

/// The request URL at another page, with at most one cursor.
fn link(url: &RequestUrl, number: usize, cursor: Option<(&str, String)>) -> String {
    let mut query: Vec<(String, String)> = url
        .query
        .iter()
        .filter(|(k, _)| k != "page" && k != AFTER && k != BEFORE)
        .cloned()
        .collect();
    if number > 1 {
        query.push(("page".into(), number.to_string()));
    }
    if let Some((name, key)) = cursor {
        query.push((name.into(), URL_SAFE_NO_PAD.encode(key)));
    }
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (k, v) in &query {
        serializer.append_pair(k, v);
    }
    let query = serializer.finish();
    if query.is_empty() {
        url.base.clone()
    } else {
        format!("{}?{query}", url.base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(query: &[(&str, &str)]) -> RequestUrl {
        RequestUrl {
            base: "http://h/api/garages/".into(),
            query: query
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn links_keep_other_parameters_and_carry_one_cursor() {
        let u = url(&[("city", "Lyon"), ("page", "2"), ("after", "x")]);
        assert_eq!(
            link(&u, 3, Some((AFTER, "k#1".into()))),
            "http://h/api/garages/?city=Lyon&page=3&after=ayMx"
        );
        assert_eq!(link(&u, 1, None), "http://h/api/garages/?city=Lyon");
    }

    #[test]
    fn cursors_decode_and_stay_under_the_prefix() {
        let u = url(&[("after", "ayMx"), ("before", "%%")]);
        assert_eq!(cursor(&u, AFTER, None).unwrap().as_deref(), Some("k#1"));
        assert_eq!(
            cursor(&u, AFTER, Some("k")).unwrap().as_deref(),
            Some("k#1")
        );
        assert!(cursor(&u, AFTER, Some("z")).is_err());
        assert!(cursor(&u, BEFORE, None).is_err());
        // Past every key under the prefix: would make an empty BETWEEN.
        let beyond_end = URL_SAFE_NO_PAD.encode("k\u{10FFFF}\u{10FFFF}");
        assert!(cursor(&url(&[("after", &beyond_end)]), AFTER, Some("k")).is_err());
        assert_eq!(cursor(&url(&[]), AFTER, None).unwrap(), None);
    }

    #[test]
    fn ranges_beyond_a_boundary() {
        assert_eq!(beyond("b", None, true), SortRange::Above("b".into()));
        assert_eq!(beyond("b", None, false), SortRange::Below("b".into()));
        assert_eq!(
            beyond("ab", Some("a"), true),
            SortRange::Between("ab".into(), "a\u{10FFFF}".into())
        );
        assert_eq!(
            beyond("ab", Some("a"), false),
            SortRange::Between("a".into(), "ab".into())
        );
    }
}
