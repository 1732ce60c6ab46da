//! `vigil serve`: the JSON API, the dashboard, watchlists and alerts over
//! HTTP.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use vigil_server::{AlertConfig, AppState, Config};

use super::stats::StoreArgs;

/// Serve the store over HTTP: the JSON API (/api/v1/…, OpenAPI document at
/// /api/v1/openapi.json), the dashboard (/), watchlist alerts (webhooks,
/// the /api/v1/stream event stream, the log).
///
/// Reads are open; every write (watchlists, splits, ingest through
/// `POST /api/v1/documents`) needs an API token
/// (`vigil token create NAME`), sent as `Authorization: Bearer TOKEN`.
/// Listening on a non-loopback address without any active token is refused
/// unless --allow-open is given. Log lines go to standard error. Stop with
/// Ctrl-C or SIGTERM: open requests finish, event streams end.
///
/// Examples:
///
///   vigil serve --data ./vigil-data
///
///   vigil serve --store postgres://vigil@db/vigil --addr 0.0.0.0:8080
///
/// See docs/api.md.
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    store: StoreArgs,
    /// Address and port to listen on.
    #[arg(long, value_name = "ADDR", default_value = vigil_server::DEFAULT_ADDR)]
    addr: SocketAddr,
    /// Listen on a non-loopback address even when no API token exists
    /// (anyone who can reach it can then read; writes still need a token).
    #[arg(long)]
    allow_open: bool,
    /// Reads need a token too.
    #[arg(long)]
    private: bool,
    /// Largest request body accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = vigil_server::DEFAULT_BODY_LIMIT)]
    body_limit: usize,
    /// How often to look for new incidents to match against watchlists, in
    /// seconds.
    #[arg(long, value_name = "SECS", default_value_t = 5.0)]
    alert_poll: f64,
    /// Webhook delivery attempts before an alert goes to the dead-letter
    /// list.
    #[arg(long, value_name = "N", default_value_t = 8)]
    max_attempts: u32,
    /// Read handles on the store: requests read in parallel through them
    /// (each a connection of its own; SQLite in WAL mode lets readers run
    /// beside each other and beside the writer), while writes go through
    /// one more handle. 0 makes every request share the one handle.
    /// Default: twice the number of cores, at least 4.
    #[arg(long, value_name = "N")]
    readers: Option<usize>,
}

/// Opens `n` read handles on the store `spec`, in parallel (without the
/// near-duplicate index of an embedded store, which reads never use).
fn open_readers(spec: &str, n: usize) -> anyhow::Result<Vec<vigil_server::DynStore>> {
    std::thread::scope(|scope| {
        let opening: Vec<_> = (0..n)
            .map(|_| scope.spawn(|| vigil_store::desk::open_reader(spec)))
            .collect();
        opening
            .into_iter()
            .map(|h| match h.join() {
                Ok(store) => store.with_context(|| format!("opening a read handle on {spec}")),
                Err(_) => Err(anyhow::anyhow!("opening a read handle on {spec} panicked")),
            })
            .collect()
    })
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing_subscriber::filter::LevelFilter::INFO)
        .with_target(false)
        .init();
    if !(args.alert_poll.is_finite() && args.alert_poll > 0.0) {
        anyhow::bail!("--alert-poll must be a positive number of seconds");
    }
    if args.max_attempts == 0 {
        anyhow::bail!("--max-attempts must be at least 1");
    }
    let spec = args.store.spec();
    let store = vigil_store::desk::open(&spec)?;
    let n = args.readers.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .saturating_mul(2)
            .max(4)
    });
    let started = std::time::Instant::now();
    let readers = open_readers(&spec, n)?;
    eprintln!(
        "vigil serve: {n} read handles open in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let config = Config {
        addr: args.addr,
        allow_open: args.allow_open,
        body_limit: args.body_limit,
        private_reads: args.private,
        alerts: AlertConfig {
            poll: Duration::from_secs_f64(args.alert_poll),
            max_attempts: args.max_attempts,
            ..AlertConfig::default()
        },
    };
    vigil_server::serve_blocking(config, AppState::with_readers(store, readers))
        .with_context(|| format!("serving {spec}"))?;
    Ok(ExitCode::SUCCESS)
}
