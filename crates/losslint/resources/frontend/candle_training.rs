//! A candle training loop in the style of the MNIST examples, plus two mistakes.

use candle::{D, Result, Tensor};
use candle_nn::{loss, ops, Optimizer};

fn train_epoch(model: &impl Model, opt: &mut impl Optimizer, batches: &[(Tensor, Tensor)]) -> Result<f32> {
    let mut sum_loss = 0f32;
    let n_batches = batches.len();
    for (images, labels) in batches {
        let logits = model.forward(images)?;
        let log_sm = ops::log_softmax(&logits, D::Minus1)?;
        let loss = loss::nll(&log_sm, labels)?;
        opt.backward_step(&loss)?;
        sum_loss += loss.to_vec0::<f32>()?;
    }
    Ok(sum_loss / n_batches as f32)
}

/// NLL on probabilities: the log is missing.
fn nll_on_softmax(logits: &Tensor, labels: &Tensor) -> Result<Tensor> {
    let probs = ops::softmax(logits, D::Minus1)?;
    loss::nll(&probs, labels)
}

/// Cross-entropy applies log-softmax itself.
fn double_softmax(logits: &Tensor, labels: &Tensor) -> Result<Tensor> {
    loss::cross_entropy(&candle_nn::ops::softmax_last_dim(logits)?, labels)
}

/// A local helper named like a candle loss is not one.
fn cross_entropy(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    a.sub(b)?.sqr()?.mean_all()
}
