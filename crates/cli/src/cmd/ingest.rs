//! `vigil ingest`: articles in, stored (documents, analyses, events,
//! stories, incidents) in a data directory.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc;

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
/// existing story. Documents are analysed in parallel batches (the next
/// batch is analysed while the previous one is stored) and each batch is
/// stored in one transaction, so an interrupted run loses at most the
/// batches not yet stored and running it again stores nothing twice.
///
/// At the end, the events of the documents stored since the last merge
/// (by this run, or by an interrupted one) are merged into the stored
/// incidents (events of different articles merged by type, date, place and
/// actors).
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
    overlapped(&pipeline, None, |overlap| {
        read_all(&args, store.as_mut(), overlap, &mut summary)
    })?;
    summary.incidents = store.merge_incidents()?.total;
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

/// Reads every source, skips known documents, and has the rest analysed
/// and stored in batches.
fn read_all(
    args: &Args,
    store: &mut dyn Store,
    overlap: &mut Overlap<'_>,
    summary: &mut Summary,
) -> anyhow::Result<()> {
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
                        let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                        match overlap.submit(full) {
                            Ok(Some(analysed)) => {
                                if let Err(e) = store_batch(store, &analysed, summary) {
                                    store_err = Some(e);
                                }
                            }
                            Ok(None) => {}
                            Err(e) => store_err = Some(e),
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
    if let Some(analysed) = overlap.submit(batch)? {
        store_batch(store, &analysed, summary)?;
    }
    for analysed in overlap.drain()? {
        store_batch(store, &analysed, summary)?;
    }
    Ok(())
}

/// Stores one analysed batch in one transaction and counts the outcomes.
fn store_batch(
    store: &mut dyn Store,
    analysed: &[(Document, Analysis)],
    summary: &mut Summary,
) -> anyhow::Result<()> {
    let outcomes = store.insert_batch(analysed)?;
    for (outcome, (doc, _)) in outcomes.iter().zip(analysed) {
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

/// A batch of documents to analyse, with where their publication time was
/// read from.
pub(crate) type Batch = Vec<(Document, Option<&'static str>)>;

/// Analysis overlapped with storage: batches handed to [`Overlap::submit`]
/// are analysed in parallel on the rayon pool (driven by a helper thread)
/// while the caller stores the batch analysed before, on its own thread
/// (the store handle never leaves it). At most two batches are in flight.
pub(crate) struct Overlap<'a> {
    to_analyse: Option<mpsc::SyncSender<Batch>>,
    analysed: &'a mpsc::Receiver<Vec<(Document, Analysis)>>,
    in_flight: usize,
}

impl Overlap<'_> {
    /// Hands `batch` to the analysis; returns the batch analysed before
    /// (in submission order), ready to store, once there is one. Fails
    /// when the analysis thread has stopped (it panicked): no batch is
    /// ever dropped silently.
    pub(crate) fn submit(
        &mut self,
        batch: Batch,
    ) -> anyhow::Result<Option<Vec<(Document, Analysis)>>> {
        if batch.is_empty() {
            return Ok(None);
        }
        let sent = self
            .to_analyse
            .as_ref()
            .is_some_and(|tx| tx.send(batch).is_ok());
        anyhow::ensure!(sent, "the analysis thread stopped");
        self.in_flight += 1;
        if self.in_flight > 1 {
            self.next().map(Some)
        } else {
            Ok(None)
        }
    }

    fn next(&mut self) -> anyhow::Result<Vec<(Document, Analysis)>> {
        let got = self.analysed.recv();
        self.in_flight = self.in_flight.saturating_sub(1);
        got.map_err(|_| anyhow::anyhow!("the analysis thread stopped"))
    }

    /// Every batch still in flight, analysed, in submission order (more
    /// batches may be submitted afterwards).
    pub(crate) fn drain(&mut self) -> anyhow::Result<Vec<Vec<(Document, Analysis)>>> {
        let mut out = Vec::with_capacity(self.in_flight);
        while self.in_flight > 0 {
            out.push(self.next()?);
        }
        Ok(out)
    }
}

/// Runs `body` with an [`Overlap`] analysing on `pool` (the global rayon
/// pool when `None`).
pub(crate) fn overlapped<T>(
    pipeline: &Pipeline,
    pool: Option<&rayon::ThreadPool>,
    body: impl FnOnce(&mut Overlap<'_>) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let (to_analyse, batches) = mpsc::sync_channel::<Batch>(1);
    let (done, analysed) = mpsc::sync_channel::<Vec<(Document, Analysis)>>(2);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let analyse = |batch: Batch| -> Vec<(Document, Analysis)> {
                batch
                    .into_par_iter()
                    .map(|(doc, from)| {
                        let mut analysis = pipeline.analyze(&doc);
                        super::label_published(&mut analysis, from);
                        (doc, analysis)
                    })
                    .collect()
            };
            for batch in batches {
                let out = match pool {
                    Some(pool) => pool.install(|| analyse(batch)),
                    None => analyse(batch),
                };
                if done.send(out).is_err() {
                    break;
                }
            }
        });
        let mut overlap = Overlap {
            to_analyse: Some(to_analyse),
            analysed: &analysed,
            in_flight: 0,
        };
        let result = body(&mut overlap);
        // Ends the helper thread whether or not `body` drained.
        overlap.to_analyse = None;
        drop(overlap);
        while analysed.recv().is_ok() {}
        result
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_returns_every_batch_in_order_across_drains() -> anyhow::Result<()> {
        let pipeline = Pipeline::new()?;
        let doc = |n: usize| Document {
            id: format!("d{n}"),
            text: format!("Gunmen killed {n} people in Kabul on Monday, police said."),
            ..Document::default()
        };
        let mut sent = Vec::new();
        let mut got = Vec::new();
        overlapped(&pipeline, None, |overlap| {
            // Two files, as `vigil bench --corpus` reads them: drained in
            // between, then used again.
            for file in 0..2 {
                for b in 0..3 {
                    let batch: Batch = (0..5)
                        .map(|i| (doc(file * 100 + b * 10 + i), None))
                        .collect();
                    sent.extend(batch.iter().map(|(d, _)| d.id.clone()));
                    if let Some(done) = overlap.submit(batch)? {
                        got.extend(done);
                    }
                }
                assert!(overlap.submit(Vec::new())?.is_none());
                for done in overlap.drain()? {
                    got.extend(done);
                }
            }
            Ok(())
        })?;
        let ids: Vec<String> = got.iter().map(|(d, _)| d.id.clone()).collect();
        assert_eq!(ids, sent);
        assert!(got
            .iter()
            .all(|(d, a)| a.text.contains("Kabul") && d.text.contains("Kabul")));
        Ok(())
    }
}
