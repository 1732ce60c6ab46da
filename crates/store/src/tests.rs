use super::*;
use vigil_core::{Analysis, Document};

const STORY: &str = "Gunmen attacked a police station in the northern town of Kaduna on Monday \
night, killing three officers and wounding five others, local officials said. The attackers \
arrived on motorcycles shortly after midnight and exchanged fire with the guards for nearly an \
hour before fleeing into the nearby forest. No group has claimed responsibility for the attack, \
but security forces have blamed bandits operating in the region for a series of similar raids \
this year. The state governor condemned the violence and promised to reinforce security.";

fn item(id: &str, url: Option<&str>, text: &str) -> (Document, Analysis) {
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

#[test]
fn same_content_or_url_is_a_duplicate_and_changes_nothing() -> Result<(), StoreError> {
    let dir = tempfile::tempdir().map_err(|source| StoreError::CreateDir {
        path: PathBuf::from("tmp"),
        source,
    })?;
    let mut store = SqliteStore::open(dir.path())?;
    let first = store.insert_batch(&[item(
        "a",
        Some("https://www.example.org/x/?utm_source=t"),
        STORY,
    )])?;
    assert!(matches!(first[0], Outcome::New { .. }));
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
    assert!(store.find_duplicate(&item("z", None, STORY).0)?.is_some());
    Ok(())
}

#[test]
fn near_duplicate_joins_the_story_and_reopen_keeps_everything() -> Result<(), StoreError> {
    let dir = tempfile::tempdir().map_err(|source| StoreError::CreateDir {
        path: PathBuf::from("tmp"),
        source,
    })?;
    // Republished in capitals with other line breaks: same words, other bytes.
    let edited = STORY.to_uppercase().replace(". ", ".\n");
    let other = "The central bank raised interest rates by half a point on Tuesday, citing \
persistent inflation in food and energy prices, and signalled that further increases were likely \
before the end of the year as the currency weakened against the dollar.";
    {
        let mut store = SqliteStore::open(dir.path())?;
        let out = store.insert_batch(&[item("a", None, STORY), item("c", None, other)])?;
        let Outcome::New { story, .. } = out[0] else {
            panic!("first document should start a story: {out:?}");
        };
        let out = store.insert_batch(&[item("b", None, &edited)])?;
        assert!(
            matches!(out[0], Outcome::NearDuplicate { story: s, .. } if s == story),
            "{out:?}"
        );
        let stats = store.stats()?;
        assert_eq!((stats.documents, stats.stories), (3, 2));
    }
    // Reopen: data, schema version and the near-duplicate index survive.
    let mut store = SqliteStore::open(dir.path())?;
    assert_eq!(store.schema_version()?, SCHEMA_VERSION);
    let stats = store.stats()?;
    assert_eq!((stats.documents, stats.stories), (3, 2));
    assert!(stats.size_bytes > 0);
    // Same words, different bytes: a near-duplicate at distance 0.
    let edited2 = format!("{STORY}\n\n");
    let out = store.insert_batch(&[item("d", None, &edited2)])?;
    assert!(matches!(out[0], Outcome::NearDuplicate { .. }), "{out:?}");
    assert_eq!(store.recompute_incidents()?, 0);
    Ok(())
}

#[test]
fn newer_schema_is_refused() -> Result<(), StoreError> {
    let dir = tempfile::tempdir().map_err(|source| StoreError::CreateDir {
        path: PathBuf::from("tmp"),
        source,
    })?;
    {
        let store = SqliteStore::open(dir.path())?;
        store
            .conn
            .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .map_err(store.err("test"))?;
    }
    assert!(matches!(
        SqliteStore::open(dir.path()),
        Err(StoreError::TooNew { .. })
    ));
    Ok(())
}

#[test]
fn canonical_urls() {
    assert_eq!(
        canonical_url("HTTP://WWW.Example.org/a/b/?utm_medium=x&id=3#frag").as_deref(),
        Some("https://example.org/a/b?id=3")
    );
    assert_eq!(canonical_url("  "), None);
}

mod search {
    use super::*;
    use crate::search::parse;
    use vigil_core::{
        DateValue, Entity, EntityType, Event, EventType, Geo, Mention, Precision, Slot, Span, Stage,
    };

    fn place(id: &str, name: &str, country: &str) -> Entity {
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
            }),
            kb_id: None,
        }
    }

    struct Spec<'a> {
        id: &'a str,
        source: &'a str,
        text: &'a str,
        kind: EventType,
        stage: Stage,
        date: &'a str,
        place: Entity,
        actor: Option<Entity>,
    }

    fn analysed(spec: Spec<'_>) -> (Document, Analysis) {
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
            id: "V1".to_string(),
            kind: spec.kind,
            stage: spec.stage,
            trigger: Mention {
                text: String::new(),
                start: 0,
                end: 0,
            },
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
            targets: Vec::new(),
            victims: Vec::new(),
            weapons: Vec::new(),
            killed: None,
            injured: None,
            arrested: None,
            nationalities: Vec::new(),
            attributed_to: Vec::new(),
            evidence: vec![Span::new(0, spec.text.len())],
            confidence: 0.9,
        });
        analysis.entities.push(spec.place);
        analysis.entities.extend(spec.actor);
        (doc, analysis)
    }

    pub(super) fn kabul() -> (Document, Analysis) {
        analysed(Spec {
            id: "kabul",
            source: "New York Times",
            text: "A car bomb exploded near a crowded market in Kabul and the bomb killed five people, officials said.",
            kind: EventType::Bombing,
            stage: Stage::Accomplished,
            date: "2023-05-10",
            place: place("E1", "Kabul", "AF"),
            actor: Some(isis_k()),
        })
    }

    fn isis_k() -> Entity {
        Entity {
            id: "E2".to_string(),
            kind: EntityType::ArmedGroup,
            name: "Islamic State Khorasan Province".to_string(),
            aliases: vec!["ISKP".to_string()],
            kb_id: Some("group:islamic-state-khorasan".to_string()),
            geo: None,
            ..place("E2", "", "")
        }
    }

    fn store() -> Result<(tempfile::TempDir, SqliteStore), StoreError> {
        let dir = tempfile::tempdir().map_err(|source| StoreError::CreateDir {
            path: PathBuf::from("tmp"),
            source,
        })?;
        let mut store = SqliteStore::open(dir.path())?;
        let isis_k = Entity {
            id: "E2".to_string(),
            kind: EntityType::ArmedGroup,
            name: "Islamic State Khorasan Province".to_string(),
            aliases: vec!["ISKP".to_string()],
            kb_id: Some("group:islamic-state-khorasan".to_string()),
            geo: None,
            ..place("E2", "", "")
        };
        store.insert_batch(&[
            analysed(Spec {
                id: "brussels",
                source: "Reuters",
                text: "Police arrested two men in Brussels on suspicion of planning an attack on a concert hall.",
                kind: EventType::Arrest,
                stage: Stage::Accomplished,
                date: "2024-03-01",
                place: place("E1", "Brussels", "BE"),
                actor: None,
            }),
            analysed(Spec {
                id: "kabul",
                source: "New York Times",
                text: "A car bomb exploded near a crowded market in Kabul and the bomb killed five people, officials said.",
                kind: EventType::Bombing,
                stage: Stage::Accomplished,
                date: "2023-05-10",
                place: place("E1", "Kabul", "AF"),
                actor: Some(isis_k),
            }),
            analysed(Spec {
                id: "berlin",
                source: "Der Spiegel",
                text: "A bomb was found and defused at the central railway station in Berlin by specialist officers.",
                kind: EventType::Bombing,
                stage: Stage::Foiled,
                date: "2024-06-01",
                place: place("E1", "Berlin", "DE"),
                actor: None,
            }),
        ])?;
        store.recompute_incidents()?;
        Ok((dir, store))
    }

    fn ids(store: &SqliteStore, query: &str) -> Vec<String> {
        let query = match parse(query) {
            Ok(q) => q,
            Err(e) => panic!("{query}: {e}"),
        };
        ids_of(store, &query)
    }

    fn ids_of(store: &SqliteStore, query: &Query) -> Vec<String> {
        match store.search(query, &Page::first(10)) {
            Ok(page) => page
                .hits
                .into_iter()
                .map(|h| h.id.split('/').next().unwrap_or_default().to_string())
                .collect(),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn filters_select_incidents() -> Result<(), StoreError> {
        let (_dir, store) = store()?;
        assert_eq!(store.stats()?.incidents, 3);
        assert_eq!(ids(&store, ""), vec!["berlin", "brussels", "kabul"]);
        assert_eq!(ids(&store, "type:bombing"), vec!["berlin", "kabul"]);
        assert_eq!(ids(&store, "type:arrest place:brussels"), vec!["brussels"]);
        assert_eq!(ids(&store, "stage:foiled"), vec!["berlin"]);
        assert_eq!(ids(&store, r#"actor:"isis-k""#), vec!["kabul"]);
        assert_eq!(ids(&store, "actor:ISKP"), vec!["kabul"]);
        assert_eq!(ids(&store, "actor:islamic-state-khorasan"), vec!["kabul"]);
        assert_eq!(ids(&store, "place:be"), vec!["brussels"]);
        assert_eq!(ids(&store, "place:Germany"), Vec::<String>::new());
        let mut q = parse("place:Germany").map_err(|_| StoreError::TooNew {
            path: PathBuf::new(),
            found: 0,
            supported: 0,
        })?;
        q.places[0].countries = vec!["DE".to_string()];
        assert_eq!(ids_of(&store, &q), vec!["berlin"]);
        assert_eq!(ids(&store, "since:2024-01-01"), vec!["berlin", "brussels"]);
        assert_eq!(ids(&store, "until:2023-12-31"), vec!["kabul"]);
        assert_eq!(
            ids(&store, "since:2024-03-01 until:2024-03-01"),
            vec!["brussels"]
        );
        assert_eq!(ids(&store, r#"source:"york times""#), vec!["kabul"]);
        assert_eq!(
            ids(&store, "source:reuters type:bombing"),
            Vec::<String>::new()
        );
        Ok(())
    }

    #[test]
    fn relevance_then_recency() -> Result<(), StoreError> {
        let (_dir, store) = store()?;
        // Kabul says "bomb" twice and is older: relevance wins.
        assert_eq!(ids(&store, "bomb"), vec!["kabul", "berlin"]);
        assert_eq!(ids(&store, "market bomb"), vec!["kabul"]);
        assert_eq!(ids(&store, r#""concert hall""#), vec!["brussels"]);
        assert_eq!(ids(&store, "nothing-like-this"), Vec::<String>::new());
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
}

#[test]
fn opening_a_version_1_store_migrates_and_fills_incidents_and_actors() -> Result<(), StoreError> {
    let dir = tempfile::tempdir().map_err(|source| StoreError::CreateDir {
        path: PathBuf::from("tmp"),
        source,
    })?;
    let (doc, analysis) = search::kabul();
    {
        // A store written by the first release: schema 1 only.
        let conn = rusqlite::Connection::open(dir.path().join(DB_FILE)).map_err(|source| {
            StoreError::Sqlite {
                path: dir.path().to_path_buf(),
                action: "test",
                source,
            }
        })?;
        let json = serde_json::to_string(&analysis).unwrap_or_default();
        let event = serde_json::to_string(&analysis.events[0]).unwrap_or_default();
        conn.execute_batch(crate::sqlite::MIGRATIONS[0])
            .and_then(|()| {
                conn.execute(
                    "INSERT INTO documents (key, id, source, content_hash, story) VALUES (1, ?1, ?2, 'h', 1)",
                    rusqlite::params![doc.id, doc.source],
                )
            })
            .and_then(|_| conn.execute("INSERT INTO analyses (doc, json) VALUES (1, ?1)", [json]))
            .and_then(|_| {
                conn.execute(
                    "INSERT INTO events (doc, id, kind, stage, json) VALUES (1, 'V1', 'bombing', 'accomplished', ?1)",
                    [event],
                )
            })
            .and_then(|_| conn.execute_batch("PRAGMA user_version = 1;"))
            .map_err(|source| StoreError::Sqlite {
                path: dir.path().to_path_buf(),
                action: "test",
                source,
            })?;
    }
    let store = SqliteStore::open(dir.path())?;
    assert_eq!(store.schema_version()?, SCHEMA_VERSION);
    let stats = store.stats()?;
    assert_eq!(stats.incidents, 1);
    assert_eq!(store.search(&Query::default(), &Page::first(100))?.total, 1);
    let actor = store.actor("group:islamic-state-khorasan")?;
    assert_eq!(
        actor.as_ref().map(|a| (a.documents, a.incidents)),
        Some((1, 1))
    );
    let document = store.document("kabul")?;
    assert_eq!(
        document.map(|d| (d.document.text, d.story)),
        Some((analysis.text.clone(), 1))
    );
    Ok(())
}
