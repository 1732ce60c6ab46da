//! The test suite every backend must pass, written once against
//! `dyn Store` and instantiated per backend by `suite!`: SQLite always,
//! PostgreSQL when `VIGIL_TEST_POSTGRES` holds a server URL (otherwise its
//! tests print `SKIPPED: VIGIL_TEST_POSTGRES not set` and pass).

use std::collections::HashSet;
use std::time::Duration;

use vigil_core::{
    Analysis, DateValue, Document, Entity, EntityType, Event, EventType, Geo, Mention, Origin,
    Precision, Slot, Span, Stage,
};

use crate::search::parse;
use crate::{
    ActorFilter, DuplicateReason, EventRef, FeedState, JobKind, JobState, NewJob, Outcome, Page,
    Query, Sort, Store, StoreError, MAX_ATTEMPTS,
};

pub(crate) type R = Result<(), Box<dyn std::error::Error>>;

/// A fresh, empty store of one backend, opened as often as a test needs
/// (several handles on one store play several workers).
pub(crate) struct Fixture {
    pub spec: String,
    _dir: Option<tempfile::TempDir>,
    cleanup: Option<Box<dyn FnOnce()>>,
}

impl Fixture {
    pub fn open(&self) -> Result<Box<dyn Store>, StoreError> {
        crate::open(&self.spec)
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        if let Some(cleanup) = self.cleanup.take() {
            cleanup();
        }
    }
}

/// A fresh SQLite store in a temporary directory.
pub(crate) fn sqlite() -> Result<Option<Fixture>, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    Ok(Some(Fixture {
        spec: dir.path().display().to_string(),
        _dir: Some(dir),
        cleanup: None,
    }))
}

/// A fresh PostgreSQL schema on the server named by `VIGIL_TEST_POSTGRES`,
/// dropped at the end of the test; `None` when the variable is not set.
pub(crate) fn postgres() -> Result<Option<Fixture>, Box<dyn std::error::Error>> {
    let Ok(url) = std::env::var("VIGIL_TEST_POSTGRES") else {
        return Ok(None);
    };
    let schema = crate::ScratchSchema::create(&url, "vigil_test")?;
    Ok(Some(Fixture {
        spec: schema.spec().to_string(),
        _dir: None,
        cleanup: Some(Box::new(move || drop(schema))),
    }))
}

pub(crate) fn run(
    backend: &str,
    fresh: fn() -> Result<Option<Fixture>, Box<dyn std::error::Error>>,
    case: fn(&Fixture) -> R,
) -> R {
    match fresh()? {
        Some(fixture) => case(&fixture),
        None => {
            println!("SKIPPED: VIGIL_TEST_{} not set", backend.to_uppercase());
            Ok(())
        }
    }
}

macro_rules! suite {
    ($backend:ident) => {
        mod $backend {
            use crate::suite::{cases, run, R};
            fn go(case: fn(&crate::suite::Fixture) -> R) -> R {
                run(stringify!($backend), crate::suite::$backend, case)
            }
            #[test]
            fn duplicates_change_nothing() -> R {
                go(cases::duplicates_change_nothing)
            }
            #[test]
            fn near_duplicates_join_a_story() -> R {
                go(cases::near_duplicates_join_a_story)
            }
            #[test]
            fn documents_round_trip() -> R {
                go(cases::documents_round_trip)
            }
            #[test]
            fn filters_select_incidents() -> R {
                go(cases::filters_select_incidents)
            }
            #[test]
            fn filters_combine_and_repeat() -> R {
                go(cases::filters_combine_and_repeat)
            }
            #[test]
            fn crime_and_killed_filters() -> R {
                go(cases::crime_and_killed_filters)
            }
            #[test]
            fn relevance_then_recency() -> R {
                go(cases::relevance_then_recency)
            }
            #[test]
            fn pages_and_sorts() -> R {
                go(cases::pages_and_sorts)
            }
            #[test]
            fn streams_incidents() -> R {
                go(cases::streams_incidents)
            }
            #[test]
            fn splits_survive_recompute_and_reingest() -> R {
                go(cases::splits_survive_recompute_and_reingest)
            }
            #[test]
            fn incremental_merge_equals_recompute() -> R {
                go(cases::incremental_merge_equals_recompute)
            }
            #[test]
            fn incremental_merge_keeps_splits() -> R {
                go(cases::incremental_merge_keeps_splits)
            }
            #[test]
            fn imports_incidents() -> R {
                go(cases::imports_incidents)
            }
            #[test]
            fn actors_across_documents() -> R {
                go(cases::actors_across_documents)
            }
            #[test]
            fn jobs_claim_complete_fail() -> R {
                go(cases::jobs_claim_complete_fail)
            }
            #[test]
            fn leases_expire() -> R {
                go(cases::leases_expire)
            }
            #[test]
            fn concurrent_workers_neither_duplicate_nor_lose_jobs() -> R {
                go(cases::concurrent_workers_neither_duplicate_nor_lose_jobs)
            }
            #[test]
            fn feed_state_round_trips() -> R {
                go(cases::feed_state_round_trips)
            }
        }
    };
}

suite!(sqlite);
suite!(postgres);

/// Hand-built documents and analyses.
pub(crate) mod fixtures {
    use super::*;

    pub const STORY: &str =
        "Gunmen attacked a police station in the northern town of Kaduna on Monday \
night, killing three officers and wounding five others, local officials said. The attackers \
arrived on motorcycles shortly after midnight and exchanged fire with the guards for nearly an \
hour before fleeing into the nearby forest. No group has claimed responsibility for the attack, \
but security forces have blamed bandits operating in the region for a series of similar raids \
this year. The state governor condemned the violence and promised to reinforce security.";

    pub fn item(id: &str, url: Option<&str>, text: &str) -> (Document, Analysis) {
        let doc = Document {
            id: id.to_string(),
            url: url.map(str::to_string),
            text: text.to_string(),
            ..Document::default()
        };
        let analysis = Analysis {
            id: id.to_string(),
            text: text.to_string(),
            ..Analysis::default()
        };
        (doc, analysis)
    }

    pub fn place(id: &str, name: &str, country: &str) -> Entity {
        Entity {
            id: id.to_string(),
            kind: EntityType::City,
            name: name.to_string(),
            aliases: Vec::new(),
            mentions: Vec::new(),
            role: None,
            affiliation: None,
            parent: None,
            geo: Some(Geo {
                lat: 0.0,
                lon: 0.0,
                country: country.to_string(),
                geonames_id: None,
                admin1: None,
            }),
            kb_id: None,
        }
    }

    pub fn isis_k(aliases: &[&str]) -> Entity {
        Entity {
            id: "E2".to_string(),
            kind: EntityType::ArmedGroup,
            name: "Islamic State Khorasan Province".to_string(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            kb_id: Some("group:islamic-state-khorasan".to_string()),
            geo: None,
            parent: Some("Islamic State".to_string()),
            ..place("E2", "", "")
        }
    }

    pub struct Spec<'a> {
        pub id: &'a str,
        pub source: &'a str,
        pub text: &'a str,
        pub kind: EventType,
        pub stage: Stage,
        pub date: &'a str,
        pub place: Entity,
        pub actor: Option<Entity>,
        pub killed: Option<u32>,
    }

    pub fn analysed(spec: Spec<'_>) -> (Document, Analysis) {
        let (mut doc, mut analysis) = item(spec.id, None, spec.text);
        doc.source = Some(spec.source.to_string());
        analysis.source = Some(spec.source.to_string());
        let date = chrono::NaiveDate::parse_from_str(spec.date, "%Y-%m-%d").ok();
        let slot = |e: &Entity| Slot {
            text: e.name.clone(),
            entity: Some(e.id.clone()),
            span: None,
        };
        let mut perpetrators = Vec::new();
        if let Some(actor) = &spec.actor {
            perpetrators.push(Slot {
                text: "ISIS-K".to_string(),
                entity: Some(actor.id.clone()),
                span: None,
            });
        }
        analysis.events.push(Event {
            date: date.map(|d| DateValue {
                start: d,
                end: d,
                precision: Precision::Day,
                text: spec.date.to_string(),
                span: None,
                relative: false,
            }),
            location: Some(slot(&spec.place)),
            locations: vec![slot(&spec.place)],
            perpetrators,
            killed: spec.killed,
            evidence: vec![Span::new(0, spec.text.len())],
            ..Event::new(
                "V1".to_string(),
                spec.kind,
                spec.stage,
                Mention::default(),
                0.9,
            )
        });
        analysis.entities.push(spec.place);
        analysis.entities.extend(spec.actor);
        (doc, analysis)
    }

    pub fn brussels() -> (Document, Analysis) {
        analysed(Spec {
            id: "brussels",
            source: "Reuters",
            text: "Police arrested two men in Brussels on suspicion of planning an attack on a concert hall.",
            kind: EventType::Arrest,
            stage: Stage::Accomplished,
            date: "2024-03-01",
            place: place("E1", "Brussels", "BE"),
            actor: None,
            killed: None,
        })
    }

    pub fn kabul() -> (Document, Analysis) {
        analysed(Spec {
            id: "kabul",
            source: "New York Times",
            text: "A car bomb exploded near a crowded market in Kabul and the bomb killed five people, officials said.",
            kind: EventType::Bombing,
            stage: Stage::Accomplished,
            date: "2023-05-10",
            place: place("E1", "Kabul", "AF"),
            actor: Some(isis_k(&["ISKP"])),
            killed: Some(5),
        })
    }

    pub fn berlin() -> (Document, Analysis) {
        analysed(Spec {
            id: "berlin",
            source: "Der Spiegel",
            text: "A bomb was found and defused at the central railway station in Berlin by specialist officers.",
            kind: EventType::Bombing,
            stage: Stage::Foiled,
            date: "2024-06-01",
            place: place("E1", "Berlin", "DE"),
            actor: None,
            killed: None,
        })
    }

    /// Three reports of one Kabul bombing (same city, day and group).
    pub fn kabul_reports() -> Vec<(Document, Analysis)> {
        let texts = [
            ("kabul-bbc", "BBC", "A suicide bomber struck a mosque in Kabul during Friday prayers, killing six worshippers.", 6),
            ("kabul-afp", "AFP", "At least seven people died when a bomb ripped through a Kabul mosque on Friday.", 7),
            ("kabul-tolo", "Tolo News", "Officials in Kabul said six were killed in the mosque bombing claimed by ISKP.", 6),
        ];
        texts
            .iter()
            .map(|(id, source, text, killed)| {
                analysed(Spec {
                    id,
                    source,
                    text,
                    kind: EventType::Bombing,
                    stage: Stage::Accomplished,
                    date: "2023-06-02",
                    place: Entity {
                        kb_id: Some("geonames:1138958".to_string()),
                        geo: Some(Geo {
                            lat: 34.5,
                            lon: 69.2,
                            country: "AF".to_string(),
                            geonames_id: Some(1138958),
                            admin1: None,
                        }),
                        ..place("E1", "Kabul", "AF")
                    },
                    actor: Some(isis_k(&["ISIS-K", "Daesh Khorasan"])),
                    killed: Some(*killed),
                })
            })
            .collect()
    }

    /// A report of one event with its toll and crime set.
    struct Toll<'a> {
        id: &'a str,
        text: &'a str,
        kind: EventType,
        city: (&'a str, &'a str),
        date: &'a str,
        killed: Option<u32>,
        fatal: bool,
        crime: Option<EventType>,
    }

    fn toll(t: Toll<'_>) -> (Document, Analysis) {
        let (doc, mut analysis) = analysed(Spec {
            id: t.id,
            source: "Reuters",
            text: t.text,
            kind: t.kind,
            stage: Stage::Accomplished,
            date: t.date,
            place: place("E1", t.city.0, t.city.1),
            actor: None,
            killed: t.killed,
        });
        for event in &mut analysis.events {
            event.fatal = t.fatal;
            event.crime = t.crime;
        }
        (doc, analysis)
    }

    /// Incidents for `crime:` and `killed:`, one report each unless said:
    /// `lagos` an arrest over a killing (crime attack), `kano` an arrest
    /// over no act of violence (no crime), `abuja` a shooting that killed
    /// no one (0), `jos` a bombing that killed three (3, fatal), `kaduna`
    /// a fatal attack without a toll, `enugu` an attack with neither toll
    /// nor death, and `herat-a` three reports of one arrest whose sources
    /// give the crimes bombing, attack, attack (the incident's: attack).
    pub fn tolls() -> Vec<(Document, Analysis)> {
        let one = |id, text, kind, city, date, killed, fatal, crime| {
            toll(Toll {
                id,
                text,
                kind,
                city,
                date,
                killed,
                fatal,
                crime,
            })
        };
        let mut out = vec![
            one(
                "lagos",
                "Police in Lagos arrested three men over the killing of a journalist.",
                EventType::Arrest,
                ("Lagos", "NG"),
                "2024-01-05",
                None,
                false,
                Some(EventType::Attack),
            ),
            one(
                "kano",
                "Police in Kano arrested a blogger for insulting the governor.",
                EventType::Arrest,
                ("Kano", "NG"),
                "2024-01-06",
                None,
                false,
                None,
            ),
            one(
                "abuja",
                "Shots were fired at a checkpoint in Abuja; no one was killed.",
                EventType::Shooting,
                ("Abuja", "NG"),
                "2024-01-07",
                Some(0),
                false,
                None,
            ),
            one(
                "jos",
                "A bomb in a Jos market killed three traders.",
                EventType::Bombing,
                ("Jos", "NG"),
                "2024-01-08",
                Some(3),
                true,
                None,
            ),
            one(
                "kaduna",
                "Gunmen killed several villagers near Kaduna overnight.",
                EventType::Attack,
                ("Kaduna", "NG"),
                "2024-01-09",
                None,
                true,
                None,
            ),
            one(
                "enugu",
                "Armed men attacked a police post in Enugu; there was no word of casualties.",
                EventType::Attack,
                ("Enugu", "NG"),
                "2024-01-10",
                None,
                false,
                None,
            ),
        ];
        let herat = [
            ("herat-a", "Police in Herat detained four men over the bombing of a bus station.", EventType::Bombing),
            ("herat-b", "Four suspects were arrested in Herat city in connection with an attack on travellers.", EventType::Attack),
            ("herat-c", "Afghan authorities said they held four people in Herat over the deadly attack.", EventType::Attack),
        ];
        for (id, text, crime) in herat {
            let (doc, mut analysis) = one(
                id,
                text,
                EventType::Arrest,
                ("Herat", "AF"),
                "2024-02-01",
                None,
                false,
                Some(crime),
            );
            for e in &mut analysis.entities {
                e.kb_id = Some("geonames:1139027".to_string());
            }
            out.push((doc, analysis));
        }
        out
    }
}

pub(crate) mod cases {
    use super::fixtures::*;
    use super::*;

    fn three(store: &mut dyn Store) -> R {
        store.insert_batch(&[brussels(), kabul(), berlin()])?;
        store.recompute_incidents()?;
        Ok(())
    }

    fn q(text: &str) -> Result<Query, Box<dyn std::error::Error>> {
        Ok(parse(text)?)
    }

    /// Incident ids reduced to their document ids.
    fn ids(store: &dyn Store, query: &str) -> Result<Vec<String>, Box<dyn std::error::Error>> {
        ids_of(store, &q(query)?, &Page::first(10))
    }

    fn ids_of(
        store: &dyn Store,
        query: &Query,
        page: &Page,
    ) -> Result<Vec<String>, Box<dyn std::error::Error>> {
        Ok(store
            .search(query, page)?
            .hits
            .into_iter()
            .map(|h| h.id.split('/').next().unwrap_or_default().to_string())
            .collect())
    }

    pub fn duplicates_change_nothing(f: &Fixture) -> R {
        let mut store = f.open()?;
        let first = store.insert_batch(&[item(
            "a",
            Some("https://www.example.org/x/?utm_source=t"),
            STORY,
        )])?;
        assert!(matches!(first[0], Outcome::New { .. }), "{first:?}");
        let before = store.stats()?;
        let again = store.insert_batch(&[
            item("a2", None, STORY),
            item(
                "b",
                Some("http://example.org/x#top"),
                "Something else entirely different.",
            ),
        ])?;
        assert_eq!(
            again,
            vec![
                Outcome::Duplicate {
                    existing: "a".into(),
                    reason: DuplicateReason::ContentHash
                },
                Outcome::Duplicate {
                    existing: "a".into(),
                    reason: DuplicateReason::CanonicalUrl
                },
            ]
        );
        let after = store.stats()?;
        assert_eq!(before.documents, after.documents);
        assert_eq!(after.documents, 1);
        // A repeat inside one batch is a duplicate of the batch's first.
        let within = store.insert_batch(&[
            item(
                "c",
                Some("https://news.example.net/c"),
                "A third story, new.",
            ),
            item("c2", None, "A third story, new."),
            item(
                "c3",
                Some("https://news.example.net/c?utm_medium=x"),
                "Its update.",
            ),
        ])?;
        assert!(matches!(within[0], Outcome::New { .. }), "{within:?}");
        assert_eq!(
            within[1..],
            [
                Outcome::Duplicate {
                    existing: "c".into(),
                    reason: DuplicateReason::ContentHash
                },
                Outcome::Duplicate {
                    existing: "c".into(),
                    reason: DuplicateReason::CanonicalUrl
                },
            ]
        );
        assert_eq!(store.stats()?.documents, 2);
        assert!(store.find_duplicate(&item("z", None, STORY).0)?.is_some());
        assert!(store
            .find_duplicate(&item("z", None, "Not stored at all.").0)?
            .is_none());
        Ok(())
    }

    pub fn near_duplicates_join_a_story(f: &Fixture) -> R {
        let edited = STORY.to_uppercase().replace(". ", ".\n");
        let other = "The central bank raised interest rates by half a point on Tuesday, citing \
persistent inflation in food and energy prices, and signalled that further increases were likely \
before the end of the year as the currency weakened against the dollar.";
        let story = {
            let mut store = f.open()?;
            let out = store.insert_batch(&[item("a", None, STORY), item("c", None, other)])?;
            let Outcome::New { story, .. } = out[0] else {
                return Err(format!("first document should start a story: {out:?}").into());
            };
            let out = store.insert_batch(&[item("b", None, &edited)])?;
            assert!(
                matches!(out[0], Outcome::NearDuplicate { story: s, .. } if s == story),
                "{out:?}"
            );
            story
        };
        // A second handle (another process) rebuilds the index from storage.
        let mut store = f.open()?;
        let stats = store.stats()?;
        assert_eq!((stats.documents, stats.stories), (3, 2));
        assert!(stats.size_bytes > 0);
        let out = store.insert_batch(&[item("d", None, &format!("{STORY}\n\n"))])?;
        assert!(
            matches!(out[0], Outcome::NearDuplicate { story: s, .. } if s == story),
            "{out:?}"
        );
        assert_eq!(store.document("d")?.map(|d| d.story), Some(story));
        assert_eq!(store.recompute_incidents()?, 0);
        Ok(())
    }

    pub fn documents_round_trip(f: &Fixture) -> R {
        let mut store = f.open()?;
        let (mut doc, analysis) = kabul();
        doc.title = Some("Car bomb in Kabul".to_string());
        doc.url = Some("https://example.org/kabul".to_string());
        doc.author = Some("A. Reporter".to_string());
        doc.published = chrono::DateTime::parse_from_rfc3339("2023-05-10T08:30:00+04:30").ok();
        doc.origin = Origin {
            path: "feeds/nyt.jsonl".to_string(),
            line: Some(7),
        };
        store.insert_batch(&[(doc.clone(), analysis.clone())])?;
        let stored = store.document("kabul")?.ok_or("document not found")?;
        assert_eq!(stored.document, doc);
        assert_eq!(stored.analysis, analysis);
        assert_eq!(stored.content_hash, crate::content_hash(&doc.text));
        assert_eq!(stored.story, stored.key);
        assert!(store.document("nowhere")?.is_none());
        // The spec chose the backend.
        assert_eq!(
            crate::is_postgres(&f.spec),
            store.location().starts_with("postgres")
        );
        assert!(store.stats()?.schema_version > 0);
        store.recompute_incidents()?;
        let incident = store.incident("kabul/V1")?.ok_or("incident not found")?;
        assert_eq!(incident.killed, Some(5));
        assert_eq!(incident.sources[0].doc_id, "kabul");
        assert!(store.incident("kabul/V9")?.is_none());
        Ok(())
    }

    pub fn filters_select_incidents(f: &Fixture) -> R {
        let mut store = f.open()?;
        three(store.as_mut())?;
        let store = store.as_ref();
        assert_eq!(store.stats()?.incidents, 3);
        assert_eq!(ids(store, "")?, vec!["berlin", "brussels", "kabul"]);
        assert_eq!(ids(store, "type:bombing")?, vec!["berlin", "kabul"]);
        assert_eq!(ids(store, "type:arrest place:brussels")?, vec!["brussels"]);
        assert_eq!(ids(store, "stage:foiled")?, vec!["berlin"]);
        assert_eq!(ids(store, r#"actor:"isis-k""#)?, vec!["kabul"]);
        assert_eq!(ids(store, "actor:ISKP")?, vec!["kabul"]);
        assert_eq!(ids(store, "actor:islamic-state-khorasan")?, vec!["kabul"]);
        assert_eq!(ids(store, "place:be")?, vec!["brussels"]);
        assert_eq!(ids(store, "place:Germany")?, Vec::<String>::new());
        let mut query = q("place:Germany")?;
        query.places[0].countries = vec!["DE".to_string()];
        assert_eq!(ids_of(store, &query, &Page::first(10))?, vec!["berlin"]);
        assert_eq!(ids(store, "since:2024-01-01")?, vec!["berlin", "brussels"]);
        assert_eq!(ids(store, "until:2023-12-31")?, vec!["kabul"]);
        assert_eq!(
            ids(store, "since:2024-03-01 until:2024-03-01")?,
            vec!["brussels"]
        );
        assert_eq!(ids(store, r#"source:"york times""#)?, vec!["kabul"]);
        assert_eq!(
            ids(store, "source:reuters type:bombing")?,
            Vec::<String>::new()
        );
        Ok(())
    }

    /// Repeated fields (OR), fields together (AND), knowledge-base id
    /// suffixes, aliases, substrings of sources, date windows and free
    /// words with filters, over four incidents (one of three sources).
    pub fn filters_combine_and_repeat(f: &Fixture) -> R {
        let mut store = f.open()?;
        let mut batch = vec![brussels(), kabul(), berlin()];
        batch.extend(kabul_reports());
        store.insert_batch(&batch)?;
        store.recompute_incidents()?;
        let store = store.as_ref();
        assert_eq!(store.stats()?.incidents, 4);
        let sorted = |query: &str| -> Result<Vec<String>, Box<dyn std::error::Error>> {
            let mut v = ids(store, query)?;
            v.sort();
            Ok(v)
        };
        let none = Vec::<String>::new();
        // No free words: most recent first.
        assert_eq!(
            ids(store, "type:arrest type:bombing")?,
            vec!["berlin", "brussels", "kabul-bbc", "kabul"]
        );
        assert_eq!(ids(store, "type:arrest stage:foiled")?, none);
        assert_eq!(
            ids(store, "stage:foiled stage:accomplished type:bombing")?,
            vec!["berlin", "kabul-bbc", "kabul"]
        );
        assert_eq!(
            ids(store, "actor:group:islamic-state-khorasan")?,
            vec!["kabul-bbc", "kabul"]
        );
        assert_eq!(ids(store, r#"actor:"Daesh Khorasan""#)?, vec!["kabul-bbc"]);
        assert_eq!(ids(store, "actor:khorasan")?, none);
        assert_eq!(
            ids(store, "place:kabul place:berlin")?,
            vec!["berlin", "kabul-bbc", "kabul"]
        );
        assert_eq!(ids(store, "place:AF since:2023-06-01")?, vec!["kabul-bbc"]);
        assert_eq!(
            ids(store, "source:bbc source:reuters")?,
            vec!["brussels", "kabul-bbc"]
        );
        assert_eq!(ids(store, "source:tolo")?, vec!["kabul-bbc"]);
        assert_eq!(ids(store, "until:2023-05-10")?, vec!["kabul"]);
        assert_eq!(
            ids(store, "since:2023-05-11 until:2023-06-02")?,
            vec!["kabul-bbc"]
        );
        // Free words with filters (the order of text scores is the
        // backend's own).
        assert_eq!(ids(store, "mosque source:afp")?, vec!["kabul-bbc"]);
        assert_eq!(sorted("bomb place:af")?, vec!["kabul", "kabul-bbc"]);
        assert_eq!(sorted("bomb type:arrest")?, none);
        let page = store.search(&q("type:bombing")?, &Page::first(2))?;
        assert_eq!(
            (page.total, page.hits.len(), page.next_offset),
            (3, 2, Some(2))
        );
        Ok(())
    }

    /// `crime:` takes the incident's and its sources' crimes; `killed:`
    /// the count, an uncounted fatal incident meeting only `killed:>0` and
    /// its like; every form of `killed:` agrees with
    /// [`crate::search::KilledTerm::matches`] over every incident, in
    /// searches and in `for_each_incident` (the alert matcher's walk).
    pub fn crime_and_killed_filters(f: &Fixture) -> R {
        let mut store = f.open()?;
        store.insert_batch(&tolls())?;
        store.recompute_incidents()?;
        let store = store.as_ref();
        let herat = store
            .incident("herat-a/V1")?
            .ok_or("herat-a/V1 not merged")?;
        assert_eq!(herat.sources.len(), 3, "{herat:?}");
        assert_eq!(herat.crime, Some(EventType::Attack));
        let kaduna = store.incident("kaduna/V1")?.ok_or("kaduna/V1 missing")?;
        assert_eq!((kaduna.killed, kaduna.fatal), (None, true));
        let sorted = |query: &str| -> Result<Vec<String>, Box<dyn std::error::Error>> {
            let mut v = ids(store, query)?;
            v.sort();
            Ok(v)
        };
        let none = Vec::<String>::new();
        assert_eq!(sorted("crime:attack")?, vec!["herat-a", "lagos"]);
        // Only a source says bombing: found as `type:` finds a source's type.
        assert_eq!(sorted("crime:bombing")?, vec!["herat-a"]);
        assert_eq!(
            sorted("crime:Bombing crime:attack")?,
            vec!["herat-a", "lagos"]
        );
        assert_eq!(sorted("crime:attack place:NG")?, vec!["lagos"]);
        assert_eq!(sorted("crime:arrest")?, none);
        assert_eq!(sorted("type:bombing")?, vec!["jos"]);
        assert_eq!(sorted("killed:0")?, vec!["abuja"]);
        assert_eq!(sorted("killed:3")?, vec!["jos"]);
        assert_eq!(sorted("killed:1")?, none);
        assert_eq!(sorted("killed:>0")?, vec!["jos", "kaduna"]);
        assert_eq!(sorted("killed:>=1")?, vec!["jos", "kaduna"]);
        assert_eq!(sorted("killed:>=0")?, vec!["abuja", "jos", "kaduna"]);
        assert_eq!(sorted("killed:>=2")?, vec!["jos"]);
        assert_eq!(sorted("killed:>3")?, none);
        assert_eq!(sorted("killed:<3")?, vec!["abuja"]);
        assert_eq!(sorted("killed:<=3")?, vec!["abuja", "jos"]);
        assert_eq!(sorted("killed:1..5")?, vec!["jos"]);
        assert_eq!(sorted("killed:0 killed:>=3")?, vec!["abuja", "jos"]);
        assert_eq!(sorted("killed:>0 type:attack")?, vec!["kaduna"]);
        assert_eq!(sorted("killed:>0 crime:attack")?, none);
        assert_eq!(sorted("market killed:>0")?, vec!["jos"]);
        let mut all = Vec::new();
        store.for_each_incident(&Query::default(), &mut |i| {
            all.push(i);
            Ok(())
        })?;
        assert_eq!(all.len(), 7);
        let forms = [
            "0", "1", "3", ">0", ">=0", ">=1", ">=2", ">2", ">3", "<1", "<3", "<=0", "<=3", "0..0",
            "0..3", "1..3", "2..9",
        ];
        for form in forms {
            let query = q(&format!("killed:{form}"))?;
            let term = query.killed[0];
            let mut want: Vec<String> = all
                .iter()
                .filter(|i| term.matches(i.killed, i.fatal))
                .map(|i| i.id.clone())
                .collect();
            want.sort();
            let mut walked = Vec::new();
            store.for_each_incident(&query, &mut |i| {
                walked.push(i.id);
                Ok(())
            })?;
            assert_eq!(walked, want, "killed:{form}");
            let mut found: Vec<String> = store
                .search(&query, &Page::first(10))?
                .hits
                .into_iter()
                .map(|h| h.id)
                .collect();
            found.sort();
            assert_eq!(found, want, "killed:{form}");
        }
        Ok(())
    }

    pub fn relevance_then_recency(f: &Fixture) -> R {
        let mut store = f.open()?;
        three(store.as_mut())?;
        let store = store.as_ref();
        // Kabul says "bomb" twice and is older: relevance wins.
        assert_eq!(ids(store, "bomb")?, vec!["kabul", "berlin"]);
        assert_eq!(ids(store, "market bomb")?, vec!["kabul"]);
        assert_eq!(ids(store, r#""concert hall""#)?, vec!["brussels"]);
        assert_eq!(ids(store, r#""hall concert""#)?, Vec::<String>::new());
        assert_eq!(ids(store, "nothing-like-this")?, Vec::<String>::new());
        assert_eq!(ids(store, "--")?, Vec::<String>::new());
        let hits = store.search(&Query::default(), &Page::first(1))?.hits;
        assert_eq!(hits.len(), 1);
        let hit = &hits[0];
        assert_eq!(hit.date.as_deref(), Some("2024-06-01"));
        assert_eq!(hit.place.as_deref(), Some("Berlin"));
        assert_eq!(hit.sources, 1);
        assert!(hit
            .snippet
            .as_deref()
            .is_some_and(|s| s.starts_with("A bomb was found")));
        Ok(())
    }

    pub fn pages_and_sorts(f: &Fixture) -> R {
        let mut store = f.open()?;
        three(store.as_mut())?;
        let store = store.as_ref();
        let all = Query::default();
        let mut walked = Vec::new();
        let mut page = Page {
            offset: 0,
            limit: 2,
            sort: Sort::Recent,
        };
        loop {
            let result = store.search(&all, &page)?;
            assert_eq!(result.total, 3);
            walked.extend(result.hits.into_iter().map(|h| h.id));
            match result.next_offset {
                Some(next) => page.offset = next,
                None => break,
            }
        }
        assert_eq!(walked, vec!["berlin/V1", "brussels/V1", "kabul/V1"]);
        let past = store.search(
            &all,
            &Page {
                offset: 10,
                ..Page::first(5)
            },
        )?;
        assert_eq!(
            (past.hits.len(), past.total, past.next_offset),
            (0, 3, None)
        );
        // Relevance first; "Recent" puts the newer Berlin first.
        let bomb = q("bomb")?;
        assert_eq!(
            ids_of(store, &bomb, &Page::first(10))?,
            vec!["kabul", "berlin"]
        );
        let recent = Page {
            sort: Sort::Recent,
            ..Page::first(10)
        };
        assert_eq!(ids_of(store, &bomb, &recent)?, vec!["berlin", "kabul"]);
        Ok(())
    }

    pub fn streams_incidents(f: &Fixture) -> R {
        let mut store = f.open()?;
        three(store.as_mut())?;
        let mut seen = Vec::new();
        let n = store.for_each_incident(&q("type:bombing")?, &mut |i| {
            seen.push(i.id);
            Ok(())
        })?;
        assert_eq!(n, 2);
        assert_eq!(seen, vec!["berlin/V1", "kabul/V1"]);
        let mut seen = Vec::new();
        store.for_each_incident(&q("bomb")?, &mut |i| {
            seen.push(i.id);
            Ok(())
        })?;
        assert_eq!(seen, vec!["berlin/V1", "kabul/V1"]);
        // The callback's error stops the walk and comes back unchanged.
        let mut calls = 0;
        let out = store.for_each_incident(&Query::default(), &mut |_| {
            calls += 1;
            Err(StoreError::Callback("disk full".to_string()))
        });
        assert!(matches!(out, Err(StoreError::Callback(m)) if m == "disk full"));
        assert_eq!(calls, 1);
        Ok(())
    }

    pub fn splits_survive_recompute_and_reingest(f: &Fixture) -> R {
        let mut store = f.open()?;
        let reports = kabul_reports();
        store.insert_batch(&reports)?;
        assert_eq!(store.recompute_incidents()?, 1);
        let merged = store
            .incident("kabul-bbc/V1")?
            .ok_or("merged incident missing")?;
        assert_eq!(merged.sources.len(), 3);
        // Errors: unknown incident, foreign event, nothing or everything.
        let afp = EventRef::new("kabul-afp", "V1");
        assert!(matches!(
            store.split_incident("nowhere/V1", std::slice::from_ref(&afp)),
            Err(StoreError::NotFound { .. })
        ));
        assert!(matches!(
            store.split_incident("kabul-bbc/V1", &[EventRef::new("kabul-afp", "V7")]),
            Err(StoreError::Invalid(_))
        ));
        assert!(matches!(
            store.split_incident("kabul-bbc/V1", &[]),
            Err(StoreError::Invalid(_))
        ));
        let everything: Vec<EventRef> = merged
            .sources
            .iter()
            .map(|s| EventRef::new(&s.doc_id, &s.event_id))
            .collect();
        assert!(matches!(
            store.split_incident("kabul-bbc/V1", &everything),
            Err(StoreError::Invalid(_))
        ));
        // AFP's report (seven dead) is another attack, says the analyst.
        let split = store.split_incident("kabul-bbc/V1", &[afp])?;
        assert_eq!(split.constraints_added, 2);
        let docs = |incidents: &[vigil_core::Incident]| -> Vec<Vec<String>> {
            incidents
                .iter()
                .map(|i| i.sources.iter().map(|s| s.doc_id.clone()).collect())
                .collect()
        };
        let expected = vec![
            vec!["kabul-bbc".to_string(), "kabul-tolo".to_string()],
            vec!["kabul-afp".to_string()],
        ];
        assert_eq!(docs(&split.incidents), expected);
        assert_eq!(store.stats()?.incidents, 2);
        let mut mosque = ids(store.as_ref(), "mosque")?;
        mosque.sort();
        assert_eq!(mosque, vec!["kabul-afp", "kabul-bbc"]);
        // The split survives a recompute, a re-ingest and another handle.
        assert_eq!(store.recompute_incidents()?, 2);
        let again = store.insert_batch(&reports)?;
        assert!(again.iter().all(|o| matches!(o, Outcome::Duplicate { .. })));
        drop(store);
        let mut store = f.open()?;
        assert_eq!(store.recompute_incidents()?, 2);
        let mut all = Vec::new();
        store.for_each_incident(&Query::default(), &mut |i| {
            all.push(i);
            Ok(())
        })?;
        let mut got = docs(&all);
        got.sort();
        let mut want = expected;
        want.sort();
        assert_eq!(got, want);
        Ok(())
    }

    /// Every incident of a store as JSON, by id.
    fn all_incidents(store: &dyn Store) -> Result<Vec<String>, Box<dyn std::error::Error>> {
        let mut all = Vec::new();
        store.for_each_incident(&Query::default(), &mut |i| {
            all.push(serde_json::to_string(&i).map_err(|e| StoreError::Callback(e.to_string()))?);
            Ok(())
        })?;
        all.sort();
        Ok(all)
    }

    /// 48 reports of violence, arrests and kidnappings in five cities over
    /// three days (many describe the same happening), some without a
    /// country, a few naming a group.
    fn merge_corpus() -> Vec<(Document, Analysis)> {
        let cities = [
            ("Kabul", "AF"),
            ("Kandahar", "AF"),
            ("Lagos", "NG"),
            ("Kaduna", "NG"),
            ("Lima", "PE"),
        ];
        let kinds = [
            EventType::Bombing,
            EventType::Shooting,
            EventType::Arrest,
            EventType::Kidnapping,
        ];
        (0..48usize)
            .map(|i| {
                let (city, country) = cities[(i * 7 + i / 5) % cities.len()];
                let kind = kinds[(i / 3) % kinds.len()];
                // Some places without a country: their events are compared
                // with every incident of their family.
                let country = if i % 11 == 5 { "" } else { country };
                let id = format!("report-{i:02}");
                let text = format!(
                    "Report number {i} from the desk: a {kind:?} happened in {city} on day {} \
                     according to witness {} and officials of district {}.",
                    1 + i % 3,
                    i * 31 % 17,
                    i * 13 % 7
                );
                let date = format!("2024-03-{:02}", 1 + i % 3);
                analysed(Spec {
                    id: &id,
                    source: ["Reuters", "AFP", "BBC"][i % 3],
                    text: &text,
                    kind,
                    stage: Stage::Accomplished,
                    date: &date,
                    place: place("E1", city, country),
                    actor: (i % 4 == 0).then(|| isis_k(&[])),
                    killed: Some((i % 3) as u32),
                })
            })
            .collect()
    }

    pub fn incremental_merge_equals_recompute(f: &Fixture) -> R {
        let corpus = merge_corpus();
        let mut store = f.open()?;
        // Nothing stored yet: the first merge recomputes (nothing).
        let first = store.merge_incidents()?;
        assert!(first.recomputed);
        assert_eq!(first.total, 0);
        let mut updated = 0;
        let mut at = 0;
        for (n, size) in [10, 13, 12, 13].into_iter().enumerate() {
            store.insert_batch(&corpus[at..at + size])?;
            at += size;
            let update = store.merge_incidents()?;
            assert!(!update.recomputed, "run {n}: {update:?}");
            assert_eq!(update.documents, size, "run {n}");
            assert_eq!(update.total as u64, store.stats()?.incidents);
            updated += update.updated;
            // Nothing new: nothing to do.
            let again = store.merge_incidents()?;
            assert_eq!((again.documents, again.created, again.updated), (0, 0, 0));
            // The search index follows the database.
            let page = store.search(&Query::default(), &Page::first(1))?;
            assert_eq!(page.total, update.total, "run {n}");
        }
        assert!(updated > 0, "no run extended a stored incident");
        let incremental = all_incidents(store.as_ref())?;
        let total = store.recompute_incidents()?;
        let full = all_incidents(store.as_ref())?;
        assert_eq!(incremental.len(), total);
        assert_eq!(incremental, full);
        assert!(total < corpus.len(), "nothing was merged");
        Ok(())
    }

    pub fn incremental_merge_keeps_splits(f: &Fixture) -> R {
        let reports = kabul_reports();
        let mut store = f.open()?;
        store.insert_batch(&reports[..2])?;
        assert_eq!(store.merge_incidents()?.total, 1);
        // AFP's report is another attack, says the analyst.
        store.split_incident("kabul-bbc/V1", &[EventRef::new("kabul-afp", "V1")])?;
        assert_eq!(store.stats()?.incidents, 2);
        // Tolo News reports it too: it joins one side only.
        store.insert_batch(&reports[2..])?;
        let update = store.merge_incidents()?;
        assert_eq!(
            (
                update.documents,
                update.created,
                update.updated,
                update.total
            ),
            (1, 0, 1, 2)
        );
        let bbc = store.incident("kabul-bbc/V1")?.ok_or("incident missing")?;
        let docs: Vec<&str> = bbc.sources.iter().map(|s| s.doc_id.as_str()).collect();
        assert_eq!(docs, vec!["kabul-bbc", "kabul-tolo"]);
        let afp = store.incident("kabul-afp/V1")?.ok_or("incident missing")?;
        assert_eq!(afp.sources.len(), 1);
        let incremental = all_incidents(store.as_ref())?;
        store.recompute_incidents()?;
        assert_eq!(incremental, all_incidents(store.as_ref())?);
        Ok(())
    }

    pub fn imports_incidents(f: &Fixture) -> R {
        let mut store = f.open()?;
        // Incidents merged elsewhere (an export), their documents not here.
        let mut reports = kabul_reports();
        reports.push(berlin());
        let input: Vec<(&str, &Analysis)> =
            reports.iter().map(|(d, a)| (d.id.as_str(), a)).collect();
        let mut incidents = vigil_corpus::merge_events(&input);
        assert_eq!(incidents.len(), 2);
        assert_eq!(store.import_incidents(&incidents)?, 2);
        assert_eq!(store.stats()?.incidents, 2);
        assert_eq!(
            store.incident(&incidents[0].id)?.as_ref(),
            Some(&incidents[0])
        );
        assert_eq!(
            ids(store.as_ref(), "type:bombing place:kabul")?,
            vec!["kabul-bbc"]
        );
        assert_eq!(ids(store.as_ref(), "stage:foiled")?, vec!["berlin"]);
        // Importing again replaces, never duplicates.
        incidents[0].killed = Some(99);
        assert_eq!(store.import_incidents(&incidents[..1])?, 1);
        assert_eq!(store.stats()?.incidents, 2);
        assert_eq!(
            store.incident(&incidents[0].id)?.and_then(|i| i.killed),
            Some(99)
        );
        assert_eq!(ids(store.as_ref(), "type:bombing")?.len(), 2);
        let mut n = 0;
        store.for_each_incident(&Query::default(), &mut |_| {
            n += 1;
            Ok(())
        })?;
        assert_eq!(n, 2);
        // With the documents stored, the evidence text is searchable too.
        store.insert_batch(&reports)?;
        store.import_incidents(&incidents)?;
        assert_eq!(ids(store.as_ref(), "mosque")?, vec!["kabul-bbc"]);
        Ok(())
    }

    pub fn actors_across_documents(f: &Fixture) -> R {
        let mut store = f.open()?;
        store.insert_batch(&kabul_reports())?;
        store.insert_batch(&[kabul(), berlin()])?;
        store.recompute_incidents()?;
        let group = store
            .actor("group:islamic-state-khorasan")?
            .ok_or("actor missing")?;
        assert_eq!(group.kind, EntityType::ArmedGroup);
        assert_eq!(group.name, "Islamic State Khorasan Province");
        assert_eq!(group.documents, 4);
        // The merged Kabul mosque bombing and the Kabul car bomb.
        assert_eq!(group.incidents, 2);
        assert_eq!(group.parent.as_deref(), Some("Islamic State"));
        assert_eq!(
            group.aliases,
            vec![
                "Daesh Khorasan",
                "ISIS-K",
                "ISKP",
                "Islamic State Khorasan Province"
            ]
        );
        assert!(group.first_seen.is_some() && group.first_seen <= group.last_seen);
        // Places keep their GeoNames id.
        let kabul_city = store.actor("geonames:1138958")?.ok_or("place missing")?;
        assert_eq!(
            kabul_city.geo.as_ref().and_then(|g| g.geonames_id),
            Some(1138958)
        );
        assert_eq!(kabul_city.documents, 3);
        // Unlinked places are keyed by type and name.
        assert!(store.actor("city:berlin")?.is_some());
        let groups = store.actors(&ActorFilter {
            kinds: vec![EntityType::ArmedGroup],
            ..ActorFilter::default()
        })?;
        assert_eq!(groups.len(), 1);
        let by_alias = store.actors(&ActorFilter {
            name: Some("daesh".to_string()),
            ..ActorFilter::default()
        })?;
        assert_eq!(by_alias.len(), 1);
        let all = store.actors(&ActorFilter::default())?;
        assert_eq!(all.len(), 4);
        // Most documents first.
        assert_eq!(all[0].key, "group:islamic-state-khorasan");
        let second = store.actors(&ActorFilter {
            offset: 1,
            limit: 1,
            ..ActorFilter::default()
        })?;
        assert_eq!(second.len(), 1);
        assert_eq!(second[0].key, all[1].key);
        assert!(store.actor("person:nobody")?.is_none());
        Ok(())
    }

    pub fn jobs_claim_complete_fail(f: &Fixture) -> R {
        let mut store = f.open()?;
        let jobs = [
            NewJob::new(JobKind::Article, "https://www.example.org/a?utm_source=x"),
            NewJob::new(JobKind::Article, "https://example.org/b"),
            NewJob::new(JobKind::Feed, "https://example.org/feed.xml")
                .with_payload(serde_json::json!({"source": "Example"})),
        ];
        assert_eq!(store.enqueue(&jobs)?, 3);
        // The same article under another URL form, and the same batch again.
        assert_eq!(
            store.enqueue(&[NewJob::new(JobKind::Article, "http://example.org/a")])?,
            0
        );
        assert_eq!(store.enqueue(&jobs)?, 0);
        let lease = Duration::from_secs(600);
        let got = store.claim("w1", 2, lease)?;
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].url, "https://www.example.org/a?utm_source=x");
        assert!(got
            .iter()
            .all(|j| j.state == JobState::Running && j.attempts == 1));
        assert_eq!(got[0].worker.as_deref(), Some("w1"));
        let feed = store.claim("w2", 5, lease)?;
        assert_eq!(feed.len(), 1);
        assert_eq!(feed[0].kind, JobKind::Feed);
        assert_eq!(feed[0].payload["source"], "Example");
        assert!(store.claim("w3", 5, lease)?.is_empty());
        store.complete(got[0].id)?;
        store.fail(got[1].id, "HTTP 503", true)?;
        store.fail(feed[0].id, "not a feed", false)?;
        let retried = store.job(got[1].id)?.ok_or("job missing")?;
        assert_eq!(retried.state, JobState::Queued);
        assert_eq!(retried.last_error.as_deref(), Some("HTTP 503"));
        assert!(retried.available_at > chrono::Utc::now());
        // Backing off: not claimable yet.
        assert!(store.claim("w3", 5, lease)?.is_empty());
        let counts = store.job_counts()?;
        assert_eq!(
            (counts.queued, counts.running, counts.done, counts.failed),
            (1, 0, 1, 1)
        );
        assert_eq!(
            store.job(feed[0].id)?.map(|j| j.state),
            Some(JobState::Failed)
        );
        assert!(matches!(
            store.complete(999_999),
            Err(StoreError::NotFound { .. })
        ));
        assert!(store.job(999_999)?.is_none());
        assert!(store.claim("w1", 0, lease)?.is_empty());
        Ok(())
    }

    pub fn leases_expire(f: &Fixture) -> R {
        let mut store = f.open()?;
        store.enqueue(&[NewJob::new(JobKind::Article, "https://example.org/x")])?;
        // A zero lease is expired as soon as it is taken: the worker "died".
        let first = store.claim("dead", 1, Duration::ZERO)?;
        assert_eq!(first.len(), 1);
        std::thread::sleep(Duration::from_millis(5));
        let second = store.claim("alive", 1, Duration::from_secs(600))?;
        assert_eq!(second.len(), 1);
        assert_eq!(second[0].id, first[0].id);
        assert_eq!(second[0].attempts, 2);
        assert_eq!(second[0].worker.as_deref(), Some("alive"));
        assert!(second[0]
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("dead") && e.contains("expired")));
        // The dead worker lost the job; the live one may renew it.
        assert!(!store.renew(first[0].id, "dead", Duration::from_secs(60))?);
        assert!(store.renew(first[0].id, "alive", Duration::from_secs(60))?);
        assert!(store
            .claim("third", 1, Duration::from_secs(600))?
            .is_empty());
        // A job whose leases keep expiring is given up after MAX_ATTEMPTS.
        store.enqueue(&[NewJob::new(JobKind::Article, "https://example.org/y")])?;
        let mut claims = 0;
        loop {
            let got = store.claim("crashing", 1, Duration::ZERO)?;
            std::thread::sleep(Duration::from_millis(2));
            if got.is_empty() {
                break;
            }
            claims += 1;
            assert!(claims <= MAX_ATTEMPTS, "claimed too often");
        }
        assert_eq!(claims, MAX_ATTEMPTS);
        let counts = store.job_counts()?;
        assert_eq!((counts.running, counts.failed), (1, 1));
        Ok(())
    }

    pub fn concurrent_workers_neither_duplicate_nor_lose_jobs(f: &Fixture) -> R {
        const JOBS: usize = 300;
        {
            let mut store = f.open()?;
            let jobs: Vec<NewJob> = (0..JOBS)
                .map(|i| NewJob::new(JobKind::Article, &format!("https://example.org/{i}")))
                .collect();
            assert_eq!(store.enqueue(&jobs)?, JOBS);
        }
        let spec = f.spec.clone();
        let worker = |name: &'static str| -> Result<Vec<i64>, String> {
            let mut store = crate::open(&spec).map_err(|e| e.to_string())?;
            let mut done = Vec::new();
            loop {
                let jobs = store
                    .claim(name, 7, Duration::from_secs(600))
                    .map_err(|e| e.to_string())?;
                if jobs.is_empty() {
                    return Ok(done);
                }
                for job in jobs {
                    store.complete(job.id).map_err(|e| e.to_string())?;
                    done.push(job.id);
                }
            }
        };
        let (a, b) = std::thread::scope(|s| {
            let a = s.spawn(|| worker("worker-a"));
            let b = s.spawn(|| worker("worker-b"));
            (a.join(), b.join())
        });
        let a = a.map_err(|_| "worker a panicked")??;
        let b = b.map_err(|_| "worker b panicked")??;
        let all: Vec<i64> = a.iter().chain(&b).copied().collect();
        let unique: HashSet<i64> = all.iter().copied().collect();
        assert_eq!(all.len(), JOBS, "a job was lost or claimed twice");
        assert_eq!(unique.len(), JOBS, "a job was claimed twice");
        let store = f.open()?;
        let counts = store.job_counts()?;
        assert_eq!(counts.done, JOBS as u64);
        assert_eq!(counts.queued + counts.running + counts.failed, 0);
        Ok(())
    }

    pub fn feed_state_round_trips(f: &Fixture) -> R {
        let mut store = f.open()?;
        let url = "https://example.org/feed.xml";
        assert!(store.feed_state(url)?.is_none());
        let state = FeedState {
            etag: Some("\"abc\"".to_string()),
            last_modified: Some("Wed, 21 Oct 2015 07:28:00 GMT".to_string()),
            last_polled: chrono::DateTime::parse_from_rfc3339("2024-01-02T03:04:05.678Z")
                .ok()
                .map(|t| t.with_timezone(&chrono::Utc)),
        };
        store.set_feed_state(url, &state)?;
        assert_eq!(store.feed_state(url)?, Some(state));
        let cleared = FeedState::default();
        store.set_feed_state(url, &cleared)?;
        assert_eq!(store.feed_state(url)?, Some(cleared));
        Ok(())
    }
}
