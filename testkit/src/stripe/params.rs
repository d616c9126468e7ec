//! Stripe's form parameters: `application/x-www-form-urlencoded` pairs whose
//! names use bracket notation (`line_items[0][price]`, `metadata[user_id]`).

use serde_json::{Map, Value};

use super::api::ApiError;

/// The decoded pairs of one request, query string first, then body.
pub(super) struct Params(pub Vec<(String, String)>);

impl Params {
    pub fn parse(query: &str, body: &[u8]) -> Params {
        let mut pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        pairs.extend(form_urlencoded::parse(body).into_owned());
        Params(pairs)
    }

    /// The value of `name`; when repeated, the last one wins (as in Stripe).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Names other than `allowed` answer Stripe's "unknown parameter" 400.
    /// A pattern segment `N` stands for an index, `*` for any key.
    pub fn only(&self, allowed: &[&str]) -> Result<(), ApiError> {
        for (name, _) in &self.0 {
            let known = segments(name).is_some_and(|got| allowed.iter().any(|p| matches(&got, p)));
            if !known {
                return Err(ApiError::invalid(
                    format!("Received unknown parameter: {name}"),
                    name,
                    "parameter_unknown",
                ));
            }
        }
        Ok(())
    }

    pub fn required(&self, name: &str) -> Result<&str, ApiError> {
        match self.get(name) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(ApiError::invalid(
                format!("Missing required param: {name}."),
                name,
                "parameter_missing",
            )),
        }
    }

    pub fn bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(other) => Err(ApiError::invalid_value(
                format!("Invalid boolean: {other}"),
                name,
            )),
        }
    }

    pub fn positive_int(&self, name: &str) -> Result<Option<u64>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => match v.parse::<u64>() {
                Ok(n) if n > 0 => Ok(Some(n)),
                _ => Err(ApiError::invalid(
                    format!("Invalid positive integer: {v}"),
                    name,
                    "parameter_invalid_integer",
                )),
            },
        }
    }

    /// One of `choices`, or Stripe's 400.
    pub fn choice(&self, name: &str, choices: &[&str]) -> Result<Option<&str>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) if choices.contains(&v) => Ok(Some(v)),
            Some(v) => Err(ApiError::invalid_value(
                format!(
                    "Invalid {name} ({v}): must be one of {}",
                    choices.join(", ")
                ),
                name,
            )),
        }
    }

    /// The indexes used under `prefix` (`line_items` → 0, 1, ...), sorted.
    pub fn indexes(&self, prefix: &str) -> Vec<usize> {
        let mut found: Vec<usize> = self
            .0
            .iter()
            .filter_map(|(name, _)| {
                let segs = segments(name)?;
                (segs.len() > 2 && segs[0] == prefix).then(|| segs[1].parse().ok())?
            })
            .collect();
        found.sort_unstable();
        found.dedup();
        found
    }

    /// Applies `<prefix>[key]=value` pairs to `metadata` as Stripe does: an
    /// empty value removes the key, and `<prefix>=` (empty) clears them all.
    pub fn apply_metadata(&self, prefix: &[&str], metadata: &mut Map<String, Value>) {
        for (name, value) in &self.0 {
            let Some(segs) = segments(name) else { continue };
            if segs.len() == prefix.len() && segs.iter().zip(prefix).all(|(a, b)| a == b) {
                if value.is_empty() {
                    metadata.clear();
                }
            } else if segs.len() == prefix.len() + 1 && segs.iter().zip(prefix).all(|(a, b)| a == b)
            {
                let key = segs[prefix.len()].to_owned();
                if value.is_empty() {
                    metadata.remove(&key);
                } else {
                    metadata.insert(key, Value::String(value.clone()));
                }
            }
        }
    }
}

/// `a[b][c]` → `["a", "b", "c"]`; `expand[]` → `["expand", ""]`. `None` for
/// names whose brackets do not pair up.
fn segments(name: &str) -> Option<Vec<&str>> {
    let (head, mut rest) = match name.find('[') {
        Some(at) => (&name[..at], &name[at..]),
        None => (name, ""),
    };
    if head.is_empty() {
        return None;
    }
    let mut out = vec![head];
    while !rest.is_empty() {
        let inner = rest.strip_prefix('[')?;
        let close = inner.find(']')?;
        let seg = &inner[..close];
        if seg.contains('[') {
            return None;
        }
        out.push(seg);
        rest = &inner[close + 1..];
    }
    Some(out)
}

fn matches(got: &[&str], pattern: &str) -> bool {
    let Some(want) = segments(pattern) else {
        return false;
    };
    got.len() == want.len()
        && got.iter().zip(&want).all(|(g, w)| match *w {
            "N" => !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit()),
            "*" => !g.is_empty(),
            literal => g == &literal,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(body: &str) -> Params {
        Params::parse("", body.as_bytes())
    }

    #[test]
    fn splits_bracket_names() {
        assert_eq!(segments("a"), Some(vec!["a"]));
        assert_eq!(segments("a[b][0]"), Some(vec!["a", "b", "0"]));
        assert_eq!(segments("expand[]"), Some(vec!["expand", ""]));
        assert_eq!(segments("a[b"), None);
        assert_eq!(segments("a[b]c"), None);
        assert_eq!(segments("[b]"), None);
        assert_eq!(segments("a[[b]]"), None);
    }

    #[test]
    fn decodes_form_encoding() {
        let p = params("metadata%5Buser_id%5D=u%201&name=Jean+Dupont&email=a%2Bb%40x.test");
        assert_eq!(p.get("metadata[user_id]"), Some("u 1"));
        assert_eq!(p.get("name"), Some("Jean Dupont"));
        assert_eq!(p.get("email"), Some("a+b@x.test"));
    }

    #[test]
    fn allow_list_with_wildcards() {
        let allowed = ["mode", "line_items[N][price]", "metadata[*]", "expand[]"];
        assert!(
            params("mode=x&line_items[12][price]=p&metadata[k]=v&expand[]=y")
                .only(&allowed)
                .is_ok()
        );
        for bad in [
            "line_items[a][price]=p",
            "metadata[]=v",
            "modes=x",
            "line_items[0]=p",
        ] {
            let err = params(bad).only(&allowed).unwrap_err();
            assert_eq!(err.code, Some("parameter_unknown"), "{bad}");
        }
    }

    #[test]
    fn indexes_are_sorted_and_unique() {
        let p = params("items[1][price]=a&items[0][id]=b&items[1][quantity]=2&other[5][x]=1");
        assert_eq!(p.indexes("items"), vec![0, 1]);
    }

    #[test]
    fn metadata_set_unset_clear() {
        let mut m = Map::new();
        params("metadata[a]=1&metadata[b]=2").apply_metadata(&["metadata"], &mut m);
        assert_eq!(m.len(), 2);
        params("metadata[a]=").apply_metadata(&["metadata"], &mut m);
        assert_eq!(m.get("b"), Some(&Value::String("2".into())));
        assert!(!m.contains_key("a"));
        params("metadata=").apply_metadata(&["metadata"], &mut m);
        assert!(m.is_empty());
        params("subscription_data[metadata][u]=1")
            .apply_metadata(&["subscription_data", "metadata"], &mut m);
        assert_eq!(m.get("u"), Some(&Value::String("1".into())));
    }
}
