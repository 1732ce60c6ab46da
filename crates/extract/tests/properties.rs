//! Property tests of the whole pipeline: obfuscation does not change the
//! analysis, and arbitrary input never breaks the offset invariants.

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
