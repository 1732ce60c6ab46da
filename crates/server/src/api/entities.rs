//! Actor and place profiles.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::response::Response;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use vigil_core::{EntityType, EventType, Incident};
use vigil_store::desk::DeskStore;
use vigil_store::{Actor, ActorFilter, Hit, Page, Sort, StoreError};

use super::extract::Query as UrlQuery;
use crate::error::{ApiError, ApiResult};
use crate::{query, AppState, Db, Rendered};

/// Filters of `/actors` and `/places`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActorParams {
    /// Entity types, comma-separated (`ARMED_GROUP,PERSON`; for `/places`:
    /// `COUNTRY,REGION,CITY,SITE`).
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub kind: Option<String>,
    /// Only names or aliases containing this (case-insensitive).
    pub name: Option<String>,
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// One page of actors.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActorPage {
    /// Actors, most documents first: key, type, name, kb_id, aliases,
    /// parent, geo, first_seen, last_seen, documents, incidents.
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Actor>,
    pub next_cursor: Option<String>,
}

fn kinds(text: Option<&str>, allowed: &[EntityType]) -> Result<Vec<EntityType>, ApiError> {
    let mut out = Vec::new();
    for v in text.iter().flat_map(|t| t.split(',')) {
        let v = v.trim();
        if v.is_empty() {
            continue;
        }
        let kind = allowed
            .iter()
            .copied()
            .find(|k| k.as_str().eq_ignore_ascii_case(v))
            .ok_or_else(|| {
                ApiError::BadRequest(format!(
                    "unknown type {v:?}: use {}",
                    allowed
                        .iter()
                        .map(|k| k.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
        out.push(kind);
    }
    if out.is_empty() && allowed.len() < EntityType::ALL.len() {
        out = allowed.to_vec();
    }
    Ok(out)
}

const PLACE_TYPES: [EntityType; 4] = [
    EntityType::Country,
    EntityType::Region,
    EntityType::City,
    EntityType::Site,
];

fn actor_page(
    state: &AppState,
    params: ActorParams,
    allowed: &'static [EntityType],
) -> impl std::future::Future<Output = ApiResult<ActorPage>> + Send + 'static {
    let state = state.clone();
    async move {
        let kinds = kinds(params.kind.as_deref(), allowed)?;
        let name = params
            .name
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty());
        let key = format!("{kinds:?}|{name:?}");
        let offset = super::offset(params.cursor.as_deref(), &key)?;
        let limit = super::limit(params.limit, 50, 200)?;
        let filter = ActorFilter {
            kinds,
            name,
            offset,
            // One more tells whether there is a next page.
            limit: limit + 1,
        };
        let mut items = state.db.read(move |s| s.actors(&filter)).await?;
        let more = items.len() > limit;
        items.truncate(limit);
        Ok(ActorPage {
            items,
            next_cursor: more.then(|| super::cursor(offset + limit, &key)),
        })
    }
}

/// List actors (armed groups, people, organisations, places…), most
/// documents first.
#[utoipa::path(get, path = "/api/v1/actors", tag = "entities",
    params(ActorParams),
    responses((status = 200, description = "One page of actors", body = ActorPage),
        (status = 400, description = "Unknown type, bad limit or cursor", body = crate::error::ErrorBody)))]
pub async fn actors_handler(
    State(state): State<AppState>,
    UrlQuery(params): UrlQuery<ActorParams>,
) -> ApiResult<Json<ActorPage>> {
    Ok(Json(actor_page(&state, params, &EntityType::ALL).await?))
}

/// List places (countries, regions, cities, sites), most documents first.
#[utoipa::path(get, path = "/api/v1/places", tag = "entities",
    params(ActorParams),
    responses((status = 200, description = "One page of places", body = ActorPage),
        (status = 400, description = "Unknown type, bad limit or cursor", body = crate::error::ErrorBody)))]
pub async fn places_handler(
    State(state): State<AppState>,
    UrlQuery(params): UrlQuery<ActorParams>,
) -> ApiResult<Json<ActorPage>> {
    Ok(Json(actor_page(&state, params, &PLACE_TYPES).await?))
}

/// Incidents per month and type.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MonthCount {
    /// `YYYY-MM`.
    pub month: String,
    /// Incidents per type that month.
    pub counts: BTreeMap<String, usize>,
}

/// An actor's profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActorProfile {
    /// The actor record (aliases, parent, first/last seen, counts).
    #[schema(value_type = Object)]
    pub actor: Actor,
    /// The query term selecting its incidents (`actor:"…"`).
    pub query: String,
    /// Its incidents over time (by the incident's date, else first seen).
    pub timeline: Vec<MonthCount>,
    /// Its incidents per type (attacks, plots, arrests, warnings…).
    pub by_type: BTreeMap<String, usize>,
    /// Places of its incidents, most frequent first (at most 50).
    pub places: Vec<PlaceCount>,
    /// The 20 most recent incidents.
    #[schema(value_type = Vec<Object>)]
    pub recent: Vec<Hit>,
}

/// Month of an incident (its date, else its first sighting).
pub fn month(incident: &Incident) -> Option<String> {
    incident
        .date
        .as_ref()
        .map(|d| d.start)
        .or_else(|| incident.first_seen.map(|t| t.date_naive()))
        .map(|d| d.format("%Y-%m").to_string())
}

/// A place and how many incidents happened there.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlaceCount {
    pub name: String,
    pub incidents: usize,
}

struct Profile {
    timeline: Vec<MonthCount>,
    by_type: BTreeMap<String, usize>,
    places: Vec<PlaceCount>,
    recent: Vec<Hit>,
}

fn profile(
    store: &dyn DeskStore,
    query: &vigil_store::Query,
    only: Option<EventType>,
) -> Result<Profile, StoreError> {
    let mut months: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    let mut by_type: BTreeMap<String, usize> = BTreeMap::new();
    let mut places: BTreeMap<String, usize> = BTreeMap::new();
    store.for_each_incident(query, &mut |incident| {
        if only.is_some_and(|k| k != incident.kind) {
            return Ok(());
        }
        let kind = incident.kind.as_str().to_string();
        *by_type.entry(kind.clone()).or_default() += 1;
        if let Some(m) = month(&incident) {
            *months.entry(m).or_default().entry(kind).or_default() += 1;
        }
        if let Some(place) = &incident.location {
            *places.entry(place.name.clone()).or_default() += 1;
        }
        Ok(())
    })?;
    let mut places: Vec<PlaceCount> = places
        .into_iter()
        .map(|(name, incidents)| PlaceCount { name, incidents })
        .collect();
    places.sort_by(|a, b| {
        b.incidents
            .cmp(&a.incidents)
            .then_with(|| a.name.cmp(&b.name))
    });
    places.truncate(50);
    let recent = store
        .search(
            query,
            &Page {
                offset: 0,
                limit: 20,
                sort: Sort::Recent,
            },
        )?
        .hits;
    Ok(Profile {
        timeline: months
            .into_iter()
            .map(|(month, counts)| MonthCount { month, counts })
            .collect(),
        by_type,
        places,
        recent,
    })
}

/// An actor's profile: aliases, parent, first and last seen, its incidents
/// over time and by type, their places, the latest incidents.
#[utoipa::path(get, path = "/api/v1/actors/{key}", tag = "entities",
    params(("key" = String, Path, description = "The actor key (`group:islamic-state-khorasan`, `person:john smith`)")),
    responses((status = 200, description = "The profile", body = ActorProfile),
        (status = 404, description = "No such actor", body = crate::error::ErrorBody)))]
pub async fn actor_handler(
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> ApiResult<Response> {
    // A pass over the actor's incidents: once per store state.
    let db = state.db.clone();
    let rendered = state
        .cached(&format!("api:actor:{key}"), || async move {
            Rendered::json(&actor_profile(&db, key).await?)
        })
        .await?;
    Ok(rendered.json_response())
}

async fn actor_profile(db: &Db, key: String) -> ApiResult<ActorProfile> {
    let k = key.clone();
    let Some(actor) = db.read(move |s| s.actor(&k)).await? else {
        return Err(ApiError::NotFound(format!("actor {key:?}")));
    };
    let field = if actor.kind.is_place() {
        "place"
    } else {
        "actor"
    };
    let value = actor.kb_id.clone().unwrap_or_else(|| actor.name.clone());
    let term = query::term(field, &value.replace('"', ""))?;
    let parsed = query::parse(&term)?;
    let p = db.read(move |s| profile(s, &parsed, None)).await?;
    Ok(ActorProfile {
        actor,
        query: term,
        timeline: p.timeline,
        by_type: p.by_type,
        places: p.places,
        recent: p.recent,
    })
}

/// A place's profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlaceProfile {
    /// The place as asked.
    pub name: String,
    /// The stored place record, when one has this name or key.
    #[schema(value_type = Option<Object>)]
    pub actor: Option<Actor>,
    /// The query term selecting its incidents (`place:"…"`).
    pub query: String,
    pub timeline: Vec<MonthCount>,
    pub by_type: BTreeMap<String, usize>,
    /// The 20 most recent incidents there.
    #[schema(value_type = Vec<Object>)]
    pub recent: Vec<Hit>,
    /// The 20 most recent warnings naming it.
    #[schema(value_type = Vec<Object>)]
    pub warnings: Vec<Hit>,
}

/// A place's profile (by name, country name, ISO code or place key): its
/// incidents over time and by type, the latest incidents and warnings.
#[utoipa::path(get, path = "/api/v1/places/{name}", tag = "entities",
    params(("name" = String, Path, description = "A place name (`Paris`), country (`France`, `FR`) or key (`geonames:2988507`)")),
    responses((status = 200, description = "The profile", body = PlaceProfile),
        (status = 404, description = "No stored place and no incident there", body = crate::error::ErrorBody)))]
pub async fn place_handler(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> ApiResult<Response> {
    let name = name.trim().to_string();
    if name.is_empty() || name.contains('"') {
        return Err(ApiError::BadRequest("invalid place name".into()));
    }
    // A pass over the place's incidents: once per store state.
    let db = state.db.clone();
    let rendered = state
        .cached(&format!("api:place:{name}"), || async move {
            Rendered::json(&place_profile(&db, name).await?)
        })
        .await?;
    Ok(rendered.json_response())
}

async fn place_profile(db: &Db, name: String) -> ApiResult<PlaceProfile> {
    let key = name.clone();
    let actor = db
        .read(move |s| {
            if let Some(a) = s.actor(&key)? {
                return Ok(Some(a));
            }
            let found = s.actors(&ActorFilter {
                kinds: PLACE_TYPES.to_vec(),
                name: Some(key.clone()),
                offset: 0,
                limit: 50,
            })?;
            Ok(found
                .into_iter()
                .find(|a| a.name.eq_ignore_ascii_case(&key)))
        })
        .await?;
    let value = actor
        .as_ref()
        .map(|a| a.name.clone())
        .unwrap_or_else(|| name.clone());
    let term = query::term("place", &value)?;
    let parsed = query::parse(&term)?;
    let warnings_query = query::parse(&format!("{term} type:warning"))?;
    let p = db
        .read(move |s| {
            let p = profile(s, &parsed, None)?;
            let warnings = s
                .search(
                    &warnings_query,
                    &Page {
                        offset: 0,
                        limit: 20,
                        sort: Sort::Recent,
                    },
                )?
                .hits;
            Ok((p, warnings))
        })
        .await?;
    let (p, warnings) = p;
    if actor.is_none() && p.by_type.is_empty() {
        return Err(ApiError::NotFound(format!("place {name:?}")));
    }
    Ok(PlaceProfile {
        name,
        actor,
        query: term,
        timeline: p.timeline,
        by_type: p.by_type,
        recent: p.recent,
        warnings,
    })
}
