//! The `vigil` command: a thin layer over the library crates.

use clap::{Parser, Subcommand};

mod cmd;

/// mimalloc instead of the system allocator: the pipeline builds many small
/// strings and vectors per document, and glibc's malloc and free took about a
/// tenth of `vigil muc4`'s time (docs/speed.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// vigil reads the news and tells analysts where political violence is coming.
///
/// It cleans articles (including deliberate look-alike obfuscation), extracts
/// armed groups, people, places, dates and events (attacks, plots, arrests,
/// warnings…) and prints structured JSON.
#[derive(Parser)]
#[command(name = "vigil", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Analyse articles (text, HTML, JSON Lines, WARC, RSS/Atom) and print one JSON object per document.
    Analyze(cmd::analyze::Args),
    /// Measure the speed of the analysis pipeline on a corpus.
    Bench(cmd::bench::Args),
    /// Evaluate vigil on an annotated data set.
    Eval(cmd::eval::Args),
    // No doc comment: the help (short and long) comes from `export::Args`.
    Export(cmd::export::Args),
    // No doc comment: the help (short and long) comes from `import::Args`.
    Import(cmd::import::Args),
    /// Analyse articles and store them (documents, events, stories, incidents) in a data directory.
    Ingest(cmd::ingest::Args),
    // No doc comment: the help (short and long) comes from `muc4::Args`.
    Muc4(cmd::muc4::Args),
    // No doc comment: the help (short and long) comes from `search::Args`.
    Search(cmd::search::Args),
    // No doc comment: the help (short and long) comes from `serve::Args`.
    Serve(cmd::serve::Args),
    /// Print counts over a data directory filled by `vigil ingest`.
    Stats(cmd::stats::Args),
    // No doc comment: the help (short and long) comes from `token::Args`.
    Token(cmd::token::Args),
    /// Train the learned extraction models.
    Train(cmd::train::Args),
    // No doc comment: the help (short and long) comes from `watch::Args`.
    Watch(cmd::watch::Args),
    // No doc comment: the help (short and long) comes from `watchlist::Args`.
    Watchlist(cmd::watchlist::Args),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Analyze(args) => cmd::analyze::run(args),
        Command::Bench(args) => cmd::bench::run(args),
        Command::Eval(args) => cmd::eval::run(args),
        Command::Export(args) => cmd::export::run(args),
        Command::Import(args) => cmd::import::run(args),
        Command::Ingest(args) => cmd::ingest::run(args),
        Command::Muc4(args) => cmd::muc4::run(args),
        Command::Search(args) => cmd::search::run(args),
        Command::Serve(args) => cmd::serve::run(args),
        Command::Stats(args) => cmd::stats::run(args),
        Command::Token(args) => cmd::token::run(args),
        Command::Train(args) => cmd::train::run(args),
        Command::Watch(args) => cmd::watch::run(args),
        Command::Watchlist(args) => cmd::watchlist::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return std::process::ExitCode::SUCCESS;
            }
            eprintln!("vigil: error: {err:#}");
            std::process::ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
