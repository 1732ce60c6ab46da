//! RSS and Atom feed files: one document per item or entry.

use std::path::Path;

use vigil_ingest::{detect_format, read_source_with, Format, IngestError, Ingested, ReadOptions};

fn read(name: &str) -> (String, Vec<Result<Ingested, IngestError>>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    let mut out = Vec::new();
    read_source_with(&path, &ReadOptions::default(), &mut |r| out.push(r));
    (path.display().to_string(), out)
}

fn date(read: &Ingested) -> Option<String> {
    read.document.published.map(|d| d.to_rfc3339())
}

#[test]
fn rss() {
    let (path, out) = read("feed.rss");
    assert_eq!(out.len(), 3, "{out:#?}");
    let Ok(first) = &out[0] else {
        panic!("{:?}", out[0])
    };
    let doc = &first.document;
    assert_eq!(doc.id, "feed-1");
    assert_eq!(doc.title.as_deref(), Some("Convoy attacked near Kunduz"));
    assert_eq!(doc.url.as_deref(), Some("https://frontier.example/convoy"));
    assert_eq!(doc.source.as_deref(), Some("Frontier Post"));
    assert_eq!(doc.author.as_deref(), Some("Jane Doe"));
    assert_eq!(
        doc.text,
        "Gunmen attacked a convoy on Sunday, officials said.\n\nTwo guards were wounded."
    );
    assert_eq!(date(first).as_deref(), Some("2024-03-10T08:30:00+00:00"));
    assert_eq!(first.published_from, Some("record"));
    assert_eq!(doc.origin.path, path);
    assert_eq!(doc.origin.line, Some(7));
    assert!(first.warnings.is_empty());

    let Ok(second) = &out[1] else {
        panic!("{:?}", out[1])
    };
    let doc = &second.document;
    assert_eq!(doc.id, "feed-2");
    assert_eq!(
        doc.title.as_deref(),
        Some("Bridge reopened & traffic resumes")
    );
    // No <link>: a permalink guid is the URL. content:encoded wins over description.
    assert_eq!(doc.url.as_deref(), Some("https://frontier.example/bridge"));
    assert_eq!(
        doc.text,
        "The bridge over the river reopened on Monday after repairs.\n\nTraffic resumed at noon."
    );
    assert_eq!(doc.published, None);
    assert_eq!(
        second.warnings,
        vec!["unparseable date `not a date` dropped".to_string()]
    );

    let Err(err) = &out[2] else {
        panic!("{:?}", out[2])
    };
    assert_eq!(
        err.to_string(),
        format!(
            "{path}:22: empty document: there is no text to analyse; remove the item or fill it"
        )
    );
}

#[test]
fn atom() {
    let (_, out) = read("feed.atom");
    assert_eq!(out.len(), 2, "{out:#?}");
    let Ok(first) = &out[0] else {
        panic!("{:?}", out[0])
    };
    let doc = &first.document;
    assert_eq!(doc.id, "feed-1");
    assert_eq!(doc.title.as_deref(), Some("Checkpoint bombing foiled"));
    assert_eq!(
        doc.url.as_deref(),
        Some("https://valley.example/checkpoint")
    );
    assert_eq!(doc.source.as_deref(), Some("Valley Monitor"));
    assert_eq!(doc.author.as_deref(), Some("Ali Rahimi"));
    assert_eq!(
        doc.text,
        "Police stopped a would-be bomber at a checkpoint in the city on Monday.\n\nNo one was hurt."
    );
    // `published` wins over `updated`.
    assert_eq!(date(first).as_deref(), Some("2024-03-11T09:15:00+04:30"));
    assert_eq!(doc.origin.line, Some(6));

    let Ok(second) = &out[1] else {
        panic!("{:?}", out[1])
    };
    let doc = &second.document;
    assert_eq!(doc.id, "feed-2");
    assert_eq!(doc.url.as_deref(), Some("https://valley.example/market"));
    assert_eq!(doc.text, "The central market reopened on Tuesday.");
    assert_eq!(date(second).as_deref(), Some("2024-03-12T07:00:00+00:00"));
    assert_eq!(doc.author, None);
}

#[test]
fn broken_feed_keeps_earlier_items() {
    let (path, out) = read("broken.xml");
    assert_eq!(out.len(), 2, "{out:#?}");
    let Ok(first) = &out[0] else {
        panic!("{:?}", out[0])
    };
    assert_eq!(first.document.text, "The first story is fine.");
    let Err(err) = &out[1] else {
        panic!("{:?}", out[1])
    };
    let shown = err.to_string();
    assert!(
        shown.starts_with(&format!(
            "{path}:4: not a readable RSS or Atom feed: invalid XML ("
        )),
        "{shown}"
    );
    assert!(
        shown.ends_with("the rest of the feed is skipped"),
        "{shown}"
    );
}

#[test]
fn detection_and_non_feeds() {
    let rss = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/feed.rss"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(detect_format(None, &rss), Format::Feed);
    let mut out = Vec::new();
    let origin = vigil_ingest::Origin {
        path: "sitemap.xml".into(),
        line: None,
    };
    vigil_ingest::read_bytes_with(
        b"<?xml version=\"1.0\"?><urlset><url><loc>x</loc></url></urlset>",
        Format::Feed,
        origin,
        &ReadOptions::default(),
        &mut |r| out.push(r),
    );
    let shown: Vec<String> = out
        .iter()
        .filter_map(|r| r.as_ref().err())
        .map(|e| e.to_string())
        .collect();
    assert_eq!(shown, vec!["sitemap.xml: not a readable RSS or Atom feed: the root element is <urlset>, not <rss> or <feed>"]);
}
