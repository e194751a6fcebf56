//! Semantic checks of every head: task, loss, reduction, input kind, field type, options and
//! label statistics. Errors point at the smallest wrong tokens and say what to write instead.

use std::collections::BTreeMap;

use proc_macro2::Span;
use quote::ToTokens;
use syn::{GenericArgument, Ident, LitStr, PathArguments, Type};

use lossfit_stats::WeightScheme;

use crate::ast::{Head, Input};
use crate::attr::{Entry, Value};
use crate::catalog::{self, Balancing, LossSpec, Task};
use crate::ctxt::Ctxt;
use crate::labels;

/// The validated model, ready for code generation.
pub(crate) struct Model {
    pub(crate) ident: Ident,
    pub(crate) vis: syn::Visibility,
    pub(crate) elem: Ident,
    pub(crate) heads: Vec<CheckedHead>,
}

/// How a head reduces (`none` is rejected: a head's loss is added to the total).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reduction {
    Mean,
    Sum,
    BatchMean,
}

impl Reduction {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Reduction::Mean => "mean",
            Reduction::Sum => "sum",
            Reduction::BatchMean => "batchmean",
        }
    }
}

/// A head that passed every check.
pub(crate) struct CheckedHead {
    pub(crate) field: Ident,
    pub(crate) ty: Type,
    pub(crate) task: Task,
    pub(crate) loss: &'static LossSpec,
    pub(crate) reduction: Reduction,
    pub(crate) scale: f64,
    /// Class weights (`alpha` for `SoftmaxFocal`).
    pub(crate) weight: Option<Vec<f64>>,
    pub(crate) pos_weight: Option<Vec<f64>>,
    /// Scalar options by key (`label_smoothing`, `gamma`, `delta`, ...).
    pub(crate) numbers: BTreeMap<&'static str, f64>,
    pub(crate) flags: BTreeMap<&'static str, bool>,
    /// Cross-entropy against class probabilities instead of indices.
    pub(crate) soft_target: bool,
    /// The label file, to make cargo rebuild when it changes.
    pub(crate) labels_file: Option<String>,
}

impl CheckedHead {
    /// Whether the loss compensates class imbalance.
    pub(crate) fn weighted(&self) -> bool {
        self.weight.is_some()
            || self.pos_weight.is_some()
            || self.loss.balancing == Balancing::Focal
    }
}

/// Checks every head; `None` if any check failed (the errors are in `cx`).
pub(crate) fn check(cx: &mut Ctxt, input: Input) -> Option<Model> {
    let mut heads = Vec::new();
    let mut elem: Option<(Ident, Type)> = None;
    let mut mixed = false;
    for head in &input.heads {
        let Some(checked) = check_head(cx, head) else {
            continue;
        };
        let head_elem = element_type(&checked.ty);
        match (&elem, head_elem) {
            (None, Some(e)) => elem = Some((e, checked.ty.clone())),
            (Some((first, _)), Some(e)) if *first != e => {
                mixed = true;
                cx.error_spanned_by(
                    &checked.ty,
                    format!(
                        "every head must have the same element type: this one is `{e}`, an \
                         earlier head is `{first}`; the total loss adds them"
                    ),
                );
            }
            _ => {}
        }
        heads.push(checked);
    }
    if mixed || heads.len() != input.heads.len() {
        return None;
    }
    let (elem, _) = elem?;
    Some(Model {
        ident: input.ident,
        vis: input.vis,
        elem,
        heads,
    })
}

/// The entries of one head by key, after rejecting unknown, misplaced and duplicate keys.
struct Keys<'a> {
    entries: BTreeMap<String, &'a Entry>,
}

impl<'a> Keys<'a> {
    fn get(&self, key: &str) -> Option<&'a Entry> {
        self.entries.get(key).copied()
    }
}

fn collect_keys<'a>(cx: &mut Ctxt, head: &'a Head) -> Keys<'a> {
    let known = catalog::all_keys();
    let mut entries: BTreeMap<String, &Entry> = BTreeMap::new();
    for entry in &head.attr.entries {
        let key = entry.key.to_string();
        if !known.contains(&key.as_str()) {
            let hint = catalog::did_you_mean(&key, known.iter().copied())
                .map(|k| format!("; did you mean `{k}`?"))
                .unwrap_or_default();
            cx.error_spanned_by(
                &entry.key,
                format!("unknown key `{key}` in `#[head(...)]`{hint}"),
            );
            continue;
        }
        if entries.contains_key(&key) {
            cx.error_spanned_by(
                &entry.key,
                format!(
                    "duplicate key `{key}`: it is already set in this `#[head(...)]`; keep one"
                ),
            );
            continue;
        }
        entries.insert(key, entry);
    }
    Keys { entries }
}

fn required_ident(
    cx: &mut Ctxt,
    head: &Head,
    keys: &Keys<'_>,
    key: &str,
    example: &str,
) -> Option<Ident> {
    match keys.get(key) {
        None => {
            cx.error_spanned_by(
                &head.attr.attr,
                format!(
                    "head `{}` has no `{key}`: add `{key} = {example}`",
                    head.field
                ),
            );
            None
        }
        Some(Entry {
            value: Value::Ident(ident),
            ..
        }) => Some(ident.clone()),
        Some(entry) => {
            cx.error_at(
                entry.value.span(),
                format!(
                    "`{key}` takes a name such as `{example}`, not {}",
                    entry.value.describe()
                ),
            );
            None
        }
    }
}

fn check_head(cx: &mut Ctxt, head: &Head) -> Option<CheckedHead> {
    let keys = collect_keys(cx, head);
    let task_ident = required_ident(cx, head, &keys, "task", "MultiClass");
    let loss_ident = required_ident(cx, head, &keys, "loss", "CrossEntropy");
    let task = task_ident.as_ref().and_then(|ident| {
        let task = Task::from_name(&ident.to_string());
        if task.is_none() {
            let hint =
                catalog::did_you_mean(&ident.to_string(), Task::ALL.iter().map(|t| t.name()))
                    .map(|t| format!("did you mean `{t}`? "))
                    .unwrap_or_default();
            cx.error_spanned_by(
                ident,
                format!(
                    "unknown task `{ident}`: {hint}the tasks are `MultiClass`, `MultiLabel`, \
                     `Binary`, `Regression`, `Sequence` and `Ranking`"
                ),
            );
        }
        task
    });
    let loss = loss_ident
        .as_ref()
        .and_then(|ident| check_loss_name(cx, ident, task));
    let reduction = check_reduction(cx, head, &keys, loss);
    let (Some(task), Some(loss), Some(reduction)) = (task, loss, reduction) else {
        return None;
    };
    let loss_ident = loss_ident?;

    // keys that exist but are not options of this loss
    for (key, entry) in &keys.entries {
        if !catalog::COMMON_KEYS.contains(&key.as_str()) && !loss.keys.contains(&key.as_str()) {
            let options = if loss.keys.is_empty() {
                "it takes no options of its own".to_string()
            } else {
                format!("its options are {}", quoted(loss.keys))
            };
            cx.error_spanned_by(
                &entry.key,
                format!("`{key}` is not an option of `{}`: {options}", loss.name),
            );
        }
    }

    check_input_kind(cx, head, &keys, loss, &loss_ident);
    if !check_field_type(cx, head, task) {
        return None;
    }

    let applies = |key: &str| catalog::COMMON_KEYS.contains(&key) || loss.keys.contains(&key);
    let mut numbers = BTreeMap::new();
    for (key, domain, valid) in NUMBER_KEYS {
        if let Some(entry) = keys.get(key).filter(|_| applies(key)) {
            match &entry.value {
                // `classes = ["cat", "dog"]`: the class order (read with the labels).
                Value::Names { .. } if *key == "classes" => {}
                Value::Number { value, .. } if valid(*value) => {
                    numbers.insert(*key, *value);
                }
                Value::Number { value, span, .. } => {
                    cx.error_at(
                        *span,
                        format!("`{key} = {value}` is invalid: expected {domain}"),
                    );
                }
                other => cx.error_at(other.span(), format!("`{key}` takes a number ({domain})")),
            }
        }
    }
    let mut flags = BTreeMap::new();
    for key in ["log_input", "full"] {
        if let Some(entry) = keys.get(key).filter(|_| applies(key)) {
            match &entry.value {
                Value::Bool(lit) => {
                    flags.insert(key, lit.value);
                }
                other => cx.error_at(other.span(), format!("`{key}` takes `true` or `false`")),
            }
        }
    }
    let scale = numbers.remove("scale").unwrap_or(1.0);
    let soft_target = match keys.get("target") {
        None => false,
        Some(Entry {
            value: Value::Ident(ident),
            ..
        }) if ident == "indices" => false,
        Some(Entry {
            value: Value::Ident(ident),
            ..
        }) if ident == "probabilities" => true,
        Some(entry) => {
            cx.error_at(
                entry.value.span(),
                "`target` is `indices` (class indices, the default) or `probabilities` (soft labels)",
            );
            false
        }
    };
    if let Some(entry) = keys
        .get("target")
        .filter(|_| soft_target && task != Task::MultiClass)
    {
        cx.error_at(
            entry.value.span(),
            "soft targets exist for `MultiClass` heads only",
        );
    }

    let labels = check_labels(cx, head, &keys, task, loss);
    let weight = check_weights(cx, &keys, "weight", labels.as_ref(), WeightKind::Class);
    let pos_weight = check_weights(
        cx,
        &keys,
        "pos_weight",
        labels.as_ref(),
        WeightKind::Positive,
    );
    let checked = CheckedHead {
        field: head.field.clone(),
        ty: head.ty.clone(),
        task,
        loss,
        reduction,
        scale,
        weight,
        pos_weight,
        numbers,
        flags,
        soft_target,
        labels_file: labels.as_ref().map(|l| l.file.clone()),
    };
    if let Some(labels) = &labels {
        check_imbalance(cx, head, &keys, &checked, labels);
    }
    Some(checked)
}

/// Scalar keys: name, valid domain in words, and the check.
type NumberKey = (&'static str, &'static str, fn(f64) -> bool);
const NUMBER_KEYS: &[NumberKey] = &[
    (
        "scale",
        "a positive, finite weight of the head in the total",
        |v| v.is_finite() && v > 0.0,
    ),
    ("label_smoothing", "a value in [0, 1]", |v| {
        (0.0..=1.0).contains(&v)
    }),
    ("gamma", "a finite value >= 0", |v| {
        v.is_finite() && v >= 0.0
    }),
    ("alpha", "a value <= 1 (negative disables it)", |v| v <= 1.0),
    ("delta", "a finite value > 0", |v| v.is_finite() && v > 0.0),
    ("beta", "a value >= 0", |v| v >= 0.0),
    ("margin", "a finite number", f64::is_finite),
    ("p", "1 or 2", |v| v == 1.0 || v == 2.0),
    ("classes", "a positive integer", |v| {
        v >= 1.0 && v.fract() == 0.0
    }),
    ("max_imbalance", "a ratio > 1", |v| v > 1.0),
];

fn quoted(items: &[&str]) -> String {
    items
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn check_loss_name(cx: &mut Ctxt, ident: &Ident, task: Option<Task>) -> Option<&'static LossSpec> {
    let name = ident.to_string();
    if let Some((_, reason)) = catalog::UNSUPPORTED.iter().find(|(n, _)| *n == name) {
        cx.error_spanned_by(
            ident,
            format!("`{name}` is not supported by `#[derive(ModelOutput)]`: {reason}"),
        );
        return None;
    }
    let Some(spec) = catalog::loss(&name) else {
        let names = catalog::LOSSES.iter().map(|l| l.name);
        let hint = catalog::did_you_mean(&name, names)
            .map(|l| format!("did you mean `{l}`? "))
            .unwrap_or_default();
        cx.error_spanned_by(
            ident,
            format!(
                "unknown loss `{name}`: {hint}see the table in `lossfit::guide` for the losses"
            ),
        );
        return None;
    };
    let task = task?;
    if !spec.tasks.contains(&task) {
        cx.error_spanned_by(
            ident,
            format!(
                "`{name}` is not a loss for `{}` heads; losses that fit `{}`: {}",
                task.name(),
                task.name(),
                quoted(&task.fitting())
            ),
        );
        return None;
    }
    Some(spec)
}

fn check_reduction(
    cx: &mut Ctxt,
    head: &Head,
    keys: &Keys<'_>,
    loss: Option<&LossSpec>,
) -> Option<Reduction> {
    let is_kl = loss.is_some_and(|l| l.name == "KlDiv");
    let suggestion = if is_kl { "batchmean" } else { "mean" };
    let Some(entry) = keys.get("reduction") else {
        cx.error_spanned_by(
            &head.attr.attr,
            format!(
                "head `{}` has no `reduction`: PyTorch would silently use the mean; state the \
                 choice with `reduction = {suggestion}` (or `reduction = sum`)",
                head.field
            ),
        );
        return None;
    };
    let Value::Ident(ident) = &entry.value else {
        cx.error_at(
            entry.value.span(),
            "`reduction` is `mean`, `sum` (or `batchmean` for `KlDiv`)",
        );
        return None;
    };
    match ident.to_string().as_str() {
        "mean" if is_kl => {
            cx.error_spanned_by(
                ident,
                "`mean` divides `KlDiv` by the number of elements, not samples: the value is the \
                 KL divergence divided by the number of classes (PyTorch's long-standing trap, \
                 losslint's LL008); use `reduction = batchmean` (or `sum`)",
            );
            None
        }
        "mean" => Some(Reduction::Mean),
        "sum" => Some(Reduction::Sum),
        "batchmean" if is_kl => Some(Reduction::BatchMean),
        "batchmean" => {
            cx.error_spanned_by(
                ident,
                "`batchmean` is the reduction of `KlDiv` only: use `mean` or `sum`",
            );
            None
        }
        "none" => {
            cx.error_spanned_by(
                ident,
                "a head's loss is added to the model's total, so it must reduce: use `mean` or \
                 `sum` (per-sample losses: call the loss with `.reduction(PerSample)` directly)",
            );
            None
        }
        other => {
            let hint = catalog::did_you_mean(other, ["mean", "sum", "batchmean"])
                .map(|r| format!("did you mean `{r}`? "))
                .unwrap_or_default();
            cx.error_spanned_by(
                ident,
                format!("unknown reduction `{other}`: {hint}use `mean` or `sum`"),
            );
            None
        }
    }
}

/// The `input = ...` declaration against what the loss expects.
fn check_input_kind(
    cx: &mut Ctxt,
    head: &Head,
    keys: &Keys<'_>,
    loss: &LossSpec,
    loss_ident: &Ident,
) {
    let expected = loss.input;
    let declared = match keys.get("input") {
        None => None,
        Some(Entry {
            value: Value::Ident(ident),
            ..
        }) => {
            let name = ident.to_string();
            let kind = [
                catalog::Input::Logits,
                catalog::Input::Probabilities,
                catalog::Input::LogProbabilities,
                catalog::Input::Predictions,
            ]
            .into_iter()
            .find(|k| k.name() == name);
            if kind.is_none() {
                cx.error_spanned_by(
                    ident,
                    "`input` is `logits`, `probabilities`, `log_probabilities` or `predictions`",
                );
                return;
            }
            kind.map(|k| (k, ident.clone()))
        }
        Some(entry) => {
            cx.error_at(entry.value.span(), "`input` takes a name such as `logits`");
            return;
        }
    };
    match declared {
        Some((kind, _)) if kind == expected => {}
        Some((kind, ident)) => {
            let advice = match (loss.name, kind) {
                (
                    "CrossEntropy" | "SoftmaxFocal" | "MultiMargin",
                    catalog::Input::Probabilities,
                ) => {
                    "softmax is already inside the loss: output raw logits, or use `Nll` on log-probabilities"
                }
                (
                    "BceWithLogits" | "SigmoidFocal" | "MultiLabelSoftMargin" | "SoftMargin",
                    catalog::Input::Probabilities,
                ) => {
                    "the sigmoid is already inside the loss: output raw logits, or use `Bce` on probabilities (less stable)"
                }
                (_, catalog::Input::Logits) if expected == catalog::Input::LogProbabilities => {
                    "apply log_softmax in the model, or use `CrossEntropy`, which takes logits"
                }
                (_, catalog::Input::Logits) if expected == catalog::Input::Probabilities => {
                    "use `BceWithLogits` on logits: it applies the sigmoid stably"
                }
                _ => "declare what the head outputs, and pick the loss that takes it",
            };
            cx.error_spanned_by(
                ident,
                format!(
                    "`{}` expects {}, but the head declares `input = {}`: {advice}",
                    loss.name,
                    expected.name().replace('_', "-"),
                    kind.name()
                ),
            );
        }
        None if matches!(
            expected,
            catalog::Input::Probabilities | catalog::Input::LogProbabilities
        ) =>
        {
            cx.error_spanned_by(
                loss_ident,
                format!(
                    "`{}` takes {}, not raw logits: declare `input = {}` if head `{}` outputs \
                     them, or use {} on the logits",
                    loss.name,
                    expected.name().replace('_', "-"),
                    expected.name(),
                    head.field,
                    if expected == catalog::Input::Probabilities {
                        "`BceWithLogits`"
                    } else {
                        "`CrossEntropy`"
                    }
                ),
            );
        }
        None => {}
    }
}

/// The rank and element type a field's type shows, when it is an `ndarray` array.
fn array_shape(ty: &Type) -> Option<(Option<usize>, Option<Ident>)> {
    let Type::Path(path) = ty else { return None };
    let segment = path.path.segments.last()?;
    let rank = match segment.ident.to_string().as_str() {
        "Array0" => Some(0),
        "Array1" => Some(1),
        "Array2" => Some(2),
        "Array3" => Some(3),
        "Array4" => Some(4),
        "Array5" => Some(5),
        "Array6" => Some(6),
        "ArrayD" | "Array" => None,
        _ => return None,
    };
    let PathArguments::AngleBracketed(args) = &segment.arguments else {
        return Some((rank, None));
    };
    let mut types = args.args.iter().filter_map(|a| match a {
        GenericArgument::Type(t) => Some(t),
        _ => None,
    });
    let elem = types.next().and_then(|t| match t {
        Type::Path(p) => p.path.get_ident().cloned(),
        _ => None,
    });
    let rank = if segment.ident == "Array" {
        types.next().and_then(|d| {
            let text = d.to_token_stream().to_string().replace(' ', "");
            text.strip_prefix("Ix").and_then(|n| n.parse().ok())
        })
    } else {
        rank
    };
    Some((rank, elem))
}

fn element_type(ty: &Type) -> Option<Ident> {
    array_shape(ty).and_then(|(_, elem)| elem)
}

/// Whether the field's type can hold the task's output (errors recorded otherwise).
fn check_field_type(cx: &mut Ctxt, head: &Head, task: Task) -> bool {
    let Some((rank, elem)) = array_shape(&head.ty) else {
        cx.error_spanned_by(
            &head.ty,
            format!(
                "head `{}` must be an `ndarray` array holding {}, e.g. `{}<f32>`",
                head.field,
                task.shape(),
                suggested_array(task)
            ),
        );
        return false;
    };
    if !elem.is_some_and(|e| e == "f32" || e == "f64") {
        cx.error_spanned_by(
            &head.ty,
            format!("head `{}` must hold `f32` or `f64` values", head.field),
        );
        return false;
    }
    if let (Some(found), Some(expected)) = (rank, task.rank())
        && found != expected
    {
        cx.error_spanned_by(
            &head.ty,
            format!(
                "a `{}` head outputs {} ({expected} dimensions), but `{}` has {found}: use `{}<..>`",
                task.name(),
                task.shape(),
                head.field,
                suggested_array(task)
            ),
        );
        return false;
    }
    true
}

fn suggested_array(task: Task) -> &'static str {
    match task.rank() {
        Some(1) => "Array1",
        Some(2) => "Array2",
        Some(3) => "Array3",
        _ => "ArrayD",
    }
}

/// A label file read at compile time.
pub(crate) struct Labels {
    pub(crate) stats: lossfit_stats::LabelStats,
    pub(crate) file: String,
    pub(crate) written: String,
    pub(crate) span: Span,
}

fn check_labels(
    cx: &mut Ctxt,
    head: &Head,
    keys: &Keys<'_>,
    task: Task,
    loss: &LossSpec,
) -> Option<Labels> {
    let entry = keys.get("labels")?;
    let Value::Str(lit) = &entry.value else {
        cx.error_at(
            entry.value.span(),
            "`labels` takes a path string, e.g. `labels = \"data/train_labels.csv\"`",
        );
        return None;
    };
    if !task.has_classes() {
        cx.error_spanned_by(
            lit,
            format!(
                "label statistics apply to classification heads; `{}` is a `{}` loss",
                loss.name,
                task.name()
            ),
        );
        return None;
    }
    let column = match keys.get("column").map(|e| &e.value) {
        None => None,
        Some(Value::Str(c)) => Some(c.value()),
        Some(other) => {
            cx.error_at(
                other.span(),
                "`column` takes the CSV column's name as a string",
            );
            None
        }
    };
    let mut class_names = None;
    let classes = match keys.get("classes").map(|e| &e.value) {
        Some(Value::Number {
            value,
            integer: true,
            ..
        }) if *value >= 1.0 => Some(*value as usize),
        Some(Value::Names { values, .. }) if !values.is_empty() => {
            class_names = Some(values.iter().map(LitStr::value).collect());
            None
        }
        Some(other) => {
            cx.error_at(
                other.span(),
                "`classes` takes the number of classes (a positive integer) or the class \
                 names in the order of the model's outputs (`[\"cat\", \"dog\"]`)",
            );
            None
        }
        None => None,
    };
    let written = lit.value();
    let path = labels::resolve(&written);
    match labels::read(task, &path, column, classes, class_names) {
        Ok(stats) => Some(Labels {
            stats,
            file: path.to_string_lossy().into_owned(),
            written,
            span: lit.span(),
        }),
        Err(error) => {
            cx.error_spanned_by(
                lit,
                format!(
                    "cannot use the labels of head `{}` (\"{written}\"): {error}",
                    head.field
                ),
            );
            None
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum WeightKind {
    Class,
    Positive,
}

fn check_weights(
    cx: &mut Ctxt,
    keys: &Keys<'_>,
    key: &str,
    labels: Option<&Labels>,
    kind: WeightKind,
) -> Option<Vec<f64>> {
    let entry = keys.get(key)?;
    let expected_len = labels.map(|l| labels::classes(&l.stats));
    match &entry.value {
        Value::List { values, span } => {
            if let Some(bad) = values.iter().find(|v| !(v.is_finite() && **v >= 0.0)) {
                cx.error_at(
                    *span,
                    format!("`{key}` values must be finite and >= 0, found {bad}"),
                );
                return None;
            }
            if let Some(n) = expected_len {
                let n = if kind == WeightKind::Positive && n == 2 && values.len() == 1 {
                    1
                } else {
                    n
                };
                if values.len() != n {
                    cx.error_at(
                        *span,
                        format!(
                            "`{key}` has {} values but the labels have {n} classes",
                            values.len()
                        ),
                    );
                    return None;
                }
            }
            Some(values.clone())
        }
        Value::Ident(ident) => {
            let Some(labels) = labels else {
                cx.error_spanned_by(
                    ident,
                    format!("`{key} = {ident}` is computed from the label statistics: add `labels = \"path/to/labels.csv\"` (or a counts file), or write the values, e.g. `{key} = [1.0, 4.0]`"),
                );
                return None;
            };
            let result = if kind == WeightKind::Positive {
                if ident != "balanced" {
                    cx.error_spanned_by(
                        ident,
                        format!("`{key}` is `balanced` (neg/pos per label) or a list of numbers"),
                    );
                    return None;
                }
                labels::pos_weight(&labels.stats)
            } else {
                let scheme = match ident.to_string().as_str() {
                    "balanced" | "inverse_frequency" => WeightScheme::InverseFrequency,
                    "inverse_sqrt_frequency" => WeightScheme::InverseSqrtFrequency,
                    "effective_number" => WeightScheme::EffectiveNumber { beta: 0.999 },
                    other => {
                        cx.error_spanned_by(
                            ident,
                            format!("unknown weight scheme `{other}`: use `balanced` (inverse frequency), `inverse_sqrt_frequency`, `effective_number`, or a list of numbers"),
                        );
                        return None;
                    }
                };
                labels::class_weights(&labels.stats, scheme)
            };
            match result {
                Ok(values) => Some(values),
                Err(error) => {
                    cx.error_spanned_by(
                        ident,
                        format!(
                            "cannot compute `{key} = {ident}` from \"{}\": {error}",
                            labels.written
                        ),
                    );
                    None
                }
            }
        }
        other => {
            cx.error_at(
                other.span(),
                format!("`{key}` is `balanced` or a list of numbers"),
            );
            None
        }
    }
}

fn check_imbalance(
    cx: &mut Ctxt,
    head: &Head,
    keys: &Keys<'_>,
    checked: &CheckedHead,
    labels: &Labels,
) {
    let max_ratio = checked_max_ratio(keys);
    let Some(imbalance) = labels::judge(&labels.stats, max_ratio) else {
        return;
    };
    // Weights that leave the imbalance as it is (all class weights equal, every `pos_weight`
    // 1) do not compensate it.
    let uniform = checked
        .weight
        .as_deref()
        .is_some_and(|w| w.windows(2).all(|pair| pair[0] == pair[1]))
        || checked
            .pos_weight
            .as_deref()
            .is_some_and(|w| w.iter().all(|&v| v == 1.0));
    // weighted, or a weight was written but rejected (already reported)
    let rejected = (keys.get("weight").is_some() && checked.weight.is_none())
        || (keys.get("pos_weight").is_some() && checked.pos_weight.is_none());
    if (checked.weighted() && !uniform) || rejected {
        return;
    }
    if let Some(entry) = keys.get("allow_imbalance") {
        match &entry.value {
            Value::Str(reason) if !reason.value().trim().is_empty() => return,
            other => {
                cx.error_at(other.span(), "`allow_imbalance` takes the reason as a string, e.g. `allow_imbalance = \"resampled in the data loader\"`");
                return;
            }
        }
    }
    let fix = match checked.loss.balancing {
        Balancing::ClassWeights => labels::class_weights(&labels.stats, WeightScheme::InverseFrequency).map_or_else(
            |e| format!("give the classes weights by hand (`weight = [..]`): {e}"),
            |w| format!(
                "add `weight = balanced` (computed from the labels at compile time) or paste `weight = {}`{}",
                labels::format_list(&w),
                labels::named_order(&labels.stats)
            ),
        ),
        Balancing::PosWeight => labels::pos_weight(&labels.stats).map_or_else(
            |e| format!("give the labels positive weights by hand: {e}"),
            |w| format!("add `pos_weight = balanced` (neg/pos, computed at compile time) or paste `pos_weight = {}`", labels::format_list(&w)),
        ),
        Balancing::Focal | Balancing::None => format!(
            "`{}` cannot weight classes: use {} instead",
            checked.loss.name,
            match checked.task {
                Task::MultiLabel | Task::Binary => "`BceWithLogits` with `pos_weight = balanced`",
                _ => "`CrossEntropy` with `weight = balanced`",
            }
        ),
    };
    cx.error_at(
        labels.span,
        format!(
            "head `{}` trains {} `{}` on imbalanced labels: {imbalance} in \"{}\" \
             (the policy flags {max_ratio} and above); the rare classes will barely be learned \
             while accuracy looks fine.\n{fix}, or keep it deliberately with \
             `allow_imbalance = \"<reason>\"`",
            head.field,
            if uniform {
                "an evenly weighted (in effect unweighted)"
            } else {
                "an unweighted"
            },
            checked.loss.name,
            labels.written
        ),
    );
}

fn checked_max_ratio(keys: &Keys<'_>) -> f64 {
    match keys.get("max_imbalance").map(|e| &e.value) {
        Some(Value::Number { value, .. }) if *value > 1.0 => *value,
        _ => lossfit_stats::ImbalancePolicy::default().max_ratio,
    }
}
