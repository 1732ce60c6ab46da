//! Publication timestamps in the formats news sites use.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone};

const MAX_LEN: usize = 120;

/// Parses a publication time.
///
/// Accepts RFC 3339 / ISO 8601 with or without zone
/// (`2024-03-25T13:10:07+00:00`, `2024-03-25 13:10:07`, `2024-03-25`),
/// RFC 2822 (`Mon, 25 Mar 2024 13:10:07 GMT`), English month names
/// (`March 25, 2024`, `25 March 2024`, `25 Mar 2024 13:10 GMT`,
/// `Monday 25 March 2024 at 1:10 pm`), numeric dates (`2024/03/25`,
/// `25.03.2024`, `25/03/2024` when unambiguous), an optional leading label
/// (`Updated:`, `Published on`, `Posted at`…) and common zone names
/// (GMT, UTC, EST, CET, MSK…). Without a zone the time is taken as UTC;
/// a date alone is midnight UTC. Anything else — unknown words, impossible
/// dates, a time without a date — gives `None`.
pub fn parse_timestamp(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = strip_label(s.trim());
    if s.is_empty() || s.len() > MAX_LEN {
        return None;
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt);
    }
    if let Ok(dt) = DateTime::parse_from_rfc2822(s) {
        return Some(dt);
    }
    generic(s)
}

const LABELS: &[&str] = &[
    "last",
    "first",
    "updated",
    "update",
    "published",
    "posted",
    "modified",
    "created",
    "date",
    "dated",
    "on",
    "at",
    "time",
    "released",
];

/// Removes leading label words ("Last updated:", "Published on").
pub(crate) fn strip_label(mut s: &str) -> &str {
    loop {
        let t = s.trim_start();
        let end = t.find(|c: char| !c.is_alphabetic()).unwrap_or(t.len());
        let word = &t[..end];
        if word.is_empty() || !LABELS.iter().any(|l| l.eq_ignore_ascii_case(word)) {
            return t;
        }
        s = t[end..].trim_start_matches([':', ' ', '-']);
    }
}

#[derive(Default)]
struct Parts {
    year: Option<i32>,
    month: Option<u32>,
    day: Option<u32>,
    time: Option<(u32, u32, u32)>,
    pm: Option<bool>,
    offset: Option<i32>,
    weekday: bool,
}

fn month_from(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let w = word.to_ascii_lowercase();
    let w = w.trim_end_matches('.');
    if w.len() < 3 {
        return None;
    }
    for (i, m) in MONTHS.iter().enumerate() {
        if *m == w || (w.len() == 3 && m.starts_with(w)) || (w == "sept" && i == 8) {
            return Some(i as u32 + 1);
        }
    }
    None
}

fn is_weekday(word: &str) -> bool {
    const DAYS: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let w = word.to_ascii_lowercase();
    let w = w.trim_end_matches('.');
    w.len() >= 3
        && DAYS
            .iter()
            .any(|d| *d == w || (w.len() <= 4 && d.starts_with(w)))
}

/// Zone abbreviation → offset in minutes.
fn zone_from(word: &str) -> Option<i32> {
    let w = word.to_ascii_uppercase();
    let w = w.trim_matches(|c| c == '(' || c == ')');
    let mins = match w {
        "Z" | "GMT" | "UTC" | "UT" | "WET" => 0,
        "BST" | "CET" | "WEST" => 60,
        "CEST" | "EET" => 120,
        "EEST" | "MSK" | "TRT" => 180,
        "GST" => 240,
        "PKT" => 300,
        "JST" | "KST" => 540,
        "EST" => -300,
        "EDT" => -240,
        "CST" => -360,
        "CDT" => -300,
        "MST" => -420,
        "MDT" => -360,
        "PST" => -480,
        "PDT" => -420,
        _ => {
            let rest = w
                .strip_prefix("UTC")
                .or_else(|| w.strip_prefix("GMT"))
                .unwrap_or(w);
            return numeric_offset(rest);
        }
    };
    Some(mins)
}

/// `+03:00`, `+0300`, `-05`, `+3`.
fn numeric_offset(s: &str) -> Option<i32> {
    let mut chars = s.chars();
    let sign = match chars.next()? {
        '+' => 1,
        '-' | '\u{2212}' => -1,
        _ => return None,
    };
    let rest = chars.as_str();
    if !rest.bytes().all(|b| b.is_ascii_digit() || b == b':') || rest.is_empty() {
        return None;
    }
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    let (h, m) = match digits.len() {
        1 | 2 => (digits.parse::<i32>().ok()?, 0),
        4 => (
            digits[..2].parse::<i32>().ok()?,
            digits[2..].parse::<i32>().ok()?,
        ),
        _ => return None,
    };
    if h > 14 || m > 59 {
        return None;
    }
    Some(sign * (h * 60 + m))
}

/// `13:10`, `13:10:07`, `13:10:07.123`, `1:10pm`, `13:10:07+00:00`, `13:10Z`.
fn parse_time(tok: &str, p: &mut Parts) -> Option<()> {
    let lower = tok.to_ascii_lowercase();
    let mut t = lower.as_str();
    for (suffix, pm) in [("a.m.", false), ("p.m.", true), ("am", false), ("pm", true)] {
        if let Some(r) = t.strip_suffix(suffix) {
            p.pm = Some(pm);
            t = r;
            break;
        }
    }
    if let Some(r) = t.strip_suffix('z') {
        p.offset = Some(0);
        t = r;
    }
    if let Some(pos) = t.find(['+', '-']) {
        p.offset = Some(numeric_offset(&t[pos..])?);
        t = &t[..pos];
    }
    let mut it = t.split(':');
    let h: u32 = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    let s: u32 = match it.next() {
        Some(sec) => {
            let whole = sec.split('.').next()?;
            whole.parse().ok()?
        }
        None => 0,
    };
    if it.next().is_some() || p.time.is_some() {
        return None;
    }
    p.time = Some((h, m, s));
    Some(())
}

/// `2024-03-25`, `2024/03/25`, `2024.03.25`, `25.03.2024`, `25-03-2024`,
/// `25/03/2024` (when day and month cannot be confused).
fn parse_numeric_date(tok: &str, p: &mut Parts) -> Option<()> {
    let sep = tok.chars().find(|c| matches!(c, '-' | '/' | '.'))?;
    let parts: Vec<&str> = tok.split(sep).collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|x| x.is_empty() || !x.bytes().all(|b| b.is_ascii_digit()) || x.len() > 4)
    {
        return None;
    }
    let n: Vec<u32> = parts
        .iter()
        .map(|x| x.parse().ok())
        .collect::<Option<Vec<u32>>>()?;
    let (y, m, d) = if parts[0].len() == 4 {
        (n[0], n[1], n[2])
    } else if parts[2].len() == 4 {
        if sep == '/' {
            match (n[0] > 12, n[1] > 12) {
                (true, false) => (n[2], n[1], n[0]),
                (false, true) => (n[2], n[0], n[1]),
                _ if n[0] == n[1] => (n[2], n[1], n[0]),
                _ => return None,
            }
        } else {
            (n[2], n[1], n[0])
        }
    } else {
        return None;
    };
    if p.year.is_some() || p.month.is_some() || p.day.is_some() {
        return None;
    }
    p.year = Some(y as i32);
    p.month = Some(m);
    p.day = Some(d);
    Some(())
}

fn generic(s: &str) -> Option<DateTime<FixedOffset>> {
    let mut p = Parts::default();
    let cleaned: String = s
        .chars()
        .map(|c| {
            if matches!(c, ',' | '|' | '•' | '·' | '–' | '—' | '(' | ')' | '[' | ']') {
                ' '
            } else {
                c
            }
        })
        .collect();
    let mut tokens: Vec<&str> = Vec::new();
    for raw in cleaned.split_whitespace() {
        // ISO date and time glued with 'T'.
        if let Some(pos) = raw.find('T') {
            if pos == 10 && raw.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
                tokens.push(&raw[..pos]);
                tokens.push(&raw[pos + 1..]);
                continue;
            }
        }
        tokens.push(raw);
    }
    if tokens.len() > 12 {
        return None;
    }
    for tok in tokens {
        let lower = tok.to_ascii_lowercase();
        let bare = lower.trim_end_matches('.');
        if matches!(
            bare,
            "at" | "on" | "the" | "of" | "-" | "/" | "h" | "hrs" | "local" | "time"
        ) {
            continue;
        }
        if matches!(
            lower.as_str(),
            "am" | "a.m." | "a.m" | "pm" | "p.m." | "p.m"
        ) {
            if p.pm.is_some() {
                return None;
            }
            p.pm = Some(lower.starts_with('p'));
            continue;
        }
        if let Some(m) = month_from(tok) {
            if p.month.is_some() {
                return None;
            }
            p.month = Some(m);
            continue;
        }
        if is_weekday(tok) {
            if p.weekday {
                return None;
            }
            p.weekday = true;
            continue;
        }
        if tok.contains(':') {
            parse_time(tok, &mut p)?;
            continue;
        }
        let first = tok.as_bytes().first().copied().unwrap_or(b' ');
        if first.is_ascii_digit() {
            if tok.contains(['-', '/', '.']) && tok.trim_end_matches('.').contains(['-', '/', '.'])
            {
                parse_numeric_date(tok, &mut p)?;
                continue;
            }
            let digits = tok.trim_end_matches('.');
            let digits = ["st", "nd", "rd", "th"]
                .iter()
                .find_map(|s| digits.strip_suffix(s))
                .unwrap_or(digits);
            if !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let v: u32 = digits.parse().ok()?;
            if digits.len() == 4 && p.year.is_none() {
                p.year = Some(v as i32);
            } else if digits.len() <= 2
                && p.day.is_none()
                && p.year.is_none()
                && (1..=31).contains(&v)
            {
                p.day = Some(v);
            } else if digits.len() == 2 && p.year.is_none() && p.day.is_some() && p.month.is_some()
            {
                p.year = Some(if v < 50 {
                    2000 + v as i32
                } else {
                    1900 + v as i32
                });
            } else {
                return None;
            }
            continue;
        }
        if let Some(z) = zone_from(tok) {
            if p.offset.is_some() {
                return None;
            }
            p.offset = Some(z);
            continue;
        }
        return None;
    }
    let date = NaiveDate::from_ymd_opt(p.year?, p.month?, p.day?)?;
    if !(1900..=2200).contains(&p.year?) {
        return None;
    }
    let (mut h, m, sec) = p.time.unwrap_or((0, 0, 0));
    if let Some(pm) = p.pm {
        p.time?;
        if !(1..=12).contains(&h) {
            return None;
        }
        h = match (pm, h) {
            (false, 12) => 0,
            (true, 12) => 12,
            (true, h) => h + 12,
            (false, h) => h,
        };
    }
    let time = NaiveTime::from_hms_opt(h, m, sec)?;
    let offset = FixedOffset::east_opt(p.offset.unwrap_or(0) * 60)?;
    offset.from_local_datetime(&date.and_time(time)).single()
}

/// True for a line that is only a timestamp, possibly labelled, or only a
/// time ("Updated 14:05 GMT"), or a relative age ("3 hours ago").
pub(crate) fn is_timestamp_line(line: &str) -> bool {
    let t = line.trim();
    if t.is_empty() || t.len() > 80 {
        return false;
    }
    if parse_timestamp(t).is_some() {
        return true;
    }
    let rest = strip_label(t);
    let labelled = rest.len() < t.len();
    is_time_only(rest) || (labelled && is_relative_age(rest))
}

fn is_time_only(s: &str) -> bool {
    let mut p = Parts::default();
    let mut saw_time = false;
    for tok in s.split_whitespace() {
        let lower = tok.to_ascii_lowercase();
        if matches!(
            lower.as_str(),
            "am" | "a.m." | "pm" | "p.m." | "local" | "time" | "-" | "|"
        ) {
            continue;
        }
        if tok.contains(':') {
            if parse_time(tok, &mut p).is_none() {
                return false;
            }
            saw_time = true;
            continue;
        }
        if zone_from(tok).is_some() && saw_time {
            continue;
        }
        return false;
    }
    saw_time && p.time.is_some_and(|(h, m, s)| h < 24 && m < 60 && s < 61)
}

fn is_relative_age(s: &str) -> bool {
    let toks: Vec<String> = s
        .split_whitespace()
        .map(|t| t.to_ascii_lowercase())
        .collect();
    matches!(toks.as_slice(), [n, unit, ago] if ago == "ago"
        && (n.bytes().all(|b| b.is_ascii_digit()) || n == "a" || n == "an")
        && ["second", "seconds", "minute", "minutes", "min", "mins", "hour", "hours", "hr", "hrs", "day", "days", "week", "weeks"].contains(&unit.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(s: &str) -> String {
        parse_timestamp(s)
            .map(|d| d.to_rfc3339())
            .unwrap_or_else(|| "NONE".into())
    }

    #[test]
    fn formats() {
        assert_eq!(
            iso("2024-03-25T13:10:07+00:00"),
            "2024-03-25T13:10:07+00:00"
        );
        assert_eq!(
            iso("2024-03-25T13:10:07+03:00"),
            "2024-03-25T13:10:07+03:00"
        );
        assert_eq!(iso("2024-03-25 13:10:07"), "2024-03-25T13:10:07+00:00");
        assert_eq!(iso("2024-03-25T13:10:07"), "2024-03-25T13:10:07+00:00");
        assert_eq!(
            iso("2024-03-25 13:10:07+02:00"),
            "2024-03-25T13:10:07+02:00"
        );
        assert_eq!(iso("2024-03-25"), "2024-03-25T00:00:00+00:00");
        // Fractions of a second are dropped.
        assert_eq!(
            iso("2024-03-25 13:10:07.123456"),
            "2024-03-25T13:10:07+00:00"
        );
        assert_eq!(
            iso("2024-03-25 13:10:07-05:00"),
            "2024-03-25T13:10:07-05:00"
        );
        assert_eq!(
            iso("Mon, 25 Mar 2024 13:10:07 GMT"),
            "2024-03-25T13:10:07+00:00"
        );
        assert_eq!(iso("March 25, 2024"), "2024-03-25T00:00:00+00:00");
        assert_eq!(iso("25 March 2024"), "2024-03-25T00:00:00+00:00");
        assert_eq!(iso("25 Mar 2024 13:10 GMT"), "2024-03-25T13:10:00+00:00");
        assert_eq!(iso("2024/03/25"), "2024-03-25T00:00:00+00:00");
        assert_eq!(
            iso("Updated: 25.03.2024 13:10"),
            "2024-03-25T13:10:00+00:00"
        );
        assert_eq!(
            iso("Published on Monday, March 25th, 2024 at 1:10 p.m. EDT"),
            "2024-03-25T13:10:00-04:00"
        );
        assert_eq!(iso("25/03/2024"), "2024-03-25T00:00:00+00:00");
        assert_eq!(iso("3 JAN 90"), "1990-01-03T00:00:00+00:00");
        assert_eq!(iso("Sept. 4, 2023, 12:05 am"), "2023-09-04T00:05:00+00:00");
    }

    #[test]
    fn rejects_nonsense() {
        for s in [
            "",
            "hello",
            "2024-13-45",
            "2024-02-30",
            "03/04/2024",
            "14:05",
            "March 2024",
            "25 March",
            "The attack on 25 March 2024",
            "2024",
            "12",
            "25:61 March 3 2024",
            "13:10 pm 25 March 2024",
            "99999999999999999999-01-01",
        ] {
            assert_eq!(iso(s), "NONE", "{s}");
        }
    }

    #[test]
    fn timestamp_lines() {
        assert!(is_timestamp_line("2024-03-25T13:10:07+00:00"));
        assert!(is_timestamp_line("Updated 14:05 GMT"));
        assert!(is_timestamp_line("Last updated: 3 hours ago"));
        assert!(is_timestamp_line("Updated: 25.03.2024 13:10"));
        assert!(!is_timestamp_line("Officials warn"));
        assert!(!is_timestamp_line("PARIS, March 25 (Reuters) -"));
        assert!(!is_timestamp_line("3 hours ago, gunmen attacked"));
    }
}
