//! tch's loss methods on `Tensor` (`src/wrappers/tensor_generated.rs`, `src/tensor/mod.rs`).
//!
//! Methods cannot be resolved without types, so they are recognised by name in files that
//! import `tch` (see [`FrameworkTable::crates`]), and as `Tensor::method(&x, ..)` through
//! imports. The generated losses take the reduction as a required argument (explicit by
//! construction). `nll_loss(&targets)` and `cross_entropy_for_logits(&targets)` are shortcuts
//! with no reduction parameter that always take the mean: DESIGN §5 lists them under LL001,
//! and their fix rewrites the call to the form that takes a reduction
//! (`g_nll_loss(&t, None::<tch::Tensor>, tch::Reduction::Mean, -100)`).

use super::{
    ActivationApi, ActivationForm, Form, FrameworkTable, HintSpec, LossApi, ReductionSpec,
    TensorApi, WeightAt, WeightParam,
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

/// `cross_entropy_for_logits(t)` is `log_softmax(-1).nll_loss(t)`, and `nll_loss(t)` is
/// `g_nll_loss(t, None, Reduction::Mean, -100)` (`src/tensor/mod.rs`): the rewrites write
/// that mean out with the forms that take a reduction.
const CROSS_ENTROPY_MEAN: ReductionSpec = ReductionSpec::FixedImplicit {
    default: "mean",
    rewrite: Some(
        "cross_entropy_loss::<tch::Tensor>({args}, None, tch::Reduction::Mean, -100, 0.0)",
    ),
};
const NLL_MEAN: ReductionSpec = ReductionSpec::FixedImplicit {
    default: "mean",
    rewrite: Some("g_nll_loss({args}, None::<tch::Tensor>, tch::Reduction::Mean, -100)"),
};

pub static TABLE: FrameworkTable = FrameworkTable {
    framework: Framework::Tch,
    prefixes: &[],
    crates: &["tch"],
    losses: &[
        method!("cross_entropy_for_logits", CrossEntropy, arity Some(1), CROSS_ENTROPY_MEAN, &[], None),
        method!("nll_loss", Nll, arity Some(1), NLL_MEAN, &[], None),
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
    tensors: Some(&TENSORS),
};

/// tch's `Tensor` (`src/wrappers/tensor_generated.rs`, `src/tensor/index.rs`) and
/// `nn::Sequential` / `nn::SequentialT` (`src/nn/sequential.rs`).
static TENSORS: TensorApi = TensorApi {
    crates: &["tch"],
    shape_methods: &[
        "squeeze_dim",
        "squeeze",
        "unsqueeze",
        "narrow",
        "i",
        "transpose",
        "tr",
        "t_",
        "slice",
        "select",
        "index_select",
        "view",
        "view_",
        "reshape",
        "flatten",
        "permute",
        "contiguous",
        "shallow_clone",
        "detach",
        "copy",
        "to_kind",
        "to_device",
        "to",
        "gather",
        "f_view",
        "f_reshape",
        "f_squeeze_dim",
        "f_narrow",
        "f_select",
        "f_index_select",
    ],
    sequential: &["tch::nn::seq", "tch::nn::seq_t"],
    module_fns: &["tch::nn::func", "tch::nn::func_t"],
    add_layer: &["add"],
    add_fn: &["add_fn", "add_fn_t"],
    run: &["forward", "forward_t"],
    apply: &["apply", "apply_t"],
    activation_layers: &[],
    output_structs: &[],
};
