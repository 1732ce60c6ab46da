//! Store-level write and read rates of a backend, extraction left out:
//! synthetic analysed articles (one event, a city, an armed group and a
//! person each; every text distinct) stored in batches of 64, nine tenths
//! in a first run and the last tenth in a second, each followed by
//! `merge_incidents` (the second merge is incremental and timed), then a
//! full `recompute_incidents` and a few searches timed.
//!
//! ```sh
//! cargo run --release -p vigil-store --example store_rate -- SPEC [N]
//! # SPEC: a fresh data directory, or postgres://… (an empty database)
//! ```

use std::time::Instant;

use vigil_core::{
    Analysis, DateValue, Document, Entity, EntityType, Event, EventType, Geo, Mention, Precision,
    Slot, Span, Stage,
};
use vigil_store::{search, Page};

const CITIES: &[(&str, &str, u64)] = &[
    ("Kabul", "AF", 1138958),
    ("Kandahar", "AF", 1138336),
    ("Mosul", "IQ", 99072),
    ("Maiduguri", "NG", 2331447),
    ("Mogadishu", "SO", 53654),
    ("Berlin", "DE", 2950159),
];
const GROUPS: &[&str] = &["Islamic State", "al-Shabaab", "Boko Haram", "Taliban"];

fn entity(id: &str, kind: EntityType, name: &str) -> Entity {
    Entity {
        id: id.to_string(),
        kind,
        name: name.to_string(),
        aliases: Vec::new(),
        mentions: Vec::new(),
        role: None,
        affiliation: None,
        parent: None,
        geo: None,
        kb_id: None,
    }
}

fn article(i: usize) -> (Document, Analysis) {
    let (city, cc, gid) = CITIES[i % CITIES.len()];
    let group = GROUPS[(i / 7) % GROUPS.len()];
    let day = chrono::NaiveDate::from_ymd_opt(2023, 1, 1)
        .and_then(|d| d.checked_add_days(chrono::Days::new((i % 700) as u64)))
        .unwrap_or_default();
    let text = format!(
        "Report {i}: a bomb exploded near a market in {city} on {day}, killing {} people. \
         Officials blamed {group}; witness number {} told reporters the blast shook \
         buildings {} streets away while police sealed off the district.",
        i % 13,
        i * 7919 % 100_003,
        i % 5 + 1
    );
    let mut place = entity("E1", EntityType::City, city);
    place.geo = Some(Geo {
        lat: 0.0,
        lon: 0.0,
        country: cc.to_string(),
        geonames_id: Some(gid),
        admin1: None,
    });
    place.kb_id = Some(format!("geonames:{gid}"));
    let actor = entity("E2", EntityType::ArmedGroup, group);
    let person = entity("E3", EntityType::Person, &format!("Witness {}", i % 5000));
    let slot = |e: &Entity| Slot {
        text: e.name.clone(),
        entity: Some(e.id.clone()),
        span: None,
    };
    let event = Event {
        date: Some(DateValue {
            start: day,
            end: day,
            precision: Precision::Day,
            text: day.to_string(),
            span: None,
            relative: false,
        }),
        location: Some(slot(&place)),
        locations: vec![slot(&place)],
        perpetrators: vec![slot(&actor)],
        killed: Some((i % 13) as u32),
        evidence: vec![Span::new(0, text.len())],
        ..Event::new(
            "V1".to_string(),
            EventType::Bombing,
            Stage::Accomplished,
            Mention {
                text: "bomb".to_string(),
                start: 0,
                end: 0,
            },
            0.8,
        )
    };
    let doc = Document {
        id: format!("doc-{i}"),
        source: Some(["Reuters", "AFP", "BBC", "AP"][i % 4].to_string()),
        url: Some(format!("https://news.example/{i}")),
        text: text.clone(),
        ..Document::default()
    };
    let analysis = Analysis {
        id: doc.id.clone(),
        text,
        source: doc.source.clone(),
        events: vec![event],
        entities: vec![place, actor, person],
        ..Analysis::default()
    };
    (doc, analysis)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let spec = args
        .next()
        .ok_or("usage: store_rate SPEC [N]  (SPEC: a new data directory or postgres://…)")?;
    let n: usize = args
        .next()
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(10_000);
    let mut store = vigil_store::open(&spec)?;
    let docs: Vec<(Document, Analysis)> = (0..n).map(article).collect();
    let bytes: usize = docs.iter().map(|(d, _)| d.text.len()).sum();
    // Nine tenths in a first run, merged; the last tenth in a second run,
    // merged incrementally; then a full recompute for comparison.
    let first = n - n / 10;
    let start = Instant::now();
    for batch in docs[..first].chunks(64) {
        store.insert_batch(batch)?;
    }
    let mut insert = start.elapsed().as_secs_f64();
    store.merge_incidents()?;
    let start = Instant::now();
    for batch in docs[first..].chunks(64) {
        store.insert_batch(batch)?;
    }
    insert += start.elapsed().as_secs_f64();
    let start = Instant::now();
    let update = store.merge_incidents()?;
    let merge = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let incidents = store.recompute_incidents()?;
    let recompute = start.elapsed().as_secs_f64();
    let mut lat = Vec::new();
    for q in [
        "bomb market",
        "type:bombing place:kabul",
        "actor:\"boko haram\" since:2024-01-01",
        "witness blast",
    ] {
        let query = search::parse(q)?;
        for _ in 0..5 {
            let t = Instant::now();
            store.search(&query, &Page::first(20))?;
            lat.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    lat.sort_by(f64::total_cmp);
    let stats = store.stats()?;
    println!(
        "{}: {n} articles ({:.1} MB text) stored in {insert:.1} s = {:.0} articles/s; \
         last {} merged into the incidents in {merge:.2} s ({} created, {} updated); \
         {incidents} incidents recomputed in {recompute:.1} s; search median {:.1} ms, max {:.1} ms; \
         store {:.1} MB ({:.2}x the text)",
        store.location(),
        bytes as f64 / 1e6,
        n as f64 / insert,
        update.documents,
        update.created,
        update.updated,
        lat[lat.len() / 2],
        lat[lat.len() - 1],
        stats.size_bytes as f64 / 1e6,
        stats.size_bytes as f64 / bytes as f64
    );
    Ok(())
}
