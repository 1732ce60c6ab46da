//! Parsers for the data files. Every malformed line is an error naming the
//! file and the line.

use std::collections::HashSet;

use crate::{Country, GeoError, Place, PlaceId, PlaceKind};

/// True for keys of GeoNames first-level divisions (`region:DE.07`), as
/// opposed to hand-curated regions (`region:khorasan`).
pub(crate) fn is_admin1_key(key: &str) -> bool {
    key.strip_prefix("region:").is_some_and(|k| k.contains('.'))
}

/// The most fields a data line has.
const MAX_FIELDS: usize = 11;

/// One data line: its number and its tab-separated fields.
struct Line<'a> {
    file: &'static str,
    number: usize,
    fields: [&'a str; MAX_FIELDS],
    len: usize,
}

impl<'a> Line<'a> {
    fn err(&self, message: impl Into<String>) -> GeoError {
        GeoError::Parse {
            file: self.file.to_string(),
            line: self.number,
            message: message.into(),
        }
    }

    fn get(&self, i: usize) -> &'a str {
        if i < self.len {
            self.fields[i]
        } else {
            ""
        }
    }

    fn required(&self, i: usize, what: &str) -> Result<&'a str, GeoError> {
        let v = self.get(i).trim();
        if v.is_empty() {
            Err(self.err(format!("empty {what}")))
        } else {
            Ok(v)
        }
    }

    fn float(&self, i: usize, what: &str, range: f64) -> Result<f64, GeoError> {
        let v = self.required(i, what)?;
        let x: f64 = v
            .parse()
            .map_err(|_| self.err(format!("{what} {v:?} is not a number")))?;
        if !x.is_finite() || x.abs() > range {
            return Err(self.err(format!("{what} {x} out of range")));
        }
        Ok(x)
    }

    fn int(&self, i: usize, what: &str) -> Result<u64, GeoError> {
        let v = self.required(i, what)?;
        v.parse()
            .map_err(|_| self.err(format!("{what} {v:?} is not a non-negative integer")))
    }

    fn opt_int(&self, i: usize, what: &str) -> Result<Option<u64>, GeoError> {
        if self.get(i).trim().is_empty() {
            Ok(None)
        } else {
            self.int(i, what).map(Some)
        }
    }

    fn list(&self, i: usize) -> Vec<String> {
        self.get(i)
            .split('|')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }
}

/// The data lines of a file, checked to have exactly `ncols` fields.
fn lines<'a>(
    file: &'static str,
    text: &'a str,
    ncols: usize,
) -> impl Iterator<Item = Result<Line<'a>, GeoError>> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .map(move |(i, l)| {
            let mut line = Line {
                file,
                number: i + 1,
                fields: [""; MAX_FIELDS],
                len: 0,
            };
            for f in l.split('\t') {
                if line.len < MAX_FIELDS {
                    line.fields[line.len] = f;
                }
                line.len += 1;
            }
            if line.len == ncols {
                Ok(line)
            } else {
                Err(line.err(format!(
                    "expected {ncols} tab-separated fields, found {}",
                    line.len
                )))
            }
        })
}

fn next_id(places: &[Place], line: &Line<'_>) -> Result<PlaceId, GeoError> {
    PlaceId::try_from(places.len()).map_err(|_| line.err("too many places"))
}

/// Aliases without the name itself and without repeats.
fn dedup_aliases(name: &str, aliases: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(aliases.len());
    for a in aliases {
        if a != name && !out.contains(&a) {
            out.push(a);
        }
    }
    out
}

/// `countries.tsv`: iso2 iso3 numeric name aliases demonyms capital lat lon
/// population geonames_id.
pub(crate) fn countries(text: &str, places: &mut Vec<Place>) -> Result<Vec<Country>, GeoError> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for line in lines("countries.tsv", text, 11) {
        let line = line?;
        let iso2 = line.required(0, "iso2")?;
        if iso2.len() != 2 || !iso2.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(line.err(format!("iso2 {iso2:?} is not two capital letters")));
        }
        if !seen.insert(iso2.to_string()) {
            return Err(line.err(format!("duplicate country {iso2}")));
        }
        let name = line.required(3, "name")?.to_string();
        let id = next_id(places, &line)?;
        places.push(Place {
            id,
            kind: PlaceKind::Country,
            aliases: dedup_aliases(&name, line.list(4)),
            name: name.clone(),
            country: iso2.to_string(),
            countries: vec![iso2.to_string()],
            admin1: None,
            lat: line.float(7, "lat", 90.0)?,
            lon: line.float(8, "lon", 180.0)?,
            population: line.int(9, "population")?,
            geonames_id: line.opt_int(10, "geonames_id")?,
            key: format!("country:{iso2}"),
        });
        out.push(Country {
            place: id,
            iso2: iso2.to_string(),
            iso3: line.required(1, "iso3")?.to_string(),
            numeric: line.required(2, "numeric")?.to_string(),
            name,
            demonyms: line.list(5),
            capital: line.get(6).trim().to_string(),
        });
    }
    if out.is_empty() {
        return Err(GeoError::Parse {
            file: "countries.tsv".into(),
            line: 0,
            message: "no countries".into(),
        });
    }
    Ok(out)
}

/// `regions.tsv`: key name aliases country countries lat lon population
/// geonames_id.
pub(crate) fn regions(text: &str, places: &mut Vec<Place>) -> Result<(), GeoError> {
    for line in lines("regions.tsv", text, 9) {
        let line = line?;
        let key = line.required(0, "key")?;
        let name = line.required(1, "name")?.to_string();
        let id = next_id(places, &line)?;
        places.push(Place {
            id,
            kind: PlaceKind::Region,
            aliases: dedup_aliases(&name, line.list(2)),
            name,
            country: line.get(3).trim().to_string(),
            countries: line.list(4),
            admin1: None,
            lat: line.float(5, "lat", 90.0)?,
            lon: line.float(6, "lon", 180.0)?,
            population: line.int(7, "population")?,
            geonames_id: line.opt_int(8, "geonames_id")?,
            key: format!("region:{key}"),
        });
    }
    Ok(())
}

/// `cities.tsv`: geonames_id name ascii aliases country admin1 lat lon
/// population. The ASCII spelling, when given, becomes the first alias.
pub(crate) fn cities(text: &str, places: &mut Vec<Place>) -> Result<(), GeoError> {
    city_rows("cities.tsv", text, places)
}

/// Rows in the format of `cities.tsv` from the file named `file` (for
/// error messages): `cities.tsv` itself or `local-places.tsv`.
pub(crate) fn city_rows(
    file: &'static str,
    text: &str,
    places: &mut Vec<Place>,
) -> Result<(), GeoError> {
    for line in lines(file, text, 9) {
        let line = line?;
        let gid = line.int(0, "geonames_id")?;
        let name = line.required(1, "name")?.to_string();
        let mut aliases = Vec::new();
        let ascii = line.get(2).trim();
        if !ascii.is_empty() {
            aliases.push(ascii.to_string());
        }
        aliases.extend(line.list(3));
        let country = line.required(4, "country")?.to_string();
        let admin1 = line.get(5).trim();
        let id = next_id(places, &line)?;
        places.push(Place {
            id,
            kind: PlaceKind::City,
            aliases: dedup_aliases(&name, aliases),
            name,
            countries: vec![country.clone()],
            country,
            admin1: (!admin1.is_empty()).then(|| admin1.to_string()),
            lat: line.float(6, "lat", 90.0)?,
            lon: line.float(7, "lon", 180.0)?,
            population: line.int(8, "population")?,
            geonames_id: Some(gid),
            key: format!("geonames:{gid}"),
        });
    }
    Ok(())
}

/// `ambiguous-names.txt`: fold key, tab, reason.
pub(crate) fn ambiguous(text: &str) -> Result<HashSet<String>, GeoError> {
    let mut out = HashSet::new();
    for line in lines("ambiguous-names.txt", text, 2) {
        let line = line?;
        let key = line.required(0, "name")?;
        if crate::fold(key) != key {
            return Err(line.err(format!("{key:?} is not a fold key")));
        }
        out.insert(key.to_string());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error<T>(r: Result<T, GeoError>) -> String {
        match r {
            Ok(_) => panic!("malformed input was accepted"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn malformed_lines_name_file_and_line() {
        let mut places = Vec::new();
        let err = error(cities(
            "#header\n1\tX\t\t\tDE\t\t50\tnot-a-number\t10\n",
            &mut places,
        ));
        assert_eq!(err, "cities.tsv:2: lon \"not-a-number\" is not a number");
        let err = error(cities("1\tX\tDE\n", &mut places));
        assert!(err.starts_with("cities.tsv:1: expected 9"), "{err}");
        let err = error(countries(
            "#h\nD\tDEU\t276\tGermany\t\t\t\t0\t0\t0\t\n",
            &mut places,
        ));
        assert!(err.contains("two capital letters"), "{err}");
        let err = error(ambiguous("Of\tword\n"));
        assert!(err.contains("not a fold key"), "{err}");
        let err = error(regions("k\tName\t\t\t\t91\t0\t0\t\n", &mut places));
        assert!(err.contains("out of range"), "{err}");
    }
}
