//! Throughput of the rule pipeline on one core, stage by stage, and a dump
//! of its output for before/after comparisons.
//!
//! ```text
//! cargo bench -p vigil-extract --bench pipeline -- \
//!     --muc4 ../shared/data/muc4/train.jsonl --jsonl corpus.jsonl [--rounds 3] [--dump out.jsonl]
//! ```
//!
//! `--muc4 FILE` reads GRIT JSON Lines (`docid`, `doctext`), as `vigil muc4`
//! does; `--jsonl FILE` reads documents as `vigil analyze` reads JSON Lines
//! (e.g. written by `vigil bench --corpus --docs 500 --write-corpus FILE`).
//! `--raw DIR` gives the MUC-4 documents their datelines' dates. Each round
//! analyses every document once on this thread; the best round is
//! reported (the machine may be shared), in documents per second, with the
//! share of each stage measured on a separate pass. `--dump FILE` writes
//! every analysis as one JSON line (diff two dumps to check that a change
//! keeps the output byte for byte).
//!
//! Timings are printed, never asserted.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use vigil_core::Document;
use vigil_extract::context::Ctx;
use vigil_extract::muc4::slots::{self, Dateline};
use vigil_extract::{dates, entities, events, muc4, quotes, Pipeline};

struct Args {
    muc4: Vec<PathBuf>,
    jsonl: Vec<PathBuf>,
    raw: Option<PathBuf>,
    rounds: usize,
    dump: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        muc4: Vec::new(),
        jsonl: Vec::new(),
        raw: None,
        rounds: 3,
        dump: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--muc4" => args.muc4.push(value()?.into()),
            "--jsonl" => args.jsonl.push(value()?.into()),
            "--raw" => args.raw = Some(value()?.into()),
            "--dump" => args.dump = Some(value()?.into()),
            "--rounds" => args.rounds = value()?.parse().map_err(|e| format!("--rounds: {e}"))?,
            // Passed by `cargo bench`.
            "--bench" => {}
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if args.muc4.is_empty() && args.jsonl.is_empty() {
        return Err("give --muc4 FILE and/or --jsonl FILE".into());
    }
    Ok(args)
}

fn load(args: &Args) -> Result<Vec<Document>, String> {
    let datelines: HashMap<String, Dateline> = match &args.raw {
        Some(dir) => slots::read_datelines(dir).map_err(|e| format!("{}: {e}", dir.display()))?,
        None => HashMap::new(),
    };
    let mut docs = Vec::new();
    for path in &args.muc4 {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let gold = muc4::read_jsonl(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        docs.extend(
            gold.iter()
                .map(|d| slots::document(&d.docid, &d.doctext, datelines.get(&d.docid))),
        );
    }
    for path in &args.jsonl {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let bad = |e: String| format!("{}:{}: {e}", path.display(), i + 1);
            let v: serde_json::Value =
                serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
            let field = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
            let published = match field("published") {
                Some(p) => {
                    Some(chrono::DateTime::parse_from_rfc3339(&p).map_err(|e| bad(e.to_string()))?)
                }
                None => None,
            };
            docs.push(Document {
                id: field("id").unwrap_or_else(|| format!("line-{}", i + 1)),
                title: field("title"),
                source: field("source"),
                url: field("url"),
                author: field("author"),
                published,
                text: field("text").ok_or_else(|| bad("no `text`".into()))?,
                ..Document::default()
            });
        }
    }
    Ok(docs)
}

/// Time spent in each stage over all documents (the stages as
/// `Pipeline::analyze_with` runs them, without its glue).
fn stages(docs: &[Document], pipeline: &Pipeline) -> Vec<(&'static str, Duration)> {
    let res = pipeline.resources();
    let mut t = [Duration::ZERO; 7];
    for doc in docs {
        let mut lap = Instant::now();
        let mut tick = |i: usize| {
            let now = Instant::now();
            t[i] += now - lap;
            lap = now;
        };
        let options = vigil_text::CleanOptions {
            title: doc.title.as_deref(),
            ..vigil_text::CleanOptions::default()
        };
        let cleaned = vigil_text::clean(&doc.text, &options);
        tick(0);
        let ctx = Ctx::new(&cleaned.text);
        tick(1);
        let ents = entities::extract(&ctx, res);
        tick(2);
        let found = dates::find_dates(&cleaned.text, None);
        tick(3);
        let qs = quotes::quotes(&ctx, &ents);
        let cites = quotes::citations(&ctx, &ents, None);
        tick(4);
        let evs = events::extract(&ctx, res, &ents, &found, &qs);
        tick(5);
        let lang = vigil_text::detect_language(&cleaned.text);
        tick(6);
        std::hint::black_box((evs, cites, lang));
    }
    [
        "clean", "context", "entities", "dates", "quotes", "events", "language",
    ]
    .into_iter()
    .zip(t)
    .collect()
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let docs = load(&args)?;
    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    let started = Instant::now();
    let pipeline = Pipeline::new().map_err(|e| e.to_string())?;
    println!(
        "pipeline: {} documents ({:.1} MB), start-up {:.0} ms",
        docs.len(),
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64() * 1e3
    );
    if let Some(path) = &args.dump {
        let file = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut out = std::io::BufWriter::new(file);
        for doc in &docs {
            let json = serde_json::to_string(&pipeline.analyze(doc)).map_err(|e| e.to_string())?;
            writeln!(out, "{json}").map_err(|e| format!("{}: {e}", path.display()))?;
        }
        out.flush()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        println!("wrote {}", path.display());
    }
    let mut best = f64::INFINITY;
    for round in 0..args.rounds {
        let t = Instant::now();
        for doc in &docs {
            std::hint::black_box(pipeline.analyze(doc));
        }
        let secs = t.elapsed().as_secs_f64();
        println!(
            "round {}: {:.3} s, {:.0} docs/s",
            round + 1,
            secs,
            docs.len() as f64 / secs
        );
        best = best.min(secs);
    }
    println!(
        "best: {:.0} docs/s on one core ({:.3} ms/doc)",
        docs.len() as f64 / best,
        best * 1e3 / docs.len() as f64
    );
    let st = stages(&docs, &pipeline);
    let total: f64 = st.iter().map(|(_, d)| d.as_secs_f64()).sum();
    for (name, d) in st {
        println!(
            "  {name:<9} {:>7.3} ms/doc {:>5.1} %",
            d.as_secs_f64() * 1e3 / docs.len() as f64,
            100.0 * d.as_secs_f64() / total
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pipeline bench: {e}");
            ExitCode::FAILURE
        }
    }
}
