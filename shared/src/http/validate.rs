//! Field-by-field reading of a request body with the contract's messages
//! (spec 0.2). Every failing field is reported together, like the system we
//! replace; cross-field checks run afterwards, only when fields are valid.

use serde_json::{Map, Value};

use crate::error::{Error, FieldErrors};

pub const REQUIRED: &str = "This field is required.";
pub const BLANK: &str = "This field may not be blank.";
pub const NULL: &str = "This field may not be null.";
pub const NOT_A_STRING: &str = "Not a valid string.";
pub const INVALID_EMAIL: &str = "Enter a valid email address.";
/// The longest e-mail address accepted (the SMTP path limit).
pub const EMAIL_MAX: usize = 254;
pub const INVALID_BOOLEAN: &str = "Must be a valid boolean.";
pub const INVALID_INTEGER: &str = "A valid integer is required.";
pub const INVALID_DATETIME: &str = "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].";

/// Rules for a text field.
#[derive(Clone, Copy, Debug)]
pub struct Text {
    pub required: bool,
    pub allow_blank: bool,
    pub allow_null: bool,
    pub min: usize,
    pub max: usize,
}

impl Text {
    /// Required, non-blank, at most `max` characters.
    pub const fn required(max: usize) -> Self {
        Text {
            required: true,
            allow_blank: false,
            allow_null: false,
            min: 0,
            max,
        }
    }
    /// Optional, blank and null allowed, at most `max` characters.
    pub const fn optional(max: usize) -> Self {
        Text {
            required: false,
            allow_blank: true,
            allow_null: true,
            min: 0,
            max,
        }
    }
    pub const fn min(mut self, min: usize) -> Self {
        self.min = min;
        self
    }
}

/// A value read from a body: absent, explicitly null, or given.
#[derive(Clone, Debug, PartialEq)]
pub enum Field<T> {
    Absent,
    Null,
    Value(T),
}

impl<T> Field<T> {
    pub fn value(self) -> Option<T> {
        match self {
            Field::Value(v) => Some(v),
            _ => None,
        }
    }
    /// The same absence or null, for another value type.
    pub fn map_none<U>(self) -> Field<U> {
        match self {
            Field::Null => Field::Null,
            _ => Field::Absent,
        }
    }

    pub fn is_absent(&self) -> bool {
        matches!(self, Field::Absent)
    }
    /// `None` when absent, `Some(None)` when null, `Some(Some(v))` when given.
    pub fn into_update(self) -> Option<Option<T>> {
        match self {
            Field::Absent => None,
            Field::Null => Some(None),
            Field::Value(v) => Some(Some(v)),
        }
    }
}

/// Reads fields out of a body object, collecting every error.
pub struct Fields<'a> {
    data: &'a Map<String, Value>,
    /// PATCH: nothing is required.
    partial: bool,
    errors: FieldErrors,
}

impl<'a> Fields<'a> {
    pub fn new(data: &'a Map<String, Value>) -> Self {
        Self {
            data,
            partial: false,
            errors: FieldErrors::new(),
        }
    }

    pub fn partial(data: &'a Map<String, Value>, partial: bool) -> Self {
        Self {
            data,
            partial,
            errors: FieldErrors::new(),
        }
    }

    pub fn is_partial(&self) -> bool {
        self.partial
    }

    pub fn error(&mut self, field: &str, message: impl Into<String>) {
        self.errors.add(field, message);
    }

    /// The value of a field that may be absent but not null: a null is
    /// reported as "This field may not be null.".
    pub fn not_null<T>(&mut self, name: &str, field: Field<T>) -> Option<T> {
        if let Field::Null = field {
            self.errors.add(name, NULL);
            return None;
        }
        field.value()
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    pub fn has_error(&self, field: &str) -> bool {
        self.errors.has(field)
    }

    /// Ends the single-field phase: `Err` with every field error, if any.
    pub fn finish(self) -> Result<(), Error> {
        self.errors.into_result()
    }

    /// Looks a field up; reports "required" when it must be present.
    fn lookup(&mut self, name: &str, required: bool) -> Option<&'a Value> {
        match self.data.get(name) {
            Some(v) => Some(v),
            None => {
                if required && !self.partial {
                    self.errors.add(name, REQUIRED);
                }
                None
            }
        }
    }

    /// A text field, trimmed. Numbers are accepted and turned into text.
    pub fn text(&mut self, name: &str, rule: Text) -> Field<String> {
        let Some(raw) = self.lookup(name, rule.required) else {
            return Field::Absent;
        };
        let text = match raw {
            Value::Null => {
                if !rule.allow_null {
                    self.errors.add(name, NULL);
                }
                return Field::Null;
            }
            Value::String(s) => s.trim().to_string(),
            Value::Number(n) => n.to_string(),
            _ => {
                self.errors.add(name, NOT_A_STRING);
                return Field::Absent;
            }
        };
        if text.is_empty() && !rule.allow_blank {
            self.errors.add(name, BLANK);
            return Field::Absent;
        }
        let len = text.chars().count();
        if len > rule.max {
            self.errors.add(
                name,
                format!(
                    "Ensure this field has no more than {} characters.",
                    rule.max
                ),
            );
            return Field::Absent;
        }
        if len < rule.min && !(text.is_empty() && rule.allow_blank) {
            self.errors.add(
                name,
                format!("Ensure this field has at least {} characters.", rule.min),
            );
            return Field::Absent;
        }
        Field::Value(text)
    }

    /// A required-when-not-partial text field; `None` when absent or invalid.
    pub fn required_text(&mut self, name: &str, max: usize) -> Option<String> {
        self.text(name, Text::required(max)).value()
    }

    /// A password: like text but never trimmed of inner content and without
    /// a maximum length beyond a sanity bound (argon2 input stays small).
    pub fn password(&mut self, name: &str) -> Option<String> {
        self.text(name, Text::required(4096)).value()
    }

    /// An e-mail address (format and length checked, surrounding spaces trimmed).
    pub fn email(&mut self, name: &str, required: bool) -> Field<String> {
        let rule = Text {
            required,
            allow_blank: false,
            allow_null: !required,
            min: 0,
            max: EMAIL_MAX,
        };
        match self.text(name, rule) {
            Field::Value(v) => {
                if is_valid_email(&v) {
                    Field::Value(v)
                } else {
                    self.errors.add(name, INVALID_EMAIL);
                    Field::Absent
                }
            }
            other => other,
        }
    }

    /// One of `choices`, exactly (case-sensitive); null allowed unless required.
    pub fn choice(&mut self, name: &str, choices: &[&str], required: bool) -> Field<String> {
        let rule = Text {
            required,
            allow_blank: false,
            allow_null: !required,
            min: 0,
            max: 255,
        };
        match self.text(name, rule) {
            Field::Value(v) if choices.contains(&v.as_str()) => Field::Value(v),
            Field::Value(v) => {
                self.errors
                    .add(name, format!("\"{v}\" is not a valid choice."));
                Field::Absent
            }
            other => other,
        }
    }

    /// An http(s)/ftp(s) URL of at most `max` characters; optional, nullable.
    pub fn url(&mut self, name: &str, max: usize) -> Field<String> {
        match self.text(name, Text::optional(max)) {
            Field::Value(v) if v.is_empty() => Field::Null,
            Field::Value(v) if is_valid_url(&v) => Field::Value(v),
            Field::Value(_) => {
                self.errors.add(name, "Enter a valid URL.");
                Field::Absent
            }
            other => other,
        }
    }

    /// A date-time (RFC 3339, naive = UTC, or a bare date), years 1900 to
    /// 2200 in UTC.
    pub fn datetime(&mut self, name: &str, required: bool) -> Field<chrono::DateTime<chrono::Utc>> {
        let rule = Text {
            required,
            allow_blank: false,
            allow_null: !required,
            min: 0,
            max: 64,
        };
        match self.text(name, rule) {
            Field::Value(raw) => match crate::time::check(&raw) {
                Ok(at) => Field::Value(at),
                Err(why) => {
                    let message = match why {
                        crate::time::DateError::Format => INVALID_DATETIME,
                        crate::time::DateError::OutOfRange => crate::time::OUT_OF_RANGE,
                    };
                    self.errors.add(name, message);
                    Field::Absent
                }
            },
            other => other.map_none(),
        }
    }

    /// Raw access for fields with their own parsing (money, ids).
    pub fn raw(&mut self, name: &str, required: bool) -> Option<&'a Value> {
        self.lookup(name, required)
    }

    /// A boolean: JSON true/false, or the usual textual forms.
    pub fn boolean(&mut self, name: &str, required: bool) -> Field<bool> {
        let Some(raw) = self.lookup(name, required) else {
            return Field::Absent;
        };
        match parse_bool(raw) {
            Some(b) => Field::Value(b),
            None if raw.is_null() => {
                self.errors.add(name, NULL);
                Field::Null
            }
            None => {
                self.errors.add(name, INVALID_BOOLEAN);
                Field::Absent
            }
        }
    }

    /// An integer within `[min, max]`; numeric strings are accepted.
    pub fn integer(&mut self, name: &str, required: bool, min: i64, max: i64) -> Field<i64> {
        let Some(raw) = self.lookup(name, required) else {
            return Field::Absent;
        };
        if raw.is_null() {
            return Field::Null;
        }
        let Some(n) = parse_integer(raw) else {
            self.errors.add(name, INVALID_INTEGER);
            return Field::Absent;
        };
        if n < min {
            self.errors.add(
                name,
                format!("Ensure this value is greater than or equal to {min}."),
            );
            return Field::Absent;
        }
        if n > max {
            self.errors.add(
                name,
                format!("Ensure this value is less than or equal to {max}."),
            );
            return Field::Absent;
        }
        Field::Value(n)
    }
}

impl Fields<'_> {
    /// A finite number within `[min, max]`; numeric strings are accepted.
    pub fn number(&mut self, name: &str, required: bool, min: f64, max: f64) -> Field<f64> {
        let Some(raw) = self.lookup(name, required) else {
            return Field::Absent;
        };
        if raw.is_null() {
            return Field::Null;
        }
        let Some(x) = parse_number(raw) else {
            self.errors.add(name, INVALID_NUMBER);
            return Field::Absent;
        };
        if x < min {
            self.errors.add(
                name,
                format!("Ensure this value is greater than or equal to {min}."),
            );
            return Field::Absent;
        }
        if x > max {
            self.errors.add(
                name,
                format!("Ensure this value is less than or equal to {max}."),
            );
            return Field::Absent;
        }
        Field::Value(x)
    }

    /// A list of at most `max_items` short strings, each trimmed, not
    /// blank and at most `max_len` characters; repeats are dropped (first
    /// kept). A null is an empty list.
    pub fn string_list(
        &mut self,
        name: &str,
        max_items: usize,
        max_len: usize,
    ) -> Field<Vec<String>> {
        let Some(raw) = self.lookup(name, false) else {
            return Field::Absent;
        };
        let items = match raw {
            Value::Null => return Field::Value(Vec::new()),
            Value::Array(items) => items,
            other => {
                self.errors.add(
                    name,
                    format!(
                        "Expected a list of items but got type \"{}\".",
                        json_type(other)
                    ),
                );
                return Field::Absent;
            }
        };
        // Counted as sent (the document's `maxItems`), before repeats go.
        if items.len() > max_items {
            self.errors.add(
                name,
                format!("Ensure this field has no more than {max_items} elements."),
            );
            return Field::Absent;
        }
        let mut list: Vec<String> = Vec::new();
        let mut failed = false;
        for (i, item) in items.iter().enumerate() {
            let problem = match item {
                Value::String(s) if s.trim().is_empty() => Some(BLANK.to_string()),
                Value::String(s) if s.trim().chars().count() > max_len => Some(format!(
                    "Ensure this field has no more than {max_len} characters."
                )),
                Value::String(s) => {
                    let s = s.trim().to_string();
                    if !list.contains(&s) {
                        list.push(s);
                    }
                    None
                }
                _ => Some(NOT_A_STRING.to_string()),
            };
            if let Some(problem) = problem {
                self.errors.add(name, format!("Item {}: {problem}", i + 1));
                failed = true;
            }
        }
        if failed {
            return Field::Absent;
        }
        Field::Value(list)
    }
}

pub const INVALID_NUMBER: &str = "A valid number is required.";

/// A finite number from a JSON number or a numeric string.
pub fn parse_number(raw: &Value) -> Option<f64> {
    let x = match raw {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => {
            let t = s.trim();
            // Rust also reads "inf" and "NaN": only decimal forms count.
            if !t.chars().all(|c| c.is_ascii_digit() || "+-.eE".contains(c)) {
                return None;
            }
            t.parse::<f64>().ok()?
        }
        _ => return None,
    };
    x.is_finite().then_some(x)
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// Scheme http, https, ftp or ftps, then a host with a dot (or localhost),
/// no spaces.
pub fn is_valid_url(value: &str) -> bool {
    let Some((scheme, rest)) = value.split_once("://") else {
        return false;
    };
    if !["http", "https", "ftp", "ftps"].contains(&scheme.to_ascii_lowercase().as_str()) {
        return false;
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host.split(':').next().unwrap_or("");
    !value.chars().any(char::is_whitespace)
        && !host.is_empty()
        && (host.contains('.') || host == "localhost")
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

pub fn parse_bool(raw: &Value) -> Option<bool> {
    match raw {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_i64() {
            Some(1) => Some(true),
            Some(0) => Some(false),
            _ => None,
        },
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" | "y" | "t" => Some(true),
            "false" | "0" | "no" | "off" | "n" | "f" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

pub fn parse_integer(raw: &Value) -> Option<i64> {
    match raw {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        }),
        Value::String(s) => {
            let t = s.trim();
            let t = t.strip_suffix(".0").unwrap_or(t);
            t.parse::<i64>().ok()
        }
        _ => None,
    }
}

/// A pragmatic address check: a dot-atom local part, a dotted domain of
/// letter/digit/hyphen labels and an alphabetic (or punycode) top level.
pub fn is_valid_email(value: &str) -> bool {
    let Some((local, domain)) = value.rsplit_once('@') else {
        return false;
    };
    if local.is_empty() || local.len() > 64 || domain.is_empty() || domain.len() > 253 {
        return false;
    }
    let local_ok = local.split('.').all(|atom| {
        !atom.is_empty()
            && atom
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c))
    });
    if !local_ok {
        return false;
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return false;
    }
    let labels_ok = labels.iter().all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    });
    let tld = labels[labels.len() - 1];
    let tld_ok =
        (tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic())) || tld.starts_with("xn--");
    labels_ok && tld_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn reports_every_failing_field_together() {
        let data = obj(json!({"first_name": "  ", "bio": "x".repeat(21), "flag": "maybe"}));
        let mut f = Fields::new(&data);
        f.required_text("email", 254);
        f.required_text("first_name", 150);
        f.text("bio", Text::optional(20));
        f.boolean("flag", false);
        let Err(Error::Validation(errors)) = f.finish() else {
            panic!()
        };
        assert_eq!(
            errors.to_json(),
            json!({
                "email": [REQUIRED],
                "first_name": [BLANK],
                "bio": ["Ensure this field has no more than 20 characters."],
                "flag": [INVALID_BOOLEAN],
            })
        );
    }

    #[test]
    fn partial_reads_skip_required_checks() {
        let data = obj(json!({}));
        let mut f = Fields::partial(&data, true);
        assert_eq!(f.text("first_name", Text::required(150)), Field::Absent);
        assert!(f.finish().is_ok());
    }

    #[test]
    fn text_is_trimmed_and_nulls_follow_the_rule() {
        let data = obj(json!({"a": "  hi  ", "b": null, "c": null, "d": 12}));
        let mut f = Fields::new(&data);
        assert_eq!(f.text("a", Text::required(10)), Field::Value("hi".into()));
        assert_eq!(f.text("b", Text::optional(10)), Field::Null);
        f.text("c", Text::required(10));
        assert_eq!(f.text("d", Text::required(10)), Field::Value("12".into()));
        let Err(Error::Validation(errors)) = f.finish() else {
            panic!()
        };
        assert_eq!(errors.to_json(), json!({"c": [NULL]}));
    }

    #[test]
    fn integers_accept_numeric_strings_and_check_bounds() {
        let data = obj(json!({"a": "42", "b": -1, "c": "x", "d": 3.0}));
        let mut f = Fields::new(&data);
        assert_eq!(f.integer("a", true, 0, 100), Field::Value(42));
        f.integer("b", true, 0, 100);
        f.integer("c", true, 0, 100);
        assert_eq!(f.integer("d", true, 0, 100), Field::Value(3));
        let Err(Error::Validation(errors)) = f.finish() else {
            panic!()
        };
        assert_eq!(
            errors.to_json(),
            json!({"b": ["Ensure this value is greater than or equal to 0."], "c": [INVALID_INTEGER]})
        );
    }

    #[test]
    fn numbers_accept_numeric_strings_and_check_bounds() {
        let body =
            obj(json!({"a": "45.5", "b": -90.0001, "c": "nan", "d": true, "e": null, "f": 90}));
        let mut f = Fields::new(&body);
        assert_eq!(f.number("a", true, -90.0, 90.0), Field::Value(45.5));
        assert_eq!(f.number("b", true, -90.0, 90.0), Field::Absent);
        assert_eq!(f.number("c", true, -90.0, 90.0), Field::Absent);
        assert_eq!(f.number("d", true, -90.0, 90.0), Field::Absent);
        assert_eq!(f.number("e", true, -90.0, 90.0), Field::Null);
        assert_eq!(f.number("f", true, -90.0, 90.0), Field::Value(90.0));
        let err = f.finish().unwrap_err();
        let Error::Validation(errors) = err else {
            panic!()
        };
        assert_eq!(
            errors.to_json(),
            json!({"b": ["Ensure this value is greater than or equal to -90."],
                   "c": [INVALID_NUMBER], "d": [INVALID_NUMBER]})
        );
    }

    #[test]
    fn string_lists_trim_drop_repeats_and_check_sizes() {
        let body = obj(json!({"a": [" Pneus ", "Freins", "Pneus"], "b": "Pneus",
                              "c": ["x", " ", 3, "toolong"], "d": ["a", "b", "c"], "e": null}));
        let mut f = Fields::new(&body);
        assert_eq!(
            f.string_list("a", 3, 6),
            Field::Value(vec!["Pneus".to_string(), "Freins".to_string()])
        );
        assert_eq!(f.string_list("b", 2, 6), Field::Absent);
        assert_eq!(f.string_list("c", 9, 6), Field::Absent);
        assert_eq!(f.string_list("d", 2, 6), Field::Absent);
        assert_eq!(f.string_list("e", 2, 6), Field::Value(vec![]));
        assert_eq!(f.string_list("absent", 2, 6), Field::Absent);
        let Error::Validation(errors) = f.finish().unwrap_err() else {
            panic!()
        };
        assert_eq!(
            errors.to_json(),
            json!({"b": ["Expected a list of items but got type \"str\"."],
                   "c": ["Item 2: This field may not be blank.", "Item 3: Not a valid string.",
                         "Item 4: Ensure this field has no more than 6 characters."],
                   "d": ["Ensure this field has no more than 2 elements."]})
        );
    }

    #[test]
    fn url_format() {
        assert!(is_valid_url("https://cdn.example.com/logo.png"));
        assert!(is_valid_url("http://localhost:3000/x"));
        for bad in [
            "example.com",
            "javascript://x.y",
            "https://",
            "https://a b.com",
            "https://nodot",
        ] {
            assert!(!is_valid_url(bad), "{bad}");
        }
    }

    #[test]
    fn email_format() {
        for good in [
            "a@b.fr",
            "first.last+tag@sub.example.com",
            "x@xn--bcher-kva.ch",
        ] {
            assert!(is_valid_email(good), "{good}");
        }
        for bad in [
            "",
            "a",
            "a@",
            "@b.fr",
            "a@b",
            "a..b@c.fr",
            "a@-b.fr",
            "a b@c.fr",
            "a@b.c",
        ] {
            assert!(!is_valid_email(bad), "{bad}");
        }
    }
}
