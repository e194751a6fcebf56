//! Inline `// losslint: labels = "data/labels.csv"` directives (`# losslint: ..` in Python): the label file a loss on the
//! same line or the next line is judged against (LL002, LL009). The loss may be built or
//! applied there (`criterion.forward(..)` of a loss built elsewhere). A directive that binds
//! no loss is reported (LL012) rather than dropped.
//!
//! A directive is a line comment whose text starts with `losslint:`; it may hold other
//! entries (`allow(LL001)`, read elsewhere), separated by commas or spaces. The path is
//! relative to the file's directory.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};

use crate::facts::{Language, Pos, Span};

/// The `labels` directives of a file, by 1-based line, and which of them bound a loss.
#[derive(Debug, Default)]
pub(crate) struct Directives {
    labels: BTreeMap<usize, (String, Span)>,
    /// Lines holding only an attribute (`#[allow(..)]`): a directive above them binds the
    /// statement or item they belong to.
    attributes: HashSet<usize>,
    used: RefCell<HashSet<usize>>,
}

impl Directives {
    /// Reads every directive of a file.
    pub(crate) fn parse(text: &str, language: Language) -> Self {
        if !text.contains("losslint:") {
            return Self::default();
        }
        let mut labels = BTreeMap::new();
        let mut attributes = HashSet::new();
        let mut offset = 0;
        for (index, line) in text.split_inclusive('\n').enumerate() {
            let content = line.trim_end_matches(['\n', '\r']);
            let code = content.trim();
            let attribute = match language {
                Language::Rust => code.starts_with("#[") && code.ends_with(']'),
                Language::Python => code.starts_with('@'),
            };
            if attribute {
                attributes.insert(index + 1);
            }
            if let Some(path) = line_labels(content, language) {
                let indent = content.len() - content.trim_start().len();
                let pos = |byte: usize| Pos {
                    line: index + 1,
                    column: content[..byte].chars().count() + 1,
                    offset: offset + byte,
                };
                let span = Span {
                    start: pos(indent),
                    end: pos(content.len()),
                };
                labels.insert(index + 1, (path, span));
            }
            offset += line.len();
        }
        Directives {
            labels,
            attributes,
            used: RefCell::new(HashSet::new()),
        }
    }

    /// The label file for a loss built, named or applied on any of `lines`: a directive on
    /// one of those lines or the line before it. The directive counts as used.
    pub(crate) fn bind(&self, lines: impl IntoIterator<Item = usize>) -> Option<String> {
        lines.into_iter().find_map(|line| {
            // The line itself, the line before, and above any attribute lines in between.
            let mut above = line.checked_sub(1);
            while let Some(at) = above.filter(|at| self.attributes.contains(at)) {
                above = at.checked_sub(1);
            }
            let at = [Some(line), above]
                .into_iter()
                .flatten()
                .find(|at| self.labels.contains_key(at))?;
            self.used.borrow_mut().insert(at);
            self.labels.get(&at).map(|(path, _)| path.clone())
        })
    }

    /// The directives that bound no loss: each comment's span and the path it names.
    pub(crate) fn unbound(&self) -> Vec<(Span, String)> {
        let used = self.used.borrow();
        self.labels
            .iter()
            .filter(|(line, _)| !used.contains(line))
            .map(|(_, (path, span))| (*span, path.clone()))
            .collect()
    }

    /// The label file for a loss starting on `line`.
    #[cfg(test)]
    pub(crate) fn labels_for(&self, line: usize) -> Option<&str> {
        self.labels
            .get(&line)
            .or_else(|| {
                line.checked_sub(1)
                    .and_then(|before| self.labels.get(&before))
            })
            .map(|(path, _)| path.as_str())
    }
}

/// The `labels = "..."` of a directive comment on this line, if any.
fn line_labels(line: &str, language: Language) -> Option<String> {
    match language {
        Language::Rust => rust_line_labels(line),
        Language::Python => python_line_labels(line),
    }
}

/// A Python comment starts at the first `#` outside a string literal (an even number of each
/// quote before it); the directive must start the comment.
fn python_line_labels(line: &str) -> Option<String> {
    let mut from = 0;
    while let Some(found) = line[from..].find('#') {
        let at = from + found;
        let before = &line[..at];
        if before.matches('"').count() % 2 == 1 || before.matches('\'').count() % 2 == 1 {
            from = at + 1;
            continue;
        }
        let comment = line[at + 1..].trim_start();
        return comment.strip_prefix("losslint:").and_then(labels_entry);
    }
    None
}

fn rust_line_labels(line: &str) -> Option<String> {
    // The comment may follow code. It starts at the first `//` outside a string literal
    // (an even number of quotes before it), and the directive must start the comment: a
    // directive quoted in prose (`/// write \`// losslint: labels = ".."\``) is not one.
    let mut from = 0;
    while let Some(found) = line[from..].find("//") {
        let at = from + found;
        if line[..at].matches('"').count() % 2 == 1 {
            from = at + 2;
            continue;
        }
        let comment = line[at + 2..]
            .trim_start_matches('/')
            .trim_start_matches('!')
            .trim_start();
        return comment.strip_prefix("losslint:").and_then(labels_entry);
    }
    None
}

/// `labels = "path"` inside a directive body.
fn labels_entry(body: &str) -> Option<String> {
    let mut rest = body;
    while let Some(at) = rest.find("labels") {
        let before_ok = rest[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        let after = rest[at + "labels".len()..].trim_start();
        if before_ok && let Some(value) = after.strip_prefix('=') {
            let value = value.trim_start();
            let quote = value.chars().next().filter(|c| matches!(c, '"' | '\''))?;
            let quoted = &value[1..];
            let end = quoted.find(quote)?;
            let path = &quoted[..end];
            return (!path.is_empty()).then(|| path.to_string());
        }
        rest = &rest[at + "labels".len()..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directive_on_the_line_or_the_line_before() {
        let text = "fn main() {\n    // losslint: labels = \"data/train.csv\"\n    let loss = x;\n    let other = y; // losslint: labels = \"other.json\"\n}\n";
        let directives = Directives::parse(text, Language::Rust);
        assert_eq!(directives.labels_for(3), Some("data/train.csv"));
        assert_eq!(directives.labels_for(2), Some("data/train.csv"));
        assert_eq!(directives.labels_for(4), Some("other.json"));
        assert_eq!(directives.labels_for(5), Some("other.json"));
        assert_eq!(directives.labels_for(6), None);
        assert_eq!(directives.labels_for(1), None);
    }

    #[test]
    fn attribute_lines_between_a_directive_and_its_loss() {
        let text = "fn main() {\n    // losslint: labels = \"a.csv\"\n    #[allow(unused)]\n    #[rustfmt::skip]\n    let loss = x;\n}\n";
        let directives = Directives::parse(text, Language::Rust);
        assert_eq!(directives.bind([5]).as_deref(), Some("a.csv"));
        assert!(directives.unbound().is_empty());
        // Code between them still breaks the binding.
        let text = "// losslint: labels = \"a.csv\"\nlet x = 1;\nlet loss = y;\n";
        assert_eq!(Directives::parse(text, Language::Rust).bind([3]), None);
    }

    #[test]
    fn other_entries_and_malformed_directives() {
        assert_eq!(
            rust_line_labels("// losslint: allow(LL001), labels = \"a.csv\"").as_deref(),
            Some("a.csv")
        );
        assert_eq!(rust_line_labels("// losslint: allow(LL001)"), None);
        assert_eq!(rust_line_labels("// losslint: labels = a.csv"), None);
        assert_eq!(
            rust_line_labels("// losslint: labels = 'a.csv'").as_deref(),
            Some("a.csv")
        );
        assert_eq!(
            rust_line_labels("// losslint: labels = \"unterminated"),
            None
        );
        assert_eq!(rust_line_labels("// losslint: mylabels = \"a.csv\""), None);
        assert_eq!(rust_line_labels("// labels = \"a.csv\""), None);
        assert_eq!(
            rust_line_labels("/// losslint: labels = \"doc.csv\"").as_deref(),
            Some("doc.csv")
        );
        assert_eq!(
            rust_line_labels("//! bound with `// losslint: labels = \"..\"` directives"),
            None
        );
        assert_eq!(
            rust_line_labels("let url = \"http://x\"; // losslint: labels = \"a.csv\"").as_deref(),
            Some("a.csv")
        );
    }

    #[test]
    fn python_directives() {
        assert_eq!(
            python_line_labels("crit = nn.BCELoss()  # losslint: labels = \"a.csv\"").as_deref(),
            Some("a.csv")
        );
        assert_eq!(
            python_line_labels("# losslint: allow(LL001), labels = 'b.csv'").as_deref(),
            Some("b.csv")
        );
        assert_eq!(
            python_line_labels("x = '# losslint: labels = \"a.csv\"'"),
            None
        );
        assert_eq!(python_line_labels("# noqa: labels = \"a.csv\""), None);
        let text = "# losslint: labels = \"a.csv\"\n@torch.no_grad()\ndef f():\n";
        assert_eq!(
            Directives::parse(text, Language::Python)
                .bind([3])
                .as_deref(),
            Some("a.csv")
        );
    }
}
