//! The raw MUC-4 answer keys: one template per incident, slots numbered
//! `0.` to `24.`, values continued on indented lines.
//!
//! Split: the `key-dev-*.muc4` files answer the `DEV-MUC3-*` documents,
//! which are GRIT's *training* set; `key-tst1*`/`key-tst2*` answer TST1 and
//! TST2, GRIT's *dev* set. [`read_dir`] reads only the training keys, so
//! training can never see dev answers.

use std::collections::HashMap;
use std::path::Path;

/// The incident-level slots of one template.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeyTemplate {
    /// "DEV-MUC3-0001".
    pub docid: String,
    /// `false` for the "*" template of a document reporting no incident.
    pub relevant: bool,
    /// "(OPTIONAL)" templates.
    pub optional: bool,
    /// ATTACK, BOMBING, KIDNAPPING, ARSON, ROBBERY, FORCED WORK STOPPAGE.
    pub incident_type: Option<String>,
    /// ACCOMPLISHED, ATTEMPTED, THREATENED (first alternative when several).
    pub stage: Option<String>,
    /// As written ("30 DEC 89", "- 15 FEB 90").
    pub date: Option<String>,
    /// As written ("EL SALVADOR: SAN MIGUEL (DEPARTMENT)").
    pub location: Option<String>,
}

/// Incident types, in the order of the incident classifier's labels;
/// "NONE" is a document without incident.
pub const INCIDENT_TYPES: [&str; 7] = [
    "NONE",
    "ATTACK",
    "BOMBING",
    "KIDNAPPING",
    "ARSON",
    "ROBBERY",
    "FORCED WORK STOPPAGE",
];

fn value(v: &str) -> Option<String> {
    let v = v.trim();
    if v.is_empty() || v == "*" || v == "-" {
        None
    } else {
        Some(v.to_string())
    }
}

/// Parses the templates of a key file.
pub fn parse(text: &str) -> Vec<KeyTemplate> {
    let mut out: Vec<KeyTemplate> = Vec::new();
    let mut cur: Option<KeyTemplate> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        let Some(dot) = trimmed.find('.') else {
            continue;
        };
        let Ok(slot) = trimmed[..dot].parse::<u32>() else {
            continue;
        };
        if line.starts_with(' ') {
            continue; // a continuation line
        }
        let rest = trimmed[dot + 1..].trim_start();
        // Slot name and value are separated by two or more spaces.
        let (_name, val) = match rest.find("  ") {
            Some(i) => (&rest[..i], rest[i..].trim()),
            None => (rest, ""),
        };
        match slot {
            0 => {
                out.extend(cur.take());
                let docid = val.split_whitespace().next().unwrap_or("").to_string();
                cur = Some(KeyTemplate {
                    docid,
                    ..KeyTemplate::default()
                });
            }
            1 => {
                if let Some(t) = cur.as_mut() {
                    t.relevant = val != "*";
                    t.optional = val.contains("OPTIONAL");
                }
            }
            2 => {
                if let Some(t) = cur.as_mut() {
                    t.date = value(val);
                }
            }
            3 => {
                if let Some(t) = cur.as_mut() {
                    t.location = value(val);
                }
            }
            4 => {
                if let Some(t) = cur.as_mut() {
                    t.incident_type = value(val);
                }
            }
            5 => {
                if let Some(t) = cur.as_mut() {
                    t.stage = value(val.split('/').next().unwrap_or(""));
                }
            }
            _ => {}
        }
    }
    out.extend(cur);
    out
}

/// Reads and parses the training keys (`key-dev-*` files) of a directory,
/// in file-name order.
pub fn read_dir(dir: &Path) -> std::io::Result<Vec<KeyTemplate>> {
    let mut names: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("key-dev-"))
        })
        .collect();
    names.sort();
    let mut out = Vec::new();
    for p in names {
        let bytes = std::fs::read(&p)?;
        out.extend(parse(&String::from_utf8_lossy(&bytes)));
    }
    Ok(out)
}

/// The main incident type of each document: that of its first
/// non-optional template (or first template), "NONE" when irrelevant.
pub fn primary_types(keys: &[KeyTemplate]) -> HashMap<String, String> {
    let mut out: HashMap<String, (bool, String)> = HashMap::new();
    for t in keys {
        let ty = if t.relevant {
            t.incident_type.clone().unwrap_or_else(|| "NONE".into())
        } else {
            "NONE".into()
        };
        let ty = ty.trim().to_string();
        let firm = t.relevant && !t.optional;
        match out.get(&t.docid) {
            None => {
                out.insert(t.docid.clone(), (firm, ty));
            }
            Some((false, _)) if firm => {
                out.insert(t.docid.clone(), (firm, ty));
            }
            _ => {}
        }
    }
    out.into_iter().map(|(k, (_, v))| (k, v)).collect()
}

/// Stages of execution, in the order of the stage classifier's labels;
/// "NONE" is a document without incident.
pub const STAGES: [&str; 4] = ["NONE", "ACCOMPLISHED", "ATTEMPTED", "THREATENED"];

/// The stage of execution of each document's main incident (the template
/// [`primary_types`] takes the type from), "NONE" when irrelevant.
pub fn primary_stages(keys: &[KeyTemplate]) -> HashMap<String, String> {
    let mut out: HashMap<String, (bool, String)> = HashMap::new();
    for t in keys {
        let st = if t.relevant {
            t.stage.clone().unwrap_or_else(|| "NONE".into())
        } else {
            "NONE".into()
        };
        let st = st.trim().to_string();
        let firm = t.relevant && !t.optional;
        match out.get(&t.docid) {
            None => {
                out.insert(t.docid.clone(), (firm, st));
            }
            Some((false, _)) if firm => {
                out.insert(t.docid.clone(), (firm, st));
            }
            _ => {}
        }
    }
    out.into_iter().map(|(k, (_, v))| (k, v)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "
0.  MESSAGE: ID                     DEV-MUC3-0001 (NCCOSC)
1.  MESSAGE: TEMPLATE               1 (OPTIONAL)
2.  INCIDENT: DATE                  30 DEC 89
3.  INCIDENT: LOCATION              EL SALVADOR: SAN MIGUEL (DEPARTMENT)
4.  INCIDENT: TYPE                  KIDNAPPING
5.  INCIDENT: STAGE OF EXECUTION    ACCOMPLISHED / ATTEMPTED
6.  INCIDENT: INSTRUMENT ID         \"MORTAR\"
                                    \"RIFLE\"

0.  MESSAGE: ID                     DEV-MUC3-0001 (NCCOSC)
1.  MESSAGE: TEMPLATE               2
4.  INCIDENT: TYPE                  ATTACK

0.  MESSAGE: ID                     DEV-MUC3-0002 (NCCOSC)
1.  MESSAGE: TEMPLATE               *
4.  INCIDENT: TYPE                  *
";

    #[test]
    fn parses_templates() {
        let k = parse(KEY);
        assert_eq!(k.len(), 3);
        assert_eq!(k[0].docid, "DEV-MUC3-0001");
        assert!(k[0].relevant && k[0].optional);
        assert_eq!(k[0].stage.as_deref(), Some("ACCOMPLISHED"));
        assert_eq!(
            k[0].location.as_deref(),
            Some("EL SALVADOR: SAN MIGUEL (DEPARTMENT)")
        );
        assert!(!k[2].relevant && k[2].incident_type.is_none());
        let p = primary_types(&k);
        assert_eq!(p["DEV-MUC3-0001"], "ATTACK");
        assert_eq!(p["DEV-MUC3-0002"], "NONE");
    }
}
