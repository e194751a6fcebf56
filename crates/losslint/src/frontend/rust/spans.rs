//! proc-macro2 spans (line, column in characters) to [`facts::Span`](crate::facts::Span)s
//! with 1-based lines and columns and byte offsets computed from the file text.
//!
//! `syn::parse_file` drops a leading byte-order mark before lexing, so on the first line the
//! token columns are one character short of the text's; the map adds the BOM back to byte
//! offsets but not to columns (editors do not count it either).

use proc_macro2::LineColumn;
use syn::spanned::Spanned;

use crate::facts::{Pos, Span};
use crate::fix::LineIndex;

/// Positions of one file.
#[derive(Debug)]
pub(crate) struct SpanMap<'a> {
    text: &'a str,
    /// Line starts and character offsets (logarithmic time per position, whatever the
    /// length of a line).
    index: LineIndex<'a>,
    /// Characters of a leading byte-order mark (0 or 1).
    bom: usize,
}

impl<'a> SpanMap<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let bom = usize::from(text.starts_with('\u{feff}'));
        SpanMap {
            text,
            index: LineIndex::new(text),
            bom,
        }
    }

    /// The position of a proc-macro2 line/column (1-based line, 0-based character column).
    pub(crate) fn pos(&self, at: LineColumn) -> Pos {
        let lines = self.index.lines().max(1);
        let line = at.line.clamp(1, lines + 1);
        // The lexer did not see the byte-order mark: on the first line its columns are one
        // character short of the text's.
        let skip = if line == 1 { self.bom } else { 0 };
        let offset = self
            .index
            .char_offset(line - 1, at.column + skip)
            .or_else(|| {
                let len = self.index.line_text(line)?.len();
                Some(self.index.line_start(line)? + len)
            })
            .unwrap_or(self.text.len());
        Pos {
            line,
            column: at.column + 1,
            offset,
        }
    }

    /// The span of a proc-macro2 span.
    pub(crate) fn span(&self, span: proc_macro2::Span) -> Span {
        Span {
            start: self.pos(span.start()),
            end: self.pos(span.end()),
        }
    }

    /// The span of a syntax node (its first token to its last).
    pub(crate) fn of<T: Spanned + ?Sized>(&self, node: &T) -> Span {
        self.span(node.span())
    }

    /// An empty span at a position (an insertion point).
    pub(crate) fn point(at: Pos) -> Span {
        Span { start: at, end: at }
    }

    /// The text a span covers (empty when out of range).
    pub(crate) fn text(&self, span: Span) -> &'a str {
        self.text
            .get(span.start.offset..span.end.offset)
            .unwrap_or("")
    }

    /// The text of the file.
    pub(crate) fn file_text(&self) -> &'a str {
        self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_ident_span(text: &str, name: &str) -> Span {
        struct Find<'n> {
            name: &'n str,
            found: Option<proc_macro2::Span>,
        }
        impl<'ast> syn::visit::Visit<'ast> for Find<'_> {
            fn visit_ident(&mut self, ident: &'ast proc_macro2::Ident) {
                if self.found.is_none() && ident == self.name {
                    self.found = Some(ident.span());
                }
            }
        }
        let file = syn::parse_file(text).expect("parses");
        let mut find = Find { name, found: None };
        syn::visit::Visit::visit_file(&mut find, &file);
        SpanMap::new(text).span(find.found.expect("ident present"))
    }

    #[test]
    fn lines_columns_and_offsets_are_exact() {
        let text = "fn main() {\n    let é = 1; let target = 2;\n}\n";
        let span = first_ident_span(text, "target");
        assert_eq!(span.start.line, 2);
        assert_eq!(span.start.column, 20);
        assert_eq!(&text[span.start.offset..span.end.offset], "target");
        assert_eq!(span.end.column, 26);
    }

    #[test]
    fn byte_order_mark_shifts_offsets_not_columns() {
        let text = "\u{feff}fn main() {}\n";
        let span = first_ident_span(text, "main");
        assert_eq!(span.start.line, 1);
        assert_eq!(span.start.column, 4);
        assert_eq!(&text[span.start.offset..span.end.offset], "main");
    }

    #[test]
    fn crlf_line_endings() {
        let text = "fn a() {}\r\nfn bee() {}\r\n";
        let span = first_ident_span(text, "bee");
        assert_eq!((span.start.line, span.start.column), (2, 4));
        assert_eq!(&text[span.start.offset..span.end.offset], "bee");
    }

    #[test]
    fn out_of_range_positions_are_clamped() {
        let map = SpanMap::new("ab\n");
        let pos = map.pos(LineColumn {
            line: 40,
            column: 9,
        });
        assert!(pos.offset <= 3);
        let pos = map.pos(LineColumn { line: 0, column: 0 });
        assert_eq!((pos.line, pos.column, pos.offset), (1, 1, 0));
    }
}
