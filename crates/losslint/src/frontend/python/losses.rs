//! Loss APIs to sites: arguments bound to PyTorch's signatures (positional and keyword), the
//! reduction as written or the default (with LL001's insertion), the weighting, the legacy
//! `size_average=`/`reduce=` arguments (with LL007's rewrite when their values are literals),
//! LL002's hint, and LL005's rewrite onto the logits. A module (`nn.CrossEntropyLoss(..)`) is an
//! object: its site is where it is built, with the arguments of every call of it in the same
//! body; called in another body, the call is a site of its own.

use super::eval::Eval;
use super::ir::{Expr, Keyword, Range};
use crate::facts::{
    ApiStyle, Argument, Edit, Framework, LegacyFix, LossSite, Origin, Reduction, Role, Span,
    WeightHint, Weighting,
};
use crate::flow::value::Value;
use crate::frontend::apis::pytorch::{self, PyForm, PyLoss};

/// How a loss object came to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A module built here (`nn.BCELoss()`): its site is the construction.
    Module,
    /// `functools.partial(F.cross_entropy, ..)` here: its site is the partial.
    Partial,
    /// A function referenced by name (`loss_fn = F.cross_entropy`): each call is a site.
    Alias,
    /// Built in another body: each call is a site, its construction's facts unseen.
    Detached,
}

/// A loss object in the body being analysed.
#[derive(Debug)]
pub(crate) struct Object {
    api: &'static PyLoss,
    kind: Kind,
    span: Span,
    name_span: Span,
    reduction: Reduction,
    /// The reduction it computes with, as far as known (`"sum"`, the default `mean`).
    word: Option<String>,
    weighting: Weighting,
    legacy_args: Vec<Span>,
    legacy_fix: Option<LegacyFix>,
    hint: Option<WeightHint>,
    /// The positional arguments a partial bound.
    bound_positional: usize,
    /// The rename of the loss's name to its with-logits API, when the name can take it.
    rename: Option<Edit>,
    arguments: Vec<Argument>,
    param_args: Vec<(usize, usize)>,
    applies: usize,
    logits_fix: Option<Vec<Edit>>,
}

impl Object {
    /// An object whose construction is not seen here: only the API, where it is named, and
    /// the reduction it computes with when known.
    fn bare(
        api: &'static PyLoss,
        kind: Kind,
        span: Span,
        name_span: Span,
        word: Option<String>,
    ) -> Self {
        Object {
            api,
            kind,
            span,
            name_span,
            reduction: Reduction::Unknown,
            word,
            weighting: Weighting::Unknown,
            legacy_args: Vec::new(),
            legacy_fix: None,
            hint: None,
            bound_positional: 0,
            rename: None,
            arguments: Vec::new(),
            param_args: Vec::new(),
            applies: 0,
            logits_fix: None,
        }
    }

    /// What leaves the body: the API and the reduction it computes with.
    pub(crate) fn built(&self) -> Value {
        Value::Built {
            api: self.api.path,
            reduction: self.word.clone(),
        }
    }
}

/// An argument bound to a parameter.
struct Bound {
    name: &'static str,
    /// The whole argument (`reduction="sum"` for a keyword).
    range: Range,
    /// The value's expression.
    value_range: Range,
    value: Value,
    literal: Literal,
}

/// What a literal argument says.
#[derive(Clone, Debug, PartialEq)]
enum Literal {
    None,
    Bool(bool),
    Str(String),
    Other,
}

/// A call's arguments against a signature.
struct Binding {
    bound: Vec<Bound>,
    /// `*args` or `**kwargs`: anything may be passed.
    splat: bool,
    /// Every argument's range, in order (for edits between them).
    ranges: Vec<Range>,
}

impl Binding {
    fn get(&self, name: &str) -> Option<&Bound> {
        self.bound.iter().find(|b| b.name == name)
    }
}

impl Eval<'_, '_, '_> {
    /// Binds `args` and `keywords` to `params`, the first `skip` positional ones being bound
    /// already (a partial's).
    fn bind(
        &mut self,
        params: &'static [&'static str],
        skip: usize,
        args: &[Expr],
        keywords: &[Keyword],
    ) -> Binding {
        let positional: Vec<&'static str> =
            params.iter().copied().take_while(|p| *p != "*").collect();
        let mut binding = Binding {
            bound: Vec::new(),
            splat: false,
            ranges: Vec::new(),
        };
        let mut stopped = false;
        for (i, arg) in args.iter().enumerate() {
            let value = self.eval(arg);
            binding.ranges.push(arg.range());
            if matches!(arg, Expr::Starred { .. }) {
                binding.splat = true;
                stopped = true;
                continue;
            }
            if stopped {
                continue;
            }
            if let Some(name) = positional.get(skip + i) {
                binding.bound.push(Bound {
                    name,
                    range: arg.range(),
                    value_range: arg.range(),
                    value,
                    literal: literal(arg),
                });
            }
        }
        for keyword in keywords {
            let value = self.eval(&keyword.value);
            binding.ranges.push(keyword.range);
            match &keyword.name {
                None => binding.splat = true,
                Some(name) => {
                    if let Some(param) = params.iter().find(|p| *p == name) {
                        binding.bound.push(Bound {
                            name: param,
                            range: keyword.range,
                            value_range: keyword.value.range(),
                            value,
                            literal: literal(&keyword.value),
                        });
                    }
                }
            }
        }
        binding.ranges.sort_by_key(|r| r.start);
        binding
    }

    /// `nn.XLoss(..)`: a new object.
    pub(crate) fn construct(
        &mut self,
        api: &'static PyLoss,
        func: &Expr,
        args: &[Expr],
        keywords: &[Keyword],
        args_range: Range,
        range: Range,
    ) -> Value {
        let binding = self.bind(api.params, 0, args, keywords);
        let object = self.object(api, Kind::Module, func, &binding, args_range, range, 0);
        self.objects.push(object);
        Value::Loss(self.objects.len() - 1)
    }

    /// `functools.partial(F.x, ..)`: an object whose calls pass the rest.
    pub(crate) fn partial(
        &mut self,
        api: &'static PyLoss,
        func: &Expr,
        rest: &[Expr],
        keywords: &[Keyword],
        args_range: Range,
        range: Range,
    ) -> Value {
        let binding = self.bind(api.params, 0, rest, keywords);
        let positional = if binding.splat {
            usize::MAX
        } else {
            rest.len()
        };
        let mut object = self.object(
            api,
            Kind::Partial,
            func,
            &binding,
            args_range,
            range,
            positional,
        );
        // The partial's own first argument is the function: an insertion after the last
        // argument is still right, and with none bound besides it the insertion needs a comma.
        if binding.ranges.is_empty()
            && let Reduction::Implicit {
                fix: Some(edit), ..
            } = &mut object.reduction
        {
            let after = func.range().end_point();
            *edit = Edit {
                span: self.span(after),
                content: format!(", reduction=\"{}\"", api.default_reduction),
            };
        }
        object.hint = None;
        self.objects.push(object);
        Value::Loss(self.objects.len() - 1)
    }

    /// A loss function referenced by name (`loss_fn = F.cross_entropy`).
    pub(crate) fn alias(&mut self, api: &'static PyLoss, expr: &Expr) -> Value {
        let span = self.span(expr.range());
        let name_span = self.span(expr.name_range());
        self.objects
            .push(Object::bare(api, Kind::Alias, span, name_span, None));
        Value::Loss(self.objects.len() - 1)
    }

    /// An object built in another body, called here.
    pub(crate) fn detached(
        &mut self,
        api: &'static str,
        reduction: Option<&str>,
        func: &Expr,
        range: Range,
    ) -> Option<usize> {
        let api = pytorch::loss(api)?;
        let span = self.span(range);
        let name_span = self.span(func.name_range());
        self.objects.push(Object::bare(
            api,
            Kind::Detached,
            span,
            name_span,
            reduction.map(str::to_string),
        ));
        Some(self.objects.len() - 1)
    }

    /// An object from a construction or partial binding.
    #[allow(clippy::too_many_arguments)]
    fn object(
        &mut self,
        api: &'static PyLoss,
        kind: Kind,
        func: &Expr,
        binding: &Binding,
        args_range: Range,
        range: Range,
        bound_positional: usize,
    ) -> Object {
        let (reduction, word) = self.reduction(api, binding, args_range);
        let (legacy_args, legacy_fix) = self.legacy(binding);
        Object {
            api,
            kind,
            span: self.span(range),
            name_span: self.span(func.name_range()),
            reduction,
            word,
            weighting: weighting(api, binding),
            legacy_args,
            legacy_fix,
            hint: hint(api).map(|template| WeightHint {
                template: template.to_string(),
                at: binding.ranges.is_empty().then(|| {
                    self.span(Range {
                        start: args_range.end.saturating_sub(1),
                        end: args_range.end.saturating_sub(1),
                    })
                }),
            }),
            bound_positional,
            rename: self.rename(api, func),
            arguments: Vec::new(),
            param_args: Vec::new(),
            applies: 0,
            logits_fix: None,
        }
    }

    /// `F.x(..)`: a site now.
    pub(crate) fn function_call(
        &mut self,
        api: &'static PyLoss,
        func: &Expr,
        args: &[Expr],
        keywords: &[Keyword],
        args_range: Range,
        range: Range,
    ) -> Value {
        let binding = self.bind(api.params, 0, args, keywords);
        let mut object = self.object(api, Kind::Alias, func, &binding, args_range, range, 0);
        let (arguments, param_args) = self.arguments(api, &binding);
        object.logits_fix = self.logits_fix(&object, &binding);
        let word = object.word.clone();
        object.arguments = arguments;
        object.param_args = param_args;
        if let Some(hint) = object.hint.as_mut() {
            hint.at = None;
        }
        self.push_site(&object);
        Value::Computed(word)
    }

    /// A call of a loss object.
    pub(crate) fn apply(
        &mut self,
        index: usize,
        func: &Expr,
        args: &[Expr],
        keywords: &[Keyword],
        args_range: Range,
        range: Range,
    ) -> Value {
        let Some(object) = self.objects.get(index) else {
            return Value::Unknown;
        };
        let api = object.api;
        let kind = object.kind;
        if kind == Kind::Alias {
            return self.function_call(api, func, args, keywords, args_range, range);
        }
        let (params, skip) = match api.form {
            PyForm::Module => (api.call, 0),
            PyForm::Function => (api.params, object.bound_positional),
        };
        if skip == usize::MAX {
            self.eval_args(args, keywords);
            return Value::Computed(None);
        }
        let binding = self.bind(params, skip, args, keywords);
        let (arguments, param_args) = self.arguments(api, &binding);
        let Some(object) = self.objects.get(index) else {
            return Value::Unknown;
        };
        // A partial called with its own `reduction=`.
        let word = match binding.get("reduction").map(|b| &b.literal) {
            Some(Literal::Str(value)) => Some(value.clone()),
            Some(_) => None,
            None => object.word.clone(),
        };
        let logits_fix = self.logits_fix(object, &binding);
        if kind == Kind::Detached {
            let span = self.span(range);
            let name_span = self.span(func.name_range());
            let site = Object {
                arguments,
                param_args,
                applies: 1,
                ..Object::bare(api, kind, span, name_span, word.clone())
            };
            self.push_site(&site);
            return Value::Computed(word);
        }
        if let Some(object) = self.objects.get_mut(index) {
            let offset = object.arguments.len();
            object.arguments.extend(arguments);
            object.param_args.extend(
                param_args
                    .into_iter()
                    .map(|(arg, param)| (offset + arg, param)),
            );
            object.applies += 1;
            object.logits_fix = if object.applies == 1 {
                logits_fix
            } else {
                None
            };
        }
        Value::Computed(word)
    }

    /// The sites of the objects built here (their calls here add the arguments).
    pub(crate) fn finish_objects(&mut self) {
        let objects = std::mem::take(&mut self.objects);
        for object in &objects {
            if matches!(object.kind, Kind::Module | Kind::Partial) {
                self.push_site(object);
            }
        }
    }

    fn push_site(&mut self, object: &Object) {
        let index = self.found.sites.len();
        for &(arg, param) in &object.param_args {
            self.found.param_args.push((index, arg, param));
        }
        self.found.sites.push(LossSite {
            framework: Framework::PyTorch,
            style: ApiStyle::PyTorch,
            loss: object.api.loss,
            api: object.api.path.to_string(),
            span: object.span,
            name_span: object.name_span,
            reduction: object.reduction.clone(),
            weighting: object.weighting.clone(),
            legacy_args: object.legacy_args.clone(),
            arguments: object.arguments.clone(),
            declared_task: None,
            labels: None,
            weight_hint: object.hint.clone(),
            legacy_fix: object.legacy_fix.clone(),
            logits_fix: object.logits_fix.clone(),
        });
    }

    /// The prediction and target arguments, and which of them are this body's parameters.
    fn arguments(
        &self,
        api: &'static PyLoss,
        binding: &Binding,
    ) -> (Vec<Argument>, Vec<(usize, usize)>) {
        let mut arguments = Vec::new();
        let mut params = Vec::new();
        for (name, role) in [(api.input(), Role::Input), (api.target(), Role::Target)] {
            let Some(bound) = name.and_then(|name| binding.get(name)) else {
                continue;
            };
            if let Value::Param(param) = bound.value {
                params.push((arguments.len(), param));
            }
            arguments.push(Argument {
                role,
                span: self.span(bound.value_range),
                origin: Eval::origin(&bound.value),
            });
        }
        (arguments, params)
    }

    /// The reduction as written, or the default with the edit that writes it.
    fn reduction(
        &self,
        api: &'static PyLoss,
        binding: &Binding,
        args_range: Range,
    ) -> (Reduction, Option<String>) {
        // Legacy arguments other than `None` decide the reduction; a written `reduction=` is
        // then ignored by PyTorch.
        let legacy: Vec<&Bound> = ["size_average", "reduce"]
            .iter()
            .filter_map(|name| binding.get(name))
            .filter(|b| b.literal != Literal::None)
            .collect();
        if !legacy.is_empty() {
            return (Reduction::Unknown, legacy_reduction(&legacy));
        }
        if let Some(bound) = binding.get("reduction") {
            let word = match &bound.literal {
                Literal::Str(value) => Some(value.clone()),
                _ => None,
            };
            return (
                Reduction::Explicit {
                    value: self.text(bound.value_range).to_string(),
                    span: self.span(bound.value_range),
                },
                word,
            );
        }
        if binding.splat {
            return (Reduction::Unknown, None);
        }
        let default = api.default_reduction;
        let (at, content) = match binding.ranges.last() {
            Some(last) => (last.end_point(), format!(", reduction=\"{default}\"")),
            None => (
                Range {
                    start: args_range.end.saturating_sub(1),
                    end: args_range.end.saturating_sub(1),
                },
                format!("reduction=\"{default}\""),
            ),
        };
        (
            Reduction::Implicit {
                default: default.to_string(),
                fix: Some(Edit {
                    span: self.span(at),
                    content,
                }),
            },
            Some(default.to_string()),
        )
    }

    /// The legacy arguments, and the `reduction=` that replaces them when it can be written.
    fn legacy(&self, binding: &Binding) -> (Vec<Span>, Option<LegacyFix>) {
        let legacy: Vec<&Bound> = binding
            .bound
            .iter()
            .filter(|b| matches!(b.name, "size_average" | "reduce") && b.literal != Literal::None)
            .collect();
        let spans = legacy.iter().map(|b| self.span(b.range)).collect();
        let keywords = legacy.iter().all(|b| b.range != b.value_range);
        let literal = legacy.iter().all(|b| matches!(b.literal, Literal::Bool(_)));
        if legacy.is_empty()
            || !keywords
            || !literal
            || binding.splat
            || binding.get("reduction").is_some()
        {
            return (spans, None);
        }
        let Some(reduction) = legacy_reduction(&legacy) else {
            return (spans, None);
        };
        let mut edits = Vec::new();
        let mut ordered = legacy.clone();
        ordered.sort_by_key(|b| b.range.start);
        for (i, bound) in ordered.iter().enumerate() {
            if i == 0 {
                edits.push(Edit {
                    span: self.span(bound.range),
                    content: format!("reduction=\"{reduction}\""),
                });
                continue;
            }
            // Removed with the separator before it (the end of the argument before).
            let before = binding
                .ranges
                .iter()
                .filter(|r| r.end <= bound.range.start)
                .map(|r| r.end)
                .max();
            let Some(start) = before else {
                return (spans, None);
            };
            edits.push(Edit {
                span: self.span(Range {
                    start,
                    end: bound.range.end,
                }),
                content: String::new(),
            });
        }
        (spans, Some(LegacyFix { reduction, edits }))
    }

    /// The rename of a BCE name to its with-logits form: only `module.Name` (the import
    /// covers the new name too).
    fn rename(&self, api: &'static PyLoss, func: &Expr) -> Option<Edit> {
        let with_logits = pytorch::loss(api.with_logits?)?;
        let Expr::Attribute { attr_range, .. } = func else {
            return None;
        };
        Some(Edit {
            span: self.span(*attr_range),
            content: with_logits.name().to_string(),
        })
    }

    /// LL005's rewrite: the with-logits API on the value the sigmoid was applied to.
    fn logits_fix(&self, object: &Object, binding: &Binding) -> Option<Vec<Edit>> {
        let rename = object.rename.clone()?;
        let input = binding.get(object.api.input()?)?;
        let Value::Tensor(Origin::Activation {
            activation: crate::facts::Activation::Sigmoid,
            span,
        }) = &input.value
        else {
            return None;
        };
        let before = *self.activation_inputs.get(&span.start.offset)?;
        let inline = input.value_range.start == span.start.offset
            && input.value_range.end == span.end.offset;
        let before_text = self.text(before);
        let simple = before_text
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.');
        if !inline && !simple {
            return None;
        }
        Some(vec![
            rename,
            Edit {
                span: self.span(input.value_range),
                content: before_text.to_string(),
            },
        ])
    }
}

/// What a literal argument says.
fn literal(expr: &Expr) -> Literal {
    match expr {
        Expr::None { .. } => Literal::None,
        Expr::Bool { value, .. } => Literal::Bool(*value),
        Expr::Str { value, .. } => Literal::Str(value.clone()),
        _ => Literal::Other,
    }
}

/// The reduction the legacy pair means when both are literals (an absent one is `True`).
fn legacy_reduction(legacy: &[&Bound]) -> Option<String> {
    let value = |name: &str| match legacy.iter().find(|b| b.name == name) {
        None => Some(true),
        Some(b) => match b.literal {
            Literal::Bool(value) => Some(value),
            _ => None,
        },
    };
    let reduce = value("reduce")?;
    let size_average = value("size_average")?;
    Some(
        if !reduce {
            "none"
        } else if !size_average {
            "sum"
        } else {
            "mean"
        }
        .to_string(),
    )
}

/// How the binding weights the loss.
fn weighting(api: &'static PyLoss, binding: &Binding) -> Weighting {
    for (name, weighting) in api.weights {
        if let Some(bound) = binding.get(name)
            && bound.literal != Literal::None
        {
            return weighting.clone();
        }
    }
    if binding.splat {
        return Weighting::Unknown;
    }
    api.intrinsic.clone().unwrap_or(Weighting::None)
}

/// LL002's help for an API.
fn hint(api: &'static PyLoss) -> Option<&'static str> {
    let takes = |name: &str| api.weights.iter().any(|(n, _)| *n == name);
    if takes("pos_weight") {
        Some("pos_weight=torch.tensor([{weights}])")
    } else if takes("weight") && api.loss != crate::facts::LossKind::Bce {
        Some("weight=torch.tensor([{weights}])")
    } else {
        None
    }
}
