//! The hostile-input catalogue, end to end: files and label data nobody reviewed (not UTF-8,
//! NUL bytes, one 1 MB line, 100,000 levels of nesting, FIFOs, devices, symlink loops, paths
//! leaving the project, malformed label files) and `--fix` under a full disk or run twice at
//! once. Each case must end with a clear report and the documented exit code, never hang,
//! abort or damage a file, never echo a file it was not asked to show, and never print a
//! success line when something could not be checked.
//!
//! A run is bounded by a generous deadline ([`DEADLINE`]) only so that a hang fails the test
//! instead of the CI job; no case asserts a duration.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Far above any case's time even in a debug build: only a hang reaches it.
const DEADLINE: Duration = Duration::from_mins(5);

/// A temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "losslint-hostile-{tag}-{}-{}",
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

    fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, content).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn codes(&self) -> Vec<String> {
        let findings: serde_json::Value = serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", self.stdout, self.stderr));
        findings
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect()
    }

    fn says_success(&self) -> bool {
        self.stdout.contains("All checks passed") || self.stdout.contains("Fixed ")
    }
}

/// Runs the binary in `dir`, killing it at the deadline (a hang fails the test).
fn losslint(dir: &Path, args: &[&str]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_losslint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Drain the pipes on their own threads so a large output cannot block the child.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            panic!("losslint {args:?} did not finish within {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let run = Run {
        code: status.code().unwrap_or(-1),
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    };
    // An abort (a stack overflow, an allocation failure) has no exit code.
    assert!(
        status.code().is_some(),
        "losslint {args:?} was killed by a signal:\n{}",
        run.stderr
    );
    run
}

/// A candle loss on softmax output: one LL003, proof that a file was linted.
const FLAGGED: &str = "use candle_nn::{loss, ops};

fn step(xs: &Tensor, ys: &Tensor) -> candle_core::Result<Tensor> {
    let probs = ops::softmax(xs, 1)?;
    loss::cross_entropy(&probs, ys)
}
";

/// A lossfit loss with no reduction on line 6: LL001 with a safe fix.
const FIXABLE: &str = "use lossfit::{ClassIndices, CrossEntropy, Logits, MultiClass};

pub fn step(x: ndarray::Array2<f32>, y: Vec<usize>) -> lossfit::Result<f32> {
    let logits = Logits::<MultiClass, f32>::new(x)?;
    let criterion = CrossEntropy::new();
    Ok(criterion.compute(&logits, &ClassIndices::new(y))?.value)
}
";

fn nested(open: &str, close: &str, depth: usize) -> String {
    format!(
        "use candle_nn::loss;\nfn f() {{ let x = {}1{}; }}\nfn g(a: &T, b: &T) {{ loss::cross_entropy(a, b); }}\n",
        open.repeat(depth),
        close.repeat(depth)
    )
}

#[test]
fn unparsable_and_odd_files_are_reported_and_the_run_goes_on() {
    let dir = TempDir::new("odd");
    dir.write("ok.rs", FLAGGED);
    dir.write("latin1.rs", b"fn f() { let s = \"caf\xe9\"; }\n");
    dir.write("nul.rs", b"fn f() {\0 loss::cross_entropy(a, b) }\n");
    dir.write("empty.rs", "");
    dir.write(
        "bom_crlf.rs",
        format!("\u{feff}{}", FLAGGED.replace('\n', "\r\n")),
    );
    dir.write("parens.rs", nested("(", ")", 100_000));
    dir.write("brackets.rs", nested("[", "]", 100_000));
    dir.write(
        "blocks.rs",
        format!(
            "use candle_nn::loss;\nfn f() {}{}\nfn g(a: &T, b: &T) {{ loss::cross_entropy(a, b); }}\n",
            "{".repeat(100_000),
            "}".repeat(100_000)
        ),
    );
    dir.write(
        "closures.rs",
        format!(
            "use candle_nn::loss;\nfn f() {{ let y = {}1; }}\nfn g(a: &T, b: &T) {{ loss::cross_entropy(a, b); }}\n",
            "|| ".repeat(100_000)
        ),
    );
    let run = losslint(
        dir.path(),
        &["check", ".", "--isolated", "--format", "json"],
    );
    let codes = run.codes();
    // Both linted files report their softmax; the four nested files and the one with a NUL
    // byte are LL000; the Latin-1 file is reported as skipped.
    assert_eq!(
        codes.iter().filter(|c| *c == "LL003").count(),
        2,
        "{codes:?}"
    );
    assert!(
        codes.iter().filter(|c| *c == "LL000").count() >= 5,
        "{codes:?}"
    );
    assert!(run.stdout.contains("nested too deeply"), "{}", run.stdout);
    assert!(run.stdout.contains("not valid UTF-8"), "{}", run.stdout);
    assert_eq!(run.code, 1, "{}", run.stderr);
}

/// A PyTorch loss on softmax output: one LL003, proof that a Python file was linted.
const FLAGGED_PY: &str = "import torch.nn.functional as F\n\ndef step(x, y):\n    \
                          probs = F.softmax(x, dim=1)\n    \
                          return F.cross_entropy(probs, y, reduction=\"mean\")\n";

#[test]
fn odd_python_files_and_notebooks_are_reported_and_the_run_goes_on() {
    let dir = TempDir::new("odd-python");
    dir.write("ok.py", FLAGGED_PY);
    let deep = |prefix: &str, body: &str, suffix: &str| {
        format!("import torch.nn.functional as F\nx = {prefix}{body}{suffix}\n{FLAGGED_PY}")
    };
    dir.write(
        "parens.py",
        deep(&"(".repeat(100_000), "1", &")".repeat(100_000)),
    );
    dir.write("sum.py", deep("", &"1 + ".repeat(300_000), "1"));
    dir.write("lambdas.py", deep("", &"lambda: ".repeat(100_000), "1"));
    dir.write("ternary.py", deep("", &"a if b else ".repeat(100_000), "1"));
    dir.write("attrs.py", deep("y", &".y".repeat(100_000), ""));
    dir.write("calls.py", deep("f", &"()".repeat(100_000), ""));
    dir.write("nots.py", deep("", &"not ".repeat(100_000), "y"));
    // Blocks nested 300 deep (one space each): parsed and linted, not refused.
    let mut blocks = String::from("import torch.nn.functional as F\n");
    for level in 0..300 {
        blocks.push_str(&" ".repeat(level));
        blocks.push_str("if True:\n");
    }
    blocks.push_str(&" ".repeat(300));
    blocks.push_str("loss = F.cross_entropy(F.softmax(x, 1), y, reduction=\"mean\")\n");
    dir.write("blocks.py", blocks);
    dir.write(
        "latin1.py",
        b"x = 'caf\xe9'\nimport torch.nn as nn\nc = nn.MSELoss()\n",
    );
    dir.write("unclosed.py", format!("{FLAGGED_PY}def broken(:\n"));
    dir.write("not_json.ipynb", "this is not a notebook");
    dir.write(
        "deep.ipynb",
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
    );
    let cells: Vec<String> = (0..5_000)
        .map(|_| {
            "{\"cell_type\": \"code\", \"metadata\": {}, \"outputs\": [], \"source\": [\"x = 1\\n\"]}"
                .to_string()
        })
        .collect();
    dir.write(
        "many_cells.ipynb",
        format!("{{\"cells\": [{}], \"metadata\": {{}}}}", cells.join(",")),
    );
    let run = losslint(
        dir.path(),
        &["check", ".", "--isolated", "--format", "json"],
    );
    let codes = run.codes();
    // ok.py, unclosed.py (its parsable part) and blocks.py report their softmax; the seven
    // over-deep files are refused, the two broken notebooks and the Latin-1 file reported.
    assert_eq!(
        codes.iter().filter(|c| *c == "LL003").count(),
        3,
        "{codes:?}"
    );
    assert!(
        codes.iter().filter(|c| *c == "LL000").count() >= 11,
        "{codes:?}"
    );
    assert!(run.stdout.contains("nested too deeply"), "{}", run.stdout);
    assert!(
        run.stdout.contains("not a Jupyter notebook"),
        "{}",
        run.stdout
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
}

#[test]
fn a_one_megabyte_line_is_linted_and_printed_in_part() {
    let dir = TempDir::new("long-line");
    let mut body = String::new();
    for i in 0..4000 {
        write!(
            body,
            "fn f{i}(x: &Tensor, y: &Tensor) -> Result<Tensor> {{ let p = ops::softmax(x, 1)?; \
             loss::cross_entropy(&p, y) }} "
        )
        .unwrap();
    }
    let text = format!("use candle_nn::{{loss, ops}}; {body}");
    assert!(text.len() > 400_000 && !text.contains('\n'));
    dir.write("minified.rs", &text);
    let run = losslint(dir.path(), &["check", "minified.rs", "--isolated"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.contains("Found 4000 findings"),
        "{}",
        &run.stdout[..2000]
    );
    // Each frame shows the part of the line around its finding, not the whole line.
    assert!(run.stdout.len() < 4000 * 2000, "{} bytes", run.stdout.len());
    assert!(
        run.stdout.contains("--> minified.rs:1:"),
        "{}",
        &run.stdout[..2000]
    );
}

#[cfg(unix)]
#[test]
fn fifos_devices_and_symlink_loops_never_block() {
    let dir = TempDir::new("special");
    dir.write("src/ok.rs", FLAGGED);
    let fifo = dir.path().join("src/pipe.rs");
    let made = Command::new("mkfifo").arg(&fifo).status();
    std::os::unix::fs::symlink(dir.path().join("src/loop_b"), dir.path().join("src/loop_a"))
        .unwrap();
    std::os::unix::fs::symlink(dir.path().join("src/loop_a"), dir.path().join("src/loop_b"))
        .unwrap();
    // In the tree: skipped without a read.
    let run = losslint(
        dir.path(),
        &["check", "src", "--isolated", "--format", "json"],
    );
    assert_eq!(run.codes(), ["LL003"], "{}", run.stderr);
    // Named on the command line, as a source or as the configuration: said what they are.
    if made.is_ok_and(|s| s.success()) {
        let run = losslint(dir.path(), &["check", "src/pipe.rs", "--isolated"]);
        assert!(run.stderr.contains("FIFO"), "{}", run.stderr);
        assert!(!run.says_success(), "{}", run.stdout);
        let run = losslint(dir.path(), &["check", "src", "--config", "src/pipe.rs"]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr.contains("not a configuration file"),
            "{}",
            run.stderr
        );
    }
    let run = losslint(dir.path(), &["check", "/dev/zero", "--isolated"]);
    assert!(run.stderr.contains("character device"), "{}", run.stderr);
    assert!(!run.says_success(), "{}", run.stdout);
    // A label path that is a device or a FIFO is an error, not a hang.
    let run = losslint(
        dir.path(),
        &["check", "src/ok.rs", "--isolated", "--labels", "/dev/zero"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("not a label file"), "{}", run.stderr);
    assert!(!run.says_success(), "{}", run.stdout);
}

#[test]
fn label_paths_stay_in_the_project_and_are_never_echoed() {
    let outside = TempDir::new("secrets");
    let secret = outside.write("secrets.txt", "hunter2-line-one\nhunter2-line-two\n");
    let project = TempDir::new("project");
    project.write(
        "losslint.toml",
        format!("[labels]\npath = \"{}\"\n", secret.display()),
    );
    project.write("src/step.rs", FLAGGED);
    let run = losslint(project.path(), &["check", "."]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("outside the project root"),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains("hunter2") && !run.stderr.contains("hunter2"));
    assert!(!run.says_success(), "{}", run.stdout);
    // Allowed explicitly, it is read.
    let run = losslint(project.path(), &["check", ".", "--allow-labels-outside"]);
    assert_ne!(run.code, 2, "{}", run.stderr);
    // A directive leaving the project is refused the same way.
    let project = TempDir::new("directive");
    project.write(
        "src/step.rs",
        format!(
            "use candle_nn::loss;\nfn f(a: &T, b: &T) {{\n    // losslint: labels = \"{}\"\n    loss::cross_entropy(a, b);\n}}\n",
            secret.display()
        ),
    );
    let run = losslint(project.path(), &["check", "src", "--isolated"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!run.stdout.contains("hunter2") && !run.stderr.contains("hunter2"));
}

#[test]
fn malformed_label_files_are_errors_that_name_the_file() {
    let dir = TempDir::new("malformed");
    dir.write("src/step.rs", FLAGGED);
    let long = vec![b'x'; 2 << 20];
    let cases: [(&str, &[u8]); 6] = [
        ("ragged.csv", b"path,label\na.png,cat\nb.png\n"),
        ("floats.npy", b"\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }                                                          \n\x00\x00\x80?\x00\x00\x00@"),
        ("negative.json", b"{\"counts\": {\"cat\": -4, \"dog\": 10}}"),
        ("fraction.json", b"{\"counts\": {\"cat\": 2.5, \"dog\": 10}}"),
        ("nan.csv", b"label\n0\nnan\n1\n"),
        ("long.txt", &long),
    ];
    for (name, content) in cases {
        dir.write(name, content);
        let run = losslint(
            dir.path(),
            &["check", "src", "--isolated", "--labels", name],
        );
        assert_eq!(run.code, 2, "{name}: {}\n{}", run.stdout, run.stderr);
        assert!(run.stderr.contains(name), "{name}: {}", run.stderr);
        assert!(!run.says_success(), "{name}: {}", run.stdout);
        assert!(
            run.stderr.len() < 2000,
            "{name}: {} bytes of errors",
            run.stderr.len()
        );
    }
}

#[test]
fn fix_keeps_bom_and_crlf_and_is_idempotent() {
    let dir = TempDir::new("fix-bytes");
    let text = format!("\u{feff}{}", FIXABLE.replace('\n', "\r\n"));
    let path = dir.write("criterion.rs", &text);
    let run = losslint(
        dir.path(),
        &["check", "criterion.rs", "--isolated", "--fix"],
    );
    assert!(run.stdout.contains("Fixed 1 finding"), "{}", run.stdout);
    let fixed = std::fs::read_to_string(&path).unwrap();
    assert!(fixed.starts_with('\u{feff}'));
    assert!(
        fixed.contains(".reduction(Mean)") || fixed.contains("reduction("),
        "{fixed}"
    );
    assert_eq!(
        fixed.matches('\n').count(),
        fixed.matches("\r\n").count(),
        "{fixed:?}"
    );
    assert!(fixed.ends_with("\r\n"));
    let again = losslint(
        dir.path(),
        &["check", "criterion.rs", "--isolated", "--fix"],
    );
    assert!(!again.stdout.contains("Fixed"), "{}", again.stdout);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), fixed);
}

#[test]
fn two_fix_runs_at_once_leave_a_whole_file() {
    let dir = TempDir::new("fix-race");
    let files: Vec<PathBuf> = (0..20)
        .map(|i| dir.write(&format!("c{i}.rs"), FIXABLE))
        .collect();
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_losslint"))
            .args(["check", ".", "--isolated", "--fix", "--exit-zero"])
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let (mut a, mut b) = (spawn(), spawn());
    assert!(a.wait().unwrap().code().is_some());
    assert!(b.wait().unwrap().code().is_some());
    let alone = {
        let solo = TempDir::new("fix-solo");
        let path = solo.write("c.rs", FIXABLE);
        losslint(solo.path(), &["check", ".", "--isolated", "--fix"]);
        std::fs::read_to_string(path).unwrap()
    };
    for file in files {
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            alone,
            "{}",
            file.display()
        );
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".losslint-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// `--fix` on a full disk: a small tmpfs where the machine lets the test mount one (root in
/// CI); elsewhere the case is skipped with a note.
#[cfg(target_os = "linux")]
#[test]
fn fix_on_a_full_disk_leaves_the_file_and_says_so() {
    let mount = TempDir::new("full-disk");
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=16k", "tmpfs"])
        .arg(mount.path())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: cannot mount a tmpfs here (needs root)");
        return;
    }
    let unmount = || {
        let _ = Command::new("umount").arg(mount.path()).status();
    };
    let result = std::panic::catch_unwind(|| {
        // The file fits; its fixed copy does not fit beside it.
        let padding = " ".repeat(7000);
        let original = format!("{FIXABLE}// {padding}\n");
        let path = mount.path().join("criterion.rs");
        std::fs::write(&path, &original).unwrap();
        let filler = mount.path().join("filler");
        let _ = std::fs::write(&filler, vec![b'x'; 8 << 10]);
        let run = losslint(
            mount.path(),
            &["check", "criterion.rs", "--isolated", "--fix"],
        );
        assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
        assert!(run.stderr.contains("criterion.rs"), "{}", run.stderr);
        assert!(run.stderr.contains("not written"), "{}", run.stderr);
        assert!(!run.says_success(), "{}", run.stdout);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), original);
        let leftovers = std::fs::read_dir(mount.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .contains(".losslint-")
            })
            .count();
        assert_eq!(leftovers, 0);
    });
    unmount();
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}
