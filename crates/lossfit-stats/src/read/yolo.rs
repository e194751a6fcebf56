//! YOLO label directories: one `.txt` file per image, one object per line, the class id first.
//!
//! ```text
//! labels/train/
//!   0001.txt      0 0.51 0.43 0.20 0.31        class x_center y_center width height
//!                 2 0.12 0.80 0.05 0.07
//!   classes.txt   person\ncar\ndog             optional: the class names, in id order
//! ```
//! Every `.txt` file directly in the directory is read except `classes.txt`, whose lines (when
//! it exists, here or in the parent directory) name the classes `0, 1, ..` in order; the count of
//! a class is its number of objects. A line whose first field is not a class id is an error
//! naming the file and line; an empty file is an image without objects.

use std::io::BufRead;
use std::path::Path;

use super::tally::Tally;
use crate::counts::{ClassCounts, ClassLabel, LabelStats};
use crate::error::{ErrorKind, StatsError};
use crate::format::ReadOptions;

/// The file of class names, one per line, in id order.
const CLASS_NAMES: &str = "classes.txt";

pub(super) fn read(
    dir: &Path,
    options: &ReadOptions,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<LabelStats, StatsError> {
    super::single_label_only(options, "YOLO labels")?;
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .map_err(ErrorKind::Io)?
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_ok_and(|t| t.is_file()))
        .map(|entry| entry.path())
        .filter(|path| {
            path.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("txt"))
                && path.file_name().is_some_and(|n| n != CLASS_NAMES)
        })
        .collect();
    if files.is_empty() {
        return Err(ErrorKind::Empty.into());
    }
    files.sort();
    let names = class_names(dir)?;
    let mut tally = Tally::new(names.as_ref().map(Vec::len).or(options.classes), false);
    let mut read = 0u64;
    let mut buf = Vec::with_capacity(128);
    for path in &files {
        let file = std::fs::File::open(path)
            .map_err(|e| StatsError::new(ErrorKind::Io(e)).with_path(path))?;
        let mut reader = std::io::BufReader::new(file);
        let mut line = 0u64;
        loop {
            buf.clear();
            let n = reader
                .read_until(b'\n', &mut buf)
                .map_err(|e| StatsError::new(ErrorKind::Io(e)).with_path(path))?;
            if n == 0 {
                break;
            }
            read += n as u64;
            line += 1;
            let Some(first) = buf.split(u8::is_ascii_whitespace).find(|f| !f.is_empty()) else {
                continue;
            };
            let id = std::str::from_utf8(first)
                .ok()
                .and_then(|f| f.parse::<u64>().ok())
                .ok_or_else(|| ErrorKind::NotAnInteger {
                    value: String::from_utf8_lossy(first).into_owned(),
                })
                .and_then(|id| tally.add_int(id, 1).map(|()| id));
            if let Err(kind) = id {
                return Err(StatsError::new(kind).with_path(path).with_line(line));
            }
        }
        progress(read, 0);
    }
    let counts: ClassCounts = tally.finish()?;
    let Some(names) = names else {
        return Ok(LabelStats::MultiClass(counts));
    };
    // Ids 0..names.len() (the tally refused any other): named, in id order.
    let named = counts
        .counts()
        .into_iter()
        .zip(&names)
        .map(|(n, name)| (ClassLabel::from(name.as_str()), n));
    Ok(LabelStats::MultiClass(
        ClassCounts::from_pairs(named).with_class_names(&names)?,
    ))
}

/// The class names of `classes.txt` in the directory or its parent, if there is one.
fn class_names(dir: &Path) -> Result<Option<Vec<String>>, StatsError> {
    let candidates = [Some(dir), dir.parent()];
    for path in candidates
        .into_iter()
        .flatten()
        .map(|d| d.join(CLASS_NAMES))
    {
        if path.is_file() {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| StatsError::new(ErrorKind::Io(e)).with_path(&path))?;
            let names: Vec<String> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect();
            return Ok((!names.is_empty()).then_some(names));
        }
    }
    Ok(None)
}
