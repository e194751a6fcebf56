//! Lowers a parsed Rust file into the value-flow engine's [`Program`](crate::flow::Program):
//! one entry per function and method body (with its owner type), the file's struct names,
//! and which bodies write which struct fields. The engine then analyses each body once, on
//! demand, and hands summaries (what a function returns, what a field holds) to the call
//! sites and field reads of the others.

use std::collections::{HashMap, HashSet};

use syn::visit::Visit;

use crate::flow::{FieldKey, FnKey, Program};

/// A function body of the file, with what its analysis needs.
#[derive(Clone, Debug)]
pub(crate) struct Body<'a> {
    pub(crate) sig: &'a syn::Signature,
    pub(crate) block: &'a syn::Block,
    /// The `impl`'s type, for `self` and `Self`.
    pub(crate) owner: Option<String>,
}

/// Builds the program of a file: every free function (modules included), every method of an
/// inherent or trait `impl`, and every trait method with a default body.
pub(crate) fn lower<'a>(file: &'a syn::File, structs: &HashSet<String>) -> Program<Body<'a>> {
    let mut bodies = Vec::new();
    items(&file.items, &mut bodies);
    let mut program = Program::default();
    for body in bodies {
        let key = FnKey {
            owner: body.owner.clone(),
            name: body.sig.ident.to_string(),
        };
        let writes = field_writes(&body, structs);
        program.add(key, writes, body);
    }
    program
}

type Found<'a> = Vec<Body<'a>>;

fn items<'a>(items_: &'a [syn::Item], out: &mut Found<'a>) {
    for item in items_ {
        match item {
            syn::Item::Fn(function) => out.push(Body {
                sig: &function.sig,
                block: &function.block,
                owner: None,
            }),
            syn::Item::Impl(block) => {
                let owner = type_name(&block.self_ty);
                for impl_item in &block.items {
                    if let syn::ImplItem::Fn(method) = impl_item {
                        out.push(Body {
                            sig: &method.sig,
                            block: &method.block,
                            owner: owner.clone(),
                        });
                    }
                }
            }
            syn::Item::Trait(definition) => {
                for trait_item in &definition.items {
                    if let syn::TraitItem::Fn(method) = trait_item
                        && let Some(block) = &method.default
                    {
                        // A default body's `self` is any implementor: no owner.
                        out.push(Body {
                            sig: &method.sig,
                            block,
                            owner: None,
                        });
                    }
                }
            }
            syn::Item::Mod(module) => {
                if let Some((_, inner)) = &module.content {
                    items(inner, out);
                }
            }
            _ => {}
        }
    }
}

/// `Model` of `Model<B>`, `&Model`.
pub(crate) fn type_name(ty: &syn::Type) -> Option<String> {
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

/// The struct fields a body writes: `T { f: .. }` / `Self { f: .. }` literals of the file's
/// structs, and `self.f = ..` assignments in a method of `T`.
fn field_writes(body: &Body<'_>, structs: &HashSet<String>) -> Vec<FieldKey> {
    struct Writes<'s> {
        owner: Option<&'s str>,
        structs: &'s HashSet<String>,
        found: HashSet<FieldKey>,
    }
    impl<'ast> Visit<'ast> for Writes<'_> {
        fn visit_expr_struct(&mut self, expr: &'ast syn::ExprStruct) {
            let name = expr.path.segments.last().map(|s| s.ident.to_string());
            let ty = match name.as_deref() {
                Some("Self") => self.owner.map(str::to_string),
                Some(name) if self.structs.contains(name) => Some(name.to_string()),
                _ => None,
            };
            if let Some(ty) = ty {
                for field in &expr.fields {
                    if let syn::Member::Named(member) = &field.member {
                        self.found.insert(FieldKey {
                            ty: ty.clone(),
                            field: member.to_string(),
                        });
                    }
                }
            }
            syn::visit::visit_expr_struct(self, expr);
        }

        fn visit_expr_assign(&mut self, expr: &'ast syn::ExprAssign) {
            if let (Some(owner), syn::Expr::Field(field)) = (self.owner, &*expr.left)
                && let syn::Expr::Path(base) = &*field.base
                && base.path.is_ident("self")
                && let syn::Member::Named(member) = &field.member
            {
                self.found.insert(FieldKey {
                    ty: owner.to_string(),
                    field: member.to_string(),
                });
            }
            syn::visit::visit_expr_assign(self, expr);
        }

        // Items nested in the body are analysed on their own.
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut writes = Writes {
        owner: body.owner.as_deref(),
        structs,
        found: HashSet::new(),
    };
    writes.visit_block(body.block);
    let mut found: Vec<FieldKey> = writes.found.into_iter().collect();
    found.sort();
    found
}

/// The file's struct names that are defined once (a name defined twice is left out: which
/// one a path means cannot be seen).
pub(crate) fn struct_names(
    structs: &HashMap<String, Option<HashMap<String, syn::Type>>>,
) -> HashSet<String> {
    structs
        .iter()
        .filter(|(_, fields)| fields.is_some())
        .map(|(name, _)| name.clone())
        .collect()
}
