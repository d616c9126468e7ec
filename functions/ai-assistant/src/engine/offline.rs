//! The offline assistant: what answers without a model (no key, or the
//! model failed). Intent rules in French and English over the same data as
//! the tools (due reminders and their projection, last services, fault
//! codes), a table of usual maintenance intervals, and rules for the
//! assistant actions. Every answer says it is the offline assistant.

use serde_json::{json, Value};
use shared::domain::dtc::{self, CodeTable, Lookup};
use shared::domain::maintenances::COMPLETED;
use shared::domain::reminders::Reminder;

use super::data::{fold, urgency, vehicle_name, words, Facts};

/// The first line of every offline answer.
pub const MARK_FR: &str = "(Assistant hors ligne)";
pub const MARK_EN: &str = "(Offline assistant)";

/// Items an offline answer lists at most.
const MAX_LINES: usize = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Fr,
    En,
}

impl Lang {
    /// English when the text reads as English, French otherwise.
    pub fn of(text: &str) -> Lang {
        const EN: &[&str] = &[
            "the", "my", "is", "when", "what", "how", "next", "often", "should", "do", "does", "i",
            "service", "due", "last", "which", "can", "you", "change", "is", "are", "of", "with",
            "car", "it", "hello", "hi", "help", "code",
        ];
        const FR: &[&str] = &[
            "le",
            "la",
            "les",
            "mon",
            "ma",
            "mes",
            "est",
            "quand",
            "quel",
            "quelle",
            "comment",
            "prochain",
            "prochaine",
            "dois",
            "je",
            "de",
            "du",
            "des",
            "faut",
            "il",
            "entretien",
            "vidange",
            "voiture",
            "combien",
            "bonjour",
            "aide",
            "un",
            "une",
            "et",
            "que",
            "qu",
        ];
        let words = words(text);
        let en = words.iter().filter(|w| EN.contains(&w.as_str())).count();
        let fr = words.iter().filter(|w| FR.contains(&w.as_str())).count();
        if en > fr {
            Lang::En
        } else {
            Lang::Fr
        }
    }

    fn pick<'a>(self, fr: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }

    /// " : " in French typography, ": " in English.
    pub fn colon(self) -> &'static str {
        self.pick(" : ", ": ")
    }

    pub fn mark(self) -> &'static str {
        match self {
            Lang::Fr => MARK_FR,
            Lang::En => MARK_EN,
        }
    }
}

/// One usual maintenance interval.
pub struct Interval {
    /// Folded keywords that name it in a question.
    pub keywords: &'static [&'static str],
    pub fr: &'static str,
    pub en: &'static str,
    pub km: Option<i64>,
    pub months: Option<i64>,
}

/// Usual intervals for a petrol or diesel car (the manufacturer's booklet
/// has the last word).
pub const INTERVALS: &[Interval] = &[
    Interval {
        keywords: &["vidange", "huile", "oil", "filtre a huile"],
        fr: "Vidange et filtre à huile",
        en: "Oil and oil filter change",
        km: Some(15_000),
        months: Some(12),
    },
    Interval {
        keywords: &["filtre a air", "air filter"],
        fr: "Filtre à air",
        en: "Air filter",
        km: Some(30_000),
        months: Some(24),
    },
    Interval {
        keywords: &["habitacle", "pollen", "cabin"],
        fr: "Filtre d'habitacle",
        en: "Cabin filter",
        km: Some(15_000),
        months: Some(12),
    },
    Interval {
        keywords: &["plaquette", "frein", "freins", "brake", "brakes", "pads"],
        fr: "Plaquettes de frein (contrôle ; remplacement selon l'usure)",
        en: "Brake pads (check; replace when worn)",
        km: Some(30_000),
        months: None,
    },
    Interval {
        keywords: &["disque", "disques", "discs", "rotors"],
        fr: "Disques de frein",
        en: "Brake discs",
        km: Some(60_000),
        months: None,
    },
    Interval {
        keywords: &["liquide de frein", "brake fluid"],
        fr: "Liquide de frein",
        en: "Brake fluid",
        km: None,
        months: Some(24),
    },
    Interval {
        keywords: &["courroie", "distribution", "timing", "belt"],
        fr: "Courroie de distribution (et pompe à eau)",
        en: "Timing belt (and water pump)",
        km: Some(120_000),
        months: Some(72),
    },
    Interval {
        keywords: &["bougie", "bougies", "spark", "plugs"],
        fr: "Bougies d'allumage (essence)",
        en: "Spark plugs (petrol)",
        km: Some(60_000),
        months: None,
    },
    Interval {
        keywords: &["pneu", "pneus", "tyre", "tyres", "tire", "tires", "permutation"],
        fr: "Pneus : contrôle de la pression chaque mois, permutation, remplacement à 1,6 mm (conseillé 3 mm)",
        en: "Tyres: pressure every month, rotation, replacement at 1.6 mm (3 mm advised)",
        km: Some(10_000),
        months: None,
    },
    Interval {
        keywords: &["refroidissement", "coolant", "antigel", "antifreeze"],
        fr: "Liquide de refroidissement",
        en: "Coolant",
        km: None,
        months: Some(48),
    },
    Interval {
        keywords: &["gasoil", "gazole", "fuel filter", "filtre a carburant", "filtre a gasoil"],
        fr: "Filtre à carburant (diesel)",
        en: "Fuel filter (diesel)",
        km: Some(60_000),
        months: None,
    },
    Interval {
        keywords: &["batterie", "battery"],
        fr: "Batterie (contrôle ; durée de vie 4 à 5 ans)",
        en: "Battery (check; lasts 4 to 5 years)",
        km: None,
        months: Some(48),
    },
    Interval {
        keywords: &["controle technique", "inspection"],
        fr: "Contrôle technique (France : 4 ans après la 1re immatriculation, puis tous les 2 ans)",
        en: "Roadworthiness test (France: at 4 years, then every 2 years)",
        km: None,
        months: Some(24),
    },
];

fn thousands(n: i64) -> String {
    let digits = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

fn interval_line(i: &Interval, lang: Lang) -> String {
    let colon = lang.colon();
    let every = match (i.km, i.months, lang) {
        (Some(km), Some(m), Lang::Fr) => {
            format!("tous les {} km ou {}", thousands(km), months_fr(m))
        }
        (Some(km), Some(m), Lang::En) => {
            format!("every {} km or {}", thousands(km), months_en(m))
        }
        (Some(km), None, Lang::Fr) => format!("tous les {} km", thousands(km)),
        (Some(km), None, Lang::En) => format!("every {} km", thousands(km)),
        (None, Some(m), Lang::Fr) => format!("tous les {}", months_fr(m)),
        (None, Some(m), Lang::En) => format!("every {}", months_en(m)),
        (None, None, _) => String::new(),
    };
    format!("- {}{colon}{}", lang.pick(i.fr, i.en), every)
}

fn months_fr(m: i64) -> String {
    match m {
        12 => "1 an".into(),
        m if m % 12 == 0 => format!("{} ans", m / 12),
        m => format!("{m} mois"),
    }
}

fn months_en(m: i64) -> String {
    match m {
        12 => "1 year".into(),
        m if m % 12 == 0 => format!("{} years", m / 12),
        m => format!("{m} months"),
    }
}

/// The intervals a question names (all of them when it names none).
fn intervals_named(folded: &str) -> Vec<&'static Interval> {
    let named: Vec<&Interval> = INTERVALS
        .iter()
        .filter(|i| i.keywords.iter().any(|k| contains_word(folded, k)))
        .collect();
    if named.is_empty() {
        INTERVALS.iter().collect()
    } else {
        named
    }
}

/// Whether `phrase` appears in `text` at word boundaries (both folded).
fn contains_word(text: &str, phrase: &str) -> bool {
    let mut start = 0;
    while let Some(at) = text[start..].find(phrase) {
        let begin = start + at;
        let end = begin + phrase.len();
        let before = text[..begin].chars().next_back();
        let after = text[end..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
        // Plurals count ("freins", "pneus").
        let after_ok = boundary(after)
            || (matches!(after, Some('s') | Some('x')) && boundary(text[end + 1..].chars().next()));
        if boundary(before) && after_ok {
            return true;
        }
        start = end;
    }
    false
}

fn any(text: &str, phrases: &[&str]) -> bool {
    phrases.iter().any(|p| contains_word(text, p))
}

const INTERVAL_WORDS: &[&str] = &[
    "tous les combien",
    "tout les combien",
    "a quelle frequence",
    "quelle frequence",
    "frequence",
    "intervalle",
    "intervalles",
    "periodicite",
    "how often",
    "how frequently",
    "interval",
    "every how many",
    "how many km",
    "combien de km",
];

const LAST_WORDS: &[&str] = &[
    "dernier entretien",
    "derniers entretiens",
    "derniere vidange",
    "derniere revision",
    "dernier",
    "derniere",
    "historique",
    "last service",
    "last maintenance",
    "last oil change",
    "last",
    "history",
    "previous service",
];

const DUE_WORDS: &[&str] = &[
    "prochain",
    "prochaine",
    "prochains",
    "entretien",
    "vidange",
    "revision",
    "rappel",
    "rappels",
    "echeance",
    "a faire",
    "quand",
    "next",
    "due",
    "reminder",
    "reminders",
    "service",
    "oil change",
    "when",
    "upcoming",
];

const VEHICLE_WORDS: &[&str] = &[
    "mes vehicules",
    "mes voitures",
    "my vehicles",
    "my cars",
    "quels vehicules",
    "which vehicles",
];

const DIAGNOSTIC_WORDS: &[&str] = &[
    "diagnostic",
    "diagnostics",
    "panne",
    "pannes",
    "problem",
    "problems",
];

/// The offline answer to a question (the first line says it is offline).
pub fn answer(facts: &Facts, question: &str) -> String {
    let lang = Lang::of(question);
    let folded = fold(question);
    let body = body(facts, question, &folded, lang);
    format!("{}\n{}", lang.mark(), body.trim_end())
}

fn body(facts: &Facts, question: &str, folded: &str, lang: Lang) -> String {
    let codes = dtc::find_codes(question);
    if !codes.is_empty() {
        return fault_codes(&codes, lang);
    }
    if any(folded, INTERVAL_WORDS) {
        return intervals(folded, lang);
    }
    if any(folded, LAST_WORDS) {
        return last_services(facts, question, lang);
    }
    if any(folded, DUE_WORDS) {
        return due(facts, question, folded, lang);
    }
    if any(folded, DIAGNOSTIC_WORDS) {
        return diagnostics(facts, lang);
    }
    if any(folded, VEHICLE_WORDS) {
        return vehicles(facts, lang);
    }
    help(facts, lang)
}

/// The vehicles a question is about: those it names, else all.
fn scope<'a>(facts: &'a Facts, question: &str) -> Vec<&'a shared::domain::vehicles::Vehicle> {
    let named = facts.mentioned_in(question);
    if named.is_empty() {
        facts.vehicles.iter().collect()
    } else {
        named
    }
}

fn no_vehicle(lang: Lang) -> String {
    lang.pick(
        "Vous n'avez encore aucun véhicule. Ajoutez-en un (marque, modèle, année, kilométrage) pour que je suive ses entretiens et ses rappels.",
        "You have no vehicle yet. Add one (make, model, year, mileage) and I will follow its maintenance and reminders.",
    )
    .to_string()
}

fn date(d: &chrono::DateTime<chrono::Utc>) -> String {
    d.date_naive().to_string()
}

fn urgency_label(r: &Reminder, facts: &Facts, lang: Lang) -> &'static str {
    match (urgency(r, facts.now), lang) {
        ("overdue", Lang::Fr) => "en retard",
        ("urgent", Lang::Fr) => "urgent",
        ("soon", Lang::Fr) => "bientôt",
        (_, Lang::Fr) => "à venir",
        ("overdue", Lang::En) => "overdue",
        ("urgent", Lang::En) => "urgent",
        ("soon", Lang::En) => "soon",
        (_, Lang::En) => "upcoming",
    }
}

/// One reminder: its vehicle, its title, its deadlines and the projection.
pub fn reminder_line(facts: &Facts, r: &Reminder, lang: Lang) -> String {
    let colon = lang.colon();
    let mut deadlines = Vec::new();
    if let Some(d) = &r.due_date {
        deadlines.push(format!("{} {}", lang.pick("le", "on"), date(d)));
    }
    if let Some(km) = r.due_mileage {
        deadlines.push(format!("{} {} km", lang.pick("à", "at"), thousands(km)));
    }
    let mut line = format!(
        "- {}{colon}{} — {} {}",
        facts.vehicle_name(&r.vehicle_id),
        r.title.trim(),
        lang.pick("échéance", "due"),
        deadlines.join(lang.pick(" ou ", " or ")),
    );
    if let Some(projected) = r.projected_due_date() {
        line.push_str(&format!(
            " ({} {})",
            lang.pick(
                "d'après votre kilométrage, vers le",
                "from your mileage, around"
            ),
            date(&projected)
        ));
    }
    line.push_str(&format!(" [{}]", urgency_label(r, facts, lang)));
    line
}

fn due(facts: &Facts, question: &str, folded: &str, lang: Lang) -> String {
    let colon = lang.colon();
    if facts.vehicles.is_empty() {
        return no_vehicle(lang);
    }
    let vehicles = scope(facts, question);
    let ids: Vec<&str> = vehicles.iter().map(|v| v.id.as_str()).collect();
    let mut reminders: Vec<&Reminder> = facts
        .reminders
        .iter()
        .filter(|r| ids.contains(&r.vehicle_id.as_str()))
        .collect();
    // "vidange", "freins"...: the reminders of that work first.
    let named: Vec<&Interval> = INTERVALS
        .iter()
        .filter(|i| i.keywords.iter().any(|k| contains_word(folded, k)))
        .collect();
    if !named.is_empty() {
        let about = |r: &Reminder| {
            let text = fold(&format!("{} {}", r.title, r.service_type));
            named
                .iter()
                .any(|i| i.keywords.iter().any(|k| contains_word(&text, k)))
        };
        if reminders.iter().any(|r| about(r)) {
            reminders.retain(|r| about(r));
        }
    }
    let names: Vec<String> = vehicles.iter().map(|v| vehicle_name(v)).collect();
    if reminders.is_empty() {
        let mut text = format!(
            "{} {}.\n",
            lang.pick(
                "Aucun rappel d'entretien actif pour",
                "No active maintenance reminder for"
            ),
            names.join(", ")
        );
        text.push_str(lang.pick(
            "Créez un rappel (date ou kilométrage) pour être prévenu. Intervalles habituels :\n",
            "Create a reminder (by date or mileage) to be notified. Usual intervals:\n",
        ));
        for i in intervals_named(folded).into_iter().take(MAX_LINES) {
            text.push_str(&interval_line(i, lang));
            text.push('\n');
        }
        return text;
    }
    let mut text = lang
        .pick(
            "Vos prochains entretiens, du plus proche au plus lointain :\n",
            "Your next services, earliest first:\n",
        )
        .to_string();
    for r in reminders.iter().take(MAX_LINES) {
        text.push_str(&reminder_line(facts, r, lang));
        text.push('\n');
    }
    if reminders.len() > MAX_LINES {
        text.push_str(&format!(
            "{} {}\n",
            reminders.len() - MAX_LINES,
            lang.pick("autre(s) rappel(s).", "more reminder(s).")
        ));
    }
    for v in &vehicles {
        text.push_str(&format!(
            "{} {}{colon}{} km.\n",
            lang.pick("Kilométrage actuel de", "Current mileage of"),
            vehicle_name(v),
            thousands(v.mileage)
        ));
    }
    text
}

fn last_services(facts: &Facts, question: &str, lang: Lang) -> String {
    let colon = lang.colon();
    if facts.vehicles.is_empty() {
        return no_vehicle(lang);
    }
    let mut text = String::new();
    for v in scope(facts, question).into_iter().take(MAX_LINES) {
        let done: Vec<_> = facts
            .maintenances_of(&v.id)
            .into_iter()
            .filter(|m| m.status == COMPLETED)
            .collect();
        if done.is_empty() {
            text.push_str(&format!(
                "{}{colon}{}\n",
                vehicle_name(v),
                lang.pick("aucun entretien enregistré.", "no service recorded.")
            ));
            continue;
        }
        text.push_str(&format!(
            "{} — {} :\n",
            vehicle_name(v),
            lang.pick("derniers entretiens", "last services")
        ));
        for m in done.iter().take(3) {
            let mut line = format!(
                "- {}{colon}{}",
                date(&m.service_date),
                m.service_type.trim()
            );
            if let Some(km) = m.mileage {
                line.push_str(&format!(" ({} km)", thousands(km)));
            }
            if let Some(cost) = m.cost {
                line.push_str(&format!(" — {:.2} €", cost as f64 / 100.0));
            }
            text.push_str(&line);
            text.push('\n');
        }
    }
    text
}

fn intervals(folded: &str, lang: Lang) -> String {
    let mut text = lang
        .pick(
            "Intervalles d'entretien habituels (le carnet du constructeur fait foi) :\n",
            "Usual maintenance intervals (the manufacturer's booklet has the last word):\n",
        )
        .to_string();
    for i in intervals_named(folded) {
        text.push_str(&interval_line(i, lang));
        text.push('\n');
    }
    text.push_str(lang.pick(
        "À la première des deux échéances atteinte (kilométrage ou durée).",
        "Whichever comes first (distance or time).",
    ));
    text
}

/// What the table says of each code.
pub fn fault_codes(codes: &[String], lang: Lang) -> String {
    let colon = lang.colon();
    let table = CodeTable::embedded();
    let mut text = String::new();
    for code in codes.iter().take(3) {
        match table.lookup(code) {
            Lookup::Known(f) => {
                text.push_str(&format!("{}{colon}{}\n", f.code, f.title_en));
                let causes: Vec<&str> = f.causes.iter().take(4).map(|c| c.en.as_str()).collect();
                if !causes.is_empty() {
                    text.push_str(&format!(
                        "- {}{colon}{}\n",
                        lang.pick("Causes probables", "Likely causes"),
                        causes.join("; ")
                    ));
                }
                if let Some([low, high]) = f.repair.as_ref().and_then(|r| r.estimated_cost_eur) {
                    text.push_str(&format!(
                        "- {}{colon}{low:.0} – {high:.0} €\n",
                        lang.pick("Coût estimé", "Estimated cost")
                    ));
                }
                if f.flags.limp_mode_possible {
                    text.push_str(lang.pick(
                        "- Mode dégradé possible : faites contrôler rapidement.\n",
                        "- Limp mode possible: have it checked soon.\n",
                    ));
                }
            }
            Lookup::ManufacturerSpecific => text.push_str(&format!(
                "{code}{colon}{}\n",
                lang.pick(
                    "code propre au constructeur ; sa signification dépend de la marque (lecture avec l'outil du constructeur ou d'un garage).",
                    "manufacturer-specific code; its meaning depends on the make (read it with the manufacturer's or a garage's tool).",
                )
            )),
            Lookup::Unknown => text.push_str(&format!(
                "{code}{colon}{}\n",
                lang.pick(
                    "code absent de la table générique OBD-II.",
                    "not in the generic OBD-II table.",
                )
            )),
        }
    }
    text
}

fn diagnostics(facts: &Facts, lang: Lang) -> String {
    let colon = lang.colon();
    if facts.diagnostics.is_empty() {
        return lang
            .pick(
                "Aucun diagnostic enregistré. Décrivez les symptômes ou donnez un code défaut (ex. P0301) et je vous dirai ce qu'en dit la table OBD-II.",
                "No diagnostic recorded. Describe the symptoms or give a fault code (e.g. P0301) and I will tell you what the OBD-II table says.",
            )
            .to_string();
    }
    let mut text = lang
        .pick("Vos derniers diagnostics :\n", "Your latest diagnostics:\n")
        .to_string();
    for d in facts.diagnostics.iter().take(5) {
        let mut line = format!(
            "- {} — {}{colon}{} [{}]",
            date(&d.created_at),
            facts.vehicle_name(&d.vehicle_id),
            d.title.trim(),
            d.status
        );
        if !d.fault_codes.is_empty() {
            line.push_str(&format!(" ({})", d.fault_codes.join(", ")));
        }
        text.push_str(&line);
        text.push('\n');
    }
    text
}

fn vehicles(facts: &Facts, lang: Lang) -> String {
    let colon = lang.colon();
    if facts.vehicles.is_empty() {
        return no_vehicle(lang);
    }
    let mut text = lang
        .pick("Vos véhicules :\n", "Your vehicles:\n")
        .to_string();
    for v in facts.vehicles.iter().take(MAX_LINES) {
        text.push_str(&format!(
            "- {}{colon}{} km\n",
            vehicle_name(v),
            thousands(v.mileage)
        ));
    }
    text
}

fn help(facts: &Facts, lang: Lang) -> String {
    let mut text = lang
        .pick(
            "Je réponds à partir de vos données et de règles simples. Je peux :\n\
             - vous dire vos prochains entretiens et rappels (« quand est mon prochain entretien ? ») ;\n\
             - rappeler vos derniers entretiens (« dernier entretien de la 208 ») ;\n\
             - expliquer un code défaut OBD-II (« que veut dire P0301 ? ») ;\n\
             - donner les intervalles d'entretien habituels (« tous les combien la vidange ? »).\n",
            "I answer from your data and simple rules. I can:\n\
             - tell you your next services and reminders (\"when is my next service due?\");\n\
             - list your last services (\"last service of the 208\");\n\
             - explain an OBD-II fault code (\"what does P0301 mean?\");\n\
             - give the usual maintenance intervals (\"how often should I change the oil?\").\n",
        )
        .to_string();
    if facts.vehicles.is_empty() {
        text.push_str(&no_vehicle(lang));
    } else {
        let names: Vec<String> = facts
            .vehicles
            .iter()
            .take(MAX_LINES)
            .map(vehicle_name)
            .collect();
        text.push_str(&format!(
            "{} {}.",
            lang.pick("Vos véhicules :", "Your vehicles:"),
            names.join(", ")
        ));
    }
    text
}

/// Up to 5 suggestions for a vehicle at `mileage`: the intervals whose next
/// multiple comes soonest, then time-based checks by age.
pub fn suggestions(year: i64, mileage: i64, now_year: i64) -> Vec<String> {
    let mileage = mileage.max(0);
    let mut by_km: Vec<(i64, &Interval)> = INTERVALS
        .iter()
        .filter_map(|i| {
            let every = i.km?;
            let next = (mileage / every + 1) * every;
            Some((next - mileage, i))
        })
        .collect();
    by_km.sort_by_key(|(left, _)| *left);
    let mut out: Vec<String> = by_km
        .iter()
        .take(4)
        .map(|(left, i)| {
            format!(
                "{} : à prévoir dans {} km (vers {} km)",
                i.fr,
                thousands(*left),
                thousands(mileage + left)
            )
        })
        .collect();
    let age = (now_year - year).max(0);
    let by_time = if age >= 4 {
        "Liquide de frein et liquide de refroidissement : à contrôler (véhicule de plus de 4 ans), contrôle technique à jour"
    } else {
        "Liquide de frein : à remplacer tous les 2 ans"
    };
    out.push(by_time.to_string());
    out.truncate(5);
    out
}

struct Symptom {
    keywords: &'static [&'static str],
    diagnosis: &'static str,
    urgency: &'static str,
    cost: &'static str,
    recommendations: &'static [&'static str],
}

const SYMPTOMS: &[Symptom] = &[
    Symptom {
        keywords: &["frein", "freinage", "freine", "brake", "brakes", "pedale", "pedal"],
        diagnosis: "Problème de freinage possible : plaquettes ou disques usés, liquide de frein bas ou fuite.",
        urgency: "high",
        cost: "150 - 600 €",
        recommendations: &[
            "Limiter la conduite et faire contrôler le freinage au plus vite",
            "Vérifier le niveau du liquide de frein",
        ],
    },
    Symptom {
        keywords: &["surchauffe", "chauffe", "temperature", "overheat", "overheating", "refroidissement", "coolant", "fumee blanche"],
        diagnosis: "Surchauffe moteur possible : niveau de liquide de refroidissement, thermostat, pompe à eau ou joint de culasse.",
        urgency: "high",
        cost: "100 - 1500 €",
        recommendations: &[
            "Arrêter le moteur dès que la température monte",
            "Contrôler le niveau de liquide de refroidissement moteur froid",
            "Faire vérifier le circuit de refroidissement",
        ],
    },
    Symptom {
        keywords: &["pression d'huile", "voyant huile", "oil pressure", "oil light"],
        diagnosis: "Pression d'huile insuffisante possible : niveau d'huile bas, pompe ou capteur.",
        urgency: "high",
        cost: "50 - 800 €",
        recommendations: &["Arrêter le moteur immédiatement", "Vérifier le niveau d'huile"],
    },
    Symptom {
        keywords: &["claquement", "cognement", "knock", "knocking"],
        diagnosis: "Bruit de cognement : cliquetis, bielle ou poussoirs ; à diagnostiquer rapidement.",
        urgency: "high",
        cost: "200 - 2000 €",
        recommendations: &["Éviter les régimes élevés", "Faire diagnostiquer le moteur rapidement"],
    },
    Symptom {
        keywords: &["demarre pas", "demarrage", "won't start", "wont start", "does not start", "batterie", "battery", "starter", "demarreur"],
        diagnosis: "Difficulté de démarrage : batterie faible, démarreur ou alimentation.",
        urgency: "medium",
        cost: "100 - 400 €",
        recommendations: &["Tester la batterie et les bornes", "Faire contrôler le démarreur et l'alternateur"],
    },
    Symptom {
        keywords: &["fumee", "smoke"],
        diagnosis: "Fumée à l'échappement : combustion d'huile (bleue), excès de carburant (noire) ou liquide de refroidissement (blanche).",
        urgency: "medium",
        cost: "100 - 1500 €",
        recommendations: &["Noter la couleur de la fumée", "Faire contrôler le moteur"],
    },
    Symptom {
        keywords: &["vibration", "vibrations", "vibre", "tremble", "shake", "shaking", "volant"],
        diagnosis: "Vibrations : équilibrage des roues, pneus déformés, rotules ou silentblocs usés.",
        urgency: "medium",
        cost: "50 - 400 €",
        recommendations: &["Faire équilibrer les roues", "Contrôler les pneus et la direction"],
    },
    Symptom {
        keywords: &["voyant moteur", "check engine", "engine light", "voyant"],
        diagnosis: "Voyant moteur allumé : un code défaut est enregistré ; une lecture OBD-II le précisera.",
        urgency: "medium",
        cost: "À déterminer",
        recommendations: &["Faire lire les codes défaut (OBD-II)", "Éviter les longs trajets si le voyant clignote"],
    },
    Symptom {
        keywords: &["fuite", "fuit", "leak", "leaking", "flaque"],
        diagnosis: "Fuite de liquide : identifier le liquide (huile, refroidissement, frein, carburant).",
        urgency: "medium",
        cost: "50 - 600 €",
        recommendations: &["Vérifier les niveaux", "Faire localiser la fuite"],
    },
    Symptom {
        keywords: &["bruit", "grincement", "sifflement", "couine", "noise", "squeal", "squeak", "rattle"],
        diagnosis: "Bruit anormal : courroie d'accessoires, freins, échappement ou train roulant.",
        urgency: "medium",
        cost: "50 - 500 €",
        recommendations: &["Noter quand le bruit apparaît (freinage, virage, accélération)", "Faire contrôler le véhicule"],
    },
    Symptom {
        keywords: &["clim", "climatisation", "air conditioning", "a/c"],
        diagnosis: "Climatisation peu efficace : recharge de gaz, filtre d'habitacle ou compresseur.",
        urgency: "low",
        cost: "80 - 800 €",
        recommendations: &["Faire recharger et contrôler la climatisation", "Remplacer le filtre d'habitacle"],
    },
];

/// A diagnostic from symptom keywords and the fault codes in the text
/// (spec 13.2.10's shape). The diagnosis starts with the offline mark.
pub fn diagnostic(symptoms: &str) -> Value {
    let folded = fold(symptoms);
    let codes = dtc::find_codes(symptoms);
    let matched: Vec<&Symptom> = SYMPTOMS
        .iter()
        .filter(|s| s.keywords.iter().any(|k| contains_word(&folded, k)))
        .collect();
    let rank = |u: &str| match u {
        "high" => 3,
        "medium" => 2,
        _ => 1,
    };
    let mut parts: Vec<String> = matched
        .iter()
        .take(3)
        .map(|s| s.diagnosis.to_string())
        .collect();
    let mut urgency = matched
        .iter()
        .map(|s| s.urgency)
        .max_by_key(|u| rank(u))
        .unwrap_or("medium");
    let mut cost = matched.first().map(|s| s.cost.to_string());
    let mut recommendations: Vec<String> = matched
        .iter()
        .flat_map(|s| s.recommendations.iter().map(|r| r.to_string()))
        .collect();
    if !codes.is_empty() {
        parts.push(fault_codes(&codes, Lang::Fr).trim_end().replace('\n', " "));
        recommendations.push("Faire confirmer les codes défaut par une lecture OBD-II".into());
        if let Some(Lookup::Known(f)) = codes.first().map(|c| CodeTable::embedded().lookup(c)) {
            if let Some([low, high]) = f.repair.as_ref().and_then(|r| r.estimated_cost_eur) {
                cost.get_or_insert(format!("{low:.0} - {high:.0} €"));
            }
            if f.flags.limp_mode_possible && rank(urgency) < 3 {
                urgency = "high";
            }
        }
    }
    if parts.is_empty() {
        parts.push("Les symptômes décrits ne suffisent pas à un diagnostic par règles.".into());
    }
    recommendations.push("Consulter un mécanicien pour un diagnostic précis".into());
    recommendations.dedup();
    recommendations.truncate(5);
    json!({
        "diagnosis": format!("{MARK_FR} {}", parts.join(" ")),
        "urgency": urgency,
        "estimatedCost": cost.unwrap_or_else(|| "À déterminer".into()),
        "recommendations": recommendations,
    })
}

/// The offline answer to a maintenance question about `vehicle` (free
/// text): the caller's data when the question is about it, the intervals
/// otherwise.
pub fn maintenance_answer(facts: &Facts, vehicle: &str, question: &str) -> String {
    let lang = Lang::of(question);
    let folded = fold(question);
    let codes = dtc::find_codes(question);
    let body = if !codes.is_empty() {
        fault_codes(&codes, lang)
    } else if any(&folded, LAST_WORDS) || (any(&folded, DUE_WORDS) && !any(&folded, INTERVAL_WORDS))
    {
        // Scoped to the named vehicle when it is one of the caller's.
        body(facts, &format!("{vehicle} {question}"), &folded, lang)
    } else {
        format!(
            "{} {}.\n{}",
            lang.pick("Pour votre", "For your"),
            vehicle.trim(),
            intervals(&folded, lang)
        )
    };
    format!("{}\n{}", lang.mark(), body.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_at_boundaries() {
        assert!(contains_word("changer les freins", "frein"));
        assert!(contains_word("how often oil change", "how often"));
        assert!(!contains_word("servicemen", "service"));
        assert!(!contains_word("mot de passe", "motorway"));
    }

    #[test]
    fn language() {
        assert_eq!(Lang::of("when is my next service due?"), Lang::En);
        assert_eq!(Lang::of("quand est mon prochain entretien ?"), Lang::Fr);
        assert_eq!(Lang::of("P0301"), Lang::Fr);
    }

    #[test]
    fn suggestions_are_bounded() {
        let s = suggestions(2015, 148_000, 2026);
        assert!(s.len() <= 5 && !s.is_empty());
        assert!(s[0].contains("Vidange") || s[0].contains("Pneus"), "{s:?}");
    }

    #[test]
    fn diagnostic_rules() {
        let d = diagnostic("Les freins grincent et la pédale est molle");
        assert_eq!(d["urgency"], "high");
        assert!(d["diagnosis"].as_str().unwrap().starts_with(MARK_FR));
        let d = diagnostic("rien de particulier");
        assert_eq!(d["urgency"], "medium");
        assert_eq!(d["estimatedCost"], "À déterminer");
    }
}
