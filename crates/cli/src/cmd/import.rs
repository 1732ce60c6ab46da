//! `vigil import`: read vigil's own JSON Lines export back into a store.

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;
use std::process::ExitCode;

use super::stats::StoreArgs;
use anyhow::Context;
use vigil_core::Incident;

/// Import incidents exported by `vigil export --format jsonl`.
///
/// Each line of FILE is one incident as vigil stores it (sources,
/// disagreements and merge reasons included). They are stored as they
/// are, replacing stored incidents with the same id, in batches of 1,000
/// (one transaction each). A malformed line stops the import with an
/// error naming it; the batches before it stay stored.
///
/// Incidents are derived data: a later `vigil ingest` into the same store
/// recomputes incidents from the stored articles, replacing imported ones.
///
/// Example:
///
///   vigil export --format jsonl --output incidents.jsonl --data old-data
///   vigil import incidents.jsonl --data new-data
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// A JSON Lines file written by `vigil export --format jsonl`.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Where to store (`--data DIR`, created if missing, or `--store SPEC`).
    #[command(flatten)]
    store: StoreArgs,
}

/// Incidents per transaction.
const BATCH: usize = 1000;

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let file = File::open(&args.file)
        .with_context(|| format!("{}: cannot open the file to import", args.file.display()))?;
    let mut store = args.store.open()?;
    let mut batch: Vec<Incident> = Vec::with_capacity(BATCH);
    let mut total = 0usize;
    for incident in vigil_export::jsonl::read_incidents(BufReader::new(file)) {
        let incident = incident.with_context(|| args.file.display().to_string())?;
        batch.push(incident);
        if batch.len() == BATCH {
            total += store.import_incidents(&batch)?;
            batch.clear();
        }
    }
    if !batch.is_empty() {
        total += store.import_incidents(&batch)?;
    }
    eprintln!(
        "vigil: imported {total} incident{} from {} into {}",
        if total == 1 { "" } else { "s" },
        args.file.display(),
        store.location()
    );
    Ok(ExitCode::SUCCESS)
}
