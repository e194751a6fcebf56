//! Frontends turn one source file into [`FileFacts`]. They may fail only by recording a
//! [`ParseFailure`](crate::facts::ParseFailure); they never panic on any input.

use crate::facts::{FileFacts, Language};

pub mod apis;
pub(crate) mod directives;
pub mod python;
pub mod rust;

pub use python::PythonFrontend;
pub use rust::RustFrontend;

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
