//! Resolves the paths a file writes (`Ce::new`, `loss::cross_entropy`, `MseLoss`) to canonical
//! framework paths through its `use` items: renames (`use x as y`), groups, `self`, glob
//! imports and `extern crate` renames.
//!
//! Scopes are approximated by the whole file: every `use` anywhere binds its names for the
//! whole file, and a name bound to two different paths is ambiguous and resolves to nothing.
//! A name the file defines itself (`fn cross_entropy`, `mod loss`) shadows glob imports and
//! crate names, so a user's own function never matches a table. Only paths that end up
//! under a framework's crate can match a table, so unresolvable means "not a framework API".

use std::collections::{HashMap, HashSet};

use syn::visit::Visit;

use crate::frontend::apis;

/// What a `use` binds a name to.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Binding {
    Path(Vec<String>),
    /// Bound to different paths in different places.
    Ambiguous,
}

/// The imports and local item names of one file.
#[derive(Debug)]
pub(crate) struct Imports {
    names: HashMap<String, Binding>,
    globs: Vec<Vec<String>>,
    local_items: HashSet<String>,
    crates_used: HashSet<String>,
    roots: Vec<&'static str>,
}

/// How deep chains of `use` renames are followed (guards against cycles).
const MAX_DEPTH: usize = 8;

impl Imports {
    /// Collects every `use`, `extern crate` and item name of a file.
    pub(crate) fn collect(file: &syn::File) -> Self {
        let mut collector = Collector {
            imports: Imports {
                names: HashMap::new(),
                globs: Vec::new(),
                local_items: HashSet::new(),
                crates_used: HashSet::new(),
                roots: apis::crate_roots(),
            },
        };
        collector.visit_file(file);
        collector.imports
    }

    /// Whether the file imports or names the crate `name` (`use tch::Tensor`, `tch::Kind`).
    pub(crate) fn uses_crate(&self, name: &str) -> bool {
        self.crates_used.contains(name)
    }

    /// The canonical path a written path names, if it can be seen (generic arguments ignored).
    pub(crate) fn resolve_path(&self, path: &syn::Path) -> Option<String> {
        let segments: Vec<String> = path
            .segments
            .iter()
            .map(|segment| segment.ident.to_string())
            .collect();
        self.resolve(&segments)
    }

    /// The canonical path of written segments.
    pub(crate) fn resolve(&self, segments: &[String]) -> Option<String> {
        self.resolve_at(segments, 0, true)
            .map(|resolved| apis::canonical(&resolved.join("::")))
    }

    /// `through_globs`: whether a name not bound explicitly may come from a glob import. A glob's
    /// own path is resolved without globs: following globs from globs made resolution
    /// exponential in the number of globs (a file with many `use ...::*` took seconds).
    fn resolve_at(
        &self,
        segments: &[String],
        depth: usize,
        through_globs: bool,
    ) -> Option<Vec<String>> {
        let (first, rest) = segments.split_first()?;
        if depth > MAX_DEPTH || first == "Self" {
            return None;
        }
        // Scopes are the whole file: `crate::`, `self::` and `super::` name the same names.
        if matches!(first.as_str(), "crate" | "self" | "super") {
            return self.resolve_at(rest, depth + 1, through_globs);
        }
        if let Some(binding) = self.names.get(first) {
            let Binding::Path(bound) = binding else {
                return None;
            };
            let mut full = bound.clone();
            full.extend(rest.iter().cloned());
            let bound_first = bound.first()?;
            if bound_first == first && bound.len() == 1 {
                // `use tch;` binds the crate to itself.
                return Some(full);
            }
            return self.resolve_at(&full, depth + 1, through_globs);
        }
        if self.local_items.contains(first) {
            return None;
        }
        if self.roots.contains(&first.as_str()) {
            return Some(segments.to_vec());
        }
        if through_globs {
            self.resolve_through_globs(segments, depth)
        } else {
            None
        }
    }

    /// The one glob import under which `segments` names a table path or module.
    fn resolve_through_globs(&self, segments: &[String], depth: usize) -> Option<Vec<String>> {
        let mut found: Option<Vec<String>> = None;
        for glob in &self.globs {
            let Some(prefix) = self.resolve_at(glob, depth + 1, false) else {
                continue;
            };
            let mut candidate = prefix;
            candidate.extend(segments.iter().cloned());
            let canonical = apis::canonical(&candidate.join("::"));
            if !apis::is_known_or_module(&canonical) {
                continue;
            }
            match &found {
                Some(previous) if apis::canonical(&previous.join("::")) != canonical => {
                    return None;
                }
                _ => found = Some(candidate),
            }
        }
        found
    }

    fn bind(&mut self, name: String, path: Vec<String>) {
        if name == "_" {
            return;
        }
        match self.names.get(&name) {
            None => {
                self.names.insert(name, Binding::Path(path));
            }
            Some(Binding::Path(existing)) if *existing == path => {}
            Some(_) => {
                self.names.insert(name, Binding::Ambiguous);
            }
        }
    }
}

struct Collector {
    imports: Imports,
}

impl Collector {
    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                self.use_tree(prefix, &path.tree);
                prefix.pop();
            }
            syn::UseTree::Name(name) => {
                let ident = name.ident.to_string();
                if ident == "self" {
                    if let Some(last) = prefix.last() {
                        self.imports.bind(last.clone(), prefix.clone());
                    }
                } else {
                    let mut path = prefix.clone();
                    path.push(ident.clone());
                    self.imports.bind(ident, path);
                }
            }
            syn::UseTree::Rename(rename) => {
                let ident = rename.ident.to_string();
                let path = if ident == "self" {
                    prefix.clone()
                } else {
                    let mut path = prefix.clone();
                    path.push(ident);
                    path
                };
                if !path.is_empty() {
                    self.imports.bind(rename.rename.to_string(), path);
                }
            }
            syn::UseTree::Glob(_) => {
                if !prefix.is_empty() {
                    self.imports.globs.push(prefix.clone());
                }
            }
            syn::UseTree::Group(group) => {
                for item in &group.items {
                    self.use_tree(prefix, item);
                }
            }
        }
    }

    fn local_item(&mut self, ident: &syn::Ident) {
        self.imports.local_items.insert(ident.to_string());
    }
}

impl<'ast> Visit<'ast> for Collector {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        if let Some(root) = use_root(&item.tree) {
            self.imports.crates_used.insert(root);
        }
        self.use_tree(&mut Vec::new(), &item.tree);
    }

    fn visit_item_extern_crate(&mut self, item: &'ast syn::ItemExternCrate) {
        let name = item.ident.to_string();
        self.imports.crates_used.insert(name.clone());
        if let Some((_, rename)) = &item.rename {
            self.imports.bind(rename.to_string(), vec![name]);
        }
    }

    fn visit_item(&mut self, item: &'ast syn::Item) {
        match item {
            syn::Item::Fn(item) => self.local_item(&item.sig.ident),
            syn::Item::Struct(item) => self.local_item(&item.ident),
            syn::Item::Enum(item) => self.local_item(&item.ident),
            syn::Item::Union(item) => self.local_item(&item.ident),
            syn::Item::Mod(item) => self.local_item(&item.ident),
            syn::Item::Trait(item) => self.local_item(&item.ident),
            syn::Item::TraitAlias(item) => self.local_item(&item.ident),
            syn::Item::Type(item) => self.local_item(&item.ident),
            syn::Item::Const(item) => self.local_item(&item.ident),
            syn::Item::Static(item) => self.local_item(&item.ident),
            syn::Item::Macro(item) => {
                if let Some(ident) = &item.ident {
                    self.local_item(ident);
                }
            }
            _ => {}
        }
        syn::visit::visit_item(self, item);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        if path.segments.len() > 1
            && let Some(first) = path.segments.first()
        {
            self.imports.crates_used.insert(first.ident.to_string());
        }
        syn::visit::visit_path(self, path);
    }
}

/// The first segment of a `use` tree (`tch` of `use tch::{nn, Tensor}`).
fn use_root(tree: &syn::UseTree) -> Option<String> {
    match tree {
        syn::UseTree::Path(path) => Some(path.ident.to_string()),
        syn::UseTree::Name(name) => Some(name.ident.to_string()),
        syn::UseTree::Rename(rename) => Some(rename.ident.to_string()),
        syn::UseTree::Glob(_) => None,
        syn::UseTree::Group(group) => group.items.first().and_then(use_root),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(source: &str, path: &str) -> Option<String> {
        let file = syn::parse_file(source).expect("parses");
        let imports = Imports::collect(&file);
        let segments: Vec<String> = path.split("::").map(str::to_string).collect();
        imports.resolve(&segments)
    }

    #[test]
    fn renames_resolve_to_the_canonical_path() {
        let source = "use burn::nn::loss::CrossEntropyLossConfig as Ce;";
        assert_eq!(
            resolve(source, "Ce::new").as_deref(),
            Some("burn::nn::loss::CrossEntropyLossConfig::new")
        );
    }

    #[test]
    fn re_exporting_crates_are_canonicalised() {
        let source = "use burn_nn::loss::{MseLoss, Reduction};";
        assert_eq!(
            resolve(source, "MseLoss").as_deref(),
            Some("burn::nn::loss::MseLoss")
        );
        assert_eq!(
            resolve("", "burn_nn::loss::MseLoss::new").as_deref(),
            Some("burn::nn::loss::MseLoss::new")
        );
    }

    #[test]
    fn groups_and_self_bind_modules() {
        let source = "use candle_nn::{loss, ops::{self}};";
        assert_eq!(
            resolve(source, "loss::cross_entropy").as_deref(),
            Some("candle_nn::loss::cross_entropy")
        );
        assert_eq!(
            resolve(source, "ops::softmax").as_deref(),
            Some("candle_nn::ops::softmax")
        );
    }

    #[test]
    fn globs_resolve_only_known_names() {
        let source = "use candle_nn::loss::*; use std::collections::*;";
        assert_eq!(
            resolve(source, "nll").as_deref(),
            Some("candle_nn::loss::nll")
        );
        assert_eq!(resolve(source, "HashMap"), None);
        let source = "use burn::prelude::*;";
        assert_eq!(
            resolve(source, "nn::loss::MseLoss").as_deref(),
            Some("burn::nn::loss::MseLoss")
        );
    }

    #[test]
    fn local_items_shadow_globs() {
        let source = "use candle_nn::loss::*;\nfn cross_entropy() {}";
        assert_eq!(resolve(source, "cross_entropy"), None);
        assert_eq!(
            resolve(source, "candle_nn::loss::cross_entropy").as_deref(),
            Some("candle_nn::loss::cross_entropy")
        );
    }

    #[test]
    fn user_paths_and_conflicts_do_not_resolve() {
        assert_eq!(resolve("", "crate::loss::cross_entropy"), None);
        assert_eq!(resolve("mod loss {}", "super::loss::cross_entropy"), None);
        assert_eq!(
            resolve("use candle_nn::loss;", "super::loss::nll").as_deref(),
            Some("candle_nn::loss::nll")
        );
        assert_eq!(resolve("", "cross_entropy"), None);
        let source = "mod a { use candle_nn::loss::nll as f; }\nmod b { use crate::mine::f; }";
        assert_eq!(resolve(source, "f"), None);
    }

    #[test]
    fn chained_renames_and_cycles() {
        let source = "use candle_nn::loss; use loss::nll as n;";
        assert_eq!(
            resolve(source, "n").as_deref(),
            Some("candle_nn::loss::nll")
        );
        let source = "use a as b; use b as a;";
        assert_eq!(resolve(source, "a"), None);
    }

    #[test]
    fn crates_used() {
        let file =
            syn::parse_file("use tch::{nn, Tensor};\nfn f() { let k = candle_core::D::Minus1; }")
                .expect("parses");
        let imports = Imports::collect(&file);
        assert!(imports.uses_crate("tch"));
        assert!(imports.uses_crate("candle_core"));
        assert!(!imports.uses_crate("burn"));
    }
}
