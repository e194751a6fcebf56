//! `losslint stats`: the class distribution of label files as a terminal bar chart (or JSON),
//! the imbalance verdict, and the class weights each scheme suggests.
//!
//! Reading is `lossfit_stats`'s streaming reader, so a file of any size takes memory
//! proportional to its number of classes; the caller gets progress callbacks to show.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use lossfit_stats::{
    ClassCounts, ClassLabel, ImbalancePolicy, LabelStats, MultiLabelCounts, ReadOptions,
    StatsError, TaskHint, WeightScheme,
};
use serde_json::{Value, json};

use crate::args::{ClassesArg, ListFormatArg, StatsArgs};
use crate::settings::{SettingsError, task_hint};

/// Width of the longest bar, in terminal cells.
const BAR_WIDTH: usize = 40;

/// The validated options of `losslint stats`.
#[derive(Clone, Debug)]
pub struct StatsOptions {
    pub files: Vec<PathBuf>,
    pub read: ReadOptions,
    pub policy: ImbalancePolicy,
    pub json: bool,
    pub emit_counts: Option<PathBuf>,
}

impl StatsOptions {
    /// Validates the command line.
    ///
    /// # Errors
    /// `--emit-counts` with more than one file, `--classes 0`, or a `--max-ratio` below 1.
    pub fn from_args(args: StatsArgs) -> Result<Self, SettingsError> {
        if args.emit_counts.is_some() && args.files.len() != 1 {
            return Err(SettingsError::Invalid(
                "`--emit-counts` writes the counts of one label file: give exactly one FILE".into(),
            ));
        }
        let max_ratio = args.max_ratio.unwrap_or(ImbalancePolicy::DEFAULT_MAX_RATIO);
        if !(max_ratio.is_finite() && max_ratio >= 1.0) {
            return Err(SettingsError::Invalid(format!(
                "`--max-ratio {max_ratio}`: the ratio must be a number >= 1.0"
            )));
        }
        Ok(Self {
            files: args.files,
            read: ReadOptions {
                format: None,
                column: args.column,
                label_columns: None,
                task: args.task.map(task_hint),
                classes: args.classes.as_ref().and_then(ClassesArg::count),
                class_names: args.classes.as_ref().and_then(ClassesArg::names),
                extensions: args.extensions,
            },
            policy: ImbalancePolicy { max_ratio },
            json: args.format == ListFormatArg::Json,
            emit_counts: args.emit_counts,
        })
    }
}

/// The statistics of one label file.
#[derive(Clone, Debug)]
pub struct FileStats {
    /// As given on the command line.
    pub path: String,
    pub stats: LabelStats,
    pub task: TaskHint,
}

/// Reads every file, calling `progress(path, bytes_read, total_bytes)` as it goes.
///
/// # Errors
/// The first file that cannot be read (the message names it, and the line where it applies).
pub fn read(
    options: &StatsOptions,
    progress: &mut dyn FnMut(&Path, u64, u64),
) -> Result<Vec<FileStats>, StatsError> {
    options
        .files
        .iter()
        .map(|path| {
            let stats = lossfit_stats::read_labels_with_progress(
                path,
                &options.read,
                &mut |read, total| progress(path, read, total),
            )?;
            let task = options.read.task.unwrap_or(match stats {
                LabelStats::MultiLabel(_) => TaskHint::MultiLabel,
                LabelStats::MultiClass(_) => TaskHint::MultiClass,
            });
            Ok(FileStats {
                path: path.display().to_string(),
                stats,
                task,
            })
        })
        .collect()
}

/// Writes the counts JSON of `stats` to `path` (what `[labels] path` and derive heads read
/// back).
///
/// # Errors
/// The file cannot be created or written.
pub fn emit_counts(path: &Path, stats: &LabelStats) -> io::Result<()> {
    let mut file = io::BufWriter::new(std::fs::File::create(path)?);
    lossfit_stats::write_counts_json(stats, &mut file)?;
    file.flush()
}

/// Writes the report of every file.
///
/// # Errors
/// Any error of `out`.
pub fn render(out: &mut dyn Write, files: &[FileStats], options: &StatsOptions) -> io::Result<()> {
    if options.json {
        let value: Vec<Value> = files.iter().map(|f| to_json(f, options.policy)).collect();
        serde_json::to_writer_pretty(&mut *out, &value)?;
        writeln!(out)?;
        return out.flush();
    }
    for (i, file) in files.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        let text = match &file.stats {
            LabelStats::MultiClass(counts) => classes_text(file, counts, options.policy),
            LabelStats::MultiLabel(counts) => labels_text(file, counts, options.policy),
        };
        out.write_all(text.as_bytes())?;
    }
    out.flush()
}

/// The weight schemes `stats` shows, in order.
fn schemes() -> [WeightScheme; 3] {
    [
        WeightScheme::InverseFrequency,
        WeightScheme::InverseSqrtFrequency,
        WeightScheme::EffectiveNumber {
            beta: WeightScheme::DEFAULT_BETA,
        },
    ]
}

fn classes_text(file: &FileStats, counts: &ClassCounts, policy: ImbalancePolicy) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}: {} rows, {} classes ({})",
        file.path,
        thousands(counts.total()),
        counts.len(),
        file.task
    );
    let labels: Vec<String> = counts.labels().iter().map(ToString::to_string).collect();
    let max = counts.commonest().map_or(0, |(_, n)| n);
    let rows: Vec<(String, u64, f64)> = labels
        .into_iter()
        .zip(counts.counts())
        .zip(counts.shares())
        .map(|((l, c), sh)| (l, c, sh))
        .collect();
    chart(&mut s, "class", "count", &rows, max);
    match policy.judge(&file.stats) {
        Some(verdict) => {
            let _ = writeln!(
                s,
                "{verdict}: imbalanced (max_ratio {:?})",
                policy.max_ratio
            );
        }
        None => match counts.imbalance_ratio() {
            Some(ratio) => {
                let _ = writeln!(
                    s,
                    "imbalance ratio {ratio:.1}: balanced enough (max_ratio {:?})",
                    policy.max_ratio
                );
            }
            None => {
                let _ = writeln!(s, "no class occurs");
            }
        },
    }
    let absent = counts.absent();
    if !absent.is_empty() {
        let names: Vec<String> = absent.iter().map(ToString::to_string).collect();
        let _ = writeln!(s, "absent classes ({}): {}", names.len(), names.join(", "));
    }
    if !counts.is_ordered() {
        let _ = writeln!(
            s,
            "suggested class weights: the labels are names in no declared order, so weight `i` \
             cannot be matched to the model's output `i`; declare the order with `--classes \
             {}` (or `classes = [..]` in the config)",
            counts
                .labels()
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(",")
        );
        return s;
    }
    let _ = writeln!(
        s,
        "suggested class weights (mean 1 over the classes, class order {}):",
        counts.order()
    );
    for scheme in schemes() {
        let _ = match counts.weights(scheme) {
            Ok(w) => writeln!(s, "  {:<24}{}", scheme.to_string(), list(&w)),
            Err(e) => writeln!(s, "  {:<24}cannot compute: {e}", scheme.to_string()),
        };
    }
    if file.task == TaskHint::Binary
        && let Some(pw) = binary_pos_weight(counts)
    {
        let _ = writeln!(
            s,
            "suggested pos_weight (negatives / positives, for a with-logits BCE): {}",
            number(pw)
        );
    }
    s
}

fn labels_text(file: &FileStats, counts: &MultiLabelCounts, policy: ImbalancePolicy) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}: {} rows, {} labels ({})",
        file.path,
        thousands(counts.rows()),
        counts.labels().len(),
        file.task
    );
    let max = counts.positives().iter().copied().max().unwrap_or(0);
    let rows: Vec<(String, u64, f64)> = counts
        .labels()
        .iter()
        .cloned()
        .zip(counts.positives().iter().copied())
        .zip(counts.positive_rates())
        .map(|((l, p), r)| (l, p, r))
        .collect();
    chart(&mut s, "label", "positives", &rows, max);
    match policy.judge(&file.stats) {
        Some(verdict) => {
            let _ = writeln!(
                s,
                "{verdict}: imbalanced (max_ratio {:?})",
                policy.max_ratio
            );
        }
        None => {
            let _ = writeln!(
                s,
                "every label's neg/pos ratio is below max_ratio {:?}",
                policy.max_ratio
            );
        }
    }
    let _ = match counts.pos_weight() {
        Ok(w) => writeln!(
            s,
            "suggested pos_weight (negatives / positives per label): {}",
            list(&w)
        ),
        Err(e) => writeln!(s, "suggested pos_weight: cannot compute: {e}"),
    };
    s
}

/// A bar chart: one row per class, bars scaled to `max`, with counts and shares.
fn chart(s: &mut String, what: &str, count_name: &str, rows: &[(String, u64, f64)], max: u64) {
    let label_width = rows
        .iter()
        .map(|(l, _, _)| l.chars().count())
        .max()
        .unwrap_or(0)
        .max(what.len());
    let count_width = rows
        .iter()
        .map(|(_, c, _)| thousands(*c).len())
        .max()
        .unwrap_or(0)
        .max(count_name.len());
    let _ = writeln!(
        s,
        "  {what:<label_width$}  {:<BAR_WIDTH$}  {count_name:>count_width$}   share",
        ""
    );
    for (label, count, share) in rows {
        let _ = writeln!(
            s,
            "  {label:<label_width$}  {}  {:>count_width$}  {:>5.1}%",
            bar(*count, max),
            thousands(*count),
            share * 100.0
        );
    }
}

/// A bar of `count / max` of [`BAR_WIDTH`] cells, in eighths of a cell.
fn bar(count: u64, max: u64) -> String {
    const EIGHTHS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    let eighths = if max == 0 {
        0
    } else {
        ((count as f64 / max as f64) * (BAR_WIDTH * 8) as f64).round() as usize
    };
    // A class that occurs at all gets at least a sliver.
    let eighths = if count > 0 { eighths.max(1) } else { 0 };
    let full = eighths / 8;
    let mut bar: String = "█".repeat(full);
    if full < BAR_WIDTH {
        if let Some(&c) = EIGHTHS.get(eighths % 8) {
            bar.push(c);
        }
        bar.push_str(&" ".repeat(BAR_WIDTH - full - 1));
    }
    bar
}

/// `neg / pos` of a binary (0/1) class count, when both classes occur.
fn binary_pos_weight(counts: &ClassCounts) -> Option<f64> {
    let neg = counts.count(&ClassLabel::Id(0))?;
    let pos = counts.count(&ClassLabel::Id(1)).filter(|&p| p > 0)?;
    Some(neg as f64 / pos as f64)
}

fn to_json(file: &FileStats, policy: ImbalancePolicy) -> Value {
    let verdict = policy.judge(&file.stats);
    match &file.stats {
        LabelStats::MultiClass(counts) => {
            let classes: Vec<Value> = counts
                .iter()
                .zip(counts.shares())
                .map(|((label, count), share)| {
                    json!({ "label": label_json(label), "count": count, "share": share })
                })
                .collect();
            let mut weights = serde_json::Map::new();
            let mut errors = serde_json::Map::new();
            for scheme in schemes() {
                match counts.weights(scheme) {
                    Ok(w) => {
                        weights.insert(scheme.to_string(), json!(w));
                    }
                    Err(e) => {
                        weights.insert(scheme.to_string(), Value::Null);
                        errors.insert(scheme.to_string(), json!(e.to_string()));
                    }
                }
            }
            let pos_weight = (file.task == TaskHint::Binary)
                .then(|| binary_pos_weight(counts))
                .flatten();
            json!({
                "path": file.path,
                "task": file.task.to_string(),
                "rows": counts.total(),
                "classes": classes,
                "imbalance_ratio": counts.imbalance_ratio(),
                "imbalanced": verdict.is_some(),
                "max_ratio": policy.max_ratio,
                "verdict": verdict.map(|v| v.to_string()),
                "rarest": counts.rarest().map(|(l, n)| json!({ "label": label_json(l), "count": n })),
                "commonest": counts.commonest().map(|(l, n)| json!({ "label": label_json(l), "count": n })),
                "absent": counts.absent().into_iter().map(label_json).collect::<Vec<_>>(),
                "weights": weights,
                "weight_errors": errors,
                "class_order": counts.is_ordered().then(|| counts.order()),
                "pos_weight": pos_weight,
            })
        }
        LabelStats::MultiLabel(counts) => {
            let labels: Vec<Value> = counts
                .labels()
                .iter()
                .zip(counts.positives())
                .zip(counts.positive_rates())
                .zip(counts.neg_pos_ratios())
                .map(|(((label, positives), rate), ratio)| {
                    json!({
                        "label": label,
                        "positives": positives,
                        "rate": rate,
                        "neg_pos_ratio": ratio,
                    })
                })
                .collect();
            let (pos_weight, error) = match counts.pos_weight() {
                Ok(w) => (json!(w), Value::Null),
                Err(e) => (Value::Null, json!(e.to_string())),
            };
            json!({
                "path": file.path,
                "task": file.task.to_string(),
                "rows": counts.rows(),
                "labels": labels,
                "imbalanced": verdict.is_some(),
                "max_ratio": policy.max_ratio,
                "verdict": verdict.map(|v| v.to_string()),
                "pos_weight": pos_weight,
                "pos_weight_error": error,
            })
        }
    }
}

fn label_json(label: &ClassLabel) -> Value {
    match label {
        ClassLabel::Id(id) => json!(id),
        ClassLabel::Name(name) => json!(name),
    }
}

/// `[0.2, 1.8]` with at most 4 decimals.
fn list(values: &[f64]) -> String {
    let items: Vec<String> = values.iter().map(|&v| number(v)).collect();
    format!("[{}]", items.join(", "))
}

fn number(v: f64) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// `1234567` as `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_bars() {
        assert_eq!(number(0.2), "0.2");
        assert_eq!(number(1.0), "1");
        assert_eq!(number(0.555_555), "0.5556");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(12), "12");
        assert_eq!(bar(10, 10).chars().filter(|&c| c == '█').count(), BAR_WIDTH);
        assert_eq!(bar(5, 10).chars().count(), BAR_WIDTH);
        assert!(bar(1, 1_000_000).starts_with('▏'));
        assert_eq!(bar(0, 10).trim(), "");
    }

    #[test]
    fn text_report_of_classes() {
        let counts = ClassCounts::from_pairs([("cat".into(), 900), ("dog".into(), 100)])
            .with_class_names(&["cat", "dog"])
            .unwrap();
        let file = FileStats {
            path: "y.csv".into(),
            stats: LabelStats::MultiClass(counts.clone()),
            task: TaskHint::MultiClass,
        };
        let text = classes_text(&file, &counts, ImbalancePolicy::default());
        assert!(
            text.starts_with("y.csv: 1,000 rows, 2 classes (multiclass)\n"),
            "{text}"
        );
        assert!(text.contains("  90.0%"), "{text}");
        assert!(text.contains("imbalance ratio 9.0"), "{text}");
        assert!(
            text.contains("inverse_frequency       [0.2, 1.8]"),
            "{text}"
        );
        assert!(text.contains("class order 0 = `cat`, 1 = `dog`"), "{text}");
        let unordered = ClassCounts::from_pairs([("cat".into(), 900), ("dog".into(), 100)]);
        let text = classes_text(&file, &unordered, ImbalancePolicy::default());
        assert!(text.contains("--classes cat,dog"), "{text}");
        assert!(!text.contains("inverse_frequency"), "{text}");
    }
}
