//! Case-insensitive token and document features for news about political
//! violence.
//!
//! Token features: the lower-cased word and its neighbours (±3), bigrams,
//! prefixes and suffixes, the shape of the original spelling, membership
//! in small lexicons (weapons, armed-group name words, people and
//! functions, physical targets), whether the token and its neighbours are
//! given names (`data/lexicon/given-names.txt`), quotes and parentheses,
//! the sentence's position in the document, the nearest trigger word
//! (killed, bomb, kidnapped, attacked…) on each side with its distance,
//! how often the word occurs in the document, the nearest "-ed" word on
//! each side and the nearest preposition to the left, the crude noun
//! phrase around the token (its head word and the words around it, see
//! [`chunk_spans`]), the trigger classes of its sentence and whether that
//! sentence is the first to report violence, and, when asked
//! ([`TokenFeaturizer::with_classes`]), word classes of `data/clusters/`
//! ([`word_classes`]). Every feature is hashed with a [`FeatureHasher`];
//! nothing depends on letter case except `shape`.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use vigil_core::EntityType;

use super::text::{sentences, tokenize, Tok, TokKind};
use super::FeatureHasher;
use crate::kb::Kb;

/// The lexicons the rule pipeline also reads (`crate::lexicon`).
const WEAPONS: &str = include_str!("../../../../data/lexicon/weapons.tsv");
const NOUNS: &str = include_str!("../../../../data/lexicon/nouns.tsv");
/// Word classes (`data/clusters/words.tsv`, built by
/// `scripts/build-word-clusters.py`).
const CLUSTERS: &str = include_str!("../../../../data/clusters/words.tsv");

/// The classes of an unknown word.
const NO_CLASS: [&str; 3] = ["?", "?", "?"];

/// Word classes of a lower-cased word at three granularities (64, 256 and
/// 1,024 classes of `data/clusters/words.tsv`: k-means over the words'
/// embeddings by a sentence encoder, so that "bomb", "dynamite" and
/// "explosives" share a class), or `None` for a word not in the list.
pub fn word_classes(w: &str) -> Option<&'static [&'static str; 3]> {
    static TABLE: OnceLock<FxHashMap<&'static str, [&'static str; 3]>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            CLUSTERS
                .lines()
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .filter_map(|l| {
                    let mut c = l.split('\t');
                    Some((c.next()?, [c.next()?, c.next()?, c.next()?]))
                })
                .collect()
        })
        .get(w)
}

/// `(form, second column)` of the data rows of a lexicon file.
fn tsv(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.lines().filter_map(|l| {
        let l = l.trim_end();
        if l.is_empty() || l.starts_with('#') {
            return None;
        }
        let mut cols = l.split('\t');
        Some((cols.next()?, cols.next().unwrap_or("").trim()))
    })
}

/// Phrases of vigil's knowledge base and lexicons, as lower-cased words
/// keyed by their first word (longest first): armed groups, government
/// bodies and other organisations (`data/kb/`), weapons and role nouns
/// (`data/lexicon/`).
#[derive(Debug, Default)]
pub struct Gazetteer {
    by_first: FxHashMap<String, Vec<(Vec<String>, &'static str)>>,
}

impl Gazetteer {
    fn insert(&mut self, phrase: &str, kind: &'static str) {
        let words: Vec<String> = tokenize(phrase)
            .iter()
            .map(|t| t.text(phrase).to_lowercase())
            .collect();
        let Some(first) = words.first().cloned() else {
            return;
        };
        let e = self.by_first.entry(first).or_default();
        if !e.iter().any(|(w, k)| *w == words && *k == kind) {
            e.push((words, kind));
            e.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.1.cmp(b.1)));
        }
    }

    /// The gazetteer built from the embedded knowledge base and lexicons
    /// (built once per process).
    pub fn embedded() -> &'static Gazetteer {
        static G: OnceLock<Gazetteer> = OnceLock::new();
        G.get_or_init(|| {
            let mut g = Gazetteer::default();
            if let Ok(kb) = Kb::embedded() {
                for r in kb.records() {
                    let kind = match r.kind {
                        EntityType::ArmedGroup => "armed",
                        EntityType::GovernmentBody => "gov",
                        _ => continue,
                    };
                    for name in r.names() {
                        g.insert(name, kind);
                    }
                }
            }
            for (form, _) in tsv(WEAPONS) {
                g.insert(form, "weapon");
            }
            for (form, role) in tsv(NOUNS) {
                let kind = match role {
                    "perpetrator" => "n-perp",
                    "victim" => "n-victim",
                    "target" => "n-target",
                    "suspect" => "n-suspect",
                    _ => continue,
                };
                g.insert(form, kind);
            }
            g
        })
    }

    /// The longest phrase starting at
    /// `words[at]`: its length in words and kind.
    pub fn longest_at(&self, words: &[String], at: usize) -> Option<(usize, &'static str)> {
        let cands = self.by_first.get(words.get(at)?)?;
        cands.iter().find_map(|(phrase, kind)| {
            let window = words.get(at..at + phrase.len())?;
            (window == phrase.as_slice()).then_some((phrase.len(), *kind))
        })
    }

    /// Gazetteer tags of every token: `(kind, position)` where position is
    /// "B" or "I", or `None`.
    pub fn tag(&self, words: &[String]) -> Vec<Option<(&'static str, &'static str)>> {
        let mut out = vec![None; words.len()];
        let mut i = 0;
        while i < words.len() {
            match self.longest_at(words, i) {
                Some((len, kind)) => {
                    out[i] = Some((kind, "B"));
                    for o in out.iter_mut().take(i + len).skip(i + 1) {
                        *o = Some((kind, "I"));
                    }
                    i += len;
                }
                None => i += 1,
            }
        }
        out
    }
}

/// Event trigger classes of a lower-cased word.
pub fn trigger_class(w: &str) -> Option<&'static str> {
    Some(match w {
        "killed" | "kill" | "killing" | "killings" | "murder" | "murdered" | "murders"
        | "assassinated" | "assassination" | "assassinate" | "assassins" | "shot" | "executed"
        | "massacre" | "massacred" | "slain" | "dead" | "died" | "death" | "bodies" | "body"
        | "wounded" | "injured" | "wounding" | "gunned" => "kill",
        "bomb" | "bombs" | "bombing" | "bombings" | "bombed" | "exploded" | "explosion"
        | "explosions" | "blast" | "dynamite" | "dynamited" | "detonated" | "explosive"
        | "explosives" | "car-bomb" | "blew" | "blown" => "bomb",
        "kidnapped" | "kidnapping" | "kidnappings" | "kidnap" | "abducted" | "abduction"
        | "kidnappers" | "hostage" | "hostages" | "captors" | "released" | "ransom" => "kidnap",
        "attack" | "attacked" | "attacks" | "attacking" | "ambush" | "ambushed" | "raid"
        | "raided" | "assault" | "assaulted" | "fired" | "machinegunned" | "strafed"
        | "destroyed" | "damaged" | "sabotage" | "sabotaged" | "harassed" | "stormed" => "attack",
        "burned" | "burning" | "torched" | "arson" | "fire" | "set" | "incendiary" => "arson",
        "responsibility" | "claimed" | "blamed" | "perpetrated" | "committed" | "accused"
        | "attributed" | "carried" | "suspected" => "claim",
        "robbed" | "robbery" | "stole" | "stolen" | "looted" => "rob",
        _ => return None,
    })
}

/// True for words naming weapons or instruments of attack.
pub fn is_weapon(w: &str) -> bool {
    matches!(
        w,
        "rifle"
            | "rifles"
            | "bomb"
            | "bombs"
            | "dynamite"
            | "grenade"
            | "grenades"
            | "explosive"
            | "explosives"
            | "mortar"
            | "mortars"
            | "machinegun"
            | "machineguns"
            | "machine-gun"
            | "pistol"
            | "pistols"
            | "revolver"
            | "gun"
            | "guns"
            | "m-16"
            | "ak-47"
            | "tnt"
            | "rocket"
            | "rockets"
            | "mine"
            | "mines"
            | "bazooka"
            | "submachinegun"
            | "submachineguns"
            | "car-bomb"
            | "molotov"
            | "launcher"
            | "launchers"
            | "artillery"
            | "firearms"
            | "shotgun"
            | "knife"
            | "machete"
            | "fal"
            | "uzi"
            | "galil"
            | "ammonal"
            | "incendiary"
            | "cocktail"
            | "cocktails"
            | "charge"
            | "charges"
            | "device"
            | "devices"
            | "missile"
            | "missiles"
    )
}

/// True for words that occur in names of armed groups and security forces.
pub fn is_group_word(w: &str) -> bool {
    matches!(
        w,
        "front"
            | "army"
            | "movement"
            | "forces"
            | "fmln"
            | "eln"
            | "urng"
            | "farc"
            | "farabundo"
            | "marti"
            | "shining"
            | "path"
            | "sendero"
            | "luminoso"
            | "command"
            | "commando"
            | "commandos"
            | "guerrillas"
            | "guerrilla"
            | "rebels"
            | "rebel"
            | "terrorists"
            | "terrorist"
            | "subversives"
            | "subversive"
            | "squad"
            | "squads"
            | "cartel"
            | "extraditables"
            | "mrta"
            | "tupac"
            | "amaru"
            | "patriotic"
            | "liberation"
            | "revolutionary"
            | "popular"
            | "m-19"
            | "epl"
            | "contras"
            | "frente"
            | "ejercito"
            | "brigade"
            | "battalion"
            | "mafia"
            | "drug"
            | "traffickers"
            | "narcoterrorists"
            | "urban"
            | "column"
            | "unit"
            | "cell"
            | "gang"
            | "militia"
            | "paramilitary"
            | "soldiers"
            | "troops"
            | "police"
            | "guard"
    )
}

/// True for words describing people: functions, titles, groups of civilians.
pub fn is_person_word(w: &str) -> bool {
    matches!(
        w,
        "mr" | "mrs"
            | "col"
            | "colonel"
            | "gen"
            | "general"
            | "president"
            | "minister"
            | "father"
            | "priest"
            | "priests"
            | "jesuit"
            | "jesuits"
            | "mayor"
            | "judge"
            | "judges"
            | "journalist"
            | "journalists"
            | "peasant"
            | "peasants"
            | "civilian"
            | "civilians"
            | "soldier"
            | "policeman"
            | "policemen"
            | "candidate"
            | "leader"
            | "leaders"
            | "archbishop"
            | "bishop"
            | "ambassador"
            | "senator"
            | "deputy"
            | "attorney"
            | "businessman"
            | "student"
            | "students"
            | "children"
            | "people"
            | "member"
            | "members"
            | "official"
            | "officials"
            | "director"
            | "councilman"
            | "governor"
            | "commander"
            | "man"
            | "men"
            | "woman"
            | "women"
            | "daughter"
            | "son"
            | "wife"
            | "citizens"
            | "worker"
            | "workers"
            | "employees"
            | "agents"
            | "bodyguards"
            | "bodyguard"
            | "driver"
            | "nuns"
            | "trade"
            | "unionist"
            | "unionists"
    )
}

/// True for words naming physical targets: buildings, vehicles, installations.
pub fn is_target_word(w: &str) -> bool {
    matches!(
        w,
        "embassy"
            | "office"
            | "offices"
            | "headquarters"
            | "building"
            | "buildings"
            | "bank"
            | "banks"
            | "station"
            | "tower"
            | "towers"
            | "pylon"
            | "pylons"
            | "bridge"
            | "bridges"
            | "vehicle"
            | "vehicles"
            | "car"
            | "cars"
            | "bus"
            | "buses"
            | "house"
            | "houses"
            | "home"
            | "residence"
            | "church"
            | "school"
            | "plant"
            | "pipeline"
            | "installation"
            | "installations"
            | "facilities"
            | "store"
            | "hotel"
            | "truck"
            | "trucks"
            | "helicopter"
            | "plane"
            | "aircraft"
            | "power"
            | "substation"
            | "post"
            | "base"
            | "barracks"
            | "company"
            | "farm"
            | "university"
            | "restaurant"
            | "branch"
            | "oil"
            | "line"
            | "lines"
            | "jeep"
            | "consulate"
            | "center"
            | "agency"
            | "premises"
            | "warehouse"
            | "airport"
            | "factory"
            | "dam"
    )
}

/// Whether a lower-cased word is one of the prepositions that bound a
/// crude noun phrase ("by", "of", "against", "in", …).
pub(crate) fn is_preposition(w: &str) -> bool {
    matches!(
        w,
        "by" | "of"
            | "against"
            | "at"
            | "in"
            | "on"
            | "to"
            | "from"
            | "with"
            | "for"
            | "near"
            | "into"
    )
}

/// Words that end a crude noun phrase: prepositions, conjunctions,
/// pronouns, auxiliaries and reporting verbs.
fn is_chunk_break(w: &str) -> bool {
    is_preposition(w)
        || matches!(
            w,
            "and"
                | "or"
                | "but"
                | "that"
                | "which"
                | "who"
                | "whom"
                | "whose"
                | "when"
                | "where"
                | "while"
                | "after"
                | "before"
                | "during"
                | "as"
                | "than"
                | "was"
                | "were"
                | "is"
                | "are"
                | "be"
                | "been"
                | "being"
                | "has"
                | "have"
                | "had"
                | "said"
                | "says"
                | "say"
                | "reported"
                | "he"
                | "she"
                | "it"
                | "they"
                | "we"
                | "i"
                | "you"
                | "him"
                | "them"
                | "us"
                | "not"
                | "will"
                | "would"
                | "could"
                | "can"
                | "may"
                | "also"
                | "today"
                | "yesterday"
        )
        || trigger_class(w).is_some()
}

/// The crude noun phrase around each token, as a token range `[a, b)`
/// (empty at breaks): maximal runs of words and numbers within a sentence
/// without punctuation or [`is_chunk_break`] words.
fn chunk_spans(doc: &DocContext<'_>) -> Vec<(usize, usize)> {
    let n = doc.len();
    let mut out = vec![(0, 0); n];
    let inside = |i: usize| doc.toks[i].kind != TokKind::Punct && !is_chunk_break(&doc.lower[i]);
    let mut i = 0;
    while i < n {
        if !inside(i) {
            i += 1;
            continue;
        }
        let s = doc.sent_of[i];
        let mut j = i + 1;
        while j < n && doc.sent_of[j] == s && inside(j) {
            j += 1;
        }
        for o in out.iter_mut().take(j).skip(i) {
            *o = (i, j);
        }
        i = j;
    }
    out
}

/// The shape of a word: each character as `X` (upper case), `x` (lower
/// case), `d` (digit) or itself, runs of one collapsed ("Abc-12" → "Xx-d").
fn shape(word: &str) -> impl Iterator<Item = char> + '_ {
    let mut last = None;
    word.chars()
        .map(|c| {
            if c.is_uppercase() {
                'X'
            } else if c.is_lowercase() {
                'x'
            } else if c.is_ascii_digit() {
                'd'
            } else {
                c
            }
        })
        .filter(move |&k| last.replace(k) != Some(k))
}

/// `FeatureHasher::part` of the word's [`shape`], without building it.
fn shape_id(word: &str) -> u64 {
    let mut h = FeatureHasher::part("");
    let mut buf = [0u8; 4];
    for k in shape(word) {
        h = FeatureHasher::extend(h, k.encode_utf8(&mut buf));
    }
    h
}

fn bucket(n: usize) -> &'static str {
    match n {
        0 => "0",
        1 => "1",
        2 => "2",
        3..=5 => "3-5",
        6..=10 => "6-10",
        _ => "11+",
    }
}

fn sentence_bucket(n: usize) -> &'static str {
    match n {
        0 => "s0",
        1 => "s1",
        2 => "s2",
        3..=4 => "s3-4",
        5..=8 => "s5-8",
        _ => "s9+",
    }
}

/// A tokenized document with the per-token facts features need.
#[derive(Debug, Clone)]
pub struct DocContext<'t> {
    /// The document text.
    pub text: &'t str,
    /// Its tokens.
    pub toks: Vec<Tok>,
    /// Lower-cased token texts.
    pub lower: Vec<String>,
    /// Sentences as token ranges.
    pub sents: Vec<(usize, usize)>,
    /// Sentence index of each token.
    pub sent_of: Vec<usize>,
    in_quotes: Vec<bool>,
    in_parens: Vec<bool>,
    freq: Vec<usize>,
    /// Gazetteer tag of each token (kind, "B"/"I").
    gaz: Vec<Option<(&'static str, &'static str)>>,
    /// Whether each token is the first occurrence of its word.
    first_occ: Vec<bool>,
    /// Whether each token's word occurs in the first two sentences.
    in_lead: Vec<bool>,
    /// Trigger classes (bit set over [`TRIGGER_CLASSES`]) of the sentences
    /// in which each token's word occurs anywhere in the document.
    cotrig: Vec<u8>,
    /// Trigger classes (bit set over [`TRIGGER_CLASSES`]) of each sentence.
    sent_mask: Vec<u8>,
}

/// The classes [`trigger_class`] returns.
const TRIGGER_CLASSES: [&str; 7] = ["kill", "bomb", "kidnap", "attack", "arson", "claim", "rob"];

/// The [`TRIGGER_CLASSES`] bits of violence (all but "claim").
const VIOLENT: u8 = 0b101_1111;

impl<'t> DocContext<'t> {
    /// Tokenizes and segments `text`.
    pub fn new(text: &'t str) -> DocContext<'t> {
        let toks = tokenize(text);
        let sents = sentences(text, &toks);
        let lower: Vec<String> = toks.iter().map(|t| t.text(text).to_lowercase()).collect();
        let mut sent_of = vec![0; toks.len()];
        for (s, &(a, b)) in sents.iter().enumerate() {
            for x in sent_of.iter_mut().take(b).skip(a) {
                *x = s;
            }
        }
        let mut in_quotes = Vec::with_capacity(toks.len());
        let mut in_parens = Vec::with_capacity(toks.len());
        let (mut q, mut depth) = (false, 0usize);
        let mut cur_sent = 0;
        for (i, w) in lower.iter().enumerate() {
            if sent_of[i] != cur_sent {
                cur_sent = sent_of[i];
                depth = 0;
            }
            match w.as_str() {
                "\"" | "\u{201c}" | "\u{201d}" => q = !q,
                "(" | "[" => depth += 1,
                ")" | "]" => depth = depth.saturating_sub(1),
                _ => {}
            }
            in_quotes.push(q);
            in_parens.push(depth > 0);
        }
        let gaz = Gazetteer::embedded().tag(&lower);
        let mut sent_mask = vec![0u8; sents.len()];
        for (i, w) in lower.iter().enumerate() {
            if let Some(c) = trigger_class(w) {
                let k = TRIGGER_CLASSES.iter().position(|x| *x == c).unwrap_or(0);
                sent_mask[sent_of[i]] |= 1 << k;
            }
        }
        let lead_end = sents.get(1).or(sents.first()).map_or(0, |s| s.1);
        // Per distinct word: trigger classes of its sentences, whether it is
        // in the lead, how often it occurs.
        let mut by_word: FxHashMap<&str, (u8, bool, usize)> =
            FxHashMap::with_capacity_and_hasher(lower.len(), Default::default());
        let mut first_occ = Vec::with_capacity(lower.len());
        for (i, w) in lower.iter().enumerate() {
            let e = by_word.entry(w.as_str());
            first_occ.push(matches!(e, std::collections::hash_map::Entry::Vacant(_)));
            let v = e.or_insert((0, false, 0));
            v.0 |= sent_mask[sent_of[i]];
            v.1 |= i < lead_end;
            v.2 += 1;
        }
        let mut cotrig = Vec::with_capacity(lower.len());
        let mut in_lead = Vec::with_capacity(lower.len());
        let mut freq = Vec::with_capacity(lower.len());
        for w in &lower {
            let (c, l, n) = by_word.get(w.as_str()).copied().unwrap_or((0, false, 1));
            cotrig.push(c);
            in_lead.push(l);
            freq.push(n);
        }
        DocContext {
            text,
            toks,
            lower,
            sents,
            sent_of,
            in_quotes,
            in_parens,
            freq,
            gaz,
            first_occ,
            in_lead,
            cotrig,
            sent_mask,
        }
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.toks.len()
    }

    /// True when the document has no tokens.
    pub fn is_empty(&self) -> bool {
        self.toks.is_empty()
    }
}

/// Computes hashed token and document features.
#[derive(Debug, Clone, Copy)]
pub struct TokenFeaturizer {
    hasher: FeatureHasher,
    classes: bool,
}

impl TokenFeaturizer {
    /// A featurizer hashing into `2^bits` buckets.
    pub fn new(bits: u32) -> TokenFeaturizer {
        TokenFeaturizer {
            hasher: FeatureHasher::new(bits),
            classes: false,
        }
    }

    /// The same featurizer, adding (or not) word-class features
    /// ([`word_classes`]): of the token, its neighbours, its noun phrase's
    /// head and the words around the phrase, the token's class with the
    /// nearest trigger class on each side and in the main incident's
    /// sentence; and the classes of the document's words as document
    /// features.
    pub fn with_classes(self, classes: bool) -> TokenFeaturizer {
        TokenFeaturizer { classes, ..self }
    }

    /// Whether word-class features are added.
    pub fn uses_classes(&self) -> bool {
        self.classes
    }

    /// The hasher in use.
    pub fn hasher(&self) -> FeatureHasher {
        self.hasher
    }

    /// Features of every token of the document.
    ///
    /// Each part a feature is made of (a word, a lexicon class, a trigger
    /// class) is hashed once per token or per document
    /// ([`FeatureHasher::part`]) and combined with its template by
    /// [`FeatureHasher::hash_ids`].
    pub fn token_features(&self, doc: &DocContext<'_>) -> Vec<Vec<u32>> {
        let h = &self.hasher;
        let id = FeatureHasher::part;
        let n = doc.len();
        let (start, end, none) = (id("<s>"), id("</s>"), id("-"));
        let words: Vec<u64> = doc.lower.iter().map(|w| id(w)).collect();
        let word = |i: isize| -> u64 {
            if i < 0 {
                start
            } else {
                words.get(i as usize).copied().unwrap_or(end)
            }
        };
        // Nearest trigger on each side, within the sentence.
        let mut left_trig: Vec<Option<(usize, &'static str)>> = vec![None; n];
        let mut right_trig: Vec<Option<(usize, &'static str)>> = vec![None; n];
        for &(a, b) in &doc.sents {
            let mut last: Option<(usize, &'static str)> = None;
            for (i, (slot, w)) in left_trig
                .iter_mut()
                .zip(&doc.lower)
                .enumerate()
                .take(b)
                .skip(a)
            {
                *slot = last;
                if let Some(c) = trigger_class(w) {
                    last = Some((i, c));
                }
            }
            let mut next: Option<(usize, &'static str)> = None;
            for i in (a..b).rev() {
                right_trig[i] = next;
                if let Some(c) = trigger_class(&doc.lower[i]) {
                    next = Some((i, c));
                }
            }
        }
        let lex = |w: &str| -> &'static str {
            if is_weapon(w) {
                "weapon"
            } else if is_group_word(w) {
                "group"
            } else if is_person_word(w) {
                "person"
            } else if is_target_word(w) {
                "target"
            } else {
                "-"
            }
        };
        // The first sentence with a violent trigger (any class but "claim").
        let first_incident = doc.sent_mask.iter().position(|m| m & VIOLENT != 0);
        let chunks = chunk_spans(doc);
        // Each token's lexicon class, computed once (every token reads its
        // neighbours' and its phrase head's).
        let lexes: Vec<u64> = doc.lower.iter().map(|w| id(lex(w))).collect();
        let masks: Vec<u64> = doc.sent_mask.iter().map(|m| id(&m.to_string())).collect();
        // Whether each token is a given name (`data/lexicon/given-names.txt`):
        // in caseless text the surest sign that a run of words names a
        // person.
        let given: Vec<bool> = doc
            .lower
            .iter()
            .map(|w| crate::lexicon::is_given_name(w))
            .collect();
        let is_given = |j: isize| {
            usize::try_from(j)
                .ok()
                .and_then(|j| given.get(j))
                .copied()
                .unwrap_or(false)
        };
        let trigger_ids = TRIGGER_CLASSES.map(id);
        let classes: Vec<[u64; 3]> = if self.classes {
            doc.lower
                .iter()
                .map(|w| word_classes(w).unwrap_or(&NO_CLASS).map(id))
                .collect()
        } else {
            Vec::new()
        };
        // The 256-class of token `j` (sentence boundaries as themselves).
        let class_at = |j: isize, sa: usize, sb: usize| -> u64 {
            if j < sa as isize {
                start
            } else if j >= sb as isize {
                end
            } else {
                classes[j as usize][1]
            }
        };
        let bucket = |n: usize| id(bucket(n));
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let ii = i as isize;
            let w0 = doc.lower[i].as_str();
            let wid = words[i];
            let (sa, sb) = doc.sents.get(doc.sent_of[i]).copied().unwrap_or((0, n));
            let in_sent = |j: isize| j >= sa as isize && j < sb as isize;
            let ctx = |j: isize| {
                if in_sent(j) {
                    word(j)
                } else if j < sa as isize {
                    start
                } else {
                    end
                }
            };
            let (wm1, wp1, wm2, wp2) = (ctx(ii - 1), ctx(ii + 1), ctx(ii - 2), ctx(ii + 2));
            // The lexicon class of `ctx(j)`: boundary markers are in none.
            let lex_at = |j: isize| {
                if in_sent(j) {
                    lexes[j as usize]
                } else {
                    none
                }
            };
            // About 80 features per token: one allocation.
            let mut f = Vec::with_capacity(112);
            let orig = doc.toks[i].text(doc.text);
            // The first and last `k` characters, without allocating.
            let pre = |k: usize| w0.char_indices().nth(k).map_or(w0, |(b, _)| &w0[..b]);
            let suf = |k: usize| {
                k.checked_sub(1)
                    .and_then(|k1| w0.char_indices().rev().nth(k1))
                    .map_or(w0, |(b, _)| &w0[b..])
            };
            let sbk = id(sentence_bucket(doc.sent_of[i]));
            let l0 = lexes[i];
            f.push(h.hash_ids("b", &[]));
            f.push(h.hash_ids("w", &[wid]));
            f.push(h.hash_ids("w-1", &[wm1]));
            f.push(h.hash_ids("w+1", &[wp1]));
            f.push(h.hash_ids("w-2", &[wm2]));
            f.push(h.hash_ids("w+2", &[wp2]));
            f.push(h.hash_ids("w-3", &[ctx(ii - 3)]));
            f.push(h.hash_ids("w+3", &[ctx(ii + 3)]));
            f.push(h.hash_ids("ww-", &[wm1, wid]));
            f.push(h.hash_ids("ww+", &[wid, wp1]));
            f.push(h.hash_ids("w-2-1", &[wm2, wm1]));
            f.push(h.hash_ids("w+1+2", &[wp1, wp2]));
            f.push(h.hash_ids("p3", &[id(pre(3))]));
            f.push(h.hash_ids("s3", &[id(suf(3))]));
            f.push(h.hash_ids("s2", &[id(suf(2))]));
            f.push(h.hash_ids("s4", &[id(suf(4))]));
            f.push(h.hash_ids("sh", &[shape_id(orig)]));
            f.push(h.hash_ids(
                "kind",
                &[id(match doc.toks[i].kind {
                    TokKind::Word => "w",
                    TokKind::Number => "n",
                    TokKind::Punct => "p",
                })],
            ));
            f.push(h.hash_ids("lex", &[l0]));
            f.push(h.hash_ids("lex-1", &[lex_at(ii - 1)]));
            f.push(h.hash_ids("lex+1", &[lex_at(ii + 1)]));
            f.push(h.hash_ids("lex+2", &[lex_at(ii + 2)]));
            f.push(h.hash_ids("lex-1w", &[lex_at(ii - 1), wid]));
            // Given names: the token's, its neighbours', and the three
            // together ("jose maria" + surname).
            let g = [is_given(ii - 1), is_given(ii), is_given(ii + 1)]
                .map(|b| id(if b { "y" } else { "n" }));
            f.push(h.hash_ids("gn", &[g[1]]));
            f.push(h.hash_ids("gn-1", &[g[0]]));
            f.push(h.hash_ids("gn+1", &[g[2]]));
            f.push(h.hash_ids("gn-ctx", &g));
            if doc.in_quotes[i] {
                f.push(h.hash_ids("q", &[]));
            }
            if doc.in_parens[i] {
                f.push(h.hash_ids("par", &[]));
                f.push(h.hash_ids("par-w-1", &[wm1]));
            }
            f.push(h.hash_ids("sent", &[sbk]));
            f.push(h.hash_ids("sent-lex", &[sbk, l0]));
            f.push(h.hash_ids("pos-in-sent", &[bucket(i - sa)]));
            let freq = bucket(doc.freq[i]);
            f.push(h.hash_ids("freq", &[freq]));
            f.push(h.hash_ids("freq-lex", &[freq, l0]));
            match left_trig[i] {
                Some((j, c)) => {
                    let c = id(c);
                    f.push(h.hash_ids("lt", &[c, bucket(i - j)]));
                    f.push(h.hash_ids("ltw", &[words[j]]));
                    f.push(h.hash_ids("lt-lex", &[c, l0]));
                    f.push(h.hash_ids("ltw-w", &[words[j], wid]));
                }
                None => f.push(h.hash_ids("lt", &[id("none")])),
            }
            match right_trig[i] {
                Some((j, c)) => {
                    let c = id(c);
                    f.push(h.hash_ids("rt", &[c, bucket(j - i)]));
                    f.push(h.hash_ids("rtw", &[words[j]]));
                    f.push(h.hash_ids("rt-lex", &[c, l0]));
                    f.push(h.hash_ids("rtw-w", &[words[j], wid]));
                }
                None => f.push(h.hash_ids("rt", &[id("none")])),
            }
            // The nearest verb-like word ("-ed") on each side and the
            // nearest preposition to the left, within the sentence.
            let lo = sa.max(i.saturating_sub(6));
            if let Some(j) = (lo..i)
                .rev()
                .find(|&j| doc.lower[j].len() > 3 && doc.lower[j].ends_with("ed"))
            {
                f.push(h.hash_ids("lv", &[words[j]]));
            }
            let hi = sb.min(i + 7);
            if let Some(j) =
                (i + 1..hi).find(|&j| doc.lower[j].len() > 3 && doc.lower[j].ends_with("ed"))
            {
                f.push(h.hash_ids("rv", &[words[j]]));
            }
            let lo = sa.max(i.saturating_sub(4));
            if let Some(j) = (lo..i).rev().find(|&j| is_preposition(&doc.lower[j])) {
                f.push(h.hash_ids("prep", &[words[j]]));
                f.push(h.hash_ids("prep-w", &[words[j], wid]));
            }
            // The crude noun phrase around the token ([`chunk_spans`]): its
            // head (last word), the words just outside it, the token's
            // place in it and its length.
            let (ca, cb) = chunks[i];
            if cb > ca {
                let head = words[cb - 1];
                let head_lex = lexes[cb - 1];
                let before = ctx(ca as isize - 1);
                let after = ctx(cb as isize);
                f.push(h.hash_ids("ch-head", &[head]));
                f.push(h.hash_ids("ch-head-lex", &[head_lex]));
                f.push(h.hash_ids("ch-prev", &[before]));
                f.push(h.hash_ids("ch-next", &[after]));
                f.push(h.hash_ids("ch-prev-head", &[before, head]));
                f.push(h.hash_ids("ch-head-next", &[head, after]));
                let pos = if i == ca {
                    "B"
                } else if i + 1 == cb {
                    "E"
                } else {
                    "I"
                };
                f.push(h.hash_ids("ch-pos", &[id(pos)]));
                // A phrase opening with a given name is a person's name.
                if is_given(ca as isize) {
                    f.push(h.hash_ids("ch-gn", &[id(pos)]));
                    f.push(h.hash_ids("ch-gn-len", &[bucket(cb - ca)]));
                }
                let b2 = ctx(ca as isize - 2);
                f.push(h.hash_ids("ch-prev2", &[b2, before]));
                f.push(h.hash_ids("ch-next2", &[after, ctx(cb as isize + 1)]));
                f.push(h.hash_ids("ch-prev2-lex", &[b2, head_lex]));
                f.push(h.hash_ids("ch-len", &[bucket(cb - ca)]));
            }
            // The trigger classes of the token's sentence, and whether it is
            // the document's first sentence reporting violence (the main
            // incident, usually).
            let mask = masks[doc.sent_of[i]];
            f.push(h.hash_ids("smask", &[mask]));
            f.push(h.hash_ids("smask-lex", &[mask, l0]));
            if Some(doc.sent_of[i]) == first_incident {
                f.push(h.hash_ids("main-sent", &[l0]));
                f.push(h.hash_ids("main-sent-w", &[wid]));
            }
            // Knowledge-base and lexicon phrases, here and next to here.
            if let Some((kind, pos)) = doc.gaz[i] {
                let (kind, pos) = (id(kind), id(pos));
                f.push(h.hash_ids("gz", &[kind, pos]));
                f.push(h.hash_ids("gz-sent", &[kind, pos, sbk]));
            }
            if i > 0 {
                if let Some((kind, _)) = doc.gaz[i - 1] {
                    f.push(h.hash_ids("gz-1", &[id(kind)]));
                }
            }
            if let Some(Some((kind, _))) = doc.gaz.get(i + 1) {
                f.push(h.hash_ids("gz+1", &[id(kind)]));
            }
            if self.classes {
                let c = classes[i];
                f.push(h.hash_ids("c64", &[c[0]]));
                f.push(h.hash_ids("c256", &[c[1]]));
                f.push(h.hash_ids("c1024", &[c[2]]));
                f.push(h.hash_ids("c-1", &[class_at(ii - 1, sa, sb)]));
                f.push(h.hash_ids("c+1", &[class_at(ii + 1, sa, sb)]));
                f.push(h.hash_ids("c-2", &[class_at(ii - 2, sa, sb)]));
                f.push(h.hash_ids("c+2", &[class_at(ii + 2, sa, sb)]));
                f.push(h.hash_ids("c-1c", &[class_at(ii - 1, sa, sb), c[1]]));
                if cb > ca {
                    let hc = classes[cb - 1];
                    f.push(h.hash_ids("ch-head-c", &[hc[1]]));
                    f.push(h.hash_ids("ch-head-c1024", &[hc[2]]));
                    f.push(h.hash_ids("ch-prev-c", &[class_at(ca as isize - 1, sa, sb)]));
                    f.push(h.hash_ids("ch-next-c", &[class_at(cb as isize, sa, sb)]));
                }
                if let Some((_, tc)) = left_trig[i] {
                    f.push(h.hash_ids("lt-c", &[id(tc), c[1]]));
                }
                if let Some((_, tc)) = right_trig[i] {
                    f.push(h.hash_ids("rt-c", &[id(tc), c[1]]));
                }
                if Some(doc.sent_of[i]) == first_incident {
                    f.push(h.hash_ids("main-sent-c", &[c[1]]));
                }
            }
            // Document-level evidence about the word.
            if doc.toks[i].kind == TokKind::Word && w0.len() > 2 {
                if doc.first_occ[i] {
                    f.push(h.hash_ids("first", &[l0]));
                }
                if doc.in_lead[i] {
                    f.push(h.hash_ids("lead", &[l0]));
                }
                for (k, &c) in trigger_ids.iter().enumerate() {
                    if doc.cotrig[i] & (1 << k) != 0 {
                        f.push(h.hash_ids("cotrig", &[c]));
                        f.push(h.hash_ids("cotrig-lex", &[c, l0]));
                    }
                }
            }
            out.push(f);
        }
        out
    }

    /// Document-level features (for relevance and incident type): the set
    /// of words, the bigrams of the first two sentences, and counts of
    /// trigger classes, overall and in the first sentence.
    pub fn doc_features(&self, doc: &DocContext<'_>) -> Vec<u32> {
        let h = &self.hasher;
        let mut f = vec![h.hash("b", &[])];
        let mut words: Vec<&str> = doc
            .lower
            .iter()
            .map(String::as_str)
            .filter(|w| w.len() > 1)
            .collect();
        words.sort_unstable();
        words.dedup();
        for w in &words {
            f.push(h.hash("u", &[w]));
        }
        let lead_end = doc.sents.get(1).or(doc.sents.first()).map_or(0, |s| s.1);
        for i in 1..lead_end {
            f.push(h.hash("lead2", &[&doc.lower[i - 1], &doc.lower[i]]));
            f.push(h.hash("lead1", &[&doc.lower[i]]));
        }
        let mut counts: Vec<(&str, usize, usize)> = Vec::new();
        for (i, w) in doc.lower.iter().enumerate() {
            if let Some(c) = trigger_class(w) {
                let first = usize::from(doc.sent_of[i] == 0);
                match counts.iter_mut().find(|x| x.0 == c) {
                    Some(x) => {
                        x.1 += 1;
                        x.2 += first;
                    }
                    None => counts.push((c, 1, first)),
                }
            }
        }
        counts.sort_unstable();
        for (c, n, first) in counts {
            f.push(h.hash("trig", &[c, bucket(n)]));
            if first > 0 {
                f.push(h.hash("trig0", &[c]));
            }
        }
        if self.classes {
            let mut cs: Vec<&str> = words
                .iter()
                .filter_map(|w| word_classes(w))
                .map(|c| c[2])
                .collect();
            cs.sort_unstable();
            cs.dedup();
            for c in cs {
                f.push(h.hash("uc", &[c]));
            }
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bucket of a token feature spelt out (its parts as text).
    fn feature(fz: &TokenFeaturizer, template: &str, parts: &[&str]) -> u32 {
        let ids: Vec<u64> = parts.iter().map(|p| FeatureHasher::part(p)).collect();
        fz.hasher().hash_ids(template, &ids)
    }

    #[test]
    fn shapes_collapse_runs_and_hash_as_their_text() {
        for (word, shape_text) in [("Abc-12", "Xx-d"), ("FMLN", "X"), ("", ""), ("ÉtÉ", "XxX")] {
            assert_eq!(shape(word).collect::<String>(), shape_text);
            assert_eq!(shape_id(word), FeatureHasher::part(shape_text));
        }
    }

    #[test]
    fn words_of_like_meaning_share_a_fine_class() {
        let fine = |w: &str| word_classes(w).map(|c| c[2]);
        assert!(fine("bomb").is_some());
        assert_eq!(fine("bomb"), fine("dynamite"));
        assert_eq!(fine("bomb"), fine("explosives"));
        assert_eq!(fine("guerrillas"), fine("rebels"));
        assert_ne!(fine("bomb"), fine("guerrillas"));
        assert_eq!(word_classes("xqzzyv"), None);
    }

    #[test]
    fn class_features_are_added_only_when_asked() {
        let doc = DocContext::new("Rebels planted dynamite at the bank.");
        let plain = TokenFeaturizer::new(16);
        let classed = plain.with_classes(true);
        assert!(!plain.uses_classes() && classed.uses_classes());
        let (a, b) = (plain.token_features(&doc), classed.token_features(&doc));
        assert!(a
            .iter()
            .zip(&b)
            .all(|(x, y)| y.len() > x.len() && x.iter().all(|f| y.contains(f))));
        // "dynamite" and "explosives" now share features they did not.
        let other = DocContext::new("Rebels planted explosives at the bank.");
        let shared = |fz: &TokenFeaturizer| {
            let (x, y) = (&fz.token_features(&doc)[2], &fz.token_features(&other)[2]);
            x.iter().filter(|f| y.contains(f)).count()
        };
        assert!(shared(&classed) > shared(&plain));
        assert!(classed.doc_features(&doc).len() > plain.doc_features(&doc).len());
    }

    #[test]
    fn features_ignore_case_except_shape() {
        let fz = TokenFeaturizer::new(18);
        let a = DocContext::new("Guerrillas bombed the Embassy.");
        let b = DocContext::new("GUERRILLAS BOMBED THE EMBASSY.");
        let (fa, fb) = (fz.token_features(&a), fz.token_features(&b));
        assert_eq!(fa.len(), 5);
        let shape_a = feature(&fz, "sh", &["Xx"]);
        assert!(fa[0].contains(&shape_a) && !fb[0].contains(&shape_a));
        let strip =
            |v: &Vec<u32>, s: u32| v.iter().copied().filter(|x| *x != s).collect::<Vec<_>>();
        let shape_b = feature(&fz, "sh", &["X"]);
        assert_eq!(strip(&fa[3], shape_a), strip(&fb[3], shape_b));
        // The trigger to the left of "embassy" is "bombed", two tokens away.
        assert!(fa[3].contains(&feature(&fz, "lt", &["bomb", "2"])));
    }

    #[test]
    fn chunks_are_noun_phrases_between_breaks() {
        let d = DocContext::new("three peasants were killed by fmln urban commandos. two men");
        let c = chunk_spans(&d);
        let words = |(a, b): (usize, usize)| d.lower[a..b].join(" ");
        assert_eq!(words(c[0]), "three peasants");
        assert_eq!(c[0], c[1]);
        assert_eq!(c[2], (0, 0), "auxiliaries break chunks");
        assert_eq!(c[3], (0, 0), "triggers break chunks");
        assert_eq!(words(c[6]), "fmln urban commandos");
        assert_eq!(c[8], (0, 0), "punctuation breaks chunks");
        assert_eq!(words(c[9]), "two men", "a chunk does not cross sentences");
        // The chunk features of "urban": its head and the words around it.
        let fz = TokenFeaturizer::new(18);
        let f = fz.token_features(&d);
        let h = |t, parts: &[&str]| feature(&fz, t, parts);
        assert!(f[6].contains(&h("ch-head", &["commandos"])));
        assert!(f[6].contains(&h("ch-prev", &["by"])));
        assert!(f[6].contains(&h("ch-prev2", &["killed", "by"])));
        assert!(f[6].contains(&h("main-sent", &["group"])));
        assert!(!f[10].contains(&h("main-sent", &["person"])));
    }

    #[test]
    fn given_names_mark_a_persons_name() {
        let d = DocContext::new("gunmen killed jose maria tojeira in the city");
        let fz = TokenFeaturizer::new(18);
        let f = fz.token_features(&d);
        let (yes, no) = (["y"], ["n"]);
        // "jose" and "maria" are given names, "tojeira" follows one.
        assert!(f[2].contains(&feature(&fz, "gn", &yes)));
        assert!(f[3].contains(&feature(&fz, "gn", &yes)));
        assert!(f[4].contains(&feature(&fz, "gn", &no)));
        assert!(f[4].contains(&feature(&fz, "gn-1", &yes)));
        assert!(f[1].contains(&feature(&fz, "gn+1", &yes)));
        assert!(f[0].contains(&feature(&fz, "gn-ctx", &["n", "n", "n"])));
        // The phrase "jose maria tojeira" opens with a given name; the
        // phrase "gunmen" does not.
        let chunks = chunk_spans(&d);
        assert_eq!(chunks[4], (2, 5));
        assert!(f[4].contains(&feature(&fz, "ch-gn", &["E"])));
        assert!(f[2].contains(&feature(&fz, "ch-gn", &["B"])));
        let ch_gn = ["B", "I", "E"].map(|p| feature(&fz, "ch-gn", &[p]));
        assert!(!f[0].iter().any(|x| ch_gn.contains(x)));
    }

    #[test]
    fn quotes_and_parens_are_marked() {
        let d = DocContext::new("the \"santo tomas\" farm (fmln) burned");
        assert!(d.in_quotes[2] && !d.in_quotes[6]);
        assert!(d.in_parens[7] && !d.in_parens[9]);
        assert_eq!(d.freq[0], 1);
        assert!(d.doc_features_len_check());
    }

    impl DocContext<'_> {
        fn doc_features_len_check(&self) -> bool {
            !TokenFeaturizer::new(16).doc_features(self).is_empty()
        }
    }
}
