//! The rule pipeline's findings as features of the learned model
//! ("hints"): what vigil's events say about a document is evidence the
//! tagger and the relevance classifier can weigh, where adding the rules'
//! fillers to the output directly lowers precision (see
//! [`super::combine`]).
//!
//! - Token features: every occurrence (on token boundaries, ignoring case)
//!   of a slot text of a counted event, as its MUC role (`B`/`I`), and on
//!   the tokens right before and after it; every token also carries the set
//!   of roles the rules found in the document.
//! - Relevance features: the type and stage of each counted event, the
//!   roles found, and how many events there are.

use vigil_core::{Analysis, EntityType, EventType};

use crate::learn::FeatureHasher;
use crate::Pipeline;

use super::{GoldDoc, Role, ROLES};

/// What the rule pipeline found in a document (see the module
/// documentation).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RuleHints {
    /// Lower-cased slot texts of the events MUC-4 counts, with their role.
    pub mentions: Vec<(Role, String)>,
    /// `TYPE/STAGE` of each counted event, in text order.
    pub events: Vec<String>,
}

/// Whether MUC-4 counts an event of this type as (part of) an incident.
fn counts(kind: EventType) -> bool {
    kind.is_violent() || matches!(kind, EventType::Plot | EventType::Claim)
}

impl RuleHints {
    /// The hints of an analysis, with roles assigned as in
    /// [`super::from_analysis`].
    pub fn of(analysis: &Analysis) -> RuleHints {
        let is_org = |id: &str| {
            analysis.entities.iter().any(|e| {
                e.id == id
                    && matches!(
                        e.kind,
                        EntityType::ArmedGroup
                            | EntityType::Organization
                            | EntityType::GovernmentBody
                    )
            })
        };
        let mut h = RuleHints::default();
        for ev in analysis.events.iter().filter(|e| counts(e.kind)) {
            h.events
                .push(format!("{}/{}", ev.kind.as_str(), ev.stage.as_str()));
            let mut push = |role: Role, text: &str| {
                let t = text.trim().to_lowercase();
                if !t.is_empty() && !h.mentions.iter().any(|(r, m)| *r == role && *m == t) {
                    h.mentions.push((role, t));
                }
            };
            for p in &ev.perpetrators {
                let org = p.entity.as_deref().is_some_and(is_org);
                push(if org { Role::PerpOrg } else { Role::PerpInd }, &p.text);
            }
            if ev.kind == EventType::Claim {
                continue;
            }
            ev.targets.iter().for_each(|s| push(Role::Target, &s.text));
            ev.victims.iter().for_each(|s| push(Role::Victim, &s.text));
            ev.weapons.iter().for_each(|s| push(Role::Weapon, &s.text));
        }
        h
    }

    /// Per token (byte ranges `spans` of `text`): bit `k` set when the
    /// token lies inside an occurrence of a mention of role `ROLES[k]`,
    /// bit 7 when it is the first token of one.
    fn token_roles(&self, text: &str, spans: &[(usize, usize)]) -> Vec<u8> {
        if self.mentions.is_empty() {
            return vec![0u8; spans.len()];
        }
        let lower = text.to_lowercase();
        if lower.len() != text.len() {
            // Case folding changed byte offsets (rare non-ASCII letters):
            // ASCII folding keeps them.
            return self.token_roles_in(&text.to_ascii_lowercase(), spans);
        }
        self.token_roles_in(&lower, spans)
    }

    fn token_roles_in(&self, lower: &str, spans: &[(usize, usize)]) -> Vec<u8> {
        let mut tags = vec![0u8; spans.len()];
        for (role, m) in &self.mentions {
            for (s, _) in lower.match_indices(m.as_str()) {
                let e = s + m.len();
                let Ok(a) = spans.binary_search_by_key(&s, |t| t.0) else {
                    continue;
                };
                let Ok(b) = spans.binary_search_by_key(&e, |t| t.1) else {
                    continue;
                };
                for (i, t) in tags.iter_mut().enumerate().take(b + 1).skip(a) {
                    *t |= 1 << (*role as u8);
                    if i == a {
                        *t |= 0x80;
                    }
                }
            }
        }
        tags
    }

    /// Appends the hint features of each token to `feats` (one list per
    /// token, tokens at byte ranges `spans` of `text`).
    pub(crate) fn add_token_features(
        &self,
        h: &FeatureHasher,
        text: &str,
        spans: &[(usize, usize)],
        feats: &mut [Vec<u32>],
    ) {
        let tags = self.token_roles(text, spans);
        let doc_roles: u8 = tags.iter().fold(0, |m, t| m | (t & 0x1f));
        let doc_roles = doc_roles.to_string();
        let events = if self.events.is_empty() { "0" } else { "1" };
        for (i, f) in feats.iter_mut().enumerate() {
            f.push(h.hash("rh-doc", &[&doc_roles, events]));
            let tag = tags.get(i).copied().unwrap_or(0);
            let prev = i.checked_sub(1).and_then(|j| tags.get(j)).copied();
            let next = tags.get(i + 1).copied();
            for (k, role) in ROLES.iter().enumerate() {
                let bit = 1u8 << k;
                let name = role.as_str();
                if tag & bit != 0 {
                    let pos = if tag & 0x80 != 0 { "B" } else { "I" };
                    f.push(h.hash("rh", &[name, pos]));
                } else {
                    if prev.is_some_and(|p| p & bit != 0) {
                        f.push(h.hash("rh-after", &[name]));
                    }
                    if next.is_some_and(|n| n & bit != 0 && n & 0x80 != 0) {
                        f.push(h.hash("rh-before", &[name]));
                    }
                }
            }
        }
    }

    /// Appends the document-level hint features (relevance classifier).
    pub(crate) fn add_doc_features(&self, h: &FeatureHasher, f: &mut Vec<u32>) {
        let n = match self.events.len() {
            0 => "0",
            1 => "1",
            2 => "2",
            3..=4 => "3",
            _ => "5",
        };
        f.push(h.hash("rh-n", &[n]));
        for e in &self.events {
            f.push(h.hash("rh-ev", &[e]));
        }
        if let Some(first) = self.events.first() {
            f.push(h.hash("rh-first", &[first]));
        }
        for role in ROLES {
            if self.mentions.iter().any(|(r, _)| *r == role) {
                f.push(h.hash("rh-role", &[role.as_str()]));
            }
        }
    }
}

/// The document the pipeline analyses for a MUC-4 text (no date: the
/// hints do not depend on it).
fn document(doc: &GoldDoc) -> vigil_core::Document {
    vigil_core::Document {
        id: doc.docid.clone(),
        text: doc.doctext.clone(),
        ..Default::default()
    }
}

/// Runs the rule pipeline on every document and stores its
/// [`RuleHints`] in [`GoldDoc::hints`] (for training and cross-validation
/// with [`super::TrainConfig::hints`]).
pub fn attach_hints(pipeline: &Pipeline, docs: &mut [GoldDoc]) {
    for d in docs {
        d.hints = Some(RuleHints::of(&pipeline.analyze(&document(d))));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_tag_their_tokens() {
        let h = RuleHints {
            mentions: vec![
                (Role::Victim, "three peasants".into()),
                (Role::PerpOrg, "fmln".into()),
            ],
            events: vec!["ATTACK/ACCOMPLISHED".into()],
        };
        let text = "The FMLN killed three peasants; three peasantsx fled.";
        // Token byte ranges of the words.
        let mut spans = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
            match (c.is_alphanumeric(), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    spans.push((s, i));
                    start = None;
                }
                _ => {}
            }
        }
        let tags = h.token_roles(text, &spans);
        let v = 1u8 << Role::Victim as u8;
        let o = 1u8 << Role::PerpOrg as u8;
        assert_eq!(tags, vec![0, o | 0x80, 0, v | 0x80, v, 0, 0, 0]);
        let fh = FeatureHasher::new(10);
        let mut feats = vec![Vec::new(); spans.len()];
        h.add_token_features(&fh, text, &spans, &mut feats);
        assert!(feats[3].contains(&fh.hash("rh", &["Victim", "B"])));
        assert!(feats[2].contains(&fh.hash("rh-before", &["Victim"])));
        assert!(feats[5].contains(&fh.hash("rh-after", &["Victim"])));
        assert!(!feats[6].contains(&fh.hash("rh", &["Victim", "B"])));
    }
}
