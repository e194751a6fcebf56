//! LL000 parse-error: a file that could not be parsed is reported, and the run goes on.

use crate::diagnostic::Diagnostic;
use crate::facts::FileFacts;
use crate::rules::describe::diagnostic;
use crate::rules::{Level, Rule, RuleContext};

/// The user documentation, one copy for rustdoc and for `losslint explain` (`#[doc]` takes a
/// literal or a macro, not a `const`). Its examples are not doctests (`not(doctest)` below):
/// they show other crates' APIs.
macro_rules! documentation {
    () => {
        r#"## What it does
Reports a source file that losslint could not parse. Every other file is still linted. A Rust
file is skipped; in a Python file the parser recovers, and the parts that parse are still
checked (their findings are reported next to this one).

## Why is this bad?
losslint only reads code: it never compiles or runs it. A file it cannot parse is a file none of
the other rules looked at, so a clean run would say nothing about the losses in it. The usual
causes are a real syntax error (the file does not compile either) or syntax newer than the
parser losslint was built with.

The default level is `warn`: the compiler already rejects a file with a syntax error, so failing
CI a second time adds nothing, but a silent skip would hide findings. Set `LL000 = "deny"` to
make unparsed files fail the run, or `"allow"` for generated or template files.

## Example
```rust
fn train(logits: &Tensor, labels: &Tensor) -> Result<Tensor> {
    let loss = loss::cross_entropy(&logits, &labels)?
    Ok(loss)
}
```

Use instead:
```rust
fn train(logits: &Tensor, labels: &Tensor) -> Result<Tensor> {
    let loss = loss::cross_entropy(&logits, &labels)?;
    Ok(loss)
}
```

## Fix safety
There is no fix: losslint cannot know what the code was meant to say.
"#
    };
}

const DOC: &str = documentation!();

#[cfg_attr(not(doctest), doc = documentation!())]
#[derive(Clone, Copy, Debug, Default)]
pub struct ParseError;

impl ParseError {
    pub const CODE: &'static str = "LL000";
    pub const NAME: &'static str = "parse-error";
}

impl Rule for ParseError {
    rule_metadata!(Level::Warn);

    fn check(&self, facts: &FileFacts, _ctx: &RuleContext<'_>) -> Vec<Diagnostic> {
        let Some(failure) = &facts.parse_failure else {
            return Vec::new();
        };
        let reason = failure.message.trim();
        let reason = if reason.is_empty() {
            "syntax error"
        } else {
            reason
        };
        let mut d = diagnostic(
            Self::CODE,
            Self::NAME,
            failure.span,
            format!("could not parse this file: {reason}"),
            reason.to_string(),
        );
        d.help = Some(if failure.recovered {
            "the parts of this file that parse were checked, and the other files were linted; \
             fix the syntax error (Python reports it too) so that losslint can check the rest"
                .to_string()
        } else {
            "this file was skipped and the other files were linted; fix the syntax error (the \
             compiler reports it too) so that losslint can check the losses in it"
                .to_string()
        });
        vec![d]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::ParseFailure;
    use crate::rules::testing::{check, span};

    #[test]
    fn reports_the_parser_error() {
        let facts = FileFacts {
            parse_failure: Some(ParseFailure {
                message: "expected `;`".into(),
                span: span(3, 53, 54),
                recovered: false,
            }),
            ..FileFacts::default()
        };
        let found = check(&ParseError, &facts);
        assert_eq!(found.len(), 1);
        let d = &found[0];
        assert_eq!((d.code, d.name), ("LL000", "parse-error"));
        assert_eq!(d.message, "could not parse this file: expected `;`");
        assert_eq!(d.span, span(3, 53, 54));
        assert!(d.help.as_deref().unwrap().contains("skipped"));
        assert!(d.fix.is_none());
    }

    #[test]
    fn silent_on_parsed_files() {
        assert!(check(&ParseError, &FileFacts::default()).is_empty());
    }

    #[test]
    fn empty_parser_message() {
        let facts = FileFacts {
            parse_failure: Some(ParseFailure {
                message: "  ".into(),
                span: span(1, 1, 1),
                recovered: false,
            }),
            ..FileFacts::default()
        };
        assert_eq!(
            check(&ParseError, &facts)[0].message,
            "could not parse this file: syntax error"
        );
    }
}
