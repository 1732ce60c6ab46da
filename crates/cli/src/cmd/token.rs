//! `vigil token`: API tokens for the server's write endpoints.

use std::process::ExitCode;

use vigil_store::desk::DeskStore;

use super::stats::StoreArgs;

/// Manage API tokens: every write to `vigil serve` (watchlists, splits)
/// needs one, sent as `Authorization: Bearer TOKEN`.
///
/// Tokens are stored hashed (SHA-256): the secret is printed once, by
/// `create`, and cannot be shown again. A revoked token is refused (403).
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Create a token and print its secret (once).
    Create {
        #[command(flatten)]
        store: StoreArgs,
        /// A name to recognise it (unique among active tokens).
        name: String,
    },
    /// List tokens (name, prefix, created, revoked).
    List {
        #[command(flatten)]
        store: StoreArgs,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token by id or name.
    Revoke {
        #[command(flatten)]
        store: StoreArgs,
        /// The token's id or name.
        token: String,
    },
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let spec = match &args.command {
        Command::Create { store, .. }
        | Command::List { store, .. }
        | Command::Revoke { store, .. } => store.spec(),
    };
    let mut store: Box<dyn DeskStore> = vigil_store::desk::open(&spec)?;
    match args.command {
        Command::Create { name, .. } => {
            let name = name.trim().to_string();
            if name.is_empty() || name.chars().count() > 100 {
                anyhow::bail!("a token needs a name of 1 to 100 characters");
            }
            let token = vigil_server::auth::generate_token()?;
            let Some(record) = store.add_token(&name, &token.hash, &token.prefix)? else {
                anyhow::bail!(
                    "an active token is already named {name:?}; choose another name or revoke it first (`vigil token revoke {name}`)"
                );
            };
            eprintln!(
                "vigil: token {} ({:?}) created; this is the only time its secret is shown:",
                record.id, record.name
            );
            println!("{}", token.secret);
        }
        Command::List { json, .. } => {
            let tokens = store.tokens()?;
            if json {
                println!("{}", serde_json::to_string(&tokens)?);
            } else if tokens.is_empty() {
                println!("no tokens; create one with `vigil token create NAME`");
            } else {
                for t in tokens {
                    println!(
                        "{:>4}  {:<24} {}…  created {}  {}",
                        t.id,
                        t.name,
                        t.prefix,
                        t.created.format("%Y-%m-%d %H:%M"),
                        match t.revoked {
                            Some(r) => format!("revoked {}", r.format("%Y-%m-%d %H:%M")),
                            None => "active".to_string(),
                        }
                    );
                }
            }
        }
        Command::Revoke { token, .. } => match store.revoke_token(&token)? {
            Some(t) => println!("token {} ({:?}) revoked", t.id, t.name),
            None => anyhow::bail!("no active token {token:?}; see `vigil token list`"),
        },
    }
    Ok(ExitCode::SUCCESS)
}
