use std::io::Write as _;
use vigil_text::{clean, CleanOptions};

/// The scraped article lives in `../shared` beside the repository,
/// not in it: read at run time (not `include_str!`) so that the crate still
/// builds and this test skips visibly when `../shared` is absent.
fn fixture() -> Option<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/obfuscated-news-article.txt");
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) => {
            // Not eprintln!: the test harness captures that; this must show.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED: {}: {e} (needs ../shared next to the repository)",
                path.display()
            );
            None
        }
    }
}

#[test]
fn fixture_cleans_perfectly() {
    let Some(fixture) = fixture() else { return };
    let c = clean(&fixture, &CleanOptions::default());
    println!("{}", c.text);
    println!("{:#?}", c.report.changes.iter().take(5).collect::<Vec<_>>());
    assert!(
        c.text.starts_with(
            "Shafaq News/ The recent attacks by the \"ISIS-Khorasan\" organization in Russia"
        ),
        "{}",
        &c.text[..200]
    );
    assert_eq!(c.title.as_deref(), Some("Warnings of ISIS-K attacks in"));
    assert_eq!(
        c.timestamp.map(|t| t.to_rfc3339()).as_deref(),
        Some("2024-03-25T13:10:07+00:00")
    );
    assert!(!c.text.contains("Shafaq Live"));
    assert!(!c.text.contains("Radio"));
    assert!(c
        .text
        .ends_with("\"will be an excellent terrorist target.\""));
    assert!(c.text.is_ascii(), "non-ASCII left");
    for h in [
        "\n\nOfficials warn\n\n",
        "\n\nWhat is \"ISIS-Khorasan\"?\n\n",
        "\n\nSleeper cells in Europe\n\n",
        "\n\nIncreasing number of plots\n\n",
    ] {
        assert!(c.text.contains(h), "missing heading {h:?}");
    }
    assert!(c.text.contains("Syria and Iraq.\n\n"));
    assert!(!c.text.contains("  "));
    assert!(!c.text.contains("\n\n\n"));
    assert_eq!(c.report.confusables_replaced, 90);
    assert_eq!(c.report.boilerplate_removed, 6); // title x2, timestamp, Shafaq Live x2, Radio
    assert_eq!(c.report.spaces_normalized, 1);
    assert_eq!(c.report.invisible_removed, 0);
    assert!(c.report.changes_truncated == (c.report.changes.len() == 200));
    let again = clean(&c.text, &CleanOptions::default());
    assert_eq!(again.text, c.text);
    assert_eq!(again.report.confusables_replaced, 0);
    assert_eq!(again.report.boilerplate_removed, 0);
}
