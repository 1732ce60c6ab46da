//! `vigil bench`: throughput of the analysis pipeline; with `--corpus`,
//! the store at scale (see [`super::bench_corpus`]).

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
/// With --corpus it measures the store instead: it synthesizes --docs
/// articles (default 100,000) from the same texts, varying dates, places
/// (gazetteer cities) and wording, plus a labelled set of near-duplicates
/// (--pairs republished copies and as many hard negatives), ingests them
/// end to end into a fresh embedded store (--data, default a temporary
/// directory) and reports ingest throughput, store size against the raw
/// text, search latency (p50/p99 over --queries queries) and near-duplicate
/// precision/recall. --write-corpus FILE only writes the synthesized
/// articles as JSON Lines (input for `vigil ingest`).
///
/// Examples:
///
///   vigil bench --docs 20000 --json
///
///   vigil bench --corpus --docs 100000 --threads 2
///
///   vigil bench --corpus --docs 500 --write-corpus corpus.jsonl
///
/// With --http URL it loads a running `vigil serve` instead (latency
/// percentiles and requests/s per endpoint, see docs/api.md "Load"):
///
///   vigil bench --http http://127.0.0.1:8080 --connections 50 --duration 30s
#[derive(clap::Args)]
pub struct Args {
    /// Corpus files or directories.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Minimum number of documents to analyse (the corpus is repeated);
    /// with --corpus, the number of articles to synthesize (default 100,000).
    #[arg(long)]
    docs: Option<usize>,
    /// Benchmark the store on a synthesized corpus (see above).
    #[arg(long)]
    corpus: bool,
    /// With --corpus: originals given a republished copy and a hard negative.
    #[arg(long, default_value_t = 500, requires = "corpus")]
    pairs: usize,
    /// With --corpus: search queries timed.
    #[arg(long, default_value_t = 300, requires = "corpus")]
    queries: usize,
    /// With --corpus: seed of the synthesizer.
    #[arg(long, default_value_t = 4, requires = "corpus")]
    seed: u64,
    /// With --corpus: the data directory to fill (must not hold a store;
    /// default: a temporary directory, removed afterwards).
    #[arg(long, value_name = "DIR", requires = "corpus")]
    data: Option<PathBuf>,
    /// With --corpus: ingest into this PostgreSQL database instead of an
    /// embedded store (`postgres://…`; it must hold no documents).
    #[arg(long, value_name = "URL", requires = "corpus")]
    store: Option<String>,
    /// With --corpus: write the synthesized articles (JSON Lines) to FILE and stop.
    #[arg(long, value_name = "FILE", requires = "corpus")]
    write_corpus: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Print the figures as JSON.
    #[arg(long)]
    json: bool,
    /// HTTP load of a running server (`--http URL`; see bench_http.rs).
    #[command(flatten)]
    http: super::bench_http::HttpArgs,
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
    if let Some(url) = &args.http.http {
        return super::bench_http::run(url, &args.http, args.json);
    }
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if args.corpus {
        return run_corpus(&args, threads);
    }
    let min_docs = args.docs.unwrap_or(10_000);
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
    let repeats = min_docs.div_ceil(corpus.len()).max(1);
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

/// `vigil bench --corpus`.
fn run_corpus(args: &Args, threads: usize) -> anyhow::Result<ExitCode> {
    use super::bench_corpus as bc;
    let muc4 = if args.paths.is_empty() {
        let shared = PathBuf::from("../shared/data/muc4");
        vec![shared.join("train.jsonl"), shared.join("dev.jsonl")]
    } else {
        args.paths.clone()
    };
    let opts = bc::Options {
        docs: args.docs.unwrap_or(100_000),
        pairs: args.pairs,
        queries: args.queries,
        threads,
        seed: args.seed,
        data: args.data.clone(),
        store: args.store.clone(),
        muc4,
        articles: PathBuf::from("tests/articles"),
    };
    if let Some(out) = &args.write_corpus {
        let mut synth = bc::Synth::load(&opts.muc4, &opts.articles, opts.seed)?;
        let corpus = bc::synthesize(&mut synth, opts.docs, opts.pairs);
        let raw = bc::write_jsonl(out, &corpus.articles)?;
        eprintln!(
            "vigil bench: wrote {} articles ({:.1} MB of text) to {}",
            corpus.articles.len(),
            raw as f64 / 1e6,
            out.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let r = bc::run(&opts)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<(&str, String)> = vec![
        ("articles", format!("{} ({:.1} MB of text)", r.articles, r.raw_text_mb)),
        ("store", r.backend.clone()),
        ("threads", r.threads.to_string()),
        (
            "ingest, end to end",
            format!(
                "{:.0} articles/s ({:.1} s; {:.0} articles/s before incidents)",
                r.articles_per_second, r.ingest_seconds, r.articles_per_second_without_incidents
            ),
        ),
        ("  of which store writes", format!("{:.1} s", r.store_seconds)),
        ("  of which incidents + index", format!("{:.1} s", r.incidents_seconds)),
        (
            "stored",
            format!(
                "{} new ({} near-duplicates), {} duplicates; {} events, {} incidents",
                r.ingested, r.near_duplicates, r.duplicates, r.events, r.incidents
            ),
        ),
        (
            "store size",
            format!(
                "{:.1} MB (SQLite {:.1} MB, index {:.1} MB)",
                r.store_mb, r.sqlite_mb, r.index_mb
            ),
        ),
        (
            "per 1,000 articles",
            format!(
                "{:.0} KB stored vs {:.0} KB raw text: {:.2}x",
                r.store_kb_per_1000_articles, r.raw_kb_per_1000_articles, r.store_to_raw
            ),
        ),
        (
            "search latency",
            format!(
                "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} queries, {:.1} hits each)",
                r.search_p50_ms, r.search_p99_ms, r.search_max_ms, r.queries, r.mean_hits
            ),
        ),
        (
            "near-duplicates",
            format!(
                "precision {:.3}, recall {:.3} ({} copies + {} hard negatives; TP {}, FP {}, FN {})",
                r.dedup_precision,
                r.dedup_recall,
                r.dedup_pairs,
                r.dedup_pairs,
                r.dedup_true_positives,
                r.dedup_false_positives,
                r.dedup_false_negatives
            ),
        ),
        (
            "  recall by edit",
            format!(
                "dateline only {:.3}, 1-3 words swapped {:.3}, a sentence dropped/added {:.3}",
                r.dedup_recall_boilerplate, r.dedup_recall_words, r.dedup_recall_sentence
            ),
        ),
    ];
    for (name, value) in rows {
        println!("{name:<30} {value}");
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
