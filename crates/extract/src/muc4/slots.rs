//! Incident date and location of a MUC-4 document's main incident, read
//! from vigil's own analysis ([`crate::Pipeline::analyze`]), in the form
//! of the answer keys (slots 2 and 3 of the task definition), and their
//! accuracy against the keys ([`evaluate`]).
//!
//! # Reference date
//!
//! GRIT's `doctext` has no dateline, so the date of the article comes from
//! the raw MUC texts ([`read_datelines`]): they begin "SAN SALVADOR, 3 APR 90
//! (RADIO ...) -- [TEXT] ...". [`document`] builds the pipeline's input with
//! that date as the publication date, so the pipeline resolves "yesterday",
//! "last Friday" or "2 days ago" against it (`dates.rs`).
//!
//! # Main incident
//!
//! The first incident event of the analysis in text order (violent events
//! at any stage and plots — the events [`super::from_analysis`] maps to
//! the MUC roles). Whether the document reports an incident at all is
//! decided by the caller ([`predict`]).
//!
//! # Learned choice
//!
//! [`predict`] applies the rules below. [`predict_with`] lets learned
//! rankers choose the date and the place among every one the document
//! gives ([`super::date_rank`], [`super::place_rank`]; a model trained
//! with the raw keys carries them, [`train_rankers`] trains them); the
//! candidates take the forms the rules below give.
//!
//! # Date (slot 2)
//!
//! The fill rules of the task definition, applied to the date the pipeline
//! attached to the main event:
//!
//! - a day ("yesterday", "2 days ago", "on 30 december") → `DD MMM YY`;
//! - a weekday name ("last Wednesday") → `- DD MMM YY` anchored on the
//!   article's date (rule 1 of slot 2);
//! - a longer interval ("last week", "in March") → `DD MMM YY - DD MMM YY`,
//!   cut at the article's date;
//! - no date → `- DD MMM YY` with the article's date (rule 3: a date taken by
//!   default from the header).
//!
//! # Location (slot 3)
//!
//! The most specific place the pipeline names for the main event (a city,
//! a region, a country), else the first place of the other incident
//! events, else the first place of the document; as "COUNTRY: PLACE
//! (KIND)". Place names are re-resolved in the countries of the document
//! (the countries it names and the dateline's), then in the Latin
//! American countries MUC-4 covers: "Santo Tomas" in a Guatemalan story is
//! not the Philippine city. Without any place, the dateline's country.

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime};
use vigil_core::{Analysis, DateValue, Document, Entity, EntityType, Event, EventType, Precision};
use vigil_geo::{fold, Gazetteer, PlaceId, PlaceKind};

use super::keys::{primary_templates, IncidentDate, IncidentLocation, KeyPlace, KeyTemplate};
use crate::learn::Ranker;

/// Countries of the MUC-4 corpus (the nine Latin American countries of the
/// task), the last resort when re-resolving an ambiguous place name.
pub const MUC4_COUNTRIES: [&str; 9] = ["SV", "GT", "HN", "CO", "PE", "BO", "EC", "CL", "AR"];

/// The header of a raw MUC-4 text: "SAN SALVADOR, 3 JAN 90 (RADIO
/// VENCEREMOS) --" or "ROME (ITALY), 11 JAN 90 --".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Dateline {
    /// "SAN SALVADOR"; `None` for "NO CITY" and for no dateline.
    pub place: Option<String>,
    /// The country in parentheses after the place ("ITALY"), when given.
    pub country: Option<String>,
    /// The article's date; `None` for "NO DATE" or a date without a year.
    pub date: Option<NaiveDate>,
}

/// Parses a dateline: the text before the " -- " that ends it.
pub fn parse_dateline(head: &str) -> Dateline {
    let head = head.split(" --").next().unwrap_or(head);
    let head = head.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = Dateline::default();
    let Some((place, rest)) = head.split_once(',') else {
        return out;
    };
    let (place, country) = match place.split_once('(') {
        Some((p, c)) => (p.trim(), Some(c.trim_end_matches(')').trim())),
        None => (place.trim(), None),
    };
    if !place.is_empty() && place != "NO CITY" {
        out.place = Some(place.to_string());
    }
    out.country = country.filter(|c| !c.is_empty()).map(str::to_string);
    // "3 JAN 90 (SOURCE)": the date is what precedes the source.
    let date = rest.split('(').next().unwrap_or("").trim();
    out.date = super::keys::parse_dates(date)
        .into_iter()
        .find_map(|d| match d {
            IncidentDate::On(d) => Some(d),
            _ => None,
        });
    out
}

/// True for a line that starts a raw MUC-4 document ("DEV-MUC3-0001
/// (NOSC)", "TST2-MUC4-0001"); returns its id.
fn docid_line(line: &str) -> Option<&str> {
    let id = line.split_whitespace().next()?;
    let mut parts = id.split('-');
    let (a, b, c) = (parts.next()?, parts.next()?, parts.next()?);
    let ok = parts.next().is_none()
        && !a.is_empty()
        && a.chars().all(|ch| ch.is_ascii_alphanumeric())
        && b.starts_with("MUC")
        && c.len() == 4
        && c.chars().all(|ch| ch.is_ascii_digit());
    ok.then_some(id)
}

/// The datelines of the documents of one raw MUC-4 text file (documents
/// separated by their id lines), by document id.
pub fn parse_raw_texts(text: &str) -> HashMap<String, Dateline> {
    let mut out = HashMap::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(id) = docid_line(line) else {
            continue;
        };
        // The dateline: the first non-empty lines, up to the " --".
        let mut head = String::new();
        while let Some(next) = lines.peek() {
            if docid_line(next).is_some() {
                break;
            }
            let next = lines.next().unwrap_or("");
            if next.trim().is_empty() {
                if head.is_empty() {
                    continue;
                }
                break;
            }
            head.push(' ');
            head.push_str(next.trim());
            if head.contains(" --") || head.len() > 400 {
                break;
            }
        }
        out.insert(id.to_string(), parse_dateline(&head));
    }
    out
}

/// Reads the datelines of every raw text file of a directory (every file
/// whose name does not start with "key-": `dev-muc3-*`, `tst1-muc3`,
/// `tst2-muc4`).
pub fn read_datelines(dir: &Path) -> std::io::Result<HashMap<String, Dateline>> {
    let mut out = HashMap::new();
    let mut paths: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| !n.starts_with("key-") && !n.starts_with('.'))
        })
        .collect();
    paths.sort();
    for p in paths {
        let bytes = std::fs::read(&p)?;
        out.extend(parse_raw_texts(&String::from_utf8_lossy(&bytes)));
    }
    Ok(out)
}

/// The pipeline's input for a MUC-4 document: its text, with the
/// dateline's date (when known) as the publication date.
pub fn document(docid: &str, text: &str, dateline: Option<&Dateline>) -> Document {
    let published = dateline.and_then(|d| d.date).and_then(|d| {
        let utc = FixedOffset::east_opt(0)?;
        d.and_time(NaiveTime::MIN)
            .and_local_timezone(utc)
            .single()
            .map(|t: DateTime<FixedOffset>| t)
    });
    Document {
        id: docid.to_string(),
        text: text.to_string(),
        published,
        ..Document::default()
    }
}

/// Date and location of a document's main incident.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SlotPrediction {
    /// `None` when no incident was found or nothing dates it.
    pub date: Option<IncidentDate>,
    /// `None` when no incident was found or nothing places it.
    pub location: Option<IncidentLocation>,
}

/// The events MUC-4 counts as incidents (violent events at any stage, and
/// plots), in text order.
pub(crate) fn incident_events(a: &Analysis) -> Vec<&Event> {
    let mut evs: Vec<&Event> = a
        .events
        .iter()
        .filter(|e| e.kind.is_violent() || e.kind == EventType::Plot)
        .collect();
    evs.sort_by_key(|e| e.trigger.start);
    evs
}

const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// The date of an event in the key's form (see the module documentation).
fn event_date(ev: &Event, anchor: Option<NaiveDate>) -> Option<IncidentDate> {
    ev.date
        .as_ref()
        .and_then(|dv| key_date(dv, anchor))
        .or_else(|| anchor.map(IncidentDate::OnOrBefore))
}

/// A resolved date in the key's form (see the module documentation);
/// `None` for a year alone ("in 1984" dates a background, not the
/// incident) and for a date after the article.
pub(crate) fn key_date(dv: &DateValue, anchor: Option<NaiveDate>) -> Option<IncidentDate> {
    if dv.precision == Precision::Year || anchor.is_some_and(|a| dv.start > a) {
        return None;
    }
    let lower = dv.text.to_lowercase();
    let weekday = lower
        .split(|c: char| !c.is_alphabetic())
        .any(|w| WEEKDAYS.contains(&w));
    if weekday && dv.relative {
        return Some(IncidentDate::OnOrBefore(anchor.unwrap_or(dv.end)));
    }
    if dv.start == dv.end && dv.precision == Precision::Day {
        return Some(IncidentDate::On(dv.start));
    }
    let end = match anchor {
        Some(a) if dv.end > a && dv.start <= a => a,
        _ => dv.end,
    };
    Some(IncidentDate::Between(dv.start, end))
}

/// The article's date: the dateline's, else the analysis' publication
/// date.
pub(crate) fn anchor_of(analysis: &Analysis, dateline: Option<&Dateline>) -> Option<NaiveDate> {
    dateline.and_then(|d| d.date).or_else(|| {
        analysis
            .published
            .map(|p| p.date_naive())
            .filter(|d| d.year() > 1900)
    })
}

/// The index of the sentence holding byte `pos`.
pub(crate) fn sentence_of(sentences: &[vigil_core::Span], pos: usize) -> usize {
    sentences
        .partition_point(|s| s.end <= pos)
        .min(sentences.len().saturating_sub(1))
}

/// A count as a feature value of the slot rankers: 0, 1, 2, 3-4, 5+.
pub(crate) fn bucket(n: usize) -> &'static str {
    match n {
        0 => "0",
        1 => "1",
        2 => "2",
        3..=4 => "3-4",
        _ => "5+",
    }
}

/// A place found for the incident, resolved in the document's countries.
pub(crate) struct Found {
    pub(crate) iso2: String,
    pub(crate) kind: PlaceKind,
    /// The place as written, in the key's style ("SAN MIGUEL").
    pub(crate) name: String,
}

/// The name of a place mention in the key's style: upper case, no
/// diacritics, without a leading article or a trailing "department".
fn key_name(text: &str) -> String {
    let mut s = fold(text);
    for prefix in [
        "the ",
        "city of ",
        "town of ",
        "department of ",
        "province of ",
    ] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.to_string();
        }
    }
    for suffix in [" department", " province", " municipality"] {
        if let Some(rest) = s.strip_suffix(suffix) {
            s = rest.to_string();
        }
    }
    s.to_uppercase()
}

/// The resolver of place mentions for one document.
pub(crate) struct Places<'a> {
    gaz: &'a Gazetteer,
    /// Countries (ISO2) to prefer, best first.
    pub(crate) context: Vec<String>,
}

impl Places<'_> {
    pub(crate) fn new<'a>(
        a: &Analysis,
        dateline: Option<&Dateline>,
        gaz: &'a Gazetteer,
    ) -> Places<'a> {
        let mut context: Vec<String> = Vec::new();
        let mut push = |c: &str| {
            if MUC4_COUNTRIES.contains(&c) && !context.iter().any(|k| k == c) {
                context.push(c.to_string());
            }
        };
        let mut countries: Vec<(usize, &str)> = a
            .entities
            .iter()
            .filter(|e| e.kind == EntityType::Country)
            .filter_map(|e| {
                let first = e.mentions.iter().map(|m| m.start).min()?;
                Some((first, e.geo.as_ref()?.country.as_str()))
            })
            .collect();
        countries.sort();
        for (_, c) in countries {
            push(c);
        }
        if let Some(d) = dateline {
            if let Some(c) = d.country.as_deref().and_then(|c| gaz.country_by_name(c)) {
                push(&c.iso2);
            }
            if let Some(id) = d.place.as_deref().and_then(|p| gaz.resolve(p, &[])) {
                push(&gaz.place(id).country);
            }
        }
        for c in MUC4_COUNTRIES {
            push(c);
        }
        Places { gaz, context }
    }

    /// The candidate for `name` in the best-ranked context country (all
    /// of them MUC-4 countries); `None` when it names no place there.
    fn resolve(&self, name: &str) -> Option<PlaceId> {
        let ids = self.gaz.lookup(name);
        self.context.iter().find_map(|c| {
            ids.iter()
                .copied()
                .find(|&id| self.gaz.place(id).country == *c)
        })
    }

    /// A place entity (or slot text) resolved in the document's countries.
    pub(crate) fn found(&self, text: &str, entity: Option<&Entity>) -> Option<Found> {
        let kind = entity.map(|e| e.kind);
        if matches!(kind, Some(k) if !k.is_place()) {
            return None;
        }
        let id = self
            .resolve(text)
            .or_else(|| entity.and_then(|e| self.resolve(&e.name)))?;
        let place = self.gaz.place(id);
        if place.country.is_empty() {
            return None; // a continent or world region
        }
        Some(Found {
            iso2: place.country.clone(),
            kind: place.kind,
            name: key_name(text),
        })
    }

    /// The key form of a found place.
    pub(crate) fn location(&self, f: &Found) -> Option<IncidentLocation> {
        let country = self.gaz.country(&f.iso2)?;
        let levels = match f.kind {
            PlaceKind::Country => Vec::new(),
            PlaceKind::Region => vec![vec![KeyPlace {
                name: f.name.clone(),
                kind: Some(region_kind(&f.iso2).to_string()),
            }]],
            PlaceKind::City => vec![vec![KeyPlace {
                name: f.name.clone(),
                kind: Some("CITY".to_string()),
            }]],
        };
        Some(IncidentLocation {
            country: fold(&country.name).to_uppercase(),
            levels,
        })
    }
}

/// What the keys call a first-level division of a country.
fn region_kind(iso2: &str) -> &'static str {
    match iso2 {
        "SV" | "GT" | "HN" | "CO" | "PE" | "BO" | "NI" | "PY" | "UY" => "DEPARTMENT",
        "EC" | "AR" | "PA" | "CR" | "DO" | "CU" => "PROVINCE",
        "CL" => "REGION",
        _ => "REGION",
    }
}

/// True when the analysis holds an event MUC-4 counts as an incident (a
/// violent event at any stage, or a plot).
pub fn has_incident(analysis: &Analysis) -> bool {
    !incident_events(analysis).is_empty()
}

/// Date and location of the main incident of an analysed MUC-4 document
/// (see the module documentation), predicted as if the document reported
/// one: whether it does is the caller's decision (`vigil muc4` asks the
/// incident-type classifier; see also [`has_incident`]). `analysis` should come from
/// [`document`] so that relative dates were resolved against the
/// dateline's date.
pub fn predict(
    analysis: &Analysis,
    dateline: Option<&Dateline>,
    gaz: &Gazetteer,
) -> SlotPrediction {
    let events = incident_events(analysis);
    let anchor = anchor_of(analysis, dateline);
    let date = match events.first() {
        Some(main) => event_date(main, anchor),
        None => anchor.map(IncidentDate::OnOrBefore),
    };

    let places = Places::new(analysis, dateline, gaz);
    let entity = |id: &Option<String>| {
        id.as_deref()
            .and_then(|id| analysis.entities.iter().find(|e| e.id == id))
    };
    let from_event = |ev: &Event| {
        ev.locations
            .iter()
            .chain(ev.location.iter())
            .find_map(|s| places.found(&s.text, entity(&s.entity)))
    };
    let found = events
        .iter()
        .find_map(|e| from_event(e))
        .or_else(|| {
            let mut ents: Vec<&Entity> = analysis
                .entities
                .iter()
                .filter(|e| {
                    matches!(
                        e.kind,
                        EntityType::City | EntityType::Region | EntityType::Country
                    )
                })
                .collect();
            ents.sort_by_key(|e| e.mentions.first().map_or(usize::MAX, |m| m.start));
            ents.iter().find_map(|e| {
                let text = e.mentions.first().map_or(e.name.as_str(), |m| &m.text);
                places.found(text, Some(e))
            })
        })
        .or_else(|| {
            // The fill rules: always at least the country, even inferred.
            let iso2 = places.context.first()?.clone();
            Some(Found {
                iso2,
                kind: PlaceKind::Country,
                name: String::new(),
            })
        });
    let mut location = found.and_then(|f| places.location(&f));
    // A named neighbourhood, town, canton… of the main incident's
    // sentence, too small for the gazetteer, is more specific.
    let small = events.first().and_then(|main| {
        main.evidence
            .iter()
            .filter_map(|sp| analysis.text.get(sp.start..sp.end))
            .find_map(|sentence| small_places(sentence).into_iter().next())
    });
    if let (Some(place), Some(loc)) = (small, location.as_mut()) {
        loc.levels = vec![vec![place]];
    }
    SlotPrediction { date, location }
}

/// The learned rankers of the incident's date and place (either may be
/// absent): [`super::RoleModel::slot_rankers`].
#[derive(Debug, Clone, Copy, Default)]
pub struct SlotRankers<'a> {
    /// Chooses the date ([`super::date_rank`]).
    pub date: Option<&'a Ranker>,
    /// Chooses the place ([`super::place_rank`]).
    pub place: Option<&'a Ranker>,
}

/// [`predict`], with the date and the location chosen by the learned
/// rankers that are given (a model trained with the raw keys has both);
/// the rules' answer where a ranker is absent or the document offers it
/// no candidate.
pub fn predict_with(
    analysis: &Analysis,
    dateline: Option<&Dateline>,
    gaz: &Gazetteer,
    rankers: SlotRankers<'_>,
) -> SlotPrediction {
    let date = rankers
        .date
        .and_then(|r| super::date_rank::choose(r, analysis, dateline));
    let location = rankers
        .place
        .and_then(|r| super::place_rank::choose(r, analysis, dateline, gaz));
    if date.is_some() && location.is_some() {
        return SlotPrediction { date, location };
    }
    let rules = predict(analysis, dateline, gaz);
    SlotPrediction {
        date: date.or(rules.date),
        location: location.or(rules.location),
    }
}

/// The rankers trained by [`train_rankers`], with the number of
/// documents each learned from.
#[derive(Debug, Clone, Default)]
pub struct TrainedRankers {
    /// The date ranker; `None` when no document yields an example.
    pub date: Option<Ranker>,
    /// The place ranker; `None` when no document yields an example.
    pub place: Option<Ranker>,
    /// Documents whose key date one of their candidates matches.
    pub date_examples: usize,
    /// Documents whose key location one of their candidates matches.
    pub place_examples: usize,
}

/// Trains the date and place rankers on GRIT documents with their raw keys
/// and datelines (`vigil train --raw`): the pipeline analyses each
/// document as `vigil muc4` does, the main template of its keys says
/// which candidates are right. Deterministic.
pub fn train_rankers(
    pipeline: &crate::Pipeline,
    docs: &[super::GoldDoc],
    keys: &[KeyTemplate],
    datelines: &HashMap<String, Dateline>,
    seed: u64,
) -> TrainedRankers {
    let primary = primary_templates(keys);
    let gaz = &pipeline.resources().geo;
    let mut dates = Vec::new();
    let mut places = Vec::new();
    for d in docs {
        let Some(main) = primary.get(&d.docid) else {
            continue;
        };
        let dateline = datelines.get(&d.docid);
        let analysis = pipeline.analyze(&document(&d.docid, &d.doctext, dateline));
        dates.extend(super::date_rank::example(&analysis, dateline, main));
        places.extend(super::place_rank::example(&analysis, dateline, gaz, main));
    }
    TrainedRankers {
        date: (!dates.is_empty()).then(|| super::date_rank::train(&dates, seed)),
        place: (!places.is_empty()).then(|| super::place_rank::train(&places, seed)),
        date_examples: dates.len(),
        place_examples: places.len(),
    }
}

/// Words that name a kind of small place, and the key's name for it.
const SMALL_PLACE_KINDS: [(&str, &str); 11] = [
    ("neighborhood", "NEIGHBORHOOD"),
    ("neighbourhood", "NEIGHBORHOOD"),
    ("district", "DISTRICT"),
    ("canton", "CANTON"),
    ("hamlet", "HAMLET"),
    ("village", "VILLAGE"),
    ("municipality", "MUNICIPALITY"),
    ("jurisdiction", "JURISDICTION"),
    ("town", "TOWN"),
    ("farm", "FARM"),
    ("estate", "FARM"),
];

/// Words that end a place name or cannot be one.
const NOT_NAME: [&str; 48] = [
    "a",
    "an",
    "the",
    "in",
    "on",
    "at",
    "of",
    "near",
    "from",
    "to",
    "by",
    "and",
    "or",
    "where",
    "which",
    "that",
    "who",
    "when",
    "while",
    "with",
    "department",
    "province",
    "city",
    "this",
    "same",
    "nearby",
    "northern",
    "southern",
    "eastern",
    "western",
    "central",
    "rural",
    "small",
    "local",
    "its",
    "their",
    "his",
    "her",
    "our",
    "poor",
    "residential",
    "border",
    "coastal",
    "capital",
    "neighboring",
    "whole",
    "entire",
    "said",
];

/// Small places named in a sentence by a place word: "the town of san
/// luis de la reina", "in the san isidro neighborhood", "la tiendita
/// canton". Names are at most five words, without articles, prepositions
/// or adjectives such as "nearby"; returned in text order.
pub fn small_places(sentence: &str) -> Vec<KeyPlace> {
    small_places_in(&sentence_words(sentence))
}

/// [`small_places`] over a sentence's words ([`sentence_words`]).
pub(crate) fn small_places_in(words: &[Option<String>]) -> Vec<KeyPlace> {
    let word = |i: usize| words.get(i).and_then(|w| w.as_deref());
    let is_name_word = |w: &str| {
        !NOT_NAME.contains(&w)
            && w.chars().next().is_some_and(char::is_alphabetic)
            && !w.ends_with("'s")
            && !SMALL_PLACE_KINDS.iter().any(|(k, _)| *k == w)
    };
    // Spanish articles and prepositions inside names ("san luis de la
    // reina") are allowed between name words.
    let is_inner = |w: &str| matches!(w, "de" | "del" | "la" | "las" | "los" | "el" | "y");
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let Some(kind) = w
            .as_deref()
            .and_then(|w| SMALL_PLACE_KINDS.iter().find(|(k, _)| *k == w))
            .map(|(_, k)| k.to_string())
        else {
            continue;
        };
        // "<kind> of <name>"
        if word(i + 1) == Some("of") {
            let mut name: Vec<&str> = Vec::new();
            let mut j = i + 2;
            while let Some(w) = word(j) {
                let article = matches!(w, "la" | "las" | "los" | "el");
                if name.len() >= 5
                    || !(is_name_word(w) || (!name.is_empty() && is_inner(w)) || article)
                {
                    break;
                }
                name.push(w);
                j += 1;
            }
            while name.last().is_some_and(|w| is_inner(w)) {
                name.pop();
            }
            if !name.is_empty() {
                out.push(KeyPlace {
                    name: name.join(" ").to_uppercase(),
                    kind: Some(kind),
                });
                continue;
            }
        }
        // "the <name> <kind>"
        let mut start = i;
        while start > 0 && i - start < 5 {
            match word(start - 1) {
                Some(w) if is_name_word(w) || (start < i && is_inner(w)) => start -= 1,
                _ => break,
            }
        }
        if start < i && start > 0 && word(start - 1) == Some("the") {
            let name: Vec<&str> = (start..i).filter_map(word).collect();
            out.push(KeyPlace {
                name: name.join(" ").to_uppercase(),
                kind: Some(kind),
            });
        }
    }
    out
}

/// The lower-cased words of a sentence, with `None` for punctuation that
/// breaks a name.
pub(crate) fn sentence_words(sentence: &str) -> Vec<Option<String>> {
    let mut words: Vec<Option<String>> = Vec::new();
    let mut cur = String::new();
    for c in sentence.chars() {
        if c.is_alphanumeric() || c == '\'' || c == '-' {
            cur.extend(c.to_lowercase());
            continue;
        }
        if !cur.is_empty() {
            words.push(Some(std::mem::take(&mut cur)));
        }
        if !c.is_whitespace() {
            words.push(None);
        }
    }
    if !cur.is_empty() {
        words.push(Some(cur));
    }
    words
}

/// A place name for comparison: folded, letters and digits only, without
/// the words "department", "province", "city", "the", "of".
pub fn place_key(name: &str) -> String {
    fold(name)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| {
            !w.is_empty() && !matches!(*w, "department" | "province" | "city" | "the" | "of")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// True when `pred` is `key` at country level.
pub fn same_country(pred: &IncidentLocation, key: &IncidentLocation) -> bool {
    place_key(&pred.country) == place_key(&key.country)
}

/// True when `pred` names the key's most specific place (either place of
/// a "between" level), in the key's country; a country alone matches a
/// key that gives the country alone.
pub fn same_place(pred: &IncidentLocation, key: &IncidentLocation) -> bool {
    if !same_country(pred, key) {
        return false;
    }
    let (p, k) = (pred.most_specific(), key.most_specific());
    if p.is_empty() || k.is_empty() {
        return p.is_empty() && k.is_empty();
    }
    p.iter()
        .any(|a| k.iter().any(|b| place_key(&a.name) == place_key(&b.name)))
}

/// True when the predicted interval lies inside the key's
/// ([`IncidentDate::interval`]).
pub fn date_in_range(pred: &IncidentDate, key: &IncidentDate) -> bool {
    let (ps, pe) = pred.interval();
    let (ks, ke) = key.interval();
    ks <= ps && pe <= ke
}

/// Accuracy of predicted dates and locations against the answer keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SlotScores {
    /// Documents whose main template is relevant (the denominators).
    pub relevant: usize,
    /// Relevant documents with a parseable key date.
    pub dated: usize,
    /// Predicted date equal to (one alternative of) the key's.
    pub date_exact: usize,
    /// Predicted date inside (one alternative of) the key's interval.
    pub date_in_range: usize,
    /// Relevant documents given a date.
    pub date_predicted: usize,
    /// Relevant documents with a parseable key location.
    pub located: usize,
    /// Right country.
    pub country: usize,
    /// Right most specific place (and country).
    pub place: usize,
    /// Relevant documents given a location.
    pub location_predicted: usize,
    /// Predicted location right at country level for *any* relevant
    /// template of the document (not only the main one).
    pub country_any: usize,
    /// Most specific place of any relevant template.
    pub place_any: usize,
    /// Predicted date exactly that of any relevant template.
    pub date_exact_any: usize,
    /// Documents whose key reports no incident.
    pub irrelevant: usize,
    /// Irrelevant documents given a date or a location anyway.
    pub irrelevant_predicted: usize,
}

fn ratio(n: usize, d: usize) -> f64 {
    if d == 0 {
        0.0
    } else {
        n as f64 / d as f64
    }
}

impl SlotScores {
    /// Date exact-match accuracy over the relevant documents with a key date.
    pub fn date_exact_accuracy(&self) -> f64 {
        ratio(self.date_exact, self.dated)
    }
    /// Within-range accuracy of dates ([`date_in_range`]).
    pub fn date_in_range_accuracy(&self) -> f64 {
        ratio(self.date_in_range, self.dated)
    }
    /// Country-level location accuracy.
    pub fn country_accuracy(&self) -> f64 {
        ratio(self.country, self.located)
    }
    /// Most-specific-level location accuracy.
    pub fn place_accuracy(&self) -> f64 {
        ratio(self.place, self.located)
    }

    /// The scores as a JSON object.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "relevant_documents": self.relevant,
            "date_exact_accuracy": self.date_exact_accuracy(),
            "date_in_range_accuracy": self.date_in_range_accuracy(),
            "date_documents": self.dated,
            "date_predicted": self.date_predicted,
            "date_exact_any_template": ratio(self.date_exact_any, self.dated),
            "location_country_accuracy": self.country_accuracy(),
            "location_place_accuracy": self.place_accuracy(),
            "location_documents": self.located,
            "location_predicted": self.location_predicted,
            "location_country_any_template": ratio(self.country_any, self.located),
            "location_place_any_template": ratio(self.place_any, self.located),
            "irrelevant_documents": self.irrelevant,
            "irrelevant_with_prediction": self.irrelevant_predicted,
        })
    }

    /// Human-readable lines.
    pub fn to_text(&self) -> String {
        let pct = |n, d| ratio(n, d) * 100.0;
        format!(
            "incident date (main, {d} relevant docs with a key date): exact {} = {:.1}%, within range {} = {:.1}% (predicted for {}; exact for any template {:.1}%)\n\
             incident location (main, {l} relevant docs): country {} = {:.1}%, most specific place {} = {:.1}% (predicted for {}; any template: country {:.1}%, place {:.1}%)\n\
             irrelevant docs given a date or location: {}/{}\n",
            self.date_exact,
            pct(self.date_exact, self.dated),
            self.date_in_range,
            pct(self.date_in_range, self.dated),
            self.date_predicted,
            pct(self.date_exact_any, self.dated),
            self.country,
            pct(self.country, self.located),
            self.place,
            pct(self.place, self.located),
            self.location_predicted,
            pct(self.country_any, self.located),
            pct(self.place_any, self.located),
            self.irrelevant_predicted,
            self.irrelevant,
            d = self.dated,
            l = self.located,
        )
    }
}

/// Scores predictions (by document id) against the answer-key templates
/// of the same documents. Documents without a prediction entry or without
/// a key are not counted; a relevant document predicted nothing counts as
/// wrong.
pub fn evaluate(keys: &[KeyTemplate], preds: &HashMap<String, SlotPrediction>) -> SlotScores {
    let primary = primary_templates(keys);
    let mut by_doc: HashMap<&str, Vec<&KeyTemplate>> = HashMap::new();
    for t in keys.iter().filter(|t| t.relevant) {
        by_doc.entry(t.docid.as_str()).or_default().push(t);
    }
    let mut s = SlotScores::default();
    for (docid, pred) in preds {
        let Some(main) = primary.get(docid) else {
            continue;
        };
        if !main.relevant {
            s.irrelevant += 1;
            s.irrelevant_predicted += usize::from(pred.date.is_some() || pred.location.is_some());
            continue;
        }
        s.relevant += 1;
        let all = by_doc.get(docid.as_str()).map(Vec::as_slice).unwrap_or(&[]);
        let dates = main.dates();
        if !dates.is_empty() {
            s.dated += 1;
            if let Some(p) = &pred.date {
                s.date_predicted += 1;
                s.date_exact += usize::from(dates.contains(p));
                s.date_in_range += usize::from(dates.iter().any(|k| date_in_range(p, k)));
                s.date_exact_any += usize::from(all.iter().any(|t| t.dates().contains(p)));
            }
        }
        let locs = main.locations();
        if !locs.is_empty() {
            s.located += 1;
            if let Some(p) = &pred.location {
                s.location_predicted += 1;
                s.country += usize::from(locs.iter().any(|k| same_country(p, k)));
                s.place += usize::from(locs.iter().any(|k| same_place(p, k)));
                s.country_any += usize::from(
                    all.iter()
                        .any(|t| t.locations().iter().any(|k| same_country(p, k))),
                );
                s.place_any += usize::from(
                    all.iter()
                        .any(|t| t.locations().iter().any(|k| same_place(p, k))),
                );
            }
        }
    }
    s
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::Pipeline;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn parses_datelines() {
        let d = parse_dateline("SAN SALVADOR, 3 APR 90 (RADIO CADENA) -- [TEXT] X");
        assert_eq!(d.place.as_deref(), Some("SAN SALVADOR"));
        assert_eq!(d.country, None);
        assert_eq!(d.date, Some(day(1990, 4, 3)));
        let d = parse_dateline("ROME (ITALY), 11 JAN 90 -- [INTERVIEW]");
        assert_eq!(d.place.as_deref(), Some("ROME"));
        assert_eq!(d.country.as_deref(), Some("ITALY"));
        assert_eq!(d.date, Some(day(1990, 1, 11)));
        let d = parse_dateline("NO CITY (EL SALVADOR), 5 FEB 89 (FBIS) --");
        assert_eq!(d.place, None);
        assert_eq!(d.country.as_deref(), Some("EL SALVADOR"));
        let d = parse_dateline("CLANDESTINE, NO DATE (RADIO) --");
        assert_eq!(d.place.as_deref(), Some("CLANDESTINE"));
        assert_eq!(d.date, None);
        // A date without a year is no date.
        assert_eq!(parse_dateline("TEGUCIGALPA, 7 FEB (REUTER) --").date, None);
        assert_eq!(parse_dateline(""), Dateline::default());
    }

    #[test]
    fn reads_raw_text_files() {
        let raw =
            "DEV-MUC3-0007 (NOSC)\n\n   LIMA, 12 MAR 89 (EFE) -- [TEXT] A BOMB\nEXPLODED.\n\n\
                   TST2-MUC4-0042\n\n   BOGOTA (COLOMBIA), 1 DEC\n89 (AFP) -- [TEXT] TWO MEN\n";
        let d = parse_raw_texts(raw);
        assert_eq!(d.len(), 2);
        assert_eq!(d["DEV-MUC3-0007"].date, Some(day(1989, 3, 12)));
        assert_eq!(d["DEV-MUC3-0007"].place.as_deref(), Some("LIMA"));
        assert_eq!(d["TST2-MUC4-0042"].date, Some(day(1989, 12, 1)));
        assert_eq!(d["TST2-MUC4-0042"].country.as_deref(), Some("COLOMBIA"));
    }

    fn run(text: &str, dateline: &str) -> SlotPrediction {
        let pipeline = Pipeline::new().unwrap();
        let dl = parse_dateline(dateline);
        let a = pipeline.analyze(&document("T-MUC4-0001", text, Some(&dl)));
        predict(&a, Some(&dl), &pipeline.resources().geo)
    }

    #[test]
    fn predicts_relative_date_and_city() {
        let p = run(
            "urban guerrillas yesterday bombed a bank in the city of medellin, \
             antioquia department. police said two people were injured.",
            "BOGOTA, 12 MAR 90 (EFE) --",
        );
        assert_eq!(p.date, Some(IncidentDate::On(day(1990, 3, 11))));
        let loc = p.location.unwrap();
        assert_eq!(loc.country, "COLOMBIA");
        assert_eq!(loc.most_specific()[0].name, "MEDELLIN");
    }

    #[test]
    fn undated_incident_is_on_or_before_the_dateline() {
        let p = run(
            "terrorists kidnapped a businessman in lima, the police reported.",
            "LIMA, 5 JUN 89 (AFP) --",
        );
        assert_eq!(p.date, Some(IncidentDate::OnOrBefore(day(1989, 6, 5))));
        assert_eq!(p.location.unwrap().to_key_string(), "PERU: LIMA (CITY)");
    }

    #[test]
    fn weekday_is_on_or_before_the_dateline() {
        let p = run(
            "gunmen killed a judge last wednesday in san salvador.",
            "SAN SALVADOR, 10 NOV 89 (RADIO) --",
        );
        assert_eq!(p.date, Some(IncidentDate::OnOrBefore(day(1989, 11, 10))));
    }

    #[test]
    fn without_incident_event_the_country_is_inferred() {
        let pipeline = Pipeline::new().unwrap();
        let dl = parse_dateline("PANAMA CITY (PANAMA), 2 FEB 90 (ACAN) --");
        let a = pipeline.analyze(&document(
            "T-MUC4-0002",
            "the president of honduras met the ambassador of spain to discuss trade.",
            Some(&dl),
        ));
        assert!(!has_incident(&a));
        let p = predict(&a, Some(&dl), &pipeline.resources().geo);
        assert_eq!(p.date, Some(IncidentDate::OnOrBefore(day(1990, 2, 2))));
        // Spain and Panama are not MUC-4 countries; Honduras is.
        assert_eq!(p.location.unwrap().to_key_string(), "HONDURAS");
    }

    #[test]
    fn scores_against_keys() {
        let key = "
0.  MESSAGE: ID                     T-MUC4-0001
1.  MESSAGE: TEMPLATE               1
2.  INCIDENT: DATE                  11 MAR 90
3.  INCIDENT: LOCATION              COLOMBIA: ANTIOQUIA (DEPARTMENT): MEDELLIN (CITY)
4.  INCIDENT: TYPE                  BOMBING

0.  MESSAGE: ID                     T-MUC4-0002
1.  MESSAGE: TEMPLATE               1
2.  INCIDENT: DATE                  - 05 JUN 89
3.  INCIDENT: LOCATION              PERU: CALLAO (CITY)
4.  INCIDENT: TYPE                  KIDNAPPING

0.  MESSAGE: ID                     T-MUC4-0003
1.  MESSAGE: TEMPLATE               *
";
        let templates = super::super::keys::parse(key);
        let loc = |s: &str| super::super::keys::parse_locations(s).pop();
        let mut preds = HashMap::new();
        preds.insert(
            "T-MUC4-0001".to_string(),
            SlotPrediction {
                date: Some(IncidentDate::On(day(1990, 3, 11))),
                location: loc("COLOMBIA: MEDELLIN (CITY)"),
            },
        );
        preds.insert(
            "T-MUC4-0002".to_string(),
            SlotPrediction {
                date: Some(IncidentDate::On(day(1989, 6, 3))),
                location: loc("PERU: LIMA (CITY)"),
            },
        );
        preds.insert(
            "T-MUC4-0003".to_string(),
            SlotPrediction {
                date: None,
                location: loc("PERU"),
            },
        );
        let s = evaluate(&templates, &preds);
        assert_eq!((s.relevant, s.dated, s.located), (2, 2, 2));
        assert_eq!(s.date_exact, 1);
        assert_eq!(s.date_in_range, 2); // 3 JUN lies in the month up to 5 JUN
        assert_eq!((s.country, s.place), (2, 1));
        assert_eq!((s.irrelevant, s.irrelevant_predicted), (1, 1));
        assert!((s.place_accuracy() - 0.5).abs() < 1e-9);
    }

    #[test]
    fn finds_small_places_named_by_a_place_word() {
        let names = |s: &str| -> Vec<String> {
            small_places(s)
                .into_iter()
                .map(|p| format!("{} ({})", p.name, p.kind.unwrap()))
                .collect()
        };
        assert_eq!(
            names("the massacre took place in the town of san luis de la reina, the army said."),
            ["SAN LUIS DE LA REINA (TOWN)"]
        );
        assert_eq!(names("in the village of la cruz."), ["LA CRUZ (VILLAGE)"]);
        assert_eq!(
            names("a bomb exploded in the santa rita neighborhood of the capital."),
            ["SANTA RITA (NEIGHBORHOOD)"]
        );
        assert_eq!(
            names("guerrillas burned the la esperanza farm and the el paraiso canton"),
            ["LA ESPERANZA (FARM)", "EL PARAISO (CANTON)"]
        );
        // Adjectives and common words are not names.
        assert!(names("soldiers searched the nearby village and the same town.").is_empty());
        assert!(names("the town was attacked.").is_empty());
    }

    #[test]
    fn place_keys_ignore_case_accents_and_kind_words() {
        assert_eq!(place_key("Medellín"), place_key("MEDELLIN"));
        assert_eq!(place_key("San Miguel Department"), place_key("SAN MIGUEL"));
        assert_ne!(place_key("San Miguel"), place_key("San Marcos"));
    }
}
