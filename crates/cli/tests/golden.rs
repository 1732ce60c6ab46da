//! Golden tests: run the real `vigil analyze` on every article in
//! `tests/articles/` and check the hand-reviewed expectations written next to
//! it (`<name>.expect.json`; the language is documented in
//! `tests/articles/README.md`).
//!
//! Every failing expectation of an article is reported together, with what
//! was expected and what was found, so one run shows how far the pipeline is
//! from an analyst's reading. The matcher itself is unit-tested at the end of
//! this file on hand-made analyses.

use std::collections::{HashMap, HashSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, Datelike, NaiveDate};
use serde_json::{Map, Value};

// ---------------------------------------------------------------------------
// The tests, one per article.

macro_rules! golden {
    ($($test:ident => $name:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                run_golden($name);
            }
        )*

        /// Every `*.expect.json` in tests/articles must have a test above, so
        /// that a new article cannot be silently left out.
        #[test]
        fn every_expectation_file_has_a_test() {
            let listed: HashSet<&str> = [$($name),*].into_iter().collect();
            let mut missing = Vec::new();
            for name in expectation_names() {
                if !listed.contains(name.as_str()) {
                    missing.push(name);
                }
            }
            assert!(missing.is_empty(), "add these to the golden! list in crates/cli/tests/golden.rs: {missing:?}");
        }
    };
}

golden! {
    wire_brussels_plot => "wire-brussels-plot",
    liveblog_kaduna_kidnapping => "liveblog-kaduna-kidnapping",
    html_essen_christmas_market => "html-essen-christmas-market",
    telex_lima_1991 => "telex-lima-1991",
    lowercase_apatzingan_mayor => "lowercase-apatzingan-mayor",
    records_wire => "records-wire",
    obfuscated_vienna_pride => "obfuscated-vienna-pride",
    mixed_russian_quote => "mixed-russian-quote",
    economy_exports => "economy-exports",
    wire_bannu_car_bomb => "wire-bannu-car-bomb",
    wire_berlin_christmas_warning => "wire-berlin-christmas-warning",
    wire_djibo_ambush => "wire-djibo-ambush",
    plaintext_lyon_stabbing => "plaintext-lyon-stabbing",
    wire_vienna_plot_arrest => "wire-vienna-plot-arrest",
    wire_minsk_blogger_arrest => "wire-minsk-blogger-arrest",
    wire_harare_novelist_arrest => "wire-harare-novelist-arrest",
    wire_yangon_crackdown => "wire-yangon-crackdown",
    fixture_shafaq_isis_k => "fixture-shafaq-isis-k",
}

/// The expectation files must be well-formed (known keys, right value types)
/// whatever the pipeline does: a typo must not turn into a silent pass.
#[test]
fn expectation_files_are_well_formed() {
    let mut problems = Vec::new();
    let names = expectation_names();
    assert!(
        names.len() >= 9,
        "expected at least 9 expectation files, found {}",
        names.len()
    );
    for name in names {
        match load_spec(&name) {
            Ok(spec) => {
                for p in validate_spec(&spec) {
                    problems.push(format!("{name}: {p}"));
                }
                if let Err(e) = find_input(&name, &spec) {
                    if !spec
                        .get("optional_input")
                        .and_then(Value::as_bool)
                        .unwrap_or(false)
                    {
                        problems.push(format!("{name}: {e}"));
                    }
                }
            }
            Err(e) => problems.push(e),
        }
    }
    assert!(
        problems.is_empty(),
        "malformed expectations:\n  {}",
        problems.join("\n  ")
    );
}

// ---------------------------------------------------------------------------
// Running one article.

fn workspace_root() -> PathBuf {
    // crates/cli → the workspace root.
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn articles_dir() -> PathBuf {
    workspace_root().join("tests/articles")
}

fn expectation_names() -> Vec<String> {
    let dir = articles_dir();
    let entries =
        std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".expect.json"))
                .map(str::to_owned)
        })
        .collect();
    names.sort();
    names
}

fn load_spec(name: &str) -> Result<Value, String> {
    let path = articles_dir().join(format!("{name}.expect.json"));
    let raw = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&raw).map_err(|e| format!("{}: invalid JSON: {e}", path.display()))
}

/// The article of an expectation: `input` (relative to the workspace root)
/// when given, else the one file `tests/articles/<name>.<ext>`.
fn find_input(name: &str, spec: &Value) -> Result<PathBuf, String> {
    if let Some(input) = spec.get("input").and_then(Value::as_str) {
        let path = workspace_root().join(input);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!("input {} does not exist", path.display()))
        };
    }
    let dir = articles_dir();
    let prefix = format!("{name}.");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("reading {}: {e}", dir.display()))?
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.starts_with(&prefix) && !n.ends_with(".expect.json"))
        })
        .map(|e| e.path())
        .collect();
    found.sort();
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(format!(
            "no article file {name}.* next to {name}.expect.json"
        )),
        _ => Err(format!("several article files for {name}: {found:?}")),
    }
}

fn run_golden(name: &str) {
    let spec = load_spec(name).unwrap_or_else(|e| panic!("{e}"));
    let input = match find_input(name, &spec) {
        Ok(p) => p,
        Err(e)
            if spec
                .get("optional_input")
                .and_then(Value::as_bool)
                .unwrap_or(false) =>
        {
            // Written to the real stderr, not the captured one, so the skip is
            // visible in a normal `cargo test` run.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED golden test {name}: {e} (needs ../shared next to the repository)"
            );
            return;
        }
        Err(e) => panic!("{name}: {e}"),
    };
    let args: Vec<String> = spec
        .get("args")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let output = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .arg("analyze")
        .args(&args)
        .arg(&input)
        .output()
        .unwrap_or_else(|e| panic!("running vigil: {e}"));
    let mut failures = Vec::new();
    if !output.status.success() {
        failures.push(format!(
            "`vigil analyze {} {}` exited with {}; stderr: {}",
            args.join(" "),
            input.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut docs = Vec::new();
    for (i, line) in stdout
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        match serde_json::from_str::<Value>(line) {
            Ok(v) => docs.push(v),
            Err(e) => failures.push(format!(
                "stdout line {} is not JSON ({e}): {}",
                i + 1,
                clip(line, 200)
            )),
        }
    }
    failures.extend(check_output(&spec, &docs));
    if !failures.is_empty() {
        panic!(
            "\n{name} ({}): {} expectation(s) failed:\n  - {}\n",
            input.display(),
            failures.len(),
            failures.join("\n  - ")
        );
    }
}

// ---------------------------------------------------------------------------
// The expectation language: validation of the spec itself.

const TOP_KEYS: &[&str] = &[
    "description",
    "input",
    "optional_input",
    "args",
    "documents",
];
const DOC_KEYS: &[&str] = &[
    "description",
    "id",
    "title",
    "title_contains",
    "source",
    "source_contains",
    "url",
    "author_contains",
    "published",
    "published_from",
    "language",
    "cleaning",
    "text_contains",
    "text_not_contains",
    "entities",
    "no_entities",
    "events",
    "no_events",
    "no_events_of_type",
    "max_events",
    "quotes",
    "citations",
];
const CLEANING_KEYS: &[&str] = &[
    "confusables_replaced",
    "confusables_replaced_min",
    "confusables_replaced_max",
    "invisible_removed",
    "invisible_removed_min",
    "invisible_removed_max",
    "boilerplate_removed",
    "boilerplate_removed_min",
    "boilerplate_removed_max",
    "spaces_normalized_min",
];
const ENTITY_KEYS: &[&str] = &[
    "type",
    "name",
    "name_contains",
    "name_not_contains",
    "known_as",
    "mention",
    "mention_contains",
    "mentions_all",
    "mentions_min",
    "alias",
    "role_contains",
    "affiliation_contains",
    "parent_contains",
    "parent_not_contains",
    "country",
    "kb_id_contains",
    "unique",
];
const EVENT_KEYS: &[&str] = &[
    "type",
    "stage",
    "killed",
    "injured",
    "arrested",
    "killed_min",
    "injured_min",
    "date",
    "date_start",
    "date_precision",
    "location_contains",
    "location_country",
    "locations_contains",
    "location_none",
    "perpetrator_contains",
    "target_contains",
    "victim_contains",
    "weapon_contains",
    "nationalities",
    "attributed_to_contains",
    "evidence_contains",
    "trigger_contains",
    "confidence_min",
];
const QUOTE_KEYS: &[&str] = &["speaker_name_contains", "text_contains"];
const CITATION_KEYS: &[&str] = &[
    "kind",
    "source_contains",
    "cited_by_contains",
    "cited_by_null",
];

const ENTITY_TYPES: &[&str] = &[
    "PERSON",
    "ORGANIZATION",
    "ARMED_GROUP",
    "GOVERNMENT_BODY",
    "MEDIA_OUTLET",
    "COUNTRY",
    "REGION",
    "CITY",
    "SITE",
    "EVENT",
];
const EVENT_TYPES: &[&str] = &[
    "attack",
    "bombing",
    "shooting",
    "stabbing",
    "arson",
    "kidnapping",
    "hostage_taking",
    "vehicle_ramming",
    "assassination",
    "robbery",
    "plot",
    "arrest",
    "raid",
    "conviction",
    "warning",
    "claim",
];
const STAGES: &[&str] = &[
    "accomplished",
    "attempted",
    "foiled",
    "planned",
    "threatened",
];
const CITATION_KINDS: &[&str] = &["outlet", "report", "officials"];

/// Problems with the spec itself: unknown keys, wrong value kinds, unknown
/// enum values.
fn validate_spec(spec: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let Some(obj) = spec.as_object() else {
        return vec!["the expectation is not a JSON object".into()];
    };
    if let Some(docs) = obj.get("documents") {
        match docs.as_array() {
            Some(list) => {
                for (i, d) in list.iter().enumerate() {
                    validate_object(d, DOC_KEYS, &format!("documents[{i}]"), &mut out);
                    validate_doc(d, &format!("documents[{i}]"), &mut out);
                }
            }
            None => out.push("`documents` must be a list".into()),
        }
        for key in obj.keys() {
            if !TOP_KEYS.contains(&key.as_str()) {
                out.push(format!(
                    "unknown key `{key}` (with `documents`, put document expectations inside it)"
                ));
            }
        }
    } else {
        let all: Vec<&str> = TOP_KEYS.iter().chain(DOC_KEYS).copied().collect();
        validate_object(spec, &all, "expectation", &mut out);
        validate_doc(spec, "expectation", &mut out);
    }
    if let Some(args) = obj.get("args") {
        if !args
            .as_array()
            .is_some_and(|a| a.iter().all(Value::is_string))
        {
            out.push("`args` must be a list of strings".into());
        }
    }
    out
}

fn validate_object(v: &Value, keys: &[&str], at: &str, out: &mut Vec<String>) {
    match v.as_object() {
        Some(obj) => {
            for key in obj.keys() {
                if !keys.contains(&key.as_str()) {
                    out.push(format!("{at}: unknown key `{key}`"));
                }
            }
        }
        None => out.push(format!("{at}: must be an object")),
    }
}

fn validate_doc(d: &Value, at: &str, out: &mut Vec<String>) {
    if let Some(c) = d.get("cleaning") {
        validate_object(c, CLEANING_KEYS, &format!("{at}.cleaning"), out);
    }
    let lists: [(&str, &[&str]); 6] = [
        ("entities", ENTITY_KEYS),
        ("no_entities", ENTITY_KEYS),
        ("events", EVENT_KEYS),
        ("no_events", EVENT_KEYS),
        ("quotes", QUOTE_KEYS),
        ("citations", CITATION_KEYS),
    ];
    for (list, keys) in lists {
        let Some(items) = d.get(list) else { continue };
        let Some(items) = items.as_array() else {
            out.push(format!("{at}.{list}: must be a list"));
            continue;
        };
        for (i, item) in items.iter().enumerate() {
            let here = format!("{at}.{list}[{i}]");
            validate_object(item, keys, &here, out);
            let allowed: Option<(&str, &[&str])> = match list {
                "entities" | "no_entities" => Some(("type", ENTITY_TYPES)),
                "events" | "no_events" => Some(("type", EVENT_TYPES)),
                "citations" => Some(("kind", CITATION_KINDS)),
                _ => None,
            };
            if let Some((key, values)) = allowed {
                check_enum(item.get(key), values, &format!("{here}.{key}"), out);
            }
            if list.contains("events") {
                check_enum(item.get("stage"), STAGES, &format!("{here}.stage"), out);
                if let Some(p) = item.get("date") {
                    if p.as_str().and_then(period).is_none() {
                        out.push(format!("{here}.date: expected \"YYYY\", \"YYYY-MM\" or \"YYYY-MM-DD\", got {p}"));
                    }
                }
            }
        }
    }
    if let Some(types) = d.get("no_events_of_type") {
        check_enum(
            Some(types),
            EVENT_TYPES,
            &format!("{at}.no_events_of_type"),
            out,
        );
    }
    for key in ["text_contains", "text_not_contains"] {
        if let Some(v) = d.get(key) {
            if !v.as_array().is_some_and(|a| a.iter().all(Value::is_string)) {
                out.push(format!("{at}.{key}: must be a list of strings"));
            }
        }
    }
    if let Some(p) = d.get("published").and_then(Value::as_str) {
        if p.len() != 10 && DateTime::parse_from_rfc3339(p).is_err() {
            out.push(format!(
                "{at}.published: expected YYYY-MM-DD or an RFC 3339 time, got {p:?}"
            ));
        }
    }
}

fn check_enum(v: Option<&Value>, allowed: &[&str], at: &str, out: &mut Vec<String>) {
    let Some(v) = v else { return };
    let values: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    for value in values {
        match value.as_str() {
            Some(s) if allowed.contains(&s) => {}
            _ => out.push(format!("{at}: {value} is not one of {allowed:?}")),
        }
    }
}

// ---------------------------------------------------------------------------
// Checking output against a spec.

/// Checks the documents printed for one input file against its spec and
/// returns every failure.
fn check_output(spec: &Value, docs: &[Value]) -> Vec<String> {
    let mut failures: Vec<String> = validate_spec(spec)
        .into_iter()
        .map(|p| format!("bad expectation: {p}"))
        .collect();
    if let Some(expected) = spec.get("documents").and_then(Value::as_array) {
        if docs.len() != expected.len() {
            failures.push(format!(
                "expected {} documents, vigil printed {}",
                expected.len(),
                docs.len()
            ));
        }
        for (i, dspec) in expected.iter().enumerate() {
            let found = match dspec.get("id").and_then(Value::as_str) {
                Some(id) => docs
                    .iter()
                    .find(|d| d.get("id").and_then(Value::as_str) == Some(id)),
                None => docs.get(i),
            };
            let label = dspec
                .get("id")
                .and_then(Value::as_str)
                .map_or_else(|| format!("document {}", i + 1), str::to_owned);
            match found {
                Some(doc) => failures.extend(
                    check_document(dspec, doc)
                        .into_iter()
                        .map(|f| format!("[{label}] {f}")),
                ),
                None => failures.push(format!("[{label}] no such document in the output")),
            }
        }
    } else {
        if docs.len() != 1 {
            failures.push(format!("expected 1 document, vigil printed {}", docs.len()));
        }
        if let Some(doc) = docs.first() {
            failures.extend(check_document(spec, doc));
        }
    }
    failures
}

/// One analysis with its entities indexed by id.
struct Doc<'a> {
    v: &'a Value,
    text: &'a str,
    entities: HashMap<&'a str, &'a Value>,
}

impl<'a> Doc<'a> {
    fn new(v: &'a Value) -> Doc<'a> {
        let entities = arr(v, "entities")
            .iter()
            .filter_map(|e| e.get("id").and_then(Value::as_str).map(|id| (id, e)))
            .collect();
        Doc {
            v,
            text: v.get("text").and_then(Value::as_str).unwrap_or(""),
            entities,
        }
    }

    fn entity(&self, id: Option<&str>) -> Option<&'a Value> {
        id.and_then(|id| self.entities.get(id).copied())
    }

    /// Name and aliases of an entity.
    fn entity_names(&self, id: Option<&str>) -> Vec<&'a str> {
        let Some(e) = self.entity(id) else {
            return Vec::new();
        };
        let mut names = vec![s(e, "name")];
        names.extend(arr(e, "aliases").iter().filter_map(Value::as_str));
        names
    }

    /// A slot's text, its entity's name and aliases.
    fn slot_strings(&self, slot: &'a Value) -> Vec<&'a str> {
        let mut out = vec![s(slot, "text")];
        out.extend(self.entity_names(slot.get("entity").and_then(Value::as_str)));
        out
    }

    fn slot_country(&self, slot: &Value) -> Option<&'a str> {
        self.entity(slot.get("entity").and_then(Value::as_str))
            .and_then(|e| e.get("geo"))
            .and_then(|g| g.get("country"))
            .and_then(Value::as_str)
    }

    fn span_text(&self, span: &Value) -> Option<&'a str> {
        let start = span.get("start")?.as_u64()? as usize;
        let end = span.get("end")?.as_u64()? as usize;
        self.text.get(start..end)
    }
}

fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// Case-insensitive, whitespace-collapsed form used by every comparison.
fn norm(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn contains_ci(hay: &str, needle: &str) -> bool {
    norm(hay).contains(&norm(needle))
}

fn eq_ci(a: &str, b: &str) -> bool {
    norm(a) == norm(b)
}

/// A spec value that may be one string or a list of strings.
fn strings(v: &Value) -> Vec<&str> {
    match v {
        Value::String(s) => vec![s.as_str()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(max).collect::<String>())
    }
}

fn check_document(spec: &Value, v: &Value) -> Vec<String> {
    let doc = Doc::new(v);
    let mut f = Vec::new();
    check_invariants(&doc, &mut f);

    for key in ["id", "title", "source", "url", "published_from", "language"] {
        if let Some(want) = spec.get(key).and_then(Value::as_str) {
            let got = v.get(key).cloned().unwrap_or(Value::Null);
            if got.as_str() != Some(want) {
                f.push(format!("{key}: expected {want:?}, found {got}"));
            }
        }
    }
    for (key, field) in [
        ("title_contains", "title"),
        ("source_contains", "source"),
        ("author_contains", "author"),
    ] {
        if let Some(want) = spec.get(key).and_then(Value::as_str) {
            let got = v.get(field).and_then(Value::as_str);
            if !got.is_some_and(|g| contains_ci(g, want)) {
                f.push(format!(
                    "{field}: expected to contain {want:?}, found {got:?}"
                ));
            }
        }
    }
    if let Some(want) = spec.get("published").and_then(Value::as_str) {
        let got = v.get("published").and_then(Value::as_str);
        if let Err(msg) = published_matches(want, got) {
            f.push(msg);
        }
    }
    if let Some(c) = spec.get("cleaning").and_then(Value::as_object) {
        check_cleaning(c, v.get("cleaning"), &mut f);
    }
    for needle in spec.get("text_contains").map(strings).unwrap_or_default() {
        if !doc.text.contains(needle) {
            f.push(format!("text: does not contain {needle:?}"));
        }
    }
    for needle in spec
        .get("text_not_contains")
        .map(strings)
        .unwrap_or_default()
    {
        if let Some(at) = doc.text.find(needle) {
            let from = doc.text[..at]
                .char_indices()
                .rev()
                .nth(30)
                .map_or(0, |(i, _)| i);
            f.push(format!(
                "text: contains {needle:?} (…{}…)",
                clip(&doc.text[from..], 80)
            ));
        }
    }

    let entities = arr(v, "entities");
    let events = arr(v, "events");
    match_list(
        "entity",
        arr(spec, "entities"),
        entities,
        |sp, e| entity_failures(&doc, sp, e),
        describe_entity,
        &mut f,
    );
    match_list(
        "event",
        arr(spec, "events"),
        events,
        |sp, e| event_failures(&doc, sp, e),
        |e| describe_event(&doc, e),
        &mut f,
    );
    match_list(
        "quote",
        arr(spec, "quotes"),
        arr(v, "quotes"),
        |sp, q| quote_failures(&doc, sp, q),
        |q| {
            format!(
                "{:?} by {:?}",
                clip(s(q, "text"), 60),
                quote_speaker(&doc, q)
            )
        },
        &mut f,
    );
    match_list(
        "citation",
        arr(spec, "citations"),
        arr(v, "citations"),
        |sp, c| citation_failures(&doc, sp, c),
        |c| describe_citation(&doc, c),
        &mut f,
    );

    for sp in arr(spec, "no_entities") {
        for e in entities
            .iter()
            .filter(|e| entity_failures(&doc, sp, e).is_empty())
        {
            f.push(format!(
                "unwanted entity {} matches {sp}",
                describe_entity(e)
            ));
        }
    }
    for sp in arr(spec, "no_events") {
        for e in events
            .iter()
            .filter(|e| event_failures(&doc, sp, e).is_empty())
        {
            f.push(format!(
                "unwanted event {} matches {sp}",
                describe_event(&doc, e)
            ));
        }
    }
    let banned = spec
        .get("no_events_of_type")
        .map(strings)
        .unwrap_or_default();
    for e in events.iter().filter(|e| banned.contains(&s(e, "type"))) {
        f.push(format!(
            "unwanted event of type {:?}: {}",
            s(e, "type"),
            describe_event(&doc, e)
        ));
    }
    if let Some(max) = spec.get("max_events").and_then(Value::as_u64) {
        if events.len() as u64 > max {
            let list: Vec<String> = events.iter().map(|e| describe_event(&doc, e)).collect();
            f.push(format!(
                "expected at most {max} events, found {}: {}",
                events.len(),
                list.join("; ")
            ));
        }
    }
    f
}

fn published_matches(want: &str, got: Option<&str>) -> Result<(), String> {
    let Some(got) = got else {
        return Err(format!("published: expected {want}, found null"));
    };
    if want.len() == 10 {
        // A date: the local date as written in the output.
        if got.get(..10) == Some(want) {
            return Ok(());
        }
        return Err(format!("published: expected the date {want}, found {got}"));
    }
    match (
        DateTime::parse_from_rfc3339(want),
        DateTime::parse_from_rfc3339(got),
    ) {
        (Ok(w), Ok(g)) if w == g && w.offset() == g.offset() => Ok(()),
        (Ok(_), Ok(_)) => Err(format!("published: expected {want}, found {got}")),
        (_, Err(e)) => Err(format!("published: {got:?} is not RFC 3339 ({e})")),
        (Err(e), _) => Err(format!("published: bad expectation {want:?} ({e})")),
    }
}

fn check_cleaning(spec: &Map<String, Value>, got: Option<&Value>, f: &mut Vec<String>) {
    for (key, want) in spec {
        let Some(want) = want.as_u64() else {
            f.push(format!(
                "cleaning.{key}: expectation must be a non-negative integer"
            ));
            continue;
        };
        let (field, cmp) = if let Some(field) = key.strip_suffix("_min") {
            (field, "at least")
        } else if let Some(field) = key.strip_suffix("_max") {
            (field, "at most")
        } else {
            (key.as_str(), "exactly")
        };
        let found = got.and_then(|c| c.get(field)).and_then(Value::as_u64);
        let ok = found.is_some_and(|n| match cmp {
            "at least" => n >= want,
            "at most" => n <= want,
            _ => n == want,
        });
        if !ok {
            f.push(format!(
                "cleaning.{field}: expected {cmp} {want}, found {found:?}"
            ));
        }
    }
}

/// Structural invariants every analysis must satisfy, checked on every
/// golden output: spans inside the text on char boundaries, mention texts
/// equal to what they cover, unique ids, references that resolve.
fn check_invariants(doc: &Doc<'_>, f: &mut Vec<String>) {
    let text = doc.text;
    let span_ok = |span: &Value| {
        let start = span.get("start").and_then(Value::as_u64);
        let end = span.get("end").and_then(Value::as_u64);
        match (start, end) {
            (Some(a), Some(b)) => a <= b && text.get(a as usize..b as usize).is_some(),
            _ => false,
        }
    };
    let bad = |what: String, span: &Value| {
        format!(
            "invariant: {what} span {}..{} is not inside the text on char boundaries",
            span.get("start").unwrap_or(&Value::Null),
            span.get("end").unwrap_or(&Value::Null)
        )
    };
    for (i, sentence) in arr(doc.v, "sentences").iter().enumerate() {
        if !span_ok(sentence) {
            f.push(bad(format!("sentence {i}"), sentence));
        }
    }
    let mut ids = HashSet::new();
    let mut dup = Vec::new();
    for e in arr(doc.v, "entities") {
        if !ids.insert(s(e, "id")) {
            dup.push(s(e, "id").to_owned());
        }
        for m in arr(e, "mentions") {
            if !span_ok(m) {
                f.push(bad(
                    format!("mention {:?} of {}", s(m, "text"), s(e, "id")),
                    m,
                ));
                continue;
            }
            let covered = doc.span_text(m).unwrap_or("");
            if covered != s(m, "text") {
                f.push(format!(
                    "invariant: mention of {} says {:?} but its span covers {covered:?}",
                    s(e, "id"),
                    s(m, "text")
                ));
            }
        }
    }
    let mut bad_ref = Vec::new();
    for ev in arr(doc.v, "events") {
        let id = s(ev, "id");
        if !ids.insert(id) {
            dup.push(id.to_owned());
        }
        if let Some(t) = ev.get("trigger").filter(|t| !span_ok(t)) {
            f.push(bad(format!("trigger of {id}"), t));
        }
        for span in arr(ev, "evidence").iter().filter(|sp| !span_ok(sp)) {
            f.push(bad(format!("evidence of {id}"), span));
        }
        let mut slots: Vec<&Value> = ev
            .get("location")
            .filter(|l| !l.is_null())
            .into_iter()
            .collect();
        for key in [
            "locations",
            "perpetrators",
            "targets",
            "victims",
            "weapons",
            "nationalities",
        ] {
            slots.extend(arr(ev, key));
        }
        for slot in slots {
            if let Some(eid) = slot.get("entity").and_then(Value::as_str) {
                if !doc.entities.contains_key(eid) {
                    bad_ref.push(format!("{id} → {eid}"));
                }
            }
            if let Some(span) = slot.get("span").filter(|sp| !sp.is_null() && !span_ok(sp)) {
                f.push(bad(format!("slot {:?} of {id}", s(slot, "text")), span));
            }
        }
        for eid in arr(ev, "attributed_to").iter().filter_map(Value::as_str) {
            if !doc.entities.contains_key(eid) {
                bad_ref.push(format!("{id} attributed_to {eid}"));
            }
        }
    }
    for q in arr(doc.v, "quotes") {
        if !span_ok(q) {
            f.push(bad(format!("quote {:?}", clip(s(q, "text"), 30)), q));
        }
        if let Some(eid) = q.get("speaker").and_then(Value::as_str) {
            if !doc.entities.contains_key(eid) {
                bad_ref.push(format!("quote speaker {eid}"));
            }
        }
    }
    for c in arr(doc.v, "citations") {
        if let Some(span) = c.get("span").filter(|sp| !span_ok(sp)) {
            f.push(bad("citation".into(), span));
        }
    }
    if !dup.is_empty() {
        f.push(format!("invariant: duplicate ids {dup:?}"));
    }
    if !bad_ref.is_empty() {
        f.push(format!(
            "invariant: references to unknown entities: {bad_ref:?}"
        ));
    }
}

/// Matches expectations to items one-to-one (maximum bipartite matching, so
/// two expectations never claim the same event) and reports every
/// expectation left unmatched, with the nearest candidates and why they
/// failed.
fn match_list<'v>(
    what: &str,
    specs: &[Value],
    items: &'v [Value],
    failures: impl Fn(&Value, &'v Value) -> Vec<String>,
    describe: impl Fn(&'v Value) -> String,
    out: &mut Vec<String>,
) {
    let reasons: Vec<Vec<Vec<String>>> = specs
        .iter()
        .map(|sp| items.iter().map(|it| failures(sp, it)).collect())
        .collect();
    let fits: Vec<Vec<usize>> = reasons
        .iter()
        .map(|r| {
            r.iter()
                .enumerate()
                .filter(|(_, f)| f.is_empty())
                .map(|(i, _)| i)
                .collect()
        })
        .collect();
    let assignment = bipartite(&fits, items.len());
    for (si, sp) in specs.iter().enumerate() {
        if assignment[si].is_some() {
            continue;
        }
        let spec_text = sp.to_string();
        if !fits[si].is_empty() {
            let taken: Vec<String> = fits[si].iter().map(|&i| describe(&items[i])).collect();
            out.push(format!(
                "{what} {spec_text}: only matched {what}s already claimed by other expectations: {}",
                taken.join("; ")
            ));
            continue;
        }
        if items.is_empty() {
            out.push(format!("{what} {spec_text}: not found (no {what}s at all)"));
            continue;
        }
        let mut near: Vec<(usize, &Vec<String>)> = reasons[si].iter().enumerate().collect();
        near.sort_by_key(|(_, r)| r.len());
        let shown: Vec<String> = near
            .iter()
            .take(3)
            .map(|(i, r)| format!("{} [{}]", describe(&items[*i]), r.join("; ")))
            .collect();
        out.push(format!(
            "{what} {spec_text}: not found; nearest: {}",
            shown.join(" | ")
        ));
    }
}

/// Kuhn's augmenting-path algorithm: for each spec, the index of the item
/// it is matched with.
fn bipartite(fits: &[Vec<usize>], n_items: usize) -> Vec<Option<usize>> {
    fn augment(
        s: usize,
        fits: &[Vec<usize>],
        seen: &mut [bool],
        owner: &mut [Option<usize>],
    ) -> bool {
        for &item in &fits[s] {
            if seen[item] {
                continue;
            }
            seen[item] = true;
            if owner[item].is_none_or(|other| augment(other, fits, seen, owner)) {
                owner[item] = Some(s);
                return true;
            }
        }
        false
    }
    let mut owner: Vec<Option<usize>> = vec![None; n_items];
    for s in 0..fits.len() {
        let mut seen = vec![false; n_items];
        augment(s, fits, &mut seen, &mut owner);
    }
    let mut result = vec![None; fits.len()];
    for (item, s) in owner.iter().enumerate() {
        if let Some(s) = s {
            result[*s] = Some(item);
        }
    }
    result
}

fn type_ok(spec: &Value, key: &str, got: &str, r: &mut Vec<String>) {
    if let Some(want) = spec.get(key) {
        let want = strings(want);
        if !want.contains(&got) {
            r.push(format!("{key} {got:?} not in {want:?}"));
        }
    }
}

fn entity_failures(doc: &Doc<'_>, sp: &Value, e: &Value) -> Vec<String> {
    let mut r = Vec::new();
    type_ok(sp, "type", s(e, "type"), &mut r);
    let name = s(e, "name");
    let aliases: Vec<&str> = arr(e, "aliases").iter().filter_map(Value::as_str).collect();
    let mentions: Vec<&str> = arr(e, "mentions").iter().map(|m| s(m, "text")).collect();
    if let Some(want) = sp.get("name").and_then(Value::as_str) {
        if !eq_ci(name, want) {
            r.push(format!("name is not {want:?}"));
        }
    }
    for want in sp.get("name_contains").map(strings).unwrap_or_default() {
        if !contains_ci(name, want) {
            r.push(format!("name lacks {want:?}"));
        }
    }
    for want in sp.get("name_not_contains").map(strings).unwrap_or_default() {
        if contains_ci(name, want) {
            r.push(format!("name contains {want:?}"));
        }
    }
    if let Some(want) = sp.get("known_as").and_then(Value::as_str) {
        if !std::iter::once(name)
            .chain(aliases.iter().copied())
            .chain(mentions.iter().copied())
            .any(|n| eq_ci(n, want))
        {
            r.push(format!("not known as {want:?}"));
        }
    }
    if let Some(want) = sp.get("alias").and_then(Value::as_str) {
        if !aliases.iter().any(|a| eq_ci(a, want)) {
            r.push(format!("no alias {want:?}"));
        }
    }
    if let Some(want) = sp.get("mention").and_then(Value::as_str) {
        if !mentions.iter().any(|m| eq_ci(m, want)) {
            r.push(format!("no mention {want:?}"));
        }
    }
    if let Some(want) = sp.get("mention_contains").and_then(Value::as_str) {
        if !mentions.iter().any(|m| contains_ci(m, want)) {
            r.push(format!("no mention containing {want:?}"));
        }
    }
    for want in sp.get("mentions_all").map(strings).unwrap_or_default() {
        if !mentions.iter().any(|m| eq_ci(m, want)) {
            r.push(format!("no mention {want:?}"));
        }
    }
    if let Some(min) = sp.get("mentions_min").and_then(Value::as_u64) {
        if (mentions.len() as u64) < min {
            r.push(format!("{} mentions < {min}", mentions.len()));
        }
    }
    for (key, field) in [
        ("role_contains", "role"),
        ("affiliation_contains", "affiliation"),
        ("parent_contains", "parent"),
        ("kb_id_contains", "kb_id"),
    ] {
        for want in sp.get(key).map(strings).unwrap_or_default() {
            let got = e.get(field).and_then(Value::as_str);
            if !got.is_some_and(|g| contains_ci(g, want)) {
                r.push(format!("{field} {got:?} lacks {want:?}"));
            }
        }
    }
    if let Some(want) = sp.get("parent_not_contains").and_then(Value::as_str) {
        if e.get("parent")
            .and_then(Value::as_str)
            .is_none_or(|p| contains_ci(p, want))
        {
            r.push(format!(
                "parent {:?} is missing or contains {want:?}",
                e.get("parent")
            ));
        }
    }
    if let Some(want) = sp.get("country").and_then(Value::as_str) {
        let got = e
            .get("geo")
            .and_then(|g| g.get("country"))
            .and_then(Value::as_str);
        if got != Some(want) {
            r.push(format!("geo.country {got:?} is not {want:?}"));
        }
    }
    if r.is_empty() && sp.get("unique").and_then(Value::as_bool).unwrap_or(false) {
        // Exactly one entity may satisfy the rest of the expectation.
        let mut rest = sp.clone();
        if let Some(obj) = rest.as_object_mut() {
            obj.remove("unique");
            obj.remove("mentions_all");
            obj.remove("mentions_min");
            obj.remove("mention");
            obj.remove("parent_contains");
        }
        let others: Vec<String> = arr(doc.v, "entities")
            .iter()
            .filter(|o| !std::ptr::eq(*o, e) && entity_failures(doc, &rest, o).is_empty())
            .map(describe_entity)
            .collect();
        if !others.is_empty() {
            r.push(format!("not unique: also {}", others.join("; ")));
        }
    }
    r
}

fn describe_entity(e: &Value) -> String {
    let mentions: Vec<&str> = arr(e, "mentions").iter().map(|m| s(m, "text")).collect();
    let mut out = format!("{} {} {:?}", s(e, "id"), s(e, "type"), s(e, "name"));
    for key in ["role", "parent"] {
        if let Some(v) = e.get(key).and_then(Value::as_str) {
            out.push_str(&format!(" {key}={v:?}"));
        }
    }
    if let Some(c) = e
        .get("geo")
        .and_then(|g| g.get("country"))
        .and_then(Value::as_str)
    {
        out.push_str(&format!(" country={c}"));
    }
    let mut uniq: Vec<&str> = Vec::new();
    for m in mentions {
        if !uniq.contains(&m) {
            uniq.push(m);
        }
    }
    out.push_str(&format!(" mentions={uniq:?}"));
    out
}

/// A "YYYY", "YYYY-MM" or "YYYY-MM-DD" period as an inclusive date range.
fn period(p: &str) -> Option<(NaiveDate, NaiveDate)> {
    let parts: Vec<&str> = p.split('-').collect();
    let year: i32 = parts.first()?.parse().ok()?;
    match parts.len() {
        1 if parts[0].len() == 4 => Some((
            NaiveDate::from_ymd_opt(year, 1, 1)?,
            NaiveDate::from_ymd_opt(year, 12, 31)?,
        )),
        2 => {
            let month: u32 = parts[1].parse().ok()?;
            let start = NaiveDate::from_ymd_opt(year, month, 1)?;
            let next = if month == 12 {
                NaiveDate::from_ymd_opt(year + 1, 1, 1)?
            } else {
                NaiveDate::from_ymd_opt(year, month + 1, 1)?
            };
            Some((start, next.pred_opt()?))
        }
        3 => {
            let d = NaiveDate::parse_from_str(p, "%Y-%m-%d").ok()?;
            Some((d, d))
        }
        _ => None,
    }
}

fn event_date(e: &Value) -> Option<(NaiveDate, NaiveDate)> {
    let d = e.get("date")?;
    let start = NaiveDate::parse_from_str(d.get("start")?.as_str()?, "%Y-%m-%d").ok()?;
    let end = NaiveDate::parse_from_str(d.get("end")?.as_str()?, "%Y-%m-%d").ok()?;
    Some((start, end))
}

fn event_failures(doc: &Doc<'_>, sp: &Value, e: &Value) -> Vec<String> {
    let mut r = Vec::new();
    type_ok(sp, "type", s(e, "type"), &mut r);
    type_ok(sp, "stage", s(e, "stage"), &mut r);
    for key in ["killed", "injured", "arrested"] {
        if let Some(want) = sp.get(key).and_then(Value::as_u64) {
            let got = e.get(key).and_then(Value::as_u64);
            if got != Some(want) {
                r.push(format!("{key} {got:?} != {want}"));
            }
        }
    }
    for (key, field) in [("killed_min", "killed"), ("injured_min", "injured")] {
        if let Some(min) = sp.get(key).and_then(Value::as_u64) {
            let got = e.get(field).and_then(Value::as_u64);
            if got.is_none_or(|g| g < min) {
                r.push(format!("{field} {got:?} < {min}"));
            }
        }
    }
    let date = event_date(e);
    let date_text = e.get("date").map_or("null".into(), |d| {
        format!("{}..{} ({})", s(d, "start"), s(d, "end"), s(d, "precision"))
    });
    if let Some(want) = sp.get("date").and_then(Value::as_str) {
        let ok = match (period(want), date) {
            (Some((ps, pe)), Some((ds, de))) => ps <= ds && de <= pe,
            _ => false,
        };
        if !ok {
            r.push(format!("date {date_text} not within {want}"));
        }
    }
    if let Some(want) = sp.get("date_start").and_then(Value::as_str) {
        if date
            .map(|(ds, _)| ds.format("%Y-%m-%d").to_string())
            .as_deref()
            != Some(want)
        {
            r.push(format!("date {date_text} does not start on {want}"));
        }
    }
    if let Some(want) = sp.get("date_precision").and_then(Value::as_str) {
        let got = e.get("date").map(|d| s(d, "precision"));
        if got != Some(want) {
            r.push(format!("date precision {got:?} is not {want:?}"));
        }
    }
    let location = e.get("location").filter(|l| !l.is_null());
    if let Some(want) = sp.get("location_contains").and_then(Value::as_str) {
        if !location.is_some_and(|l| doc.slot_strings(l).iter().any(|t| contains_ci(t, want))) {
            r.push(format!(
                "location {:?} lacks {want:?}",
                location.map(|l| s(l, "text"))
            ));
        }
    }
    if let Some(want) = sp.get("location_country").and_then(Value::as_str) {
        let got = location.and_then(|l| doc.slot_country(l));
        if got != Some(want) {
            r.push(format!("location country {got:?} is not {want:?}"));
        }
    }
    if sp.get("location_none").and_then(Value::as_bool) == Some(true) {
        if let Some(l) = location {
            r.push(format!("location {:?} where none is said", s(l, "text")));
        }
    }
    if let Some(wants) = sp.get("locations_contains") {
        let all: Vec<&Value> = location.into_iter().chain(arr(e, "locations")).collect();
        for want in strings(wants) {
            if !all
                .iter()
                .any(|l| doc.slot_strings(l).iter().any(|t| contains_ci(t, want)))
            {
                r.push(format!("no location containing {want:?}"));
            }
        }
    }
    for (key, field) in [
        ("perpetrator_contains", "perpetrators"),
        ("target_contains", "targets"),
        ("victim_contains", "victims"),
        ("weapon_contains", "weapons"),
    ] {
        for want in sp.get(key).map(strings).unwrap_or_default() {
            let slots = arr(e, field);
            if !slots
                .iter()
                .any(|sl| doc.slot_strings(sl).iter().any(|t| contains_ci(t, want)))
            {
                let texts: Vec<&str> = slots.iter().map(|sl| s(sl, "text")).collect();
                r.push(format!("{field} {texts:?} lack {want:?}"));
            }
        }
    }
    for want in sp.get("nationalities").map(strings).unwrap_or_default() {
        let slots = arr(e, "nationalities");
        if !slots
            .iter()
            .any(|sl| doc.slot_strings(sl).iter().any(|t| contains_ci(t, want)))
        {
            let texts: Vec<&str> = slots.iter().map(|sl| s(sl, "text")).collect();
            r.push(format!("nationalities {texts:?} lack {want:?}"));
        }
    }
    if let Some(want) = sp.get("attributed_to_contains").and_then(Value::as_str) {
        let ids: Vec<&str> = arr(e, "attributed_to")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let ok = ids.iter().any(|id| {
            let mut names = doc.entity_names(Some(id));
            if let Some(ent) = doc.entity(Some(id)) {
                names.extend(arr(ent, "mentions").iter().map(|m| s(m, "text")));
            }
            names.iter().any(|n| contains_ci(n, want))
        });
        if !ok {
            let names: Vec<&str> = ids
                .iter()
                .map(|id| doc.entity(Some(id)).map_or(*id, |en| s(en, "name")))
                .collect();
            r.push(format!("attributed_to {names:?} lacks {want:?}"));
        }
    }
    if let Some(want) = sp.get("evidence_contains").and_then(Value::as_str) {
        if !arr(e, "evidence")
            .iter()
            .any(|span| doc.span_text(span).is_some_and(|t| contains_ci(t, want)))
        {
            r.push(format!("no evidence sentence containing {want:?}"));
        }
    }
    if let Some(want) = sp.get("trigger_contains").and_then(Value::as_str) {
        let got = e.get("trigger").map(|t| s(t, "text")).unwrap_or("");
        if !contains_ci(got, want) {
            r.push(format!("trigger {got:?} lacks {want:?}"));
        }
    }
    if let Some(min) = sp.get("confidence_min").and_then(Value::as_f64) {
        let got = e.get("confidence").and_then(Value::as_f64);
        if !got.is_some_and(|c| c >= min) {
            r.push(format!("confidence {got:?} < {min}"));
        }
    }
    r
}

fn describe_event(doc: &Doc<'_>, e: &Value) -> String {
    let mut out = format!("{} {}/{}", s(e, "id"), s(e, "type"), s(e, "stage"));
    if let Some(t) = e.get("trigger") {
        out.push_str(&format!(" {:?}", s(t, "text")));
    }
    if let Some((start, end)) = event_date(e) {
        if start == end {
            out.push_str(&format!(" on {start}"));
        } else if start.day() == 1 && start.month() == end.month() && start.year() == end.year() {
            out.push_str(&format!(" in {}", start.format("%Y-%m")));
        } else {
            out.push_str(&format!(" {start}..{end}"));
        }
    }
    if let Some(l) = e.get("location").filter(|l| !l.is_null()) {
        out.push_str(&format!(" at {:?}", s(l, "text")));
        if let Some(c) = doc.slot_country(l) {
            out.push_str(&format!(" ({c})"));
        }
    }
    for key in ["killed", "injured", "arrested"] {
        if let Some(n) = e.get(key).and_then(Value::as_u64) {
            out.push_str(&format!(" {key}={n}"));
        }
    }
    for key in ["perpetrators", "targets", "victims"] {
        let texts: Vec<&str> = arr(e, key).iter().map(|sl| s(sl, "text")).collect();
        if !texts.is_empty() {
            out.push_str(&format!(" {key}={texts:?}"));
        }
    }
    out
}

fn quote_speaker<'a>(doc: &Doc<'a>, q: &'a Value) -> Vec<&'a str> {
    let mut names = doc.entity_names(q.get("speaker").and_then(Value::as_str));
    if let Some(t) = q.get("speaker_text").and_then(Value::as_str) {
        names.push(t);
    }
    names
}

fn quote_failures(doc: &Doc<'_>, sp: &Value, q: &Value) -> Vec<String> {
    let mut r = Vec::new();
    if let Some(want) = sp.get("text_contains").and_then(Value::as_str) {
        if !contains_ci(s(q, "text"), want) {
            r.push(format!("text lacks {want:?}"));
        }
    }
    if let Some(want) = sp.get("speaker_name_contains").and_then(Value::as_str) {
        let names = quote_speaker(doc, q);
        if !names.iter().any(|n| contains_ci(n, want)) {
            r.push(format!("speaker {names:?} lacks {want:?}"));
        }
    }
    r
}

fn describe_citation(doc: &Doc<'_>, c: &Value) -> String {
    let source = c
        .get("source")
        .map(|sl| doc.slot_strings(sl))
        .unwrap_or_default();
    let by = c
        .get("cited_by")
        .filter(|b| !b.is_null())
        .map(|sl| doc.slot_strings(sl));
    format!("{} {:?} cited by {:?}", s(c, "kind"), source, by)
}

fn citation_failures(doc: &Doc<'_>, sp: &Value, c: &Value) -> Vec<String> {
    let mut r = Vec::new();
    type_ok(sp, "kind", s(c, "kind"), &mut r);
    if let Some(want) = sp.get("source_contains").and_then(Value::as_str) {
        let names = c
            .get("source")
            .map(|sl| doc.slot_strings(sl))
            .unwrap_or_default();
        if !names.iter().any(|n| contains_ci(n, want)) {
            r.push(format!("source {names:?} lacks {want:?}"));
        }
    }
    let by = c.get("cited_by").filter(|b| !b.is_null());
    if let Some(want) = sp.get("cited_by_contains").and_then(Value::as_str) {
        let names = by.map(|sl| doc.slot_strings(sl)).unwrap_or_default();
        if !names.iter().any(|n| contains_ci(n, want)) {
            r.push(format!("cited_by {names:?} lacks {want:?}"));
        }
    }
    if let Some(want_null) = sp.get("cited_by_null").and_then(Value::as_bool) {
        if want_null != by.is_none() {
            r.push(format!(
                "cited_by is {}",
                if by.is_none() { "null" } else { "set" }
            ));
        }
    }
    r
}

// ---------------------------------------------------------------------------
// Unit tests of the matcher on a hand-made analysis.

mod matcher {
    use super::*;
    use serde_json::json;

    const TEXT: &str = "Police in Köln arrested 3 men from Tajikistan on Sunday. ISIS-K, also ISIL-K, claimed it. \"We are ready,\" said Jane Roe, the police chief, citing The Times.";

    fn span_of(needle: &str) -> (usize, usize) {
        let start = TEXT.find(needle).expect("needle is in TEXT");
        (start, start + needle.len())
    }

    fn mention(needle: &str) -> Value {
        let (start, end) = span_of(needle);
        json!({"text": needle, "start": start, "end": end})
    }

    fn analysis() -> Value {
        let (qs, qe) = span_of("We are ready,");
        let (cs, ce) = span_of("citing The Times");
        let (ss, se) = span_of("Police in Köln arrested 3 men from Tajikistan on Sunday.");
        json!({
            "id": "doc-1",
            "title": "Arrests in Köln",
            "source": "Example News",
            "url": null,
            "author": null,
            "published": "2024-03-12T09:30:00+01:00",
            "published_from": "record",
            "language": "en",
            "text": TEXT,
            "cleaning": {"confusables_replaced": 12, "invisible_removed": 0, "boilerplate_removed": 2,
                         "spaces_normalized": 0, "changes": [], "changes_truncated": false},
            "sentences": [{"start": ss, "end": se}],
            "entities": [
                {"id": "E1", "type": "CITY", "name": "Cologne", "aliases": ["Köln"], "mentions": [mention("Köln")],
                 "role": null, "affiliation": null, "parent": null,
                 "geo": {"lat": 50.94, "lon": 6.96, "country": "DE"}, "kb_id": "geonames:2886242"},
                {"id": "E2", "type": "COUNTRY", "name": "Tajikistan", "aliases": [], "mentions": [mention("Tajikistan")],
                 "role": null, "affiliation": null, "parent": null,
                 "geo": {"lat": 38.5, "lon": 71.0, "country": "TJ"}, "kb_id": "country:TJ"},
                {"id": "E3", "type": "ARMED_GROUP", "name": "Islamic State Khorasan Province", "aliases": ["ISIS-K"],
                 "mentions": [mention("ISIS-K"), mention("ISIL-K")],
                 "role": null, "affiliation": null, "parent": "Islamic State", "geo": null, "kb_id": null},
                {"id": "E4", "type": "PERSON", "name": "Jane Roe", "aliases": [], "mentions": [mention("Jane Roe")],
                 "role": "the police chief", "affiliation": null, "parent": null, "geo": null, "kb_id": null},
                {"id": "E5", "type": "MEDIA_OUTLET", "name": "The Times", "aliases": [], "mentions": [mention("The Times")],
                 "role": null, "affiliation": null, "parent": null, "geo": null, "kb_id": null}
            ],
            "events": [
                {"id": "V1", "type": "arrest", "stage": "accomplished", "trigger": mention("arrested"),
                 "date": {"start": "2024-03-10", "end": "2024-03-10", "precision": "day", "text": "on Sunday", "relative": true},
                 "location": {"text": "Köln", "entity": "E1"}, "locations": [{"text": "Köln", "entity": "E1"}],
                 "perpetrators": [], "targets": [], "victims": [], "weapons": [],
                 "killed": null, "injured": null, "arrested": 3,
                 "nationalities": [{"text": "Tajikistan", "entity": "E2"}],
                 "attributed_to": ["E4"], "evidence": [{"start": ss, "end": se}], "confidence": 0.9},
                {"id": "V2", "type": "claim", "stage": "accomplished", "trigger": mention("claimed"),
                 "date": null, "location": null, "locations": [],
                 "perpetrators": [{"text": "ISIS-K", "entity": "E3"}], "targets": [], "victims": [], "weapons": [],
                 "killed": null, "injured": null, "arrested": null, "nationalities": [],
                 "attributed_to": [], "evidence": [], "confidence": 0.6}
            ],
            "quotes": [{"speaker": "E4", "speaker_text": null, "text": "We are ready,", "start": qs, "end": qe}],
            "citations": [{"kind": "outlet", "source": {"text": "The Times", "entity": "E5"}, "cited_by": null,
                           "span": {"start": cs, "end": ce}}]
        })
    }

    fn check(spec: Value) -> Vec<String> {
        check_output(&spec, &[analysis()])
    }

    #[test]
    fn a_correct_spec_passes() {
        let spec = json!({
            "published": "2024-03-12T09:30:00+01:00",
            "published_from": "record",
            "title_contains": "köln",
            "cleaning": {"confusables_replaced_min": 10, "boilerplate_removed": 2, "invisible_removed_max": 0},
            "text_contains": ["arrested 3 men"],
            "text_not_contains": ["Accept cookies"],
            "entities": [
                {"type": "CITY", "name": "cologne", "country": "DE", "known_as": "Köln"},
                {"type": "ARMED_GROUP", "name_contains": "Khorasan", "mentions_all": ["ISIS-K", "ISIL-K"],
                 "parent_contains": "Islamic State", "unique": true},
                {"type": "PERSON", "name": "Jane Roe", "role_contains": ["police", "chief"]}
            ],
            "no_entities": [{"type": "PERSON", "name_contains": "Times"}],
            "events": [
                {"type": ["arrest", "raid"], "stage": "accomplished", "arrested": 3, "date": "2024-03",
                 "date_start": "2024-03-10", "location_contains": "Cologne", "location_country": "DE",
                 "nationalities": ["Tajik"], "attributed_to_contains": "Roe", "evidence_contains": "police in köln"},
                {"type": "claim", "perpetrator_contains": "Khorasan"}
            ],
            "no_events_of_type": ["bombing"],
            "max_events": 2,
            "quotes": [{"speaker_name_contains": "Roe", "text_contains": "ready"}],
            "citations": [{"kind": "outlet", "source_contains": "Times", "cited_by_null": true}]
        });
        let failures = check(spec);
        assert!(failures.is_empty(), "unexpected failures: {failures:#?}");
    }

    #[test]
    fn every_failure_is_reported_with_what_was_found() {
        let spec = json!({
            "published": "2024-03-13",
            "cleaning": {"confusables_replaced_min": 13},
            "text_contains": ["Cologne Cathedral"],
            "entities": [{"type": "CITY", "name": "Cologne", "country": "FR"}],
            "events": [{"type": "arrest", "arrested": 4, "date": "2024-03-11"}],
            "quotes": [{"speaker_name_contains": "Smith"}],
            "citations": [{"kind": "report"}]
        });
        let failures = check(spec);
        assert_eq!(
            failures.len(),
            7,
            "one failure per expectation: {failures:#?}"
        );
        let all = failures.join("\n");
        for needle in [
            "expected the date 2024-03-13, found 2024-03-12T09:30:00+01:00",
            "confusables_replaced: expected at least 13, found Some(12)",
            "does not contain \"Cologne Cathedral\"",
            "geo.country Some(\"DE\") is not \"FR\"",
            "arrested Some(3) != 4",
            "date 2024-03-10..2024-03-10 (day) not within 2024-03-11",
            "speaker [\"Jane Roe\"] lacks \"Smith\"",
            "kind \"outlet\" not in [\"report\"]",
        ] {
            assert!(all.contains(needle), "missing {needle:?} in:\n{all}");
        }
    }

    #[test]
    fn two_expectations_cannot_claim_the_same_event() {
        let spec =
            json!({"events": [{"type": "arrest"}, {"type": ["arrest", "raid"], "arrested": 3}]});
        let failures = check(spec);
        assert_eq!(failures.len(), 1, "{failures:#?}");
        assert!(failures[0].contains("already claimed"), "{failures:#?}");
        // The matching is maximal, not greedy: a loose expectation listed
        // first does not steal the only event a strict one can match.
        let spec =
            json!({"events": [{"stage": "accomplished"}, {"type": "arrest", "arrested": 3}]});
        assert!(check(spec).is_empty());
    }

    #[test]
    fn negative_expectations_fail_when_matched() {
        let failures = check(json!({"no_events_of_type": ["arrest"], "max_events": 1,
                                     "no_entities": [{"type": "ARMED_GROUP"}],
                                     "no_events": [{"type": "claim", "perpetrator_contains": "ISIS"}],
                                     "text_not_contains": ["Tajikistan"]}));
        assert_eq!(failures.len(), 5, "{failures:#?}");
    }

    #[test]
    fn unique_fails_when_a_group_is_split() {
        let mut doc = analysis();
        let extra = json!({"id": "E6", "type": "ARMED_GROUP", "name": "ISIL-Khorasan", "aliases": [],
                           "mentions": [], "role": null, "affiliation": null, "parent": null, "geo": null, "kb_id": null});
        doc["entities"]
            .as_array_mut()
            .expect("entities is a list")
            .push(extra);
        let spec = json!({"entities": [{"type": "ARMED_GROUP", "name_contains": "Khorasan", "unique": true}]});
        let failures = check_output(&spec, &[doc]);
        assert_eq!(failures.len(), 1, "{failures:#?}");
        assert!(failures[0].contains("not unique"), "{failures:#?}");
    }

    #[test]
    fn month_precision_is_not_a_day() {
        let mut doc = analysis();
        doc["events"][0]["date"] = json!({"start": "2024-03-01", "end": "2024-03-31", "precision": "month", "text": "March"});
        let spec = json!({"events": [{"type": "arrest", "date": "2024-03-10"}]});
        assert_eq!(check_output(&spec, &[doc.clone()]).len(), 1);
        let spec =
            json!({"events": [{"type": "arrest", "date": "2024-03", "date_precision": "month"}]});
        assert!(check_output(&spec, &[doc]).is_empty());
    }

    #[test]
    fn broken_spans_and_dangling_references_are_reported() {
        let mut doc = analysis();
        doc["entities"][0]["mentions"][0]["end"] = json!(12); // inside 'ö'
        doc["events"][0]["attributed_to"] = json!(["E99"]);
        let failures = check_output(&json!({}), &[doc]);
        assert_eq!(failures.len(), 2, "{failures:#?}");
        assert!(
            failures.iter().any(|f| f.contains("char boundaries")),
            "{failures:#?}"
        );
        assert!(failures.iter().any(|f| f.contains("E99")), "{failures:#?}");
    }

    #[test]
    fn unknown_keys_and_values_in_a_spec_are_errors() {
        let spec = json!({"entites": [], "events": [{"type": "picnic", "stage": "done", "date": "March"}]});
        let problems = validate_spec(&spec);
        assert_eq!(problems.len(), 4, "{problems:#?}");
        assert!(!check(spec).is_empty());
    }

    #[test]
    fn documents_are_matched_by_id_and_counted() {
        let spec =
            json!({"documents": [{"id": "doc-1", "title_contains": "Arrests"}, {"id": "doc-2"}]});
        let failures = check(spec);
        assert_eq!(failures.len(), 2, "{failures:#?}");
        assert!(failures
            .iter()
            .any(|f| f.contains("expected 2 documents, vigil printed 1")));
        assert!(failures
            .iter()
            .any(|f| f.contains("[doc-2] no such document")));
    }

    #[test]
    fn periods() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("valid date");
        assert_eq!(period("2023"), Some((d("2023-01-01"), d("2023-12-31"))));
        assert_eq!(period("2024-02"), Some((d("2024-02-01"), d("2024-02-29"))));
        assert_eq!(period("2023-12"), Some((d("2023-12-01"), d("2023-12-31"))));
        assert_eq!(
            period("2023-12-24"),
            Some((d("2023-12-24"), d("2023-12-24")))
        );
        assert_eq!(period("Dec 2023"), None);
        assert_eq!(period("2023-13"), None);
    }
}
