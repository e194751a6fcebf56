//! Jupyter notebooks (`.ipynb`): the code cells as one Python source for the frontend, the
//! positions of findings as cell and line within the cell, and fixed cells written back into
//! the notebook's JSON without reformatting the rest.
//!
//! The notebook is parsed with `serde_json`'s raw values, which borrow from the file's text:
//! each cell's `source` (a list of strings, or one string) is found by its byte range, and only
//! the `source` of a cell a fix changed is replaced. `IPython` magics (`%matplotlib inline`,
//! `!pip install ..`, `%%time` cells, `obj?`) are blanked in the source the frontend reads
//! (spaces of the same length, so positions hold) and kept in the notebook.

use std::ops::Range;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::diagnostic::Diagnostic;
use crate::facts::Span;
use crate::fix::LineIndex;

/// A notebook's code cells.
#[derive(Debug)]
pub(crate) struct Notebook<'a> {
    json: &'a str,
    cells: Vec<Cell>,
}

/// One code cell.
#[derive(Debug, Clone)]
struct Cell {
    /// 1-based among all cells (markdown included), as Jupyter numbers them.
    number: usize,
    /// Where the cell's `source` value is in the notebook's text.
    raw: Range<usize>,
    /// Whether `source` was a list of strings (the usual form) rather than one string.
    list: bool,
    /// The indentation of the list's elements, to write a list back in the same style.
    indent: String,
    text: String,
}

#[derive(Deserialize)]
struct RawNotebook<'a> {
    #[serde(borrow)]
    cells: Vec<RawCell<'a>>,
}

#[derive(Deserialize)]
struct RawCell<'a> {
    cell_type: String,
    #[serde(borrow)]
    source: &'a RawValue,
}

/// The cell texts, as edited by fixes.
pub(crate) type Cells = Vec<String>;

impl<'a> Notebook<'a> {
    /// Reads a notebook's JSON.
    ///
    /// # Errors
    /// Not JSON, or not a notebook (no `cells` list, a cell without `cell_type` or `source`).
    pub(crate) fn parse(json: &'a str) -> Result<Self, String> {
        let raw: RawNotebook<'a> =
            serde_json::from_str(json).map_err(|e| format!("not a Jupyter notebook: {e}"))?;
        let mut cells = Vec::new();
        for (index, cell) in raw.cells.iter().enumerate() {
            if cell.cell_type != "code" {
                continue;
            }
            let raw_text = cell.source.get();
            let start = (raw_text.as_ptr() as usize).wrapping_sub(json.as_ptr() as usize);
            if start > json.len() {
                return Err("not a Jupyter notebook: unreadable cell source".to_string());
            }
            let (text, list) = match serde_json::from_str::<Vec<String>>(raw_text) {
                Ok(lines) => (lines.concat(), true),
                Err(_) => (
                    serde_json::from_str::<String>(raw_text).map_err(|e| {
                        format!("not a Jupyter notebook: cell {} source: {e}", index + 1)
                    })?,
                    false,
                ),
            };
            let indent = raw_text
                .find('"')
                .map(|at| &raw_text[..at])
                .and_then(|lead| lead.rsplit('\n').next())
                .filter(|lead| lead.chars().all(char::is_whitespace))
                .unwrap_or("")
                .to_string();
            cells.push(Cell {
                number: index + 1,
                raw: start..start + raw_text.len(),
                list,
                indent,
                text,
            });
        }
        Ok(Notebook { json, cells })
    }

    /// The code cells' texts.
    pub(crate) fn cells(&self) -> Cells {
        self.cells.iter().map(|c| c.text.clone()).collect()
    }

    /// The Python source the frontend reads: the cells joined by newlines, magics blanked.
    pub(crate) fn source(cells: &[String]) -> String {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            let cell_magic = cell.trim_start().starts_with("%%");
            for line in cell.split_inclusive('\n') {
                let code = line.trim_end_matches(['\n', '\r']);
                let trimmed = code.trim_start();
                let magic = cell_magic
                    || trimmed.starts_with('%')
                    || trimmed.starts_with('!')
                    || (trimmed.ends_with('?') && !trimmed.starts_with('#'));
                if magic {
                    // Spaces of the same byte length: every later position holds.
                    out.extend(std::iter::repeat_n(' ', code.len()));
                    out.push_str(&line[code.len()..]);
                } else {
                    out.push_str(line);
                }
            }
        }
        out
    }

    /// The cell (index into the code cells) holding a byte offset of [`Notebook::source`], and
    /// the offset within it.
    fn locate(cells: &[String], offset: usize) -> Option<(usize, usize)> {
        let mut start = 0;
        for (index, cell) in cells.iter().enumerate() {
            let end = start + cell.len();
            if offset <= end {
                return Some((index, offset.checked_sub(start)?));
            }
            start = end + 1;
        }
        None
    }

    /// A diagnostic of the joined source, relocated into its cell: its spans (secondary ones
    /// and its fix's edits too) become positions in the cell's text. The cell's number among
    /// all cells, or `None` when the span lies outside every cell (then it is left as it was).
    pub(crate) fn relocate(&self, cells: &[String], d: &mut Diagnostic) -> Option<usize> {
        let (index, _) = Self::locate(cells, d.span.start.offset)?;
        let start: usize = cells[..index].iter().map(|c| c.len() + 1).sum();
        let text = &cells[index];
        let lines = LineIndex::new(text);
        let inside =
            |span: &Span| span.start.offset >= start && span.end.offset <= start + text.len();
        let map = |span: Span| lines.span(span.start.offset - start, span.end.offset - start);
        // The primary span starts in this cell; one that runs past its end is cut there (its
        // lines are the cell's in every output).
        let end = d
            .span
            .end
            .offset
            .clamp(d.span.start.offset, start + text.len());
        d.span = lines.span(d.span.start.offset - start, end - start);
        d.secondary.retain(|(span, _)| inside(span));
        for (span, _) in &mut d.secondary {
            *span = map(*span);
        }
        if let Some(fix) = &mut d.fix {
            if fix.edits.iter().all(|e| inside(&e.span)) {
                for edit in &mut fix.edits {
                    edit.span = map(edit.span);
                }
            } else {
                d.fix = None;
            }
        }
        self.cells.get(index).map(|c| c.number)
    }

    /// The 1-based numbers of the code cells, in order.
    pub(crate) fn numbers(&self) -> Vec<usize> {
        self.cells.iter().map(|c| c.number).collect()
    }

    /// The notebook's text with the code cells' sources replaced by `cells` (only the cells
    /// that changed are rewritten; everything else is byte for byte the original).
    pub(crate) fn render(&self, cells: &[String]) -> String {
        let mut out = String::with_capacity(self.json.len() + 64);
        let mut at = 0;
        for (cell, text) in self.cells.iter().zip(cells) {
            if *text == cell.text {
                continue;
            }
            out.push_str(&self.json[at..cell.raw.start]);
            out.push_str(&encode(cell, text));
            at = cell.raw.end;
        }
        out.push_str(&self.json[at..]);
        out
    }
}

/// A cell's source as JSON, in the form it had (a list of lines, or one string).
fn encode(cell: &Cell, text: &str) -> String {
    let quote = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string());
    if !cell.list {
        return quote(text);
    }
    if text.is_empty() {
        return "[]".to_string();
    }
    let lines: Vec<String> = text.split_inclusive('\n').map(quote).collect();
    if cell.indent.is_empty() {
        return format!("[{}]", lines.join(", "));
    }
    let closing = cell
        .indent
        .strip_suffix(' ')
        .unwrap_or(&cell.indent)
        .to_string();
    let body: Vec<String> = lines
        .iter()
        .map(|line| format!("\n{}{line}", cell.indent))
        .collect();
    format!("[{}\n{closing}]", body.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NB: &str = r##"{
 "cells": [
  {
   "cell_type": "markdown",
   "metadata": {},
   "source": [
    "# Title"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": null,
   "metadata": {},
   "outputs": [],
   "source": [
    "%matplotlib inline\n",
    "import torch.nn as nn"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 1,
   "metadata": {},
   "outputs": [],
   "source": [
    "crit = nn.CrossEntropyLoss()\n",
    "é = 1"
   ]
  }
 ],
 "metadata": {},
 "nbformat": 4,
 "nbformat_minor": 5
}
"##;

    #[test]
    fn code_cells_are_joined_with_magics_blanked() {
        let nb = Notebook::parse(NB).unwrap();
        let cells = nb.cells();
        assert_eq!(nb.numbers(), [2, 3]);
        let source = Notebook::source(&cells);
        assert_eq!(
            source,
            "                  \nimport torch.nn as nn\ncrit = nn.CrossEntropyLoss()\né = 1"
        );
        assert_eq!(
            source.len(),
            cells.iter().map(|c| c.len() + 1).sum::<usize>() - 1
        );
    }

    #[test]
    fn findings_move_into_their_cell() {
        let nb = Notebook::parse(NB).unwrap();
        let cells = nb.cells();
        let source = Notebook::source(&cells);
        let at = source.find("CrossEntropyLoss").unwrap();
        let index = LineIndex::new(&source);
        let mut d = Diagnostic {
            code: "LL001",
            name: "implicit-reduction",
            message: String::new(),
            span: index.span(at, at + 16),
            label: String::new(),
            secondary: Vec::new(),
            help: None,
            fix: None,
        };
        assert_eq!(nb.relocate(&cells, &mut d), Some(3));
        assert_eq!((d.span.start.line, d.span.start.column), (1, 11));
    }

    #[test]
    fn only_changed_cells_are_rewritten() {
        let nb = Notebook::parse(NB).unwrap();
        let mut cells = nb.cells();
        assert_eq!(nb.render(&cells), NB);
        cells[1] = cells[1].replace("Loss()", "Loss(reduction=\"mean\")");
        let fixed = nb.render(&cells);
        assert_eq!(
            fixed,
            NB.replace(
                "\"crit = nn.CrossEntropyLoss()\\n\"",
                "\"crit = nn.CrossEntropyLoss(reduction=\\\"mean\\\")\\n\""
            )
        );
        let again = Notebook::parse(&fixed).unwrap();
        assert_eq!(again.cells(), cells);
    }

    #[test]
    fn not_a_notebook() {
        assert!(Notebook::parse("{}").is_err());
        assert!(Notebook::parse("[1, 2]").is_err());
        assert!(
            Notebook::parse("{\"cells\": [{\"cell_type\": \"code\", \"source\": 3}]}").is_err()
        );
    }
}
