//! Coreference-light grouping of role-filler mentions into entities.
//!
//! Within one document and one role, two mentions are taken to name the
//! same entity when, after the scorer's normalisation ([`normalize`]):
//! - they are equal ("the FMLN" / "fmln");
//! - one stands in parentheses right after the other
//!   ("farabundo marti national liberation front (fmln)");
//! - the shorter is a contiguous run of the longer's words ending with the
//!   same head word ("terrorists" / "urban terrorists", "priests" /
//!   "six jesuit priests");
//! - the shorter is a single word of four letters or more that occurs in
//!   the longer ("oqueli" / "hector oqueli colindres").
//!
//! Groups are closed transitively. Each entity keeps every distinct mention
//! in `group`; what is output (`mentions`) depends on [`Params`]: the
//! scorer accepts a predicted entity only if *all* its mentions belong to
//! one gold entity, so by default a single representative is output.

use super::model::{Candidate, Params, Representative};
use super::{normalize, PredictedEntity};

fn related(a: &[&str], b: &[&str]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() {
        return false;
    }
    if short.len() == 1 && short[0].chars().count() >= 4 && long.contains(&short[0]) {
        return true;
    }
    short.last() == long.last() && long.windows(short.len()).any(|w| w == short)
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// Groups of candidate indices naming one entity (same role), ordered by
/// first member; candidates with an empty normalised text are left out.
pub fn group_indices(cands: &[Candidate]) -> Vec<Vec<usize>> {
    let keys: Vec<String> = cands.iter().map(|c| normalize(&c.text)).collect();
    let words: Vec<Vec<&str>> = keys
        .iter()
        .map(|k| k.split(' ').filter(|w| !w.is_empty()).collect())
        .collect();
    let mut parent: Vec<usize> = (0..cands.len()).collect();
    for i in 0..cands.len() {
        if keys[i].is_empty() {
            continue;
        }
        if let Some(j) = cands[i].appositive_of {
            if j < cands.len() && !keys[j].is_empty() && cands[j].role == cands[i].role {
                let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
                parent[ri.max(rj)] = ri.min(rj);
            }
        }
        for j in 0..i {
            if cands[j].role != cands[i].role || keys[j].is_empty() {
                continue;
            }
            if keys[i] == keys[j] || related(&words[i], &words[j]) {
                let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
                parent[ri.max(rj)] = ri.min(rj);
            }
        }
    }
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); cands.len()];
    for (i, key) in keys.iter().enumerate() {
        if !key.is_empty() {
            let r = find(&mut parent, i);
            members[r].push(i);
        }
    }
    members.retain(|g| !g.is_empty());
    members
}

/// The entity made of the candidates `group` (indices into `cands`, in
/// text order), with its output mentions chosen as `params` says.
pub fn entity_of(cands: &[Candidate], group: &[usize], params: &Params) -> PredictedEntity {
    let keys: Vec<String> = group.iter().map(|&i| normalize(&cands[i].text)).collect();
    let score = group
        .iter()
        .map(|&i| cands[i].score)
        .fold(f32::NEG_INFINITY, f32::max);
    // Distinct mentions (by normalised key), with counts, in text order.
    let mut distinct: Vec<(usize, usize)> = Vec::new(); // (position in group, count)
    for (k, key) in keys.iter().enumerate() {
        match distinct.iter_mut().find(|(j, _)| keys[*j] == *key) {
            Some(d) => d.1 += 1,
            None => distinct.push((k, 1)),
        }
    }
    let n_words = |k: usize| keys[k].split(' ').count();
    let best = match params.representative {
        Representative::First => distinct[0].0,
        Representative::Longest => {
            distinct
                .iter()
                .fold(distinct[0], |b, d| {
                    if n_words(d.0) > n_words(b.0) {
                        *d
                    } else {
                        b
                    }
                })
                .0
        }
        Representative::MostFrequent => {
            distinct
                .iter()
                .fold(distinct[0], |b, d| if d.1 > b.1 { *d } else { b })
                .0
        }
    };
    let text = |k: usize| cands[group[k]].text.clone();
    let group_texts: Vec<String> = distinct.iter().map(|(k, _)| text(*k)).collect();
    let mentions = if params.all_mentions {
        let mut m = vec![text(best)];
        m.extend(group_texts.iter().filter(|t| **t != text(best)).cloned());
        m
    } else {
        vec![text(best)]
    };
    PredictedEntity {
        mentions,
        group: group_texts,
        score,
        count: group.len(),
    }
}

/// Groups candidates into entities per role (in `ROLES` order), ordered by
/// first mention. An entity's score is its best mention's plus
/// `params.count_bonus` × ln(times tagged); entities below
/// `params.min_entity_score` are dropped, and of each role at most
/// `params.max_entities` (when not 0) of the best-scored are kept.
pub fn group_candidates(cands: &[Candidate], params: &Params) -> [Vec<PredictedEntity>; 5] {
    let mut out: [Vec<PredictedEntity>; 5] = Default::default();
    for group in group_indices(cands) {
        let role = cands[group[0]].role;
        let mut e = entity_of(cands, &group, params);
        e.score += params.count_bonus * (e.count as f32).ln();
        if e.score < params.min_entity_score {
            continue;
        }
        out[role as usize].push(e);
    }
    for (ents, &cap) in out.iter_mut().zip(&params.max_entities) {
        let cap = usize::from(cap);
        if cap > 0 && ents.len() > cap {
            // The cap best, kept in text order (stable: ties keep the first).
            let mut order: Vec<usize> = (0..ents.len()).collect();
            order.sort_by(|&a, &b| ents[b].score.total_cmp(&ents[a].score));
            let mut keep = vec![false; ents.len()];
            for &i in order.iter().take(cap) {
                keep[i] = true;
            }
            let mut k = keep.iter();
            ents.retain(|_| k.next().copied().unwrap_or(false));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::muc4::Role;

    fn cand(role: Role, text: &str, tokens: (usize, usize), score: f32) -> Candidate {
        Candidate {
            role,
            tokens,
            span: (0, 0),
            text: text.into(),
            score,
            appositive_of: None,
        }
    }

    #[test]
    fn groups_related_mentions() {
        let mut c = vec![
            cand(
                Role::PerpOrg,
                "farabundo marti national liberation front",
                (0, 5),
                2.0,
            ),
            cand(Role::PerpOrg, "fmln", (6, 7), 1.0),
            cand(Role::PerpInd, "urban terrorists", (10, 12), 1.0),
            cand(Role::PerpInd, "the terrorists", (20, 22), 1.0),
            cand(Role::Victim, "hector oqueli colindres", (30, 33), 1.0),
            cand(Role::Victim, "oqueli", (40, 41), 1.0),
            cand(Role::Victim, "gilda flores", (42, 44), 1.0),
            cand(Role::PerpOrg, "fmln", (50, 51), 1.0),
            cand(Role::Weapon, "the", (60, 61), 5.0),
        ];
        c[1].appositive_of = Some(0);
        let p = Params::default();
        let g = group_candidates(&c, &p);
        assert_eq!(g[Role::PerpOrg as usize].len(), 1);
        assert_eq!(
            g[Role::PerpOrg as usize][0].mentions,
            vec!["fmln".to_string()]
        );
        assert_eq!(g[Role::PerpOrg as usize][0].count, 3);
        assert_eq!(g[Role::PerpInd as usize].len(), 1);
        assert_eq!(g[Role::Victim as usize].len(), 2);
        assert!(g[Role::Weapon as usize].is_empty());
        let longest = Params {
            representative: Representative::Longest,
            all_mentions: true,
            ..p
        };
        let g = group_candidates(&c, &longest);
        assert_eq!(
            g[Role::PerpOrg as usize][0].mentions,
            vec![
                "farabundo marti national liberation front".to_string(),
                "fmln".to_string()
            ]
        );
        let strict = Params {
            min_entity_score: 1.5,
            ..p
        };
        let g = group_candidates(&c, &strict);
        assert_eq!(g.iter().map(Vec::len).sum::<usize>(), 1);
        // At most one victim: the better-scored one, whatever its position.
        c[6].score = 3.0;
        let capped = Params {
            max_entities: [0, 0, 0, 1, 0],
            ..p
        };
        let g = group_candidates(&c, &capped);
        assert_eq!(
            g[Role::Victim as usize][0].mentions,
            vec!["gilda flores".to_string()]
        );
        assert_eq!(g[Role::Victim as usize].len(), 1);
        assert_eq!(g[Role::PerpOrg as usize].len(), 1);
        // The count bonus ranks the thrice-tagged FMLN above a threshold
        // its best mention alone would miss.
        let bonus = Params {
            min_entity_score: 2.5,
            count_bonus: 1.0,
            ..p
        };
        let g = group_candidates(&c, &bonus);
        assert_eq!(g[Role::PerpOrg as usize].len(), 1);
        assert_eq!(g[Role::Victim as usize].len(), 1);
    }

    #[test]
    fn unrelated_words_stay_apart() {
        assert!(
            related(&["army"], &["army", "troops"]),
            "single words of 4+ letters join"
        );
        assert!(!related(&["bus"], &["bus", "station"]));
        assert!(related(&["priests"], &["six", "jesuit", "priests"]));
        assert!(!related(&["jesuit"], &["six", "priests"]));
    }
}
