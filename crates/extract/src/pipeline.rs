//! Wires the stages together.

use vigil_core::{Analysis, Document};

/// Errors building a pipeline (loading gazetteers or models).
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error("loading resources: {0}")]
    Resources(String),
}

/// The analysis pipeline: cleaning, segmentation, entities, dates, events,
/// quotes, citations. Cheap to share between threads (`&Pipeline` is `Sync`).
pub struct Pipeline {}

impl Pipeline {
    /// Loads the embedded gazetteers and models.
    pub fn new() -> Result<Pipeline, PipelineError> {
        Ok(Pipeline {})
    }

    /// Analyses one document. Never fails: what cannot be read is left out.
    pub fn analyze(&self, doc: &Document) -> Analysis {
        Analysis {
            id: doc.id.clone(),
            title: doc.title.clone(),
            source: doc.source.clone(),
            url: doc.url.clone(),
            author: doc.author.clone(),
            published: doc.published,
            text: doc.text.clone(),
            language: "und".into(),
            ..Analysis::default()
        }
    }
}
