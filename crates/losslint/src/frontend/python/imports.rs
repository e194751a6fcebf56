//! The module-level names a Python file imports, and the dotted paths they stand for:
//! `import torch.nn as nn` (`nn` → `torch.nn`), `import torch` (`torch`), `from torch import
//! nn`, `from torch.nn import CrossEntropyLoss as CE`. A relative import (`from .losses import
//! FocalLoss`) is the project's own module: known as an import, its contents unknown. A name
//! the module also binds otherwise (`F = ...`, `def F`, `class F`) is not the import.

use std::collections::{HashMap, HashSet};

use super::ir::Stmt;
use super::program::{target_names, walk_blocks};

/// A file's module-level imports.
#[derive(Debug, Default)]
pub(crate) struct Imports {
    /// Local name → dotted path (`None`: a relative import).
    names: HashMap<String, Option<String>>,
}

impl Imports {
    /// Collects the imports of a module's statements (not inside functions or classes).
    pub(crate) fn collect(stmts: &[Stmt]) -> Self {
        let mut names = HashMap::new();
        let mut rebound: HashSet<String> = HashSet::new();
        walk_blocks(stmts, &mut |stmt| match stmt {
            Stmt::Import(imports) => {
                for import in imports {
                    names.insert(import.local.clone(), import.path.clone());
                }
            }
            Stmt::Assign { targets, .. } => {
                let mut bound = Vec::new();
                for target in targets {
                    target_names(target, &mut bound);
                }
                rebound.extend(bound);
            }
            Stmt::Function(def) => {
                rebound.insert(def.name.clone());
            }
            Stmt::Class(class) => {
                rebound.insert(class.name.clone());
            }
            _ => {}
        });
        for name in rebound {
            names.remove(&name);
        }
        Imports { names }
    }

    /// The dotted path `name` is imported as (`None` when it is not imported, or imported
    /// relatively).
    pub(crate) fn path(&self, name: &str) -> Option<&str> {
        self.names.get(name)?.as_deref()
    }

    /// Whether the file imports anything from these top-level packages.
    pub(crate) fn uses(&self, packages: &[&str]) -> bool {
        self.names.values().flatten().any(|path| {
            let root = path.split('.').next().unwrap_or(path);
            packages.contains(&root)
        })
    }
}
