//! Runs every fuzz target's body on every file of `corpus/<target>/` (the seeds) and
//! `artifacts/<target>/` (crashes found so far, each a regression test once fixed), on the
//! stable toolchain: `cargo test --manifest-path fuzz/Cargo.toml`.
//!
//! A panic anywhere counts, even one the code under test catches (the Rust frontend turns a
//! panic on its thread into a parse failure; the engine turns a rule's into a finding): a panic
//! hook records them, as libFuzzer's aborts on them. Artifacts listed in
//! `artifacts/KNOWN.txt` (`<target>/<file>  <why>`) are bugs not fixed yet: they are run and
//! reported, and fail nothing.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

static PANICS: AtomicUsize = AtomicUsize::new(0);
/// One body at a time, so that a panic is counted against the right file.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn install_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.fetch_add(1, Ordering::SeqCst);
            default(info);
        }));
    });
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn known() -> Vec<String> {
    std::fs::read_to_string(root().join("artifacts/KNOWN.txt"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

/// Runs the body on one file; `Err` with the panic message when it panicked anywhere.
fn run(body: lossfit_fuzz::Body, data: &[u8]) -> Result<(), String> {
    let before = PANICS.load(Ordering::SeqCst);
    let outcome = std::panic::catch_unwind(|| body(data));
    let panics = PANICS.load(Ordering::SeqCst) - before;
    match outcome {
        Err(payload) => Err(payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_string()))
            .unwrap_or_default()),
        Ok(()) if panics > 0 => Err(format!("{panics} panic(s) caught inside the code")),
        Ok(()) => Ok(()),
    }
}

fn replay(target: &str) {
    install_hook();
    let _guard = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let body = lossfit_fuzz::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .map(|(_, body)| *body)
        .expect("a target of that name");
    let known = known();
    let corpus = files(&root().join("corpus").join(target));
    assert!(!corpus.is_empty(), "no seed corpus for {target}");
    let artifacts = files(&root().join("artifacts").join(target));
    let mut failures = Vec::new();
    for path in corpus.iter().chain(&artifacts) {
        let data = std::fs::read(path).expect("readable");
        let name = format!(
            "{target}/{}",
            path.file_name().unwrap_or_default().to_string_lossy()
        );
        let outcome = run(body, &data);
        let is_known = known.contains(&name);
        match (outcome, is_known) {
            (Ok(()), true) => eprintln!("{name}: passes now; remove it from artifacts/KNOWN.txt"),
            (Err(e), true) => eprintln!("{name}: known failure: {}", first_line(&e)),
            (Ok(()), false) => {}
            (Err(e), false) => failures.push(format!("{}: {e}", path.display())),
        }
    }
    eprintln!(
        "{target}: {} seed(s), {} artifact(s)",
        corpus.len(),
        artifacts.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

#[test]
fn frontend() {
    replay("frontend");
}

#[test]
fn python_frontend() {
    replay("python_frontend");
}

#[test]
fn lint_source() {
    replay("lint_source");
}

#[test]
fn label_readers() {
    replay("label_readers");
}

#[test]
fn config_loader() {
    replay("config_loader");
}

#[test]
fn fix_apply() {
    replay("fix_apply");
}

#[test]
fn functional() {
    replay("functional");
}

#[test]
fn every_target_has_a_test_and_a_binary() {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).expect("manifest");
    for (name, _) in lossfit_fuzz::TARGETS {
        assert!(
            manifest.contains(&format!("name = \"{name}\"")),
            "no [[bin]] for {name}"
        );
        assert!(
            root().join(format!("fuzz_targets/{name}.rs")).is_file(),
            "no fuzz_targets/{name}.rs"
        );
    }
}
