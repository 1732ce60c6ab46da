//! Incident merging on hand-built analyses.

use chrono::{DateTime, NaiveDate};
use vigil_core::{
    Analysis, DateValue, Entity, EntityType, Event, EventType, Geo, Mention, Precision, Slot, Stage,
};
use vigil_corpus::{merge_events, merge_events_with, Constraints};

fn entity(id: &str, kind: EntityType, name: &str, kb_id: &str, geo: Option<Geo>) -> Entity {
    Entity {
        id: id.to_string(),
        kind,
        name: name.to_string(),
        aliases: Vec::new(),
        mentions: Vec::new(),
        role: None,
        affiliation: None,
        parent: None,
        geo,
        kb_id: Some(kb_id.to_string()),
    }
}

fn geo(country: &str, geonames_id: u64) -> Option<Geo> {
    Some(Geo {
        lat: 0.0,
        lon: 0.0,
        country: country.to_string(),
        geonames_id: Some(geonames_id),
        admin1: None,
    })
}

fn slot(text: &str, entity: Option<&str>) -> Slot {
    Slot {
        text: text.to_string(),
        entity: entity.map(str::to_string),
        span: None,
    }
}

fn day(y: i32, m: u32, d: u32) -> Option<DateValue> {
    let date = NaiveDate::from_ymd_opt(y, m, d)?;
    Some(DateValue {
        start: date,
        end: date,
        precision: Precision::Day,
        text: "Friday".to_string(),
        span: None,
        relative: true,
    })
}

fn event(id: &str, kind: EventType, date: Option<DateValue>) -> Event {
    Event {
        date,
        ..Event::new(
            id.to_string(),
            kind,
            Stage::Accomplished,
            Mention {
                text: kind.as_str().to_string(),
                start: 0,
                end: 0,
            },
            0.8,
        )
    }
}

/// An analysis of an article about a bombing in `city` (E1) in
/// Afghanistan (E2), by Islamic State Khorasan (E3), at a mosque.
fn bombing(
    outlet: &str,
    published: &str,
    city: (&str, &str, u64),
    date: Option<DateValue>,
    killed: u32,
) -> Analysis {
    let (city_name, city_kb, city_id) = city;
    let mut v = event("V1", EventType::Bombing, date);
    v.location = Some(slot(city_name, Some("E1")));
    v.locations = vec![slot(city_name, Some("E1")), slot("Afghanistan", Some("E2"))];
    v.perpetrators = vec![slot("Islamic State Khorasan", Some("E3"))];
    v.targets = vec![slot("a Shi'ite mosque", None)];
    v.killed = Some(killed);
    Analysis {
        id: format!("{outlet}-1"),
        source: Some(outlet.to_string()),
        published: DateTime::parse_from_rfc3339(published).ok(),
        language: "en".to_string(),
        entities: vec![
            entity(
                "E1",
                EntityType::City,
                city_name,
                city_kb,
                geo("AF", city_id),
            ),
            entity(
                "E2",
                EntityType::Country,
                "Afghanistan",
                "country:AF",
                geo("AF", 1149361),
            ),
            entity(
                "E3",
                EntityType::ArmedGroup,
                "Islamic State Khorasan",
                "group:islamic-state-khorasan",
                None,
            ),
        ],
        events: vec![v],
        ..Analysis::default()
    }
}

const KANDAHAR: (&str, &str, u64) = ("Kandahar", "geonames:1138336", 1138336);
const KABUL: (&str, &str, u64) = ("Kabul", "geonames:1138958", 1138958);

#[test]
fn two_outlets_on_the_same_bombing_merge_with_a_disagreement() {
    let reuters = bombing(
        "Reuters",
        "2021-10-15T16:00:00+00:00",
        KANDAHAR,
        day(2021, 10, 15),
        17,
    );
    let mut bbc = bombing(
        "BBC",
        "2021-10-15T14:30:00+00:00",
        KANDAHAR,
        day(2021, 10, 15),
        18,
    );
    // The BBC says "explosion": a generic attack, and names the group by a
    // different alias (same kb id).
    bbc.events[0].kind = EventType::Attack;
    bbc.entities[2].name = "ISIS-K".to_string();
    let incidents = merge_events(&[("reuters-1", &reuters), ("bbc-3", &bbc)]);
    assert_eq!(incidents.len(), 1, "{incidents:#?}");
    let inc = &incidents[0];
    assert_eq!(inc.id, "reuters-1/V1");
    assert_eq!(inc.kind, EventType::Bombing);
    assert_eq!(inc.stage, Stage::Accomplished);
    assert_eq!(inc.sources.len(), 2);
    assert_eq!(inc.sources[1].doc_id, "bbc-3");
    assert_eq!(
        inc.first_seen,
        DateTime::parse_from_rfc3339("2021-10-15T14:30:00+00:00").ok()
    );
    assert_eq!(
        inc.location.as_ref().and_then(|l| l.kb_id.as_deref()),
        Some("geonames:1138336")
    );
    assert_eq!(inc.perpetrators.len(), 1);
    assert_eq!(inc.targets.len(), 1);
    // Tie between 17 and 18: the larger is reported, both are kept.
    assert_eq!(inc.killed, Some(18));
    assert_eq!(inc.disagreements.len(), 1);
    let d = &inc.disagreements[0];
    assert_eq!(d.field, "killed");
    let values: Vec<(&str, Vec<&str>)> = d
        .values
        .iter()
        .map(|v| {
            (
                v.value.as_str(),
                v.doc_ids.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        values,
        vec![("17", vec!["reuters-1"]), ("18", vec!["bbc-3"])]
    );
    assert_eq!(inc.merge_reasons.len(), 1);
    let why = &inc.merge_reasons[0];
    for part in [
        "bbc-3/V1 joins reuters-1/V1",
        "same type family (violence)",
        "same city Kandahar (geonames:1138336)",
        "dates overlap 2021-10-15",
        "shared actor group:islamic-state-khorasan",
        "shared target/victim a Shi'ite mosque",
    ] {
        assert!(why.contains(part), "{part:?} not in {why:?}");
    }
}

#[test]
fn one_source_telling_of_deaths_makes_the_incident_fatal() {
    // The first report gives no toll and no word of deaths; the second
    // tells of deaths without counting them.
    let mut first = bombing(
        "A",
        "2021-10-15T16:00:00+00:00",
        KANDAHAR,
        day(2021, 10, 15),
        0,
    );
    first.events[0].killed = None;
    let mut second = first.clone();
    second.source = Some("B".to_string());
    let alone = merge_events(&[("a", &first)]);
    assert_eq!(alone.len(), 1);
    assert!(!alone[0].fatal);
    second.events[0].fatal = true;
    let incidents = merge_events(&[("a", &first), ("b", &second)]);
    assert_eq!(incidents.len(), 1, "{incidents:#?}");
    assert_eq!(incidents[0].killed, None);
    assert!(incidents[0].fatal);
    // A toll above zero is a death, whatever the flags say.
    let counted = bombing(
        "C",
        "2021-10-15T16:00:00+00:00",
        KANDAHAR,
        day(2021, 10, 15),
        3,
    );
    assert!(merge_events(&[("c", &counted)])[0].fatal);
}

#[test]
fn an_incident_holds_people_for_what_most_sources_say() {
    let report = |source: &str, crime: Option<EventType>| {
        let mut a = bombing(
            source,
            "2021-10-15T16:00:00+00:00",
            KANDAHAR,
            day(2021, 10, 15),
            0,
        );
        a.events[0].kind = EventType::Arrest;
        a.events[0].killed = None;
        a.events[0].crime = crime;
        a
    };
    let (a, b, c) = (
        report("A", Some(EventType::Attack)),
        report("B", None),
        report("C", Some(EventType::Kidnapping)),
    );
    let d = report("D", Some(EventType::Kidnapping));
    // One source says, one does not: the one that says.
    let incidents = merge_events(&[("a", &a), ("b", &b)]);
    assert_eq!(incidents.len(), 1, "{incidents:#?}");
    assert_eq!(incidents[0].crime, Some(EventType::Attack));
    // Most sources; a tie goes to the first.
    let incidents = merge_events(&[("a", &a), ("c", &c), ("d", &d)]);
    assert_eq!(incidents.len(), 1, "{incidents:#?}");
    assert_eq!(incidents[0].crime, Some(EventType::Kidnapping));
    let incidents = merge_events(&[("a", &a), ("c", &c)]);
    assert_eq!(incidents[0].crime, Some(EventType::Attack));
    assert_eq!(merge_events(&[("b", &b)])[0].crime, None);
}

#[test]
fn a_day_apart_at_day_precision_still_merges() {
    let a = bombing(
        "A",
        "2021-10-15T16:00:00+00:00",
        KANDAHAR,
        day(2021, 10, 15),
        17,
    );
    let b = bombing(
        "B",
        "2021-10-16T08:00:00+00:00",
        KANDAHAR,
        day(2021, 10, 16),
        17,
    );
    let incidents = merge_events(&[("a", &a), ("b", &b)]);
    assert_eq!(incidents.len(), 1);
    assert!(incidents[0].merge_reasons[0].contains("dates a day apart"));
    assert_eq!(incidents[0].disagreements[0].field, "date");
    assert_eq!(incidents[0].killed, Some(17));
    let c = bombing(
        "C",
        "2021-10-18T08:00:00+00:00",
        KANDAHAR,
        day(2021, 10, 18),
        17,
    );
    assert_eq!(merge_events(&[("a", &a), ("c", &c)]).len(), 2);
}

#[test]
fn bombings_in_kandahar_and_kabul_on_the_same_day_do_not_merge() {
    let a = bombing(
        "A",
        "2021-10-15T16:00:00+00:00",
        KANDAHAR,
        day(2021, 10, 15),
        17,
    );
    let b = bombing(
        "B",
        "2021-10-15T16:00:00+00:00",
        KABUL,
        day(2021, 10, 15),
        4,
    );
    let incidents = merge_events(&[("a", &a), ("b", &b)]);
    assert_eq!(incidents.len(), 2);
    assert_eq!(incidents[0].id, "a/V1");
    assert_eq!(incidents[1].id, "b/V1");
    assert!(incidents.iter().all(|i| i.disagreements.is_empty()));
}

#[test]
fn an_arrest_and_a_bombing_never_merge() {
    let a = bombing(
        "A",
        "2021-10-15T16:00:00+00:00",
        KANDAHAR,
        day(2021, 10, 15),
        17,
    );
    let mut b = bombing(
        "B",
        "2021-10-15T16:00:00+00:00",
        KANDAHAR,
        day(2021, 10, 15),
        17,
    );
    b.events[0].kind = EventType::Arrest;
    assert_eq!(merge_events(&[("a", &a), ("b", &b)]).len(), 2);
    // A raid and an arrest are one family.
    let mut c = b.clone();
    c.events[0].kind = EventType::Raid;
    c.events[0].stage = Stage::Foiled;
    let incidents = merge_events(&[("b", &b), ("c", &c)]);
    assert_eq!(incidents.len(), 1);
    assert_eq!(incidents[0].kind, EventType::Arrest);
}

#[test]
fn events_of_one_document_are_not_merged() {
    let mut a = bombing(
        "A",
        "2021-10-15T16:00:00+00:00",
        KANDAHAR,
        day(2021, 10, 15),
        17,
    );
    let mut second = a.events[0].clone();
    second.id = "V2".to_string();
    a.events.push(second);
    assert_eq!(merge_events(&[("a", &a)]).len(), 2);
}

#[test]
fn same_country_and_date_alone_is_not_enough() {
    let mut a = bombing(
        "A",
        "2021-10-15T16:00:00+00:00",
        KANDAHAR,
        day(2021, 10, 15),
        17,
    );
    let mut b = a.clone();
    for x in [&mut a, &mut b] {
        x.events[0].location = Some(slot("Afghanistan", Some("E2")));
        x.events[0].locations = vec![slot("Afghanistan", Some("E2"))];
        x.events[0].perpetrators.clear();
        x.events[0].targets.clear();
    }
    assert_eq!(merge_events(&[("a", &a), ("b", &b)]).len(), 2);
    // …but with a shared perpetrator it is.
    a.events[0].perpetrators = vec![slot("Islamic State Khorasan", Some("E3"))];
    b.events[0].perpetrators = vec![slot("the Islamic State Khorasan", None)];
    b.entities[2].kb_id = None;
    let incidents = merge_events(&[("a", &a), ("b", &b)]);
    assert_eq!(incidents.len(), 1, "{incidents:#?}");
    assert!(incidents[0].merge_reasons[0].contains("same country AF"));
}

#[test]
fn output_is_deterministic_and_serialisable() {
    let a = bombing(
        "A",
        "2021-10-15T16:00:00+00:00",
        KANDAHAR,
        day(2021, 10, 15),
        17,
    );
    let b = bombing(
        "B",
        "2021-10-15T16:00:00+00:00",
        KABUL,
        day(2021, 10, 15),
        4,
    );
    let c = bombing(
        "C",
        "2021-10-15T18:00:00+00:00",
        KANDAHAR,
        day(2021, 10, 15),
        18,
    );
    let input = [("a", &a), ("b", &b), ("c", &c)];
    let first = merge_events(&input);
    assert_eq!(first, merge_events(&input));
    assert_eq!(first.len(), 2);
    assert_eq!(first[0].sources.len(), 2);
    let json = serde_json::to_string(&first).unwrap_or_default();
    assert!(
        json.contains("\"disagreements\":[{\"field\":\"killed\""),
        "{json}"
    );
}

#[test]
fn cities_with_the_same_name_but_different_kb_ids_do_not_merge() {
    let a = bombing(
        "A",
        "2021-10-15T16:00:00+00:00",
        KANDAHAR,
        day(2021, 10, 15),
        17,
    );
    let b = bombing(
        "B",
        "2021-10-15T16:00:00+00:00",
        ("Kandahar", "geonames:9999999", 9999999),
        day(2021, 10, 15),
        17,
    );
    assert_eq!(merge_events(&[("a", &a), ("b", &b)]).len(), 2);
}

#[test]
fn cannot_link_constraints_keep_split_events_apart() {
    let a = bombing(
        "A",
        "2021-10-15T16:00:00+00:00",
        KANDAHAR,
        day(2021, 10, 15),
        17,
    );
    let b = bombing(
        "B",
        "2021-10-15T18:00:00+00:00",
        KANDAHAR,
        day(2021, 10, 15),
        18,
    );
    let c = bombing(
        "C",
        "2021-10-15T19:00:00+00:00",
        KANDAHAR,
        day(2021, 10, 15),
        17,
    );
    let input = [("a", &a), ("b", &b), ("c", &c)];
    let merged = merge_events_with(&input, &Constraints::new());
    assert_eq!(merged, merge_events(&input));
    assert_eq!(merged.len(), 1);
    let event = |doc: &Analysis| doc.events[0].id.clone();
    let mut constraints = Constraints::new();
    // b split off from a: b may not join a's incident, c is free.
    constraints.add(("b", &event(&b)), ("a", &event(&a)));
    assert!(constraints.forbids(("a", &event(&a)), ("b", &event(&b))));
    let split = merge_events_with(&input, &constraints);
    assert_eq!(split.len(), 2);
    let docs =
        |i: usize| -> Vec<String> { split[i].sources.iter().map(|s| s.doc_id.clone()).collect() };
    assert_eq!(docs(0), vec!["a", "c"]);
    assert_eq!(docs(1), vec!["b"]);
    // Constrained against both a and c, b stays alone and c still joins a.
    constraints.add(("c", &event(&c)), ("b", &event(&b)));
    assert_eq!(merge_events_with(&input, &constraints).len(), 2);
}
