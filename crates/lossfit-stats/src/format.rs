//! Label file formats (see [`Format`] for each one), the task hint, and the options of
//! [`read_labels`](crate::read_labels).
//!
//! | format | extension | looks like |
//! |---|---|---|
//! | [`Format::Csv`] | `.csv` | `id,label` header, then `1,cat` rows (quoted fields allowed) |
//! | [`Format::Tsv`] | `.tsv` | the same with tabs |
//! | [`Format::Text`] | `.txt`, `.labels` | one label per line (`cat`), blank lines skipped |
//! | [`Format::JsonCounts`] | `.json` starting with `{` | `{"counts": {"cat": 900, "dog": 100}}` |
//! | [`Format::JsonArray`] | `.json` starting with `[` | `["cat", "dog", "cat"]` or `[0, 1, 0]` |
//! | [`Format::Npy`] | `.npy` | `np.save`d integer array: 1-D ids, 2-D multi-label 0/1 |
//! | [`Format::JsonLines`] | `.jsonl`, `.ndjson` | `{"text": "..", "label": 3}` per line (a dotted key for nested fields) |
//! | [`Format::Coco`] | `.json` whose first key is `info`, `images`, `annotations`, ... | COCO `instances_*.json`: annotations per category |
//! | [`Format::ImageFolder`] | a directory of class directories | torchvision `ImageFolder`: `train/<class>/*.jpg` |
//! | [`Format::Yolo`] | a directory of `.txt` files | YOLO labels: `class x y w h` per line |
//! | [`Format::Parquet`] | `.parquet`, or a directory / glob of shards | one label column (ints, strings, `list<..>` for multi-label) |
//! | [`Format::Arrow`] | `.arrow`, `.feather`, or a `save_to_disk` directory | Arrow IPC file or stream, one label column |

use std::fmt;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::str::FromStr;

use crate::error::{ErrorKind, StatsError};

/// A label file format.
///
/// | format | extension | looks like |
/// |---|---|---|
/// | [`Format::Csv`] | `.csv` | `id,label` header, then `1,cat` rows (quoted fields allowed) |
/// | [`Format::Tsv`] | `.tsv` | the same with tabs |
/// | [`Format::Text`] | `.txt`, `.labels` | one label per line (`cat`), blank lines skipped |
/// | [`Format::JsonCounts`] | `.json` starting with `{` | `{"counts": {"cat": 900, "dog": 100}}` |
/// | [`Format::JsonArray`] | `.json` starting with `[` | `["cat", "dog", "cat"]` or `[0, 1, 0]` |
/// | [`Format::Npy`] | `.npy` | `np.save`d integer array: 1-D ids, 2-D multi-label 0/1 |
/// | [`Format::JsonLines`] | `.jsonl`, `.ndjson` | `{"text": "..", "label": 3}` per line (a dotted key for nested fields) |
/// | [`Format::Coco`] | `.json` whose first key is `info`, `images`, `annotations`, ... | COCO `instances_*.json`: annotations per category |
/// | [`Format::ImageFolder`] | a directory of class directories | torchvision `ImageFolder`: `train/<class>/*.jpg` |
/// | [`Format::Yolo`] | a directory of `.txt` files | YOLO labels: `class x y w h` per line |
/// | [`Format::Parquet`] | `.parquet`, or a directory / glob of shards | one label column (ints, strings, `list<..>` for multi-label) |
/// | [`Format::Arrow`] | `.arrow`, `.feather`, or a `save_to_disk` directory | Arrow IPC file or stream, one label column |
///
/// A glob (`data/train-*.parquet`, any format) or a directory of Parquet shards reads the files
/// of one dataset together and merges their counts.
///
/// Every format is streamed; [`read_labels`](crate::read_labels) gives the rules they share
/// (ids or names, declared classes, binary, empty files).
///
/// # Example
/// ```
/// use std::path::Path;
/// use lossfit_stats::Format;
///
/// assert_eq!(Format::from_path(Path::new("data/train.CSV")), Some(Format::Csv));
/// assert_eq!(Format::from_path(Path::new("y.labels")), Some(Format::Text));
/// assert_eq!(Format::from_path(Path::new("train-00000-of-00042.parquet")), Some(Format::Parquet));
/// assert_eq!(Format::from_path(Path::new("y.h5")), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Comma-separated values with a header row.
    ///
    /// ```text
    /// id,label            path,cat,dog,bird     multi-label: one 0/1 column per label
    /// 1,cat               a.png,1,0,0
    /// 2,"dog, small"      b.png,1,1,0
    /// ```
    /// Fields may be quoted (`"a,b"`, `"say ""hi"""`, line breaks inside quotes); surrounding
    /// whitespace of a label is ignored; blank lines are skipped; a row with more or fewer
    /// fields than the header is [`ErrorKind::RaggedRow`] at its line. The label column is
    /// [`ReadOptions::column`], else the first column named `label`, `labels`, `target` or
    /// `class` (case-insensitive), else the last column. Multi-label (a
    /// [`TaskHint::MultiLabel`] task): the columns of [`ReadOptions::label_columns`], else every
    /// column not named `id`, `index`, `name`, `path` or `file`; each value `0` or `1`.
    Csv,
    /// [`Format::Csv`] with tabs between fields.
    Tsv,
    /// One label per line:
    ///
    /// ```text
    /// cat
    /// dog
    ///
    /// cat
    /// ```
    /// Surrounding whitespace (a Windows `\r` too) is ignored, blank lines are skipped, a UTF-8
    /// byte-order mark is dropped; no quoting. Single-label only.
    Text,
    /// A JSON object of counts: what a `GROUP BY label` in Spark, `DuckDB` or `BigQuery`
    /// produces, and what [`write_counts_json`](crate::write_counts_json) writes.
    ///
    /// ```text
    /// {"counts": {"cat": 900, "dog": 100}}         single-label; ids as keys too: {"0": 900, "1": 100}
    /// {"rows": 1000, "positives": {"cat": 120}}    multi-label: positive rows per label
    /// ```
    /// The first key decides ids or names, as the first label does in the other formats; a key
    /// given twice has its counts added; a class with count 0 is kept (and reported absent).
    /// Any other top-level key is [`ErrorKind::BadJson`].
    JsonCounts,
    /// A JSON array of labels, counted element by element (never held in memory):
    /// `["cat", "dog", "cat"]` or `[0, 1, 0]`.
    ///
    /// Elements are strings (read like CSV fields: `"3"` is id 3 when the labels are ids) or
    /// integers; a float is [`ErrorKind::NotAnInteger`], and `true`, `null` or a nested value
    /// [`ErrorKind::BadJson`]. Single-label only.
    JsonArray,
    /// A NumPy `.npy` array (format versions 1.0, 2.0 and 3.0):
    ///
    /// ```text
    /// np.save("y.npy", y.astype(np.int64))    # shape (rows,): class ids
    /// np.save("Y.npy", Y.astype(np.uint8))    # shape (rows, labels): multi-label 0/1,
    ///                                         # labels named "0".."L-1"
    /// ```
    /// dtypes `i1 i2 i4 i8 u1 u2 u4 u8 b1`, little-endian (`<`, or `|` for one byte), C or
    /// Fortran order; anything else is [`ErrorKind::NpyDtype`], another rank
    /// [`ErrorKind::NpyRank`]. Errors about one element give its 0-based
    /// [row](crate::StatsError::row) (and [column](crate::StatsError::column)), not a line.
    Npy,
    /// JSON Lines: one JSON object per line, the label under a key.
    ///
    /// ```text
    /// {"text": "great movie", "label": 1}
    /// {"text": "...", "meta": {"topic": "sports"}}       column = "meta.topic"
    /// {"text": "...", "labels": ["news", "sports"]}      multi-label: a list per row
    /// ```
    /// The key is [`ReadOptions::column`] (dotted for nested objects), else the first of
    /// `label`, `labels`, `target`, `class` that the first object has; a missing key is
    /// [`ErrorKind::MissingColumn`] naming the keys there are. A label is an integer (class
    /// id), a string (read like a CSV field) or a boolean (0/1); a float is
    /// [`ErrorKind::NotAnInteger`]. With a multi-label task each row's value is a list of ids or
    /// names (labels sorted: ids numerically, then names). Lines up to 1 MiB, blank lines
    /// skipped, numbered from 1 in errors.
    JsonLines,
    /// COCO annotations (`instances_train2017.json`): the annotations of each category,
    /// streamed (`images` and every annotation field but `category_id` are skipped without being
    /// held). The classes are `categories` sorted by id, named by `name`, so index `i` is the
    /// `i`-th category; a category without annotations has count 0; an annotation of a
    /// category that is not listed is [`ErrorKind::BadJson`]. Chosen for a `.json` file whose
    /// first key is `info`, `licenses`, `images`, `annotations` or `categories`.
    Coco,
    /// A directory per class, torchvision's `ImageFolder` layout (`train/<class>/**/*.jpg`):
    /// the classes are the subdirectories sorted by name (torchvision's label order), each
    /// counting the files below it with an image extension torchvision accepts, or one of
    /// [`ReadOptions::extensions`]. Chosen for a directory that holds no `.txt` files.
    ImageFolder,
    /// A YOLO label directory: one `.txt` per image, `class x_center y_center width height` per
    /// object; the first field of each line is counted. `classes.txt` (in the directory or its
    /// parent) names the classes in id order. Chosen for a directory that holds `.txt` files.
    Yolo,
    /// Apache Parquet: one file, a directory of shards, or a glob (`data/train-*.parquet`), as the
    /// Hugging Face Hub, pyarrow, `DuckDB` and Spark write them.
    ///
    /// Only the label column is read: [`ReadOptions::column`] (a dotted path for a struct field),
    /// else the first column named `label`, `labels`, `target` or `class` (case-insensitive),
    /// else the only column. An integer column (any width, signed or not) holds class ids, a
    /// boolean column 0/1, a string column ids when every value is an integer and names
    /// otherwise; a list column (`list<int64>`, `list<string>`) is multi-label (each row lists
    /// its positive labels). Class names and their order come from the `ClassLabel` feature
    /// that `datasets` stores in the file's `huggingface` metadata, when there is one. A null
    /// label is [`ErrorKind::NullLabel`], a float or timestamp column [`ErrorKind::ColumnType`],
    /// a file that is cut short or corrupt [`ErrorKind::BadParquet`]. The row groups of all
    /// shards are counted in parallel; a directory holding the shards of several splits
    /// (`train-*` and `test-*`) is refused, so that one split's statistics are never mixed with
    /// another's. Needs the `parquet` feature (else [`ErrorKind::FormatNotBuilt`]).
    Parquet,
    /// Arrow IPC: the `data-*.arrow` streams of a `save_to_disk` directory (the files
    /// `state.json` lists, class names from `dataset_info.json` or the schema's `huggingface`
    /// metadata), or an Arrow IPC file (`.arrow`, `.feather`). The label column and its types
    /// as for [`Format::Parquet`]; a dictionary-encoded column is read through its dictionary.
    /// Needs the `arrow` feature (else [`ErrorKind::FormatNotBuilt`]).
    Arrow,
}

impl Format {
    /// The format a path's extension names (case-insensitive): `.csv`, `.tsv`, `.txt`,
    /// `.labels`, `.npy`, `.jsonl`, `.ndjson`, `.parquet`, `.arrow`, `.feather`; for `.json`, [`Format::JsonCounts`] or [`Format::JsonArray`] by the
    /// file's first non-space character (`{` or `[`).
    ///
    /// `None` for any other extension, or for a `.json` file that cannot be read or starts
    /// with neither `{` nor `[`.
    #[must_use]
    pub fn from_path(path: &Path) -> Option<Format> {
        match Self::from_extension(path)? {
            Detected::Known(format) => Some(format),
            Detected::Json => {
                let file = std::fs::File::open(path).ok()?;
                sniff_json(&mut BufReader::new(file)).ok()?
            }
        }
    }

    /// What the extension says.
    pub(crate) fn from_extension(path: &Path) -> Option<Detected> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(Detected::Known(Self::Csv)),
            "tsv" => Some(Detected::Known(Self::Tsv)),
            "txt" | "labels" => Some(Detected::Known(Self::Text)),
            "npy" => Some(Detected::Known(Self::Npy)),
            "jsonl" | "ndjson" => Some(Detected::Known(Self::JsonLines)),
            "json" => Some(Detected::Json),
            "parquet" | "pq" => Some(Detected::Known(Self::Parquet)),
            "arrow" | "arrows" | "feather" | "ipc" => Some(Detected::Known(Self::Arrow)),
            _ => None,
        }
    }
}

/// A format as far as the extension tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Detected {
    Known(Format),
    /// `.json`: counts or array, by the first character.
    Json,
}

/// The JSON format by the first non-whitespace byte, leaving the reader where it was (only
/// whitespace is consumed).
pub(crate) fn sniff_json(reader: &mut impl BufRead) -> std::io::Result<Option<Format>> {
    loop {
        let buf = reader.fill_buf()?;
        let Some(&first) = buf.first() else {
            return Ok(None);
        };
        let skip = buf
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            .count();
        if skip == 0 {
            return Ok(match first {
                b'{' if first_key(buf).is_some_and(|k| crate::read::COCO_KEYS.contains(&k)) => {
                    Some(Format::Coco)
                }
                b'{' => Some(Format::JsonCounts),
                b'[' => Some(Format::JsonArray),
                _ => None,
            });
        }
        reader.consume(skip);
    }
}

/// The first key of the JSON object `buf` starts with, when it is in `buf` and plain (no
/// escapes).
fn first_key(buf: &[u8]) -> Option<&str> {
    let rest = buf.strip_prefix(b"{")?.trim_ascii_start();
    let rest = rest.strip_prefix(b"\"")?;
    let end = rest.iter().position(|&b| b == b'"' || b == b'\\')?;
    (rest[end] == b'"').then(|| std::str::from_utf8(&rest[..end]).ok())?
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Csv => "CSV",
            Self::Tsv => "TSV",
            Self::Text => "text",
            Self::JsonCounts => "JSON counts",
            Self::JsonArray => "JSON array",
            Self::JsonLines => "JSON Lines",
            Self::Coco => "COCO annotations",
            Self::ImageFolder => "image folder",
            Self::Yolo => "YOLO labels",
            Self::Npy => "NPY",
            Self::Parquet => "Parquet",
            Self::Arrow => "Arrow IPC",
        })
    }
}

/// What kind of labels a file holds (`[labels] task` in `losslint.toml`).
///
/// # Example
/// ```
/// use lossfit_stats::TaskHint;
///
/// assert_eq!("multilabel".parse::<TaskHint>()?, TaskHint::MultiLabel);
/// assert_eq!(TaskHint::Binary.to_string(), "binary");
/// # Ok::<(), lossfit_stats::StatsError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TaskHint {
    /// One class per row, any number of classes.
    MultiClass,
    /// A 0/1 value per label per row (CSV/TSV 0/1 columns, 2-D NPY, or counts JSON).
    MultiLabel,
    /// One 0/1 label per row: two classes, `0` and `1`.
    Binary,
}

impl fmt::Display for TaskHint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::MultiClass => "multiclass",
            Self::MultiLabel => "multilabel",
            Self::Binary => "binary",
        })
    }
}

impl FromStr for TaskHint {
    type Err = StatsError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "multiclass" => Ok(Self::MultiClass),
            "multilabel" => Ok(Self::MultiLabel),
            "binary" => Ok(Self::Binary),
            _ => Err(ErrorKind::UnknownName {
                what: "task",
                value: s.to_string(),
                expected: "`multiclass`, `multilabel` or `binary`",
            }
            .into()),
        }
    }
}

/// How [`read_labels`](crate::read_labels) reads a file; the default reads by extension, the
/// default label column, multi-class.
///
/// # Example
/// ```
/// use lossfit_stats::{ReadOptions, TaskHint};
///
/// let options = ReadOptions {
///     column: Some("species".into()),
///     classes: Some(10),
///     ..ReadOptions::default()
/// };
/// let multi_label = ReadOptions { task: Some(TaskHint::MultiLabel), ..ReadOptions::default() };
/// # let _ = (options, multi_label);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// The format; `None`: from the extension (and, for `.json`, the first character).
    pub format: Option<Format>,
    /// The CSV/TSV label column, the JSON Lines key, or the Parquet / Arrow column (dotted for
    /// nested objects and struct fields); `None`: the first column (key) named `label`,
    /// `labels`, `target` or `class` (case-insensitive for CSV, Parquet and Arrow), else the last
    /// CSV column, or the only Parquet / Arrow column. Ignored by the other formats.
    pub column: Option<String>,
    /// The multi-label CSV/TSV 0/1 columns; `None`: every column except those named `id`,
    /// `index`, `name`, `path` or `file` (case-insensitive). Used when the task is multi-label.
    pub label_columns: Option<Vec<String>>,
    /// The kind of labels; `None`: multi-class, except that a 2-D NPY array or a
    /// `{"rows": .., "positives": ..}` JSON is multi-label.
    pub task: Option<TaskHint>,
    /// The declared class count: ids must be below it and classes that never occur are kept
    /// with count 0. For multi-label files, the number of label columns.
    pub classes: Option<usize>,
    /// The class names in the order of the model's outputs (`names[i]` is class `i`): required
    /// for index-based results (weights, the positive class) when the labels are names; every
    /// label must be one of them. See [`ClassCounts::with_class_names`](crate::ClassCounts::with_class_names).
    pub class_names: Option<Vec<String>>,
    /// The file extensions that count in a directory per class ([`Format::ImageFolder`]),
    /// without the dot, any case; `None`: torchvision's image extensions.
    pub extensions: Option<Vec<String>>,
}
