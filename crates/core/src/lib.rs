//! Domain types shared by every vigil crate.
//!
//! This crate is the bottom of the dependency graph: it holds plain data
//! (documents, spans, entities, events, quotes, citations) and the vocabulary
//! (entity and event types, stages, date precision) that the pipeline stages
//! exchange. It performs no I/O and has no failure modes of its own.
//!
//! **Offsets.** Every [`Span`] is a pair of UTF-8 *byte* offsets into the
//! *cleaned* text of the document ([`Analysis::text`]), always on `char`
//! boundaries, `start <= end <= text.len()`.

mod analysis;
mod document;
mod incident;
mod span;

pub use analysis::*;
pub use document::*;
pub use incident::*;
pub use span::Span;
