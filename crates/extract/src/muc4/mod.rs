//! MUC-4: the classic benchmark of document-level extraction of terrorist
//! incidents (perpetrators, targets, victims, weapons), in GRIT's format.
//!
//! - [`grit`]: reading documents and answer keys, writing predictions.
//! - [`score()`] / [`score_lists`]: CEAF-REE, the same metric as
//!   `../shared/eval/muc4_score.py` (see [`mod@score`] for the details).
//! - [`RoleModel`]: the learned role-filler extractor (relevance gate,
//!   BIO role tagger, coreference-light grouping), trained by [`train()`].
//! - [`aggregate`]: grouping role-filler mentions into entities.
//! - [`from_analysis`]: vigil's events mapped onto the five MUC roles.
//! - [`keys`]: the raw MUC-4 answer-key templates (incident type, stage…).
//! - [`slots`]: incident date and location of the main incident, and their
//!   accuracy against the keys.

//!
//! # From vigil's events to the five MUC roles
//!
//! | vigil                                                        | MUC-4 role |
//! |--------------------------------------------------------------|------------|
//! | `perpetrators` slot linked to an `ARMED_GROUP`, `ORGANIZATION` or `GOVERNMENT_BODY` entity | `PerpOrg` |
//! | any other `perpetrators` slot (people, "guerrillas", "gunmen") | `PerpInd` |
//! | `targets` (physical: buildings, vehicles, installations)       | `Target`   |
//! | `victims` (people)                                             | `Victim`   |
//! | `weapons`                                                      | `Weapon`   |
//!
//! Only events that MUC-4 counts as incidents are mapped: violent events
//! (attack, bombing, shooting, stabbing, arson, kidnapping, hostage taking,
//! vehicle ramming, assassination, robbery) at any stage, plus plots and
//! threats (MUC's "attempted"/"threatened"); arrests, raids, convictions,
//! warnings about third parties and claims contribute nothing except a
//! claim's perpetrator (a claim of responsibility names the perpetrator of
//! an incident). Mentions of one entity are grouped as in [`aggregate`].

pub mod aggregate;
pub mod date_rank;
mod from_analysis;
pub mod grit;
mod hints;
pub mod keys;

mod model;
pub mod place_rank;
mod rescore;
pub mod score;
pub mod slots;
mod train;

pub use from_analysis::{combine, from_analysis};
pub use grit::{predictions_json, read_jsonl, read_jsonl_lenient, GoldDoc, GritError};
pub use hints::{attach_hints, RuleHints};
pub use model::{
    Candidate, DocLabels, DocScores, Params, RawPrediction, Representative, RoleModel, TRIM_EDGES,
    TRIM_NUMBER,
};
pub use score::{normalize, score, score_lists, Counts, Prf, Scores};
pub use train::{train, TrainConfig, TrainReport, TuneOptions};

/// The five MUC-4 role-filler slots scored by CEAF-REE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Individual perpetrators ("guerrillas", "urban terrorists", a name).
    PerpInd = 0,
    /// Perpetrator organisations ("FMLN", "Shining Path").
    PerpOrg = 1,
    /// Physical targets (buildings, vehicles, power lines).
    Target = 2,
    /// Human targets (victims).
    Victim = 3,
    /// Instruments (bombs, rifles, dynamite).
    Weapon = 4,
}

/// All roles, in the order used by every `[_; 5]` array of this module.
pub const ROLES: [Role; 5] = [
    Role::PerpInd,
    Role::PerpOrg,
    Role::Target,
    Role::Victim,
    Role::Weapon,
];

impl Role {
    /// The name used in GRIT files ("PerpInd").
    pub fn as_str(self) -> &'static str {
        match self {
            Role::PerpInd => "PerpInd",
            Role::PerpOrg => "PerpOrg",
            Role::Target => "Target",
            Role::Victim => "Victim",
            Role::Weapon => "Weapon",
        }
    }

    /// The role of a GRIT name.
    pub fn from_name(name: &str) -> Option<Role> {
        ROLES.into_iter().find(|r| r.as_str() == name)
    }
}

/// Entities per role (in [`ROLES`] order), each a list of mention strings.
pub type RoleLists = [Vec<Vec<String>>; 5];

/// One predicted role-filler entity.
#[derive(Debug, Clone, PartialEq)]
pub struct PredictedEntity {
    /// Mentions to output, best first (a single one unless the model was
    /// tuned to output all; see [`Params::all_mentions`]).
    pub mentions: Vec<String>,
    /// Every distinct mention grouped into the entity, in text order.
    pub group: Vec<String>,
    /// Confidence: the best score of its mentions (tagger margin).
    pub score: f32,
    /// How many times it was tagged.
    pub count: usize,
}

/// The learned extractor's output for one document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Muc4Prediction {
    /// Relevance score (positive: the document reports an incident).
    pub relevance: f32,
    /// Entities per role, in [`ROLES`] order.
    pub roles: [Vec<PredictedEntity>; 5],
}

impl Muc4Prediction {
    /// The entities as plain mention lists, ready for the scorer or a
    /// prediction file.
    pub fn lists(&self) -> RoleLists {
        let mut out = RoleLists::default();
        for (k, ents) in self.roles.iter().enumerate() {
            out[k] = ents.iter().map(|e| e.mentions.clone()).collect();
        }
        out
    }
}
