//! Hostile and degenerate inputs: each has a specific, asserted outcome.

use vigil_ingest::{
    read_bytes, read_bytes_with, Document, ErrorKind, Format, IngestError, Ingested, Origin,
    ReadOptions,
};

fn origin(path: &str) -> Origin {
    Origin {
        path: path.to_string(),
        line: None,
    }
}

fn collect(bytes: &[u8], format: Format, path: &str) -> Vec<Result<Document, IngestError>> {
    let mut out = Vec::new();
    read_bytes(bytes, format, origin(path), &mut |r| out.push(r));
    out
}

fn collect_with(
    bytes: &[u8],
    format: Format,
    path: &str,
    options: &ReadOptions,
) -> Vec<Result<Ingested, IngestError>> {
    let mut out = Vec::new();
    read_bytes_with(bytes, format, origin(path), options, &mut |r| out.push(r));
    out
}

fn only_doc(results: Vec<Result<Document, IngestError>>) -> Document {
    assert_eq!(results.len(), 1);
    match results.into_iter().next() {
        Some(Ok(doc)) => doc,
        other => panic!("expected one document, got {other:?}"),
    }
}

fn only_err(results: Vec<Result<Document, IngestError>>) -> IngestError {
    assert_eq!(results.len(), 1);
    match results.into_iter().next() {
        Some(Err(err)) => err,
        other => panic!("expected one error, got {other:?}"),
    }
}

#[test]
fn ten_thousand_nested_divs() {
    let depth = 10_000;
    let mut html = String::from("<html><body>");
    for _ in 0..depth {
        html.push_str("<div>");
    }
    html.push_str("<p>Deep inside the markup, a paragraph reports that gunmen attacked a checkpoint, killing two.</p>");
    for _ in 0..depth {
        html.push_str("</div>");
    }
    html.push_str("</body></html>");
    let doc = only_doc(collect(html.as_bytes(), Format::Html, "deep.html"));
    assert_eq!(doc.text, "Deep inside the markup, a paragraph reports that gunmen attacked a checkpoint, killing two.");
}

#[test]
fn deep_unclosed_inline_and_table_nesting() {
    // Formatting elements and tables stress html5ever's tree builder
    // (adoption agency, foster parenting); the text must survive.
    let mut html = String::new();
    for i in 0..3_000 {
        html.push_str(if i % 3 == 0 {
            "<b>"
        } else if i % 3 == 1 {
            "<table><tr><td>"
        } else {
            "<span><i>"
        });
    }
    html.push_str("Police said the suspect was arrested in Lyon.");
    let doc = only_doc(collect(html.as_bytes(), Format::Html, "nested.html"));
    assert!(
        doc.text
            .contains("Police said the suspect was arrested in Lyon."),
        "{}",
        doc.text
    );
}

#[test]
fn one_megabyte_single_line_text() {
    let sentence = "The convoy was ambushed near the border crossing, officials said. ";
    let text = sentence.repeat(1_000_000 / sentence.len() + 1);
    assert!(text.len() > 1_000_000 && !text.contains('\n'));
    let doc = only_doc(collect(text.as_bytes(), Format::Text, "long.txt"));
    assert_eq!(doc.id, "long");
    assert_eq!(doc.text, text.trim());
}

#[test]
fn one_megabyte_single_jsonl_line() {
    let body = "x".repeat(1_100_000);
    let line = format!("{{\"id\": 7, \"text\": \"{body}\"}}\n{{\"text\": \"second\"}}\n");
    let docs: Vec<Document> = collect(line.as_bytes(), Format::Jsonl, "big.jsonl")
        .into_iter()
        .map(|r| r.unwrap_or_else(|e| panic!("{e}")))
        .collect();
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0].id, "7");
    assert_eq!(docs[0].text.len(), 1_100_000);
    assert_eq!(docs[1].id, "big-2");
}

#[test]
fn jsonl_line_over_the_limit_is_one_error() {
    let options = ReadOptions {
        max_line_bytes: 1024 * 1024,
        ..ReadOptions::default()
    };
    let huge = format!("{{\"text\": \"{}\"}}", "y".repeat(3 * 1024 * 1024));
    let input = format!("{{\"text\": \"first\"}}\n{huge}\n{{\"text\": \"third\"}}\n");
    let results = collect_with(input.as_bytes(), Format::Jsonl, "lim.jsonl", &options);
    assert_eq!(results.len(), 3);
    assert!(matches!(&results[0], Ok(r) if r.document.text == "first"));
    match &results[1] {
        Err(err) => {
            assert_eq!(err.origin.line, Some(2));
            assert_eq!(err.kind, ErrorKind::LineTooLong { limit: 1024 * 1024 });
            assert!(err
                .to_string()
                .starts_with("lim.jsonl:2: line longer than the limit of 1 MiB"));
        }
        Ok(_) => panic!("expected an error"),
    }
    assert!(
        matches!(&results[2], Ok(r) if r.document.text == "third" && r.document.origin.line == Some(3))
    );
}

#[test]
fn fifty_megabyte_text_article() {
    let paragraph = "Security forces said the attackers fled towards the hills after the raid.\n\n";
    let text = paragraph.repeat(50 * 1024 * 1024 / paragraph.len());
    let doc = only_doc(collect(text.as_bytes(), Format::Text, "huge.txt"));
    assert_eq!(doc.text.len(), text.trim().len());
}

#[test]
fn document_over_the_size_limit() {
    let options = ReadOptions {
        max_document_bytes: 1024 * 1024,
        ..ReadOptions::default()
    };
    let text = "a".repeat(2 * 1024 * 1024);
    let results = collect_with(text.as_bytes(), Format::Text, "big.txt", &options);
    assert_eq!(results.len(), 1);
    assert!(matches!(&results[0], Err(e) if e.kind == ErrorKind::TooLarge { limit: 1024 * 1024 }));
}

#[test]
fn latin1_text_is_decoded_with_a_warning() {
    let bytes = b"Attaque \xE0 Marseille : le pr\xE9fet a confirm\xE9 deux bless\xE9s.";
    let results = collect_with(bytes, Format::Text, "fr.txt", &ReadOptions::default());
    match &results[..] {
        [Ok(read)] => {
            assert_eq!(
                read.document.text,
                "Attaque à Marseille : le préfet a confirmé deux blessés."
            );
            assert_eq!(
                read.warnings,
                vec!["not valid UTF-8; decoded as Windows-1252 (Latin-1)".to_string()]
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn mostly_utf8_with_a_bad_byte_is_lossy() {
    let mut bytes = "Zürich: Polizei nimmt Verdächtigen fest – "
        .as_bytes()
        .to_vec();
    bytes.push(0xFF);
    bytes.extend_from_slice(" Köln.".as_bytes());
    let results = collect_with(&bytes, Format::Text, "de.txt", &ReadOptions::default());
    match &results[..] {
        [Ok(read)] => {
            assert_eq!(
                read.document.text,
                "Zürich: Polizei nimmt Verdächtigen fest – \u{FFFD} Köln."
            );
            assert!(read.warnings[0].contains("replaced by U+FFFD"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn invalid_utf8_in_a_jsonl_line() {
    let input = b"{\"text\": \"ok\"}\n{\"text\": \"bad \xFF byte\"}\n";
    let results = collect(input, Format::Jsonl, "u.jsonl");
    assert_eq!(results.len(), 2);
    assert!(results[0].is_ok());
    match &results[1] {
        Err(e) => {
            assert_eq!(e.kind, ErrorKind::InvalidUtf8 { at: 14 });
            assert!(e
                .to_string()
                .starts_with("u.jsonl:2: invalid UTF-8 at byte 14"));
        }
        Ok(d) => panic!("{d:?}"),
    }
}

#[test]
fn empty_inputs() {
    for format in [Format::Text, Format::Html, Format::Jsonl] {
        let err = only_err(collect(b"", format, "empty.txt"));
        assert_eq!(err.kind, ErrorKind::Empty);
        assert!(
            err.to_string().starts_with("empty.txt: empty document"),
            "{err}"
        );
    }
    let err = only_err(collect(b" \n\t \r\n", Format::Text, "blank.txt"));
    assert_eq!(err.kind, ErrorKind::Empty);
    let err = only_err(collect(
        b"<html><body>  </body></html>",
        Format::Html,
        "blank.html",
    ));
    assert_eq!(err.kind, ErrorKind::NoArticleText);
    // Blank lines alone give no records and no errors.
    assert!(collect(b"\n\n  \n", Format::Jsonl, "blank.jsonl").is_empty());
}

#[test]
fn binary_files_are_rejected() {
    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10";
    let err = only_err(collect(png, Format::Text, "photo.txt"));
    assert_eq!(err.kind, ErrorKind::Binary("PNG image".into()));
    assert!(
        err.to_string()
            .starts_with("photo.txt: binary file (PNG image)"),
        "{err}"
    );

    let gzip = b"\x1F\x8B\x08\x00\x00\x00\x00\x00\x00\x03\xcb\x48\xcd\xc9\xc9\x07\x00";
    let err = only_err(collect(gzip, Format::Jsonl, "news.jsonl"));
    assert_eq!(err.kind, ErrorKind::Binary("gzip data".into()));

    let mut nul_heavy = b"some text ".to_vec();
    nul_heavy.extend(std::iter::repeat_n(0u8, 500));
    let err = only_err(collect(&nul_heavy, Format::Html, "x.html"));
    assert!(matches!(err.kind, ErrorKind::Binary(_)));
    assert!(err.to_string().contains("binary file"));
}

#[test]
fn broken_jsonl_records_are_errors_for_their_line_only() {
    let input = concat!(
        "{\"id\": \"a\", \"text\": \"Alpha\"}\n",
        "{\"id\": \"b\", \"text\": \n",
        "[1, 2]\n",
        "{\"id\": \"d\", \"title\": \"no body\"}\n",
        "{\"id\": {\"x\": 1}, \"text\": \"wrong id\"}\n",
        "{\"text\": 42}\n",
        "{\"text\": \"   \"}\n",
        "\n",
        "{\"id\": 9, \"text\": \"Omega\", \"title\": 5, \"date\": \"someday\"}\n",
    );
    let mut results = Vec::new();
    read_bytes_with(
        input.as_bytes(),
        Format::Jsonl,
        origin("mix.jsonl"),
        &ReadOptions::default(),
        &mut |r| results.push(r),
    );
    assert_eq!(results.len(), 8);
    let errors: Vec<(usize, String)> = results
        .iter()
        .filter_map(|r| r.as_ref().err())
        .map(|e| (e.origin.line.unwrap_or(0), e.to_string()))
        .collect();
    let lines: Vec<usize> = errors.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, vec![2, 3, 4, 5, 6, 7]);
    assert!(errors[0].1.starts_with("mix.jsonl:2: invalid JSON"));
    assert!(
        errors[1]
            .1
            .starts_with("mix.jsonl:3: expected a JSON object"),
        "{}",
        errors[1].1
    );
    assert!(errors[2]
        .1
        .starts_with("mix.jsonl:4: record has no `text` or `html` field"));
    assert!(errors[3]
        .1
        .starts_with("mix.jsonl:5: field `id` must be a string or a number but is an object"));
    assert!(errors[4]
        .1
        .starts_with("mix.jsonl:6: field `text` must be a string but is a number"));
    assert!(errors[5].1.starts_with("mix.jsonl:7: empty document"));
    for (_, shown) in &errors {
        assert!(!shown.contains('\n'));
    }
    let last = results
        .last()
        .and_then(|r| r.as_ref().ok())
        .cloned()
        .unwrap_or_else(|| panic!("last record"));
    assert_eq!(last.document.id, "9");
    assert_eq!(last.document.text, "Omega");
    assert_eq!(last.document.title, None);
    assert_eq!(last.document.published, None);
    assert_eq!(last.document.origin.line, Some(9));
    assert_eq!(
        last.warnings,
        vec![
            "field `title` must be a string but is a number, ignored".to_string(),
            "field `date`: unrecognised date \"someday\", ignored".to_string(),
        ]
    );
}

#[test]
fn json_array_and_pretty_printed_json_are_one_clear_error() {
    let err = only_err(collect(
        b"[\n  {\"text\": \"a\"},\n  {\"text\": \"b\"}\n]\n",
        Format::Jsonl,
        "arr.json",
    ));
    assert_eq!(err.kind, ErrorKind::JsonArray);
    assert!(err.to_string().contains("jq -c"));
    let err = only_err(collect(
        b"{\n  \"text\": \"a\"\n}\n",
        Format::Jsonl,
        "pretty.json",
    ));
    assert_eq!(err.kind, ErrorKind::MultiLineJson);
}

#[test]
fn formatting_element_storm_is_defused() {
    // 20,000 distinct unclosed formatting elements followed by paragraphs:
    // without the guard, html5ever re-opens all of them for every paragraph.
    let mut html: String = (0..20_000)
        .map(|i| format!("<b id=b{i}><i id=i{i}>"))
        .collect();
    for i in 0..2_000 {
        html.push_str(&format!("<p>Paragraph {i} of the report.</p>"));
    }
    let doc = only_doc(collect(html.as_bytes(), Format::Html, "storm.html"));
    assert!(doc.text.starts_with("Paragraph 0 of the report."));
    assert!(doc.text.ends_with("Paragraph 1999 of the report."));
}

#[test]
fn stray_end_tags_under_a_deep_stack_are_defused() {
    let mut html = "<div>".repeat(10_000);
    html.push_str("Text at the bottom of a deep stack.");
    html.push_str(&"</p></span></td>".repeat(100_000));
    html.push_str(&"</div>".repeat(10_000));
    let doc = only_doc(collect(html.as_bytes(), Format::Html, "stray.html"));
    assert_eq!(doc.text, "Text at the bottom of a deep stack.");
}

#[test]
fn jsonl_aliases_html_bodies_and_metadata_precedence() {
    let page = "<html><head><meta property='og:title' content='Page title'><meta property='og:site_name' content='Page Site'>\
        <meta property='article:published_time' content='2024-01-02T03:04:05Z'></head>\
        <body><nav>Menu</nav><p>Body from the page, with enough words to be the article.</p></body></html>";
    let input = [
        serde_json::json!({"doc_id": 17, "html": page}),
        serde_json::json!({"id": "r2", "html": page, "headline": "Record title", "publish_date": "March 5, 2024", "link": "https://x.example/a", "site_name": "Record Site", "authors": [{"name": "A. One"}, "B. Two"]}),
        serde_json::json!({"content": "<p>First para.</p><p>Second para.</p><p>Third para.</p>", "date": 1709596800}),
        serde_json::json!({"body": ["Para one.", " ", "Para two."], "source": {"name": "Wire"}}),
    ]
    .iter()
    .map(|v| v.to_string())
    .collect::<Vec<_>>()
    .join("\n");
    let results = collect_with(
        input.as_bytes(),
        Format::Jsonl,
        "alias.jsonl",
        &ReadOptions::default(),
    );
    let reads: Vec<Ingested> = results
        .into_iter()
        .map(|r| r.unwrap_or_else(|e| panic!("{e}")))
        .collect();
    assert_eq!(reads.len(), 4);

    let first = &reads[0];
    assert_eq!(first.document.id, "17");
    assert_eq!(first.document.title.as_deref(), Some("Page title"));
    assert_eq!(first.document.source.as_deref(), Some("Page Site"));
    assert_eq!(
        first.document.text,
        "Body from the page, with enough words to be the article."
    );
    assert_eq!(first.published_from, Some("metadata"));

    let second = &reads[1];
    assert_eq!(second.document.title.as_deref(), Some("Record title"));
    assert_eq!(second.document.source.as_deref(), Some("Record Site"));
    assert_eq!(second.document.url.as_deref(), Some("https://x.example/a"));
    assert_eq!(second.document.author.as_deref(), Some("A. One, B. Two"));
    assert_eq!(
        second.document.published.map(|d| d.to_rfc3339()).as_deref(),
        Some("2024-03-05T00:00:00+00:00")
    );
    assert_eq!(second.published_from, Some("record"));

    let third = &reads[2];
    assert_eq!(third.document.id, "alias-3");
    assert_eq!(
        third.document.text,
        "First para.\n\nSecond para.\n\nThird para."
    );
    assert_eq!(
        third.warnings,
        vec!["field `content` holds HTML markup; its main text was extracted".to_string()]
    );
    assert_eq!(
        third.document.published.map(|d| d.to_rfc3339()).as_deref(),
        Some("2024-03-05T00:00:00+00:00")
    );

    let fourth = &reads[3];
    assert_eq!(fourth.document.text, "Para one.\n\nPara two.");
    assert_eq!(fourth.document.source.as_deref(), Some("Wire"));
    assert_eq!(fourth.published_from, None);
}
