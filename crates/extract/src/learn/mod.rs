//! Learned components: a generic toolkit of averaged linear models.
//!
//! - [`SequenceTagger`] / [`SequenceTrainer`]: a first-order sequence
//!   tagger over hashed token features, decoded with Viterbi under label
//!   constraints (BIO: `I-X` only after `B-X` or `I-X`; BILOU: also
//!   `L-X`, and `B-X`, `I-X` only before `I-X` or `L-X`), with averaged
//!   weights, trained as a structured perceptron
//!   ([`SequenceTrainer::train`]) or as a linear-chain CRF by stochastic
//!   gradient on the log-likelihood ([`SequenceTrainer::train_crf`]).
//! - [`BinaryClassifier`] / [`BinaryTrainer`]: an averaged perceptron for
//!   yes/no decisions over hashed features (e.g. document relevance).
//! - [`MulticlassClassifier`] / [`MulticlassTrainer`]: the same for one label
//!   out of several (e.g. incident type).
//! - [`features`]: case-insensitive token features for news text (word,
//!   affixes, shape, context window, quotes, sentence/document position,
//!   nearby trigger words, small lexicons).
//! - [`text`]: the tokenizer and sentence splitter these features use.
//! - [`io`]: the compact, versioned binary model format (sparse rows,
//!   16-bit quantised weights) with bounds-checked reading.
//!
//! Training is deterministic: examples are visited in an order drawn from a
//! fixed-seed generator, every sum is sequential, no hash map is iterated,
//! so the same input gives a byte-identical model.

pub mod features;
pub mod io;
mod perceptron;
mod rng;
pub mod text;
mod weights;

pub use perceptron::{
    bio_constraints, BinaryClassifier, BinaryTrainer, MulticlassClassifier, MulticlassTrainer,
    RankTrainer, Ranker, SequenceTagger, SequenceTrainer,
};
pub use rng::Rng;
pub use weights::{FeatureHasher, WeightTable};

/// Errors loading a model.
#[derive(Debug, thiserror::Error)]
pub enum LearnError {
    /// The bytes are not a model file of a version this build can read.
    #[error("invalid model file: {0}")]
    Format(String),
}
