//! `--format sarif`: a SARIF 2.1.0 log (GitHub code scanning, GitLab, IDEs). Columns are
//! counted in Unicode code points, as the log's `columnKind` says.

use std::fmt::Write as _;
use std::io::{self, Write};

use serde_json::{Value, json};

use crate::engine::Report;
use crate::facts::Span;
use crate::rules::Level;
use crate::settings::Registry;

use super::{description, severity, summary};

pub(super) fn report(out: &mut dyn Write, report: &Report, registry: &Registry) -> io::Result<()> {
    let rules: Vec<Value> = registry
        .rules()
        .iter()
        .map(|r| {
            json!({
                "id": r.code(),
                "name": r.name(),
                "shortDescription": { "text": summary(*r) },
                "fullDescription": { "text": description(*r) },
                "help": { "text": r.explanation(), "markdown": r.explanation() },
                "defaultConfiguration": { "level": sarif_level(r.default_level()) },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let d = &f.diagnostic;
            let uri = uri(&f.path);
            let message = super::message_with_help(f, "\nhelp: ");
            let mut result = json!({
                "ruleId": d.code,
                "level": severity(f.level),
                "message": { "text": message },
                "locations": [location(&uri, d.span, None)],
            });
            // A notebook's regions are lines within the cell named here.
            if let Some(cell) = f.cell {
                result["properties"] = json!({ "cell": cell });
            }
            if let Some(index) = registry.rules().iter().position(|r| r.code() == d.code) {
                result["ruleIndex"] = json!(index);
            }
            if !d.secondary.is_empty() {
                result["relatedLocations"] = d
                    .secondary
                    .iter()
                    .enumerate()
                    .map(|(i, (span, label))| {
                        let mut l = location(&uri, *span, Some(label));
                        l["id"] = json!(i);
                        l
                    })
                    .collect();
            }
            if let Some(fix) = &d.fix {
                result["fixes"] = json!([{
                    "description": { "text": fix.title },
                    "artifactChanges": [{
                        "artifactLocation": { "uri": uri },
                        "replacements": fix.edits.iter().map(|e| json!({
                            "deletedRegion": region(e.span),
                            "insertedContent": { "text": e.content },
                        })).collect::<Vec<_>>(),
                    }],
                }]);
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "losslint",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                },
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)?;
    out.flush()
}

fn location(uri: &str, span: Span, label: Option<&String>) -> Value {
    let mut l = json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri },
            "region": region(span),
        },
    });
    if let Some(label) = label {
        l["message"] = json!({ "text": label });
    }
    l
}

/// A SARIF region: 1-based, end column exclusive (the character after the span), which is what
/// a span's end position is.
fn region(span: Span) -> Value {
    let start_line = span.start.line.max(1);
    let start_column = span.start.column.max(1);
    let end_line = span.end.line.max(start_line);
    let end_column = if end_line == start_line {
        span.end.column.max(start_column)
    } else {
        span.end.column.max(1)
    };
    json!({
        "startLine": start_line,
        "startColumn": start_column,
        "endLine": end_line,
        "endColumn": end_column,
    })
}

fn sarif_level(level: Level) -> &'static str {
    match level {
        Level::Allow => "none",
        Level::Warn => "warning",
        Level::Deny => "error",
    }
}

/// A relative URI reference for a path: `/` separators, reserved characters percent-encoded.
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    let mut out = String::with_capacity(path.len() + 7);
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(char::from(b));
            }
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_encoded_relative_references() {
        assert_eq!(uri("./src/a b.rs"), "src/a%20b.rs");
        assert_eq!(uri("src\\é.rs"), "src/%C3%A9.rs");
        assert_eq!(uri("/tmp/a.rs"), "file:///tmp/a.rs");
    }
}
