//! Datasets in several files: a glob (`data/train-*.parquet`), a directory of Parquet shards, or
//! the directory `datasets`' `save_to_disk` writes. The files of one dataset are counted together
//! (in parallel) and their counts merged, so the statistics are those of the whole split.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::counts::{ClassCounts, ClassLabel, LabelStats, MultiLabelCounts};
use crate::error::{ErrorKind, StatsError};
use crate::format::{Detected, Format, ReadOptions};

/// Whether a path that does not exist is a glob pattern (`*`, `?` or `[`).
pub(super) fn is_pattern(path: &Path) -> bool {
    path.to_str().is_some_and(|p| p.contains(['*', '?', '[']))
}

/// Where `path` reads from, for a caller that confines label files to a directory: `path`
/// itself, or, for a glob pattern (`data/train-*.parquet`), the directory all its matches lie
/// under (its components before the first with `*`, `?` or `[`). `None` for a pattern that
/// climbs out of that directory again (a `..` after a wildcard): its matches could be anywhere.
///
/// # Example
/// ```
/// use std::path::Path;
/// use lossfit_stats::read_root;
///
/// assert_eq!(read_root(Path::new("data/train.csv")).unwrap(), Path::new("data/train.csv"));
/// assert_eq!(read_root(Path::new("data/hub/train-*.parquet")).unwrap(), Path::new("data/hub"));
/// assert_eq!(read_root(Path::new("*.parquet")).unwrap(), Path::new("."));
/// assert_eq!(read_root(Path::new("data/*/../../secret/*.csv")), None);
/// ```
#[must_use]
pub fn read_root(path: &Path) -> Option<PathBuf> {
    if path.exists() || !is_pattern(path) {
        return Some(path.to_path_buf());
    }
    let mut base = PathBuf::new();
    let mut components = path.components();
    for component in components.by_ref() {
        if component
            .as_os_str()
            .to_str()
            .is_some_and(|c| c.contains(['*', '?', '[']))
        {
            break;
        }
        base.push(component);
    }
    if components.any(|c| c == std::path::Component::ParentDir) {
        return None;
    }
    if base.as_os_str().is_empty() {
        base.push(".");
    }
    Some(base)
}

/// The regular files a pattern matches, sorted.
pub(super) fn expand(pattern: &Path) -> Result<Vec<PathBuf>, StatsError> {
    let text = pattern.to_str().unwrap_or_default();
    let paths = glob::glob(text).map_err(|e| ErrorKind::InvalidOptions {
        message: format!(
            "`{text}` is not a valid glob pattern ({e}); write it like `data/train-*.parquet`"
        ),
    })?;
    let mut files = Vec::new();
    for path in paths {
        let path = path.map_err(|e| StatsError::new(ErrorKind::Io(e.into())))?;
        let metadata = std::fs::metadata(&path)
            .map_err(|e| StatsError::new(ErrorKind::Io(e)).with_path(&path))?;
        if metadata.is_file() {
            files.push(path);
        } else if !metadata.is_dir() {
            return Err(StatsError::new(ErrorKind::NotAFile {
                kind: super::file_kind(&metadata),
            })
            .with_path(&path));
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(ErrorKind::NoMatch {
            pattern: text.to_string(),
        }
        .into());
    }
    Ok(files)
}

/// The format every file has (by extension), or the error naming the two that differ.
pub(super) fn common_format(
    files: &[PathBuf],
    options: &ReadOptions,
) -> Result<Detected, StatsError> {
    if let Some(format) = options.format {
        return Ok(Detected::Known(format));
    }
    let mut common: Option<(Detected, &Path)> = None;
    for file in files {
        let format = Format::from_extension(file).ok_or_else(|| {
            StatsError::new(ErrorKind::UnknownFormat {
                extension: file.extension().map(|e| e.to_string_lossy().into_owned()),
            })
            .with_path(file)
        })?;
        match common {
            None => common = Some((format, file)),
            Some((first, first_file)) if first != format => {
                return Err(ErrorKind::InvalidOptions {
                    message: format!(
                        "the files are of different formats (`{}` and `{}`); give the files of \
                         one dataset",
                        first_file.display(),
                        file.display()
                    ),
                }
                .into());
            }
            Some(_) => {}
        }
    }
    common
        .map(|(f, _)| f)
        .ok_or_else(|| ErrorKind::Empty.into())
}

/// What a directory of a columnar dataset holds, when it is one.
pub(super) fn columnar_directory(dir: &Path) -> Result<Option<(Format, Vec<PathBuf>)>, StatsError> {
    if let Some(splits) = dataset_dict_splits(dir) {
        return Err(ErrorKind::InvalidOptions {
            message: format!(
                "this is a `DatasetDict` with the splits {}; give one split's directory (`{}`)",
                splits
                    .iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                dir.join(splits.first().map_or("train", String::as_str))
                    .display()
            ),
        }
        .into());
    }
    let mut parquet = Vec::new();
    let mut arrow = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(ErrorKind::Io)? {
        let entry = entry.map_err(ErrorKind::Io)?;
        if !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        match Format::from_extension(&entry.path()) {
            Some(Detected::Known(Format::Parquet)) => parquet.push(entry.path()),
            Some(Detected::Known(Format::Arrow)) => arrow.push(entry.path()),
            _ => {}
        }
    }
    parquet.sort();
    arrow.sort();
    if let Some(listed) = save_to_disk_files(dir) {
        return Ok(Some((Format::Arrow, listed)));
    }
    if !parquet.is_empty() {
        check_one_split(&parquet)?;
        return Ok(Some((Format::Parquet, parquet)));
    }
    if !arrow.is_empty() {
        check_one_split(&arrow)?;
        return Ok(Some((Format::Arrow, arrow)));
    }
    Ok(None)
}

/// The data files `state.json` lists (`save_to_disk` output), in its order.
fn save_to_disk_files(dir: &Path) -> Option<Vec<PathBuf>> {
    let text = std::fs::read_to_string(dir.join("state.json")).ok()?;
    let state: serde_json::Value = serde_json::from_str(&text).ok()?;
    let files: Vec<PathBuf> = state
        .get("_data_files")?
        .as_array()?
        .iter()
        .map(|f| f.get("filename")?.as_str().map(|name| dir.join(name)))
        .collect::<Option<_>>()?;
    (!files.is_empty()).then_some(files)
}

/// The splits of a `DatasetDict` saved with `save_to_disk` (`dataset_dict.json`).
fn dataset_dict_splits(dir: &Path) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(dir.join("dataset_dict.json")).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    value
        .get("splits")?
        .as_array()?
        .iter()
        .map(|s| s.as_str().map(str::to_string))
        .collect()
}

/// Refuses a directory that holds the shards of several splits (`train-00000-of-00004.parquet`
/// beside `test-00000-of-00001.parquet`): their counts together describe no split.
fn check_one_split(files: &[PathBuf]) -> Result<(), StatsError> {
    let mut splits: Vec<String> = files
        .iter()
        .filter_map(|f| split_of(f.file_name()?.to_str()?))
        .collect();
    splits.sort();
    splits.dedup();
    if splits.len() > 1 {
        let dir = files[0].parent().unwrap_or(Path::new("."));
        return Err(ErrorKind::InvalidOptions {
            message: format!(
                "the directory holds the shards of several splits ({}); give one split with a \
                 glob: `{}`",
                splits
                    .iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                dir.join(format!(
                    "{}-*.{}",
                    splits.iter().find(|s| *s == "train").unwrap_or(&splits[0]),
                    files[0]
                        .extension()
                        .and_then(|e| e.to_str())
                        .unwrap_or("parquet")
                ))
                .display()
            ),
        }
        .into());
    }
    Ok(())
}

/// The split of a shard named `<split>-<i>-of-<n>.<ext>`.
fn split_of(name: &str) -> Option<String> {
    let stem = name.rsplit_once('.')?.0;
    let (rest, total) = stem.rsplit_once("-of-")?;
    let (split, index) = rest.rsplit_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (digits(total) && digits(index) && !split.is_empty()).then(|| split.to_string())
}

/// Reads files of a line or JSON format one by one (in parallel) and merges their statistics.
pub(super) fn read_each(
    files: &[PathBuf],
    options: &ReadOptions,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<LabelStats, StatsError> {
    let total: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).map_or(0, |m| m.len()))
        .sum();
    let mut done = 0u64;
    let mut merged: Option<LabelStats> = None;
    let batch = (2 * rayon::current_num_threads()).max(4);
    for chunk in files.chunks(batch) {
        let parts: Vec<Result<(LabelStats, u64), StatsError>> = chunk
            .par_iter()
            .map(|file| {
                let mut bytes = 0;
                let stats = super::read_labels_with_progress(file, options, &mut |read, _| {
                    bytes = read;
                })?;
                Ok((stats, bytes))
            })
            .collect();
        for part in parts {
            let (stats, bytes) = part?;
            merged = Some(match merged {
                None => stats,
                Some(so_far) => merge(so_far, stats, options)?,
            });
            done = done.saturating_add(bytes);
        }
        progress(done, total);
    }
    merged.ok_or_else(|| ErrorKind::Empty.into())
}

/// The statistics of two files of one dataset.
fn merge(a: LabelStats, b: LabelStats, options: &ReadOptions) -> Result<LabelStats, StatsError> {
    match (a, b) {
        (LabelStats::MultiClass(a), LabelStats::MultiClass(b)) => {
            let pairs = a
                .labels()
                .iter()
                .cloned()
                .zip(a.counts())
                .chain(b.labels().iter().cloned().zip(b.counts()));
            let ids = |c: &ClassCounts| c.labels().iter().all(|l| matches!(l, ClassLabel::Id(_)));
            if ids(&a) != ids(&b) {
                return Err(mixed());
            }
            let merged = ClassCounts::from_pairs(pairs);
            let merged = match (&options.class_names, options.classes) {
                (Some(names), _) => merged.with_class_names(names)?,
                (None, Some(classes)) => merged.with_declared_classes(classes)?,
                (None, None) => merged,
            };
            Ok(LabelStats::MultiClass(merged))
        }
        (LabelStats::MultiLabel(a), LabelStats::MultiLabel(b)) => {
            let mut labels: Vec<String> = a.labels().to_vec();
            let mut positives: Vec<u64> = a.positives().to_vec();
            for (label, &n) in b.labels().iter().zip(b.positives()) {
                if let Some(i) = labels.iter().position(|l| l == label) {
                    positives[i] = positives[i].saturating_add(n);
                } else {
                    labels.push(label.clone());
                    positives.push(n);
                }
            }
            Ok(LabelStats::MultiLabel(MultiLabelCounts::new(
                labels,
                positives,
                a.rows().saturating_add(b.rows()),
            )))
        }
        _ => Err(ErrorKind::InvalidOptions {
            message: "some files hold multi-label rows and others one label per row; give the \
                      files of one dataset"
                .to_string(),
        }
        .into()),
    }
}

fn mixed() -> StatsError {
    ErrorKind::InvalidOptions {
        message: "some files label classes by id and others by name; write every file's labels \
                  the same way"
            .to_string(),
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_of_shard_names() {
        assert_eq!(
            split_of("train-00000-of-00042.parquet").as_deref(),
            Some("train")
        );
        assert_eq!(
            split_of("my-split-00001-of-00002.arrow").as_deref(),
            Some("my-split")
        );
        assert_eq!(
            split_of("data-00000-of-00001.arrow").as_deref(),
            Some("data")
        );
        assert_eq!(split_of("part-0.parquet"), None);
        assert_eq!(split_of("0000.parquet"), None);
    }

    #[test]
    fn patterns() {
        assert!(is_pattern(Path::new("data/train-*.parquet")));
        assert!(is_pattern(Path::new("data/train-0000[0-3].parquet")));
        assert!(!is_pattern(Path::new("data/train.parquet")));
    }
}
