//! Training with candle: a `candle_nn::Linear` classifier, candle-nn's loss functions and the
//! binary diagnosis head.

use candle_core::{D, DType, Device, Result, Tensor};
use candle_nn::{Linear, Module, Optimizer, SGD, VarBuilder, VarMap, linear, loss, ops};

use crate::data::{CLASSES, Digits, PIXELS};

/// The images and labels of the training split on `device`.
fn tensors(digits: &Digits, device: &Device) -> Result<(Tensor, Tensor)> {
    let x = digits.train_x();
    let rows = x.nrows();
    let images = Tensor::from_vec(x.into_raw_vec_and_offset().0, (rows, PIXELS), device)?;
    let labels: Vec<u32> = digits.train_y().iter().map(|&c| c as u32).collect();
    let labels = Tensor::from_vec(labels, rows, device)?;
    Ok((images, labels))
}

pub fn run(digits: &Digits, epochs: usize) -> anyhow::Result<()> {
    let device = Device::Cpu;
    let varmap = VarMap::new();
    let vb = VarBuilder::from_varmap(&varmap, DType::F32, &device);
    let model = linear(PIXELS, CLASSES, vb.pp("digits"))?;
    let mut sgd = SGD::new(varmap.all_vars(), 0.05)?;
    let (images, labels) = tensors(digits, &device)?;
    let last = train(&model, &mut sgd, &images, &labels, epochs)?;
    println!("final loss {last:.4}");
    Ok(())
}

/// Full-batch training, first version.
pub fn train(model: &Linear, sgd: &mut SGD, images: &Tensor, labels: &Tensor, epochs: usize) -> Result<f32> {
    let mut last = f32::NAN;
    for _ in 0..epochs {
        let logits = model.forward(images)?;
        let loss = candle_nn::loss::nll(&candle_nn::ops::softmax(&logits, D::Minus1)?, &labels)?;
        sgd.backward_step(&loss)?;
        last = loss.to_scalar::<f32>()?;
    }
    Ok(last)
}

/// Validation loss as first written.
pub fn validation_loss(model: &Linear, images: &Tensor, labels: &Tensor) -> Result<f32> {
    let logits = model.forward(images)?;
    let log_probs = ops::log_softmax(&logits, D::Minus1)?;
    let loss = loss::cross_entropy(&log_probs, labels)?;
    loss.to_scalar::<f32>()
}

/// Training on class-balanced batches: the sampler draws every class equally often, so the
/// loss itself needs no class weights (candle's `nll` takes none).
pub fn train_balanced_batches(model: &Linear, sgd: &mut SGD, batches: &[(Tensor, Tensor)]) -> Result<f32> {
    let mut last = f32::NAN;
    for (images, labels) in batches {
        let logits = model.forward(images)?;
        let log_probs = ops::log_softmax(&logits, D::Minus1)?;
        // losslint: allow(LL002)
        let loss = loss::nll(&log_probs, labels)?;
        sgd.backward_step(&loss)?;
        last = loss.to_scalar::<f32>()?;
    }
    Ok(last)
}

/// The diagnosis head, first version: the sigmoid went in twice.
pub fn diagnosis_step_v1(head: &Linear, sgd: &mut SGD, features: &Tensor, benign: &Tensor) -> Result<f32> {
    let logit = head.forward(features)?.squeeze(1)?;
    let p_benign = ops::sigmoid(&logit)?;
    // losslint: labels = "../data/diagnosis_labels.txt"
    let loss = loss::binary_cross_entropy_with_logit(&p_benign, benign)?;
    sgd.backward_step(&loss)?;
    loss.to_scalar::<f32>()
}

/// The diagnosis head: raw logits into the with-logits BCE.
pub fn diagnosis_step(head: &Linear, sgd: &mut SGD, features: &Tensor, benign: &Tensor) -> Result<f32> {
    let logit = head.forward(features)?.squeeze(1)?;
    // losslint: labels = "../data/diagnosis_labels.txt"
    let loss = loss::binary_cross_entropy_with_logit(&logit, benign)?;
    sgd.backward_step(&loss)?;
    loss.to_scalar::<f32>()
}
