//! Arbitrary bytes as a MUC-4 GRIT file: the lenient reader must never
//! panic, account for every non-blank line once (a document or an error
//! naming it), keep docids unique, and agree with the strict reader.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vigil_extract::muc4;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (docs, errors) = muc4::read_jsonl_lenient(text);
    let nonblank = text.lines().filter(|l| !l.trim().is_empty()).count();
    assert_eq!(docs.len() + errors.len(), nonblank);
    let mut ids: Vec<&str> = docs.iter().map(|d| d.docid.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), docs.len());
    for e in &errors {
        assert!(e.line() >= 1 && e.line() <= text.lines().count());
        assert!(!e.to_string().contains('\n'));
    }
    match muc4::read_jsonl(text) {
        Ok(strict) => assert!(errors.is_empty() && strict == docs),
        Err(e) => assert_eq!(Some(e.line()), errors.first().map(muc4::GritError::line)),
    }
});
