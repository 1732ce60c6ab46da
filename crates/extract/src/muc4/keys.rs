//! The raw MUC-4 answer keys: one template per incident, slots numbered
//! `0.` to `24.`, values continued on indented lines.
//!
//! Split: the `key-dev-*.muc4` files answer the `DEV-MUC3-*` documents,
//! which are GRIT's *training* set; `key-tst1*`/`key-tst2*` answer TST1 and
//! TST2, GRIT's *dev* set. [`read_dir`] reads only the training keys, so
//! training can never see dev answers.

use std::collections::HashMap;
use std::path::Path;

use chrono::{Days, NaiveDate};

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

/// How many of `docids` have a `gold` label (from [`primary_types`] or
/// [`primary_stages`]) and a prediction, and how many of those agree:
/// `(right, total)`.
pub fn label_accuracy<'a>(
    gold: &HashMap<String, String>,
    docids: impl IntoIterator<Item = &'a str>,
    pred: impl Fn(&str) -> Option<&'a str>,
) -> (usize, usize) {
    let (mut right, mut total) = (0usize, 0usize);
    for id in docids {
        if let (Some(g), Some(p)) = (gold.get(id), pred(id)) {
            total += 1;
            right += usize::from(g == p);
        }
    }
    (right, total)
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

/// The main template of each document: its first non-optional relevant
/// template, or failing that its first template (the template
/// [`primary_types`] and [`primary_stages`] read).
pub fn primary_templates(keys: &[KeyTemplate]) -> HashMap<String, &KeyTemplate> {
    let mut out: HashMap<String, &KeyTemplate> = HashMap::new();
    for t in keys {
        let firm = t.relevant && !t.optional;
        match out.get(&t.docid) {
            None => {
                out.insert(t.docid.clone(), t);
            }
            Some(prev) if firm && (!prev.relevant || prev.optional) => {
                out.insert(t.docid.clone(), t);
            }
            _ => {}
        }
    }
    out
}

/// An incident date in one of the three forms of the MUC-4 fill rules
/// (task definition, slot 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IncidentDate {
    /// "21 JAN 89": on that day.
    On(NaiveDate),
    /// "15 JAN 89 - 21 JAN 89": on or between the two days.
    Between(NaiveDate, NaiveDate),
    /// "- 21 JAN 89": on or before that day (the form the keys use for a
    /// weekday name, "last week", or a date taken from the dateline).
    OnOrBefore(NaiveDate),
}

/// How far back "on or before D" reaches when a date is checked against
/// it ([`IncidentDate::interval`]): the month up to D.
pub const ON_OR_BEFORE_DAYS: u64 = 30;

impl IncidentDate {
    /// The days the date covers, inclusive. [`IncidentDate::OnOrBefore`]
    /// covers the [`ON_OR_BEFORE_DAYS`] days before D and D itself.
    pub fn interval(&self) -> (NaiveDate, NaiveDate) {
        match *self {
            IncidentDate::On(d) => (d, d),
            IncidentDate::Between(a, b) => (a.min(b), a.max(b)),
            IncidentDate::OnOrBefore(d) => (
                d.checked_sub_days(Days::new(ON_OR_BEFORE_DAYS))
                    .unwrap_or(d),
                d,
            ),
        }
    }

    /// The form of the answer keys ("03 JAN 90", "- 15 FEB 90").
    pub fn to_key_string(&self) -> String {
        let f = |d: NaiveDate| d.format("%d %b %y").to_string().to_uppercase();
        match *self {
            IncidentDate::On(d) => f(d),
            IncidentDate::Between(a, b) => format!("{} - {}", f(a), f(b)),
            IncidentDate::OnOrBefore(d) => format!("- {}", f(d)),
        }
    }
}

/// Parses "3 JAN 90" / "03 Jan 1990" (day, month abbreviation, two- or
/// four-digit year; two-digit years are 19xx).
fn parse_day(s: &str) -> Option<NaiveDate> {
    let mut it = s.split_whitespace();
    let day: u32 = it.next()?.parse().ok()?;
    let month = match it.next()?.to_ascii_uppercase().get(..3)? {
        "JAN" => 1,
        "FEB" => 2,
        "MAR" => 3,
        "APR" => 4,
        "MAY" => 5,
        "JUN" => 6,
        "JUL" => 7,
        "AUG" => 8,
        "SEP" => 9,
        "OCT" => 10,
        "NOV" => 11,
        "DEC" => 12,
        _ => return None,
    };
    let year: i32 = it.next()?.parse().ok()?;
    if it.next().is_some() {
        return None;
    }
    let year = if year < 100 { 1900 + year } else { year };
    NaiveDate::from_ymd_opt(year, month, day)
}

/// Splits `s` on `sep` where it is outside parentheses.
fn split_top(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            c if c == sep && depth <= 0 => {
                out.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// Removes one pair of parentheses enclosing the whole of `s`.
fn unwrap_parens(s: &str) -> &str {
    let s = s.trim();
    if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        // Only when the opening parenthesis closes at the very end.
        let mut depth = 0i32;
        for c in inner.chars() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth < 0 {
                        return s;
                    }
                }
                _ => {}
            }
        }
        if depth == 0 {
            return inner.trim();
        }
    }
    s
}

/// Parses an `INCIDENT: DATE` value into its alternatives ("(A) / (B)");
/// alternatives that are not a date in one of the three forms (a missing
/// year, "-" alone) are left out.
pub fn parse_dates(value: &str) -> Vec<IncidentDate> {
    let mut out = Vec::new();
    for alt in split_top(value, '/') {
        let alt = unwrap_parens(alt);
        let parsed = if let Some(rest) = alt.strip_prefix('-') {
            parse_day(rest).map(IncidentDate::OnOrBefore)
        } else if let Some((a, b)) = alt.split_once('-') {
            parse_day(a)
                .zip(parse_day(b))
                .map(|(a, b)| IncidentDate::Between(a, b))
        } else {
            parse_day(alt).map(IncidentDate::On)
        };
        out.extend(parsed);
    }
    out
}

/// One named place of a location filler: "MEDELLIN (CITY)".
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeyPlace {
    /// "MEDELLIN".
    pub name: String,
    /// "CITY", "DEPARTMENT", "NEIGHBORHOOD"… (alternatives "CITY /
    /// DEPARTMENT" kept as written); `None` when the key gives none.
    pub kind: Option<String>,
}

/// An incident location: a country, then places of increasing
/// specificity ("COLOMBIA: ANTIOQUIA (DEPARTMENT): MEDELLIN (CITY)").
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IncidentLocation {
    /// "COLOMBIA".
    pub country: String,
    /// The levels after the country, most specific last. A level has
    /// two places when the incident happened between them ("CUCUTA
    /// (CITY) - CAMPANARIO (REGION)").
    pub levels: Vec<Vec<KeyPlace>>,
}

impl IncidentLocation {
    /// The places of the most specific level (empty for a country alone).
    pub fn most_specific(&self) -> &[KeyPlace] {
        self.levels.last().map(Vec::as_slice).unwrap_or(&[])
    }

    /// The form of the answer keys.
    pub fn to_key_string(&self) -> String {
        let mut out = self.country.clone();
        for level in &self.levels {
            out.push_str(": ");
            let parts: Vec<String> = level
                .iter()
                .map(|p| match &p.kind {
                    Some(k) => format!("{} ({k})", p.name),
                    None => p.name.clone(),
                })
                .collect();
            out.push_str(&parts.join(" - "));
        }
        out
    }
}

fn parse_place(s: &str) -> Option<KeyPlace> {
    let s = s.trim();
    let (name, kind) = match s.find('(') {
        Some(i) if s.ends_with(')') => (
            s[..i].trim(),
            Some(s[i + 1..s.len() - 1].trim().to_string()),
        ),
        _ => (s, None),
    };
    (!name.is_empty()).then(|| KeyPlace {
        name: name.to_string(),
        kind: kind.filter(|k| !k.is_empty()),
    })
}

/// Parses an `INCIDENT: LOCATION` value into its alternatives ("(A) /
/// (B)", "EL SALVADOR / HONDURAS"). A leading "?" (doubt) is ignored;
/// alternatives without a country name are left out.
pub fn parse_locations(value: &str) -> Vec<IncidentLocation> {
    let mut out = Vec::new();
    for alt in split_top(value, '/') {
        let alt = unwrap_parens(alt).trim_start_matches('?').trim();
        let mut levels = split_top(alt, ':').into_iter();
        let country = levels.next().unwrap_or("").trim();
        if country.is_empty() || country.contains('(') {
            continue;
        }
        let levels: Vec<Vec<KeyPlace>> = levels
            .map(|l| l.split(" - ").filter_map(parse_place).collect())
            .filter(|l: &Vec<KeyPlace>| !l.is_empty())
            .collect();
        out.push(IncidentLocation {
            country: country.to_string(),
            levels,
        });
    }
    out
}

impl KeyTemplate {
    /// The alternatives of the `INCIDENT: DATE` slot ([`parse_dates`]).
    pub fn dates(&self) -> Vec<IncidentDate> {
        self.date.as_deref().map(parse_dates).unwrap_or_default()
    }

    /// The alternatives of the `INCIDENT: LOCATION` slot
    /// ([`parse_locations`]).
    pub fn locations(&self) -> Vec<IncidentLocation> {
        self.location
            .as_deref()
            .map(parse_locations)
            .unwrap_or_default()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn label_accuracy_counts_documents_with_both_labels() {
        let gold: HashMap<String, String> = [("a", "ATTACK"), ("b", "NONE"), ("c", "BOMBING")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let pred = |id: &str| match id {
            "a" => Some("ATTACK"),
            "b" => Some("BOMBING"),
            "d" => Some("NONE"),
            _ => None,
        };
        // "c" has no prediction and "d" no key: neither counts.
        assert_eq!(label_accuracy(&gold, ["a", "b", "c", "d"], pred), (1, 2));
    }

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

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn parses_date_forms() {
        assert_eq!(
            parse_dates("30 DEC 89"),
            vec![IncidentDate::On(day(1989, 12, 30))]
        );
        assert_eq!(
            parse_dates("- 15 FEB 90"),
            vec![IncidentDate::OnOrBefore(day(1990, 2, 15))]
        );
        assert_eq!(
            parse_dates("-4 NOV 89"),
            vec![IncidentDate::OnOrBefore(day(1989, 11, 4))]
        );
        assert_eq!(
            parse_dates("28 MAR 89 - 02 APR 89"),
            vec![IncidentDate::Between(day(1989, 3, 28), day(1989, 4, 2))]
        );
        assert_eq!(
            parse_dates("(12 DEC 89) / (- 14 DEC 89)"),
            vec![
                IncidentDate::On(day(1989, 12, 12)),
                IncidentDate::OnOrBefore(day(1989, 12, 14))
            ]
        );
        assert_eq!(
            parse_dates("03 Feb 90"),
            vec![IncidentDate::On(day(1990, 2, 3))]
        );
        // No year, no date, an impossible day: nothing.
        assert!(parse_dates("12 NOV").is_empty());
        assert!(parse_dates("-").is_empty());
        assert!(parse_dates("31 FEB 90").is_empty());
    }

    #[test]
    fn date_intervals_and_key_form() {
        let d = IncidentDate::OnOrBefore(day(1990, 1, 15));
        assert_eq!(d.interval(), (day(1989, 12, 16), day(1990, 1, 15)));
        assert_eq!(d.to_key_string(), "- 15 JAN 90");
        let b = IncidentDate::Between(day(1989, 3, 28), day(1989, 4, 2));
        assert_eq!(b.to_key_string(), "28 MAR 89 - 02 APR 89");
        assert_eq!(parse_dates(&b.to_key_string()), vec![b]);
        assert_eq!(
            IncidentDate::On(day(1989, 4, 19)).interval().0,
            day(1989, 4, 19)
        );
    }

    #[test]
    fn parses_location_forms() {
        let l = parse_locations("COLOMBIA: ANTIOQUIA (DEPARTMENT): MEDELLIN (CITY)");
        assert_eq!(l.len(), 1);
        assert_eq!(l[0].country, "COLOMBIA");
        assert_eq!(l[0].levels.len(), 2);
        assert_eq!(l[0].most_specific()[0].name, "MEDELLIN");
        assert_eq!(l[0].most_specific()[0].kind.as_deref(), Some("CITY"));
        assert_eq!(
            l[0].to_key_string(),
            "COLOMBIA: ANTIOQUIA (DEPARTMENT): MEDELLIN (CITY)"
        );

        let l = parse_locations("PERU");
        assert_eq!(l[0].country, "PERU");
        assert!(l[0].most_specific().is_empty());

        let l = parse_locations("COLOMBIA: CUCUTA (CITY) - CAMPANARIO (REGION)");
        let names: Vec<&str> = l[0]
            .most_specific()
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(names, ["CUCUTA", "CAMPANARIO"]);

        let l = parse_locations(
            "(EL SALVADOR: SAN SALVADOR (CITY)) / (EL SALVADOR: LA LIBERTAD (DEPARTMENT))",
        );
        assert_eq!(l.len(), 2);
        assert_eq!(l[1].most_specific()[0].name, "LA LIBERTAD");

        let l = parse_locations("EL SALVADOR: SAN SALVADOR (CITY / DEPARTMENT)");
        assert_eq!(l.len(), 1);
        assert_eq!(
            l[0].most_specific()[0].kind.as_deref(),
            Some("CITY / DEPARTMENT")
        );

        let l = parse_locations("EL SALVADOR / HONDURAS");
        assert_eq!(l.len(), 2);
        assert_eq!(l[1].country, "HONDURAS");

        let l = parse_locations("? EL SALVADOR");
        assert_eq!(l[0].country, "EL SALVADOR");

        let l = parse_locations("(EL SALVADOR) / (EL SALVADOR: SAN SALVADOR (CITY))");
        assert_eq!(l.len(), 2);
        assert!(l[0].most_specific().is_empty());
        assert_eq!(l[1].most_specific()[0].name, "SAN SALVADOR");
        // Hyphenated names are one place.
        let l = parse_locations("PERU: SAN JUAN-BAUTISTA (TOWN)");
        assert_eq!(l[0].most_specific()[0].name, "SAN JUAN-BAUTISTA");
    }

    #[test]
    fn primary_template_is_first_firm_one() {
        let k = parse(KEY);
        let p = primary_templates(&k);
        assert_eq!(p["DEV-MUC3-0001"].incident_type.as_deref(), Some("ATTACK"));
        assert!(!p["DEV-MUC3-0002"].relevant);
        assert_eq!(k[0].dates(), vec![IncidentDate::On(day(1989, 12, 30))]);
        assert_eq!(k[0].locations()[0].country, "EL SALVADOR");
    }
}
