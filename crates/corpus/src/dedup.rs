//! Near-duplicate detection: MinHash signatures over word 3-shingles, a
//! banded LSH index for candidates, and a verification of every candidate
//! by its estimated resemblance and containment (Broder 1997).
//!
//! # Why this design
//!
//! A 64-bit SimHash with a Hamming threshold of 5 bits (the previous
//! design) is noisy on 200-word articles: a changed dateline alone moved a
//! copy out of range one time in four. What decides whether two articles
//! are the same story is how many shingles they share, so the index
//! estimates exactly that:
//!
//! * **Shingles**: runs of [`SHINGLE`] (3) lower-cased alphanumeric words,
//!   hashed to 64 bits ([`fnv1a64`] per word, SplitMix64 to combine);
//!   duplicates removed, so a text is a *set* of shingles.
//! * **Signature** ([`Signature`]): [`SIGNATURE_LEN`] (128) MinHash values
//!   by one-permutation hashing (Li, Owen & Zhang 2012: the top 7 bits of a
//!   shingle's hash pick one of 128 bins, each bin keeps the smallest low
//!   32 bits; empty bins filled by optimal densification, Shrivastava
//!   2017), so a text costs one hash per shingle instead of 128; each
//!   value kept as its lowest 4 bits (b-bit MinHash, Li & König 2010):
//!   64 bytes, plus the number of shingles. Two sets agree on a value with probability
//!   `J + (1 − J)/16`, where `J = |A ∩ B| / |A ∪ B|` is their *resemblance*
//!   (Jaccard similarity), so `Ĵ = (agree/128 − 1/16) / (15/16)`; standard
//!   error about 0.045 at `J = 0.6`. *Containment* `|A ∩ B| / min(|A|, |B|)`
//!   follows from `Ĵ` and the two set sizes.
//! * **Decision** ([`Similarity::is_near_duplicate`]): resemblance ≥
//!   [`MIN_RESEMBLANCE`] (0.7), *or* containment ≥ [`MIN_CONTAINMENT`]
//!   (0.9) with resemblance ≥ [`MIN_RESEMBLANCE_CONTAINED`] (0.35).
//!   Swapping a few words of a 200-word article changes 3 shingles per
//!   word (J ≈ 0.9); a new dateline or credit line a few (J > 0.9); a
//!   paragraph appended to four keeps J ≈ 0.8. A copy cut short
//!   (syndicated excerpt) or an update that doubles the text has J near
//!   0.5 but containment near 1, hence the second rule; its J ≥ 0.35 guard
//!   (the smaller text is at least about a third of the larger) keeps a
//!   short text quoted inside a long one (a statement, a headline) apart,
//!   and bounds the error of the containment estimate, which grows with
//!   the size ratio. Two outlets reporting one attack in their own words
//!   share well under 10% of their shingles (names and short phrases); an
//!   article reusing another's lead sentences with its own body shares
//!   that lead: at most J = 0.45 and containment 0.68 on the hard
//!   negatives of `vigil bench --corpus`, whose republished copies all
//!   have J ≥ 0.7 or containment ≥ 0.93. Articles on one event stay
//!   apart and are merged later, if at all, as one *incident*. The margin
//!   of 0.25 between 0.45 and 0.7 is more than five standard errors of
//!   the estimate.
//! * **Candidates**: `BANDS × ROWS` (12 × 2) classic MinHash values (one
//!   hash function `h_i(x) = (a_i·x + b_i) >> 32` each, full 32 bits) form
//!   [`BANDS`] band keys; two texts become candidates when they agree on
//!   all [`ROWS`] values of some band, with probability
//!   `1 − (1 − J²)^12`: 0.88 at J = 0.4, 0.97 at 0.5, 0.996 at 0.6, 0.9998
//!   at 0.7; a pair sharing 1% of its shingles (boilerplate) about 0.001.
//!   A lookup verifies only the documents sharing a band key.
//!
//! # Memory
//!
//! Per indexed story: 64 bytes of signature, 4 of size, 48 of band keys,
//! 48 of chain links, about 80 of hash-table slots (12 per story, 4 bytes
//! each at a load factor between 0.375 and 0.75) and the id's bytes plus
//! 4: about 250 bytes + id, so ≈ 260 MB for 1,000,000 stories
//! ([`DuplicateIndex::memory_bytes`]). All of it lives in a few flat
//! vectors: no allocation per document.
//!
//! # Transactions
//!
//! A store files the documents of a batch before committing it; if the
//! commit fails, [`DuplicateIndex::truncate`] to the [`DuplicateIndex::len`]
//! taken before the batch undoes the batch's insertions exactly (no clone
//! of the index needed).

use std::fmt;

/// Words per shingle.
pub const SHINGLE: usize = 3;

/// MinHash values per signature.
pub const SIGNATURE_LEN: usize = 128;

/// Bits kept of each MinHash value in a [`Signature`].
const VALUE_BITS: u32 = 4;

/// Bands of the LSH index.
pub const BANDS: usize = 12;

/// MinHash values per band.
pub const ROWS: usize = 2;

/// Texts with at least this estimated resemblance (Jaccard similarity of
/// their shingle sets) are near-duplicates.
pub const MIN_RESEMBLANCE: f64 = 0.7;

/// Texts where at least this share of the smaller one's shingles occur in
/// the larger are near-duplicates, if their resemblance is at least
/// [`MIN_RESEMBLANCE_CONTAINED`].
pub const MIN_CONTAINMENT: f64 = 0.9;

/// The resemblance the containment rule needs at least.
pub const MIN_RESEMBLANCE_CONTAINED: f64 = 0.35;

/// Bytes of a serialized [`Signature`] ([`Signature::to_bytes`]).
pub const SIGNATURE_BYTES: usize = PACKED + 4 + 4 * BANDS;

/// Bytes of the packed MinHash values.
const PACKED: usize = SIGNATURE_LEN * VALUE_BITS as usize / 8;

/// FNV-1a, 64 bits: a stable hash (same value on every run, platform and
/// Rust version), unlike std's randomised `DefaultHasher`.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = FNV_OFFSET;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(FNV_PRIME);
    }
    h
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The SplitMix64 finaliser: spreads a hash so that every output bit
/// depends on every input bit.
const fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Seed of the densification hashes (fixed: signatures never change).
const DENSIFY_SEED: u64 = 0x5649_4749_4c2d_6d68; // "VIGIL-mh"

/// The multipliers and offsets of the band hash functions
/// `h_i(x) = (a_i·x + b_i) >> 32`, fixed (drawn from SplitMix64 with a
/// constant seed) so that band keys never change.
const COEFFICIENTS: [(u64, u64); BANDS * ROWS] = {
    let mut out = [(0u64, 0u64); BANDS * ROWS];
    let mut state: u64 = DENSIFY_SEED ^ 0x6261_6e64; // "band"
    let mut i = 0;
    while i < BANDS * ROWS {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let a = mix(state) | 1;
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let b = mix(state);
        out[i] = (a, b);
        i += 1;
    }
    out
};

/// The words of a text as the detector sees them: maximal runs of
/// alphanumeric characters, lower-cased. Punctuation, case and spacing
/// never matter.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect()
}

/// The FNV-1a hash of every word of [`words`], without allocating a string
/// per word.
fn word_hashes(text: &str) -> Vec<u64> {
    let mut out = Vec::with_capacity(text.len() / 5);
    let mut h = FNV_OFFSET;
    let mut in_word = false;
    let feed = |h: &mut u64, c: char| {
        let mut buf = [0u8; 4];
        for &b in c.encode_utf8(&mut buf).as_bytes() {
            *h ^= u64::from(b);
            *h = h.wrapping_mul(FNV_PRIME);
        }
    };
    for c in text.chars() {
        if c.is_alphanumeric() {
            in_word = true;
            if c.is_ascii() {
                feed(&mut h, c.to_ascii_lowercase());
            } else {
                for l in c.to_lowercase() {
                    feed(&mut h, l);
                }
            }
        } else if in_word {
            out.push(h);
            h = FNV_OFFSET;
            in_word = false;
        }
    }
    if in_word {
        out.push(h);
    }
    out
}

/// The distinct shingle hashes of a text, sorted: every run of
/// [`SHINGLE`] words (every word, for texts of fewer words).
pub fn shingles(text: &str) -> Vec<u64> {
    let words = word_hashes(text);
    let mut out: Vec<u64> = if words.len() < SHINGLE {
        words.iter().map(|&w| mix(w)).collect()
    } else {
        words
            .windows(SHINGLE)
            .map(|w| w.iter().fold(0u64, |acc, &x| mix(acc ^ x)))
            .collect()
    };
    out.sort_unstable();
    out.dedup();
    out
}

/// The near-duplicate signature of a text (see the module documentation).
#[derive(Clone, PartialEq, Eq)]
pub struct Signature {
    /// The lowest [`VALUE_BITS`] bits of each MinHash value, two per byte.
    packed: [u8; PACKED],
    /// Number of distinct shingles.
    shingles: u32,
    /// The LSH band keys.
    bands: [u32; BANDS],
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signature")
            .field("shingles", &self.shingles)
            .field("bands", &self.bands)
            .finish_non_exhaustive()
    }
}

/// How similar two texts are, estimated from their signatures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Similarity {
    /// Resemblance: |A ∩ B| / |A ∪ B| of the shingle sets.
    pub resemblance: f64,
    /// |A ∩ B| / min(|A|, |B|).
    pub containment: f64,
}

impl Similarity {
    /// The near-duplicate rule: resemblance ≥ [`MIN_RESEMBLANCE`], or
    /// containment ≥ [`MIN_CONTAINMENT`] with resemblance ≥
    /// [`MIN_RESEMBLANCE_CONTAINED`].
    pub fn is_near_duplicate(&self) -> bool {
        self.resemblance >= MIN_RESEMBLANCE
            || (self.containment >= MIN_CONTAINMENT
                && self.resemblance >= MIN_RESEMBLANCE_CONTAINED)
    }

    /// A single score to rank candidates by (resemblance, then containment).
    fn score(&self) -> f64 {
        self.resemblance + self.containment / 1024.0
    }
}

/// A serialized signature that [`Signature::from_bytes`] cannot read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a near-duplicate signature is {expected} bytes long, got {found}; recompute it from the text with Signature::of")]
pub struct SignatureError {
    pub expected: usize,
    pub found: usize,
}

impl Signature {
    /// The signature of a text; `None` for a text without words.
    pub fn of(text: &str) -> Option<Self> {
        Self::of_shingles(&shingles(text))
    }

    /// The signature of a set of shingle hashes (as [`shingles`] returns).
    pub fn of_shingles(shingles: &[u64]) -> Option<Self> {
        if shingles.is_empty() {
            return None;
        }
        // One permutation: the top bits of a shingle's hash pick its bin,
        // the low 32 bits are its value; each bin keeps its minimum.
        let mut mins = [u32::MAX; SIGNATURE_LEN];
        let mut filled = [false; SIGNATURE_LEN];
        for &x in shingles {
            let bin = (x >> (64 - SIGNATURE_LEN.trailing_zeros())) as usize;
            let v = x as u32;
            mins[bin] = mins[bin].min(v);
            filled[bin] = true;
        }
        // Optimal densification: an empty bin borrows the value of the
        // first filled bin in its own fixed pseudo-random sequence of bins.
        for i in 0..SIGNATURE_LEN {
            if filled[i] {
                continue;
            }
            let mut attempt: u64 = 0;
            let source = loop {
                let j = mix(DENSIFY_SEED ^ ((i as u64) << 32 | attempt)) as usize % SIGNATURE_LEN;
                if filled[j] {
                    break j;
                }
                attempt += 1;
                if attempt > 64 * SIGNATURE_LEN as u64 {
                    // Not reached in practice; keeps the loop finite.
                    break filled.iter().position(|&f| f).unwrap_or(i);
                }
            };
            mins[i] = mins[source];
        }
        let mut packed = [0u8; PACKED];
        for (i, m) in mins.iter().enumerate() {
            let v = (m & ((1 << VALUE_BITS) - 1)) as u8;
            packed[i / 2] |= if i % 2 == 0 { v } else { v << 4 };
        }
        // Band keys from classic MinHash (one hash function per row): the
        // one-permutation bins would put a shingle common to many texts
        // (boilerplate) in the same bin of all of them, where it is the
        // minimum half the time, and make that band's key common too.
        let mut rows = [u32::MAX; BANDS * ROWS];
        for &x in shingles {
            for (m, &(a, b)) in rows.iter_mut().zip(COEFFICIENTS.iter()) {
                *m = (*m).min((a.wrapping_mul(x).wrapping_add(b) >> 32) as u32);
            }
        }
        let mut bands = [0u32; BANDS];
        for (j, key) in bands.iter_mut().enumerate() {
            let h = rows[j * ROWS..(j + 1) * ROWS]
                .iter()
                .fold(j as u64, |acc, &r| mix(acc ^ u64::from(r)));
            *key = (h >> 32) as u32;
        }
        Some(Signature {
            packed,
            shingles: u32::try_from(shingles.len()).unwrap_or(u32::MAX),
            bands,
        })
    }

    /// Number of distinct shingles of the text.
    pub fn shingles(&self) -> u32 {
        self.shingles
    }

    /// The estimated similarity of the two texts.
    pub fn similarity(&self, other: &Signature) -> Similarity {
        similarity(&self.packed, self.shingles, &other.packed, other.shingles)
    }

    /// The signature as [`SIGNATURE_BYTES`] bytes (to keep it in one
    /// column of a store).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(SIGNATURE_BYTES);
        out.extend_from_slice(&self.packed);
        out.extend_from_slice(&self.shingles.to_le_bytes());
        for b in &self.bands {
            out.extend_from_slice(&b.to_le_bytes());
        }
        out
    }

    /// Reads what [`Signature::to_bytes`] wrote.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SignatureError> {
        let bad = || SignatureError {
            expected: SIGNATURE_BYTES,
            found: bytes.len(),
        };
        if bytes.len() != SIGNATURE_BYTES {
            return Err(bad());
        }
        let word = |at: usize| -> Result<u32, SignatureError> {
            let b: [u8; 4] = bytes
                .get(at..at + 4)
                .and_then(|s| s.try_into().ok())
                .ok_or_else(bad)?;
            Ok(u32::from_le_bytes(b))
        };
        let mut packed = [0u8; PACKED];
        packed.copy_from_slice(&bytes[..PACKED]);
        let shingles = word(PACKED)?;
        let mut bands = [0u32; BANDS];
        for (j, b) in bands.iter_mut().enumerate() {
            *b = word(PACKED + 4 + 4 * j)?;
        }
        Ok(Signature {
            packed,
            shingles,
            bands,
        })
    }
}

/// Number of equal 4-bit values of two packed signatures.
fn agreements(a: &[u8; PACKED], b: &[u8; PACKED]) -> u32 {
    const LOW: u64 = 0x1111_1111_1111_1111;
    let mut differing = 0;
    for (x, y) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        let (mut wx, mut wy) = ([0u8; 8], [0u8; 8]);
        wx.copy_from_slice(x);
        wy.copy_from_slice(y);
        let d = u64::from_le_bytes(wx) ^ u64::from_le_bytes(wy);
        differing += ((d | d >> 1 | d >> 2 | d >> 3) & LOW).count_ones();
    }
    SIGNATURE_LEN as u32 - differing
}

fn similarity(a: &[u8; PACKED], size_a: u32, b: &[u8; PACKED], size_b: u32) -> Similarity {
    let chance = 1.0 / f64::from(1u32 << VALUE_BITS);
    let agree = f64::from(agreements(a, b)) / SIGNATURE_LEN as f64;
    let resemblance = ((agree - chance) / (1.0 - chance)).clamp(0.0, 1.0);
    let (sa, sb) = (f64::from(size_a), f64::from(size_b));
    let intersection = resemblance * (sa + sb) / (1.0 + resemblance);
    let containment = (intersection / sa.min(sb).max(1.0)).min(1.0);
    Similarity {
        resemblance,
        containment,
    }
}

/// "No position": the end of a chain, an empty slot.
const NONE: u32 = u32::MAX;

/// An index of story signatures with LSH band lookups (see the module
/// documentation). Documents that duplicate an indexed story are not
/// indexed themselves: every later copy is matched against the original.
#[derive(Debug, Clone, Default)]
pub struct DuplicateIndex {
    /// The ids of the stories, concatenated; `id_ends[p]` ends story `p`'s.
    ids: String,
    id_ends: Vec<u32>,
    /// Packed MinHash values, [`PACKED`] bytes per story.
    packed: Vec<u8>,
    /// Shingles per story.
    sizes: Vec<u32>,
    /// Band keys, [`BANDS`] per story: entry `p * BANDS + j`.
    keys: Vec<u32>,
    /// For entry `p * BANDS + j`: the previous entry with the same band
    /// and key ([`NONE`] at the end of the chain).
    next: Vec<u32>,
    /// Open addressing (linear probing) from (band, key) to the newest
    /// entry with that band and key; [`NONE`] marks an empty slot. The
    /// length is zero or a power of two.
    slots: Vec<u32>,
    /// Occupied slots.
    used: usize,
}

impl DuplicateIndex {
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of distinct stories (documents that duplicate none before them).
    pub fn len(&self) -> usize {
        self.sizes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sizes.is_empty()
    }

    /// Bytes of memory the index holds (capacity of its vectors).
    pub fn memory_bytes(&self) -> usize {
        self.ids.capacity()
            + 4 * (self.id_ends.capacity()
                + self.sizes.capacity()
                + self.keys.capacity()
                + self.next.capacity()
                + self.slots.capacity())
            + self.packed.capacity()
    }

    fn id(&self, p: usize) -> &str {
        let start = if p == 0 {
            0
        } else {
            self.id_ends[p - 1] as usize
        };
        self.ids
            .get(start..self.id_ends[p] as usize)
            .unwrap_or_default()
    }

    fn packed_of(&self, p: usize) -> &[u8; PACKED] {
        const EMPTY: [u8; PACKED] = [0; PACKED];
        self.packed[p * PACKED..(p + 1) * PACKED]
            .try_into()
            .unwrap_or(&EMPTY)
    }

    /// The slot to start probing at for `key` of band `band`.
    fn home(&self, band: usize, key: u32) -> usize {
        let h = mix((band as u64) << 32 | u64::from(key));
        (h as usize) & (self.slots.len() - 1)
    }

    /// The slot holding the head of (band, key), or the empty slot where it
    /// would go. The table must not be empty.
    fn probe(&self, band: usize, key: u32) -> usize {
        let mask = self.slots.len() - 1;
        let mut s = self.home(band, key);
        loop {
            let e = self.slots[s];
            if e == NONE {
                return s;
            }
            let e = e as usize;
            if e % BANDS == band && self.keys[e] == key {
                return s;
            }
            s = (s + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let cap = (self.slots.len() * 2).max(64);
        let old = std::mem::replace(&mut self.slots, vec![NONE; cap]);
        for e in old.into_iter().filter(|&e| e != NONE) {
            let (band, key) = (e as usize % BANDS, self.keys[e as usize]);
            let s = self.probe(band, key);
            self.slots[s] = e;
        }
    }

    /// Removes the head in slot `s`, shifting later entries of its probe
    /// run back (deletion without tombstones).
    fn remove_slot(&mut self, mut s: usize) {
        let mask = self.slots.len() - 1;
        self.slots[s] = NONE;
        self.used -= 1;
        let mut t = s;
        loop {
            t = (t + 1) & mask;
            let e = self.slots[t];
            if e == NONE {
                return;
            }
            let home = self.home(e as usize % BANDS, self.keys[e as usize]);
            // Move `e` into the hole when its home is not in (s, t].
            let between = if s <= t {
                s < home && home <= t
            } else {
                s < home || home <= t
            };
            if !between {
                self.slots[s] = e;
                self.slots[t] = NONE;
                s = t;
            }
        }
    }

    /// The indexed story most similar to `text` among its near-duplicates,
    /// if any (ties: the earliest inserted), with the similarity.
    pub fn find(&self, text: &str) -> Option<(&str, Similarity)> {
        let signature = Signature::of(text)?;
        self.find_signature(&signature)
    }

    /// [`DuplicateIndex::find`] for a signature computed beforehand.
    pub fn find_signature(&self, signature: &Signature) -> Option<(&str, Similarity)> {
        self.best(signature)
            .map(|(p, similarity)| (self.id(p), similarity))
    }

    fn best(&self, signature: &Signature) -> Option<(usize, Similarity)> {
        if self.slots.is_empty() {
            return None;
        }
        // Every document sharing a band, each once (sorted and deduplicated:
        // a linear `contains` per candidate was quadratic when many
        // documents share bands, as templated texts do).
        let mut candidates: Vec<usize> = Vec::new();
        for (band, &key) in signature.bands.iter().enumerate() {
            let s = self.probe(band, key);
            let mut e = self.slots[s];
            while e != NONE {
                candidates.push(e as usize / BANDS);
                e = self.next[e as usize];
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut best: Option<(usize, Similarity)> = None;
        for p in candidates {
            let sim = similarity(
                &signature.packed,
                signature.shingles,
                self.packed_of(p),
                self.sizes[p],
            );
            if !sim.is_near_duplicate() {
                continue;
            }
            let better = match &best {
                None => true,
                Some((bp, bs)) => {
                    sim.score() > bs.score() || (sim.score() == bs.score() && p < *bp)
                }
            };
            if better {
                best = Some((p, sim));
            }
        }
        best
    }

    /// Files a document. Returns the id of the story it duplicates (the
    /// most similar indexed near-duplicate; ties: the earliest), in which
    /// case the document is *not* indexed itself. Returns `None` for a new
    /// story (which is indexed) and for a text without words (which is not).
    pub fn insert(&mut self, doc_id: &str, text: &str) -> Option<String> {
        let signature = Signature::of(text)?;
        self.insert_signature(doc_id, &signature)
    }

    /// [`DuplicateIndex::insert`] for a signature computed beforehand (for
    /// instance outside a lock, or read back with [`Signature::from_bytes`]).
    pub fn insert_signature(&mut self, doc_id: &str, signature: &Signature) -> Option<String> {
        if let Some((existing, _)) = self.find_signature(signature) {
            return Some(existing.to_string());
        }
        self.push(doc_id, signature);
        None
    }

    fn push(&mut self, doc_id: &str, signature: &Signature) {
        let p = self.len();
        self.ids.push_str(doc_id);
        self.id_ends
            .push(u32::try_from(self.ids.len()).unwrap_or(u32::MAX));
        self.packed.extend_from_slice(&signature.packed);
        self.sizes.push(signature.shingles);
        for (band, &key) in signature.bands.iter().enumerate() {
            if (self.used + 1) * 4 > self.slots.len() * 3 {
                self.grow();
            }
            let e = (p * BANDS + band) as u32;
            self.keys.push(key);
            let s = self.probe(band, key);
            let head = self.slots[s];
            if head == NONE {
                self.used += 1;
            }
            self.next.push(head);
            self.slots[s] = e;
        }
    }

    /// Removes the stories inserted after the index had `len` stories, as if
    /// they had never been inserted (undoing a batch whose commit failed).
    /// Does nothing when `len >= self.len()`.
    pub fn truncate(&mut self, len: usize) {
        while self.len() > len {
            let p = self.len() - 1;
            for band in (0..BANDS).rev() {
                let e = p * BANDS + band;
                let s = self.probe(band, self.keys[e]);
                // Chains are newest first, so `e` is the head of its chain.
                if self.slots[s] as usize == e {
                    let prev = self.next[e];
                    if prev == NONE {
                        self.remove_slot(s);
                    } else {
                        self.slots[s] = prev;
                    }
                }
            }
            self.keys.truncate(p * BANDS);
            self.next.truncate(p * BANDS);
            self.sizes.truncate(p);
            self.packed.truncate(p * PACKED);
            self.id_ends.truncate(p);
            let end = self.id_ends.last().map_or(0, |&e| e as usize);
            self.ids.truncate(end);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn fnv_reference_values() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn word_hashes_match_words() {
        let text = "Él dijo: «BOMBA» en Bogotá, 12 muertos; ÆSIR-test";
        let expected: Vec<u64> = words(text).iter().map(|w| fnv1a64(w.as_bytes())).collect();
        assert_eq!(word_hashes(text), expected);
        assert_eq!(words(text).len(), 9);
    }

    #[test]
    fn empty_text_has_no_signature() {
        assert_eq!(Signature::of(" ,. "), None);
        let mut index = DuplicateIndex::new();
        assert_eq!(index.insert("a", ""), None);
        assert!(index.is_empty());
    }

    #[test]
    fn case_and_punctuation_do_not_matter() {
        assert_eq!(
            Signature::of("Police said the bomb, hidden in a car, exploded."),
            Signature::of("police said the bomb hidden in a car exploded")
        );
    }

    #[test]
    fn bytes_round_trip() {
        let s = Signature::of("a suicide bomber blew himself up inside a crowded mosque").unwrap();
        let bytes = s.to_bytes();
        assert_eq!(bytes.len(), SIGNATURE_BYTES);
        assert_eq!(Signature::from_bytes(&bytes), Ok(s));
        assert_eq!(
            Signature::from_bytes(&bytes[1..]).map_err(|e| e.found),
            Err(SIGNATURE_BYTES - 1)
        );
    }

    #[test]
    fn agreements_count_equal_nibbles() {
        let a = [0u8; PACKED];
        let mut b = [0u8; PACKED];
        assert_eq!(agreements(&a, &b), SIGNATURE_LEN as u32);
        b[0] = 0x10; // second value differs
        b[5] = 0x88; // values 10 and 11 differ
        assert_eq!(agreements(&a, &b), SIGNATURE_LEN as u32 - 3);
    }

    /// Two texts of `n` distinct words sharing the first `shared`.
    fn pair(n: usize, shared: usize, seed: usize) -> (String, String) {
        let a: Vec<String> = (0..n).map(|i| format!("w{seed}x{i}")).collect();
        let mut b = a.clone();
        for (i, w) in b.iter_mut().enumerate().skip(shared) {
            *w = format!("v{seed}x{i}");
        }
        (a.join(" "), b.join(" "))
    }

    #[test]
    fn resemblance_estimate_is_close() {
        // Texts of 300 words sharing a prefix: the exact Jaccard similarity
        // of the shingle sets is known; the estimate has a standard error
        // of about 0.045, so 0.15 is more than three errors.
        for (seed, shared) in [0, 60, 120, 180, 240, 300].into_iter().enumerate() {
            let (a, b) = pair(300, shared, seed);
            let (sa, sb) = (shingles(&a), shingles(&b));
            let inter = sa.iter().filter(|x| sb.binary_search(x).is_ok()).count();
            let exact = inter as f64 / (sa.len() + sb.len() - inter) as f64;
            let est = Signature::of(&a)
                .unwrap()
                .similarity(&Signature::of(&b).unwrap());
            assert!(
                (est.resemblance - exact).abs() < 0.15,
                "shared {shared}: exact {exact}, estimated {}",
                est.resemblance
            );
        }
    }

    #[test]
    fn truncate_undoes_insertions() {
        let texts: Vec<String> = (0..300).map(|i| pair(40, 0, i).0).collect();
        let mut index = DuplicateIndex::new();
        for (i, t) in texts.iter().take(100).enumerate() {
            assert_eq!(index.insert(&format!("d{i}"), t), None);
        }
        let before = index.clone();
        for (i, t) in texts.iter().enumerate().skip(100) {
            assert_eq!(index.insert(&format!("d{i}"), t), None);
        }
        assert_eq!(index.len(), 300);
        assert_eq!(index.find(&texts[250]).map(|(id, _)| id), Some("d250"));
        index.truncate(100);
        assert_eq!(index.len(), 100);
        assert_eq!(index.find(&texts[250]), None);
        assert_eq!(index.find(&texts[50]).map(|(id, _)| id), Some("d50"));
        // The same content, slot for slot, as before the insertions.
        assert_eq!(index.ids, before.ids);
        assert_eq!(index.keys, before.keys);
        assert_eq!(index.next, before.next);
        assert_eq!(index.packed, before.packed);
        let heads = |i: &DuplicateIndex| {
            let mut h: Vec<u32> = i.slots.iter().copied().filter(|&e| e != NONE).collect();
            h.sort_unstable();
            h
        };
        assert_eq!(heads(&index), heads(&before));
        assert_eq!(index.used, before.used);
        // Every remaining head is still reachable by probing.
        for e in heads(&index) {
            let (band, key) = (e as usize % BANDS, index.keys[e as usize]);
            assert_eq!(index.slots[index.probe(band, key)], e);
        }
    }
}
