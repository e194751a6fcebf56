//! Parquet's RLE / bit-packing hybrid encoding (dictionary indices, definition levels), counted
//! rather than decoded: a run of `n` equal values adds `n` to one count, a bit-packed group adds
//! 1 to each of eight, and no value is ever written to a buffer.
//!
//! ```text
//! run := header (ULEB128) then
//!        header & 1 == 0: an RLE run of (header >> 1) copies of one value (ceil(width / 8) bytes, LE)
//!        header & 1 == 1: (header >> 1) groups of 8 values, `width` bytes per group, LSB first
//! ```

/// Why counting stopped: the data ends early, a run is malformed, or a value has no slot.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Corrupt(pub(super) &'static str);

/// Adds, for each of the first `values` values of `data` (bit width `width`, at most 16), one
/// to `counts[value]`. `counts` must have `1 << width` slots, so that every value has one.
pub(super) fn count(
    mut data: &[u8],
    width: u32,
    mut values: usize,
    counts: &mut [u64],
) -> Result<(), Corrupt> {
    debug_assert!(width <= 16 && counts.len() >= 1 << width);
    if width == 0 {
        // Every value is 0 (a dictionary of one entry); the data holds no bits.
        if let Some(slot) = counts.first_mut() {
            *slot += values as u64;
        }
        return Ok(());
    }
    let value_bytes = width.div_ceil(8) as usize;
    while values > 0 {
        let header = uleb128(&mut data)?;
        if header & 1 == 0 {
            let run = usize::try_from(header >> 1).map_err(|_| Corrupt("a run is too long"))?;
            if run == 0 {
                return Err(Corrupt("an empty run"));
            }
            let bytes = data
                .get(..value_bytes)
                .ok_or(Corrupt("the data ends inside a run"))?;
            let value = bytes
                .iter()
                .rev()
                .fold(0usize, |v, &b| (v << 8) | usize::from(b));
            let slot = counts
                .get_mut(value)
                .ok_or(Corrupt("a value is wider than its bit width"))?;
            let n = run.min(values);
            *slot += n as u64;
            values -= n;
            data = &data[value_bytes..];
        } else {
            let groups = usize::try_from(header >> 1).map_err(|_| Corrupt("a run is too long"))?;
            let bytes = groups
                .checked_mul(width as usize)
                .ok_or(Corrupt("a run is too long"))?;
            let n = groups.saturating_mul(8).min(values);
            // Writers may end the last run early: only the bytes its values need must be there.
            let needed = (n * width as usize).div_ceil(8);
            let packed = data
                .get(..bytes.min(data.len()))
                .filter(|p| p.len() >= needed)
                .ok_or(Corrupt("the data ends inside a bit-packed run"))?;
            count_packed(packed, width, n, counts);
            values -= n;
            data = &data[packed.len()..];
        }
    }
    Ok(())
}

/// Counts the first `n` values bit-packed in `packed` (LSB first, `width` bits each).
fn count_packed(packed: &[u8], width: u32, n: usize, counts: &mut [u64]) {
    let mask = (1u64 << width) - 1;
    let width = width as usize;
    let whole = n / 8;
    // A group of 8 values is `width` bytes; reading 8 (or 16) bytes from its start covers all
    // of it (the bytes past it are masked off).
    if width <= 8 {
        for g in 0..whole {
            let word = read_u64(packed, g * width);
            for j in 0..8 {
                counts[((word >> (j * width)) & mask) as usize] += 1;
            }
        }
    } else {
        for g in 0..whole {
            let lo = read_u64(packed, g * width);
            let hi = read_u64(packed, g * width + 8);
            let word = u128::from(lo) | (u128::from(hi) << 64);
            for j in 0..8 {
                counts[((word >> (j * width)) as u64 & mask) as usize] += 1;
            }
        }
    }
    for i in whole * 8..n {
        let bit = i * width;
        let lo = read_u64(packed, bit / 8);
        let hi = read_u64(packed, bit / 8 + 8);
        let word = u128::from(lo) | (u128::from(hi) << 64);
        counts[((word >> (bit % 8)) as u64 & mask) as usize] += 1;
    }
}

/// Eight little-endian bytes from `at`, zeros past the end.
#[inline]
fn read_u64(data: &[u8], at: usize) -> u64 {
    if let Some(bytes) = data.get(at..at + 8) {
        u64::from_le_bytes(bytes.try_into().unwrap_or_default())
    } else {
        let mut buf = [0u8; 8];
        let tail = data.get(at..).unwrap_or_default();
        buf[..tail.len()].copy_from_slice(tail);
        u64::from_le_bytes(buf)
    }
}

/// An unsigned LEB128 integer (the run header), advancing `data` past it.
fn uleb128(data: &mut &[u8]) -> Result<u64, Corrupt> {
    let mut value = 0u64;
    for (i, &byte) in data.iter().enumerate().take(10) {
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            *data = &data[i + 1..];
            return Ok(value);
        }
    }
    Err(Corrupt("a run header is cut short"))
}

/// The bit width of levels up to `max` (0 for 0).
pub(super) fn bit_width(max: u32) -> u32 {
    u32::BITS - max.leading_zeros()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Encodes `values` bit-packed (groups of 8, zero-padded), as one run.
    fn packed_run(values: &[u32], width: u32) -> Vec<u8> {
        let groups = values.len().div_ceil(8);
        let mut out = vec![((groups << 1) | 1) as u8];
        let mut bits: u128 = 0;
        let mut nbits = 0;
        for i in 0..groups * 8 {
            bits |= u128::from(values.get(i).copied().unwrap_or(0)) << nbits;
            nbits += width;
            while nbits >= 8 {
                out.push(bits as u8);
                bits >>= 8;
                nbits -= 8;
            }
        }
        out
    }

    fn counted(data: &[u8], width: u32, values: usize) -> Result<Vec<u64>, Corrupt> {
        let mut counts = vec![0; 1 << width];
        count(data, width, values, &mut counts)?;
        Ok(counts)
    }

    #[test]
    fn rle_and_packed_runs() {
        // 5 copies of 2, then a packed group 0..8 (width 3).
        let mut data = vec![5 << 1, 2];
        data.extend(packed_run(&[0, 1, 2, 3, 4, 5, 6, 7], 3));
        assert_eq!(counted(&data, 3, 13).unwrap(), [1, 1, 6, 1, 1, 1, 1, 1]);
        // Fewer values than the runs hold: the rest is padding.
        assert_eq!(counted(&data, 3, 7).unwrap(), [1, 1, 5, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn every_width_round_trips() {
        for width in 1..=16u32 {
            let values: Vec<u32> = (0..37u32).map(|i| (i * 7919) % (1 << width)).collect();
            let data = packed_run(&values, width);
            let counts = counted(&data, width, values.len()).unwrap();
            let mut expected = vec![0u64; 1 << width];
            for &v in &values {
                expected[v as usize] += 1;
            }
            assert_eq!(counts, expected, "width {width}");
        }
    }

    #[test]
    fn malformed_data_is_an_error() {
        assert!(counted(&[], 2, 1).is_err());
        assert!(counted(&[0x80], 2, 1).is_err());
        assert!(counted(&[0], 2, 1).is_err(), "an empty run");
        assert!(counted(&[4 << 1], 2, 1).is_err(), "no value byte");
        assert!(
            counted(&[3, 0xff], 2, 8).is_err(),
            "one byte for 8 values of 2 bits"
        );
        // A value wider than the width: 2 bits, value 5.
        let mut counts = vec![0; 4];
        assert!(count(&[2, 5], 2, 1, &mut counts).is_err());
    }

    #[test]
    fn widths() {
        assert_eq!(bit_width(0), 0);
        assert_eq!(bit_width(1), 1);
        assert_eq!(bit_width(2), 2);
        assert_eq!(bit_width(3), 2);
        assert_eq!(bit_width(4), 3);
    }
}
