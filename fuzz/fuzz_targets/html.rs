//! Arbitrary bytes as an HTML page: reading must never panic, and every
//! outcome is one document or one single-line error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vigil_ingest::{read_bytes, Format, Origin};

fuzz_target!(|data: &[u8]| {
    let origin = Origin {
        path: "fuzz.html".to_string(),
        line: None,
    };
    let mut items = 0usize;
    read_bytes(data, Format::Html, origin, &mut |result| {
        items += 1;
        match result {
            Ok(doc) => assert!(!doc.text.trim().is_empty()),
            Err(err) => assert!(!err.to_string().contains('\n')),
        }
    });
    assert_eq!(items, 1);
});
