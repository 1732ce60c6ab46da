//! `vigil muc4`: runs vigil's learned role-filler extractor and its rule
//! pipeline (combined by `muc4::combine`) on MUC-4
//! documents (GRIT format), writes the predictions and, when the input has
//! answer keys, scores them with CEAF-REE (the metric of
//! `../shared/eval/muc4_score.py`). The pipeline's analysis also gives the
//! date and location of each document's main incident (`muc4::slots`; the
//! model's learned rankers choose among the dates and places the document
//! gives), written next to the role fillers and, with `--keys`, scored.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use rayon::prelude::*;
use vigil_extract::muc4::slots::{self, Dateline, SlotPrediction};
use vigil_extract::muc4::{self, RoleLists, RoleModel};

/// Run the pipeline on MUC-4 documents (GRIT format) and score the result.
///
/// A line of the input that is not a GRIT document (malformed JSON, no
/// `docid` or `doctext`, a `docid` already used) is reported on standard
/// error with its line number and skipped; the other documents are run,
/// written and scored, and the exit status is 1.
///
/// Example (the development set, scored, with incident type, stage, date
/// and location against the full answer keys):
///
///   vigil muc4 -i ../shared/data/muc4/dev.jsonl -o preds.json --keys ../shared/data/muc4/raw/key-tst1.v7 ../shared/data/muc4/raw/key-tst2.v4
#[derive(clap::Args)]
pub struct Args {
    /// GRIT JSON Lines: `docid`, `doctext`, optional `extracts`.
    #[arg(long, short, value_name = "FILE")]
    pub input: PathBuf,
    /// Where to write `{docid: {"pred_extracts": {role: [[mention, …], …]}}}`.
    #[arg(long, short, value_name = "FILE")]
    pub output: PathBuf,
    /// Model file (default: the model embedded in this binary).
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Print the scores as JSON (`{role: {p, r, f1}, "micro": …}`).
    #[arg(long)]
    pub json: bool,
    /// Raw MUC-4 answer-key files for the input documents (e.g.
    /// `raw/key-tst1.v7 raw/key-tst2.v4` for dev): also report the
    /// accuracy of the predicted main incident type, stage, date and
    /// location.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub keys: Vec<PathBuf>,
    /// Directory of the raw MUC-4 texts (`raw/`): their datelines give each
    /// document's date, against which "yesterday" or "last Friday" are
    /// resolved. Default: the directory of the first `--keys` file.
    #[arg(long, value_name = "DIR")]
    pub raw: Option<PathBuf>,
    /// Also write the rule pipeline's role fillers alone
    /// (`muc4::from_analysis`) to this file.
    #[arg(long, value_name = "FILE")]
    pub rules_output: Option<PathBuf>,
    /// The learned model alone: do not add the rule pipeline's fillers
    /// (`muc4::combine`; a model trained with the rules' hints still reads
    /// them).
    #[arg(long)]
    pub no_rules: bool,
    /// Five numbers added to the model's tuned role biases (experiments),
    /// in role order: PerpInd PerpOrg Target Victim Weapon.
    #[arg(long, num_args = 5, allow_hyphen_values = true, value_name = "BIAS")]
    pub add_bias: Option<Vec<f32>>,
}

/// Per document: the combined role fillers, the rule pipeline's alone, the
/// date/location prediction with whether an incident was found, and the
/// document classifiers' incident type and stage.
type DocOutput<'m> = (
    RoleLists,
    RoleLists,
    Option<(SlotPrediction, bool)>,
    muc4::DocLabels<'m>,
);

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let model = match &args.model {
        Some(path) => {
            let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            RoleModel::load(&bytes).with_context(|| format!("loading {}", path.display()))?
        }
        None => RoleModel::embedded()
            .context("this binary embeds no MUC-4 model; train one with `vigil train --muc4` and pass --model")?,
    };
    let mut model = model;
    if let Some(add) = &args.add_bias {
        for (b, x) in model.params.role_bias.iter_mut().zip(add) {
            *b += x;
        }
    }
    let input = std::fs::read_to_string(&args.input)
        .with_context(|| format!("reading {}", args.input.display()))?;
    let (docs, bad_lines) = muc4::read_jsonl_lenient(&input);
    for err in &bad_lines {
        eprintln!("vigil: {}: {err}; skipped", args.input.display());
    }
    let raw_dir: Option<&Path> = args
        .raw
        .as_deref()
        .or_else(|| args.keys.first().and_then(|k| k.parent()));
    let datelines: HashMap<String, Dateline> = match raw_dir {
        Some(dir) => slots::read_datelines(dir)
            .with_context(|| format!("reading the raw MUC-4 texts in {}", dir.display()))?,
        None => HashMap::new(),
    };
    // The pipeline runs unless the learned model alone was asked for
    // without keys to score dates and locations against.
    // A model trained with the rules' hints needs them in any case.
    let analyse = !args.no_rules
        || args.rules_output.is_some()
        || !args.keys.is_empty()
        || model.uses_hints();
    let pipeline = vigil_extract::Pipeline::new().context("loading vigil's gazetteers")?;
    let gazetteer = &pipeline.resources().geo;
    let started = Instant::now();
    let all: Vec<DocOutput> = docs
        .par_iter()
        .map(|d| {
            if !analyse {
                let (learned, labels) = model.predict_typed(&d.doctext, None);
                return (learned.lists(), RoleLists::default(), None, labels);
            }
            let dateline = datelines.get(&d.docid);
            let doc = slots::document(&d.docid, &d.doctext, dateline);
            let analysis = pipeline.analyze(&doc);
            let hints = model.uses_hints().then(|| muc4::RuleHints::of(&analysis));
            let (learned, labels) = model.predict_typed(&d.doctext, hints.as_ref());
            let mut learned = learned.lists();
            let rules = muc4::from_analysis(&analysis);
            if !args.no_rules {
                muc4::combine(&mut learned, &rules);
            }
            // Date and location only for documents the incident-type
            // classifier finds an incident in (scored both ways below).
            let incident = labels.incident != Some("NONE");
            let slot = slots::predict_with(&analysis, dateline, gazetteer, model.slot_rankers());
            (learned, rules, Some((slot, incident)), labels)
        })
        .collect();
    let secs = started.elapsed().as_secs_f64();
    let mut preds = Vec::with_capacity(all.len());
    let mut rules = Vec::with_capacity(all.len());
    // What vigil outputs (nothing for documents without an incident),
    // and the prediction for every document (accuracy given an incident).
    let mut slot_preds: HashMap<String, SlotPrediction> = HashMap::new();
    let mut slot_all: HashMap<String, SlotPrediction> = HashMap::new();
    let mut labels: HashMap<&str, muc4::DocLabels<'_>> = HashMap::new();
    for (d, (p, r, s, l)) in docs.iter().zip(all) {
        preds.push(p);
        rules.push(r);
        labels.insert(&d.docid, l);
        if let Some((s, incident)) = s {
            let output = if incident {
                s.clone()
            } else {
                SlotPrediction::default()
            };
            slot_preds.insert(d.docid.clone(), output);
            slot_all.insert(d.docid.clone(), s);
        }
    }
    if let Some(path) = &args.rules_output {
        let json = muc4::predictions_json(docs.iter().map(|d| d.docid.as_str()).zip(rules.iter()));
        std::fs::write(path, serde_json::to_string(&json)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let mut json = muc4::predictions_json(docs.iter().map(|d| d.docid.as_str()).zip(preds.iter()));
    // Date and location beside the role fillers (the scorer reads only
    // "pred_extracts").
    if let Some(map) = json.as_object_mut() {
        for (docid, entry) in map.iter_mut() {
            let (Some(slot), Some(obj)) = (slot_preds.get(docid), entry.as_object_mut()) else {
                continue;
            };
            if let Some(date) = &slot.date {
                obj.insert("incident_date".into(), date.to_key_string().into());
            }
            if let Some(loc) = &slot.location {
                obj.insert("incident_location".into(), loc.to_key_string().into());
            }
        }
    }
    let text = serde_json::to_string(&json).context("serialising predictions")?;
    std::fs::write(&args.output, text)
        .with_context(|| format!("writing {}", args.output.display()))?;
    let threads = rayon::current_num_threads();
    eprintln!(
        "vigil muc4: {} documents in {:.3} s ({:.0} docs/s on {} thread{}, {:.0} docs/s per thread)",
        docs.len(),
        secs,
        docs.len() as f64 / secs.max(1e-9),
        threads,
        if threads == 1 { "" } else { "s" },
        docs.len() as f64 / secs.max(1e-9) / threads as f64
    );
    if docs.iter().any(|d| d.extracts.is_some()) {
        let by_id: HashMap<String, RoleLists> =
            docs.iter().map(|d| d.docid.clone()).zip(preds).collect();
        let scores = muc4::score_lists(&docs, &by_id);
        if args.json {
            println!("{}", scores.to_json());
        } else {
            print!("{}", scores.to_table());
        }
    }
    if !args.keys.is_empty() {
        let mut templates = Vec::new();
        for path in &args.keys {
            let bytes =
                std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            templates.extend(muc4::keys::parse(&String::from_utf8_lossy(&bytes)));
        }
        // Against the labels computed with the role fillers above.
        let accuracy = |gold: &HashMap<String, String>,
                        pred: fn(muc4::DocLabels<'_>) -> Option<&str>| {
            muc4::keys::label_accuracy(gold, docs.iter().map(|d| d.docid.as_str()), |id| {
                labels.get(id).copied().and_then(pred)
            })
        };
        let types = muc4::keys::primary_types(&templates);
        let stages = muc4::keys::primary_stages(&templates);
        let (tr, tt) = accuracy(&types, |l| l.incident);
        let (sr, st) = accuracy(&stages, |l| l.stage);
        let pct = |r: usize, t: usize| if t > 0 { r as f64 / t as f64 } else { 0.0 };
        let slot_scores = slots::evaluate(&templates, &slot_preds);
        let slot_given = slots::evaluate(&templates, &slot_all);
        if args.json {
            let mut out = serde_json::json!({"incident_type_accuracy": pct(tr, tt), "stage_accuracy": pct(sr, st), "documents": tt});
            if let (Some(o), serde_json::Value::Object(extra)) =
                (out.as_object_mut(), slot_scores.to_json())
            {
                o.extend(extra);
                o.insert("given_incident".into(), slot_given.to_json());
            }
            println!("{out}");
        } else {
            println!(
                "incident type (main, incl. NONE): {tr}/{tt} = {:.1}%",
                pct(tr, tt) * 100.0
            );
            println!(
                "stage of execution (main, incl. NONE): {sr}/{st} = {:.1}%",
                pct(sr, st) * 100.0
            );
            print!("{}", slot_scores.to_text());
            println!(
                "date and location predicted for every document (as if each reported an incident):"
            );
            print!("{}", slot_given.to_text());
        }
    }
    if !bad_lines.is_empty() {
        eprintln!(
            "vigil: {} line(s) of {} are not GRIT documents (see above); the other {} documents were run and scored",
            bad_lines.len(),
            args.input.display(),
            docs.len()
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
