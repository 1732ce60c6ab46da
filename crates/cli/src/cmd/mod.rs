//! One module per subcommand; each exposes `Args` (clap) and `run`.

pub mod analyze;
pub mod bench;
pub mod eval;
pub mod ingest;
pub mod muc4;
pub mod search;
pub mod stats;
pub mod train;
