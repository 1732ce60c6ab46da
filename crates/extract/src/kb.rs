//! Knowledge base of named non-place entities: armed groups, government
//! bodies and organisations, media outlets, sites and named events, plus the
//! office and title phrases used to recognise people's roles.
//!
//! The data lives in `data/kb/` of the repository and is embedded in the
//! binary ([`Kb::embedded`]); [`Kb::load_dir`] reads a copy from disk. The
//! files and their provenance are described in `data/kb/README.md`:
//!
//! * `armed-groups.jsonl`, `government-bodies.jsonl`, `media-outlets.jsonl`,
//!   `sites-events.jsonl`: one JSON object per line with the fields of
//!   [`KbRecord`] (`key`, `kind`, `name`, `aliases`, optional `parent`,
//!   `countries`, optional `lat`/`lon`, optional `designations`);
//! * `offices.tsv`: `phrase<TAB>honorific` (`yes`/`no`).
//!
//! Loading checks the data: keys are unique and carry the prefix of their
//! kind (`group:`, `gov:`, `org:`, `media:`, `site:`, `event:`), names are
//! not empty, every parent exists and parent chains have no cycle,
//! coordinates come in pairs and are in range. Any violation is a
//! [`KbError`] naming the file and line.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use vigil_core::EntityType;

/// One entity of the knowledge base.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KbRecord {
    /// Stable key, `<prefix>:<slug>`: `group:islamic-state-khorasan`,
    /// `gov:fbi`, `org:amnesty`, `media:reuters`, `site:cologne-cathedral`,
    /// `event:paris-2024`. Used as [`vigil_core::Entity::kb_id`].
    pub key: String,
    /// Entity type: `ARMED_GROUP`, `GOVERNMENT_BODY`, `ORGANIZATION`,
    /// `MEDIA_OUTLET`, `SITE` or `EVENT`.
    pub kind: EntityType,
    /// Canonical name.
    pub name: String,
    /// Other names: acronyms, transliterations, translations, former names.
    /// Acronyms of up to three capital letters ("IS", "AP") are meant to be
    /// matched case-sensitively.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Key of the parent record (ISIS-K → `group:islamic-state`; the FBI →
    /// `gov:doj`).
    #[serde(default)]
    pub parent: Option<String>,
    /// ISO 3166-1 alpha-2 codes of the countries it operates in or belongs
    /// to (empty for international bodies and generic events).
    #[serde(default)]
    pub countries: Vec<String>,
    /// Latitude of sites and localised events (WGS 84).
    #[serde(default)]
    pub lat: Option<f64>,
    /// Longitude of sites and localised events (WGS 84).
    #[serde(default)]
    pub lon: Option<f64>,
    /// For armed groups: designation lists naming it. `US-FTO` (US State
    /// Department Foreign Terrorist Organizations), `US-SDGT`, `US-TCO`,
    /// `UN` (UN Security Council ISIL/al-Qaida or 1988 sanctions lists),
    /// `EU` (EU terrorist list), `UK` (UK proscribed organisations),
    /// `CA-listed`; a `-former` suffix marks a revoked listing.
    #[serde(default)]
    pub designations: Vec<String>,
}

impl KbRecord {
    /// The name and every alias.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

/// A phrase naming an office, rank or role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Office {
    /// The phrase as written ("Gen.", "director of national intelligence").
    pub phrase: String,
    /// True when it is a title that directly precedes a name ("President",
    /// "Gen.", "Col."); false for role nouns ("spokesman", "head of").
    pub honorific: bool,
}

/// Why the knowledge base could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum KbError {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A JSON Lines record is not valid JSON or lacks a field.
    #[error("{file}:{line}: {source}")]
    Json {
        /// File name.
        file: String,
        /// 1-based line number.
        line: usize,
        /// The parser's complaint.
        source: serde_json::Error,
    },
    /// A record or line breaks a rule of the format.
    #[error("{file}:{line}: {message}")]
    Invalid {
        /// File name.
        file: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// The record files, in load order.
const RECORD_FILES: [&str; 4] = [
    "armed-groups.jsonl",
    "government-bodies.jsonl",
    "media-outlets.jsonl",
    "sites-events.jsonl",
];

const EMBEDDED_RECORDS: [&str; 4] = [
    include_str!("../../../data/kb/armed-groups.jsonl"),
    include_str!("../../../data/kb/government-bodies.jsonl"),
    include_str!("../../../data/kb/media-outlets.jsonl"),
    include_str!("../../../data/kb/sites-events.jsonl"),
];

const EMBEDDED_OFFICES: &str = include_str!("../../../data/kb/offices.tsv");

/// Aliases deliberately shared by records of different kinds, with the
/// reason. Empty today: the loader's test fails when a new clash appears
/// that is not listed here.
pub const CROSS_KIND_ALIASES: &[(&str, &str)] = &[];

/// The knowledge base: records by key and by alias, and office phrases.
#[derive(Debug, Clone)]
pub struct Kb {
    records: Vec<KbRecord>,
    by_key: HashMap<String, usize>,
    by_alias: HashMap<String, Vec<usize>>,
    offices: Vec<Office>,
}

impl Kb {
    /// Parses the data embedded at build time.
    pub fn embedded() -> Result<Kb, KbError> {
        let files: Vec<(&str, &str)> = RECORD_FILES.iter().copied().zip(EMBEDDED_RECORDS).collect();
        Kb::from_sources(&files, EMBEDDED_OFFICES)
    }

    /// Reads the record files and `offices.tsv` from `dir` (a copy of
    /// `data/kb/`).
    pub fn load_dir(dir: &Path) -> Result<Kb, KbError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path).map_err(|source| KbError::Io { path, source })
        };
        let mut texts = Vec::new();
        for name in RECORD_FILES {
            texts.push((name, read(name)?));
        }
        let offices = read("offices.tsv")?;
        let files: Vec<(&str, &str)> = texts.iter().map(|(n, t)| (*n, t.as_str())).collect();
        Kb::from_sources(&files, &offices)
    }

    fn from_sources(files: &[(&str, &str)], offices: &str) -> Result<Kb, KbError> {
        let mut records = Vec::new();
        let mut origin = Vec::new(); // (file, line) of each record, for errors
        let mut by_key = HashMap::new();
        for &(file, text) in files {
            for (i, line) in text.lines().enumerate() {
                let line_no = i + 1;
                if line.trim().is_empty() {
                    continue;
                }
                let invalid = |message: String| KbError::Invalid {
                    file: file.to_string(),
                    line: line_no,
                    message,
                };
                let rec: KbRecord = serde_json::from_str(line).map_err(|source| KbError::Json {
                    file: file.to_string(),
                    line: line_no,
                    source,
                })?;
                check_record(&rec).map_err(invalid)?;
                if by_key.insert(rec.key.clone(), records.len()).is_some() {
                    return Err(invalid(format!("duplicate key {}", rec.key)));
                }
                origin.push((file, line_no));
                records.push(rec);
            }
        }
        for (i, rec) in records.iter().enumerate() {
            let (file, line) = origin[i];
            let invalid = |message: String| KbError::Invalid {
                file: file.to_string(),
                line,
                message,
            };
            // Walk the parent chain: every link must exist, and it must end.
            let mut seen = vec![i];
            let mut cur = rec.parent.as_deref();
            while let Some(p) = cur {
                let &j = by_key
                    .get(p)
                    .ok_or_else(|| invalid(format!("{}: unknown parent {p}", rec.key)))?;
                if seen.contains(&j) {
                    return Err(invalid(format!(
                        "{}: parent chain has a cycle through {p}",
                        rec.key
                    )));
                }
                seen.push(j);
                cur = records[j].parent.as_deref();
            }
        }
        let mut by_alias: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, rec) in records.iter().enumerate() {
            for n in rec.names() {
                let ids = by_alias.entry(alias_key(n)).or_default();
                if !ids.contains(&i) {
                    ids.push(i);
                }
            }
        }
        Ok(Kb {
            records,
            by_key,
            by_alias,
            offices: parse_offices(offices)?,
        })
    }

    /// Every record, in file order (armed groups, government bodies and
    /// organisations, media outlets, sites and events).
    pub fn records(&self) -> &[KbRecord] {
        &self.records
    }

    /// The record with this key.
    pub fn get(&self, key: &str) -> Option<&KbRecord> {
        self.by_key.get(key).map(|&i| &self.records[i])
    }

    /// Records having this name or alias, compared by [`alias_key`]
    /// (case-insensitive, dots and apostrophe variants ignored).
    pub fn lookup(&self, name: &str) -> impl Iterator<Item = &KbRecord> {
        self.by_alias
            .get(&alias_key(name))
            .into_iter()
            .flatten()
            .map(|&i| &self.records[i])
    }

    /// Every office and title phrase.
    pub fn offices(&self) -> &[Office] {
        &self.offices
    }

    /// Canonical name of the parent of the record `key` ("ISIS-K" →
    /// "Islamic State").
    pub fn parent_name(&self, key: &str) -> Option<&str> {
        let parent = self.get(key)?.parent.as_deref()?;
        self.get(parent).map(|r| r.name.as_str())
    }

    /// The chain of parents of `key`, nearest first (loading guarantees it
    /// is finite).
    pub fn ancestors(&self, key: &str) -> Vec<&KbRecord> {
        let mut out = Vec::new();
        let mut cur = self.get(key).and_then(|r| r.parent.as_deref());
        while let Some(p) = cur {
            match self.get(p) {
                Some(r) => {
                    out.push(r);
                    cur = r.parent.as_deref();
                }
                None => break,
            }
        }
        out
    }
}

/// The key under which names are indexed by [`Kb::lookup`]: lowercase,
/// dots removed, typographic apostrophes as `'`, dashes as `-`, runs of
/// whitespace as one space. Diacritics are kept ("Kölner" ≠ "Kolner"); the
/// data lists both spellings where both occur.
pub fn alias_key(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for word in name.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars() {
            match c {
                '.' => {}
                '\u{2018}' | '\u{2019}' | '\u{02BC}' | '`' | '\u{00B4}' => out.push('\''),
                '\u{2010}'..='\u{2015}' => out.push('-'),
                _ => out.extend(c.to_lowercase()),
            }
        }
    }
    out
}

/// The key prefix that goes with each kind of record.
fn prefix_for(kind: EntityType) -> Option<&'static str> {
    Some(match kind {
        EntityType::ArmedGroup => "group:",
        EntityType::GovernmentBody => "gov:",
        EntityType::Organization => "org:",
        EntityType::MediaOutlet => "media:",
        EntityType::Site => "site:",
        EntityType::Event => "event:",
        _ => return None,
    })
}

fn check_record(rec: &KbRecord) -> Result<(), String> {
    let prefix = prefix_for(rec.kind).ok_or_else(|| {
        format!(
            "{}: kind {} does not belong in the knowledge base",
            rec.key,
            rec.kind.as_str()
        )
    })?;
    let slug = rec.key.strip_prefix(prefix).ok_or_else(|| {
        format!(
            "key {} of a {} record must start with {prefix}",
            rec.key,
            rec.kind.as_str()
        )
    })?;
    if slug.is_empty()
        || !slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(format!(
            "key {}: the slug must be lowercase ASCII letters, digits and dashes",
            rec.key
        ));
    }
    if rec.name.trim().is_empty() {
        return Err(format!("{}: empty name", rec.key));
    }
    if let Some(a) = rec.aliases.iter().find(|a| a.trim().is_empty()) {
        return Err(format!("{}: empty alias {a:?}", rec.key));
    }
    if let Some(c) = rec
        .countries
        .iter()
        .find(|c| c.len() != 2 || !c.bytes().all(|b| b.is_ascii_uppercase()))
    {
        return Err(format!(
            "{}: country {c:?} is not an ISO 3166-1 alpha-2 code",
            rec.key
        ));
    }
    match (rec.lat, rec.lon) {
        (None, None) => {}
        (Some(lat), Some(lon)) if lat.abs() <= 90.0 && lon.abs() <= 180.0 => {}
        (Some(_), Some(_)) => return Err(format!("{}: coordinates out of range", rec.key)),
        _ => return Err(format!("{}: lat and lon must be given together", rec.key)),
    }
    Ok(())
}

fn parse_offices(text: &str) -> Result<Vec<Office>, KbError> {
    let mut out = Vec::new();
    let mut header_seen = false;
    for (i, line) in text.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let invalid = |message: String| KbError::Invalid {
            file: "offices.tsv".into(),
            line: i + 1,
            message,
        };
        if !header_seen {
            header_seen = true;
            if line != "phrase\thonorific" {
                return Err(invalid(format!(
                    "expected the header \"phrase<TAB>honorific\", found {line:?}"
                )));
            }
            continue;
        }
        let (phrase, flag) = line
            .split_once('\t')
            .ok_or_else(|| invalid("expected phrase<TAB>honorific".into()))?;
        let honorific = match flag {
            "yes" => true,
            "no" => false,
            _ => {
                return Err(invalid(format!(
                    "honorific must be yes or no, not {flag:?}"
                )))
            }
        };
        if phrase.trim().is_empty() || phrase.trim() != phrase {
            return Err(invalid(format!("bad phrase {phrase:?}")));
        }
        out.push(Office {
            phrase: phrase.to_string(),
            honorific,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::sync::OnceLock;

    use super::*;

    fn kb() -> &'static Kb {
        static KB: OnceLock<Kb> = OnceLock::new();
        KB.get_or_init(|| match Kb::embedded() {
            Ok(kb) => kb,
            Err(e) => panic!("embedded knowledge base does not load: {e}"),
        })
    }

    fn keys(name: &str) -> Vec<&'static str> {
        kb().lookup(name).map(|r| r.key.as_str()).collect()
    }

    #[test]
    fn sizes() {
        let count = |k: EntityType| kb().records().iter().filter(|r| r.kind == k).count();
        assert!(count(EntityType::ArmedGroup) >= 150);
        assert!(count(EntityType::MediaOutlet) >= 120);
        assert!(count(EntityType::GovernmentBody) >= 100);
        assert!(count(EntityType::Site) >= 30);
        assert!(count(EntityType::Event) >= 15);
        assert!(kb().offices().len() >= 100);
    }

    #[test]
    fn isis_k_family() {
        let kb = kb();
        for alias in [
            "ISIS-K",
            "ISKP",
            "IS-K",
            "ISIL-K",
            "Islamic State Khorasan Province",
            "ISIS-Khorasan",
            "isis khorasan",
        ] {
            assert_eq!(keys(alias), ["group:islamic-state-khorasan"], "{alias}");
        }
        assert_eq!(
            kb.parent_name("group:islamic-state-khorasan"),
            Some("Islamic State")
        );
        for alias in ["ISIS", "ISIL", "IS", "Daesh", "Islamic State"] {
            assert_eq!(keys(alias), ["group:islamic-state"], "{alias}");
        }
        for (alias, parent) in [
            ("ISWAP", "Islamic State"),
            ("AQAP", "al-Qaeda"),
            ("al-Shabaab", "al-Qaeda"),
            ("JNIM", "al-Qaeda"),
            ("Haqqani network", "Taliban"),
            ("FPL", "Farabundo Marti National Liberation Front"),
            ("EGP", "Guatemalan National Revolutionary Unity"),
        ] {
            let k = keys(alias);
            assert_eq!(k.len(), 1, "{alias}: {k:?}");
            assert_eq!(kb.parent_name(k[0]), Some(parent), "{alias}");
        }
        let chain: Vec<&str> = kb
            .ancestors("group:hts")
            .iter()
            .map(|r| r.key.as_str())
            .collect();
        assert_eq!(chain, ["group:al-nusra", "group:al-qaeda"]);
    }

    #[test]
    fn required_entities_are_present() {
        for name in [
            "Pakistani Taliban",
            "Tehrik-i-Taliban Pakistan",
            "Lashkar-e-Taiba",
            "Jaish-e-Mohammed",
            "Boko Haram",
            "Hamas",
            "Hezbollah",
            "Houthis",
            "Ansar Allah",
            "PKK",
            "PFLP",
            "Abu Sayyaf",
            "ETA",
            "Real IRA",
            "FARC",
            "ELN",
            "EPL",
            "Sendero Luminoso",
            "MRTA",
            "FMLN",
            "URNG",
            "Contras",
            "FPMR",
            "M-19",
            "Extraditables",
            "Medellin Cartel",
            "Cali Cartel",
            "death squads",
            "Wagner Group",
            "Atomwaffen Division",
            "The Base",
            "National Action",
            "Aum Shinrikyo",
            "Zarate Willka",
            "Cinchoneros",
            "Lorenzo Zelaya",
            "Morazanist Patriotic Front",
            "Ricardo Franco Front",
            // government bodies and organisations
            "United Nations",
            "UN Security Council",
            "EU",
            "NATO",
            "Europol",
            "Interpol",
            "FBI",
            "CIA",
            "DHS",
            "National Counterterrorism Center",
            "Office of the Director of National Intelligence",
            "US Central Command",
            "CENTCOM",
            "Senate",
            "House of Representatives",
            "Bundestag",
            "Verfassungsschutz",
            "DGSI",
            "MI5",
            "MI6",
            "Scotland Yard",
            "Metropolitan Police",
            "FSB",
            "Pentagon",
            "State Department",
            "Salvadoran Armed Forces",
            "Amnesty International",
            "Human Rights Watch",
            "Red Cross",
            // media
            "The New York Times",
            "NYT",
            "New York Times",
            "CNN",
            "BBC",
            "Reuters",
            "AP",
            "Associated Press",
            "AFP",
            "Agence France-Presse",
            "Al Jazeera",
            "Shafaq News",
            "EFE",
            "Xinhua",
            "TASS",
            "RIA Novosti",
            "Anadolu",
            "Der Spiegel",
            "Le Monde",
            "The Guardian",
            "Washington Post",
            "Wall Street Journal",
            "Bloomberg",
            "Politico",
            "Sky News",
            "France 24",
            "DW",
            "Radio Free Europe",
            "Prensa Latina",
            "ACAN",
            "Notimex",
            // sites and events
            "Cologne Cathedral",
            "Notre-Dame",
            "Eiffel Tower",
            "Kaaba",
            "Al-Aqsa",
            "Crocus City Hall",
            "Bataclan",
            "Times Square",
            "Brandenburg Gate",
            "Olympic Games",
            "Paris 2024",
            "Paris Olympics",
            "World Cup",
            "Euro 2024",
            "Champions League final",
            "Hajj",
            "Christmas market",
            "New Year's Eve",
        ] {
            assert!(!keys(name).is_empty(), "{name} is missing");
        }
        let cathedral = kb()
            .get("site:cologne-cathedral")
            .map(|r| (r.kind, r.countries.clone(), r.lat.is_some()));
        assert_eq!(
            cathedral,
            Some((EntityType::Site, vec!["DE".to_string()], true))
        );
        assert_eq!(
            kb().lookup("Paris 2024").next().map(|r| r.kind),
            Some(EntityType::Event)
        );
    }

    #[test]
    fn every_parent_exists_and_names_are_not_empty() {
        let kb = kb();
        for r in kb.records() {
            assert!(!r.name.trim().is_empty(), "{}", r.key);
            if let Some(p) = &r.parent {
                assert!(kb.get(p).is_some(), "{} has unknown parent {p}", r.key);
                assert_ne!(p, &r.key);
            }
        }
    }

    #[test]
    fn no_alias_names_two_kinds_unless_documented() {
        let mut kinds: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
        for r in kb().records() {
            for n in r.names() {
                kinds
                    .entry(alias_key(n))
                    .or_default()
                    .insert(r.kind.as_str());
            }
        }
        let allowed: BTreeSet<String> = CROSS_KIND_ALIASES
            .iter()
            .map(|(a, _)| alias_key(a))
            .collect();
        let clashes: Vec<_> = kinds
            .iter()
            .filter(|(a, k)| k.len() > 1 && !allowed.contains(*a))
            .collect();
        assert!(
            clashes.is_empty(),
            "undocumented cross-kind aliases: {clashes:?}"
        );
    }

    #[test]
    fn offices() {
        let find = |p: &str| {
            kb().offices()
                .iter()
                .find(|o| o.phrase == p)
                .map(|o| o.honorific)
        };
        assert_eq!(find("Gen."), Some(true));
        assert_eq!(find("Col."), Some(true));
        assert_eq!(find("President"), Some(true));
        assert_eq!(find("spokesman"), Some(false));
        assert_eq!(find("director of national intelligence"), Some(false));
        assert_eq!(find("head of"), Some(false));
    }

    #[test]
    fn malformed_data_is_rejected_with_file_and_line() {
        let err = |files: &[(&str, &str)], offices: &str| match Kb::from_sources(files, offices) {
            Ok(_) => panic!("accepted"),
            Err(e) => e.to_string(),
        };
        let offices = "phrase\thonorific\nGen.\tyes\n";
        let good = r#"{"key":"group:a","kind":"ARMED_GROUP","name":"A","countries":[]}"#;
        assert!(Kb::from_sources(&[("g.jsonl", good)], offices).is_ok());
        let e = err(&[("g.jsonl", &format!("{good}\n{{\"key\":"))], offices);
        assert!(e.starts_with("g.jsonl:2: "), "{e}");
        let e = err(
            &[(
                "g.jsonl",
                r#"{"key":"group:b","kind":"ARMED_GROUP","name":"B","parent":"group:zz"}"#,
            )],
            offices,
        );
        assert!(e.contains("unknown parent group:zz"), "{e}");
        let e = err(
            &[(
                "g.jsonl",
                r#"{"key":"gov:b","kind":"ARMED_GROUP","name":"B"}"#,
            )],
            offices,
        );
        assert!(e.contains("must start with group:"), "{e}");
        let e = err(
            &[(
                "g.jsonl",
                r#"{"key":"group:b","kind":"ARMED_GROUP","name":" "}"#,
            )],
            offices,
        );
        assert!(e.contains("empty name"), "{e}");
        let cycle = "{\"key\":\"group:a\",\"kind\":\"ARMED_GROUP\",\"name\":\"A\",\"parent\":\"group:b\"}\n{\"key\":\"group:b\",\"kind\":\"ARMED_GROUP\",\"name\":\"B\",\"parent\":\"group:a\"}";
        assert!(err(&[("g.jsonl", cycle)], offices).contains("cycle"));
        let e = err(&[("g.jsonl", good)], "phrase\thonorific\nGen.\tmaybe\n");
        assert!(e.starts_with("offices.tsv:2: "), "{e}");
    }

    #[test]
    fn load_dir_matches_embedded() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/kb");
        match Kb::load_dir(&dir) {
            Ok(k) => assert_eq!(k.records().len(), kb().records().len()),
            Err(e) => panic!("{e}"),
        }
    }
}
