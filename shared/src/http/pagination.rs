//! The page-number envelope of spec 0.4: `count`, `next`, `previous`,
//! `results`, 20 per page, absolute links built from the request URL.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::Serialize;

use super::app::OriginalPath;
use crate::error::Error;

pub const PAGE_SIZE: usize = 20;

#[derive(Debug, Serialize)]
pub struct Page<T: Serialize> {
    pub count: usize,
    pub next: Option<String>,
    pub previous: Option<String>,
    pub results: Vec<T>,
}

/// The parts of the request URL that page links are built from.
#[derive(Clone, Debug)]
pub struct RequestUrl {
    /// `scheme://host/path`, trailing slash as the client sent it.
    pub base: String,
    pub query: Vec<(String, String)>,
}

impl RequestUrl {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn with_page(&self, page: usize) -> String {
        let mut serializer = form_urlencoded::Serializer::new(String::new());
        for (k, v) in self.query.iter().filter(|(k, _)| k != "page") {
            serializer.append_pair(k, v);
        }
        if page > 1 {
            serializer.append_pair("page", &page.to_string());
        }
        let query = serializer.finish();
        if query.is_empty() {
            self.base.clone()
        } else {
            format!("{}?{}", self.base, query)
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestUrl {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.split(',').next().unwrap_or("").trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let scheme = header("x-forwarded-proto").unwrap_or_else(|| "http".to_string());
        let host = header("host").unwrap_or_else(|| "localhost".to_string());
        let path = parts
            .extensions
            .get::<OriginalPath>()
            .map(|p| p.0.clone())
            .unwrap_or_else(|| parts.uri.path().to_string());
        let query = parts
            .uri
            .query()
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        Ok(RequestUrl {
            base: format!("{scheme}://{host}{path}"),
            query,
        })
    }
}

impl<T: Serialize> Page<T> {
    /// Cuts one page out of `items` (already filtered and ordered).
    pub fn paginate(items: Vec<T>, url: &RequestUrl) -> Result<Self, Error> {
        let count = items.len();
        let page = requested_page(url, count)?;
        let results: Vec<T> = items
            .into_iter()
            .skip(page_offset(page))
            .take(PAGE_SIZE)
            .collect();
        Ok(Self::assemble(results, count, page, url))
    }

    /// The envelope of page `page` whose `results` were read elsewhere (a
    /// collection paged inside DynamoDB).
    pub fn assemble(results: Vec<T>, count: usize, page: usize, url: &RequestUrl) -> Self {
        let last_page = count.div_ceil(PAGE_SIZE).max(1);
        Page {
            count,
            next: (page < last_page).then(|| url.with_page(page + 1)),
            previous: (page > 1).then(|| url.with_page(page - 1)),
            results,
        }
    }
}

/// The page number a request asks for among `count` items (`?page=`, 1 by
/// default, `last`); past the end is the contract's 404.
pub fn requested_page(url: &RequestUrl, count: usize) -> Result<usize, Error> {
    let last_page = count.div_ceil(PAGE_SIZE).max(1);
    // As the contract's paginator reads it: an absent or empty `page` is
    // the first, `last` exactly the last, anything else an integer (spaces
    // around its digits allowed); blank or another word is a 404.
    let page = match url.param("page") {
        None | Some("") => 1,
        Some("last") => last_page,
        Some(raw) => raw.trim().parse::<usize>().map_err(|_| invalid_page())?,
    };
    if page == 0 || page > last_page {
        return Err(invalid_page());
    }
    Ok(page)
}

/// Items before page `page`.
pub fn page_offset(page: usize) -> usize {
    (page - 1) * PAGE_SIZE
}

fn invalid_page() -> Error {
    Error::Body {
        status: 404,
        body: serde_json::json!({"detail": "Invalid page."}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(query: &[(&str, &str)]) -> RequestUrl {
        RequestUrl {
            base: "http://host/api/vehicles/".into(),
            query: query
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn first_page_links_to_second_keeping_other_parameters() {
        let page = Page::paginate(
            (0..45).collect(),
            &url(&[("fuel_type", ""), ("ordering", "year")]),
        )
        .unwrap();
        assert_eq!(page.count, 45);
        assert_eq!(page.results.len(), 20);
        assert_eq!(
            page.next.as_deref(),
            Some("http://host/api/vehicles/?fuel_type=&ordering=year&page=2")
        );
        assert_eq!(page.previous, None);
    }

    #[test]
    fn link_to_page_one_omits_the_parameter() {
        let page =
            Page::paginate((0..45).collect(), &url(&[("search", "M"), ("page", "2")])).unwrap();
        assert_eq!(
            page.previous.as_deref(),
            Some("http://host/api/vehicles/?search=M")
        );
        assert_eq!(
            page.next.as_deref(),
            Some("http://host/api/vehicles/?search=M&page=3")
        );
    }

    #[test]
    fn last_page_and_out_of_range() {
        let page = Page::paginate((0..45).collect(), &url(&[("page", "last")])).unwrap();
        assert_eq!(page.results, vec![40, 41, 42, 43, 44]);
        assert_eq!(page.next, None);
        let page = Page::paginate((0..45).collect(), &url(&[("page", " 2 ")])).unwrap();
        assert_eq!(page.results.first(), Some(&20));
        for bad in ["4", "0", "-1", "abc", " ", "\u{b}", " last", "last "] {
            assert!(Page::paginate((0..45).collect::<Vec<i32>>(), &url(&[("page", bad)])).is_err());
        }
    }

    #[test]
    fn empty_collection_is_one_empty_page() {
        let page = Page::paginate(Vec::<i32>::new(), &url(&[])).unwrap();
        assert_eq!((page.count, page.results.len()), (0, 0));
        assert!(Page::paginate(Vec::<i32>::new(), &url(&[("page", "2")])).is_err());
    }
}
