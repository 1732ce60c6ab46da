//! The backend-independent part of
//! [`Store::merge_incidents`](crate::Store::merge_incidents): which stored incidents the new
//! documents' events could join, and the merge of those events into them.
//! Each backend reads and writes its own rows around these functions.

use std::collections::{BTreeSet, HashMap};

use vigil_core::{Analysis, Incident};
use vigil_corpus::{Constraints, Family, Merged, Merger};

/// Documents read back for a merge: (document key, document id, analysis).
pub(crate) type Loaded = Vec<(i64, String, Analysis)>;

/// The incident buckets the events of `pending` can join, as queries to
/// run against the stored incidents: `(family, None)` asks for every
/// incident of the family (an event without a country may join any of
/// them); `(family, Some(country))` for those of the country or without
/// one. A family asked for whole is not asked for again by country. In a
/// stable order.
pub(crate) fn candidate_buckets(pending: &Loaded) -> Vec<(Family, Option<String>)> {
    let mut whole: BTreeSet<&'static str> = BTreeSet::new();
    let mut wanted: BTreeSet<(&'static str, String)> = BTreeSet::new();
    let mut families: HashMap<&'static str, Family> = HashMap::new();
    for (_, _, analysis) in pending {
        for event in &analysis.events {
            let (family, country) = vigil_corpus::bucket(analysis, event);
            families.insert(family.as_str(), family);
            match country {
                Some(country) => {
                    wanted.insert((family.as_str(), country));
                }
                None => {
                    whole.insert(family.as_str());
                }
            }
        }
    }
    let mut out: Vec<(Family, Option<String>)> = Vec::new();
    for name in &whole {
        if let Some(&family) = families.get(name) {
            out.push((family, None));
        }
    }
    for (name, country) in wanted {
        if whole.contains(name) {
            continue;
        }
        if let Some(&family) = families.get(name) {
            out.push((family, Some(country)));
        }
    }
    out
}

/// Merges the events of `pending` (documents stored since the last merge)
/// into `candidates` (the stored incidents of their buckets, keyed by row
/// key), whose member documents are `members`, honouring `constraints`.
/// Returns the new and changed incidents, and every analysis involved by
/// document id (what the backends need to write the incidents).
pub(crate) fn merge_pending<'a>(
    candidates: &'a HashMap<i64, Incident>,
    members: &'a Loaded,
    pending: &'a Loaded,
    constraints: &'a Constraints,
) -> (Vec<Merged>, HashMap<&'a str, &'a Analysis>) {
    let by_doc: HashMap<&str, (i64, &Analysis)> = members
        .iter()
        .map(|(key, id, a)| (id.as_str(), (*key, a)))
        .collect();
    let seeds = order_seeds(candidates.values(), &by_doc);
    let mut merger = Merger::new(constraints);
    for (members, reasons) in &seeds {
        merger.seed(members, reasons.clone());
    }
    for (_, id, analysis) in pending {
        merger.add(id, analysis);
    }
    let merged = merger.finish();
    let mut by_id: HashMap<&str, &Analysis> =
        members.iter().map(|(_, id, a)| (id.as_str(), a)).collect();
    for (_, id, a) in pending {
        by_id.entry(id.as_str()).or_insert(a);
    }
    (merged, by_id)
}

/// Seeds for a [`Merger`]: each stored incident as its member events and
/// merge reasons, in creation order (the position of its first event:
/// document key, then the event's place in its analysis). Incidents with a
/// source whose analysis is not stored (imported ones) are left out: they
/// are not derived from the stored events.
#[allow(clippy::type_complexity)]
fn order_seeds<'a, 'i>(
    incidents: impl Iterator<Item = &'i Incident>,
    by_doc: &HashMap<&'a str, (i64, &'a Analysis)>,
) -> Vec<(Vec<(&'a str, &'a Analysis, &'i str)>, Vec<String>)> {
    let mut seeds: Vec<(
        (i64, usize),
        Vec<(&'a str, &'a Analysis, &'i str)>,
        Vec<String>,
    )> = Vec::new();
    'incidents: for incident in incidents {
        let mut members = Vec::with_capacity(incident.sources.len());
        let mut first = None;
        for s in &incident.sources {
            let Some((doc_id, (key, analysis))) = by_doc.get_key_value(s.doc_id.as_str()) else {
                continue 'incidents;
            };
            let Some(pos) = analysis.events.iter().position(|e| e.id == s.event_id) else {
                continue 'incidents;
            };
            first.get_or_insert((*key, pos));
            members.push((*doc_id, *analysis, s.event_id.as_str()));
        }
        if let Some(first) = first {
            seeds.push((first, members, incident.merge_reasons.clone()));
        }
    }
    seeds.sort_by_key(|(first, _, _)| *first);
    seeds.into_iter().map(|(_, m, r)| (m, r)).collect()
}
