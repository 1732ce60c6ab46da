//! Arbitrary bytes as a WARC archive (plain, or gzipped when the bytes
//! start with the gzip magic): reading must never panic, every document
//! has text and every error is a single line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vigil_ingest::{read_bytes_with, Format, Origin, ReadOptions};

fuzz_target!(|data: &[u8]| {
    let origin = Origin {
        path: "fuzz.warc".to_string(),
        line: None,
    };
    let options = ReadOptions {
        max_document_bytes: 1024 * 1024,
        ..ReadOptions::default()
    };
    read_bytes_with(
        data,
        Format::Warc,
        origin,
        &options,
        &mut |result| match result {
            Ok(read) => assert!(!read.document.text.trim().is_empty()),
            Err(err) => assert!(!err.to_string().contains('\n')),
        },
    );
});
