//! Places: countries, regions and cities with coordinates.
//!
//! The [`Gazetteer`] is built from four small files in `data/geo/` of the
//! repository (see `data/geo/README.md` for their provenance and format):
//!
//! * `countries.tsv`: 250 countries and territories with ISO codes, English
//!   aliases ("UK", "Holland", "Türkiye") and demonyms ("Tajik", "Afghan");
//! * `regions.tsv`: GeoNames first-level divisions (states, provinces) plus
//!   hand-curated historical and geographic regions and continents
//!   ("Khorasan", "Sahel", "Gaza Strip", "Europe");
//! * `cities.tsv`: GeoNames cities with at least 15,000 inhabitants plus
//!   capitals, with a few English exonyms ("Cologne" for Köln);
//! * `ambiguous-names.txt`: place names that are also common English words
//!   or first names ("Of", "Reading", "Chad"), as fold keys.
//!
//! The files are embedded in the binary ([`Gazetteer::embedded`]) and can
//! also be read from a directory ([`Gazetteer::load_dir`]).
//!
//! Smaller places (GeoNames places of at least 500 people, for the
//! countries listed in `scripts/build-geo-data.py`) are kept apart in
//! [`LocalPlaces`] (`local-places.tsv`): they are looked up only inside a
//! country a text is already known to be about, never in open text.
//!
//! Every lookup goes through [`fold`], so "KÖLN", "Koln" and "köln" are the
//! same key.
//!
//! ```
//! let gaz = vigil_geo::Gazetteer::embedded().unwrap();
//! let id = gaz.resolve("Cologne", &[]).unwrap();
//! assert_eq!(gaz.place(id).country, "DE");
//! assert_eq!(gaz.country_by_demonym("Tajik").unwrap().iso2, "TJ");
//! ```

mod fold;
mod load;
mod local;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

pub use fold::fold;
use fold::fold_into;
pub use local::LocalPlaces;

/// Index of a place in [`Gazetteer::places`].
pub type PlaceId = u32;

/// What kind of place a [`Place`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlaceKind {
    /// A country or dependent territory with an ISO 3166-1 code.
    Country,
    /// A first-level division (state, province), a historical or
    /// geographic region, or a continent.
    Region,
    /// A populated place.
    City,
}

impl PlaceKind {
    /// The matching entity type of the shared domain model.
    pub fn entity_type(self) -> vigil_core::EntityType {
        match self {
            PlaceKind::Country => vigil_core::EntityType::Country,
            PlaceKind::Region => vigil_core::EntityType::Region,
            PlaceKind::City => vigil_core::EntityType::City,
        }
    }
}

/// One country, region or city.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// Its index in [`Gazetteer::places`].
    pub id: PlaceId,
    /// Country, region or city.
    pub kind: PlaceKind,
    /// Canonical (English where GeoNames has one) name.
    pub name: String,
    /// Other names: English aliases and exonyms, ASCII spellings, former
    /// names. Never contains `name` itself.
    pub aliases: Vec<String>,
    /// ISO 3166-1 alpha-2 code of the country the place is in (its own code
    /// for a country). For a region spanning several countries, the primary
    /// one; empty for continents and world regions ("Europe", "Middle East").
    pub country: String,
    /// Every country the place lies in (one for most places; several for
    /// regions like "Kurdistan"; none for continents).
    pub countries: Vec<String>,
    /// Name of the first-level division a city is in ("North
    /// Rhine-Westphalia"), when known.
    pub admin1: Option<String>,
    /// Latitude in decimal degrees (WGS 84).
    pub lat: f64,
    /// Longitude in decimal degrees (WGS 84).
    pub lon: f64,
    /// Inhabitants (for regions: the sum over their cities in the gazetteer;
    /// 0 when unknown).
    pub population: u64,
    /// GeoNames id of countries and cities.
    pub geonames_id: Option<u64>,
    /// Stable record key: `country:DE`, `region:DE.07`, `region:khorasan`,
    /// `geonames:2886242`. Used as [`vigil_core::Entity::kb_id`].
    pub key: String,
}

impl Place {
    /// True when the place lies in one of `countries` (ISO2 codes, any case).
    pub fn in_any(&self, countries: &[&str]) -> bool {
        self.countries
            .iter()
            .any(|c| countries.iter().any(|k| k.eq_ignore_ascii_case(c)))
    }
}

/// Country details beyond its [`Place`].
#[derive(Debug, Clone, PartialEq)]
pub struct Country {
    /// The country's place.
    pub place: PlaceId,
    /// ISO 3166-1 alpha-2 code ("DE").
    pub iso2: String,
    /// ISO 3166-1 alpha-3 code ("DEU").
    pub iso3: String,
    /// ISO 3166-1 numeric code as three digits ("276"), as used by Natural
    /// Earth / world-atlas geometries.
    pub numeric: String,
    /// Canonical English name ("Germany").
    pub name: String,
    /// Adjectives and nouns for its people ("German", "Afghan", "Briton").
    pub demonyms: Vec<String>,
    /// Name of the capital as GeoNames gives it (may be empty).
    pub capital: String,
}

/// Why the gazetteer could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum GeoError {
    /// A data file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A line of a data file is malformed.
    #[error("{file}:{line}: {message}")]
    Parse {
        /// File name ("cities.tsv").
        file: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// The four data files as text.
struct Sources<'a> {
    countries: &'a str,
    regions: &'a str,
    cities: &'a str,
    ambiguous: &'a str,
}

/// An in-memory gazetteer with lookups by folded name.
#[derive(Debug, Clone)]
pub struct Gazetteer {
    places: Vec<Place>,
    countries: Vec<Country>,
    by_iso2: HashMap<String, usize>,
    by_country_name: HashMap<String, usize>,
    by_demonym: HashMap<String, usize>,
    /// Fold key → places, best first.
    by_name: HashMap<String, Ids>,
    ambiguous: HashSet<String>,
}

const EMBEDDED: Sources<'static> = Sources {
    countries: include_str!("../../../data/geo/countries.tsv"),
    regions: include_str!("../../../data/geo/regions.tsv"),
    cities: include_str!("../../../data/geo/cities.tsv"),
    ambiguous: include_str!("../../../data/geo/ambiguous-names.txt"),
};

/// A city whose population is at least this fraction of the best candidate's
/// can win through the context-country rule of [`Gazetteer::resolve`].
const CONTEXT_CITY_RATIO: f64 = 0.1;

impl Gazetteer {
    /// Parses the data embedded in the binary at build time.
    pub fn embedded() -> Result<Gazetteer, GeoError> {
        Gazetteer::from_sources(&EMBEDDED)
    }

    /// Reads `countries.tsv`, `regions.tsv`, `cities.tsv` and
    /// `ambiguous-names.txt` from `dir` (a copy of `data/geo/`).
    pub fn load_dir(dir: &Path) -> Result<Gazetteer, GeoError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path).map_err(|source| GeoError::Io { path, source })
        };
        let countries = read("countries.tsv")?;
        let regions = read("regions.tsv")?;
        let cities = read("cities.tsv")?;
        let ambiguous = read("ambiguous-names.txt")?;
        Gazetteer::from_sources(&Sources {
            countries: &countries,
            regions: &regions,
            cities: &cities,
            ambiguous: &ambiguous,
        })
    }

    fn from_sources(src: &Sources<'_>) -> Result<Gazetteer, GeoError> {
        let mut places = Vec::with_capacity(40_000);
        let countries = load::countries(src.countries, &mut places)?;
        load::regions(src.regions, &mut places)?;
        load::cities(src.cities, &mut places)?;
        let ambiguous = load::ambiguous(src.ambiguous)?;

        let mut by_iso2 = HashMap::with_capacity(countries.len());
        let mut by_country_name = HashMap::new();
        let mut by_demonym = HashMap::new();
        for (i, c) in countries.iter().enumerate() {
            by_iso2.insert(c.iso2.clone(), i);
            let place = &places[c.place as usize];
            for n in std::iter::once(&place.name).chain(&place.aliases) {
                by_country_name.entry(fold(n)).or_insert(i);
            }
            for d in &c.demonyms {
                by_demonym.entry(fold(d)).or_insert(i);
            }
        }
        for p in &places {
            for cc in &p.countries {
                if !by_iso2.contains_key(cc) {
                    return Err(GeoError::Parse {
                        file: "regions.tsv".into(),
                        line: 0,
                        message: format!("place {} names unknown country {cc}", p.key),
                    });
                }
            }
        }

        let mut by_name: HashMap<String, Ids> = HashMap::with_capacity(places.len() * 2);
        let mut key = String::new();
        for p in &places {
            for n in std::iter::once(&p.name).chain(&p.aliases) {
                fold_into(n, &mut key);
                match by_name.get_mut(key.as_str()) {
                    Some(ids) => ids.push(p.id),
                    None => {
                        by_name.insert(key.clone(), Ids::One([p.id]));
                    }
                }
            }
        }
        for ids in by_name.values_mut() {
            if let Ids::Many(v) = ids {
                order_candidates(&places, v);
            }
        }
        Ok(Gazetteer {
            places,
            countries,
            by_iso2,
            by_country_name,
            by_demonym,
            by_name,
            ambiguous,
        })
    }

    /// The place with this id.
    ///
    /// # Panics
    ///
    /// When `id` did not come from this gazetteer.
    pub fn place(&self, id: PlaceId) -> &Place {
        &self.places[id as usize]
    }

    /// Every place: countries first, then regions, then cities by decreasing
    /// population. `places()[i].id == i`.
    pub fn places(&self) -> &[Place] {
        &self.places
    }

    /// Every country.
    pub fn countries(&self) -> &[Country] {
        &self.countries
    }

    /// Places with this name or alias (compared by [`fold`]), best first:
    /// countries; then hand-curated regions ("Gaza Strip" for "Gaza",
    /// "Khorasan"); then administrative regions by population; then cities by
    /// population. An administrative region yields to the most populous
    /// same-named city of its own country ("Kabul" the city comes before
    /// Kabul province).
    pub fn lookup(&self, name: &str) -> &[PlaceId] {
        self.by_name
            .get(&fold(name))
            .map(Ids::as_slice)
            .unwrap_or(&[])
    }

    /// The country with this ISO 3166-1 alpha-2 code (case-insensitive).
    pub fn country(&self, iso2: &str) -> Option<&Country> {
        let i = self
            .by_iso2
            .get(iso2)
            .or_else(|| self.by_iso2.get(&iso2.to_ascii_uppercase()))?;
        self.countries.get(*i)
    }

    /// The country of a place (for a country, itself).
    pub fn country_of(&self, id: PlaceId) -> Option<&Country> {
        self.country(&self.place(id).country)
    }

    /// The country with this name or alias ("Britain", "U.S.", "Türkiye").
    pub fn country_by_name(&self, name: &str) -> Option<&Country> {
        self.by_country_name
            .get(&fold(name))
            .and_then(|&i| self.countries.get(i))
    }

    /// The country whose people this word names: "Tajik" → TJ, "Afghan" →
    /// AF, "Briton" → GB. A plain plural is accepted ("Afghans", "Tajiks");
    /// compounds are not ("Russian-speaking" → `None`).
    pub fn country_by_demonym(&self, word: &str) -> Option<&Country> {
        let key = fold(word);
        let i = self.by_demonym.get(&key).or_else(|| {
            let stem = key.strip_suffix('s')?;
            self.by_demonym.get(stem)
        })?;
        self.countries.get(*i)
    }

    /// Every name and alias of every place, for building matchers. A name
    /// shared by several places appears once per place.
    pub fn names(&self) -> impl Iterator<Item = (&str, PlaceId)> {
        self.places.iter().flat_map(|p| {
            std::iter::once(p.name.as_str())
                .chain(p.aliases.iter().map(String::as_str))
                .map(move |n| (n, p.id))
        })
    }

    /// Every demonym with its country.
    pub fn demonyms(&self) -> impl Iterator<Item = (&str, &Country)> {
        self.countries
            .iter()
            .flat_map(|c| c.demonyms.iter().map(move |d| (d.as_str(), c)))
    }

    /// True when a place called `name` is also a common English word or
    /// first name ("Of", "Reading", "Nice", "Chad", "US"): a matcher should
    /// want strong evidence (capitalisation mid-sentence, "in"/"near" before
    /// it, a country next to it) before taking it as a place.
    pub fn is_ambiguous_name(&self, name: &str) -> bool {
        self.ambiguous.contains(&fold(name))
    }

    /// Coordinates and country of a place.
    pub fn geo(&self, id: PlaceId) -> vigil_core::Geo {
        let p = self.place(id);
        vigil_core::Geo {
            lat: p.lat,
            lon: p.lon,
            country: p.country.clone(),
            geonames_id: p.geonames_id,
            admin1: p.admin1.clone(),
        }
    }

    /// Picks the place a name most likely means, given the ISO2 codes of
    /// countries already mentioned in the document.
    ///
    /// The rule:
    ///
    /// 1. Candidates are [`Gazetteer::lookup`] (countries, then regions, then
    ///    cities by population); the first is the default.
    /// 2. A candidate lying in a context country (any of its
    ///    [`Place::countries`]) replaces the default when it is a country or
    ///    region, or a city with at least a tenth of the default's population
    ///    (the default itself wins when it is in a context country too).
    ///    So with context `["US"]`, "Georgia" is the US state and
    ///    "Birmingham" the Alabama city, but "Paris" stays in France: Paris,
    ///    Texas has about 1% of the population of Paris.
    /// 3. No candidate: `None`.
    pub fn resolve(&self, name: &str, context_countries: &[&str]) -> Option<PlaceId> {
        let ids = self.lookup(name);
        let &default = ids.first()?;
        let in_context = |p: &Place| p.in_any(context_countries);
        let best = self.place(default);
        if in_context(best) {
            return Some(default);
        }
        ids.iter()
            .copied()
            .find(|&id| {
                let p = self.place(id);
                in_context(p)
                    && match p.kind {
                        PlaceKind::Country | PlaceKind::Region => true,
                        PlaceKind::City => {
                            p.population as f64 >= best.population as f64 * CONTEXT_CITY_RATIO
                        }
                    }
            })
            .or(Some(default))
    }

    /// The administrative region a name means when a region word follows
    /// it ("Bolivar department", "the Kaluga region"): of the regions so
    /// named, the first lying in a context country, else the most populous.
    pub fn resolve_region(&self, name: &str, context_countries: &[&str]) -> Option<PlaceId> {
        let regions = || {
            self.lookup(name)
                .iter()
                .copied()
                .filter(|&id| self.place(id).kind == PlaceKind::Region)
        };
        regions()
            .find(|&id| self.place(id).in_any(context_countries))
            .or_else(|| regions().next())
    }
}

/// The places sharing one fold key; most keys name a single place, which
/// is stored without a heap allocation.
#[derive(Debug, Clone)]
enum Ids {
    One([PlaceId; 1]),
    Many(Vec<PlaceId>),
}

impl Ids {
    fn as_slice(&self) -> &[PlaceId] {
        match self {
            Ids::One(a) => a,
            Ids::Many(v) => v,
        }
    }

    /// Adds a place unless it is already there.
    fn push(&mut self, id: PlaceId) {
        match self {
            Ids::One([a]) if *a == id => {}
            Ids::One([a]) => *self = Ids::Many(vec![*a, id]),
            Ids::Many(v) if v.contains(&id) => {}
            Ids::Many(v) => v.push(id),
        }
    }
}

/// Orders the places sharing one name: see [`Gazetteer::lookup`].
fn order_candidates(places: &[Place], ids: &mut Vec<PlaceId>) {
    if ids.len() < 2 {
        return;
    }
    let rank = |p: &Place| match p.kind {
        PlaceKind::Country => 0u8,
        PlaceKind::Region if !load::is_admin1_key(&p.key) => 1,
        PlaceKind::Region => 2,
        PlaceKind::City => 3,
    };
    ids.sort_by(|&a, &b| {
        let (pa, pb) = (&places[a as usize], &places[b as usize]);
        rank(pa)
            .cmp(&rank(pb))
            .then(pb.population.cmp(&pa.population))
            .then(a.cmp(&b))
    });
    // An admin1 region yields to the biggest same-named city of its country.
    let mut i = 0;
    while i < ids.len() {
        let r = &places[ids[i] as usize];
        if r.kind == PlaceKind::Region && load::is_admin1_key(&r.key) {
            if let Some(j) = ids.iter().position(|&c| {
                let c = &places[c as usize];
                c.kind == PlaceKind::City && c.country == r.country
            }) {
                if j > i {
                    let city = ids.remove(j);
                    ids.insert(i, city);
                    i += 1;
                }
            }
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests;
