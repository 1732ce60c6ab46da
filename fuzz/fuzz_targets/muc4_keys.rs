//! Arbitrary bytes as a MUC-4 answer-key file and as a raw text file: the
//! template parser (with its date and location slots) and the dateline
//! parser must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vigil_extract::muc4::{keys, slots};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for template in keys::parse(&text) {
        let _ = (template.dates(), template.locations());
    }
    for dateline in slots::parse_raw_texts(&text).values() {
        assert!(dateline.place.as_ref().is_none_or(|p| !p.is_empty()));
    }
});
