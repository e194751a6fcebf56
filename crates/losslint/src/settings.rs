//! Validated settings: the rule registry, the run-wide settings made from the command line,
//! and the settings of one file (closest configuration + matching overrides + command line).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use lossfit_stats::{ImbalancePolicy, ReadOptions, TaskHint, WeightScheme};

use crate::args::{CheckArgs, ClassesArg, ColorArg, FormatArg, TaskArg};
use crate::config::{ConfigError, ConfigFile, ImbalanceOptions, LabelPath, LabelsOptions};
use crate::facts::{ApiStyle, DeclaredTask, LossSite, Origin, Role};
use crate::render::OutputFormat;
use crate::rules::{Level, Rule};
use crate::suppress::UNUSED_SUPPRESSION;

/// Errors that stop a run before any file is linted (exit 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// A rule selector on the command line names no rule.
    #[error(
        "unknown rule `{selector}` in `--{flag}`: use a code (`LL001`), a name \
         (`implicit-reduction`) or `all`; `losslint rules` lists them"
    )]
    UnknownRule {
        flag: &'static str,
        selector: String,
    },
    /// An invalid configuration file.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Any other invalid flag value.
    #[error("{0}")]
    Invalid(String),
}

/// Every rule the engine knows: the rule modules' table plus the engine's own
/// (LL011 `unused-suppression`), in code order.
#[derive(Clone)]
pub struct Registry {
    rules: Vec<&'static dyn Rule>,
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.rules.iter().map(|r| r.code()))
            .finish()
    }
}

impl Registry {
    /// The given rules plus the engine's own.
    #[must_use]
    pub fn new(rules: &[&'static dyn Rule]) -> Self {
        let mut all: Vec<&'static dyn Rule> = rules.to_vec();
        if !all.iter().any(|r| r.code() == UNUSED_SUPPRESSION.code()) {
            all.push(&UNUSED_SUPPRESSION);
        }
        all.sort_by_key(|r| r.code());
        all.dedup_by_key(|r| r.code());
        Self { rules: all }
    }

    /// [`crate::rules::all`] plus the engine's own rules.
    #[must_use]
    pub fn standard() -> Self {
        Self::new(crate::rules::all())
    }

    /// The rules, in code order.
    #[must_use]
    pub fn rules(&self) -> &[&'static dyn Rule] {
        &self.rules
    }

    /// The rule with this code or name (ASCII case ignored).
    #[must_use]
    pub fn get(&self, code_or_name: &str) -> Option<&'static dyn Rule> {
        let key = code_or_name.trim();
        self.rules
            .iter()
            .copied()
            .find(|r| r.code().eq_ignore_ascii_case(key) || r.name().eq_ignore_ascii_case(key))
    }

    /// The codes a selector names: one rule by code or name, or every rule for `all`.
    #[must_use]
    pub fn select(&self, selector: &str) -> Option<Vec<&'static str>> {
        if selector.trim().eq_ignore_ascii_case("all") {
            return Some(self.rules.iter().map(|r| r.code()).collect());
        }
        self.get(selector).map(|r| vec![r.code()])
    }

    fn select_all(
        &self,
        flag: &'static str,
        selectors: &[String],
    ) -> Result<Vec<&'static str>, SettingsError> {
        let mut codes = Vec::new();
        for selector in selectors.iter().filter(|s| !s.trim().is_empty()) {
            codes.extend(
                self.select(selector)
                    .ok_or_else(|| SettingsError::UnknownRule {
                        flag,
                        selector: selector.clone(),
                    })?,
            );
        }
        Ok(codes)
    }
}

/// The level of every rule for one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleLevels {
    levels: BTreeMap<&'static str, Level>,
}

impl RuleLevels {
    /// Every rule at its default level.
    #[must_use]
    pub fn defaults(registry: &Registry) -> Self {
        Self {
            levels: registry
                .rules()
                .iter()
                .map(|r| (r.code(), r.default_level()))
                .collect(),
        }
    }

    /// The level of a code (a code no rule has is reported as a warning).
    #[must_use]
    pub fn get(&self, code: &str) -> Level {
        self.levels.get(code).copied().unwrap_or(Level::Warn)
    }

    /// Sets the level of a code.
    pub fn set(&mut self, code: &'static str, level: Level) {
        self.levels.insert(code, level);
    }

    /// `(code, level)` in code order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, Level)> + '_ {
        self.levels.iter().map(|(c, l)| (*c, *l))
    }
}

/// Where the configuration comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigMode {
    /// The closest configuration above each file.
    Discover,
    /// One file for everything (`--config`).
    File(PathBuf),
    /// None (`--isolated`).
    Isolated,
}

/// What happens to fixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixMode {
    /// Report them.
    Report,
    /// Apply them and write the files (`--fix`).
    Apply,
    /// Print the diff they would make (`--diff`).
    Diff,
}

/// When to color human output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// The command line's say over rules, labels and imbalance (it overrides every configuration).
#[derive(Clone, Debug, Default)]
pub struct CliOverrides {
    /// `--select`: only these rules run.
    pub select: Option<Vec<&'static str>>,
    pub ignore: Vec<&'static str>,
    pub warn: Vec<&'static str>,
    pub deny: Vec<&'static str>,
    /// `--labels` (path), `--labels-column`, `--task`, `--classes`.
    pub labels: LabelsOptions,
    /// `--max-ratio`, `--weights`.
    pub imbalance: ImbalanceOptions,
}

/// The validated settings of `losslint check`.
#[derive(Clone, Debug)]
#[allow(clippy::struct_excessive_bools)] // independent flags
pub struct CheckSettings {
    /// What to lint.
    pub paths: Vec<PathBuf>,
    /// No path was given: `.` is linted and shown without its `./` prefix.
    pub default_path: bool,
    pub config: ConfigMode,
    pub cli: CliOverrides,
    pub fix: FixMode,
    pub unsafe_fixes: bool,
    pub threads: Option<usize>,
    pub max_file_size: u64,
    pub format: OutputFormat,
    pub exit_zero: bool,
    pub quiet: bool,
    pub statistics: bool,
    pub color: ColorChoice,
}

impl CheckSettings {
    /// Validates the command line.
    ///
    /// # Errors
    /// A rule selector names no rule, or `--weights`, `--max-ratio`, `--threads` or
    /// `--classes` has a wrong value.
    pub fn from_args(args: CheckArgs, registry: &Registry) -> Result<Self, SettingsError> {
        let select = if args.select.is_empty() {
            None
        } else {
            Some(registry.select_all("select", &args.select)?)
        };
        let labels = LabelsOptions {
            path: args.labels.as_ref().map(|p| LabelPath {
                resolved: p.clone(),
                written: p.display().to_string(),
            }),
            column: args.labels_column.clone(),
            label_columns: None,
            extensions: None,
            task: args.task.map(task_hint),
            classes: args.classes.as_ref().and_then(ClassesArg::count),
            class_names: args.classes.as_ref().and_then(ClassesArg::names),
            allow_outside_root: args.allow_labels_outside.then_some(true),
        };
        let max_ratio = match args.max_ratio {
            Some(r) if !(r.is_finite() && r >= 1.0) => {
                return Err(SettingsError::Invalid(format!(
                    "`--max-ratio {r}`: the ratio must be a number >= 1.0"
                )));
            }
            r => r,
        };
        let weights = args
            .weights
            .as_deref()
            .map(str::parse::<WeightScheme>)
            .transpose()
            .map_err(|e| SettingsError::Invalid(format!("`--weights`: {e}")))?;
        if args.threads == Some(0) {
            return Err(SettingsError::Invalid(
                "`--threads` must be at least 1".into(),
            ));
        }
        let default_path = args.paths.is_empty();
        let paths = if default_path {
            vec![PathBuf::from(".")]
        } else {
            args.paths
        };
        let config = match (args.config, args.isolated) {
            (Some(path), _) => ConfigMode::File(path),
            (None, true) => ConfigMode::Isolated,
            (None, false) => ConfigMode::Discover,
        };
        let fix = if args.diff {
            FixMode::Diff
        } else if args.fix {
            FixMode::Apply
        } else {
            FixMode::Report
        };
        Ok(Self {
            paths,
            default_path,
            config,
            cli: CliOverrides {
                select,
                ignore: registry.select_all("ignore", &args.ignore)?,
                warn: registry.select_all("warn", &args.warn)?,
                deny: registry.select_all("deny", &args.deny)?,
                labels,
                imbalance: ImbalanceOptions { max_ratio, weights },
            },
            fix,
            unsafe_fixes: args.unsafe_fixes,
            threads: args.threads,
            max_file_size: args.max_file_size,
            format: match args.format {
                FormatArg::Human => OutputFormat::Human,
                FormatArg::Json => OutputFormat::Json,
                FormatArg::Sarif => OutputFormat::Sarif,
                FormatArg::Github => OutputFormat::Github,
                FormatArg::Gitlab => OutputFormat::Gitlab,
                FormatArg::Junit => OutputFormat::Junit,
            },
            exit_zero: args.exit_zero,
            quiet: args.quiet,
            statistics: args.statistics,
            color: match args.color {
                ColorArg::Auto => ColorChoice::Auto,
                ColorArg::Always => ColorChoice::Always,
                ColorArg::Never => ColorChoice::Never,
            },
        })
    }
}

/// `--task` as the statistics crate spells it.
#[must_use]
pub fn task_hint(task: TaskArg) -> TaskHint {
    match task {
        TaskArg::Multiclass => TaskHint::MultiClass,
        TaskArg::Multilabel => TaskHint::MultiLabel,
        TaskArg::Binary => TaskHint::Binary,
    }
}

/// The settings of one file.
#[derive(Clone, Debug)]
pub struct FileSettings {
    pub levels: RuleLevels,
    /// The configured label binding (before a site's own directive).
    pub labels: LabelsOptions,
    pub policy: ImbalancePolicy,
    pub scheme: WeightScheme,
    /// The project root label paths must stay inside: the configuration's directory, else
    /// the path checked.
    pub label_root: PathBuf,
    /// Whether the configured binding is the command line's `--labels` (the user named that
    /// file: it may be anywhere).
    pub labels_from_cli: bool,
}

/// A label file to read for a site, and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelRequest {
    pub path: LabelPath,
    pub options: ReadOptions,
}

impl FileSettings {
    /// The settings of `file`: defaults, then its configuration (with the overrides matching
    /// it), then the command line.
    #[must_use]
    pub fn resolve(
        registry: &Registry,
        config: Option<&ConfigFile>,
        file: &Path,
        checked_root: &Path,
        cli: &CliOverrides,
    ) -> Self {
        let mut levels = RuleLevels::defaults(registry);
        let mut labels = LabelsOptions::default();
        let mut imbalance = ImbalanceOptions::default();
        if let Some(config) = config {
            let options = config.options_for(file);
            for setting in &options.rules {
                for code in &setting.codes {
                    levels.set(code, setting.level);
                }
            }
            labels = options.labels;
            imbalance = options.imbalance;
        }
        apply_cli_levels(registry, &mut levels, cli);
        if cli.labels.path.is_some() {
            // A label file on the command line replaces the configured binding entirely: a
            // column or class count written for another file would not fit it.
            labels = cli.labels.clone();
        } else {
            labels.merge(&cli.labels);
        }
        imbalance.merge(&cli.imbalance);
        let label_root = config.map_or_else(|| checked_root.to_path_buf(), |c| c.dir.clone());
        Self {
            levels,
            label_root,
            labels_from_cli: cli.labels.path.is_some(),
            labels,
            policy: ImbalancePolicy {
                max_ratio: imbalance
                    .max_ratio
                    .unwrap_or(ImbalancePolicy::DEFAULT_MAX_RATIO),
            },
            scheme: imbalance.weights.unwrap_or_default(),
        }
    }

    /// Whether a label file may be read: inside the project root, or named on the command
    /// line, or allowed outside (`allow_outside_root = true`, `--allow-labels-outside`).
    ///
    /// # Errors
    /// The message for a path outside the root (the file is then not read).
    pub fn confine(&self, request: &LabelRequest) -> Result<(), String> {
        let named_on_cli = self.labels_from_cli && self.labels.path.as_ref() == Some(&request.path);
        if named_on_cli || self.labels.allow_outside_root == Some(true) {
            return Ok(());
        }
        // A glob pattern is confined by the directory its matches lie under.
        let Some(base) = lossfit_stats::read_root(&request.path.resolved) else {
            return Err(format!(
                "label pattern `{}` has a `..` after a wildcard, so its files could lie \
                 anywhere: not read; write the pattern without climbing out of its directory",
                request.path.written
            ));
        };
        // A path that does not exist is the reader's to report.
        let Ok(file) = std::fs::canonicalize(&base) else {
            return Ok(());
        };
        // `Path::new("")` (a configuration in the current directory) is `.`.
        let root = if self.label_root.as_os_str().is_empty() {
            Path::new(".")
        } else {
            self.label_root.as_path()
        };
        let Ok(root) = std::fs::canonicalize(root) else {
            return Err(format!(
                "the project root `{}` cannot be resolved, so label file `{}` is not read",
                self.label_root.display(),
                request.path.written
            ));
        };
        if file.starts_with(&root) {
            return Ok(());
        }
        Err(format!(
            "label file `{}` is outside the project root `{}`: not read (a label path leaving \
             the project could expose any file); move it into the project, or allow it with \
             `allow_outside_root = true` in `[labels]` or `--allow-labels-outside`",
            request.path.written,
            self.label_root.display()
        ))
    }

    /// The label file bound to a site: its own `labels`, else the configured binding (for
    /// classification losses only). `None` when nothing is bound.
    ///
    /// A site's own path is relative to `file_dir` for an inline directive, and to the crate
    /// root (`crate_root`, the closest directory with a `Cargo.toml`) for a derive head's
    /// `labels` key, because that is where `#[derive(ModelOutput)]` itself reads it from
    /// (`CARGO_MANIFEST_DIR`).
    #[must_use]
    pub fn label_request(
        &self,
        site: &LossSite,
        file_dir: &Path,
        crate_root: Option<&Path>,
    ) -> Option<LabelRequest> {
        if let Some(written) = site.labels.as_deref() {
            let base = match (site.style, crate_root) {
                (ApiStyle::LossfitDerive, Some(root)) => root,
                _ => file_dir,
            };
            // A directive names only a file: the column and class count of the configured
            // binding belong to another file. The task the code declares still applies.
            let task = match site.declared_task {
                Some(DeclaredTask::MultiClass) => Some(TaskHint::MultiClass),
                Some(DeclaredTask::MultiLabel) => Some(TaskHint::MultiLabel),
                Some(DeclaredTask::Binary) => Some(TaskHint::Binary),
                _ => None,
            };
            return Some(LabelRequest {
                path: LabelPath {
                    resolved: base.join(written),
                    written: written.to_string(),
                },
                options: ReadOptions {
                    task,
                    ..ReadOptions::default()
                },
            });
        }
        // Project-level labels describe the class labels: they bind the classification losses
        // of the files they cover, not a regression head beside them (a detector's boxes),
        // unless that loss's target is traced to class labels.
        let on_labels = site.arguments.iter().any(|argument| {
            argument.role == Role::Target && matches!(argument.origin, Origin::ClassLabels { .. })
        });
        if !site.loss.is_classification() && !on_labels {
            return None;
        }
        let path = self.labels.path.clone()?;
        Some(LabelRequest {
            path,
            options: ReadOptions {
                format: None,
                column: self.labels.column.clone(),
                label_columns: self.labels.label_columns.clone(),
                task: self.labels.task,
                classes: self.labels.classes,
                class_names: self.labels.class_names.clone(),
                extensions: self.labels.extensions.clone(),
            },
        })
    }
}

fn apply_cli_levels(registry: &Registry, levels: &mut RuleLevels, cli: &CliOverrides) {
    if let Some(select) = &cli.select {
        for rule in registry.rules() {
            let code = rule.code();
            if !select.contains(&code) {
                levels.set(code, Level::Allow);
            } else if levels.get(code) == Level::Allow {
                let level = match rule.default_level() {
                    Level::Allow => Level::Warn,
                    other => other,
                };
                levels.set(code, level);
            }
        }
    }
    for code in &cli.ignore {
        levels.set(code, Level::Allow);
    }
    for code in &cli.warn {
        levels.set(code, Level::Warn);
    }
    for code in &cli.deny {
        levels.set(code, Level::Deny);
    }
}

/// The task a binding declares, as the rules see it.
#[must_use]
pub fn declared_task(task: Option<TaskHint>) -> Option<DeclaredTask> {
    task.map(|t| match t {
        TaskHint::MultiClass => DeclaredTask::MultiClass,
        TaskHint::MultiLabel => DeclaredTask::MultiLabel,
        TaskHint::Binary => DeclaredTask::Binary,
    })
}
