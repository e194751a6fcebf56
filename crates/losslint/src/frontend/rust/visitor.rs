//! Walks a file's items: every function body (free functions, `impl` and trait methods,
//! functions nested in bodies, `const`/`static` initialisers) is analysed on its own, with
//! `self.field` typed through the `impl`'s struct; structs deriving a framework's derive give
//! their head sites.

use std::collections::HashMap;

use syn::visit::Visit;

use super::dataflow::{FileContext, FnAnalysis, Value};
use super::derive;
use super::program::type_name;
use crate::facts::{Accumulation, LossSite, Origin, Span};
use crate::frontend::apis;

/// Every loss site and loss accumulation of a parsed file.
pub(crate) fn file_sites(
    file: &syn::File,
    cx: &FileContext<'_>,
) -> (Vec<LossSite>, Vec<Accumulation>) {
    let program = cx.flow.program();
    let indexes = (0..program.len())
        .filter_map(|index| Some((std::ptr::from_ref(program.body(index)?.block), index)))
        .collect();
    let mut walker = Walker {
        cx,
        indexes,
        sites: Vec::new(),
        accumulations: Vec::new(),
        parameters: Vec::new(),
    };
    walker.items(&file.items);
    // Every body is analysed now, so every call of each is recorded: a loss argument that
    // is a parameter takes the origin all of the file's callers agree on.
    let mut passed: HashMap<Span, Origin> = HashMap::new();
    for (body, span, param) in walker.parameters {
        if let Value::Tensor(origin) = cx.flow.calls(body, param) {
            passed.insert(span, origin);
        }
    }
    if !passed.is_empty() {
        for argument in walker
            .sites
            .iter_mut()
            .flat_map(|site| site.arguments.iter_mut())
            .filter(|argument| argument.origin == Origin::Unknown)
        {
            if let Some(origin) = passed.get(&argument.span) {
                argument.origin = origin.clone();
            }
        }
    }
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
    /// The program's index of each body, by address.
    indexes: HashMap<*const syn::Block, usize>,
    /// Loss arguments that are parameters: the body, the argument's span, the parameter.
    parameters: Vec<(usize, Span, usize)>,
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
                let owner = type_name(&block.self_ty);
                for impl_item in &block.items {
                    match impl_item {
                        syn::ImplItem::Fn(method) => {
                            self.function(&method.sig, &method.block, owner.clone());
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

    /// A function body: the engine's analysis of it when the program has it (made on demand
    /// for another body's summary, or now), else (a function nested in a body) one here.
    fn function(&mut self, sig: &syn::Signature, body: &syn::Block, owner: Option<String>) {
        if let Some(&index) = self.indexes.get(&std::ptr::from_ref(body)) {
            if let Some(found) = self.cx.flow.take_found(index, self.cx) {
                self.sites.extend(found.sites);
                self.accumulations.extend(found.accumulations);
                self.parameters.extend(
                    found
                        .parameters
                        .into_iter()
                        .map(|(span, param)| (index, span, param)),
                );
                self.items(&found.nested);
            }
            return;
        }
        let fields = owner
            .as_ref()
            .and_then(|name| self.cx.structs.get(name))
            .and_then(Option::as_ref);
        let mut analysis = FnAnalysis::new(self.cx, fields);
        analysis.self_type = owner;
        analysis.function(sig, body);
        self.collect(analysis);
    }

    fn expression(&mut self, expr: &syn::Expr) {
        let mut analysis = FnAnalysis::new(self.cx, None);
        analysis.expression(expr);
        self.collect(analysis);
    }

    fn collect(&mut self, analysis: FnAnalysis<'_, '_>) {
        let found = analysis.finish();
        self.sites.extend(found.sites);
        self.accumulations.extend(found.accumulations);
        self.items(&found.nested);
    }
}
