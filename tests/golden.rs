//! PyTorch parity: runs every case in `tests/golden/*.jsonl` and in `$LOSSFIT_GOLDEN_DIR`.
//!
//! Every case runs once on each kernel backend this CPU supports (AVX-512, AVX2, portable:
//! `lossfit::kernels::with_backend`), so each SIMD path is held to the same PyTorch outputs.
//! Prints `golden[<backend>]: <cases> cases, <losses> losses, max rel err <x>` per backend and
//! fails listing each failing case with expected against actual. A case naming a loss or a
//! param the crate does not know fails; nothing is skipped.

mod harness;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use harness::case::{Case, TensorJson};
use harness::compare::{ErrorStats, check_tensor, tolerance};
use harness::dispatch::{Ctx, lookup};
use harness::params::{Inputs, Params};
use lossfit::Real;
use lossfit::kernels::{Backend, with_backend};

fn main() -> ExitCode {
    let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("golden")];
    if let Some(extra) = std::env::var_os("LOSSFIT_GOLDEN_DIR") {
        dirs.push(PathBuf::from(extra));
    }
    let (mut total, mut failures) = (0, Vec::new());
    for backend in Backend::ALL.into_iter().filter(|b| b.is_supported()) {
        let (cases, failed) =
            with_backend(backend, || run_all(&dirs, backend)).expect("supported backend");
        total += cases;
        failures.extend(failed.into_iter().map(|f| format!("[{backend}] {f}")));
    }
    if failures.is_empty() {
        println!("{total} passed, 0 failed");
        ExitCode::SUCCESS
    } else {
        for failure in &failures {
            println!("FAILED {failure}");
        }
        println!(
            "{} passed, {} failed",
            total.saturating_sub(failures.len()),
            failures.len()
        );
        ExitCode::FAILURE
    }
}

/// Runs every case of `dirs` on the active backend: the number of cases and the failures.
fn run_all(dirs: &[PathBuf], backend: Backend) -> (usize, Vec<String>) {
    let mut failures = Vec::new();
    let mut losses = BTreeSet::new();
    let (mut cases, mut stats32, mut stats64) =
        (0_usize, ErrorStats::default(), ErrorStats::default());
    for dir in dirs {
        let files = match jsonl_files(dir) {
            Ok(files) => files,
            Err(e) => {
                failures.push(format!("{}: {e}", dir.display()));
                continue;
            }
        };
        for file in files {
            let text = match std::fs::read_to_string(&file) {
                Ok(text) => text,
                Err(e) => {
                    failures.push(format!("{}: {e}", file.display()));
                    continue;
                }
            };
            for (line_no, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                cases += 1;
                let place = format!("{}:{}", file.display(), line_no + 1);
                let case: Case = match serde_json::from_str(line) {
                    Ok(case) => case,
                    Err(e) => {
                        failures.push(format!("{place}: not a valid case: {e}"));
                        continue;
                    }
                };
                losses.insert(case.loss.clone());
                let id = case.id.clone();
                let result = match case.dtype.as_str() {
                    "float32" => run_case::<f32>(case, &mut stats32),
                    "float64" => run_case::<f64>(case, &mut stats64),
                    other => Err(format!("unknown dtype `{other}`")),
                };
                if let Err(e) = result {
                    failures.push(format!("{id} ({place}): {e}"));
                }
            }
        }
    }
    println!(
        "golden[{backend}]: {cases} cases, {} losses, max rel err {:.3e} (float32 {:.3e}, \
         float64 {:.3e})",
        losses.len(),
        stats32.max_rel.max(stats64.max_rel),
        stats32.max_rel,
        stats64.max_rel,
    );
    if cases == 0 {
        failures.push("no golden cases found: run `cargo xtask golden`".to_string());
    }
    (cases, failures)
}

/// The `*.jsonl` files of a directory, sorted.
fn jsonl_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "jsonl"))
        .collect();
    files.sort();
    Ok(files)
}

/// Runs one case in element type `T` and compares every expected output.
fn run_case<T: Real>(case: Case, stats: &mut ErrorStats) -> Result<(), String> {
    let runner = lookup::<T>(&case.loss).ok_or_else(|| format!("unknown loss `{}`", case.loss))?;
    let upstream = case
        .upstream
        .as_ref()
        .map(TensorJson::float_array::<T>)
        .transpose()?;
    let mut ctx = Ctx {
        params: Params::new(case.params),
        inputs: Inputs::new(case.inputs),
        upstream,
    };
    let outcome = runner(&mut ctx)?;
    ctx.params.finish()?;
    ctx.inputs.finish()?;
    let tol = tolerance(&case.dtype);
    let mut errors = Vec::new();
    if let Err(e) = check_tensor("value", &outcome.value, &case.expected.value, tol, stats) {
        errors.push(e);
    }
    for (name, expected) in &case.expected.grad {
        match outcome.grads.iter().find(|(n, _)| n == name) {
            None => errors.push(format!("grad `{name}`: not computed by lossfit")),
            Some((_, actual)) => {
                if let Err(e) =
                    check_tensor(&format!("grad `{name}`"), actual, expected, tol, stats)
                {
                    errors.push(e);
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}
