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

/// Whether the reader takes `key` for a class id: ASCII digits after an optional `-`, once the
/// ASCII whitespace around it is dropped, exactly as the readers trim a label (`str::trim`
/// would also drop a vertical tab or a no-break space, which the readers keep: the name
/// `"1\u{b}"` came first and made the file a file of ids).
fn looks_like_integer(key: &str) -> bool {
    let key = key.trim_ascii();
    let digits = key.strip_prefix('-').unwrap_or(key);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counts::{ClassCounts, ClassLabel};
    use crate::format::ReadOptions;

    /// Found by the `label_readers` fuzz target: names that are an integer followed by
    /// whitespace the readers do not trim were written first and read back as ids.
    #[test]
    fn names_that_look_like_integers_only_to_str_trim_read_back() {
        let dir = std::env::temp_dir().join(format!("lossfit-stats-write-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for odd in ["1\u{b}", "1\u{a0}", "\u{2003}7", "-\u{85}"] {
            let stats = LabelStats::MultiClass(ClassCounts::from_pairs([
                (ClassLabel::Name("1".into()), 1),
                (ClassLabel::Name(odd.into()), 2),
            ]));
            let mut out = Vec::new();
            write_counts_json(&stats, &mut out).unwrap();
            let path = dir.join("counts.json");
            std::fs::write(&path, &out).unwrap();
            let back = crate::read_labels(&path, &ReadOptions::default());
            assert_eq!(
                back.ok(),
                Some(stats),
                "{odd:?}: {}",
                String::from_utf8_lossy(&out)
            );
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
