//! SQLite-specific tests (schema versions, migrations). Behaviour common to
//! every backend is tested in `suite.rs`.

use super::*;
use crate::suite::fixtures;

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

#[test]
fn opening_a_version_1_store_migrates_and_fills_incidents_and_actors() -> Result<(), StoreError> {
    let dir = tempfile::tempdir().map_err(|source| StoreError::CreateDir {
        path: PathBuf::from("tmp"),
        source,
    })?;
    let (doc, analysis) = fixtures::kabul();
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

/// A reader opened before another process's ingest (a `vigil serve`
/// beside a `vigil ingest`) sees the new incidents as soon as the writer
/// has committed: searches and streams reload the index instead of waiting
/// for tantivy's delayed reload.
#[test]
fn a_reader_sees_incidents_committed_by_another_handle() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let reader = SqliteStore::open(dir.path())?;
    let everything = Query::default();
    assert_eq!(reader.for_each_incident(&everything, &mut |_| Ok(()))?, 0);
    {
        let mut writer = SqliteStore::open(dir.path())?;
        writer.insert_batch(&[fixtures::kabul(), fixtures::brussels()])?;
        assert!(writer.recompute_incidents()? > 0);
    }
    let mut seen = Vec::new();
    reader.for_each_incident(&everything, &mut |i| {
        seen.push(i.id);
        Ok(())
    })?;
    assert!(!seen.is_empty(), "the reader saw no incident");
    let page = reader.search(&everything, &Page::default())?;
    assert_eq!(page.total, seen.len());
    Ok(())
}

/// A read handle (`open_reader`, as `vigil serve --readers` opens them)
/// skips the near-duplicate index yet sees what a writer stores after it
/// was opened; should it write after all, its first batch reads the index
/// from the database as it is then, so a near-duplicate of a story another
/// handle stored joins that story.
#[test]
fn a_reader_opens_without_the_duplicate_index_and_sees_the_writer(
) -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let mut writer = SqliteStore::open(dir.path())?;
    assert!(writer.has_duplicate_index());
    let mut reader = SqliteStore::open_reader(dir.path())?;
    assert!(!reader.has_duplicate_index());
    let out = writer.insert_batch(&[
        fixtures::item("story", None, fixtures::STORY),
        fixtures::kabul(),
    ])?;
    let Outcome::New { story, .. } = out[0] else {
        return Err(format!("the first document should start a story: {out:?}").into());
    };
    assert!(writer.merge_incidents()?.total > 0);
    assert_eq!(reader.stats()?.documents, 2);
    assert_eq!(
        reader.document("story")?.map(|d| d.story),
        Some(story),
        "the reader does not see the writer's document"
    );
    let page = reader.search(&Query::default(), &Page::default())?;
    assert!(page.total > 0, "the reader sees no incident");
    assert_eq!(page.total, writer.stats()?.incidents as usize);
    assert!(!reader.has_duplicate_index());
    let copy = format!("{}\n\nUpdated.", fixtures::STORY);
    let out = reader.insert_batch(&[fixtures::item("copy", None, &copy)])?;
    assert!(
        matches!(out[0], Outcome::NearDuplicate { story: s, .. } if s == story),
        "{out:?}"
    );
    assert!(reader.has_duplicate_index());
    // The public constructors too.
    let spec = dir.path().display().to_string();
    assert_eq!(crate::open_reader(&spec)?.stats()?.documents, 3);
    assert_eq!(crate::desk::open_reader(&spec)?.stats()?.documents, 3);
    Ok(())
}

/// Opening a store rebuilds the near-duplicate index from the signatures
/// kept with each story's first document, and from the analyses for rows
/// written before schema 7 (no signature): both find the same story.
#[test]
fn the_duplicate_index_is_rebuilt_from_signatures_or_analyses(
) -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let story = {
        let mut store = SqliteStore::open(dir.path())?;
        let out = store.insert_batch(&[
            fixtures::item("story", None, fixtures::STORY),
            fixtures::item("empty", None, "  "),
        ])?;
        let Outcome::New { story, .. } = out[0] else {
            return Err(format!("the first document should start a story: {out:?}").into());
        };
        let stored: Vec<Option<i64>> = store
            .conn
            .prepare("SELECT length(signature) FROM documents ORDER BY key")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        assert_eq!(
            stored,
            vec![Some(vigil_corpus::SIGNATURE_BYTES as i64), Some(0)],
            "a signature per story root, empty for a text without words"
        );
        story
    };
    for (round, forget) in [(1, false), (2, true)] {
        let mut store = SqliteStore::open(dir.path())?;
        if forget {
            // As a store written before schema 7: no signatures.
            store
                .conn
                .execute_batch("UPDATE documents SET signature = NULL")?;
            store = SqliteStore::open(dir.path())?;
        }
        let copy = format!("{}\n\nUpdate {round}.", fixtures::STORY);
        let out = store.insert_batch(&[fixtures::item(&format!("copy{round}"), None, &copy)])?;
        assert!(
            matches!(out[0], Outcome::NearDuplicate { story: s, .. } if s == story),
            "round {round}: {out:?}"
        );
    }
    Ok(())
}
