//! The incident's date (slot 2) chosen by a learned ranker among the
//! dates a document gives.
//!
//! The rules of [`super::slots::predict`] take the date the pipeline
//! attached to the first incident event, else "on or before" the
//! article's date. Here every date expression of the text is a candidate
//! (the pipeline's `Analysis::dates`, or the date finder's when those were
//! resolved against another day than the article's; in the key's form:
//! [`super::slots`] explains the conversion), with the
//! article's day and "on or before" the article's date, and an averaged
//! ranking perceptron ([`Ranker`], the mean of [`BAGS`] trained with
//! consecutive seeds) trained on the training keys picks one.
//!
//! # Features
//!
//! Of a date expression: its form (a day, an interval, a weekday), how
//! many days before the article it lies, whether it is relative
//! ("yesterday", "last Friday"), its words, the word before it, the rank
//! of its first mention and the sentence it is in, whether it is named in
//! the main incident's sentence or another incident's, whether it is the
//! date the pipeline gave the main incident, how often it is given. Of the
//! article's date ("on or before", or that day): how many date
//! expressions the text has and whether one is tied to the main incident.

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::NaiveDate;
use vigil_core::{Analysis, DateValue, Span};

use super::keys::{IncidentDate, KeyTemplate};
use super::slots::{anchor_of, bucket, incident_events, key_date, sentence_of, Dateline};
use crate::learn::{FeatureHasher, RankTrainer, Ranker};

/// Feature hash bits of the date ranker.
pub const DATE_BITS: u32 = 16;

/// Passes of the ranker's training.
const EPOCHS: usize = 10;

/// Rankers averaged by [`train`], each trained with its own seed.
pub const BAGS: usize = 5;

/// One candidate answer for slot 2.
#[derive(Debug, Clone, PartialEq)]
pub struct DateCandidate {
    /// The answer in the key's form.
    pub date: IncidentDate,
    /// Hashed features for the [`Ranker`].
    pub features: Vec<u32>,
}

fn days_bucket(days: i64) -> &'static str {
    match days {
        i64::MIN..=-1 => "after",
        0 => "0",
        1 => "1",
        2..=7 => "2-7",
        8..=31 => "8-31",
        32..=62 => "32-62",
        _ => "63+",
    }
}

fn form(d: &IncidentDate) -> &'static str {
    match d {
        IncidentDate::On(_) => "on",
        IncidentDate::Between(..) => "between",
        IncidentDate::OnOrBefore(_) => "on-or-before",
    }
}

/// The last day a key date covers.
fn last_day(d: &IncidentDate) -> NaiveDate {
    match *d {
        IncidentDate::On(x) | IncidentDate::OnOrBefore(x) | IncidentDate::Between(_, x) => x,
    }
}

/// The candidates of an analysed document (see the module documentation):
/// "on or before" the article's date first, then the article's day, then
/// the text's dates in order; empty without an article date.
pub fn candidates(analysis: &Analysis, dateline: Option<&Dateline>) -> Vec<DateCandidate> {
    let Some(anchor) = anchor_of(analysis, dateline) else {
        return Vec::new();
    };
    let text = analysis.text.as_str();
    let sentences = &analysis.sentences;
    let events = incident_events(analysis);
    let sentences_of = |spans: &[Span]| -> Vec<usize> {
        spans
            .iter()
            .map(|sp| sentence_of(sentences, sp.start))
            .collect()
    };
    let main_sentences = events
        .first()
        .map(|e| sentences_of(&e.evidence))
        .unwrap_or_default();
    let incident_sentences: Vec<usize> = events
        .iter()
        .flat_map(|e| sentences_of(&e.evidence))
        .collect();
    let main_date = events
        .first()
        .and_then(|e| e.date.as_ref())
        .and_then(|dv| key_date(dv, Some(anchor)));

    // Every date expression, grouped by its key form.
    struct Mention {
        sentence: usize,
        /// The expression, lower-cased.
        text: String,
        relative: bool,
        /// The word before it, when it is a preposition ("other" else).
        before: &'static str,
    }
    struct Group {
        date: IncidentDate,
        mentions: Vec<Mention>,
    }
    let mut groups: Vec<Group> = Vec::new();
    let mut index: HashMap<IncidentDate, usize> = HashMap::new();
    // The pipeline's dates when it resolved them against the same day, else
    // the date finder run again with the anchor.
    let found: Cow<'_, [DateValue]> = if analysis.published.map(|p| p.date_naive()) == Some(anchor)
    {
        Cow::Borrowed(&analysis.dates)
    } else {
        crate::dates::find_dates(text, Some(anchor))
            .into_iter()
            .map(|m| m.value)
            .collect()
    };
    for value in found.iter() {
        let Some(date) = key_date(value, Some(anchor)) else {
            continue;
        };
        let Some(span) = value.span else {
            continue;
        };
        let sentence = sentence_of(sentences, span.start);
        let before = text
            .get(..span.start)
            .unwrap_or("")
            .split_whitespace()
            .next_back()
            .map_or("", |w| match w.to_lowercase().as_str() {
                "on" => "on",
                "since" => "since",
                "until" => "until",
                "of" => "of",
                "by" => "by",
                "before" => "before",
                "after" => "after",
                "from" => "from",
                "in" => "in",
                "at" => "at",
                "to" => "to",
                "and" => "and",
                _ => "other",
            });
        let mention = Mention {
            sentence,
            text: value.text.to_lowercase(),
            relative: value.relative,
            before,
        };
        match index.get(&date) {
            Some(&i) => groups[i].mentions.push(mention),
            None => {
                index.insert(date, groups.len());
                groups.push(Group {
                    date,
                    mentions: vec![mention],
                });
            }
        }
    }

    let hasher = FeatureHasher::new(DATE_BITS);
    let h = |t: &str, parts: &[&str]| hasher.hash(t, parts);
    let yn = |b: bool| if b { "y" } else { "n" };
    let any_main = groups.iter().any(|g| {
        g.mentions
            .iter()
            .any(|m| main_sentences.contains(&m.sentence))
    });
    let mut out = Vec::with_capacity(groups.len() + 2);
    for (date, what) in [
        (IncidentDate::OnOrBefore(anchor), "default"),
        (IncidentDate::On(anchor), "article-day"),
    ] {
        if index.contains_key(&date) {
            continue; // the text gives it: that candidate carries its features
        }
        out.push(DateCandidate {
            features: vec![
                h(what, &[]),
                h("n", &[what, bucket(groups.len())]),
                h("any-main", &[what, yn(any_main)]),
                h("events", &[what, bucket(events.len())]),
                h("rules", &[what, yn(main_date.as_ref() == Some(&date))]),
            ],
            date,
        });
    }
    for (rank, g) in groups.into_iter().enumerate() {
        let days = (anchor - last_day(&g.date)).num_days();
        let first_sentence = g.mentions.iter().map(|m| m.sentence).min().unwrap_or(0);
        let in_main = g
            .mentions
            .iter()
            .any(|m| main_sentences.contains(&m.sentence));
        let in_incident = g
            .mentions
            .iter()
            .any(|m| incident_sentences.contains(&m.sentence));
        let is_rules = main_date.as_ref() == Some(&g.date);
        let f0 = form(&g.date);
        let mut f = vec![
            h("date", &[]),
            h("form", &[f0]),
            h("days", &[days_bucket(days)]),
            h("form-days", &[f0, days_bucket(days)]),
            h("rank", &[bucket(rank)]),
            h("sent", &[bucket(first_sentence)]),
            h("count", &[bucket(g.mentions.len())]),
            h("main", &[yn(in_main)]),
            h("incident", &[yn(in_incident)]),
            h("rules", &[yn(is_rules)]),
            h("main-days", &[yn(in_main), days_bucket(days)]),
            h("rules-form", &[yn(is_rules), f0]),
        ];
        for m in g.mentions.iter().take(3) {
            f.push(h("relative", &[yn(m.relative)]));
            f.push(h("before", &[m.before]));
            for w in m
                .text
                .split(|c: char| !c.is_alphabetic())
                .filter(|w| !w.is_empty())
            {
                f.push(h("word", &[w]));
            }
        }
        f.sort_unstable();
        f.dedup();
        out.push(DateCandidate {
            date: g.date,
            features: f,
        });
    }
    out
}

/// The candidate the ranker puts first; `None` without candidates.
pub fn choose(
    ranker: &Ranker,
    analysis: &Analysis,
    dateline: Option<&Dateline>,
) -> Option<IncidentDate> {
    let mut cands = candidates(analysis, dateline);
    let best = ranker.best(cands.iter().map(|c| c.features.as_slice()))?;
    Some(cands.swap_remove(best).date)
}

/// A training example: the candidates' features and the index of the
/// first candidate equal to one of the main template's dates; `None` when
/// the template is not relevant, has no date, or no candidate matches.
pub fn example(
    analysis: &Analysis,
    dateline: Option<&Dateline>,
    main: &KeyTemplate,
) -> Option<(Vec<Vec<u32>>, usize)> {
    if !main.relevant {
        return None;
    }
    let keys = main.dates();
    let cands = candidates(analysis, dateline);
    let gold = cands.iter().position(|c| keys.contains(&c.date))?;
    Some((cands.into_iter().map(|c| c.features).collect(), gold))
}

/// Trains the date ranker on examples from [`example`]; deterministic.
pub fn train(examples: &[(Vec<Vec<u32>>, usize)], seed: u64) -> Ranker {
    train_bagged(examples, seed, BAGS)
}

/// [`train`] with `bags` rankers averaged (seeds `seed`, `seed + 1`, …).
pub fn train_bagged(examples: &[(Vec<Vec<u32>>, usize)], seed: u64, bags: usize) -> Ranker {
    RankTrainer::new(1 << DATE_BITS).train_bagged(examples, EPOCHS, seed, bags)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::muc4::slots::document;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(1990, m, d).expect("a valid day")
    }

    fn dateline() -> Dateline {
        Dateline {
            place: Some("SAN SALVADOR".into()),
            country: None,
            date: Some(day(1, 12)),
        }
    }

    const TEXT: &str = "guerrillas bombed a bridge in usulutan department yesterday. \
        on 3 january they had attacked a bus near the capital. in 1985 a similar attack \
        killed two people.";

    #[test]
    fn candidates_are_the_texts_dates_and_the_articles() {
        let pipeline = crate::Pipeline::new().expect("pipeline");
        let dl = dateline();
        let a = pipeline.analyze(&document("T", TEXT, Some(&dl)));
        let dates: Vec<IncidentDate> = candidates(&a, Some(&dl))
            .into_iter()
            .map(|c| c.date)
            .collect();
        assert_eq!(
            dates,
            [
                IncidentDate::OnOrBefore(day(1, 12)),
                IncidentDate::On(day(1, 12)),
                IncidentDate::On(day(1, 11)),
                IncidentDate::On(day(1, 3)),
            ],
            "a year alone is no candidate"
        );
        // Without an article date nothing can be resolved.
        let undated = pipeline.analyze(&document("T", TEXT, None));
        assert!(candidates(&undated, None).is_empty());
    }

    #[test]
    fn the_ranker_learns_which_date_the_keys_give() {
        let pipeline = crate::Pipeline::new().expect("pipeline");
        let dl = dateline();
        let a = pipeline.analyze(&document("T", TEXT, Some(&dl)));
        let key = |date: &str| KeyTemplate {
            docid: "T".into(),
            relevant: true,
            optional: false,
            incident_type: None,
            stage: None,
            date: Some(date.into()),
            location: None,
        };
        // Keys that always give "yesterday": the ranker learns to.
        let ex = example(&a, Some(&dl), &key("11 JAN 90")).expect("a matching candidate");
        assert_eq!(ex.1, 2);
        let ranker = train(&vec![ex; 4], 1);
        assert_eq!(
            choose(&ranker, &a, Some(&dl)),
            Some(IncidentDate::On(day(1, 11)))
        );
        // A key date no candidate gives is no example.
        assert!(example(&a, Some(&dl), &key("20 DEC 89")).is_none());
    }
}
