//! GeoJSON (RFC 7946): one FeatureCollection, one Feature per incident.
//!
//! The geometry is a Point `[longitude, latitude]` (WGS 84, at most six
//! decimals, no `crs` member as RFC 7946 requires) for incidents with
//! coordinates, `null` for the others (RFC 7946 §3.2: an unlocated
//! feature). The feature `id` is vigil's incident id; the properties are
//! the flat row of [`crate::record`] (ACLED's and vigil's columns, typed)
//! plus a `title`, so QGIS shows them as an attribute table.

use std::io::Write;

use serde_json::{json, Map, Value};
use vigil_core::Incident;

use crate::record::Record;
use crate::{ExportError, Format, IncidentWriter, Options};

/// Writes a FeatureCollection, one Feature at a time.
pub struct GeojsonWriter<W: Write> {
    out: W,
    options: Options,
    count: u64,
}

impl<W: Write> GeojsonWriter<W> {
    /// Writes the collection's opening.
    pub fn new(mut out: W, options: Options) -> Result<Self, ExportError> {
        out.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[")
            .map_err(ExportError::io(Format::Geojson))?;
        Ok(GeojsonWriter {
            out,
            options,
            count: 0,
        })
    }
}

/// The Feature of one incident.
pub fn feature(incident: &Incident, record: &Record) -> Value {
    let geometry = match (record.longitude, record.latitude) {
        (Some(lon), Some(lat)) if lon.is_finite() && lat.is_finite() => json!({
            "type": "Point",
            "coordinates": [round6(lon), round6(lat)],
        }),
        _ => Value::Null,
    };
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
    let text = |s: &str| {
        if s.is_empty() {
            Value::Null
        } else {
            Value::String(s.to_string())
        }
    };
    let mut p = Map::new();
    p.insert("title".into(), json!(crate::summary::title(incident)));
    p.insert("event_id_cnty".into(), json!(record.event_id_cnty));
    p.insert("event_date".into(), json!(date(record.event_date)));
    p.insert("year".into(), json!(record.year));
    p.insert("time_precision".into(), json!(record.time_precision));
    p.insert("event_type".into(), json!(record.event_type));
    p.insert("sub_event_type".into(), json!(record.sub_event_type));
    p.insert("actor1".into(), text(&record.actor1));
    p.insert("assoc_actor_1".into(), text(&record.assoc_actor_1));
    p.insert("actor2".into(), text(&record.actor2));
    p.insert("country".into(), text(&record.country));
    p.insert("admin1".into(), text(&record.admin1));
    p.insert("location".into(), text(&record.location));
    p.insert("latitude".into(), json!(record.latitude));
    p.insert("longitude".into(), json!(record.longitude));
    p.insert("geo_precision".into(), json!(record.geo_precision));
    p.insert("source".into(), text(&record.source));
    p.insert("notes".into(), json!(record.notes));
    p.insert("fatalities".into(), json!(record.fatalities));
    p.insert("timestamp".into(), json!(record.timestamp));
    p.insert("incident_id".into(), json!(record.incident_id));
    p.insert("type".into(), json!(record.kind));
    p.insert("stage".into(), json!(record.stage));
    p.insert("killed".into(), json!(record.killed));
    p.insert("fatal".into(), json!(record.fatal));
    p.insert("injured".into(), json!(record.injured));
    p.insert("arrested".into(), json!(record.arrested));
    p.insert("crime".into(), text(record.crime));
    p.insert("sources_count".into(), json!(record.sources_count));
    p.insert("country_code".into(), text(&record.country_code));
    p.insert("date_end".into(), json!(date(record.date_end)));
    p.insert("urls".into(), text(&record.urls));
    json!({
        "type": "Feature",
        "id": incident.id,
        "geometry": geometry,
        "properties": p,
    })
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

impl<W: Write> IncidentWriter for GeojsonWriter<W> {
    fn write(&mut self, incident: &Incident) -> Result<(), ExportError> {
        let record = Record::new(incident, self.options.resolver.as_ref());
        let value = feature(incident, &record);
        if self.count > 0 {
            self.out
                .write_all(b",\n")
                .map_err(ExportError::io(Format::Geojson))?;
        } else {
            self.out
                .write_all(b"\n")
                .map_err(ExportError::io(Format::Geojson))?;
        }
        serde_json::to_writer(&mut self.out, &value).map_err(|e| ExportError::Io {
            format: Format::Geojson,
            source: e.into(),
        })?;
        self.count += 1;
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<u64, ExportError> {
        self.out
            .write_all(b"\n]}\n")
            .map_err(ExportError::io(Format::Geojson))?;
        self.out.flush().map_err(ExportError::io(Format::Geojson))?;
        Ok(self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    #[test]
    fn collection_is_rfc7946_shaped() -> Result<(), Box<dyn std::error::Error>> {
        let mut out = Vec::new();
        crate::export(
            Format::Geojson,
            &mut out,
            Options::default(),
            testing::all(),
        )?;
        let v: Value = serde_json::from_slice(&out)?;
        assert_eq!(v["type"], "FeatureCollection");
        assert!(v.get("crs").is_none());
        let features = v["features"].as_array().ok_or("no features")?;
        assert_eq!(features.len(), 3);
        for f in features {
            assert_eq!(f["type"], "Feature");
            assert!(f["properties"].is_object());
            assert!(f["id"].is_string());
        }
        let point = &features[0]["geometry"];
        assert_eq!(point["type"], "Point");
        // Longitude first.
        assert_eq!(point["coordinates"], json!([4.3488, 50.8505]));
        assert_eq!(features[0]["properties"]["type"], "bombing");
        assert_eq!(features[0]["properties"]["killed"], 2);
        assert_eq!(features[0]["properties"]["fatal"], true);
        assert_eq!(features[1]["properties"]["fatal"], false);
        assert_eq!(features[1]["geometry"]["coordinates"], json!([10.4, 51.2]));
        assert!(features[2]["geometry"].is_null());
        Ok(())
    }

    #[test]
    fn empty_collection_is_valid_json() -> Result<(), Box<dyn std::error::Error>> {
        let mut out = Vec::new();
        crate::export(
            Format::Geojson,
            &mut out,
            Options::default(),
            Vec::<Incident>::new(),
        )?;
        let v: Value = serde_json::from_slice(&out)?;
        assert_eq!(v["features"], json!([]));
        Ok(())
    }
}
