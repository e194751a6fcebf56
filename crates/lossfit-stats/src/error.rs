//! `StatsError`: what went wrong, where (path, line, row, column) and what to do about it.

use std::fmt;
use std::path::{Path, PathBuf};

/// An error from reading a label file or computing statistics.
///
/// It renders as `<path>:<line>: <reason>; <what to do>`, with the line left out where it does not
/// apply (an NPY file, a missing file) and the path left out for errors that do not come from a
/// file (weights of a class that never occurs).
///
/// # Example
/// ```
/// use lossfit_stats::{ErrorKind, ReadOptions, read_labels};
///
/// let dir = std::env::temp_dir().join(format!("lossfit-stats-doc-error-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let path = dir.join("train.csv");
/// std::fs::write(&path, "id,label\n1,cat\n2,dog,extra\n")?;
///
/// let err = read_labels(&path, &ReadOptions::default()).unwrap_err();
/// assert_eq!(err.line(), Some(3));
/// assert!(matches!(err.kind(), ErrorKind::RaggedRow { expected: 2, found: 3 }));
/// assert!(err.to_string().ends_with(
///     "train.csv:3: row has 3 fields, the header has 2; \
///      fix the row or quote the field that contains the delimiter"
/// ));
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[error("{}", Render(self))]
#[non_exhaustive]
pub struct StatsError(Box<Inner>);

/// Boxed so that `Result<_, StatsError>` stays one pointer wide on the hot paths.
#[derive(Debug)]
struct Inner {
    kind: ErrorKind,
    path: Option<PathBuf>,
    line: Option<u64>,
    row: Option<u64>,
    column: Option<String>,
}

impl StatsError {
    /// An error of `kind` with no location; add one with [`StatsError::with_path`] and
    /// [`StatsError::with_line`].
    ///
    /// # Example
    /// ```
    /// use lossfit_stats::{ErrorKind, StatsError};
    ///
    /// let err = StatsError::new(ErrorKind::Empty).with_path("labels.txt");
    /// assert_eq!(err.to_string(), "labels.txt: the file has no labels; \
    ///     write at least one label or point to another file");
    /// ```
    #[must_use]
    pub fn new(kind: ErrorKind) -> Self {
        Self(Box::new(Inner {
            kind,
            path: None,
            line: None,
            row: None,
            column: None,
        }))
    }

    /// The same error, located in the file at `path`.
    #[must_use]
    pub fn with_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.0.path = Some(path.into());
        self
    }

    /// The same error, located at 1-based `line` of its file.
    #[must_use]
    pub fn with_line(mut self, line: u64) -> Self {
        self.0.line = Some(line);
        self
    }

    /// The same error, located at 0-based `row` of an array (NPY files, which have no lines).
    #[must_use]
    pub fn with_row(mut self, row: u64) -> Self {
        self.0.row = Some(row);
        self
    }

    /// The same error, located in `column` (a CSV header name, or an NPY column index).
    #[must_use]
    pub fn with_column(mut self, column: impl Into<String>) -> Self {
        self.0.column = Some(column.into());
        self
    }

    /// The file the error is about, if it came from one.
    #[must_use]
    pub fn path(&self) -> Option<&Path> {
        self.0.path.as_deref()
    }

    /// The 1-based line of the file, where lines apply (CSV, TSV, text, JSON).
    #[must_use]
    pub fn line(&self) -> Option<u64> {
        self.0.line
    }

    /// The 0-based row of an NPY array, where the error is about one element.
    #[must_use]
    pub fn row(&self) -> Option<u64> {
        self.0.row
    }

    /// The column (CSV header name or NPY column index), where the error is about one column.
    #[must_use]
    pub fn column(&self) -> Option<&str> {
        self.0.column.as_deref()
    }

    /// What went wrong.
    #[must_use]
    pub fn kind(&self) -> &ErrorKind {
        &self.0.kind
    }

    /// Consumes the error and returns what went wrong.
    #[must_use]
    pub fn into_kind(self) -> ErrorKind {
        self.0.kind
    }
}

impl From<ErrorKind> for StatsError {
    fn from(kind: ErrorKind) -> Self {
        Self::new(kind)
    }
}

/// What went wrong; see [`StatsError`] for where.
///
/// Its `Display` is the reason alone (`row has 3 fields, the header has 4`); the error's
/// `Display` adds the location and what to do.
///
/// # Example
/// ```
/// use lossfit_stats::{ErrorKind, ReadOptions, read_labels};
///
/// let dir = std::env::temp_dir().join(format!("lossfit-stats-doc-kind-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let path = dir.join("labels.txt");
/// std::fs::write(&path, "0\n1\n-1\n")?;
///
/// let err = read_labels(&path, &ReadOptions::default()).unwrap_err();
/// match err.kind() {
///     ErrorKind::NegativeClass { value } => assert_eq!(*value, -1),
///     ErrorKind::Io(io) => panic!("cannot read {}: {io}", path.display()),
///     other => panic!("{other}"),
/// }
/// assert_eq!(err.kind().to_string(), "class id -1 is negative");
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file could not be opened or read.
    Io(std::io::Error),
    /// The file holds no labels (no data rows, no lines, `[]`, or counts that add up to 0).
    Empty,
    /// A CSV/TSV row has a different number of fields than the header.
    RaggedRow {
        /// Fields in the header.
        expected: usize,
        /// Fields in this row.
        found: usize,
    },
    /// The requested column is not in the header.
    MissingColumn {
        /// The column asked for.
        column: String,
        /// The header's columns.
        available: Vec<String>,
    },
    /// A label is not an integer although the file's labels are class ids (its first label was an
    /// integer), or an integer too large for a class id.
    NotAnInteger {
        /// The label as written.
        value: String,
    },
    /// A class id is negative.
    NegativeClass {
        /// The id as written.
        value: i64,
    },
    /// A class id is not below the declared class count.
    ClassOutOfRange {
        /// The id found.
        id: u64,
        /// The declared class count.
        classes: usize,
    },
    /// The JSON is malformed or not one of the accepted shapes.
    BadJson {
        /// What the parser said, or which shape was expected.
        message: String,
    },
    /// A JSON Lines row is not a JSON object, or its label is not a class id or name.
    BadJsonLine {
        /// What the parser said, or what the label was.
        message: String,
    },
    /// An NPY array's dtype is not a little-endian integer (or bool) type.
    NpyDtype {
        /// The `descr` of the header, e.g. `<f4`.
        dtype: String,
    },
    /// An NPY array's rank is not 1 (class ids) or 2 (multi-label 0/1).
    NpyRank {
        /// The number of dimensions.
        rank: usize,
    },
    /// An NPY file is malformed (magic, version, header, length).
    BadNpy {
        /// What is wrong.
        message: String,
    },
    /// A multi-label or binary value is not 0 or 1.
    NotBinary {
        /// The value as written.
        value: String,
    },
    /// A class has no samples, so a weight cannot be computed for it.
    ZeroCount {
        /// The class, as displayed.
        class: String,
    },
    /// A multi-label label has no positive rows, so `neg/pos` is undefined.
    NoPositives {
        /// The label.
        label: String,
    },
    /// A label is empty (an empty CSV field or an empty JSON string).
    EmptyLabel,
    /// The labels have more distinct classes than a label column plausibly holds (1,000,000):
    /// the column is probably ids, paths or free text. Reading stops there, so that memory
    /// never grows with the number of rows.
    TooManyClasses {
        /// The limit.
        limit: usize,
    },
    /// A label is not valid UTF-8.
    NotUtf8,
    /// The path is not a regular file (a FIFO would block the read forever, a device never
    /// end, a directory has no labels).
    NotAFile {
        /// What it is (`a FIFO`, `a character device`, `a directory`).
        kind: &'static str,
    },
    /// A multi-label label appears twice (two columns, or two keys, with the same name).
    DuplicateLabel {
        /// The label.
        label: String,
    },
    /// A line of a line-oriented file (CSV, TSV, text) is longer than a label file's line
    /// plausibly is: the file is probably not a label file (or has no line breaks).
    LineTooLong {
        /// The limit in bytes.
        limit: usize,
    },
    /// The labels are names in no declared order, and a result needs class indices (weights,
    /// `pos_weight`'s positive class).
    UnorderedClasses {
        /// The names, as they sort (a few of them).
        names: String,
    },
    /// A label is not one of the declared class names.
    UndeclaredClass {
        /// The label.
        name: String,
    },
    /// A class count was declared but the labels are names, not ids.
    NamedClasses {
        /// The first name found.
        name: String,
    },
    /// The number of multi-label columns differs from the declared class count.
    LabelCount {
        /// The declared count.
        declared: usize,
        /// The label columns found.
        found: usize,
    },
    /// The file's extension names no known format.
    UnknownFormat {
        /// The extension, if the path has one.
        extension: Option<String>,
    },
    /// A name (weight scheme, task) is not one of the accepted spellings.
    UnknownName {
        /// What was being parsed, e.g. `weight scheme`.
        what: &'static str,
        /// The text given.
        value: String,
        /// The accepted spellings, e.g. `` `a`, `b` or `c` ``.
        expected: &'static str,
    },
    /// The effective-number `beta` is outside `[0, 1)`.
    InvalidBeta {
        /// The value given.
        beta: f64,
    },
    /// A Parquet file cannot be read: not Parquet, cut short (no footer), corrupt, or compressed
    /// with a codec this build does not read.
    BadParquet {
        /// What the Parquet reader said.
        message: String,
    },
    /// An Arrow IPC file or stream (`datasets`' `save_to_disk`, Feather) cannot be read.
    BadArrow {
        /// What the Arrow reader said.
        message: String,
    },
    /// The label column of a Parquet or Arrow file has a type labels never have (floats,
    /// timestamps, a struct, a list of lists).
    ColumnType {
        /// The column.
        column: String,
        /// What it holds, e.g. `DOUBLE (floats)`.
        found: String,
    },
    /// Rows of a Parquet or Arrow label column hold no label (null).
    NullLabel {
        /// How many rows of the part where they were found (a row group, a record batch).
        count: u64,
    },
    /// A glob pattern matches no file.
    NoMatch {
        /// The pattern.
        pattern: String,
    },
    /// The format is known, but this build of `lossfit-stats` was made without the feature that
    /// reads it.
    FormatNotBuilt {
        /// The format (`Parquet`).
        format: &'static str,
        /// The Cargo feature that reads it (`parquet`).
        feature: &'static str,
    },
    /// The read options do not fit the file (a multi-label task for a one-label-per-line file,
    /// a binary task with a class count other than 2, ...).
    InvalidOptions {
        /// What does not fit, and what to do instead (`<reason>; <what to do>`).
        message: String,
    },
}

impl ErrorKind {
    /// What to do about it: the part after `; ` in the error message.
    fn hint(&self) -> String {
        match self {
            Self::Io(_) => "check that the path is right and the file is readable".to_string(),
            Self::Empty => "write at least one label or point to another file".to_string(),
            Self::RaggedRow { .. } => {
                "fix the row or quote the field that contains the delimiter".to_string()
            }
            Self::MissingColumn { .. } => "set the label column to one of these".to_string(),
            Self::NotAnInteger { .. } => "the file's first label was an integer, so every label \
                 must be a class id (0, 1, 2, ...); fix the value or write every label as a name"
                .to_string(),
            Self::NegativeClass { .. } => {
                "class ids count from 0; shift the labels or write them as names".to_string()
            }
            Self::ClassOutOfRange { id, .. } => format!(
                "declare at least {} classes or fix the label",
                id.saturating_add(1)
            ),
            Self::BadJsonLine { .. } => "each line is one JSON object with the label under a key \
                 (`{\"text\": \"..\", \"label\": 3}`; `column` names another key, dotted for \
                 nested objects)"
                .to_string(),
            Self::BadJson { .. } => "a label JSON file is `{\"counts\": {\"cat\": 900, \
                 \"dog\": 100}}`, `{\"rows\": 1000, \"positives\": {\"cat\": 120}}` or an array \
                 of labels `[\"cat\", \"dog\", ...]`"
                .to_string(),
            Self::NpyDtype { .. } => "save the labels as little-endian integers, e.g. \
                 `np.save(path, labels.astype(np.int64))`"
                .to_string(),
            Self::NpyRank { .. } => "save class ids as a 1-D array, or multi-label 0/1 \
                 as a 2-D array of shape (rows, labels)"
                .to_string(),
            Self::BadNpy { .. } => "write the file with `numpy.save`".to_string(),
            Self::NotBinary { .. } => {
                "binary and multi-label values must be 0 or 1; fix the value".to_string()
            }
            Self::ZeroCount { .. } => "weights are undefined for a class with no samples; \
                 add samples of it, drop the class, or set its weight by hand"
                .to_string(),
            Self::NoPositives { .. } => "pos_weight is undefined for a label with no positive \
                 rows; add positives, drop the label, or set its weight by hand"
                .to_string(),
            Self::EmptyLabel => "fill in the label or drop the row".to_string(),
            Self::TooManyClasses { .. } => {
                "is this the label column? name it with `column`".to_string()
            }
            Self::NotUtf8 => "save the file as UTF-8".to_string(),
            Self::DuplicateLabel { .. } => "give every label column a different name".to_string(),
            Self::NotAFile { .. } => {
                "point to a regular label file (CSV, TSV, text, JSON, JSON Lines, NPY, Parquet, \
                 Arrow) or a dataset directory (Parquet shards, `save_to_disk` output, a \
                 directory per class, YOLO labels)"
                    .to_string()
            }
            Self::LineTooLong { .. } => {
                "check that this is the label file; labels go one row per line".to_string()
            }
            Self::UnorderedClasses { .. } => "declare the class order, the order of the \
                 model's outputs: `classes = [\"cat\", \"dog\", ..]` on the head or in the \
                 `[labels]` config, or `--classes cat,dog,..` on the command line"
                .to_string(),
            Self::UndeclaredClass { .. } => {
                "add it to the declared classes, or fix the label".to_string()
            }
            Self::NamedClasses { .. } => "a declared class count applies to integer ids \
                 0..classes; write the labels as ids or drop the class count"
                .to_string(),
            Self::LabelCount { .. } => {
                "fix the declared class count or the label columns".to_string()
            }
            Self::UnknownFormat { .. } => "use .csv, .tsv, .txt, .labels, .json, .jsonl, .npy, \
                 .parquet or .arrow, or set the format explicitly"
                .to_string(),
            Self::BadParquet { .. } => "a file cut short (an interrupted download or copy) has \
                 no footer; fetch or write it again (`pyarrow.parquet.write_table`, \
                 `Dataset.to_parquet`, DuckDB's `COPY .. TO`)"
                .to_string(),
            Self::BadArrow { .. } => "write it again (`Dataset.save_to_disk`, \
                 `pyarrow.ipc.new_file` or `new_stream`)"
                .to_string(),
            Self::ColumnType { .. } => "labels are an integer, string or boolean column, or a \
                 list of them for multi-label; name the label column with `column`, or cast the \
                 labels"
                .to_string(),
            Self::NullLabel { .. } => "drop or fill the rows without a label before counting \
                 (`ds.filter(lambda row: row[\"label\"] is not None)`)"
                .to_string(),
            Self::NoMatch { .. } => "check the pattern (`data/train-*.parquet`), and quote it \
                 so that the shell passes it on"
                .to_string(),
            Self::FormatNotBuilt { feature, .. } => format!(
                "write its counts once with `losslint stats --emit-counts counts.json <path>` \
                 (losslint reads it) and point to counts.json instead; a program calling \
                 lossfit-stats itself can enable its `{feature}` feature"
            ),
            Self::UnknownName { expected, .. } => format!("write {expected}"),
            Self::InvalidBeta { .. } => "use a beta in [0, 1), e.g. 0.999".to_string(),
            // The message says what to do itself.
            Self::InvalidOptions { .. } => String::new(),
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(err) => write!(f, "{err}"),
            Self::Empty => f.write_str("the file has no labels"),
            Self::RaggedRow { expected, found } => {
                write!(f, "row has {found} fields, the header has {expected}")
            }
            Self::MissingColumn { column, available } => {
                write!(f, "no column `{column}`; the header has ")?;
                write_list(f, available)
            }
            Self::NotAnInteger { value } => {
                write!(f, "`{}` is not an integer class id", excerpt(value))
            }
            Self::NegativeClass { value } => write!(f, "class id {value} is negative"),
            Self::ClassOutOfRange { id, classes } => {
                write!(
                    f,
                    "class id {id} is out of range for {classes} declared classes"
                )
            }
            Self::BadJson { message } => write!(f, "invalid label JSON: {message}"),
            Self::BadJsonLine { message } => write!(f, "invalid JSON Lines row: {message}"),
            Self::NpyDtype { dtype } => {
                write!(f, "dtype `{dtype}` is not a little-endian integer type")
            }
            Self::NpyRank { rank } => write!(
                f,
                "the array has {rank} dimension{}, expected 1 (class ids) or 2 (multi-label 0/1)",
                if *rank == 1 { "" } else { "s" }
            ),
            Self::BadNpy { message } => write!(f, "not a valid NPY file: {message}"),
            Self::NotBinary { value } => write!(f, "value `{}` is not 0 or 1", excerpt(value)),
            Self::ZeroCount { class } => write!(f, "class `{}` has no samples", excerpt(class)),
            Self::NoPositives { label } => {
                write!(f, "label `{}` has no positive rows", excerpt(label))
            }
            Self::EmptyLabel => f.write_str("the label is empty"),
            Self::TooManyClasses { limit } => {
                write!(f, "more than {limit} distinct classes")
            }
            Self::NotUtf8 => f.write_str("the label is not valid UTF-8"),
            Self::NotAFile { kind } => write!(f, "{kind} is not a label file"),
            Self::DuplicateLabel { label } => {
                write!(f, "the label `{}` appears twice", excerpt(label))
            }
            Self::LineTooLong { limit } => {
                write!(f, "a line is longer than {} KiB", limit / 1024)
            }
            Self::UnorderedClasses { names } => write!(
                f,
                "the labels are class names ({names}) in no declared order, so class indices \
                 (weights, the positive class) cannot be assigned to them"
            ),
            Self::UndeclaredClass { name } => write!(
                f,
                "label `{}` is not one of the declared classes",
                excerpt(name)
            ),
            Self::NamedClasses { name } => write!(
                f,
                "a class count was declared but the labels are names (`{}`)",
                excerpt(name)
            ),
            Self::LabelCount { declared, found } => write!(
                f,
                "{declared} classes were declared but the file has {found} label columns"
            ),
            Self::UnknownFormat {
                extension: Some(ext),
            } => write!(
                f,
                "cannot tell the label format from the extension `.{ext}`"
            ),
            Self::UnknownFormat { extension: None } => {
                f.write_str("cannot tell the label format: the path has no extension")
            }
            Self::UnknownName {
                what,
                value,
                expected: _,
            } => write!(f, "unknown {what} `{value}`"),
            Self::InvalidBeta { beta } => {
                write!(f, "effective-number beta {beta} is outside [0, 1)")
            }
            Self::BadParquet { message } => {
                write!(f, "not a readable Parquet file: {}", excerpt_long(message))
            }
            Self::BadArrow { message } => {
                write!(
                    f,
                    "not a readable Arrow IPC file: {}",
                    excerpt_long(message)
                )
            }
            Self::ColumnType { column, found } => write!(
                f,
                "column `{}` holds {found}, not class ids or names",
                excerpt(column)
            ),
            Self::NullLabel { count } => write!(
                f,
                "{count} row{} no label (null)",
                if *count == 1 { " has" } else { "s have" }
            ),
            Self::NoMatch { pattern } => write!(f, "no file matches `{}`", excerpt(pattern)),
            Self::FormatNotBuilt { format, feature } => write!(
                f,
                "this build reads no {format} files (lossfit-stats without its `{feature}` feature)"
            ),
            Self::InvalidOptions { message } => f.write_str(message),
        }
    }
}

fn write_list(f: &mut fmt::Formatter<'_>, items: &[String]) -> fmt::Result {
    /// Names shown at most: the file may not be a label file at all.
    const SHOWN: usize = 12;
    if items.is_empty() {
        return f.write_str("no columns");
    }
    for (i, item) in items.iter().take(SHOWN).enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "`{}`", excerpt(item))?;
    }
    if items.len() > SHOWN {
        write!(f, " and {} more", items.len() - SHOWN)?;
    }
    Ok(())
}

/// A value from the file as an error quotes it: at most 40 characters, control and other
/// unprintable characters escaped, so a file that is not a label file is not echoed into a
/// CI log (and cannot move the terminal's cursor).
pub(crate) fn excerpt(value: &str) -> String {
    excerpt_at_most(value, 40)
}

/// The first `max` characters of `value`, escaped, with `...` when cut.
fn excerpt_at_most(value: &str, max: usize) -> String {
    let mut shown: String = value
        .chars()
        .take(max)
        .flat_map(char::escape_debug)
        .collect();
    if value.chars().nth(max).is_some() {
        shown.push_str("...");
    }
    shown
}

/// A reader's own message (it may quote bytes of the file), cut at 200 characters and escaped
/// like [`excerpt`].
fn excerpt_long(value: &str) -> String {
    excerpt_at_most(value, 200)
}

/// `<path>:<line>: <reason> (<where>); <what to do>`.
struct Render<'a>(&'a StatsError);

impl fmt::Display for Render<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let err = &self.0.0;
        if let Some(path) = &err.path {
            write!(f, "{}:", path.display())?;
            if let Some(line) = err.line {
                write!(f, "{line}:")?;
            }
            f.write_str(" ")?;
        }
        write!(f, "{}", err.kind)?;
        match (err.row, &err.column) {
            (Some(row), Some(column)) => write!(f, " (row {row}, column `{column}`)")?,
            (Some(row), None) => write!(f, " (row {row})")?,
            (None, Some(column)) => write!(f, " (column `{column}`)")?,
            (None, None) => {}
        }
        let hint = err.kind.hint();
        if hint.is_empty() {
            Ok(())
        } else {
            write!(f, "; {hint}")
        }
    }
}
