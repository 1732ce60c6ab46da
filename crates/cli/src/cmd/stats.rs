//! `vigil stats`: counts over a data directory.

use std::path::PathBuf;
use std::process::ExitCode;

use vigil_store::{SqliteStore, Store, DB_FILE};

/// Print counts over a data directory filled by `vigil ingest`: documents,
/// stories (near-duplicates grouped), events, incidents, distinct entities
/// and the size of the store on disk.
#[derive(clap::Args)]
pub struct Args {
    /// The data directory.
    #[arg(long, value_name = "DIR", default_value = "./vigil-data")]
    data: PathBuf,
    /// Print the counts as one JSON object.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if !args.data.join(DB_FILE).is_file() {
        anyhow::bail!(
            "{}: no vigil store here; run `vigil ingest SOURCE --data {}` first",
            args.data.display(),
            args.data.display()
        );
    }
    let store = SqliteStore::open(&args.data)?;
    let stats = store.stats()?;
    if args.json {
        println!("{}", serde_json::to_string(&stats)?);
    } else {
        println!("documents       {}", stats.documents);
        println!("stories         {}", stats.stories);
        println!("events          {}", stats.events);
        println!("incidents       {}", stats.incidents);
        println!("entities        {}", stats.entities);
        println!("size (bytes)    {}", stats.size_bytes);
        println!("schema version  {}", stats.schema_version);
    }
    Ok(ExitCode::SUCCESS)
}
