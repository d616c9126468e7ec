//! A small multipart/form-data parser (RFC 7578 on top of RFC 2046).
//!
//! Hand-written because the documents function must stay under 6 MB and
//! multer + encoding_rs are too heavy for one form with one file.
//!
//! Line endings: the first delimiter line decides. If it ends in CRLF (every
//! browser, curl) only `CRLF--boundary` ends a part, so a bare LF followed by
//! the boundary inside a file stays file data. If it ends in a bare LF
//! (hand-made requests, some scripts), `LF--boundary` ends a part and an
//! optional CR before it is dropped. Header lines accept either ending.

use std::fmt;

use shared::percent;

pub const MAX_PARTS: usize = 16;
/// Per part, blank line included.
pub const MAX_PART_HEADER_BYTES: usize = 8 * 1024;
/// For non-file values.
pub const MAX_FIELD_BYTES: usize = 64 * 1024;
pub const MAX_BOUNDARY_LEN: usize = 70;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Form {
    /// Non-file fields in body order; a name may repeat.
    pub fields: Vec<(String, String)>,
    pub file: Option<FilePart>,
}

impl Form {
    /// First value of a field.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilePart {
    /// The part's `name` (normally "file").
    pub field_name: String,
    /// `filename*` if present and decodable, else `filename`; uncleaned.
    pub file_name: Option<String>,
    /// The part's Content-Type, trimmed; `None` if absent or blank.
    pub content_type: Option<String>,
    /// Possibly empty: refusing empty files is the caller's decision.
    pub bytes: Vec<u8>,
}

/// Why a body was refused. Display is the bare reason, for
/// "Multipart form parse error - <reason>".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MultipartError(pub String);

impl fmt::Display for MultipartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MultipartError {}

fn error(reason: impl Into<String>) -> MultipartError {
    MultipartError(reason.into())
}

/// Quotes a client-chosen name for an error message; Debug escapes control
/// characters, and the length cap keeps messages short.
fn shown(name: &str) -> String {
    let short: String = name.chars().take(64).collect();
    format!("{short:?}")
}

/// Extracts the boundary from the request's Content-Type header value, e.g.
/// `multipart/form-data; boundary=xyz` or `boundary="x y z"`.
pub fn boundary(content_type: &str) -> Result<String, MultipartError> {
    let (essence, params) = content_type.split_once(';').unwrap_or((content_type, ""));
    if !essence.trim().eq_ignore_ascii_case("multipart/form-data") {
        return Err(error("content type is not multipart/form-data"));
    }
    let boundary = parse_params(params)?
        .into_iter()
        .find(|(name, _)| name == "boundary")
        .map(|(_, value)| value)
        .ok_or_else(|| error("missing boundary parameter"))?;
    check_boundary(&boundary)?;
    Ok(boundary)
}

/// RFC 2046 bchars: 1..=70 of DIGIT ALPHA '()+_,-./:=? and space, not ending
/// in a space. This also guarantees the boundary has no CR or LF, which the
/// delimiter search relies on.
fn check_boundary(boundary: &str) -> Result<(), MultipartError> {
    let b = boundary.as_bytes();
    if b.is_empty() || b.len() > MAX_BOUNDARY_LEN {
        return Err(error("boundary must be 1 to 70 characters"));
    }
    let allowed = |c: u8| c.is_ascii_alphanumeric() || b"'()+_,-./:=? ".contains(&c);
    if !b.iter().all(|&c| allowed(c)) || b.ends_with(b" ") {
        return Err(error("boundary contains invalid characters"));
    }
    Ok(())
}

/// Parses `; name=value; name="quoted"` parameter lists. Names are
/// lower-cased; a name without `=` gets an empty value.
fn parse_params(s: &str) -> Result<Vec<(String, String)>, MultipartError> {
    let mut params = Vec::new();
    let mut rest = s;
    loop {
        rest = rest.trim_start_matches(|c: char| c == ';' || c.is_ascii_whitespace());
        if rest.is_empty() {
            return Ok(params);
        }
        let name_end = rest.find(['=', ';']).unwrap_or(rest.len());
        let name = rest[..name_end].trim().to_ascii_lowercase();
        rest = &rest[name_end..];
        let mut value = String::new();
        if let Some(after_eq) = rest.strip_prefix('=') {
            let after_eq = after_eq.trim_start();
            if let Some(quoted) = after_eq.strip_prefix('"') {
                let (unquoted, remaining) = unquote(quoted)?;
                value = unquoted;
                rest = remaining;
            } else {
                let end = after_eq.find(';').unwrap_or(after_eq.len());
                value = after_eq[..end].trim().to_string();
                rest = &after_eq[end..];
            }
        }
        if !name.is_empty() {
            params.push((name, value));
        }
    }
}

/// Reads a quoted string whose opening quote is already consumed; returns the
/// value and what follows the closing quote.
///
/// Only `\"` and `\\` are escapes. Any other backslash is kept, because old
/// IE sends unescaped Windows paths (`filename="C:\Users\me\a.pdf"`) and the
/// path must survive for clean_file_name to strip it.
fn unquote(s: &str) -> Result<(String, &str), MultipartError> {
    let mut value = String::new();
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((value, &s[i + 1..])),
            '\\' => match chars.peek() {
                Some(&(_, next @ ('"' | '\\'))) => {
                    value.push(next);
                    chars.next();
                }
                _ => value.push('\\'),
            },
            _ => value.push(c),
        }
    }
    Err(error("unterminated quoted string in part header"))
}

/// Decodes an RFC 5987 ext-value (`charset'lang'pct-encoded`). `None` means
/// unusable, and the caller falls back to plain `filename` (RFC 6266 §4.3).
fn decode_ext_value(value: &str) -> Option<String> {
    let mut pieces = value.splitn(3, '\'');
    let charset = pieces.next()?;
    let _language = pieces.next()?;
    let bytes = percent::decode(pieces.next()?)?;
    if charset.eq_ignore_ascii_case("utf-8") {
        String::from_utf8(bytes).ok()
    } else if charset.eq_ignore_ascii_case("iso-8859-1") {
        // Latin-1 bytes are exactly the first 256 code points.
        Some(bytes.into_iter().map(char::from).collect())
    } else {
        None
    }
}

/// Finds `needle` in `hay[from..]`, returning the absolute index.
///
/// Linear time: the needle's first byte (CR or LF) never occurs again in the
/// needle, because boundaries cannot contain CR or LF. So after a partial
/// match of `k` bytes, no match can start inside those `k` bytes and the scan
/// resumes after them; every byte is examined a bounded number of times even
/// on adversarial near-miss input.
fn find_from(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let first = *needle.first()?;
    let mut i = from;
    while i < hay.len() {
        i += hay[i..].iter().position(|&b| b == first)?;
        let matched = hay[i..]
            .iter()
            .zip(needle)
            .take_while(|(a, b)| a == b)
            .count();
        if matched == needle.len() {
            return Some(i);
        }
        i += matched.max(1);
    }
    None
}

/// What follows `--boundary`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Next {
    /// `--`: the close delimiter; anything after is epilogue.
    Close,
    /// A part starts at this index; `crlf` tells how the line ended.
    Part { start: usize, crlf: bool },
}

/// Checks the text after a candidate `--boundary`: either `--`, or optional
/// transport padding then a line end. Anything else means the match was a
/// longer string that merely starts with the boundary, i.e. data.
fn after_delimiter(body: &[u8], at: usize) -> Option<Next> {
    let rest = body.get(at..)?;
    if rest.starts_with(b"--") {
        return Some(Next::Close);
    }
    let padding = rest
        .iter()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count();
    let rest = &rest[padding..];
    if rest.starts_with(b"\r\n") {
        Some(Next::Part {
            start: at + padding + 2,
            crlf: true,
        })
    } else if rest.starts_with(b"\n") {
        Some(Next::Part {
            start: at + padding + 1,
            crlf: false,
        })
    } else {
        None
    }
}

/// The next real delimiter at or after `from`: (index where `needle`
/// starts, what follows).
fn next_delimiter(body: &[u8], from: usize, needle: &[u8]) -> Option<(usize, Next)> {
    let mut i = from;
    loop {
        let at = find_from(body, i, needle)?;
        if let Some(next) = after_delimiter(body, at + needle.len()) {
            return Some((at, next));
        }
        // No match can start inside this one (see find_from).
        i = at + needle.len();
    }
}

/// Parses a multipart/form-data body. `boundary` is the value returned by
/// [`boundary`] (without the leading dashes).
pub fn parse(body: &[u8], boundary: &str) -> Result<Form, MultipartError> {
    check_boundary(boundary)?;
    let dash_boundary = [b"--", boundary.as_bytes()].concat();

    // The first delimiter may follow a preamble, but must start a line.
    let at_start = if body.starts_with(&dash_boundary) {
        after_delimiter(body, dash_boundary.len())
    } else {
        None
    };
    let first = at_start.or_else(|| {
        let needle = [b"\n", dash_boundary.as_slice()].concat();
        next_delimiter(body, 0, &needle).map(|(_, next)| next)
    });
    let mut next = first.ok_or_else(|| error("no boundary found in body"))?;

    let crlf = matches!(next, Next::Part { crlf: true, .. });
    let needle = if crlf {
        [b"\r\n", dash_boundary.as_slice()].concat()
    } else {
        [b"\n", dash_boundary.as_slice()].concat()
    };

    let mut form = Form::default();
    let mut parts = 0;
    while let Next::Part { start, .. } = next {
        parts += 1;
        if parts > MAX_PARTS {
            return Err(error(format!("too many parts (at most {MAX_PARTS})")));
        }
        let (headers, content_start) = read_headers(body, start)?;
        let (end, following) = next_delimiter(body, content_start, &needle)
            .ok_or_else(|| error("missing closing boundary"))?;
        let mut content = &body[content_start..end];
        if !crlf {
            // LF mode: a CR before the LF still belongs to the line break.
            content = content.strip_suffix(b"\r").unwrap_or(content);
        }
        add_part(&mut form, &headers, content)?;
        next = following;
    }
    Ok(form)
}

type Headers = Vec<(String, String)>;

/// Reads part headers starting at `start`; returns them (names lower-cased)
/// and the index where the content begins.
fn read_headers(body: &[u8], start: usize) -> Result<(Headers, usize), MultipartError> {
    let mut headers: Headers = Vec::new();
    let limit = start.saturating_add(MAX_PART_HEADER_BYTES).min(body.len());
    let mut pos = start;
    loop {
        // Searching only up to the limit keeps a newline-free body cheap.
        let Some(rel) = body
            .get(pos..limit)
            .and_then(|w| w.iter().position(|&b| b == b'\n'))
        else {
            return Err(if limit < body.len() {
                error(format!("part headers exceed {MAX_PART_HEADER_BYTES} bytes"))
            } else {
                error("unterminated part headers")
            });
        };
        let line = &body[pos..pos + rel];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        pos += rel + 1;
        if line.is_empty() {
            return Ok((headers, pos));
        }
        let line = String::from_utf8_lossy(line);
        if line.starts_with([' ', '\t']) {
            // Obsolete folding: a continuation of the previous header.
            let (_, value) = headers
                .last_mut()
                .ok_or_else(|| error("malformed part header"))?;
            value.push(' ');
            value.push_str(line.trim());
            continue;
        }
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| error("malformed part header"))?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
}

fn header<'h>(headers: &'h Headers, name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

fn add_part(form: &mut Form, headers: &Headers, content: &[u8]) -> Result<(), MultipartError> {
    let disposition = header(headers, "content-disposition")
        .ok_or_else(|| error("part without Content-Disposition header"))?;
    let (kind, params) = disposition.split_once(';').unwrap_or((disposition, ""));
    if !kind.trim().eq_ignore_ascii_case("form-data") {
        return Err(error("part Content-Disposition is not form-data"));
    }
    let params = parse_params(params)?;
    let param = |wanted: &str| {
        params
            .iter()
            .find(|(n, _)| n == wanted)
            .map(|(_, v)| v.as_str())
    };
    let name = param("name")
        .ok_or_else(|| error("part without a name"))?
        .to_string();
    let has_file_name = param("filename").is_some() || param("filename*").is_some();

    if has_file_name || name == "file" {
        if form.file.is_some() {
            return Err(error("more than one file"));
        }
        let file_name = param("filename*")
            .and_then(decode_ext_value)
            .or_else(|| param("filename").map(str::to_string));
        let content_type = header(headers, "content-type")
            .filter(|v| !v.is_empty())
            .map(str::to_string);
        form.file = Some(FilePart {
            field_name: name,
            file_name,
            content_type,
            bytes: content.to_vec(),
        });
        return Ok(());
    }

    if content.len() > MAX_FIELD_BYTES {
        return Err(error(format!(
            "field {} exceeds {MAX_FIELD_BYTES} bytes",
            shown(&name)
        )));
    }
    let value = std::str::from_utf8(content)
        .map_err(|_| error(format!("field {} is not valid UTF-8", shown(&name))))?;
    form.fields.push((name, value.to_string()));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CURL: &str = "------------------------d74496d66958873e";
    const WEBKIT: &str = "----WebKitFormBoundary7MA4YWxkTrZu0gW";

    fn reason(result: Result<Form, MultipartError>) -> String {
        result.unwrap_err().to_string()
    }

    /// Joins parts the way browsers and curl do: CRLF line ends, a CRLF
    /// before every delimiter, close delimiter followed by CRLF.
    fn body(boundary: &str, parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        for (headers, content) in parts {
            out.extend(format!("--{boundary}\r\n{headers}\r\n\r\n").as_bytes());
            out.extend(*content);
            out.extend(b"\r\n");
        }
        out.extend(format!("--{boundary}--\r\n").as_bytes());
        out
    }

    fn file_part(name: &str) -> String {
        format!(
            "Content-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/pdf"
        )
    }

    // ---------------------------------------------------------- boundary

    #[test]
    fn boundary_from_curl_and_browser_headers() {
        assert_eq!(
            boundary(&format!("multipart/form-data; boundary={CURL}")).unwrap(),
            CURL
        );
        assert_eq!(
            boundary(&format!("multipart/form-data; boundary={WEBKIT}")).unwrap(),
            WEBKIT
        );
    }

    #[test]
    fn boundary_forms() {
        assert_eq!(
            boundary("multipart/form-data; boundary=\"x y z\"").unwrap(),
            "x y z"
        );
        assert_eq!(boundary("Multipart/Form-Data;BOUNDARY=abc").unwrap(), "abc");
        assert_eq!(
            boundary("multipart/form-data; charset=utf-8; boundary=abc; foo=\"b;ar\"").unwrap(),
            "abc"
        );
        assert_eq!(
            boundary("multipart/form-data; foo=\"boundary=no\"; boundary = abc ").unwrap(),
            "abc"
        );
        assert_eq!(
            boundary(&format!("multipart/form-data; boundary={}", "a".repeat(70)))
                .unwrap()
                .len(),
            70
        );
        assert_eq!(boundary("multipart/form-data; boundary=a").unwrap(), "a");
    }

    #[test]
    fn boundary_errors() {
        let bad = [
            "application/json",
            "multipart/mixed; boundary=abc",
            "multipart/form-data",
            "multipart/form-data; boundary=",
            "multipart/form-data; boundary=\"\"",
            "multipart/form-data; boundary=\"abc",
            "multipart/form-data; boundary=\"a\r\nb\"",
            "multipart/form-data; boundary=\"abc \"",
            "multipart/form-data; boundary=a\u{e9}",
        ];
        for ct in bad {
            assert!(boundary(ct).is_err(), "{ct:?}");
        }
        let long = format!("multipart/form-data; boundary={}", "a".repeat(71));
        assert_eq!(
            boundary(&long).unwrap_err().to_string(),
            "boundary must be 1 to 70 characters"
        );
        assert_eq!(
            boundary("multipart/form-data").unwrap_err().to_string(),
            "missing boundary parameter"
        );
    }

    // ------------------------------------------------------------- shapes

    #[test]
    fn parses_curl_output() {
        // curl -F file=@scan.pdf -F vehicle_id=42 -F title=Révision
        let raw = format!(
            "--{CURL}\r\n\
             Content-Disposition: form-data; name=\"file\"; filename=\"scan.pdf\"\r\n\
             Content-Type: application/pdf\r\n\
             \r\n\
             %PDF-1.4 data\r\n\
             --{CURL}\r\n\
             Content-Disposition: form-data; name=\"vehicle_id\"\r\n\
             \r\n\
             42\r\n\
             --{CURL}\r\n\
             Content-Disposition: form-data; name=\"title\"\r\n\
             \r\n\
             Révision\r\n\
             --{CURL}--\r\n"
        );
        let form = parse(raw.as_bytes(), CURL).unwrap();
        assert_eq!(
            form.fields,
            vec![
                ("vehicle_id".to_string(), "42".to_string()),
                ("title".to_string(), "Révision".to_string())
            ]
        );
        assert_eq!(form.field("title"), Some("Révision"));
        assert_eq!(form.field("nope"), None);
        let file = form.file.unwrap();
        assert_eq!(file.field_name, "file");
        assert_eq!(file.file_name.as_deref(), Some("scan.pdf"));
        assert_eq!(file.content_type.as_deref(), Some("application/pdf"));
        assert_eq!(file.bytes, b"%PDF-1.4 data");
    }

    #[test]
    fn parses_browser_output() {
        // Chrome: the boundary line has two more dashes than the header value.
        let jpeg: &[u8] = b"\xFF\xD8\xFF\xE0\0\x10JFIF\0\r\n--\r\n\xFF\xD9";
        let mut raw = b"------WebKitFormBoundary7MA4YWxkTrZu0gW\r\n\
Content-Disposition: form-data; name=\"category\"\r\n\
\r\n\
insurance\r\n\
------WebKitFormBoundary7MA4YWxkTrZu0gW\r\n\
Content-Disposition: form-data; name=\"file\"; filename=\"carte grise.jpg\"\r\n\
Content-Type: image/jpeg\r\n\
\r\n"
            .to_vec();
        raw.extend(jpeg);
        raw.extend(b"\r\n------WebKitFormBoundary7MA4YWxkTrZu0gW--\r\n");
        let form = parse(&raw, WEBKIT).unwrap();
        assert_eq!(form.field("category"), Some("insurance"));
        let file = form.file.unwrap();
        assert_eq!(file.file_name.as_deref(), Some("carte grise.jpg"));
        assert_eq!(file.content_type.as_deref(), Some("image/jpeg"));
        assert_eq!(file.bytes, jpeg);
    }

    #[test]
    fn quoted_boundary_with_spaces() {
        let b = boundary("multipart/form-data; boundary=\"my boundary\"").unwrap();
        let raw = body(&b, &[(&file_part("a.pdf"), b"data")]);
        assert_eq!(parse(&raw, &b).unwrap().file.unwrap().bytes, b"data");
    }

    #[test]
    fn preamble_and_epilogue_are_ignored() {
        let mut raw = b"This is a preamble.\r\nIt may mention --b-- freely.\r\n".to_vec();
        raw.extend(body("b", &[(&file_part("a.pdf"), b"data")]));
        raw.extend(b"epilogue --b\r\n junk");
        let form = parse(&raw, "b").unwrap();
        assert_eq!(form.file.unwrap().bytes, b"data");
    }

    #[test]
    fn transport_padding_after_delimiter() {
        let raw = b"--b \t\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nv\r\n--b  \r\n\
Content-Disposition: form-data; name=\"y\"\r\n\r\nw\r\n--b--";
        let form = parse(raw, "b").unwrap();
        assert_eq!(form.field("x"), Some("v"));
        assert_eq!(form.field("y"), Some("w"));
    }

    #[test]
    fn bare_lf_bodies_are_accepted() {
        let raw = b"--b\nContent-Disposition: form-data; name=\"x\"\n\nvalue\n--b\n\
Content-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\n\nline1\nline2\n--b--\n";
        let form = parse(raw, "b").unwrap();
        assert_eq!(form.field("x"), Some("value"));
        assert_eq!(form.file.unwrap().bytes, b"line1\nline2");
        // A CR just before the LF delimiter is part of the line break.
        let mixed = b"--b\nContent-Disposition: form-data; name=\"x\"\n\nvalue\r\n--b--";
        assert_eq!(parse(mixed, "b").unwrap().field("x"), Some("value"));
    }

    #[test]
    fn crlf_bodies_keep_lf_boundary_lookalikes_as_data() {
        let content = b"a\n--b\nstill data";
        let raw = body("b", &[(&file_part("a.pdf"), content)]);
        assert_eq!(parse(&raw, "b").unwrap().file.unwrap().bytes, content);
    }

    #[test]
    fn no_parts_at_all() {
        let form = parse(b"--b--\r\n", "b").unwrap();
        assert_eq!(form, Form::default());
    }

    // --------------------------------------------------------- file part

    #[test]
    fn binary_content_is_exact() {
        let mut content = Vec::new();
        content.extend(b"\r\n\r\n--\r\n--b\r--bX\r\n--bound\r\n-\n\r\r\n--");
        content.extend((0u8..=255).collect::<Vec<_>>());
        content.extend(b"\r\n--bounda\r\n--boundar\r\n--boundaryX\r\n--boundary\t-");
        content.extend(b"\r");
        let raw = body("boundary", &[(&file_part("a.bin"), &content)]);
        let file = parse(&raw, "boundary").unwrap().file.unwrap();
        assert_eq!(file.bytes, content);
    }

    #[test]
    fn content_ending_with_cr_lf_keeps_them() {
        for content in [&b"x\r\n"[..], b"x\r", b"x\n", b"\r\n", b"\n\n"] {
            let raw = body("b", &[(&file_part("a.pdf"), content)]);
            assert_eq!(parse(&raw, "b").unwrap().file.unwrap().bytes, content);
        }
    }

    #[test]
    fn empty_file_is_allowed_by_the_parser() {
        let raw = body("b", &[(&file_part("empty.pdf"), b"")]);
        let file = parse(&raw, "b").unwrap().file.unwrap();
        assert!(file.bytes.is_empty());
        assert_eq!(file.file_name.as_deref(), Some("empty.pdf"));
    }

    #[test]
    fn file_part_without_content_type() {
        let raw = body(
            "b",
            &[(
                "Content-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"",
                b"data",
            )],
        );
        let file = parse(&raw, "b").unwrap().file.unwrap();
        assert_eq!(file.content_type, None);
        let blank = body(
            "b",
            &[(
                "Content-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\nContent-Type:",
                b"data",
            )],
        );
        assert_eq!(parse(&blank, "b").unwrap().file.unwrap().content_type, None);
    }

    #[test]
    fn file_part_is_found_by_filename_or_by_name() {
        // Named "file" without filename.
        let raw = body(
            "b",
            &[("Content-Disposition: form-data; name=\"file\"", b"\xFF\xFE")],
        );
        let file = parse(&raw, "b").unwrap().file.unwrap();
        assert_eq!(file.file_name, None);
        assert_eq!(file.bytes, b"\xFF\xFE");

        // Another name, with an empty filename (browser: no file chosen).
        let raw = body(
            "b",
            &[(
                "Content-Disposition: form-data; name=\"upload\"; filename=\"\"",
                b"",
            )],
        );
        let form = parse(&raw, "b").unwrap();
        let file = form.file.unwrap();
        assert_eq!(file.field_name, "upload");
        assert_eq!(file.file_name.as_deref(), Some(""));
        assert!(form.fields.is_empty());
    }

    #[test]
    fn second_file_is_refused() {
        let raw = body(
            "b",
            &[
                (&file_part("a.pdf"), b"1"),
                (
                    "Content-Disposition: form-data; name=\"other\"; filename=\"b.pdf\"",
                    b"2",
                ),
            ],
        );
        assert_eq!(reason(parse(&raw, "b")), "more than one file");
        let raw = body(
            "b",
            &[
                (&file_part("a.pdf"), b"1"),
                ("Content-Disposition: form-data; name=\"file\"", b"2"),
            ],
        );
        assert_eq!(reason(parse(&raw, "b")), "more than one file");
    }

    #[test]
    fn filename_star_is_preferred() {
        let raw = body(
            "b",
            &[(
                "Content-Disposition: form-data; name=\"file\"; filename=\"cafe.pdf\"; filename*=UTF-8''caf%C3%A9.pdf",
                b"x",
            )],
        );
        let file = parse(&raw, "b").unwrap().file.unwrap();
        assert_eq!(file.file_name.as_deref(), Some("café.pdf"));

        // Order does not matter; charset is case-insensitive; language kept out.
        let raw = body(
            "b",
            &[(
                "content-disposition: form-data; filename*=utf-8'fr'%C3%A9t%C3%A9.pdf; name=file; filename=ete.pdf",
                b"x",
            )],
        );
        assert_eq!(
            parse(&raw, "b").unwrap().file.unwrap().file_name.as_deref(),
            Some("été.pdf")
        );

        let raw = body(
            "b",
            &[(
                "Content-Disposition: form-data; name=\"file\"; filename*=ISO-8859-1''caf%E9.pdf",
                b"x",
            )],
        );
        assert_eq!(
            parse(&raw, "b").unwrap().file.unwrap().file_name.as_deref(),
            Some("café.pdf")
        );
    }

    #[test]
    fn broken_filename_star_falls_back_to_filename() {
        for star in [
            "UTF-8''%ZZ.pdf",
            "UTF-8''%FF.pdf",
            "KOI8-R''x.pdf",
            "no-quotes",
        ] {
            let headers = format!(
                "Content-Disposition: form-data; name=\"file\"; filename*={star}; filename=\"plain.pdf\""
            );
            let raw = body("b", &[(&headers, b"x")]);
            let file = parse(&raw, "b").unwrap().file.unwrap();
            assert_eq!(file.file_name.as_deref(), Some("plain.pdf"), "{star}");
        }
        // Only a broken filename*: still the file part, no name.
        let raw = body(
            "b",
            &[(
                "Content-Disposition: form-data; name=\"doc\"; filename*=UTF-8''%ZZ",
                b"x",
            )],
        );
        let file = parse(&raw, "b").unwrap().file.unwrap();
        assert_eq!(file.file_name, None);
    }

    #[test]
    fn quoted_strings_and_tokens() {
        let raw = body(
            "b",
            &[(
                r#"Content-Disposition: form-data; name=file; filename="a \"quoted\" \\ name;x=y.pdf""#,
                b"x",
            )],
        );
        let file = parse(&raw, "b").unwrap().file.unwrap();
        assert_eq!(
            file.file_name.as_deref(),
            Some(r#"a "quoted" \ name;x=y.pdf"#)
        );

        // Old IE: full Windows path with unescaped backslashes.
        let raw = body(
            "b",
            &[(
                r#"Content-Disposition: form-data; name="file"; filename="C:\Users\me\facture.pdf""#,
                b"x",
            )],
        );
        let file = parse(&raw, "b").unwrap().file.unwrap();
        assert_eq!(file.file_name.as_deref(), Some(r"C:\Users\me\facture.pdf"));

        let raw = body(
            "b",
            &[(
                "Content-Disposition: form-data; name=\"file\"; filename=\"unterminated",
                b"x",
            )],
        );
        assert_eq!(
            reason(parse(&raw, "b")),
            "unterminated quoted string in part header"
        );
    }

    #[test]
    fn raw_utf8_and_hostile_file_names_pass_through_uncleaned() {
        for name in ["invoice\u{202E}fdp.exe", "../../etc/passwd", "日本.pdf"] {
            let raw = body("b", &[(&file_part(name), b"x")]);
            let file = parse(&raw, "b").unwrap().file.unwrap();
            assert_eq!(file.file_name.as_deref(), Some(name));
        }
    }

    // ------------------------------------------------------------ headers

    #[test]
    fn header_names_are_case_insensitive() {
        let raw = body(
            "b",
            &[(
                "CONTENT-DISPOSITION: Form-Data; NAME=\"file\"; FILENAME=\"a.pdf\"\r\ncontent-type:   application/pdf  ",
                b"x",
            )],
        );
        let file = parse(&raw, "b").unwrap().file.unwrap();
        assert_eq!(file.file_name.as_deref(), Some("a.pdf"));
        assert_eq!(file.content_type.as_deref(), Some("application/pdf"));
    }

    #[test]
    fn folded_header_lines_are_joined() {
        let raw = body(
            "b",
            &[(
                "Content-Disposition: form-data;\r\n name=\"file\";\r\n\tfilename=\"a.pdf\"",
                b"x",
            )],
        );
        let file = parse(&raw, "b").unwrap().file.unwrap();
        assert_eq!(file.file_name.as_deref(), Some("a.pdf"));
    }

    #[test]
    fn header_errors() {
        let cases: [(&str, &str); 5] = [
            (
                "Content-Type: text/plain",
                "part without Content-Disposition header",
            ),
            (
                "Content-Disposition: attachment; name=\"x\"",
                "part Content-Disposition is not form-data",
            ),
            (
                "Content-Disposition: form-data; filenamex=1",
                "part without a name",
            ),
            ("no colon here", "malformed part header"),
            (
                " Content-Disposition: form-data; name=x",
                "malformed part header",
            ),
        ];
        for (headers, expected) in cases {
            let raw = body("b", &[(headers, b"x")]);
            assert_eq!(reason(parse(&raw, "b")), expected, "{headers}");
        }
    }

    #[test]
    fn part_headers_limited_to_8_kib() {
        let cd = "Content-Disposition: form-data; name=\"x\"";
        // Block = cd + CRLF + filler line + CRLF + blank line CRLF.
        let exact = MAX_PART_HEADER_BYTES - cd.len() - 2 - 2 - 2;
        let filler = format!("X-Pad: {}", "p".repeat(exact - 7));
        let ok = body("b", &[(&format!("{cd}\r\n{filler}"), b"v")]);
        assert_eq!(parse(&ok, "b").unwrap().field("x"), Some("v"));
        let filler = format!("X-Pad: {}", "p".repeat(exact - 6));
        let too_big = body("b", &[(&format!("{cd}\r\n{filler}"), b"v")]);
        assert_eq!(
            reason(parse(&too_big, "b")),
            "part headers exceed 8192 bytes"
        );
    }

    #[test]
    fn unterminated_headers() {
        let raw = b"--b\r\nContent-Disposition: form-data; name=\"x\"\r\n";
        assert_eq!(reason(parse(raw, "b")), "unterminated part headers");
    }

    // ------------------------------------------------------------- fields

    #[test]
    fn repeated_fields_are_kept_in_order() {
        let cd = "Content-Disposition: form-data; name=\"tag\"";
        let raw = body("b", &[(cd, b"a"), (cd, b"b"), (cd, b"")]);
        let form = parse(&raw, "b").unwrap();
        let tags: Vec<_> = form.fields.iter().map(|(_, v)| v.as_str()).collect();
        assert_eq!(tags, ["a", "b", ""]);
        assert!(form.file.is_none());
    }

    #[test]
    fn field_values_must_be_utf8() {
        let raw = body(
            "b",
            &[("Content-Disposition: form-data; name=\"title\"", b"caf\xE9")],
        );
        assert_eq!(
            reason(parse(&raw, "b")),
            "field \"title\" is not valid UTF-8"
        );
    }

    #[test]
    fn field_values_are_limited_to_64_kib() {
        let cd = "Content-Disposition: form-data; name=\"notes\"";
        let max = vec![b'n'; MAX_FIELD_BYTES];
        let raw = body("b", &[(cd, &max)]);
        assert_eq!(
            parse(&raw, "b").unwrap().field("notes").unwrap().len(),
            MAX_FIELD_BYTES
        );
        let over = vec![b'n'; MAX_FIELD_BYTES + 1];
        let raw = body("b", &[(cd, &over)]);
        assert_eq!(
            reason(parse(&raw, "b")),
            "field \"notes\" exceeds 65536 bytes"
        );
    }

    #[test]
    fn error_messages_escape_field_names() {
        let raw = body(
            "b",
            &[(
                "Content-Disposition: form-data; name=\"a\u{1b}[31m\"",
                b"\xFF",
            )],
        );
        assert_eq!(
            reason(parse(&raw, "b")),
            "field \"a\\u{1b}[31m\" is not valid UTF-8"
        );
    }

    #[test]
    fn at_most_16_parts() {
        let cd = "Content-Disposition: form-data; name=\"f\"";
        let sixteen: Vec<(&str, &[u8])> = vec![(cd, b"v"); 16];
        assert_eq!(parse(&body("b", &sixteen), "b").unwrap().fields.len(), 16);
        let seventeen: Vec<(&str, &[u8])> = vec![(cd, b"v"); 17];
        assert_eq!(
            reason(parse(&body("b", &seventeen), "b")),
            "too many parts (at most 16)"
        );
    }

    // ---------------------------------------------------------- structure

    #[test]
    fn missing_closing_boundary() {
        let full = body("b", &[(&file_part("a.pdf"), b"data")]);
        // Cut before, inside and just after the close delimiter's dashes.
        for cut in [full.len() - 9, full.len() - 5, full.len() - 4] {
            assert_eq!(
                reason(parse(&full[..cut], "b")),
                "missing closing boundary",
                "cut at {cut}"
            );
        }
        let no_close = b"--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nv\r\n";
        assert_eq!(reason(parse(no_close, "b")), "missing closing boundary");
    }

    #[test]
    fn no_boundary_in_body() {
        assert_eq!(reason(parse(b"", "b")), "no boundary found in body");
        assert_eq!(reason(parse(b"hello", "b")), "no boundary found in body");
        // Boundary not at a line start, or followed by other text.
        assert_eq!(reason(parse(b"x--b\r\n", "b")), "no boundary found in body");
        assert_eq!(reason(parse(b"--bc\r\n", "b")), "no boundary found in body");
        let wrong = body("other", &[(&file_part("a.pdf"), b"x")]);
        assert_eq!(reason(parse(&wrong, "b")), "no boundary found in body");
    }

    #[test]
    fn longer_boundary_at_body_start_is_skipped() {
        let mut raw = b"--bX\r\n".to_vec();
        raw.extend(body(
            "b",
            &[("Content-Disposition: form-data; name=\"x\"", b"v")],
        ));
        assert_eq!(parse(&raw, "b").unwrap().field("x"), Some("v"));
    }

    #[test]
    fn parse_validates_the_boundary() {
        assert!(parse(b"--\r\n", "").is_err());
        assert!(parse(b"--a\nb\r\n", "a\nb").is_err());
        assert!(parse(b"", &"a".repeat(71)).is_err());
    }

    #[test]
    fn error_display_is_the_reason() {
        let e = MultipartError("missing closing boundary".into());
        assert_eq!(
            format!("Multipart form parse error - {e}"),
            "Multipart form parse error - missing closing boundary"
        );
    }

    // ------------------------------------------------- adversarial inputs

    const FOUR_MB: usize = 4 * 1024 * 1024;

    fn big_file_body(filler: &[u8], boundary: &str) -> (Vec<u8>, usize) {
        let mut content = Vec::with_capacity(FOUR_MB + filler.len());
        while content.len() < FOUR_MB {
            content.extend(filler);
        }
        let len = content.len();
        (body(boundary, &[(&file_part("big.pdf"), &content)]), len)
    }

    #[test]
    fn near_miss_floods_complete() {
        let b = "boundary1234567890";
        let fillers: [&[u8]; 5] = [
            b"\r\n--boundary123456789",    // one byte short
            b"\r\n--boundary1234567890X",  // full match, wrong suffix
            b"\r\n--boundary1234567890 x", // padding then not a line end
            b"\r\r\r\r\r\r\r\r",
            b"\r\n\r\n-",
        ];
        for filler in fillers {
            let (raw, len) = big_file_body(filler, b);
            let file = parse(&raw, b).unwrap().file.unwrap();
            assert_eq!(file.bytes.len(), len);
        }
    }

    #[test]
    fn big_bodies_without_delimiters_complete() {
        let mut raw = b"--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n".to_vec();
        raw.extend(std::iter::repeat_n(b'\n', FOUR_MB));
        assert_eq!(reason(parse(&raw, "b")), "missing closing boundary");
        // A preamble full of LF-dash near-misses.
        let mut raw = Vec::new();
        while raw.len() < FOUR_MB {
            raw.extend(b"\n--");
        }
        assert_eq!(reason(parse(&raw, "b")), "no boundary found in body");
        // Headers without a newline stop at the 8 KiB limit.
        let mut raw = b"--b\r\n".to_vec();
        raw.extend(vec![b'h'; FOUR_MB]);
        assert_eq!(reason(parse(&raw, "b")), "part headers exceed 8192 bytes");
    }

    // ------------------------------------------------------- no panics

    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0 = x;
            x
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = XorShift(0xDEAD_BEEF_CAFE_F00D);
        // A small alphabet makes delimiters and headers likely to appear.
        let tokens: [&[u8]; 12] = [
            b"\r\n",
            b"\n",
            b"\r",
            b"--",
            b"b",
            b"--b",
            b"\r\n--b",
            b"\r\n\r\n",
            b"Content-Disposition: form-data; name=\"file\"; filename=\"",
            b"; filename*=UTF-8''%",
            b"\"",
            b"\xFF",
        ];
        for i in 0..100_000 {
            let len = rng.below(64);
            let mut raw = Vec::new();
            for _ in 0..len {
                if i % 2 == 0 {
                    raw.extend(tokens[rng.below(tokens.len())]);
                } else {
                    raw.push(rng.next() as u8);
                }
            }
            let _ = parse(&raw, "b");
        }
    }

    #[test]
    fn truncated_and_mutated_valid_bodies_never_panic() {
        let valid = body(
            CURL,
            &[
                (&file_part("a.pdf"), b"%PDF-1.4\r\n--x\r\n"),
                ("Content-Disposition: form-data; name=\"t\"", "é".as_bytes()),
            ],
        );
        for n in 0..=valid.len().min(600) {
            let _ = parse(&valid[..n], CURL);
            let _ = parse(&valid[valid.len() - n..], CURL);
        }
        let mut rng = XorShift(7);
        for _ in 0..20_000 {
            let mut raw = valid.clone();
            for _ in 0..1 + rng.below(3) {
                let at = rng.below(raw.len());
                raw[at] = [b'\r', b'\n', b'-', b'"', b';', b'\\', 0xFF][rng.below(7)];
            }
            let _ = parse(&raw, CURL);
        }
    }

    #[test]
    fn random_content_types_never_panic() {
        let mut rng = XorShift(99);
        let alphabet = b"multipart/form-data; boundary=\"\\ \t\r\n;=\xC3\xA9abc";
        for _ in 0..50_000 {
            let len = rng.below(60);
            let bytes: Vec<u8> = (0..len)
                .map(|_| alphabet[rng.below(alphabet.len())])
                .collect();
            let _ = boundary(&String::from_utf8_lossy(&bytes));
        }
    }
}
