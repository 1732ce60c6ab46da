//! Measures cleaning, segmentation and tokenisation throughput on large
//! synthetic inputs: `cargo run --release -p vigil-text --example throughput`.

use std::time::Instant;

use vigil_text::{clean, detect_language, sentences, tokenize, CleanOptions};

/// The scraped article (`../shared` beside the repository) when
/// present, else an obfuscated test article of the repository: read at run
/// time so that the example builds without `../shared`.
fn sample() -> String {
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/obfuscated-news-article.txt");
    std::fs::read_to_string(&shared).unwrap_or_else(|_| {
        println!(
            "{} not found; using tests/articles/obfuscated-vienna-pride.txt",
            shared.display()
        );
        include_str!("../../../tests/articles/obfuscated-vienna-pride.txt").to_string()
    })
}

fn report(name: &str, bytes: usize, f: impl FnOnce() -> usize) {
    if let Some(filter) = std::env::args().nth(1) {
        if !name.contains(&filter) {
            return;
        }
    }
    let t = Instant::now();
    let n = f();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{name:<40} {:>8.1} MB  {:>7.3} s  {:>7.1} MB/s  (result {n})",
        bytes as f64 / 1e6,
        secs,
        bytes as f64 / 1e6 / secs
    );
}

fn main() {
    let t = Instant::now();
    let _ = clean("warm-up іn", &CleanOptions::default());
    println!(
        "table build + first call: {:.3} s",
        t.elapsed().as_secs_f64()
    );

    let fixture = sample();
    let big: String = fixture.repeat(50_000_000 / fixture.len() + 1);
    report("clean 50 MB (fixture repeated)", big.len(), || {
        clean(&big, &CleanOptions::default()).text.len()
    });
    let cleaned = clean(&big, &CleanOptions::default()).text;
    report("sentences 50 MB", cleaned.len(), || {
        sentences(&cleaned).len()
    });
    report("tokenize 50 MB", cleaned.len(), || tokenize(&cleaned).len());
    report("detect_language", cleaned.len(), || {
        detect_language(&cleaned).len()
    });

    let one_line = "Thе аttаck іn Раris wаs clаimеd by ISIS-K. ".repeat(1_000_000 / 40);
    report(
        "clean 1 MB single line (look-alikes)",
        one_line.len(),
        || clean(&one_line, &CleanOptions::default()).text.len(),
    );
    let huge_line = "word ".repeat(10_000_000);
    report("clean 50 MB single line (ASCII)", huge_line.len(), || {
        clean(&huge_line, &CleanOptions::default()).text.len()
    });
    let ru = "Теракт в Крокус Сити Холле произошёл в марте. ".repeat(50_000_000 / 80);
    report("clean ~50 MB Russian", ru.len(), || {
        clean(&ru, &CleanOptions::default()).text.len()
    });
    let zw = "a\u{200B}".repeat(5_000_000);
    report("clean 20 MB zero-width soup", zw.len(), || {
        clean(&zw, &CleanOptions::default()).text.len()
    });
    let no_space = "x".repeat(20_000_000) + ". " + &".".repeat(1_000_000);
    report("sentences 21 MB no spaces", no_space.len(), || {
        sentences(&no_space).len()
    });
}
