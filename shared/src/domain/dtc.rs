//! Generic OBD-II fault codes (SAE J2012 / ISO 15031-6): their format, how
//! to find them in free text, and the table of the 9,533 generic codes
//! (titles, components, causes with likelihood, repair cost and hours,
//! flags) that grounds the diagnostics' analyses. The table is embedded
//! gzip-compressed (`shared/data/dtc/`, CC0 data; its origin note is beside
//! it) and decoded once per cold start, on first use: only a binary that
//! calls `CodeTable::embedded` carries it.

use std::collections::HashMap;
use std::io::Read;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// The embedded table, as shipped (`generic-dtc.json.gz`).
const EMBEDDED: &[u8] = include_bytes!("../../data/dtc/generic-dtc.json.gz");

/// One generic code's facts.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct FaultCode {
    pub code: String,
    /// `powertrain`, `body`, `chassis` or `network`.
    pub category: String,
    pub title_en: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_de: Option<String>,
    #[serde(default)]
    pub components: Vec<String>,
    #[serde(default)]
    pub causes: Vec<Cause>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repair: Option<Repair>,
    #[serde(default)]
    pub flags: Flags,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Cause {
    pub id: String,
    /// `high`, `medium` or `low`.
    pub likelihood: String,
    pub en: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Repair {
    /// `easy`, `medium`, `hard` or `shop_only`.
    #[serde(default)]
    pub difficulty: Option<String>,
    #[serde(default)]
    pub diy_possible: Option<bool>,
    /// Euros, [min, max].
    #[serde(default)]
    pub estimated_cost_eur: Option<[f64; 2]>,
    /// Labour hours, [min, max].
    #[serde(default)]
    pub estimated_hours: Option<[f64; 2]>,
}

#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Flags {
    /// The malfunction indicator lamp (check-engine light) comes on.
    #[serde(default)]
    pub mil: bool,
    #[serde(default)]
    pub emissions_relevant: bool,
    #[serde(default)]
    pub drive_cycle_required: bool,
    #[serde(default)]
    pub limp_mode_possible: bool,
}

/// What the table says of a code.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Lookup<'a> {
    Known(&'a FaultCode),
    /// A code reserved to the manufacturers (P1xxx, B1/B2, ...): its
    /// meaning depends on the make.
    ManufacturerSpecific,
    /// A generic code the table does not list.
    Unknown,
}

/// The generic codes, by code.
#[derive(Debug, Default)]
pub struct CodeTable {
    codes: HashMap<String, FaultCode>,
}

impl CodeTable {
    /// The embedded table, decoded on first use (then shared).
    pub fn embedded() -> &'static CodeTable {
        static TABLE: OnceLock<CodeTable> = OnceLock::new();
        TABLE.get_or_init(|| {
            Self::decode(EMBEDDED).unwrap_or_else(|e| {
                // Built into the binary and tested: reaching this is a
                // build defect. An empty table still answers (unknown).
                tracing::error!(error = %e, "the embedded fault-code table does not decode");
                CodeTable::default()
            })
        })
    }

    /// A table from gzip-compressed JSON (an array of rows).
    pub fn decode(gzipped: &[u8]) -> Result<CodeTable, String> {
        let mut json = Vec::new();
        flate2::read::GzDecoder::new(gzipped)
            .read_to_end(&mut json)
            .map_err(|e| format!("gunzip: {e}"))?;
        let rows: Vec<FaultCode> =
            serde_json::from_slice(&json).map_err(|e| format!("json: {e}"))?;
        Ok(CodeTable {
            codes: rows.into_iter().map(|r| (r.code.clone(), r)).collect(),
        })
    }

    pub fn len(&self) -> usize {
        self.codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// What the table says of `code` (normalised first).
    pub fn lookup(&self, code: &str) -> Lookup<'_> {
        let Ok(code) = normalize(code) else {
            return Lookup::Unknown;
        };
        match self.codes.get(&code) {
            Some(facts) => Lookup::Known(facts),
            None if is_manufacturer_specific(&code) => Lookup::ManufacturerSpecific,
            None => Lookup::Unknown,
        }
    }
}

/// The message of a code that is not one.
pub const INVALID_CODE: &str =
    "Enter an OBD-II code: a letter P, B, C or U, then 4 characters (digits 0-9, A-F), e.g. P0301.";

/// A code in its canonical form (upper case, no spaces): `P0301`. The
/// first letter is the system, the second character 0-3, the last three
/// hexadecimal digits.
pub fn normalize(raw: &str) -> Result<String, &'static str> {
    let code: String = raw.trim().to_ascii_uppercase();
    let bytes = code.as_bytes();
    let valid = bytes.len() == 5
        && matches!(bytes[0], b'P' | b'B' | b'C' | b'U')
        && matches!(bytes[1], b'0'..=b'3')
        && bytes[2..].iter().all(u8::is_ascii_hexdigit);
    if valid {
        Ok(code)
    } else {
        Err(INVALID_CODE)
    }
}

/// Whether a (normalised) code is in a range SAE leaves to manufacturers:
/// P1xxx, P30xx-P33xx, B1/B2, C1/C2, U1/U2.
pub fn is_manufacturer_specific(code: &str) -> bool {
    let b = code.as_bytes();
    if b.len() != 5 {
        return false;
    }
    match (b[0], b[1]) {
        (b'P', b'1') => true,
        (b'P', b'3') => matches!(b[2], b'0'..=b'3'),
        (b'B' | b'C' | b'U', b'1' | b'2') => true,
        _ => false,
    }
}

/// The codes written in a free text ("misfire, code P0301 and p0420"), in
/// order of appearance, each once. A code must stand alone: letters or
/// digits right before or after it make it part of another word.
pub fn find_codes(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut found: Vec<String> = Vec::new();
    let mut i = 0;
    while i + 5 <= bytes.len() {
        let boundary_before = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        let boundary_after = i + 5 == bytes.len() || !bytes[i + 5].is_ascii_alphanumeric();
        if boundary_before && boundary_after {
            if let Some(candidate) = text.get(i..i + 5) {
                if let Ok(code) = normalize(candidate) {
                    if !found.contains(&code) {
                        found.push(code);
                    }
                    i += 5;
                    continue;
                }
            }
        }
        i += 1;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_table_decodes_whole() {
        let table = CodeTable::embedded();
        assert_eq!(table.len(), 9_533);
        let Lookup::Known(misfire) = table.lookup(" p0301 ") else {
            panic!("P0301 is generic");
        };
        assert_eq!(misfire.title_en, "Cylinder 1 Misfire Detected");
        assert_eq!(misfire.category, "powertrain");
        assert!(misfire.components.contains(&"ignition_coil".to_string()));
        assert_eq!(misfire.causes[0].likelihood, "high");
        assert!(misfire.flags.mil);
        let repair = misfire.repair.as_ref().unwrap();
        assert_eq!(repair.estimated_cost_eur, Some([40.0, 800.0]));
        assert_eq!(table.lookup("P1234"), Lookup::ManufacturerSpecific);
        assert_eq!(table.lookup("U2100"), Lookup::ManufacturerSpecific);
        assert_eq!(table.lookup("nonsense"), Lookup::Unknown);
    }

    #[test]
    fn codes_have_one_form() {
        assert_eq!(normalize("p0420").unwrap(), "P0420");
        assert_eq!(normalize(" U0100 ").unwrap(), "U0100");
        assert_eq!(normalize("C0A1F").unwrap(), "C0A1F");
        for bad in [
            "", "P030", "P03011", "X0301", "P4301", "P03G1", "P 301", "é0301",
        ] {
            assert_eq!(normalize(bad), Err(INVALID_CODE), "{bad:?}");
        }
        assert!(is_manufacturer_specific("P1690"));
        assert!(is_manufacturer_specific("P3000"));
        assert!(!is_manufacturer_specific("P3400"));
        assert!(!is_manufacturer_specific("P0301"));
        assert!(is_manufacturer_specific("B1000"));
    }

    #[test]
    fn codes_are_found_in_free_text() {
        assert_eq!(
            find_codes("Misfire at idle, check-engine light, code P0301 then p0420; P0301 again."),
            vec!["P0301", "P0420"]
        );
        assert_eq!(find_codes("(U0100)/B0001"), vec!["U0100", "B0001"]);
        // Inside another word or number: not a code.
        assert!(find_codes("XP0301 P03011 ref P0301A 12P0301").is_empty());
        assert!(find_codes("").is_empty());
        assert!(find_codes("é P0 ü").is_empty());
        assert_eq!(find_codes("éP0301é"), vec!["P0301"]);
    }

    #[test]
    fn a_damaged_table_is_an_error_not_a_panic() {
        assert!(CodeTable::decode(b"not gzip").is_err());
        let mut gz = Vec::new();
        {
            use std::io::Write;
            let mut e = flate2::write::GzEncoder::new(&mut gz, flate2::Compression::fast());
            e.write_all(b"[{\"code\": 1}]").unwrap();
            e.finish().unwrap();
        }
        assert!(CodeTable::decode(&gz).is_err());
    }
}
