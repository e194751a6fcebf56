//! The fix applier, `LineIndex` and the unified diff, on any text and any edits.
//!
//! Input: two bytes (little-endian) give the length of the text, which follows (invalid UTF-8
//! replaced); the rest builds up to 6 fixes of up to 3 edits each through `arbitrary`. Edit
//! positions are made four ways: from byte offsets through `LineIndex::span` (right), with a
//! right line and column but a wrong or mid-character offset, with a right offset but a wrong
//! line and column, and raw numbers.

use arbitrary::Unstructured;
use losslint::diagnostic::{Applicability, Fix};
use losslint::facts::{Edit, Pos, Span};
use losslint::fix::{self, LineIndex};

use crate::positions::Lines;

/// `fix::apply` (with `LineIndex`) and `fix::unified_diff` on a text and edits made from `data`.
///
/// Checks: no panic; `LineIndex` agrees with positions computed the obvious way (`pos`,
/// `offset`, `char_offset`, `line_start`, `line_text`, `lines`); an edit is placed at its
/// offset when that is a character boundary on its line, else at its line and column, else
/// refused; `apply` applies exactly the fixes that resolve and do not overlap an earlier
/// accepted one (earliest first, all or nothing) and nothing else; the diff of the result,
/// applied to the text, gives the result.
///
/// # Panics
/// When a check fails.
pub fn fix_apply(data: &[u8]) {
    let (len, rest) = match data {
        [a, b, rest @ ..] => (usize::from(u16::from_le_bytes([*a, *b])), rest),
        _ => (0, data),
    };
    let (text, rest) = rest.split_at(len.min(rest.len()));
    let text = String::from_utf8_lossy(text);
    let text = text.as_ref();
    let index = LineIndex::new(text);
    let lines = Lines::new(text);
    let mut u = Unstructured::new(rest);

    check_index(&index, &lines);

    let fixes = make_fixes(&mut u, &index, &lines);
    for fix in &fixes {
        for edit in &fix.edits {
            check_pos(&index, &lines, edit.span.start);
            check_pos(&index, &lines, edit.span.end);
        }
    }
    let refs: Vec<&Fix> = fixes.iter().collect();
    let applied = fix::apply(text, &refs);
    let (want_text, want_applied) = model_apply(&lines, &fixes);
    assert_eq!(
        applied.applied, want_applied,
        "number of fixes applied (text {text:?}, fixes {fixes:?})"
    );
    assert_eq!(
        applied.text, want_text,
        "fixed text (text {text:?}, fixes {fixes:?})"
    );
    let diff = fix::unified_diff("f.rs", text, &applied.text);
    check_diff(text, &applied.text, &diff);
}

fn make_fixes(u: &mut Unstructured<'_>, index: &LineIndex<'_>, lines: &Lines<'_>) -> Vec<Fix> {
    let len = lines.text.len();
    let n = u.int_in_range(0..=6u8).unwrap_or(0);
    let mut fixes = Vec::new();
    for _ in 0..n {
        let applicability = *u
            .choose(&[
                Applicability::Safe,
                Applicability::Unsafe,
                Applicability::DisplayOnly,
            ])
            .unwrap_or(&Applicability::Safe);
        let edits = u.int_in_range(0..=3u8).unwrap_or(0);
        let edits = (0..edits)
            .map(|_| {
                let a = u.int_in_range(0..=len + 2).unwrap_or(0);
                let b = u.int_in_range(0..=len + 2).unwrap_or(0);
                let mut span = index.span(a, b);
                match u.int_in_range(0..=5u8).unwrap_or(0) {
                    // Right line and column, offset off by one (often inside a character).
                    0 => {
                        span.start.offset = span.start.offset.wrapping_add(1);
                        span.end.offset = span.end.offset.saturating_sub(1);
                    }
                    // Right line and column, offset anything.
                    1 => {
                        span.start.offset = u.arbitrary().unwrap_or(usize::MAX);
                        span.end.offset = u.arbitrary().unwrap_or(usize::MAX);
                    }
                    // Right offsets, line and column anything small.
                    2 => {
                        span.start.line = u.int_in_range(0..=lines.starts.len() + 1).unwrap_or(0);
                        span.start.column = u.int_in_range(0..=9).unwrap_or(0);
                        span.end.line = u.int_in_range(0..=lines.starts.len() + 1).unwrap_or(0);
                        span.end.column = u.int_in_range(0..=9).unwrap_or(0);
                    }
                    // Raw numbers.
                    3 => {
                        let mut raw = || Pos {
                            line: u.int_in_range(0..=lines.starts.len() + 1).unwrap_or(0),
                            column: u.int_in_range(0..=12).unwrap_or(0),
                            offset: u.int_in_range(0..=len + 4).unwrap_or(0),
                        };
                        span = Span {
                            start: raw(),
                            end: raw(),
                        };
                    }
                    _ => {}
                }
                let chars = u.int_in_range(0..=6u8).unwrap_or(0);
                let content = (0..chars)
                    .map(|_| match u.int_in_range(0..=7u8).unwrap_or(0) {
                        0 => '\n',
                        1 => 'é',
                        2 => '\r',
                        3 => '🦀',
                        4 => u.arbitrary().unwrap_or('x'),
                        _ => 'a',
                    })
                    .collect();
                Edit { span, content }
            })
            .collect();
        fixes.push(Fix {
            applicability,
            title: "fuzz".to_string(),
            edits,
        });
    }
    fixes
}

/// `LineIndex` against the obvious computations, at every line and at offsets through the text.
fn check_index(index: &LineIndex<'_>, lines: &Lines<'_>) {
    let text = lines.text;
    let want_lines = if text.ends_with('\n') {
        lines.starts.len() - 1
    } else {
        lines.starts.len()
    };
    assert_eq!(index.lines(), want_lines, "lines() of {text:?}");
    for line in 0..=lines.starts.len() + 1 {
        let want_start = line
            .checked_sub(1)
            .and_then(|l| lines.starts.get(l))
            .copied();
        assert_eq!(index.line_start(line), want_start, "line_start({line})");
        assert_eq!(
            index.line_text(line),
            lines.line_text(line),
            "line_text({line}) of {text:?}"
        );
        // 0-based line and column.
        if let Some(&start) = lines.starts.get(line) {
            let end = lines.starts.get(line + 1).copied().unwrap_or(text.len());
            let content = &text[start..end];
            let content = content.strip_suffix('\n').unwrap_or(content);
            let count = content.chars().count();
            for column in [
                0,
                1,
                count.saturating_sub(1),
                count,
                count + 1,
                63,
                64,
                65,
                130,
            ] {
                let want = if column == count {
                    Some(start + content.len())
                } else {
                    content.char_indices().nth(column).map(|(at, _)| start + at)
                };
                assert_eq!(
                    index.char_offset(line, column),
                    want,
                    "char_offset({line}, {column}) of {text:?}"
                );
            }
        }
    }
    assert_eq!(index.char_offset(lines.starts.len(), 0), None);
    // Offsets: every one of a short text, else a sample.
    let step = (text.len() / 256).max(1);
    for offset in (0..=text.len() + 2).step_by(step).chain([text.len()]) {
        let mut at = offset.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let pos = index.pos(offset);
        let (line, column) = lines.line_column(at);
        assert_eq!(
            (pos.line, pos.column, pos.offset),
            (line, column, at),
            "pos({offset}) of {text:?}"
        );
        assert_eq!(index.offset(pos), Some(at), "offset(pos({offset}))");
        check_pos(index, lines, pos);
    }
}

/// Where an edit's position lands, as the applier documents it: at its offset when that is a
/// character boundary on its line, else at its line and column, else nowhere.
fn resolve(lines: &Lines<'_>, pos: Pos) -> Option<usize> {
    let text = lines.text;
    if pos.offset <= text.len()
        && text.is_char_boundary(pos.offset)
        && let Some(&start) = pos.line.checked_sub(1).and_then(|l| lines.starts.get(l))
    {
        let next = lines.starts.get(pos.line).copied().unwrap_or(text.len());
        if (start..=next).contains(&pos.offset) {
            return Some(pos.offset);
        }
    }
    lines.offset_of(pos.line, pos.column)
}

fn check_pos(index: &LineIndex<'_>, lines: &Lines<'_>, pos: Pos) {
    let got = index.offset(pos);
    assert_eq!(
        got,
        resolve(lines, pos),
        "offset({pos:?}) of {:?}",
        lines.text
    );
    if let Some(at) = got {
        assert!(lines.text.is_char_boundary(at));
    }
}

/// Two edits touch the same text, or insert at the same point, or one inserts inside the other.
fn overlaps(a: &std::ops::Range<usize>, b: &std::ops::Range<usize>) -> bool {
    let shared = a.start.max(b.start) < a.end.min(b.end);
    let inside = |p: &std::ops::Range<usize>, q: &std::ops::Range<usize>| {
        p.is_empty() && q.start < p.start && p.start < q.end
    };
    shared || a.start == b.start || inside(a, b) || inside(b, a)
}

/// A byte range and the text that replaces it.
type Replacement<'a> = (std::ops::Range<usize>, &'a str);

/// What `apply` documents: the fixes whose edits all resolve (to ranges that do not overlap
/// each other), earliest first edit first, each taken whole when it overlaps no edit taken so
/// far; the taken edits replace their ranges.
fn model_apply(lines: &Lines<'_>, fixes: &[Fix]) -> (String, usize) {
    // (first offset, index of the fix, its edits)
    let mut candidates: Vec<(usize, usize, Vec<Replacement<'_>>)> = Vec::new();
    for (i, fix) in fixes.iter().enumerate() {
        let edits: Option<Vec<_>> = fix
            .edits
            .iter()
            .map(|e| {
                let start = resolve(lines, e.span.start)?;
                let end = resolve(lines, e.span.end)?;
                (start <= end).then_some((start..end, e.content.as_str()))
            })
            .collect();
        let Some(edits) = edits else { continue };
        if edits.is_empty() {
            continue;
        }
        let clash = edits
            .iter()
            .enumerate()
            .any(|(i, (a, _))| edits.iter().skip(i + 1).any(|(b, _)| overlaps(a, b)));
        if clash {
            continue;
        }
        let first = edits.iter().map(|(r, _)| r.start).min().unwrap_or(0);
        candidates.push((first, i, edits));
    }
    candidates.sort_by_key(|(first, i, _)| (*first, *i));
    let mut taken: Vec<Replacement<'_>> = Vec::new();
    let mut applied = 0;
    for (_, _, edits) in candidates {
        if edits
            .iter()
            .all(|(r, _)| taken.iter().all(|(t, _)| !overlaps(r, t)))
        {
            taken.extend(edits);
            applied += 1;
        }
    }
    taken.sort_by_key(|(r, _)| r.start);
    let text = lines.text;
    let mut out = String::new();
    let mut at = 0;
    for (range, content) in taken {
        out.push_str(&text[at..range.start]);
        out.push_str(content);
        at = range.end;
    }
    out.push_str(&text[at..]);
    (out, applied)
}

/// `diff` (a unified diff from `old` to `new`, as `fix::unified_diff` writes it) is empty
/// exactly when the texts are equal, and applied to `old` gives `new`.
///
/// # Panics
/// When it is not so, or the diff is malformed.
pub(crate) fn check_diff(old: &str, new: &str, diff: &str) {
    assert_eq!(diff.is_empty(), old == new, "diff emptiness:\n{diff}");
    if diff.is_empty() {
        return;
    }
    let patched = patch(old, diff);
    assert!(
        patched == new,
        "the diff does not turn the old text into the new\n--- old {old:?}\n--- new {new:?}\n--- \
         patched {patched:?}\n--- diff\n{diff}"
    );
}

/// Applies a unified diff, checking its hunk headers and context lines.
fn patch(old: &str, diff: &str) -> String {
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let d: Vec<&str> = diff.split_inclusive('\n').collect();
    assert!(
        d.len() >= 2 && d[0].starts_with("--- a/") && d[1].starts_with("+++ b/"),
        "diff header:\n{diff}"
    );
    let mut out: Vec<String> = Vec::new();
    let mut next_old = 0usize;
    let mut i = 2;
    while i < d.len() {
        let header = d[i].trim_end_matches('\n');
        let (old_start, old_len, new_start, new_len) =
            parse_hunk_header(header).unwrap_or_else(|| panic!("hunk header {header:?}:\n{diff}"));
        let old_at = if old_len == 0 {
            old_start
        } else {
            old_start - 1
        };
        let new_at = if new_len == 0 {
            new_start
        } else {
            new_start - 1
        };
        assert!(old_at >= next_old, "hunks out of order:\n{diff}");
        out.extend(a[next_old..old_at].iter().map(|s| (*s).to_string()));
        assert_eq!(out.len(), new_at, "new start of {header:?}:\n{diff}");
        next_old = old_at;
        let (mut seen_old, mut seen_new) = (0, 0);
        i += 1;
        while i < d.len() && !d[i].starts_with("@@") {
            let mut line = d[i][1..].to_string();
            let no_newline = d.get(i + 1).is_some_and(|l| l.starts_with('\\'));
            if no_newline {
                assert!(line.ends_with('\n'), "marker after a line without one");
                line.pop();
            }
            match d[i].as_bytes()[0] {
                b' ' | b'-' => {
                    assert_eq!(
                        a.get(next_old).copied(),
                        Some(line.as_str()),
                        "context or removed line of {header:?}:\n{diff}"
                    );
                    next_old += 1;
                    seen_old += 1;
                    if d[i].starts_with(' ') {
                        out.push(line);
                        seen_new += 1;
                    }
                }
                b'+' => {
                    out.push(line);
                    seen_new += 1;
                }
                other => panic!("diff line starting with {:?}:\n{diff}", other as char),
            }
            i += if no_newline { 2 } else { 1 };
        }
        assert_eq!(
            (seen_old, seen_new),
            (old_len, new_len),
            "hunk lengths of {header:?}:\n{diff}"
        );
    }
    out.extend(a[next_old..].iter().map(|s| (*s).to_string()));
    out.concat()
}

/// `@@ -1,3 +1,4 @@`
fn parse_hunk_header(header: &str) -> Option<(usize, usize, usize, usize)> {
    let rest = header.strip_prefix("@@ -")?.strip_suffix(" @@")?;
    let (old, new) = rest.split_once(" +")?;
    let pair = |s: &str| -> Option<(usize, usize)> {
        let (a, b) = s.split_once(',')?;
        Some((a.parse().ok()?, b.parse().ok()?))
    };
    let (os, ol) = pair(old)?;
    let (ns, nl) = pair(new)?;
    Some((os, ol, ns, nl))
}
