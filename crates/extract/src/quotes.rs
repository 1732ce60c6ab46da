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
        out.push(Quote { speaker, speaker_text, text: text.to_string(), start: span.start, end: span.end });
    }
    out
}

/// Byte ranges strictly inside matching quotation marks. Curly quotes pair
/// by direction; straight quotes alternate within a paragraph.
fn quote_pairs(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut straight_open: Option<usize> = None;
    let mut curly_open: Option<usize> = None;
    let mut prev = '\n';
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
        prev = c;
    }
    let _ = prev;
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
    let mut candidates = vec![s..e + 1];
    if e + 1 < ctx.sentences.len() {
        candidates.push(e + 1..e + 2);
    }
    if s > 0 {
        candidates.push(s - 1..s);
    }
    for sents in candidates {
        let toks = ctx.sent_toks.get(sents.start).map_or(0, |r| r.start)..ctx.sent_toks.get(sents.end - 1).map_or(0, |r| r.end);
        // The neighbouring sentence must not carry its own quotation.
        if sents.start != s && toks.clone().any(|t| matches!(ctx.tok_text(t), "\"" | "\u{201C}" | "\u{201D}")) && sents.start > e {
            continue;
        }
        for t in toks.clone() {
            if !outside(ctx.tokens[t].span, quote) || !words::is_speech_verb(&ctx.lower[t]) {
                continue;
            }
            if let Some(sp) = subject_of(ctx, ents, toks.clone(), t, quote) {
                return Some(sp);
            }
        }
    }
    None
}

/// The speaker of the verb at `verb`: a person before it (up to 25 tokens),
/// else any speaking entity, else one right after it ("said Haines"), else
/// the plural noun before it ("officials said").
fn subject_of(ctx: &Ctx, ents: &Entities, sentence: Range<usize>, verb: usize, quote: Span) -> Option<Speaker> {
    let before = sentence.start.max(verb.saturating_sub(25))..verb;
    let in_range = |r: Range<usize>| {
        r.rev()
            .filter(|j| outside(ctx.tokens[*j].span, quote))
            .filter_map(|j| ents.by_token.get(j).copied().flatten())
            .collect::<Vec<_>>()
    };
    let prior = in_range(before.clone());
    if let Some(p) = prior.iter().find(|e| ents.get(**e).kind == EntityType::Person) {
        return Some(Speaker::Entity(*p));
    }
    let after: Vec<usize> = (verb + 1..(verb + 4).min(sentence.end))
        .filter_map(|j| ents.by_token.get(j).copied().flatten())
        .collect();
    if let Some(p) = after.iter().find(|e| ents.get(**e).kind == EntityType::Person) {
        return Some(Speaker::Entity(*p));
    }
    let speaking = |k: EntityType| {
        matches!(k, EntityType::MediaOutlet | EntityType::GovernmentBody | EntityType::Organization | EntityType::ArmedGroup)
    };
    if let Some(p) = prior.iter().take(2).find(|e| speaking(ents.get(**e).kind)) {
        return Some(Speaker::Entity(*p));
    }
    // "officials said", "the newspaper noted".
    let prev = verb.checked_sub(1)?;
    let w = ctx.lower.get(prev)?.as_str();
    if matches!(w, "has" | "have" | "had") {
        return subject_of(ctx, ents, sentence, prev, quote);
    }
    if matches!(w, "newspaper" | "paper" | "daily") {
        let pos = ctx.tokens.get(prev)?.span.start;
        if let Some(slot) = last_outlet_before(ctx, ents, pos) {
            let id = slot.entity?;
            return ents.list.iter().position(|e| e.id == id).map(Speaker::Entity);
        }
    }
    if w.ends_with('s') || matches!(w, "newspaper" | "police" | "spokesman" | "spokeswoman" | "official" | "source") {
        let mut start = prev;
        while start > sentence.start && ctx.is_word(start - 1) && !words::is_stop(&ctx.lower[start - 1]) && prev - start < 3 {
            start -= 1;
        }
        return Some(Speaker::Text(ctx.slice(ctx.span_of(start..prev + 1)).to_string()));
    }
    None
}

/// Who cites whom.
pub fn citations(ctx: &Ctx, ents: &Entities, article_outlet: Option<Slot>) -> Vec<Citation> {
    let mut out: Vec<Citation> = Vec::new();
    let mut push = |c: Citation| {
        let dup = out.iter().any(|o| o.kind == c.kind && o.source.entity == c.source.entity && o.source.text.eq_ignore_ascii_case(&c.source.text) && o.cited_by == c.cited_by);
        let self_cite = c.cited_by.as_ref().is_some_and(|b| b.entity.is_some() && b.entity == c.source.entity);
        if !dup && !self_cite {
            out.push(c);
        }
    };
    let slot = |e: usize, toks: Range<usize>| -> Slot {
        let span = ctx.span_of(toks);
        Slot { text: ents.get(e).name.clone(), entity: Some(ents.get(e).id.clone()), span: Some(span) }
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
                ents.get(*e).kind == EntityType::MediaOutlet
                    && ctx.lower.get(toks.end).is_some_and(|w| words::is_speech_verb(w) || w == "'s" || w == ",")
            })
            .map(|(e, toks)| slot(*e, toks.clone()))
            .or_else(|| {
                // "The newspaper quoted …": the last outlet named before.
                let first = range.start;
                let w0 = ctx.lower.get(first + 1).map(String::as_str);
                if ctx.lower.get(first).is_some_and(|w| w == "the") && matches!(w0, Some("newspaper" | "paper" | "daily")) {
                    let pos = ctx.tokens.get(first)?.span.start;
                    last_outlet_before(ctx, ents, pos)
                } else {
                    None
                }
            });
        for t in range.clone() {
            let w = ctx.lower[t].as_str();
            let according = w == "according" && ctx.lower.get(t + 1).is_some_and(|n| n == "to");
            let citing = matches!(w, "citing" | "quoted" | "cited");
            let report_by = matches!(w, "report" | "reports" | "study" | "assessment") && ctx.lower.get(t + 1).is_some_and(|n| n == "by" || n == "of" || n == "from");
            if !(according || citing || report_by) {
                continue;
            }
            let from = if according { t + 2 } else { t + 1 };
            let window = from..(from + 8).min(range.end);
            let span = ctx.span_of(t..(t + 2).min(range.end));
            let cited_by_here = mentions
                .iter()
                .filter(|(e, toks)| toks.end <= t && ents.get(*e).kind == EntityType::MediaOutlet)
                .next_back()
                .map(|(e, toks)| slot(*e, toks.clone()))
                .or_else(|| speaker_outlet.clone())
                .or_else(|| article_outlet.clone());
            if let Some((e, toks)) = mentions.iter().find(|(_, toks)| window.contains(&toks.start)) {
                if let Some(kind) = cited_kind(ents.get(*e).kind) {
                    let kind = if report_by || ctx.lower[window.clone()].iter().any(|w| w == "report") { CitationKind::Report } else { kind };
                    push(Citation { kind, source: slot(*e, toks.clone()), cited_by: cited_by_here, span });
                    continue;
                }
            }
            // "citing US intelligence officials", "according to officials".
            if let Some(end) = window.clone().find(|j| matches!(ctx.lower[*j].as_str(), "officials" | "sources" | "experts" | "authorities")) {
                // The noun phrase ending in "officials": up to three modifiers.
                let mut start = end;
                while start > from && end - start < 3 && ctx.is_word(start - 1) && !words::is_stop(&ctx.lower[start - 1]) && !matches!(ctx.lower[start - 1].as_str(), "by" | "issued" | "warnings") {
                    start -= 1;
                }
                let src = ctx.span_of(start..end + 1);
                push(Citation {
                    kind: CitationKind::Officials,
                    source: Slot { text: ctx.slice(src).trim_start_matches("the ").to_string(), entity: None, span: Some(src) },
                    cited_by: cited_by_here,
                    span,
                });
            }
        }
        // An outlet that speaks ("The New York Times revealed") is itself a source of the article.
        for (e, toks) in &mentions {
            if ents.get(*e).kind != EntityType::MediaOutlet {
                continue;
            }
            let next = ctx.lower.get(toks.end).map(String::as_str);
            let prev = toks.start.checked_sub(1).map(|p| ctx.lower[p].as_str());
            let prev2 = toks.start.checked_sub(2).map(|p| ctx.lower[p].as_str());
            let speaks = next.is_some_and(words::is_speech_verb) || (prev == Some("to") && prev2 == Some("according")) || prev == Some("by");
            if speaks && article_outlet.as_ref().is_none_or(|a| a.entity.as_deref() != Some(ents.get(*e).id.as_str())) {
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

fn last_outlet_before(ctx: &Ctx, ents: &Entities, pos: usize) -> Option<Slot> {
    let (i, m) = ents
        .list
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind == EntityType::MediaOutlet)
        .filter_map(|(i, e)| e.mentions.iter().filter(|m| m.end <= pos).max_by_key(|m| m.start).map(|m| (i, m)))
        .max_by_key(|(_, m)| m.start)?;
    let _ = ctx;
    Some(Slot { text: ents.get(i).name.clone(), entity: Some(ents.get(i).id.clone()), span: Some(m.span()) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn straight_and_curly_quotes_pair() {
        let text = "He said \"we will win\" and “they lost”.\n\n\"unclosed";
        let pairs = quote_pairs(text);
        let inner: Vec<&str> = pairs.iter().map(|(a, b)| &text[*a..*b]).collect();
        assert_eq!(inner, vec!["we will win", "they lost"]);
    }
}
