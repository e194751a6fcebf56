//! The whole check of one Rust text: `Engine::lint_source` with every rule, then what `--fix`,
//! `--diff` and the renderers do with its findings.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lossfit_stats::TaskHint;
use losslint::config::LabelPath;
use losslint::diagnostic::Diagnostic;
use losslint::diagnostic::Fix;
use losslint::engine::{Engine, Finding, LabelCache, Linted, Report};
use losslint::facts::Language;
use losslint::fix;
use losslint::render::{self, OutputFormat, RenderOptions};
use losslint::settings::{CliOverrides, FileSettings, FixMode};

use crate::{fix_apply, positions, scratch};

/// The label bindings the text is checked under, picked by the text's length so that a corpus
/// file stays a plain `.rs` file: none, imbalanced multi-class counts, multi-label positives.
const BINDINGS: [Option<(&str, Option<TaskHint>)>; 3] = [
    None,
    Some(("digits_counts.json", Some(TaskHint::MultiClass))),
    Some(("tags_positives.json", None)),
];

thread_local! {
    static ENGINE: Engine = Engine::standard();
    static CACHE: LabelCache = LabelCache::default();
}

/// `Engine::lint_source` on `data` (skipped when it is not UTF-8), as a file of losslint's
/// fixture directory (so `// losslint: labels = "labels/digits_counts.json"` binds), every
/// rule at its default level or `warn`.
///
/// Checks: no internal error (a panic in the frontend or a rule); findings' positions agree
/// with the text; applying every safe and unsafe fix keeps a file that parsed parseable and
/// changes it only as the fixes say; the unified diff of the fixes, applied to the text, gives
/// the fixed text; every renderer (human with and without color, JSON, SARIF, GitHub,
/// statistics) writes without panicking, JSON and SARIF as valid JSON.
///
/// # Panics
/// When a check fails.
pub fn lint_source(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    ENGINE.with(|engine| CACHE.with(|cache| check(engine, cache, text)));
}

fn settings(engine: &Engine, binding: usize) -> FileSettings {
    let mut cli = CliOverrides {
        // Every rule reports, the ones allowed by default included.
        warn: engine.registry().rules().iter().map(|r| r.code()).collect(),
        ..CliOverrides::default()
    };
    if let Some(Some((file, task))) = BINDINGS.get(binding) {
        cli.labels.path = Some(LabelPath {
            resolved: scratch::fixtures().join("labels").join(file),
            written: (*file).to_string(),
        });
        cli.labels.task = *task;
    }
    FileSettings::resolve(
        engine.registry(),
        None,
        Path::new("x.rs"),
        &scratch::fixtures(),
        &cli,
    )
}

fn lint(engine: &Engine, cache: &LabelCache, text: &str, dir: &Path, binding: usize) -> Linted {
    let settings = settings(engine, binding);
    engine.lint_source(Language::Rust, text, dir, &settings, cache)
}

fn check(engine: &Engine, cache: &LabelCache, text: &str) {
    let dir: PathBuf = scratch::fixtures();
    let binding = text.len() % BINDINGS.len();
    let linted = lint(engine, cache, text, &dir, binding);
    for (_, d) in &linted.findings {
        assert!(
            !d.message.contains("internal error"),
            "{} at {}:{}: {}",
            d.code,
            d.span.start.line,
            d.span.start.column,
            d.message
        );
    }
    let diagnostics: Vec<&Diagnostic> = linted.findings.iter().map(|(_, d)| d).collect();
    let json = serde_json::to_value(&diagnostics).expect("diagnostics serialise");
    positions::check(text, &json, "findings");

    // `--fix --unsafe-fixes`.
    let fixes: Vec<&Fix> = diagnostics
        .iter()
        .filter_map(|d| d.fix.as_ref())
        .filter(|f| fix::applies(f, true))
        .collect();
    let applied = fix::apply(text, &fixes);
    assert!(applied.applied <= fixes.len());
    assert_eq!(
        applied.applied == 0,
        applied.text == text,
        "{} fixes applied, but the text {} changed",
        applied.applied,
        if applied.text == text {
            "has not"
        } else {
            "has"
        }
    );
    if applied.applied > 0 && !linted.parse_failed {
        let relinted = lint(engine, cache, &applied.text, &dir, binding);
        assert!(
            !relinted.parse_failed,
            "the fixes made a file that parsed unparseable:\n--- before\n{text}\n--- after\n{}",
            applied.text
        );
    }
    let diff = fix::unified_diff("x.rs", text, &applied.text);
    fix_apply::check_diff(text, &applied.text, &diff);

    render_all(engine, text, &linted, &applied);
}

fn render_all(engine: &Engine, text: &str, linted: &Linted, applied: &fix::Applied) {
    let report = Report {
        findings: linted
            .findings
            .iter()
            .map(|(level, diagnostic)| Finding {
                path: "x.rs".to_string(),
                cell: None,
                level: *level,
                diagnostic: diagnostic.clone(),
            })
            .collect(),
        sources: HashMap::from([("x.rs".to_string(), Arc::<str>::from(text))]),
        changes: Vec::new(),
        errors: linted.errors.clone(),
        warnings: Vec::new(),
        files: 1,
    };
    let formats = [
        OutputFormat::Human,
        OutputFormat::Json,
        OutputFormat::Sarif,
        OutputFormat::Github,
        OutputFormat::Gitlab,
        OutputFormat::Junit,
    ];
    for format in formats {
        for (color, statistics) in [(false, false), (true, false), (false, true)] {
            if (color || statistics) && format != OutputFormat::Human {
                continue;
            }
            let options = RenderOptions {
                format,
                color,
                quiet: false,
                statistics,
                unsafe_fixes: true,
                fix_mode: FixMode::Report,
            };
            let mut out = Vec::new();
            render::report(&mut out, &report, engine.registry(), options).expect("renders");
            let out = String::from_utf8(out).expect("the renderer writes UTF-8");
            if matches!(format, OutputFormat::Json | OutputFormat::Sarif) && !statistics {
                serde_json::from_str::<serde_json::Value>(&out)
                    .unwrap_or_else(|e| panic!("{format:?} output is not JSON ({e}):\n{out}"));
            }
        }
    }
    let mut report = report;
    report.changes.push(losslint::engine::Change {
        path: "x.rs".to_string(),
        original: text.to_string(),
        fixed: applied.text.clone(),
        fixes: applied.applied,
    });
    let mut out = Vec::new();
    render::diff(&mut out, &report).expect("renders the diff");
}
