//! Hashed features and the weight tables that score them.

use super::io::{Reader, Writer};
use super::LearnError;

/// Maps feature strings to bucket indices in `0..2^bits` with 64-bit FNV-1a
/// (stable across platforms and releases, unlike `std`'s hasher).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeatureHasher {
    bits: u32,
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

impl FeatureHasher {
    /// A hasher into `2^bits` buckets (`bits` is clamped to 8..=26).
    pub fn new(bits: u32) -> FeatureHasher {
        FeatureHasher {
            bits: bits.clamp(8, 26),
        }
    }

    /// Number of hash bits.
    pub fn bits(&self) -> u32 {
        self.bits
    }

    /// Number of buckets.
    pub fn size(&self) -> usize {
        1usize << self.bits
    }

    /// The bucket of a feature made of a template tag and its parts
    /// (`hash("w-1", &["the"])`). Parts are separated, so `("ab","c")` and
    /// `("a","bc")` differ.
    pub fn hash(&self, template: &str, parts: &[&str]) -> u32 {
        let mut h = FNV_OFFSET;
        for b in template.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(FNV_PRIME);
        }
        for part in parts {
            h = (h ^ 0xff).wrapping_mul(FNV_PRIME);
            for b in part.bytes() {
                h = (h ^ u64::from(b)).wrapping_mul(FNV_PRIME);
            }
        }
        let folded = h ^ (h >> 29) ^ (h >> 47);
        (folded & ((1u64 << self.bits) - 1)) as u32
    }

    /// The id of one part of a feature (a word, a class name), hashed on
    /// its own so that [`FeatureHasher::hash_ids`] can combine it with
    /// others: the token features read each word some thirty times and
    /// hash it once. 64-bit FNV-1a of the bytes.
    #[inline]
    pub const fn part(s: &str) -> u64 {
        fnv(FNV_OFFSET, s.as_bytes())
    }

    /// A [`FeatureHasher::part`] id `h` continued with more bytes:
    /// `extend(part("ab"), "c") == part("abc")`.
    #[inline]
    pub const fn extend(h: u64, s: &str) -> u64 {
        fnv(h, s.as_bytes())
    }

    /// The bucket of a feature made of a template tag and parts given as
    /// [`FeatureHasher::part`] ids (`hash_ids("w-1", &[part("the")])`).
    /// Order matters and parts stay separate, as in
    /// [`FeatureHasher::hash`]; the buckets differ from that method's, so a
    /// model's features must all be hashed one way or all the other.
    #[inline]
    pub fn hash_ids(&self, template: &str, parts: &[u64]) -> u32 {
        let mut h = Self::part(template);
        for &p in parts {
            h = (h ^ p).wrapping_mul(MIX_PRIME).rotate_left(29);
        }
        // The finaliser of MurmurHash3: every input bit moves the low bits.
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^= h >> 33;
        (h & ((1u64 << self.bits) - 1)) as u32
    }
}

/// An odd 64-bit constant (the golden ratio's fraction) mixing parts.
const MIX_PRIME: u64 = 0x9e37_79b9_7f4a_7c15;

/// 64-bit FNV-1a of `bytes`, continuing from `h`.
#[inline]
const fn fnv(mut h: u64, bytes: &[u8]) -> u64 {
    let mut i = 0;
    while i < bytes.len() {
        h = (h ^ bytes[i] as u64).wrapping_mul(FNV_PRIME);
        i += 1;
    }
    h
}

/// Weights of hashed features for `n_labels` outputs, stored sparsely: a
/// dense bucket → row index and the non-zero rows only.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightTable {
    n_labels: usize,
    /// `index[bucket]` is `row + 1`, or 0 when the bucket has no weights.
    index: Vec<u32>,
    rows: Rows,
}

/// One cache line of weights.
#[derive(Debug, Clone, Copy, PartialEq)]
#[repr(C, align(64))]
struct Line([f32; LINE]);

/// Weights per [`Line`].
const LINE: usize = 16;

/// The stored rows of a [`WeightTable`]. Scoring a token looks up some 80
/// scattered rows, so where a row is wide (the role tagger's 11 labels) it
/// gets a cache line of its own: one memory access per feature instead of
/// one or two, and a fixed-width sum the compiler vectorises.
#[derive(Debug, Clone, PartialEq)]
enum Rows {
    /// `n_labels` weights per row, back to back.
    Packed(Vec<f32>),
    /// One line per row, zero-padded (`ALIGNED_MIN..=LINE` labels).
    Aligned(Vec<Line>),
}

/// Tables with this many labels or more (up to [`LINE`]) are
/// [`Rows::Aligned`]: narrower rows share lines with little waste.
const ALIGNED_MIN: usize = 8;

impl Rows {
    fn new(n_labels: usize, capacity: usize) -> Rows {
        if (ALIGNED_MIN..=LINE).contains(&n_labels) {
            Rows::Aligned(Vec::with_capacity(capacity))
        } else {
            Rows::Packed(Vec::with_capacity(capacity * n_labels))
        }
    }

    /// Appends a row of exactly the table's `n_labels` weights.
    fn push(&mut self, row: &[f32]) {
        match self {
            Rows::Packed(v) => v.extend_from_slice(row),
            Rows::Aligned(v) => {
                let mut line = Line([0.0; LINE]);
                line.0[..row.len()].copy_from_slice(row);
                v.push(line);
            }
        }
    }

    /// Row `r` (0-based), `n_labels` long.
    #[inline]
    fn get(&self, r: usize, n_labels: usize) -> Option<&[f32]> {
        match self {
            Rows::Packed(v) => v.get(r * n_labels..(r + 1) * n_labels),
            Rows::Aligned(v) => v.get(r).map(|l| &l.0[..n_labels]),
        }
    }

    fn len(&self, n_labels: usize) -> usize {
        match self {
            Rows::Packed(v) => v.len() / n_labels,
            Rows::Aligned(v) => v.len(),
        }
    }
}

impl WeightTable {
    /// Builds a table from dense weights (`buckets × n_labels`, row-major),
    /// dropping rows whose largest absolute weight is below `prune`.
    pub fn from_dense(dense: &[f32], n_labels: usize, prune: f32) -> WeightTable {
        let n_labels = n_labels.max(1);
        let buckets = dense.len() / n_labels;
        let mut index = vec![0u32; buckets];
        let mut rows = Rows::new(n_labels, 0);
        let mut n_rows = 0u32;
        for (b, slot) in index.iter_mut().enumerate() {
            let row = &dense[b * n_labels..(b + 1) * n_labels];
            if row.iter().any(|w| w.abs() >= prune && *w != 0.0) {
                rows.push(row);
                n_rows += 1;
                *slot = n_rows;
            }
        }
        WeightTable {
            n_labels,
            index,
            rows,
        }
    }

    /// The dense weights (`buckets × n_labels`), zero where pruned.
    pub fn to_dense(&self) -> Vec<f32> {
        let mut dense = vec![0.0f32; self.index.len() * self.n_labels];
        for (b, out) in dense.chunks_exact_mut(self.n_labels).enumerate() {
            if let Some(row) = self.row(b as u32) {
                out.copy_from_slice(row);
            }
        }
        dense
    }

    /// Number of outputs per feature.
    pub fn n_labels(&self) -> usize {
        self.n_labels
    }

    /// Number of stored (non-zero) rows.
    pub fn n_rows(&self) -> usize {
        self.rows.len(self.n_labels)
    }

    /// The weights of one bucket, if any.
    #[inline]
    pub fn row(&self, bucket: u32) -> Option<&[f32]> {
        let r = *self.index.get(bucket as usize)? as usize;
        if r == 0 {
            return None;
        }
        self.rows.get(r - 1, self.n_labels)
    }

    /// Adds the weights of every feature into `out` (`n_labels` long).
    #[inline]
    pub fn accumulate(&self, features: &[u32], out: &mut [f32]) {
        if let Rows::Aligned(lines) = &self.rows {
            // The same sums in the same order, over whole lines.
            let n = out.len().min(LINE);
            let mut acc = [0.0f32; LINE];
            acc[..n].copy_from_slice(&out[..n]);
            for &f in features {
                let r = self.index.get(f as usize).copied().unwrap_or(0) as usize;
                if let Some(line) = r.checked_sub(1).and_then(|r| lines.get(r)) {
                    for (o, w) in acc.iter_mut().zip(&line.0) {
                        *o += *w;
                    }
                }
            }
            out[..n].copy_from_slice(&acc[..n]);
            return;
        }
        for &f in features {
            if let Some(row) = self.row(f) {
                for (o, w) in out.iter_mut().zip(row) {
                    *o += *w;
                }
            }
        }
    }

    /// Serialises: bucket count, label count, then the rows as
    /// delta-encoded bucket numbers and 16-bit weights scaled per table.
    pub fn write(&self, w: &mut Writer) {
        w.u32(self.index.len() as u32);
        w.u32(self.n_labels as u32);
        w.u32(self.n_rows() as u32);
        let max = (0..self.n_rows())
            .filter_map(|r| self.rows.get(r, self.n_labels))
            .flatten()
            .fold(0.0f32, |m, x| m.max(x.abs()));
        let scale = if max > 0.0 { max / 32767.0 } else { 1.0 };
        w.f32(scale);
        let mut prev = 0u32;
        for (b, &r) in self.index.iter().enumerate() {
            if r == 0 {
                continue;
            }
            w.varint(u64::from(b as u32 - prev));
            prev = b as u32;
            for x in self.rows.get(r as usize - 1, self.n_labels).unwrap_or(&[]) {
                w.i16((x / scale).round().clamp(-32767.0, 32767.0) as i16);
            }
        }
    }

    /// Reads what [`WeightTable::write`] wrote.
    pub fn read(r: &mut Reader<'_>) -> Result<WeightTable, LearnError> {
        let buckets = r.u32()? as usize;
        let n_labels = r.u32()? as usize;
        let n_rows = r.u32()? as usize;
        let scale = r.f32()?;
        if buckets > 1 << 26 || n_labels == 0 || n_labels > 4096 || n_rows > buckets {
            return Err(LearnError::Format(
                "weight table dimensions out of range".into(),
            ));
        }
        if n_rows.saturating_mul(n_labels).saturating_mul(2) > r.remaining() {
            return Err(LearnError::Format("weight table truncated".into()));
        }
        let mut index = vec![0u32; buckets];
        let mut rows = Rows::new(n_labels, n_rows);
        let mut row = vec![0.0f32; n_labels];
        let mut bucket = 0u64;
        for i in 0..n_rows {
            bucket += r.varint()?;
            let slot = index
                .get_mut(bucket as usize)
                .ok_or_else(|| LearnError::Format("bucket out of range".into()))?;
            if *slot != 0 {
                return Err(LearnError::Format("duplicate bucket".into()));
            }
            *slot = i as u32 + 1;
            for x in row.iter_mut() {
                *x = f32::from(r.i16()?) * scale;
            }
            rows.push(&row);
        }
        Ok(WeightTable {
            n_labels,
            index,
            rows,
        })
    }
}

/// Dense weights being trained, with the running sums needed to average
/// them (the "w − u/c" trick: no per-step copy of all weights).
#[derive(Debug, Clone)]
pub(crate) struct AveragedWeights {
    pub(crate) w: Vec<f32>,
    u: Vec<f64>,
}

impl AveragedWeights {
    pub(crate) fn new(len: usize) -> AveragedWeights {
        AveragedWeights {
            w: vec![0.0; len],
            u: vec![0.0; len],
        }
    }

    /// Adds `delta` to weight `i` at time step `c`.
    #[inline]
    pub(crate) fn add(&mut self, i: usize, delta: f32, c: u64) {
        if let (Some(w), Some(u)) = (self.w.get_mut(i), self.u.get_mut(i)) {
            *w += delta;
            *u += c as f64 * f64::from(delta);
        }
    }

    /// The averaged weights after `c` steps.
    pub(crate) fn averaged(&self, c: u64) -> Vec<f32> {
        let c = c.max(1) as f64;
        self.w
            .iter()
            .zip(&self.u)
            .map(|(w, u)| (f64::from(*w) - u / c) as f32)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::learn::io::{Reader, Writer};

    #[test]
    fn hash_is_stable_and_separates_parts() {
        let h = FeatureHasher::new(20);
        assert_eq!(h.hash("w", &["bomb"]), h.hash("w", &["bomb"]));
        assert_ne!(h.hash("w", &["ab", "c"]), h.hash("w", &["a", "bc"]));
        assert_ne!(h.hash("w", &["bomb"]), h.hash("w-1", &["bomb"]));
        assert!(h.hash("x", &["y"]) < (1 << 20));
    }

    #[test]
    fn hashed_ids_are_stable_ordered_and_spread() {
        let h = FeatureHasher::new(16);
        let id = FeatureHasher::part;
        // Pinned: a model's buckets must not move between releases.
        assert_eq!(id("bomb"), 0xcd36_d69b_c6b6_36d1);
        let (a, b) = (id("car"), id("bomb"));
        assert_eq!(h.hash_ids("w", &[b]), 12668);
        assert_eq!(h.hash_ids("ww+", &[a, b]), 46166);
        assert_eq!(h.hash_ids("ww+", &[a, b]), h.hash_ids("ww+", &[a, b]));
        assert_ne!(h.hash_ids("ww+", &[a, b]), h.hash_ids("ww+", &[b, a]));
        assert_ne!(h.hash_ids("w", &[a]), h.hash_ids("w-1", &[a]));
        assert_ne!(h.hash_ids("w", &[]), h.hash_ids("w", &[id("")]));
        // 4,000 features over 65,536 buckets: about 120 collide by chance
        // (n²/2m); a weak mix of the parts would pile them up.
        let mut seen = vec![false; h.size()];
        let mut collisions = 0;
        for i in 0..2000 {
            let w = id(&format!("w{i}"));
            for f in [h.hash_ids("w-1", &[w]), h.hash_ids("ww+", &[w, a])] {
                let slot = &mut seen[f as usize];
                collisions += usize::from(*slot);
                *slot = true;
            }
        }
        assert!(collisions < 200, "{collisions} collisions");
    }

    #[test]
    fn table_roundtrip_and_prune() {
        let dense = vec![0.0, 0.0, 1.5, -2.0, 0.001, 0.0, 0.0, 0.0];
        let t = WeightTable::from_dense(&dense, 2, 0.01);
        assert_eq!(t.n_rows(), 1);
        assert_eq!(t.row(1), Some(&[1.5f32, -2.0][..]));
        assert_eq!(t.row(2), None);
        let mut w = Writer::new();
        t.write(&mut w);
        let bytes = w.into_bytes();
        let back = WeightTable::read(&mut Reader::new(&bytes)).expect("roundtrip");
        let row = back.row(1).expect("row");
        assert!((row[0] - 1.5).abs() < 1e-3 && (row[1] + 2.0).abs() < 1e-3);
        assert!(WeightTable::read(&mut Reader::new(&bytes[..bytes.len() - 1])).is_err());
    }

    #[test]
    fn wide_and_narrow_tables_score_alike() {
        // 11 labels are stored a cache line per row, 3 packed; both must
        // sum the same weights and survive a roundtrip.
        for n in [3usize, 11, 17] {
            let dense: Vec<f32> = (0..8 * n)
                .map(|i| {
                    if i % (2 * n) < n {
                        0.0
                    } else {
                        i as f32 * 0.25 - 3.0
                    }
                })
                .collect();
            let t = WeightTable::from_dense(&dense, n, 0.01);
            assert_eq!(t.n_rows(), 4, "{n} labels");
            assert_eq!(t.to_dense(), dense, "{n} labels");
            let mut out = vec![1.0f32; n];
            t.accumulate(&[1, 3, 2, 7, 1_000], &mut out);
            let expect: Vec<f32> = (0..n)
                .map(|k| 1.0 + dense[n + k] + dense[3 * n + k] + dense[7 * n + k])
                .collect();
            assert_eq!(out, expect, "{n} labels");
            let mut w = Writer::new();
            t.write(&mut w);
            let bytes = w.into_bytes();
            let back = WeightTable::read(&mut Reader::new(&bytes)).expect("roundtrip");
            assert_eq!(back.n_rows(), 4);
            let mut again = vec![1.0f32; n];
            back.accumulate(&[1, 3, 2, 7], &mut again);
            for (a, b) in again.iter().zip(&expect) {
                assert!((a - b).abs() < 1e-2, "{n} labels: {a} vs {b}");
            }
        }
    }
}
