//! `cargo xtask bench labels`: losslint counting a Parquet label column against DuckDB's
//! `GROUP BY`, in the same run (the driver is `xtask/bench/labels.py`).

use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::root;

/// The driver, relative to the workspace root.
const DRIVER: &str = "xtask/bench/labels.py";

/// The options of `bench labels`.
#[derive(Debug)]
pub(crate) struct LabelsOptions {
    rows: u64,
    shards: u32,
    threads: String,
    runs: u32,
}

impl LabelsOptions {
    pub(crate) fn parse(args: &[String]) -> Result<Self> {
        let mut options = LabelsOptions {
            rows: 100_000_000,
            shards: 16,
            threads: "1,2".to_string(),
            runs: 7,
        };
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let mut value = |name: &str| {
                it.next()
                    .with_context(|| format!("{name} needs a value\n\n{}", super::USAGE))
            };
            match arg.as_str() {
                "--rows" => {
                    options.rows = value("--rows")?.parse().context("--rows: not a number")?;
                }
                "--shards" => {
                    options.shards = value("--shards")?
                        .parse()
                        .context("--shards: not a number")?;
                }
                "--threads" => options.threads.clone_from(value("--threads")?),
                "--runs" => {
                    options.runs = value("--runs")?.parse().context("--runs: not a number")?;
                }
                other => bail!("unknown option `{other}`\n\n{}", super::USAGE),
            }
        }
        if options.rows == 0 || options.shards == 0 || options.runs == 0 {
            bail!("--rows, --shards and --runs must be at least 1");
        }
        Ok(options)
    }
}

/// Builds losslint in release, gets DuckDB into the tools' virtual environment and runs the
/// driver.
pub(crate) fn labels(options: &LabelsOptions) -> Result<()> {
    let losslint = super::build_losslint()?;
    let bin = crate::dist::tools(&["duckdb>=1"])?;
    let data = root().join(format!(
        "target/bench-labels/{}-rows-{}-shards",
        options.rows, options.shards
    ));
    let out = root().join("target/bench/labels");
    let status = Command::new(bin.join("python"))
        .arg(root().join(DRIVER))
        .arg("--losslint")
        .arg(&losslint)
        .arg("--data")
        .arg(&data)
        .arg("--out")
        .arg(&out)
        .args(["--rows", &options.rows.to_string()])
        .args(["--shards", &options.shards.to_string()])
        .args(["--threads", &options.threads])
        .args(["--runs", &options.runs.to_string()])
        .status()
        .with_context(|| format!("cannot start {DRIVER}"))?;
    if !status.success() {
        bail!("{DRIVER} failed ({status})");
    }
    Ok(())
}
