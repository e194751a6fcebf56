//! Positions that agree with the text: every `Pos` the frontend or a rule reports (found in
//! its serialised form, so that new fields are checked without changing this file) has a byte
//! offset inside the text on a character boundary, and the line and column of that offset
//! (1-based, the column counted in characters); every `Span` starts before it ends.

use serde_json::Value;

/// Checks every position and span inside `value` (a serialised `FileFacts`, `Diagnostic`, ...).
///
/// # Panics
/// On the first position that does not fit `text`, naming where it was found.
pub(crate) fn check(text: &str, value: &Value, what: &str) {
    let lines = Lines::new(text);
    walk(&lines, value, what);
}

/// Line starts, computed the obvious way (the oracle for `LineIndex` too).
pub(crate) struct Lines<'a> {
    pub(crate) text: &'a str,
    pub(crate) starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                starts.push(i + 1);
            }
        }
        Lines { text, starts }
    }

    /// 1-based line and column of a byte offset on a character boundary.
    pub(crate) fn line_column(&self, offset: usize) -> (usize, usize) {
        let line = self.starts.iter().take_while(|&&s| s <= offset).count();
        let start = self.starts[line - 1];
        (line, self.text[start..offset].chars().count() + 1)
    }

    /// The text of a 1-based line without its `\n` and the `\r`s before it (as
    /// `LineIndex::line_text` documents).
    pub(crate) fn line_text(&self, line: usize) -> Option<&'a str> {
        let start = *self.starts.get(line.checked_sub(1)?)?;
        let end = self.starts.get(line).copied().unwrap_or(self.text.len());
        Some(
            self.text[start..end]
                .trim_end_matches('\n')
                .trim_end_matches('\r'),
        )
    }

    /// The byte offset of a 1-based line and column: `None` past the end of the line's text.
    pub(crate) fn offset_of(&self, line: usize, column: usize) -> Option<usize> {
        let text = self.line_text(line)?;
        let start = self.starts[line - 1];
        let n = column.checked_sub(1)?;
        if n == text.chars().count() {
            return Some(start + text.len());
        }
        text.char_indices().nth(n).map(|(at, _)| start + at)
    }
}

fn walk(lines: &Lines<'_>, value: &Value, path: &str) {
    match value {
        Value::Object(map) => {
            if let Some((line, column, offset)) = as_pos(value) {
                check_pos(lines, line, column, offset, path);
                return;
            }
            if let (Some(start), Some(end)) = (map.get("start"), map.get("end"))
                && let (Some(s), Some(e)) = (as_pos(start), as_pos(end))
            {
                assert!(
                    s.2 <= e.2,
                    "{path}: span ends (offset {}) before it starts (offset {})",
                    e.2,
                    s.2
                );
            }
            for (key, item) in map {
                walk(lines, item, &format!("{path}.{key}"));
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(lines, item, &format!("{path}[{i}]"));
            }
        }
        _ => {}
    }
}

fn as_pos(value: &Value) -> Option<(usize, usize, usize)> {
    let map = value.as_object()?;
    if map.len() != 3 {
        return None;
    }
    let get = |key: &str| {
        map.get(key)
            .and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok())
    };
    Some((get("line")?, get("column")?, get("offset")?))
}

fn check_pos(lines: &Lines<'_>, line: usize, column: usize, offset: usize, path: &str) {
    let text = lines.text;
    assert!(
        offset <= text.len() && text.is_char_boundary(offset),
        "{path}: offset {offset} is not a character boundary of the {}-byte text",
        text.len()
    );
    let (want_line, want_column) = lines.line_column(offset);
    // The Rust frontend does not count a leading byte-order mark in the first line's columns
    // (editors do not); `LineIndex` does. Either is accepted there.
    let bom_column = text.starts_with('\u{feff}') && line == 1 && offset >= 3;
    let column_ok = column == want_column || (bom_column && column + 1 == want_column);
    assert!(
        line == want_line && column_ok,
        "{path}: position (line {line}, column {column}) but offset {offset} is at line \
         {want_line}, column {want_column}"
    );
}
