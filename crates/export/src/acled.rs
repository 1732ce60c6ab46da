//! vigil's event types mapped to ACLED's event and sub-event types.
//!
//! ACLED (Armed Conflict Location & Event Data) codes six event types:
//! Battles, Explosions/Remote violence, Violence against civilians,
//! Protests, Riots and Strategic developments, each with fixed sub-event
//! types. vigil reads terrorism and political violence from the news, so
//! only three of them occur. The table (also in `docs/export.md`):
//!
//! | vigil type (stage) | ACLED event_type | ACLED sub_event_type |
//! |---|---|---|
//! | bombing (accomplished, attempted) | Explosions/Remote violence | Suicide bomb when a perpetrator or weapon says "suicide"; Air/drone strike for a drone; Grenade for a grenade; else Remote explosive/landmine/IED |
//! | attack, shooting, stabbing, vehicle_ramming, assassination (accomplished, attempted) | Violence against civilians | Attack |
//! | kidnapping, hostage_taking (accomplished, attempted) | Violence against civilians | Abduction/forced disappearance |
//! | arson, robbery (accomplished, attempted) | Strategic developments | Looting/property destruction |
//! | any violent type foiled, and plot (foiled) | Strategic developments | Disrupted weapons use |
//! | plot (planned, threatened), any violent type planned or threatened | Strategic developments | Other |
//! | arrest; raid with arrests | Strategic developments | Arrests |
//! | raid without arrests, conviction, warning, claim | Strategic developments | Other |
//!
//! vigil cannot tell an attack on civilians from a clash between armed
//! forces, so armed attacks all map to "Violence against civilians";
//! filter on vigil's own `type` column when that matters.

use vigil_core::{EventType, Incident, Precision, Stage};

/// ACLED's event types vigil uses.
pub const EXPLOSIONS: &str = "Explosions/Remote violence";
pub const VIOLENCE_AGAINST_CIVILIANS: &str = "Violence against civilians";
pub const STRATEGIC: &str = "Strategic developments";

/// ACLED `event_type` and `sub_event_type` for an incident.
pub fn event_types(incident: &Incident) -> (&'static str, &'static str) {
    use EventType::*;
    let violent = incident.kind.is_violent();
    match incident.stage {
        Stage::Foiled if violent || incident.kind == Plot => {
            return (STRATEGIC, "Disrupted weapons use")
        }
        Stage::Planned | Stage::Threatened if violent || incident.kind == Plot => {
            return (STRATEGIC, "Other")
        }
        _ => {}
    }
    match incident.kind {
        Bombing => (EXPLOSIONS, bombing_sub_type(incident)),
        Attack | Shooting | Stabbing | VehicleRamming | Assassination => {
            (VIOLENCE_AGAINST_CIVILIANS, "Attack")
        }
        Kidnapping | HostageTaking => {
            (VIOLENCE_AGAINST_CIVILIANS, "Abduction/forced disappearance")
        }
        Arson | Robbery => (STRATEGIC, "Looting/property destruction"),
        Plot => (STRATEGIC, "Disrupted weapons use"),
        Arrest => (STRATEGIC, "Arrests"),
        Raid if incident.arrested.is_some_and(|n| n > 0) => (STRATEGIC, "Arrests"),
        Raid | Conviction | Warning | Claim => (STRATEGIC, "Other"),
    }
}

fn bombing_sub_type(incident: &Incident) -> &'static str {
    let mentions = |word: &str| {
        incident
            .perpetrators
            .iter()
            .chain(&incident.weapons)
            .any(|e| e.name.to_lowercase().contains(word))
    };
    if mentions("suicide") {
        "Suicide bomb"
    } else if mentions("drone") {
        "Air/drone strike"
    } else if mentions("grenade") {
        "Grenade"
    } else {
        "Remote explosive/landmine/IED"
    }
}

/// ACLED `time_precision`: 1 the day is known, 2 a range of days within a
/// week, 3 a month, a year, a longer range, or no date at all (the export
/// then uses the first publication date).
pub fn time_precision(incident: &Incident) -> u8 {
    match &incident.date {
        Some(d) if d.precision == Precision::Day && d.start == d.end => 1,
        Some(d) if d.precision == Precision::Day && (d.end - d.start).num_days() <= 7 => 2,
        _ => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    #[test]
    fn types_map_by_kind_and_stage() {
        let mut i = testing::bombing();
        assert_eq!(
            event_types(&i),
            (EXPLOSIONS, "Remote explosive/landmine/IED")
        );
        i.perpetrators[1].name = "a suicide bomber".into();
        assert_eq!(event_types(&i), (EXPLOSIONS, "Suicide bomb"));
        i.stage = Stage::Foiled;
        assert_eq!(event_types(&i), (STRATEGIC, "Disrupted weapons use"));
        i.kind = EventType::Kidnapping;
        i.stage = Stage::Accomplished;
        assert_eq!(
            event_types(&i),
            (VIOLENCE_AGAINST_CIVILIANS, "Abduction/forced disappearance")
        );
        i.kind = EventType::Raid;
        i.arrested = Some(3);
        assert_eq!(event_types(&i), (STRATEGIC, "Arrests"));
        assert_eq!(event_types(&testing::warning()), (STRATEGIC, "Other"));
        assert_eq!(
            event_types(&testing::bare_plot()),
            (STRATEGIC, "Disrupted weapons use")
        );
    }

    #[test]
    fn precision_follows_the_date() {
        assert_eq!(time_precision(&testing::bombing()), 1);
        assert_eq!(time_precision(&testing::warning()), 3);
        let mut i = testing::bombing();
        if let Some(d) = i.date.as_mut() {
            d.end = d.start + chrono::Days::new(3);
        }
        assert_eq!(time_precision(&i), 2);
    }
}
