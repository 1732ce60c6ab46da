//! Tokenizer and sentence splitter for the learned components.
//!
//! Private to `learn` on purpose: the shared tokenizer of `vigil-text`
//! (`vigil_text::tokenize`) had not landed when this was written. The API
//! mirrors it (byte spans and a kind per token) so the swap is one function.
//! Words keep inner hyphens and apostrophes ("m-16", "o'neill"); numbers
//! keep inner dots and commas ("4.5", "1,000").

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokKind {
    /// Letters (possibly with digits, hyphens, apostrophes).
    Word,
    /// Digits (possibly with `.`, `,`, `-` between them).
    Number,
    /// Any other non-space character.
    Punct,
}

/// A token: byte offsets into the text and its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tok {
    pub start: usize,
    pub end: usize,
    pub kind: TokKind,
}

impl Tok {
    /// The token's text.
    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        text.get(self.start..self.end).unwrap_or("")
    }
}

/// Splits `text` into tokens.
pub fn tokenize(text: &str) -> Vec<Tok> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut toks = Vec::with_capacity(text.len() / 5);
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c.is_alphanumeric() {
            let mut j = i + 1;
            let mut has_alpha = c.is_alphabetic();
            loop {
                match chars.get(j) {
                    Some(&(_, d)) if d.is_alphanumeric() => {
                        has_alpha |= d.is_alphabetic();
                        j += 1;
                    }
                    Some(&(_, d))
                        if matches!(d, '-' | '\'' | '.' | ',')
                            && chars.get(j + 1).is_some_and(|&(_, e)| e.is_alphanumeric()) =>
                    {
                        // Dots and commas join only digits ("4.5", "1,000").
                        let digits_around = chars[j - 1].1.is_ascii_digit()
                            && chars.get(j + 1).is_some_and(|&(_, e)| e.is_ascii_digit());
                        if matches!(d, '.' | ',') && !digits_around {
                            break;
                        }
                        j += 2;
                    }
                    _ => break,
                }
            }
            let end = chars.get(j).map_or(text.len(), |&(o, _)| o);
            let kind = if has_alpha {
                TokKind::Word
            } else {
                TokKind::Number
            };
            toks.push(Tok { start, end, kind });
            i = j;
        } else {
            let end = chars.get(i + 1).map_or(text.len(), |&(o, _)| o);
            toks.push(Tok {
                start,
                end,
                kind: TokKind::Punct,
            });
            i += 1;
        }
    }
    toks
}

/// Words after which a full stop does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "col", "gen", "lt", "sgt", "capt", "maj", "st", "no", "nos", "gov",
    "sen", "rep", "jr", "sr", "msgr", "fr", "adm", "cmdr", "brig", "cpl", "pvt", "vs", "inc", "co",
    "corp", "jan", "feb", "aug", "sept", "sep", "oct", "nov", "dec", "u.s", "prof", "rev",
];

/// Sentences as token index ranges `[start, end)`. A sentence ends after
/// `.`, `!` or `?` (not after a known abbreviation or a single letter) when
/// whitespace follows, and at a paragraph break (a newline or three or more
/// spaces).
pub fn sentences(text: &str, toks: &[Tok]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 0..toks.len() {
        let t = toks[i];
        let next_start = toks.get(i + 1).map_or(text.len(), |n| n.start);
        let gap = text.get(t.end..next_start).unwrap_or("");
        let paragraph = gap.contains('\n') || gap.contains("   ");
        let mut end_here = paragraph;
        if !end_here && t.kind == TokKind::Punct && !gap.is_empty() {
            let s = t.text(text);
            if s == "!" || s == "?" {
                end_here = true;
            } else if s == "." {
                let prev = if i > start {
                    toks[i - 1].text(text).to_lowercase()
                } else {
                    String::new()
                };
                let abbrev = ABBREVIATIONS.contains(&prev.as_str())
                    || (prev.chars().count() == 1 && prev.chars().all(char::is_alphabetic));
                end_here = !abbrev;
            }
        }
        if end_here || i + 1 == toks.len() {
            out.push((start, i + 1));
            start = i + 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        tokenize(text).iter().map(|t| t.text(text)).collect()
    }

    #[test]
    fn tokens_keep_inner_hyphens_and_numbers() {
        assert_eq!(
            words("an m-16 rifle, 1,000 (fmln) o'neill's u.s. 4.5."),
            vec![
                "an",
                "m-16",
                "rifle",
                ",",
                "1,000",
                "(",
                "fmln",
                ")",
                "o'neill's",
                "u",
                ".",
                "s",
                ".",
                "4.5",
                "."
            ]
        );
        let t = tokenize("día 5");
        assert_eq!(t[0].kind, TokKind::Word);
        assert_eq!(t[1].kind, TokKind::Number);
        assert!(tokenize("").is_empty());
    }

    #[test]
    fn sentence_breaks() {
        let text = "col. isaacs said it.  the army denied it!    new paragraph here";
        let toks = tokenize(text);
        let s = sentences(text, &toks);
        assert_eq!(s.len(), 3);
        assert_eq!(toks[s[1].0].text(text), "the");
        assert_eq!(toks[s[2].0].text(text), "new");
        assert_eq!(s.last().map(|x| x.1), Some(toks.len()));
    }
}
