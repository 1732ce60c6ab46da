//! One module per subcommand; each exposes `Args` (clap) and `run`.

pub mod analyze;
pub mod bench;
pub mod bench_corpus;
pub mod bench_http;
pub mod eval;
pub mod export;
pub mod import;
pub mod ingest;
pub mod muc4;
pub mod search;
pub mod serve;
pub mod stats;
pub mod token;
pub mod train;
pub mod watch;
pub mod watchlist;

use vigil_core::Analysis;
use vigil_ingest::Ingested;

/// The reader's warnings for one document as lines for standard error,
/// each naming where it applies (file and line).
pub fn warning_lines(ingested: &Ingested) -> Vec<String> {
    let origin = ingested.document.origin.to_string();
    ingested
        .warnings
        .iter()
        .map(|w| {
            if w.starts_with(&origin) {
                format!("vigil: warning: {w}")
            } else {
                format!("vigil: warning: {origin}: {w}")
            }
        })
        .collect()
}

/// Names where the publication time came from in the words of the CLI: the
/// pipeline knows a date came with the document (`input`), the reader knows
/// whether from the record or the page metadata; the pipeline's `default`
/// is the date given with `--published`.
pub fn label_published(analysis: &mut Analysis, from_reader: Option<&'static str>) {
    match analysis.published_from.as_deref() {
        Some("input") => {
            if let Some(from) = from_reader {
                analysis.published_from = Some(from.to_string());
            }
        }
        Some("default") => analysis.published_from = Some("cli".into()),
        _ => {}
    }
}
