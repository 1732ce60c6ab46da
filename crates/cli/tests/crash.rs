//! Crash safety of `vigil ingest`: the built binary is killed with SIGKILL
//! at seeded random moments while it ingests a synthesized corpus, then run
//! to completion. The store must open, hold every document exactly once,
//! have a search index that agrees with the database, and a further run
//! must ingest nothing.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use vigil_store::{Page, Query, SqliteStore, Store};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Articles in the synthesized corpus.
const ARTICLES: usize = 200;
/// SIGKILLs before the run that is let finish.
const KILLS: usize = 5;

fn vigil() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vigil"));
    // The synthesizer reads tests/articles (and ../shared when present)
    // relative to the repository root.
    cmd.current_dir(repo_root());
    cmd
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// SplitMix64: the kill moments are seeded, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

fn ingest(corpus: &Path, data: &Path) -> Command {
    let mut cmd = vigil();
    cmd.arg("ingest")
        .arg(corpus)
        .arg("--data")
        .arg(data)
        .arg("--json")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    cmd
}

#[test]
fn sigkilled_ingest_leaves_a_consistent_store_and_a_rerun_completes_it() -> Result<()> {
    let tmp = tempfile::tempdir()?;
    let corpus = tmp.path().join("corpus.jsonl");
    let data = tmp.path().join("data");
    let out = vigil()
        .args(["bench", "--corpus", "--docs", &ARTICLES.to_string()])
        .args(["--pairs", "20", "--write-corpus"])
        .arg(&corpus)
        .output()?;
    assert!(
        out.status.success(),
        "synthesizing the corpus failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records: Vec<serde_json::Value> = std::fs::read_to_string(&corpus)?
        .lines()
        .map(serde_json::from_str)
        .collect::<std::result::Result<_, _>>()?;
    assert_eq!(records.len(), ARTICLES);
    let texts: HashSet<&str> = records.iter().filter_map(|r| r["text"].as_str()).collect();
    let ids: Vec<&str> = records.iter().filter_map(|r| r["id"].as_str()).collect();

    // How long one full run takes, to spread the kills over it.
    let started = Instant::now();
    let reference = tmp.path().join("reference");
    let status = ingest(&corpus, &reference).status()?;
    assert!(status.success(), "an uninterrupted ingest failed");
    let full = started.elapsed();
    std::fs::remove_dir_all(&reference)?;

    let mut rng = Rng(0x5EED_0004);
    let mut killed = 0;
    for _ in 0..KILLS {
        let mut child = ingest(&corpus, &data).spawn()?;
        // Anywhere from start-up to the end of a full run.
        let ms = full.as_millis().max(50) as u64;
        std::thread::sleep(Duration::from_millis(20 + rng.next() % ms));
        if child.try_wait()?.is_none() {
            child.kill()?; // SIGKILL on Unix
            killed += 1;
        }
        child.wait()?;
        // Whatever the moment, the store opens and is consistent.
        let store = SqliteStore::open(&data)?;
        let stats = store.stats()?;
        assert!(stats.documents as usize <= texts.len());
        let page = store.search(&Query::default(), &Page::first(1))?;
        assert_eq!(
            page.total as u64, stats.incidents,
            "index and database disagree"
        );
    }
    assert!(
        killed > 0,
        "no run was interrupted: the kill moments are too late"
    );

    // Run to completion.
    let out = ingest(&corpus, &data).output()?;
    assert!(out.status.success(), "the completing run failed");
    let store = SqliteStore::open(&data)?;
    let stats = store.stats()?;
    assert_eq!(
        stats.documents as usize,
        texts.len(),
        "documents lost or duplicated"
    );
    for id in &ids {
        assert!(store.document(id)?.is_some(), "document {id} is missing");
    }
    // Search works and the index reflects the database.
    let all = store.search(&Query::default(), &Page::first(5))?;
    assert_eq!(all.total as u64, stats.incidents);
    assert!(stats.incidents > 0, "no incidents were built");
    let words = vigil_store::search::parse("killed")?;
    let hits = store.search(&words, &Page::first(5))?;
    assert!(hits.total > 0 && hits.total as u64 <= stats.incidents);
    drop(store);

    // A further run ingests nothing.
    let out = ingest(&corpus, &data).output()?;
    assert!(out.status.success());
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    assert_eq!(summary["ingested"], 0, "{summary}");
    assert_eq!(
        summary["duplicates"].as_u64(),
        Some(ARTICLES as u64),
        "{summary}"
    );
    let again = SqliteStore::open(&data)?.stats()?;
    assert_eq!(again.documents, stats.documents);
    assert_eq!(again.incidents, stats.incidents);
    eprintln!(
        "crash test: {killed} SIGKILLs, full run {:.1} s, {} documents, {} incidents",
        full.as_secs_f64(),
        stats.documents,
        stats.incidents
    );
    Ok(())
}
