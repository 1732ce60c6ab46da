//! `vigil ingest` then `vigil search`: the Brussels arrest is found by type
//! and country, the Bannu bombing by its toll, and a malformed query is a
//! clear error.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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

fn vigil(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running vigil: {e}"))
}

fn search(data: &Path, query: &str) -> Output {
    vigil(&[
        "search".as_ref(),
        "--data".as_ref(),
        data.as_os_str(),
        "--json".as_ref(),
        query.as_ref(),
    ])
}

#[test]
fn finds_the_brussels_arrest() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let data = tmp.path().join("data");
    let files = articles();
    let mut args: Vec<&std::ffi::OsStr> = vec!["ingest".as_ref()];
    args.extend(files.iter().map(|f| f.as_os_str()));
    args.extend(["--data".as_ref(), data.as_os_str(), "--json".as_ref()]);
    let out = vigil(&args);
    assert!(
        out.status.success(),
        "ingest failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = search(&data, "type:arrest place:Belgium");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hits: Value =
        serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"));
    let hits = hits
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {hits}"));
    assert_eq!(hits.len(), 1, "{hits:?}");
    let hit = &hits[0];
    assert!(
        hit["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("wire-brussels-plot/")),
        "{hit}"
    );
    assert_eq!(hit["type"], "arrest");
    assert_eq!(hit["place"], "Brussels");
    assert_eq!(hit["arrested"], 4);
    assert!(
        hit["snippet"].as_str().is_some_and(|s| !s.is_empty()),
        "{hit}"
    );

    // The Bannu car bomb killed nine: killed: compares the count.
    for (query, found) in [
        ("type:bombing killed:9", true),
        ("type:bombing killed:>9", false),
    ] {
        let out = search(&data, query);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{query}: {stdout}");
        let hits: Value = serde_json::from_str(stdout.trim())
            .unwrap_or_else(|e| panic!("{query}: not JSON ({e}): {stdout}"));
        let bannu = hits.as_array().is_some_and(|hits| {
            hits.iter().any(|h| {
                h["id"]
                    .as_str()
                    .is_some_and(|id| id.starts_with("wire-bannu-car-bomb/"))
            })
        });
        assert_eq!(bannu, found, "{query}: {hits}");
    }
    let out = search(&data, "killed:>=-1");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "invalid query at position 8: bad count '>=-1' for 'killed:'; expected N, >N"
        ),
        "{stderr}"
    );

    let out = search(&data, "type:arrest plaec:Belgium");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("invalid query at position 13: unknown field 'plaec'"),
        "{stderr}"
    );
}
