//! What the columnar readers (Parquet, Arrow) share: the counts of one part of a dataset (a
//! Parquet row group, an Arrow file), merged in a fixed order so that parts read in parallel give
//! the statistics one read in order gives; the choice of the label column; and the class names
//! of a Hugging Face `ClassLabel` feature.
//!
//! A columnar file says what its labels are by type, so the ids-or-names rule of the text
//! formats becomes: an integer column holds class ids, a boolean column 0/1 ids, and a string
//! column ids when every value is an integer, names otherwise.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::tally::{self, Tally};
use crate::counts::{ClassCounts, ClassLabel, LabelStats, MultiLabelCounts};
use crate::error::{ErrorKind, StatsError};
use crate::format::{ReadOptions, TaskHint};

/// Ids below this are counted in a vector, larger and negative ones in a map.
const DENSE: usize = 1 << 16;

/// The column names tried, in order and case-insensitively, when no column is given.
pub(super) const DEFAULT_COLUMNS: [&str; 4] = ["label", "labels", "target", "class"];

/// Label counts of one part of a dataset: integer or string labels with their number of rows
/// (single-label), or of rows that list them (multi-label).
#[derive(Debug, Default)]
pub(super) struct Counts {
    /// `dense[i]`: the count of integer label `i`.
    dense: Vec<u64>,
    /// Integer labels that are negative or `>= DENSE`.
    sparse: HashMap<i128, u64>,
    /// String labels, as written.
    strings: HashMap<Box<[u8]>, u64>,
    /// Rows counted (multi-label: rows, whatever they list).
    rows: u64,
    /// Labels that are null (single-label rows, or list elements).
    nulls: u64,
}

impl Counts {
    /// Counts `n` rows of the integer label `value`.
    pub(super) fn add_int(&mut self, value: i128, n: u64) -> Result<(), ErrorKind> {
        match usize::try_from(value) {
            Ok(i) if i < DENSE => {
                if i >= self.dense.len() {
                    self.dense.resize(i + 1, 0);
                }
                self.dense[i] = self.dense[i].saturating_add(n);
            }
            _ => {
                if !self.sparse.contains_key(&value) {
                    self.check_room()?;
                }
                let slot = self.sparse.entry(value).or_default();
                *slot = slot.saturating_add(n);
            }
        }
        Ok(())
    }

    /// Counts `n` rows of the string label `value`.
    pub(super) fn add_str(&mut self, value: &[u8], n: u64) -> Result<(), ErrorKind> {
        if let Some(slot) = self.strings.get_mut(value) {
            *slot = slot.saturating_add(n);
            return Ok(());
        }
        self.check_room()?;
        self.strings.insert(value.into(), n);
        Ok(())
    }

    /// Counts `n` null labels: reading goes on, so that the error gives the column's total.
    pub(super) fn add_nulls(&mut self, n: u64) {
        self.nulls = self.nulls.saturating_add(n);
    }

    /// Adds `n` to the row count (multi-label rows; single-label readers count labels).
    pub(super) fn add_rows(&mut self, n: u64) {
        self.rows = self.rows.saturating_add(n);
    }

    fn check_room(&self) -> Result<(), ErrorKind> {
        if self.sparse.len() + self.strings.len() >= tally::MAX_CLASSES {
            return Err(ErrorKind::TooManyClasses {
                limit: tally::MAX_CLASSES,
            });
        }
        Ok(())
    }

    /// Adds the counts of a later part.
    pub(super) fn merge(&mut self, other: Counts) -> Result<(), ErrorKind> {
        if other.dense.len() > self.dense.len() {
            self.dense.resize(other.dense.len(), 0);
        }
        for (slot, n) in self.dense.iter_mut().zip(other.dense) {
            *slot = slot.saturating_add(n);
        }
        for (value, n) in other.sparse {
            self.add_int(value, n)?;
        }
        for (value, n) in other.strings {
            self.add_str(&value, n)?;
        }
        self.add_rows(other.rows);
        self.add_nulls(other.nulls);
        Ok(())
    }

    /// The integer labels that occur, ascending, with their counts.
    fn ints(&self) -> Vec<(i128, u64)> {
        let mut ints: Vec<(i128, u64)> = self
            .dense
            .iter()
            .enumerate()
            .filter(|&(_, &n)| n > 0)
            .map(|(i, &n)| (i as i128, n))
            .chain(self.sparse.iter().map(|(&v, &n)| (v, n)))
            .collect();
        ints.sort_unstable();
        ints
    }

    /// The string labels, sorted, with a name first when there is one: its kind (name) then
    /// decides for all of them, so `"3"` in a column of names is the class named `3`.
    fn strings(&self) -> Vec<(&[u8], u64)> {
        let mut strings: Vec<(&[u8], u64)> =
            self.strings.iter().map(|(s, &n)| (&s[..], n)).collect();
        strings.sort_unstable();
        if let Some(first_name) = strings.iter().position(|(s, _)| !tally::is_integer(s)) {
            strings[..=first_name].rotate_right(1);
        }
        strings
    }
}

/// Counts the pieces of a dataset (row groups, files) on rayon's pool and merges their counts
/// in order; `progress(done, total)` gets the bytes of the pieces done, from the calling thread
/// (between batches of pieces, so that a caller's callback need not be thread-safe).
pub(super) fn count_in_parallel<P: Sync>(
    pieces: &[P],
    bytes: impl Fn(&P) -> u64,
    count: impl Fn(&P) -> Result<Counts, StatsError> + Sync,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Counts, StatsError> {
    use rayon::prelude::*;
    let total: u64 = pieces.iter().map(&bytes).sum();
    let mut done = 0u64;
    let mut counts = Counts::default();
    let batch = (4 * rayon::current_num_threads()).max(8);
    for chunk in pieces.chunks(batch) {
        let parts: Vec<Result<Counts, StatsError>> = chunk.par_iter().map(&count).collect();
        for (part, piece) in parts.into_iter().zip(chunk) {
            counts.merge(part?)?;
            done = done.saturating_add(bytes(piece));
        }
        progress(done, total);
    }
    if pieces.is_empty() {
        progress(0, 0);
    }
    Ok(counts)
}

/// Class names a dataset declares for its label column (a Hugging Face `ClassLabel`), in index
/// order.
pub(super) type DatasetNames = Option<Vec<String>>;

/// The statistics of a single-label column from the counts of all its parts.
pub(super) fn single_label(
    counts: &Counts,
    options: &ReadOptions,
    dataset_names: DatasetNames,
) -> Result<LabelStats, StatsError> {
    if counts.nulls > 0 {
        return Err(ErrorKind::NullLabel {
            count: counts.nulls,
        }
        .into());
    }
    let ints = counts.ints();
    if dataset_names.is_some()
        && let Some(&(_, n)) = ints.iter().find(|&&(value, _)| value == -1)
    {
        return Err(ErrorKind::InvalidOptions {
            message: format!(
                "{n} row{} the label -1, which `datasets` writes for a row without a label (test \
                 splits often have none); count a labelled split (train, validation) or drop \
                 those rows",
                if n == 1 { " has" } else { "s have" }
            ),
        }
        .into());
    }
    let mut tally = super::single_label_tally(options).unwrap_or_else(|| Tally::new(None, false));
    for (value, n) in ints {
        match u64::try_from(value) {
            Ok(id) => tally.add_int(id, n)?,
            Err(_) => tally.add_negative(i64::try_from(value).unwrap_or(i64::MIN), n)?,
        }
    }
    for (value, n) in counts.strings() {
        tally.add_field(value, n)?;
    }
    let counts = tally.finish()?;
    let counts = match (&options.class_names, dataset_names) {
        (Some(names), _) => counts.with_class_names(names)?,
        (None, Some(names)) if options.task != Some(TaskHint::Binary) => {
            named_by_dataset(counts, &names)?
        }
        _ => counts,
    };
    Ok(LabelStats::MultiClass(counts))
}

/// Ids `0..names.len()` relabelled with the dataset's class names (`ClassLabel.names`), in
/// their order.
fn named_by_dataset(counts: ClassCounts, names: &[String]) -> Result<ClassCounts, StatsError> {
    if !counts
        .labels()
        .iter()
        .all(|l| matches!(l, ClassLabel::Id(_)))
    {
        // String labels: the names are the declared order.
        return counts.with_class_names(names);
    }
    let by_id = counts.with_declared_classes(names.len())?;
    let pairs = names
        .iter()
        .zip(by_id.counts())
        .map(|(name, n)| (ClassLabel::from(name.as_str()), n));
    ClassCounts::from_pairs(pairs).with_class_names(names)
}

/// The statistics of a multi-label (list) column: `counts` holds the rows and, per label, the
/// rows that list it.
pub(super) fn multi_label(
    counts: &Counts,
    options: &ReadOptions,
    dataset_names: DatasetNames,
) -> Result<LabelStats, StatsError> {
    if counts.rows == 0 {
        return Err(ErrorKind::Empty.into());
    }
    if counts.nulls > 0 {
        return Err(ErrorKind::NullLabel {
            count: counts.nulls,
        }
        .into());
    }
    let names = options.class_names.clone().or(dataset_names);
    let mut positives: BTreeMap<String, u64> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    if let Some(names) = &names {
        for name in names {
            positives.insert(name.clone(), 0);
            order.push(name.clone());
        }
    }
    let mut add = |label: String, n: u64| -> Result<(), ErrorKind> {
        match positives.get_mut(&label) {
            Some(slot) => *slot = slot.saturating_add(n),
            None if names.is_some() => return Err(ErrorKind::UndeclaredClass { name: label }),
            None => {
                order.push(label.clone());
                positives.insert(label, n);
            }
        }
        Ok(())
    };
    for (value, n) in counts.ints() {
        let id = u64::try_from(value).map_err(|_| ErrorKind::NegativeClass {
            value: i64::try_from(value).unwrap_or(i64::MIN),
        })?;
        let label = match &names {
            Some(names) => usize::try_from(id)
                .ok()
                .and_then(|i| names.get(i))
                .cloned()
                .ok_or(ErrorKind::ClassOutOfRange {
                    id,
                    classes: names.len(),
                })?,
            None => id.to_string(),
        };
        add(label, n)?;
    }
    let mut strings: Vec<(&[u8], u64)> = counts.strings.iter().map(|(s, &n)| (&s[..], n)).collect();
    strings.sort_unstable();
    for (value, n) in strings {
        let label = std::str::from_utf8(value)
            .map_err(|_| ErrorKind::NotUtf8)?
            .trim();
        if label.is_empty() {
            return Err(ErrorKind::EmptyLabel.into());
        }
        add(label.to_string(), n)?;
    }
    super::check_label_count(options, order.len())?;
    // The dataset's order, else ids numerically then names alphabetically (as added; the
    // order of `positives` would put `10` before `2`).
    let counts_in_order: Vec<u64> = order.iter().map(|l| positives[l]).collect();
    Ok(LabelStats::MultiLabel(MultiLabelCounts::new(
        order,
        counts_in_order,
        counts.rows,
    )))
}

/// Which reading a column's shape asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Shape {
    /// One value per row.
    Single,
    /// A list of labels per row.
    List,
}

/// Checks the task against the column's shape: a list column is multi-label, a flat one is not.
pub(super) fn check_shape(
    shape: Shape,
    column: &str,
    options: &ReadOptions,
) -> Result<(), StatsError> {
    match (shape, options.task) {
        (Shape::List, Some(TaskHint::MultiClass | TaskHint::Binary)) => Err(ErrorKind::InvalidOptions {
            message: format!(
                "column `{column}` holds a list of labels per row (multi-label), but the task is \
                 declared {}; declare the task multi-label or name a column with one label per row",
                options.task.map_or("multi-class".to_string(), |t| t.to_string())
            ),
        }
        .into()),
        (Shape::Single, Some(TaskHint::MultiLabel)) => Err(ErrorKind::InvalidOptions {
            message: format!(
                "column `{column}` holds one label per row, but the task is declared multi-label; \
                 multi-label labels are a list column (`list<int64>` or `list<string>`, \
                 `Sequence(ClassLabel)` in `datasets`)"
            ),
        }
        .into()),
        _ => Ok(()),
    }
}

/// The index of the label column among `fields`: [`ReadOptions::column`] (exact, else the one
/// field equal to it ignoring case), else the first of [`DEFAULT_COLUMNS`], else the only field.
pub(super) fn choose_column(fields: &[String], options: &ReadOptions) -> Result<usize, StatsError> {
    let missing = |column: String| -> StatsError {
        ErrorKind::MissingColumn {
            column,
            available: fields.to_vec(),
        }
        .into()
    };
    if let Some(wanted) = &options.column {
        if let Some(i) = fields.iter().position(|f| f == wanted) {
            return Ok(i);
        }
        let folded: Vec<usize> = (0..fields.len())
            .filter(|&i| fields[i].eq_ignore_ascii_case(wanted))
            .collect();
        return match folded[..] {
            [i] => Ok(i),
            _ => Err(missing(wanted.clone())),
        };
    }
    for name in DEFAULT_COLUMNS {
        if let Some(i) = fields.iter().position(|f| f.eq_ignore_ascii_case(name)) {
            return Ok(i);
        }
    }
    match fields {
        [_] => Ok(0),
        _ => Err(missing(DEFAULT_COLUMNS.join("` / `"))),
    }
}

/// The class names of `column` in a Hugging Face `datasets` features description (the
/// `huggingface` metadata of its Parquet and Arrow files, `dataset_info.json`): a `ClassLabel`,
/// or a list (`Sequence`, `List`, `[..]`) of one.
pub(super) fn class_label_names(features: &Value, column: &str) -> DatasetNames {
    fn names(feature: &Value) -> DatasetNames {
        match feature {
            Value::Object(object) => match object.get("_type").and_then(Value::as_str)? {
                "ClassLabel" => object
                    .get("names")?
                    .as_array()?
                    .iter()
                    .map(|n| n.as_str().map(str::to_string))
                    .collect(),
                "Sequence" | "List" | "LargeList" => names(object.get("feature")?),
                _ => None,
            },
            Value::Array(items) if items.len() == 1 => names(&items[0]),
            _ => None,
        }
    }
    names(features.get(column)?).filter(|n| !n.is_empty())
}

/// The `features` object of a `huggingface` metadata value (`{"info": {"features": ..}}`).
pub(super) fn huggingface_features(metadata: &str) -> Option<Value> {
    let mut value: Value = serde_json::from_str(metadata).ok()?;
    Some(value.get_mut("info")?.get_mut("features")?.take())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_put_a_name_first() {
        let mut c = Counts::default();
        for s in ["3", "cat", "1", "ant"] {
            c.add_str(s.as_bytes(), 1).unwrap();
        }
        let order: Vec<&[u8]> = c.strings().into_iter().map(|(s, _)| s).collect();
        assert_eq!(order, [&b"ant"[..], b"1", b"3", b"cat"]);
        let stats = single_label(&c, &ReadOptions::default(), None).unwrap();
        let LabelStats::MultiClass(counts) = stats else {
            panic!("multi-class")
        };
        assert!(
            counts
                .labels()
                .iter()
                .all(|l| matches!(l, ClassLabel::Name(_)))
        );
    }

    #[test]
    fn merge_adds_parts() {
        let mut a = Counts::default();
        a.add_int(1, 2).unwrap();
        a.add_int(-1, 1).unwrap();
        let mut b = Counts::default();
        b.add_int(1, 3).unwrap();
        b.add_int(70_000, 1).unwrap();
        a.merge(b).unwrap();
        assert_eq!(a.ints(), [(-1, 1), (1, 5), (70_000, 1)]);
    }

    #[test]
    fn class_label_features() {
        let features: Value = serde_json::from_str(
            r#"{"text": {"dtype": "string", "_type": "Value"},
                "label": {"names": ["neg", "pos"], "_type": "ClassLabel"},
                "tags": {"feature": {"names": ["a", "b", "c"], "_type": "ClassLabel"}, "_type": "Sequence"},
                "old": [{"names": ["x"], "_type": "ClassLabel"}]}"#,
        )
        .unwrap();
        assert_eq!(
            class_label_names(&features, "label").unwrap(),
            ["neg", "pos"]
        );
        assert_eq!(
            class_label_names(&features, "tags").unwrap(),
            ["a", "b", "c"]
        );
        assert_eq!(class_label_names(&features, "old").unwrap(), ["x"]);
        assert_eq!(class_label_names(&features, "text"), None);
    }

    #[test]
    fn column_choice() {
        let fields: Vec<String> = ["text", "Label", "idx"].map(String::from).to_vec();
        assert_eq!(choose_column(&fields, &ReadOptions::default()).unwrap(), 1);
        let named = |c: &str| ReadOptions {
            column: Some(c.to_string()),
            ..ReadOptions::default()
        };
        assert_eq!(choose_column(&fields, &named("idx")).unwrap(), 2);
        assert_eq!(choose_column(&fields, &named("LABEL")).unwrap(), 1);
        assert!(matches!(
            choose_column(&fields, &named("y")).unwrap_err().kind(),
            ErrorKind::MissingColumn { .. }
        ));
        let only = vec!["y".to_string()];
        assert_eq!(choose_column(&only, &ReadOptions::default()).unwrap(), 0);
    }
}
