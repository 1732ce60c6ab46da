//! Everything the extractors load once at start-up: the place gazetteer,
//! the knowledge base of groups, bodies and outlets, the lexicons, and one
//! Aho-Corasick automaton over every name they contain.

use std::collections::HashMap;

use daachorse::{DoubleArrayAhoCorasick, DoubleArrayAhoCorasickBuilder, MatchKind as DaaMatchKind};
use vigil_geo::{Gazetteer, PlaceId};

use crate::kb::Kb;
use crate::lexicon::Lexicon;

/// A resource file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ResourceError {
    #[error("{file}:{line}: {message} (fix the data file and rebuild)")]
    Data {
        file: String,
        line: usize,
        message: String,
    },
    #[error("place gazetteer: {0}")]
    Geo(String),
    #[error("knowledge base: {0}")]
    Kb(String),
    #[error("building the name matcher: {0}")]
    Matcher(String),
}

/// The names form this many interleaved groups (pattern `i` is in group
/// `i % NAME_GROUPS`); matches are chosen leftmost-longest within each
/// group, then leftmost-longest across groups (see `find_names`). This is
/// the output the former per-group automata gave on two cores, now the
/// same on every machine and found in one scan of the text.
const NAME_GROUPS: usize = 2;

/// What a matched name stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameTarget {
    /// A record of the knowledge base (index into `Kb::records`).
    Kb(usize),
    /// Any place carrying this name; resolved with context at match time.
    Place,
    /// A demonym ("Tajik") of the country with this index in `Resources::countries`.
    Demonym(usize),
}

/// The loaded resources.
pub struct Resources {
    pub geo: Gazetteer,
    pub kb: Kb,
    pub lexicon: Lexicon,
    /// Country ISO codes in the order used by [`NameTarget::Demonym`].
    pub demonym_countries: Vec<String>,
    /// Every name (ASCII-lower-cased); values index `patterns`. Reports
    /// overlapping matches, from which `find_names` picks.
    matcher: DoubleArrayAhoCorasick<u32>,
    /// For each pattern: its original spelling and what it names.
    patterns: Vec<(String, Vec<NameTarget>)>,
    /// Offices and titles, lower-case words, for people's roles.
    pub offices: Vec<(Vec<String>, bool)>,
}

/// The ASCII spelling of a name written with accents or other non-ASCII
/// Latin letters, case kept ("Boyacá" → "Boyaca", "Ñuñoa" → "Nunoa",
/// "Straße" → "Strasse"); `None` when the name is ASCII already or has a
/// letter without an ASCII spelling (Cyrillic, Arabic…).
fn plain_spelling(name: &str) -> Option<String> {
    if name.is_ascii() {
        return None;
    }
    let mut out = String::with_capacity(name.len());
    let mut buf = [0u8; 4];
    for c in name.chars() {
        if c.is_ascii() {
            out.push(c);
        } else if c.is_whitespace() {
            out.push(' ');
        } else {
            let folded = vigil_geo::fold(c.encode_utf8(&mut buf));
            if folded.is_empty() || !folded.is_ascii() {
                return None;
            }
            if c.is_uppercase() {
                let mut chars = folded.chars();
                if let Some(first) = chars.next() {
                    out.push(first.to_ascii_uppercase());
                    out.push_str(chars.as_str());
                }
            } else {
                out.push_str(&folded);
            }
        }
    }
    Some(out)
}

impl Resources {
    /// Loads the embedded gazetteer, knowledge base and lexicons.
    pub fn embedded() -> Result<Resources, ResourceError> {
        let geo = Gazetteer::embedded().map_err(|e| ResourceError::Geo(e.to_string()))?;
        let kb = Kb::embedded().map_err(|e| ResourceError::Kb(e.to_string()))?;
        let lexicon = Lexicon::embedded()?;
        Resources::new(geo, kb, lexicon)
    }

    pub fn new(geo: Gazetteer, kb: Kb, lexicon: Lexicon) -> Result<Resources, ResourceError> {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut patterns: Vec<(String, Vec<NameTarget>)> = Vec::new();
        let mut add = |name: &str, target: NameTarget| {
            let name = name.trim();
            // One- and two-letter names are too ambiguous to match anywhere.
            if name.chars().filter(|c| c.is_alphanumeric()).count() < 2 {
                return;
            }
            // The matcher works on ASCII-lower-cased text: one pattern per
            // ASCII-lower-cased spelling.
            let key = name.to_ascii_lowercase();
            let slot = *index.entry(key).or_insert_with(|| {
                patterns.push((name.to_string(), Vec::new()));
                patterns.len() - 1
            });
            let targets = &mut patterns[slot].1;
            if !targets.contains(&target) {
                targets.push(target);
            }
        };
        // Names spelt with a typographic apostrophe ("Kurdistan Workers’
        // Party", "N’Djamena"), added last so that the other patterns keep
        // their indices (and groups).
        let mut typographic: Vec<(String, NameTarget)> = Vec::new();
        for (i, rec) in kb.records().iter().enumerate() {
            for name in std::iter::once(&rec.name).chain(&rec.aliases) {
                if name.contains('\'') {
                    typographic.push((name.replace('\'', "\u{2019}"), NameTarget::Kb(i)));
                }
                // "The National" must not swallow "the National Counterterrorism
                // Center": names are matched without their article.
                let bare = name
                    .strip_prefix("The ")
                    .or_else(|| name.strip_prefix("the "))
                    .unwrap_or(name);
                add(bare, NameTarget::Kb(i));
                if let Some(plain) = plain_spelling(bare) {
                    add(&plain, NameTarget::Kb(i));
                }
            }
        }
        for (name, _) in geo.names() {
            add(name, NameTarget::Place);
            if name.contains('\'') {
                typographic.push((name.replace('\'', "\u{2019}"), NameTarget::Place));
            }
            // English news drops the accents: "Boyaca", "Bolivar", "Cordoba".
            if let Some(plain) = plain_spelling(name) {
                add(&plain, NameTarget::Place);
            }
            // "Saint Petersburg" is written "St Petersburg" and "St. Petersburg".
            if let Some(rest) = name.strip_prefix("Saint ") {
                add(&format!("St {rest}"), NameTarget::Place);
                add(&format!("St. {rest}"), NameTarget::Place);
            }
        }
        let mut demonym_countries = Vec::new();
        for (word, country) in geo.demonyms() {
            let idx = match demonym_countries.iter().position(|c| c == &country.iso2) {
                Some(i) => i,
                None => {
                    demonym_countries.push(country.iso2.clone());
                    demonym_countries.len() - 1
                }
            };
            add(word, NameTarget::Demonym(idx));
        }
        for (name, target) in &typographic {
            add(name, *target);
        }
        // A double-array Aho-Corasick automaton: built in a fraction of the
        // time of a classic one for tens of thousands of names, and fast to
        // scan.
        let matcher = DoubleArrayAhoCorasickBuilder::new()
            .match_kind(DaaMatchKind::Standard)
            .build_with_values(
                (0u32..)
                    .zip(patterns.iter())
                    .map(|(i, (p, _))| (p.to_ascii_lowercase(), i)),
            )
            .map_err(|e| ResourceError::Matcher(e.to_string()))?;
        let offices = kb
            .offices()
            .iter()
            .map(|o| {
                (
                    o.phrase.split_whitespace().map(str::to_lowercase).collect(),
                    o.honorific,
                )
            })
            .collect();
        Ok(Resources {
            geo,
            kb,
            lexicon,
            demonym_countries,
            matcher,
            patterns,
            offices,
        })
    }

    /// Every gazetteer name in `text`: (byte start, byte end, pattern spelling, targets).
    /// Leftmost-longest, ASCII case-insensitive, on word boundaries.
    pub fn find_names<'s>(
        &'s self,
        text: &'s str,
    ) -> impl Iterator<Item = (usize, usize, &'s str, &'s [NameTarget])> + 's {
        // Patterns are ASCII-lower-cased; so is a copy of the text, which
        // keeps every byte offset (ASCII case folding is byte for byte).
        let folded = text.to_ascii_lowercase();
        let mut all: Vec<(usize, usize, u32)> = self
            .matcher
            .find_overlapping_iter(&folded)
            .map(|m| (m.start(), m.end(), m.value()))
            .collect();
        // By start, longest first; each match is kept when it starts after
        // the last one kept in its group (leftmost-longest within a group),
        // then when it starts after the last one kept at all
        // (leftmost-longest across groups).
        all.sort_unstable_by_key(|&(start, end, _)| (start, std::cmp::Reverse(end)));
        let mut group_end = [0usize; NAME_GROUPS];
        let mut found: Vec<(usize, usize, u32)> = Vec::with_capacity(all.len());
        let mut last_end = 0usize;
        for m in all {
            let group = usize::try_from(m.2).map_or(0, |v| v % NAME_GROUPS);
            if m.0 < group_end[group] {
                continue;
            }
            group_end[group] = m.1;
            if found.is_empty() || m.0 >= last_end {
                found.push(m);
                last_end = m.1;
            }
        }
        found.into_iter().filter_map(move |(start, end, value)| {
            // A match may end inside a multi-byte character of the text only
            // if a pattern does; never slice there.
            if !text.is_char_boundary(start) || !text.is_char_boundary(end) {
                return None;
            }
            let before = text[..start].chars().next_back();
            let after = text[end..].chars().next();
            let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
            if !boundary(before) || !boundary(after) {
                return None;
            }
            // "Khorasan" inside "ISIS-Khorasan" is not a mention of the region.
            if before == Some('-')
                && text[..start - 1]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphanumeric)
            {
                return None;
            }
            // "ISIS" must not match inside "ISIS-Khorasan", but "Germany-based" names Germany.
            if after == Some('-') && !is_compound_suffix(&text[end + 1..]) {
                return None;
            }
            let (spelling, targets) = self.patterns.get(usize::try_from(value).ok()?)?;
            Some((start, end, spelling.as_str(), targets.as_slice()))
        })
    }

    pub fn place_ids(&self, name: &str) -> &[PlaceId] {
        self.geo.lookup(name)
    }
}

/// True when `rest` (the text after a hyphen) starts with a suffix that
/// makes a compound adjective of the preceding name ("-based", "-linked").
fn is_compound_suffix(rest: &str) -> bool {
    const SUFFIXES: [&str; 16] = [
        "linked",
        "based",
        "led",
        "backed",
        "affiliated",
        "inspired",
        "style",
        "related",
        "allied",
        "born",
        "controlled",
        "held",
        "run",
        "owned",
        "made",
        "bound",
    ];
    let word: String = rest
        .chars()
        .take_while(|c| c.is_alphabetic())
        .collect::<String>()
        .to_lowercase();
    SUFFIXES.contains(&word.as_str())
}

#[cfg(test)]
mod tests {
    use super::plain_spelling;

    #[test]
    fn plain_spellings_drop_accents_and_keep_case() {
        assert_eq!(plain_spelling("Boyacá").as_deref(), Some("Boyaca"));
        assert_eq!(plain_spelling("Ñuñoa").as_deref(), Some("Nunoa"));
        assert_eq!(
            plain_spelling("ÉCOLE Ålesund").as_deref(),
            Some("ECOLE Alesund")
        );
        assert_eq!(plain_spelling("Großstadt").as_deref(), Some("Grossstadt"));
        assert_eq!(plain_spelling("Bogota"), None, "already ASCII");
        assert_eq!(plain_spelling("Москва"), None, "no ASCII spelling");
    }
}
