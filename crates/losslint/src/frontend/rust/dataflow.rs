//! Per-function origin tracking: evaluates a function body in order, following values through
//! `let` bindings (with shadowing), assignments, references, `?`, clones and method chains, so a
//! loss call knows whether its input came from a softmax, and a loss object built over several
//! statements (`let l = CrossEntropy::new(); let l = l.weight(w);`) keeps its configuration.
//!
//! Everything not provable is `Unknown`: parameters, fields, results of other functions,
//! branches that disagree, variables reassigned in loops. Recognising the APIs themselves is
//! `calls.rs`'s job.

use std::collections::HashMap;

use syn::visit::Visit;

use super::imports::Imports;
use super::lookup::{self, Meaning};
use super::program::Body;
use super::spans::SpanMap;
use crate::facts::{Accumulation, Argument, Divisor, LossSite, Origin, Pos, Span};
use crate::flow::value::join;
pub(crate) use crate::flow::value::{Env, OptionsReduction, OptionsValue, Param, Value};
use crate::flow::{Analyser, FieldKey, Flow};
use crate::frontend::apis::LossApi;

/// Deeper expressions are not followed (a guard against stack overflow on generated code).
const MAX_DEPTH: usize = 200;

/// Methods whose result carries the receiver's origin: copies, views, reshapes, dtype and
/// device moves, and unwrapping the `Result` of a fallible activation.
pub(crate) const TRANSPARENT: &[&str] = &[
    "clone",
    "shallow_clone",
    "to_owned",
    "into_owned",
    "detach",
    "detach_copy",
    "contiguous",
    "copy",
    "view",
    "reshape",
    "flatten",
    "squeeze",
    "unsqueeze",
    "to_kind",
    "float",
    "double",
    // Clamping probabilities keeps them probabilities (`p.clamp(1e-7, 1.0 - 1e-7)`).
    "clamp",
    "clamp_",
    "clamp_min",
    "clamp_max",
    "clip",
    "to_dtype",
    "to_device",
    "to",
    "into",
    "as_ref",
    "borrow",
    "unwrap",
    "expect",
];

/// What one body's analysis found.
#[derive(Debug, Default)]
pub(crate) struct Found {
    pub(crate) sites: Vec<LossSite>,
    pub(crate) accumulations: Vec<Accumulation>,
    /// Items declared in the body, analysed on their own.
    pub(crate) nested: Vec<syn::Item>,
    /// Loss arguments that hold a parameter's value: the argument's span and the parameter.
    /// Their origin is what the file's callers pass ([`Flow::calls`]).
    pub(crate) parameters: Vec<(Span, usize)>,
}

/// The engine's summaries over this file's bodies.
pub(crate) type RustFlow<'a> = Flow<'a, Body<'a>, Value, Found>;

/// What the whole file provides to each function's analysis.
#[derive(Debug)]
pub(crate) struct FileContext<'a> {
    pub(crate) spans: &'a SpanMap<'a>,
    pub(crate) imports: &'a Imports,
    /// Field types of the file's structs by struct name (`None`: two structs share the name).
    pub(crate) structs: &'a HashMap<String, Option<HashMap<String, syn::Type>>>,
    /// Summaries of the file's functions and fields (the value-flow engine).
    pub(crate) flow: &'a RustFlow<'a>,
}

impl<'a> Analyser<Body<'a>> for FileContext<'a> {
    type Value = Value;
    type Found = Found;

    fn analyse(&self, body: &Body<'a>) -> (Value, Found) {
        let fields = body
            .owner
            .as_ref()
            .and_then(|owner| self.structs.get(owner))
            .and_then(Option::as_ref);
        let mut analysis = FnAnalysis::new(self, fields);
        analysis.self_type.clone_from(&body.owner);
        let returned = analysis.function(body.sig, body.block);
        let summary = analysis.portable(&returned, true);
        (summary, analysis.finish())
    }
}

/// A loss object built in (or reaching) the function.
// The flags are independent facts about the object, not the states of one machine.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug)]
pub(crate) struct LossObject {
    pub(crate) api: lookup::Api,
    /// Seen only through a field or parameter type: its construction is elsewhere.
    pub(crate) detached: bool,
    pub(crate) span: Span,
    pub(crate) name_span: Span,
    /// Right after the constructor call: where builder fixes insert.
    pub(crate) constructor_end: Pos,
    /// The reduction a builder method set.
    pub(crate) reduction: Option<(String, Span)>,
    /// One entry per `api.weights` parameter.
    pub(crate) params: Vec<Param>,
    /// The logits flag (burn `with_logits`).
    pub(crate) logits: Flag,
    /// A `finish` method (`init`) was called.
    pub(crate) finished: bool,
    /// It flowed somewhere a builder fix could break (a field, a typed binding, a return).
    pub(crate) escaped: bool,
    /// It is one of several objects a branch chooses between.
    pub(crate) conditional: bool,
    /// Arguments of applies whose reduction is the object's.
    pub(crate) arguments: Vec<Argument>,
    /// Applies that made their own site.
    pub(crate) call_sites: usize,
}

/// A boolean builder flag of a loss object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flag {
    NotSet,
    Set(bool),
    /// Set to a value that cannot be seen.
    Unknown,
}

/// The analysis of one function body (closures inside it included).
#[derive(Debug)]
pub(crate) struct FnAnalysis<'c, 'a> {
    pub(crate) cx: &'c FileContext<'a>,
    pub(crate) env: Env,
    pub(crate) objects: Vec<LossObject>,
    pub(crate) sites: Vec<LossSite>,
    /// Fields of the `impl`'s type, for `self.field`.
    pub(crate) self_fields: Option<&'c HashMap<String, syn::Type>>,
    /// Detached objects already made for `self.field`.
    detached_fields: HashMap<String, usize>,
    /// Items declared inside the body, analysed on their own afterwards.
    pub(crate) nested: Vec<syn::Item>,
    depth: usize,
    /// How many loops (and closures, which iterators call repeatedly) enclose the expression.
    pub(crate) loop_depth: usize,
    /// Variables a computed loss was added to in a loop: the addition and its reduction.
    pub(crate) pending: HashMap<String, (Span, Option<String>)>,
    /// What loop counters count (`n += 1`: batches, `n += x.size()[0]`: samples).
    pub(crate) counters: HashMap<String, Divisor>,
    pub(crate) accumulations: Vec<Accumulation>,
    /// The type of the `impl` the body belongs to (`self`, `Self`).
    pub(crate) self_type: Option<String>,
    /// Values of `return` expressions of the body itself (not of its closures).
    returns: Vec<Value>,
    /// How many closures enclose the expression.
    closure_depth: usize,
    /// A `return` was seen inside the closure being evaluated.
    closure_returned: bool,
    /// Loss arguments holding a parameter's value (see [`Found::parameters`]).
    pub(crate) parameters: std::cell::RefCell<Vec<(Span, usize)>>,
    /// Names of what the body's `for` loops iterate (`loader`, `batches`): the length of
    /// one is a number of batches.
    pub(crate) iterated: Vec<String>,
}

impl<'c, 'a> FnAnalysis<'c, 'a> {
    pub(crate) fn new(
        cx: &'c FileContext<'a>,
        self_fields: Option<&'c HashMap<String, syn::Type>>,
    ) -> Self {
        FnAnalysis {
            cx,
            env: Env::default(),
            objects: Vec::new(),
            sites: Vec::new(),
            self_fields,
            detached_fields: HashMap::new(),
            nested: Vec::new(),
            depth: 0,
            loop_depth: 0,
            pending: HashMap::new(),
            counters: HashMap::new(),
            accumulations: Vec::new(),
            self_type: None,
            returns: Vec::new(),
            closure_depth: 0,
            closure_returned: false,
            parameters: std::cell::RefCell::new(Vec::new()),
            iterated: Vec::new(),
        }
    }

    /// Analyses a function and returns what it returns (its tail joined with its `return`s).
    /// A parameter is a detached loss or an instance of a file type when its type says so,
    /// else the symbolic [`Value::Param`] that a call site replaces with its argument; `self`
    /// is an instance of the `impl`'s type.
    pub(crate) fn function(&mut self, sig: &syn::Signature, body: &syn::Block) -> Value {
        self.env.push();
        let mut index = 0;
        for input in &sig.inputs {
            match input {
                syn::FnArg::Typed(typed) => {
                    let value = match self.value_of_type(&typed.ty) {
                        Value::Unknown => match self.file_type(&typed.ty) {
                            Some(ty) => Self::instance(Some(ty)),
                            None if holds_class_labels(&typed.ty) => {
                                Value::Tensor(Origin::ClassLabels {
                                    span: self.span_of(&typed.ty),
                                })
                            }
                            None => Value::Param(index),
                        },
                        known => known,
                    };
                    index += 1;
                    self.bind_pattern(&typed.pat, value);
                }
                syn::FnArg::Receiver(_) => {
                    let value = Self::instance(self.self_type.clone());
                    self.env.bind("self".to_string(), value);
                }
            }
        }
        let tail = self.block(body);
        self.escape(&tail);
        self.env.pop();
        let mut returned = std::mem::take(&mut self.returns);
        if !ends_in_return(body) {
            returned.push(tail);
        }
        let returned = returned
            .into_iter()
            .reduce(|a, b| join(&a, &b))
            .unwrap_or(Value::Unknown);
        match returned {
            // `-> Self` / `-> Result<Model>`: an instance even when the body is not seen.
            Value::Unknown => self.instance_of_return(&sig.output),
            known => known,
        }
    }

    /// A value of a file type with no fields known here.
    pub(crate) fn instance(ty: Option<String>) -> Value {
        match ty {
            Some(ty) => Value::Record {
                ty: Some(ty),
                fields: Vec::new(),
            },
            None => Value::Unknown,
        }
    }

    /// The instance a return type names: `Self`, a file struct, or either inside `Result`,
    /// `Option`, `Box`, `Rc` or `Arc`.
    fn instance_of_return(&self, output: &syn::ReturnType) -> Value {
        let syn::ReturnType::Type(_, ty) = output else {
            return Value::Unknown;
        };
        let ty = self.file_type(ty);
        Self::instance(ty)
    }

    /// The file struct a type names (through wrappers), `Self` as the `impl`'s type.
    pub(crate) fn file_type(&self, ty: &syn::Type) -> Option<String> {
        let syn::Type::Path(path) = strip_type(ty) else {
            return None;
        };
        let last = path.path.segments.last()?;
        let name = last.ident.to_string();
        if name == "Self" {
            return self.self_type.clone();
        }
        if matches!(name.as_str(), "Result" | "Option" | "Box" | "Rc" | "Arc")
            && let syn::PathArguments::AngleBracketed(args) = &last.arguments
            && let Some(syn::GenericArgument::Type(inner)) = args.args.first()
        {
            return self.file_type(inner);
        }
        self.cx
            .structs
            .get(&name)
            .is_some_and(Option::is_some)
            .then_some(name)
    }

    /// Analyses a free-standing expression (a `const` or `static` initialiser).
    pub(crate) fn expression(&mut self, expr: &syn::Expr) {
        self.env.push();
        let value = self.eval(expr);
        self.escape(&value);
        self.env.pop();
    }

    pub(crate) fn span_of<T: syn::spanned::Spanned + ?Sized>(&self, node: &T) -> Span {
        self.cx.spans.of(node)
    }

    pub(crate) fn text_of(&self, span: Span) -> String {
        self.cx.spans.text(span).to_string()
    }

    /// Marks a loss object that flows somewhere its type matters.
    pub(crate) fn escape(&mut self, value: &Value) {
        if let Value::Loss(index) = value
            && let Some(object) = self.objects.get_mut(*index)
        {
            object.escaped = true;
        }
    }

    /// Marks a loss object whose value was joined with another one at the end of branches
    /// (`if weighted { X::new().weight(w) } else { X::new() }`): which one runs is not visible,
    /// so neither may be fixed, and an unweighted one is not known to be the one used.
    fn lose_track(&mut self, value: &Value) {
        if let Value::Loss(index) = value
            && let Some(object) = self.objects.get_mut(*index)
        {
            object.escaped = true;
            object.conditional = true;
        }
    }

    /// Evaluates an expression whose value is used where its type is pinned (an argument,
    /// a field, a return value).
    pub(crate) fn eval_escaping(&mut self, expr: &syn::Expr) -> Value {
        let value = self.eval(expr);
        self.escape(&value);
        value
    }

    /// The abstract value of an expression; finds loss sites inside it on the way.
    pub(crate) fn eval(&mut self, expr: &syn::Expr) -> Value {
        if self.depth >= MAX_DEPTH {
            return Value::Unknown;
        }
        self.depth += 1;
        let value = self.eval_inner(expr);
        self.depth -= 1;
        value
    }

    fn eval_inner(&mut self, expr: &syn::Expr) -> Value {
        match expr {
            syn::Expr::Paren(e) => self.eval(&e.expr),
            syn::Expr::Group(e) => self.eval(&e.expr),
            syn::Expr::Reference(e) => self.eval(&e.expr),
            syn::Expr::Try(e) => self.eval(&e.expr),
            syn::Expr::Await(e) => self.eval(&e.base),
            syn::Expr::Unary(e) => {
                let value = self.eval(&e.expr);
                if matches!(e.op, syn::UnOp::Deref(_)) {
                    value
                } else {
                    self.escape(&value);
                    Value::Unknown
                }
            }
            syn::Expr::Block(e) => self.block(&e.block),
            syn::Expr::Unsafe(e) => self.block(&e.block),
            syn::Expr::Const(e) => self.block(&e.block),
            syn::Expr::Async(e) => {
                let value = self.block(&e.block);
                self.escape(&value);
                Value::Unknown
            }
            syn::Expr::TryBlock(e) => self.block(&e.block),
            syn::Expr::Path(e) => self.path_expr(e),
            syn::Expr::Call(e) => self.call(e),
            syn::Expr::MethodCall(e) => self.method_call(e),
            syn::Expr::Struct(e) => self.struct_expr(e),
            syn::Expr::Field(e) => self.field(e),
            syn::Expr::Closure(e) => self.closure(e),
            syn::Expr::If(e) => self.if_expr(e),
            syn::Expr::Match(e) => self.match_expr(e),
            syn::Expr::ForLoop(e) => {
                self.eval_escaping(&e.expr);
                // Kept after the loop: the length is usually taken once it is over.
                if let Some(name) = iterated_name(&e.expr) {
                    self.iterated.push(name);
                }
                self.repeated(
                    &e.body,
                    |this| this.bind_pattern(&e.pat, Value::Unknown),
                    None,
                );
                Value::Unknown
            }
            syn::Expr::While(e) => {
                self.repeated(&e.body, |_| {}, Some(&e.cond));
                Value::Unknown
            }
            syn::Expr::Loop(e) => {
                self.repeated(&e.body, |_| {}, None);
                Value::Unknown
            }
            syn::Expr::Let(e) => {
                // Reached for `if let` / `while let` conditions: the pattern binds in the
                // scope the caller pushed.
                let value = self.eval(&e.expr);
                self.escape(&value);
                self.bind_pattern(&e.pat, Value::Unknown);
                Value::Unknown
            }
            syn::Expr::Assign(e) => {
                self.assign(&e.left, &e.right);
                Value::Unknown
            }
            syn::Expr::Binary(e) => {
                let left = self.eval_escaping(&e.left);
                let right = self.eval_escaping(&e.right);
                match e.op {
                    syn::BinOp::AddAssign(_) => {
                        let span = self.span_of(e);
                        self.accumulate(&e.left, &e.right, &right, span);
                    }
                    syn::BinOp::Div(_) | syn::BinOp::DivAssign(_) => {
                        self.divide(&e.left, &e.right);
                    }
                    _ => {}
                }
                // A batch's mean times its size is the batch's sum.
                if matches!(e.op, syn::BinOp::Mul(_)) {
                    let scaled = |loss: &Value, size: &syn::Expr, this: &Self| {
                        matches!(loss, Value::Computed(Some(word)) if is_mean_word(word))
                            && (super::accumulate::is_batch_size(size)
                                || this.divisor(size) == Divisor::Samples)
                    };
                    if scaled(&left, &e.right, self) || scaled(&right, &e.left, self) {
                        return Value::Computed(Some("sum".to_string()));
                    }
                }
                // Samples over a batch size: the number of batches.
                if matches!(e.op, syn::BinOp::Div(_))
                    && self.divisor(&e.left) == Divisor::Samples
                    && super::accumulate::is_batch_size(&e.right)
                {
                    return Value::Count(Divisor::Batches);
                }
                if is_compound_assignment(e.op)
                    && let Some(name) = single_ident(&e.left)
                {
                    self.env.assign(&name, Value::Unknown);
                }
                Value::Unknown
            }
            syn::Expr::Return(e) => {
                let value = e
                    .expr
                    .as_ref()
                    .map_or(Value::Unknown, |inner| self.eval_escaping(inner));
                if self.closure_depth == 0 {
                    self.returns.push(value);
                } else {
                    self.closure_returned = true;
                }
                Value::Unknown
            }
            syn::Expr::Break(e) => {
                if let Some(inner) = &e.expr {
                    self.eval_escaping(inner);
                }
                Value::Unknown
            }
            syn::Expr::Yield(e) => {
                if let Some(inner) = &e.expr {
                    self.eval_escaping(inner);
                }
                Value::Unknown
            }
            syn::Expr::Tuple(e) => {
                let values: Vec<Value> = e
                    .elems
                    .iter()
                    .map(|elem| self.eval_escaping(elem))
                    .collect();
                if values.is_empty() {
                    Value::Unknown
                } else {
                    Value::Tuple(values)
                }
            }
            syn::Expr::Array(e) => {
                for elem in &e.elems {
                    self.eval_escaping(elem);
                }
                Value::Unknown
            }
            syn::Expr::Repeat(e) => {
                self.eval_escaping(&e.expr);
                self.eval_escaping(&e.len);
                Value::Unknown
            }
            syn::Expr::Index(e) => {
                let base = self.eval_escaping(&e.expr);
                self.eval_escaping(&e.index);
                // `x.size()[0]`, `x.dims()[0]`, `x.shape()[0]`: the first dimension.
                if base == Value::Shape && is_zero(&e.index) {
                    Value::Count(Divisor::Samples)
                } else {
                    Value::Unknown
                }
            }
            syn::Expr::Cast(e) => match self.eval_escaping(&e.expr) {
                // `loss.item() as f64` is still the loss.
                value @ Value::Computed(_) => value,
                _ => Value::Unknown,
            },
            syn::Expr::Range(e) => {
                if let Some(start) = &e.start {
                    self.eval_escaping(start);
                }
                if let Some(end) = &e.end {
                    self.eval_escaping(end);
                }
                Value::Unknown
            }
            syn::Expr::RawAddr(e) => {
                self.eval_escaping(&e.expr);
                Value::Unknown
            }
            syn::Expr::Macro(e) => {
                self.macro_call(&e.mac);
                Value::Unknown
            }
            _ => Value::Unknown,
        }
    }

    /// Evaluates a block in its own scope; its value is the tail expression's.
    pub(crate) fn block(&mut self, block: &syn::Block) -> Value {
        self.env.push();
        let mut value = Value::Unknown;
        for stmt in &block.stmts {
            value = Value::Unknown;
            match stmt {
                syn::Stmt::Local(local) => self.local(local),
                syn::Stmt::Item(item) => self.nested.push(item.clone()),
                syn::Stmt::Expr(expr, semi) => {
                    let result = self.eval(expr);
                    if semi.is_none() {
                        value = result;
                    }
                }
                syn::Stmt::Macro(stmt) => self.macro_call(&stmt.mac),
            }
        }
        self.env.pop();
        value
    }

    fn local(&mut self, local: &syn::Local) {
        let mut value = match &local.init {
            Some(init) => {
                let value = self.eval(&init.expr);
                if let Some((_, diverge)) = &init.diverge {
                    self.eval_escaping(diverge);
                }
                value
            }
            None => Value::Unknown,
        };
        if let syn::Pat::Type(typed) = &local.pat {
            // A written type pins the value's type: a builder fix would change it.
            self.escape(&value);
            if let Some(options) = local
                .init
                .as_ref()
                .and_then(|init| self.default_options_for_type(&typed.ty, &init.expr))
            {
                value = Value::Options(Box::new(options));
            }
        }
        self.bind_pattern(&local.pat, value);
    }

    /// Binds the names of a pattern: a plain name gets the value, a tuple pattern the
    /// elements of a tuple, a struct pattern the fields of a struct value, `Ok(x)` / `Some(x)`
    /// the value itself; other names are unknown.
    pub(crate) fn bind_pattern(&mut self, pat: &syn::Pat, value: Value) {
        match (pat, value) {
            (syn::Pat::Tuple(tuple), Value::Tuple(values))
                if tuple.elems.len() == values.len()
                    && !tuple.elems.iter().any(|p| matches!(p, syn::Pat::Rest(_))) =>
            {
                for (elem, value) in tuple.elems.iter().zip(values) {
                    self.bind_pattern(elem, value);
                }
            }
            (syn::Pat::Struct(pattern), Value::Record { ty, fields }) => {
                for field in &pattern.fields {
                    let value = match &field.member {
                        syn::Member::Named(member) => {
                            let span = self.span_of(field);
                            self.record_field(ty.as_deref(), &fields, &member.to_string(), span)
                        }
                        syn::Member::Unnamed(_) => Value::Unknown,
                    };
                    self.bind_pattern(&field.pat, value);
                }
            }
            (syn::Pat::TupleStruct(pattern), value)
                if pattern.elems.len() == 1
                    && pattern
                        .path
                        .segments
                        .last()
                        .is_some_and(|s| s.ident == "Ok" || s.ident == "Some") =>
            {
                if let Some(inner) = pattern.elems.first() {
                    self.bind_pattern(inner, value);
                }
            }
            (pat, value) => self.bind_simple(pat, value),
        }
    }

    fn bind_simple(&mut self, pat: &syn::Pat, value: Value) {
        match pat {
            syn::Pat::Ident(ident) => {
                if let Some((_, sub)) = &ident.subpat {
                    self.bind_pattern(sub, Value::Unknown);
                }
                self.env.bind(ident.ident.to_string(), value);
            }
            syn::Pat::Type(typed) => self.bind_pattern(&typed.pat, value),
            syn::Pat::Reference(reference) => self.bind_pattern(&reference.pat, value),
            syn::Pat::Paren(paren) => self.bind_pattern(&paren.pat, value),
            // `let _ = x;` drops the value: nothing it could pin.
            syn::Pat::Wild(_) => {}
            other => {
                self.escape(&value);
                let mut names = Names::default();
                names.visit_pat(other);
                for name in names.0 {
                    self.env.bind(name, Value::Unknown);
                }
            }
        }
    }

    fn path_expr(&mut self, expr: &syn::ExprPath) -> Value {
        if expr.qself.is_none()
            && let Some(ident) = expr.path.get_ident()
            && let Some(value) = self.env.get(&ident.to_string())
        {
            return value.clone();
        }
        let Some(path) = self.resolve_expr_path(expr) else {
            return Value::Unknown;
        };
        // A unit struct used as a value (`MseLoss`), an activation used as a layer
        // (`Activation::Sigmoid`).
        for meaning in lookup::meanings(&path) {
            match meaning {
                Meaning::Constructor(api) => {
                    let span = self.span_of(expr);
                    let name_span = expr
                        .path
                        .segments
                        .last()
                        .map_or(span, |segment| self.span_of(&segment.ident));
                    return self.new_object(*api, span, name_span, false);
                }
                Meaning::ActivationLayer(activation) => {
                    let span = self.span_of(expr);
                    let output = Value::Tensor(Origin::Activation {
                        activation: *activation,
                        span,
                    });
                    return Value::Callable(Box::new(output));
                }
                _ => {}
            }
        }
        Value::Unknown
    }

    /// The canonical path of a path expression (`<X<T>>::new` included).
    pub(crate) fn resolve_expr_path(&self, expr: &syn::ExprPath) -> Option<String> {
        match &expr.qself {
            None => self.cx.imports.resolve_path(&expr.path),
            Some(qself) => {
                // `<X as Trait>::f` names the trait's function: not followed.
                if qself.position > 0 {
                    return None;
                }
                let syn::Type::Path(ty) = &*qself.ty else {
                    return None;
                };
                if ty.qself.is_some() {
                    return None;
                }
                let mut segments: Vec<String> = ty
                    .path
                    .segments
                    .iter()
                    .map(|s| s.ident.to_string())
                    .collect();
                segments.extend(expr.path.segments.iter().map(|s| s.ident.to_string()));
                self.cx.imports.resolve(&segments)
            }
        }
    }

    fn field(&mut self, expr: &syn::ExprField) -> Value {
        let span = self.span_of(expr);
        if let (syn::Expr::Path(base), syn::Member::Named(member)) = (&*expr.base, &expr.member)
            && base.path.is_ident("self")
            && base.qself.is_none()
        {
            let name = member.to_string();
            if let Some(&index) = self.detached_fields.get(&name) {
                return Value::Loss(index);
            }
            let ty = self.self_fields.and_then(|fields| fields.get(&name));
            match ty.map(|ty| self.value_of_type(ty)) {
                Some(Value::Loss(index)) => {
                    self.detached_fields.insert(name, index);
                    return Value::Loss(index);
                }
                Some(layer @ Value::Callable(_)) => return layer,
                _ => {}
            }
            let owner = self.self_type.clone();
            return self.record_field(owner.as_deref(), &[], &name, span);
        }
        let base = self.eval(&expr.base);
        self.escape(&base);
        match (base, &expr.member) {
            // lossfit's `ScalarLoss::value`.
            (value @ Value::Computed(_), syn::Member::Named(member)) if member == "value" => value,
            (Value::Tuple(values), syn::Member::Unnamed(index)) => values
                .get(index.index as usize)
                .cloned()
                .unwrap_or(Value::Unknown),
            (Value::Record { ty, fields }, syn::Member::Named(member)) => {
                self.record_field(ty.as_deref(), &fields, &member.to_string(), span)
            }
            (Value::Record { ty, fields }, syn::Member::Unnamed(index)) => {
                self.record_field(ty.as_deref(), &fields, &index.index.to_string(), span)
            }
            _ => Value::Unknown,
        }
    }

    /// A field of a struct value: known here, else what the file stores into the type's
    /// field, else an instance of the field's declared type when that is a file struct.
    pub(crate) fn record_field(
        &mut self,
        ty: Option<&str>,
        fields: &[(String, Value)],
        name: &str,
        span: Span,
    ) -> Value {
        if let Some((_, value)) = fields.iter().find(|(field, _)| field == name) {
            return value.clone();
        }
        let Some(ty) = ty else {
            return Value::Unknown;
        };
        let key = FieldKey {
            ty: ty.to_string(),
            field: name.to_string(),
        };
        if self.cx.flow.program().is_written(&key) {
            let stored = self.cx.flow.load(&key, self.cx);
            return self.localize(&stored, None, span);
        }
        let declared = self
            .cx
            .structs
            .get(ty)
            .and_then(Option::as_ref)
            .and_then(|fields| fields.get(name));
        let file_type = declared.and_then(|declared| self.file_type(declared));
        Self::instance(file_type)
    }

    /// A value as it leaves this body (a summary, a field store): loss objects become their
    /// API, options unknown, and parameters too unless `params` (a summary keeps them for
    /// the call site to replace).
    pub(crate) fn portable(&self, value: &Value, params: bool) -> Value {
        match value {
            Value::Loss(index) => self
                .objects
                .get(*index)
                .map_or(Value::Unknown, |object| Value::LossApi(object.api)),
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

    /// A summary's value where it is used: parameters become the call's arguments (`args`),
    /// loss APIs detached objects (built elsewhere) at `span`.
    pub(crate) fn localize(&mut self, value: &Value, args: Option<&[Value]>, span: Span) -> Value {
        match value {
            Value::Param(index) => args
                .and_then(|args| args.get(*index))
                .cloned()
                .unwrap_or(Value::Unknown),
            Value::LossApi(api) => self.new_object(*api, span, span, true),
            Value::Tuple(values) => Value::Tuple(
                values
                    .iter()
                    .map(|v| self.localize(v, args, span))
                    .collect(),
            ),
            Value::Record { ty, fields } => Value::Record {
                ty: ty.clone(),
                fields: fields
                    .iter()
                    .map(|(name, v)| (name.clone(), self.localize(v, args, span)))
                    .collect(),
            },
            Value::Callable(inner) => Value::Callable(Box::new(self.localize(inner, args, span))),
            other => other.clone(),
        }
    }

    /// Stores a value into a file type's field (a literal, an assignment).
    pub(crate) fn store_field(&self, ty: &str, field: &str, value: &Value) {
        let key = FieldKey {
            ty: ty.to_string(),
            field: field.to_string(),
        };
        if self.cx.flow.program().is_written(&key) {
            self.cx.flow.store(key, self.portable(value, false));
        }
    }

    /// What the summary of the file's body at `index` says a call returns; the call's
    /// arguments are recorded for the body's parameters.
    pub(crate) fn call_summary(&mut self, index: usize, args: &[Value], span: Span) -> Value {
        let passed = args.iter().map(|arg| self.portable(arg, false)).collect();
        self.cx.flow.record_call(index, passed);
        let summary = self.cx.flow.summary(index, self.cx);
        self.localize(&summary, Some(args), span)
    }

    /// The value a parameter or field of this type holds: a detached loss object when the
    /// type is a known loss type, else unknown.
    pub(crate) fn value_of_type(&mut self, ty: &syn::Type) -> Value {
        let ty = strip_type(ty);
        let syn::Type::Path(path) = ty else {
            return Value::Unknown;
        };
        if path.qself.is_some() {
            return Value::Unknown;
        }
        let Some(resolved) = self.cx.imports.resolve_path(&path.path) else {
            return Value::Unknown;
        };
        for meaning in lookup::meanings(&resolved) {
            match meaning {
                Meaning::LossType(api) => {
                    let span = self.span_of(ty);
                    return self.new_object(*api, span, span, true);
                }
                // A field `sigmoid: nn::Sigmoid` is a layer whose output is a sigmoid's.
                Meaning::ActivationLayer(activation) => {
                    let span = self.span_of(ty);
                    let output = Value::Tensor(Origin::Activation {
                        activation: *activation,
                        span,
                    });
                    return Value::Callable(Box::new(output));
                }
                _ => {}
            }
        }
        Value::Unknown
    }

    /// A closure: callable, with the value its body computes from unknown arguments.
    fn closure(&mut self, expr: &syn::ExprClosure) -> Value {
        self.env.push();
        self.loop_depth += 1;
        self.closure_depth += 1;
        let outer_returned = std::mem::take(&mut self.closure_returned);
        for input in &expr.inputs {
            self.bind_pattern(input, Value::Unknown);
        }
        let value = self.eval_escaping(&expr.body);
        let returned = std::mem::replace(&mut self.closure_returned, outer_returned);
        self.closure_depth -= 1;
        self.loop_depth -= 1;
        self.env.pop();
        if returned {
            Value::Callable(Box::new(Value::Unknown))
        } else {
            Value::Callable(Box::new(value))
        }
    }

    fn if_expr(&mut self, expr: &syn::ExprIf) -> Value {
        let before = self.env.clone();
        self.env.push();
        let cond = self.eval(&expr.cond);
        self.escape(&cond);
        let then_value = self.block(&expr.then_branch);
        self.env.pop();
        let after_then = std::mem::replace(&mut self.env, before);
        let else_value = expr
            .else_branch
            .as_ref()
            .map(|(_, else_expr)| self.eval(else_expr));
        let after_else = std::mem::take(&mut self.env);
        self.env = self.merge_envs(vec![after_then, after_else]);
        if let Some(else_value) = else_value {
            self.merge_values(vec![then_value, else_value])
        } else {
            self.escape(&then_value);
            Value::Unknown
        }
    }

    fn match_expr(&mut self, expr: &syn::ExprMatch) -> Value {
        let scrutinee = self.eval(&expr.expr);
        self.escape(&scrutinee);
        let before = self.env.clone();
        let mut envs = Vec::new();
        let mut values = Vec::new();
        for arm in &expr.arms {
            self.env = before.clone();
            self.env.push();
            self.bind_pattern(&arm.pat, Value::Unknown);
            if let Some((_, guard)) = &arm.guard {
                self.eval_escaping(guard);
            }
            values.push(self.eval(&arm.body));
            self.env.pop();
            envs.push(std::mem::take(&mut self.env));
        }
        if envs.is_empty() {
            self.env = before;
            return Value::Unknown;
        }
        self.env = self.merge_envs(envs);
        self.merge_values(values)
    }

    /// A loop body: variables it assigns are unknown before and after it (their value depends
    /// on the iteration).
    fn repeated(
        &mut self,
        body: &syn::Block,
        bind: impl FnOnce(&mut Self),
        cond: Option<&syn::Expr>,
    ) {
        let mut assigned = Assigned::default();
        assigned.visit_block(body);
        if let Some(cond) = cond {
            assigned.visit_expr(cond);
        }
        for name in &assigned.0 {
            self.env.assign(name, Value::Unknown);
        }
        self.env.push();
        if let Some(cond) = cond {
            let value = self.eval(cond);
            self.escape(&value);
        }
        bind(self);
        self.loop_depth += 1;
        let value = self.block(body);
        self.loop_depth -= 1;
        self.escape(&value);
        self.env.pop();
        for name in &assigned.0 {
            self.env.assign(name, Value::Unknown);
        }
    }

    fn assign(&mut self, left: &syn::Expr, right: &syn::Expr) {
        // `total = total + loss.item()` accumulates like `+=`.
        if let (Some(name), syn::Expr::Binary(sum)) = (single_ident(left), strip(right))
            && matches!(sum.op, syn::BinOp::Add(_))
            && single_ident(&sum.left).as_ref() == Some(&name)
        {
            self.eval_escaping(&sum.left);
            let added = self.eval_escaping(&sum.right);
            let span = Span {
                start: self.span_of(left).start,
                end: self.span_of(right).end,
            };
            self.accumulate(left, &sum.right, &added, span);
            self.env.assign(&name, Value::Unknown);
            return;
        }
        if let Some(name) = single_ident(left) {
            let value = self.eval(right);
            if self.env.get(&name).is_some() {
                self.env.assign(&name, value);
            } else {
                self.escape(&value);
            }
            return;
        }
        // `self.probs = ..` stores into the `impl`'s type; `out.probs = ..` updates a local
        // struct value (and stores into its type).
        if let syn::Expr::Field(field) = left
            && let syn::Member::Named(member) = &field.member
            && let Some(base) = single_ident(&field.base)
            && !matches!(self.env.get(&base), Some(Value::Options(_)))
        {
            let member = member.to_string();
            let value = self.eval_escaping(right);
            if base == "self" {
                if let Some(owner) = self.self_type.clone() {
                    self.store_field(&owner, &member, &value);
                }
                return;
            }
            if let Some(Value::Record { ty, fields }) = self.env.get_mut(&base) {
                fields.retain(|(name, _)| *name != member);
                fields.push((member.clone(), value.clone()));
                if let Some(ty) = ty.clone() {
                    self.store_field(&ty, &member, &value);
                }
                return;
            }
            return;
        }
        if let syn::Expr::Field(field) = left
            && let (Some(base), syn::Member::Named(member)) =
                (single_ident(&field.base), &field.member)
            && let Some(Value::Options(_)) = self.env.get(&base)
        {
            let member = member.to_string();
            let update = self.options_field_update(&member, right);
            if let Some(Value::Options(options)) = self.env.get_mut(&base) {
                apply_options_update(options, &member, update);
            }
            return;
        }
        self.eval_escaping(left);
        self.eval_escaping(right);
    }

    /// Macro arguments that parse as comma-separated expressions (`println!`, `assert!`,
    /// `vec!`) are evaluated for the loss calls they hold.
    fn macro_call(&mut self, mac: &syn::Macro) {
        let Ok(args) = mac.parse_body_with(
            syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated,
        ) else {
            return;
        };
        // The parsed expressions live only as long as this call; their spans are the file's.
        for arg in &args {
            self.eval_escaping(arg);
        }
    }

    /// Joins the environments of branches: a variable keeps its value where all branches agree.
    fn merge_envs(&mut self, envs: Vec<Env>) -> Env {
        let mut lost = Vec::new();
        let merged = Env::merge(envs, |value| lost.push(value.clone()));
        for value in &lost {
            self.lose_track(value);
        }
        merged
    }

    fn merge_values(&mut self, values: Vec<Value>) -> Value {
        let mut iter = values.into_iter();
        let Some(mut merged) = iter.next() else {
            return Value::Unknown;
        };
        for value in iter {
            let joined = join(&merged, &value);
            if joined == Value::Unknown {
                self.lose_track(&merged);
                self.lose_track(&value);
            }
            merged = joined;
        }
        merged
    }

    /// The origin a value carries into a loss argument.
    pub(crate) fn origin(value: &Value) -> Origin {
        match value {
            Value::Tensor(origin) => origin.clone(),
            _ => Origin::Unknown,
        }
    }

    /// Makes a new loss object.
    pub(crate) fn new_object(
        &mut self,
        api: lookup::Api,
        span: Span,
        name_span: Span,
        detached: bool,
    ) -> Value {
        let params = vec![Param::NotSet; api.api.weights.len()];
        self.objects.push(LossObject {
            api,
            detached,
            span,
            name_span,
            constructor_end: span.end,
            reduction: None,
            params,
            // A detached object's flag was set where it was built.
            logits: if detached && api.api.logits_flag.is_some() {
                Flag::Unknown
            } else {
                Flag::NotSet
            },
            finished: detached,
            escaped: detached,
            conditional: false,
            arguments: Vec::new(),
            call_sites: 0,
        });
        Value::Loss(self.objects.len() - 1)
    }

    /// The API entry of an object.
    pub(crate) fn object_api(&self, index: usize) -> Option<&'static LossApi> {
        self.objects.get(index).map(|object| object.api.api)
    }

    /// The arguments of a call, as facts.
    pub(crate) fn argument(
        &self,
        role: crate::facts::Role,
        expr: &syn::Expr,
        value: &Value,
        tracked: bool,
    ) -> Argument {
        let span = self.span_of(expr);
        if tracked && let Value::Param(index) = value {
            self.parameters.borrow_mut().push((span, *index));
        }
        Argument {
            role,
            span,
            origin: if tracked {
                Self::origin(value)
            } else {
                Origin::Unknown
            },
        }
    }
}

/// Whether a reduction word is a mean (`Reduction::Mean`, `"mean"`, `Mean`, `Auto`: burn's
/// default is the mean).
fn is_mean_word(word: &str) -> bool {
    let last = word.rsplit("::").next().unwrap_or(word).trim_matches('"');
    last.eq_ignore_ascii_case("mean") || last == "Auto"
}

/// Whether a parameter type holds integer class labels: burn's `Tensor<B, D, Int>`,
/// lossfit's `ClassIndices` / `TokenIndices`, or an integer `ndarray` array, slice or `Vec`.
fn holds_class_labels(ty: &syn::Type) -> bool {
    const INTEGERS: &[&str] = &[
        "usize", "isize", "i64", "i32", "i16", "i8", "u64", "u32", "u16", "u8",
    ];
    let generic_types = |args: &syn::PathArguments| -> Vec<String> {
        let syn::PathArguments::AngleBracketed(args) = args else {
            return Vec::new();
        };
        args.args
            .iter()
            .filter_map(|arg| match arg {
                syn::GenericArgument::Type(syn::Type::Path(path)) => {
                    path.path.segments.last().map(|s| s.ident.to_string())
                }
                _ => None,
            })
            .collect()
    };
    match strip_type(ty) {
        syn::Type::Slice(slice) => {
            holds_class_labels(&slice.elem)
                || matches!(strip_type(&slice.elem), syn::Type::Path(p)
                if p.path.segments.last().is_some_and(|s| INTEGERS.contains(&s.ident.to_string().as_str())))
        }
        syn::Type::Path(path) => {
            let Some(last) = path.path.segments.last() else {
                return false;
            };
            let name = last.ident.to_string();
            let args = generic_types(&last.arguments);
            match name.as_str() {
                "ClassIndices" | "TokenIndices" => true,
                "Tensor" => args.last().is_some_and(|kind| kind == "Int"),
                "Vec" | "Array1" | "ArrayView1" | "Array" | "ArrayView" => args
                    .first()
                    .is_some_and(|element| INTEGERS.contains(&element.as_str())),
                _ => false,
            }
        }
        _ => false,
    }
}

/// Whether a block's last statement is a `return`: its tail is then not a returned value.
fn ends_in_return(block: &syn::Block) -> bool {
    matches!(
        block.stmts.last(),
        Some(syn::Stmt::Expr(syn::Expr::Return(_), _))
    )
}

/// `0` (the first dimension's index).
pub(crate) fn is_zero(expr: &syn::Expr) -> bool {
    matches!(
        strip(expr),
        syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(int), .. }) if int.base10_digits() == "0"
    )
}

/// The name of what a `for` loop iterates: `loader` of `loader.iter()`, `&batches`,
/// `self.loader.iter().enumerate()`.
fn iterated_name(expr: &syn::Expr) -> Option<String> {
    match strip(expr) {
        syn::Expr::MethodCall(call)
            if matches!(
                call.method.to_string().as_str(),
                "iter" | "iter_mut" | "into_iter" | "enumerate" | "by_ref" | "take" | "skip"
            ) =>
        {
            iterated_name(&call.receiver)
        }
        syn::Expr::Field(field) => match &field.member {
            syn::Member::Named(member) => Some(member.to_string()),
            syn::Member::Unnamed(_) => None,
        },
        other => single_ident(other),
    }
}

fn is_compound_assignment(op: syn::BinOp) -> bool {
    matches!(
        op,
        syn::BinOp::AddAssign(_)
            | syn::BinOp::SubAssign(_)
            | syn::BinOp::MulAssign(_)
            | syn::BinOp::DivAssign(_)
            | syn::BinOp::RemAssign(_)
            | syn::BinOp::BitXorAssign(_)
            | syn::BinOp::BitAndAssign(_)
            | syn::BinOp::BitOrAssign(_)
            | syn::BinOp::ShlAssign(_)
            | syn::BinOp::ShrAssign(_)
    )
}

/// `x` of the expression `x`.
pub(crate) fn single_ident(expr: &syn::Expr) -> Option<String> {
    match expr {
        syn::Expr::Path(path) if path.qself.is_none() => {
            path.path.get_ident().map(ToString::to_string)
        }
        syn::Expr::Paren(paren) => single_ident(&paren.expr),
        syn::Expr::Group(group) => single_ident(&group.expr),
        _ => None,
    }
}

/// The expression under references, parentheses and groups.
pub(crate) fn strip(expr: &syn::Expr) -> &syn::Expr {
    match expr {
        syn::Expr::Reference(e) => strip(&e.expr),
        syn::Expr::Paren(e) => strip(&e.expr),
        syn::Expr::Group(e) => strip(&e.expr),
        other => other,
    }
}

/// The type under references, parentheses and groups.
fn strip_type(ty: &syn::Type) -> &syn::Type {
    match ty {
        syn::Type::Reference(r) => strip_type(&r.elem),
        syn::Type::Paren(p) => strip_type(&p.elem),
        syn::Type::Group(g) => strip_type(&g.elem),
        other => other,
    }
}

/// The names a pattern binds.
#[derive(Default)]
struct Names(Vec<String>);

impl<'ast> Visit<'ast> for Names {
    fn visit_pat_ident(&mut self, pat: &'ast syn::PatIdent) {
        self.0.push(pat.ident.to_string());
        syn::visit::visit_pat_ident(self, pat);
    }
}

/// The variables a loop body assigns (`x = ..`, `x += ..`), closures included.
#[derive(Default)]
struct Assigned(Vec<String>);

impl<'ast> Visit<'ast> for Assigned {
    fn visit_expr_assign(&mut self, expr: &'ast syn::ExprAssign) {
        if let Some(name) = single_ident(&expr.left) {
            self.0.push(name);
        }
        syn::visit::visit_expr_assign(self, expr);
    }

    fn visit_expr_binary(&mut self, expr: &'ast syn::ExprBinary) {
        if is_compound_assignment(expr.op)
            && let Some(name) = single_ident(&expr.left)
        {
            self.0.push(name);
        }
        syn::visit::visit_expr_binary(self, expr);
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

/// How an assignment to an options field changes it.
#[derive(Debug)]
pub(crate) enum OptionsUpdate {
    Reduction { value: String, span: Span },
    Param(Param),
    Other,
}

fn apply_options_update(options: &mut OptionsValue, member: &str, update: OptionsUpdate) {
    match update {
        OptionsUpdate::Reduction { value, span } => {
            options.reduction = OptionsReduction::Explicit { value, span };
        }
        OptionsUpdate::Param(param) => {
            options.fields.retain(|(name, _)| name != member);
            options.fields.push((member.to_string(), param));
        }
        OptionsUpdate::Other => {}
    }
}
