//! The bodies of the fuzz targets, as plain functions of the input bytes.
//!
//! `fuzz_targets/<name>.rs` hands libFuzzer's input to `<name>(data)` (under
//! `cargo +nightly fuzz`), and `tests/replay.rs` runs the same function on every file of
//! `corpus/<name>/` and `artifacts/<name>/` on the stable toolchain. A body fails by panicking:
//! besides "never panics", each one checks properties the code documents (positions that
//! agree with the text, fixes that keep the file parseable, forms of a loss that agree, ...).
//!
//! | target | what it feeds |
//! |---|---|
//! | `frontend` | `RustFrontend::{may_contain_losses, facts}` on any UTF-8 text |
//! | `python_frontend` | `PythonFrontend::{may_contain_losses, facts}` on any UTF-8 text |
//! | `lint_source` | `Engine::lint_source` (all rules, labels bound), fixes, diff, renderers |
//! | `label_readers` | `lossfit_stats::read_labels` on a file of each format, options from the input |
//! | `config_loader` | `losslint::config::load` on `losslint.toml` / `pyproject.toml` / `Cargo.toml` |
//! | `fix_apply` | `losslint::fix::{apply, LineIndex, unified_diff}` on any text and edits |
//! | `functional` | every `lossfit::functional` loss on small tensors, any values and options |

mod config_loader;
mod fix_apply;
mod frontend;
mod functional;
mod known;
mod label_readers;
mod lint_source;
mod positions;
mod python_frontend;
mod scratch;

pub use config_loader::config_loader;
pub use fix_apply::fix_apply;
pub use frontend::frontend;
pub use functional::functional;
pub use known::skip_known;
pub use label_readers::label_readers;
pub use lint_source::lint_source;
pub use python_frontend::python_frontend;

/// A fuzz target's body.
pub type Body = fn(&[u8]);

/// Every target: its name (the `[[bin]]`, the corpus and artifact directories) and its body.
pub const TARGETS: &[(&str, Body)] = &[
    ("frontend", frontend),
    ("python_frontend", python_frontend),
    ("lint_source", lint_source),
    ("label_readers", label_readers),
    ("config_loader", config_loader),
    ("fix_apply", fix_apply),
    ("functional", functional),
];

/// The `main` of a target built without cargo-fuzz: runs `body` on each file named on the
/// command line (a crash reproducer, say) and says which ones passed.
///
/// # Panics
/// When a file cannot be read, or when the body panics on one.
pub fn replay_args(name: &str, body: Body) {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        eprintln!(
            "usage: {name} FILE..  (runs the `{name}` fuzz body on each file; fuzz with \
             `cargo +nightly fuzz run {name}`)"
        );
        std::process::exit(2);
    }
    for path in paths {
        let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        body(&data);
        eprintln!("{name}: {path}: ok");
    }
}
