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

/// At most this many automaton shards (and builder threads).
const MAX_SHARDS: usize = 4;

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
    /// Shards of the name automaton (see `new`).
    matchers: Vec<DoubleArrayAhoCorasick<u32>>,
    /// For each pattern: its original spelling and what it names.
    patterns: Vec<(String, Vec<NameTarget>)>,
    /// Offices and titles, lower-case words, for people's roles.
    pub offices: Vec<(Vec<String>, bool)>,
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
        for (i, rec) in kb.records().iter().enumerate() {
            for name in std::iter::once(&rec.name).chain(&rec.aliases) {
                // "The National" must not swallow "the National Counterterrorism
                // Center": names are matched without their article.
                let bare = name
                    .strip_prefix("The ")
                    .or_else(|| name.strip_prefix("the "))
                    .unwrap_or(name);
                add(bare, NameTarget::Kb(i));
            }
        }
        for (name, _) in geo.names() {
            add(name, NameTarget::Place);
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
        // Double-array Aho-Corasick automata: built in a fraction of the
        // time of a classic one for tens of thousands of names, and fast to
        // scan. The names are split into shards built on parallel threads
        // (start-up time); values are indexes into `patterns`.
        let shards = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, MAX_SHARDS);
        let build = |shard: usize| {
            let values = (0u32..)
                .zip(patterns.iter())
                .skip(shard)
                .step_by(shards)
                .map(|(i, (p, _))| (p.to_ascii_lowercase(), i));
            DoubleArrayAhoCorasickBuilder::new()
                .match_kind(DaaMatchKind::LeftmostLongest)
                .build_with_values(values)
                .map_err(|e| ResourceError::Matcher(e.to_string()))
        };
        let built: Vec<Result<DoubleArrayAhoCorasick<u32>, ResourceError>> =
            std::thread::scope(|scope| {
                let handles: Vec<_> = (1..shards).map(|k| scope.spawn(move || build(k))).collect();
                let mut out = vec![build(0)];
                for h in handles {
                    out.push(h.join().unwrap_or_else(|_| {
                        Err(ResourceError::Matcher("a builder thread panicked".into()))
                    }));
                }
                out
            });
        let matchers = built.into_iter().collect::<Result<Vec<_>, _>>()?;
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
            matchers,
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
            .matchers
            .iter()
            .flat_map(|m| {
                m.leftmost_find_iter(&folded)
                    .map(|m| (m.start(), m.end(), m.value()))
            })
            .collect();
        // Leftmost-longest across the shards: by start, longest first, then
        // drop what overlaps a match already kept.
        all.sort_unstable_by_key(|&(start, end, _)| (start, std::cmp::Reverse(end)));
        let mut found: Vec<(usize, usize, u32)> = Vec::with_capacity(all.len());
        for m in all {
            if found.last().is_none_or(|last| m.0 >= last.1) {
                found.push(m);
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
