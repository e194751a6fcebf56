//! A Python module lowered for the value-flow engine (`crate::flow`): one body for the
//! module's own statements (notebook cells included), one per function, one per method keyed
//! by its class, and the fields each body writes: `self.x = ..` in a method writes the class's
//! field `x`, a module-level assignment writes the module's variable (read by the functions
//! that use the name without binding it).

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use super::ir::{ClassDef, Expr, FunctionDef, Module, Param, Stmt};
use crate::flow::{FieldKey, FnKey, Program};

/// The owner name of module variables in [`FieldKey`]s.
pub(crate) const MODULE: &str = "<module>";

/// One body to analyse.
#[derive(Debug)]
pub(crate) struct Body<'m> {
    /// Its index in the program (the engine's key for its calls).
    pub(crate) index: usize,
    /// The class of a method.
    pub(crate) class: Option<String>,
    /// The parameters, `self` left out for methods.
    pub(crate) params: &'m [Param],
    /// The name of a method's `self` parameter.
    pub(crate) self_name: Option<&'m str>,
    pub(crate) stmts: &'m [Stmt],
    /// The module's own statements (the module body) rather than a function's.
    pub(crate) is_module: bool,
    /// Names bound locally besides the parameters and assignments (`*args`, `**kwargs`).
    pub(crate) star_params: &'m [String],
    /// What the enclosing functions bind, for a function defined inside another: their
    /// locals hide imports and module variables here too, and their imports are seen.
    pub(crate) outer: Rc<Scope>,
}

/// The names enclosing function bodies bind.
#[derive(Debug, Default)]
pub(crate) struct Scope {
    pub(crate) locals: HashSet<String>,
    /// Imports made inside enclosing functions: local name → dotted path.
    pub(crate) imports: HashMap<String, Option<String>>,
}

/// What the frontend knows of the file's classes.
#[derive(Debug, Default)]
pub(crate) struct Classes {
    /// Each class's base classes that are defined in the file.
    pub(crate) bases: HashMap<String, Vec<String>>,
}

impl Classes {
    /// The class itself and its in-file bases, nearest first (cycles cut).
    pub(crate) fn lineage(&self, class: &str) -> Vec<String> {
        let mut out = vec![class.to_string()];
        let mut at = 0;
        while at < out.len() && out.len() < 16 {
            for base in self.bases.get(&out[at]).into_iter().flatten() {
                if !out.contains(base) {
                    out.push(base.clone());
                }
            }
            at += 1;
        }
        out
    }

    pub(crate) fn contains(&self, class: &str) -> bool {
        self.bases.contains_key(class)
    }
}

/// Lowers a module: its bodies and classes.
pub(crate) fn lower(module: &Module) -> (Program<Body<'_>>, Classes) {
    let mut program = Program::default();
    let mut classes = Classes::default();
    let mut names: HashSet<String> = HashSet::new();
    collect_classes(&module.body, &mut names);
    let module_writes = module_assignments(&module.body)
        .into_iter()
        .map(|field| FieldKey {
            ty: MODULE.to_string(),
            field,
        })
        .collect();
    program.add(
        FnKey {
            owner: None,
            name: MODULE.to_string(),
        },
        module_writes,
        Body {
            index: 0,
            class: None,
            params: &[],
            self_name: None,
            stmts: &module.body,
            is_module: true,
            star_params: &[],
            outer: Rc::default(),
        },
    );
    add_defs(
        &module.body,
        None,
        &Rc::default(),
        &names,
        &mut program,
        &mut classes,
    );
    (program, classes)
}

fn collect_classes(stmts: &[Stmt], names: &mut HashSet<String>) {
    for stmt in stmts {
        match stmt {
            Stmt::Class(class) => {
                names.insert(class.name.clone());
                collect_classes(&class.body, names);
            }
            Stmt::If { branches } => {
                for (_, body) in branches {
                    collect_classes(body, names);
                }
            }
            Stmt::Try { body, .. } => collect_classes(body, names),
            _ => {}
        }
    }
}

/// Adds the functions, classes and methods defined in `stmts`, in any block (`if`, `try`,
/// loops, `with`: scripts define things conditionally, training loops define closures).
fn add_defs<'m>(
    stmts: &'m [Stmt],
    class: Option<&str>,
    outer: &Rc<Scope>,
    class_names: &HashSet<String>,
    program: &mut Program<Body<'m>>,
    classes: &mut Classes,
) {
    for stmt in stmts {
        match stmt {
            Stmt::Function(def) => add_function(def, class, outer, class_names, program, classes),
            Stmt::Class(ClassDef {
                name, bases, body, ..
            }) => {
                let in_file = bases
                    .iter()
                    .filter_map(Expr::dotted)
                    .filter(|base| class_names.contains(base))
                    .collect();
                classes.bases.insert(name.clone(), in_file);
                // The class body's own statements (attributes, method defaults) are a body.
                let index = program.len();
                program.add(
                    FnKey {
                        owner: Some(name.clone()),
                        name: CLASS_BODY.to_string(),
                    },
                    Vec::new(),
                    Body {
                        index,
                        class: None,
                        params: &[],
                        self_name: None,
                        stmts: body,
                        is_module: false,
                        star_params: &[],
                        outer: outer.clone(),
                    },
                );
                add_defs(body, Some(name), outer, class_names, program, classes);
            }
            Stmt::If { branches } => {
                for (_, body) in branches {
                    add_defs(body, class, outer, class_names, program, classes);
                }
            }
            Stmt::Loop { body, orelse, .. } => {
                add_defs(body, class, outer, class_names, program, classes);
                add_defs(orelse, class, outer, class_names, program, classes);
            }
            Stmt::With { body, .. } => add_defs(body, class, outer, class_names, program, classes),
            Stmt::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                for block in std::iter::once(body)
                    .chain(handlers.iter())
                    .chain([orelse, finalbody])
                {
                    add_defs(block, class, outer, class_names, program, classes);
                }
            }
            Stmt::Other { stmts, .. } => {
                add_defs(stmts, class, outer, class_names, program, classes);
            }
            _ => {}
        }
    }
}

/// The name of a class body's own statements in the program.
pub(crate) const CLASS_BODY: &str = "<class>";

fn add_function<'m>(
    def: &'m FunctionDef,
    class: Option<&str>,
    outer: &Rc<Scope>,
    class_names: &HashSet<String>,
    program: &mut Program<Body<'m>>,
    classes: &mut Classes,
) {
    let is_static = def
        .decorators
        .iter()
        .any(|d| matches!(d.dotted().as_deref(), Some("staticmethod")));
    let is_method = class.is_some() && !is_static;
    let params = if is_method {
        def.params.get(1..).unwrap_or_default()
    } else {
        &def.params[..]
    };
    let self_name = is_method
        .then(|| def.params.first().map(|p| p.name.as_str()))
        .flatten();
    let writes = match (class, self_name) {
        (Some(class), Some(self_name)) => self_fields(&def.body, self_name)
            .into_iter()
            .map(|field| FieldKey {
                ty: class.to_string(),
                field,
            })
            .collect(),
        _ => Vec::new(),
    };
    let index = program.len();
    program.add(
        FnKey {
            owner: class.map(str::to_string),
            name: def.name.clone(),
        },
        writes,
        Body {
            index,
            class: if is_method {
                class.map(str::to_string)
            } else {
                None
            },
            params,
            self_name,
            stmts: &def.body,
            is_module: false,
            star_params: &def.star_params,
            outer: outer.clone(),
        },
    );
    // Functions defined inside this one are bodies of their own; they see what it binds.
    let mut inner = Scope {
        locals: outer.locals.clone(),
        imports: outer.imports.clone(),
    };
    for name in local_names(&def.params, &def.star_params, &def.body) {
        inner.imports.remove(&name);
        inner.locals.insert(name);
    }
    walk_blocks(&def.body, &mut |stmt| {
        if let Stmt::Import(imports) = stmt {
            for import in imports {
                inner.locals.remove(&import.local);
                inner
                    .imports
                    .insert(import.local.clone(), import.path.clone());
            }
        }
    });
    add_defs(
        &def.body,
        None,
        &Rc::new(inner),
        class_names,
        program,
        classes,
    );
}

/// The names a block of module statements assigns (not inside functions or classes).
fn module_assignments(stmts: &[Stmt]) -> Vec<String> {
    let mut out = Vec::new();
    walk_blocks(stmts, &mut |stmt| {
        if let Stmt::Assign { targets, .. } = stmt {
            for target in targets {
                target_names(target, &mut out);
            }
        }
    });
    out.sort();
    out.dedup();
    out
}

/// The fields `self.x = ..` assigns in a method body.
fn self_fields(stmts: &[Stmt], self_name: &str) -> Vec<String> {
    let mut out = Vec::new();
    walk_blocks(stmts, &mut |stmt| {
        if let Stmt::Assign { targets, .. } = stmt {
            for target in targets {
                self_targets(target, self_name, &mut out);
            }
        }
    });
    out.sort();
    out.dedup();
    out
}

fn self_targets(target: &Expr, self_name: &str, out: &mut Vec<String>) {
    match target {
        Expr::Attribute { value, attr, .. } if matches!(&**value, Expr::Name { id, .. } if id == self_name) =>
        {
            out.push(attr.clone());
        }
        Expr::Tuple { elts, .. } => {
            for elt in elts {
                self_targets(elt, self_name, out);
            }
        }
        Expr::Starred { value, .. } => self_targets(value, self_name, out),
        _ => {}
    }
}

/// The plain names an assignment target binds, as a list.
pub(crate) fn target_list(target: &Expr) -> Vec<String> {
    let mut out = Vec::new();
    target_names(target, &mut out);
    out
}

/// The plain names an assignment target binds.
pub(crate) fn target_names(target: &Expr, out: &mut Vec<String>) {
    match target {
        Expr::Name { id, .. } => out.push(id.clone()),
        Expr::Tuple { elts, .. } => {
            for elt in elts {
                target_names(elt, out);
            }
        }
        Expr::Starred { value, .. } => target_names(value, out),
        _ => {}
    }
}

/// Calls `visit` on every statement of a block and of the blocks nested in it, not entering
/// function or class definitions.
pub(crate) fn walk_blocks(stmts: &[Stmt], visit: &mut impl FnMut(&Stmt)) {
    for stmt in stmts {
        visit(stmt);
        match stmt {
            Stmt::If { branches } => {
                for (_, body) in branches {
                    walk_blocks(body, visit);
                }
            }
            Stmt::Loop { body, orelse, .. } => {
                walk_blocks(body, visit);
                walk_blocks(orelse, visit);
            }
            Stmt::With { body, .. } => walk_blocks(body, visit),
            Stmt::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                walk_blocks(body, visit);
                for handler in handlers {
                    walk_blocks(handler, visit);
                }
                walk_blocks(orelse, visit);
                walk_blocks(finalbody, visit);
            }
            Stmt::Other { stmts, .. } => walk_blocks(stmts, visit),
            _ => {}
        }
    }
}

/// The names a function body binds locally (assignments, loop and `with` targets, imports,
/// parameters): in Python such a name is local in the whole body, so it never means an import
/// or a module variable there.
pub(crate) fn local_names(
    params: &[Param],
    star_params: &[String],
    stmts: &[Stmt],
) -> HashSet<String> {
    let mut out: Vec<String> = params
        .iter()
        .map(|p| p.name.clone())
        .chain(star_params.iter().cloned())
        .collect();
    walk_blocks(stmts, &mut |stmt| bound_names(stmt, &mut out));
    out.into_iter().collect()
}

/// The names one statement binds (not those of the blocks inside it).
pub(crate) fn bound_names(stmt: &Stmt, out: &mut Vec<String>) {
    match stmt {
        Stmt::Assign { targets, .. } => {
            for target in targets {
                target_names(target, out);
            }
        }
        Stmt::AugAssign { target, .. }
        | Stmt::Loop {
            target: Some(target),
            ..
        } => target_names(target, out),
        Stmt::With { items, .. } => {
            for (_, var) in items {
                if let Some(var) = var {
                    target_names(var, out);
                }
            }
        }
        Stmt::Function(def) => out.push(def.name.clone()),
        Stmt::Class(class) => out.push(class.name.clone()),
        _ => {}
    }
}
