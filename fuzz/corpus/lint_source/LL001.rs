//! Fixture for LL001 implicit-reduction. Every line marked `// expect: LL001` names a loss that
//! is built or called without a visible reduction where its API takes one; no other line may be
//! flagged by LL001. Findings of other rules on this file are not part of the expectation.
//! Labels: none needed.

use burn::nn::loss::{CrossEntropyLossConfig, HuberLossConfig, MseLoss, Reduction};
use burn::tensor::backend::Backend;
use burn::tensor::{Int, Tensor};
use candle_nn::loss as candle_loss;
use lossfit::functional::{CrossEntropyOptions, cross_entropy};
use lossfit::{
    ClassIndices, ClassWeights, CrossEntropy, Logits, Mean, ModelOutput, MultiClass, Nll, Sum,
};
use ndarray::{Array1, Array2};

// ---------------------------------------------------------------- lossfit, typed layer

/// Smoothed cross-entropy whose reduction was never chosen.
pub fn smoothed(logits: &Logits<MultiClass, f32>, labels: &ClassIndices) -> lossfit::Result<f32> {
    let criterion = CrossEntropy::new().label_smoothing(0.1); // expect: LL001
    Ok(criterion.compute(logits, labels)?.value)
}

/// The builder is assembled over several statements; the reduction is set in the last one.
pub fn warm_up(logits: &Logits<MultiClass, f32>, labels: &ClassIndices, w: ClassWeights<f32>) -> lossfit::Result<f32> {
    let criterion = CrossEntropy::new();
    let criterion = criterion.weight(w);
    let criterion = criterion.reduction(Sum);
    Ok(criterion.compute(logits, labels)?.value)
}

/// Assembled over several statements and never given a reduction.
pub fn nll_step(logits: &Logits<MultiClass, f32>, labels: &ClassIndices, w: ClassWeights<f32>) -> lossfit::Result<f32> {
    let criterion = Nll::new(); // expect: LL001
    let criterion = criterion.weight(w);
    let log_probs = logits.log_softmax();
    Ok(criterion.compute(&log_probs, labels)?.value)
}

/// Explicit mean: nothing to report.
pub fn explicit(logits: &Logits<MultiClass, f32>, labels: &ClassIndices) -> lossfit::Result<f32> {
    Ok(CrossEntropy::new().reduction(Mean).compute(logits, labels)?.value)
}

// ---------------------------------------------------------------- lossfit, functional layer

/// The options struct leaves `reduction` to `..Default::default()`.
pub fn held_out(logits: &Array2<f32>, labels: &Array1<i64>) -> lossfit::Result<f32> {
    let loss = cross_entropy( // expect: LL001
        logits,
        labels,
        &CrossEntropyOptions { label_smoothing: 0.05, ..Default::default() },
    )?;
    Ok(loss.scalar().unwrap_or(f32::NAN))
}

/// All defaults.
pub fn quick_check(logits: &Array2<f32>, labels: &Array1<i64>) -> lossfit::Result<f32> {
    let loss = cross_entropy(logits, labels, &CrossEntropyOptions::default())?; // expect: LL001
    Ok(loss.scalar().unwrap_or(f32::NAN))
}

/// The options live in a variable that names the reduction.
pub fn per_sample(logits: &Array2<f32>, labels: &Array1<i64>) -> lossfit::Result<Array1<f32>> {
    let options = CrossEntropyOptions { reduction: lossfit::Reduction::None, ..Default::default() };
    let loss = cross_entropy(logits, labels, &options)?;
    Ok(loss.value.into_dimensionality()?)
}

// ---------------------------------------------------------------- lossfit, derive

/// A head whose reduction is never written.
#[derive(ModelOutput)]
pub struct DiagnosisOutput {
    #[head(task = Binary, loss = BceWithLogits, labels = "labels/diagnosis_balanced.csv")] // expect: LL001
    pub benign_logit: Array1<f32>,
}

/// Both heads say what they mean.
#[derive(ModelOutput)]
pub struct DetectorOutput {
    #[head(task = MultiClass, loss = CrossEntropy, reduction = mean, weight = balanced, labels = "labels/digits_counts.json")]
    pub class_logits: Array2<f32>,
    #[head(task = Regression, loss = Huber, delta = 1.0, reduction = sum)]
    pub boxes: Array2<f32>,
}

// ---------------------------------------------------------------- burn

/// `Reduction::Auto` is "whatever the default is".
pub fn value_loss<B: Backend>(value: Tensor<B, 2>, target: Tensor<B, 2>) -> Tensor<B, 1> {
    MseLoss::new().forward(value, target, Reduction::Auto) // expect: LL001
}

/// Explicit reductions.
pub fn box_losses<B: Backend>(pred: Tensor<B, 2>, target: Tensor<B, 2>) -> Tensor<B, 1> {
    let huber = HuberLossConfig::new(1.0).init();
    let mse = MseLoss::new();
    huber.forward(pred.clone(), target.clone(), Reduction::Sum) + mse.forward(pred, target, Reduction::Mean)
}

/// burn's cross-entropy has no reduction parameter (always the mean): nothing to choose.
pub fn class_loss<B: Backend>(logits: Tensor<B, 2>, targets: Tensor<B, 1, Int>, device: &B::Device) -> Tensor<B, 1> {
    let criterion = CrossEntropyLossConfig::new().init(device);
    criterion.forward(logits, targets)
}

// ---------------------------------------------------------------- candle

/// candle's losses always average and take no reduction: nothing to choose.
pub fn candle_step(logits: &candle_core::Tensor, labels: &candle_core::Tensor) -> candle_core::Result<candle_core::Tensor> {
    candle_loss::cross_entropy(logits, labels)
}

// ---------------------------------------------------------------- tch

/// tch's convenience losses always average; `g_nll_loss` / `cross_entropy_loss` take a reduction.
pub fn tch_losses(logits: &tch::Tensor, y: &tch::Tensor) -> tch::Tensor {
    let ce = logits.cross_entropy_for_logits(y); // expect: LL001
    let log_probs = logits.log_softmax(-1, tch::Kind::Float);
    let nll = log_probs.nll_loss(y); // expect: LL001
    let summed = log_probs.g_nll_loss::<tch::Tensor>(y, None, tch::Reduction::Sum, -100);
    ce + nll + summed
}
