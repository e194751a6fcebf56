//! Writing statistics as a counts JSON file, the small stand-in for a large label file that
//! [`read_labels`](crate::read_labels) reads back.

use std::io::{self, Write};

use crate::counts::LabelStats;

/// Writes `stats` as counts JSON, one class or label per line:
///
/// ```text
/// {"counts": {"cat": 900, "dog": 100}}                   single-label, in class order
/// {"rows": 1000, "positives": {"cat": 120, "dog": 40}}   multi-label, in column order
/// ```
///
/// [`read_labels`](crate::read_labels) reads the file back into equal statistics (a file of
/// class ids keeps them as ids, `"0"`, `"1"`; classes with count 0 are written and kept).
///
/// # Errors
/// Any error of `out`.
///
/// # Example
/// ```
/// use lossfit_stats::{ClassCounts, LabelStats, write_counts_json};
///
/// let stats = LabelStats::MultiClass(ClassCounts::from_pairs([("dog".into(), 100), ("cat".into(), 900)]));
/// let mut out = Vec::new();
/// write_counts_json(&stats, &mut out)?;
/// assert_eq!(String::from_utf8(out).unwrap(), "{\"counts\": {\n  \"cat\": 900,\n  \"dog\": 100\n}}\n");
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn write_counts_json(stats: &LabelStats, out: &mut dyn Write) -> io::Result<()> {
    match stats {
        LabelStats::MultiClass(counts) => {
            out.write_all(b"{\"counts\": {")?;
            let mut entries: Vec<(String, u64)> =
                counts.iter().map(|(l, n)| (l.to_string(), n)).collect();
            // The reader takes the first key's kind for the whole file: among names, one that
            // looks like an integer (`10`) must not come first, or `cat` after it is an error.
            entries.sort_by_key(|(key, _)| looks_like_integer(key));
            write_entries(out, entries.into_iter())?;
        }
        LabelStats::MultiLabel(counts) => {
            write!(out, "{{\"rows\": {}, \"positives\": {{", counts.rows())?;
            write_entries(
                out,
                counts
                    .labels()
                    .iter()
                    .cloned()
                    .zip(counts.positives().iter().copied()),
            )?;
        }
    }
    out.write_all(b"}}\n")?;
    out.flush()
}

fn write_entries(
    out: &mut dyn Write,
    entries: impl Iterator<Item = (String, u64)>,
) -> io::Result<()> {
    let mut first = true;
    for (key, n) in entries {
        out.write_all(if first { b"\n  " } else { b",\n  " })?;
        first = false;
        serde_json::to_writer(&mut *out, &key)?;
        write!(out, ": {n}")?;
    }
    if !first {
        out.write_all(b"\n")?;
    }
    Ok(())
}

fn looks_like_integer(key: &str) -> bool {
    let key = key.trim();
    let digits = key.strip_prefix('-').unwrap_or(key);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}
