//! `vigil train`: trains the learned extraction models.
//!
//! `vigil train --muc4 train.jsonl --output models/muc4-roles.model` trains
//! the MUC-4 role-filler model (relevance gate + BIO role tagger) on GRIT
//! documents, tuning its thresholds on the out-of-fold scores of 4
//! cross-fitted models of the same file.
//! Deterministic: the same input and options give a byte-identical file.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use vigil_extract::learn::SequenceTrainer;
use vigil_extract::muc4::{self, TrainConfig};

/// Train the learned extraction models.
#[derive(clap::Args)]
pub struct Args {
    /// MUC-4 training documents in GRIT format (JSON Lines with `extracts`).
    #[arg(long, value_name = "FILE")]
    pub muc4: PathBuf,
    /// Where to write the model.
    #[arg(
        long,
        short,
        value_name = "FILE",
        default_value = "models/muc4-roles.model"
    )]
    pub output: PathBuf,
    /// Directory of the raw MUC-4 texts and answer keys (`key-dev-*.muc4`),
    /// to train the incident-type and stage classifiers and the rankers of
    /// the incident's date and place (which read the texts' datelines);
    /// keys of documents not in `--muc4` are ignored.
    #[arg(long, value_name = "DIR")]
    pub raw: Option<PathBuf>,
    /// Passes of the role tagger over the training data.
    #[arg(long, default_value_t = TrainConfig::default().epochs)]
    pub epochs: usize,
    /// Learning rate of the role tagger, trained as a linear-chain CRF
    /// (averaged stochastic gradient on the log-likelihood); 0 trains it
    /// as an averaged perceptron instead (the previous recipe).
    #[arg(long, default_value_t = TrainConfig::default().crf_lr)]
    pub crf_lr: f32,
    /// Feature dropout of the role tagger's training: each time a sentence
    /// is visited, every token feature is left out with this probability
    /// (seeded), so that the tagger spreads its evidence over more
    /// features; 0 for none.
    #[arg(long, default_value_t = TrainConfig::default().dropout)]
    pub dropout: f32,
    /// Seed of the example order.
    #[arg(long, default_value_t = TrainConfig::default().seed)]
    pub seed: u64,
    /// Feature hash bits.
    #[arg(long, default_value_t = TrainConfig::default().bits)]
    pub bits: u32,
    /// Fraction of the documents (the tail of the file) held out to tune thresholds.
    #[arg(long, default_value_t = TrainConfig::default().holdout)]
    pub holdout: f64,
    /// Label only the annotated occurrence of each gold mention.
    #[arg(long)]
    pub first_occurrence: bool,
    /// Train the role tagger on relevant documents only.
    #[arg(long)]
    pub relevant_only: bool,
    /// Cross-fitting folds for the entity classifier (below 2: none; the
    /// thresholds are then tuned on --holdout).
    #[arg(long, default_value_t = TrainConfig::default().folds)]
    pub folds: usize,
    /// Role biases generating the entity classifier's candidates, as a
    /// multiple of the tuned ones.
    #[arg(long, default_value_t = TrainConfig::default().candidate_boost)]
    pub candidate_boost: f32,
    /// Cross-fitting folds whose out-of-fold scores tune the decoding
    /// thresholds; the final tagger is then the mean of the fold taggers
    /// and the full one (below 2: the thresholds are tuned on the
    /// --holdout tail instead, with the full tagger alone).
    #[arg(long, default_value_t = TrainConfig::default().tune_folds)]
    pub tune_folds: usize,
    /// With --tune-folds: also train the stacked relevance gate (document
    /// features plus a summary of the tagger's scores), kept when it raises
    /// the out-of-fold F1.
    #[arg(long)]
    pub gate: bool,
    /// Keep the tagger trained on all documents alone instead of the mean
    /// of it and the cross-fitted taggers.
    #[arg(long)]
    pub no_ensemble: bool,
    /// The incident-type and stage classifiers are each the mean of this
    /// many averaged perceptrons trained with consecutive seeds (1: one
    /// perceptron, the previous recipe).
    #[arg(long, default_value_t = TrainConfig::default().class_bags)]
    pub class_bags: usize,
    /// With --tune-folds: also tune per-role caps on the number of entities
    /// per document and a bonus for entities tagged several times (better
    /// on training folds' documents, worse on dev; see docs/muc4.md).
    #[arg(long)]
    pub caps: bool,
    /// The tagger and relevance classifier also read the rule pipeline's
    /// findings (`muc4::RuleHints`; worse on training folds, see
    /// docs/muc4.md); `vigil muc4` then runs the pipeline for every
    /// document.
    #[arg(long)]
    pub hints: bool,
    /// With --tune-folds: also tune per-role span trimming (leading
    /// numbers, edge prepositions and conjunctions; better on training
    /// folds, worse on dev, see docs/muc4.md).
    #[arg(long)]
    pub trim: bool,
    /// Leave out the word-class features (`data/clusters/words.tsv`:
    /// classes of words that mean similar things) of the tagger and the
    /// document classifiers (the previous recipe; see docs/muc4.md).
    #[arg(long)]
    pub no_classes: bool,
    /// Label the role tagger's mentions B-/I-/L-/U- (BILOU: a mention's
    /// last token and a one-token mention get labels of their own) instead
    /// of B-/I- (BIO); out of fold +0.3 on average over five seeds, one
    /// lower, and training takes twice as long (see docs/muc4.md).
    #[arg(long)]
    pub bilou: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    if !(0.0..SequenceTrainer::MAX_DROPOUT).contains(&args.dropout) {
        anyhow::bail!(
            "--dropout {}: give a probability of at least 0 and below {} (0 for none; default {})",
            args.dropout,
            SequenceTrainer::MAX_DROPOUT,
            TrainConfig::default().dropout
        );
    }
    let input = std::fs::read_to_string(&args.muc4)
        .with_context(|| format!("reading {}", args.muc4.display()))?;
    // Every document or none: a model trained on what was left of a
    // damaged file would not be the one its command line names.
    let mut docs = muc4::read_jsonl(&input).map_err(|e| {
        anyhow::anyhow!(
            "{}: {e}; fix or remove that line (training reads every document of the file or none)",
            args.muc4.display()
        )
    })?;
    if docs.iter().all(|d| d.extracts.is_none()) {
        anyhow::bail!(
            "{}: no document has `extracts`; nothing to learn from",
            args.muc4.display()
        );
    }
    let keys = match &args.raw {
        Some(dir) => muc4::keys::read_dir(dir)
            .with_context(|| format!("reading keys in {}", dir.display()))?,
        None => Vec::new(),
    };
    let cfg = TrainConfig {
        epochs: args.epochs,
        crf_lr: args.crf_lr,
        dropout: args.dropout,
        seed: args.seed,
        bits: args.bits,
        holdout: args.holdout,
        all_occurrences: !args.first_occurrence,
        relevant_only: args.relevant_only,
        folds: args.folds,
        candidate_boost: args.candidate_boost,
        tune_folds: args.tune_folds,
        gate: args.gate,
        ensemble: !args.no_ensemble,
        class_bags: args.class_bags,
        caps: args.caps,
        hints: args.hints,
        trim: args.trim,
        classes: !args.no_classes,
        bilou: args.bilou,
        ..TrainConfig::default()
    };
    if cfg.hints {
        let pipeline = vigil_extract::Pipeline::new().context("loading vigil's gazetteers")?;
        muc4::attach_hints(&pipeline, &mut docs);
    }
    eprintln!(
        "vigil train: {} documents from {}",
        docs.len(),
        args.muc4.display()
    );
    let (mut model, report) = muc4::train(&docs, &keys, &cfg, &mut |line| eprintln!("  {line}"));
    if let Some(dir) = &args.raw {
        let datelines = muc4::slots::read_datelines(dir)
            .with_context(|| format!("reading the raw texts' datelines in {}", dir.display()))?;
        let pipeline = vigil_extract::Pipeline::new().context("loading vigil's gazetteers")?;
        let r = muc4::slots::train_rankers(&pipeline, &docs, &keys, &datelines, cfg.seed);
        eprintln!(
            "  date and place rankers: {} and {} documents whose key date / location is among the candidates",
            r.date_examples, r.place_examples
        );
        model = model.with_slot_rankers(r.date, r.place);
    }
    if let Some(s) = &report.holdout {
        eprintln!(
            "tuning documents (out-of-fold, or the held-out tail):\n{}",
            s.to_table()
        );
    }
    let bytes = model.to_bytes();
    if let Some(parent) = args.output.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    std::fs::write(&args.output, &bytes)
        .with_context(|| format!("writing {}", args.output.display()))?;
    eprintln!(
        "wrote {} ({} bytes; {} sentences, {} gold mentions not placed) in {:.1} s",
        args.output.display(),
        bytes.len(),
        report.sequences,
        report.unplaced_mentions,
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
