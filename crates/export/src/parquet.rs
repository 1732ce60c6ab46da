//! Apache Parquet: the columns of [`crate::record`], typed (dates as
//! `date32`, coordinates as `float64`, counts as `int32`, the timestamp as
//! `int64` Unix seconds), Snappy-compressed.
//!
//! Rows are collected [`ParquetWriter::BATCH`] at a time into an Arrow
//! record batch and handed to the Parquet writer, which closes a row group
//! every [`ParquetWriter::ROW_GROUP`] rows: memory stays bounded by one row
//! group whatever the number of incidents.

use std::io::Write;
use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Float64Builder, Int32Builder, Int64Builder, StringBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use chrono::NaiveDate;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use vigil_core::Incident;

use crate::record::{Record, COLUMNS};
use crate::{ExportError, IncidentWriter, Options};

/// Writes incidents as Parquet rows.
pub struct ParquetWriter<W: Write + Send> {
    writer: ArrowWriter<W>,
    schema: SchemaRef,
    options: Options,
    pending: Vec<Record>,
    count: u64,
}

/// The Arrow type of each column of [`COLUMNS`] and whether it may be null.
fn column_type(name: &str) -> (DataType, bool) {
    match name {
        "event_date" | "date_end" => (DataType::Date32, true),
        "year" | "geo_precision" | "killed" | "injured" | "arrested" => (DataType::Int32, true),
        "time_precision" | "fatalities" | "sources_count" => (DataType::Int32, false),
        "latitude" | "longitude" => (DataType::Float64, true),
        "timestamp" => (DataType::Int64, false),
        "fatal" => (DataType::Boolean, false),
        _ => (DataType::Utf8, false),
    }
}

/// The Arrow schema of the export.
pub fn schema() -> SchemaRef {
    Arc::new(Schema::new(
        COLUMNS
            .iter()
            .map(|name| {
                let (ty, nullable) = column_type(name);
                Field::new(*name, ty, nullable)
            })
            .collect::<Vec<_>>(),
    ))
}

impl<W: Write + Send> ParquetWriter<W> {
    /// Rows per Arrow batch.
    pub const BATCH: usize = 1024;
    /// Rows per Parquet row group.
    pub const ROW_GROUP: usize = 16 * 1024;

    /// Writes the file header.
    pub fn new(out: W, options: Options) -> Result<Self, ExportError> {
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(Self::ROW_GROUP))
            .build();
        let schema = schema();
        let writer = ArrowWriter::try_new(out, schema.clone(), Some(props))?;
        Ok(ParquetWriter {
            writer,
            schema,
            options,
            pending: Vec::with_capacity(Self::BATCH),
            count: 0,
        })
    }

    fn flush_batch(&mut self) -> Result<(), ExportError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let batch = to_batch(&self.schema, &self.pending)?;
        self.writer.write(&batch)?;
        self.pending.clear();
        Ok(())
    }
}

impl<W: Write + Send> IncidentWriter for ParquetWriter<W> {
    fn write(&mut self, incident: &Incident) -> Result<(), ExportError> {
        self.pending
            .push(Record::new(incident, self.options.resolver.as_ref()));
        self.count += 1;
        if self.pending.len() >= Self::BATCH {
            self.flush_batch()?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<u64, ExportError> {
        self.flush_batch()?;
        let count = self.count;
        let mut out = self.writer.into_inner()?;
        out.flush()
            .map_err(ExportError::io(crate::Format::Parquet))?;
        Ok(count)
    }
}

/// Days since 1970-01-01, Arrow's `date32`.
fn days(d: NaiveDate) -> i32 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    i32::try_from((d - epoch).num_days()).unwrap_or(i32::MAX)
}

fn to_batch(schema: &SchemaRef, rows: &[Record]) -> Result<RecordBatch, ExportError> {
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(COLUMNS.len());
    for name in COLUMNS {
        let array: ArrayRef = match column_type(name).0 {
            DataType::Date32 => {
                let mut b = Date32Builder::with_capacity(rows.len());
                for r in rows {
                    let d = if name == "event_date" {
                        r.event_date
                    } else {
                        r.date_end
                    };
                    b.append_option(d.map(days));
                }
                Arc::new(b.finish())
            }
            DataType::Int32 => {
                let mut b = Int32Builder::with_capacity(rows.len());
                for r in rows {
                    let to = |n: Option<u32>| n.map(|n| i32::try_from(n).unwrap_or(i32::MAX));
                    b.append_option(match name {
                        "year" => r.year,
                        "geo_precision" => r.geo_precision.map(i32::from),
                        "killed" => to(r.killed),
                        "injured" => to(r.injured),
                        "arrested" => to(r.arrested),
                        "time_precision" => Some(i32::from(r.time_precision)),
                        "fatalities" => to(Some(r.fatalities)),
                        _ => to(Some(r.sources_count)),
                    });
                }
                Arc::new(b.finish())
            }
            DataType::Float64 => {
                let mut b = Float64Builder::with_capacity(rows.len());
                for r in rows {
                    b.append_option(if name == "latitude" {
                        r.latitude
                    } else {
                        r.longitude
                    });
                }
                Arc::new(b.finish())
            }
            DataType::Boolean => {
                let mut b = BooleanBuilder::with_capacity(rows.len());
                for r in rows {
                    b.append_value(r.fatal);
                }
                Arc::new(b.finish())
            }
            DataType::Int64 => {
                let mut b = Int64Builder::with_capacity(rows.len());
                for r in rows {
                    b.append_value(r.timestamp);
                }
                Arc::new(b.finish())
            }
            _ => {
                let mut b = StringBuilder::with_capacity(rows.len(), rows.len() * 16);
                for r in rows {
                    b.append_value(text_column(r, name));
                }
                Arc::new(b.finish())
            }
        };
        columns.push(array);
    }
    Ok(RecordBatch::try_new(schema.clone(), columns)?)
}

fn text_column<'a>(r: &'a Record, name: &str) -> &'a str {
    match name {
        "event_id_cnty" => &r.event_id_cnty,
        "event_type" => r.event_type,
        "sub_event_type" => r.sub_event_type,
        "actor1" => &r.actor1,
        "assoc_actor_1" => &r.assoc_actor_1,
        "actor2" => &r.actor2,
        "country" => &r.country,
        "admin1" => &r.admin1,
        "location" => &r.location,
        "source" => &r.source,
        "source_scale" => &r.source_scale,
        "notes" => &r.notes,
        "incident_id" => &r.incident_id,
        "type" => r.kind,
        "stage" => r.stage,
        "country_code" => &r.country_code,
        "crime" => r.crime,
        "urls" => &r.urls,
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{testing, Format};
    use arrow_array::{Array, Date32Array, Float64Array, Int32Array, StringArray};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    #[test]
    fn every_text_column_has_a_source() {
        let mut r = Record::new(&testing::bombing(), &crate::KbPrefixes);
        r.admin1 = "Brussels-Capital".into();
        r.source_scale = "International".into();
        // (A bombing holds no one: the arrest's column set by hand.)
        r.crime = "attack";
        for name in COLUMNS {
            if column_type(name).0 == DataType::Utf8 {
                assert!(!text_column(&r, name).is_empty(), "{name} is empty");
            }
        }
    }

    #[test]
    fn reads_back_typed_in_several_row_groups() -> Result<(), Box<dyn std::error::Error>> {
        let mut incidents = Vec::new();
        let n = ParquetWriter::<Vec<u8>>::ROW_GROUP + 10;
        for i in 0..n {
            let mut b = testing::bombing();
            b.id = format!("doc-{i}/V1");
            incidents.push(b);
        }
        incidents.push(testing::bare_plot());
        let mut out = Vec::new();
        let written = crate::export(Format::Parquet, &mut out, Options::default(), &incidents)?;
        assert_eq!(written, incidents.len() as u64);

        let builder = ParquetRecordBatchReaderBuilder::try_new(bytes(out))?;
        assert_eq!(builder.metadata().num_row_groups(), 2);
        assert_eq!(builder.schema().fields().len(), COLUMNS.len());
        let mut rows = 0;
        let mut last = None;
        for batch in builder.build()? {
            let batch = batch?;
            rows += batch.num_rows();
            last = Some(batch);
        }
        assert_eq!(rows, incidents.len());
        let batch = last.ok_or("no batch")?;
        let at = batch.num_rows() - 1;
        let col = |name: &str| {
            batch
                .column_by_name(name)
                .ok_or(format!("no column {name}"))
        };
        let ids = col("incident_id")?;
        let ids = ids.as_any().downcast_ref::<StringArray>().ok_or("ids")?;
        assert_eq!(ids.value(at), "telex/V3");
        assert_eq!(ids.value(at - 1), format!("doc-{}/V1", n - 1));
        let dates = col("event_date")?;
        let dates = dates
            .as_any()
            .downcast_ref::<Date32Array>()
            .ok_or("dates")?;
        assert!(dates.is_null(at));
        assert_eq!(
            dates.value(at - 1),
            days(NaiveDate::from_ymd_opt(2024, 3, 10).ok_or("date")?)
        );
        let lat = col("latitude")?;
        let lat = lat.as_any().downcast_ref::<Float64Array>().ok_or("lat")?;
        assert_eq!(lat.value(at - 1), 50.8505);
        let arrested = col("arrested")?;
        let arrested = arrested
            .as_any()
            .downcast_ref::<Int32Array>()
            .ok_or("arrested")?;
        assert_eq!(arrested.value(at), 4);
        assert!(arrested.is_null(at - 1));
        Ok(())
    }

    fn bytes(v: Vec<u8>) -> bytes::Bytes {
        v.into()
    }
}
