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
use std::time::{Duration, Instant};

use vigil_corpus::{DuplicateIndex, Signature};

/// CPU time of this process so far (user + system, from /proc/self/stat;
/// Linux), in seconds: unlike wall time, not inflated when other processes
/// share the cores.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) in parentheses.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

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
    let cpu_started = cpu_seconds();
    let mut last = Instant::now();
    let mut n = 0usize;
    let (mut signing, mut filing) = (Duration::ZERO, Duration::ZERO);
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
            let t0 = Instant::now();
            let Some(signature) = Signature::of(t) else {
                continue;
            };
            let t1 = Instant::now();
            if index
                .insert_signature(&format!("{r}-{i}"), &signature)
                .is_some()
            {
                joined += 1;
            }
            signing += t1 - t0;
            filing += t1.elapsed();
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
    let cpu = cpu_seconds().zip(cpu_started).map(|(b, a)| b - a);
    // Lookups against the full index (the first 10,000 texts again).
    let probe: Vec<&String> = texts.iter().take(10_000).collect();
    let t = Instant::now();
    let cpu_lookup = cpu_seconds();
    let mut found = 0usize;
    for text in &probe {
        if index.find(text).is_some() {
            found += 1;
        }
    }
    let lookup = t.elapsed();
    let cpu_lookup = cpu_seconds().zip(cpu_lookup).map(|(b, a)| b - a);
    println!(
        "{n} documents filed in {:.2} s: {:.1} µs each; {} stories, {joined} joined an earlier story",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / n.max(1) as f64,
        index.len()
    );
    if let Some(cpu) = cpu {
        println!(
            "CPU time: {:.1} µs per document (wall time is inflated when the cores are shared)",
            cpu * 1e6 / n.max(1) as f64
        );
    }
    println!(
        "of which signing {:.1} µs and filing (lookup + insert) {:.1} µs per document",
        signing.as_secs_f64() * 1e6 / n.max(1) as f64,
        filing.as_secs_f64() * 1e6 / n.max(1) as f64
    );
    println!(
        "lookup at {} stories: {:.1} µs each, CPU {} ({found} of {} found)",
        index.len(),
        lookup.as_secs_f64() * 1e6 / probe.len().max(1) as f64,
        cpu_lookup.map_or("?".to_string(), |c| format!(
            "{:.1} µs",
            c * 1e6 / probe.len().max(1) as f64
        )),
        probe.len()
    );
    println!(
        "memory: {:.1} MB, {:.0} bytes per story",
        index.memory_bytes() as f64 / 1e6,
        index.memory_bytes() as f64 / index.len().max(1) as f64
    );
    Ok(())
}
