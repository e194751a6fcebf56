//! Fixture for LL005 bce-on-probabilities. Every line marked `// expect: LL005` passes sigmoid
//! output to plain binary cross-entropy where the with-logits form is the stable choice; no other
//! line may be flagged by LL005. Findings of other rules on this file are not part of the
//! expectation.
//! Labels: none needed.

use burn::nn::loss::BinaryCrossEntropyLossConfig;
use burn::tensor::activation::sigmoid;
use burn::tensor::backend::Backend;
use burn::tensor::{Int, Tensor};
use lossfit::{Bce, BceWithLogits, Binary, BinaryLabels, Logits, Mean, Probabilities};
use ndarray::Array1;

// ---------------------------------------------------------------- burn

/// The diagnosis head, first version: probabilities into plain BCE.
pub fn diagnosis_loss_v1<B: Backend>(logit: Tensor<B, 1>, benign: Tensor<B, 1, Int>, device: &B::Device) -> Tensor<B, 1> {
    let bce = BinaryCrossEntropyLossConfig::new().init(device);
    bce.forward(sigmoid(logit), benign) // expect: LL005
}

/// Probabilities that come from somewhere else (a calibrated model's output): nothing to report.
pub fn calibrated<B: Backend>(p_benign: Tensor<B, 1>, benign: Tensor<B, 1, Int>, device: &B::Device) -> Tensor<B, 1> {
    let bce = BinaryCrossEntropyLossConfig::new().init(device);
    bce.forward(p_benign, benign)
}

/// The with-logits form: nothing to report.
pub fn diagnosis_loss<B: Backend>(logit: Tensor<B, 1>, benign: Tensor<B, 1, Int>, device: &B::Device) -> Tensor<B, 1> {
    let bce = BinaryCrossEntropyLossConfig::new().with_logits(true).init(device);
    bce.forward(logit, benign)
}

// ---------------------------------------------------------------- tch

/// Sigmoid, then plain BCE.
pub fn diagnosis_step_v1(head_out: &tch::Tensor, benign: &tch::Tensor) -> tch::Tensor {
    let p_benign = head_out.squeeze_dim(1).sigmoid();
    p_benign.binary_cross_entropy::<tch::Tensor>(benign, None, tch::Reduction::Mean) // expect: LL005
}

/// The stable form: nothing to report.
pub fn diagnosis_step(head_out: &tch::Tensor, benign: &tch::Tensor) -> tch::Tensor {
    let logit = head_out.squeeze_dim(1);
    logit.binary_cross_entropy_with_logits::<tch::Tensor>(benign, None, None, tch::Reduction::Mean)
}

// ---------------------------------------------------------------- lossfit

/// The typed layer accepts probabilities for `Bce` (a model whose head ends in a sigmoid layer);
/// they were not computed here from visible logits, so nothing is reported.
pub fn typed_probabilities(probs: &Probabilities<Binary, f32>, labels: &BinaryLabels<f32>) -> lossfit::Result<f32> {
    Ok(Bce::new().reduction(Mean).compute(probs, labels)?.value)
}

/// `Logits::sigmoid` then `Bce`: it compiles, and loses precision.
pub fn typed_sigmoid(scores: Array1<f32>, labels: &BinaryLabels<f32>) -> lossfit::Result<f32> {
    let logits = Logits::<Binary, f32>::new(scores)?;
    let probs = logits.sigmoid();
    Ok(Bce::new().reduction(Mean).compute(&probs, labels)?.value) // expect: LL005
}

/// The with-logits form: nothing to report.
pub fn typed_logits(scores: Array1<f32>, labels: &BinaryLabels<f32>) -> lossfit::Result<f32> {
    let logits = Logits::<Binary, f32>::new(scores)?;
    Ok(BceWithLogits::new().reduction(Mean).compute(&logits, labels)?.value)
}
