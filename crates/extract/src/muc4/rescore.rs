//! Second pass over the tagger's output: a classifier that keeps or drops
//! each grouped role-filler entity with document-level evidence the
//! sentence tagger cannot see (how often and where the entity is tagged,
//! its rank among the document's entities of the role, the document's
//! relevance, whether the knowledge base knows the name, the words around
//! each occurrence, whether the same string was also tagged with another
//! role), followed by a per-role decision threshold.

use crate::learn::features::Gazetteer;
use crate::learn::io::{Reader, Writer};
use crate::learn::{BinaryClassifier, FeatureHasher, LearnError};

use super::aggregate::{entity_of, group_indices};
use super::model::{Candidate, DocScores, Params};
use super::{normalize, Muc4Prediction, PredictedEntity, ROLES};

/// The entity classifier and its per-role thresholds.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityScorer {
    pub(crate) classifier: BinaryClassifier,
    /// Entities of role `k` are kept when their score is at least
    /// `thresholds[k]`.
    pub thresholds: [f32; 5],
    /// Documents whose relevance score is below this get no entities.
    pub min_relevance: f32,
}

/// A grouped entity with its features, before the keep/drop decision.
#[derive(Debug, Clone)]
pub(crate) struct EntityCandidate {
    pub role: usize,
    pub entity: PredictedEntity,
    pub features: Vec<u32>,
}

fn log_bucket(x: f32) -> String {
    if !x.is_finite() {
        return "inf".into();
    }
    let b = (1.0 + x.abs()).log2().floor() as i32;
    if x < 0.0 {
        format!("-{b}")
    } else {
        format!("{b}")
    }
}

fn count_bucket(n: usize) -> &'static str {
    match n {
        0 => "0",
        1 => "1",
        2 => "2",
        3 => "3",
        4..=6 => "4-6",
        _ => "7+",
    }
}

fn sent_bucket(n: usize) -> &'static str {
    match n {
        0 => "0",
        1 => "1",
        2 => "2",
        3..=4 => "3-4",
        5..=8 => "5-8",
        _ => "9+",
    }
}

/// Groups the candidates into entities and computes each entity's features.
pub(crate) fn entity_candidates(
    hasher: &FeatureHasher,
    cands: &[Candidate],
    ds: &DocScores,
    text: &str,
    params: &Params,
) -> Vec<EntityCandidate> {
    let groups = group_indices(cands);
    let mut ents: Vec<EntityCandidate> = Vec::with_capacity(groups.len());
    let word = |t: usize| -> String {
        ds.spans
            .get(t)
            .and_then(|&(a, b)| text.get(a..b))
            .map_or_else(|| "</s>".to_string(), str::to_lowercase)
    };
    let sent_of = |t: usize| ds.sents.partition_point(|&(_, b)| b <= t);
    // Normalised keys of every candidate, to find strings tagged with
    // several roles.
    let keys: Vec<String> = cands.iter().map(|c| normalize(&c.text)).collect();
    let gaz = Gazetteer::embedded();
    let mut per_role = [0usize; 5];
    for g in &groups {
        per_role[cands[g[0]].role as usize] += 1;
    }
    for g in &groups {
        let role = cands[g[0]].role as usize;
        let r = ROLES[role].as_str();
        let entity = entity_of(cands, g, params);
        let rep = normalize(&entity.mentions[0]);
        let rep_words: Vec<String> = rep.split(' ').map(str::to_string).collect();
        let h = |t: &str, parts: &[&str]| -> u32 {
            let mut p = Vec::with_capacity(parts.len() + 1);
            p.push(r);
            p.extend_from_slice(parts);
            hasher.hash(t, &p)
        };
        let mut f = vec![h("b", &[])];
        f.push(h("rep", &[&rep]));
        for w in &rep_words {
            f.push(h("w", &[w]));
        }
        if let Some(last) = rep_words.last() {
            f.push(h("head", &[last]));
        }
        f.push(h("first", &[&rep_words[0]]));
        f.push(h("len", &[count_bucket(rep_words.len())]));
        f.push(h("n", &[count_bucket(g.len())]));
        f.push(h("distinct", &[count_bucket(entity.group.len())]));
        f.push(h("sc", &[&log_bucket(entity.score)]));
        f.push(h("rel", &[&log_bucket(ds.relevance)]));
        f.push(h("ents", &[count_bucket(per_role[role])]));
        let first_tok = cands[g[0]].tokens.0;
        let s0 = sent_of(first_tok);
        f.push(h("sent", &[sent_bucket(s0)]));
        f.push(h("sent-n", &[sent_bucket(s0), count_bucket(g.len())]));
        match gaz.longest_at(&rep_words, 0) {
            Some((len, kind)) if len == rep_words.len() => f.push(h("gz", &[kind])),
            Some((_, kind)) => f.push(h("gz-part", &[kind])),
            None => f.push(h("gz", &["-"])),
        }
        let mut other = [false; 5];
        for (c, k) in cands.iter().zip(&keys) {
            if c.role as usize != role && *k == rep {
                other[c.role as usize] = true;
            }
        }
        for (k, o) in other.iter().enumerate() {
            if *o {
                f.push(h("also", &[ROLES[k].as_str()]));
            }
        }
        for &i in g.iter().take(4) {
            let (a, b) = cands[i].tokens;
            let l = if a == 0 {
                "<s>".to_string()
            } else {
                word(a - 1)
            };
            let rr = word(b);
            f.push(h("l", &[&l]));
            f.push(h("r", &[&rr]));
            if a >= 2 {
                f.push(h("l2", &[&word(a - 2), &l]));
            }
        }
        f.sort_unstable();
        f.dedup();
        ents.push(EntityCandidate {
            role,
            entity,
            features: f,
        });
    }
    // Rank by tagger score within the role.
    for k in 0..ents.len() {
        let role = ents[k].role;
        let s = ents[k].entity.score;
        let rank = ents
            .iter()
            .filter(|e| e.role == role && e.entity.score > s)
            .count();
        let r = ROLES[role].as_str();
        let fr = hasher.hash("rank", &[r, count_bucket(rank)]);
        ents[k].features.push(fr);
    }
    ents
}

impl EntityScorer {
    /// The classifier's score of an entity.
    pub(crate) fn score(&self, e: &EntityCandidate) -> f32 {
        self.classifier.score(&e.features)
    }

    /// Keeps the entities whose score reaches their role's threshold.
    pub(crate) fn select(&self, relevance: f32, ents: &[EntityCandidate]) -> Muc4Prediction {
        let mut pred = Muc4Prediction {
            relevance,
            ..Default::default()
        };
        if relevance < self.min_relevance {
            return pred;
        }
        for e in ents {
            if self.score(e) >= self.thresholds[e.role] {
                pred.roles[e.role].push(e.entity.clone());
            }
        }
        pred
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        self.classifier.write(w);
        for t in self.thresholds {
            w.f32(t);
        }
        w.f32(self.min_relevance);
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<EntityScorer, LearnError> {
        let classifier = BinaryClassifier::read(r)?;
        let mut thresholds = [0.0f32; 5];
        for t in &mut thresholds {
            *t = r.f32()?;
        }
        let min_relevance = r.f32()?;
        Ok(EntityScorer {
            classifier,
            thresholds,
            min_relevance,
        })
    }
}
