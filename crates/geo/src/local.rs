//! Places too small for the [`Gazetteer`](crate::Gazetteer), looked up only
//! inside a country the text is already known to be about.
//!
//! The gazetteer holds cities of at least 15,000 people because, in open
//! text, a smaller place name is more often something else: a first name,
//! a common word, a hamlet of the same name in another country. Once a
//! story is known to be about Colombia, "Achi" or "Campanario" can safely
//! mean the Colombian places of that name: [`LocalPlaces::find`] answers
//! only for one given country.
//!
//! Data: `data/geo/local-places.tsv` (GeoNames places of at least 500
//! people that `cities.tsv` lacks, for the countries listed in
//! `scripts/build-geo-data.py`; same format as `cities.tsv`).
//!
//! ```
//! let local = vigil_geo::LocalPlaces::embedded().unwrap();
//! let achi = local.find("ACHI", "CO").unwrap();
//! assert_eq!((achi.name.as_str(), achi.admin1.as_deref()), ("Achí", Some("Bolívar")));
//! assert!(local.find("Achi", "PE").is_none());
//! ```

use std::collections::HashMap;
use std::path::Path;

use crate::{fold, load, GeoError, Place, PlaceId};

const EMBEDDED: &str = include_str!("../../../data/geo/local-places.tsv");

/// Small populated places by country, looked up by folded name.
#[derive(Debug, Clone, Default)]
pub struct LocalPlaces {
    places: Vec<Place>,
    /// (fold key, ISO2) → places, most populous first.
    by_name: HashMap<(String, String), Vec<PlaceId>>,
    /// Most words in any name or alias.
    max_words: usize,
    /// The first word of every name and alias (fold keys).
    first_words: std::collections::HashSet<String>,
}

impl LocalPlaces {
    /// Parses the data embedded in the binary at build time.
    pub fn embedded() -> Result<LocalPlaces, GeoError> {
        LocalPlaces::parse(EMBEDDED)
    }

    /// Reads `local-places.tsv` from `dir` (a copy of `data/geo/`).
    pub fn load_dir(dir: &Path) -> Result<LocalPlaces, GeoError> {
        let path = dir.join("local-places.tsv");
        let text =
            std::fs::read_to_string(&path).map_err(|source| GeoError::Io { path, source })?;
        LocalPlaces::parse(&text)
    }

    /// Parses text in the format of `local-places.tsv` (that of
    /// `cities.tsv`). Ids are indices into this list, unrelated to the
    /// gazetteer's.
    pub fn parse(text: &str) -> Result<LocalPlaces, GeoError> {
        let mut places = Vec::new();
        load::city_rows("local-places.tsv", text, &mut places)?;
        let mut by_name: HashMap<(String, String), Vec<PlaceId>> = HashMap::new();
        let mut max_words = 0;
        let mut first_words = std::collections::HashSet::new();
        for p in &places {
            for n in std::iter::once(&p.name).chain(&p.aliases) {
                let key = fold(n);
                if key.is_empty() {
                    continue;
                }
                max_words = max_words.max(key.split(' ').count());
                if let Some(first) = key.split(' ').next() {
                    first_words.insert(first.to_string());
                }
                let ids = by_name.entry((key, p.country.clone())).or_default();
                if !ids.contains(&p.id) {
                    ids.push(p.id);
                }
            }
        }
        for ids in by_name.values_mut() {
            ids.sort_by_key(|&id| std::cmp::Reverse(places[id as usize].population));
        }
        Ok(LocalPlaces {
            places,
            by_name,
            max_words,
            first_words,
        })
    }

    /// The most populous place called `name` (compared by [`fold`]) in the
    /// country `iso2` (ISO 3166-1 alpha-2, upper case).
    pub fn find(&self, name: &str, iso2: &str) -> Option<&Place> {
        let ids = self.by_name.get(&(fold(name), iso2.to_string()))?;
        ids.first().map(|&id| &self.places[id as usize])
    }

    /// Every place, by decreasing population.
    pub fn places(&self) -> &[Place] {
        &self.places
    }

    /// Whether some name begins with the word `word` (compared by
    /// [`fold`]): a quick test before trying n-grams that start with it.
    pub fn starts_name(&self, word: &str) -> bool {
        self.first_words.contains(&fold(word))
    }

    /// The most words in a place name, for callers that try word n-grams.
    pub fn max_words(&self) -> usize {
        self.max_words
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROWS: &str = "#geonames_id\tname\tascii\taliases\tcountry\tadmin1\tlat\tlon\tpopulation\n\
        1\tSan José de la Montaña\tSan Jose de la Montana\tMontaña\tCO\tAntioquia\t6.8\t-75.7\t3000\n\
        2\tSan José de la Montaña\t\t\tPE\t\t-6.1\t-77.1\t900\n\
        3\tLa Montaña\t\t\tCO\t\t4.1\t-74.1\t9000\n";

    #[test]
    fn finds_a_place_only_in_its_own_country() {
        let local = LocalPlaces::parse(ROWS).expect("test rows parse");
        let co = local
            .find("SAN JOSE DE LA MONTANA", "CO")
            .expect("found in CO");
        assert_eq!((co.geonames_id, co.country.as_str()), (Some(1), "CO"));
        assert_eq!(
            local
                .find("san josé de la montaña", "PE")
                .expect("found in PE")
                .geonames_id,
            Some(2)
        );
        assert!(local.find("San Jose de la Montana", "EC").is_none());
        let alias = local.find("montaña", "CO").expect("found by alias");
        assert_eq!(alias.geonames_id, Some(1));
        assert_eq!(local.max_words(), 5);
        assert!(local.starts_name("SAN") && local.starts_name("montaña"));
        assert!(!local.starts_name("jose"));
    }

    #[test]
    fn a_bad_row_names_file_and_line() {
        let bad = format!("{ROWS}4\tNowhere\t\t\tCO\t\tnorth\t1\t10\n");
        let err = LocalPlaces::parse(&bad)
            .expect_err("a bad latitude is an error")
            .to_string();
        assert!(err.starts_with("local-places.tsv:5:"), "{err}");
        assert!(err.contains("lat"), "{err}");
    }

    #[test]
    fn the_embedded_list_covers_the_muc4_countries() {
        let local = LocalPlaces::embedded().expect("embedded local places parse");
        assert!(local.places().len() > 1000);
        for cc in ["AR", "BO", "CL", "CO", "EC", "GT", "HN", "PE", "SV"] {
            assert!(
                local.places().iter().any(|p| p.country == cc),
                "no local places in {cc}"
            );
        }
    }
}
