//! Fixture for LL006 nll-without-log-softmax. Every line marked `// expect: LL006` feeds
//! negative log-likelihood probabilities or raw logits instead of log-probabilities; no other
//! line may be flagged by LL006. Findings of other rules on this file are not part of the
//! expectation.
//! Labels: none needed.

use candle_core::D;
use lossfit::{ClassIndices, Logits, Mean, ModelOutput, MultiClass, Nll};
use ndarray::Array2;

// ---------------------------------------------------------------- candle

/// Full-batch training, first version.
pub fn train_step(logits: &candle_core::Tensor, labels: &candle_core::Tensor) -> candle_core::Result<candle_core::Tensor> {
    candle_nn::loss::nll(&candle_nn::ops::softmax(logits, D::Minus1)?, labels) // expect: LL006
}

/// Log-probabilities: nothing to report.
pub fn train_step_fixed(logits: &candle_core::Tensor, labels: &candle_core::Tensor) -> candle_core::Result<candle_core::Tensor> {
    let log_probs = candle_nn::ops::log_softmax(logits, D::Minus1)?;
    candle_nn::loss::nll(&log_probs, labels)
}

/// A prediction from elsewhere: its origin is unknown, so nothing is said.
pub fn from_caller(log_probs: &candle_core::Tensor, labels: &candle_core::Tensor) -> candle_core::Result<candle_core::Tensor> {
    candle_nn::loss::nll(log_probs, labels)
}

// ---------------------------------------------------------------- tch

/// Weighted NLL as first written: probabilities instead of log-probabilities.
pub fn nll_step_v1(out: &tch::Tensor, y: &tch::Tensor, weights: &tch::Tensor) -> tch::Tensor {
    let probs = out.softmax(-1, tch::Kind::Float);
    probs.g_nll_loss::<&tch::Tensor>(y, Some(weights), tch::Reduction::Mean, -100) // expect: LL006
}

/// One sigmoid per class, then NLL.
pub fn nll_step_sigmoid(out: &tch::Tensor, y: &tch::Tensor) -> tch::Tensor {
    let scores = out.sigmoid();
    scores.g_nll_loss::<tch::Tensor>(y, None, tch::Reduction::Sum, -100) // expect: LL006
}

/// Log-probabilities, summed: nothing to report.
pub fn nll_step(out: &tch::Tensor, y: &tch::Tensor, weights: &tch::Tensor) -> tch::Tensor {
    let log_probs = out.log_softmax(-1, tch::Kind::Float);
    log_probs.g_nll_loss::<&tch::Tensor>(y, Some(weights), tch::Reduction::Sum, -100)
}

// ---------------------------------------------------------------- lossfit

/// Declared raw logits into `Nll` (the typed layer rejects it at compile time too).
pub fn typed_logits(scores: Array2<f32>, labels: &ClassIndices) -> lossfit::Result<f32> {
    let logits = Logits::<MultiClass, f32>::new(scores)?;
    let criterion = Nll::new().reduction(Mean);
    Ok(criterion.compute(&logits, labels)?.value) // expect: LL006
}

/// `log_softmax` first: nothing to report.
pub fn typed(scores: Array2<f32>, labels: &ClassIndices) -> lossfit::Result<f32> {
    let log_probs = Logits::<MultiClass, f32>::new(scores)?.log_softmax();
    Ok(Nll::new().reduction(Mean).compute(&log_probs, labels)?.value)
}

/// A head declared to output raw logits, trained with NLL (the derive rejects it too).
#[derive(ModelOutput)]
pub struct MisdeclaredOutput {
    #[head(task = MultiClass, loss = Nll, input = logits, reduction = mean)]
    pub digit_logits: Array2<f32>, // expect: LL006
}

/// An NLL head without `input`: the derive takes its output as the log-probabilities NLL
/// expects. Nothing to report.
#[derive(ModelOutput)]
pub struct LogProbOutput {
    #[head(task = MultiClass, loss = Nll, reduction = mean)]
    pub digit_log_probs: Array2<f32>,
}
