//! Paragraph and sentence segmentation.

use vigil_core::Span;

use crate::boiler::ends_sentence;

/// Trims whitespace off both ends of `[start, end)`; `None` when empty.
fn trimmed(text: &str, start: usize, end: usize) -> Option<Span> {
    let s = text.get(start..end)?;
    let lead = s.len() - s.trim_start().len();
    let t = s.trim();
    if t.is_empty() {
        None
    } else {
        Some(Span::new(start + lead, start + lead + t.len()))
    }
}

/// Blocks of text separated by blank lines (lines holding only
/// whitespace), trimmed. Spans are in order, non-overlapping, non-empty.
pub fn paragraphs(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut block_start: Option<usize> = None;
    let mut block_end = 0usize;
    let mut pos = 0usize;
    for line in text.split_inclusive('\n') {
        let line_end = pos + line.len();
        if line.trim().is_empty() {
            if let Some(s) = block_start.take() {
                out.extend(trimmed(text, s, block_end));
            }
        } else {
            if block_start.is_none() {
                block_start = Some(pos);
            }
            block_end = line_end;
        }
        pos = line_end;
    }
    if let Some(s) = block_start {
        out.extend(trimmed(text, s, block_end));
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum CaseMode {
    Normal,
    Upper,
    Lower,
}

fn case_mode(text: &str) -> CaseMode {
    let mut upper = 0usize;
    let mut lower = 0usize;
    for c in text.chars().take(100_000) {
        if c.is_uppercase() {
            upper += 1;
        } else if c.is_lowercase() {
            lower += 1;
        }
    }
    let total = upper + lower;
    if total < 20 {
        return CaseMode::Normal;
    }
    if upper * 100 >= total * 85 {
        CaseMode::Upper
    } else if upper * 1000 <= total * 5 {
        CaseMode::Lower
    } else {
        CaseMode::Normal
    }
}

/// Hard-wrapped block (telex, e-mail): lines of similar length, ≤ 120 chars.
fn is_wrapped(lines: &[(usize, usize)], text: &str) -> bool {
    let lens: Vec<usize> = lines
        .iter()
        .map(|&(s, e)| text.get(s..e).map_or(0, |l| l.trim().chars().count()))
        .collect();
    match lens.len() {
        0 | 1 => false,
        2 => {
            let first = text.get(lines[0].0..lines[0].1).unwrap_or("");
            (50..=120).contains(&lens[0]) && lens[1] <= lens[0] + 5 && !ends_sentence(first.trim())
        }
        n => {
            let max = lens.iter().copied().max().unwrap_or(0);
            if !(30..=120).contains(&max) {
                return false;
            }
            let body = &lens[..n - 1];
            let long = body.iter().filter(|&&l| l * 10 >= max * 6).count();
            long * 4 >= body.len() * 3
        }
    }
}

/// Sentence-ish units of one paragraph: each line is a unit unless the
/// block is hard-wrapped, in which case only short unpunctuated lines
/// (headings) end a unit.
fn units(text: &str, para: Span, out: &mut Vec<(usize, usize)>) {
    let Some(ptext) = text.get(para.start..para.end) else {
        return;
    };
    let mut lines = Vec::new();
    let mut pos = para.start;
    for line in ptext.split_inclusive('\n') {
        let end = pos + line.len();
        let content_end = if line.ends_with('\n') { end - 1 } else { end };
        lines.push((pos, content_end));
        pos = end;
    }
    if !is_wrapped(&lines, text) {
        out.extend(lines);
        return;
    }
    let max = lines
        .iter()
        .map(|&(s, e)| text.get(s..e).map_or(0, |l| l.trim().chars().count()))
        .max()
        .unwrap_or(0);
    let mut start = para.start;
    for (k, &(s, e)) in lines.iter().enumerate() {
        let line = text.get(s..e).unwrap_or("").trim();
        let last = k + 1 == lines.len();
        let heading = line.chars().count() * 2 < max
            && !ends_sentence(line)
            && !line.ends_with([',', ';', ':', '-']);
        if last || heading {
            out.push((start, e));
            start = e;
        }
    }
}

/// Splits the (cleaned) text into sentences.
///
/// Never crosses a paragraph break (blank line) nor a line break, except
/// inside hard-wrapped blocks (telex, plain-text mail) where only heading-like
/// lines end a sentence. Inside a unit, a sentence ends at `.`, `!`, `?`,
/// `…` or `...` (with closing quotes or brackets) followed by whitespace and
/// a plausible sentence start, and at CJK `。！？`. Titles and abbreviations
/// (`Mr.`, `Gen.`, `U.S.`, `Jan.`, `No. 5`, `a.m.`), initials (`J. Smith`),
/// decimals and dotted acronyms do not end a sentence unless a typical
/// sentence opener follows (`... in the U.S. The ...`). All-caps (telex) and
/// all-lowercase texts are detected and handled.
///
/// Spans are trimmed, non-empty, in order, non-overlapping, on char
/// boundaries.
pub fn sentences(text: &str) -> Vec<Span> {
    let mode = case_mode(text);
    let mut out = Vec::new();
    let mut unit_spans = Vec::new();
    for para in paragraphs(text) {
        unit_spans.clear();
        units(text, para, &mut unit_spans);
        for &(s, e) in &unit_spans {
            split_unit(text, s, e, mode, &mut out);
        }
    }
    out
}

const TITLES: &[&str] = &[
    "mr", "mrs", "ms", "messrs", "dr", "prof", "gen", "col", "lt", "ltc", "capt", "cpt", "sgt",
    "maj", "cmdr", "cdr", "adm", "brig", "rep", "reps", "sen", "sens", "gov", "rev", "hon", "pres",
    "insp", "det", "supt", "cpl", "pvt", "fr", "msgr", "amb", "atty", "st", "mt", "ft", "gens",
    "cols", "mme", "mlle", "sr", "sra", "srta",
];

const ABBREVS: &[&str] = &[
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "etc",
    "vs", "approx", "dept", "est", "inc", "ltd", "co", "corp", "bros", "jr", "ave", "blvd", "rd",
    "govt", "intl", "natl", "univ", "assn", "mon", "tue", "tues", "wed", "thu", "thur", "thurs",
    "fri", "sat", "sun", "cf", "al", "ca", "min", "max", "km", "kg", "hr", "hrs", "sq", "ft",
];

const NUMBER_ABBREVS: &[&str] = &[
    "no", "nos", "vol", "vols", "p", "pp", "art", "fig", "figs", "ch", "sec", "para", "tel", "ext",
    "op", "nr",
];

const STARTERS: &[&str] = &[
    "the",
    "a",
    "an",
    "he",
    "she",
    "it",
    "they",
    "we",
    "i",
    "you",
    "this",
    "that",
    "these",
    "those",
    "there",
    "his",
    "her",
    "its",
    "their",
    "our",
    "my",
    "but",
    "and",
    "in",
    "on",
    "at",
    "for",
    "however",
    "meanwhile",
    "after",
    "before",
    "when",
    "while",
    "if",
    "as",
    "according",
    "some",
    "many",
    "most",
    "no",
    "one",
    "two",
    "three",
    "police",
    "officials",
    "authorities",
    "earlier",
    "later",
    "last",
    "since",
    "so",
    "yet",
    "also",
    "what",
    "who",
    "why",
    "how",
];

fn is_closer(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '”' | '’' | '»' | ')' | ']' | '}' | '」' | '』'
    )
}

fn is_opener(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '“' | '‘' | '«' | '(' | '[' | '{' | '¿' | '¡' | '-' | '—' | '–'
    )
}

/// The word right after position `k`, skipping openers.
fn next_word(text: &str, k: usize, end: usize) -> &str {
    let s = text.get(k..end).unwrap_or("");
    let s = s.trim_start_matches(is_opener);
    let w_end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
        .unwrap_or(s.len());
    &s[..w_end]
}

/// The token right before the terminator at `i` (back to whitespace or an
/// opener, at most 40 bytes).
fn prev_token(text: &str, unit_start: usize, i: usize) -> &str {
    let s = text.get(unit_start..i).unwrap_or("");
    let mut start = s.len();
    for (j, c) in s.char_indices().rev() {
        if c.is_whitespace() || is_opener(c) || s.len() - j > 40 {
            break;
        }
        start = j;
    }
    &s[start..]
}

fn is_starter(word: &str) -> bool {
    STARTERS.iter().any(|s| s.eq_ignore_ascii_case(word))
}

fn starts_upper(word: &str) -> bool {
    word.chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_numeric())
}

/// Decides whether a `.` at `i` (ending the token `prev`), followed by the
/// word `next` (possibly after an opener `opened`), ends a sentence.
fn period_ends(prev: &str, next: &str, opened: bool, mode: CaseMode) -> bool {
    let next_first = next.chars().next();
    let Some(nf) = next_first else {
        // Followed by punctuation or an opener only.
        return opened;
    };
    let next_lower = nf.is_lowercase();
    if next_lower && mode != CaseMode::Lower {
        return false;
    }
    let bare = prev.trim_end_matches('.');
    let lower = bare.to_lowercase();
    let word = lower.trim_start_matches(|c: char| !c.is_alphanumeric());
    if nf.is_numeric() {
        if NUMBER_ABBREVS.contains(&word) || TITLES.contains(&word) || is_month_abbreviation(word) {
            return false;
        }
        return true;
    }
    let starter = is_starter(next) && (mode != CaseMode::Normal || starts_upper(next));
    if TITLES.contains(&word) {
        return false;
    }
    if bare.contains('.') {
        // Dotted acronym or e.g./i.e.
        if matches!(word, "e.g" | "i.e" | "viz" | "cf") {
            return false;
        }
        if matches!(word, "a.m" | "p.m") {
            return starter
                || (mode == CaseMode::Normal && starts_upper(next) && !is_time_follower(next));
        }
        return starter;
    }
    let single_letter = word.chars().count() == 1 && word.chars().all(char::is_alphabetic);
    if single_letter {
        let is_upper_initial = bare.chars().all(char::is_uppercase);
        if is_upper_initial || mode == CaseMode::Upper {
            return starter;
        }
    }
    if ABBREVS.contains(&word) {
        if word == "etc" {
            return mode != CaseMode::Normal || starts_upper(next);
        }
        return starter;
    }
    true
}

/// Whether a lower-case word is a month's abbreviation ("feb", "sept"):
/// a full stop after it ends no sentence, and before a day or a full stop
/// it is a date, not a name.
pub fn is_month_abbreviation(w: &str) -> bool {
    matches!(
        w,
        "jan"
            | "feb"
            | "mar"
            | "apr"
            | "jun"
            | "jul"
            | "aug"
            | "sep"
            | "sept"
            | "oct"
            | "nov"
            | "dec"
    )
}

fn is_time_follower(w: &str) -> bool {
    let l = w.to_ascii_lowercase();
    matches!(
        l.as_str(),
        "gmt"
            | "utc"
            | "et"
            | "est"
            | "edt"
            | "pt"
            | "pst"
            | "pdt"
            | "ct"
            | "cst"
            | "cdt"
            | "bst"
            | "cet"
            | "cest"
            | "msk"
            | "local"
            | "monday"
            | "tuesday"
            | "wednesday"
            | "thursday"
            | "friday"
            | "saturday"
            | "sunday"
    )
}

fn split_unit(text: &str, start: usize, end: usize, mode: CaseMode, out: &mut Vec<Span>) {
    let Some(unit) = text.get(start..end) else {
        return;
    };
    let mut sent_start = start;
    let mut iter = unit.char_indices().peekable();
    while let Some((off, c)) = iter.next() {
        let i = start + off;
        let cjk = matches!(c, '。' | '！' | '？');
        if !(matches!(c, '.' | '!' | '?' | '…') || cjk) {
            continue;
        }
        // Extend over a run of terminators and closers.
        let mut j = i + c.len_utf8();
        let mut run_has_bang = c == '!' || c == '?' || cjk;
        let mut dots = usize::from(c == '.');
        let mut ellipsis = c == '…';
        while let Some(&(o2, d)) = iter.peek() {
            if matches!(d, '.' | '!' | '?' | '…' | '。' | '！' | '？') {
                run_has_bang |= matches!(d, '!' | '?' | '！' | '？');
                dots += usize::from(d == '.');
                ellipsis |= d == '…';
                j = start + o2 + d.len_utf8();
                iter.next();
            } else {
                break;
            }
        }
        ellipsis |= dots >= 2;
        while let Some(&(o2, d)) = iter.peek() {
            if is_closer(d) {
                j = start + o2 + d.len_utf8();
                iter.next();
            } else {
                break;
            }
        }
        if j >= end {
            break;
        }
        let after = text.get(j..end).unwrap_or("");
        let ws = after.len() - after.trim_start().len();
        if ws == 0 && !cjk {
            continue;
        }
        let k = j + ws;
        let rest = text.get(k..end).unwrap_or("");
        let opened = rest.starts_with(is_opener);
        let next = next_word(text, k, end);
        let boundary = if cjk {
            true
        } else if run_has_bang || ellipsis {
            match next.chars().next() {
                Some(nf) => !nf.is_lowercase() || mode == CaseMode::Lower,
                None => opened,
            }
        } else {
            let prev = prev_token(text, sent_start, i);
            period_ends(prev, next, opened, mode)
        };
        if boundary {
            out.extend(trimmed(text, sent_start, j));
            sent_start = k;
        }
    }
    out.extend(trimmed(text, sent_start, end));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sents(t: &str) -> Vec<&str> {
        sentences(t).iter().map(|s| &t[s.start..s.end]).collect()
    }

    #[test]
    fn basic_and_abbreviations() {
        let t = "Mr. Smith met Gen. Jones and Col. White in the U.S. capital on Jan. 5 at 5 p.m. local time. \
                 Dr. J. R. Brown of St. Mary's said No. 5 cost $3.5 million. It was the U.N. that spoke.";
        assert_eq!(
            sents(t),
            [
                "Mr. Smith met Gen. Jones and Col. White in the U.S. capital on Jan. 5 at 5 p.m. local time.",
                "Dr. J. R. Brown of St. Mary's said No. 5 cost $3.5 million.",
                "It was the U.N. that spoke."
            ]
        );
        assert_eq!(
            sents("They live in the U.S. The war goes on."),
            ["They live in the U.S.", "The war goes on."]
        );
    }

    #[test]
    fn quotes_ellipses_questions() {
        let t = "\"The threat remains,\" he said. \"It is real.\" The director agreed... Then? Nobody knew! ok";
        assert_eq!(
            sents(t),
            [
                "\"The threat remains,\" he said.",
                "\"It is real.\"",
                "The director agreed...",
                "Then?",
                "Nobody knew! ok"
            ]
        );
        assert_eq!(sents("\"Hello.\" he said."), ["\"Hello.\" he said."]);
    }

    #[test]
    fn headings_and_paragraphs() {
        let t = "What is ISIS-Khorasan?\n\nIt is a branch.\nOfficials warn\nThe threat grows. More later";
        assert_eq!(
            sents(t),
            [
                "What is ISIS-Khorasan?",
                "It is a branch.",
                "Officials warn",
                "The threat grows.",
                "More later"
            ]
        );
        assert_eq!(paragraphs(t).len(), 2);
    }

    #[test]
    fn telex_all_caps_wrapped() {
        let t = "SAN SALVADOR, 3 JAN 90 (EFE) -- [TEXT] THE ARCE BATTALION COMMAND HAS\n\
                 REPORTED THAT ABOUT 50 PEASANTS HAVE BEEN KIDNAPPED BY GEN. OCHOA'S\n\
                 MEN IN SAN MIGUEL.  ACCORDING TO THE U.S. EMBASSY, THE MASS KIDNAPPING\n\
                 TOOK PLACE ON 30 DECEMBER. MILITARY DETACHMENT NO.4 REPORTED IT.";
        let s = sents(t);
        assert_eq!(s.len(), 3, "{s:?}");
        assert!(s[0].starts_with("SAN SALVADOR") && s[0].ends_with("SAN MIGUEL."));
        assert!(s[1].starts_with("ACCORDING") && s[1].ends_with("30 DECEMBER."));
    }

    #[test]
    fn lowercase_text() {
        let t = "the army denied it today. a report published by cerigua says so.    however, col isaacs said no.";
        assert_eq!(
            sents(t),
            [
                "the army denied it today.",
                "a report published by cerigua says so.",
                "however, col isaacs said no."
            ]
        );
    }

    #[test]
    fn empty_and_whitespace() {
        assert!(sentences("").is_empty());
        assert!(sentences(" \n\n  ").is_empty());
        assert!(paragraphs("\n\n").is_empty());
        assert_eq!(sents("...!?"), ["...!?"]);
    }

    #[test]
    fn decimals_and_cjk() {
        assert_eq!(
            sents("It rose 3.5 percent. Then fell."),
            ["It rose 3.5 percent.", "Then fell."]
        );
        assert_eq!(sents("我们走了。他来了！"), ["我们走了。", "他来了！"]);
    }
}
