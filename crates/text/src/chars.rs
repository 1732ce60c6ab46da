//! Per-character classification derived from Unicode data.
//!
//! The table is built once, lazily, from the UTS #39 confusables data shipped
//! in `unicode-security` (through its `skeleton` function) and from NFKC
//! (`unicode-normalization`). No character lists are written by hand; only
//! Unicode *block* ranges are used to decide where compatibility (NFKC)
//! folding is appropriate (fullwidth forms, mathematical alphanumerics,
//! letterlike symbols, enclosed alphanumerics, Latin ligatures).

use std::collections::HashMap;
use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;
use unicode_script::{Script, UnicodeScript};

/// What the cleaner does with one non-ASCII character.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum CharClass {
    /// Default-ignorable code point (zero-width, bidi control, soft hyphen,
    /// BOM, variation selector, tag…): removed.
    Ignorable,
    /// A letter of another script that is confusable with exactly one ASCII
    /// letter (Cyrillic `о` → `o`, Greek `Α` → `A`, Cherokee `Ꭺ` → `A`).
    Lookalike(char),
    /// A compatibility variant of ASCII letters or digits (fullwidth `Ａ`,
    /// mathematical bold `𝐀`, ligature `ﬁ`): its NFKC form.
    Compat(Box<str>),
}

struct Tables {
    /// For the BMP: 0 = nothing, otherwise 1 + index into `classes`.
    bmp: Vec<u16>,
    classes: Vec<CharClass>,
    /// Classes of astral characters.
    astral: HashMap<char, CharClass>,
    /// Encoded [`Info`] of every BMP character.
    bmp_info: Vec<u8>,
}

/// Script family of a letter, for look-alike decisions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Family {
    /// Not a letter (digit, mark, punctuation…).
    NotLetter,
    /// A Latin-script letter.
    Latin,
    /// A letter of the Common/Inherited/Unknown script.
    Neutral,
    /// A letter of another script: its bit (see [`script_bit`]).
    Other(u8),
}

/// A bit per script family for "is this script genuinely used nearby".
pub(crate) fn script_bit(s: Script) -> u8 {
    match s {
        Script::Cyrillic => 1,
        Script::Greek => 2,
        Script::Armenian => 4,
        Script::Cherokee => 8,
        _ => 16,
    }
}

/// Word-character flag and script family of a character.
fn info_uncached(c: char) -> (bool, Family) {
    let word =
        c.is_alphanumeric() || (!c.is_ascii() && unicode_normalization::char::is_combining_mark(c));
    let family = if !c.is_alphabetic() {
        Family::NotLetter
    } else {
        match c.script() {
            Script::Latin => Family::Latin,
            Script::Common | Script::Inherited | Script::Unknown => Family::Neutral,
            s => Family::Other(script_bit(s)),
        }
    };
    (word, family)
}

fn encode_info((word, family): (bool, Family)) -> u8 {
    let low = match family {
        Family::NotLetter => 0,
        Family::Latin => 1,
        Family::Neutral => 2,
        Family::Other(bit) => 3 + bit.trailing_zeros() as u8,
    };
    low | if word { 0x80 } else { 0 }
}

fn decode_info(v: u8) -> (bool, Family) {
    let family = match v & 0x7F {
        0 => Family::NotLetter,
        1 => Family::Latin,
        2 => Family::Neutral,
        n => Family::Other(1u8 << (n - 3).min(7)),
    };
    (v & 0x80 != 0, family)
}

/// Is `c` part of a word (letter, digit, mark), and what script family is it.
pub(crate) fn info(c: char) -> (bool, Family) {
    if c.is_ascii() {
        let letter = c.is_ascii_alphabetic();
        return (
            letter || c.is_ascii_digit(),
            if letter {
                Family::Latin
            } else {
                Family::NotLetter
            },
        );
    }
    let cp = c as u32;
    if cp < 0x10000 {
        if let Some(&v) = tables().bmp_info.get(cp as usize) {
            return decode_info(v);
        }
    }
    info_uncached(c)
}

fn skeleton_string(c: char) -> String {
    let mut buf = [0u8; 4];
    unicode_security::skeleton(c.encode_utf8(&mut buf)).collect()
}

/// Block ranges whose characters are *presentation* variants of Latin
/// letters and digits, folded through NFKC.
const COMPAT_BLOCKS: &[(u32, u32)] = &[
    (0x2100, 0x214F),   // Letterlike Symbols (ℎ, ℬ, ℂ …)
    (0x2460, 0x24FF),   // Enclosed Alphanumerics (Ⓐ, ⓐ, ①)
    (0xFB00, 0xFB06),   // Latin ligatures (ﬀ, ﬁ, ﬂ …)
    (0xFF00, 0xFFEF),   // Halfwidth and Fullwidth Forms
    (0x1D400, 0x1D7FF), // Mathematical Alphanumeric Symbols
    (0x1F100, 0x1F1FF), // Enclosed Alphanumeric Supplement (🄰)
];

/// Large blocks of ideographs and syllables that hold neither look-alikes of
/// Latin letters nor ignorable code points; skipped to build the table fast.
const BULK_IDEOGRAPHS: &[(u32, u32)] = &[
    (0x3400, 0x4DBF),   // CJK Extension A
    (0x4E00, 0x9FFF),   // CJK Unified Ideographs
    (0xAC00, 0xD7A3),   // Hangul syllables
    (0x17000, 0x18AFF), // Tangut
    (0x20000, 0x2FFFF), // CJK Extensions B…
];

fn build() -> Tables {
    // Reverse map: skeleton of an ASCII letter -> the letters with it.
    let mut reverse: HashMap<String, Vec<char>> = HashMap::new();
    for l in ('A'..='Z').chain('a'..='z') {
        reverse.entry(skeleton_string(l)).or_default().push(l);
    }
    let mut bmp = vec![0u16; 0x10000];
    let mut classes = Vec::new();
    let mut astral = HashMap::new();
    let ranges = [(0x80u32, 0x2FFFFu32), (0xE0000, 0xE0FFF)];
    for (lo, hi) in ranges {
        for cp in lo..=hi {
            if BULK_IDEOGRAPHS.iter().any(|&(a, b)| (a..=b).contains(&cp)) {
                continue;
            }
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            if let Some(class) = classify_uncached(c, &reverse) {
                if cp < 0x10000 && classes.len() < usize::from(u16::MAX) {
                    classes.push(class);
                    bmp[cp as usize] = classes.len() as u16;
                } else {
                    astral.insert(c, class);
                }
            }
        }
    }
    let bmp_info = (0u32..0x10000)
        .map(|cp| char::from_u32(cp).map_or(0, |c| encode_info(info_uncached(c))))
        .collect();
    Tables {
        bmp,
        classes,
        astral,
        bmp_info,
    }
}

fn in_compat_block(c: char) -> bool {
    let cp = c as u32;
    COMPAT_BLOCKS
        .iter()
        .any(|&(lo, hi)| (lo..=hi).contains(&cp))
}

fn classify_uncached(c: char, reverse: &HashMap<String, Vec<char>>) -> Option<CharClass> {
    if c.is_whitespace() || c.is_control() {
        return None; // handled by the caller (spaces / controls)
    }
    if in_compat_block(c) && (c.is_alphanumeric()) {
        let folded: String = std::iter::once(c).nfkc().collect();
        if folded.chars().count() <= 3
            && !folded.is_empty()
            && folded.chars().all(|f| f.is_ascii_alphanumeric())
            && folded != c.to_string()
        {
            return Some(CharClass::Compat(folded.into_boxed_str()));
        }
        return None;
    }
    let skel = skeleton_string(c);
    if skel.is_empty() {
        // UTS #39 skeletons drop exactly the default-ignorable code points.
        return Some(CharClass::Ignorable);
    }
    if !c.is_alphabetic() {
        return None;
    }
    match c.script() {
        Script::Latin | Script::Common | Script::Inherited | Script::Unknown => return None,
        _ => {}
    }
    let candidates = reverse.get(&skel)?;
    let same_case = candidates
        .iter()
        .copied()
        .find(|l| l.is_uppercase() == c.is_uppercase());
    let pick = same_case.or_else(|| candidates.first().copied())?;
    Some(CharClass::Lookalike(pick))
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(build)
}

/// Classification of a non-ASCII character; `None` means "keep as is".
pub(crate) fn classify(c: char) -> Option<&'static CharClass> {
    if c.is_ascii() {
        return None;
    }
    let t = tables();
    let cp = c as u32;
    if cp < 0x10000 {
        let idx = t.bmp.get(cp as usize).copied().unwrap_or(0);
        if idx == 0 {
            None
        } else {
            t.classes.get(usize::from(idx) - 1)
        }
    } else {
        t.astral.get(&c)
    }
}

/// Rough emoji test by block: pictographs, dingbats, symbols.
pub(crate) fn is_emojiish(c: char) -> bool {
    let cp = c as u32;
    (0x1F000..=0x1FAFF).contains(&cp)
        || (0x2600..=0x27BF).contains(&cp)
        || (0x2B00..=0x2BFF).contains(&cp)
        || (0x2190..=0x21FF).contains(&cp)
        || (0x2300..=0x23FF).contains(&cp)
        || cp == 0x00A9
        || cp == 0x00AE
        || cp == 0x20E3
}

/// True for letters of scripts that use ZWJ/ZWNJ meaningfully (anything
/// alphabetic that is not Latin, Greek, Cyrillic, Armenian or Common).
pub(crate) fn is_joining_script_letter(c: char) -> bool {
    if c.is_ascii() || !(c.is_alphabetic() || unicode_normalization::char::is_combining_mark(c)) {
        return false;
    }
    !matches!(
        c.script(),
        Script::Latin | Script::Greek | Script::Cyrillic | Script::Armenian | Script::Common
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cyrillic_and_greek_lookalikes_preserve_case() {
        assert_eq!(classify('о'), Some(&CharClass::Lookalike('o')));
        assert_eq!(classify('О'), Some(&CharClass::Lookalike('O')));
        assert_eq!(classify('А'), Some(&CharClass::Lookalike('A')));
        assert_eq!(classify('і'), Some(&CharClass::Lookalike('i')));
        assert_eq!(classify('І'), Some(&CharClass::Lookalike('I')));
        assert_eq!(classify('ο'), Some(&CharClass::Lookalike('o'))); // Greek omicron
        assert_eq!(classify('Α'), Some(&CharClass::Lookalike('A'))); // Greek Alpha
        assert_eq!(classify('ԁ'), Some(&CharClass::Lookalike('d'))); // skeleton "cl"
    }

    #[test]
    fn non_confusable_letters_are_kept() {
        assert_eq!(classify('д'), None);
        assert_eq!(classify('θ'), None);
        assert_eq!(classify('é'), None);
        assert_eq!(classify('ı'), None); // Turkish dotless i is Latin
        assert_eq!(classify('ب'), None);
    }

    #[test]
    fn info_matches_uncached() {
        for c in [
            'a', 'Z', '5', ' ', '-', 'é', 'д', 'θ', 'ب', '中', '\u{0301}', '𝐀', '😀', 'Ꭺ', 'ա', '١',
        ] {
            assert_eq!(info(c), info_uncached(c), "{c:?}");
        }
        assert_eq!(info('д').1, Family::Other(1));
        assert_eq!(info('θ').1, Family::Other(2));
    }

    #[test]
    fn compat_and_ignorable() {
        assert_eq!(classify('Ａ'), Some(&CharClass::Compat("A".into())));
        assert_eq!(classify('𝐛'), Some(&CharClass::Compat("b".into())));
        assert_eq!(classify('ﬁ'), Some(&CharClass::Compat("fi".into())));
        assert_eq!(classify('\u{200B}'), Some(&CharClass::Ignorable));
        assert_eq!(classify('\u{00AD}'), Some(&CharClass::Ignorable));
        assert_eq!(classify('\u{FEFF}'), Some(&CharClass::Ignorable));
        assert_eq!(classify('\u{202E}'), Some(&CharClass::Ignorable));
        assert_eq!(classify('\u{E0041}'), Some(&CharClass::Ignorable));
        assert_eq!(classify('a'), None);
    }
}
