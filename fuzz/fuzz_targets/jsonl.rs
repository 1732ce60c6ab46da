//! Arbitrary bytes as JSON Lines: reading must never panic, yield at most
//! one item per line, and number every item with its line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vigil_ingest::{read_bytes, Format, Origin};

fuzz_target!(|data: &[u8]| {
    let origin = Origin {
        path: "fuzz.jsonl".to_string(),
        line: None,
    };
    let lines = data.split(|&b| b == b'\n').count();
    let mut items = 0usize;
    read_bytes(data, Format::Jsonl, origin, &mut |result| {
        items += 1;
        match result {
            Ok(doc) => {
                assert!(!doc.text.trim().is_empty());
                assert!(doc.origin.line.is_some_and(|l| l >= 1 && l <= lines));
            }
            Err(err) => assert!(!err.to_string().contains('\n')),
        }
    });
    assert!(items <= lines.max(1));
});
