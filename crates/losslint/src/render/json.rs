//! `--format json`: an array of findings with the fields DESIGN.md section 5 fixes (`code`,
//! `name`, `severity`, `path`, `line`, `column`, `end_line`, `end_column`, `message`, `help`,
//! `fix`), plus `label`, `secondary` and `cell` (for a notebook: the 1-based cell the finding
//! is in, its lines being within the cell; `null` elsewhere).

use std::io::{self, Write};

use serde_json::{Value, json};

use crate::diagnostic::Applicability;
use crate::engine::{Finding, Report};
use crate::facts::Span;

use super::severity;

pub(super) fn report(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    let findings: Vec<Value> = report.findings.iter().map(finding).collect();
    serde_json::to_writer_pretty(&mut *out, &findings)?;
    writeln!(out)?;
    out.flush()
}

/// One finding as a JSON object.
#[must_use]
pub(super) fn finding(f: &Finding) -> Value {
    let d = &f.diagnostic;
    let fix = d.fix.as_ref().map_or(Value::Null, |fix| {
        json!({
            "applicability": applicability(fix.applicability),
            "message": fix.title,
            "edits": fix.edits.iter().map(|e| {
                let mut edit = region(e.span);
                edit["content"] = Value::String(e.content.clone());
                edit
            }).collect::<Vec<_>>(),
        })
    });
    let secondary: Vec<Value> = d
        .secondary
        .iter()
        .map(|(span, label)| {
            let mut s = region(*span);
            s["label"] = Value::String(label.clone());
            s
        })
        .collect();
    json!({
        "code": d.code,
        "name": d.name,
        "severity": severity(f.level),
        "path": f.path,
        "cell": f.cell,
        "line": d.span.start.line,
        "column": d.span.start.column,
        "end_line": d.span.end.line,
        "end_column": d.span.end.column,
        "message": d.message,
        "label": d.label,
        "help": d.help,
        "fix": fix,
        "secondary": secondary,
    })
}

fn region(span: Span) -> Value {
    json!({
        "line": span.start.line,
        "column": span.start.column,
        "end_line": span.end.line,
        "end_column": span.end.column,
    })
}

/// `safe`, `unsafe` or `display-only`.
#[must_use]
pub(super) fn applicability(a: Applicability) -> &'static str {
    match a {
        Applicability::Safe => "safe",
        Applicability::Unsafe => "unsafe",
        Applicability::DisplayOnly => "display-only",
    }
}
