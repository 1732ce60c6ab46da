//! CEAF-REE, the document-level role-filler entity metric of GRIT (Du et
//! al., 2021), as computed by `../shared/eval/muc4_score.py`.
//!
//! Per document and role, gold and predicted entities (lists of mention
//! strings) are compared after normalisation (lower case, ASCII punctuation
//! removed, the articles "a", "an", "the" removed, whitespace collapsed).
//! A predicted entity *matches* a gold entity ("strict" φ) when **every**
//! one of its mentions is among the gold entity's mentions; so an extra,
//! wrong mention makes the whole predicted entity wrong, while one right
//! mention is enough. Gold and predicted entities are paired one-to-one to
//! maximise the number of matches (maximum bipartite matching). Predicted
//! entities whose mentions all normalise to "" are ignored. Precision =
//! matches / predicted entities, recall = matches / gold entities, summed
//! over documents; micro average over the five roles.

use std::collections::HashMap;

use super::{GoldDoc, Muc4Prediction, RoleLists, ROLES};

/// Normalises a mention exactly as the reference scorer does.
pub fn normalize(s: &str) -> String {
    let lower = s.to_lowercase();
    let no_punct: String = lower
        .chars()
        .filter(|c| !c.is_ascii_punctuation())
        .collect();
    // Remove whole "words" (maximal runs of \w characters) a / an / the.
    let mut out = String::with_capacity(no_punct.len());
    let mut word = String::new();
    let is_w = |c: char| c.is_alphanumeric() || c == '_';
    let flush = |word: &mut String, out: &mut String| {
        if matches!(word.as_str(), "a" | "an" | "the") {
            out.push(' ');
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in no_punct.chars() {
        if is_w(c) {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Matched, predicted and gold entity counts.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct Counts {
    pub matched: f64,
    pub predicted: usize,
    pub gold: usize,
}

/// Precision, recall and F1 (0–1).
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct Prf {
    pub p: f64,
    pub r: f64,
    pub f1: f64,
}

impl Counts {
    /// Precision, recall and F1 of these counts.
    pub fn prf(&self) -> Prf {
        let p = if self.predicted > 0 {
            self.matched / self.predicted as f64
        } else {
            0.0
        };
        let r = if self.gold > 0 {
            self.matched / self.gold as f64
        } else {
            0.0
        };
        let f1 = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        Prf { p, r, f1 }
    }

    fn add(&mut self, o: &Counts) {
        self.matched += o.matched;
        self.predicted += o.predicted;
        self.gold += o.gold;
    }
}

/// Per-role and micro-averaged counts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Scores {
    /// In the order of [`ROLES`].
    pub roles: [Counts; 5],
    pub micro: Counts,
}

impl Scores {
    /// `{role: {p, r, f1}, …, "micro": {…}}` as in the reference scorer's
    /// `--json` output.
    pub fn to_json(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        for (role, c) in ROLES.iter().zip(&self.roles) {
            m.insert(role.as_str().into(), serde_json::json!(c.prf()));
        }
        m.insert("micro".into(), serde_json::json!(self.micro.prf()));
        serde_json::Value::Object(m)
    }

    /// A table like the reference scorer's text output.
    pub fn to_table(&self) -> String {
        let mut s = String::new();
        let rows = ROLES
            .iter()
            .map(|r| r.as_str())
            .zip(self.roles.iter())
            .chain([("micro", &self.micro)]);
        for (name, c) in rows {
            let p = c.prf();
            s.push_str(&format!(
                "{name:8} P {:5.1}  R {:5.1}  F1 {:5.1}\n",
                p.p * 100.0,
                p.r * 100.0,
                p.f1 * 100.0
            ));
        }
        s
    }
}

/// Maximum bipartite matching size of a 0/1 matrix (`w[gold][pred]`).
fn matching(w: &[Vec<bool>]) -> usize {
    let cols = w.first().map_or(0, Vec::len);
    let mut match_col: Vec<Option<usize>> = vec![None; cols];
    fn augment(
        i: usize,
        w: &[Vec<bool>],
        seen: &mut [bool],
        match_col: &mut [Option<usize>],
    ) -> bool {
        for j in 0..seen.len() {
            if w[i][j] && !seen[j] {
                seen[j] = true;
                let free = match match_col[j] {
                    None => true,
                    Some(k) => augment(k, w, seen, match_col),
                };
                if free {
                    match_col[j] = Some(i);
                    return true;
                }
            }
        }
        false
    }
    (0..w.len())
        .filter(|&i| augment(i, w, &mut vec![false; cols], &mut match_col))
        .count()
}

/// Counts for one document and role.
pub fn score_role(gold: &[Vec<String>], pred: &[Vec<String>]) -> Counts {
    let g: Vec<Vec<String>> = gold
        .iter()
        .map(|e| e.iter().map(|m| normalize(m)).collect())
        .collect();
    let p: Vec<Vec<String>> = pred
        .iter()
        .filter(|e| !e.is_empty())
        .map(|e| e.iter().map(|m| normalize(m)).collect::<Vec<_>>())
        .filter(|e| e.iter().any(|m| !m.is_empty()))
        .collect();
    let w: Vec<Vec<bool>> = g
        .iter()
        .map(|ge| {
            p.iter()
                .map(|pe| pe.iter().all(|m| ge.contains(m)))
                .collect()
        })
        .collect();
    let matched = if g.is_empty() || p.is_empty() {
        0
    } else {
        matching(&w)
    };
    Counts {
        matched: matched as f64,
        predicted: p.len(),
        gold: g.len(),
    }
}

/// GRIT's numeric id of a document ("TST1-MUC3-0001" → "10001"), as the
/// reference scorer computes it; `None` when the id has another form.
pub fn grit_id(docid: &str) -> Option<String> {
    if docid.chars().all(|c| c.is_ascii_digit()) && !docid.is_empty() {
        return Some(docid.to_string());
    }
    let head = docid.split('-').next()?;
    let num: u64 = docid.rsplit('-').next()?.parse().ok()?;
    let digit = head.chars().last()?.to_digit(10)?;
    Some((u64::from(digit) * 10000 + num).to_string())
}

/// Scores predictions given as plain entity lists, keyed by docid (or by
/// GRIT's numeric id). Documents without a prediction count as empty.
pub fn score_lists(gold: &[GoldDoc], pred: &HashMap<String, RoleLists>) -> Scores {
    let by_grit: HashMap<String, &RoleLists> = pred
        .iter()
        .filter_map(|(k, v)| grit_id(k).map(|g| (g, v)))
        .collect();
    let empty = RoleLists::default();
    let mut s = Scores::default();
    for doc in gold {
        let p = pred
            .get(&doc.docid)
            .or_else(|| grit_id(&doc.docid).and_then(|g| by_grit.get(&g).copied()))
            .unwrap_or(&empty);
        let g = doc.gold_lists();
        for k in 0..5 {
            let c = score_role(&g[k], &p[k]);
            s.roles[k].add(&c);
            s.micro.add(&c);
        }
    }
    s
}

/// Scores model predictions (see [`score_lists`]).
pub fn score(gold: &[GoldDoc], pred: &HashMap<String, Muc4Prediction>) -> Scores {
    let lists: HashMap<String, RoleLists> =
        pred.iter().map(|(k, v)| (k.clone(), v.lists())).collect();
    score_lists(gold, &lists)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(xs: &[&[&str]]) -> Vec<Vec<String>> {
        xs.iter()
            .map(|e| e.iter().map(|m| m.to_string()).collect())
            .collect()
    }

    #[test]
    fn normalize_like_python() {
        assert_eq!(
            normalize("The  FMLN's \"urban\" commandos"),
            "fmlns urban commandos"
        );
        assert_eq!(
            normalize("a bomb, an m-16 and the-rifle"),
            "bomb m16 and therifle"
        );
        assert_eq!(normalize("the rifle (the_end)"), "rifle theend");
        assert_eq!(normalize("anthem theatre"), "anthem theatre");
        assert_eq!(normalize("the"), "");
        assert_eq!(normalize("  "), "");
    }

    #[test]
    fn strict_matching() {
        let gold = v(&[
            &["farabundo marti national liberation front", "fmln"],
            &["terrorists"],
        ]);
        // One right mention suffices; a wrong extra mention spoils the entity.
        let c = score_role(&gold, &v(&[&["fmln"], &["the terrorists", "army"]]));
        assert_eq!((c.matched, c.predicted, c.gold), (1.0, 2, 2));
        // One-to-one: two predictions of the same gold entity match once.
        let c = score_role(&gold, &v(&[&["fmln"], &["FMLN"]]));
        assert_eq!(c.matched, 1.0);
        // Empty predicted entities are ignored.
        let c = score_role(&gold, &v(&[&[], &["the"]]));
        assert_eq!((c.matched, c.predicted), (0.0, 0));
        assert_eq!(
            Counts {
                matched: 1.0,
                predicted: 2,
                gold: 4
            }
            .prf()
            .f1,
            2.0 * 0.5 * 0.25 / 0.75
        );
    }

    #[test]
    fn matching_finds_augmenting_paths() {
        // g0 matches p0,p1; g1 matches p0 only: the maximum is 2.
        let w = vec![vec![true, true], vec![true, false]];
        assert_eq!(matching(&w), 2);
    }

    #[test]
    fn grit_ids() {
        assert_eq!(grit_id("TST1-MUC3-0001").as_deref(), Some("10001"));
        assert_eq!(grit_id("TST2-MUC4-0100").as_deref(), Some("20100"));
        assert_eq!(grit_id("20100").as_deref(), Some("20100"));
        assert_eq!(grit_id("DEV-MUC3-0001"), None);
    }
}
