//! The incident's place (slot 3) chosen by a learned ranker among the
//! places a document names.
//!
//! The rules of [`super::slots::predict`] take the first place the
//! pipeline attaches to an incident event, else the document's first
//! place. Where the keys disagree with them, the place is most often
//! named in the text but not where the rules look, or the keys give the
//! country alone because the text never says where the incident happened
//! (a third of the training keys). Here every place the document names is
//! a candidate, with one more candidate for "the country alone", and an
//! averaged ranking perceptron ([`Ranker`], the mean of [`BAGS`] trained
//! with consecutive seeds) trained on the training keys
//! picks one.
//!
//! # Candidates
//!
//! - the pipeline's city and region entities, resolved in the document's
//!   countries as the rules resolve them;
//! - small places named with a place word ("the town of X", "the X
//!   neighborhood": [`super::slots::small_places`]);
//! - places of the document's first country too small for the gazetteer
//!   ([`LocalPlaces`]), named right after "in", "at", "near", "from" or
//!   "of";
//! - the country alone: the document's first country, and every other of
//!   the nine it names or its dateline gives.
//!
//! Mentions of one place are one candidate.
//!
//! # Features
//!
//! Of a place: its kind; the rank of its first mention among the places
//! and the sentence it is in; how often it is named; whether it is named
//! in the sentence of the main incident, of another incident, or in an
//! incident event's location slot; the words just before and after its
//! mentions; whether it is the dateline's place; whether it lies in the
//! document's first country; and conjunctions of the kind with the
//! positions. Of the country alone: how many places there are, whether
//! any is named with an incident, how often the country is named, whether
//! it is the first or the dateline's.

use rustc_hash::FxHashMap;

use vigil_core::{Analysis, EntityType, Span};
use vigil_geo::{fold, Gazetteer, LocalPlaces, PlaceKind};

use super::keys::{IncidentLocation, KeyPlace, KeyTemplate};
use super::slots::{
    bucket, incident_events, place_key, sentence_of, sentence_words, small_places_in, Dateline,
    Places,
};
use crate::learn::{FeatureHasher, RankTrainer, Ranker};

/// Feature hash bits of the place ranker.
pub const PLACE_BITS: u32 = 16;

/// Passes of the ranker's training.
const EPOCHS: usize = 10;

/// Rankers averaged by [`train`], each trained with its own seed.
pub const BAGS: usize = 5;

/// Words after which a small place is looked for in [`LocalPlaces`].
const BEFORE_PLACE: [&str; 5] = ["in", "at", "near", "from", "of"];

/// One candidate answer for slot 3.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceCandidate {
    /// The answer in the key's form (the country alone for that candidate).
    pub location: IncidentLocation,
    /// Hashed features for the [`Ranker`].
    pub features: Vec<u32>,
}

/// Where a place was named.
struct Occurrence {
    start: usize,
    sentence: usize,
    /// "city", "region", "local" or the key's kind of a small place.
    kind: &'static str,
    /// The words just before and after the name (lower case; empty at
    /// punctuation).
    before: String,
    after: String,
}

/// A place and its mentions, before features.
struct Group {
    location: IncidentLocation,
    iso2: String,
    occurrences: Vec<Occurrence>,
}

/// The local places of the embedded data, parsed once.
fn embedded_local_places() -> &'static LocalPlaces {
    static LOCAL: std::sync::OnceLock<LocalPlaces> = std::sync::OnceLock::new();
    LOCAL.get_or_init(|| LocalPlaces::embedded().unwrap_or_default())
}

fn kind_word(kind: PlaceKind) -> &'static str {
    match kind {
        PlaceKind::City => "city",
        PlaceKind::Region => "region",
        PlaceKind::Country => "country",
    }
}

fn small_kind(kind: Option<&str>) -> &'static str {
    match kind {
        Some("NEIGHBORHOOD") => "neighborhood",
        Some("TOWN") => "town",
        Some("FARM") => "farm",
        Some("VILLAGE" | "HAMLET" | "CANTON") => "village",
        _ => "small",
    }
}

/// The candidates of an analysed document (see the module documentation):
/// the countries alone first (the document's first country, then the
/// others it names or its dateline gives), then its places in text order;
/// empty when no country can be inferred.
pub fn candidates(
    analysis: &Analysis,
    dateline: Option<&Dateline>,
    gaz: &Gazetteer,
) -> Vec<PlaceCandidate> {
    candidates_with(analysis, dateline, gaz, embedded_local_places())
}

fn country_location(gaz: &Gazetteer, iso2: &str) -> Option<IncidentLocation> {
    Some(IncidentLocation {
        country: fold(&gaz.country(iso2)?.name).to_uppercase(),
        levels: Vec::new(),
    })
}

fn candidates_with(
    analysis: &Analysis,
    dateline: Option<&Dateline>,
    gaz: &Gazetteer,
    local: &LocalPlaces,
) -> Vec<PlaceCandidate> {
    let places = Places::new(analysis, dateline, gaz);
    let Some(first_country) = places.context.first().cloned() else {
        return Vec::new();
    };
    let Some(country_only) = country_location(gaz, &first_country) else {
        return Vec::new();
    };
    let text = analysis.text.as_str();
    let sentences = &analysis.sentences;
    let events = incident_events(analysis);
    let sentence_set = |spans: &[Span]| -> Vec<usize> {
        let mut v: Vec<usize> = spans
            .iter()
            .flat_map(|sp| {
                sentence_of(sentences, sp.start)..=sentence_of(sentences, sp.end.max(1) - 1)
            })
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let main_sentences = events
        .first()
        .map(|e| sentence_set(&e.evidence))
        .unwrap_or_default();
    let incident_sentences: Vec<usize> = {
        let spans: Vec<Span> = events.iter().flat_map(|e| e.evidence.clone()).collect();
        sentence_set(&spans)
    };
    let slot_keys = |evs: &[&vigil_core::Event]| -> Vec<String> {
        evs.iter()
            .flat_map(|e| e.locations.iter().chain(e.location.iter()))
            .map(|s| place_key(&s.text))
            .collect()
    };
    let main_slots = slot_keys(&events[..events.len().min(1)]);
    let other_slots = slot_keys(events.get(1..).unwrap_or(&[]));
    let dateline_key = dateline
        .and_then(|d| d.place.as_deref())
        .map(place_key)
        .unwrap_or_default();

    // Every mention of a place, grouped by country and key.
    let mut groups: Vec<Group> = Vec::new();
    let mut index: FxHashMap<(String, String), usize> = FxHashMap::default();
    let mut add = |location: IncidentLocation, iso2: &str, occ: Occurrence| {
        let Some(name) = location.most_specific().first().map(|p| place_key(&p.name)) else {
            return;
        };
        if name.is_empty() {
            return;
        }
        let key = (iso2.to_string(), name);
        match index.get(&key) {
            Some(&i) => groups[i].occurrences.push(occ),
            None => {
                index.insert(key, groups.len());
                groups.push(Group {
                    location,
                    iso2: iso2.to_string(),
                    occurrences: vec![occ],
                });
            }
        }
    };
    let sentence_words_of: Vec<Vec<Option<String>>> = sentences
        .iter()
        .map(|sp| sentence_words(text.get(sp.start..sp.end).unwrap_or("")))
        .collect();
    for e in &analysis.entities {
        if !matches!(e.kind, EntityType::City | EntityType::Region) {
            continue;
        }
        for m in &e.mentions {
            let Some(found) = places.found(&m.text, Some(e)) else {
                continue;
            };
            if found.kind == PlaceKind::Country {
                continue;
            }
            let kind = kind_word(found.kind);
            let iso2 = found.iso2.clone();
            if let Some(location) = places.location(&found) {
                let sentence = sentence_of(sentences, m.start);
                let key = location
                    .most_specific()
                    .first()
                    .map(|p| place_key(&p.name))
                    .unwrap_or_default();
                // Only the word after: the word before a place the
                // pipeline recognised lowered the ranker's accuracy in
                // cross-validation (48.5 against 49.3 % over four seeds).
                let after = sentence_words_of
                    .get(sentence)
                    .map(|w| neighbours(w, &key).1)
                    .unwrap_or_default();
                let before = String::new();
                add(
                    location,
                    &iso2,
                    Occurrence {
                        start: m.start,
                        sentence,
                        kind,
                        before,
                        after,
                    },
                );
            }
        }
    }
    for (si, (sp, words)) in sentences.iter().zip(&sentence_words_of).enumerate() {
        let small = small_places_in(words).into_iter().map(|place| {
            let kind = small_kind(place.kind.as_deref());
            let (before, after) = neighbours(words, &place.name.to_lowercase());
            (place, kind, before, after)
        });
        let local = local_places_in(words, &first_country, local, gaz)
            .into_iter()
            .map(|(place, before, after)| (place, "local", before, after));
        for (place, kind, before, after) in small.chain(local) {
            let mut location = country_only.clone();
            location.levels = vec![vec![place]];
            let occ = Occurrence {
                start: sp.start,
                sentence: si,
                kind,
                before,
                after,
            };
            add(location, &first_country, occ);
        }
    }
    groups.sort_by_key(|g| g.occurrences.iter().map(|o| o.start).min());

    let hasher = FeatureHasher::new(PLACE_BITS);
    let h = |t: &str, parts: &[&str]| hasher.hash(t, parts);
    let mut out = Vec::with_capacity(groups.len() + 1);
    let any_main = groups.iter().any(|g| {
        g.occurrences
            .iter()
            .any(|o| main_sentences.contains(&o.sentence))
    });
    let any_slot = groups.iter().any(|g| {
        g.location
            .most_specific()
            .iter()
            .any(|p| main_slots.contains(&place_key(&p.name)))
    });
    // The country alone: the document's first country, and every other
    // MUC-4 country it names or its dateline gives.
    let mut named: Vec<(usize, String, usize)> = Vec::new(); // (first mention, iso2, mentions)
    for e in analysis
        .entities
        .iter()
        .filter(|e| e.kind == EntityType::Country)
    {
        let Some(iso2) = e.geo.as_ref().map(|g| g.country.clone()) else {
            continue;
        };
        let first = e
            .mentions
            .iter()
            .map(|m| m.start)
            .min()
            .unwrap_or(usize::MAX);
        match named.iter_mut().find(|n| n.1 == iso2) {
            Some(n) => {
                n.0 = n.0.min(first);
                n.2 += e.mentions.len();
            }
            None => named.push((first, iso2, e.mentions.len())),
        }
    }
    named.sort();
    let dateline_country = dateline
        .and_then(|d| d.country.as_deref())
        .and_then(|c| gaz.country_by_name(c))
        .map(|c| c.iso2.clone())
        .or_else(|| {
            let id = gaz.resolve(dateline?.place.as_deref()?, &[])?;
            Some(gaz.place(id).country.clone())
        });
    let mut countries: Vec<String> = vec![first_country.clone()];
    for c in named.iter().map(|n| &n.1).chain(dateline_country.iter()) {
        if super::slots::MUC4_COUNTRIES.contains(&c.as_str()) && !countries.contains(c) {
            countries.push(c.clone());
        }
    }
    for (i, iso2) in countries.iter().enumerate() {
        let Some(location) = country_location(gaz, iso2) else {
            continue;
        };
        let mentions = named.iter().find(|n| &n.1 == iso2).map_or(0, |n| n.2);
        let yn = |b: bool| if b { "y" } else { "n" };
        out.push(PlaceCandidate {
            location,
            features: vec![
                h("none", &[]),
                h("none-n", &[bucket(groups.len())]),
                h("none-main", &[yn(any_main)]),
                h("none-slot", &[yn(any_slot)]),
                h("none-events", &[bucket(events.len())]),
                h("country-rank", &[bucket(i)]),
                h("country-mentions", &[bucket(mentions)]),
                h(
                    "country-dateline",
                    &[yn(dateline_country.as_deref() == Some(iso2))],
                ),
            ],
        });
    }
    for (rank, g) in groups.into_iter().enumerate() {
        let key = g
            .location
            .most_specific()
            .first()
            .map(|p| place_key(&p.name))
            .unwrap_or_default();
        let first = g.occurrences.iter().map(|o| o.sentence).min().unwrap_or(0);
        let kind = g.occurrences.first().map_or("city", |o| o.kind);
        let in_main = g
            .occurrences
            .iter()
            .any(|o| main_sentences.contains(&o.sentence));
        let in_incident = g
            .occurrences
            .iter()
            .any(|o| incident_sentences.contains(&o.sentence));
        let main_slot = main_slots.contains(&key);
        let other_slot = other_slots.contains(&key);
        let rank_s = bucket(rank);
        let first_s = bucket(first);
        let yn = |b: bool| if b { "y" } else { "n" };
        let mut f = vec![
            h("place", &[]),
            h("kind", &[kind]),
            h("rank", &[rank_s]),
            h("sent", &[first_s]),
            h("count", &[bucket(g.occurrences.len())]),
            h("main", &[yn(in_main)]),
            h("incident", &[yn(in_incident)]),
            h("main-slot", &[yn(main_slot)]),
            h("other-slot", &[yn(other_slot)]),
            h("dateline", &[yn(!key.is_empty() && key == dateline_key)]),
            h("first-country", &[yn(g.iso2 == first_country)]),
            h(
                "dateline-country",
                &[yn(dateline_country.as_deref() == Some(g.iso2.as_str()))],
            ),
            h("words", &[bucket(key.split(' ').count())]),
            h("kind-main", &[kind, yn(in_main), yn(main_slot)]),
            h("kind-rank", &[kind, rank_s]),
            h("main-rank", &[yn(in_main), rank_s]),
            h("incident-sent", &[yn(in_incident), first_s]),
        ];
        for o in g.occurrences.iter().take(3) {
            f.push(h("before", &[&o.before]));
            f.push(h("after", &[&o.after]));
            f.push(h("before-kind", &[&o.before, kind]));
        }
        f.sort_unstable();
        f.dedup();
        out.push(PlaceCandidate {
            location: g.location,
            features: f,
        });
    }
    out
}

/// The words just before and after the first occurrence of the
/// lower-case, space-separated `name` among a sentence's `words` (empty
/// at punctuation, and both when the name does not occur).
fn neighbours(words: &[Option<String>], name: &str) -> (String, String) {
    let target: Vec<&str> = name.split(' ').collect();
    let n = target.len();
    let at = (0..words.len().saturating_sub(n - 1)).find(|&i| {
        words[i..i + n]
            .iter()
            .zip(&target)
            .all(|(w, t)| w.as_deref() == Some(*t))
    });
    let Some(i) = at else {
        return Default::default();
    };
    let get = |j: Option<usize>| {
        j.and_then(|j| words.get(j))
            .and_then(|w| w.clone())
            .unwrap_or_default()
    };
    (get(i.checked_sub(1)), get(Some(i + n)))
}

/// Places of the country `iso2` too small for the gazetteer, named in
/// `sentence` right after one of [`BEFORE_PLACE`]: the longest name at
/// each such word, never a name the gazetteer marks as a common word or
/// resolves in that country itself.
pub fn local_places(
    sentence: &str,
    iso2: &str,
    local: &LocalPlaces,
    gaz: &Gazetteer,
) -> Vec<KeyPlace> {
    local_places_in(&sentence_words(sentence), iso2, local, gaz)
        .into_iter()
        .map(|(p, _, _)| p)
        .collect()
}

/// [`local_places`] over a sentence's words, with the words just before
/// and after each name.
fn local_places_in(
    words: &[Option<String>],
    iso2: &str,
    local: &LocalPlaces,
    gaz: &Gazetteer,
) -> Vec<(KeyPlace, String, String)> {
    let max = local.max_words().min(6);
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if !w.as_deref().is_some_and(|w| BEFORE_PLACE.contains(&w)) {
            continue;
        }
        // "in the X": the article may belong to the name or not.
        let after_article = words.get(i + 1).and_then(|w| w.as_deref()) == Some("the");
        let starts = if after_article {
            i + 1..i + 3
        } else {
            i + 1..i + 2
        };
        for start in starts {
            let mut name = String::new();
            let mut best = None;
            for (n, w) in words.iter().skip(start).take(max).enumerate() {
                let Some(w) = w.as_deref() else { break };
                if n == 0 && !local.starts_name(w) {
                    break;
                }
                if !name.is_empty() {
                    name.push(' ');
                }
                name.push_str(w);
                if local.find(&name, iso2).is_some()
                    && !gaz.is_ambiguous_name(&name)
                    && !gaz
                        .lookup(&name)
                        .iter()
                        .any(|&id| gaz.place(id).country == iso2)
                {
                    best = Some((name.clone(), start + n + 1));
                }
            }
            if let Some((name, end)) = best {
                let before = words.get(i).and_then(|w| w.clone()).unwrap_or_default();
                let after = words.get(end).and_then(|w| w.clone()).unwrap_or_default();
                let place = KeyPlace {
                    name: name.to_uppercase(),
                    kind: Some("TOWN".to_string()),
                };
                out.push((place, before, after));
                break;
            }
        }
    }
    out
}

/// The candidate the ranker puts first, as the key's location; `None`
/// when the document has no candidate.
pub fn choose(
    ranker: &Ranker,
    analysis: &Analysis,
    dateline: Option<&Dateline>,
    gaz: &Gazetteer,
) -> Option<IncidentLocation> {
    let mut cands = candidates(analysis, dateline, gaz);
    let best = ranker.best(cands.iter().map(|c| c.features.as_slice()))?;
    Some(cands.swap_remove(best).location)
}

/// A training example: the candidates' features and the index of the
/// first candidate the main template's location accepts; `None` when the
/// template is not relevant, has no location, or no candidate matches.
pub fn example(
    analysis: &Analysis,
    dateline: Option<&Dateline>,
    gaz: &Gazetteer,
    main: &KeyTemplate,
) -> Option<(Vec<Vec<u32>>, usize)> {
    if !main.relevant {
        return None;
    }
    let keys = main.locations();
    let cands = candidates(analysis, dateline, gaz);
    let gold = cands.iter().position(|c| {
        keys.iter()
            .any(|k| super::slots::same_place(&c.location, k))
    })?;
    Some((cands.into_iter().map(|c| c.features).collect(), gold))
}

/// Trains the place ranker on examples from [`example`]; deterministic.
pub fn train(examples: &[(Vec<Vec<u32>>, usize)], seed: u64) -> Ranker {
    train_bagged(examples, seed, BAGS)
}

/// [`train`] with `bags` rankers averaged (seeds `seed`, `seed + 1`, …).
pub fn train_bagged(examples: &[(Vec<Vec<u32>>, usize)], seed: u64, bags: usize) -> Ranker {
    RankTrainer::new(1 << PLACE_BITS).train_bagged(examples, EPOCHS, seed, bags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_places_follow_a_preposition_in_the_given_country() {
        let gaz = Gazetteer::embedded().expect("embedded gazetteer");
        let local = embedded_local_places();
        let s = "the mayor of achi, in the northern department of bolivar, was found dead.";
        let names: Vec<String> = local_places(s, "CO", local, &gaz)
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(names, ["ACHI"]);
        // Peru has no Achi (it has a Bolívar, named here after "of").
        assert!(local_places(s, "PE", local, &gaz)
            .iter()
            .all(|p| p.name != "ACHI"));
        // Not after a preposition: not a place answer.
        assert!(local_places("achi was quiet.", "CO", local, &gaz).is_empty());
    }

    #[test]
    fn neighbours_are_the_words_around_the_place() {
        let t = "guerrillas attacked a post in san luis de la reina, the army said.";
        let words = sentence_words(t);
        assert_eq!(
            neighbours(&words, "san luis de la reina"),
            ("in".to_string(), String::new())
        );
        assert_eq!(
            neighbours(&words, "army"),
            ("the".to_string(), "said".to_string())
        );
        assert_eq!(neighbours(&words, "bogota"), Default::default());
    }

    #[test]
    fn the_ranker_learns_where_the_keys_place_the_incident() {
        let pipeline = crate::Pipeline::new().expect("pipeline");
        let gaz = &pipeline.resources().geo;
        let dl = Dateline {
            place: Some("BOGOTA".into()),
            country: None,
            date: chrono::NaiveDate::from_ymd_opt(1990, 1, 12),
        };
        let text = "guerrillas set fire to the mayor's office in achi, bolivar department, \
            yesterday, colombian police said in bogota.";
        let a = pipeline.analyze(&super::super::slots::document("T", text, Some(&dl)));
        let cands: Vec<String> = candidates(&a, Some(&dl), gaz)
            .iter()
            .map(|c| c.location.to_key_string())
            .collect();
        assert_eq!(cands.first().map(String::as_str), Some("COLOMBIA"));
        for place in ["ACHI", "BOGOTA"] {
            assert!(
                cands.iter().any(|c| c.contains(place)),
                "{place} not among {cands:?}"
            );
        }
        let key = KeyTemplate {
            docid: "T".into(),
            relevant: true,
            optional: false,
            incident_type: None,
            stage: None,
            date: None,
            location: Some("COLOMBIA: BOLIVAR (DEPARTMENT): ACHI (TOWN)".into()),
        };
        let ex = example(&a, Some(&dl), gaz, &key).expect("a matching candidate");
        let ranker = train(&vec![ex; 4], 1);
        let chosen = choose(&ranker, &a, Some(&dl), gaz).expect("a choice");
        assert_eq!(
            chosen.most_specific().first().map(|p| p.name.as_str()),
            Some("ACHI")
        );
    }
}
