//! Queries in the `vigil search` language, with `place:` terms resolved
//! against the gazetteer (country names and demonyms to ISO codes), as the
//! CLI does.

use std::sync::OnceLock;

use vigil_geo::Gazetteer;
use vigil_store::{search, Query};

use crate::error::ApiError;

static GAZETTEER: OnceLock<Option<Gazetteer>> = OnceLock::new();

/// The embedded gazetteer, loaded on first use; `None` (logged once) if it
/// cannot be parsed, in which case `place:` matches names and codes only.
pub fn gazetteer() -> Option<&'static Gazetteer> {
    GAZETTEER
        .get_or_init(|| match Gazetteer::embedded() {
            Ok(g) => Some(g),
            Err(err) => {
                tracing::error!("the embedded gazetteer does not load: {err}; place: terms match names and ISO codes only");
                None
            }
        })
        .as_ref()
}

/// Parses `text` and resolves its places; a malformed query is a
/// [`ApiError::BadRequest`] naming the position.
pub fn parse(text: &str) -> Result<Query, ApiError> {
    let mut query = search::parse(text).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    resolve_places(&mut query);
    Ok(query)
}

/// Adds the ISO code of every `place:` value naming a country (by name or
/// demonym).
pub fn resolve_places(query: &mut Query) {
    if query.places.is_empty() {
        return;
    }
    let Some(gazetteer) = gazetteer() else { return };
    for place in &mut query.places {
        let country = gazetteer
            .country_by_name(&place.value)
            .or_else(|| gazetteer.country_by_demonym(&place.value));
        if let Some(country) = country {
            if !place.countries.contains(&country.iso2) {
                place.countries.push(country.iso2.clone());
            }
        }
    }
}

/// `value` as one query term: bare when it is a plain word, else quoted
/// (a value holding a double quote cannot be expressed and is refused).
pub fn term(field: &str, value: &str) -> Result<String, ApiError> {
    let value = value.trim();
    if value.contains('"') {
        return Err(ApiError::BadRequest(format!(
            "the {field} filter may not contain a double quote"
        )));
    }
    if !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_alphanumeric() || "-_.:".contains(c))
    {
        Ok(format!("{field}:{value}"))
    } else {
        Ok(format!("{field}:\"{value}\""))
    }
}
