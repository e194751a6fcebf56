//! The module-level names a Python file imports, and the dotted paths they stand for:
//! `import torch.nn as nn` (`nn` → `torch.nn`), `import torch` (`torch`), `from torch import
//! nn`, `from torch.nn import CrossEntropyLoss as CE`. A relative import (`from .losses import
//! FocalLoss`) is the project's own module: known as an import, its contents unknown. A name
//! the module also binds otherwise (`F = ...`, `def F`, `class F`) is not the import.

use std::collections::HashMap;

use super::ir::Stmt;
use super::program::{bound_names, walk_blocks};
use crate::frontend::apis::pytorch;

/// A file's module-level imports.
#[derive(Debug, Default)]
pub(crate) struct Imports {
    /// Local name → dotted path (`None`: a relative import).
    names: HashMap<String, Option<String>>,
    /// Modules imported with `from module import *`.
    stars: Vec<String>,
}

impl Imports {
    /// Collects the imports of a module's statements (not inside functions or classes).
    pub(crate) fn collect(stmts: &[Stmt]) -> Self {
        let mut names = HashMap::new();
        let mut stars = Vec::new();
        let mut rebound: Vec<String> = Vec::new();
        walk_blocks(stmts, &mut |stmt| {
            if let Stmt::Import(imports) = stmt {
                for import in imports {
                    match import.path.as_deref().and_then(|p| p.strip_suffix(".*")) {
                        Some(module) if import.local == "*" => stars.push(module.to_string()),
                        _ => {
                            names.insert(import.local.clone(), import.path.clone());
                        }
                    }
                }
            } else {
                bound_names(stmt, &mut rebound);
            }
        });
        for name in rebound {
            names.remove(&name);
        }
        Imports { names, stars }
    }

    /// The dotted path `name` is imported as (`None` when it is not imported, or imported
    /// relatively).
    pub(crate) fn path(&self, name: &str) -> Option<String> {
        if let Some(path) = self.names.get(name) {
            return path.clone();
        }
        // `from torch.nn import *`: the names of the tables under that module.
        self.stars.iter().find_map(|module| {
            let path = pytorch::canonical(&format!("{module}.{name}"));
            pytorch::is_known(&path).then_some(path)
        })
    }

    /// Whether the file imports anything from these top-level packages.
    pub(crate) fn uses(&self, packages: &[&str]) -> bool {
        self.names.values().flatten().any(|path| {
            let root = path.split('.').next().unwrap_or(path);
            packages.contains(&root)
        })
    }
}
