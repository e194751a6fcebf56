//! NumPy `.npy` arrays: 1-D integer class ids, or 2-D 0/1 multi-label rows.
//!
//! ```text
//! np.save("y.npy", y.astype(np.int64))        # shape (rows,): class ids
//! np.save("Y.npy", Y.astype(np.uint8))        # shape (rows, labels): 0/1, labels named "0".."L-1"
//! ```
//! Versions 1.0, 2.0 and 3.0 of the format; dtypes `i1 i2 i4 i8 u1 u2 u4 u8 b1`, little-endian
//! (`<`, or `|` for one byte); C or Fortran order. The data is read in chunks, never whole.
//! Errors about one element give its row (0-based) and, for 2-D arrays, its column.

use std::io::{ErrorKind as IoKind, Read};

use super::single_label_tally;
use crate::counts::{LabelStats, MultiLabelCounts};
use crate::error::{ErrorKind, StatsError};
use crate::format::{ReadOptions, TaskHint};

const MAGIC: &[u8; 6] = b"\x93NUMPY";
/// Headers are a few hundred bytes; anything larger is not an array of labels.
const MAX_HEADER: usize = 1 << 20;
/// Bytes per read (a multiple of every item size).
const CHUNK: usize = 64 << 10;

pub(super) fn read(mut reader: impl Read, options: &ReadOptions) -> Result<LabelStats, StatsError> {
    let header = read_header(&mut reader)?;
    let dtype = Dtype::parse(&header.descr)?;
    let count = header
        .shape
        .iter()
        .try_fold(1u64, |acc, &d| acc.checked_mul(d))
        .and_then(|count| {
            count
                .checked_mul(dtype.size as u64)
                .map(|bytes| (count, bytes))
        });
    let Some((count, bytes)) = count else {
        return Err(bad("the shape is too large"));
    };
    let stats = match (header.shape.as_slice(), options.task) {
        (&[_], Some(TaskHint::MultiLabel)) => {
            return Err(ErrorKind::InvalidOptions {
                message: "a 1-D NPY array holds one class id per row; save multi-label 0/1 \
                          values as a 2-D array of shape (rows, labels)"
                    .to_string(),
            }
            .into());
        }
        (&[rows, labels], Some(task @ (TaskHint::MultiClass | TaskHint::Binary))) => {
            return Err(ErrorKind::InvalidOptions {
                message: format!(
                    "a 2-D NPY array of shape ({rows}, {labels}) holds multi-label 0/1 values, \
                     but the task is {task}; save class ids as a 1-D array"
                ),
            }
            .into());
        }
        (&[_], _) => read_ids(&mut reader, dtype, bytes, options)?,
        (&[rows, labels], _) => read_multi_label(
            &mut reader,
            dtype,
            bytes,
            rows,
            labels,
            header.fortran,
            options,
        )?,
        (shape, _) => return Err(ErrorKind::NpyRank { rank: shape.len() }.into()),
    };
    let mut extra = [0u8; 1];
    if read_some(&mut reader, &mut extra)? > 0 {
        return Err(bad(&format!(
            "the file has bytes after the {count} values its header announces"
        )));
    }
    Ok(stats)
}

fn read_ids(
    reader: &mut impl Read,
    dtype: Dtype,
    bytes: u64,
    options: &ReadOptions,
) -> Result<LabelStats, StatsError> {
    let Some(mut tally) = single_label_tally(options) else {
        return Err(ErrorKind::Empty.into()); // unreachable: multi-label is rejected above
    };
    let mut row = 0u64;
    for_each_value(reader, dtype, bytes, |value| {
        let added = match u64::try_from(value) {
            Ok(id) => tally.add_int(id, 1),
            Err(_) => tally.add_negative(i64::try_from(value).unwrap_or(i64::MIN), 1),
        };
        added.map_err(|kind| StatsError::new(kind).with_row(row))?;
        row += 1;
        Ok(())
    })?;
    Ok(LabelStats::MultiClass(tally.finish()?))
}

fn read_multi_label(
    reader: &mut impl Read,
    dtype: Dtype,
    bytes: u64,
    rows: u64,
    labels: u64,
    fortran: bool,
    options: &ReadOptions,
) -> Result<LabelStats, StatsError> {
    if rows == 0 || labels == 0 {
        return Err(ErrorKind::Empty.into());
    }
    let Ok(width) = usize::try_from(labels) else {
        return Err(bad("the array has too many columns"));
    };
    super::check_label_count(options, width)?;
    let mut positives = vec![0u64; width];
    let (mut row, mut column) = (0u64, 0u64);
    for_each_value(reader, dtype, bytes, |value| {
        match value {
            0 => {}
            1 => {
                if let Some(p) = usize::try_from(column)
                    .ok()
                    .and_then(|c| positives.get_mut(c))
                {
                    *p += 1;
                }
            }
            other => {
                return Err(StatsError::new(ErrorKind::NotBinary {
                    value: other.to_string(),
                })
                .with_row(row)
                .with_column(column.to_string()));
            }
        }
        // C order walks each row's columns; Fortran order each column's rows.
        if fortran {
            row += 1;
            if row == rows {
                row = 0;
                column += 1;
            }
        } else {
            column += 1;
            if column == labels {
                column = 0;
                row += 1;
            }
        }
        Ok(())
    })?;
    let names = (0..width).map(|i| i.to_string()).collect();
    Ok(LabelStats::MultiLabel(MultiLabelCounts::new(
        names, positives, rows,
    )))
}

/// Calls `f` with each of the array's values, in file order, reading `bytes` bytes in chunks.
fn for_each_value(
    reader: &mut impl Read,
    dtype: Dtype,
    bytes: u64,
    mut f: impl FnMut(i128) -> Result<(), StatsError>,
) -> Result<(), StatsError> {
    let mut buf = vec![0u8; CHUNK];
    let mut remaining = bytes;
    while remaining > 0 {
        let len = usize::try_from(remaining).map_or(CHUNK, |r| r.min(CHUNK));
        let Some(chunk) = buf.get_mut(..len) else {
            return Err(bad("internal chunk size"));
        };
        reader.read_exact(chunk).map_err(|err| {
            if err.kind() == IoKind::UnexpectedEof {
                bad(&format!(
                    "the file ends before the {} values its header announces",
                    bytes / dtype.size as u64
                ))
            } else {
                ErrorKind::Io(err).into()
            }
        })?;
        remaining -= len as u64;
        macro_rules! each {
            ($n:literal, $ty:ty) => {
                for item in chunk.chunks_exact($n) {
                    if let Some(le) = item.first_chunk::<$n>() {
                        f(i128::from(<$ty>::from_le_bytes(*le)))?;
                    }
                }
            };
        }
        match (dtype.signed, dtype.size) {
            (true, 1) => each!(1, i8),
            (true, 2) => each!(2, i16),
            (true, 4) => each!(4, i32),
            (true, _) => each!(8, i64),
            (false, 1) => each!(1, u8),
            (false, 2) => each!(2, u16),
            (false, 4) => each!(4, u32),
            (false, _) => each!(8, u64),
        }
    }
    Ok(())
}

/// An integer element type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Dtype {
    signed: bool,
    size: usize,
}

impl Dtype {
    /// `<i8`, `|u1`, `|b1`, ...: little-endian (or one-byte) integers and bools.
    fn parse(descr: &str) -> Result<Self, StatsError> {
        let wrong = || {
            StatsError::from(ErrorKind::NpyDtype {
                dtype: descr.to_string(),
            })
        };
        let mut chars = descr.chars();
        let (Some(order), Some(kind)) = (chars.next(), chars.next()) else {
            return Err(wrong());
        };
        let size: usize = chars.as_str().parse().map_err(|_| wrong())?;
        let signed = match (kind, size) {
            ('i', 1 | 2 | 4 | 8) => true,
            ('u', 1 | 2 | 4 | 8) | ('b', 1) => false,
            _ => return Err(wrong()),
        };
        match (order, size) {
            ('<' | '|', _) | ('>' | '=', 1) => Ok(Self { signed, size }),
            _ => Err(wrong()),
        }
    }
}

/// The parts of the header dict that matter.
#[derive(Debug, PartialEq, Eq)]
struct Header {
    descr: String,
    fortran: bool,
    shape: Vec<u64>,
}

fn read_header(reader: &mut impl Read) -> Result<Header, StatsError> {
    let mut preamble = [0u8; 8];
    read_exact(
        reader,
        &mut preamble,
        "the file is shorter than the NPY magic",
    )?;
    let [m0, m1, m2, m3, m4, m5, major, minor] = preamble;
    if [m0, m1, m2, m3, m4, m5] != *MAGIC {
        return Err(bad(
            "the file does not start with the NPY magic `\\x93NUMPY`",
        ));
    }
    let len = match major {
        1 => {
            let mut len = [0u8; 2];
            read_exact(reader, &mut len, "the file ends inside the header")?;
            usize::from(u16::from_le_bytes(len))
        }
        2 | 3 => {
            let mut len = [0u8; 4];
            read_exact(reader, &mut len, "the file ends inside the header")?;
            usize::try_from(u32::from_le_bytes(len)).unwrap_or(usize::MAX)
        }
        _ => return Err(bad(&format!("unsupported format version {major}.{minor}"))),
    };
    if len > MAX_HEADER {
        return Err(bad(&format!("the header is {len} bytes long")));
    }
    let mut text = vec![0u8; len];
    read_exact(reader, &mut text, "the file ends inside the header")?;
    parse_header(&String::from_utf8_lossy(&text)).map_err(|message| bad(&message))
}

/// Parses `{'descr': '<i8', 'fortran_order': False, 'shape': (10,), }`.
fn parse_header(text: &str) -> Result<Header, String> {
    let body = text
        .trim()
        .strip_prefix('{')
        .ok_or("the header is not a dict")?;
    let (mut descr, mut fortran, mut shape) = (None, None, None);
    let mut rest = body;
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix('}') {
            if !after.trim().is_empty() {
                return Err("text after the header dict".to_string());
            }
            break;
        }
        let (key, after) = split_value(rest)?;
        let after = after
            .trim_start()
            .strip_prefix(':')
            .ok_or("expected `:` after a key of the header dict")?;
        let (value, after) = split_value(after)?;
        match unquote(key) {
            Some("descr") => descr = Some(unquote(value).unwrap_or(value).to_string()),
            Some("fortran_order") => {
                fortran = Some(match value {
                    "True" => true,
                    "False" => false,
                    other => return Err(format!("fortran_order is `{other}`")),
                });
            }
            Some("shape") => shape = Some(parse_shape(value)?),
            _ => {}
        }
        rest = after.trim_start();
        rest = rest.strip_prefix(',').unwrap_or(rest);
    }
    Ok(Header {
        descr: descr.ok_or("the header has no `descr`")?,
        fortran: fortran.ok_or("the header has no `fortran_order`")?,
        shape: shape.ok_or("the header has no `shape`")?,
    })
}

/// Splits `text` after its first value: a quoted string, a bracketed group, or a bare word,
/// ending at `,`, `:` or `}` outside quotes and brackets.
fn split_value(text: &str) -> Result<(&str, &str), String> {
    let mut depth = 0usize;
    let mut quote = None;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => quote = Some(c),
            '(' | '[' | '{' => depth += 1,
            ')' | ']' if depth > 0 => depth -= 1,
            ',' | ':' | '}' if depth == 0 => {
                let (value, rest) = text.split_at(i);
                return Ok((value.trim(), rest));
            }
            _ => {}
        }
    }
    Err("the header dict is not closed".to_string())
}

fn unquote(text: &str) -> Option<&str> {
    text.strip_prefix('\'')
        .and_then(|t| t.strip_suffix('\''))
        .or_else(|| text.strip_prefix('"').and_then(|t| t.strip_suffix('"')))
}

/// `(10,)`, `(10, 3)`, `()`; Python 2 longs (`10L`) too.
fn parse_shape(text: &str) -> Result<Vec<u64>, String> {
    let inner = text
        .strip_prefix('(')
        .and_then(|t| t.strip_suffix(')'))
        .ok_or_else(|| format!("the shape `{text}` is not a tuple"))?;
    inner
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            d.trim_end_matches('L')
                .parse::<u64>()
                .map_err(|_| format!("the shape `{text}` has a dimension `{d}`"))
        })
        .collect()
}

fn bad(message: &str) -> StatsError {
    ErrorKind::BadNpy {
        message: message.to_string(),
    }
    .into()
}

fn read_exact(reader: &mut impl Read, buf: &mut [u8], short: &str) -> Result<(), StatsError> {
    reader.read_exact(buf).map_err(|err| {
        if err.kind() == IoKind::UnexpectedEof {
            bad(short)
        } else {
            ErrorKind::Io(err).into()
        }
    })
}

fn read_some(reader: &mut impl Read, buf: &mut [u8]) -> Result<usize, StatsError> {
    loop {
        match reader.read(buf) {
            Err(err) if err.kind() == IoKind::Interrupted => {}
            other => return other.map_err(|err| ErrorKind::Io(err).into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_dicts() {
        let h = parse_header("{'descr': '<i8', 'fortran_order': False, 'shape': (10,), }    \n")
            .unwrap();
        assert_eq!(
            h,
            Header {
                descr: "<i8".into(),
                fortran: false,
                shape: vec![10]
            }
        );
        let h = parse_header("{\"shape\": (3L, 4L), \"fortran_order\": True, \"descr\": \"|u1\"}")
            .unwrap();
        assert_eq!(h.shape, [3, 4]);
        assert!(h.fortran);
        let h = parse_header(
            "{'descr': [('a', '<i4'), ('b', '<f8')], 'fortran_order': False, 'shape': ()}",
        )
        .unwrap();
        assert_eq!(h.descr, "[('a', '<i4'), ('b', '<f8')]");
        assert!(h.shape.is_empty());
        assert!(parse_header("{'descr': '<i8', 'shape': (1,)}").is_err());
        assert!(parse_header("{'descr': '<i8'").is_err());
        assert!(parse_header("['descr']").is_err());
    }

    #[test]
    fn dtypes() {
        assert_eq!(
            Dtype::parse("<i8").unwrap(),
            Dtype {
                signed: true,
                size: 8
            }
        );
        assert_eq!(
            Dtype::parse("|b1").unwrap(),
            Dtype {
                signed: false,
                size: 1
            }
        );
        assert!(Dtype::parse(">i1").is_ok());
        for bad in ["<f8", ">i4", "<i3", "|b2", "<U5", "", "<", "<c16"] {
            assert!(
                matches!(Dtype::parse(bad).unwrap_err().kind(), ErrorKind::NpyDtype { dtype } if dtype == bad),
                "{bad}"
            );
        }
    }
}
