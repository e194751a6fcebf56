//! One fixture per rule (`resources/fixtures/LL0NN.rs`, positive and negative cases across
//! lossfit, burn, candle and tch): the rendered human output of `losslint check` on each is
//! snapshot-tested with insta, so a change to any message, span or help shows up in review.
//! (Which lines are flagged is checked exactly by the unit test in `rules/fixture_checks.rs`.)

use std::path::Path;
use std::process::Command;

#[test]
fn every_fixture_renders_as_its_snapshot() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("resources/fixtures");
    // LL011 (unused suppressions) is the suppressions' own; its cases live in `engine.rs`.
    for code in (0..=12).filter(|&n| n != 11).map(|n| format!("LL{n:03}")) {
        let file = format!("{code}.rs");
        assert!(fixtures.join(&file).exists(), "{code} has no fixture");
        let output = Command::new(env!("CARGO_BIN_EXE_losslint"))
            .current_dir(&fixtures)
            .args([
                "check",
                &file,
                "--isolated",
                "--color",
                "never",
                "--exit-zero",
            ])
            .output()
            .expect("the losslint binary runs");
        assert!(
            output.status.success(),
            "{code}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let rendered = String::from_utf8_lossy(&output.stdout);
        insta::assert_snapshot!(code, rendered);
    }
}

/// The Python fixtures (`resources/fixtures/LL0NN.py`, real-world-style PyTorch code): each
/// rule flags exactly the lines marked `# expect: LL0NN` (suppression comments applied by the
/// engine, as users see it), and the human output is snapshot-tested.
#[test]
fn every_python_fixture_flags_exactly_its_marked_lines() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("resources/fixtures");
    let mut mismatches = Vec::new();
    for code in (0..=12).filter(|&n| n != 11).map(|n| format!("LL{n:03}")) {
        let file = format!("{code}.py");
        let text =
            std::fs::read_to_string(fixtures.join(&file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(
            text.starts_with(&format!("\"\"\"Fixture for {code} ")),
            "{file}: the header names the rule"
        );
        let run = |format: &str| {
            Command::new(env!("CARGO_BIN_EXE_losslint"))
                .current_dir(&fixtures)
                .args([
                    "check",
                    &file,
                    "--isolated",
                    "--color",
                    "never",
                    "--exit-zero",
                    "--format",
                    format,
                ])
                .output()
                .expect("the losslint binary runs")
        };
        let output = run("json");
        assert!(
            output.status.success(),
            "{code}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let findings: Vec<serde_json::Value> =
            serde_json::from_slice(&output.stdout).expect("JSON output");
        let mut found: Vec<u64> = findings
            .iter()
            .filter(|f| f["code"] == code.as_str())
            .filter_map(|f| f["line"].as_u64())
            .collect();
        found.sort_unstable();
        found.dedup();
        let expected: Vec<u64> = text
            .lines()
            .enumerate()
            .filter(|(_, line)| {
                line.split("# expect:")
                    .nth(1)
                    .is_some_and(|codes| codes.split(',').any(|c| c.trim() == code))
            })
            .map(|(i, _)| i as u64 + 1)
            .collect();
        assert!(!expected.is_empty(), "{file} marks no case");
        if found != expected {
            mismatches.push(format!("{file}: expected {expected:?}, found {found:?}"));
        }
        let human = run("human");
        insta::assert_snapshot!(
            format!("{code}_python"),
            String::from_utf8_lossy(&human.stdout)
        );
    }
    assert!(mismatches.is_empty(), "\n{}", mismatches.join("\n"));
}
