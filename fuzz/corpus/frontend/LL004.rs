//! Fixture for LL004 sigmoid-before-bce-with-logits. Every line marked `// expect: LL004` passes
//! sigmoid (or log-sigmoid) output to a binary loss that applies the sigmoid itself; no other
//! line may be flagged by LL004. Findings of other rules on this file are not part of the
//! expectation.
//! Labels: none needed.

use burn::nn::loss::BinaryCrossEntropyLossConfig;
use burn::tensor::activation::{log_sigmoid, sigmoid};
use burn::tensor::backend::Backend;
use burn::tensor::{Int, Tensor};
use candle_nn::{loss, ops};
use lossfit::{BceWithLogits, Binary, BinaryLabels, Logits, Mean};
use ndarray::Array1;

// ---------------------------------------------------------------- candle

/// The diagnosis head, first version: the sigmoid went in twice.
pub fn diagnosis_step_v1(logit: &candle_core::Tensor, benign: &candle_core::Tensor) -> candle_core::Result<candle_core::Tensor> {
    let p_benign = ops::sigmoid(logit)?;
    loss::binary_cross_entropy_with_logit(&p_benign, benign) // expect: LL004
}

/// Raw logits into the with-logits loss; the probabilities are for the report: nothing to report.
pub fn diagnosis_step(logit: &candle_core::Tensor, benign: &candle_core::Tensor) -> candle_core::Result<(candle_core::Tensor, candle_core::Tensor)> {
    let p_benign = ops::sigmoid(logit)?;
    let loss = loss::binary_cross_entropy_with_logit(logit, benign)?;
    Ok((loss, p_benign))
}

// ---------------------------------------------------------------- burn

/// Switched to logits mode but kept the sigmoid.
pub fn diagnosis_loss_v2<B: Backend>(logit: Tensor<B, 1>, benign: Tensor<B, 1, Int>, device: &B::Device) -> Tensor<B, 1> {
    let bce = BinaryCrossEntropyLossConfig::new().with_logits(true).init(device);
    let p_benign = sigmoid(logit);
    bce.forward(p_benign, benign) // expect: LL004
}

/// Log-sigmoid "for stability", with the config built in steps.
pub fn diagnosis_loss_v3<B: Backend>(logit: Tensor<B, 1>, benign: Tensor<B, 1, Int>, device: &B::Device) -> Tensor<B, 1> {
    let config = BinaryCrossEntropyLossConfig::new();
    let config = config.with_logits(true);
    let bce = config.init(device);
    bce.forward(log_sigmoid(logit), benign) // expect: LL004
}

/// Probability mode takes sigmoid output (LL005 has a word about that, LL004 does not).
pub fn diagnosis_loss_v1<B: Backend>(logit: Tensor<B, 1>, benign: Tensor<B, 1, Int>, device: &B::Device) -> Tensor<B, 1> {
    let bce = BinaryCrossEntropyLossConfig::new().init(device);
    bce.forward(sigmoid(logit), benign)
}

/// Logits mode with raw logits: nothing to report.
pub fn diagnosis_loss<B: Backend>(logit: Tensor<B, 1>, benign: Tensor<B, 1, Int>, device: &B::Device) -> Tensor<B, 1> {
    let bce = BinaryCrossEntropyLossConfig::new().with_logits(true).init(device);
    bce.forward(logit, benign)
}

// ---------------------------------------------------------------- tch

/// Sigmoid at the end of a method chain, then the with-logits loss.
pub fn tch_step(head_out: &tch::Tensor, benign: &tch::Tensor) -> tch::Tensor {
    let p = head_out.squeeze_dim(1).sigmoid();
    p.binary_cross_entropy_with_logits::<tch::Tensor>(benign, None, None, tch::Reduction::Mean) // expect: LL004
}

/// Logits with a `pos_weight`: nothing to report.
pub fn tch_weighted(logit: &tch::Tensor, benign: &tch::Tensor, pos_weight: &tch::Tensor) -> tch::Tensor {
    logit.binary_cross_entropy_with_logits::<&tch::Tensor>(benign, None, Some(pos_weight), tch::Reduction::Mean)
}

// ---------------------------------------------------------------- lossfit

/// Declared logits into the typed with-logits loss: nothing to report (a sigmoid there would not
/// compile).
pub fn typed(scores: Array1<f32>, labels: &BinaryLabels<f32>) -> lossfit::Result<f32> {
    let logits = Logits::<Binary, f32>::new(scores)?;
    Ok(BceWithLogits::new().reduction(Mean).compute(&logits, labels)?.value)
}
