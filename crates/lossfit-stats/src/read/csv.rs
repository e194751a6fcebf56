//! CSV and TSV with a header row: one label column, or 0/1 columns for multi-label.
//!
//! ```text
//! id,label             path,cat,dog,bird        (multi-label: every column but id/index/
//! 1,cat                a.png,1,0,0               name/path/file, or ReadOptions::label_columns)
//! 2,"dog, small"       b.png,1,1,0
//! ```
//! Fields may be quoted (`"a,b"`, `"say ""hi"""`); a row with more or fewer fields than the
//! header is an error at its line. The label column is [`ReadOptions::column`], else the first
//! column named `label`, `labels`, `target` or `class` (case-insensitive), else the last one.

use std::io::Read;

use csv::{ByteRecord, ReaderBuilder};

use super::{check_label_count, single_label_tally};
use crate::counts::{LabelStats, MultiLabelCounts};
use crate::error::{ErrorKind, StatsError};
use crate::format::ReadOptions;

/// Column names the default rule takes as the label column.
const LABEL_NAMES: [&str; 4] = ["label", "labels", "target", "class"];
/// Column names the default multi-label rule leaves out.
const NOT_LABELS: [&str; 5] = ["id", "index", "name", "path", "file"];

pub(super) fn read(
    reader: impl Read,
    delimiter: u8,
    options: &ReadOptions,
) -> Result<LabelStats, StatsError> {
    let mut csv = ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .flexible(false)
        .buffer_capacity(256 << 10)
        .from_reader(reader);
    let header: Vec<String> = csv
        .byte_headers()
        .map_err(csv_error)?
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let name = String::from_utf8_lossy(name);
            let name = if i == 0 {
                name.trim_start_matches('\u{feff}')
            } else {
                &name
            };
            name.trim().to_string()
        })
        .collect();
    if header.is_empty() {
        return Err(ErrorKind::Empty.into());
    }
    let mut record = ByteRecord::new();
    let Some(mut tally) = single_label_tally(options) else {
        return read_multi_label(&mut csv, &header, options, &mut record);
    };
    let column = label_column(&header, options.column.as_deref())?;
    // The last column by default: unless other columns say the layout is one-hot.
    let by_default = options.column.is_none()
        && !header
            .iter()
            .any(|h| LABEL_NAMES.iter().any(|n| h.eq_ignore_ascii_case(n)));
    let mut first = true;
    while csv.read_byte_record(&mut record).map_err(csv_error)? {
        if first && by_default {
            one_hot_layout(&header, &record)?;
        }
        first = false;
        let line = line_of(&record);
        let field = record.get(column).ok_or_else(|| ragged(&header, &record))?;
        tally
            .add_field(field, 1)
            .map_err(|kind| StatsError::new(kind).with_line(line))?;
    }
    Ok(LabelStats::MultiClass(tally.finish()?))
}

fn read_multi_label<R: Read>(
    csv: &mut csv::Reader<R>,
    header: &[String],
    options: &ReadOptions,
    record: &mut ByteRecord,
) -> Result<LabelStats, StatsError> {
    let columns: Vec<usize> = match &options.label_columns {
        Some(names) => names
            .iter()
            .map(|name| find_column(header, name))
            .collect::<Result<_, _>>()?,
        None => (0..header.len())
            .filter(|&i| {
                header
                    .get(i)
                    .is_some_and(|name| !NOT_LABELS.iter().any(|n| name.eq_ignore_ascii_case(n)))
            })
            .collect(),
    };
    if columns.is_empty() {
        return Err(ErrorKind::InvalidOptions {
            message: "no multi-label columns: every column is named id, index, name, path or \
                      file; list the 0/1 columns in `label_columns`"
                .to_string(),
        }
        .into());
    }
    check_label_count(options, columns.len())?;
    let mut positives = vec![0u64; columns.len()];
    let mut rows = 0u64;
    while csv.read_byte_record(record).map_err(csv_error)? {
        let line = line_of(record);
        for (&column, positive) in columns.iter().zip(positives.iter_mut()) {
            let field = record.get(column).ok_or_else(|| ragged(header, record))?;
            match field.trim_ascii() {
                b"0" => {}
                b"1" => *positive += 1,
                other => {
                    return Err(StatsError::new(ErrorKind::NotBinary {
                        value: String::from_utf8_lossy(other).into_owned(),
                    })
                    .with_line(line)
                    .with_column(header.get(column).cloned().unwrap_or_default()));
                }
            }
        }
        rows += 1;
    }
    if rows == 0 {
        return Err(ErrorKind::Empty.into());
    }
    let labels: Vec<String> = columns
        .iter()
        .map(|&i| header.get(i).cloned().unwrap_or_default())
        .collect();
    super::distinct_labels(&labels)?;
    Ok(LabelStats::MultiLabel(MultiLabelCounts::new(
        labels, positives, rows,
    )))
}

/// The label column: the one asked for, else the default rule.
/// An error when several columns of the first row hold 0/1 values: the file is one-hot or
/// multi-label, and reading its last column alone as the class would be silently wrong.
fn one_hot_layout(header: &[String], record: &ByteRecord) -> Result<(), StatsError> {
    let binary: Vec<&String> = header
        .iter()
        .enumerate()
        .filter(|(_, name)| !NOT_LABELS.iter().any(|n| name.eq_ignore_ascii_case(n)))
        .filter(|(i, _)| {
            record
                .get(*i)
                .is_some_and(|v| matches!(v.trim_ascii(), b"0" | b"1"))
        })
        .map(|(_, name)| name)
        .collect();
    if binary.len() < 2 {
        return Ok(());
    }
    let names: Vec<String> = binary.iter().map(|n| format!("`{n}`")).collect();
    Err(ErrorKind::InvalidOptions {
        message: format!(
            "the columns {} hold 0/1 values: a one-hot or multi-label layout, so the last column \
             alone is not the class; name the label column (`column = \"..\"`, \
             `--labels-column`), or declare the task multi-label (`task = \"multilabel\"`)",
            names.join(", ")
        ),
    }
    .into())
}

fn label_column(header: &[String], asked: Option<&str>) -> Result<usize, StatsError> {
    if let Some(name) = asked {
        return find_column(header, name);
    }
    let named = header
        .iter()
        .position(|h| LABEL_NAMES.iter().any(|n| h.eq_ignore_ascii_case(n)));
    Ok(named.unwrap_or(header.len().saturating_sub(1)))
}

/// The column named `name`: exactly, else case-insensitively when that is unambiguous.
fn find_column(header: &[String], name: &str) -> Result<usize, StatsError> {
    let name = name.trim();
    if let Some(i) = header.iter().position(|h| h == name) {
        return Ok(i);
    }
    let mut folded = header
        .iter()
        .enumerate()
        .filter(|(_, h)| h.eq_ignore_ascii_case(name));
    match (folded.next(), folded.next()) {
        (Some((i, _)), None) => Ok(i),
        _ => Err(ErrorKind::MissingColumn {
            column: name.to_string(),
            available: header.to_vec(),
        }
        .into()),
    }
}

fn line_of(record: &ByteRecord) -> u64 {
    record.position().map_or(0, csv::Position::line)
}

fn ragged(header: &[String], record: &ByteRecord) -> StatsError {
    StatsError::new(ErrorKind::RaggedRow {
        expected: header.len(),
        found: record.len(),
    })
    .with_line(line_of(record))
}

fn csv_error(err: csv::Error) -> StatsError {
    match err.into_kind() {
        csv::ErrorKind::Io(err) => super::io_error(err).into(),
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => {
            let err = StatsError::new(ErrorKind::RaggedRow {
                expected: expected_len as usize,
                found: len as usize,
            });
            match pos {
                Some(pos) => err.with_line(pos.line()),
                None => err,
            }
        }
        other => ErrorKind::Io(std::io::Error::other(format!("{other:?}"))).into(),
    }
}
