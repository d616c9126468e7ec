//! A diagnosis as the diagnostics' analysis gives it (issue 13): probable
//! causes with their likelihood, severity, whether the car is safe to
//! drive, what to do, a cost range in euros and a confidence, with the
//! facts of every fault code. The same structure comes from OpenAI or from
//! `offline`, the rules used without a key (or when OpenAI fails): the
//! code table and symptom rules, French and English.

use serde::{Deserialize, Serialize};

use super::dtc::{find_codes, CodeTable, Lookup};

/// Where an answer comes from (`Diagnosis::source`).
pub const SOURCE_OFFLINE: &str = "offline";
pub const SOURCE_OPENAI: &str = "openai";

/// What the analysis starts from.
#[derive(Clone, Debug, Default)]
pub struct Complaint {
    /// Title and description, as the owner wrote them.
    pub text: String,
    /// Short symptoms the owner picked or typed.
    pub symptoms: Vec<String>,
    /// Codes given as such (codes in `text` are picked up too).
    pub codes: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProbableCause {
    pub cause: String,
    /// `high`, `medium` or `low`.
    pub likelihood: String,
    /// The code it comes from, or none for a symptom rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// A code's facts as the answer shows them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CodeFacts {
    pub code: String,
    /// `known`, `manufacturer_specific` or `unknown`.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub causes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_cost_eur: Option<[f64; 2]>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Diagnosis {
    /// A short explanation in the owner's words (the model's; none offline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    pub probable_causes: Vec<ProbableCause>,
    pub severity: Severity,
    pub safe_to_drive: bool,
    pub recommended_actions: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_cost_eur: Option<[f64; 2]>,
    /// 0 to 1.
    pub confidence: f64,
    pub codes: Vec<CodeFacts>,
    /// `offline` or `openai`.
    pub source: String,
}

/// A symptom rule: words that name it (folded: lower case, no accents),
/// the causes it suggests, how serious it is, what it may cost.
struct SymptomRule {
    words: &'static [&'static str],
    causes: &'static [(&'static str, &'static str)],
    severity: Severity,
    safe_to_drive: bool,
    action: &'static str,
    cost: [f64; 2],
}

const RULES: &[SymptomRule] = &[
    SymptomRule {
        words: &["frein", "brake", "freinage", "pedale molle", "soft pedal"],
        causes: &[
            ("Plaquettes ou disques de frein usés", "high"),
            ("Liquide de frein bas ou fuite", "medium"),
        ],
        severity: Severity::Critical,
        safe_to_drive: false,
        action: "Ne roulez pas : faites contrôler les freins avant tout trajet.",
        cost: [80.0, 600.0],
    },
    SymptomRule {
        words: &["surchauffe", "overheat", "temperature moteur", "liquide de refroidissement", "coolant"],
        causes: &[
            ("Fuite ou niveau bas de liquide de refroidissement", "high"),
            ("Thermostat bloqué", "medium"),
            ("Pompe à eau ou ventilateur défaillant", "medium"),
        ],
        severity: Severity::Critical,
        safe_to_drive: false,
        action: "Arrêtez le moteur et laissez-le refroidir ; vérifiez le niveau de liquide de refroidissement.",
        cost: [50.0, 900.0],
    },
    SymptomRule {
        words: &["pression d'huile", "oil pressure", "voyant huile", "oil light"],
        causes: &[
            ("Niveau d'huile trop bas", "high"),
            ("Pompe à huile ou capteur de pression défaillant", "medium"),
        ],
        severity: Severity::Critical,
        safe_to_drive: false,
        action: "Arrêtez le moteur et vérifiez le niveau d'huile avant de repartir.",
        cost: [20.0, 1200.0],
    },
    SymptomRule {
        words: &["fumee", "smoke"],
        causes: &[
            ("Huile brûlée (fumée bleue) : segments ou joints de soupapes", "medium"),
            ("Liquide de refroidissement brûlé (fumée blanche) : joint de culasse", "medium"),
            ("Mélange trop riche (fumée noire) : injecteurs ou filtre à air", "medium"),
        ],
        severity: Severity::High,
        safe_to_drive: false,
        action: "Faites diagnostiquer la fumée rapidement, notez sa couleur.",
        cost: [100.0, 2500.0],
    },
    SymptomRule {
        words: &["raté", "rate d'allumage", "misfire", "a-coups", "hesitation", "broute"],
        causes: &[
            ("Bobine d'allumage défaillante", "high"),
            ("Bougie usée ou encrassée", "high"),
            ("Injecteur encrassé", "medium"),
        ],
        severity: Severity::High,
        safe_to_drive: true,
        action: "Limitez les trajets : des ratés prolongés abîment le catalyseur. Contrôlez bobines et bougies.",
        cost: [40.0, 800.0],
    },
    SymptomRule {
        words: &["demarre pas", "won't start", "wont start", "no start", "batterie", "battery"],
        causes: &[
            ("Batterie déchargée ou en fin de vie", "high"),
            ("Alternateur qui ne charge plus", "medium"),
            ("Démarreur défaillant", "low"),
        ],
        severity: Severity::Medium,
        safe_to_drive: true,
        action: "Testez la batterie et la charge de l'alternateur.",
        cost: [80.0, 600.0],
    },
    SymptomRule {
        words: &["vibration", "vibre", "shimmy", "tremble"],
        causes: &[
            ("Roues mal équilibrées", "high"),
            ("Disques voilés ou silentblocs usés", "medium"),
        ],
        severity: Severity::Medium,
        safe_to_drive: true,
        action: "Faites équilibrer les roues et contrôler le train avant.",
        cost: [30.0, 400.0],
    },
    SymptomRule {
        words: &["bruit", "noise", "claquement", "grincement", "sifflement", "squeal", "knock"],
        causes: &[
            ("Pièce d'usure (courroie, plaquettes, roulement)", "medium"),
            ("Élément d'échappement ou de suspension desserré", "low"),
        ],
        severity: Severity::Medium,
        safe_to_drive: true,
        action: "Notez quand le bruit apparaît (freinage, virage, accélération) et faites-le localiser.",
        cost: [50.0, 500.0],
    },
    SymptomRule {
        words: &["direction", "steering"],
        causes: &[
            ("Niveau bas de liquide de direction assistée", "medium"),
            ("Rotule ou crémaillère usée", "medium"),
        ],
        severity: Severity::High,
        safe_to_drive: false,
        action: "Faites contrôler la direction avant de reprendre la route.",
        cost: [80.0, 1200.0],
    },
    SymptomRule {
        words: &["consommation", "fuel consumption", "consomme"],
        causes: &[
            ("Filtre à air ou bougies encrassés", "medium"),
            ("Sonde lambda défaillante", "medium"),
            ("Pneus sous-gonflés", "low"),
        ],
        severity: Severity::Low,
        safe_to_drive: true,
        action: "Vérifiez la pression des pneus et l'entretien (filtre à air, bougies).",
        cost: [20.0, 300.0],
    },
];

/// The folded form rules and texts are compared in (the search's: lower
/// case, accents dropped, other characters one space).
fn fold(text: &str) -> String {
    super::documents::search_key(text)
}

/// Whether `needle` starts a word of `haystack` ("rate" is in "rates",
/// not in "accelerateur").
fn has_word(haystack: &str, needle: &str) -> bool {
    haystack.match_indices(needle).any(|(at, _)| {
        haystack[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric())
    })
}

fn widen(range: &mut Option<[f64; 2]>, other: [f64; 2]) {
    *range = Some(match *range {
        Some([lo, hi]) => [lo.min(other[0]), hi.max(other[1])],
        None => other,
    });
}

/// Codes an analysis looks at: a text that lists hundreds would make an
/// answer too large to store (and a prompt too large to send).
pub const MAX_CODES: usize = 20;

/// The complaint's codes (given, then written), in order, once, at most
/// `MAX_CODES`.
pub fn complaint_codes(complaint: &Complaint) -> Vec<String> {
    let mut codes: Vec<String> = Vec::new();
    let given = complaint
        .codes
        .iter()
        .filter_map(|c| super::dtc::normalize(c).ok());
    for code in given.chain(find_codes(&complaint.text)) {
        if codes.len() == MAX_CODES {
            break;
        }
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    codes
}

/// The facts of each code, as the answer and the prompt show them.
pub fn code_facts(codes: &[String], table: &CodeTable) -> Vec<CodeFacts> {
    codes
        .iter()
        .map(|code| match table.lookup(code) {
            Lookup::Known(facts) => CodeFacts {
                code: code.clone(),
                status: "known".into(),
                title: Some(facts.title_en.clone()),
                causes: facts.causes.iter().map(|c| c.en.clone()).collect(),
                estimated_cost_eur: facts.repair.as_ref().and_then(|r| r.estimated_cost_eur),
            },
            Lookup::ManufacturerSpecific => CodeFacts {
                code: code.clone(),
                status: "manufacturer_specific".into(),
                title: None,
                causes: Vec::new(),
                estimated_cost_eur: None,
            },
            Lookup::Unknown => CodeFacts {
                code: code.clone(),
                status: "unknown".into(),
                title: None,
                causes: Vec::new(),
                estimated_cost_eur: None,
            },
        })
        .collect()
}

/// The diagnosis the rules give, without any model.
pub fn offline(complaint: &Complaint, table: &CodeTable) -> Diagnosis {
    let codes = complaint_codes(complaint);
    let facts = code_facts(&codes, table);
    let mut causes: Vec<ProbableCause> = Vec::new();
    let mut actions: Vec<String> = Vec::new();
    let mut cost: Option<[f64; 2]> = None;
    let mut severity = Severity::Low;
    let mut safe = true;
    let mut known = 0;
    for code in &codes {
        match table.lookup(code) {
            Lookup::Known(f) => {
                known += 1;
                for c in &f.causes {
                    causes.push(ProbableCause {
                        cause: c.en.clone(),
                        likelihood: c.likelihood.clone(),
                        code: Some(code.clone()),
                    });
                }
                if let Some(range) = f.repair.as_ref().and_then(|r| r.estimated_cost_eur) {
                    widen(&mut cost, range);
                }
                let code_severity = if f.flags.limp_mode_possible || code.starts_with("C0") {
                    Severity::High
                } else if f.flags.mil {
                    Severity::Medium
                } else {
                    Severity::Low
                };
                // Misfires damage the catalytic converter if driven on.
                let code_severity = if code.starts_with("P030") {
                    Severity::High
                } else {
                    code_severity
                };
                severity = severity.max(code_severity);
                if f.flags.limp_mode_possible {
                    safe = false;
                }
                actions.push(format!(
                    "{code} ({}) : à vérifier en premier : {}.",
                    f.title_en,
                    f.causes
                        .first()
                        .map(|c| c.en.to_lowercase())
                        .unwrap_or_else(|| "le circuit concerné".into())
                ));
            }
            Lookup::ManufacturerSpecific => actions.push(format!(
                "{code} est un code propre au constructeur : son sens dépend de la marque, faites-le lire avec l'outil du constructeur."
            )),
            Lookup::Unknown => actions.push(format!(
                "{code} n'est pas dans la table des codes génériques : vérifiez sa lecture."
            )),
        }
    }
    let words = fold(&format!(
        "{} {}",
        complaint.text,
        complaint.symptoms.join(" ")
    ));
    let mut matched_rules = 0;
    for rule in RULES {
        if rule.words.iter().any(|w| has_word(&words, &fold(w))) {
            matched_rules += 1;
            // A known code's causes are the precise ones: the symptoms'
            // generic causes (and costs) would only repeat them.
            let causes_of_rule: &[(&str, &str)] = if known > 0 { &[] } else { rule.causes };
            for (cause, likelihood) in causes_of_rule {
                if !causes.iter().any(|c| c.cause == *cause) {
                    causes.push(ProbableCause {
                        cause: (*cause).to_string(),
                        likelihood: (*likelihood).to_string(),
                        code: None,
                    });
                }
            }
            severity = severity.max(rule.severity);
            safe &= rule.safe_to_drive;
            actions.push(rule.action.to_string());
            if known == 0 {
                widen(&mut cost, rule.cost);
            }
        }
    }
    if severity >= Severity::Critical {
        safe = false;
    }
    // High likelihood first, the order of the table within a level.
    let rank = |l: &str| match l {
        "high" => 0,
        "medium" => 1,
        _ => 2,
    };
    causes.sort_by_key(|c| rank(&c.likelihood));
    // An answer a reader can take in (and a bounded item).
    causes.truncate(12);
    actions.truncate(10);
    if causes.is_empty() {
        actions.push(
            "Décrivez quand le problème apparaît (à froid, en roulant, au freinage) ou relevez les codes défaut avec un lecteur OBD."
                .to_string(),
        );
    }
    let confidence = if known > 0 {
        0.7
    } else if matched_rules > 0 {
        0.4
    } else {
        0.2
    };
    Diagnosis {
        summary: None,
        probable_causes: causes,
        severity,
        safe_to_drive: safe,
        recommended_actions: actions,
        estimated_cost_eur: cost,
        confidence,
        codes: facts,
        source: SOURCE_OFFLINE.into(),
    }
}

impl Diagnosis {
    /// The readable answer (`ai_analysis`), in French like the app's texts.
    pub fn text(&self) -> String {
        let mut out = String::new();
        if let Some(summary) = &self.summary {
            out.push_str(summary.trim());
            out.push('\n');
        }
        let level = match self.severity {
            Severity::Low => "faible",
            Severity::Medium => "moyenne",
            Severity::High => "élevée",
            Severity::Critical => "critique",
        };
        out.push_str(&format!("Gravité : {level}. "));
        out.push_str(if self.safe_to_drive {
            "Le véhicule peut rouler avec prudence.\n"
        } else {
            "Ne roulez pas avec le véhicule avant contrôle.\n"
        });
        if !self.probable_causes.is_empty() {
            out.push_str("Causes probables :\n");
            for c in self.probable_causes.iter().take(6) {
                let level = match c.likelihood.as_str() {
                    "high" => "probable",
                    "medium" => "possible",
                    _ => "peu probable",
                };
                out.push_str(&format!("- {} ({level})\n", c.cause));
            }
        }
        if !self.recommended_actions.is_empty() {
            out.push_str("À faire :\n");
            for a in &self.recommended_actions {
                out.push_str(&format!("- {a}\n"));
            }
        }
        if let Some([lo, hi]) = self.estimated_cost_eur {
            out.push_str(&format!("Coût estimé : {lo:.0} à {hi:.0} €.\n"));
        }
        if self.source == SOURCE_OFFLINE {
            out.push_str("(Analyse hors ligne, d'après la table des codes et des règles.)");
        }
        out.trim_end().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complaint(text: &str, symptoms: &[&str], codes: &[&str]) -> Complaint {
        Complaint {
            text: text.into(),
            symptoms: symptoms.iter().map(|s| s.to_string()).collect(),
            codes: codes.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn a_text_listing_hundreds_of_codes_gives_a_bounded_answer() {
        let text: String = (0..500).map(|i| format!("P{:04} ", 100 + i)).collect();
        let d = offline(&complaint(&text, &[], &[]), CodeTable::embedded());
        assert_eq!(d.codes.len(), MAX_CODES);
        assert!(d.probable_causes.len() <= 12);
        assert!(d.recommended_actions.len() <= 10);
        assert!(serde_json::to_string(&d).unwrap().len() < 40_000);
    }

    #[test]
    fn a_misfire_code_points_at_coil_and_plug_first() {
        let d = offline(
            &complaint(
                "Ratés au ralenti, voyant moteur allumé, code P0301",
                &[],
                &[],
            ),
            CodeTable::embedded(),
        );
        assert_eq!(d.codes[0].code, "P0301");
        assert_eq!(d.codes[0].status, "known");
        assert_eq!(
            d.codes[0].title.as_deref(),
            Some("Cylinder 1 Misfire Detected")
        );
        assert!(
            d.probable_causes[0].cause.contains("Ignition coil"),
            "{:?}",
            d.probable_causes
        );
        assert_eq!(d.probable_causes[0].likelihood, "high");
        assert!(d.probable_causes[1].cause.contains("Spark plug"));
        // The misfire rule matched ("ratés") but adds no generic cause
        // repeating the code's: every cause names the code.
        assert!(
            d.probable_causes
                .iter()
                .all(|c| c.code.as_deref() == Some("P0301")),
            "{:?}",
            d.probable_causes
        );
        assert!(d.recommended_actions.len() >= 2, "the rule's advice stays");
        assert_eq!(d.severity, Severity::High);
        assert!(d.safe_to_drive);
        assert_eq!(d.estimated_cost_eur, Some([40.0, 800.0]));
        assert_eq!(d.confidence, 0.7);
        assert_eq!(d.source, "offline");
        let text = d.text();
        assert!(text.contains("Gravité : élevée"), "{text}");
        assert!(text.contains("hors ligne"), "{text}");
    }

    #[test]
    fn symptoms_alone_give_a_lower_confidence_and_brakes_stop_the_car() {
        let d = offline(
            &complaint("Pédale de frein molle", &["grincement"], &[]),
            CodeTable::embedded(),
        );
        assert_eq!(d.severity, Severity::Critical);
        assert!(!d.safe_to_drive);
        assert_eq!(d.confidence, 0.4);
        assert!(d.codes.is_empty());
        assert!(d
            .probable_causes
            .iter()
            .any(|c| c.cause.contains("Plaquettes")));
    }

    #[test]
    fn manufacturer_and_unknown_codes_are_said_to_be_so() {
        let d = offline(
            &complaint("", &[], &["p1690", "P0000", "junk"]),
            CodeTable::embedded(),
        );
        let statuses: Vec<(&str, &str)> = d
            .codes
            .iter()
            .map(|c| (c.code.as_str(), c.status.as_str()))
            .collect();
        assert!(
            statuses.contains(&("P1690", "manufacturer_specific")),
            "{statuses:?}"
        );
        assert!(d
            .recommended_actions
            .iter()
            .any(|a| a.contains("constructeur")));
        assert_eq!(d.confidence, 0.2);
    }

    #[test]
    fn rule_words_match_at_word_starts_only() {
        assert!(has_word("rates au ralenti", "rate"));
        assert!(!has_word("pedale d'accelerateur dure", "rate"));
        assert!(has_word("le frein grince", "frein"));
        let d = offline(
            &complaint("Pédale d'accélérateur dure", &[], &[]),
            CodeTable::embedded(),
        );
        assert!(d.probable_causes.is_empty(), "{:?}", d.probable_causes);
    }

    #[test]
    fn an_empty_complaint_still_answers() {
        let d = offline(&Complaint::default(), CodeTable::embedded());
        assert_eq!(d.severity, Severity::Low);
        assert!(d.safe_to_drive);
        assert!(!d.recommended_actions.is_empty());
        assert!(!d.text().is_empty());
    }
}
