//! Fixture for LL002 unweighted-imbalanced-loss. Every line marked `// expect: LL002` names a
//! classification loss with no class weights, `pos_weight` or focal term whose bound labels are
//! imbalanced; no other line may be flagged by LL002. Findings of other rules on this file are
//! not part of the expectation.
//! Labels: bound per loss with `// losslint: labels = ".."` directives and derive `labels` keys,
//! files under `labels/` (see `labels/README.md`); run it with no `--labels` and no config
//! binding, the default policy (`max_ratio = 3.0`) and weights (`inverse_frequency`).

use burn::nn::loss::{BinaryCrossEntropyLossConfig, CrossEntropyLossConfig};
use burn::tensor::backend::Backend;
use burn::tensor::{Int, Tensor};
use candle_nn::{loss, ops};
use lossfit::functional::{CrossEntropyOptions, cross_entropy};
use lossfit::{
    BceWithLogits, ClassIndices, ClassWeights, CrossEntropy, Logits, Mean, ModelOutput, MultiClass,
    MultiHot, MultiLabel, SoftmaxFocal,
};
use ndarray::{Array1, Array2};

// ---------------------------------------------------------------- lossfit, typed layer

/// The "unweighted" row of the comparison table.
pub fn train_unweighted(logits: &Logits<MultiClass, f32>, labels: &ClassIndices) -> lossfit::Result<f32> {
    // losslint: labels = "labels/digits_counts.json"
    let criterion = CrossEntropy::new().reduction(Mean); // expect: LL002
    Ok(criterion.compute(logits, labels)?.value)
}

/// Weighted: nothing to report.
pub fn train_weighted(logits: &Logits<MultiClass, f32>, labels: &ClassIndices, counts: &[u64]) -> lossfit::Result<f32> {
    // losslint: labels = "labels/digits_counts.json"
    let criterion = CrossEntropy::new().weight(ClassWeights::balanced(counts)?).reduction(Mean);
    Ok(criterion.compute(logits, labels)?.value)
}

/// The focal term balances by itself: nothing to report.
pub fn train_focal(logits: &Logits<MultiClass, f32>, labels: &ClassIndices) -> lossfit::Result<f32> {
    // losslint: labels = "labels/digits_counts.json"
    let criterion = SoftmaxFocal::new().gamma(2.0).reduction(Mean);
    Ok(criterion.compute(logits, labels)?.value)
}

/// Balanced labels: nothing to report.
pub fn train_pets(logits: &Logits<MultiClass, f32>, labels: &ClassIndices) -> lossfit::Result<f32> {
    // losslint: labels = "labels/balanced_counts.json"
    let criterion = CrossEntropy::new().reduction(Mean);
    Ok(criterion.compute(logits, labels)?.value)
}

/// Multi-label tags, one of them rare, no `pos_weight`.
pub fn train_tags(logits: &Logits<MultiLabel, f32>, tags: &MultiHot<f32>) -> lossfit::Result<f32> {
    // losslint: labels = "labels/tags_positives.json"
    let criterion = BceWithLogits::new().reduction(Mean); // expect: LL002
    Ok(criterion.compute(logits, tags)?.value)
}

/// The weights come from the caller and may be `None`: losslint cannot tell.
pub fn train_from_args(logits: &Array2<f32>, labels: &Array1<i64>, weights: Option<ndarray::ArrayView1<'_, f32>>) -> lossfit::Result<f32> {
    let options = CrossEntropyOptions { weight: weights, reduction: lossfit::Reduction::Mean, ..Default::default() };
    // losslint: labels = "labels/digits_counts.json"
    Ok(cross_entropy(logits, labels, &options)?.scalar().unwrap_or(f32::NAN))
}

// ---------------------------------------------------------------- lossfit, derive

/// `weight = balanced` is computed from the labels at compile time: nothing to report. The
/// regression head is not a classification loss.
#[derive(ModelOutput)]
pub struct DigitsOutput {
    #[head(task = MultiClass, loss = CrossEntropy, reduction = mean, weight = balanced, labels = "labels/digits_counts.json")]
    pub digit_logits: Array2<f32>,
    #[head(task = Regression, loss = Huber, delta = 1.0, reduction = mean)]
    pub ink: Array2<f32>,
}

/// The binary head lost its `pos_weight` (the derive rejects this too).
#[derive(ModelOutput)]
pub struct ScreeningOutput {
    #[head(task = Binary, loss = BceWithLogits, reduction = mean, labels = "labels/diagnosis_counts.json")] // expect: LL002
    pub positive_logit: Array1<f32>,
}

// ---------------------------------------------------------------- burn

/// The baseline: plain cross-entropy on the digits.
pub fn baseline_loss<B: Backend>(logits: Tensor<B, 2>, targets: Tensor<B, 1, Int>, device: &B::Device) -> Tensor<B, 1> {
    // losslint: labels = "labels/digits_counts.json"
    let criterion = CrossEntropyLossConfig::new().init(device); // expect: LL002
    criterion.forward(logits, targets)
}

/// Weighted, with the config built over several statements.
pub fn weighted_loss<B: Backend>(logits: Tensor<B, 2>, targets: Tensor<B, 1, Int>, weights: Vec<f32>, device: &B::Device) -> Tensor<B, 1> {
    // losslint: labels = "labels/digits_counts.json"
    let config = CrossEntropyLossConfig::new().with_weights(Some(weights));
    let config = config.with_smoothing(Some(0.05));
    let criterion = config.init(device);
    criterion.forward(logits, targets)
}

/// Binary screening labels, 940 negatives to 60 positives, unweighted.
pub fn screening_loss<B: Backend>(logit: Tensor<B, 1>, positive: Tensor<B, 1, Int>, device: &B::Device) -> Tensor<B, 1> {
    // losslint: labels = "labels/diagnosis_counts.json"
    let bce = BinaryCrossEntropyLossConfig::new().with_logits(true).init(device); // expect: LL002
    bce.forward(logit, positive)
}

/// Balanced binary labels: nothing to report.
pub fn diagnosis_loss<B: Backend>(logit: Tensor<B, 1>, benign: Tensor<B, 1, Int>, device: &B::Device) -> Tensor<B, 1> {
    // losslint: labels = "labels/diagnosis_balanced.csv"
    let bce = BinaryCrossEntropyLossConfig::new().with_logits(true).init(device);
    bce.forward(logit, benign)
}

// ---------------------------------------------------------------- candle

/// candle's `nll` takes no weights; the labels are imbalanced.
pub fn candle_step(logits: &candle_core::Tensor, labels: &candle_core::Tensor) -> candle_core::Result<candle_core::Tensor> {
    let log_probs = ops::log_softmax(logits, candle_core::D::Minus1)?;
    // losslint: labels = "labels/digits_counts.json"
    loss::nll(&log_probs, labels) // expect: LL002
}

/// Class-balanced batches from the sampler: suppressed with a reason.
pub fn candle_balanced_batches(logits: &candle_core::Tensor, labels: &candle_core::Tensor) -> candle_core::Result<candle_core::Tensor> {
    // The sampler draws every class equally often, so the loss needs no weights.
    // losslint: labels = "labels/digits_counts.json"
    loss::cross_entropy(logits, labels) // losslint: allow(LL002)
}

// ---------------------------------------------------------------- tch

/// Weighted and unweighted libtorch cross-entropy.
pub fn tch_losses(logits: &tch::Tensor, y: &tch::Tensor, weights: &tch::Tensor) -> tch::Tensor {
    // losslint: labels = "labels/digits_counts.json"
    let weighted = logits.cross_entropy_loss::<&tch::Tensor>(y, Some(weights), tch::Reduction::Mean, -100, 0.0);
    // losslint: labels = "labels/digits_counts.json"
    let plain = logits.cross_entropy_loss::<tch::Tensor>(y, None, tch::Reduction::Mean, -100, 0.0); // expect: LL002
    weighted + plain
}
