//! Text normalisation and line access shared by all extractors.

use regex_lite::Regex;

/// Largest slice (bytes) examined after a label, so label hits on huge
/// lines stay linear.
const WINDOW: usize = 160;

/// Folds one char to lower case without accents, always 1 char for 1 char
/// so positions in folded text map back to the original text.
pub(crate) fn fold_char(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'æ' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Æ' => {
            'a'
        }
        'ç' | 'Ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
        'ñ' | 'Ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'œ' | 'Œ' => {
            'o'
        }
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
        'ý' | 'ÿ' | 'Ý' | 'Ÿ' => 'y',
        '’' | '‘' | '`' | '´' => '\'',
        '\u{a0}' | '\u{202f}' | '\u{2007}' | '\u{2009}' | '\t' | '\r' | '\u{b}' | '\u{c}' => ' ',
        '–' | '—' | '‑' => '-',
        'º' => '°',
        c if c.is_ascii() => c.to_ascii_lowercase(),
        c => {
            let mut l = c.to_lowercase();
            match (l.next(), l.next()) {
                (Some(x), None) => x,
                _ => c,
            }
        }
    }
}

pub(crate) struct Line {
    pub orig: String,
    pub fold: String,
    /// Folded byte offset -> original byte offset (valid on char boundaries).
    map: Vec<usize>,
}

impl Line {
    fn new(orig: &str) -> Line {
        let mut fold = String::with_capacity(orig.len());
        let mut map = Vec::with_capacity(orig.len() + 1);
        for (ob, oc) in orig.char_indices() {
            let fc = fold_char(oc);
            for _ in 0..fc.len_utf8() {
                map.push(ob);
            }
            fold.push(fc);
        }
        map.push(orig.len());
        Line {
            orig: orig.to_string(),
            fold,
            map,
        }
    }

    /// Original text for a folded byte range.
    pub fn orig(&self, start: usize, end: usize) -> &str {
        let s = self.map[start.min(self.fold.len())];
        let e = self.map[end.min(self.fold.len())];
        &self.orig[s..e.max(s)]
    }

    pub fn is_blank(&self) -> bool {
        self.fold.trim().is_empty()
    }
}

/// A span of folded text: line index and byte range.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Span {
    pub line: usize,
    pub start: usize,
    pub end: usize,
}

pub(crate) struct Doc {
    pub lines: Vec<Line>,
    /// All folded lines joined by '\n', for keyword scoring.
    pub fold_all: String,
    /// No French markers: numeric dates may be read month first.
    pub english: bool,
    next_nonempty: Vec<Option<usize>>,
}

impl Doc {
    pub fn new(text: &str) -> Doc {
        let lines: Vec<Line> = text.split('\n').map(Line::new).collect();
        let mut next_nonempty = vec![None; lines.len()];
        let mut next = None;
        for i in (0..lines.len()).rev() {
            next_nonempty[i] = next;
            if !lines[i].is_blank() {
                next = Some(i);
            }
        }
        let fold_all = lines
            .iter()
            .map(|l| l.fold.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        let french = [
            "facture",
            "tva",
            "le",
            "du",
            "au",
            "de",
            "la",
            "et",
            "des",
            "vehicule",
            "montant",
            "immatriculation",
            "assurance",
            "controle",
        ]
        .iter()
        .any(|w| has_word(&fold_all, w));
        Doc {
            lines,
            fold_all,
            english: !french,
            next_nonempty,
        }
    }

    pub fn next_nonempty(&self, li: usize) -> Option<usize> {
        self.next_nonempty.get(li).copied().flatten()
    }

    pub fn text(&self, s: Span) -> &str {
        &self.lines[s.line].fold[s.start..s.end]
    }

    pub fn orig(&self, s: Span) -> &str {
        self.lines[s.line].orig(s.start, s.end)
    }

    /// Where a value may sit after a label ending at `end` on line `li`:
    /// the rest of the line (if any), then the next non-empty line.
    pub fn value_spans(&self, li: usize, end: usize) -> Vec<Span> {
        let mut out = Vec::with_capacity(2);
        let f = &self.lines[li].fold;
        let rest = &f[end..];
        let trimmed = rest.trim_start_matches([' ', ':', '.', '-', '=', '|']);
        let s = end + rest.len() - trimmed.len();
        if !trimmed.trim().is_empty() {
            out.push(Span {
                line: li,
                start: s,
                end: clamp(f, s + WINDOW),
            });
        }
        if let Some(n) = self.next_nonempty(li) {
            let g = &self.lines[n].fold;
            let s = g.len() - g.trim_start().len();
            out.push(Span {
                line: n,
                start: s,
                end: clamp(g, s + WINDOW),
            });
        }
        out
    }
}

impl Doc {
    /// Calls `f` on each value span after each match of `re`, until `f`
    /// returns true. With `anchored`, a label counts only at line start
    /// (possibly after a short code like "D.1") or when followed by ':'.
    pub fn each_label(&self, re: &Regex, anchored: bool, mut f: impl FnMut(Span) -> bool) -> bool {
        self.each_label_at(re, anchored, |_, sp| f(sp))
    }

    /// Like `each_label`, also passing the index of the label's own line.
    pub fn each_label_at(
        &self,
        re: &Regex,
        anchored: bool,
        mut f: impl FnMut(usize, Span) -> bool,
    ) -> bool {
        for (li, line) in self.lines.iter().enumerate() {
            for m in re.find_iter(&line.fold) {
                if anchored {
                    let before = line.fold[..m.start()].trim();
                    let colon = line.fold[m.end()..].trim_start().starts_with(':');
                    if before.len() > 4 && !colon {
                        continue;
                    }
                }
                for sp in self.value_spans(li, m.end()) {
                    if f(li, sp) {
                        return true;
                    }
                }
            }
        }
        false
    }
}

/// Largest char boundary of `s` not above `i`.
pub(crate) fn clamp(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// `needle` occurs in `hay` with no ASCII alphanumeric glued on either side.
pub(crate) fn has_word(hay: &str, needle: &str) -> bool {
    let hb = hay.as_bytes();
    hay.match_indices(needle).any(|(i, m)| {
        let before = i == 0 || !is_word_byte(hb[i - 1]);
        let j = i + m.len();
        let after = j >= hb.len() || !is_word_byte(hb[j]);
        before && after
    })
}

/// Cuts a free-text value at a column gap (two spaces) and trims punctuation.
pub(crate) fn clean_value(s: &str) -> &str {
    let s = s.trim();
    let s = match s.find("  ") {
        Some(i) => &s[..i],
        None => s,
    };
    s.trim_matches(|c: char| c.is_whitespace() || matches!(c, ':' | ',' | ';' | '-' | '|'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_keeps_char_count_and_maps_back() {
        let l = Line::new("Électricité ÇA œuvre’s\u{a0}İx");
        assert_eq!(l.fold.chars().count(), l.orig.chars().count());
        assert!(l.fold.starts_with("electricite ca ouvre's "));
        let i = l.fold.find("ca").unwrap();
        assert_eq!(l.orig(i, i + 2), "ÇA");
    }

    #[test]
    fn words_and_values() {
        assert!(has_word("total tva 20", "tva"));
        assert!(!has_word("private", "vat"));
        assert_eq!(clean_value(" : RENAULT   B. 12"), "RENAULT");
        let d = Doc::new("Date :\n\n  14/03/2026");
        let v = d.value_spans(0, 4);
        assert_eq!(v.len(), 1);
        assert_eq!(d.text(v[0]), "14/03/2026");
        assert!(d.english);
        assert!(!Doc::new("Date de la facture").english);
        assert!(Doc::new("Invoice total").english);
    }
}
