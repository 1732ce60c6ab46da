//! WARC and WARC.GZ archives: HTML responses become documents, other
//! records are skipped, malformed records are errors naming their offset.

use std::io::Write;
use std::path::PathBuf;

use flate2::write::GzEncoder;
use flate2::Compression;
use vigil_ingest::{
    detect_format, read_bytes_with, read_source_with, ErrorKind, Format, IngestError, Ingested,
    Origin, ReadOptions,
};

/// One WARC record: version line, headers, Content-Length, block, CRLF CRLF.
fn record(version: &str, kind: &str, headers: &[(&str, &str)], block: &[u8]) -> Vec<u8> {
    let mut out = format!("{version}\r\nWARC-Type: {kind}\r\n").into_bytes();
    for (name, value) in headers {
        out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", block.len()).as_bytes());
    out.extend_from_slice(block);
    out.extend_from_slice(b"\r\n\r\n");
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap_or_else(|e| panic!("{e}"));
    encoder.finish().unwrap_or_else(|e| panic!("{e}"))
}

fn http(headers: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 200 OK\r\n{headers}\r\n").into_bytes();
    out.extend_from_slice(body);
    out
}

const PLAIN_PAGE: &str = "<!DOCTYPE html><html><head><title>Convoy attacked</title></head><body>\
<article><p>Gunmen attacked a convoy near Kunduz on Sunday, officials said.</p>\
<p>Two guards were wounded in the attack.</p></article></body></html>";

const DATED_PAGE: &str = "<html><head><title>Bridge reopened</title>\
<link rel=\"canonical\" href=\"https://news.example/bridge\">\
<meta property=\"article:published_time\" content=\"2024-03-01T10:00:00Z\"></head>\
<body><article><p>The bridge over the river reopened on Monday after repairs.</p></article></body></html>";

const CHUNKED_PAGE: &str =
    "<html><body><p>Police stopped a bomber at a checkpoint, a spokesman said.</p></body></html>";

/// The records of the test archive, each with its uncompressed bytes.
fn records() -> Vec<Vec<u8>> {
    let mut chunked = Vec::new();
    let gz_page = gzip(CHUNKED_PAGE.as_bytes());
    let (a, b) = gz_page.split_at(10);
    for part in [a, b] {
        chunked.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
        chunked.extend_from_slice(part);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    vec![
        record("WARC/1.0", "warcinfo", &[("Content-Type", "application/warc-fields")], b"software: test\r\n"),
        record(
            "WARC/1.1",
            "request",
            &[("WARC-Target-URI", "https://news.example/convoy")],
            b"GET /convoy HTTP/1.1\r\nHost: news.example\r\n\r\n",
        ),
        record(
            "WARC/1.1",
            "response",
            &[
                ("WARC-Target-URI", "https://news.example/convoy"),
                ("WARC-Date", "2024-03-10T08:30:00Z"),
                ("Content-Type", "application/http; msgtype=response"),
            ],
            &http("Content-Type: text/html; charset=utf-8\r\n", PLAIN_PAGE.as_bytes()),
        ),
        record(
            "WARC/1.0",
            "response",
            &[
                ("WARC-Target-URI", "<https://news.example/bridge?utm=x>"),
                ("WARC-Date", "2024-03-10T09:00:00Z"),
            ],
            &http("Content-Type: text/html\r\n", DATED_PAGE.as_bytes()),
        ),
        record(
            "WARC/1.1",
            "response",
            &[("WARC-Target-URI", "https://news.example/logo.jpg")],
            &http("Content-Type: image/jpeg\r\n", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00binary"),
        ),
        // A broken Content-Length: the reader skips to the next record.
        b"WARC/1.1\r\nWARC-Type: response\r\nContent-Length: lots\r\n\r\nHTTP/1.1 200 OK\r\n\r\n<p>lost</p>\r\n\r\n"
            .to_vec(),
        record(
            "WARC/1.1",
            "response",
            &[
                ("WARC-Target-URI", "https://news.example/checkpoint"),
                ("WARC-Date", "2024-03-11T07:00:00Z"),
            ],
            &http(
                "Content-Type: text/html\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n",
                &chunked,
            ),
        ),
        // A response whose page holds no text.
        record(
            "WARC/1.1",
            "response",
            &[("WARC-Target-URI", "https://news.example/empty")],
            &http("Content-Type: text/html\r\n", b"<html><body><script>x()</script></body></html>"),
        ),
        // Truncated: the archive ends inside the block.
        b"WARC/1.1\r\nWARC-Type: response\r\nContent-Length: 5000\r\n\r\nHTTP/1.1 200 OK\r\n".to_vec(),
    ]
}

fn read(bytes: &[u8], path: &str) -> Vec<Result<Ingested, IngestError>> {
    let origin = Origin {
        path: path.to_string(),
        line: None,
    };
    let mut out = Vec::new();
    read_bytes_with(
        bytes,
        Format::Warc,
        origin,
        &ReadOptions::default(),
        &mut |r| out.push(r),
    );
    out
}

fn check(results: &[Result<Ingested, IngestError>], path: &str, offsets: &[u64]) {
    let docs: Vec<&Ingested> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    let errors: Vec<String> = results
        .iter()
        .filter_map(|r| r.as_ref().err())
        .map(|e| e.to_string())
        .collect();
    assert_eq!(docs.len(), 3, "{results:#?}");

    let convoy = &docs[0].document;
    assert_eq!(convoy.id, "archive-3");
    assert_eq!(convoy.url.as_deref(), Some("https://news.example/convoy"));
    assert_eq!(convoy.title.as_deref(), Some("Convoy attacked"));
    assert_eq!(
        convoy.text,
        "Gunmen attacked a convoy near Kunduz on Sunday, officials said.\n\nTwo guards were wounded in the attack."
    );
    assert_eq!(
        convoy.published.map(|d| d.to_rfc3339()).as_deref(),
        Some("2024-03-10T08:30:00+00:00")
    );
    assert_eq!(docs[0].published_from, Some("warc-date"));
    assert!(docs[0].warnings.is_empty());
    assert_eq!(convoy.origin.path, path);

    // The page's canonical URL and date win over the record's.
    let bridge = &docs[1].document;
    assert_eq!(bridge.id, "archive-4");
    assert_eq!(bridge.url.as_deref(), Some("https://news.example/bridge"));
    assert_eq!(
        bridge.published.map(|d| d.to_rfc3339()).as_deref(),
        Some("2024-03-01T10:00:00+00:00")
    );
    assert_eq!(docs[1].published_from, Some("metadata"));

    // Chunked and gzip-encoded HTTP body.
    let checkpoint = &docs[2].document;
    assert_eq!(checkpoint.id, "archive-7");
    assert_eq!(
        checkpoint.url.as_deref(),
        Some("https://news.example/checkpoint")
    );
    assert_eq!(
        checkpoint.text,
        "Police stopped a bomber at a checkpoint, a spokesman said."
    );

    assert_eq!(
        errors,
        vec![
            format!("{path}: WARC record at byte {}: invalid Content-Length `lots`; skipping to the next record", offsets[5]),
            format!("{path}: WARC record at byte {}: no article text found in the HTML (only scripts, navigation or empty markup); pass the full article page or its text; record skipped", offsets[7]),
            format!("{path}: WARC record at byte {}: truncated record: Content-Length is 5000 bytes but only 17 remain; reading of this file stopped", offsets[8]),
        ]
    );
    // Documents and errors come in archive order.
    let kinds: Vec<bool> = results.iter().map(Result::is_ok).collect();
    assert_eq!(kinds, vec![true, true, false, true, false, false]);
    assert!(results.iter().all(|r| match r {
        Err(e) => matches!(e.kind, ErrorKind::Warc { .. }),
        Ok(_) => true,
    }));
}

fn offsets(records: &[Vec<u8>]) -> Vec<u64> {
    let mut at = 0u64;
    records
        .iter()
        .map(|r| {
            let start = at;
            at += r.len() as u64;
            start
        })
        .collect()
}

#[test]
fn plain_warc() {
    let records = records();
    let bytes = records.concat();
    check(
        &read(&bytes, "archive.warc"),
        "archive.warc",
        &offsets(&records),
    );
}

#[test]
fn per_record_gzip_members() {
    let records = records();
    let bytes: Vec<u8> = records.iter().flat_map(|r| gzip(r)).collect();
    check(
        &read(&bytes, "archive.warc.gz"),
        "archive.warc.gz",
        &offsets(&records),
    );
}

#[test]
fn whole_file_gzip_from_disk_with_detection() {
    let records = records();
    let bytes = gzip(&records.concat());
    assert_eq!(detect_format(None, &bytes), Format::Warc);
    let dir = std::env::temp_dir().join(format!("vigil-ingest-warc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let path: PathBuf = dir.join("archive.warc.gz");
    std::fs::write(&path, &bytes).unwrap_or_else(|e| panic!("{e}"));
    // An unknown extension: the content is sniffed.
    let sniffed = dir.join("archive.bin");
    std::fs::write(&sniffed, &bytes).unwrap_or_else(|e| panic!("{e}"));
    let mut out = Vec::new();
    read_source_with(&dir, &ReadOptions::default(), &mut |r| out.push(r));
    let shown = path.display().to_string();
    check(&out, &shown, &offsets(&records));
    let mut sniffed_out = Vec::new();
    read_source_with(&sniffed, &ReadOptions::default(), &mut |r| {
        sniffed_out.push(r)
    });
    assert_eq!(sniffed_out.iter().filter(|r| r.is_ok()).count(), 3);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn oversized_record_is_skipped_alone() {
    let records = records();
    let bytes = records[..5].concat();
    let options = ReadOptions {
        max_document_bytes: 200,
        ..ReadOptions::default()
    };
    let origin = Origin {
        path: "big.warc".into(),
        line: None,
    };
    let mut out = Vec::new();
    read_bytes_with(&bytes, Format::Warc, origin, &options, &mut |r| out.push(r));
    let shown: Vec<String> = out
        .iter()
        .map(|r| match r {
            Ok(read) => read.document.id.clone(),
            Err(e) => e.to_string(),
        })
        .collect();
    let offsets = offsets(&records);
    assert_eq!(
        shown,
        vec![
            format!(
                "big.warc: WARC record at byte {}: record larger than the limit of 0 MiB, skipped",
                offsets[2]
            ),
            format!(
                "big.warc: WARC record at byte {}: record larger than the limit of 0 MiB, skipped",
                offsets[3]
            ),
        ]
    );
}

#[test]
fn garbage_and_corrupt_gzip() {
    let out = read(b"this is not an archive\r\nat all\r\n", "junk.warc");
    let shown: Vec<String> = out
        .iter()
        .filter_map(|r| r.as_ref().err())
        .map(|e| e.to_string())
        .collect();
    assert_eq!(
        shown,
        vec!["junk.warc: WARC record at byte 0: expected a `WARC/1.0` or `WARC/1.1` version line; skipping to the next record"]
    );
    let mut bytes = gzip(&records()[2]);
    let cut = bytes.len() / 2;
    bytes.truncate(cut);
    let out = read(&bytes, "cut.warc.gz");
    assert_eq!(out.len(), 1);
    let err = out[0]
        .as_ref()
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.starts_with("cut.warc.gz: WARC record at byte 0: "),
        "{err}"
    );
    assert!(err.ends_with("reading of this file stopped"), "{err}");
}
