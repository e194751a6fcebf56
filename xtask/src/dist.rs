//! `cargo xtask dist`, `cargo xtask pre-commit`, `cargo xtask lsp`: losslint as its users
//! install and run it, checked end to end with the real tools (maturin and zig, pre-commit,
//! pygls), which live in a virtual environment under `target/` (created on first use).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use anyhow::{Context, Result, bail};

use crate::root;

/// Where the tools' virtual environment lives, relative to the workspace root.
const TOOLS_VENV: &str = "target/dist/tools";

/// The pip requirements of each command.
const DIST_TOOLS: [&str; 2] = ["maturin>=1.5,<2", "ziglang"];
const PRE_COMMIT_TOOLS: [&str; 1] = ["pre-commit>=3"];
const LSP_TOOLS: [&str; 1] = ["pygls>=2,<3"];

/// The venv's `bin` (or `Scripts`), with `requirements` installed (pip skips what is there).
pub(crate) fn tools(requirements: &[&str]) -> Result<PathBuf> {
    let venv = root().join(TOOLS_VENV);
    let bin = venv.join(if cfg!(windows) { "Scripts" } else { "bin" });
    if !bin.join("python").exists() && !bin.join("python.exe").exists() {
        let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_string());
        checked(
            Command::new(&python).args(["-m", "venv"]).arg(&venv),
            "create the tools' virtual environment",
        )?;
    }
    checked(
        Command::new(bin.join("python"))
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args(requirements),
        &format!("pip install {}", requirements.join(" ")),
    )?;
    Ok(bin)
}

/// Runs a command (output streamed), failing with what it was for.
fn checked(command: &mut Command, what: &str) -> Result<()> {
    eprintln!("$ {}", shown(command));
    let status = command
        .status()
        .with_context(|| format!("cannot start the command to {what}"))?;
    if !status.success() {
        bail!("could not {what} ({status})");
    }
    Ok(())
}

/// Runs a command and captures its output (printed), whatever its status.
fn captured(command: &mut Command) -> Result<Output> {
    eprintln!("$ {}", shown(command));
    let output = command
        .output()
        .with_context(|| format!("cannot start {}", shown(command)))?;
    print!("{}", String::from_utf8_lossy(&output.stdout));
    eprint!("{}", String::from_utf8_lossy(&output.stderr));
    Ok(output)
}

fn shown(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `PATH` with `dir` first.
fn path_with(dir: &Path) -> Result<std::ffi::OsString> {
    let mut paths = vec![dir.to_path_buf()];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(paths).context("PATH cannot hold the tools' directory")
}

/// `cargo xtask dist`: the wheel (maturin, manylinux2014 through zig) and the sdist into
/// `target/dist/`; then the wheel installed into a fresh virtual environment, where
/// `losslint --version`, the README demo, `python -m lossfit` and the GitHub Action's scripts
/// (with the `GITHUB_*` variables set) run.
pub(crate) fn dist() -> Result<()> {
    let bin = tools(&DIST_TOOLS)?;
    let out = root().join("target/dist");
    // Wheels of earlier versions would be ambiguous below.
    for entry in std::fs::read_dir(&out).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().to_ascii_lowercase();
        if [".whl", ".tar.gz"]
            .iter()
            .any(|suffix| name.ends_with(suffix))
        {
            std::fs::remove_file(entry.path())?;
        }
    }
    let path = path_with(&bin)?;
    checked(
        Command::new(bin.join("maturin"))
            .args([
                "build",
                "--release",
                "--zig",
                "--compatibility",
                "manylinux2014",
            ])
            .arg("--out")
            .arg(&out)
            .current_dir(root())
            .env("PATH", &path),
        "build the wheel",
    )?;
    checked(
        Command::new(bin.join("maturin"))
            .args(["sdist", "--out"])
            .arg(&out)
            .current_dir(root())
            .env("PATH", &path),
        "build the sdist",
    )?;
    let wheel = only(&out, ".whl")?;
    let sdist = only(&out, ".tar.gz")?;
    for file in [&wheel, &sdist] {
        let size = std::fs::metadata(file)?.len();
        println!("built {} ({:.1} MB)", file.display(), size as f64 / 1e6);
    }

    // A fresh environment, as a user's: only the wheel.
    let venv = out.join("try");
    let _ = std::fs::remove_dir_all(&venv);
    checked(
        Command::new(bin.join("python"))
            .args(["-m", "venv"])
            .arg(&venv),
        "create a fresh virtual environment",
    )?;
    let user = venv.join("bin");
    checked(
        Command::new(user.join("python"))
            .args([
                "-m",
                "pip",
                "install",
                "--no-index",
                "--disable-pip-version-check",
            ])
            .arg(&wheel),
        "install the wheel",
    )?;
    let version = captured(Command::new(user.join("losslint")).arg("--version"))?;
    let expected = format!("losslint {}", env!("CARGO_PKG_VERSION"));
    if !String::from_utf8_lossy(&version.stdout).contains(&expected) {
        bail!("`losslint --version` did not print `{expected}`");
    }
    let demo = captured(
        Command::new(user.join("losslint"))
            .args(["check", "examples/train_pytorch"])
            .current_dir(root()),
    )?;
    if demo.status.code() != Some(1) || !String::from_utf8_lossy(&demo.stdout).contains("LL003") {
        bail!(
            "the README demo did not report its findings (exit {:?})",
            demo.status.code()
        );
    }
    let module = captured(Command::new(user.join("python")).args(["-m", "lossfit", "--version"]))?;
    if !String::from_utf8_lossy(&module.stdout).contains(&expected) {
        bail!("`python -m lossfit --version` did not print `{expected}`");
    }

    // The GitHub Action's steps, with the wheel as the package and the GITHUB_* files set.
    let runner = out.join("runner");
    let _ = std::fs::remove_dir_all(&runner);
    std::fs::create_dir_all(&runner)?;
    let (github_path, github_output) = (runner.join("path"), runner.join("output"));
    std::fs::write(&github_path, "")?;
    std::fs::write(&github_output, "")?;
    checked(
        Command::new("bash")
            .arg(root().join("action/install.sh"))
            .env("RUNNER_TEMP", &runner)
            .env("GITHUB_PATH", &github_path)
            .env("INPUT_PACKAGE", &wheel),
        "run the action's install step",
    )?;
    let installed = std::fs::read_to_string(&github_path)?;
    let action_bin = PathBuf::from(installed.trim());
    let action = captured(
        Command::new("bash")
            .arg(root().join("action/run.sh"))
            .current_dir(root())
            .env("PATH", path_with(&action_bin)?)
            .env("GITHUB_OUTPUT", &github_output)
            .env("GITHUB_STEP_SUMMARY", runner.join("summary"))
            .env("INPUT_ARGS", "examples/train_pytorch")
            .env("INPUT_SARIF", runner.join("losslint.sarif")),
    )?;
    let outputs = std::fs::read_to_string(&github_output)?;
    println!("GITHUB_OUTPUT:\n{outputs}");
    if action.status.code() != Some(1) || !outputs.contains("exit-code=1") {
        bail!("the action's run step did not fail on the demo's findings");
    }
    println!(
        "dist: {} and {} built; installed into {} and checked (version, README demo, \
         python -m lossfit, the GitHub Action's steps)",
        wheel.display(),
        sdist.display(),
        venv.display()
    );
    Ok(())
}

/// The one file in `dir` whose name ends with `suffix`.
fn only(dir: &Path, suffix: &str) -> Result<PathBuf> {
    let found: Vec<PathBuf> = std::fs::read_dir(dir)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        _ => bail!(
            "expected one `*{suffix}` in {}, found {found:?}",
            dir.display()
        ),
    }
}

/// A training script with softmax output into `F.cross_entropy` (LL003, deny), and its fix.
const BUGGY: &str = "\
import torch.nn.functional as F


def step(model, x, y):
    probs = F.softmax(model(x), dim=1)
    return F.cross_entropy(probs, y, reduction=\"mean\")
";
const FIXED: &str = "\
import torch.nn.functional as F


def step(model, x, y):
    logits = model(x)
    return F.cross_entropy(logits, y, reduction=\"mean\")
";

/// `cargo xtask pre-commit`: `pre-commit try-repo <this repository> losslint --all-files` in a
/// scratch git repository, which must fail on a PyTorch bug and pass once it is fixed.
pub(crate) fn pre_commit() -> Result<()> {
    let bin = tools(&PRE_COMMIT_TOOLS)?;
    let scratch = root().join("target/pre-commit-try");
    let repo = scratch.join("repo");
    let _ = std::fs::remove_dir_all(&repo);
    std::fs::create_dir_all(&repo)?;
    let git = |args: &[&str]| {
        checked(
            Command::new("git").args(args).current_dir(&repo),
            &format!("git {}", args.join(" ")),
        )
    };
    git(&["init", "--quiet"])?;
    std::fs::write(repo.join("train.py"), BUGGY)?;
    git(&["add", "train.py"])?;
    let try_repo = || {
        captured(
            Command::new(bin.join("pre-commit"))
                .args(["try-repo"])
                .arg(root())
                .args(["losslint", "--all-files", "--verbose"])
                .current_dir(&repo)
                .env("PATH", path_with(&bin)?)
                // pre-commit's cache (the hook's environment, with losslint built from
                // source) stays under target/.
                .env("PRE_COMMIT_HOME", scratch.join("cache")),
        )
    };
    let failing = try_repo()?;
    let text = String::from_utf8_lossy(&failing.stdout);
    if failing.status.success() || !text.contains("LL003") {
        bail!("the hook did not fail with LL003 on the bug");
    }
    std::fs::write(repo.join("train.py"), FIXED)?;
    git(&["add", "train.py"])?;
    let passing = try_repo()?;
    if !passing.status.success() {
        bail!("the hook still fails once the bug is fixed");
    }
    println!("pre-commit: the hook failed on the bug (LL003) and passed on its fix");
    Ok(())
}

/// `cargo xtask lsp`: `losslint server` against pygls' `LanguageClient` (xtask/lsp/client.py).
pub(crate) fn lsp() -> Result<()> {
    let bin = tools(&LSP_TOOLS)?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    checked(
        Command::new(&cargo)
            .args(["build", "-p", "losslint"])
            .current_dir(root()),
        "build losslint",
    )?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root().join("target"), |dir| root().join(dir));
    let server = target.join("debug").join("losslint");
    checked(
        Command::new(bin.join("python"))
            .arg(root().join("xtask/lsp/client.py"))
            .arg("--server")
            .arg(&server),
        "run the pygls client against `losslint server`",
    )
}
