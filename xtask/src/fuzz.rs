//! `cargo xtask fuzz`: runs the cargo-fuzz targets of `fuzz/` for a while each and prints what
//! every run did (executions, executions per second, crashes).
//!
//! Each target runs on its seeds (`fuzz/corpus/<target>/`, never written) plus a working
//! corpus under `fuzz/target/corpus/<target>/` (ignored by git) that keeps what libFuzzer found
//! from one run to the next. A crash is written to `fuzz/artifacts/<target>/` by libFuzzer;
//! the log of each run is `fuzz/target/logs/<target>.log`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::root;

pub(crate) const USAGE: &str = "\
usage: cargo xtask fuzz [--seconds N] [--target NAME].. [--runs N] [--no-leaks] [--list]

Runs each fuzz target of fuzz/ (or the ones named) with
`cargo +nightly fuzz run --no-cfg-fuzzing` for N
seconds (default 60), installing cargo-fuzz first if it is missing, then prints a table of
executions, executions per second and crashes per target. Fails when a target crashed; the
reproducer is in fuzz/artifacts/<target>/ (replay it on stable with
`cargo run --manifest-path fuzz/Cargo.toml --bin <target> -- <file>`).
  --seconds N    time per target (libFuzzer -max_total_time; default 60)
  --target NAME  only this target (may be repeated); --list prints them
  --runs N       also stop a target after N executions (libFuzzer -runs)
  --no-leaks     do not report memory leaks (LeakSanitizer) as crashes
LOSSFIT_FUZZ_SKIP_KNOWN=<id>,.. (ids in fuzz/artifacts/KNOWN.txt) steps over open bugs.
Needs the nightly toolchain (rustup toolchain install nightly).
CI runs the stable replay of the corpus and artifacts instead:
  cargo test --manifest-path fuzz/Cargo.toml";

/// The options of `fuzz`.
#[derive(Debug)]
struct Options {
    seconds: u64,
    targets: Vec<String>,
    runs: Option<u64>,
    leaks: bool,
    list: bool,
}

impl Options {
    fn parse(args: &[String]) -> Result<Self> {
        let mut options = Options {
            seconds: 60,
            targets: Vec::new(),
            runs: None,
            leaks: true,
            list: false,
        };
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let mut value = |name: &str| {
                it.next()
                    .with_context(|| format!("{name} needs a value\n\n{USAGE}"))
            };
            match arg.as_str() {
                "--seconds" => {
                    options.seconds = value("--seconds")?
                        .parse()
                        .context("--seconds: not a number")?;
                }
                "--target" => options.targets.push(value("--target")?.clone()),
                "--runs" => {
                    options.runs = Some(value("--runs")?.parse().context("--runs: not a number")?);
                }
                "--no-leaks" => options.leaks = false,
                "--list" => options.list = true,
                other => bail!("unknown option `{other}`\n\n{USAGE}"),
            }
        }
        if options.seconds == 0 {
            bail!("--seconds must be at least 1");
        }
        Ok(options)
    }
}

/// What one run did.
#[derive(Debug, Default)]
struct Outcome {
    target: String,
    seconds: f64,
    executions: Option<u64>,
    per_second: Option<u64>,
    crashes: usize,
    artifact: Option<String>,
    kind: Option<String>,
}

pub(crate) fn fuzz(args: &[String]) -> Result<()> {
    let options = Options::parse(args)?;
    ensure_cargo_fuzz()?;
    let all = list_targets()?;
    if options.list {
        for target in &all {
            println!("{target}");
        }
        return Ok(());
    }
    let targets: Vec<String> = if options.targets.is_empty() {
        all.clone()
    } else {
        for target in &options.targets {
            if !all.contains(target) {
                bail!("no fuzz target `{target}` (there are: {})", all.join(", "));
            }
        }
        options.targets.clone()
    };
    let root = root();
    // One build for every target, so that the time of each run is fuzzing only.
    nightly(&root, &["fuzz", "build", "--no-cfg-fuzzing"])?;
    let logs = root.join("fuzz/target/logs");
    std::fs::create_dir_all(&logs).with_context(|| format!("cannot create {}", logs.display()))?;
    let mut outcomes = Vec::new();
    for target in &targets {
        outcomes.push(run_target(&root, &logs, target, &options)?);
    }
    print_table(&outcomes);
    let crashed: Vec<&Outcome> = outcomes.iter().filter(|o| o.crashes > 0).collect();
    if !crashed.is_empty() {
        bail!(
            "{} target(s) crashed: {}",
            crashed.len(),
            crashed
                .iter()
                .map(|o| format!(
                    "{} ({})",
                    o.target,
                    o.artifact.as_deref().unwrap_or("see its log")
                ))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(())
}

/// A `cargo +nightly` command in `dir`, without the variables of the stable cargo that runs
/// xtask (so cargo-fuzz's inner cargo is the nightly one).
fn nightly_command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new("cargo");
    command
        .arg("+nightly")
        .args(args)
        .current_dir(dir)
        .env_remove("CARGO")
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("RUSTC")
        .env_remove("RUSTDOC");
    command
}

fn nightly(dir: &Path, args: &[&str]) -> Result<()> {
    let line = format!("cargo +nightly {}", args.join(" "));
    eprintln!("$ {line}");
    let status = nightly_command(dir, args)
        .status()
        .with_context(|| format!("cannot start `{line}`"))?;
    if !status.success() {
        bail!("`{line}` failed ({status})");
    }
    Ok(())
}

/// Installs cargo-fuzz when `cargo +nightly fuzz` does not run.
fn ensure_cargo_fuzz() -> Result<()> {
    let root = root();
    let nightly_ok = nightly_command(&root, &["--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !nightly_ok {
        bail!("no nightly toolchain: install it with `rustup toolchain install nightly`");
    }
    let fuzz_ok = nightly_command(&root, &["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if fuzz_ok {
        return Ok(());
    }
    eprintln!("cargo-fuzz is missing: installing it");
    let status = Command::new("cargo")
        .args(["install", "cargo-fuzz", "--locked"])
        .env_remove("CARGO")
        .env_remove("RUSTUP_TOOLCHAIN")
        .status()
        .context("cannot start `cargo install cargo-fuzz`")?;
    if !status.success() {
        bail!("`cargo install cargo-fuzz --locked` failed ({status})");
    }
    Ok(())
}

fn list_targets() -> Result<Vec<String>> {
    let out = nightly_command(&root(), &["fuzz", "list"])
        .output()
        .context("cannot start `cargo +nightly fuzz list`")?;
    if !out.status.success() {
        bail!(
            "`cargo +nightly fuzz list` failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect())
}

fn run_target(root: &Path, logs: &Path, target: &str, options: &Options) -> Result<Outcome> {
    let working = root.join("fuzz/target/corpus").join(target);
    std::fs::create_dir_all(&working)
        .with_context(|| format!("cannot create {}", working.display()))?;
    let working = working.to_string_lossy().into_owned();
    let seeds = format!("fuzz/corpus/{target}");
    let mut args = vec![
        "fuzz".to_string(),
        "run".to_string(),
        // Under `--cfg fuzzing` proc-macro2 keeps no span locations (see fuzz/Cargo.toml).
        "--no-cfg-fuzzing".to_string(),
        target.to_string(),
        working,
        seeds,
        "--".to_string(),
        format!("-max_total_time={}", options.seconds),
        // A single input that takes this long is a hang worth a report.
        "-timeout=20".to_string(),
        "-print_final_stats=1".to_string(),
        format!("-detect_leaks={}", u8::from(options.leaks)),
    ];
    if let Some(runs) = options.runs {
        args.push(format!("-runs={runs}"));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let log_path = logs.join(format!("{target}.log"));
    eprintln!(
        "$ cargo +nightly {}  (log: {})",
        args.join(" "),
        log_path.display()
    );
    let log = std::fs::File::create(&log_path)
        .with_context(|| format!("cannot create {}", log_path.display()))?;
    let started = Instant::now();
    let mut command = nightly_command(root, &args);
    if !options.leaks {
        // `-detect_leaks=0` stops the check after each input; this one stops LeakSanitizer's
        // report at exit, which would otherwise read as a crash on the last input.
        command.env("ASAN_OPTIONS", "detect_leaks=0");
    }
    let status = command
        .stdout(log.try_clone().context("log file")?)
        .stderr(log)
        .status()
        .with_context(|| format!("cannot start the fuzzer of `{target}`"))?;
    let seconds = started.elapsed().as_secs_f64();
    let text = std::fs::read_to_string(&log_path).unwrap_or_default();
    let mut outcome = parse_log(target, &text);
    outcome.seconds = seconds;
    if !status.success() && outcome.crashes == 0 {
        // Not a crash libFuzzer reported (the build failed, cargo-fuzz stopped): say so.
        let tail: Vec<&str> = text.lines().rev().take(20).collect();
        bail!(
            "the fuzzer of `{target}` failed ({status}) without a crash report:\n{}",
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        );
    }
    eprintln!(
        "{target}: {} executions in {:.0} s, {} crash(es)",
        outcome
            .executions
            .map_or_else(|| "?".to_string(), |n| n.to_string()),
        seconds,
        outcome.crashes
    );
    Ok(outcome)
}

/// Reads libFuzzer's final statistics and crash report from its output.
fn parse_log(target: &str, text: &str) -> Outcome {
    let mut outcome = Outcome {
        target: target.to_string(),
        ..Outcome::default()
    };
    let stat = |name: &str| {
        text.lines()
            .filter_map(|l| l.strip_prefix(name))
            .filter_map(|rest| rest.trim_start_matches(':').trim().parse::<u64>().ok())
            .next_back()
    };
    outcome.executions = stat("stat::number_of_executed_units");
    outcome.per_second = stat("stat::average_exec_per_sec");
    if outcome.executions.is_none() {
        // `#123 DONE ...` or the last pulse line.
        outcome.executions = text
            .lines()
            .filter_map(|l| l.strip_prefix('#'))
            .filter_map(|l| l.split_whitespace().next()?.parse::<u64>().ok())
            .next_back();
    }
    for line in text.lines() {
        if let Some(path) = line.split("Test unit written to ").nth(1) {
            outcome.crashes += 1;
            outcome.artifact = Some(path.trim().to_string());
        }
        if outcome.kind.is_none()
            && (line.contains("ERROR: libFuzzer:")
                || line.contains("ERROR: AddressSanitizer:")
                || line.contains("ERROR: LeakSanitizer:"))
        {
            outcome.kind = line.split("ERROR: ").nth(1).map(|k| k.trim().to_string());
        }
    }
    outcome
}

fn print_table(outcomes: &[Outcome]) {
    println!(
        "\n{:<16} {:>8} {:>12} {:>8} {:>8}  artifact",
        "target", "seconds", "executions", "exec/s", "crashes"
    );
    for o in outcomes {
        let n = |v: Option<u64>| v.map_or_else(|| "?".to_string(), |v| v.to_string());
        println!(
            "{:<16} {:>8.0} {:>12} {:>8} {:>8}  {}",
            o.target,
            o.seconds,
            n(o.executions),
            n(o.per_second),
            o.crashes,
            match (&o.artifact, &o.kind) {
                (Some(a), Some(k)) => format!("{a} ({k})"),
                (Some(a), None) => a.clone(),
                _ => String::new(),
            }
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options() {
        let args = |s: &str| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
        let o = Options::parse(&args("--seconds 5 --target a --target b --no-leaks")).unwrap();
        assert_eq!((o.seconds, o.targets.len(), o.leaks), (5, 2, false));
        assert!(Options::parse(&[]).unwrap().leaks);
        assert_eq!(Options::parse(&[]).unwrap().seconds, 60);
        assert!(Options::parse(&args("--seconds 0")).is_err());
        assert!(Options::parse(&args("--seconds")).is_err());
        assert!(Options::parse(&args("--bogus")).is_err());
    }

    #[test]
    fn reads_final_stats_and_crashes() {
        let done = "#4096\tpulse  cov: 10\n#123456\tDONE   cov: 1\nstat::number_of_executed_units: 123456\nstat::average_exec_per_sec:     2057\n";
        let o = parse_log("t", done);
        assert_eq!(
            (o.executions, o.per_second, o.crashes),
            (Some(123_456), Some(2057), 0)
        );
        let crash = "#77\tNEW cov: 3\n==1== ERROR: libFuzzer: deadly signal\nartifact_prefix='x/'; Test unit written to fuzz/artifacts/t/crash-abc\n";
        let o = parse_log("t", crash);
        assert_eq!(o.executions, Some(77));
        assert_eq!(o.crashes, 1);
        assert_eq!(o.artifact.as_deref(), Some("fuzz/artifacts/t/crash-abc"));
        assert_eq!(o.kind.as_deref(), Some("libFuzzer: deadly signal"));
    }
}
