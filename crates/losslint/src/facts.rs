//! The language-neutral facts a frontend extracts from one file and the rules judge.
//!
//! Facts record what the code *shows*: a loss API called or constructed, its arguments as
//! written, and what is known about where each input value came from. Anything a frontend
//! cannot see is `Unknown`, and rules report nothing on unknowns (zero false positives first).

use serde::Serialize;

/// A position in a file: 1-based line and column (column counted in characters), and the
/// 0-based byte offset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
    pub offset: usize,
}

/// A range of a file, `start` inclusive, `end` exclusive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

/// The source language of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Rust,
    Python,
}

/// The library whose loss API a site uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Framework {
    /// `lossfit` typed layer (`CrossEntropy::new()...`), functional layer, or derive heads.
    Lossfit,
    Burn,
    Candle,
    Tch,
    PyTorch,
}

/// How a site's API is shaped, which decides how a fix is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiStyle {
    /// lossfit typed builder: `CrossEntropy::new().weight(..).reduction(Mean)`.
    LossfitTyped,
    /// lossfit functional call with an options struct.
    LossfitFunctional,
    /// `#[head(...)]` attribute of `#[derive(ModelOutput)]`.
    LossfitDerive,
    /// burn `XLossConfig::new()...init(&device)` then `.forward(..)` / `.forward_no_reduction(..)`.
    BurnConfig,
    /// candle-nn free function `loss::cross_entropy(&logits, &target)`.
    CandleFunction,
    /// tch tensor method `logits.cross_entropy_loss::<Tensor>(&t, None, Reduction::Mean, -100, 0.0)`.
    TchMethod,
    /// PyTorch module or functional call.
    PyTorch,
}

/// The loss, canonicalised across frameworks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LossKind {
    CrossEntropy,
    Nll,
    Bce,
    BceWithLogits,
    Mse,
    L1,
    SmoothL1,
    Huber,
    KlDiv,
    SoftMargin,
    MultiLabelSoftMargin,
    MultiMargin,
    /// PyTorch `MultiLabelMarginLoss`.
    MultiLabelMargin,
    /// Connectionist temporal classification (PyTorch `CTCLoss`).
    Ctc,
    PoissonNll,
    GaussianNll,
    SigmoidFocal,
    SoftmaxFocal,
    MarginRanking,
    TripletMargin,
    CosineEmbedding,
    HingeEmbedding,
    Contrastive,
    InfoNce,
}

impl LossKind {
    /// Classification losses that class statistics (LL002, LL009) apply to.
    #[must_use]
    pub fn is_classification(self) -> bool {
        matches!(
            self,
            LossKind::CrossEntropy
                | LossKind::Nll
                | LossKind::Bce
                | LossKind::BceWithLogits
                | LossKind::SoftMargin
                | LossKind::MultiLabelSoftMargin
                | LossKind::MultiMargin
                | LossKind::MultiLabelMargin
                | LossKind::SigmoidFocal
                | LossKind::SoftmaxFocal
        )
    }

    /// Regression losses.
    #[must_use]
    pub fn is_regression(self) -> bool {
        matches!(
            self,
            LossKind::Mse
                | LossKind::L1
                | LossKind::SmoothL1
                | LossKind::Huber
                | LossKind::PoissonNll
                | LossKind::GaussianNll
        )
    }
}

/// The reduction of a site, as far as the code shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reduction {
    /// Written out: the value as the framework spells it (`"mean"`, `Reduction::Sum`, `Mean`).
    Explicit { value: String, span: Span },
    /// The API takes a reduction and none is written: the framework's default applies.
    /// `fix` is the edit that writes the default explicitly (LL001's safe fix).
    Implicit { default: String, fix: Option<Edit> },
    /// The API has no reduction parameter, or it cannot be seen (e.g. set in another function).
    Unknown,
}

/// How a classification loss compensates for class imbalance, as far as the code shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Weighting {
    /// Nothing: no class weights, no `pos_weight`, not a focal loss.
    None,
    /// Class weights (`weight`, `with_weights`, `ClassWeights`).
    ClassWeights,
    /// A positive-class weight (`pos_weight`).
    PosWeight,
    /// A focal term.
    Focal,
    /// Something is passed whose meaning cannot be seen (a variable that may be `None`).
    Unknown,
}

/// What produced a value, traced through `let` bindings, method chains and nested calls
/// inside one function.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Origin {
    /// Not known.
    Unknown,
    /// The output of an activation call.
    Activation { activation: Activation, span: Span },
    /// Declared raw logits (lossfit `Logits`, a derive head with `input = logits`).
    Logits { span: Span },
    /// Integer class labels: a parameter whose type says so (burn `Tensor<B, D, Int>`,
    /// lossfit `ClassIndices`, an integer `ndarray` array, slice or `Vec`), traced through
    /// conversions such as `.float()`. A regression loss whose target is these is judged
    /// against the project's class labels (LL009).
    ClassLabels { span: Span },
}

/// Activation functions that change what a value is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    Softmax,
    LogSoftmax,
    Sigmoid,
    LogSigmoid,
}

/// The role of an argument of a loss call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The prediction (logits, probabilities, ...).
    Input,
    Target,
    Other,
}

/// One argument flowing into a loss.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Argument {
    pub role: Role,
    pub span: Span,
    pub origin: Origin,
}

/// A text edit: replace `span` with `content` (an empty span inserts).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub span: Span,
    pub content: String,
}

/// A loss constructed or called.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LossSite {
    pub framework: Framework,
    pub style: ApiStyle,
    pub loss: LossKind,
    /// The API as resolved through imports, e.g. `burn::nn::loss::CrossEntropyLossConfig`.
    pub api: String,
    /// The whole construction or call expression.
    pub span: Span,
    /// The loss's name token (where diagnostics point).
    pub name_span: Span,
    pub reduction: Reduction,
    pub weighting: Weighting,
    /// `size_average=` / `reduce=` arguments (legacy, silently override `reduction`).
    pub legacy_args: Vec<Span>,
    /// Arguments whose origin matters (for calls; empty for constructions).
    pub arguments: Vec<Argument>,
    /// The task the code declares for this loss (derive heads), if any.
    pub declared_task: Option<DeclaredTask>,
    /// `labels = "..."` from an inline `// losslint: labels = "..."` directive on or above the
    /// site, or from a derive head's `labels` key; relative to the file's directory.
    pub labels: Option<String>,
    /// Where a class-weight argument would be inserted or how it is written (LL002's help).
    pub weight_hint: Option<WeightHint>,
    /// The `reduction=` that replaces the legacy arguments, when their values are literals
    /// (LL007's safe fix).
    pub legacy_fix: Option<LegacyFix>,
    /// Edits that compute the same loss with the with-logits API on the value before the
    /// sigmoid (LL005's unsafe fix), when the frontend can write them.
    pub logits_fix: Option<Vec<Edit>>,
}

/// The reduction the legacy `size_average=`/`reduce=` pair means, and the edits that write it
/// in their place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LegacyFix {
    /// `"none"`, `"sum"` or `"mean"`.
    pub reduction: String,
    pub edits: Vec<Edit>,
}

/// A task declared in code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeclaredTask {
    MultiClass,
    MultiLabel,
    Binary,
    Regression,
    Ranking,
    Sequence,
}

/// How a site would take class weights, so LL002's help can show code in the file's own
/// language and framework.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WeightHint {
    /// e.g. `.with_weights(vec![{weights}])`, `weight = balanced`, `.weight(ClassWeights::new(vec![{weights}])?)`;
    /// `{weights}` is replaced with the computed numbers.
    pub template: String,
    /// Where it goes (insertion point), when an edit can be made.
    pub at: Option<Span>,
}

/// A per-batch loss accumulated into an epoch total (LL010).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Accumulation {
    pub span: Span,
    /// The reduction of the accumulated loss, if known.
    pub reduction: Option<String>,
    /// What the total is divided by: the number of samples or of batches, if recognisable.
    pub divisor: Divisor,
    pub divisor_span: Option<Span>,
}

/// What an accumulated loss total is divided by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Divisor {
    Samples,
    Batches,
    Unknown,
}

/// A file that could not be parsed (LL000).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ParseFailure {
    pub message: String,
    pub span: Span,
    /// The parser recovered from the error (Python): the parts of the file that parse were
    /// analysed, and their findings are reported too.
    pub recovered: bool,
}

/// Everything one file shows.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct FileFacts {
    pub losses: Vec<LossSite>,
    pub accumulations: Vec<Accumulation>,
    pub parse_failure: Option<ParseFailure>,
    /// `losslint: labels = ".."` directives that bind no loss (none on their line or the
    /// next, where the loss is built or applied): the comment's span and the path it names.
    pub unbound_label_directives: Vec<(Span, String)>,
}
