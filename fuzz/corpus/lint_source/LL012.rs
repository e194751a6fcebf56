//! Fixture for LL012 unbound-label-directive. Every line marked `// expect: LL012` holds a
//! `losslint: labels = ".."` directive that binds no loss (none is built, named or applied on
//! its line or the next); no other line may be flagged by LL012. Findings of other rules on this
//! file are not part of the expectation.
//! Labels: bound per loss with `// losslint: labels = ".."` directives, files under `labels/`;
//! run it with no `--labels` and no config binding.

use burn::nn::loss::{CrossEntropyLoss, CrossEntropyLossConfig};
use burn::tensor::backend::Backend;
use burn::tensor::{Int, Tensor};
use candle_nn::loss;

// ---------------------------------------------------------------- burn

pub struct Trainer<B: Backend> {
    criterion: CrossEntropyLoss<B>,
}

impl<B: Backend> Trainer<B> {
    pub fn new(device: &B::Device) -> Self {
        Trainer {
            criterion: CrossEntropyLossConfig::new().init(device),
        }
    }

    /// The loss is built in `new`; the directive sits on its `forward` call: bound.
    pub fn step(&self, logits: Tensor<B, 2>, targets: Tensor<B, 1, Int>) -> Tensor<B, 1> {
        // losslint: labels = "labels/digits_counts.json"
        self.criterion.forward(logits, targets)
    }

    /// A blank line crept in between: the directive binds nothing.
    pub fn eval_step(&self, logits: Tensor<B, 2>, targets: Tensor<B, 1, Int>) -> Tensor<B, 1> {
        // losslint: labels = "labels/digits_counts.json" // expect: LL012

        self.criterion.forward(logits, targets)
    }
}

/// Built on one line, applied two lines later: the directive above the apply binds it.
pub fn built_then_applied<B: Backend>(
    logits: Tensor<B, 2>,
    targets: Tensor<B, 1, Int>,
    device: &B::Device,
) -> Tensor<B, 1> {
    let criterion = CrossEntropyLossConfig::new().init(device);
    let scaled = logits * 2.0;
    // losslint: labels = "labels/balanced_counts.json"
    criterion.forward(scaled, targets)
}

// ---------------------------------------------------------------- candle

/// On the line of the loss itself: bound.
pub fn inline(logits: &candle_core::Tensor, ys: &candle_core::Tensor) -> candle_core::Result<candle_core::Tensor> {
    loss::cross_entropy(logits, ys) // losslint: labels = "labels/balanced_counts.json"
}

/// Above a line that builds no loss.
pub fn misplaced(logits: &candle_core::Tensor, ys: &candle_core::Tensor) -> candle_core::Result<candle_core::Tensor> {
    // losslint: labels = "labels/balanced_counts.json" // expect: LL012
    let scaled = (logits * 2.0)?;
    loss::cross_entropy(&scaled, ys)
}

// losslint: labels = "labels/digits_counts.json" // expect: LL012
pub const NOT_A_LOSS: usize = 10;
