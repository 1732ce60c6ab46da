//! Extraction: from a document to an [`Analysis`](vigil_core::Analysis) —
//! entities, dates, events, quotes and citations.
//!
//! The entry point is [`Pipeline`]: build it once (it loads the gazetteers
//! and models), then call [`Pipeline::analyze`] for each document, from any
//! number of threads.
//!
//! Modules, in pipeline order: [`context`] (sentences, tokens, case style),
//! [`entities`] (gazetteer + pattern NER and linking), [`dates`] (absolute
//! and relative date expressions), [`quotes`] (quotations and citations),
//! [`events`] (triggers, stage, slots, counts, attribution). Resources
//! (gazetteer, knowledge base, lexicons) are in [`resources`], [`kb`] and
//! [`lexicon`]; learned models in [`learn`]; the MUC-4 benchmark in [`muc4`].

pub mod context;
pub mod dates;
pub mod entities;
pub mod events;
pub mod kb;
pub mod learn;
pub mod lexicon;
pub mod muc4;
mod pipeline;
pub mod quotes;
pub mod resources;
mod words;

pub use pipeline::{Pipeline, PipelineError};
pub use resources::{ResourceError, Resources};
