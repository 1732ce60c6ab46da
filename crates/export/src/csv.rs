//! CSV (RFC 4180) with ACLED's columns and vigil's ([`crate::record`]).
//!
//! One header line, then one line per incident; CRLF line ends; a field is
//! quoted when it holds a comma, a double quote, CR or LF, and a quote
//! inside it is doubled. Values are written as they are: spreadsheet users
//! importing untrusted text should import every column as text (see
//! `docs/export.md` on formula injection).

use std::io::Write;

use vigil_core::Incident;

use crate::record::{Record, COLUMNS};
use crate::{ExportError, Format, IncidentWriter, Options};

/// Writes incidents as CSV rows.
pub struct CsvWriter<W: Write> {
    out: W,
    options: Options,
    count: u64,
    line: String,
}

impl<W: Write> CsvWriter<W> {
    /// Writes the header line.
    pub fn new(mut out: W, options: Options) -> Result<Self, ExportError> {
        let mut line = String::new();
        push_row(&mut line, COLUMNS.iter().copied());
        out.write_all(line.as_bytes())
            .map_err(ExportError::io(Format::Csv))?;
        Ok(CsvWriter {
            out,
            options,
            count: 0,
            line,
        })
    }
}

impl<W: Write> IncidentWriter for CsvWriter<W> {
    fn write(&mut self, incident: &Incident) -> Result<(), ExportError> {
        let record = Record::new(incident, self.options.resolver.as_ref());
        let fields = record.text_fields();
        self.line.clear();
        push_row(&mut self.line, fields.iter().map(String::as_str));
        self.out
            .write_all(self.line.as_bytes())
            .map_err(ExportError::io(Format::Csv))?;
        self.count += 1;
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<u64, ExportError> {
        self.out.flush().map_err(ExportError::io(Format::Csv))?;
        Ok(self.count)
    }
}

/// Appends one CSV row (with its CRLF) to `line`.
fn push_row<'a>(line: &mut String, fields: impl Iterator<Item = &'a str>) {
    for (i, field) in fields.enumerate() {
        if i > 0 {
            line.push(',');
        }
        push_field(line, field);
    }
    line.push_str("\r\n");
}

/// Appends one field, quoted when RFC 4180 requires it.
fn push_field(line: &mut String, field: &str) {
    if field.contains([',', '"', '\r', '\n']) {
        line.push('"');
        for c in field.chars() {
            if c == '"' {
                line.push('"');
            }
            line.push(c);
        }
        line.push('"');
    } else {
        line.push_str(field);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    /// A minimal RFC 4180 reader, to check that what we write reads back.
    fn parse(text: &str) -> Vec<Vec<String>> {
        let mut rows = Vec::new();
        let mut row = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match (quoted, c) {
                (true, '"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                (true, '"') => quoted = false,
                (true, c) => field.push(c),
                (false, '"') => quoted = true,
                (false, ',') => row.push(std::mem::take(&mut field)),
                (false, '\r') if chars.peek() == Some(&'\n') => {}
                (false, '\n') => {
                    row.push(std::mem::take(&mut field));
                    rows.push(std::mem::take(&mut row));
                }
                (false, c) => field.push(c),
            }
        }
        rows
    }

    #[test]
    fn rows_read_back_with_quotes_and_commas() -> Result<(), ExportError> {
        let mut out = Vec::new();
        let n = crate::export(Format::Csv, &mut out, Options::default(), testing::all())?;
        assert_eq!(n, 3);
        let text = String::from_utf8_lossy(&out);
        assert!(text.starts_with("event_id_cnty,event_date,year,time_precision,event_type,"));
        assert!(text.ends_with("\r\n"));
        let rows = parse(&text);
        assert_eq!(rows.len(), 4, "{text}");
        assert!(rows.iter().all(|r| r.len() == COLUMNS.len()), "{rows:?}");
        let col = |name: &str| {
            COLUMNS
                .iter()
                .position(|c| *c == name)
                .unwrap_or(usize::MAX)
        };
        let bombing = &rows[1];
        assert_eq!(bombing[col("event_type")], "Explosions/Remote violence");
        assert_eq!(bombing[col("fatalities")], "2");
        assert_eq!(bombing[col("injured")], "3");
        assert_eq!(
            bombing[col("urls")],
            "https://example.org/reuters/1?a=1,b=\"2\" https://example.org/lesoir/7"
        );
        assert!(bombing[col("notes")].contains("Perpetrators:"));
        assert_eq!(rows[3][col("incident_id")], "telex/V3");
        assert_eq!(rows[3][col("event_date")], "");
        Ok(())
    }

    #[test]
    fn fields_are_quoted_only_when_needed() {
        let mut line = String::new();
        push_row(
            &mut line,
            ["plain", "a,b", "say \"hi\"", "two\nlines"].into_iter(),
        );
        assert_eq!(line, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n");
    }
}
