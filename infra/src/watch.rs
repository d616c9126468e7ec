//! The `[workspace.metadata.lambda.watch.router]` table of the workspace
//! `Cargo.toml`: which function serves a path under `make dev`. The route
//! agreement test (`tests/routes.rs`) checks it against the routers and the
//! template; the local API server (`autotrack-local serve`) dispatches with
//! it, so the three cannot drift apart.

/// The workspace manifest, as this build saw it.
pub const MANIFEST: &str = include_str!("../../Cargo.toml");

/// `(pattern, binary)` for every entry of the watch router of `manifest`.
pub fn router(manifest: &str) -> Vec<(String, String)> {
    let mut entries = Vec::new();
    let mut inside = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            inside = line == "[workspace.metadata.lambda.watch.router]";
            continue;
        }
        if !inside || line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((pattern, binary)) = line.split_once('=') else {
            continue;
        };
        let unquote = |s: &str| s.trim().trim_matches('"').to_string();
        entries.push((unquote(pattern), unquote(binary)));
    }
    entries
}

/// The greedy prefix of a watch pattern (`/api/users/` for
/// `/api/users/{*path}`), `None` for a literal one.
pub fn greedy_prefix(pattern: &str) -> Option<&str> {
    pattern
        .rfind("/{*")
        .filter(|_| pattern.ends_with('}'))
        .map(|i| &pattern[..=i])
}

/// How specific a route pattern is for `path`, `None` when it does not
/// match: a literal route beats a greedy one, a longer greedy prefix beats
/// a shorter one. A greedy prefix matches one or more characters after it,
/// never nothing.
pub fn specificity(pattern: &str, greedy_prefix: Option<&str>, path: &str) -> Option<usize> {
    match greedy_prefix {
        Some(prefix) => {
            (path.len() > prefix.len() && path.starts_with(prefix)).then_some(prefix.len())
        }
        None => (pattern == path).then_some(usize::MAX),
    }
}

/// The function the watch router sends `path` to, as cargo lambda picks it.
pub fn target<'a>(router: &'a [(String, String)], path: &str) -> Option<&'a str> {
    router
        .iter()
        .filter_map(|(pattern, binary)| {
            specificity(pattern, greedy_prefix(pattern), path).map(|s| (s, binary.as_str()))
        })
        .max_by_key(|(s, _)| *s)
        .map(|(_, binary)| binary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workspace_table_is_read_and_picks_the_most_specific_entry() {
        let table = router(MANIFEST);
        assert!(!table.is_empty(), "no watch router in Cargo.toml");
        assert_eq!(target(&table, "/api/settings/me/"), Some("settings"));
        assert_eq!(target(&table, "/api/settings"), Some("settings"));
        assert_eq!(target(&table, "/api/docs/init-js/"), Some("docs"));
        assert_eq!(target(&table, "/api/nowhere/"), None);
        assert_eq!(target(&table, "/"), None);
    }
}
