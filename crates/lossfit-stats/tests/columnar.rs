//! Parquet and Arrow IPC label columns against the counts their writers' own tools reported
//! when the fixtures were made (`tests/fixtures/columnar/generate.py`: pyarrow, `datasets`,
//! DuckDB), and the malformed files a user meets.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lossfit_stats::{ErrorKind, LabelStats, ReadOptions, StatsError, TaskHint, read_labels};
use serde_json::Value;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/columnar")
}

fn expected() -> Value {
    let text = std::fs::read_to_string(dir().join("expected.json")).expect("expected.json");
    serde_json::from_str(&text).expect("expected.json is JSON")
}

/// `{label: count}` from the writer's counts.
fn as_map(value: &Value) -> BTreeMap<String, u64> {
    value
        .as_object()
        .expect("an object of counts")
        .iter()
        .map(|(k, v)| {
            let key = match k.as_str() {
                "false" => "0".to_string(),
                "true" => "1".to_string(),
                other => other.to_string(),
            };
            (key, v.as_u64().expect("a count"))
        })
        .collect()
}

fn column(name: &str) -> ReadOptions {
    ReadOptions {
        column: Some(name.to_string()),
        ..ReadOptions::default()
    }
}

fn read(path: impl AsRef<Path>, options: &ReadOptions) -> Result<LabelStats, StatsError> {
    read_labels(&dir().join(path), options)
}

/// The classes and counts of single-label statistics, in their order.
fn classes(stats: &LabelStats) -> Vec<(String, u64)> {
    let LabelStats::MultiClass(counts) = stats else {
        panic!("expected single-label statistics, got {stats:?}")
    };
    counts
        .labels()
        .iter()
        .map(ToString::to_string)
        .zip(counts.counts())
        .collect()
}

/// The labels and positive counts of multi-label statistics, and the rows.
fn positives(stats: &LabelStats) -> (Vec<(String, u64)>, u64) {
    let LabelStats::MultiLabel(counts) = stats else {
        panic!("expected multi-label statistics, got {stats:?}")
    };
    let pairs = counts
        .labels()
        .iter()
        .cloned()
        .zip(counts.positives().iter().copied())
        .collect();
    (pairs, counts.rows())
}

fn as_sorted_map(pairs: Vec<(String, u64)>) -> BTreeMap<String, u64> {
    pairs.into_iter().collect()
}

#[test]
fn hub_shards_by_glob_merge_with_the_class_label_names_and_order() {
    let expected = expected();
    let stats = read("hub/data/train-*.parquet", &ReadOptions::default()).unwrap();
    let names: Vec<String> = expected["hub_names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect();
    let got = classes(&stats);
    // The `ClassLabel` order (negative, neutral, positive), not the alphabetical one.
    assert_eq!(
        got.iter().map(|(l, _)| l.clone()).collect::<Vec<_>>(),
        names
    );
    assert_eq!(as_sorted_map(got), as_map(&expected["hub_train"]));
    let LabelStats::MultiClass(counts) = stats else {
        unreachable!()
    };
    assert!(counts.is_ordered(), "the dataset declares the class order");
}

#[test]
fn a_directory_with_several_splits_is_refused_with_a_glob_to_use() {
    let err = read("hub/data", &ReadOptions::default()).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("`test`, `train`"), "{text}");
    assert!(text.contains("train-*.parquet"), "{text}");
    // One file of the split reads alone, an empty shard is no error among others but is alone.
    read(
        "hub/data/train-00000-of-00004.parquet",
        &ReadOptions::default(),
    )
    .unwrap();
    let err = read(
        "hub/data/train-00003-of-00004.parquet",
        &ReadOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Empty), "{err}");
}

#[test]
fn row_groups_of_one_class_count_like_pyarrow() {
    // Sorted labels: most row groups hold one class, a dictionary of one value indexed with 1 bit.
    let text = std::fs::read_to_string(dir().join("sorted.json")).unwrap();
    let expected: Value = serde_json::from_str(&text).unwrap();
    for name in ["label", "name"] {
        let stats = read("sorted.parquet", &column(name)).unwrap();
        assert_eq!(
            as_sorted_map(classes(&stats)),
            as_map(&expected[name]),
            "{name}"
        );
    }
}

#[test]
fn an_unlabelled_datasets_split_says_so() {
    // `datasets` writes -1 for a row without a label (GLUE's test splits).
    let err = read("hub/unlabelled/test-*.parquet", &ReadOptions::default()).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("12 rows have the label -1"), "{text}");
    assert!(text.contains("labelled split"), "{text}");
    assert_eq!(err.column(), Some("label"));
}

#[test]
fn every_encoding_codec_and_page_version_counts_what_pyarrow_counts() {
    let expected = &expected()["encodings"];
    for file in ["encodings.parquet", "encodings_v2.parquet"] {
        for name in [
            "label",
            "plain",
            "delta",
            "int32",
            "small",
            "u32",
            "big",
            "name",
            "name_plain",
            "name_delta",
            "digits",
            "many",
            "flag",
            "meta.topic",
        ] {
            let stats = read(file, &column(name)).unwrap_or_else(|e| panic!("{file} {name}: {e}"));
            assert_eq!(
                as_sorted_map(classes(&stats)),
                as_map(&expected[name]),
                "{file} column {name}"
            );
        }
        for name in ["tags", "tag_names"] {
            let (pairs, rows) = positives(&read(file, &column(name)).unwrap());
            assert_eq!(rows, expected["rows"].as_u64().unwrap(), "{file} {name}");
            assert_eq!(
                as_sorted_map(pairs),
                as_map(&expected[name]),
                "{file} {name}"
            );
        }
    }
}

#[test]
fn column_types_decide_ids_or_names() {
    let ids = |stats: &LabelStats| {
        let LabelStats::MultiClass(counts) = stats else {
            panic!("multi-class")
        };
        counts.is_ordered()
    };
    // Integers are ids; strings that are all integers too; other strings are names.
    assert!(ids(&read("encodings.parquet", &column("u32")).unwrap()));
    assert!(ids(&read("encodings.parquet", &column("digits")).unwrap()));
    assert!(!ids(&read("encodings.parquet", &column("name")).unwrap()));
    // Unsigned 32-bit ids above i32::MAX keep their value.
    let u32s = classes(&read("encodings.parquet", &column("u32")).unwrap());
    assert!(
        u32s.iter()
            .all(|(l, _)| l.parse::<u64>().unwrap() >= 4_000_000_000)
    );
    // A boolean column read as a binary task.
    let binary = ReadOptions {
        task: Some(TaskHint::Binary),
        ..column("flag")
    };
    assert_eq!(
        classes(&read("encodings.parquet", &binary).unwrap()).len(),
        2
    );
}

#[test]
fn wrong_columns_and_tasks_are_errors_that_say_what_to_do() {
    let err = read("encodings.parquet", &column("score")).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::ColumnType { .. }), "{err}");
    assert!(err.to_string().contains("DOUBLE"), "{err}");
    let err = read("regression.parquet", &ReadOptions::default()).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::ColumnType { column, .. } if column == "label"),
        "{err}"
    );
    let err = read("encodings.parquet", &column("nope")).unwrap_err();
    let ErrorKind::MissingColumn { available, .. } = err.kind() else {
        panic!("{err}")
    };
    assert!(available.contains(&"label".to_string()));
    let err = read("encodings.parquet", &column("meta")).unwrap_err();
    assert!(
        err.to_string().contains("`meta.topic`"),
        "a struct names its fields: {err}"
    );
    let err = read("encodings.parquet", &column("maybe")).unwrap_err();
    let nulls = expected()["encodings"]["maybe_nulls"].as_u64().unwrap();
    assert!(
        matches!(err.kind(), ErrorKind::NullLabel { count } if *count == nulls),
        "{err}"
    );
    assert_eq!(err.column(), Some("maybe"));
    assert!(err.path().is_some_and(|p| p.ends_with("encodings.parquet")));
    let multi = ReadOptions {
        task: Some(TaskHint::MultiLabel),
        ..column("label")
    };
    let err = read("encodings.parquet", &multi).unwrap_err();
    assert!(err.to_string().contains("list column"), "{err}");
    let single = ReadOptions {
        task: Some(TaskHint::MultiClass),
        ..column("tags")
    };
    let err = read("encodings.parquet", &single).unwrap_err();
    assert!(err.to_string().contains("multi-label"), "{err}");
}

#[test]
fn malformed_files_are_errors() {
    for (file, what) in [
        ("truncated.parquet", "Parquet"),
        ("not_parquet.parquet", "Parquet"),
        ("truncated.arrow", "Arrow"),
    ] {
        let err = read(file, &ReadOptions::default()).unwrap_err();
        let ok = match what {
            "Parquet" => matches!(err.kind(), ErrorKind::BadParquet { .. }),
            _ => matches!(err.kind(), ErrorKind::BadArrow { .. }),
        };
        assert!(ok, "{file}: {err}");
        assert!(err.path().is_some(), "{err}");
    }
    let err = read("empty.parquet", &ReadOptions::default()).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Empty), "{err}");
    let err = read("hub/data/valid-*.parquet", &ReadOptions::default()).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::NoMatch { .. }), "{err}");
}

#[test]
fn corrupted_bytes_anywhere_are_errors_or_counts_never_a_panic() {
    let scratch =
        std::env::temp_dir().join(format!("lossfit-columnar-corrupt-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    for (source, options) in [
        ("encodings.parquet", column("label")),
        ("encodings_v2.parquet", column("tags")),
        ("encodings.parquet", column("name_delta")),
        (
            "save_to_disk/data-00000-of-00002.arrow",
            ReadOptions::default(),
        ),
    ] {
        let bytes = std::fs::read(dir().join(source)).unwrap();
        let ext = Path::new(source).extension().unwrap().to_str().unwrap();
        let path = scratch.join(format!("corrupt.{ext}"));
        for at in (0..bytes.len()).step_by(bytes.len() / 300 + 1) {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x5a;
            std::fs::write(&path, &damaged).unwrap();
            // Either outcome is fine; a panic or a hang fails the test.
            let _ = read_labels(&path, &options);
        }
    }
    std::fs::remove_dir_all(&scratch).unwrap();
}

#[test]
fn duckdb_shards_and_its_group_by_counts_agree() {
    let expected = expected();
    let stats = read("duckdb/shard-*.parquet", &ReadOptions::default()).unwrap();
    assert_eq!(
        as_sorted_map(classes(&stats)),
        as_map(&expected["duckdb_label"])
    );
    // The README's recipe: DuckDB's `GROUP BY label` written as counts JSON reads the same.
    let recipe = read("duckdb/counts.json", &ReadOptions::default()).unwrap();
    assert_eq!(classes(&recipe), classes(&stats));
    let animals = read("duckdb/shard-*.parquet", &column("animal")).unwrap();
    assert_eq!(
        as_sorted_map(classes(&animals)),
        as_map(&expected["duckdb_animal"])
    );
}

#[test]
fn save_to_disk_directories_read_their_class_labels() {
    let expected = expected();
    let stats = read("save_to_disk", &ReadOptions::default()).unwrap();
    let got = classes(&stats);
    assert_eq!(
        got.iter().map(|(l, _)| l.as_str()).collect::<Vec<_>>(),
        ["sports", "world", "business", "tech"],
        "the ClassLabel order"
    );
    assert_eq!(as_sorted_map(got), as_map(&expected["save_to_disk_label"]));
    let (tags, rows) = positives(&read("save_to_disk", &column("tags")).unwrap());
    assert_eq!(rows, expected["save_to_disk_rows"].as_u64().unwrap());
    assert_eq!(
        tags.iter().map(|(l, _)| l.as_str()).collect::<Vec<_>>(),
        ["urgent", "local", "opinion"]
    );
    assert_eq!(as_sorted_map(tags), as_map(&expected["save_to_disk_tags"]));
    // One file of it, with the names from dataset_info.json beside it.
    read(
        "save_to_disk/data-00001-of-00002.arrow",
        &ReadOptions::default(),
    )
    .unwrap();
    let err = read("dict", &ReadOptions::default()).unwrap_err();
    assert!(err.to_string().contains("`train`, `test`"), "{err}");
    let train = read("dict/train", &ReadOptions::default()).unwrap();
    assert_eq!(
        as_sorted_map(classes(&train)),
        as_map(&expected["dict_train_label"])
    );
}

#[test]
fn feather_files_with_compression_and_dictionaries() {
    let expected = expected();
    let stats = read("labels.feather", &ReadOptions::default()).unwrap();
    assert_eq!(
        as_sorted_map(classes(&stats)),
        as_map(&expected["feather_label"])
    );
    let stats = read("categorical.feather", &column("species")).unwrap();
    assert_eq!(
        as_sorted_map(classes(&stats)),
        as_map(&expected["feather_species"])
    );
    // Neither column has a label's name, and there are two: the error lists them.
    let err = read("categorical.feather", &ReadOptions::default()).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::MissingColumn { .. }),
        "{err}"
    );
}

#[test]
fn progress_reaches_the_total() {
    let mut calls = Vec::new();
    lossfit_stats::read_labels_with_progress(
        &dir().join("hub/data/train-*.parquet"),
        &ReadOptions::default(),
        &mut |done, total| calls.push((done, total)),
    )
    .unwrap();
    let &(done, total) = calls.last().expect("progress was reported");
    assert_eq!(done, total);
    assert!(total > 0);
}
