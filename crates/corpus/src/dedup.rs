//! Near-duplicate detection: 64-bit SimHash over word 3-shingles, indexed
//! by bands so that a lookup only compares against a few candidates.

use std::collections::HashMap;

/// Fingerprints at most this many bits apart are near-duplicates.
///
/// With 3-shingles, a 400-word article that gets a new headline and one
/// edited sentence typically moves 1–4 bits; two different articles on the
/// same event differ by 20 or more.
pub const MAX_DISTANCE: u32 = 5;

/// Number of bands the fingerprint is cut into: `MAX_DISTANCE + 1`, so that
/// (pigeonhole) two fingerprints within `MAX_DISTANCE` bits agree exactly on
/// at least one band. Lookups are therefore exact, never approximate.
pub const BANDS: usize = MAX_DISTANCE as usize + 1;

/// Words per shingle.
pub const SHINGLE: usize = 3;

/// FNV-1a, 64 bits: a stable hash (same value on every run, platform and
/// Rust version), unlike std's randomised `DefaultHasher`.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The SplitMix64 finaliser: spreads FNV's output so that every bit of a
/// shingle hash is equally likely to be set (SimHash needs independent bits).
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The words of a text as SimHash sees them: maximal runs of alphanumeric
/// characters, lower-cased. Punctuation, case and spacing never matter.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect()
}

/// The 64-bit SimHash of a text: every word 3-shingle (every word, for
/// texts of fewer than three words) is hashed with [`fnv1a64`] + mixing;
/// bit `i` of the fingerprint is set when more shingles have bit `i` set
/// than unset. `None` for a text without words.
pub fn simhash(text: &str) -> Option<u64> {
    let words = words(text);
    if words.is_empty() {
        return None;
    }
    let mut counts = [0i64; 64];
    let mut add = |features: &[String]| {
        let h = mix(fnv1a64(features.join(" ").as_bytes()));
        for (i, c) in counts.iter_mut().enumerate() {
            if h >> i & 1 == 1 {
                *c += 1;
            } else {
                *c -= 1;
            }
        }
    };
    if words.len() < SHINGLE {
        for w in words.chunks(1) {
            add(w);
        }
    } else {
        for w in words.windows(SHINGLE) {
            add(w);
        }
    }
    Some(
        counts
            .iter()
            .enumerate()
            .filter(|(_, &c)| c > 0)
            .fold(0u64, |acc, (i, _)| acc | 1 << i),
    )
}

/// Number of differing bits.
pub fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// Bits `[lo, hi)` of band `i`.
fn band_range(i: usize) -> (usize, usize) {
    (i * 64 / BANDS, (i + 1) * 64 / BANDS)
}

fn band(fp: u64, i: usize) -> u64 {
    let (lo, hi) = band_range(i);
    (fp >> lo) & ((1u64 << (hi - lo)) - 1)
}

/// An index of story fingerprints. Each fingerprint is filed under its
/// [`BANDS`] bands (≈ 10–11 bits each); a lookup compares only against the
/// fingerprints sharing a band, so its cost is about `BANDS × n / 2^10`
/// comparisons instead of `n`.
#[derive(Debug, Clone, Default)]
pub struct DuplicateIndex {
    /// Inserted stories: (doc id, fingerprint), in insertion order.
    docs: Vec<(String, u64)>,
    /// (band number, band value) → positions in `docs`, ascending.
    tables: HashMap<(usize, u64), Vec<usize>>,
}

impl DuplicateIndex {
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of distinct stories (documents that duplicate none before them).
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// The indexed story closest to `text` within [`MAX_DISTANCE`] bits, if
    /// any (ties: the earliest inserted), with its distance.
    pub fn find(&self, text: &str) -> Option<(&str, u32)> {
        let fp = simhash(text)?;
        self.find_fingerprint(fp)
    }

    fn find_fingerprint(&self, fp: u64) -> Option<(&str, u32)> {
        let mut best: Option<(usize, u32)> = None;
        for i in 0..BANDS {
            let Some(positions) = self.tables.get(&(i, band(fp, i))) else {
                continue;
            };
            for &p in positions {
                let d = hamming(fp, self.docs[p].1);
                if d > MAX_DISTANCE {
                    continue;
                }
                let better = match best {
                    None => true,
                    Some((bp, bd)) => d < bd || (d == bd && p < bp),
                };
                if better {
                    best = Some((p, d));
                }
            }
        }
        best.map(|(p, d)| (self.docs[p].0.as_str(), d))
    }

    /// Files a document. Returns the id of the story it duplicates (the
    /// closest indexed one within [`MAX_DISTANCE`] bits; ties: the earliest),
    /// in which case the document is *not* indexed itself: every later copy
    /// is matched against the original. Returns `None` for a new story
    /// (which is indexed) and for a text without words (which is not).
    pub fn insert(&mut self, doc_id: &str, text: &str) -> Option<String> {
        let fp = simhash(text)?;
        if let Some((existing, _)) = self.find_fingerprint(fp) {
            return Some(existing.to_string());
        }
        let pos = self.docs.len();
        self.docs.push((doc_id.to_string(), fp));
        for i in 0..BANDS {
            self.tables.entry((i, band(fp, i))).or_default().push(pos);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_reference_values() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn bands_cover_all_bits() {
        assert_eq!(band_range(0).0, 0);
        assert_eq!(band_range(BANDS - 1).1, 64);
        for i in 1..BANDS {
            assert_eq!(band_range(i).0, band_range(i - 1).1);
        }
        let fp = 0x0123_4567_89ab_cdef_u64;
        let rebuilt = (0..BANDS).fold(0u64, |acc, i| acc | band(fp, i) << band_range(i).0);
        assert_eq!(rebuilt, fp);
    }

    #[test]
    fn empty_text_has_no_fingerprint() {
        assert_eq!(simhash(" ,. "), None);
        let mut index = DuplicateIndex::new();
        assert_eq!(index.insert("a", ""), None);
        assert!(index.is_empty());
    }

    #[test]
    fn case_and_punctuation_do_not_matter() {
        assert_eq!(
            simhash("Police said the bomb, hidden in a car, exploded."),
            simhash("police said the bomb hidden in a car exploded")
        );
    }
}
