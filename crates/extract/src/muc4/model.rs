//! The learned MUC-4 role-filler extractor.

use crate::learn::features::{is_preposition, word_classes, DocContext, TokenFeaturizer};
use crate::learn::io::{Reader, Writer};
use crate::learn::{BinaryClassifier, LearnError, MulticlassClassifier, Ranker, SequenceTagger};
use crate::lexicon::is_given_name;

use super::aggregate::group_candidates;
use super::hints::RuleHints;
use super::rescore::{entity_candidates, EntityScorer};
use super::slots::SlotRankers;
use super::{Muc4Prediction, Role, ROLES};

const MAGIC: &[u8; 8] = b"VGMUC4\0\0";
/// The model file's version. Version 7 hashes token features by parts
/// ([`crate::learn::FeatureHasher::hash_ids`]); version 8 adds the given-name
/// features. A model of an earlier version (2–7), whose token features
/// differ, is refused with a message to retrain it.
const VERSION: u32 = 8;

/// The committed model, if it was built into this binary.
static EMBEDDED: &[u8] = include_bytes!("../../../../models/muc4-roles.model");

/// Which mention of a grouped entity is output first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Representative {
    /// The first mention in the text.
    First,
    /// The longest mention.
    Longest,
    /// The mention tagged most often (ties: the first).
    MostFrequent,
}

/// Decision thresholds and output choices, tuned on held-out training data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// Documents whose relevance score is below this get no role fillers.
    pub relevance_threshold: f32,
    /// Entities whose best tagger margin is below this are dropped.
    pub min_entity_score: f32,
    /// Which mention represents an entity.
    pub representative: Representative,
    /// Output every grouped mention instead of the representative only
    /// (the scorer rejects an entity if any of its mentions is wrong).
    pub all_mentions: bool,
    /// Added to the tagger's `B-`/`I-` scores of each role before decoding
    /// (positive: more recall), in [`ROLES`] order.
    pub role_bias: [f32; 5],
    /// At most this many entities per role and document, the best-scored
    /// ones (0: no limit), in [`ROLES`] order.
    pub max_entities: [u8; 5],
    /// An entity's score is its best mention margin plus this times the
    /// natural log of how many times it was tagged (document-level
    /// evidence: a string tagged in several sentences is more likely a
    /// filler).
    pub count_bonus: f32,
    /// Per role, entities scoring below this are dropped too (in addition
    /// to `min_entity_score`), in [`ROLES`] order.
    pub role_min_score: [f32; 5],
    /// Per role, no entity of the role in documents whose relevance score
    /// is below this, in [`ROLES`] order.
    pub role_relevance: [f32; 5],
    /// Per role, how tagged spans are trimmed before grouping (bits of
    /// [`TRIM_NUMBER`] and [`TRIM_EDGES`]), in [`ROLES`] order.
    pub trim: [u8; 5],
}

/// [`Params::trim`] bit: a leading number ("two", "3", "several") is cut
/// from a span of two words or more.
pub const TRIM_NUMBER: u8 = 1;
/// [`Params::trim`] bit: prepositions and conjunctions are cut from both
/// ends of a span.
pub const TRIM_EDGES: u8 = 2;

/// The token range `[ts, te)` trimmed as the [`Params::trim`] bits say
/// (`word(i)`: token `i` lower-cased); never empty.
fn trimmed(
    (mut ts, mut te): (usize, usize),
    trim: u8,
    word: impl Fn(usize) -> String,
) -> (usize, usize) {
    if trim & TRIM_EDGES != 0 {
        while te - ts > 1 && is_edge_word(&word(ts)) {
            ts += 1;
        }
        while te - ts > 1 && is_edge_word(&word(te - 1)) {
            te -= 1;
        }
    }
    if trim & TRIM_NUMBER != 0 && te - ts > 1 && is_number_word(&word(ts)) {
        ts += 1;
    }
    (ts, te)
}

/// Whether a lower-cased word is a title before a person's name: the
/// pipeline's honorifics ("gen", "dr", "father", "judge"…) and the
/// religious and police ranks of MUC-4's reports.
fn is_title(w: &str) -> bool {
    crate::words::is_honorific(w)
        || matches!(
            w.trim_end_matches('.'),
            "msgr" | "monsignor" | "sister" | "corporal" | "cpl" | "fr" | "insp"
        )
}

/// Where the victim named by the token range `[ts, te)` begins (`word(i)`:
/// token `i` lower-cased): the keys name a victim without the title, age
/// or description before the name — "msgr oscar arnulfo romero" is "oscar
/// arnulfo romero", "a man named julio rodriguez" is "julio rodriguez",
/// and "radio announcer diego vargas escobar", "frenchman roberto
/// lisandy" lose the common words (words with a word class) before a
/// given name that one more word follows. At least one token is left.
fn victim_name_start((mut ts, te): (usize, usize), word: impl Fn(usize) -> String) -> usize {
    while te - ts > 1 && is_name_prefix(&word(ts)) {
        ts += 1;
    }
    if let Some(k) = (ts..te.saturating_sub(1)).find(|&i| is_given_name(&word(i))) {
        if k > ts && (ts..k).all(|i| word_classes(&word(i)).is_some()) {
            ts = k;
        }
    }
    ts
}

/// Whether a lower-cased word before a person's name is no part of it: a
/// title ([`is_title`]), "named", or an age ("40-year-old",
/// "4-month-old").
fn is_name_prefix(w: &str) -> bool {
    is_title(w)
        || w == "named"
        || ["-year-old", "-years-old", "-month-old", "-months-old"]
            .iter()
            .any(|s| {
                w.strip_suffix(s)
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric()))
            })
}

/// The byte span `(a, b)` of `text` without a final possessive "'s" (or
/// "’s"), which no MUC-4 key ends with: "luis carlos galan's" is the
/// victim "luis carlos galan". A span that is nothing but the ending is
/// kept.
fn without_possessive(text: &str, (a, b): (usize, usize)) -> (usize, usize) {
    let Some(s) = text.get(a..b) else {
        return (a, b);
    };
    for ending in ["'s", "'S", "\u{2019}s", "\u{2019}S"] {
        if let Some(rest) = s.strip_suffix(ending) {
            if !rest.trim_end().is_empty() {
                return (a, a + rest.len());
            }
        }
    }
    (a, b)
}

/// Whether a lower-cased word is a number or a quantity word.
fn is_number_word(w: &str) -> bool {
    (!w.is_empty()
        && w.bytes()
            .all(|b| b.is_ascii_digit() || b == b',' || b == b'.'))
        || matches!(
            w,
            "one"
                | "two"
                | "three"
                | "four"
                | "five"
                | "six"
                | "seven"
                | "eight"
                | "nine"
                | "ten"
                | "eleven"
                | "twelve"
                | "fifteen"
                | "twenty"
                | "thirty"
                | "forty"
                | "fifty"
                | "hundred"
                | "hundreds"
                | "dozen"
                | "dozens"
                | "several"
                | "some"
                | "many"
                | "numerous"
        )
}

/// Whether a lower-cased word is a preposition or conjunction that does not
/// end or start a role filler (the tagger's prepositions, plus
/// conjunctions, relative pronouns, the comma and the possessive).
fn is_edge_word(w: &str) -> bool {
    is_preposition(w)
        || matches!(
            w,
            "and" | "or" | "but" | "that" | "which" | "who" | "," | "'s"
        )
}

impl Default for Params {
    fn default() -> Params {
        Params {
            relevance_threshold: 0.0,
            min_entity_score: 0.0,
            representative: Representative::MostFrequent,
            all_mentions: false,
            role_bias: [0.0; 5],
            max_entities: [0; 5],
            count_bonus: 0.0,
            role_min_score: [f32::MIN; 5],
            role_relevance: [f32::MIN; 5],
            trim: [0; 5],
        }
    }
}

/// A tagged role-filler mention before grouping.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub role: Role,
    /// Token range `[start, end)`.
    pub tokens: (usize, usize),
    /// Byte range in the text.
    pub span: (usize, usize),
    pub text: String,
    /// Mean margin of the tagger's chosen labels over the runner-up.
    pub score: f32,
    /// Index of a candidate of the same role this one stands in
    /// parentheses after ("… liberation front (fmln)").
    pub appositive_of: Option<usize>,
}

/// Relevance and per-token tagger scores of a document.
#[derive(Debug, Clone, PartialEq)]
pub struct DocScores {
    pub relevance: f32,
    /// Label index of the incident-type classifier, when the model has one.
    pub incident: Option<usize>,
    /// Label index of the stage classifier, when the model has one.
    pub stage: Option<usize>,
    /// Emission scores, tokens × labels.
    pub em: Vec<f32>,
    /// Byte span of each token.
    pub spans: Vec<(usize, usize)>,
    /// Whether each token is "(".
    pub open_paren: Vec<bool>,
    /// Sentences as token ranges.
    pub sents: Vec<(usize, usize)>,
}

/// The document classifiers' answers for a document (`None` where the
/// model has no such classifier).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DocLabels<'m> {
    /// Incident type of the main incident ([`super::keys::INCIDENT_TYPES`]
    /// or NONE).
    pub incident: Option<&'m str>,
    /// Stage of execution of the main incident ([`super::keys::STAGES`]).
    pub stage: Option<&'m str>,
}

/// Relevance and tagged mentions of a document, before thresholds.
#[derive(Debug, Clone, PartialEq)]
pub struct RawPrediction {
    pub relevance: f32,
    pub candidates: Vec<Candidate>,
}

/// The learned extractor: a relevance classifier gating a BIO (or, in a
/// model trained with `--bilou`, BILOU) role tagger
/// whose mentions are grouped into entities.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleModel {
    pub(crate) featurizer_bits: u32,
    pub(crate) tagger: SequenceTagger,
    pub(crate) relevance: BinaryClassifier,
    pub(crate) incident: Option<MulticlassClassifier>,
    /// Stage-of-execution classifier (labels: [`super::keys::STAGES`]).
    pub(crate) stage: Option<MulticlassClassifier>,
    /// Second pass keeping or dropping grouped entities (replaces the
    /// relevance and score thresholds of `params` when present).
    pub(crate) scorer: Option<EntityScorer>,
    /// Stacked relevance gate: document features plus a summary of the
    /// tagger's scores (see [`gate_features`]); when present its score
    /// replaces the relevance classifier's.
    pub(crate) gate: Option<BinaryClassifier>,
    /// Whether the tagger and relevance classifier read [`RuleHints`].
    pub(crate) hints: bool,
    /// Whether the features include word classes.
    pub(crate) classes: bool,
    /// Chooses the incident's place among those the document names
    /// ([`super::place_rank`]; trained with the raw keys).
    pub(crate) place: Option<Ranker>,
    /// Chooses the incident's date among those the document gives
    /// ([`super::date_rank`]; trained with the raw keys).
    pub(crate) date: Option<Ranker>,
    pub params: Params,
}

static NO_HINTS: RuleHints = RuleHints {
    mentions: Vec::new(),
    events: Vec::new(),
};

/// Relevance features and token features of a document, plus the hint
/// features when `hints` is given.
pub(crate) fn featurize(
    fz: &TokenFeaturizer,
    doc: &DocContext<'_>,
    hints: Option<&RuleHints>,
) -> (Vec<u32>, Vec<Vec<u32>>) {
    let mut doc_feats = fz.doc_features(doc);
    let mut feats = fz.token_features(doc);
    if let Some(h) = hints {
        let hasher = fz.hasher();
        let spans: Vec<(usize, usize)> = doc.toks.iter().map(|t| (t.start, t.end)).collect();
        h.add_token_features(&hasher, doc.text, &spans, &mut feats);
        h.add_doc_features(&hasher, &mut doc_feats);
    }
    (doc_feats, feats)
}

/// The labels of the tagger, in index order: `O`, then per role `B-`
/// and `I-` (BIO) or, with `bilou`, `B-`, `I-`, `L-` (last token) and
/// `U-` (a mention of one token).
pub(crate) fn role_labels(bilou: bool) -> Vec<String> {
    let mut labels = vec!["O".to_string()];
    let kinds: &[&str] = if bilou {
        &["B", "I", "L", "U"]
    } else {
        &["B", "I"]
    };
    for r in ROLES {
        for k in kinds {
            labels.push(format!("{k}-{}", r.as_str()));
        }
    }
    labels
}

/// Labels per role of a tagger with `n` labels: 2 (BIO) or 4 (BILOU).
pub(crate) fn labels_per_role(n: usize) -> usize {
    (n.saturating_sub(1) / ROLES.len()).max(1)
}

// The kinds of a role's labels, in the order of `role_labels`.
/// `B-`: a mention's first token.
pub(crate) const BEGIN: usize = 0;
/// `I-`: a token inside a mention (in BILOU, neither first nor last).
pub(crate) const INSIDE: usize = 1;
/// `L-` (BILOU): a mention's last token.
pub(crate) const LAST: usize = 2;
/// `U-` (BILOU): a mention of one token.
pub(crate) const UNIT: usize = 3;

/// The index of role `role`'s label of kind `kind` in a label set of `w`
/// labels per role ([`role_labels`]).
pub(crate) fn role_label(role: usize, kind: usize, w: usize) -> usize {
    1 + w * role + kind
}

/// Features of the stacked relevance gate: the document features, the
/// relevance classifier's score and, per role, how strongly and how often
/// the tagger prefers the role's `B-` label to `O` (log-scale buckets, so
/// the summary does not depend on the exact scale of the weights).
pub(crate) fn gate_features(
    fz: &TokenFeaturizer,
    mut f: Vec<u32>,
    relevance: f32,
    em: &[f32],
    n: usize,
) -> Vec<u32> {
    let h = fz.hasher();
    let bucket = |x: f32| -> String {
        if !x.is_finite() {
            return "inf".into();
        }
        let b = (1.0 + x.abs()).log2().floor() as i32;
        if x < 0.0 {
            format!("-{b}")
        } else {
            b.to_string()
        }
    };
    f.push(h.hash("g-rel", &[&bucket(relevance)]));
    let w = labels_per_role(n);
    for (k, role) in ROLES.iter().enumerate() {
        let b = role_label(k, BEGIN, w);
        let (mut best, mut count) = (f32::NEG_INFINITY, 0usize);
        for row in em.chunks(n) {
            if let (Some(o), Some(x)) = (row.first(), row.get(b)) {
                let d = x - o;
                best = best.max(d);
                count += usize::from(d > 0.0);
            }
        }
        let name = role.as_str();
        f.push(h.hash("g-max", &[name, &bucket(best)]));
        let c = match count {
            0 => "0",
            1 => "1",
            2 => "2",
            3..=4 => "3",
            5..=8 => "5",
            _ => "9",
        };
        f.push(h.hash("g-count", &[name, c]));
        f.push(h.hash("g-max-rel", &[name, &bucket(best), &bucket(relevance)]));
    }
    f
}

impl RoleModel {
    /// Reads a model file.
    pub fn load(bytes: &[u8]) -> Result<RoleModel, LearnError> {
        let mut r = Reader::new(bytes);
        if r.take(MAGIC.len())? != MAGIC {
            return Err(LearnError::Format("not a vigil MUC-4 model".into()));
        }
        let version = r.u32()?;
        if (2..VERSION).contains(&version) {
            return Err(LearnError::Format(format!(
                "model version {version} was trained by an earlier vigil whose token features \
                 differ; retrain it with `vigil train` (version {VERSION})"
            )));
        }
        if version != VERSION {
            return Err(LearnError::Format(format!(
                "model version {version}, expected {VERSION}"
            )));
        }
        let featurizer_bits = r.u32()?;
        let relevance_threshold = r.f32()?;
        let min_entity_score = r.f32()?;
        let representative = match r.take(1)?[0] {
            0 => Representative::First,
            1 => Representative::Longest,
            2 => Representative::MostFrequent,
            x => {
                return Err(LearnError::Format(format!(
                    "unknown representative choice {x}"
                )))
            }
        };
        let all_mentions = r.take(1)?[0] != 0;
        let mut role_bias = [0.0f32; 5];
        for b in &mut role_bias {
            *b = r.f32()?;
        }
        let mut max_entities = [0u8; 5];
        max_entities.copy_from_slice(r.take(5)?);
        let count_bonus = r.f32()?;
        let mut role_min_score = [f32::MIN; 5];
        let mut role_relevance = [f32::MIN; 5];
        for x in role_min_score.iter_mut().chain(&mut role_relevance) {
            *x = r.f32()?;
        }
        let mut trim = [0u8; 5];
        trim.copy_from_slice(r.take(5)?);
        let hints = r.take(1)?[0] != 0;
        let classes = r.take(1)?[0] & 1 != 0;
        let tagger = SequenceTagger::read(&mut r)?;
        if tagger.labels() != role_labels(false).as_slice()
            && tagger.labels() != role_labels(true).as_slice()
        {
            return Err(LearnError::Format(
                "tagger labels are not the MUC-4 roles".into(),
            ));
        }
        let relevance = BinaryClassifier::read(&mut r)?;
        let incident = match r.take(1)?[0] {
            0 => None,
            _ => Some(MulticlassClassifier::read(&mut r)?),
        };
        let stage = match r.take(1)?[0] {
            0 => None,
            _ => Some(MulticlassClassifier::read(&mut r)?),
        };
        let scorer = match r.take(1)?[0] {
            0 => None,
            _ => Some(EntityScorer::read(&mut r)?),
        };
        let gate = match r.take(1)?[0] {
            0 => None,
            _ => Some(BinaryClassifier::read(&mut r)?),
        };
        let (mut place, mut date) = (None, None);
        for slot in [&mut place, &mut date] {
            if r.take(1)?[0] != 0 {
                *slot = Some(Ranker::read(&mut r)?);
            }
        }
        if r.remaining() != 0 {
            return Err(LearnError::Format("trailing bytes after model".into()));
        }
        Ok(RoleModel {
            featurizer_bits,
            tagger,
            relevance,
            incident,
            stage,
            scorer,
            gate,
            hints,
            classes,
            place,
            date,
            params: Params {
                relevance_threshold,
                min_entity_score,
                representative,
                all_mentions,
                role_bias,
                max_entities,
                count_bonus,
                role_min_score,
                role_relevance,
                trim,
            },
        })
    }

    /// Serialises the model (the inverse of [`RoleModel::load`]).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.bytes(MAGIC);
        let p = &self.params;
        w.u32(VERSION);
        w.u32(self.featurizer_bits);
        w.f32(self.params.relevance_threshold);
        w.f32(self.params.min_entity_score);
        w.bytes(&[match self.params.representative {
            Representative::First => 0,
            Representative::Longest => 1,
            Representative::MostFrequent => 2,
        }]);
        w.bytes(&[u8::from(self.params.all_mentions)]);
        for b in self.params.role_bias {
            w.f32(b);
        }
        w.bytes(&p.max_entities);
        w.f32(p.count_bonus);
        for x in p.role_min_score.iter().chain(&p.role_relevance) {
            w.f32(*x);
        }
        w.bytes(&p.trim);
        w.bytes(&[u8::from(self.hints)]);
        w.bytes(&[u8::from(self.classes)]);
        self.tagger.write(&mut w);
        self.relevance.write(&mut w);
        match &self.incident {
            None => w.bytes(&[0]),
            Some(c) => {
                w.bytes(&[1]);
                c.write(&mut w);
            }
        }
        match &self.stage {
            None => w.bytes(&[0]),
            Some(c) => {
                w.bytes(&[1]);
                c.write(&mut w);
            }
        }
        match &self.scorer {
            None => w.bytes(&[0]),
            Some(s) => {
                w.bytes(&[1]);
                s.write(&mut w);
            }
        }
        match &self.gate {
            None => w.bytes(&[0]),
            Some(g) => {
                w.bytes(&[1]);
                g.write(&mut w);
            }
        }
        for slot in [&self.place, &self.date] {
            match slot {
                None => w.bytes(&[0]),
                Some(r) => {
                    w.bytes(&[1]);
                    r.write(&mut w);
                }
            }
        }
        w.into_bytes()
    }

    /// The rankers of the incident's date and place, those the model was
    /// trained with (see [`super::slots::predict_with`]).
    pub fn slot_rankers(&self) -> SlotRankers<'_> {
        SlotRankers {
            date: self.date.as_ref(),
            place: self.place.as_ref(),
        }
    }

    /// The model with these date and place rankers (trained by
    /// [`super::date_rank::train`] and [`super::place_rank::train`], or
    /// together by [`super::slots::train_rankers`]).
    pub fn with_slot_rankers(mut self, date: Option<Ranker>, place: Option<Ranker>) -> RoleModel {
        self.date = date;
        self.place = place;
        self
    }

    /// The model committed in `models/muc4-roles.model`, when this build
    /// embeds a valid one.
    pub fn embedded() -> Option<RoleModel> {
        RoleModel::load(EMBEDDED).ok()
    }

    /// The incident-type classifier's labels and best label for a text,
    /// when the model has one.
    pub fn incident_type(&self, text: &str) -> Option<&str> {
        self.classify(self.incident.as_ref(), text)
    }

    /// The stage of execution of the document's main incident
    /// (ACCOMPLISHED, ATTEMPTED, THREATENED or NONE), when the model has a
    /// stage classifier.
    pub fn stage(&self, text: &str) -> Option<&str> {
        self.classify(self.stage.as_ref(), text)
    }

    /// The best label of a document classifier for a text (document
    /// features without the rule hints, as the classifiers are trained).
    fn classify<'m>(&self, c: Option<&'m MulticlassClassifier>, text: &str) -> Option<&'m str> {
        let c = c?;
        let f = self.featurizer().doc_features(&DocContext::new(text));
        c.labels().get(c.predict(&f)).map(String::as_str)
    }

    /// The featurizer the model was trained with.
    pub(crate) fn featurizer(&self) -> TokenFeaturizer {
        TokenFeaturizer::new(self.featurizer_bits).with_classes(self.classes)
    }

    /// Whether the model reads the rule pipeline's hints
    /// ([`RoleModel::predict_with`]).
    pub fn uses_hints(&self) -> bool {
        self.hints
    }

    /// Relevance and tagger scores of a document, before decoding.
    pub fn scores(&self, text: &str) -> DocScores {
        self.scores_with(text, None)
    }

    /// Relevance and tagger scores of a document given the rule pipeline's
    /// hints (ignored unless the model was trained with them; a model
    /// trained with them and given none reads "the rules found nothing").
    pub fn scores_with(&self, text: &str, hints: Option<&RuleHints>) -> DocScores {
        let doc = DocContext::new(text);
        let fz = self.featurizer();
        let (doc_feats, feats) =
            featurize(&fz, &doc, self.hints.then(|| hints.unwrap_or(&NO_HINTS)));
        let mut relevance = self.relevance.score(&doc_feats);
        // The incident-type and stage classifiers read the document
        // features without the hints (as trained): the same vector unless
        // the model reads hints.
        let plain;
        let class_feats = if self.hints && (self.incident.is_some() || self.stage.is_some()) {
            plain = fz.doc_features(&doc);
            &plain
        } else {
            &doc_feats
        };
        let incident = self.incident.as_ref().map(|c| c.predict(class_feats));
        let stage = self.stage.as_ref().map(|c| c.predict(class_feats));
        let em = self.tagger.emissions(&feats);
        if let Some(gate) = &self.gate {
            let n = self.tagger.labels().len();
            relevance = gate.score(&gate_features(&fz, doc_feats, relevance, &em, n));
        }
        DocScores {
            relevance,
            incident,
            stage,
            em,
            spans: doc.toks.iter().map(|t| (t.start, t.end)).collect(),
            open_paren: doc.lower.iter().map(|w| w == "(").collect(),
            sents: doc.sents,
        }
    }

    /// Decodes role-filler mentions from scores with the given role biases.
    pub fn decode(&self, ds: &DocScores, text: &str, params: &Params) -> RawPrediction {
        let n = self.tagger.labels().len();
        let w = labels_per_role(n);
        let mut candidates: Vec<Candidate> = Vec::new();
        let mut em_sent = Vec::new();
        for &(a, b) in &ds.sents {
            em_sent.clear();
            em_sent.extend_from_slice(ds.em.get(a * n..b * n).unwrap_or(&[]));
            for row in em_sent.chunks_mut(n) {
                for (l, x) in row.iter_mut().enumerate().skip(1) {
                    *x += params.role_bias[(l - 1) / w];
                }
            }
            let em = &em_sent;
            let path = self.tagger.decode_emissions(em);
            let margin = |t: usize, l: usize| -> f32 {
                let row = &em[t * n..(t + 1) * n];
                let other = row
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| *k != l)
                    .fold(f32::NEG_INFINITY, |m, (_, x)| m.max(*x));
                row[l] - other
            };
            let mut t = 0;
            while t < path.len() {
                let l = path[t];
                // A mention opens with B-role or, in BILOU, is a U-role;
                // the role index is (l - 1) / w.
                let kind = l.wrapping_sub(1) % w;
                if l == 0 || !(kind == BEGIN || (w == 4 && kind == UNIT)) {
                    t += 1;
                    continue;
                }
                let role = ROLES[(l - 1) / w];
                let mut e = t + 1;
                if kind == BEGIN {
                    // I-role continues it; in BILOU, an L-role ends it.
                    while e < path.len() && path[e] == l + INSIDE {
                        e += 1;
                    }
                    if w == 4 && e < path.len() && path[e] == l + LAST {
                        e += 1;
                    }
                }
                let score = (t..e).map(|k| margin(k, path[k])).sum::<f32>() / (e - t) as f32;
                let (mut ts, mut te) = (a + t, a + e);
                let word = |i: usize| {
                    let (x, y) = ds.spans[i];
                    text.get(x..y).unwrap_or("").to_lowercase()
                };
                let trim = params.trim[(l - 1) / w];
                if trim != 0 {
                    (ts, te) = trimmed((ts, te), trim, word);
                }
                if role == Role::Victim {
                    ts = victim_name_start((ts, te), word);
                }
                let span = without_possessive(text, (ds.spans[ts].0, ds.spans[te - 1].1));
                let text_of = text.get(span.0..span.1).unwrap_or("").to_string();
                let appositive_of = if ts >= 2 && ds.open_paren[ts - 1] {
                    candidates
                        .iter()
                        .rposition(|c| c.role == role && c.tokens.1 == ts - 1)
                } else {
                    None
                };
                candidates.push(Candidate {
                    role,
                    tokens: (ts, te),
                    span,
                    text: text_of,
                    score,
                    appositive_of,
                });
                t = e;
            }
        }
        RawPrediction {
            relevance: ds.relevance,
            candidates,
        }
    }

    /// Relevance score and tagged mentions, before thresholds and grouping.
    pub fn raw(&self, text: &str) -> RawPrediction {
        self.decode(&self.scores(text), text, &self.params)
    }

    /// Applies thresholds and grouping to a raw prediction.
    pub fn finish(&self, raw: &RawPrediction, params: &Params) -> Muc4Prediction {
        let mut pred = Muc4Prediction {
            relevance: raw.relevance,
            ..Default::default()
        };
        if raw.relevance < params.relevance_threshold {
            return pred;
        }
        pred.roles = group_candidates(&raw.candidates, params);
        for (k, ents) in pred.roles.iter_mut().enumerate() {
            if raw.relevance < params.role_relevance[k] {
                ents.clear();
            } else {
                ents.retain(|e| e.score >= params.role_min_score[k]);
            }
        }
        pred
    }

    /// Role-filler entities of a document.
    pub fn predict(&self, text: &str) -> Muc4Prediction {
        self.predict_with(text, None)
    }

    /// Role-filler entities of a document given the rule pipeline's hints
    /// (see [`RuleHints`]; needed by a model that [`uses_hints`](Self::uses_hints)).
    pub fn predict_with(&self, text: &str, hints: Option<&RuleHints>) -> Muc4Prediction {
        self.predict_typed(text, hints).0
    }

    /// [`RoleModel::predict_with`], [`RoleModel::incident_type`] and
    /// [`RoleModel::stage`] at once, reading the text once.
    pub fn predict_typed(
        &self,
        text: &str,
        hints: Option<&RuleHints>,
    ) -> (Muc4Prediction, DocLabels<'_>) {
        let ds = self.scores_with(text, hints);
        let labels = DocLabels {
            incident: self.incident_label(&ds),
            stage: self.stage_label(&ds),
        };
        (self.predict_scored(&ds, text), labels)
    }

    /// The incident-type label of a scored document, when the model has an
    /// incident-type classifier.
    pub fn incident_label(&self, ds: &DocScores) -> Option<&str> {
        let c = self.incident.as_ref()?;
        c.labels().get(ds.incident?).map(String::as_str)
    }

    /// The stage-of-execution label of a scored document, when the model
    /// has a stage classifier.
    pub fn stage_label(&self, ds: &DocScores) -> Option<&str> {
        let c = self.stage.as_ref()?;
        c.labels().get(ds.stage?).map(String::as_str)
    }

    /// Role-filler entities of a scored document.
    fn predict_scored(&self, ds: &DocScores, text: &str) -> Muc4Prediction {
        let raw = self.decode(ds, text, &self.params);
        match &self.scorer {
            Some(sc) => {
                let hasher = crate::learn::FeatureHasher::new(self.featurizer_bits);
                let ents = entity_candidates(&hasher, &raw.candidates, ds, text, &self.params);
                sc.select(raw.relevance, &ents)
            }
            None => self.finish(&raw, &self.params),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_prediction_reads_the_text_once_with_the_same_answers() {
        let Some(m) = RoleModel::embedded() else {
            panic!("models/muc4-roles.model does not load; retrain it (models/README.md)");
        };
        for text in [
            "urban guerrillas of the fmln today blew up a power pylon in san miguel \
             with dynamite. two soldiers guarding it were killed.",
            "the president met the foreign minister to discuss coffee prices.",
        ] {
            let (p, labels) = m.predict_typed(text, None);
            assert_eq!(p, m.predict(text));
            assert_eq!(labels.incident, m.incident_type(text));
            assert_eq!(labels.stage, m.stage(text));
            assert!(
                labels.incident.is_some() && labels.stage.is_some(),
                "the committed model has incident-type and stage classifiers"
            );
        }
    }

    #[test]
    fn possessive_ending_is_cut_from_a_span() {
        let text = "luis carlos galan's arms. o'neill’S car. 's";
        let cut = |a: usize, b: usize| {
            let (x, y) = without_possessive(text, (a, b));
            &text[x..y]
        };
        assert_eq!(cut(0, 19), "luis carlos galan");
        assert_eq!(cut(0, 17), "luis carlos galan");
        let oneill = text.find("o'neill").expect("in the text");
        assert_eq!(cut(oneill, oneill + "o'neill’S".len()), "o'neill");
        // A span that is only the ending stays as it is; so does one that
        // merely ends in "s".
        let end = text.len();
        assert_eq!(cut(end - 2, end), "'s");
        assert_eq!(cut(20, 24), "arms");
        assert_eq!(without_possessive(text, (0, 999)), (0, 999));
    }

    #[test]
    fn titles_before_a_victim_name() {
        for w in [
            "msgr",
            "msgr.",
            "monsignor",
            "sister",
            "gen",
            "dr.",
            "father",
            "judge",
        ] {
            assert!(is_title(w), "{w}");
        }
        for w in ["oscar", "peasants", "sisters", "msgrs", ""] {
            assert!(!is_title(w), "{w}");
        }
        for w in [
            "named",
            "40-year-old",
            "4-month-old",
            "two-year-old",
            "msgr",
        ] {
            assert!(is_name_prefix(w), "{w}");
        }
        for w in ["name", "-year-old", "old", "year-old", "oscar"] {
            assert!(!is_name_prefix(w), "{w}");
        }
    }

    #[test]
    fn victim_names_lose_what_comes_before_them() {
        let start = |words: &[&str]| victim_name_start((0, words.len()), |i| words[i].to_string());
        assert_eq!(start(&["msgr", "oscar", "arnulfo", "romero"]), 1);
        assert_eq!(start(&["named", "julio", "rodriguez"]), 1);
        assert_eq!(start(&["40-year-old", "hugo", "morales"]), 1);
        assert_eq!(
            start(&["radio", "announcer", "diego", "vargas", "escobar"]),
            2
        );
        assert_eq!(start(&["frenchman", "roberto", "lisandy"]), 1);
        // A name that begins with a given name, a word without a class
        // before it, a given name with nothing after it, a plain noun: as
        // they are.
        assert_eq!(start(&["luis", "carlos", "galan"]), 0);
        assert_eq!(start(&["xqzv", "elizabeth", "velasquez"]), 0);
        assert_eq!(start(&["the", "peasant", "maria"]), 0);
        assert_eq!(start(&["peasants"]), 0);
        assert_eq!(start(&["msgr"]), 0);
    }

    #[test]
    fn trimming_cuts_numbers_and_edge_words() {
        let words = ["of", "two", "buses", "and"];
        let w = |i: usize| words[i].to_string();
        assert_eq!(trimmed((0, 4), 0, w), (0, 4));
        assert_eq!(trimmed((0, 4), TRIM_EDGES, w), (1, 3));
        assert_eq!(trimmed((0, 4), TRIM_NUMBER, w), (0, 4));
        assert_eq!(trimmed((1, 3), TRIM_NUMBER, w), (2, 3));
        assert_eq!(trimmed((0, 4), TRIM_EDGES | TRIM_NUMBER, w), (2, 3));
        // A span is never emptied.
        assert_eq!(trimmed((0, 1), TRIM_EDGES | TRIM_NUMBER, w), (0, 1));
        assert_eq!(trimmed((1, 2), TRIM_NUMBER, w), (1, 2));
    }
}
