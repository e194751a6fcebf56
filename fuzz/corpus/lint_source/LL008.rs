//! Fixture for LL008 kl-div-mean-reduction. Every line marked `// expect: LL008` holds a KL
//! divergence reduced with `mean` (written, or left to a default that is `mean`); no other line
//! may be flagged by LL008. LL001 also fires on the implicit ones; findings of other rules are
//! not part of the expectation.
//! Labels: none needed.

use burn::nn::loss::{KLDivLossConfig, Reduction};
use burn::tensor::activation::{log_softmax, softmax};
use burn::tensor::backend::Backend;
use burn::tensor::Tensor;
use lossfit::functional::{KlDivOptions, KlReduction, kl_div};
use lossfit::{BatchMean, ClassProbabilities, KlDiv, LogProbabilities, Mean, ModelOutput, MultiClass};
use ndarray::Array2;

// ---------------------------------------------------------------- lossfit, functional layer

/// Distillation, first version.
pub fn distill_v1(student_log_probs: &Array2<f32>, teacher_probs: &Array2<f32>) -> lossfit::Result<f32> {
    let loss = kl_div(
        student_log_probs.view(),
        teacher_probs.view(),
        &KlDivOptions { reduction: KlReduction::Mean, ..Default::default() }, // expect: LL008
    )?;
    Ok(loss.scalar().unwrap_or(f32::NAN))
}

/// The options in a variable, reduction left to the default (`mean`).
pub fn distill_default(student_log_probs: &Array2<f32>, teacher_probs: &Array2<f32>) -> lossfit::Result<f32> {
    let options = KlDivOptions { log_target: false, ..Default::default() };
    let loss = kl_div(student_log_probs.view(), teacher_probs.view(), &options)?; // expect: LL008
    Ok(loss.scalar().unwrap_or(f32::NAN))
}

/// The batch mean: nothing to report.
pub fn distill(student_log_probs: &Array2<f32>, teacher_probs: &Array2<f32>) -> lossfit::Result<f32> {
    let options = KlDivOptions { reduction: KlReduction::BatchMean, ..Default::default() };
    let loss = kl_div(student_log_probs.view(), teacher_probs.view(), &options)?;
    Ok(loss.scalar().unwrap_or(f32::NAN))
}

// ---------------------------------------------------------------- lossfit, typed layer

/// `Mean` written out.
pub fn typed_mean(student: &LogProbabilities<MultiClass, f32>, teacher: &ClassProbabilities<f32>) -> lossfit::Result<f32> {
    Ok(KlDiv::new().reduction(Mean).compute(student, teacher)?.value) // expect: LL008
}

/// Never chosen.
pub fn typed_unset(student: &LogProbabilities<MultiClass, f32>, teacher: &ClassProbabilities<f32>) -> lossfit::Result<f32> {
    let criterion = KlDiv::new(); // expect: LL008
    Ok(criterion.compute(student, teacher)?.value)
}

/// `BatchMean`: nothing to report.
pub fn typed(student: &LogProbabilities<MultiClass, f32>, teacher: &ClassProbabilities<f32>) -> lossfit::Result<f32> {
    Ok(KlDiv::new().reduction(BatchMean).compute(student, teacher)?.value)
}

// ---------------------------------------------------------------- lossfit, derive

/// A distillation head with the element mean.
#[derive(ModelOutput)]
pub struct StudentOutput {
    #[head(task = MultiClass, loss = KlDiv, reduction = mean)] // expect: LL008
    pub log_probs: Array2<f32>,
}

/// The same head with the batch mean: nothing to report.
#[derive(ModelOutput)]
pub struct FixedStudentOutput {
    #[head(task = MultiClass, loss = KlDiv, reduction = batchmean)]
    pub log_probs: Array2<f32>,
}

// ---------------------------------------------------------------- burn

/// `Reduction::Mean` divides by batch times classes.
pub fn burn_distill_v1<B: Backend>(student_logits: Tensor<B, 2>, teacher_logits: Tensor<B, 2>) -> Tensor<B, 1> {
    let kl = KLDivLossConfig::new().init();
    let student = log_softmax(student_logits, 1);
    let teacher = softmax(teacher_logits, 1);
    kl.forward(student, teacher, Reduction::Mean) // expect: LL008
}

/// For burn's `KLDivLoss`, `Reduction::Auto` is the batch mean: nothing to report.
pub fn burn_distill_auto<B: Backend>(student_logits: Tensor<B, 2>, teacher_logits: Tensor<B, 2>) -> Tensor<B, 1> {
    let kl = KLDivLossConfig::new().init();
    kl.forward(log_softmax(student_logits, 1), softmax(teacher_logits, 1), Reduction::Auto)
}

/// `Reduction::BatchMean`: nothing to report.
pub fn burn_distill<B: Backend>(student_logits: Tensor<B, 2>, teacher_logits: Tensor<B, 2>) -> Tensor<B, 1> {
    let kl = KLDivLossConfig::new().init();
    kl.forward(log_softmax(student_logits, 1), softmax(teacher_logits, 1), Reduction::BatchMean)
}

// ---------------------------------------------------------------- tch

/// libtorch's `Reduction::Mean` is the element mean too (tch has no batch mean).
pub fn tch_distill_v1(student: &tch::Tensor, teacher: &tch::Tensor) -> tch::Tensor {
    let teacher_probs = teacher.softmax(-1, tch::Kind::Float);
    student.log_softmax(-1, tch::Kind::Float).kl_div(&teacher_probs, tch::Reduction::Mean, false) // expect: LL008
}

/// Summed and divided by the batch size by hand: nothing to report.
pub fn tch_distill(student: &tch::Tensor, teacher: &tch::Tensor) -> tch::Tensor {
    let teacher_probs = teacher.softmax(-1, tch::Kind::Float);
    let batch = student.size()[0] as f64;
    student.log_softmax(-1, tch::Kind::Float).kl_div(&teacher_probs, tch::Reduction::Sum, false) / batch
}
