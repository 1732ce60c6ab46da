//! A [`Resolver`] backed by vigil's embedded gazetteer (`vigil-geo`) and
//! knowledge base (`vigil-extract`): place kinds (city, region, country),
//! admin-1 regions, country names and ISO alpha-3 codes, site coordinates
//! and armed groups' aliases. Feature `gazetteer`.

use std::sync::Arc;

use vigil_core::{EntityType, IncidentEntity};
use vigil_extract::kb::{Kb, KbError};
use vigil_geo::{Gazetteer, GeoError, Place};

use crate::resolve::{kind_from_prefix, PlaceInfo, Resolver};

/// Titles of stored documents, by document id (a store lookup).
pub type Titles = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// The embedded gazetteer and knowledge base, and optionally a title lookup.
pub struct Gazetteers {
    geo: Gazetteer,
    kb: Kb,
    titles: Option<Titles>,
}

/// The embedded data could not be parsed (a build defect).
#[derive(Debug, thiserror::Error)]
pub enum GazetteerError {
    #[error(transparent)]
    Geo(#[from] GeoError),
    #[error(transparent)]
    Kb(#[from] KbError),
}

impl Gazetteers {
    /// Parses the gazetteer and knowledge base embedded in the binary.
    pub fn embedded() -> Result<Self, GazetteerError> {
        Ok(Gazetteers {
            geo: Gazetteer::embedded()?,
            kb: Kb::embedded()?,
            titles: None,
        })
    }

    /// Names reports after the stored documents' titles.
    pub fn with_titles(mut self, titles: Titles) -> Self {
        self.titles = Some(titles);
        self
    }

    /// The gazetteer place an incident entity was linked to: the place of
    /// that name whose key or GeoNames id is the entity's, else one in the
    /// entity's country.
    fn gazetteer_place(&self, entity: &IncidentEntity) -> Option<&Place> {
        let kb = entity.kb_id.as_deref()?;
        let candidates = self.geo.lookup(&entity.name);
        let places = || candidates.iter().map(|&id| self.geo.place(id));
        let geonames = entity
            .geo
            .as_ref()
            .and_then(|g| g.geonames_id)
            .or_else(|| kb.strip_prefix("geonames:")?.parse().ok());
        places()
            .find(|p| p.key == kb)
            .or_else(|| places().find(|p| geonames.is_some() && p.geonames_id == geonames))
            .or_else(|| {
                let country = entity
                    .geo
                    .as_ref()
                    .map(|g| g.country.as_str())
                    .or_else(|| kb.strip_prefix("country:"))?;
                places().find(|p| p.country.eq_ignore_ascii_case(country))
            })
    }
}

impl Resolver for Gazetteers {
    fn kind(&self, entity: &IncidentEntity) -> Option<EntityType> {
        if let Some(record) = entity.kb_id.as_deref().and_then(|k| self.kb.get(k)) {
            return Some(record.kind);
        }
        if let Some(place) = self.gazetteer_place(entity) {
            return Some(place.kind.entity_type());
        }
        kind_from_prefix(entity)
    }

    fn place(&self, entity: &IncidentEntity) -> Option<PlaceInfo> {
        if let Some(record) = entity.kb_id.as_deref().and_then(|k| self.kb.get(k)) {
            if !record.kind.is_place() {
                return None;
            }
            return Some(PlaceInfo {
                kind: record.kind,
                lat: record.lat.or(entity.geo.as_ref().map(|g| g.lat)),
                lon: record.lon.or(entity.geo.as_ref().map(|g| g.lon)),
                country: record
                    .countries
                    .first()
                    .cloned()
                    .or_else(|| entity.geo.as_ref().map(|g| g.country.clone())),
                admin1: None,
            });
        }
        let place = self.gazetteer_place(entity)?;
        let kind = place.kind.entity_type();
        Some(PlaceInfo {
            kind,
            lat: entity.geo.as_ref().map(|g| g.lat).or(Some(place.lat)),
            lon: entity.geo.as_ref().map(|g| g.lon).or(Some(place.lon)),
            country: Some(place.country.clone()).filter(|c| !c.is_empty()),
            admin1: match kind {
                EntityType::Region => Some(place.name.clone()),
                EntityType::City => place.admin1.clone(),
                _ => None,
            },
        })
    }

    fn country_name(&self, iso2: &str) -> Option<String> {
        self.geo.country(iso2).map(|c| c.name.clone())
    }

    fn iso3(&self, iso2: &str) -> Option<String> {
        self.geo.country(iso2).map(|c| c.iso3.clone())
    }

    fn aliases(&self, kb_id: &str) -> Vec<String> {
        self.kb
            .get(kb_id)
            .map(|r| r.aliases.clone())
            .unwrap_or_default()
    }

    fn title(&self, doc_id: &str) -> Option<String> {
        self.titles.as_ref().and_then(|t| t(doc_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_core::Geo;

    fn place(name: &str, kb: &str, country: &str, geonames: Option<u64>) -> IncidentEntity {
        IncidentEntity {
            name: name.into(),
            kb_id: Some(kb.into()),
            geo: Some(Geo {
                lat: 0.0,
                lon: 0.0,
                country: country.into(),
                geonames_id: geonames,
                admin1: None,
            }),
        }
    }

    #[test]
    fn tells_cities_regions_and_countries_apart() -> Result<(), GazetteerError> {
        let g = Gazetteers::embedded()?;
        let kind = |e: &IncidentEntity| g.kind(e);
        assert_eq!(
            kind(&place("Brussels", "geonames:2800866", "BE", Some(2800866))),
            Some(EntityType::City)
        );
        assert_eq!(
            kind(&place("Germany", "geonames:2921044", "DE", Some(2921044))),
            Some(EntityType::Country)
        );
        assert_eq!(
            kind(&place("North Rhine-Westphalia", "country:DE", "DE", None)),
            Some(EntityType::Region)
        );
        let essen = g.place(&place("Essen", "geonames:2928810", "DE", Some(2928810)));
        assert_eq!(
            essen.and_then(|p| p.admin1).as_deref(),
            Some("North Rhine-Westphalia")
        );
        assert_eq!(g.country_name("BE").as_deref(), Some("Belgium"));
        assert_eq!(g.iso3("BE").as_deref(), Some("BEL"));
        assert!(!g.aliases("group:islamic-state-khorasan").is_empty());
        let taliban = IncidentEntity {
            name: "Taliban".into(),
            kb_id: Some("group:taliban".into()),
            geo: None,
        };
        assert_eq!(g.kind(&taliban), Some(EntityType::ArmedGroup));
        assert!(g.place(&taliban).is_none());
        Ok(())
    }
}
