//! Word lists that drive the rule-based extractors: event triggers, weapons
//! and role nouns. They live in `data/lexicon/*.tsv` (embedded at build
//! time, parsed at start-up) so that linguists can extend them without
//! touching code.

use rustc_hash::{FxHashMap, FxHashSet};
use vigil_core::EventType;

use crate::ResourceError;

const TRIGGERS: &str = include_str!("../../../data/lexicon/triggers.tsv");
const WEAPONS: &str = include_str!("../../../data/lexicon/weapons.tsv");
const NOUNS: &str = include_str!("../../../data/lexicon/nouns.tsv");
const GIVEN_NAMES: &str = include_str!("../../../data/lexicon/given-names.txt");

/// One event trigger from `triggers.tsv`.
#[derive(Debug, Clone)]
pub struct Trigger {
    /// Lower-case words of the form.
    pub words: Vec<String>,
    pub kind: EventType,
    pub noun: bool,
    pub past: bool,
    pub weak: bool,
    pub threat: bool,
    pub casualty: bool,
}

/// The role a generic noun can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NounRole {
    Perpetrator,
    Victim,
    Target,
    Suspect,
}

/// A multi-word lexicon keyed by its first word, longest forms first.
/// Looked up at every token of every document: the keys are our own word
/// lists, so a fast non-keyed hash is safe.
#[derive(Debug)]
pub struct PhraseTable<T> {
    by_first: FxHashMap<String, Vec<(Vec<String>, T)>>,
}

impl<T> Default for PhraseTable<T> {
    fn default() -> Self {
        PhraseTable {
            by_first: FxHashMap::default(),
        }
    }
}

impl<T> PhraseTable<T> {
    fn insert(&mut self, words: Vec<String>, value: T) {
        let Some(first) = words.first().cloned() else {
            return;
        };
        let entry = self.by_first.entry(first).or_default();
        entry.push((words, value));
        entry.sort_by_key(|(w, _)| std::cmp::Reverse(w.len()));
    }

    /// The longest phrase starting at `words[at]`, with its length in words.
    /// `words` must be lower-case.
    pub fn longest_at<W: Words + ?Sized>(&self, words: &W, at: usize) -> Option<(usize, &T)> {
        let first = words.word(at)?;
        let candidates = self.by_first.get(first)?;
        candidates.iter().find_map(|(phrase, value)| {
            let n = words.word_count();
            if at + phrase.len() > n {
                return None;
            }
            phrase
                .iter()
                .enumerate()
                .all(|(k, p)| words.word(at + k) == Some(p.as_str()))
                .then_some((phrase.len(), value))
        })
    }
}

/// A sequence of words a [`PhraseTable`] can be matched against: a slice
/// of strings or a document's [`LowerForms`](crate::context::LowerForms).
pub trait Words {
    /// The word at `i`, if any.
    fn word(&self, i: usize) -> Option<&str>;
    /// How many words there are.
    fn word_count(&self) -> usize;
}

impl<S: AsRef<str>> Words for [S] {
    fn word(&self, i: usize) -> Option<&str> {
        self.get(i).map(AsRef::as_ref)
    }
    fn word_count(&self) -> usize {
        self.len()
    }
}

impl<S: AsRef<str>, const N: usize> Words for [S; N] {
    fn word(&self, i: usize) -> Option<&str> {
        self.get(i).map(AsRef::as_ref)
    }
    fn word_count(&self) -> usize {
        N
    }
}

impl Words for crate::context::LowerForms {
    fn word(&self, i: usize) -> Option<&str> {
        self.get(i)
    }
    fn word_count(&self) -> usize {
        self.len()
    }
}

/// All lexicons.
#[derive(Debug)]
pub struct Lexicon {
    pub triggers: PhraseTable<Trigger>,
    pub weapons: PhraseTable<String>,
    pub nouns: PhraseTable<NounRole>,
    /// Given names (`given-names.txt`), lower-cased, also without their
    /// accents: a capitalised run opening with one is a person's name.
    /// Built once per process and shared with [`is_given_name`].
    pub given_names: &'static FxHashSet<String>,
}

/// The names of `data/lexicon/given-names.txt`, each lower-cased and
/// without its accents too ("Anaïs" is also written "Anais"); built on
/// first use, once per process.
fn given_name_set() -> &'static FxHashSet<String> {
    static NAMES: std::sync::OnceLock<FxHashSet<String>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        rows(GIVEN_NAMES)
            .filter_map(|(_, cols)| cols.first().map(|n| n.trim()))
            .filter(|n| !n.is_empty())
            .flat_map(|n| [n.to_lowercase(), vigil_geo::fold(n)])
            .collect()
    })
}

/// Whether a lower-cased word is one of the embedded given names
/// (`data/lexicon/given-names.txt`; [`Lexicon::given_names`] of
/// [`Lexicon::embedded`]), for code that has no [`Lexicon`] at hand.
pub fn is_given_name(lower: &str) -> bool {
    given_name_set().contains(lower)
}

fn rows(text: &str) -> impl Iterator<Item = (usize, Vec<&str>)> + '_ {
    text.lines().enumerate().filter_map(|(i, line)| {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            None
        } else {
            Some((i + 1, line.split('\t').collect()))
        }
    })
}

fn words(form: &str) -> Vec<String> {
    form.split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The line each form of a file was first given on: a form given twice is
/// an error (the second would silently replace the first).
#[derive(Default)]
struct Seen(FxHashMap<Vec<String>, usize>);

impl Seen {
    fn check(&mut self, file: &str, line: usize, form: &[String]) -> Result<(), ResourceError> {
        match self.0.insert(form.to_vec(), line) {
            Some(first) => Err(ResourceError::Data {
                file: file.into(),
                line,
                message: format!(
                    "`{}` is already given on line {first}: keep one of the two lines",
                    form.join(" ")
                ),
            }),
            None => Ok(()),
        }
    }
}

fn event_type(name: &str) -> Option<EventType> {
    EventType::ALL.into_iter().find(|t| t.as_str() == name)
}

impl Lexicon {
    /// Parses the embedded lexicon files.
    pub fn embedded() -> Result<Lexicon, ResourceError> {
        let mut triggers = PhraseTable::default();
        let mut seen = Seen::default();
        for (line, cols) in rows(TRIGGERS) {
            let bad = |what: &str| ResourceError::Data {
                file: "data/lexicon/triggers.tsv".into(),
                line,
                message: what.to_string(),
            };
            let form = cols.first().ok_or_else(|| bad("missing form"))?;
            let kind = cols
                .get(1)
                .and_then(|t| event_type(t.trim()))
                .ok_or_else(|| bad("second column must be an event type such as `attack`"))?;
            let flags: Vec<&str> = cols
                .get(2)
                .map(|f| f.split(',').map(str::trim).collect())
                .unwrap_or_default();
            for flag in &flags {
                if !["noun", "past", "weak", "threat", "casualty", ""].contains(flag) {
                    return Err(bad(&format!("unknown flag `{flag}`")));
                }
            }
            let has = |f: &str| flags.contains(&f);
            let w = words(form);
            seen.check("data/lexicon/triggers.tsv", line, &w)?;
            triggers.insert(
                w.clone(),
                Trigger {
                    words: w,
                    kind,
                    noun: has("noun"),
                    past: has("past"),
                    weak: has("weak"),
                    threat: has("threat"),
                    casualty: has("casualty"),
                },
            );
        }
        let mut weapons = PhraseTable::default();
        let mut seen = Seen::default();
        for (line, cols) in rows(WEAPONS) {
            let class = cols.get(1).ok_or_else(|| ResourceError::Data {
                file: "data/lexicon/weapons.tsv".into(),
                line,
                message: "expected `form<TAB>class`".into(),
            })?;
            let w = words(cols[0]);
            seen.check("data/lexicon/weapons.tsv", line, &w)?;
            weapons.insert(w, class.trim().to_string());
        }
        let mut nouns = PhraseTable::default();
        let mut seen = Seen::default();
        for (line, cols) in rows(NOUNS) {
            let role = match cols.get(1).map(|r| r.trim()) {
                Some("perpetrator") => NounRole::Perpetrator,
                Some("victim") => NounRole::Victim,
                Some("target") => NounRole::Target,
                Some("suspect") => NounRole::Suspect,
                _ => {
                    return Err(ResourceError::Data {
                        file: "data/lexicon/nouns.tsv".into(),
                        line,
                        message: "expected `form<TAB>perpetrator|victim|target|suspect`".into(),
                    })
                }
            };
            let w = words(cols[0]);
            seen.check("data/lexicon/nouns.tsv", line, &w)?;
            nouns.insert(w, role);
        }
        let given_names = given_name_set();
        Ok(Lexicon {
            triggers,
            weapons,
            nouns,
            given_names,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_lexicons_parse_and_prefer_longest() {
        let lex = Lexicon::embedded().expect("embedded lexicon parses");
        let words = ["car", "bomb", "exploded"];
        let (len, t) = lex
            .triggers
            .longest_at(&words, 0)
            .expect("car bomb is a trigger");
        assert_eq!(len, 2);
        assert_eq!(t.kind, EventType::Bombing);
        let (len, class) = lex
            .weapons
            .longest_at(&words, 0)
            .expect("car bomb is a weapon");
        assert_eq!((len, class.as_str()), (2, "explosive"));
        assert!(lex.triggers.longest_at(&words, 1).is_none());
        let (_, t) = lex.triggers.longest_at(&["arrested"], 0).expect("arrested");
        assert_eq!(t.kind, EventType::Arrest);
        assert!(t.past);
    }

    #[test]
    fn a_form_given_twice_is_an_error_naming_both_lines() {
        let mut seen = Seen::default();
        let form = words("car bomb");
        assert!(seen.check("weapons.tsv", 3, &form).is_ok());
        assert!(seen.check("weapons.tsv", 4, &words("truck bomb")).is_ok());
        let err = seen
            .check("weapons.tsv", 9, &words("Car  Bomb"))
            .expect_err("a repeated form");
        let ResourceError::Data {
            file,
            line,
            message,
        } = err
        else {
            panic!("a data error: {err:?}");
        };
        assert_eq!((file.as_str(), line), ("weapons.tsv", 9));
        assert!(message.contains("line 3"), "{message}");
    }
}
