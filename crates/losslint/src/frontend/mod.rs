//! Frontends turn one source file into [`FileFacts`]. They may fail only by recording a
//! [`ParseFailure`]; they never panic on any input.

use crate::facts::{FileFacts, Language, ParseFailure, Pos, Span};

pub mod apis;
pub(crate) mod directives;
pub mod python;
pub mod rust;

pub use python::PythonFrontend;
pub use rust::RustFrontend;

/// Stack of the threads files are analysed on: parsers, lowerings and tree drops recurse once
/// per nesting level (bounded by each frontend's nesting check).
pub const ANALYSIS_STACK: usize = 256 << 20;

thread_local! {
    /// Whether this thread was started with [`ANALYSIS_STACK`] (the engine's workers are).
    static LARGE_STACK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Marks the current thread as having [`ANALYSIS_STACK`] of stack (call it first thing on a
/// thread built with that stack size).
pub fn mark_large_stack() {
    LARGE_STACK.with(|flag| flag.set(true));
}

/// Runs `analyse` on a thread with [`ANALYSIS_STACK`]: this one when it has it (no thread to
/// start, and the allocator's per-thread memory stays warm), else a new scoped thread. A panic
/// becomes `on_panic`'s value.
pub(crate) fn with_large_stack<T: Send>(
    analyse: impl FnOnce() -> T + Send,
    on_panic: impl Fn(&(dyn std::any::Any + Send)) -> T,
) -> T {
    if LARGE_STACK.with(std::cell::Cell::get) {
        return std::panic::catch_unwind(std::panic::AssertUnwindSafe(analyse))
            .unwrap_or_else(|panic| on_panic(&*panic));
    }
    let spawned = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("losslint-analysis".to_string())
            .stack_size(ANALYSIS_STACK)
            .spawn_scoped(scope, analyse)
            .map(std::thread::ScopedJoinHandle::join)
    });
    match spawned {
        Ok(Ok(value)) => value,
        Ok(Err(panic)) => on_panic(&*panic),
        // No thread could be started: nothing to do but analyse here.
        Err(_) => on_panic(&"no analysis thread could be started"),
    }
}

/// A language frontend.
pub trait Frontend: Sync {
    /// The language it reads.
    fn language(&self) -> Language;
    /// Whether a file with this text could contain a loss API at all (cheap pre-filter that
    /// runs before parsing: most files of a project mention no loss).
    fn may_contain_losses(&self, text: &str) -> bool;
    /// Extracts the facts of one file.
    fn facts(&self, text: &str) -> FileFacts;
}

/// The facts of a file that could not be analysed: only the parse failure (LL000).
pub(crate) fn failure(message: String, span: Span) -> FileFacts {
    FileFacts {
        parse_failure: Some(ParseFailure {
            message,
            span,
            recovered: false,
        }),
        ..FileFacts::default()
    }
}

/// A panic while analysing a file, as its parse failure (at 1:1).
pub(crate) fn internal_error(panic: &(dyn std::any::Any + Send)) -> FileFacts {
    let detail = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    let start = Pos {
        line: 1,
        column: 1,
        offset: 0,
    };
    failure(
        format!("internal error while analysing this file (please report it): {detail}"),
        Span { start, end: start },
    )
}
