//! `--format gitlab`: a GitLab Code Quality report (a JSON array of issues), which GitLab shows
//! in merge requests when a job uploads it as `artifacts: reports: codequality`.
//!
//! Each issue's `fingerprint` identifies it across commits: a hash of the rule, the path, the
//! message and how many identical findings came before it in the file, but not of the line, so
//! that an unchanged finding keeps its fingerprint when code above it moves.

use std::collections::HashMap;
use std::io::{self, Write};

use serde_json::{Value, json};

use crate::engine::Report;
use crate::rules::Level;

pub(super) fn report(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    let mut seen: HashMap<(&str, &str, &str), u64> = HashMap::new();
    let issues: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let d = &f.diagnostic;
            let occurrence = seen
                .entry((d.code, f.path.as_str(), d.message.as_str()))
                .or_insert(0);
            let fingerprint = fingerprint(&[
                d.code,
                &f.path,
                &f.cell.map(|c| c.to_string()).unwrap_or_default(),
                &d.message,
                &occurrence.to_string(),
            ]);
            *occurrence += 1;
            let description = super::message_with_help(f, " | help: ");
            json!({
                "type": "issue",
                "check_name": d.code,
                "description": format!("{} {}: {description}", d.code, d.name),
                "categories": ["Bug Risk"],
                "severity": match f.level {
                    Level::Deny => "major",
                    _ => "minor",
                },
                "fingerprint": fingerprint,
                "location": {
                    "path": path(&f.path),
                    "positions": {
                        "begin": { "line": d.span.start.line, "column": d.span.start.column },
                        "end": { "line": d.span.end.line, "column": d.span.end.column },
                    },
                },
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)?;
    out.flush()
}

/// The path as GitLab matches it against the repository: forward slashes, no leading `./`.
fn path(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut rest = path.as_str();
    while let Some(stripped) = rest.strip_prefix("./") {
        rest = stripped;
    }
    rest.to_string()
}

/// 64-bit FNV-1a over the parts (each followed by a 0 byte, so `("ab", "c")` and `("a", "bc")`
/// differ), as 16 hex digits: stable across runs, platforms and Rust releases, unlike std's
/// `DefaultHasher`.
fn fingerprint(parts: &[&str]) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET;
    for part in parts {
        for &byte in part.as_bytes().iter().chain(&[0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_fnv1a_and_separate_their_parts() {
        // No parts: FNV-1a's offset basis.
        assert_eq!(fingerprint(&[]), "cbf29ce484222325");
        assert_ne!(fingerprint(&["ab", "c"]), fingerprint(&["a", "bc"]));
        assert_eq!(
            fingerprint(&["LL003", "x.py"]),
            fingerprint(&["LL003", "x.py"])
        );
    }

    #[test]
    fn paths_are_repository_relative_with_forward_slashes() {
        assert_eq!(path("./src/train.py"), "src/train.py");
        assert_eq!(path(r"src\models\net.py"), "src/models/net.py");
        assert_eq!(path("train.py"), "train.py");
    }
}
