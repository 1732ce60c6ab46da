//! vigil's events mapped onto the five MUC-4 roles (see the table in the
//! [module documentation](super)).

use vigil_core::{Analysis, EntityType, EventType, Slot};

use super::aggregate::group_candidates;
use super::model::{Candidate, Params};
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
    let mut cands = Vec::new();
    let mut push = |role: Role, slot: &Slot| {
        let (a, b) = slot.span.map_or((0, 0), |s| (s.start, s.end));
        cands.push(Candidate {
            role,
            tokens: (a, b),
            span: (a, b),
            text: slot.text.clone(),
            score: 1.0,
            appositive_of: None,
        });
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
