//! The loss APIs of each framework, as data: one table per framework, read by the frontends.
//!
//! A table says which paths are losses, which argument is the prediction and which the target,
//! whether and how the API takes a reduction (and what its default is), how class weights are
//! passed, and what a fix writes. Supporting another framework whose API has one of the shapes
//! below is adding a table here; the frontend code only interprets these shapes.
//!
//! Paths are canonical (`burn::nn::loss::MseLoss`): [`FrameworkTable::prefixes`] maps the other
//! spellings a crate is reachable under (`burn_nn::loss`) onto them.

use crate::facts::{Activation, ApiStyle, DeclaredTask, Framework, LossKind, Weighting};

pub mod burn;
pub mod candle;
pub mod lossfit;
pub mod pytorch;
pub mod tch;

/// Every framework table.
#[must_use]
pub fn all() -> &'static [&'static FrameworkTable] {
    static ALL: [&FrameworkTable; 4] = [&lossfit::TABLE, &burn::TABLE, &candle::TABLE, &tch::TABLE];
    &ALL
}

/// A loss API with the table it belongs to.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Api {
    pub(crate) table: &'static FrameworkTable,
    pub(crate) api: &'static LossApi,
}

impl PartialEq for Api {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.api, other.api)
    }
}

/// Everything the frontends know about one framework.
#[derive(Debug)]
pub struct FrameworkTable {
    pub framework: Framework,
    /// `(written, canonical)` path prefixes: a path starting with `written` is looked up with
    /// that prefix replaced by `canonical` (re-exports and renamed crates).
    pub prefixes: &'static [(&'static str, &'static str)],
    /// Crate names whose import (`use tch::...`) turns on recognising [`Form::Method`] losses
    /// and [`ActivationForm::Method`] activations by method name alone: methods cannot be
    /// resolved without types, so the import is the evidence that `x.softmax(..)` is this
    /// framework's.
    pub crates: &'static [&'static str],
    pub losses: &'static [LossApi],
    pub activations: &'static [ActivationApi],
    /// Constructors whose value is declared raw logits (lossfit `Logits::new`).
    pub logits: &'static [&'static str],
    /// Other paths a `use` or a glob import may name (options structs, reduction enums).
    pub other_paths: &'static [&'static str],
    /// The derive macro whose field attributes declare losses, if the framework has one.
    pub derive: Option<&'static DeriveTable>,
    /// What value flow needs of the framework's tensors and models.
    pub tensors: Option<&'static TensorApi>,
}

/// A framework's tensors and models as value flow sees them: which methods keep what a
/// tensor's numbers are (shape, layout, selection, copies), and how a sequential model is
/// built from layers and closures and then run. Methods cannot be resolved without types, so
/// they are recognised by name in files that use one of `crates`.
#[derive(Debug)]
pub struct TensorApi {
    pub crates: &'static [&'static str],
    /// Methods whose result holds the receiver's numbers, reshaped or selected
    /// (`flatten_to`, `narrow`, `index_select`, `transpose`, ...).
    pub shape_methods: &'static [&'static str],
    /// Canonical paths of the functions that start an empty sequential model (`tch::nn::seq`).
    pub sequential: &'static [&'static str],
    /// Canonical paths of the functions that make a model of the closure passed first
    /// (`tch::nn::func`): the model's output is the closure's result.
    pub module_fns: &'static [&'static str],
    /// Methods of a sequential model that append a layer (`add`).
    pub add_layer: &'static [&'static str],
    /// Methods of a sequential model that append a closure (`add_fn`).
    pub add_fn: &'static [&'static str],
    /// Methods of a model that run it on a tensor (`forward`, `forward_t`).
    pub run: &'static [&'static str],
    /// Tensor methods that run the model passed first (`xs.apply(&net)`).
    pub apply: &'static [&'static str],
    /// Activations as layers: paths of the values, types and constructors of modules whose
    /// output is an activation's (candle `Activation::Sigmoid`, burn `nn::Sigmoid`).
    pub activation_layers: &'static [(&'static str, Activation)],
    /// Constructors of the framework's step-output structs and their fields in argument order
    /// (burn `ClassificationOutput::new(loss, output, targets)`).
    pub output_structs: &'static [(&'static str, &'static [&'static str])],
}

/// One loss API.
#[derive(Debug)]
pub struct LossApi {
    /// The canonical path, reported as `LossSite::api`.
    pub path: &'static str,
    pub loss: LossKind,
    pub style: ApiStyle,
    pub form: Form,
    /// For [`Form::Object`]: the reduction as the construction decides it
    /// ([`ReductionSpec::Builder`], or [`ReductionSpec::Absent`] when the applies decide it).
    pub reduction: ReductionSpec,
    /// Where class weights, `pos_weight` and the like are passed.
    pub weights: &'static [WeightParam],
    /// Weighting the loss has by construction (a focal term).
    pub intrinsic: Option<Weighting>,
    /// How LL002's help writes class weights for this API.
    pub weight_hint: Option<HintSpec>,
    /// A builder flag that says whether the input is logits (burn `with_logits`).
    pub logits_flag: Option<LogitsFlag>,
}

/// How a loss API is invoked.
#[derive(Debug)]
pub enum Form {
    /// A loss object: `constructors` build it (a path to a function, or to a unit struct used
    /// as a value), builder methods configure it, `finish` methods (`init`) turn a
    /// configuration into the loss, `applies` compute it. `types` are the types of the built
    /// loss, recognised on struct fields and parameters (the construction is then unseen).
    Object {
        constructors: &'static [&'static str],
        types: &'static [&'static str],
        finish: &'static [&'static str],
        applies: &'static [Apply],
    },
    /// A free function `path(args..)`.
    Function {
        input: Option<usize>,
        target: Option<usize>,
    },
    /// A tensor method: the receiver is the prediction; argument indices do not count it.
    /// Also recognised as `Type::method(&receiver, args..)` through `path`.
    Method {
        name: &'static str,
        target: Option<usize>,
        /// The number of arguments this entry has, when the name alone is ambiguous
        /// (tch `nll_loss(&t)` has no reduction, `g_nll_loss(&t, w, r, i)` does).
        arity: Option<usize>,
    },
}

/// A method that computes a loss object.
#[derive(Debug)]
pub struct Apply {
    pub method: &'static str,
    pub input: Option<usize>,
    pub target: Option<usize>,
    pub reduction: ReductionSpec,
}

/// How an API takes its reduction.
#[derive(Debug)]
pub enum ReductionSpec {
    /// The reduction cannot be seen at this API (it is set elsewhere): `Reduction::Unknown`.
    Absent,
    /// No reduction parameter and always `value` (candle's losses, burn's cross-entropy: the
    /// mean): `Reduction::Unknown` on the site, since there is nothing to write (no LL001),
    /// but known for accumulated losses (LL010).
    Fixed { value: &'static str },
    /// For an [`Apply`]: whatever the loss object's construction says.
    FromObject,
    /// No reduction parameter, yet DESIGN counts the fixed mean as implicit (tch `nll_loss`,
    /// `cross_entropy_for_logits`). The fix rewrites the method call (name and arguments) to
    /// `rewrite`, the form of the same API that takes a reduction and computes the same
    /// value; `{args}` stands for the call's arguments as written.
    FixedImplicit {
        default: &'static str,
        rewrite: Option<&'static str>,
    },
    /// Fixed by the method chosen (`forward_no_reduction`): explicit.
    Named { value: &'static str },
    /// A builder method; when never called the default applies and the fix inserts `fix`
    /// right after the constructor call.
    Builder {
        method: &'static str,
        default: &'static str,
        fix: &'static str,
    },
    /// A positional argument (0-based, receiver not counted). A value whose last path segment
    /// is in `implicit` (burn `Reduction::Auto`) means "the default": `Implicit`, fixed by
    /// replacing that segment with `replacement`.
    Argument {
        index: usize,
        default: &'static str,
        implicit: &'static [&'static str],
        replacement: &'static str,
    },
    /// A field of the options struct passed at argument `index`; missing, the default applies
    /// and the fix writes `field: value`.
    OptionsField {
        index: usize,
        options: &'static str,
        field: &'static str,
        default: &'static str,
        value: &'static str,
    },
}

/// Where a weighting parameter is passed and what it means.
#[derive(Debug)]
pub struct WeightParam {
    pub at: WeightAt,
    pub weighting: Weighting,
}

/// The shape of a weighting parameter.
#[derive(Debug)]
pub enum WeightAt {
    /// A builder method whose argument is the weight (`.weight(w)`): calling it weights.
    Method(&'static str),
    /// A builder method taking an `Option` (`.with_weights(Some(w))`).
    OptionMethod(&'static str),
    /// A positional `Option` argument (tch `weight: Option<T>`).
    OptionArgument(usize),
    /// An `Option` field of the options struct (`weight: Some(w)`).
    OptionField(&'static str),
}

/// LL002's help text for an API: `template` with `{weights}` standing for the numbers.
#[derive(Debug)]
pub struct HintSpec {
    pub template: &'static str,
    /// Whether `template` is exact text to insert right after the constructor call.
    pub after_constructor: bool,
}

/// A boolean builder flag saying whether the input is logits.
#[derive(Debug)]
pub struct LogitsFlag {
    pub method: &'static str,
    pub default: bool,
    /// The loss with logits.
    pub logits: LossKind,
    /// The loss on probabilities, when it is another loss kind (burn BCE); `None` keeps the
    /// kind and stops tracking the input's origin (burn cross-entropy on probabilities
    /// expects softmax output, so a softmax origin is not a mistake there).
    pub probabilities: Option<LossKind>,
}

/// An activation function or method.
#[derive(Debug)]
pub struct ActivationApi {
    pub activation: Activation,
    pub form: ActivationForm,
}

/// How an activation is invoked.
#[derive(Debug)]
pub enum ActivationForm {
    /// A free function (or `Type::method` called with the tensor first); the tensor is the
    /// first argument.
    Function(&'static str),
    /// A method, recognised by name when the file imports one of the table's crates; `arity`
    /// (when given) must match the argument count.
    Method {
        name: &'static str,
        arity: Option<usize>,
    },
}

/// A derive macro whose field attributes declare losses (`#[head(...)]`).
#[derive(Debug)]
pub struct DeriveTable {
    /// The derive's path (`lossfit::ModelOutput`).
    pub derive: &'static str,
    /// The field attribute (`head`).
    pub attribute: &'static str,
    /// What the pre-filter looks for (`#[head`): the bare name is too common a word.
    pub attribute_needle: &'static str,
    /// Prefix of `LossSite::api` (`lossfit::` + the loss name).
    pub api_prefix: &'static str,
    pub losses: &'static [DeriveLoss],
    pub tasks: &'static [(&'static str, DeclaredTask)],
    pub task_key: &'static str,
    pub loss_key: &'static str,
    pub reduction_key: &'static str,
    pub default_reduction: &'static str,
    /// Inserted before the attribute's closing parenthesis when the reduction is missing.
    pub reduction_fix: &'static str,
    /// Keys that weight the loss.
    pub weight_keys: &'static [(&'static str, Weighting)],
    /// A key that accepts an unweighted loss on imbalanced labels with a reason: the weighting
    /// is then `Unknown` (the choice was made where the code shows it).
    pub accept_key: &'static str,
    pub labels_key: &'static str,
    /// `input = logits` (the default) declares raw logits.
    pub input_key: &'static str,
    pub logits_value: &'static str,
}

/// A loss the derive accepts.
#[derive(Debug)]
pub struct DeriveLoss {
    pub name: &'static str,
    pub loss: LossKind,
    /// The key that gives it class weights, for LL002's help (`weight`, `pos_weight`).
    pub weight_key: Option<&'static str>,
    /// Whether it takes raw logits, so that a head without `input = ..` declares logits.
    /// Heads of the other losses without `input` are not assumed to output anything.
    pub takes_logits: bool,
}

impl FrameworkTable {
    /// Every path the table names, for import and glob resolution.
    pub fn known_paths(&'static self) -> impl Iterator<Item = &'static str> {
        let activations = self.activations.iter().filter_map(|a| match a.form {
            ActivationForm::Function(path) => Some(path),
            ActivationForm::Method { .. } => None,
        });
        self.losses
            .iter()
            .flat_map(LossApi::paths)
            .chain(activations)
            .chain(self.logits.iter().copied())
            .chain(self.other_paths.iter().copied())
            .chain(self.derive.map(|d| d.derive))
            .chain(
                self.tensors
                    .iter()
                    .flat_map(|t| t.sequential.iter().chain(t.module_fns.iter()).copied()),
            )
            .chain(self.tensors.iter().flat_map(|t| {
                t.activation_layers
                    .iter()
                    .map(|(path, _)| *path)
                    .chain(t.output_structs.iter().map(|(path, _)| *path))
            }))
    }
}

impl LossApi {
    /// The API's own path, its constructors, loss types and options struct.
    pub fn paths(&'static self) -> impl Iterator<Item = &'static str> {
        let (constructors, types): (&'static [&'static str], &'static [&'static str]) =
            match &self.form {
                Form::Object {
                    constructors,
                    types,
                    ..
                } => (constructors, types),
                Form::Function { .. } | Form::Method { .. } => (&[], &[]),
            };
        let options = match &self.reduction {
            ReductionSpec::OptionsField { options, .. } => Some(*options),
            _ => None,
        };
        std::iter::once(self.path)
            .chain(constructors.iter().copied())
            .chain(types.iter().copied())
            .chain(options)
    }
}

/// Whether `prefix` is a whole-segment prefix of `path` (`a::b` of `a::b::c`).
#[must_use]
pub fn is_prefix_path(prefix: &str, path: &str) -> bool {
    path.len() > prefix.len() && path.starts_with(prefix) && path[prefix.len()..].starts_with("::")
}

/// Rewrites a path to its canonical spelling through the tables' prefixes.
#[must_use]
pub fn canonical(path: &str) -> String {
    for table in all() {
        for (written, canonical) in table.prefixes {
            if path == *written {
                return (*canonical).to_string();
            }
            if is_prefix_path(written, path) {
                return format!("{canonical}{}", &path[written.len()..]);
            }
        }
    }
    path.to_string()
}

/// Whether a canonical path is a table path or a module that contains one.
#[must_use]
pub fn is_known_or_module(path: &str) -> bool {
    all().iter().any(|table| {
        table
            .known_paths()
            .any(|known| known == path || is_prefix_path(path, known))
    })
}

/// The crate names every table's paths start with (after and before canonicalisation).
#[must_use]
pub fn crate_roots() -> Vec<&'static str> {
    let mut roots: Vec<&'static str> = Vec::new();
    for table in all() {
        let firsts = table
            .known_paths()
            .chain(table.prefixes.iter().map(|(written, _)| *written))
            .chain(table.crates.iter().copied())
            .filter_map(|path| path.split("::").next());
        for root in firsts {
            if !roots.contains(&root) {
                roots.push(root);
            }
        }
    }
    roots
}

/// Substrings of which at least one occurs in any file that uses a table API: the type (or
/// function) name of every loss path and constructor, every method name, and the derive
/// attribute. Needles that contain
/// another needle are dropped (the shorter one already matches).
#[must_use]
pub fn needles() -> Vec<&'static str> {
    let mut all_needles: Vec<&'static str> = Vec::new();
    for table in all() {
        for api in table.losses {
            match &api.form {
                Form::Object {
                    constructors,
                    types,
                    ..
                } => {
                    for path in std::iter::once(&api.path)
                        .chain(constructors.iter())
                        .chain(types.iter())
                    {
                        all_needles.push(type_segment(path));
                    }
                }
                Form::Method { name, .. } => all_needles.push(name),
                Form::Function { .. } => all_needles.push(last_segment(api.path)),
            }
        }
        if let Some(derive) = table.derive {
            all_needles.push(derive.attribute_needle);
        }
    }
    all_needles.sort_unstable();
    all_needles.dedup();
    let minimal: Vec<&'static str> = all_needles
        .iter()
        .copied()
        .filter(|needle| {
            !all_needles
                .iter()
                .any(|other| other != needle && needle.contains(other))
        })
        .collect();
    minimal
}

/// `b` of `a::b`.
#[must_use]
pub fn last_segment(path: &str) -> &str {
    path.rsplit("::").next().unwrap_or(path)
}

/// The type segment of a path: `MseLoss` of `burn::nn::loss::MseLoss::new` (the last segment
/// that starts with an uppercase letter, else the last: `nll` of `candle_nn::loss::nll`).
fn type_segment(path: &str) -> &str {
    path.split("::")
        .filter(|segment| segment.chars().next().is_some_and(char::is_uppercase))
        .last()
        .unwrap_or_else(|| last_segment(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_rewrites_prefixes() {
        assert_eq!(
            canonical("burn_nn::loss::MseLoss"),
            "burn::nn::loss::MseLoss"
        );
        assert_eq!(canonical("burn_nn"), "burn::nn");
        assert_eq!(canonical("candle_nn::loss::nll"), "candle_nn::loss::nll");
    }

    #[test]
    fn modules_of_known_paths_are_known() {
        assert!(is_known_or_module("candle_nn::loss"));
        assert!(is_known_or_module("candle_nn::loss::cross_entropy"));
        assert!(!is_known_or_module("candle_nn::loss::no_such_loss"));
        assert!(!is_known_or_module("candle_nn::lo"));
    }

    #[test]
    fn needles_are_minimal_and_cover_the_tables() {
        let needles = needles();
        assert!(needles.contains(&"#[head"));
        for common in ["l1", "Tensor", "head"] {
            assert!(!needles.contains(&common), "too common: {needles:?}");
        }
        assert!(needles.iter().any(|n| "CrossEntropyLossConfig".contains(n)));
        assert!(
            needles
                .iter()
                .any(|n| "cross_entropy_for_logits".contains(n))
        );
        for needle in &needles {
            assert!(
                !needles
                    .iter()
                    .any(|other| other != needle && needle.contains(other)),
                "{needle} is not minimal"
            );
        }
    }

    #[test]
    fn every_table_path_is_canonical() {
        for table in all() {
            for path in table.known_paths() {
                assert_eq!(canonical(path), path, "{path} is not canonical");
            }
        }
    }
}
