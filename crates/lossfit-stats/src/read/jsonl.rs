//! JSON Lines (`.jsonl`, `.ndjson`): one JSON object per line, the label under a key, as NLP
//! corpora and `datasets`' `to_json` write them.
//!
//! ```text
//! {"text": "great movie", "label": 1}
//! {"text": "...", "meta": {"topic": "sports"}}       column = "meta.topic" (dotted: nested)
//! {"text": "...", "labels": ["news", "sports"]}      a multi-label task: a list per row
//! ```
//! The key is [`ReadOptions::column`](crate::ReadOptions::column) (a dotted path for nested
//! objects), else the first of `label`, `labels`, `target`, `class` that the first object has.
//! A single label is an integer (class id), a string (read like a CSV field) or a boolean (a
//! binary 0/1); a multi-label row is a list of ids or names (or one of them). Blank lines are
//! skipped; lines are numbered from 1 in errors; memory does not grow with the row count.

use std::collections::BTreeMap;
use std::io::BufRead;

use serde_json::Value;

use super::tally::Tally;

use super::{check_label_count, single_label_tally};
use crate::counts::{LabelStats, MultiLabelCounts};
use crate::error::{ErrorKind, StatsError};
use crate::format::ReadOptions;

/// The keys tried, in order, when no column is given.
const DEFAULT_KEYS: [&str; 4] = ["label", "labels", "target", "class"];

pub(super) fn read(reader: impl BufRead, options: &ReadOptions) -> Result<LabelStats, StatsError> {
    let mut counter = match single_label_tally(options) {
        Some(tally) => Counter::Single(tally),
        None => Counter::Multi {
            positives: BTreeMap::new(),
            rows: 0,
        },
    };
    let mut key: Option<Vec<String>> = options
        .column
        .as_ref()
        .map(|c| c.split('.').map(str::to_string).collect());
    super::for_each_line(reader, |line, text| {
        let at_line = |kind: ErrorKind| StatsError::new(kind).with_line(line);
        let object: Value = serde_json::from_slice(text).map_err(|e| {
            at_line(ErrorKind::BadJsonLine {
                message: format!("not a JSON object on one line ({e})"),
            })
        })?;
        let Value::Object(_) = &object else {
            return Err(at_line(ErrorKind::BadJsonLine {
                message: "each line must be a JSON object holding the label under a key"
                    .to_string(),
            }));
        };
        let path = match &key {
            Some(path) => path,
            None => key.insert(default_key(&object).map_err(at_line)?),
        };
        let value = lookup(&object, path).map_err(at_line)?;
        counter.add(value, path).map_err(at_line)
    })?;
    match counter {
        Counter::Single(tally) => Ok(LabelStats::MultiClass(tally.finish()?)),
        Counter::Multi { rows: 0, .. } => Err(ErrorKind::Empty.into()),
        Counter::Multi { positives, rows } => {
            check_label_count(options, positives.len())?;
            let (labels, counts): (Vec<String>, Vec<u64>) = positives
                .into_iter()
                .map(|(label, n)| (label.to_string(), n))
                .unzip();
            Ok(LabelStats::MultiLabel(MultiLabelCounts::new(
                labels, counts, rows,
            )))
        }
    }
}

/// What is counted: one label per row, or a list of positives per row (a multi-label task).
enum Counter {
    Single(Tally),
    Multi {
        positives: BTreeMap<Label, u64>,
        rows: u64,
    },
}

impl Counter {
    /// Counts one row's label value (found at `path`).
    fn add(&mut self, value: &Value, path: &[String]) -> Result<(), ErrorKind> {
        match self {
            Counter::Multi { positives, rows } => {
                *rows += 1;
                let labels: &[Value] = match value {
                    Value::Array(items) => items,
                    single => std::slice::from_ref(single),
                };
                for item in labels {
                    *positives.entry(Label::of(item)?).or_default() += 1;
                }
                Ok(())
            }
            Counter::Single(tally) => match value {
                Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                    (Some(id), _) => tally.add_int(id, 1),
                    (None, Some(negative)) => tally.add_negative(negative, 1),
                    _ => Err(ErrorKind::NotAnInteger {
                        value: n.to_string(),
                    }),
                },
                Value::String(s) => tally.add_field(s.as_bytes(), 1),
                Value::Bool(b) => tally.add_int(u64::from(*b), 1),
                Value::Array(_) => Err(ErrorKind::BadJsonLine {
                    message: "a list of labels is a multi-label row: declare the task \
                              multi-label (`task = \"multilabel\"`, `--task multilabel`)"
                        .to_string(),
                }),
                Value::Null | Value::Object(_) => Err(ErrorKind::BadJsonLine {
                    message: format!(
                        "the label under `{}` is {}, not a class id or name",
                        path.join("."),
                        kind(value)
                    ),
                }),
            },
        }
    }
}

/// The first default key the object has.
fn default_key(object: &Value) -> Result<Vec<String>, ErrorKind> {
    DEFAULT_KEYS
        .iter()
        .find(|k| object.get(**k).is_some())
        .map(|k| vec![(*k).to_string()])
        .ok_or_else(|| ErrorKind::MissingColumn {
            column: DEFAULT_KEYS.join("` / `"),
            available: keys(object),
        })
}

/// The value at a dotted path.
fn lookup<'v>(object: &'v Value, path: &[String]) -> Result<&'v Value, ErrorKind> {
    let mut value = object;
    for (depth, part) in path.iter().enumerate() {
        value = value.get(part).ok_or_else(|| ErrorKind::MissingColumn {
            column: path[..=depth].join("."),
            available: keys(value)
                .into_iter()
                .map(|k| {
                    if depth == 0 {
                        k
                    } else {
                        format!("{}.{k}", path[..depth].join("."))
                    }
                })
                .collect(),
        })?;
    }
    Ok(value)
}

fn keys(object: &Value) -> Vec<String> {
    object
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// A multi-label label: ids sort numerically, before names, names alphabetically.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Label {
    Id(u64),
    Name(String),
}

impl Label {
    fn of(value: &Value) -> Result<Self, ErrorKind> {
        match value {
            Value::Number(n) => n
                .as_u64()
                .map(Label::Id)
                .ok_or_else(|| ErrorKind::NotAnInteger {
                    value: n.to_string(),
                }),
            Value::String(s) if s.trim().is_empty() => Err(ErrorKind::EmptyLabel),
            Value::String(s) => Ok(Label::Name(s.trim().to_string())),
            other => Err(ErrorKind::BadJsonLine {
                message: format!("a multi-label row lists ids or names, not {}", kind(other)),
            }),
        }
    }
}

impl std::fmt::Display for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Label::Id(id) => write!(f, "{id}"),
            Label::Name(name) => f.write_str(name),
        }
    }
}
