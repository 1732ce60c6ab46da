//! Country outlines for the map, from `data/world/countries-110m.tsv`
//! (Natural Earth 1:110m via the npm package world-atlas; see
//! `data/world/README.md`), embedded in the binary and parsed once.

use std::sync::OnceLock;

/// The embedded data file.
const COUNTRIES_TSV: &str = include_str!("../../../../data/world/countries-110m.tsv");

/// A malformed line in the world data file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("data/world/countries-110m.tsv line {line}: {what}; rebuild it with scripts/build-world-data.py")]
pub struct WorldError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub what: String,
}

/// One country: ISO code, name and outline rings in degrees.
#[derive(Debug, Clone, PartialEq)]
pub struct Country {
    /// ISO 3166-1 alpha-2 (`FR`, `XK`).
    pub iso2: String,
    /// Natural Earth short name.
    pub name: String,
    /// Outer rings and holes, each a list of `(lon, lat)`; draw them as one
    /// path with the even-odd fill rule.
    pub rings: Vec<Vec<(f64, f64)>>,
}

/// Every country of the data file, sorted by ISO code.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct World {
    /// The countries, sorted by `iso2`.
    pub countries: Vec<Country>,
}

impl World {
    /// Parses the TSV format described in `data/world/README.md`.
    pub fn parse(text: &str) -> Result<World, WorldError> {
        let mut countries = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line_no = index + 1;
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let err = |what: String| WorldError {
                line: line_no,
                what,
            };
            let cols: Vec<&str> = line.split('\t').collect();
            let [iso2, _numeric, name, rings] = cols[..] else {
                return Err(err(format!(
                    "expected 4 tab-separated columns, found {}",
                    cols.len()
                )));
            };
            if iso2.len() != 2 || !iso2.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(err(format!("`{iso2}` is not an ISO 3166-1 alpha-2 code")));
            }
            let mut parsed = Vec::new();
            for ring in rings.split('|').filter(|r| !r.is_empty()) {
                let mut points = Vec::new();
                for point in ring.split(' ') {
                    let parsed_point = point.split_once(',').and_then(|(lon, lat)| {
                        Some((lon.parse::<f64>().ok()?, lat.parse::<f64>().ok()?))
                    });
                    match parsed_point {
                        Some((lon, lat))
                            if (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat) =>
                        {
                            points.push((lon, lat))
                        }
                        _ => {
                            return Err(err(format!(
                                "bad point `{point}` (want `lon,lat` in degrees)"
                            )))
                        }
                    }
                }
                if points.len() < 3 {
                    return Err(err(format!("a ring of {iso2} has fewer than 3 points")));
                }
                parsed.push(points);
            }
            countries.push(Country {
                iso2: iso2.to_string(),
                name: name.to_string(),
                rings: parsed,
            });
        }
        countries.sort_by(|a, b| a.iso2.cmp(&b.iso2));
        Ok(World { countries })
    }

    /// The embedded world, parsed on first use. A parse error (a defect of
    /// the data file, caught by the unit tests) is logged once and yields an
    /// empty world: the map then shows markers without country shapes.
    pub fn embedded() -> &'static World {
        static WORLD: OnceLock<World> = OnceLock::new();
        WORLD.get_or_init(|| match World::parse(COUNTRIES_TSV) {
            Ok(world) => world,
            Err(err) => {
                tracing::error!("{err}");
                World::default()
            }
        })
    }

    /// The country with this ISO alpha-2 code.
    pub fn country(&self, iso2: &str) -> Option<&Country> {
        self.countries
            .binary_search_by(|c| c.iso2.as_str().cmp(iso2))
            .ok()
            .and_then(|i| self.countries.get(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_data_parses_and_has_the_big_countries() -> Result<(), WorldError> {
        let world = World::parse(COUNTRIES_TSV)?;
        assert!(world.countries.len() > 170, "{}", world.countries.len());
        for iso2 in ["FR", "US", "RU", "IQ", "AF", "XK", "NG", "BR"] {
            assert!(world.country(iso2).is_some(), "{iso2} missing");
        }
        // Paris lies inside France's bounding box, not Spain's.
        let bbox = |iso2: &str| {
            let c = world
                .country(iso2)
                .map(|c| c.rings.concat())
                .unwrap_or_default();
            let (mut x0, mut y0, mut x1, mut y1) = (180.0f64, 90.0f64, -180.0f64, -90.0f64);
            for (x, y) in c {
                x0 = x0.min(x);
                y0 = y0.min(y);
                x1 = x1.max(x);
                y1 = y1.max(y);
            }
            (x0, y0, x1, y1)
        };
        let inside = |b: (f64, f64, f64, f64), (x, y): (f64, f64)| {
            x >= b.0 && x <= b.2 && y >= b.1 && y <= b.3
        };
        let paris = (2.35, 48.86);
        // France's rings include French Guiana, so test metropolitan Paris
        // against Spain (must be outside) and Germany (outside).
        assert!(inside(bbox("FR"), paris));
        assert!(!inside(bbox("ES"), paris));
        assert!(!inside(bbox("DE"), paris));
        assert!(world.country("ZZ").is_none());
        Ok(())
    }

    #[test]
    fn no_ring_jumps_across_the_antimeridian() -> Result<(), WorldError> {
        // TopoJSON keeps rings crossing the 180th meridian whole; the build
        // script cuts them, otherwise a flat map draws a band across the world.
        let world = World::parse(COUNTRIES_TSV)?;
        for country in world.countries.iter().filter(|c| c.iso2 != "AQ") {
            for ring in &country.rings {
                let closed = ring.iter().zip(ring.iter().cycle().skip(1));
                for (a, b) in closed {
                    assert!((a.0 - b.0).abs() < 90.0, "{}: {a:?} -> {b:?}", country.iso2);
                }
            }
        }
        // Russia has land on both sides of the antimeridian (Chukotka).
        let russia = world
            .country("RU")
            .map(|c| c.rings.concat())
            .unwrap_or_default();
        assert!(russia.iter().any(|p| p.0 < -170.0) && russia.iter().any(|p| p.0 > 170.0));
        Ok(())
    }

    #[test]
    fn errors_name_the_line() {
        let bad = "#iso2\tnumeric\tname\trings\nFR\t250\tFrance\t1,2 3,4 5,x\n";
        let err = World::parse(bad).err();
        assert_eq!(err.as_ref().map(|e| e.line), Some(2));
        assert!(err
            .map(|e| e.to_string())
            .unwrap_or_default()
            .contains("5,x"));
        assert!(World::parse("fr\t1\tx\t1,1 2,2 3,3\n").is_err());
        assert!(World::parse("FR\t1\tx\n").is_err());
        assert!(World::parse("FR\t1\tx\t1,1 2,2\n").is_err());
        assert!(World::parse("FR\t1\tx\t1,1 2,2 200,3\n").is_err());
    }
}
