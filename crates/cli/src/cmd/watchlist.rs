//! `vigil watchlist`: saved queries that alert on new incidents.

use std::process::ExitCode;

use vigil_store::desk::{AlertFilter, AlertState, DeskStore, NewWatchlist};

use super::stats::StoreArgs;

/// Manage watchlists: saved queries (the `vigil search` language) that
/// alert once for every new matching incident, to the server's log, its
/// live stream and, when given, a webhook (JSON POST signed with
/// HMAC-SHA256 in `X-Vigil-Signature-256`, retried with backoff, dead after
/// repeated failure). Incidents matching when the watchlist is created do
/// not alert. Matching and delivery run in `vigil serve`.
///
/// Examples:
///
///   vigil watchlist add isis-k-france 'actor:"ISIS-K" place:France'
///
///   vigil watchlist add olympics 'type:warning "Paris Olympics"' --webhook https://hooks.example.org/vigil
///
///   vigil watchlist alerts --state dead
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Create a watchlist.
    Add {
        #[command(flatten)]
        store: StoreArgs,
        /// A unique name (not a number).
        name: String,
        /// The query (see `vigil search --help`).
        #[arg(num_args = 1.., required = true)]
        query: Vec<String>,
        /// POST alerts to this http(s) URL.
        #[arg(long, value_name = "URL")]
        webhook: Option<String>,
        /// The HMAC-SHA256 key signing webhook bodies (generated and printed
        /// when absent).
        #[arg(
            long,
            value_name = "KEY",
            env = "VIGIL_WEBHOOK_SECRET",
            hide_env_values = true
        )]
        secret: Option<String>,
    },
    /// List watchlists.
    List {
        #[command(flatten)]
        store: StoreArgs,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove a watchlist (by id or name) and its alerts.
    Remove {
        #[command(flatten)]
        store: StoreArgs,
        /// The watchlist's id or name.
        watchlist: String,
    },
    /// List alerts, newest first.
    Alerts {
        #[command(flatten)]
        store: StoreArgs,
        /// Only this watchlist's (id or name).
        #[arg(long)]
        watchlist: Option<String>,
        /// Only this state: recorded, pending, delivered or dead.
        #[arg(long)]
        state: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let spec = match &args.command {
        Command::Add { store, .. }
        | Command::List { store, .. }
        | Command::Remove { store, .. }
        | Command::Alerts { store, .. } => store.spec(),
    };
    let mut store: Box<dyn DeskStore> = vigil_store::desk::open(&spec)?;
    match args.command {
        Command::Add {
            name,
            query,
            webhook,
            secret,
            ..
        } => {
            let given_secret = secret.is_some();
            let new = NewWatchlist {
                name,
                query: query.join(" "),
                webhook,
                secret,
            };
            let (watchlist, baseline) = vigil_server::alerts::create_watchlist(&mut *store, new)?;
            println!(
                "watchlist {} ({:?}) created: {:?}; {baseline} incident{} already match (they do not alert)",
                watchlist.id,
                watchlist.name,
                watchlist.query,
                if baseline == 1 { "" } else { "s" }
            );
            if let (Some(hook), Some(secret)) = (&watchlist.webhook, &watchlist.secret) {
                println!("webhook: {hook}");
                if !given_secret {
                    println!("signing secret (shown once): {secret}");
                }
            }
        }
        Command::List { json, .. } => {
            let watchlists = store.watchlists()?;
            if json {
                println!("{}", serde_json::to_string(&watchlists)?);
            } else if watchlists.is_empty() {
                println!("no watchlists; create one with `vigil watchlist add NAME QUERY`");
            } else {
                for w in watchlists {
                    println!(
                        "{:>4}  {:<24} {}{}",
                        w.id,
                        w.name,
                        w.query,
                        w.webhook.map(|h| format!("  -> {h}")).unwrap_or_default()
                    );
                }
            }
        }
        Command::Remove { watchlist, .. } => {
            if !store.remove_watchlist(&watchlist)? {
                anyhow::bail!("no watchlist {watchlist:?}; see `vigil watchlist list`");
            }
            println!("watchlist {watchlist:?} removed");
        }
        Command::Alerts {
            watchlist,
            state,
            limit,
            json,
            ..
        } => {
            let id = match &watchlist {
                Some(w) => match store.watchlist(w)? {
                    Some(w) => Some(w.id),
                    None => anyhow::bail!("no watchlist {w:?}; see `vigil watchlist list`"),
                },
                None => None,
            };
            let states = match state.as_deref() {
                None => Vec::new(),
                Some(s) => match AlertState::parse(s) {
                    Some(AlertState::Baseline) | None => anyhow::bail!(
                        "unknown state {s:?}: use recorded, pending, delivered or dead"
                    ),
                    Some(state) => vec![state],
                },
            };
            let alerts = store.alerts(&AlertFilter {
                watchlist: id,
                states,
                newest_first: true,
                limit,
                ..AlertFilter::default()
            })?;
            if json {
                println!("{}", serde_json::to_string(&alerts)?);
            } else if alerts.is_empty() {
                println!("no alerts");
            } else {
                for a in alerts {
                    println!(
                        "{:>6}  {}  watchlist {}  incident {}  {}{}",
                        a.id,
                        a.created.format("%Y-%m-%d %H:%M:%S"),
                        a.watchlist,
                        a.incident,
                        a.state.as_str(),
                        a.last_error
                            .map(|e| format!(" ({} attempts; {e})", a.attempts))
                            .unwrap_or_default()
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
