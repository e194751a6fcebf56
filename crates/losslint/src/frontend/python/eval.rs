//! The per-body evaluator: walks one body's statements computing `flow::value::Value`s for its
//! expressions, asks the engine for what other bodies return and what fields hold, and
//! collects the loss sites and epoch accumulations it meets. `calls.rs` recognises calls,
//! `losses.rs` turns loss APIs into sites, `accumulate.rs` finds LL010's sums.

use std::collections::{HashMap, HashSet};

use super::imports::Imports;
use super::ir::{Expr, Range, Stmt};
use super::program::{Body, Classes, MODULE, local_names};
use crate::facts::{Accumulation, LossSite, Origin, Span};
use crate::fix::LineIndex;
use crate::flow::value::{Env, Value};
use crate::flow::{Analyser, FieldKey, Flow};

/// What one body's analysis found.
#[derive(Debug, Default)]
pub(crate) struct Found {
    pub(crate) sites: Vec<LossSite>,
    pub(crate) accumulations: Vec<Accumulation>,
    /// Prediction arguments that are the body's parameters: `(site, argument, parameter)`,
    /// resolved after the walk from what the file's callers pass.
    pub(crate) param_args: Vec<(usize, usize, usize)>,
}

/// What every body of a file shares.
pub(crate) struct FileContext<'a, 'm> {
    pub(crate) text: &'a str,
    pub(crate) lines: &'a LineIndex<'a>,
    pub(crate) imports: &'a Imports,
    pub(crate) classes: &'a Classes,
    pub(crate) flow: &'a Flow<'a, Body<'m>, Value, Found>,
    /// Whether the file imports torch at all: tensor methods (`x.softmax(1)`) are only
    /// recognised by name where it does.
    pub(crate) uses_torch: bool,
}

impl<'m> Analyser<Body<'m>> for FileContext<'_, 'm> {
    type Value = Value;
    type Found = Found;

    fn analyse(&self, body: &Body<'m>) -> (Value, Found) {
        Eval::new(self, body).run()
    }
}

/// A running accumulation: `total += loss.item()` in a loop.
#[derive(Clone, Debug)]
pub(crate) struct Accumulator {
    pub(crate) reduction: Option<String>,
    pub(crate) span: Span,
}

/// The analysis of one body.
pub(crate) struct Eval<'c, 'a, 'm> {
    pub(crate) cx: &'c FileContext<'a, 'm>,
    pub(crate) body: &'c Body<'m>,
    pub(crate) env: Env,
    /// Names the body binds (they never mean an import or a module variable here).
    locals: HashSet<String>,
    /// Imports made inside the body.
    local_imports: HashMap<String, Option<String>>,
    pub(crate) objects: Vec<super::losses::Object>,
    pub(crate) found: Found,
    pub(crate) accumulators: HashMap<String, Accumulator>,
    pub(crate) loop_depth: usize,
    /// Where each activation was applied and the source of the value it was applied to
    /// (LL005's rewrite onto the logits).
    pub(crate) activation_inputs: HashMap<usize, Range>,
    returns: Option<Value>,
}

impl<'c, 'a, 'm> Eval<'c, 'a, 'm> {
    fn new(cx: &'c FileContext<'a, 'm>, body: &'c Body<'m>) -> Self {
        let locals = if body.is_module {
            HashSet::new()
        } else {
            local_names(body.params, body.star_params, body.stmts)
        };
        Eval {
            cx,
            body,
            env: Env::default(),
            locals,
            local_imports: HashMap::new(),
            objects: Vec::new(),
            found: Found::default(),
            accumulators: HashMap::new(),
            loop_depth: 0,
            activation_inputs: HashMap::new(),
            returns: None,
        }
    }

    fn run(mut self) -> (Value, Found) {
        self.env.push();
        if let (Some(class), Some(self_name)) = (&self.body.class, self.body.self_name) {
            self.env.bind(self_name.to_string(), instance(class));
        }
        for (index, param) in self.body.params.iter().enumerate() {
            // What the callers analysed so far pass, else the symbolic parameter.
            let passed = self.cx.flow.calls(self.body.index, index);
            let value = if passed == Value::Unknown {
                Value::Param(index)
            } else {
                passed
            };
            self.env.bind(param.name.clone(), value);
        }
        let stmts = self.body.stmts;
        self.block(stmts);
        let summary = self
            .returns
            .take()
            .map_or(Value::Unknown, |value| self.portable(&value, true));
        self.finish_objects();
        (summary, self.found)
    }

    pub(crate) fn span(&self, range: Range) -> Span {
        self.cx.lines.span(range.start, range.end)
    }

    pub(crate) fn text(&self, range: Range) -> &'a str {
        self.cx.text.get(range.start..range.end).unwrap_or_default()
    }

    // ------------------------------------------------------------------ statements

    pub(crate) fn block(&mut self, stmts: &[Stmt]) {
        for stmt in stmts {
            self.stmt(stmt);
        }
    }

    fn stmt(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Assign {
                targets,
                value,
                range,
            } => {
                if let [Expr::Name { id, .. }] = targets.as_slice()
                    && self.accumulate_assign(id, value, *range)
                {
                    return;
                }
                let value = self.eval(value);
                for target in targets {
                    self.assign(target, value.clone());
                }
            }
            Stmt::AugAssign {
                target,
                op,
                value,
                range,
            } => self.aug_assign(target, *op, value, *range),
            Stmt::Expr(expr) => {
                self.eval(expr);
            }
            Stmt::Return(value) => {
                let value = value.as_ref().map_or(Value::Unknown, |v| self.eval(v));
                self.returns = Some(match self.returns.take() {
                    Some(earlier) => crate::flow::value::join(&earlier, &value),
                    None => value,
                });
            }
            Stmt::If { branches } => self.branches(branches),
            Stmt::Loop {
                target,
                iter,
                body,
                orelse,
            } => {
                self.eval(iter);
                if let Some(target) = target {
                    self.assign(target, Value::Unknown);
                }
                self.loop_depth += 1;
                self.block(body);
                self.loop_depth -= 1;
                self.block(orelse);
            }
            Stmt::With { items, body } => {
                for (context, var) in items {
                    let value = self.eval(context);
                    if let Some(var) = var {
                        self.assign(var, value);
                    }
                }
                self.block(body);
            }
            Stmt::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                self.block(body);
                for handler in handlers {
                    self.block(handler);
                }
                self.block(orelse);
                self.block(finalbody);
            }
            // Their bodies are analysed on their own; the names they bind are known to the
            // program (functions, classes).
            Stmt::Function(def) => {
                for expr in def
                    .params
                    .iter()
                    .filter_map(|p| p.default.as_ref())
                    .chain(&def.decorators)
                {
                    self.eval(expr);
                }
                if !self.body.is_module {
                    self.set(&def.name, Value::Unknown);
                }
            }
            Stmt::Class(class) => {
                for expr in class.bases.iter().chain(&class.decorators) {
                    self.eval(expr);
                }
            }
            Stmt::Import(imports) => {
                if !self.body.is_module {
                    for import in imports {
                        self.local_imports
                            .insert(import.local.clone(), import.path.clone());
                    }
                }
            }
            Stmt::Other { exprs, stmts } => {
                for expr in exprs {
                    self.eval(expr);
                }
                self.block(stmts);
            }
        }
    }

    /// `if`/`elif`/`else`: each branch runs on a copy of the environment; afterwards a name
    /// holds what every branch (and the fall-through, without `else`) agrees on.
    fn branches(&mut self, branches: &[(Option<Expr>, Vec<Stmt>)]) {
        let mut ends = Vec::new();
        for (test, body) in branches {
            if let Some(test) = test {
                self.eval(test);
            }
            let at_branch = self.env.clone();
            self.block(body);
            ends.push(std::mem::replace(&mut self.env, at_branch));
        }
        // Without `else`, the fall-through: every test ran (and bound its `:=` names), no body.
        if branches.last().is_none_or(|(test, _)| test.is_some()) {
            ends.push(self.env.clone());
        }
        self.env = Env::merge(ends, |_| {});
    }

    /// Binds an assignment target.
    pub(crate) fn assign(&mut self, target: &Expr, value: Value) {
        match target {
            Expr::Name { id, .. } => {
                if self.body.is_module {
                    let portable = self.portable(&value, false);
                    self.cx.flow.store(
                        FieldKey {
                            ty: MODULE.to_string(),
                            field: id.clone(),
                        },
                        portable,
                    );
                }
                self.accumulators.remove(id);
                self.set(id, value);
            }
            Expr::Tuple { elts, .. } => {
                let starred = elts.iter().any(|e| matches!(e, Expr::Starred { .. }));
                match value {
                    Value::Tuple(values) if !starred && values.len() == elts.len() => {
                        for (elt, value) in elts.iter().zip(values) {
                            self.assign(elt, value);
                        }
                    }
                    _ => {
                        for elt in elts {
                            self.assign(elt, Value::Unknown);
                        }
                    }
                }
            }
            Expr::Starred { value: inner, .. } => self.assign(inner, Value::Unknown),
            Expr::Attribute {
                value: object,
                attr,
                ..
            } => {
                if let (Some(self_name), Some(class)) = (self.body.self_name, &self.body.class)
                    && matches!(&**object, Expr::Name { id, .. } if id == self_name)
                {
                    let portable = self.portable(&value, false);
                    self.cx.flow.store(
                        FieldKey {
                            ty: class.clone(),
                            field: attr.clone(),
                        },
                        portable,
                    );
                    self.set(&format!("{self_name}.{attr}"), value);
                } else {
                    self.eval(object);
                }
            }
            Expr::Subscript {
                value: object,
                index,
                ..
            } => {
                self.eval(object);
                self.eval(index);
            }
            _ => {}
        }
    }

    // ------------------------------------------------------------------ expressions

    pub(crate) fn eval(&mut self, expr: &Expr) -> Value {
        // A loss function referenced, not called (`loss_fn = F.cross_entropy`).
        if matches!(expr, Expr::Name { .. } | Expr::Attribute { .. })
            && let Some(api) = self
                .path_of(expr)
                .and_then(|path| crate::frontend::apis::pytorch::loss(&path))
                .filter(|api| api.form == crate::frontend::apis::pytorch::PyForm::Function)
        {
            return self.alias(api, expr);
        }
        match expr {
            Expr::Name { id, .. } => self.name(id),
            Expr::Attribute { value, attr, .. } => self.attribute(value, attr),
            Expr::Call {
                func,
                args,
                keywords,
                args_range,
                range,
            } => self.call(func, args, keywords, *args_range, *range),
            Expr::Tuple { elts, .. } => {
                Value::Tuple(elts.iter().map(|elt| self.eval(elt)).collect())
            }
            Expr::Subscript { value, index, .. } => self.subscript(value, index),
            // `{"logits": x, "probs": x.softmax(-1)}`: a record of its string keys.
            Expr::Dict { items, .. } => {
                let mut fields = Vec::new();
                let mut known = true;
                for (key, value) in items {
                    let value = self.eval(value);
                    match key {
                        Some(Expr::Str { value: key, .. }) => fields.push((key.clone(), value)),
                        Some(other) => {
                            self.eval(other);
                            known = false;
                        }
                        None => known = false,
                    }
                }
                if known {
                    Value::Record { ty: None, fields }
                } else {
                    Value::Unknown
                }
            }
            Expr::BinOp {
                left, op, right, ..
            } => self.binop(left, *op, right),
            Expr::If {
                test, body, orelse, ..
            } => {
                self.eval(test);
                let body = self.eval(body);
                let orelse = self.eval(orelse);
                crate::flow::value::join(&body, &orelse)
            }
            Expr::Lambda {
                params,
                defaults,
                body,
                ..
            } => {
                for default in defaults {
                    self.eval(default);
                }
                self.env.push();
                for param in params {
                    self.env.bind(param.clone(), Value::Unknown);
                }
                let result = self.eval(body);
                self.env.pop();
                Value::Callable(Box::new(result))
            }
            Expr::Starred { value, .. } | Expr::Await { value, .. } => self.eval(value),
            Expr::Named { target, value, .. } => {
                let value = self.eval(value);
                self.assign(target, value.clone());
                value
            }
            Expr::Comprehension {
                generators, elts, ..
            } => {
                // Its targets are its own locals (a scope of their own): they hide imports
                // inside it.
                self.env.push();
                for (target, iter, conditions) in generators {
                    self.eval(iter);
                    for name in super::program::target_list(target) {
                        self.env.bind(name, Value::Unknown);
                    }
                    for condition in conditions {
                        self.eval(condition);
                    }
                }
                for elt in elts {
                    self.eval(elt);
                }
                self.env.pop();
                Value::Unknown
            }
            Expr::Other { children, .. } => {
                for child in children {
                    self.eval(child);
                }
                Value::Unknown
            }
            Expr::Str { .. } | Expr::Number { .. } | Expr::Bool { .. } | Expr::None { .. } => {
                Value::Unknown
            }
        }
    }

    /// Binds a name in the body's scope: Python assignment replaces the binding (the body
    /// is one scope; comprehensions and lambdas push their own).
    pub(crate) fn set(&mut self, name: &str, value: Value) {
        match self.env.get_mut(name) {
            Some(slot) => *slot = value,
            None => self.env.bind(name.to_string(), value),
        }
    }

    /// Whether a name means something bound in this body (a local or a parameter).
    pub(crate) fn is_local(&self, name: &str) -> bool {
        self.env.get(name).is_some()
            || self.locals.contains(name)
            || self.body.outer.locals.contains(name)
    }

    fn name(&mut self, id: &str) -> Value {
        if let Some(value) = self.env.get(id) {
            return value.clone();
        }
        if self.is_local(id) || self.body.is_module || self.import_path(id).is_some() {
            return Value::Unknown;
        }
        // A module variable read by a function.
        let value = self.cx.flow.load(
            &FieldKey {
                ty: MODULE.to_string(),
                field: id.to_string(),
            },
            self.cx,
        );
        Self::localize(&value, None)
    }

    /// The dotted path a name is imported as (`None` when it is not an import, or a relative
    /// one).
    pub(crate) fn import_path(&self, name: &str) -> Option<String> {
        match self
            .local_imports
            .get(name)
            .or_else(|| self.body.outer.imports.get(name))
        {
            Some(path) => path.clone(),
            None => self.cx.imports.path(name),
        }
    }

    /// The canonical path an expression names through the file's imports
    /// (`torch.nn.CrossEntropyLoss` for `nn.CrossEntropyLoss`), unless its first name is a
    /// local that shadows the import.
    pub(crate) fn path_of(&self, expr: &Expr) -> Option<String> {
        let root = expr.root_name()?;
        if self.is_local(root) {
            return None;
        }
        let base = self.import_path(root)?;
        let dotted = expr.dotted()?;
        let full = format!("{base}{}", &dotted[root.len()..]);
        Some(crate::frontend::apis::pytorch::canonical(&full))
    }

    fn attribute(&mut self, object: &Expr, attr: &str) -> Value {
        if self.path_of(object).is_some() {
            return Value::Unknown;
        }
        // `self.x`: bound earlier in this body, else what the file stores into the field.
        if let (Some(self_name), Some(class)) = (self.body.self_name, self.body.class.clone())
            && matches!(object, Expr::Name { id, .. } if id == self_name)
        {
            if let Some(value) = self.env.get(&format!("{self_name}.{attr}")) {
                return value.clone();
            }
            return self.field(&class, attr);
        }
        let value = self.eval(object);
        match value {
            Value::Record {
                ty: Some(ty),
                fields,
            } => match fields.iter().find(|(name, _)| name == attr) {
                Some((_, value)) => value.clone(),
                None => self.field(&ty, attr),
            },
            Value::Tensor(_) if matches!(attr, "data" | "T" | "mT") => value,
            // `loss.data` (old PyTorch: `running_loss += loss.data[0]`).
            Value::Computed(_) if attr == "data" => value,
            _ if attr == "shape" => Value::Shape,
            _ => Value::Unknown,
        }
    }

    /// What a class's field holds (its own stores, then its in-file bases').
    fn field(&mut self, class: &str, attr: &str) -> Value {
        for owner in self.cx.classes.lineage(class) {
            let key = FieldKey {
                ty: owner,
                field: attr.to_string(),
            };
            if self.cx.flow.program().is_written(&key) {
                let value = self.cx.flow.load(&key, self.cx);
                return Self::localize(&value, None);
            }
        }
        Value::Unknown
    }

    fn subscript(&mut self, object: &Expr, index: &Expr) -> Value {
        let value = self.eval(object);
        self.eval(index);
        if let (Value::Record { ty: None, fields }, Expr::Str { value: key, .. }) = (&value, index)
        {
            return fields
                .iter()
                .find(|(name, _)| name == key)
                .map_or(Value::Unknown, |(_, v)| v.clone());
        }
        let literal = match index {
            Expr::Number { text, .. } => text.parse::<i64>().ok(),
            _ => None,
        };
        match (value, literal) {
            (Value::Tuple(values), Some(at)) => {
                let at = if at < 0 {
                    values.len().checked_sub(at.unsigned_abs() as usize)
                } else {
                    Some(at as usize)
                };
                at.and_then(|at| values.get(at).cloned())
                    .unwrap_or(Value::Unknown)
            }
            (Value::Tensor(origin), _) => Value::Tensor(origin),
            (computed @ Value::Computed(_), Some(0)) => computed,
            (Value::Shape, Some(0)) => Value::Count(crate::facts::Divisor::Samples),
            (Value::Count(divisor), _) => Value::Count(divisor),
            _ => {
                // `dataset_sizes[phase]`: what the collection's name says.
                let name = object.dotted().unwrap_or_default();
                match crate::flow::counts::by_name(&name) {
                    crate::facts::Divisor::Unknown => Value::Unknown,
                    divisor => Value::Count(divisor),
                }
            }
        }
    }

    // ------------------------------------------------------------------ values across bodies

    /// A value as it leaves this body: loss objects become what their construction showed,
    /// parameters unknown unless `params` (a summary keeps them for the call to replace).
    pub(crate) fn portable(&self, value: &Value, params: bool) -> Value {
        match value {
            Value::Loss(index) => self
                .objects
                .get(*index)
                .map_or(Value::Unknown, super::losses::Object::built),
            Value::Options(_) => Value::Unknown,
            Value::Param(_) if !params => Value::Unknown,
            Value::Tuple(values) => {
                Value::Tuple(values.iter().map(|v| self.portable(v, params)).collect())
            }
            Value::Record { ty, fields } => Value::Record {
                ty: ty.clone(),
                fields: fields
                    .iter()
                    .map(|(name, v)| (name.clone(), self.portable(v, params)))
                    .collect(),
            },
            Value::Callable(inner) => Value::Callable(Box::new(self.portable(inner, params))),
            other => other.clone(),
        }
    }

    /// A value from another body where it is used: parameters become the call's arguments.
    pub(crate) fn localize(value: &Value, args: Option<&[Value]>) -> Value {
        match value {
            Value::Param(index) => args
                .and_then(|args| args.get(*index))
                .cloned()
                .unwrap_or(Value::Unknown),
            Value::Tuple(values) => {
                Value::Tuple(values.iter().map(|v| Self::localize(v, args)).collect())
            }
            Value::Record { ty, fields } => Value::Record {
                ty: ty.clone(),
                fields: fields
                    .iter()
                    .map(|(name, v)| (name.clone(), Self::localize(v, args)))
                    .collect(),
            },
            Value::Callable(inner) => Value::Callable(Box::new(Self::localize(inner, args))),
            other => other.clone(),
        }
    }

    /// The origin a value carries into a loss argument.
    pub(crate) fn origin(value: &Value) -> Origin {
        match value {
            Value::Tensor(origin) => origin.clone(),
            _ => Origin::Unknown,
        }
    }
}

/// An instance of one of the file's classes.
pub(crate) fn instance(class: &str) -> Value {
    Value::Record {
        ty: Some(class.to_string()),
        fields: Vec::new(),
    }
}
