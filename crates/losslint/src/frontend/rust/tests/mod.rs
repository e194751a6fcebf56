//! Tests of the Rust frontend on realistic snippets, one module per framework.

mod accumulations;
mod burn;
mod candle;
mod flow;
mod general;
mod lossfit;
mod resources;
mod tch;

use crate::facts::{FileFacts, LossSite, Pos, Span};
use crate::frontend::Frontend;

use super::RustFrontend;

/// The facts of a source text.
fn facts(source: &str) -> FileFacts {
    RustFrontend.facts(source)
}

/// The loss sites of a source text that must parse.
fn sites(source: &str) -> Vec<LossSite> {
    let facts = facts(source);
    assert_eq!(facts.parse_failure, None, "the snippet parses");
    facts.losses
}

/// The only site of a source text.
fn only(source: &str) -> LossSite {
    let mut sites = sites(source);
    assert_eq!(sites.len(), 1, "one site expected: {sites:#?}");
    sites.remove(0)
}

/// The position of the `nth` (0-based) occurrence of `needle`.
fn pos(source: &str, needle: &str, nth: usize) -> Pos {
    let offset = source.match_indices(needle).nth(nth).map_or_else(
        || panic!("`{needle}` occurs {} times", nth + 1),
        |(offset, _)| offset,
    );
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    Pos {
        line,
        column: source[line_start..offset].chars().count() + 1,
        offset,
    }
}

/// The span of the `nth` occurrence of `needle` (a needle on one line).
fn span(source: &str, needle: &str, nth: usize) -> Span {
    let start = pos(source, needle, nth);
    Span {
        start,
        end: Pos {
            line: start.line,
            column: start.column + needle.chars().count(),
            offset: start.offset + needle.len(),
        },
    }
}

/// An empty span (insertion point) right after the `nth` occurrence of `needle`.
fn after(source: &str, needle: &str, nth: usize) -> Span {
    let end = span(source, needle, nth).end;
    Span { start: end, end }
}

/// An empty span right before the `nth` occurrence of `needle`.
fn before(source: &str, needle: &str, nth: usize) -> Span {
    let start = pos(source, needle, nth);
    Span { start, end: start }
}

/// One line per site: api, loss, reduction, weighting, argument origins; positions as
/// `line:column`.
fn summary(sites: &[LossSite]) -> Vec<String> {
    use std::fmt::Write as _;

    use crate::facts::{Origin, Reduction, Role};
    let at = |pos: Pos| format!("{}:{}", pos.line, pos.column);
    sites
        .iter()
        .map(|site| {
            let reduction = match &site.reduction {
                Reduction::Explicit { value, .. } => format!("explicit({value})"),
                Reduction::Implicit { default, fix: None } => format!("implicit({default})"),
                Reduction::Implicit {
                    default,
                    fix: Some(edit),
                } => format!(
                    "implicit({default}, {}-{} {:?})",
                    at(edit.span.start),
                    at(edit.span.end),
                    edit.content
                ),
                Reduction::Unknown => "unknown".to_string(),
            };
            let arguments: Vec<String> = site
                .arguments
                .iter()
                .map(|argument| {
                    let role = match argument.role {
                        Role::Input => "input",
                        Role::Target => "target",
                        Role::Other => "other",
                    };
                    let origin = match &argument.origin {
                        Origin::Unknown => "?".to_string(),
                        Origin::Logits { .. } => "logits".to_string(),
                        Origin::ClassLabels { .. } => "labels".to_string(),
                        Origin::Activation { activation, .. } => format!("{activation:?}"),
                    };
                    format!("{role}:{origin}")
                })
                .collect();
            let mut line = format!(
                "{} {:?} @{} {} {:?} [{}]",
                site.api,
                site.loss,
                at(site.name_span.start),
                reduction,
                site.weighting,
                arguments.join(", ")
            );
            if let Some(task) = site.declared_task {
                let _ = write!(line, " task={task:?}");
            }
            if let Some(labels) = &site.labels {
                let _ = write!(line, " labels={labels}");
            }
            line
        })
        .collect()
}
