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
