//! The configuration loader on any file content.
//!
//! Input: the first byte picks the file name (`losslint.toml`, `.losslint.toml`,
//! `pyproject.toml`, `Cargo.toml`, by its value modulo 4); the rest is the file's content (any
//! bytes: the loader must reject what is not UTF-8 or not TOML).

use std::path::{Path, PathBuf};

use losslint::config::{self, Discovery};
use losslint::settings::{CliOverrides, FileSettings, Registry};

use crate::scratch;

const NAMES: [&str; 4] = [
    "losslint.toml",
    ".losslint.toml",
    "pyproject.toml",
    "Cargo.toml",
];

thread_local! {
    static REGISTRY: Registry = Registry::standard();
}

/// `config::load` on a file made from `data`, then, when it holds a configuration, the options
/// and settings of a few files under it, and discovery from its directory.
///
/// Checks: no panic; validated values are valid (a class count of at least 1, a finite ratio
/// of at least 1); discovery finds the same configuration `load` read, or the same error.
///
/// # Panics
/// When a check fails.
pub fn config_loader(data: &[u8]) {
    let Some((&first, content)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(first) % NAMES.len()];
    // One directory per name: discovery tries them all, and an earlier candidate left over
    // from another input must not be found first.
    let dir = scratch::dir(&format!("config-{}", usize::from(first) % NAMES.len()));
    let path = scratch::write(&dir, name, content);
    REGISTRY.with(|registry| check(registry, &dir, &path));
}

fn check(registry: &Registry, dir: &Path, path: &Path) {
    let loaded = config::load(path, registry);
    let found = Discovery::new(registry).closest(dir);
    match (&loaded, &found) {
        (Ok(Some(a)), Ok(Some(b))) => assert_eq!(
            std::path::absolute(&a.path).ok(),
            std::path::absolute(&b.path).ok()
        ),
        (Err(a), Err(b)) => assert_eq!(a.message, b.message),
        // Nothing here: discovery goes on above the scratch directory.
        (Ok(None), Ok(_) | Err(_)) => {}
        _ => panic!("load gives {loaded:?} but discovery {found:?}"),
    }
    let Ok(Some(config)) = loaded else {
        return;
    };
    let files: [PathBuf; 5] = [
        config.dir.join("src/main.rs"),
        config.dir.join("src/detector/head.rs"),
        config.dir.join("tests/a b/ü.rs"),
        PathBuf::from("elsewhere/x.rs"),
        PathBuf::from("/"),
    ];
    for file in &files {
        let options = config.options_for(file);
        for labels in std::iter::once(&options.labels) {
            assert!(labels.classes != Some(0), "classes = 0 accepted");
        }
        if let Some(ratio) = options.imbalance.max_ratio {
            assert!(
                ratio.is_finite() && ratio >= 1.0,
                "max_ratio {ratio} accepted"
            );
        }
        let settings = FileSettings::resolve(
            registry,
            Some(&config),
            file,
            &config.dir,
            &CliOverrides::default(),
        );
        assert!(settings.policy.max_ratio.is_finite() && settings.policy.max_ratio >= 1.0);
        let _ = format!("{settings:?}");
    }
}
