//! `vigil bench`: throughput of the analysis pipeline.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use rayon::prelude::*;
use serde::Serialize;
use vigil_core::{Document, Origin};
use vigil_extract::Pipeline;

/// Measure the analysis pipeline: start-up time, documents/s, MB/s and peak
/// memory, using all cores.
///
/// The corpus is read from PATH (any input `vigil analyze` accepts; MUC-4
/// files in GRIT format — `docid`/`doctext` — are understood too) and
/// repeated until it has at least --docs documents. Without PATH it uses
/// ../shared/data/muc4/train.jsonl and dev.jsonl when present, else the
/// example articles in tests/articles/.
///
/// Example: vigil bench --docs 20000 --json
#[derive(clap::Args)]
pub struct Args {
    /// Corpus files or directories.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Minimum number of documents to analyse (the corpus is repeated).
    #[arg(long, default_value_t = 10_000)]
    docs: usize,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Print the figures as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Report {
    corpus_docs: usize,
    docs: usize,
    megabytes: f64,
    threads: usize,
    startup_ms: f64,
    seconds: f64,
    docs_per_second: f64,
    docs_per_second_per_core: f64,
    megabytes_per_second: f64,
    events: usize,
    entities: usize,
    peak_rss_mb: Option<f64>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("starting worker threads")?;
    let corpus = load_corpus(&args.paths)?;
    anyhow::ensure!(
        !corpus.is_empty(),
        "the corpus is empty: give a file or directory of articles"
    );
    let started = Instant::now();
    let pipeline = Pipeline::new().context("loading vigil's gazetteers")?;
    let startup = started.elapsed();
    let repeats = args.docs.div_ceil(corpus.len()).max(1);
    let docs: Vec<&Document> = (0..repeats).flat_map(|_| corpus.iter()).collect();
    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    let started = Instant::now();
    let (events, entities) = pool.install(|| {
        docs.par_iter()
            .map(|d| {
                let a = pipeline.analyze(d);
                (a.events.len(), a.entities.len())
            })
            .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
    });
    let secs = started.elapsed().as_secs_f64().max(1e-9);
    let report = Report {
        corpus_docs: corpus.len(),
        docs: docs.len(),
        megabytes: bytes as f64 / 1e6,
        threads,
        startup_ms: startup.as_secs_f64() * 1000.0,
        seconds: secs,
        docs_per_second: docs.len() as f64 / secs,
        docs_per_second_per_core: docs.len() as f64 / secs / threads as f64,
        megabytes_per_second: bytes as f64 / 1e6 / secs,
        events,
        entities,
        peak_rss_mb: peak_rss_mb(),
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "corpus:      {} documents, repeated to {} ({:.1} MB)",
            report.corpus_docs, report.docs, report.megabytes
        );
        println!(
            "start-up:    {:.0} ms (gazetteers and lexicons loaded)",
            report.startup_ms
        );
        println!(
            "throughput:  {:.0} docs/s, {:.0} docs/s per core, {:.2} MB/s on {} thread(s)",
            report.docs_per_second,
            report.docs_per_second_per_core,
            report.megabytes_per_second,
            threads
        );
        println!(
            "extracted:   {} entities, {} events",
            report.entities, report.events
        );
        if let Some(mb) = report.peak_rss_mb {
            println!("peak memory: {mb:.0} MB resident");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads the corpus; MUC-4 GRIT records (`docid`, `doctext`) are accepted
/// besides everything `vigil analyze` reads.
fn load_corpus(paths: &[PathBuf]) -> anyhow::Result<Vec<Document>> {
    let mut paths = paths.to_vec();
    if paths.is_empty() {
        let shared = PathBuf::from("../shared/data/muc4");
        if shared.join("train.jsonl").is_file() {
            paths.push(shared.join("train.jsonl"));
            paths.push(shared.join("dev.jsonl"));
        } else {
            // The repository's example articles (not their expectation files).
            let dir = PathBuf::from("tests/articles");
            let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
                .with_context(|| {
                    format!(
                        "reading {}: run from the repository root or give a corpus",
                        dir.display()
                    )
                })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.extension()
                        .is_some_and(|x| x == "txt" || x == "html" || x == "jsonl")
                })
                .collect();
            found.sort();
            paths.extend(found);
        }
    }
    let mut docs = Vec::new();
    for path in &paths {
        if path.extension().is_some_and(|e| e == "jsonl") {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            if text.contains("\"doctext\"") {
                for (i, line) in text.lines().enumerate() {
                    let v: serde_json::Value = match serde_json::from_str(line) {
                        Ok(v) => v,
                        Err(e) => {
                            eprintln!(
                                "vigil: {}:{}: not JSON ({e}); skipped",
                                path.display(),
                                i + 1
                            );
                            continue;
                        }
                    };
                    if let Some(body) = v.get("doctext").and_then(|t| t.as_str()) {
                        docs.push(Document {
                            id: v
                                .get("docid")
                                .and_then(|d| d.as_str())
                                .unwrap_or_default()
                                .to_string(),
                            text: body.to_string(),
                            origin: Origin {
                                path: path.display().to_string(),
                                line: Some(i + 1),
                            },
                            ..Document::default()
                        });
                    }
                }
                continue;
            }
        }
        vigil_ingest::read_source(path, &mut |item| match item {
            Ok(doc) => docs.push(doc),
            Err(e) => eprintln!("vigil: {e}"),
        });
    }
    Ok(docs)
}

/// Peak resident memory of this process (Linux), in MB.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}
