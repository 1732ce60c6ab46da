//! Publication timestamps: `vigil_text::parse_timestamp`, backed by a small
//! parser of its own for forms seen in page metadata that it may not take
//! (compact `20240215`, Unix seconds or milliseconds as strings).

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// Parses a publication time in any common format: `vigil_text`'s parser
/// first, then [`parse_fallback`].
pub(crate) fn parse_timestamp(raw: &str) -> Option<DateTime<FixedOffset>> {
    vigil_text::parse_timestamp(raw).or_else(|| parse_fallback(raw))
}

/// Parses a publication time in any common format. Times without a zone are
/// taken as UTC; dates without a time as midnight UTC. Returns `None` for
/// anything unrecognised or out of range (years before 1800 or after 2200).
pub(crate) fn parse_fallback(raw: &str) -> Option<DateTime<FixedOffset>> {
    let s = raw.trim();
    if s.is_empty() || s.len() > 100 {
        return None;
    }
    let parsed = parse_inner(s)?;
    let year = chrono::Datelike::year(&parsed);
    (1800..=2200).contains(&year).then_some(parsed)
}

fn utc() -> FixedOffset {
    chrono::Offset::fix(&Utc)
}

fn parse_inner(s: &str) -> Option<DateTime<FixedOffset>> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt);
    }
    if let Ok(dt) = DateTime::parse_from_rfc2822(s) {
        return Some(dt);
    }
    // Unix time in seconds or milliseconds.
    if s.bytes().all(|b| b.is_ascii_digit()) && (9..=13).contains(&s.len()) {
        let n: i64 = s.parse().ok()?;
        let secs = if s.len() >= 12 { n / 1000 } else { n };
        return DateTime::from_timestamp(secs, 0).map(|d| d.fixed_offset());
    }
    // Normalise: "2021-03-08 23:00:34 UTC", "… GMT", "…Z".
    let mut t = s.replace(" UTC", " +0000").replace(" GMT", " +0000");
    if let Some(stripped) = t.strip_suffix('Z') {
        t = format!("{stripped}+0000");
    }
    const ZONED: &[&str] = &[
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M:%S%.f%:z",
        "%Y-%m-%dT%H:%M%z",
        "%Y-%m-%dT%H:%M%:z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f %z",
        "%Y-%m-%d %H:%M:%S%.f%:z",
        "%Y-%m-%d %H:%M %z",
        "%a, %d %b %Y %H:%M:%S %z",
        "%a, %d %b %Y %H:%M %z",
        "%d %b %Y %H:%M:%S %z",
        "%B %d, %Y %H:%M %z",
        "%Y%m%dT%H%M%S%z",
    ];
    for format in ZONED {
        if let Ok(dt) = DateTime::parse_from_str(&t, format) {
            return Some(dt);
        }
    }
    const NAIVE: &[&str] = &[
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
        "%d.%m.%Y %H:%M:%S",
        "%d.%m.%Y %H:%M",
        "%B %d, %Y %H:%M:%S",
        "%B %d, %Y %H:%M",
        "%B %d, %Y %I:%M %p",
        "%B %d, %Y, %I:%M %p",
        "%b %d, %Y %I:%M %p",
        "%b %d, %Y, %I:%M %p",
        "%b %d, %Y %H:%M",
        "%d %B %Y %H:%M",
        "%d %b %Y %H:%M",
        "%A, %B %d, %Y %I:%M %p",
        "%Y%m%dT%H%M%S",
    ];
    for format in NAIVE {
        if let Ok(naive) = NaiveDateTime::parse_from_str(&t, format) {
            return utc().from_local_datetime(&naive).single();
        }
    }
    // Dates alone; strip a leading weekday ("Monday, 8 March 2021").
    let date_text = match t.split_once(", ") {
        Some((first, rest)) if is_weekday(first) => rest.to_string(),
        _ => t.clone(),
    };
    let date_text = date_text.replace("Sept ", "Sep ");
    const DATES: &[&str] = &[
        "%Y-%m-%d",
        "%Y/%m/%d",
        "%Y%m%d",
        "%d.%m.%Y",
        "%B %d, %Y",
        "%B %d %Y",
        "%b %d, %Y",
        "%b %d %Y",
        "%b. %d, %Y",
        "%d %B %Y",
        "%d %b %Y",
        "%d %B, %Y",
        "%d-%b-%Y",
        "%A, %B %d, %Y",
        "%A %d %B %Y",
    ];
    for format in DATES {
        if let Ok(date) = NaiveDate::parse_from_str(&date_text, format) {
            return utc()
                .from_local_datetime(&date.and_time(NaiveTime::MIN))
                .single();
        }
    }
    None
}

fn is_weekday(word: &str) -> bool {
    let w = word.to_ascii_lowercase();
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .any(|d| w.starts_with(d))
        && w.len() <= 9
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(raw: &str) -> Option<String> {
        let fallback = parse_fallback(raw).map(|d| d.to_rfc3339());
        let combined = parse_timestamp(raw).map(|d| d.to_rfc3339());
        assert_eq!(fallback, combined, "{raw}");
        fallback
    }

    #[test]
    fn common_formats() {
        assert_eq!(
            iso("2021-03-08T23:00:34Z").as_deref(),
            Some("2021-03-08T23:00:34+00:00")
        );
        assert_eq!(
            iso("2021-03-08T23:00:34.123+01:00").as_deref(),
            Some("2021-03-08T23:00:34.123+01:00")
        );
        assert_eq!(
            iso("2021-03-08 23:00:34").as_deref(),
            Some("2021-03-08T23:00:34+00:00")
        );
        assert_eq!(
            iso("2021-03-08T23:00:34+0530").as_deref(),
            Some("2021-03-08T23:00:34+05:30")
        );
        assert_eq!(
            iso("2021-03-08").as_deref(),
            Some("2021-03-08T00:00:00+00:00")
        );
        assert_eq!(
            iso("Mon, 08 Mar 2021 23:00:34 GMT").as_deref(),
            Some("2021-03-08T23:00:34+00:00")
        );
        assert_eq!(
            iso("March 8, 2021").as_deref(),
            Some("2021-03-08T00:00:00+00:00")
        );
        assert_eq!(
            iso("8 March 2021").as_deref(),
            Some("2021-03-08T00:00:00+00:00")
        );
        assert_eq!(
            iso("Monday, 8 March 2021").as_deref(),
            Some("2021-03-08T00:00:00+00:00")
        );
        assert_eq!(
            iso("Mar 8, 2021 11:05 PM").as_deref(),
            Some("2021-03-08T23:05:00+00:00")
        );
        assert_eq!(
            iso("1615244434").as_deref(),
            Some("2021-03-08T23:00:34+00:00")
        );
        assert_eq!(
            iso("1615244434000").as_deref(),
            Some("2021-03-08T23:00:34+00:00")
        );
    }

    #[test]
    fn rejects_garbage() {
        for raw in [
            "",
            "yesterday",
            "2021-13-45",
            "0001-01-01",
            "99999999999999999999",
            "not a date at all",
        ] {
            assert_eq!(parse_fallback(raw), None, "{raw}");
            assert_eq!(parse_timestamp(raw), None, "{raw}");
        }
    }
}
