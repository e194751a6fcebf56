//! Training the digit classifier with lossfit: typed losses for the steps, the functional layer
//! for quick checks and distillation.

use anyhow::{Context, Result};
use lossfit::functional::{CrossEntropyOptions, KlDivOptions, KlReduction, cross_entropy, kl_div};
use lossfit::{
    BatchMean, ClassIndices, ClassProbabilities, ClassWeights, CrossEntropy, KlDiv, Logits, Mean, MultiClass, Nll,
    Reduction, SoftmaxFocal, Sum,
};
use ndarray::{Array1, Array2, ArrayD, Ix1, Ix2};

use crate::data::Digits;
use crate::model::Linear;

/// How long and how fast to train.
#[derive(Clone, Debug)]
pub struct Settings {
    pub epochs: usize,
    pub learning_rate: f32,
    pub label_smoothing: f64,
}

/// Inverse-frequency class weights (mean 1) from the training split.
pub fn class_weights(digits: &Digits) -> Result<ClassWeights<f32>> {
    Ok(ClassWeights::balanced(&digits.train_counts())?)
}

/// The gradient with respect to the logits, as the matrix `Linear::step` takes.
fn gradient(grad: ArrayD<f32>) -> Result<Array2<f32>> {
    Ok(grad.into_dimensionality::<Ix2>()?)
}

/// The main run: class-weighted, label-smoothed cross-entropy, averaged over the batch.
pub fn train(digits: &Digits, settings: &Settings) -> Result<Linear> {
    let (x, y) = (digits.train_x(), digits.train_y());
    let targets = ClassIndices::new(y);
    let criterion =
        CrossEntropy::new().weight(class_weights(digits)?).label_smoothing(settings.label_smoothing).reduction(Mean);
    let mut model = Linear::digits();
    for epoch in 0..settings.epochs {
        let logits = Logits::<MultiClass, f32>::new(model.logits(&x))?;
        let loss = criterion.compute(&logits, &targets)?;
        model.step(&x, &gradient(loss.grad.input)?, settings.learning_rate);
        if epoch % 50 == 0 {
            println!("epoch {epoch:>4}  loss {:.4}", loss.value);
        }
    }
    Ok(model)
}

/// Warm-up on summed losses: the criterion is assembled over several statements.
pub fn warm_up(model: &mut Linear, digits: &Digits, steps: usize) -> Result<f32> {
    let (x, y) = (digits.train_x(), digits.train_y());
    let targets = ClassIndices::new(y);
    let criterion = CrossEntropy::new();
    let criterion = criterion.weight(class_weights(digits)?);
    let criterion = criterion.reduction(Sum);
    let mut last = f32::NAN;
    for _ in 0..steps {
        let logits = Logits::<MultiClass, f32>::new(model.logits(&x))?;
        let loss = criterion.compute(&logits, &targets)?;
        let scale = 1.0 / x.nrows() as f32;
        model.step(&x, &(gradient(loss.grad.input)? * scale), 0.01);
        last = loss.value;
    }
    Ok(last)
}

/// The first version of the trainer, kept to reproduce the "unweighted" row of the table.
pub fn train_unweighted(digits: &Digits, settings: &Settings) -> Result<Linear> {
    let (x, y) = (digits.train_x(), digits.train_y());
    let targets = ClassIndices::new(y);
    let criterion = CrossEntropy::new().reduction(Mean);
    let mut model = Linear::digits();
    for _ in 0..settings.epochs {
        let logits = Logits::<MultiClass, f32>::new(model.logits(&x))?;
        let loss = criterion.compute(&logits, &targets)?;
        model.step(&x, &gradient(loss.grad.input)?, settings.learning_rate);
    }
    Ok(model)
}

/// Fine-tuning after the warm-up: weighted, but the reduction was never chosen.
pub fn fine_tune(model: &mut Linear, digits: &Digits, settings: &Settings) -> Result<()> {
    let (x, y) = (digits.train_x(), digits.train_y());
    let targets = ClassIndices::new(y);
    let weights = class_weights(digits)?;
    let criterion = CrossEntropy::new().weight(weights);
    for _ in 0..settings.epochs / 4 {
        let logits = Logits::<MultiClass, f32>::new(model.logits(&x))?;
        let loss = criterion.compute(&logits, &targets)?;
        model.step(&x, &gradient(loss.grad.input)?, settings.learning_rate * 0.1);
    }
    Ok(())
}

/// Focal loss without class weights: the focal term already down-weights the easy, common
/// classes.
pub fn train_focal(digits: &Digits, settings: &Settings) -> Result<Linear> {
    let (x, y) = (digits.train_x(), digits.train_y());
    let targets = ClassIndices::new(y);
    let criterion = SoftmaxFocal::new().gamma(2.0).reduction(Mean);
    let mut model = Linear::digits();
    for _ in 0..settings.epochs {
        let logits = Logits::<MultiClass, f32>::new(model.logits(&x))?;
        let loss = criterion.compute(&logits, &targets)?;
        model.step(&x, &gradient(loss.grad.input)?, settings.learning_rate);
    }
    Ok(model)
}

/// Negative log-likelihood on log-probabilities: the same objective as cross-entropy.
pub fn nll_objective(model: &Linear, digits: &Digits) -> Result<f32> {
    let (x, y) = (digits.train_x(), digits.train_y());
    let logits = Logits::<MultiClass, f32>::new(model.logits(&x))?;
    let log_probs = logits.log_softmax();
    let criterion = Nll::new().weight(class_weights(digits)?).reduction(Mean);
    Ok(criterion.compute(&log_probs, &ClassIndices::new(y))?.value)
}

/// Quick check printed after training: the functional cross-entropy on the held-out rows.
pub fn held_out_loss(model: &Linear, digits: &Digits) -> Result<f32> {
    let x = digits.test_x();
    let labels: Array1<i64> = digits.test_y().mapv(|c| c as i64);
    let weights = class_weights(digits)?;
    let logits = model.logits(&x);
    let loss = cross_entropy(
        &logits,
        &labels,
        &CrossEntropyOptions { weight: Some(weights.view()), label_smoothing: 0.05, ..Default::default() },
    )?;
    loss.scalar().context("cross-entropy with mean reduction is a scalar")
}

/// Per-image losses of the training rows (the hardest images are shown in the report).
pub fn per_image_losses(model: &Linear, digits: &Digits) -> Result<Array1<f32>> {
    let x = digits.train_x();
    let labels: Array1<i64> = digits.train_y().mapv(|c| c as i64);
    let weights = class_weights(digits)?;
    let options =
        CrossEntropyOptions { weight: Some(weights.view()), reduction: Reduction::None, ..Default::default() };
    let loss = cross_entropy(&model.logits(&x), &labels, &options)?;
    Ok(loss.value.into_dimensionality::<Ix1>()?)
}

/// The number compared with `scripts/reference_torch.py`, which uses PyTorch's default
/// reduction.
pub fn reference_value(model: &Linear, digits: &Digits) -> Result<f32> {
    let (x, y) = (digits.train_x(), digits.train_y());
    let logits = Logits::<MultiClass, f32>::new(model.logits(&x))?;
    let weights = class_weights(digits)?;
    // losslint: allow(LL001)
    let reference = CrossEntropy::new().weight(weights).compute(&logits, &ClassIndices::new(y))?;
    Ok(reference.value)
}

/// Distillation from a larger teacher: the student's log-probabilities against the teacher's
/// probabilities. The functional form was the first version; the typed one replaced it.
pub fn distillation_losses(student: &Linear, teacher_probs: &Array2<f32>, digits: &Digits) -> Result<(f32, f32)> {
    let x = digits.train_x();
    let student_logits = Logits::<MultiClass, f32>::new(student.logits(&x))?;
    let student_log_probs = student_logits.log_softmax();

    let old = kl_div(
        student_log_probs.view(),
        teacher_probs.view(),
        &KlDivOptions { reduction: KlReduction::Mean, ..Default::default() },
    )?;

    let teacher = ClassProbabilities::new(teacher_probs.clone())?;
    let new = KlDiv::new().reduction(BatchMean).compute(&student_log_probs, &teacher)?;
    Ok((old.scalar().context("mean KL is a scalar")?, new.value))
}

/// Summed, weighted functional loss with its options in a variable (logged per epoch).
pub fn summed_loss(model: &Linear, digits: &Digits) -> Result<f32> {
    let x = digits.train_x();
    let labels: Array1<i64> = digits.train_y().mapv(|c| c as i64);
    let weights = class_weights(digits)?;
    let sum_options =
        CrossEntropyOptions { weight: Some(weights.view()), reduction: Reduction::Sum, ..Default::default() };
    let loss = cross_entropy(&model.logits(&x), &labels, &sum_options)?;
    loss.scalar().context("summed cross-entropy is a scalar")
}
