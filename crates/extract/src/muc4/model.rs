//! The learned MUC-4 role-filler extractor.

use crate::learn::features::{DocContext, TokenFeaturizer};
use crate::learn::io::{Reader, Writer};
use crate::learn::{BinaryClassifier, LearnError, MulticlassClassifier, SequenceTagger};

use super::aggregate::group_candidates;
use super::rescore::{entity_candidates, EntityScorer};
use super::{Muc4Prediction, Role, ROLES};

const MAGIC: &[u8; 8] = b"VGMUC4\0\0";
const VERSION: u32 = 2;

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
}

impl Default for Params {
    fn default() -> Params {
        Params {
            relevance_threshold: 0.0,
            min_entity_score: 0.0,
            representative: Representative::MostFrequent,
            all_mentions: false,
            role_bias: [0.0; 5],
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
    /// Emission scores, tokens × labels.
    pub em: Vec<f32>,
    /// Byte span of each token.
    pub spans: Vec<(usize, usize)>,
    /// Whether each token is "(".
    pub open_paren: Vec<bool>,
    /// Sentences as token ranges.
    pub sents: Vec<(usize, usize)>,
}

/// Relevance and tagged mentions of a document, before thresholds.
#[derive(Debug, Clone, PartialEq)]
pub struct RawPrediction {
    pub relevance: f32,
    pub candidates: Vec<Candidate>,
}

/// The learned extractor: a relevance classifier gating a BIO role tagger
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
    pub params: Params,
}

/// The BIO labels of the tagger, in index order.
pub(crate) fn role_labels() -> Vec<String> {
    let mut labels = vec!["O".to_string()];
    for r in ROLES {
        labels.push(format!("B-{}", r.as_str()));
        labels.push(format!("I-{}", r.as_str()));
    }
    labels
}

impl RoleModel {
    /// Reads a model file.
    pub fn load(bytes: &[u8]) -> Result<RoleModel, LearnError> {
        let mut r = Reader::new(bytes);
        if r.take(MAGIC.len())? != MAGIC {
            return Err(LearnError::Format("not a vigil MUC-4 model".into()));
        }
        let version = r.u32()?;
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
        let tagger = SequenceTagger::read(&mut r)?;
        if tagger.labels() != role_labels().as_slice() {
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
            params: Params {
                relevance_threshold,
                min_entity_score,
                representative,
                all_mentions,
                role_bias,
            },
        })
    }

    /// Serialises the model (the inverse of [`RoleModel::load`]).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.bytes(MAGIC);
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
        w.into_bytes()
    }

    /// The model committed in `models/muc4-roles.model`, when this build
    /// embeds a valid one.
    pub fn embedded() -> Option<RoleModel> {
        RoleModel::load(EMBEDDED).ok()
    }

    /// The incident-type classifier's labels and best label for a text,
    /// when the model has one.
    pub fn incident_type(&self, text: &str) -> Option<&str> {
        let c = self.incident.as_ref()?;
        let doc = DocContext::new(text);
        let f = TokenFeaturizer::new(self.featurizer_bits).doc_features(&doc);
        c.labels().get(c.predict(&f)).map(String::as_str)
    }

    /// The stage of execution of the document's main incident
    /// (ACCOMPLISHED, ATTEMPTED, THREATENED or NONE), when the model has a
    /// stage classifier.
    pub fn stage(&self, text: &str) -> Option<&str> {
        let c = self.stage.as_ref()?;
        let doc = DocContext::new(text);
        let f = TokenFeaturizer::new(self.featurizer_bits).doc_features(&doc);
        c.labels().get(c.predict(&f)).map(String::as_str)
    }

    /// Relevance and tagger scores of a document, before decoding.
    pub fn scores(&self, text: &str) -> DocScores {
        let doc = DocContext::new(text);
        let fz = TokenFeaturizer::new(self.featurizer_bits);
        let relevance = self.relevance.score(&fz.doc_features(&doc));
        let feats = fz.token_features(&doc);
        DocScores {
            relevance,
            em: self.tagger.emissions(&feats),
            spans: doc.toks.iter().map(|t| (t.start, t.end)).collect(),
            open_paren: doc.lower.iter().map(|w| w == "(").collect(),
            sents: doc.sents,
        }
    }

    /// Decodes role-filler mentions from scores with the given role biases.
    pub fn decode(&self, ds: &DocScores, text: &str, params: &Params) -> RawPrediction {
        let n = self.tagger.labels().len();
        let mut candidates: Vec<Candidate> = Vec::new();
        let mut em_sent = Vec::new();
        for &(a, b) in &ds.sents {
            em_sent.clear();
            em_sent.extend_from_slice(ds.em.get(a * n..b * n).unwrap_or(&[]));
            for row in em_sent.chunks_mut(n) {
                for (l, x) in row.iter_mut().enumerate().skip(1) {
                    *x += params.role_bias[(l - 1) / 2];
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
                if l == 0 || l.is_multiple_of(2) {
                    t += 1;
                    continue;
                }
                // l is B-role; the role index is (l - 1) / 2.
                let role = ROLES[(l - 1) / 2];
                let mut e = t + 1;
                while e < path.len() && path[e] == l + 1 {
                    e += 1;
                }
                let score = (t..e).map(|k| margin(k, path[k])).sum::<f32>() / (e - t) as f32;
                let (ts, te) = (a + t, a + e);
                let span = (ds.spans[ts].0, ds.spans[te - 1].1);
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
        pred
    }

    /// Role-filler entities of a document.
    pub fn predict(&self, text: &str) -> Muc4Prediction {
        let ds = self.scores(text);
        let raw = self.decode(&ds, text, &self.params);
        match &self.scorer {
            Some(sc) => {
                let hasher = crate::learn::FeatureHasher::new(self.featurizer_bits);
                let ents = entity_candidates(&hasher, &raw.candidates, &ds, text, &self.params);
                sc.select(raw.relevance, &ents)
            }
            None => self.finish(&raw, &self.params),
        }
    }
}
