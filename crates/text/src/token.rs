//! Word / number / punctuation tokens.

use unicode_normalization::char::is_combining_mark;
use vigil_core::Span;

/// Kind of a [`Token`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// Letters (with digits, marks, internal apostrophes and hyphens):
    /// `ISIS-K`, `don't`, `al-Qaeda`, `3rd`, `U.S.`.
    Word,
    /// Digits with internal `,` or `.` group/decimal separators: `1,200`, `3.5`.
    Number,
    /// Any other non-space character, one per token.
    Punct,
}

/// A token: its byte span in the text and its kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// Byte offsets into the tokenised text (on `char` boundaries).
    pub span: Span,
    /// What kind of token it is.
    pub kind: TokenKind,
}

fn is_letter(c: char) -> bool {
    c.is_alphabetic() || (!c.is_ascii() && is_combining_mark(c))
}

fn is_alnum(c: char) -> bool {
    c.is_alphanumeric() || (!c.is_ascii() && is_combining_mark(c))
}

fn is_joiner(c: char) -> bool {
    matches!(c, '\'' | '’' | '-' | '‐' | '‑')
}

/// Splits text into words, numbers and punctuation, skipping whitespace.
///
/// Words are runs of letters and digits that start with a letter (or digits
/// directly followed by letters, `3rd`, `9mm`), including internal
/// apostrophes and hyphens followed by a letter or digit (`Fitton-Brown`,
/// `don't`, `24-year-old`) and dotted abbreviations of single letters
/// (`U.S.`, `a.m.`). Numbers are digit runs with internal `,`/`.` between
/// digits. Every other character is a one-character punctuation token.
/// One pass over the text, no allocation besides the output vector.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(text.len() / 5 + 1);
    let mut i = 0usize;
    let len = text.len();
    let char_at = |i: usize| -> Option<char> { text.get(i..).and_then(|s| s.chars().next()) };
    while i < len {
        let Some(c) = char_at(i) else { break };
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        let start = i;
        if is_letter(c) || c.is_numeric() {
            let mut kind = if is_letter(c) {
                TokenKind::Word
            } else {
                TokenKind::Number
            };
            let mut j = i + c.len_utf8();
            // Dotted single-letter abbreviation: U.S., a.m., U.N.
            if kind == TokenKind::Word && c.is_alphabetic() {
                if let Some(end) = dotted_abbrev(text, i) {
                    out.push(Token {
                        span: Span::new(start, end),
                        kind: TokenKind::Word,
                    });
                    i = end;
                    continue;
                }
            }
            while j < len {
                let Some(d) = char_at(j) else { break };
                if is_alnum(d) {
                    if kind == TokenKind::Number && is_letter(d) {
                        kind = TokenKind::Word;
                    }
                    j += d.len_utf8();
                    continue;
                }
                let next = char_at(j + d.len_utf8());
                if kind == TokenKind::Number
                    && matches!(d, ',' | '.')
                    && next.is_some_and(|n| n.is_ascii_digit())
                {
                    j += 1;
                    continue;
                }
                if is_joiner(d) && next.is_some_and(is_alnum) {
                    // "2023-24" stays three tokens; "24-year-old" becomes a word.
                    if kind == TokenKind::Number && next.is_some_and(|n| n.is_numeric()) {
                        break;
                    }
                    if kind == TokenKind::Number && !matches!(d, '-' | '‐' | '‑') {
                        break;
                    }
                    kind = TokenKind::Word;
                    j += d.len_utf8();
                    continue;
                }
                break;
            }
            out.push(Token {
                span: Span::new(start, j),
                kind,
            });
            i = j;
            continue;
        }
        i += c.len_utf8();
        out.push(Token {
            span: Span::new(start, i),
            kind: TokenKind::Punct,
        });
    }
    out
}

/// End of a dotted abbreviation (`U.S.`, `a.m.`) starting at `i`, if any:
/// at least two single letters each followed by a dot.
fn dotted_abbrev(text: &str, i: usize) -> Option<usize> {
    let mut it = text.get(i..)?.char_indices();
    let mut pairs = 0;
    let mut end = i;
    loop {
        match it.next() {
            Some((_, l)) if l.is_alphabetic() => {}
            _ => break,
        }
        match it.next() {
            Some((p, '.')) => {
                pairs += 1;
                end = i + p + 1;
            }
            _ => break,
        }
        let mut look = it.clone();
        match (look.next(), look.next()) {
            (Some((_, l)), Some((_, '.'))) if l.is_alphabetic() => continue,
            _ => break,
        }
    }
    (pairs >= 2).then_some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<(&str, TokenKind)> {
        tokenize(s)
            .iter()
            .map(|t| (&s[t.span.start..t.span.end], t.kind))
            .collect()
    }

    #[test]
    fn words_numbers_punct() {
        use TokenKind::*;
        assert_eq!(
            toks("ISIS-K, Fitton-Brown don't al-Qaeda: 1,200 men, 3.5% in 24 hours."),
            vec![
                ("ISIS-K", Word),
                (",", Punct),
                ("Fitton-Brown", Word),
                ("don't", Word),
                ("al-Qaeda", Word),
                (":", Punct),
                ("1,200", Number),
                ("men", Word),
                (",", Punct),
                ("3.5", Number),
                ("%", Punct),
                ("in", Word),
                ("24", Number),
                ("hours", Word),
                (".", Punct),
            ]
        );
    }

    #[test]
    fn abbreviations_and_edges() {
        use TokenKind::*;
        assert_eq!(
            toks("the U.S. and U.N. at 5 p.m."),
            vec![
                ("the", Word),
                ("U.S.", Word),
                ("and", Word),
                ("U.N.", Word),
                ("at", Word),
                ("5", Number),
                ("p.m.", Word)
            ]
        );
        assert_eq!(
            toks("2023-24 3rd 24-year-old"),
            vec![
                ("2023", Number),
                ("-", Punct),
                ("24", Number),
                ("3rd", Word),
                ("24-year-old", Word)
            ]
        );
        assert_eq!(
            toks("end. 'quoted' -x- Москва’s «да»"),
            vec![
                ("end", Word),
                (".", Punct),
                ("'", Punct),
                ("quoted", Word),
                ("'", Punct),
                ("-", Punct),
                ("x", Word),
                ("-", Punct),
                ("Москва’s", Word),
                ("«", Punct),
                ("да", Word),
                ("»", Punct)
            ]
        );
        assert!(tokenize("").is_empty());
        assert!(tokenize("   \n ").is_empty());
        assert_eq!(
            toks("J. Smith"),
            vec![("J", Word), (".", Punct), ("Smith", Word)]
        );
    }
}
