//! Fixture for LL009 task-loss-mismatch. Every line marked `// expect: LL009` names a loss that
//! cannot fit the task its head declares or the labels bound to it; no other line may be flagged
//! by LL009. Findings of other rules on this file are not part of the expectation.
//! Labels: bound per loss with `// losslint: labels = ".."` directives and derive `labels` keys,
//! files under `labels/` (see `labels/README.md`); run it with no `--labels` and no config
//! binding.

use burn::nn::loss::{CrossEntropyLossConfig, MseLoss, Reduction};
use burn::tensor::backend::Backend;
use burn::tensor::{Int, Tensor};
use candle_nn::loss;
use lossfit::ModelOutput;
use ndarray::{Array1, Array2};

// ---------------------------------------------------------------- lossfit, derive

/// The first baseline: the digit predicted as a number.
#[derive(ModelOutput)]
pub struct BaselineOutput {
    #[head(task = MultiClass, loss = Mse, reduction = mean)] // expect: LL009
    pub digit_value: Array2<f32>,
}

/// Tags are several per image, but the head uses a softmax loss.
#[derive(ModelOutput)]
pub struct TaggerOutput {
    #[head(task = MultiLabel, loss = CrossEntropy, reduction = mean)] // expect: LL009
    pub tag_logits: Array2<f32>,
}

/// Heads that fit their tasks, one of them a regression next to a classifier: nothing to report.
#[derive(ModelOutput)]
pub struct DetectorOutput {
    #[head(task = MultiClass, loss = CrossEntropy, reduction = mean, weight = balanced, labels = "labels/digits_counts.json")]
    pub class_logits: Array2<f32>,
    #[head(task = Regression, loss = SmoothL1, beta = 1.0, reduction = mean)]
    pub boxes: Array2<f32>,
    #[head(task = Binary, loss = BceWithLogits, reduction = mean, labels = "labels/diagnosis_balanced.csv")]
    pub objectness: Array1<f32>,
}

// ---------------------------------------------------------------- burn

/// The "digit as a number" baseline: one output regressed onto the class index.
pub fn value_baseline_loss<B: Backend>(value: Tensor<B, 2>, targets: Tensor<B, 1, Int>) -> Tensor<B, 1> {
    let target_value = targets.float().unsqueeze_dim(1);
    // losslint: labels = "labels/digits_counts.json"
    MseLoss::new().forward(value, target_value, Reduction::Mean) // expect: LL009
}

/// Cross-entropy on the digit labels: nothing to report.
pub fn class_loss<B: Backend>(logits: Tensor<B, 2>, targets: Tensor<B, 1, Int>, device: &B::Device) -> Tensor<B, 1> {
    // losslint: labels = "labels/digits_counts.json"
    let criterion = CrossEntropyLossConfig::new().with_weights(Some(vec![1.0; 10])).init(device);
    criterion.forward(logits, targets)
}

/// A regression with no labels bound: nothing to judge.
pub fn ink_loss<B: Backend>(ink: Tensor<B, 2>, target: Tensor<B, 2>) -> Tensor<B, 1> {
    MseLoss::new().forward(ink, target, Reduction::Mean)
}

// ---------------------------------------------------------------- candle

/// One sigmoid per digit class: the classes never learn to exclude each other.
pub fn digits_as_tags(logits: &candle_core::Tensor, one_hot: &candle_core::Tensor) -> candle_core::Result<candle_core::Tensor> {
    // losslint: labels = "labels/digits_counts.json"
    loss::binary_cross_entropy_with_logit(logits, one_hot) // expect: LL009
}

/// Binary labels with the with-logits loss: nothing to report.
pub fn diagnosis(logit: &candle_core::Tensor, benign: &candle_core::Tensor) -> candle_core::Result<candle_core::Tensor> {
    // losslint: labels = "labels/diagnosis_balanced.csv"
    loss::binary_cross_entropy_with_logit(logit, benign)
}

// ---------------------------------------------------------------- tch

/// Regression onto the class index.
pub fn value_baseline_step(value: &tch::Tensor, y: &tch::Tensor) -> tch::Tensor {
    // losslint: labels = "labels/digits_counts.json"
    value.mse_loss(&y.to_kind(tch::Kind::Float), tch::Reduction::Mean) // expect: LL009
}

/// A softmax cross-entropy on multi-hot tags.
pub fn tag_step(logits: &tch::Tensor, tags: &tch::Tensor) -> tch::Tensor {
    // losslint: labels = "labels/tags_positives.json"
    logits.cross_entropy_loss::<tch::Tensor>(tags, None, tch::Reduction::Mean, -100, 0.0) // expect: LL009
}

/// A two-class head on binary labels, log-probabilities into NLL: nothing to report.
pub fn two_class_step(out: &tch::Tensor, benign: &tch::Tensor) -> tch::Tensor {
    let log_probs = out.log_softmax(-1, tch::Kind::Float);
    // losslint: labels = "labels/diagnosis_balanced.csv"
    log_probs.g_nll_loss::<tch::Tensor>(benign, None, tch::Reduction::Mean, -100)
}
