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

pub(super) fn read(reader: impl BufRead, options: &ReadOptions) -> Result<LabelStats, StatsError> {
    let Some(mut tally) = single_label_tally(options) else {
        return Err(multi_label_unsupported("text"));
    };
    super::for_each_line(reader, |line, label| {
        tally
            .add_field(label, 1)
            .map_err(|kind| StatsError::new(kind).with_line(line))
    })?;
    Ok(LabelStats::MultiClass(tally.finish()?))
}
