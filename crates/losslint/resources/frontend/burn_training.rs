//! A burn training module: a classifier step, a regression step, a multi-label head kept in a
//! field, and an epoch loop that logs the mean loss.

use burn::nn::loss::{BinaryCrossEntropyLossConfig, CrossEntropyLossConfig as Ce, MseLoss, Reduction};
use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::{sigmoid, softmax};
use burn::tensor::ElementConversion;

#[derive(Module, Debug)]
pub struct Classifier<B: Backend> {
    head: Linear<B>,
    tags: Linear<B>,
}

impl<B: Backend> Classifier<B> {
    pub fn classification_step(&self, x: Tensor<B, 2>, y: Tensor<B, 1, Int>) -> Tensor<B, 1> {
        let logits = self.head.forward(x);
        // losslint: labels = "../fixtures/labels/digits_counts.json"
        let criterion = Ce::new()
            .with_smoothing(Some(0.1))
            .init(&logits.device());
        criterion.forward(logits, y)
    }

    /// Softmax applied before a loss that applies it again.
    pub fn calibrated_step(&self, x: Tensor<B, 2>, y: Tensor<B, 1, Int>) -> Tensor<B, 1> {
        let probs = softmax(self.head.forward(x), 1);
        Ce::new()
            .with_weights(Some(vec![1.0, 3.5, 7.2]))
            .init(&probs.device())
            .forward(probs.clone(), y)
    }

    /// Probabilities declared as such: nothing about their origin to report.
    pub fn probability_step(&self, x: Tensor<B, 2>, y: Tensor<B, 1, Int>) -> Tensor<B, 1> {
        let probs = softmax(self.head.forward(x), 1);
        Ce::new().with_logits(false).init(&probs.device()).forward(probs, y)
    }

    pub fn tag_step(&self, x: Tensor<B, 2>, y: Tensor<B, 2, Int>) -> Tensor<B, 1> {
        let scores = sigmoid(self.tags.forward(x));
        let bce = BinaryCrossEntropyLossConfig::new().with_logits(true).init(&scores.device());
        bce.forward(scores, y)
    }
}

pub fn regression_step<B: Backend>(pred: Tensor<B, 2>, target: Tensor<B, 2>) -> Tensor<B, 1> {
    MseLoss::new().forward(pred, target, Reduction::Auto)
}

pub fn epoch_loss<B: Backend>(batches: &[(Tensor<B, 2>, Tensor<B, 2>)]) -> f32 {
    let mse = MseLoss::new();
    let mut total = 0.0_f32;
    let mut samples = 0_usize;
    for (pred, target) in batches {
        let loss = mse.forward(pred.clone(), target.clone(), Reduction::Mean);
        total += loss.into_scalar().elem::<f32>();
        samples += pred.dims()[0];
    }
    total / samples as f32
}
