//! One-line titles and plain-text summaries of incidents, shared by the
//! STIX descriptions, the CSV `notes` column and the GeoJSON properties.

use std::fmt::Write as _;

use vigil_core::{EventType, Incident, IncidentEntity, Precision, Stage};

/// "Bombing in Brussels, 2024-03-10", "Foiled plot in Vienna",
/// "Warning (threatened) in Germany".
pub fn title(incident: &Incident) -> String {
    let mut out = String::new();
    let kind = type_words(incident.kind);
    match incident.stage {
        Stage::Accomplished => out.push_str(&capitalize(kind)),
        stage => {
            let _ = write!(out, "{} {kind}", capitalize(stage.as_str()));
        }
    }
    if let Some(place) = &incident.location {
        let _ = write!(out, " in {}", place.name);
    }
    if let Some(date) = date_text(incident) {
        let _ = write!(out, ", {date}");
    }
    out
}

/// A plain-text summary: what, where, when, who, counts, sources.
///
/// "Bombing (accomplished) in Brussels (BE) on 2024-03-10. Perpetrators:
/// Islamic State Khorasan Province. Targets: a church. Victims: 12 people.
/// Weapons: bomb. 2 killed, 3 injured. Reported by 2 sources: Reuters, AP."
/// An arrest says what it holds people for: "… 5 arrested. Held for:
/// attack. …".
pub fn summary(incident: &Incident) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "{} ({})",
        capitalize(type_words(incident.kind)),
        incident.stage.as_str()
    );
    if let Some(place) = &incident.location {
        let _ = write!(out, " in {}", place.name);
        if let Some(geo) = &place.geo {
            if !geo.country.is_empty() && geo.country != place.name {
                let _ = write!(out, " ({})", geo.country);
            }
        }
    }
    match date_text(incident) {
        Some(date) => {
            let _ = write!(out, " on {date}.");
        }
        None => out.push('.'),
    }
    for (label, list) in [
        ("Perpetrators", &incident.perpetrators),
        ("Targets", &incident.targets),
        ("Victims", &incident.victims),
        ("Weapons", &incident.weapons),
    ] {
        if !list.is_empty() {
            let _ = write!(out, " {label}: {}.", names(list));
        }
    }
    let counts = casualties(
        incident.killed,
        incident.fatal,
        incident.injured,
        incident.arrested,
    );
    if !counts.is_empty() {
        let _ = write!(out, " {counts}.");
    }
    if let Some(crime) = incident.crime {
        let _ = write!(out, " Held for: {}.", type_words(crime));
    }
    for d in &incident.disagreements {
        let values: Vec<&str> = d.values.iter().map(|v| v.value.as_str()).collect();
        let _ = write!(
            out,
            " Sources disagree on {}: {}.",
            d.field,
            values.join(" / ")
        );
    }
    let outlets = outlets(incident);
    let n = incident.sources.len();
    let _ = write!(
        out,
        " Reported by {n} source{}",
        if n == 1 { "" } else { "s" }
    );
    if outlets.is_empty() {
        out.push('.');
    } else {
        let _ = write!(out, ": {}.", outlets.join(", "));
    }
    out
}

/// "3 killed, 12 injured, 2 arrested"; "deaths reported (no toll), 4
/// injured" when a source tells of deaths without counting them (`fatal`
/// without `killed`); empty when nothing is known.
pub fn casualties(
    killed: Option<u32>,
    fatal: bool,
    injured: Option<u32>,
    arrested: Option<u32>,
) -> String {
    let mut parts = Vec::new();
    match killed {
        Some(k) => parts.push(format!("{k} killed")),
        None if fatal => parts.push("deaths reported (no toll)".to_string()),
        None => {}
    }
    for (value, word) in [(injured, "injured"), (arrested, "arrested")] {
        if let Some(v) = value {
            parts.push(format!("{v} {word}"));
        }
    }
    parts.join(", ")
}

/// The distinct outlets of the sources, in order.
pub(crate) fn outlets(incident: &Incident) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for s in &incident.sources {
        if let Some(o) = s.source.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
            if !out.contains(&o) {
                out.push(o);
            }
        }
    }
    out
}

/// The distinct source URLs, in order.
pub(crate) fn urls(incident: &Incident) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for s in &incident.sources {
        if let Some(u) = s.url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            if !out.contains(&u) {
                out.push(u);
            }
        }
    }
    out
}

/// Names joined by "; ", without repeats.
pub(crate) fn names(list: &[IncidentEntity]) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for e in list {
        if !seen.contains(&e.name.as_str()) {
            seen.push(&e.name);
        }
    }
    seen.join("; ")
}

/// `2024-03-10`, `2024-03-10..2024-03-12`, `2024-03`, `2024`.
pub(crate) fn date_text(incident: &Incident) -> Option<String> {
    let d = incident.date.as_ref()?;
    Some(match d.precision {
        Precision::Year => d.start.format("%Y").to_string(),
        Precision::Month
            if d.start.format("%Y-%m").to_string() == d.end.format("%Y-%m").to_string() =>
        {
            d.start.format("%Y-%m").to_string()
        }
        _ if d.start == d.end => d.start.format("%Y-%m-%d").to_string(),
        _ => format!(
            "{}..{}",
            d.start.format("%Y-%m-%d"),
            d.end.format("%Y-%m-%d")
        ),
    })
}

/// The type in words: "hostage taking", "vehicle ramming".
pub(crate) fn type_words(kind: EventType) -> &'static str {
    match kind {
        EventType::HostageTaking => "hostage taking",
        EventType::VehicleRamming => "vehicle ramming",
        other => other.as_str(),
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    #[test]
    fn titles_and_summaries_say_what_where_when() {
        let i = testing::bombing();
        assert_eq!(title(&i), "Bombing in Brussels, 2024-03-10");
        let s = summary(&i);
        assert!(
            s.starts_with("Bombing (accomplished) in Brussels (BE) on 2024-03-10."),
            "{s}"
        );
        assert!(
            s.contains("Perpetrators: Islamic State Khorasan Province; gunmen."),
            "{s}"
        );
        assert!(s.contains("2 killed, 3 injured."), "{s}");
        assert!(s.contains("Sources disagree on killed: 2 / 3."), "{s}");
        assert!(
            s.ends_with("Reported by 2 sources: Reuters, Le Soir."),
            "{s}"
        );

        let w = testing::warning();
        assert_eq!(title(&w), "Threatened warning in Germany");
        assert!(summary(&w).ends_with("Reported by 1 source."));
    }

    #[test]
    fn deaths_told_without_a_toll_are_said_so() {
        assert_eq!(
            casualties(Some(2), true, Some(3), None),
            "2 killed, 3 injured"
        );
        assert_eq!(
            casualties(None, true, Some(3), None),
            "deaths reported (no toll), 3 injured"
        );
        assert_eq!(casualties(None, false, None, Some(4)), "4 arrested");
        assert_eq!(casualties(Some(0), false, None, None), "0 killed");
        let mut i = testing::bombing();
        i.killed = None;
        i.disagreements.clear();
        i.fatal = true;
        assert!(
            summary(&i).contains(" deaths reported (no toll), 3 injured."),
            "{}",
            summary(&i)
        );
    }
}
