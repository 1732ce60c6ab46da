//! Per-document analysis context: the cleaned text cut into sentences and
//! tokens, with lower-case word forms and the text's case style.

use std::ops::{Index, Range};

use vigil_core::Span;
use vigil_text::{Token, TokenKind};

/// How the text uses letter case. MUC-4 telex is all upper case, GRIT's
/// copy of it all lower case; in both, capitalisation carries no signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseStyle {
    Mixed,
    Upper,
    Lower,
}

impl CaseStyle {
    pub fn detect(text: &str) -> CaseStyle {
        let (mut upper, mut lower) = (0usize, 0usize);
        for c in text.chars().take(20_000) {
            if c.is_uppercase() {
                upper += 1;
            } else if c.is_lowercase() {
                lower += 1;
            }
        }
        let letters = upper + lower;
        if letters == 0 {
            CaseStyle::Mixed
        } else if upper * 100 >= letters * 85 {
            CaseStyle::Upper
        } else if upper * 1000 <= letters * 5 {
            CaseStyle::Lower
        } else {
            CaseStyle::Mixed
        }
    }

    /// True when capital letters can be trusted as a sign of names.
    pub fn informative(self) -> bool {
        self == CaseStyle::Mixed
    }
}

/// The lower-case forms of a document's tokens (`str::to_lowercase` of
/// each), kept in one buffer: one allocation per document instead of one
/// per token. Index it like a slice of strings: `lower[i]` is a `str`.
#[derive(Debug, Clone, Default)]
pub struct LowerForms {
    buf: String,
    /// End of each form in `buf`; a form starts where the previous one ends.
    ends: Vec<usize>,
}

impl LowerForms {
    /// The lower-case forms of `tokens` (spans into `text`).
    pub fn new(text: &str, tokens: &[Token]) -> LowerForms {
        let mut buf = String::with_capacity(text.len());
        let mut ends = Vec::with_capacity(tokens.len());
        for t in tokens {
            let word = text.get(t.span.start..t.span.end).unwrap_or("");
            if word.is_ascii() {
                // Byte-for-byte the same as `to_lowercase` on ASCII.
                buf.extend(word.chars().map(|c| c.to_ascii_lowercase()));
            } else {
                // Per token, as before: final-sigma rules look at the word
                // alone. A typographic apostrophe is the ASCII one, as in
                // the word lists ("Kurdistan Workers’ Party", "Lai’s").
                buf.extend(
                    word.to_lowercase()
                        .chars()
                        .map(|c| if c == '\u{2019}' { '\'' } else { c }),
                );
            }
            ends.push(buf.len());
        }
        LowerForms { buf, ends }
    }

    /// Number of forms (= tokens).
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The form of token `i`, if there is one.
    pub fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = i.checked_sub(1).map_or(0, |p| self.ends[p]);
        self.buf.get(start..end)
    }

    /// The forms of the tokens in `range` (clamped to the tokens there are).
    pub fn range(&self, range: Range<usize>) -> impl DoubleEndedIterator<Item = &str> + Clone + '_ {
        let end = range.end.min(self.len());
        (range.start.min(end)..end).filter_map(move |i| self.get(i))
    }

    /// Every form, in token order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &str> + Clone + '_ {
        self.range(0..self.len())
    }
}

impl Index<usize> for LowerForms {
    type Output = str;

    /// Panics when `i` is out of bounds, like a slice.
    fn index(&self, i: usize) -> &str {
        let end = self.ends[i];
        let start = i.checked_sub(1).map_or(0, |p| self.ends[p]);
        &self.buf[start..end]
    }
}

/// One document prepared for the extractors.
pub struct Ctx<'a> {
    pub text: &'a str,
    pub case: CaseStyle,
    pub sentences: Vec<Span>,
    pub tokens: Vec<Token>,
    /// Lower-case form of every token.
    pub lower: LowerForms,
    /// Index of the sentence of every token.
    pub tok_sent: Vec<usize>,
    /// Token range of every sentence.
    pub sent_toks: Vec<Range<usize>>,
    /// Byte range of a dateline ("BRUSSELS, March 12 (Reuters) -"), when
    /// one of the first lines opens with one (a headline may come before).
    pub dateline: Option<Range<usize>>,
}

impl<'a> Ctx<'a> {
    pub fn new(text: &'a str) -> Ctx<'a> {
        let sentences = vigil_text::sentences(text);
        let tokens = vigil_text::tokenize(text);
        let lower = LowerForms::new(text, &tokens);
        let sent_toks: Vec<Range<usize>> = sentences
            .iter()
            .map(|s| {
                let a = tokens.partition_point(|t| t.span.start < s.start);
                let b = tokens.partition_point(|t| t.span.start < s.end);
                a..b.max(a)
            })
            .collect();
        // Tokens between sentences (rare: stray punctuation) belong to the
        // sentence before them.
        let mut tok_sent = vec![0usize; tokens.len()];
        for (s, range) in sent_toks.iter().enumerate() {
            for slot in &mut tok_sent[range.clone()] {
                *slot = s;
            }
            if let Some(next) = sent_toks.get(s + 1) {
                for slot in tok_sent.iter_mut().take(next.start).skip(range.end) {
                    *slot = s;
                }
            }
        }
        let dateline = dateline(text);
        Ctx {
            text,
            case: CaseStyle::detect(text),
            sentences,
            tokens,
            lower,
            tok_sent,
            sent_toks,
            dateline,
        }
    }

    pub fn tok_text(&self, i: usize) -> &'a str {
        let span = self.tokens[i].span;
        &self.text[span.start..span.end]
    }

    pub fn is_word(&self, i: usize) -> bool {
        self.tokens
            .get(i)
            .is_some_and(|t| t.kind == TokenKind::Word)
    }

    /// True when token `i` starts with a capital letter (meaningful only in
    /// mixed-case text); false past the last token.
    pub fn is_capitalized(&self, i: usize) -> bool {
        self.case.informative()
            && i < self.tokens.len()
            && self
                .tok_text(i)
                .chars()
                .next()
                .is_some_and(char::is_uppercase)
    }

    /// The index of the first token starting at or after byte `pos`.
    pub fn token_at(&self, pos: usize) -> usize {
        self.tokens.partition_point(|t| t.span.start < pos)
    }

    /// Token range covering the byte span (tokens fully inside it).
    /// Tokens overlapping the byte span ("State's" overlaps "Islamic State").
    pub fn tokens_in(&self, span: Span) -> Range<usize> {
        let start = self.tokens.partition_point(|t| t.span.end <= span.start);
        let end = self.tokens.partition_point(|t| t.span.start < span.end);
        start..end.max(start)
    }

    /// Span from the start of token `a` to the end of token `b - 1`.
    pub fn span_of(&self, toks: Range<usize>) -> Span {
        let start = self.tokens.get(toks.start).map_or(0, |t| t.span.start);
        let end = toks
            .end
            .checked_sub(1)
            .and_then(|i| self.tokens.get(i))
            .map_or(start, |t| t.span.end);
        Span::new(start, end.max(start))
    }

    pub fn slice(&self, span: Span) -> &'a str {
        self.text.get(span.start..span.end).unwrap_or("")
    }

    /// Sentence index of a byte position.
    pub fn sentence_of(&self, pos: usize) -> Option<usize> {
        let i = self.sentences.partition_point(|s| s.end <= pos);
        self.sentences.get(i).filter(|s| s.start <= pos).map(|_| i)
    }
}

/// Where a dateline ("BRUSSELS, March 12 (Reuters) -", "LIMA, 14 MAR 91
/// (EFE) --", "KANDAHAR, Afghanistan -") is, when one of the first lines
/// opens with one: a capitalised place of at most four words, a comma, and
/// a dash within the first 100 bytes.
pub fn dateline(text: &str) -> Option<Range<usize>> {
    let mut line_start = 0;
    for _ in 0..3 {
        let line_end = text[line_start..]
            .find('\n')
            .map_or(text.len(), |i| line_start + i);
        let line = &text[line_start..line_end];
        let head_end = line.char_indices().nth(100).map_or(line.len(), |(i, _)| i);
        let head = &line[..head_end];
        let dash = head
            .find(" - ")
            .or_else(|| head.find(" -- "))
            .or_else(|| head.find(" \u{2014} "));
        if let Some(dash) = dash {
            // "BRUSSELS, March 12 (Reuters) -" or "NAIROBI -": a comma before
            // the dash, or a place in capitals.
            let comma = head.find(',').filter(|c| *c < dash);
            let place = &head[..comma.unwrap_or(dash)];
            let shouted =
                place.chars().any(char::is_alphabetic) && !place.chars().any(char::is_lowercase);
            if (comma.is_some() || shouted)
                && place.chars().next().is_some_and(char::is_uppercase)
                && place.split_whitespace().count() <= 4
            {
                return Some(line_start..line_start + dash + 2);
            }
        }
        if line_end >= text.len() {
            break;
        }
        line_start = line_end + 1;
        while text[line_start..].starts_with('\n') {
            line_start += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn datelines() {
        use super::dateline;
        let t = "Headline here\n\nBRUSSELS, March 12 (Reuters) - Belgian police arrested";
        assert_eq!(
            dateline(t).map(|d| (&t[d.clone()], &t[d.end..])),
            Some(("BRUSSELS, March 12 (Reuters) -", " Belgian police arrested"))
        );
        assert!(dateline("NAIROBI - Al-Shabaab militants attacked").is_some());
        assert_eq!(dateline("The army said - in a statement - that"), None);
    }

    use super::*;

    #[test]
    fn case_style() {
        assert_eq!(
            CaseStyle::detect("THE ARMY DENIED TODAY THAT GUERRILLAS ATTACKED"),
            CaseStyle::Upper
        );
        assert_eq!(
            CaseStyle::detect("the army denied today that guerrillas attacked"),
            CaseStyle::Lower
        );
        assert_eq!(
            CaseStyle::detect("The army denied today that Guerrillas attacked"),
            CaseStyle::Mixed
        );
    }
}
