//! Recognises the table APIs inside a function body and turns them into loss sites: loss
//! objects (built, configured by builder methods, applied), loss functions and loss methods,
//! and activations (the options structs of functional losses are `options.rs`'s).
//!
//! One site per construction when the reduction belongs to the object (lossfit builders,
//! burn cross-entropy): applies add their arguments to it. One site per call when the call
//! chooses the reduction (burn `forward(.., Reduction::Auto)`, tch, functions), pointing at
//! the call; the first such call of an object also carries the object's weighting.

use super::accumulate::SCALAR;
use super::dataflow::{
    Flag, FnAnalysis, Found, LossObject, OptionsReduction, Param, TRANSPARENT, Value, strip,
};
use super::lookup::{self, Api, Meaning, ModelMethod};
use super::options::{default_options, options_api};
use super::spans::SpanMap;
use crate::facts::{
    Argument, Edit, LossKind, LossSite, Origin, Reduction, Role, Span, WeightHint, Weighting,
};
use crate::flow::FnKey;
use crate::frontend::apis::{Apply, Form, LossApi, ReductionSpec, WeightAt};

impl FnAnalysis<'_, '_> {
    /// A call `f(args..)`.
    pub(crate) fn call(&mut self, expr: &syn::ExprCall) -> Value {
        if let Some(value) = self.number_conversion(expr) {
            return value;
        }
        let syn::Expr::Path(func) = &*expr.func else {
            // `(self.head)(x)`, `make_loss()(x)`: not followed.
            let callee = self.eval(&expr.func);
            self.escape(&callee);
            for arg in &expr.args {
                self.eval_escaping(arg);
            }
            return Value::Unknown;
        };
        // A local variable (a closure) shadows every import.
        let local = func.qself.is_none()
            && func
                .path
                .get_ident()
                .is_some_and(|ident| self.env.get(&ident.to_string()).is_some());
        if local {
            let callee = self.eval(&expr.func);
            for arg in &expr.args {
                self.eval_escaping(arg);
            }
            // The closure's value already speaks of this body's names.
            return match callee {
                Value::Callable(result) => *result,
                _ => Value::Unknown,
            };
        }
        if let Some(path) = self.resolve_expr_path(func)
            && let Some(value) = self.api_call(&path, expr, func)
        {
            return value;
        }
        if let Some(value) = self.wrapper_call(expr, func) {
            return value;
        }
        if let Some(index) = self.file_function(func) {
            let mut values: Vec<Value> = expr
                .args
                .iter()
                .map(|arg| self.eval_escaping(arg))
                .collect();
            // `Model::forward(&model, x)`: the receiver is not a parameter.
            let has_receiver = self
                .cx
                .flow
                .program()
                .body(index)
                .is_some_and(|body| body.sig.receiver().is_some());
            if has_receiver && !values.is_empty() {
                values.remove(0);
            }
            let span = self.span_of(expr);
            return self.call_summary(index, &values, span);
        }
        self.path_call(expr, func)
    }

    /// A call of a path that is neither an API nor one of the file's functions: a trait's
    /// method called on one of the file's types or on a model (`nn::ModuleT::forward_t(net,
    /// xs, true)`, `Module::forward(&seq, &xs)`), or a tuple struct or variant built
    /// (`TokenProbs(probs)`, whose `.0` is then `probs`).
    fn path_call(&mut self, expr: &syn::ExprCall, func: &syn::ExprPath) -> Value {
        let values: Vec<Value> = expr
            .args
            .iter()
            .map(|arg| self.eval_escaping(arg))
            .collect();
        let Some(name) = func.path.segments.last().map(|s| s.ident.to_string()) else {
            return Value::Unknown;
        };
        if func.path.segments.len() > 1
            && let Some((receiver, rest)) = values.split_first()
        {
            match receiver {
                Value::Record { ty: Some(ty), .. } => {
                    let key = FnKey {
                        owner: Some(ty.clone()),
                        name,
                    };
                    if let Some(index) = self.cx.flow.program().unique(&key) {
                        let span = self.span_of(expr);
                        return self.call_summary(index, rest, span);
                    }
                    return Value::Unknown;
                }
                Value::Callable(result) => {
                    let imports = self.cx.imports;
                    let uses = |name: &str| imports.uses_crate(name);
                    if lookup::model_method(&name, uses) == Some(ModelMethod::Run) {
                        return (**result).clone();
                    }
                    return Value::Unknown;
                }
                _ => {}
            }
        }
        let constructs =
            name.chars().next().is_some_and(char::is_uppercase) && func.qself.is_none();
        if !constructs || values.is_empty() {
            return Value::Unknown;
        }
        // A tuple struct of the file is an instance of it (its methods apply); fields `0`, `1`.
        let ty = if name == "Self" {
            self.self_type.clone()
        } else {
            Some(name)
        };
        match ty {
            Some(ty) if self.cx.structs.get(&ty).is_some_and(Option::is_some) => Value::Record {
                ty: Some(ty),
                fields: values
                    .into_iter()
                    .enumerate()
                    .map(|(i, value)| (i.to_string(), value))
                    .collect(),
            },
            _ => Value::Tuple(values),
        }
    }

    /// `Ok(x)`, `Some(x)`, `Box::new(x)`, `Rc::new(x)`, `Arc::new(x)`: the value of `x` (a `?`
    /// or a deref at the use takes the wrapper off again).
    fn wrapper_call(&mut self, expr: &syn::ExprCall, func: &syn::ExprPath) -> Option<Value> {
        let [arg] = expr.args.iter().collect::<Vec<_>>()[..] else {
            return None;
        };
        let segments: Vec<String> = func
            .path
            .segments
            .iter()
            .map(|segment| segment.ident.to_string())
            .collect();
        let wraps = match segments.as_slice() {
            [one] => one == "Ok" || one == "Some",
            [.., owner, new] => {
                new == "new" && matches!(owner.as_str(), "Box" | "Rc" | "Arc" | "RefCell")
            }
            [] => false,
        };
        wraps.then(|| self.eval_escaping(arg))
    }

    /// The file's function a call path names: `helper` (a free function), `Self::new`,
    /// `Model::forward`, `crate::model::helper`. `None` when the file has none or several
    /// of that name.
    fn file_function(&self, func: &syn::ExprPath) -> Option<usize> {
        if func.qself.is_some() {
            return None;
        }
        let segments: Vec<String> = func
            .path
            .segments
            .iter()
            .map(|segment| segment.ident.to_string())
            .collect();
        let key = match segments.as_slice() {
            [name] => FnKey {
                owner: None,
                name: name.clone(),
            },
            [owner, name] if owner == "Self" => FnKey {
                owner: self.self_type.clone(),
                name: name.clone(),
            },
            [.., owner, name] if owner.chars().next().is_some_and(char::is_uppercase) => FnKey {
                owner: Some(owner.clone()),
                name: name.clone(),
            },
            [first, .., name] if matches!(first.as_str(), "crate" | "self" | "super") => FnKey {
                owner: None,
                name: name.clone(),
            },
            _ => return None,
        };
        self.cx.flow.program().unique(&key)
    }

    /// `f64::try_from(&loss)`, `f32::from(loss)`: the loss as a number.
    fn number_conversion(&mut self, expr: &syn::ExprCall) -> Option<Value> {
        let syn::Expr::Path(func) = &*expr.func else {
            return None;
        };
        let segments: Vec<String> = func
            .path
            .segments
            .iter()
            .map(|segment| segment.ident.to_string())
            .collect();
        let [number, conversion] = segments.as_slice() else {
            return None;
        };
        let converts = matches!(number.as_str(), "f32" | "f64")
            && matches!(conversion.as_str(), "from" | "try_from");
        if !converts || expr.args.len() != 1 {
            return None;
        }
        let value = self.eval_escaping(expr.args.first()?);
        Some(match value {
            Value::Computed(_) => value,
            _ => Value::Unknown,
        })
    }

    /// A call of a table path; `None` when the path is no API.
    fn api_call(
        &mut self,
        path: &str,
        expr: &syn::ExprCall,
        func: &syn::ExprPath,
    ) -> Option<Value> {
        let span = self.span_of(expr);
        let name_span = func
            .path
            .segments
            .last()
            .map_or(span, |segment| self.span_of(&segment.ident));
        let args: Vec<&syn::Expr> = expr.args.iter().collect();
        for meaning in lookup::meanings(path) {
            match *meaning {
                Meaning::Constructor(api) => {
                    for arg in &args {
                        self.eval_escaping(arg);
                    }
                    let type_span = self.constructor_name_span(func).unwrap_or(name_span);
                    return Some(self.new_object(api, span, type_span, false));
                }
                Meaning::Function(api) => {
                    return Some(self.call_site(api, span, name_span, None, &args));
                }
                Meaning::Method(api) => {
                    let Some((receiver, rest)) = args.split_first() else {
                        continue;
                    };
                    if !lookup::arity_fits(api.api, rest.len()) {
                        continue;
                    }
                    let value = self.eval(receiver);
                    return Some(self.call_site(
                        api,
                        span,
                        name_span,
                        Some((receiver, value)),
                        rest,
                    ));
                }
                Meaning::Activation(activation) => {
                    for arg in &args {
                        self.eval_escaping(arg);
                    }
                    return Some(Value::Tensor(Origin::Activation { activation, span }));
                }
                Meaning::Logits => {
                    for arg in &args {
                        self.eval_escaping(arg);
                    }
                    return Some(Value::Tensor(Origin::Logits { span }));
                }
                Meaning::Sequential => {
                    for arg in &args {
                        self.eval_escaping(arg);
                    }
                    return Some(Value::Callable(Box::new(Value::Unknown)));
                }
                Meaning::ModuleFn => {
                    let values: Vec<Value> =
                        args.iter().map(|arg| self.eval_escaping(arg)).collect();
                    return Some(match values.into_iter().next() {
                        Some(callable @ Value::Callable(_)) => callable,
                        _ => Value::Callable(Box::new(Value::Unknown)),
                    });
                }
                Meaning::ActivationLayer(activation) => {
                    for arg in &args {
                        self.eval_escaping(arg);
                    }
                    let output = Value::Tensor(Origin::Activation { activation, span });
                    return Some(Value::Callable(Box::new(output)));
                }
                Meaning::OutputStruct(fields) => {
                    let values: Vec<Value> =
                        args.iter().map(|arg| self.eval_escaping(arg)).collect();
                    let ty = func
                        .path
                        .segments
                        .iter()
                        .rev()
                        .nth(1)
                        .map(|s| s.ident.to_string());
                    return Some(Value::Record {
                        ty,
                        fields: fields
                            .iter()
                            .map(|name| (*name).to_string())
                            .zip(values)
                            .collect(),
                    });
                }
                Meaning::Options(_) | Meaning::LossType(_) => {}
            }
        }
        // `CrossEntropyOptions::default()`
        if args.is_empty()
            && let Some(api) = path.strip_suffix("::default").and_then(options_api)
        {
            return Some(Value::Options(Box::new(default_options(api, span))));
        }
        None
    }

    /// The type segment of a constructor path (`Ce` of `Ce::new`, `X` of `<X<T>>::new`).
    fn constructor_name_span(&self, func: &syn::ExprPath) -> Option<Span> {
        if let Some(qself) = &func.qself {
            return Some(match &*qself.ty {
                syn::Type::Path(path) => path
                    .path
                    .segments
                    .last()
                    .map_or_else(|| self.span_of(&qself.ty), |s| self.span_of(&s.ident)),
                other => self.span_of(other),
            });
        }
        let segments = &func.path.segments;
        let index = segments.len().checked_sub(2)?;
        segments
            .iter()
            .nth(index)
            .map(|segment| self.span_of(&segment.ident))
    }

    /// A method call `receiver.method(args..)`.
    pub(crate) fn method_call(&mut self, expr: &syn::ExprMethodCall) -> Value {
        let receiver = self.eval(&expr.receiver);
        if let Value::Loss(index) = receiver {
            return self.object_method(index, expr);
        }
        let name = expr.method.to_string();
        let args: Vec<&syn::Expr> = expr.args.iter().collect();
        // A method of one of the file's types: what its summary says.
        if let Value::Record { ty: Some(ty), .. } = &receiver
            && let Some(index) = self.cx.flow.program().unique(&FnKey {
                owner: Some(ty.clone()),
                name: name.clone(),
            })
        {
            let values: Vec<Value> = args.iter().map(|arg| self.eval_escaping(arg)).collect();
            let span = self.span_of(expr);
            return self.call_summary(index, &values, span);
        }
        let imports = self.cx.imports;
        let uses = |name: &str| imports.uses_crate(name);
        if let Some(value) = self.model_call(&receiver, &name, &args, uses) {
            return value;
        }
        // `loss.mean(Kind::Float)` of per-sample losses is a mean (`sum` a sum).
        if let Value::Computed(word) = &receiver
            && word.as_deref().is_some_and(is_per_sample)
            && let Some(reduced) = reduces(&name)
        {
            for arg in &args {
                self.eval_escaping(arg);
            }
            return Value::Computed(Some(reduced.to_string()));
        }
        // `result.and_then(|l| softmax(&l, D::Minus1))`: what the closure computes.
        if matches!(name.as_str(), "and_then" | "map")
            && let [arg] = args.as_slice()
        {
            return match self.eval_escaping(arg) {
                Value::Callable(result) => *result,
                _ => Value::Unknown,
            };
        }
        let keeps_loss = matches!(receiver, Value::Computed(_)) && SCALAR.contains(&name.as_str());
        if keeps_loss || TRANSPARENT.contains(&name.as_str()) || lookup::shape_method(&name, uses) {
            for arg in &args {
                self.eval_escaping(arg);
            }
            return receiver;
        }
        if let Some(count) = self.size_method(&expr.receiver, &name, &args) {
            for arg in &args {
                self.eval_escaping(arg);
            }
            return count;
        }
        if let Some(activation) = lookup::activation_method(&name, args.len(), uses) {
            for arg in &args {
                self.eval_escaping(arg);
            }
            let span = self.span_of(expr);
            return Value::Tensor(Origin::Activation { activation, span });
        }
        if let Some(api) = lookup::loss_method(&name, args.len(), uses) {
            let span = self.span_of(expr);
            let name_span = self.span_of(&expr.method);
            return self.call_site(
                api,
                span,
                name_span,
                Some((&expr.receiver, receiver)),
                &args,
            );
        }
        for arg in &args {
            self.eval_escaping(arg);
        }
        Value::Unknown
    }

    /// Building and running models: `seq().add(layer).add_fn(|xs| ..)`, `net.forward(&xs)`,
    /// `xs.apply(&net)`, and calling a closure's value through them.
    fn model_call(
        &mut self,
        receiver: &Value,
        name: &str,
        args: &[&syn::Expr],
        uses: impl Fn(&str) -> bool,
    ) -> Option<Value> {
        let method = lookup::model_method(name, uses)?;
        match (method, receiver) {
            (ModelMethod::AddLayer | ModelMethod::AddFn, Value::Callable(_)) => {
                let [arg] = args else { return None };
                Some(match self.eval_escaping(arg) {
                    Value::Callable(result) => Value::Callable(result),
                    _ => Value::Callable(Box::new(Value::Unknown)),
                })
            }
            (ModelMethod::Run, Value::Callable(result)) => {
                for arg in args {
                    self.eval_escaping(arg);
                }
                Some((**result).clone())
            }
            (ModelMethod::Apply, _) => {
                let (model, rest) = args.split_first()?;
                let model = self.eval_escaping(model);
                for arg in rest {
                    self.eval_escaping(arg);
                }
                match model {
                    Value::Callable(result) => Some(*result),
                    // `xs.apply(&self.model)` of a file type: its `forward`.
                    Value::Record { ty: Some(ty), .. } => {
                        let forward = ["forward", "forward_t"].iter().find_map(|name| {
                            self.cx.flow.program().unique(&FnKey {
                                owner: Some(ty.clone()),
                                name: (*name).to_string(),
                            })
                        })?;
                        let span = self.span_of(*args.first()?);
                        Some(self.call_summary(forward, std::slice::from_ref(receiver), span))
                    }
                    _ => Some(Value::Unknown),
                }
            }
            _ => None,
        }
    }

    /// A method of a loss object: builder methods change it, applies compute it.
    fn object_method(&mut self, index: usize, expr: &syn::ExprMethodCall) -> Value {
        let Some(api) = self.object_api(index) else {
            return Value::Unknown;
        };
        // A chain on the constructor (`X::new().weight(w)`) makes the whole chain the site.
        let call_span = self.span_of(expr);
        if let Some(object) = self.objects.get_mut(index)
            && !object.detached
            && call_span.start.offset <= object.span.start.offset
            && call_span.end.offset >= object.span.end.offset
        {
            object.span = call_span;
        }
        let name = expr.method.to_string();
        let args: Vec<&syn::Expr> = expr.args.iter().collect();
        if let ReductionSpec::Builder { method, .. } = api.reduction
            && name == method
        {
            if let Some(arg) = args.first() {
                let span = self.span_of(*arg);
                let value = self.text_of(span);
                self.eval_escaping(arg);
                if let Some(object) = self.objects.get_mut(index) {
                    object.reduction = Some((value, span));
                }
            }
            return Value::Loss(index);
        }
        for (param_index, param) in api.weights.iter().enumerate() {
            let value = match param.at {
                WeightAt::Method(method) if method == name => Param::Present,
                WeightAt::OptionMethod(method) if method == name => args
                    .first()
                    .map_or(Param::Unknown, |arg| classify_option(arg)),
                _ => continue,
            };
            for arg in &args {
                self.eval_escaping(arg);
            }
            if let Some(slot) = self
                .objects
                .get_mut(index)
                .and_then(|object| object.params.get_mut(param_index))
            {
                *slot = value;
            }
            return Value::Loss(index);
        }
        if let Some(flag) = &api.logits_flag
            && flag.method == name
        {
            let value = args.first().and_then(|arg| bool_literal(arg));
            for arg in &args {
                self.eval_escaping(arg);
            }
            if let Some(object) = self.objects.get_mut(index) {
                object.logits = value.map_or(Flag::Unknown, Flag::Set);
            }
            return Value::Loss(index);
        }
        if let Form::Object {
            finish, applies, ..
        } = &api.form
        {
            if finish.contains(&name.as_str()) {
                for arg in &args {
                    self.eval_escaping(arg);
                }
                if let Some(object) = self.objects.get_mut(index) {
                    object.finished = true;
                }
                return Value::Loss(index);
            }
            if let Some(apply) = applies.iter().find(|apply| apply.method == name) {
                return self.apply(index, apply, expr, &args);
            }
        }
        for arg in &args {
            self.eval_escaping(arg);
        }
        if TRANSPARENT.contains(&name.as_str()) {
            return Value::Loss(index);
        }
        // Other builder methods (`label_smoothing`, `with_smoothing`) return the builder.
        let finished = self.objects.get(index).is_none_or(|object| object.finished);
        if finished {
            Value::Unknown
        } else {
            Value::Loss(index)
        }
    }

    /// An apply method of a loss object (`compute`, `forward`).
    fn apply(
        &mut self,
        index: usize,
        apply: &Apply,
        expr: &syn::ExprMethodCall,
        args: &[&syn::Expr],
    ) -> Value {
        let values: Vec<Value> = args.iter().map(|arg| self.eval_escaping(arg)).collect();
        let (kind, tracked) = self.object_kind(index);
        let arguments = self.roles(
            apply.input.map(|i| (i, tracked)),
            apply.target,
            args,
            &values,
        );
        let Some(object) = self.objects.get(index) else {
            return Value::Unknown;
        };
        let detached = object.detached;
        let object_level = matches!(
            apply.reduction,
            ReductionSpec::FromObject | ReductionSpec::Absent | ReductionSpec::Fixed { .. }
        );
        if object_level && !detached {
            let word = match &apply.reduction {
                ReductionSpec::Fixed { value } => Some((*value).to_string()),
                _ => object_reduction_word(object),
            };
            if let Some(object) = self.objects.get_mut(index) {
                object.arguments.extend(arguments);
            }
            return Value::Computed(word);
        }
        let first = !detached && object.call_sites == 0;
        let api = object.api;
        // The call chooses the reduction, so the call is where the site points.
        let method_span = self.span_of(&expr.method);
        let name_span = method_span;
        let hint_at = (first && !object.escaped).then(|| SpanMap::point(object.constructor_end));
        let reduction = match &apply.reduction {
            ReductionSpec::Named { value } => Reduction::Explicit {
                value: (*value).to_string(),
                span: method_span,
            },
            ReductionSpec::FixedImplicit { default, .. } => Reduction::Implicit {
                default: (*default).to_string(),
                fix: None,
            },
            spec @ ReductionSpec::Argument { .. } => self.argument_reduction(spec, args),
            _ => Reduction::Unknown,
        };
        let weighting = if first {
            self.object_weighting(index)
        } else {
            Weighting::Unknown
        };
        if let Some(object) = self.objects.get_mut(index) {
            object.call_sites += 1;
        }
        let span = self.span_of(expr);
        let word = reduction_word(&reduction, &apply.reduction);
        self.sites.push(site(
            api,
            kind,
            span,
            name_span,
            reduction,
            weighting,
            arguments,
            hint(api.api, hint_at),
        ));
        Value::Computed(word)
    }

    /// The loss kind of an object, and whether its input's origin means anything.
    fn object_kind(&self, index: usize) -> (LossKind, bool) {
        self.objects
            .get(index)
            .map_or((LossKind::CrossEntropy, false), object_kind)
    }

    /// How an object is weighted.
    fn object_weighting(&self, index: usize) -> Weighting {
        let Some(object) = self.objects.get(index) else {
            return Weighting::Unknown;
        };
        object_weighting(object)
    }

    /// Arguments with their roles.
    fn roles(
        &self,
        input: Option<(usize, bool)>,
        target: Option<usize>,
        args: &[&syn::Expr],
        values: &[Value],
    ) -> Vec<Argument> {
        let mut arguments = Vec::new();
        if let Some((i, tracked)) = input
            && let (Some(arg), Some(value)) = (args.get(i), values.get(i))
        {
            arguments.push(self.argument(Role::Input, arg, value, tracked));
        }
        if let Some(i) = target
            && let (Some(arg), Some(value)) = (args.get(i), values.get(i))
        {
            arguments.push(self.argument(Role::Target, arg, value, true));
        }
        arguments
    }

    /// A loss function or method call: one site.
    fn call_site(
        &mut self,
        api: Api,
        span: Span,
        name_span: Span,
        receiver: Option<(&syn::Expr, Value)>,
        args: &[&syn::Expr],
    ) -> Value {
        let options_index = match &api.api.reduction {
            ReductionSpec::OptionsField { index, .. } => Some(*index),
            _ => None,
        };
        let mut options = None;
        let mut values = Vec::with_capacity(args.len());
        for (i, arg) in args.iter().enumerate() {
            if Some(i) == options_index {
                options = Some(self.options_value(arg, api.api));
                values.push(Value::Unknown);
            } else {
                values.push(self.eval_escaping(arg));
            }
        }
        let mut arguments = Vec::new();
        // `Tensor::nll_loss(&x, &t)`: the receiver is written among the arguments.
        let path_receiver = receiver
            .as_ref()
            .map(|(receiver, _)| self.span_of(*receiver))
            .filter(|receiver| receiver.start.offset > name_span.start.offset);
        match (&api.api.form, receiver) {
            (Form::Method { target, .. }, Some((receiver, value))) => {
                arguments.push(self.argument(Role::Input, receiver, &value, true));
                arguments.extend(self.roles(None, *target, args, &values));
            }
            (Form::Function { input, target }, _) => {
                arguments = self.roles(input.map(|i| (i, true)), *target, args, &values);
            }
            _ => {}
        }
        let reduction = match &api.api.reduction {
            ReductionSpec::FixedImplicit { default, rewrite } => Reduction::Implicit {
                default: (*default).to_string(),
                fix: rewrite
                    .filter(|_| matches!(api.api.form, Form::Method { .. }))
                    .map(|template| {
                        self.rewrite_call(template, name_span, span, path_receiver, args)
                    }),
            },
            ReductionSpec::Named { value } => Reduction::Explicit {
                value: (*value).to_string(),
                span: name_span,
            },
            spec @ ReductionSpec::Argument { .. } => self.argument_reduction(spec, args),
            ReductionSpec::OptionsField { default, .. } => {
                match options.as_ref().map(|o| &o.reduction) {
                    Some(OptionsReduction::Explicit { value, span }) => Reduction::Explicit {
                        value: value.clone(),
                        span: *span,
                    },
                    Some(OptionsReduction::Missing { fix }) => Reduction::Implicit {
                        default: (*default).to_string(),
                        fix: fix.clone(),
                    },
                    Some(OptionsReduction::Unknown) | None => Reduction::Unknown,
                }
            }
            ReductionSpec::Absent
            | ReductionSpec::Fixed { .. }
            | ReductionSpec::FromObject
            | ReductionSpec::Builder { .. } => Reduction::Unknown,
        };
        let weighting = weighting(api.api, |_, at| match at {
            WeightAt::OptionArgument(i) => args
                .get(*i)
                .map_or(Param::NotSet, |arg| classify_option(arg)),
            WeightAt::OptionField(name) => match &options {
                Some(options) => options
                    .fields
                    .iter()
                    .find(|(field, _)| field == name)
                    .map_or(
                        if options.complete {
                            Param::Absent
                        } else {
                            Param::Unknown
                        },
                        |(_, param)| *param,
                    ),
                None => Param::Unknown,
            },
            WeightAt::Method(_) | WeightAt::OptionMethod(_) => Param::NotSet,
        });
        let word = reduction_word(&reduction, &api.api.reduction);
        self.sites.push(site(
            api,
            api.api.loss,
            span,
            name_span,
            reduction,
            weighting,
            arguments,
            hint(api.api, None),
        ));
        Value::Computed(word)
    }

    /// The edit that replaces a method call's name and arguments (`nll_loss(&t)`) with
    /// `template`, its `{args}` standing for the arguments as written (the receiver first
    /// when the call is written `Tensor::nll_loss(&x, &t)`).
    fn rewrite_call(
        &self,
        template: &str,
        name_span: Span,
        call: Span,
        path_receiver: Option<Span>,
        args: &[&syn::Expr],
    ) -> Edit {
        let written: Vec<String> = path_receiver
            .into_iter()
            .chain(args.iter().map(|arg| self.span_of(*arg)))
            .map(|span| self.text_of(span))
            .collect();
        Edit {
            span: Span {
                start: name_span.start,
                end: call.end,
            },
            content: template.replace("{args}", &written.join(", ")),
        }
    }

    /// The reduction a positional argument shows.
    fn argument_reduction(&self, spec: &ReductionSpec, args: &[&syn::Expr]) -> Reduction {
        let ReductionSpec::Argument {
            index,
            default,
            implicit,
            replacement,
        } = spec
        else {
            return Reduction::Unknown;
        };
        let Some(arg) = args.get(*index) else {
            return Reduction::Unknown;
        };
        if let syn::Expr::Path(path) = strip(arg)
            && let Some(last) = path.path.segments.last()
            && implicit.iter().any(|name| last.ident == name)
        {
            return Reduction::Implicit {
                default: (*default).to_string(),
                fix: Some(Edit {
                    span: self.span_of(&last.ident),
                    content: (*replacement).to_string(),
                }),
            };
        }
        let span = self.span_of(*arg);
        Reduction::Explicit {
            value: self.text_of(span),
            span,
        }
    }

    /// The sites of objects that made none through their applies, and the accumulations;
    /// consumes the analysis.
    pub(crate) fn finish(mut self) -> Found {
        let objects = std::mem::take(&mut self.objects);
        for object in &objects {
            // Applies of a detached object made their own sites; an object applied per call
            // is reported at those calls.
            if object.detached || object.call_sites > 0 {
                continue;
            }
            let api = object.api;
            let reduction = match &api.api.reduction {
                ReductionSpec::Builder { default, fix, .. } => match &object.reduction {
                    Some((value, span)) => Reduction::Explicit {
                        value: value.clone(),
                        span: *span,
                    },
                    None => Reduction::Implicit {
                        default: (*default).to_string(),
                        fix: (!object.escaped).then(|| Edit {
                            span: SpanMap::point(object.constructor_end),
                            content: (*fix).to_string(),
                        }),
                    },
                },
                _ => Reduction::Unknown,
            };
            let weighting = object_weighting(object);
            let kind = object_kind(object);
            let arguments = if kind.1 {
                object.arguments.clone()
            } else {
                object
                    .arguments
                    .iter()
                    .cloned()
                    .map(|mut argument| {
                        if argument.role == Role::Input {
                            argument.origin = Origin::Unknown;
                        }
                        argument
                    })
                    .collect()
            };
            let hint_at = (!object.escaped).then(|| SpanMap::point(object.constructor_end));
            self.sites.push(site(
                api,
                kind.0,
                object.span,
                object.name_span,
                reduction,
                weighting,
                arguments,
                hint(api.api, hint_at),
            ));
        }
        Found {
            sites: self.sites,
            accumulations: self.accumulations,
            nested: self.nested,
            parameters: self.parameters.into_inner(),
        }
    }
}

/// Whether a reduction word means one loss per sample (`Reduction::None`, `"none"`,
/// lossfit's `PerSample`).
fn is_per_sample(word: &str) -> bool {
    let last = word.rsplit("::").next().unwrap_or(word).trim_matches('"');
    last.eq_ignore_ascii_case("none") || last == "PerSample"
}

/// The reduction a tensor method applies to per-sample losses.
fn reduces(method: &str) -> Option<&'static str> {
    match method {
        "mean" | "mean_all" => Some("mean"),
        "sum" | "sum_all" => Some("sum"),
        _ => None,
    }
}

/// The loss kind of an object, and whether its input's origin means anything: not when a
/// logits flag says (or may say) the input is probabilities of the same loss kind.
fn object_kind(object: &LossObject) -> (LossKind, bool) {
    let api = object.api.api;
    let Some(flag) = &api.logits_flag else {
        return (api.loss, true);
    };
    let value = match object.logits {
        Flag::NotSet => Some(flag.default),
        Flag::Set(value) => Some(value),
        Flag::Unknown => None,
    };
    match value {
        Some(true) => (flag.logits, true),
        Some(false) => flag
            .probabilities
            .map_or((api.loss, false), |kind| (kind, true)),
        None => (api.loss, false),
    }
}

/// How an object is weighted: unknown when it was built elsewhere, or chosen by a branch
/// and unweighted (the weighted alternative may be the one that runs).
fn object_weighting(object: &LossObject) -> Weighting {
    if object.detached {
        return Weighting::Unknown;
    }
    let found = weighting(object.api.api, |param_index, _| {
        object
            .params
            .get(param_index)
            .copied()
            .unwrap_or(Param::NotSet)
    });
    if object.conditional && found == Weighting::None {
        Weighting::Unknown
    } else {
        found
    }
}

/// The reduction of a computed loss as written, for accumulations: the written value, the
/// default, or the fixed reduction of an API without a parameter.
fn reduction_word(reduction: &Reduction, spec: &ReductionSpec) -> Option<String> {
    match (reduction, spec) {
        (Reduction::Explicit { value, .. }, _) => Some(value.clone()),
        (Reduction::Implicit { default, .. }, _) => Some(default.clone()),
        (Reduction::Unknown, ReductionSpec::Fixed { value }) => Some((*value).to_string()),
        (Reduction::Unknown, _) => None,
    }
}

/// The reduction a loss object computes with, as written (or its default).
fn object_reduction_word(object: &LossObject) -> Option<String> {
    if object.detached {
        return None;
    }
    match &object.api.api.reduction {
        ReductionSpec::Builder { default, .. } => Some(
            object
                .reduction
                .as_ref()
                .map_or_else(|| (*default).to_string(), |(value, _)| value.clone()),
        ),
        ReductionSpec::Fixed { value } => Some((*value).to_string()),
        _ => None,
    }
}

/// A site from its parts.
fn site(
    api: Api,
    loss: LossKind,
    span: Span,
    name_span: Span,
    reduction: Reduction,
    weighting: Weighting,
    arguments: Vec<Argument>,
    weight_hint: Option<WeightHint>,
) -> LossSite {
    LossSite {
        framework: api.table.framework,
        style: api.api.style,
        loss,
        api: api.api.path.to_string(),
        span,
        name_span,
        reduction,
        weighting,
        legacy_args: Vec::new(),
        arguments,
        declared_task: None,
        labels: None,
        weight_hint,
        legacy_fix: None,
        logits_fix: None,
    }
}

/// LL002's help for an API; `at` only when its template is an insertion after the constructor.
fn hint(api: &LossApi, at: Option<Span>) -> Option<WeightHint> {
    api.weight_hint.as_ref().map(|spec| WeightHint {
        template: spec.template.to_string(),
        at: if spec.after_constructor { at } else { None },
    })
}

/// How an API's weighting parameters combine: its intrinsic weighting (focal), else the
/// first parameter given a weight, else unknown if any parameter's value cannot be seen.
fn weighting(api: &LossApi, param: impl Fn(usize, &WeightAt) -> Param) -> Weighting {
    if let Some(intrinsic) = &api.intrinsic {
        return intrinsic.clone();
    }
    let params: Vec<Param> = api
        .weights
        .iter()
        .enumerate()
        .map(|(index, weight)| param(index, &weight.at))
        .collect();
    for (weight, value) in api.weights.iter().zip(&params) {
        if *value == Param::Present {
            return weight.weighting.clone();
        }
    }
    if params.contains(&Param::Unknown) {
        Weighting::Unknown
    } else {
        Weighting::None
    }
}

/// What an `Option` argument shows: `None`, `Some(..)`, or something unseen.
pub(crate) fn classify_option(expr: &syn::Expr) -> Param {
    match strip(expr) {
        syn::Expr::Path(path) if path.path.segments.last().is_some_and(|s| s.ident == "None") => {
            Param::Absent
        }
        syn::Expr::Call(call) => match &*call.func {
            syn::Expr::Path(path)
                if path.path.segments.last().is_some_and(|s| s.ident == "Some") =>
            {
                Param::Present
            }
            _ => Param::Unknown,
        },
        _ => Param::Unknown,
    }
}

/// `true` / `false` literals.
fn bool_literal(expr: &syn::Expr) -> Option<bool> {
    match strip(expr) {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Bool(value),
            ..
        }) => Some(value.value),
        _ => None,
    }
}
