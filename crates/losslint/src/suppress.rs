//! Suppression comments (`// losslint: allow(LL001)`, `// losslint: allow-file(LL002)`) and
//! LL011 `unused-suppression`, which reports the ones that suppress nothing.
//!
//! A comment scanner that knows the language's strings finds the comments, so a `//` inside a
//! string literal is never taken for a directive.

use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::facts::{Edit, FileFacts, Language};
use crate::fix::LineIndex;
use crate::rules::{Level, Rule, RuleContext};
use crate::settings::Registry;

/// The user documentation, one copy for rustdoc and for `losslint explain` (the rule modules'
/// pattern); its examples are not doctests.
macro_rules! documentation {
    () => {
        r"## What it does
Reports `losslint: allow(..)` and `losslint: allow-file(..)` comments (or single codes in them)
that suppress no finding, name no known rule, or (for `allow-file`) come after the first item of
the file.

## Why is this bad?
A suppression outlives the code it was written for: once the loss is fixed or moved, the comment
silently hides the next real finding on that line. Unknown codes are usually typos (`LL01` for
`LL010`), so the finding meant to be suppressed is still reported.

## Example
```rust
let loss = CrossEntropyLoss::new().reduction(Reduction::Mean); // losslint: allow(LL001)
```

Use instead:
```rust
let loss = CrossEntropyLoss::new().reduction(Reduction::Mean);
```

## Fix safety
The fix removes the unused codes, or the whole comment when none is used. It is safe: the code
it leaves behaves the same, and no finding that was suppressed becomes visible.
"
    };
}

const EXPLANATION: &str = documentation!();

/// LL011 `unused-suppression`: a suppression comment that suppresses nothing.
///
#[cfg_attr(not(doctest), doc = documentation!())]
#[derive(Clone, Copy, Debug)]
pub struct UnusedSuppression;

/// The one [`UnusedSuppression`].
pub static UNUSED_SUPPRESSION: UnusedSuppression = UnusedSuppression;

impl Rule for UnusedSuppression {
    fn code(&self) -> &'static str {
        "LL011"
    }
    fn name(&self) -> &'static str {
        "unused-suppression"
    }
    fn default_level(&self) -> Level {
        Level::Warn
    }
    fn explanation(&self) -> &'static str {
        EXPLANATION
    }
    /// The engine reports unused suppressions itself (they depend on the other rules'
    /// findings), so the rule has nothing to say about facts.
    fn check(&self, _facts: &FileFacts, _ctx: &RuleContext<'_>) -> Vec<Diagnostic> {
        Vec::new()
    }
}

/// A comment in a source file.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Comment {
    /// Byte offsets of the whole comment, marker included.
    start: usize,
    end: usize,
    /// Byte offset of the text after the marker (`//`, `#`).
    body: usize,
    /// 1-based line of its start.
    line: usize,
    /// Nothing but whitespace before it on its line.
    own_line: bool,
}

/// Finds the line comments of a file (block comments are skipped, never directives).
fn line_comments(language: Language, text: &str) -> Vec<Comment> {
    match language {
        Language::Rust => rust_comments(text),
        Language::Python => python_comments(text),
    }
}

fn rust_comments(text: &str) -> Vec<Comment> {
    let b = text.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut out = Vec::new();
    let mut i = 0;
    let mut line = 1;
    let mut line_start = 0;
    while i < b.len() {
        match at(i) {
            b'\n' => {
                line += 1;
                i += 1;
                line_start = i;
            }
            b'/' if at(i + 1) == b'/' => {
                let end = b[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(b.len(), |p| i + p);
                out.push(Comment {
                    start: i,
                    end,
                    body: i + 2,
                    line,
                    own_line: b[line_start..i].iter().all(u8::is_ascii_whitespace),
                });
                i = end;
            }
            b'/' if at(i + 1) == b'*' => {
                let mut depth = 1usize;
                i += 2;
                while i < b.len() && depth > 0 {
                    match (at(i), at(i + 1)) {
                        (b'/', b'*') => {
                            depth += 1;
                            i += 2;
                        }
                        (b'*', b'/') => {
                            depth -= 1;
                            i += 2;
                        }
                        (b'\n', _) => {
                            line += 1;
                            i += 1;
                            line_start = i;
                        }
                        _ => i += 1,
                    }
                }
            }
            b'r' | b'b' | b'c' if i == 0 || !is_ident(at(i - 1)) => {
                // Raw strings: r"..", r#".."#, br#".."#, cr"..".
                let mut j = i + 1;
                if at(i) != b'r' && at(j) == b'r' {
                    j += 1;
                } else if at(i) != b'r' {
                    i += 1;
                    continue;
                }
                let hashes = b[j.min(b.len())..]
                    .iter()
                    .take_while(|&&c| c == b'#')
                    .count();
                if at(j + hashes) != b'"' {
                    i += 1;
                    continue;
                }
                let mut k = j + hashes + 1;
                loop {
                    if k >= b.len() {
                        break;
                    }
                    if at(k) == b'\n' {
                        line += 1;
                        line_start = k + 1;
                    }
                    if at(k) == b'"'
                        && b[k + 1..]
                            .iter()
                            .take(hashes)
                            .take_while(|&&c| c == b'#')
                            .count()
                            == hashes
                    {
                        k += 1 + hashes;
                        break;
                    }
                    k += 1;
                }
                i = k;
            }
            b'"' => {
                i += 1;
                while i < b.len() {
                    match at(i) {
                        b'\\' => {
                            if at(i + 1) == b'\n' {
                                line += 1;
                                line_start = i + 2;
                            }
                            i += 2;
                        }
                        b'"' => {
                            i += 1;
                            break;
                        }
                        b'\n' => {
                            line += 1;
                            i += 1;
                            line_start = i;
                        }
                        _ => i += 1,
                    }
                }
            }
            b'\'' => {
                // A char literal ('a', '\n', '\u{1F600}', 'é') or a lifetime / label ('a).
                if at(i + 1) == b'\\' {
                    let close = b
                        .get(i + 2..)
                        .unwrap_or_default()
                        .iter()
                        .take(12)
                        .position(|&c| c == b'\'')
                        .map_or(i + 1, |p| i + 2 + p + 1);
                    i = close;
                } else {
                    let width = utf8_width(at(i + 1));
                    if at(i + 1 + width) == b'\'' && at(i + 1) != b'\n' {
                        i += 2 + width;
                    } else {
                        i += 1;
                    }
                }
            }
            _ => i += 1,
        }
    }
    out
}

fn python_comments(text: &str) -> Vec<Comment> {
    let b = text.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut out = Vec::new();
    let mut i = 0;
    let mut line = 1;
    let mut line_start = 0;
    while i < b.len() {
        match at(i) {
            b'\n' => {
                line += 1;
                i += 1;
                line_start = i;
            }
            b'#' => {
                let end = b[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(b.len(), |p| i + p);
                out.push(Comment {
                    start: i,
                    end,
                    body: i + 1,
                    line,
                    own_line: b[line_start..i].iter().all(u8::is_ascii_whitespace),
                });
                i = end;
            }
            q @ (b'"' | b'\'') => {
                let triple = at(i + 1) == q && at(i + 2) == q;
                i += if triple { 3 } else { 1 };
                while i < b.len() {
                    let c = at(i);
                    if c == b'\\' {
                        if at(i + 1) == b'\n' {
                            line += 1;
                            line_start = i + 2;
                        }
                        i += 2;
                        continue;
                    }
                    if c == b'\n' {
                        line += 1;
                        line_start = i + 1;
                        if !triple {
                            i += 1;
                            break;
                        }
                    }
                    if c == q && (!triple || (at(i + 1) == q && at(i + 2) == q)) {
                        i += if triple { 3 } else { 1 };
                        break;
                    }
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    out
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

fn utf8_width(lead: u8) -> usize {
    match lead {
        0xF0..=0xF7 => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// The scope of a directive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope {
    /// `allow(..)`: findings starting on `line` (or spanning it).
    Line(usize),
    /// `allow-file(..)` in the file's header.
    File,
    /// `allow-file(..)` after the first item: applies to nothing.
    MisplacedFile,
}

/// What an entry of a directive names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum EntryCode {
    /// `all`.
    All,
    /// A rule, by its code.
    Rule(&'static str),
    /// Neither a code nor a name of any rule.
    Unknown,
    /// Another linter's code in a `# noqa:` comment (`E501`): kept, never judged.
    Foreign,
}

/// One code (or `all`) in a directive.
#[derive(Clone, Debug)]
struct Entry {
    /// Byte range of the code as written.
    start: usize,
    end: usize,
    written: String,
    code: EntryCode,
    used: bool,
}

#[derive(Clone, Debug)]
struct Directive {
    comment: Comment,
    scope: Scope,
    /// Byte range of the text between the parentheses.
    list_start: usize,
    list_end: usize,
    entries: Vec<Entry>,
}

/// The suppression directives of one file and which of them were used.
#[derive(Clone, Debug, Default)]
pub struct Suppressions {
    directives: Vec<Directive>,
}

impl Suppressions {
    /// Finds the directives of a file.
    #[must_use]
    pub fn parse(language: Language, text: &str, registry: &Registry) -> Self {
        let noqa = language == Language::Python && text.contains("noqa");
        if !text.contains("losslint") && !noqa {
            return Self::default();
        }
        let comments = line_comments(language, text);
        let header_end = header_end_line(language, text);
        let comment_only: std::collections::HashSet<usize> = comments
            .iter()
            .filter(|c| c.own_line)
            .map(|c| c.line)
            .collect();
        let lines: Vec<&str> = text.lines().collect();
        let mut directives = Vec::new();
        for comment in comments {
            if noqa && let Some((list_start, list_end)) = parse_noqa(text, &comment) {
                let entries = noqa_entries(text, list_start, list_end, registry);
                if entries.iter().any(|e| e.code != EntryCode::Foreign) {
                    directives.push(Directive {
                        scope: Scope::Line(comment.line),
                        comment,
                        list_start,
                        list_end,
                        entries,
                    });
                }
                continue;
            }
            let Some((file_level, list_start, list_end)) = parse_directive(text, &comment) else {
                continue;
            };
            let scope = if file_level {
                if comment.line < header_end {
                    Scope::File
                } else {
                    Scope::MisplacedFile
                }
            } else if comment.own_line {
                // Alone on its line: it applies to the next line of code (stacked directives and
                // comments in between are skipped).
                let target = (comment.line + 1..=lines.len())
                    .find(|&l| {
                        !comment_only.contains(&l)
                            && lines.get(l - 1).is_some_and(|s| !s.trim().is_empty())
                    })
                    .unwrap_or(comment.line + 1);
                Scope::Line(target)
            } else {
                Scope::Line(comment.line)
            };
            let entries = parse_entries(text, list_start, list_end, registry);
            directives.push(Directive {
                comment,
                scope,
                list_start,
                list_end,
                entries,
            });
        }
        Self { directives }
    }

    /// Whether there are no directives.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.directives.is_empty()
    }

    /// Keeps the diagnostics no directive suppresses, marking the directives that do.
    pub fn filter(&mut self, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
        diagnostics
            .into_iter()
            .filter(|d| !self.suppress(d))
            .collect()
    }

    fn suppress(&mut self, d: &Diagnostic) -> bool {
        let mut suppressed = false;
        for directive in &mut self.directives {
            let applies = match directive.scope {
                Scope::File => true,
                Scope::Line(line) => {
                    (d.span.start.line..=d.span.end.line.max(d.span.start.line)).contains(&line)
                }
                Scope::MisplacedFile => false,
            };
            if !applies {
                continue;
            }
            for entry in &mut directive.entries {
                let matches = match entry.code {
                    EntryCode::All => true,
                    EntryCode::Rule(code) => code == d.code,
                    EntryCode::Unknown | EntryCode::Foreign => false,
                };
                if matches {
                    entry.used = true;
                    suppressed = true;
                }
            }
        }
        suppressed
    }

    /// LL011 diagnostics for the directives (or codes) that suppressed nothing, each with a
    /// safe fix that removes them.
    #[must_use]
    pub fn unused(&self, text: &str) -> Vec<Diagnostic> {
        let index = LineIndex::new(text);
        let mut out = Vec::new();
        for directive in &self.directives {
            let unused: Vec<&Entry> = directive.entries.iter().filter(|e| !e.used).collect();
            if unused.is_empty() && directive.scope != Scope::MisplacedFile {
                continue;
            }
            let all_unused =
                unused.len() == directive.entries.len() || directive.scope == Scope::MisplacedFile;
            let (unknown, known): (Vec<&Entry>, Vec<&Entry>) =
                unused.iter().partition(|e| e.code == EntryCode::Unknown);
            let message = if directive.scope == Scope::MisplacedFile {
                "file-level suppression after the first item has no effect; move it to the top \
                 of the file"
                    .to_string()
            } else {
                let mut parts = Vec::new();
                if !known.is_empty() {
                    parts.push(format!(
                        "unused suppression of {}",
                        quoted(&names_of(&known))
                    ));
                }
                if !unknown.is_empty() {
                    parts.push(format!(
                        "unknown rule {} in suppression",
                        quoted(&names_of(&unknown))
                    ));
                }
                parts.join("; ")
            };
            let label = match directive.scope {
                Scope::MisplacedFile => "not in the file's header".to_string(),
                Scope::File => "no finding in this file to suppress".to_string(),
                Scope::Line(line) => format!("no finding on line {line} to suppress"),
            };
            let (span_start, span_end) = if all_unused {
                (directive.comment.start, directive.comment.end)
            } else {
                (
                    unused.first().map_or(directive.list_start, |e| e.start),
                    unused.last().map_or(directive.list_end, |e| e.end),
                )
            };
            let fix = if all_unused {
                Fix {
                    applicability: Applicability::Safe,
                    title: "remove the suppression comment".into(),
                    edits: vec![remove_comment(text, &index, &directive.comment)],
                }
            } else {
                let kept: Vec<&str> = directive
                    .entries
                    .iter()
                    .filter(|e| e.used)
                    .map(|e| e.written.as_str())
                    .collect();
                Fix {
                    applicability: Applicability::Safe,
                    title: format!("remove {}", quoted(&names_of(&unused))),
                    edits: vec![Edit {
                        span: index.span(directive.list_start, directive.list_end),
                        content: kept.join(", "),
                    }],
                }
            };
            out.push(Diagnostic {
                code: UNUSED_SUPPRESSION.code(),
                name: UNUSED_SUPPRESSION.name(),
                message,
                span: index.span(span_start, span_end),
                label,
                secondary: Vec::new(),
                help: None,
                fix: Some(fix),
            });
        }
        out
    }
}

fn names_of<'a>(entries: &[&'a Entry]) -> Vec<&'a str> {
    entries.iter().map(|e| e.written.as_str()).collect()
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The edit that removes a comment: the whole line when the comment is alone on it, else the
/// comment and the whitespace before it.
fn remove_comment(text: &str, index: &LineIndex, comment: &Comment) -> Edit {
    let b = text.as_bytes();
    let (start, end) = if comment.own_line {
        let line_start = b[..comment.start]
            .iter()
            .rposition(|&c| c == b'\n')
            .map_or(0, |p| p + 1);
        let end = if b.get(comment.end) == Some(&b'\n') {
            comment.end + 1
        } else {
            comment.end
        };
        (line_start, end)
    } else {
        let start = b[..comment.start]
            .iter()
            .rposition(|c| !matches!(c, b' ' | b'\t'))
            .map_or(0, |p| p + 1);
        // Keep a `\r` of a CRLF line ending.
        let end = if comment.end > comment.start && b.get(comment.end - 1) == Some(&b'\r') {
            comment.end - 1
        } else {
            comment.end
        };
        (start, end)
    };
    Edit {
        span: index.span(start, end),
        content: String::new(),
    }
}

/// `Some((file_level, list_start, list_end))` for an `allow(..)` / `allow-file(..)` directive.
fn parse_directive(text: &str, comment: &Comment) -> Option<(bool, usize, usize)> {
    let body = text.get(comment.body..comment.end)?;
    // `///` and `//!` comments too.
    let trimmed = body.trim_start_matches(['/', '!']).trim_start();
    let rest = trimmed.strip_prefix("losslint:")?.trim_start();
    let (file_level, after) = if let Some(after) = rest.strip_prefix("allow-file") {
        (true, after)
    } else if let Some(after) = rest.strip_prefix("allow") {
        (false, after)
    } else {
        return None;
    };
    let after = after.trim_start().strip_prefix('(')?;
    let close = after.find(')')?;
    // Every step above only trimmed the front, so `after` still ends where the comment ends.
    let list_start = comment.end - after.len();
    Some((file_level, list_start, list_start + close))
}

/// `# noqa: LL001, E501` (Python): the byte range of the code list. A bare `# noqa` names no
/// code and belongs to other linters: it suppresses nothing here.
fn parse_noqa(text: &str, comment: &Comment) -> Option<(usize, usize)> {
    let body = text.get(comment.body..comment.end)?;
    let trimmed = body.trim_start();
    let word = trimmed.get(..4)?;
    if !word.eq_ignore_ascii_case("noqa") {
        return None;
    }
    let after = trimmed[4..].strip_prefix(':')?;
    // The list starts at its first code (a rewrite keeps the space after the colon).
    let list_start = comment.end - after.trim_start().len();
    // Another comment may follow on the line (`# noqa: E501  # reason`).
    let list_end = after
        .trim_start()
        .find('#')
        .map_or(comment.end, |at| list_start + at);
    Some((list_start, list_end))
}

/// The codes of a `# noqa:` list, separated by commas or spaces; codes that are not ours are
/// kept as [`EntryCode::Foreign`] (used, so never reported and never removed).
fn noqa_entries(text: &str, start: usize, end: usize, registry: &Registry) -> Vec<Entry> {
    let Some(list) = text.get(start..end) else {
        return Vec::new();
    };
    let mut entries = Vec::new();
    let mut offset = start;
    for part in list.split_inclusive([',', ' ', '\t']) {
        let written = part.trim_end_matches([',', ' ', '\t']);
        if !written.is_empty() {
            let code = match registry.get(written) {
                Some(rule) if written.len() == 5 => EntryCode::Rule(rule.code()),
                _ if written.len() > 2 && written[..2].eq_ignore_ascii_case("LL") => {
                    EntryCode::Unknown
                }
                _ => EntryCode::Foreign,
            };
            entries.push(Entry {
                start: offset,
                end: offset + written.len(),
                written: written.to_string(),
                code,
                used: code == EntryCode::Foreign,
            });
        }
        offset += part.len();
    }
    entries
}

fn parse_entries(text: &str, start: usize, end: usize, registry: &Registry) -> Vec<Entry> {
    let Some(list) = text.get(start..end) else {
        return Vec::new();
    };
    let mut entries = Vec::new();
    let mut offset = start;
    for part in list.split(',') {
        let lead = part.len() - part.trim_start().len();
        let written = part.trim();
        if !written.is_empty() {
            let code = if written.eq_ignore_ascii_case("all") {
                EntryCode::All
            } else {
                registry
                    .get(written)
                    .map_or(EntryCode::Unknown, |r| EntryCode::Rule(r.code()))
            };
            entries.push(Entry {
                start: offset + lead,
                end: offset + lead + written.len(),
                written: written.to_string(),
                code,
                used: false,
            });
        }
        offset += part.len() + 1;
    }
    entries
}

/// The first line of the file's body: the line of its first item, after blank lines,
/// comments and inner attributes (Rust) or comments (Python).
fn header_end_line(language: Language, text: &str) -> usize {
    let mut in_block = false;
    // A Python module docstring belongs to the header: its closing quotes, while open.
    let mut docstring: Option<&str> = None;
    let mut seen_docstring = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if in_block {
            if t.contains("*/") {
                in_block = false;
            }
            continue;
        }
        if let Some(quotes) = docstring {
            if t.contains(quotes) {
                docstring = None;
            }
            continue;
        }
        if language == Language::Python && !seen_docstring {
            let body = t.trim_start_matches(['r', 'R', 'u', 'U']);
            if let Some(quotes) = ["\"\"\"", "'''"].into_iter().find(|q| body.starts_with(q)) {
                seen_docstring = true;
                if !body[3..].contains(quotes) {
                    docstring = Some(quotes);
                }
                continue;
            }
        }
        let header = match language {
            Language::Rust => {
                if t.starts_with("/*") && !t.contains("*/") {
                    in_block = true;
                }
                t.is_empty() || t.starts_with("//") || t.starts_with("/*") || t.starts_with("#!")
            }
            Language::Python => t.is_empty() || t.starts_with('#'),
        };
        if !header {
            return i + 1;
        }
    }
    usize::MAX
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_skip_strings_chars_and_lifetimes() {
        let text = "fn f<'a>(x: &'a str) -> char { let s = \"// no\"; let r = r#\"// no \"# \"#; '\"' } // yes\n// own\n";
        let c = rust_comments(text);
        assert_eq!(c.len(), 2, "{c:?}");
        assert_eq!(&text[c[0].start..c[0].end], "// yes");
        assert!(!c[0].own_line);
        assert!(c[1].own_line);
        assert_eq!(c[1].line, 2);
    }

    #[test]
    fn a_python_docstring_is_part_of_the_header() {
        let text =
            "\"\"\"Training.\n\nMore.\n\"\"\"\n# losslint: allow-file(LL001)\nimport torch\n";
        assert_eq!(header_end_line(Language::Python, text), 6);
        let text = "'''One line.'''\nimport torch\n";
        assert_eq!(header_end_line(Language::Python, text), 2);
        assert_eq!(
            header_end_line(Language::Python, "x = 1\n\"\"\"no\"\"\"\n"),
            1
        );
    }

    #[test]
    fn python_comments_skip_strings() {
        let text = "x = '# no'\ny = \"\"\"\n# no\n\"\"\"  # yes\n";
        let c = python_comments(text);
        assert_eq!(c.len(), 1);
        assert_eq!(&text[c[0].start..c[0].end], "# yes");
        assert_eq!(c[0].line, 4);
    }
}
