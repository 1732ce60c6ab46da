//! Incidents: one real-world happening, merged from the events of several
//! articles (see the `vigil-corpus` crate for how events are merged).

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::{DateValue, EventType, Geo, Stage};

/// One real-world happening reported by one or more articles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    /// Deterministic id: `<doc id>/<event id>` of the first event merged
    /// into it (in input order).
    pub id: String,
    /// The most specific type the sources give ("bombing" over "attack").
    #[serde(rename = "type")]
    pub kind: EventType,
    /// The most advanced stage any source reports
    /// (accomplished > attempted > foiled > planned > threatened).
    pub stage: Stage,
    /// The most precise date any source gives.
    pub date: Option<DateValue>,
    /// The most specific place any source gives (city over region over
    /// country).
    pub location: Option<IncidentEntity>,
    pub perpetrators: Vec<IncidentEntity>,
    pub targets: Vec<IncidentEntity>,
    pub victims: Vec<IncidentEntity>,
    pub weapons: Vec<IncidentEntity>,
    /// When sources disagree, the value most sources give (ties: the
    /// larger); every value is kept in `disagreements`.
    pub killed: Option<u32>,
    pub injured: Option<u32>,
    pub arrested: Option<u32>,
    /// True when any source reports the incident took a life, whether or
    /// not it gives a toll (see `Event::fatal`).
    #[serde(default)]
    pub fatal: bool,
    /// For arrests, raids and convictions: the act of violence the held
    /// are suspected of, charged with or sentenced for, as most sources
    /// that give one say (see `Event::crime`).
    #[serde(default)]
    pub crime: Option<EventType>,
    /// Every event merged into the incident, in input order.
    pub sources: Vec<IncidentSource>,
    /// The earliest publication time among the sources, when known.
    pub first_seen: Option<DateTime<FixedOffset>>,
    /// Fields on which the sources disagree, with every value and who
    /// reports it.
    pub disagreements: Vec<Disagreement>,
    /// Why each source was merged into the incident, one line per merge.
    pub merge_reasons: Vec<String>,
}

/// An actor, target, victim, weapon or place of an incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentEntity {
    /// Canonical name (from the gazetteer when linked, else as written).
    pub name: String,
    /// Gazetteer key when linked (`group:islamic-state-khorasan`,
    /// `geonames:1138336`).
    pub kb_id: Option<String>,
    /// Coordinates and country, for places.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub geo: Option<Geo>,
}

/// One event of one article that was merged into an incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentSource {
    /// The document's id as given to the merger.
    pub doc_id: String,
    /// The event's document-local id ("V1").
    pub event_id: String,
    /// The outlet (`Analysis::source`), when known.
    pub source: Option<String>,
    pub url: Option<String>,
    pub published: Option<DateTime<FixedOffset>>,
    #[serde(rename = "type")]
    pub kind: EventType,
    pub stage: Stage,
    /// The extractor's confidence in the event.
    pub confidence: f32,
}

/// A field on which the sources of an incident disagree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disagreement {
    /// `killed`, `injured`, `arrested`, `date` (day-precision dates that
    /// differ).
    pub field: String,
    /// Every value reported, in ascending order, with the documents that
    /// report it.
    pub values: Vec<ReportedValue>,
}

/// One value of a disputed field and who reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportedValue {
    pub value: String,
    /// Document ids, in input order.
    pub doc_ids: Vec<String>,
}
