//! The lint engine: walks the paths, resolves each file's settings, parses and checks the files
//! in parallel, applies suppressions, levels and fixes, and returns a sorted [`Report`].
//!
//! Nothing here prints: `main.rs` and the renderers do. A file that cannot be read, is not
//! UTF-8 or is too large becomes an LL000 finding (at most `warn`), never an abort.

use std::collections::{BTreeSet, HashMap};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use lossfit_stats::LabelStats;
use rayon::prelude::*;

use crate::config::{self, ConfigFile, Discovery};
use crate::diagnostic::{Diagnostic, Fix};
use crate::facts::{ApiStyle, FileFacts, Language, LossSite, Pos, Span};
use crate::fix::{self, LineIndex};
use crate::frontend::Frontend;
use crate::rules::{BoundLabels, Level, RuleContext};
use crate::settings::{
    CheckSettings, ConfigMode, FileSettings, FixMode, LabelRequest, Registry, SettingsError,
    declared_task,
};
use crate::suppress::Suppressions;
use crate::walk::{self, SourceFile};

/// Code and name of the findings the engine makes itself for files it cannot lint.
const SKIPPED_CODE: &str = "LL000";
const SKIPPED_NAME: &str = "parse-error";

/// How many times `--fix` re-lints and fixes again (a fix can make room for another).
const MAX_FIX_ROUNDS: usize = 10;

/// One finding, where it is and at which level it is reported.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// The path as printed (as given on the command line, joined).
    pub path: String,
    /// For a notebook: the cell (1-based among all its cells) the finding is in; its line and
    /// column are then within that cell.
    pub cell: Option<usize>,
    /// `Warn` or `Deny` (allowed findings are dropped).
    pub level: Level,
    pub diagnostic: Diagnostic,
}

/// A file `--fix` or `--diff` changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub path: String,
    pub original: String,
    pub fixed: String,
    /// Fixes applied.
    pub fixes: usize,
}

/// The result of a run.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Sorted by path, line, column, code.
    pub findings: Vec<Finding>,
    /// The text each finding's file had when it was checked (after fixes), by
    /// [`Finding::location`] (a notebook cell's text by `path:cell N`).
    pub sources: HashMap<String, Arc<str>>,
    /// Files changed (or that `--diff` would change), in path order.
    pub changes: Vec<Change>,
    /// Errors that make the run fail with exit 2 (unreadable label files, files that could not
    /// be written), deduplicated and sorted.
    pub errors: Vec<String>,
    /// Problems worth saying that change nothing (a named file of no known language).
    pub warnings: Vec<String>,
    /// Files checked.
    pub files: usize,
}

impl Finding {
    /// Where the finding is, as messages print it: the path, or `path:cell N` in a notebook.
    #[must_use]
    pub fn location(&self) -> String {
        match self.cell {
            Some(cell) => format!("{}:cell {cell}", self.path),
            None => self.path.clone(),
        }
    }
}

impl Report {
    /// The number of findings at `level`.
    #[must_use]
    pub fn count(&self, level: Level) -> usize {
        self.findings.iter().filter(|f| f.level == level).count()
    }

    /// The number of fixes applied.
    #[must_use]
    pub fn fixes_applied(&self) -> usize {
        self.changes.iter().map(|c| c.fixes).sum()
    }
}

/// Errors that stop `check` before it lints anything (exit 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error("{}: {source}", path.display())]
    Path {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: no losslint configuration in this file", .0.display())]
    NoConfig(PathBuf),
    #[error("cannot start the worker threads: {0}")]
    Threads(String),
}

/// What one check of one text found.
#[derive(Debug, Default)]
pub struct Linted {
    /// Reported findings (not allowed, not suppressed), with their level.
    pub findings: Vec<(Level, Diagnostic)>,
    /// Label files that could not be read.
    pub errors: Vec<String>,
    /// The frontend could not parse the text.
    pub parse_failed: bool,
}

/// Label statistics read once per file and options, shared by every thread.
#[derive(Debug, Default)]
pub struct LabelCache {
    #[allow(clippy::type_complexity)]
    entries: Mutex<HashMap<String, Arc<OnceLock<Result<Arc<LabelStats>, String>>>>>,
}

impl LabelCache {
    /// The statistics of a label file, read on first use.
    ///
    /// # Errors
    /// The reader's message (it names the file and, where it applies, the line).
    pub fn get(&self, request: &LabelRequest) -> Result<Arc<LabelStats>, String> {
        let key = format!(
            "{}\u{0}{:?}",
            request.path.resolved.display(),
            request.options
        );
        let cell = {
            let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(entries.entry(key).or_default())
        };
        cell.get_or_init(|| {
            lossfit_stats::read_labels(&request.path.resolved, &request.options)
                .map(Arc::new)
                .map_err(|e| format!("cannot read label file `{}`: {e}", request.path.written))
        })
        .clone()
    }
}

/// The engine: the rules and the frontends.
pub struct Engine {
    registry: Registry,
    frontends: Vec<Box<dyn Frontend>>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("registry", &self.registry)
            .field(
                "languages",
                &self
                    .frontends
                    .iter()
                    .map(|f| f.language())
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Engine {
    #[must_use]
    pub fn new(registry: Registry, frontends: Vec<Box<dyn Frontend>>) -> Self {
        Self {
            registry,
            frontends,
        }
    }

    /// Every rule and every frontend losslint has.
    #[must_use]
    pub fn standard() -> Self {
        Self::new(Registry::standard(), default_frontends())
    }

    #[must_use]
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The languages a frontend exists for.
    #[must_use]
    pub fn languages(&self) -> Vec<Language> {
        self.frontends.iter().map(|f| f.language()).collect()
    }

    fn frontend(&self, language: Language) -> Option<&dyn Frontend> {
        self.frontends
            .iter()
            .find(|f| f.language() == language)
            .map(AsRef::as_ref)
    }

    /// Lints every file under the settings' paths.
    ///
    /// # Errors
    /// A path that does not exist, an invalid configuration file, or worker threads that cannot
    /// start.
    pub fn check(&self, settings: &CheckSettings) -> Result<Report, CheckError> {
        let walked = walk::walk(&settings.paths, &self.languages(), settings.default_path)
            .map_err(|(path, source)| CheckError::Path { path, source })?;
        let configs = self.configs(&walked.files, &settings.config)?;
        let cache = LabelCache::default();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(settings.threads.unwrap_or(0))
            .stack_size(crate::frontend::ANALYSIS_STACK)
            .start_handler(|_| crate::frontend::mark_large_stack())
            .build()
            .map_err(|e| CheckError::Threads(e.to_string()))?;
        let outcomes: Vec<Outcome> = pool.install(|| {
            walked
                .files
                .par_iter()
                .zip(configs.par_iter())
                .map(|(file, config)| {
                    let file_settings = FileSettings::resolve(
                        &self.registry,
                        config.as_deref(),
                        &file.path,
                        &file.root,
                        &settings.cli,
                    );
                    self.lint_file(file, &file_settings, settings, &cache)
                })
                .collect()
        });
        let mut report = Report {
            files: walked.files.len(),
            warnings: walked.warnings,
            ..Report::default()
        };
        // Said once: when every path was already reported as skipped, that is the message.
        if walked.files.is_empty() && report.warnings.len() < settings.paths.len() {
            report.warnings.push(format!(
                "no source files found under {} (losslint reads {})",
                settings
                    .paths
                    .iter()
                    .map(|p| format!("`{}`", p.display()))
                    .collect::<Vec<_>>()
                    .join(", "),
                self.languages()
                    .iter()
                    .map(|l| match l {
                        Language::Rust => "`.rs`",
                        Language::Python => "`.py`, `.pyi`, `.ipynb`",
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let mut errors = BTreeSet::new();
        for outcome in outcomes {
            let has_findings = !outcome.findings.is_empty();
            report.findings.extend(outcome.findings);
            if let (true, Some(source)) = (has_findings, outcome.source) {
                report.sources.insert(outcome.path.clone(), source);
            }
            for (cell, source) in outcome.cell_sources {
                report
                    .sources
                    .insert(format!("{}:cell {cell}", outcome.path), source);
            }
            report.changes.extend(outcome.change);
            errors.extend(outcome.errors);
            report.warnings.extend(outcome.warnings);
        }
        report.errors = errors.into_iter().collect();
        sort_findings(&mut report.findings);
        report.changes.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(report)
    }

    /// The configuration of each file, in file order.
    fn configs(
        &self,
        files: &[SourceFile],
        mode: &ConfigMode,
    ) -> Result<Vec<Option<Arc<ConfigFile>>>, CheckError> {
        match mode {
            ConfigMode::Isolated => Ok(vec![None; files.len()]),
            ConfigMode::File(path) => {
                let config = config::load(path, &self.registry)
                    .map_err(SettingsError::from)?
                    .ok_or_else(|| CheckError::NoConfig(path.clone()))?;
                Ok(vec![Some(Arc::new(config)); files.len()])
            }
            ConfigMode::Discover => {
                let mut discovery = Discovery::new(&self.registry);
                files
                    .iter()
                    .map(|file| {
                        let dir = file.path.parent().unwrap_or(Path::new("."));
                        let dir = if dir.as_os_str().is_empty() {
                            Path::new(".")
                        } else {
                            dir
                        };
                        discovery
                            .closest(dir)
                            .map_err(|e| CheckError::Settings(e.into()))
                    })
                    .collect()
            }
        }
    }

    fn lint_file(
        &self,
        file: &SourceFile,
        settings: &FileSettings,
        check: &CheckSettings,
        cache: &LabelCache,
    ) -> Outcome {
        let mut outcome = Outcome {
            path: file.display.clone(),
            ..Outcome::default()
        };
        let original = match read_source(&file.path, check.max_file_size) {
            Ok(text) => text,
            Err(skip) => {
                let level = settings.levels.get(SKIPPED_CODE).min(Level::Warn);
                if level != Level::Allow {
                    outcome.findings.push(Finding {
                        path: file.display.clone(),
                        cell: None,
                        level,
                        diagnostic: *skip,
                    });
                }
                return outcome;
            }
        };
        let dir = file.path.parent().unwrap_or(Path::new(""));
        if walk::is_notebook(&file.path) {
            return self.lint_notebook(file, &original, settings, check, cache, outcome);
        }
        let mut linted = self.lint_source(file.language, &original, dir, settings, cache);
        let mut current = original.clone();
        let mut fixes = 0;
        if check.fix != FixMode::Report {
            for _ in 0..MAX_FIX_ROUNDS {
                let applicable: Vec<&Fix> = linted
                    .findings
                    .iter()
                    .filter_map(|(_, d)| d.fix.as_ref())
                    .filter(|f| fix::applies(f, check.unsafe_fixes))
                    .collect();
                if applicable.is_empty() {
                    break;
                }
                let applied = fix::apply(&current, &applicable);
                if applied.applied == 0 || applied.text == current {
                    break;
                }
                let next = self.lint_source(file.language, &applied.text, dir, settings, cache);
                if next.parse_failed && !linted.parse_failed {
                    outcome.warnings.push(format!(
                        "{}: fixes were not applied: they would leave the file unparsable \
                         (a bug in losslint; please report it)",
                        file.display
                    ));
                    break;
                }
                outcome.errors.append(&mut linted.errors);
                current = applied.text;
                linted = next;
                fixes += applied.applied;
            }
            if current != original
                && !write_fixes(file, check, &original, current.clone(), fixes, &mut outcome)
            {
                // Nothing was written: report the file as it is on disk.
                linted = self.lint_source(file.language, &original, dir, settings, cache);
                current = original;
            }
        }
        outcome.errors.append(&mut linted.errors);
        outcome.findings = linted
            .findings
            .into_iter()
            .map(|(level, diagnostic)| Finding {
                path: file.display.clone(),
                cell: None,
                level,
                diagnostic,
            })
            .collect();
        outcome.source = Some(Arc::from(current));
        outcome
    }

    /// A notebook: its code cells are linted as one Python source; findings point at their
    /// cell; fixes edit the cells and only their `source` in the JSON is rewritten.
    fn lint_notebook(
        &self,
        file: &SourceFile,
        original: &str,
        settings: &FileSettings,
        check: &CheckSettings,
        cache: &LabelCache,
        mut outcome: Outcome,
    ) -> Outcome {
        let dir = file.path.parent().unwrap_or(Path::new(""));
        let notebook = match crate::notebook::Notebook::parse(original) {
            Ok(notebook) => notebook,
            Err(message) => {
                let level = settings.levels.get("LL000");
                if level != Level::Allow {
                    let start = crate::facts::Pos {
                        line: 1,
                        column: 1,
                        offset: 0,
                    };
                    let d = Diagnostic {
                        code: "LL000",
                        name: "parse-error",
                        message: format!("could not read this notebook: {message}"),
                        span: crate::facts::Span { start, end: start },
                        label: "not a notebook".to_string(),
                        secondary: Vec::new(),
                        help: Some(
                            "this file was skipped and the other files were linted; a `.ipynb` \
                             file must be a Jupyter notebook's JSON (nbformat 4)"
                                .to_string(),
                        ),
                        fix: None,
                    };
                    outcome.findings.push(Finding {
                        path: file.display.clone(),
                        cell: None,
                        level,
                        diagnostic: d,
                    });
                }
                return outcome;
            }
        };
        let mut cells = notebook.cells();
        let mut linted = self.lint_source(
            file.language,
            &crate::notebook::Notebook::source(&cells),
            dir,
            settings,
            cache,
        );
        let relocate =
            |cells: &[String], linted: Linted| -> Vec<(Level, Diagnostic, Option<usize>)> {
                linted
                    .findings
                    .into_iter()
                    .map(|(level, mut d)| {
                        let cell = notebook.relocate(cells, &mut d);
                        (level, d, cell)
                    })
                    .collect()
            };
        outcome.errors.append(&mut linted.errors);
        let mut found = relocate(&cells, linted);
        let mut fixes = 0;
        if check.fix != FixMode::Report {
            for _ in 0..MAX_FIX_ROUNDS {
                let mut next = cells.clone();
                let mut applied_here = 0;
                for (index, number) in notebook.numbers().into_iter().enumerate() {
                    let applicable: Vec<&Fix> = found
                        .iter()
                        .filter(|(_, _, cell)| *cell == Some(number))
                        .filter_map(|(_, d, _)| d.fix.as_ref())
                        .filter(|f| fix::applies(f, check.unsafe_fixes))
                        .collect();
                    if applicable.is_empty() {
                        continue;
                    }
                    let applied = fix::apply(&cells[index], &applicable);
                    applied_here += applied.applied;
                    next[index] = applied.text;
                }
                if applied_here == 0 || next == cells {
                    break;
                }
                let mut relinted = self.lint_source(
                    file.language,
                    &crate::notebook::Notebook::source(&next),
                    dir,
                    settings,
                    cache,
                );
                if relinted.parse_failed && !found.iter().any(|(_, d, _)| d.code == "LL000") {
                    outcome.warnings.push(format!(
                        "{}: fixes were not applied: they would leave the notebook unparsable \
                         (a bug in losslint; please report it)",
                        file.display
                    ));
                    break;
                }
                outcome.errors.append(&mut relinted.errors);
                cells = next;
                found = relocate(&cells, relinted);
                fixes += applied_here;
            }
            let fixed = notebook.render(&cells);
            if fixed != original && !write_fixes(file, check, original, fixed, fixes, &mut outcome)
            {
                // Nothing was written: report the notebook as it is on disk.
                cells = notebook.cells();
                let linted = self.lint_source(
                    file.language,
                    &crate::notebook::Notebook::source(&cells),
                    dir,
                    settings,
                    cache,
                );
                found = relocate(&cells, linted);
            }
        }
        for (index, number) in notebook.numbers().into_iter().enumerate() {
            if found.iter().any(|(_, _, cell)| *cell == Some(number)) {
                outcome
                    .cell_sources
                    .push((number, Arc::from(cells[index].as_str())));
            }
        }
        outcome.findings = found
            .into_iter()
            .map(|(level, diagnostic, cell)| Finding {
                path: file.display.clone(),
                cell,
                level,
                diagnostic,
            })
            .collect();
        outcome
    }

    /// Checks one text: frontend, rules (all of them, so that suppressions of allowed rules
    /// are not reported unused), suppressions, levels.
    ///
    /// `dir` is the directory of the file (a site's `labels` directive is relative to it).
    pub fn lint_source(
        &self,
        language: Language,
        text: &str,
        dir: &Path,
        settings: &FileSettings,
        cache: &LabelCache,
    ) -> Linted {
        let Some(frontend) = self.frontend(language) else {
            return Linted::default();
        };
        let mut raw = Vec::new();
        let facts = if frontend.may_contain_losses(text) {
            if let Ok(facts) = catch_unwind(AssertUnwindSafe(|| frontend.facts(text))) {
                facts
            } else {
                raw.push(internal_error(text, "the parser"));
                FileFacts::default()
            }
        } else {
            FileFacts::default()
        };
        let mut linted = Linted {
            parse_failed: facts.parse_failure.is_some(),
            ..Linted::default()
        };

        // Read the label files the sites are bound to before the rules run: rules do no I/O.
        let crate_root = facts
            .losses
            .iter()
            .any(|s| s.style == ApiStyle::LossfitDerive && s.labels.is_some())
            .then(|| crate_root(dir))
            .flatten();
        let crate_root = crate_root.as_deref();
        let mut bound: Vec<(LabelRequest, Arc<LabelStats>)> = Vec::new();
        for site in &facts.losses {
            let Some(request) = settings.label_request(site, dir, crate_root) else {
                continue;
            };
            if bound.iter().any(|(r, _)| *r == request) {
                continue;
            }
            if let Err(e) = settings.confine(&request) {
                if !linted.errors.contains(&e) {
                    linted.errors.push(e);
                }
                continue;
            }
            match cache.get(&request) {
                Ok(stats) => bound.push((request, stats)),
                Err(e) => linted.errors.push(e),
            }
        }
        let labels_for = |site: &LossSite| -> Option<BoundLabels<'_>> {
            let request = settings.label_request(site, dir, crate_root)?;
            let (request, stats) = bound.iter().find(|(r, _)| *r == request)?;
            Some(BoundLabels {
                stats,
                source: &request.path.written,
                task: declared_task(request.options.task),
            })
        };
        let ctx = RuleContext {
            language,
            labels_for: &labels_for,
            policy: settings.policy,
            scheme: settings.scheme,
        };
        for rule in self.registry.rules() {
            match catch_unwind(AssertUnwindSafe(|| rule.check(&facts, &ctx))) {
                Ok(found) => raw.extend(found),
                Err(_) => raw.push(internal_error(text, &format!("rule {}", rule.code()))),
            }
        }
        raw.sort_by(|a, b| (a.span, a.code, &a.message).cmp(&(b.span, b.code, &b.message)));
        raw.dedup_by(|a, b| a.span == b.span && a.code == b.code && a.message == b.message);

        let mut suppressions = Suppressions::parse(language, text, &self.registry);
        let mut kept = suppressions.filter(raw);
        if !linted.parse_failed {
            kept.extend(suppressions.unused(text));
        }
        linted.findings = kept
            .into_iter()
            .filter_map(|d| {
                let level = settings.levels.get(d.code);
                (level != Level::Allow).then_some((level, d))
            })
            .collect();
        linted
    }
}

/// The closest directory at or above `dir` with a `Cargo.toml`: the crate root a derive's
/// `labels` path is relative to.
fn crate_root(dir: &Path) -> Option<PathBuf> {
    let start = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let absolute = std::path::absolute(start).ok()?;
    let root = absolute
        .ancestors()
        .find(|d| d.join("Cargo.toml").is_file())?;
    // Keep it relative when it is inside the current directory (messages show it).
    Some(
        std::env::current_dir()
            .ok()
            .and_then(|cwd| root.strip_prefix(cwd).ok().map(Path::to_path_buf))
            .unwrap_or_else(|| root.to_path_buf()),
    )
}

/// The frontends losslint ships (a Python frontend goes here; `walk` already knows `.py`).
#[must_use]
pub fn default_frontends() -> Vec<Box<dyn Frontend>> {
    vec![
        Box::new(crate::frontend::rust::RustFrontend),
        Box::new(crate::frontend::python::PythonFrontend),
    ]
}

#[derive(Debug, Default)]
struct Outcome {
    path: String,
    findings: Vec<Finding>,
    source: Option<Arc<str>>,
    /// A notebook's cells that hold findings: number and text.
    cell_sources: Vec<(usize, Arc<str>)>,
    change: Option<Change>,
    errors: Vec<String>,
    warnings: Vec<String>,
}

/// Records a fixed text: writes it (`--fix`, atomically) or keeps it for `--diff`, as the
/// file's [`Change`]. `false` when writing failed (the error is recorded, the file unchanged).
fn write_fixes(
    file: &SourceFile,
    check: &CheckSettings,
    original: &str,
    fixed: String,
    fixes: usize,
    outcome: &mut Outcome,
) -> bool {
    let written = match check.fix {
        FixMode::Apply => crate::atomic::replace(&file.path, fixed.as_bytes()),
        _ => Ok(()),
    };
    match written {
        Ok(()) => {
            outcome.change = Some(Change {
                path: file.display.clone(),
                original: original.to_string(),
                fixed,
                fixes,
            });
            true
        }
        Err(e) => {
            outcome.errors.push(format!(
                "{}: the fixes were not written, the file is unchanged: {e}",
                file.display
            ));
            false
        }
    }
}

/// Sorts findings by path, line, column, code, message.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        let key = |f: &Finding| {
            (
                f.diagnostic.span.start.line,
                f.diagnostic.span.start.column,
                f.diagnostic.code,
            )
        };
        a.path
            .cmp(&b.path)
            .then_with(|| a.cell.cmp(&b.cell))
            .then_with(|| key(a).cmp(&key(b)))
            .then_with(|| a.diagnostic.message.cmp(&b.diagnostic.message))
    });
}

/// Reads a source file, or says why it is skipped (as an LL000 diagnostic).
fn read_source(path: &Path, max_size: u64) -> Result<String, Box<Diagnostic>> {
    let meta =
        std::fs::metadata(path).map_err(|e| skipped(format!("cannot read the file: {e}")))?;
    // A FIFO would block the read forever, a device never end.
    if !meta.is_file() {
        return Err(skipped(format!(
            "{} is not a regular file; skipped",
            lossfit_stats::file_kind(&meta)
        )));
    }
    if meta.len() > max_size {
        return Err(skipped(format!(
            "file is {} bytes, over the {max_size}-byte limit; skipped (raise it with \
             `--max-file-size`)",
            meta.len()
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| skipped(format!("cannot read the file: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let before = bytes.get(..valid).unwrap_or_default();
        let line = before.split(|&b| b == b'\n').count();
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        let column = String::from_utf8_lossy(before.get(line_start..).unwrap_or_default())
            .chars()
            .count()
            + 1;
        let mut d = skipped(format!(
            "file is not valid UTF-8 (invalid byte at line {line}, column {column}); skipped"
        ));
        let pos = Pos {
            line,
            column,
            offset: valid,
        };
        d.span = Span {
            start: pos,
            end: pos,
        };
        d
    })
}

fn skipped(message: String) -> Box<Diagnostic> {
    let pos = Pos {
        line: 1,
        column: 1,
        offset: 0,
    };
    Box::new(Diagnostic {
        code: SKIPPED_CODE,
        name: SKIPPED_NAME,
        message,
        span: Span {
            start: pos,
            end: pos,
        },
        label: "not checked".into(),
        secondary: Vec::new(),
        help: None,
        fix: None,
    })
}

/// A finding for a panic inside losslint: the file was not fully checked.
fn internal_error(text: &str, what: &str) -> Diagnostic {
    let index = LineIndex::new(text);
    Diagnostic {
        code: SKIPPED_CODE,
        name: SKIPPED_NAME,
        message: format!(
            "internal error in {what} (a bug in losslint; please report it): this file was not \
             fully checked"
        ),
        span: index.span(0, 0),
        label: "not fully checked".into(),
        secondary: Vec::new(),
        help: None,
        fix: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::{Cli, Command};
    use crate::diagnostic::Applicability;
    use crate::facts::{ApiStyle, Edit, Framework, LossKind, LossSite, Reduction, Weighting};
    use crate::rules::Rule;
    use clap::Parser;

    /// A frontend that reports one cross-entropy site per occurrence of `CE()` in the text.
    struct FakeFrontend;

    impl Frontend for FakeFrontend {
        fn language(&self) -> Language {
            Language::Rust
        }
        fn may_contain_losses(&self, text: &str) -> bool {
            text.contains("CE") || text.contains("BROKEN")
        }
        fn facts(&self, text: &str) -> FileFacts {
            let index = LineIndex::new(text);
            if text.contains("BROKEN") {
                return FileFacts {
                    parse_failure: Some(crate::facts::ParseFailure {
                        message: "expected `;`".into(),
                        span: index.span(0, 1),
                        recovered: false,
                    }),
                    ..FileFacts::default()
                };
            }
            let losses = text
                .match_indices("CE()")
                .map(|(at, _)| {
                    let name = index.span(at, at + 2);
                    LossSite {
                        framework: Framework::Lossfit,
                        style: ApiStyle::LossfitTyped,
                        loss: LossKind::CrossEntropy,
                        api: "CE".into(),
                        span: index.span(at, at + 4),
                        name_span: name,
                        reduction: Reduction::Implicit {
                            default: "mean".into(),
                            fix: Some(Edit {
                                span: index.span(at + 3, at + 3),
                                content: "mean".into(),
                            }),
                        },
                        weighting: Weighting::None,
                        legacy_args: Vec::new(),
                        arguments: Vec::new(),
                        declared_task: None,
                        labels: None,
                        weight_hint: None,
                        legacy_fix: None,
                        logits_fix: None,
                    }
                })
                .collect();
            FileFacts {
                losses,
                ..FileFacts::default()
            }
        }
    }

    /// FK1: implicit reduction, with a safe fix from the facts.
    struct FakeRule;

    impl Rule for FakeRule {
        fn code(&self) -> &'static str {
            "LL001"
        }
        fn name(&self) -> &'static str {
            "implicit-reduction"
        }
        fn default_level(&self) -> Level {
            Level::Warn
        }
        fn explanation(&self) -> &'static str {
            "## What it does\nfake"
        }
        fn check(&self, facts: &FileFacts, _ctx: &RuleContext<'_>) -> Vec<Diagnostic> {
            facts
                .losses
                .iter()
                .filter_map(|site| match &site.reduction {
                    Reduction::Implicit { fix, .. } => Some(Diagnostic {
                        code: "LL001",
                        name: "implicit-reduction",
                        message: "implicit reduction".into(),
                        span: site.name_span,
                        label: "no reduction".into(),
                        secondary: Vec::new(),
                        help: None,
                        fix: fix.clone().map(|e| Fix {
                            applicability: Applicability::Safe,
                            title: "write it".into(),
                            edits: vec![e],
                        }),
                    }),
                    _ => None,
                })
                .collect()
        }
    }

    struct FakeParseError;

    impl Rule for FakeParseError {
        fn code(&self) -> &'static str {
            "LL000"
        }
        fn name(&self) -> &'static str {
            "parse-error"
        }
        fn default_level(&self) -> Level {
            Level::Warn
        }
        fn explanation(&self) -> &'static str {
            ""
        }
        fn check(&self, facts: &FileFacts, _ctx: &RuleContext<'_>) -> Vec<Diagnostic> {
            facts
                .parse_failure
                .iter()
                .map(|p| Diagnostic {
                    code: "LL000",
                    name: "parse-error",
                    message: p.message.clone(),
                    span: p.span,
                    label: String::new(),
                    secondary: Vec::new(),
                    help: None,
                    fix: None,
                })
                .collect()
        }
    }

    static FAKE: FakeRule = FakeRule;
    static FAKE_PARSE: FakeParseError = FakeParseError;

    fn engine() -> Engine {
        Engine::new(
            Registry::new(&[&FAKE_PARSE, &FAKE]),
            vec![Box::new(FakeFrontend)],
        )
    }

    fn file_settings(engine: &Engine, extra: &[&str]) -> FileSettings {
        let mut argv = vec!["losslint", "check"];
        argv.extend(extra);
        let Command::Check(args) = Cli::try_parse_from(argv).unwrap().command else {
            unreachable!()
        };
        let settings = CheckSettings::from_args(args, engine.registry()).unwrap();
        FileSettings::resolve(
            engine.registry(),
            None,
            Path::new("x.rs"),
            Path::new("."),
            &settings.cli,
        )
    }

    /// `(code, line)` of each finding, in line order.
    fn codes(linted: &Linted) -> Vec<(&'static str, usize)> {
        let mut codes: Vec<_> = linted
            .findings
            .iter()
            .map(|(_, d)| (d.span.start.line, d.code))
            .collect();
        codes.sort_unstable();
        codes.into_iter().map(|(line, code)| (code, line)).collect()
    }

    #[test]
    fn lints_and_levels() {
        let engine = engine();
        let cache = LabelCache::default();
        let text = "let a = CE();\nlet b = CE();\n";
        let s = file_settings(&engine, &[]);
        let linted = engine.lint_source(Language::Rust, text, Path::new(""), &s, &cache);
        assert_eq!(codes(&linted), [("LL001", 1), ("LL001", 2)]);
        assert!(linted.findings.iter().all(|(l, _)| *l == Level::Warn));
        let s = file_settings(&engine, &["--deny", "implicit-reduction"]);
        let linted = engine.lint_source(Language::Rust, text, Path::new(""), &s, &cache);
        assert!(linted.findings.iter().all(|(l, _)| *l == Level::Deny));
        let s = file_settings(&engine, &["--ignore", "LL001"]);
        let linted = engine.lint_source(Language::Rust, text, Path::new(""), &s, &cache);
        assert!(linted.findings.is_empty());
        let s = file_settings(&engine, &["--select", "LL000"]);
        let linted = engine.lint_source(Language::Rust, text, Path::new(""), &s, &cache);
        assert!(linted.findings.is_empty());
    }

    #[test]
    fn suppressions_and_unused_ones() {
        let engine = engine();
        let cache = LabelCache::default();
        let s = file_settings(&engine, &[]);
        let text = "\
let a = CE(); // losslint: allow(LL001)
// losslint: allow(implicit-reduction)
// a note
let b = CE();
let c = CE(); // losslint: allow(LL001, LL000)
let d = 1; // losslint: allow(LL001)
let e = CE(); // losslint: allow(LL999)
";
        let linted = engine.lint_source(Language::Rust, text, Path::new(""), &s, &cache);
        let mut found: Vec<_> = linted
            .findings
            .iter()
            .map(|(_, d)| (d.span.start.line, d.code, d.message.as_str()))
            .collect();
        found.sort_unstable();
        assert_eq!(
            found,
            [
                (5, "LL011", "unused suppression of `LL000`"),
                (6, "LL011", "unused suppression of `LL001`"),
                (7, "LL001", "implicit reduction"),
                (7, "LL011", "unknown rule `LL999` in suppression"),
            ]
        );
    }

    #[test]
    fn file_level_suppression_in_the_header_only() {
        let engine = engine();
        let cache = LabelCache::default();
        let s = file_settings(&engine, &[]);
        let text = "//! doc\n// losslint: allow-file(LL001)\nuse x;\nlet a = CE();\n";
        let linted = engine.lint_source(Language::Rust, text, Path::new(""), &s, &cache);
        assert!(linted.findings.is_empty(), "{:?}", linted.findings);
        let text = "use x;\n// losslint: allow-file(LL001)\nlet a = CE();\n";
        let linted = engine.lint_source(Language::Rust, text, Path::new(""), &s, &cache);
        assert_eq!(codes(&linted), [("LL011", 2), ("LL001", 3)]);
    }

    #[test]
    fn unused_suppression_fix_removes_comment_or_code() {
        let engine = engine();
        let cache = LabelCache::default();
        let s = file_settings(&engine, &[]);
        let text = "let d = 1; // losslint: allow(LL001)\n// losslint: allow(LL001)\nlet e = 2;\nlet c = CE(); // losslint: allow(LL000, LL001)\n";
        let linted = engine.lint_source(Language::Rust, text, Path::new(""), &s, &cache);
        let fixes: Vec<&Fix> = linted
            .findings
            .iter()
            .filter(|(_, d)| d.code == "LL011")
            .filter_map(|(_, d)| d.fix.as_ref())
            .collect();
        assert_eq!(fixes.len(), 3);
        let out = fix::apply(text, &fixes);
        assert_eq!(
            out.text,
            "let d = 1;\nlet e = 2;\nlet c = CE(); // losslint: allow(LL001)\n"
        );
    }

    #[test]
    fn parse_failure_reports_no_unused_suppressions() {
        let engine = engine();
        let cache = LabelCache::default();
        let s = file_settings(&engine, &[]);
        let text = "BROKEN // losslint: allow(LL001)\n";
        let linted = engine.lint_source(Language::Rust, text, Path::new(""), &s, &cache);
        assert_eq!(codes(&linted), [("LL000", 1)]);
        assert!(linted.parse_failed);
    }

    #[test]
    fn project_labels_bind_classification_losses_and_regression_on_class_labels() {
        use crate::facts::{Argument, LossKind, Origin, Role};
        use crate::rules::testing::site;
        let engine = engine();
        let s = file_settings(&engine, &["--labels", "data/train_labels.csv"]);
        let dir = Path::new("project");
        let target = |origin| Argument {
            role: Role::Target,
            span: Span::default(),
            origin,
        };
        assert!(
            s.label_request(&site(LossKind::CrossEntropy), dir, None)
                .is_some()
        );
        // A detector's box regression beside the class head: not judged against class labels.
        let mut boxes = site(LossKind::SmoothL1);
        boxes.arguments.push(target(Origin::Unknown));
        assert!(s.label_request(&boxes, dir, None).is_none());
        // MSE on the class labels themselves (an integer label tensor traced to the target).
        let mut on_labels = site(LossKind::Mse);
        on_labels.arguments.push(target(Origin::ClassLabels {
            span: Span::default(),
        }));
        assert!(s.label_request(&on_labels, dir, None).is_some());
        // Labels bound at the site itself always apply.
        boxes.labels = Some("boxes.csv".into());
        assert!(s.label_request(&boxes, dir, None).is_some());
    }
}
