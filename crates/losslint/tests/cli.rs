//! End-to-end tests of the `losslint` binary: exit codes, output formats, configuration
//! discovery, suppressions, fixes, `stats`, and files that cannot be linted.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

/// A temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "losslint-cli-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }

    /// Writes a file (creating its directories).
    fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, content).unwrap();
        path
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.0.join(rel)).unwrap()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Output {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", self.stdout, self.stderr))
    }

    /// `(path, line, code)` of every finding, from `--format json` output.
    fn findings(&self) -> Vec<(String, u64, String)> {
        self.json()
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["path"].as_str().unwrap().to_string(),
                    f["line"].as_u64().unwrap(),
                    f["code"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    fn codes(&self) -> Vec<String> {
        self.findings().into_iter().map(|(_, _, c)| c).collect()
    }
}

/// Runs the binary in `dir` (configuration discovery above the temp dir is cut off by the
/// files each test writes: `--isolated` where a test needs no configuration at all).
fn losslint(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_losslint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A lossfit cross-entropy with no reduction (LL001, safe fix) on line 6.
const IMPLICIT: &str = "\
use lossfit::{ClassIndices, CrossEntropy, Logits, Mean, MultiClass};

pub fn step(x: ndarray::Array2<f32>, y: Vec<usize>) -> anyhow::Result<f32> {
    let targets = ClassIndices::new(y);
    let logits = Logits::<MultiClass, f32>::new(x)?;
    let criterion = CrossEntropy::new();
    let loss = criterion.compute(&logits, &targets)?;
    Ok(loss.value)
}
";

/// A lossfit cross-entropy with an explicit reduction: nothing to report without labels.
const EXPLICIT: &str = "\
use lossfit::{ClassIndices, CrossEntropy, Logits, Mean, MultiClass};

pub fn step(x: ndarray::Array2<f32>, y: Vec<usize>) -> anyhow::Result<f32> {
    let targets = ClassIndices::new(y);
    let logits = Logits::<MultiClass, f32>::new(x)?;
    let criterion = CrossEntropy::new().reduction(Mean);
    let loss = criterion.compute(&logits, &targets)?;
    Ok(loss.value)
}
";

/// burn: softmax output into a cross-entropy that expects logits (LL003) on line 8.
const SOFTMAX: &str = "\
use burn::nn::loss::CrossEntropyLossConfig;
use burn::tensor::activation::softmax;
use burn::tensor::{Int, Tensor, backend::Backend};

pub fn loss<B: Backend>(logits: Tensor<B, 2>, targets: Tensor<B, 1, Int>, device: &B::Device) -> Tensor<B, 1> {
    let criterion = CrossEntropyLossConfig::new().init(device);
    let probs = softmax(logits, 1);
    criterion.forward(probs, targets)
}
";

const NO_LOSS: &str = "pub fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n";

fn line_of(text: &str, needle: &str) -> u64 {
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i as u64 + 1)
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// Exit codes

#[test]
fn clean_files_exit_0() {
    let dir = TempDir::new();
    dir.write("src/lib.rs", NO_LOSS);
    dir.write("src/step.rs", EXPLICIT);
    let out = losslint(dir.path(), &["check", "--isolated"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("All checks passed!"), "{}", out.stdout);
    let out = losslint(dir.path(), &["check", "--isolated", "--quiet"]);
    assert_eq!(out.stdout, "");
}

#[test]
fn warnings_exit_0_and_denied_findings_exit_1() {
    let dir = TempDir::new();
    dir.write("step.rs", IMPLICIT);
    let out = losslint(dir.path(), &["check", "--isolated", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.findings(),
        [(
            "step.rs".to_string(),
            line_of(IMPLICIT, "CrossEntropy::new()"),
            "LL001".to_string()
        )]
    );
    assert_eq!(out.json()[0]["severity"], "warning");

    let out = losslint(
        dir.path(),
        &["check", "--isolated", "--deny", "implicit-reduction"],
    );
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stdout.contains("error[LL001]"), "{}", out.stdout);

    let out = losslint(
        dir.path(),
        &["check", "--isolated", "--deny", "all", "--exit-zero"],
    );
    assert_eq!(out.code, 0);

    let out = losslint(
        dir.path(),
        &[
            "check",
            "--isolated",
            "--deny",
            "LL001",
            "--ignore",
            "LL001",
        ],
    );
    assert_eq!(out.code, 1, "--deny is applied after --ignore");
    let out = losslint(dir.path(), &["check", "--isolated", "--select", "LL003"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("All checks passed!"));
}

#[test]
fn usage_errors_exit_2() {
    let dir = TempDir::new();
    dir.write("step.rs", IMPLICIT);
    let out = losslint(dir.path(), &["check", "--no-such-flag"]);
    assert_eq!(out.code, 2);
    let out = losslint(dir.path(), &["check", "--isolated", "--select", "LL999"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("unknown rule `LL999` in `--select`"),
        "{}",
        out.stderr
    );
    let out = losslint(dir.path(), &["check", "--isolated", "missing.rs"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("missing.rs"), "{}", out.stderr);
    let out = losslint(dir.path(), &["check", "--isolated", "--weights", "uniform"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--weights"), "{}", out.stderr);
    let out = losslint(dir.path(), &["explain", "LL999"]);
    assert_eq!(out.code, 2);
}

// ---------------------------------------------------------------------------------------------
// Output formats

#[test]
fn human_output_is_a_code_frame() {
    let dir = TempDir::new();
    dir.write("src/step.rs", IMPLICIT);
    let out = losslint(dir.path(), &["check", "--isolated", "src"]);
    let line = line_of(IMPLICIT, "CrossEntropy::new()");
    assert!(out.stdout.starts_with("warning[LL001]: "), "{}", out.stdout);
    assert!(
        out.stdout.contains(&format!("--> src/step.rs:{line}:")),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("let criterion = CrossEntropy::new();"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains('^'), "{}", out.stdout);
    assert!(out.stdout.contains("(safe fix: `--fix`)"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("Found 1 finding (0 errors, 1 warning) in 1 file."),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("[*] 1 fixable with `--fix`."),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains('\u{1b}'), "NO_COLOR: no escape codes");
}

#[test]
fn json_output_has_the_contract_fields() {
    let dir = TempDir::new();
    dir.write("src/step.rs", IMPLICIT);
    dir.write("src/burn.rs", SOFTMAX);
    let out = losslint(
        dir.path(),
        &["check", "--isolated", "--format", "json", "src"],
    );
    let findings = out.json();
    let findings = findings.as_array().unwrap();
    assert!(!findings.is_empty());
    for f in findings {
        for key in [
            "code",
            "name",
            "severity",
            "path",
            "line",
            "column",
            "end_line",
            "end_column",
            "message",
            "help",
            "fix",
        ] {
            assert!(f.get(key).is_some(), "{key} missing in {f}");
        }
        assert!(f["line"].as_u64().unwrap() >= 1 && f["column"].as_u64().unwrap() >= 1);
        assert!(f["path"].as_str().unwrap().starts_with("src/"));
        match &f["fix"] {
            Value::Null => {}
            fix => {
                assert!(
                    ["safe", "unsafe", "display-only"]
                        .contains(&fix["applicability"].as_str().unwrap())
                );
                for edit in fix["edits"].as_array().unwrap() {
                    for key in ["line", "column", "end_line", "end_column", "content"] {
                        assert!(edit.get(key).is_some(), "{key} missing in {edit}");
                    }
                }
            }
        }
    }
    let ll001 = findings.iter().find(|f| f["code"] == "LL001").unwrap();
    assert_eq!(ll001["name"], "implicit-reduction");
    assert_eq!(ll001["path"], "src/step.rs");
    assert_eq!(ll001["fix"]["applicability"], "safe");
    assert!(
        findings
            .iter()
            .any(|f| f["code"] == "LL003" && f["path"] == "src/burn.rs")
    );
    // Sorted by path, then line.
    let keys: Vec<(String, u64)> = findings
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

#[test]
fn sarif_output_has_the_required_structure() {
    let dir = TempDir::new();
    dir.write("src/step.rs", IMPLICIT);
    let out = losslint(
        dir.path(),
        &["check", "--isolated", "--format", "sarif", "src"],
    );
    assert_eq!(out.code, 0);
    let log = out.json();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "losslint");
    let rules = driver["rules"].as_array().unwrap();
    for code in ["LL000", "LL001", "LL003", "LL010", "LL011"] {
        let rule = rules
            .iter()
            .find(|r| r["id"] == code)
            .unwrap_or_else(|| panic!("{code}"));
        assert!(rule["name"].is_string());
        assert!(
            !rule["shortDescription"]["text"]
                .as_str()
                .unwrap()
                .is_empty()
        );
        assert!(
            rule["help"]["text"]
                .as_str()
                .unwrap()
                .contains("## What it does")
        );
    }
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    let result = &results[0];
    assert_eq!(result["ruleId"], "LL001");
    assert_eq!(result["level"], "warning");
    assert!(result["message"]["text"].is_string());
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "src/step.rs");
    let region = &location["region"];
    assert_eq!(
        region["startLine"],
        line_of(IMPLICIT, "CrossEntropy::new()")
    );
    for key in ["startColumn", "endLine", "endColumn"] {
        assert!(region[key].as_u64().unwrap() >= 1, "{key}");
    }
    let fix = &result["fixes"][0];
    assert!(fix["description"]["text"].is_string());
    assert!(fix["artifactChanges"][0]["replacements"][0]["deletedRegion"]["startLine"].is_u64());
}

#[test]
fn gitlab_output_is_a_code_quality_report() {
    let dir = TempDir::new();
    dir.write("src/step.rs", IMPLICIT);
    dir.write("src/other.rs", IMPLICIT);
    let args = [
        "check",
        "--isolated",
        "--format",
        "gitlab",
        "--deny",
        "LL001",
    ];
    let out = losslint(dir.path(), &args);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let issues = out.json();
    let issues = issues.as_array().unwrap();
    assert_eq!(issues.len(), 2, "{}", out.stdout);
    let line = line_of(IMPLICIT, "CrossEntropy::new()");
    for issue in issues {
        assert_eq!(issue["type"], "issue");
        assert_eq!(issue["check_name"], "LL001");
        assert_eq!(issue["severity"], "major");
        assert!(
            issue["description"]
                .as_str()
                .unwrap()
                .starts_with("LL001 implicit-reduction: ")
        );
        assert_eq!(issue["location"]["positions"]["begin"]["line"], line);
        assert!(
            issue["location"]["path"]
                .as_str()
                .unwrap()
                .starts_with("src/")
        );
        assert_eq!(issue["fingerprint"].as_str().unwrap().len(), 16);
    }
    // Fingerprints tell the files apart and stay the same from run to run.
    assert_ne!(issues[0]["fingerprint"], issues[1]["fingerprint"]);
    assert_eq!(losslint(dir.path(), &args).json(), out.json());
    // A warning is a minor issue; no findings is an empty report.
    let warn = losslint(
        dir.path(),
        &[
            "check",
            "--isolated",
            "--format",
            "gitlab",
            "--warn",
            "LL001",
        ],
    );
    assert_eq!(warn.json()[0]["severity"], "minor");
    let clean = TempDir::new();
    clean.write("step.rs", EXPLICIT);
    let out = losslint(clean.path(), &["check", "--isolated", "--format", "gitlab"]);
    assert_eq!((out.code, out.json()), (0, serde_json::json!([])));
}

#[test]
fn junit_output_is_one_failed_case_per_finding() {
    let dir = TempDir::new();
    dir.write("a <b>.rs", IMPLICIT);
    let out = losslint(
        dir.path(),
        &[
            "check",
            "--isolated",
            "--format",
            "junit",
            "--deny",
            "LL001",
        ],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let xml = &out.stdout;
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"losslint\" tests=\"1\" failures=\"1\""), "{xml}");
    // The path is escaped wherever it appears (the suite, the case's class name and file).
    assert!(
        xml.contains("<testsuite name=\"a &lt;b&gt;.rs\" tests=\"1\" failures=\"1\""),
        "{xml}"
    );
    let line = line_of(IMPLICIT, "CrossEntropy::new()");
    assert!(
        xml.contains(&format!(
            "<testcase name=\"LL001 implicit-reduction at line {line}, column "
        )),
        "{xml}"
    );
    assert!(
        xml.contains(&format!("file=\"a &lt;b&gt;.rs\" line=\"{line}\"")),
        "{xml}"
    );
    assert!(
        xml.contains("<failure type=\"LL001\" message=\"error: "),
        "{xml}"
    );
    assert_eq!(
        xml.matches("<testcase ").count(),
        xml.matches("</testcase>").count()
    );
    assert!(xml.trim_end().ends_with("</testsuites>"));
    // No findings: one passing case, so CI systems show a test that ran.
    let clean = TempDir::new();
    clean.write("step.rs", EXPLICIT);
    let out = losslint(clean.path(), &["check", "--isolated", "--format", "junit"]);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout.contains("tests=\"1\" failures=\"0\""),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("<testcase name=\"no findings in 1 file\" classname=\"losslint\"/>"),
        "{}",
        out.stdout
    );
}

/// Runs the GitHub Action's run step (`action/run.sh`) as a workflow would: the `GITHUB_*` files,
/// the action's inputs as `INPUT_*`, and this build's `losslint`.
#[cfg(unix)]
fn action_run(dir: &Path, args: &str, sarif: &str) -> (Output, String, String) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../action/run.sh");
    let github = TempDir::new();
    let output_file = github.write("output", "");
    let summary_file = github.write("summary", "");
    let out = Command::new("bash")
        .arg(&script)
        .current_dir(dir)
        .env("LOSSLINT", env!("CARGO_BIN_EXE_losslint"))
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_WORKSPACE", dir)
        .env("GITHUB_OUTPUT", &output_file)
        .env("GITHUB_STEP_SUMMARY", &summary_file)
        .env("INPUT_ARGS", args)
        .env("INPUT_SARIF", sarif)
        .env("INPUT_WORKING_DIRECTORY", ".")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let output = Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    (output, github.read("output"), github.read("summary"))
}

#[cfg(unix)]
#[test]
fn github_action_annotates_writes_sarif_and_fails_on_findings() {
    let dir = TempDir::new();
    dir.write("step.rs", IMPLICIT);
    dir.write("clean.rs", EXPLICIT);
    let (out, outputs, summary) = action_run(
        dir.path(),
        "step.rs clean.rs --isolated --deny LL001",
        "losslint.sarif",
    );
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.starts_with("::error file=step.rs,line="),
        "{}",
        out.stdout
    );
    assert!(outputs.contains("exit-code=1\n"), "{outputs}");
    assert!(outputs.contains("findings=1\n"), "{outputs}");
    assert!(outputs.contains("sarif-file=losslint.sarif\n"), "{outputs}");
    assert!(
        summary.contains("**losslint** failed: 1 finding(s)"),
        "{summary}"
    );
    let sarif: Value = serde_json::from_str(&dir.read("losslint.sarif")).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "LL001");

    // No findings: exit 0, no annotations, no SARIF asked for.
    let (out, outputs, summary) = action_run(dir.path(), "clean.rs --isolated", "");
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(out.stdout, "");
    assert!(outputs.contains("exit-code=0\nfindings=0\n"), "{outputs}");
    assert!(!outputs.contains("sarif-file"), "{outputs}");
    assert!(summary.contains("passed: 0 finding(s)"), "{summary}");

    // A path that does not exist: losslint's usage error (2) is the step's.
    let (out, outputs, _) = action_run(dir.path(), "missing.py --isolated", "");
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(outputs.contains("exit-code=2\n"), "{outputs}");
}

#[test]
fn the_action_installs_the_version_being_built() {
    let action =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../action.yml"))
            .unwrap();
    let default = action
        .split("  version:")
        .nth(1)
        .and_then(|input| {
            input
                .lines()
                .find(|l| l.trim_start().starts_with("default:"))
        })
        .unwrap();
    assert_eq!(
        default.trim(),
        format!("default: \"{}\"", env!("CARGO_PKG_VERSION")),
        "action.yml pins another version than this crate's: update its `version` default"
    );
}

#[test]
fn github_output_is_workflow_commands() {
    let dir = TempDir::new();
    dir.write("step.rs", IMPLICIT);
    let out = losslint(
        dir.path(),
        &[
            "check",
            "--isolated",
            "--format",
            "github",
            "--deny",
            "LL001",
        ],
    );
    assert_eq!(out.code, 1);
    let line = line_of(IMPLICIT, "CrossEntropy::new()");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{}", out.stdout);
    let prefix = format!("::error file=step.rs,line={line},col=");
    assert!(lines[0].starts_with(&prefix), "{}", lines[0]);
    assert!(lines[0].contains(",endLine="), "{}", lines[0]);
    assert!(lines[0].contains(",endColumn="), "{}", lines[0]);
    assert!(
        lines[0].contains(",title=LL001 implicit-reduction::"),
        "{}",
        lines[0]
    );
}

#[test]
fn statistics_count_per_rule() {
    let dir = TempDir::new();
    dir.write("a.rs", IMPLICIT);
    dir.write("b.rs", IMPLICIT);
    let out = losslint(dir.path(), &["check", "--isolated", "--statistics"]);
    assert_eq!(out.stdout.trim(), "2  LL001  [*] implicit-reduction");
    let out = losslint(
        dir.path(),
        &["check", "--isolated", "--statistics", "--format", "json"],
    );
    assert_eq!(out.json()[0]["count"], 2);
}

// ---------------------------------------------------------------------------------------------
// Paths and walking

#[test]
fn paths_are_shown_as_given_and_gitignore_is_respected() {
    let dir = TempDir::new();
    dir.write("src/a.rs", IMPLICIT);
    dir.write("generated/b.rs", IMPLICIT);
    dir.write(".gitignore", "generated/\n");
    let out = losslint(dir.path(), &["check", "--isolated", "--format", "json"]);
    let paths: Vec<String> = out.findings().into_iter().map(|(p, _, _)| p).collect();
    assert_eq!(paths, ["src/a.rs"]);
    let out = losslint(
        dir.path(),
        &["check", "--isolated", "--format", "json", "./src"],
    );
    let paths: Vec<String> = out.findings().into_iter().map(|(p, _, _)| p).collect();
    assert_eq!(paths, ["./src/a.rs"]);
    // A file named explicitly is linted even when ignored.
    let out = losslint(
        dir.path(),
        &[
            "check",
            "--isolated",
            "--format",
            "json",
            "generated/b.rs",
            "src",
        ],
    );
    let paths: Vec<String> = out.findings().into_iter().map(|(p, _, _)| p).collect();
    assert_eq!(paths, ["generated/b.rs", "src/a.rs"]);
}

#[test]
fn unreadable_files_are_reported_and_the_run_goes_on() {
    let dir = TempDir::new();
    dir.write("a_latin1.rs", b"// caf\xe9\nfn main() {}\n");
    dir.write("b_huge.rs", format!("// {}\n{IMPLICIT}", "x".repeat(2000)));
    dir.write(
        "c_broken.rs",
        "use lossfit::CrossEntropy;\nfn f( {\n    let c = CrossEntropy::new();\n",
    );
    dir.write("d_ok.rs", IMPLICIT);
    let out = losslint(
        dir.path(),
        &[
            "check",
            "--isolated",
            "--format",
            "json",
            "--max-file-size",
            "1000",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let findings = out.json();
    let by_path = |p: &str| -> Vec<Value> {
        findings
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["path"] == p)
            .cloned()
            .collect()
    };
    let latin1 = by_path("a_latin1.rs");
    assert_eq!(latin1.len(), 1);
    assert_eq!(latin1[0]["code"], "LL000");
    assert_eq!(latin1[0]["severity"], "warning");
    assert!(
        latin1[0]["message"]
            .as_str()
            .unwrap()
            .contains("not valid UTF-8")
    );
    assert_eq!(latin1[0]["line"], 1);
    let huge = by_path("b_huge.rs");
    assert_eq!(huge.len(), 1);
    assert!(
        huge[0]["message"]
            .as_str()
            .unwrap()
            .contains("over the 1000-byte limit")
    );
    let broken = by_path("c_broken.rs");
    assert_eq!(broken.len(), 1, "{broken:?}");
    assert_eq!(broken[0]["code"], "LL000");
    let ok = by_path("d_ok.rs");
    assert_eq!(ok.len(), 1);
    assert_eq!(ok[0]["code"], "LL001");
    // The human renderer copes with a finding that has no source to show.
    let out = losslint(
        dir.path(),
        &["check", "--isolated", "--max-file-size", "1000"],
    );
    assert!(out.stdout.contains("--> a_latin1.rs:1:"), "{}", out.stdout);
}

// ---------------------------------------------------------------------------------------------
// Configuration

#[test]
fn closest_configuration_wins_and_cli_overrides_it() {
    let dir = TempDir::new();
    dir.write("losslint.toml", "[rules]\nLL001 = \"deny\"\n");
    dir.write("top.rs", IMPLICIT);
    dir.write(
        "sub/losslint.toml",
        "[rules]\nimplicit-reduction = \"allow\"\n",
    );
    dir.write("sub/inner.rs", IMPLICIT);
    dir.write("other/deeper/x.rs", IMPLICIT);
    let out = losslint(dir.path(), &["check", "--format", "json"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let found: Vec<(String, String)> = out
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("other/deeper/x.rs".to_string(), "error".to_string()),
            ("top.rs".to_string(), "error".to_string())
        ]
    );
    // The command line overrides every configuration.
    let out = losslint(dir.path(), &["check", "--warn", "LL001"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    // `--config` uses one file for everything; `--isolated` none.
    let out = losslint(
        dir.path(),
        &["check", "--format", "json", "--config", "sub/losslint.toml"],
    );
    assert_eq!(out.codes(), Vec::<String>::new());
    let out = losslint(dir.path(), &["check", "--format", "json", "--isolated"]);
    assert_eq!(out.codes().len(), 3);
}

#[test]
fn pyproject_and_cargo_manifests_hold_configuration() {
    let dir = TempDir::new();
    dir.write(
        "py/pyproject.toml",
        "[project]\nname = \"x\"\n\n[tool.losslint.rules]\nLL001 = \"deny\"\n",
    );
    dir.write("py/a.rs", IMPLICIT);
    dir.write(
        "crate/Cargo.toml",
        "[package]\nname = \"x\"\n\n[package.metadata.losslint.rules]\nLL001 = \"deny\"\n",
    );
    dir.write("crate/src/a.rs", IMPLICIT);
    dir.write(
        "ws/Cargo.toml",
        "[workspace]\nmembers = []\n\n[workspace.metadata.losslint.rules]\nLL001 = \"deny\"\n",
    );
    dir.write("ws/src/a.rs", IMPLICIT);
    // A pyproject without [tool.losslint] is not a configuration.
    dir.write("plain/pyproject.toml", "[project]\nname = \"y\"\n");
    dir.write("plain/a.rs", IMPLICIT);
    dir.write("losslint.toml", "[rules]\nLL001 = \"allow\"\n");
    let out = losslint(dir.path(), &["check", "--format", "json"]);
    let mut paths: Vec<String> = out.findings().into_iter().map(|(p, _, _)| p).collect();
    paths.sort();
    assert_eq!(paths, ["crate/src/a.rs", "py/a.rs", "ws/src/a.rs"]);
    assert_eq!(out.code, 1);
}

#[test]
fn unknown_configuration_keys_are_errors_naming_file_and_key() {
    let dir = TempDir::new();
    dir.write("a.rs", IMPLICIT);
    dir.write("losslint.toml", "[labels]\npth = \"y.csv\"\n");
    let out = losslint(dir.path(), &["check"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("losslint.toml"), "{}", out.stderr);
    assert!(
        out.stderr.contains("unknown key `labels.pth`"),
        "{}",
        out.stderr
    );

    dir.write("losslint.toml", "[rules]\nLL001 = \"loud\"\n");
    let out = losslint(dir.path(), &["check"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("`rules.LL001` must be `allow`, `warn` or `deny`"),
        "{}",
        out.stderr
    );

    dir.write("losslint.toml", "[rules]\nLL099 = \"deny\"\n");
    let out = losslint(dir.path(), &["check"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("unknown rule `rules.LL099`"),
        "{}",
        out.stderr
    );

    dir.write("losslint.toml", "");
    dir.write(
        "Cargo.toml",
        "[package]\nname = \"x\"\n[package.metadata.losslint]\nmax_ratio = 3\n",
    );
    std::fs::remove_file(dir.path().join("losslint.toml")).unwrap();
    let out = losslint(dir.path(), &["check"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("unknown key `package.metadata.losslint.max_ratio`"),
        "{}",
        out.stderr
    );
}

#[test]
fn overrides_apply_to_matching_files() {
    let dir = TempDir::new();
    dir.write(
        "losslint.toml",
        "[rules]\nLL001 = \"deny\"\n\n[[overrides]]\nfiles = [\"legacy/**\", \"*_bench.rs\"]\nrules.LL001 = \"allow\"\n",
    );
    dir.write("src/a.rs", IMPLICIT);
    dir.write("legacy/deep/b.rs", IMPLICIT);
    dir.write("src/x_bench.rs", IMPLICIT);
    let out = losslint(dir.path(), &["check", "--format", "json"]);
    let paths: Vec<String> = out.findings().into_iter().map(|(p, _, _)| p).collect();
    assert_eq!(paths, ["src/a.rs"]);
    dir.write("losslint.toml", "[[overrides]]\nrules.LL001 = \"allow\"\n");
    let out = losslint(dir.path(), &["check"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("`overrides[0].files` is missing"),
        "{}",
        out.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// Label statistics

/// 90 of class 0, 10 of class 1 (imbalance ratio 9).
fn imbalanced_csv() -> String {
    let mut s = String::from("id,label\n");
    for i in 0..100 {
        let _ = writeln!(s, "{i},{}", usize::from(i >= 90));
    }
    s
}

#[test]
fn label_files_bind_from_cli_config_and_directives() {
    let dir = TempDir::new();
    dir.write("data/y.csv", imbalanced_csv());
    dir.write("data/balanced.txt", "0\n1\n0\n1\n");
    dir.write("src/step.rs", EXPLICIT);
    let out = losslint(dir.path(), &["check", "--isolated", "--format", "json"]);
    assert_eq!(out.codes(), Vec::<String>::new());
    let out = losslint(
        dir.path(),
        &[
            "check",
            "--isolated",
            "--format",
            "json",
            "--labels",
            "data/y.csv",
        ],
    );
    assert_eq!(out.codes(), ["LL002"], "{}", out.stderr);
    let help = out.json()[0]["help"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    // inverse_frequency, scaled to mean 1: [0.2, 1.8].
    assert!(help.contains("0.2, 1.8"), "{help}");

    // Configuration: relative to the configuration file.
    dir.write(
        "losslint.toml",
        "[labels]\npath = \"data/y.csv\"\ncolumn = \"label\"\n",
    );
    let out = losslint(dir.path(), &["check", "--format", "json", "src"]);
    assert_eq!(out.codes(), ["LL002"], "{}", out.stderr);
    let out = losslint(
        dir.path(),
        &["check", "--format", "json", "--max-ratio", "10"],
    );
    assert_eq!(out.codes(), Vec::<String>::new());

    // An inline directive wins over the configuration (relative to the source file).
    let directed = EXPLICIT.replace(
        "    let criterion = CrossEntropy::new()",
        "    // losslint: labels = \"../data/balanced.txt\"\n    let criterion = CrossEntropy::new()",
    );
    dir.write("src/step.rs", &directed);
    let out = losslint(dir.path(), &["check", "--format", "json"]);
    assert_eq!(out.codes(), Vec::<String>::new(), "{}", out.stderr);
}

#[test]
fn unreadable_label_files_are_errors() {
    let dir = TempDir::new();
    dir.write("src/step.rs", EXPLICIT);
    let out = losslint(
        dir.path(),
        &["check", "--isolated", "--labels", "data/missing.csv"],
    );
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(out.stderr.contains("data/missing.csv"), "{}", out.stderr);
    dir.write("data/bad.csv", "id,label\n1,0\n2\n");
    let out = losslint(
        dir.path(),
        &["check", "--isolated", "--labels", "data/bad.csv"],
    );
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("bad.csv:3"), "{}", out.stderr);
}

// ---------------------------------------------------------------------------------------------
// Suppression

#[test]
fn suppressions_on_the_line_above_and_for_the_file() {
    let dir = TempDir::new();
    let trailing = IMPLICIT.replace(
        "CrossEntropy::new();",
        "CrossEntropy::new(); // losslint: allow(LL001)",
    );
    let above = IMPLICIT.replace(
        "    let criterion = CrossEntropy::new();",
        "    // losslint: allow(implicit-reduction, LL003)\n    let criterion = CrossEntropy::new();",
    );
    let file = format!("//! Module docs.\n// losslint: allow-file(all)\n{IMPLICIT}");
    let unused = format!("{EXPLICIT}// losslint: allow(LL001)\n");
    dir.write("trailing.rs", &trailing);
    dir.write("above.rs", &above);
    dir.write("file.rs", &file);
    dir.write("unused.rs", &unused);
    let out = losslint(dir.path(), &["check", "--isolated", "--format", "json"]);
    let found = out.findings();
    assert_eq!(
        found,
        [
            (
                "above.rs".to_string(),
                line_of(&above, "allow(implicit"),
                "LL011".to_string()
            ),
            (
                "unused.rs".to_string(),
                line_of(&unused, "allow(LL001)"),
                "LL011".to_string()
            ),
        ],
        "{}",
        out.stdout
    );
    let messages: Vec<String> = out
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        messages,
        [
            "unused suppression of `LL003`",
            "unused suppression of `LL001`"
        ]
    );
    // Fixing the unused suppressions removes them.
    let out = losslint(dir.path(), &["check", "--isolated", "--fix"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(dir.read("unused.rs"), EXPLICIT);
    assert!(
        dir.read("above.rs")
            .contains("// losslint: allow(implicit-reduction)\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Fixes

#[test]
fn fix_writes_safe_fixes_and_reports_what_remains() {
    let dir = TempDir::new();
    dir.write("step.rs", IMPLICIT);
    dir.write("burn.rs", SOFTMAX);
    let out = losslint(dir.path(), &["check", "--isolated", "--fix"]);
    let fixed = dir.read("step.rs");
    assert!(fixed.contains("CrossEntropy::new().reduction("), "{fixed}");
    assert!(fixed.contains("Mean);"), "{fixed}");
    assert!(
        out.stdout.contains("Fixed 1 finding in 1 file."),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("[LL001]"), "{}", out.stdout);
    assert!(out.stdout.contains("[LL003]"), "{}", out.stdout);
    // Nothing left to fix: a second run changes nothing.
    let out = losslint(
        dir.path(),
        &["check", "--isolated", "--fix", "--format", "json"],
    );
    assert_eq!(dir.read("step.rs"), fixed);
    assert!(!out.codes().contains(&"LL001".to_string()));
}

#[test]
fn diff_prints_without_writing() {
    let dir = TempDir::new();
    dir.write("step.rs", IMPLICIT);
    let out = losslint(dir.path(), &["check", "--isolated", "--diff"]);
    assert_eq!(out.code, 1, "a diff to apply");
    assert_eq!(dir.read("step.rs"), IMPLICIT);
    assert!(
        out.stdout.starts_with("--- a/step.rs\n+++ b/step.rs\n@@ -"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("\n-    let criterion = CrossEntropy::new();\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("\n+    let criterion = CrossEntropy::new().reduction("),
        "{}",
        out.stdout
    );
    let added = out
        .stdout
        .lines()
        .filter(|l| l.starts_with('+') && !l.starts_with("+++"))
        .count();
    assert_eq!(added, 1, "{}", out.stdout);
    dir.write("step.rs", EXPLICIT);
    let out = losslint(dir.path(), &["check", "--isolated", "--diff"]);
    assert_eq!(out.code, 0);
    assert_eq!(out.stdout, "");
}

#[test]
fn unsafe_fixes_need_the_flag() {
    let dir = TempDir::new();
    dir.write("data/y.csv", imbalanced_csv());
    dir.write("step.rs", EXPLICIT);
    let args = [
        "check",
        "--isolated",
        "--labels",
        "data/y.csv",
        "--format",
        "json",
    ];
    let out = losslint(dir.path(), &args);
    let finding = &out.json()[0];
    assert_eq!(finding["code"], "LL002");
    assert_eq!(finding["fix"]["applicability"], "unsafe");
    // `--fix` alone leaves unsafe fixes alone and says they exist.
    let out = losslint(
        dir.path(),
        &["check", "--isolated", "--labels", "data/y.csv", "--fix"],
    );
    assert_eq!(dir.read("step.rs"), EXPLICIT, "{}", out.stdout);
    assert!(
        out.stdout
            .contains("1 more fixable with `--fix --unsafe-fixes`"),
        "{}",
        out.stdout
    );
    let out = losslint(
        dir.path(),
        &[
            "check",
            "--isolated",
            "--labels",
            "data/y.csv",
            "--fix",
            "--unsafe-fixes",
        ],
    );
    let fixed = dir.read("step.rs");
    assert!(fixed.contains(".weight("), "{fixed}");
    assert!(fixed.contains("0.2, 1.8"), "{fixed}");
    assert!(
        out.stdout.contains("Fixed 1 finding in 1 file."),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("All checks passed!"), "{}", out.stdout);
}

// ---------------------------------------------------------------------------------------------
// rules, explain

#[test]
fn rules_and_explain() {
    let dir = TempDir::new();
    let out = losslint(dir.path(), &["rules"]);
    assert_eq!(out.code, 0);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 13, "{}", out.stdout);
    assert!(
        lines[3].starts_with("LL003  softmax-before-cross-entropy"),
        "{}",
        lines[3]
    );
    let out = losslint(dir.path(), &["rules", "--format", "json"]);
    let rules = out.json();
    assert_eq!(rules[11]["code"], "LL011");
    assert_eq!(rules[11]["default_level"], "warn");
    assert_eq!(rules[12]["code"], "LL012");
    assert_eq!(rules[12]["name"], "unbound-label-directive");
    for by in ["LL003", "ll003", "softmax-before-cross-entropy"] {
        let out = losslint(dir.path(), &["explain", by]);
        assert_eq!(out.code, 0);
        assert!(
            out.stdout
                .starts_with("# softmax-before-cross-entropy (LL003)"),
            "{}",
            out.stdout
        );
        assert!(out.stdout.contains("## Why is this bad?"));
    }
}

// ---------------------------------------------------------------------------------------------
// stats

#[test]
fn stats_text_json_and_counts_round_trip() {
    let dir = TempDir::new();
    dir.write("y.csv", imbalanced_csv());
    let out = losslint(dir.path(), &["stats", "y.csv", "--classes", "3"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .starts_with("y.csv: 100 rows, 3 classes (multiclass)\n"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains(&"█".repeat(40)), "{}", out.stdout);
    assert!(out.stdout.contains("imbalance ratio 9.0"), "{}", out.stdout);
    assert!(
        out.stdout.contains("absent classes (1): 2"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("inverse_frequency"), "{}", out.stdout);

    let out = losslint(
        dir.path(),
        &["stats", "y.csv", "--format", "json", "--task", "binary"],
    );
    let report = &out.json()[0];
    assert_eq!(report["rows"], 100);
    assert_eq!(report["imbalance_ratio"], 9.0);
    assert_eq!(report["imbalanced"], true);
    assert_eq!(report["classes"][0]["count"], 90);
    assert_eq!(report["pos_weight"], 9.0);
    let w = report["weights"]["inverse_frequency"].as_array().unwrap();
    assert!((w[0].as_f64().unwrap() - 0.2).abs() < 1e-9);

    let out = losslint(
        dir.path(),
        &["stats", "y.csv", "--emit-counts", "counts.json"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(dir.read("counts.json").contains("\"counts\""));
    let a = losslint(dir.path(), &["stats", "y.csv", "--format", "json"]).json();
    let b = losslint(dir.path(), &["stats", "counts.json", "--format", "json"]).json();
    assert_eq!(a[0]["classes"], b[0]["classes"]);
    assert_eq!(a[0]["weights"], b[0]["weights"]);

    let out = losslint(
        dir.path(),
        &["stats", "y.csv", "counts.json", "--emit-counts", "c.json"],
    );
    assert_eq!(out.code, 2);
    let out = losslint(dir.path(), &["stats", "nope.csv"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("nope.csv"), "{}", out.stderr);
}

#[test]
fn stats_and_check_read_json_lines() {
    let dir = TempDir::new();
    let mut rows = String::new();
    for i in 0..40 {
        let topic = if i % 10 == 0 { "sports" } else { "business" };
        let _ = writeln!(
            rows,
            "{{\"id\": {i}, \"meta\": {{\"topic\": \"{topic}\"}}}}"
        );
    }
    dir.write("data/train.jsonl", &rows);
    let out = losslint(
        dir.path(),
        &[
            "stats",
            "data/train.jsonl",
            "--column",
            "meta.topic",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report = &out.json()[0];
    assert_eq!(report["rows"], 40);
    assert_eq!(report["imbalance_ratio"], 9.0);
    // The same file bound in the configuration: an unweighted loss on it is LL002.
    assert_unweighted_loss_flagged(
        &dir,
        "[labels]\npath = \"data/train.jsonl\"\ncolumn = \"meta.topic\"\nclasses = [\"business\", \"sports\"]\n",
    );
}

/// With `config` binding imbalanced labels, an unweighted PyTorch cross-entropy is LL002.
fn assert_unweighted_loss_flagged(dir: &TempDir, config: &str) {
    dir.write("losslint.toml", config);
    dir.write(
        "train.py",
        "from torch import nn\n\ncriterion = nn.CrossEntropyLoss(reduction=\"mean\")\n",
    );
    let out = losslint(dir.path(), &["check", "train.py", "--format", "json"]);
    assert_eq!(out.codes(), ["LL002"], "{}{}", out.stdout, out.stderr);
}

#[test]
fn stats_and_check_read_dataset_directories() {
    let dir = TempDir::new();
    for (class, n) in [("cat", 8), ("dog", 2)] {
        for i in 0..n {
            dir.write(&format!("images/train/{class}/{i}.jpg"), "");
        }
    }
    dir.write("images/train/dog/notes.txt", "not an image");
    let out = losslint(dir.path(), &["stats", "images/train", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.json()[0]["rows"], 10);
    assert_eq!(out.json()[0]["class_order"], "0 = `cat`, 1 = `dog`");
    let out = losslint(
        dir.path(),
        &[
            "stats",
            "images/train",
            "--extensions",
            "txt",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.json()[0]["rows"], 1, "{}", out.stdout);
    // Bound in the configuration, the directory judges the loss: unweighted on 4:1 is LL002.
    assert_unweighted_loss_flagged(&dir, "[labels]\npath = \"images/train\"\n");
}

#[test]
fn stats_and_check_read_parquet_shards_by_glob_and_refuse_mixed_splits() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../lossfit-stats/tests/fixtures/columnar/hub/data");
    let dir = TempDir::new();
    for entry in std::fs::read_dir(&fixtures).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        dir.write(&format!("data/{name}"), std::fs::read(&path).unwrap());
    }
    let out = losslint(
        dir.path(),
        &["stats", "data/train-*.parquet", "--format", "json"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.json()[0]["rows"], 900);
    assert_eq!(
        out.json()[0]["class_order"],
        "0 = `negative`, 1 = `neutral`, 2 = `positive`"
    );
    let out = losslint(dir.path(), &["stats", "data"]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(out.stderr.contains("several splits"), "{}", out.stderr);
    // A glob in the configuration binds the split; the ClassLabel gives the class order, so no
    // `classes` is needed for LL002's weights.
    assert_unweighted_loss_flagged(&dir, "[labels]\npath = \"data/train-*.parquet\"\n");
    // A pattern that climbs out of its directory after a wildcard is not read.
    dir.write(
        "losslint.toml",
        "[labels]\npath = \"data/*/../../../*.parquet\"\n",
    );
    let out = losslint(dir.path(), &["check", "train.py", "--format", "json"]);
    assert!(
        out.stderr.contains("after a wildcard") || out.stdout.contains("after a wildcard"),
        "{}{}",
        out.stdout,
        out.stderr
    );
}

#[test]
fn stats_of_multi_label_files() {
    let dir = TempDir::new();
    let mut csv = String::from("path,cat,dog\n");
    for i in 0..20 {
        let _ = writeln!(
            csv,
            "{i}.png,{},{}",
            usize::from(i < 2),
            usize::from(i < 10)
        );
    }
    dir.write("y.csv", csv);
    let out = losslint(dir.path(), &["stats", "y.csv", "--task", "multilabel"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("20 rows, 2 labels (multilabel)"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("pos_weight"), "{}", out.stdout);
    let out = losslint(
        dir.path(),
        &["stats", "y.csv", "--task", "multilabel", "--format", "json"],
    );
    assert_eq!(out.json()[0]["pos_weight"], serde_json::json!([9.0, 1.0]));
}

/// A notebook: findings name the cell and the line within it (every format), and `--fix`
/// rewrites only the fixed line's string in the JSON.
#[test]
fn notebooks_point_at_cells_and_fix_in_place() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("resources/fixtures");
    let original = std::fs::read_to_string(fixtures.join("notebook.ipynb")).unwrap();
    let expected: Vec<(u64, u64, String)> =
        std::fs::read_to_string(fixtures.join("notebook.expected.txt"))
            .unwrap()
            .lines()
            .filter_map(|line| {
                // `cell 5, line 7: LL001`
                let (cell, rest) = line.strip_prefix("cell ")?.split_once(", line ")?;
                let (line, code) = rest.split_once(": ")?;
                Some((cell.parse().ok()?, line.parse().ok()?, code.to_string()))
            })
            .collect();
    assert!(!expected.is_empty());
    let dir = TempDir::new();
    dir.write("nb.ipynb", &original);

    let json = losslint(
        dir.path(),
        &["check", "nb.ipynb", "--isolated", "--format", "json"],
    );
    let found: Vec<(u64, u64, String)> = json
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["cell"].as_u64().unwrap(),
                f["line"].as_u64().unwrap(),
                f["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(found, expected);

    let human = losslint(dir.path(), &["check", "nb.ipynb", "--isolated"]);
    let (cell, line, _) = &expected[0];
    assert!(
        human
            .stdout
            .contains(&format!("nb.ipynb:cell {cell}:{line}:")),
        "{}",
        human.stdout
    );
    let github = losslint(
        dir.path(),
        &["check", "nb.ipynb", "--isolated", "--format", "github"],
    );
    assert!(github.stdout.contains(&format!("line={line},")));
    assert!(github.stdout.contains(&format!("::cell {cell}: ")));
    let sarif = losslint(
        dir.path(),
        &["check", "nb.ipynb", "--isolated", "--format", "sarif"],
    );
    let results = &sarif.json()["runs"][0]["results"];
    assert_eq!(results[0]["properties"]["cell"], *cell);

    let fixed = losslint(dir.path(), &["check", "nb.ipynb", "--isolated", "--fix"]);
    assert_eq!(fixed.code, 1, "{}", fixed.stderr);
    let after = dir.read("nb.ipynb");
    let changed: Vec<(&str, &str)> = original
        .lines()
        .zip(after.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(original.lines().count(), after.lines().count());
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert!(
        changed[0]
            .1
            .contains("CrossEntropyLoss(reduction=\\\"mean\\\")")
    );
    let _: Value = serde_json::from_str(&after).expect("still JSON");

    dir.write("broken.ipynb", "{\"cells\": 3}");
    let broken = losslint(
        dir.path(),
        &["check", "broken.ipynb", "--isolated", "--format", "json"],
    );
    assert_eq!(broken.codes(), ["LL000"]);
}

/// Labels that are names: weights and the positive class need the class order the user
/// declares (`--classes cat,dog,bird`, `classes = [..]` in the config); without it losslint
/// says how to declare it instead of guessing.
#[test]
fn named_labels_need_a_declared_class_order() {
    let dir = TempDir::new();
    dir.write(
        "pets.json",
        r#"{"counts": {"cat": 900, "dog": 60, "bird": 40}}"#,
    );
    let out = losslint(dir.path(), &["stats", "pets.json"]);
    assert!(
        out.stdout.contains("--classes bird,cat,dog"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("inverse_frequency"), "{}", out.stdout);
    let out = losslint(
        dir.path(),
        &["stats", "pets.json", "--classes", "cat,dog,bird"],
    );
    assert!(
        out.stdout
            .contains("class order 0 = `cat`, 1 = `dog`, 2 = `bird`"),
        "{}",
        out.stdout
    );
    let out = losslint(dir.path(), &["stats", "pets.json", "--classes", "cat,dog"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("`bird` is not one of the declared classes"),
        "{}",
        out.stderr
    );

    // LL002 on a PyTorch loss: the help's weights follow the configured order.
    dir.write(
        "train.py",
        "import torch.nn as nn\ncriterion = nn.CrossEntropyLoss(reduction=\"mean\")\n",
    );
    dir.write(
        "pyproject.toml",
        "[tool.losslint.labels]\npath = \"pets.json\"\nclasses = [\"cat\", \"dog\", \"bird\"]\n",
    );
    let out = losslint(dir.path(), &["check", "train.py", "--format", "json"]);
    let findings = out.json();
    let help = findings[0]["help"].as_str().unwrap();
    assert!(help.contains("0 = `cat`, 1 = `dog`, 2 = `bird`"), "{help}");
    assert!(help.contains("weight=torch.tensor(["), "{help}");
    dir.write(
        "pyproject.toml",
        "[tool.losslint.labels]\npath = \"pets.json\"\n",
    );
    let out = losslint(dir.path(), &["check", "train.py", "--format", "json"]);
    let help = out.json()[0]["help"].as_str().unwrap().to_string();
    assert!(help.contains("no declared order"), "{help}");
    assert!(!help.contains("torch.tensor"), "{help}");
}

/// Python suppressions: `# noqa: LL001` suppresses, a bare `# noqa` or another linter's code
/// does not, an unused `noqa` code is LL011 whose fix keeps the other linters' codes, and
/// `# losslint: allow-file(..)` after the module docstring applies to the file.
#[test]
fn python_noqa_and_allow_comments() {
    let dir = TempDir::new();
    dir.write(
        "train.py",
        "import torch.nn as nn\n\
         a = nn.MSELoss()  # noqa: LL001\n\
         b = nn.MSELoss()  # noqa\n\
         c = nn.MSELoss()  # noqa: E501\n\
         d = nn.MSELoss(reduction=\"sum\")  # noqa: LL003, E501\n",
    );
    let out = losslint(
        dir.path(),
        &["check", "train.py", "--isolated", "--format", "json"],
    );
    let found: Vec<(u64, String)> = out
        .findings()
        .into_iter()
        .map(|(_, line, code)| (line, code))
        .collect();
    assert_eq!(
        found,
        [
            (3, "LL001".to_string()),
            (4, "LL001".to_string()),
            (5, "LL011".to_string())
        ],
        "{}",
        out.stdout
    );
    let fixed = losslint(dir.path(), &["check", "train.py", "--isolated", "--fix"]);
    assert_ne!(fixed.code, 2, "{}", fixed.stderr);
    let text = dir.read("train.py");
    assert!(
        text.contains("d = nn.MSELoss(reduction=\"sum\")  # noqa: E501\n"),
        "{text}"
    );

    dir.write(
        "eval.py",
        "\"\"\"Evaluation.\n\nMore.\n\"\"\"\n# losslint: allow-file(LL001)\nimport torch.nn as nn\ne = nn.MSELoss()\n",
    );
    let out = losslint(
        dir.path(),
        &["check", "eval.py", "--isolated", "--format", "json"],
    );
    assert!(out.findings().is_empty(), "{}", out.stdout);
}
