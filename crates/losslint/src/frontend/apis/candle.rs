//! candle-nn's loss functions (`candle-nn/src/loss.rs`) and activations (`candle-nn/src/ops.rs`).
//! The losses are free functions with a fixed mean and no reduction parameter (so no LL001) and
//! no class weights (so LL002's help has no argument to show).

use super::{
    ActivationApi, ActivationForm, Form, FrameworkTable, LossApi, ReductionSpec, TensorApi,
};
use crate::facts::{Activation, ApiStyle, Framework, LossKind};

/// `candle_nn::loss::$name(&input, &target)`.
macro_rules! candle_loss {
    ($name:literal, $kind:ident) => {
        LossApi {
            path: concat!("candle_nn::loss::", $name),
            loss: LossKind::$kind,
            style: ApiStyle::CandleFunction,
            form: Form::Function {
                input: Some(0),
                target: Some(1),
            },
            reduction: ReductionSpec::Fixed { value: "mean" },
            weights: &[],
            intrinsic: None,
            weight_hint: None,
            logits_flag: None,
        }
    };
}

/// `candle_nn::ops::$name(&xs, ..)`.
macro_rules! candle_activation {
    ($name:literal, $activation:ident) => {
        ActivationApi {
            activation: Activation::$activation,
            form: ActivationForm::Function(concat!("candle_nn::ops::", $name)),
        }
    };
}

pub static TABLE: FrameworkTable = FrameworkTable {
    framework: Framework::Candle,
    prefixes: &[],
    crates: &[],
    losses: &[
        candle_loss!("cross_entropy", CrossEntropy),
        candle_loss!("nll", Nll),
        candle_loss!("binary_cross_entropy_with_logit", BceWithLogits),
        candle_loss!("mse", Mse),
        candle_loss!("huber", Huber),
    ],
    activations: &[
        candle_activation!("softmax", Softmax),
        candle_activation!("softmax_last_dim", Softmax),
        candle_activation!("log_softmax", LogSoftmax),
        candle_activation!("sigmoid", Sigmoid),
    ],
    logits: &[],
    other_paths: &[],
    derive: None,
    tensors: Some(&TENSORS),
};

/// candle's `Tensor` (`candle-core/src/tensor.rs`, `tensor_cat.rs`, `indexer.rs`) and
/// `candle_nn::Sequential` (`candle-nn/src/sequential.rs`).
static TENSORS: TensorApi = TensorApi {
    crates: &["candle_core", "candle_nn", "candle", "candle_transformers"],
    shape_methods: &[
        "flatten_to",
        "flatten_all",
        "flatten_from",
        "flatten",
        "narrow",
        "i",
        "get",
        "transpose",
        "t",
        "index_select",
        "permute",
        "broadcast_as",
        "squeeze",
        "unsqueeze",
        "reshape",
        "contiguous",
        "copy",
        "to_dtype",
        "to_device",
        "detach",
        "gather",
    ],
    sequential: &["candle_nn::seq", "candle_nn::sequential::seq"],
    module_fns: &["candle_nn::func", "candle_nn::func_t"],
    add_layer: &["add"],
    add_fn: &["add_fn"],
    run: &["forward", "forward_t"],
    apply: &["apply", "apply_t"],
    activation_layers: &[("candle_nn::Activation::Sigmoid", Activation::Sigmoid)],
    output_structs: &[],
};
