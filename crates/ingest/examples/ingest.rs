//! Reads a file, directory or `-` and prints one JSON document per line;
//! errors and warnings go to standard error, a count at the end.
//!
//! `cargo run -p vigil-ingest --example ingest -- PATH [text|html|jsonl]`

use std::io::Write;
use std::path::PathBuf;

use vigil_ingest::{read_source_with, ReadOptions};

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next().map(PathBuf::from) else {
        eprintln!("usage: ingest PATH [text|html|jsonl]");
        return std::process::ExitCode::from(2);
    };
    let format = match args.next().map(|f| f.parse()) {
        Some(Ok(format)) => Some(format),
        Some(Err(message)) => {
            eprintln!("{message}");
            return std::process::ExitCode::from(2);
        }
        None => None,
    };
    let options = ReadOptions {
        format,
        ..ReadOptions::default()
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let (mut docs, mut errors, mut bytes) = (0usize, 0usize, 0usize);
    read_source_with(&path, &options, &mut |result| match result {
        Ok(read) => {
            docs += 1;
            bytes += read.document.text.len();
            for warning in &read.warnings {
                eprintln!("warning: {}: {warning}", read.document.origin);
            }
            if let Ok(json) = serde_json::to_string(&read.document) {
                let _ = writeln!(out, "{json}");
            }
        }
        Err(err) => {
            errors += 1;
            eprintln!("error: {err}");
        }
    });
    eprintln!("{docs} documents ({bytes} bytes of text), {errors} errors");
    std::process::ExitCode::SUCCESS
}
