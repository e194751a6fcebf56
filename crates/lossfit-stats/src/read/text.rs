//! One label per line: `cat`, `dog`, ... or `0`, `3`, ...
//!
//! ```text
//! cat
//! dog
//!
//! cat
//! ```
//! Surrounding whitespace (including a Windows `\r`) is ignored, blank lines are skipped and
//! a UTF-8 byte-order mark at the start is dropped. Lines are numbered from 1 in errors.

use std::io::BufRead;

use super::{multi_label_unsupported, single_label_tally};
use crate::counts::LabelStats;
use crate::error::StatsError;
use crate::format::ReadOptions;

pub(super) fn read(
    mut reader: impl BufRead,
    options: &ReadOptions,
) -> Result<LabelStats, StatsError> {
    let Some(mut tally) = single_label_tally(options) else {
        return Err(multi_label_unsupported("text"));
    };
    let mut buf = Vec::with_capacity(256);
    let mut line = 0u64;
    loop {
        buf.clear();
        if reader
            .read_until(b'\n', &mut buf)
            .map_err(super::io_error)?
            == 0
        {
            break;
        }
        line += 1;
        let mut label = buf.trim_ascii();
        if line == 1 {
            label = label
                .strip_prefix(b"\xef\xbb\xbf")
                .unwrap_or(label)
                .trim_ascii();
        }
        if label.is_empty() {
            continue;
        }
        tally
            .add_field(label, 1)
            .map_err(|kind| StatsError::new(kind).with_line(line))?;
    }
    Ok(LabelStats::MultiClass(tally.finish()?))
}
