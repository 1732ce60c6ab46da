//! `vigil ingest` then `vigil stats`: ingesting `tests/articles/*.txt` twice
//! into a temporary data directory stores every article once.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn articles() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/articles");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    files
}

fn vigil(args: &[&std::ffi::OsStr]) -> (i32, Value) {
    let output = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running vigil: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let json: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "vigil {args:?}: not JSON ({e}): {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code().unwrap_or(-1), json)
}

fn ingest(data: &Path, files: &[PathBuf]) -> (i32, Value) {
    let mut args: Vec<&std::ffi::OsStr> = vec!["ingest".as_ref()];
    args.extend(files.iter().map(|f| f.as_os_str()));
    args.extend(["--data".as_ref(), data.as_os_str(), "--json".as_ref()]);
    vigil(&args)
}

fn stats(data: &Path) -> Value {
    let (code, json) = vigil(&[
        "stats".as_ref(),
        "--data".as_ref(),
        data.as_os_str(),
        "--json".as_ref(),
    ]);
    assert_eq!(code, 0, "{json}");
    json
}

#[test]
fn ingesting_twice_adds_nothing() {
    let files = articles();
    assert!(
        files.len() >= 5,
        "expected the .txt fixtures in tests/articles"
    );
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let data = tmp.path().join("data");

    let (code, first) = ingest(&data, &files);
    assert_eq!(code, 0, "{first}");
    let n = files.len() as u64;
    assert_eq!(first["ingested"], n, "{first}");
    assert_eq!(first["duplicates"], 0, "{first}");
    assert_eq!(first["failed"], 0, "{first}");

    let s1 = stats(&data);
    assert_eq!(s1["documents"], n, "{s1}");
    assert!(
        s1["stories"].as_u64().is_some_and(|s| s >= 1 && s <= n),
        "{s1}"
    );
    assert!(s1["events"].as_u64().is_some_and(|e| e > 0), "{s1}");
    assert!(s1["entities"].as_u64().is_some_and(|e| e > 0), "{s1}");
    assert!(s1["incidents"].as_u64().is_some_and(|i| i > 0), "{s1}");
    assert!(s1["size_bytes"].as_u64().is_some_and(|b| b > 0), "{s1}");

    let (code, second) = ingest(&data, &files);
    assert_eq!(code, 0, "{second}");
    assert_eq!(second["ingested"], 0, "{second}");
    assert_eq!(second["duplicates"], n, "{second}");

    let s2 = stats(&data);
    for key in [
        "documents",
        "stories",
        "events",
        "incidents",
        "entities",
        "schema_version",
    ] {
        assert_eq!(s1[key], s2[key], "{key}: {s1} vs {s2}");
    }
}

#[test]
fn stats_without_a_store_names_the_directory() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let output = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(["stats", "--data"])
        .arg(tmp.path())
        .output()
        .unwrap_or_else(|e| panic!("running vigil: {e}"));
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("vigil ingest"), "{stderr}");
}
