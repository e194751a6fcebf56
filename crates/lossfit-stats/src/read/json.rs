//! JSON label files: counts objects and label arrays, streamed (an array is counted element
//! by element, never held in memory).
//!
//! ```text
//! {"counts": {"cat": 900, "dog": 100}}          single-label counts (keys may be ids: "0", "1")
//! {"rows": 1000, "positives": {"cat": 120}}     multi-label: positive rows per label
//! ["cat", "dog", "cat"]  or  [0, 1, 0]          one label per element
//! ```
//! The counts form is what a `GROUP BY label` in Spark, `DuckDB` or `BigQuery` produces, and what
//! [`write_counts_json`](crate::write_counts_json) writes. A key given twice in `counts` has its
//! counts added. Array elements are strings (read like CSV fields: `"3"` is id 3 when the labels
//! are ids) or non-negative integers; floats, booleans, nulls and nested values are errors.

use std::collections::HashSet;
use std::fmt;
use std::io::Read;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::tally::Tally;
use super::{check_label_count, multi_label_unsupported, single_label_tally};
use crate::counts::{LabelStats, MultiLabelCounts};
use crate::error::{ErrorKind, StatsError};
use crate::format::{ReadOptions, TaskHint};

pub(super) fn read_array(
    reader: impl Read,
    options: &ReadOptions,
) -> Result<LabelStats, StatsError> {
    let Some(mut tally) = single_label_tally(options) else {
        return Err(multi_label_unsupported("JSON array"));
    };
    let mut pending = None;
    let mut de = serde_json::Deserializer::from_reader(reader);
    let result = ArraySeed {
        tally: &mut tally,
        pending: &mut pending,
    }
    .deserialize(&mut de)
    .and_then(|()| de.end());
    result.map_err(|err| json_error(err, pending))?;
    Ok(LabelStats::MultiClass(tally.finish()?))
}

pub(super) fn read_counts(
    reader: impl Read,
    options: &ReadOptions,
) -> Result<LabelStats, StatsError> {
    let mut pending = None;
    let mut de = serde_json::Deserializer::from_reader(reader);
    let result = DocSeed {
        options,
        pending: &mut pending,
    }
    .deserialize(&mut de)
    .and_then(|doc| de.end().map(|()| doc));
    let doc = result.map_err(|err| json_error(err, pending))?;
    match doc {
        Doc {
            counts: Some(tally),
            rows: None,
            positives: None,
        } => {
            if options.task == Some(TaskHint::MultiLabel) {
                return Err(ErrorKind::InvalidOptions {
                    message: "`{\"counts\": ..}` holds single-label counts; write multi-label \
                              counts as `{\"rows\": N, \"positives\": {\"label\": n, ..}}`"
                        .to_string(),
                }
                .into());
            }
            Ok(LabelStats::MultiClass(tally.finish()?))
        }
        Doc {
            counts: None,
            rows: Some(rows),
            positives: Some(positives),
        } => multi_label(rows, positives, options),
        _ => Err(ErrorKind::BadJson {
            message: "expected an object with `counts`, or with `rows` and `positives`".to_string(),
        }
        .into()),
    }
}

fn multi_label(
    rows: u64,
    positives: Vec<(String, u64)>,
    options: &ReadOptions,
) -> Result<LabelStats, StatsError> {
    if let Some(task @ (TaskHint::MultiClass | TaskHint::Binary)) = options.task {
        return Err(ErrorKind::InvalidOptions {
            message: format!(
                "`{{\"rows\": .., \"positives\": ..}}` holds multi-label counts, but the task is \
                 {task}; write single-label counts as `{{\"counts\": {{\"label\": n, ..}}}}`"
            ),
        }
        .into());
    }
    if rows == 0 || positives.is_empty() {
        return Err(ErrorKind::Empty.into());
    }
    if let Some((label, n)) = positives.iter().find(|(_, n)| *n > rows) {
        return Err(ErrorKind::BadJson {
            message: format!("label `{label}` has {n} positives but there are only {rows} rows"),
        }
        .into());
    }
    check_label_count(options, positives.len())?;
    let (labels, positives): (Vec<String>, Vec<u64>) = positives.into_iter().unzip();
    super::distinct_labels(&labels)?;
    Ok(LabelStats::MultiLabel(MultiLabelCounts::new(
        labels, positives, rows,
    )))
}

/// A serde error as a `StatsError`: the label error a visitor left in `pending`, or what the
/// parser said, at the parser's line.
fn json_error(err: serde_json::Error, pending: Option<ErrorKind>) -> StatsError {
    let line = err.line() as u64;
    let located = |kind: ErrorKind| {
        let err = StatsError::new(kind);
        if line > 0 { err.with_line(line) } else { err }
    };
    if let Some(kind) = pending {
        return located(kind);
    }
    if err.is_io() {
        return ErrorKind::Io(std::io::Error::from(err)).into();
    }
    let text = err.to_string();
    let suffix = format!(" at line {} column {}", err.line(), err.column());
    let message = match text.strip_suffix(&suffix) {
        Some(message) => format!("{message} (column {})", err.column()),
        None => text,
    };
    located(ErrorKind::BadJson { message })
}

/// Leaves `kind` for [`json_error`] and stops the parser.
fn fail<E: de::Error>(pending: &mut Option<ErrorKind>, kind: ErrorKind) -> E {
    *pending = Some(kind);
    E::custom("label error")
}

struct ArraySeed<'a> {
    tally: &'a mut Tally,
    pending: &'a mut Option<ErrorKind>,
}

impl<'de> DeserializeSeed<'de> for ArraySeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ArraySeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of labels")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(LabelSeed {
                tally: &mut *self.tally,
                pending: &mut *self.pending,
            })?
            .is_some()
        {}
        Ok(())
    }
}

/// One array element, counted as it is parsed.
struct LabelSeed<'a> {
    tally: &'a mut Tally,
    pending: &'a mut Option<ErrorKind>,
}

impl<'de> DeserializeSeed<'de> for LabelSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl Visitor<'_> for LabelSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a label: a string or a non-negative integer")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.tally.add_int(v, 1).map_err(|k| fail(self.pending, k))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        match u64::try_from(v) {
            Ok(v) => self.tally.add_int(v, 1),
            Err(_) => self.tally.add_negative(v, 1),
        }
        .map_err(|k| fail(self.pending, k))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        Err(fail(
            self.pending,
            ErrorKind::NotAnInteger {
                value: v.to_string(),
            },
        ))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.tally
            .add_field(v.as_bytes(), 1)
            .map_err(|k| fail(self.pending, k))
    }
}

/// The top-level object of a counts file.
struct Doc {
    counts: Option<Tally>,
    rows: Option<u64>,
    positives: Option<Vec<(String, u64)>>,
}

struct DocSeed<'a> {
    options: &'a ReadOptions,
    pending: &'a mut Option<ErrorKind>,
}

impl<'de> DeserializeSeed<'de> for DocSeed<'_> {
    type Value = Doc;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Doc, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DocSeed<'_> {
    type Value = Doc;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object with `counts`, or with `rows` and `positives`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Doc, A::Error> {
        let mut doc = Doc {
            counts: None,
            rows: None,
            positives: None,
        };
        while let Some(key) = map.next_key::<String>()? {
            let duplicate = || de::Error::custom(format_args!("duplicate key `{key}`"));
            match key.as_str() {
                "counts" => {
                    if doc.counts.is_some() {
                        return Err(duplicate());
                    }
                    // An object's keys have no order: ids may turn out to be names.
                    let mut tally = single_label_tally(self.options)
                        .unwrap_or_else(|| Tally::new(None, false))
                        .unordered();
                    map.next_value_seed(ClassCountsSeed {
                        tally: &mut tally,
                        pending: &mut *self.pending,
                    })?;
                    doc.counts = Some(tally);
                }
                "rows" => {
                    if doc.rows.is_some() {
                        return Err(duplicate());
                    }
                    doc.rows = Some(map.next_value_seed(CountSeed)?);
                }
                "positives" => {
                    if doc.positives.is_some() {
                        return Err(duplicate());
                    }
                    doc.positives = Some(map.next_value_seed(PositivesSeed)?);
                }
                _ => {
                    return Err(de::Error::custom(format_args!(
                        "unknown key `{key}`, expected `counts`, or `rows` and `positives`"
                    )));
                }
            }
        }
        Ok(doc)
    }
}

/// `{"cat": 900, ...}` counted into a tally in file order (so the first key decides ids or
/// names, as the first label does in the other formats).
struct ClassCountsSeed<'a> {
    tally: &'a mut Tally,
    pending: &'a mut Option<ErrorKind>,
}

impl<'de> DeserializeSeed<'de> for ClassCountsSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ClassCountsSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of class counts, e.g. {\"cat\": 900, \"dog\": 100}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            let n = map.next_value_seed(CountSeed)?;
            self.tally
                .add_field(key.as_bytes(), n)
                .map_err(|k| fail(self.pending, k))?;
        }
        Ok(())
    }
}

/// `{"cat": 120, ...}`: positive rows per label, in file order.
struct PositivesSeed;

impl<'de> DeserializeSeed<'de> for PositivesSeed {
    type Value = Vec<(String, u64)>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for PositivesSeed {
    type Value = Vec<(String, u64)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of positive counts per label, e.g. {\"cat\": 120}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut positives: Vec<(String, u64)> = Vec::new();
        let mut seen = HashSet::new();
        while let Some(label) = map.next_key::<String>()? {
            let n = map.next_value_seed(CountSeed)?;
            if !seen.insert(label.clone()) {
                return Err(de::Error::custom(format_args!(
                    "label `{label}` appears twice"
                )));
            }
            positives.push((label, n));
        }
        Ok(positives)
    }
}

/// A count: a non-negative integer.
struct CountSeed;

impl<'de> DeserializeSeed<'de> for CountSeed {
    type Value = u64;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<u64, D::Error> {
        deserializer.deserialize_u64(self)
    }
}

impl Visitor<'_> for CountSeed {
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a count (a non-negative integer)")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
        Ok(v)
    }
}
