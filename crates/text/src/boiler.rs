//! Line-level boilerplate: repeated titles, timestamp lines, site chrome.

use chrono::{DateTime, FixedOffset};
use vigil_core::CleaningKind;

use crate::fold::fold_key;
use crate::time::{is_timestamp_line, parse_timestamp};

pub(crate) struct Boilerplate {
    /// One flag per line: keep it.
    pub(crate) keep: Vec<bool>,
    /// Dropped lines, in the order found.
    pub(crate) dropped: Vec<(usize, CleaningKind)>,
    pub(crate) title: Option<String>,
    /// The author named by a byline ("By Claire Dumont | 14 June 2025")
    /// near the top; the byline is dropped.
    pub(crate) author: Option<String>,
    pub(crate) timestamp: Option<DateTime<FixedOffset>>,
}

/// How many non-empty lines count as "the top" for titles and timestamps.
const TOP_LINES: usize = 6;
/// At most this many title lines (with their repeats) are dropped at the top.
const MAX_TITLE_ROUNDS: usize = 16;
/// Longest line that can be a title.
const MAX_TITLE_CHARS: usize = 300;

fn word_count(s: &str) -> usize {
    s.split_whitespace().count()
}

/// True when the line ends like a sentence (`.`, `!`, `?`, `…`, optionally
/// followed by closing quotes or brackets).
pub(crate) fn ends_sentence(line: &str) -> bool {
    let t = line.trim_end_matches(['"', '\'', '”', '’', '»', ')', ']', ' ']);
    t.ends_with(['.', '!', '?', '…', '。', '！', '？'])
}

/// Words that only site chrome uses in a short trailing line.
const CHROME_WORDS: &[&str] = &[
    "share",
    "follow",
    "subscribe",
    "subscribed",
    "subscription",
    "newsletter",
    "newsletters",
    "advertisement",
    "advertisements",
    "advertising",
    "sponsored",
    "cookie",
    "cookies",
    "copyright",
    "privacy",
    "live",
    "radio",
    "icon",
    "podcast",
    "podcasts",
    "listen",
    "watch",
    "video",
    "videos",
    "tags",
    "topics",
    "comments",
    "print",
    "email",
    "facebook",
    "twitter",
    "whatsapp",
    "telegram",
    "instagram",
    "youtube",
    "linkedin",
    "tiktok",
    "reddit",
    "home",
    "menu",
    "login",
    "signup",
    "download",
    "related",
    "trending",
    "recommended",
    "loading",
    "tweet",
    "rss",
];

const CHROME_PHRASES: &[&str] = &[
    "read more",
    "read also",
    "also read",
    "all rights reserved",
    "sign up",
    "sign in",
    "log in",
    "contact us",
    "about us",
    "terms of use",
    "terms of service",
    "back to top",
    "you may also like",
    "most read",
    "most popular",
    "more stories",
    "skip to",
];

/// Line beginnings that are chrome wherever they appear (short lines only).
const CHROME_STARTS: &[&str] = &[
    "share on ",
    "share this",
    "share via",
    "share article",
    "follow us",
    "follow @",
    "subscribe to ",
    "subscribe now",
    "click here",
    "tap here",
    "sign up for ",
    "sign up to ",
    "read more",
    "read also",
    "also read",
    "related:",
    "related articles",
    "related stories",
    "related news",
    "related content",
    "related topics",
    "advertisement",
    "sponsored content",
    "scroll to continue",
    "story continues below",
    "continue reading",
    "we use cookies",
    "this site uses cookies",
    "this website uses cookies",
    "accept cookies",
    "cookie policy",
    "cookie settings",
    "skip to content",
    "skip to main content",
    "download the app",
    "get the app",
    "join our telegram",
    "join our whatsapp",
    "©",
    "copyright ©",
    "copyright (c)",
];

const CHROME_EXACT: &[&str] = &[
    "share",
    "tweet",
    "advertisement",
    "ad",
    "print",
    "email",
    "comments",
    "menu",
    "subscribe",
    "newsletter",
    "related",
];

fn words_of(key: &str) -> impl Iterator<Item = &str> {
    key.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// Chrome that is unmistakable anywhere in the text.
pub(crate) fn is_unmistakable_chrome(line: &str) -> bool {
    if line.split_whitespace().nth(12).is_some() {
        return false;
    }
    let key = fold_key(line);
    let bare = key.trim_end_matches(|c: char| !c.is_alphanumeric());
    CHROME_EXACT.contains(&bare)
        || CHROME_STARTS.iter().any(|s| key.starts_with(s))
        || key.contains("all rights reserved")
}

fn has_chrome_vocabulary(line: &str) -> bool {
    if line.contains('©') {
        return true;
    }
    let key = fold_key(line);
    words_of(&key).any(|w| CHROME_WORDS.contains(&w))
        || CHROME_PHRASES.iter().any(|p| contains_phrase(&key, p))
}

fn contains_phrase(key: &str, phrase: &str) -> bool {
    key.match_indices(phrase).any(|(i, _)| {
        let before_ok = key[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let after_ok = key[i + phrase.len()..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric());
        before_ok && after_ok
    })
}

/// Title key: folded, trailing ellipsis removed.
fn title_key(s: &str) -> String {
    let k = fold_key(s);
    k.trim_end_matches(['…', '.', ' ']).to_string()
}

/// Same title, allowing one of the two to be cut off.
fn same_title(a: &str, b: &str) -> bool {
    if a.is_empty() || b.is_empty() {
        return false;
    }
    if a == b {
        return true;
    }
    let (short, long) = if a.len() < b.len() { (a, b) } else { (b, a) };
    short.chars().count() >= 12 && long.starts_with(short)
}

/// The first line matches the metadata title: equal, a cut-off prefix of it,
/// or the title followed by a short site suffix ("Title | Site").
fn matches_given_title(line_key: &str, title_key: &str) -> bool {
    if line_key.is_empty() || title_key.is_empty() {
        return false;
    }
    if line_key == title_key {
        return true;
    }
    if title_key.starts_with(line_key)
        && line_key.chars().count() >= title_key.chars().count().min(12)
    {
        return true;
    }
    if let Some(rest) = line_key.strip_prefix(title_key) {
        let rest = rest.trim_start();
        return rest.starts_with(['|', '-', ':', '/']) && word_count(rest) <= 6;
    }
    false
}

pub(crate) fn find_boilerplate(lines: &[String], given_title: Option<&str>) -> Boilerplate {
    let mut keep = vec![true; lines.len()];
    let mut dropped = Vec::new();
    let mut timestamp = None;

    // Timestamp lines anywhere; the first parseable one near the top is the
    // document's timestamp. Unmistakable chrome anywhere.
    let mut seen_nonempty = 0usize;
    for (i, line) in lines.iter().enumerate() {
        if line.is_empty() {
            continue;
        }
        seen_nonempty += 1;
        if is_timestamp_line(line) {
            if timestamp.is_none() && seen_nonempty <= TOP_LINES {
                timestamp = parse_timestamp(line);
            }
            keep[i] = false;
            dropped.push((i, CleaningKind::Timestamp));
        } else if is_unmistakable_chrome(line) {
            keep[i] = false;
            dropped.push((i, CleaningKind::Boilerplate));
        }
    }

    // Titles at the top, until none is left.
    let given_key = given_title.map(|t| title_key(&crate::clean::clean_inline(t)));
    let mut title: Option<String> = given_title
        .map(crate::clean::clean_inline)
        .filter(|t| !t.is_empty());
    let mut found_title: Option<String> = None;
    let mut cursor = 0usize;
    for _round in 0..MAX_TITLE_ROUNDS {
        while cursor < lines.len() && (!keep[cursor] || lines[cursor].is_empty()) {
            cursor += 1;
        }
        let live: Vec<usize> = (cursor..lines.len())
            .filter(|&i| keep[i] && !lines[i].is_empty())
            .take(TOP_LINES + 1)
            .collect();
        let Some((&first, rest)) = live.split_first() else {
            break;
        };
        let line = &lines[first];
        if line.chars().count() > MAX_TITLE_CHARS {
            break;
        }
        let key = title_key(line);
        if let Some(g) = &given_key {
            if matches_given_title(&key, g) {
                keep[first] = false;
                dropped.push((first, CleaningKind::Boilerplate));
                continue;
            }
        }
        let repeats: Vec<usize> = rest
            .iter()
            .copied()
            .filter(|&j| {
                lines[j].len() <= MAX_TITLE_CHARS * 4 && same_title(&key, &title_key(&lines[j]))
            })
            .collect();
        if repeats.is_empty() {
            break;
        }
        let mut best = line.clone();
        keep[first] = false;
        dropped.push((first, CleaningKind::Boilerplate));
        for j in repeats {
            if lines[j].chars().count() > best.chars().count() {
                best = lines[j].clone();
            }
            keep[j] = false;
            dropped.push((j, CleaningKind::Boilerplate));
        }
        if found_title.is_none() {
            found_title = Some(best);
        }
    }
    if title.is_none() {
        title = found_title;
    }
    // A byline near the top: its name is the author, the line is chrome.
    let mut author = None;
    let top: Vec<usize> = (0..lines.len())
        .filter(|&i| keep[i] && !lines[i].is_empty())
        .take(3)
        .collect();
    for &i in &top {
        if let Some(name) = byline(&lines[i]) {
            author = Some(name);
            keep[i] = false;
            dropped.push((i, CleaningKind::Boilerplate));
            break;
        }
    }
    // Else a heading: a short first line standing alone above the text, not
    // ended like a sentence, is the title (and stays in the text).
    if title.is_none() {
        if let Some(&first) = top.iter().find(|&&i| keep[i]) {
            let line = &lines[first];
            let alone = lines.get(first + 1).is_some_and(String::is_empty);
            let more = (first + 1..lines.len()).any(|j| keep[j] && !lines[j].is_empty());
            let words = word_count(line);
            let ended = line
                .trim_end()
                .ends_with(['.', ';', ',', '-', '\u{2014}', ':']);
            if alone && more && (2..=25).contains(&words) && line.chars().count() <= 200 && !ended {
                title = Some(line.clone());
            }
        }
    }

    // Trailing chrome: short unpunctuated lines at the end that repeat a
    // nearby line (or the title) or use chrome vocabulary.
    let title_k = title.as_deref().map(title_key);
    let mut dropped_tail: Vec<String> = Vec::new();
    let mut idx = lines.len();
    while idx > 0 {
        idx -= 1;
        if !keep[idx] || lines[idx].is_empty() {
            continue;
        }
        let line = &lines[idx];
        let short = line.len() <= 240 && line.chars().count() <= 60 && word_count(line) <= 8;
        if !short || ends_sentence(line) {
            break;
        }
        let key = fold_key(line);
        let no_letters = !line.chars().any(char::is_alphanumeric);
        let dup_below = dropped_tail.contains(&key);
        let dup_title = title_k.as_deref() == Some(title_key(line).as_str());
        let dup_above = (idx.saturating_sub(64)..idx)
            .rev()
            .filter(|&j| keep[j] && !lines[j].is_empty())
            .take(5)
            .any(|j| lines[j].len() <= 240 && fold_key(&lines[j]) == key);
        if no_letters || dup_below || dup_title || dup_above || has_chrome_vocabulary(line) {
            keep[idx] = false;
            dropped.push((idx, CleaningKind::Boilerplate));
            dropped_tail.push(key);
        } else {
            break;
        }
    }
    Boilerplate {
        keep,
        dropped,
        title,
        author,
        timestamp,
    }
}

/// The name in a byline: "By Claire Dumont", "By Claire Dumont | 14 June
/// 2025", "By Ana Ruiz and Tom Hale, Reuters". `None` for any other line.
fn byline(line: &str) -> Option<String> {
    let rest = line
        .strip_prefix("By ")
        .or_else(|| line.strip_prefix("by "))
        .or_else(|| line.strip_prefix("BY "))?;
    // The names end at a separator.
    let end = rest
        .find(['|', ',', '\u{2014}', '\u{2013}', '(', '/', '\u{b7}'])
        .or_else(|| rest.find(" - "))
        .unwrap_or(rest.len());
    let names = rest[..end].trim();
    let words: Vec<&str> = names.split_whitespace().collect();
    let name_word = |w: &&str| {
        w.chars().next().is_some_and(char::is_uppercase)
            && w.chars()
                .all(|c| c.is_alphabetic() || matches!(c, '.' | '-' | '\''))
    };
    let ok = (2..=9).contains(&words.len())
        && words.iter().all(|w| name_word(w) || *w == "and")
        && words.first().is_some_and(name_word)
        && words.last().is_some_and(name_word)
        && line.chars().count() <= 120;
    ok.then(|| names.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &str) -> Vec<String> {
        s.split('\n').map(str::to_string).collect()
    }

    #[test]
    fn chrome_predicates() {
        assert!(is_unmistakable_chrome("Share on Facebook"));
        assert!(is_unmistakable_chrome("Click here to subscribe"));
        assert!(is_unmistakable_chrome(
            "© 2024 Example News. All rights reserved."
        ));
        assert!(is_unmistakable_chrome("ADVERTISEMENT"));
        assert!(!is_unmistakable_chrome("Officials warn"));
        assert!(!is_unmistakable_chrome("What is ISIS-Khorasan?"));
        assert!(!is_unmistakable_chrome(
            "Related attacks took place in Kabul and Herat last year, officials said."
        ));
        assert!(has_chrome_vocabulary("Radio radio icon"));
        assert!(has_chrome_vocabulary("Shafaq Live"));
        assert!(!has_chrome_vocabulary("Sleeper cells in Europe"));
    }

    #[test]
    fn title_and_trailing() {
        let l = lines("Big news in\n\nBig news in\n2024-03-25\n\nBody text here.\n\nOfficials warn\n\nMore body.\nFollow us\nFollow us\n|");
        let b = find_boilerplate(&l, None);
        assert_eq!(b.title.as_deref(), Some("Big news in"));
        assert!(b.timestamp.is_some());
        let kept: Vec<&str> = l
            .iter()
            .zip(&b.keep)
            .filter(|(s, k)| **k && !s.is_empty())
            .map(|(s, _)| s.as_str())
            .collect();
        assert_eq!(kept, ["Body text here.", "Officials warn", "More body."]);
    }

    #[test]
    fn given_title_prefix_dropped() {
        let l = lines("Warnings of ISIS-K attacks in\nBody text.");
        let b = find_boilerplate(
            &l,
            Some("Warnings of ISIS-K attacks in Russia, Iran signal threat to Europe"),
        );
        assert_eq!(b.keep, [false, true]);
        assert_eq!(
            b.title.as_deref(),
            Some("Warnings of ISIS-K attacks in Russia, Iran signal threat to Europe")
        );
    }

    #[test]
    fn single_heading_is_the_title_and_stays() {
        let l = lines("Officials warn\n\nThe threat is real.");
        let b = find_boilerplate(&l, None);
        assert_eq!(b.keep, [true, true, true]);
        assert_eq!(b.title.as_deref(), Some("Officials warn"));
        // Not a sentence, nor a line running on into the text, nor the
        // whole text.
        for text in [
            "The threat is real.\n\nOfficials said so.",
            "LIMA, 14 MAR 91 (EFE) --\n\nA bomb exploded.",
            "Officials warn\nthat the threat is real.",
            "Officials warn",
        ] {
            assert!(
                find_boilerplate(&lines(text), None).title.is_none(),
                "{text}"
            );
        }
    }

    #[test]
    fn byline_is_the_author_and_dropped() {
        let l = lines("Knife attack in Lyon\n\nBy Claire Dumont | 14 June 2025\n\nTwo died.");
        let b = find_boilerplate(&l, None);
        assert_eq!(b.author.as_deref(), Some("Claire Dumont"));
        assert_eq!(b.keep, [true, true, false, true, true]);
        assert_eq!(b.title.as_deref(), Some("Knife attack in Lyon"));
        assert_eq!(
            byline("By Ana Ruiz and Tom Hale, Reuters").as_deref(),
            Some("Ana Ruiz and Tom Hale")
        );
        for line in [
            "By the time police arrived, two were dead.",
            "By Friday",
            "Bystanders fled.",
        ] {
            assert_eq!(byline(line), None, "{line}");
        }
    }
}
