//! Times the incident merge alone on a dump of analysed documents.
//!
//! ```sh
//! cargo run --release -p vigil-corpus --example merge_speed -- DUMP.jsonl [OUT.jsonl]
//! ```
//!
//! `DUMP.jsonl` holds one `{"id": ..., "analysis": {...}}` per line, in
//! ingest order (e.g. exported from a store the corpus benchmark filled).
//! Prints the number of events and incidents and the merge time; with
//! `OUT.jsonl`, writes the incidents (one JSON object a line) so that two
//! builds can be compared byte for byte.

use std::io::{BufRead, BufWriter, Write};
use std::time::Instant;

use serde::Deserialize;
use vigil_core::Analysis;
use vigil_corpus::{Constraints, Merger};

#[derive(Deserialize)]
struct Line {
    id: String,
    analysis: Analysis,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let Some(dump) = args.next() else {
        return Err("usage: merge_speed DUMP.jsonl [OUT.jsonl]".into());
    };
    let out = args.next();
    let file = std::io::BufReader::new(std::fs::File::open(&dump)?);
    let mut docs: Vec<Line> = Vec::new();
    for (n, line) in file.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        docs.push(serde_json::from_str(&line).map_err(|e| format!("{dump}:{}: {e}", n + 1))?);
    }
    let events: usize = docs.iter().map(|d| d.analysis.events.len()).sum();
    let constraints = Constraints::new();
    let started = Instant::now();
    let mut merger = Merger::new(&constraints);
    for d in &docs {
        merger.add(&d.id, &d.analysis);
    }
    let added = started.elapsed().as_secs_f64();
    let merged = merger.finish();
    let total = started.elapsed().as_secs_f64();
    println!(
        "{} documents, {events} events -> {} incidents: merge {added:.3} s, with building {total:.3} s",
        docs.len(),
        merged.len()
    );
    if let Some(out) = out {
        let mut w = BufWriter::new(std::fs::File::create(&out)?);
        for m in &merged {
            serde_json::to_writer(&mut w, &m.incident)?;
            writeln!(w, "\t{:?}\t{:?}", m.family, m.country)?;
        }
        w.flush()?;
    }
    Ok(())
}
