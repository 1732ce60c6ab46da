//! Arbitrary bytes as an RSS/Atom feed: reading must never panic, every
//! document has text and every error is a single line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vigil_ingest::{read_bytes, Format, Origin};

fuzz_target!(|data: &[u8]| {
    let origin = Origin {
        path: "fuzz.xml".to_string(),
        line: None,
    };
    read_bytes(data, Format::Feed, origin, &mut |result| match result {
        Ok(doc) => assert!(!doc.text.trim().is_empty()),
        Err(err) => assert!(!err.to_string().contains('\n')),
    });
});
