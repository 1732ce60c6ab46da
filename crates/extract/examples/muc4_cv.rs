//! Cross-validation of the MUC-4 role model on the training documents, the
//! measurement behind `docs/muc4.md` ("What was tried"): `K` contiguous
//! folds of `train.jsonl`, each scored by a model trained (`muc4::train`,
//! default recipe) on the other folds, combined with the rule pipeline as
//! `vigil muc4` does; prints the out-of-fold scores (model alone and
//! combined) and, with `--dev FILE`, the scores on that file of a model
//! trained on all of `train.jsonl`.
//!
//! `cargo run --release -p vigil-extract --example muc4_cv -- \
//!     ../shared/data/muc4/train.jsonl [--folds 4] [--dev ../shared/data/muc4/dev.jsonl] \
//!     [--tune-folds 4] [--gate] [--no-ensemble] [--class-bags 5] [--relevance-epochs 10] [--caps] [--trim] [--role-thresholds] [--hints] [--no-classes] [--bilou] [--bits 18] [--epochs 15] [--crf-lr 0.03] [--dropout 0.55] [--seed N] \
//!     [--raw ../shared/data/muc4/raw --save FULL.model] [--oof-output PREDS.json] [--oof-alone-output PREDS.json] [--oof-labels LABELS.json] \
//!     [--train-fraction 0.5]`
//!
//! With `--raw` the models also get the incident-type and stage classifiers
//! (as `vigil train --raw`), whose out-of-fold accuracy against the keys'
//! main template is printed last, and `--save` writes the model trained on
//! all of `train.jsonl` (with the rankers of the incident's date and place):
//! the same bytes as `vigil train` with the same options.
//! `--oof-output` writes the out-of-fold predictions (combined with the
//! rules) in the format of `vigil muc4 --output`, for error analysis, and
//! `--oof-alone-output` those of the model alone (to try other ways of
//! combining it with the rules), and `--oof-labels` the document
//! classifiers' out-of-fold answers
//! (`{docid: [incident type, stage]}`).
//! `--crf-lr 0` trains the role tagger as an averaged perceptron (the
//! recipe before the CRF) instead of a CRF with that learning rate.
//! `--bilou` labels the tagger's mentions BILOU instead of BIO.
//! `--dropout P` sets the role tagger's feature dropout (`--dropout 0`:
//! the recipe before 2026-12-01's seventh session).
//! `--class-bags B` makes the incident-type and stage classifiers each the
//! mean of `B` perceptrons trained with consecutive seeds (`--class-bags
//! 1`: one, the recipe before 2026-12-01's ninth session), and
//! `--relevance-epochs N` sets the passes of the document classifiers.
//! `--seed N` changes the shuffling seed of every learner (the default is
//! `vigil train`'s), to see how far a recipe's score moves by chance.
//! `--model FILE --dev DEV.jsonl` only scores that model on the dev file
//! (and times it on one thread).
//! `--train-fraction F` (0 < F ≤ 1) trains each fold's model on a share
//! `F` of its fitting documents only, chosen by a hash of the document id
//! (so a smaller share is a subset of a larger one) and scored on the
//! whole held-out fold: one point of a learning curve.

use std::collections::HashMap;

use vigil_extract::muc4::{self, GoldDoc, RoleLists, RoleModel, TrainConfig};

/// The document classifiers' answers for one document: incident type and
/// stage of execution.
type Labels = (Option<String>, Option<String>);

type Predicted = (
    HashMap<String, RoleLists>,
    HashMap<String, RoleLists>,
    HashMap<String, Labels>,
);

fn predict(model: &RoleModel, pipeline: &vigil_extract::Pipeline, docs: &[GoldDoc]) -> Predicted {
    let mut alone = HashMap::new();
    let mut combined = HashMap::new();
    let mut labels = HashMap::new();
    for d in docs {
        let doc = vigil_core::Document {
            id: d.docid.clone(),
            text: d.doctext.clone(),
            ..Default::default()
        };
        let analysis = pipeline.analyze(&doc);
        let hints = model.uses_hints().then(|| muc4::RuleHints::of(&analysis));
        let (learned, l) = model.predict_typed(&d.doctext, hints.as_ref());
        let learned = learned.lists();
        let rules = muc4::from_analysis(&analysis);
        let mut both = learned.clone();
        muc4::combine(&mut both, &rules);
        alone.insert(d.docid.clone(), learned);
        combined.insert(d.docid.clone(), both);
        labels.insert(
            d.docid.clone(),
            (l.incident.map(str::to_owned), l.stage.map(str::to_owned)),
        );
    }
    (alone, combined, labels)
}

/// Where a document id falls in [0, 1): FNV-1a mixed by SplitMix64's
/// finaliser (FNV's high bits barely move between ids that differ in the
/// last digit), a fixed, well-spread position, so that the documents below
/// a share are a subset of those below any larger share.
fn share(docid: &str) -> f64 {
    let mut h = docid.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^= h >> 31;
    (h >> 11) as f64 / (1u64 << 53) as f64
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let train_path = args
        .first()
        .ok_or("usage: muc4_cv TRAIN.jsonl [--folds K] [--dev DEV.jsonl]")?;
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
    };
    let k: usize = opt("--folds").map_or(Ok(4), |s| s.parse())?;
    // A damaged file is named with its line: cross-validation reads all of
    // it or nothing, as `vigil train` does.
    let read = |path: &str| -> Result<Vec<muc4::GoldDoc>, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("reading {path}: {e}"))?;
        muc4::read_jsonl(&text).map_err(|e| format!("{path}: {e}"))
    };
    let mut docs = read(train_path)?;
    let dev = opt("--dev").map(|p| read(p)).transpose()?;
    let keys = match opt("--raw") {
        Some(dir) => muc4::keys::read_dir(std::path::Path::new(dir))?,
        None => Vec::new(),
    };
    let pipeline = vigil_extract::Pipeline::new()?;
    if let (Some(path), Some(dev)) = (opt("--model"), &dev) {
        // Score a given model on the dev file only.
        let model = RoleModel::load(&std::fs::read(path)?)?;
        // Speed on one thread: the model alone, then model and rules.
        let t = std::time::Instant::now();
        for d in dev {
            std::hint::black_box(model.predict(&d.doctext));
        }
        let model_secs = t.elapsed().as_secs_f64();
        let t = std::time::Instant::now();
        let (alone, both, _) = predict(&model, &pipeline, dev);
        let both_secs = t.elapsed().as_secs_f64();
        println!(
            "{} documents, one thread: model alone {:.0} docs/s, model and rules {:.0} docs/s",
            dev.len(),
            dev.len() as f64 / model_secs.max(1e-9),
            dev.len() as f64 / both_secs.max(1e-9)
        );
        println!(
            "dev, model alone:\n{}dev, combined:\n{}",
            muc4::score_lists(dev, &alone).to_table(),
            muc4::score_lists(dev, &both).to_table()
        );
        return Ok(());
    }
    let cfg = TrainConfig {
        bits: opt("--bits").map_or(Ok(18), |s| s.parse())?,
        epochs: opt("--epochs").map_or(Ok(TrainConfig::default().epochs), |s| s.parse())?,
        dropout: opt("--dropout").map_or(Ok(TrainConfig::default().dropout), |s| s.parse())?,
        crf_lr: opt("--crf-lr").map_or(Ok(TrainConfig::default().crf_lr), |s| s.parse())?,
        seed: opt("--seed").map_or(Ok(TrainConfig::default().seed), |s| s.parse())?,
        tune_folds: opt("--tune-folds")
            .map_or(Ok(TrainConfig::default().tune_folds), |s| s.parse())?,
        caps: args.iter().any(|a| a == "--caps"),
        trim: args.iter().any(|a| a == "--trim"),
        role_thresholds: args.iter().any(|a| a == "--role-thresholds"),
        hints: args.iter().any(|a| a == "--hints"),
        classes: !args.iter().any(|a| a == "--no-classes"),
        bilou: args.iter().any(|a| a == "--bilou"),
        gate: args.iter().any(|a| a == "--gate"),
        ensemble: !args.iter().any(|a| a == "--no-ensemble"),
        class_bags: opt("--class-bags")
            .map_or(Ok(TrainConfig::default().class_bags), |s| s.parse())?,
        relevance_epochs: opt("--relevance-epochs")
            .map_or(Ok(TrainConfig::default().relevance_epochs), |s| s.parse())?,
        ..TrainConfig::default()
    };
    if cfg.hints {
        muc4::attach_hints(&pipeline, &mut docs);
    }
    let fraction: f64 = opt("--train-fraction").map_or(Ok(1.0), |s| s.parse())?;
    if !(fraction > 0.0 && fraction <= 1.0) {
        return Err(format!("--train-fraction {fraction}: give a share in (0, 1]").into());
    }
    // Jobs: the K folds, then (optionally) the full model for dev.
    let jobs: Vec<(Vec<GoldDoc>, Vec<GoldDoc>)> = (0..k)
        .map(|f| {
            let (a, b) = (f * docs.len() / k, (f + 1) * docs.len() / k);
            let rest = docs[..a]
                .iter()
                .chain(&docs[b..])
                .filter(|d| fraction >= 1.0 || share(&d.docid) < fraction)
                .cloned()
                .collect();
            (rest, docs[a..b].to_vec())
        })
        .chain(dev.iter().map(|d| (docs.clone(), d.clone())))
        .collect();
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = jobs
            .iter()
            .map(|(fit, test)| {
                let (cfg, pipeline, keys) = (&cfg, &pipeline, &keys);
                s.spawn(move || {
                    let (model, _) = muc4::train(fit, keys, cfg, &mut |_| {});
                    (predict(&model, pipeline, test), model.to_bytes())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join()).collect()
    });
    let mut oof_alone = HashMap::new();
    let mut oof_both = HashMap::new();
    let mut oof_labels = HashMap::new();
    for (j, r) in results.into_iter().enumerate() {
        let ((alone, both, labels), bytes) = r.map_err(|_| "a training thread panicked")?;
        if j == k {
            if let Some(path) = opt("--save") {
                // As `vigil train --raw`: the rankers of slots 2 and 3 too.
                let mut bytes = bytes;
                if let Some(dir) = opt("--raw") {
                    let datelines = muc4::slots::read_datelines(std::path::Path::new(dir))?;
                    let r =
                        muc4::slots::train_rankers(&pipeline, &docs, &keys, &datelines, cfg.seed);
                    bytes = RoleModel::load(&bytes)?
                        .with_slot_rankers(r.date, r.place)
                        .to_bytes();
                }
                std::fs::write(path, &bytes)?;
            }
        }
        let test = &jobs[j].1;
        let f_alone = muc4::score_lists(test, &alone).micro.prf().f1 * 100.0;
        let f_both = muc4::score_lists(test, &both).micro.prf().f1 * 100.0;
        if j < k {
            let n = jobs[j].0.len();
            println!("fold {j} ({n} fitting documents): alone {f_alone:.2} combined {f_both:.2}");
            oof_alone.extend(alone);
            oof_both.extend(both);
            oof_labels.extend(labels);
        } else {
            println!(
                "dev: alone {f_alone:.2}\n{}",
                muc4::score_lists(test, &both).to_table()
            );
        }
    }
    if let Some(path) = opt("--oof-output") {
        let preds = muc4::predictions_json(oof_both.iter().map(|(id, l)| (id.as_str(), l)));
        std::fs::write(path, serde_json::to_string(&preds)?)?;
    }
    if let Some(path) = opt("--oof-alone-output") {
        let preds = muc4::predictions_json(oof_alone.iter().map(|(id, l)| (id.as_str(), l)));
        std::fs::write(path, serde_json::to_string(&preds)?)?;
    }
    if let Some(path) = opt("--oof-labels") {
        // {docid: [incident type, stage]} of the out-of-fold classifiers.
        let labels: std::collections::BTreeMap<&str, &Labels> =
            oof_labels.iter().map(|(id, l)| (id.as_str(), l)).collect();
        std::fs::write(path, serde_json::to_string(&labels)?)?;
    }
    if k == 0 {
        return Ok(());
    }
    let s_alone = muc4::score_lists(&docs, &oof_alone);
    let s_both = muc4::score_lists(&docs, &oof_both);
    println!(
        "out-of-fold alone {:.2}:\n{}out-of-fold combined:\n{}",
        s_alone.micro.prf().f1 * 100.0,
        s_alone.to_table(),
        s_both.to_table()
    );
    if !keys.is_empty() {
        // Out-of-fold accuracy of the document classifiers against the
        // keys' main template (as `vigil muc4 --keys` on dev).
        let types = muc4::keys::primary_types(&keys);
        let stages = muc4::keys::primary_stages(&keys);
        let accuracy = |gold: &HashMap<String, String>, pick: fn(&Labels) -> Option<&str>| {
            let ids = docs.iter().map(|d| d.docid.as_str());
            let (right, total) =
                muc4::keys::label_accuracy(gold, ids, |id| oof_labels.get(id).and_then(pick));
            format!(
                "{right}/{total} = {:.1}%",
                100.0 * right as f64 / total.max(1) as f64
            )
        };
        println!(
            "out-of-fold incident type: {}\nout-of-fold stage: {}",
            accuracy(&types, |l| l.0.as_deref()),
            accuracy(&stages, |l| l.1.as_deref())
        );
    }
    Ok(())
}
