//! Calls: table APIs through the file's imports (losses, activations, `nn.Sequential`,
//! `functools.partial`), the file's functions and classes (their summaries from the engine),
//! methods of tensors, models and computed losses, and `len(..)` counts.

use super::eval::{Eval, instance};
use super::ir::{BinOp, Expr, Keyword, Range};
use crate::facts::{Divisor, Origin};
use crate::flow::FnKey;
use crate::flow::counts::{by_name, collection_by_name};
use crate::flow::value::Value;
use crate::frontend::apis::pytorch::{self, PyForm};

/// Methods of `nn.Module` that return the module itself.
const MODULE_SELF: &[&str] = &[
    "to",
    "cuda",
    "cpu",
    "train",
    "eval",
    "float",
    "double",
    "half",
    "bfloat16",
    "requires_grad_",
];

impl Eval<'_, '_, '_> {
    pub(crate) fn call(
        &mut self,
        func: &Expr,
        args: &[Expr],
        keywords: &[Keyword],
        args_range: Range,
        range: Range,
    ) -> Value {
        if let Some(path) = self.path_of(func) {
            return self.library_call(&path, func, args, keywords, args_range, range);
        }
        if let Expr::Name { id, .. } = func
            && !self.is_local(id)
            && self.import_path(id).is_none()
        {
            if let Some(value) = self.builtin(id, args, keywords) {
                return value;
            }
            let key = FnKey {
                owner: None,
                name: id.clone(),
            };
            if let Some(index) = self.cx.flow.program().unique(&key) {
                return self.call_body(index, args, keywords);
            }
            if self.cx.classes.contains(id) {
                self.eval_args(args, keywords);
                return instance(id);
            }
        }
        if let Expr::Attribute {
            value: receiver,
            attr,
            ..
        } = func
        {
            let receiver_value = self.eval(receiver);
            return self.method(
                receiver_value,
                receiver,
                attr,
                func,
                args,
                keywords,
                args_range,
                range,
            );
        }
        let callee = self.eval(func);
        self.call_value(callee, func, args, keywords, args_range, range)
    }

    /// Evaluates arguments for what they contain (nested sites), discarding their values.
    pub(crate) fn eval_args(&mut self, args: &[Expr], keywords: &[Keyword]) -> Vec<Value> {
        let values = args.iter().map(|arg| self.eval(arg)).collect();
        for keyword in keywords {
            self.eval(&keyword.value);
        }
        values
    }

    /// A call of a library path (`nn.CrossEntropyLoss(..)`, `F.softmax(..)`, `partial(..)`).
    fn library_call(
        &mut self,
        path: &str,
        func: &Expr,
        args: &[Expr],
        keywords: &[Keyword],
        args_range: Range,
        range: Range,
    ) -> Value {
        if let Some(api) = pytorch::loss(path) {
            return match api.form {
                PyForm::Module => self.construct(api, func, args, keywords, args_range, range),
                PyForm::Function => {
                    self.function_call(api, func, args, keywords, args_range, range)
                }
            };
        }
        if let Some((_, activation)) = pytorch::ACTIVATION_FUNCTIONS
            .iter()
            .find(|(known, _)| *known == path)
        {
            self.eval_args(args, keywords);
            if let Some(input) = args.first() {
                self.activation_inputs.insert(range.start, input.range());
            }
            let span = self.span(range);
            return Value::Tensor(Origin::Activation {
                activation: *activation,
                span,
            });
        }
        if let Some((_, activation)) = pytorch::ACTIVATION_MODULES
            .iter()
            .find(|(known, _)| *known == path)
        {
            self.eval_args(args, keywords);
            let span = self.span(range);
            return Value::Callable(Box::new(Value::Tensor(Origin::Activation {
                activation: *activation,
                span,
            })));
        }
        // `nn.DataParallel(model)`, `torch.compile(model)`: the model, wrapped.
        if pytorch::WRAPPERS.contains(&path) {
            let values = self.eval_args(args, keywords);
            return values.into_iter().next().unwrap_or(Value::Unknown);
        }
        // `nn.parallel.data_parallel(module, inputs, ..)`: the module run on the inputs.
        if pytorch::RUN_MODULE.contains(&path) {
            let values = self.eval_args(args, keywords);
            return match values.into_iter().next() {
                Some(Value::Callable(result)) => *result,
                _ => Value::Unknown,
            };
        }
        if pytorch::SEQUENTIAL.contains(&path) {
            // `nn.Sequential(OrderedDict([.., ("softmax", nn.Softmax(dim=1))]))`
            if let [
                Expr::Call {
                    func, args: inner, ..
                },
            ] = args
                && func.dotted().is_some_and(|f| f.ends_with("OrderedDict"))
                && let [Expr::Tuple { elts, .. }] = inner.as_slice()
                && let Some(Expr::Tuple { elts: pair, .. }) = elts.last()
                && let [_, layer] = pair.as_slice()
            {
                self.eval_args(&elts[..elts.len() - 1], &[]);
                return match self.eval(layer) {
                    Value::Callable(last) => Value::Callable(last),
                    _ => Value::Callable(Box::new(Value::Unknown)),
                };
            }
            let values = self.eval_args(args, keywords);
            return match values.last() {
                Some(Value::Callable(last)) if keywords.is_empty() => Value::Callable(last.clone()),
                _ => Value::Callable(Box::new(Value::Unknown)),
            };
        }
        if pytorch::PARTIAL.contains(&path)
            && let Some((first, rest)) = args.split_first()
            && let Some(api) = self.path_of(first).and_then(|p| pytorch::loss(&p))
        {
            return self.partial(api, first, rest, keywords, args_range, range);
        }
        self.eval_args(args, keywords);
        Value::Unknown
    }

    /// Builtins that matter: `len(..)` counts, `float(..)`/`sum(..)` keep a computed loss.
    fn builtin(&mut self, name: &str, args: &[Expr], keywords: &[Keyword]) -> Option<Value> {
        match name {
            "len" => {
                let values = self.eval_args(args, keywords);
                let [arg] = args else {
                    return Some(Value::Unknown);
                };
                Some(match (values.first(), Self::len_of(arg)) {
                    (_, divisor @ (Divisor::Samples | Divisor::Batches)) => Value::Count(divisor),
                    (Some(Value::Tensor(_)), _) => Value::Count(Divisor::Samples),
                    _ => Value::Unknown,
                })
            }
            "float" | "int" => {
                let values = self.eval_args(args, keywords);
                Some(match values.first() {
                    Some(value @ (Value::Computed(_) | Value::Count(_))) => value.clone(),
                    _ => Value::Unknown,
                })
            }
            _ => None,
        }
    }

    /// What `len(x)` counts: a dataset's samples, a loader's batches (by the collection's last
    /// name: `len(loaders[phase].dataset)`, `len(self.train_dataloader())`,
    /// `len(loader.sampler)`).
    fn len_of(arg: &Expr) -> Divisor {
        let Some(last) = last_name(arg) else {
            return Divisor::Unknown;
        };
        if last.eq_ignore_ascii_case("sampler") {
            return Divisor::Samples;
        }
        match collection_by_name(last) {
            Divisor::Unknown => by_name(last),
            divisor => divisor,
        }
    }

    /// A call of one of the file's functions (or methods): its summary, parameters replaced by
    /// the arguments; the arguments are recorded for the callee's parameters.
    pub(crate) fn call_body(&mut self, index: usize, args: &[Expr], keywords: &[Keyword]) -> Value {
        let values = self.eval_args(args, keywords);
        let params = self
            .cx
            .flow
            .program()
            .body(index)
            .map(|body| body.params)
            .unwrap_or_default();
        let mut by_param: Vec<Value> = vec![Value::Unknown; params.len()];
        let starred = args.iter().any(|a| matches!(a, Expr::Starred { .. }));
        if !starred {
            for (slot, value) in by_param.iter_mut().zip(&values) {
                *slot = value.clone();
            }
        }
        for keyword in keywords {
            if let Some(name) = &keyword.name
                && let Some(at) = params.iter().position(|p| &p.name == name)
            {
                by_param[at] = self.eval(&keyword.value);
            }
        }
        let recorded = by_param.iter().map(|v| self.portable(v, false)).collect();
        self.cx.flow.record_call(index, recorded);
        let summary = self.cx.flow.summary(index, self.cx);
        Self::localize(&summary, Some(&by_param))
    }

    /// A method of one of the file's classes (or of its in-file bases).
    fn class_method(&self, class: &str, name: &str) -> Option<usize> {
        self.cx
            .classes
            .lineage(class)
            .into_iter()
            .find_map(|owner| {
                self.cx.flow.program().unique(&FnKey {
                    owner: Some(owner),
                    name: name.to_string(),
                })
            })
    }

    /// Calls a value: a loss object, a model (its `forward`), a layer or a lambda.
    pub(crate) fn call_value(
        &mut self,
        callee: Value,
        func: &Expr,
        args: &[Expr],
        keywords: &[Keyword],
        args_range: Range,
        range: Range,
    ) -> Value {
        match callee {
            Value::Loss(index) => self.apply(index, func, args, keywords, args_range, range),
            Value::Built { api, reduction } => {
                if let Some(index) = self.detached(api, reduction.as_deref(), func, range) {
                    self.apply(index, func, args, keywords, args_range, range)
                } else {
                    self.eval_args(args, keywords);
                    Value::Unknown
                }
            }
            Value::Callable(result) => {
                self.eval_args(args, keywords);
                *result
            }
            Value::Record { ty: Some(ty), .. } => {
                if let Some(index) = self.class_method(&ty, "forward") {
                    self.call_body(index, args, keywords)
                } else {
                    self.eval_args(args, keywords);
                    Value::Unknown
                }
            }
            _ => {
                self.eval_args(args, keywords);
                Value::Unknown
            }
        }
    }

    /// `receiver.attr(args)`.
    #[allow(clippy::too_many_arguments)]
    fn method(
        &mut self,
        receiver: Value,
        receiver_expr: &Expr,
        attr: &str,
        func: &Expr,
        args: &[Expr],
        keywords: &[Keyword],
        args_range: Range,
        range: Range,
    ) -> Value {
        match &receiver {
            Value::Loss(_) | Value::Built { .. } | Value::Callable(_) if attr == "forward" => {
                return self.call_value(receiver, func, args, keywords, args_range, range);
            }
            Value::Record { ty: Some(ty), .. } => {
                if let Some(index) = self.class_method(ty, attr) {
                    return self.call_body(index, args, keywords);
                }
                if MODULE_SELF.contains(&attr) {
                    self.eval_args(args, keywords);
                    return receiver;
                }
                // A field holding a loss, a layer or a model: `self.criterion(out, y)`.
                let callee = self.eval(func);
                return self.call_value(callee, func, args, keywords, args_range, range);
            }
            // `nn.CrossEntropyLoss().to(device)`, `layer.cuda()`: a module's `to`/`cuda`
            // return the module.
            Value::Loss(_) | Value::Built { .. } | Value::Callable(_)
                if MODULE_SELF.contains(&attr) =>
            {
                self.eval_args(args, keywords);
                return receiver;
            }
            _ => {}
        }
        self.eval_args(args, keywords);
        if let Value::Computed(word) = &receiver {
            if pytorch::SCALAR_METHODS.contains(&attr) {
                return receiver.clone();
            }
            if matches!(attr, "mean" | "sum") {
                // Per-sample losses reduce here; a scalar (already reduced) stays what it is:
                // `.sum()` of a batch mean is that mean.
                return match word {
                    Some(w) if is_per_sample(w) => Value::Computed(Some(attr.to_string())),
                    _ => receiver.clone(),
                };
            }
            return Value::Unknown;
        }
        if self.cx.uses_torch
            && let Some((_, activation)) = pytorch::ACTIVATION_METHODS
                .iter()
                .find(|(name, _)| *name == attr)
        {
            self.activation_inputs
                .insert(range.start, receiver_expr.range());
            let span = self.span(range);
            return Value::Tensor(Origin::Activation {
                activation: *activation,
                span,
            });
        }
        if let Value::Tensor(_) = receiver
            && pytorch::SHAPE_METHODS.contains(&attr)
        {
            return receiver;
        }
        match attr {
            "size" if args.is_empty() => Value::Shape,
            "size" => match args.first() {
                Some(Expr::Number { text, .. }) if text == "0" => Value::Count(Divisor::Samples),
                _ => Value::Unknown,
            },
            "item" if matches!(receiver, Value::Count(_)) => receiver,
            _ => Value::Unknown,
        }
    }

    /// `left op right`: a computed loss times a batch size is a per-batch sum; sums of
    /// computed losses with the same reduction keep it.
    pub(crate) fn binop(&mut self, left: &Expr, op: BinOp, right: &Expr) -> Value {
        let accumulator = match (op, left) {
            (BinOp::Div, Expr::Name { id, .. }) => self.accumulators.get(id).cloned(),
            _ => None,
        };
        let l = self.eval(left);
        let r = self.eval(right);
        if let Some(accumulator) = accumulator {
            self.divided(&accumulator, right, &r);
        }
        match (op, &l, &r) {
            (BinOp::Mult, Value::Computed(word), other)
            | (BinOp::Mult, other, Value::Computed(word))
                if word.as_deref().is_some_and(is_mean) =>
            {
                let side = if matches!(l, Value::Computed(_)) {
                    right
                } else {
                    left
                };
                let counted = matches!(other, Value::Count(Divisor::Samples))
                    || side.dotted().is_some_and(|name| {
                        is_batch_size(name.rsplit('.').next().unwrap_or(&name))
                    });
                if counted {
                    Value::Computed(Some("sum".to_string()))
                } else {
                    Value::Unknown
                }
            }
            (BinOp::Add, Value::Computed(a), Value::Computed(b)) if a == b => l.clone(),
            (BinOp::Add | BinOp::Sub | BinOp::Mult, Value::Count(a), Value::Count(b)) if a == b => {
                l.clone()
            }
            _ => Value::Unknown,
        }
    }
}

/// The last name of `x`, `a.b.x`, `xs[i]`, `make_x()`.
fn last_name(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Name { id, .. } => Some(id),
        Expr::Attribute { attr, .. } => Some(attr),
        Expr::Subscript { value, .. } => last_name(value),
        Expr::Call { func, .. } => last_name(func),
        _ => None,
    }
}

/// Whether a reduction word means one loss per sample (`"none"`).
pub(crate) fn is_per_sample(word: &str) -> bool {
    word.trim_matches(['"', '\'']).eq_ignore_ascii_case("none")
}

/// Whether a reduction word is the mean.
pub(crate) fn is_mean(word: &str) -> bool {
    word.trim_matches(['"', '\'']).eq_ignore_ascii_case("mean")
}

/// A name that holds the size of a batch (`batch_size`, `bs`, `n`).
fn is_batch_size(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.contains("batch_size")
        || name == "bs"
        || name == "batchsize"
        || name == "n"
        || name == "b"
        || name.ends_with("_bs")
        || name == "num_samples"
        || name == "n_samples"
        || name == "size"
}
