//! tch's loss methods on `Tensor` (`src/wrappers/tensor_generated.rs`, `src/tensor/mod.rs`).
//!
//! Methods cannot be resolved without types, so they are recognised by name in files that
//! import `tch` (see [`FrameworkTable::crates`]), and as `Tensor::method(&x, ..)` through
//! imports. The generated losses take the reduction as a required argument (explicit by
//! construction). `nll_loss(&targets)` and `cross_entropy_for_logits(&targets)` are shortcuts
//! with no reduction parameter that always take the mean: DESIGN §5 lists them under LL001,
//! so they are `Implicit` with no fix (there is no argument to write; the explicit form is
//! `g_nll_loss(&t, None::<Tensor>, Reduction::Mean, -100)`).

use super::{
    ActivationApi, ActivationForm, Form, FrameworkTable, HintSpec, LossApi, ReductionSpec,
    WeightAt, WeightParam,
};
use crate::facts::{Activation, ApiStyle, Framework, LossKind, Weighting};

/// The reduction as a required positional argument.
const fn reduction_at(index: usize) -> ReductionSpec {
    ReductionSpec::Argument {
        index,
        default: "mean",
        implicit: &[],
        replacement: "",
    }
}

/// A loss method `$name` of `tch::Tensor` whose receiver is the prediction.
macro_rules! method {
    ($name:literal, $kind:ident, arity $arity:expr, $reduction:expr, $weights:expr, $hint:expr) => {
        LossApi {
            path: concat!("tch::Tensor::", $name),
            loss: LossKind::$kind,
            style: ApiStyle::TchMethod,
            form: Form::Method {
                name: $name,
                target: Some(0),
                arity: $arity,
            },
            reduction: $reduction,
            weights: $weights,
            intrinsic: None,
            weight_hint: $hint,
            logits_flag: None,
        }
    };
}

/// An associated function `Tensor::$name(input1, input2, ..)` of the pair and triplet losses.
macro_rules! function {
    ($name:literal, $kind:ident, $reduction:literal) => {
        LossApi {
            path: concat!("tch::Tensor::", $name),
            loss: LossKind::$kind,
            style: ApiStyle::TchMethod,
            form: Form::Function {
                input: None,
                target: None,
            },
            reduction: reduction_at($reduction),
            weights: &[],
            intrinsic: None,
            weight_hint: None,
            logits_flag: None,
        }
    };
}

macro_rules! activation_method {
    ($name:literal, $activation:ident) => {
        ActivationApi {
            activation: Activation::$activation,
            form: ActivationForm::Method {
                name: $name,
                arity: None,
            },
        }
    };
}

macro_rules! activation_function {
    ($name:literal, $activation:ident) => {
        ActivationApi {
            activation: Activation::$activation,
            form: ActivationForm::Function(concat!("tch::Tensor::", $name)),
        }
    };
}

const WEIGHT: &[WeightParam] = &[WeightParam {
    at: WeightAt::OptionArgument(1),
    weighting: Weighting::ClassWeights,
}];

const BCE_WITH_LOGITS_WEIGHTS: &[WeightParam] = &[
    WeightParam {
        at: WeightAt::OptionArgument(2),
        weighting: Weighting::PosWeight,
    },
    WeightParam {
        at: WeightAt::OptionArgument(1),
        weighting: Weighting::ClassWeights,
    },
];

/// The `weight` argument, written in tch (display only: the argument replaces a `None`).
const WEIGHT_HINT: Option<HintSpec> = Some(HintSpec {
    template: "Some(Tensor::from_slice(&[{weights}]).to_kind(Kind::Float))",
    after_constructor: false,
});

const FIXED_MEAN: ReductionSpec = ReductionSpec::FixedImplicit { default: "mean" };

pub static TABLE: FrameworkTable = FrameworkTable {
    framework: Framework::Tch,
    prefixes: &[],
    crates: &["tch"],
    losses: &[
        method!("cross_entropy_for_logits", CrossEntropy, arity Some(1), FIXED_MEAN, &[], None),
        method!("nll_loss", Nll, arity Some(1), FIXED_MEAN, &[], None),
        method!("g_nll_loss", Nll, arity None, reduction_at(2), WEIGHT, WEIGHT_HINT),
        method!("f_nll_loss", Nll, arity Some(4), reduction_at(2), WEIGHT, WEIGHT_HINT),
        method!("nll_loss2d", Nll, arity None, reduction_at(2), WEIGHT, WEIGHT_HINT),
        method!("nll_loss_nd", Nll, arity None, reduction_at(2), WEIGHT, WEIGHT_HINT),
        method!("cross_entropy_loss", CrossEntropy, arity None, reduction_at(2), WEIGHT, WEIGHT_HINT),
        method!("f_cross_entropy_loss", CrossEntropy, arity None, reduction_at(2), WEIGHT, WEIGHT_HINT),
        method!(
            "binary_cross_entropy_with_logits",
            BceWithLogits,
            arity None,
            reduction_at(3),
            BCE_WITH_LOGITS_WEIGHTS,
            None
        ),
        method!(
            "f_binary_cross_entropy_with_logits",
            BceWithLogits,
            arity None,
            reduction_at(3),
            BCE_WITH_LOGITS_WEIGHTS,
            None
        ),
        method!("binary_cross_entropy", Bce, arity None, reduction_at(2), WEIGHT, None),
        method!("f_binary_cross_entropy", Bce, arity None, reduction_at(2), WEIGHT, None),
        method!("mse_loss", Mse, arity None, reduction_at(1), &[], None),
        method!("f_mse_loss", Mse, arity None, reduction_at(1), &[], None),
        method!("l1_loss", L1, arity None, reduction_at(1), &[], None),
        method!("smooth_l1_loss", SmoothL1, arity None, reduction_at(1), &[], None),
        method!("huber_loss", Huber, arity None, reduction_at(1), &[], None),
        method!("kl_div", KlDiv, arity None, reduction_at(1), &[], None),
        method!("soft_margin_loss", SoftMargin, arity None, reduction_at(1), &[], None),
        method!("hinge_embedding_loss", HingeEmbedding, arity None, reduction_at(2), &[], None),
        method!("poisson_nll_loss", PoissonNll, arity None, reduction_at(4), &[], None),
        function!("margin_ranking_loss", MarginRanking, 4),
        function!("cosine_embedding_loss", CosineEmbedding, 4),
        function!("triplet_margin_loss", TripletMargin, 7),
    ],
    activations: &[
        activation_method!("softmax", Softmax),
        activation_method!("f_softmax", Softmax),
        activation_method!("log_softmax", LogSoftmax),
        activation_method!("f_log_softmax", LogSoftmax),
        activation_method!("sigmoid", Sigmoid),
        activation_method!("sigmoid_", Sigmoid),
        activation_method!("log_sigmoid", LogSigmoid),
        activation_function!("softmax", Softmax),
        activation_function!("log_softmax", LogSoftmax),
        activation_function!("sigmoid", Sigmoid),
        activation_function!("log_sigmoid", LogSigmoid),
    ],
    logits: &[],
    other_paths: &["tch::Reduction", "tch::Kind", "tch::Tensor"],
    derive: None,
};
