//! Deterministic identifiers: UUIDv5 over stable content.
//!
//! A STIX id is `<type>--<UUIDv5(NAMESPACE, "<type>|<key>")>`, where the
//! key is stable content: a knowledge-base id, a normalised name, a vigil
//! incident id, a document id, or the ids a relationship joins. The same
//! thing exported twice gets the same id, so a later export updates what
//! an earlier one created. [`NAMESPACE`] is fixed forever: changing it
//! would duplicate every object in every platform that imported vigil's
//! exports.

use uuid::Uuid;

/// vigil's UUIDv5 namespace (a random UUIDv4 drawn once, never changed).
pub const NAMESPACE: Uuid = Uuid::from_u128(0x195e_6566_fc33_42c9_af90_e278_1ada_573e);

/// The UUIDv5 of `key` under [`NAMESPACE`].
pub fn uuid(key: &str) -> Uuid {
    Uuid::new_v5(&NAMESPACE, key.as_bytes())
}

/// A STIX identifier `<kind>--<uuid>` for `key`; the kind is part of the
/// hashed name, so two kinds never share a UUID.
pub fn stix_id(kind: &str, key: &str) -> String {
    format!("{kind}--{}", uuid(&format!("{kind}|{key}")))
}

/// A name reduced for identity: lower-cased words of letters and digits,
/// joined by single spaces ("The  Taliban!" → "the taliban").
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for word in name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_version_5_and_typed() {
        let a = stix_id("threat-actor", "group:taliban");
        assert_eq!(a, stix_id("threat-actor", "group:taliban"));
        assert_ne!(a, stix_id("identity", "group:taliban"));
        let uuid = a.strip_prefix("threat-actor--").unwrap_or_default();
        let parsed = Uuid::parse_str(uuid).map_err(|e| e.to_string());
        assert_eq!(parsed.map(|u| u.get_version_num()), Ok(5));
        // The namespace is part of the contract: pin one value.
        assert_eq!(
            stix_id("identity", "vigil"),
            format!("identity--{}", Uuid::new_v5(&NAMESPACE, b"identity|vigil"))
        );
        assert_eq!(
            NAMESPACE.to_string(),
            "195e6566-fc33-42c9-af90-e2781ada573e"
        );
    }

    #[test]
    fn normalize_folds_case_and_punctuation() {
        assert_eq!(normalize("  The  Taliban!"), "the taliban");
        assert_eq!(normalize("Al-Shabaab"), "al shabaab");
        assert_eq!(normalize("ÉTA"), "éta");
        assert_eq!(normalize("--"), "");
    }
}
