//! The binary model format: little-endian primitives, LEB128 varints and
//! length-prefixed strings, read back with bounds checks so that a corrupt
//! or truncated file gives a [`LearnError`], never a panic.

use super::LearnError;

/// Appends primitives to a byte buffer.
#[derive(Debug, Default)]
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// An empty buffer.
    pub fn new() -> Writer {
        Writer::default()
    }

    /// The bytes written so far.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    /// Raw bytes.
    pub fn bytes(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }

    /// A little-endian `u32`.
    pub fn u32(&mut self, x: u32) {
        self.buf.extend_from_slice(&x.to_le_bytes());
    }

    /// A little-endian `i16`.
    pub fn i16(&mut self, x: i16) {
        self.buf.extend_from_slice(&x.to_le_bytes());
    }

    /// A little-endian `f32`.
    pub fn f32(&mut self, x: f32) {
        self.buf.extend_from_slice(&x.to_le_bytes());
    }

    /// An unsigned LEB128 varint.
    pub fn varint(&mut self, mut x: u64) {
        loop {
            let byte = (x & 0x7f) as u8;
            x >>= 7;
            if x == 0 {
                self.buf.push(byte);
                return;
            }
            self.buf.push(byte | 0x80);
        }
    }

    /// A varint length then UTF-8 bytes.
    pub fn str(&mut self, s: &str) {
        self.varint(s.len() as u64);
        self.buf.extend_from_slice(s.as_bytes());
    }
}

/// Reads primitives from a byte slice.
#[derive(Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// Reads from the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf, pos: 0 }
    }

    /// Bytes left.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// `n` raw bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], LearnError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len());
        match end {
            Some(end) => {
                let s = &self.buf[self.pos..end];
                self.pos = end;
                Ok(s)
            }
            None => Err(LearnError::Format("unexpected end of model data".into())),
        }
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], LearnError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    /// A little-endian `u32`.
    pub fn u32(&mut self) -> Result<u32, LearnError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    /// A little-endian `i16`.
    pub fn i16(&mut self) -> Result<i16, LearnError> {
        Ok(i16::from_le_bytes(self.array()?))
    }

    /// A little-endian `f32`; NaN and infinities are rejected.
    pub fn f32(&mut self) -> Result<f32, LearnError> {
        let x = f32::from_le_bytes(self.array()?);
        if x.is_finite() {
            Ok(x)
        } else {
            Err(LearnError::Format("non-finite number".into()))
        }
    }

    /// An unsigned LEB128 varint (at most 10 bytes).
    pub fn varint(&mut self) -> Result<u64, LearnError> {
        let mut x = 0u64;
        for shift in (0..70).step_by(7) {
            let b = self.take(1)?[0];
            x |= u64::from(b & 0x7f).checked_shl(shift).unwrap_or(0);
            if b & 0x80 == 0 {
                return Ok(x);
            }
        }
        Err(LearnError::Format("varint too long".into()))
    }

    /// A length-prefixed UTF-8 string.
    pub fn str(&mut self) -> Result<String, LearnError> {
        let n = self.varint()?;
        let n = usize::try_from(n).map_err(|_| LearnError::Format("string too long".into()))?;
        let b = self.take(n)?;
        String::from_utf8(b.to_vec())
            .map_err(|_| LearnError::Format("invalid UTF-8 in model".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_primitives() {
        let mut w = Writer::new();
        w.u32(7);
        w.varint(300);
        w.varint(u64::MAX);
        w.str("héllo");
        w.f32(-1.25);
        w.i16(-5);
        let b = w.into_bytes();
        let mut r = Reader::new(&b);
        assert_eq!(r.u32().ok(), Some(7));
        assert_eq!(r.varint().ok(), Some(300));
        assert_eq!(r.varint().ok(), Some(u64::MAX));
        assert_eq!(r.str().ok().as_deref(), Some("héllo"));
        assert_eq!(r.f32().ok(), Some(-1.25));
        assert_eq!(r.i16().ok(), Some(-5));
        assert!(r.u32().is_err());
    }

    #[test]
    fn rejects_bad_data() {
        assert!(Reader::new(&[0xff; 11]).varint().is_err());
        assert!(Reader::new(&[5, b'a']).str().is_err());
        assert!(Reader::new(&[2, 0xff, 0xfe]).str().is_err());
        assert!(Reader::new(&f32::NAN.to_le_bytes()).f32().is_err());
    }
}
