//! `--format github`: one GitHub Actions workflow command per finding, which GitHub shows as an
//! annotation on the pull request's diff.

use std::io::{self, Write};

use crate::engine::Report;
use crate::rules::Level;

pub(super) fn report(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    for f in &report.findings {
        let d = &f.diagnostic;
        let command = match f.level {
            Level::Deny => "error",
            _ => "warning",
        };
        // A notebook's lines are within a cell: the message says which.
        let message = super::message_with_help(f, "\nhelp: ");
        writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            property(&f.path),
            d.span.start.line,
            d.span.start.column,
            d.span.end.line,
            d.span.end.column,
            property(&format!("{} {}", d.code, d.name)),
            data(&message),
        )?;
    }
    out.flush()
}

/// Escapes a command's message (`%`, CR, LF), as `@actions/core` does.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property: also `:` and `,`.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_actions_core() {
        assert_eq!(data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }
}
