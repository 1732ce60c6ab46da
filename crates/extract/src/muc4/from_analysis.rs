//! vigil's events mapped onto the five MUC-4 roles (see the table in the
//! [module documentation](super)).

use vigil_core::{Analysis, EntityType, EventType, Slot};

use super::aggregate::group_candidates;
use super::model::{Candidate, Params};
use super::score::normalize;
use super::{Role, RoleLists};

/// Whether MUC-4 counts an event of this type as (part of) an incident.
fn counts(kind: EventType) -> bool {
    kind.is_violent() || matches!(kind, EventType::Plot | EventType::Claim)
}

/// The role filler entities of an analysis: every slot of the events MUC-4
/// counts, mapped to its role and grouped like the learned model's output.
pub fn from_analysis(analysis: &Analysis) -> RoleLists {
    let org_ids: Vec<&str> = analysis
        .entities
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                EntityType::ArmedGroup | EntityType::Organization | EntityType::GovernmentBody
            )
        })
        .map(|e| e.id.as_str())
        .collect();
    let mut cands: Vec<Candidate> = Vec::new();
    // The entity each candidate's slot names, if any: slots naming one
    // entity are one filler, however differently the text calls it
    // ("farabundo marti national liberation front" / "fmln").
    let mut named: Vec<Option<String>> = Vec::new();
    let mut push = |role: Role, slot: &Slot| {
        let (a, b) = slot.span.map_or((0, 0), |s| (s.start, s.end));
        let entity = slot.entity.as_deref();
        let same = entity.and_then(|id| {
            (0..cands.len()).find(|&j| cands[j].role == role && named[j].as_deref() == Some(id))
        });
        cands.push(Candidate {
            role,
            tokens: (a, b),
            span: (a, b),
            text: slot.text.clone(),
            score: 1.0,
            appositive_of: same,
        });
        named.push(entity.map(str::to_owned));
    };
    for ev in analysis.events.iter().filter(|e| counts(e.kind)) {
        for p in &ev.perpetrators {
            let is_org = p.entity.as_deref().is_some_and(|id| org_ids.contains(&id));
            push(if is_org { Role::PerpOrg } else { Role::PerpInd }, p);
        }
        if ev.kind == EventType::Claim {
            continue;
        }
        ev.targets.iter().for_each(|s| push(Role::Target, s));
        ev.victims.iter().for_each(|s| push(Role::Victim, s));
        ev.weapons.iter().for_each(|s| push(Role::Weapon, s));
    }
    let params = Params {
        min_entity_score: f32::NEG_INFINITY,
        ..Params::default()
    };
    let grouped = group_candidates(&cands, &params);
    let mut out = RoleLists::default();
    for (k, ents) in grouped.into_iter().enumerate() {
        out[k] = ents.into_iter().map(|e| e.mentions).collect();
    }
    out
}

/// Adds the rule pipeline's role fillers (`rules`, from [`from_analysis`])
/// to the learned model's (`learned`), where the rules were measured to
/// help on held-out training folds (4-fold cross-validation of
/// `train.jsonl`, `examples/muc4_cv.rs`; out-of-fold micro F1 42.7 for
/// the model alone, 43.3 combined):
///
/// - only in documents where the model reports a victim or a physical
///   target (an incident), else nothing is added;
/// - `PerpInd` and `PerpOrg`: the rule entities, only when the model has
///   none for that role (out of fold 31.6 → 32.9 and 38.0 → 41.4).
///
/// `Target` and `Victim` of the rules lowered F1 and are never added;
/// nor is `Weapon` (49.4 → 47.0 out of fold with every rule weapon the
/// model lacks, 48.5 with the rules' weapons only where the model has
/// none). Each added entity is its representative mention alone.
pub fn combine(learned: &mut RoleLists, rules: &RoleLists) {
    let incident =
        !learned[Role::Target as usize].is_empty() || !learned[Role::Victim as usize].is_empty();
    if !incident {
        return;
    }
    for role in [Role::PerpInd, Role::PerpOrg] {
        let k = role as usize;
        if !learned[k].is_empty() {
            continue;
        }
        // The model has none of the role: the rules' entities, each
        // normalised mention once.
        let mut have: Vec<String> = Vec::new();
        for ent in &rules[k] {
            let Some(m) = ent.first() else { continue };
            let n = normalize(m);
            if n.is_empty() || have.contains(&n) {
                continue;
            }
            have.push(n);
            learned[k].push(vec![m.clone()]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lists(v: [&[&str]; 5]) -> RoleLists {
        v.map(|ents| ents.iter().map(|m| vec![m.to_string()]).collect())
    }

    #[test]
    fn slots_naming_one_entity_are_one_filler() {
        let doc = vigil_core::Document {
            id: "d".into(),
            text: "the farabundo marti national liberation front bombed a power station \
                   in san miguel on monday.  later the fmln attacked a police post in \
                   usulutan, killing two policemen."
                .into(),
            ..Default::default()
        };
        let a = crate::Pipeline::new().expect("pipeline").analyze(&doc);
        let lists = from_analysis(&a);
        // The full name and the acronym are one organisation; two posts
        // attacked are two targets.
        assert_eq!(lists[Role::PerpOrg as usize].len(), 1, "{lists:?}");
        assert_eq!(lists[Role::Target as usize].len(), 2, "{lists:?}");
    }

    #[test]
    fn combine_adds_rules_only_to_incident_documents() {
        let rules = lists([&["guerrillas"], &["fmln"], &[], &["x"], &["bomb", "rifles"]]);
        let mut no_incident = lists([&[], &[], &[], &[], &["bomb"]]);
        combine(&mut no_incident, &rules);
        assert_eq!(no_incident, lists([&[], &[], &[], &[], &["bomb"]]));
        let mut with = lists([&["terrorists"], &[], &["bus"], &[], &["the bomb"]]);
        combine(&mut with, &rules);
        // The rules' perpetrators only where the model has none of the
        // role; never their weapons.
        assert_eq!(
            with,
            lists([&["terrorists"], &["fmln"], &["bus"], &[], &["the bomb"]])
        );
    }
}
