//! Averaged linear models: a first-order sequence tagger (trained as a
//! structured perceptron or as a linear-chain CRF) and binary and
//! multiclass perceptron classifiers, all over hashed features (`u32`
//! buckets from a [`FeatureHasher`](super::FeatureHasher)).

use super::io::{Reader, Writer};
use super::rng::Rng;
use super::weights::{AveragedWeights, WeightTable};
use super::LearnError;

/// Weights smaller than this are dropped from saved models.
const PRUNE: f32 = 1e-3;

/// The transition constraints of a BIO or BILOU label set:
/// `allowed[p * n + c]` for `p` in `0..=n` (`p == n` is the start of the
/// sequence). `I-X` (and `L-X`) may only follow `B-X` or `I-X`; where the
/// set has an `L-X`, `B-X` and `I-X` may only be followed by `I-X` or
/// `L-X`; everything else is free.
pub fn bio_constraints(labels: &[String]) -> Vec<bool> {
    let n = labels.len();
    let mut allowed = vec![true; (n + 1) * n];
    let inside = |p: usize, kind: &str| {
        p < n && (labels[p] == format!("B-{kind}") || labels[p] == format!("I-{kind}"))
    };
    for (c, cur) in labels.iter().enumerate() {
        if let Some(kind) = cur.strip_prefix("I-").or_else(|| cur.strip_prefix("L-")) {
            for p in 0..=n {
                allowed[p * n + c] = inside(p, kind);
            }
        }
    }
    for (p, prev) in labels.iter().enumerate() {
        let Some(kind) = prev.strip_prefix("B-").or_else(|| prev.strip_prefix("I-")) else {
            continue;
        };
        let last = format!("L-{kind}");
        if labels.contains(&last) {
            let next = format!("I-{kind}");
            for (c, cur) in labels.iter().enumerate() {
                allowed[p * n + c] = *cur == next || *cur == last;
            }
        }
    }
    allowed
}

/// Viterbi over emission scores `em` (`T × n`), transitions `trans`
/// (`(n+1) × n`, last row = start) and constraints.
fn viterbi(em: &[f32], trans: &[f32], allowed: &[bool], n: usize) -> Vec<usize> {
    let t_len = em.len() / n;
    if t_len == 0 || n == 0 {
        return Vec::new();
    }
    let mut score = vec![f32::NEG_INFINITY; t_len * n];
    let mut back = vec![0usize; t_len * n];
    for c in 0..n {
        if allowed[n * n + c] {
            score[c] = em[c] + trans[n * n + c];
        }
    }
    for t in 1..t_len {
        for c in 0..n {
            let mut best = f32::NEG_INFINITY;
            let mut arg = 0;
            for p in 0..n {
                if !allowed[p * n + c] {
                    continue;
                }
                let s = score[(t - 1) * n + p] + trans[p * n + c];
                if s > best {
                    best = s;
                    arg = p;
                }
            }
            score[t * n + c] = best + em[t * n + c];
            back[t * n + c] = arg;
        }
    }
    let last = &score[(t_len - 1) * n..];
    let mut cur = 0;
    for c in 1..n {
        if last[c] > last[cur] {
            cur = c;
        }
    }
    let mut path = vec![0; t_len];
    for t in (0..t_len).rev() {
        path[t] = cur;
        cur = back[t * n + cur];
    }
    path
}

/// Emission scores (`T × n`, into `em`) of a sequence's features under
/// dense weights being trained (`bucket × n`; features outside the table
/// score nothing).
fn emission_scores(weights: &[f32], feats: &[Vec<u32>], n: usize, em: &mut Vec<f32>) {
    em.clear();
    em.resize(feats.len() * n, 0.0);
    for (t, fs) in feats.iter().enumerate() {
        let out = &mut em[t * n..(t + 1) * n];
        for &f in fs {
            if let Some(row) = weights.get(f as usize * n..(f as usize + 1) * n) {
                for (o, w) in out.iter_mut().zip(row) {
                    *o += *w;
                }
            }
        }
    }
}

/// Forward–backward over emission scores `em` (`T × n`) and transition
/// scores `trans` (`(n + 1) × n`, row `n` the start), restricted to the
/// `allowed` transitions: the log forward and backward tables and the log
/// partition function. `T` must be at least 1.
fn forward_backward(
    em: &[f32],
    trans: &[f32],
    allowed: &[bool],
    n: usize,
) -> (Vec<f32>, Vec<f32>, f32) {
    let t_len = em.len() / n;
    let tr = |p: usize, c: usize| -> f32 {
        if allowed[p * n + c] {
            trans[p * n + c]
        } else {
            f32::NEG_INFINITY
        }
    };
    let mut alpha = vec![f32::NEG_INFINITY; t_len * n];
    let mut beta = vec![f32::NEG_INFINITY; t_len * n];
    for c in 0..n {
        alpha[c] = tr(n, c) + em[c];
    }
    for t in 1..t_len {
        for c in 0..n {
            let mut acc = f32::NEG_INFINITY;
            for p in 0..n {
                acc = log_add(acc, alpha[(t - 1) * n + p] + tr(p, c));
            }
            alpha[t * n + c] = acc + em[t * n + c];
        }
    }
    for c in 0..n {
        beta[(t_len - 1) * n + c] = 0.0;
    }
    for t in (0..t_len - 1).rev() {
        for p in 0..n {
            let mut acc = f32::NEG_INFINITY;
            for c in 0..n {
                acc = log_add(acc, tr(p, c) + em[(t + 1) * n + c] + beta[(t + 1) * n + c]);
            }
            beta[t * n + p] = acc;
        }
    }
    let z = alpha[(t_len - 1) * n..]
        .iter()
        .fold(f32::NEG_INFINITY, |a, &b| log_add(a, b));
    (alpha, beta, z)
}

fn log_add(a: f32, b: f32) -> f32 {
    if a == f32::NEG_INFINITY {
        return b;
    }
    if b == f32::NEG_INFINITY {
        return a;
    }
    let m = a.max(b);
    m + ((a - m).exp() + (b - m).exp()).ln()
}

/// A trained first-order sequence tagger.
#[derive(Debug, Clone, PartialEq)]
pub struct SequenceTagger {
    labels: Vec<String>,
    emit: WeightTable,
    trans: Vec<f32>,
    allowed: Vec<bool>,
}

impl SequenceTagger {
    /// The label names, in index order.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Emission scores of each token (`T × n_labels`, row-major).
    pub fn emissions(&self, features: &[Vec<u32>]) -> Vec<f32> {
        let n = self.labels.len();
        let mut em = vec![0.0f32; features.len() * n];
        for (t, f) in features.iter().enumerate() {
            self.emit.accumulate(f, &mut em[t * n..(t + 1) * n]);
        }
        em
    }

    /// The best label sequence for emission scores from [`Self::emissions`].
    pub fn decode_emissions(&self, em: &[f32]) -> Vec<usize> {
        viterbi(em, &self.trans, &self.allowed, self.labels.len())
    }

    /// The best label sequence for the tokens' features.
    pub fn decode(&self, features: &[Vec<u32>]) -> Vec<usize> {
        self.decode_emissions(&self.emissions(features))
    }

    /// Per-token label probabilities (`T × n_labels`) from forward–backward
    /// over the scores divided by `temperature`: a confidence, not a
    /// calibrated probability.
    pub fn marginals(&self, em: &[f32], temperature: f32) -> Vec<f32> {
        let n = self.labels.len();
        let t_len = em.len() / n.max(1);
        if t_len == 0 {
            return Vec::new();
        }
        let inv = 1.0 / temperature.max(1e-3);
        let em: Vec<f32> = em[..t_len * n].iter().map(|x| x * inv).collect();
        let trans: Vec<f32> = self.trans.iter().map(|x| x * inv).collect();
        let (alpha, beta, z) = forward_backward(&em, &trans, &self.allowed, n);
        alpha
            .iter()
            .zip(&beta)
            .map(|(a, b)| (a + b - z).exp())
            .collect()
    }

    /// The tagger whose weights are the mean of `taggers`' (an ensemble
    /// that costs no more than one tagger at prediction time); `None` when
    /// the list is empty or the taggers differ in labels or feature space.
    pub fn average(taggers: &[&SequenceTagger]) -> Option<SequenceTagger> {
        let first = *taggers.first()?;
        let n = first.labels.len();
        let mut emit = first.emit.to_dense();
        let mut trans = first.trans.clone();
        for t in &taggers[1..] {
            if t.labels != first.labels || t.allowed != first.allowed {
                return None;
            }
            let d = t.emit.to_dense();
            if d.len() != emit.len() {
                return None;
            }
            emit.iter_mut().zip(&d).for_each(|(a, b)| *a += b);
            trans.iter_mut().zip(&t.trans).for_each(|(a, b)| *a += b);
        }
        let k = taggers.len() as f32;
        emit.iter_mut().for_each(|x| *x /= k);
        trans.iter_mut().for_each(|x| *x /= k);
        Some(SequenceTagger {
            labels: first.labels.clone(),
            emit: WeightTable::from_dense(&emit, n, PRUNE),
            trans,
            allowed: first.allowed.clone(),
        })
    }

    /// Serialises the tagger.
    pub fn write(&self, w: &mut Writer) {
        w.varint(self.labels.len() as u64);
        for l in &self.labels {
            w.str(l);
        }
        for x in &self.trans {
            w.f32(*x);
        }
        for a in &self.allowed {
            w.bytes(&[u8::from(*a)]);
        }
        self.emit.write(w);
    }

    /// Reads what [`Self::write`] wrote.
    pub fn read(r: &mut Reader<'_>) -> Result<SequenceTagger, LearnError> {
        let n = r.varint()? as usize;
        if n == 0 || n > 256 {
            return Err(LearnError::Format("bad label count".into()));
        }
        let labels = (0..n).map(|_| r.str()).collect::<Result<Vec<_>, _>>()?;
        let trans = (0..(n + 1) * n)
            .map(|_| r.f32())
            .collect::<Result<Vec<_>, _>>()?;
        let allowed = r.take((n + 1) * n)?.iter().map(|b| *b != 0).collect();
        let emit = WeightTable::read(r)?;
        if emit.n_labels() != n {
            return Err(LearnError::Format(
                "emission table does not match labels".into(),
            ));
        }
        Ok(SequenceTagger {
            labels,
            emit,
            trans,
            allowed,
        })
    }
}

/// Trains a [`SequenceTagger`] with the averaged structured perceptron.
#[derive(Debug)]
pub struct SequenceTrainer {
    labels: Vec<String>,
    allowed: Vec<bool>,
    buckets: usize,
    dropout: f32,
}

impl SequenceTrainer {
    /// The dropout probabilities [`Self::with_dropout`] accepts are below
    /// this: with more, the kept features would count too many times.
    pub const MAX_DROPOUT: f32 = 0.95;

    /// A trainer for `labels` with hashed features in `0..buckets` and the
    /// given transition constraints (see [`bio_constraints`]).
    pub fn new(labels: Vec<String>, buckets: usize, allowed: Vec<bool>) -> SequenceTrainer {
        let n = labels.len();
        let allowed = if allowed.len() == (n + 1) * n {
            allowed
        } else {
            vec![true; (n + 1) * n]
        };
        SequenceTrainer {
            labels,
            allowed,
            buckets,
            dropout: 0.0,
        }
    }

    /// Feature dropout: every time a sequence is visited, each of its
    /// token features is left out with probability `p` (seeded, so
    /// training stays deterministic) and the kept ones count `1 / (1 - p)`
    /// times in the emission scores and, for [`Self::train_crf`], in the
    /// gradient, so that no single feature (a word seen with a label)
    /// carries a decision the others could share. Prediction uses every
    /// feature. `p` outside `0..`[`Self::MAX_DROPOUT`] means none.
    pub fn with_dropout(mut self, p: f32) -> SequenceTrainer {
        self.dropout = if (0.0..Self::MAX_DROPOUT).contains(&p) {
            p
        } else {
            0.0
        };
        self
    }

    /// Trains for `epochs` passes over `data` (features per token, gold
    /// label per token), visiting sequences in a seeded random order, with
    /// the averaged structured perceptron: where Viterbi's labels differ
    /// from the gold ones, the gold labels' weights go up by one and the
    /// predicted ones' down. Features outside `0..buckets` and labels out
    /// of range are ignored.
    pub fn train(
        &self,
        data: &[(Vec<Vec<u32>>, Vec<usize>)],
        epochs: usize,
        seed: u64,
    ) -> SequenceTagger {
        let (n, buckets, allowed) = (self.labels.len(), self.buckets, &self.allowed);
        self.fit(data, epochs, seed, |w, feats, gold, c| {
            let pred = viterbi(&w.em, &w.trans.w, allowed, n);
            if pred == gold {
                return;
            }
            for t in 0..gold.len() {
                let (g, p) = (gold[t], pred[t]);
                if g != p {
                    for &f in &feats[t] {
                        let f = f as usize;
                        if f < buckets {
                            w.emit.add(f * n + g, 1.0, c);
                            w.emit.add(f * n + p, -1.0, c);
                        }
                    }
                }
                let gp = if t == 0 { n } else { gold[t - 1] };
                let pp = if t == 0 { n } else { pred[t - 1] };
                if (gp, g) != (pp, p) {
                    w.trans.add(gp * n + g, 1.0, c);
                    w.trans.add(pp * n + p, -1.0, c);
                }
            }
        })
    }

    /// Trains a linear-chain CRF (the same model, scored the same way) by
    /// averaged stochastic gradient ascent on the conditional
    /// log-likelihood with learning rate `lr`: every token moves the
    /// weights of every label by the gap between the gold label and the
    /// model's marginal probability, not only where Viterbi is wrong, so
    /// the scores are log-potentials rather than perceptron margins.
    /// Same data, order and determinism as [`Self::train`].
    pub fn train_crf(
        &self,
        data: &[(Vec<Vec<u32>>, Vec<usize>)],
        epochs: usize,
        seed: u64,
        lr: f32,
    ) -> SequenceTagger {
        let (n, buckets, allowed) = (self.labels.len(), self.buckets, &self.allowed);
        let mut pair = vec![0.0f32; (n + 1) * n];
        self.fit(data, epochs, seed, |w, feats, gold, c| {
            if gold.is_empty() {
                return;
            }
            let em = &w.em;
            let (alpha, beta, z) = forward_backward(em, &w.trans.w, allowed, n);
            if !z.is_finite() {
                return;
            }
            // Observed minus expected transition counts.
            pair.iter_mut().for_each(|x| *x = 0.0);
            for t in 0..gold.len() {
                for y in 0..n {
                    let m = (alpha[t * n + y] + beta[t * n + y] - z).exp();
                    let g = if gold[t] == y { 1.0 } else { 0.0 };
                    let d = lr * (g - m) * w.scale;
                    if d.abs() > 1e-4 * lr {
                        for &f in &feats[t] {
                            let f = f as usize;
                            if f < buckets {
                                w.emit.add(f * n + y, d, c);
                            }
                        }
                    }
                    if t == 0 {
                        pair[n * n + y] -= m;
                    } else {
                        for p in 0..n {
                            if allowed[p * n + y] {
                                let pm = (alpha[(t - 1) * n + p]
                                    + w.trans.w[p * n + y]
                                    + em[t * n + y]
                                    + beta[t * n + y]
                                    - z)
                                    .exp();
                                pair[p * n + y] -= pm;
                            }
                        }
                    }
                }
                let gp = if t == 0 { n } else { gold[t - 1] };
                pair[gp * n + gold[t]] += 1.0;
            }
            for (k, x) in pair.iter().enumerate() {
                if x.abs() > 1e-4 {
                    w.trans.add(k, lr * x, c);
                }
            }
        })
    }

    /// The training loop both trainers share: `epochs` passes over the
    /// valid sequences of `data` in a seeded random order; `update` gets
    /// the weights (with the sequence's emission scores computed) and the
    /// step count for averaging.
    fn fit(
        &self,
        data: &[(Vec<Vec<u32>>, Vec<usize>)],
        epochs: usize,
        seed: u64,
        mut update: impl FnMut(&mut Training, &[Vec<u32>], &[usize], u64),
    ) -> SequenceTagger {
        let n = self.labels.len();
        let p = self.dropout;
        let mut w = Training {
            emit: AveragedWeights::new(self.buckets * n),
            trans: AveragedWeights::new((n + 1) * n),
            em: Vec::new(),
            scale: 1.0 / (1.0 - p),
        };
        let mut rng = Rng::new(seed);
        // A generator of its own, so that dropout leaves the order as it is.
        let mut drop_rng = Rng::new(seed ^ 0xd80b);
        let keep_below = ((1.0 - f64::from(p)) * (u32::MAX as f64)) as u64;
        let mut kept: Vec<Vec<u32>> = Vec::new();
        let mut order: Vec<usize> = (0..data.len()).collect();
        let mut c: u64 = 1;
        for _ in 0..epochs {
            rng.shuffle(&mut order);
            for &i in &order {
                let (feats, gold) = &data[i];
                if feats.len() != gold.len() || gold.iter().any(|&g| g >= n) {
                    continue;
                }
                let feats = if p > 0.0 {
                    kept.resize_with(feats.len(), Vec::new);
                    for (k, fs) in kept.iter_mut().zip(feats) {
                        k.clear();
                        k.extend(
                            fs.iter()
                                .filter(|_| (drop_rng.next_u64() >> 32) < keep_below),
                        );
                    }
                    &kept[..feats.len()]
                } else {
                    &feats[..]
                };
                emission_scores(&w.emit.w, feats, n, &mut w.em);
                if p > 0.0 {
                    w.em.iter_mut().for_each(|x| *x *= w.scale);
                }
                update(&mut w, feats, gold, c);
                c += 1;
            }
        }
        SequenceTagger {
            labels: self.labels.clone(),
            emit: WeightTable::from_dense(&w.emit.averaged(c), n, PRUNE),
            trans: w.trans.averaged(c),
            allowed: self.allowed.clone(),
        }
    }
}

/// The weights of a tagger being trained, and the emission scores of the
/// current sequence under them.
struct Training {
    emit: AveragedWeights,
    trans: AveragedWeights,
    em: Vec<f32>,
    /// How much each kept feature counts under dropout (1 without).
    scale: f32,
}

/// The element-wise mean of the weight vectors of `bags` training runs
/// (at least one), `run(b)` giving the weights of run `b`.
fn mean_of_runs(bags: usize, mut run: impl FnMut(u64) -> Vec<f32>) -> Vec<f32> {
    let bags = bags.max(1);
    let mut sum = run(0);
    for b in 1..bags as u64 {
        for (s, w) in sum.iter_mut().zip(run(b)) {
            *s += w;
        }
    }
    let n = bags as f32;
    sum.iter_mut().for_each(|s| *s /= n);
    sum
}

/// A trained averaged-perceptron yes/no classifier.
#[derive(Debug, Clone, PartialEq)]
pub struct BinaryClassifier {
    weights: WeightTable,
    bias: f32,
}

impl BinaryClassifier {
    /// The raw score: positive means yes.
    pub fn score(&self, features: &[u32]) -> f32 {
        let mut out = [self.bias];
        self.weights.accumulate(features, &mut out);
        out[0]
    }

    /// Serialises the classifier.
    pub fn write(&self, w: &mut Writer) {
        w.f32(self.bias);
        self.weights.write(w);
    }

    /// Reads what [`Self::write`] wrote.
    pub fn read(r: &mut Reader<'_>) -> Result<BinaryClassifier, LearnError> {
        let bias = r.f32()?;
        let weights = WeightTable::read(r)?;
        if weights.n_labels() != 1 {
            return Err(LearnError::Format(
                "binary classifier with several outputs".into(),
            ));
        }
        Ok(BinaryClassifier { weights, bias })
    }
}

/// Trains a [`BinaryClassifier`].
#[derive(Debug)]
pub struct BinaryTrainer {
    buckets: usize,
}

impl BinaryTrainer {
    /// A trainer for features in `0..buckets`.
    pub fn new(buckets: usize) -> BinaryTrainer {
        BinaryTrainer { buckets }
    }

    /// Trains on `(features, label)` pairs for `epochs` seeded passes.
    pub fn train(&self, data: &[(Vec<u32>, bool)], epochs: usize, seed: u64) -> BinaryClassifier {
        let mut w = AveragedWeights::new(self.buckets + 1);
        let bias = self.buckets;
        let mut rng = Rng::new(seed);
        let mut order: Vec<usize> = (0..data.len()).collect();
        let mut c: u64 = 1;
        for _ in 0..epochs {
            rng.shuffle(&mut order);
            for &i in &order {
                let (feats, y) = &data[i];
                let mut s = w.w[bias];
                for &f in feats {
                    if (f as usize) < self.buckets {
                        s += w.w[f as usize];
                    }
                }
                let y = if *y { 1.0 } else { -1.0 };
                if y * s <= 0.0 {
                    for &f in feats {
                        if (f as usize) < self.buckets {
                            w.add(f as usize, y, c);
                        }
                    }
                    w.add(bias, y, c);
                }
                c += 1;
            }
        }
        let avg = w.averaged(c);
        BinaryClassifier {
            weights: WeightTable::from_dense(&avg[..self.buckets], 1, PRUNE),
            bias: avg[bias],
        }
    }
}

/// A trained averaged-perceptron classifier choosing one of several labels.
#[derive(Debug, Clone, PartialEq)]
pub struct MulticlassClassifier {
    labels: Vec<String>,
    weights: WeightTable,
}

impl MulticlassClassifier {
    /// The label names, in index order.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The score of every label.
    pub fn scores(&self, features: &[u32]) -> Vec<f32> {
        let mut out = vec![0.0; self.labels.len()];
        self.weights.accumulate(features, &mut out);
        out
    }

    /// The best label's index.
    pub fn predict(&self, features: &[u32]) -> usize {
        let s = self.scores(features);
        let mut best = 0;
        for (i, x) in s.iter().enumerate() {
            if *x > s[best] {
                best = i;
            }
        }
        best
    }

    /// Serialises the classifier.
    pub fn write(&self, w: &mut Writer) {
        w.varint(self.labels.len() as u64);
        for l in &self.labels {
            w.str(l);
        }
        self.weights.write(w);
    }

    /// Reads what [`Self::write`] wrote.
    pub fn read(r: &mut Reader<'_>) -> Result<MulticlassClassifier, LearnError> {
        let n = r.varint()? as usize;
        if n == 0 || n > 256 {
            return Err(LearnError::Format("bad label count".into()));
        }
        let labels = (0..n).map(|_| r.str()).collect::<Result<Vec<_>, _>>()?;
        let weights = WeightTable::read(r)?;
        if weights.n_labels() != n {
            return Err(LearnError::Format(
                "weight table does not match labels".into(),
            ));
        }
        Ok(MulticlassClassifier { labels, weights })
    }
}

/// Trains a [`MulticlassClassifier`].
#[derive(Debug)]
pub struct MulticlassTrainer {
    labels: Vec<String>,
    buckets: usize,
}

impl MulticlassTrainer {
    /// A trainer for `labels` over features in `0..buckets`.
    pub fn new(labels: Vec<String>, buckets: usize) -> MulticlassTrainer {
        MulticlassTrainer { labels, buckets }
    }

    /// Trains on `(features, label index)` pairs for `epochs` seeded passes.
    pub fn train(
        &self,
        data: &[(Vec<u32>, usize)],
        epochs: usize,
        seed: u64,
    ) -> MulticlassClassifier {
        self.train_bagged(data, epochs, seed, 1)
    }

    /// The mean of `bags` classifiers trained as [`Self::train`] does with
    /// the seeds `seed`, `seed + 1`, …; `bags` of 1 (or 0) is
    /// [`Self::train`].
    pub fn train_bagged(
        &self,
        data: &[(Vec<u32>, usize)],
        epochs: usize,
        seed: u64,
        bags: usize,
    ) -> MulticlassClassifier {
        let n = self.labels.len().max(1);
        let avg = mean_of_runs(bags, |b| self.dense(data, epochs, seed + b));
        MulticlassClassifier {
            labels: self.labels.clone(),
            weights: WeightTable::from_dense(&avg, n, PRUNE),
        }
    }

    /// The averaged weights of one seeded run.
    fn dense(&self, data: &[(Vec<u32>, usize)], epochs: usize, seed: u64) -> Vec<f32> {
        let n = self.labels.len().max(1);
        let mut w = AveragedWeights::new(self.buckets * n);
        let mut rng = Rng::new(seed);
        let mut order: Vec<usize> = (0..data.len()).collect();
        let mut c: u64 = 1;
        let mut s = vec![0.0f32; n];
        for _ in 0..epochs {
            rng.shuffle(&mut order);
            for &i in &order {
                let (feats, y) = &data[i];
                if *y >= n {
                    continue;
                }
                s.iter_mut().for_each(|x| *x = 0.0);
                for &f in feats {
                    if let Some(row) = w.w.get(f as usize * n..(f as usize + 1) * n) {
                        for (o, x) in s.iter_mut().zip(row) {
                            *o += *x;
                        }
                    }
                }
                let mut best = 0;
                for k in 1..n {
                    if s[k] > s[best] {
                        best = k;
                    }
                }
                if best != *y {
                    for &f in feats {
                        if (f as usize) < self.buckets {
                            w.add(f as usize * n + y, 1.0, c);
                            w.add(f as usize * n + best, -1.0, c);
                        }
                    }
                }
                c += 1;
            }
        }
        w.averaged(c)
    }
}

/// A trained averaged-perceptron ranker: scores candidates (each a set of
/// features) so that the right one of a list comes first.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranker {
    weights: WeightTable,
}

impl Ranker {
    /// The score of one candidate.
    pub fn score(&self, features: &[u32]) -> f32 {
        let mut out = [0.0];
        self.weights.accumulate(features, &mut out);
        out[0]
    }

    /// The index of the best-scoring candidate (the first among equals);
    /// `None` for no candidates.
    pub fn best<'a>(&self, candidates: impl IntoIterator<Item = &'a [u32]>) -> Option<usize> {
        let mut best: Option<(usize, f32)> = None;
        for (i, c) in candidates.into_iter().enumerate() {
            let s = self.score(c);
            if best.is_none_or(|(_, b)| s > b) {
                best = Some((i, s));
            }
        }
        best.map(|(i, _)| i)
    }

    /// Serialises the ranker.
    pub fn write(&self, w: &mut Writer) {
        self.weights.write(w);
    }

    /// Reads what [`Self::write`] wrote.
    pub fn read(r: &mut Reader<'_>) -> Result<Ranker, LearnError> {
        let weights = WeightTable::read(r)?;
        if weights.n_labels() != 1 {
            return Err(LearnError::Format("ranker with several outputs".into()));
        }
        Ok(Ranker { weights })
    }
}

/// Trains a [`Ranker`].
#[derive(Debug)]
pub struct RankTrainer {
    buckets: usize,
}

impl RankTrainer {
    /// A trainer for features in `0..buckets`.
    pub fn new(buckets: usize) -> RankTrainer {
        RankTrainer { buckets }
    }

    /// Trains on lists of candidates with the index of the right one, for
    /// `epochs` seeded passes: whenever another candidate scores at least as
    /// high as the right one, the right one's features gain and the
    /// other's lose.
    pub fn train(&self, data: &[(Vec<Vec<u32>>, usize)], epochs: usize, seed: u64) -> Ranker {
        Ranker {
            weights: WeightTable::from_dense(&self.dense(data, epochs, seed), 1, PRUNE),
        }
    }

    /// The mean of `bags` rankers trained as [`Self::train`] does with the
    /// seeds `seed`, `seed + 1`, …: the order in which a perceptron sees
    /// its examples moves a small ranker's choices, the mean of several
    /// orders much less. `bags` of 1 (or 0) is [`Self::train`].
    pub fn train_bagged(
        &self,
        data: &[(Vec<Vec<u32>>, usize)],
        epochs: usize,
        seed: u64,
        bags: usize,
    ) -> Ranker {
        Ranker {
            weights: WeightTable::from_dense(
                &mean_of_runs(bags, |b| self.dense(data, epochs, seed + b)),
                1,
                PRUNE,
            ),
        }
    }

    /// The averaged weights of one seeded training run.
    fn dense(&self, data: &[(Vec<Vec<u32>>, usize)], epochs: usize, seed: u64) -> Vec<f32> {
        let mut w = AveragedWeights::new(self.buckets);
        let mut rng = Rng::new(seed);
        let mut order: Vec<usize> = (0..data.len()).collect();
        let mut c: u64 = 1;
        let score = |w: &AveragedWeights, feats: &[u32]| -> f32 {
            feats.iter().filter_map(|&f| w.w.get(f as usize)).sum()
        };
        for _ in 0..epochs {
            rng.shuffle(&mut order);
            for &i in &order {
                let (cands, gold) = &data[i];
                let Some(gold_feats) = cands.get(*gold) else {
                    continue;
                };
                let gold_score = score(&w, gold_feats);
                let mut rival: Option<(usize, f32)> = None;
                for (k, f) in cands.iter().enumerate() {
                    if k == *gold {
                        continue;
                    }
                    let s = score(&w, f);
                    if rival.is_none_or(|(_, b)| s > b) {
                        rival = Some((k, s));
                    }
                }
                if let Some((k, s)) = rival {
                    if s >= gold_score {
                        for &f in gold_feats {
                            w.add(f as usize, 1.0, c);
                        }
                        for &f in &cands[k] {
                            w.add(f as usize, -1.0, c);
                        }
                    }
                }
                c += 1;
            }
        }
        w.averaged(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> Vec<String> {
        ["O", "B-X", "I-X"].iter().map(|s| s.to_string()).collect()
    }

    /// Tokens "a" start an X span, "b" continue it, anything else is O.
    fn toy() -> Vec<(Vec<Vec<u32>>, Vec<usize>)> {
        let seqs = ["a b c", "c a b b", "c c a", "a c a b", "b c"];
        seqs.iter()
            .map(|s| {
                let toks: Vec<&str> = s.split(' ').collect();
                let mut gold = Vec::new();
                let mut feats = Vec::new();
                for (i, t) in toks.iter().enumerate() {
                    let f = match *t {
                        "a" => 1,
                        "b" => 2,
                        _ => 3,
                    };
                    let prev = match i.checked_sub(1).map(|j| toks[j]) {
                        Some("a") => 5,
                        Some("b") => 6,
                        Some(_) => 7,
                        None => 8,
                    };
                    feats.push(vec![0, f, prev]);
                    let in_span = i > 0 && gold.last().is_some_and(|&g| g != 0);
                    gold.push(match *t {
                        "a" => 1,
                        "b" if in_span => 2,
                        _ => 0,
                    });
                }
                (feats, gold)
            })
            .collect()
    }

    #[test]
    fn constraints_forbid_orphan_inside() {
        let a = bio_constraints(&labels());
        let n = 3;
        assert!(!a[n * n + 2], "I-X cannot start a sequence");
        assert!(!a[2], "I-X cannot follow O");
        assert!(a[n + 2] && a[2 * n + 2]);
    }

    #[test]
    fn bilou_constraints_close_every_mention() {
        let l: Vec<String> = ["O", "B-X", "I-X", "L-X", "U-X", "B-Y", "I-Y", "L-Y", "U-Y"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let a = bio_constraints(&l);
        let n = l.len();
        let ok = |p: usize, c: usize| a[p * n + c];
        // I-X and L-X only inside an X mention.
        for c in [2, 3] {
            assert!(!ok(n, c), "{} cannot start a sequence", l[c]);
            for p in [0, 3, 4, 5, 6, 8] {
                assert!(!ok(p, c), "{} cannot follow {}", l[c], l[p]);
            }
            assert!(ok(1, c) && ok(2, c));
        }
        // B-X and I-X are followed by I-X or L-X only.
        for p in [1, 2] {
            let next: Vec<usize> = (0..n).filter(|&c| ok(p, c)).collect();
            assert_eq!(next, vec![2, 3], "after {}", l[p]);
        }
        // After O, L-X or U-X any mention may open.
        for p in [0, 3, 4] {
            assert!(ok(p, 0) && ok(p, 1) && ok(p, 4) && ok(p, 5) && ok(p, 8));
        }
    }

    #[test]
    fn tagger_learns_toy_language_and_is_deterministic() {
        let data = toy();
        let tr = SequenceTrainer::new(labels(), 16, bio_constraints(&labels()));
        let m = tr.train(&data, 30, 1);
        for (f, g) in &data {
            assert_eq!(&m.decode(f), g);
        }
        // "b" alone at the start must not be I-X.
        assert_eq!(m.decode(&[vec![0, 2, 8], vec![0, 3, 6]]), vec![0, 0]);
        let mut w1 = Writer::new();
        m.write(&mut w1);
        let mut w2 = Writer::new();
        tr.train(&data, 30, 1).write(&mut w2);
        let (b1, b2) = (w1.into_bytes(), w2.into_bytes());
        assert_eq!(b1, b2);
        let back = SequenceTagger::read(&mut Reader::new(&b1)).expect("read");
        for (f, g) in &data {
            assert_eq!(&back.decode(f), g);
        }
        let marg = back.marginals(&back.emissions(&data[0].0), 1.0);
        for t in 0..data[0].1.len() {
            let row = &marg[t * 3..t * 3 + 3];
            assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-3);
        }
    }

    #[test]
    fn crf_learns_toy_language_with_confident_marginals() {
        let data = toy();
        let tr = SequenceTrainer::new(labels(), 16, bio_constraints(&labels()));
        let m = tr.train_crf(&data, 30, 1, 0.5);
        for (f, g) in &data {
            assert_eq!(&m.decode(f), g);
            // Trained on the likelihood, the gold labels are probable.
            let marg = m.marginals(&m.emissions(f), 1.0);
            for (t, &y) in g.iter().enumerate() {
                assert!(
                    marg[t * 3 + y] > 0.5,
                    "token {t}: {:?}",
                    &marg[t * 3..t * 3 + 3]
                );
            }
        }
        assert_eq!(m.decode(&[vec![0, 2, 8], vec![0, 3, 6]]), vec![0, 0]);
        let (mut w1, mut w2) = (Writer::new(), Writer::new());
        m.write(&mut w1);
        tr.train_crf(&data, 30, 1, 0.5).write(&mut w2);
        assert_eq!(w1.into_bytes(), w2.into_bytes(), "deterministic");
    }

    #[test]
    fn dropout_spreads_evidence_to_weaker_features() {
        // "a" always carries its word (feature 1); every other "a" also
        // carries feature 9, a weaker cue of the same thing. Without
        // dropout the word decides alone; with it, feature 9 must carry
        // weight of its own, so a token with feature 9 and an unseen word
        // (feature 4) is more probably `B-X`.
        let data: Vec<_> = toy()
            .into_iter()
            .enumerate()
            .map(|(k, (mut f, g))| {
                for (t, &y) in g.iter().enumerate() {
                    if y == 1 && (k + t) % 2 == 0 {
                        f[t].push(9);
                    }
                }
                (f, g)
            })
            .collect();
        let tr = SequenceTrainer::new(labels(), 16, bio_constraints(&labels()));
        let plain = tr.train_crf(&data, 30, 1, 0.5);
        let tr = tr.with_dropout(0.3);
        let dropped = tr.train_crf(&data, 30, 1, 0.5);
        for (f, g) in &data {
            assert_eq!(&dropped.decode(f), g);
        }
        let unseen = [vec![0, 4, 9, 8]];
        let b = |m: &SequenceTagger| m.marginals(&m.emissions(&unseen), 1.0)[1];
        assert!(
            b(&dropped) > b(&plain) + 0.05,
            "with dropout {} vs without {}",
            b(&dropped),
            b(&plain)
        );
        let (mut w1, mut w2) = (Writer::new(), Writer::new());
        dropped.write(&mut w1);
        tr.train_crf(&data, 30, 1, 0.5).write(&mut w2);
        assert_eq!(w1.into_bytes(), w2.into_bytes(), "deterministic");
    }

    #[test]
    fn forward_backward_sums_over_every_allowed_path() {
        // Two labels, three tokens, the transition 1 -> 0 forbidden.
        let n = 2;
        let em: [f32; 6] = [0.5, -1.0, 0.2, 0.7, -0.3, 1.1];
        let trans: [f32; 6] = [0.1, -0.4, 2.0, 0.3, 0.0, 0.6];
        let allowed = [true, true, false, true, true, true];
        let mut paths = Vec::new();
        for a in 0..n {
            for b in 0..n {
                for c in 0..n {
                    let ok = |p: usize, y: usize| allowed[p * n + y];
                    if ok(n, a) && ok(a, b) && ok(b, c) {
                        let s = trans[n * n + a]
                            + em[a]
                            + trans[a * n + b]
                            + em[n + b]
                            + trans[b * n + c]
                            + em[2 * n + c];
                        paths.push(s);
                    }
                }
            }
        }
        let brute = paths.iter().map(|s| s.exp()).sum::<f32>().ln();
        let (alpha, beta, z) = forward_backward(&em, &trans, &allowed, n);
        assert!((z - brute).abs() < 1e-4, "{z} vs {brute}");
        for t in 0..3 {
            let total: f32 = (0..n)
                .map(|y| (alpha[t * n + y] + beta[t * n + y] - z).exp())
                .sum();
            assert!((total - 1.0).abs() < 1e-4);
        }
    }

    #[test]
    fn averaged_taggers_keep_what_they_agree_on() {
        let data = toy();
        let tr = SequenceTrainer::new(labels(), 16, bio_constraints(&labels()));
        let (a, b) = (tr.train(&data, 30, 1), tr.train(&data, 30, 2));
        let mean = SequenceTagger::average(&[&a, &b]).expect("same labels");
        for (f, g) in &data {
            assert_eq!(&mean.decode(f), g);
        }
        let em = |t: &SequenceTagger| t.emissions(&data[1].0);
        for ((m, x), y) in em(&mean).iter().zip(em(&a)).zip(em(&b)) {
            assert!((m - (x + y) / 2.0).abs() < 1e-3);
        }
        let other: Vec<String> = ["O", "B-Y", "I-Y"].iter().map(|s| s.to_string()).collect();
        let c = SequenceTrainer::new(other.clone(), 16, bio_constraints(&other)).train(&data, 1, 1);
        assert!(SequenceTagger::average(&[&a, &c]).is_none());
        assert!(SequenceTagger::average(&[]).is_none());
    }

    #[test]
    fn binary_and_multiclass_learn_separable_data() {
        let data: Vec<(Vec<u32>, bool)> = (0..40)
            .map(|i| (vec![i % 2, 2 + (i % 5)], i % 2 == 0))
            .collect();
        let m = BinaryTrainer::new(8).train(&data, 5, 3);
        for (f, y) in &data {
            assert_eq!(m.score(f) > 0.0, *y);
        }
        let mc: Vec<(Vec<u32>, usize)> = (0..30)
            .map(|i| (vec![i % 3, 3], (i % 3) as usize))
            .collect();
        let names = vec!["a".to_string(), "b".into(), "c".into()];
        let c = MulticlassTrainer::new(names, 4).train(&mc, 5, 3);
        for (f, y) in &mc {
            assert_eq!(c.predict(f), *y);
        }
        let mut w = Writer::new();
        c.write(&mut w);
        let b = w.into_bytes();
        let back = MulticlassClassifier::read(&mut Reader::new(&b)).expect("read");
        for (f, y) in &mc {
            assert_eq!(back.predict(f), *y);
        }
    }

    #[test]
    fn ranker_learns_which_candidate_comes_first() {
        // Candidates carry feature 1 ("near the trigger") or 2 ("far");
        // feature 3 is noise on every candidate. The right one is near.
        let data: Vec<(Vec<Vec<u32>>, usize)> = (0..20)
            .map(|i| {
                let mut cands = vec![vec![2, 3], vec![2], vec![2, 3]];
                let gold = i % 3;
                cands[gold] = vec![1, 3];
                (cands, gold)
            })
            .collect();
        let ranker = RankTrainer::new(8).train(&data, 5, 7);
        let best = |c: &[&[u32]]| ranker.best(c.iter().copied());
        assert_eq!(best(&[&[2, 3], &[1], &[2]]), Some(1));
        assert_eq!(best(&[&[1, 3], &[2, 3]]), Some(0));
        assert_eq!(best(&[]), None);
        let mut w = Writer::new();
        ranker.write(&mut w);
        let bytes = w.into_bytes();
        let back = Ranker::read(&mut Reader::new(&bytes)).expect("a written ranker reads back");
        assert_eq!(back, ranker);
        // Deterministic: the same data and seed give the same weights.
        assert_eq!(RankTrainer::new(8).train(&data, 5, 7), ranker);
    }

    #[test]
    fn bagged_ranker_is_the_mean_of_its_seeds() {
        // Two equally good features (1 and 4) mark the right candidate;
        // which one a single run leans on depends on the order it sees the
        // examples in, the mean of several runs scores by both.
        let data: Vec<(Vec<Vec<u32>>, usize)> = (0..12)
            .map(|i| {
                let mut cands = vec![vec![2, 3], vec![2, 5], vec![3, 5]];
                let gold = i % 3;
                cands[gold] = if i % 2 == 0 { vec![1, 3] } else { vec![4, 5] };
                (cands, gold)
            })
            .collect();
        let t = RankTrainer::new(8);
        let bag = t.train_bagged(&data, 5, 7, 3);
        let runs: Vec<Ranker> = (7..10).map(|s| t.train(&data, 5, s)).collect();
        for f in [&[1u32][..], &[4], &[2, 3], &[1, 4, 5]] {
            let mean = runs.iter().map(|r| r.score(f)).sum::<f32>() / 3.0;
            assert!((bag.score(f) - mean).abs() < 1e-4, "{f:?}");
        }
        assert_eq!(bag.best([&[2u32, 3][..], &[1, 3]]), Some(1));
        assert_eq!(bag.best([&[4u32, 5][..], &[2, 5]]), Some(0));
        assert_eq!(t.train_bagged(&data, 5, 7, 1), t.train(&data, 5, 7));
        assert_eq!(t.train_bagged(&data, 5, 7, 3), bag);
    }

    #[test]
    fn bagged_multiclass_classifier_is_the_mean_of_its_seeds() {
        // Class 1 is marked by feature 1 on some examples and by 4 on
        // others; feature 2 is on every example.
        let names = vec!["a".to_string(), "b".into(), "c".into()];
        let mc: Vec<(Vec<u32>, usize)> = (0..30)
            .map(|i| match i % 3 {
                0 => (vec![0, 2], 0),
                1 => (vec![1 + 3 * (i % 2), 2], 1),
                _ => (vec![3, 2], 2),
            })
            .collect();
        let t = MulticlassTrainer::new(names, 8);
        let bag = t.train_bagged(&mc, 4, 5, 3);
        let runs: Vec<MulticlassClassifier> = (5..8).map(|s| t.train(&mc, 4, s)).collect();
        // The seeds' runs differ, so the mean is not any one of them.
        assert!(runs.iter().any(|r| r.scores(&[1]) != runs[0].scores(&[1])));
        for f in [&[0u32, 2][..], &[1], &[4, 2], &[3]] {
            let got = bag.scores(f);
            for (k, g) in got.iter().enumerate() {
                let mean = runs.iter().map(|r| r.scores(f)[k]).sum::<f32>() / 3.0;
                assert!((g - mean).abs() < 1e-4, "{f:?} label {k}");
            }
        }
        for (f, y) in &mc {
            assert_eq!(bag.predict(f), *y, "{f:?}");
        }
        // No bags at all is one run, as documented.
        assert_eq!(t.train_bagged(&mc, 4, 5, 0), t.train(&mc, 4, 5));
    }
}
