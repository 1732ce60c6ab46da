//! Property tests: idempotence, de-obfuscation round trip, span invariants.

use proptest::prelude::*;
use vigil_core::Span;
use vigil_text::{clean, paragraphs, sentences, tokenize, CleanOptions};

fn opts() -> CleanOptions<'static> {
    CleanOptions::default()
}

/// Pieces that exercise every stage of the cleaner.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z]{1,8}",
        "[a-zA-Z]{1,8}[.,?!]",
        Just(" ".to_string()),
        Just("  ".to_string()),
        Just("\n".to_string()),
        Just("\n\n".to_string()),
        Just("\r\n".to_string()),
        "[аеорсхуіАВЕКМНОРСТХ]{1,4}",
        "[αβεικνορτυχΑΒΕΗΙΚΜΝΟΡΤΧ]{1,4}",
        "[дждлбгфщшθλπσωδ]{1,5}",
        "[ب-ي]{1,5}",
        "[\u{200B}\u{00AD}\u{200D}\u{200C}\u{FEFF}\u{202E}\u{00A0}\u{2009}\u{3000}\u{2028}]",
        "[ＡＢＣａｂｃ０１２𝐀𝐁𝐚𝐛]{1,3}",
        Just("Share on Facebook".to_string()),
        Just("Shafaq Live".to_string()),
        Just("Updated 14:05 GMT".to_string()),
        Just("2024-03-25T13:10:07+00:00".to_string()),
        Just("Officials warn".to_string()),
        Just("Mr. Smith".to_string()),
        Just("\"".to_string()),
        Just("U.S.".to_string()),
        Just("😀".to_string()),
        Just("[TEXT]".to_string()),
        Just("[passage omitted]".to_string()),
        Just("[ТЕХТ]".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
    ]
}

fn messy_text() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..60).prop_map(|v| v.concat())
}

const VOCAB: &[&str] = &[
    "the",
    "attack",
    "officials",
    "said",
    "on",
    "in",
    "of",
    "to",
    "is",
    "it",
    "or",
    "a",
    "I",
    "ISIS-K",
    "Europe",
    "Paris",
    "group",
    "warned",
    "police",
    "arrested",
    "men",
    "Mr.",
    "Smith",
    "U.S.",
    "24",
    "1,200",
    "don't",
    "al-Qaeda",
    "Fitton-Brown",
    "Monday",
    "city",
    "was",
    "by",
    "\"quoted\"",
    "(ISIS-K)",
    "report",
];

/// Clean-ish English text: lines of vocabulary words, ending in a period or not.
fn english_text() -> impl Strategy<Value = String> {
    let line = (
        prop::collection::vec(prop::sample::select(VOCAB), 1..14),
        prop::bool::ANY,
    )
        .prop_map(|(words, dot)| {
            let mut s = words.join(" ");
            if dot {
                s.push('.');
            }
            s
        });
    prop::collection::vec((line, prop::bool::ANY), 1..12).prop_map(|lines| {
        let mut out = String::new();
        for (l, blank) in lines {
            out.push_str(&l);
            out.push_str(if blank { "\n\n" } else { "\n" });
        }
        out
    })
}

fn lookalike(c: char, pick: u8) -> Option<char> {
    let options: &[char] = match c {
        'a' => &['а'],
        'c' => &['с'],
        'e' => &['е'],
        'o' => &['о', 'ο'],
        'p' => &['р'],
        'x' => &['х'],
        'y' => &['у'],
        'i' => &['і'],
        's' => &['ѕ'],
        'j' => &['ј'],
        'A' => &['А', 'Α'],
        'B' => &['В', 'Β'],
        'C' => &['С'],
        'E' => &['Е', 'Ε'],
        'H' => &['Н', 'Η'],
        'I' => &['І', 'Ι'],
        'K' => &['К', 'Κ'],
        'M' => &['М', 'Μ'],
        'N' => &['Ν'],
        'O' => &['О', 'Ο'],
        'P' => &['Р', 'Ρ'],
        'S' => &['Ѕ'],
        'T' => &['Т', 'Τ'],
        'X' => &['Х', 'Χ'],
        'Y' => &['Υ'],
        'Z' => &['Ζ'],
        _ => &[],
    };
    if options.is_empty() {
        None
    } else {
        Some(options[pick as usize % options.len()])
    }
}

/// Replaces letters by look-alikes and sprinkles invisible characters and
/// odd spaces, driven by `noise`. The first letter of every line stays Latin.
fn obfuscate(text: &str, noise: &[u8]) -> String {
    const INVISIBLE: &[char] = &[
        '\u{200B}', '\u{00AD}', '\u{2060}', '\u{FEFF}', '\u{200C}', '\u{200E}',
    ];
    let mut out = String::new();
    let mut k = 0usize;
    let mut next = || {
        let v = noise.get(k % noise.len().max(1)).copied().unwrap_or(0);
        k += 1;
        v
    };
    let mut line_start = true;
    for c in text.chars() {
        if c == '\n' {
            line_start = true;
            out.push(c);
            continue;
        }
        let r = next();
        if c == ' ' && r % 7 == 0 {
            out.push('\u{00A0}');
            continue;
        }
        if c.is_ascii_alphabetic() && line_start {
            line_start = false;
            out.push(c);
        } else if r % 3 == 0 {
            out.push(lookalike(c, r).unwrap_or(c));
        } else {
            out.push(c);
        }
        if r % 5 == 0 {
            out.push(INVISIBLE[(r as usize / 5) % INVISIBLE.len()]);
        }
    }
    out
}

fn check_spans(text: &str, spans: &[Span]) {
    let mut last_end = 0;
    for s in spans {
        assert!(s.start < s.end, "empty span {s:?}");
        assert!(s.start >= last_end, "overlap/out of order {s:?}");
        let t = text.get(s.start..s.end).expect("span on char boundaries");
        assert_eq!(t, t.trim(), "span not trimmed");
        last_end = s.end;
    }
    assert!(last_end <= text.len());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn clean_is_idempotent(raw in messy_text()) {
        let once = clean(&raw, &opts());
        let twice = clean(&once.text, &opts());
        prop_assert_eq!(&twice.text, &once.text);
    }

    #[test]
    fn clean_is_idempotent_on_arbitrary_unicode(raw in any::<String>()) {
        let once = clean(&raw, &opts());
        let twice = clean(&once.text, &opts());
        prop_assert_eq!(&twice.text, &once.text);
    }

    #[test]
    fn deobfuscation_round_trip(text in english_text(), noise in prop::collection::vec(any::<u8>(), 1..64)) {
        let reference = clean(&text, &opts()).text;
        let obfuscated = obfuscate(&reference, &noise);
        let repaired = clean(&obfuscated, &opts());
        prop_assert_eq!(&repaired.text, &reference, "obfuscated: {:?}", obfuscated);
    }

    #[test]
    fn spans_are_well_formed(raw in messy_text()) {
        let text = clean(&raw, &opts()).text;
        check_spans(&text, &sentences(&text));
        check_spans(&text, &paragraphs(&text));
        let toks: Vec<Span> = tokenize(&text).iter().map(|t| t.span).collect();
        check_spans(&text, &toks);
        // Raw (uncleaned) text too.
        check_spans(&raw, &sentences(&raw));
        check_spans(&raw, &paragraphs(&raw));
    }

    #[test]
    fn sentences_cover_all_words(raw in messy_text()) {
        let text = clean(&raw, &opts()).text;
        let sents = sentences(&text);
        for p in paragraphs(&text) {
            // Every non-space byte of a paragraph is inside a sentence.
            let covered: usize = sents.iter().filter(|s| p.contains(**s)).map(|s| text[s.start..s.end].split_whitespace().map(str::len).sum::<usize>()).sum();
            let total: usize = text[p.start..p.end].split_whitespace().map(str::len).sum();
            prop_assert_eq!(covered, total);
        }
    }
}
