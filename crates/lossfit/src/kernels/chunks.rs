//! Splits rows into contiguous chunks and runs them on rayon's pool above a size threshold.
//!
//! The split depends only on the shape, never on the number of threads, and the per-chunk sums
//! are added in chunk order, so a loss is bit-for-bit the same on 1 thread and on 64.

use std::ops::Range;

/// Below this many elements a loss runs on the calling thread: splitting costs more than it
/// saves (a rayon task is a few microseconds; 64 Ki floats take about as long).
pub(crate) const PARALLEL_THRESHOLD: usize = 1 << 16;
/// Each chunk holds at least this many elements.
const MIN_CHUNK: usize = 1 << 14;
/// At most this many chunks (their partial sums live on the stack).
const MAX_CHUNKS: usize = 256;

/// The chunking of `rows` rows of `row_len` elements each.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Plan {
    rows: usize,
    row_len: usize,
    rows_per_chunk: usize,
    chunks: usize,
}

impl Plan {
    pub(crate) fn new(rows: usize, row_len: usize) -> Plan {
        let total = rows.saturating_mul(row_len.max(1));
        let wanted = (total / MIN_CHUNK).clamp(1, MAX_CHUNKS).min(rows.max(1));
        let rows_per_chunk = rows.div_ceil(wanted).max(1);
        Plan {
            rows,
            row_len,
            rows_per_chunk,
            chunks: rows.div_ceil(rows_per_chunk),
        }
    }
}

/// Up to three per-element outputs (`row_len` elements per row) that are split alike.
pub(crate) type ElemOutputs<'o, A> = [Option<&'o mut [A]>; 3];

/// A chunk's share of the outputs: the rows it covers, its slices of the per-element outputs
/// and of the per-row output, where the caller has them.
#[derive(Debug)]
pub(crate) struct Chunk<'o, A, B> {
    pub(crate) rows: Range<usize>,
    pub(crate) elems: ElemOutputs<'o, A>,
    pub(crate) per_row: Option<&'o mut [B]>,
}

/// Runs `work` over every chunk of `plan` and returns the sum of what it returns, added in
/// chunk order. Chunks run in parallel when the input is at least [`PARALLEL_THRESHOLD`]
/// elements and rayon's pool (`RAYON_NUM_THREADS`) has more than one thread.
pub(crate) fn run_chunks<A: Send, B: Send>(
    plan: Plan,
    elems: ElemOutputs<'_, A>,
    per_row: Option<&mut [B]>,
    work: &(impl Fn(Chunk<'_, A, B>) -> f64 + Sync),
) -> f64 {
    let mut partials = [0.0_f64; MAX_CHUNKS];
    let parallel = plan.rows * plan.row_len >= PARALLEL_THRESHOLD
        && plan.chunks > 1
        && rayon::current_num_threads() > 1;
    let whole = Chunk {
        rows: 0..plan.rows,
        elems,
        per_row,
    };
    split(plan, whole, &mut partials[..plan.chunks], parallel, work);
    // Plain in-order addition: at most 256 partials, each already an f64 sum.
    partials[..plan.chunks].iter().sum()
}

fn split<A: Send, B: Send>(
    plan: Plan,
    chunk: Chunk<'_, A, B>,
    partials: &mut [f64],
    parallel: bool,
    work: &(impl Fn(Chunk<'_, A, B>) -> f64 + Sync),
) {
    if partials.len() <= 1 {
        if let Some(slot) = partials.first_mut() {
            *slot = work(chunk);
        }
        return;
    }
    let left_chunks = partials.len() / 2;
    let mid = chunk.rows.start + left_chunks * plan.rows_per_chunk;
    let left_rows = mid - chunk.rows.start;
    let mut left_elems: ElemOutputs<'_, A> = [None, None, None];
    let mut right_elems: ElemOutputs<'_, A> = [None, None, None];
    for (k, e) in chunk.elems.into_iter().enumerate() {
        if let Some(e) = e {
            let (l, r) = e.split_at_mut(left_rows * plan.row_len);
            (left_elems[k], right_elems[k]) = (Some(l), Some(r));
        }
    }
    let (left_per_row, right_per_row) = match chunk.per_row {
        Some(v) => {
            let (l, r) = v.split_at_mut(left_rows);
            (Some(l), Some(r))
        }
        None => (None, None),
    };
    let left = Chunk {
        rows: chunk.rows.start..mid,
        elems: left_elems,
        per_row: left_per_row,
    };
    let right = Chunk {
        rows: mid..chunk.rows.end,
        elems: right_elems,
        per_row: right_per_row,
    };
    let (left_partials, right_partials) = partials.split_at_mut(left_chunks);
    if parallel {
        rayon::join(
            || split(plan, left, left_partials, parallel, work),
            || split(plan, right, right_partials, parallel, work),
        );
    } else {
        split(plan, left, left_partials, parallel, work);
        split(plan, right, right_partials, parallel, work);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_every_row_once() {
        for (rows, row_len) in [
            (0, 10),
            (1, 1),
            (7, 3),
            (1000, 1000),
            (70_000, 1),
            (3, 1 << 20),
        ] {
            let plan = Plan::new(rows, row_len);
            let mut elems = vec![0_u32; rows * row_len];
            let mut per_row = vec![0_u32; rows];
            let outputs = [Some(&mut elems[..]), None, None];
            let covered = run_chunks(plan, outputs, Some(&mut per_row), &|c| {
                let n = c.rows.len();
                let [first, None, None] = c.elems else {
                    panic!("only the first output was given")
                };
                assert_eq!(first.as_ref().map(|e| e.len()), Some(n * row_len));
                first.unwrap().iter_mut().for_each(|e| *e += 1);
                c.per_row.unwrap().iter_mut().for_each(|e| *e += 1);
                n as f64
            });
            assert_eq!(covered, rows as f64);
            assert!(elems.iter().chain(&per_row).all(|&e| e == 1));
            assert!(plan.chunks <= MAX_CHUNKS);
        }
    }
}
