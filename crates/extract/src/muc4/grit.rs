//! Reading GRIT-format documents and writing predictions.
//!
//! Input: JSON Lines, one `{"docid", "doctext", "extracts"?}` per line,
//! `extracts` mapping each role to a list of entities, each a list of
//! `[mention, offset]` pairs (offsets in characters of `doctext`).
//! Output: `{docid: {"pred_extracts": {role: [[mention, …], …]}}}`.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use super::hints::RuleHints;
use super::{Role, RoleLists, ROLES};

/// Entities of one role, each a list of `(mention, character offset)`.
pub type KeyEntities = Vec<Vec<(String, usize)>>;

/// `(mention, offset)` entities per role name, as in the file.
type RawExtracts = BTreeMap<String, Vec<Vec<(String, i64)>>>;

/// One annotated (or unannotated) document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoldDoc {
    pub docid: String,
    pub doctext: String,
    /// Per role (in [`ROLES`] order): entities, each a list of
    /// `(mention, character offset)`. `None` when the input had none.
    pub extracts: Option<[KeyEntities; 5]>,
    /// The rule pipeline's findings, when attached
    /// ([`super::attach_hints`]; read by models trained with hints).
    pub hints: Option<RuleHints>,
}

#[derive(Deserialize)]
struct RawDoc {
    docid: String,
    doctext: String,
    #[serde(default)]
    extracts: Option<RawExtracts>,
}

/// Errors reading GRIT files; each names the (1-based) line it is about.
#[derive(Debug, thiserror::Error)]
pub enum GritError {
    /// The line is not a GRIT document (malformed JSON, a missing or
    /// mistyped `docid` or `doctext`).
    #[error("line {line}: {message}")]
    Line { line: usize, message: String },
    /// A second document with a `docid` already read: the prediction file
    /// is keyed by `docid`, so one of the two would be lost.
    #[error("line {line}: docid {docid:?} was already used on line {first}; give every document its own docid")]
    DuplicateDocid {
        line: usize,
        docid: String,
        first: usize,
    },
}

impl GritError {
    /// The (1-based) line the error is about.
    pub fn line(&self) -> usize {
        match self {
            GritError::Line { line, .. } | GritError::DuplicateDocid { line, .. } => *line,
        }
    }
}

impl GoldDoc {
    /// The gold entities as plain mention lists (empty when unannotated).
    pub fn gold_lists(&self) -> RoleLists {
        let mut out = RoleLists::default();
        if let Some(ex) = &self.extracts {
            for (k, ents) in ex.iter().enumerate() {
                out[k] = ents
                    .iter()
                    .map(|e| e.iter().map(|(m, _)| m.clone()).collect())
                    .collect();
            }
        }
        out
    }

    /// True when the document has at least one gold role filler.
    pub fn is_relevant(&self) -> bool {
        self.extracts
            .as_ref()
            .is_some_and(|ex| ex.iter().any(|r| !r.is_empty()))
    }
}

/// Parses GRIT JSON Lines. Blank lines are skipped; a malformed line or a
/// repeated `docid` is an error naming its (1-based) number. Unknown role
/// names are ignored.
pub fn read_jsonl(input: &str) -> Result<Vec<GoldDoc>, GritError> {
    let (docs, mut errors) = read_jsonl_lenient(input);
    if errors.is_empty() {
        Ok(docs)
    } else {
        Err(errors.swap_remove(0))
    }
}

/// Parses GRIT JSON Lines, keeping every good document: returns the
/// documents in file order and one error per line that is not a document
/// (in line order), so that a caller can report the bad lines and go on
/// with the rest. A document whose `docid` was already read is an error
/// and left out; the first one is kept. A mention's negative offset reads
/// as 0.
pub fn read_jsonl_lenient(input: &str) -> (Vec<GoldDoc>, Vec<GritError>) {
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, line) in input.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let raw: RawDoc = match serde_json::from_str(line) {
            Ok(raw) => raw,
            Err(e) => {
                // serde_json counts lines of the one line it was given.
                let text = e.to_string();
                let what = text
                    .rsplit_once(" at line ")
                    .map_or(text.as_str(), |(w, _)| w);
                errors.push(GritError::Line {
                    line: i + 1,
                    message: format!("{what} (column {})", e.column()),
                });
                continue;
            }
        };
        if let Some(&first) = seen.get(&raw.docid) {
            errors.push(GritError::DuplicateDocid {
                line: i + 1,
                docid: raw.docid,
                first,
            });
            continue;
        }
        seen.insert(raw.docid.clone(), i + 1);
        let extracts = raw.extracts.map(|ex| {
            let mut out: [KeyEntities; 5] = Default::default();
            for (name, ents) in ex {
                if let Some(role) = Role::from_name(&name) {
                    out[role as usize] = ents
                        .into_iter()
                        .map(|e| {
                            e.into_iter()
                                .map(|(m, o)| (m, usize::try_from(o).unwrap_or(0)))
                                .collect()
                        })
                        .collect();
                }
            }
            out
        });
        docs.push(GoldDoc {
            docid: raw.docid,
            doctext: raw.doctext,
            extracts,
            hints: None,
        });
    }
    (docs, errors)
}

/// The prediction file: `{docid: {"pred_extracts": {role: entities}}}`,
/// documents and roles in a stable order.
pub fn predictions_json<'a>(
    preds: impl IntoIterator<Item = (&'a str, &'a RoleLists)>,
) -> serde_json::Value {
    let mut docs = BTreeMap::new();
    for (id, lists) in preds {
        let mut roles = serde_json::Map::new();
        for role in ROLES {
            roles.insert(
                role.as_str().into(),
                serde_json::json!(lists[role as usize]),
            );
        }
        docs.insert(
            id.to_string(),
            serde_json::json!({ "pred_extracts": roles }),
        );
    }
    serde_json::json!(docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_grit_lines() {
        let input = r#"{"docid": "TST1-MUC3-0001", "doctext": "fmln rebels", "extracts": {"PerpOrg": [[["fmln", 0]]], "Victim": [], "Bogus": []}}

{"docid": "X", "doctext": "nothing"}"#;
        let docs = read_jsonl(input).expect("valid");
        assert_eq!(docs.len(), 2);
        assert!(docs[0].is_relevant() && !docs[1].is_relevant());
        assert_eq!(
            docs[0].gold_lists()[Role::PerpOrg as usize],
            vec![vec!["fmln".to_string()]]
        );
        let err = read_jsonl("{\"docid\": 1}\n{oops").expect_err("invalid");
        assert!(err.to_string().starts_with("line 1:"));
    }

    #[test]
    fn a_lenient_read_keeps_every_good_document_and_names_each_bad_line() {
        let input = concat!(
            "{\"docid\": \"A\", \"doctext\": \"a bomb exploded\"}\n",
            "{\"docid\": \"B\", \"doctext\": 5}\n",
            "\n",
            "not json\n",
            "{\"docid\": \"A\", \"doctext\": \"again\"}\n",
            "{\"docid\": \"C\", \"doctext\": \"quiet day\", \"extracts\": {\"Weapon\": [[[\"bomb\", -3]]]}}\n",
        );
        let (docs, errors) = read_jsonl_lenient(input);
        let ids: Vec<&str> = docs.iter().map(|d| d.docid.as_str()).collect();
        assert_eq!(ids, ["A", "C"]);
        assert_eq!(docs[0].doctext, "a bomb exploded", "the first A is kept");
        let lines: Vec<usize> = errors.iter().map(GritError::line).collect();
        assert_eq!(lines, [2, 4, 5]);
        assert_eq!(
            errors[0].to_string(),
            "line 2: invalid type: integer `5`, expected a string (column 27)"
        );
        assert!(errors[2].to_string().contains("already used on line 1"));
        let weapon = &docs[1].extracts.as_ref().expect("annotated")[Role::Weapon as usize];
        assert_eq!(weapon, &vec![vec![("bomb".to_string(), 0)]]);
        // The strict reader stops at the first of them.
        let err = read_jsonl(input).expect_err("line 2 is bad");
        assert_eq!(err.line(), 2);
    }

    #[test]
    fn writes_prediction_file() {
        let mut l = RoleLists::default();
        l[Role::Weapon as usize] = vec![vec!["bomb".into()]];
        let v = predictions_json([("D1", &l)]);
        assert_eq!(v["D1"]["pred_extracts"]["Weapon"][0][0], "bomb");
        assert_eq!(
            v["D1"]["pred_extracts"]["PerpInd"].as_array().map(Vec::len),
            Some(0)
        );
    }
}
