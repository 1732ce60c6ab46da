//! Wires the stages together: clean → segment → entities → dates → quotes
//! → events → citations.

use chrono::{DateTime, FixedOffset, NaiveTime};
use vigil_core::{Analysis, Document, EntityType, Slot};
use vigil_text::CleanOptions;

use crate::context::Ctx;
use crate::resources::{ResourceError, Resources};
use crate::{dates, entities, events, quotes};

/// Errors building a pipeline (loading gazetteers or models).
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Resources(#[from] ResourceError),
}

/// The analysis pipeline. Build it once (it loads the gazetteers, about
/// 100 ms), then analyse any number of documents from any number of threads:
/// `&Pipeline` is `Sync` and `analyze` never fails.
pub struct Pipeline {
    res: Resources,
}

impl Pipeline {
    /// Loads the embedded gazetteers, knowledge base and lexicons.
    pub fn new() -> Result<Pipeline, PipelineError> {
        Ok(Pipeline {
            res: Resources::embedded()?,
        })
    }

    /// The loaded resources (gazetteer, knowledge base, lexicons).
    pub fn resources(&self) -> &Resources {
        &self.res
    }

    /// Analyses one document. Never fails: what cannot be read is left out.
    pub fn analyze(&self, doc: &Document) -> Analysis {
        self.analyze_with(doc, None)
    }

    /// Like [`analyze`](Pipeline::analyze), with a publication time to use
    /// when neither the document, its text nor its dateline gives one
    /// (`published_from` is then `"default"`).
    pub fn analyze_with(
        &self,
        doc: &Document,
        default_published: Option<DateTime<FixedOffset>>,
    ) -> Analysis {
        let options = CleanOptions {
            title: doc.title.as_deref(),
            ..CleanOptions::default()
        };
        let cleaned = vigil_text::clean(&doc.text, &options);
        let text = cleaned.text;
        let title = doc
            .title
            .as_deref()
            .map(vigil_text::clean_inline)
            .or(cleaned.title);
        let (mut published, mut published_from) = match (doc.published, cleaned.timestamp) {
            (Some(p), _) => (Some(p), Some("input")),
            (None, Some(t)) => (Some(t), Some("text")),
            (None, None) => (None, None),
        };
        if published.is_none() {
            // A dateline ("LIMA, 14 MAR 91 (EFE) --") or a dropped "Last
            // updated: 20 May 2024" line in the raw header.
            if let Some(d) = dateline_date(&text).or_else(|| header_date(&doc.text)) {
                published = Some(d);
                published_from = Some("text");
            } else if let Some(d) = default_published {
                published = Some(d);
                published_from = Some("default");
            }
        }
        let anchor = published.map(|p| p.date_naive());
        let ctx = Ctx::new(&text);
        let ents = entities::extract(&ctx, &self.res);
        let mut found_dates = dates::find_dates(&text, anchor);
        // The dateline's date is the report's, not an event's.
        if let Some(dateline) = &ctx.dateline {
            found_dates.retain(|d| !dateline.contains(&d.span.start));
        }
        let quotes = quotes::quotes(&ctx, &ents);
        let events = events::extract(&ctx, &self.res, &ents, &found_dates, &quotes);
        let outlet = article_outlet(&ctx, &ents, doc.source.as_deref());
        let citations = quotes::citations(&ctx, &ents, outlet);
        Analysis {
            id: doc.id.clone(),
            title,
            source: doc.source.clone(),
            url: doc.url.clone(),
            author: doc.author.clone().or(cleaned.author),
            published,
            published_from: published_from.map(str::to_string),
            language: vigil_text::detect_language(&text).to_string(),
            cleaning: cleaned.report,
            sentences: ctx.sentences.clone(),
            entities: ents.list,
            events,
            quotes,
            citations,
            dates: found_dates.into_iter().map(|d| d.value).collect(),
            text,
        }
    }
}

/// An absolute date in the first line's dateline ("LIMA, 14 MAR 91 (EFE) --").
fn dateline_date(text: &str) -> Option<DateTime<FixedOffset>> {
    let head = head_chars(text, 120);
    let marker = head
        .find(" -- ")
        .or_else(|| head.find(" - "))
        .or_else(|| head.find(") "))?;
    first_full_date(&head[..marker])
}

/// The first full date in the first lines of the raw text (a dropped
/// "Last updated: 20 May 2024" line).
fn header_date(raw: &str) -> Option<DateTime<FixedOffset>> {
    first_full_date(head_chars(raw, 400))
}

/// The first `n` characters of `text`.
fn head_chars(text: &str, n: usize) -> &str {
    let end = text.char_indices().nth(n).map_or(text.len(), |(i, _)| i);
    &text[..end]
}

/// The first date of day precision in `text`, as midnight UTC.
fn first_full_date(text: &str) -> Option<DateTime<FixedOffset>> {
    let found = dates::find_dates(text, None);
    let d = found
        .iter()
        .find(|d| d.value.precision == vigil_core::Precision::Day)?;
    let utc = FixedOffset::east_opt(0)?;
    d.value
        .start
        .and_time(NaiveTime::MIN)
        .and_local_timezone(utc)
        .single()
}

/// The outlet publishing the article: the record's `source` when it names a
/// known outlet, else an outlet named in the first line ("Shafaq News/ …").
fn article_outlet(ctx: &Ctx, ents: &entities::Entities, source: Option<&str>) -> Option<Slot> {
    let outlets = || {
        ents.list
            .iter()
            .filter(|e| e.kind == EntityType::MediaOutlet)
    };
    if let Some(src) = source {
        if let Some(e) = outlets().find(|e| {
            e.name.eq_ignore_ascii_case(src)
                || e.aliases.iter().any(|a| a.eq_ignore_ascii_case(src))
        }) {
            return Some(Slot {
                text: e.name.clone(),
                entity: Some(e.id.clone()),
                span: None,
            });
        }
        return Some(Slot {
            text: src.to_string(),
            entity: None,
            span: None,
        });
    }
    let first_line_end = ctx.text.find('\n').unwrap_or(ctx.text.len()).min(80);
    outlets()
        .find(|e| {
            e.mentions
                .first()
                .is_some_and(|m| m.start < first_line_end && m.start < 40)
        })
        .map(|e| Slot {
            text: e.name.clone(),
            entity: Some(e.id.clone()),
            span: None,
        })
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use vigil_core::{Document, EntityType, EventType, Precision};

    use super::Pipeline;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    fn pipeline() -> &'static Pipeline {
        static PIPELINE: std::sync::OnceLock<Pipeline> = std::sync::OnceLock::new();
        PIPELINE.get_or_init(|| Pipeline::new().expect("embedded resources load"))
    }

    #[test]
    fn the_analysis_lists_the_texts_dates_resolved_against_the_dateline() {
        let doc = Document {
            id: "d".into(),
            text: "LIMA, 14 MAR 91 (EFE) -- A car bomb exploded yesterday outside \
                   the Interior Ministry. On 2 February police had arrested two \
                   suspects, and in 1989 a similar attack killed three people."
                .into(),
            ..Default::default()
        };
        let a = pipeline().analyze(&doc);
        assert_eq!(a.published.map(|p| p.date_naive()), Some(day(1991, 3, 14)));
        let found: Vec<(&str, NaiveDate, NaiveDate, Precision, bool)> = a
            .dates
            .iter()
            .map(|d| (d.text.as_str(), d.start, d.end, d.precision, d.relative))
            .collect();
        // The dateline's own date is `published`, not one of the text's.
        assert_eq!(
            found,
            [
                (
                    "yesterday",
                    day(1991, 3, 13),
                    day(1991, 3, 13),
                    Precision::Day,
                    true
                ),
                (
                    "2 February",
                    day(1991, 2, 2),
                    day(1991, 2, 2),
                    Precision::Day,
                    true
                ),
                (
                    "1989",
                    day(1989, 1, 1),
                    day(1989, 12, 31),
                    Precision::Year,
                    false
                ),
            ]
        );
        for d in &a.dates {
            let span = d.span.expect("a date of the text has a span");
            assert_eq!(a.text.get(span.start..span.end), Some(d.text.as_str()));
        }
    }

    /// The analysis of a document with this text and nothing else.
    fn analyze(text: &str) -> vigil_core::Analysis {
        let doc = Document {
            id: "d".into(),
            text: text.into(),
            ..Default::default()
        };
        pipeline().analyze(&doc)
    }

    /// The texts of every event's perpetrators, then victims, in event order.
    fn slots(text: &str) -> Vec<String> {
        analyze(text)
            .events
            .iter()
            .flat_map(|e| e.perpetrators.iter().chain(&e.victims))
            .map(|s| s.text.clone())
            .collect()
    }

    /// Fails, naming `text` and the events, if `a` holds an arrest.
    fn assert_no_arrest(a: &vigil_core::Analysis, text: &str) {
        assert!(
            !a.events.iter().any(|e| e.kind == EventType::Arrest),
            "{text}: {:?}",
            a.events
        );
    }

    /// The first event of this type in the analysis of `text`.
    fn event_of<'a>(
        a: &'a vigil_core::Analysis,
        kind: EventType,
        text: &str,
    ) -> &'a vigil_core::Event {
        a.events
            .iter()
            .find(|e| e.kind == kind)
            .unwrap_or_else(|| panic!("no {kind:?} in {text:?}: {:?}", a.events))
    }

    /// The texts of the slots linked to an entity (named, not generic).
    fn named(slots: &[vigil_core::Slot]) -> Vec<String> {
        slots
            .iter()
            .filter(|s| s.entity.is_some())
            .map(|s| s.text.clone())
            .collect()
    }

    /// The texts of the slots `slots` picks from every event.
    fn slot_texts<'a>(
        a: &'a vigil_core::Analysis,
        slots: impl Fn(&'a vigil_core::Event) -> &'a [vigil_core::Slot],
    ) -> Vec<&'a str> {
        a.events
            .iter()
            .flat_map(slots)
            .map(|s| s.text.as_str())
            .collect()
    }

    /// The texts of the slots `slots` picks from the events of `kinds`.
    fn kind_slots<'a>(
        a: &'a vigil_core::Analysis,
        kinds: &[vigil_core::EventType],
        slots: impl Fn(&'a vigil_core::Event) -> &'a [vigil_core::Slot],
    ) -> Vec<&'a str> {
        slot_texts(a, |e| {
            if kinds.contains(&e.kind) {
                slots(e)
            } else {
                &[]
            }
        })
    }

    /// Asserts that some text of `got` contains `present` and none any of
    /// `absent`.
    fn assert_named(got: &[&str], present: &str, absent: &[&str]) {
        assert!(
            got.iter().any(|v| v.contains(present)),
            "{present}: {got:?}"
        );
        assert!(
            !got.iter().any(|v| absent.iter().any(|x| v.contains(x))),
            "{absent:?}: {got:?}"
        );
    }

    /// The entities of `text` as (type, name, country of a place).
    fn entities(text: &str) -> Vec<(String, String, Option<String>)> {
        analyze(text)
            .entities
            .into_iter()
            .map(|e| {
                let country = e.geo.map(|g| g.country);
                (e.kind.as_str().to_string(), e.name, country)
            })
            .collect()
    }

    fn region(name: &str, country: &str) -> (String, String, Option<String>) {
        ("REGION".into(), name.into(), Some(country.into()))
    }

    #[test]
    fn places_written_without_their_accents_are_found() {
        let found = entities("A bomb exploded in Boyaca on Sunday, Colombian police said.");
        assert!(found.contains(&region("Boyacá", "CO")), "{found:?}");
        // Lower-case text, a region word, and the region of the country
        // the text names rather than Venezuela's state of the same name.
        let found = entities(
            "bogota, 3 mar 90 -- guerrillas attacked a police station in bolivar \
             department yesterday.",
        );
        assert!(found.contains(&region("Bolívar", "CO")), "{found:?}");
    }

    #[test]
    fn common_words_are_not_acronyms_in_caseless_text() {
        // "FAR" (Guatemala's Rebel Armed Forces) is an acronym in mixed
        // case and a word in lower- or upper-case text.
        let lower = entities(
            "so far no group has claimed the attack, which was far from the \
             capital. the eln kidnapped two engineers.",
        );
        assert!(
            !lower
                .iter()
                .any(|(_, name, _)| name == "Rebel Armed Forces"),
            "{lower:?}"
        );
        assert!(
            lower
                .iter()
                .any(|(_, name, _)| name.starts_with("National Liberation Army")),
            "{lower:?}"
        );
        let mixed = entities("The FAR claimed the attack on the army post in Peten.");
        assert!(
            mixed
                .iter()
                .any(|(_, name, _)| name == "Rebel Armed Forces"),
            "{mixed:?}"
        );
    }

    #[test]
    fn a_holiday_in_a_date_is_when_not_what_is_attacked() {
        let a = analyze(
            "Police arrested three men in Munich on Sunday. They had \
             planned to attack the Frauenkirche on New Year's Eve 2024, \
             and the Olympic Games in Paris next summer.",
        );
        let targets: Vec<&str> = slot_texts(&a, |e| &e.targets);
        assert!(
            !targets.iter().any(|t| t.contains("New Year")),
            "{targets:?}"
        );
        assert!(
            targets.iter().any(|t| t.contains("Olympic Games")),
            "{targets:?}"
        );
    }

    #[test]
    fn a_date_beyond_an_act_of_the_other_kind_is_that_acts() {
        // (text, type of the event, its date's text or none).
        for (text, kind, date) in [
            (
                "Police detained five people over the killing of a journalist \
                 in a car bomb in July 2016.",
                EventType::Arrest,
                None,
            ),
            (
                "Police detained five people over the killing of a journalist \
                 in a car bomb in July 2016.",
                EventType::Bombing,
                Some("July 2016"),
            ),
            (
                "The lawyer was murdered after being detained by the police in \
                 November 1981.",
                EventType::Arrest,
                Some("November 1981"),
            ),
            (
                "The lawyer was murdered after being detained by the police in \
                 November 1981.",
                EventType::Attack,
                None,
            ),
            // Acts joined by "or" share the date.
            (
                "In 2016 dozens of villagers were imprisoned or killed by the police.",
                EventType::Attack,
                Some("2016"),
            ),
            // Of one kind, the nearest date is the act's.
            (
                "Two students were arrested in Minsk on 12 March 2021.",
                EventType::Arrest,
                Some("12 March 2021"),
            ),
        ] {
            let a = analyze(text);
            let e = event_of(&a, kind, text);
            assert_eq!(
                e.date.as_ref().map(|d| d.text.as_str()),
                date,
                "{kind:?} in {text:?}"
            );
        }
    }

    #[test]
    fn names_and_months_are_not_towns() {
        let found = entities(
            "Rights lawyer Karamat Ali said the workers were detained. In March \
             last year two activists were executed, the Superintendent of Police \
             said. Police arrested Jimmy Lai in Hong Kong on Monday. Lai \
             denies the charges. Protesters were beaten in Banda, a town in Uttar \
             Pradesh. Anais Marin, the rapporteur, spoke.",
        );
        let towns: Vec<&str> = found
            .iter()
            .filter(|(kind, _, _)| kind == "CITY" || kind == "REGION")
            .map(|(_, name, _)| name.as_str())
            .collect();
        for not_a_town in ["Ali", "March", "Police", "Lai", "Marin"] {
            assert!(!towns.contains(&not_a_town), "{not_a_town}: {found:?}");
        }
        let person = |name: &str| {
            found
                .iter()
                .any(|(kind, n, _)| kind == "PERSON" && n.as_str() == name)
        };
        assert!(person("Karamat Ali"), "{found:?}");
        assert!(person("Jimmy Lai"), "{found:?}");
        // A town that is also a word, introduced by "in", stays a town.
        assert!(
            found
                .iter()
                .any(|(kind, n, c)| kind == "CITY" && n == "Banda" && c.as_deref() == Some("IN")),
            "{found:?}"
        );
    }

    #[test]
    fn a_run_opening_with_a_given_name_is_a_person() {
        let found = entities(
            "The list includes Emirati writer Ahmed Mansoor, and aid workers \
             David Haines and Alan Henning were killed. The court heard Samuel \
             Wazizi's family. Protesters cited the Bill of Rights in Karen State.\n\
             Daniel Pearl Abduction Trial Reopens In Karachi\n\
             Workers recalled the 1916 Everett Massacre and the Seattle General Strike.\n\
             The trial opened on Monday.",
        );
        let people: Vec<&str> = found
            .iter()
            .filter(|(kind, _, _)| kind == "PERSON")
            .map(|(_, name, _)| name.as_str())
            .collect();
        for name in [
            "Ahmed Mansoor",
            "David Haines",
            "Alan Henning",
            "Samuel Wazizi",
            // A title-case headline: the name stops before the event word.
            "Daniel Pearl",
        ] {
            assert!(people.contains(&name), "{name}: {found:?}");
        }
        assert!(
            !people.iter().any(|p| p.contains(" and ")
                || p.contains("Bill")
                || p.contains("Karen")
                || p.contains("Massacre")
                || p.contains("Strike")),
            "{found:?}"
        );
    }

    #[test]
    fn caseless_titles_do_not_swallow_verbs_or_nouns() {
        let found = entities(
            "he is the second mayor killed in michoacan in four months. at least \
             20 candidates had been killed since campaigning for june's general \
             election began. mayor ramiro solis pedraza, 52, was shot.",
        );
        let people: Vec<&str> = found
            .iter()
            .filter(|(kind, _, _)| kind == "PERSON")
            .map(|(_, name, _)| name.as_str())
            .collect();
        assert_eq!(people, ["ramiro solis pedraza"], "{found:?}");
    }

    #[test]
    fn a_continents_adjective_before_countries_is_a_place() {
        let a = analyze(
            "European officials said the attacks in Europe could go on. \
             Experts warned that the group may target European countries \
             this summer.",
        );
        let europe = a
            .entities
            .iter()
            .find(|e| e.name == "Europe")
            .map(|e| e.id.clone());
        assert!(europe.is_some(), "{:?}", a.entities);
        let warning = a
            .events
            .iter()
            .find(|e| e.trigger.text == "warned")
            .expect("a warning");
        let place = warning.location.as_ref().expect("a location");
        assert_eq!(place.text, "European countries");
        assert_eq!(place.entity, europe);
        // "European officials" are people, not a place.
        assert!(a
            .events
            .iter()
            .flat_map(|e| &e.locations)
            .all(|l| l.text != "European officials"));
    }

    #[test]
    fn a_region_and_its_region_word_are_a_place_not_a_government_body() {
        let found = entities(
            "Guerrillas attacked a police station in Bolivar Department yesterday, \
             Colombian police said. The State Department condemned the attack.",
        );
        // The nationality word "Colombian" chooses Colombia's Bolívar over
        // Venezuela's.
        assert!(found.contains(&region("Bolívar", "CO")), "{found:?}");
        assert!(
            !found
                .iter()
                .any(|(_, name, _)| name == "Bolivar Department"),
            "{found:?}"
        );
        assert!(
            found.contains(&("GOVERNMENT_BODY".into(), "State Department".into(), None)),
            "{found:?}"
        );
    }

    #[test]
    fn people_after_a_preposition_are_not_a_place() {
        let a = analyze(
            "Militants carried out attacks on Christians in the north, killing \
             five people. Gunmen opened fire on Shiites near Quetta, wounding two.",
        );
        let places: Vec<&str> = slot_texts(&a, |e| &e.locations);
        assert!(
            !places
                .iter()
                .any(|p| matches!(*p, "Christians" | "Shiites")),
            "{places:?}"
        );
        assert!(places.contains(&"Quetta"), "{places:?}");
    }

    #[test]
    fn attacks_studied_are_no_events() {
        let a = analyze(
            "Police arrested a 17-year-old Afghan national in Vienna on Tuesday. \
             He had researched vehicle or knife attacks online and watched \
             videos glorifying attacks on churches.",
        );
        let kinds: Vec<_> = a.events.iter().map(|e| e.kind).collect();
        assert_eq!(kinds, [vigil_core::EventType::Arrest], "{:?}", a.events);
        let suspects: Vec<&str> = a.events[0]
            .perpetrators
            .iter()
            .map(|p| p.text.as_str())
            .collect();
        assert_eq!(suspects, ["a 17-year-old Afghan national"]);
    }

    #[test]
    fn a_direction_alone_is_no_place() {
        let found = entities(
            "The law drew condemnation from Western countries. Rebels attacked \
             a bus in Northern Kenya and a village in Western Province.",
        );
        let names: Vec<&str> = found.iter().map(|(_, n, _)| n.as_str()).collect();
        assert!(!names.contains(&"Western"), "{found:?}");
        assert!(!names.contains(&"Northern"), "{found:?}");
        assert!(names.contains(&"Kenya"), "{found:?}");
        assert!(names.contains(&"Western Province"), "{found:?}");
    }

    #[test]
    fn a_month_abbreviation_or_a_title_is_no_place() {
        let a = analyze(
            "Police detained three activists on Feb. 24 in Lagos. Gunmen \
             attacked a church in Dec 2019. Bandits kidnapped two priests in \
             Jan Mayen. A secretary was arrested for poking fun at Prime \
             Minister Pravind Jugnauth. Thousands have been detained since \
             Vladimir Putin launched his invasion. Authorities released 50 \
             persons imprisoned on politically motivated charges since \
             September 2016, including activist Akzam Turgunov.",
        );
        let places: Vec<Vec<&str>> = a
            .events
            .iter()
            .map(|e| e.locations.iter().map(|l| l.text.as_str()).collect())
            .collect();
        assert_eq!(places.len(), 4, "{places:?}");
        assert_eq!(places[0], ["Lagos"], "{places:?}");
        assert!(places[1].is_empty(), "{places:?}");
        // "Jan" before a name, not a day, still starts one.
        assert_eq!(places[2], ["Jan Mayen"], "{places:?}");
        // Nor is a title after "at"; and the one mocked in the reason
        // given for an arrest is not its suspect.
        assert!(places[3].is_empty(), "{places:?}");
        let held: Vec<&str> = a.events[3]
            .perpetrators
            .iter()
            .chain(&a.events[3].victims)
            .map(|s| s.text.as_str())
            .collect();
        assert!(!held.contains(&"Pravind Jugnauth"), "{held:?}");
        // Nor the one named in a clause of time after it.
        let held: Vec<&str> = a
            .events
            .iter()
            .flat_map(|e| e.perpetrators.iter().chain(&e.victims))
            .map(|s| s.text.as_str())
            .collect();
        assert!(!held.iter().any(|h| h.contains("Putin")), "{held:?}");
        assert!(held.contains(&"Akzam Turgunov"), "{held:?}");
    }

    #[test]
    fn another_name_of_a_victim_is_no_other_victim() {
        let a = analyze(
            "Among those who have been abducted is human rights defender Tatenda \
             Mombeyarara and comedienne Samantha Kureya, better known as Gonyeti.",
        );
        let victims: Vec<&str> = a
            .events
            .iter()
            .flat_map(|e| &e.victims)
            .map(|v| v.text.as_str())
            .collect();
        assert!(victims.contains(&"Samantha Kureya"), "{victims:?}");
        assert!(!victims.contains(&"Gonyeti"), "{victims:?}");
    }

    #[test]
    fn a_ship_a_site_an_author_a_qualifier_or_an_owner_is_no_person_harmed_or_held() {
        // A ship with a person's name is no suspect.
        let held = slots(
            "The trawler was seized off the coast on Monday. The Mary Bell was \
             detained in Aberdeen harbour after the crew complained.",
        );
        assert!(!held.iter().any(|s| s.contains("Mary Bell")), "{held:?}");
        // Nor is the author of an opinion piece.
        let held = slots(
            "Nobody believes the new trade pact will arrest a deteriorating human \
             rights record, writes Anna Lindberg.",
        );
        assert!(held.is_empty(), "{held:?}");
        // Nor is an airport named after one.
        let held = slots(
            "Maria Lindqvist, 61, was charged with kidnapping after she was \
             detained by border police at Charles de Gaulle airport last week.",
        );
        assert!(held.iter().any(|s| s == "Maria Lindqvist"), "{held:?}");
        assert!(!held.iter().any(|s| s.contains("Gaulle")), "{held:?}");
        // A ruler's name before the noun it qualifies is no victim; a family
        // named by the surname of a person named in full is.
        let harmed = slots(
            "President Anastasio Somoza ruled Nicaragua for years. Activist Diego \
             Reyes Alonso lives in Leon. Police attacked the house of the Reyes \
             Alonso on Friday. Leon was one of the most attacked cities during \
             the Somoza massacre against the students.",
        );
        assert!(harmed.iter().any(|s| s == "Reyes Alonso"), "{harmed:?}");
        assert!(!harmed.iter().any(|s| s.contains("Somoza")), "{harmed:?}");
        // The owner of the subject of a passive act is no victim.
        let killed = slots(
            "Critics urge an end to aid for President Rodrigo Duterte\u{2019}s \
             government. Duterte is known for a drug war in which thousands of poor \
             people were summarily executed by police. In Duterte\u{2019}s first two \
             years in power, nearly 200 activists and lawyers were assassinated.",
        );
        assert!(
            killed.iter().any(|s| s == "nearly 200 activists"),
            "{killed:?}"
        );
        assert!(!killed.iter().any(|s| s.contains("Duterte")), "{killed:?}");
    }

    #[test]
    fn a_cardiac_or_an_escaped_arrest_is_no_arrest() {
        let text = "The former minister died of cardiac arrest in hospital on Sunday. \
             The driver sped off to avoid arrest after the crash.";
        assert_no_arrest(&analyze(text), text);
    }

    #[test]
    fn a_community_is_no_person() {
        let a = analyze(
            "Authorities have arbitrarily detained Uyghur Muslims in camps, said \
             activist Gulbahar Jalilova.",
        );
        let people: Vec<&str> = a
            .entities
            .iter()
            .filter(|e| e.kind == vigil_core::EntityType::Person)
            .map(|e| e.name.as_str())
            .collect();
        assert_eq!(people, ["Gulbahar Jalilova"], "{:?}", a.entities);
    }

    #[test]
    fn a_name_keeps_the_type_its_context_gave_it() {
        let a = analyze(
            "Police searched the offices of his Apple Daily newspaper. Ryan Law, \
             chief editor of Apple Daily, said Jimmy Lai was arrested. Beijing \
             said it supported Lai's arrest and Lai\u{2019}s detention.",
        );
        let of = |name: &str| {
            a.entities
                .iter()
                .filter(|e| e.name == name)
                .map(|e| (e.kind, e.mentions.len()))
                .collect::<Vec<_>>()
        };
        let outlet = vigil_core::EntityType::MediaOutlet;
        assert_eq!(of("Apple Daily"), [(outlet, 2)], "{:?}", a.entities);
        // The surname with a possessive, straight or curly, is the person,
        // not Lai in Chad.
        let person = vigil_core::EntityType::Person;
        assert_eq!(of("Jimmy Lai"), [(person, 3)], "{:?}", a.entities);
        assert!(of("Lai").is_empty(), "{:?}", a.entities);
    }

    #[test]
    fn the_subject_of_another_verb_is_no_victim() {
        let a = analyze(
            "Secretary of State Antony Blinken and Foreign Minister Shah \
             Mahmood Qureshi discussed the kidnapping of journalist Daniel \
             Pearl in Karachi.",
        );
        let victims: Vec<&str> = slot_texts(&a, |e| &e.victims);
        assert_named(&victims, "Daniel Pearl", &["Blinken", "Qureshi"]);
    }

    #[test]
    fn words_and_names_are_not_towns() {
        let found = entities(
            "The president praised police in his State of Union address. The \
             International Labour Organization (ILO) said workers in Doha were \
             detained. Their lawyer, Christopher Van Wagner, said the men were \
             tracked for months. A bomb exploded in the town of Reading.",
        );
        let names: Vec<(&str, &str)> = found
            .iter()
            .map(|(k, n, _)| (k.as_str(), n.as_str()))
            .collect();
        for town in ["Union", "Ilo", "Van"] {
            assert!(!names.iter().any(|(_, n)| *n == town), "{town}: {found:?}");
        }
        assert!(
            !names.iter().any(|(_, n)| n.contains("Wagner Group")),
            "{found:?}"
        );
        assert!(
            names.contains(&("PERSON", "Christopher Van Wagner")),
            "{found:?}"
        );
        assert!(names.contains(&("CITY", "Doha")), "{found:?}");
        assert!(names.contains(&("CITY", "Reading")), "{found:?}");
    }

    #[test]
    fn concern_over_an_act_is_about_one_that_happened() {
        let kinds = |text: &str| {
            analyze(text)
                .events
                .iter()
                .map(|e| (e.kind, e.stage))
                .collect::<Vec<_>>()
        };
        use vigil_core::{EventType, Stage};
        assert_eq!(
            kinds(
                "Secretary of State Antony Blinken expressed concern over the \
                 kidnapping of journalist Daniel Pearl in Karachi."
            ),
            [(EventType::Kidnapping, Stage::Accomplished)]
        );
        // Fear looks ahead; so does concern about what could happen.
        assert_eq!(
            kinds("Officials fear the kidnapping of foreign engineers in Kaduna."),
            [(EventType::Warning, Stage::Threatened)]
        );
        assert_eq!(
            kinds("Officials expressed concern that militants could attack churches."),
            [(EventType::Warning, Stage::Threatened)]
        );
    }

    #[test]
    fn who_is_arrested_and_who_was_harmed() {
        use vigil_core::EventType;
        let arrested = |a| kind_slots(a, &[EventType::Arrest], |e| &e.perpetrators);
        let kidnapped = |a| kind_slots(a, &[EventType::Kidnapping], |e| &e.victims);
        let a = analyze("Police arrested blogger Andrei Lida in Minsk on Thursday.");
        assert_eq!(arrested(&a), ["Andrei Lida"]);
        let a = analyze("Three men were arrested after the kidnapping of John Smith.");
        assert_eq!(arrested(&a), ["Three men"]);
        assert_eq!(kidnapped(&a), ["John Smith"]);
        // Those convicted for an abduction are not its victims.
        let a = analyze(
            "Sheikh and his aides - Fahad Naseem and Salman Saqib - were \
             convicted in the abduction of journalist Daniel Pearl.",
        );
        let victims = kidnapped(&a);
        assert!(victims.contains(&"Daniel Pearl"), "{victims:?}");
        assert_named(&victims, "Daniel Pearl", &["Naseem", "Saqib"]);
    }

    #[test]
    fn the_subject_of_a_passive_act_is_its_victim() {
        use vigil_core::EventType;
        fn killing(a: &vigil_core::Analysis) -> Vec<(Vec<&str>, Option<u32>)> {
            a.events
                .iter()
                .filter(|e| e.kind.is_violent())
                .map(|e| {
                    (
                        e.victims.iter().map(|s| s.text.as_str()).collect(),
                        e.killed,
                    )
                })
                .collect()
        }
        // A weak trigger ("shot") with a person named as its subject.
        let a = analyze("Activist John Banda was shot dead in Lilongwe on Monday.");
        assert_eq!(killing(&a), [(vec!["John Banda"], Some(1))]);
        // The title before the name is the same victim; an age is no toll.
        let a = analyze("Police said journalist Ahmed Ali, 34, was brutally murdered in Lahore.");
        assert_eq!(killing(&a), [(vec!["Ahmed Ali"], Some(1))]);
        // A relative clause of the subject.
        let a = analyze("Pavel Sheremet, who was killed in Kiev, was a critic of the government.");
        assert_eq!(killing(&a), [(vec!["Pavel Sheremet"], Some(1))]);
        // A murder or killing of someone is a death.
        let a = analyze("The court discussed the murder of journalist Daniel Pearl.");
        assert_eq!(killing(&a), [(vec!["Daniel Pearl"], Some(1))]);
        // A film is no person.
        let a = analyze("The film was shot in Lilongwe in May.");
        assert!(a.events.is_empty(), "{:?}", a.events);
        // The arrested are named after "had been", and after an apposition.
        let arrested = |a| {
            kind_slots(a, &[EventType::Arrest, EventType::Conviction], |e| {
                &e.perpetrators
            })
        };
        let a =
            analyze("The party said its chairperson, Dumisani Fakudze, had also been detained.");
        assert_eq!(arrested(&a), ["Dumisani Fakudze"]);
        let a = analyze(
            "Tsitsi Dangarembga, the award-winning Zimbabwean novelist who was \
             nominated for the Booker prize, was arrested on Friday in Harare.",
        );
        assert_eq!(arrested(&a), ["Tsitsi Dangarembga"]);
        // Who is sentenced.
        let a = analyze(
            "A Minsk court sentenced journalists Katsiaryna Andreyeva and Darya \
             Chultsovato to two years in prison on February 18 in a case that \
             highlights the crackdown of President Alexander Lukashenko.",
        );
        assert_eq!(arrested(&a), ["Katsiaryna Andreyeva", "Darya Chultsovato"]);
        // The party of a leader held is his, not held itself.
        let a = analyze(
            "The union campaigns for jailed Kurdistan Workers' Party (PKK) leader \
             Abdullah Ocalan.",
        );
        assert_eq!(arrested(&a), ["Abdullah Ocalan"]);
        // Serving a sentence; a list whose second role opens with a
        // nationality.
        let a = analyze(
            "Writers such as Egyptian researcher Ismail Alexandrani and Russian \
             historian Yury Dmitriev have been serving lengthy sentences.",
        );
        assert_eq!(arrested(&a), ["Ismail Alexandrani", "Yury Dmitriev"]);
        let a = analyze(
            "Eleven writers are serving life sentences, including blogger \
             Abduljalil Al-Singace and economist Ilham Tohti.",
        );
        assert_eq!(arrested(&a), ["Abduljalil Al-Singace", "Ilham Tohti"]);
        // A sentence told by "condemned … to"; a death sentence kills no one.
        let a = analyze(
            "An Istanbul court condemned leading rights activist Osman Kavala to life in prison.",
        );
        assert_eq!(arrested(&a), ["Osman Kavala"]);
        let a = analyze("A court sentenced two activists to death in Tehran.");
        assert!(
            a.events.iter().all(|e| e.killed.is_none()),
            "{:?}",
            a.events
        );
        // A sentence received.
        let a = analyze("Raif Badawi received a 10-year sentence and 1,000 lashes.");
        assert_eq!(arrested(&a), ["Raif Badawi"]);
        let a = analyze(
            "Lawyer Mohamed el-Baqer and blogger Mohamed Ibrahim received four-year sentences.",
        );
        assert_eq!(arrested(&a), ["Mohamed el-Baqer", "Mohamed Ibrahim"]);
        let a = analyze(
            "Valentina Baranovskaya is the oldest in jail, while Anna Safronova \
             has received the longest prison sentence, six years.",
        );
        assert_eq!(arrested(&a), ["Anna Safronova"]);
        // A step of the law before the verb.
        let a = analyze("Nduka Irabor and Tunde Thompson were tried and jailed for refusing.");
        assert_eq!(arrested(&a), ["Nduka Irabor", "Tunde Thompson"]);
        // Ages inside the list.
        let a = analyze("Ahmed Ali, 34, and Omar Khan, 29, were arrested in Lahore.");
        assert_eq!(arrested(&a), ["Ahmed Ali", "Omar Khan"]);
        // A relative clause after an apposition; held in prison.
        let a = analyze(
            "Nothing prevented abuses against Ahnaf Jazeem, a 26-year-old Muslim \
             poet, who was arrested under the act in May 2020.",
        );
        assert_eq!(arrested(&a), ["Ahnaf Jazeem"]);
        let a = analyze(
            "Adam Gray, chief photographer for a British news agency, was held in \
             prison for ten hours.",
        );
        assert_eq!(arrested(&a), ["Adam Gray"]);
        // House arrest, and a relative clause telling it.
        let a = analyze("Kira Yarmysh was put under house arrest.");
        assert_eq!(arrested(&a), ["Kira Yarmysh"]);
        let a = analyze("Police placed opposition leader Jacob Ngarivhume under house arrest.");
        assert_eq!(arrested(&a), ["Jacob Ngarivhume"]);
        let a = analyze(
            "Kira Yarmysh, who was put under house arrest after the January \
             protests, was detained outside her apartment building.",
        );
        assert_eq!(arrested(&a), ["Kira Yarmysh"]);
        // A list that ends with people counted by their role: both held.
        let a = analyze(
            "Wong's longtime colleague, Agnes Chow, and two other activists were \
             among those arrested, local media reported.",
        );
        assert_eq!(arrested(&a), ["Agnes Chow", "two other activists"]);
        // The held told by their number in words.
        let a = analyze("Dozens of journalists were detained in Minsk on Sunday.");
        assert_eq!(arrested(&a), ["Dozens of journalists"]);
        // The agent of the passive arrest is not held.
        let a = analyze("Maria Kolesnikova was detained by masked men in Minsk.");
        assert_eq!(arrested(&a), ["Maria Kolesnikova"]);
        // A list closed by a dash; a name the entity pass does not know
        // between its items; where an item is from.
        let a = analyze(
            "Several party members and regional representatives \u{2013} Sylvain \
             Sibomana, Alexis Rucubanganya, Hamad Hagengimana, and Jean-Claude \
             Ndayishimiye \u{2013} were also arrested at their homes on October 13.",
        );
        assert_eq!(
            arrested(&a),
            [
                "Sylvain Sibomana",
                "Alexis Rucubanganya",
                "Hamad Hagengimana",
                "Jean-Claude Ndayishimiye"
            ]
        );
        let a = analyze(
            "However, two journalists, Abdiaziz Ahmed Gurbiye from Goobjoog Media \
             and Mohamed Abduwahab Abuuja, were jailed by the authorities in Mogadishu.",
        );
        assert_eq!(
            arrested(&a),
            ["Abdiaziz Ahmed Gurbiye", "Mohamed Abduwahab Abuuja"]
        );
        // The subject the predicate's noun names.
        let a = analyze(
            "Hong Kong media tycoon Jimmy Lai became the highest-profile person \
             arrested under a new national security law on Monday.",
        );
        assert_eq!(arrested(&a), ["Jimmy Lai"]);
        // An apposition naming what the subject is, then the participle.
        let a = analyze(
            "Nasrin Sotoudeh, a human rights lawyer imprisoned for her work, was \
             transferred to another prison.",
        );
        assert_eq!(arrested(&a), ["Nasrin Sotoudeh"]);
        let a = analyze(
            "Among them was Zehra Dogan, a Kurdish artist and journalist jailed in \
             2017 over a painting.",
        );
        assert_eq!(arrested(&a), ["Zehra Dogan"]);
        // Taken by the police is held.
        let a = analyze(
            "Omoyele Sowore, an activist and founder of Sahara Reporters, was taken \
             by secret police from a hotel room in Lagos in August.",
        );
        assert_eq!(arrested(&a), ["Omoyele Sowore"]);
    }

    #[test]
    fn an_institution_struck_is_a_target() {
        let targets = |text: &str| -> Vec<Vec<String>> {
            analyze(text)
                .events
                .iter()
                .map(|e| e.targets.iter().map(|t| t.text.clone()).collect())
                .collect()
        };
        assert_eq!(
            targets("Gunmen attacked the US embassy in Nairobi."),
            [["US embassy"]]
        );
        assert_eq!(
            targets("Two men threatened to attack the US embassy in Nairobi."),
            [["US embassy"]]
        );
        assert_eq!(
            targets("The Interior Ministry was attacked by militants."),
            [["Interior Ministry"]]
        );
        // A claim's target; a name "X of Y" after the attack on it is
        // what was struck, not where.
        assert_eq!(
            targets("The Taliban claimed the attack on a police station in Kunduz."),
            [["a police station"]]
        );
        let a = analyze("Al-Shabaab claimed the attack on the Ministry of Defence in Mogadishu.");
        let got: Vec<(Vec<&str>, Vec<&str>)> = a
            .events
            .iter()
            .map(|e| {
                (
                    e.targets.iter().map(|t| t.text.as_str()).collect(),
                    e.locations.iter().map(|l| l.text.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(got, [(vec!["Ministry of Defence"], vec!["Mogadishu"])]);
        // Near it, or speaking of it, is no target.
        assert_eq!(
            targets("Gunmen attacked the convoy near the US embassy."),
            [["the convoy"]]
        );
        assert_eq!(
            targets("The attack killed five people, the Interior Ministry said."),
            [Vec::<String>::new()]
        );
    }

    #[test]
    fn a_disappearance_is_a_kidnapping_only_beside_its_agents() {
        let kinds = |text: &str| -> Vec<(vigil_core::EventType, Vec<String>)> {
            analyze(text)
                .events
                .iter()
                .map(|e| (e.kind, e.victims.iter().map(|v| v.text.clone()).collect()))
                .collect()
        };
        use vigil_core::EventType::{Arrest, Kidnapping};
        assert_eq!(
            kinds("The journalist disappeared after police detained him in Minsk."),
            [
                (Kidnapping, vec!["The journalist".to_string()]),
                (Arrest, vec![])
            ]
        );
        // Nobody who takes people: no event.
        assert_eq!(
            kinds("The hiker disappeared in the mountains last week."),
            []
        );
        assert_eq!(kinds("The money disappeared from the account."), []);
    }

    #[test]
    fn an_enforced_disappearance_is_a_kidnapping() {
        for text in [
            "Security agents forcibly disappeared activist John Banda in Lusaka last week.",
            "Rights groups documented the enforced disappearance of lawyer John Banda.",
            "John Banda, a political activist, was reported missing, most likely \
             forcibly disappeared in government detention.",
            // "snatched" with support: armed men.
            "Photographer John Banda was snatched by armed men in Mogadishu.",
            // The possessor, without the possessive.
            "John Banda's abduction by armed men shocked his family.",
        ] {
            let a = analyze(text);
            let got: Vec<_> = a
                .events
                .iter()
                .map(|e| {
                    (
                        e.kind,
                        e.victims
                            .iter()
                            .map(|v| v.text.as_str())
                            .collect::<Vec<_>>(),
                    )
                })
                .collect();
            assert_eq!(
                got,
                [(vigil_core::EventType::Kidnapping, vec!["John Banda"])],
                "{text}"
            );
        }
    }

    #[test]
    fn one_act_told_twice_is_one_event() {
        fn violent(a: &vigil_core::Analysis) -> Vec<(Vec<&str>, Option<u32>)> {
            a.events
                .iter()
                .filter(|e| e.kind.is_violent())
                .map(|e| {
                    (
                        e.victims.iter().map(|v| v.text.as_str()).collect(),
                        e.killed,
                    )
                })
                .collect()
        }
        // The lead's toll, then the names, three sentences apart and at
        // places of one country.
        let a = analyze(
            "YANGON, July 25 (Reuters) - The junta said it had executed two democracy \
             activists. Protests went on in Mandalay. Shops were shut in Monywa. \
             Former lawmaker Phyo Zeya Thaw and activist Kyaw Min Yu were executed \
             at a prison in Mandalay.",
        );
        assert_eq!(
            violent(&a),
            [(
                vec!["two democracy activists", "Phyo Zeya Thaw", "Kyaw Min Yu"],
                Some(2)
            )]
        );
        // The same person killed, told again far below with another verb's
        // place: one killing.
        let a = analyze(
            "Gunmen shot dead journalist Ahmed Kumara in Karachi on Monday. His \
             colleagues protested. The union condemned the attack. Police have no \
             suspect. Ahmed Kumara was shot in Sindh province as he left his office.",
        );
        assert_eq!(violent(&a).len(), 1, "{:?}", violent(&a));
        // Two tolls of two in two countries are two acts.
        let a = analyze(
            "Militants executed two soldiers in Mali on Monday. In Niger, militants \
             executed two soldiers on Tuesday.",
        );
        assert_eq!(violent(&a).len(), 2, "{:?}", violent(&a));
    }

    #[test]
    fn who_killed_whom_in_the_passive_and_the_active() {
        // (type, perpetrators, victims, killed) of every violent event.
        type Act<'a> = (
            vigil_core::EventType,
            Vec<&'a str>,
            Vec<&'a str>,
            Option<u32>,
        );
        fn acts(a: &vigil_core::Analysis) -> Vec<Act<'_>> {
            fn texts(s: &[vigil_core::Slot]) -> Vec<&str> {
                s.iter().map(|s| s.text.as_str()).collect()
            }
            a.events
                .iter()
                .filter(|e| e.kind.is_violent())
                .map(|e| (e.kind, texts(&e.perpetrators), texts(&e.victims), e.killed))
                .collect()
        }
        use vigil_core::EventType::{Attack, Shooting};
        // The agent after "by" is the perpetrator; the counted subject the victims.
        let a = analyze("Three protesters were shot dead by soldiers in Yangon.");
        assert_eq!(
            acts(&a),
            [(
                Shooting,
                vec!["soldiers"],
                vec!["Three protesters"],
                Some(3)
            )]
        );
        // The subject of the act with an object commits it ("soldiers" is
        // otherwise a victim's noun).
        let a = analyze("Soldiers shot dead three protesters in Yangon.");
        assert_eq!(
            acts(&a),
            [(
                Shooting,
                vec!["Soldiers"],
                vec!["three protesters"],
                Some(3)
            )]
        );
        // The object told between the verb and "to death".
        let a = analyze("Police beat two activists to death in Harare on Monday.");
        assert_eq!(
            acts(&a),
            [(Attack, vec!["Police"], vec!["two activists"], Some(2))]
        );
        let a = analyze("A mob stoned a woman to death in Kabul.");
        assert_eq!(
            acts(&a),
            [(Attack, vec!["A mob"], vec!["a woman"], Some(1))]
        );
        // A win is no beating.
        let a = analyze("The team beat Arsenal 2-0 to move to the top of the table.");
        assert_eq!(acts(&a), []);
        // Victims counted in words.
        let a = analyze("Scores of people were killed during a crackdown in January 2019.");
        assert_eq!(acts(&a), [(Attack, vec![], vec!["Scores of people"], None)]);
        let a = analyze("Gunmen killed dozens of villagers in Zamfara.");
        assert_eq!(
            acts(&a),
            [(Attack, vec!["Gunmen"], vec!["dozens of villagers"], None)]
        );
        // A reduced passive is no subject of the act.
        let a = analyze("Two soldiers killed in an ambush were buried on Sunday.");
        assert_eq!(acts(&a), [(Attack, vec![], vec!["Two soldiers"], Some(2))]);
        let a = analyze("Two farmers were hacked to death by suspected herdsmen in Benue.");
        assert_eq!(
            acts(&a),
            [(
                Attack,
                vec!["suspected herdsmen"],
                vec!["Two farmers"],
                Some(2)
            )]
        );
        // One person told with an article is a victim; the object of a
        // prepositional phrase is no subject.
        let a = analyze("Villagers said a village headman was lynched by an angry mob.");
        assert_eq!(
            acts(&a),
            [(
                Attack,
                vec!["an angry mob"],
                vec!["a village headman"],
                Some(1)
            )]
        );
        let a = analyze("The son of a village headman was killed in Sagaing.");
        assert!(
            acts(&a)
                .iter()
                .all(|(_, _, v, _)| !v.contains(&"a village headman")),
            "{:?}",
            acts(&a)
        );
        // The noun of a predicate is the person of its subject, no other
        // victim.
        let a = analyze("Maria Petrova is the third journalist killed in Ukraine this year.");
        assert_eq!(acts(&a), [(Attack, vec![], vec!["Maria Petrova"], Some(1))]);
        let a = analyze(
            "Police said John Banda, a local journalist killed in May, had been threatened.",
        );
        assert_eq!(acts(&a), [(Attack, vec![], vec!["John Banda"], Some(1))]);
        // A report of the act is no speech of its victim.
        let a = analyze("John Banda was reported killed in Lusaka.");
        assert_eq!(acts(&a), [(Attack, vec![], vec!["John Banda"], Some(1))]);
        // A kinsman told by a possessive is one victim.
        let a = analyze("My brother was killed like an animal by two herdsmen.");
        assert_eq!(acts(&a), [(Attack, vec![], vec!["My brother"], Some(1))]);
        // Lynching, beheading, "tortured to death" are killings.
        let a = analyze("Activist Ahmed Kumara was lynched by an angry mob in Sialkot.");
        assert_eq!(
            acts(&a),
            [(Attack, vec!["an angry mob"], vec!["Ahmed Kumara"], Some(1))]
        );
        let a = analyze("Police said journalist Ahmed Ali was tortured to death in custody.");
        assert_eq!(acts(&a), [(Attack, vec![], vec!["Ahmed Ali"], Some(1))]);
        // A title is its person's, not another victim of a second act.
        let a = analyze("Journalist Ahmed Kumara was shot dead and his car was set on fire.");
        assert_eq!(
            slot_texts(&a, |e| &e.victims),
            ["Ahmed Kumara"],
            "{:?}",
            a.events
        );
        // Floods are nobody's agents.
        let a = analyze("Ten people were killed by floods in Kerala.");
        assert!(slot_texts(&a, |e| &e.perpetrators).is_empty());
        // "martyred" is a killing; the name in apposition is the victim
        // the noun describes, not a second one.
        let a = analyze("Labour leader Usman Ghani was martyred at the hands of terrorists.");
        assert_eq!(
            acts(&a),
            [(Attack, vec!["terrorists"], vec!["Usman Ghani"], Some(1))]
        );
        let a = analyze(
            "Border police shot an unarmed man with autism, Eyad al-Hallaq, after he fled.",
        );
        assert_eq!(
            acts(&a),
            [(
                Shooting,
                vec!["Border police"],
                vec!["Eyad al-Hallaq"],
                None
            )]
        );
        // Found dead with a mark of violence: a killing; without one, none.
        let a = analyze("Activist Maria Lopzera was found dead in her home with stab wounds.");
        assert_eq!(acts(&a), [(Attack, vec![], vec!["Maria Lopzera"], Some(1))]);
        let a = analyze("The singer was found dead in his hotel room after an overdose.");
        assert_eq!(acts(&a), []);
        // Two participles joined: the subject is the victim of both.
        let a = analyze("Karar Nushi was reportedly tortured and stabbed.");
        assert_eq!(
            acts(&a),
            [(
                vigil_core::EventType::Stabbing,
                vec![],
                vec!["Karar Nushi"],
                None
            )]
        );
        // Beside an arrest, a killing of suspects is the operation's toll;
        // of people, an act of its own.
        let a = analyze("Police arrested three militants and killed two in Kano.");
        assert_eq!(acts(&a), []);
        let a = analyze("The military had killed 946 people and arrested 7,051 protesters.");
        assert_eq!(
            acts(&a).first().map(|x| (x.0, x.3)),
            Some((Attack, Some(946)))
        );
        // A name the passive act makes a person's; "gunned down" is one
        // death.
        let a = analyze("After filing charges, Fabel Pineda was gunned down.");
        assert_eq!(
            acts(&a),
            [(Shooting, vec![], vec!["Fabel Pineda"], Some(1))]
        );
        // A relative closing the list of the killed.
        let a = analyze(
            "Doctor Mary Rose Sancelan and her husband Edwin were killed in \
             Guihulngan City.",
        );
        assert_eq!(
            acts(&a),
            [(
                Attack,
                vec![],
                vec!["Mary Rose Sancelan", "her husband Edwin"],
                Some(2)
            )]
        );
        // The subject of a relative clause commits its act.
        let a = analyze("The soldiers who killed three protesters were arrested.");
        assert_eq!(
            acts(&a),
            [(
                Attack,
                vec!["The soldiers"],
                vec!["three protesters"],
                Some(3)
            )]
        );
        // An apposition no comma closes, then "was" and the participle.
        let a = analyze(
            "Saba Dashtyari, a professor at the university and one of the greatest \
             poets was shot by unidentified gunmen in Quetta.",
        );
        assert_eq!(
            acts(&a),
            [(Shooting, vec!["gunmen"], vec!["Saba Dashtyari"], None)]
        );
    }

    #[test]
    fn an_agency_name_inside_a_longer_name_is_not_that_agency() {
        let names = |text: &str| -> Vec<String> {
            analyze(text).entities.into_iter().map(|e| e.name).collect()
        };
        // Nigeria's State Security Service is not MI5, the "Security Service".
        let got = names("John Smith was arrested by the State Security Service in Abuja.");
        assert!(!got.iter().any(|n| n == "MI5"), "{got:?}");
        // After a place or a nationality the agency is still itself.
        let got = names("Britain's Security Service warned of attacks.");
        assert!(got.iter().any(|n| n == "MI5"), "{got:?}");
        let got = names("The British Security Service warned of attacks.");
        assert!(got.iter().any(|n| n == "MI5"), "{got:?}");
        let got = names("The US State Department warned of attacks.");
        assert!(got.iter().any(|n| n == "State Department"), "{got:?}");
    }

    #[test]
    fn names_after_a_role_noun_are_people() {
        // The people of a text, with their roles ("" for none).
        let check = |text: &str, want: &[(&str, &str)]| {
            let a = analyze(text);
            let got: Vec<(&str, &str)> = a
                .entities
                .iter()
                .filter(|e| e.kind == vigil_core::EntityType::Person)
                .map(|e| (e.name.as_str(), e.role.as_deref().unwrap_or("")))
                .collect();
            assert_eq!(got, want, "{text}");
        };
        check(
            "It recalled the arrest of Reuters journalists Wa Lone and Kyaw Soe Oo in 2017.",
            &[
                ("Wa Lone", "Reuters journalists"),
                ("Kyaw Soe Oo", "Reuters journalists"),
            ],
        );
        check(
            "The army confirmed the arrest of veteran actor, Chiwetala Agu, in Onitsha.",
            &[("Chiwetala Agu", "veteran actor")],
        );
        // A nationality, a trade, a residence.
        check(
            "It condemned the lynching of Sri Lankan national Priyantha Kumara in Sialkot.",
            &[("Priyantha Kumara", "Sri Lankan national")],
        );
        check(
            "The body of Ghanaian domestic worker Faustina Tay was found in Beirut.",
            &[("Faustina Tay", "Ghanaian domestic worker")],
        );
        // An office in capitals before a name.
        check(
            "Its staff, including Executive Director Cheung Kim-hung, were also arrested.",
            &[("Cheung Kim-hung", "Executive Director")],
        );
        // A list after a dash, names with particles.
        check(
            "A court sentenced four men \u{2013} Akram al-Walidi, Hareth Hamid and \
             Tawfiq al-Mansouri \u{2013} to death.",
            &[
                ("Akram al-Walidi", ""),
                ("Hareth Hamid", ""),
                ("Tawfiq al-Mansouri", ""),
            ],
        );
        // A possessive ends a titled name.
        check(
            "Protests grew against Belarus dictator Alyaksandr Lukashenka's crackdown.",
            &[("Alyaksandr Lukashenka", "Belarus dictator")],
        );
        // A longer capitalised name is something else's.
        check(
            "Students Union Of Lagos State Teachers said the strike would go on.",
            &[],
        );
        // A surname glued to its particle, after a title.
        check(
            "Saudi activist Loujain al-Hathloul was jailed in May 2018.",
            &[("Loujain al-Hathloul", "Saudi activist")],
        );
    }

    #[test]
    fn an_attempt_is_at_the_act_it_governs() {
        use vigil_core::{EventType, Stage};
        let stages = |text: &str| -> Vec<(EventType, Stage)> {
            analyze(text)
                .events
                .iter()
                .map(|e| (e.kind, e.stage))
                .collect()
        };
        // "tried to kill": the "to" of the attempt, no threat.
        assert_eq!(
            stages("Gunmen tried to kill the mayor of Kaduna."),
            [(EventType::Attack, Stage::Attempted)]
        );
        assert_eq!(
            stages("Gunmen could try to kill the mayor of Kaduna."),
            [(EventType::Warning, Stage::Threatened)]
        );
        // An attempt to cover up a killing tells of a killing done.
        assert_eq!(
            stages("They exposed attempts to cover up the killing of activist Raman Bandarenka."),
            [(EventType::Attack, Stage::Accomplished)]
        );
    }

    #[test]
    fn a_threat_told_in_a_relative_clause_has_its_author() {
        let a = analyze("Police arrested a man who threatened to bomb the town hall in Lyon.");
        let warning = a
            .events
            .iter()
            .find(|e| e.kind == vigil_core::EventType::Warning)
            .expect("a warning");
        let authors: Vec<&str> = warning
            .perpetrators
            .iter()
            .map(|s| s.text.as_str())
            .collect();
        assert_eq!(authors, ["a man"]);
    }

    #[test]
    fn a_person_with_a_verb_of_their_own_is_no_victim_of_a_noun_after() {
        // (text, the named victims of its kidnappings and hostage takings.)
        for (text, want) in [
            (
                "He urged President Ahmed Bello to deal with the menace of kidnappings.",
                &[][..],
            ),
            (
                "The governor met President Ahmed Bello to brief him about the hostages.",
                &[],
            ),
            (
                "Juan Perez and Maria Lopez were among the hostages.",
                &["Juan Perez", "Maria Lopez"],
            ),
            (
                "Juan Perez, whose kidnapping shocked the country, was freed.",
                &["Juan Perez"],
            ),
        ] {
            let got: Vec<String> = analyze(text)
                .events
                .iter()
                .filter(|e| matches!(e.kind, EventType::Kidnapping | EventType::HostageTaking))
                .flat_map(|e| e.victims.iter().filter(|s| s.entity.is_some()))
                .map(|s| s.text.clone())
                .collect();
            assert_eq!(got, want, "{text}");
        }
    }

    #[test]
    fn whoever_is_responsible_for_an_act_did_it() {
        // (text, event type, its named perpetrators, its named victims.)
        for (text, kind, perpetrators, victims) in [
            (
                "Juan Perez was responsible for the kidnapping of Maria Lopez.",
                EventType::Kidnapping,
                &["Juan Perez"][..],
                &["Maria Lopez"][..],
            ),
            (
                "Police say Juan Perez is behind the brutal murder of Maria Lopez.",
                EventType::Attack,
                &["Juan Perez"],
                &["Maria Lopez"],
            ),
            (
                "They sought justice from Juan Perez Garcia and others responsible for \
                 the kidnapping of Maria Lopez.",
                EventType::Kidnapping,
                &["Juan Perez Garcia"],
                &["Maria Lopez"],
            ),
            // The phrase must lead from the person to the act.
            (
                "President Juan Perez acknowledges that the army was behind the murder \
                 of Maria Lopez.",
                EventType::Attack,
                &[],
                &["Maria Lopez"],
            ),
        ] {
            let a = analyze(text);
            let e = event_of(&a, kind, text);
            assert_eq!(named(&e.perpetrators), perpetrators, "{text}");
            assert_eq!(named(&e.victims), victims, "{text}");
        }
    }

    #[test]
    fn bail_denied_holds_whom_it_is_denied() {
        // (text, the people an arrest holds.)
        for (text, want) in [
            (
                "On Thursday, a court denied bail to the opposition politician Jacob \
                 Ngarivhume and journalist Hopewell Chin'ono.",
                &["Jacob Ngarivhume", "Hopewell Chin'ono"][..],
            ),
            (
                "Jacob Ngarivhume was denied bail on Friday.",
                &["Jacob Ngarivhume"],
            ),
            (
                "The magistrate refused bail to Jacob Ngarivhume.",
                &["Jacob Ngarivhume"],
            ),
        ] {
            let a = analyze(text);
            let e = event_of(&a, EventType::Arrest, text);
            let held: Vec<&str> = e.perpetrators.iter().map(|s| s.text.as_str()).collect();
            assert_eq!(held, want, "{text}");
        }
        // "denied" is still a denial beside another act.
        let a = analyze("Jacob Ngarivhume denied that he was arrested.");
        assert!(a.events.is_empty(), "{:?}", a.events);
    }

    #[test]
    fn a_verb_after_to_is_no_part_of_the_noun_phrase_after_it() {
        // ("to prevent rebels from advancing": the rebels kept from
        // acting are no slot at all, `those_kept_from_acting_did_not_act`.)
        assert_eq!(
            slots(
                "Powerful explosions, described as army actions to intimidate \
                 journalists, were heard in the capital."
            ),
            ["journalists"]
        );
        // An adjective after "to" stays: "to local journalists".
        assert_eq!(
            slots("A parcel bomb addressed to local journalists exploded in Lima."),
            ["local journalists"]
        );
    }

    #[test]
    fn attackers_harmed_are_victims_not_perpetrators() {
        // (text, perpetrators, victims) of the attack.
        for (text, perpetrators, victims) in [
            (
                "Soldiers killed five guerrillas in a clash near the border.",
                &["Soldiers"][..],
                &["five guerrillas"][..],
            ),
            (
                "The commander added that 393 guerrillas were killed and 310 wounded.",
                &[],
                &["393 guerrillas"],
            ),
            // "the people killed have been named": a participle, no act
            // of theirs.
            (
                "The names of the four people killed have been officially disclosed.",
                &[],
                &["the four people"],
            ),
            // Unchanged when the attackers harm others.
            (
                "Guerrillas killed two soldiers.",
                &["Guerrillas"],
                &["two soldiers"],
            ),
        ] {
            let a = analyze(text);
            let e = event_of(&a, EventType::Attack, text);
            let texts = |s: &[vigil_core::Slot]| -> Vec<String> {
                s.iter().map(|s| s.text.clone()).collect()
            };
            assert_eq!(texts(&e.perpetrators), perpetrators, "{text}");
            assert_eq!(texts(&e.victims), victims, "{text}");
        }
    }

    #[test]
    fn a_noun_that_describes_an_act_or_titles_a_group_names_no_one() {
        let slots = |text: &str| -> (Vec<String>, Vec<String>) {
            let a = analyze(text);
            let texts = |f: fn(&vigil_core::Event) -> &Vec<vigil_core::Slot>| {
                a.events
                    .iter()
                    .flat_map(|e| f(e).iter().map(|s| s.text.clone()))
                    .collect()
            };
            (texts(|e| &e.perpetrators), texts(|e| &e.victims))
        };
        // "terrorist action": what kind of act, not who did it.
        assert_eq!(
            slots("Four people were killed and 35 wounded in the terrorist action."),
            (vec![], vec!["Four people".to_string()])
        );
        // "the terrorist Shining Path": the group is the perpetrator.
        let (perpetrators, _) = slots("The terrorist Shining Path bombed a bridge in Ayacucho.");
        assert_eq!(perpetrators, ["Shining Path"]);
        // "which left | one policeman": the verb is no part of the victim.
        assert_eq!(
            slots("Terrorists bombed the office of El Siglo, which left one policeman injured.").1,
            ["one policeman"]
        );
    }

    #[test]
    fn a_thing_struck_before_a_noun_is_its_modifier() {
        let text = "Highway checkpoint soldiers killed two reporters near the capital.";
        let a = analyze(text);
        let e = event_of(&a, EventType::Attack, text);
        let perpetrators: Vec<&str> = e.perpetrators.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(perpetrators, ["Highway checkpoint soldiers"]);
        // Nor is the modifier a thing struck of its own.
        assert!(e.targets.is_empty(), "{:?}", e.targets);
    }

    #[test]
    fn the_dead_of_a_thwarted_attack_are_no_plotters() {
        for text in [
            "Ten people were killed during a thwarted attack on the police station in Kabul.",
            "Two guards died in a foiled attack on the embassy.",
        ] {
            let a = analyze(text);
            let perpetrators = slot_texts(&a, |e| &e.perpetrators);
            assert!(perpetrators.is_empty(), "{text}: {perpetrators:?}");
        }
        // Plotters named before a foiled attack still are.
        let a = analyze("Three suspects planned a foiled attack on the embassy.");
        assert_eq!(slot_texts(&a, |e| &e.perpetrators), ["Three suspects"]);
    }

    #[test]
    fn whom_another_act_moved_or_told_is_no_victim() {
        let victims = |text: &str| -> Vec<String> {
            // (A warning's own victims are whom it warns.)
            analyze(text)
                .events
                .iter()
                .filter(|e| e.kind.is_violent())
                .flat_map(|e| e.victims.iter().map(|s| s.text.clone()))
                .collect()
        };
        assert!(
            victims("Police evacuated residents after gunmen opened fire on a bus in Lahore.")
                .is_empty()
        );
        assert!(
            victims("Officials warned residents before militants bombed the market.").is_empty()
        );
        // The act's own object still is.
        assert_eq!(
            victims("Gunmen opened fire on residents in Lahore."),
            ["residents"]
        );
    }

    #[test]
    fn those_kept_from_acting_did_not_act() {
        // Kept from another act: neither perpetrators nor a thing struck.
        let text = "The army moved to prevent rebels from gathering near the town, \
                    where two explosions killed a guard.";
        let a = analyze(text);
        let e = event_of(&a, EventType::Bombing, text);
        assert!(e.perpetrators.is_empty(), "{:?}", e.perpetrators);
        assert!(e.targets.is_empty(), "{:?}", e.targets);
        // Kept from this act: its would-be perpetrators, and it was foiled.
        let text = "Troops stopped guerrillas from attacking the power station.";
        let a = analyze(text);
        let e = event_of(&a, EventType::Attack, text);
        assert_eq!(e.stage, vigil_core::Stage::Foiled);
        let perpetrators: Vec<&str> = e.perpetrators.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(perpetrators, ["guerrillas"]);
    }

    #[test]
    fn a_hostile_noun_before_a_body_of_fighters_is_part_of_its_name() {
        let perpetrators = |text: &str| -> Vec<String> {
            let a = analyze(text);
            slot_texts(&a, |e| &e.perpetrators)
                .into_iter()
                .map(String::from)
                .collect()
        };
        assert_eq!(
            perpetrators("Urban guerrilla commandos bombed a power pylon in San Miguel."),
            ["Urban guerrilla commandos"]
        );
        assert_eq!(
            perpetrators("Guerrilla units attacked the barracks."),
            ["Guerrilla units"]
        );
        // "a group of X": the group.
        assert_eq!(
            perpetrators("A group of heavily armed men kidnapped the mayor of Lima."),
            ["A group of heavily armed men"]
        );
        // "guerrilla positions": what was struck, not who struck.
        assert!(
            perpetrators("Soldiers killed two civilians near guerrilla positions.")
                .iter()
                .all(|p| !p.contains("guerrilla")),
        );
    }

    #[test]
    fn a_speaker_after_a_comma_is_no_victim() {
        let a = analyze(
            "The country wants all kidnapped schoolchildren back, President Muhammadu \
             Buhari assured on Monday.",
        );
        assert_eq!(slot_texts(&a, |e| &e.victims), ["schoolchildren"]);
    }

    #[test]
    fn a_pronoun_held_is_the_person_last_named() {
        let held = |text: &str| -> Vec<String> {
            analyze(text)
                .events
                .iter()
                .filter(|e| e.kind == vigil_core::EventType::Arrest)
                .flat_map(|e| e.perpetrators.iter().map(|s| s.text.clone()))
                .collect()
        };
        assert_eq!(
            held("Journalist Omar Radi criticised the judge. He was arrested in Casablanca."),
            ["Omar Radi"]
        );
        assert_eq!(
            held("Journalist Omar Radi criticised the judge. Police arrested him on Monday."),
            ["Omar Radi"]
        );
        // The unsaid subject of "after being detained".
        assert_eq!(
            held("Ahmed Ali was released on bail after being detained for three days."),
            ["Ahmed Ali"]
        );
        // Not a speaker: no one is named as held.
        assert!(
            held("Police chief Ahmed Ali said the suspect fled. He was arrested later.").is_empty()
        );
    }

    #[test]
    fn an_act_denied_is_no_event() {
        for text in [
            "The suspects were never arrested.",
            "No one has been arrested for the killing.",
            "Police have not yet detained the gunmen.",
            "None of the suspects were arrested.",
        ] {
            assert_no_arrest(&analyze(text), text);
        }
        // An arrest asked for is threatened, no one is held.
        for text in [
            "Activists demanded the arrest of officer John Smith.",
            "Rights groups called for the arrest of Captain John Smith.",
        ] {
            let a = analyze(text);
            let stages: Vec<_> = a.events.iter().map(|e| (e.kind, e.stage)).collect();
            assert_eq!(
                stages,
                [(vigil_core::EventType::Arrest, vigil_core::Stage::Threatened)],
                "{text}"
            );
        }
        // A negation of another verb leaves the act.
        let a = analyze("Police did not prevent the bombing of the church in Kaduna.");
        assert_eq!(a.events.len(), 1, "{:?}", a.events);
    }

    #[test]
    fn an_arrest_beside_a_killing_keeps_its_own_people_and_count() {
        use vigil_core::EventType::{Arrest, Attack, Shooting};
        // (type, perpetrators, victims, killed, arrested) of every event.
        let acts = |text: &str| {
            analyze(text)
                .events
                .iter()
                .map(|e| {
                    let texts = |s: &[vigil_core::Slot]| {
                        s.iter().map(|s| s.text.clone()).collect::<Vec<_>>()
                    };
                    (
                        e.kind,
                        texts(&e.perpetrators),
                        texts(&e.victims),
                        e.killed,
                        e.arrested,
                    )
                })
                .collect::<Vec<_>>()
        };
        let none: Vec<String> = Vec::new();
        assert_eq!(
            acts(
                "Since the coup, the military has killed 946 people and arrested 7,051 in Myanmar."
            ),
            [
                (
                    Attack,
                    none.clone(),
                    vec!["946 people".to_string()],
                    Some(946),
                    None
                ),
                (Arrest, none.clone(), none.clone(), None, Some(7051)),
            ]
        );
        assert_eq!(
            acts("Police shot dead two protesters and arrested five students in Lagos."),
            [
                (
                    Shooting,
                    vec!["Police".to_string()],
                    vec!["two protesters".to_string()],
                    Some(2),
                    None
                ),
                (
                    Arrest,
                    vec!["five students".to_string()],
                    none.clone(),
                    None,
                    Some(5)
                ),
            ]
        );
        // The suspects killed in an operation are its toll.
        assert_eq!(
            acts("Police arrested three suspects and killed two in Lagos."),
            [(
                Arrest,
                vec!["three suspects".to_string()],
                none,
                Some(2),
                Some(3)
            )]
        );
    }

    #[test]
    fn a_street_is_not_the_place_it_is_named_after() {
        let places = |text: &str| -> Vec<String> {
            analyze(text)
                .entities
                .iter()
                .filter(|e| e.kind.is_place())
                .map(|e| e.name.clone())
                .collect()
        };
        assert_eq!(
            places("Malik Erskine was shot on Roosevelt Avenue in Queens."),
            ["Roosevelt Avenue", "Queens"]
        );
        assert_eq!(
            places("A bomb exploded on Kandahar Road in Kabul."),
            ["Kabul"]
        );
        // A place that ends the text has no word after it to look at.
        assert_eq!(places("The blast hit Kandahar"), ["Kandahar"]);
        // A landmark is where its town is.
        assert_eq!(
            places("A bomb exploded near Cologne Cathedral."),
            ["Cologne Cathedral", "Cologne"]
        );
    }

    #[test]
    fn a_text_named_after_a_place_places_nothing_there() {
        let names = |text: &str, place: bool| -> Vec<String> {
            analyze(text)
                .entities
                .iter()
                .filter(|e| e.kind.is_place() == place)
                .map(|e| e.name.clone())
                .collect()
        };
        for text in [
            "The Panama Papers named him in 2016.",
            "Leaders left the Paris Agreement.",
            "The Oslo Accords collapsed.",
            "The Minsk Agreements were breached.",
            "The Kyoto Protocol lapsed.",
            "Both sides broke the Geneva Conventions.",
        ] {
            assert_eq!(names(text, true), Vec::<String>::new(), "{text}");
        }
        // Nor is a leak's name a person.
        assert_eq!(
            names("The Pandora Papers named him.", false),
            Vec::<String>::new()
        );
        // The place is still read where the text is not its name.
        assert_eq!(
            names("Gunmen attacked a bus in Panama. Papers were burnt.", true),
            ["Panama"]
        );
        assert_eq!(
            names("A bomb exploded in Paris on Monday.", true),
            ["Paris"]
        );
    }

    #[test]
    fn a_big_city_after_a_given_name_is_a_surname() {
        let a = analyze(
            "Malta's prime minister, Joseph Muscat, will resign. Three members of \
             Muscat\u{2019}s administration stepped down.",
        );
        let kinds: Vec<(EntityType, &str, usize)> = a
            .entities
            .iter()
            .map(|e| (e.kind, e.name.as_str(), e.mentions.len()))
            .collect();
        assert_eq!(
            kinds,
            [
                (EntityType::Country, "Malta", 1),
                (EntityType::Person, "Joseph Muscat", 2)
            ]
        );
        // Without a given name before it, the city is the city.
        let a = analyze("A bomb exploded in Muscat on Monday.");
        let places: Vec<&str> = a
            .entities
            .iter()
            .filter(|e| e.kind.is_place())
            .map(|e| e.name.as_str())
            .collect();
        assert_eq!(places, ["Muscat"]);
    }

    #[test]
    fn an_act_that_took_a_life_is_fatal_with_or_without_a_toll() {
        // (text, killed, fatal) of the only violent event.
        for (text, killed, fatal) in [
            // A death the text does not count.
            (
                "Gunmen attacked a police station in Kabul, killing several officers.",
                None,
                true,
            ),
            (
                "The journalist was murdered in Kabul on Monday.",
                Some(1),
                true,
            ),
            (
                "Police death squads have murdered thousands in Caracas.",
                None,
                true,
            ),
            // A death is worth an event though no one named is known.
            (
                "After filing rape charges, Fabel was gunned down.",
                None,
                true,
            ),
            (
                "Relatives said Chima was tortured to death by the unit.",
                None,
                true,
            ),
            // Denied deaths are a toll of zero, and no death.
            (
                "No one was killed in the bombing of the market in Kabul.",
                Some(0),
                false,
            ),
            (
                "Nobody was killed when gunmen attacked a police station in Kabul.",
                Some(0),
                false,
            ),
            (
                "There were no deaths after a bomb exploded in Kabul.",
                Some(0),
                false,
            ),
            // A denial of another verb denies no death.
            (
                "Gunmen killed two farmers in Mutare. Nobody has claimed the killing.",
                Some(2),
                true,
            ),
            // Nobody died, or the act was not carried out.
            (
                "Gunmen attacked a police station in Kabul on Monday.",
                None,
                false,
            ),
            ("Gunmen tried to kill the mayor of Kabul.", None, false),
            (
                "A bomb exploded in Kabul, wounding three people.",
                None,
                false,
            ),
        ] {
            let a = analyze(text);
            let violent: Vec<_> = a
                .events
                .iter()
                .filter(|e| e.kind.is_violent())
                .map(|e| (e.killed, e.fatal))
                .collect();
            assert_eq!(violent, [(killed, fatal)], "{text}: {:?}", a.events);
        }
    }

    #[test]
    fn the_owner_of_a_murder_or_an_arrest_is_its_victim_or_held() {
        // (text, event type, its perpetrators (the held, for the law), its victims).
        for (text, kind, perpetrators, victims) in [
            (
                "Video of Nikki Stone's arrest spread quickly.",
                EventType::Arrest,
                &["Nikki Stone"][..],
                &[][..],
            ),
            (
                "The UN condemned Jamal Khashoggi\u{2019}s brutal murder.",
                EventType::Attack,
                &[],
                &["Jamal Khashoggi"],
            ),
            (
                "Maria Kolesnikova's kidnapping shocked the country.",
                EventType::Kidnapping,
                &[],
                &["Maria Kolesnikova"],
            ),
            // The owner of an attack, or of an arrest "of" someone, acts.
            (
                "Vladimir Putin's attack on Ukraine killed thousands of civilians.",
                EventType::Attack,
                &[],
                &[],
            ),
            (
                "Police chief John Smith's arrest of Maria Kolesnikova was condemned.",
                EventType::Arrest,
                &["Maria Kolesnikova"],
                &[],
            ),
        ] {
            let a = analyze(text);
            let e = event_of(&a, kind, text);
            assert_eq!(named(&e.perpetrators), perpetrators, "{text}");
            assert_eq!(named(&e.victims), victims, "{text}");
        }
    }

    #[test]
    fn a_name_that_hangs_off_another_word_is_not_who_the_act_is_done_to() {
        // (text, event type, its perpetrators (the held, for the law), its
        // victims; every slot's text, named or not).
        for (text, kind, perpetrators, victims) in [
            // The agent after "by" did it.
            (
                "Jamal Khashoggi was killed by Maher Mutreb in Istanbul.",
                EventType::Attack,
                &["Maher Mutreb"][..],
                &["Jamal Khashoggi"][..],
            ),
            (
                "Juan Perez was shot dead by Pedro Gomez.",
                EventType::Shooting,
                &["Pedro Gomez"],
                &["Juan Perez"],
            ),
            // The agent of another verb neither did it nor suffered it.
            (
                "The killing of activist Juan Perez was condemned by President Pedro Gomez.",
                EventType::Attack,
                &[],
                &["Juan Perez"],
            ),
            // A relative's or a critic's "of": the act is done to the
            // relative, the critic.
            (
                "The wife of opposition leader Juan Perez was kidnapped on Monday.",
                EventType::Kidnapping,
                &[],
                &["The wife of opposition leader Juan Perez"],
            ),
            (
                "Police arrested a critic of President Alexander Lukashenko.",
                EventType::Arrest,
                &["a critic of President Alexander Lukashenko"],
                &[],
            ),
            // A ruler under whom, or whose regime, it happened.
            (
                "Juan Perez was shot dead under the regime of President Pedro Gomez.",
                EventType::Shooting,
                &[],
                &["Juan Perez"],
            ),
            (
                "Maria Kolesnikova was arrested under President Alexander Lukashenko.",
                EventType::Arrest,
                &["Maria Kolesnikova"],
                &[],
            ),
            (
                "Lukashenko's supporters attacked Maria Kolesnikova.",
                EventType::Attack,
                &["Lukashenko's supporters"],
                &["Maria Kolesnikova"],
            ),
        ] {
            let a = analyze(text);
            let e = event_of(&a, kind, text);
            let texts = |slots: &[vigil_core::Slot]| -> Vec<String> {
                slots.iter().map(|s| s.text.clone()).collect()
            };
            assert_eq!(texts(&e.perpetrators), perpetrators, "{text}");
            assert_eq!(texts(&e.victims), victims, "{text}");
        }
    }

    #[test]
    fn a_speaker_outside_the_quotation_is_no_victim_a_name_inside_it_is() {
        // (text, the kidnappings' victims named by an entity).
        for (text, victims) in [
            (
                "The four kidnapped were identified \"as Chrisstan Gustolf of Germany \
                 and Cindar Fernado of Mexico,\" a statement said.",
                &["Chrisstan Gustolf", "Cindar Fernado"][..],
            ),
            (
                "\"Three students were kidnapped in Kabul,\" said Sima Ahmadi.",
                &[],
            ),
            (
                "\u{201c}Three students were kidnapped in Kabul,\u{201d} said Sima Ahmadi.",
                &[],
            ),
            (
                "Sima Ahmadi said: \"Three students were kidnapped in Kabul.\"",
                &[],
            ),
            (
                "One of them called the leader \u{201c}Captain Sima\u{201d}\u{2014}into \
                 their kidnapping plot.",
                &[],
            ),
        ] {
            let a = analyze(text);
            let named: Vec<&str> = a
                .events
                .iter()
                .filter(|e| e.kind == EventType::Kidnapping)
                .flat_map(|e| &e.victims)
                .filter(|s| s.entity.is_some())
                .map(|s| s.text.as_str())
                .collect();
            assert_eq!(named, victims, "{text}: {:?}", a.events);
        }
    }

    #[test]
    fn an_arrest_says_what_act_of_violence_it_holds_people_for() {
        // (text, the crime of its arrest or conviction).
        for (text, crime) in [
            (
                "Ukrainian police have detained five people, including a surgeon, \
                 over the killing of an investigative journalist in July 2016.",
                Some(EventType::Attack),
            ),
            (
                "Police arrested two men in connection with the kidnapping of a girl.",
                Some(EventType::Kidnapping),
            ),
            (
                "A court in Stockholm sentenced a man and a woman to ten and eight \
                 years in prison for attempted murder.",
                Some(EventType::Attack),
            ),
            (
                "Police arrested three men on suspicion of the bombing of a mosque in Lahore.",
                Some(EventType::Bombing),
            ),
            // What the held did is no violence, or violence is only
            // what they reported.
            (
                "Police arrested journalist Omar Radi in Casablanca for insulting a judge.",
                None,
            ),
            (
                "Khaled Drareni was sentenced to three years in prison for filming \
                 police attacking demonstrators.",
                None,
            ),
            ("Police arrested two suspects in Lahore on Monday.", None),
        ] {
            let a = analyze(text);
            let e = a
                .events
                .iter()
                .find(|e| matches!(e.kind, EventType::Arrest | EventType::Conviction))
                .unwrap_or_else(|| panic!("no arrest in {text:?}: {:?}", a.events));
            assert_eq!(e.crime, crime, "{text}");
            // Only the law's acts have a crime.
            assert!(
                a.events
                    .iter()
                    .filter(|e| !matches!(
                        e.kind,
                        EventType::Arrest | EventType::Conviction | EventType::Raid
                    ))
                    .all(|e| e.crime.is_none()),
                "{text}: {:?}",
                a.events
            );
        }
    }

    #[test]
    fn names_the_context_makes_people() {
        // The people of a text, in order.
        let check = |text: &str, want: &[&str]| {
            let a = analyze(text);
            let got: Vec<&str> = a
                .entities
                .iter()
                .filter(|e| e.kind == vigil_core::EntityType::Person)
                .map(|e| e.name.as_str())
                .collect();
            assert_eq!(got, want, "{text}");
        };
        // "identified as", a person from a place ("X of Germany"), not one
        // long name ending in the country.
        check(
            "The two kidnapped were identified as Chrisstan Gustolf of Germany and \
             Catherine Wen Sirua of Kenya.",
            &["Chrisstan Gustolf", "Catherine Wen Sirua"],
        );
        // Over a quotation mark.
        check(
            "They were identified \"as Chrisstan Gustolf of Germany and Cindar Fernado \
             of Mexico,\" a statement said.",
            &["Chrisstan Gustolf", "Cindar Fernado"],
        );
        // Two one-word names joined by "and", arrested: two people; two
        // towns attacked stay towns.
        check(
            "The office was raided, following which Krishnaswamy and Jeevanandam \
             were arrested.",
            &["Krishnaswamy", "Jeevanandam"],
        );
        check("Officials said Kabul and Kandahar were attacked.", &[]);
        // Two names of two words each, at the start of a sentence; bodies
        // joined the same way stay none.
        check(
            "Nduka Irabor and Tunde Thompson were jailed for refusing to name a source.",
            &["Nduka Irabor", "Tunde Thompson"],
        );
        check("Border Police and Army Rangers were killed.", &[]);
        // A title word opening an institution's name opens no person.
        check(
            "The five who were arrested are members of the General Association of \
             Hong Kong Speech Therapists, General Juan Perez said.",
            &["Juan Perez"],
        );
        // An outlet's name then a person: "and" ends the outlet.
        check(
            "Two journalists, Abdiaziz Ahmed Gurbiye from Goobjoog Media and Mohamed \
             Abduwahab Abuuja, were jailed.",
            &["Abdiaziz Ahmed Gurbiye", "Mohamed Abduwahab Abuuja"],
        );
        // An age not closed by a comma.
        check(
            "They are accused of abducting Md Sohel Rana, 39 in front of a supermarket.",
            &["Md Sohel Rana"],
        );
        // In apposition after a noun for a person.
        check(
            "Police shot an unarmed man with autism, Eyad al-Hallaq, after he fled.",
            &["Eyad al-Hallaq"],
        );
        // One of a plural, in apposition.
        check(
            "Another of the detained former lawmakers, Lam Cheuk-ting, was arrested in August.",
            &["Lam Cheuk-ting"],
        );
        check("The lawmakers, Lam Cheuk-ting and others, met.", &[]);
        // A list after "identified as": every item, one word or more, with
        // an age or where the person is from.
        check(
            "Police arrested five workers who were identified as Muhammad Salam, Idrees, \
             Bilal, Sajjadul Hassan of Pakistan, and Aimal, 35.",
            &[
                "Muhammad Salam",
                "Idrees",
                "Bilal",
                "Sajjadul Hassan",
                "Aimal",
            ],
        );
        // A one-word feast's name is a surname after a role.
        check(
            "Security forces attacked human rights lawyer Gamal Eid in Cairo.",
            &["Gamal Eid"],
        );
        // A two-word town inside a longer name; "leader" before a name; a
        // later mention by the name's last two words is the same person.
        check(
            "The army put Aung San Suu Kyi under house arrest. Suu Kyi denied the charges.",
            &["Aung San Suu Kyi"],
        );
        check(
            "ISIS leader Abu Bakr al-Baghdadi was killed in a raid.",
            &["Abu Bakr al-Baghdadi"],
        );
        // No person: a law, a street after "on", a factory, a day.
        check(
            "He was charged under the Official Secrets Act on Human Rights Day.",
            &[],
        );
        check(
            "Police shot Malik Erskine on Roosevelt Avenue in Queens.",
            &["Malik Erskine"],
        );
        check(
            "Workers at the Haft Tappeh Sugarcane Factory were arrested.",
            &[],
        );
        // Two surnames joined by "and" are no one person.
        check("El-Baqer and Ibrahim were arrested in Cairo.", &[]);
        // None of these: an institution's name, a place after a comma.
        check(
            "Students of the University of Balochistan protested in Quetta, Pakistan.",
            &[],
        );
    }

    #[test]
    fn a_name_after_known_as_is_the_persons() {
        let a = analyze(
            "Police arrested Chukwudumeme Onwuamadike -- also known as \u{201c}Evans\u{201d} \
             -- at his Lagos home. Evans\u{2019} arrest was welcomed.",
        );
        let kinds: Vec<(&str, vigil_core::EntityType)> = a
            .entities
            .iter()
            .map(|e| (e.name.as_str(), e.kind))
            .collect();
        assert!(
            !kinds.iter().any(|(n, _)| *n == "Evans"),
            "Evans is no town: {kinds:?}"
        );
        let person = a
            .entities
            .iter()
            .find(|e| e.name == "Chukwudumeme Onwuamadike")
            .expect("the person");
        assert_eq!(person.mentions.len(), 3, "{:?}", person.mentions);
        let arrests = a
            .events
            .iter()
            .filter(|e| e.kind == vigil_core::EventType::Arrest)
            .count();
        assert_eq!(arrests, 1, "{:?}", a.events);
    }

    #[test]
    fn a_threatened_arrest_holds_no_one() {
        use vigil_core::{EventType, Stage};
        let arrests = |text: &str| {
            analyze(text)
                .events
                .iter()
                .filter(|e| e.kind == EventType::Arrest)
                .map(|e| e.stage)
                .collect::<Vec<_>>()
        };
        for text in [
            "Police threatened to arrest anyone who joined the protest in Minsk.",
            "He could be arrested if he returns to Minsk.",
            "The journalist faces arrest in Minsk.",
        ] {
            assert_eq!(arrests(text), [Stage::Threatened], "{text}");
        }
        assert_eq!(
            arrests("Police arrested the journalist in Minsk on Monday."),
            [Stage::Accomplished]
        );
    }
}
