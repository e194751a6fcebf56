//! Property: counting labels through any reader equals counting them in memory.

mod common;

use std::fmt::Write as _;

use common::{TempDir, i64_bytes, npy};
use lossfit_stats::{
    ClassCounts, ClassLabel, LabelStats, ReadOptions, read_labels, write_counts_json,
};
use proptest::prelude::*;

/// A label list of one kind: ids (small, and some beyond the dense range), or names with
/// commas, quotes, spaces inside and non-ASCII letters.
fn labels() -> impl Strategy<Value = Vec<ClassLabel>> {
    let ids = prop::collection::vec(prop_oneof![4 => 0u64..12, 1 => 0u64..u64::MAX], 1..200)
        .prop_map(|v| v.into_iter().map(ClassLabel::Id).collect());
    let names = prop::collection::vec("[a-zé猫]([a-z ,\"'é]{0,4}[a-z猫])?", 1..200)
        .prop_map(|v| v.into_iter().map(ClassLabel::Name).collect());
    prop_oneof![ids, names]
}

fn in_memory(labels: &[ClassLabel]) -> LabelStats {
    LabelStats::MultiClass(ClassCounts::from_pairs(
        labels.iter().map(|l| (l.clone(), 1)),
    ))
}

fn csv_field(label: &ClassLabel) -> String {
    format!("\"{}\"", label.to_string().replace('"', "\"\""))
}

fn json_value(label: &ClassLabel) -> String {
    match label {
        ClassLabel::Id(id) => id.to_string(),
        ClassLabel::Name(name) => serde_json::to_string(name).unwrap(),
    }
}

fn read(path: &std::path::Path) -> LabelStats {
    read_labels(path, &ReadOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn readers_count_like_memory(labels in labels()) {
        let dir = TempDir::new("prop");
        let expected = in_memory(&labels);

        let mut csv = String::from("id,label\n");
        let mut tsv = String::from("label\tid\n");
        let mut text = String::new();
        for (i, label) in labels.iter().enumerate() {
            writeln!(csv, "{i},{}", csv_field(label)).unwrap();
            writeln!(tsv, "{label}\t{i}").unwrap();
            writeln!(text, "{label}").unwrap();
            if i % 7 == 3 {
                text.push('\n');
            }
        }
        prop_assert_eq!(&read(&dir.write("y.csv", &csv)), &expected);
        prop_assert_eq!(&read(&dir.write("y.tsv", &tsv)), &expected);
        prop_assert_eq!(&read(&dir.write("y.txt", &text)), &expected);

        let array: Vec<String> = labels.iter().map(json_value).collect();
        let array = format!("[{}]", array.join(",\n"));
        prop_assert_eq!(&read(&dir.write("y.json", &array)), &expected);

        let mut counts = Vec::new();
        write_counts_json(&expected, &mut counts).unwrap();
        prop_assert_eq!(&read(&dir.write("counts.json", &counts)), &expected);

        let ids: Option<Vec<i64>> = labels
            .iter()
            .map(|l| match l {
                ClassLabel::Id(id) => i64::try_from(*id).ok(),
                ClassLabel::Name(_) => None,
            })
            .collect();
        if let Some(ids) = ids {
            let bytes = npy(1, "<i8", false, &[ids.len() as u64], &i64_bytes(&ids));
            prop_assert_eq!(&read(&dir.write("y.npy", bytes)), &in_memory(&labels));
        }
    }

    #[test]
    fn multi_label_readers_count_like_memory(
        rows in prop::collection::vec(prop::collection::vec(0u8..=1, 3), 1..100),
    ) {
        let dir = TempDir::new("prop-ml");
        let mut positives = [0u64; 3];
        let mut csv = String::from("id,a,b,c\n");
        for (i, row) in rows.iter().enumerate() {
            writeln!(csv, "{i},{},{},{}", row[0], row[1], row[2]).unwrap();
            for (p, &v) in positives.iter_mut().zip(row) {
                *p += u64::from(v);
            }
        }
        let options = ReadOptions {
            task: Some(lossfit_stats::TaskHint::MultiLabel),
            ..ReadOptions::default()
        };
        let LabelStats::MultiLabel(m) = read_labels(&dir.write("y.csv", &csv), &options).unwrap() else {
            panic!("multi-label")
        };
        prop_assert_eq!(m.positives(), positives);
        prop_assert_eq!(m.rows(), rows.len() as u64);

        let data: Vec<u8> = rows.iter().flatten().copied().collect();
        let bytes = npy(2, "|b1", false, &[rows.len() as u64, 3], &data);
        let LabelStats::MultiLabel(m) = read(&dir.write("Y.npy", bytes)) else {
            panic!("multi-label")
        };
        prop_assert_eq!(m.positives(), positives);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any bytes under any extension give statistics or an error, never a panic.
    #[test]
    fn arbitrary_bytes_never_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..400),
        npy_tail in prop::collection::vec(any::<u8>(), 0..64),
        task in prop::option::of(prop_oneof![
            Just(lossfit_stats::TaskHint::MultiClass),
            Just(lossfit_stats::TaskHint::MultiLabel),
            Just(lossfit_stats::TaskHint::Binary),
        ]),
        classes in prop::option::of(0usize..5),
    ) {
        let dir = TempDir::new("prop-bytes");
        let options = ReadOptions { task, classes, ..ReadOptions::default() };
        for name in ["x.csv", "x.tsv", "x.txt", "x.json", "x.npy"] {
            let _ = read_labels(&dir.write(name, &bytes), &options);
        }
        // A valid NPY header followed by arbitrary data, and a header cut short.
        let mut file = npy(1, "|u1", false, &[8, 2], &[]);
        file.extend(&npy_tail);
        let _ = read_labels(&dir.write("y.npy", &file), &options);
        let cut = file.len().min(bytes.len());
        let _ = read_labels(&dir.write("z.npy", &file[..cut]), &options);
        let mut json = b"{\"counts\": {".to_vec();
        json.extend(&bytes);
        let _ = read_labels(&dir.write("c.json", &json), &options);
    }
}
