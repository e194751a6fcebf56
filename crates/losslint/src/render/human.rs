//! Human output: rustc-style code frames (annotate-snippets), the summary, `losslint rules` and
//! `losslint explain`.

use std::io::{self, Write};
use std::ops::Range;

use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{
    AnnotationKind, Group, Level as SnippetLevel, Origin, Patch, Renderer, Snippet,
};

use crate::diagnostic::{Applicability, Diagnostic};
use crate::engine::{Finding, Report};
use crate::facts::Span;
use crate::fix::{self, LineIndex};
use crate::rules::{Level, Rule};
use crate::settings::{FixMode, Registry};

use super::{RenderOptions, level_name, summary};

/// The findings as code frames, then the summary (unless quiet).
pub(super) fn report(
    out: &mut dyn Write,
    report: &Report,
    options: RenderOptions,
) -> io::Result<()> {
    let renderer = if options.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
    .decor_style(DecorStyle::Ascii);
    // Findings come sorted by path: index each file's lines once.
    // (A notebook's cells are indexed each on its own: its findings' lines are within them.)
    let mut indexed: Option<(String, LineIndex<'_>)> = None;
    for finding in &report.findings {
        let location = finding.location();
        if indexed.as_ref().is_none_or(|(path, _)| *path != location) {
            indexed = report
                .sources
                .get(&location)
                .map(|text| (location.clone(), LineIndex::new(text)));
        }
        let index = indexed
            .as_ref()
            .filter(|(path, _)| *path == location)
            .map(|(_, index)| index);
        let text = frame(&renderer, finding, index, options.unsafe_fixes);
        writeln!(out, "{text}\n")?;
    }
    if !options.quiet {
        summary_lines(out, report, options)?;
    }
    out.flush()
}

/// One finding as rustc would show it.
fn frame(
    renderer: &Renderer,
    finding: &Finding,
    index: Option<&LineIndex<'_>>,
    unsafe_fixes: bool,
) -> String {
    let d = &finding.diagnostic;
    let location = finding.location();
    let level = match finding.level {
        Level::Deny => SnippetLevel::ERROR,
        _ => SnippetLevel::WARNING,
    };
    let title = level.primary_title(d.message.as_str()).id(d.code);
    let mut groups: Vec<Group<'_>> = Vec::new();
    let window = index.and_then(|index| Window::new(index, d));
    let mut group = if let Some(window) = &window {
        let mut snippet = Snippet::source(window.text.as_ref())
            .line_start(window.first_line)
            .path(location.as_str());
        if let Some(range) = window.range(d.span, true) {
            snippet = snippet.annotation(
                AnnotationKind::Primary
                    .span(range)
                    .label((!d.label.is_empty()).then_some(d.label.as_str())),
            );
        }
        for (span, label) in &d.secondary {
            if let Some(range) = window.range(*span, false) {
                snippet = snippet.annotation(
                    AnnotationKind::Context
                        .span(range)
                        .label((!label.is_empty()).then_some(label.as_str())),
                );
            }
        }
        title.element(snippet)
    } else {
        // No text to show (the file could not be read): the location alone.
        title.element(
            Origin::path(location.as_str())
                .line(d.span.start.line.max(1))
                .char_column(d.span.start.column.max(1)),
        )
    };
    if let Some(help) = &d.help {
        group = group.element(SnippetLevel::HELP.message(help.as_str()));
    }
    groups.push(group);
    if let Some(fix) = &d.fix {
        let how = match fix.applicability {
            Applicability::Safe => " (safe fix: `--fix`)",
            Applicability::Unsafe if unsafe_fixes => " (unsafe fix: `--fix --unsafe-fixes`)",
            Applicability::Unsafe => " (unsafe fix: enable with `--unsafe-fixes`)",
            Applicability::DisplayOnly => "",
        };
        let fix_title = format!("{}{how}", fix.title);
        let patches: Option<Vec<Patch<'_>>> = window.as_ref().and_then(|w| {
            fix.edits
                .iter()
                .map(|e| {
                    w.range(e.span, false)
                        .map(|r| Patch::new(r, e.content.as_str()))
                })
                .collect()
        });
        let group = match (patches, &window) {
            (Some(patches), Some(window)) if !patches.is_empty() => {
                SnippetLevel::HELP.secondary_title(fix_title).element(
                    Snippet::source(window.text.as_ref())
                        .line_start(window.first_line)
                        .path(location.as_str())
                        .patches(patches),
                )
            }
            _ => Group::with_title(SnippetLevel::HELP.secondary_title(fix_title)),
        };
        groups.push(group);
    }
    let rendered = renderer.render(&groups);
    match &window {
        // The renderer counts a cut line's columns from the cut: the location line gets the
        // file's.
        Some(window) if window.cut => relocate(&rendered, &location, d.span.start),
        _ => rendered,
    }
}

/// `rendered` with its first `--> path:line:column` line pointing at `at`.
fn relocate(rendered: &str, path: &str, at: crate::facts::Pos) -> String {
    let marker = format!("--> {path}:");
    let mut out = String::with_capacity(rendered.len());
    let mut done = false;
    for line in rendered.split_inclusive('\n') {
        if !done && let Some(found) = line.find(&marker) {
            done = true;
            let ending = if line.ends_with('\n') { "\n" } else { "" };
            let _ = std::fmt::Write::write_fmt(
                &mut out,
                format_args!(
                    "{}{marker}{}:{}{ending}",
                    &line[..found],
                    at.line.max(1),
                    at.column.max(1)
                ),
            );
        } else {
            out.push_str(line);
        }
    }
    out
}

/// Longest line shown whole in a code frame (bytes).
const MAX_LINE: usize = 400;

/// Bytes shown either side of the spans on a line longer than [`MAX_LINE`].
const CONTEXT: usize = 120;

/// The lines of a file a finding touches, so the renderer never sees the whole file.
struct Window<'i, 'a> {
    /// The lines shown; a single line longer than [`MAX_LINE`] is cut to the part around
    /// the spans, with `...` where it was cut (a minified file is not printed whole).
    text: std::borrow::Cow<'a, str>,
    /// Whether `text` is a cut line.
    cut: bool,
    first_line: usize,
    /// Byte offset of `text` in the file.
    start: usize,
    index: &'i LineIndex<'a>,
}

impl<'i, 'a> Window<'i, 'a> {
    fn new(index: &'i LineIndex<'a>, d: &Diagnostic) -> Option<Self> {
        let file = index.text();
        let mut spans = vec![d.span];
        spans.extend(d.secondary.iter().map(|(s, _)| *s));
        if let Some(fix) = &d.fix {
            spans.extend(fix.edits.iter().map(|e| e.span));
        }
        let ranges: Vec<Range<usize>> = spans.iter().filter_map(|s| index.range(*s)).collect();
        // The primary span must be in the file, or there is no frame to draw.
        index.range(d.span)?;
        let lo = ranges.iter().map(|r| r.start).min()?;
        let hi = ranges.iter().map(|r| r.end).max()?;
        let first_line = index.pos(lo).line;
        let last_line = index.pos(hi).line;
        let start = index.line_start(first_line)?;
        let end = index.line_start(last_line + 1).unwrap_or(file.len());
        let lines = file.get(start..end)?;
        if first_line != last_line || lines.len() <= MAX_LINE {
            return Some(Self {
                text: std::borrow::Cow::Borrowed(lines),
                cut: false,
                first_line,
                start,
                index,
            });
        }
        // One long line: the spans with some context either side.
        let line_end = start + lines.trim_end_matches(['\n', '\r']).len();
        let mut from = lo.saturating_sub(CONTEXT).max(start);
        while !file.is_char_boundary(from) {
            from -= 1;
        }
        let mut to = (hi + CONTEXT).min(line_end);
        while !file.is_char_boundary(to) {
            to += 1;
        }
        let head = if from > start { "..." } else { "" };
        let tail = if to < line_end { "..." } else { "" };
        Some(Self {
            text: std::borrow::Cow::Owned(format!("{head}{}{tail}", file.get(from..to)?)),
            cut: true,
            first_line,
            start: from.checked_sub(head.len())?,
            index,
        })
    }

    /// The span's byte range within the window; an empty primary span is widened to the
    /// character it points at, so the caret shows.
    fn range(&self, span: Span, widen: bool) -> Option<Range<usize>> {
        let r = self.index.range(span)?;
        let mut r = r.start.checked_sub(self.start)?..r.end.checked_sub(self.start)?;
        if r.end > self.text.len() {
            return None;
        }
        if widen
            && r.is_empty()
            && let Some(c) = self.text.get(r.start..).and_then(|s| s.chars().next())
            && c != '\n'
            && c != '\r'
        {
            r.end += c.len_utf8();
        }
        Some(r)
    }
}

fn summary_lines(out: &mut dyn Write, report: &Report, options: RenderOptions) -> io::Result<()> {
    let errors = report.count(Level::Deny);
    let warnings = report.count(Level::Warn);
    let total = errors + warnings;
    let fixed = report.fixes_applied();
    if options.fix_mode == FixMode::Apply && fixed > 0 {
        let files = report.changes.len();
        writeln!(
            out,
            "Fixed {fixed} finding{} in {files} file{}.",
            plural(fixed),
            plural(files)
        )?;
    }
    if total == 0 {
        // A check that could not run (an unreadable label file, a fix not written) is not
        // a pass: the errors follow on standard error.
        if report.files == 0 && report.errors.is_empty() {
            writeln!(out, "No source files were checked.")?;
        } else if report.errors.is_empty() {
            writeln!(out, "All checks passed!")?;
        } else {
            let n = report.errors.len();
            writeln!(
                out,
                "No findings, but {n} error{} stopped part of the check (see below).",
                plural(n)
            )?;
        }
        return Ok(());
    }
    let mut paths: Vec<&str> = report.findings.iter().map(|f| f.path.as_str()).collect();
    paths.dedup();
    let files = paths.len();
    writeln!(
        out,
        "Found {total} finding{} ({errors} error{}, {warnings} warning{}) in {} file{}.",
        plural(total),
        plural(errors),
        plural(warnings),
        files,
        plural(files),
    )?;
    let fixable = |unsafe_fixes: bool| {
        report
            .findings
            .iter()
            .filter(|f| {
                f.diagnostic
                    .fix
                    .as_ref()
                    .is_some_and(|x| fix::applies(x, unsafe_fixes))
            })
            .count()
    };
    let now = fixable(options.unsafe_fixes);
    let hidden = fixable(true) - now;
    if now > 0 {
        writeln!(out, "[*] {now} fixable with `--fix`.")?;
    }
    if hidden > 0 {
        writeln!(
            out,
            "{hidden} more fixable with `--fix --unsafe-fixes` (they change behaviour: review them)."
        )?;
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `losslint rules`: code, name, default level, summary.
///
/// # Errors
/// Any error of `out`.
pub fn rules_table(out: &mut dyn Write, registry: &Registry, json: bool) -> io::Result<()> {
    if json {
        let rows: Vec<serde_json::Value> = registry
            .rules()
            .iter()
            .map(|r| {
                serde_json::json!({
                    "code": r.code(),
                    "name": r.name(),
                    "default_level": level_name(r.default_level()),
                    "summary": summary(*r),
                })
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &rows)?;
        writeln!(out)?;
        return out.flush();
    }
    let name_width = registry
        .rules()
        .iter()
        .map(|r| r.name().len())
        .max()
        .unwrap_or(0);
    for rule in registry.rules() {
        writeln!(
            out,
            "{}  {:<name_width$}  {:<5}  {}",
            rule.code(),
            rule.name(),
            level_name(rule.default_level()),
            summary(*rule)
        )?;
    }
    out.flush()
}

/// `losslint explain`: the rule's title line and documentation.
///
/// # Errors
/// Any error of `out`.
pub fn explain(out: &mut dyn Write, rule: &dyn Rule) -> io::Result<()> {
    writeln!(
        out,
        "# {} ({})\n\nDefault level: {}\n",
        rule.name(),
        rule.code(),
        level_name(rule.default_level())
    )?;
    writeln!(out, "{}", rule.explanation().trim_end())?;
    out.flush()
}
