//! Search latency of a filled store, and agreement between two stores.
//!
//! Builds `QUERIES` queries (default 300) from the store's own incidents
//! (seeded, deterministic): one to three terms among `type:`, `stage:`,
//! `actor:`, `place:`, `source:`, `since:`/`until:` and free words of the
//! snippets; runs each once untimed and once timed through
//! `Store::search` (first page of 20) and prints p50/p99/max overall and
//! per first field, and the slowest queries. With a second SPEC it also
//! runs every query there and counts the queries whose totals differ (a
//! total that is a lower bound, `SearchPage::total_is_lower_bound`, agrees
//! with any total at least as large) and, for queries without free words
//! (whose order does not depend on the backend's text scoring), the pages
//! that differ.
//!
//! `--queries FILE` runs the queries of FILE (one a line) instead.
//!
//! ```sh
//! cargo run --release -p vigil-store --example search_latency -- SPEC [OTHER_SPEC] [QUERIES] [--queries FILE]
//! # SPEC: a data directory or postgres://… filled by `vigil ingest`,
//! # `vigil bench --corpus --data DIR` or the store_rate example
//! ```

use std::collections::BTreeMap;
use std::time::Instant;

use vigil_core::Incident;
use vigil_store::{search, Page, Store};

/// SplitMix64: a small seeded generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn quote(v: &str) -> String {
    let v = v.replace('"', "");
    if v.contains(char::is_whitespace) {
        format!("\"{v}\"")
    } else {
        v
    }
}

/// One term of each kind drawn from an incident.
fn term(kind: usize, incident: &Incident, rng: &mut Rng) -> Option<String> {
    let vocab = |v: &dyn erased::Name| v.name();
    match kind {
        0 => Some(format!("type:{}", vocab(&incident.kind))),
        1 => Some(format!("stage:{}", vocab(&incident.stage))),
        2 => {
            let p = incident
                .perpetrators
                .get(rng.below(incident.perpetrators.len()))?;
            Some(format!("actor:{}", quote(&p.name)))
        }
        3 => {
            let l = incident.location.as_ref()?;
            if rng.below(2) == 0 {
                Some(format!("place:{}", quote(&l.name)))
            } else {
                Some(format!("place:{}", l.geo.as_ref()?.country))
            }
        }
        4 => {
            let s = incident.sources.get(rng.below(incident.sources.len()))?;
            let outlet = s.source.as_ref()?;
            // A part of the outlet's name, as `source:` matches substrings.
            let words: Vec<&str> = outlet.split_whitespace().collect();
            Some(format!("source:{}", quote(words.last()?)))
        }
        5 => {
            let d = incident.date.as_ref()?;
            Some(if rng.below(2) == 0 {
                format!("since:{}", d.start)
            } else {
                format!("until:{}", d.end)
            })
        }
        _ => {
            let name = incident.location.as_ref().map(|l| l.name.clone())?;
            let word = name.split_whitespace().next()?.to_lowercase();
            Some(word.chars().filter(|c| c.is_alphanumeric()).collect())
        }
    }
}

/// Vocabulary names (`vehicle_ramming`) of the core enums.
mod erased {
    pub trait Name {
        fn name(&self) -> String;
    }
    impl<T: serde::Serialize> Name for T {
        fn name(&self) -> String {
            serde_json::to_string(self)
                .unwrap_or_default()
                .trim_matches('"')
                .to_string()
        }
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let file = match args.iter().position(|a| a == "--queries") {
        Some(i) => {
            let path = args.get(i + 1).ok_or("--queries needs a FILE")?.clone();
            args.drain(i..i + 2);
            Some(std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?)
        }
        None => None,
    };
    let spec = args
        .first()
        .ok_or("usage: search_latency SPEC [OTHER_SPEC] [QUERIES] [--queries FILE]")?;
    let other = args.get(1).filter(|a| a.parse::<usize>().is_err());
    let n: usize = args
        .iter()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(300);
    let store = vigil_store::open(spec)?;
    // A sample of incidents to draw terms from (every k-th).
    let total = store.stats()?.incidents as usize;
    let step = (total / 2000).max(1);
    let mut sample = Vec::new();
    let mut i = 0usize;
    store.for_each_incident(&search::Query::default(), &mut |incident| {
        if i.is_multiple_of(step) {
            sample.push(incident);
        }
        i += 1;
        Ok(())
    })?;
    if sample.is_empty() {
        return Err("the store holds no incidents".into());
    }
    let mut rng = Rng(4);
    let mut queries: Vec<(String, String)> = Vec::new();
    for line in file.iter().flat_map(|f| f.lines()) {
        let q = line.trim();
        if q.is_empty() {
            continue;
        }
        let first = match q.split_whitespace().next().unwrap_or("").split_once(':') {
            Some((field, _)) => field.to_string(),
            None => "words".to_string(),
        };
        queries.push((first, q.to_string()));
    }
    while file.is_none() && queries.len() < n {
        let incident = &sample[rng.below(sample.len())];
        let terms = 1 + rng.below(3);
        let mut parts = Vec::new();
        let mut first = None;
        for _ in 0..terms {
            let kind = rng.below(7);
            if let Some(t) = term(kind, incident, &mut rng) {
                first.get_or_insert(t.split(':').next().unwrap_or("").to_string());
                if !t.contains(':') {
                    first = Some("words".to_string());
                }
                parts.push(t);
            }
        }
        if let Some(first) = first {
            queries.push((first, parts.join(" ")));
        }
    }
    let run = |store: &dyn Store,
               q: &str|
     -> Result<(f64, vigil_store::SearchPage), Box<dyn std::error::Error>> {
        let query = search::parse(q).map_err(|e| format!("{q:?}: {e}"))?;
        let t = Instant::now();
        let page = store.search(&query, &Page::first(20))?;
        Ok((t.elapsed().as_secs_f64() * 1000.0, page))
    };
    for (_, q) in &queries {
        run(store.as_ref(), q)?;
    }
    let mut all = Vec::new();
    let mut slowest: Vec<(f64, &str)> = Vec::new();
    let mut by_field: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut hits = 0usize;
    let mut pages = Vec::new();
    for (field, q) in &queries {
        let (ms, page) = run(store.as_ref(), q)?;
        all.push(ms);
        slowest.push((ms, q));
        by_field.entry(field.clone()).or_default().push(ms);
        hits += page.hits.len();
        pages.push(page);
    }
    all.sort_by(f64::total_cmp);
    println!(
        "{}: {total} incidents, {} queries: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, {:.1} hits each",
        store.location(),
        queries.len(),
        percentile(&all, 50.0),
        percentile(&all, 99.0),
        all.last().copied().unwrap_or(0.0),
        hits as f64 / queries.len() as f64
    );
    for (field, mut t) in by_field {
        t.sort_by(f64::total_cmp);
        println!(
            "  first term {field:>6}: {:>3} queries, p50 {:.2} ms, p99 {:.2} ms",
            t.len(),
            percentile(&t, 50.0),
            percentile(&t, 99.0)
        );
    }
    slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (ms, q) in slowest.iter().take(5) {
        println!("  slow: {ms:.2} ms {q}");
    }
    let bounded = pages.iter().filter(|p| p.total_is_lower_bound).count();
    println!(
        "  {bounded} of {} totals are lower bounds (counting stopped)",
        queries.len()
    );
    if let Some(other) = other {
        let other = vigil_store::open(other)?;
        let (mut totals, mut orders, mut compared) = (0, 0, 0);
        for ((_, q), mine) in queries.iter().zip(&pages) {
            let (_, theirs) = run(other.as_ref(), q)?;
            // A lower bound agrees with any total at least as large.
            let agree = match (mine.total_is_lower_bound, theirs.total_is_lower_bound) {
                (false, false) => mine.total == theirs.total,
                (true, false) => theirs.total >= mine.total,
                (false, true) => mine.total >= theirs.total,
                (true, true) => true,
            };
            if !agree {
                totals += 1;
                let show = |p: &vigil_store::SearchPage| {
                    format!(
                        "{}{}",
                        p.total,
                        if p.total_is_lower_bound { "+" } else { "" }
                    )
                };
                println!(
                    "  total differs: {q:?}: {} vs {}",
                    show(mine),
                    show(&theirs)
                );
                continue;
            }
            if search::parse(q)?.words.is_empty() {
                compared += 1;
                let a: Vec<&str> = mine.hits.iter().map(|h| h.id.as_str()).collect();
                let b: Vec<&str> = theirs.hits.iter().map(|h| h.id.as_str()).collect();
                if a != b {
                    orders += 1;
                    println!("  page differs: {q:?}");
                }
            }
        }
        println!(
            "against {}: {totals} of {} totals differ; {orders} of {compared} first pages (queries without free words) differ",
            other.location(),
            queries.len()
        );
    }
    Ok(())
}
