//! Text cleaning, segmentation and tokenisation for vigil.
//!
//! Public contract (used by `vigil-extract` and `vigil-ingest`):
//! - [`clean`]: raw body text → cleaned text + [`vigil_core::CleaningReport`]
//!   (+ the title and timestamp found at the top)
//! - [`clean_inline`]: the same character repair for a short string
//! - [`sentences`], [`paragraphs`]: spans over the cleaned text
//! - [`tokenize`]: word / number / punctuation tokens
//! - [`parse_timestamp`]: publication times in any common format
//! - [`detect_language`]: ISO 639-1 code or "und"
//! - [`fold_key`]: a matching key (lowercase, no diacritics, unified
//!   dashes and quotes)
//!
//! # Cleaning stages
//!
//! 1. **Characters.** CRLF, CR, NEL, U+2028 become `\n` (U+2029 a blank
//!    line); tabs become spaces. Every other whitespace character (NBSP,
//!    thin, ideographic, …) becomes an ASCII space and is counted in
//!    `spaces_normalized`. Default-ignorable code points (zero-width
//!    characters, soft hyphens, bidi controls, BOM, variation selectors,
//!    tags — exactly those the UTS #39 skeleton drops) and control characters
//!    are removed and counted in `invisible_removed`; ZWJ/ZWNJ are kept
//!    inside emoji sequences and between letters of scripts that use them
//!    (Arabic, Persian, Indic…), emoji variation selectors and flag tags are
//!    kept.
//! 2. **Look-alikes.** Each line is trimmed and runs of spaces collapsed.
//!    Each word (a run of letters, digits and marks) is classified by its
//!    letters: Latin; look-alikes of one Latin letter from another script
//!    (Cyrillic, Greek, Armenian, Cherokee, Lisu… — derived from the
//!    Unicode confusables data through the UTS #39 skeleton, case
//!    preserved: `А`→`A`, `о`→`o`, `і`→`i`); compatibility forms
//!    (fullwidth, mathematical alphanumerics, letterlike symbols, Latin
//!    ligatures — folded through NFKC); other-script letters. A word with
//!    more Latin letters than other-script letters gets its look-alikes and
//!    compatibility forms replaced. A word made only of look-alikes is
//!    replaced when its line has more Latin than other-script letters,
//!    neither neighbouring word is genuinely non-Latin and no word of the
//!    line genuinely uses that script (`ΚΚΕ` stays Greek next to `Αθήνα`;
//!    alone in an English line it would become `KKE`). Words with
//!    other-script letters in the majority (Russian, Greek, Arabic…) are
//!    never touched. `confusables_replaced` counts replaced characters;
//!    each rewritten word is listed in `changes`.
//! 3. **Editorial markers** (counted in `boilerplate_removed`, one per
//!    marker): bracketed notes of agencies and transcribers that stand as a
//!    word outside other brackets — `[TEXT]`, `[DATELINE]`, `[passage
//!    omitted]`, `[words indistinct]`, `[sentence as published]`, `[MORE]`…
//!    (the list is `markers::MARKERS`) — are removed from their line with
//!    the space next to them. Other bracketed text (`[the attackers]`,
//!    `[1]`) is kept.
//! 4. **Boilerplate** (counted in `boilerplate_removed`, one per line):
//!    lines that are only a timestamp (labelled or not, "Updated 14:05
//!    GMT", "3 hours ago" with a label) anywhere — the first parseable one
//!    among the first six lines becomes [`Cleaned::timestamp`]; a first line
//!    that is repeated (possibly cut off) among the next lines, with its
//!    repeats (it becomes [`Cleaned::title`]), or that matches
//!    [`CleanOptions::title`]; unmistakable chrome lines anywhere ("Share on
//!    Facebook", "Click here to subscribe", "Advertisement", "©…"); and at
//!    the end, short lines without sentence punctuation that repeat a nearby
//!    line or the title, hold no letters, or use chrome vocabulary ("Live",
//!    "Radio", "icon", "Follow", "Newsletter", "Read more", "Related",
//!    "Cookies"…).
//! 5. **Layout.** Paragraphs are separated by exactly one blank line,
//!    lines inside a paragraph by one `\n`; no leading or trailing
//!    whitespace.
//!
//! # Invariants
//!
//! - `clean` is idempotent: `clean(&clean(x, o).text, o).text == clean(x, o).text`
//!   (property-tested). Look-alike decisions depend only on a word and its
//!   line, which the second pass sees unchanged.
//! - Obfuscating clean Latin text (look-alike letters, zero-width
//!   characters, soft hyphens) and cleaning gives the text back, as long as
//!   a line keeps at least one genuine Latin letter (a line made only of
//!   look-alikes is ambiguous and kept).
//! - Cleaning is linear in the input; it never panics. Memory for the
//!   look-alike stage is bounded per batch of 4096 words.
//! - Every span returned by [`sentences`], [`paragraphs`] and [`tokenize`]
//!   is a byte range on `char` boundaries, non-empty, trimmed of
//!   whitespace, in order and non-overlapping.

mod boiler;
mod chars;
mod clean;
mod fold;
mod lang;
mod markers;
mod segment;
mod time;
mod token;

pub use clean::{clean, clean_inline, CleanOptions, Cleaned};
pub use fold::fold_key;
pub use lang::detect_language;
pub use segment::{is_month_abbreviation, paragraphs, sentences};
pub use time::parse_timestamp;
pub use token::{tokenize, Token, TokenKind};
