//! Converts vigil incidents (JSON Lines, one `vigil_core::Incident` per
//! line, as `vigil export --format jsonl` writes them) on standard input
//! into another export format on standard output:
//!
//! ```text
//! cargo run -p vigil-export --example convert -- stix < incidents.jsonl > bundle.json
//! ```

use std::io::{BufReader, BufWriter};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let format: vigil_export::Format = std::env::args()
        .nth(1)
        .ok_or("usage: convert stix|geojson|csv|parquet|jsonl < incidents.jsonl")?
        .parse()?;
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut writer = vigil_export::writer(
        format,
        BufWriter::new(stdout),
        vigil_export::Options::default(),
    )?;
    for incident in vigil_export::jsonl::read_incidents(BufReader::new(stdin.lock())) {
        writer.write(&incident?)?;
    }
    let n = writer.finish()?;
    eprintln!("{n} incidents");
    Ok(())
}
