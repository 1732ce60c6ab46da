//! Extraction.
