//! The threat board's score: countries, cities, and sites and events
//! ranked by recent warnings, plots, arrests and attacks, recency-weighted.
//! The formula is documented in `docs/dashboard.md`; every score keeps its
//! evidence (the incidents and the points each contributes).
//!
//! ```text
//! points(incident) = base(type, stage, casualties) × recency(age) × corroboration(documents)
//! score(target)    = Σ points of the incidents attached to it, over the last 365 days
//! ```

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use vigil_core::{EventType, Incident, Stage};

/// Days after which an incident's weight has halved.
pub const HALF_LIFE_DAYS: f64 = 30.0;
/// Incidents older than this (relative to the board's date) are left out.
pub const HORIZON_DAYS: i64 = 365;
/// Evidence items kept per row.
pub const EVIDENCE_PER_ROW: usize = 8;

/// What an incident signals, for the board's columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Signal {
    /// A violent act that happened or was attempted.
    Attack,
    /// A plot: planned or foiled.
    Plot,
    /// Arrests, raids, convictions.
    Arrest,
    /// Threats and warnings (and claims).
    Warning,
}

impl Signal {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Signal::Attack => "attack",
            Signal::Plot => "plot",
            Signal::Arrest => "arrest",
            Signal::Warning => "warning",
        }
    }
}

/// The signal and base points of an incident: warnings 3, plots 4
/// (a violent type at stage planned or foiled counts as a plot, at stage
/// threatened as a warning), arrests/raids/convictions 2 (1 when only
/// threatened: "faces arrest"), claims 1,
/// attacks 3 plus a casualty bonus (+1 for 1–9 killed or injured, +2 for
/// 10–99, +3 for 100 or more; deaths told without a toll count one).
pub fn base(incident: &Incident) -> (Signal, f64) {
    match incident.kind {
        EventType::Warning => (Signal::Warning, 3.0),
        EventType::Claim => (Signal::Warning, 1.0),
        EventType::Plot => (Signal::Plot, 4.0),
        EventType::Arrest | EventType::Raid | EventType::Conviction => match incident.stage {
            // "threatened to arrest", "faces arrest": nobody is held yet.
            Stage::Threatened => (Signal::Arrest, 1.0),
            _ => (Signal::Arrest, 2.0),
        },
        _ => match incident.stage {
            Stage::Planned | Stage::Foiled => (Signal::Plot, 4.0),
            Stage::Threatened => (Signal::Warning, 3.0),
            Stage::Accomplished | Stage::Attempted => {
                // A death told without a toll counts one.
                let killed = incident.killed.unwrap_or(u32::from(incident.fatal));
                let hurt = killed.saturating_add(incident.injured.unwrap_or(0));
                let bonus = match hurt {
                    0 => 0.0,
                    1..=9 => 1.0,
                    10..=99 => 2.0,
                    _ => 3.0,
                };
                (Signal::Attack, 3.0 + bonus)
            }
        },
    }
}

/// `0.5^(age / 30 days)`; an incident dated after the board's date (a
/// warning about a coming event) has age 0.
pub fn recency(age_days: i64) -> f64 {
    0.5f64.powf(age_days.max(0) as f64 / HALF_LIFE_DAYS)
}

/// `min(2, 1 + 0.25 × (documents − 1))`: more independent reports, more
/// weight, at most double.
pub fn corroboration(documents: usize) -> f64 {
    (1.0 + 0.25 * documents.saturating_sub(1) as f64).min(2.0)
}

/// The day an incident is dated by: the end of its date interval, else the
/// day it was first published.
pub fn incident_day(incident: &Incident) -> Option<NaiveDate> {
    incident
        .date
        .as_ref()
        .map(|d| d.end)
        .or_else(|| incident.first_seen.map(|t| t.date_naive()))
}

/// One incident's contribution to a row.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub incident: String,
    pub kind: EventType,
    pub signal: Signal,
    pub day: NaiveDate,
    pub place: Option<String>,
    pub documents: usize,
    pub base: f64,
    pub recency: f64,
    pub corroboration: f64,
    /// `base × recency × corroboration`.
    pub points: f64,
}

/// Which table a row belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TargetKind {
    Country,
    City,
    /// Sites (`site:…`) and events (`event:…`, with the city when known).
    SiteOrEvent,
}

/// One ranked target.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub kind: TargetKind,
    /// Grouping key: ISO code, `geonames:<id>`, `event:olympic-games@Paris`.
    pub key: String,
    /// Display name.
    pub label: String,
    pub score: f64,
    /// Incidents per signal.
    pub counts: BTreeMap<Signal, usize>,
    /// The largest contributions first, at most [`EVIDENCE_PER_ROW`].
    pub evidence: Vec<Evidence>,
    /// Incidents contributing in all.
    pub incidents: usize,
}

/// The three ranked tables.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Board {
    pub as_of: Option<NaiveDate>,
    pub countries: Vec<Row>,
    pub cities: Vec<Row>,
    pub sites: Vec<Row>,
}

/// How the board names places: a country's name from its ISO code, and
/// whether a place name is a country (to tell cities from countries).
pub trait Places {
    /// The country's name for an ISO alpha-2 code.
    fn country_name(&self, iso2: &str) -> Option<String>;
    /// Whether `name` names a country.
    fn is_country(&self, name: &str) -> bool;
}

/// Collects incidents into rows; call [`BoardBuilder::add`] for every
/// incident, then [`BoardBuilder::finish`].
pub struct BoardBuilder<'a> {
    as_of: NaiveDate,
    places: &'a dyn Places,
    rows: BTreeMap<(TargetKind, String), Row>,
}

impl<'a> BoardBuilder<'a> {
    /// A board as of `as_of` (ages are counted to that day).
    pub fn new(as_of: NaiveDate, places: &'a dyn Places) -> Self {
        BoardBuilder {
            as_of,
            places,
            rows: BTreeMap::new(),
        }
    }

    /// Adds an incident to every target it concerns.
    pub fn add(&mut self, incident: &Incident) {
        let Some(day) = incident_day(incident) else {
            return;
        };
        let age = (self.as_of - day).num_days();
        if age > HORIZON_DAYS {
            return;
        }
        let documents: BTreeSet<&str> =
            incident.sources.iter().map(|s| s.doc_id.as_str()).collect();
        let (signal, base) = base(incident);
        let r = recency(age);
        let c = corroboration(documents.len());
        let evidence = Evidence {
            incident: incident.id.clone(),
            kind: incident.kind,
            signal,
            day,
            place: incident.location.as_ref().map(|l| l.name.clone()),
            documents: documents.len(),
            base,
            recency: r,
            corroboration: c,
            points: base * r * c,
        };
        let mut targets: Vec<(TargetKind, String, String)> = Vec::new();
        let mut city: Option<String> = None;
        if let Some(location) = &incident.location {
            if let Some(geo) = &location.geo {
                if !geo.country.is_empty() {
                    let name = self
                        .places
                        .country_name(&geo.country)
                        .unwrap_or_else(|| geo.country.clone());
                    targets.push((TargetKind::Country, geo.country.clone(), name));
                }
            }
            let is_city = location
                .kb_id
                .as_deref()
                .is_some_and(|k| k.starts_with("geonames:"))
                && !self.places.is_country(&location.name);
            if is_city {
                let key = location.kb_id.clone().unwrap_or_default();
                targets.push((TargetKind::City, key, location.name.clone()));
                city = Some(location.name.clone());
            }
        }
        let named = incident
            .targets
            .iter()
            .chain(incident.victims.iter())
            .chain(incident.location.iter());
        for entity in named {
            let Some(kb) = entity.kb_id.as_deref() else {
                continue;
            };
            if kb.starts_with("site:") {
                targets.push((TargetKind::SiteOrEvent, kb.to_string(), entity.name.clone()));
            } else if kb.starts_with("event:") {
                let (key, label) = match &city {
                    Some(c) => (format!("{kb}@{c}"), format!("{} — {c}", entity.name)),
                    None => (kb.to_string(), entity.name.clone()),
                };
                targets.push((TargetKind::SiteOrEvent, key, label));
            }
        }
        targets.sort();
        targets.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
        for (kind, key, label) in targets {
            let row = self.rows.entry((kind, key.clone())).or_insert_with(|| Row {
                kind,
                key,
                label,
                score: 0.0,
                counts: BTreeMap::new(),
                evidence: Vec::new(),
                incidents: 0,
            });
            row.score += evidence.points;
            row.incidents += 1;
            *row.counts.entry(signal).or_insert(0) += 1;
            row.evidence.push(evidence.clone());
        }
    }

    /// The tables, best first (ties: by label), each at most `limit` rows.
    pub fn finish(self, limit: usize) -> Board {
        let mut board = Board {
            as_of: Some(self.as_of),
            ..Board::default()
        };
        for (_, mut row) in self.rows {
            row.evidence.sort_by(|a, b| {
                b.points
                    .total_cmp(&a.points)
                    .then_with(|| b.day.cmp(&a.day))
                    .then_with(|| a.incident.cmp(&b.incident))
            });
            row.evidence.truncate(EVIDENCE_PER_ROW);
            match row.kind {
                TargetKind::Country => board.countries.push(row),
                TargetKind::City => board.cities.push(row),
                TargetKind::SiteOrEvent => board.sites.push(row),
            }
        }
        for table in [&mut board.countries, &mut board.cities, &mut board.sites] {
            table.sort_by(|a, b| {
                b.score
                    .total_cmp(&a.score)
                    .then_with(|| a.label.cmp(&b.label))
            });
            table.truncate(limit);
        }
        board
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use vigil_core::{DateValue, Geo, IncidentEntity, IncidentSource, Precision};

    struct TestPlaces;
    impl Places for TestPlaces {
        fn country_name(&self, iso2: &str) -> Option<String> {
            (iso2 == "FR").then(|| "France".to_string())
        }
        fn is_country(&self, name: &str) -> bool {
            name == "France"
        }
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn incident(id: &str, kind: EventType, stage: Stage, date: &str, docs: &[&str]) -> Incident {
        Incident {
            id: id.into(),
            kind,
            stage,
            date: Some(DateValue {
                start: day(date),
                end: day(date),
                precision: Precision::Day,
                text: date.into(),
                span: None,
                relative: false,
            }),
            location: Some(IncidentEntity {
                name: "Paris".into(),
                kb_id: Some("geonames:2988507".into()),
                geo: Some(Geo {
                    lat: 48.85,
                    lon: 2.35,
                    country: "FR".into(),
                    geonames_id: Some(2988507),
                    admin1: None,
                }),
            }),
            perpetrators: vec![],
            targets: vec![IncidentEntity {
                name: "Olympic Games".into(),
                kb_id: Some("event:olympic-games".into()),
                geo: None,
            }],
            victims: vec![],
            weapons: vec![],
            killed: None,
            injured: None,
            arrested: None,
            fatal: false,
            crime: None,
            sources: docs
                .iter()
                .map(|d| IncidentSource {
                    doc_id: d.to_string(),
                    event_id: "V1".into(),
                    source: None,
                    url: None,
                    published: None,
                    kind,
                    stage,
                    confidence: 0.9,
                })
                .collect(),
            first_seen: None,
            disagreements: vec![],
            merge_reasons: vec![],
        }
    }

    #[test]
    fn weights() {
        assert_eq!(recency(0), 1.0);
        assert!((recency(30) - 0.5).abs() < 1e-12);
        assert!((recency(60) - 0.25).abs() < 1e-12);
        assert_eq!(recency(-10), 1.0, "future-dated warnings count fully");
        assert_eq!(corroboration(0), 1.0);
        assert_eq!(corroboration(1), 1.0);
        assert_eq!(corroboration(3), 1.5);
        assert_eq!(corroboration(50), 2.0);
        let mut i = incident(
            "a/V1",
            EventType::Bombing,
            Stage::Accomplished,
            "2024-07-01",
            &["a"],
        );
        assert_eq!(base(&i), (Signal::Attack, 3.0));
        // Deaths told without a toll count one.
        i.fatal = true;
        assert_eq!(base(&i), (Signal::Attack, 4.0));
        i.killed = Some(12);
        assert_eq!(base(&i), (Signal::Attack, 5.0));
        // Absurd tolls from a garbled text do not overflow.
        let mut absurd = i.clone();
        absurd.killed = Some(u32::MAX);
        absurd.injured = Some(5);
        assert_eq!(base(&absurd), (Signal::Attack, 6.0));
        i.stage = Stage::Foiled;
        assert_eq!(base(&i), (Signal::Plot, 4.0));
        i.stage = Stage::Threatened;
        assert_eq!(base(&i), (Signal::Warning, 3.0));
        i.kind = EventType::Arrest;
        assert_eq!(base(&i), (Signal::Arrest, 1.0));
        i.stage = Stage::Accomplished;
        assert_eq!(base(&i), (Signal::Arrest, 2.0));
    }

    #[test]
    fn board_ranks_with_evidence() {
        let as_of = day("2024-07-20");
        let mut b = BoardBuilder::new(as_of, &TestPlaces);
        // A warning 30 days old reported by 3 documents: 3 × 0.5 × 1.5.
        b.add(&incident(
            "w/V1",
            EventType::Warning,
            Stage::Threatened,
            "2024-06-20",
            &["x", "y", "z"],
        ));
        // A plot today, one document: 4 × 1 × 1.
        b.add(&incident(
            "p/V1",
            EventType::Plot,
            Stage::Foiled,
            "2024-07-20",
            &["p"],
        ));
        // Too old: left out.
        b.add(&incident(
            "old/V1",
            EventType::Bombing,
            Stage::Accomplished,
            "2023-01-01",
            &["o"],
        ));
        let board = b.finish(10);
        assert_eq!(board.countries.len(), 1);
        let france = &board.countries[0];
        assert_eq!(
            (france.key.as_str(), france.label.as_str()),
            ("FR", "France")
        );
        assert!(
            (france.score - (2.25 + 4.0)).abs() < 1e-9,
            "{}",
            france.score
        );
        assert_eq!(france.incidents, 2);
        assert_eq!(france.counts.get(&Signal::Warning), Some(&1));
        assert_eq!(france.counts.get(&Signal::Plot), Some(&1));
        // Evidence sorted by contribution.
        assert_eq!(france.evidence[0].incident, "p/V1");
        assert!((france.evidence[1].points - 2.25).abs() < 1e-9);
        assert_eq!(france.evidence[1].documents, 3);
        // The city and the event (with its city) rank too.
        assert_eq!(board.cities[0].label, "Paris");
        assert_eq!(board.sites[0].key, "event:olympic-games@Paris");
        assert_eq!(board.sites[0].label, "Olympic Games — Paris");
    }

    #[test]
    fn countries_are_not_cities_and_undated_incidents_are_skipped() {
        let mut b = BoardBuilder::new(day("2024-07-20"), &TestPlaces);
        let mut i = incident(
            "c/V1",
            EventType::Attack,
            Stage::Accomplished,
            "2024-07-19",
            &["c"],
        );
        if let Some(l) = i.location.as_mut() {
            l.name = "France".into();
            l.kb_id = Some("geonames:3017382".into());
        }
        b.add(&i);
        let mut undated = incident(
            "u/V1",
            EventType::Attack,
            Stage::Accomplished,
            "2024-07-19",
            &["u"],
        );
        undated.date = None;
        b.add(&undated);
        let board = b.finish(10);
        assert!(board.cities.is_empty());
        assert_eq!(board.countries.len(), 1);
        assert_eq!(board.countries[0].incidents, 1);
        assert_eq!(
            board.sites[0].key, "event:olympic-games",
            "no city: event alone"
        );
    }
}
