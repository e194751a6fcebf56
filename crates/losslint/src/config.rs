//! Configuration files: finding the closest one to a source file and reading its `losslint`
//! table (from `losslint.toml`, `pyproject.toml` or `Cargo.toml`) into validated [`Options`].
//!
//! Keys are checked strictly: an unknown key or a wrong value is a [`ConfigError`] that names
//! the file and the key, because a misspelt key silently ignored is a rule silently not applied.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{GlobSet, GlobSetBuilder};
use lossfit_stats::{TaskHint, WeightScheme};
use toml::{Table, Value};

use crate::rules::Level;
use crate::settings::Registry;

/// Configuration file names tried in each directory, in this order; the first that holds a
/// losslint table is the directory's configuration.
const CANDIDATES: [&str; 4] = [
    "losslint.toml",
    ".losslint.toml",
    "pyproject.toml",
    "Cargo.toml",
];

/// A configuration file that is invalid: the file and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for ConfigError {}

/// A label file named in a configuration or a directive.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LabelPath {
    /// The path to open (joined onto the directory the configuration or source file is in).
    pub resolved: PathBuf,
    /// The path as the user wrote it (for messages).
    pub written: String,
}

/// `[labels]`: the label statistics LL002 / LL009 judge losses against. Every field is
/// optional so that an `[[overrides]]` entry can set just one of them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LabelsOptions {
    pub path: Option<LabelPath>,
    /// CSV/TSV label column.
    pub column: Option<String>,
    /// Multi-label CSV/TSV: the 0/1 columns.
    pub label_columns: Option<Vec<String>>,
    /// `extensions = ["jpg", "png"]`: the files that count in a directory per class.
    pub extensions: Option<Vec<String>>,
    pub task: Option<TaskHint>,
    pub classes: Option<usize>,
    /// `classes = ["cat", "dog"]`: the class names in the order of the model's outputs.
    pub class_names: Option<Vec<String>>,
    /// `allow_outside_root = true`: label paths may leave the project root.
    pub allow_outside_root: Option<bool>,
}

impl LabelsOptions {
    /// Fields set in `other` replace those of `self`.
    pub fn merge(&mut self, other: &LabelsOptions) {
        if other.path.is_some() {
            self.path.clone_from(&other.path);
        }
        if other.column.is_some() {
            self.column.clone_from(&other.column);
        }
        if other.extensions.is_some() {
            self.extensions.clone_from(&other.extensions);
        }
        if other.label_columns.is_some() {
            self.label_columns.clone_from(&other.label_columns);
        }
        if other.task.is_some() {
            self.task = other.task;
        }
        // A count and a list both declare the classes: the later declaration replaces both.
        if other.classes.is_some() || other.class_names.is_some() {
            self.classes = other.classes;
            self.class_names.clone_from(&other.class_names);
        }
        if other.allow_outside_root.is_some() {
            self.allow_outside_root = other.allow_outside_root;
        }
    }
}

/// `[imbalance]`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ImbalanceOptions {
    pub max_ratio: Option<f64>,
    pub weights: Option<WeightScheme>,
}

impl ImbalanceOptions {
    /// Fields set in `other` replace those of `self`.
    pub fn merge(&mut self, other: &ImbalanceOptions) {
        if other.max_ratio.is_some() {
            self.max_ratio = other.max_ratio;
        }
        if other.weights.is_some() {
            self.weights = other.weights;
        }
    }
}

/// One `[rules]` entry, resolved to rule codes (`all` expands to every code).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleSetting {
    pub codes: Vec<&'static str>,
    pub level: Level,
}

/// `[[overrides]]`: settings for the files matching some globs.
#[derive(Clone, Debug)]
pub struct Override {
    /// The globs as written.
    pub patterns: Vec<String>,
    globs: GlobSet,
    pub labels: LabelsOptions,
    pub imbalance: ImbalanceOptions,
    pub rules: Vec<RuleSetting>,
}

impl Override {
    /// Whether the override applies to a file, given its path relative to the configuration
    /// file's directory (`/`-separated). A pattern without `/` also matches the file name.
    #[must_use]
    pub fn matches(&self, relative: &Path) -> bool {
        self.globs.is_match(relative)
            || (self.patterns.iter().any(|p| !p.contains('/'))
                && relative
                    .file_name()
                    .is_some_and(|name| self.globs.is_match(Path::new(name))))
    }
}

/// The validated contents of one configuration.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub labels: LabelsOptions,
    pub imbalance: ImbalanceOptions,
    /// In the order they apply: `all` first, then the file's order.
    pub rules: Vec<RuleSetting>,
    pub overrides: Vec<Override>,
}

/// A configuration file and its options.
#[derive(Clone, Debug)]
pub struct ConfigFile {
    pub path: PathBuf,
    /// The directory relative paths in it are resolved against.
    pub dir: PathBuf,
    pub options: Options,
}

impl ConfigFile {
    /// The options for one file: the base options with every matching override applied in
    /// order. `file` is absolute or relative to the current directory, as `self.dir` is.
    #[must_use]
    pub fn options_for(&self, file: &Path) -> Options {
        let mut options = Options {
            labels: self.options.labels.clone(),
            imbalance: self.options.imbalance,
            rules: self.options.rules.clone(),
            overrides: Vec::new(),
        };
        let relative = relative_to(file, &self.dir);
        for over in &self.options.overrides {
            if over.matches(&relative) {
                options.labels.merge(&over.labels);
                options.imbalance.merge(&over.imbalance);
                options.rules.extend(over.rules.iter().cloned());
            }
        }
        options
    }
}

/// `file` relative to `dir` when it is inside it (both made absolute first), else `file`.
fn relative_to(file: &Path, dir: &Path) -> PathBuf {
    let absolute = |p: &Path| {
        let p = if p.as_os_str().is_empty() {
            Path::new(".")
        } else {
            p
        };
        std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
    };
    let file = absolute(file);
    let dir = absolute(dir);
    file.strip_prefix(&dir)
        .map_or_else(|_| file.clone(), Path::to_path_buf)
}

/// The largest configuration file read (a `Cargo.toml` or `pyproject.toml` is far smaller).
const MAX_CONFIG_BYTES: u64 = 16 << 20;

/// Reads one configuration file. `Ok(None)` when it holds no losslint table (a `pyproject.toml`
/// without `[tool.losslint]`, a `Cargo.toml` without `metadata.losslint`).
///
/// # Errors
/// The file cannot be read, is not a regular file or is over 16 MiB, is not TOML, or its
/// losslint table has an unknown key or a wrong value.
pub fn load(path: &Path, registry: &Registry) -> Result<Option<ConfigFile>, ConfigError> {
    let err = |message: String| ConfigError {
        path: path.to_path_buf(),
        message,
    };
    // A FIFO would block the read forever, a device never end; a configuration is small.
    let metadata = std::fs::metadata(path).map_err(|e| err(format!("cannot read: {e}")))?;
    if !metadata.is_file() {
        return Err(err(format!(
            "{} is not a configuration file; point to a `losslint.toml`, `pyproject.toml` or \
             `Cargo.toml`",
            lossfit_stats::file_kind(&metadata)
        )));
    }
    if metadata.len() > MAX_CONFIG_BYTES {
        return Err(err(format!(
            "{} bytes is too large for a configuration file (the limit is {MAX_CONFIG_BYTES})",
            metadata.len()
        )));
    }
    let text = std::fs::read_to_string(path).map_err(|e| err(format!("cannot read: {e}")))?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let dedicated = matches!(name, "losslint.toml" | ".losslint.toml");
    // A project file that never mentions losslint is not ours, even if it is not valid TOML.
    if !dedicated && !text.contains("losslint") {
        return Ok(None);
    }
    let doc: Table = toml::from_str(&text).map_err(|e| err(format!("invalid TOML: {e}")))?;
    let (table, prefix) = if dedicated {
        (Some(&doc), String::new())
    } else if name == "pyproject.toml" {
        (
            sub_table(&doc, &["tool", "losslint"]),
            "tool.losslint.".into(),
        )
    } else if let Some(t) = sub_table(&doc, &["package", "metadata", "losslint"]) {
        (Some(t), "package.metadata.losslint.".into())
    } else {
        (
            sub_table(&doc, &["workspace", "metadata", "losslint"]),
            "workspace.metadata.losslint.".into(),
        )
    };
    let Some(table) = table else {
        return Ok(None);
    };
    let dir = display_relative(
        path.parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
    );
    let reader = Reader {
        prefix: &prefix,
        dir: &dir,
        registry,
    };
    let options = reader.options(table).map_err(err)?;
    Ok(Some(ConfigFile {
        path: path.to_path_buf(),
        dir,
        options,
    }))
}

/// `path` relative to the current directory when it is inside it, so that messages show
/// `data/labels.csv` rather than an absolute path.
fn display_relative(path: PathBuf) -> PathBuf {
    if path.is_absolute()
        && let Ok(cwd) = std::env::current_dir()
        && let Ok(rel) = path.strip_prefix(&cwd)
    {
        return if rel.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            rel.to_path_buf()
        };
    }
    path
}

fn sub_table<'a>(doc: &'a Table, keys: &[&str]) -> Option<&'a Table> {
    let mut table = doc;
    for key in keys {
        table = table.get(*key)?.as_table()?;
    }
    Some(table)
}

/// Reads a losslint table, naming keys with their full dotted path in errors.
struct Reader<'a> {
    prefix: &'a str,
    dir: &'a Path,
    registry: &'a Registry,
}

impl Reader<'_> {
    fn options(&self, table: &Table) -> Result<Options, String> {
        self.known(table, "", &["labels", "imbalance", "rules", "overrides"])?;
        let mut options = Options::default();
        if let Some(v) = table.get("labels") {
            options.labels = self.labels(self.table(v, "labels")?, "labels.")?;
        }
        if let Some(v) = table.get("imbalance") {
            options.imbalance = self.imbalance(self.table(v, "imbalance")?, "imbalance.")?;
        }
        if let Some(v) = table.get("rules") {
            options.rules = self.rules(self.table(v, "rules")?, "rules.")?;
        }
        if let Some(v) = table.get("overrides") {
            let Value::Array(items) = v else {
                return Err(self.wrong("overrides", "an array of tables (`[[overrides]]`)"));
            };
            for (i, item) in items.iter().enumerate() {
                let key = format!("overrides[{i}]");
                options
                    .overrides
                    .push(self.override_(self.table(item, &key)?, &key)?);
            }
        }
        Ok(options)
    }

    fn override_(&self, table: &Table, key: &str) -> Result<Override, String> {
        self.known(
            table,
            &format!("{key}."),
            &["files", "labels", "imbalance", "rules"],
        )?;
        let files_key = format!("{key}.files");
        let patterns = match table.get("files") {
            Some(v) => self.strings(v, &files_key)?,
            None => {
                return Err(format!(
                    "`{}{files_key}` is missing: say which files the override applies to, e.g. \
                     `files = [\"src/detector/**\"]`",
                    self.prefix
                ));
            }
        };
        let mut builder = GlobSetBuilder::new();
        for pattern in &patterns {
            let glob = globset::GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
                .map_err(|e| format!("`{}{files_key}`: invalid glob: {e}", self.prefix))?;
            builder.add(glob);
        }
        let globs = builder
            .build()
            .map_err(|e| format!("`{}{files_key}`: invalid glob: {e}", self.prefix))?;
        let labels = match table.get("labels") {
            Some(v) => self.labels(
                self.table(v, &format!("{key}.labels"))?,
                &format!("{key}.labels."),
            )?,
            None => LabelsOptions::default(),
        };
        let imbalance = match table.get("imbalance") {
            Some(v) => self.imbalance(
                self.table(v, &format!("{key}.imbalance"))?,
                &format!("{key}.imbalance."),
            )?,
            None => ImbalanceOptions::default(),
        };
        let rules = match table.get("rules") {
            Some(v) => self.rules(
                self.table(v, &format!("{key}.rules"))?,
                &format!("{key}.rules."),
            )?,
            None => Vec::new(),
        };
        Ok(Override {
            patterns,
            globs,
            labels,
            imbalance,
            rules,
        })
    }

    fn labels(&self, table: &Table, key: &str) -> Result<LabelsOptions, String> {
        self.known(
            table,
            key,
            &[
                "path",
                "column",
                "label_columns",
                "extensions",
                "task",
                "classes",
                "allow_outside_root",
            ],
        )?;
        let mut labels = LabelsOptions::default();
        if let Some(v) = table.get("path") {
            let written = self.string(v, &format!("{key}path"))?;
            labels.path = Some(LabelPath {
                resolved: self.dir.join(&written),
                written,
            });
        }
        if let Some(v) = table.get("column") {
            labels.column = Some(self.string(v, &format!("{key}column"))?);
        }
        if let Some(v) = table.get("label_columns") {
            labels.label_columns = Some(self.strings(v, &format!("{key}label_columns"))?);
        }
        if let Some(v) = table.get("extensions") {
            labels.extensions = Some(self.strings(v, &format!("{key}extensions"))?);
        }
        if let Some(v) = table.get("task") {
            let task = self.string(v, &format!("{key}task"))?;
            labels.task = Some(task.parse().map_err(|_| {
                self.wrong(
                    &format!("{key}task"),
                    "`multiclass`, `multilabel` or `binary`",
                )
            })?);
        }
        if let Some(v) = table.get("classes") {
            let expected = "a positive integer, or the class names in the order of the model's \
                            outputs (`[\"cat\", \"dog\"]`)";
            if let Some(names) = v.as_array() {
                let names: Option<Vec<String>> = names
                    .iter()
                    .map(|n| n.as_str().map(str::to_string))
                    .collect();
                let names = names
                    .filter(|n| !n.is_empty())
                    .ok_or_else(|| self.wrong(&format!("{key}classes"), expected))?;
                labels.class_names = Some(names);
            } else {
                let classes = v
                    .as_integer()
                    .and_then(|n| usize::try_from(n).ok())
                    .filter(|&n| n > 0)
                    .ok_or_else(|| self.wrong(&format!("{key}classes"), expected))?;
                labels.classes = Some(classes);
            }
        }
        if let Some(v) = table.get("allow_outside_root") {
            labels.allow_outside_root = Some(
                v.as_bool()
                    .ok_or_else(|| self.wrong(&format!("{key}allow_outside_root"), "a boolean"))?,
            );
        }
        Ok(labels)
    }

    fn imbalance(&self, table: &Table, key: &str) -> Result<ImbalanceOptions, String> {
        self.known(table, key, &["max_ratio", "weights"])?;
        let mut imbalance = ImbalanceOptions::default();
        if let Some(v) = table.get("max_ratio") {
            #[allow(clippy::cast_precision_loss)]
            let ratio = match v {
                Value::Float(f) => Some(*f),
                Value::Integer(i) => Some(*i as f64),
                _ => None,
            }
            .filter(|r| r.is_finite() && *r >= 1.0)
            .ok_or_else(|| self.wrong(&format!("{key}max_ratio"), "a number >= 1.0"))?;
            imbalance.max_ratio = Some(ratio);
        }
        if let Some(v) = table.get("weights") {
            let scheme = self.string(v, &format!("{key}weights"))?;
            imbalance.weights = Some(
                scheme
                    .parse()
                    .map_err(|e| format!("`{}{key}weights`: {e}", self.prefix))?,
            );
        }
        Ok(imbalance)
    }

    fn rules(&self, table: &Table, key: &str) -> Result<Vec<RuleSetting>, String> {
        let mut all = Vec::new();
        let mut each = Vec::new();
        for (name, value) in table {
            let full = format!("{key}{name}");
            let level_name = self.string(value, &full)?;
            let level = parse_level(&level_name)
                .ok_or_else(|| self.wrong(&full, "`allow`, `warn` or `deny`"))?;
            let codes = self.registry.select(name).ok_or_else(|| {
                format!(
                    "unknown rule `{}{full}`: use a code (`LL001`), a name \
                     (`implicit-reduction`) or `all`; `losslint rules` lists them",
                    self.prefix
                )
            })?;
            let setting = RuleSetting { codes, level };
            if name.eq_ignore_ascii_case("all") {
                all.push(setting);
            } else {
                each.push(setting);
            }
        }
        all.extend(each);
        Ok(all)
    }

    fn known(&self, table: &Table, key: &str, allowed: &[&str]) -> Result<(), String> {
        match table.keys().find(|k| !allowed.contains(&k.as_str())) {
            None => Ok(()),
            Some(unknown) => Err(format!(
                "unknown key `{}{key}{unknown}` (expected {})",
                self.prefix,
                allowed
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }

    fn table<'v>(&self, v: &'v Value, key: &str) -> Result<&'v Table, String> {
        v.as_table().ok_or_else(|| self.wrong(key, "a table"))
    }

    fn string(&self, v: &Value, key: &str) -> Result<String, String> {
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| self.wrong(key, "a string"))
    }

    fn strings(&self, v: &Value, key: &str) -> Result<Vec<String>, String> {
        let wrong = || self.wrong(key, "an array of strings");
        v.as_array()
            .ok_or_else(wrong)?
            .iter()
            .map(|item| item.as_str().map(str::to_string).ok_or_else(wrong))
            .collect()
    }

    fn wrong(&self, key: &str, expected: &str) -> String {
        format!("`{}{key}` must be {expected}", self.prefix)
    }
}

/// `allow`, `warn` or `deny`.
#[must_use]
pub fn parse_level(s: &str) -> Option<Level> {
    match s {
        "allow" => Some(Level::Allow),
        "warn" => Some(Level::Warn),
        "deny" => Some(Level::Deny),
        _ => None,
    }
}

/// Finds the closest configuration above each directory, remembering every directory it has
/// looked at.
#[derive(Debug)]
pub struct Discovery<'r> {
    registry: &'r Registry,
    cache: HashMap<PathBuf, Option<Arc<ConfigFile>>>,
}

impl<'r> Discovery<'r> {
    #[must_use]
    pub fn new(registry: &'r Registry) -> Self {
        Self {
            registry,
            cache: HashMap::new(),
        }
    }

    /// The configuration closest to `dir` (in it or above it), if any.
    ///
    /// # Errors
    /// The closest configuration file is invalid.
    pub fn closest(&mut self, dir: &Path) -> Result<Option<Arc<ConfigFile>>, ConfigError> {
        let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
        let mut visited = Vec::new();
        let mut current = Some(dir.as_path());
        let found = loop {
            let Some(here) = current else {
                break None;
            };
            if let Some(cached) = self.cache.get(here) {
                break cached.clone();
            }
            visited.push(here.to_path_buf());
            if let Some(config) = self.in_dir(here)? {
                break Some(Arc::new(config));
            }
            current = here.parent();
        };
        for dir in visited {
            self.cache.insert(dir, found.clone());
        }
        Ok(found)
    }

    fn in_dir(&self, dir: &Path) -> Result<Option<ConfigFile>, ConfigError> {
        for name in CANDIDATES {
            let path = display_relative(dir.join(name));
            if path.is_file()
                && let Some(config) = load(&path, self.registry)?
            {
                return Ok(Some(config));
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Options, String> {
        let registry = Registry::standard();
        let table: Table = toml::from_str(text).unwrap();
        Reader {
            prefix: "",
            dir: Path::new("proj"),
            registry: &registry,
        }
        .options(&table)
    }

    #[test]
    fn reads_every_fixed_key() {
        let options = read(
            r#"
            [labels]
            path = "data/y.csv"
            column = "species"
            task = "binary"
            classes = 2
            [imbalance]
            max_ratio = 4
            weights = "effective_number"
            [rules]
            LL003 = "deny"
            all = "warn"
            "#,
        )
        .unwrap();
        let path = options.labels.path.unwrap();
        assert_eq!(path.resolved, Path::new("proj/data/y.csv"));
        assert_eq!(path.written, "data/y.csv");
        assert_eq!(options.labels.column.as_deref(), Some("species"));
        assert_eq!(options.labels.task, Some(TaskHint::Binary));
        assert_eq!(options.labels.classes, Some(2));
        assert_eq!(options.imbalance.max_ratio, Some(4.0));
        assert_eq!(
            options.imbalance.weights,
            Some(WeightScheme::EffectiveNumber { beta: 0.999 })
        );
        // `all` first, whatever the order in the file.
        assert_eq!(options.rules.len(), 2);
        assert!(options.rules[0].codes.len() > 1);
        assert_eq!(options.rules[1].codes, ["LL003"]);
        assert_eq!(options.rules[1].level, Level::Deny);
    }

    #[test]
    fn wrong_keys_and_values_are_named() {
        let err = |text: &str| read(text).unwrap_err();
        assert_eq!(
            err("[labels]\ntask = \"regression\""),
            "`labels.task` must be `multiclass`, `multilabel` or `binary`"
        );
        assert_eq!(
            err("[imbalance]\nmax_ratio = 0.5"),
            "`imbalance.max_ratio` must be a number >= 1.0"
        );
        assert!(err("[imbalance]\nweights = \"uniform\"").starts_with("`imbalance.weights`: "));
        assert!(err("labels = 3").contains("`labels` must be a table"));
        assert!(
            err("[[overrides]]\nfiles = [\"a\"]\nlabel.path = \"x\"")
                .starts_with("unknown key `overrides[0].label`")
        );
    }

    #[test]
    fn overrides_merge_field_by_field() {
        let options = read(
            r#"
            [labels]
            path = "y.csv"
            column = "label"
            [[overrides]]
            files = ["heads/detector/**"]
            labels.path = "detector.json"
            imbalance.max_ratio = 10.0
            rules.LL002 = "allow"
            "#,
        )
        .unwrap();
        let config = ConfigFile {
            path: PathBuf::from("proj/losslint.toml"),
            dir: PathBuf::from("proj"),
            options,
        };
        let matched = config.options_for(Path::new("proj/heads/detector/train.rs"));
        assert_eq!(
            matched.labels.path.unwrap().resolved,
            Path::new("proj/detector.json")
        );
        assert_eq!(matched.labels.column.as_deref(), Some("label"));
        assert_eq!(matched.imbalance.max_ratio, Some(10.0));
        assert_eq!(matched.rules.last().unwrap().codes, ["LL002"]);
        let other = config.options_for(Path::new("proj/heads/other.rs"));
        assert_eq!(other.labels.path.unwrap().resolved, Path::new("proj/y.csv"));
        assert!(other.rules.is_empty());
    }
}
