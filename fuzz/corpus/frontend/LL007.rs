//! Fixture for LL007 legacy-reduction-args: no line of this file may be flagged by LL007.
//! `size_average=` / `reduce=` exist only in PyTorch's Python API (deprecated since 0.4.1); the
//! Rust APIs losslint reads (lossfit, burn, candle, tch) never had them, so every loss below
//! states its reduction the modern way, and the positive cases belong to the Python frontend's
//! fixture. Findings of other rules on this file are not part of the expectation.
//! Labels: none needed.

use burn::nn::loss::{MseLoss, Reduction};
use burn::tensor::Tensor;
use burn::tensor::backend::Backend;
use lossfit::functional::{NllOptions, nll_loss};
use lossfit::{ClassIndices, CrossEntropy, Logits, MultiClass, Sum};
use ndarray::{Array1, Array2};

/// A summed loss, the modern spelling of `size_average=False`.
pub fn summed(logits: &Logits<MultiClass, f32>, labels: &ClassIndices) -> lossfit::Result<f32> {
    Ok(CrossEntropy::new().reduction(Sum).compute(logits, labels)?.value)
}

/// Per-sample losses, the modern spelling of `reduce=False`; a field named like the legacy
/// argument in the user's own config struct is not an argument of a loss.
pub struct TrainConfig {
    pub size_average: bool,
}

pub fn per_sample(log_probs: &Array2<f32>, labels: &Array1<i64>, config: &TrainConfig) -> lossfit::Result<Array1<f32>> {
    let reduction = if config.size_average { lossfit::Reduction::Mean } else { lossfit::Reduction::None };
    let loss = nll_loss(log_probs, labels, &NllOptions { reduction, ..Default::default() })?;
    Ok(loss.value.into_dimensionality()?)
}

/// burn's reduction argument.
pub fn burn_summed<B: Backend>(pred: Tensor<B, 2>, target: Tensor<B, 2>) -> Tensor<B, 1> {
    MseLoss::new().forward(pred, target, Reduction::Sum)
}

/// tch's reduction argument.
pub fn tch_summed(pred: &tch::Tensor, target: &tch::Tensor) -> tch::Tensor {
    pred.mse_loss(target, tch::Reduction::Sum)
}
