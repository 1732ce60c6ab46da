//! Reading files and directories from disk.

use std::fs;
use std::path::PathBuf;

use vigil_ingest::{
    read_source, read_source_with, Document, ErrorKind, Format, IngestError, ReadOptions,
};

/// A scratch directory removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("vigil-ingest-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        Scratch(dir)
    }

    fn write(&self, rel: &str, bytes: &[u8]) {
        let path = self.0.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
        }
        fs::write(path, bytes).unwrap_or_else(|e| panic!("{e}"));
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn read_all(path: &std::path::Path) -> Vec<Result<Document, IngestError>> {
    let mut out = Vec::new();
    read_source(path, &mut |r| out.push(r));
    out
}

#[test]
fn directory_is_walked_recursively_in_sorted_order() {
    let dir = Scratch::new("walk");
    dir.write("b.txt", b"Second article text.");
    dir.write("a.html", b"<html><head><title>Bomb kills five in Kabul | Site</title></head><body><p>First article, from HTML.</p></body></html>");
    dir.write(
        "sub/c.jsonl",
        b"{\"text\": \"Third\"}\n{\"id\": \"x9\", \"text\": \"Fourth\"}\n",
    );
    dir.write("sub/deeper/d.text", b"Fifth.");
    dir.write(".hidden.txt", b"hidden file");
    dir.write(".git/config.txt", b"hidden directory");
    dir.write("notes.md", b"not an article extension");
    dir.write("image.png", b"\x89PNG\r\n\x1a\n");
    dir.write("empty.txt", b"");
    let results = read_all(&dir.0);
    let summary: Vec<String> = results
        .iter()
        .map(|r| match r {
            Ok(doc) => format!("{}={}", doc.id, doc.text),
            Err(err) => format!("error:{:?}", err.kind),
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            "a=First article, from HTML.",
            "b=Second article text.",
            "error:Empty",
            "c-1=Third",
            "x9=Fourth",
            "d=Fifth.",
        ]
    );
    let html = results[0].as_ref().map(|d| d.title.clone()).ok().flatten();
    assert_eq!(html.as_deref(), Some("Bomb kills five in Kabul"));
    let jsonl_line = results[4].as_ref().map(|d| d.origin.clone()).ok();
    assert_eq!(
        jsonl_line.map(|o| o.to_string()),
        Some(format!("{}:2", dir.0.join("sub/c.jsonl").display()))
    );
}

#[test]
fn unknown_extension_is_sniffed() {
    let dir = Scratch::new("sniff");
    dir.write("page.php", b"<!DOCTYPE html><html><body><p>A sniffed page with an article paragraph.</p></body></html>");
    dir.write("feed.out", b"{\"text\": \"sniffed record\"}\n");
    dir.write("plain", b"Just text, no extension.");
    let mut got = Vec::new();
    for name in ["page.php", "feed.out", "plain"] {
        for result in read_all(&dir.0.join(name)) {
            got.push(result.map(|d| d.text).unwrap_or_else(|e| panic!("{e}")));
        }
    }
    assert_eq!(
        got,
        vec![
            "A sniffed page with an article paragraph.",
            "sniffed record",
            "Just text, no extension."
        ]
    );
}

#[test]
fn forced_format_overrides_extension() {
    let dir = Scratch::new("force");
    dir.write(
        "a.txt",
        b"<p>Markup in a .txt file, read as HTML on request.</p>",
    );
    let options = ReadOptions {
        format: Some(Format::Html),
        ..ReadOptions::default()
    };
    let mut texts = Vec::new();
    read_source_with(&dir.0.join("a.txt"), &options, &mut |r| {
        texts.push(
            r.map(|read| read.document.text)
                .unwrap_or_else(|e| panic!("{e}")),
        );
    });
    assert_eq!(
        texts,
        vec!["Markup in a .txt file, read as HTML on request."]
    );
}

#[test]
fn missing_path_is_an_io_error_naming_it() {
    let results = read_all(std::path::Path::new("/nonexistent/vigil/input.txt"));
    assert_eq!(results.len(), 1);
    match &results[0] {
        Err(err) => {
            assert!(matches!(err.kind, ErrorKind::Io(_)));
            let shown = err.to_string();
            assert!(
                shown.starts_with("/nonexistent/vigil/input.txt: cannot read:"),
                "{shown}"
            );
            assert!(!shown.contains('\n'));
        }
        Ok(doc) => panic!("{doc:?}"),
    }
}
