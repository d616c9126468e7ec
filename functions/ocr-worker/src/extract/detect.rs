//! Document type detection by weighted keywords.

use super::text::{has_word, Doc};
use regex_lite::Regex;
use std::sync::LazyLock;

/// Categories in tie-break order.
pub(crate) const TYPES: [&str; 7] = [
    "invoice",
    "registration",
    "insurance",
    "inspection",
    "maintenance",
    "receipt",
    "contract",
];

/// (keyword, weight) per category, same order as `TYPES`. Each keyword counts
/// once, so a long contract clause cannot outweigh a title.
const KEYWORDS: [&[(&str, u32)]; 7] = [
    &[
        ("facture", 4),
        ("invoice", 4),
        ("total ttc", 3),
        ("montant ttc", 3),
        ("net a payer", 3),
        ("t.t.c", 2),
        ("ttc", 1),
        ("tva", 1),
        ("vat", 1),
        ("amount due", 3),
        ("n° facture", 2),
    ],
    &[
        ("certificat d'immatriculation", 6),
        ("carte grise", 5),
        ("registration certificate", 6),
        ("v5c", 6),
        ("vehicle registration", 2),
    ],
    &[
        ("attestation d'assurance", 6),
        ("memo vehicule assure", 6),
        ("carte verte", 4),
        ("assureur", 3),
        ("insurer", 3),
        ("numero de contrat", 2),
        ("n° de contrat", 2),
        ("numero de police", 2),
        ("n° de police", 2),
        ("policy number", 3),
        ("certificate of motor insurance", 6),
        ("assurance", 1),
    ],
    &[
        ("controle technique", 5),
        ("proces-verbal", 3),
        ("proces verbal", 3),
        ("contre-visite", 3),
        ("prochain controle", 3),
        ("mot test", 5),
        ("mot certificate", 5),
        ("mot testing", 3),
    ],
    &[
        ("entretien", 2),
        ("revision", 2),
        ("vidange", 2),
        ("service", 1),
        ("carnet d'entretien", 3),
        ("service record", 3),
    ],
    &[
        ("recu", 3),
        ("ticket", 3),
        ("caisse", 2),
        ("merci de votre visite", 3),
        ("receipt", 4),
    ],
    &[
        ("contrat", 2),
        ("convention", 2),
        ("signataire", 2),
        ("signataires", 2),
    ],
];

static ARTICLE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\barticle \d+").unwrap());
/// Carte grise field labels at line start.
static REG_LABEL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)^\s*\(?(?:(a|b|e)\s*[.):]|(d\.[13])[.):\s])").unwrap());

pub(crate) fn scores(doc: &Doc) -> [u32; 7] {
    let t = &doc.fold_all;
    let mut s = [0u32; 7];
    for (i, kws) in KEYWORDS.iter().enumerate() {
        s[i] = kws
            .iter()
            .filter(|(k, _)| has_word(t, k))
            .map(|(_, w)| w)
            .sum();
    }
    let mut labels = [false; 5];
    for c in REG_LABEL.captures_iter(t) {
        let code = c.get(1).or(c.get(2)).map_or("", |m| m.as_str());
        let i = match code {
            "a" => 0,
            "b" => 1,
            "d.1" => 2,
            "d.3" => 3,
            _ => 4,
        };
        labels[i] = true;
    }
    let n = labels.iter().filter(|b| **b).count() as u32;
    if n >= 2 {
        s[1] += 2 * n;
    }
    s[6] += 2 * ARTICLE.find_iter(t).take(3).count() as u32;
    s
}

pub(crate) fn detect(doc: &Doc) -> &'static str {
    let s = scores(doc);
    let mut best = None;
    for (i, v) in s.iter().enumerate() {
        if *v > 0 && best.is_none_or(|b: usize| *v > s[b]) {
            best = Some(i);
        }
    }
    best.map_or("other", |i| TYPES[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> &'static str {
        detect(&Doc::new(s))
    }

    #[test]
    fn types() {
        assert_eq!(t("FACTURE n° 12\nVidange\nTotal TTC 45,00"), "invoice");
        assert_eq!(
            t("Attestation d'assurance\nNuméro de contrat : 123\nContrat auto"),
            "insurance"
        );
        assert_eq!(
            t("A. AB-123-CD\nB. 01/02/2020\nD.1 RENAULT"),
            "registration"
        );
        assert_eq!(t("Contrat de location\nArticle 1\nArticle 2"), "contract");
        assert_eq!(t("the quick brown fox"), "other");
        assert_eq!(t(""), "other");
    }

    #[test]
    fn tie_goes_to_first() {
        // invoice 4 vs receipt 4
        assert_eq!(t("invoice receipt"), "invoice");
    }
}
