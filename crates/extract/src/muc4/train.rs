//! Training the MUC-4 [`RoleModel`] from GRIT documents.
//!
//! 1. Labels: each gold mention is projected onto the document's tokens as
//!    a BIO span of its role (`B-`, `I-`…; with [`TrainConfig::bilou`]
//!    BILOU: `U-` for one token, else `B-`, `I-`…, `L-`) — at its annotated
//!    offset, and (by default) at every other occurrence of the same
//!    string on token boundaries.
//! 2. The role tagger (by default a linear-chain CRF, one sequence per
//!    sentence) and the relevance classifier (averaged perceptron over
//!    document features; relevant = has at least one gold filler) are
//!    trained with a fixed seed.
//! 3. Thresholds ([`Params`]) are tuned by coordinate search on the
//!    out-of-fold scores of every training document (by default 4
//!    cross-fitted models, each trained on the other folds;
//!    [`TrainConfig::tune_folds`]), or on a held-out tail with
//!    `tune_folds` below 2; the final model is then trained on all
//!    documents, and (by default) its tagger is averaged with the
//!    cross-fitted ones.

use std::collections::{HashMap, HashSet};

use crate::learn::features::{DocContext, TokenFeaturizer};
use crate::learn::{
    bio_constraints, BinaryClassifier, BinaryTrainer, FeatureHasher, MulticlassClassifier,
    MulticlassTrainer, SequenceTagger, SequenceTrainer,
};

use super::keys::{primary_stages, primary_types, KeyTemplate, INCIDENT_TYPES, STAGES};

use super::hints::RuleHints;
use super::model::{
    featurize, gate_features, role_label, role_labels, DocScores, Params, RawPrediction,
    Representative, RoleModel, BEGIN, INSIDE, LAST, TRIM_EDGES, TRIM_NUMBER, UNIT,
};
use super::rescore::{entity_candidates, EntityCandidate, EntityScorer};
use super::{normalize, score, GoldDoc, Muc4Prediction, Scores};

/// Training settings.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    /// Passes of the role tagger over the training sentences.
    pub epochs: usize,
    /// Learning rate of the role tagger trained as a linear-chain CRF
    /// ([`SequenceTrainer::train_crf`]); 0 trains it as an averaged
    /// structured perceptron (the recipe before; see docs/muc4.md).
    pub crf_lr: f32,
    /// Feature dropout of the role tagger's training
    /// ([`SequenceTrainer::with_dropout`]); 0 for none.
    pub dropout: f32,
    /// Passes of the document classifiers (relevance, incident type, stage).
    pub relevance_epochs: usize,
    /// Seed of the example order.
    pub seed: u64,
    /// Feature hash bits.
    pub bits: u32,
    /// Label every occurrence of a gold mention, not only the annotated one.
    pub all_occurrences: bool,
    /// Train the tagger on relevant documents only (the relevance gate
    /// handles the others).
    pub relevant_only: bool,
    /// Fraction of the documents (the tail) held out to tune thresholds;
    /// 0 keeps [`Params::default`].
    pub holdout: f64,
    /// Folds of the cross-fitting that produces out-of-fold candidates for
    /// the entity classifier (the last fold also tunes the thresholds);
    /// below 2: no entity classifier, thresholds tuned on `holdout`.
    pub folds: usize,
    /// Role biases used to generate the entity classifier's candidates, as
    /// a multiple of the tuned ones (above 1: more candidates).
    pub candidate_boost: f32,
    /// Folds of the cross-fitting whose out-of-fold tagger scores (every
    /// training document scored by a model that did not see it) tune the
    /// decoding parameters; below 2: tuned on the `holdout` tail instead.
    /// Ignored when `folds` is 2 or more.
    pub tune_folds: usize,
    /// With `tune_folds`: train the stacked relevance gate and keep it when
    /// it raises the out-of-fold F1.
    pub gate: bool,
    /// With `tune_folds`: the final tagger is the mean of the cross-fitted
    /// taggers and the one trained on all documents (bagging).
    pub ensemble: bool,
    /// With `tune_folds`: also tune per-role caps on the number of entities
    /// per document and the bonus for entities tagged several times
    /// ([`Params::max_entities`], [`Params::count_bonus`]).
    pub caps: bool,
    /// With `tune_folds`: also tune per-role span trimming ([`Params::trim`]).
    pub trim: bool,
    /// With `tune_folds`: also tune per-role score and relevance thresholds.
    pub role_thresholds: bool,
    /// The tagger and relevance classifier read the rule pipeline's
    /// [`RuleHints`] (taken from [`GoldDoc::hints`]; see
    /// [`super::attach_hints`]).
    pub hints: bool,
    /// Word-class features ([`TokenFeaturizer::with_classes`]).
    pub classes: bool,
    /// The incident-type and stage classifiers are each the mean of this
    /// many averaged perceptrons trained with consecutive seeds (1: one
    /// perceptron).
    pub class_bags: usize,
    /// The tagger's labels are BILOU per role (`B-` first, `I-` inside,
    /// `L-` last token of a mention, `U-` a mention of one token) instead
    /// of BIO (`B-`, `I-`). Out of fold +0.3 on average over five seeds,
    /// one of them lower, for twice the training time: not the default
    /// (docs/muc4.md, nineteenth round).
    pub bilou: bool,
}

impl TrainConfig {
    /// What the decoding search may change.
    pub fn tune_options(&self) -> TuneOptions {
        TuneOptions {
            caps: self.caps,
            trim: self.trim,
            role_thresholds: self.role_thresholds,
        }
    }
}

impl Default for TrainConfig {
    fn default() -> TrainConfig {
        TrainConfig {
            epochs: 15,
            crf_lr: 0.03,
            dropout: 0.55,
            relevance_epochs: 10,
            seed: 20_240_601,
            bits: 18,
            all_occurrences: true,
            relevant_only: false,
            holdout: 0.2,
            folds: 0,
            candidate_boost: 1.0,
            tune_folds: 4,
            gate: false,
            ensemble: true,
            caps: false,
            trim: false,
            role_thresholds: false,
            bilou: false,
            hints: false,
            classes: true,
            class_bags: 5,
        }
    }
}

/// What training measured.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrainReport {
    /// Scores on the held-out tail with the tuned parameters (model trained
    /// on the other documents).
    pub holdout: Option<Scores>,
    /// The tuned parameters.
    pub params: Params,
    /// Sentences the tagger was trained on (final model).
    pub sequences: usize,
    /// Gold mentions that could not be placed on tokens.
    pub unplaced_mentions: usize,
    /// Training documents with an answer key (for the incident type).
    pub keyed_documents: usize,
}

/// Byte offset of a character offset (`None` past the end).
fn byte_offset(text: &str, chars: usize) -> Option<usize> {
    if text.is_ascii() {
        return (chars <= text.len()).then_some(chars);
    }
    text.char_indices()
        .map(|(b, _)| b)
        .chain([text.len()])
        .nth(chars)
}

/// Gold BIO (or, with `bilou`, BILOU) labels for the tokens of `doc`;
/// returns the number of mentions that could not be placed.
fn project(
    doc: &GoldDoc,
    ctx: &DocContext<'_>,
    all_occurrences: bool,
    bilou: bool,
) -> (Vec<usize>, usize) {
    let mut labels = vec![0usize; ctx.len()];
    let mut unplaced = 0;
    let Some(extracts) = &doc.extracts else {
        return (labels, 0);
    };
    let starts: HashMap<usize, usize> = ctx
        .toks
        .iter()
        .enumerate()
        .map(|(i, t)| (t.start, i))
        .collect();
    let ends: HashMap<usize, usize> = ctx
        .toks
        .iter()
        .enumerate()
        .map(|(i, t)| (t.end, i))
        .collect();
    let lower = doc.doctext.to_ascii_lowercase();
    let place = |labels: &mut Vec<usize>, role: usize, a: usize, b: usize| -> bool {
        if a >= b || b > labels.len() || labels[a..b].iter().any(|&l| l != 0) {
            return false;
        }
        let label = |kind| role_label(role, kind, if bilou { 4 } else { 2 });
        if bilou && b == a + 1 {
            labels[a] = label(UNIT);
        } else {
            labels[a] = label(BEGIN);
            for l in labels.iter_mut().take(b).skip(a + 1) {
                *l = label(INSIDE);
            }
            if bilou {
                labels[b - 1] = label(LAST);
            }
        }
        true
    };
    for (role, ents) in extracts.iter().enumerate() {
        for ent in ents {
            for (mention, offset) in ent {
                let placed_at = byte_offset(&doc.doctext, *offset).and_then(|s| {
                    let e = s + mention.len();
                    let a = ctx.toks.iter().position(|t| t.end > s)?;
                    let b = ctx.toks.iter().rposition(|t| t.start < e)? + 1;
                    Some((a, b))
                });
                match placed_at {
                    Some((a, b)) => {
                        place(&mut labels, role, a, b);
                    }
                    None => unplaced += 1,
                }
                if all_occurrences && !mention.is_empty() {
                    let needle = mention.to_ascii_lowercase();
                    for (s, _) in lower.match_indices(&needle) {
                        if let (Some(&a), Some(&b)) =
                            (starts.get(&s), ends.get(&(s + needle.len())))
                        {
                            place(&mut labels, role, a, b + 1);
                        }
                    }
                }
            }
        }
    }
    (labels, unplaced)
}

fn fit(docs: &[GoldDoc], cfg: &TrainConfig) -> (RoleModel, usize, usize) {
    let fz = TokenFeaturizer::new(cfg.bits).with_classes(cfg.classes);
    let buckets = fz.hasher().size();
    let mut seqs = Vec::new();
    let mut rel = Vec::new();
    let mut unplaced = 0;
    for doc in docs {
        let ctx = DocContext::new(&doc.doctext);
        let no_hints = RuleHints::default();
        let hints = cfg.hints.then(|| doc.hints.as_ref().unwrap_or(&no_hints));
        let (doc_feats, mut feats) = featurize(&fz, &ctx, hints);
        rel.push((doc_feats, doc.is_relevant()));
        if cfg.relevant_only && !doc.is_relevant() {
            continue;
        }
        let (labels, u) = project(doc, &ctx, cfg.all_occurrences, cfg.bilou);
        unplaced += u;
        for &(a, b) in ctx.sents.iter().rev() {
            let f: Vec<Vec<u32>> = feats.drain(a..b).collect();
            seqs.push((f, labels[a..b].to_vec()));
        }
    }
    let labels = role_labels(cfg.bilou);
    let allowed = bio_constraints(&labels);
    let trainer = SequenceTrainer::new(labels, buckets, allowed).with_dropout(cfg.dropout);
    let tagger = if cfg.crf_lr > 0.0 {
        trainer.train_crf(&seqs, cfg.epochs, cfg.seed, cfg.crf_lr)
    } else {
        trainer.train(&seqs, cfg.epochs, cfg.seed)
    };
    let relevance =
        BinaryTrainer::new(buckets).train(&rel, cfg.relevance_epochs, cfg.seed ^ 0x5eed);
    let model = RoleModel {
        featurizer_bits: cfg.bits,
        tagger,
        relevance,
        incident: None,
        stage: None,
        scorer: None,
        gate: None,
        place: None,
        date: None,
        hints: cfg.hints,
        classes: cfg.classes,
        params: Params::default(),
    };
    (model, seqs.len(), unplaced)
}

/// The model that scored each document (`models[i]` for `docs[i]`):
/// one model for a held-out tail, the fold's model for cross-fitting.
type PerDoc<'m> = [&'m RoleModel];

fn evaluate(
    models: &PerDoc<'_>,
    docs: &[GoldDoc],
    raws: &[RawPrediction],
    params: &Params,
) -> Scores {
    let preds: HashMap<String, Muc4Prediction> = docs
        .iter()
        .zip(raws)
        .zip(models)
        .map(|((d, r), m)| (d.docid.clone(), m.finish(r, params)))
        .collect();
    score(docs, &preds)
}

fn decode_all(
    models: &PerDoc<'_>,
    docs: &[GoldDoc],
    scores: &[DocScores],
    params: &Params,
) -> Vec<RawPrediction> {
    docs.iter()
        .zip(scores)
        .zip(models)
        .map(|((d, s), m)| m.decode(s, &d.doctext, params))
        .collect()
}

fn quantiles(v: &[f32], k: usize) -> Vec<f32> {
    let mut v = v.to_vec();
    v.sort_by(f32::total_cmp);
    let mut q: Vec<f32> = (0..=k)
        .filter_map(|i| v.get(i * v.len().saturating_sub(1) / k.max(1)).copied())
        .collect();
    q.insert(0, f32::NEG_INFINITY);
    q.dedup();
    q
}

/// Picks decoding biases and thresholds maximising micro F1 on `docs` by
/// coordinate search.
/// With `caps`, also the per-role entity limits and the count bonus.
pub(crate) fn tune(
    models: &PerDoc<'_>,
    docs: &[GoldDoc],
    scores: &[DocScores],
    opts: TuneOptions,
) -> (Params, Scores) {
    let caps = opts.caps;
    let model = models.first().copied();
    let mut best = Params::default();
    let mut raws = decode_all(models, docs, scores, &best);
    let mut best_f = evaluate(models, docs, &raws, &best).micro.prf().f1;
    let rel: Vec<f32> = scores.iter().map(|r| r.relevance).collect();
    let rel_grid = quantiles(&rel, 40);
    // Biases on the scale of the tagger's scores: how far "O" leads the
    // best role label, over tokens where it leads.
    let n = model.map_or(1, |m| m.tagger.labels().len());
    let gaps: Vec<f32> = scores
        .iter()
        .flat_map(|s| s.em.chunks(n))
        .filter_map(|row| {
            let best_role = row.iter().skip(1).fold(f32::NEG_INFINITY, |m, x| m.max(*x));
            let gap = row[0] - best_role;
            (gap > 0.0).then_some(gap)
        })
        .collect();
    let mut bias_grid = quantiles(&gaps, 60);
    bias_grid.retain(|b| b.is_finite());
    bias_grid.truncate(31);
    bias_grid.insert(0, 0.0);
    for _round in 0..2 {
        for k in 0..5 {
            for &b in &bias_grid {
                let mut p = best;
                p.role_bias[k] = b;
                let r = decode_all(models, docs, scores, &p);
                let f = evaluate(models, docs, &r, &p).micro.prf().f1;
                if f > best_f {
                    (best, best_f, raws) = (p, f, r);
                }
            }
        }
        for &t in &rel_grid {
            let p = Params {
                relevance_threshold: t,
                ..best
            };
            let f = evaluate(models, docs, &raws, &p).micro.prf().f1;
            if f > best_f {
                (best, best_f) = (p, f);
            }
        }
        let cand: Vec<f32> = raws
            .iter()
            .flat_map(|r| r.candidates.iter().map(|c| c.score))
            .collect();
        for &t in &quantiles(&cand, 40) {
            let p = Params {
                min_entity_score: t,
                ..best
            };
            let f = evaluate(models, docs, &raws, &p).micro.prf().f1;
            if f > best_f {
                (best, best_f) = (p, f);
            }
        }
        if caps {
            let mut mags: Vec<f32> = cand.iter().map(|x| x.abs()).collect();
            mags.sort_by(f32::total_cmp);
            let median = mags.get(mags.len() / 2).copied().unwrap_or(1.0);
            for m in [0.0, 0.1, 0.25, 0.5, 1.0, 2.0] {
                let p = Params {
                    count_bonus: m * median,
                    ..best
                };
                let f = evaluate(models, docs, &raws, &p).micro.prf().f1;
                if f > best_f {
                    (best, best_f) = (p, f);
                }
            }
            for k in 0..5 {
                for cap in [0u8, 1, 2, 3, 4, 5, 6, 8] {
                    let mut p = best;
                    p.max_entities[k] = cap;
                    let f = evaluate(models, docs, &raws, &p).micro.prf().f1;
                    if f > best_f {
                        (best, best_f) = (p, f);
                    }
                }
            }
        }
        if opts.trim {
            for k in 0..5 {
                for t in [TRIM_NUMBER, TRIM_EDGES, TRIM_NUMBER | TRIM_EDGES, 0] {
                    let mut p = best;
                    p.trim[k] = t;
                    if p == best {
                        continue;
                    }
                    let r = decode_all(models, docs, scores, &p);
                    let f = evaluate(models, docs, &r, &p).micro.prf().f1;
                    if f > best_f {
                        (best, best_f, raws) = (p, f, r);
                    }
                }
            }
        }
        if opts.role_thresholds {
            for k in 0..5 {
                let vals: Vec<f32> = raws
                    .iter()
                    .flat_map(|r| r.candidates.iter())
                    .filter(|c| c.role as usize == k)
                    .map(|c| c.score)
                    .collect();
                for t in quantiles(&vals, 30) {
                    let mut p = best;
                    p.role_min_score[k] = t.max(f32::MIN);
                    let f = evaluate(models, docs, &raws, &p).micro.prf().f1;
                    if f > best_f {
                        (best, best_f) = (p, f);
                    }
                }
                for &t in &rel_grid {
                    let mut p = best;
                    p.role_relevance[k] = t.max(f32::MIN);
                    let f = evaluate(models, docs, &raws, &p).micro.prf().f1;
                    if f > best_f {
                        (best, best_f) = (p, f);
                    }
                }
            }
        }
        for rep in [
            Representative::First,
            Representative::Longest,
            Representative::MostFrequent,
        ] {
            for all in [false, true] {
                let p = Params {
                    representative: rep,
                    all_mentions: all,
                    ..best
                };
                let f = evaluate(models, docs, &raws, &p).micro.prf().f1;
                if f > best_f {
                    (best, best_f) = (p, f);
                }
            }
        }
    }
    // The model file stores finite numbers only.
    best.min_entity_score = best.min_entity_score.max(f32::MIN);
    best.relevance_threshold = best.relevance_threshold.max(f32::MIN);
    let s = evaluate(models, docs, &raws, &best);
    (best, s)
}

/// A document's relevance score, entity candidates and their gold labels.
type DocEntities = (f32, Vec<EntityCandidate>, Vec<bool>);

/// Normalised gold mentions of each role of a document.
fn gold_mentions(doc: &GoldDoc) -> [HashSet<String>; 5] {
    let mut out: [HashSet<String>; 5] = Default::default();
    if let Some(ex) = &doc.extracts {
        for (k, ents) in ex.iter().enumerate() {
            for ent in ents {
                for (m, _) in ent {
                    out[k].insert(normalize(m));
                }
            }
        }
    }
    out
}

/// Entity candidates (with gold labels) of documents decoded by `model`.
fn entity_examples(
    model: &RoleModel,
    docs: &[GoldDoc],
    scores: &[DocScores],
    params: &Params,
) -> Vec<DocEntities> {
    let hasher = FeatureHasher::new(model.featurizer_bits);
    docs.iter()
        .zip(scores)
        .map(|(d, ds)| {
            let raw = model.decode(ds, &d.doctext, params);
            let ents = entity_candidates(&hasher, &raw.candidates, ds, &d.doctext, params);
            let gold = gold_mentions(d);
            let labels = ents
                .iter()
                .map(|e| gold[e.role].contains(&normalize(&e.entity.mentions[0])))
                .collect();
            (ds.relevance, ents, labels)
        })
        .collect()
}

fn train_scorer(examples: &[&DocEntities], buckets: usize, cfg: &TrainConfig) -> BinaryClassifier {
    let data: Vec<(Vec<u32>, bool)> = examples
        .iter()
        .flat_map(|(_, ents, labels)| {
            ents.iter()
                .zip(labels)
                .map(|(e, l)| (e.features.clone(), *l))
        })
        .collect();
    BinaryTrainer::new(buckets).train(&data, cfg.relevance_epochs, cfg.seed ^ 0xe7)
}

/// Per-role thresholds of `scorer` maximising micro F1 on `docs`.
fn tune_thresholds(
    scorer: &mut EntityScorer,
    docs: &[GoldDoc],
    examples: &[DocEntities],
) -> Scores {
    let eval = |sc: &EntityScorer| -> Scores {
        let preds: HashMap<String, Muc4Prediction> = docs
            .iter()
            .zip(examples)
            .map(|(d, (rel, ents, _))| (d.docid.clone(), sc.select(*rel, ents)))
            .collect();
        score(docs, &preds)
    };
    let mut best_f = eval(scorer).micro.prf().f1;
    for _round in 0..2 {
        for k in 0..5 {
            let vals: Vec<f32> = examples
                .iter()
                .flat_map(|(_, ents, _)| ents.iter().filter(|e| e.role == k))
                .map(|e| scorer.score(e))
                .collect();
            for t in quantiles(&vals, 50) {
                let mut sc = scorer.clone();
                sc.thresholds[k] = t.max(f32::MIN);
                let f = eval(&sc).micro.prf().f1;
                if f > best_f {
                    best_f = f;
                    *scorer = sc;
                }
            }
        }
        let rels: Vec<f32> = examples.iter().map(|(r, _, _)| *r).collect();
        for t in quantiles(&rels, 40) {
            let mut sc = scorer.clone();
            sc.min_relevance = t.max(f32::MIN);
            let f = eval(&sc).micro.prf().f1;
            if f > best_f {
                best_f = f;
                *scorer = sc;
            }
        }
    }
    eval(scorer)
}

/// Document range `[a, b)` of fold `f` of `k` contiguous folds.
fn fold_bounds(n: usize, k: usize, f: usize) -> (usize, usize) {
    (f * n / k, (f + 1) * n / k)
}

/// Trains one model per fold on the other folds (in parallel threads; each
/// fit is deterministic, so the result does not depend on scheduling) and
/// returns the models and every document's scores from the model of its
/// fold, in document order.
fn cross_fit(docs: &[GoldDoc], k: usize, cfg: &TrainConfig) -> (Vec<RoleModel>, Vec<DocScores>) {
    let fitted: Vec<(RoleModel, Vec<DocScores>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..k)
            .map(|f| {
                s.spawn(move || {
                    let (a, b) = fold_bounds(docs.len(), k, f);
                    let rest: Vec<GoldDoc> = docs[..a].iter().chain(&docs[b..]).cloned().collect();
                    let (m, _, _) = fit(&rest, cfg);
                    let sc: Vec<DocScores> = docs[a..b]
                        .iter()
                        .map(|d| m.scores_with(&d.doctext, d.hints.as_ref()))
                        .collect();
                    (m, sc)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| match h.join() {
                Ok(x) => x,
                Err(e) => std::panic::resume_unwind(e),
            })
            .collect()
    });
    let mut models = Vec::with_capacity(k);
    let mut scores = Vec::with_capacity(docs.len());
    for (m, sc) in fitted {
        models.push(m);
        scores.extend(sc);
    }
    (models, scores)
}

/// What the coordinate search of the decoding parameters may change
/// besides the role biases, the relevance and score thresholds and the
/// representative mention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TuneOptions {
    /// Per-role entity caps and the count bonus
    /// ([`Params::max_entities`], [`Params::count_bonus`]).
    pub caps: bool,
    /// Per-role span trimming ([`Params::trim`]).
    pub trim: bool,
    /// Per-role score and relevance thresholds ([`Params::role_min_score`],
    /// [`Params::role_relevance`]).
    pub role_thresholds: bool,
}

/// A classifier of documents into `labels` (averaged perceptrons over the
/// document features, the mean of `cfg.class_bags` seeds), trained on the
/// documents whose answer `answers` gives (by document id), which is one
/// of `labels`, and whose document features `features` holds (by document
/// id), and how many those are; `None` when there are none.
fn train_document_classifier(
    docs: &[GoldDoc],
    features: &HashMap<&str, Vec<u32>>,
    answers: &HashMap<String, String>,
    labels: &[&str],
    fz: &TokenFeaturizer,
    cfg: &TrainConfig,
    salt: u64,
) -> (Option<MulticlassClassifier>, usize) {
    let data: Vec<(Vec<u32>, usize)> = docs
        .iter()
        .filter_map(|d| {
            let answer = answers.get(&d.docid)?;
            let label = labels.iter().position(|l| l == answer)?;
            Some((features.get(d.docid.as_str())?.clone(), label))
        })
        .collect();
    if data.is_empty() {
        return (None, 0);
    }
    let trainer = MulticlassTrainer::new(
        labels.iter().map(|l| l.to_string()).collect(),
        fz.hasher().size(),
    );
    let classifier =
        trainer.train_bagged(&data, cfg.relevance_epochs, cfg.seed ^ salt, cfg.class_bags);
    (Some(classifier), data.len())
}

/// Trains a model on `docs`. With `cfg.folds >= 2`: the role tagger is
/// cross-fitted over contiguous folds; decoding parameters are tuned on
/// the last fold (tagger trained on the others); the entity classifier
/// learns from every fold's out-of-fold entities, its per-role thresholds
/// are tuned on the last fold (classifier trained on the others); the
/// final tagger and classifier are trained on all documents. Otherwise
/// thresholds are tuned on a held-out tail (`cfg.holdout`). When `keys`
/// answer some of the documents, an incident-type classifier is trained on
/// those (keys of other documents are ignored). `log` receives progress
/// lines.
pub fn train(
    docs: &[GoldDoc],
    keys: &[KeyTemplate],
    cfg: &TrainConfig,
    log: &mut dyn FnMut(&str),
) -> (RoleModel, TrainReport) {
    let mut report = TrainReport::default();
    let mut scorer = None;
    let mut gate = None;
    let mut fold_taggers: Vec<SequenceTagger> = Vec::new();
    let k = cfg.folds;
    if k >= 2 && docs.len() >= 2 * k {
        let bounds: Vec<(usize, usize)> = (0..k)
            .map(|f| (f * docs.len() / k, (f + 1) * docs.len() / k))
            .collect();
        let mut models = Vec::new();
        let mut fold_scores = Vec::new();
        for (f, &(a, b)) in bounds.iter().enumerate() {
            let rest: Vec<GoldDoc> = docs[..a].iter().chain(&docs[b..]).cloned().collect();
            log(&format!(
                "fold {}/{k}: training on {} documents",
                f + 1,
                rest.len()
            ));
            let (m, _, _) = fit(&rest, cfg);
            let sc: Vec<DocScores> = docs[a..b]
                .iter()
                .map(|d| m.scores_with(&d.doctext, d.hints.as_ref()))
                .collect();
            models.push(m);
            fold_scores.push(sc);
        }
        let (la, lb) = bounds[k - 1];
        let last = &docs[la..lb];
        let per_doc = vec![&models[k - 1]; last.len()];
        let (params, tuned) = tune(&per_doc, last, &fold_scores[k - 1], TuneOptions::default());
        log(&format!(
            "last fold micro F1, tagger thresholds tuned: {:.1} with {params:?}",
            tuned.micro.prf().f1 * 100.0
        ));
        let mut cand_params = params;
        for b in &mut cand_params.role_bias {
            *b *= cfg.candidate_boost;
        }
        let examples: Vec<Vec<DocEntities>> = bounds
            .iter()
            .enumerate()
            .map(|(f, &(a, b))| {
                entity_examples(&models[f], &docs[a..b], &fold_scores[f], &cand_params)
            })
            .collect();
        let buckets = FeatureHasher::new(cfg.bits).size();
        let first: Vec<&DocEntities> = examples[..k - 1].iter().flatten().collect();
        let mut sc = EntityScorer {
            classifier: train_scorer(&first, buckets, cfg),
            thresholds: [0.0; 5],
            min_relevance: f32::MIN,
        };
        let rescored = tune_thresholds(&mut sc, last, &examples[k - 1]);
        log(&format!(
            "last fold micro F1 with the entity classifier: {:.1} (thresholds {:?})",
            rescored.micro.prf().f1 * 100.0,
            sc.thresholds
        ));
        let all: Vec<&DocEntities> = examples.iter().flatten().collect();
        sc.classifier = train_scorer(&all, buckets, cfg);
        scorer = Some(sc);
        report.params = cand_params;
        report.holdout = Some(rescored);
    } else if cfg.tune_folds >= 2 && docs.len() >= 2 * cfg.tune_folds {
        let k = cfg.tune_folds;
        log(&format!(
            "tuning on out-of-fold scores of {k} cross-fitted models"
        ));
        let (models, scores) = cross_fit(docs, k, cfg);
        let per_doc: Vec<&RoleModel> = (0..k)
            .flat_map(|f| {
                let (a, b) = fold_bounds(docs.len(), k, f);
                std::iter::repeat_n(&models[f], b - a)
            })
            .collect();
        let raws = decode_all(&per_doc, docs, &scores, &Params::default());
        let untuned = evaluate(&per_doc, docs, &raws, &Params::default());
        log(&format!(
            "out-of-fold micro F1 with default thresholds: {:.1}",
            untuned.micro.prf().f1 * 100.0
        ));
        let (params, tuned) = tune(&per_doc, docs, &scores, cfg.tune_options());
        log(&format!(
            "out-of-fold micro F1 tuned: {:.1} with {params:?}",
            tuned.micro.prf().f1 * 100.0
        ));
        report.params = params;
        report.holdout = Some(tuned.clone());
        if cfg.ensemble {
            fold_taggers = models.iter().map(|m| m.tagger.clone()).collect();
        }
        if cfg.gate {
            // The stacked gate, itself cross-fitted over the same folds so
            // that its scores on each document are out-of-fold too.
            let fz = TokenFeaturizer::new(cfg.bits).with_classes(cfg.classes);
            let n = models[0].tagger.labels().len();
            let examples: Vec<(Vec<u32>, bool)> = docs
                .iter()
                .zip(&scores)
                .map(|(d, ds)| {
                    // The relevance features as the model computes them
                    // (with the hints when it reads them).
                    let no_hints = RuleHints::default();
                    let hints = cfg.hints.then(|| d.hints.as_ref().unwrap_or(&no_hints));
                    let (f, _) = featurize(&fz, &DocContext::new(&d.doctext), hints);
                    (
                        gate_features(&fz, f, ds.relevance, &ds.em, n),
                        d.is_relevant(),
                    )
                })
                .collect();
            let trainer = BinaryTrainer::new(fz.hasher().size());
            let mut gated = scores.clone();
            for f in 0..k {
                let (a, b) = fold_bounds(docs.len(), k, f);
                let rest: Vec<(Vec<u32>, bool)> = examples[..a]
                    .iter()
                    .chain(&examples[b..])
                    .cloned()
                    .collect();
                let g = trainer.train(&rest, cfg.relevance_epochs, cfg.seed ^ 0x6a7e);
                for (ds, (x, _)) in gated[a..b].iter_mut().zip(&examples[a..b]) {
                    ds.relevance = g.score(x);
                }
            }
            let (gparams, gtuned) = tune(&per_doc, docs, &gated, cfg.tune_options());
            log(&format!(
                "out-of-fold micro F1 with the stacked gate: {:.1} with {gparams:?}",
                gtuned.micro.prf().f1 * 100.0
            ));
            if gtuned.micro.prf().f1 > tuned.micro.prf().f1 {
                gate = Some(trainer.train(&examples, cfg.relevance_epochs, cfg.seed ^ 0x6a7e));
                report.params = gparams;
                report.holdout = Some(gtuned);
            }
        }
    } else {
        let n_tune = ((docs.len() as f64) * cfg.holdout.clamp(0.0, 0.9)).round() as usize;
        if n_tune > 0 && n_tune < docs.len() {
            let (fit_docs, tune_docs) = docs.split_at(docs.len() - n_tune);
            log(&format!(
                "tuning: training on {} documents, tuning on {}",
                fit_docs.len(),
                tune_docs.len()
            ));
            let (model, _, _) = fit(fit_docs, cfg);
            let scores: Vec<DocScores> = tune_docs
                .iter()
                .map(|d| model.scores_with(&d.doctext, d.hints.as_ref()))
                .collect();
            let per_doc = vec![&model; tune_docs.len()];
            let raws = decode_all(&per_doc, tune_docs, &scores, &Params::default());
            let untuned = evaluate(&per_doc, tune_docs, &raws, &Params::default());
            log(&format!(
                "held-out micro F1 with default thresholds: {:.1}",
                untuned.micro.prf().f1 * 100.0
            ));
            let (params, scores) = tune(&per_doc, tune_docs, &scores, TuneOptions::default());
            log(&format!(
                "held-out micro F1 tuned: {:.1} with {params:?}",
                scores.micro.prf().f1 * 100.0
            ));
            report.params = params;
            report.holdout = Some(scores);
        }
    }
    log(&format!("training on all {} documents", docs.len()));
    let (mut model, sequences, unplaced) = fit(docs, cfg);
    model.params = report.params;
    model.scorer = scorer;
    model.gate = gate;
    if !fold_taggers.is_empty() {
        let mut all: Vec<&SequenceTagger> = fold_taggers.iter().collect();
        all.push(&model.tagger);
        if let Some(t) = SequenceTagger::average(&all) {
            log(&format!(
                "tagger: mean of the {} cross-fitted taggers and the final one",
                fold_taggers.len()
            ));
            model.tagger = t;
        }
    }
    let fz = TokenFeaturizer::new(cfg.bits).with_classes(cfg.classes);
    let types = primary_types(keys);
    let stages = primary_stages(keys);
    // The document features of every keyed document, computed once for
    // both classifiers.
    let features: HashMap<&str, Vec<u32>> = docs
        .iter()
        .filter(|d| types.contains_key(&d.docid) || stages.contains_key(&d.docid))
        .map(|d| {
            (
                d.docid.as_str(),
                fz.doc_features(&DocContext::new(&d.doctext)),
            )
        })
        .collect();
    let (incident, keyed) =
        train_document_classifier(docs, &features, &types, &INCIDENT_TYPES, &fz, cfg, 0x7e5);
    report.keyed_documents = keyed;
    if incident.is_some() {
        log(&format!(
            "incident type: trained on {keyed} keyed documents"
        ));
    }
    model.incident = incident;
    let (stage, staged) =
        train_document_classifier(docs, &features, &stages, &STAGES, &fz, cfg, 0x57a);
    if stage.is_some() {
        log(&format!("stage: trained on {staged} keyed documents"));
    }
    model.stage = stage;
    report.sequences = sequences;
    report.unplaced_mentions = unplaced;
    (model, report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::muc4::{read_jsonl, Role};

    #[test]
    fn projection_places_all_occurrences() {
        let line = r#"{"docid": "D", "doctext": "the fmln attacked. later the fmln (farabundo front) fled.", "extracts": {"PerpOrg": [[["fmln", 4], ["farabundo front", 35]]]}}"#;
        let docs = read_jsonl(line).expect("valid");
        let ctx = DocContext::new(&docs[0].doctext);
        let (labels, unplaced) = project(&docs[0], &ctx, true, false);
        assert_eq!(unplaced, 0);
        let b = 1 + 2 * Role::PerpOrg as usize;
        let tagged: Vec<&str> = labels
            .iter()
            .enumerate()
            .filter(|(_, &l)| l != 0)
            .map(|(i, _)| ctx.toks[i].text(&docs[0].doctext))
            .collect();
        assert_eq!(tagged, vec!["fmln", "fmln", "farabundo", "front"]);
        assert_eq!(labels[1], b);
        let (first_only, _) = project(&docs[0], &ctx, false, false);
        assert_eq!(first_only.iter().filter(|&&l| l == b).count(), 2);
        // BILOU: one-token mentions are U-, longer ones B- … L-.
        let (bilou, _) = project(&docs[0], &ctx, true, true);
        let base = 1 + 4 * Role::PerpOrg as usize;
        let tagged: Vec<usize> = bilou.iter().copied().filter(|&l| l != 0).collect();
        assert_eq!(tagged, vec![base + 3, base + 3, base, base + 2]);
    }

    /// `pairs` incident reports (alternately FMLN killing peasants and ELN
    /// killing judges, with their PerpOrg and Victim keys) and as many
    /// reports of nothing, in GRIT's format.
    fn toy_corpus(pairs: usize) -> Vec<crate::muc4::GoldDoc> {
        let mut lines = Vec::new();
        for i in 0..pairs {
            let (g, v) = if i % 2 == 0 {
                ("fmln", "peasants")
            } else {
                ("eln", "judges")
            };
            let text = format!("guerrillas of the {g} killed {i} {v} in town {i}.  the army said the attack was brutal.");
            let v_at = text.find(v).unwrap_or(0);
            lines.push(format!(
                r#"{{"docid": "D{i}", "doctext": "{text}", "extracts": {{"PerpOrg": [[["{g}", 18]]], "Victim": [[["{v}", {v_at}]]]}}}}"#
            ));
            lines.push(format!(r#"{{"docid": "N{i}", "doctext": "the minister met the {g} in town {i} to talk about peace.", "extracts": {{}}}}"#));
        }
        crate::muc4::read_jsonl(&lines.join("\n")).expect("valid")
    }

    #[test]
    fn training_is_deterministic_and_learns() {
        let docs = toy_corpus(12);
        let cfg = TrainConfig {
            bits: 14,
            epochs: 4,
            holdout: 0.25,
            ..TrainConfig::default()
        };
        let (m1, r1) = train(&docs, &[], &cfg, &mut |_| {});
        let (m2, _) = train(&docs, &[], &cfg, &mut |_| {});
        let bytes = m1.to_bytes();
        assert_eq!(bytes, m2.to_bytes());
        assert!(r1.holdout.is_some());
        let back = RoleModel::load(&bytes).expect("loads");
        let p = back.predict("guerrillas of the fmln killed 3 peasants in town 40.");
        let orgs: Vec<&str> = p.roles[Role::PerpOrg as usize]
            .iter()
            .map(|e| e.mentions[0].as_str())
            .collect();
        assert_eq!(orgs, vec!["fmln"]);
        assert!(RoleModel::load(&bytes[..bytes.len() - 3]).is_err());
        assert!(RoleModel::load(b"not a model").is_err());
    }

    #[test]
    fn both_label_schemes_learn_mentions_of_one_and_several_tokens() {
        let mut lines = Vec::new();
        for i in 0..16 {
            let g = if i % 2 == 0 { "farabundo front" } else { "eln" };
            let text = format!("guerrillas of the {g} killed {i} peasants in town {i}.");
            let v_at = text.find("peasants").unwrap_or(0);
            lines.push(format!(
                r#"{{"docid": "D{i}", "doctext": "{text}", "extracts": {{"PerpOrg": [[["{g}", 18]]], "Victim": [[["peasants", {v_at}]]]}}}}"#
            ));
            lines.push(format!(
                r#"{{"docid": "N{i}", "doctext": "the minister met the {g} in town {i}.", "extracts": {{}}}}"#
            ));
        }
        let docs = crate::muc4::read_jsonl(&lines.join("\n")).expect("valid");
        for bilou in [false, true] {
            let cfg = TrainConfig {
                bits: 14,
                epochs: 4,
                holdout: 0.25,
                bilou,
                ..TrainConfig::default()
            };
            let (m, _) = train(&docs, &[], &cfg, &mut |_| {});
            let m = RoleModel::load(&m.to_bytes()).expect("loads");
            assert_eq!(m.tagger.labels().len(), if bilou { 21 } else { 11 });
            for (text, org) in [
                (
                    "guerrillas of the farabundo front killed 9 peasants in town 30.",
                    "farabundo front",
                ),
                ("guerrillas of the eln killed 7 peasants in town 31.", "eln"),
            ] {
                let p = m.predict(text);
                let orgs: Vec<&str> = p.roles[Role::PerpOrg as usize]
                    .iter()
                    .map(|e| e.mentions[0].as_str())
                    .collect();
                assert_eq!(orgs, vec![org], "bilou: {bilou}");
                let victims: Vec<&str> = p.roles[Role::Victim as usize]
                    .iter()
                    .map(|e| e.mentions[0].as_str())
                    .collect();
                assert_eq!(victims, vec!["peasants"], "bilou: {bilou}");
            }
        }
    }

    #[test]
    fn cross_fitted_tuning_gate_and_ensemble() {
        let docs = toy_corpus(16);
        let cfg = TrainConfig {
            bits: 14,
            epochs: 4,
            tune_folds: 2,
            gate: true,
            ..TrainConfig::default()
        };
        let mut log = Vec::new();
        let (m1, r1) = train(&docs, &[], &cfg, &mut |l| log.push(l.to_string()));
        let (m2, _) = train(&docs, &[], &cfg, &mut |_| {});
        assert!(log.iter().any(|l| l.starts_with("tagger: mean of the 2")));
        assert!(r1.holdout.is_some());
        let bytes = m1.to_bytes();
        assert_eq!(bytes, m2.to_bytes());
        let back = RoleModel::load(&bytes).expect("loads");
        assert_eq!(back.params.role_bias, m1.params.role_bias);
        let p = back.predict("guerrillas of the eln killed 3 judges in town 40.");
        let victims: Vec<&str> = p.roles[Role::Victim as usize]
            .iter()
            .map(|e| e.mentions[0].as_str())
            .collect();
        assert_eq!(victims, vec!["judges"]);
    }

    #[test]
    fn word_class_flag_round_trips_and_earlier_versions_are_refused() {
        let docs = toy_corpus(12);
        let cfg = TrainConfig {
            bits: 14,
            epochs: 3,
            tune_folds: 0,
            ..TrainConfig::default()
        };
        assert!(cfg.classes, "word classes are the default recipe");
        let (m, _) = train(&docs, &[], &cfg, &mut |_| {});
        let bytes = m.to_bytes();
        assert_eq!(bytes[8..12], 8u32.to_le_bytes());
        let back = RoleModel::load(&bytes).expect("loads");
        assert!(back.featurizer().uses_classes());
        assert_eq!(back.to_bytes(), bytes);
        let plain = TrainConfig {
            classes: false,
            ..cfg
        };
        let (m2, _) = train(&docs, &[], &plain, &mut |_| {});
        let bytes2 = m2.to_bytes();
        assert!(!RoleModel::load(&bytes2)
            .expect("loads")
            .featurizer()
            .uses_classes());
        // A model of an earlier version read other features: the
        // error says to retrain it rather than scoring garbage.
        let mut old = bytes2.clone();
        old[8..12].copy_from_slice(&7u32.to_le_bytes());
        let err = RoleModel::load(&old).expect_err("refused").to_string();
        assert!(err.contains("vigil train"), "{err}");
        old[8..12].copy_from_slice(&99u32.to_le_bytes());
        assert!(RoleModel::load(&old).is_err());
    }

    #[test]
    fn hints_and_trimming_round_trip() {
        let mut docs = toy_corpus(16);
        for d in docs.iter_mut().filter(|d| d.docid.starts_with('D')) {
            // The rules found the victims (but not the group).
            let v = if d.doctext.contains("peasants") {
                "peasants"
            } else {
                "judges"
            };
            d.hints = Some(RuleHints {
                mentions: vec![(crate::muc4::Role::Victim, v.to_string())],
                events: vec!["ATTACK/ACCOMPLISHED".into()],
            });
        }
        let cfg = TrainConfig {
            bits: 14,
            epochs: 4,
            tune_folds: 2,
            hints: true,
            trim: true,
            role_thresholds: true,
            ..TrainConfig::default()
        };
        let (m1, _) = train(&docs, &[], &cfg, &mut |_| {});
        let (m2, _) = train(&docs, &[], &cfg, &mut |_| {});
        let bytes = m1.to_bytes();
        assert_eq!(bytes, m2.to_bytes());
        let back = RoleModel::load(&bytes).expect("loads");
        assert!(back.uses_hints());
        assert_eq!(back.params, m1.params);
        let text = "guerrillas of the eln killed 3 judges in town 40.";
        let hints = RuleHints {
            mentions: vec![(crate::muc4::Role::Victim, "judges".into())],
            events: vec!["ATTACK/ACCOMPLISHED".into()],
        };
        let p = back.predict_with(text, Some(&hints));
        let victims: Vec<&str> = p.roles[crate::muc4::Role::Victim as usize]
            .iter()
            .map(|e| e.mentions[0].as_str())
            .collect();
        assert_eq!(victims, vec!["judges"]);
        // The hints change the scores.
        assert_ne!(
            back.scores_with(text, Some(&hints)).em,
            back.scores_with(text, None).em
        );
        // A model without hints ignores them.
        let plain = TrainConfig {
            hints: false,
            ..cfg
        };
        let (m3, _) = train(&docs, &[], &plain, &mut |_| {});
        assert!(!m3.uses_hints());
        assert_eq!(
            m3.scores_with(text, Some(&hints)).em,
            m3.scores_with(text, None).em
        );
    }

    #[test]
    fn byte_offsets_of_chars() {
        assert_eq!(byte_offset("día x", 4), Some(5));
        assert_eq!(byte_offset("abc", 3), Some(3));
        assert_eq!(byte_offset("abc", 4), None);
    }
}
