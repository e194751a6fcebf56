//! `cargo xtask bench lint`: how fast `losslint check` reads a large generated corpus, on 1 and
//! 2 threads; `cargo xtask bench lint-python`: losslint against ruff on a real Python package;
//! `cargo xtask bench losses`: lossfit's loss kernels against PyTorch CPU; `cargo xtask bench
//! labels`: losslint against DuckDB counting a sharded Parquet label column.

mod corpus;
mod labels;
mod losses;
mod python;
mod rng;
mod templates;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::root;

pub(crate) const USAGE: &str = "\
usage: cargo xtask bench lint [--seed N] [--files N] [--runs N] [--threads 1,2] [--bin PATH] [--corpus-only]

Generates a corpus of realistic Rust training files (target/losslint-bench-corpus/: files with
and without losses in lossfit, burn, candle and tch; a few that do not parse or are not UTF-8),
builds losslint in release, runs `losslint check --format json --exit-zero --threads N` on it
(one warm-up run, then --runs timed runs per thread count) and prints the median files/s and
lines/s.
  --seed N         corpus seed (default 42); the same seed writes the same bytes
  --files N        number of .rs files (default 2000)
  --runs N         timed runs per thread count (default 5)
  --threads LIST   thread counts to time (default 1,2)
  --bin PATH       time this losslint binary instead of building one
  --corpus-only    write the corpus, print its statistics and stop

usage: cargo xtask bench lint-python [--package NAME==VER] [--runs N] [--threads 1,2] [--ruff PATH]
                                     [--ruff-output-format FMT] [--bin PATH]

Downloads a real Python package with `python3 -m pip download --no-deps` and extracts it into
target/bench-python/NAME-VER/ (reused when there), finds ruff (installing it into ../ruffenv
when it is not on PATH), builds losslint in release, then times, cold (ruff --no-cache; losslint
has no cache) and interleaved, `losslint check TREE --format json --threads N`,
`ruff check --no-cache --isolated --output-format concise TREE` and the same with
`--select ALL` (RAYON_NUM_THREADS=N for all three; stdout to /dev/null; exit 1 for findings is
not a failure): one warm-up run each, then --runs rounds. Prints median and min wall time,
files/s (.py files), CPU/wall, the ruff/losslint ratios, losslint's findings per code and the
number of files with LL000 (warm-up outputs in target/bench-python/out/).
  --package SPEC   the package to lint (default transformers==5.24.0)
  --runs N         timed rounds (default 5)
  --threads LIST   thread counts to time (default 1,2)
  --ruff PATH      time this ruff instead of looking for one
  --ruff-output-format FMT
                   ruff's --output-format (default concise; `full`, ruff's own default, spends
                   most of `--select ALL`'s time rendering code frames)
  --bin PATH       time this losslint binary instead of building one

usage: cargo xtask bench losses [--pairs N] [--threads 1,2] [--alloc default,warm] [--quick] [--lib PATH]

Builds the lossfit-bench cdylib in release and runs xtask/bench/losses.py with PyTorch once per
thread count and allocator mode: each case calls lossfit and PyTorch alternately on the same
bytes (3 warm-up pairs, then --pairs timed pairs), checks values and gradients against PyTorch,
and measures memory bandwidth (triad, read-sum) in the same process. Prints each run, then one
markdown table of every run (also written to target/bench/losses/summary.md, with one JSON file
per run beside it). Fails when any check fails.
  --pairs N        timed pairs per case (default 21, at least 21)
  --threads LIST   thread counts (torch.set_num_threads, RAYON/OMP/MKL_NUM_THREADS; default 1,2)
  --alloc LIST     glibc allocator modes: default, warm (MALLOC_MMAP_MAX_=0
                   MALLOC_TRIM_THRESHOLD_=68719476736); default both
  --quick          only cross-entropy fwd+bwd at (8192, 1000) and (2048, 32000), and triad
  --lib PATH       load this lossfit-bench cdylib instead of building one

usage: cargo xtask bench labels [--rows N] [--shards N] [--threads 1,2] [--runs N]

Writes a Parquet dataset once with DuckDB's writer (target/bench-labels/: an id and a BIGINT
label of 10 classes, 512:1, in --shards files), builds losslint in release, installs DuckDB into
the tools' virtual environment (target/dist/tools) and times, in interleaved rounds per thread
count, DuckDB's `SELECT label, count(*) FROM 'dir/*.parquet' GROUP BY label` (in process, `SET
threads`) against `losslint stats --format json 'dir/*.parquet'` (whole process,
RAYON_NUM_THREADS); checks both counted the same and reports losslint's peak RSS. Summary in
target/bench/labels/summary.md.
  --rows N         rows in all (default 100000000)
  --shards N       Parquet files (default 16)
  --threads LIST   thread counts (default 1,2)
  --runs N         timed rounds per thread count (default 7)";

/// Directory of the corpus, relative to the workspace root.
const CORPUS_DIR: &str = "target/losslint-bench-corpus";

/// The options of `bench lint`.
#[derive(Debug)]
struct LintOptions {
    seed: u64,
    files: usize,
    runs: usize,
    threads: Vec<usize>,
    binary: Option<PathBuf>,
    corpus_only: bool,
}

impl LintOptions {
    fn parse(args: &[String]) -> Result<Self> {
        let mut options = LintOptions {
            seed: 42,
            files: 2000,
            runs: 5,
            threads: vec![1, 2],
            binary: None,
            corpus_only: false,
        };
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let mut value = |name: &str| {
                it.next()
                    .with_context(|| format!("{name} needs a value\n\n{USAGE}"))
            };
            match arg.as_str() {
                "--seed" => {
                    options.seed = value("--seed")?.parse().context("--seed: not a number")?;
                }
                "--files" => {
                    options.files = value("--files")?.parse().context("--files: not a number")?;
                }
                "--runs" => {
                    options.runs = value("--runs")?.parse().context("--runs: not a number")?;
                }
                "--threads" => {
                    options.threads = value("--threads")?
                        .split(',')
                        .map(|t| {
                            t.trim()
                                .parse::<usize>()
                                .with_context(|| format!("--threads: `{t}` is not a number"))
                        })
                        .collect::<Result<_>>()?;
                }
                "--bin" => options.binary = Some(PathBuf::from(value("--bin")?)),
                "--corpus-only" => options.corpus_only = true,
                other => bail!("unknown option `{other}`\n\n{USAGE}"),
            }
        }
        if options.files == 0
            || options.runs == 0
            || options.threads.is_empty()
            || options.threads.contains(&0)
        {
            bail!("--files, --runs and every --threads value must be at least 1");
        }
        Ok(options)
    }
}

/// Runs `bench <target>`.
pub(crate) fn bench(args: &[String]) -> Result<()> {
    match args.split_first() {
        Some((target, rest)) if target == "lint" => lint(&LintOptions::parse(rest)?),
        Some((target, rest)) if target == "lint-python" => {
            python::lint_python(&python::PythonOptions::parse(rest)?)
        }
        Some((target, rest)) if target == "losses" => {
            losses::losses(&losses::LossesOptions::parse(rest)?)
        }
        Some((target, rest)) if target == "labels" => {
            labels::labels(&labels::LabelsOptions::parse(rest)?)
        }
        Some((other, _)) => bail!("unknown bench target `{other}`\n\n{USAGE}"),
        None => bail!("no bench target given\n\n{USAGE}"),
    }
}

fn lint(options: &LintOptions) -> Result<()> {
    let corpus_dir = root().join(CORPUS_DIR);
    let started = Instant::now();
    let stats = corpus::generate(&corpus_dir, options.files, options.seed)?;
    println!(
        "corpus: {} ({} files, {} lines, {:.1} MB, seed {}, written in {:.2} s)\n  \
         {} with losses, {} without, {} with syntax errors, {} not UTF-8, {} empty",
        CORPUS_DIR,
        stats.files,
        stats.lines,
        stats.bytes as f64 / 1e6,
        options.seed,
        started.elapsed().as_secs_f64(),
        stats.loss_files,
        stats.plain_files,
        stats.syntax_errors,
        stats.non_utf8,
        stats.empty,
    );
    if options.corpus_only {
        return Ok(());
    }

    let binary = match &options.binary {
        Some(path) => path.clone(),
        None => build_losslint()?,
    };
    println!("losslint: {}", binary.display());
    if let Some(load) = load_average() {
        println!(
            "load average (1 min) before timing: {load} (figures compare only on an idle machine)"
        );
    }

    let mut results = Vec::new();
    let mut reference: Option<BTreeMap<String, usize>> = None;
    for &threads in &options.threads {
        // The warm-up run fills the page cache and gives the findings to compare.
        let (_, stdout) = check(&binary, threads)?;
        let codes = count_codes(&stdout);
        match &reference {
            None => {
                print_findings(&codes, &stats);
                reference = Some(codes);
            }
            Some(first) if *first != codes => {
                println!("warning: {threads} threads found {codes:?}, differing from {first:?}");
            }
            Some(_) => {}
        }
        let mut times = Vec::with_capacity(options.runs);
        for _ in 0..options.runs {
            times.push(check(&binary, threads)?.0);
        }
        results.push((threads, times));
    }

    println!(
        "\n{:>7}  {:>9}  {:>9}  {:>11}  runs (s)",
        "threads", "median s", "files/s", "lines/s"
    );
    for (threads, times) in &results {
        let median = median(times).as_secs_f64();
        let runs: Vec<String> = times
            .iter()
            .map(|t| format!("{:.3}", t.as_secs_f64()))
            .collect();
        println!(
            "{threads:>7}  {median:>9.3}  {:>9.0}  {:>11.0}  {}",
            stats.files as f64 / median,
            stats.lines as f64 / median,
            runs.join(" ")
        );
    }
    Ok(())
}

/// `cargo build --release -p losslint`, returning the path of the binary cargo reports.
fn build_losslint() -> Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    eprintln!("$ {cargo} build --release -p losslint");
    let output = Command::new(&cargo)
        .args([
            "build",
            "--release",
            "-p",
            "losslint",
            "--message-format=json-render-diagnostics",
        ])
        .current_dir(root())
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("cannot start `{cargo} build`"))?;
    if !output.status.success() {
        bail!(
            "`cargo build --release -p losslint` failed ({})",
            output.status
        );
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout
        .lines()
        .filter(|line| line.contains("\"compiler-artifact\"") && line.contains("\"name\":\"losslint\""))
        .find_map(|line| json_string_after(line, "\"executable\":"))
        .map(PathBuf::from)
        .context("cargo built no `losslint` binary: the crate has no bin target yet (crates/losslint/src/main.rs)")
}

/// Runs `losslint check` once on the corpus; returns the wall time and stdout.
fn check(binary: &Path, threads: usize) -> Result<(Duration, String)> {
    let threads_arg = threads.to_string();
    let args = [
        "check",
        "--format",
        "json",
        "--exit-zero",
        "--threads",
        threads_arg.as_str(),
        CORPUS_DIR,
    ];
    let started = Instant::now();
    let output = Command::new(binary)
        .args(args)
        .current_dir(root())
        .output()
        .with_context(|| format!("cannot start {}", binary.display()))?;
    let elapsed = started.elapsed();
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: String = stderr
            .lines()
            .rev()
            .take(20)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n");
        bail!(
            "`{} {}` failed ({}):\n{tail}",
            binary.display(),
            args.join(" "),
            output.status
        );
    }
    Ok((
        elapsed,
        String::from_utf8_lossy(&output.stdout).into_owned(),
    ))
}

/// Prints the findings per code, and whether every broken file got its LL000.
fn print_findings(codes: &BTreeMap<String, usize>, stats: &corpus::Stats) {
    let total: usize = codes.values().sum();
    let per_code: Vec<String> = codes
        .iter()
        .map(|(code, n)| format!("{code} {n}"))
        .collect();
    println!("findings: {total} ({})", per_code.join(", "));
    let broken = stats.syntax_errors + stats.non_utf8;
    let parse_errors = codes.get("LL000").copied().unwrap_or(0);
    println!(
        "LL000: {parse_errors} reported for {broken} broken files ({} syntax errors, {} not UTF-8)",
        stats.syntax_errors, stats.non_utf8
    );
    if total == 0 {
        println!(
            "warning: no findings at all: did losslint skip the corpus (it lies under the git-ignored target/)?"
        );
    }
}

/// Counts the values of every `"code"` key in losslint's JSON output (no JSON dependency).
fn count_codes(json: &str) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    let mut rest = json;
    while let Some(at) = rest.find("\"code\"") {
        rest = rest.get(at + "\"code\"".len()..).unwrap_or_default();
        let after_colon = rest.trim_start().strip_prefix(':').unwrap_or(rest);
        if let Some(code) = json_string_after(after_colon, "") {
            *counts.entry(code).or_insert(0) += 1;
        }
    }
    counts
}

/// The JSON string value that follows `key` in `text` (skipping whitespace), unescaped for the
/// escapes paths and codes use (`\\`, `\"`, `\/`).
fn json_string_after(text: &str, key: &str) -> Option<String> {
    let start = text.find(key)? + key.len();
    let value = text.get(start..)?.trim_start().strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => out.push(chars.next()?),
            c => out.push(c),
        }
    }
    None
}

/// The 1-minute load average on Linux (`/proc/loadavg`), to judge whether timings are noisy.
fn load_average() -> Option<String> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next().map(str::to_string)
}

/// The median of `times` (the lower middle for an even count).
fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted
        .get(sorted.len().saturating_sub(1) / 2)
        .copied()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_codes_in_compact_and_pretty_json() {
        let compact =
            r#"[{"code":"LL001","name":"implicit-reduction"},{"code":"LL000"},{"code":"LL001"}]"#;
        let pretty = "[\n  {\n    \"code\": \"LL001\",\n    \"line\": 3\n  }\n]";
        let counts = count_codes(compact);
        assert_eq!(counts.get("LL001"), Some(&2));
        assert_eq!(counts.get("LL000"), Some(&1));
        assert_eq!(count_codes(pretty).get("LL001"), Some(&1));
        assert!(count_codes("[]").is_empty());
    }

    #[test]
    fn finds_the_executable_in_cargo_messages() {
        let line = r#"{"reason":"compiler-artifact","target":{"name":"losslint","kind":["bin"]},"executable":"/t/release/losslint","fresh":true}"#;
        assert_eq!(
            json_string_after(line, "\"executable\":").as_deref(),
            Some("/t/release/losslint")
        );
        let windows = r#"{"executable":"C:\\t\\losslint.exe"}"#;
        assert_eq!(
            json_string_after(windows, "\"executable\":").as_deref(),
            Some(r"C:\t\losslint.exe")
        );
        assert_eq!(
            json_string_after(r#"{"executable":null}"#, "\"executable\":"),
            None
        );
    }

    #[test]
    fn median_of_odd_and_even() {
        let s = Duration::from_secs;
        assert_eq!(median(&[s(5), s(1), s(3)]), s(3));
        assert_eq!(median(&[s(4), s(1), s(3), s(2)]), s(2));
    }

    #[test]
    fn parses_options() {
        let args: Vec<String> = ["--seed", "7", "--threads", "1,4", "--runs", "3"]
            .iter()
            .map(ToString::to_string)
            .collect();
        let options = LintOptions::parse(&args).unwrap();
        assert_eq!(
            (options.seed, options.runs, options.threads.clone()),
            (7, 3, vec![1, 4])
        );
        assert!(LintOptions::parse(&["--threads".to_string(), "0".to_string()]).is_err());
        assert!(LintOptions::parse(&["--bogus".to_string()]).is_err());
    }
}
