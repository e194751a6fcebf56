//! Fixture for LL000 parse-error: this file does not parse (a `let` statement lost its `=`), so
//! losslint reports the parser's error on the line marked `// expect: LL000` and lints nothing
//! else in it; the run goes on with the other files.
//! Labels: none needed.

use candle_core::{D, Result, Tensor};
use candle_nn::{Linear, Module, Optimizer, SGD, loss, ops};

/// Would be LL003 (softmax before cross-entropy), but the file is skipped.
pub fn train_step(model: &Linear, sgd: &mut SGD, images: &Tensor, labels: &Tensor) -> Result<f32> {
    let logits = model.forward(images)?;
    let probs = ops::softmax(&logits, D::Minus1)?;
    let loss loss::cross_entropy(&probs, labels)?; // expect: LL000
    sgd.backward_step(&loss)?;
    loss.to_scalar::<f32>()
}
