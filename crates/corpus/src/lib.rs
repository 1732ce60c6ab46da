//! Corpus-level analysis: stories (near-duplicate articles) and incidents
//! (events of different articles that describe the same happening).
//!
//! Pure functions and in-memory indexes over [`vigil_core`] types: no I/O,
//! no global state, no randomness. Output depends only on the input and
//! its order.
//!
//! # Near-duplicates ([`DuplicateIndex`])
//!
//! The text is reduced to lower-cased alphanumeric words; every run of
//! [`SHINGLE`] (3) consecutive words is hashed (FNV-1a 64 per word,
//! [`fnv1a64`], stable across runs and platforms, combined with the
//! SplitMix64 finaliser). A [`Signature`] keeps [`SIGNATURE_LEN`] (128)
//! MinHash values of the shingle set at 4 bits each, the set's size and
//! [`BANDS`] (12) LSH band keys of [`ROWS`] (2) full MinHash values each.
//! A lookup verifies only the stories sharing a band key, by their
//! estimated resemblance (Jaccard similarity ≥ [`MIN_RESEMBLANCE`], 0.7) or
//! containment (≥ [`MIN_CONTAINMENT`], 0.9, for truncated or extended
//! copies). The module documentation of `dedup.rs` gives the rationale,
//! the candidate probabilities and the memory per story (≈ 250 bytes).
//!
//! # Incidents ([`merge_events`])
//!
//! Events are compared pairwise. **Hard constraints** — any one fails and
//! two events never merge:
//! - the same type family ([`Family`]: attack, bombing, shooting, stabbing,
//!   arson, ramming, assassination together; kidnapping and hostage taking;
//!   arrest and raid; plot, warning, claim, robbery, conviction alone);
//! - different documents (the extractor already merges within one);
//! - dates, when both are known, that agree: overlapping intervals, or
//!   day-precision dates at most one day apart;
//! - places, when both are known: the same country (entity `geo.country` or
//!   a `country:XX` kb id) and, when both name a city, the same city.
//!
//! Two slots (cities, perpetrators, targets, victims) name the same thing
//! when both are linked to the same `kb_id`, or — when either is unlinked —
//! they share a normalised name (lower-cased words, leading article
//! dropped) among the entity's name, aliases and the slot text.
//!
//! **Score** for compatible pairs:
//!
//! | evidence                                   | points |
//! |--------------------------------------------|-------:|
//! | dates agree                                | 2      |
//! | same city                                  | 3      |
//! | same country (no shared city)              | 1      |
//! | shared perpetrator (kb id or name), ≤ 2    | 2 each |
//! | shared target or victim, ≤ 2               | 1 each |
//!
//! An event joins an incident when it is compatible with every member and
//! scores at least [`MERGE_THRESHOLD`] (4) with one of them: same city and
//! date (5), same city and perpetrator (5), same country, date and
//! perpetrator (5) merge; same country and date alone (3) does not. Every
//! merge records its reasons in [`Incident::merge_reasons`].
//!
//! **Cannot-link constraints** ([`Constraints`], [`merge_events_with`]):
//! pairs of events an analyst split apart never share an incident.
//!
//! [`Incident::merge_reasons`]: vigil_core::Incident::merge_reasons

mod dedup;
mod merge;

pub use dedup::{
    fnv1a64, shingles, words, DuplicateIndex, Signature, SignatureError, Similarity, BANDS,
    MIN_CONTAINMENT, MIN_RESEMBLANCE, MIN_RESEMBLANCE_CONTAINED, ROWS, SHINGLE, SIGNATURE_BYTES,
    SIGNATURE_LEN,
};
pub use merge::{
    bucket, merge_events, merge_events_with, stage_rank, Constraints, Family, Merged, Merger,
    MERGE_THRESHOLD, SCORE_CITY, SCORE_COUNTRY, SCORE_DATE, SCORE_PERPETRATOR, SCORE_TARGET,
};
