//! Character-level normalisation and look-alike (homoglyph) repair.

use chrono::{DateTime, FixedOffset};
use vigil_core::{CleaningChange, CleaningKind, CleaningReport};

use crate::chars::{self, CharClass};

/// Options for [`clean`].
#[derive(Clone, Copy, Debug)]
pub struct CleanOptions<'a> {
    /// The document's title when known from metadata. A first line equal to
    /// it (or a cut-off prefix of it) is dropped.
    pub title: Option<&'a str>,
    /// Maximum number of entries in [`CleaningReport::changes`] (counts are
    /// always complete). Default 200.
    pub max_changes: usize,
}

impl Default for CleanOptions<'_> {
    fn default() -> Self {
        CleanOptions {
            title: None,
            max_changes: 200,
        }
    }
}

/// The result of [`clean`].
#[derive(Clone, Debug, PartialEq)]
pub struct Cleaned {
    /// The cleaned text: paragraphs separated by one blank line, lines trimmed,
    /// runs of spaces collapsed, look-alikes repaired, boilerplate dropped.
    pub text: String,
    /// Counts and a capped list of what was changed.
    pub report: CleaningReport,
    /// The title: `opts.title` cleaned with [`clean_inline`] when given,
    /// otherwise the title found at the top of the text (a first line that
    /// is repeated, possibly cut off, and dropped; else a short first line
    /// standing alone above the text and not ended like a sentence, which
    /// stays), cleaned. `None` when none was found.
    pub title: Option<String>,
    /// The author named by a byline near the top ("By Claire Dumont |
    /// 14 June 2025"), which was dropped.
    pub author: Option<String>,
    /// Parsed from a timestamp line near the top that was dropped.
    pub timestamp: Option<DateTime<FixedOffset>>,
}

/// Records changes up to a cap.
pub(crate) struct Recorder<'r> {
    pub(crate) report: &'r mut CleaningReport,
    pub(crate) max: usize,
}

impl Recorder<'_> {
    pub(crate) fn change(&mut self, kind: CleaningKind, before: &str, after: &str) {
        if self.report.changes.len() < self.max {
            self.report.changes.push(CleaningChange {
                kind,
                before: before.to_string(),
                after: after.to_string(),
            });
        } else {
            self.report.changes_truncated = true;
        }
    }
}

/// Cleans a raw article body. See the crate documentation for the stages.
pub fn clean(raw: &str, opts: &CleanOptions) -> Cleaned {
    let mut report = CleaningReport::default();
    let mut rec = Recorder {
        report: &mut report,
        max: opts.max_changes,
    };
    let normalized = normalize_chars(raw, &mut rec, false);
    let mut lines: Vec<String> = Vec::new();
    let mut buf = String::new();
    for line in normalized.split('\n') {
        collapse_spaces(line, &mut buf);
        let mut out = String::with_capacity(buf.len());
        fix_lookalikes(&buf, &mut out, &mut rec);
        // Editorial markers ("[TEXT]", "[passage omitted]") after the
        // look-alike repair, so that a disguised marker goes too.
        let removed = crate::markers::strip_markers(&out, &mut buf);
        if removed.is_empty() {
            lines.push(out);
        } else {
            for marker in &removed {
                rec.report.boilerplate_removed += 1;
                rec.change(CleaningKind::Boilerplate, marker, "");
            }
            lines.push(std::mem::take(&mut buf));
        }
    }
    drop(normalized);
    let boiler = crate::boiler::find_boilerplate(&lines, opts.title);
    for &(idx, kind) in &boiler.dropped {
        rec.report.boilerplate_removed += 1;
        if let Some(line) = lines.get(idx) {
            rec.change(kind, line, "");
        }
    }
    let mut text = String::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
    let mut para_break = false;
    for (line, keep) in lines.iter().zip(boiler.keep.iter()) {
        if !keep {
            continue;
        }
        if line.is_empty() {
            para_break = !text.is_empty();
            continue;
        }
        if !text.is_empty() {
            text.push_str(if para_break { "\n\n" } else { "\n" });
        }
        text.push_str(line);
        para_break = false;
    }
    Cleaned {
        text,
        report,
        title: boiler.title,
        author: boiler.author,
        timestamp: boiler.timestamp,
    }
}

/// De-obfuscates a short string (a title, an author, a metadata field):
/// removes invisible characters, repairs look-alike letters, turns every
/// kind of space and line break into one ASCII space, trims. No line logic.
pub fn clean_inline(s: &str) -> String {
    let mut report = CleaningReport::default();
    let mut rec = Recorder {
        report: &mut report,
        max: 0,
    };
    let normalized = normalize_chars(s, &mut rec, true);
    let mut buf = String::new();
    collapse_spaces(&normalized, &mut buf);
    let mut out = String::with_capacity(buf.len());
    fix_lookalikes(&buf, &mut out, &mut rec);
    out
}

/// Stage 1: line breaks, spaces, controls and invisible characters.
/// With `inline`, line breaks become spaces.
fn normalize_chars(raw: &str, rec: &mut Recorder, inline: bool) -> String {
    let nl = if inline { ' ' } else { '\n' };
    let bytes = raw.as_bytes();
    let len = raw.len();
    let mut out = String::with_capacity(len);
    let mut recorded_until = 0usize;
    let mut i = 0usize;
    while i < len {
        // Fast path: a run of printable ASCII.
        let run = bytes[i..]
            .iter()
            .position(|b| !(0x20..0x7F).contains(b))
            .unwrap_or(len - i);
        if run > 0 {
            out.push_str(&raw[i..i + run]);
            i += run;
            continue;
        }
        let Some(c) = raw[i..].chars().next() else {
            break;
        };
        let next_i = i + c.len_utf8();
        let next = raw[next_i..].chars().next();
        match c {
            '\r' => {
                out.push(nl);
                if next == Some('\n') {
                    i = next_i + 1;
                    continue;
                }
            }
            '\n' | '\x0B' | '\x0C' | '\u{0085}' | '\u{2028}' => out.push(nl),
            '\u{2029}' => {
                out.push(nl);
                out.push(nl);
            }
            '\t' => out.push(' '),
            c if c.is_whitespace() => {
                rec.report.spaces_normalized += 1;
                out.push(' ');
            }
            c if c.is_control() => {
                rec.report.invisible_removed += 1;
                record_invisible(raw, i, &mut recorded_until, rec);
            }
            c => match chars::classify(c) {
                Some(CharClass::Ignorable) => {
                    let prev = out.chars().next_back();
                    if keep_ignorable(c, prev, next) {
                        out.push(c);
                    } else {
                        rec.report.invisible_removed += 1;
                        record_invisible(raw, i, &mut recorded_until, rec);
                    }
                }
                _ => out.push(c),
            },
        }
        i = next_i;
    }
    out
}

/// Joiners and selectors that carry meaning are kept: ZWJ in emoji
/// sequences, ZWJ/ZWNJ between letters of scripts that use them (Arabic,
/// Persian, Indic…), emoji variation selectors, emoji tag sequences.
fn keep_ignorable(c: char, prev: Option<char>, next: Option<char>) -> bool {
    let (Some(p), n) = (prev, next) else {
        return false;
    };
    match c {
        '\u{200D}' => {
            let Some(n) = n else { return false };
            (chars::is_emojiish(p) && chars::is_emojiish(n))
                || (chars::is_joining_script_letter(p) && chars::is_joining_script_letter(n))
        }
        '\u{200C}' => n.is_some_and(|n| {
            chars::is_joining_script_letter(p) && chars::is_joining_script_letter(n)
        }),
        '\u{FE0E}' | '\u{FE0F}' => {
            chars::is_emojiish(p)
                || (!p.is_ascii() && !p.is_alphanumeric() && !p.is_whitespace())
                || n == Some('\u{20E3}')
        }
        '\u{E0020}'..='\u{E007F}' => p == '\u{1F3F4}' || ('\u{E0020}'..='\u{E007F}').contains(&p),
        _ => false,
    }
}

/// Records the raw word around an invisible character, once per word.
fn record_invisible(raw: &str, i: usize, recorded_until: &mut usize, rec: &mut Recorder) {
    if i < *recorded_until || rec.report.changes.len() >= rec.max {
        if rec.report.changes.len() >= rec.max && rec.max > 0 {
            rec.report.changes_truncated = true;
        }
        return;
    }
    let mut start = i;
    for (j, ch) in raw[..i].char_indices().rev().take(40) {
        if ch.is_whitespace() {
            break;
        }
        start = j;
    }
    let mut end = i;
    for (j, ch) in raw[i..].char_indices().take(40) {
        if ch.is_whitespace() && j > 0 {
            break;
        }
        end = i + j + ch.len_utf8();
    }
    *recorded_until = end;
    let before = &raw[start..end];
    let after: String = before
        .chars()
        .filter(|&ch| {
            !(ch.is_control() || matches!(chars::classify(ch), Some(CharClass::Ignorable)))
        })
        .collect();
    rec.change(CleaningKind::Invisible, before, &after);
}

/// Trims and collapses runs of ASCII spaces into `buf` (cleared first).
fn collapse_spaces(line: &str, buf: &mut String) {
    buf.clear();
    for part in line.split(' ').filter(|p| !p.is_empty()) {
        if !buf.is_empty() {
            buf.push(' ');
        }
        buf.push_str(part);
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Decision {
    Nothing,
    Replace,
    Uncertain,
    Keep,
}

#[derive(Clone, Copy)]
struct Word {
    start: usize,
    end: usize,
    /// Latin letters (ASCII or Latin script).
    latin: u32,
    /// Letters of another script with no Latin look-alike.
    other: u32,
    /// Look-alike letters of another script.
    lookalike: u32,
    /// Letters produced by compatibility forms (fullwidth, math, ligatures).
    compat_letters: u32,
    /// Compatibility characters that are digits.
    compat_digits: u32,
    /// Scripts (bit set, see [`script_bit`]) of the look-alike letters.
    lookalike_scripts: u8,
    /// Scripts of the other-script letters.
    other_scripts: u8,
    decision: Decision,
}

impl Word {
    fn non_latin(&self) -> bool {
        self.other > 0 && self.other >= self.latin + self.compat_letters
    }
}

const BATCH: usize = 4096;

/// Stage 2: repairs look-alike letters in one (space-collapsed) line.
///
/// Every word (maximal run of letters, digits and marks) is classified by
/// its letters: Latin, look-alike of Latin, compatibility form, other
/// script. A word with more Latin letters than other-script letters is
/// repaired. A word made only of look-alikes is repaired when its line is
/// Latin-majority, neither neighbouring word is genuinely non-Latin, and no
/// word of the batch genuinely uses the look-alikes' script (so `ΚΚΕ` stays
/// Greek in a line that also names `Αθήνα`).
/// Decisions are made in batches of 4096 words so memory stays bounded.
pub(crate) fn fix_lookalikes(line: &str, out: &mut String, rec: &mut Recorder) {
    if line.is_ascii()
        || !line.chars().any(|c| {
            matches!(
                chars::classify(c),
                Some(CharClass::Lookalike(_) | CharClass::Compat(_))
            )
        })
    {
        out.push_str(line);
        return;
    }
    let mut words: Vec<Word> = Vec::with_capacity(64);
    let mut emitted = 0usize;
    let mut latin_total = 0u64;
    let mut other_total = 0u64;
    let mut cur: Option<Word> = None;
    let flush = |words: &mut Vec<Word>,
                 emitted: &mut usize,
                 out: &mut String,
                 rec: &mut Recorder,
                 latin: u64,
                 other: u64| {
        let len = words.len();
        let genuine_scripts = words
            .iter()
            .filter(|w| w.non_latin())
            .fold(0u8, |acc, w| acc | w.other_scripts);
        for idx in 0..len {
            let w = words[idx];
            let replace = match w.decision {
                Decision::Replace => true,
                Decision::Uncertain => {
                    latin > other
                        && w.lookalike_scripts & genuine_scripts == 0
                        && !(idx > 0 && words[idx - 1].non_latin())
                        && !(idx + 1 < len && words[idx + 1].non_latin())
                }
                Decision::Nothing | Decision::Keep => false,
            };
            if !replace {
                continue;
            }
            out.push_str(&line[*emitted..w.start]);
            let before = &line[w.start..w.end];
            let start_len = out.len();
            let mut replaced = 0usize;
            for c in before.chars() {
                match chars::classify(c) {
                    Some(CharClass::Lookalike(l)) => {
                        out.push(*l);
                        replaced += 1;
                    }
                    Some(CharClass::Compat(s)) => {
                        out.push_str(s);
                        replaced += 1;
                    }
                    _ => out.push(c),
                }
            }
            rec.report.confusables_replaced += replaced;
            if let Some(after) = out.get(start_len..) {
                rec.change(CleaningKind::Confusable, before, after);
            }
            *emitted = w.end;
        }
        words.clear();
    };
    // A batch is decided with the script balance of its own words.
    let push_word = |w: Word, words: &mut Vec<Word>, latin: &mut u64, other: &mut u64| {
        let mut w = w;
        let conf = w.lookalike + w.compat_letters + w.compat_digits;
        let lx = w.latin + w.compat_letters;
        w.decision = if conf == 0 {
            Decision::Nothing
        } else if lx > w.other {
            Decision::Replace
        } else if w.other == 0 && lx == 0 {
            Decision::Uncertain
        } else {
            Decision::Keep
        };
        *latin += u64::from(if w.decision == Decision::Replace {
            lx + w.lookalike
        } else {
            lx
        });
        *other += u64::from(w.other);
        words.push(w);
    };
    for (i, c) in line.char_indices() {
        let (word_char, family) = chars::info(c);
        if !word_char {
            if let Some(w) = cur.take() {
                push_word(w, &mut words, &mut latin_total, &mut other_total);
                if words.len() >= BATCH {
                    flush(&mut words, &mut emitted, out, rec, latin_total, other_total);
                    latin_total = 0;
                    other_total = 0;
                }
            }
            continue;
        }
        let w = cur.get_or_insert(Word {
            start: i,
            end: i,
            latin: 0,
            other: 0,
            lookalike: 0,
            compat_letters: 0,
            compat_digits: 0,
            lookalike_scripts: 0,
            other_scripts: 0,
            decision: Decision::Nothing,
        });
        w.end = i + c.len_utf8();
        if c.is_ascii() {
            if c.is_ascii_alphabetic() {
                w.latin += 1;
            }
            continue;
        }
        match chars::classify(c) {
            Some(CharClass::Lookalike(_)) => {
                w.lookalike += 1;
                if let chars::Family::Other(bit) = family {
                    w.lookalike_scripts |= bit;
                }
            }
            Some(CharClass::Compat(s)) => {
                if s.chars().all(|f| f.is_ascii_digit()) {
                    w.compat_digits += 1;
                } else {
                    w.compat_letters += s.chars().count() as u32;
                }
            }
            _ => match family {
                chars::Family::Latin => w.latin += 1,
                chars::Family::Other(bit) => {
                    w.other += 1;
                    w.other_scripts |= bit;
                }
                chars::Family::Neutral | chars::Family::NotLetter => {}
            },
        }
    }
    if let Some(w) = cur.take() {
        push_word(w, &mut words, &mut latin_total, &mut other_total);
    }
    flush(&mut words, &mut emitted, out, rec, latin_total, other_total);
    out.push_str(&line[emitted..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_repairs_and_collapses() {
        assert_eq!(
            clean_inline("  Wаrnings  оf\u{00A0}ISIS-K\u{200B} \n attacks іn "),
            "Warnings of ISIS-K attacks in"
        );
        assert_eq!(clean_inline("Ｆｕｌｌｗｉｄｔｈ 𝐁𝐨𝐥𝐝"), "Fullwidth Bold");
    }

    #[test]
    fn genuine_scripts_survive_inline() {
        for s in [
            "Москва и Санкт-Петербург",
            "Αθήνα",
            "Σωκράτης",
            "القاعدة في العراق",
            "Kırıkkale",
            "２０２４年３月",
        ] {
            assert_eq!(clean_inline(s), s);
        }
    }

    #[test]
    fn options_default() {
        let o = CleanOptions::default();
        assert_eq!(o.max_changes, 200);
        assert!(o.title.is_none());
    }

    #[test]
    fn emoji_zwj_kept_and_persian_zwnj_kept() {
        let family = "👨\u{200D}👩\u{200D}👧";
        assert_eq!(clean_inline(family), family);
        let persian = "می\u{200C}خواهم";
        assert_eq!(clean_inline(persian), persian);
        assert_eq!(clean_inline("in\u{200C}to"), "into");
    }
}
