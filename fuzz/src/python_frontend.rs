//! The Python frontend on any UTF-8 text.

use losslint::frontend::PythonFrontend;

/// `PythonFrontend::may_contain_losses` and `facts` on `data` (skipped when it is not UTF-8).
///
/// Checks: no panic (the frontend turns a panic into an "internal error" parse failure, which
/// counts as one here); no loss found in a text the pre-filter rejects (the
/// engine would never have looked); every position agrees with the text; the same facts twice
/// (no hash-order dependence).
///
/// # Panics
/// When a check fails.
pub fn python_frontend(data: &[u8]) {
    crate::frontend::check_frontend(&PythonFrontend, data);
}
