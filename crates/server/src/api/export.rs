//! `GET /api/v1/export`: every incident matching a query, streamed as a
//! file in one of `vigil_export`'s formats (STIX 2.1, GeoJSON, ACLED-style
//! CSV, Parquet, JSON Lines).
//!
//! The export runs on the blocking pool and writes into a [`ChunkWriter`],
//! which hands 64 KiB chunks to a small bounded channel feeding the response
//! body: memory stays bounded whatever the number of incidents, and a slow
//! client slows the export down instead of filling the server's memory.

use std::io::{self, Write};
use std::sync::{Arc, OnceLock};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tokio::sync::mpsc;
use utoipa::IntoParams;
use vigil_export::gazetteer::Gazetteers;
use vigil_export::{Format, Options};
use vigil_store::StoreError;

use super::extract::Query as UrlQuery;
use super::incidents::Filters;
use crate::error::{ApiError, ApiResult};
use crate::{query, AppState};

/// Size of the chunks sent to the client.
pub const CHUNK: usize = 64 * 1024;

/// Chunks waiting to be sent, at most (memory bound: `CHUNK` times this).
const QUEUE: usize = 4;

/// The export's format.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `stix`, `geojson`, `csv`, `parquet` or `jsonl`.
    #[param(example = "csv")]
    pub format: Option<String>,
}

static GAZETTEERS: OnceLock<Result<Arc<Gazetteers>, String>> = OnceLock::new();

/// The resolver of the exports (the embedded gazetteer and knowledge base),
/// parsed once per process on first use (about 0.3 s; call it on the
/// blocking pool).
pub fn gazetteers() -> Result<Arc<Gazetteers>, ApiError> {
    GAZETTEERS
        .get_or_init(|| {
            Gazetteers::embedded()
                .map(Arc::new)
                .map_err(|e| format!("the embedded gazetteer does not load: {e}"))
        })
        .clone()
        .map_err(ApiError::internal)
}

/// A `Write` sending what is written, in chunks of [`CHUNK`] bytes, to the
/// response body. Must be used off the async workers (it blocks when the
/// client is slower than the export). A closed channel (the client went
/// away) is a `BrokenPipe` error.
pub struct ChunkWriter {
    tx: mpsc::Sender<Result<Bytes, io::Error>>,
    buf: Vec<u8>,
}

impl ChunkWriter {
    /// A writer feeding `tx`.
    pub fn new(tx: mpsc::Sender<Result<Bytes, io::Error>>) -> ChunkWriter {
        ChunkWriter {
            tx,
            buf: Vec::with_capacity(CHUNK),
        }
    }

    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))
    }
}

impl Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let room = CHUNK - self.buf.len();
        let n = data.len().min(room);
        self.buf.extend_from_slice(&data[..n]);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

/// Export the incidents matching a query.
///
/// The same query language and filters as `/incidents`; every matching
/// incident is exported (no paging). The body is streamed; a failure after
/// the first bytes aborts the response (the file is then incomplete).
#[utoipa::path(get, path = "/api/v1/export", tag = "incidents",
    params(ExportParams, Filters),
    responses(
        (status = 200, description = "The export, as an attachment (`vigil-export.<ext>`)",
            content(
                (Object = "application/stix+json;version=2.1"),
                (Object = "application/geo+json"),
                (String = "text/csv; charset=utf-8; header=present"),
                (Vec<u8> = "application/vnd.apache.parquet"),
                (String = "application/jsonl"))),
        (status = 400, description = "Unknown format or malformed query or filter", body = crate::error::ErrorBody)))]
pub async fn handler(
    State(state): State<AppState>,
    UrlQuery(params): UrlQuery<ExportParams>,
    UrlQuery(filters): UrlQuery<Filters>,
) -> ApiResult<Response> {
    let format: Format =
        match params.format.as_deref().map(str::trim) {
            None | Some("") => return Err(ApiError::BadRequest(
                "the format parameter is missing: use one of stix, geojson, csv, parquet, jsonl"
                    .into(),
            )),
            Some(name) => name
                .parse()
                .map_err(|e: vigil_export::UnknownFormat| ApiError::BadRequest(e.to_string()))?,
        };
    let text = filters.text()?;
    let query = query::parse(&text)?;
    let resolver = tokio::task::spawn_blocking(gazetteers)
        .await
        .map_err(ApiError::internal)??;
    let options = Options {
        resolver,
        label: text,
    };

    let (tx, mut rx) = mpsc::channel::<Result<Bytes, io::Error>>(QUEUE);
    let db = state.db.clone();
    tokio::spawn(async move {
        // A long read: it holds one read handle for the whole export
        // (paced by the client), never the store.
        let result = db
            .read_long(move |store| {
                let failed = tx.clone();
                let run = || -> Result<u64, String> {
                    let mut w = vigil_export::writer(format, ChunkWriter::new(tx), options)
                        .map_err(|e| e.to_string())?;
                    store
                        .for_each_incident(&query, &mut |incident| {
                            w.write(&incident)
                                .map_err(|e| StoreError::Callback(e.to_string()))
                        })
                        .map_err(|e| e.to_string())?;
                    w.finish().map_err(|e| e.to_string())
                };
                match run() {
                    Ok(n) => tracing::debug!("export ({format}): {n} incidents"),
                    Err(_) if failed.is_closed() => {
                        tracing::debug!("export ({format}): the client went away")
                    }
                    Err(message) => {
                        tracing::error!("export ({format}) failed: {message}");
                        // Aborts the response so that the client sees an
                        // incomplete transfer, not a truncated file.
                        let _ = failed.blocking_send(Err(io::Error::other(message)));
                    }
                }
                Ok(())
            })
            .await;
        if let Err(err) = result {
            tracing::error!("export ({format}) did not run: {err}");
        }
    });

    let body = Body::from_stream(futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx)));
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    let disposition = format!(
        "attachment; filename=\"vigil-export.{}\"",
        format.extension()
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).map_err(ApiError::internal)?,
    );
    Ok(response)
}
