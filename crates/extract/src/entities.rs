//! Named-entity recognition and linking.
//!
//! Three passes over the cleaned text:
//! 1. **Gazetteer names** (one Aho-Corasick automaton over the knowledge base
//!    and the place gazetteer), filtered by case evidence: in mixed-case text
//!    a name must be capitalised (acronyms must match exactly); in all-caps or
//!    all-lower text short and common-word names are skipped. Accented
//!    names are matched under their ASCII spelling too ("Boyaca"). A place
//!    name shared by several places is resolved towards the countries the
//!    text names, its big cities' countries and its nationality words
//!    ("Colombian police": Colombia's Bolívar, not Venezuela's); a region
//!    word after it ("Bolivar department") makes it the region.
//! 2. **Patterns** over runs of capitalised words: people (with a title, an
//!    office in apposition, or a verb of saying), and organisations, sites
//!    and events by their head word ("… Committee", "… Cathedral",
//!    "… Festival"). In caseless text only titled people are found.
//! 3. **Linking**: mentions of one gazetteer record, one place or one person
//!    (a later bare surname) become one entity; people get their stated role.

use rustc_hash::{FxHashMap, FxHashSet};

use vigil_core::{Entity, EntityType, Geo, Mention, Span};
use vigil_geo::PlaceKind;

use crate::context::Ctx;
use crate::resources::{NameTarget, Resources};
use crate::words;

/// A mention before linking.
#[derive(Debug, Clone)]
struct Raw {
    span: Span,
    kind: EntityType,
    key: String,
    name: String,
    kb: Option<usize>,
    place: Option<vigil_geo::PlaceId>,
    title: Option<String>,
}

/// A demonym or a country used as a nationality ("Tajik", "from Tajikistan").
#[derive(Debug, Clone)]
pub struct Demonym {
    pub span: Span,
    pub country: String,
}

/// The entities of a document, with a token → entity index.
pub struct Entities {
    pub list: Vec<Entity>,
    /// For each token, the entity whose mention covers it.
    pub by_token: Vec<Option<usize>>,
    pub demonyms: Vec<Demonym>,
}

impl Entities {
    pub fn get(&self, idx: usize) -> &Entity {
        &self.list[idx]
    }

    /// The entity with this document-local id ("E7"), in constant time.
    pub fn by_id(&self, id: &str) -> Option<&Entity> {
        let n: usize = id.strip_prefix('E')?.parse().ok()?;
        self.list.get(n.checked_sub(1)?).filter(|e| e.id == id)
    }

    /// The entity (index) whose mention covers token `t`, if any; `None`
    /// past the last token too.
    pub fn at(&self, t: usize) -> Option<usize> {
        self.by_token.get(t).copied().flatten()
    }

    /// The person whose mention covers token `t`, with the mention's
    /// tokens (the run of tokens of that entity around `t`).
    pub fn person_at(&self, t: usize) -> Option<(usize, std::ops::Range<usize>)> {
        let e = self
            .at(t)
            .filter(|&e| self.list[e].kind == EntityType::Person)?;
        let mut first = t;
        while first > 0 && self.at(first - 1) == Some(e) {
            first -= 1;
        }
        let mut end = t + 1;
        while self.at(end) == Some(e) {
            end += 1;
        }
        Some((e, first..end))
    }

    /// Entity (index) mentioned exactly at or covering this span.
    pub fn at_span(&self, ctx: &Ctx, span: Span) -> Option<usize> {
        let toks = ctx.tokens_in(span);
        toks.clone().find_map(|t| self.at(t))
    }

    /// All (entity index, mention span) pairs in a token range, in order.
    pub fn in_tokens(&self, range: std::ops::Range<usize>) -> Vec<(usize, std::ops::Range<usize>)> {
        let mut out: Vec<(usize, std::ops::Range<usize>)> = Vec::new();
        for t in range {
            if let Some(Some(e)) = self.by_token.get(t) {
                match out.last_mut() {
                    Some((last, r)) if *last == *e && r.end == t => r.end = t + 1,
                    _ => out.push((*e, t..t + 1)),
                }
            }
        }
        out
    }
}

/// Runs all three passes.
pub fn extract(ctx: &Ctx, res: &Resources) -> Entities {
    let mut raws = Vec::new();
    let mut demonyms = Vec::new();
    let mut embedded = Vec::new();
    gazetteer_pass(ctx, res, &mut raws, &mut demonyms, &mut embedded);
    pattern_pass(ctx, res, &mut raws, &mut embedded);
    raws.sort_by_key(|r| (r.span.start, std::cmp::Reverse(r.span.end)));
    // Drop mentions overlapping an earlier, longer one.
    let mut kept: Vec<Raw> = Vec::with_capacity(raws.len());
    for r in raws {
        if kept.last().is_some_and(|k| k.span.overlaps(r.span)) {
            continue;
        }
        kept.push(r);
    }
    affiliate_pass(ctx, res, &mut kept, &demonyms);
    same_name_pass(ctx, &mut kept);
    surname_pass(ctx, res, &mut kept);
    let mut entities = link(ctx, res, kept, demonyms);
    add_embedded(ctx, res, &mut entities, embedded);
    entities
}

/// Places named inside longer names ("Cologne" in "Cologne Cathedral")
/// become entities (or mentions of existing ones) without taking over the
/// tokens of the longer name.
fn add_embedded(ctx: &Ctx, res: &Resources, entities: &mut Entities, embedded: Vec<Raw>) {
    for raw in embedded {
        let text = ctx.slice(raw.span).to_string();
        let mention = Mention {
            text,
            start: raw.span.start,
            end: raw.span.end,
        };
        let kb_id = raw
            .place
            .map(|id| res.geo.geo(id))
            .and_then(|g| g.geonames_id)
            .map(|g| format!("geonames:{g}"));
        let existing = entities
            .list
            .iter_mut()
            .find(|e| e.kb_id.is_some() && e.kb_id == kb_id);
        match existing {
            Some(e) => e.mentions.push(mention),
            None => {
                let n = entities.list.len();
                let mut e = new_entity(ctx, res, &raw, n);
                e.mentions.push(mention);
                entities.list.push(e);
            }
        }
    }
    for e in &mut entities.list {
        e.mentions.sort_by_key(|m| m.start);
    }
}

fn gazetteer_pass(
    ctx: &Ctx,
    res: &Resources,
    raws: &mut Vec<Raw>,
    demonyms: &mut Vec<Demonym>,
    embedded: &mut Vec<Raw>,
) {
    let text = ctx.text;
    let mut matches = Vec::new();
    for (start, end, spelling, targets) in res.find_names(text) {
        let found = &text[start..end];
        if case_ok(ctx, found, spelling) {
            matches.push((Span::new(start, end), targets));
            continue;
        }
        // "Kaduna state" fails as "Kaduna State" but names Kaduna: retry
        // without the last word.
        let mut end = end;
        while let Some(cut) = text[start..end].rfind([' ', '-']) {
            end = start + cut;
            let shorter = res
                .find_names(&text[start..end])
                .find(|(s, _, _, _)| *s == 0);
            if let Some((_, e, spelling, targets)) = shorter {
                if case_ok(ctx, &text[start..start + e], spelling) {
                    matches.push((Span::new(start, start + e), targets));
                }
                break;
            }
        }
    }
    // Countries named anywhere in the text disambiguate cities.
    let mut context: Vec<String> = Vec::new();
    for (span, targets) in &matches {
        if targets.contains(&NameTarget::Place) {
            for &id in res.geo.lookup(ctx.slice(*span)) {
                let place = res.geo.place(id);
                if place.kind == PlaceKind::Country && !context.contains(&place.country) {
                    context.push(place.country.clone());
                }
            }
        }
    }
    // So do big cities: "LIMA" puts "SAN JUAN DE LURIGANCHO" in Peru.
    for (span, targets) in &matches {
        if targets.contains(&NameTarget::Place) {
            if let Some(&id) = res.geo.lookup(ctx.slice(*span)).first() {
                let place = res.geo.place(id);
                if place.kind == PlaceKind::City
                    && place.population >= 1_000_000
                    && !context.contains(&place.country)
                {
                    context.push(place.country.clone());
                }
            }
        }
    }
    // And nationality words: "Colombian police" puts "Bolivar department"
    // in Colombia.
    for (_, targets) in &matches {
        for t in targets.iter() {
            if let NameTarget::Demonym(i) = t {
                if let Some(country) = res.demonym_countries.get(*i) {
                    if !context.contains(country) {
                        context.push(country.clone());
                    }
                }
            }
        }
    }
    let context_refs: Vec<&str> = context.iter().map(String::as_str).collect();
    // Where place names and nationality words end: "US State Department"
    // is the State Department of the US.
    let place_ends: Vec<usize> = matches
        .iter()
        .filter(|(_, t)| {
            t.iter()
                .any(|x| matches!(x, NameTarget::Place | NameTarget::Demonym(_)))
        })
        .map(|(s, _)| s.end)
        .collect();
    for (span, targets) in matches {
        let found = ctx.slice(span);
        if let Some(idx) = targets.iter().find_map(|t| match t {
            NameTarget::Kb(i) => Some(*i),
            _ => None,
        }) {
            let Some(rec) = res.kb.records().get(idx) else {
                continue;
            };
            // "Cologne Cathedral" also names Cologne.
            if matches!(rec.kind, EntityType::Site | EntityType::Event) {
                for t in ctx.tokens_in(span) {
                    let word = ctx.tok_text(t);
                    if word.len() < 4 || res.geo.is_ambiguous_name(word) || !ctx.is_capitalized(t) {
                        continue;
                    }
                    // Only a real town: "Olympic" in "Olympic Games" is not one.
                    let city = res.geo.lookup(word).iter().copied().find(|id| {
                        let p = res.geo.place(*id);
                        p.kind == PlaceKind::City && p.population >= 100_000
                    });
                    if let Some(id) = city {
                        let place = res.geo.place(id);
                        embedded.push(Raw {
                            span: ctx.tokens[t].span,
                            kind: EntityType::City,
                            key: format!("place:{id}"),
                            name: place.name.clone(),
                            kb: None,
                            place: Some(id),
                            title: None,
                        });
                    }
                }
            }
            // A one-word name followed by another capitalised word is the
            // start of a longer name ("National Guard" is not "The National").
            if !found.contains(' ')
                && next_is_name_word(ctx, span)
                && !found.chars().all(|c| !c.is_lowercase())
            {
                continue;
            }
            // "State Security Service" (Nigeria's) is not the "Security
            // Service" (MI5): an agency's name of several words right after
            // another capitalised word, which is neither a place nor a
            // nationality, is the end of a longer name.
            if found.contains(' ')
                && matches!(
                    rec.kind,
                    EntityType::GovernmentBody | EntityType::Organization
                )
                && ctx.case.informative()
                && ctx.token_at(span.start).checked_sub(1).is_some_and(|p| {
                    let prev = ctx.tokens[p].span;
                    ctx.is_capitalized(p)
                        && ctx.is_word(p)
                        && !words::is_stop(&ctx.lower[p])
                        && !sentence_initial(ctx, p)
                        && ctx.text.get(prev.end..span.start) == Some(" ")
                        && !place_ends.contains(&prev.end)
                })
            {
                continue;
            }
            // "Christopher Van Wagner" is a person, not the Wagner Group: a
            // one-word name after a given name or a name particle.
            let prev = ctx.token_at(span.start).checked_sub(1);
            if !found.contains(' ')
                && ctx.case.informative()
                && prev.is_some_and(|p| {
                    ctx.is_capitalized(p)
                        && ctx.text.get(ctx.tokens[p].span.end..span.start) == Some(" ")
                        && (given_name(ctx, res, p)
                            || words::NAME_PARTICLES.contains(&ctx.lower[p].as_ref()))
                })
            {
                continue;
            }
            raws.push(Raw {
                span,
                kind: rec.kind,
                key: rec.key.clone(),
                name: rec.name.clone(),
                kb: Some(idx),
                place: None,
                title: None,
            });
        } else if targets.contains(&NameTarget::Place) {
            // "Western countries", "Eastern Ukraine", "in the North": a
            // direction alone is no place, though provinces are called
            // that (Sri Lanka's Western, Uganda's Northern); "Western
            // Province" is matched whole.
            if COMPASS_WORDS.contains(&found.to_lowercase().as_str()) {
                continue;
            }
            let acronym = ctx.case.informative()
                && found.chars().all(|c| !c.is_lowercase())
                && found.len() <= 4;
            if res.geo.is_ambiguous_name(found)
                && !acronym
                && !ambiguous_place_context(ctx, span)
                && !strong_place_evidence(ctx, res, span)
            {
                continue;
            }
            // "Christopher Van Wagner", "Ana De Armas": a name particle
            // before a capitalised word is part of a person's name.
            let next_tok = ctx.token_at(span.end);
            if ctx.case.informative()
                && words::NAME_PARTICLES.contains(&found.to_lowercase().as_str())
                && ctx.is_capitalized(next_tok)
                && ctx.text.get(span.end..).is_some_and(|r| r.starts_with(' '))
            {
                continue;
            }
            // Without case, a lone one-word town name is too often a
            // surname ("castro", "DELGADO"): ask for "in"/"at" or a big city.
            let one_word = !found.contains([' ', '-']);
            if !ctx.case.informative()
                && one_word
                && !place_context(ctx, span)
                && !line_start(ctx, span)
            {
                let big = res.geo.lookup(found).iter().any(|id| {
                    let p = res.geo.place(*id);
                    p.kind != PlaceKind::City || p.population >= 500_000
                });
                if !big {
                    continue;
                }
            }
            let inside_name = part_of_longer_name(ctx, span);
            // "the Kaluga region", "Kaduna state": the region, not its capital.
            let next = ctx.token_at(span.end);
            let region_word = ctx
                .lower
                .get(next)
                .is_some_and(|w| REGION_WORDS.contains(&w));
            // Of same-named regions, one of a country the text names ("Bolivar
            // department" in a Colombian story is not Venezuela's state).
            let region = region_word
                .then(|| res.geo.resolve_region(found, &context_refs))
                .flatten();
            let Some(id) = region.or_else(|| res.geo.resolve(found, &context_refs)) else {
                continue;
            };
            let place = res.geo.place(id);
            let kind = match place.kind {
                PlaceKind::Country => EntityType::Country,
                PlaceKind::Region => EntityType::Region,
                PlaceKind::City => EntityType::City,
            };
            // "Roosevelt Avenue", "Kandahar Road" (in Kabul): a street is
            // named after a person or a place, not where it is.
            let street = ctx.case.informative()
                && ctx.lower.get(next).is_some_and(|w| {
                    matches!(w, "street" | "avenue" | "boulevard" | "road" | "lane")
                })
                && ctx.is_capitalized(next);
            if street && kind != EntityType::Country {
                continue;
            }
            // "the Panama Papers", "the Paris Agreement", "the Oslo
            // Accords": a text named after where it was signed or leaked
            // from, which places nothing there (countries included).
            if next_is_name_word(ctx, span)
                && ctx
                    .lower
                    .get(next)
                    .is_some_and(|w| PLACE_NAMED_TEXT_HEADS.contains(&w))
            {
                continue;
            }
            // "(ILO)", "MISSING MAN:": a town in capitals inside mixed-case
            // text is an acronym or shouting (datelines and all-capital
            // lines excepted).
            if kind == EntityType::City
                && ctx.case.informative()
                && !found.chars().any(char::is_lowercase)
                && !line_start(ctx, span)
                && !capital_line(ctx, span)
            {
                continue;
            }
            // ("Aung San Suu Kyi": a two-word town before a name word too.)
            if kind != EntityType::Country
                && (one_word || kind == EntityType::City)
                && !acronym
                && !region_word
                && not_this_place(ctx, res, span, place.population)
            {
                continue;
            }
            // "the US embassy in Moscow": a mission of the country, which can speak.
            let next_word = ctx.lower.get(next);
            if kind == EntityType::Country
                && matches!(next_word, Some("embassy" | "consulate" | "mission"))
            {
                let full = Span::new(span.start, ctx.tokens[next].span.end);
                let name = ctx.slice(full).to_string();
                raws.push(Raw {
                    span: full,
                    kind: EntityType::GovernmentBody,
                    key: format!(
                        "gov:{}:{}",
                        next_word.unwrap_or_default(),
                        place.country.to_lowercase()
                    ),
                    name,
                    kb: None,
                    place: None,
                    title: None,
                });
                continue;
            }
            let raw = Raw {
                span,
                kind,
                key: format!("place:{id}"),
                name: place.name.clone(),
                kb: None,
                place: Some(id),
                title: None,
            };
            // "Cologne" in "Cologne Cathedral" names the city too, but the
            // mention belongs to the longer name.
            if inside_name {
                embedded.push(raw);
            } else {
                raws.push(raw);
            }
        } else if let Some(NameTarget::Demonym(i)) =
            targets.iter().find(|t| matches!(t, NameTarget::Demonym(_)))
        {
            if let Some(country) = res.demonym_countries.get(*i) {
                demonyms.push(Demonym {
                    span,
                    country: country.clone(),
                });
            }
        }
    }
}

/// Case evidence for a gazetteer match.
fn case_ok(ctx: &Ctx, found: &str, spelling: &str) -> bool {
    let letters = spelling.chars().filter(|c| c.is_alphabetic()).count();
    let acronym = spelling
        .chars()
        .filter(|c| c.is_alphabetic())
        .all(char::is_uppercase);
    if ctx.case.informative() {
        if acronym && letters <= 5 {
            return found == spelling;
        }
        // "the Netherlands" for "The Netherlands": the article's case is free.
        let strip = |s: &'_ str| -> String {
            let lower = s.to_lowercase();
            if lower.starts_with("the ") {
                s[4..].to_string()
            } else {
                s.to_string()
            }
        };
        let (found, spelling) = (strip(found), strip(spelling));
        if found == spelling {
            return true;
        }
        // Every capitalised word of the name must be capitalised in the
        // text: "a Catholic church" is a building, not the Catholic Church.
        let initial_upper = |w: &str| w.chars().next().is_some_and(char::is_uppercase);
        found
            .chars()
            .find(|c| c.is_alphabetic())
            .is_some_and(char::is_uppercase)
            && found
                .split([' ', '-'])
                .zip(spelling.split([' ', '-']))
                .all(|(f, p)| !initial_upper(p) || initial_upper(f))
    } else {
        // Without case, short names collide with words ("us", "it", "un").
        let lower = spelling.to_lowercase();
        // "several times" is not The Times.
        if !lower.contains(' ') && COMMON_NAME_WORDS.contains(&lower.as_str()) {
            return false;
        }
        letters >= 4
            || (letters == 3 && !words::is_stop(&lower) && !COMMON3.contains(&lower.as_str()))
    }
}

/// Words after a place name that make it an administrative region.
const REGION_WORDS: &[&str] = &[
    "region",
    "province",
    "state",
    "oblast",
    "county",
    "department",
    "governorate",
    "district",
    "prefecture",
    "krai",
    "canton",
    "territory",
];

/// One-word names (mostly outlets without their "The") that are everyday
/// words; without case they cannot be told from the words.
const COMMON_NAME_WORDS: &[&str] = &[
    "times",
    "national",
    "independent",
    "guardian",
    "post",
    "sun",
    "mirror",
    "express",
    "star",
    "observer",
    "nation",
    "hill",
    "globe",
    "herald",
    "tribune",
    "telegraph",
    "world",
    "journal",
    "news",
    "today",
    "daily",
    "week",
    "time",
    "economist",
    "monitor",
    "record",
    "register",
    "standard",
    "intercept",
    "atlantic",
    "base",
    "front",
    "army",
    "police",
    "government",
    "party",
    "state",
    "council",
    "senate",
    "house",
    "congress",
    "parliament",
    "kremlin",
];

/// Three-letter words that are also names or acronyms in the knowledge base
/// or gazetteer ("FAR", Guatemala's Rebel Armed Forces; "ICE"): in text
/// without case they are read as words (see `case_ok`).
const COMMON3: &[&str] = &[
    "and", "the", "for", "are", "but", "not", "you", "all", "any", "can", "had", "her", "was",
    "one", "our", "out", "day", "get", "has", "him", "his", "how", "man", "new", "now", "old",
    "see", "two", "way", "who", "did", "its", "let", "put", "say", "she", "too", "use", "per",
    "via", "war", "ran", "run", "set", "sun", "sat", "mon", "tue", "wed", "fri", "jan", "feb",
    "mar", "apr", "jun", "jul", "aug", "sep", "oct", "nov", "dec", "bar", "bus", "car", "law",
    "arm", "aid", "end", "led", "met", "off", "own", "few", "big", "top", "air", "sea", "gas",
    "oil", "son", "far", "ice", "ram", "raw", "tip", "pet", "rim", "app", "spa", "sis",
];

fn next_is_name_word(ctx: &Ctx, span: Span) -> bool {
    if !ctx.case.informative() {
        return false;
    }
    let next = ctx.token_at(span.end);
    ctx.tokens
        .get(next)
        .is_some_and(|t| ctx.text.get(span.end..t.span.start) == Some(" "))
        && ctx.is_word(next)
        && ctx.is_capitalized(next)
        && !words::is_stop(&ctx.lower[next])
}

/// True when a place name is the first word(s) of a longer capitalised
/// name ("Cologne Cathedral", "Paris Olympics", "New York Times"): the
/// pattern pass reads the whole name instead. Countries are exempt ("US
/// Central Command" names the US).
fn part_of_longer_name(ctx: &Ctx, span: Span) -> bool {
    if !ctx.case.informative() {
        return false;
    }
    let next = ctx.token_at(span.end);
    let adjacent = ctx
        .tokens
        .get(next)
        .is_some_and(|t| ctx.text.get(span.end..t.span.start) == Some(" "));
    adjacent
        && ctx.is_word(next)
        && ctx.is_capitalized(next)
        && !words::is_stop(&ctx.lower[next])
        && HEADS.iter().any(|(h, _)| *h == &ctx.lower[next])
}

/// Evidence that a name that is also an English word ("Marseille",
/// "Nice", "Reading") is the place: in mixed-case text, capitalised and
/// either a big city or followed by ", Country" (a dateline: "MARSEILLE,
/// France -"). Capitalisation alone is not enough ("Western interests").
fn strong_place_evidence(ctx: &Ctx, res: &Resources, span: Span) -> bool {
    if !ctx.case.informative() {
        return false;
    }
    let t = ctx.token_at(span.start);
    if !ctx.is_capitalized(t) {
        return false;
    }
    let found = ctx.slice(span);
    let big = res.geo.lookup(found).iter().any(|id| {
        let p = res.geo.place(*id);
        p.kind == PlaceKind::City && p.population >= 300_000
    });
    let after = ctx.token_at(span.end);
    let then_country = ctx.lower.get(after).is_some_and(|w| w == ",")
        && ctx.tokens.get(after + 1).is_some_and(|tk| {
            res.geo
                .lookup(&ctx.text[tk.span.start..tk.span.end])
                .iter()
                .any(|id| res.geo.place(*id).kind == PlaceKind::Country)
        });
    big || then_country
}

/// True when a one-word town or region name is better read as something
/// else, in mixed-case text where capitals carry meaning:
/// - a month or weekday ("In March last year"): a stop word is a place only
///   with a dateline's evidence;
/// - an ambiguous name after a bare "of" or "to" ("Superintendent of
///   Police", "Soldiers of God"), unless a place noun comes before it ("the
///   city of Reading");
/// - a name glued to another capitalised word that is not a place noun,
///   office or direction ("Karamat Ali", "Anand Bhadauria", "George
///   Floyd", "Aung San Suu Kyi"): a person's name, which the pattern pass
///   then reads whole. Towns of half a million people or more keep their
///   reading ("Minsk Regional Court") unless a given name comes before
///   them ("Joseph Muscat").
fn not_this_place(ctx: &Ctx, res: &Resources, span: Span, population: u64) -> bool {
    if !ctx.case.informative() {
        return false;
    }
    let found = ctx.slice(span).to_lowercase();
    if words::is_stop(&found) {
        return !strong_place_evidence(ctx, res, span);
    }
    let t = ctx.token_at(span.start);
    let lower = |i: usize| ctx.lower.get(i);
    let prev = t.checked_sub(1).and_then(lower);
    if res.geo.is_ambiguous_name(&found)
        && matches!(prev, Some("of" | "to"))
        && !t
            .checked_sub(2)
            .and_then(lower)
            .is_some_and(|w| PLACE_NOUNS.contains(&w) || REGION_WORDS.contains(&w))
        && !strong_place_evidence(ctx, res, span)
    {
        return true;
    }
    let glued = |i: usize| {
        let (a, b) = if i < t {
            (i, t)
        } else {
            (ctx.token_at(span.end).saturating_sub(1), i)
        };
        let between = ctx
            .tokens
            .get(a)
            .zip(ctx.tokens.get(b))
            .and_then(|(x, y)| ctx.text.get(x.span.end..y.span.start));
        let w = lower(i).unwrap_or_default();
        between == Some(" ")
            && ctx.is_word(i)
            && ctx.is_capitalized(i)
            && !words::is_stop(w)
            && !words::is_honorific(w)
            && !words::is_office_head(w)
            && !PLACE_NOUNS.contains(&w)
            && !REGION_WORDS.contains(&w)
            && !COMPASS_WORDS.contains(&w)
            && !PLACE_QUALIFIERS.contains(&w)
            && !HEADS.iter().any(|(h, _)| *h == w)
            && !res
                .geo
                .lookup(ctx.tok_text(i))
                .iter()
                .any(|id| res.geo.place(*id).kind == PlaceKind::Country)
    };
    // After a given name, even a big city is a surname ("Malta's prime
    // minister, Joseph Muscat").
    let prev_given = t
        .checked_sub(1)
        .is_some_and(|p| given_name(ctx, res, p) && glued(p));
    if prev_given {
        return true;
    }
    if population >= 500_000 {
        return false;
    }
    // A capitalised word before counts inside a sentence (the first word of
    // a sentence is capitalised whatever it is).
    let before = t
        .checked_sub(1)
        .is_some_and(|p| !sentence_initial(ctx, p) && glued(p));
    let after = glued(ctx.token_at(span.end));
    before || after
}

/// True when token `i` is a given name (`data/lexicon/given-names.txt`).
fn given_name(ctx: &Ctx, res: &Resources, i: usize) -> bool {
    ctx.lower
        .get(i)
        .is_some_and(|w| res.lexicon.given_names.contains(w))
}

/// True when token `i` opens its sentence.
fn sentence_initial(ctx: &Ctx, i: usize) -> bool {
    let Some(tok) = ctx.tokens.get(i) else {
        return false;
    };
    ctx.sentence_of(tok.span.start)
        .and_then(|s| ctx.sent_toks.get(s))
        .is_none_or(|r| r.start == i)
}

/// Nouns that introduce a place after "of": "the city of Reading".
const PLACE_NOUNS: &[&str] = &[
    "city",
    "town",
    "village",
    "capital",
    "outskirts",
    "suburbs",
    "centre",
    "center",
    "mayor",
    "governor",
    "port",
    "municipality",
    "residents",
    "people",
    "streets",
    "north",
    "south",
    "east",
    "west",
    "heart",
];

/// Words of size and kind before a place name ("Greater Manchester",
/// "rural Kaduna"); with [`COMPASS_WORDS`] ("Northern Kaduna"), the words
/// that qualify a place rather than name a person.
const PLACE_QUALIFIERS: &[&str] = &[
    "greater",
    "upper",
    "lower",
    "new",
    "old",
    "downtown",
    "rural",
    "occupied",
    "metropolitan",
    "metro",
];

/// True when the span opens a line (a dateline: "LIMA, 14 MAR 91").
fn line_start(ctx: &Ctx, span: Span) -> bool {
    span.start == 0 || ctx.text[..span.start].ends_with('\n')
}

/// True when a place name is introduced by a locative preposition or
/// followed by a comma and another place ("in Split", "Nice, France").
fn place_context(ctx: &Ctx, span: Span) -> bool {
    let t = ctx.token_at(span.start);
    let prev = t.checked_sub(1).map(|p| &ctx.lower[p]);
    matches!(
        prev,
        Some("in" | "at" | "near" | "from" | "outside" | "into" | "of" | "to")
    )
}

/// Lower-case nouns after which "of" introduces a place ("the town of").
const PLACE_NOUNS_BEFORE_OF: &[&str] = &[
    "city",
    "town",
    "village",
    "hamlet",
    "province",
    "department",
    "region",
    "district",
    "municipality",
    "state",
    "county",
    "canton",
    "parish",
    "jurisdiction",
    "outskirts",
    "vicinity",
    "suburb",
    "suburbs",
    "community",
    "area",
    "capital",
    "port",
    "island",
    "neighborhood",
    "neighbourhood",
    "zone",
    "sector",
    "settlement",
    "valley",
    "center",
    "centre",
    "streets",
    "residents",
    "people",
    "mayor",
    "governor",
];

/// [`place_context`] for a name that is also a common word: "of" counts
/// only after a lower-case place noun ("the town of Reading", not "the
/// State of Union").
fn ambiguous_place_context(ctx: &Ctx, span: Span) -> bool {
    let t = ctx.token_at(span.start);
    let (Some(prev), before) = (t.checked_sub(1), t.checked_sub(2)) else {
        return false;
    };
    if ctx.lower[prev] != *"of" {
        return place_context(ctx, span);
    }
    // "State of Union" in mixed case is a name; without case, the noun.
    before.is_some_and(|b| {
        !(ctx.case.informative() && ctx.is_capitalized(b))
            && PLACE_NOUNS_BEFORE_OF.contains(&&ctx.lower[b])
    })
}

/// True when the line holding `span` has no lower-case letter (an
/// all-capital headline or telex line).
fn capital_line(ctx: &Ctx, span: Span) -> bool {
    let start = ctx.text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let end = ctx.text[span.end..]
        .find('\n')
        .map_or(ctx.text.len(), |i| span.end + i);
    !ctx.text[start..end].chars().any(char::is_lowercase)
}

/// Pass 2: runs of capitalised words.
fn pattern_pass(ctx: &Ctx, res: &Resources, raws: &mut Vec<Raw>, embedded: &mut Vec<Raw>) {
    // Gazetteer mentions do not overlap one another: sorted by start, they
    // are sorted by end too, and a binary search finds any overlap.
    raws.sort_by_key(|r| r.span.start);
    let first_ending_after = |raws: &[Raw], pos: usize| raws.partition_point(|r| r.span.end <= pos);
    let covered = |raws: &[Raw], span: Span| {
        raws.get(first_ending_after(raws, span.start))
            .is_some_and(|r| r.span.overlaps(span))
    };
    // The place mention that starts at token `t` ("of Germany").
    let place_at = |raws: &[Raw], t: usize| -> Option<std::ops::Range<usize>> {
        let tk = ctx.tokens.get(t)?;
        raws.get(first_ending_after(raws, tk.span.start))
            .filter(|r| r.span.start == tk.span.start && r.kind.is_place())
            .map(|r| ctx.tokens_in(r.span))
    };
    let n = ctx.tokens.len();
    let given = |i: usize| given_name(ctx, res, i);
    let mut i = 0;
    let mut found = Vec::new();
    while i < n {
        // A title opens a person in any case style.
        if words::is_honorific(&ctx.lower[i])
            && !covered(raws, ctx.tokens[i].span)
            && !adjectival_title(ctx, i)
        {
            if let Some((range, title_end)) = titled_name(ctx, res, i) {
                let span = ctx.span_of(range.clone());
                // After a title, a city name is a surname ("GENERAL JORGE RIVAS").
                let mut k = first_ending_after(raws, span.start);
                while k < raws.len() && raws[k].span.start < span.end {
                    if matches!(raws[k].kind, EntityType::City | EntityType::Region) {
                        raws.remove(k);
                    } else {
                        k += 1;
                    }
                }
                if !covered(raws, span) {
                    let title_start = role_start(ctx, i);
                    let title = ctx.slice(ctx.span_of(title_start..title_end)).to_string();
                    found.push(person(ctx, range.clone(), Some(title)));
                    i = range.end;
                    continue;
                }
            }
        }
        // "novelist Tsitsi Dangarembga", "journalists Wa Lone and Kyaw Soe
        // Oo", "veteran actor, Chiwetala Agu": names after a role noun;
        // "four men – A, B, C and D –", "seven human rights defenders
        // namely: A, B": a list of people after a dash or colon.
        if ctx.case.informative()
            && (!ctx.is_capitalized(i)
                || sentence_initial(ctx, i)
                || words::is_office_head(&ctx.lower[i]))
        {
            let listed = PEOPLE_PLURALS.contains(&&ctx.lower[i])
                || words::role_noun(&ctx.lower[i]) == Some(true);
            let marker = |j: usize| {
                matches!(
                    ctx.lower.get(j),
                    Some("\u{2013}" | "\u{2014}" | "-" | "--" | ":" | "namely")
                )
            };
            let noun = words::role_noun(&ctx.lower[i])
                .or_else(|| (listed && marker(i + 1)).then_some(true));
            // "Executive Director Cheung Kim-hung": an office in capitals
            // before a name.
            let office = ctx.is_capitalized(i)
                && words::is_office_head(&ctx.lower[i])
                && !ctx.lower[i].ends_with('s');
            let noun = noun.or(office.then_some(false));
            if let Some(plural) = noun {
                let mut j = i + 1;
                if ctx.lower.get(j) == Some(",") {
                    j += 1;
                }
                while listed && j < i + 3 && marker(j) {
                    j += 1;
                }
                // Its modifiers: "veteran Nigerian actor", "Reuters
                // journalists" (not "the arrest of").
                let mut first = i;
                while first > 0
                    && i - first < 3
                    && ctx.is_word(first - 1)
                    && !ctx.by_stop(first - 1)
                    && !matches!(&ctx.lower[first - 1], "of" | "the" | "a" | "an")
                    && !verbish(&ctx.lower[first - 1])
                    && !words::is_speech_verb(&ctx.lower[first - 1])
                    && res
                        .lexicon
                        .triggers
                        .longest_at(&ctx.lower, first - 1)
                        .is_none()
                    && ctx.tok_sent.get(first - 1) == ctx.tok_sent.get(i)
                {
                    first -= 1;
                }
                // "four men – A, B": no role; "seven human rights
                // defenders namely: A, B": one.
                let generic = matches!(
                    &ctx.lower[i],
                    "men" | "women" | "people" | "persons" | "individuals" | "others" | "members"
                );
                let title = (!generic).then(|| ctx.slice(ctx.span_of(first..i + 1)).to_string());
                let mut end = None;
                while let Some(run) = role_name(ctx, res, j) {
                    let span = ctx.span_of(run.clone());
                    // "lawyer Gamal Eid": a one-word name of a feast, group
                    // or body as the surname after a role gives way.
                    let k = first_ending_after(raws, span.start);
                    let inside = raws[k..]
                        .iter()
                        .take_while(|r| r.span.start < span.end)
                        .count();
                    let surname = inside > 0
                        && raws[k..k + inside].iter().all(|r| {
                            span.contains(r.span)
                                && r.span.start > span.start
                                && !r.kind.is_place()
                                && !ctx.slice(r.span).contains([' ', '-'])
                        });
                    if surname {
                        raws.drain(k..k + inside);
                    }
                    if covered(raws, span) {
                        break;
                    }
                    found.push(person(ctx, run.clone(), title.clone()));
                    end = Some(run.end);
                    // "A and B", "A, B and C".
                    let next = match (ctx.lower.get(run.end), ctx.lower.get(run.end + 1)) {
                        (Some(","), Some("and")) => run.end + 2,
                        (Some("," | "and"), _) => run.end + 1,
                        _ => break,
                    };
                    if !plural {
                        break;
                    }
                    j = next;
                }
                if let Some(e) = end {
                    i = e;
                    continue;
                }
            }
        }
        // "were identified as Muhammad Salam, Abdul Hameed, Idrees, Bilal
        // and Aimal", "identified as Ahmed al-Ras, 35, and Helmi al-Ghoul":
        // every name of the list is a person's, one word or more.
        if ctx.case.informative() && named_as(ctx, i) && &ctx.lower[i - 1] == "as" {
            let mut j = i;
            let mut last = None;
            loop {
                let mut end = j;
                while end < n
                    && end - j < 4
                    && (name_token(ctx, end) || end > j && particle_name(ctx, end))
                    && !ctx.by_stop(end)
                {
                    end += 1;
                }
                if end == j || covered(raws, ctx.span_of(j..end)) {
                    break;
                }
                found.push(person(ctx, j..end, None));
                last = Some(end);
                let mut k = end;
                // ", 35,": an age.
                if ctx.lower.get(k) == Some(",")
                    && ctx
                        .lower
                        .get(k + 1)
                        .and_then(words::age)
                        .is_some_and(|a| a >= 1)
                {
                    k += 2;
                }
                // "of Germany": where the person is from.
                if ctx.lower.get(k) == Some("of") {
                    if let Some(place) = place_at(raws, k + 1) {
                        k = place.end;
                    }
                }
                match (ctx.lower.get(k), ctx.lower.get(k + 1)) {
                    (Some("," | ";"), Some("and")) => j = k + 2,
                    (Some("," | ";" | "and"), _) => j = k + 1,
                    _ => break,
                }
            }
            if let Some(e) = last {
                i = e;
                continue;
            }
        }
        if ctx.case.informative() {
            if let Some(raw) = introduced_name(ctx, i).filter(|r| !covered(raws, r.span)) {
                i = ctx.tokens_in(raw.span).end;
                found.push(raw);
                continue;
            }
            if let Some(raw) = event_phrase(ctx, i).filter(|r| !covered(raws, r.span)) {
                i = ctx.tokens_in(raw.span).end;
                found.push(raw);
                continue;
            }
        }
        if !ctx.case.informative() || !name_token(ctx, i) || ctx.by_stop(i) {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i + 1;
        while end < n && end - start < 8 {
            // A title starts a new name: "Interior Minister Pieter Claessens",
            // "Executive Director Cheung Kim-hung".
            if words::is_honorific(&ctx.lower[end])
                || words::is_office_head(&ctx.lower[end])
                    && end + 1 < n
                    && name_token(ctx, end + 1)
                    && !ctx.by_stop(end + 1)
            {
                break;
            }
            // A name ends before an event word: "Daniel Pearl Abduction
            // Trial" in a title-case headline.
            if given(start) && res.lexicon.triggers.longest_at(&ctx.lower, end).is_some() {
                break;
            }
            // "Catherine Wen Sirua of Kenya": a person from a known place,
            // not one name (a name with a head word, "University of
            // Balochistan", or an office, "Chief Minister of Punjab", goes on).
            let from_place = &ctx.lower[end] == "of"
                && end - start >= 2
                && place_at(raws, end + 1).is_some()
                && !(start..end).any(|t| {
                    HEADS.iter().any(|(h, _)| *h == &ctx.lower[t])
                        || words::is_office_head(&ctx.lower[t])
                });
            // "Malik Erskine on Roosevelt Avenue": "on" joins a name only
            // after a head word ("Council on Foreign Relations").
            let on_after_name = &ctx.lower[end] == "on"
                && !(start..end).any(|t| HEADS.iter().any(|(h, _)| *h == &ctx.lower[t]));
            if from_place || on_after_name {
                break;
            }
            if (name_token(ctx, end) || particle_name(ctx, end)) && !ctx.by_stop(end) {
                end += 1;
            } else if NAME_JOINERS.contains(&&ctx.lower[end])
                && end + 1 < n
                && name_token(ctx, end + 1)
                && !ctx.by_stop(end + 1)
                // "David Haines and Alan Henning", "Andrei Zhuk and Vasily
                // Yuzepchuk" are two people.
                && !(&ctx.lower[end] == "and"
                    && given(start)
                    && (given(end + 1) || end - start >= 2))
                // "Germany and Catherine Wen Sirua": a known name ends at "and".
                && !(&ctx.lower[end] == "and" && covered(raws, ctx.span_of(start..end)))
                // "Goobjoog Media and Mohamed Abduwahab Abuuja": a name with
                // an organisation's head word, then a person.
                && !(&ctx.lower[end] == "and" && given(end + 1) && body_word(&ctx.lower[end - 1]))
            {
                end += 2;
            } else if words::NAME_PARTICLES.contains(&&ctx.lower[end])
                && end + 1 < n
                && name_token(ctx, end + 1)
                && ctx.text[ctx.tokens[end].span.end..].starts_with('-')
            {
                end += 1;
            } else {
                break;
            }
        }
        let span = ctx.span_of(start..end);
        // "Krishnaswamy and Jeevanandam were arrested": two one-word names
        // joined by "and", to whom a verb for people is done, are two
        // people (not one run, which "and" never joins into a person).
        let pair = end == start + 3
            && &ctx.lower[start + 1] == "and"
            && !sentence_initial(ctx, start)
            && !given(start)
            && done_to_a_person(ctx, start..end);
        // "Nduka Irabor and Tunde Thompson were arrested": two names of two
        // or three plain words each, likewise (a run "and" joined because
        // neither first word is a known given name).
        let plain = |t: usize| {
            let w = &ctx.lower[t];
            name_token(ctx, t)
                && !body_word(w)
                && !words::is_office_head(w)
                && !words::is_honorific(w)
                && words::role_noun(w).is_none()
                && !PERSON_NOUNS.contains(&w)
                && res.lexicon.triggers.longest_at(&ctx.lower, t).is_none()
        };
        let names_pair = (start + 2..end.saturating_sub(2))
            .find(|&k| &ctx.lower[k] == "and")
            .filter(|&k| k - start <= 3 && end - k - 1 <= 3)
            .filter(|&k| (start..end).all(|t| t == k || plain(t)))
            .filter(|_| done_to_a_person(ctx, start..end));
        if pair && !covered(raws, span) {
            found.push(person(ctx, start..start + 1, None));
            found.push(person(ctx, start + 2..end, None));
        } else if let Some(k) = names_pair.filter(|_| !covered(raws, span)) {
            found.push(person(ctx, start..k, None));
            found.push(person(ctx, k + 1..end, None));
        } else if !covered(raws, span) {
            if let Some(raw) =
                outlet_before_noun(ctx, start..end).or_else(|| classify_run(ctx, res, start..end))
            {
                found.push(raw);
            }
        } else if HEADS.iter().any(|(h, _)| *h == &ctx.lower[end - 1]) {
            // "Pakistan Institute for Conflict and Security Studies",
            // "Kozhikode Medical College Hospital": a name with a head word
            // that opens with a place is the organisation or site.
            let k = first_ending_after(raws, span.start);
            let inside = raws[k..]
                .iter()
                .take_while(|r| r.span.start < span.end)
                .count();
            let only_places = raws[k..k + inside].iter().all(|r| {
                span.contains(r.span)
                    && r.span != span
                    && matches!(
                        r.kind,
                        EntityType::City | EntityType::Country | EntityType::Region
                    )
            });
            if only_places {
                // A national body ("Pakistan Supreme Court", "Kenya Defence
                // Forces") stays its country, which locates what it does.
                let body = classify_run(ctx, res, start..end).filter(|r| {
                    matches!(
                        r.kind,
                        EntityType::Organization
                            | EntityType::Site
                            | EntityType::MediaOutlet
                            | EntityType::Event
                    )
                });
                if let Some(raw) = body {
                    // The place still names where the body is, as
                    // "Cologne" in "Cologne Cathedral" does.
                    embedded.extend(raws.drain(k..k + inside));
                    found.push(raw);
                }
            }
        }
        i = end;
    }
    raws.extend(found);
}

/// Plural nouns for people that may introduce a list of names after a
/// dash or colon ("four men – A, B and C –").
const PEOPLE_PLURALS: &[&str] = &[
    "men",
    "women",
    "people",
    "persons",
    "individuals",
    "defenders",
    "members",
    "detainees",
    "prisoners",
    "protesters",
    "others",
    "representatives",
    "leaders",
    "figures",
    "opponents",
];

/// Nouns that introduce the name of an outlet or a body right after them:
/// "broadcaster RTBF", "the news magazine Der Spiegel", "body OCAM".
const INTRODUCERS: &[(&str, EntityType)] = &[
    ("broadcaster", EntityType::MediaOutlet),
    ("newspaper", EntityType::MediaOutlet),
    ("daily", EntityType::MediaOutlet),
    ("magazine", EntityType::MediaOutlet),
    ("weekly", EntityType::MediaOutlet),
    ("tabloid", EntityType::MediaOutlet),
    ("channel", EntityType::MediaOutlet),
    ("website", EntityType::MediaOutlet),
    ("outlet", EntityType::MediaOutlet),
    ("agency", EntityType::GovernmentBody),
    ("body", EntityType::GovernmentBody),
    ("watchdog", EntityType::Organization),
    ("ngo", EntityType::Organization),
    ("group", EntityType::Organization),
];

/// An outlet named right before the noun that says what it is: "cited by
/// Dawn newspaper", "the Kyiv Independent website".
fn outlet_before_noun(ctx: &Ctx, range: std::ops::Range<usize>) -> Option<Raw> {
    let next = ctx.lower.get(range.end)?;
    // "Belgian broadcaster RTBF": the name comes after the noun.
    let name_after = range.end + 1 < ctx.tokens.len() && ctx.is_capitalized(range.end + 1);
    if range.len() > 4 || ctx.is_capitalized(range.end) || name_after {
        return None;
    }
    INTRODUCERS
        .iter()
        .find(|(w, kind)| *w == next && *kind == EntityType::MediaOutlet)?;
    let span = ctx.span_of(range);
    let name = ctx.slice(span).to_string();
    Some(Raw {
        span,
        kind: EntityType::MediaOutlet,
        key: format!(
            "{}:{}",
            EntityType::MediaOutlet.as_str().to_lowercase(),
            name.to_lowercase()
        ),
        name,
        kb: None,
        place: None,
        title: None,
    })
}

/// An outlet or body named right after an introducing noun at `i - 1`.
fn introduced_name(ctx: &Ctx, i: usize) -> Option<Raw> {
    let prev = ctx.lower.get(i.checked_sub(1)?)?;
    let (_, kind) = INTRODUCERS.iter().find(|(w, _)| *w == prev)?;
    let mut end = i;
    while end < ctx.tokens.len() && end - i < 4 && name_token(ctx, end) && !ctx.by_stop(end) {
        end += 1;
    }
    if end == i {
        return None;
    }
    let span = ctx.span_of(i..end);
    let name = ctx.slice(span).to_string();
    // A bare capitalised word after "group" is usually a sentence going on.
    if *kind == EntityType::Organization && end - i == 1 && !name.chars().all(|c| !c.is_lowercase())
    {
        return None;
    }
    Some(Raw {
        span,
        kind: *kind,
        key: format!("{}:{}", kind.as_str().to_lowercase(), name.to_lowercase()),
        name,
        kb: None,
        place: None,
        title: None,
    })
}

/// Head nouns of named happenings.
const EVENT_HEADS: &[&str] = &[
    "championship",
    "championships",
    "tournament",
    "cup",
    "games",
    "olympics",
    "festival",
    "summit",
    "marathon",
    "parade",
    "derby",
    "final",
    "league",
    "carnival",
    "fair",
    "expo",
    "pride",
];

/// A named happening with lower-case modifiers: "the European football
/// championship", "the Vienna Pride parade".
fn event_phrase(ctx: &Ctx, i: usize) -> Option<Raw> {
    if !name_token(ctx, i) || ctx.by_stop(i) {
        return None;
    }
    let mut j = i;
    while j < ctx.tokens.len() && j - i < 3 && name_token(ctx, j) && !ctx.by_stop(j) {
        j += 1;
    }
    let mut k = j;
    while k < ctx.tokens.len()
        && k - j < 2
        && ctx.is_word(k)
        && !ctx.is_capitalized(k)
        && !ctx.by_stop(k)
        && !EVENT_HEADS.contains(&&ctx.lower[k])
    {
        k += 1;
    }
    let head = ctx.lower.get(k)?;
    if !EVENT_HEADS.contains(&head) || k == j && j - i < 1 {
        return None;
    }
    let span = ctx.span_of(i..k + 1);
    let name = ctx.slice(span).to_string();
    Some(Raw {
        span,
        kind: EntityType::Event,
        key: format!("event:{}", name.to_lowercase()),
        name,
        kb: None,
        place: None,
        title: None,
    })
}

/// Words that may join a multi-word organisation name ("House of Representatives").
const NAME_JOINERS: &[&str] = &["of", "for", "and", "de", "del", "on"];

/// True when token `i` is a surname glued to its particle, "al-Hathloul",
/// "el-Sisi", "bin-Laden": part of a name after a first word.
fn particle_name(ctx: &Ctx, i: usize) -> bool {
    let text = ctx.tok_text(i);
    text.split_once('-').is_some_and(|(particle, rest)| {
        words::NAME_PARTICLES.contains(&particle)
            && rest.chars().next().is_some_and(char::is_uppercase)
            && rest.chars().all(char::is_alphabetic)
    })
}

fn name_token(ctx: &Ctx, i: usize) -> bool {
    ctx.is_word(i) && ctx.is_capitalized(i)
}

impl Ctx<'_> {
    fn by_stop(&self, i: usize) -> bool {
        words::is_stop(&self.lower[i])
    }
}

/// After a title at `i`: the name tokens that follow (skipping further title
/// words), and where the title ends.
fn titled_name(ctx: &Ctx, res: &Resources, i: usize) -> Option<(std::ops::Range<usize>, usize)> {
    let n = ctx.tokens.len();
    let mut j = i + 1;
    // "Gen." — skip the abbreviation dot; "Prime Minister", "Vice President".
    while j < n && (&ctx.lower[j] == "." || words::is_honorific(&ctx.lower[j])) && j - i < 4 {
        j += 1;
    }
    // "Secretary of State Antony Blinken", "Minister of the Interior
    // Gérald Darmanin": the office's object, then a given name.
    if ctx.case.informative() && ctx.lower.get(j) == Some("of") {
        let mut k = j + 1;
        if ctx.lower.get(k) == Some("the") {
            k += 1;
        }
        let mut m = k;
        while m < n && m - k < 3 && ctx.is_capitalized(m) && !given_name(ctx, res, m) {
            m += 1;
        }
        if m > k && m < n && ctx.is_capitalized(m) && given_name(ctx, res, m) {
            j = m;
        }
    }
    let title_end = j;
    let mut end = j;
    while end < n && end - j < 4 {
        let w = &ctx.lower[end];
        // "dictator Alyaksandr Lukashenka’s crackdown": the possessive
        // ends the name (and is not part of it, see `person`).
        let possessive = end > j
            && ctx.case.informative()
            && ctx.is_capitalized(end)
            && (w.ends_with("'s") || w.ends_with("\u{2019}s"));
        if possessive {
            end += 1;
            break;
        }
        let ok = ctx.is_word(end)
            && !w.ends_with("'s")
            && !w.ends_with("\u{2019}s")
            && !words::is_stop(w)
            && !words::is_speech_verb(w)
            && !words::is_office_head(w)
            // An event word ends the name: "the second mayor killed",
            // "the Seattle General Strike".
            && res.lexicon.triggers.longest_at(&ctx.lower, end).is_none()
            && (if ctx.case.informative() {
                ctx.is_capitalized(end)
                    || end > j && (words::NAME_PARTICLES.contains(&w) || particle_name(ctx, end))
            } else {
                !CASELESS_NON_NAMES.contains(&w)
            });
        if !ok {
            break;
        }
        end += 1;
    }
    // "the General Association of Hong Kong Speech Therapists", "General
    // Hospital": an institution whose name opens with a title word.
    if end > j && ctx.case.informative() && HEADS.iter().any(|(h, _)| *h == &ctx.lower[end - 1]) {
        return None;
    }
    (end > j).then_some((j..end, title_end))
}

/// The name at `j` after a role noun, in mixed-case text: capitalised
/// words with the particles between them ("Akram al-Walidi"), two tokens
/// or more, no longer than four capitalised words.
fn role_name(ctx: &Ctx, res: &Resources, j: usize) -> Option<std::ops::Range<usize>> {
    let mut end = j;
    while end < ctx.tokens.len() && end - j < 6 {
        let w = &ctx.lower[end];
        // "Akram al-Walidi", "Ahmed bin Ali": particles inside the name.
        let particle = end > j
            && (words::NAME_PARTICLES.contains(&w)
                || w.split_once('-')
                    .is_some_and(|(p, _)| words::NAME_PARTICLES.contains(&p))
                    && ctx
                        .slice(ctx.tokens[end].span)
                        .split_once('-')
                        .is_some_and(|(_, rest)| rest.starts_with(char::is_uppercase)));
        if particle {
            end += 1;
            continue;
        }
        let ok = name_token(ctx, end)
            && !w.ends_with("'s")
            && !w.ends_with("\u{2019}s")
            && !words::is_stop(w)
            && !words::is_speech_verb(w)
            && !words::is_office_head(w)
            && !words::is_honorific(w)
            && words::role_noun(w).is_none()
            && res.lexicon.triggers.longest_at(&ctx.lower, end).is_none();
        if !ok {
            break;
        }
        end += 1;
    }
    // Not ending on a particle.
    while end > j && words::NAME_PARTICLES.contains(&&ctx.lower[end - 1]) {
        end -= 1;
    }
    let named = (j..end).filter(|&k| name_token(ctx, k)).count();
    // "Official Secrets Act", "Sugarcane Factory": a law's or a thing's name.
    if end > j {
        let last = &ctx.lower[end - 1];
        if text_head(last) || HEADS.iter().any(|(h, _)| *h == last) {
            return None;
        }
    }
    // A fifth capitalised word: a longer name of something else.
    let longer = named >= 4 && ctx.tokens.get(end).is_some() && name_token(ctx, end);
    (end - j >= 2 && named >= 1 && !longer).then_some(j..end)
}

/// "a major Islamist attack", "the general public": a lower-case title
/// word used as an adjective or common noun, not before a name.
fn adjectival_title(ctx: &Ctx, i: usize) -> bool {
    if ctx.is_capitalized(i) {
        return false;
    }
    let after_article = i
        .checked_sub(1)
        .is_some_and(|p| matches!(&ctx.lower[p], "a" | "an" | "the"));
    // "june's general election": after a possessive.
    let after_possessive = i
        .checked_sub(1)
        .is_some_and(|p| ctx.lower[p].ends_with("'s") || ctx.lower[p].ends_with("\u{2019}s"));
    let next_title = ctx.lower.get(i + 1).is_some_and(words::is_honorific);
    let vague = matches!(
        &ctx.lower[i],
        "major"
            | "general"
            | "chief"
            | "vice"
            | "deputy"
            | "leader"
            | "officer"
            | "father"
            | "captain"
    );
    if !ctx.case.informative() {
        // Without case only the clear adjectival uses: "a major attack",
        // "june's general election".
        return vague && (after_article || after_possessive) && !next_title;
    }
    // "ISIS leader Abu Bakr al-Baghdadi", "deposed leader Aung San Suu
    // Kyi": before a capitalised word, "leader" titles it.
    let leads_name = &ctx.lower[i] == "leader" && ctx.is_capitalized(i + 1);
    (after_article || vague && !leads_name) && !next_title
}

/// Where the role before a title starts: "Kaduna state police spokesman",
/// "North Rhine-Westphalia's interior minister", "chief public prosecutor".
fn role_start(ctx: &Ctx, title: usize) -> usize {
    let floor = ctx
        .tok_sent
        .get(title)
        .and_then(|s| ctx.sent_toks.get(*s))
        .map_or(0, |r| r.start);
    let mut s = title;
    while s > floor && title - s < 4 {
        let w = &ctx.lower[s - 1];
        let word = ctx.is_word(s - 1) || w == "'s";
        if !word || words::is_stop(w) || words::is_speech_verb(w) || verbish(w) {
            break;
        }
        s -= 1;
    }
    s
}

/// Past participles and gerunds ("kidnapped", "including") end a role.
fn verbish(w: &str) -> bool {
    (w.ends_with("ed") && w.len() > 5) || (w.ends_with("ing") && w.len() > 5)
}

/// Words that end a name in caseless text after a title.
const CASELESS_NON_NAMES: &[&str] = &[
    "has",
    "had",
    "have",
    "is",
    "was",
    "were",
    "will",
    "would",
    "also",
    "who",
    "which",
    "reported",
    "stated",
    "announced",
    "denied",
    "confirmed",
    "explained",
    "added",
    "government",
    "army",
    "forces",
    "office",
    "minister",
    "ministry",
    "administration",
    "police",
    "today",
    "yesterday",
    "called",
    "asked",
    "met",
    "visited",
    "ordered",
    "gave",
    "went",
    "left",
    "arrived",
    "received",
    "signed",
    "spoke",
    "commander",
    "noted",
    "during",
    "after",
    "before",
    "when",
    "while",
    "because",
];

fn person(ctx: &Ctx, range: std::ops::Range<usize>, title: Option<String>) -> Raw {
    let span = ctx.span_of(range);
    // "Samuel Wazizi's family": the possessive is not part of the name (the
    // tokenizer keeps inner apostrophes in the word, so the mention keeps it).
    let text = ctx.slice(span);
    let name = ["'s", "\u{2019}s", "'S", "\u{2019}S"]
        .iter()
        .find_map(|p| text.strip_suffix(p))
        .filter(|rest| rest.contains(' '))
        .unwrap_or(text)
        .to_string();
    Raw {
        span,
        kind: EntityType::Person,
        key: format!("person:{}", name.to_lowercase()),
        name,
        kb: None,
        place: None,
        title,
    }
}

/// Last words of the names of a country's own laws ("the Official
/// Secrets Act", "the Pakistan Penal Code").
const LAW_HEADS: &[&str] = &[
    "act",
    "law",
    "bill",
    "code",
    "amendment",
    "constitution",
    "ordinance",
];

/// Last words of texts named after the place where they were signed or
/// leaked from ("Kyoto Protocol", "Panama Papers"): the place name in
/// front of them is no location.
const PLACE_NAMED_TEXT_HEADS: &[&str] = &[
    "convention",
    "conventions",
    "declaration",
    "treaty",
    "accord",
    "accords",
    "agreement",
    "agreements",
    "pact",
    "protocol",
    "papers",
    "files",
    "leaks",
];

/// True when `word` (lower-case) ends the name of a law or another text
/// ([`LAW_HEADS`], [`PLACE_NAMED_TEXT_HEADS`]), which names no one.
fn text_head(word: &str) -> bool {
    LAW_HEADS.contains(&word) || PLACE_NAMED_TEXT_HEADS.contains(&word)
}

/// Head words of multi-word names, and the entity type they imply.
const HEADS: &[(&str, EntityType)] = &[
    ("committee", EntityType::GovernmentBody),
    ("council", EntityType::GovernmentBody),
    ("ministry", EntityType::GovernmentBody),
    ("department", EntityType::GovernmentBody),
    ("agency", EntityType::GovernmentBody),
    ("police", EntityType::GovernmentBody),
    ("court", EntityType::GovernmentBody),
    ("parliament", EntityType::GovernmentBody),
    ("senate", EntityType::GovernmentBody),
    ("commission", EntityType::GovernmentBody),
    ("office", EntityType::GovernmentBody),
    ("bureau", EntityType::GovernmentBody),
    ("service", EntityType::GovernmentBody),
    ("command", EntityType::GovernmentBody),
    ("forces", EntityType::GovernmentBody),
    ("guard", EntityType::GovernmentBody),
    ("center", EntityType::GovernmentBody),
    ("centre", EntityType::GovernmentBody),
    ("government", EntityType::GovernmentBody),
    ("intelligence", EntityType::GovernmentBody),
    ("front", EntityType::ArmedGroup),
    ("brigade", EntityType::ArmedGroup),
    ("brigades", EntityType::ArmedGroup),
    ("battalion", EntityType::ArmedGroup),
    ("militia", EntityType::ArmedGroup),
    ("commandos", EntityType::ArmedGroup),
    ("cartel", EntityType::ArmedGroup),
    ("army", EntityType::ArmedGroup),
    ("cathedral", EntityType::Site),
    ("church", EntityType::Site),
    ("mosque", EntityType::Site),
    ("synagogue", EntityType::Site),
    ("temple", EntityType::Site),
    ("stadium", EntityType::Site),
    ("arena", EntityType::Site),
    ("airport", EntityType::Site),
    ("embassy", EntityType::Site),
    ("consulate", EntityType::Site),
    ("hotel", EntityType::Site),
    ("square", EntityType::Site),
    ("hall", EntityType::Site),
    ("bridge", EntityType::Site),
    ("tower", EntityType::Site),
    ("palace", EntityType::Site),
    ("museum", EntityType::Site),
    ("theatre", EntityType::Site),
    ("theater", EntityType::Site),
    ("station", EntityType::Site),
    ("market", EntityType::Site),
    ("mall", EntityType::Site),
    ("hospital", EntityType::Site),
    ("school", EntityType::Site),
    ("street", EntityType::Site),
    ("avenue", EntityType::Site),
    ("boulevard", EntityType::Site),
    ("factory", EntityType::Site),
    ("prison", EntityType::Site),
    ("university", EntityType::Organization),
    ("festival", EntityType::Event),
    ("day", EntityType::Event),
    ("olympics", EntityType::Event),
    ("games", EntityType::Event),
    ("cup", EntityType::Event),
    ("championship", EntityType::Event),
    ("championships", EntityType::Event),
    ("marathon", EntityType::Event),
    ("summit", EntityType::Event),
    ("concert", EntityType::Event),
    ("league", EntityType::Event),
    ("tournament", EntityType::Event),
    ("party", EntityType::Organization),
    ("movement", EntityType::Organization),
    ("union", EntityType::Organization),
    ("association", EntityType::Organization),
    ("foundation", EntityType::Organization),
    ("institute", EntityType::Organization),
    ("studies", EntityType::Organization),
    ("project", EntityType::Organization),
    ("company", EntityType::Organization),
    ("corporation", EntityType::Organization),
    ("bank", EntityType::Organization),
    ("group", EntityType::Organization),
    ("network", EntityType::Organization),
    ("organization", EntityType::Organization),
    ("organisation", EntityType::Organization),
];

/// Whether a lower-cased word is the head of a site's name ("airport",
/// "street", "hospital"): "Charles de Gaulle airport" is a place even
/// where the head is written in lower case.
pub(crate) fn is_site_head(word: &str) -> bool {
    HEADS
        .iter()
        .any(|(h, kind)| *h == word && *kind == EntityType::Site)
}

/// Decide what a run of capitalised words is.
fn classify_run(ctx: &Ctx, res: &Resources, range: std::ops::Range<usize>) -> Option<Raw> {
    let len = range.len();
    let last = &ctx.lower[range.end - 1];
    // "the Official Secrets Act", "the Anti-Terrorism Law": a text, no
    // one's name.
    if len >= 2 && text_head(last) {
        return None;
    }
    if let Some((_, kind)) = HEADS.iter().find(|(h, _)| *h == last) {
        // "Bolivar Department", "Cusco Province": a region, found as a place.
        if len >= 2 && REGION_WORDS.contains(&last) {
            let before = ctx.span_of(range.start..range.end - 1);
            let region = res
                .geo
                .lookup(ctx.slice(before))
                .iter()
                .any(|id| res.geo.place(*id).kind == PlaceKind::Region);
            if region {
                return None;
            }
        }
        if len >= 2 {
            let span = ctx.span_of(range);
            let name = ctx.slice(span).to_string();
            return Some(Raw {
                span,
                kind: *kind,
                key: format!("{}:{}", kind.as_str().to_lowercase(), name.to_lowercase()),
                name,
                kb: None,
                place: None,
                title: None,
            });
        }
        return None;
    }
    // People: two to four name words with outside evidence, never across
    // "and" ("El-Baqer and Ibrahim" are two people).
    if !(2..=4).contains(&len) || range.clone().any(|t| &ctx.lower[t] == "and") {
        return None;
    }
    if range.clone().any(|t| {
        HEADS.iter().any(|(h, _)| *h == &ctx.lower[t]) || words::is_office_head(&ctx.lower[t])
    }) {
        return None;
    }
    // "one million detained Turkic Muslims", "a group of Southeast Asian
    // MPs": a community or a body, not a person.
    if matches!(
        &ctx.lower[range.end - 1],
        "muslims"
            | "christians"
            | "catholics"
            | "protestants"
            | "jews"
            | "hindus"
            | "buddhists"
            | "sikhs"
            | "uyghurs"
            | "uighurs"
            | "kurds"
            | "mps"
            | "lawmakers"
            | "activists"
    ) {
        return None;
    }
    // A run opening with a given name ("Ahmed Mansoor", "Jimmy Lai") is a
    // person's name without further evidence.
    // Not across "and"/"of" ("Carl and Marsha Mueller" is two people,
    // "Bill of Rights" none) nor before a region word ("Karen State").
    let given = given_name(ctx, res, range.start)
        && !range
            .clone()
            .any(|t| matches!(&ctx.lower[t], "and" | "of" | "for" | "on"))
        && !REGION_WORDS.contains(&&ctx.lower[range.end - 1]);
    let evidence = given
        || speech_verb_near(ctx, range.clone())
        || appositive_role(ctx, res, range.clone()).is_some()
        || done_to_a_person(ctx, range.clone())
        || named_as(ctx, range.start)
        || apposed_to_a_person(ctx, range.clone());
    evidence.then(|| person(ctx, range, None))
}

/// True when the run at `start` follows "identified as" or "named" ("the
/// victim has been identified as X", "a man named X").
fn named_as(ctx: &Ctx, start: usize) -> bool {
    let w = |i: Option<usize>| i.and_then(|i| ctx.lower.get(i)).unwrap_or("");
    let prev = w(start.checked_sub(1));
    // (Over a quotation mark: identified "as X, …".)
    let mut verb = start.checked_sub(2);
    if matches!(w(verb), "\"" | "\u{201c}" | "\u{201d}") {
        verb = verb.and_then(|v| v.checked_sub(1));
    }
    prev == "named"
        || prev == "as" && matches!(w(verb), "identified" | "identifies" | "named" | "known")
}

/// Singular nouns for a person that a name may follow in apposition ("an
/// unarmed Palestinian man with autism, Eyad al-Hallaq, after …").
const PERSON_NOUNS: &[&str] = &[
    "man", "woman", "boy", "girl", "teenager", "youth", "child", "mother", "father", "son",
    "daughter", "brother", "sister", "wife", "husband", "victim",
];

/// Words that end the name of a body rather than a person: the head words
/// of [`HEADS`] and those of outlets ("Goobjoog Media", "Daily Post").
fn body_word(lower: &str) -> bool {
    HEADS.iter().any(|(h, _)| *h == lower)
        || matches!(
            lower,
            "media"
                | "news"
                | "radio"
                | "tv"
                | "television"
                | "times"
                | "press"
                | "daily"
                | "tribune"
                | "herald"
                | "journal"
                | "magazine"
                | "gazette"
        )
}

/// True when the run at `range` stands in apposition after a noun for a
/// person a few words before it: "… man with autism, Eyad al-Hallaq, …",
/// "a Brooklyn journalist and activist, Masih Alinejad." — the run closed by
/// a comma, a full stop or a clause ("Another of the detained lawmakers,
/// Lam Cheuk-ting, …": one of a plural).
fn apposed_to_a_person(ctx: &Ctx, range: std::ops::Range<usize>) -> bool {
    let Some(comma) = range.start.checked_sub(1) else {
        return false;
    };
    if &ctx.lower[comma] != "," {
        return false;
    }
    let closed = ctx.lower.get(range.end).is_none_or(|w| {
        matches!(
            w,
            "," | "." | ";" | ")" | "who" | "after" | "when" | "was" | "had" | "has" | "is"
        )
    });
    let sent = ctx.tok_sent.get(range.start);
    // "Another of the detained former lawmakers, Lam Cheuk-ting,": one of
    // a plural.
    let one_of = |j: usize| {
        (j.saturating_sub(6)..j).any(|i| {
            matches!(&ctx.lower[i], "one" | "another") && ctx.lower.get(i + 1) == Some("of")
        })
    };
    closed
        && (comma.saturating_sub(4)..comma).any(|j| {
            ctx.tok_sent.get(j) == sent
                && !ctx.is_capitalized(j)
                && (PERSON_NOUNS.contains(&&ctx.lower[j])
                    || words::role_noun(&ctx.lower[j]) == Some(false)
                    || (words::role_noun(&ctx.lower[j]) == Some(true)
                        || ctx.lower[j]
                            .strip_suffix('s')
                            .is_some_and(words::is_office_head))
                        && one_of(j))
        })
}

/// Verbs whose object is, in the news, almost always a person: a run of
/// capitalised words right after one ("police arrested Jimmy Lai") or
/// before its passive ("Jimmy Lai was arrested") is a name.
const DONE_TO_PEOPLE: &[&str] = &[
    "arrested",
    "detained",
    "murdered",
    "abducted",
    "kidnapped",
    "jailed",
    "imprisoned",
    "sentenced",
    "tortured",
    "beaten",
    "stabbed",
    "executed",
    "assassinated",
    "convicted",
    "acquitted",
    "interrogated",
    "deported",
    "harassed",
    "assaulted",
    "wounded",
    "killed",
    "shot",
    "gunned",
    "lynched",
    "beheaded",
    "slain",
    "martyred",
    "strangled",
];

/// True when the name at `range` is the object of a verb of
/// [`DONE_TO_PEOPLE`], before it or in the passive after it ("was
/// arrested", "had been detained"), or is followed by an age (", 72,").
fn done_to_a_person(ctx: &Ctx, range: std::ops::Range<usize>) -> bool {
    let w = |i: usize| ctx.lower.get(i).unwrap_or("");
    let done = |i: usize| DONE_TO_PEOPLE.contains(&w(i));
    // "put Aung San Suu Kyi under house arrest".
    let under = range
        .start
        .checked_sub(1)
        .is_some_and(|p| matches!(w(p), "put" | "placed" | "kept" | "keep"))
        && w(range.end) == "under";
    let before = range.start.checked_sub(1).is_some_and(done) || under;
    let e = range.end;
    // "had also been detained", "was later arrested" (not ", was
    // jailed" after an apposition, whose last name need not be the subject).
    let mut k = e;
    let mut aux = false;
    while k < e + 5
        && (matches!(
            w(k),
            "was" | "were" | "is" | "had" | "has" | "have" | "been" | "also" | "later"
        ) || aux && w(k).ends_with("ly"))
    {
        aux |= matches!(w(k), "was" | "were" | "is" | "been");
        k += 1;
    }
    // "was reportedly tortured", "was found dead", "received a 10-year
    // sentence", "has received the longest prison sentence".
    // ("were tried and jailed": a step of the law first.)
    let done = |i: usize| {
        done(i) || words::LEGAL_STEPS.contains(&w(i)) && w(i + 1) == "and" && done(i + 2)
    };
    let passive = aux && (done(k) || w(k) == "found" && w(k + 1) == "dead")
        || matches!(w(k), "received" | "receives")
            && (k + 1..k + 6).any(|j| matches!(w(j), "sentence" | "sentences"));
    // ", 39," or ", 39 in front of a supermarket" (not ", 39 percent").
    let age = w(e) == ","
        && words::age(w(e + 1)).is_some_and(|a| a >= 15)
        && matches!(
            w(e + 2),
            "," | "."
                | "was"
                | "is"
                | "who"
                | "in"
                | "from"
                | "and"
                | "had"
                | "has"
                | "died"
                | "were"
                | "at"
                | "on"
        );
    before || passive || age
}

fn speech_verb_near(ctx: &Ctx, range: std::ops::Range<usize>) -> bool {
    let after = ctx.lower.get(range.end);
    let after2 = ctx.lower.get(range.end + 1);
    let before = range.start.checked_sub(1).map(|b| &ctx.lower[b]);
    after.is_some_and(words::is_speech_verb)
        || (after == Some(",") && after2.is_some_and(|w| w == "who" || words::is_speech_verb(w)))
        || before.is_some_and(words::is_speech_verb)
}

/// The office stated next to a name: ", the head of X," after it, or
/// "The director of X, NAME," before it. Returns the role text's span.
fn appositive_role(ctx: &Ctx, res: &Resources, range: std::ops::Range<usize>) -> Option<Span> {
    let n = ctx.tokens.len();
    let sent = ctx.tok_sent.get(range.start).copied()?;
    let sent_range = ctx.sent_toks.get(sent)?.clone();
    // After: NAME , [the|a|former] ... office ... (, | . | who | said)
    if ctx.lower.get(range.end).is_some_and(|w| w == ",") {
        let start = range.end + 1;
        let mut j = start;
        let mut has_office = false;
        while j < n && j < sent_range.end && j - start < 14 {
            let w = &ctx.lower[j];
            if matches!(
                w,
                "," | "."
                    | ";"
                    | ":"
                    | "\""
                    | "who"
                    | "which"
                    | "said"
                    | "told"
                    | "says"
                    | "("
                    | ")"
            ) {
                break;
            }
            if is_office_word(res, w) {
                has_office = true;
            }
            j += 1;
        }
        if has_office && j > start {
            let mut s = start;
            while s < j && matches!(&ctx.lower[s], "the" | "a" | "an") {
                s += 1;
            }
            if s < j {
                return Some(ctx.span_of(s..j));
            }
        }
    }
    // Before: [The] office ... , NAME
    if range.start >= 2 && &ctx.lower[range.start - 1] == "," {
        let end = range.start - 1;
        let mut s = end;
        while s > sent_range.start && end - s < 12 {
            let w = &ctx.lower[s - 1];
            // "The opposition said its secretary general, NAME": the role
            // starts after the verb of saying.
            if matches!(w, "," | "." | ";" | ":" | "\"" | "(" | ")") || words::is_speech_verb(w) {
                break;
            }
            s -= 1;
        }
        while s < end
            && matches!(
                &ctx.lower[s],
                "the" | "a" | "an" | "its" | "his" | "her" | "their"
            )
        {
            s += 1;
        }
        // A short phrase holding an office word: "The director of the US
        // National Intelligence", "North Rhine-Westphalia's interior minister".
        let has_office = (s..end).any(|t| is_office_word(res, &ctx.lower[t]));
        // Not a clause: "The army confirmed the arrest of veteran actor, X"
        // (a verb and its object; "retired general, X" is a role).
        let clause = (s..end).any(|t| {
            // "the arrest of veteran actor, X": an act, not an office.
            res.lexicon.triggers.longest_at(&ctx.lower, t).is_some()
                || ctx.lower[t].ends_with("ed")
                    && verbish(&ctx.lower[t])
                    && matches!(
                        ctx.lower.get(t + 1),
                        Some("the" | "a" | "an" | "that" | "his" | "her" | "their")
                    )
        });
        if s < end && end - s <= 9 && has_office && !clause {
            return Some(ctx.span_of(s..end));
        }
    }
    None
}

fn is_office_word(res: &Resources, w: &str) -> bool {
    words::is_office_head(w)
        || words::role_noun(w) == Some(false)
        || res.offices.iter().any(|(p, _)| p.len() == 1 && p[0] == w)
}

/// "Islamic State's Afghan affiliate": the knowledge-base child of the
/// group that operates in the demonym's country (here ISIS-K).
fn affiliate_pass(ctx: &Ctx, res: &Resources, raws: &mut Vec<Raw>, demonyms: &[Demonym]) {
    let mut found = Vec::new();
    for r in raws.iter().filter(|r| r.kind == EntityType::ArmedGroup) {
        let Some(parent) = r.kb.and_then(|i| res.kb.records().get(i)) else {
            continue;
        };
        let rest = &ctx.text[r.span.end..];
        let Some(rest) = rest
            .strip_prefix("'s ")
            .or_else(|| rest.strip_prefix("\u{2019}s "))
        else {
            continue;
        };
        let demonym_start = r.span.end + (ctx.text.len() - r.span.end - rest.len());
        let Some(dm) = demonyms.iter().find(|d| d.span.start == demonym_start) else {
            continue;
        };
        let after = ctx.token_at(dm.span.end);
        let noun = ctx.lower.get(after);
        if !matches!(
            noun,
            Some(
                "affiliate"
                    | "branch"
                    | "wing"
                    | "franchise"
                    | "offshoot"
                    | "province"
                    | "chapter"
                    | "arm"
            )
        ) {
            continue;
        }
        let child = res.kb.records().iter().enumerate().find(|(_, c)| {
            c.parent.as_deref() == Some(parent.key.as_str()) && c.countries.contains(&dm.country)
        });
        if let Some((idx, c)) = child {
            let span = Span::new(r.span.start, ctx.tokens[after].span.end);
            found.push((
                r.span,
                Raw {
                    span,
                    kind: c.kind,
                    key: c.key.clone(),
                    name: c.name.clone(),
                    kb: Some(idx),
                    place: None,
                    title: None,
                },
            ));
        }
    }
    let replaced: FxHashSet<Span> = found.iter().map(|(old, _)| *old).collect();
    if !replaced.is_empty() {
        raws.retain(|r| !replaced.contains(&r.span));
    }
    raws.extend(found.into_iter().map(|(_, raw)| raw));
    raws.sort_by_key(|r| r.span.start);
}

/// A name that the text once types by its context ("his Apple Daily
/// newspaper", "the Media Trade Union") keeps that type where it stands
/// bare and the capitalised-words pattern took it for a person ("Ryan Law,
/// chief editor of Apple Daily").
fn same_name_pass(ctx: &Ctx, raws: &mut [Raw]) {
    let typed: FxHashMap<String, (EntityType, String, String)> = raws
        .iter()
        .filter(|r| {
            matches!(
                r.kind,
                EntityType::MediaOutlet
                    | EntityType::Organization
                    | EntityType::GovernmentBody
                    | EntityType::ArmedGroup
            ) && ctx.slice(r.span).contains(' ')
        })
        .map(|r| {
            (
                ctx.slice(r.span).to_lowercase(),
                (r.kind, r.key.clone(), r.name.clone()),
            )
        })
        .collect();
    if typed.is_empty() {
        return;
    }
    for r in raws.iter_mut().filter(|r| r.kind == EntityType::Person) {
        if r.title.is_some() {
            continue;
        }
        if let Some((kind, key, name)) = typed.get(&ctx.slice(r.span).to_lowercase()) {
            r.kind = *kind;
            r.key = key.clone();
            r.name = name.clone();
        }
    }
}

/// Directions: before a place name they qualify it ("Northern Kaduna");
/// alone they name provinces in the gazetteer but no place in news text.
const COMPASS_WORDS: &[&str] = &[
    "north",
    "south",
    "east",
    "west",
    "northern",
    "southern",
    "eastern",
    "western",
    "central",
    "north-east",
    "north-west",
    "south-east",
    "south-west",
    "northeast",
    "northwest",
    "southeast",
    "southwest",
    "northeastern",
    "northwestern",
    "southeastern",
    "southwestern",
    "centre",
    "center",
];

/// Later bare surnames ("Haines said") join the person named in full (or
/// named with a title: "Governor Bello"), also where the gazetteer took
/// the surname for a town of under a million people ("Jimmy Lai" … "Lai
/// was arrested", not Lai in Chad).
fn surname_pass(ctx: &Ctx, res: &Resources, raws: &mut Vec<Raw>) {
    // "Aung San Suu Kyi" … "Suu Kyi": a name that is the end of a longer
    // one of the text, two words or more, is that person.
    let mut tails: FxHashMap<String, (String, String)> = FxHashMap::default();
    for r in raws.iter().filter(|r| r.kind == EntityType::Person) {
        let toks = ctx.tokens_in(r.span);
        for k in toks.start + 1..toks.end.saturating_sub(1) {
            let tail = ctx.slice(ctx.span_of(k..toks.end)).to_lowercase();
            tails
                .entry(tail)
                .or_insert_with(|| (r.key.clone(), r.name.clone()));
        }
    }
    for r in raws.iter_mut().filter(|r| r.kind == EntityType::Person) {
        if let Some((key, name)) = tails.get(&ctx.slice(r.span).to_lowercase()) {
            r.key = key.clone();
            r.name = name.clone();
        }
    }
    let mut surnames: FxHashMap<String, (String, String)> = FxHashMap::default();
    for r in raws.iter().filter(|r| r.kind == EntityType::Person) {
        let toks = ctx.tokens_in(r.span);
        if toks.len() >= 2 || (toks.len() == 1 && r.title.is_some()) {
            let last = ctx.lower[toks.end - 1].to_string();
            if !words::is_stop(&last) && last.chars().count() > 2 {
                surnames
                    .entry(last)
                    .or_insert_with(|| (r.key.clone(), r.name.clone()));
            }
        }
    }
    if surnames.is_empty() {
        return;
    }
    // "Chukwudumeme Onwuamadike, also known as “Evans”": the town after
    // "known as" or "alias" is the person's other name.
    let people: Vec<(Span, String, String)> = raws
        .iter()
        .filter(|r| r.kind == EntityType::Person)
        .map(|r| (r.span, r.key.clone(), r.name.clone()))
        .collect();
    let mut aliases = Vec::new();
    for r in raws.iter_mut() {
        if !matches!(r.kind, EntityType::City | EntityType::Region) {
            continue;
        }
        let toks = ctx.tokens_in(r.span);
        let mut k = toks.start;
        while k > 0 && matches!(&ctx.lower[k - 1], "\"" | "\u{201c}" | "'" | "\u{2018}") {
            k -= 1;
        }
        let alias = (k >= 2 && ctx.lower[k - 2] == *"known" && ctx.lower[k - 1] == *"as")
            || (k >= 1 && matches!(&ctx.lower[k - 1], "alias" | "aka" | "a.k.a."));
        if !alias {
            continue;
        }
        let before = ctx
            .tokens
            .get(k.saturating_sub(8))
            .map_or(0, |t| t.span.start);
        if let Some((_, key, name)) = people
            .iter()
            .rev()
            .find(|(span, _, _)| span.end <= r.span.start && span.start >= before)
        {
            r.kind = EntityType::Person;
            r.key = key.clone();
            r.name = name.clone();
            r.place = None;
            r.kb = None;
            aliases.push((
                ctx.slice(r.span).to_lowercase(),
                (key.clone(), name.clone()),
            ));
        }
    }
    // Later mentions of the other name are the person too.
    surnames.extend(aliases);
    let mention = |span: Span, (key, name): &(String, String)| Raw {
        span,
        kind: EntityType::Person,
        key: key.clone(),
        name: name.clone(),
        kb: None,
        place: None,
        title: None,
    };
    for r in raws.iter_mut() {
        let town = matches!(r.kind, EntityType::City | EntityType::Region)
            && r.place
                .is_some_and(|id| res.geo.place(id).population < 1_000_000);
        // One word: one token, or part of one ("Lai’s", where the
        // possessive stays in the token).
        let toks = ctx.tokens_in(r.span);
        if !town || toks.len() > 1 {
            continue;
        }
        let word = ctx.slice(r.span).to_lowercase();
        if let Some(person) = surnames.get(&word) {
            *r = mention(r.span, person);
        }
    }
    let mut extra = Vec::new();
    let mut r = 0;
    for (t, tok) in ctx.tokens.iter().enumerate() {
        while r < raws.len() && raws[r].span.end <= tok.span.start {
            r += 1;
        }
        if raws.get(r).is_some_and(|m| m.span.overlaps(tok.span)) {
            continue;
        }
        if ctx.case.informative() && !ctx.is_capitalized(t) {
            continue;
        }
        if let Some(person) = surnames.get(&ctx.lower[t]) {
            extra.push(mention(tok.span, person));
        }
    }
    raws.extend(extra);
    raws.sort_by_key(|r| r.span.start);
}

/// Pass 3: group mentions into entities.
fn link(ctx: &Ctx, res: &Resources, raws: Vec<Raw>, demonyms: Vec<Demonym>) -> Entities {
    let mut index: FxHashMap<String, usize> = FxHashMap::default();
    let mut list: Vec<Entity> = Vec::new();
    let mut by_token = vec![None; ctx.tokens.len()];
    for raw in raws {
        let idx = *index.entry(raw.key.clone()).or_insert_with(|| {
            list.push(new_entity(ctx, res, &raw, list.len()));
            list.len() - 1
        });
        let entity = &mut list[idx];
        let text = ctx.slice(raw.span).to_string();
        if text != entity.name && !entity.aliases.contains(&text) {
            entity.aliases.insert(0, text.clone());
        }
        if entity.role.is_none() {
            entity.role = raw.title.clone();
        }
        entity.mentions.push(Mention {
            text,
            start: raw.span.start,
            end: raw.span.end,
        });
        for t in ctx.tokens_in(raw.span) {
            if let Some(slot) = by_token.get_mut(t) {
                *slot = Some(idx);
            }
        }
    }
    // Roles stated in apposition override bare titles.
    for entity in list.iter_mut().filter(|e| e.kind == EntityType::Person) {
        for m in &entity.mentions {
            let toks = ctx.tokens_in(m.span());
            if let Some(role) = appositive_role(ctx, res, toks) {
                entity.role = Some(ctx.slice(role).to_string());
                break;
            }
        }
    }
    Entities {
        list,
        by_token,
        demonyms,
    }
}

fn new_entity(ctx: &Ctx, res: &Resources, raw: &Raw, n: usize) -> Entity {
    let mut entity = Entity {
        id: format!("E{}", n + 1),
        kind: raw.kind,
        name: raw.name.clone(),
        aliases: Vec::new(),
        mentions: Vec::new(),
        role: None,
        affiliation: None,
        parent: None,
        geo: None,
        kb_id: None,
    };
    if let Some(rec) = raw.kb.and_then(|i| res.kb.records().get(i)) {
        entity.kb_id = Some(rec.key.clone());
        entity.parent = rec
            .parent
            .as_deref()
            .and_then(|p| res.kb.get(p))
            .map(|p| p.name.clone());
        entity.aliases = rec.aliases.iter().take(12).cloned().collect();
        if let (Some(lat), Some(lon), Some(cc)) = (rec.lat, rec.lon, rec.countries.first()) {
            entity.geo = Some(Geo {
                lat,
                lon,
                country: cc.clone(),
                geonames_id: None,
                admin1: None,
            });
        }
    }
    if let Some(id) = raw.place {
        let place = res.geo.place(id);
        // English texts say "Cologne", not "Köln": name the place as the
        // text does, in the gazetteer's spelling, when that is an ASCII alias.
        let mentioned = ctx.slice(raw.span);
        if let Some(alias) = place
            .aliases
            .iter()
            .find(|a| a.eq_ignore_ascii_case(mentioned) && a.is_ascii())
        {
            // Countries keep their canonical name ("United States", not "US").
            let renamable = place.kind != PlaceKind::Country;
            if renamable && (!place.name.is_ascii() || place.name.len() > alias.len() + 4) {
                entity.name = alias.clone();
            }
        }
        let geo = res.geo.geo(id);
        entity.kb_id = Some(match geo.geonames_id {
            Some(g) => format!("geonames:{g}"),
            None => format!("country:{}", geo.country),
        });
        entity.aliases = std::iter::once(&place.name)
            .chain(&place.aliases)
            .filter(|a| **a != entity.name)
            .take(8)
            .cloned()
            .collect();
        entity.geo = Some(geo);
    }
    if raw.kind == EntityType::Site && entity.geo.is_none() {
        // "Cologne Cathedral": a site takes the coordinates of the city in its name.
        entity.geo = raw
            .name
            .split_whitespace()
            .find_map(|w| {
                res.geo
                    .resolve(w, &[])
                    .filter(|id| res.geo.place(*id).kind == PlaceKind::City)
            })
            .map(|id| res.geo.geo(id));
    }
    entity
}
