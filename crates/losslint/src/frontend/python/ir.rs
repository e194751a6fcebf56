//! The Python syntax value flow reads, lowered from the parser's tree by `lower.rs`: the
//! statements and expressions that carry values (bindings, calls, attributes, tuples,
//! branches, loops), with byte ranges into the file. Everything else is `Other` holding its
//! sub-expressions and sub-statements, so that a loss called inside a comprehension or an
//! `assert` is still seen. The parser crates promise no API stability; this module is what
//! the rest of the frontend depends on instead.

/// A byte range of the file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Range {
    pub(crate) start: usize,
    pub(crate) end: usize,
}

impl Range {
    /// The empty range at this range's end.
    pub(crate) fn end_point(self) -> Range {
        Range {
            start: self.end,
            end: self.end,
        }
    }
}

/// A module: its statements.
#[derive(Debug, Default)]
pub(crate) struct Module {
    pub(crate) body: Vec<Stmt>,
}

/// A function parameter.
#[derive(Debug)]
pub(crate) struct Param {
    pub(crate) name: String,
    pub(crate) default: Option<Expr>,
}

/// A function or method definition.
#[derive(Debug)]
pub(crate) struct FunctionDef {
    pub(crate) name: String,
    /// The positional and keyword parameters in order (`*args`/`**kwargs` are left out).
    pub(crate) params: Vec<Param>,
    /// The names of `*args` and `**kwargs` (locals of the body, never passed positionally).
    pub(crate) star_params: Vec<String>,
    pub(crate) body: Vec<Stmt>,
    pub(crate) decorators: Vec<Expr>,
}

/// A class definition.
#[derive(Debug)]
pub(crate) struct ClassDef {
    pub(crate) name: String,
    /// Base classes and keywords (`metaclass=..`).
    pub(crate) bases: Vec<Expr>,
    pub(crate) decorators: Vec<Expr>,
    pub(crate) body: Vec<Stmt>,
}

/// A name an import binds, and the dotted path it binds it to.
#[derive(Debug)]
pub(crate) struct Import {
    /// The local name (`F` of `import torch.nn.functional as F`; `torch` of `import torch.nn`).
    pub(crate) local: String,
    /// The dotted path (`torch.nn.functional`), or `None` for a relative import (the project's
    /// own modules, whose contents are unknown).
    pub(crate) path: Option<String>,
}

/// A statement.
#[derive(Debug)]
pub(crate) enum Stmt {
    /// `a = b = value`, `a: T = value` (targets in order).
    Assign {
        targets: Vec<Expr>,
        value: Expr,
        range: Range,
    },
    /// `target op= value`.
    AugAssign {
        target: Expr,
        op: BinOp,
        value: Expr,
        range: Range,
    },
    Expr(Expr),
    Return(Option<Expr>),
    /// `if`/`elif`/`else`: each branch's condition (`None` for `else`) and body.
    If {
        branches: Vec<(Option<Expr>, Vec<Stmt>)>,
    },
    /// `for target in iter` (`while test`: no target, the test as `iter`).
    Loop {
        target: Option<Expr>,
        iter: Expr,
        body: Vec<Stmt>,
        orelse: Vec<Stmt>,
    },
    /// `with a as x, b:`.
    With {
        items: Vec<(Expr, Option<Expr>)>,
        body: Vec<Stmt>,
    },
    /// `try` with its handlers, `else` and `finally` bodies.
    Try {
        body: Vec<Stmt>,
        handlers: Vec<Vec<Stmt>>,
        orelse: Vec<Stmt>,
        finalbody: Vec<Stmt>,
    },
    Function(FunctionDef),
    Class(ClassDef),
    Import(Vec<Import>),
    /// Anything else, with the expressions and statements inside it.
    Other {
        exprs: Vec<Expr>,
        stmts: Vec<Stmt>,
    },
}

/// A binary operator value flow tells apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinOp {
    Add,
    Sub,
    Mult,
    Div,
    FloorDiv,
    Other,
}

/// A keyword argument (`name=value`, or `**value` without a name).
#[derive(Debug)]
pub(crate) struct Keyword {
    pub(crate) name: Option<String>,
    pub(crate) value: Expr,
    pub(crate) range: Range,
}

/// An expression.
#[derive(Debug)]
pub(crate) enum Expr {
    Name {
        id: String,
        range: Range,
    },
    Attribute {
        value: Box<Expr>,
        attr: String,
        attr_range: Range,
        range: Range,
    },
    Call {
        func: Box<Expr>,
        args: Vec<Expr>,
        keywords: Vec<Keyword>,
        /// The parentheses of the argument list.
        args_range: Range,
        range: Range,
    },
    Str {
        value: String,
        range: Range,
    },
    /// A number, as written.
    Number {
        text: String,
        range: Range,
    },
    Bool {
        value: bool,
        range: Range,
    },
    None {
        range: Range,
    },
    /// A tuple or a list.
    Tuple {
        elts: Vec<Expr>,
        range: Range,
    },
    /// A dict display: its items (`None` key for `**spread`).
    Dict {
        items: Vec<(Option<Expr>, Expr)>,
        range: Range,
    },
    Subscript {
        value: Box<Expr>,
        index: Box<Expr>,
        range: Range,
    },
    BinOp {
        left: Box<Expr>,
        op: BinOp,
        right: Box<Expr>,
        range: Range,
    },
    /// `body if test else orelse`.
    If {
        test: Box<Expr>,
        body: Box<Expr>,
        orelse: Box<Expr>,
        range: Range,
    },
    Lambda {
        params: Vec<String>,
        /// Default values, evaluated where the lambda is written.
        defaults: Vec<Expr>,
        body: Box<Expr>,
        range: Range,
    },
    /// A comprehension (list, set, dict, generator): each generator's target, iterable and
    /// conditions, then the produced elements. Its targets are local to it.
    Comprehension {
        generators: Vec<(Expr, Expr, Vec<Expr>)>,
        elts: Vec<Expr>,
        range: Range,
    },
    /// `*value` (in a call or a target).
    Starred {
        value: Box<Expr>,
        range: Range,
    },
    /// `(target := value)`.
    Named {
        target: Box<Expr>,
        value: Box<Expr>,
        range: Range,
    },
    /// `await value`.
    Await {
        value: Box<Expr>,
        range: Range,
    },
    /// Anything else, with its sub-expressions.
    Other {
        children: Vec<Expr>,
        range: Range,
    },
}

impl Expr {
    /// The range of the whole expression.
    pub(crate) fn range(&self) -> Range {
        match self {
            Expr::Name { range, .. }
            | Expr::Attribute { range, .. }
            | Expr::Call { range, .. }
            | Expr::Str { range, .. }
            | Expr::Number { range, .. }
            | Expr::Bool { range, .. }
            | Expr::None { range }
            | Expr::Tuple { range, .. }
            | Expr::Subscript { range, .. }
            | Expr::Dict { range, .. }
            | Expr::BinOp { range, .. }
            | Expr::If { range, .. }
            | Expr::Lambda { range, .. }
            | Expr::Comprehension { range, .. }
            | Expr::Starred { range, .. }
            | Expr::Named { range, .. }
            | Expr::Await { range, .. }
            | Expr::Other { range, .. } => *range,
        }
    }

    /// The dotted path an expression spells (`torch.nn.functional`), if it is one.
    pub(crate) fn dotted(&self) -> Option<String> {
        match self {
            Expr::Name { id, .. } => Some(id.clone()),
            Expr::Attribute { value, attr, .. } => {
                let mut path = value.dotted()?;
                path.push('.');
                path.push_str(attr);
                Some(path)
            }
            _ => None,
        }
    }

    /// The first name of a dotted path (`torch` of `torch.nn.X`).
    pub(crate) fn root_name(&self) -> Option<&str> {
        match self {
            Expr::Name { id, .. } => Some(id),
            Expr::Attribute { value, .. } => value.root_name(),
            _ => None,
        }
    }

    /// The range of the name a diagnostic points at: the attribute of `nn.CrossEntropyLoss`,
    /// the name of `criterion`, else the whole expression.
    pub(crate) fn name_range(&self) -> Range {
        match self {
            Expr::Attribute { attr_range, .. } => *attr_range,
            other => other.range(),
        }
    }
}
