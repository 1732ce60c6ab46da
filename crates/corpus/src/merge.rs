//! Merging events from different articles into incidents.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{Days, NaiveDate};
use vigil_core::{
    Analysis, DateValue, Disagreement, Entity, EntityType, Event, EventType, Incident,
    IncidentEntity, IncidentSource, Precision, ReportedValue, Slot, Stage,
};

/// Score needed to merge an event into an incident (see the crate docs).
pub const MERGE_THRESHOLD: i32 = 4;

// The candidate lookup (see `Bucket`) relies on a place alone, and
// targets or victims with a country, never reaching the threshold.
const _: () =
    assert!(SCORE_CITY < MERGE_THRESHOLD && SCORE_COUNTRY + 2 * SCORE_TARGET < MERGE_THRESHOLD);

/// Points for dates that agree (overlapping intervals, or day-precision
/// dates at most one day apart).
pub const SCORE_DATE: i32 = 2;
/// Points for the same city.
pub const SCORE_CITY: i32 = 3;
/// Points for the same country when no city is shared.
pub const SCORE_COUNTRY: i32 = 1;
/// Points for each shared perpetrator (at most two count).
pub const SCORE_PERPETRATOR: i32 = 2;
/// Points for each shared target or victim (at most two count).
pub const SCORE_TARGET: i32 = 1;

/// Families of event types: events of different families never merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// Attacks, bombings, shootings, stabbings, arson, rammings,
    /// assassinations.
    Violence,
    /// Kidnappings and hostage takings.
    Abduction,
    Robbery,
    Plot,
    /// Arrests and raids.
    SecurityOperation,
    Conviction,
    Warning,
    Claim,
}

impl Family {
    pub fn of(kind: EventType) -> Family {
        match kind {
            EventType::Attack
            | EventType::Bombing
            | EventType::Shooting
            | EventType::Stabbing
            | EventType::Arson
            | EventType::VehicleRamming
            | EventType::Assassination => Family::Violence,
            EventType::Kidnapping | EventType::HostageTaking => Family::Abduction,
            EventType::Robbery => Family::Robbery,
            EventType::Plot => Family::Plot,
            EventType::Arrest | EventType::Raid => Family::SecurityOperation,
            EventType::Conviction => Family::Conviction,
            EventType::Warning => Family::Warning,
            EventType::Claim => Family::Claim,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Family::Violence => "violence",
            Family::Abduction => "abduction",
            Family::Robbery => "robbery",
            Family::Plot => "plot",
            Family::SecurityOperation => "security operation",
            Family::Conviction => "conviction",
            Family::Warning => "warning",
            Family::Claim => "claim",
        }
    }
}

/// How far an event got, as a rank: higher is more advanced.
pub fn stage_rank(stage: Stage) -> u8 {
    match stage {
        Stage::Threatened => 0,
        Stage::Planned => 1,
        Stage::Foiled => 2,
        Stage::Attempted => 3,
        Stage::Accomplished => 4,
    }
}

/// A place resolved from the event's location slots.
#[derive(Debug, Clone)]
struct Place {
    entity: IncidentEntity,
    /// Comparison keys (see [`resolve`]).
    keys: Vec<String>,
}

/// One event with everything the merger needs, resolved against its
/// analysis.
#[derive(Debug, Clone)]
struct Report<'a> {
    doc_id: &'a str,
    analysis: &'a Analysis,
    event: &'a Event,
    family: Family,
    country: Option<String>,
    city: Option<Place>,
    /// The most specific place (city, else region or site, else country).
    place: Option<Place>,
    perpetrators: Vec<Keyed>,
    targets: Vec<Keyed>,
    victims: Vec<Keyed>,
    weapons: Vec<Keyed>,
}

fn normalize(name: &str) -> String {
    let words: Vec<String> = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect();
    let words: Vec<&str> = match words.first().map(String::as_str) {
        Some("the") | Some("a") | Some("an") => words[1..].iter().map(String::as_str).collect(),
        _ => words.iter().map(String::as_str).collect(),
    };
    words.join(" ")
}

fn entity_of<'a>(analysis: &'a Analysis, slot: &Slot) -> Option<&'a Entity> {
    let id = slot.entity.as_deref()?;
    analysis.entities.iter().find(|e| e.id == id)
}

/// Comparison keys of a slot: the entity's kb id, and `name:<normalised>`
/// for its canonical name, its aliases and the slot text.
type Keyed = (Vec<String>, IncidentEntity);

fn shares_key(a: &[String], b: &[String]) -> bool {
    a.iter().any(|k| b.contains(k))
}

/// Two slots name the same thing: the same kb id when both are linked,
/// else a shared normalised name or alias.
fn same(a: &[String], a_kb: Option<&str>, b: &[String], b_kb: Option<&str>) -> bool {
    match (a_kb, b_kb) {
        (Some(x), Some(y)) => x == y,
        _ => shares_key(a, b),
    }
}

fn same_keyed(a: &Keyed, b: &Keyed) -> bool {
    same(&a.0, a.1.kb_id.as_deref(), &b.0, b.1.kb_id.as_deref())
}

/// A slot as (comparison keys, incident entity).
fn resolve(analysis: &Analysis, slot: &Slot) -> Option<Keyed> {
    let mut keys = Vec::new();
    let add_name = |keys: &mut Vec<String>, name: &str| {
        let n = normalize(name);
        if !n.is_empty() {
            let k = format!("name:{n}");
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
    };
    let entity = match entity_of(analysis, slot) {
        Some(e) => {
            if let Some(k) = &e.kb_id {
                keys.push(k.clone());
            }
            add_name(&mut keys, &e.name);
            for a in &e.aliases {
                add_name(&mut keys, a);
            }
            IncidentEntity {
                name: e.name.clone(),
                kb_id: e.kb_id.clone(),
                geo: e.geo.clone(),
            }
        }
        None => IncidentEntity {
            name: slot.text.clone(),
            kb_id: None,
            geo: None,
        },
    };
    add_name(&mut keys, &slot.text);
    if keys.is_empty() {
        return None;
    }
    Some((keys, entity))
}

fn resolve_all(analysis: &Analysis, slots: &[Slot]) -> Vec<Keyed> {
    let mut out: Vec<Keyed> = Vec::new();
    for s in slots {
        if let Some(r) = resolve(analysis, s) {
            match out.iter_mut().find(|x| same_keyed(x, &r)) {
                Some(existing) => {
                    for k in r.0 {
                        if !existing.0.contains(&k) {
                            existing.0.push(k);
                        }
                    }
                }
                None => out.push(r),
            }
        }
    }
    out
}

fn country_code(e: &Entity) -> Option<String> {
    if let Some(g) = &e.geo {
        if !g.country.is_empty() {
            return Some(g.country.to_ascii_uppercase());
        }
    }
    e.kb_id
        .as_deref()
        .and_then(|k| k.strip_prefix("country:"))
        .map(str::to_ascii_uppercase)
}

impl<'a> Report<'a> {
    fn new(doc_id: &'a str, analysis: &'a Analysis, event: &'a Event) -> Self {
        let mut country = None;
        let mut city = None;
        let mut place: Option<(u8, Place)> = None;
        let slots = event.location.iter().chain(event.locations.iter());
        for slot in slots {
            let Some(e) = entity_of(analysis, slot) else {
                continue;
            };
            if !e.kind.is_place() {
                continue;
            }
            if country.is_none() {
                country = country_code(e);
            }
            let Some((keys, entity)) = resolve(analysis, slot) else {
                continue;
            };
            let p = Place { entity, keys };
            let rank = match e.kind {
                EntityType::City => 3,
                EntityType::Site | EntityType::Region => 2,
                _ => 1,
            };
            if e.kind == EntityType::City && city.is_none() {
                city = Some(p.clone());
            }
            if place.as_ref().is_none_or(|(r, _)| rank > *r) {
                place = Some((rank, p));
            }
        }
        Report {
            doc_id,
            analysis,
            event,
            family: Family::of(event.kind),
            country,
            city,
            place: place.map(|(_, p)| p),
            perpetrators: resolve_all(analysis, &event.perpetrators),
            targets: resolve_all(analysis, &event.targets),
            victims: resolve_all(analysis, &event.victims),
            weapons: resolve_all(analysis, &event.weapons),
        }
    }
}

/// Whether two dates agree: `Some(true)` when their intervals overlap or
/// both are day-precision dates at most a day apart, `Some(false)` when they
/// do not, `None` when either is unknown.
fn dates_agree(a: Option<&DateValue>, b: Option<&DateValue>) -> Option<bool> {
    let (a, b) = (a?, b?);
    if a.start <= b.end && b.start <= a.end {
        return Some(true);
    }
    if a.precision == Precision::Day && b.precision == Precision::Day {
        let d = (a.start - b.start).num_days().abs();
        return Some(d <= 1);
    }
    Some(false)
}

fn fmt_date(d: &DateValue) -> String {
    if d.start == d.end {
        d.start.to_string()
    } else {
        format!("{}..{}", d.start, d.end)
    }
}

fn fmt_entity(e: &IncidentEntity) -> String {
    match &e.kb_id {
        Some(k) => format!("{} ({k})", e.name),
        None => e.name.clone(),
    }
}

/// Compares two reports. `None` when they cannot be the same happening
/// (different family, same document, dates or places that disagree);
/// otherwise the score. With `why`, the reasons behind the score are
/// appended to it (only wanted for the accepted comparison, so the scan
/// over candidates allocates nothing).
fn compare(
    a: &Report,
    b: &Report,
    constraints: &Constraints,
    mut why: Option<&mut Vec<String>>,
) -> Option<i32> {
    macro_rules! note {
        ($($arg:tt)*) => {
            if let Some(w) = why.as_deref_mut() {
                w.push(format!($($arg)*));
            }
        };
    }
    if a.family != b.family || a.doc_id == b.doc_id {
        return None;
    }
    if constraints.forbids((a.doc_id, &a.event.id), (b.doc_id, &b.event.id)) {
        return None;
    }
    let mut score = 0;
    note!("same type family ({})", a.family.as_str());
    match dates_agree(a.event.date.as_ref(), b.event.date.as_ref()) {
        Some(false) => return None,
        Some(true) => {
            score += SCORE_DATE;
            if let (Some(da), Some(db)) = (&a.event.date, &b.event.date) {
                if da.start <= db.end && db.start <= da.end {
                    let lo = da.start.max(db.start);
                    let hi = da.end.min(db.end);
                    if lo == hi {
                        note!("dates overlap {lo}");
                    } else {
                        note!("dates overlap {lo}..{hi}");
                    }
                } else {
                    note!("dates a day apart ({} and {})", fmt_date(da), fmt_date(db));
                }
            }
        }
        None => {}
    }
    if let (Some(ca), Some(cb)) = (&a.country, &b.country) {
        if ca != cb {
            return None;
        }
    }
    match (&a.city, &b.city) {
        (Some(x), Some(y))
            if !same(
                &x.keys,
                x.entity.kb_id.as_deref(),
                &y.keys,
                y.entity.kb_id.as_deref(),
            ) =>
        {
            return None
        }
        (Some(x), Some(_)) => {
            score += SCORE_CITY;
            note!("same city {}", fmt_entity(&x.entity));
        }
        _ => {
            if let (Some(ca), Some(cb)) = (&a.country, &b.country) {
                if ca == cb {
                    score += SCORE_COUNTRY;
                    note!("same country {ca}");
                }
            }
        }
    }
    let name = |e: &IncidentEntity| e.kb_id.clone().unwrap_or_else(|| e.name.clone());
    let actors = matches(&a.perpetrators, &b.perpetrators);
    score += SCORE_PERPETRATOR * actors.len().min(2) as i32;
    if why.is_some() {
        for e in &actors {
            note!("shared actor {}", name(e));
        }
    }
    // Targets, then victims not already named as a target. Without
    // reasons and without shared victims, only the count matters.
    if why.is_none() && (a.victims.is_empty() || b.victims.is_empty()) {
        let n = a
            .targets
            .iter()
            .filter(|x| b.targets.iter().any(|y| same_keyed(x, y)))
            .count();
        score += SCORE_TARGET * n.min(2) as i32;
        return Some(score);
    }
    let mut others: Vec<String> = matches(&a.targets, &b.targets)
        .into_iter()
        .map(name)
        .collect();
    for e in matches(&a.victims, &b.victims) {
        let k = name(e);
        if !others.contains(&k) {
            others.push(k);
        }
    }
    score += SCORE_TARGET * others.len().min(2) as i32;
    if why.is_some() {
        for k in &others {
            note!("shared target/victim {k}");
        }
    }
    Some(score)
}

/// The entities of `xs` that `ys` also names.
fn matches<'x>(xs: &'x [Keyed], ys: &[Keyed]) -> Vec<&'x IncidentEntity> {
    xs.iter()
        .filter(|x| ys.iter().any(|y| same_keyed(x, y)))
        .map(|(_, e)| e)
        .collect()
}

/// Groups the events of several analysed articles into incidents.
///
/// `reports` pairs each analysis with the id of its document; they are
/// taken in the given order, and each event is compared with the events
/// already placed: it joins the incident where it scores best with some
/// member (at least [`MERGE_THRESHOLD`], compatible with *every* member,
/// no member from the same document; ties: the earliest incident), or
/// starts a new one. Output is in order of creation and depends only on the
/// input, never on hashing or threads.
pub fn merge_events<S: AsRef<str>>(reports: &[(S, &Analysis)]) -> Vec<Incident> {
    merge_events_with(reports, &Constraints::default())
}

/// Cannot-link constraints between events, each named by (document id,
/// event id): two constrained events never end up in the same incident,
/// whatever their score. An analyst's split of an incident is recorded as
/// such constraints so that it survives every later merge.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Constraints {
    pairs: HashSet<(String, String, String, String)>,
}

impl Constraints {
    /// No constraints.
    pub fn new() -> Self {
        Self::default()
    }

    fn key(a: (&str, &str), b: (&str, &str)) -> (String, String, String, String) {
        let (x, y) = if a <= b { (a, b) } else { (b, a) };
        (
            x.0.to_string(),
            x.1.to_string(),
            y.0.to_string(),
            y.1.to_string(),
        )
    }

    /// Forbids events `a` and `b` (each `(doc id, event id)`) to share an
    /// incident. Symmetric; adding a pair twice changes nothing.
    pub fn add(&mut self, a: (&str, &str), b: (&str, &str)) {
        self.pairs.insert(Self::key(a, b));
    }

    /// Whether `a` and `b` may not share an incident.
    pub fn forbids(&self, a: (&str, &str), b: (&str, &str)) -> bool {
        !self.pairs.is_empty() && self.pairs.contains(&Self::key(a, b))
    }

    /// The number of constrained pairs.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether there is no constraint.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

/// [`merge_events`] honouring cannot-link `constraints`: an event never
/// joins an incident holding an event it is constrained against (it is
/// compared with every member, so one constrained member is enough).
pub fn merge_events_with<S: AsRef<str>>(
    reports: &[(S, &Analysis)],
    constraints: &Constraints,
) -> Vec<Incident> {
    let mut merger = Merger::new(constraints);
    for (doc_id, analysis) in reports {
        merger.add(doc_id.as_ref(), analysis);
    }
    merger.finish().into_iter().map(|m| m.incident).collect()
}

/// The candidate bucket of an event: its type family and its country (the
/// first place slot naming one), as [`Merger`] files incidents. An
/// incident's bucket is its family and the first country any of its
/// events names.
pub fn bucket(analysis: &Analysis, event: &Event) -> (Family, Option<String>) {
    let r = Report::new("", analysis, event);
    (r.family, r.country)
}

/// An incident produced or changed by a [`Merger`].
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    pub incident: Incident,
    /// Its candidate bucket (see [`bucket`]).
    pub family: Family,
    pub country: Option<String>,
    /// Whether it is a seeded (existing) incident that gained events;
    /// `false` for a new incident.
    pub seeded: bool,
}

/// Incremental incident merging: the state of [`merge_events_with`] after
/// some events, which more events can be merged into.
///
/// [`Merger::seed`] restores existing incidents (each with its member
/// events in the order they joined and its merge reasons), in the order
/// they were created; [`Merger::add`] then merges the events of further
/// documents exactly as [`merge_events_with`] would had it seen the seeded
/// incidents' events first; [`Merger::finish`] returns the incidents that
/// are new or gained events. Seeding only the incidents an added event
/// could join (those of its [`bucket`]: same family and the same or no
/// country, or every incident of the family for an event without a
/// country) gives the same result as seeding all of them.
pub struct Merger<'a> {
    constraints: &'a Constraints,
    groups: Vec<Vec<Report<'a>>>,
    reasons: Vec<Vec<String>>,
    /// Groups `0..seeded` were seeded.
    seeded: usize,
    /// Per group: whether it changed (always true for new groups).
    changed: Vec<bool>,
    // Candidate lookup. `compare` rejects pairs of different families or
    // of different countries, and a group is compatible only with an event
    // every member accepts, so every group has one family and at most one
    // country (that of its members which name one). Groups are indexed by
    // both, and within those by anchor date and by the keys of their
    // members' perpetrators, targets and victims (see [`Bucket`]), so an
    // event is only compared with the groups it could join: same result as
    // trying every group, without the quadratic scan over the whole corpus.
    country_of: Vec<Option<String>>,
    /// Per group: the date of its first dated member. An event whose date
    /// disagrees with it cannot join the group (it must agree with every
    /// member), so the buckets index groups by it (see [`Bucket`]).
    anchor: Vec<Option<&'a DateValue>>,
    by_family: HashMap<Family, FamilyIndex>,
    /// Interned comparison keys of perpetrators, targets and victims.
    key_ids: HashMap<String, u32>,
    /// Per group: the last event (see `epoch`) it was offered to.
    stamp: Vec<u32>,
    epoch: u32,
    candidates: Vec<usize>,
    keys: Vec<u64>,
}

/// The groups of one type family: all of them (for events without a
/// country), those without a country, and those of each country.
#[derive(Default)]
struct FamilyIndex {
    all: Bucket,
    no_country: Bucket,
    by_country: HashMap<String, Bucket>,
}

impl FamilyIndex {
    fn bucket(&mut self, country: Option<&str>) -> &mut Bucket {
        match country {
            None => &mut self.no_country,
            Some(c) => self.by_country.entry(c.to_string()).or_default(),
        }
    }
}

/// The groups of one bucket, indexed so that an event is offered only the
/// groups it could join (a superset of them; `compare` decides).
///
/// A group is chosen only when some member scores at least
/// [`MERGE_THRESHOLD`] with the event and every member accepts it. A place
/// is worth at most [`SCORE_CITY`] (< the threshold), so without
/// [`SCORE_DATE`] the member must share a perpetrator with the event, or a
/// target or a victim *and* the city (targets and victims count at most
/// twice [`SCORE_TARGET`], a country [`SCORE_COUNTRY`]: 3 without the
/// city); two slots that are [`same`] share a comparison key (a kb id is
/// one of its slot's keys). Date points need both dated, and a dated group
/// (one with an anchor, the date of its first dated member) is only
/// possible when its anchor agrees with the event's date
/// ([`dates_agree`]). So:
///
/// - an undated event: the groups with a member sharing a posting key
///   (`postings`: perpetrator keys; target and victim keys with a city
///   key);
/// - a dated event: the dated groups whose anchor agrees (`dated`), and
///   the undated groups with a member sharing a posting key.
///
/// Anchors are filed by the length of their interval in classes of powers
/// of two (class `k` holds anchors `end - start < 2^k` days, class 0
/// single days), each class ordered by start. An anchor of class `k` that
/// agrees with `[s, e]` (overlap, or day-precision dates a day apart)
/// starts in `[s - 2^k, max(s, e) + 1]`: one range per class, then the
/// exact test.
#[derive(Default)]
struct Bucket {
    /// Per length class: (anchor start, group).
    dated: Vec<BTreeSet<(NaiveDate, usize)>>,
    /// Per posting key of a member (see [`posting_keys`]): the groups,
    /// in the order they were posted (a group may repeat).
    postings: HashMap<u64, Vec<usize>>,
}

/// The length class of a date interval (see [`Bucket`]).
fn span_class(d: &DateValue) -> usize {
    let len = (d.end - d.start).num_days().max(0) as u64;
    (u64::BITS - len.leading_zeros()) as usize
}

impl Bucket {
    /// Files group `gi` under its anchor (nothing for an undated group).
    fn insert(&mut self, gi: usize, anchor: Option<&DateValue>) {
        if let Some(d) = anchor {
            let k = span_class(d);
            if self.dated.len() <= k {
                self.dated.resize_with(k + 1, BTreeSet::new);
            }
            self.dated[k].insert((d.start, gi));
        }
    }

    /// Unfiles group `gi` from under `anchor`.
    fn remove(&mut self, gi: usize, anchor: Option<&DateValue>) {
        if let Some(d) = anchor {
            if let Some(class) = self.dated.get_mut(span_class(d)) {
                class.remove(&(d.start, gi));
            }
        }
    }

    /// Posts group `gi` under `keys` (see [`Merger::keys_of`]).
    fn post(&mut self, gi: usize, keys: &[u64]) {
        for &k in keys {
            let list = self.postings.entry(k).or_default();
            if list.last() != Some(&gi) {
                list.push(gi);
            }
        }
    }

    /// Appends to `out` the groups an event dated `date` with keys `keys`
    /// could join (see [`Bucket`]), each once per `epoch` (`stamp` marks
    /// those already offered). In no particular order.
    fn candidates(
        &self,
        date: Option<&DateValue>,
        keys: &[u64],
        anchors: &[Option<&DateValue>],
        (stamp, epoch): (&mut [u32], u32),
        out: &mut Vec<usize>,
    ) {
        for k in keys {
            for &gi in self.postings.get(k).into_iter().flatten() {
                if stamp[gi] != epoch && (date.is_none() || anchors[gi].is_none()) {
                    stamp[gi] = epoch;
                    out.push(gi);
                }
            }
        }
        let Some(d) = date else {
            return;
        };
        let hi = d
            .start
            .max(d.end)
            .checked_add_days(Days::new(1))
            .unwrap_or(NaiveDate::MAX);
        for (k, class) in self.dated.iter().enumerate() {
            let lo = d
                .start
                .checked_sub_days(Days::new(1 << k))
                .unwrap_or(NaiveDate::MIN);
            for &(_, gi) in class.range((lo, 0)..=(hi, usize::MAX)) {
                if stamp[gi] != epoch && dates_agree(anchors[gi], Some(d)) != Some(false) {
                    stamp[gi] = epoch;
                    out.push(gi);
                }
            }
        }
    }
}

impl<'a> Merger<'a> {
    /// An empty merger honouring `constraints`.
    pub fn new(constraints: &'a Constraints) -> Self {
        Merger {
            constraints,
            groups: Vec::new(),
            reasons: Vec::new(),
            seeded: 0,
            changed: Vec::new(),
            country_of: Vec::new(),
            anchor: Vec::new(),
            by_family: HashMap::new(),
            key_ids: HashMap::new(),
            stamp: Vec::new(),
            epoch: 0,
            candidates: Vec::new(),
            keys: Vec::new(),
        }
    }

    /// Restores an existing incident: its member events as (document id,
    /// analysis, event id) in the order they joined, and its merge
    /// reasons. Seeds must come in creation order (the order of their
    /// first events in the corpus) and before any [`Merger::add`]. Returns
    /// `false`, seeding nothing, when a member event is not in its
    /// analysis, there are no members, or events were already added.
    pub fn seed(
        &mut self,
        members: &[(&'a str, &'a Analysis, &str)],
        reasons: Vec<String>,
    ) -> bool {
        if members.is_empty() || self.seeded != self.groups.len() {
            return false;
        }
        let mut group = Vec::with_capacity(members.len());
        for &(doc_id, analysis, event_id) in members {
            let Some(event) = analysis.events.iter().find(|e| e.id == event_id) else {
                return false;
            };
            group.push(Report::new(doc_id, analysis, event));
        }
        let family = group[0].family;
        let country = group.iter().find_map(|r| r.country.clone());
        let anchor = group.iter().find_map(|r| r.event.date.as_ref());
        let gi = self.groups.len();
        let mut keys = Vec::new();
        for r in &group {
            intern_keys(&mut self.key_ids, r, &mut keys);
        }
        let index = self.by_family.entry(family).or_default();
        index.all.insert(gi, anchor);
        index.all.post(gi, &keys);
        let bucket = index.bucket(country.as_deref());
        bucket.insert(gi, anchor);
        bucket.post(gi, &keys);
        self.country_of.push(country);
        self.anchor.push(anchor);
        self.stamp.push(0);
        self.groups.push(group);
        self.reasons.push(reasons);
        self.changed.push(false);
        self.seeded += 1;
        true
    }

    /// Incidents held (seeded and new).
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// Whether no incident is held.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Merges the events of one more document (see [`merge_events`]).
    pub fn add(&mut self, doc_id: &'a str, analysis: &'a Analysis) {
        for event in &analysis.events {
            self.add_event(Report::new(doc_id, analysis, event));
        }
    }

    fn add_event(&mut self, r: Report<'a>) {
        let candidates = &mut self.candidates;
        candidates.clear();
        let date = r.event.date.as_ref();
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            // Wrapped: no stamp may look current.
            self.stamp.fill(0);
            self.epoch = 1;
        }
        lookup_keys(&self.key_ids, &r, &mut self.keys);
        if let Some(index) = self.by_family.get(&r.family) {
            let buckets = match r.country.as_deref() {
                Some(c) => [index.by_country.get(c), Some(&index.no_country)],
                None => [Some(&index.all), None],
            };
            for bucket in buckets.into_iter().flatten() {
                bucket.candidates(
                    date,
                    &self.keys,
                    &self.anchor,
                    (&mut self.stamp, self.epoch),
                    candidates,
                );
            }
        }
        // The best score wins; ties go to the earliest group, whatever the
        // order of the candidates.
        let mut best: Option<(usize, i32, usize)> = None;
        'groups: for &gi in candidates.iter() {
            let g = &self.groups[gi];
            let mut top: Option<(i32, usize)> = None;
            for (mi, m) in g.iter().enumerate() {
                let Some(s) = compare(m, &r, self.constraints, None) else {
                    continue 'groups;
                };
                if top.is_none_or(|(t, _)| s > t) {
                    top = Some((s, mi));
                }
            }
            if let Some((s, mi)) = top {
                if s >= MERGE_THRESHOLD
                    && best.is_none_or(|(bg, b, _)| s > b || (s == b && gi < bg))
                {
                    best = Some((gi, s, mi));
                }
            }
        }
        match best {
            Some((gi, s, mi)) => {
                let m = &self.groups[gi][mi];
                let mut why = Vec::new();
                let _ = compare(m, &r, self.constraints, Some(&mut why));
                self.reasons[gi].push(format!(
                    "{}/{} joins {}/{} (score {s}): {}",
                    r.doc_id,
                    r.event.id,
                    m.doc_id,
                    m.event.id,
                    why.join("; ")
                ));
                let (old_country, old_anchor) = (self.country_of[gi].as_deref(), self.anchor[gi]);
                let new_country = old_country.or(r.country.as_deref());
                let new_anchor = old_anchor.or(date);
                let moved = old_country.is_none() && new_country.is_some();
                let dated = old_anchor.is_none() && new_anchor.is_some();
                let mut keys = std::mem::take(&mut self.keys);
                keys.clear();
                intern_keys(&mut self.key_ids, &r, &mut keys);
                if moved {
                    // The new bucket gets the earlier members' keys too;
                    // the old one keeps its (now stale) postings.
                    for m in &self.groups[gi] {
                        intern_keys(&mut self.key_ids, m, &mut keys);
                    }
                }
                let index = self.by_family.entry(r.family).or_default();
                if moved || dated {
                    index.bucket(old_country).remove(gi, old_anchor);
                    index.bucket(new_country).insert(gi, new_anchor);
                    if dated {
                        index.all.remove(gi, old_anchor);
                        index.all.insert(gi, new_anchor);
                    }
                }
                index.all.post(gi, &keys);
                index.bucket(new_country).post(gi, &keys);
                self.keys = keys;
                if moved {
                    self.country_of[gi] = r.country.clone();
                }
                self.anchor[gi] = new_anchor;
                self.groups[gi].push(r);
                self.changed[gi] = true;
            }
            None => {
                let gi = self.groups.len();
                let mut keys = std::mem::take(&mut self.keys);
                keys.clear();
                intern_keys(&mut self.key_ids, &r, &mut keys);
                let index = self.by_family.entry(r.family).or_default();
                index.all.insert(gi, date);
                index.all.post(gi, &keys);
                let bucket = index.bucket(r.country.as_deref());
                bucket.insert(gi, date);
                bucket.post(gi, &keys);
                self.keys = keys;
                self.country_of.push(r.country.clone());
                self.anchor.push(date);
                self.stamp.push(0);
                self.groups.push(vec![r]);
                self.reasons.push(Vec::new());
                self.changed.push(true);
            }
        }
    }

    /// The incidents that are new or gained events, in creation order.
    pub fn finish(self) -> Vec<Merged> {
        let seeded = self.seeded;
        self.groups
            .into_iter()
            .zip(self.reasons)
            .zip(self.country_of)
            .zip(self.changed)
            .enumerate()
            .filter(|(_, (_, changed))| *changed)
            .filter_map(|(gi, (((g, why), country), _))| {
                let family = g.first()?.family;
                let incident = build(&g, why)?;
                Some(Merged {
                    incident,
                    family,
                    country,
                    seeded: gi < seeded,
                })
            })
            .collect()
    }
}

/// Calls `f` with the posting keys of `r` (see [`Bucket`]): each
/// perpetrator key; each target and each victim key combined with each key
/// of the city (none without a city). `id` interns a key (`None`: never
/// seen, so nothing can share it).
fn posting_keys(r: &Report, mut id: impl FnMut(&str) -> Option<u32>, mut f: impl FnMut(u64)) {
    const ID: u64 = 0x7FFF_FFFF;
    for (keys, _) in &r.perpetrators {
        for k in keys {
            if let Some(k) = id(k) {
                f(u64::from(k));
            }
        }
    }
    let Some(city) = &r.city else {
        return;
    };
    let mut cities: Vec<u64> = Vec::with_capacity(city.keys.len());
    for c in &city.keys {
        if let Some(c) = id(c) {
            cities.push(u64::from(c) & ID);
        }
    }
    for (role, slots) in [(1u64, &r.targets), (2, &r.victims)] {
        for (keys, _) in slots {
            for k in keys {
                if let Some(k) = id(k) {
                    for c in &cities {
                        // Ids past 2^31 share bits: a few more candidates,
                        // never fewer.
                        f((role << 62) | (c << 31) | (u64::from(k) & ID));
                    }
                }
            }
        }
    }
}

/// Appends the posting keys of `r` to `out`, interning new keys.
fn intern_keys(key_ids: &mut HashMap<String, u32>, r: &Report, out: &mut Vec<u64>) {
    posting_keys(
        r,
        |k| {
            if let Some(&id) = key_ids.get(k) {
                return Some(id);
            }
            let id = key_ids.len() as u32;
            key_ids.insert(k.to_string(), id);
            Some(id)
        },
        |p| out.push(p),
    );
}

/// Sets `out` to the posting keys of `r` made of known keys (a key never
/// posted cannot be shared with any group).
fn lookup_keys(key_ids: &HashMap<String, u32>, r: &Report, out: &mut Vec<u64>) {
    out.clear();
    posting_keys(r, |k| key_ids.get(k).copied(), |p| out.push(p));
    out.sort_unstable();
    out.dedup();
}

/// The type most sources give, preferring anything over the generic
/// `attack` (ties: the first in `EventType::ALL`).
fn pick_kind(g: &[Report]) -> Option<EventType> {
    let mut counts: BTreeMap<EventType, usize> = BTreeMap::new();
    for r in g {
        *counts.entry(r.event.kind).or_default() += 1;
    }
    let specific = counts
        .iter()
        .filter(|(k, _)| **k != EventType::Attack)
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(k, _)| *k);
    specific.or_else(|| counts.keys().next().copied())
}

/// The value given most often (ties: the first given), if any.
fn most_common<T: PartialEq + Copy>(values: impl Iterator<Item = T>) -> Option<T> {
    let mut counts: Vec<(T, usize)> = Vec::new();
    for v in values {
        match counts.iter_mut().find(|(x, _)| *x == v) {
            Some((_, n)) => *n += 1,
            None => counts.push((v, 1)),
        }
    }
    // `max_by_key` keeps the last of equal maxima: walk backwards.
    counts
        .into_iter()
        .rev()
        .max_by_key(|(_, n)| *n)
        .map(|(v, _)| v)
}

/// A count field: the value most sources give (ties: the larger), and a
/// disagreement when sources differ.
fn pick_count(
    g: &[Report],
    field: &str,
    get: impl Fn(&Event) -> Option<u32>,
) -> (Option<u32>, Option<Disagreement>) {
    let mut by_value: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for r in g {
        if let Some(v) = get(r.event) {
            let docs = by_value.entry(v).or_default();
            if !docs.iter().any(|d| d == r.doc_id) {
                docs.push(r.doc_id.to_string());
            }
        }
    }
    let value = by_value
        .iter()
        .max_by(|a, b| a.1.len().cmp(&b.1.len()).then(a.0.cmp(b.0)))
        .map(|(v, _)| *v);
    let disagreement = (by_value.len() > 1).then(|| Disagreement {
        field: field.to_string(),
        values: by_value
            .into_iter()
            .map(|(v, doc_ids)| ReportedValue {
                value: v.to_string(),
                doc_ids,
            })
            .collect(),
    });
    (value, disagreement)
}

fn union<'r, 'a: 'r>(
    g: &'r [Report<'a>],
    get: impl Fn(&'r Report<'a>) -> &'r [Keyed],
) -> Vec<IncidentEntity> {
    let mut out: Vec<Keyed> = Vec::new();
    for r in g {
        for item in get(r) {
            let (keys, e) = item;
            match out.iter_mut().find(|x| same_keyed(x, item)) {
                Some(existing) => {
                    for k in keys {
                        if !existing.0.contains(k) {
                            existing.0.push(k.clone());
                        }
                    }
                    // Prefer a linked entity over a bare name.
                    if existing.1.kb_id.is_none() && e.kb_id.is_some() {
                        existing.1 = e.clone();
                    }
                }
                None => out.push((keys.clone(), e.clone())),
            }
        }
    }
    out.into_iter().map(|(_, e)| e).collect()
}

fn build(g: &[Report], merge_reasons: Vec<String>) -> Option<Incident> {
    let first = g.first()?;
    let kind = pick_kind(g)?;
    let stage = g
        .iter()
        .map(|r| r.event.stage)
        .max_by_key(|s| stage_rank(*s))?;
    // The most precise date; among equals, the earliest source's.
    let date = g
        .iter()
        .filter_map(|r| r.event.date.as_ref())
        .min_by_key(|d| d.precision)
        .cloned();
    let mut disagreements = Vec::new();
    let mut day_dates: BTreeMap<NaiveDate, Vec<String>> = BTreeMap::new();
    for r in g {
        if let Some(d) = &r.event.date {
            if d.precision == Precision::Day {
                let docs = day_dates.entry(d.start).or_default();
                if !docs.iter().any(|x| x == r.doc_id) {
                    docs.push(r.doc_id.to_string());
                }
            }
        }
    }
    if day_dates.len() > 1 {
        disagreements.push(Disagreement {
            field: "date".to_string(),
            values: day_dates
                .into_iter()
                .map(|(d, doc_ids)| ReportedValue {
                    value: d.to_string(),
                    doc_ids,
                })
                .collect(),
        });
    }
    let location = g
        .iter()
        .filter_map(|r| r.city.as_ref())
        .next()
        .or_else(|| g.iter().filter_map(|r| r.place.as_ref()).next())
        .map(|p| p.entity.clone());
    let (killed, d1) = pick_count(g, "killed", |e| e.killed);
    let (injured, d2) = pick_count(g, "injured", |e| e.injured);
    let (arrested, d3) = pick_count(g, "arrested", |e| e.arrested);
    disagreements.extend([d1, d2, d3].into_iter().flatten());
    // One source telling of a death makes the incident fatal: a toll is
    // often given only by the later reports.
    let fatal = killed.is_some_and(|k| k > 0) || g.iter().any(|r| r.event.fatal);
    let crime = most_common(g.iter().filter_map(|r| r.event.crime));
    let sources = g
        .iter()
        .map(|r| IncidentSource {
            doc_id: r.doc_id.to_string(),
            event_id: r.event.id.clone(),
            source: r.analysis.source.clone(),
            url: r.analysis.url.clone(),
            published: r.analysis.published,
            kind: r.event.kind,
            stage: r.event.stage,
            confidence: r.event.confidence,
        })
        .collect();
    let first_seen = g.iter().filter_map(|r| r.analysis.published).min();
    Some(Incident {
        id: format!("{}/{}", first.doc_id, first.event.id),
        kind,
        stage,
        date,
        location,
        perpetrators: union(g, |r| &r.perpetrators),
        targets: union(g, |r| &r.targets),
        victims: union(g, |r| &r.victims),
        weapons: union(g, |r| &r.weapons),
        killed,
        injured,
        arrested,
        fatal,
        crime,
        sources,
        first_seen,
        disagreements,
        merge_reasons,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_core::{Geo, Mention};

    /// The merge without candidate lookup: every event compared with every
    /// incident, as specified. [`Merger`]'s buckets and date anchors must
    /// not change the result.
    fn reference(reports: &[(&str, &Analysis)], constraints: &Constraints) -> Vec<Incident> {
        let mut groups: Vec<Vec<Report>> = Vec::new();
        let mut reasons: Vec<Vec<String>> = Vec::new();
        for (doc_id, analysis) in reports {
            for event in &analysis.events {
                let r = Report::new(doc_id, analysis, event);
                let mut best: Option<(usize, i32, usize)> = None;
                'groups: for (gi, g) in groups.iter().enumerate() {
                    let mut top: Option<(i32, usize)> = None;
                    for (mi, m) in g.iter().enumerate() {
                        let Some(s) = compare(m, &r, constraints, None) else {
                            continue 'groups;
                        };
                        if top.is_none_or(|(t, _)| s > t) {
                            top = Some((s, mi));
                        }
                    }
                    if let Some((s, mi)) = top {
                        if s >= MERGE_THRESHOLD && best.is_none_or(|(_, b, _)| s > b) {
                            best = Some((gi, s, mi));
                        }
                    }
                }
                match best {
                    Some((gi, s, mi)) => {
                        let m = &groups[gi][mi];
                        let mut why = Vec::new();
                        let _ = compare(m, &r, constraints, Some(&mut why));
                        reasons[gi].push(format!(
                            "{}/{} joins {}/{} (score {s}): {}",
                            r.doc_id,
                            r.event.id,
                            m.doc_id,
                            m.event.id,
                            why.join("; ")
                        ));
                        groups[gi].push(r);
                    }
                    None => {
                        groups.push(vec![r]);
                        reasons.push(Vec::new());
                    }
                }
            }
        }
        groups
            .into_iter()
            .zip(reasons)
            .filter_map(|(g, why)| build(&g, why))
            .collect()
    }

    /// SplitMix64, seeded.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            (z ^ (z >> 31)) % n
        }
    }

    fn entity(id: &str, kind: EntityType, name: &str, geo: Option<Geo>) -> Entity {
        Entity {
            id: id.to_string(),
            kind,
            name: name.to_string(),
            aliases: Vec::new(),
            mentions: Vec::new(),
            role: None,
            affiliation: None,
            parent: None,
            geo,
            kb_id: None,
        }
    }

    fn slot(text: &str, entity: &str) -> Slot {
        Slot {
            text: text.to_string(),
            entity: Some(entity.to_string()),
            span: None,
        }
    }

    /// Random reports of a few kinds of event in a few cities and
    /// countries (or none), on a few days (or undated, or month
    /// precision), by a few groups: many merge, many are ruled out by
    /// date, place or family.
    fn corpus(seed: u64, docs: usize) -> Vec<(String, Analysis)> {
        corpus_with(seed, docs, false)
    }

    /// A date of any precision around March 2024: days, months, years,
    /// ranges of up to 40 days, rarely an interval given backwards, or
    /// none.
    fn mixed_date(rng: &mut Rng) -> Option<DateValue> {
        let day = |n: u64| {
            NaiveDate::from_ymd_opt(2024, 2, 20)
                .unwrap_or_default()
                .checked_add_days(Days::new(n))
                .unwrap_or_default()
        };
        let (start, end, precision) = match rng.below(10) {
            0 => return None,
            1 => (
                NaiveDate::from_ymd_opt(2024, 3, 1).unwrap_or_default(),
                NaiveDate::from_ymd_opt(2024, 3, 31).unwrap_or_default(),
                Precision::Month,
            ),
            2 => (
                NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default(),
                NaiveDate::from_ymd_opt(2024, 12, 31).unwrap_or_default(),
                Precision::Year,
            ),
            3 | 4 => {
                let s = rng.below(30);
                (day(s), day(s + rng.below(41)), Precision::Day)
            }
            5 => {
                let s = rng.below(30);
                (day(s + 2), day(s), Precision::Day)
            }
            _ => {
                let d = day(rng.below(30));
                (d, d, Precision::Day)
            }
        };
        Some(DateValue {
            start,
            end,
            precision,
            text: String::new(),
            span: None,
            relative: false,
        })
    }

    /// [`corpus`], with [`mixed_date`]s when `mixed`.
    fn corpus_with(seed: u64, docs: usize, mixed: bool) -> Vec<(String, Analysis)> {
        const KINDS: [EventType; 5] = [
            EventType::Bombing,
            EventType::Shooting,
            EventType::Kidnapping,
            EventType::Arrest,
            EventType::Attack,
        ];
        const PLACES: [(&str, &str); 6] = [
            ("Kabul", "AF"),
            ("Herat", "AF"),
            ("Lagos", "NG"),
            ("Kano", "NG"),
            ("Lima", "PE"),
            ("Somewhere", ""),
        ];
        const GROUPS: [&str; 3] = ["Boko Haram", "Shining Path", "ISKP"];
        let mut rng = Rng(seed);
        (0..docs)
            .map(|d| {
                let mut a = Analysis {
                    id: format!("doc{d}"),
                    ..Analysis::default()
                };
                for v in 0..1 + rng.below(2) {
                    let kind = KINDS[rng.below(5) as usize];
                    let mut event = Event {
                        killed: Some(rng.below(3) as u32),
                        ..Event::new(
                            format!("V{}", v + 1),
                            kind,
                            Stage::Accomplished,
                            Mention::default(),
                            0.8,
                        )
                    };
                    let day = 1 + rng.below(6) as u32;
                    event.date = match if mixed { 5 } else { rng.below(5) } {
                        5 => mixed_date(&mut rng),
                        0 => None,
                        1 => Some(DateValue {
                            start: NaiveDate::from_ymd_opt(2024, 3, 1).unwrap_or_default(),
                            end: NaiveDate::from_ymd_opt(2024, 3, 31).unwrap_or_default(),
                            precision: Precision::Month,
                            text: "March".to_string(),
                            span: None,
                            relative: false,
                        }),
                        _ => {
                            let date =
                                NaiveDate::from_ymd_opt(2024, 3, day * 2).unwrap_or_default();
                            Some(DateValue {
                                start: date,
                                end: date,
                                precision: Precision::Day,
                                text: date.to_string(),
                                span: None,
                                relative: false,
                            })
                        }
                    };
                    if rng.below(6) > 0 {
                        let (city, country) = PLACES[rng.below(6) as usize];
                        let id = format!("E{}", a.entities.len() + 1);
                        let geo = (!country.is_empty()).then(|| Geo {
                            lat: 0.0,
                            lon: 0.0,
                            country: country.to_string(),
                            geonames_id: None,
                            admin1: None,
                        });
                        a.entities.push(entity(&id, EntityType::City, city, geo));
                        event.location = Some(slot(city, &id));
                    }
                    if mixed {
                        // Targets and victims, linked to an entity or not.
                        for (n, list) in [(2, &mut event.targets), (3, &mut event.victims)] {
                            if rng.below(n) == 0 {
                                let name =
                                    ["police", "the mayor", "civilians"][rng.below(3) as usize];
                                let entity = if rng.below(2) == 0 {
                                    let id = format!("E{}", a.entities.len() + 1);
                                    a.entities.push(entity(&id, EntityType::Person, name, None));
                                    Some(id)
                                } else {
                                    None
                                };
                                list.push(Slot {
                                    text: name.to_string(),
                                    entity,
                                    span: None,
                                });
                            }
                        }
                    }
                    if rng.below(2) == 0 {
                        let group = GROUPS[rng.below(3) as usize];
                        let id = format!("E{}", a.entities.len() + 1);
                        a.entities
                            .push(entity(&id, EntityType::ArmedGroup, group, None));
                        event.perpetrators.push(slot(group, &id));
                    }
                    a.events.push(event);
                }
                (format!("doc{d}"), a)
            })
            .collect()
    }

    #[test]
    fn candidate_lookup_gives_the_reference_result() {
        for seed in 0..8 {
            let docs = corpus(seed, 300);
            let reports: Vec<(&str, &Analysis)> =
                docs.iter().map(|(id, a)| (id.as_str(), a)).collect();
            let mut constraints = Constraints::new();
            constraints.add(("doc3", "V1"), ("doc7", "V1"));
            constraints.add(("doc10", "V1"), ("doc20", "V1"));
            let fast = merge_events_with(&reports, &constraints);
            let slow = reference(&reports, &constraints);
            assert!(fast.len() < reports.len(), "seed {seed}: nothing merged");
            assert!(
                fast.iter().any(|i| i.sources.len() > 2),
                "seed {seed}: no incident of three reports"
            );
            assert_eq!(fast, slow, "seed {seed}");
        }
    }

    /// The date index in the buckets on dates of every precision, ranges,
    /// undated events and events that gain a country or a date by joining.
    #[test]
    fn date_index_gives_the_reference_result_on_mixed_dates() {
        for seed in 100..116 {
            let docs = corpus_with(seed, 250, true);
            let reports: Vec<(&str, &Analysis)> =
                docs.iter().map(|(id, a)| (id.as_str(), a)).collect();
            let constraints = Constraints::new();
            let fast = merge_events_with(&reports, &constraints);
            let slow = reference(&reports, &constraints);
            assert!(fast.len() < reports.len(), "seed {seed}: nothing merged");
            assert_eq!(fast, slow, "seed {seed}");
        }
    }

    #[test]
    fn seeded_merger_continues_a_merge() {
        let docs = corpus(42, 400);
        let reports: Vec<(&str, &Analysis)> = docs.iter().map(|(id, a)| (id.as_str(), a)).collect();
        let constraints = Constraints::new();
        let full = merge_events_with(&reports, &constraints);
        let (head, tail) = reports.split_at(250);
        let before = merge_events_with(head, &constraints);
        let by_doc: HashMap<&str, &Analysis> = head.iter().copied().collect();
        let mut merger = Merger::new(&constraints);
        for incident in &before {
            let members: Vec<(&str, &Analysis, &str)> = incident
                .sources
                .iter()
                .filter_map(|s| {
                    let (id, a) = by_doc.get_key_value(s.doc_id.as_str())?;
                    Some((*id, *a, s.event_id.as_str()))
                })
                .collect();
            assert!(merger.seed(&members, incident.merge_reasons.clone()));
        }
        for (id, a) in tail {
            merger.add(id, a);
        }
        let changed = merger.finish();
        assert!(changed.iter().any(|m| m.seeded), "no stored incident grew");
        let mut after: Vec<Incident> = before
            .into_iter()
            .filter(|i| !changed.iter().any(|m| m.incident.id == i.id))
            .collect();
        after.extend(changed.into_iter().map(|m| m.incident));
        let key = |i: &Incident| i.id.clone();
        let mut full = full;
        full.sort_by_key(key);
        after.sort_by_key(key);
        assert_eq!(after, full);
    }
}
