//! The fast path: a flat label column counted page by page, straight from the encoded data.
//!
//! A dictionary-encoded page (what pyarrow, `DuckDB`, Spark and `datasets` write for a label
//! column) is counted per dictionary index with [`hybrid::count`], and the indices are mapped
//! to their values once per column chunk; plain pages (a dictionary that grew too large) are
//! counted value by value. Anything else (other encodings, deprecated bit-packed levels) is
//! [`Fast::Unsupported`], and the caller reads the chunk with the general column reader.

use parquet::basic::{Encoding, Type as Physical};
use parquet::column::page::{Page, PageReader};

use super::hybrid::{self, Corrupt};
use super::{Leaf, widen};
use crate::error::ErrorKind;
use crate::read::columnar::Counts;

/// Dictionaries wider than this many bits are read by the general reader.
const MAX_WIDTH: u32 = 16;

/// What the fast path made of a column chunk.
#[derive(Debug)]
pub(super) enum Fast {
    /// Its counts.
    Counted(Counts),
    /// An encoding it does not read; nothing was counted.
    Unsupported,
}

/// A column chunk's dictionary (the values its data pages index).
enum Dictionary {
    Ints(Vec<i128>),
    Strings(Vec<Box<[u8]>>),
}

impl Dictionary {
    fn len(&self) -> usize {
        match self {
            Self::Ints(v) => v.len(),
            Self::Strings(v) => v.len(),
        }
    }
}

/// Counts the labels of one flat column chunk.
pub(super) fn count(pages: &mut dyn PageReader, leaf: &Leaf) -> Result<Fast, ErrorKind> {
    let mut counts = Counts::default();
    let mut dictionary: Option<Dictionary> = None;
    // Uses of each dictionary index, folded into `counts` when the chunk ends.
    let mut uses: Vec<u64> = Vec::new();
    for page in pages {
        let page = page.map_err(|e| ErrorKind::BadParquet {
            message: e.to_string(),
        })?;
        let (buf, encoding, nulls, present, skip) = match page {
            Page::DictionaryPage {
                buf,
                num_values,
                encoding,
                ..
            } => {
                if !matches!(encoding, Encoding::PLAIN | Encoding::PLAIN_DICTIONARY) {
                    return Ok(Fast::Unsupported);
                }
                if let Some(old) = dictionary.take() {
                    flush(&old, &mut uses, &mut counts)?;
                }
                let mut values = Plain::new(&buf, leaf.physical);
                let dict = match leaf.physical {
                    Physical::BYTE_ARRAY => Dictionary::Strings(
                        (0..num_values)
                            .map(|_| values.bytes().map(Into::into))
                            .collect::<Result<_, _>>()
                            .map_err(corrupt)?,
                    ),
                    _ => Dictionary::Ints(
                        (0..num_values)
                            .map(|_| values.int(leaf.unsigned))
                            .collect::<Result<_, _>>()
                            .map_err(corrupt)?,
                    ),
                };
                let width = hybrid::bit_width(dict.len().saturating_sub(1) as u32);
                if width > MAX_WIDTH {
                    return Ok(Fast::Unsupported);
                }
                uses = vec![0; (1usize << width).max(dict.len())];
                dictionary = Some(dict);
                continue;
            }
            Page::DataPage {
                buf,
                num_values,
                encoding,
                def_level_encoding,
                ..
            } => {
                let num_values = num_values as usize;
                let (present, skip) = if leaf.max_def > 0 {
                    if def_level_encoding != Encoding::RLE {
                        return Ok(Fast::Unsupported);
                    }
                    let len = buf
                        .get(..4)
                        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
                        .ok_or_else(|| corrupt(Corrupt("no definition levels")))?;
                    let levels = buf
                        .get(4..4 + len)
                        .ok_or_else(|| corrupt(Corrupt("the definition levels are cut short")))?;
                    (defined(levels, leaf.max_def, num_values)?, 4 + len)
                } else {
                    (num_values, 0)
                };
                (buf, encoding, num_values - present, present, skip)
            }
            Page::DataPageV2 {
                buf,
                num_values,
                encoding,
                num_nulls,
                def_levels_byte_len,
                rep_levels_byte_len,
                ..
            } => {
                let present = (num_values as usize)
                    .checked_sub(num_nulls as usize)
                    .ok_or_else(|| corrupt(Corrupt("more nulls than values")))?;
                let skip = def_levels_byte_len as usize + rep_levels_byte_len as usize;
                (buf, encoding, num_nulls as usize, present, skip)
            }
        };
        counts.add_nulls(nulls as u64);
        let data = buf
            .get(skip..)
            .ok_or_else(|| corrupt(Corrupt("the levels are longer than the page")))?;
        if !values(
            data,
            encoding,
            present,
            leaf,
            dictionary.as_ref(),
            &mut uses,
            &mut counts,
        )? {
            return Ok(Fast::Unsupported);
        }
    }
    if let Some(dict) = dictionary {
        flush(&dict, &mut uses, &mut counts)?;
    }
    Ok(Fast::Counted(counts))
}

/// Counts a data page's `present` values; `false` for an encoding the fast path does not read.
fn values(
    data: &[u8],
    encoding: Encoding,
    present: usize,
    leaf: &Leaf,
    dictionary: Option<&Dictionary>,
    uses: &mut Vec<u64>,
    counts: &mut Counts,
) -> Result<bool, ErrorKind> {
    match encoding {
        Encoding::PLAIN_DICTIONARY | Encoding::RLE_DICTIONARY => {
            if dictionary.is_none() {
                return Err(corrupt(Corrupt(
                    "a dictionary-encoded page without a dictionary",
                )));
            }
            let (&width, indices) = data
                .split_first()
                .ok_or_else(|| corrupt(Corrupt("an empty page")))?;
            let width = u32::from(width);
            if width > MAX_WIDTH {
                return Ok(false);
            }
            // Writers may use more bits than the dictionary needs (pyarrow writes 1 bit for a
            // dictionary of one value): every index of the width gets a slot, and `flush`
            // refuses uses beyond the dictionary.
            if uses.len() < 1 << width {
                uses.resize(1 << width, 0);
            }
            hybrid::count(indices, width, present, uses).map_err(corrupt)?;
            Ok(true)
        }
        Encoding::PLAIN if leaf.physical != Physical::BOOLEAN => {
            let mut values = Plain::new(data, leaf.physical);
            for _ in 0..present {
                if leaf.physical == Physical::BYTE_ARRAY {
                    counts.add_str(values.bytes().map_err(corrupt)?, 1)?;
                } else {
                    counts.add_int(values.int(leaf.unsigned).map_err(corrupt)?, 1)?;
                }
            }
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// Folds the uses of a dictionary's indices into `counts` and clears them.
fn flush(dict: &Dictionary, uses: &mut [u64], counts: &mut Counts) -> Result<(), ErrorKind> {
    if uses.iter().skip(dict.len()).any(|&n| n > 0) {
        return Err(corrupt(Corrupt("an index beyond the dictionary")));
    }
    match dict {
        Dictionary::Ints(values) => {
            for (&value, &n) in values.iter().zip(uses.iter()) {
                if n > 0 {
                    counts.add_int(value, n)?;
                }
            }
        }
        Dictionary::Strings(values) => {
            for (value, &n) in values.iter().zip(uses.iter()) {
                if n > 0 {
                    counts.add_str(value, n)?;
                }
            }
        }
    }
    uses.fill(0);
    Ok(())
}

/// The number of defined (non-null) values among the first `n` definition levels.
fn defined(levels: &[u8], max_def: i16, n: usize) -> Result<usize, ErrorKind> {
    let max = u32::from(max_def.unsigned_abs());
    let width = hybrid::bit_width(max);
    if width > MAX_WIDTH {
        return Err(corrupt(Corrupt("definition levels too deep")));
    }
    let mut per_level = vec![0u64; 1 << width];
    hybrid::count(levels, width, n, &mut per_level).map_err(corrupt)?;
    Ok(per_level.get(max as usize).copied().unwrap_or(0) as usize)
}

fn corrupt(Corrupt(what): Corrupt) -> ErrorKind {
    ErrorKind::BadParquet {
        message: format!("a data page is corrupt: {what}"),
    }
}

/// PLAIN-encoded values, read one at a time.
struct Plain<'a> {
    data: &'a [u8],
    physical: Physical,
}

impl<'a> Plain<'a> {
    fn new(data: &'a [u8], physical: Physical) -> Self {
        Self { data, physical }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], Corrupt> {
        let (head, rest) = self
            .data
            .split_at_checked(n)
            .ok_or(Corrupt("the values are cut short"))?;
        self.data = rest;
        Ok(head)
    }

    /// An INT32 or INT64 value (`unsigned`: a `UINT_32` / `UINT_64` column).
    fn int(&mut self, unsigned: bool) -> Result<i128, Corrupt> {
        if self.physical == Physical::INT32 {
            let b = self.take(4)?;
            let v = i32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            Ok(widen(i64::from(v), 32, unsigned))
        } else {
            let b = self.take(8)?;
            let v = i64::from_le_bytes(b.try_into().unwrap_or_default());
            Ok(widen(v, 64, unsigned))
        }
    }

    /// A `BYTE_ARRAY` value: a 4-byte length, then the bytes.
    fn bytes(&mut self) -> Result<&'a [u8], Corrupt> {
        let len = self.take(4)?;
        let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize;
        self.take(len)
    }
}
