//! Applying fixes to a file's text, and the unified diff `--diff` prints.
//!
//! Edits are located by byte offset, checked against the line and column they claim (a frontend
//! that got one of them wrong never makes us cut a character in half), and applied from the end
//! of the file backwards so earlier offsets stay valid. A fix whose edits overlap an accepted
//! fix's edits is skipped whole: the next round of `--fix` re-lints and tries again.

use std::fmt::Write as _;

use crate::diagnostic::{Applicability, Fix};
use crate::facts::{Edit, Pos, Span};

/// Line starts of a text, to convert between byte offsets and 1-based line / column (column
/// counted in characters).
///
/// Every conversion takes logarithmic time, whatever the line's length: the line is found by
/// binary search, and within a line a column is the byte distance on an ASCII line, or is
/// counted from the closest of the checkpoints kept every `CHECKPOINT` (64) characters of a line
/// that is not ASCII. A minified file of one 10 MB line costs no more per position than a
/// formatted one.
#[derive(Clone, Debug)]
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
    /// For each line that is not ASCII (by 0-based index): the byte offset of every
    /// `CHECKPOINT`th character of the line, starting with its first.
    checkpoints: std::collections::HashMap<usize, Vec<usize>>,
}

/// Characters between two checkpoints of a non-ASCII line.
const CHECKPOINT: usize = 64;

impl<'a> LineIndex<'a> {
    #[must_use]
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let mut checkpoints = std::collections::HashMap::new();
        // (An ASCII text, the usual case, has no checkpoints to find.)
        let lines = if text.is_ascii() {
            &[][..]
        } else {
            &starts[..]
        };
        for (line, &start) in lines.iter().enumerate() {
            let end = starts.get(line + 1).copied().unwrap_or(text.len());
            let Some(content) = text.get(start..end) else {
                continue;
            };
            if !content.is_ascii() {
                let marks = content
                    .char_indices()
                    .step_by(CHECKPOINT)
                    .map(|(at, _)| start + at)
                    .collect();
                checkpoints.insert(line, marks);
            }
        }
        Self {
            text,
            starts,
            checkpoints,
        }
    }

    /// The text indexed.
    #[must_use]
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The number of lines (a final newline does not start another).
    #[must_use]
    pub fn lines(&self) -> usize {
        if self.text.ends_with('\n') {
            self.starts.len() - 1
        } else {
            self.starts.len()
        }
    }

    /// The byte offset at which 1-based `line` starts.
    #[must_use]
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.starts.get(line.checked_sub(1)?).copied()
    }

    /// The text of 1-based `line`, without its line ending.
    #[must_use]
    pub fn line_text(&self, line: usize) -> Option<&'a str> {
        let start = self.line_start(line)?;
        let end = self.line_start(line + 1).unwrap_or(self.text.len());
        let raw = self.text.get(start..end)?;
        Some(raw.trim_end_matches('\n').trim_end_matches('\r'))
    }

    /// The characters between the start of 0-based line `line` and byte `offset` on it.
    fn chars_before(&self, line: usize, offset: usize) -> usize {
        let start = self.starts.get(line).copied().unwrap_or(0);
        match self.checkpoints.get(&line) {
            None => offset.saturating_sub(start),
            Some(marks) => {
                let mark = marks.partition_point(|&m| m <= offset).saturating_sub(1);
                let from = marks.get(mark).copied().unwrap_or(start);
                mark * CHECKPOINT + self.text.get(from..offset).map_or(0, |s| s.chars().count())
            }
        }
    }

    /// The byte offset of the `column`th (0-based) character of 0-based line `line`, or the
    /// line's end when `column` is its length; `None` past that.
    #[must_use]
    pub fn char_offset(&self, line: usize, column: usize) -> Option<usize> {
        let start = *self.starts.get(line)?;
        let end = self
            .starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.text.len());
        let content = self.text.get(start..end)?;
        let content = content.strip_suffix('\n').unwrap_or(content);
        match self.checkpoints.get(&line) {
            None => (column <= content.len()).then_some(start + column),
            Some(marks) => {
                // The closest checkpoint at or before the column (the column may be the
                // line's end, just past the last checkpoint's run).
                let mark = (column / CHECKPOINT).min(marks.len().checked_sub(1)?);
                let from = *marks.get(mark)?;
                let rest = self.text.get(from..start + content.len())?;
                let skip = column - mark * CHECKPOINT;
                match rest.char_indices().nth(skip) {
                    Some((at, _)) => Some(from + at),
                    None => (rest.chars().count() == skip).then_some(from + rest.len()),
                }
            }
        }
    }

    /// The position of a byte offset (clamped into the text, and back to a character
    /// boundary).
    #[must_use]
    pub fn pos(&self, offset: usize) -> Pos {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset);
        Pos {
            line,
            column: self.chars_before(line - 1, offset) + 1,
            offset,
        }
    }

    #[must_use]
    pub fn span(&self, start: usize, end: usize) -> Span {
        Span {
            start: self.pos(start),
            end: self.pos(end.max(start)),
        }
    }

    /// The byte offset of a position: its `offset` when that is a character boundary on the
    /// position's line, else computed from line and column. `None` when neither fits the text.
    #[must_use]
    pub fn offset(&self, pos: Pos) -> Option<usize> {
        let on_line = |offset: usize| {
            let start = self.line_start(pos.line)?;
            let next = self.line_start(pos.line + 1).unwrap_or(self.text.len());
            (start..=next).contains(&offset).then_some(offset)
        };
        if pos.offset <= self.text.len()
            && self.text.is_char_boundary(pos.offset)
            && on_line(pos.offset).is_some()
        {
            return Some(pos.offset);
        }
        let line = pos.line.checked_sub(1)?;
        let offset = self.char_offset(line, pos.column.checked_sub(1)?)?;
        // A line's end is before its `\r\n`.
        let text = self.line_text(pos.line)?;
        let start = self.line_start(pos.line)?;
        (offset <= start + text.len()).then_some(offset)
    }

    #[must_use]
    pub fn range(&self, span: Span) -> Option<std::ops::Range<usize>> {
        let start = self.offset(span.start)?;
        let end = self.offset(span.end)?;
        (start <= end).then_some(start..end)
    }
}

/// Whether `--fix` (with `--unsafe-fixes` when `unsafe_fixes`) applies a fix.
#[must_use]
pub fn applies(fix: &Fix, unsafe_fixes: bool) -> bool {
    match fix.applicability {
        Applicability::Safe => true,
        Applicability::Unsafe => unsafe_fixes,
        Applicability::DisplayOnly => false,
    }
}

/// The text after applying fixes, and how many were applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    pub text: String,
    pub applied: usize,
}

/// A byte range and the text that replaces it.
type Replacement<'a> = (std::ops::Range<usize>, &'a str);

/// Applies as many of `fixes` as do not overlap, earliest first; each fix is all or nothing.
#[must_use]
pub fn apply(text: &str, fixes: &[&Fix]) -> Applied {
    let index = LineIndex::new(text);
    let mut candidates: Vec<(usize, Vec<Replacement<'_>>)> = fixes
        .iter()
        .filter_map(|fix| {
            let edits: Option<Vec<_>> = fix
                .edits
                .iter()
                .map(|e: &Edit| index.range(e.span).map(|r| (r, e.content.as_str())))
                .collect();
            let edits = edits.filter(|e| !e.is_empty() && !overlap_within(e))?;
            let first = edits.iter().map(|(r, _)| r.start).min()?;
            Some((first, edits))
        })
        .collect();
    candidates.sort_by_key(|(first, _)| *first);
    let mut accepted: Vec<Replacement<'_>> = Vec::new();
    let mut applied = 0;
    for (_, edits) in candidates {
        let clashes = edits
            .iter()
            .any(|(r, _)| accepted.iter().any(|(a, _)| overlaps(r, a)));
        if !clashes {
            accepted.extend(edits);
            applied += 1;
        }
    }
    accepted.sort_by_key(|(r, _)| std::cmp::Reverse((r.start, r.end)));
    let mut out = text.to_string();
    for (range, content) in accepted {
        out.replace_range(range, content);
    }
    Applied { text: out, applied }
}

/// Two edits touch the same text, or insert at the same point (their order would be a guess).
fn overlaps(a: &std::ops::Range<usize>, b: &std::ops::Range<usize>) -> bool {
    a.start.max(b.start) < a.end.min(b.end)
        || a.start == b.start
        || (a.is_empty() && b.start < a.start && a.start < b.end)
        || (b.is_empty() && a.start < b.start && b.start < a.end)
}

fn overlap_within(edits: &[Replacement<'_>]) -> bool {
    edits
        .iter()
        .enumerate()
        .any(|(i, (a, _))| edits.iter().skip(i + 1).any(|(b, _)| overlaps(a, b)))
}

/// One line-level step of a diff.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Equal(usize, usize),
    Delete(usize),
    Insert(usize),
}

/// Myers' diff gives up beyond this many differing lines and reports the differing middle as
/// one replaced block (still a correct diff, just not a minimal one).
const MAX_EDIT_DISTANCE: usize = 4000;

/// A unified diff (3 lines of context) from `old` to `new`, `--- a/{path}` / `+++ b/{path}`;
/// empty when they are equal.
#[must_use]
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    let ops = diff_lines(&a, &b);
    let mut out = format!("--- a/{path}\n+++ b/{path}\n");
    for hunk in hunks(&ops, 3) {
        let Some(slice) = ops.get(hunk.clone()) else {
            continue;
        };
        let (mut old_start, mut old_len, mut new_start, mut new_len) = (None, 0, None, 0);
        for op in slice {
            match *op {
                Op::Equal(i, j) => {
                    old_start.get_or_insert(i);
                    new_start.get_or_insert(j);
                    old_len += 1;
                    new_len += 1;
                }
                Op::Delete(i) => {
                    old_start.get_or_insert(i);
                    old_len += 1;
                }
                Op::Insert(j) => {
                    new_start.get_or_insert(j);
                    new_len += 1;
                }
            }
        }
        // A side with no lines is numbered by the line before it (GNU diff).
        let start = |s: Option<usize>, len: usize, before: usize| match s {
            Some(s) if len > 0 => s + 1,
            _ => before,
        };
        let (old_before, new_before) = position_before(&ops, hunk.start);
        let _ = writeln!(
            out,
            "@@ -{},{} +{},{} @@",
            start(old_start, old_len, old_before),
            old_len,
            start(new_start, new_len, new_before),
            new_len
        );
        for op in slice {
            let (mark, line) = match *op {
                Op::Equal(i, _) => (' ', a.get(i)),
                Op::Delete(i) => ('-', a.get(i)),
                Op::Insert(j) => ('+', b.get(j)),
            };
            let line = line.copied().unwrap_or_default();
            out.push(mark);
            out.push_str(line);
            if !line.ends_with('\n') {
                out.push_str("\n\\ No newline at end of file\n");
            }
        }
    }
    out
}

/// How many old and new lines come before `ops[at]`.
fn position_before(ops: &[Op], at: usize) -> (usize, usize) {
    ops.iter().take(at).fold((0, 0), |(o, n), op| match op {
        Op::Equal(..) => (o + 1, n + 1),
        Op::Delete(_) => (o + 1, n),
        Op::Insert(_) => (o, n + 1),
    })
}

/// Ranges of `ops` to print: every change with `context` equal lines around it, merging
/// changes whose contexts touch.
fn hunks(ops: &[Op], context: usize) -> Vec<std::ops::Range<usize>> {
    let mut out: Vec<std::ops::Range<usize>> = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        if matches!(op, Op::Equal(..)) {
            continue;
        }
        let start = i.saturating_sub(context);
        let end = (i + 1 + context).min(ops.len());
        match out.last_mut() {
            Some(last) if start <= last.end => last.end = last.end.max(end),
            _ => out.push(start..end),
        }
    }
    out
}

fn diff_lines(a: &[&str], b: &[&str]) -> Vec<Op> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (am, bm) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut ops: Vec<Op> = (0..prefix).map(|i| Op::Equal(i, i)).collect();
    let middle = myers(am, bm).unwrap_or_else(|| {
        (0..am.len())
            .map(Op::Delete)
            .chain((0..bm.len()).map(Op::Insert))
            .collect()
    });
    ops.extend(middle.into_iter().map(|op| match op {
        Op::Equal(i, j) => Op::Equal(i + prefix, j + prefix),
        Op::Delete(i) => Op::Delete(i + prefix),
        Op::Insert(j) => Op::Insert(j + prefix),
    }));
    let (old_end, new_end) = (a.len() - suffix, b.len() - suffix);
    ops.extend((0..suffix).map(|k| Op::Equal(old_end + k, new_end + k)));
    ops
}

/// Myers' O((N+M)·D) shortest edit script; `None` when D exceeds [`MAX_EDIT_DISTANCE`].
fn myers(a: &[&str], b: &[&str]) -> Option<Vec<Op>> {
    let (n, m) = (a.len() as isize, b.len() as isize);
    let max = (a.len() + b.len()).min(MAX_EDIT_DISTANCE) as isize;
    let width = (2 * max + 3) as usize;
    let off = max + 1;
    let mut v = vec![0isize; width];
    // trace[d] holds v[-d..=d] as it was before step d.
    let mut trace: Vec<Vec<isize>> = Vec::new();
    let idx = |k: isize| (k + off) as usize;
    for d in 0..=max {
        trace.push(((-d)..=d).map(|k| v[idx(k)]).collect());
        let mut k = -d;
        while k <= d {
            let mut x = if k == -d || (k != d && v[idx(k - 1)] < v[idx(k + 1)]) {
                v[idx(k + 1)]
            } else {
                v[idx(k - 1)] + 1
            };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            v[idx(k)] = x;
            if x >= n && y >= m {
                return Some(backtrack(&trace, n, m, d));
            }
            k += 2;
        }
    }
    None
}

fn backtrack(trace: &[Vec<isize>], n: isize, m: isize, depth: isize) -> Vec<Op> {
    let mut ops = Vec::new();
    let (mut x, mut y) = (n, m);
    for d in (1..=depth).rev() {
        let snap = &trace[d as usize];
        let get = |k: isize| snap[(k + d) as usize];
        let k = x - y;
        let prev_k = if k == -d || (k != d && get(k - 1) < get(k + 1)) {
            k + 1
        } else {
            k - 1
        };
        let prev_x = get(prev_k);
        let prev_y = prev_x - prev_k;
        while x > prev_x && y > prev_y {
            ops.push(Op::Equal((x - 1) as usize, (y - 1) as usize));
            x -= 1;
            y -= 1;
        }
        if x == prev_x {
            ops.push(Op::Insert((y - 1) as usize));
        } else {
            ops.push(Op::Delete((x - 1) as usize));
        }
        x = prev_x;
        y = prev_y;
    }
    while x > 0 && y > 0 {
        ops.push(Op::Equal((x - 1) as usize, (y - 1) as usize));
        x -= 1;
        y -= 1;
    }
    ops.reverse();
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(index: &LineIndex<'_>, start: usize, end: usize, content: &str) -> Edit {
        Edit {
            span: index.span(start, end),
            content: content.into(),
        }
    }

    fn fix(edits: Vec<Edit>) -> Fix {
        Fix {
            applicability: Applicability::Safe,
            title: String::new(),
            edits,
        }
    }

    #[test]
    fn long_lines_convert_both_ways_like_counting_characters() {
        // A long non-ASCII line (checkpoints), an ASCII one, CRLF, and a last line without a
        // newline: every character boundary maps to the column a plain count gives, and back.
        let text = format!("{}\r\n{}\nzé", "aé€😀".repeat(300), "x".repeat(1000));
        let index = LineIndex::new(&text);
        for (line, start) in [
            (1, 0),
            (2, text.find('x').unwrap()),
            (3, text.rfind('z').unwrap()),
        ] {
            let content = index.line_text(line).unwrap();
            for (column, (at, _)) in content.char_indices().enumerate() {
                let offset = start + at;
                let pos = index.pos(offset);
                assert_eq!(
                    (pos.line, pos.column),
                    (line, column + 1),
                    "offset {offset}"
                );
                let by_column = Pos {
                    line,
                    column: column + 1,
                    offset: usize::MAX,
                };
                assert_eq!(index.offset(by_column), Some(offset));
            }
            let end = Pos {
                line,
                column: content.chars().count() + 1,
                offset: usize::MAX,
            };
            assert_eq!(index.offset(end), Some(start + content.len()));
            let past = Pos {
                column: end.column + 1,
                ..end
            };
            assert_eq!(index.offset(past), None);
        }
    }

    #[test]
    fn the_end_of_a_line_of_whole_checkpoint_runs() {
        // Found by fuzzing: a non-ASCII line of exactly 64 characters (one checkpoint) had no
        // offset for its end column.
        for len in [CHECKPOINT, 2 * CHECKPOINT, CHECKPOINT - 1, CHECKPOINT + 1] {
            let line = format!("é{}", "x".repeat(len - 1));
            for text in [line.clone(), format!("{line}\nnext"), format!("{line}\r\n")] {
                let index = LineIndex::new(&text);
                assert_eq!(
                    index.char_offset(0, len),
                    Some(line.len()),
                    "{len} {text:?}"
                );
            }
            // Past the end (a `\r` before the `\n` is a character of the line here).
            assert_eq!(LineIndex::new(&line).char_offset(0, len + 1), None);
        }
    }

    #[test]
    fn positions_count_characters() {
        let text = "aé\nxyz\n";
        let index = LineIndex::new(text);
        let p = index.pos(4);
        assert_eq!((p.line, p.column, p.offset), (2, 1, 4));
        let p = index.pos(3);
        assert_eq!((p.line, p.column), (1, 3));
        // Inside `é`: moved back to its start.
        assert_eq!(index.pos(2).offset, 1);
        assert_eq!(index.lines(), 2);
        assert_eq!(index.line_text(2), Some("xyz"));
    }

    #[test]
    fn offsets_fall_back_to_line_and_column() {
        let text = "ab\ncdé\n";
        let index = LineIndex::new(text);
        let wrong = Pos {
            line: 2,
            column: 3,
            offset: 999,
        };
        assert_eq!(index.offset(wrong), Some(5));
        let end_of_line = Pos {
            line: 2,
            column: 4,
            offset: 999,
        };
        assert_eq!(index.offset(end_of_line), Some(7));
        let beyond = Pos {
            line: 9,
            column: 1,
            offset: 999,
        };
        assert_eq!(index.offset(beyond), None);
    }

    #[test]
    fn applies_from_the_end_and_skips_overlaps() {
        let text = "let a = f(x);\nlet b = g(y);\n";
        let index = LineIndex::new(text);
        let f1 = fix(vec![edit(&index, 11, 11, ", 1")]);
        let f2 = fix(vec![edit(&index, 25, 25, ", 2")]);
        let clash = fix(vec![edit(&index, 8, 12, "h(x)")]);
        let out = apply(text, &[&f2, &f1, &clash]);
        // `clash` starts first, so it wins over `f1`, which it overlaps.
        assert_eq!(out.applied, 2);
        assert_eq!(out.text, "let a = h(x);\nlet b = g(y, 2);\n");
        let out = apply(text, &[&f2, &f1]);
        assert_eq!(out.text, "let a = f(x, 1);\nlet b = g(y, 2);\n");
    }

    #[test]
    fn diff_of_one_change() {
        let old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        let new = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
        assert_eq!(
            unified_diff("x.rs", old, new),
            "--- a/x.rs\n+++ b/x.rs\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"
        );
    }

    #[test]
    fn diff_of_far_apart_changes_has_two_hunks() {
        let old: String = (1..=20).map(|i| i.to_string() + "\n").collect();
        let new = old.replace("2\n", "two\n").replace("19\n", "nineteen\n");
        let diff = unified_diff("x.rs", &old, &new);
        assert_eq!(diff.matches("@@ -").count(), 2, "{diff}");
        assert!(diff.contains("@@ -1,5 +1,5 @@\n 1\n-2\n+two\n"), "{diff}");
    }

    #[test]
    fn diff_without_final_newline_and_insertions() {
        let diff = unified_diff("x", "a", "a\nb");
        assert_eq!(
            diff,
            "--- a/x\n+++ b/x\n@@ -1,1 +1,2 @@\n-a\n\\ No newline at end of file\n+a\n+b\n\\ No newline at end of file\n"
        );
        let diff = unified_diff("x", "", "new\n");
        assert_eq!(diff, "--- a/x\n+++ b/x\n@@ -0,0 +1,1 @@\n+new\n");
    }
}
