//! `cargo xtask bench lint-python`: `losslint check` against ruff on the sources of a real
//! Python package (transformers by default), fetched with pip at bench time into
//! `target/bench-python/` and never committed. Cold runs (ruff with `--no-cache`; losslint has
//! no cache), interleaved tool by tool, at each thread count.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::fmt::Write as _;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::Value;

use super::{USAGE, build_losslint, load_average, median};
use crate::root;

/// The package whose sources are linted when `--package` is not given.
const DEFAULT_PACKAGE: &str = "transformers==5.24.0";

/// Downloads, extracted trees and tool outputs, relative to the workspace root.
const CACHE_DIR: &str = "target/bench-python";

/// The virtual environment ruff is installed into when none is found, relative to the
/// workspace root (outside the repository).
const RUFF_VENV: &str = "../ruffenv";

/// Written into an extracted tree once extraction finished (hidden: neither tool reads it).
const DONE_MARKER: &str = ".bench-extracted";

/// The options of `bench lint-python`.
#[derive(Debug)]
pub(super) struct PythonOptions {
    package: String,
    runs: usize,
    threads: Vec<usize>,
    ruff: Option<PathBuf>,
    ruff_format: String,
    binary: Option<PathBuf>,
}

impl PythonOptions {
    pub(super) fn parse(args: &[String]) -> Result<Self> {
        let mut options = PythonOptions {
            package: DEFAULT_PACKAGE.to_string(),
            runs: 5,
            threads: vec![1, 2],
            ruff: None,
            ruff_format: "concise".to_string(),
            binary: None,
        };
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let mut value = |name: &str| {
                it.next()
                    .with_context(|| format!("{name} needs a value\n\n{USAGE}"))
            };
            match arg.as_str() {
                "--package" => options.package.clone_from(value("--package")?),
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
                "--ruff" => options.ruff = Some(PathBuf::from(value("--ruff")?)),
                "--ruff-output-format" => {
                    options
                        .ruff_format
                        .clone_from(value("--ruff-output-format")?);
                }
                "--bin" => options.binary = Some(PathBuf::from(value("--bin")?)),
                other => bail!("unknown option `{other}`\n\n{USAGE}"),
            }
        }
        if options.runs == 0 || options.threads.is_empty() || options.threads.contains(&0) {
            bail!("--runs and every --threads value must be at least 1");
        }
        parse_package(&options.package)?;
        Ok(options)
    }
}

/// `NAME==VERSION` split in two, each checked to be a plain name (it becomes a directory).
fn parse_package(spec: &str) -> Result<(&str, &str)> {
    let (name, version) = spec
        .split_once("==")
        .with_context(|| format!("--package `{spec}`: expected NAME==VERSION"))?;
    let plain = |s: &str| {
        !s.is_empty()
            && !s.starts_with('.')
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+' | '!'))
    };
    if !plain(name) || !plain(version) {
        bail!("--package `{spec}`: NAME and VERSION may hold only letters, digits and . _ - + !");
    }
    Ok((name, version))
}

/// One of the timed commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tool {
    Losslint,
    RuffDefault,
    RuffAll,
}

impl Tool {
    const ALL: [Tool; 3] = [Tool::Losslint, Tool::RuffDefault, Tool::RuffAll];

    fn label(self) -> &'static str {
        match self {
            Tool::Losslint => "losslint",
            Tool::RuffDefault => "ruff (default rules)",
            Tool::RuffAll => "ruff --select ALL",
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Tool::Losslint => "losslint",
            Tool::RuffDefault => "ruff-default",
            Tool::RuffAll => "ruff-all",
        }
    }
}

/// The programs being compared.
#[derive(Debug)]
struct Programs {
    losslint: PathBuf,
    ruff: PathBuf,
    /// ruff's `--output-format`: `concise` by default, since rendering `full` code frames for
    /// the 370,000 findings of `--select ALL` on transformers takes most of its time.
    ruff_format: String,
}

impl Programs {
    /// The command line of `tool` on `tree` at `threads` threads. Both tools parallelise with
    /// rayon, so `RAYON_NUM_THREADS` is set for both; losslint also gets `--threads`.
    fn command(&self, tool: Tool, tree: &Path, threads: usize) -> Command {
        let (program, args): (&Path, Vec<OsString>) = match tool {
            Tool::Losslint => (
                &self.losslint,
                vec![
                    "check".into(),
                    tree.into(),
                    "--format".into(),
                    "json".into(),
                    "--threads".into(),
                    threads.to_string().into(),
                ],
            ),
            // `--isolated`: ruff's own defaults, whatever configuration lies above the tree.
            Tool::RuffDefault | Tool::RuffAll => {
                let mut args: Vec<OsString> = vec![
                    "check".into(),
                    "--no-cache".into(),
                    "--isolated".into(),
                    "--output-format".into(),
                    self.ruff_format.clone().into(),
                ];
                if tool == Tool::RuffAll {
                    args.extend(["--select".into(), "ALL".into()]);
                }
                args.push(tree.into());
                (&self.ruff, args)
            }
        };
        let mut command = Command::new(program);
        command
            .args(args)
            .env("RAYON_NUM_THREADS", threads.to_string())
            .current_dir(root());
        command
    }
}

/// One run: its wall time, the CPU time of the child (user + system), and how it exited.
#[derive(Debug, Clone, Copy)]
struct Sample {
    wall: Duration,
    cpu: Option<Duration>,
}

/// Runs `command` (stdout to `stdout`, stderr captured) and checks its exit status: findings
/// make both tools exit 1, which is not a failure; losslint's 2 (nothing it could read, an I/O
/// error) is reported by the caller, not fatal.
fn run_once(
    tool: Tool,
    mut command: Command,
    stdout: Stdio,
) -> Result<(Sample, ExitStatus, String)> {
    command
        .stdout(stdout)
        .stderr(Stdio::piped())
        .stdin(Stdio::null());
    let cpu_before = children_cpu();
    let started = Instant::now();
    let output = command
        .output()
        .with_context(|| format!("cannot start {command:?}"))?;
    let wall = started.elapsed();
    let cpu = match (cpu_before, children_cpu()) {
        (Some(before), Some(after)) => after.checked_sub(before),
        _ => None,
    };
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let acceptable = matches!(
        (tool, output.status.code()),
        (_, Some(0 | 1)) | (Tool::Losslint, Some(2))
    );
    if !acceptable {
        bail!(
            "{command:?} failed ({}):\n{}",
            output.status,
            tail(&stderr, 20)
        );
    }
    Ok((Sample { wall, cpu }, output.status, stderr))
}

/// The CPU time (user + system) of every child this process has waited for, from
/// `/proc/self/stat` (Linux; 100 clock ticks per second, what `getconf CLK_TCK` gives there).
fn children_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count after its end.
    let fields: Vec<&str> = stat
        .get(stat.rfind(')')? + 1..)?
        .split_whitespace()
        .collect();
    // Fields 16 (cutime) and 17 (cstime), counted from 1 with `pid` and `(comm)` first.
    let cutime: u64 = fields.get(16 - 3)?.parse().ok()?;
    let cstime: u64 = fields.get(17 - 3)?.parse().ok()?;
    Some(Duration::from_millis((cutime + cstime) * 10))
}

/// The last `n` lines of `text`.
fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

pub(super) fn lint_python(options: &PythonOptions) -> Result<()> {
    let tree = fetch_package(&options.package)?;
    let counts = count_sources(&tree)?;
    // Both tools run in the workspace root on the relative path, so that their outputs name
    // files as `python3 xtask/bench/pyref.py target/bench-python/NAME-VER --json` does.
    let tree = tree.strip_prefix(root()).unwrap_or(&tree).to_path_buf();
    println!(
        "package: {} in {} ({} .py files, {} .pyi, {} lines, {:.1} MB)",
        options.package,
        tree.display(),
        counts.py,
        counts.pyi,
        counts.lines,
        counts.bytes as f64 / 1e6
    );
    let ruff = find_ruff(options.ruff.as_deref())?;
    println!(
        "ruff: {} ({})",
        version_of(&ruff).unwrap_or_default(),
        ruff.display()
    );
    let losslint = match &options.binary {
        Some(path) => path.clone(),
        None => build_losslint()?,
    };
    println!(
        "losslint: {} ({})",
        version_of(&losslint).unwrap_or_default(),
        losslint.display()
    );
    let programs = Programs {
        losslint,
        ruff,
        ruff_format: options.ruff_format.clone(),
    };
    let out_dir = root().join(CACHE_DIR).join("out");
    std::fs::create_dir_all(&out_dir)
        .with_context(|| format!("cannot create {}", out_dir.display()))?;

    // Warm-up: one untimed run of each tool at each thread count fills the page cache and
    // keeps the outputs (losslint's at each thread count, ruff's at the first) in
    // target/bench-python/out/.
    let mut findings: Option<BTreeMap<String, usize>> = None;
    let mut ll000_files = 0;
    let mut read_nothing = false;
    for &threads in &options.threads {
        for tool in Tool::ALL {
            let keep = tool == Tool::Losslint || threads == options.threads[0];
            let path = out_dir.join(format!("{}-t{threads}.out", tool.slug()));
            let stdout = if keep {
                File::create(&path)
                    .with_context(|| format!("cannot create {}", path.display()))?
                    .into()
            } else {
                Stdio::null()
            };
            let (_, status, stderr) =
                run_once(tool, programs.command(tool, &tree, threads), stdout)?;
            let stdout = if keep {
                std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read {}", path.display()))?
            } else {
                String::new()
            };
            match tool {
                Tool::Losslint => {
                    read_nothing |= stderr.contains("no source files");
                    if status.code() == Some(2) || stderr.contains("no source files") {
                        println!(
                            "warning: losslint at {threads} threads ({status}): {}",
                            tail(&stderr, 5).replace('\n', "\n  ")
                        );
                    }
                    // Output that is not a JSON array (a run that stopped early) is reported,
                    // not fatal: the timings still say how long losslint took.
                    let (codes, ll000) = losslint_findings(&stdout).unwrap_or_else(|err| {
                        println!(
                            "warning: {} is not losslint's JSON ({err}); no findings counted",
                            path.display()
                        );
                        (BTreeMap::new(), 0)
                    });
                    match &findings {
                        None => {
                            findings = Some(codes);
                            ll000_files = ll000;
                        }
                        Some(first) if *first != codes => println!(
                            "warning: losslint at {threads} threads found {codes:?}, \
                             differing from {first:?}"
                        ),
                        Some(_) => {}
                    }
                }
                Tool::RuffDefault | Tool::RuffAll if threads == options.threads[0] => {
                    println!(
                        "{}: {}",
                        tool.label(),
                        ruff_found(&stdout).unwrap_or_else(|| "no summary line".to_string())
                    );
                }
                Tool::RuffDefault | Tool::RuffAll => {}
            }
        }
    }
    let findings = findings.unwrap_or_default();
    let total: usize = findings.values().sum();
    let per_code: Vec<String> = findings.iter().map(|(c, n)| format!("{c} {n}")).collect();
    println!(
        "losslint: {total} findings ({}); LL000 on {ll000_files} files",
        if per_code.is_empty() {
            "none".to_string()
        } else {
            per_code.join(", ")
        }
    );

    if let Some(load) = load_average() {
        println!(
            "load average (1 min) before timing: {load} (figures compare only on an idle machine)"
        );
    }
    // Timed rounds: every tool at every thread count once per round, so that a change of load
    // during the bench spreads over all of them.
    let mut samples: BTreeMap<(usize, usize), Vec<Sample>> = BTreeMap::new();
    eprintln!(
        "timing {} rounds of {} runs",
        options.runs,
        Tool::ALL.len() * options.threads.len()
    );
    for _ in 0..options.runs {
        for &threads in &options.threads {
            for (index, tool) in Tool::ALL.into_iter().enumerate() {
                let (sample, _, _) =
                    run_once(tool, programs.command(tool, &tree, threads), Stdio::null())?;
                samples.entry((threads, index)).or_default().push(sample);
            }
        }
    }
    println!("{}", table(&samples, options, counts.py));
    if read_nothing {
        println!(
            "note: losslint read no source file here (it says so on standard error): its times \
             and the ratios measure its start-up, not linting"
        );
    }
    Ok(())
}

/// The timing table and the ratios.
fn table(
    samples: &BTreeMap<(usize, usize), Vec<Sample>>,
    options: &PythonOptions,
    py_files: usize,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n{:>7}  {:<20}  {:>8}  {:>8}  {:>8}  {:>8}  runs (s)",
        "threads", "tool", "median s", "min s", "files/s", "cpu/wall"
    );
    let stats = |threads: usize, index: usize| {
        let runs = samples.get(&(threads, index))?;
        let walls: Vec<Duration> = runs.iter().map(|s| s.wall).collect();
        let min = walls.iter().min().copied()?;
        let mid = median(&walls);
        // CPU over wall of all runs together (the CPU clock ticks every 10 ms): ~1 on one
        // thread, up to the thread count.
        let cpu: Option<Duration> = runs.iter().map(|s| s.cpu).sum();
        let wall: Duration = walls.iter().sum();
        let cpu_ratio = cpu.map(|cpu| cpu.as_secs_f64() / wall.as_secs_f64());
        Some((mid, min, cpu_ratio, walls))
    };
    for &threads in &options.threads {
        for (index, tool) in Tool::ALL.into_iter().enumerate() {
            let Some((mid, min, cpu_ratio, walls)) = stats(threads, index) else {
                continue;
            };
            let runs: Vec<String> = walls
                .iter()
                .map(|t| format!("{:.3}", t.as_secs_f64()))
                .collect();
            let _ = writeln!(
                out,
                "{threads:>7}  {:<20}  {:>8.3}  {:>8.3}  {:>8.0}  {:>8}  {}",
                tool.label(),
                mid.as_secs_f64(),
                min.as_secs_f64(),
                py_files as f64 / mid.as_secs_f64(),
                cpu_ratio.map_or_else(|| "-".to_string(), |r| format!("{r:.2}")),
                runs.join(" ")
            );
        }
    }
    let _ = writeln!(
        out,
        "\nratio of wall times, ruff over losslint (> 1: losslint faster), median (min):"
    );
    let _ = writeln!(
        out,
        "{:>7}  {:>24}  {:>24}",
        "threads", "ruff-default/losslint", "ruff-ALL/losslint"
    );
    for &threads in &options.threads {
        let ratio = |index: usize| {
            let (ours, ours_min, _, _) = stats(threads, 0)?;
            let (theirs, theirs_min, _, _) = stats(threads, index)?;
            Some(format!(
                "{:.2} ({:.2})",
                theirs.as_secs_f64() / ours.as_secs_f64(),
                theirs_min.as_secs_f64() / ours_min.as_secs_f64()
            ))
        };
        let _ = writeln!(
            out,
            "{threads:>7}  {:>24}  {:>24}",
            ratio(1).unwrap_or_default(),
            ratio(2).unwrap_or_default()
        );
    }
    out
}

/// losslint's findings per code, and the number of distinct files with an LL000.
fn losslint_findings(json: &str) -> Result<(BTreeMap<String, usize>, usize)> {
    let value: Value = serde_json::from_str(json)?;
    let findings = value.as_array().context("not a JSON array")?;
    let mut codes = BTreeMap::new();
    let mut ll000 = BTreeSet::new();
    for finding in findings {
        let code = finding["code"].as_str().unwrap_or("?").to_string();
        if code == "LL000" {
            ll000.insert(finding["path"].as_str().unwrap_or_default().to_string());
        }
        *codes.entry(code).or_insert(0) += 1;
    }
    Ok((codes, ll000.len()))
}

/// Ruff's summary line (`Found 12 errors.`, `All checks passed!`) from its text output.
fn ruff_found(stdout: &str) -> Option<String> {
    stdout
        .lines()
        .rev()
        .find(|l| l.starts_with("Found ") || l.starts_with("All checks passed"))
        .map(str::to_string)
}

/// Sizes of the tree: `.py` and `.pyi` files, their lines and bytes.
#[derive(Debug, Default)]
struct Counts {
    py: usize,
    pyi: usize,
    lines: usize,
    bytes: u64,
}

fn count_sources(dir: &Path) -> Result<Counts> {
    let mut counts = Counts::default();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("cannot read {}", dir.display()))?
        {
            let entry = entry?;
            let path = entry.path();
            let kind = entry.file_type()?;
            if kind.is_dir() {
                stack.push(path);
                continue;
            }
            match path.extension().and_then(|e| e.to_str()) {
                Some("py") => counts.py += 1,
                Some("pyi") => counts.pyi += 1,
                _ => continue,
            }
            let text = std::fs::read(&path)?;
            counts.bytes += text.len() as u64;
            counts.lines += text.split(|&b| b == b'\n').count() - 1;
        }
    }
    Ok(counts)
}

/// The extracted sources of `spec` (`NAME==VERSION`) in `target/bench-python/NAME-VERSION/`:
/// reused when a complete extraction is there, otherwise downloaded with
/// `python3 -m pip download --no-deps` (a wheel, or an sdist when there is no wheel) and
/// extracted with Python's `zipfile` / `tarfile`.
fn fetch_package(spec: &str) -> Result<PathBuf> {
    let (name, version) = parse_package(spec)?;
    let cache = root().join(CACHE_DIR);
    let tree = cache.join(format!("{name}-{version}"));
    if tree.join(DONE_MARKER).is_file() {
        return Ok(tree);
    }
    let download = cache.join("download").join(format!("{name}-{version}"));
    std::fs::create_dir_all(&download)
        .with_context(|| format!("cannot create {}", download.display()))?;
    let archive = if let Some(archive) = find_archive(&download)? {
        archive
    } else {
        let dest = download.to_str().context("non-UTF-8 path")?;
        crate::run(
            "python3",
            &["-m", "pip", "download", "--no-deps", spec, "-d", dest],
            &[],
        )?;
        find_archive(&download)?
            .with_context(|| format!("pip downloaded no archive into {dest}"))?
    };
    let partial = cache.join(format!("{name}-{version}.partial"));
    for stale in [&partial, &tree] {
        if stale.exists() {
            std::fs::remove_dir_all(stale)
                .with_context(|| format!("cannot remove {}", stale.display()))?;
        }
    }
    std::fs::create_dir_all(&partial)?;
    let file_name = archive.to_string_lossy().into_owned();
    let zipped = archive
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("whl") || e.eq_ignore_ascii_case("zip"));
    let module = if zipped { "zipfile" } else { "tarfile" };
    crate::run(
        "python3",
        &[
            "-m",
            module,
            "-e",
            &file_name,
            partial.to_str().context("non-UTF-8 path")?,
        ],
        &[],
    )?;
    std::fs::write(partial.join(DONE_MARKER), format!("{spec}\n"))?;
    std::fs::rename(&partial, &tree)
        .with_context(|| format!("cannot rename {} to {}", partial.display(), tree.display()))?;
    Ok(tree)
}

/// The archive pip left in `dir`, a wheel first.
fn find_archive(dir: &Path) -> Result<Option<PathBuf>> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.to_string_lossy();
            [".whl", ".tar.gz", ".tgz", ".zip", ".tar.bz2"]
                .iter()
                .any(|ext| name.ends_with(ext))
        })
        .collect();
    found.sort_by_key(|p| !p.to_string_lossy().ends_with(".whl"));
    Ok(found.into_iter().next())
}

/// `--ruff PATH`, else `ruff` on `PATH`, else `../ruffenv/bin/ruff` beside the checkout,
/// created with `python3 -m venv` and `pip install ruff` when missing.
fn find_ruff(explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(path) = explicit {
        if version_of(path).is_none() {
            bail!("--ruff {}: `ruff --version` does not run", path.display());
        }
        return Ok(path.to_path_buf());
    }
    let on_path = PathBuf::from("ruff");
    if version_of(&on_path).is_some() {
        return Ok(on_path);
    }
    let venv = root().join(RUFF_VENV);
    let bin = venv.join(if cfg!(windows) { "Scripts" } else { "bin" });
    let ruff = bin.join(if cfg!(windows) { "ruff.exe" } else { "ruff" });
    if version_of(&ruff).is_some() {
        return Ok(ruff);
    }
    let python = bin.join(if cfg!(windows) {
        "python.exe"
    } else {
        "python"
    });
    if !python.is_file() {
        crate::run(
            "python3",
            &["-m", "venv", venv.to_str().context("non-UTF-8 path")?],
            &[],
        )?;
    }
    crate::run(
        python.to_str().context("non-UTF-8 path")?,
        &["-m", "pip", "install", "--quiet", "ruff"],
        &[],
    )?;
    if version_of(&ruff).is_none() {
        bail!(
            "installed ruff into {}, but {} does not run",
            venv.display(),
            ruff.display()
        );
    }
    Ok(ruff)
}

/// The first line of `program --version`, if it runs.
fn version_of(program: &Path) -> Option<String> {
    let output = Command::new(program).arg("--version").output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout);
    Some(text.lines().next().unwrap_or_default().trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn parses_options() {
        let options = PythonOptions::parse(&args(&[])).unwrap();
        assert_eq!(options.package, DEFAULT_PACKAGE);
        assert_eq!((options.runs, options.threads.clone()), (5, vec![1, 2]));
        let options = PythonOptions::parse(&args(&[
            "--package",
            "torch==2.5.1",
            "--runs",
            "3",
            "--threads",
            "2",
            "--ruff",
            "/x/ruff",
            "--ruff-output-format",
            "full",
        ]))
        .unwrap();
        assert_eq!(options.ruff_format, "full");
        assert_eq!(options.package, "torch==2.5.1");
        assert_eq!((options.runs, options.threads), (3, vec![2]));
        assert_eq!(options.ruff, Some(PathBuf::from("/x/ruff")));
        assert!(PythonOptions::parse(&args(&["--runs", "0"])).is_err());
        assert!(PythonOptions::parse(&args(&["--package", "transformers"])).is_err());
        assert!(PythonOptions::parse(&args(&["--package", "../x==1"])).is_err());
        assert!(PythonOptions::parse(&args(&["--bogus"])).is_err());
    }

    #[test]
    fn splits_package_specs() {
        assert_eq!(
            parse_package("transformers==5.24.0").unwrap(),
            ("transformers", "5.24.0")
        );
        assert!(parse_package("a==").is_err());
        assert!(parse_package("a/b==1").is_err());
    }

    #[test]
    fn counts_losslint_findings_and_ll000_files() {
        let json = r#"[
            {"code": "LL001", "path": "a.py"},
            {"code": "LL000", "path": "b.py"},
            {"code": "LL000", "path": "b.py"},
            {"code": "LL000", "path": "c.py"}
        ]"#;
        let (codes, ll000) = losslint_findings(json).unwrap();
        assert_eq!(codes.get("LL001"), Some(&1));
        assert_eq!(codes.get("LL000"), Some(&3));
        assert_eq!(ll000, 2);
        assert_eq!(losslint_findings("[]\n").unwrap().1, 0);
        assert!(losslint_findings("No source files were checked.").is_err());
    }

    #[test]
    fn finds_ruff_summary() {
        let out =
            "x.py:1:1: F401 unused\nFound 3 errors.\n[*] 1 fixable with the `--fix` option.\n";
        assert_eq!(ruff_found(out).as_deref(), Some("Found 3 errors."));
        assert_eq!(
            ruff_found("All checks passed!\n").as_deref(),
            Some("All checks passed!")
        );
    }

    #[test]
    fn reads_child_cpu_time() {
        if cfg!(target_os = "linux") {
            assert!(children_cpu().is_some());
        }
    }
}
