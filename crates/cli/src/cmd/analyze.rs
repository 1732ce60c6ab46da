//! `vigil analyze`: articles in, one JSON object per document out.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chrono::{DateTime, FixedOffset, NaiveTime};
use rayon::prelude::*;
use vigil_core::Document;
use vigil_extract::Pipeline;
use vigil_ingest::{Ingested, ReadOptions};

/// Analyse news articles: clean them, extract entities, dates, events,
/// quotes and citations, and print one JSON object per document (JSON Lines).
///
/// PATH may be a plain-text file, an HTML page, a JSON Lines file (one
/// article per line: `id`, `text` or `html`, `title`, `url`, `source`,
/// `published`), a WARC or WARC.GZ web archive, an RSS or Atom feed file,
/// a directory (read recursively) or `-` for standard input.
/// The format is detected from the extension and the content.
///
/// A bad file or line is reported on standard error with its location and
/// skipped; the rest of the batch is analysed, and the exit status is 1 if
/// anything failed.
///
/// Examples:
///
///   vigil analyze examples/articles/
///
///   curl -s https://example.org/news.html | vigil analyze - --published 2024-03-25
#[derive(clap::Args)]
pub struct Args {
    /// Files, directories or `-` (standard input).
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Publication date for documents whose record, metadata, timestamp
    /// line and dateline give none (YYYY-MM-DD or any common date format);
    /// relative dates ("last Thursday") are resolved against it.
    #[arg(long, value_name = "DATE")]
    published: Option<String>,
    /// Pretty-print the JSON (one object spans several lines).
    #[arg(long)]
    pretty: bool,
    /// Leave the cleaned text and sentence list out of the output.
    #[arg(long)]
    no_text: bool,
}

/// Documents analysed per parallel batch: big enough to keep both cores
/// busy, small enough that output starts at once.
const BATCH: usize = 64;

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let published = match &args.published {
        Some(s) => Some(parse_published(s)?),
        None => None,
    };
    let pipeline = Pipeline::new().context("loading vigil's gazetteers")?;
    // A progress line on a terminal (hidden when stderr is redirected).
    let progress =
        indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    progress.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {pos} documents, {msg} read, {per_sec}, {elapsed}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    let mut bytes_read = 0u64;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut failed = 0usize;
    // Each document with where its publication time came from (record or metadata).
    let mut batch: Vec<(Document, Option<&'static str>)> = Vec::with_capacity(BATCH);
    let mut write_err: Option<std::io::Error> = None;
    let options = ReadOptions::default();
    for path in &args.paths {
        let mut sink = |item: Result<Ingested, vigil_ingest::IngestError>| {
            if write_err.is_some() {
                return;
            }
            match item {
                Ok(ingested) => {
                    for line in super::warning_lines(&ingested) {
                        progress.suspend(|| eprintln!("{line}"));
                    }
                    bytes_read += ingested.document.text.len() as u64;
                    progress.inc(1);
                    progress.set_message(indicatif::HumanBytes(bytes_read).to_string());
                    batch.push((ingested.document, ingested.published_from));
                    if batch.len() >= BATCH {
                        if let Err(e) = flush(&pipeline, &mut batch, &mut out, &args, published) {
                            write_err = Some(e);
                        }
                    }
                }
                Err(err) => {
                    failed += 1;
                    progress.suspend(|| eprintln!("vigil: {err}"));
                }
            }
        };
        vigil_ingest::read_source_with(path, &options, &mut sink);
        if let Some(e) = write_err.take() {
            return Err(e).context("writing to standard output");
        }
    }
    flush(&pipeline, &mut batch, &mut out, &args, published)
        .context("writing to standard output")?;
    progress.finish_and_clear();
    out.flush().context("writing to standard output")?;
    if failed > 0 {
        eprintln!(
            "vigil: {failed} item(s) could not be read (see above); the others were analysed"
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn flush(
    pipeline: &Pipeline,
    batch: &mut Vec<(Document, Option<&'static str>)>,
    out: &mut impl Write,
    args: &Args,
    published: Option<DateTime<FixedOffset>>,
) -> std::io::Result<()> {
    let results: Vec<String> = batch
        .par_iter()
        .map(|(doc, from)| {
            let mut analysis = pipeline.analyze_with(doc, published);
            super::label_published(&mut analysis, *from);
            if args.no_text {
                analysis.text.clear();
                analysis.sentences.clear();
            }
            let json = if args.pretty {
                serde_json::to_string_pretty(&analysis)
            } else {
                serde_json::to_string(&analysis)
            };
            json.unwrap_or_else(|e| {
                format!("{{\"id\":{:?},\"error\":{:?}}}", doc.id, e.to_string())
            })
        })
        .collect();
    batch.clear();
    for line in results {
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

fn parse_published(s: &str) -> anyhow::Result<DateTime<FixedOffset>> {
    if let Some(t) = vigil_text::parse_timestamp(s) {
        return Ok(t);
    }
    let date = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .with_context(|| format!("--published {s:?}: expected a date such as 2024-03-25"))?;
    let utc = FixedOffset::east_opt(0).context("UTC offset")?;
    date.and_time(NaiveTime::MIN)
        .and_local_timezone(utc)
        .single()
        .with_context(|| format!("--published {s:?}: not a valid date"))
}
