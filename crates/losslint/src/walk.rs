//! Which files to lint: walks the given paths with the `ignore` crate (`.gitignore`, `.ignore`,
//! hidden files) and keeps the source files of the languages a frontend exists for.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::facts::Language;

/// A file to lint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    /// The path to open.
    pub path: PathBuf,
    /// The path to print: as given on the command line, joined with the walked part.
    pub display: String,
    pub language: Language,
    /// The path named on the command line it was found under (its directory, for a file):
    /// the project root when no configuration says otherwise.
    pub root: PathBuf,
}

/// Whether a path is a Jupyter notebook (its code cells are Python).
#[must_use]
pub fn is_notebook(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "ipynb")
}

/// The language of a path, by extension.
#[must_use]
pub fn language_of(path: &Path) -> Option<Language> {
    match path.extension()?.to_str()? {
        "rs" => Some(Language::Rust),
        "py" | "pyi" | "ipynb" => Some(Language::Python),
        _ => None,
    }
}

/// What walking found.
#[derive(Clone, Debug, Default)]
pub struct Walked {
    pub files: Vec<SourceFile>,
    /// Problems that stop nothing (an unreadable directory, a named file of no known language).
    pub warnings: Vec<String>,
}

/// Walks `paths`, keeping files whose language is in `languages`. A path that does not exist is
/// an error (exit 2); a file named explicitly is linted even if ignored, but only when its
/// language is supported.
///
/// When `strip_dot` is set (no path was given and `.` is walked), paths are printed without the
/// leading `./`, as ripgrep does.
///
/// # Errors
/// The path that does not exist, with the OS error.
pub fn walk(
    paths: &[PathBuf],
    languages: &[Language],
    strip_dot: bool,
) -> Result<Walked, (PathBuf, std::io::Error)> {
    let mut walked = Walked::default();
    let mut seen = HashSet::new();
    for root in paths {
        let meta = std::fs::metadata(root).map_err(|e| (root.clone(), e))?;
        if !meta.is_file() && !meta.is_dir() {
            walked.warnings.push(format!(
                "{}: {} is not a source file; skipped",
                root.display(),
                lossfit_stats::file_kind(&meta)
            ));
            continue;
        }
        if meta.is_file() {
            match language_of(root) {
                Some(language) if languages.contains(&language) => {
                    let dir = root.parent().unwrap_or(Path::new("")).to_path_buf();
                    push(&mut walked, &mut seen, root, &dir, language, strip_dot);
                }
                _ => walked.warnings.push(format!(
                    "{}: not a file losslint can read (supported: {}); skipped",
                    root.display(),
                    extensions(languages)
                )),
            }
            continue;
        }
        let mut builder = ignore::WalkBuilder::new(root);
        builder
            .require_git(false)
            .sort_by_file_name(std::cmp::Ord::cmp)
            // Cargo's build directories mark themselves with CACHEDIR.TAG: generated code and
            // vendored sources there are not the project's.
            .filter_entry(|entry| {
                !(entry.file_type().is_some_and(|t| t.is_dir())
                    && entry.depth() > 0
                    && entry.path().join("CACHEDIR.TAG").is_file())
            });
        for entry in builder.build() {
            match entry {
                Ok(entry) => {
                    if !entry.file_type().is_some_and(|t| t.is_file()) {
                        continue;
                    }
                    if let Some(language) =
                        language_of(entry.path()).filter(|l| languages.contains(l))
                    {
                        push(
                            &mut walked,
                            &mut seen,
                            entry.path(),
                            root,
                            language,
                            strip_dot,
                        );
                    }
                }
                Err(err) => walked.warnings.push(err.to_string()),
            }
        }
    }
    Ok(walked)
}

fn push(
    walked: &mut Walked,
    seen: &mut HashSet<PathBuf>,
    path: &Path,
    root: &Path,
    language: Language,
    strip_dot: bool,
) {
    let key = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    if !seen.insert(key) {
        return;
    }
    let mut display = path.to_string_lossy().into_owned();
    if strip_dot && let Some(rest) = display.strip_prefix("./") {
        display = rest.to_string();
    }
    walked.files.push(SourceFile {
        path: path.to_path_buf(),
        display,
        language,
        root: if root.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            root.to_path_buf()
        },
    });
}

fn extensions(languages: &[Language]) -> String {
    languages
        .iter()
        .map(|l| match l {
            Language::Rust => "`.rs`",
            Language::Python => "`.py`, `.pyi`, `.ipynb`",
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_by_extension() {
        assert_eq!(language_of(Path::new("a/b.rs")), Some(Language::Rust));
        assert_eq!(language_of(Path::new("b.py")), Some(Language::Python));
        assert_eq!(language_of(Path::new("b.txt")), None);
        assert_eq!(language_of(Path::new("rs")), None);
    }
}
