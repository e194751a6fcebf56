//! The Rust frontend: parses a file with `syn` and extracts its loss sites.
//!
//! Pipeline: `imports` resolves written paths to canonical framework paths, `program` lowers
//! the file's functions and field writes for the value-flow engine (`crate::flow`), `visitor`
//! walks the items, `dataflow` follows values through each function body (asking the engine
//! for the summaries of the file's other functions and fields), `calls` recognises the
//! table APIs (`apis/`, indexed by `lookup`), `options` reads functional options structs,
//! `accumulate` finds per-batch losses summed into epoch totals, `derive` reads `#[head(...)]`
//! attributes, `directives` binds inline label files, and `spans` turns token positions into
//! the file's lines, columns and bytes.
//!
//! Each file is analysed on its own thread with a large stack: `syn` parses and drops
//! syntax trees recursively, so deeply nested generated code could otherwise overflow the
//! caller's stack, and proc-macro2's per-thread source map (which keeps every parsed file's
//! text for span locations) is freed when that thread ends. A panic on that thread becomes a
//! parse failure; the caller never sees one.

mod accumulate;
mod calls;
mod dataflow;
mod derive;
mod imports;
mod lookup;
mod nesting;
mod options;
mod program;
mod spans;
mod visitor;

use std::sync::OnceLock;

use crate::facts::{FileFacts, Language, Pos, Span};
use crate::frontend::apis;
use crate::frontend::{Frontend, failure, internal_error};

use crate::flow::Flow;
use crate::frontend::directives::Directives;
use dataflow::FileContext;
use imports::Imports;
use spans::SpanMap;

/// Stack of the analysing thread (reserved address space; only what is used is committed).
const STACK_SIZE: usize = 256 << 20;

/// Files larger than this are reported as not analysed instead of parsed.
const MAX_FILE_BYTES: usize = 32 << 20;

/// The Rust frontend.
#[derive(Clone, Copy, Debug, Default)]
pub struct RustFrontend;

impl Frontend for RustFrontend {
    fn language(&self) -> Language {
        Language::Rust
    }

    fn may_contain_losses(&self, text: &str) -> bool {
        static NEEDLES: OnceLock<Vec<&'static str>> = OnceLock::new();
        NEEDLES
            .get_or_init(apis::needles)
            .iter()
            .any(|needle| text.contains(needle))
    }

    fn facts(&self, text: &str) -> FileFacts {
        if text.len() > MAX_FILE_BYTES {
            return failure(
                format!(
                    "file too large to analyse ({} bytes; the limit is {MAX_FILE_BYTES})",
                    text.len()
                ),
                Span::default(),
            );
        }
        let spawned = std::thread::scope(|scope| {
            std::thread::Builder::new()
                .name("losslint-rust".to_string())
                .stack_size(STACK_SIZE)
                .spawn_scoped(scope, || analyse(text))
                .map(std::thread::ScopedJoinHandle::join)
        });
        match spawned {
            Ok(Ok(facts)) => facts,
            Ok(Err(panic)) => internal_error(&panic),
            // No thread could be started: analyse here.
            Err(_) => std::panic::catch_unwind(|| analyse(text))
                .unwrap_or_else(|panic| internal_error(&panic)),
        }
    }
}

/// Parses and analyses one file.
fn analyse(text: &str) -> FileFacts {
    let spans = SpanMap::new(text);
    let file = match nesting::parse_file(text) {
        Ok(file) => file,
        Err(nesting::Refused::Syntax(error)) => return parse_error(&spans, &error),
        Err(nesting::Refused::TooDeep(at)) => {
            let at = spans.span(at);
            return failure(
                format!(
                    "nested too deeply to analyse safely: over {} levels of brackets, blocks, \
                     prefix operators or `else if`, or over {} closure bars or open `<` in one \
                     statement",
                    nesting::MAX_NESTING,
                    nesting::MAX_PER_STATEMENT
                ),
                Span {
                    start: at.start,
                    end: at.start,
                },
            );
        }
    };
    let imports = Imports::collect(&file);
    let structs = visitor::struct_fields(&file);
    let program = program::lower(&file, &program::struct_names(&structs));
    let flow = Flow::new(&program);
    let cx = FileContext {
        spans: &spans,
        imports: &imports,
        structs: &structs,
        flow: &flow,
    };
    let (mut losses, mut accumulations) = visitor::file_sites(&file, &cx);
    let directives = Directives::parse(text, Language::Rust);
    for site in &mut losses {
        // Where the loss is built, named, or applied (its arguments' lines).
        let lines = [site.span.start.line, site.name_span.start.line]
            .into_iter()
            .chain(
                site.arguments
                    .iter()
                    .map(|argument| argument.span.start.line),
            );
        let bound = directives.bind(lines);
        if site.labels.is_none() {
            site.labels = bound;
        }
    }
    losses.sort_by_key(|site| (site.span.start.offset, site.name_span.start.offset));
    accumulations.sort_by_key(|accumulation| accumulation.span.start.offset);
    FileFacts {
        losses,
        accumulations,
        parse_failure: None,
        unbound_label_directives: directives.unbound(),
    }
}

/// A `syn` error as a parse failure. An error at the end of the input has no token to point
/// at (its span is the call site): it points at the end of the file instead. The lexer's
/// error ("cannot parse string into token stream") is reworded from the delimiter it points
/// at.
fn parse_error(spans: &SpanMap<'_>, error: &syn::Error) -> FileFacts {
    let mut message = error.to_string();
    let location =
        if message.starts_with("unexpected end of input") || error.span().start().line == 0 {
            let end = end_of(spans.file_text());
            Span { start: end, end }
        } else {
            spans.span(error.span())
        };
    if message == "cannot parse string into token stream" {
        let at = spans
            .file_text()
            .get(location.start.offset..)
            .and_then(|rest| rest.chars().next());
        message = match at {
            Some(open @ ('(' | '[' | '{')) => format!("unclosed delimiter `{open}`"),
            Some(close @ (')' | ']' | '}')) => {
                format!(
                    "unexpected closing delimiter `{close}`: an earlier delimiter is not closed"
                )
            }
            _ => "unbalanced delimiters or an unterminated literal".to_string(),
        };
    }
    failure(message, location)
}

/// The position just after the last character of a text.
fn end_of(text: &str) -> Pos {
    let line = text.matches('\n').count() + 1;
    let last_line = text.rsplit('\n').next().unwrap_or("");
    Pos {
        line,
        column: last_line.chars().count() + 1,
        offset: text.len(),
    }
}

#[cfg(test)]
mod tests;
