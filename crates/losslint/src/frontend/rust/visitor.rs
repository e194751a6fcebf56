//! Walks a file's items: every function body (free functions, `impl` and trait methods,
//! functions nested in bodies, `const`/`static` initialisers) is analysed on its own, with
//! `self.field` typed through the `impl`'s struct; structs deriving a framework's derive give
//! their head sites.

use std::collections::HashMap;

use syn::visit::Visit;

use super::dataflow::{FileContext, FnAnalysis};
use super::derive;
use crate::facts::{Accumulation, LossSite};
use crate::frontend::apis;

/// Every loss site and loss accumulation of a parsed file.
pub(crate) fn file_sites(
    file: &syn::File,
    cx: &FileContext<'_>,
) -> (Vec<LossSite>, Vec<Accumulation>) {
    let mut walker = Walker {
        cx,
        sites: Vec::new(),
        accumulations: Vec::new(),
    };
    walker.items(&file.items);
    (walker.sites, walker.accumulations)
}

/// The field types of every named-field struct of the file, by struct name; a name defined
/// twice (in different modules) maps to `None`.
pub(crate) fn struct_fields(
    file: &syn::File,
) -> HashMap<String, Option<HashMap<String, syn::Type>>> {
    #[derive(Default)]
    struct Structs(HashMap<String, Option<HashMap<String, syn::Type>>>);
    impl<'ast> Visit<'ast> for Structs {
        fn visit_item_struct(&mut self, item: &'ast syn::ItemStruct) {
            let fields: HashMap<String, syn::Type> = item
                .fields
                .iter()
                .filter_map(|field| Some((field.ident.as_ref()?.to_string(), field.ty.clone())))
                .collect();
            let name = item.ident.to_string();
            match self.0.entry(name) {
                std::collections::hash_map::Entry::Occupied(mut e) => {
                    e.insert(None);
                }
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(Some(fields));
                }
            }
            syn::visit::visit_item_struct(self, item);
        }
    }
    let mut structs = Structs::default();
    structs.visit_file(file);
    structs.0
}

struct Walker<'c, 'a> {
    cx: &'c FileContext<'a>,
    sites: Vec<LossSite>,
    accumulations: Vec<Accumulation>,
}

impl Walker<'_, '_> {
    fn items(&mut self, items: &[syn::Item]) {
        for item in items {
            self.item(item);
        }
    }

    fn item(&mut self, item: &syn::Item) {
        match item {
            syn::Item::Fn(function) => self.function(&function.sig, &function.block, None),
            syn::Item::Impl(block) => {
                let fields = type_name(&block.self_ty)
                    .and_then(|name| self.cx.structs.get(&name))
                    .and_then(Option::as_ref);
                for impl_item in &block.items {
                    match impl_item {
                        syn::ImplItem::Fn(method) => {
                            self.function(&method.sig, &method.block, fields);
                        }
                        syn::ImplItem::Const(constant) => self.expression(&constant.expr),
                        _ => {}
                    }
                }
            }
            syn::Item::Trait(definition) => {
                for trait_item in &definition.items {
                    match trait_item {
                        syn::TraitItem::Fn(method) => {
                            if let Some(body) = &method.default {
                                self.function(&method.sig, body, None);
                            }
                        }
                        syn::TraitItem::Const(constant) => {
                            if let Some((_, expr)) = &constant.default {
                                self.expression(expr);
                            }
                        }
                        _ => {}
                    }
                }
            }
            syn::Item::Mod(module) => {
                if let Some((_, items)) = &module.content {
                    self.items(items);
                }
            }
            syn::Item::Struct(definition) => {
                for table in apis::all() {
                    if let Some(derive_table) = table.derive {
                        self.sites.extend(derive::heads(
                            definition,
                            self.cx,
                            table.framework,
                            derive_table,
                        ));
                    }
                }
            }
            syn::Item::Const(constant) => self.expression(&constant.expr),
            syn::Item::Static(definition) => self.expression(&definition.expr),
            _ => {}
        }
    }

    fn function(
        &mut self,
        sig: &syn::Signature,
        body: &syn::Block,
        fields: Option<&HashMap<String, syn::Type>>,
    ) {
        let mut analysis = FnAnalysis::new(self.cx, fields);
        analysis.function(sig.inputs.iter(), body);
        self.collect(analysis);
    }

    fn expression(&mut self, expr: &syn::Expr) {
        let mut analysis = FnAnalysis::new(self.cx, None);
        analysis.expression(expr);
        self.collect(analysis);
    }

    fn collect(&mut self, analysis: FnAnalysis<'_, '_>) {
        let (sites, accumulations, nested) = analysis.finish();
        self.sites.extend(sites);
        self.accumulations.extend(accumulations);
        self.items(&nested);
    }
}

/// `Model` of `Model<B>` / `&Model`.
fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(path) if path.qself.is_none() => path
            .path
            .segments
            .last()
            .map(|segment| segment.ident.to_string()),
        syn::Type::Reference(reference) => type_name(&reference.elem),
        syn::Type::Paren(paren) => type_name(&paren.elem),
        syn::Type::Group(group) => type_name(&group.elem),
        _ => None,
    }
}
