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
