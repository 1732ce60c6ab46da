//! Extraction: from a document to an [`Analysis`] — entities, dates,
//! events, quotes and citations.
//!
//! The entry point is [`Pipeline`]: build it once (it loads the gazetteers
//! and models), then call [`Pipeline::analyze`] for each document, from any
//! number of threads.

mod pipeline;

pub use pipeline::{Pipeline, PipelineError};
