//! `--format junit`: a JUnit XML report, which most CI systems (Jenkins, GitLab, Azure
//! Pipelines, CircleCI, Buildkite) show as a test summary: one failed test case per finding,
//! grouped in one test suite per file; a run without findings is one passing test case, so the
//! report is never empty.

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::engine::{Finding, Report};
use crate::rules::Level;

pub(super) fn report(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    let failures = report.findings.len();
    let tests = failures.max(1);
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<testsuites name=\"losslint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">"
    );
    if report.findings.is_empty() {
        let _ = writeln!(
            xml,
            "  <testsuite name=\"losslint\" tests=\"1\" failures=\"0\" errors=\"0\">\n    \
             <testcase name=\"no findings in {} file{}\" classname=\"losslint\"/>\n  </testsuite>",
            report.files,
            if report.files == 1 { "" } else { "s" }
        );
    }
    // Findings are sorted by path: one suite per run of the same path.
    let mut start = 0;
    while start < report.findings.len() {
        let path = &report.findings[start].path;
        let end = start
            + report.findings[start..]
                .iter()
                .take_while(|f| &f.path == path)
                .count();
        let suite = &report.findings[start..end];
        let _ = writeln!(
            xml,
            "  <testsuite name=\"{}\" tests=\"{n}\" failures=\"{n}\" errors=\"0\">",
            escape(path),
            n = suite.len()
        );
        for finding in suite {
            test_case(&mut xml, finding);
        }
        xml.push_str("  </testsuite>\n");
        start = end;
    }
    xml.push_str("</testsuites>\n");
    out.write_all(xml.as_bytes())?;
    out.flush()
}

/// One failed test case: named by rule and position, the message and help as its body.
fn test_case(xml: &mut String, f: &Finding) {
    let d = &f.diagnostic;
    let at = match f.cell {
        Some(cell) => format!("cell {cell}, line {}", d.span.start.line),
        None => format!("line {}", d.span.start.line),
    };
    let mut body = format!(
        "{}:{}:{}: {} {}",
        f.location(),
        d.span.start.line,
        d.span.start.column,
        d.code,
        d.message
    );
    if let Some(help) = &d.help {
        body.push_str("\nhelp: ");
        body.push_str(help);
    }
    let _ = writeln!(
        xml,
        "    <testcase name=\"{code} {name} at {at}, column {column}\" classname=\"{path}\" \
         file=\"{path}\" line=\"{line}\">\n      <failure type=\"{code}\" \
         message=\"{message}\">{body}</failure>\n    </testcase>",
        code = d.code,
        name = d.name,
        column = d.span.start.column,
        path = escape(&f.path),
        line = d.span.start.line,
        message = escape(&format!(
            "{}: {}",
            match f.level {
                Level::Deny => "error",
                _ => "warning",
            },
            d.message
        )),
        body = escape(&body),
    );
}

/// Text as XML 1.0 character data or an attribute value: the five markup characters escaped,
/// control characters XML cannot hold (everything below U+0020 but tab, newline and carriage
/// return) replaced by U+FFFD.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if u32::from(c) < 0x20 || matches!(c, '\u{fffe}' | '\u{ffff}') => {
                out.push('\u{fffd}');
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_characters_xml_cannot_hold() {
        assert_eq!(
            escape("a<b> & \"c\" 'd'"),
            "a&lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;"
        );
        assert_eq!(escape("bell\u{7}\ttab\nline"), "bell\u{fffd}\ttab\nline");
    }
}
