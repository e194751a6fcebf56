//! What a rule reports: code, message, where, how to fix it.

use serde::Serialize;

use crate::facts::{Edit, Span};

/// How sure a fix is to keep the program's meaning (ruff's scheme).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Keeps behaviour exactly (e.g. writing the current default explicitly); `--fix` applies it.
    Safe,
    /// Changes behaviour on purpose (e.g. adding class weights); `--unsafe-fixes` applies it.
    Unsafe,
    /// Shown, never applied.
    DisplayOnly,
}

/// A fix: edits applied together.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub applicability: Applicability,
    /// One-line description, e.g. "write `reduction = mean` explicitly".
    pub title: String,
    pub edits: Vec<Edit>,
}

/// One finding of one rule.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diagnostic {
    /// `LL001`
    pub code: &'static str,
    /// `implicit-reduction`
    pub name: &'static str,
    /// What is wrong, in one sentence.
    pub message: String,
    /// The smallest code that is wrong.
    pub span: Span,
    /// Text under the caret in the code frame.
    pub label: String,
    /// Other places that explain it (e.g. the softmax call feeding the loss).
    pub secondary: Vec<(Span, String)>,
    /// What to do instead (may contain code in the file's language).
    pub help: Option<String>,
    pub fix: Option<Fix>,
}
