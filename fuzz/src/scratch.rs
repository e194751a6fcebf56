//! A private temporary directory per process and target, for the bodies that must give a path
//! to the code under test (label files, configuration files).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// `$TMPDIR/lossfit-fuzz-<pid>/<name>/`, created on first use.
pub(crate) fn dir(name: &str) -> PathBuf {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    static MADE: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let root = ROOT
        .get_or_init(|| std::env::temp_dir().join(format!("lossfit-fuzz-{}", std::process::id())));
    let dir = root.join(name);
    let mut made = MADE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if !made.iter().any(|m| m == name) {
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        made.push(name.to_string());
    }
    dir
}

/// Writes `data` to `dir/file` (replacing what was there) and returns the path.
pub(crate) fn write(dir: &Path, file: &str, data: &[u8]) -> PathBuf {
    let path = dir.join(file);
    std::fs::write(&path, data).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    path
}

/// losslint's fixture directory (its label files are under `labels/`).
pub(crate) fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/losslint/resources/fixtures")
}
