use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

/// Where a document came from, for error messages and provenance.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Origin {
    /// File path, URL or `-` for standard input.
    pub path: String,
    /// 1-based line number for JSON Lines records.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}", self.path, line),
            None => f.write_str(&self.path),
        }
    }
}

/// One article as read by `ingest`: the body is plain text (HTML has already
/// been reduced to its main text), not yet cleaned.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Document {
    pub id: String,
    pub title: Option<String>,
    /// Publisher or site name ("Shafaq News", "Reuters").
    pub source: Option<String>,
    pub url: Option<String>,
    pub author: Option<String>,
    /// Publication time when known from the record or page metadata.
    pub published: Option<DateTime<FixedOffset>>,
    /// The raw body text, paragraphs separated by blank lines.
    pub text: String,
    pub origin: Origin,
}
