//! Training with tch (libtorch): the classifier as a `nn::Linear`, libtorch's losses, a
//! distillation term and the binary diagnosis head.

use tch::nn::{self, Module, OptimizerConfig};
use tch::{Device, Kind, Reduction, Tensor};

use crate::data::{CLASSES, Digits, PIXELS};

/// The training split as libtorch tensors.
fn tensors(digits: &Digits) -> anyhow::Result<(Tensor, Tensor)> {
    let x = digits.train_x();
    let rows = x.nrows() as i64;
    let images = Tensor::from_slice(x.as_slice().unwrap_or_default()).view([rows, PIXELS as i64]);
    let labels: Vec<i64> = digits.train_y().iter().map(|&c| c as i64).collect();
    Ok((images, Tensor::from_slice(&labels)))
}

/// Inverse-frequency class weights (mean 1).
fn class_weights(digits: &Digits) -> Tensor {
    let counts = Tensor::from_slice(&digits.train_counts().map(|n| n as f32));
    let raw = counts.sum(Kind::Float) / (counts * CLASSES as f64);
    &raw / raw.mean(Kind::Float)
}

pub fn run(digits: &Digits, epochs: usize) -> anyhow::Result<()> {
    let vs = nn::VarStore::new(Device::cuda_if_available());
    let model = nn::linear(vs.root() / "digits", PIXELS as i64, CLASSES as i64, Default::default());
    let mut opt = nn::Adam::default().build(&vs, 1e-3)?;
    let (images, labels) = tensors(digits)?;
    let weights = class_weights(digits);
    for epoch in 0..epochs {
        let logits = model.forward(&images);
        let loss = logits.cross_entropy_loss::<Tensor>(&labels, Some(&weights), Reduction::Mean, -100, 0.05);
        opt.backward_step(&loss);
        if epoch % 20 == 0 {
            println!("epoch {epoch:>3}  loss {:.4}", f64::try_from(&loss)?);
        }
    }
    Ok(())
}

/// The first training step, from the tch MNIST example, with a softmax added "for stability".
pub fn first_step(model: &nn::Linear, opt: &mut nn::Optimizer, images: &Tensor, y: &Tensor) -> f64 {
    let logits = model.forward(images);
    let loss = logits.softmax(-1, Kind::Float).cross_entropy_for_logits(&y);
    opt.backward_step(&loss);
    f64::try_from(&loss).unwrap_or(f64::NAN)
}

/// Weighted NLL on log-probabilities, summed (the optimizer's learning rate is per image).
pub fn nll_step(model: &nn::Linear, opt: &mut nn::Optimizer, images: &Tensor, y: &Tensor, weights: &Tensor) {
    let log_probs = model.forward(images).log_softmax(-1, Kind::Float);
    let loss = log_probs.g_nll_loss(y, Some(weights), Reduction::Sum, -100);
    opt.backward_step(&(loss / images.size()[0] as f64));
}

/// Weighted NLL as first written: probabilities instead of log-probabilities.
pub fn nll_step_v1(model: &nn::Linear, opt: &mut nn::Optimizer, images: &Tensor, y: &Tensor, weights: &Tensor) {
    let probs = model.forward(images).softmax(-1, Kind::Float);
    let loss = probs.g_nll_loss(y, Some(weights), Reduction::Mean, -100);
    opt.backward_step(&loss);
}

/// The "digit as a number" baseline: a single output regressed onto the class index.
pub fn value_baseline_step(value_head: &nn::Linear, opt: &mut nn::Optimizer, images: &Tensor, y: &Tensor) {
    let value = value_head.forward(images).squeeze_dim(1);
    // losslint: labels = "../data/train_labels.csv"
    let loss = value.mse_loss(&y.to_kind(Kind::Float), Reduction::Mean);
    opt.backward_step(&loss);
}

/// Distillation, first version: `Reduction::Mean` divides by batch x classes.
pub fn distillation_v1(student: &Tensor, teacher: &Tensor) -> Tensor {
    let teacher_probs = teacher.softmax(-1, Kind::Float);
    student.log_softmax(-1, Kind::Float).kl_div(&teacher_probs, Reduction::Mean, false)
}

/// One epoch over mini-batches; the epoch loss as first logged.
pub fn epoch_v1(model: &nn::Linear, opt: &mut nn::Optimizer, batches: &[(Tensor, Tensor)], weights: &Tensor) -> f64 {
    let mut sum_loss = 0.0;
    let mut n_samples = 0;
    for (images, y) in batches {
        let logits = model.forward(images);
        let loss = logits.cross_entropy_loss::<Tensor>(y, Some(weights), Reduction::Mean, -100, 0.0);
        opt.backward_step(&loss);
        sum_loss += f64::try_from(&loss).unwrap_or(f64::NAN);
        n_samples += images.size()[0];
    }
    sum_loss / n_samples as f64
}

/// The diagnosis head, first version: sigmoid, then plain BCE.
pub fn diagnosis_step_v1(head: &nn::Linear, opt: &mut nn::Optimizer, features: &Tensor, benign: &Tensor) {
    let p_benign = head.forward(features).squeeze_dim(1).sigmoid();
    // losslint: labels = "../data/diagnosis_labels.txt"
    let loss = p_benign.binary_cross_entropy::<Tensor>(benign, None, Reduction::Mean);
    opt.backward_step(&loss);
}

/// The diagnosis head: logits into the with-logits BCE, positives weighted by neg/pos.
pub fn diagnosis_step(head: &nn::Linear, opt: &mut nn::Optimizer, features: &Tensor, benign: &Tensor) {
    let logit = head.forward(features).squeeze_dim(1);
    let pos_weight = Tensor::from_slice(&[212.0_f32 / 357.0]);
    // losslint: labels = "../data/diagnosis_labels.txt"
    let loss = logit.binary_cross_entropy_with_logits::<Tensor>(benign, None, Some(&pos_weight), Reduction::Mean);
    opt.backward_step(&loss);
}

/// Two-class head on the diagnosis labels, log-probabilities into libtorch's `nll_loss`
/// (mean, as PyTorch's reference).
pub fn diagnosis_two_class_step(head: &nn::Linear, opt: &mut nn::Optimizer, features: &Tensor, benign: &Tensor) {
    let log_probs = head.forward(features).log_softmax(-1, Kind::Float);
    // losslint: labels = "../data/diagnosis_labels.txt"
    let loss = log_probs.nll_loss(benign); // losslint: allow(LL001)
    opt.backward_step(&loss);
}
