//! `vigil ingest`: articles in, stored (documents, analyses, events,
//! stories, incidents) in a data directory.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use rayon::prelude::*;
use vigil_core::{Analysis, Document};
use vigil_extract::Pipeline;
use vigil_ingest::fetch::{FetchConfig, Fetcher};
use vigil_ingest::{Ingested, ReadOptions};
use vigil_store::{Outcome, Store};

use super::stats::StoreArgs;

/// Read articles, analyse them and store them in a data directory.
///
/// SOURCE is anything `vigil analyze` reads: a plain-text, HTML, JSON
/// Lines, WARC/WARC.GZ or RSS/Atom file, a directory (read recursively) or
/// `-` for standard input; or an http(s) URL: a feed's linked article
/// pages are fetched and extracted (timeouts, 10 MiB limit, 1 s between
/// requests to one host), a page URL is the page.
///
/// Ingesting is idempotent: a document whose content or canonical URL is
/// already stored is counted as a duplicate and not analysed again; a
/// near-duplicate (the same story republished) is stored and joins the
/// existing story. Documents are analysed in parallel batches and each batch
/// is stored in one transaction, so an interrupted run loses at most the
/// open batch and running it again stores nothing twice.
///
/// At the end, incidents are recomputed from every stored event (events of
/// different articles merged by type, date, place and actors).
///
/// Examples:
///
///   vigil ingest examples/articles/ --data ./vigil-data
///
///   vigil ingest articles.jsonl --store postgres://vigil@db.example/vigil
///
/// With `--store postgres://…` (or `VIGIL_STORE`) several ingest workers on
/// different machines can share one PostgreSQL database: batches are
/// stored one at a time, so none is stored twice (see docs/store.md).
///
///   vigil ingest feed.xml --json
#[derive(clap::Args)]
pub struct Args {
    /// Files, directories, `-` (standard input) or http(s) URLs of feeds or pages.
    #[arg(required = true, value_name = "SOURCE")]
    sources: Vec<PathBuf>,
    /// Where to store (`--data DIR`, created if missing, or `--store URL`).
    #[command(flatten)]
    store: StoreArgs,
    /// Print the summary as one JSON object.
    #[arg(long)]
    json: bool,
}

/// Documents analysed and stored per batch (one transaction each).
const BATCH: usize = 64;

#[derive(Default, serde::Serialize)]
struct Summary {
    ingested: usize,
    near_duplicates: usize,
    duplicates: usize,
    failed: usize,
    failures: Vec<String>,
    incidents: usize,
}

impl Summary {
    fn count(&mut self, outcomes: &[Outcome]) {
        for outcome in outcomes {
            match outcome {
                Outcome::New { .. } => self.ingested += 1,
                Outcome::NearDuplicate { .. } => {
                    self.ingested += 1;
                    self.near_duplicates += 1;
                }
                Outcome::Duplicate { .. } => self.duplicates += 1,
            }
        }
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut store = args.store.open()?;
    let pipeline = Pipeline::new().context("loading vigil's gazetteers")?;
    let mut summary = Summary::default();
    let mut batch: Vec<(Document, Option<&'static str>)> = Vec::with_capacity(BATCH);
    let mut store_err: Option<anyhow::Error> = None;
    let options = ReadOptions::default();
    let mut fetcher: Option<Fetcher> = None;
    for source in &args.sources {
        let mut sink = |item: Result<Ingested, vigil_ingest::IngestError>| {
            if store_err.is_some() {
                return;
            }
            match item {
                Ok(ingested) => {
                    for line in super::warning_lines(&ingested) {
                        eprintln!("{line}");
                    }
                    // Known documents are not analysed again.
                    match store.find_duplicate(&ingested.document) {
                        Ok(Some(_)) => {
                            summary.duplicates += 1;
                            return;
                        }
                        Ok(None) => {}
                        Err(e) => {
                            store_err = Some(e.into());
                            return;
                        }
                    }
                    batch.push((ingested.document, ingested.published_from));
                    if batch.len() >= BATCH {
                        if let Err(e) = flush(&pipeline, store.as_mut(), &mut batch, &mut summary) {
                            store_err = Some(e);
                        }
                    }
                }
                Err(err) => {
                    eprintln!("vigil: {err}");
                    summary.failed += 1;
                    summary.failures.push(err.to_string());
                }
            }
        };
        match source.to_str().filter(|s| vigil_ingest::fetch::is_url(s)) {
            // A feed URL: its linked articles are fetched (see `vigil watch`).
            Some(url) => fetcher
                .get_or_insert_with(|| Fetcher::new(FetchConfig::default()))
                .fetch_source(url, &mut sink),
            None => vigil_ingest::read_source_with(source, &options, &mut sink),
        }
        if let Some(e) = store_err.take() {
            return Err(e);
        }
    }
    flush(&pipeline, store.as_mut(), &mut batch, &mut summary)?;
    summary.incidents = store.recompute_incidents()?;
    if args.json {
        println!("{}", serde_json::to_string(&summary)?);
    } else {
        println!(
            "{} ingested ({} near-duplicates joined an existing story), {} duplicates skipped, {} failed, {} incidents, store {}",
            summary.ingested,
            summary.near_duplicates,
            summary.duplicates,
            summary.failed,
            summary.incidents,
            store.location()
        );
        for reason in &summary.failures {
            println!("  failed: {reason}");
        }
    }
    Ok(if summary.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Analyses the batch in parallel and stores it in one transaction.
fn flush(
    pipeline: &Pipeline,
    store: &mut dyn Store,
    batch: &mut Vec<(Document, Option<&'static str>)>,
    summary: &mut Summary,
) -> anyhow::Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let analysed: Vec<(Document, Analysis)> = batch
        .par_drain(..)
        .map(|(doc, from)| {
            let mut analysis = pipeline.analyze(&doc);
            super::label_published(&mut analysis, from);
            (doc, analysis)
        })
        .collect();
    let outcomes = store.insert_batch(&analysed)?;
    for (outcome, (doc, _)) in outcomes.iter().zip(&analysed) {
        if let Outcome::Duplicate { existing, reason } = outcome {
            eprintln!(
                "vigil: {}: duplicate of {existing} ({})",
                doc.origin,
                reason.as_str()
            );
        }
    }
    summary.count(&outcomes);
    Ok(())
}
