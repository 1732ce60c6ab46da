//! What the exporters need to know beyond an incident: the kind of each
//! entity, place details, country names, aliases and article titles.

use vigil_core::{EntityType, IncidentEntity};

/// A place as the exporters describe it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceInfo {
    /// Country, region, city or site.
    pub kind: EntityType,
    /// Latitude and longitude (WGS 84), when known.
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// ISO 3166-1 alpha-2 code of its country, when known.
    pub country: Option<String>,
    /// The first-level division it lies in (for a region, itself).
    pub admin1: Option<String>,
}

/// Answers what an incident alone does not say. Every method has a
/// default that needs no data; implementations override what they know.
pub trait Resolver: Send + Sync {
    /// The kind of an actor, target, victim or place. The default reads
    /// the knowledge-base id prefix ([`kind_from_prefix`]).
    fn kind(&self, entity: &IncidentEntity) -> Option<EntityType> {
        kind_from_prefix(entity)
    }

    /// Details of a place entity; `None` when it is not a place. The
    /// default uses [`Resolver::kind`] and the entity's own coordinates.
    fn place(&self, entity: &IncidentEntity) -> Option<PlaceInfo> {
        let kind = self.kind(entity).filter(|k| k.is_place())?;
        Some(PlaceInfo {
            kind,
            lat: entity.geo.as_ref().map(|g| g.lat),
            lon: entity.geo.as_ref().map(|g| g.lon),
            country: entity
                .geo
                .as_ref()
                .map(|g| g.country.clone())
                .or_else(|| country_of_key(entity)),
            admin1: (kind == EntityType::Region).then(|| entity.name.clone()),
        })
    }

    /// The English name of the country with this ISO 3166-1 alpha-2 code.
    fn country_name(&self, _iso2: &str) -> Option<String> {
        None
    }

    /// The ISO 3166-1 alpha-3 code of the country with this alpha-2 code.
    fn iso3(&self, _iso2: &str) -> Option<String> {
        None
    }

    /// Other names of a knowledge-base record (`group:islamic-state`).
    fn aliases(&self, _kb_id: &str) -> Vec<String> {
        Vec::new()
    }

    /// The title of a stored document.
    fn title(&self, _doc_id: &str) -> Option<String> {
        None
    }
}

/// The resolver that knows nothing beyond knowledge-base id prefixes.
#[derive(Debug, Clone, Copy, Default)]
pub struct KbPrefixes;

impl Resolver for KbPrefixes {}

/// The entity kind a knowledge-base id prefix implies: `group:` armed
/// group, `gov:` government body, `media:` outlet, `org:` organisation,
/// `site:` site, `event:` event, `country:` country, `region:` region,
/// `geonames:` city. Without a gazetteer this is a guess for places:
/// vigil links some regions to `country:XX` and countries to GeoNames ids;
/// [`crate::gazetteer::Gazetteers`] resolves them properly.
pub fn kind_from_prefix(entity: &IncidentEntity) -> Option<EntityType> {
    let kb = entity.kb_id.as_deref()?;
    let (prefix, _) = kb.split_once(':')?;
    Some(match prefix {
        "group" => EntityType::ArmedGroup,
        "gov" => EntityType::GovernmentBody,
        "media" => EntityType::MediaOutlet,
        "org" => EntityType::Organization,
        "site" => EntityType::Site,
        "event" => EntityType::Event,
        "country" => EntityType::Country,
        "region" => EntityType::Region,
        "geonames" => EntityType::City,
        _ => return None,
    })
}

/// The country code of a `country:XX` knowledge-base id.
fn country_of_key(entity: &IncidentEntity) -> Option<String> {
    let code = entity.kb_id.as_deref()?.strip_prefix("country:")?;
    (code.len() == 2 && code.bytes().all(|b| b.is_ascii_alphabetic()))
        .then(|| code.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity(name: &str, kb: Option<&str>) -> IncidentEntity {
        IncidentEntity {
            name: name.into(),
            kb_id: kb.map(str::to_string),
            geo: None,
        }
    }

    #[test]
    fn prefixes_give_kinds() {
        let k = |kb| kind_from_prefix(&entity("x", Some(kb)));
        assert_eq!(k("group:taliban"), Some(EntityType::ArmedGroup));
        assert_eq!(k("gov:ocam"), Some(EntityType::GovernmentBody));
        assert_eq!(k("media:reuters"), Some(EntityType::MediaOutlet));
        assert_eq!(k("geonames:2800866"), Some(EntityType::City));
        assert_eq!(k("nonsense"), None);
        assert_eq!(kind_from_prefix(&entity("gunmen", None)), None);
    }

    #[test]
    fn default_place_takes_the_country_from_the_key() {
        let p = KbPrefixes.place(&entity("Kenya", Some("country:ke")));
        assert_eq!(
            p.and_then(|p| p.country),
            Some("KE".to_string()),
            "country code from the kb id"
        );
        assert!(KbPrefixes
            .place(&entity("Taliban", Some("group:taliban")))
            .is_none());
    }
}
