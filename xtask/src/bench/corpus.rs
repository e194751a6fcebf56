//! Writes the benchmark corpus: projects of realistic Rust files, some with losses, a few that
//! do not parse or are not UTF-8, plus the config and label files the losses are bound to.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result};

use super::rng::Rng;
use super::templates::{self, Framework};

/// Source files per generated project (each project has its own `Cargo.toml`).
const FILES_PER_PROJECT: usize = 100;
/// Folders under each project's `src/`.
const MODULES: [&str; 6] = ["train", "model", "data", "eval", "util", "metrics"];
/// Share of files that contain losses, in percent.
const LOSS_FILE_PERCENT: usize = 40;

/// What was written.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Stats {
    pub(crate) files: usize,
    pub(crate) lines: usize,
    pub(crate) bytes: usize,
    pub(crate) loss_files: usize,
    pub(crate) plain_files: usize,
    pub(crate) syntax_errors: usize,
    pub(crate) non_utf8: usize,
    pub(crate) empty: usize,
}

/// What one file is made to exercise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Special {
    None,
    SyntaxError,
    NonUtf8,
    Empty,
}

/// Replaces `dir` with a corpus of `files` `.rs` files generated from `seed`.
pub(crate) fn generate(dir: &Path, files: usize, seed: u64) -> Result<Stats> {
    if dir.exists() {
        fs::remove_dir_all(dir)
            .with_context(|| format!("cannot remove the old corpus {}", dir.display()))?;
    }
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut rng = Rng::new(seed);
    let specials = place_specials(files, &mut rng);
    write_shared_files(dir)?;

    let mut stats = Stats::default();
    for index in 0..files {
        let project = index / FILES_PER_PROJECT;
        let module = rng.pick(&MODULES);
        let project_dir = dir.join(format!("project_{project:02}"));
        if index % FILES_PER_PROJECT == 0 {
            write_project_files(&project_dir, project, &mut rng)?;
        }
        let path = project_dir
            .join("src")
            .join(module)
            .join(format!("{module}_{index:04}.rs"));
        let special = specials.get(index).copied().unwrap_or(Special::None);
        let (text, has_losses) = source_file(&mut rng);
        let bytes = match special {
            Special::None => text.into_bytes(),
            Special::SyntaxError => break_syntax(&text, &mut rng).into_bytes(),
            Special::NonUtf8 => break_encoding(&text, &mut rng),
            Special::Empty => Vec::new(),
        };
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        fs::write(&path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;

        stats.files += 1;
        stats.bytes += bytes.len();
        stats.lines += bytes.iter().fold(0, |n, &b| n + usize::from(b == b'\n'));
        match special {
            Special::SyntaxError => stats.syntax_errors += 1,
            Special::NonUtf8 => stats.non_utf8 += 1,
            Special::Empty => stats.empty += 1,
            Special::None if has_losses => stats.loss_files += 1,
            Special::None => stats.plain_files += 1,
        }
    }
    Ok(stats)
}

/// Which files are broken on purpose: one in 250 does not parse, one in 500 is not UTF-8, and
/// one is empty (at least one of each).
fn place_specials(files: usize, rng: &mut Rng) -> Vec<Special> {
    let mut specials = vec![Special::None; files];
    let mut place = |count: usize, kind: Special, rng: &mut Rng| {
        let mut placed = 0;
        let mut attempts = 0;
        while placed < count.min(files) && attempts < files * 4 {
            attempts += 1;
            let at = rng.below(files);
            if let Some(slot) = specials.get_mut(at)
                && *slot == Special::None
            {
                *slot = kind;
                placed += 1;
            }
        }
    };
    place((files / 250).max(1), Special::SyntaxError, rng);
    place((files / 500).max(1), Special::NonUtf8, rng);
    place(1, Special::Empty, rng);
    specials
}

/// One file: a header, plain items, and (for some files) one to three functions with losses.
fn source_file(rng: &mut Rng) -> (String, bool) {
    let has_losses = rng.chance(LOSS_FILE_PERCENT);
    let mut text;
    if has_losses {
        let framework = *Framework::ALL
            .get(rng.below(Framework::ALL.len()))
            .unwrap_or(&Framework::LossfitTyped);
        text = templates::loss_header(framework, rng);
        for _ in 0..rng.range(0, 2) {
            text.push_str(&templates::plain_item(rng));
        }
        for _ in 0..rng.range(1, 3) {
            text.push_str(&templates::loss_item(framework, rng));
        }
        for _ in 0..rng.range(0, 2) {
            text.push_str(&templates::plain_item(rng));
        }
    } else {
        text = templates::plain_header(rng);
        // Mostly small files, some long ones, as in real projects.
        let items = if rng.chance(10) {
            rng.range(6, 14)
        } else {
            rng.range(1, 4)
        };
        for _ in 0..items {
            text.push_str(&templates::plain_item(rng));
        }
    }
    (text, has_losses)
}

/// Makes a file unparsable in one of the ways real files are: cut off, an unclosed delimiter,
/// a statement at item level, an unterminated string, a stray brace.
fn break_syntax(text: &str, rng: &mut Rng) -> String {
    match rng.below(5) {
        0 => {
            // Cut in the middle (on a char boundary), as an interrupted write leaves it.
            let mut cut = text.len() / 2 + rng.below(text.len() / 4 + 1);
            while cut < text.len() && !text.is_char_boundary(cut) {
                cut += 1;
            }
            text.get(..cut).unwrap_or(text).to_string()
        }
        1 => text.replacen("{\n", "(\n", 1),
        2 => text.replacen("\n\n", "\n\nlet stray = compute(;\n\n", 1),
        3 => format!("{text}const NOTE: &str = \"unterminated;\n"),
        _ => format!("{text}}}\n"),
    }
}

/// Puts bytes that are not UTF-8 into a comment or a string literal (Latin-1 text, a UTF-16
/// byte-order mark, a lone continuation byte).
fn break_encoding(text: &str, rng: &mut Rng) -> Vec<u8> {
    let insert: &[u8] = match rng.below(3) {
        0 => b"// r\xE9sum\xE9 of the caf\xE9 data set (Latin-1)\n",
        1 => b"\xFF\xFE/\x00/\x00 utf-16 header\n",
        _ => b"const SEPARATOR: &str = \"\x80\";\n",
    };
    let mut bytes = text.as_bytes().to_vec();
    let at = text.find("\n\n").map_or(0, |i| i + 2);
    bytes.splice(at..at, insert.iter().copied());
    bytes
}

/// The corpus-wide config and the label counts it binds.
fn write_shared_files(dir: &Path) -> Result<()> {
    let config = "\
# Benchmark corpus (generated by `cargo xtask bench lint`): every loss is judged against these
# class counts (imbalance ratio 40).
[labels]
path = \"labels/class_counts.json\"
task = \"multiclass\"
classes = 10

[imbalance]
max_ratio = 3.0
weights = \"inverse_frequency\"
";
    let counts = "{\"counts\": {\"0\": 4000, \"1\": 3900, \"2\": 3650, \"3\": 100, \"4\": 3800, \
                  \"5\": 250, \"6\": 3700, \"7\": 3500, \"8\": 180, \"9\": 3600}}\n";
    fs::write(dir.join("losslint.toml"), config).context("cannot write losslint.toml")?;
    fs::create_dir_all(dir.join("labels")).context("cannot create labels/")?;
    fs::write(dir.join("labels/class_counts.json"), counts)
        .context("cannot write class_counts.json")?;
    Ok(())
}

/// A project's `Cargo.toml` and the label files its derive heads and inline directives name.
fn write_project_files(project_dir: &Path, project: usize, rng: &mut Rng) -> Result<()> {
    fs::create_dir_all(project_dir.join("src/data"))?;
    fs::create_dir_all(project_dir.join("data"))?;
    let manifest = format!(
        "[package]\nname = \"bench-project-{project:02}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\nlossfit = \"0.1\"\nndarray = \"0.17\"\n"
    );
    fs::write(project_dir.join("Cargo.toml"), manifest)?;
    let counts = format!(
        "{{\"counts\": {{\"0\": {}, \"1\": {}, \"2\": {}}}}}\n",
        rng.range(500, 900),
        rng.range(400, 800),
        rng.range(20, 700)
    );
    fs::write(project_dir.join("data/counts.json"), counts)?;
    // The binary labels of the burn BCE sites: 40% positive, not imbalanced.
    let binary: String = (0..1000)
        .map(|i| if i % 5 < 2 { "1\n" } else { "0\n" })
        .collect();
    fs::write(project_dir.join("src/data/binary.txt"), binary)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_corpus_and_specials_present() {
        let base =
            std::env::temp_dir().join(format!("losslint-corpus-test-{}", std::process::id()));
        let a = generate(&base.join("a"), 600, 5).unwrap();
        let b = generate(&base.join("b"), 600, 5).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.files, 600);
        assert_eq!(a.syntax_errors, 2);
        assert_eq!(a.non_utf8, 1);
        assert_eq!(a.empty, 1);
        assert_eq!(a.loss_files + a.plain_files + 4, 600);
        let file = "project_03/src";
        let list = |root: &Path| {
            let mut names: Vec<_> = fs::read_dir(root.join(file))
                .unwrap()
                .flat_map(|m| fs::read_dir(m.unwrap().path()).unwrap())
                .map(|f| f.unwrap().path().strip_prefix(root).unwrap().to_path_buf())
                .collect();
            names.sort();
            names
        };
        let names = list(&base.join("a"));
        assert_eq!(names, list(&base.join("b")));
        for name in names
            .iter()
            .filter(|n| n.extension().is_some_and(|e| e == "rs"))
        {
            assert_eq!(
                fs::read(base.join("a").join(name)).unwrap(),
                fs::read(base.join("b").join(name)).unwrap()
            );
        }
        fs::remove_dir_all(&base).unwrap();
    }
}
