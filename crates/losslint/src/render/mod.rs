//! Renderers: turn a [`Report`] (and the rule table) into text for a terminal, a program or a
//! CI system. They write to the `Write` they are given and never decide the exit status.

mod github;
mod gitlab;
mod human;
mod json;
mod junit;
mod sarif;

use std::io::{self, Write};

use crate::engine::Report;
use crate::rules::{Level, Rule};
use crate::settings::{FixMode, Registry};

pub use human::{explain, rules_table};

/// `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// rustc-style code frames and a summary.
    Human,
    /// A JSON array of findings (DESIGN.md section 5).
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// GitHub Actions workflow commands.
    Github,
    /// A GitLab Code Quality report.
    Gitlab,
    /// JUnit XML.
    Junit,
}

/// How to render.
#[derive(Clone, Copy, Debug)]
#[allow(clippy::struct_excessive_bools)] // independent switches
pub struct RenderOptions {
    pub format: OutputFormat,
    /// ANSI colors (human format only).
    pub color: bool,
    /// No summary.
    pub quiet: bool,
    /// Counts per rule instead of findings.
    pub statistics: bool,
    /// Unsafe fixes count as applicable.
    pub unsafe_fixes: bool,
    pub fix_mode: FixMode,
}

/// Writes the findings of a report in the chosen format.
///
/// # Errors
/// Any error of `out`.
pub fn report(
    out: &mut dyn Write,
    report: &Report,
    registry: &Registry,
    options: RenderOptions,
) -> io::Result<()> {
    if options.statistics {
        return statistics(out, report, options);
    }
    match options.format {
        OutputFormat::Human => human::report(out, report, options),
        OutputFormat::Json => json::report(out, report),
        OutputFormat::Sarif => sarif::report(out, report, registry),
        OutputFormat::Github => github::report(out, report),
        OutputFormat::Gitlab => gitlab::report(out, report),
        OutputFormat::Junit => junit::report(out, report),
    }
}

/// The unified diffs of `--diff`, one file after the other.
///
/// # Errors
/// Any error of `out`.
pub fn diff(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    for change in &report.changes {
        out.write_all(
            crate::fix::unified_diff(&change.path, &change.original, &change.fixed).as_bytes(),
        )?;
    }
    out.flush()
}

/// `--statistics`: findings per rule, most frequent first.
fn statistics(out: &mut dyn Write, report: &Report, options: RenderOptions) -> io::Result<()> {
    let mut rows: Vec<(&'static str, &'static str, usize, usize)> = Vec::new();
    for finding in &report.findings {
        let d = &finding.diagnostic;
        let fixable = d
            .fix
            .as_ref()
            .is_some_and(|f| crate::fix::applies(f, options.unsafe_fixes));
        match rows.iter_mut().find(|r| r.0 == d.code) {
            Some(row) => {
                row.2 += 1;
                row.3 += usize::from(fixable);
            }
            None => rows.push((d.code, d.name, 1, usize::from(fixable))),
        }
    }
    rows.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)));
    match options.format {
        OutputFormat::Json | OutputFormat::Sarif | OutputFormat::Gitlab | OutputFormat::Junit => {
            let value: Vec<serde_json::Value> = rows
                .iter()
                .map(|(code, name, count, fixable)| {
                    serde_json::json!({
                        "code": code, "name": name, "count": count, "fixable": fixable,
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &value)?;
            writeln!(out)?;
        }
        OutputFormat::Human | OutputFormat::Github => {
            let width = rows
                .iter()
                .map(|r| r.2.to_string().len())
                .max()
                .unwrap_or(1);
            for (code, name, count, fixable) in &rows {
                let mark = if *fixable > 0 { "[*] " } else { "    " };
                writeln!(out, "{count:>width$}  {code}  {mark}{name}")?;
            }
        }
    }
    out.flush()
}

/// The first sentence (or clause before a colon) of a rule's `## What it does` section: its
/// one-line summary.
#[must_use]
pub fn summary(rule: &dyn Rule) -> String {
    let paragraph = description(rule);
    let mut in_code = false;
    let chars: Vec<(usize, char)> = paragraph.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        if c == '`' {
            in_code = !in_code;
        }
        let next = chars.get(k + 1).map_or(' ', |&(_, n)| n);
        // `e.g.` and `i.e.` do not end a sentence.
        let head = &paragraph[..i];
        let abbreviation = c == '.' && (head.ends_with("e.g") || head.ends_with("i.e"));
        if !in_code && (c == '.' || c == ':') && next == ' ' && !abbreviation {
            return paragraph[..i].to_string();
        }
    }
    paragraph.trim_end_matches('.').to_string()
}

/// The first paragraph of a rule's `## What it does` section, on one line.
#[must_use]
pub fn description(rule: &dyn Rule) -> String {
    let text = rule.explanation();
    let body = text
        .split_once("## What it does")
        .map_or(text, |(_, rest)| rest);
    body.trim_start()
        .split("\n\n")
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A finding's message for formats that have one text field: `cell N: ` first in a notebook
/// (its lines are within that cell), then the message, then `help` after `separator`.
#[must_use]
pub(crate) fn message_with_help(finding: &crate::engine::Finding, separator: &str) -> String {
    let d = &finding.diagnostic;
    let mut message = match finding.cell {
        Some(cell) => format!("cell {cell}: {}", d.message),
        None => d.message.clone(),
    };
    if let Some(help) = &d.help {
        message.push_str(separator);
        message.push_str(help);
    }
    message
}

/// `error` / `warning`: how a level is shown (and spelt in JSON and SARIF).
#[must_use]
pub fn severity(level: Level) -> &'static str {
    match level {
        Level::Deny => "error",
        Level::Warn => "warning",
        Level::Allow => "none",
    }
}

/// `allow` / `warn` / `deny`: how a level is configured.
#[must_use]
pub fn level_name(level: Level) -> &'static str {
    match level {
        Level::Allow => "allow",
        Level::Warn => "warn",
        Level::Deny => "deny",
    }
}
