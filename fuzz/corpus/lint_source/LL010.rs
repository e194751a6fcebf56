//! Fixture for LL010 mean-loss-accumulation. Every line marked `// expect: LL010` adds a
//! per-batch loss to an epoch total that is then divided by the wrong count (the division is the
//! finding's secondary span); no other line may be flagged by LL010. Findings of other rules on
//! this file are not part of the expectation.
//! Labels: none needed.

use burn::nn::loss::CrossEntropyLoss;
use burn::tensor::backend::Backend;
use burn::tensor::{ElementConversion, Int, Tensor};
use lossfit::{ClassIndices, CrossEntropy, Logits, Mean, MultiClass, Sum};
use ndarray::Array2;

// ---------------------------------------------------------------- tch

/// The epoch loss as first logged: batch means over the number of images.
pub fn epoch_v1(batches: &[(tch::Tensor, tch::Tensor)], forward: impl Fn(&tch::Tensor) -> tch::Tensor) -> f64 {
    let mut sum_loss = 0.0;
    let mut n_samples = 0;
    for (images, y) in batches {
        let logits = forward(images);
        let loss = logits.cross_entropy_loss::<tch::Tensor>(y, None, tch::Reduction::Mean, -100, 0.0);
        sum_loss += f64::try_from(&loss).unwrap_or(f64::NAN); // expect: LL010
        n_samples += images.size()[0];
    }
    sum_loss / n_samples as f64
}

/// Batch means over the number of batches: nothing to report.
pub fn epoch(batches: &[(tch::Tensor, tch::Tensor)], forward: impl Fn(&tch::Tensor) -> tch::Tensor) -> f64 {
    let mut sum_loss = 0.0;
    let mut n_batches = 0;
    for (images, y) in batches {
        let loss = forward(images).cross_entropy_loss::<tch::Tensor>(y, None, tch::Reduction::Mean, -100, 0.0);
        sum_loss += f64::try_from(&loss).unwrap_or(f64::NAN);
        n_batches += 1;
    }
    sum_loss / n_batches as f64
}

// ---------------------------------------------------------------- burn

/// Batch means weighted by the batch size, over the number of images: nothing to report.
pub fn burn_epoch<B: Backend>(criterion: &CrossEntropyLoss<B>, batches: &[(Tensor<B, 2>, Tensor<B, 1, Int>)]) -> f32 {
    let mut epoch_loss = 0.0_f32;
    let mut seen = 0_usize;
    for (logits, targets) in batches {
        let batch_size = targets.dims()[0];
        let loss = criterion.forward(logits.clone(), targets.clone());
        epoch_loss += loss.into_scalar().elem::<f32>() * batch_size as f32;
        seen += batch_size;
    }
    epoch_loss / seen as f32
}

// ---------------------------------------------------------------- lossfit

/// Mean losses over the number of samples.
pub fn lossfit_epoch_v1(batches: &[(Array2<f32>, ClassIndices)]) -> lossfit::Result<f32> {
    let criterion = CrossEntropy::new().reduction(Mean);
    let mut total = 0.0_f32;
    let mut samples = 0_usize;
    for (scores, labels) in batches {
        let logits = Logits::<MultiClass, f32>::new(scores.clone())?;
        let loss = criterion.compute(&logits, labels)?;
        total += loss.value; // expect: LL010
        samples += scores.nrows();
    }
    Ok(total / samples as f32)
}

/// Summed losses over the number of batches.
pub fn lossfit_epoch_v2(batches: &[(Array2<f32>, ClassIndices)]) -> lossfit::Result<f32> {
    let criterion = CrossEntropy::new().reduction(Sum);
    let mut total = 0.0_f32;
    for (scores, labels) in batches {
        let logits = Logits::<MultiClass, f32>::new(scores.clone())?;
        total += criterion.compute(&logits, labels)?.value; // expect: LL010
    }
    Ok(total / batches.len() as f32)
}

/// Summed losses over the number of samples: nothing to report.
pub fn lossfit_epoch(batches: &[(Array2<f32>, ClassIndices)]) -> lossfit::Result<f32> {
    let criterion = CrossEntropy::new().reduction(Sum);
    let mut total = 0.0_f32;
    let mut samples = 0_usize;
    for (scores, labels) in batches {
        let logits = Logits::<MultiClass, f32>::new(scores.clone())?;
        total += criterion.compute(&logits, labels)?.value;
        samples += scores.nrows();
    }
    Ok(total / samples as f32)
}
