//! Statistics: incidents per day or week, by type, place or country.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use vigil_core::Incident;
use vigil_store::desk::DeskStore;
use vigil_store::StoreError;

use super::extract::Query as UrlQuery;
use super::incidents::Filters;
use crate::error::{ApiError, ApiResult};
use crate::{query, AppState};

/// How to bucket.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    /// `day` or `week` (ISO weeks, starting Monday). Default `day`.
    pub interval: Option<String>,
    /// `type`, `place` or `country`. Default `type`.
    pub by: Option<String>,
}

/// Bucket width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interval {
    Day,
    Week,
}

/// What counts are split by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    Type,
    Place,
    Country,
}

/// One period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Bucket {
    /// The first day of the period (`YYYY-MM-DD`).
    pub period: String,
    pub total: usize,
    /// Incidents per type, place or country.
    pub counts: BTreeMap<String, usize>,
}

/// Incident counts over time.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IncidentStats {
    pub query: String,
    /// `day` or `week`.
    pub interval: String,
    /// `type`, `place` or `country`.
    pub by: String,
    /// Periods with at least one incident, oldest first.
    pub buckets: Vec<Bucket>,
    /// Totals per type, place or country over every period.
    pub totals: BTreeMap<String, usize>,
    /// Incidents matching in all.
    pub total: usize,
    /// Incidents with neither a date nor a first sighting (not in any
    /// bucket).
    pub undated: usize,
}

/// The day an incident is counted on: its date (the first day of a
/// range), else the day it was first seen.
pub fn day(incident: &Incident) -> Option<NaiveDate> {
    incident
        .date
        .as_ref()
        .map(|d| d.start)
        .or_else(|| incident.first_seen.map(|t| t.date_naive()))
}

fn period(day: NaiveDate, interval: Interval) -> NaiveDate {
    match interval {
        Interval::Day => day,
        Interval::Week => {
            day - chrono::Duration::days(i64::from(day.weekday().num_days_from_monday()))
        }
    }
}

fn key(incident: &Incident, by: By) -> String {
    match by {
        By::Type => incident.kind.as_str().to_string(),
        By::Place => incident
            .location
            .as_ref()
            .map(|l| l.name.clone())
            .unwrap_or_else(|| "unknown".into()),
        By::Country => incident
            .location
            .as_ref()
            .and_then(|l| l.geo.as_ref())
            .map(|g| g.country.clone())
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| "unknown".into()),
    }
}

/// Counts the incidents matching `query`.
pub fn compute(
    store: &dyn DeskStore,
    text: &str,
    query: &vigil_store::Query,
    interval: Interval,
    by: By,
) -> Result<IncidentStats, StoreError> {
    let mut buckets: BTreeMap<NaiveDate, BTreeMap<String, usize>> = BTreeMap::new();
    let mut totals: BTreeMap<String, usize> = BTreeMap::new();
    let mut total = 0;
    let mut undated = 0;
    store.for_each_incident(query, &mut |incident| {
        total += 1;
        let k = key(&incident, by);
        *totals.entry(k.clone()).or_default() += 1;
        match day(&incident) {
            Some(d) => {
                *buckets
                    .entry(period(d, interval))
                    .or_default()
                    .entry(k)
                    .or_default() += 1
            }
            None => undated += 1,
        }
        Ok(())
    })?;
    Ok(IncidentStats {
        query: text.to_string(),
        interval: match interval {
            Interval::Day => "day",
            Interval::Week => "week",
        }
        .into(),
        by: match by {
            By::Type => "type",
            By::Place => "place",
            By::Country => "country",
        }
        .into(),
        buckets: buckets
            .into_iter()
            .map(|(d, counts)| Bucket {
                period: d.to_string(),
                total: counts.values().sum(),
                counts,
            })
            .collect(),
        totals,
        total,
        undated,
    })
}

/// Parses `interval` and `by`.
pub fn params(p: &StatsParams) -> Result<(Interval, By), ApiError> {
    let interval = match p.interval.as_deref().unwrap_or("day") {
        "day" => Interval::Day,
        "week" => Interval::Week,
        other => {
            return Err(ApiError::BadRequest(format!(
                "unknown interval {other:?}: use day or week"
            )))
        }
    };
    let by = match p.by.as_deref().unwrap_or("type") {
        "type" => By::Type,
        "place" => By::Place,
        "country" => By::Country,
        other => {
            return Err(ApiError::BadRequest(format!(
                "unknown by {other:?}: use type, place or country"
            )))
        }
    };
    Ok((interval, by))
}

/// Incidents per day or week, split by type, place or country, for the
/// incidents matching the filters.
#[utoipa::path(get, path = "/api/v1/stats/incidents", tag = "stats",
    params(Filters, StatsParams),
    responses((status = 200, description = "Counts per period", body = IncidentStats),
        (status = 400, description = "Malformed query, interval or by", body = crate::error::ErrorBody)))]
pub async fn handler(
    State(state): State<AppState>,
    UrlQuery(filters): UrlQuery<Filters>,
    UrlQuery(p): UrlQuery<StatsParams>,
) -> ApiResult<Response> {
    let text = filters.text()?;
    let parsed = query::parse(&text)?;
    let (interval, by) = params(&p)?;
    // A pass over the matching incidents: once per store state.
    let key = format!("api:stats:{interval:?}:{by:?}:{text}");
    state
        .cached_json(&key, move |s| compute(s, &text, &parsed, interval, by))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        // 2024-03-07 is a Thursday.
        assert_eq!(
            d("2024-03-07").map(|x| period(x, Interval::Week)),
            d("2024-03-04")
        );
        assert_eq!(
            d("2024-03-04").map(|x| period(x, Interval::Week)),
            d("2024-03-04")
        );
        assert_eq!(
            d("2024-03-10").map(|x| period(x, Interval::Week)),
            d("2024-03-04")
        );
        assert_eq!(
            d("2024-03-10").map(|x| period(x, Interval::Day)),
            d("2024-03-10")
        );
    }
}
