//! The output of the analysis pipeline for one document.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::Span;

/// Everything vigil extracted from one document. Serialised as one JSON
/// object per line by `vigil analyze`; the JSON Schema lives in
/// `schema/analysis.schema.json` at the repository root.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Analysis {
    pub id: String,
    pub title: Option<String>,
    pub source: Option<String>,
    pub url: Option<String>,
    pub author: Option<String>,
    pub published: Option<DateTime<FixedOffset>>,
    /// Where `published` came from: `record` (a JSON Lines field), `metadata`
    /// (HTML meta tags or JSON-LD), `warc-date` (the capture time of a web
    /// archive record), `text` (a timestamp line or dateline),
    /// `cli` (`--published`); library callers see `input` for a date set on
    /// the `Document` and `default` for the fallback of `analyze_with`.
    pub published_from: Option<String>,
    /// ISO 639-1 code of the text's language ("en"), or "und".
    pub language: String,
    /// The cleaned text; every offset in this analysis refers to it.
    pub text: String,
    pub cleaning: CleaningReport,
    pub sentences: Vec<Span>,
    pub entities: Vec<Entity>,
    pub events: Vec<Event>,
    pub quotes: Vec<Quote>,
    pub citations: Vec<Citation>,
    /// Every date expression of the text, in text order, resolved against
    /// `published` ("yesterday", "last Friday"; without a publication date
    /// only absolute dates). The dateline's date is `published`, not listed
    /// here. Events carry the one they happened on in their `date`.
    /// Analyses written before this field existed read as empty.
    #[serde(default)]
    pub dates: Vec<DateValue>,
}

/// What the cleaner changed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CleaningReport {
    /// Look-alike characters (Cyrillic, Greek, fullwidth, mathematical…)
    /// replaced by the Latin letters they imitate.
    pub confusables_replaced: usize,
    /// Zero-width characters, soft hyphens, bidi controls and other
    /// invisible code points removed.
    pub invisible_removed: usize,
    /// Lines dropped as boilerplate: repeated or cut-off titles, timestamp
    /// lines, site chrome.
    pub boilerplate_removed: usize,
    /// Unusual spaces (NBSP, thin space, ideographic space…) made ASCII.
    pub spaces_normalized: usize,
    /// Words that were rewritten, for review (capped; see `changes_truncated`).
    pub changes: Vec<CleaningChange>,
    pub changes_truncated: bool,
}

/// One rewritten word or dropped line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CleaningChange {
    pub kind: CleaningKind,
    /// The original text (with the look-alikes, or the dropped line).
    pub before: String,
    /// What it became (empty for a dropped line).
    pub after: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CleaningKind {
    Confusable,
    Invisible,
    Boilerplate,
    Timestamp,
}

/// Kinds of named entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EntityType {
    Person,
    Organization,
    ArmedGroup,
    GovernmentBody,
    MediaOutlet,
    Country,
    Region,
    City,
    /// A physical place that can be targeted: a cathedral, a stadium, an embassy.
    Site,
    /// A named happening: the Olympic Games, a festival, a summit.
    Event,
}

impl EntityType {
    pub const ALL: [EntityType; 10] = [
        EntityType::Person,
        EntityType::Organization,
        EntityType::ArmedGroup,
        EntityType::GovernmentBody,
        EntityType::MediaOutlet,
        EntityType::Country,
        EntityType::Region,
        EntityType::City,
        EntityType::Site,
        EntityType::Event,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntityType::Person => "PERSON",
            EntityType::Organization => "ORGANIZATION",
            EntityType::ArmedGroup => "ARMED_GROUP",
            EntityType::GovernmentBody => "GOVERNMENT_BODY",
            EntityType::MediaOutlet => "MEDIA_OUTLET",
            EntityType::Country => "COUNTRY",
            EntityType::Region => "REGION",
            EntityType::City => "CITY",
            EntityType::Site => "SITE",
            EntityType::Event => "EVENT",
        }
    }

    /// Countries, regions, cities and sites: things with a place on a map.
    pub fn is_place(self) -> bool {
        matches!(
            self,
            EntityType::Country | EntityType::Region | EntityType::City | EntityType::Site
        )
    }
}

/// One occurrence of an entity in the cleaned text. The default is an
/// empty mention at offset 0 (an event whose trigger is not in the text).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

impl Mention {
    pub fn span(&self) -> Span {
        Span::new(self.start, self.end)
    }
}

/// Coordinates and country of a place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Geo {
    pub lat: f64,
    pub lon: f64,
    /// ISO 3166-1 alpha-2 country code.
    pub country: String,
    /// GeoNames id when the place came from GeoNames.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub geonames_id: Option<u64>,
    /// First-level division a city lies in ("North Rhine-Westphalia",
    /// "Indiana"), when the gazetteer knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin1: Option<String>,
}

/// A named entity, with all its mentions in the document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// Document-local id ("E1", "E2", …).
    pub id: String,
    #[serde(rename = "type")]
    pub kind: EntityType,
    /// Canonical name (from the gazetteer when known).
    pub name: String,
    /// Other names used for it in this document or known from the gazetteer.
    pub aliases: Vec<String>,
    pub mentions: Vec<Mention>,
    /// For people: their office or function as stated in the text.
    pub role: Option<String>,
    /// For people: the organisation or country they belong to, when stated.
    pub affiliation: Option<String>,
    /// For armed groups: the canonical name of the parent group.
    pub parent: Option<String>,
    /// For places.
    pub geo: Option<Geo>,
    /// Stable key of the gazetteer record this entity was linked to
    /// (e.g. `group:islamic-state-khorasan`, `geonames:2886242`, `country:DE`).
    pub kb_id: Option<String>,
}

/// Types of event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventType {
    Attack,
    Bombing,
    Shooting,
    Stabbing,
    Arson,
    Kidnapping,
    HostageTaking,
    VehicleRamming,
    Assassination,
    Robbery,
    Plot,
    Arrest,
    Raid,
    Conviction,
    Warning,
    Claim,
}

impl EventType {
    pub const ALL: [EventType; 16] = [
        EventType::Attack,
        EventType::Bombing,
        EventType::Shooting,
        EventType::Stabbing,
        EventType::Arson,
        EventType::Kidnapping,
        EventType::HostageTaking,
        EventType::VehicleRamming,
        EventType::Assassination,
        EventType::Robbery,
        EventType::Plot,
        EventType::Arrest,
        EventType::Raid,
        EventType::Conviction,
        EventType::Warning,
        EventType::Claim,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Attack => "attack",
            EventType::Bombing => "bombing",
            EventType::Shooting => "shooting",
            EventType::Stabbing => "stabbing",
            EventType::Arson => "arson",
            EventType::Kidnapping => "kidnapping",
            EventType::HostageTaking => "hostage_taking",
            EventType::VehicleRamming => "vehicle_ramming",
            EventType::Assassination => "assassination",
            EventType::Robbery => "robbery",
            EventType::Plot => "plot",
            EventType::Arrest => "arrest",
            EventType::Raid => "raid",
            EventType::Conviction => "conviction",
            EventType::Warning => "warning",
            EventType::Claim => "claim",
        }
    }

    /// Violent acts (as opposed to plots, security operations and statements).
    pub fn is_violent(self) -> bool {
        !matches!(
            self,
            EventType::Plot
                | EventType::Arrest
                | EventType::Raid
                | EventType::Conviction
                | EventType::Warning
                | EventType::Claim
        )
    }
}

/// How far an event got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Accomplished,
    Attempted,
    Foiled,
    Planned,
    Threatened,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Accomplished => "accomplished",
            Stage::Attempted => "attempted",
            Stage::Foiled => "foiled",
            Stage::Planned => "planned",
            Stage::Threatened => "threatened",
        }
    }
}

/// Granularity of a resolved date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    Day,
    Month,
    Year,
}

/// A date expression resolved to a calendar interval `[start, end]`
/// (both inclusive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateValue {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub precision: Precision,
    /// The expression as written ("last Thursday", "New Year's Eve 2023").
    pub text: String,
    /// Where the expression is, when it came from the text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    /// True when the expression was relative ("last November") and was
    /// resolved against the publication date.
    #[serde(default)]
    pub relative: bool,
}

/// A role filler of an event: a stretch of text, linked to an entity when
/// it names one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub text: String,
    /// Entity id ("E3") or null.
    pub entity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

/// Something that happened, was attempted, planned, foiled or threatened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Document-local id ("V1", "V2", …).
    pub id: String,
    #[serde(rename = "type")]
    pub kind: EventType,
    pub stage: Stage,
    /// The word(s) that evoke the event ("arrested", "attack").
    pub trigger: Mention,
    pub date: Option<DateValue>,
    /// The most specific place where it happened (or is feared).
    pub location: Option<Slot>,
    /// Every place named for it, most specific first.
    pub locations: Vec<Slot>,
    pub perpetrators: Vec<Slot>,
    pub targets: Vec<Slot>,
    pub victims: Vec<Slot>,
    pub weapons: Vec<Slot>,
    /// How many the text says were killed; `Some(0)` when it says no one
    /// was ("no one was killed").
    pub killed: Option<u32>,
    pub injured: Option<u32>,
    pub arrested: Option<u32>,
    /// True when the act took a life, counted or not: `killed` is above
    /// zero, or the text tells of a death it does not count ("gunmen
    /// killed several officers", "the journalist was murdered"). False for
    /// acts attempted, foiled, planned or threatened.
    #[serde(default)]
    pub fatal: bool,
    /// For arrests, raids and convictions: the act of violence the held are
    /// suspected of, charged with or sentenced for, when the text says so
    /// ("detained five people over the killing of a journalist": attack;
    /// "sentenced for attempted murder"). `None` for every other event, and
    /// when the text gives no act of violence ("arrested for insulting the
    /// king").
    #[serde(default)]
    pub crime: Option<EventType>,
    /// Nationalities of the suspects, as countries.
    pub nationalities: Vec<Slot>,
    /// Entity ids of who states, warns of or reports the event.
    pub attributed_to: Vec<String>,
    /// Sentences the event was read from.
    pub evidence: Vec<Span>,
    /// 0–1: how sure the extractor is that this event is real and typed right.
    pub confidence: f32,
}

impl Event {
    /// An event with only what every event has — id, type, stage, trigger
    /// and confidence — and every slot, count and attribution empty; fill
    /// the rest with struct-update syntax (`Event { killed, ..Event::new(…) }`).
    pub fn new(
        id: impl Into<String>,
        kind: EventType,
        stage: Stage,
        trigger: Mention,
        confidence: f32,
    ) -> Self {
        Event {
            id: id.into(),
            kind,
            stage,
            trigger,
            date: None,
            location: None,
            locations: Vec::new(),
            perpetrators: Vec::new(),
            targets: Vec::new(),
            victims: Vec::new(),
            weapons: Vec::new(),
            killed: None,
            injured: None,
            arrested: None,
            fatal: false,
            crime: None,
            nationalities: Vec::new(),
            attributed_to: Vec::new(),
            evidence: Vec::new(),
            confidence,
        }
    }
}

/// Direct speech attributed to someone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// Entity id of the speaker, when known.
    pub speaker: Option<String>,
    /// The speaker as written when no entity could be linked ("officials").
    pub speaker_text: Option<String>,
    /// The quoted words, without the quotation marks.
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// What kind of source an article relies on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CitationKind {
    /// A newspaper, broadcaster or news agency.
    Outlet,
    /// A report by an organisation ("a report by the United Nations").
    Report,
    /// Unnamed or named officials ("US intelligence officials").
    Officials,
}

/// A source the article relies on, and who cites it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Citation {
    pub kind: CitationKind,
    /// The cited source (outlet, report's author, officials).
    pub source: Slot,
    /// Who cites it: another outlet or report, or null when it is the
    /// article itself.
    pub cited_by: Option<Slot>,
    /// The citing phrase ("according to The New York Times").
    pub span: Span,
}

#[cfg(test)]
mod tests {
    use super::Analysis;

    #[test]
    fn analyses_stored_before_dates_were_listed_still_read() {
        let mut v = serde_json::to_value(Analysis {
            id: "old".into(),
            language: "en".into(),
            ..Analysis::default()
        })
        .expect("Analysis serialises");
        let fields = v.as_object_mut().expect("an object");
        assert!(fields.remove("dates").is_some(), "dates is serialised");
        let a: Analysis = serde_json::from_value(v).expect("an analysis without dates reads");
        assert_eq!(a.id, "old");
        assert!(a.dates.is_empty());
    }
}
