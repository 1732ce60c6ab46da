//! Files, directories, standard input and byte buffers → documents.

use std::fs;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};

use vigil_core::{Document, Origin};

use crate::decode::{binary_kind, decode};
use crate::error::{ErrorKind, IngestError};
use crate::format::{detect_format, Format};

/// A document together with the non-fatal problems met while reading it
/// (an unparseable date that was dropped, a lossy character decoding, a
/// metadata field of the wrong type…).
#[derive(Debug, Clone, PartialEq)]
pub struct Ingested {
    /// The document.
    pub document: Document,
    /// One-line descriptions of what was ignored or repaired.
    pub warnings: Vec<String>,
    /// Where `document.published` came from: `"record"` (a JSON Lines
    /// field or a feed item's date), `"metadata"` (the HTML page's metadata)
    /// or `"warc-date"` (a WARC record's crawl time, used when the page has
    /// no date); `None` when there is no publication time.
    pub published_from: Option<&'static str>,
}

/// Limits and overrides for the readers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// Force a format instead of detecting it from extensions and content.
    pub format: Option<Format>,
    /// Largest text or HTML document accepted, in bytes (default 256 MiB).
    pub max_document_bytes: u64,
    /// Longest JSON Lines line accepted, in bytes (default 64 MiB).
    pub max_line_bytes: usize,
}

impl Default for ReadOptions {
    fn default() -> ReadOptions {
        ReadOptions {
            format: None,
            max_document_bytes: 256 * 1024 * 1024,
            max_line_bytes: 64 * 1024 * 1024,
        }
    }
}

/// Reads a file, a directory or standard input (`-`) and passes each
/// document, or the error that prevented reading it, to `sink`, one at a
/// time, in a deterministic order. Warnings are dropped; use
/// [`read_source_with`] to get them.
///
/// - A file is one document (text, HTML), one per line (JSON Lines), one
///   per HTML response record (WARC, see [`Format::Warc`]) or one per
///   item/entry (RSS/Atom feeds, see [`Format::Feed`]); the format comes
///   from the extension or, failing that, the content.
/// - A directory is walked recursively in sorted path order; hidden entries
///   (names starting with `.`), symbolic links to directories and files
///   without an article extension (`txt`, `text`, `html`, `htm`, `xhtml`,
///   `shtml`, `jsonl`, `ndjson`, `json`, `warc`, `warc.gz`, `xml`, `rss`,
///   `atom`) are skipped.
/// - `-` reads standard input, sniffing the format.
///
/// Document ids are the file stem (`stdin` for standard input); JSON Lines
/// records without an `id` get `<stem>-<line>`.
pub fn read_source(path: &Path, sink: &mut dyn FnMut(Result<Document, IngestError>)) {
    read_source_with(path, &ReadOptions::default(), &mut |result| {
        sink(result.map(|read| read.document))
    });
}

/// [`read_source`] with options, passing documents with their warnings.
pub fn read_source_with(
    path: &Path,
    options: &ReadOptions,
    sink: &mut dyn FnMut(Result<Ingested, IngestError>),
) {
    if path.as_os_str() == "-" {
        let stdin = std::io::stdin();
        let mut lock = stdin.lock();
        let origin = Origin {
            path: "-".to_string(),
            line: None,
        };
        read_reader_with(&mut lock, options.format, origin, options, sink);
        return;
    }
    let origin = Origin {
        path: path.display().to_string(),
        line: None,
    };
    let metadata = match fs::metadata(path) {
        Ok(m) => m,
        Err(err) => {
            return sink(Err(IngestError::new(
                origin,
                ErrorKind::Io(err.to_string()),
            )))
        }
    };
    if metadata.is_dir() {
        for file in walk(path, sink) {
            read_file(&file, options, sink);
        }
    } else {
        read_file(path, options, sink);
    }
}

/// The article files under `root`, sorted by path. Unreadable directories
/// are reported to `sink` and skipped.
fn walk(root: &Path, sink: &mut dyn FnMut(Result<Ingested, IngestError>)) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    // An unreadable directory or entry is reported against the directory.
    let io_error = |dir: &Path, err: std::io::Error| {
        let origin = Origin {
            path: dir.display().to_string(),
            line: None,
        };
        IngestError::new(origin, ErrorKind::Io(err.to_string()))
    };
    while let Some(dir) = pending.pop() {
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(err) => {
                sink(Err(io_error(&dir, err)));
                continue;
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    sink(Err(io_error(&dir, err)));
                    continue;
                }
            };
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                pending.push(path);
            } else if is_article_file(&path)
                && (kind.is_file() || (kind.is_symlink() && path.is_file()))
            {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn is_article_file(path: &Path) -> bool {
    Format::from_path(path).is_some()
}

fn read_file(
    path: &Path,
    options: &ReadOptions,
    sink: &mut dyn FnMut(Result<Ingested, IngestError>),
) {
    let origin = Origin {
        path: path.display().to_string(),
        line: None,
    };
    let file = match fs::File::open(path) {
        Ok(file) => file,
        Err(err) => {
            return sink(Err(IngestError::new(
                origin,
                ErrorKind::Io(err.to_string()),
            )))
        }
    };
    let mut reader = BufReader::with_capacity(64 * 1024, file);
    let format = options.format.or_else(|| Format::from_path(path));
    read_reader_with(&mut reader, format, origin, options, sink);
}

/// Reads documents from any buffered stream (standard input, a socket, a
/// decompressor). When `format` is `None` it is sniffed from the first
/// bytes (see [`detect_format`]); `origin.path` names the input in errors
/// and gives the document id.
pub fn read_reader_with(
    reader: &mut dyn BufRead,
    format: Option<Format>,
    origin: Origin,
    options: &ReadOptions,
    sink: &mut dyn FnMut(Result<Ingested, IngestError>),
) {
    // Peek at the first 8 KiB for sniffing and binary detection.
    let mut head = Vec::with_capacity(8192);
    if let Err(err) = reader.take(8192).read_to_end(&mut head) {
        return sink(Err(IngestError::new(
            origin,
            ErrorKind::Io(err.to_string()),
        )));
    }
    if head.is_empty() {
        return sink(Err(IngestError::new(origin, ErrorKind::Empty)));
    }
    let format = format.unwrap_or_else(|| detect_format(None, &head));
    if format != Format::Warc {
        if let Some(kind) = binary_kind(&head) {
            return sink(Err(IngestError::new(origin, ErrorKind::Binary(kind))));
        }
    }
    let mut stream = BufReader::with_capacity(64 * 1024, Cursor::new(head).chain(reader));
    let id = id_for_path(&origin.path);
    match format {
        Format::Jsonl => crate::jsonl::read_lines(&mut stream, &origin.path, &id, options, sink),
        Format::Warc => crate::warc::read_warc(&mut stream, &origin.path, &id, options, sink),
        Format::Text | Format::Html | Format::Feed => {
            let mut bytes = Vec::new();
            let limit = options.max_document_bytes;
            if let Err(err) = (&mut stream)
                .take(limit.saturating_add(1))
                .read_to_end(&mut bytes)
            {
                return sink(Err(IngestError::new(
                    origin,
                    ErrorKind::Io(err.to_string()),
                )));
            }
            if bytes.len() as u64 > limit {
                return sink(Err(IngestError::new(origin, ErrorKind::TooLarge { limit })));
            }
            if format == Format::Feed {
                crate::feed::read_feed(&bytes, &origin.path, &id, sink);
            } else {
                sink(document_from_bytes(&bytes, format, origin, &id));
            }
        }
    }
}

/// Reads documents from bytes in memory, in the given format. `origin.path`
/// names the input in errors and gives the document id ("stdin" for `-`).
pub fn read_bytes(
    bytes: &[u8],
    format: Format,
    origin: Origin,
    sink: &mut dyn FnMut(Result<Document, IngestError>),
) {
    read_bytes_with(
        bytes,
        format,
        origin,
        &ReadOptions::default(),
        &mut |result| sink(result.map(|read| read.document)),
    );
}

/// [`read_bytes`] with options, passing documents with their warnings.
pub fn read_bytes_with(
    bytes: &[u8],
    format: Format,
    origin: Origin,
    options: &ReadOptions,
    sink: &mut dyn FnMut(Result<Ingested, IngestError>),
) {
    let mut cursor = Cursor::new(bytes);
    read_reader_with(&mut cursor, Some(format), origin, options, sink);
}

/// One text or HTML document from its raw bytes.
fn document_from_bytes(
    bytes: &[u8],
    format: Format,
    origin: Origin,
    id: &str,
) -> Result<Ingested, IngestError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(IngestError::new(origin, ErrorKind::Empty));
    }
    let (text, decode_warning) = decode(bytes);
    let warnings: Vec<String> = decode_warning.into_iter().collect();
    if text.trim().is_empty() {
        return Err(IngestError::new(origin, ErrorKind::Empty));
    }
    let document = match format {
        Format::Html => crate::html::extract_html(&text, origin)?,
        _ => {
            let body = text.replace("\r\n", "\n");
            Document {
                id: id.to_string(),
                text: body.trim().to_string(),
                origin,
                ..Document::default()
            }
        }
    };
    let published_from = document.published.map(|_| "metadata");
    Ok(Ingested {
        document,
        warnings,
        published_from,
    })
}

/// The document id for an input path: its file stem, `stdin` for `-`.
pub(crate) fn id_for_path(path: &str) -> String {
    if path == "-" || path.is_empty() {
        return "stdin".to_string();
    }
    Path::new(path)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "document".to_string())
}
