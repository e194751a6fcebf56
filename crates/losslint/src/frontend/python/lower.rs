//! The parser's tree (`ruff_python_ast`) to the frontend's own [`ir`](super::ir): the only
//! module besides the parse call that sees the parser crates, so that their next API change is
//! one file's work.

use ruff_python_ast::visitor::{Visitor, walk_expr, walk_stmt};
use ruff_python_ast::{self as ast};
use ruff_text_size::{Ranged, TextRange};

use super::ir::{BinOp, ClassDef, Expr, FunctionDef, Import, Keyword, Module, Param, Range, Stmt};

/// Lowers a parsed module.
pub(crate) fn module(source: &str, module: &ast::ModModule) -> Module {
    let lower = Lower { source };
    Module {
        body: lower.stmts(&module.body),
    }
}

struct Lower<'s> {
    source: &'s str,
}

fn range(range: TextRange) -> Range {
    Range {
        start: range.start().to_usize(),
        end: range.end().to_usize(),
    }
}

/// The direct children of a node, collected without descending further.
#[derive(Default)]
struct Children<'a> {
    exprs: Vec<&'a ast::Expr>,
    stmts: Vec<&'a ast::Stmt>,
}

impl<'a> Visitor<'a> for Children<'a> {
    fn visit_stmt(&mut self, stmt: &'a ast::Stmt) {
        self.stmts.push(stmt);
    }

    fn visit_expr(&mut self, expr: &'a ast::Expr) {
        self.exprs.push(expr);
    }
}

impl Lower<'_> {
    fn stmts<'a>(&self, stmts: impl IntoIterator<Item = &'a ast::Stmt>) -> Vec<Stmt> {
        stmts.into_iter().map(|stmt| self.stmt(stmt)).collect()
    }

    fn stmt(&self, stmt: &ast::Stmt) -> Stmt {
        match stmt {
            ast::Stmt::Assign(assign) => Stmt::Assign {
                targets: assign.targets.iter().map(|t| self.expr(t)).collect(),
                value: self.expr(&assign.value),
                range: range(assign.range),
            },
            ast::Stmt::AnnAssign(assign) => match &assign.value {
                Some(value) => Stmt::Assign {
                    targets: vec![self.expr(&assign.target)],
                    value: self.expr(value),
                    range: range(assign.range),
                },
                None => Stmt::Other {
                    exprs: Vec::new(),
                    stmts: Vec::new(),
                },
            },
            ast::Stmt::AugAssign(assign) => Stmt::AugAssign {
                target: self.expr(&assign.target),
                op: operator(assign.op),
                value: self.expr(&assign.value),
                range: range(assign.range),
            },
            ast::Stmt::Expr(expr) => Stmt::Expr(self.expr(&expr.value)),
            ast::Stmt::Return(ret) => Stmt::Return(ret.value.as_deref().map(|v| self.expr(v))),
            ast::Stmt::If(stmt_if) => {
                let mut branches =
                    vec![(Some(self.expr(&stmt_if.test)), self.stmts(&stmt_if.body))];
                for clause in &stmt_if.elif_else_clauses {
                    branches.push((
                        clause.test.as_ref().map(|t| self.expr(t)),
                        self.stmts(&clause.body),
                    ));
                }
                Stmt::If { branches }
            }
            ast::Stmt::For(stmt_for) => Stmt::Loop {
                target: Some(self.expr(&stmt_for.target)),
                iter: self.expr(&stmt_for.iter),
                body: self.stmts(&stmt_for.body),
                orelse: self.stmts(&stmt_for.orelse),
            },
            ast::Stmt::While(stmt_while) => Stmt::Loop {
                target: None,
                iter: self.expr(&stmt_while.test),
                body: self.stmts(&stmt_while.body),
                orelse: self.stmts(&stmt_while.orelse),
            },
            ast::Stmt::With(with) => Stmt::With {
                items: with
                    .items
                    .iter()
                    .map(|item| {
                        (
                            self.expr(&item.context_expr),
                            item.optional_vars.as_deref().map(|v| self.expr(v)),
                        )
                    })
                    .collect(),
                body: self.stmts(&with.body),
            },
            ast::Stmt::Try(stmt_try) => Stmt::Try {
                body: self.stmts(&stmt_try.body),
                handlers: stmt_try
                    .handlers
                    .iter()
                    .map(|handler| match handler {
                        ast::ExceptHandler::ExceptHandler(h) => {
                            let mut body = Vec::new();
                            // `except E as name` binds `name` (to an unknown value).
                            if let Some(name) = &h.name {
                                let at = range(name.range);
                                body.push(Stmt::Assign {
                                    targets: vec![Expr::Name {
                                        id: name.id.as_str().to_string(),
                                        range: at,
                                    }],
                                    value: Expr::Other {
                                        children: Vec::new(),
                                        range: at,
                                    },
                                    range: at,
                                });
                            }
                            body.extend(self.stmts(&h.body));
                            body
                        }
                    })
                    .collect(),
                orelse: self.stmts(&stmt_try.orelse),
                finalbody: self.stmts(&stmt_try.finalbody),
            },
            ast::Stmt::FunctionDef(def) => Stmt::Function(FunctionDef {
                name: def.name.id.as_str().to_string(),
                params: def
                    .parameters
                    .posonlyargs
                    .iter()
                    .chain(def.parameters.args.iter())
                    .chain(def.parameters.kwonlyargs.iter())
                    .map(|p| Param {
                        name: p.parameter.name.id.as_str().to_string(),
                        default: p.default.as_deref().map(|d| self.expr(d)),
                    })
                    .collect(),
                star_params: def
                    .parameters
                    .vararg
                    .iter()
                    .chain(def.parameters.kwarg.iter())
                    .map(|p| p.name.id.as_str().to_string())
                    .collect(),
                body: self.stmts(&def.body),
                decorators: def
                    .decorator_list
                    .iter()
                    .map(|d| self.expr(&d.expression))
                    .collect(),
            }),
            ast::Stmt::ClassDef(class) => Stmt::Class(ClassDef {
                name: class.name.id.as_str().to_string(),
                bases: class
                    .arguments
                    .as_deref()
                    .map(|a| {
                        a.args
                            .iter()
                            .chain(a.keywords.iter().map(|k| &k.value))
                            .map(|b| self.expr(b))
                            .collect()
                    })
                    .unwrap_or_default(),
                decorators: class
                    .decorator_list
                    .iter()
                    .map(|d| self.expr(&d.expression))
                    .collect(),
                body: self.stmts(&class.body),
            }),
            ast::Stmt::Import(import) => Stmt::Import(
                import
                    .names
                    .iter()
                    .map(|alias| {
                        let name = alias.name.id.as_str();
                        if let Some(local) = &alias.asname {
                            Import {
                                local: local.id.as_str().to_string(),
                                path: Some(name.to_string()),
                            }
                        } else {
                            // `import torch.nn` binds `torch`.
                            let root = name.split('.').next().unwrap_or(name);
                            Import {
                                local: root.to_string(),
                                path: Some(root.to_string()),
                            }
                        }
                    })
                    .collect(),
            ),
            ast::Stmt::ImportFrom(from) => {
                let module = from.module.as_ref().map(|m| m.id.as_str().to_string());
                Stmt::Import(
                    from.names
                        .iter()
                        .map(|alias| {
                            let name = alias.name.id.as_str();
                            let local = alias.asname.as_ref().map_or(name, |a| a.id.as_str());
                            Import {
                                local: local.to_string(),
                                path: match (&module, from.level) {
                                    (Some(module), 0) => Some(format!("{module}.{name}")),
                                    _ => None,
                                },
                            }
                        })
                        .collect(),
                )
            }
            other => {
                let mut children = Children::default();
                walk_stmt(&mut children, other);
                Stmt::Other {
                    exprs: children.exprs.into_iter().map(|e| self.expr(e)).collect(),
                    stmts: self.stmts(children.stmts),
                }
            }
        }
    }

    fn boxed(&self, expr: &ast::Expr) -> Box<Expr> {
        Box::new(self.expr(expr))
    }

    fn expr(&self, expr: &ast::Expr) -> Expr {
        let at = range(expr.range());
        match expr {
            ast::Expr::Name(name) => Expr::Name {
                id: name.id.as_str().to_string(),
                range: at,
            },
            ast::Expr::Attribute(attribute) => Expr::Attribute {
                value: self.boxed(&attribute.value),
                attr: attribute.attr.id.as_str().to_string(),
                attr_range: range(attribute.attr.range),
                range: at,
            },
            ast::Expr::Call(call) => Expr::Call {
                func: self.boxed(&call.func),
                args: call.arguments.args.iter().map(|a| self.expr(a)).collect(),
                keywords: call
                    .arguments
                    .keywords
                    .iter()
                    .map(|k| Keyword {
                        name: k.arg.as_ref().map(|a| a.id.as_str().to_string()),
                        value: self.expr(&k.value),
                        range: range(k.range),
                    })
                    .collect(),
                args_range: range(call.arguments.range),
                range: at,
            },
            ast::Expr::StringLiteral(string) => Expr::Str {
                value: string.value.to_str().to_string(),
                range: at,
            },
            ast::Expr::NumberLiteral(_) => Expr::Number {
                text: self
                    .source
                    .get(at.start..at.end)
                    .unwrap_or_default()
                    .to_string(),
                range: at,
            },
            ast::Expr::BooleanLiteral(b) => Expr::Bool {
                value: b.value,
                range: at,
            },
            ast::Expr::NoneLiteral(_) => Expr::None { range: at },
            ast::Expr::Tuple(tuple) => Expr::Tuple {
                elts: tuple.elts.iter().map(|e| self.expr(e)).collect(),
                range: at,
            },
            ast::Expr::List(list) => Expr::Tuple {
                elts: list.elts.iter().map(|e| self.expr(e)).collect(),
                range: at,
            },
            ast::Expr::Dict(dict) => Expr::Dict {
                items: dict
                    .items
                    .iter()
                    .map(|item| {
                        (
                            item.key.as_ref().map(|k| self.expr(k)),
                            self.expr(&item.value),
                        )
                    })
                    .collect(),
                range: at,
            },
            ast::Expr::Subscript(subscript) => Expr::Subscript {
                value: self.boxed(&subscript.value),
                index: self.boxed(&subscript.slice),
                range: at,
            },
            ast::Expr::BinOp(binop) => Expr::BinOp {
                left: self.boxed(&binop.left),
                op: operator(binop.op),
                right: self.boxed(&binop.right),
                range: at,
            },
            ast::Expr::If(if_expr) => Expr::If {
                test: self.boxed(&if_expr.test),
                body: self.boxed(&if_expr.body),
                orelse: self.boxed(&if_expr.orelse),
                range: at,
            },
            ast::Expr::Lambda(lambda) => Expr::Lambda {
                defaults: lambda
                    .parameters
                    .as_deref()
                    .map(|p| {
                        p.posonlyargs
                            .iter()
                            .chain(p.args.iter())
                            .chain(p.kwonlyargs.iter())
                            .filter_map(|p| p.default.as_deref().map(|d| self.expr(d)))
                            .collect()
                    })
                    .unwrap_or_default(),
                params: lambda
                    .parameters
                    .as_deref()
                    .map(|p| {
                        p.posonlyargs
                            .iter()
                            .chain(p.args.iter())
                            .chain(p.kwonlyargs.iter())
                            .map(|p| p.parameter.name.id.as_str().to_string())
                            .collect()
                    })
                    .unwrap_or_default(),
                body: self.boxed(&lambda.body),
                range: at,
            },
            ast::Expr::Starred(starred) => Expr::Starred {
                value: self.boxed(&starred.value),
                range: at,
            },
            ast::Expr::Named(named) => Expr::Named {
                target: self.boxed(&named.target),
                value: self.boxed(&named.value),
                range: at,
            },
            ast::Expr::Await(await_expr) => Expr::Await {
                value: self.boxed(&await_expr.value),
                range: at,
            },
            ast::Expr::ListComp(comp) => self.comprehension(&comp.generators, [&*comp.elt], at),
            ast::Expr::SetComp(comp) => self.comprehension(&comp.generators, [&*comp.elt], at),
            ast::Expr::Generator(comp) => self.comprehension(&comp.generators, [&*comp.elt], at),
            ast::Expr::DictComp(comp) => self.comprehension(
                &comp.generators,
                comp.key.as_deref().into_iter().chain([&*comp.value]),
                at,
            ),
            other => {
                let mut children = Children::default();
                walk_expr(&mut children, other);
                Expr::Other {
                    children: children.exprs.into_iter().map(|e| self.expr(e)).collect(),
                    range: at,
                }
            }
        }
    }
}

impl Lower<'_> {
    fn comprehension<'e>(
        &self,
        generators: &[ast::Comprehension],
        elts: impl IntoIterator<Item = &'e ast::Expr>,
        at: Range,
    ) -> Expr {
        Expr::Comprehension {
            generators: generators
                .iter()
                .map(|g| {
                    (
                        self.expr(&g.target),
                        self.expr(&g.iter),
                        g.ifs.iter().map(|i| self.expr(i)).collect(),
                    )
                })
                .collect(),
            elts: elts.into_iter().map(|e| self.expr(e)).collect(),
            range: at,
        }
    }
}

fn operator(op: ast::Operator) -> BinOp {
    match op {
        ast::Operator::Add => BinOp::Add,
        ast::Operator::Sub => BinOp::Sub,
        ast::Operator::Mult => BinOp::Mult,
        ast::Operator::Div => BinOp::Div,
        ast::Operator::FloorDiv => BinOp::FloorDiv,
        _ => BinOp::Other,
    }
}
