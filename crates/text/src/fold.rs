//! Matching keys.

use unicode_normalization::UnicodeNormalization;

use crate::chars::{self, CharClass};

/// Combining-mark blocks whose marks are diacritics on letters (stripped by
/// [`fold_key`]); marks of other blocks (Indic vowel signs…) are kept.
fn is_diacritic(c: char) -> bool {
    let cp = c as u32;
    (0x0300..=0x036F).contains(&cp)
        || (0x1AB0..=0x1AFF).contains(&cp)
        || (0x1DC0..=0x1DFF).contains(&cp)
        || (0x20D0..=0x20FF).contains(&cp)
        || (0xFE20..=0xFE2F).contains(&cp)
        || (0x064B..=0x065F).contains(&cp) // Arabic harakat
        || cp == 0x0670
}

/// A key for matching names and phrases: compatibility-folded (NFKD, so
/// fullwidth and mathematical letters become ASCII), lowercase, diacritics
/// stripped (`é` → `e`, `ü` → `u`), invisible characters removed, every
/// dash → `-`, every single quote or apostrophe → `'`, every double quote or
/// guillemet → `"`, whitespace collapsed to one space and trimmed.
/// Letters of other scripts stay in their script (lowercased).
pub fn fold_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.nfkd() {
        if is_diacritic(c) {
            continue;
        }
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if !c.is_ascii()
            && (c.is_control() || matches!(chars::classify(c), Some(CharClass::Ignorable)))
        {
            continue;
        }
        if c.is_ascii_control() {
            continue;
        }
        let mapped = match c {
            '\u{2010}'..='\u{2015}'
            | '\u{2212}'
            | '\u{FE58}'
            | '\u{FE63}'
            | '\u{FF0D}'
            | '\u{2E3A}'
            | '\u{2E3B}' => '-',
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{02BC}'
            | '\u{0060}' | '\u{00B4}' => '\'',
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}'
            | '\u{00BB}' => '"',
            c => c,
        };
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        for l in mapped.to_lowercase() {
            if !is_diacritic(l) {
                out.push(l);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds() {
        assert_eq!(fold_key("  Café   Zürich "), "cafe zurich");
        assert_eq!(fold_key("Al‑Qaeda — “Base”"), "al-qaeda - \"base\"");
        assert_eq!(fold_key("Don’t"), "don't");
        assert_eq!(fold_key("ＩＳＩＳ"), "isis");
        assert_eq!(fold_key("Москва"), "москва");
        assert_eq!(fold_key("IS\u{200B}IS"), "isis");
        assert_eq!(fold_key(""), "");
        assert_eq!(fold_key("Ἀθῆναι"), "αθηναι");
    }
}
