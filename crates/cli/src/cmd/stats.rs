//! `vigil stats`: counts over a store; also the `--store`/`--data`
//! options shared by the commands that open a store.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use vigil_store::{Store, DB_FILE};

/// Where the store is: `--store SPEC` (or `VIGIL_STORE`), else `--data DIR`.
#[derive(clap::Args, Debug, Clone)]
pub struct StoreArgs {
    /// The data directory of the embedded store (SQLite + search index).
    #[arg(long, value_name = "DIR", default_value = "./vigil-data")]
    pub data: PathBuf,
    /// The store to use instead of --data: a PostgreSQL URL
    /// (postgres://user:password@host:port/database, or
    /// postgres://user@localhost/db?host=/socket/dir for a Unix socket) shared
    /// by several workers and servers, or a data directory.
    #[arg(long, value_name = "SPEC", env = "VIGIL_STORE", hide_env_values = true)]
    pub store: Option<String>,
}

impl StoreArgs {
    /// The spec `vigil_store::open` takes.
    pub fn spec(&self) -> String {
        match &self.store {
            Some(s) if !s.trim().is_empty() => s.trim().to_string(),
            _ => self.data.display().to_string(),
        }
    }

    /// Opens the store (creating an embedded one if missing).
    pub fn open(&self) -> anyhow::Result<Box<dyn Store>> {
        Ok(vigil_store::open(&self.spec())?)
    }

    /// Opens a store that must already hold data, for reading (`stats`,
    /// `search`, `export`): an embedded store that does not exist yet is an
    /// error naming the command that fills it. The handle skips loading the
    /// near-duplicate index, which only writes need
    /// ([`vigil_store::open_reader`]).
    pub fn open_existing(&self) -> anyhow::Result<Box<dyn Store>> {
        let spec = self.spec();
        if !vigil_store::is_postgres(&spec) && !Path::new(&spec).join(DB_FILE).is_file() {
            anyhow::bail!(
                "{spec}: no vigil store here; run `vigil ingest SOURCE --data {spec}` first"
            );
        }
        Ok(vigil_store::open_reader(&spec)?)
    }
}

/// Print counts over a store filled by `vigil ingest`: documents, stories
/// (near-duplicates grouped), events, incidents, distinct entities and the
/// size of the store on disk.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    store: StoreArgs,
    /// Print the counts as one JSON object.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let store = args.store.open_existing()?;
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
