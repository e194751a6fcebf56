//! Reading label files: format detection, the shared rules, and progress reporting.
//!
//! Every reader streams: memory grows with the number of classes (or label columns), never
//! with the number of rows, so a 100 GB CSV is read like a small one, just slower.
//!
//! The rules every format shares are on [`read_labels`]; each format's own on [`Format`].
//!
//! # Example
//! ```
//! use lossfit_stats::{ClassLabel, LabelStats, ReadOptions, read_labels};
//!
//! let dir = std::env::temp_dir().join(format!("lossfit-stats-doc-read-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! let path = dir.join("train.csv");
//! std::fs::write(&path, "path,label\na.png,cat\nb.png,dog\nc.png,cat\n")?;
//!
//! let LabelStats::MultiClass(counts) = read_labels(&path, &ReadOptions::default())? else {
//!     unreachable!("a CSV with one label column is multi-class")
//! };
//! assert_eq!(counts.count(&ClassLabel::from("cat")), Some(2));
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#[cfg(feature = "arrow")]
mod arrow;
mod coco;
pub(crate) use coco::KEYS as COCO_KEYS;
#[cfg(any(feature = "parquet", feature = "arrow"))]
mod columnar;
mod csv;
mod image_folder;
mod json;
mod jsonl;
mod npy;
#[cfg(feature = "parquet")]
mod parquet;
mod shards;
pub use shards::read_root;
mod tally;
mod text;
mod yolo;

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use crate::counts::LabelStats;
use crate::error::{ErrorKind, StatsError};
use crate::format::{Detected, Format, ReadOptions, TaskHint, sniff_json};

/// Bytes between two progress calls.
const PROGRESS_STEP: u64 = 4 << 20;
/// The longest line a CSV, TSV or text label file may have: far beyond any row of labels, and
/// what keeps memory bounded on a file that is not a label file (or has no line breaks).
pub const MAX_LINE_BYTES: usize = 1 << 20;
/// The read buffer.
const BUFFER: usize = 256 << 10;

/// Reads the label statistics of the file at `path`.
///
/// The format comes from [`ReadOptions::format`] or the extension (see [`Format`] for what
/// each format looks like, and [`Format::from_path`]). The file is streamed: memory grows with
/// the number of classes (or label columns), never with the number of rows.
///
/// # Rules shared by the formats
/// - **Ids or names.** The first label decides: if it is an integer (digits, surrounding
///   whitespace ignored) every label of the file is a class id and a later non-integer is
///   [`ErrorKind::NotAnInteger`] at its line; a negative id is [`ErrorKind::NegativeClass`].
///   Otherwise every label is a name, so in a file that starts with `cat`, a later `3` is the
///   class named `3`. Names are compared as written (case-sensitive), with surrounding
///   whitespace ignored.
/// - **Declared classes** ([`ReadOptions::classes`]): labels must be ids below the count; the
///   ids that never occur are listed with count 0 ([`ClassCounts::absent`](crate::ClassCounts::absent)).
/// - **Binary** ([`TaskHint::Binary`]): every label is `0` or `1` ([`ErrorKind::NotBinary`]
///   otherwise) and the counts always have the two classes.
/// - **Multi-label**: values are `0` or `1`, one column per label.
/// - **Empty**: a file with no labels is [`ErrorKind::Empty`], never empty statistics.
///
/// # Errors
/// A [`StatsError`] with the path (and the line, where one applies) for a file that cannot be
/// read ([`ErrorKind::Io`]), an unknown extension ([`ErrorKind::UnknownFormat`]), a file with
/// no labels ([`ErrorKind::Empty`]), malformed content (`RaggedRow`, `BadJson`, `BadNpy`,
/// `NpyDtype`, `NpyRank`, `NotUtf8`), labels that break the rules (`NotAnInteger`,
/// `NegativeClass`, `ClassOutOfRange`, `NamedClasses`, `NotBinary`, `EmptyLabel`,
/// `TooManyClasses`), or options
/// that do not fit the file (`MissingColumn`, `LabelCount`, `InvalidOptions`).
///
/// # Example
/// ```
/// use lossfit_stats::{ImbalancePolicy, ReadOptions, read_labels};
///
/// let dir = std::env::temp_dir().join(format!("lossfit-stats-doc-read-labels-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let path = dir.join("labels.txt");
/// std::fs::write(&path, "0\n0\n0\n0\n1\n")?;
///
/// let stats = read_labels(&path, &ReadOptions { classes: Some(3), ..ReadOptions::default() })?;
/// let verdict = ImbalancePolicy::default().judge(&stats).unwrap();
/// assert_eq!(verdict.to_string(), "imbalance ratio 4.0 (class `1`: 1 sample, class `0`: 4 samples)");
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_labels(path: &Path, options: &ReadOptions) -> Result<LabelStats, StatsError> {
    read_labels_with_progress(path, options, &mut |_, _| {})
}

/// [`read_labels`], calling `progress(bytes_read, total_bytes)` as it goes: every 4 MiB or
/// so, and once at the end.
///
/// # Errors
/// As [`read_labels`].
///
/// # Example
/// ```
/// use lossfit_stats::{ReadOptions, read_labels_with_progress};
///
/// let dir = std::env::temp_dir().join(format!("lossfit-stats-doc-progress-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let path = dir.join("labels.txt");
/// std::fs::write(&path, "cat\ndog\n")?;
///
/// let mut calls = Vec::new();
/// read_labels_with_progress(&path, &ReadOptions::default(), &mut |read, total| {
///     calls.push((read, total));
///     eprint!("\rread {read} of {total} bytes");
/// })?;
/// assert_eq!(calls, [(8, 8)]);
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_labels_with_progress(
    path: &Path,
    options: &ReadOptions,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<LabelStats, StatsError> {
    read(path, options, progress).map_err(|err| {
        // A directory's readers name the file inside it that failed.
        if err.path().is_some() {
            err
        } else {
            err.with_path(path)
        }
    })
}

fn read(
    path: &Path,
    options: &ReadOptions,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<LabelStats, StatsError> {
    check_options(options)?;
    // A FIFO would block the open or the read forever, a device never end.
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound && shards::is_pattern(path) => {
            return read_files(&shards::expand(path)?, options, progress);
        }
        Err(err) => return Err(ErrorKind::Io(err).into()),
    };
    // A directory is a dataset layout (a directory per class, YOLO labels), unless its name
    // says it should have been a label file (`labels.csv/`).
    if metadata.is_dir() && Format::from_extension(path).is_none() {
        return read_directory(path, options, progress);
    }
    if !metadata.is_file() {
        return Err(ErrorKind::NotAFile {
            kind: file_kind(&metadata),
        }
        .into());
    }
    let format = match options.format {
        Some(format) => Detected::Known(format),
        None => Format::from_extension(path).ok_or_else(|| ErrorKind::UnknownFormat {
            extension: path
                .extension()
                .map(|ext| ext.to_string_lossy().into_owned()),
        })?,
    };
    match format {
        Detected::Known(Format::Parquet) => {
            return read_parquet(&[path.to_path_buf()], options, progress);
        }
        Detected::Known(Format::Arrow) => {
            return read_arrow(&[path.to_path_buf()], options, progress);
        }
        _ => {}
    }
    let file = File::open(path).map_err(ErrorKind::Io)?;
    let total = file.metadata().map_err(ErrorKind::Io)?.len();
    let line_formats = matches!(
        format,
        Detected::Known(Format::Csv | Format::Tsv | Format::Text | Format::JsonLines)
    );
    let mut state = Progress {
        read: 0,
        reported: 0,
        total,
        callback: progress,
    };
    let mut reader = BufReader::with_capacity(
        BUFFER,
        Counting {
            inner: LineCapped {
                inner: file,
                limit: line_formats.then_some(MAX_LINE_BYTES),
                run: 0,
            },
            state: &mut state,
        },
    );
    let format = match format {
        Detected::Known(format) => format,
        Detected::Json => sniff_json(&mut reader)
            .map_err(ErrorKind::Io)?
            .ok_or_else(|| ErrorKind::BadJson {
                message: "the file starts with neither `{` nor `[`".to_string(),
            })?,
    };
    let stats = match format {
        Format::Csv => csv::read(reader, b',', options),
        Format::Tsv => csv::read(reader, b'\t', options),
        Format::Text => text::read(reader, options),
        Format::JsonCounts => json::read_counts(reader, options),
        Format::JsonArray => json::read_array(reader, options),
        Format::Npy => npy::read(reader, options),
        Format::JsonLines => jsonl::read(reader, options),
        Format::Coco => coco::read(reader, options),
        Format::ImageFolder | Format::Yolo => {
            return Err(ErrorKind::InvalidOptions {
                message: format!("{format} data is a directory, not a file; give the directory"),
            }
            .into());
        }
        // Read by their own readers above, before the file is opened here.
        Format::Parquet | Format::Arrow => Err(ErrorKind::InvalidOptions {
            message: format!("{format} labels are read from the file's path"),
        }
        .into()),
    }?;
    state.finish();
    match (stats, &options.class_names) {
        (LabelStats::MultiClass(counts), Some(names)) => {
            Ok(LabelStats::MultiClass(counts.with_class_names(names)?))
        }
        (stats, _) => Ok(stats),
    }
}

/// The checks of the options that need no file.
fn check_options(options: &ReadOptions) -> Result<(), StatsError> {
    if let Some(classes) = options.classes.filter(|&c| c > tally::MAX_CLASSES) {
        return Err(ErrorKind::InvalidOptions {
            message: format!(
                "{classes} classes were declared, more than the {} a label file may have; \
                 declare the real class count",
                tally::MAX_CLASSES
            ),
        }
        .into());
    }
    if options.task == Some(TaskHint::Binary) && options.classes.is_some_and(|c| c != 2) {
        return Err(ErrorKind::InvalidOptions {
            message: format!(
                "a binary task has 2 classes, but {} were declared; declare 2 classes or none",
                options.classes.unwrap_or_default()
            ),
        }
        .into());
    }
    if options.task == Some(TaskHint::Binary)
        && let Some(names) = options.class_names.as_ref().filter(|n| n.len() != 2)
    {
        return Err(ErrorKind::InvalidOptions {
            message: format!(
                "a binary task has 2 classes, but {} names were declared; declare the negative \
                 and the positive class, in that order",
                names.len()
            ),
        }
        .into());
    }
    Ok(())
}

/// The files a glob matched: one dataset in one format.
fn read_files(
    files: &[PathBuf],
    options: &ReadOptions,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<LabelStats, StatsError> {
    match shards::common_format(files, options)? {
        Detected::Known(Format::Parquet) => read_parquet(files, options, progress),
        Detected::Known(Format::Arrow) => read_arrow(files, options, progress),
        Detected::Known(format @ (Format::ImageFolder | Format::Yolo)) => {
            Err(ErrorKind::InvalidOptions {
                message: format!("{format} data is a directory; give the directory, not a glob"),
            }
            .into())
        }
        _ => shards::read_each(files, options, progress),
    }
}

/// Parquet files, when this build reads them.
fn read_parquet(
    files: &[PathBuf],
    options: &ReadOptions,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<LabelStats, StatsError> {
    #[cfg(feature = "parquet")]
    {
        parquet::read(files, options, progress)
    }
    #[cfg(not(feature = "parquet"))]
    {
        let _ = (files, options, progress);
        Err(ErrorKind::FormatNotBuilt {
            format: "Parquet",
            feature: "parquet",
        }
        .into())
    }
}

/// Arrow IPC files, when this build reads them.
fn read_arrow(
    files: &[PathBuf],
    options: &ReadOptions,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<LabelStats, StatsError> {
    #[cfg(feature = "arrow")]
    {
        arrow::read(files, options, progress)
    }
    #[cfg(not(feature = "arrow"))]
    {
        let _ = (files, options, progress);
        Err(ErrorKind::FormatNotBuilt {
            format: "Arrow IPC",
            feature: "arrow",
        }
        .into())
    }
}

/// A directory: YOLO labels when it holds `.txt` files (other than `classes.txt`), else a
/// directory per class (or the format `options` names).
fn read_directory(
    dir: &Path,
    options: &ReadOptions,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<LabelStats, StatsError> {
    if matches!(options.format, None | Some(Format::Parquet | Format::Arrow)) {
        match shards::columnar_directory(dir)? {
            Some((Format::Parquet, files)) => return read_parquet(&files, options, progress),
            Some((_, files)) => return read_arrow(&files, options, progress),
            None if options.format.is_some() => {
                return Err(ErrorKind::InvalidOptions {
                    message: format!(
                        "the directory holds no {} files",
                        options.format.map_or(String::new(), |f| f.to_string())
                    ),
                }
                .into());
            }
            None => {}
        }
    }
    let format = match options.format {
        Some(format @ (Format::ImageFolder | Format::Yolo)) => format,
        Some(other) => {
            return Err(ErrorKind::InvalidOptions {
                message: format!("{other} labels are a file, but this is a directory"),
            }
            .into());
        }
        None => {
            let has_txt = std::fs::read_dir(dir)
                .map_err(ErrorKind::Io)?
                .filter_map(Result::ok)
                .any(|entry| {
                    let name = entry.file_name();
                    let name = name.to_string_lossy();
                    entry.file_type().is_ok_and(|t| t.is_file())
                        && name.to_ascii_lowercase().ends_with(".txt")
                        && name != "classes.txt"
                });
            if has_txt {
                Format::Yolo
            } else {
                Format::ImageFolder
            }
        }
    };
    let stats = match format {
        Format::Yolo => yolo::read(dir, options, progress),
        _ => image_folder::read(dir, options, progress),
    }?;
    match (stats, &options.class_names) {
        (LabelStats::MultiClass(counts), Some(names)) => {
            Ok(LabelStats::MultiClass(counts.with_class_names(names)?))
        }
        (stats, _) => Ok(stats),
    }
}

/// Calls `each(line, text)` for every line that is not blank, numbered from 1, with surrounding
/// whitespace (a Windows `\r` too) trimmed and a UTF-8 byte-order mark dropped from the first.
fn for_each_line(
    mut reader: impl std::io::BufRead,
    mut each: impl FnMut(u64, &[u8]) -> Result<(), StatsError>,
) -> Result<(), StatsError> {
    let mut buf = Vec::with_capacity(256);
    let mut line = 0u64;
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf).map_err(io_error)? == 0 {
            return Ok(());
        }
        line += 1;
        let mut text = buf.trim_ascii();
        if line == 1 {
            text = text
                .strip_prefix(b"\xef\xbb\xbf")
                .unwrap_or(text)
                .trim_ascii();
        }
        if !text.is_empty() {
            each(line, text)?;
        }
    }
}

/// The counts of a single-label file under `options` (`None` when the task is multi-label).
fn single_label_tally(options: &ReadOptions) -> Option<tally::Tally> {
    match options.task {
        Some(TaskHint::MultiLabel) => None,
        Some(TaskHint::Binary) => Some(tally::Tally::new(None, true)),
        Some(TaskHint::MultiClass) | None => Some(tally::Tally::new(options.classes, false)),
    }
}

/// The error for a multi-label task on a format that holds one label per row.
fn multi_label_unsupported(format: &str) -> StatsError {
    ErrorKind::InvalidOptions {
        message: format!(
            "a {format} file holds one label per row, not multi-label 0/1 values; use a CSV/TSV \
             with one 0/1 column per label, a 2-D NPY array, or {{\"rows\": N, \"positives\": \
             {{..}}}} JSON"
        ),
    }
    .into()
}

/// An error when a multi-label name is given twice (two header columns, two JSON keys): their
/// counts cannot both be the label's.
fn distinct_labels(labels: &[String]) -> Result<(), StatsError> {
    let mut seen = std::collections::HashSet::new();
    match labels.iter().find(|label| !seen.insert(label.as_str())) {
        Some(label) => Err(ErrorKind::DuplicateLabel {
            label: label.clone(),
        }
        .into()),
        None => Ok(()),
    }
}

/// The error for a multi-label task on a layout that holds one class per file or object.
fn single_label_only(options: &ReadOptions, layout: &str) -> Result<(), StatsError> {
    if options.task == Some(TaskHint::MultiLabel) {
        return Err(ErrorKind::InvalidOptions {
            message: format!(
                "{layout} hold one class per item (multi-class counts), not multi-label rows; \
                 declare the task multi-class or leave it out"
            ),
        }
        .into());
    }
    Ok(())
}

/// Checks a declared class count against the classes a layout lists (categories, class
/// directories).
fn check_class_count(options: &ReadOptions, found: usize) -> Result<(), StatsError> {
    match options.classes {
        Some(declared) if declared != found => {
            Err(ErrorKind::LabelCount { declared, found }.into())
        }
        _ => Ok(()),
    }
}

/// Checks the declared class count against the number of multi-label columns.
fn check_label_count(options: &ReadOptions, found: usize) -> Result<(), StatsError> {
    match options.classes {
        Some(declared) if declared != found => {
            Err(ErrorKind::LabelCount { declared, found }.into())
        }
        _ => Ok(()),
    }
}

struct Progress<'p> {
    read: u64,
    reported: u64,
    total: u64,
    callback: &'p mut dyn FnMut(u64, u64),
}

impl Progress<'_> {
    fn advance(&mut self, n: usize) {
        self.read = self.read.saturating_add(n as u64);
        if self.read.saturating_sub(self.reported) >= PROGRESS_STEP {
            self.reported = self.read;
            (self.callback)(self.read, self.total);
        }
    }

    fn finish(&mut self) {
        if self.reported != self.read || self.read == 0 {
            self.reported = self.read;
            (self.callback)(self.read, self.total);
        }
    }
}

/// What kind of file system entry `metadata` describes, for messages (`a FIFO`, `a
/// character device`, `a directory`).
#[must_use]
pub fn file_kind(metadata: &std::fs::Metadata) -> &'static str {
    let kind = metadata.file_type();
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if kind.is_char_device() {
            return "a character device";
        }
        if kind.is_block_device() {
            return "a block device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else if kind.is_file() {
        "a regular file"
    } else {
        "a special file"
    }
}

/// The error an I/O error of a reader stands for: [`ErrorKind::LineTooLong`] when the line cap
/// stopped the read, else [`ErrorKind::Io`].
pub(crate) fn io_error(err: std::io::Error) -> ErrorKind {
    if err
        .get_ref()
        .is_some_and(|inner| inner.downcast_ref::<LineTooLong>().is_some())
    {
        ErrorKind::LineTooLong {
            limit: MAX_LINE_BYTES,
        }
    } else {
        ErrorKind::Io(err)
    }
}

/// The marker error of [`LineCapped`].
#[derive(Debug)]
struct LineTooLong;

impl std::fmt::Display for LineTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a line is longer than {MAX_LINE_BYTES} bytes")
    }
}

impl std::error::Error for LineTooLong {}

/// A reader that fails once a line grows past `limit` bytes (none: no limit).
struct LineCapped<R> {
    inner: R,
    limit: Option<usize>,
    /// Bytes since the last line break.
    run: usize,
}

impl<R: Read> Read for LineCapped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(limit) = self.limit {
            let chunk = buf.get(..n).unwrap_or_default();
            let too_long = if let (Some(first), Some(last)) = (
                chunk.iter().position(|&b| b == b'\n'),
                chunk.iter().rposition(|&b| b == b'\n'),
            ) {
                // The line the first break ends started in an earlier chunk; lines between
                // breaks of this chunk are shorter than the chunk.
                let ended = self.run.saturating_add(first);
                self.run = n - last - 1;
                ended > limit || self.run > limit
            } else {
                self.run = self.run.saturating_add(n);
                self.run > limit
            };
            if too_long {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    LineTooLong,
                ));
            }
        }
        Ok(n)
    }
}

/// A reader that reports its progress.
struct Counting<'s, 'p, R> {
    inner: R,
    state: &'s mut Progress<'p>,
}

impl<R: Read> Read for Counting<'_, '_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.state.advance(n);
        Ok(n)
    }
}
