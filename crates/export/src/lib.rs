//! Streaming exports of vigil incidents into the formats analysts already
//! use: STIX 2.1 bundles (OpenCTI, MISP), GeoJSON (QGIS), ACLED-style CSV
//! (spreadsheets, R), Parquet (pandas, DuckDB) and JSON Lines (vigil's own
//! lossless format, read back by `vigil import`).
//!
//! Every writer takes one [`Incident`] at a time ([`IncidentWriter::write`])
//! and writes to any [`std::io::Write`]; [`IncidentWriter::finish`] writes
//! the trailer and flushes. Memory stays bounded whatever the number of
//! incidents:
//!
//! * JSON Lines, CSV and GeoJSON write each incident as it comes and keep
//!   nothing;
//! * Parquet buffers at most one row group ([`ParquetWriter::ROW_GROUP`]
//!   rows) before writing it;
//! * STIX writes every object as soon as it is complete and keeps only
//!   identifiers: a set of the ids already written (shared objects —
//!   locations, identities — are written once) and, for the objects that
//!   can only be completed at the end (each article's `report` lists every
//!   incident citing it; each `threat-actor` carries the first and last
//!   time it was seen), their ids and a few dates. That is about 150 bytes
//!   per incident, never the incidents themselves.
//!
//! Output is deterministic: the same incidents in the same order give the
//! same bytes. STIX identifiers are UUIDv5 over stable content
//! ([`ids`]), so re-importing a later export into OpenCTI updates objects
//! instead of duplicating them.
//!
//! What the exporters know about entities beyond the incident itself
//! (whether "Kaduna" is a city or a region, a country's name, a group's
//! aliases, an article's title) comes from a [`Resolver`]. The default,
//! [`KbPrefixes`], only reads knowledge-base id prefixes; with the
//! `gazetteer` feature, [`gazetteer::Gazetteers`] answers from vigil's
//! embedded gazetteer and knowledge base.
//!
//! ```
//! use vigil_export::{export, Format, Options};
//! let mut out = Vec::new();
//! let incidents: Vec<vigil_core::Incident> = Vec::new();
//! let n = export(Format::Geojson, &mut out, Options::default(), incidents)?;
//! assert_eq!(n, 0);
//! assert!(String::from_utf8_lossy(&out).starts_with("{\"type\":\"FeatureCollection\""));
//! # Ok::<(), vigil_export::ExportError>(())
//! ```

use std::fmt;
use std::io::Write;
use std::str::FromStr;
use std::sync::Arc;

use vigil_core::Incident;

pub mod acled;
pub mod csv;
#[cfg(feature = "gazetteer")]
pub mod gazetteer;
pub mod geojson;
pub mod ids;
pub mod jsonl;
pub mod parquet;
pub mod record;
pub mod resolve;
pub mod stix;
mod summary;

pub use csv::CsvWriter;
pub use geojson::GeojsonWriter;
pub use jsonl::JsonlWriter;
pub use parquet::ParquetWriter;
pub use record::Record;
pub use resolve::{KbPrefixes, Resolver};
pub use stix::StixWriter;
pub use summary::{casualties, summary, title};

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// A STIX 2.1 bundle (JSON).
    Stix,
    /// An RFC 7946 GeoJSON FeatureCollection.
    Geojson,
    /// RFC 4180 CSV with ACLED's columns and vigil's own.
    Csv,
    /// Apache Parquet (Snappy), the same columns as the CSV, typed.
    Parquet,
    /// One `vigil_core::Incident` JSON object per line (lossless).
    Jsonl,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Stix,
        Format::Geojson,
        Format::Csv,
        Format::Parquet,
        Format::Jsonl,
    ];

    /// The name used on the command line and in the API (`stix`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Stix => "stix",
            Format::Geojson => "geojson",
            Format::Csv => "csv",
            Format::Parquet => "parquet",
            Format::Jsonl => "jsonl",
        }
    }

    /// The media type to serve it with.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Stix => "application/stix+json;version=2.1",
            Format::Geojson => "application/geo+json",
            Format::Csv => "text/csv; charset=utf-8; header=present",
            Format::Parquet => "application/vnd.apache.parquet",
            Format::Jsonl => "application/jsonl",
        }
    }

    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Stix => "stix.json",
            Format::Geojson => "geojson",
            Format::Csv => "csv",
            Format::Parquet => "parquet",
            Format::Jsonl => "jsonl",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown format name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown export format {0:?}; use one of stix, geojson, csv, parquet, jsonl")]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "stix" | "stix2" | "stix21" => Ok(Format::Stix),
            "geojson" => Ok(Format::Geojson),
            "csv" => Ok(Format::Csv),
            "parquet" => Ok(Format::Parquet),
            "jsonl" | "ndjson" => Ok(Format::Jsonl),
            _ => Err(UnknownFormat(s.to_string())),
        }
    }
}

/// Errors of the exporters.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("writing the {format} export failed: {source}; check that the output file is writable and the disk is not full")]
    Io {
        format: Format,
        source: std::io::Error,
    },
    #[error("encoding incident {incident} as {format} failed: {message}; this is a bug in vigil-export, please report it with the incident")]
    Encode {
        format: Format,
        incident: String,
        message: String,
    },
    #[error("writing the Parquet file failed: {0}; check that the output is writable and the disk is not full")]
    Parquet(#[from] ::parquet::errors::ParquetError),
    #[error(
        "building the Arrow batch failed: {0}; this is a bug in vigil-export, please report it"
    )]
    Arrow(#[from] arrow_schema::ArrowError),
}

impl ExportError {
    pub(crate) fn io(format: Format) -> impl FnOnce(std::io::Error) -> ExportError {
        move |source| ExportError::Io { format, source }
    }
}

/// Settings shared by the writers.
#[derive(Clone)]
pub struct Options {
    /// Answers what the incident alone does not say (see [`Resolver`]).
    pub resolver: Arc<dyn Resolver>,
    /// Names the export (the query, say): the STIX bundle id is derived
    /// from it, so the same query gives the same bundle id.
    pub label: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            resolver: Arc::new(KbPrefixes),
            label: String::new(),
        }
    }
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

/// A streaming writer of incidents in one format.
pub trait IncidentWriter {
    /// Writes one incident (or buffers it, bounded: see the crate docs).
    fn write(&mut self, incident: &Incident) -> Result<(), ExportError>;
    /// Writes what remains (the trailer, buffered rows, the STIX objects
    /// completed only at the end), flushes, and returns the number of
    /// incidents written.
    fn finish(self: Box<Self>) -> Result<u64, ExportError>;
}

/// A writer of `format` over `out`.
pub fn writer<'w, W: Write + Send + 'w>(
    format: Format,
    out: W,
    options: Options,
) -> Result<Box<dyn IncidentWriter + 'w>, ExportError> {
    Ok(match format {
        Format::Stix => Box::new(StixWriter::new(out, options)?),
        Format::Geojson => Box::new(GeojsonWriter::new(out, options)?),
        Format::Csv => Box::new(CsvWriter::new(out, options)?),
        Format::Parquet => Box::new(ParquetWriter::new(out, options)?),
        Format::Jsonl => Box::new(JsonlWriter::new(out)),
    })
}

/// Writes every incident of `incidents` to `out` in `format` and returns
/// their number. For sources that push incidents through a callback (a
/// store's `for_each_incident`), use [`writer`] directly.
pub fn export<W, I>(
    format: Format,
    out: W,
    options: Options,
    incidents: I,
) -> Result<u64, ExportError>
where
    W: Write + Send,
    I: IntoIterator,
    I::Item: std::borrow::Borrow<Incident>,
{
    let mut w = writer(format, out, options)?;
    for incident in incidents {
        w.write(std::borrow::Borrow::borrow(&incident))?;
    }
    w.finish()
}

#[cfg(test)]
pub(crate) mod testing;
