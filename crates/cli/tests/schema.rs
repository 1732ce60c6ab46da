//! The JSON Schema of `vigil analyze` output (`schema/analysis.schema.json`)
//! must describe what vigil really prints: real output on the test articles
//! validates against it, so do fully populated core types, and broken
//! objects do not.

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, NaiveDate};
use serde_json::{json, Value};
use vigil_core::{
    Analysis, Citation, CitationKind, CleaningChange, CleaningKind, CleaningReport, DateValue,
    Entity, EntityType, Event, EventType, Geo, Mention, Precision, Quote, Slot, Span, Stage,
};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn schema() -> Value {
    let path = workspace_root().join("schema/analysis.schema.json");
    let raw = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&raw).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

fn validator() -> jsonschema::Validator {
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema())
        .unwrap_or_else(|e| panic!("the schema does not compile: {e}"))
}

/// Every validation error, as "path: message".
fn errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn schema_is_valid_draft_2020_12() {
    let schema = schema();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert!(
        jsonschema::meta::is_valid(&schema),
        "schema/analysis.schema.json is not a valid JSON Schema"
    );
}

/// An analysis with every optional field set and every list non-empty, built
/// from the core types, so that the schema is checked against what serde
/// really produces for each field.
fn full_analysis() -> Analysis {
    let text = "ISIS-K attacked a church in Istanbul in January 2023, killing one.".to_owned();
    let slot = |t: &str, entity: Option<&str>, span: Option<Span>| Slot {
        text: t.into(),
        entity: entity.map(Into::into),
        span,
    };
    let january = DateValue {
        start: NaiveDate::from_ymd_opt(2023, 1, 1).expect("valid date"),
        end: NaiveDate::from_ymd_opt(2023, 1, 31).expect("valid date"),
        precision: Precision::Month,
        text: "January 2023".into(),
        span: Some(Span::new(40, 52)),
        relative: false,
    };
    Analysis {
        id: "doc-1".into(),
        title: Some("Church attack".into()),
        source: Some("Example News".into()),
        url: Some("https://news.example/a".into()),
        author: Some("A. Writer".into()),
        published: Some(
            DateTime::parse_from_rfc3339("2024-03-25T13:10:07+00:00").expect("valid time"),
        ),
        published_from: Some("text".into()),
        language: "en".into(),
        cleaning: CleaningReport {
            confusables_replaced: 3,
            invisible_removed: 1,
            boilerplate_removed: 2,
            spaces_normalized: 1,
            changes: vec![CleaningChange {
                kind: CleaningKind::Confusable,
                before: "іn".into(),
                after: "in".into(),
            }],
            changes_truncated: false,
        },
        sentences: vec![Span::new(0, text.len())],
        entities: vec![
            Entity {
                id: "E1".into(),
                kind: EntityType::ArmedGroup,
                name: "Islamic State Khorasan Province".into(),
                aliases: vec!["ISIS-K".into()],
                mentions: vec![Mention {
                    text: "ISIS-K".into(),
                    start: 0,
                    end: 6,
                }],
                role: None,
                affiliation: None,
                parent: Some("Islamic State".into()),
                geo: None,
                kb_id: Some("group:islamic-state-khorasan".into()),
            },
            Entity {
                id: "E2".into(),
                kind: EntityType::City,
                name: "Istanbul".into(),
                aliases: vec![],
                mentions: vec![Mention {
                    text: "Istanbul".into(),
                    start: 28,
                    end: 36,
                }],
                role: Some("n/a".into()),
                affiliation: Some("n/a".into()),
                parent: None,
                geo: Some(Geo {
                    lat: 41.01,
                    lon: 28.95,
                    country: "TR".into(),
                    geonames_id: Some(745044),
                    admin1: None,
                }),
                kb_id: Some("geonames:745044".into()),
            },
        ],
        events: vec![Event {
            id: "V1".into(),
            kind: EventType::Attack,
            stage: Stage::Accomplished,
            trigger: Mention {
                text: "attacked".into(),
                start: 7,
                end: 15,
            },
            date: Some(january.clone()),
            location: Some(slot("Istanbul", Some("E2"), Some(Span::new(28, 36)))),
            locations: vec![slot("Istanbul", Some("E2"), None)],
            perpetrators: vec![slot("ISIS-K", Some("E1"), Some(Span::new(0, 6)))],
            targets: vec![slot("a church", None, Some(Span::new(16, 24)))],
            victims: vec![slot("one", None, None)],
            weapons: vec![slot("gun", None, None)],
            killed: Some(1),
            injured: Some(0),
            arrested: None,
            fatal: false,
            crime: None,
            nationalities: vec![slot("Tajik", None, None)],
            attributed_to: vec!["E1".into()],
            evidence: vec![Span::new(0, text.len())],
            confidence: 0.75,
        }],
        quotes: vec![Quote {
            speaker: Some("E1".into()),
            speaker_text: None,
            text: "killing one".into(),
            start: 54,
            end: 65,
        }],
        citations: vec![Citation {
            kind: CitationKind::Outlet,
            source: slot("The New York Times", None, None),
            cited_by: Some(slot("Shafaq News", None, None)),
            span: Span::new(0, 6),
        }],
        // The event's date is one of the text's.
        dates: vec![january],
        text,
    }
}

#[test]
fn core_types_serialize_to_valid_output() {
    let v = validator();
    let full = serde_json::to_value(full_analysis()).expect("Analysis serialises");
    let errs = errors(&v, &full);
    assert!(
        errs.is_empty(),
        "a fully populated Analysis does not validate:\n  {}",
        errs.join("\n  ")
    );
    // Nothing found: every option null, every list empty.
    let empty = Analysis {
        id: "doc-2".into(),
        language: "und".into(),
        ..Analysis::default()
    };
    let empty = serde_json::to_value(empty).expect("Analysis serialises");
    let errs = errors(&v, &empty);
    assert!(
        errs.is_empty(),
        "an empty Analysis does not validate:\n  {}",
        errs.join("\n  ")
    );
    // Every enum value the core defines is accepted.
    for kind in EntityType::ALL {
        let mut a = full.clone();
        a["entities"][0]["type"] = json!(kind.as_str());
        assert!(v.is_valid(&a), "entity type {} rejected", kind.as_str());
    }
    for kind in EventType::ALL {
        let mut a = full.clone();
        a["events"][0]["type"] = json!(kind.as_str());
        assert!(v.is_valid(&a), "event type {} rejected", kind.as_str());
    }
}

/// A named way of breaking a valid analysis object.
type Breakage = Box<dyn Fn(&mut Value)>;

#[test]
fn broken_objects_fail_validation() {
    let v = validator();
    let full = serde_json::to_value(full_analysis()).expect("Analysis serialises");
    let cases: Vec<(&str, Breakage)> = vec![
        (
            "event type picnic",
            Box::new(|a| a["events"][0]["type"] = json!("picnic")),
        ),
        (
            "stage finished",
            Box::new(|a| a["events"][0]["stage"] = json!("finished")),
        ),
        (
            "date of the text without its start",
            Box::new(|a| {
                if let Some(d) = a["dates"][0].as_object_mut() {
                    d.remove("start");
                }
            }),
        ),
        ("dates not a list", Box::new(|a| a["dates"] = json!({}))),
        (
            "entity type lowercase",
            Box::new(|a| a["entities"][0]["type"] = json!("person")),
        ),
        (
            "negative offset",
            Box::new(|a| a["entities"][0]["mentions"][0]["start"] = json!(-1)),
        ),
        (
            "fractional offset",
            Box::new(|a| a["sentences"][0]["end"] = json!(3.5)),
        ),
        (
            "killed as string",
            Box::new(|a| a["events"][0]["killed"] = json!("one")),
        ),
        (
            "confidence above 1",
            Box::new(|a| a["events"][0]["confidence"] = json!(1.5)),
        ),
        (
            "country not ISO alpha-2",
            Box::new(|a| a["entities"][1]["geo"]["country"] = json!("Turkey")),
        ),
        (
            "country lower-case",
            Box::new(|a| a["entities"][1]["geo"]["country"] = json!("tr")),
        ),
        (
            "precision week",
            Box::new(|a| a["events"][0]["date"]["precision"] = json!("week")),
        ),
        (
            "published without offset",
            Box::new(|a| a["published"] = json!("2024-03-25 13:10")),
        ),
        (
            "missing text",
            Box::new(|a| _ = a.as_object_mut().map(|o| o.remove("text"))),
        ),
        (
            "missing events",
            Box::new(|a| _ = a.as_object_mut().map(|o| o.remove("events"))),
        ),
        (
            "unknown field",
            Box::new(|a| a["sentiment"] = json!("negative")),
        ),
        (
            "citation kind rumour",
            Box::new(|a| a["citations"][0]["kind"] = json!("rumour")),
        ),
        (
            "slot without entity",
            Box::new(|a| {
                _ = a["events"][0]["targets"][0]
                    .as_object_mut()
                    .map(|o| o.remove("entity"))
            }),
        ),
    ];
    let mut accepted = Vec::new();
    for (name, breaks) in &cases {
        let mut a = full.clone();
        breaks(&mut a);
        if v.is_valid(&a) {
            accepted.push(*name);
        }
    }
    assert!(
        accepted.is_empty(),
        "the schema accepts broken objects: {accepted:?}"
    );
}

/// Runs `vigil analyze` on every test article (with the `args` of its
/// expectation file) and validates every line it prints.
#[test]
fn real_output_validates() {
    let v = validator();
    let dir = workspace_root().join("tests/articles");
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            !name.ends_with(".expect.json") && !name.ends_with(".md")
        })
        .collect();
    inputs.sort();
    let fixture = workspace_root().join("../shared/fixtures/obfuscated-news-article.txt");
    if fixture.is_file() {
        inputs.push(fixture);
    }
    assert!(
        inputs.len() >= 9,
        "expected the test articles in {}",
        dir.display()
    );

    let mut problems = Vec::new();
    let mut documents = 0;
    for input in &inputs {
        let args = expectation_args(input);
        let out = Command::new(env!("CARGO_BIN_EXE_vigil"))
            .arg("analyze")
            .args(&args)
            .arg(input)
            .output()
            .unwrap_or_else(|e| panic!("running vigil: {e}"));
        let name = input
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_owned();
        if !out.status.success() {
            problems.push(format!(
                "{name}: vigil analyze exited with {}: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        for (i, line) in String::from_utf8_lossy(&out.stdout)
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.is_empty())
        {
            match serde_json::from_str::<Value>(line) {
                Ok(doc) => {
                    documents += 1;
                    for e in errors(&v, &doc) {
                        problems.push(format!("{name} line {}: {e}", i + 1));
                    }
                }
                Err(e) => problems.push(format!("{name} line {}: not JSON: {e}", i + 1)),
            }
        }
    }
    assert!(
        problems.is_empty(),
        "output does not match schema/analysis.schema.json:\n  {}",
        problems.join("\n  ")
    );
    assert!(
        documents >= inputs.len(),
        "vigil printed {documents} documents for {} inputs",
        inputs.len()
    );
}

/// The `args` list of the article's expectation file, if any.
fn expectation_args(input: &Path) -> Vec<String> {
    let Some(stem) = input
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.split('.').next())
    else {
        return Vec::new();
    };
    let spec_path = input.with_file_name(format!("{stem}.expect.json"));
    let Ok(raw) = std::fs::read_to_string(spec_path) else {
        return Vec::new();
    };
    let spec: Value = serde_json::from_str(&raw).unwrap_or(Value::Null);
    spec.get("args")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}
