//! WARC and WARC.GZ web archives (the format of Common Crawl's news crawl)
//! → one document per `response` record carrying an HTML page.
//!
//! A small streaming record parser: a `WARC/1.x` version line, header lines
//! up to a blank line, then exactly `Content-Length` bytes of block followed
//! by CRLF CRLF. Gzipped archives (one gzip member per record, or one for
//! the whole file) are read through [`MultiGzDecoder`]. Offsets in errors
//! are byte offsets in the uncompressed archive.

use std::io::{self, BufRead, BufReader, Read};

use flate2::read::{GzDecoder, MultiGzDecoder, ZlibDecoder};
use vigil_core::Origin;

use crate::error::{ErrorKind, IngestError};
use crate::source::{Ingested, ReadOptions};

/// Longest WARC or HTTP header line accepted.
const MAX_LINE: usize = 64 * 1024;
/// Largest WARC header block accepted (all lines together).
const MAX_HEADER: usize = 1024 * 1024;

/// True when `head` (the first bytes of an input) starts a WARC archive,
/// plain or gzipped.
pub(crate) fn looks_like_warc(head: &[u8]) -> bool {
    if head.starts_with(b"WARC/") {
        return true;
    }
    if head.starts_with(&[0x1f, 0x8b]) {
        let mut start = [0u8; 5];
        let mut decoder = GzDecoder::new(head);
        return decoder.read_exact(&mut start).is_ok() && &start == b"WARC/";
    }
    false
}

/// A `BufRead` that counts the bytes consumed.
struct Counted<R> {
    inner: R,
    pos: u64,
}

impl<R: BufRead> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counted<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.pos += amt as u64;
        self.inner.consume(amt);
    }
}

/// Reads one line (without its end) of at most `limit` bytes; a longer line
/// is consumed up to its end and reported as `Ok(Some((line, true)))`.
/// `Ok(None)` at the end of the input.
fn read_line<R: BufRead>(reader: &mut R, limit: usize) -> io::Result<Option<(Vec<u8>, bool)>> {
    let mut line = Vec::new();
    let mut too_long = false;
    let mut any = false;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        any = true;
        let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..=i], true),
            None => (buf, false),
        };
        let used = chunk.len();
        if !too_long {
            if line.len() + used > limit {
                too_long = true;
                line.clear();
            } else {
                line.extend_from_slice(chunk);
            }
        }
        reader.consume(used);
        if done {
            break;
        }
    }
    if !any {
        return Ok(None);
    }
    while matches!(line.last(), Some(b'\n' | b'\r')) {
        line.pop();
    }
    Ok(Some((line, too_long)))
}

/// The headers of one WARC record that matter here.
#[derive(Default)]
struct Record {
    kind: String,
    length: Option<u64>,
    target: Option<String>,
    date: Option<String>,
}

/// What went wrong with one record.
enum Failure {
    /// A problem confined to the record: report it and go on.
    Record(String),
    /// The framing is lost: report it and look for the next `WARC/` line.
    Resync(String),
    /// The stream cannot be read any more: report it and stop.
    Fatal(String),
}

/// Reads every record of a WARC archive from `reader` (the whole input,
/// gzipped or not), passing one document per HTML response to `sink`.
pub(crate) fn read_warc(
    reader: &mut dyn BufRead,
    path: &str,
    id: &str,
    options: &ReadOptions,
    sink: &mut dyn FnMut(Result<Ingested, IngestError>),
) {
    let gzipped = match reader.fill_buf() {
        Ok(buf) => buf.starts_with(&[0x1f, 0x8b]),
        Err(err) => {
            let origin = origin(path);
            return sink(Err(IngestError::new(
                origin,
                ErrorKind::Io(err.to_string()),
            )));
        }
    };
    if gzipped {
        let decoder = BufReader::with_capacity(64 * 1024, MultiGzDecoder::new(reader));
        read_records(decoder, path, id, options, sink);
    } else {
        read_records(reader, path, id, options, sink);
    }
}

fn origin(path: &str) -> Origin {
    Origin {
        path: path.to_string(),
        line: None,
    }
}

fn read_records<R: BufRead>(
    reader: R,
    path: &str,
    id: &str,
    options: &ReadOptions,
    sink: &mut dyn FnMut(Result<Ingested, IngestError>),
) {
    let id = id.strip_suffix(".warc").unwrap_or(id);
    let mut reader = Counted {
        inner: reader,
        pos: 0,
    };
    let mut number = 0usize;
    let mut resync = false;
    loop {
        let start = reader.pos;
        let line = match read_line(&mut reader, MAX_LINE) {
            Ok(Some((line, _))) => line,
            Ok(None) => return,
            Err(err) => return fatal(sink, path, start, &err.to_string()),
        };
        if !line.starts_with(b"WARC/") {
            // Blank lines between records are tolerated; anything else is
            // reported once, then skipped until the next record.
            if !line.iter().all(u8::is_ascii_whitespace) && !resync {
                resync = true;
                report(
                    sink,
                    path,
                    start,
                    "expected a `WARC/1.0` or `WARC/1.1` version line; skipping to the next record",
                );
            }
            continue;
        }
        resync = false;
        number += 1;
        match read_record(&mut reader, options) {
            Ok(None) => {}
            Ok(Some((record, block))) => {
                let doc_id = format!("{id}-{number}");
                match document(&record, &block, path, doc_id, options.max_document_bytes) {
                    Ok(Some(read)) => sink(Ok(read)),
                    Ok(None) => {}
                    Err(message) => {
                        report(sink, path, start, &format!("{message}; record skipped"))
                    }
                }
            }
            Err(Failure::Record(message)) => report(sink, path, start, &message),
            Err(Failure::Resync(message)) => {
                resync = true;
                report(sink, path, start, &message);
            }
            Err(Failure::Fatal(message)) => return fatal(sink, path, start, &message),
        }
    }
}

fn report(
    sink: &mut dyn FnMut(Result<Ingested, IngestError>),
    path: &str,
    offset: u64,
    message: &str,
) {
    let kind = ErrorKind::Warc {
        offset,
        message: message.to_string(),
    };
    sink(Err(IngestError::new(origin(path), kind)));
}

fn fatal(
    sink: &mut dyn FnMut(Result<Ingested, IngestError>),
    path: &str,
    offset: u64,
    message: &str,
) {
    report(
        sink,
        path,
        offset,
        &format!("{message}; reading of this file stopped"),
    );
}

/// Reads the headers and block of the record whose version line was just
/// read. `Ok(None)` for records that are skipped silently (not a response).
fn read_record<R: BufRead>(
    reader: &mut Counted<R>,
    options: &ReadOptions,
) -> Result<Option<(Record, Vec<u8>)>, Failure> {
    let mut record = Record::default();
    let mut header_bytes = 0usize;
    loop {
        let (line, too_long) = match read_line(reader, MAX_LINE) {
            Ok(Some(line)) => line,
            Ok(None) => {
                return Err(Failure::Fatal(
                    "truncated record: the input ends inside its headers".into(),
                ))
            }
            Err(err) => return Err(Failure::Fatal(err.to_string())),
        };
        if too_long {
            return Err(Failure::Resync(format!(
                "header line longer than {} KiB; skipping to the next record",
                MAX_LINE / 1024
            )));
        }
        if line.is_empty() {
            break;
        }
        header_bytes += line.len();
        if header_bytes > MAX_HEADER {
            return Err(Failure::Resync(
                "headers longer than 1 MiB; skipping to the next record".into(),
            ));
        }
        let text = String::from_utf8_lossy(&line);
        let Some((name, value)) = text.split_once(':') else {
            if line.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
                continue; // a folded continuation line
            }
            return Err(Failure::Resync(format!(
                "malformed header line `{}`; skipping to the next record",
                text.chars().take(80).collect::<String>()
            )));
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "warc-type" => record.kind = value.to_ascii_lowercase(),
            "content-length" => match value.parse::<u64>() {
                Ok(n) => record.length = Some(n),
                Err(_) => {
                    return Err(Failure::Resync(format!(
                        "invalid Content-Length `{}`; skipping to the next record",
                        value.chars().take(40).collect::<String>()
                    )))
                }
            },
            "warc-target-uri" => record.target = Some(value.trim_matches(['<', '>']).to_string()),
            "warc-date" => record.date = Some(value.to_string()),
            _ => {}
        }
    }
    let Some(length) = record.length else {
        return Err(Failure::Resync(
            "record without Content-Length; skipping to the next record".into(),
        ));
    };
    let wanted = record.kind == "response";
    let limit = options.max_document_bytes;
    if !wanted || length > limit {
        let skipped = io::copy(&mut (&mut *reader).take(length), &mut io::sink())
            .map_err(|err| Failure::Fatal(err.to_string()))?;
        if skipped < length {
            return Err(Failure::Fatal(format!(
                "truncated record: Content-Length is {length} bytes but only {skipped} remain"
            )));
        }
        if wanted {
            return Err(Failure::Record(format!(
                "record larger than the limit of {} MiB, skipped",
                limit / (1024 * 1024)
            )));
        }
        return Ok(None);
    }
    let mut block = Vec::new();
    (&mut *reader)
        .take(length)
        .read_to_end(&mut block)
        .map_err(|err| Failure::Fatal(err.to_string()))?;
    if (block.len() as u64) < length {
        return Err(Failure::Fatal(format!(
            "truncated record: Content-Length is {length} bytes but only {} remain",
            block.len()
        )));
    }
    Ok(Some((record, block)))
}

/// The document in a response record, `Ok(None)` when it carries no HTML
/// page (an image, a redirect, a DNS record…).
fn document(
    record: &Record,
    block: &[u8],
    path: &str,
    id: String,
    limit: u64,
) -> Result<Option<Ingested>, String> {
    if !block.starts_with(b"HTTP/") {
        return Ok(None);
    }
    let mut reader = block;
    let mut status = 0u16;
    let mut content_type = None;
    let mut encoding = None;
    let mut chunked = false;
    let mut first = true;
    loop {
        let (line, too_long) = match read_line(&mut reader, MAX_LINE) {
            Ok(Some(line)) => line,
            Ok(None) => return Err("HTTP headers without an end".into()),
            Err(err) => return Err(err.to_string()),
        };
        if too_long {
            return Err("HTTP header line too long".into());
        }
        if line.is_empty() {
            break;
        }
        let text = String::from_utf8_lossy(&line);
        if first {
            first = false;
            status = text
                .split_whitespace()
                .nth(1)
                .and_then(|code| code.parse().ok())
                .unwrap_or(0);
            continue;
        }
        if let Some((name, value)) = text.split_once(':') {
            let value = value.trim().to_ascii_lowercase();
            match name.trim().to_ascii_lowercase().as_str() {
                "content-type" => content_type = Some(value),
                "content-encoding" => encoding = Some(value),
                "transfer-encoding" => chunked = value.contains("chunked"),
                _ => {}
            }
        }
    }
    if !(200..300).contains(&status) {
        return Ok(None);
    }
    let mut body = if chunked {
        dechunk(reader)?
    } else {
        reader.to_vec()
    };
    match encoding.as_deref().map(str::trim) {
        None | Some("" | "identity") => {}
        Some("gzip" | "x-gzip") => body = inflate(GzDecoder::new(&body[..]), "gzip", limit)?,
        Some("deflate") => body = inflate(ZlibDecoder::new(&body[..]), "deflate", limit)?,
        Some(other) => return Err(format!("unsupported Content-Encoding `{other}`")),
    }
    let html = match content_type.as_deref() {
        Some(t) if t.starts_with("text/html") || t.starts_with("application/xhtml") => true,
        None => crate::format::looks_like_html(&body),
        Some(t) if t.starts_with("application/octet-stream") || t.starts_with("text/plain") => {
            crate::format::looks_like_html(&body) && crate::decode::binary_kind(&body).is_none()
        }
        Some(_) => false,
    };
    if !html {
        return Ok(None);
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ErrorKind::Empty.to_string());
    }
    let (text, decode_warning) = crate::decode::decode(&body);
    let mut document =
        crate::html::extract_html(&text, origin(path)).map_err(|err| err.kind.to_string())?;
    document.id = id;
    if document.url.is_none() {
        document.url = record.target.clone();
    }
    let mut published_from = document.published.map(|_| "metadata");
    if document.published.is_none() {
        document.published = record
            .date
            .as_deref()
            .and_then(crate::date::parse_timestamp);
        published_from = document.published.map(|_| "warc-date");
    }
    Ok(Some(Ingested {
        document,
        warnings: decode_warning.into_iter().collect(),
        published_from,
    }))
}

/// Decompresses a body, bounded by the document size limit.
fn inflate(decoder: impl Read, name: &str, limit: u64) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    decoder
        .take(limit.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|err| format!("cannot decompress the {name} body: {err}"))?;
    if out.len() as u64 > limit {
        return Err(format!(
            "decompressed page larger than the limit of {} MiB",
            limit / (1024 * 1024)
        ));
    }
    Ok(out)
}

/// Decodes an HTTP/1.1 chunked body.
fn dechunk(mut input: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let (line, _) = match read_line(&mut input, MAX_LINE) {
            Ok(Some(line)) => line,
            _ => return Ok(out), // tolerate a missing last chunk
        };
        let text = String::from_utf8_lossy(&line);
        let size = text.split(';').next().unwrap_or("").trim();
        if size.is_empty() {
            continue;
        }
        let size = usize::from_str_radix(size, 16).map_err(|_| {
            format!(
                "bad chunk size `{}`",
                size.chars().take(20).collect::<String>()
            )
        })?;
        if size == 0 {
            return Ok(out);
        }
        let take = size.min(input.len());
        out.extend_from_slice(&input[..take]);
        input = &input[take..];
    }
}
