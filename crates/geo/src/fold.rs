//! The fold key used for every gazetteer lookup.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Folds a name into the key used for lookups.
///
/// The rules, applied per character:
///
/// * letters are lowercased (full Unicode lowercasing);
/// * the text is put in canonical decomposition (NFD) and every combining
///   mark is dropped, so letters lose their diacritics (`ö` → `o`,
///   `ç` → `c`, `ș` → `s`, `İ` → `i`);
/// * a few Latin letters without a decomposition are spelled out
///   (`ß` → `ss`, `æ` → `ae`, `œ` → `oe`, `ø` → `o`, `ł` → `l`,
///   `đ`/`ð` → `d`, `þ` → `th`, `ħ` → `h`, `ŋ` → `n`, dotless `ı` → `i`);
/// * every apostrophe-like character (`’ ‘ ʼ ʻ ʿ ʾ ´ \``) becomes `'`;
/// * every dash (`‐ ‑ ‒ – — ―`) becomes `-`;
/// * dots are removed, so `U.S.` and `US` share the key `us`
///   (callers that must not confuse the pronoun "us" with the country check
///   [`crate::Gazetteer::is_ambiguous_name`] and the original casing);
/// * runs of whitespace become one space, and leading and trailing
///   whitespace is removed.
///
/// Other letters are kept as they are (lowercased; Cyrillic and Arabic
/// letters lose their combining marks too). The build script
/// `scripts/build-geo-data.py` implements the same function; the two must
/// stay in sync because `ambiguous-names.txt` stores fold keys.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, &mut out);
    out
}

/// [`fold`] into a reused buffer (cleared first).
pub(crate) fn fold_into(s: &str, out: &mut String) {
    out.clear();
    if s.is_ascii() {
        fold_ascii(s, out);
        return;
    }
    let mut pending_space = false;
    for ch in s.chars().flat_map(char::to_lowercase).nfd() {
        if ch.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if ch == '.' || is_combining_mark(ch) {
            continue;
        }
        let mapped: &str = match ch {
            'ß' => "ss",
            'æ' => "ae",
            'œ' => "oe",
            'ø' => "o",
            'đ' | 'ð' => "d",
            'þ' => "th",
            'ł' => "l",
            'ı' => "i",
            'ħ' => "h",
            'ŋ' => "n",
            '\u{2018}' | '\u{2019}' | '\u{02BC}' | '\u{02BB}' | '\u{02BF}' | '\u{02BE}'
            | '\u{00B4}' | '`' => "'",
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}' => "-",
            _ => {
                if pending_space {
                    out.push(' ');
                    pending_space = false;
                }
                out.push(ch);
                continue;
            }
        };
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push_str(mapped);
    }
}

/// [`fold`] for ASCII input: no decomposition needed.
fn fold_ascii(s: &str, out: &mut String) {
    let mut pending_space = false;
    for b in s.bytes() {
        match b {
            b'.' => {}
            b if b.is_ascii_whitespace() => pending_space = !out.is_empty(),
            _ => {
                if pending_space {
                    out.push(' ');
                    pending_space = false;
                }
                out.push(if b == b'`' {
                    '\''
                } else {
                    char::from(b.to_ascii_lowercase())
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn strips_diacritics_and_case() {
        assert_eq!(fold("Köln"), "koln");
        assert_eq!(fold("São Tomé"), "sao tome");
        assert_eq!(fold("İstanbul"), "istanbul");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("Łódź"), "lodz");
        assert_eq!(fold("Mazār-e Sharīf"), "mazar-e sharif");
    }

    #[test]
    fn ascii_fast_path_agrees() {
        for s in ["U.S.  Army", "O`Neill", " x\ty", "Rostov-on-Don"] {
            let slow: String = format!("{s}\u{e9}");
            assert_eq!(fold(&slow), format!("{}e", fold(s)), "{s}");
        }
    }

    #[test]
    fn decomposed_input_folds_like_composed() {
        assert_eq!(fold("Ko\u{0308}ln"), fold("Köln"));
    }

    #[test]
    fn unifies_punctuation_and_spaces() {
        assert_eq!(fold("U.S."), "us");
        assert_eq!(fold("Côte d’Ivoire"), "cote d'ivoire");
        assert_eq!(fold("North Rhine–Westphalia"), "north rhine-westphalia");
        assert_eq!(fold("  New \t York  "), "new york");
        assert_eq!(fold("Москва"), "москва");
    }
}
