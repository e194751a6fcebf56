//! Project automation: `cargo xtask ci` (every gate CI runs), `cargo xtask golden`
//! (regenerate the PyTorch parity fixtures), `cargo xtask bench lint` (losslint's speed),
//! `cargo xtask bench lint-python` (losslint against ruff on a real Python package),
//! `cargo xtask bench losses` (lossfit's loss kernels against PyTorch CPU) and
//! `cargo xtask fuzz` (the cargo-fuzz targets of `fuzz/`, on nightly).

mod bench;
mod dist;
mod fuzz;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  ci                 cargo fmt --check, clippy -D warnings, the whole test suite, rustdoc -D warnings
  golden [ARGS..]    regenerate tests/golden/*.jsonl with PyTorch (ARGS go to generate.py,
                     e.g. --only core), then run the golden parity test
  bench lint [OPTS]  time `losslint check` on a generated corpus of 2,000 Rust files (1 and 2
                     threads, median of 5 runs); `cargo xtask bench --help` lists the options
  bench lint-python [OPTS]
                     time losslint against ruff (default rules and ALL) on a real Python package
                     fetched with pip (transformers==5.24.0 by default), cold, interleaved, at 1
                     and 2 threads
  bench losses [OPTS]
                     time lossfit's cross-entropy and elementwise losses against PyTorch CPU,
                     interleaved in one process, with same-run memory bandwidth (1 and 2
                     threads, default and warm allocator); writes target/bench/losses/summary.md
  dist               build the pip wheel (maturin, manylinux2014 with zig) and sdist into
                     target/dist/, install the wheel into a fresh virtualenv, run losslint
                     --version, the README demo, python -m lossfit and the GitHub Action's steps
  pre-commit         pre-commit try-repo this repository in a scratch git repo: the hook must
                     fail on a PyTorch bug and pass on its fix
  lsp                losslint server against pygls' LanguageClient (xtask/lsp/client.py)
  (dist, pre-commit and lsp install maturin, ziglang, pre-commit and pygls with pip into
  target/dist/tools on first use)
  fuzz [OPTS]        run each cargo-fuzz target of fuzz/ for 60 s (--seconds N, --target NAME)
                     on nightly, installing cargo-fuzz if missing; prints executions and
                     crashes per target; `cargo xtask fuzz --help` lists the options

PyTorch is looked up as $LOSSFIT_TORCH_PYTHON, then ../torchenv/bin/python beside the checkout,
then python3. To install it outside the repository:
  python3 -m venv ../torchenv && ../torchenv/bin/pip install torch numpy";

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let command = args.next();
    let rest: Vec<String> = args.collect();
    match command.as_deref() {
        Some("ci") => ci(),
        Some("golden") => golden(&rest),
        Some("bench") if rest.iter().any(|a| a == "-h" || a == "--help") => {
            println!("{}", bench::USAGE);
            Ok(())
        }
        Some("bench") => bench::bench(&rest),
        Some("fuzz") if rest.iter().any(|a| a == "-h" || a == "--help") => {
            println!("{}", fuzz::USAGE);
            Ok(())
        }
        Some("fuzz") => fuzz::fuzz(&rest),
        Some("dist") => dist::dist(),
        Some("pre-commit") => dist::pre_commit(),
        Some("lsp") => dist::lsp(),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => bail!("unknown command `{other}`\n\n{USAGE}"),
        None => bail!("no command given\n\n{USAGE}"),
    }
}

/// The workspace root (the parent of this crate's directory).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// Runs a command in the workspace root, failing with its command line if it fails.
fn run(program: &str, args: &[&str], envs: &[(&str, &str)]) -> Result<()> {
    let line = format!("{program} {}", args.join(" "));
    eprintln!("$ {line}");
    let status = Command::new(program)
        .args(args)
        .envs(envs.iter().copied())
        .current_dir(root())
        .status()
        .with_context(|| format!("cannot start `{line}`"))?;
    if !status.success() {
        bail!("`{line}` failed ({status})");
    }
    Ok(())
}

fn ci() -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    run(&cargo, &["fmt", "--all", "--check"], &[])?;
    run(
        &cargo,
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    )?;
    run(&cargo, &["test", "--workspace"], &[])?;
    // The golden suite covers every SIMD path by itself; the property tests are rerun with each
    // kernel path forced.
    for simd in ["avx2", "portable"] {
        run(
            &cargo,
            &[
                "test",
                "-p",
                "lossfit-tests",
                "--test",
                "props",
                "--test",
                "kernels",
            ],
            &[("LOSSFIT_SIMD", simd)],
        )?;
    }
    run(
        &cargo,
        &["doc", "--workspace", "--no-deps"],
        &[("RUSTDOCFLAGS", "-D warnings")],
    )?;
    eprintln!("ci: all gates passed");
    Ok(())
}

fn golden(args: &[String]) -> Result<()> {
    let python = torch_python()?;
    let script = root().join("tests/golden/generate.py");
    let mut generate = vec![script.to_str().context("non-UTF-8 path")?];
    generate.extend(args.iter().map(String::as_str));
    run(&python, &generate, &[])?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    run(
        &cargo,
        &["test", "-p", "lossfit-tests", "--test", "golden"],
        &[],
    )
}

/// A Python interpreter that can `import torch`, or an error that says how to get one.
fn torch_python() -> Result<String> {
    let mut candidates = Vec::new();
    if let Ok(explicit) = std::env::var("LOSSFIT_TORCH_PYTHON") {
        candidates.push(explicit);
    }
    let venv = root().join("../torchenv/bin/python");
    candidates.push(venv.to_string_lossy().into_owned());
    candidates.push("python3".to_string());
    for python in &candidates {
        let works = Command::new(python)
            .args(["-c", "import torch"])
            .output()
            .is_ok_and(|out| out.status.success());
        if works {
            return Ok(python.clone());
        }
    }
    bail!(
        "no Python with PyTorch found (tried {}).\nInstall it outside the repository:\n  \
         python3 -m venv ../torchenv && ../torchenv/bin/pip install torch numpy\n\
         or point LOSSFIT_TORCH_PYTHON at an interpreter that has it",
        candidates.join(", ")
    )
}
