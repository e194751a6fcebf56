//! Every label reader of lossfit-stats, through `read_labels` on a file.
//!
//! Input: a 4-byte header, then the file's content.
//! - byte 0: the format. Values 0..=5 name the file `input.{csv,tsv,txt,labels,json,npy}` and
//!   let the extension decide (`.json` is sniffed); 6..=11 name it `input.bin` and set
//!   `ReadOptions::format` to CSV, TSV, text, JSON counts, JSON array, NPY; other values wrap.
//! - byte 1: bits 0-1 the task (none, multi-class, multi-label, binary); bits 2-3 the declared
//!   classes (none, `byte 2 % 17`, `byte 2 * 2^(byte 3 % 64)` which is often huge, or
//!   `usize::MAX - byte 2`); bits 4-5 the CSV column (none, `label`, the second header field,
//!   `missing`); bits 6-7 the multi-label columns (none, `["a", "b"]`, none listed, the header
//!   fields but the first).
//! - bytes 2, 3: the numbers above.

use std::path::Path;

use lossfit_stats::{
    ClassLabel, Format, ImbalancePolicy, LabelStats, ReadOptions, TaskHint, WeightScheme,
    read_labels, read_labels_with_progress, write_counts_json,
};

use crate::scratch;

const EXTENSIONS: [&str; 7] = ["csv", "tsv", "txt", "labels", "json", "npy", "jsonl"];
const FORMATS: [Format; 8] = [
    Format::Csv,
    Format::Tsv,
    Format::Text,
    Format::JsonCounts,
    Format::JsonArray,
    Format::Npy,
    Format::JsonLines,
    Format::Coco,
];

/// `read_labels` on a file made from `data`, with options made from its header.
///
/// Checks: no panic, no unbounded allocation; an error message names the file; the
/// statistics are consistent (rows = the sum of the class counts, no label has more positives
/// than rows, declared classes are all listed); the progress callback ends at the file's
/// size; writing the statistics with `write_counts_json` and reading that back gives equal
/// statistics (as `write_counts_json` documents); class weights of every scheme are finite,
/// positive and of mean 1; judging the imbalance does not panic.
///
/// # Panics
/// When a check fails.
pub fn label_readers(data: &[u8]) {
    let [format, flags, a, b, content @ ..] = data else {
        return;
    };
    let (a, b) = (*a, *b);
    let format = usize::from(*format) % (EXTENSIONS.len() + FORMATS.len());
    let (file, format) = match EXTENSIONS.get(format) {
        Some(ext) => (format!("input.{ext}"), None),
        None => (
            "input.bin".to_string(),
            Some(FORMATS[format - EXTENSIONS.len()]),
        ),
    };
    let header: Vec<String> = content
        .split(|&c| c == b'\n')
        .next()
        .map(|line| {
            String::from_utf8_lossy(line)
                .split([',', '\t'])
                .map(|f| f.trim().to_string())
                .collect()
        })
        .unwrap_or_default();
    let options = ReadOptions {
        format,
        task: [
            None,
            Some(TaskHint::MultiClass),
            Some(TaskHint::MultiLabel),
            Some(TaskHint::Binary),
        ][usize::from(flags & 3)],
        classes: match (flags >> 2) & 3 {
            0 => None,
            1 => Some(usize::from(a % 17)),
            2 => Some(
                usize::from(a)
                    .checked_shl(u32::from(b % 64))
                    .unwrap_or(usize::MAX),
            ),
            _ => Some(usize::MAX - usize::from(a)),
        },
        column: match (flags >> 4) & 3 {
            0 => None,
            1 => Some("label".to_string()),
            2 => Some(header.get(1).cloned().unwrap_or_default()),
            _ => Some("missing".to_string()),
        },
        label_columns: match flags >> 6 {
            0 => None,
            1 => Some(vec!["a".to_string(), "b".to_string()]),
            2 => Some(Vec::new()),
            _ => Some(header.iter().skip(1).cloned().collect()),
        },
        // The declared class order: the header's fields (names or numbers) as a class list.
        class_names: (b % 4 == 3).then(|| header.clone()),
        // Files fed here are single files: the directory layouts' extensions do not apply.
        extensions: None,
    };
    let dir = scratch::dir("labels");
    let path = scratch::write(&dir, &file, content);
    check(&path, &options, content.len() as u64);
}

fn check(path: &Path, options: &ReadOptions, size: u64) {
    let mut last = None;
    let result = read_labels_with_progress(path, options, &mut |read, total| {
        assert!(read <= total, "progress {read} of {total}");
        last = Some((read, total));
    });
    let stats = match result {
        Ok(stats) => stats,
        Err(err) => {
            let message = err.to_string();
            assert!(
                message.contains("input."),
                "the error does not name the file: {message}"
            );
            return;
        }
    };
    assert_eq!(last, Some((size, size)), "the last progress call");
    consistent(&stats, options);

    // The counts JSON round trip.
    let mut json = Vec::new();
    write_counts_json(&stats, &mut json).expect("writes to memory");
    let dir = scratch::dir("labels-roundtrip");
    let copy = scratch::write(&dir, "counts.json", &json);
    // Names keep the declared order only when it is declared again.
    let again = ReadOptions {
        class_names: options.class_names.clone(),
        ..ReadOptions::default()
    };
    let back = read_labels(&copy, &again).unwrap_or_else(|e| {
        panic!(
            "the counts JSON of {stats:?} does not read back: {e}\n{}",
            String::from_utf8_lossy(&json)
        )
    });
    assert!(
        back == stats,
        "the counts JSON reads back different statistics:\n{stats:?}\n{back:?}\n{}",
        String::from_utf8_lossy(&json)
    );

    let _ = ImbalancePolicy::default()
        .judge(&stats)
        .map(|i| i.to_string());
    match &stats {
        LabelStats::MultiClass(counts) => {
            for scheme in [
                WeightScheme::InverseFrequency,
                WeightScheme::InverseSqrtFrequency,
                WeightScheme::EffectiveNumber { beta: 0.999 },
                WeightScheme::EffectiveNumber { beta: 0.0 },
                WeightScheme::EffectiveNumber { beta: 1.0 - 1e-16 },
            ] {
                if let Ok(weights) = counts.weights(scheme) {
                    let mean = weights.iter().sum::<f64>() / weights.len() as f64;
                    assert!(
                        weights.iter().all(|w| w.is_finite() && *w > 0.0)
                            && (mean - 1.0).abs() < 1e-9,
                        "{scheme:?} weights of {counts:?}: {weights:?}"
                    );
                }
            }
        }
        LabelStats::MultiLabel(counts) => {
            if let Ok(pos_weight) = counts.pos_weight() {
                assert!(pos_weight.iter().all(|w| w.is_finite() && *w >= 0.0));
            }
        }
    }
}

fn consistent(stats: &LabelStats, options: &ReadOptions) {
    match stats {
        LabelStats::MultiClass(counts) => {
            assert_eq!(counts.labels().len(), counts.counts().len());
            assert_eq!(
                stats.rows(),
                counts.total(),
                "rows and counts of {counts:?}"
            );
            assert!(stats.rows() > 0, "empty statistics: {counts:?}");
            let named = counts
                .labels()
                .iter()
                .any(|l| matches!(l, ClassLabel::Name(_)));
            if let Some(names) = &options.class_names {
                if named {
                    assert!(
                        counts.is_ordered()
                            && counts.labels().len() == names.len()
                            && counts
                                .labels()
                                .iter()
                                .zip(names)
                                .all(|(label, name)| label.to_string() == *name),
                        "declared classes {names:?}: {counts:?}"
                    );
                    return;
                }
            } else {
                assert_eq!(counts.is_ordered(), !named, "order of {counts:?}");
            }
            let declared = match (options.task, &options.class_names) {
                (Some(TaskHint::Binary), _) => Some(2),
                (_, Some(names)) => Some(names.len()),
                _ => options.classes,
            };
            if let Some(classes) = declared {
                assert!(
                    counts.labels().len() == classes
                        && (0..classes as u64)
                            .zip(counts.labels())
                            .all(|(i, label)| *label == ClassLabel::Id(i)),
                    "declared {classes} classes: {counts:?}"
                );
            }
        }
        LabelStats::MultiLabel(counts) => {
            assert_eq!(counts.labels().len(), counts.positives().len());
            assert!(
                counts.positives().iter().all(|&p| p <= counts.rows()),
                "more positives than rows: {counts:?}"
            );
            if let Some(classes) = options.classes {
                assert_eq!(counts.labels().len(), classes, "declared {classes} labels");
            }
        }
    }
}
