//! Property tests of the whole pipeline: obfuscation does not change the
//! analysis, and arbitrary input never breaks the offset invariants; and of
//! the MUC-4 readers, which take any text.

use proptest::prelude::*;
use vigil_core::{Analysis, Document, Span};
use vigil_extract::Pipeline;

/// A small article of our own, with people, groups, places, dates, events
/// and a quote, so that a change of analysis shows.
const ARTICLE: &str = "BRUSSELS, March 12 (Reuters) - Belgian police arrested four men suspected of \
plotting a bomb attack on a football match in Brussels on behalf of Islamic State, the federal \
prosecutor's office said on Tuesday.\n\nThree of the suspects are Tajik nationals, prosecutors said. \
They were detained on Sunday in raids in Brussels and Antwerp in which police seized a pistol.\n\n\
\"The suspects had moved from talking about an attack to buying what they needed,\" said Lieve \
Martens, a spokeswoman for the federal prosecutor's office.\n\nA gunman shot dead two Swedish \
football fans in Brussels last October.";

fn pipeline() -> &'static Pipeline {
    static PIPELINE: std::sync::OnceLock<Pipeline> = std::sync::OnceLock::new();
    PIPELINE.get_or_init(|| Pipeline::new().expect("embedded resources load"))
}

fn doc(text: &str) -> Document {
    let published = chrono::DateTime::parse_from_rfc3339("2024-03-12T09:00:00+00:00").ok();
    Document {
        id: "t".into(),
        text: text.into(),
        published,
        ..Document::default()
    }
}

/// Latin letters and look-alikes from other scripts that imitate them.
const LOOKALIKES: &[(char, char)] = &[
    ('a', '\u{430}'),  // Cyrillic а
    ('e', '\u{435}'),  // Cyrillic е
    ('o', '\u{43E}'),  // Cyrillic о
    ('p', '\u{440}'),  // Cyrillic р
    ('c', '\u{441}'),  // Cyrillic с
    ('i', '\u{456}'),  // Cyrillic і
    ('o', '\u{3BF}'),  // Greek ο
    ('A', '\u{391}'),  // Greek Α
    ('T', '\u{422}'),  // Cyrillic Т
    ('a', '\u{FF41}'), // fullwidth ａ
];
const INVISIBLE: &[char] = &['\u{200B}', '\u{00AD}', '\u{200D}', '\u{2060}'];

/// Replaces some letters by look-alikes and slips invisible characters
/// inside words, driven by `choices`.
fn obfuscate(text: &str, choices: &[u8]) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for (k, c) in text.chars().enumerate() {
        let pick = choices.get(k % choices.len().max(1)).copied().unwrap_or(0);
        match LOOKALIKES
            .iter()
            .filter(|(l, _)| *l == c)
            .nth(usize::from(pick % 3))
        {
            Some((_, fake)) if pick % 2 == 0 => out.push(*fake),
            _ => out.push(c),
        }
        if c.is_alphabetic() && pick % 7 == 3 {
            out.push(INVISIBLE[usize::from(pick) % INVISIBLE.len()]);
        }
    }
    out
}

/// The analysis without the cleaning report (which must differ).
fn essence(mut a: Analysis) -> Analysis {
    a.cleaning = Default::default();
    a
}

fn spans_ok(a: &Analysis) -> Result<(), String> {
    let text = &a.text;
    let check = |what: &str, s: Span| -> Result<(), String> {
        if s.start <= s.end
            && s.end <= text.len()
            && text.is_char_boundary(s.start)
            && text.is_char_boundary(s.end)
        {
            Ok(())
        } else {
            Err(format!(
                "{what} span {s:?} is not a char-boundary range of a {}-byte text",
                text.len()
            ))
        }
    };
    for s in &a.sentences {
        check("sentence", *s)?;
    }
    for e in &a.entities {
        for m in &e.mentions {
            check("mention", m.span())?;
            if text.get(m.start..m.end) != Some(m.text.as_str()) {
                return Err(format!("mention {:?} does not match its span", m.text));
            }
        }
    }
    for v in &a.events {
        check("trigger", v.trigger.span())?;
        for s in &v.evidence {
            check("evidence", *s)?;
        }
        let slots = v
            .perpetrators
            .iter()
            .chain(&v.targets)
            .chain(&v.victims)
            .chain(&v.weapons)
            .chain(&v.locations)
            .chain(&v.nationalities);
        for slot in slots {
            if let Some(s) = slot.span {
                check("slot", s)?;
            }
        }
        if let Some(d) = v.date.as_ref().and_then(|d| d.span) {
            check("date", d)?;
        }
    }
    for q in &a.quotes {
        check("quote", Span::new(q.start, q.end))?;
    }
    for c in &a.citations {
        check("citation", c.span)?;
    }
    for d in &a.dates {
        let s = d
            .span
            .ok_or_else(|| format!("date {:?} has no span", d.text))?;
        check("date", s)?;
        if text.get(s.start..s.end) != Some(d.text.as_str()) {
            return Err(format!("date {:?} does not match its span", d.text));
        }
    }
    Ok(())
}

#[test]
fn the_clean_article_is_read() {
    // Guards the property below against passing on an empty analysis.
    let a = pipeline().analyze(&doc(ARTICLE));
    assert!(
        a.entities.iter().any(|e| e.name == "Brussels"),
        "entities: {:?}",
        a.entities
    );
    assert!(a
        .events
        .iter()
        .any(|e| e.kind == vigil_core::EventType::Arrest));
    assert!(!a.quotes.is_empty());
    assert!(!a.dates.is_empty(), "the article's dates are listed");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn obfuscation_does_not_change_the_analysis(choices in proptest::collection::vec(any::<u8>(), 1..64)) {
        let fake = obfuscate(ARTICLE, &choices);
        let clean = essence(pipeline().analyze(&doc(ARTICLE)));
        let read = pipeline().analyze(&doc(&fake));
        prop_assert!(read.cleaning.confusables_replaced + read.cleaning.invisible_removed > 0 || fake == ARTICLE);
        let read = essence(read);
        prop_assert_eq!(&read.text, &clean.text);
        prop_assert_eq!(read, clean);
    }

    #[test]
    fn spans_stay_inside_the_text(text in "\\PC{0,400}") {
        let a = pipeline().analyze(&doc(&text));
        prop_assert_eq!(spans_ok(&a), Ok(()));
    }

    #[test]
    fn spans_stay_inside_news_like_text(words in proptest::collection::vec(
        prop_oneof![
            Just("attacked"), Just("Islamic State"), Just("in"), Just("Paris"), Just("police"), Just("arrested"),
            Just("3"), Just("men"), Just("\""), Just("said"), Just(","), Just("."), Just("\n\n"), Just("Köln"),
            Just("last Thursday"), Just("General"), Just("Ahmed Ali"), Just("bomb"), Just("killed"), Just("ISIS-K"),
            Just("«"), Just("»"), Just("Москва"), Just("the"), Just("–"), Just("\u{200B}"), Just("'s"),
            // Words of the rules for tolls, streets, counts in words and
            // disappearances, so that they meet the end of the text too.
            Just("Avenue"), Just("Road"), Just("and"), Just("were"), Just("no one"), Just("none of"),
            Just("dozens of"), Just("beat"), Just("to death"), Just("disappeared"), Just("by"),
        ],
        0..80,
    )) {
        let text = words.join(" ");
        let a = pipeline().analyze(&doc(&text));
        prop_assert_eq!(spans_ok(&a), Ok(()));
    }
}

/// The MUC-4 readers: the GRIT JSON Lines reader, the answer-key template
/// parser and the raw-text dateline parser take any text without
/// panicking, and the GRIT reader accounts for every non-blank line once.
mod muc4_readers {
    use std::collections::HashSet;

    use proptest::prelude::*;
    use vigil_extract::muc4::{self, keys, slots};

    /// Lines that look like GRIT documents, damaged ones and noise.
    fn grit_line() -> impl Strategy<Value = String> {
        prop_oneof![
            ("[A-C]", "[a-z ]{0,30}").prop_map(|(id, text)| format!(
                r#"{{"docid": "{id}", "doctext": "{text}"}}"#
            )),
            ("[A-C]", "[a-z ]{0,30}", "[a-z]{1,8}", -5i64..40).prop_map(|(id, text, m, o)| format!(
                r#"{{"docid": "{id}", "doctext": "{text}", "extracts": {{"Weapon": [[["{m}", {o}]]], "Other": []}}}}"#
            )),
            "[A-C]".prop_map(|id| format!(r#"{{"docid": "{id}", "doctext": 7}}"#)),
            Just(String::new()),
            Just("   ".to_string()),
            "\\PC{0,40}",
        ]
    }

    proptest! {
        #[test]
        fn grit_reader_accounts_for_every_line(lines in proptest::collection::vec(grit_line(), 0..12)) {
            let input = lines.join("\n");
            let (docs, errors) = muc4::read_jsonl_lenient(&input);
            let nonblank = input.lines().filter(|l| !l.trim().is_empty()).count();
            // Each non-blank line is a document or an error, never both.
            prop_assert_eq!(docs.len() + errors.len(), nonblank);
            let ids: HashSet<&str> = docs.iter().map(|d| d.docid.as_str()).collect();
            prop_assert_eq!(ids.len(), docs.len(), "docids are unique");
            let error_lines: Vec<usize> = errors.iter().map(muc4::GritError::line).collect();
            prop_assert!(error_lines.windows(2).all(|w| w[0] < w[1]), "in line order");
            prop_assert!(error_lines.iter().all(|&l| l >= 1 && l <= input.lines().count()));
            for e in &errors {
                prop_assert!(!e.to_string().contains('\n'), "one line per error");
            }
            // The strict reader agrees: the first bad line, or the same documents.
            match muc4::read_jsonl(&input) {
                Ok(strict) => {
                    prop_assert!(errors.is_empty());
                    prop_assert_eq!(strict, docs);
                }
                Err(e) => prop_assert_eq!(Some(e.line()), error_lines.first().copied()),
            }
        }

        #[test]
        fn key_parser_takes_any_text(text in "\\PC{0,300}") {
            let _ = keys::parse(&text);
        }

        #[test]
        fn key_parser_takes_damaged_templates(
            slots in proptest::collection::vec(
                (0u8..30, prop_oneof![Just("MESSAGE: ID"), Just("INCIDENT: DATE"), Just("INCIDENT: TYPE"), Just("HUM TGT: NAME"), Just("")], "[ A-Z0-9:/\\-\"*()]{0,20}"),
                0..20,
            )
        ) {
            let text: String = slots
                .iter()
                .map(|(n, name, value)| format!("{n}.  {name}  {value}\n"))
                .collect();
            for t in keys::parse(&text) {
                let _ = (t.dates(), t.locations());
            }
        }

        #[test]
        fn dateline_parsers_take_any_text(head in "\\PC{0,80}", body in "\\PC{0,200}") {
            let d = slots::parse_dateline(&head);
            if let Some(place) = &d.place {
                prop_assert!(!place.is_empty());
            }
            let _ = slots::parse_raw_texts(&format!("TST9-MUC4-0001\n{head}\n{body}\n"));
        }
    }
}
