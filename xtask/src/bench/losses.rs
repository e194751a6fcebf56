//! `cargo xtask bench losses`: lossfit's loss kernels against PyTorch CPU, interleaved in one
//! process (`xtask/bench/losses.py` through the `lossfit-bench` cdylib), on 1 and 2 threads,
//! with glibc's default allocator and with a warm one.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use super::{USAGE, load_average};
use crate::{root, torch_python};

/// Where the per-run JSON files and the summary go, relative to the workspace root.
const OUT_DIR: &str = "target/bench/losses";

/// The driver, relative to the workspace root.
const DRIVER: &str = "xtask/bench/losses.py";

/// The fewest timed pairs a median is taken over.
const MIN_PAIRS: usize = 21;

/// glibc settings that keep freed memory in the heap: no `mmap` for large blocks and no trimming,
/// so PyTorch's freshly allocated gradients reuse pages that are already mapped.
const WARM_ALLOCATOR: [(&str, &str); 2] = [
    ("MALLOC_MMAP_MAX_", "0"),
    ("MALLOC_TRIM_THRESHOLD_", "68719476736"),
];

/// The case whose 2-thread over 1-thread speedup the summary reports.
const SPEEDUP_CASE: (&str, &str) = ("ce fwd+bwd", "2048x32000");

/// glibc allocator mode of a driver run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Alloc {
    /// Whatever the environment gives (`MALLOC_*` removed).
    Default,
    /// [`WARM_ALLOCATOR`].
    Warm,
}

impl Alloc {
    fn name(self) -> &'static str {
        match self {
            Alloc::Default => "default",
            Alloc::Warm => "warm",
        }
    }
}

/// The options of `bench losses`.
#[derive(Debug)]
pub(super) struct LossesOptions {
    pairs: usize,
    threads: Vec<usize>,
    allocs: Vec<Alloc>,
    quick: bool,
    library: Option<PathBuf>,
}

impl LossesOptions {
    pub(super) fn parse(args: &[String]) -> Result<Self> {
        let mut options = LossesOptions {
            pairs: MIN_PAIRS,
            threads: vec![1, 2],
            allocs: vec![Alloc::Default, Alloc::Warm],
            quick: false,
            library: None,
        };
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let mut value = |name: &str| {
                it.next()
                    .with_context(|| format!("{name} needs a value\n\n{USAGE}"))
            };
            match arg.as_str() {
                "--pairs" => {
                    options.pairs = value("--pairs")?.parse().context("--pairs: not a number")?;
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
                "--alloc" => {
                    options.allocs = value("--alloc")?
                        .split(',')
                        .map(|a| match a.trim() {
                            "default" => Ok(Alloc::Default),
                            "warm" => Ok(Alloc::Warm),
                            other => bail!("--alloc: `{other}` is not `default` or `warm`"),
                        })
                        .collect::<Result<_>>()?;
                }
                "--quick" => options.quick = true,
                "--lib" => options.library = Some(PathBuf::from(value("--lib")?)),
                other => bail!("unknown option `{other}`\n\n{USAGE}"),
            }
        }
        if options.pairs < MIN_PAIRS {
            bail!(
                "--pairs must be at least {MIN_PAIRS} (got {}): fewer pairs give medians that move \
                 from run to run",
                options.pairs
            );
        }
        if options.threads.is_empty() || options.threads.contains(&0) || options.allocs.is_empty() {
            bail!("every --threads value must be at least 1, and --alloc needs a mode");
        }
        Ok(options)
    }
}

/// One driver run: a thread count and an allocator mode.
#[derive(Debug, Clone, Copy)]
struct Config {
    threads: usize,
    alloc: Alloc,
}

impl Config {
    fn json_name(self) -> String {
        format!("losses-t{}-{}.json", self.threads, self.alloc.name())
    }
}

pub(super) fn losses(options: &LossesOptions) -> Result<()> {
    let library = match &options.library {
        Some(path) => path.clone(),
        None => build_bench_library()?,
    };
    if !library.is_file() {
        bail!("no cdylib at {}", library.display());
    }
    let python = torch_python()?;
    let out_dir = root().join(OUT_DIR);
    std::fs::create_dir_all(&out_dir)
        .with_context(|| format!("cannot create {}", out_dir.display()))?;
    println!("lossfit-bench: {}\nPyTorch: {python}", library.display());
    if let Some(load) = load_average() {
        println!(
            "load average (1 min) before timing: {load} (figures compare only on an idle machine)"
        );
    }

    let configs: Vec<Config> = options
        .threads
        .iter()
        .flat_map(|&threads| {
            options
                .allocs
                .iter()
                .map(move |&alloc| Config { threads, alloc })
        })
        .collect();
    let mut runs = Vec::new();
    let mut problems = Vec::new();
    for &config in &configs {
        let json = out_dir.join(config.json_name());
        // A stale file from an earlier run must not stand in for a run that fails now.
        if json.exists() {
            std::fs::remove_file(&json)
                .with_context(|| format!("cannot remove {}", json.display()))?;
        }
        let code = run_driver(&python, &library, &json, config, options)?;
        match code {
            Some(0) => {}
            Some(1) => problems.push(format!(
                "{} threads, {} allocator: a checksum FAILED",
                config.threads,
                config.alloc.name()
            )),
            other => problems.push(format!(
                "{} threads, {} allocator: the driver exited with {other:?}",
                config.threads,
                config.alloc.name()
            )),
        }
        match std::fs::read_to_string(&json) {
            Ok(text) => {
                let value: Value = serde_json::from_str(&text)
                    .with_context(|| format!("{} is not JSON", json.display()))?;
                runs.push((config, value));
            }
            Err(_) => problems.push(format!(
                "{} threads, {} allocator: no results ({} missing)",
                config.threads,
                config.alloc.name(),
                json.display()
            )),
        }
    }

    let summary = summary(&runs, options);
    let summary_path = out_dir.join("summary.md");
    std::fs::write(&summary_path, &summary)
        .with_context(|| format!("cannot write {}", summary_path.display()))?;
    println!("\n{summary}");
    println!("written: {OUT_DIR}/summary.md and {OUT_DIR}/losses-t*-*.json");
    if !problems.is_empty() {
        bail!("bench losses failed:\n  {}", problems.join("\n  "));
    }
    Ok(())
}

/// Runs the driver once, its output streamed; returns its exit code.
fn run_driver(
    python: &str,
    library: &Path,
    json: &Path,
    config: Config,
    options: &LossesOptions,
) -> Result<Option<i32>> {
    let threads = config.threads.to_string();
    let pairs = options.pairs.to_string();
    let driver = root().join(DRIVER);
    let mut args: Vec<&std::ffi::OsStr> = vec![
        driver.as_os_str(),
        "--lib".as_ref(),
        library.as_os_str(),
        "--threads".as_ref(),
        threads.as_ref(),
        "--pairs".as_ref(),
        pairs.as_ref(),
        "--json".as_ref(),
        json.as_os_str(),
    ];
    if options.quick {
        args.push("--quick".as_ref());
    }
    let mut command = Command::new(python);
    command
        .args(&args)
        .current_dir(root())
        .env("PYTHONUNBUFFERED", "1");
    let mut env_line = Vec::new();
    for name in ["RAYON_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"] {
        command.env(name, &threads);
        env_line.push(format!("{name}={threads}"));
    }
    for (name, value) in WARM_ALLOCATOR {
        match config.alloc {
            Alloc::Warm => {
                command.env(name, value);
                env_line.push(format!("{name}={value}"));
            }
            Alloc::Default => {
                command.env_remove(name);
            }
        }
    }
    println!(
        "\n== {} thread(s), {} allocator ==",
        config.threads,
        config.alloc.name()
    );
    let shown: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    eprintln!("$ {} {python} {}", env_line.join(" "), shown.join(" "));
    let status = command
        .status()
        .with_context(|| format!("cannot start {python} {DRIVER}"))?;
    Ok(status.code())
}

/// `cargo build --release -p lossfit-bench`, returning the path of the cdylib under the target
/// directory (`$CARGO_TARGET_DIR`, else `<root>/target`).
fn build_bench_library() -> Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    crate::run(&cargo, &["build", "--release", "-p", "lossfit-bench"], &[])?;
    let target_dir = target_dir(&root(), std::env::var_os("CARGO_TARGET_DIR").as_deref());
    let library = target_dir.join("release").join(format!(
        "{}lossfit_bench{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    ));
    if !library.is_file() {
        bail!(
            "cargo built lossfit-bench but {} does not exist (is the target directory set in a \
             cargo config? pass --lib PATH)",
            library.display()
        );
    }
    Ok(library)
}

/// The target directory cargo builds into when run in `root`: `CARGO_TARGET_DIR` (relative to
/// `root`) or `root/target`.
fn target_dir(root: &Path, env: Option<&std::ffi::OsStr>) -> PathBuf {
    match env {
        Some(dir) if !dir.is_empty() => root.join(dir),
        _ => root.join("target"),
    }
}

/// A number from a JSON object, by path of keys.
fn number(value: &Value, path: &[&str]) -> Option<f64> {
    path.iter().try_fold(value, |v, key| v.get(key))?.as_f64()
}

/// `[2048, 32000]` as `2048x32000`.
fn shape(case: &Value) -> String {
    case.get("shape")
        .and_then(Value::as_array)
        .map(|dims| {
            dims.iter()
                .map(|d| {
                    d.as_u64()
                        .map_or_else(|| "?".to_string(), |d| d.to_string())
                })
                .collect::<Vec<_>>()
                .join("x")
        })
        .unwrap_or_default()
}

fn name(case: &Value) -> &str {
    case.get("case").and_then(Value::as_str).unwrap_or("?")
}

fn ok(case: &Value) -> bool {
    case.get("check")
        .and_then(|c| c.get("ok"))
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

fn fmt(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(|| "-".to_string(), |v| format!("{v:.decimals$}"))
}

/// One table row per case and bandwidth series of every run, grouped by case, then the derived
/// lines.
fn summary(runs: &[(Config, Value)], options: &LossesOptions) -> String {
    let mut out = String::from("# cargo xtask bench losses\n\n");
    if let Some((_, first)) = runs.first() {
        let header = &first["header"];
        let text = |key: &str| header.get(key).and_then(Value::as_str).unwrap_or("?");
        let _ = writeln!(
            out,
            "{} | lossfit backend {} | torch {} | {} timed pairs after {} warm-up pairs, \
             interleaved ours/torch | {}{}\n",
            text("cpu"),
            text("backend"),
            text("torch"),
            options.pairs,
            number(header, &["warmup_pairs"]).unwrap_or(0.0),
            text("date"),
            if options.quick { " | --quick" } else { "" },
        );
    }
    out.push_str(
        "| case | shape | threads | alloc | ours med ms | ours min ms | torch med ms | torch min ms \
         | torch/ours med | torch/ours min | ours GB/s | of same-run bw | check |\n\
         |---|---|--:|---|--:|--:|--:|--:|--:|--:|--:|---|---|\n",
    );
    // Case keys (name, shape) in the order the first run reports them, then bandwidth.
    let mut keys: Vec<(String, String)> = Vec::new();
    for (_, run) in runs {
        for section in ["cases", "bandwidth"] {
            for case in run[section].as_array().into_iter().flatten() {
                let key = (name(case).to_string(), shape(case));
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
        }
    }
    for (case_name, case_shape) in &keys {
        for (config, run) in runs {
            let Some((section, case)) = find(run, case_name, case_shape) else {
                continue;
            };
            let columns = if section == "bandwidth" {
                [
                    fmt(number(case, &["ours", "median_ms"]), 3),
                    fmt(number(case, &["ours", "min_ms"]), 3),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    fmt(number(case, &["gbps"]), 1),
                    format!(
                        "before {} / after {} GB/s",
                        fmt(number(case, &["gbps_before"]), 1),
                        fmt(number(case, &["gbps_after"]), 1)
                    ),
                ]
            } else {
                [
                    fmt(number(case, &["ours", "median_ms"]), 3),
                    fmt(number(case, &["ours", "min_ms"]), 3),
                    fmt(number(case, &["torch", "median_ms"]), 3),
                    fmt(number(case, &["torch", "min_ms"]), 3),
                    fmt(number(case, &["ratio_median"]), 2),
                    fmt(number(case, &["ratio_min"]), 2),
                    fmt(number(case, &["ours_gbps"]), 1),
                    match number(case, &["frac_of_reference"]) {
                        Some(f) => format!(
                            "{f:.2} of {}",
                            case.get("reference").and_then(Value::as_str).unwrap_or("?")
                        ),
                        None => "-".to_string(),
                    },
                ]
            };
            let _ = writeln!(
                out,
                "| {case_name} | {case_shape} | {} | {} | {} | {} |",
                config.threads,
                config.alloc.name(),
                columns.join(" | "),
                if ok(case) { "OK" } else { "**FAIL**" }
            );
        }
    }
    out.push_str(
        "\nms per call (median and minimum of the timed pairs); torch/ours > 1 means ours is \
         faster. GB/s from our median: ce fwd+bwd 2*n*c*4 + n*8 bytes, ce fwd n*c*4 + n*8, \
         pointwise 3*len*4; as a fraction of the same run's triad (fwd+bwd) or read-sum (fwd) \
         median, measured right before and after the loss cases. PyTorch's fwd+bwd includes \
         allocating its gradient (warm allocator: MALLOC_MMAP_MAX_=0 \
         MALLOC_TRIM_THRESHOLD_=68719476736).\n\n",
    );
    out.push_str(&derived(runs));
    out
}

/// The case `name` at `shape` in a run, with the section it is in.
fn find<'r>(
    run: &'r Value,
    case_name: &str,
    case_shape: &str,
) -> Option<(&'static str, &'r Value)> {
    ["cases", "bandwidth"].into_iter().find_map(|section| {
        run[section]
            .as_array()?
            .iter()
            .find(|c| name(c) == case_name && shape(c) == case_shape)
            .map(|c| (section, c))
    })
}

/// The derived lines: thread speedups and the cost of the cross-entropy options.
fn derived(runs: &[(Config, Value)]) -> String {
    let mut out = String::new();
    let (case_name, case_shape) = SPEEDUP_CASE;
    let median = |run: &Value, side: &str| {
        find(run, case_name, case_shape).and_then(|(_, c)| number(c, &[side, "median_ms"]))
    };
    for alloc in [Alloc::Default, Alloc::Warm] {
        let at = |threads: usize| {
            runs.iter()
                .find(|(c, _)| c.threads == threads && c.alloc == alloc)
        };
        if let (Some((_, one)), Some((_, two))) = (at(1), at(2)) {
            let speedup = |side: &str| match (median(one, side), median(two, side)) {
                (Some(one), Some(two)) => format!("{:.2}x", one / two),
                _ => "-".to_string(),
            };
            let _ = writeln!(
                out,
                "- {case_name} {case_shape}, 2 threads over 1 ({} allocator, medians): ours {}, \
                 torch {}",
                alloc.name(),
                speedup("ours"),
                speedup("torch")
            );
        }
    }
    for (config, run) in runs {
        for case in run["cases"].as_array().into_iter().flatten() {
            if let Some(cost) = number(case, &["opts_over_plain_median"]) {
                let _ = writeln!(
                    out,
                    "- {} {} ({} thread(s), {} allocator): {cost:.2}x our plain ce fwd+bwd \
                     (medians; {}x of minima; ours-opts, torch-opts and ours-plain interleaved in \
                     one series)",
                    name(case),
                    shape(case),
                    config.threads,
                    config.alloc.name(),
                    fmt(number(case, &["opts_over_plain_min"]), 2),
                );
            }
        }
    }
    for (config, run) in runs {
        for case in run["cases"].as_array().into_iter().flatten() {
            if let Some(over) = number(case, &["over_fn_into_median"]) {
                let _ = writeln!(
                    out,
                    "- {} {} ({} thread(s), {} allocator): {over:.3}x the time of \
                     `cross_entropy_into` (medians; {}x of minima; every buffer form and torch \
                     interleaved in one series)",
                    name(case),
                    shape(case),
                    config.threads,
                    config.alloc.name(),
                    fmt(number(case, &["over_fn_into_min"]), 3),
                );
            }
        }
    }
    for &threads in &[1, 2] {
        let at = |alloc: Alloc| {
            runs.iter()
                .find(|(c, _)| c.threads == threads && c.alloc == alloc)
        };
        if let (Some((_, default)), Some((_, warm))) = (at(Alloc::Default), at(Alloc::Warm))
            && let (Some(d), Some(w)) = (median(default, "torch"), median(warm, "torch"))
        {
            let _ = writeln!(
                out,
                "- torch {case_name} {case_shape}, {threads} thread(s): {d:.1} ms with the default \
                 allocator, {w:.1} ms warm ({:.2}x)",
                d / w
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn parses_options() {
        let options = LossesOptions::parse(&args(&[
            "--pairs",
            "25",
            "--threads",
            "2",
            "--alloc",
            "warm",
            "--quick",
        ]))
        .unwrap();
        assert_eq!(options.pairs, 25);
        assert_eq!(options.threads, vec![2]);
        assert_eq!(options.allocs, vec![Alloc::Warm]);
        assert!(options.quick);
        let defaults = LossesOptions::parse(&[]).unwrap();
        assert_eq!(
            (defaults.pairs, defaults.threads, defaults.allocs),
            (21, vec![1, 2], vec![Alloc::Default, Alloc::Warm])
        );
        assert!(LossesOptions::parse(&args(&["--pairs", "20"])).is_err());
        assert!(LossesOptions::parse(&args(&["--alloc", "jemalloc"])).is_err());
        assert!(LossesOptions::parse(&args(&["--threads", "0"])).is_err());
        assert!(LossesOptions::parse(&args(&["--lib"])).is_err());
    }

    #[test]
    fn target_dir_follows_the_environment() {
        let root = Path::new("/repo");
        assert_eq!(target_dir(root, None), PathBuf::from("/repo/target"));
        assert_eq!(
            target_dir(root, Some("/t/bench".as_ref())),
            PathBuf::from("/t/bench")
        );
        assert_eq!(
            target_dir(root, Some("out".as_ref())),
            PathBuf::from("/repo/out")
        );
    }

    fn run_json(ours: f64, torch: f64, ok: bool) -> Value {
        serde_json::json!({
            "header": {"cpu": "Test CPU", "backend": "avx512", "torch": "2.15", "date": "today",
                       "warmup_pairs": 3},
            "cases": [
                {"case": "ce fwd+bwd", "shape": [2048, 32000],
                 "ours": {"median_ms": ours, "min_ms": ours * 0.9},
                 "torch": {"median_ms": torch, "min_ms": torch * 0.9},
                 "ratio_median": torch / ours, "ratio_min": torch / ours, "ours_gbps": 50.0,
                 "reference": "triad", "frac_of_reference": 0.5, "check": {"ok": ok}},
                {"case": "ce +w+ii+ls", "shape": [2048, 32000],
                 "ours": {"median_ms": ours * 1.2, "min_ms": ours},
                 "torch": {"median_ms": torch, "min_ms": torch},
                 "ratio_median": 1.0, "ratio_min": 1.0, "ours_gbps": 40.0, "reference": "triad",
                 "opts_over_plain_median": 1.2, "opts_over_plain_min": 1.1, "check": {"ok": true}}
            ],
            "bandwidth": [
                {"case": "triad", "shape": [2048, 32000], "ours": {"median_ms": 40.0, "min_ms": 39.0},
                 "gbps": 100.0, "gbps_before": 99.0, "gbps_after": 101.0, "check": {"ok": true}}
            ]
        })
    }

    #[test]
    fn summary_has_every_run_and_the_derived_lines() {
        let options = LossesOptions::parse(&[]).unwrap();
        let runs = vec![
            (
                Config {
                    threads: 1,
                    alloc: Alloc::Default,
                },
                run_json(20.0, 60.0, true),
            ),
            (
                Config {
                    threads: 2,
                    alloc: Alloc::Default,
                },
                run_json(10.0, 40.0, false),
            ),
        ];
        let text = summary(&runs, &options);
        assert!(text.contains("Test CPU | lossfit backend avx512 | torch 2.15"));
        assert!(
            text.contains("| ce fwd+bwd | 2048x32000 | 1 | default | 20.000 | 18.000 | 60.000 |")
        );
        assert!(text.contains("| 2 | default | 10.000 |"));
        assert!(text.contains("**FAIL**"));
        assert!(text.contains("| triad | 2048x32000 | 1 | default | 40.000 | 39.000 |"));
        assert!(text.contains("before 99.0 / after 101.0 GB/s"));
        assert!(
            text.contains("2 threads over 1 (default allocator, medians): ours 2.00x, torch 1.50x")
        );
        assert!(text.contains("ce +w+ii+ls 2048x32000 (1 thread(s), default allocator): 1.20x"));
        // The row order groups each case's runs together.
        let first = text.find("| ce fwd+bwd | 2048x32000 | 2").unwrap();
        let opts = text.find("| ce +w+ii+ls | 2048x32000 | 1").unwrap();
        assert!(first < opts);
    }
}
