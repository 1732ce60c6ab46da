//! Measures the near-duplicate index on a JSON Lines corpus (records with a
//! `"text"` field, as `vigil bench --corpus --write-corpus FILE` writes):
//! the time per document of signing and filing, the time per lookup once
//! every document is filed, stories found and memory per story.
//!
//! ```sh
//! vigil bench --corpus --docs 100000 --write-corpus /tmp/corpus.jsonl
//! cargo run --release -p vigil-corpus --example dedup_rate -- /tmp/corpus.jsonl [REPEAT]
//! ```
//!
//! `REPEAT` (default 1) files the corpus that many times, each copy's
//! words prefixed so that copies are distinct stories (to reach 1,000,000
//! stories from a smaller file).

use std::io::BufRead;
use std::time::Instant;

use vigil_corpus::DuplicateIndex;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: dedup_rate CORPUS.jsonl [REPEAT]")?;
    let repeat: usize = args.next().map(|r| r.parse()).transpose()?.unwrap_or(1);
    let file = std::fs::File::open(&path).map_err(|e| format!("{path}: {e}"))?;
    let mut texts = Vec::new();
    for line in std::io::BufReader::new(file).lines() {
        let v: serde_json::Value = serde_json::from_str(&line?)?;
        if let Some(t) = v.get("text").and_then(|t| t.as_str()) {
            texts.push(t.to_string());
        }
    }
    let mut index = DuplicateIndex::new();
    let mut joined = 0usize;
    let started = Instant::now();
    let mut last = Instant::now();
    let mut n = 0usize;
    for r in 0..repeat {
        for (i, t) in texts.iter().enumerate() {
            let text;
            let t = if r == 0 {
                t.as_str()
            } else {
                // Each word prefixed: another set of shingles.
                text = t
                    .split_whitespace()
                    .map(|w| format!("r{r}{w}"))
                    .collect::<Vec<_>>()
                    .join(" ");
                text.as_str()
            };
            if index.insert(&format!("{r}-{i}"), t).is_some() {
                joined += 1;
            }
            n += 1;
            if n.is_multiple_of(100_000) {
                eprintln!(
                    "{n} documents, {:.1} µs each over the last 100,000",
                    last.elapsed().as_secs_f64() * 10.0
                );
                last = Instant::now();
            }
        }
    }
    let elapsed = started.elapsed();
    // Lookups against the full index (the first 10,000 texts again).
    let probe: Vec<&String> = texts.iter().take(10_000).collect();
    let t = Instant::now();
    let mut found = 0usize;
    for text in &probe {
        if index.find(text).is_some() {
            found += 1;
        }
    }
    let lookup = t.elapsed();
    println!(
        "{n} documents filed in {:.2} s: {:.1} µs each; {} stories, {joined} joined an earlier story",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / n.max(1) as f64,
        index.len()
    );
    println!(
        "lookup at {} stories: {:.1} µs each ({found} of {} found)",
        index.len(),
        lookup.as_secs_f64() * 1e6 / probe.len().max(1) as f64,
        probe.len()
    );
    println!(
        "memory: {:.1} MB, {:.0} bytes per story",
        index.memory_bytes() as f64 / 1e6,
        index.memory_bytes() as f64 / index.len().max(1) as f64
    );
    Ok(())
}
