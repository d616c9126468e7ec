//! Tiny RFC 3986 percent-encoding, enough for RFC 5987 `filename*` values.

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Percent-encodes the UTF-8 bytes of `s`, keeping the bytes for which `keep`
/// returns true. Hex digits are upper-case as RFC 3986 recommends.
pub fn encode(s: &str, keep: impl Fn(u8) -> bool) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        // Only ASCII may be kept verbatim, otherwise a careless `keep` could
        // split a multi-byte character.
        if b.is_ascii() && keep(b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0F)]));
        }
    }
    out
}

/// Decodes `%XX` escapes (either case). Other bytes pass through unchanged
/// (`+` is not a space here: this is RFC 3986, not form encoding).
/// Returns `None` for a `%` not followed by two hex digits.
pub fn decode(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hi = hex_value(*bytes.get(i + 1)?)?;
            let lo = hex_value(*bytes.get(i + 2)?)?;
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    Some(out)
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unreserved(b: u8) -> bool {
        b.is_ascii_alphanumeric() || b"-._~".contains(&b)
    }

    #[test]
    fn encodes_reserved_and_non_ascii() {
        assert_eq!(encode("a b/c", unreserved), "a%20b%2Fc");
        assert_eq!(encode("café", unreserved), "caf%C3%A9");
        assert_eq!(encode("", unreserved), "");
        assert_eq!(encode("%", unreserved), "%25");
    }

    #[test]
    fn keep_cannot_leak_non_ascii_bytes() {
        assert_eq!(encode("é", |_| true), "%C3%A9");
    }

    #[test]
    fn decodes_both_cases() {
        assert_eq!(decode("caf%C3%A9").unwrap(), "café".as_bytes());
        assert_eq!(decode("caf%c3%a9").unwrap(), "café".as_bytes());
        assert_eq!(decode("a+b").unwrap(), b"a+b");
        assert_eq!(decode("").unwrap(), b"");
        assert_eq!(decode("%00%FF").unwrap(), vec![0, 255]);
    }

    #[test]
    fn rejects_malformed_escapes() {
        assert_eq!(decode("%"), None);
        assert_eq!(decode("%4"), None);
        assert_eq!(decode("%G0"), None);
        assert_eq!(decode("abc%2"), None);
        assert_eq!(decode("%%41"), None);
    }

    #[test]
    fn round_trips() {
        for s in [
            "hello world",
            "facture été 2024.pdf",
            "\u{202E}x",
            "日本語",
            "a%b",
        ] {
            let encoded = encode(s, unreserved);
            assert_eq!(decode(&encoded).unwrap(), s.as_bytes());
        }
    }
}
