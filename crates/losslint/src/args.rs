//! The command line as clap parses it: raw, unvalidated flags (`settings.rs` validates them).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// A CI linter for ML loss misuse.
///
/// losslint reads training code (Rust; Python later) and label statistics and reports losses
/// used in ways that silently train the wrong thing: implicit reductions, unweighted losses on
/// imbalanced labels, softmax before cross-entropy, and more. It never runs your code.
#[derive(Debug, Parser)]
#[command(name = "losslint", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint files and directories (default: the current directory).
    Check(CheckArgs),
    /// Print a rule's documentation: `losslint explain LL003` or `losslint explain softmax-before-cross-entropy`.
    Explain(ExplainArgs),
    /// List every rule: code, name, default level, summary.
    Rules(RulesArgs),
    /// Class distribution, imbalance and suggested class weights of label files.
    Stats(StatsArgs),
    /// A language server on stdin/stdout: findings in the editor as you type, fixes as quick
    /// fixes (for VS Code, Neovim, Helix, ... see the README).
    Server(ServerArgs),
}

/// `losslint server`.
#[derive(Debug, Args)]
pub struct ServerArgs {}

/// `losslint check`.
#[derive(Debug, Args)]
#[command(after_long_help = CHECK_AFTER_HELP)]
#[allow(clippy::struct_excessive_bools)] // independent flags, as clap sees them
pub struct CheckArgs {
    /// Files or directories to lint. Directories are walked respecting `.gitignore`, `.ignore`
    /// and hidden files; files named explicitly are always linted.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    pub format: FormatArg,

    /// Use this configuration file for every linted file instead of discovering the closest
    /// `losslint.toml` / `pyproject.toml` / `Cargo.toml` one.
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    pub config: Option<PathBuf>,

    /// Ignore every configuration file.
    #[arg(long)]
    pub isolated: bool,

    /// Label file the losses are judged against (CSV/TSV, text, JSON counts or array, NPY, JSON
    /// Lines); overrides `[labels] path` of any configuration. A site's inline `losslint: labels = ".."`
    /// directive still wins over it.
    #[arg(long, value_name = "FILE")]
    pub labels: Option<PathBuf>,

    /// CSV/TSV column, or JSON Lines key (dotted for nested objects), holding the label
    /// (default: `label`, `labels`, `target` or `class`, else the last CSV column).
    #[arg(long, value_name = "NAME")]
    pub labels_column: Option<String>,

    /// The task the labels belong to.
    #[arg(long, value_enum)]
    pub task: Option<TaskArg>,

    /// Declared classes: a number (classes that never occur are reported), or the class names
    /// in the order of the model's outputs (`cat,dog,bird`), which names need for weights.
    #[arg(long, value_name = "N|NAMES")]
    pub classes: Option<ClassesArg>,

    /// Let label paths of configurations and `losslint: labels` directives leave the project
    /// root (the configuration's directory, or the path checked). Without it such a path is
    /// an error and the file is not read.
    #[arg(long)]
    pub allow_labels_outside: bool,

    /// Imbalance ratio (max/min class count, or neg/pos) at or above which labels count as
    /// imbalanced [default: 3.0].
    #[arg(long, value_name = "RATIO")]
    pub max_ratio: Option<f64>,

    /// Weight scheme LL002's help computes: `inverse_frequency`, `inverse_sqrt_frequency`,
    /// `effective_number` or `effective_number(BETA)` [default: `inverse_frequency`].
    #[arg(long, value_name = "SCHEME")]
    pub weights: Option<String>,

    /// Enable only these rules (codes or names, comma-separated, or `all`).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<String>,

    /// Disable these rules (codes or names, comma-separated, or `all`).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,

    /// Report these rules as warnings (codes or names, comma-separated, or `all`).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub warn: Vec<String>,

    /// Report these rules as errors: any finding fails the run (exit 1).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub deny: Vec<String>,

    /// Exit 0 even when findings are reported at the `deny` level (usage, configuration and I/O
    /// errors still exit 2).
    #[arg(long)]
    pub exit_zero: bool,

    /// Apply safe fixes, write the files, and report what remains.
    #[arg(long)]
    pub fix: bool,

    /// Also apply unsafe fixes (with `--fix` or `--diff`), and show them as applicable.
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Print a unified diff of what `--fix` would change instead of writing; exit 1 when there
    /// is something to change.
    #[arg(long, conflicts_with = "fix")]
    pub diff: bool,

    /// Print only the findings (no summary).
    #[arg(short, long)]
    pub quiet: bool,

    /// Print the number of findings per rule instead of the findings.
    #[arg(long)]
    pub statistics: bool,

    /// Number of threads [default: one per CPU].
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,

    /// Files larger than this many bytes are skipped and reported (LL000).
    #[arg(long, value_name = "BYTES", default_value_t = 10 * 1024 * 1024)]
    pub max_file_size: u64,

    /// When to color the output.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
}

const CHECK_AFTER_HELP: &str = "\
Exit status: 0 when nothing is reported at the `deny` level, 1 when something is, 2 for usage,
configuration and I/O errors.

Configuration: the closest `losslint.toml` (or `.losslint.toml`), `pyproject.toml` with
`[tool.losslint]`, or `Cargo.toml` with `[package.metadata.losslint]` /
`[workspace.metadata.losslint]` above each file applies to it (no merging between files).
Command-line flags override it.

    [labels]                        # label statistics LL002 / LL009 judge losses against
    path = \"data/train_labels.csv\"  # relative to this configuration file
    column = \"label\"                # CSV/TSV column or JSON Lines key
    task = \"multiclass\"             # multiclass | multilabel | binary
    classes = 10
    [imbalance]
    max_ratio = 3.0
    weights = \"inverse_frequency\"   # inverse_sqrt_frequency | effective_number
    [rules]
    LL001 = \"deny\"                  # allow | warn | deny; code or name; `all` first
    [[overrides]]                   # later overrides win; keys they set replace the base ones
    files = [\"src/detector/**\"]     # globs relative to this configuration file
    labels.path = \"data/detector_labels.json\"
    rules.LL002 = \"allow\"

Label binding, most specific first: a site's `// losslint: labels = \"..\"` directive (or a derive
head's `labels`, relative to the crate root), `--labels`, the last matching `[[overrides]]`
labels, `[labels]`. Each label file is read once, when a loss needs it; one that cannot be read
is an error (exit 2) naming the file and the line.

Suppression: `// losslint: allow(LL001, softmax-before-cross-entropy)` at the end of the line,
or alone on the line(s) above it; `// losslint: allow(all)`; `// losslint: allow-file(LL002)` in
the file's header (before the first item). Unused suppressions are reported as LL011.";

/// `losslint explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The rule: code (`LL003`) or name (`softmax-before-cross-entropy`).
    pub rule: String,
}

/// `losslint rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format (`human` or `json`).
    #[arg(long, value_enum, default_value_t = ListFormatArg::Human)]
    pub format: ListFormatArg,
}

/// `losslint stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Label files: CSV/TSV, text (one label per line), JSON counts or array, NPY, JSON Lines,
    /// COCO annotations, Parquet, Arrow IPC; a quoted glob of one dataset's shards
    /// (`'data/train-*.parquet'`, counted together); or directories: Parquet shards, a
    /// `save_to_disk` dataset, a directory per class (`train/<class>/*.jpg`) or YOLO labels.
    #[arg(required = true, value_name = "PATH")]
    pub files: Vec<PathBuf>,

    /// The file extensions that count in a directory per class (default: torchvision's image
    /// extensions).
    #[arg(long, value_name = "EXT,..", value_delimiter = ',')]
    pub extensions: Option<Vec<String>>,

    /// The column holding the label: a CSV/TSV header name, a JSON Lines key, a Parquet or
    /// Arrow column (dotted for nested fields).
    #[arg(long, value_name = "NAME")]
    pub column: Option<String>,

    /// The kind of labels (default: multiclass, or multilabel for 2-D NPY and positives JSON).
    #[arg(long, value_enum)]
    pub task: Option<TaskArg>,

    /// Declared classes: a number (ids must be below it, and classes that never occur are
    /// listed), or the class names in the order of the model's outputs (`cat,dog,bird`), which
    /// labels that are names need for weights.
    #[arg(long, value_name = "N|NAMES")]
    pub classes: Option<ClassesArg>,

    /// Imbalance ratio at or above which the labels count as imbalanced [default: 3.0].
    #[arg(long, value_name = "RATIO")]
    pub max_ratio: Option<f64>,

    /// Output format (`human` or `json`).
    #[arg(long, value_enum, default_value_t = ListFormatArg::Human)]
    pub format: ListFormatArg,

    /// Write the counts as JSON to this file (a small stand-in for a large label file that
    /// `[labels] path` and derive heads read back). Needs exactly one FILE.
    #[arg(long, value_name = "FILE")]
    pub emit_counts: Option<PathBuf>,
}

/// `--format` of `check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// rustc-style code frames.
    Human,
    /// A JSON array of findings (`severity`: `error` for deny, `warning` for warn).
    Json,
    /// SARIF 2.1.0 (code scanning).
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// GitLab Code Quality report (JSON; `artifacts: reports: codequality`).
    Gitlab,
    /// JUnit XML (test reports of Jenkins, GitLab, Azure Pipelines, CircleCI, ...).
    Junit,
}

/// `--format` of `rules` and `stats`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormatArg {
    Human,
    Json,
}

/// `--task`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TaskArg {
    Multiclass,
    Multilabel,
    Binary,
}

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn comma_separated_rule_lists() {
        let cli = Cli::try_parse_from([
            "losslint",
            "check",
            "--select",
            "LL001,LL003",
            "--deny",
            "LL002",
            "src",
        ])
        .unwrap();
        let Command::Check(check) = cli.command else {
            panic!("not check")
        };
        assert_eq!(check.select, ["LL001", "LL003"]);
        assert_eq!(check.deny, ["LL002"]);
        assert_eq!(check.paths, [PathBuf::from("src")]);
    }
}

/// `--classes`: a number of classes, or the class names in the order of the model's outputs.
///
/// # Example
/// ```
/// use losslint::args::ClassesArg;
///
/// assert_eq!("10".parse(), Ok(ClassesArg::Count(10)));
/// assert_eq!(
///     "cat, dog,bird".parse(),
///     Ok(ClassesArg::Names(vec!["cat".into(), "dog".into(), "bird".into()]))
/// );
/// assert!("0".parse::<ClassesArg>().is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClassesArg {
    /// The number of classes (ids `0..N`).
    Count(usize),
    /// The class names, `names[i]` being the model's output `i`.
    Names(Vec<String>),
}

impl std::str::FromStr for ClassesArg {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
            return match s.parse::<usize>() {
                Ok(0) | Err(_) => Err("a class count must be a positive integer".to_string()),
                Ok(n) => Ok(Self::Count(n)),
            };
        }
        let names: Vec<String> = s
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .collect();
        if names.is_empty() {
            return Err(
                "give a class count (`10`) or the class names in order (`cat,dog,bird`)"
                    .to_string(),
            );
        }
        Ok(Self::Names(names))
    }
}

impl ClassesArg {
    /// The declared count, when a number was given.
    #[must_use]
    pub fn count(&self) -> Option<usize> {
        match self {
            Self::Count(n) => Some(*n),
            Self::Names(_) => None,
        }
    }

    /// The declared names, when names were given.
    #[must_use]
    pub fn names(&self) -> Option<Vec<String>> {
        match self {
            Self::Count(_) => None,
            Self::Names(names) => Some(names.clone()),
        }
    }
}
