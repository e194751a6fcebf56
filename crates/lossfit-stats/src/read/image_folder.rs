//! A directory per class (torchvision's `ImageFolder` layout): `train/<class>/**/<image>`.
//!
//! ```text
//! train/
//!   cat/ 0001.jpg 0002.jpg ...
//!   dog/ a/0003.png ...          files in nested directories count for their class
//! ```
//! The classes are the subdirectories, sorted by name as torchvision sorts them (so index `i`
//! is the class `ImageFolder` gives label `i`); the count of a class is the number of files
//! below it whose extension is an image extension torchvision accepts (`.jpg`, `.jpeg`, `.png`,
//! `.ppm`, `.bmp`, `.pgm`, `.tif`, `.tiff`, `.webp`, any case), or one of
//! [`ReadOptions::extensions`](crate::ReadOptions::extensions). A class without such files is
//! kept with count 0 (torchvision would refuse the dataset). Only file names are read, never
//! file contents; only regular files (and links to them) count; symbolic links to directories
//! are not followed (a link cycle cannot loop).

use std::path::Path;

use crate::counts::{ClassCounts, ClassLabel, LabelStats};
use crate::error::{ErrorKind, StatsError};
use crate::format::ReadOptions;

/// torchvision's `IMG_EXTENSIONS`.
pub(crate) const IMAGE_EXTENSIONS: [&str; 9] = [
    "jpg", "jpeg", "png", "ppm", "bmp", "pgm", "tif", "tiff", "webp",
];

pub(super) fn read(
    dir: &Path,
    options: &ReadOptions,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<LabelStats, StatsError> {
    super::single_label_only(options, "class directories")?;
    let extensions: Vec<String> = match &options.extensions {
        Some(list) => list
            .iter()
            .map(|e| e.trim_start_matches('.').to_ascii_lowercase())
            .collect(),
        None => IMAGE_EXTENSIONS.iter().map(|e| (*e).to_string()).collect(),
    };
    let mut classes: Vec<String> = std::fs::read_dir(dir)
        .map_err(ErrorKind::Io)?
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_ok_and(|t| t.is_dir()))
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    if classes.is_empty() {
        return Err(ErrorKind::Empty.into());
    }
    // torchvision sorts the names as Python compares strings: by code point, which is Rust's
    // `str` order.
    classes.sort();
    let mut files = 0u64;
    let mut pairs = Vec::with_capacity(classes.len());
    for class in &classes {
        let count = count_files(&dir.join(class), &extensions)?;
        files += count;
        progress(files, 0);
        pairs.push((ClassLabel::from(class.as_str()), count));
    }
    if files == 0 {
        return Err(ErrorKind::InvalidOptions {
            message: format!(
                "no file with an image extension ({}) below any class directory; list the \
                 extensions the dataset uses",
                extensions.join(", ")
            ),
        }
        .into());
    }
    super::check_class_count(options, classes.len())?;
    Ok(LabelStats::MultiClass(
        ClassCounts::from_pairs(pairs).with_class_names(&classes)?,
    ))
}

/// Files below `dir` (recursively, without following directory links) with one of the
/// extensions.
fn count_files(dir: &Path, extensions: &[String]) -> Result<u64, StatsError> {
    let mut count = 0u64;
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir)
            .map_err(|e| StatsError::new(ErrorKind::Io(e)).with_path(&dir))?;
        for entry in entries.filter_map(Result::ok) {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                pending.push(entry.path());
            } else if has_extension(&entry.file_name().to_string_lossy(), extensions)
                && (kind.is_file() || (kind.is_symlink() && entry.path().is_file()))
            {
                // Regular files and links to them: a FIFO or a device named `x.jpg` is not an
                // image (and is never opened).
                count += 1;
            }
        }
    }
    Ok(count)
}

fn has_extension(name: &str, extensions: &[String]) -> bool {
    name.rsplit_once('.')
        .is_some_and(|(_, ext)| extensions.iter().any(|e| e.eq_ignore_ascii_case(ext)))
}
