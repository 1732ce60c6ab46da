//! `vigil export`: stored incidents as STIX 2.1, GeoJSON, CSV, Parquet or
//! JSON Lines, streamed one incident at a time.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use vigil_export::gazetteer::Gazetteers;
use vigil_export::{ExportError, Format, Options};
use vigil_store::{search, Query, Store, StoreError};

use super::stats::StoreArgs;

/// Export stored incidents for other tools.
///
/// Formats:
///
///   stix      a STIX 2.1 bundle for OpenCTI, MISP or any TAXII platform:
///             incidents, threat actors, locations, identities, one report
///             per article, warnings as notes; deterministic ids, so a
///             re-import updates instead of duplicating
///   geojson   an RFC 7946 FeatureCollection of points, for QGIS
///   csv       ACLED's columns (event_id_cnty, event_date, …, fatalities,
///             timestamp) then vigil's (incident_id, type, stage, killed,
///             injured, arrested, sources_count, country_code, date_end,
///             urls)
///   parquet   the same columns, typed, for pandas, DuckDB, R
///   jsonl     one full incident per line; `vigil import` reads it back
///
/// QUERY selects incidents with the language of `vigil search`
/// (type:bombing place:Germany since:2024-01-01 …); without it every
/// incident is exported. The export streams: memory stays bounded however
/// many incidents there are. With --output the file is written beside the
/// target and renamed into place when complete.
///
/// Examples:
///
///   vigil export --format stix --output vigil.stix.json
///
///   vigil export --format csv 'place:Nigeria since:2024-01-01' > nigeria.csv
///
/// See docs/export.md for loading each format into OpenCTI, MISP, QGIS,
/// pandas and DuckDB.
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Output format.
    #[arg(long, short, value_name = "FORMAT", value_parser = parse_format)]
    format: Format,
    /// Write to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Where the incidents are (`--data DIR` or `--store SPEC`).
    #[command(flatten)]
    store: StoreArgs,
    /// Name reports after the stored articles' titles (one document read
    /// per article at the end; slower on large exports).
    #[arg(long)]
    titles: bool,
    /// The query (see `vigil search --help`); empty: every incident.
    #[arg(value_name = "QUERY", num_args = 0..)]
    query: Vec<String>,
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse()
        .map_err(|e: vigil_export::UnknownFormat| e.to_string())
}

/// Parses a query and resolves country names in `place:` terms.
pub fn parse_query(text: &str) -> anyhow::Result<Query> {
    let mut query = search::parse(text)?;
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
    Ok(query)
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let text = args.query.join(" ");
    let query = parse_query(&text)?;
    let store: Arc<Mutex<Box<dyn Store>>> = Arc::new(Mutex::new(args.store.open_existing()?));
    let mut resolver = Gazetteers::embedded().context("loading the embedded gazetteer")?;
    if args.titles {
        let store = Arc::clone(&store);
        resolver = resolver.with_titles(Arc::new(move |doc_id: &str| {
            let store = store.lock().ok()?;
            let doc = store.document(doc_id).ok()??;
            doc.analysis.title.or(doc.document.title)
        }));
    }
    let options = Options {
        resolver: Arc::new(resolver),
        label: text.clone(),
    };
    let (count, target) = match &args.output {
        Some(path) => {
            let tmp = temp_path(path);
            let file = File::create(&tmp)
                .with_context(|| format!("{}: cannot create the output file", tmp.display()))?;
            let result = write_all(&store, &query, args.format, BufWriter::new(file), options);
            match result {
                Ok(n) => {
                    std::fs::rename(&tmp, path).with_context(|| {
                        format!(
                            "{}: cannot move the finished export into place",
                            path.display()
                        )
                    })?;
                    (n, path.display().to_string())
                }
                Err(e) => {
                    let _ = std::fs::remove_file(&tmp);
                    return Err(e.context(format!("{}: export failed", path.display())));
                }
            }
        }
        None => {
            let n = write_all(
                &store,
                &query,
                args.format,
                BufWriter::new(std::io::stdout()),
                options,
            )?;
            (n, "standard output".to_string())
        }
    };
    eprintln!(
        "vigil: exported {count} incident{} as {} to {target}",
        if count == 1 { "" } else { "s" },
        args.format
    );
    Ok(ExitCode::SUCCESS)
}

/// `path` with `.partial` appended, in the same directory (so the final
/// rename stays on one file system).
fn temp_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".partial");
    path.with_file_name(name)
}

/// Streams every incident matching `query` into a writer of `format`.
fn write_all<W: Write + Send>(
    store: &Mutex<Box<dyn Store>>,
    query: &Query,
    format: Format,
    out: W,
    options: Options,
) -> anyhow::Result<u64> {
    let mut writer = vigil_export::writer(format, out, options)?;
    let mut failure: Option<ExportError> = None;
    {
        let store = store
            .lock()
            .map_err(|_| anyhow::anyhow!("the store lock is poisoned"))?;
        let walked = store.for_each_incident(query, &mut |incident| {
            writer.write(&incident).map_err(|e| {
                let message = e.to_string();
                failure = Some(e);
                StoreError::Callback(message)
            })
        });
        if let Some(e) = failure {
            return Err(e.into());
        }
        walked?;
    }
    Ok(writer.finish()?)
}
