//! Checks of the rule fixtures themselves (`resources/fixtures/LL00N.rs`): each exists, parses
//! (but LL000's, which fails where its marker says), carries `// expect:` markers for its own
//! code only, and binds label files that exist and are as imbalanced as the fixtures assume.

use std::path::{Path, PathBuf};

use lossfit_stats::{ImbalancePolicy, ReadOptions, read_labels};

use crate::rules::all;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("resources/fixtures")
}

/// The 1-based lines holding `// expect: CODE` (several codes may be listed, comma-separated).
pub(crate) fn expected_lines(text: &str, code: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| {
            // The `//!` header explains the markers; it holds none.
            !line.starts_with("//!")
                && line
                    .split("// expect:")
                    .nth(1)
                    .is_some_and(|codes| codes.split(',').any(|c| c.trim() == code))
        })
        .map(|(i, _)| i + 1)
        .collect()
}

/// Every `labels = "..."` written in a fixture (directives and derive keys).
fn label_paths(text: &str) -> Vec<String> {
    let mut paths = Vec::new();
    for line in text.lines().filter(|line| !line.starts_with("//!")) {
        let mut rest = line;
        while let Some(at) = rest.find("labels = \"") {
            rest = &rest[at + "labels = \"".len()..];
            if let Some(end) = rest.find('"') {
                paths.push(rest[..end].to_string());
            }
        }
    }
    paths
}

#[test]
fn every_rule_has_a_fixture_with_its_header() {
    for rule in all() {
        let code = rule.code();
        let path = fixtures().join(format!("{code}.rs"));
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            text.starts_with(&format!("//! Fixture for {code} {}", rule.name())),
            "{code}: the header names the code and the rule"
        );
        assert!(
            text.contains("\n//! Labels: "),
            "{code}: the header names its labels"
        );
    }
}

#[test]
fn fixtures_parse_and_mark_only_their_own_code() {
    for rule in all() {
        let code = rule.code();
        let text = std::fs::read_to_string(fixtures().join(format!("{code}.rs"))).unwrap();
        let marked = expected_lines(&text, code);
        // LL007's APIs do not exist in Rust: its fixture holds negative cases only.
        assert_eq!(
            marked.is_empty(),
            code == "LL007",
            "{code}: markers {marked:?}"
        );
        for (i, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.starts_with("//!"))
        {
            if let Some(codes) = line.split("// expect:").nth(1) {
                for other in codes.split(',').map(str::trim) {
                    assert_eq!(other, code, "{code}.rs:{}: marker for another rule", i + 1);
                }
            }
        }
        match syn::parse_file(&text) {
            Ok(_) => assert_ne!(code, "LL000", "LL000.rs must not parse"),
            Err(e) => {
                assert_eq!(code, "LL000", "{code}.rs does not parse: {e}");
                assert_eq!(vec![e.span().start().line], marked, "LL000: {e}");
            }
        }
    }
}

#[test]
fn bound_label_files_exist_and_are_what_the_fixtures_assume() {
    let policy = ImbalancePolicy::default();
    let imbalanced = [
        ("digits_counts.json", true),
        ("balanced_counts.json", false),
        ("tags_positives.json", true),
        ("tags_balanced.json", false),
        ("diagnosis_counts.json", true),
        ("diagnosis_balanced.csv", false),
    ];
    for (file, expected) in imbalanced {
        let stats = read_labels(
            &fixtures().join("labels").join(file),
            &ReadOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(policy.judge(&stats).is_some(), expected, "{file}");
    }
    for rule in all() {
        let text = std::fs::read_to_string(fixtures().join(format!("{}.rs", rule.code()))).unwrap();
        for path in label_paths(&text) {
            assert!(
                imbalanced
                    .iter()
                    .any(|(f, _)| path == format!("labels/{f}")),
                "{}: unknown label file {path}",
                rule.code()
            );
        }
    }
}

#[test]
fn markers_are_read_per_code() {
    let text = "a\nb // expect: LL003\nc // expect: LL001, LL008\n";
    assert_eq!(expected_lines(text, "LL003"), [2]);
    assert_eq!(expected_lines(text, "LL008"), [3]);
    assert!(expected_lines(text, "LL00").is_empty());
}

/// Runs the Rust frontend and each fixture's rule on the fixture, with the label files its sites
/// name bound as the engine binds them (the directive's file, read with the head's task), and
/// compares the flagged lines with the markers. Suppression comments are applied the way the
/// engine applies them (`losslint: allow(CODE)` on the line or the line before).
#[test]
fn the_rust_frontend_and_the_rules_flag_exactly_the_marked_lines() {
    use std::collections::HashMap;

    use lossfit_stats::{LabelStats, TaskHint, WeightScheme};

    use crate::facts::{DeclaredTask, Language, LossSite};
    use crate::frontend::Frontend;
    use crate::frontend::rust::RustFrontend;
    use crate::rules::{BoundLabels, RuleContext};

    let mut stats: HashMap<String, LabelStats> = HashMap::new();
    let mut mismatches = Vec::new();
    for rule in all() {
        let code = rule.code();
        let text = std::fs::read_to_string(fixtures().join(format!("{code}.rs"))).unwrap();
        let facts = RustFrontend.facts(&text);
        for site in &facts.losses {
            let (Some(path), hint) = (
                site.labels.as_ref(),
                match site.declared_task {
                    Some(DeclaredTask::MultiLabel) => Some(TaskHint::MultiLabel),
                    Some(DeclaredTask::Binary) => Some(TaskHint::Binary),
                    Some(DeclaredTask::MultiClass) => Some(TaskHint::MultiClass),
                    _ => None,
                },
            ) else {
                continue;
            };
            let options = ReadOptions {
                task: hint,
                ..ReadOptions::default()
            };
            let read = read_labels(&fixtures().join(path), &options)
                .unwrap_or_else(|e| panic!("{code}: {path}: {e}"));
            stats.insert(path.clone(), read);
        }
        let labels_for = |site: &LossSite| {
            let (path, stats) = stats.get_key_value(site.labels.as_deref()?)?;
            Some(BoundLabels {
                stats,
                source: path.as_str(),
                task: None,
            })
        };
        let ctx = RuleContext {
            language: Language::Rust,
            labels_for: &labels_for,
            policy: ImbalancePolicy::default(),
            scheme: WeightScheme::default(),
        };
        let lines: Vec<&str> = text.lines().collect();
        let allowed = |line: usize| {
            [line, line.saturating_sub(1)].iter().any(|&l| {
                l >= 1
                    && lines.get(l - 1).is_some_and(|text| {
                        text.split("losslint: allow(").nth(1).is_some_and(|codes| {
                            codes.split(')').next().unwrap_or("").contains(code)
                        })
                    })
            })
        };
        let mut found: Vec<usize> = rule
            .check(&facts, &ctx)
            .iter()
            .map(|d| d.span.start.line)
            .filter(|&line| !allowed(line))
            .collect();
        found.sort_unstable();
        found.dedup();
        let expected = expected_lines(&text, code);
        if found != expected {
            let missed: Vec<_> = expected.iter().filter(|l| !found.contains(l)).collect();
            let extra: Vec<_> = found.iter().filter(|l| !expected.contains(l)).collect();
            mismatches.push(format!(
                "{code}.rs: missed lines {missed:?}, unexpected lines {extra:?}"
            ));
        }
    }
    assert!(mismatches.is_empty(), "\n{}", mismatches.join("\n"));
}
