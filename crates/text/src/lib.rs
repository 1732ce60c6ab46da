//! Text cleaning, segmentation and tokenisation.
//!
//! Public contract (used by `vigil-extract` and `vigil-ingest`):
//! - [`clean`]: raw body text → cleaned text + [`vigil_core::CleaningReport`]
//! - [`sentences`], [`paragraphs`]: spans over the cleaned text
//! - [`tokenize`]: word / number / punctuation tokens
//! - [`parse_timestamp`]: publication times in any common format
//! - [`detect_language`]: ISO 639-1 code or "und"
