//! Stripe webhook signatures (the `Stripe-Signature` header).
//!
//! Stripe signs each delivery as `t=<unix seconds>,v1=<hex>[,v1=<hex>...]`,
//! where each `v1` is the hex HMAC-SHA256 of `"<t>.<raw body>"` keyed with one
//! of the endpoint's active secrets: during a secret rotation it sends one
//! `v1` per secret, in no promised order. So every `v1` is checked against
//! every configured secret, never only the first or the last.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::{Choice, ConstantTimeEq};

/// How far `t` may be from now, either way (Stripe's own libraries use 300 s).
pub const TOLERANCE_SECONDS: i64 = 300;

/// Longest header accepted. Stripe's are about 150 bytes (a few more with a
/// rotation); the cap bounds the parsing work an attacker can cause.
pub const MAX_HEADER_BYTES: usize = 4096;

/// Most `v1` values accepted in one header. Stripe sends one per active
/// secret; a header with more is not Stripe's, and is refused whole rather
/// than partly read (which would make the outcome depend on the order).
pub const MAX_SIGNATURES: usize = 16;

/// The length of an HMAC-SHA256 value.
const MAC_BYTES: usize = 32;

/// Why a delivery is not accepted as Stripe's. All of these answer
/// `400 {"error": "Invalid signature"}`; the variants are for logs and tests.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("missing Stripe-Signature header")]
    MissingHeader,
    #[error("malformed Stripe-Signature header")]
    Malformed,
    #[error("no v1 signature in the Stripe-Signature header")]
    NoSignature,
    #[error("no v1 signature matches a configured webhook secret")]
    Mismatch,
    #[error("Stripe-Signature timestamp is outside the {TOLERANCE_SECONDS} s tolerance")]
    TooOld,
}

type HmacSha256 = Hmac<Sha256>;

/// Verifies `header` (the `Stripe-Signature` value) for `payload` (the raw
/// request body, exactly as received) against any of `secrets`.
///
/// - Parts are comma-separated `key=value`, whitespace around them ignored;
///   `t` must appear exactly once (digits only); schemes other than `v1`
///   (such as Stripe's test-mode `v0`) are ignored.
/// - A `v1` is compared as the 32 bytes it encodes, in constant time, so
///   upper-case hex is accepted too (Stripe sends lower case; the case of
///   the hex does not change the MAC it spells). A `v1` that is not 64 hex
///   digits simply matches nothing.
/// - Empty secrets are skipped: HMAC accepts an empty key, and anyone can
///   sign with it. No usable secret means [`SignatureError::Mismatch`]; the
///   caller should not get this far (no secret configured answers 503).
/// - The signature is checked before the timestamp, as Stripe's libraries
///   do, so [`SignatureError::TooOld`] means "genuine but stale" (a replay,
///   or a clock off by minutes) rather than "forged".
///
/// `now` is the current unix time in seconds. Returns the signed `t`.
pub fn verify(
    header: Option<&str>,
    payload: &[u8],
    secrets: &[&str],
    now: i64,
) -> Result<i64, SignatureError> {
    let header = header.ok_or(SignatureError::MissingHeader)?;
    // A header sent empty is as good as absent.
    if header.trim().is_empty() {
        return Err(SignatureError::MissingHeader);
    }
    let parsed = parse(header)?;

    let mut matched = Choice::from(0);
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        let expected = mac(secret, parsed.t, payload);
        for candidate in &parsed.v1 {
            // Accumulate instead of returning early: which secret or which
            // `v1` matched must not show in the timing.
            matched |= candidate.ct_eq(&expected);
        }
    }
    if !bool::from(matched) {
        return Err(SignatureError::Mismatch);
    }

    if now.abs_diff(parsed.t) > TOLERANCE_SECONDS.unsigned_abs() {
        return Err(SignatureError::TooOld);
    }
    Ok(parsed.t)
}

/// Builds a header as Stripe would: `t=<t>,v1=<hex>` with one `v1` per
/// secret, in the order given (empty secrets included: a test may need a
/// header signed with the empty key). For tests and the local simulator.
pub fn sign(payload: &[u8], secrets: &[&str], t: i64) -> String {
    let mut header = format!("t={t}");
    for secret in secrets {
        header.push_str(",v1=");
        header.push_str(&hex::encode(mac(secret, t, payload)));
    }
    header
}

/// The parts of a header that matter.
struct Parsed {
    t: i64,
    /// Decoded `v1` values; ones that are not 64 hex digits are dropped.
    v1: Vec<[u8; MAC_BYTES]>,
}

fn parse(header: &str) -> Result<Parsed, SignatureError> {
    if header.len() > MAX_HEADER_BYTES {
        return Err(SignatureError::Malformed);
    }
    let mut t = None;
    let mut v1 = Vec::new();
    let mut v1_seen = 0usize;
    for part in header.split(',') {
        let part = part.trim();
        // Tolerate a stray comma (`t=1,,v1=...` or a trailing one).
        if part.is_empty() {
            continue;
        }
        let (key, value) = part.split_once('=').ok_or(SignatureError::Malformed)?;
        let (key, value) = (key.trim(), value.trim());
        match key {
            "" => return Err(SignatureError::Malformed),
            "t" => {
                if t.is_some() {
                    return Err(SignatureError::Malformed);
                }
                t = Some(parse_timestamp(value)?);
            }
            "v1" => {
                v1_seen += 1;
                if v1_seen > MAX_SIGNATURES {
                    return Err(SignatureError::Malformed);
                }
                let mut bytes = [0u8; MAC_BYTES];
                // Wrong length or not hex: this one cannot match, but
                // another `v1` still may.
                if hex::decode_to_slice(value, &mut bytes).is_ok() {
                    v1.push(bytes);
                }
            }
            // `v0` (test-mode legacy scheme) and anything Stripe adds later.
            _ => {}
        }
    }
    let t = t.ok_or(SignatureError::Malformed)?;
    if v1_seen == 0 {
        return Err(SignatureError::NoSignature);
    }
    Ok(Parsed { t, v1 })
}

/// Unix seconds as plain ASCII digits: no sign, no `+`, no spaces inside
/// (`i64::from_str` alone would take `+5` and `-5`).
fn parse_timestamp(value: &str) -> Result<i64, SignatureError> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SignatureError::Malformed);
    }
    value.parse().map_err(|_| SignatureError::Malformed)
}

fn mac(secret: &str, t: i64, payload: &[u8]) -> [u8; MAC_BYTES] {
    let mut mac =
        HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_750_000_000;
    const SECRET: &str = "whsec_current";
    const OLD_SECRET: &str = "whsec_previous";
    const BODY: &[u8] = br#"{"id":"evt_1","object":"event","type":"invoice.paid"}"#;

    fn hex_mac(secret: &str, t: i64, payload: &[u8]) -> String {
        hex::encode(mac(secret, t, payload))
    }

    fn check(header: &str) -> Result<i64, SignatureError> {
        verify(Some(header), BODY, &[SECRET], NOW)
    }

    #[test]
    fn accepts_a_valid_signature() {
        assert_eq!(check(&sign(BODY, &[SECRET], NOW)), Ok(NOW));
    }

    #[test]
    fn sign_builds_stripe_format() {
        let header = sign(BODY, &[SECRET, OLD_SECRET], 12);
        let expected = format!(
            "t=12,v1={},v1={}",
            hex_mac(SECRET, 12, BODY),
            hex_mac(OLD_SECRET, 12, BODY)
        );
        assert_eq!(header, expected);
        assert!(header.split(",v1=").skip(1).all(|h| h.len() == 64
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))));
    }

    #[test]
    fn matches_known_vector() {
        // Computed independently: printf '1.{}' | openssl dgst -sha256 -hmac key
        assert_eq!(
            hex_mac("key", 1, b"{}"),
            "1ba6b8171186efc613e8bcc0cbdab2748f24984d7c5a84faa2637afa0e40d224"
        );
    }

    #[test]
    fn rotation_first_v1_matches() {
        // Stripe signs with both secrets; we only know the new one.
        let header = sign(BODY, &[SECRET, "whsec_unknown"], NOW);
        assert_eq!(check(&header), Ok(NOW));
    }

    #[test]
    fn rotation_second_v1_matches() {
        // The case async-stripe's older helper got wrong (it kept one v1).
        let header = sign(BODY, &["whsec_unknown", SECRET], NOW);
        assert_eq!(check(&header), Ok(NOW));
    }

    #[test]
    fn rotation_any_configured_secret_matches() {
        // We configured both during the rotation; Stripe signed with the
        // old one only.
        let header = sign(BODY, &[OLD_SECRET], NOW);
        assert_eq!(
            verify(Some(&header), BODY, &[SECRET, OLD_SECRET], NOW),
            Ok(NOW)
        );
        assert_eq!(
            verify(Some(&header), BODY, &[SECRET], NOW),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn tolerates_whitespace_around_parts() {
        let header = format!(" t = {NOW} ,  v1= {} ", hex_mac(SECRET, NOW, BODY));
        assert_eq!(check(&header), Ok(NOW));
        let header = format!("t={NOW},\tv1={},", hex_mac(SECRET, NOW, BODY));
        assert_eq!(check(&header), Ok(NOW));
    }

    #[test]
    fn ignores_v0_and_unknown_schemes() {
        let v1 = hex_mac(SECRET, NOW, BODY);
        let header = format!("t={NOW},v0={},v1={v1},v9=zzz", "00".repeat(32));
        assert_eq!(check(&header), Ok(NOW));
        // A correct MAC under the v0 name is not a v1.
        let header = format!("t={NOW},v0={v1}");
        assert_eq!(check(&header), Err(SignatureError::NoSignature));
    }

    #[test]
    fn missing_header() {
        assert_eq!(
            verify(None, BODY, &[SECRET], NOW),
            Err(SignatureError::MissingHeader)
        );
        assert_eq!(check(""), Err(SignatureError::MissingHeader));
        assert_eq!(check("   "), Err(SignatureError::MissingHeader));
    }

    #[test]
    fn garbage_header() {
        for header in ["garbage", "t", "=1", "t=1;v1=ab", "\u{0}\u{1}", "v1"] {
            assert_eq!(check(header), Err(SignatureError::Malformed), "{header:?}");
        }
    }

    #[test]
    fn missing_t() {
        let header = format!("v1={}", hex_mac(SECRET, NOW, BODY));
        assert_eq!(check(&header), Err(SignatureError::Malformed));
    }

    #[test]
    fn repeated_t() {
        let header = format!("t={NOW},t={NOW},v1={}", hex_mac(SECRET, NOW, BODY));
        assert_eq!(check(&header), Err(SignatureError::Malformed));
    }

    #[test]
    fn non_numeric_t() {
        let v1 = hex_mac(SECRET, NOW, BODY);
        for t in [
            "abc",
            "",
            "+1750000000",
            "-1",
            "1.5",
            "17500 00000",
            "99999999999999999999",
        ] {
            let header = format!("t={t},v1={v1}");
            assert_eq!(check(&header), Err(SignatureError::Malformed), "{t:?}");
        }
    }

    #[test]
    fn no_v1() {
        assert_eq!(check(&format!("t={NOW}")), Err(SignatureError::NoSignature));
        assert_eq!(
            check(&format!("t={NOW},v0=abcd")),
            Err(SignatureError::NoSignature)
        );
    }

    #[test]
    fn wrong_secret() {
        let header = sign(BODY, &["whsec_attacker"], NOW);
        assert_eq!(check(&header), Err(SignatureError::Mismatch));
    }

    #[test]
    fn tampered_payload() {
        let header = sign(BODY, &[SECRET], NOW);
        let tampered = br#"{"id":"evt_1","object":"event","type":"invoice.PAID"}"#;
        assert_eq!(
            verify(Some(&header), tampered, &[SECRET], NOW),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn tampered_timestamp() {
        // The MAC covers t: moving it to look fresh breaks the signature.
        let v1 = hex_mac(SECRET, NOW - 3600, BODY);
        assert_eq!(
            check(&format!("t={NOW},v1={v1}")),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn too_old_and_too_new() {
        for t in [NOW - 301, NOW + 301, 0, NOW - 86_400] {
            let header = sign(BODY, &[SECRET], t);
            assert_eq!(check(&header), Err(SignatureError::TooOld), "t = {t}");
        }
    }

    #[test]
    fn tolerance_bounds_are_inclusive() {
        for t in [NOW - 300, NOW + 300] {
            assert_eq!(check(&sign(BODY, &[SECRET], t)), Ok(t));
        }
    }

    #[test]
    fn huge_t_does_not_overflow() {
        let t = i64::MAX;
        let header = sign(BODY, &[SECRET], t);
        assert_eq!(check(&header), Err(SignatureError::TooOld));
        assert_eq!(
            verify(Some(&header), BODY, &[SECRET], i64::MIN),
            Err(SignatureError::TooOld)
        );
    }

    #[test]
    fn forged_and_old_reports_mismatch() {
        // Signature first: a forgery is a forgery whatever its age.
        let header = sign(BODY, &["whsec_attacker"], NOW - 3600);
        assert_eq!(check(&header), Err(SignatureError::Mismatch));
    }

    #[test]
    fn empty_secret_is_never_used() {
        // Signed with the empty key, as anyone could.
        let forged = sign(BODY, &[""], NOW);
        assert_eq!(
            verify(Some(&forged), BODY, &["", SECRET], NOW),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(Some(&forged), BODY, &[""], NOW),
            Err(SignatureError::Mismatch)
        );
        // An empty entry beside a real one does not get in the way.
        let genuine = sign(BODY, &[SECRET], NOW);
        assert_eq!(verify(Some(&genuine), BODY, &["", SECRET], NOW), Ok(NOW));
    }

    #[test]
    fn no_secrets_at_all() {
        let header = sign(BODY, &[SECRET], NOW);
        assert_eq!(
            verify(Some(&header), BODY, &[], NOW),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn non_hex_v1_is_skipped_not_fatal() {
        let good = hex_mac(SECRET, NOW, BODY);
        let header = format!("t={NOW},v1=not-hex,v1={good}");
        assert_eq!(check(&header), Ok(NOW));
        let short = &good[..62];
        for bad in ["not-hex", "", short, "zz".repeat(32).as_str()] {
            let header = format!("t={NOW},v1={bad}");
            assert_eq!(check(&header), Err(SignatureError::Mismatch), "{bad:?}");
        }
        let long = format!("{good}00");
        assert_eq!(
            check(&format!("t={NOW},v1={long}")),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn uppercase_hex_is_accepted() {
        // Decided: compare the MAC bytes, not their spelling.
        let upper = hex_mac(SECRET, NOW, BODY).to_ascii_uppercase();
        assert_eq!(check(&format!("t={NOW},v1={upper}")), Ok(NOW));
    }

    #[test]
    fn too_long_header_is_malformed() {
        let good = sign(BODY, &[SECRET], NOW);
        let padded = format!("{good},x={}", "a".repeat(MAX_HEADER_BYTES));
        assert_eq!(check(&padded), Err(SignatureError::Malformed));
        // Just under the cap is still read.
        let filler = MAX_HEADER_BYTES - good.len() - ",x=".len();
        let at_cap = format!("{good},x={}", "a".repeat(filler));
        assert_eq!(at_cap.len(), MAX_HEADER_BYTES);
        assert_eq!(check(&at_cap), Ok(NOW));
    }

    #[test]
    fn too_many_v1_is_malformed() {
        let wrong: Vec<String> = (0..MAX_SIGNATURES)
            .map(|i| format!("whsec_other_{i}"))
            .collect();
        let mut secrets: Vec<&str> = wrong.iter().map(String::as_str).collect();
        // 16 v1 with the good one last: read.
        secrets[MAX_SIGNATURES - 1] = SECRET;
        assert_eq!(check(&sign(BODY, &secrets, NOW)), Ok(NOW));
        // 17: refused whole, even though one matches.
        secrets.push("whsec_extra");
        let header = sign(BODY, &secrets, NOW);
        assert!(header.len() < MAX_HEADER_BYTES);
        assert_eq!(check(&header), Err(SignatureError::Malformed));
    }

    #[test]
    fn payload_is_raw_bytes() {
        // Not UTF-8, still signed and verified byte for byte.
        let body = [0xff, 0x00, b'{', 0x80];
        let header = sign(&body, &[SECRET], NOW);
        assert_eq!(verify(Some(&header), &body, &[SECRET], NOW), Ok(NOW));
    }
}
