//! The `losslint` binary: parses the command line, runs the subcommand, maps the outcome to an
//! exit status (0 clean, 1 findings at the `deny` level, 2 usage, configuration or I/O errors).

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Parser;
use losslint::args::{Cli, Command, ExplainArgs, ListFormatArg, RulesArgs, StatsArgs};
use losslint::engine::Engine;
use losslint::render::{self, RenderOptions};
use losslint::rules::Level;
use losslint::settings::{CheckSettings, ColorChoice, FixMode, Registry};
use losslint::stats_cmd::{self, StatsOptions};

/// mimalloc: a run allocates and frees a syntax tree per file on every thread; glibc's malloc
/// took a quarter of the time on a large Python tree (`cargo xtask bench lint-python`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Files at least this large get a progress line while `stats` reads them.
const PROGRESS_THRESHOLD: u64 = 100 * 1024 * 1024;

fn main() -> ExitCode {
    // clap exits with status 2 on a usage error, as ruff and ripgrep do.
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Check(args) => check(args),
        Command::Explain(args) => explain(&args),
        Command::Rules(args) => rules(&args),
        Command::Stats(args) => stats(args),
        Command::Server(_) => {
            losslint::server::run()?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn check(args: losslint::args::CheckArgs) -> anyhow::Result<ExitCode> {
    let engine = Engine::standard();
    let settings = CheckSettings::from_args(args, engine.registry())?;
    let report = engine.check(&settings)?;
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    let mut out = io::BufWriter::new(io::stdout().lock());
    if settings.fix == FixMode::Diff {
        render::diff(&mut out, &report)?;
    } else {
        let options = RenderOptions {
            format: settings.format,
            color: use_color(settings.color),
            quiet: settings.quiet,
            statistics: settings.statistics,
            unsafe_fixes: settings.unsafe_fixes,
            fix_mode: settings.fix,
        };
        render::report(&mut out, &report, engine.registry(), options)?;
    }
    out.flush()?;
    drop(out);
    for error in &report.errors {
        eprintln!("error: {error}");
    }
    Ok(if !report.errors.is_empty() {
        ExitCode::from(2)
    } else if settings.fix == FixMode::Diff {
        if report.changes.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        }
    } else if report.count(Level::Deny) > 0 && !settings.exit_zero {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn explain(args: &ExplainArgs) -> anyhow::Result<ExitCode> {
    let registry = Registry::standard();
    let Some(rule) = registry.get(&args.rule) else {
        bail!(
            "unknown rule `{}`: use a code (`LL003`) or a name (`softmax-before-cross-entropy`); \
             `losslint rules` lists them",
            args.rule
        );
    };
    render::explain(&mut io::stdout().lock(), rule)?;
    Ok(ExitCode::SUCCESS)
}

fn rules(args: &RulesArgs) -> anyhow::Result<ExitCode> {
    let registry = Registry::standard();
    render::rules_table(
        &mut io::stdout().lock(),
        &registry,
        args.format == ListFormatArg::Json,
    )?;
    Ok(ExitCode::SUCCESS)
}

fn stats(args: StatsArgs) -> anyhow::Result<ExitCode> {
    let options = StatsOptions::from_args(args)?;
    let terminal = io::stderr().is_terminal();
    let mut last_percent = None;
    let files = stats_cmd::read(&options, &mut |path, read, total| {
        if total < PROGRESS_THRESHOLD {
            return;
        }
        let percent = (read.saturating_mul(100) / total.max(1)).min(100);
        if last_percent == Some(percent) {
            return;
        }
        let started = last_percent.is_none();
        last_percent = Some(percent);
        let megabytes = |b: u64| b / (1024 * 1024);
        if terminal {
            eprint!(
                "\rreading {}: {percent:>3}% ({} of {} MiB)",
                path.display(),
                megabytes(read),
                megabytes(total)
            );
            if read >= total {
                eprintln!();
                last_percent = None;
            }
        } else if started {
            eprintln!("reading {} ({} MiB)...", path.display(), megabytes(total));
        } else if read >= total {
            last_percent = None;
        }
    })?;
    if let (Some(path), Some(file)) = (&options.emit_counts, files.first()) {
        stats_cmd::emit_counts(path, &file.stats)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    stats_cmd::render(&mut io::stdout().lock(), &files, &options)?;
    Ok(ExitCode::SUCCESS)
}

/// Colors for `--color auto` when stdout is a terminal and `NO_COLOR` is not set.
fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
        }
    }
}

/// `losslint check | head` closing the pipe is not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}
