//! The Python frontend: parses a file with `ruff_python_parser` and extracts its loss sites
//! with the same facts, value-flow engine and rules as the Rust frontend.
//!
//! Pipeline: `nesting` refuses input nested too deeply to parse safely, the parser recovers
//! from syntax errors (the first one is LL000, the parsable rest is analysed), `lower` turns
//! the parser's tree into the frontend's `ir` (the parser crates are seen nowhere else),
//! `imports` resolves the module's import names, `program` lowers the module, its functions
//! and methods for the engine (`crate::flow`), and `eval` walks each body (`calls` recognises
//! calls, `losses` builds the sites, `accumulate` finds LL010's epoch sums).
//!
//! Each file is analysed on a thread with a large stack (the engine's workers have one; other
//! callers get a scoped thread), and a panic there becomes a parse failure.

mod accumulate;
mod calls;
mod eval;
mod imports;
pub(crate) mod ir;
mod losses;
mod lower;
mod nesting;
mod program;

use ruff_python_ast::PySourceType;

use crate::facts::{FileFacts, Language, Origin, ParseFailure, Span};
use crate::fix::LineIndex;
use crate::flow::Flow;
use crate::frontend::apis::pytorch;
use crate::frontend::directives::Directives;
use crate::frontend::{Frontend, failure, internal_error};

use eval::FileContext;
use imports::Imports;

/// Files larger than this are reported as not analysed instead of parsed.
const MAX_FILE_BYTES: usize = 32 << 20;

/// The Python frontend (`.py`, `.pyi`, and the code cells of `.ipynb` notebooks).
#[derive(Clone, Copy, Debug, Default)]
pub struct PythonFrontend;

impl Frontend for PythonFrontend {
    fn language(&self) -> Language {
        Language::Python
    }

    fn may_contain_losses(&self, text: &str) -> bool {
        pytorch::NEEDLES.iter().any(|needle| text.contains(needle))
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
        crate::frontend::with_large_stack(|| analyse(text), internal_error)
    }
}

/// Parses and analyses one file.
fn analyse(text: &str) -> FileFacts {
    let lines = LineIndex::new(text);
    if let Err(nesting::TooDeep(at)) = nesting::check(text) {
        let at = lines.pos(at);
        return failure(
            format!(
                "nested too deeply to analyse safely: over {} levels of brackets, {} operators \
                 chained in one expression, or {} characters of indentation",
                nesting::MAX_BRACKETS,
                nesting::MAX_OPERATORS,
                nesting::MAX_INDENT
            ),
            Span { start: at, end: at },
        );
    }
    let parsed = ruff_python_parser::parse_unchecked_source(text, PySourceType::Python);
    let parse_failure = parsed.errors().first().map(|error| {
        let range = error.location;
        // A point where the error starts: the parser's range may run to the next token.
        let start = range.start().to_usize().min(text.len());
        ParseFailure {
            message: error.error.to_string(),
            span: lines.span(start, start),
            recovered: true,
        }
    });
    let module = lower::module(text, parsed.syntax());
    drop(parsed);

    let imports = Imports::collect(&module.body);
    let (program, classes) = program::lower(&module);
    let flow = Flow::new(&program);
    let cx = FileContext {
        text,
        lines: &lines,
        imports: &imports,
        classes: &classes,
        flow: &flow,
        uses_torch: imports.uses(&["torch", "torchvision"]),
    };
    // The module first (it calls `main()`), then the definitions last to first: callers are
    // usually below what they call, so a function is analysed with its callers' arguments.
    let order = std::iter::once(0).chain((1..program.len()).rev());
    let mut losses = Vec::new();
    let mut accumulations = Vec::new();
    let mut pending = Vec::new();
    for index in order {
        let Some(found) = flow.take_found(index, &cx) else {
            continue;
        };
        let offset = losses.len();
        pending.extend(
            found
                .param_args
                .into_iter()
                .map(|(site, arg, param)| (index, offset + site, arg, param)),
        );
        losses.extend(found.sites);
        accumulations.extend(found.accumulations);
    }
    // Predictions that are parameters: what every caller in the file passes.
    for (body, site, arg, param) in pending {
        if let crate::flow::value::Value::Tensor(origin) = flow.calls(body, param)
            && let Some(argument) = losses
                .get_mut(site)
                .and_then(|s: &mut crate::facts::LossSite| s.arguments.get_mut(arg))
            && argument.origin == Origin::Unknown
        {
            argument.origin = origin;
        }
    }
    let directives = Directives::parse(text, Language::Python);
    for site in &mut losses {
        let lines = [site.span.start.line, site.name_span.start.line]
            .into_iter()
            .chain(site.arguments.iter().map(|a| a.span.start.line));
        let bound = directives.bind(lines);
        if site.labels.is_none() {
            site.labels = bound;
        }
    }
    losses.sort_by_key(|site| (site.span.start.offset, site.name_span.start.offset));
    losses.dedup_by(|a, b| a == b);
    accumulations.sort_by_key(|a| (a.span.start.offset, a.divisor_span.map(|s| s.start.offset)));
    accumulations.dedup();
    FileFacts {
        losses,
        accumulations,
        parse_failure,
        unbound_label_directives: directives.unbound(),
    }
}

#[cfg(test)]
mod tests;
