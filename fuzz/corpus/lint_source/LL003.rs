//! Fixture for LL003 softmax-before-cross-entropy. Every line marked `// expect: LL003` passes
//! softmax or log-softmax output as the prediction of a loss that applies log-softmax itself; no
//! other line may be flagged by LL003. Findings of other rules on this file are not part of the
//! expectation.
//! Labels: none needed.

use burn::nn::loss::CrossEntropyLossConfig;
use burn::tensor::activation::{log_softmax, softmax};
use burn::tensor::backend::Backend;
use burn::tensor::{Int, Tensor};
use candle_core::D;
use candle_nn::{loss, ops};
use lossfit::{ClassIndices, CrossEntropy, Logits, Mean, MultiClass};
use ndarray::Array2;

// ---------------------------------------------------------------- burn

/// Temperature scaling, first version: the scaled scores went through a softmax.
pub fn calibrated_loss<B: Backend>(logits: Tensor<B, 2>, targets: Tensor<B, 1, Int>, temperature: f32, device: &B::Device) -> Tensor<B, 1> {
    let criterion = CrossEntropyLossConfig::new().init(device);
    let scaled = logits / temperature;
    let probs = softmax(scaled, 1);
    criterion.forward(probs, targets) // expect: LL003
}

/// Inline, through a clone.
pub fn inline_loss<B: Backend>(logits: Tensor<B, 2>, targets: Tensor<B, 1, Int>, device: &B::Device) -> Tensor<B, 1> {
    let criterion = CrossEntropyLossConfig::new().init(device);
    criterion.forward(log_softmax(logits.clone(), 1), targets) // expect: LL003
}

/// burn's cross-entropy in probability mode expects softmax output: nothing to report.
pub fn probability_loss<B: Backend>(logits: Tensor<B, 2>, targets: Tensor<B, 1, Int>, device: &B::Device) -> Tensor<B, 1> {
    let criterion = CrossEntropyLossConfig::new().with_logits(false).init(device);
    let probs = softmax(logits, 1);
    criterion.forward(probs, targets)
}

/// The softmax is for the metrics; the loss gets the logits: nothing to report.
pub fn loss_and_confidence<B: Backend>(logits: Tensor<B, 2>, targets: Tensor<B, 1, Int>, device: &B::Device) -> (Tensor<B, 1>, Tensor<B, 2>) {
    let criterion = CrossEntropyLossConfig::new().init(device);
    let probs = softmax(logits.clone(), 1);
    (criterion.forward(logits, targets), probs)
}

/// The name is reused: by the time of the loss it holds logits again. Nothing to report.
pub fn rebound<B: Backend>(images: Tensor<B, 2>, model: &impl Fn(Tensor<B, 2>) -> Tensor<B, 2>, targets: Tensor<B, 1, Int>, device: &B::Device) -> Tensor<B, 1> {
    let criterion = CrossEntropyLossConfig::new().init(device);
    let out = softmax(model(images.clone()), 1);
    let _confidence = out.max_dim(1);
    let out = model(images);
    criterion.forward(out, targets)
}

// ---------------------------------------------------------------- candle

/// Validation loss as first written.
pub fn validation_loss(logits: &candle_core::Tensor, labels: &candle_core::Tensor) -> candle_core::Result<f32> {
    let log_probs = ops::log_softmax(logits, D::Minus1)?;
    let loss = loss::cross_entropy(&log_probs, labels)?; // expect: LL003
    loss.to_scalar::<f32>()
}

/// The softmax output is logged, the logits go into the loss: nothing to report.
pub fn logged_loss(logits: &candle_core::Tensor, labels: &candle_core::Tensor) -> candle_core::Result<(f32, candle_core::Tensor)> {
    let probs = ops::softmax(logits, D::Minus1)?;
    let loss = loss::cross_entropy(logits, labels)?;
    Ok((loss.to_scalar::<f32>()?, probs))
}

/// A prediction from elsewhere: its origin is unknown, so nothing is said.
pub fn unknown_origin(scores: &candle_core::Tensor, labels: &candle_core::Tensor) -> candle_core::Result<candle_core::Tensor> {
    loss::cross_entropy(scores, labels)
}

// ---------------------------------------------------------------- tch

/// From the tch MNIST example, with a softmax added "for stability".
pub fn first_step(logits: &tch::Tensor, y: &tch::Tensor) -> tch::Tensor {
    logits.softmax(-1, tch::Kind::Float).cross_entropy_for_logits(y) // expect: LL003
}

/// Through a binding, with libtorch's full cross-entropy.
pub fn second_step(logits: &tch::Tensor, y: &tch::Tensor) -> tch::Tensor {
    let probs = logits.softmax(-1, tch::Kind::Float);
    probs.cross_entropy_loss::<tch::Tensor>(y, None, tch::Reduction::Mean, -100, 0.0) // expect: LL003
}

/// Soft targets from a teacher's softmax are fine: the prediction is raw logits.
pub fn distill(student_logits: &tch::Tensor, teacher_logits: &tch::Tensor) -> tch::Tensor {
    let teacher_probs = teacher_logits.softmax(-1, tch::Kind::Float);
    student_logits.cross_entropy_loss::<tch::Tensor>(&teacher_probs, None, tch::Reduction::Mean, -100, 0.0)
}

// ---------------------------------------------------------------- lossfit

/// Declared logits into the typed cross-entropy: nothing to report (and a softmax there would
/// not compile).
pub fn typed(scores: Array2<f32>, labels: &ClassIndices) -> lossfit::Result<f32> {
    let logits = Logits::<MultiClass, f32>::new(scores)?;
    Ok(CrossEntropy::new().reduction(Mean).compute(&logits, labels)?.value)
}
