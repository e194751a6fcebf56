//! Every label format read from small fixture files, and every error with its path and line.

mod common;

use std::fmt::Write as _;
use std::path::Path;

use common::{TempDir, i64_bytes, npy};
use lossfit_stats::{
    ClassCounts, ClassLabel, ErrorKind, Format, ImbalancePolicy, LabelStats, MultiLabelCounts,
    ReadOptions, StatsError, TaskHint, WeightScheme, read_labels, read_labels_with_progress,
    write_counts_json,
};

fn opts() -> ReadOptions {
    ReadOptions::default()
}

fn task(task: TaskHint) -> ReadOptions {
    ReadOptions {
        task: Some(task),
        ..opts()
    }
}

fn read_ok(path: &Path, options: &ReadOptions) -> LabelStats {
    read_labels(path, options).unwrap_or_else(|e| panic!("{e}"))
}

/// `(class, count)` as strings, in class order.
fn classes(path: &Path, options: &ReadOptions) -> Vec<(String, u64)> {
    match read_ok(path, options) {
        LabelStats::MultiClass(c) => c.iter().map(|(l, n)| (l.to_string(), n)).collect(),
        LabelStats::MultiLabel(m) => panic!("expected multi-class, got {m:?}"),
    }
}

fn multi_label(path: &Path, options: &ReadOptions) -> MultiLabelCounts {
    match read_ok(path, options) {
        LabelStats::MultiLabel(m) => m,
        LabelStats::MultiClass(c) => panic!("expected multi-label, got {c:?}"),
    }
}

fn pairs(list: &[(&str, u64)]) -> Vec<(String, u64)> {
    list.iter().map(|&(l, n)| (l.to_string(), n)).collect()
}

fn error(path: &Path, options: &ReadOptions) -> StatsError {
    match read_labels(path, options) {
        Ok(stats) => panic!("expected an error, read {stats:?}"),
        Err(err) => {
            assert_eq!(err.path(), Some(path));
            err
        }
    }
}

/// The message with the temp dir left out: `train.csv:3: ...`.
fn message(err: &StatsError, dir: &TempDir) -> String {
    let text = err.to_string();
    let prefix = format!("{}/", dir.path().display());
    text.strip_prefix(&prefix)
        .map_or(text.clone(), str::to_string)
}

// ---- CSV / TSV ----------------------------------------------------------------------------

#[test]
fn csv_default_column_is_named_label_labels_target_or_class() {
    let dir = TempDir::new("csv-default");
    for name in ["label", "Labels", "TARGET", "class"] {
        let path = dir.write(
            "a.csv",
            format!("id,{name},weight\n1,cat,0.5\n2,dog,1\n3,cat,2\n"),
        );
        assert_eq!(
            classes(&path, &opts()),
            pairs(&[("cat", 2), ("dog", 1)]),
            "{name}"
        );
    }
    // The first such column in header order wins.
    let path = dir.write("b.csv", "class,label\na,x\nb,y\n");
    assert_eq!(classes(&path, &opts()), pairs(&[("a", 1), ("b", 1)]));
    // None named so: the last column.
    let path = dir.write("c.csv", "path,species\nx.png,3\ny.png,1\nz.png,3\n");
    assert_eq!(classes(&path, &opts()), pairs(&[("1", 1), ("3", 2)]));
}

#[test]
fn csv_explicit_column() {
    let dir = TempDir::new("csv-column");
    let path = dir.write("a.csv", "label,species\nx,cat\ny,dog\n");
    let species = ReadOptions {
        column: Some("species".into()),
        ..opts()
    };
    assert_eq!(classes(&path, &species), pairs(&[("cat", 1), ("dog", 1)]));
    let folded = ReadOptions {
        column: Some("SPECIES".into()),
        ..opts()
    };
    assert_eq!(classes(&path, &folded), pairs(&[("cat", 1), ("dog", 1)]));
}

#[test]
fn tsv_uses_tabs() {
    let dir = TempDir::new("tsv");
    let path = dir.write("a.tsv", "id\tlabel\n1\tcat, small\n2\tdog\n3\tcat, small\n");
    assert_eq!(
        classes(&path, &opts()),
        pairs(&[("cat, small", 2), ("dog", 1)])
    );
}

#[test]
fn csv_quoting_and_whitespace() {
    let dir = TempDir::new("csv-quoted");
    let path = dir.write(
        "a.csv",
        "\u{feff}id,label\n1,\"dog, small\"\n2,\"say \"\"hi\"\"\"\n3,\"multi\nline\"\n4,\" dog, small \"\n\n",
    );
    assert_eq!(
        classes(&path, &opts()),
        pairs(&[("dog, small", 2), ("multi\nline", 1), ("say \"hi\"", 1)])
    );
    // Line 5 is inside the quoted field, so the unquoted comma is reported at line 6.
    let path = dir.write(
        "b.csv",
        "id,label\n1,\"dog, small\"\n2,\"say \"\"hi\"\"\"\n3,\"multi\nline\"\n4,dog, small\n",
    );
    let err = error(&path, &opts());
    assert_eq!(err.line(), Some(6));
    assert!(matches!(
        err.kind(),
        ErrorKind::RaggedRow {
            expected: 2,
            found: 3
        }
    ));
}

#[test]
fn ids_sort_numerically_and_names_lexicographically() {
    let dir = TempDir::new("ids-names");
    let path = dir.write("ids.csv", "label\n10\n2\n2\n007\n");
    assert_eq!(
        classes(&path, &opts()),
        pairs(&[("2", 2), ("7", 1), ("10", 1)])
    );
    let LabelStats::MultiClass(c) = read_ok(&path, &opts()) else {
        unreachable!()
    };
    assert_eq!(c.labels(), [2, 7, 10].map(ClassLabel::Id));
    let path = dir.write("names.csv", "label\nb\n10\na\n2\n");
    let LabelStats::MultiClass(c) = read_ok(&path, &opts()) else {
        unreachable!()
    };
    assert_eq!(
        c.labels(),
        ["10", "2", "a", "b"].map(ClassLabel::from),
        "a file whose first label is a name is all names"
    );
}

#[test]
fn declared_classes_report_absent_ids() {
    let dir = TempDir::new("declared");
    let path = dir.write("a.csv", "label\n0\n2\n2\n");
    let options = ReadOptions {
        classes: Some(5),
        ..opts()
    };
    let LabelStats::MultiClass(c) = read_ok(&path, &options) else {
        unreachable!()
    };
    assert_eq!(c.counts(), [1, 0, 2, 0, 0]);
    assert_eq!(
        c.absent(),
        [&ClassLabel::Id(1), &ClassLabel::Id(3), &ClassLabel::Id(4)]
    );
    assert_eq!(c.imbalance_ratio(), Some(2.0));

    let path = dir.write("b.csv", "label\n0\n1\n5\n");
    let err = error(&path, &options);
    assert!(matches!(
        err.kind(),
        ErrorKind::ClassOutOfRange { id: 5, classes: 5 }
    ));
    assert_eq!(
        message(&err, &dir),
        "b.csv:4: class id 5 is out of range for 5 declared classes; \
         declare at least 6 classes or fix the label"
    );

    let path = dir.write("c.csv", "label\ncat\n");
    let err = error(&path, &options);
    assert!(matches!(err.kind(), ErrorKind::NamedClasses { name } if name == "cat"));
    assert_eq!(err.line(), Some(2));
}

#[test]
fn binary_task_has_two_classes() {
    let dir = TempDir::new("binary");
    let path = dir.write("a.csv", "id,label\n1,0\n2,0\n3,0\n");
    let binary = task(TaskHint::Binary);
    assert_eq!(classes(&path, &binary), pairs(&[("0", 3), ("1", 0)]));
    let path = dir.write("b.txt", "1\n0\n2\n");
    let err = error(&path, &binary);
    assert!(matches!(err.kind(), ErrorKind::NotBinary { value } if value == "2"));
    assert_eq!(err.line(), Some(3));
    let path = dir.write("c.txt", "yes\n");
    assert!(matches!(
        error(&path, &binary).kind(),
        ErrorKind::NotBinary { .. }
    ));
    let three = ReadOptions {
        classes: Some(3),
        ..binary
    };
    assert!(matches!(
        error(&path, &three).kind(),
        ErrorKind::InvalidOptions { .. }
    ));
}

#[test]
fn multi_label_csv_columns() {
    let dir = TempDir::new("multi-label-csv");
    let path = dir.write(
        "a.csv",
        "ID,path,cat,dog,bird\n1,a.png,1,0,0\n2,b.png,1,1,0\n3,c.png,0,0, 1 \n4,d.png,1,0,0\n",
    );
    let m = multi_label(&path, &task(TaskHint::MultiLabel));
    assert_eq!(m.labels(), ["cat", "dog", "bird"]);
    assert_eq!(m.positives(), [3, 1, 1]);
    assert_eq!(m.rows(), 4);
    assert_eq!(m.pos_weight().unwrap(), [1.0 / 3.0, 3.0, 3.0]);

    let chosen = ReadOptions {
        label_columns: Some(vec!["bird".into(), "cat".into()]),
        ..task(TaskHint::MultiLabel)
    };
    let m = multi_label(&path, &chosen);
    assert_eq!(m.labels(), ["bird", "cat"]);
    assert_eq!(m.positives(), [1, 3]);

    let declared = ReadOptions {
        classes: Some(2),
        ..task(TaskHint::MultiLabel)
    };
    let err = error(&path, &declared);
    assert!(matches!(
        err.kind(),
        ErrorKind::LabelCount {
            declared: 2,
            found: 3
        }
    ));

    let path = dir.write("b.csv", "id,cat,dog\n1,1,0\n2,0,2\n");
    let err = error(&path, &task(TaskHint::MultiLabel));
    assert!(matches!(err.kind(), ErrorKind::NotBinary { value } if value == "2"));
    assert_eq!(err.column(), Some("dog"));
    assert_eq!(
        message(&err, &dir),
        "b.csv:3: value `2` is not 0 or 1 (column `dog`); \
         binary and multi-label values must be 0 or 1; fix the value"
    );

    let path = dir.write("c.csv", "id,path\n1,a\n");
    assert!(matches!(
        error(&path, &task(TaskHint::MultiLabel)).kind(),
        ErrorKind::InvalidOptions { .. }
    ));
}

// ---- text ---------------------------------------------------------------------------------

#[test]
fn text_skips_blank_lines() {
    let dir = TempDir::new("text");
    let path = dir.write("a.txt", "\u{feff}cat\r\n\r\n  dog  \n\ncat\n");
    assert_eq!(classes(&path, &opts()), pairs(&[("cat", 2), ("dog", 1)]));
    let path = dir.write("b.labels", "3\n1\n3");
    assert_eq!(classes(&path, &opts()), pairs(&[("1", 1), ("3", 2)]));
}

// ---- JSON ---------------------------------------------------------------------------------

#[test]
fn json_counts_with_names_and_ids() {
    let dir = TempDir::new("json-counts");
    let path = dir.write("a.json", r#"  {"counts": {"dog": 100, "cat": 900}}"#);
    assert_eq!(Format::from_path(&path), Some(Format::JsonCounts));
    assert_eq!(
        classes(&path, &opts()),
        pairs(&[("cat", 900), ("dog", 100)])
    );
    let path = dir.write("b.json", r#"{"counts": {"10": 5, "2": 7, "0": 0}}"#);
    let LabelStats::MultiClass(c) = read_ok(&path, &opts()) else {
        unreachable!()
    };
    assert_eq!(c.labels(), [0, 2, 10].map(ClassLabel::Id));
    assert_eq!(c.counts(), [0, 7, 5]);
    assert_eq!(c.absent(), [&ClassLabel::Id(0)]);
    let declared = ReadOptions {
        classes: Some(12),
        ..opts()
    };
    let LabelStats::MultiClass(c) = read_ok(&path, &declared) else {
        unreachable!()
    };
    assert_eq!(c.len(), 12);
}

#[test]
fn json_multi_label_counts() {
    let dir = TempDir::new("json-multi-label");
    let path = dir.write(
        "a.json",
        r#"{"positives": {"cat": 100, "dog": 0}, "rows": 1000}"#,
    );
    let m = multi_label(&path, &opts());
    assert_eq!(m.labels(), ["cat", "dog"]);
    assert_eq!(m.positives(), [100, 0]);
    assert_eq!(m.neg_pos_ratios(), [Some(9.0), None]);
    let err = error(&path, &task(TaskHint::MultiClass));
    assert!(matches!(err.kind(), ErrorKind::InvalidOptions { .. }));
    let path = dir.write("b.json", r#"{"rows": 10, "positives": {"cat": 11}}"#);
    assert!(matches!(
        error(&path, &opts()).kind(),
        ErrorKind::BadJson { .. }
    ));
}

#[test]
fn json_arrays_of_names_and_ids() {
    let dir = TempDir::new("json-array");
    let path = dir.write("a.json", "[\"cat\", \"dog\",\n \"cat\"]\n");
    assert_eq!(Format::from_path(&path), Some(Format::JsonArray));
    assert_eq!(classes(&path, &opts()), pairs(&[("cat", 2), ("dog", 1)]));
    let path = dir.write("b.json", "[0, 1, 1, \"1\"]");
    assert_eq!(classes(&path, &opts()), pairs(&[("0", 1), ("1", 3)]));
    let path = dir.write("c.json", "[\"cat\", 3]");
    assert_eq!(classes(&path, &opts()), pairs(&[("3", 1), ("cat", 1)]));
}

// ---- NPY ----------------------------------------------------------------------------------

#[test]
fn npy_one_dimensional_ids_of_every_integer_dtype() {
    let dir = TempDir::new("npy-1d");
    let ids = [2i64, 0, 2, 1, 2];
    let expected = pairs(&[("0", 1), ("1", 1), ("2", 3)]);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("<i8", i64_bytes(&ids)),
        (
            "<i4",
            ids.iter().flat_map(|&v| (v as i32).to_le_bytes()).collect(),
        ),
        (
            "<i2",
            ids.iter().flat_map(|&v| (v as i16).to_le_bytes()).collect(),
        ),
        ("|i1", ids.iter().map(|&v| v as u8).collect()),
        ("|u1", ids.iter().map(|&v| v as u8).collect()),
        (
            "<u2",
            ids.iter().flat_map(|&v| (v as u16).to_le_bytes()).collect(),
        ),
        (
            "<u4",
            ids.iter().flat_map(|&v| (v as u32).to_le_bytes()).collect(),
        ),
        (
            "<u8",
            ids.iter().flat_map(|&v| (v as u64).to_le_bytes()).collect(),
        ),
    ];
    for (version, (descr, data)) in [1u8, 2, 3].iter().cycle().zip(cases) {
        let path = dir.write("y.npy", npy(*version, descr, false, &[5], &data));
        assert_eq!(classes(&path, &opts()), expected, "{descr} v{version}");
    }
    let path = dir.write("b.npy", npy(1, "|b1", false, &[3], &[1, 0, 1]));
    assert_eq!(classes(&path, &opts()), pairs(&[("0", 1), ("1", 2)]));
}

#[test]
fn npy_two_dimensional_is_multi_label_in_c_and_fortran_order() {
    let dir = TempDir::new("npy-2d");
    // Rows: [1,0,0], [1,1,0], [0,0,0], [1,0,1]
    let rows = [[1u8, 0, 0], [1, 1, 0], [0, 0, 0], [1, 0, 1]];
    let c_order: Vec<u8> = rows.iter().flatten().copied().collect();
    let f_order: Vec<u8> = (0..3)
        .flat_map(|c| rows.iter().map(move |r| r[c]))
        .collect();
    for (fortran, data) in [(false, c_order), (true, f_order)] {
        let path = dir.write("y.npy", npy(1, "|u1", fortran, &[4, 3], &data));
        let m = multi_label(&path, &opts());
        assert_eq!(m.labels(), ["0", "1", "2"]);
        assert_eq!(m.positives(), [3, 1, 1], "fortran {fortran}");
        assert_eq!(m.rows(), 4);
    }
    // A 2 in Fortran order: element 5 is row 1 of column 1.
    let mut data = vec![0u8; 12];
    data[5] = 2;
    let path = dir.write("bad.npy", npy(1, "|u1", true, &[4, 3], &data));
    let err = error(&path, &opts());
    assert!(matches!(err.kind(), ErrorKind::NotBinary { value } if value == "2"));
    assert_eq!(
        (err.row(), err.column(), err.line()),
        (Some(1), Some("1"), None)
    );
    assert_eq!(
        message(&err, &dir),
        "bad.npy: value `2` is not 0 or 1 (row 1, column `1`); \
         binary and multi-label values must be 0 or 1; fix the value"
    );
    let err = error(&path, &task(TaskHint::MultiClass));
    assert!(matches!(err.kind(), ErrorKind::InvalidOptions { .. }));
}

// ---- errors -------------------------------------------------------------------------------

#[test]
fn ragged_rows() {
    let dir = TempDir::new("ragged");
    let path = dir.write(
        "train.csv",
        "a,b,c,label\n1,2,3,x\n1,2,3,x\n4,\"5,6\",7,x\n1,2,3\n",
    );
    let err = error(&path, &opts());
    assert!(matches!(
        err.kind(),
        ErrorKind::RaggedRow {
            expected: 4,
            found: 3
        }
    ));
    assert_eq!(
        message(&err, &dir),
        "train.csv:5: row has 3 fields, the header has 4; \
         fix the row or quote the field that contains the delimiter"
    );
    let path = dir.write("more.csv", "id,label\n1,a\n2,b,c\n");
    let err = error(&path, &opts());
    assert_eq!(err.line(), Some(3));
    assert!(matches!(
        err.kind(),
        ErrorKind::RaggedRow {
            expected: 2,
            found: 3
        }
    ));
}

#[test]
fn missing_column() {
    let dir = TempDir::new("missing-column");
    let path = dir.write("train.csv", "id,label\n1,a\n");
    let options = ReadOptions {
        column: Some("species".into()),
        ..opts()
    };
    let err = error(&path, &options);
    assert!(
        matches!(err.kind(), ErrorKind::MissingColumn { column, available }
        if column == "species" && available == &["id", "label"])
    );
    assert_eq!(
        message(&err, &dir),
        "train.csv: no column `species`; the header has `id`, `label`; \
         set the label column to one of these"
    );
    let options = ReadOptions {
        label_columns: Some(vec!["cat".into()]),
        ..task(TaskHint::MultiLabel)
    };
    assert!(matches!(
        error(&path, &options).kind(),
        ErrorKind::MissingColumn { .. }
    ));
}

#[test]
fn not_an_integer_and_negative_ids() {
    let dir = TempDir::new("not-int");
    let path = dir.write("train.csv", "id,label\n1,3\n2,4\n3,cat\n");
    let err = error(&path, &opts());
    assert!(matches!(err.kind(), ErrorKind::NotAnInteger { value } if value == "cat"));
    assert!(message(&err, &dir).starts_with("train.csv:4: `cat` is not an integer class id; "));
    let path = dir.write("y.txt", "1\n\n2.5\n");
    let err = error(&path, &opts());
    assert_eq!(err.line(), Some(3));
    assert!(matches!(err.kind(), ErrorKind::NotAnInteger { value } if value == "2.5"));
    let path = dir.write("neg.txt", "1\n-1\n");
    let err = error(&path, &opts());
    assert!(matches!(err.kind(), ErrorKind::NegativeClass { value: -1 }));
    assert_eq!(
        message(&err, &dir),
        "neg.txt:2: class id -1 is negative; \
         class ids count from 0; shift the labels or write them as names"
    );
    let path = dir.write("neg.json", "[0,\n 1,\n -4]");
    let err = error(&path, &opts());
    assert!(matches!(err.kind(), ErrorKind::NegativeClass { value: -4 }));
    assert_eq!(err.line(), Some(3));
    let path = dir.write("float.json", "[0, 1.5]");
    assert!(matches!(
        error(&path, &opts()).kind(),
        ErrorKind::NotAnInteger { value } if value == "1.5"
    ));
    let path = dir.write(
        "neg.npy",
        npy(1, "<i8", false, &[3], &i64_bytes(&[0, 1, -2])),
    );
    let err = error(&path, &opts());
    assert!(matches!(err.kind(), ErrorKind::NegativeClass { value: -2 }));
    assert_eq!(err.row(), Some(2));
    assert_eq!(
        message(&err, &dir),
        "neg.npy: class id -2 is negative (row 2); \
         class ids count from 0; shift the labels or write them as names"
    );
}

#[test]
fn empty_files() {
    let dir = TempDir::new("empty");
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("empty.csv", b"".to_vec()),
        ("header.csv", b"id,label\n".to_vec()),
        ("empty.txt", b"".to_vec()),
        ("blank.txt", b"\n  \n\r\n".to_vec()),
        ("array.json", b"[ ]".to_vec()),
        ("counts.json", br#"{"counts": {}}"#.to_vec()),
        ("zero.json", br#"{"counts": {"a": 0}}"#.to_vec()),
        (
            "rows.json",
            br#"{"rows": 0, "positives": {"a": 0}}"#.to_vec(),
        ),
        ("y.npy", npy(1, "<i8", false, &[0], &[])),
        ("Y.npy", npy(1, "<i8", false, &[0, 3], &[])),
    ];
    for (name, contents) in files {
        let path = dir.write(name, contents);
        let err = error(&path, &opts());
        assert!(matches!(err.kind(), ErrorKind::Empty), "{name}: {err}");
        assert_eq!(
            message(&err, &dir),
            format!(
                "{name}: the file has no labels; write at least one label or point to another file"
            )
        );
    }
}

#[test]
fn bad_json() {
    let dir = TempDir::new("bad-json");
    let path = dir.write(
        "a.json",
        "{\"counts\": {\n  \"cat\": 900,\n  \"dog\" 100\n}}",
    );
    let err = error(&path, &opts());
    assert!(matches!(err.kind(), ErrorKind::BadJson { .. }));
    assert_eq!(err.line(), Some(3));
    assert!(
        message(&err, &dir).starts_with("a.json:3: invalid label JSON: expected `:` (column "),
        "{err}"
    );
    let cases = [
        (
            "b.json",
            "[\"cat\", true]",
            "invalid type: boolean `true`, expected a label",
        ),
        ("c.json", "{\"count\": {}}", "unknown key `count`"),
        ("d.json", "{\"counts\": {\"a\": -1}}", "expected a count"),
        ("e.json", "[\"a\", \"b\"", "EOF while parsing"),
        ("f.json", "[\"a\"] x", "trailing characters"),
        (
            "g.json",
            "{\"rows\": 5}",
            "expected an object with `counts`",
        ),
        ("h.json", "\"cat\"", "starts with neither"),
    ];
    for (name, text, needle) in cases {
        let path = dir.write(name, text);
        let err = error(&path, &opts());
        assert!(
            matches!(err.kind(), ErrorKind::BadJson { .. }),
            "{name}: {err}"
        );
        assert!(err.to_string().contains(needle), "{name}: {err}");
    }
}

#[test]
fn npy_wrong_dtype_rank_magic_and_length() {
    let dir = TempDir::new("bad-npy");
    let path = dir.write("f.npy", npy(1, "<f4", false, &[1], &[0; 4]));
    let err = error(&path, &opts());
    assert!(matches!(err.kind(), ErrorKind::NpyDtype { dtype } if dtype == "<f4"));
    assert_eq!(
        message(&err, &dir),
        "f.npy: dtype `<f4` is not a little-endian integer type; save the labels as \
         little-endian integers, e.g. `np.save(path, labels.astype(np.int64))`"
    );
    let path = dir.write("be.npy", npy(1, ">i8", false, &[1], &[0; 8]));
    assert!(matches!(
        error(&path, &opts()).kind(),
        ErrorKind::NpyDtype { .. }
    ));
    for shape in [&[][..], &[2, 2, 2][..]] {
        let path = dir.write("r.npy", npy(1, "|u1", false, shape, &[0; 8]));
        let err = error(&path, &opts());
        assert!(
            matches!(err.kind(), ErrorKind::NpyRank { rank } if *rank == shape.len()),
            "{err}"
        );
    }
    let path = dir.write("m.npy", b"PK\x03\x04 not numpy at all");
    let err = error(&path, &opts());
    assert!(matches!(err.kind(), ErrorKind::BadNpy { .. }));
    assert!(
        message(&err, &dir)
            .starts_with("m.npy: not a valid NPY file: the file does not start with the NPY magic")
    );
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "short.npy",
            b"\x93NUM".to_vec(),
            "shorter than the NPY magic",
        ),
        (
            "version.npy",
            b"\x93NUMPY\x04\x00\x10\x00".to_vec(),
            "unsupported format version 4.0",
        ),
        (
            "header.npy",
            b"\x93NUMPY\x01\x00\x40\x00{'descr'".to_vec(),
            "ends inside the header",
        ),
        (
            "trunc.npy",
            npy(1, "<i8", false, &[3], &i64_bytes(&[0, 1])),
            "ends before the 3 values",
        ),
        (
            "extra.npy",
            npy(1, "<i8", false, &[1], &i64_bytes(&[0, 1])),
            "bytes after the 1 values",
        ),
        (
            "shape.npy",
            npy(1, "<i8", false, &[u64::MAX, 4], &[]),
            "too large",
        ),
    ];
    for (name, bytes, needle) in cases {
        let path = dir.write(name, bytes);
        let err = error(&path, &opts());
        assert!(
            matches!(err.kind(), ErrorKind::BadNpy { .. }),
            "{name}: {err}"
        );
        assert!(err.to_string().contains(needle), "{name}: {err}");
    }
    let path = dir.write("y.npy", npy(1, "<i8", false, &[2], &i64_bytes(&[0, 1])));
    assert!(matches!(
        error(&path, &task(TaskHint::MultiLabel)).kind(),
        ErrorKind::InvalidOptions { .. }
    ));
}

#[test]
fn io_format_and_option_errors() {
    let dir = TempDir::new("io");
    let path = dir.path().join("missing.csv");
    let err = error(&path, &opts());
    assert!(matches!(err.kind(), ErrorKind::Io(e) if e.kind() == std::io::ErrorKind::NotFound));
    assert!(message(&err, &dir).starts_with("missing.csv: "), "{err}");
    assert!(
        err.to_string()
            .ends_with("; check that the path is right and the file is readable")
    );

    let path = dir.write("y.h5", "x");
    let err = error(&path, &opts());
    assert!(matches!(err.kind(), ErrorKind::UnknownFormat { extension: Some(e) } if e == "h5"));
    let forced = ReadOptions {
        format: Some(Format::Text),
        ..opts()
    };
    assert_eq!(classes(&path, &forced), pairs(&[("x", 1)]));

    let path = dir.write("y.txt", "cat\n");
    let err = error(&path, &task(TaskHint::MultiLabel));
    assert!(matches!(err.kind(), ErrorKind::InvalidOptions { .. }));
    let path = dir.write("y.json", "[\"cat\"]");
    assert!(matches!(
        error(&path, &task(TaskHint::MultiLabel)).kind(),
        ErrorKind::InvalidOptions { .. }
    ));
    let path = dir.write("latin1.txt", b"caf\xe9\n");
    let err = error(&path, &opts());
    assert!(matches!(err.kind(), ErrorKind::NotUtf8));
    assert_eq!(err.line(), Some(1));
    let path = dir.write("blank.csv", "id,label\n1,\n");
    let err = error(&path, &opts());
    assert!(matches!(err.kind(), ErrorKind::EmptyLabel));
    assert_eq!(err.line(), Some(2));
}

#[test]
fn format_from_path() {
    let dir = TempDir::new("from-path");
    assert_eq!(Format::from_path(Path::new("a.tsv")), Some(Format::Tsv));
    assert_eq!(Format::from_path(Path::new("a.txt")), Some(Format::Text));
    assert_eq!(Format::from_path(Path::new("a.NPY")), Some(Format::Npy));
    assert_eq!(Format::from_path(Path::new("a")), None);
    assert_eq!(Format::from_path(&dir.path().join("missing.json")), None);
    let path = dir.write("x.json", "\n\n   \"cat\"");
    assert_eq!(Format::from_path(&path), None);
}

// ---- write_counts_json --------------------------------------------------------------------

fn round_trip(stats: &LabelStats, dir: &TempDir) -> LabelStats {
    let mut out = Vec::new();
    write_counts_json(stats, &mut out).unwrap();
    let path = dir.write("counts.json", &out);
    read_ok(&path, &opts())
}

#[test]
fn counts_json_round_trips() {
    let dir = TempDir::new("round-trip");
    let names = LabelStats::MultiClass(ClassCounts::from_pairs([
        ("cat".into(), 900),
        ("dog \"the\" dog".into(), 100),
        ("猫".into(), 3),
        ("10".into(), 2),
    ]));
    assert_eq!(round_trip(&names, &dir), names);
    let ids = LabelStats::MultiClass(
        ClassCounts::from_pairs([(ClassLabel::Id(3), 5), (ClassLabel::Id(0), 7)])
            .with_declared_classes(5)
            .unwrap(),
    );
    assert_eq!(round_trip(&ids, &dir), ids);
    let multi = LabelStats::MultiLabel(MultiLabelCounts::new(
        vec!["z".into(), "a".into()],
        vec![10, 0],
        50,
    ));
    assert_eq!(round_trip(&multi, &dir), multi);

    // A CSV becomes a counts file that reads back the same.
    let path = dir.write("train.csv", "label\n2\n0\n2\n");
    let stats = read_ok(&path, &opts());
    assert_eq!(round_trip(&stats, &dir), stats);
}

// ---- progress and the whole pipeline ------------------------------------------------------

#[test]
fn progress_is_reported_every_few_megabytes() {
    let dir = TempDir::new("progress");
    let mut text = String::new();
    for i in 0..1_500_000u32 {
        text.push_str(["cat\n", "dog\n", "bird\n"][(i % 3) as usize]);
    }
    let path = dir.write("big.txt", &text);
    let total = text.len() as u64;
    let mut calls = Vec::new();
    let stats = read_labels_with_progress(&path, &opts(), &mut |read, all| calls.push((read, all)))
        .unwrap();
    assert_eq!(stats.rows(), 1_500_000);
    assert!(calls.len() >= 2, "{calls:?}");
    assert!(calls.len() <= 1 + (total / (4 << 20)) as usize, "{calls:?}");
    assert!(calls.iter().all(|&(_, all)| all == total));
    assert!(calls.windows(2).all(|w| w[0].0 < w[1].0));
    assert_eq!(calls.last(), Some(&(total, total)));
}

#[test]
fn stats_to_verdict_and_weights() {
    let dir = TempDir::new("pipeline");
    let mut text = String::from("id,label\n");
    for i in 0..1020 {
        let label = if i < 1000 { 0 } else { 3 };
        writeln!(text, "{i},{label}").unwrap();
    }
    let path = dir.write("train.csv", &text);
    let options = ReadOptions {
        classes: Some(4),
        ..opts()
    };
    let stats = read_ok(&path, &options);
    let verdict = ImbalancePolicy::default().judge(&stats).unwrap();
    assert_eq!(
        verdict.to_string(),
        "imbalance ratio 50.0 (class `3`: 20 samples, class `0`: 1000 samples)"
    );
    let LabelStats::MultiClass(c) = &stats else {
        unreachable!()
    };
    assert!(matches!(
        c.weights(WeightScheme::InverseFrequency).unwrap_err().kind(),
        ErrorKind::ZeroCount { class } if class == "1"
    ));
}

// ---------------------------------------------------------------- hostile paths and files

#[test]
fn only_regular_files_are_read() {
    let dir = TempDir::new("not-a-file");
    let folder = dir.path().join("folder.csv");
    std::fs::create_dir(&folder).unwrap();
    let err = error(&folder, &opts());
    assert!(
        matches!(err.kind(), ErrorKind::NotAFile { kind } if *kind == "a directory"),
        "{err}"
    );
    #[cfg(unix)]
    {
        // A FIFO would block the read forever: it is refused before it is opened.
        let fifo = dir.path().join("labels.csv");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|status| status.success()) {
            let err = error(&fifo, &opts());
            assert!(
                matches!(err.kind(), ErrorKind::NotAFile { kind } if kind.contains("FIFO")),
                "{err}"
            );
            assert!(err.to_string().contains("labels.csv"), "{err}");
        }
        let err = error(
            Path::new("/dev/zero"),
            &ReadOptions {
                format: Some(Format::Text),
                ..opts()
            },
        );
        assert!(matches!(err.kind(), ErrorKind::NotAFile { .. }), "{err}");
    }
}

#[test]
fn a_line_longer_than_the_cap_is_an_error_not_an_allocation() {
    let dir = TempDir::new("long-line");
    let long = "x".repeat(lossfit_stats::MAX_LINE_BYTES + 10);
    for name in ["labels.txt", "labels.csv"] {
        let path = dir.write(name, format!("label\ncat\n{long}\ndog\n"));
        let err = error(&path, &opts());
        assert!(
            matches!(err.kind(), ErrorKind::LineTooLong { .. }),
            "{name}: {err}"
        );
    }
    // No line break at all.
    let path = dir.write("flat.txt", &long);
    assert!(matches!(
        error(&path, &opts()).kind(),
        ErrorKind::LineTooLong { .. }
    ));
    // Just under the cap is a label like any other.
    let fine = "y".repeat(1000);
    let path = dir.write("fine.txt", format!("{fine}\n{fine}\n"));
    assert_eq!(classes(&path, &opts()), [(fine, 2)]);
}

#[test]
fn errors_quote_a_short_escaped_excerpt_of_the_file() {
    let dir = TempDir::new("excerpt");
    let secret = format!("0\n\u{1b}[2Jtoken={}\n", "s".repeat(500));
    let path = dir.write("labels.txt", secret);
    let message = error(&path, &opts()).to_string();
    assert!(!message.contains('\u{1b}'), "{message}");
    assert!(message.contains("\\u{1b}[2Jtoken=sss"), "{message}");
    assert!(!message.contains(&"s".repeat(100)), "{message}");
    assert!(message.contains("..."), "{message}");
}

#[test]
fn one_hot_columns_are_never_read_as_one_class_column() {
    let dir = TempDir::new("one-hot");
    for (name, text) in [
        (
            "one_hot.csv",
            "path,cat,dog,bird\na.png,1,0,0\nb.png,0,1,0\nc.png,0,0,1\n",
        ),
        ("multi.csv", "path,common,rare\na.png,1,0\nb.png,1,1\n"),
    ] {
        let path = dir.write(name, text);
        let err = error(&path, &opts());
        assert!(
            matches!(err.kind(), ErrorKind::InvalidOptions { .. }),
            "{err}"
        );
        let message = err.to_string();
        assert!(message.contains("one-hot or multi-label"), "{message}");
        assert!(message.contains("multilabel"), "{message}");
    }
    // Named, or declared multi-label, it reads.
    let path = dir.write("named.csv", "path,cat,dog\na.png,1,0\nb.png,0,1\n");
    let named = ReadOptions {
        column: Some("dog".into()),
        ..opts()
    };
    assert_eq!(
        classes(&path, &named),
        [("0".to_string(), 1), ("1".to_string(), 1)]
    );
    let labels = multi_label(&path, &task(TaskHint::MultiLabel));
    assert_eq!(labels.labels().len(), 2);
    // One 0/1 column beside features is a binary label column as before.
    let path = dir.write("binary.csv", "x,y,diagnosis\n3.5,2.0,1\n1.5,0.5,0\n");
    assert_eq!(classes(&path, &opts()).len(), 2);
}

// ---------------------------------------------------------------- found by fuzzing

#[test]
fn a_huge_declared_class_count_is_an_error_not_an_allocation() {
    let dir = TempDir::new("huge-classes");
    let path = dir.write("labels.txt", "1\n");
    for classes in [usize::MAX, 1 << 40, 1_000_001] {
        let err = error(
            &path,
            &ReadOptions {
                classes: Some(classes),
                ..opts()
            },
        );
        assert!(
            matches!(err.kind(), ErrorKind::InvalidOptions { .. }),
            "{err}"
        );
    }
}

#[test]
fn a_label_named_twice_is_an_error() {
    let dir = TempDir::new("duplicate-label");
    let path = dir.write("labels.csv", "path,cat,cat\na.png,1,0\n");
    let err = error(&path, &task(TaskHint::MultiLabel));
    assert!(
        matches!(err.kind(), ErrorKind::DuplicateLabel { label } if label == "cat"),
        "{err}"
    );
    let path = dir.write(
        "labels.json",
        r#"{"rows": 3, "positives": {"cat": 1, "cat": 2}}"#,
    );
    let err = error(&path, &opts());
    assert!(err.to_string().contains("appears twice"), "{err}");
}

#[test]
fn json_count_keys_have_no_order_and_round_trip() {
    // A text file of names, one of which looks like an id ("1" beside "1\x0b"): written as
    // JSON counts, whose keys come sorted with "1" first, it reads back as the same names.
    let dir = TempDir::new("round-trip");
    let path = dir.write("labels.txt", "1\x0b\n1\n1\n");
    let stats = read_ok(&path, &opts());
    let mut written = Vec::new();
    write_counts_json(&stats, &mut written).unwrap();
    let json = dir.write("counts.json", written);
    assert_eq!(read_ok(&json, &opts()), stats);
    // Keys in any order: ids first, then a name.
    let path = dir.write("mixed.json", r#"{"counts": {"3": 2, "cat": 1}}"#);
    assert_eq!(
        classes(&path, &opts()),
        [("3".to_string(), 2), ("cat".to_string(), 1)]
    );
    // A JSON *array* is ordered: its first label still decides.
    let path = dir.write("array.json", r#"[3, "cat"]"#);
    assert!(matches!(
        error(&path, &opts()).kind(),
        ErrorKind::NotAnInteger { .. }
    ));
}

/// DESIGN §4: names index classes only in a declared order; weights are refused without one,
/// follow it with one, and a label outside it is an error.
#[test]
fn named_classes_need_a_declared_order() {
    let dir = TempDir::new("order");
    let path = dir.write(
        "counts.json",
        r#"{"counts": {"cat": 900, "dog": 60, "bird": 40}}"#,
    );
    let LabelStats::MultiClass(unordered) = read_labels(&path, &opts()).unwrap() else {
        panic!("multi-class")
    };
    assert!(!unordered.is_ordered());
    let err = unordered
        .weights(WeightScheme::InverseFrequency)
        .unwrap_err();
    assert!(err.to_string().contains("no declared order"), "{err}");
    assert!(err.to_string().contains("classes = ["), "{err}");

    let declared = ReadOptions {
        class_names: Some(vec!["cat".into(), "dog".into(), "bird".into()]),
        ..opts()
    };
    let LabelStats::MultiClass(ordered) = read_labels(&path, &declared).unwrap() else {
        panic!("multi-class")
    };
    assert_eq!(ordered.counts(), [900, 60, 40]);
    assert_eq!(ordered.order(), "0 = `cat`, 1 = `dog`, 2 = `bird`");
    let weights = ordered.weights(WeightScheme::InverseFrequency).unwrap();
    // The majority class `cat` (index 0) gets the smallest weight, `bird` the largest.
    assert!(
        weights[0] < weights[1] && weights[1] < weights[2],
        "{weights:?}"
    );

    let missing = ReadOptions {
        class_names: Some(vec!["cat".into(), "dog".into()]),
        ..opts()
    };
    let err = read_labels(&path, &missing).unwrap_err();
    assert!(
        err.to_string()
            .contains("`bird` is not one of the declared classes"),
        "{err}"
    );

    // Integer labels keep their numeric order; names then only give the class count.
    let ids = dir.write("ids.txt", "0\n1\n1\n");
    let named = ReadOptions {
        class_names: Some(vec!["neg".into(), "pos".into(), "other".into()]),
        ..opts()
    };
    let LabelStats::MultiClass(counts) = read_labels(&ids, &named).unwrap() else {
        panic!("multi-class")
    };
    assert_eq!(counts.counts(), [1, 2, 0]);
}

// ---------------------------------------------------------------------------------------------
// JSON Lines: fixtures written by DuckDB (tests/fixtures/jsonl/generate.py), with the counts
// DuckDB computed for them.

fn jsonl_fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/jsonl")
        .join(name)
}

fn duckdb_expected() -> serde_json::Value {
    let text = std::fs::read_to_string(jsonl_fixture("expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn json_lines_counts_match_duckdb() {
    let expected = duckdb_expected();
    for (file, options) in [
        ("reviews.jsonl", opts()),
        (
            "topics.jsonl",
            ReadOptions {
                column: Some("meta.topic".to_string()),
                ..opts()
            },
        ),
    ] {
        let path = jsonl_fixture(file);
        assert_eq!(Format::from_path(&path), Some(Format::JsonLines));
        let mut want: Vec<(String, u64)> = expected[file]["counts"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
            .collect();
        let mut got = classes(&path, &options);
        want.sort();
        got.sort();
        assert_eq!(got, want, "{file}");
    }
    // Multi-label: a list of tags per row (rows with none count as rows).
    let tagged = multi_label(&jsonl_fixture("tagged.jsonl"), &task(TaskHint::MultiLabel));
    assert_eq!(
        tagged.rows(),
        expected["tagged.jsonl"]["rows"].as_u64().unwrap()
    );
    let positives: Vec<(String, u64)> = tagged
        .labels()
        .iter()
        .cloned()
        .zip(tagged.positives().iter().copied())
        .collect();
    assert_eq!(
        positives,
        pairs(&[("news", 60), ("rare", 3), ("sports", 24)])
    );
    for (label, n) in &positives {
        assert_eq!(expected["tagged.jsonl"]["positives"][label], *n);
    }
}

#[test]
fn json_lines_keys_values_and_errors() {
    let dir = TempDir::new("jsonl");
    // Default keys, blank lines, a BOM, booleans as 0/1, `.ndjson`.
    let path = dir.write(
        "b.ndjson",
        "\u{feff}{\"target\": true}\n\n{\"target\": false, \"x\": 1}\r\n{\"target\": true}\n",
    );
    assert_eq!(classes(&path, &opts()), pairs(&[("0", 1), ("1", 2)]));
    // Names read like CSV fields; ids as strings when the labels are ids.
    let path = dir.write("n.jsonl", "{\"class\": \"cat\"}\n{\"class\": \" dog \"}\n");
    assert_eq!(classes(&path, &opts()), pairs(&[("cat", 1), ("dog", 1)]));
    // Multi-label with ids, and a single id standing for a one-label row.
    let path = dir.write(
        "m.jsonl",
        "{\"labels\": [2, 0]}\n{\"labels\": 2}\n{\"labels\": []}\n",
    );
    let m = multi_label(&path, &task(TaskHint::MultiLabel));
    assert_eq!(m.rows(), 3);
    let got: Vec<(String, u64)> = m
        .labels()
        .iter()
        .cloned()
        .zip(m.positives().iter().copied())
        .collect();
    assert_eq!(got, pairs(&[("0", 1), ("2", 2)]));

    let cases: [(&str, &str, ReadOptions, &str); 7] = [
        (
            "missing.jsonl",
            "{\"text\": \"a\"}\n",
            opts(),
            "no column `label` / `labels` / `target` / `class`",
        ),
        (
            "nested.jsonl",
            "{\"meta\": {\"lang\": \"en\"}}\n",
            ReadOptions {
                column: Some("meta.topic".to_string()),
                ..opts()
            },
            "no column `meta.topic`",
        ),
        (
            "float.jsonl",
            "{\"label\": 1}\n{\"label\": 1.5}\n",
            opts(),
            "1.5",
        ),
        (
            "list.jsonl",
            "{\"label\": \"a\"}\n{\"label\": [\"a\"]}\n",
            opts(),
            "multi-label",
        ),
        (
            "null.jsonl",
            "{\"label\": 0}\n{\"label\": null}\n",
            opts(),
            "null",
        ),
        (
            "broken.jsonl",
            "{\"label\": 0}\n{\"label\": 1\n",
            opts(),
            "not a JSON object",
        ),
        ("scalar.jsonl", "3\n", opts(), "must be a JSON object"),
    ];
    for (name, text, options, needle) in cases {
        let path = dir.write(name, text);
        let err = error(&path, &options);
        let shown = err.to_string();
        assert!(shown.contains(needle), "{name}: {shown}");
        if name != "missing.jsonl" && name != "nested.jsonl" && name != "scalar.jsonl" {
            assert_eq!(err.line(), Some(2), "{name}: {shown}");
        }
    }
    // An empty file, and a line over the cap.
    let path = dir.write("empty.jsonl", "\n\n");
    assert!(matches!(error(&path, &opts()).kind(), ErrorKind::Empty));
    let long = format!("{{\"label\": 0, \"text\": \"{}\"}}\n", "x".repeat(2 << 20));
    let path = dir.write("long.jsonl", long);
    assert!(matches!(
        error(&path, &opts()).kind(),
        ErrorKind::LineTooLong { .. }
    ));
}

// ---------------------------------------------------------------------------------------------
// Dataset layouts: COCO annotations, torchvision's ImageFolder, YOLO label directories, made by
// tests/fixtures/datasets/generate.py with the counts pycocotools and torchvision reported.

fn dataset(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/datasets")
        .join(rel)
}

/// `(class, count)` in the class order the writer's own tool gives.
fn tool_counts(rel: &str) -> Vec<(String, u64)> {
    let text = std::fs::read_to_string(dataset("expected.json")).unwrap();
    let expected: serde_json::Value = serde_json::from_str(&text).unwrap();
    let entry = &expected[rel];
    entry["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|class| {
            let class = class.as_str().unwrap();
            (class.to_string(), entry["counts"][class].as_u64().unwrap())
        })
        .collect()
}

fn ordered(path: &Path, options: &ReadOptions) -> (Vec<(String, u64)>, bool) {
    match read_ok(path, options) {
        LabelStats::MultiClass(c) => (
            c.iter().map(|(l, n)| (l.to_string(), n)).collect(),
            c.is_ordered(),
        ),
        LabelStats::MultiLabel(m) => panic!("expected multi-class, got {m:?}"),
    }
}

#[test]
fn dataset_layouts_count_like_their_own_tools() {
    for rel in [
        "coco/instances_mini.json",
        "imagefolder/train",
        "yolo/labels/train",
    ] {
        let (got, is_ordered) = ordered(&dataset(rel), &opts());
        // Same classes, same counts, in the tool's class order (the model's output order), so
        // index-based weights line up.
        assert_eq!(got, tool_counts(rel), "{rel}");
        assert!(is_ordered, "{rel}");
    }
    assert_eq!(
        Format::from_path(&dataset("coco/instances_mini.json")),
        Some(Format::Coco)
    );
    // COCO: the category without annotations is kept (absent), ids with gaps map to indices.
    let LabelStats::MultiClass(coco) = read_ok(&dataset("coco/instances_mini.json"), &opts())
    else {
        unreachable!()
    };
    assert_eq!(coco.absent(), [&ClassLabel::from("dog")]);
    assert_eq!(coco.counts(), [60, 12, 0, 3]);
    // Other extensions for a directory per class.
    let only_png = ReadOptions {
        extensions: Some(vec![".PNG".to_string()]),
        ..opts()
    };
    let (got, _) = ordered(&dataset("imagefolder/train"), &only_png);
    assert_eq!(
        got,
        pairs(&[("Zebra", 9), ("bird", 0), ("cat", 1), ("dog", 0)])
    );
}

#[test]
fn dataset_layout_errors_name_the_file_and_the_fix() {
    let dir = TempDir::new("datasets");
    // COCO: an annotation of an unlisted category, no categories, a truncated file.
    let path = dir.write(
        "unlisted.json",
        r#"{"images": [], "annotations": [{"id": 1, "category_id": 5}], "categories": [{"id": 1, "name": "a"}]}"#,
    );
    assert!(error(&path, &opts()).to_string().contains("category_id 5"));
    let path = dir.write("nocats.json", r#"{"annotations": [{"category_id": 1}]}"#);
    assert!(
        error(&path, &opts())
            .to_string()
            .contains("without `categories`")
    );
    let path = dir.write(
        "cut.json",
        r#"{"images": [], "annotations": [{"category_id": 1}, {"cat"#,
    );
    assert!(matches!(
        error(&path, &opts()).kind(),
        ErrorKind::BadJson { .. }
    ));
    // A COCO file is still found when its first key is not `info` (and counts JSON still is
    // counts).
    let path = dir.write(
        "first.json",
        r#"{"annotations": [{"category_id": 2}], "categories": [{"id": 2, "name": "b"}]}"#,
    );
    assert_eq!(classes(&path, &opts()), pairs(&[("b", 1)]));

    // YOLO: a line whose first field is not a class id names its file and line.
    let yolo = dir.path().join("labels");
    std::fs::create_dir_all(&yolo).unwrap();
    std::fs::write(yolo.join("a.txt"), "0 0.5 0.5 0.1 0.1\n").unwrap();
    std::fs::write(
        yolo.join("b.txt"),
        "1 0.5 0.5 0.1 0.1\nperson 0.1 0.1 0.1 0.1\n",
    )
    .unwrap();
    let err = read_labels(&yolo, &opts()).unwrap_err();
    assert_eq!(err.path(), Some(yolo.join("b.txt").as_path()));
    assert_eq!(err.line(), Some(2));
    // Without classes.txt, the ids are the classes.
    std::fs::write(yolo.join("b.txt"), "1 0.5 0.5 0.1 0.1\n1 0 0 0 0\n").unwrap();
    assert_eq!(classes(&yolo, &opts()), pairs(&[("0", 1), ("1", 2)]));
    // An id beyond classes.txt is an error.
    std::fs::write(yolo.join("classes.txt"), "only\n").unwrap();
    assert!(matches!(
        read_labels(&yolo, &opts()).unwrap_err().kind(),
        ErrorKind::ClassOutOfRange { .. }
    ));

    // A directory per class with no images, and a directory with nothing at all.
    let folder = dir.path().join("folder");
    std::fs::create_dir_all(folder.join("cat")).unwrap();
    std::fs::write(folder.join("cat/readme.md"), "").unwrap();
    let err = read_labels(&folder, &opts()).unwrap_err();
    assert!(
        err.to_string().contains("no file with an image extension"),
        "{err}"
    );
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    assert!(matches!(
        read_labels(&empty, &opts()).unwrap_err().kind(),
        ErrorKind::Empty
    ));
}

#[cfg(unix)]
#[test]
fn a_directory_per_class_counts_regular_files_only_and_never_loops() {
    let dir = TempDir::new("image-folder-hostile");
    let root = dir.path().join("train");
    for class in ["cat", "dog"] {
        std::fs::create_dir_all(root.join(class)).unwrap();
    }
    std::fs::write(root.join("cat/a.jpg"), "").unwrap();
    std::fs::write(root.join("dog/b.jpg"), "").unwrap();
    std::os::unix::fs::symlink(root.join("cat/a.jpg"), root.join("dog/link.jpg")).unwrap();
    // A link cycle, a link to a missing file and a FIFO named like an image.
    std::os::unix::fs::symlink(&root, root.join("dog/loop")).unwrap();
    std::os::unix::fs::symlink(root.join("nowhere.jpg"), root.join("cat/dangling.jpg")).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(root.join("cat/fifo.jpg"))
        .status();
    assert_eq!(classes(&root, &opts()), pairs(&[("cat", 1), ("dog", 2)]));
    let _ = made;
}
