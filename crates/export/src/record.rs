//! An incident as one flat row: ACLED's columns, then vigil's. Shared by
//! the CSV and Parquet writers and the GeoJSON feature properties.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};
use vigil_core::{EntityType, EventType, Incident};

use crate::resolve::Resolver;
use crate::summary;

/// The column names, in order: ACLED's twenty, then vigil's.
pub const COLUMNS: [&str; 32] = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "actor2",
    "country",
    "admin1",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "timestamp",
    // vigil's own columns.
    "incident_id",
    "type",
    "stage",
    "killed",
    "fatal",
    "injured",
    "arrested",
    "crime",
    "sources_count",
    "country_code",
    "date_end",
    "urls",
];

/// One incident as a row (see [`COLUMNS`] and `docs/export.md`).
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// ISO 3166-1 alpha-3 (else alpha-2, else `XXX`) followed by 12
    /// upper-case hex digits of the incident's UUIDv5: stable across
    /// exports, like ACLED's `NGA12345`.
    pub event_id_cnty: String,
    /// The start of the incident's date, else the day it was first
    /// published; `None` when neither is known.
    pub event_date: Option<NaiveDate>,
    pub year: Option<i32>,
    /// ACLED's 1 (day), 2 (days within a week), 3 (coarser or undated).
    pub time_precision: u8,
    pub event_type: &'static str,
    pub sub_event_type: &'static str,
    /// The first perpetrator (empty for arrests, raids and convictions,
    /// whose state force vigil does not know).
    pub actor1: String,
    /// The other perpetrators, "; "-separated.
    pub assoc_actor_1: String,
    /// The first target, else the first victim; for arrests, raids and
    /// convictions the first suspect.
    pub actor2: String,
    /// Country name (ISO code when the resolver knows no name).
    pub country: String,
    pub admin1: String,
    pub location: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// ACLED's 1 (town or site), 2 (near a town), 3 (region or country).
    pub geo_precision: Option<u8>,
    /// Outlets, "; "-separated.
    pub source: String,
    /// Left empty: vigil does not know an outlet's scale.
    pub source_scale: String,
    /// The summary ([`crate::summary`]).
    pub notes: String,
    /// `killed`, 0 when unknown (ACLED's convention).
    pub fatalities: u32,
    /// Unix seconds of the latest publication among the sources (ACLED:
    /// when the row last changed); 0 when unknown.
    pub timestamp: i64,
    pub incident_id: String,
    /// vigil's event type (`bombing`).
    pub kind: &'static str,
    pub stage: &'static str,
    pub killed: Option<u32>,
    /// Some source tells of a death, counted or not (`Incident::fatal`).
    pub fatal: bool,
    pub injured: Option<u32>,
    pub arrested: Option<u32>,
    /// For arrests, raids and convictions, the act of violence the held are
    /// held for (`Incident::crime`, `attack`); empty otherwise.
    pub crime: &'static str,
    pub sources_count: u32,
    /// ISO 3166-1 alpha-2 code of the country.
    pub country_code: String,
    /// The end of the incident's date range.
    pub date_end: Option<NaiveDate>,
    /// Source URLs, space-separated.
    pub urls: String,
}

impl Record {
    /// The row of `incident`.
    pub fn new(incident: &Incident, resolver: &dyn Resolver) -> Record {
        let place = incident.location.as_ref().and_then(|l| {
            resolver.place(l).or_else(|| {
                // A place the resolver cannot classify still has its
                // coordinates and country.
                l.geo.as_ref().map(|g| crate::resolve::PlaceInfo {
                    kind: EntityType::Site,
                    lat: Some(g.lat),
                    lon: Some(g.lon),
                    country: Some(g.country.clone()),
                    admin1: None,
                })
            })
        });
        let country_code = place
            .as_ref()
            .and_then(|p| p.country.clone())
            .filter(|c| !c.is_empty())
            .unwrap_or_default();
        let iso3 = resolver.iso3(&country_code);
        let prefix = match (&iso3, country_code.is_empty()) {
            (Some(c), _) => c.clone(),
            (None, false) => country_code.clone(),
            (None, true) => "XXX".to_string(),
        };
        let hex = crate::ids::uuid(&format!("incident|{}", incident.id))
            .simple()
            .to_string();
        let event_id_cnty = format!("{prefix}{}", hex[..12].to_ascii_uppercase());
        let event_date = incident
            .date
            .as_ref()
            .map(|d| d.start)
            .or_else(|| incident.first_seen.map(|t| t.date_naive()));
        let (event_type, sub_event_type) = crate::acled::event_types(incident);
        let mut perpetrators = distinct(incident.perpetrators.iter().map(|e| e.name.as_str()));
        let first_target = incident
            .targets
            .first()
            .or(incident.victims.first())
            .map(|e| e.name.clone())
            .unwrap_or_default();
        // In a security operation the "perpetrators" are the suspects: ACLED
        // codes them as actor2, the (here unknown) state force as actor1.
        let operation = matches!(
            incident.kind,
            EventType::Arrest | EventType::Raid | EventType::Conviction
        );
        let (actor1, actor2) = match (operation, perpetrators.is_empty()) {
            (_, true) => (String::new(), first_target),
            (true, false) => {
                let suspect = perpetrators.remove(0).to_string();
                perpetrators.clear();
                (String::new(), suspect)
            }
            (false, false) => (perpetrators.remove(0).to_string(), first_target),
        };
        let country = if country_code.is_empty() {
            String::new()
        } else {
            resolver
                .country_name(&country_code)
                .unwrap_or_else(|| country_code.clone())
        };
        let geo_precision = place.as_ref().and_then(|p| {
            p.lat?;
            Some(match p.kind {
                EntityType::City | EntityType::Site => 1,
                EntityType::Region | EntityType::Country => 3,
                _ => 2,
            })
        });
        Record {
            event_id_cnty,
            year: event_date.map(|d| d.year()),
            event_date,
            time_precision: crate::acled::time_precision(incident),
            event_type,
            sub_event_type,
            actor1,
            assoc_actor_1: perpetrators.join("; "),
            actor2,
            country,
            admin1: place
                .as_ref()
                .and_then(|p| p.admin1.clone())
                .unwrap_or_default(),
            location: incident
                .location
                .as_ref()
                .map(|l| l.name.clone())
                .unwrap_or_default(),
            latitude: place.as_ref().and_then(|p| p.lat),
            longitude: place.as_ref().and_then(|p| p.lon),
            geo_precision,
            source: summary::outlets(incident).join("; "),
            source_scale: String::new(),
            notes: summary::summary(incident),
            fatalities: incident.killed.unwrap_or(0),
            timestamp: last_published(incident).map_or(0, |t| t.timestamp()),
            incident_id: incident.id.clone(),
            kind: incident.kind.as_str(),
            stage: incident.stage.as_str(),
            killed: incident.killed,
            fatal: incident.fatal,
            injured: incident.injured,
            arrested: incident.arrested,
            crime: incident.crime.map_or("", EventType::as_str),
            sources_count: u32::try_from(incident.sources.len()).unwrap_or(u32::MAX),
            country_code,
            date_end: incident.date.as_ref().map(|d| d.end),
            urls: summary::urls(incident).join(" "),
        }
    }

    /// The values as text, in [`COLUMNS`] order (empty for unknown).
    pub fn text_fields(&self) -> [String; 32] {
        let opt = |v: Option<String>| v.unwrap_or_default();
        let date = |d: Option<NaiveDate>| opt(d.map(|d| d.format("%Y-%m-%d").to_string()));
        let num = |n: Option<u32>| opt(n.map(|n| n.to_string()));
        let float = |f: Option<f64>| opt(f.map(|f| f.to_string()));
        [
            self.event_id_cnty.clone(),
            date(self.event_date),
            opt(self.year.map(|y| y.to_string())),
            self.time_precision.to_string(),
            self.event_type.to_string(),
            self.sub_event_type.to_string(),
            self.actor1.clone(),
            self.assoc_actor_1.clone(),
            self.actor2.clone(),
            self.country.clone(),
            self.admin1.clone(),
            self.location.clone(),
            float(self.latitude),
            float(self.longitude),
            opt(self.geo_precision.map(|p| p.to_string())),
            self.source.clone(),
            self.source_scale.clone(),
            self.notes.clone(),
            self.fatalities.to_string(),
            self.timestamp.to_string(),
            self.incident_id.clone(),
            self.kind.to_string(),
            self.stage.to_string(),
            num(self.killed),
            self.fatal.to_string(),
            num(self.injured),
            num(self.arrested),
            self.crime.to_string(),
            self.sources_count.to_string(),
            self.country_code.clone(),
            date(self.date_end),
            self.urls.clone(),
        ]
    }
}

/// The latest publication time among the sources, else the first sighting.
pub(crate) fn last_published(incident: &Incident) -> Option<DateTime<FixedOffset>> {
    incident
        .sources
        .iter()
        .filter_map(|s| s.published)
        .max()
        .or(incident.first_seen)
}

fn distinct<'a>(names: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for n in names {
        if !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{testing, KbPrefixes};

    #[test]
    fn bombing_row_has_acled_and_vigil_columns() {
        let r = Record::new(&testing::bombing(), &KbPrefixes);
        assert!(r.event_id_cnty.starts_with("BE"), "{}", r.event_id_cnty);
        assert_eq!(r.event_id_cnty.len(), 14);
        assert_eq!(
            r.event_date.map(|d| d.to_string()).as_deref(),
            Some("2024-03-10")
        );
        assert_eq!(r.year, Some(2024));
        assert_eq!(r.actor1, "Islamic State Khorasan Province");
        assert_eq!(r.assoc_actor_1, "gunmen");
        assert_eq!(r.actor2, "a church");
        assert_eq!(r.country, "BE");
        assert_eq!(r.location, "Brussels");
        assert_eq!((r.latitude, r.longitude), (Some(50.8505), Some(4.3488)));
        assert_eq!(r.geo_precision, Some(1));
        assert_eq!(r.source, "Reuters; Le Soir");
        assert_eq!(r.fatalities, 2);
        assert_eq!(r.timestamp, 1_710_239_400); // 2024-03-12T10:30:00Z
        assert_eq!((r.kind, r.stage), ("bombing", "accomplished"));
        assert_eq!(r.sources_count, 2);
        assert_eq!(r.text_fields().len(), COLUMNS.len());
    }

    #[test]
    fn an_arrest_row_says_what_it_holds_people_for() {
        let mut arrest = testing::bare_plot();
        arrest.kind = vigil_core::EventType::Arrest;
        arrest.stage = vigil_core::Stage::Accomplished;
        assert_eq!(Record::new(&arrest, &KbPrefixes).crime, "");
        arrest.crime = Some(vigil_core::EventType::Kidnapping);
        let r = Record::new(&arrest, &KbPrefixes);
        assert_eq!(r.crime, "kidnapping");
        let at = COLUMNS
            .iter()
            .position(|c| *c == "crime")
            .expect("a crime column");
        assert_eq!(r.text_fields()[at], "kidnapping");
        assert!(r.notes.contains(" Held for: kidnapping."), "{}", r.notes);
    }

    #[test]
    fn undated_unplaced_row_is_empty_not_invented() {
        let r = Record::new(&testing::bare_plot(), &KbPrefixes);
        assert!(r.event_id_cnty.starts_with("XXX"));
        assert_eq!(r.event_date, None);
        assert_eq!(r.time_precision, 3);
        assert_eq!((r.latitude, r.geo_precision), (None, None));
        assert_eq!(r.country, "");
        assert_eq!(r.fatalities, 0);
        assert_eq!(r.killed, None);
        assert_eq!(r.arrested, Some(4));
        assert_eq!(r.timestamp, 0);
        assert_eq!(
            r.actor1, "Shining Path",
            "a plot keeps its perpetrator as actor1"
        );
    }

    #[test]
    fn suspects_of_an_arrest_are_actor2() {
        let mut i = testing::bombing();
        i.kind = EventType::Arrest;
        let r = Record::new(&i, &KbPrefixes);
        assert_eq!(r.actor1, "");
        assert_eq!(r.assoc_actor_1, "");
        assert_eq!(r.actor2, "Islamic State Khorasan Province");
    }
}
