//! Turning raw bytes into text: binary detection and character decoding.

/// Signatures of common binary formats that are sometimes passed by mistake.
const MAGIC: &[(&[u8], &str)] = &[
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xFF\xD8\xFF", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"RIFF", "RIFF media (WebP, WAV, AVI)"),
    (b"%PDF-", "PDF document"),
    (b"\x1F\x8B", "gzip data"),
    (b"PK\x03\x04", "zip archive (or docx/xlsx/epub)"),
    (b"PK\x05\x06", "zip archive"),
    (b"BZh", "bzip2 data"),
    (b"\xFD7zXZ\x00", "xz data"),
    (b"\x28\xB5\x2F\xFD", "zstd data"),
    (b"7z\xBC\xAF\x27\x1C", "7-zip archive"),
    (b"Rar!\x1A\x07", "RAR archive"),
    (b"\x7FELF", "ELF executable"),
    (b"MZ", "Windows executable"),
    (b"\xCA\xFE\xBA\xBE", "Java class or Mach-O binary"),
    (b"\x00asm", "WebAssembly module"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "MS Office document"),
    (b"OggS", "Ogg media"),
    (b"ID3", "MP3 audio"),
    (b"\x00\x00\x00\x18ftyp", "MP4 media"),
    (b"\x00\x00\x00\x20ftyp", "MP4 media"),
    (b"\x1A\x45\xDF\xA3", "Matroska/WebM media"),
    (b"wOFF", "WOFF font"),
    (b"wOF2", "WOFF2 font"),
    (b"PAR1", "Parquet file"),
];

/// Names the binary format of `bytes`, or returns `None` when they look like
/// text. Text means: no known binary signature, and in the first 8 KiB
/// fewer than 1% NUL bytes and fewer than 10% other control bytes (tab,
/// line breaks, form feed and escape excepted). UTF-16 with a byte-order
/// mark counts as text.
pub(crate) fn binary_kind(bytes: &[u8]) -> Option<String> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return None;
    }
    for (magic, name) in MAGIC {
        if !bytes.starts_with(magic) {
            continue;
        }
        // Short printable signatures ("MZ", "ID3", "BZh", "OggS") also start
        // ordinary words: require a NUL or low control byte early on too.
        let printable = magic.iter().all(|b| b.is_ascii_graphic());
        let confirmed = !printable
            || magic.len() >= 5
            || bytes
                .iter()
                .take(1024)
                .any(|&b| b < 0x09 || (0x0E..0x1B).contains(&b));
        if confirmed {
            return Some((*name).to_string());
        }
    }
    let sample = &bytes[..bytes.len().min(8192)];
    if sample.is_empty() {
        return None;
    }
    let nul = sample.iter().filter(|&&b| b == 0).count();
    let control = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1B))
        .count();
    if nul * 100 > sample.len() || control * 10 > sample.len() {
        return Some(format!(
            "{nul} NUL and {control} control bytes in the first {} bytes",
            sample.len()
        ));
    }
    None
}

/// Decodes `bytes` as text. Returns the text and, when the bytes were not
/// clean UTF-8, a warning saying how they were decoded:
///
/// - UTF-8 (a byte-order mark is dropped) is taken as is;
/// - UTF-16 with a byte-order mark is decoded as UTF-16;
/// - otherwise, if the bytes contain more valid multi-byte UTF-8 sequences
///   than invalid bytes, it is UTF-8 with some damage: invalid bytes become
///   U+FFFD;
/// - otherwise it is taken to be a legacy single-byte encoding and decoded as
///   Windows-1252 (a superset of Latin-1 for printable text).
///
/// NUL characters are removed in all cases.
pub(crate) fn decode(bytes: &[u8]) -> (String, Option<String>) {
    let (text, warning) = decode_inner(bytes);
    if text.contains('\0') {
        (text.replace('\0', ""), warning)
    } else {
        (text, warning)
    }
}

fn decode_inner(bytes: &[u8]) -> (String, Option<String>) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return (text.to_string(), None);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return (
            utf16(rest, u16::from_le_bytes),
            Some("decoded as UTF-16LE".to_string()),
        );
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return (
            utf16(rest, u16::from_be_bytes),
            Some("decoded as UTF-16BE".to_string()),
        );
    }
    let (valid_multibyte, invalid) = utf8_stats(bytes);
    if valid_multibyte > invalid {
        (
            String::from_utf8_lossy(bytes).into_owned(),
            Some(format!(
                "not valid UTF-8: {invalid} invalid byte sequence(s) replaced by U+FFFD"
            )),
        )
    } else {
        (
            bytes.iter().map(|&b| windows_1252(b)).collect(),
            Some("not valid UTF-8; decoded as Windows-1252 (Latin-1)".to_string()),
        )
    }
}

fn utf16(bytes: &[u8], convert: fn([u8; 2]) -> u16) -> String {
    let units = bytes
        .chunks_exact(2)
        .map(|pair| convert([pair[0], pair[1]]));
    char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// Counts valid multi-byte UTF-8 sequences and invalid sequences.
fn utf8_stats(mut bytes: &[u8]) -> (usize, usize) {
    let mut valid_multibyte = 0;
    let mut invalid = 0;
    loop {
        match std::str::from_utf8(bytes) {
            Ok(text) => {
                valid_multibyte += text.chars().filter(|c| !c.is_ascii()).count();
                return (valid_multibyte, invalid);
            }
            Err(err) => {
                let good = err.valid_up_to();
                if let Ok(text) = std::str::from_utf8(&bytes[..good]) {
                    valid_multibyte += text.chars().filter(|c| !c.is_ascii()).count();
                }
                invalid += 1;
                let skip = good + err.error_len().unwrap_or(bytes.len() - good).max(1);
                bytes = bytes.get(skip..).unwrap_or(&[]);
            }
        }
    }
}

/// Windows-1252 to Unicode (undefined bytes map to the C1 control of the
/// same value, as browsers do).
fn windows_1252(byte: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž',
        '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}',
        'ž', 'Ÿ',
    ];
    match byte {
        0x80..=0x9F => HIGH[usize::from(byte - 0x80)],
        _ => char::from(byte),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_signatures() {
        assert_eq!(
            binary_kind(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").as_deref(),
            Some("PNG image")
        );
        assert_eq!(
            binary_kind(b"\x1F\x8B\x08\x00abc").as_deref(),
            Some("gzip data")
        );
        assert!(binary_kind(&[0u8; 100]).is_some());
        assert_eq!(binary_kind(b"MZ Ahmed said the attack..."), None);
        assert_eq!(binary_kind(b"BZh is not bzip2 here"), None);
        assert_eq!(binary_kind(b"Plain\ttext\r\nwith lines\x0c"), None);
        assert_eq!(binary_kind(b"\xFF\xFEh\0i\0"), None);
    }

    #[test]
    fn decoding() {
        assert_eq!(
            decode(b"\xEF\xBB\xBFcaf\xC3\xA9"),
            ("café".to_string(), None)
        );
        let (text, warning) = decode(b"caf\xE9 \x93quoted\x94");
        assert_eq!(text, "café “quoted”");
        assert!(warning.is_some_and(|w| w.contains("Windows-1252")));
        let (text, warning) = decode(
            "Köln – Zürich \u{FFFD}"
                .as_bytes()
                .iter()
                .copied()
                .chain([0xFF])
                .collect::<Vec<_>>()
                .as_slice(),
        );
        assert!(text.starts_with("Köln – Zürich"));
        assert!(warning.is_some_and(|w| w.contains("U+FFFD")));
        assert_eq!(decode(b"\xFF\xFEh\0i\0").0, "hi");
        assert_eq!(decode(b"a\0b").0, "ab");
    }
}
