//! `vigil ingest` of tests/articles, then `vigil export` in every format:
//! the STIX bundle passes `stix2-validator` with zero errors (and only the
//! warnings docs/export.md explains), the Parquet file reads back with
//! pyarrow, the GeoJSON and CSV are well-formed and agree with the JSON
//! Lines, and `vigil import` of the JSON Lines into a fresh store gives the
//! same incidents back. Python checks print `SKIPPED: …` when a module is
//! missing.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn articles() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/articles");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .is_some_and(|x| x == "txt" || x == "html" || x == "jsonl")
        })
        .collect();
    files.sort();
    files
}

fn vigil<S: AsRef<OsStr>>(args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running vigil: {e}"))
}

fn ok(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
}

fn ingest(data: &Path) {
    let mut args: Vec<&OsStr> = vec!["ingest".as_ref()];
    let files = articles();
    args.extend(files.iter().map(|f| f.as_os_str()));
    args.extend(["--data".as_ref(), data.as_os_str()]);
    ok(&vigil(&args), "ingest");
}

fn export(data: &Path, format: &str, output: &Path, query: Option<&str>) {
    let mut args: Vec<&OsStr> = vec![
        "export".as_ref(),
        "--format".as_ref(),
        format.as_ref(),
        "--data".as_ref(),
        data.as_os_str(),
        "--output".as_ref(),
        output.as_os_str(),
    ];
    if let Some(q) = query {
        args.push(q.as_ref());
    }
    let out = vigil(&args);
    ok(&out, &format!("export --format {format}"));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("vigil: exported "),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn incidents(path: &Path) -> BTreeMap<String, Value> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (v["id"].as_str().unwrap().to_string(), v)
        })
        .collect()
}

/// Runs a Python snippet; `None` (after printing SKIPPED) when Python or
/// `module` is missing. The snippet prints one JSON value.
fn python(module: &str, code: &str, arg: &Path) -> Option<Value> {
    let probe = Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output();
    match probe {
        Ok(o) if o.status.success() => {}
        _ => {
            println!(
                "SKIPPED: python3 module {module} is not installed (python3 -m pip install {})",
                module.replace("stix2validator", "stix2-validator")
            );
            return None;
        }
    }
    let out = Command::new("python3")
        .args(["-c", code])
        .arg(arg)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "python output is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    }))
}

const VALIDATE: &str = r#"
import json, re, sys
from stix2validator import validate_file, ValidationOptions
r = validate_file(sys.argv[1], ValidationOptions(version="2.1"))
errors, warnings = [], []
for o in r.object_results:
    errors += [str(e) for e in o.errors]
    warnings += [str(w) for w in o.warnings]
codes = sorted({m.group(1) for w in warnings for m in [re.search(r"\{(\d+)\}", w)] if m})
print(json.dumps({"valid": r.is_valid, "errors": errors, "codes": codes, "warnings": len(warnings)}))
"#;

const PYARROW: &str = r#"
import json, sys
import pyarrow.parquet as pq
t = pq.read_table(sys.argv[1])
f = pq.ParquetFile(sys.argv[1])
print(json.dumps({
    "rows": t.num_rows,
    "row_groups": f.num_row_groups,
    "types": {field.name: str(field.type) for field in t.schema},
    "ids": t.column("incident_id").to_pylist(),
    "killed": t.column("killed").to_pylist(),
    "dates": [d.isoformat() if d else None for d in t.column("event_date").to_pylist()],
}))
"#;

/// A minimal RFC 4180 reader.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field, mut quoted) = (Vec::new(), Vec::new(), String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}

#[test]
fn exports_validate_and_round_trip() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    ingest(&data);
    let out = |name: &str| tmp.path().join(name);

    // JSON Lines: the reference for the other formats.
    export(&data, "jsonl", &out("all.jsonl"), None);
    let all = incidents(&out("all.jsonl"));
    assert!(all.len() >= 20, "only {} incidents", all.len());

    // STIX.
    export(&data, "stix", &out("all.stix.json"), None);
    let bytes = std::fs::read(out("all.stix.json")).unwrap();
    let bundle: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(bundle["type"], "bundle");
    let objects = bundle["objects"].as_array().unwrap();
    let count = |t: &str| objects.iter().filter(|o| o["type"] == t).count();
    let notes = all
        .values()
        .filter(|i| i["type"] == "warning" || i["type"] == "claim")
        .count();
    assert_eq!(count("incident") + count("note"), all.len());
    assert_eq!(count("note"), notes);
    assert!(
        count("threat-actor") >= 5,
        "{} threat actors",
        count("threat-actor")
    );
    assert!(count("location") >= 10);
    let docs: std::collections::BTreeSet<&str> = all
        .values()
        .flat_map(|i| i["sources"].as_array().unwrap())
        .filter_map(|s| s["doc_id"].as_str())
        .collect();
    assert_eq!(count("report"), docs.len());
    let actor_names: Vec<&str> = objects
        .iter()
        .filter(|o| o["type"] == "threat-actor")
        .filter_map(|o| o["name"].as_str())
        .collect();
    assert!(
        actor_names.contains(&"Islamic State Khorasan Province"),
        "{actor_names:?}"
    );
    let brussels = objects
        .iter()
        .find(|o| o["type"] == "location" && o["name"] == "Brussels")
        .expect("a Brussels location");
    assert_eq!(brussels["x_opencti_location_type"], "City");
    assert_eq!(brussels["country"], "BE");
    // Deterministic: a second export is byte-identical.
    export(&data, "stix", &out("again.stix.json"), None);
    assert!(
        std::fs::read(out("again.stix.json")).unwrap() == bytes,
        "STIX export is not deterministic"
    );
    if let Some(v) = python("stix2validator", VALIDATE, &out("all.stix.json")) {
        assert_eq!(
            v["errors"],
            serde_json::json!([]),
            "stix2-validator errors: {v}"
        );
        assert_eq!(v["valid"], true, "{v}");
        // Only the warnings docs/export.md explains.
        for code in v["codes"].as_array().unwrap() {
            assert!(
                ["103", "202", "302"].contains(&code.as_str().unwrap_or("")),
                "unexplained stix2-validator warning {code}: {v}"
            );
        }
        println!(
            "stix2-validator: 0 errors, {} warnings (codes {})",
            v["warnings"], v["codes"]
        );
    }

    // Parquet, read back by pyarrow.
    export(&data, "parquet", &out("all.parquet"), None);
    if let Some(v) = python("pyarrow", PYARROW, &out("all.parquet")) {
        assert_eq!(v["rows"], all.len());
        assert_eq!(v["types"]["event_date"], "date32[day]");
        assert_eq!(v["types"]["latitude"], "double");
        assert_eq!(v["types"]["killed"], "int32");
        assert_eq!(v["types"]["notes"], "string");
        let ids: Vec<&str> = v["ids"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let expected: Vec<&str> = all.keys().map(String::as_str).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(sorted, expected);
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(v["killed"][i], all[*id]["killed"], "killed of {id}");
            let date = all[*id]["date"]["start"].as_str();
            if date.is_some() {
                assert_eq!(v["dates"][i].as_str(), date, "event_date of {id}");
            }
        }
    }

    // GeoJSON: RFC 7946 structure, longitude first.
    export(&data, "geojson", &out("all.geojson"), None);
    let geo: Value = serde_json::from_slice(&std::fs::read(out("all.geojson")).unwrap()).unwrap();
    assert_eq!(geo["type"], "FeatureCollection");
    assert!(geo.get("crs").is_none());
    let features = geo["features"].as_array().unwrap();
    assert_eq!(features.len(), all.len());
    let mut located = 0;
    for f in features {
        assert_eq!(f["type"], "Feature");
        assert!(f["properties"].is_object());
        let incident = &all[f["id"].as_str().unwrap()];
        match incident["location"]["geo"].as_object() {
            Some(g) => {
                located += 1;
                assert_eq!(f["geometry"]["type"], "Point");
                let c = f["geometry"]["coordinates"].as_array().unwrap();
                assert_eq!(c.len(), 2);
                let (lon, lat) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
                assert!((lon - g["lon"].as_f64().unwrap()).abs() < 1e-6, "{f}");
                assert!((lat - g["lat"].as_f64().unwrap()).abs() < 1e-6, "{f}");
            }
            None => assert!(f["geometry"].is_null(), "{f}"),
        }
    }
    assert!(located > 10);

    // CSV: header, one well-formed row per incident.
    export(&data, "csv", &out("all.csv"), None);
    let rows = csv_rows(&std::fs::read_to_string(out("all.csv")).unwrap());
    assert_eq!(rows.len(), all.len() + 1);
    let header = &rows[0];
    assert_eq!(
        header[..20].join(","),
        "event_id_cnty,event_date,year,time_precision,event_type,sub_event_type,actor1,\
         assoc_actor_1,actor2,country,admin1,location,latitude,longitude,geo_precision,source,\
         source_scale,notes,fatalities,timestamp"
    );
    for name in [
        "stage",
        "killed",
        "injured",
        "arrested",
        "incident_id",
        "sources_count",
    ] {
        assert!(header.iter().any(|h| h == name), "no {name} column");
    }
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    for row in &rows[1..] {
        assert_eq!(row.len(), header.len(), "{row:?}");
        let incident = &all[&row[col("incident_id")]];
        assert_eq!(row[col("stage")], incident["stage"].as_str().unwrap());
    }
    let brussels_arrest = rows[1..]
        .iter()
        .find(|r| r[col("type")] == "arrest" && r[col("location")] == "Brussels")
        .expect("the Brussels arrest");
    assert_eq!(brussels_arrest[col("country")], "Belgium");
    assert_eq!(brussels_arrest[col("event_type")], "Strategic developments");
    assert_eq!(brussels_arrest[col("sub_event_type")], "Arrests");
    assert!(brussels_arrest[col("event_id_cnty")].starts_with("BEL"));

    // A query narrows the export.
    export(
        &data,
        "jsonl",
        &out("be.jsonl"),
        Some("type:arrest place:Belgium"),
    );
    let be = incidents(&out("be.jsonl"));
    assert_eq!(be.len(), 1, "{:?}", be.keys());
    // Ids are content-derived: the narrower bundle's objects carry the same
    // ids as in the full one (a re-export updates, never duplicates).
    export(
        &data,
        "stix",
        &out("be.stix.json"),
        Some("type:arrest place:Belgium"),
    );
    let narrow: Value =
        serde_json::from_slice(&std::fs::read(out("be.stix.json")).unwrap()).unwrap();
    let full_ids: std::collections::BTreeSet<&str> =
        objects.iter().filter_map(|o| o["id"].as_str()).collect();
    let narrow_objects = narrow["objects"].as_array().unwrap();
    assert!(narrow_objects.len() > 3);
    for o in narrow_objects {
        let id = o["id"].as_str().unwrap();
        assert!(
            full_ids.contains(id),
            "{id} ({}) is not in the full export",
            o["type"]
        );
    }

    // Round trip: import into a fresh store, export again, same incidents.
    let fresh = tmp.path().join("fresh");
    let out_import = vigil(&[
        "import".as_ref(),
        out("all.jsonl").as_os_str(),
        "--data".as_ref(),
        fresh.as_os_str(),
    ]);
    ok(&out_import, "import");
    export(&fresh, "jsonl", &out("again.jsonl"), None);
    let again = incidents(&out("again.jsonl"));
    assert_eq!(again.len(), all.len());
    assert!(
        again == all,
        "the imported incidents differ from the exported ones"
    );
}

#[test]
fn bad_format_and_missing_store_are_clear_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let out = vigil(&[
        "export",
        "--format",
        "xlsx",
        "--data",
        tmp.path().to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown export format"), "{err}");

    let out = vigil(&[
        "export",
        "--format",
        "csv",
        "--data",
        tmp.path().to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no vigil store here"), "{err}");
}
