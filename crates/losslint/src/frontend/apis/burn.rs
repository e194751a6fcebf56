//! burn's loss APIs (`burn-nn/src/loss/*.rs`): a `XLossConfig::new()..init(&device)` (or a
//! unit struct such as `MseLoss`) builds the loss, `.forward(pred, target, reduction)` computes
//! it. The reduction is an argument of `forward`, and `Reduction::Auto` counts as implicit
//! (DESIGN §5): it is the mean for every loss but `KLDivLoss`, where it is the batch mean.
//! `CrossEntropyLoss` and `BinaryCrossEntropyLoss` take no reduction (always the mean).

use super::{
    ActivationApi, ActivationForm, Apply, Form, FrameworkTable, HintSpec, LogitsFlag, LossApi,
    ReductionSpec, TensorApi, WeightAt, WeightParam,
};
use crate::facts::{Activation, ApiStyle, Framework, LossKind, Weighting};

/// `forward(pred, target, reduction)` with `Reduction::Auto` meaning the mean.
const FORWARD_MEAN: ReductionSpec = ReductionSpec::Argument {
    index: 2,
    default: "mean",
    implicit: &["Auto"],
    replacement: "Mean",
};

/// The reductions of a loss with `forward(pred, target, reduction)`.
macro_rules! reduced {
    ($forward:expr) => {
        &[
            Apply {
                method: "forward",
                input: Some(0),
                target: Some(1),
                reduction: $forward,
            },
            NO_REDUCTION,
        ]
    };
}

const NO_REDUCTION: Apply = Apply {
    method: "forward_no_reduction",
    input: Some(0),
    target: Some(1),
    reduction: ReductionSpec::Named { value: "none" },
};

/// A loss built by `$config::new(..).init(..)` into `$loss`, reducing at `forward`.
macro_rules! config_loss {
    ($config:literal, $loss:literal, $kind:ident, $applies:expr) => {
        LossApi {
            path: concat!("burn::nn::loss::", $config),
            loss: LossKind::$kind,
            style: ApiStyle::BurnConfig,
            form: Form::Object {
                constructors: &[concat!("burn::nn::loss::", $config, "::new")],
                types: &[concat!("burn::nn::loss::", $loss)],
                finish: &["init"],
                applies: $applies,
            },
            reduction: ReductionSpec::Absent,
            weights: &[],
            intrinsic: None,
            weight_hint: None,
            logits_flag: None,
        }
    };
}

/// `LpLossConfig::l1()` / `l2()`: a constructor function returning the loss.
macro_rules! lp_loss {
    ($constructor:literal, $kind:ident) => {
        LossApi {
            path: $constructor,
            loss: LossKind::$kind,
            style: ApiStyle::BurnConfig,
            form: Form::Object {
                constructors: &[$constructor],
                types: &[],
                finish: &[],
                applies: reduced!(FORWARD_MEAN),
            },
            reduction: ReductionSpec::Absent,
            weights: &[],
            intrinsic: None,
            weight_hint: None,
            logits_flag: None,
        }
    };
}

const WITH_WEIGHTS: &[WeightParam] = &[WeightParam {
    at: WeightAt::OptionMethod("with_weights"),
    weighting: Weighting::ClassWeights,
}];

const WEIGHTS_HINT: Option<HintSpec> = Some(HintSpec {
    template: ".with_weights(Some(vec![{weights}]))",
    after_constructor: true,
});

pub static TABLE: FrameworkTable = FrameworkTable {
    framework: Framework::Burn,
    prefixes: &[
        ("burn_nn", "burn::nn"),
        ("burn_core::nn", "burn::nn"),
        ("burn::prelude::nn", "burn::nn"),
        ("burn_tensor", "burn::tensor"),
        ("burn_core::tensor", "burn::tensor"),
    ],
    crates: &[],
    losses: &[
        LossApi {
            path: "burn::nn::loss::CrossEntropyLossConfig",
            loss: LossKind::CrossEntropy,
            style: ApiStyle::BurnConfig,
            form: Form::Object {
                constructors: &[
                    "burn::nn::loss::CrossEntropyLossConfig::new",
                    // `CrossEntropyLoss::new(pad_index, &device)`, kept for compatibility.
                    "burn::nn::loss::CrossEntropyLoss::new",
                ],
                types: &["burn::nn::loss::CrossEntropyLoss"],
                finish: &["init"],
                applies: &[Apply {
                    method: "forward",
                    input: Some(0),
                    target: Some(1),
                    reduction: ReductionSpec::Fixed { value: "mean" },
                }],
            },
            reduction: ReductionSpec::Absent,
            weights: WITH_WEIGHTS,
            intrinsic: None,
            weight_hint: WEIGHTS_HINT,
            logits_flag: Some(LogitsFlag {
                method: "with_logits",
                default: true,
                logits: LossKind::CrossEntropy,
                probabilities: None,
            }),
        },
        LossApi {
            path: "burn::nn::loss::BinaryCrossEntropyLossConfig",
            loss: LossKind::Bce,
            style: ApiStyle::BurnConfig,
            form: Form::Object {
                constructors: &["burn::nn::loss::BinaryCrossEntropyLossConfig::new"],
                types: &["burn::nn::loss::BinaryCrossEntropyLoss"],
                finish: &["init"],
                applies: &[Apply {
                    method: "forward",
                    input: Some(0),
                    target: Some(1),
                    reduction: ReductionSpec::Fixed { value: "mean" },
                }],
            },
            reduction: ReductionSpec::Absent,
            weights: WITH_WEIGHTS,
            intrinsic: None,
            weight_hint: WEIGHTS_HINT,
            logits_flag: Some(LogitsFlag {
                method: "with_logits",
                default: false,
                logits: LossKind::BceWithLogits,
                probabilities: Some(LossKind::Bce),
            }),
        },
        LossApi {
            path: "burn::nn::loss::MseLoss",
            loss: LossKind::Mse,
            style: ApiStyle::BurnConfig,
            form: Form::Object {
                // `MseLoss::new()` or the unit struct `MseLoss` itself.
                constructors: &["burn::nn::loss::MseLoss::new", "burn::nn::loss::MseLoss"],
                types: &["burn::nn::loss::MseLoss"],
                finish: &[],
                applies: reduced!(FORWARD_MEAN),
            },
            reduction: ReductionSpec::Absent,
            weights: &[],
            intrinsic: None,
            weight_hint: None,
            logits_flag: None,
        },
        LossApi {
            path: "burn::nn::loss::SoftMarginLoss",
            loss: LossKind::SoftMargin,
            style: ApiStyle::BurnConfig,
            form: Form::Object {
                constructors: &[
                    "burn::nn::loss::SoftMarginLoss::new",
                    "burn::nn::loss::SoftMarginLoss",
                ],
                types: &["burn::nn::loss::SoftMarginLoss"],
                finish: &[],
                applies: reduced!(FORWARD_MEAN),
            },
            reduction: ReductionSpec::Absent,
            weights: &[],
            intrinsic: None,
            weight_hint: None,
            logits_flag: None,
        },
        config_loss!(
            "HuberLossConfig",
            "HuberLoss",
            Huber,
            reduced!(FORWARD_MEAN)
        ),
        // `Reduction::Auto` is the batch mean for the KL divergence.
        config_loss!(
            "KLDivLossConfig",
            "KLDivLoss",
            KlDiv,
            reduced!(ReductionSpec::Argument {
                index: 2,
                default: "batchmean",
                implicit: &["Auto"],
                replacement: "BatchMean",
            })
        ),
        config_loss!(
            "MultiMarginLossConfig",
            "MultiMarginLoss",
            MultiMargin,
            reduced!(FORWARD_MEAN)
        ),
        config_loss!(
            "PoissonNllLossConfig",
            "PoissonNllLoss",
            PoissonNll,
            reduced!(FORWARD_MEAN)
        ),
        config_loss!(
            "HingeEmbeddingLossConfig",
            "HingeEmbeddingLoss",
            HingeEmbedding,
            reduced!(FORWARD_MEAN)
        ),
        // `forward` returns the unreduced losses; `forward_with_reduction` reduces.
        config_loss!(
            "SmoothL1LossConfig",
            "SmoothL1Loss",
            SmoothL1,
            &[
                Apply {
                    method: "forward",
                    input: Some(0),
                    target: Some(1),
                    reduction: ReductionSpec::Named { value: "none" },
                },
                Apply {
                    method: "forward_with_reduction",
                    input: Some(0),
                    target: Some(1),
                    reduction: FORWARD_MEAN,
                },
            ]
        ),
        config_loss!(
            "GaussianNLLLossConfig",
            "GaussianNLLLoss",
            GaussianNll,
            &[
                Apply {
                    method: "forward",
                    input: Some(0),
                    target: Some(1),
                    reduction: ReductionSpec::Argument {
                        index: 3,
                        default: "mean",
                        implicit: &["Auto"],
                        replacement: "Mean",
                    },
                },
                NO_REDUCTION,
            ]
        ),
        config_loss!(
            "MarginRankingLossConfig",
            "MarginRankingLoss",
            MarginRanking,
            &[Apply {
                method: "forward",
                input: None,
                target: None,
                reduction: ReductionSpec::Argument {
                    index: 3,
                    default: "mean",
                    implicit: &["Auto"],
                    replacement: "Mean",
                },
            }]
        ),
        config_loss!(
            "TripletMarginLossConfig",
            "TripletMarginLoss",
            TripletMargin,
            &[Apply {
                method: "forward",
                input: None,
                target: None,
                reduction: ReductionSpec::Argument {
                    index: 3,
                    default: "mean",
                    implicit: &["Auto"],
                    replacement: "Mean",
                },
            }]
        ),
        // The reduction is a config field here, not a `forward` argument.
        config_loss!(
            "CosineEmbeddingLossConfig",
            "CosineEmbeddingLoss",
            CosineEmbedding,
            &[Apply {
                method: "forward",
                input: None,
                target: None,
                reduction: ReductionSpec::Absent,
            }]
        ),
        // `LpLossConfig::l1()` / `l2()` build an `LpLoss` directly (p = 1 / 2).
        lp_loss!("burn::nn::loss::LpLossConfig::l1", L1),
        lp_loss!("burn::nn::loss::LpLossConfig::l2", Mse),
        // `burn::tensor::loss::cross_entropy_with_logits(logits, target_probs)`: always the mean.
        LossApi {
            path: "burn::tensor::loss::cross_entropy_with_logits",
            loss: LossKind::CrossEntropy,
            style: ApiStyle::BurnConfig,
            form: Form::Function {
                input: Some(0),
                target: Some(1),
            },
            reduction: ReductionSpec::Fixed { value: "mean" },
            weights: &[],
            intrinsic: None,
            weight_hint: None,
            logits_flag: None,
        },
    ],
    activations: &[
        ActivationApi {
            activation: Activation::Softmax,
            form: ActivationForm::Function("burn::tensor::activation::softmax"),
        },
        ActivationApi {
            activation: Activation::Softmax,
            form: ActivationForm::Function("burn::tensor::activation::quiet_softmax"),
        },
        ActivationApi {
            activation: Activation::LogSoftmax,
            form: ActivationForm::Function("burn::tensor::activation::log_softmax"),
        },
        ActivationApi {
            activation: Activation::Sigmoid,
            form: ActivationForm::Function("burn::tensor::activation::sigmoid"),
        },
        ActivationApi {
            activation: Activation::LogSigmoid,
            form: ActivationForm::Function("burn::tensor::activation::log_sigmoid"),
        },
    ],
    logits: &[],
    other_paths: &["burn::nn::loss::Reduction"],
    derive: None,
    tensors: Some(&TENSORS),
};

/// burn's `Tensor` (`burn-tensor/src/tensor/api/base.rs`, `numeric.rs`); burn has no
/// sequential model type.
static TENSORS: TensorApi = TensorApi {
    crates: &["burn", "burn_tensor", "burn_core", "burn_nn"],
    shape_methods: &[
        "squeeze_dim",
        "squeeze",
        "unsqueeze_dim",
        "unsqueeze",
        "slice",
        "narrow",
        "swap_dims",
        "select",
        "reshape",
        "flatten",
        "permute",
        "transpose",
        "detach",
        "gather",
        "movedim",
        "expand",
        "repeat_dim",
        "require_grad",
        "set_require_grad",
    ],
    sequential: &[],
    module_fns: &[],
    add_layer: &[],
    add_fn: &[],
    run: &["forward"],
    apply: &[],
    activation_layers: &[
        ("burn::nn::Sigmoid", Activation::Sigmoid),
        ("burn::nn::Sigmoid::new", Activation::Sigmoid),
    ],
    output_structs: &[
        (
            "burn::train::ClassificationOutput::new",
            &["loss", "output", "targets"],
        ),
        (
            "burn::train::RegressionOutput::new",
            &["loss", "output", "targets"],
        ),
        (
            "burn::train::MultiLabelClassificationOutput::new",
            &["loss", "output", "targets"],
        ),
    ],
};
