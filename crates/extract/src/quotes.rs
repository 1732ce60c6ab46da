//! Quotations with their speakers, and citations: which outlets, agencies,
//! reports and officials the article relies on, and who cites whom.

use std::ops::Range;

use vigil_core::{Citation, CitationKind, EntityType, Quote, Slot, Span};

use crate::context::Ctx;
use crate::entities::Entities;
use crate::words;

/// Finds direct quotations and attributes them.
pub fn quotes(ctx: &Ctx, ents: &Entities) -> Vec<Quote> {
    let mut out = Vec::new();
    for (open, close) in quote_pairs(ctx.text) {
        let inner = Span::new(open, close);
        let raw = ctx.slice(inner);
        let trimmed_start = open + (raw.len() - raw.trim_start().len());
        let trimmed_end = close - (raw.len() - raw.trim_end().len());
        if trimmed_end <= trimmed_start {
            continue;
        }
        let span = Span::new(trimmed_start, trimmed_end);
        let text = ctx.slice(span);
        let words = text.split_whitespace().count();
        let speaker = find_speaker(ctx, ents, span);
        // Scare quotes ("ISIS-Khorasan", "low-level operatives") are names
        // and phrases, not speech.
        if words < 4 {
            continue;
        }
        let (speaker, speaker_text) = match speaker {
            Some(Speaker::Entity(e)) => (Some(ents.get(e).id.clone()), None),
            Some(Speaker::Text(t)) => (None, Some(t)),
            None => (None, None),
        };
        out.push(Quote {
            speaker,
            speaker_text,
            text: text.to_string(),
            start: span.start,
            end: span.end,
        });
    }
    out
}

/// Byte ranges strictly inside matching quotation marks. Curly quotes pair
/// by direction; straight quotes alternate within a paragraph.
fn quote_pairs(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut straight_open: Option<usize> = None;
    let mut curly_open: Option<usize> = None;
    let mut newline_run = 0;
    for (i, c) in text.char_indices() {
        if c == '\n' {
            newline_run += 1;
            if newline_run >= 2 {
                straight_open = None;
                curly_open = None;
            }
        } else {
            newline_run = 0;
        }
        match c {
            '"' => match straight_open.take() {
                Some(o) => out.push((o, i)),
                None => straight_open = Some(i + 1),
            },
            '\u{201C}' | '\u{00AB}' | '\u{201E}' => curly_open = Some(i + c.len_utf8()),
            '\u{201D}' | '\u{00BB}' => {
                if let Some(o) = curly_open.take() {
                    out.push((o, i));
                }
            }
            _ => {}
        }
    }
    out.sort_unstable();
    out
}

enum Speaker {
    Entity(usize),
    Text(String),
}

fn outside(span: Span, quote: Span) -> bool {
    !span.overlaps(quote)
}

/// Looks for a verb of saying outside the quote in its sentence, then in
/// the sentence after it (`"…." The director, Avril Haines, said.`), then
/// the sentence before (`He said: "…"`).
fn find_speaker(ctx: &Ctx, ents: &Entities, quote: Span) -> Option<Speaker> {
    let s = ctx.sentence_of(quote.start)?;
    let e = ctx.sentence_of(quote.end.saturating_sub(1)).unwrap_or(s);
    let mut candidates: Vec<Range<usize>> = Vec::with_capacity(3);
    candidates.push(s..e + 1);
    if e + 1 < ctx.sentences.len() {
        candidates.push(e + 1..e + 2);
    }
    if s > 0 {
        candidates.push(s - 1..s);
    }
    for sents in candidates {
        let toks = ctx.sent_toks.get(sents.start).map_or(0, |r| r.start)
            ..ctx.sent_toks.get(sents.end - 1).map_or(0, |r| r.end);
        // The neighbouring sentence must not carry its own quotation.
        if sents.start != s
            && toks
                .clone()
                .any(|t| matches!(ctx.tok_text(t), "\"" | "\u{201C}" | "\u{201D}"))
            && sents.start > e
        {
            continue;
        }
        for t in toks.clone() {
            if !outside(ctx.tokens[t].span, quote) || !is_quote_verb(&ctx.lower[t]) {
                continue;
            }
            // A word of a name is no verb: "states" in "The United States
            // has …", "says" in a title.
            if ents.at(t).is_some() {
                continue;
            }
            // In the sentence after the quote only a short attribution
            // counts (`The director, Avril Haines, said.`); a verb deep in a
            // new sentence reports that sentence's own news.
            if sents.start > e && t - toks.start > NEXT_SENTENCE_VERB_MAX {
                break;
            }
            if let Some(sp) = subject_of(ctx, ents, toks.clone(), t, quote) {
                return Some(sp);
            }
        }
    }
    None
}

/// How far (in tokens) into the sentence after a quote its verb of saying
/// may stand for that sentence to attribute the quote.
const NEXT_SENTENCE_VERB_MAX: usize = 16;

/// Verbs of saying in the languages news quotes in, beyond the English of
/// [`words::SPEECH_VERBS`]: Russian, Spanish, French, German.
const FOREIGN_SPEECH_VERBS: &[&str] = &[
    "сказал",
    "сказала",
    "сказали",
    "заявил",
    "заявила",
    "заявили",
    "говорится",
    "говорит",
    "сообщил",
    "сообщила",
    "сообщили",
    "отметил",
    "отметила",
    "добавил",
    "добавила",
    "подчеркнул",
    "подчеркнула",
    "пояснил",
    "пояснила",
    "рассказал",
    "рассказала",
    "написал",
    "написала",
    "dijo",
    "afirmó",
    "declaró",
    "aseguró",
    "señaló",
    "añadió",
    "explicó",
    "sagte",
    "erklärte",
    "betonte",
    "déclaré",
    "affirmé",
    "ajouté",
];

/// True for a verb of saying, English or foreign.
fn is_quote_verb(lower: &str) -> bool {
    words::is_speech_verb(lower) || FOREIGN_SPEECH_VERBS.contains(&lower)
}

/// Third-person singular pronouns that can be the subject of a verb of
/// saying ("he said", "сказал он").
const PRONOUNS: &[&str] = &["he", "she", "он", "она", "él", "ella", "er", "il", "elle"];

/// Head nouns of a phrase that can speak without being a known entity:
/// institutions and people by function ("the US embassy", "police sources").
const SPEAKER_HEADS: &[&str] = &[
    "embassy",
    "ministry",
    "department",
    "office",
    "police",
    "army",
    "military",
    "government",
    "authorities",
    "agency",
    "service",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "official",
    "officials",
    "source",
    "sources",
    "prosecutors",
    "prosecutor",
    "witnesses",
    "witness",
    "residents",
    "council",
    "committee",
    "commission",
    "watchdog",
    "group",
    "organisation",
    "organization",
    "company",
    "court",
    "statement",
];

/// The noun phrase right before token `verb` (its subject), as a token
/// range: up to eight words, through inner "of"/"in"/"for" and possessive
/// "'s", stopping at punctuation, quotation marks and other function words,
/// without a leading determiner.
fn subject_phrase(ctx: &Ctx, sentence: &Range<usize>, verb: usize) -> Option<Range<usize>> {
    let mut start = verb;
    while start > sentence.start && verb - start < 8 {
        let j = start - 1;
        let w = ctx.lower.get(j)?;
        let inner = matches!(w, "of" | "in" | "for" | "'s") && start < verb;
        // "US" is an acronym, not the pronoun, where capitals carry meaning.
        let acronym = ctx.case.informative()
            && ctx.tok_text(j).chars().count() > 1
            && ctx.tok_text(j).chars().all(char::is_uppercase);
        if !(ctx.is_word(j) || w == "'s")
            || (words::is_stop(w) && !inner && !acronym)
            || is_quote_verb(w)
        {
            break;
        }
        start = j;
    }
    // Never start or end on a connecting word.
    while start < verb && matches!(&ctx.lower[start], "of" | "in" | "for" | "'s") {
        start += 1;
    }
    (start < verb).then_some(start..verb)
}

/// A subject phrase that is worth reporting as `speaker_text`: it ends in a
/// speaker head noun or an office, or (where capitals carry meaning) holds a
/// capitalised word, or (in all-caps and all-lower-case text, where names
/// cannot be told from words) is at most five words long.
fn speaker_phrase(ctx: &Ctx, phrase: &Range<usize>) -> bool {
    let words: Vec<&str> = ctx.lower.range(phrase.clone()).collect();
    let has_head = words
        .iter()
        .any(|w| SPEAKER_HEADS.contains(w) || words::is_office_head(w));
    if has_head {
        return true;
    }
    if ctx.case.informative() {
        phrase.clone().any(|j| ctx.is_capitalized(j))
    } else {
        words.len() <= 5
    }
}

/// The person a pronoun before `before` refers to: the person mentioned
/// last before it, within the three sentences up to it.
fn antecedent(ctx: &Ctx, ents: &Entities, before: usize, quote: Span) -> Option<usize> {
    let s = ctx
        .sentence_of(before.min(quote.start))
        .or_else(|| ctx.sentence_of(before))?;
    let first = ctx
        .sent_toks
        .get(s.saturating_sub(3))
        .map_or(0, |r| r.start);
    let last = ctx.token_at(before.min(quote.start));
    (first..last)
        .rev()
        .filter(|j| outside(ctx.tokens[*j].span, quote))
        .filter_map(|j| ents.at(j))
        .find(|e| ents.get(*e).kind == EntityType::Person)
}

/// The speaker of the verb at `verb`: a person before it (up to 25 tokens),
/// else any speaking entity, else one right after it ("said Haines"), else
/// the plural noun before it ("officials said").
fn subject_of(
    ctx: &Ctx,
    ents: &Entities,
    sentence: Range<usize>,
    verb: usize,
    quote: Span,
) -> Option<Speaker> {
    let before = sentence.start.max(verb.saturating_sub(25))..verb;
    let in_range = |r: Range<usize>| {
        r.rev()
            .filter(|j| outside(ctx.tokens[*j].span, quote))
            .filter_map(|j| ents.at(j))
            .collect::<Vec<_>>()
    };
    let prior = in_range(before.clone());
    if let Some(p) = prior
        .iter()
        .find(|e| ents.get(**e).kind == EntityType::Person)
    {
        return Some(Speaker::Entity(*p));
    }
    // After the verb: "said Haines", "said chief public prosecutor Henrike
    // Albers", "сказал он" — up to the first punctuation mark.
    let after_end = (verb + 1..(verb + AFTER_VERB_MAX + 1).min(sentence.end))
        .find(|j| !ctx.is_word(*j) || !outside(ctx.tokens[*j].span, quote))
        .unwrap_or((verb + AFTER_VERB_MAX + 1).min(sentence.end));
    let after: Vec<usize> = (verb + 1..after_end).filter_map(|j| ents.at(j)).collect();
    if let Some(p) = after
        .iter()
        .find(|e| ents.get(**e).kind == EntityType::Person)
    {
        return Some(Speaker::Entity(*p));
    }
    if let Some(p) = prior.iter().take(2).find(|e| speaking(ents.get(**e).kind)) {
        return Some(Speaker::Entity(*p));
    }
    // "he said", "сказал он": the person last named before.
    let pronoun_at = |j: usize| ctx.lower.get(j).is_some_and(|w| PRONOUNS.contains(&w));
    let pronoun = verb
        .checked_sub(1)
        .filter(|j| *j >= sentence.start && pronoun_at(*j))
        .or_else(|| Some(verb + 1).filter(|j| *j < sentence.end && pronoun_at(*j)));
    if let Some(j) = pronoun {
        let pos = ctx.tokens.get(j).map_or(quote.start, |t| t.span.start);
        return antecedent(ctx, ents, pos, quote).map(Speaker::Entity);
    }
    if let Some(p) = after.iter().find(|e| speaking(ents.get(**e).kind)) {
        return Some(Speaker::Entity(*p));
    }
    // "officials said", "the newspaper noted".
    let prev = verb.checked_sub(1)?;
    let w = ctx.lower.get(prev)?;
    if matches!(w, "has" | "have" | "had") {
        return subject_of(ctx, ents, sentence, prev, quote);
    }
    if matches!(w, "newspaper" | "paper" | "daily") {
        let pos = ctx.tokens.get(prev)?.span.start;
        if let Some(slot) = last_outlet_before(ents, pos) {
            let id = slot.entity?;
            return ents
                .list
                .iter()
                .position(|e| e.id == id)
                .map(Speaker::Entity);
        }
    }
    if w.ends_with('s')
        || matches!(
            w,
            "newspaper" | "police" | "spokesman" | "spokeswoman" | "official" | "source"
        )
    {
        let mut start = prev;
        while start > sentence.start
            && ctx.is_word(start - 1)
            && !words::is_stop(&ctx.lower[start - 1])
            && prev - start < 3
        {
            start -= 1;
        }
        return Some(Speaker::Text(
            ctx.slice(ctx.span_of(start..prev + 1)).to_string(),
        ));
    }
    // An unknown speaker named as written: "the US embassy in Moscow
    // warned", "INTERIOR MINISTER GENERAL JORGE RIVAS ORTIZ TOLD".
    let phrase = subject_phrase(ctx, &sentence, verb)?;
    if !phrase.clone().all(|j| outside(ctx.tokens[j].span, quote)) || !speaker_phrase(ctx, &phrase)
    {
        return None;
    }
    Some(Speaker::Text(ctx.slice(ctx.span_of(phrase)).to_string()))
}

/// How many tokens after a verb of saying its speaker may end
/// ("said chief public prosecutor Henrike Albers").
const AFTER_VERB_MAX: usize = 7;

/// Entity kinds that speak and publish: outlets, bodies, organisations,
/// armed groups.
fn speaking(k: EntityType) -> bool {
    matches!(
        k,
        EntityType::MediaOutlet
            | EntityType::GovernmentBody
            | EntityType::Organization
            | EntityType::ArmedGroup
    )
}

/// Nouns for a published piece of research or assessment ("said in a
/// report", "published a study").
const REPORT_NOUNS: &[&str] = &[
    "report",
    "reports",
    "study",
    "survey",
    "assessment",
    "analysis",
    "review",
    "bulletin",
    "audit",
];

/// Verbs that publish a report without a verb of saying ("released a report").
const PUBLISH_VERBS: &[&str] = &[
    "published",
    "publishes",
    "released",
    "releases",
    "issued",
    "issues",
    "presented",
];

/// Nouns that introduce an outlet by its kind ("Belgian broadcaster RTBF",
/// "the news magazine Der Spiegel").
const OUTLET_NOUNS: &[&str] = &[
    "broadcaster",
    "newspaper",
    "daily",
    "magazine",
    "weekly",
    "tabloid",
    "agency",
    "channel",
    "network",
    "station",
    "website",
    "outlet",
    "radio",
    "television",
    "newswire",
    "paper",
];

/// Who cites whom.
///
/// Sources are found by: "according to X", "citing X", "quoted X", "cited
/// X", "a report by/of/from X" (X a known outlet, body or organisation, or
/// officials); an outlet that speaks ("The New York Times revealed");
/// "X said/warned in a report" and "X published a report" (X a body,
/// organisation or outlet, known or as written); and an unknown outlet
/// introduced by its kind ("according to Belgian broadcaster RTBF"). The
/// citing party is the outlet named before the phrase in its sentence, else
/// the outlet speaking in it, else the article's outlet — never the source
/// itself.
pub fn citations(ctx: &Ctx, ents: &Entities, article_outlet: Option<Slot>) -> Vec<Citation> {
    let mut out: Vec<Citation> = Vec::new();
    let mut push = |c: Citation| {
        let dup = out.iter().any(|o| {
            o.kind == c.kind
                && o.source.entity == c.source.entity
                && o.source.text.eq_ignore_ascii_case(&c.source.text)
                && o.cited_by == c.cited_by
        });
        let self_cite = c
            .cited_by
            .as_ref()
            .is_some_and(|b| b.entity.is_some() && b.entity == c.source.entity);
        if !dup && !self_cite {
            out.push(c);
        }
    };
    let slot = |e: usize, toks: Range<usize>| -> Slot {
        let span = ctx.span_of(toks);
        Slot {
            text: ents.get(e).name.clone(),
            entity: Some(ents.get(e).id.clone()),
            span: Some(span),
        }
    };
    let text_slot = |toks: Range<usize>| -> Slot {
        let span = ctx.span_of(toks);
        Slot {
            text: ctx.slice(span).to_string(),
            entity: None,
            span: Some(span),
        }
    };
    let cited_kind = |k: EntityType| match k {
        EntityType::MediaOutlet => Some(CitationKind::Outlet),
        EntityType::GovernmentBody | EntityType::Organization => Some(CitationKind::Report),
        _ => None,
    };
    for range in ctx.sent_toks.iter() {
        let mentions = ents.in_tokens(range.clone());
        // The outlet speaking in this sentence, if any, cites what it names.
        let speaker_outlet = mentions
            .iter()
            .find(|(e, toks)| {
                // "cited by Dawn newspaper, …": past the outlet's noun.
                let after = if ctx.lower.get(toks.end).is_some_and(|w| {
                    matches!(
                        w,
                        "newspaper" | "daily" | "weekly" | "magazine" | "broadcaster"
                    )
                }) {
                    toks.end + 1
                } else {
                    toks.end
                };
                ents.get(*e).kind == EntityType::MediaOutlet
                    && ctx
                        .lower
                        .get(after)
                        .is_some_and(|w| words::is_speech_verb(w) || w == "'s" || w == ",")
            })
            .map(|(e, toks)| slot(*e, toks.clone()))
            .or_else(|| {
                // "The newspaper quoted …": the last outlet named before.
                let first = range.start;
                let w0 = ctx.lower.get(first + 1);
                if ctx.lower.get(first).is_some_and(|w| w == "the")
                    && matches!(w0, Some("newspaper" | "paper" | "daily"))
                {
                    let pos = ctx.tokens.get(first)?.span.start;
                    last_outlet_before(ents, pos)
                } else {
                    None
                }
            });
        // Who cites `source` at token `t`: never the source itself.
        let cited_by = |t: usize, source: &Slot| -> Option<Slot> {
            let before = mentions
                .iter()
                .rfind(|(e, toks)| toks.end <= t && ents.get(*e).kind == EntityType::MediaOutlet)
                .map(|(e, toks)| slot(*e, toks.clone()));
            [before, speaker_outlet.clone(), article_outlet.clone()]
                .into_iter()
                .flatten()
                .find(|c| !same_source(c, source))
        };
        for t in range.clone() {
            let w = &ctx.lower[t];
            let according = w == "according" && ctx.lower.get(t + 1).is_some_and(|n| n == "to");
            let citing = matches!(w, "citing" | "quoted" | "cited");
            let report_by = matches!(w, "report" | "reports" | "study" | "assessment")
                && ctx
                    .lower
                    .get(t + 1)
                    .is_some_and(|n| n == "by" || n == "of" || n == "from");
            if let Some((source, span)) = report_subject(ctx, ents, range, &mentions, t) {
                let kind = match source
                    .entity
                    .as_ref()
                    .and_then(|id| ents.list.iter().find(|e| &e.id == id))
                {
                    Some(e) if e.kind == EntityType::MediaOutlet => CitationKind::Outlet,
                    _ => CitationKind::Report,
                };
                let by = cited_by(t, &source);
                push(Citation {
                    kind,
                    source,
                    cited_by: by,
                    span,
                });
            }
            if !(according || citing || report_by) {
                continue;
            }
            let from = if according { t + 2 } else { t + 1 };
            let window = from..(from + 8).min(range.end);
            let span = ctx.span_of(t..(t + 2).min(range.end));
            if let Some((e, toks)) = mentions
                .iter()
                .find(|(_, toks)| window.contains(&toks.start))
            {
                if let Some(kind) = cited_kind(ents.get(*e).kind) {
                    let kind =
                        if report_by || ctx.lower.range(window.clone()).any(|w| w == "report") {
                            CitationKind::Report
                        } else {
                            kind
                        };
                    let source = slot(*e, toks.clone());
                    let by = cited_by(t, &source);
                    push(Citation {
                        kind,
                        source,
                        cited_by: by,
                        span,
                    });
                    continue;
                }
            }
            // "according to Belgian broadcaster RTBF": an outlet the
            // knowledge base does not know, introduced by its kind.
            if according || citing {
                if let Some(name) = outlet_by_kind(ctx, window.clone()) {
                    let source = text_slot(name);
                    let by = cited_by(t, &source);
                    push(Citation {
                        kind: CitationKind::Outlet,
                        source,
                        cited_by: by,
                        span,
                    });
                    continue;
                }
            }
            // "citing US intelligence officials", "according to officials".
            if let Some(end) = window.clone().find(|j| {
                matches!(
                    &ctx.lower[*j],
                    "officials" | "sources" | "experts" | "authorities"
                )
            }) {
                // The noun phrase ending in "officials": up to three modifiers.
                let mut start = end;
                while start > from
                    && end - start < 3
                    && ctx.is_word(start - 1)
                    && !words::is_stop(&ctx.lower[start - 1])
                    && !matches!(&ctx.lower[start - 1], "by" | "issued" | "warnings")
                {
                    start -= 1;
                }
                let src = ctx.span_of(start..end + 1);
                let source = Slot {
                    text: ctx.slice(src).trim_start_matches("the ").to_string(),
                    entity: None,
                    span: Some(src),
                };
                let by = cited_by(t, &source);
                push(Citation {
                    kind: CitationKind::Officials,
                    source,
                    cited_by: by,
                    span,
                });
            }
        }
        // An outlet that speaks ("The New York Times revealed") is itself a source of the article.
        for (e, toks) in &mentions {
            if ents.get(*e).kind != EntityType::MediaOutlet {
                continue;
            }
            let next = ctx.lower.get(toks.end);
            let prev = toks.start.checked_sub(1).map(|p| &ctx.lower[p]);
            let prev2 = toks.start.checked_sub(2).map(|p| &ctx.lower[p]);
            let speaks = next.is_some_and(words::is_speech_verb)
                || (prev == Some("to") && prev2 == Some("according"))
                || prev == Some("by");
            if speaks
                && article_outlet
                    .as_ref()
                    .is_none_or(|a| a.entity.as_deref() != Some(ents.get(*e).id.as_str()))
            {
                push(Citation {
                    kind: CitationKind::Outlet,
                    source: slot(*e, toks.clone()),
                    cited_by: article_outlet.clone(),
                    span: ctx.span_of(toks.clone()),
                });
            }
        }
    }
    out
}

/// True when two slots name the same source: the same entity, or (without
/// entities) the same text.
fn same_source(a: &Slot, b: &Slot) -> bool {
    match (&a.entity, &b.entity) {
        (Some(x), Some(y)) => x == y,
        (None, None) => a.text.eq_ignore_ascii_case(&b.text),
        _ => false,
    }
}

/// "X said in a report", "X warned on Monday in its annual report", "X
/// published a study": when token `noun` is a report noun introduced so,
/// the author X (a speaking entity inside the verb's subject phrase, else
/// the phrase as written) and the span from the verb to the noun.
fn report_subject(
    ctx: &Ctx,
    ents: &Entities,
    sentence: &Range<usize>,
    mentions: &[(usize, Range<usize>)],
    noun: usize,
) -> Option<(Slot, Span)> {
    if !REPORT_NOUNS.contains(&ctx.lower.get(noun)?) {
        return None;
    }
    // Back from the noun over at most three words ("a", "its annual") to
    // "in" and a verb of saying, or straight to a verb that publishes.
    let words_back = |from: usize, max: usize| {
        (sentence.start.max(from.saturating_sub(max))..from)
            .rev()
            .take_while(|j| ctx.is_word(*j))
            .collect::<Vec<_>>()
    };
    let verb = words_back(noun, 3).into_iter().find_map(|j| {
        let w = &ctx.lower[j];
        if PUBLISH_VERBS.contains(&w) {
            return Some(j);
        }
        if w == "in" {
            return words_back(j, 4)
                .into_iter()
                .find(|v| is_quote_verb(&ctx.lower[*v]));
        }
        None
    })?;
    let phrase = subject_phrase(ctx, sentence, verb)?;
    let span = ctx.span_of(verb..noun + 1);
    // The speaking entity nearest the verb inside the subject phrase.
    let entity = mentions.iter().rfind(|(e, toks)| {
        toks.start >= phrase.start && toks.end <= phrase.end && speaking(ents.get(*e).kind)
    });
    if let Some((e, toks)) = entity {
        let span = ctx.span_of(toks.clone());
        return Some((
            Slot {
                text: ents.get(*e).name.clone(),
                entity: Some(ents.get(*e).id.clone()),
                span: Some(span),
            },
            span,
        ));
    }
    // A person's report is not an institution's; otherwise keep the phrase.
    if phrase.clone().any(|j| {
        ents.at(j)
            .is_some_and(|e| ents.get(e).kind == EntityType::Person)
    }) {
        return None;
    }
    if !speaker_phrase(ctx, &phrase) {
        return None;
    }
    let src = ctx.span_of(phrase);
    Some((
        Slot {
            text: ctx.slice(src).to_string(),
            entity: None,
            span: Some(src),
        },
        span,
    ))
}

/// In `window` (the words after "according to"), an outlet introduced by
/// its kind: `[the] [modifiers] NOUN Name` with NOUN from
/// [`OUTLET_NOUNS`]. The name is the capitalised words after the noun
/// (where capitals carry meaning) or up to four words before punctuation or
/// a function word (in all-caps and all-lower-case text).
fn outlet_by_kind(ctx: &Ctx, window: Range<usize>) -> Option<Range<usize>> {
    let noun = window
        .clone()
        .take(5)
        .take_while(|j| ctx.is_word(*j))
        .find(|j| OUTLET_NOUNS.contains(&&ctx.lower[*j]))?;
    let mut end = noun + 1;
    while end < window.end
        && end - noun <= 4
        && ctx.is_word(end)
        && !words::is_stop(&ctx.lower[end])
    {
        if ctx.case.informative() && !ctx.is_capitalized(end) {
            break;
        }
        end += 1;
    }
    (end > noun + 1).then_some(noun + 1..end)
}

fn last_outlet_before(ents: &Entities, pos: usize) -> Option<Slot> {
    let (i, m) = ents
        .list
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind == EntityType::MediaOutlet)
        .filter_map(|(i, e)| {
            // Mentions are in text order: the last one ending before `pos`.
            let k = e.mentions.partition_point(|m| m.end <= pos);
            k.checked_sub(1)
                .and_then(|k| e.mentions.get(k))
                .map(|m| (i, m))
        })
        .max_by_key(|(_, m)| m.start)?;
    Some(Slot {
        text: ents.get(i).name.clone(),
        entity: Some(ents.get(i).id.clone()),
        span: Some(m.span()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::OnceLock;

    use crate::resources::Resources;

    /// The embedded resources, loaded once for all tests.
    fn res() -> &'static Resources {
        static RES: OnceLock<Resources> = OnceLock::new();
        RES.get_or_init(|| Resources::embedded().expect("embedded resources load"))
    }

    /// Quotes as (speaker name or text, quoted words) and citations as
    /// (kind, source text, cited-by text) for `text`.
    #[allow(clippy::type_complexity)]
    fn run(
        text: &str,
    ) -> (
        Vec<(String, String)>,
        Vec<(CitationKind, String, Option<String>)>,
    ) {
        let ctx = Ctx::new(text);
        let ents = crate::entities::extract(&ctx, res());
        let qs = quotes(&ctx, &ents)
            .into_iter()
            .map(|q| {
                let who = match (&q.speaker, &q.speaker_text) {
                    (Some(id), _) => ents
                        .list
                        .iter()
                        .find(|e| &e.id == id)
                        .map(|e| e.name.clone())
                        .unwrap_or_default(),
                    (None, Some(t)) => t.clone(),
                    (None, None) => String::new(),
                };
                (who, q.text)
            })
            .collect();
        let cs = citations(&ctx, &ents, None)
            .into_iter()
            .map(|c| (c.kind, c.source.text, c.cited_by.map(|b| b.text)))
            .collect();
        (qs, cs)
    }

    fn speaker_of(text: &str, words: &str) -> String {
        let (qs, _) = run(text);
        qs.into_iter()
            .find(|(_, q)| q.contains(words))
            .map(|(who, _)| who)
            .unwrap_or_else(|| "<no quote>".to_string())
    }

    #[test]
    fn speaker_after_verb_behind_a_long_title() {
        let text = "\"The two were at an advanced stage of their preparations,\" said chief public prosecutor Henrike Albers.";
        assert_eq!(speaker_of(text, "advanced stage"), "Henrike Albers");
    }

    #[test]
    fn pronoun_speaker_is_the_last_person_named() {
        let text = "Kremlin spokesman Oleg Vasnetsov dismissed the warning. «Это не более чем попытка запугать наше общество», сказал он журналистам.";
        assert_eq!(speaker_of(text, "попытка"), "Oleg Vasnetsov");
        let text = "Kremlin spokesman Oleg Vasnetsov visited the site. \"We will find the people who did this,\" he said.";
        assert_eq!(speaker_of(text, "find the people"), "Oleg Vasnetsov");
    }

    #[test]
    fn unknown_speaker_as_written() {
        // The phrase before the verb, whatever the entity recogniser makes of it.
        let phrase = |text: &str, verb: &str| {
            let ctx = Ctx::new(text);
            let v = (0..ctx.tokens.len())
                .find(|t| &ctx.lower[*t] == verb)
                .unwrap_or(0);
            let sentence = 0..ctx.tokens.len();
            subject_phrase(&ctx, &sentence, v)
                .filter(|p| speaker_phrase(&ctx, p))
                .map(|p| ctx.slice(ctx.span_of(p)).to_string())
        };
        assert_eq!(
            phrase(
                "Hours later, the US embassy in Moscow warned that \"extremists plan attacks\".",
                "warned"
            )
            .as_deref(),
            Some("US embassy in Moscow")
        );
        assert_eq!(
            phrase("INTERIOR MINISTER GENERAL JORGE RIVAS ORTIZ TOLD REPORTERS THAT \"THE TERRORISTS WILL LOSE\".", "told").as_deref(),
            Some("INTERIOR MINISTER GENERAL JORGE RIVAS ORTIZ")
        );
        assert_eq!(
            phrase(
                "\"we will win,\" zorro vela told a news conference.",
                "told"
            )
            .as_deref(),
            Some("zorro vela")
        );
        // Mixed case: a lower-case phrase without a speaker noun is no speaker.
        assert_eq!(
            phrase(
                "After the meeting the crowd warned that the end was near.",
                "warned"
            ),
            None
        );
        // End to end: a speaker is found, entity or text.
        let text = "the mayor was shot dead. \"we will not allow organised crime to decide,\" zorro vela told a news conference.";
        assert!(speaker_of(text, "organised crime").contains("vela"));
    }

    #[test]
    fn a_word_of_a_name_is_not_the_verb_of_saying() {
        // "States" of "United States" is not the verb "states".
        let text = "The United States has \"identified between 10 to 15 senior members in Afghanistan,\" officials said.";
        assert_eq!(speaker_of(text, "senior members"), "officials");
    }

    #[test]
    fn long_sentence_after_quote_does_not_attribute_it() {
        let text = "\"The terrorists will not intimidate the people of this country.\" In a separate incident in the north of the country on Tuesday, gunmen kidnapped a businessman and two of his drivers, the national police reported.";
        assert_eq!(speaker_of(text, "will not intimidate"), "");
        let text = "\"The threat remains a significant concern in the field.\" The director of the US National Intelligence, Avril Haines, said this month.";
        assert_eq!(speaker_of(text, "significant concern"), "Avril Haines");
    }

    #[test]
    fn outlet_named_after_its_kind_without_an_entity() {
        let ctx = Ctx::new("according to Belgian broadcaster Radio Zuidwest on Monday.");
        let name = outlet_by_kind(&ctx, 2..ctx.tokens.len());
        assert_eq!(
            name.map(|r| ctx.slice(ctx.span_of(r))),
            Some("Radio Zuidwest")
        );
        let ctx = Ctx::new("according to the newspaper el heraldo de sur, the mayor fled.");
        let name = outlet_by_kind(&ctx, 2..ctx.tokens.len());
        assert_eq!(
            name.map(|r| ctx.slice(ctx.span_of(r))),
            Some("el heraldo de sur")
        );
        let ctx = Ctx::new("according to a report by officials.");
        assert_eq!(outlet_by_kind(&ctx, 2..ctx.tokens.len()), None);
    }

    #[test]
    fn said_in_a_report_is_a_report_citation() {
        let (_, cs) = run("Amnesty International said in a report last year that at least 4,000 people were abducted.");
        assert_eq!(
            cs,
            vec![(
                CitationKind::Report,
                "Amnesty International".to_string(),
                None
            )]
        );
        let (_, cs) = run("the electoral watchdog zentralia warned in its annual report that 20 candidates had been killed.");
        assert_eq!(
            cs,
            vec![(
                CitationKind::Report,
                "electoral watchdog zentralia".to_string(),
                None
            )]
        );
        // A person's report is not an institution's.
        let (_, cs) = run("Avril Haines said in a report that the threat remained.");
        assert_eq!(cs, vec![]);
    }

    #[test]
    fn source_never_cites_itself() {
        let (_, cs) = run("According to the news magazine Der Spiegel, a foreign intelligence service had alerted German authorities.");
        assert_eq!(
            cs,
            vec![(CitationKind::Outlet, "Der Spiegel".to_string(), None)]
        );
    }

    #[test]
    fn unknown_outlet_introduced_by_its_kind() {
        let text = "A fifth suspect was detained in Germany, according to the Flemish broadcaster Radio Zuidwest.";
        let (_, cs) = run(text);
        assert!(
            cs.iter()
                .any(|(k, src, _)| *k == CitationKind::Outlet && src.contains("Zuidwest")),
            "{cs:?}"
        );
    }

    #[test]
    fn straight_and_curly_quotes_pair() {
        let text = "He said \"we will win\" and “they lost”.\n\n\"unclosed";
        let pairs = quote_pairs(text);
        let inner: Vec<&str> = pairs.iter().map(|(a, b)| &text[*a..*b]).collect();
        assert_eq!(inner, vec!["we will win", "they lost"]);
    }
}
