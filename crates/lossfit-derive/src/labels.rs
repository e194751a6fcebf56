//! Reads a head's label file at compile time and turns its statistics into verdicts and
//! weights (through `lossfit-stats`, the same code `losslint` runs).

use std::path::{Path, PathBuf};

use lossfit_stats::{
    Imbalance, ImbalancePolicy, LabelStats, ReadOptions, TaskHint, WeightScheme, read_labels,
};

use crate::catalog::Task;

/// Where a relative `labels` path points: `$LOSSFIT_LABELS_DIR` when set (for build systems that
/// keep data outside the crate), else the crate's `CARGO_MANIFEST_DIR`.
pub(crate) fn resolve(path: &str) -> PathBuf {
    let path = PathBuf::from(path);
    if path.is_absolute() {
        return path;
    }
    let base = std::env::var_os("LOSSFIT_LABELS_DIR")
        .or_else(|| std::env::var_os("CARGO_MANIFEST_DIR"))
        .map(PathBuf::from)
        .unwrap_or_default();
    base.join(path)
}

/// The directories a label file may be read from: the crate, and `$LOSSFIT_LABELS_DIR`.
fn allowed_roots() -> Vec<PathBuf> {
    ["CARGO_MANIFEST_DIR", "LOSSFIT_LABELS_DIR"]
        .iter()
        .filter_map(std::env::var_os)
        .map(PathBuf::from)
        .collect()
}

/// `path` when it lies inside one of `roots` (after following links and `..`), else the
/// error that says where label files may be. A path that does not exist is left to the reader.
fn confine(path: &Path, roots: &[PathBuf]) -> Result<(), String> {
    let Some(base) = lossfit_stats::read_root(path) else {
        return Err(format!(
            "label pattern `{}` has a `..` after a wildcard, so its files could lie anywhere; \
             write the pattern without climbing out of its directory",
            path.display()
        ));
    };
    let Ok(file) = base.canonicalize() else {
        return Ok(());
    };
    let inside = roots
        .iter()
        .filter_map(|root| root.canonicalize().ok())
        .any(|root| file.starts_with(root));
    if inside {
        Ok(())
    } else {
        Err(format!(
            "label file `{}` is outside the crate and `$LOSSFIT_LABELS_DIR`: the derive reads \
             label files only there; move it into the crate, or set `LOSSFIT_LABELS_DIR` to its \
             directory",
            path.display()
        ))
    }
}

/// Reads the statistics for a head of `task`.
pub(crate) fn read(
    task: Task,
    path: &std::path::Path,
    column: Option<String>,
    classes: Option<usize>,
    class_names: Option<Vec<String>>,
) -> Result<LabelStats, String> {
    confine(path, &allowed_roots())?;
    let hint = match task {
        Task::MultiLabel => TaskHint::MultiLabel,
        Task::Binary => TaskHint::Binary,
        _ => TaskHint::MultiClass,
    };
    let options = ReadOptions {
        column,
        task: Some(hint),
        classes,
        class_names,
        ..ReadOptions::default()
    };
    read_labels(path, &options).map_err(|e| e.to_string())
}

/// The imbalance the policy sees, if any.
pub(crate) fn judge(stats: &LabelStats, max_ratio: f64) -> Option<Imbalance> {
    ImbalancePolicy { max_ratio }.judge(stats)
}

/// Class weights of a scheme (multi-class statistics only).
pub(crate) fn class_weights(stats: &LabelStats, scheme: WeightScheme) -> Result<Vec<f64>, String> {
    match stats {
        LabelStats::MultiClass(counts) => counts.weights(scheme).map_err(|e| e.to_string()),
        LabelStats::MultiLabel(_) => Err(
            "class weights need single-label statistics; this file has several labels per row"
                .to_string(),
        ),
    }
}

/// ` (class order 0 = `cat`, 1 = `dog`)` for declared names, so a pasted list says which
/// weight is whose; empty for integer labels (their order is numeric).
pub(crate) fn named_order(stats: &LabelStats) -> String {
    match stats {
        LabelStats::MultiClass(counts)
            if counts
                .labels()
                .iter()
                .any(|l| matches!(l, lossfit_stats::ClassLabel::Name(_))) =>
        {
            format!(" (class order {})", counts.order())
        }
        _ => String::new(),
    }
}

/// `neg / pos` per label (multi-label) or for the positive class (binary).
pub(crate) fn pos_weight(stats: &LabelStats) -> Result<Vec<f64>, String> {
    match stats {
        LabelStats::MultiLabel(counts) => counts.pos_weight().map_err(|e| e.to_string()),
        LabelStats::MultiClass(counts) if !counts.is_ordered() => Err(counts
            .require_order()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()),
        LabelStats::MultiClass(counts) => {
            let c = counts.counts();
            match c.as_slice() {
                [negatives, positives] if *positives > 0 => {
                    Ok(vec![*negatives as f64 / *positives as f64])
                }
                [_, _] => Err("the labels have no positive (1) samples".to_string()),
                other => Err(format!(
                    "a binary head needs labels 0 and 1, but the file has {} classes",
                    other.len()
                )),
            }
        }
    }
}

/// The number of classes (or labels) the statistics describe.
pub(crate) fn classes(stats: &LabelStats) -> usize {
    match stats {
        LabelStats::MultiClass(counts) => counts.len(),
        LabelStats::MultiLabel(counts) => counts.labels().len(),
    }
}

/// `[0.2, 1.8, ..]` with 4 significant digits, ready to paste.
pub(crate) fn format_list(values: &[f64]) -> String {
    let items: Vec<String> = values.iter().map(|v| format_number(*v)).collect();
    format!("[{}]", items.join(", "))
}

fn format_number(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v:?}");
    }
    let digits = (3 - v.abs().log10().floor() as i32).clamp(1, 12) as usize;
    let text = format!("{v:.digits$}");
    let trimmed = text.trim_end_matches('0');
    if trimmed.ends_with('.') {
        format!("{trimmed}0")
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_files_are_read_only_inside_the_allowed_roots() {
        let base =
            std::env::temp_dir().join(format!("lossfit-derive-confine-{}", std::process::id()));
        let krate = base.join("crate");
        let data = base.join("data");
        std::fs::create_dir_all(krate.join("labels")).unwrap();
        std::fs::create_dir_all(&data).unwrap();
        let inside = krate.join("labels/counts.json");
        let outside = data.join("counts.json");
        std::fs::write(&inside, "{}").unwrap();
        std::fs::write(&outside, "{}").unwrap();
        let roots = [krate.clone()];
        assert!(confine(&inside, &roots).is_ok());
        // `..` out of the crate, and an absolute path elsewhere.
        assert!(confine(&krate.join("labels/../../data/counts.json"), &roots).is_err());
        let err = confine(&outside, &roots).unwrap_err();
        assert!(err.contains("LOSSFIT_LABELS_DIR"), "{err}");
        // With the data directory allowed.
        assert!(confine(&outside, &[krate, data]).is_ok());
        // A missing file is the reader's to report.
        assert!(confine(&base.join("missing.json"), &roots).is_ok());
        std::fs::remove_dir_all(&base).unwrap();
    }
}
