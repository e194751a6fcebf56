//! Inline `// losslint: labels = "data/labels.csv"` directives: the label file a loss on the
//! same line or the next line is judged against (LL002, LL009).
//!
//! A directive is a line comment whose text starts with `losslint:`; it may hold other
//! entries (`allow(LL001)`, read elsewhere), separated by commas or spaces. The path is
//! relative to the file's directory.

use std::collections::HashMap;

/// The `labels` directives of a file, by 1-based line.
#[derive(Debug, Default)]
pub(crate) struct Directives {
    labels: HashMap<usize, String>,
}

impl Directives {
    /// Reads every directive of a file.
    pub(crate) fn parse(text: &str) -> Self {
        let mut labels = HashMap::new();
        for (index, line) in text.lines().enumerate() {
            if let Some(path) = line_labels(line) {
                labels.insert(index + 1, path);
            }
        }
        Directives { labels }
    }

    /// The label file for a loss starting on `line`: a directive on that line or the one
    /// before it.
    pub(crate) fn labels_for(&self, line: usize) -> Option<&str> {
        self.labels
            .get(&line)
            .or_else(|| {
                line.checked_sub(1)
                    .and_then(|before| self.labels.get(&before))
            })
            .map(String::as_str)
    }
}

/// The `labels = "..."` of a directive comment on this line, if any.
fn line_labels(line: &str) -> Option<String> {
    let mut rest = line;
    // The comment may follow code; a `//` inside a string literal is rare enough on a line
    // that also holds `losslint:` to accept.
    while let Some(at) = rest.find("//") {
        let comment = rest[at + 2..]
            .trim_start_matches('/')
            .trim_start_matches('!');
        let comment = comment.trim_start();
        if let Some(body) = comment.strip_prefix("losslint:") {
            return labels_entry(body);
        }
        rest = &rest[at + 2..];
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
            let quoted = value.strip_prefix('"')?;
            let end = quoted.find('"')?;
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
        let directives = Directives::parse(text);
        assert_eq!(directives.labels_for(3), Some("data/train.csv"));
        assert_eq!(directives.labels_for(2), Some("data/train.csv"));
        assert_eq!(directives.labels_for(4), Some("other.json"));
        assert_eq!(directives.labels_for(5), Some("other.json"));
        assert_eq!(directives.labels_for(6), None);
        assert_eq!(directives.labels_for(1), None);
    }

    #[test]
    fn other_entries_and_malformed_directives() {
        assert_eq!(
            line_labels("// losslint: allow(LL001), labels = \"a.csv\"").as_deref(),
            Some("a.csv")
        );
        assert_eq!(line_labels("// losslint: allow(LL001)"), None);
        assert_eq!(line_labels("// losslint: labels = a.csv"), None);
        assert_eq!(line_labels("// losslint: labels = \"unterminated"), None);
        assert_eq!(line_labels("// losslint: mylabels = \"a.csv\""), None);
        assert_eq!(line_labels("// labels = \"a.csv\""), None);
        assert_eq!(
            line_labels("/// losslint: labels = \"doc.csv\"").as_deref(),
            Some("doc.csv")
        );
    }
}
