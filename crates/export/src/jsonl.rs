//! JSON Lines: one [`vigil_core::Incident`] per line, exactly as serde
//! serialises it. Lossless: `vigil import` reads it back.

use std::io::Write;

use vigil_core::Incident;

use crate::{ExportError, Format, IncidentWriter};

/// Writes one incident per line.
pub struct JsonlWriter<W: Write> {
    out: W,
    count: u64,
}

impl<W: Write> JsonlWriter<W> {
    pub fn new(out: W) -> Self {
        JsonlWriter { out, count: 0 }
    }
}

impl<W: Write> IncidentWriter for JsonlWriter<W> {
    fn write(&mut self, incident: &Incident) -> Result<(), ExportError> {
        serde_json::to_writer(&mut self.out, incident).map_err(|e| match e.io_error_kind() {
            Some(kind) => ExportError::Io {
                format: Format::Jsonl,
                source: std::io::Error::new(kind, e),
            },
            None => ExportError::Encode {
                format: Format::Jsonl,
                incident: incident.id.clone(),
                message: e.to_string(),
            },
        })?;
        self.out
            .write_all(b"\n")
            .map_err(ExportError::io(Format::Jsonl))?;
        self.count += 1;
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<u64, ExportError> {
        self.out.flush().map_err(ExportError::io(Format::Jsonl))?;
        Ok(self.count)
    }
}

/// Reads incidents written by [`JsonlWriter`]: one per non-blank line.
/// Errors name the line (1-based).
pub fn read_incidents<R: std::io::BufRead>(
    input: R,
) -> impl Iterator<Item = Result<Incident, ReadError>> {
    input.lines().enumerate().filter_map(|(i, line)| {
        let line_no = i + 1;
        match line {
            Err(source) => Some(Err(ReadError::Io {
                line: line_no,
                source,
            })),
            Ok(text) if text.trim().is_empty() => None,
            Ok(text) => Some(
                serde_json::from_str(&text).map_err(|source| ReadError::Json {
                    line: line_no,
                    source,
                }),
            ),
        }
    })
}

/// A line of a JSON Lines export that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("line {line}: reading failed: {source}")]
    Io { line: usize, source: std::io::Error },
    #[error("line {line}: not a vigil incident: {source}; import only files written by `vigil export --format jsonl`")]
    Json {
        line: usize,
        source: serde_json::Error,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{testing, Options};

    #[test]
    fn round_trip_is_lossless() -> Result<(), Box<dyn std::error::Error>> {
        let incidents = testing::all();
        let mut out = Vec::new();
        crate::export(Format::Jsonl, &mut out, Options::default(), &incidents)?;
        assert_eq!(out.iter().filter(|b| **b == b'\n').count(), 3);
        let back: Vec<Incident> =
            read_incidents(std::io::Cursor::new(&out)).collect::<Result<_, _>>()?;
        assert_eq!(back, incidents);
        Ok(())
    }

    #[test]
    fn bad_lines_are_named() {
        let input = "\n{\"id\": 3}\n";
        let errors: Vec<String> = read_incidents(input.as_bytes())
            .filter_map(Result::err)
            .map(|e| e.to_string())
            .collect();
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].starts_with("line 2: not a vigil incident"),
            "{errors:?}"
        );
    }
}
