//! The actors a batch of documents names, tallied before a backend writes
//! them.

use std::collections::{HashMap, HashSet};

use vigil_core::Analysis;

use crate::{actor_key, json_str};

/// The corpus-wide actors named by a batch of documents, tallied in memory
/// so that each backend writes them with one upsert per actor (SQLite) or
/// one statement for all (PostgreSQL): the same rows as filing each
/// document's entities in turn (one count per actor and document; the
/// first name, kind and kb id seen; the first parent and geo given; the
/// earliest and latest sighting).
#[derive(Debug, Default)]
pub(crate) struct ActorTally {
    /// The actors in order of first appearance.
    pub(crate) order: Vec<TalliedActor>,
    by_key: HashMap<String, usize>,
    /// `(index in order, alias)`, each pair once.
    pub(crate) aliases: Vec<(usize, String)>,
    alias_seen: HashSet<(usize, String)>,
}

#[derive(Debug)]
pub(crate) struct TalliedActor {
    pub(crate) key: String,
    pub(crate) kind: String,
    pub(crate) name: String,
    pub(crate) kb_id: Option<String>,
    pub(crate) parent: Option<String>,
    pub(crate) geo: Option<String>,
    pub(crate) first_seen: String,
    pub(crate) last_seen: String,
    pub(crate) documents: i64,
}

impl ActorTally {
    /// Counts the entities of one document seen at `seen` (RFC 3339 text).
    pub(crate) fn add(&mut self, analysis: &Analysis, seen: &str) {
        let mut done: HashSet<&str> = HashSet::new();
        let mut keys: Vec<(String, &vigil_core::Entity)> = Vec::new();
        for entity in &analysis.entities {
            if let Some(key) = actor_key(entity) {
                keys.push((key, entity));
            }
        }
        for (key, entity) in &keys {
            if !done.insert(key.as_str()) {
                continue;
            }
            let i = match self.by_key.get(key.as_str()) {
                Some(&i) => {
                    let a = &mut self.order[i];
                    a.documents += 1;
                    if a.parent.is_none() {
                        a.parent.clone_from(&entity.parent);
                    }
                    if a.geo.is_none() {
                        a.geo = entity
                            .geo
                            .as_ref()
                            .and_then(|g| serde_json::to_string(g).ok());
                    }
                    if seen < a.first_seen.as_str() {
                        a.first_seen = seen.to_string();
                    }
                    if seen > a.last_seen.as_str() {
                        a.last_seen = seen.to_string();
                    }
                    i
                }
                None => {
                    let i = self.order.len();
                    self.order.push(TalliedActor {
                        key: key.clone(),
                        kind: json_str(&entity.kind),
                        name: entity.name.clone(),
                        kb_id: entity.kb_id.clone(),
                        parent: entity.parent.clone(),
                        geo: entity
                            .geo
                            .as_ref()
                            .and_then(|g| serde_json::to_string(g).ok()),
                        first_seen: seen.to_string(),
                        last_seen: seen.to_string(),
                        documents: 1,
                    });
                    self.by_key.insert(key.clone(), i);
                    i
                }
            };
            for name in std::iter::once(&entity.name).chain(&entity.aliases) {
                let name = name.trim();
                if !name.is_empty() && self.alias_seen.insert((i, name.to_string())) {
                    self.aliases.push((i, name.to_string()));
                }
            }
        }
    }
}
