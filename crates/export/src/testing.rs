//! Incidents for the unit tests.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, NaiveDate};
use vigil_core::{
    DateValue, Disagreement, EventType, Geo, Incident, IncidentEntity, IncidentSource, Precision,
    ReportedValue, Stage,
};

pub fn entity(name: &str, kb: Option<&str>) -> IncidentEntity {
    IncidentEntity {
        name: name.into(),
        kb_id: kb.map(str::to_string),
        geo: None,
    }
}

fn place(name: &str, kb: &str, lat: f64, lon: f64, country: &str) -> IncidentEntity {
    IncidentEntity {
        name: name.into(),
        kb_id: Some(kb.into()),
        geo: Some(Geo {
            lat,
            lon,
            country: country.into(),
            geonames_id: None,
            admin1: None,
        }),
    }
}

fn source(
    doc: &str,
    event: &str,
    outlet: Option<&str>,
    url: Option<&str>,
    published: &str,
) -> IncidentSource {
    IncidentSource {
        doc_id: doc.into(),
        event_id: event.into(),
        source: outlet.map(str::to_string),
        url: url.map(str::to_string),
        published: Some(DateTime::parse_from_rfc3339(published).unwrap()),
        kind: EventType::Bombing,
        stage: Stage::Accomplished,
        confidence: 0.8,
    }
}

fn day(s: &str) -> DateValue {
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    DateValue {
        start: d,
        end: d,
        precision: Precision::Day,
        text: s.into(),
        span: None,
        relative: false,
    }
}

/// A bombing in Brussels with two sources that disagree on the toll.
pub fn bombing() -> Incident {
    Incident {
        id: "reuters-1/V1".into(),
        kind: EventType::Bombing,
        stage: Stage::Accomplished,
        date: Some(day("2024-03-10")),
        location: Some(place("Brussels", "geonames:2800866", 50.8505, 4.3488, "BE")),
        perpetrators: vec![
            entity(
                "Islamic State Khorasan Province",
                Some("group:islamic-state-khorasan"),
            ),
            entity("gunmen", None),
        ],
        targets: vec![
            entity("a church", None),
            entity("Coordination Unit for Threat Analysis", Some("gov:ocam")),
        ],
        victims: vec![entity("12 people", None), entity("Lieve Martens", None)],
        weapons: vec![entity("bomb", None)],
        killed: Some(2),
        injured: Some(3),
        arrested: None,
        fatal: true,
        crime: None,
        sources: vec![
            source(
                "reuters-1",
                "V1",
                Some("Reuters"),
                Some("https://example.org/reuters/1?a=1,b=\"2\""),
                "2024-03-11T08:00:00+01:00",
            ),
            source(
                "lesoir-7",
                "V2",
                Some("Le Soir"),
                Some("https://example.org/lesoir/7"),
                "2024-03-12T10:30:00Z",
            ),
        ],
        first_seen: Some(DateTime::parse_from_rfc3339("2024-03-11T08:00:00+01:00").unwrap()),
        disagreements: vec![Disagreement {
            field: "killed".into(),
            values: vec![
                ReportedValue {
                    value: "2".into(),
                    doc_ids: vec!["reuters-1".into()],
                },
                ReportedValue {
                    value: "3".into(),
                    doc_ids: vec!["lesoir-7".into()],
                },
            ],
        }],
        merge_reasons: vec!["lesoir-7/V2: same type, date, city".into()],
    }
}

/// An official warning about Germany, one source without outlet or URL.
pub fn warning() -> Incident {
    Incident {
        id: "wire-2/V8".into(),
        kind: EventType::Warning,
        stage: Stage::Threatened,
        date: None,
        location: Some(place("Germany", "country:DE", 51.2, 10.4, "DE")),
        perpetrators: vec![entity("lone attackers", None)],
        targets: vec![entity("European football championship", None)],
        victims: vec![],
        weapons: vec![],
        killed: None,
        injured: None,
        arrested: None,
        fatal: false,
        crime: None,
        sources: vec![IncidentSource {
            kind: EventType::Warning,
            stage: Stage::Threatened,
            ..source("wire-2", "V8", None, None, "2024-03-12T00:00:00Z")
        }],
        first_seen: Some(DateTime::parse_from_rfc3339("2024-03-12T00:00:00Z").unwrap()),
        disagreements: vec![],
        merge_reasons: vec![],
    }
}

/// A foiled plot with neither date, place nor publication time.
pub fn bare_plot() -> Incident {
    Incident {
        id: "telex/V3".into(),
        kind: EventType::Plot,
        stage: Stage::Foiled,
        date: None,
        location: None,
        perpetrators: vec![entity("Shining Path", Some("group:shining-path"))],
        targets: vec![],
        victims: vec![],
        weapons: vec![],
        killed: None,
        injured: None,
        arrested: Some(4),
        fatal: false,
        crime: None,
        sources: vec![IncidentSource {
            published: None,
            kind: EventType::Plot,
            stage: Stage::Foiled,
            ..source("telex", "V3", None, None, "2024-01-01T00:00:00Z")
        }],
        first_seen: None,
        disagreements: vec![],
        merge_reasons: vec![],
    }
}

/// All of the above.
pub fn all() -> Vec<Incident> {
    vec![bombing(), warning(), bare_plot()]
}
