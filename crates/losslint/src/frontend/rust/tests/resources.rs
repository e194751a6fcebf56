//! Frontend tests: the representative files under `resources/frontend/`, their facts pinned by
//! snapshots (`cargo insta review` after a change).

use std::path::Path;

use super::*;

#[test]
fn resource_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("resources/frontend");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("resources/frontend exists")
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 5);
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("readable");
        assert!(RustFrontend.may_contain_losses(&text), "{}", path.display());
        let found = facts(&text);
        assert_eq!(found.parse_failure, None, "{}", path.display());
        let mut lines = summary(&found.losses);
        for acc in &found.accumulations {
            lines.push(format!(
                "accumulation @{}:{} reduction={:?} divisor={:?}",
                acc.span.start.line, acc.span.start.column, acc.reduction, acc.divisor
            ));
        }
        let name = path
            .file_stem()
            .and_then(|stem| stem.to_str())
            .unwrap_or("resource")
            .to_string();
        insta::assert_snapshot!(name, lines.join("\n"));
    }
}
