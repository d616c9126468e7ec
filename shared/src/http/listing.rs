//! Filtering, search and ordering for list endpoints (spec 0.5). Per-user
//! collections are small, so they are read whole from the user's partition
//! and shaped in memory with these helpers.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};

use super::pagination::RequestUrl;
use crate::error::{Error, FieldErrors};

/// A comparable value of one item's field, for `?ordering=`.
#[derive(Clone, Debug, PartialEq, PartialOrd)]
pub enum SortKey {
    Null,
    Bool(bool),
    Number(f64),
    Text(String),
    Time(DateTime<Utc>),
}

impl SortKey {
    fn compare(&self, other: &Self) -> Ordering {
        self.partial_cmp(other).unwrap_or(Ordering::Equal)
    }
}

/// Splits `?search=` into terms: whitespace and commas separate terms, a
/// double-quoted phrase stays one term.
pub fn search_terms(input: &str) -> Vec<String> {
    let mut terms = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in input.chars() {
        match c {
            '"' => {
                if quoted && !current.is_empty() {
                    terms.push(std::mem::take(&mut current));
                }
                quoted = !quoted;
            }
            c if !quoted && (c.is_whitespace() || c == ',') => {
                if !current.is_empty() {
                    terms.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        terms.push(current);
    }
    terms.into_iter().map(|t| t.to_lowercase()).collect()
}

/// Every term must appear (case-insensitively) in at least one field.
pub fn matches_search(terms: &[String], fields: &[&str]) -> bool {
    let lowered: Vec<String> = fields.iter().map(|f| f.to_lowercase()).collect();
    terms
        .iter()
        .all(|term| lowered.iter().any(|f| f.contains(term.as_str())))
}

/// `?ordering=a,-b` restricted to `allowed`; falls back to `default`.
pub fn ordering(url: &RequestUrl, allowed: &[&str], default: &[&str]) -> Vec<(String, bool)> {
    let parse = |spec: &str| -> Vec<(String, bool)> {
        spec.split(',')
            .map(str::trim)
            .filter_map(|part| {
                let (name, desc) = match part.strip_prefix('-') {
                    Some(n) => (n, true),
                    None => (part, false),
                };
                allowed.contains(&name).then(|| (name.to_string(), desc))
            })
            .collect()
    };
    let requested = url.param("ordering").map(parse).unwrap_or_default();
    if requested.is_empty() {
        default
            .iter()
            .map(|d| match d.strip_prefix('-') {
                Some(n) => (n.to_string(), true),
                None => (d.to_string(), false),
            })
            .collect()
    } else {
        requested
    }
}

/// Sorts `items` by the given ordering; `key` gives an item's value of a field.
pub fn sort<T>(items: &mut [T], order: &[(String, bool)], key: impl Fn(&T, &str) -> SortKey) {
    items.sort_by(|a, b| {
        for (field, desc) in order {
            let cmp = key(a, field).compare(&key(b, field));
            let cmp = if *desc { cmp.reverse() } else { cmp };
            if cmp != Ordering::Equal {
                return cmp;
            }
        }
        Ordering::Equal
    });
}

/// An exact-match choice filter: empty values are ignored, unknown values are
/// a 400 with the contract's message.
pub fn choice_filter<'a>(
    url: &'a RequestUrl,
    name: &str,
    choices: &[&str],
) -> Result<Option<&'a str>, Error> {
    match url.param(name).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) if choices.contains(&v) => Ok(Some(v)),
        Some(v) => Err(Error::Validation(FieldErrors::single(
            name,
            format!("Select a valid choice. {v} is not one of the available choices."),
        ))),
    }
}

/// A number filter: empty ignored, non-numbers are a 400 "Enter a number.".
pub fn number_filter(url: &RequestUrl, name: &str) -> Result<Option<f64>, Error> {
    match url.param(name).map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(Some)
            .ok_or_else(|| Error::field(name, "Enter a number.")),
    }
}

/// A boolean filter: `true/false/1/0` in any case; anything else is ignored.
pub fn bool_filter(url: &RequestUrl, name: &str) -> Option<bool> {
    match url.param(name)?.trim().to_ascii_lowercase().as_str() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(query: &[(&str, &str)]) -> RequestUrl {
        RequestUrl {
            base: "http://h/x/".into(),
            query: query
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn search_terms_split_on_spaces_and_commas_but_keep_phrases() {
        assert_eq!(
            search_terms("Clio, diesel  2019"),
            vec!["clio", "diesel", "2019"]
        );
        assert_eq!(search_terms("\"Model 3\" tesla"), vec!["model 3", "tesla"]);
        assert!(matches_search(
            &search_terms("ren clio"),
            &["Renault", "Clio"]
        ));
        assert!(!matches_search(
            &search_terms("ren golf"),
            &["Renault", "Clio"]
        ));
    }

    #[test]
    fn ordering_keeps_allowed_fields_and_falls_back() {
        let allowed = ["year", "make"];
        assert_eq!(
            ordering(
                &url(&[("ordering", "-year,bogus,make")]),
                &allowed,
                &["-created_at"]
            ),
            vec![("year".to_string(), true), ("make".to_string(), false)]
        );
        assert_eq!(
            ordering(&url(&[("ordering", "bogus")]), &allowed, &["-created_at"]),
            vec![("created_at".to_string(), true)]
        );
    }

    #[test]
    fn sort_applies_fields_in_turn() {
        let mut items = vec![(2, "b"), (1, "z"), (2, "a")];
        sort(
            &mut items,
            &[("n".into(), true), ("s".into(), false)],
            |item, field| match field {
                "n" => SortKey::Number(item.0 as f64),
                _ => SortKey::Text(item.1.to_string()),
            },
        );
        assert_eq!(items, vec![(2, "a"), (2, "b"), (1, "z")]);
    }

    #[test]
    fn filters() {
        let u = url(&[
            ("fuel_type", "steam"),
            ("empty", ""),
            ("year", "x"),
            ("flag", "TRUE"),
        ]);
        assert!(choice_filter(&u, "fuel_type", &["diesel"]).is_err());
        assert_eq!(choice_filter(&u, "empty", &["diesel"]).unwrap(), None);
        assert!(number_filter(&u, "year").is_err());
        assert_eq!(bool_filter(&u, "flag"), Some(true));
        assert_eq!(bool_filter(&url(&[("flag", "maybe")]), "flag"), None);
    }
}
