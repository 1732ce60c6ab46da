//! Property tests: no input makes a reader panic; one bad JSON Lines line
//! costs exactly that line.

use proptest::prelude::*;
use vigil_ingest::{extract_html, read_bytes, Format, Origin};

fn origin() -> Origin {
    Origin {
        path: "prop.jsonl".to_string(),
        line: None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        for format in [Format::Text, Format::Html, Format::Jsonl] {
            let mut items = 0usize;
            read_bytes(&bytes, format, origin(), &mut |result| {
                items += 1;
                if let Err(err) = result {
                    let shown = err.to_string();
                    assert!(shown.starts_with("prop.jsonl"), "{shown}");
                    assert!(!shown.contains('\n'), "{shown}");
                }
            });
            // Text and HTML give exactly one item; JSON Lines at most one per line.
            match format {
                Format::Jsonl => prop_assert!(items <= bytes.split(|&b| b == b'\n').count()),
                _ => prop_assert_eq!(items, 1),
            }
        }
    }

    #[test]
    fn arbitrary_markup_never_panics(tags in proptest::collection::vec(
        prop_oneof![
            Just("<div>".to_string()), Just("</div>".to_string()), Just("<p>".to_string()), Just("</p>".to_string()),
            Just("<table><tr><td>".to_string()), Just("<b>".to_string()), Just("</b>".to_string()),
            Just("<nav class=menu>".to_string()), Just("<article itemprop=articleBody>".to_string()),
            Just("<script type=application/ld+json>{\"@type\":\"NewsArticle\",\"headline\":\"x\"}</script>".to_string()),
            Just("<meta property=article:published_time content=2020-01-01>".to_string()),
            Just("<br>".to_string()), Just("<a href=x>".to_string()), Just("</a>".to_string()),
            "[a-zA-Z ,.]{0,40}",
        ], 0..200)) {
        let html = tags.concat();
        match extract_html(&html, origin()) {
            Ok(doc) => {
                prop_assert!(!doc.text.trim().is_empty());
                prop_assert!(!doc.text.contains("\n\n\n"));
            }
            Err(err) => prop_assert!(!err.to_string().contains('\n')),
        }
    }

    #[test]
    fn one_bad_line_among_good_ones(
        good in proptest::collection::vec("[a-zA-Z][a-zA-Z0-9 .,]{0,60}", 1..20),
        bad_at in 0usize..20,
        bad_kind in 0usize..6,
    ) {
        let bad_at = bad_at % (good.len() + 1);
        let bad = [
            "{\"text\": \"unterminated",
            "{\"title\": \"no body here\"}",
            "42",
            "{\"text\": [1, 2]}",
            "{\"id\": true, \"text\": \"x\"}",
            "not json at all",
        ][bad_kind];
        let mut lines: Vec<String> = good.iter().map(|t| serde_json::json!({"text": t}).to_string()).collect();
        lines.insert(bad_at, bad.to_string());
        let input = lines.join("\n");
        let mut docs = Vec::new();
        let mut errors = Vec::new();
        read_bytes(input.as_bytes(), Format::Jsonl, origin(), &mut |r| match r {
            Ok(doc) => docs.push(doc),
            Err(err) => errors.push(err),
        });
        prop_assert_eq!(errors.len(), 1);
        prop_assert_eq!(errors[0].origin.line, Some(bad_at + 1));
        let expected_prefix = format!("prop.jsonl:{}: ", bad_at + 1);
        prop_assert!(errors[0].to_string().starts_with(&expected_prefix));
        let texts: Vec<String> = docs.iter().map(|d| d.text.clone()).collect();
        let expected: Vec<String> = good.iter().map(|t| t.trim().to_string()).collect();
        prop_assert_eq!(texts, expected);
        for doc in &docs {
            let line = doc.origin.line.unwrap_or(0);
            prop_assert_eq!(&doc.id, &format!("prop-{line}"));
            prop_assert!(line != bad_at + 1);
        }
    }
}
