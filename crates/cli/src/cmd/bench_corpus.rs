//! `vigil bench --corpus`: the store at scale. Synthesizes a news corpus
//! from the MUC-4 texts and the example articles, ingests it into an
//! embedded store (or a PostgreSQL database with `--store URL`) as
//! `vigil ingest` does and measures ingest throughput, store size, search
//! latency and near-duplicate precision/recall.
//!
//! The synthetic corpus: every article is a dateline (a gazetteer city, a
//! date between 2015 and 2025, an outlet) followed by sentences drawn from
//! two or three source texts, sentence order shuffled and synonyms swapped,
//! plus a sentence naming the city and its country. Generation is seeded
//! and deterministic.
//!
//! The labelled near-duplicate set: for `--pairs` articles of the corpus,
//! a *republished copy* (other outlet and URL, so another dateline; a third
//! of them also with one to three words swapped, a third with a sentence
//! dropped or a credit line added) that must join the original's story, and a *hard negative* (same city, date and lead
//! sentence, the rest another report) that must not. They are ingested
//! after the corpus; a copy counts as found when the store reports it as a
//! duplicate or a near-duplicate in the original's story, a negative as a
//! false positive when it joins any story.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use chrono::{Duration, NaiveDate};
use serde::Serialize;
use vigil_core::{Analysis, Document};
use vigil_extract::Pipeline;
use vigil_ingest::ReadOptions;
use vigil_store::{Outcome, Page, Store};

use super::ingest::{overlapped, Overlap};

/// A small, fast, seeded generator (SplitMix64).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`0` when `n == 0`).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// Outlets: name and web domain.
const OUTLETS: &[(&str, &str)] = &[
    ("Reuters", "reuters.com"),
    ("Associated Press", "apnews.com"),
    ("Agence France-Presse", "afp.com"),
    ("BBC News", "bbc.co.uk"),
    ("Al Jazeera", "aljazeera.com"),
    ("The Guardian", "theguardian.com"),
    ("New York Times", "nytimes.com"),
    ("Washington Post", "washingtonpost.com"),
    ("Deutsche Welle", "dw.com"),
    ("France 24", "france24.com"),
    ("El Pais", "elpais.com"),
    ("Le Monde", "lemonde.fr"),
    ("Der Spiegel", "spiegel.de"),
    ("The Hindu", "thehindu.com"),
    ("Dawn", "dawn.com"),
    ("Premium Times", "premiumtimesng.com"),
    ("Daily Nation", "nation.africa"),
    ("Kyiv Independent", "kyivindependent.com"),
    ("Times of Israel", "timesofisrael.com"),
    ("Anadolu Agency", "aa.com.tr"),
    ("EFE", "efe.com"),
    ("ANSA", "ansa.it"),
    ("Xinhua", "xinhuanet.com"),
    ("Kyodo News", "kyodonews.net"),
    ("The Straits Times", "straitstimes.com"),
    ("Sydney Morning Herald", "smh.com.au"),
    ("CBC News", "cbc.ca"),
    ("Folha de S.Paulo", "folha.uol.com.br"),
    ("La Nacion", "lanacion.com.ar"),
    ("Shafaq News", "shafaq.com"),
];

/// Word swaps applied to vary the wording (both directions).
const SYNONYMS: &[(&str, &str)] = &[
    ("killed", "slain"),
    ("attacked", "assaulted"),
    ("said", "stated"),
    ("reported", "announced"),
    ("guerrillas", "rebels"),
    ("terrorists", "militants"),
    ("soldiers", "troops"),
    ("residents", "inhabitants"),
    ("explosion", "blast"),
    ("wounded", "injured"),
    ("kidnapped", "abducted"),
    ("building", "premises"),
    ("officials", "authorities"),
    ("near", "close to"),
    ("army", "military"),
    ("destroyed", "wrecked"),
    ("car", "vehicle"),
    ("town", "municipality"),
    ("began", "started"),
    ("today", "on that day"),
];

const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A source text split into sentences.
struct Base {
    sentences: Vec<String>,
}

/// A city of the gazetteer with its country.
#[derive(Clone)]
struct City {
    name: String,
    country: String,
    iso2: String,
}

/// One synthesized article.
#[derive(Clone)]
pub struct Article {
    pub id: String,
    pub title: String,
    pub outlet: &'static str,
    pub url: String,
    pub date: NaiveDate,
    city: usize,
    dateline: String,
    sentences: Vec<String>,
}

impl Article {
    /// The article's text as ingested.
    pub fn text(&self) -> String {
        format!("{} — {}", self.dateline, self.sentences.join(" "))
    }

    /// The JSON Lines record `vigil ingest` reads.
    pub fn record(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "source": self.outlet,
            "published": format!("{}T08:00:00Z", self.date),
            "text": self.text(),
        })
    }
}

/// How a republished copy differs from its original.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Edit {
    /// Another outlet in the dateline (and another URL).
    Boilerplate,
    /// That, and one to three words swapped for synonyms.
    Words,
    /// That, and one sentence dropped or added.
    Sentence,
}

const EDITS: [Edit; 3] = [Edit::Boilerplate, Edit::Words, Edit::Sentence];

/// The label of a near-duplicate test item.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Label {
    /// A republished, lightly edited copy: must join the original's story.
    Copy(Edit),
    /// Another article on the same topic: must not join any story.
    Negative,
}

/// The synthesizer.
pub struct Synth {
    rng: Rng,
    bases: Vec<Base>,
    cities: Vec<City>,
}

fn split_sentences(text: &str) -> Vec<String> {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if (b == b'.' || b == b'?' || b == b'!') && bytes.get(i + 1) == Some(&b' ') {
            let s = text[start..=i].trim();
            if s.split_whitespace().count() >= 4 {
                out.push(capitalise(s));
            }
            start = i + 2;
        }
    }
    let rest = text[start.min(text.len())..].trim();
    if rest.split_whitespace().count() >= 4 {
        out.push(capitalise(rest));
    }
    out
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl Synth {
    /// Loads the source texts: MUC-4 `doctext` records from `muc4` files
    /// (skipped when absent) and the example articles in `articles`.
    pub fn load(muc4: &[PathBuf], articles: &Path, seed: u64) -> anyhow::Result<Self> {
        let mut bases = Vec::new();
        for path in muc4 {
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            for line in text.lines() {
                let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
                    continue;
                };
                if let Some(t) = v.get("doctext").and_then(|t| t.as_str()) {
                    let sentences = split_sentences(t);
                    if sentences.len() >= 2 {
                        bases.push(Base { sentences });
                    }
                }
            }
        }
        if let Ok(dir) = std::fs::read_dir(articles) {
            let mut paths: Vec<PathBuf> = dir
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "txt" || x == "html"))
                .collect();
            paths.sort();
            for path in paths {
                vigil_ingest::read_source(&path, &mut |doc| {
                    if let Ok(doc) = doc {
                        let sentences = split_sentences(&doc.text);
                        if sentences.len() >= 2 {
                            bases.push(Base { sentences });
                        }
                    }
                });
            }
        }
        anyhow::ensure!(
            !bases.is_empty(),
            "no source texts: run from the repository root (tests/articles) or provide ../shared/data/muc4"
        );
        let gazetteer = vigil_geo::Gazetteer::embedded().context("loading the gazetteer")?;
        let mut cities: Vec<City> = gazetteer
            .places()
            .iter()
            .filter(|p| p.kind == vigil_geo::PlaceKind::City && p.population >= 300_000)
            .filter_map(|p| {
                let country = gazetteer.country(&p.country)?;
                Some(City {
                    name: p.name.clone(),
                    country: country.name.clone(),
                    iso2: p.country.clone(),
                })
            })
            .collect();
        cities.sort_by(|a, b| a.name.cmp(&b.name));
        anyhow::ensure!(!cities.is_empty(), "the gazetteer has no cities");
        Ok(Synth {
            rng: Rng::new(seed),
            bases,
            cities,
        })
    }

    /// Number of source texts.
    pub fn bases(&self) -> usize {
        self.bases.len()
    }

    fn swap_words(&mut self, sentence: &str, p: f64) -> String {
        let mut out: Vec<String> = Vec::new();
        for word in sentence.split(' ') {
            let core = word.trim_end_matches(|c: char| !c.is_alphanumeric());
            let tail = &word[core.len()..];
            let lower = core.to_lowercase();
            let swap = SYNONYMS.iter().find_map(|&(a, b)| {
                if lower == a {
                    Some(b)
                } else if lower == b {
                    Some(a)
                } else {
                    None
                }
            });
            match swap {
                Some(s) if self.rng.chance(p) => {
                    let s = if core.starts_with(char::is_uppercase) {
                        capitalise(s)
                    } else {
                        s.to_string()
                    };
                    out.push(format!("{s}{tail}"));
                }
                _ => out.push(word.to_string()),
            }
        }
        out.join(" ")
    }

    fn sentences_from(&mut self, base: usize, n: usize) -> Vec<String> {
        let len = self.bases[base].sentences.len();
        let start = if len > n {
            self.rng.below(len - n + 1)
        } else {
            0
        };
        self.bases[base].sentences[start..(start + n).min(len)].to_vec()
    }

    /// Article number `n` of the corpus.
    pub fn article(&mut self, n: usize) -> Article {
        let city = self.rng.below(self.cities.len());
        let date = NaiveDate::from_ymd_opt(2015, 1, 1).unwrap_or_default()
            + Duration::days(self.rng.below(11 * 365) as i64);
        let (outlet, domain) = *self.rng.pick(OUTLETS);
        let mut sentences = Vec::new();
        let parts = 2 + self.rng.below(2);
        for _ in 0..parts {
            let base = self.rng.below(self.bases.len());
            let k = 2 + self.rng.below(3);
            sentences.extend(self.sentences_from(base, k));
        }
        // Keep the lead, shuffle the rest, vary the words.
        if sentences.len() > 2 {
            let (_, rest) = sentences.split_at_mut(1);
            self.rng.shuffle(rest);
        }
        let sentences: Vec<String> = sentences.iter().map(|s| self.swap_words(s, 0.5)).collect();
        let c = &self.cities[city];
        let mut sentences = sentences;
        let at = 1.min(sentences.len());
        sentences.insert(
            at,
            format!(
                "The incident took place in {}, {}, according to local officials.",
                c.name, c.country
            ),
        );
        self.finish(n, city, date, outlet, domain, sentences)
    }

    fn finish(
        &mut self,
        n: usize,
        city: usize,
        date: NaiveDate,
        outlet: &'static str,
        domain: &str,
        sentences: Vec<String>,
    ) -> Article {
        use chrono::Datelike;
        let c = &self.cities[city];
        let lead: Vec<&str> = sentences
            .first()
            .map(|s| s.split_whitespace().take(8).collect())
            .unwrap_or_default();
        let title = format!("{}: {}", c.name, lead.join(" ").trim_end_matches('.'));
        let dateline = format!(
            "{}, {} {} ({outlet})",
            c.name.to_uppercase(),
            MONTHS[date.month0() as usize],
            date.day()
        );
        Article {
            id: format!("synth-{n}"),
            title,
            outlet,
            url: format!(
                "https://www.{domain}/{}/{}/{:02}/story-{n}",
                date.year(),
                date.month(),
                date.day()
            ),
            date,
            city,
            dateline,
            sentences,
        }
    }

    /// Swaps `n` words of the synonym table at random places.
    fn swap_n(&mut self, sentences: &mut [String], n: usize) {
        let mut places: Vec<(usize, usize)> = Vec::new();
        for (si, s) in sentences.iter().enumerate() {
            for (wi, w) in s.split(' ').enumerate() {
                let core = w
                    .trim_end_matches(|c: char| !c.is_alphanumeric())
                    .to_lowercase();
                if SYNONYMS.iter().any(|&(a, b)| core == a || core == b) {
                    places.push((si, wi));
                }
            }
        }
        self.rng.shuffle(&mut places);
        for &(si, wi) in places.iter().take(n) {
            let mut words: Vec<String> = sentences[si].split(' ').map(str::to_string).collect();
            words[wi] = self.swap_words(&words[wi], 1.0);
            sentences[si] = words.join(" ");
        }
    }

    /// A republished copy of `original` with light edits of kind `edit`:
    /// always another outlet and URL (so another dateline); `Words` also
    /// swaps one to three words, `Sentence` also drops the last sentence
    /// or adds a credit line.
    pub fn copy(&mut self, original: &Article, n: usize, edit: Edit) -> Article {
        let (outlet, domain) = loop {
            let o = *self.rng.pick(OUTLETS);
            if o.0 != original.outlet {
                break o;
            }
        };
        let mut sentences = original.sentences.clone();
        match edit {
            Edit::Boilerplate => {}
            Edit::Words => {
                let k = 1 + self.rng.below(3);
                self.swap_n(&mut sentences, k);
            }
            Edit::Sentence => {
                if sentences.len() > 4 && self.rng.chance(0.5) {
                    sentences.pop();
                } else {
                    sentences.push(format!(
                        "{} contributed reporting to this story.",
                        original.outlet
                    ));
                }
            }
        }
        let mut a = self.finish(n, original.city, original.date, outlet, domain, sentences);
        a.title = original.title.clone();
        a
    }

    /// Another article on the topic of `original`: same city, date and
    /// lead sentence, the rest from other reports.
    pub fn negative(&mut self, original: &Article, n: usize) -> Article {
        let (outlet, domain) = *self.rng.pick(OUTLETS);
        let mut sentences: Vec<String> = original.sentences.iter().take(2).cloned().collect();
        let target = original.sentences.len().max(5);
        while sentences.len() < target {
            let base = self.rng.below(self.bases.len());
            let k = 2 + self.rng.below(3);
            let more = self.sentences_from(base, k);
            sentences.extend(more.iter().map(|s| self.swap_words(s, 0.5)));
        }
        sentences.truncate(target);
        let mut a = self.finish(n, original.city, original.date, outlet, domain, sentences);
        a.title = original.title.clone();
        a
    }

    /// The city name and ISO code of an article.
    pub fn city_of(&self, a: &Article) -> (&str, &str) {
        let c = &self.cities[a.city];
        (&c.name, &c.iso2)
    }
}

/// The corpus and its labelled near-duplicate items (after the corpus).
pub struct Corpus {
    pub articles: Vec<Article>,
    /// `(article index of the item, index of its original, label)`.
    pub labelled: Vec<(usize, usize, Label)>,
}

/// Synthesizes `docs` articles in all, `pairs` of them originals with a
/// copy and a negative each (so `docs - 2 * pairs` corpus articles).
pub fn synthesize(synth: &mut Synth, docs: usize, pairs: usize) -> Corpus {
    let pairs = pairs.min(docs / 4);
    let bulk = docs - 2 * pairs;
    let mut articles: Vec<Article> = (0..bulk).map(|n| synth.article(n)).collect();
    let mut labelled = Vec::new();
    // Originals spread over the corpus.
    let step = (bulk / pairs.max(1)).max(1);
    for p in 0..pairs {
        let original = (p * step + synth.rng.below(step)).min(bulk.saturating_sub(1));
        let o = articles[original].clone();
        let n = articles.len();
        let edit = EDITS[p % EDITS.len()];
        articles.push(synth.copy(&o, n, edit));
        labelled.push((n, original, Label::Copy(edit)));
        let n = articles.len();
        articles.push(synth.negative(&o, n));
        labelled.push((n, original, Label::Negative));
    }
    Corpus { articles, labelled }
}

/// Writes articles as JSON Lines.
pub fn write_jsonl(path: &Path, articles: &[Article]) -> anyhow::Result<u64> {
    let file =
        std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    let mut raw = 0u64;
    for a in articles {
        raw += a.text().len() as u64;
        serde_json::to_writer(&mut out, &a.record())?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(raw)
}

#[derive(Serialize, Default)]
pub struct Report {
    /// `sqlite` or `postgres`.
    pub backend: String,
    pub articles: usize,
    pub threads: usize,
    pub raw_text_mb: f64,
    pub ingest_seconds: f64,
    pub store_seconds: f64,
    pub incidents_seconds: f64,
    /// Incidents created by the merge at the end of the run.
    pub incidents_created: usize,
    pub articles_per_second: f64,
    pub articles_per_second_without_incidents: f64,
    pub ingested: usize,
    pub near_duplicates: usize,
    pub duplicates: usize,
    pub incidents: u64,
    pub events: u64,
    pub store_mb: f64,
    pub sqlite_mb: f64,
    pub index_mb: f64,
    pub store_kb_per_1000_articles: f64,
    pub raw_kb_per_1000_articles: f64,
    pub store_to_raw: f64,
    pub queries: usize,
    pub search_p50_ms: f64,
    pub search_p99_ms: f64,
    pub search_max_ms: f64,
    pub mean_hits: f64,
    pub dedup_pairs: usize,
    pub dedup_precision: f64,
    pub dedup_recall: f64,
    pub dedup_true_positives: usize,
    pub dedup_false_positives: usize,
    pub dedup_false_negatives: usize,
    /// Recall on copies that differ only by the dateline and URL.
    pub dedup_recall_boilerplate: f64,
    /// Recall on copies with one to three words swapped.
    pub dedup_recall_words: f64,
    /// Recall on copies with a sentence dropped or added.
    pub dedup_recall_sentence: f64,
}

/// Options of a corpus benchmark run.
pub struct Options {
    pub docs: usize,
    pub pairs: usize,
    pub queries: usize,
    pub threads: usize,
    pub seed: u64,
    pub data: Option<PathBuf>,
    /// A PostgreSQL URL to ingest into instead of an embedded store (the
    /// database or schema must hold no documents).
    pub store: Option<String>,
    pub muc4: Vec<PathBuf>,
    pub articles: PathBuf,
}

fn dir_size(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    };
    entries
        .filter_map(|e| e.ok())
        .map(|e| {
            let p = e.path();
            if p.is_dir() {
                dir_size(&p)
            } else {
                e.metadata().map(|m| m.len()).unwrap_or(0)
            }
        })
        .sum()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Runs the benchmark.
pub fn run(opts: &Options) -> anyhow::Result<Report> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .build()
        .context("starting worker threads")?;
    let mut synth = Synth::load(&opts.muc4, &opts.articles, opts.seed)?;
    eprintln!(
        "vigil bench: synthesizing {} articles from {} source texts",
        opts.docs,
        synth.bases()
    );
    let corpus = synthesize(&mut synth, opts.docs, opts.pairs);
    let tmp;
    let data = match &opts.data {
        Some(d) => {
            anyhow::ensure!(
                !d.join(vigil_store::DB_FILE).exists(),
                "{} already holds a store: give an empty or new --data directory",
                d.display()
            );
            d.clone()
        }
        None => {
            tmp = tempdir()?;
            tmp.clone()
        }
    };
    std::fs::create_dir_all(&data).with_context(|| format!("creating {}", data.display()))?;
    let bulk = corpus.articles.len() - corpus.labelled.len();
    let corpus_file = data.join("corpus.jsonl");
    let labelled_file = data.join("labelled.jsonl");
    let raw = write_jsonl(&corpus_file, &corpus.articles[..bulk])?
        + write_jsonl(&labelled_file, &corpus.articles[bulk..])?;

    // Ingest, end to end, as `vigil ingest`: read JSON Lines, skip known
    // documents, analyse batches on the pool while the previous batch is
    // stored in one transaction; then merge the new events into incidents.
    let pipeline = Pipeline::new().context("loading vigil's gazetteers")?;
    let store_dir = data.join("store");
    let spec = match &opts.store {
        Some(url) => url.clone(),
        None => store_dir.display().to_string(),
    };
    let mut store = vigil_store::open(&spec)?;
    anyhow::ensure!(
        store.stats()?.documents == 0,
        "{} already holds documents: give an empty database (or schema)",
        store.location()
    );
    let mut outcomes: HashMap<String, Outcome> = HashMap::new();
    let mut report = Report {
        backend: if opts.store.is_some() {
            "postgres"
        } else {
            "sqlite"
        }
        .to_string(),
        threads: opts.threads,
        raw_text_mb: raw as f64 / 1e6,
        ..Report::default()
    };
    let started = Instant::now();
    let mut store_time = 0.0;
    overlapped(&pipeline, Some(&pool), |overlap: &mut Overlap<'_>| {
        let mut put = |analysed: Vec<(Document, Analysis)>,
                       store: &mut dyn Store,
                       outcomes: &mut HashMap<String, Outcome>|
         -> anyhow::Result<()> {
            let t = Instant::now();
            let out = store.insert_batch(&analysed)?;
            store_time += t.elapsed().as_secs_f64();
            for ((doc, _), o) in analysed.iter().zip(out) {
                outcomes.insert(doc.id.clone(), o);
            }
            Ok(())
        };
        for file in [&corpus_file, &labelled_file] {
            let mut batch = Vec::with_capacity(BATCH);
            let mut failure: Option<anyhow::Error> = None;
            vigil_ingest::read_source_with(file, &ReadOptions::default(), &mut |item| {
                if failure.is_some() {
                    return;
                }
                let Ok(item) = item else {
                    return;
                };
                match store.find_duplicate(&item.document) {
                    Ok(Some((existing, reason))) => {
                        outcomes.insert(
                            item.document.id.clone(),
                            Outcome::Duplicate { existing, reason },
                        );
                        return;
                    }
                    Ok(None) => {}
                    Err(e) => {
                        failure = Some(e.into());
                        return;
                    }
                }
                batch.push((item.document, item.published_from));
                if batch.len() >= BATCH {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                    match overlap.submit(full) {
                        Ok(Some(analysed)) => {
                            if let Err(e) = put(analysed, store.as_mut(), &mut outcomes) {
                                failure = Some(e);
                            }
                        }
                        Ok(None) => {}
                        Err(e) => failure = Some(e),
                    }
                }
            });
            if let Some(e) = failure {
                return Err(e);
            }
            // The labelled items are probed against the whole corpus.
            if let Some(analysed) = overlap.submit(batch)? {
                put(analysed, store.as_mut(), &mut outcomes)?;
            }
            for analysed in overlap.drain()? {
                put(analysed, store.as_mut(), &mut outcomes)?;
            }
        }
        Ok(())
    })?;
    let stored = started.elapsed().as_secs_f64();
    let t = Instant::now();
    let merged = store.merge_incidents()?;
    report.incidents_created = merged.created;
    report.incidents_seconds = t.elapsed().as_secs_f64();
    report.ingest_seconds = started.elapsed().as_secs_f64();
    report.store_seconds = store_time;
    report.articles = corpus.articles.len();
    report.articles_per_second = report.articles as f64 / report.ingest_seconds.max(1e-9);
    report.articles_per_second_without_incidents = report.articles as f64 / stored.max(1e-9);
    for o in outcomes.values() {
        match o {
            Outcome::New { .. } => report.ingested += 1,
            Outcome::NearDuplicate { .. } => {
                report.ingested += 1;
                report.near_duplicates += 1;
            }
            Outcome::Duplicate { .. } => report.duplicates += 1,
        }
    }
    let stats = store.stats()?;
    report.incidents = stats.incidents;
    report.events = stats.events;
    // Near-duplicate precision and recall.
    let story_of = |id: &str| match outcomes.get(id) {
        Some(Outcome::New { story, .. } | Outcome::NearDuplicate { story, .. }) => Some(*story),
        _ => None,
    };
    let (mut tp, mut fp, mut fneg) = (0, 0, 0);
    // Per edit kind: (found, copies).
    let mut by_edit = [(0usize, 0usize); 3];
    for &(item, original, label) in &corpus.labelled {
        let item_id = &corpus.articles[item].id;
        let original_id = &corpus.articles[original].id;
        let joined = match outcomes.get(item_id.as_str()) {
            Some(Outcome::Duplicate { existing, .. }) => Some(existing == original_id),
            Some(Outcome::NearDuplicate { story, .. }) => {
                Some(story_of(original_id) == Some(*story))
            }
            _ => None,
        };
        if let Label::Copy(edit) = label {
            let slot = &mut by_edit[EDITS.iter().position(|e| *e == edit).unwrap_or(0)];
            slot.1 += 1;
            if joined == Some(true) {
                slot.0 += 1;
            }
        }
        match (label, joined) {
            (Label::Copy(_), Some(true)) => tp += 1,
            (Label::Copy(_), Some(false)) => {
                fp += 1;
                fneg += 1;
            }
            (Label::Copy(_), None) => fneg += 1,
            (Label::Negative, Some(_)) => fp += 1,
            (Label::Negative, None) => {}
        }
    }
    let recall = |(found, all): (usize, usize)| {
        if all == 0 {
            1.0
        } else {
            found as f64 / all as f64
        }
    };
    report.dedup_recall_boilerplate = recall(by_edit[0]);
    report.dedup_recall_words = recall(by_edit[1]);
    report.dedup_recall_sentence = recall(by_edit[2]);
    report.dedup_pairs = corpus.labelled.len() / 2;
    report.dedup_true_positives = tp;
    report.dedup_false_positives = fp;
    report.dedup_false_negatives = fneg;
    report.dedup_precision = if tp + fp > 0 {
        tp as f64 / (tp + fp) as f64
    } else {
        1.0
    };
    report.dedup_recall = if tp + fneg > 0 {
        tp as f64 / (tp + fneg) as f64
    } else {
        1.0
    };

    // Search latency over realistic queries.
    let queries = queries(&mut synth, &corpus, opts.queries);
    let mut times = Vec::with_capacity(queries.len());
    let mut hits = 0usize;
    for q in &queries {
        // One warm-up pass is not timed.
        let parsed = vigil_store::search::parse(q)
            .map_err(|e| anyhow::anyhow!("benchmark query {q:?}: {e}"))?;
        let _ = store.search(&parsed, &Page::first(20))?;
    }
    for q in &queries {
        let parsed = vigil_store::search::parse(q)
            .map_err(|e| anyhow::anyhow!("benchmark query {q:?}: {e}"))?;
        let t = Instant::now();
        let found = store.search(&parsed, &Page::first(20))?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        hits += found.hits.len();
    }
    times.sort_by(f64::total_cmp);
    report.queries = queries.len();
    report.search_p50_ms = percentile(&times, 50.0);
    report.search_p99_ms = percentile(&times, 99.0);
    report.search_max_ms = times.last().copied().unwrap_or(0.0);
    report.mean_hits = hits as f64 / queries.len().max(1) as f64;
    // Sizes once the store is closed (its WAL checkpointed into the file);
    // PostgreSQL: the database size.
    let pg_size = opts.store.is_some().then_some(stats.size_bytes);
    drop(store);
    let (total, index) = match pg_size {
        Some(size) => (size, 0),
        None => (dir_size(&store_dir), dir_size(&store_dir.join("index"))),
    };
    report.store_mb = total as f64 / 1e6;
    report.index_mb = index as f64 / 1e6;
    report.sqlite_mb = (total - index.min(total)) as f64 / 1e6;
    let per = 1000.0 / report.articles.max(1) as f64;
    report.store_kb_per_1000_articles = total as f64 / 1e3 * per;
    report.raw_kb_per_1000_articles = raw as f64 / 1e3 * per;
    report.store_to_raw = total as f64 / raw.max(1) as f64;
    if opts.data.is_none() {
        let _ = std::fs::remove_dir_all(&data);
    }
    Ok(report)
}

/// Documents analysed and stored per batch (as `vigil ingest`).
const BATCH: usize = 64;

fn tempdir() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "vigil-bench-corpus-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

/// Realistic queries: free words of the reports, fields from the corpus
/// (types, stages, places, outlets, actors, dates), one to three terms.
fn queries(synth: &mut Synth, corpus: &Corpus, n: usize) -> Vec<String> {
    const WORDS: &[&str] = &[
        "bomb",
        "killed",
        "guerrillas",
        "kidnapped",
        "army",
        "attack",
        "dynamite",
        "embassy",
        "police",
        "soldiers",
        "explosion",
        "\"car bomb\"",
        "massacre",
        "peasants",
        "ambush",
        "hostages",
        "mayor",
        "journalist",
        "bus",
        "church",
    ];
    const TYPES: &[&str] = &[
        "attack",
        "bombing",
        "shooting",
        "kidnapping",
        "arson",
        "assassination",
        "robbery",
        "arrest",
        "raid",
        "plot",
    ];
    const STAGES: &[&str] = &["accomplished", "attempted", "foiled", "threatened"];
    const ACTORS: &[&str] = &[
        "fmln",
        "\"shining path\"",
        "\"farabundo marti national liberation front\"",
        "eln",
        "farc",
        "\"medellin cartel\"",
        "guerrillas",
        "terrorists",
    ];
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let terms = 1 + synth.rng.below(3);
        let mut q: Vec<String> = Vec::new();
        for _ in 0..terms {
            let term = match synth.rng.below(9) {
                0 | 1 => synth.rng.pick(WORDS).to_string(),
                2 => format!("type:{}", synth.rng.pick(TYPES)),
                3 => format!("stage:{}", synth.rng.pick(STAGES)),
                4 => {
                    let a = synth.rng.pick(&corpus.articles);
                    let (_, iso) = synth.city_of(a);
                    format!("place:{}", iso.to_lowercase())
                }
                5 => {
                    let a = synth.rng.pick(&corpus.articles).clone();
                    let (city, _) = synth.city_of(&a);
                    format!("place:\"{city}\"")
                }
                6 => format!("source:\"{}\"", synth.rng.pick(OUTLETS).0),
                7 => format!("actor:{}", synth.rng.pick(ACTORS)),
                _ => {
                    let year = 2015 + synth.rng.below(11);
                    if synth.rng.chance(0.5) {
                        format!("since:{year}-01-01")
                    } else {
                        format!("since:{year}-01-01 until:{year}-06-30")
                    }
                }
            };
            if !q.contains(&term) {
                q.push(term);
            }
        }
        out.push(q.join(" "));
    }
    out
}
