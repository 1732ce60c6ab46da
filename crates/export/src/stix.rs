//! STIX 2.1 bundles for OpenCTI, MISP and any TAXII-fed platform.
//!
//! What each incident becomes:
//!
//! * the incident itself: an `incident` object (OpenCTI's shape: `name`,
//!   `description`, `incident_type`, `first_seen`, `last_seen`, labels
//!   `[type, stage]`, `confidence`, the source URLs as
//!   `external_references`); official **warnings** and **claims** of
//!   responsibility become a `note` instead, whose `object_refs` tie it to
//!   the threatened place, the actors, the named targets and the articles;
//! * armed groups (perpetrators linked to a `group:` record): one
//!   `threat-actor` each (`threat_actor_types: ["terrorist"]`, `aliases`,
//!   `first_seen`/`last_seen` over the exported incidents), with an
//!   `attributed-to` relationship from the incident;
//! * places: a `location` (`name`, `country`, `latitude`/`longitude`,
//!   `x_opencti_location_type` City/Region/Country/Position) with a
//!   `located-at` relationship from the incident, and the place's country
//!   as its own `location` with a `located-at` from the place;
//! * people, government bodies, organisations and outlets named as
//!   targets or victims: an `identity` each, with a `targets` relationship
//!   from the incident; sites with coordinates: a `location`, targeted;
//! * each article: a `report` (`published`, `object_refs` to everything it
//!   supports, `external_references` with its URL), authored
//!   (`created_by_ref`) by its outlet's `identity`.
//!
//! Unlinked mentions ("gunmen", "a church", "12 people") are kept in the
//! descriptions, not turned into objects: an identity named "gunmen" would
//! merge every gunman in every country.
//!
//! Properties outside the STIX 2.1 core (`incident_type`, `first_seen`,
//! `last_seen` on incidents, `x_opencti_location_type`, `x_vigil_*`) are
//! declared by one `extension-definition` of type
//! `toplevel-property-extension`, as STIX 2.1 §7.3 asks.
//!
//! Identifiers are UUIDv5 ([`crate::ids`]) of stable keys; `created` and
//! `modified` come from the data (first sighting, latest publication) or,
//! for reference objects (places, identities, the extension), from
//! [`REFERENCE_TIME`], so the same data always gives the same bundle.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::Write;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use serde_json::{json, Map, Value};
use uuid::Uuid;
use vigil_core::{EntityType, EventType, Incident, IncidentEntity};

use crate::resolve::PlaceInfo;
use crate::{ExportError, Format, IncidentWriter, Options};

/// `created` and `modified` of reference objects (vigil's identity, the
/// extension definition, places, people and organisations): the date this
/// export format was defined. Constant, so re-exports are byte-identical.
pub const REFERENCE_TIME: &str = "2026-11-29T00:00:00.000Z";

/// Where the extension definition points for its schema.
const EXTENSION_SCHEMA: &str = "https://github.com/vigil-osint/vigil/blob/main/docs/export.md#stix";

/// Top-level properties the extension adds.
const EXTENSION_PROPERTIES: [&str; 12] = [
    "incident_type",
    "first_seen",
    "last_seen",
    "x_opencti_location_type",
    "x_vigil_incident_id",
    "x_vigil_type",
    "x_vigil_stage",
    "x_vigil_killed",
    "x_vigil_fatal",
    "x_vigil_injured",
    "x_vigil_arrested",
    "x_vigil_crime",
];

/// STIX object types vigil writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Identity,
    ExtensionDefinition,
    Location,
    ThreatActor,
    Incident,
    Note,
    Relationship,
    Report,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Identity => "identity",
            Kind::ExtensionDefinition => "extension-definition",
            Kind::Location => "location",
            Kind::ThreatActor => "threat-actor",
            Kind::Incident => "incident",
            Kind::Note => "note",
            Kind::Relationship => "relationship",
            Kind::Report => "report",
        }
    }
}

/// A STIX identifier, kept as 17 bytes rather than a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Id {
    kind: Kind,
    uuid: Uuid,
}

impl Id {
    fn new(kind: Kind, key: &str) -> Id {
        Id {
            kind,
            uuid: crate::ids::uuid(&format!("{}|{key}", kind.as_str())),
        }
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}--{}", self.kind.as_str(), self.uuid)
    }
}

/// vigil's own identity: `created_by_ref` of what it derives.
fn vigil_identity() -> Id {
    Id::new(Kind::Identity, "vigil")
}

fn extension_id() -> Id {
    Id::new(Kind::ExtensionDefinition, "vigil-properties-v1")
}

/// A threat actor, completed at the end of the export.
#[derive(Debug)]
struct Actor {
    id: Id,
    kb_id: String,
    name: String,
    first_seen: DateTime<FixedOffset>,
    last_seen: DateTime<FixedOffset>,
    modified: DateTime<FixedOffset>,
}

/// An article, written at the end with every object it supports.
#[derive(Debug)]
struct Article {
    doc_id: String,
    url: Option<String>,
    outlet: Option<Id>,
    outlet_name: Option<String>,
    published: Option<DateTime<FixedOffset>>,
    /// The earliest time of the incidents citing it, for `published` when
    /// the article's own time is unknown.
    earliest: DateTime<FixedOffset>,
    refs: Vec<Id>,
}

/// Writes a STIX 2.1 bundle incrementally.
pub struct StixWriter<W: Write> {
    out: W,
    options: Options,
    /// Shared objects (places, identities) already written.
    written: HashSet<Id>,
    actors: Vec<Actor>,
    actor_index: HashMap<Id, usize>,
    articles: Vec<Article>,
    article_index: HashMap<String, usize>,
    objects: u64,
    count: u64,
}

impl<W: Write> StixWriter<W> {
    /// Writes the bundle's opening, vigil's identity and the extension
    /// definition.
    pub fn new(out: W, options: Options) -> Result<Self, ExportError> {
        let mut w = StixWriter {
            out,
            options,
            written: HashSet::new(),
            actors: Vec::new(),
            actor_index: HashMap::new(),
            articles: Vec::new(),
            article_index: HashMap::new(),
            objects: 0,
            count: 0,
        };
        let bundle = crate::ids::stix_id("bundle", &format!("export|{}", w.options.label));
        let opening = format!("{{\"type\":\"bundle\",\"id\":\"{bundle}\",\"objects\":[");
        w.out
            .write_all(opening.as_bytes())
            .map_err(ExportError::io(Format::Stix))?;
        w.emit(&obj([
            ("type", json!("identity")),
            ("spec_version", json!("2.1")),
            ("id", json!(vigil_identity().to_string())),
            ("created", json!(REFERENCE_TIME)),
            ("modified", json!(REFERENCE_TIME)),
            ("name", json!("vigil")),
            (
                "description",
                json!("vigil, an open-source early-warning system that extracts political-violence events from news articles."),
            ),
            ("identity_class", json!("system")),
        ]))?;
        w.emit(&obj([
            ("type", json!("extension-definition")),
            ("spec_version", json!("2.1")),
            ("id", json!(extension_id().to_string())),
            ("created_by_ref", json!(vigil_identity().to_string())),
            ("created", json!(REFERENCE_TIME)),
            ("modified", json!(REFERENCE_TIME)),
            ("name", json!("vigil incident and place properties")),
            (
                "description",
                json!("Top-level properties vigil adds: OpenCTI's incident_type, first_seen, last_seen and x_opencti_location_type, and vigil's stage, counts and incident id."),
            ),
            ("schema", json!(EXTENSION_SCHEMA)),
            ("version", json!("1.0.0")),
            ("extension_types", json!(["toplevel-property-extension"])),
            ("extension_properties", json!(EXTENSION_PROPERTIES)),
        ]))?;
        Ok(w)
    }

    fn emit(&mut self, value: &Map<String, Value>) -> Result<(), ExportError> {
        let sep: &[u8] = if self.objects == 0 { b"\n" } else { b",\n" };
        self.out
            .write_all(sep)
            .map_err(ExportError::io(Format::Stix))?;
        serde_json::to_writer(&mut self.out, value).map_err(|e| ExportError::Io {
            format: Format::Stix,
            source: e.into(),
        })?;
        self.objects += 1;
        Ok(())
    }

    /// Writes a shared object unless it was written already.
    fn emit_once(
        &mut self,
        id: Id,
        make: impl FnOnce() -> Map<String, Value>,
    ) -> Result<(), ExportError> {
        if self.written.insert(id) {
            self.emit(&make())?;
        }
        Ok(())
    }

    /// The location of a place (and its country's), written once; `None`
    /// when the place has neither coordinates nor a country.
    fn location(&mut self, entity: &IncidentEntity) -> Result<Option<(Id, Vec<Id>)>, ExportError> {
        let resolver = self.options.resolver.clone();
        let info = match resolver.place(entity) {
            Some(info) => info,
            None => match &entity.geo {
                Some(g) => PlaceInfo {
                    kind: EntityType::Site,
                    lat: Some(g.lat),
                    lon: Some(g.lon),
                    country: Some(g.country.clone()),
                    admin1: None,
                },
                None => return Ok(None),
            },
        };
        let country = info
            .country
            .as_deref()
            .map(str::trim)
            .filter(|c| c.len() == 2)
            .map(str::to_ascii_uppercase);
        let coords = match (info.lat, info.lon) {
            (Some(lat), Some(lon))
                if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) =>
            {
                Some((lat, lon))
            }
            _ => None,
        };
        if coords.is_none() && country.is_none() {
            return Ok(None);
        }
        let mut extra = Vec::new();
        let country_id = match &country {
            Some(code) => {
                let id = Id::new(Kind::Location, &format!("country:{code}"));
                let name = resolver
                    .country_name(code)
                    .or_else(|| (info.kind == EntityType::Country).then(|| entity.name.clone()))
                    .unwrap_or_else(|| code.clone());
                let code = code.clone();
                self.emit_once(id, || {
                    obj([
                        ("type", json!("location")),
                        ("spec_version", json!("2.1")),
                        ("id", json!(id.to_string())),
                        ("created_by_ref", json!(vigil_identity().to_string())),
                        ("created", json!(REFERENCE_TIME)),
                        ("modified", json!(REFERENCE_TIME)),
                        ("name", json!(name)),
                        ("country", json!(code)),
                        ("x_opencti_location_type", json!("Country")),
                        ("extensions", extension()),
                    ])
                })?;
                extra.push(id);
                Some(id)
            }
            None => None,
        };
        if info.kind == EntityType::Country {
            if let Some(id) = country_id {
                return Ok(Some((id, Vec::new())));
            }
        }
        let key = match &entity.kb_id {
            Some(kb) => format!("{kb}|{}", crate::ids::normalize(&entity.name)),
            None => format!(
                "name:{}|{}",
                crate::ids::normalize(&entity.name),
                country.as_deref().unwrap_or("")
            ),
        };
        let id = Id::new(Kind::Location, &key);
        let opencti_type = match info.kind {
            EntityType::City => "City",
            EntityType::Region => "Region",
            EntityType::Country => "Country",
            _ => "Position",
        };
        let name = entity.name.clone();
        let kind = info.kind;
        let country_code = country.clone();
        self.emit_once(id, || {
            let mut o = obj([
                ("type", json!("location")),
                ("spec_version", json!("2.1")),
                ("id", json!(id.to_string())),
                ("created_by_ref", json!(vigil_identity().to_string())),
                ("created", json!(REFERENCE_TIME)),
                ("modified", json!(REFERENCE_TIME)),
                ("name", json!(name)),
                ("x_opencti_location_type", json!(opencti_type)),
                ("extensions", extension()),
            ]);
            if let Some((lat, lon)) = coords {
                o.insert("latitude".into(), json!(lat));
                o.insert("longitude".into(), json!(lon));
            }
            if let Some(c) = country_code {
                o.insert("country".into(), json!(c));
            }
            match kind {
                EntityType::City => {
                    o.insert("city".into(), json!(name));
                }
                EntityType::Region => {
                    o.insert("administrative_area".into(), json!(name));
                }
                _ => {}
            }
            o
        })?;
        if let Some(country_id) = country_id {
            let rel = relationship_id(id, "located-at", country_id);
            self.emit_once(rel, || {
                relationship(
                    rel,
                    id,
                    "located-at",
                    country_id,
                    REFERENCE_TIME,
                    REFERENCE_TIME,
                )
            })?;
            extra.push(rel);
        }
        Ok(Some((id, extra)))
    }

    /// The identity of a person or organisation named as a target or
    /// victim, written once; `None` for anything else.
    fn identity(&mut self, entity: &IncidentEntity) -> Result<Option<Id>, ExportError> {
        let kind = self.options.resolver.kind(entity);
        let (class, sectors): (&str, &[&str]) = match kind {
            Some(EntityType::Person) => ("individual", &[]),
            Some(EntityType::Organization) => ("organization", &[]),
            Some(EntityType::GovernmentBody) => ("organization", &["government-national"]),
            Some(EntityType::MediaOutlet) => ("organization", &["communications"]),
            _ => return Ok(None),
        };
        let key = match &entity.kb_id {
            Some(kb) => kb.clone(),
            None => format!("{class}:{}", crate::ids::normalize(&entity.name)),
        };
        let id = Id::new(Kind::Identity, &key);
        let name = entity.name.clone();
        self.emit_once(id, || {
            let mut o = obj([
                ("type", json!("identity")),
                ("spec_version", json!("2.1")),
                ("id", json!(id.to_string())),
                ("created_by_ref", json!(vigil_identity().to_string())),
                ("created", json!(REFERENCE_TIME)),
                ("modified", json!(REFERENCE_TIME)),
                ("name", json!(name)),
                ("identity_class", json!(class)),
            ]);
            if !sectors.is_empty() {
                o.insert("sectors".into(), json!(sectors));
            }
            o
        })?;
        Ok(Some(id))
    }

    /// The identity of an outlet (a report's author), written once.
    fn outlet(&mut self, name: &str) -> Result<Id, ExportError> {
        let id = Id::new(
            Kind::Identity,
            &format!("outlet:{}", crate::ids::normalize(name)),
        );
        self.emit_once(id, || {
            obj([
                ("type", json!("identity")),
                ("spec_version", json!("2.1")),
                ("id", json!(id.to_string())),
                ("created_by_ref", json!(vigil_identity().to_string())),
                ("created", json!(REFERENCE_TIME)),
                ("modified", json!(REFERENCE_TIME)),
                ("name", json!(name)),
                ("identity_class", json!("organization")),
                ("sectors", json!(["communications"])),
            ])
        })?;
        Ok(id)
    }

    /// Records an armed group's sighting; the threat actor is written at
    /// the end, with its first and last sighting.
    fn actor(&mut self, entity: &IncidentEntity, times: &Times) -> Option<Id> {
        let kb = entity.kb_id.as_deref()?;
        if self.options.resolver.kind(entity) != Some(EntityType::ArmedGroup) {
            return None;
        }
        let id = Id::new(Kind::ThreatActor, kb);
        match self.actor_index.get(&id) {
            Some(&i) => {
                let a = &mut self.actors[i];
                a.first_seen = a.first_seen.min(times.first_seen);
                a.last_seen = a.last_seen.max(times.last_seen);
                a.modified = a.modified.max(times.modified);
            }
            None => {
                self.actor_index.insert(id, self.actors.len());
                self.actors.push(Actor {
                    id,
                    kb_id: kb.to_string(),
                    name: entity.name.clone(),
                    first_seen: times.first_seen,
                    last_seen: times.last_seen,
                    modified: times.modified,
                });
            }
        }
        Some(id)
    }

    /// Files `refs` under every article of the incident, and returns the
    /// articles' report ids.
    fn cite(
        &mut self,
        incident: &Incident,
        times: &Times,
        refs: &[Id],
    ) -> Result<Vec<Id>, ExportError> {
        let mut reports = Vec::new();
        for source in &incident.sources {
            let outlet = match source
                .source
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                Some(name) => Some((self.outlet(name)?, name.to_string())),
                None => None,
            };
            let i = match self.article_index.get(&source.doc_id) {
                Some(&i) => i,
                None => {
                    self.article_index
                        .insert(source.doc_id.clone(), self.articles.len());
                    self.articles.push(Article {
                        doc_id: source.doc_id.clone(),
                        url: None,
                        outlet: None,
                        outlet_name: None,
                        published: None,
                        earliest: times.first_seen,
                        refs: Vec::new(),
                    });
                    self.articles.len() - 1
                }
            };
            let a = &mut self.articles[i];
            if a.url.is_none() {
                a.url = source.url.clone().filter(|u| !u.trim().is_empty());
            }
            if a.outlet.is_none() {
                if let Some((id, name)) = outlet {
                    a.outlet = Some(id);
                    a.outlet_name = Some(name);
                }
            }
            if a.published.is_none() {
                a.published = source.published;
            }
            a.earliest = a.earliest.min(times.first_seen);
            a.refs.extend_from_slice(refs);
            if let Some(outlet) = a.outlet {
                a.refs.push(outlet);
            }
            let report = Id::new(Kind::Report, &source.doc_id);
            if !reports.contains(&report) {
                reports.push(report);
            }
        }
        Ok(reports)
    }
}

/// The times of one incident.
struct Times {
    /// When it happened (the date's start), else when first reported.
    first_seen: DateTime<FixedOffset>,
    /// The date's end, else `first_seen`.
    last_seen: DateTime<FixedOffset>,
    /// `created`: first reported, else when it happened.
    created: DateTime<FixedOffset>,
    /// `modified`: the latest publication, at least `created`.
    modified: DateTime<FixedOffset>,
}

fn reference_time() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-11-29T00:00:00Z").unwrap_or_default()
}

fn midnight(d: NaiveDate) -> DateTime<FixedOffset> {
    Utc.from_utc_datetime(&d.and_time(NaiveTime::MIN))
        .fixed_offset()
}

fn times(incident: &Incident) -> Times {
    let start = incident.date.as_ref().map(|d| midnight(d.start));
    let end = incident.date.as_ref().map(|d| midnight(d.end));
    let first_seen = start.or(incident.first_seen).unwrap_or_else(reference_time);
    let created = incident.first_seen.or(start).unwrap_or_else(reference_time);
    let modified = crate::record::last_published(incident)
        .unwrap_or(created)
        .max(created);
    Times {
        first_seen,
        last_seen: end.unwrap_or(first_seen).max(first_seen),
        created,
        modified,
    }
}

/// A STIX timestamp: UTC, millisecond precision, `Z`.
fn ts(t: DateTime<FixedOffset>) -> String {
    t.with_timezone(&Utc)
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

fn extension() -> Value {
    let mut m = Map::new();
    m.insert(
        extension_id().to_string(),
        json!({"extension_type": "toplevel-property-extension"}),
    );
    Value::Object(m)
}

/// An object from pairs, in order.
fn obj<const N: usize>(pairs: [(&str, Value); N]) -> Map<String, Value> {
    let mut m = Map::new();
    for (k, v) in pairs {
        m.insert(k.to_string(), v);
    }
    m
}

fn relationship_id(source: Id, kind: &str, target: Id) -> Id {
    Id::new(Kind::Relationship, &format!("{source}|{kind}|{target}"))
}

fn relationship(
    id: Id,
    source: Id,
    kind: &str,
    target: Id,
    created: &str,
    modified: &str,
) -> Map<String, Value> {
    obj([
        ("type", json!("relationship")),
        ("spec_version", json!("2.1")),
        ("id", json!(id.to_string())),
        ("created_by_ref", json!(vigil_identity().to_string())),
        ("created", json!(created)),
        ("modified", json!(modified)),
        ("relationship_type", json!(kind)),
        ("source_ref", json!(source.to_string())),
        ("target_ref", json!(target.to_string())),
    ])
}

impl<W: Write> IncidentWriter for StixWriter<W> {
    fn write(&mut self, incident: &Incident) -> Result<(), ExportError> {
        let t = times(incident);
        let created = ts(t.created);
        let modified = ts(t.modified);
        // Everything this incident's articles support.
        let mut refs: Vec<Id> = Vec::new();

        let place = match &incident.location {
            Some(l) => self.location(l)?,
            None => None,
        };
        if let Some((id, extra)) = &place {
            refs.push(*id);
            refs.extend_from_slice(extra);
        }
        let mut actors = Vec::new();
        for p in &incident.perpetrators {
            if let Some(id) = self.actor(p, &t) {
                if !actors.contains(&id) {
                    actors.push(id);
                }
            }
        }
        refs.extend_from_slice(&actors);
        let mut targets = Vec::new();
        for e in incident.targets.iter().chain(&incident.victims) {
            let id = match self.identity(e)? {
                Some(id) => Some(id),
                None if self.options.resolver.kind(e) == Some(EntityType::Site) => {
                    match self.location(e)? {
                        Some((id, extra)) => {
                            refs.extend_from_slice(&extra);
                            Some(id)
                        }
                        None => None,
                    }
                }
                None => None,
            };
            if let Some(id) = id {
                if !targets.contains(&id) {
                    targets.push(id);
                }
            }
        }
        refs.extend_from_slice(&targets);

        let is_note = matches!(incident.kind, EventType::Warning | EventType::Claim);
        let main = Id::new(
            if is_note { Kind::Note } else { Kind::Incident },
            &incident.id,
        );
        refs.push(main);
        let mut relationships = Vec::new();
        if !is_note {
            for a in &actors {
                relationships.push((
                    relationship_id(main, "attributed-to", *a),
                    "attributed-to",
                    *a,
                ));
            }
            for x in &targets {
                relationships.push((relationship_id(main, "targets", *x), "targets", *x));
            }
            if let Some((p, _)) = &place {
                relationships.push((relationship_id(main, "located-at", *p), "located-at", *p));
            }
        }
        refs.extend(relationships.iter().map(|r| r.0));
        let reports = self.cite(incident, &t, &refs)?;

        let labels = json!([incident.kind.as_str(), incident.stage.as_str()]);
        let confidence = incident
            .sources
            .iter()
            .map(|s| s.confidence)
            .fold(0.0f32, f32::max);
        let confidence = (confidence.clamp(0.0, 1.0) * 100.0).round() as u8;
        let mut external: Vec<Value> = Vec::new();
        for s in &incident.sources {
            if let Some(url) = s.url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
                let name = s.source.as_deref().unwrap_or("article");
                let r = json!({"source_name": name, "url": url, "external_id": s.doc_id});
                if !external.contains(&r) {
                    external.push(r);
                }
            }
        }
        external.push(json!({"source_name": "vigil", "external_id": incident.id}));

        let title = crate::summary::title(incident);
        let summary = crate::summary::summary(incident);
        let mut o = obj([
            ("type", json!(main.kind.as_str())),
            ("spec_version", json!("2.1")),
            ("id", json!(main.to_string())),
            ("created_by_ref", json!(vigil_identity().to_string())),
            ("created", json!(created)),
            ("modified", json!(modified)),
        ]);
        if is_note {
            let mut object_refs: Vec<String> = Vec::new();
            for id in place
                .iter()
                .map(|p| &p.0)
                .chain(&actors)
                .chain(&targets)
                .chain(&reports)
            {
                let s = id.to_string();
                if !object_refs.contains(&s) {
                    object_refs.push(s);
                }
            }
            if object_refs.is_empty() {
                // A note must reference something; an incident without
                // sources or place has only its author.
                object_refs.push(vigil_identity().to_string());
            }
            o.insert("abstract".into(), json!(title));
            o.insert("content".into(), json!(summary));
            o.insert("object_refs".into(), json!(object_refs));
        } else {
            o.insert("name".into(), json!(title));
            o.insert("description".into(), json!(summary));
            o.insert("incident_type".into(), json!(incident.kind.as_str()));
            o.insert("first_seen".into(), json!(ts(t.first_seen)));
            o.insert("last_seen".into(), json!(ts(t.last_seen)));
        }
        o.insert("labels".into(), labels);
        o.insert("confidence".into(), json!(confidence));
        o.insert("external_references".into(), json!(external));
        o.insert("x_vigil_incident_id".into(), json!(incident.id));
        o.insert("x_vigil_type".into(), json!(incident.kind.as_str()));
        o.insert("x_vigil_stage".into(), json!(incident.stage.as_str()));
        for (k, v) in [
            ("x_vigil_killed", incident.killed),
            ("x_vigil_injured", incident.injured),
            ("x_vigil_arrested", incident.arrested),
        ] {
            if let Some(v) = v {
                o.insert(k.into(), json!(v));
            }
        }
        // Only when true: a death told without a toll.
        if incident.fatal {
            o.insert("x_vigil_fatal".into(), json!(true));
        }
        // What an arrest, raid or conviction holds people for.
        if let Some(crime) = incident.crime {
            o.insert("x_vigil_crime".into(), json!(crime.as_str()));
        }
        o.insert("extensions".into(), extension());
        self.emit(&o)?;
        for (id, kind, target) in relationships {
            self.emit(&relationship(id, main, kind, target, &created, &modified))?;
        }
        self.count += 1;
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<u64, ExportError> {
        let resolver = self.options.resolver.clone();
        for a in std::mem::take(&mut self.actors) {
            let mut aliases = resolver.aliases(&a.kb_id);
            aliases.retain(|x| x != &a.name);
            aliases.dedup();
            let mut o = obj([
                ("type", json!("threat-actor")),
                ("spec_version", json!("2.1")),
                ("id", json!(a.id.to_string())),
                ("created_by_ref", json!(vigil_identity().to_string())),
                ("created", json!(ts(a.first_seen))),
                ("modified", json!(ts(a.modified.max(a.first_seen)))),
                ("name", json!(a.name)),
                ("threat_actor_types", json!(["terrorist"])),
                ("first_seen", json!(ts(a.first_seen))),
                ("last_seen", json!(ts(a.last_seen))),
                (
                    "external_references",
                    json!([{"source_name": "vigil", "external_id": a.kb_id}]),
                ),
            ]);
            if !aliases.is_empty() {
                o.insert("aliases".into(), json!(aliases));
            }
            self.emit(&o)?;
        }
        for mut a in std::mem::take(&mut self.articles) {
            let report = Id::new(Kind::Report, &a.doc_id);
            let published = ts(a.published.unwrap_or(a.earliest));
            let mut refs: Vec<String> = a.refs.drain(..).map(|id| id.to_string()).collect();
            refs.sort();
            refs.dedup();
            let name = resolver
                .title(&a.doc_id)
                .filter(|t| !t.trim().is_empty())
                .unwrap_or_else(|| match &a.outlet_name {
                    Some(outlet) => format!("{outlet}: {}", a.doc_id),
                    None => a.doc_id.clone(),
                });
            let mut external = Vec::new();
            if let Some(url) = &a.url {
                external.push(json!({
                    "source_name": a.outlet_name.as_deref().unwrap_or("article"),
                    "url": url,
                }));
            }
            external.push(json!({"source_name": "vigil", "external_id": a.doc_id}));
            let author = a.outlet.unwrap_or_else(vigil_identity);
            self.emit(&obj([
                ("type", json!("report")),
                ("spec_version", json!("2.1")),
                ("id", json!(report.to_string())),
                ("created_by_ref", json!(author.to_string())),
                ("created", json!(published)),
                ("modified", json!(published)),
                ("name", json!(name)),
                ("report_types", json!(["threat-report"])),
                ("published", json!(published)),
                ("object_refs", json!(refs)),
                ("external_references", json!(external)),
            ]))?;
        }
        self.out
            .write_all(b"\n]}\n")
            .map_err(ExportError::io(Format::Stix))?;
        self.out.flush().map_err(ExportError::io(Format::Stix))?;
        Ok(self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    fn bundle(incidents: &[Incident]) -> Result<Value, Box<dyn std::error::Error>> {
        let mut out = Vec::new();
        crate::export(Format::Stix, &mut out, Options::default(), incidents)?;
        Ok(serde_json::from_slice(&out)?)
    }

    fn of_type<'a>(b: &'a Value, t: &str) -> Vec<&'a Value> {
        b["objects"]
            .as_array()
            .map(|a| a.iter().filter(|o| o["type"] == t).collect())
            .unwrap_or_default()
    }

    #[test]
    fn an_arrest_says_what_it_holds_people_for() -> Result<(), Box<dyn std::error::Error>> {
        let mut arrest = testing::bare_plot();
        arrest.kind = vigil_core::EventType::Arrest;
        arrest.crime = Some(vigil_core::EventType::Bombing);
        let b = bundle(&[arrest])?;
        let incidents = of_type(&b, "incident");
        assert_eq!(incidents.len(), 1);
        assert_eq!(incidents[0]["x_vigil_crime"], "bombing");
        Ok(())
    }

    #[test]
    fn bombing_becomes_incident_actor_place_and_reports() -> Result<(), Box<dyn std::error::Error>>
    {
        let b = bundle(&[testing::bombing()])?;
        assert_eq!(b["type"], "bundle");
        let incidents = of_type(&b, "incident");
        assert_eq!(incidents.len(), 1);
        let inc = incidents[0];
        assert_eq!(inc["name"], "Bombing in Brussels, 2024-03-10");
        assert_eq!(inc["incident_type"], "bombing");
        assert_eq!(inc["first_seen"], "2024-03-10T00:00:00.000Z");
        assert_eq!(inc["created"], "2024-03-11T07:00:00.000Z");
        assert_eq!(inc["modified"], "2024-03-12T10:30:00.000Z");
        assert_eq!(inc["x_vigil_killed"], 2);
        assert_eq!(inc["x_vigil_fatal"], true);
        assert_eq!(inc["confidence"], 80);
        assert!(inc.get("x_vigil_crime").is_none(), "no arrest: {inc}");

        let actors = of_type(&b, "threat-actor");
        assert_eq!(actors.len(), 1, "only the linked group, not 'gunmen'");
        assert_eq!(actors[0]["name"], "Islamic State Khorasan Province");
        assert_eq!(actors[0]["threat_actor_types"], json!(["terrorist"]));

        let locations = of_type(&b, "location");
        assert_eq!(locations.len(), 2, "Brussels and Belgium: {locations:?}");
        let brussels = locations
            .iter()
            .find(|l| l["name"] == "Brussels")
            .ok_or("Brussels")?;
        assert_eq!(brussels["country"], "BE");
        assert_eq!(brussels["latitude"], 50.8505);
        assert_eq!(brussels["x_opencti_location_type"], "City");

        let identities = of_type(&b, "identity");
        let names: Vec<&str> = identities
            .iter()
            .filter_map(|i| i["name"].as_str())
            .collect();
        assert!(
            names.contains(&"Coordination Unit for Threat Analysis"),
            "{names:?}"
        );
        assert!(
            names.contains(&"Reuters") && names.contains(&"Le Soir"),
            "{names:?}"
        );
        assert!(!names.contains(&"a church"), "{names:?}");

        let rels = of_type(&b, "relationship");
        let kinds: Vec<&str> = rels
            .iter()
            .filter(|r| r["source_ref"] == inc["id"])
            .filter_map(|r| r["relationship_type"].as_str())
            .collect();
        assert_eq!(kinds, ["attributed-to", "targets", "located-at"]);

        let reports = of_type(&b, "report");
        assert_eq!(reports.len(), 2);
        let r = reports[0];
        assert_eq!(r["published"], "2024-03-11T07:00:00.000Z");
        assert_eq!(
            r["external_references"][0]["url"],
            "https://example.org/reuters/1?a=1,b=\"2\""
        );
        let refs = r["object_refs"].as_array().ok_or("refs")?;
        assert!(refs.contains(&inc["id"]));
        assert!(refs.contains(&actors[0]["id"]));
        // Every reference resolves inside the bundle.
        let ids: HashSet<&str> = b["objects"]
            .as_array()
            .ok_or("objects")?
            .iter()
            .filter_map(|o| o["id"].as_str())
            .collect();
        for o in b["objects"].as_array().ok_or("objects")? {
            for key in ["source_ref", "target_ref", "created_by_ref"] {
                if let Some(id) = o[key].as_str() {
                    assert!(ids.contains(id), "{key} {id} dangles");
                }
            }
            for id in o["object_refs"].as_array().into_iter().flatten() {
                assert!(
                    ids.contains(id.as_str().unwrap_or("")),
                    "object_ref {id} dangles"
                );
            }
        }
        Ok(())
    }

    #[test]
    fn warning_becomes_a_note_on_the_threatened_place() -> Result<(), Box<dyn std::error::Error>> {
        let b = bundle(&[testing::warning()])?;
        assert!(of_type(&b, "incident").is_empty());
        let notes = of_type(&b, "note");
        assert_eq!(notes.len(), 1);
        let germany = of_type(&b, "location");
        assert_eq!(germany.len(), 1, "a country is one location: {germany:?}");
        let refs = notes[0]["object_refs"].as_array().ok_or("refs")?;
        assert_eq!(refs[0], germany[0]["id"]);
        assert!(refs
            .iter()
            .any(|r| r.as_str().is_some_and(|r| r.starts_with("report--"))));
        Ok(())
    }

    #[test]
    fn shared_objects_are_written_once_and_ids_are_stable() -> Result<(), Box<dyn std::error::Error>>
    {
        let mut second = testing::bombing();
        second.id = "lesoir-7/V5".into();
        second.date = None;
        let incidents = [testing::bombing(), second, testing::bare_plot()];
        let b = bundle(&incidents)?;
        let ids: Vec<&str> = b["objects"]
            .as_array()
            .ok_or("objects")?
            .iter()
            .filter_map(|o| o["id"].as_str())
            .collect();
        let unique: HashSet<&&str> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "duplicate objects");
        assert_eq!(of_type(&b, "incident").len(), 3);
        let actors = of_type(&b, "threat-actor");
        assert_eq!(actors.len(), 2);
        assert_eq!(actors[0]["first_seen"], "2024-03-10T00:00:00.000Z");
        // The undated second sighting counts from its first report.
        assert_eq!(actors[0]["last_seen"], "2024-03-11T07:00:00.000Z");
        // Same input, same bytes.
        let again = bundle(&incidents)?;
        assert_eq!(b, again);
        Ok(())
    }
}
