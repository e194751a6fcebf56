//! Positions as the client counts them: LSP lines are 0-based and characters are counted in
//! the negotiated encoding's code units (UTF-8 bytes, UTF-16 code units or code points), while
//! losslint's spans carry byte offsets. A position is converted through its byte offset and the
//! text of its line, so non-ASCII lines come out right in every encoding.

use lsp_types::{Position, PositionEncodingKind, Range};

use crate::facts::Span;

/// The position encoding in force for a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// Characters counted in UTF-8 bytes (no conversion from losslint's offsets).
    Utf8,
    /// Characters counted in UTF-16 code units (the protocol's default).
    Utf16,
    /// Characters counted in code points.
    Utf32,
}

impl Encoding {
    /// UTF-8 when the client offers it (no conversion at all), else UTF-16, which every client
    /// supports (the protocol's default).
    #[must_use]
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Self {
        let offered = offered.unwrap_or_default();
        if offered.contains(&PositionEncodingKind::UTF8) {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        }
    }

    /// The encoding's name in the protocol (`utf-8`, `utf-16`, `utf-32`).
    #[must_use]
    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
            Encoding::Utf32 => PositionEncodingKind::UTF32,
        }
    }

    /// Code units of `text` in this encoding.
    fn units(self, text: &str) -> usize {
        match self {
            Encoding::Utf8 => text.len(),
            Encoding::Utf16 => text.chars().map(char::len_utf16).sum(),
            Encoding::Utf32 => text.chars().count(),
        }
    }
}

/// Line starts of a text, for turning byte offsets into LSP positions and back.
#[derive(Debug)]
pub struct LineIndex<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> LineIndex<'t> {
    /// The line starts of `text`.
    #[must_use]
    pub fn new(text: &'t str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self { text, starts }
    }

    /// The position of a byte offset (clamped to the text, and back to a character boundary).
    #[must_use]
    pub fn position(&self, offset: usize, encoding: Encoding) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        Position {
            line: saturate(line),
            character: saturate(encoding.units(&self.text[start..offset])),
        }
    }

    /// The range of a span.
    #[must_use]
    pub fn range(&self, span: Span, encoding: Encoding) -> Range {
        Range {
            start: self.position(span.start.offset, encoding),
            end: self.position(span.end.offset, encoding),
        }
    }

    /// The byte offset of a position: a character past the end of its line is the line's end
    /// (before its newline), a line past the end is the end of the text, as the protocol asks.
    #[must_use]
    pub fn offset(&self, position: Position, encoding: Encoding) -> usize {
        let Some(&start) = self.starts.get(position.line as usize) else {
            return self.text.len();
        };
        let end = self
            .starts
            .get(position.line as usize + 1)
            .map_or(self.text.len(), |&next| next - 1);
        let line = &self.text[start..end];
        let mut units = 0;
        for (i, c) in line.char_indices() {
            if units >= position.character as usize {
                return start + i;
            }
            units += encoding.units(c.encode_utf8(&mut [0; 4]));
        }
        end
    }
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Pos;

    fn span(text: &str, needle: &str) -> Span {
        let start = text.find(needle).unwrap();
        let at = |offset: usize| Pos {
            line: 0,
            column: 0,
            offset,
        };
        Span {
            start: at(start),
            end: at(start + needle.len()),
        }
    }

    #[test]
    fn non_ascii_lines_count_in_the_negotiated_units() {
        // "é" is 2 UTF-8 bytes and 1 UTF-16 unit; "😀" is 4 bytes and 2 UTF-16 units.
        let text = "x = 1\nlabel = \"é😀\"; loss = F.softmax(y)\n";
        let index = LineIndex::new(text);
        let target = span(text, "F.softmax");
        let utf8 = index.range(target, Encoding::Utf8);
        let utf16 = index.range(target, Encoding::Utf16);
        let utf32 = index.range(target, Encoding::Utf32);
        assert_eq!((utf8.start.line, utf8.start.character), (1, 25));
        assert_eq!((utf16.start.line, utf16.start.character), (1, 22));
        assert_eq!((utf32.start.line, utf32.start.character), (1, 21));
        assert_eq!(utf16.end.character - utf16.start.character, 9);
        // And back.
        for (encoding, range) in [
            (Encoding::Utf8, utf8),
            (Encoding::Utf16, utf16),
            (Encoding::Utf32, utf32),
        ] {
            assert_eq!(index.offset(range.start, encoding), target.start.offset);
            assert_eq!(index.offset(range.end, encoding), target.end.offset);
        }
    }

    #[test]
    fn positions_outside_the_text_are_clamped() {
        let text = "ab\ncd";
        let index = LineIndex::new(text);
        assert_eq!(index.offset(Position::new(0, 99), Encoding::Utf16), 2);
        assert_eq!(index.offset(Position::new(9, 0), Encoding::Utf16), 5);
        assert_eq!(index.position(99, Encoding::Utf8), Position::new(1, 2));
        // An offset inside a multi-byte character moves back to its start.
        let index = LineIndex::new("é");
        assert_eq!(index.position(1, Encoding::Utf16), Position::new(0, 0));
    }

    #[test]
    fn utf8_is_chosen_only_when_offered() {
        let both = [PositionEncodingKind::UTF16, PositionEncodingKind::UTF8];
        assert_eq!(Encoding::negotiate(Some(&both)), Encoding::Utf8);
        assert_eq!(
            Encoding::negotiate(Some(&[PositionEncodingKind::UTF32])),
            Encoding::Utf16
        );
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
    }
}
