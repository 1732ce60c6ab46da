//! Event extraction: triggers from `data/lexicon/triggers.tsv`, typed and
//! staged by their clause, with role fillers, counts, dates and attribution
//! read from the same clause (falling back to the sentence).
//!
//! Rules of thumb, each a documented decision:
//! - A violent trigger under planning ("planning to attack") is a `plot`;
//!   under a modal or a warning ("may attack", "capability and intent to
//!   attack") a `warning` with stage `threatened`; with an arrest in the same
//!   sentence, the plot is `foiled`.
//! - Casualty words ("killed", "one death") give counts to the violent event
//!   of their clause, and make an `attack` only when no other event is there.
//! - Weak triggers ("strike", "target", "concern") need support in their
//!   clause: an armed group, a weapon, a casualty or a threat cue.

use std::ops::Range;

use vigil_core::{DateValue, EntityType, Event, EventType, Mention, Slot, Span, Stage};

use crate::context::Ctx;
use crate::dates::DateMention;
use crate::entities::Entities;
use crate::lexicon::{NounRole, Trigger};
use crate::resources::Resources;
use crate::words;

const FOILED: &[&str] = &[
    "foiled",
    "thwarted",
    "prevented",
    "disrupted",
    "averted",
    "foil",
    "thwart",
    "defeated",
    "intercepted",
    "dismantled",
];
const ATTEMPTED: &[&str] = &[
    "attempted",
    "attempt",
    "attempting",
    "attempts",
    "tried",
    "trying",
    "failed",
];
/// The perpetrator of an act told in a relative clause of its subject:
/// "a man who threatened to bomb the town hall", "Anis Amri, who drove a
/// truck into the market". Only when the relative pronoun stands right
/// before the act's verb (or its "to", an adverb or "had").
fn relative_subject(
    ctx: &Ctx,
    res: &Resources,
    ents: &Entities,
    floor: usize,
    trigger: usize,
    ev: &mut Event,
) {
    if !ev.perpetrators.is_empty() {
        return;
    }
    let mut who = trigger;
    while who > floor && trigger - who < 3 {
        who -= 1;
        let w = &ctx.lower[who];
        if w == "who" {
            break;
        }
        if !(matches!(w, "had" | "has" | "have" | "allegedly" | "reportedly")
            || w.ends_with("ed") && ctx.lower.get(who + 1) == Some("to"))
        {
            return;
        }
    }
    if &ctx.lower[who] != "who" || who <= floor {
        return;
    }
    // Over the comma of "X, who …".
    let mut end = who;
    if &ctx.lower[end - 1] == "," {
        end -= 1;
    }
    let Some(last) = end.checked_sub(1).filter(|&l| l >= floor) else {
        return;
    };
    if let Some((e, toks)) = ents.person_at(last) {
        push_unique(&mut ev.perpetrators, slot_for_entity(ctx, ents, e, toks));
        return;
    }
    // "a man", "two gunmen", "the soldiers": a noun for people of the
    // lexicon (whatever its usual role: the soldiers who killed are no
    // victims).
    let noun = (last.saturating_sub(2).max(floor)..=last).find_map(|t| {
        res.lexicon
            .nouns
            .longest_at(&ctx.lower, t)
            .filter(|(len, role)| t + len == last + 1 && **role != NounRole::Target)
            .map(|(len, _)| (t, len))
    });
    if let Some((t, len)) = noun {
        let phrase = noun_phrase(ctx, res, ents, t, t + len, floor);
        let slot = text_slot(ctx, phrase);
        ev.victims.retain(|v| v.span != slot.span);
        push_unique(&mut ev.perpetrators, slot);
    }
}

/// The person an act names only by a pronoun or not at all, in mixed-case
/// text: the pronoun subject of a passive act ("He was arrested in May"
/// after a sentence naming him) or its object ("police arrested him") is
/// the last person named in the 80 tokens before, not as a speaker ("…,
/// X said."); the unsaid subject of "after being detained" is the person
/// who opens the sentence ("X was released on bail after being detained").
fn implied_subject(
    ctx: &Ctx,
    res: &Resources,
    ents: &Entities,
    floor: usize,
    trigger: usize,
) -> Option<Slot> {
    if !ctx.case.informative() {
        return None;
    }
    let subject = (floor..trigger).find(|&p| {
        matches!(&ctx.lower[p], "he" | "she")
            && (p == floor
                || !ctx.is_word(p - 1)
                || matches!(
                    &ctx.lower[p - 1],
                    "and" | "but" | "when" | "after" | "before" | "as" | "while" | "until"
                ))
            && passive_between(ctx, res, ents, p + 1, trigger)
    });
    // "police arrested him": the object, named before this clause (whoever
    // the clause names before the verb acts).
    let object = || {
        let len = res
            .lexicon
            .triggers
            .longest_at(&ctx.lower, trigger)
            .map_or(1, |(len, _)| len);
        matches!(ctx.lower.get(trigger + len), Some("him" | "her")).then_some(floor)
    };
    // "X was released after being detained": the subject of the
    // sentence's verb, named at the clause's start.
    let being = || {
        let b = trigger
            .checked_sub(1)
            .filter(|&b| &ctx.lower[b] == "being")?;
        let c = b.checked_sub(1)?;
        matches!(
            &ctx.lower[c],
            "after" | "before" | "since" | "following" | "upon" | "while" | "without"
        )
        .then_some(c)
    };
    if let Some(c) = subject.is_none().then(being).flatten() {
        let sentence = ctx.tok_sent.get(c).and_then(|&s| ctx.sent_toks.get(s))?;
        let (e, toks) = (sentence.start..c).find_map(|j| ents.person_at(j))?;
        // The name opens the sentence (after a title or an article at
        // most) and acts in it: "X was released", "X, 34, died".
        if toks.start > sentence.start + 3 {
            return None;
        }
        return Some(slot_for_entity(ctx, ents, e, toks));
    }
    let p = subject.or_else(object)?;
    let mut j = p;
    while j > p.saturating_sub(80) {
        j -= 1;
        let Some((e, toks)) = ents.person_at(j) else {
            continue;
        };
        // (The mention up to `j`: a name that `p` cuts is not its own
        // antecedent.)
        let toks = toks.start..j + 1;
        let speaker = ctx.lower.get(j + 1).is_some_and(words::is_speech_verb)
            || toks
                .start
                .checked_sub(1)
                .is_some_and(|b| words::is_speech_verb(&ctx.lower[b]));
        if !speaker {
            return Some(slot_for_entity(ctx, ents, e, toks));
        }
        j = toks.start;
    }
    None
}

/// True when the verb at `t` tells a sentence passed, no trigger of the
/// lexicon: "condemned leading rights activist Osman Kavala to life in
/// prison" ("condemned … to" life, death, prison, jail or a number),
/// "received a three-year sentence", "was handed a life sentence", "has
/// received the longest prison sentence" (the
/// verb, then only articles, numbers and words of a sentence's kind before
/// "sentence").
fn sentence_verb(ctx: &Ctx, t: usize, end: usize) -> bool {
    match &ctx.lower[t] {
        "condemned" => (t + 1..(t + 9).min(end)).any(|j| {
            &ctx.lower[j] == "to"
                && ctx.lower.get(j + 1).is_some_and(|w| {
                    matches!(w, "life" | "death" | "prison" | "jail")
                        || words::number_value(w).is_some() && w != "a"
                })
        }),
        "received" | "receives" | "handed" | "given" | "got" => {
            (t + 1..(t + 5).min(end)).any(|j| {
                matches!(&ctx.lower[j], "sentence" | "sentences")
                    && (t + 1..j).all(|k| {
                        // ("a 10-year sentence": "10", "-year" or "-", "year".)
                        matches!(
                            &ctx.lower[k],
                            "a" | "an"
                                | "the"
                                | "his"
                                | "her"
                                | "their"
                                | "life"
                                | "prison"
                                | "jail"
                                | "death"
                                | "suspended"
                                | "heavy"
                                | "harsh"
                                | "harshest"
                                | "long"
                                | "longest"
                                | "lengthy"
                                | "maximum"
                                | "stiff"
                                | "severe"
                                | "-"
                                | "year"
                                | "month"
                        ) || ctx.lower[k].ends_with("-year")
                            || ctx.lower[k].ends_with("-month")
                            || words::number_value(&ctx.lower[k]).is_some()
                    })
            })
        }
        _ => false,
    }
}

/// A verb of violence whose object comes before "to death": "beat two
/// activists to death", "hacked the farmer and his wife to death" (the
/// lexicon has the forms without an object, "beaten to death").
fn to_death(ctx: &Ctx, t: usize, end: usize) -> bool {
    matches!(
        &ctx.lower[t],
        "beat"
            | "beats"
            | "beating"
            | "hacked"
            | "stoned"
            | "tortured"
            | "burned"
            | "burnt"
            | "clubbed"
            | "kicked"
            | "bludgeoned"
            | "battered"
    ) && (t + 2..(t + 9).min(end)).any(|j| {
        &ctx.lower[j] == "to"
            && ctx.lower.get(j + 1) == Some("death")
            && (t + 1..j).all(|k| !matches!(&ctx.lower[k], "." | ";" | ":" | "?" | "!" | "\""))
    })
}

/// True when `range` names suspects: "suspects", "kidnappers", or a
/// lexicon noun for perpetrators ("militants", "gunmen").
fn names_suspects(ctx: &Ctx, res: &Resources, range: Range<usize>) -> bool {
    range.clone().any(|j| {
        matches!(
            &ctx.lower[j],
            "suspect" | "suspects" | "criminals" | "robbers" | "kidnappers"
        )
    }) || has_noun(ctx, res, range, NounRole::Perpetrator)
}

/// True when the verb at `t` is denied: a negation ("not", "never",
/// "nobody", "no one") before it with only auxiliaries and adverbs between
/// ("were never arrested", "has not yet been charged"), or "none of" opening
/// its subject ("none of the suspects were charged"); never across another
/// verb ("did not prevent the attack": the attack happened).
fn negated(ctx: &Ctx, floor: usize, t: usize) -> bool {
    let mut j = t;
    while j > floor && t - j < 6 {
        j -= 1;
        let w = &ctx.lower[j];
        if matches!(w, "not" | "never" | "n't" | "nobody" | "none")
            || w == "one" && j > floor && &ctx.lower[j - 1] == "no"
        {
            return true;
        }
        let aux = matches!(
            w,
            "been" | "be" | "being" | "yet" | "ever" | "did" | "does" | "do"
        ) || AUXILIARIES.contains(&w)
            || w.ends_with("ly") && w.len() > 4;
        if !aux {
            // "none of the suspects were": the negation opens the subject.
            return (floor.max(j.saturating_sub(4))..j)
                .any(|k| &ctx.lower[k] == "of" && k > floor && &ctx.lower[k - 1] == "none");
        }
    }
    false
}

/// Verbs whose attempt concerns an act already done ("tried to cover up
/// the murder"), not an attempt at the act.
const ATTEMPTS_AT_OTHERS: &[&str] = &[
    "cover",
    "conceal",
    "hide",
    "stop",
    "prevent",
    "halt",
    "thwart",
    "avert",
    "justify",
    "explain",
    "investigate",
    "solve",
    "deny",
    "blame",
    "downplay",
    "whitewash",
];
const PLANNED: &[&str] = &[
    "planning",
    "plotting",
    "plans",
    "planned",
    "plan",
    "preparing",
    "prepared",
    "intending",
    "conspiring",
    "organized",
    "organised",
];
const MODAL: &[&str] = &[
    "may",
    "might",
    "could",
    "will",
    "would",
    "can",
    "likely",
    "capability",
    "intent",
    "intends",
    "threat",
    "threatens",
    "threatened",
    "warned",
    "warns",
    "warning",
    "fear",
    "fears",
    "feared",
    "concern",
    "concerns",
    "concerned",
    "risk",
    "possible",
    "potential",
    "encourage",
    "inspire",
    "target",
    "seeks",
];

/// Verbs whose object names attacks as a subject of study or interest,
/// not as events ("researched vehicle attacks", "watched videos of
/// beheadings").
const STUDY_VERBS: &[&str] = &[
    "researched",
    "researching",
    "researches",
    "studied",
    "studying",
    "searched",
    "searching",
    "googled",
    "watched",
    "watching",
    "glorified",
    "glorifying",
    "tracks",
    "tracking",
    "monitors",
    "monitoring",
];

/// Acts of violence and acts of the law against their authors: in "police
/// detained five people over the killing of a journalist in July 2016",
/// the date is the killing's, not the detention's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Violence,
    Law,
    Other,
}

impl Family {
    fn of(kind: EventType) -> Family {
        match kind {
            EventType::Arrest | EventType::Raid | EventType::Conviction => Family::Law,
            k if k.is_violent() => Family::Violence,
            _ => Family::Other,
        }
    }
}

/// Where an event's trigger is, for the slots of the events beside it.
struct TriggerAt {
    sentence: usize,
    token: usize,
    family: Family,
}

/// An event being built, with the token range of its clause.
struct Draft {
    event: Event,
    clause: Range<usize>,
    sentence: usize,
    trigger: usize,
    /// Told as another time's event ("The assault came two weeks after
    /// militants ambushed a convoy"): never merged with the events around.
    another_time: bool,
    /// A definite generic reference ("The attack in the Bannu district was
    /// claimed by …"): merges with the violent event just reported,
    /// whatever its type; "his arrest", "reports of the arrest": with the
    /// arrest reported up to five sentences before.
    definite: bool,
}

pub fn extract(
    ctx: &Ctx,
    res: &Resources,
    ents: &Entities,
    dates: &[DateMention],
    quotes: &[vigil_core::Quote],
) -> Vec<Event> {
    let mut drafts: Vec<Draft> = Vec::new();
    for (s, range) in ctx.sent_toks.iter().enumerate() {
        let sentence_has_arrest = range.clone().any(|t| {
            res.lexicon
                .triggers
                .longest_at(&ctx.lower, t)
                .is_some_and(|(_, tr)| tr.kind == EventType::Arrest)
        });
        for clause in clauses(ctx, res, range.clone()) {
            sentence_events(ctx, res, ents, s, clause, sentence_has_arrest, &mut drafts);
        }
    }
    let triggers: Vec<TriggerAt> = drafts
        .iter()
        .map(|d| TriggerAt {
            sentence: d.sentence,
            token: d.trigger,
            family: Family::of(d.event.kind),
        })
        .collect();
    for d in &mut drafts {
        fill(ctx, res, ents, dates, quotes, &triggers, d);
    }
    let mut drafts = split_arrest_lists(ctx, ents, drafts);
    drafts = split_plural_events(ents, drafts);
    inherit_perpetrators(ctx, ents, &mut drafts);
    attach_later_nationalities(ctx, ents, &mut drafts);
    attach_later_casualties(ctx, res, &mut drafts);
    mark_fatal(ctx, &mut drafts);
    credit_claims(ents, &mut drafts);
    // An event with nothing but a trigger ("Officials warn" as a heading,
    // "an increasing number of plots") tells an analyst nothing.
    drafts.retain(|d| has_content(&d.event));
    dateline_location(ctx, ents, &mut drafts);
    let mut events: Vec<Event> = merge(ents, drafts);
    for (i, e) in events.iter_mut().enumerate() {
        e.id = format!("V{}", i + 1);
    }
    events
}

/// A capitalised plural naming people by faith, community or nation
/// ("Christians", "Shiites", "Palestinians"), which a locative preposition
/// does not make a place.
fn people_plural(w: &str) -> bool {
    matches!(
        w,
        "christians"
            | "muslims"
            | "jews"
            | "hindus"
            | "sikhs"
            | "buddhists"
            | "shiites"
            | "shias"
            | "sunnis"
            | "yazidis"
            | "kurds"
            | "copts"
            | "catholics"
            | "protestants"
            | "alawites"
            | "ahmadis"
            | "westerners"
            | "foreigners"
    ) || ["ians", "ites", "ists", "ese"]
        .iter()
        .any(|s| w.len() > s.len() + 2 && w.ends_with(s))
}

/// True when the noun at `t..t + len` is "vehicle(s)" naming how attacks
/// are carried out: "vehicle attacks", "vehicle or knife attacks".
fn vehicle_attack(ctx: &Ctx, res: &Resources, t: usize, len: usize) -> bool {
    if !matches!(&ctx.lower[t + len - 1], "vehicle" | "vehicles") {
        return false;
    }
    let attack_noun = |j: usize| {
        res.lexicon
            .triggers
            .longest_at(&ctx.lower, j)
            .is_some_and(|(_, tr)| tr.noun && tr.kind.is_violent())
    };
    let next = t + len;
    attack_noun(next)
        || ctx
            .lower
            .get(next)
            .is_some_and(|w| matches!(w, "or" | "and"))
            && (attack_noun(next + 2)
                || ctx
                    .lower
                    .get(next + 1)
                    .is_some_and(|w| w.ends_with("-ramming") || w == "ramming"))
}

/// "an Afghan national", "two Tajik citizens": a person by nationality,
/// read as the role nouns "man" or "suspects" are (the suspect of an
/// arrest, the victim counted after a killing). Not in the lexicon, where
/// "national" would be every "national police".
fn nationality_noun(ctx: &Ctx, ents: &Entities, t: usize) -> bool {
    if !matches!(
        &ctx.lower[t],
        "national" | "nationals" | "citizen" | "citizens"
    ) {
        return false;
    }
    let Some(prev) = t.checked_sub(1) else {
        return false;
    };
    let Some(token) = ctx.tokens.get(prev) else {
        return false;
    };
    let end = token.span.end;
    let first = ents.demonyms.partition_point(|dm| dm.span.end < end);
    ents.demonyms
        .get(first)
        .is_some_and(|dm| dm.span.end == end)
}

/// Demonyms that qualify suspects inside `span` ("Tajik nationals", "a
/// Russian citizen"), linked to the country when the text names it.
fn suspect_nationalities(ctx: &Ctx, ents: &Entities, span: Span) -> Vec<Slot> {
    let before_suspect = |dm: &&crate::entities::Demonym| {
        // "a 16-year-old Syrian and a 19-year-old Afghan": the demonym as a noun.
        let start = ctx.token_at(dm.span.start);
        let after = ctx.token_at(dm.span.end);
        let prev = start.checked_sub(1).map(|p| &ctx.lower[p]);
        let next = ctx.lower.get(after);
        if (matches!(prev, Some("a" | "an")) || prev.is_some_and(|p| p.ends_with("-old")))
            && matches!(
                next,
                None | Some("," | "." | "and" | ";" | ")" | "who" | "was" | "were")
            )
        {
            return true;
        }
        let t = after;
        (t..(t + 2).min(ctx.lower.len())).any(|j| {
            matches!(
                &ctx.lower[j],
                "nationals"
                    | "citizens"
                    | "national"
                    | "citizen"
                    | "men"
                    | "man"
                    | "suspects"
                    | "suspect"
                    | "individuals"
                    | "women"
                    | "woman"
                    | "teenagers"
                    | "teenager"
                    | "youths"
                    | "brothers"
                    | "migrants"
                    | "refugees"
                    | "origin"
            )
        })
    };
    // Demonyms are in text order: start at the first one inside the span.
    let first = ents
        .demonyms
        .partition_point(|dm| dm.span.start < span.start);
    let mut out: Vec<Slot> = ents.demonyms[first..]
        .iter()
        .take_while(|dm| dm.span.start < span.end)
        .filter(|dm| span.contains(dm.span))
        .filter(before_suspect)
        .map(|dm| {
            let entity = ents.list.iter().find(|e| {
                e.kind == EntityType::Country
                    && e.geo.as_ref().is_some_and(|g| g.country == dm.country)
            });
            Slot {
                text: ctx.slice(dm.span).to_string(),
                entity: entity.map(|e| e.id.clone()),
                span: Some(dm.span),
            }
        })
        .collect();
    // "the men were citizens of Kazakhstan".
    for (e, toks) in ents.in_tokens(ctx.tokens_in(span)) {
        let entity = ents.get(e);
        let of = toks
            .start
            .checked_sub(1)
            .is_some_and(|p| &ctx.lower[p] == "of");
        let citizens = toks.start.checked_sub(2).is_some_and(|p| {
            matches!(
                &ctx.lower[p],
                "citizens" | "nationals" | "citizen" | "national"
            )
        });
        if entity.kind == EntityType::Country && of && citizens {
            push_unique(&mut out, slot_for_entity(ctx, ents, e, toks));
        }
    }
    out
}

/// "Three of the suspects are Tajik nationals": a sentence without events
/// that names the suspects' nationalities completes the arrests, raids and
/// plots of the three sentences before it.
fn attach_later_nationalities(ctx: &Ctx, ents: &Entities, drafts: &mut [Draft]) {
    for (s, span) in ctx.sentences.iter().enumerate() {
        if !in_sentences(drafts, s, s + 1).is_empty() {
            continue;
        }
        let found = suspect_nationalities(ctx, ents, *span);
        if found.is_empty() {
            continue;
        }
        let window = in_sentences(drafts, s.saturating_sub(3), s);
        let suspects = |d: &Draft| {
            matches!(
                d.event.kind,
                EventType::Arrest | EventType::Plot | EventType::Raid
            )
        };
        let Some(last) = drafts[window.clone()]
            .iter()
            .filter(|d| suspects(d))
            .map(|d| d.sentence)
            .max()
        else {
            continue;
        };
        for d in drafts[window].iter_mut().filter(|d| {
            d.sentence == last
                && matches!(
                    d.event.kind,
                    EventType::Arrest | EventType::Plot | EventType::Raid
                )
        }) {
            for slot in &found {
                push_unique(&mut d.event.nationalities, slot.clone());
            }
        }
    }
}

/// The place an analyst files the event under: the most specific town,
/// region or country; a site ("Breitscheidplatz") only when nothing else is
/// named. `locations` keeps every place, site first.
fn primary_location(ents: &Entities, locations: &[Slot]) -> Option<Slot> {
    let is_site = |slot: &Slot| {
        slot.entity
            .as_deref()
            .is_some_and(|id| ents.by_id(id).is_some_and(|e| e.kind == EntityType::Site))
    };
    // Merged reports list their places in turn ("in Burkina Faso" in the
    // headline, "near Djibo" below): the most specific known one.
    let rank = |slot: &Slot| {
        slot.entity
            .as_deref()
            .and_then(|id| ents.by_id(id))
            .map_or(u8::MAX, |e| place_rank(e.kind))
    };
    locations
        .iter()
        .filter(|l| l.entity.is_some() && !is_site(l))
        .min_by_key(|l| rank(l))
        .or_else(|| locations.iter().find(|l| !is_site(l)))
        .or_else(|| locations.first())
        .cloned()
}

fn has_content(e: &Event) -> bool {
    // Violence needs someone who does it, suffers it, a target, a weapon or
    // a toll: "exports exploded in Frankfurt" is not a bombing.
    // A death is one: "Fabel was gunned down" names no one vigil knows
    // (not for a kidnapping, whose content is who was taken).
    if e.kind.is_violent() {
        let death = e.fatal && !matches!(e.kind, EventType::Kidnapping | EventType::HostageTaking);
        return !(e.perpetrators.is_empty()
            && e.targets.is_empty()
            && e.victims.is_empty()
            && e.weapons.is_empty()
            && e.killed.is_none()
            && e.injured.is_none()
            && !death);
    }
    !(e.perpetrators.is_empty()
        && e.targets.is_empty()
        && e.victims.is_empty()
        && e.weapons.is_empty()
        && e.location.is_none()
        && e.date.is_none()
        && e.killed.is_none()
        && e.injured.is_none()
        && e.arrested.is_none())
}

/// Splits a sentence at clause boundaries that separate distinct events
/// (";", ", along with", ", while", ", whereas", ", but").
fn clauses(ctx: &Ctx, res: &Resources, range: Range<usize>) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = range.start;
    let mut t = range.start;
    while t < range.end {
        let w = &ctx.lower[t];
        let next = ctx.lower.get(t + 1);
        // ", and minutes later detonated …": a second act.
        let then = matches!(
            ctx.lower.get(t + 2),
            Some(
                "minutes"
                    | "hours"
                    | "moments"
                    | "later"
                    | "then"
                    | "shortly"
                    | "afterwards"
                    | "subsequently"
                    | "earlier"
            )
        );
        // "foiled a plan …, killing two suspects in a shootout": what follows
        // a foiled plot is the operation that foiled it.
        let operation = w == ","
            && matches!(
                next,
                Some("killing" | "wounding" | "detaining" | "arresting")
            )
            && (start..t).any(|j| FOILED.contains(&&ctx.lower[j]));
        let cut = operation
            || w == ";"
            || (w == ","
                && matches!(
                    next,
                    Some("along" | "while" | "whereas" | "but" | "meanwhile" | "as")
                ))
            || (w == "," && next == Some("and") && then);
        if cut {
            if t > start {
                out.push(start..t);
            }
            start = t + 1;
        } else if t > start && dated_by(ctx, res, range.start, t) {
            // "The assault came two weeks | after militants ambushed a
            // convoy": the second clause is another incident.
            out.push(start..t);
            start = t;
        }
        t += 1;
    }
    if range.end > start {
        out.push(start..range.end);
    }
    out
}

fn has_any(ctx: &Ctx, range: Range<usize>, list: &[&str]) -> bool {
    range.into_iter().any(|t| list.contains(&&ctx.lower[t]))
}

/// Words before the noun "arrest" that make it no arrest: a medical term
/// ("cardiac arrest") or one escaped ("evading arrest", "resisting
/// arrest").
const NO_ARREST_BEFORE: &[&str] = &[
    "cardiac",
    "cardiopulmonary",
    "respiratory",
    "heart",
    "evading",
    "evade",
    "evaded",
    "resisting",
    "resist",
    "resisted",
    "avoiding",
    "avoid",
    "avoided",
    "escaping",
    "escape",
    "escaped",
    "eluding",
    "elude",
    "eluded",
    "dodging",
];

fn sentence_events(
    ctx: &Ctx,
    res: &Resources,
    ents: &Entities,
    sentence: usize,
    clause: Range<usize>,
    sentence_has_arrest: bool,
    drafts: &mut Vec<Draft>,
) {
    let mut found: Vec<(usize, usize, Trigger)> = Vec::new();
    let mut t = clause.start;
    while t < clause.end {
        // Words inside names ("Attack Helicopter Squadron") are not triggers.
        if ents.at(t).is_some() {
            t += 1;
            continue;
        }
        match res.lexicon.triggers.longest_at(&ctx.lower, t) {
            // "as a target", "an attractive target": the noun, not the verb.
            Some((1, trig))
                if trig.weak
                    && matches!(&ctx.lower[t], "target" | "targets")
                    && t.checked_sub(1)
                        .is_some_and(|p| TARGET_NOUN_BEFORE.contains(&&ctx.lower[p])) =>
            {
                t += 1;
            }
            // "assault rifles" is a weapon, not an assault.
            Some((len, _))
                if res
                    .lexicon
                    .weapons
                    .longest_at(&ctx.lower, t)
                    .is_some_and(|(w, _)| w > len) =>
            {
                t += len;
            }
            Some((len, trig)) if t + len <= clause.end => {
                found.push((t, len, trig.clone()));
                t += len;
            }
            // "condemned X to life in prison", "received a three-year
            // sentence": a conviction told by its sentence; "beat two
            // activists to death": a killing told by its end.
            None => {
                let kind = if sentence_verb(ctx, t, clause.end) {
                    EventType::Conviction
                } else if to_death(ctx, t, clause.end) {
                    EventType::Attack
                } else {
                    t += 1;
                    continue;
                };
                found.push((
                    t,
                    1,
                    Trigger {
                        words: vec![ctx.lower[t].to_string()],
                        kind,
                        noun: false,
                        past: true,
                        weak: false,
                        threat: false,
                        casualty: false,
                    },
                ));
                t += 1;
            }
            _ => t += 1,
        }
    }
    // "had researched vehicle or knife attacks online", "watched videos of
    // beheadings", "which tracks arrests and killings": acts as a subject of
    // study, no event (nor the operation or violence of another trigger).
    found.retain(|(t, _, trig)| {
        !(trig.noun
            && (clause.start.max(t.saturating_sub(4))..*t)
                .any(|j| STUDY_VERBS.contains(&&ctx.lower[j])))
    });
    // "tortured to death in custody": the custody is where the act
    // happened, no arrest of its own.
    let violent_at = found
        .iter()
        .find(|(_, _, tr)| tr.kind.is_violent())
        .map(|(t, _, _)| *t);
    found.retain(|(t, _, trig)| {
        !(trig.kind == EventType::Arrest
            && &ctx.lower[*t] == "in"
            && violent_at.is_some_and(|v| v < *t))
    });
    // "died of cardiac arrest": no arrest; "charged with evading arrest",
    // "resisting arrest": one that did not happen (or not that way).
    found.retain(|(t, _, trig)| {
        !(trig.kind == EventType::Arrest
            && matches!(&ctx.lower[*t], "arrest" | "arrests")
            && t.checked_sub(1)
                .is_some_and(|p| NO_ARREST_BEFORE.contains(&&ctx.lower[p])))
    });
    if found.is_empty() {
        return;
    }
    let clause_has_group = ents
        .in_tokens(clause.clone())
        .iter()
        .any(|(e, _)| ents.get(*e).kind == EntityType::ArmedGroup)
        || has_noun(ctx, res, clause.clone(), NounRole::Perpetrator);
    let clause_has_weapon = clause
        .clone()
        .any(|t| res.lexicon.weapons.longest_at(&ctx.lower, t).is_some());
    // Read only for a ramming: a scan of the clause's weapons.
    let ramming = found
        .iter()
        .any(|(_, _, tr)| tr.kind == EventType::VehicleRamming);
    let clause_has_explosive = ramming
        && clause.clone().any(|t| {
            res.lexicon
                .weapons
                .longest_at(&ctx.lower, t)
                .is_some_and(|(_, class)| class == "explosive")
                || ctx.lower[t].starts_with("explosive")
                || matches!(&ctx.lower[t], "bomber" | "bomb")
        });
    let has_violent = found
        .iter()
        .any(|(_, _, tr)| tr.kind.is_violent() && !tr.casualty && !tr.weak);
    // A warning in the clause absorbs the violence it warns of ("concerns
    // that the attacks might encourage … attempting to target").
    let has_threat = found.iter().any(|(_, _, tr)| tr.threat);
    let has_casualty = found.iter().any(|(_, _, tr)| tr.casualty);
    for (t, len, trig) in &found {
        let (t, len) = (*t, *len);
        let window = clause.start.max(t.saturating_sub(6))..t;
        // "calling for attacks on Christmas markets", "urged followers to
        // attack": incitement, a threat.
        let incited = window.clone().any(|j| {
            matches!(&ctx.lower[j], "calling" | "calls" | "called" | "call")
                && ctx.lower.get(j + 1) == Some("for")
                || matches!(&ctx.lower[j], "urged" | "urging" | "urges" | "incited")
        });
        // "concern over the kidnapping of Daniel Pearl": concern about a
        // definite act with its object is about one that happened ("fear
        // the kidnapping of …" still looks ahead).
        let concern_over_act = trig.noun
            && t.checked_sub(1)
                .is_some_and(|p| matches!(&ctx.lower[p], "the" | "his" | "her" | "their"))
            && ctx.lower.get(t + len) == Some("of")
            && window.clone().all(|j| {
                !MODAL.contains(&&ctx.lower[j])
                    || matches!(&ctx.lower[j], "concern" | "concerns" | "concerned")
            });
        let modal_word = incited || !concern_over_act && has_any(ctx, window.clone(), MODAL);
        let near_modal = modal_word || t.checked_sub(1).is_some_and(|p| &ctx.lower[p] == "to");
        let near_plan = has_any(ctx, window.clone(), PLANNED);
        // Not an attempt at another act: "attempts to cover up the
        // killing of X" tell of a killing done.
        let near_attempt = window.clone().any(|j| {
            ATTEMPTED.contains(&&ctx.lower[j])
                && !(j + 1..t).any(|k| ATTEMPTS_AT_OTHERS.contains(&&ctx.lower[k]))
        });
        // "troops stopped guerrillas from attacking the station".
        let clause_foiled = has_any(ctx, clause.clone(), FOILED) || kept_from(ctx, clause.start, t);
        // "killing two suspects in a shootout": deaths in a security operation
        // are its toll, not an attack.
        // ("the military had killed 946 people … and arrested 7,051
        // protesters": beside an arrest, only the killing of suspects is.)
        let operation = found.iter().any(|(_, _, o)| match o.kind {
            EventType::Raid => true,
            EventType::Arrest => {
                let object = t + len..(t + len + 4).min(clause.end);
                names_suspects(ctx, res, object)
                    // "arrested three militants and killed two": of them.
                    || ctx.lower.get(t + len).is_some_and(|w| {
                        words::number_value(w).is_some()
                            && ctx
                                .lower
                                .get(t + len + 1)
                                .is_none_or(|n| !ctx.is_word(t + len + 1) || words::is_stop(n))
                    })
            }
            _ => false,
        });
        if trig.casualty && (has_violent || trig.weak || operation) {
            continue;
        }
        // "were never arrested", "did not arrest", "no one has been
        // arrested": the act denied.
        if negated(ctx, clause.start, t) {
            continue;
        }
        // "was found dead … with gunshot wounds": a death is a killing only
        // with a mark of violence in the sentence.
        if &ctx.lower[t] == "found"
            && ctx.lower.get(t + 1) == Some("dead")
            && !has_any(
                ctx,
                ctx.sent_toks
                    .get(sentence)
                    .cloned()
                    .unwrap_or(clause.clone()),
                VIOLENT_DEATH,
            )
        {
            continue;
        }
        if trig.casualty
            && found
                .iter()
                .any(|(_, _, o)| o.kind.is_violent() && !o.casualty)
        {
            continue;
        }
        // "John Banda was shot (dead)": a person named shot ("a church
        // elder and a vigilante were shot dead" after a report of an
        // attack is its toll).
        let person_shot = || {
            ents.in_tokens(clause.start..t).iter().any(|(e, toks)| {
                ents.get(*e).kind == EntityType::Person
                    && passive_between(ctx, res, ents, toks.end, t)
            })
        };
        // "Soldiers shot dead three protesters", "shot by police": an agent
        // of state or mob violence supports a weak act.
        let clause_has_agent = || clause.clone().any(|j| AGENT_HEADS.contains(&&ctx.lower[j]));
        let supported = clause_has_group || clause_has_weapon || has_casualty || near_modal;
        let needs_support = trig.weak && !trig.threat && !trig.casualty;
        if needs_support
            && !(supported || person_shot() || trig.kind.is_violent() && clause_has_agent())
        {
            continue;
        }
        // A warning must be about violence: "the Bundesbank warned that the
        // economy would shrink" is not one.
        let violence_cue = clause_has_group
            || clause_has_weapon
            || found.iter().any(|(_, _, o)| o.kind.is_violent() && !o.weak)
            || clause
                .clone()
                .any(|j| VIOLENCE_WORDS.contains(&&ctx.lower[j]));
        // "expressed concern over the kidnapping of Daniel Pearl": a
        // reaction to an act that happened, no warning.
        let concern_word = matches!(&ctx.lower[t], "concern" | "concerns" | "concerned");
        let over_an_act = found.iter().any(|(o, olen, other)| {
            *o > t
                && other.noun
                && other.kind.is_violent()
                && &ctx.lower[o - 1] == "the"
                && ctx.lower.get(o + olen) == Some("of")
        });
        if trig.threat && concern_word && over_an_act {
            continue;
        }
        if (trig.threat || trig.kind == EventType::Plot) && !violence_cue && !sentence_has_arrest {
            continue;
        }
        if has_threat && trig.kind.is_violent() && !trig.past && !trig.noun {
            continue;
        }
        // "rammed an explosives-laden car into a checkpoint": a car bombing.
        let trig_kind = if trig.kind == EventType::VehicleRamming && clause_has_explosive {
            EventType::Bombing
        } else {
            trig.kind
        };
        let (kind, stage) = match trig_kind {
            // "threatened to arrest", "could be arrested", "faces arrest",
            // "an arrest warrant": no one is held yet.
            EventType::Arrest if arrest_threatened(ctx, t, len) => (trig.kind, Stage::Threatened),
            EventType::Arrest | EventType::Raid | EventType::Conviction | EventType::Claim => {
                (trig.kind, Stage::Accomplished)
            }
            EventType::Warning => (EventType::Warning, Stage::Threatened),
            EventType::Plot => {
                if clause_foiled || sentence_has_arrest {
                    (EventType::Plot, Stage::Foiled)
                } else {
                    (EventType::Plot, Stage::Planned)
                }
            }
            violent => {
                // "foiled a plan by a cell … to attack a synagogue".
                let foiled_before = (clause.start..t).any(|j| FOILED.contains(&&ctx.lower[j]));
                if near_plan || (foiled_before && !trig.past) {
                    let stage = if clause_foiled || sentence_has_arrest {
                        Stage::Foiled
                    } else {
                        Stage::Planned
                    };
                    (EventType::Plot, stage)
                // ("tried to kill the mayor": the "to" of the attempt.)
                } else if near_attempt && !trig.past && !modal_word {
                    (violent, Stage::Attempted)
                } else if near_modal && !trig.past {
                    (EventType::Warning, Stage::Threatened)
                } else if clause_foiled {
                    (violent, Stage::Foiled)
                } else if near_attempt {
                    (violent, Stage::Attempted)
                } else {
                    (violent, Stage::Accomplished)
                }
            }
        };
        // One event per (type, stage) per clause: "planning to attack" is one
        // plot. Only this sentence's drafts (the last ones) can share it.
        let duplicate = drafts
            .iter()
            .rev()
            .take_while(|d| d.sentence == sentence)
            .any(|d| d.clause == clause && d.event.kind == kind && d.event.stage == stage);
        if duplicate {
            continue;
        }
        let span = ctx.span_of(t..t + len);
        let weak = trig.weak;
        let event = Event {
            evidence: ctx.sentences.get(sentence).copied().into_iter().collect(),
            ..Event::new(
                String::new(),
                kind,
                stage,
                Mention {
                    text: ctx.slice(span).to_string(),
                    start: span.start,
                    end: span.end,
                },
                if weak { 0.35 } else { 0.55 },
            )
        };
        drafts.push(Draft {
            event,
            clause: clause.clone(),
            sentence,
            trigger: t,
            another_time: ctx
                .sent_toks
                .get(sentence)
                .is_some_and(|r| dated_by(ctx, res, r.start, clause.start)),
            definite: trig.noun
                && t.checked_sub(1).is_some_and(|p| {
                    let w = &ctx.lower[p];
                    match kind {
                        EventType::Attack => matches!(w, "the" | "this" | "that"),
                        // "the arrest", "his arrest", "Lai's arrest".
                        EventType::Arrest => {
                            matches!(w, "the" | "this" | "that" | "his" | "her" | "their")
                                || w.ends_with("'s")
                                || w.ends_with("\u{2019}s")
                        }
                        _ => false,
                    }
                }),
        });
    }
}

/// Spans of time before "after"/"before" that set an event apart from the
/// one the sentence opens with ("two weeks after", "days before").
const TIME_SPANS: &[&str] = &[
    "hours", "days", "weeks", "months", "years", "day", "week", "month", "year",
];

/// True when token `j` is the "after"/"before" of "weeks after militants
/// ambushed", "came just before gunmen opened fire": the sentence dates
/// one event by another, a different incident told by its own verb ("two
/// days after the attack", "hours before the parade" name no other one).
fn dated_by(ctx: &Ctx, res: &Resources, sentence_start: usize, j: usize) -> bool {
    j > sentence_start
        && matches!(&ctx.lower[j], "after" | "before")
        && (TIME_SPANS.contains(&&ctx.lower[j - 1])
            || (sentence_start.max(j.saturating_sub(3))..j)
                .any(|k| matches!(&ctx.lower[k], "came" | "comes" | "come")))
        // "hours after a prominent land-rights activist was shot": the
        // act's verb within its clause.
        && (j + 2..(j + 10).min(ctx.tokens.len()))
            .take_while(|&k| !matches!(&ctx.lower[k], "," | "." | ";"))
            .any(|k| {
                res.lexicon
                    .triggers
                    .longest_at(&ctx.lower, k)
                    .is_some_and(|(_, tr)| tr.past && !tr.noun)
            })
}

/// Nouns that end a road or district name after capitalised words.
const ROAD_WORDS: &[&str] = &[
    "highway",
    "road",
    "motorway",
    "expressway",
    "street",
    "avenue",
    "district",
    "neighbourhood",
    "neighborhood",
    "square",
    "market",
    "camp",
];

/// Words before "target" that make it a noun.
const TARGET_NOUN_BEFORE: &[&str] = &[
    "a",
    "an",
    "the",
    "as",
    "terrorist",
    "excellent",
    "attractive",
    "soft",
    "prime",
    "potential",
    "legitimate",
    "likely",
    "main",
    "key",
    "possible",
    "major",
    "obvious",
    "profit",
    "inflation",
    "its",
    "their",
];

/// Words that make a warning a warning of violence.
/// True for the events that strike a target: acts of violence, and the
/// threats, plots and claims that tell of one ("threatened to attack the
/// embassy", "claimed the attack on the Ministry of Defence").
fn strikes(kind: EventType) -> bool {
    kind.is_violent()
        || matches!(
            kind,
            EventType::Warning | EventType::Plot | EventType::Claim
        )
}

/// Marks of a violent death, which make "found dead" a killing.
const VIOLENT_DEATH: &[&str] = &[
    "gunshot",
    "gunshots",
    "bullet",
    "bullets",
    "bullet-riddled",
    "stab",
    "stabbed",
    "tortured",
    "torture",
    "strangled",
    "mutilated",
    "hacked",
    "machete",
    "beaten",
    "shot",
    "murdered",
    "murder",
    "slit",
    "execution-style",
    "decapitated",
    "beheaded",
    "wounds",
    "killed",
    "killing",
];

const VIOLENCE_WORDS: &[&str] = &[
    "terror",
    "terrorist",
    "terrorists",
    "terrorism",
    "extremist",
    "extremists",
    "jihadist",
    "jihadists",
    "militant",
    "militants",
    "attack",
    "attacks",
    "attackers",
    "bomb",
    "bombs",
    "violence",
    "violent",
    "target",
    "targets",
    "armed",
    "gunmen",
    "explosives",
    "plot",
    "plots",
    "radicalised",
    "radicalized",
    "islamist",
    "islamists",
    "extremism",
    "jihad",
];

/// Nouns after which a role noun is an adjective ("terrorist organization").
const ADJECTIVAL_NEXT: &[&str] = &[
    "act",
    "acts",
    "organization",
    "organisation",
    "group",
    "groups",
    "network",
    "networks",
    "cell",
    "cells",
    "target",
    "targets",
    "attack",
    "attacks",
    "threat",
    "threats",
    "plot",
    "plots",
    "arena",
    "activity",
    "activities",
    "leader",
    "leaders",
    "commander",
    "elements",
    "movement",
    "committee",
    "command",
    "committee",
    "house",
    "action",
    "actions",
    "plan",
    "plans",
    "campaign",
    "campaigns",
    "violence",
    "offensive",
    "positions",
    "redoubts",
    "camp",
    "camps",
    "warfare",
    "operations",
    "organizations",
    "organisations",
];

/// Heads of "a group of X": the body X makes up.
const BODY_HEADS: &[&str] = &[
    "group", "groups", "column", "columns", "band", "bands", "squad", "gang", "unit",
];

/// Nouns of a body of fighters: a hostile noun before one is part of its
/// name ("guerrilla units", "urban guerrilla commandos", "terrorist
/// commando"), and the phrase ends with it.
const UNIT_NOUNS: &[&str] = &[
    "unit",
    "units",
    "force",
    "forces",
    "column",
    "columns",
    "commando",
    "commandos",
    "squad",
    "squads",
    "detachment",
    "detachments",
    "contingent",
    "band",
    "bands",
    "fighters",
];

fn has_noun(ctx: &Ctx, res: &Resources, range: Range<usize>, role: NounRole) -> bool {
    range.into_iter().any(|t| {
        res.lexicon
            .nouns
            .longest_at(&ctx.lower, t)
            .is_some_and(|(_, r)| *r == role)
    })
}

/// A slot for the mention of entity `e` at these tokens (the mention's own
/// text: "Islamic State", not the token "State's").
fn slot_for_entity(ctx: &Ctx, ents: &Entities, e: usize, toks: Range<usize>) -> Slot {
    let around = ctx.span_of(toks);
    let entity = ents.get(e);
    // Mentions are sorted by start: the one overlapping `around`, found by
    // binary search.
    let i = entity.mentions.partition_point(|m| m.end <= around.start);
    let span = entity
        .mentions
        .get(i)
        .map(|m| m.span())
        .filter(|m| m.overlaps(around))
        .unwrap_or(around);
    // "Maria Kolesnikova's kidnapping": the victim is Maria Kolesnikova
    // (the mention keeps the possessive its token holds).
    let text = ctx.slice(span);
    let text = ["'s", "\u{2019}s"]
        .iter()
        .find_map(|p| text.strip_suffix(p))
        .unwrap_or(text);
    Slot {
        text: text.to_string(),
        entity: Some(entity.id.clone()),
        span: Some(span),
    }
}

/// A slot of the text of tokens `toks`, linked to no entity.
fn text_slot(ctx: &Ctx, toks: Range<usize>) -> Slot {
    let span = ctx.span_of(toks);
    Slot {
        text: ctx.slice(span).to_string(),
        entity: None,
        span: Some(span),
    }
}

/// Drops the text slots (no entity) whose span lies inside another of
/// `spans`.
fn drop_contained(slots: &mut Vec<Slot>, spans: &[Span]) {
    slots.retain(|s| {
        let Some(a) = s.span.filter(|_| s.entity.is_none()) else {
            return true;
        };
        !spans
            .iter()
            .any(|b| *b != a && b.start <= a.start && a.end <= b.end)
    });
}

/// Drops the slots that are another name of one before them: the name
/// right after "known as", "alias" or "a.k.a." ("Samantha Kureya, better
/// known as Gonyeti").
fn drop_aliases(text: &str, slots: &mut Vec<Slot>) {
    let starts: Vec<usize> = slots
        .iter()
        .filter_map(|s| s.span)
        .map(|s| s.start)
        .collect();
    slots.retain(|s| {
        let Some(span) = s.span else {
            return true;
        };
        let before = text
            .get(..span.start)
            .unwrap_or("")
            .trim_end_matches(|c: char| c.is_whitespace() || "\"'\u{201c}\u{2018}".contains(c));
        // The last few characters are enough (the longest cue is eight).
        let tail = before
            .char_indices()
            .rev()
            .nth(9)
            .map_or(before, |(i, _)| &before[i..])
            .to_lowercase();
        let alias = ["known as", " alias", " aka", "a.k.a.", "a.k.a"]
            .iter()
            .any(|w| tail.ends_with(w));
        // Only behind another slot of the list, at most a sentence back.
        !(alias
            && starts
                .iter()
                .any(|&o| o < span.start && span.start - o < 200))
    });
}

fn push_unique(slots: &mut Vec<Slot>, slot: Slot) {
    let dup = slots.iter().any(|s| match (&s.entity, &slot.entity) {
        (Some(a), Some(b)) => a == b,
        _ => s.text.eq_ignore_ascii_case(&slot.text),
    });
    if !dup {
        slots.push(slot);
    }
}

fn place_rank(kind: EntityType) -> u8 {
    match kind {
        EntityType::Site => 0,
        EntityType::City => 1,
        EntityType::Region => 2,
        EntityType::Country => 3,
        _ => 4,
    }
}

/// A counted noun phrase starting at `i`: a number ("two", "12"), then one
/// to three words up to a preposition, conjunction, verb form or
/// punctuation ("two Chinese engineers | working on", "nine officers |
/// and"). `None` when there is no number or no noun after it.
fn counted_object(ctx: &Ctx, i: usize, ceil: usize) -> Option<Span> {
    let n = words::number_value(ctx.lower.get(i)?)?;
    // Not a year, not an article ("killing a man" is the noun's business).
    if !(1..1900).contains(&n) || matches!(&ctx.lower[i], "a" | "an" | "one") {
        return None;
    }
    let mut end = i + 1;
    while end < ceil && end - i <= 3 {
        let w = &ctx.lower[end];
        if !ctx.is_word(end)
            || words::is_stop(w) && !matches!(w, "more" | "other")
            || PREPOSITIONS.contains(&w)
            || res_verbish(w)
            || words::number_value(w).is_some()
        {
            break;
        }
        end += 1;
    }
    (end > i + 1).then(|| ctx.span_of(i..end))
}

/// True when the words from `end` are an act verb with an object ("shot
/// dead three protesters", "killed two"), so that the noun phrase ending at
/// `end` is its subject; "soldiers killed in an ambush", "the girls
/// kidnapped from Chibok" are none.
fn active_subject(ctx: &Ctx, end: usize, ceil: usize) -> bool {
    if end >= ceil || !ACT_VERBS.contains(&&ctx.lower[end]) {
        return false;
    }
    let mut next = end + 1;
    if ctx.lower.get(next) == Some("dead") {
        next += 1;
    }
    next < ceil
        && ctx.is_word(next)
        && !PREPOSITIONS.contains(&&ctx.lower[next])
        && !matches!(
            &ctx.lower[next],
            "in" | "on"
                | "at"
                | "by"
                | "from"
                | "for"
                | "with"
                | "into"
                | "to"
                | "under"
                | "over"
                | "during"
                | "when"
                | "while"
                | "as"
                | "after"
                | "before"
                | "since"
                | "and"
                | "or"
                | "last"
                | "yesterday"
                | "today"
                | "earlier"
                // "the four people killed have been identified": a
                // participle before a verb of its own is passive.
                | "include"
                | "included"
                | "including"
        )
        && !AUXILIARIES.contains(&&ctx.lower[next])
}

/// Auxiliary verbs: negation reads through them ("has not been"), and a
/// participle before one is passive ("the people killed were").
const AUXILIARIES: &[&str] = &[
    "have", "has", "had", "was", "were", "is", "are", "will", "would", "could",
];

/// Verbs that keep someone "from" doing something ("stopped the rebels
/// from attacking").
const KEEPING: &[&str] = &[
    "prevent",
    "prevented",
    "preventing",
    "stop",
    "stopped",
    "stopping",
    "keep",
    "kept",
    "bar",
    "barred",
    "deter",
    "deterred",
    "block",
    "blocked",
];

/// Whether the word at `g` is the gerund of "VERB someone from g-ing",
/// with one to four words between the verb and "from" and the verb not
/// before `floor`.
fn kept_from(ctx: &Ctx, floor: usize, g: usize) -> bool {
    g >= floor + 2
        && ctx
            .lower
            .get(g)
            .is_some_and(|w| w.len() > 4 && w.ends_with("ing"))
        && &ctx.lower[g - 1] == "from"
        && (floor.max(g.saturating_sub(6))..g - 2).any(|j| KEEPING.contains(&&ctx.lower[j]))
}

/// Verbs whose object is moved, told or kept from harm: someone
/// "evacuated" before an act of violence is no victim of it.
const SPARING: &[&str] = &[
    "evacuated",
    "evacuating",
    "warned",
    "warning",
    "urged",
    "urging",
    "advised",
    "alerted",
    "relocated",
    "told",
    "ordered",
    "asked",
];

/// Whether the words from `end` (right after a noun phrase) tell that the
/// phrase suffered harm: "were killed", "have been wounded", "died".
fn harmed_subject(ctx: &Ctx, end: usize, ceil: usize) -> bool {
    let mut k = end;
    while k < ceil && (AUXILIARIES.contains(&&ctx.lower[k]) || &ctx.lower[k] == "been") {
        k += 1;
    }
    k < ceil
        && (k > end && HARMED.contains(&&ctx.lower[k])
            || matches!(&ctx.lower[k][..], "died" | "perished"))
}

/// Participles whose passive subject suffered the act ("three protesters
/// were shot dead", "two farmers were hacked to death").
const HARMED: &[&str] = &[
    "killed",
    "murdered",
    "shot",
    "lynched",
    "beheaded",
    "hacked",
    "stabbed",
    "beaten",
    "tortured",
    "massacred",
    "wounded",
    "injured",
    "kidnapped",
    "abducted",
    "slain",
    "martyred",
    "executed",
    "beat",
    "stoned",
    "clubbed",
    "bludgeoned",
];

/// Heads of the noun phrases that commit an act told in the passive
/// ("killed by police", "lynched by an angry mob", "hacked to death by
/// suspected herdsmen").
const AGENT_HEADS: &[&str] = &[
    "police",
    "policemen",
    "officers",
    "soldiers",
    "troops",
    "army",
    "military",
    "forces",
    "mob",
    "mobs",
    "crowd",
    "herdsmen",
    "gunmen",
    "men",
    "militiamen",
    "militia",
    "militias",
    "vigilantes",
    "thugs",
    "assailants",
    "attackers",
    "persons",
    "agents",
    "guards",
    "rebels",
    "fighters",
    "militants",
    "insurgents",
    "jihadists",
    "bandits",
    "kidnappers",
    "youths",
    "settlers",
    "extremists",
    "junta",
    "regime",
    "authorities",
];

/// The act's victims and perpetrators that no lexicon noun names: the
/// counted subject of a passive harmed participle ("Three protesters were
/// shot dead") is a victim; the agent after "by" ("by soldiers", "by an
/// angry mob") and the agent subject of the trigger told in the active
/// with an object ("Israeli border police fatally shot a man") are
/// perpetrators.
fn passive_slots(ctx: &Ctx, ents: &Entities, clause: Range<usize>, trigger: usize, ev: &mut Event) {
    let free = |j: usize| ents.at(j).is_none();
    for t in clause.clone() {
        if !HARMED.contains(&&ctx.lower[t]) {
            continue;
        }
        // The auxiliary: "were", "have been", "were brutally".
        let mut aux = t;
        while aux > clause.start && ctx.lower[aux - 1].ends_with("ly") && ctx.is_word(aux - 1) {
            aux -= 1;
        }
        let passive = aux > clause.start
            && matches!(&ctx.lower[aux - 1], "was" | "were" | "been" | "are" | "is");
        if passive {
            // The subject ends before the auxiliary ("were"), or before
            // "have" / "had" / "has" of "had been".
            let mut subj_end = aux - 1;
            if &ctx.lower[subj_end] == "been"
                && subj_end > clause.start
                && matches!(&ctx.lower[subj_end - 1], "have" | "had" | "has")
            {
                subj_end -= 1;
            }
            // Back over at most three words to the count: "Three protesters",
            // "Two more demonstrators".
            let mut start = subj_end;
            while start > clause.start
                && subj_end - start < 4
                && free(start - 1)
                && ctx.is_word(start - 1)
                && words::number_value(&ctx.lower[start - 1]).is_none()
                && (!words::is_stop(&ctx.lower[start - 1])
                    || matches!(&ctx.lower[start - 1], "more" | "other"))
            {
                start -= 1;
            }
            if start > clause.start && start < subj_end && free(start - 1) {
                // "a village headman was lynched", "my brother was killed":
                // one person; "a plane was shot down" is a thing.
                let one = matches!(
                    &ctx.lower[start - 1],
                    "a" | "an" | "my" | "his" | "her" | "their" | "our"
                ) && ctx.lower.get(t + 1) != Some("down")
                    && (start == clause.start + 1
                        || !ctx.is_word(start - 2)
                        || matches!(
                            &ctx.lower[start - 2],
                            "that"
                                | "and"
                                | "but"
                                | "when"
                                | "after"
                                | "as"
                                | "while"
                                | "because"
                                | "where"
                                | "then"
                                | "before"
                                | "said"
                        ));
                // "Scores of people were killed".
                let vague = start >= clause.start + 2
                    && &ctx.lower[start - 1] == "of"
                    && VAGUE_COUNTS.contains(&&ctx.lower[start - 2]);
                let counted = counted_object(ctx, start - 1, subj_end)
                    .or_else(|| one.then(|| ctx.span_of(start - 1..subj_end)))
                    .or_else(|| vague.then(|| ctx.span_of(start - 2..subj_end)));
                if let Some(span) = counted {
                    // The whole subject, up to the auxiliary.
                    let whole = span.end == ctx.span_of(start - 1..subj_end).end;
                    let taken = ev
                        .victims
                        .iter()
                        .any(|v| v.span.is_some_and(|s| s.overlaps(span)));
                    if !taken && whole {
                        ev.victims.push(Slot {
                            text: ctx.slice(span).to_string(),
                            entity: None,
                            span: Some(span),
                        });
                    }
                }
            }
        }
        // "Israeli border police fatally shot a man": the agent before the
        // act, told in the active.
        let at_trigger = t == trigger;
        if at_trigger && !passive && active_subject(ctx, t, clause.end) {
            let mut head = t;
            while head > clause.start
                && ctx.lower[head - 1].ends_with("ly")
                && ctx.is_word(head - 1)
            {
                head -= 1;
            }
            if head > clause.start && free(head - 1) && AGENT_HEADS.contains(&&ctx.lower[head - 1])
            {
                let mut start = head - 1;
                while start > clause.start
                    && head - start < 4
                    && free(start - 1)
                    && ctx.is_word(start - 1)
                    && !words::is_stop(&ctx.lower[start - 1])
                    && !res_verbish(&ctx.lower[start - 1])
                {
                    start -= 1;
                }
                if start > clause.start && matches!(&ctx.lower[start - 1], "the" | "a" | "an") {
                    start -= 1;
                }
                push_unique(&mut ev.perpetrators, text_slot(ctx, start..head));
            }
        }
        // "… by an angry mob", "shot dead by soldiers".
        if t + 1 < clause.end && (at_trigger || passive) {
            let mut by = t + 1;
            while by < clause.end
                && by <= t + 3
                && matches!(&ctx.lower[by], "dead" | "to" | "death" | "down" | "alive")
            {
                by += 1;
            }
            if by < clause.end && &ctx.lower[by] == "by" {
                let start = by + 1;
                let mut end = start;
                if end < clause.end && matches!(&ctx.lower[end], "a" | "an" | "the") {
                    end += 1;
                }
                while end < clause.end
                    && end - start < 4
                    && free(end)
                    && ctx.is_word(end)
                    && (!words::is_stop(&ctx.lower[end])
                        || words::number_value(&ctx.lower[end]).is_some()
                        || AGENT_HEADS.contains(&&ctx.lower[end]))
                    && !PREPOSITIONS.contains(&&ctx.lower[end])
                {
                    end += 1;
                }
                let head_agent = end > start
                    && AGENT_HEADS.contains(&&ctx.lower[end - 1])
                    && !ctx.is_capitalized(end - 1);
                if head_agent {
                    let agent = ctx.span_of(start..end);
                    // "soldiers" after "by" is who shot, not who was shot.
                    ev.victims
                        .retain(|v| !v.span.is_some_and(|s| s.overlaps(agent)));
                    push_unique(&mut ev.perpetrators, text_slot(ctx, start..end));
                }
            }
        }
    }
}

/// Verbs whose subject commits the act: a person named right before one
/// in a violent event's clause is a perpetrator.
const ACT_VERBS: &[&str] = &[
    "drove",
    "rammed",
    "shot",
    "stabbed",
    "opened",
    "detonated",
    "attacked",
    "killed",
    "murdered",
    "fired",
    "blew",
    "planted",
    "threw",
    "hurled",
    "gunned",
    "ambushed",
    "kidnapped",
    "abducted",
    "assassinated",
    "bombed",
    "beheaded",
    "lynched",
    "tortured",
    "hacked",
    "stoned",
    "beat",
    "clubbed",
    "bludgeoned",
];

/// Whether token `j` is a quotation mark that closes (`Some(true)`) or opens
/// (`Some(false)`) a quotation; a straight `"` opens when a word follows it
/// directly.
fn quote_closes(ctx: &Ctx, j: usize) -> Option<bool> {
    match &ctx.lower[j] {
        "\u{201d}" => Some(true),
        "\u{201c}" => Some(false),
        "\"" => {
            let end = ctx.tokens.get(j)?.span.end;
            let next = ctx.text.get(end..)?.chars().next();
            Some(!next.is_some_and(char::is_alphanumeric))
        }
        _ => None,
    }
}

/// Nouns of acts done to whoever owns them: "Khashoggi's murder", "Nikki
/// Stone's arrest" (not "Putin's attack", "the army's raid", whose owner
/// acts).
const DONE_TO_OWNER: &[&str] = &[
    "murder",
    "killing",
    "assassination",
    "execution",
    "lynching",
    "beheading",
    "shooting",
    "stabbing",
    "kidnapping",
    "abduction",
    "disappearance",
    "arrest",
    "detention",
    "imprisonment",
    "jailing",
    "incarceration",
    "conviction",
    "sentencing",
];

/// Adjectives of a continent, with its name in the gazetteer.
const CONTINENT_ADJECTIVES: &[(&str, &str)] = &[
    ("european", "Europe"),
    ("african", "Africa"),
    ("asian", "Asia"),
];

/// Nouns after a continent's adjective that make the phrase a place
/// ("European countries", "on European soil"; not "European officials").
const CONTINENT_NOUNS: &[&str] = &[
    "countries",
    "country",
    "nations",
    "soil",
    "cities",
    "capitals",
    "territory",
    "streets",
];

/// Whether a lower-cased word after "the <Name>" is a noun the name
/// qualifies ("the Ortega massacre", "the Obama administration"), not a
/// verb, a function word or a word for a family ("the Reyes Alonso
/// couple" are people).
fn qualified_noun(w: &str) -> bool {
    w.len() > 2
        && w.chars().all(char::is_alphabetic)
        && !w.ends_with("ed")
        && !words::is_speech_verb(w)
        && !matches!(
            w,
            "was"
                | "were"
                | "is"
                | "are"
                | "has"
                | "had"
                | "have"
                | "will"
                | "would"
                | "could"
                | "can"
                | "may"
                | "might"
                | "did"
                | "does"
                | "and"
                | "but"
                | "who"
                | "whom"
                | "whose"
                | "which"
                | "that"
                | "with"
                | "from"
                | "for"
                | "into"
                | "also"
                | "the"
                | "couple"
                | "family"
                | "families"
                | "brothers"
                | "sisters"
                | "siblings"
                | "twins"
        )
}

/// Fills the slots of a draft from its clause and sentence.
fn fill(
    ctx: &Ctx,
    res: &Resources,
    ents: &Entities,
    dates: &[DateMention],
    quotes: &[vigil_core::Quote],
    triggers: &[TriggerAt],
    d: &mut Draft,
) {
    let clause = d.clause.clone();
    let sentence_range = ctx
        .sent_toks
        .get(d.sentence)
        .cloned()
        .unwrap_or(clause.clone());
    let ev = &mut d.event;
    let suspects_event = matches!(
        ev.kind,
        EventType::Arrest | EventType::Plot | EventType::Raid | EventType::Conviction
    );

    // An arrest's clause may go on to describe the plot it foiled ("arrested
    // in NRW for planning to attack Cologne Cathedral on New Year's Eve"):
    // what follows the planning word belongs to the plot.
    let own_end = if matches!(ev.kind, EventType::Arrest | EventType::Raid) {
        (d.trigger..clause.end)
            .find(|t| PLANNED.contains(&&ctx.lower[*t]))
            .unwrap_or(clause.end)
    } else {
        clause.end
    };
    let plan_after = (own_end < clause.end)
        .then(|| ctx.tokens.get(own_end).map(|t| t.span.start))
        .flatten();

    // Entities of the clause.
    let mut places: Vec<(u8, Slot)> = Vec::new();
    for (e, toks) in ents.in_tokens(clause.start..own_end) {
        let entity = ents.get(e);
        let prev = toks.start.checked_sub(1).map(|p| &ctx.lower[p]);
        let prev_from = prev == Some("from")
            || (matches!(prev, Some("," | "and"))
                && from_list(ctx, ents, toks.start, clause.start));
        // "the public prosecutor's office in Düsseldorf said": where the speaker is.
        // ("The attack in the Bannu district was claimed by …" is no speech.)
        let before_speech = (toks.end..(toks.end + 3).min(clause.end)).any(|j| {
            words::is_speech_verb(&ctx.lower[j])
                && !matches!(&ctx.lower[j], "claimed" | "claims" | "claim")
        });
        // Inside the dateline: where the reporter is.
        let in_dateline = ctx.dateline.as_ref().is_some_and(|dateline| {
            ctx.tokens
                .get(toks.start)
                .is_some_and(|tk| dateline.contains(&tk.span.start))
        });
        if in_dateline {
            continue;
        }
        // "The Ben Nevis was detained in Aberdeen Harbour", "the Ortega
        // massacre": a person's name behind the definite article is a
        // ship's, a building's or a firm's, or stands before a noun it
        // qualifies ("the Obama administration" is the administration) —
        // not a person who acts, is harmed or is held. "The house of the
        // Reyes Alonso was attacked": a family, by the surname of a person
        // the text names in full, still is. "Detained at Charles de Gaulle
        // airport": a site's name.
        let next = ctx.lower.get(toks.end);
        if entity.kind == EntityType::Person
            && (prev == Some("the")
                && (ctx.slice(ctx.span_of(toks.clone())) == entity.name
                    || next.is_some_and(qualified_noun))
                || next.is_some_and(crate::entities::is_site_head))
        {
            continue;
        }
        match entity.kind {
            EntityType::ArmedGroup => {
                // The next word; for the held, past the group's acronym in
                // parentheses and a possessive: "jailed Kurdistan Workers'
                // Party (PKK) leader X" holds X, not the party. (Of an
                // act of violence, "the FMLN (…) leader" still names the
                // group that acts: reading past it there lowered MUC-4's
                // out-of-fold PerpOrg.)
                let next = if suspects_event {
                    (toks.end..(toks.end + 5).min(ctx.lower.len()))
                        .find(|&j| {
                            !matches!(&ctx.lower[j], "(" | ")" | "'" | "\u{2019}")
                                && ents.at(j) != Some(e)
                        })
                        .map(|j| &ctx.lower[j])
                } else {
                    ctx.lower.get(toks.end)
                };
                let against = (toks.start.saturating_sub(3)..toks.start).any(|j| {
                    matches!(
                        &ctx.lower[j],
                        "against" | "targeted" | "targeting" | "members" | "fighting" | "fought"
                    )
                });
                // "a Taliban spokesman said": the speaker's affiliation.
                let affiliation = next.is_some_and(|w| {
                    words::is_office_head(w)
                        || matches!(w, "spokesman" | "spokeswoman" | "source" | "sources")
                });
                if against {
                    push_unique(&mut ev.targets, slot_for_entity(ctx, ents, e, toks));
                } else if !affiliation {
                    push_unique(&mut ev.perpetrators, slot_for_entity(ctx, ents, e, toks));
                }
            }
            k if k.is_place() && before_speech => {}
            k if k.is_place() => {
                if suspects_event && k == EntityType::Country && prev_from {
                    push_unique(&mut ev.nationalities, slot_for_entity(ctx, ents, e, toks));
                } else {
                    let slot = slot_for_entity(ctx, ents, e, toks.clone());
                    let object = prev == Some("target") || prev == Some("attack");
                    if k == EntityType::Site || object {
                        push_unique(&mut ev.targets, slot.clone());
                    }
                    // "attack US and Western interests abroad": the country
                    // is what is attacked, not where.
                    let abroad = object
                        && k == EntityType::Country
                        && (toks.end..clause.end)
                            .any(|j| matches!(&ctx.lower[j], "abroad" | "overseas"));
                    if !abroad {
                        places.push((place_rank(k), slot));
                    }
                    // The city in a site's name ("Cologne Cathedral") is where it is.
                    if k == EntityType::Site {
                        let site = ctx.span_of(toks.clone());
                        for (i, other) in ents.list.iter().enumerate() {
                            if i != e
                                && other.kind.is_place()
                                && other.kind != EntityType::Site
                                && {
                                    let k = other.mentions.partition_point(|m| m.end <= site.start);
                                    other
                                        .mentions
                                        .get(k)
                                        .is_some_and(|m| site.contains(m.span()))
                                }
                            {
                                places.push((
                                    place_rank(other.kind),
                                    Slot {
                                        text: other.name.clone(),
                                        entity: Some(other.id.clone()),
                                        span: None,
                                    },
                                ));
                            }
                        }
                    }
                }
            }
            // "attacked the US embassy", "threatened to bomb the offices of
            // Charlie Hebdo", "the ministry was attacked": an institution
            // as the object of the act is its target (not its speaker).
            EntityType::Organization | EntityType::GovernmentBody | EntityType::MediaOutlet
                if strikes(ev.kind) && !before_speech =>
            {
                // Back from the entity over articles and "the offices of"
                // to the act's verb: this trigger's or, under a threat or a
                // plan, the act's ("threatened to attack the embassy").
                let mut j = toks.start;
                while j > d.trigger
                    && toks.start - j < 4
                    && OBJECT_LEAD.contains(&&ctx.lower[j - 1])
                {
                    j -= 1;
                }
                let object = j > d.trigger
                    && (j.saturating_sub(3).max(d.trigger)..j).any(|k| {
                        res.lexicon
                            .triggers
                            .longest_at(&ctx.lower, k)
                            .is_some_and(|(len, _)| k + len == j)
                    });
                let against = (toks.start.saturating_sub(3)..toks.start)
                    .any(|j| matches!(&ctx.lower[j], "against" | "targeted" | "targeting"));
                let passive =
                    toks.end <= d.trigger && passive_between(ctx, res, ents, toks.end, d.trigger);
                if object || against || passive {
                    push_unique(&mut ev.targets, slot_for_entity(ctx, ents, e, toks));
                }
            }
            EntityType::Event => {
                // "on New Year's Eve 2023" is when, not what: an event
                // named inside a date expression is no target (the Olympic
                // Games, a festival or a match are).
                let span = ctx.span_of(toks.clone());
                if !dates.iter().any(|dm| dm.span.contains(span)) {
                    push_unique(&mut ev.targets, slot_for_entity(ctx, ents, e, toks));
                }
            }
            EntityType::Person => {
                // A person after the trigger, with no verb of saying or
                // quotation mark in between ("…held hostage…," said X is a speaker).
                let between = d.trigger.min(toks.start)..toks.start.max(d.trigger);
                // ("X was reported missing": the report is of X, not by X.)
                // A quotation mark between a person and the trigger after
                // (X said: "they were kidnapped"; "Captain X"—into their
                // kidnapping ruse), or one that closes between the trigger
                // and a person after it ("…held hostage," said X); not one
                // that opens before the people the trigger's sentence
                // names (identified "as A, B and C").
                let after = toks.start > d.trigger;
                // (The trigger's own word reports nothing: "denied bail".)
                let reported = between.clone().filter(|&j| j != d.trigger).any(|j| {
                    words::is_speech_verb(&ctx.lower[j])
                        && !(j > 0 && matches!(&ctx.lower[j - 1], "was" | "were" | "been"))
                        || quote_closes(ctx, j).is_some_and(|closes| closes || !after)
                })
                    // "…, Interior Minister Nancy Faeser said": the speaker.
                    || ctx.lower.get(toks.end).is_some_and(words::is_speech_verb)
                    // "…, writes Jude Kirton-Darling": the author of an
                    // opinion piece (not "X, who writes for …").
                    || toks.start >= 2
                        && &ctx.lower[toks.start - 1] == "writes"
                        && &ctx.lower[toks.start - 2] == ",";
                // "Anis Amri drove a hijacked truck into the market, killing
                // 12": the subject of an act of violence is its perpetrator
                // (not "Mayor X killed in attack", a headline's passive).
                let acts = toks.end <= d.trigger
                    && ctx
                        .lower
                        .get(toks.end)
                        .is_some_and(|w| ACT_VERBS.contains(&w))
                    && !ctx.lower.get(toks.end + 1).is_some_and(|w| {
                        matches!(w, "in" | "by" | "when" | "after" | "as" | "." | ",")
                    });
                // "Blinken expressed concern over … the kidnapping", "Blinken
                // and Qureshi discussed …": the subject of another verb.
                let agent =
                    toks.end <= d.trigger && {
                        let mut j = toks.end;
                        // Over "and Foreign Minister Shah Mahmood Qureshi", "- A,
                        // B and C -".
                        while j < d.trigger
                            && (matches!(
                                &ctx.lower[j],
                                "and" | "," | "-" | "\u{2013}" | "\u{2014}"
                            ) || words::is_honorific(&ctx.lower[j])
                                || ctx.case.informative() && ctx.is_capitalized(j)
                                || ents
                                    .at(j)
                                    .is_some_and(|x| ents.get(x).kind == EntityType::Person))
                        {
                            j += 1;
                        }
                        // "… were convicted in the abduction": the people tried
                        // for the act, not its victims.
                        let passive = matches!(&ctx.lower[j], "was" | "were");
                        let k = if passive { j + 1 } else { j };
                        let legal = res.lexicon.triggers.longest_at(&ctx.lower, k).is_some_and(
                            |(_, tr)| matches!(tr.kind, EventType::Arrest | EventType::Conviction),
                        );
                        k < d.trigger
                            && (legal
                                || !passive
                                    && ctx.lower[j].ends_with("ed")
                                    && ctx.lower[j].len() > 4
                                    && res.lexicon.triggers.longest_at(&ctx.lower, j).is_none())
                    };
                // "In Duterte's first three years of office, nearly 300
                // activists were assassinated": a name in the possessive is
                // the owner of the subject, not the subject of a passive
                // (its own act, "Khashoggi's murder", is read below).
                let owner = toks
                    .end
                    .checked_sub(1)
                    .and_then(|j| ctx.lower.get(j))
                    .is_some_and(|w| ["'s", "\u{2019}s"].iter().any(|p| w.ends_with(p)));
                // Who is arrested: "arrested blogger Andrei Lida", "the
                // arrest of X", "X, 34, was detained" (not "arrested by
                // …", nor a speaker).
                let arrested = matches!(ev.kind, EventType::Arrest | EventType::Conviction)
                    && !reported
                    && if toks.start > d.trigger {
                        // Not "arrested after the kidnapping of X": X is
                        // another act's; not a photo credit "(Stefan
                        // Rousseau/PA)".
                        ctx.lower.get(toks.start.wrapping_sub(1)) != Some("(")
                            && toks.start - d.trigger <= 30
                            && !(d.trigger + 1..toks.start).any(|j| {
                                // "… in a case that highlights … dictator X":
                                // not in a clause of its own; "arrested for
                                // poking fun at Prime Minister X": not in
                                // the deed it is for ("detained for their
                                // writing, including X" holds X); "detained
                                // since Putin launched": not the subject of
                                // a clause of time ("imprisoned since
                                // September 2016, including X" holds X).
                                matches!(
                                    &ctx.lower[j],
                                    "by" | "after" | "before" | "following" | "that" | "which"
                                ) || j + 1 == toks.start
                                    && matches!(&ctx.lower[j], "since" | "until" | "when" | "while")
                                    || &ctx.lower[j] == "for"
                                        && ctx.lower.get(j + 1).is_some_and(|w| {
                                            w.len() > 5
                                                && w.ends_with("ing")
                                                && !w.ends_with("ings")
                                        })
                                    || res
                                        .lexicon
                                        .triggers
                                        .longest_at(&ctx.lower, j)
                                        .is_some_and(|(_, tr)| tr.kind.is_violent())
                            })
                    } else {
                        !owner
                            && (passive_subject(ctx, res, ents, toks.end, d.trigger)
                                || placed_under_arrest(ctx, toks.clone(), d.trigger))
                    };
                // "Jamal Khashoggi's murder", "Nikki Stone's arrest",
                // "Kolesnikova's brutal abduction": the act is done to
                // whoever owns it (the trigger is a noun there).
                let possessor = toks.end <= d.trigger
                    && d.trigger - toks.end <= 1
                    && DONE_TO_OWNER.contains(&&ctx.lower[d.trigger])
                    // "Duterte's arrest of critics": the owner acts.
                    && ctx.lower.get(d.trigger + 1) != Some("of")
                    && owner
                    && (toks.end..d.trigger).all(|j| {
                        ctx.lower[j].chars().all(char::is_alphabetic)
                            && !ctx.is_capitalized(j)
                            && !ctx.lower[j].ends_with("ed")
                    });
                let arrested = arrested
                    || possessor && matches!(ev.kind, EventType::Arrest | EventType::Conviction);
                // "Activist John Banda was shot dead", "X, 34, was
                // brutally murdered": the subject of a passive act of
                // violence is its victim.
                let passive_victim = ev.kind.is_violent()
                    && toks.end <= d.trigger
                    && !owner
                    && passive_subject(ctx, res, ents, toks.end, d.trigger);
                // ("the parents of Kayla Mueller, an aid worker who was
                // kidnapped": the relative pronoun takes the name.)
                let hangs = hangs_off(ctx, res, toks.clone(), clause.start).filter(|_| {
                    toks.end > d.trigger
                        || !(toks.end..d.trigger).any(|j| matches!(&ctx.lower[j], "who" | "whom"))
                });
                // "a critic of President X was arrested": the critic.
                // (Built only when the person fills a slot.)
                let slot = || match hangs {
                    Some(Hangs::Of(start)) => text_slot(ctx, start..toks.end),
                    _ => slot_for_entity(ctx, ents, e, toks.clone()),
                };
                if let Some(Hangs::Agent(by)) = hangs {
                    // "was killed by Maher Mutreb", "shot dead by X": who
                    // did it (not "… was condemned by X").
                    let of_act = by > d.trigger
                        && by - d.trigger <= 3
                        && (d.trigger + 1..by)
                            .all(|k| ctx.is_word(k) && !words::is_stop(&ctx.lower[k]));
                    if ev.kind.is_violent() && of_act && !reported {
                        push_unique(&mut ev.perpetrators, slot());
                    }
                } else if hangs == Some(Hangs::Other) {
                } else if ev.kind.is_violent() && possessor {
                    push_unique(&mut ev.victims, slot());
                } else if ev.kind.is_violent()
                    && (acts || toks.end <= d.trigger && author_of(ctx, res, toks.end, d.trigger))
                    || arrested
                {
                    push_unique(&mut ev.perpetrators, slot());
                } else if !reported
                    && !agent
                    && (matches!(
                        ev.kind,
                        EventType::Kidnapping | EventType::Assassination | EventType::HostageTaking
                    ) && !(toks.end <= d.trigger
                        && (owner || names_no_one_before(ctx, res, toks.end, d.trigger)))
                        || (ev.kind.is_violent() && toks.start > d.trigger)
                        || passive_victim)
                {
                    push_unique(&mut ev.victims, slot());
                }
            }
            _ => {}
        }
    }
    // "target European countries", "on European soil": the continent.
    for t in clause.start..own_end.saturating_sub(1) {
        let Some(&(_, continent)) = CONTINENT_ADJECTIVES
            .iter()
            .find(|(adj, _)| *adj == &ctx.lower[t])
        else {
            continue;
        };
        if !CONTINENT_NOUNS.contains(&&ctx.lower[t + 1]) {
            continue;
        }
        let span = ctx.span_of(t..t + 2);
        let entity = ents
            .list
            .iter()
            .find(|x| x.kind == EntityType::Region && x.name == continent);
        places.push((
            place_rank(EntityType::Region),
            Slot {
                text: ctx.slice(span).to_string(),
                entity: entity.map(|x| x.id.clone()),
                span: Some(span),
            },
        ));
    }
    // "in Kajuru": a capitalised name after a locative preposition that no
    // gazetteer knows is still a place, without coordinates.
    if ctx.case.informative() {
        for t in clause.start..own_end {
            if !matches!(&ctx.lower[t], "in" | "at" | "near" | "outside" | "on") {
                continue;
            }
            let first = if ctx.lower.get(t + 1).is_some_and(|w| w == "the") {
                t + 2
            } else {
                t + 1
            };
            // "on European soil": the continent, above.
            if ctx
                .lower
                .get(first)
                .is_some_and(|w| CONTINENT_ADJECTIVES.iter().any(|(a, _)| *a == w))
            {
                continue;
            }
            // "on Feb. 24", "in Dec 2019": a date, no place.
            if ctx
                .lower
                .get(first)
                .is_some_and(vigil_text::is_month_abbreviation)
                && ctx
                    .lower
                    .get(first + 1)
                    .is_some_and(|w| w == "." || w.starts_with(|c: char| c.is_ascii_digit()))
            {
                continue;
            }
            // "attacks on Christians", "on Shiites": people, not a place.
            if ctx.lower.get(first).is_some_and(people_plural) {
                continue;
            }
            let mut end = first;
            while end < own_end
                && ctx.is_capitalized(end)
                && ents.at(end).is_none()
                && !words::is_stop(&ctx.lower[end])
            {
                end += 1;
            }
            // "the Kaduna-Abuja highway", "the Altendorf district".
            if end > first && end < own_end && ROAD_WORDS.contains(&&ctx.lower[end]) {
                end += 1;
            }
            // "on the Ministry of Defence", "at the University of
            // Balochistan": an institution's name, no place.
            let of_name = ctx.lower.get(end).is_some_and(|w| w == "of")
                && end + 1 < own_end
                && ctx.is_capitalized(end + 1);
            // "at Prime Minister Pravind Jugnauth": a title, no place.
            let title = end > first
                && (words::is_honorific(&ctx.lower[end - 1])
                    || words::is_office_head(&ctx.lower[end - 1]));
            if end > first && end - first <= 4 && !of_name && !title {
                places.push((1, text_slot(ctx, first..end)));
            }
            // "the attack on the Ministry of Defence": what the act struck.
            let act_on = &ctx.lower[t] == "on"
                && (t.saturating_sub(3).max(clause.start)..t).any(|k| {
                    res.lexicon
                        .triggers
                        .longest_at(&ctx.lower, k)
                        .is_some_and(|(len, tr)| {
                            k + len == t && (tr.noun || tr.kind == EventType::Claim)
                        })
                });
            if of_name && act_on && end > first && strikes(ev.kind) {
                let mut name_end = end + 1;
                while name_end < own_end
                    && name_end - end <= 4
                    && ctx.is_capitalized(name_end)
                    && !words::is_stop(&ctx.lower[name_end])
                {
                    name_end += 1;
                }
                push_unique(&mut ev.targets, text_slot(ctx, first..name_end));
            }
        }
    }
    // "foiled a plot to attack a synagogue in Strasbourg, arresting three
    // teenagers": the operation that foiled a plot is where the plot was.
    let operation = clause.start > sentence_range.start
        && ctx.lower[clause.start - 1] == *","
        && matches!(
            &ctx.lower[clause.start],
            "killing" | "wounding" | "detaining" | "arresting"
        );
    if places.is_empty() && operation {
        for (e, toks) in ents.in_tokens(sentence_range.start..clause.start) {
            let kind = ents.get(e).kind;
            if kind.is_place() {
                places.push((place_rank(kind), slot_for_entity(ctx, ents, e, toks)));
            }
        }
    }
    // Most specific first; at equal rank, places the gazetteer knows.
    places.sort_by_key(|(r, slot)| (*r, slot.entity.is_none()));
    for (_, slot) in places {
        push_unique(&mut ev.locations, slot);
    }
    ev.location = primary_location(ents, &ev.locations);

    // "He was arrested in May": the pronoun is the person last named.
    if let Some(slot) = implied_subject(ctx, res, ents, clause.start, d.trigger) {
        if suspects_event {
            if ev.perpetrators.iter().all(|p| p.entity.is_none()) {
                push_unique(&mut ev.perpetrators, slot);
            }
        } else if (ev.kind.is_violent() || ev.kind == EventType::Kidnapping)
            && ev.victims.iter().all(|v| v.entity.is_none())
        {
            push_unique(&mut ev.victims, slot);
        }
    }

    // Demonyms as nationalities of suspects ("three Tajik nationals").
    if suspects_event {
        for slot in suspect_nationalities(ctx, ents, ctx.span_of(clause.clone())) {
            push_unique(&mut ev.nationalities, slot);
        }
    }

    // Pronoun or definite description as perpetrator: "it attacked", "the organization".
    if ev.perpetrators.is_empty() && ev.kind != EventType::Warning
        || ev.kind == EventType::Warning && ev.perpetrators.is_empty()
    {
        // A subject pronoun just before the trigger ("it attacked", "may
        // encourage it to target"), or "the organization" before it.
        let refers = (clause.start.max(d.trigger.saturating_sub(3))..d.trigger)
            .any(|t| matches!(&ctx.lower[t], "it" | "they"))
            || (clause.start..d.trigger).any(|t| {
                &ctx.lower[t] == "the"
                    && ctx.lower.get(t + 1).is_some_and(|w| {
                        matches!(
                            w,
                            "organization"
                                | "organisation"
                                | "group"
                                | "militants"
                                | "terrorist"
                                | "network"
                        )
                    })
            });
        if refers {
            if let Some((e, toks)) = last_group_before(
                ctx,
                ents,
                ctx.sentences.get(d.sentence).map_or(0, |s| s.start),
                3,
                d.sentence,
            ) {
                let mut slot = slot_for_entity(ctx, ents, e, toks);
                slot.span = None;
                push_unique(&mut ev.perpetrators, slot);
            }
        }
    }

    // Generic nouns: perpetrators ("gunmen"), victims ("a police officer"), targets ("a Catholic church").
    let mut t = clause.start;
    while t < clause.end {
        if ents.at(t).is_some() {
            t += 1;
            continue;
        }
        let noun = res
            .lexicon
            .nouns
            .longest_at(&ctx.lower, t)
            .map(|(len, role)| (len, *role))
            .or_else(|| nationality_noun(ctx, ents, t).then_some((1, NounRole::Suspect)));
        if let Some((len, role)) = noun {
            // "vehicle or knife attacks": the vehicle is how, not what, of
            // the attack.
            if role == NounRole::Target && vehicle_attack(ctx, res, t, len) {
                if ev.kind.is_violent() || matches!(ev.kind, EventType::Plot | EventType::Warning) {
                    push_unique(&mut ev.weapons, text_slot(ctx, t..t + len));
                }
                t += len;
                continue;
            }
            // "a House committee": a capitalised noun mid-sentence is part of a name;
            // "terrorist organization": the noun is used as an adjective.
            let sentence_start = ctx.sent_toks.get(d.sentence).is_some_and(|r| r.start == t);
            let adjectival = ctx
                .lower
                .get(t + len)
                .is_some_and(|w| ADJECTIVAL_NEXT.contains(&w));
            if (ctx.is_capitalized(t) && !sentence_start) || adjectival {
                t += len;
                continue;
            }
            // "the federal prosecutor's office said": a speaker, not a target;
            // "Journalist Ahmed Kumara": a title, the person's own (read
            // with the name, not as another victim).
            // "the terrorist Shining Path": the noun titles the group named
            // after it, the group's own slot.
            let titles_name = ents.at(t + len).is_some_and(|e| {
                matches!(
                    ents.get(e).kind,
                    EntityType::Person | EntityType::ArmedGroup
                )
            });
            if titles_name || ctx.lower.get(t + len).is_some_and(words::is_speech_verb) {
                t += len;
                continue;
            }
            // "to prevent rebels from gathering": a gerund kept from
            // happening is no thing struck, and those kept from an act
            // other than this one did not commit this one.
            let gerund_kept = len == 1
                && ctx.lower[t].ends_with("ing")
                && t > clause.start
                && kept_from(ctx, clause.start, t);
            let kept_from_other = ctx.lower.get(t + len) == Some("from")
                && t + len + 1 != d.trigger
                && kept_from(ctx, clause.start, t + len + 1);
            if gerund_kept || kept_from_other {
                t += len;
                continue;
            }
            // "guerrilla units": the unit noun is the phrase's head.
            let unit = role == NounRole::Perpetrator
                && ctx
                    .lower
                    .get(t + len)
                    .is_some_and(|w| UNIT_NOUNS.contains(&w))
                && ents.at(t + len).is_none();
            let len = len + usize::from(unit);
            let phrase = noun_phrase(ctx, res, ents, t, t + len, clause.start);
            // "a group of rebels", "a column of terrorists": the body is the
            // phrase.
            let phrase = match role {
                NounRole::Perpetrator | NounRole::Suspect
                    if phrase.start >= clause.start + 2
                        && &ctx.lower[phrase.start - 1] == "of"
                        && BODY_HEADS.contains(&&ctx.lower[phrase.start - 2])
                        && ents.at(phrase.start - 2).is_none() =>
                {
                    let mut start = phrase.start - 2;
                    if start > clause.start
                        && matches!(&ctx.lower[start - 1][..], "a" | "an" | "the" | "another")
                    {
                        start -= 1;
                    }
                    start..phrase.end
                }
                _ => phrase,
            };
            // "Maria Petrova is the third journalist killed", "John Banda,
            // a local journalist killed in May": the noun names the person
            // before it, no other victim.
            let predicate = role == NounRole::Victim
                && phrase.start >= 2
                && matches!(
                    &ctx.lower[phrase.start - 1],
                    "is" | "was" | "became" | "becomes" | ","
                )
                && ents
                    .at(phrase.start - 2)
                    .is_some_and(|e| ents.get(e).kind == EntityType::Person);
            // "an unarmed man with autism, Eyad al-Hallaq, …": the name in
            // apposition is the victim the noun describes.
            let named_after = matches!(role, NounRole::Victim | NounRole::Suspect)
                && (t + len..(t + len + 4).min(clause.end)).any(|k| {
                    &ctx.lower[k] == ","
                        && (t + len..k).all(|m| ents.at(m).is_none())
                        && ents
                            .at(k + 1)
                            .is_some_and(|e| ents.get(e).kind == EntityType::Person)
                });
            // "has killed 946 people and arrested 7,051": the object of
            // another act of the clause is not who was arrested; "shot
            // dead two protesters and arrested five students": nor the
            // arrested who was shot.
            let before = phrase
                .start
                .checked_sub(1)
                .filter(|&b| b >= clause.start)
                .map(|b| &ctx.lower[b]);
            let harmed_object = ev.kind == EventType::Arrest
                && before
                    .is_some_and(|w| HARMED.contains(&w) || matches!(w, "killing" | "wounding"));
            let arrested_object = ev.kind.is_violent()
                && before.is_some_and(|w| {
                    matches!(w, "arrested" | "detained" | "arresting" | "detaining")
                });
            // "police evacuated residents after gunmen opened fire": whom
            // another act before the trigger moved or told is not who the
            // act harmed.
            let spared_object = ev.kind.is_violent()
                && phrase.end <= d.trigger
                && before.is_some_and(|w| SPARING.contains(&w));
            // "arrested five students", "five protesters were arrested":
            // whoever is the object or the passive subject of the arrest
            // is held, whatever the noun's usual role.
            let held = ev.kind == EventType::Arrest
                && (phrase.start == d.trigger + 1
                    && before.is_some_and(|w| matches!(w, "arrested" | "detained"))
                    || phrase.end < d.trigger
                        && passive_between(ctx, res, ents, phrase.end, d.trigger));
            if held && matches!(role, NounRole::Victim) {
                push_unique(&mut ev.perpetrators, text_slot(ctx, phrase.clone()));
                t += len;
                continue;
            }
            // "detained by masked men": the agent of a passive act is
            // neither held nor harmed.
            // ("by masked men": one modifier the phrase left out.)
            let by_at =
                |k: Option<usize>| k.is_some_and(|k| k >= clause.start && &ctx.lower[k] == "by");
            let agent = phrase.start > d.trigger
                && matches!(role, NounRole::Victim | NounRole::Suspect)
                && (by_at(phrase.start.checked_sub(1))
                    || by_at(phrase.start.checked_sub(2))
                        && !words::is_stop(&ctx.lower[phrase.start - 1]));
            if predicate
                || named_after
                || harmed_object
                || arrested_object
                || spared_object
                || agent
            {
                t += len;
                continue;
            }
            let slot = text_slot(ctx, phrase.clone());
            // "a man armed with a kitchen knife attacked": whoever is armed
            // is the attacker; a "suspect" is never the victim.
            let armed = ctx.lower.get(t + len) == Some("armed")
                && ctx.lower.get(t + len + 1) == Some("with");
            let named_suspect = matches!(&ctx.lower[t + len - 1], "suspect" | "suspects");
            // "supporters of the Islamic State group", "members of ISIS-K".
            let of_group = ctx.lower.get(t + len) == Some("of")
                && (t + len + 1..(t + len + 3).min(ctx.tokens.len())).any(|j| {
                    ents.at(j)
                        .is_some_and(|e| ents.get(e).kind == EntityType::ArmedGroup)
                });
            if of_group {
                push_unique(&mut ev.perpetrators, slot);
                t += len;
                continue;
            }
            // "Soldiers shot dead three protesters": the subject of an act
            // with an object commits it, whatever the noun's usual role.
            let acts = ev.kind.is_violent() && active_subject(ctx, phrase.end, clause.end);
            match role {
                NounRole::Perpetrator => push_unique(&mut ev.perpetrators, slot),
                NounRole::Victim | NounRole::Suspect if acts => {
                    push_unique(&mut ev.perpetrators, slot)
                }
                // "ten people were killed during a thwarted attack": the
                // dead are no plotters.
                NounRole::Suspect
                    if suspects_event
                        && !(ev.kind == EventType::Plot
                            && phrase.end < d.trigger
                            && harmed_subject(ctx, phrase.end, d.trigger)) =>
                {
                    push_unique(&mut ev.perpetrators, slot)
                }
                NounRole::Suspect if ev.kind.is_violent() && (armed || named_suspect) => {
                    push_unique(&mut ev.perpetrators, slot)
                }
                // "shot dead two … fans", "killing 12 people"; "the four
                // people killed have been named".
                NounRole::Suspect
                    if ev.kind.is_violent()
                        && (t > d.trigger
                            || phrase.end == d.trigger
                                && HARMED.contains(&&ctx.lower[d.trigger])) =>
                {
                    push_unique(&mut ev.victims, slot)
                }
                NounRole::Victim if ev.kind.is_violent() || ev.kind == EventType::Warning => {
                    push_unique(&mut ev.victims, slot)
                }
                // "claimed the attack on a police station": what the
                // claimed act struck.
                NounRole::Target
                    if ev.kind.is_violent()
                        || matches!(ev.kind, EventType::Warning | EventType::Plot)
                        || ev.kind == EventType::Claim && t > d.trigger =>
                {
                    push_unique(&mut ev.targets, slot)
                }
                _ => {}
            }
            t += len;
            continue;
        }
        if let Some((len, _)) = res.lexicon.weapons.longest_at(&ctx.lower, t) {
            if ev.kind.is_violent()
                || matches!(
                    ev.kind,
                    EventType::Plot | EventType::Arrest | EventType::Raid | EventType::Warning
                )
            {
                push_unique(&mut ev.weapons, text_slot(ctx, t..t + len));
            }
            t += len;
            continue;
        }
        t += 1;
    }

    // "journalist Ahmed Ali": the title before a named victim is that
    // victim, not another one.
    let named: Vec<Span> = ev
        .victims
        .iter()
        .filter(|v| v.entity.is_some())
        .filter_map(|v| v.span)
        .collect();
    ev.victims.retain(|v| {
        let Some(s) = v.span.filter(|_| v.entity.is_none()) else {
            return true;
        };
        !named.iter().any(|p| {
            p.start > s.end
                && ctx
                    .text
                    .get(s.end..p.start)
                    .is_some_and(|gap| gap.len() <= 2 && gap.chars().all(char::is_whitespace))
        })
    });

    // Counts.
    let (killed, injured, arrested) = counts(ctx, res, clause.clone(), ev.kind);
    ev.killed = killed;
    ev.injured = injured;
    ev.arrested = arrested;
    // "kidnapped two Chinese engineers", "killing nine officers": the
    // counted object of a kidnapping or of a casualty word is a victim,
    // whatever its noun.
    if ev.kind.is_violent() {
        for t in clause.clone() {
            if !(matches!(
                &ctx.lower[t],
                "kidnapped"
                    | "abducted"
                    | "kidnapping"
                    | "abducting"
                    | "killing"
                    | "wounding"
                    | "injuring"
                    | "killed"
                    | "wounded"
                    | "injured"
            ) || &ctx.lower[t] == "dead" && t > 0 && &ctx.lower[t - 1] == "shot")
            {
                continue;
            }
            let Some(span) = counted_object(ctx, t + 1, clause.end) else {
                continue;
            };
            let taken = ev
                .victims
                .iter()
                .any(|v| v.span.is_some_and(|s| s.overlaps(span)));
            if !taken {
                ev.victims.push(Slot {
                    text: ctx.slice(span).to_string(),
                    entity: None,
                    span: Some(span),
                });
            }
        }
    }
    if ev.kind.is_violent() {
        passive_slots(ctx, ents, clause.clone(), d.trigger, ev);
    }
    // "a man who threatened to bomb the town hall": the subject of the
    // relative clause is the one named before "who".
    if ev.kind.is_violent() || matches!(ev.kind, EventType::Warning | EventType::Plot) {
        relative_subject(ctx, res, ents, sentence_range.start, d.trigger, ev);
    }
    // "gunmen shot dead the mayor": one death.
    if ev.kind.is_violent() && ev.killed.is_none() {
        let kill_word = tells_of_death(ctx, clause.clone());
        let singular = |v: &Slot| {
            let l = v.text.to_lowercase();
            (["a ", "an ", "the ", "my ", "his ", "her ", "their ", "our "]
                .iter()
                .any(|d| l.starts_with(d))
                || v.entity.is_some())
                && !l.ends_with('s')
        };
        if kill_word && !ev.victims.is_empty() && ev.victims.iter().all(singular) {
            ev.killed = u32::try_from(ev.victims.len()).ok();
        }
    }
    // "the mayor" is the person the text names with that office.
    let mut named = Vec::new();
    for v in ev.victims.iter().filter(|v| v.entity.is_none()) {
        let l = v.text.to_lowercase();
        let Some(office) = l.strip_prefix("the ") else {
            continue;
        };
        if let Some(p) = ents.list.iter().find(|e| {
            e.kind == EntityType::Person
                && e.role
                    .as_deref()
                    .is_some_and(|r| r.to_lowercase().split_whitespace().any(|w| w == office))
        }) {
            named.push(Slot {
                text: p.name.clone(),
                entity: Some(p.id.clone()),
                span: None,
            });
        }
    }
    for slot in named {
        push_unique(&mut ev.victims, slot);
    }
    // "393 guerrillas were killed", "soldiers killed five rebels": the
    // words of the text that make the phrase the act's victim outweigh
    // its noun, which usually names attackers.
    if ev.kind.is_violent() {
        let harmed: Vec<Span> = ev.victims.iter().filter_map(|v| v.span).collect();
        ev.perpetrators
            .retain(|p| p.entity.is_some() || p.span.is_none_or(|s| !harmed.contains(&s)));
    }
    // Killing an office-holder is an assassination.
    let official_victim = ev.victims.iter().any(|v| {
        let l = v.text.to_lowercase();
        OFFICIALS
            .iter()
            .any(|o| l.split_whitespace().any(|w| w == *o))
            || v.entity.as_deref().is_some_and(|id| {
                ents.list.iter().any(|e| {
                    e.id == id
                        && e.role
                            .as_deref()
                            .is_some_and(|r| OFFICIALS.iter().any(|o| r.to_lowercase().contains(o)))
                })
            })
    });
    if matches!(
        ev.kind,
        EventType::Shooting | EventType::Attack | EventType::Stabbing
    ) && ev.stage == Stage::Accomplished
        && ev.killed.is_some()
        && official_victim
        // An execution is no assassination, whoever is executed.
        && ctx.lower.get(d.trigger) != Some("executed")
    {
        ev.kind = EventType::Assassination;
    }

    // "A fifth suspect … was detained": one arrest.
    if ev.kind == EventType::Arrest && ev.arrested.is_none() {
        let singular = ev.perpetrators.iter().any(|p| {
            p.entity.is_none() && {
                let l = p.text.to_lowercase();
                (l.starts_with("a ") || l.starts_with("an ") || l.starts_with("one "))
                    && !l.ends_with('s')
            }
        });
        if singular {
            ev.arrested = Some(1);
        }
    }

    // Date: the closest date expression in the clause, else in the sentence.
    // An arrest's clause may name the date of the plot it foiled ("arrested
    // for planning to attack … on New Year's Eve"): dates after a planning
    // word belong to the plot. A date beyond the trigger of an act of the
    // other family (violence, the law) is that act's: "detained five people
    // over the killing of a journalist in July 2016", "was shot dead in 2019;
    // two men were arrested on Monday".
    let family = Family::of(ev.kind);
    let at = |t: usize| ctx.tokens.get(t).map_or(0, |tk| tk.span.start);
    let here = at(d.trigger);
    // Acts joined by "and"/"or" share their date ("imprisoned or killed by
    // the police in 2016").
    let joined = |o: usize| {
        let (a, b) = (o.min(d.trigger), o.max(d.trigger));
        b - a <= 3 && (a + 1..b).any(|j| matches!(&ctx.lower[j], "and" | "or"))
    };
    // The triggers are in sentence order: this sentence's are one run.
    let lo = triggers.partition_point(|o| o.sentence < d.sentence);
    let hi = triggers.partition_point(|o| o.sentence <= d.sentence);
    let others: Vec<usize> = if family == Family::Other {
        Vec::new()
    } else {
        triggers
            .get(lo..hi)
            .unwrap_or_default()
            .iter()
            .filter(|o| o.family != Family::Other && o.family != family && !joined(o.token))
            .map(|o| at(o.token))
            .collect()
    };
    let beyond_other = |dm: &DateMention| {
        others.iter().any(|&there| {
            (here < there && there < dm.span.start) || (dm.span.end <= there && there < here)
        })
    };
    let usable = |dm: &&DateMention| {
        plan_after.is_none_or(|p| dm.span.start < p) && !too_vague(&dm.value) && !beyond_other(dm)
    };
    ev.date = closest_date(ctx, dates, &clause, d.trigger, &usable)
        .or_else(|| closest_date(ctx, dates, &sentence_range, d.trigger, &usable));

    if suspects_event {
        ev.crime = crime_after(ctx, res, d.trigger, own_end);
    }

    // "a group of heavily armed men": a phrase read inside a longer one
    // is part of it, not more people; "highway checkpoint soldiers": nor
    // a thing struck.
    let spans: Vec<Span> = [&ev.perpetrators, &ev.victims, &ev.targets]
        .into_iter()
        .flatten()
        .filter_map(|s| s.span)
        .collect();
    for slots in [&mut ev.perpetrators, &mut ev.victims, &mut ev.targets] {
        drop_contained(slots, &spans);
    }
    // "comedienne Samantha Kureya, better known as Gonyeti": one person.
    for slots in [&mut ev.perpetrators, &mut ev.victims] {
        drop_aliases(ctx.text, slots);
    }

    // Attribution: who says so.
    ev.attributed_to = attribution(ctx, ents, sentence_range.clone(), quotes, ev.trigger.span());

    // Confidence grows with corroborating slots.
    let mut c = ev.confidence;
    for filled in [
        !ev.perpetrators.is_empty(),
        ev.location.is_some(),
        ev.date.is_some(),
        ev.killed.is_some() || ev.injured.is_some() || ev.arrested.is_some(),
        !ev.targets.is_empty() || !ev.victims.is_empty(),
    ] {
        if filled {
            c += 0.08;
        }
    }
    ev.confidence = (c.min(0.95) * 100.0).round() / 100.0;
}

/// An arrest that is only threatened or wanted: "threatened to arrest",
/// "could be arrested", "faces arrest", "the threat of arrest", "an arrest
/// warrant".
fn arrest_threatened(ctx: &Ctx, t: usize, len: usize) -> bool {
    let before = |k: usize| t.checked_sub(k).map_or("", |j| &ctx.lower[j]);
    let (p1, p2) = (before(1), before(2));
    (p1 == "to"
        && matches!(
            p2,
            "threatened" | "threatens" | "threatening" | "threaten" | "vowed" | "vows"
        ))
        || (p1 == "be" && matches!(p2, "could" | "would" | "will" | "may" | "might" | "can"))
        || matches!(
            p1,
            "face" | "faces" | "facing" | "risk" | "risks" | "risking"
        )
        || (p1 == "of" && matches!(p2, "threat" | "threats" | "fear" | "fears" | "risk"))
        || matches!(ctx.lower.get(t + len), Some("warrant" | "warrants"))
        // "demanded the arrest of X", "called for the arrest", "seeking
        // arrests": asked for, not made.
        || (t.saturating_sub(4)..t).any(|j| {
            matches!(
                &ctx.lower[j],
                "demand" | "demanded" | "demanding" | "demands" | "seeking" | "sought" | "seek"
                    | "urged" | "urging"
            ) || matches!(&ctx.lower[j], "called" | "calling" | "calls" | "call")
                && ctx.lower.get(j + 1) == Some("for")
        })
}

/// Whether tokens `from..trigger` make the trigger a passive verb of the
/// subject ending at `from`: "was shot", "were reportedly killed", ", 34,
/// had also been detained" (auxiliaries of the passive, adverbs, an age
/// between commas), the trigger a participle. An apposition may stand
/// between ("Tsitsi Dangarembga, the novelist who was nominated for the
/// Booker prize, was arrested") when it names no other person and no
/// other act.
fn passive_between(
    ctx: &Ctx,
    res: &Resources,
    ents: &Entities,
    from: usize,
    trigger: usize,
) -> bool {
    let Some(verb) = ctx.lower.get(trigger) else {
        return false;
    };
    // "A and B received four-year sentences", "X has received the longest
    // sentence": the sentence's receivers are its subject, right before
    // the verb or its auxiliary.
    if matches!(verb, "received" | "receives" | "got") {
        return from == trigger
            || from + 1 == trigger && matches!(&ctx.lower[from], "has" | "have" | "had");
    }
    // "was put under house arrest", "was placed under arrest": the verb
    // group ends before "put".
    let mut trigger = trigger;
    if verb == "arrest" {
        match under_arrest(ctx, trigger) {
            Some(under) if under > from + 1 && PLACING.contains(&&ctx.lower[under - 1]) => {
                trigger = under - 1;
            }
            _ => return false,
        }
    }
    // "in custody", "in police detention": a state the subject is in.
    let participle = verb == "arrest"
        || verb.ends_with("ed")
        || matches!(
            verb,
            "shot"
                | "slain"
                | "hit"
                | "beaten"
                | "stabbed"
                | "taken"
                | "held"
                | "in"
                | "behind"
                | "found"
                | "serving"
        );
    if !participle || from >= trigger {
        return false;
    }
    // "Saba Dashtyari, a professor at the University of Balochistan and
    // one of the greatest poets was shot by gunmen": an apposition that no
    // comma closes, then "was" and the participle.
    if &ctx.lower[from] == ","
        && from + 3 < trigger
        && trigger - from <= 25
        && matches!(&ctx.lower[from + 1], "a" | "an" | "the" | "one")
        && matches!(&ctx.lower[trigger - 1], "was" | "were")
        && (from + 2..trigger - 1).all(|j| {
            ctx.is_word(j)
                && !matches!(
                    &ctx.lower[j],
                    "was" | "were" | "is" | "are" | "who" | "which"
                )
                && describes(ctx, res, ents, j)
        })
    {
        return true;
    }
    // "Nasrin Sotoudeh, a human rights lawyer imprisoned for her work",
    // "X, a Saudi writer and activist currently behind bars": an
    // apposition naming what the subject is, then the participle.
    if &ctx.lower[from] == ","
        && from + 2 < trigger
        && trigger - from <= 9
        && matches!(&ctx.lower[from + 1], "a" | "an" | "the")
    {
        let mut end = trigger;
        while end > from + 2
            && matches!(
                &ctx.lower[end - 1],
                "currently" | "now" | "later" | "recently" | "since"
            )
        {
            end -= 1;
        }
        let noun = &ctx.lower[end - 1];
        let names_person = matches!(noun, "man" | "woman" | "person")
            || words::role_noun(noun) == Some(false)
            || words::is_office_head(noun);
        if names_person
            && (from + 2..end).all(|j| {
                (ctx.is_word(j) || matches!(&ctx.lower[j], "'s" | "\u{2019}s"))
                    && describes(ctx, res, ents, j)
            })
        {
            return true;
        }
    }
    // The verb group: from the last comma before the trigger when an
    // apposition opens right after the subject.
    let mut start = from;
    if ctx.lower[from] == *"," {
        if let Some(last) = (from + 1..trigger).rev().find(|&j| ctx.lower[j] == *",") {
            let apposition = from + 1..last;
            let age = apposition.len() == 1 && words::number_value(&ctx.lower[from + 1]).is_some();
            let plain = apposition.len() <= 30
                && apposition.clone().all(|j| {
                    !matches!(&ctx.lower[j], "." | ";" | "\"" | "\u{201c}" | "\u{201d}")
                        && describes(ctx, res, ents, j)
                });
            if age || plain {
                start = last + 1;
            }
        }
    }
    let group = start..trigger;
    // "X became the highest-profile person arrested", "X is the third
    // journalist killed this year": the subject is the one the noun names.
    if trigger - start >= 3
        && trigger - start <= 7
        && matches!(&ctx.lower[start], "became" | "becomes" | "is" | "was")
        && matches!(&ctx.lower[start + 1], "the" | "a" | "an")
        && {
            let noun = &ctx.lower[trigger - 1];
            matches!(noun, "person" | "man" | "woman" | "one")
                || words::role_noun(noun) == Some(false)
        }
        && (start + 2..trigger - 1).all(|j| ctx.is_word(j) && !words::is_speech_verb(&ctx.lower[j]))
    {
        return true;
    }
    group
        .clone()
        .any(|j| matches!(&ctx.lower[j], "was" | "were" | "been"))
        && group.clone().all(|j| {
            let w = &ctx.lower[j];
            // ", who was killed in Kiev": a relative clause of the subject.
            (matches!(
                w,
                "was" | "were" | "been" | "has" | "have" | "had" | "being" | "also" | "," | "aged"
            // (", a 26-year-old poet, who was arrested": after an apposition.)
            ) || (w == "who" && j > 0 && ctx.lower[j - 1] == *",")
                // "was among those arrested", "was reported killed".
                || (w == "among" || w == "those" || w == "reported") && j > start)
                || (w.ends_with("ly") && w.len() > 4)
                // "was beaten and stabbed", "was tortured and killed".
                // "were tried and jailed".
                || (HARMED.contains(&w) || words::LEGAL_STEPS.contains(&w))
                    && ctx.lower.get(j + 1) == Some("and")
                || w == "and"
                    && j > start
                    && (HARMED.contains(&&ctx.lower[j - 1])
                        || words::LEGAL_STEPS.contains(&&ctx.lower[j - 1]))
                || words::number_value(w).is_some() && !matches!(w, "a" | "an")
        })
}

/// True when token `j` can stand in an apposition that describes the
/// subject: no verb of saying, no event word, no other person.
fn describes(ctx: &Ctx, res: &Resources, ents: &Entities, j: usize) -> bool {
    !words::is_speech_verb(&ctx.lower[j])
        && res.lexicon.triggers.longest_at(&ctx.lower, j).is_none()
        && ents
            .at(j)
            .is_none_or(|e| ents.get(e).kind != EntityType::Person)
}

/// The verbs that put someone under arrest ("was put under house arrest",
/// "placed X under arrest").
const PLACING: &[&str] = &["put", "placed", "kept"];

/// The token "under" of "under (house) arrest" when `trigger` is its
/// "arrest".
fn under_arrest(ctx: &Ctx, trigger: usize) -> Option<usize> {
    if ctx.lower.get(trigger)? != "arrest" {
        return None;
    }
    let mut j = trigger.checked_sub(1)?;
    if &ctx.lower[j] == "house" {
        j = j.checked_sub(1)?;
    }
    (&ctx.lower[j] == "under").then_some(j)
}

/// "Police placed opposition leader X under house arrest": the person
/// (`name`) between "placed" / "put" / "kept" (and a role) and "under
/// (house) arrest" at `trigger`.
fn placed_under_arrest(ctx: &Ctx, name: Range<usize>, trigger: usize) -> bool {
    if under_arrest(ctx, trigger) != Some(name.end) {
        return false;
    }
    let mut j = name.start;
    while j > 0
        && name.start - j < 3
        && ctx.is_word(j - 1)
        && !ctx.is_capitalized(j - 1)
        && !words::is_stop(&ctx.lower[j - 1])
        && !PLACING.contains(&&ctx.lower[j - 1])
    {
        j -= 1;
    }
    j > 0 && PLACING.contains(&&ctx.lower[j - 1])
}

/// True when the person whose name ends before token `from` is, alone or
/// in a list of people ("Andrei Zhuk and Vasily Yuzepchuk were executed",
/// "A, B and C were detained"), the subject of the passive `trigger`.
fn passive_subject(
    ctx: &Ctx,
    res: &Resources,
    ents: &Entities,
    from: usize,
    trigger: usize,
) -> bool {
    let person_at = |j: usize| {
        ents.at(j)
            .filter(|&e| ents.get(e).kind == EntityType::Person)
    };
    let mut end = from;
    for _ in 0..8 {
        if passive_between(ctx, res, ents, end, trigger) {
            return true;
        }
        // "– A, B and C – were also arrested": the list closed by a dash.
        if end < trigger
            && matches!(&ctx.lower[end], "\u{2013}" | "\u{2014}" | "-" | "--")
            && passive_between(ctx, res, ents, end + 1, trigger)
        {
            return true;
        }
        // The next name of the list, perhaps after its role ("…, human
        // rights lawyer Mohamed el-Baqer, and blogger Mohamed Ibrahim"),
        // past where the last one is from ("A from Goobjoog Media and B").
        let mut j = end;
        // "Ahmed Ali, 34, and Omar Khan, 29, were arrested": past an age.
        if j + 2 < trigger
            && &ctx.lower[j] == ","
            && words::age(&ctx.lower[j + 1]).is_some_and(|a| a >= 1)
            && matches!(&ctx.lower[j + 2], "," | "and")
        {
            j += 2;
        }
        if j + 1 < trigger && matches!(&ctx.lower[j], "from" | "of") && ctx.is_capitalized(j + 1) {
            j += 1;
            while j < trigger && j - end < 6 && (ctx.is_capitalized(j) || &ctx.lower[j] == "of") {
                j += 1;
            }
        }
        while j < trigger && matches!(&ctx.lower[j], "," | "and") {
            j += 1;
        }
        // "Agnes Chow, and two other activists were among those arrested":
        // the list ends with people counted by their role.
        if j > end && j < trigger && words::number_value(&ctx.lower[j]).is_some() {
            let mut k = j + 1;
            while k < trigger && matches!(&ctx.lower[k], "other" | "more" | "fellow") {
                k += 1;
            }
            if k < trigger && words::role_noun(&ctx.lower[k]).is_some() {
                end = k + 1;
                continue;
            }
        }
        // "X and her husband Edwin were killed": a relative of the last.
        if j > end
            && j + 1 < trigger
            && matches!(&ctx.lower[j], "his" | "her" | "their")
            && KIN.contains(&&ctx.lower[j + 1])
        {
            let mut k = j + 2;
            while k < trigger && k - j < 4 && ctx.case.informative() && ctx.is_capitalized(k) {
                k += 1;
            }
            end = k;
            continue;
        }
        let role_start = j;
        // (A nationality may open the role: "and Russian historian X".)
        let demonym_at = |j: usize| {
            ctx.tokens.get(j).is_some_and(|tk| {
                let k = ents
                    .demonyms
                    .partition_point(|dm| dm.span.end < tk.span.end);
                ents.demonyms.get(k).is_some_and(|dm| dm.span == tk.span)
            })
        };
        while j < trigger
            && j - role_start < 4
            && person_at(j).is_none()
            && ctx.is_word(j)
            && (!ctx.is_capitalized(j) || j == role_start && demonym_at(j))
            && !words::is_stop(&ctx.lower[j])
        {
            j += 1;
        }
        if j > role_start && words::role_noun(&ctx.lower[j - 1]).is_none() {
            return false;
        }
        if j <= end {
            return false;
        }
        if let Some(e) = person_at(j) {
            while j < trigger && person_at(j) == Some(e) {
                j += 1;
            }
        } else {
            // A name the entity pass did not read, between items of the
            // list ("A, Hamad Hagengimana, and B"): two to four
            // capitalised words that are no other entity.
            let name = j;
            while j < trigger
                && j - name < 4
                && ctx.case.informative()
                && ctx.is_capitalized(j)
                && ents.at(j).is_none()
            {
                j += 1;
            }
            if j - name < 2 || !matches!(ctx.lower.get(j), Some("," | "and")) {
                return false;
            }
        }
        end = j;
    }
    false
}

/// Whether a noun trigger at `trigger` is told apart from a person named
/// before it (ending at `end`) by a verb of their own: "urged President X
/// to deal with the menace of kidnappings", "X met Y to brief him about the
/// hostages" (not "X and Y were among the hostages", "X, whose kidnapping
/// …").
fn names_no_one_before(ctx: &Ctx, res: &Resources, end: usize, trigger: usize) -> bool {
    let noun = res
        .lexicon
        .triggers
        .longest_at(&ctx.lower, trigger)
        .is_some_and(|(_, tr)| tr.noun);
    noun && (end..trigger).any(|j| {
        let w = &ctx.lower[j];
        ctx.is_word(j)
            && !matches!(w, "was" | "were" | "is" | "are" | "been" | "being")
            && (w == "to"
                || w.ends_with("ed") && res.lexicon.triggers.longest_at(&ctx.lower, j).is_none())
    })
}

/// Phrases that make the person before them the author of the act they
/// lead to: "X was responsible for the kidnapping", "X is behind the
/// murder", "X, accused of the killing".
const AUTHOR_OF: &[&[&str]] = &[
    &["responsible", "for"],
    &["behind"],
    &["accused", "of"],
    &["suspected", "of"],
    &["charged", "with"],
    &["convicted", "of"],
    &["convicted", "for"],
    &["guilty", "of"],
    &["blamed", "for"],
    &["masterminded"],
    &["orchestrated"],
];

/// Whether an [`AUTHOR_OF`] phrase between a person (ending at `end`) and
/// the act's trigger leads from the one to the other: it follows the
/// person over at most three words of a copula or a list ("was", "and
/// others", "allegedly") or the rest of a name, and ends at most three words (an article,
/// adjectives) before the trigger, with no other act between.
fn author_of(ctx: &Ctx, res: &Resources, end: usize, trigger: usize) -> bool {
    let lead = (end..trigger)
        .take_while(|&k| {
            matches!(
                &ctx.lower[k],
                "was"
                    | "were"
                    | "is"
                    | "are"
                    | "been"
                    | "has"
                    | "have"
                    | "had"
                    | "allegedly"
                    | "reportedly"
                    | "also"
                    | ","
                    | "and"
                    | "others"
                    | "who"
            ) || ctx.case.informative() && ctx.is_capitalized(k)
        })
        .count();
    (end..(end + lead.min(3) + 1).min(trigger)).any(|p| {
        AUTHOR_OF.iter().any(|phrase| {
            let stop = p + phrase.len();
            stop <= trigger
                && phrase
                    .iter()
                    .enumerate()
                    .all(|(i, w)| ctx.lower[p + i] == **w)
                && trigger - stop <= 3
                && (stop..trigger).all(|k| {
                    ctx.is_word(k)
                        && (matches!(&ctx.lower[k], "the" | "a" | "an")
                            || !words::is_stop(&ctx.lower[k]))
                        && res.lexicon.triggers.longest_at(&ctx.lower, k).is_none()
                })
        })
    })
}

/// How a person's name hangs off something other than the act it stands
/// beside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hangs {
    /// The agent after "by" (at this token): "killed by Maher Mutreb",
    /// "ordered by Crown Prince X".
    Agent(usize),
    /// The complement of "of" after a relative, an ally or an opponent:
    /// "a critic of President X", "the wife of X". The act is done to the
    /// whole phrase, which starts at this token (its determiner).
    Of(usize),
    /// Someone the act is not done to: a ruler after "under" or after the
    /// "of" of a regime ("the 22-year rule of former dictator X"), or the
    /// modifier of such a noun ("the Duterte regime", "Navalny's
    /// supporters").
    Other,
}

/// Nouns of people whose "of" names someone else than themselves:
/// relatives and companions ([`KIN`]), allies and opponents.
const RELATIONAL: &[&str] = &[
    "critic",
    "critics",
    "opponent",
    "opponents",
    "supporter",
    "supporters",
    "ally",
    "allies",
    "rival",
    "rivals",
    "adviser",
    "advisers",
    "advisor",
    "advisors",
    "aide",
    "aides",
    "associate",
    "associates",
    "follower",
    "followers",
    "loyalist",
    "loyalists",
    "lawyer",
    "lawyers",
    "attorney",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "widow",
    "relatives",
    "friends",
    "colleagues",
    "successor",
    "predecessor",
];

/// Nouns of a ruler's time in power, whose "of" names the ruler.
const REGIME: &[&str] = &[
    "regime",
    "administration",
    "government",
    "rule",
    "reign",
    "era",
    "presidency",
    "tenure",
];

/// Nouns a ruler's or a leader's name modifies ("the Duterte regime",
/// "Navalny's supporters"): the name is not the people the act is done to.
const MODIFIED_BY_NAME: &[&str] = &[
    "regime",
    "administration",
    "government",
    "rule",
    "era",
    "presidency",
    "reign",
    "junta",
    "supporters",
    "loyalists",
    "allies",
    "critics",
    "opponents",
    "followers",
    "aides",
    "camp",
];

/// Whether the person named at tokens `name` hangs off another word than
/// the act ([`Hangs`]): read back over up to three title words
/// ("President", "former dictator", "Crown Prince") to "by", "under" or a
/// relational noun's "of", and forward over a possessive and one adjective
/// to a noun the name modifies.
fn hangs_off(ctx: &Ctx, res: &Resources, name: Range<usize>, floor: usize) -> Option<Hangs> {
    let mut j = name.start;
    while j > floor
        && name.start - j < 3
        && ctx.is_word(j - 1)
        && !words::is_stop(&ctx.lower[j - 1])
        && res.lexicon.triggers.longest_at(&ctx.lower, j - 1).is_none()
    {
        j -= 1;
    }
    if j > floor {
        match &ctx.lower[j - 1] {
            "by" => return Some(Hangs::Agent(j - 1)),
            "under" => return Some(Hangs::Other),
            "of" if j - 1 > floor => {
                let head = j - 2;
                let w = &ctx.lower[head];
                if RELATIONAL.contains(&w) || KIN.contains(&w) {
                    let det = head > floor
                        && matches!(
                            &ctx.lower[head - 1],
                            "the" | "a" | "an" | "his" | "her" | "their"
                        );
                    return Some(Hangs::Of(if det { head - 1 } else { head }));
                }
                if REGIME.contains(&w) {
                    return Some(Hangs::Other);
                }
            }
            _ => {}
        }
    }
    let last = &ctx.lower[name.end - 1];
    let possessive = last.ends_with("'s") || last.ends_with("\u{2019}s");
    let modified = (name.end..(name.end + 2).min(ctx.lower.len()))
        .take_while(|&k| ctx.is_word(k) && !(ctx.case.informative() && ctx.is_capitalized(k)))
        .enumerate()
        .any(|(n, k)| MODIFIED_BY_NAME.contains(&&ctx.lower[k]) && (n == 0 || possessive));
    modified.then_some(Hangs::Other)
}

/// Nouns for a person's relatives and companions, who may close a list of
/// people ("X and her husband Edwin were killed").
const KIN: &[&str] = &[
    "husband",
    "wife",
    "son",
    "daughter",
    "sons",
    "daughters",
    "children",
    "child",
    "brother",
    "sister",
    "brothers",
    "sisters",
    "father",
    "mother",
    "parents",
    "cousin",
    "nephew",
    "niece",
    "uncle",
    "aunt",
    "family",
    "driver",
    "bodyguard",
    "bodyguards",
    "friend",
    "colleague",
    "girlfriend",
    "boyfriend",
    "fiancee",
    "fiance",
    "grandson",
    "granddaughter",
];

/// True when the entity at token `t` continues a list introduced by "from".
fn from_list(ctx: &Ctx, ents: &Entities, t: usize, floor: usize) -> bool {
    let mut j = t;
    while j > floor {
        j -= 1;
        let w = &ctx.lower[j];
        if w == "from" {
            return true;
        }
        if !(matches!(w, "," | "and")
            || ents
                .at(j)
                .is_some_and(|e| ents.get(e).kind == EntityType::Country))
        {
            return false;
        }
    }
    false
}

/// The noun phrase ending at `end`: determiners, numbers and adjectives before the noun.
fn noun_phrase(
    ctx: &Ctx,
    res: &Resources,
    ents: &Entities,
    start: usize,
    end: usize,
    floor: usize,
) -> Range<usize> {
    let mut s = start;
    while s > floor && start - s < 4 {
        let w = &ctx.lower[s - 1];
        let is_number = words::number_value(w).is_some();
        if !(ctx.is_word(s - 1) || is_number) {
            break;
        }
        // Names are their own slots; capitalised words inside a name
        // ("a Champions League match") stay.
        if ents.at(s - 1).is_some() && !ctx.is_capitalized(s - 1) {
            break;
        }
        let determiner = matches!(
            w,
            "a" | "an" | "the" | "his" | "her" | "their" | "its" | "our"
        );
        if words::is_stop(w)
            && !determiner
            && !is_number
            && !matches!(w, "several" | "other" | "many")
        {
            break;
        }
        // Verbs, prepositions and other slot words end the phrase:
        // "gunmen shot dead | the mayor".
        if words::is_speech_verb(w)
            || res_verbish(w)
            || ACT_VERBS.contains(&w)
            || IRREGULAR_PAST.contains(&w)
            || PREPOSITIONS.contains(&w)
            || w == "dead"
            // "could attempt | vehicle attacks".
            || ATTEMPTED.contains(&w)
            || PLANNED.contains(&w)
            || MODAL.contains(&w)
        {
            break;
        }
        // A place or thing struck, one word before the head, is its
        // modifier: "highway checkpoint soldiers", "bus passengers".
        let noun = res.lexicon.nouns.longest_at(&ctx.lower, s - 1);
        let modifier = matches!(noun, Some((1, NounRole::Target)));
        if res.lexicon.triggers.longest_at(&ctx.lower, s - 1).is_some()
            || noun.is_some() && !modifier
        {
            break;
        }
        // "actions to prevent | rebels from gathering": after "to", a word
        // that is no determiner, count or adjective is an infinitive.
        if !determiner && !is_number && s >= floor + 2 && &ctx.lower[s - 2] == "to" && !adjective(w)
        {
            break;
        }
        s -= 1;
        if determiner {
            break;
        }
    }
    // "dozens of journalists", "hundreds of villagers": a count in words.
    if s >= floor + 2 && &ctx.lower[s - 1] == "of" && VAGUE_COUNTS.contains(&&ctx.lower[s - 2]) {
        s -= 2;
    }
    s..end
}

/// Verbs in the past without "-ed" that end a noun phrase read backwards:
/// "attacks which left | one policeman injured".
const IRREGULAR_PAST: &[&str] = &[
    "left", "sent", "took", "kept", "struck", "caught", "brought", "saw", "met", "made", "told",
    "gave", "held", "found", "lost", "won", "fled", "sought", "stole",
];

/// Counts told in words, before "of": "dozens of journalists".
const VAGUE_COUNTS: &[&str] = &[
    "dozens",
    "scores",
    "hundreds",
    "thousands",
    "tens",
    "millions",
];

/// Office-holders whose killing is an assassination.
const OFFICIALS: &[&str] = &[
    "mayor",
    "governor",
    "minister",
    "judge",
    "candidate",
    "senator",
    "congressman",
    "councillor",
    "councilor",
    "lawmaker",
    "prosecutor",
    "president",
    "ambassador",
    "legislator",
    "deputy",
];

/// Prepositions end a noun phrase read backwards ("a car bomb | outside a police station").
const PREPOSITIONS: &[&str] = &[
    "outside", "inside", "near", "behind", "beside", "opposite", "across", "toward", "towards",
    "via", "per",
];

/// Whether a word may be an adjective before a noun: "several", "other",
/// "innocent", or one of the endings of adjectives ("local", "urban",
/// "salvadoran", "dangerous", "peaceful"). Read only where a verb is the
/// other choice ("to local residents" / "to prevent rebels").
fn adjective(w: &str) -> bool {
    matches!(
        w,
        "several" | "other" | "many" | "innocent" | "young" | "old" | "armed" | "unarmed"
    ) || [
        "al", "an", "ese", "ish", "ous", "ive", "ic", "ful", "less", "ern", "ary",
    ]
    .iter()
    .any(|end| w.len() > end.len() + 2 && w.ends_with(end))
}

fn res_verbish(w: &str) -> bool {
    w.ends_with("ed") && w.len() > 4 || w.ends_with("ing") && w.len() > 5
}

fn counts(
    ctx: &Ctx,
    res: &Resources,
    clause: Range<usize>,
    kind: EventType,
) -> (Option<u32>, Option<u32>, Option<u32>) {
    let mut killed = None;
    let mut injured = None;
    let mut arrested: Option<u32> = None;
    for t in clause.clone() {
        let w = &ctx.lower[t];
        let is_kill = matches!(
            w,
            "killed"
                | "killing"
                | "dead"
                | "death"
                | "deaths"
                | "died"
                | "bodies"
                | "fatalities"
                | "murdered"
                | "slain"
                | "martyred"
                | "lynched"
                | "beheaded"
                | "executed"
        );
        let is_hurt = matches!(
            w,
            "wounded" | "injured" | "hurt" | "injuries" | "injuring" | "wounding"
        );
        let is_arrest = matches!(
            w,
            "arrested"
                | "arrests"
                | "detained"
                | "detentions"
                | "apprehended"
                | "detaining"
                | "arresting"
                | "custody"
        );
        if !(is_kill || is_hurt || is_arrest) {
            continue;
        }
        // "sentenced two activists to death": a sentence, no one dead.
        if kind == EventType::Conviction && w == "death" && t > 0 && &ctx.lower[t - 1] == "to" {
            continue;
        }
        // "the military has killed 946 people and arrested 7,051": beside
        // an arrest, the killing of others than suspects is no toll of it.
        if is_kill
            && kind == EventType::Arrest
            && ctx
                .lower
                .get(t + 1)
                .is_some_and(|w| words::number_value(w).is_some())
            && ctx.lower.get(t + 2).is_some_and(|w| !words::is_stop(w))
            && !names_suspects(ctx, res, t + 1..(t + 4).min(clause.end))
        {
            continue;
        }
        let mut n = number_before(ctx, t, clause.start);
        // "detaining a third", "arrested a man": one.
        if n.is_none()
            && is_arrest
            && ctx
                .lower
                .get(t + 1)
                .is_some_and(|w| matches!(w, "a" | "an" | "one"))
        {
            n = Some(1);
        }
        if n.is_none()
            && matches!(
                w,
                "killing"
                    | "killed"
                    | "dead"
                    | "wounding"
                    | "injuring"
                    | "wounded"
                    | "arrested"
                    | "arrests"
                    | "detained"
                    // "executed two democracy activists".
                    | "executed"
                    | "murdered"
                    | "beheaded"
                    | "lynched"
            )
        {
            n = number_after(ctx, t, clause.end);
        }
        let Some(n) = n else { continue };
        if is_kill {
            killed = Some(killed.unwrap_or(0).max(n));
        } else if is_hurt {
            injured = Some(injured.unwrap_or(0).max(n));
        } else if matches!(kind, EventType::Arrest | EventType::Raid | EventType::Plot) {
            arrested = Some(arrested.unwrap_or(0) + n);
            // "3 other arrests in Austria, and one in Germany".
            let mut j = t + 1;
            while j + 2 < clause.end {
                if &ctx.lower[j] == "and" {
                    if let Some(m) =
                        words::number_value(&ctx.lower[j + 1]).filter(|_| &ctx.lower[j + 2] == "in")
                    {
                        arrested = arrested.map(|a| a + m);
                        break;
                    }
                }
                j += 1;
            }
        }
    }
    (killed, injured, arrested)
}

/// True when a word of `clause` tells of a death: "killed", "murdered",
/// "shot dead", "gunned down", "fatally wounded", "tortured to death",
/// "burned alive".
fn tells_of_death(ctx: &Ctx, clause: Range<usize>) -> bool {
    clause.into_iter().any(|j| {
        matches!(
            &ctx.lower[j],
            "killed"
                | "dead"
                | "murdered"
                | "assassinated"
                | "slain"
                | "martyred"
                | "murder"
                | "murders"
                | "killing"
                | "killings"
                | "beheaded"
                | "beheading"
                | "lynched"
                | "executed"
        ) || (&ctx.lower[j] == "fatally"
            && ctx.lower.get(j + 1).is_some_and(|n| HARMED.contains(&n)))
            || (&ctx.lower[j] == "gunned" && ctx.lower.get(j + 1) == Some("down"))
            || (matches!(&ctx.lower[j], "death" | "alive")
                && j.checked_sub(1)
                    .is_some_and(|p| matches!(&ctx.lower[p], "to" | "burned" | "burnt")))
    })
}

/// Marks the violent acts that took a life (`Event::fatal`): a toll above
/// zero, or a word of the act's clause telling of a death the text does not
/// count ("killing several officers"). Acts not carried out take none, and
/// "no one was killed" (a toll of zero) overrules the word.
fn mark_fatal(ctx: &Ctx, drafts: &mut [Draft]) {
    for d in drafts {
        let ev = &mut d.event;
        ev.fatal = ev.kind.is_violent()
            && ev.stage == Stage::Accomplished
            && match ev.killed {
                Some(k) => k > 0,
                None => tells_of_death(ctx, d.clause.clone()),
            };
    }
}

/// A number up to four words before `t`, skipping nouns and auxiliaries
/// ("3 men were arrested", "one death", "3 other arrests").
fn number_before(ctx: &Ctx, t: usize, floor: usize) -> Option<u32> {
    // "No one was killed", "nobody was hurt", "none of the passengers
    // were injured", "no deaths": a count of zero (not "nobody has
    // claimed the killing": another verb between).
    if negated(ctx, floor, t) || t > floor && &ctx.lower[t - 1] == "no" {
        return Some(0);
    }
    let mut j = t;
    let mut steps = 0;
    while j > floor && steps < 5 {
        j -= 1;
        steps += 1;
        let w = &ctx.lower[j];
        if let Some(n) = words::number_value(w).filter(|_| !matches!(w, "a" | "an")) {
            // "3" in "December 24, 2023" or a year is not a count.
            if n > 1900 && n < 2100 {
                return None;
            }
            return Some(n);
        }
        // "3 men were arrested", "one of his bodyguards was wounded"; else
        // "a church elder and a vigilante were shot dead": count the people.
        if matches!(w, "were" | "was") {
            // "The suspects, aged 17, 18 and 20, were detained": ages, not a count.
            if (floor.max(j.saturating_sub(7))..j)
                .any(|k| matches!(&ctx.lower[k], "aged" | "ages" | "age"))
            {
                return None;
            }
            let counted = (floor.max(j.saturating_sub(5))..j).rev().find_map(|k| {
                let w = &ctx.lower[k];
                // "Ahmed Ali, 34, was murdered": an age, not a count.
                let age = k > 0
                    && ctx.lower[k - 1] == *","
                    && ctx.lower.get(k + 1).is_some_and(|x| x == ",");
                words::number_value(w)
                    .filter(|n| !matches!(w, "a" | "an") && !(1900..2100).contains(n) && !age)
            });
            return counted.or_else(|| people_before(ctx, j, floor));
        }
        if matches!(
            w,
            "," | "." | ";" | "in" | "on" | "at" | "and" | "by" | "for"
        ) {
            return None;
        }
    }
    None
}

/// The number of singular noun phrases ("a church elder and a vigilante")
/// that make up the subject ending before token `verb`.
fn people_before(ctx: &Ctx, verb: usize, floor: usize) -> Option<u32> {
    let mut n = 0u32;
    let mut j = verb;
    while j > floor {
        j -= 1;
        let w = &ctx.lower[j];
        match w {
            "a" | "an" => n += 1,
            "and" | "," => {}
            _ if ctx.is_word(j) && !words::is_stop(w) => {}
            _ => break,
        }
    }
    (n > 0).then_some(n)
}

/// A number up to four words after `t` ("killing 3 people", "arrests targeting 7 individuals").
fn number_after(ctx: &Ctx, t: usize, ceil: usize) -> Option<u32> {
    let mut j = t + 1;
    while j < ceil && j <= t + 4 {
        let w = &ctx.lower[j];
        if let Some(n) = words::number_value(w).filter(|_| {
            !matches!(w, "a" | "an" | "one")
                || ctx
                    .lower
                    .get(j + 1)
                    .is_some_and(|x| x == "person" || x == "man" || x == "woman")
        }) {
            if n > 1900 && n < 2100 {
                return None;
            }
            return Some(n);
        }
        // "wounding at least 20 others".
        if w == "at" && ctx.lower.get(j + 1) == Some("least") {
            j += 2;
            continue;
        }
        if matches!(w, "." | ";" | "in" | "on" | "at") {
            return None;
        }
        j += 1;
    }
    None
}

/// What an arrest, raid or conviction at `trigger` holds people for, when
/// the clause (up to `end`) names an act of violence after a word that
/// gives the reason: "detained five people over the killing of a
/// journalist", "arrested in connection with the kidnapping", "sentenced
/// for attempted murder", "charged with the abduction" (not "sentenced for
/// filming police attacking demonstrators": a verb of its own between).
fn crime_after(ctx: &Ctx, res: &Resources, trigger: usize, end: usize) -> Option<EventType> {
    let w = |j: usize| ctx.lower.get(j).unwrap_or("");
    let mut j = trigger + 1;
    while j < end.min(trigger + 20) {
        let reason = match w(j) {
            "over" | "for" => 1,
            "in" if w(j + 1) == "connection" && w(j + 2) == "with" => 3,
            "on" if w(j + 1) == "suspicion" && w(j + 2) == "of" => 3,
            "suspected" | "accused" | "convicted" | "guilty" if w(j + 1) == "of" => 2,
            "charged" | "charges" if w(j + 1) == "with" => 2,
            _ => 0,
        };
        if reason == 0 {
            j += 1;
            continue;
        }
        let from = j + reason;
        for k in from..end.min(from + 6) {
            let word = w(k);
            if let Some((_, tr)) = res.lexicon.triggers.longest_at(&ctx.lower, k) {
                if tr.kind.is_violent() && !tr.threat {
                    return Some(tr.kind);
                }
            }
            // Killings the lexicon has no trigger for.
            if matches!(word, "manslaughter" | "homicide" | "homicides") {
                return Some(EventType::Attack);
            }
            // Another verb, or the end of the phrase.
            let gerund = word.ends_with("ing") && word != "being" && word.len() > 4;
            if gerund || matches!(word, "." | ";" | "," | "and" | "but" | "after" | "when") {
                break;
            }
        }
        j = from;
    }
    None
}

/// Durations ("for the past decade") are not the date of an event.
fn too_vague(d: &DateValue) -> bool {
    (d.end - d.start).num_days() > 400
}

fn closest_date(
    ctx: &Ctx,
    dates: &[DateMention],
    range: &Range<usize>,
    trigger: usize,
    usable: &dyn Fn(&&DateMention) -> bool,
) -> Option<DateValue> {
    let span = ctx.span_of(range.clone());
    let tpos = ctx.tokens.get(trigger).map_or(0, |t| t.span.start);
    // "claimed by the TTP, which has stepped up attacks since … November
    // 2022": a date in a relative clause about something named after the
    // trigger is that clause's ("Khashoggi's murder, which happened … in
    // October 2018" is about the event itself).
    let relative = (trigger + 3..range.end.saturating_sub(1))
        .find(|&j| ctx.lower[j] == *"," && matches!(&ctx.lower[j + 1], "which" | "who"))
        .and_then(|j| ctx.tokens.get(j))
        .map(|t| t.span.start);
    dates
        .iter()
        .filter(|d| span.contains(d.span))
        .filter(|d| relative.is_none_or(|r| d.span.start < r))
        .filter(usable)
        .min_by_key(|d| d.span.start.abs_diff(tpos))
        .map(|d| d.value.clone())
}

/// The most recent armed group mentioned before `pos`, within `window` sentences.
fn last_group_before(
    ctx: &Ctx,
    ents: &Entities,
    pos: usize,
    window: usize,
    sentence: usize,
) -> Option<(usize, Range<usize>)> {
    let floor = ctx
        .sentences
        .get(sentence.saturating_sub(window))
        .map_or(0, |s| s.start);
    let sentence_end = ctx.sentences.get(sentence).map_or(pos, |s| s.end);
    // Walk the tokens back from the end of the sentence: bounded by the
    // window, whatever the number of mentions in the document.
    let toks = ctx.tokens_in(Span::new(floor, sentence_end));
    let t = toks.rev().find(|t| {
        ents.at(*t)
            .is_some_and(|e| ents.get(e).kind == EntityType::ArmedGroup)
    })?;
    let e = ents.at(t)?;
    let entity = ents.get(e);
    let here = ctx.tokens.get(t)?.span;
    let i = entity.mentions.partition_point(|m| m.end <= here.start);
    let mention = entity.mentions.get(i).filter(|m| m.span().overlaps(here))?;
    Some((e, ctx.tokens_in(mention.span())))
}

/// Who states the sentence: the subject of a verb of saying, "according
/// to X", "citing X", or the speaker of a quote that covers the trigger.
pub fn attribution(
    ctx: &Ctx,
    ents: &Entities,
    sentence: Range<usize>,
    quotes: &[vigil_core::Quote],
    trigger: Span,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    // Quotes are in text order and do not nest: the one that can hold the
    // trigger is the last starting at or before it.
    let k = quotes.partition_point(|q| q.start <= trigger.start);
    if let Some(q) = k.checked_sub(1).and_then(|k| quotes.get(k)) {
        if trigger.end <= q.end {
            if let Some(s) = &q.speaker {
                out.push(s.clone());
            }
        }
    }
    let speaker_kind = |k: EntityType| {
        matches!(
            k,
            EntityType::Person
                | EntityType::MediaOutlet
                | EntityType::GovernmentBody
                | EntityType::Organization
                | EntityType::ArmedGroup
        )
    };
    for t in sentence.clone() {
        let w = &ctx.lower[t];
        let according = w == "according" && ctx.lower.get(t + 1).is_some_and(|n| n == "to");
        let citing = w == "citing";
        if according || citing || words::is_speech_verb(w) {
            // After: "according to X", "citing X", "said X".
            // The nearest entity that can speak: "the US embassy in Moscow warned".
            let can_speak = |e: &usize| speaker_kind(ents.get(*e).kind);
            let after = (t + 1..(t + 6).min(sentence.end))
                .filter_map(|j| ents.at(j))
                .find(can_speak);
            let before = (sentence.start.max(t.saturating_sub(10))..t)
                .rev()
                .filter_map(|j| ents.at(j))
                .find(can_speak);
            let pick = if according || citing {
                after
            } else {
                before.or(after)
            };
            if let Some(e) = pick.filter(|e| speaker_kind(ents.get(*e).kind)) {
                let id = ents.get(e).id.clone();
                if !out.contains(&id) {
                    out.push(id);
                }
            } else if let Some(e) = newspaper_reference(ctx, ents, sentence.clone(), t) {
                let id = ents.get(e).id.clone();
                if !out.contains(&id) {
                    out.push(id);
                }
            }
        }
    }
    out
}

/// "The newspaper said": the last media outlet named before.
fn newspaper_reference(
    ctx: &Ctx,
    ents: &Entities,
    sentence: Range<usize>,
    verb: usize,
) -> Option<usize> {
    let near =
        (sentence.start.max(verb.saturating_sub(4))..(verb + 4).min(sentence.end)).any(|j| {
            matches!(
                &ctx.lower[j],
                "newspaper" | "paper" | "daily" | "outlet" | "broadcaster" | "agency" | "network"
            )
        });
    if !near {
        return None;
    }
    let pos = ctx.tokens.get(verb)?.span.start;
    ents.list
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind == EntityType::MediaOutlet)
        .filter_map(|(i, e)| {
            // Mentions are in text order: the last one ending before `pos`.
            let k = e.mentions.partition_point(|m| m.end <= pos);
            k.checked_sub(1).map(|k| (i, e.mentions[k].start))
        })
        .max_by_key(|(_, p)| *p)
        .map(|(i, _)| i)
}

/// True when two events' places can be one incident's: either names no
/// known place, they share one, or one names only countries and the other
/// a place in one of them ("Belgium arrests four" in a headline, "Belgian
/// police arrested four men … in Brussels" below).
fn places_agree(ents: &Entities, a: &[Slot], b: &[Slot]) -> bool {
    let linked = |v: &[Slot]| -> Vec<&vigil_core::Entity> {
        v.iter()
            .filter_map(|p| ents.by_id(p.entity.as_deref()?))
            .collect()
    };
    let (a, b) = (linked(a), linked(b));
    if a.is_empty() || b.is_empty() || a.iter().any(|x| b.iter().any(|y| x.id == y.id)) {
        return true;
    }
    let within = |countries: &[&vigil_core::Entity], places: &[&vigil_core::Entity]| {
        countries.iter().all(|c| c.kind == EntityType::Country)
            && places.iter().any(|p| {
                countries
                    .iter()
                    .any(|c| entity_country(c).is_some() && entity_country(c) == entity_country(p))
            })
    };
    within(&a, &b) || within(&b, &a)
}

/// The country code of a place entity, when known.
fn entity_country(e: &vigil_core::Entity) -> Option<&str> {
    e.geo
        .as_ref()
        .map(|g| g.country.as_str())
        .filter(|c| !c.is_empty())
}

/// The country code of a slot's place, when it is linked to one.
fn slot_country<'e>(ents: &'e Entities, slot: &Slot) -> Option<&'e str> {
    entity_country(ents.by_id(slot.entity.as_deref()?)?)
}

/// Words between an act's verb and the institution it strikes: "attacked
/// the offices of X".
const OBJECT_LEAD: &[&str] = &[
    "the",
    "a",
    "an",
    "on",
    "at",
    "against",
    "offices",
    "office",
    "of",
    "headquarters",
    "building",
];

/// The person entities named in slots, by id.
fn named_people<'a>(ents: &'a Entities, slots: &'a [Slot]) -> impl Iterator<Item = &'a str> + 'a {
    slots
        .iter()
        .filter_map(|p| p.entity.as_deref())
        .filter(|id| ents.by_id(id).is_some_and(|x| x.kind == EntityType::Person))
}

/// True when two events' places name a country in common.
fn same_country(ents: &Entities, a: &[Slot], b: &[Slot]) -> bool {
    let a: Vec<&str> = a.iter().filter_map(|p| slot_country(ents, p)).collect();
    b.iter()
        .filter_map(|p| slot_country(ents, p))
        .any(|c| a.contains(&c))
}

/// Merges drafts of the same type and stage that share a clause or whose
/// places and dates agree within two sentences.
fn merge(ents: &Entities, drafts: Vec<Draft>) -> Vec<Event> {
    let mut out: Vec<(Event, usize)> = Vec::new();
    for d in drafts {
        // Only the last few events can be within two sentences: bounded work
        // per draft, whatever the length of the document.
        let recent = out.len().saturating_sub(16);
        // "his arrest", "reports of the arrest": the arrest reported above,
        // whatever places and dates the referring sentence names (its date
        // dates the arrest only when the report gave none: "her arrest on
        // Friday").
        let reference = d.definite && d.event.kind == EventType::Arrest;
        // "Mashingaidze … was arrested" after the arrest of Rutendo
        // Mashingaidze: the same arrest told again.
        let same_suspects = |e: &Event| {
            let people = |v: &[Slot]| named_people(ents, v).map(str::to_owned).collect::<Vec<_>>();
            let (had, now) = (people(&e.perpetrators), people(&d.event.perpetrators));
            e.kind == EventType::Arrest
                && d.event.kind == EventType::Arrest
                && !now.is_empty()
                && now.iter().all(|p| had.contains(p))
        };
        // "Phyo Zeya Thaw … was executed" after "executed Phyo Zeya Thaw":
        // the same person harmed twice in one way is one act told twice.
        let same_victims = |e: &Event| {
            e.kind == d.event.kind
                && e.kind.is_violent()
                && named_people(ents, &d.event.victims)
                    .any(|v| named_people(ents, &e.victims).any(|w| w == v))
        };
        // "had executed two democracy activists" in the lead, "X and Y
        // were executed" below: the same act and the same toll of two or
        // more in one country.
        let retold = |e: &Event| {
            e.kind == d.event.kind
                && e.kind.is_violent()
                && e.killed.is_some_and(|k| k >= 2)
                && e.killed == d.event.killed
                && e.trigger.text.eq_ignore_ascii_case(&d.event.trigger.text)
                && (places_agree(ents, &e.locations, &d.event.locations)
                    || same_country(ents, &e.locations, &d.event.locations))
        };
        let same = out[recent..].iter_mut().find(|(e, s)| {
            if !d.another_time
                && e.stage == d.event.stage
                && d.sentence.abs_diff(*s) <= 5
                && (e.date.is_none() || d.event.date.is_none() || e.date == d.event.date)
                && (same_victims(e) || retold(e))
            {
                return true;
            }
            let reference = reference || same_suspects(e);
            !d.another_time
                && (e.kind == d.event.kind
                    || d.definite && d.event.kind == EventType::Attack && e.kind.is_violent())
                && e.stage == d.event.stage
                // "reports of the arrest" refers to the arrest reported
                // further up.
                && d.sentence.abs_diff(*s) <= if reference { 5 } else { 2 }
                && (reference
                    || e.date.is_none()
                    || d.event.date.is_none()
                    || e.date == d.event.date)
                && (reference
                    || places_agree(ents, &e.locations, &d.event.locations)
                    // "The attack in the Bannu district" after a bombing
                    // in the province: the same country is enough.
                    || d.definite && same_country(ents, &e.locations, &d.event.locations))
                && {
                    // Named perpetrators must agree; generic ones ("four men") say nothing.
                    let named = |v: &[Slot]| {
                        v.iter()
                            .filter_map(|p| p.entity.clone())
                            .collect::<Vec<_>>()
                    };
                    let (a, b) = (named(&e.perpetrators), named(&d.event.perpetrators));
                    // "Islamic State" in a headline, its Afghan affiliate
                    // below: a group and its parent agree.
                    let related = |x: &String, y: &String| {
                        let (Some(x), Some(y)) = (ents.by_id(x), ents.by_id(y)) else {
                            return false;
                        };
                        x.parent.as_deref() == Some(y.name.as_str())
                            || y.parent.as_deref() == Some(x.name.as_str())
                    };
                    a.is_empty()
                        || b.is_empty()
                        || a.iter().any(|x| b.iter().any(|y| x == y || related(x, y)))
                }
                && (e.arrested.is_none()
                    || d.event.arrested.is_none()
                    || e.arrested == d.event.arrested)
                && (e.killed.is_none() || d.event.killed.is_none() || e.killed == d.event.killed)
        });
        match same {
            Some((e, s)) => {
                let reference = reference || same_suspects(e);
                let sentence = d.sentence;
                let d = d.event;
                if !reference {
                    for slot in d.locations {
                        push_unique(&mut e.locations, slot);
                    }
                    e.location = primary_location(ents, &e.locations);
                }
                let trigger_end = d.trigger.end;
                for slot in d.perpetrators {
                    // Of a reference, only who follows it: "the arrest of
                    // Jimmy Lai".
                    let right_after = slot
                        .span
                        .is_some_and(|p| p.start >= trigger_end && p.start <= trigger_end + 4);
                    if !reference || right_after {
                        push_unique(&mut e.perpetrators, slot);
                    }
                }
                for slot in d.targets {
                    push_unique(&mut e.targets, slot);
                }
                for slot in d.victims {
                    push_unique(&mut e.victims, slot);
                }
                for slot in d.weapons {
                    push_unique(&mut e.weapons, slot);
                }
                for slot in d.nationalities {
                    push_unique(&mut e.nationalities, slot);
                }
                if e.date.is_none() {
                    e.date = d.date;
                }
                e.killed = e.killed.max(d.killed);
                e.fatal |= d.fatal;
                e.crime = e.crime.or(d.crime);
                e.injured = e.injured.max(d.injured);
                e.arrested = e.arrested.max(d.arrested);
                for a in d.attributed_to {
                    if !e.attributed_to.contains(&a) {
                        e.attributed_to.push(a);
                    }
                }
                for ev in d.evidence {
                    if !e.evidence.contains(&ev) {
                        e.evidence.push(ev);
                    }
                }
                e.confidence = e.confidence.max(d.confidence);
                *s = (*s).max(sentence);
            }
            None => {
                let s = d.sentence;
                out.push((d.event, s));
            }
        }
    }
    out.into_iter().map(|(e, _)| e).collect()
}

/// "3 other arrests in Austria, and one in Germany": one arrest per place,
/// each with its own count.
fn split_arrest_lists(ctx: &Ctx, ents: &Entities, drafts: Vec<Draft>) -> Vec<Draft> {
    let mut out = Vec::with_capacity(drafts.len());
    for d in drafts {
        if !matches!(d.event.kind, EventType::Arrest | EventType::Raid) {
            out.push(d);
            continue;
        }
        // Segments: a count, then within three words "in" and a place.
        let mut segments: Vec<(u32, usize, Range<usize>)> = Vec::new();
        for t in d.clause.clone() {
            let Some(n) =
                words::number_value(&ctx.lower[t]).filter(|_| !matches!(&ctx.lower[t], "a" | "an"))
            else {
                continue;
            };
            let Some(i) = (t + 1..(t + 4).min(d.clause.end)).find(|j| &ctx.lower[*j] == "in")
            else {
                continue;
            };
            let place = ents
                .in_tokens(i + 1..(i + 3).min(d.clause.end))
                .into_iter()
                .find(|(e, toks)| toks.start <= i + 2 && ents.get(*e).kind.is_place());
            if let Some((e, toks)) = place {
                segments.push((n, e, toks));
            }
        }
        if segments.len() < 2 {
            out.push(d);
            continue;
        }
        for (n, e, toks) in &segments {
            let mut event = d.event.clone();
            event.kind = EventType::Arrest;
            event.arrested = Some(*n);
            let slot = slot_for_entity(ctx, ents, *e, toks.clone());
            event.locations = vec![slot.clone()];
            event.location = Some(slot);
            out.push(Draft {
                event,
                clause: d.clause.clone(),
                sentence: d.sentence,
                trigger: d.trigger,
                another_time: d.another_time,
                definite: d.definite,
            });
        }
        if d.event.kind == EventType::Raid {
            out.push(d);
        }
    }
    out
}

/// "The recent attacks … in Russia and Iran": a plural trigger with places
/// in several countries is one event per country.
fn split_plural_events(ents: &Entities, drafts: Vec<Draft>) -> Vec<Draft> {
    let mut out = Vec::with_capacity(drafts.len());
    for d in drafts {
        let plural = d.event.trigger.text.to_lowercase().ends_with('s');
        let country_of = |slot: &Slot| slot_country(ents, slot).map(str::to_string);
        let mut countries: Vec<String> = Vec::new();
        for slot in &d.event.locations {
            if let Some(c) = country_of(slot) {
                if !countries.contains(&c) {
                    countries.push(c);
                }
            }
        }
        let splittable = plural
            && d.event.kind.is_violent()
            && d.event.stage == Stage::Accomplished
            && countries.len() >= 2;
        if !splittable {
            out.push(d);
            continue;
        }
        for c in countries {
            let mut event = d.event.clone();
            event
                .locations
                .retain(|l| country_of(l).as_deref() == Some(c.as_str()));
            event.location = event.locations.first().cloned();
            // Counts were stated for the whole series.
            event.killed = None;
            event.injured = None;
            out.push(Draft {
                event,
                clause: d.clause.clone(),
                sentence: d.sentence,
                trigger: d.trigger,
                another_time: d.another_time,
                definite: d.definite,
            });
        }
    }
    out
}

/// "Additionally, 3 men were arrested …": a sentence that continues the
/// previous one keeps its armed group.
fn inherit_perpetrators(ctx: &Ctx, ents: &Entities, drafts: &mut [Draft]) {
    for i in 0..drafts.len() {
        let d = &drafts[i];
        let has_group = d.event.perpetrators.iter().any(|p| {
            p.entity.as_deref().is_some_and(|id| {
                ents.by_id(id)
                    .is_some_and(|e| e.kind == EntityType::ArmedGroup)
            })
        });
        let first = ctx.sent_toks.get(d.sentence).map(|r| r.start);
        let continues = first.and_then(|t| ctx.lower.get(t)).is_some_and(|w| {
            matches!(
                w,
                "additionally" | "also" | "moreover" | "furthermore" | "similarly" | "likewise"
            )
        }) || first.is_some_and(|t| {
            ctx.lower.get(t).is_some_and(|w| w == "in")
                && ctx.lower.get(t + 1).is_some_and(|w| w == "addition")
        });
        if has_group || !continues || d.sentence == 0 {
            continue;
        }
        let prev = d.sentence - 1;
        let inherited: Vec<Slot> = drafts[in_sentences(drafts, prev, prev + 1)]
            .iter()
            .flat_map(|o| o.event.perpetrators.iter())
            .filter(|p| {
                p.entity.as_deref().is_some_and(|id| {
                    ents.by_id(id)
                        .is_some_and(|e| e.kind == EntityType::ArmedGroup)
                })
            })
            .cloned()
            .collect();
        for mut slot in inherited {
            slot.span = None;
            push_unique(&mut drafts[i].event.perpetrators, slot);
        }
    }
}

fn is_group(ents: &Entities, slot: &Slot) -> bool {
    slot.entity.as_deref().is_some_and(|id| {
        ents.by_id(id)
            .is_some_and(|e| e.kind == EntityType::ArmedGroup)
    })
}

/// "Islamic State Khorasan Province … claimed responsibility for the
/// bombing": the claimant is the perpetrator of the violent events of the
/// claim's sentence and the three before it that name no group.
fn credit_claims(ents: &Entities, drafts: &mut [Draft]) {
    let claims: Vec<(usize, Vec<Slot>)> = drafts
        .iter()
        .filter(|d| d.event.kind == EventType::Claim)
        .map(|d| {
            (
                d.sentence,
                d.event
                    .perpetrators
                    .iter()
                    .filter(|p| is_group(ents, p))
                    .cloned()
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, g)| !g.is_empty())
        .collect();
    for (sentence, groups) in claims {
        let window = in_sentences(drafts, sentence.saturating_sub(3), sentence + 1);
        for d in drafts[window].iter_mut() {
            if d.event.kind.is_violent()
                && d.event.stage == Stage::Accomplished
                && !d.event.perpetrators.iter().any(|p| is_group(ents, p))
            {
                for g in &groups {
                    let mut slot = g.clone();
                    slot.span = None;
                    push_unique(&mut d.event.perpetrators, slot);
                }
            }
        }
    }
}

/// Events that name no place happened where the dateline says
/// ("MARSEILLE, France - … was arrested"). Warnings are left alone: they
/// are about somewhere else as often as not.
fn dateline_location(ctx: &Ctx, ents: &Entities, drafts: &mut [Draft]) {
    let Some(dateline) = &ctx.dateline else {
        return;
    };
    let place = ents
        .list
        .iter()
        .filter(|e| e.kind.is_place())
        .filter_map(|e| {
            e.mentions
                .iter()
                .find(|m| m.start >= dateline.start && m.end <= dateline.end)
                .map(|m| (e, m))
        })
        .min_by_key(|(e, _)| place_rank(e.kind));
    let Some((entity, mention)) = place else {
        return;
    };
    for d in drafts
        .iter_mut()
        .filter(|d| d.event.locations.is_empty() && d.event.kind != EventType::Warning)
    {
        let slot = Slot {
            text: mention.text.clone(),
            entity: Some(entity.id.clone()),
            span: Some(mention.span()),
        };
        d.event.locations.push(slot.clone());
        d.event.location = Some(slot);
    }
}

/// "One of his bodyguards was wounded": a sentence without an event of its
/// own that reports deaths or injuries completes the violent event of the
/// two sentences before it.
fn attach_later_casualties(ctx: &Ctx, res: &Resources, drafts: &mut [Draft]) {
    for (s, range) in ctx.sent_toks.iter().enumerate() {
        if !in_sentences(drafts, s, s + 1).is_empty() {
            continue;
        }
        let (killed, injured, _) = counts(ctx, res, range.clone(), EventType::Attack);
        if killed.is_none() && injured.is_none() {
            continue;
        }
        let window = in_sentences(drafts, s.saturating_sub(2), s);
        let Some(last) = drafts[window.clone()]
            .iter()
            .filter(|d| d.event.kind.is_violent())
            .map(|d| d.sentence)
            .max()
        else {
            continue;
        };
        if let Some(d) = drafts[window]
            .iter_mut()
            .find(|d| d.sentence == last && d.event.kind.is_violent())
        {
            if d.event.killed.is_none() {
                d.event.killed = killed;
            }
            if d.event.injured.is_none() {
                d.event.injured = injured;
            }
        }
    }
}

/// The drafts of sentences `lo..hi`. Drafts are in sentence order (they are
/// made sentence by sentence and splits keep their place), so this is a
/// binary search.
fn in_sentences(drafts: &[Draft], lo: usize, hi: usize) -> Range<usize> {
    drafts.partition_point(|d| d.sentence < lo)..drafts.partition_point(|d| d.sentence < hi)
}
