//! lossfit's loss APIs: the typed builders (`CrossEntropy::new().reduction(Mean)`), the
//! functional layer (`functional::cross_entropy(&x, &t, &CrossEntropyOptions { .. })`) and the
//! `#[head(...)]` keys of `#[derive(ModelOutput)]` (as in `lossfit-derive/src/catalog.rs`).
//!
//! Fixes spell paths in full (`lossfit::Mean`, `lossfit::Reduction::Mean`) so they compile
//! without a new `use`.

use super::{
    ActivationApi, ActivationForm, Apply, DeriveLoss, DeriveTable, Form, FrameworkTable, HintSpec,
    LossApi, ReductionSpec, WeightAt, WeightParam,
};
use crate::facts::{Activation, ApiStyle, DeclaredTask, Framework, LossKind, Weighting};

/// A typed-layer loss: `lossfit::$name::new()` / `::default()`, configured by builder
/// methods, computed by `.compute(&prediction, &target)`.
macro_rules! typed {
    ($name:ident, $kind:ident, [$($at:ident($param:literal) => $w:ident),*], $hint:expr $(, $focal:ident)?) => {
        LossApi {
            path: concat!("lossfit::", stringify!($name)),
            loss: LossKind::$kind,
            style: ApiStyle::LossfitTyped,
            form: Form::Object {
                constructors: &[
                    concat!("lossfit::", stringify!($name), "::new"),
                    concat!("lossfit::", stringify!($name), "::default"),
                ],
                types: &[concat!("lossfit::", stringify!($name))],
                finish: &[],
                applies: &[Apply {
                    method: "compute",
                    input: Some(0),
                    target: Some(1),
                    reduction: ReductionSpec::FromObject,
                }],
            },
            reduction: ReductionSpec::Builder {
                method: "reduction",
                default: "mean",
                fix: ".reduction(lossfit::Mean)",
            },
            weights: &[$(WeightParam { at: WeightAt::$at($param), weighting: Weighting::$w }),*],
            intrinsic: focal!($($focal)?),
            weight_hint: $hint,
            logits_flag: None,
        }
    };
}

/// A functional-layer loss `lossfit::functional::$name(input, target, &Options { .. })`.
macro_rules! functional {
    ($name:ident, $options:ident, $kind:ident, ($($input:literal, $target:literal)?), $index:literal,
     [$($at:ident($param:literal) => $w:ident),*] $(, $focal:ident)?) => {
        LossApi {
            path: concat!("lossfit::functional::", stringify!($name)),
            loss: LossKind::$kind,
            style: ApiStyle::LossfitFunctional,
            form: Form::Function {
                input: first!($($input)?),
                target: first!($($target)?),
            },
            reduction: ReductionSpec::OptionsField {
                index: $index,
                options: concat!("lossfit::functional::", stringify!($options)),
                field: "reduction",
                default: "mean",
                value: "lossfit::Reduction::Mean",
            },
            weights: &[$(WeightParam { at: WeightAt::$at($param), weighting: Weighting::$w }),*],
            intrinsic: focal!($($focal)?),
            weight_hint: None,
            logits_flag: None,
        }
    };
}

macro_rules! focal {
    () => {
        None
    };
    (focal) => {
        Some(Weighting::Focal)
    };
}

macro_rules! first {
    () => {
        None
    };
    ($index:literal) => {
        Some($index)
    };
}

pub static TABLE: FrameworkTable = FrameworkTable {
    framework: Framework::Lossfit,
    prefixes: &[],
    crates: &["lossfit"],
    losses: &[
        typed!(CrossEntropy, CrossEntropy, [Method("weight") => ClassWeights], CLASS_WEIGHTS),
        typed!(Nll, Nll, [Method("weight") => ClassWeights], CLASS_WEIGHTS),
        typed!(Bce, Bce, [], NO_HINT),
        typed!(BceWithLogits, BceWithLogits, [Method("pos_weight") => PosWeight], POS_WEIGHT),
        typed!(Mse, Mse, [], NO_HINT),
        typed!(L1, L1, [], NO_HINT),
        typed!(SmoothL1, SmoothL1, [], NO_HINT),
        typed!(Huber, Huber, [], NO_HINT),
        typed!(KlDiv, KlDiv, [], NO_HINT),
        typed!(SoftMargin, SoftMargin, [], NO_HINT),
        typed!(MultiLabelSoftMargin, MultiLabelSoftMargin, [Method("weight") => ClassWeights], CLASS_WEIGHTS),
        typed!(MultiMargin, MultiMargin, [Method("weight") => ClassWeights], CLASS_WEIGHTS),
        typed!(PoissonNll, PoissonNll, [], NO_HINT),
        typed!(GaussianNll, GaussianNll, [], NO_HINT),
        typed!(SigmoidFocal, SigmoidFocal, [], NO_HINT, focal),
        typed!(SoftmaxFocal, SoftmaxFocal, [Method("alpha") => ClassWeights], NO_HINT, focal),
        typed!(MarginRanking, MarginRanking, [], NO_HINT),
        typed!(TripletMargin, TripletMargin, [], NO_HINT),
        typed!(CosineEmbedding, CosineEmbedding, [], NO_HINT),
        typed!(HingeEmbedding, HingeEmbedding, [], NO_HINT),
        typed!(Contrastive, Contrastive, [], NO_HINT),
        typed!(InfoNce, InfoNce, [], NO_HINT),
        functional!(binary_cross_entropy, BceOptions, Bce, (0, 1), 2, [OptionField("weight") => ClassWeights]),
        functional!(binary_cross_entropy_with_logits, BceWithLogitsOptions, BceWithLogits, (0, 1), 2,
            [OptionField("pos_weight") => PosWeight, OptionField("weight") => ClassWeights]),
        functional!(contrastive_loss, ContrastiveOptions, Contrastive, (), 3, []),
        functional!(
            cosine_embedding_loss,
            CosineEmbeddingOptions,
            CosineEmbedding,
            (),
            3,
            []
        ),
        functional!(cross_entropy, CrossEntropyOptions, CrossEntropy, (0, 1), 2, [OptionField("weight") => ClassWeights]),
        functional!(cross_entropy_probs, CrossEntropyOptions, CrossEntropy, (0, 1), 2, [OptionField("weight") => ClassWeights]),
        functional!(
            gaussian_nll_loss,
            GaussianNllOptions,
            GaussianNll,
            (0, 1),
            3,
            []
        ),
        functional!(
            gaussian_nll_loss_scalar_var,
            GaussianNllOptions,
            GaussianNll,
            (0, 1),
            3,
            []
        ),
        functional!(
            hinge_embedding_loss,
            HingeEmbeddingOptions,
            HingeEmbedding,
            (0, 1),
            2,
            []
        ),
        functional!(huber_loss, HuberOptions, Huber, (0, 1), 2, []),
        functional!(info_nce, InfoNceOptions, InfoNce, (), 2, []),
        functional!(l1_loss, L1Options, L1, (0, 1), 2, []),
        functional!(
            margin_ranking_loss,
            MarginRankingOptions,
            MarginRanking,
            (),
            3,
            []
        ),
        functional!(mse_loss, MseOptions, Mse, (0, 1), 2, []),
        functional!(multi_margin_loss, MultiMarginOptions, MultiMargin, (0, 1), 2, [OptionField("weight") => ClassWeights]),
        functional!(multilabel_soft_margin_loss, MultilabelSoftMarginOptions, MultiLabelSoftMargin, (0, 1), 2,
            [OptionField("weight") => ClassWeights]),
        functional!(nll_loss, NllOptions, Nll, (0, 1), 2, [OptionField("weight") => ClassWeights]),
        functional!(
            poisson_nll_loss,
            PoissonNllOptions,
            PoissonNll,
            (0, 1),
            2,
            []
        ),
        // The inputs are hidden activations and output weights, not logits.
        functional!(
            sampled_softmax_loss,
            SampledSoftmaxOptions,
            CrossEntropy,
            (),
            3,
            []
        ),
        functional!(
            sigmoid_focal_loss,
            SigmoidFocalOptions,
            SigmoidFocal,
            (0, 1),
            2,
            [],
            focal
        ),
        functional!(smooth_l1_loss, SmoothL1Options, SmoothL1, (0, 1), 2, []),
        functional!(
            soft_margin_loss,
            SoftMarginOptions,
            SoftMargin,
            (0, 1),
            2,
            []
        ),
        functional!(softmax_focal_loss, SoftmaxFocalOptions, SoftmaxFocal, (0, 1), 2,
            [OptionField("alpha") => ClassWeights], focal),
        functional!(
            triplet_margin_loss,
            TripletMarginOptions,
            TripletMargin,
            (),
            3,
            []
        ),
        // `kl_div` reduces with its own enum (`KlReduction`, with `BatchMean`).
        LossApi {
            path: "lossfit::functional::kl_div",
            loss: LossKind::KlDiv,
            style: ApiStyle::LossfitFunctional,
            form: Form::Function {
                input: Some(0),
                target: Some(1),
            },
            reduction: ReductionSpec::OptionsField {
                index: 2,
                options: "lossfit::functional::KlDivOptions",
                field: "reduction",
                default: "mean",
                value: "lossfit::functional::KlReduction::Mean",
            },
            weights: &[],
            intrinsic: None,
            weight_hint: None,
            logits_flag: None,
        },
    ],
    activations: &[
        ActivationApi {
            activation: Activation::Softmax,
            form: ActivationForm::Function("lossfit::softmax"),
        },
        ActivationApi {
            activation: Activation::LogSoftmax,
            form: ActivationForm::Function("lossfit::log_softmax"),
        },
        ActivationApi {
            activation: Activation::Sigmoid,
            form: ActivationForm::Function("lossfit::sigmoid"),
        },
        // `Logits::softmax(&self)` and friends take no argument.
        ActivationApi {
            activation: Activation::Softmax,
            form: ActivationForm::Method {
                name: "softmax",
                arity: Some(0),
            },
        },
        ActivationApi {
            activation: Activation::LogSoftmax,
            form: ActivationForm::Method {
                name: "log_softmax",
                arity: Some(0),
            },
        },
        ActivationApi {
            activation: Activation::Sigmoid,
            form: ActivationForm::Method {
                name: "sigmoid",
                arity: Some(0),
            },
        },
    ],
    logits: &["lossfit::Logits::new"],
    other_paths: &[
        "lossfit::Reduction",
        "lossfit::Mean",
        "lossfit::Sum",
        "lossfit::PerSample",
        "lossfit::BatchMean",
        "lossfit::ClassWeights",
        "lossfit::functional::KlReduction",
    ],
    derive: Some(&DERIVE),
    tensors: None,
};

/// `#[derive(ModelOutput)]`'s `#[head(...)]` keys (`lossfit-derive/src/catalog.rs`).
pub static DERIVE: DeriveTable = DeriveTable {
    derive: "lossfit::ModelOutput",
    attribute: "head",
    attribute_needle: "#[head",
    api_prefix: "lossfit::",
    losses: &[
        derive_loss("CrossEntropy", LossKind::CrossEntropy, Some("weight"), true),
        derive_loss("SoftmaxFocal", LossKind::SoftmaxFocal, None, true),
        derive_loss("MultiMargin", LossKind::MultiMargin, Some("weight"), true),
        derive_loss("Nll", LossKind::Nll, Some("weight"), false),
        derive_loss("KlDiv", LossKind::KlDiv, None, false),
        derive_loss(
            "BceWithLogits",
            LossKind::BceWithLogits,
            Some("pos_weight"),
            true,
        ),
        derive_loss("SigmoidFocal", LossKind::SigmoidFocal, None, true),
        derive_loss(
            "MultiLabelSoftMargin",
            LossKind::MultiLabelSoftMargin,
            Some("weight"),
            true,
        ),
        derive_loss("SoftMargin", LossKind::SoftMargin, None, true),
        derive_loss("Bce", LossKind::Bce, None, false),
        derive_loss("Mse", LossKind::Mse, None, false),
        derive_loss("L1", LossKind::L1, None, false),
        derive_loss("SmoothL1", LossKind::SmoothL1, None, false),
        derive_loss("Huber", LossKind::Huber, None, false),
        derive_loss("PoissonNll", LossKind::PoissonNll, None, false),
    ],
    tasks: &[
        ("MultiClass", DeclaredTask::MultiClass),
        ("MultiLabel", DeclaredTask::MultiLabel),
        ("Binary", DeclaredTask::Binary),
        ("Regression", DeclaredTask::Regression),
        ("Sequence", DeclaredTask::Sequence),
        ("Ranking", DeclaredTask::Ranking),
    ],
    task_key: "task",
    loss_key: "loss",
    reduction_key: "reduction",
    default_reduction: "mean",
    reduction_fix: ", reduction = mean",
    weight_keys: &[
        ("weight", Weighting::ClassWeights),
        ("pos_weight", Weighting::PosWeight),
    ],
    accept_key: "allow_imbalance",
    labels_key: "labels",
    input_key: "input",
    logits_value: "logits",
};

const fn derive_loss(
    name: &'static str,
    loss: LossKind,
    weight_key: Option<&'static str>,
    takes_logits: bool,
) -> DeriveLoss {
    DeriveLoss {
        name,
        loss,
        weight_key,
        takes_logits,
    }
}

/// `.weight(ClassWeights)` of the typed losses: `?` because the typed layer's `compute`
/// returns `lossfit::Result`, so the enclosing function already propagates lossfit errors.
const CLASS_WEIGHTS: Option<HintSpec> = Some(HintSpec {
    template: ".weight(lossfit::ClassWeights::new(vec![{weights}])?)",
    after_constructor: true,
});
const POS_WEIGHT: Option<HintSpec> = Some(HintSpec {
    template: ".pos_weight(vec![{weights}])",
    after_constructor: true,
});
const NO_HINT: Option<HintSpec> = None;
