//! `vigil muc4` and `vigil train --muc4` on damaged GRIT files: a bad
//! line is named (file and line) and skipped by `vigil muc4`, whose other
//! documents are still predicted, written and scored; `vigil train` refuses
//! the file before training. The documents are written here, so the test
//! needs nothing outside the repository.

use std::path::Path;
use std::process::{Command, Output};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn vigil(args: &[&str]) -> std::io::Result<Output> {
    Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(args)
        .output()
}

/// Two documents, a line that is not JSON, a document whose `doctext` is
/// a number and a second document under the first one's `docid`.
fn damaged_grit(dir: &Path) -> Result<std::path::PathBuf> {
    let lines = [
        r#"{"docid": "OWN-1", "doctext": "san salvador, 3 mar 90 -- urban guerrillas of the farabundo marti national liberation front today bombed a power station in san salvador with dynamite. the attack left the capital without electricity.", "extracts": {"PerpInd": [[["urban guerrillas", 26]]], "PerpOrg": [[["farabundo marti national liberation front", 50]]], "Target": [[["power station", 107]]], "Victim": [], "Weapon": [[["dynamite", 142]]]}}"#,
        "this line is not json",
        r#"{"docid": "OWN-2", "doctext": 42}"#,
        r#"{"docid": "OWN-3", "doctext": "bogota, 5 apr 90 -- the government announced a new coffee export agreement today.", "extracts": {"PerpInd": [], "PerpOrg": [], "Target": [], "Victim": [], "Weapon": []}}"#,
        r#"{"docid": "OWN-1", "doctext": "a second document under the same docid"}"#,
    ];
    let path = dir.join("damaged.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n")?;
    Ok(path)
}

#[test]
fn muc4_names_and_skips_bad_lines_and_runs_the_rest() -> Result<()> {
    let tmp = tempfile::tempdir()?;
    let input = damaged_grit(tmp.path())?;
    let preds = tmp.path().join("preds.json");
    let out = vigil(&[
        "muc4",
        "--input",
        input.to_str().ok_or("path")?,
        "--output",
        preds.to_str().ok_or("path")?,
        "--json",
    ])?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {stderr}");
    let shown = input.display().to_string();
    for line in [2, 3, 5] {
        assert!(
            stderr.contains(&format!("{shown}: line {line}:")),
            "line {line} not named in: {stderr}"
        );
    }
    assert!(stderr.contains("already used on line 1"), "{stderr}");
    assert!(stderr.contains("3 line(s)"), "{stderr}");

    let written: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&preds)?)?;
    let ids: Vec<&String> = written.as_object().ok_or("an object")?.keys().collect();
    assert_eq!(ids, ["OWN-1", "OWN-3"]);
    // The bombing is found: the dynamite at least (the weapon role is the
    // model's surest), and its mention is a string of the document.
    let weapons = written["OWN-1"]["pred_extracts"]["Weapon"]
        .as_array()
        .ok_or("weapon list")?;
    assert!(
        weapons.iter().any(|e| e[0] == "dynamite"),
        "weapons: {weapons:?}"
    );

    // The two good documents are scored: one JSON object with every role.
    let stdout = String::from_utf8_lossy(&out.stdout);
    let scores: serde_json::Value = serde_json::from_str(stdout.trim())?;
    for role in ["PerpInd", "PerpOrg", "Target", "Victim", "Weapon", "micro"] {
        assert!(scores.get(role).is_some(), "no {role} in {stdout}");
    }
    Ok(())
}

#[test]
fn train_refuses_a_damaged_file_naming_the_line() -> Result<()> {
    let tmp = tempfile::tempdir()?;
    let input = damaged_grit(tmp.path())?;
    let model = tmp.path().join("roles.model");
    let out = vigil(&[
        "train",
        "--muc4",
        input.to_str().ok_or("path")?,
        "--output",
        model.to_str().ok_or("path")?,
    ])?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "stderr: {stderr}");
    assert!(
        stderr.contains(&format!("{}: line 2:", input.display())),
        "{stderr}"
    );
    assert!(stderr.contains("fix or remove that line"), "{stderr}");
    assert!(!model.exists(), "no model from a damaged file");
    Ok(())
}
