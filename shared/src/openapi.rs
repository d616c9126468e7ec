//! The API's OpenAPI 3.1 document (feature `openapi`, issue 10; see
//! docs/openapi-design.md). Never linked into a release binary: each HTTP
//! function describes its own operations (`<function>::openapi()`, behind
//! its own `openapi` feature) and the document test of the `docs` function
//! merges them here and checks the result into `docs/openapi.json`.
//!
//! A function declares only what is its own: paths, parameters, request
//! bodies and success responses, and which operations are public. What
//! every operation shares is added here, once, so it cannot differ between
//! functions:
//! - the bearer security scheme, required unless an operation says it is
//!   public (`reads_token`);
//! - the error envelopes of spec 0.3/0.6 and the responses that every
//!   operation can give (401, 503; 404 where the path has a parameter or
//!   the list is paged; 400, 413, 415 where there is a body);
//! - the page envelope (`page_of`) and the `page` query parameter;
//! - aliases of a seed path, listed as such (`x-alias-of`);
//! - operation ids `<method>_<path>`, unique across the API.

use serde_json::{json, Map, Value};

/// A reference to a shared component this module defines (`Detail`,
/// `FieldErrors`), for a function's own responses and `oneOf`s: declared
/// there by name only, filled in when the document is merged.
macro_rules! shared_component {
    ($(#[$doc:meta])* $ty:ident, $name:literal) => {
        $(#[$doc])*
        pub struct $ty;
        impl utoipa::PartialSchema for $ty {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
                utoipa::openapi::Ref::from_schema_name($name).into()
            }
        }
        impl utoipa::ToSchema for $ty {}
    };
}
shared_component!(
    /// `{"detail": "..."}` (spec 0.3).
    DetailRef,
    "Detail"
);
shared_component!(
    /// `{"field": ["message"]}` (spec 0.3).
    FieldErrorsRef,
    "FieldErrors"
);
shared_component!(
    /// The 403 of a create beyond the plan's limit (`plans::limit_reached`).
    PlanLimitRef,
    "PlanLimit"
);

/// A function's own schema written as JSON (checked by the document test:
/// a schema that does not parse is a bug of the code, not of a request).
pub fn json_schema(value: Value) -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    utoipa::openapi::RefOr::T(serde_json::from_value(value).expect("a valid schema"))
}

/// `{"$ref": "#/components/schemas/<name>"}`, inside a JSON schema.
pub fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// A component whose schema is written as JSON, `name` in the document:
/// `json_component!(/// doc, Type, "Name", json!({...}))`.
#[macro_export]
macro_rules! json_component {
    ($(#[$doc:meta])* $ty:ident, $name:literal, $build:expr) => {
        $(#[$doc])*
        struct $ty;
        impl utoipa::PartialSchema for $ty {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
                $crate::openapi::json_schema($build)
            }
        }
        impl utoipa::ToSchema for $ty {
            fn name() -> std::borrow::Cow<'static, str> {
                $name.into()
            }
        }
    };
}

/// An inline `oneOf` of other schemas, for a response with several shapes.
#[macro_export]
macro_rules! json_one_of {
    ($(#[$doc:meta])* $ty:ident, [$($item:expr),+ $(,)?]) => {
        $(#[$doc])*
        struct $ty;
        impl utoipa::ToSchema for $ty {}
        impl utoipa::PartialSchema for $ty {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
                utoipa::openapi::schema::OneOfBuilder::new()$(.item($item))+.into()
            }
        }
    };
}

/// A schema of exactly one value, a string or a boolean (`enum` of one).
pub fn fixed(value: Value) -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    let kind = if value.is_boolean() {
        Type::Boolean
    } else {
        Type::String
    };
    ObjectBuilder::new()
        .schema_type(kind)
        .enum_values(Some([value]))
        .build()
}

/// The security scheme's name in `components.securitySchemes`.
pub const BEARER: &str = "bearer";

/// Responses every operation of the API may give, with their envelopes.
fn common_responses() -> Value {
    json!({
        "ValidationError": {
            "description": "Invalid input: every failing field with its messages (`non_field_errors` for the body as a whole), or `detail` for a body that cannot be parsed.",
            "content": {"application/json": {"schema": {"oneOf": [
                {"$ref": "#/components/schemas/FieldErrors"},
                {"$ref": "#/components/schemas/Detail"}
            ]}}}
        },
        "Unauthenticated": {
            "description": "No valid access token (also on a public operation when a bad `Authorization: Bearer` header is sent).",
            "headers": {"WWW-Authenticate": {"schema": {"type": "string", "const": "Bearer realm=\"api\""}}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AuthError"}}}
        },
        "NotFound": {
            "description": "Nothing at this path for the caller (another user's object included), or a page out of range.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Detail"}}}
        },
        "PayloadTooLarge": {
            "description": "The body is over 1 MiB.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Detail"}}}
        },
        "UnsupportedMediaType": {
            "description": "The body is neither JSON nor form-encoded (the media type is echoed).",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Detail"}}}
        },
        "Unavailable": {
            "description": "A dependency (the database, a queue) is unreachable or the request outlived its deadline: retry later.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Detail"}}}
        }
    })
}

/// The characters Rust's `str::trim` removes (Unicode `White_Space`),
/// spelled out for a pattern's character class: `\\s` differs between regex
/// engines (Python's counts U+001C..U+001F, ECMA-262's U+FEFF, neither of
/// which `trim` removes).
pub const TRIMMED_SPACE: &str =
    r"\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";

/// The pattern of a text field as `validate::Fields::text` reads it: the
/// surrounding whitespace is trimmed (spec 0.1), then what is left holds at
/// most `max` characters, and at least one unless `blank`. A `maxLength`
/// would count the raw string instead, so text fields state their length
/// here: any whitespace, then a run that starts and ends with a non-space
/// character, then any whitespace.
pub fn trimmed_text_pattern(max: usize, blank: bool) -> String {
    assert!(max >= 1, "a text field holds at least one character");
    let s = TRIMMED_SPACE;
    let core = match max {
        1 => format!("[^{s}]"),
        _ => format!("[^{s}](?:[\\s\\S]{{0,{}}}[^{s}])?", max - 2),
    };
    let core = if blank { format!("(?:{core})?") } else { core };
    format!("^[{s}]*{core}[{s}]*$")
}

/// The characters of an e-mail local part's atoms besides letters and
/// digits (`validate::is_valid_email`).
pub const EMAIL_LOCAL_SPECIALS: &str = "!#$%&'*+/=?^_`{|}~-";

/// The address check of `validate::is_valid_email` as an ECMA-262 pattern,
/// with the spaces `Fields::email` trims around it: dot-atom local part,
/// letter/digit/hyphen labels of at most 63 characters (no hyphen at
/// either end), an alphabetic top level of 2 or more letters, or a
/// punycode one. (The 64-character local part is for descriptions.)
pub fn email_pattern() -> String {
    let s = TRIMMED_SPACE;
    // In a character class only `-` (put last) needs care.
    let atom = format!("[A-Za-z0-9{EMAIL_LOCAL_SPECIALS}]+");
    format!(
        r"^[{s}]*{atom}(\.{atom})*@([A-Za-z0-9]([A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?\.)+([A-Za-z]{{2,63}}|xn--[A-Za-z0-9-]{{0,58}}[A-Za-z0-9])[{s}]*$"
    )
}

/// The words `validate::parse_bool` reads as a boolean (any case, spaces
/// around them trimmed): the contract's lenient booleans (spec 0.2).
pub const BOOLEAN_WORDS: [&str; 12] = [
    "true", "false", "1", "0", "yes", "no", "on", "off", "y", "n", "t", "f",
];

/// A case-insensitive ECMA-262 pattern for `BOOLEAN_WORDS` (JSON Schema
/// has no `(?i)`).
fn boolean_pattern() -> String {
    let mut words: Vec<String> = BOOLEAN_WORDS
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect();
    words.sort();
    words.dedup();
    let any_case = |word: &str| {
        word.chars()
            .map(|c| {
                if c.is_ascii_alphabetic() {
                    format!("[{}{}]", c.to_ascii_lowercase(), c.to_ascii_uppercase())
                } else {
                    c.to_string()
                }
            })
            .collect::<String>()
    };
    let alternatives: Vec<String> = words.iter().map(|w| any_case(w)).collect();
    format!("^\\s*({})\\s*$", alternatives.join("|"))
}

/// For a boolean input field: `#[schema(schema_with = shared::openapi::boolean_input)]`.
pub fn boolean_input() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    utoipa::openapi::Ref::from_schema_name("BooleanInput").into()
}

fn common_schemas() -> Value {
    json!({
        "BooleanInput": {
            "description": "A boolean; also 0/1 and the words true/false, yes/no, on/off, y/n, t/f in any case (form bodies send text).",
            "anyOf": [
                {"type": "boolean"},
                {"type": "integer", "enum": [0, 1]},
                {"type": "string", "pattern": boolean_pattern()}
            ]
        },
        "Detail": {
            "type": "object",
            "description": "A generic error (spec 0.6): 401/403/404/405/415, parse errors, 503.",
            "properties": {"detail": {"type": "string"}},
            "required": ["detail"],
            "example": {"detail": "Not found."}
        },
        "FieldErrors": {
            "type": "object",
            "description": "Validation errors (spec 0.6): field name to its messages, every failing field at once; errors of the whole body under `non_field_errors`.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "example": {"language": ["\"de\" is not a valid choice."]}
        },
        "PlanLimit": plan_limit_schema(),
        "AuthError": {
            "type": "object",
            "description": "Why a request is not authenticated (spec 0.3).",
            "properties": {
                "detail": {"type": "string"},
                "code": {"type": "string", "enum": ["bad_authorization_header", "token_not_valid", "user_not_found", "user_inactive"]},
                "messages": {"type": "array", "items": {
                    "type": "object",
                    "properties": {
                        "token_class": {"type": "string"},
                        "token_type": {"type": "string"},
                        "message": {"type": "string"}
                    }
                }}
            },
            "required": ["detail"],
            "example": {"detail": "Authentication credentials were not provided."}
        }
    })
}

/// `PlanLimit`: the 403 of a create beyond a limit of the caller's plan
/// (issue 14, `plans::limit_reached`): which limit, what the plan allows,
/// and the cheapest monthly plan that lifts it (null on the top plan).
fn plan_limit_schema() -> Value {
    use crate::domain::plans::{self, TIERS};
    let limits = [
        plans::MAX_VEHICLES,
        plans::MAX_DOCUMENTS,
        plans::STORAGE_MB,
        plans::MAINTENANCES_PER_MONTH,
        plans::AI_ANALYSES_PER_MONTH,
        plans::ASSISTANT_MESSAGES_PER_MONTH,
    ];
    let example = match plans::limit_reached(plans::MAX_VEHICLES, |l| l.vehicles, None) {
        crate::error::Error::Body { body, .. } => body,
        _ => Value::Null,
    };
    json!({
        "type": "object",
        "description": "A create beyond a limit of the caller's plan (the Free tier without a subscription): the limit (a plan feature key), what the plan allows, the plan's tier, and the cheapest monthly plan that lifts it (null when none does). What exists stays readable and editable; a higher plan, or fewer items (a new month for a monthly limit), lets the next one in.",
        "properties": {
            "detail": {"type": "string"},
            "code": {"type": "string", "enum": ["plan_limit"]},
            "limit": {"type": "string", "enum": limits},
            "allowed": {"type": "string", "description": "The plan's bound: a number, or `unlimited`."},
            "plan": {"type": "string", "enum": TIERS},
            "upgrade_plan": {"oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string"},
                        "name": {"type": "string"},
                        "tier": {"type": "string", "enum": TIERS}
                    },
                    "required": ["id", "name", "tier"]
                }
            ]}
        },
        "required": ["detail", "code", "limit", "allowed", "plan", "upgrade_plan"],
        "example": example
    })
}

/// The page envelope of spec 0.4 around items of the schema `items`.
pub fn page_of(items: Value) -> Value {
    json!({
        "type": "object",
        "description": "A page of 20 items; `next` and `previous` are absolute URLs or null.",
        "properties": {
            "count": {"type": "integer", "minimum": 0},
            "next": {"type": ["string", "null"], "format": "uri"},
            "previous": {"type": ["string", "null"], "format": "uri"},
            "results": {"type": "array", "items": items}
        },
        "required": ["count", "next", "previous", "results"]
    })
}

/// The `page` query parameter of every paged list.
fn page_parameter() -> Value {
    json!({
        "name": "page",
        "in": "query",
        "required": false,
        "description": "1-based page number, or `last`; empty means the first. Out of range: 404 `Invalid page.`",
        "schema": {"oneOf": [
            {"type": "integer", "minimum": 1},
            {"type": "string", "enum": ["last", ""]}
        ]}
    })
}

/// Marks an operation as a paged list: the function's document declares
/// its 200 body as the array of its items (`body = Vec<Item>`) and adds
/// `extensions(("x-paged" = json!(true)))`; the envelope and the `page`
/// parameter are added here (and the mark removed).
const PAGED: &str = "x-paged";

/// Security, as the function declares it in `utoipa::path`:
/// - nothing: the default rule, a valid access token is required;
/// - `security(())`: public and never looks at a token (`[{}]`);
/// - `security((), ("bearer" = []))`: public, but a bad `Authorization:
///   Bearer` header is refused with 401 all the same (spec 0.3).
///
/// Whether the operation can answer 401.
fn reads_token(security: &Value) -> bool {
    security
        .as_array()
        .is_some_and(|reqs| reqs.iter().any(|r| r.get(BEARER).is_some()))
}

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// `get_api_settings_id`: unique since a path has one operation a method.
fn operation_id(method: &str, path: &str) -> String {
    let words: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_matches(|c| c == '{' || c == '}'))
        .collect();
    format!("{method}_{}", words.join("_").replace('-', "_"))
}

/// Adds the shared responses, parameters and security to one operation.
fn complete_operation(method: &str, path: &str, op: &mut Value) {
    let has_body = op.get("requestBody").is_some();
    if has_body {
        // `JsonBody` reads an absent body as `{}`: the body's own required
        // fields then say what is missing (a 400), never the absence. So a
        // body is required exactly when its schema has a required field
        // (`require_bodies_with_required_fields`, once schemas are known).
        op["requestBody"]["required"] = json!(false);
    }
    let op = op.as_object_mut().expect("an operation is an object");
    let paged = op.remove(PAGED).and_then(|v| v.as_bool()).unwrap_or(false);
    op.insert("operationId".into(), json!(operation_id(method, path)));
    let security = op
        .entry("security")
        .or_insert_with(|| json!([{ BEARER: [] }]));
    let authenticates = reads_token(security);
    if paged {
        let params = op.entry("parameters").or_insert_with(|| json!([]));
        params.as_array_mut().unwrap().push(page_parameter());
        let body = op
            .get_mut("responses")
            .and_then(|r| r.pointer_mut("/200/content/application~1json/schema"))
            .expect("a paged operation declares its 200 body");
        let items = body["items"].take();
        assert!(!items.is_null(), "{path}: a paged 200 body is `Vec<Item>`");
        *body = page_of(items);
    }
    let responses = op
        .entry("responses")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .unwrap();
    let mut add = |status: &str, name: &str| {
        responses
            .entry(status)
            .or_insert_with(|| json!({"$ref": format!("#/components/responses/{name}")}));
    };
    if has_body {
        add("400", "ValidationError");
        add("413", "PayloadTooLarge");
        add("415", "UnsupportedMediaType");
    }
    if authenticates {
        add("401", "Unauthenticated");
    }
    if paged || path.contains('{') {
        add("404", "NotFound");
    }
    add("503", "Unavailable");
    // Status codes in ascending order, whatever order they were added in.
    let mut sorted: Vec<(String, Value)> = std::mem::take(responses).into_iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    responses.extend(sorted);
}

/// An alias path: `methods` of the seed path's operations served at
/// `path` too (the router's `at(router, &[seed, alias], ...)`).
pub type Alias = (&'static str, &'static str, &'static [&'static str]);

/// Lists an alias as another path of the seed path's operations (only the
/// methods it serves): the same operations, marked `x-alias-of`, with
/// their own operation ids. Ids are named after the path with `-` read as
/// `_`, so an alias that differs from its seed only there (`by-type/` and
/// `by_type/`) takes the seed's id with the suffix `_alias`.
pub fn alias(doc: &mut Value, (seed, path, methods): Alias) {
    let seed_item = &doc["paths"][seed];
    let mut item = Map::new();
    for method in methods {
        let mut op = seed_item[*method].clone();
        let Some(fields) = op.as_object_mut() else {
            panic!("alias {path}: no {method} at {seed} to alias");
        };
        fields.insert("x-alias-of".into(), json!(seed));
        let mut id = operation_id(method, path);
        if id == operation_id(method, seed) {
            id.push_str("_alias");
        }
        fields.insert("operationId".into(), json!(id));
        let summary = fields.get("summary").and_then(Value::as_str).unwrap_or("");
        let summary = format!("{summary} (alias of {seed})").trim().to_string();
        fields.insert("summary".into(), json!(summary));
        item.insert((*method).into(), op);
    }
    doc["paths"]
        .as_object_mut()
        .expect("paths")
        .insert(path.into(), Value::Object(item));
}

/// The API's document from the functions' own documents: merged, then
/// completed with what every operation shares (see the module doc).
pub fn document(functions: Vec<utoipa::openapi::OpenApi>) -> Value {
    let mut merged = utoipa::openapi::OpenApiBuilder::new()
        .info(
            utoipa::openapi::InfoBuilder::new()
                .title("AutoTrack API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "The car-maintenance API (spec/API.md). Every path takes an optional trailing \
                     slash. Bodies: JSON or form-encoded. Authenticate with \
                     `Authorization: Bearer <access token>` from `POST /api/users/login/`.",
                ))
                .build(),
        )
        .build();
    for doc in functions {
        merged.merge(doc);
    }
    let mut doc = serde_json::to_value(&merged).expect("the document serialises");
    complete(&mut doc);
    doc
}

/// An absent body is read as `{}`: when the body's JSON schema (inline or
/// a component) has required fields, it is refused (400) like any body
/// missing them, so the document says the body is required.
fn require_bodies_with_required_fields(doc: &mut Value) {
    let schemas = doc["components"]["schemas"].clone();
    let paths = doc["paths"].as_object_mut().expect("paths");
    for item in paths.values_mut() {
        for method in METHODS {
            let Some(body) = item
                .get_mut(method)
                .and_then(|op| op.get_mut("requestBody"))
            else {
                continue;
            };
            let schema = &body["content"]["application/json"]["schema"];
            let schema = match schema["$ref"].as_str() {
                Some(r) => &schemas[r.trim_start_matches("#/components/schemas/")],
                None => schema,
            };
            let has_required = schema["required"]
                .as_array()
                .is_some_and(|fields| !fields.is_empty());
            if has_required {
                body["required"] = json!(true);
            }
        }
    }
}

/// Adds the shared components and completes every operation.
pub fn complete(doc: &mut Value) {
    let paths = doc["paths"].as_object_mut().expect("paths");
    for (path, item) in paths.iter_mut() {
        for method in METHODS {
            if let Some(op) = item.get_mut(method) {
                complete_operation(method, path, op);
            }
        }
    }
    require_bodies_with_required_fields(doc);
    let components = doc
        .as_object_mut()
        .unwrap()
        .entry("components")
        .or_insert_with(|| json!({}));
    let schemas = components
        .as_object_mut()
        .unwrap()
        .entry("schemas")
        .or_insert_with(|| json!({}));
    for (name, schema) in common_schemas().as_object().unwrap() {
        schemas[name] = schema.clone();
    }
    components["responses"] = common_responses();
    components["securitySchemes"] = json!({
        BEARER: {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "The access token of `POST /api/users/login/` (60 minutes; renew with `POST /api/token/refresh/`)."
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pattern's local-part characters are the validator's: each one
    /// is accepted, a few others are refused.
    #[test]
    fn the_email_pattern_takes_the_validators_characters() {
        use crate::http::validate::is_valid_email;
        let pattern = email_pattern();
        assert!(pattern.contains(&format!("[A-Za-z0-9{EMAIL_LOCAL_SPECIALS}]+(\\.")));
        for c in EMAIL_LOCAL_SPECIALS.chars() {
            assert!(is_valid_email(&format!("a{c}b@example.com")), "{c}");
        }
        for c in ['"', '(', ',', ':', ';', '<', '@', '[', '\\', ' '] {
            assert!(!is_valid_email(&format!("a{c}b@example.com")), "{c}");
        }
        assert!(is_valid_email("a@xn--p1ai.xn--p1ai") && !is_valid_email("a@b.c0m"));
        let label = "a".repeat(63);
        assert!(
            is_valid_email(&format!("a@{label}.fr")) && is_valid_email(&format!("a@b.{label}"))
        );
        assert!(
            !is_valid_email(&format!("a@{label}a.fr")) && !is_valid_email(&format!("a@b.{label}a"))
        );
        assert!(
            pattern.contains("{0,61}")
                && pattern.contains("{2,63}")
                && pattern.contains("xn--[A-Za-z0-9-]{0,58}")
        );
    }

    #[test]
    fn a_trimmed_text_pattern_bounds_what_trim_leaves() {
        let s = TRIMMED_SPACE;
        assert_eq!(
            trimmed_text_pattern(5, false),
            format!("^[{s}]*[^{s}](?:[\\s\\S]{{0,3}}[^{s}])?[{s}]*$")
        );
        assert_eq!(
            trimmed_text_pattern(1, true),
            format!("^[{s}]*(?:[^{s}])?[{s}]*$")
        );
        // Every character `trim` removes is in the class, and only those
        // (U+001C and U+FEFF are not whitespace to Rust).
        for c in [
            '\t', '\n', '\u{b}', '\u{c}', '\r', ' ', '\u{85}', '\u{a0}', '\u{2000}', '\u{200a}',
            '\u{3000}',
        ] {
            assert!(format!("{c}x{c}").trim() == "x", "{c:?}");
        }
        for c in ['\u{1c}', '\u{feff}', '\u{200b}'] {
            assert!(format!("{c}x").trim() != "x", "{c:?}");
        }
    }

    #[test]
    fn the_boolean_words_are_the_validators() {
        use crate::http::validate::parse_bool;
        let pattern = boolean_pattern();
        for word in BOOLEAN_WORDS {
            assert!(parse_bool(&json!(word)).is_some(), "{word}");
            assert!(parse_bool(&json!(format!(" {} ", word.to_ascii_uppercase()))).is_some());
        }
        assert!(pattern.starts_with("^\\s*(") && pattern.contains("[tT][rR][uU][eE]"));
        assert!(parse_bool(&json!("maybe")).is_none());
    }

    #[test]
    fn operation_ids_follow_the_path() {
        assert_eq!(
            operation_id("get", "/api/settings/{id}/"),
            "get_api_settings_id"
        );
        assert_eq!(
            operation_id("post", "/api/auth/validate-reset-token/"),
            "post_api_auth_validate_reset_token"
        );
    }

    #[test]
    fn a_body_with_a_required_field_is_required() {
        let body = |schema: Value| json!({"content": {"application/json": {"schema": schema}}});
        let mut doc = json!({
            "paths": {"/api/x/": {
                "post": {"requestBody": body(json!({"$ref": "#/components/schemas/W"})),
                         "responses": {}},
                "put": {"requestBody": body(json!({"type": "object", "required": ["a"]})),
                        "responses": {}},
                "patch": {"requestBody": body(json!({"$ref": "#/components/schemas/P"})),
                          "responses": {}}
            }},
            "components": {"schemas": {
                "W": {"type": "object", "required": ["a"]},
                "P": {"type": "object", "properties": {"a": {}}}
            }}
        });
        complete(&mut doc);
        let item = &doc["paths"]["/api/x/"];
        assert_eq!(item["post"]["requestBody"]["required"], true);
        assert_eq!(item["put"]["requestBody"]["required"], true);
        assert_eq!(item["patch"]["requestBody"]["required"], false);
    }

    #[test]
    fn a_protected_operation_with_a_body_gets_the_shared_responses() {
        let mut doc = json!({"paths": {"/api/x/{id}/": {"put": {
            "requestBody": {"content": {}},
            "responses": {"200": {"description": "ok"}}
        }}}});
        complete(&mut doc);
        let op = &doc["paths"]["/api/x/{id}/"]["put"];
        let statuses: Vec<&String> = op["responses"].as_object().unwrap().keys().collect();
        assert_eq!(statuses, ["200", "400", "401", "404", "413", "415", "503"]);
        assert_eq!(op["security"], json!([{"bearer": []}]));
        assert_eq!(op["operationId"], "put_api_x_id");
    }

    #[test]
    fn a_public_operation_stays_public_and_a_paged_one_takes_page() {
        let items = json!({"$ref": "#/components/schemas/X"});
        let mut doc = json!({"paths": {"/api/x/": {"get": {
            "security": [{}],
            "x-paged": true,
            "responses": {"200": {"content": {"application/json": {"schema": {
                "type": "array", "items": items
            }}}}}
        }}}});
        complete(&mut doc);
        let op = &doc["paths"]["/api/x/"]["get"];
        assert_eq!(op["security"], json!([{}]));
        assert_eq!(op["parameters"][0]["name"], "page");
        assert!(op["responses"].get("404").is_some());
        assert!(op["responses"].get("401").is_none(), "reads no token");
        assert!(op.get("x-paged").is_none());
        let page = &op["responses"]["200"]["content"]["application/json"]["schema"];
        assert_eq!(page["properties"]["results"]["items"], items);
    }
}
