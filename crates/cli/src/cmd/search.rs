//! `vigil search`: find stored incidents with a small query language.

use std::process::ExitCode;

use vigil_store::{search, Page, Sort};

use super::stats::StoreArgs;

/// Search the incidents stored by `vigil ingest`.
///
/// QUERY is a list of terms separated by spaces; quote a value that has
/// spaces ("car bomb", actor:"ISIS-K"). Matching is case-insensitive.
///
///   WORD, "A PHRASE"     free text: every word must occur in the evidence
///                        sentences or titles of the incident's sources
///   type:TYPE            event type: attack, bombing, shooting, stabbing,
///                        arson, kidnapping, hostage_taking, vehicle_ramming,
///                        assassination, robbery, plot, arrest, raid,
///                        conviction, warning, claim
///   stage:STAGE          accomplished, attempted, foiled, planned, threatened
///   crime:TYPE           what an arrest, raid or conviction holds people for
///                        (crime:attack; the values of type:)
///   killed:N             the count of the dead is N; also killed:>N,
///                        killed:>=N, killed:<N, killed:<=N, killed:N..M.
///                        No count matches none, but a death told without
///                        a count matches killed:>0 and killed:>=1
///   actor:NAME           a perpetrator's name, alias or knowledge-base id
///                        (actor:"ISIS-K", actor:islamic-state-khorasan)
///   place:NAME           the location, a place named for the event, a country
///                        name or ISO code (place:Brussels, place:Germany,
///                        place:DE)
///   since:YYYY-MM-DD     the incident's date is on or after this day
///   until:YYYY-MM-DD     the incident's date is on or before this day
///   source:NAME          an outlet or document source containing NAME
///                        (source:"New York Times")
///
/// A field given twice matches either value; different fields must all
/// match. Results are ranked by text relevance (BM25 over the free words),
/// then most recent first (`--sort recent`: most recent first, then
/// relevance); `--offset` and `--limit` page through them. A malformed query (unknown field, unclosed
/// quote, bad date, vocabulary value or count) is an error naming its position.
///
/// Examples:
///
///   vigil search 'type:bombing place:Germany since:2023-01-01'
///
///   vigil search --json 'actor:"ISIS-K" stage:foiled'
///
///   vigil search 'type:bombing killed:>=10'    (quote: > is the shell's)
///
/// See docs/search.md.
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The query (see above).
    #[arg(value_name = "QUERY", required = true, num_args = 1..)]
    query: Vec<String>,
    #[command(flatten)]
    store: StoreArgs,
    /// Print the hits as one JSON array.
    #[arg(long)]
    json: bool,
    /// At most this many hits.
    #[arg(long, value_name = "N", default_value_t = 20)]
    limit: usize,
    /// Skip this many hits (the next page starts at offset + limit).
    #[arg(long, value_name = "N", default_value_t = 0)]
    offset: usize,
    /// Order: `relevance` (then most recent) or `recent` (then relevance).
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    sort: SortArg,
}

/// `--sort` values.
#[derive(Clone, Copy, clap::ValueEnum)]
enum SortArg {
    Relevance,
    Recent,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let text = args.query.join(" ");
    let mut query = search::parse(&text)?;
    if !query.places.is_empty() {
        let gazetteer = vigil_geo::Gazetteer::embedded()?;
        for place in &mut query.places {
            let country = gazetteer
                .country_by_name(&place.value)
                .or_else(|| gazetteer.country_by_demonym(&place.value));
            if let Some(country) = country {
                place.countries.push(country.iso2.clone());
            }
        }
    }
    let store = args.store.open_existing()?;
    let page = Page {
        offset: args.offset,
        limit: args.limit,
        sort: match args.sort {
            SortArg::Relevance => Sort::Relevance,
            SortArg::Recent => Sort::Recent,
        },
    };
    let result = store.search(&query, &page)?;
    let hits = &result.hits;
    if args.json {
        println!("{}", serde_json::to_string(hits)?);
        return Ok(ExitCode::SUCCESS);
    }
    if result.total == 0 {
        println!("no incidents match");
    } else {
        println!(
            "{}{} incident{} match; showing {}-{}{}",
            if result.total_is_lower_bound {
                "at least "
            } else {
                ""
            },
            result.total,
            if result.total == 1 { "" } else { "s" },
            (args.offset + 1).min(result.total),
            args.offset + hits.len(),
            result
                .next_offset
                .map(|n| format!(" (next page: --offset {n})"))
                .unwrap_or_default()
        );
    }
    let count = |n: Option<u32>| n.map_or_else(|| "-".to_string(), |n| n.to_string());
    for hit in hits {
        println!(
            "{}  {} ({})  {}  {}  killed {} injured {} arrested {}  {} source{}{}",
            hit.id,
            json_name(&hit.kind),
            json_name(&hit.stage),
            hit.date.as_deref().unwrap_or("undated"),
            hit.place.as_deref().unwrap_or("unknown place"),
            match hit.killed {
                None if hit.fatal => "some".to_string(),
                k => count(k),
            },
            count(hit.injured),
            count(hit.arrested),
            hit.sources,
            if hit.sources == 1 { "" } else { "s" },
            if hit.outlets.is_empty() {
                String::new()
            } else {
                format!(" ({})", hit.outlets.join(", "))
            },
        );
        if let Some(snippet) = &hit.snippet {
            println!("    {snippet}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn json_name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value)
        .unwrap_or_default()
        .trim_matches('"')
        .to_string()
}
