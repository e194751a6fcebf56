//! Evaluation: per-class recall on the held-out rows and the validation loss per epoch.

use anyhow::Result;
use lossfit::{ClassIndices, ClassWeights, CrossEntropy, Logits, Mean, MultiClass, Sum};
use ndarray::{Array1, Array2};

use crate::data::{CLASSES, Digits};
use crate::model::Linear;

/// Recall of each class, and how many held-out images it had.
#[derive(Debug)]
pub struct Report {
    pub recall: [f32; CLASSES],
    pub support: [usize; CLASSES],
}

/// How many images of each class the model labels correctly.
pub fn recall_per_class(model: &Linear, x: &Array2<f32>, y: &Array1<usize>) -> Report {
    let predicted = model.predict(x);
    let mut hits = [0usize; CLASSES];
    let mut support = [0usize; CLASSES];
    for (&truth, &guess) in y.iter().zip(predicted.iter()) {
        support[truth] += 1;
        if truth == guess {
            hits[truth] += 1;
        }
    }
    let mut recall = [0.0; CLASSES];
    for c in 0..CLASSES {
        recall[c] = if support[c] == 0 { f32::NAN } else { hits[c] as f32 / support[c] as f32 };
    }
    Report { recall, support }
}

/// Prints one line per class and the macro average.
pub fn print_report(report: &Report) {
    for c in 0..CLASSES {
        println!("class {c}: recall {:5.1}% ({} images)", 100.0 * report.recall[c], report.support[c]);
    }
    let macro_recall = report.recall.iter().sum::<f32>() / CLASSES as f32;
    println!("macro recall {:5.1}%", 100.0 * macro_recall);
}

/// Validation loss per image, as first written: the batch *means* are added up and divided by
/// the number of images, which makes the epoch loss about `batch_size` times too small.
pub fn validation_loss_v1(
    model: &Linear,
    batches: &[(Array2<f32>, Array1<usize>)],
    weights: &ClassWeights<f32>,
) -> Result<f32> {
    let criterion = CrossEntropy::new().weight(weights.clone()).reduction(Mean);
    let mut total = 0.0_f32;
    let mut images = 0_usize;
    for (x, y) in batches {
        let logits = Logits::<MultiClass, f32>::new(model.logits(x))?;
        let loss = criterion.compute(&logits, &ClassIndices::new(y.clone()))?;
        total += loss.value;
        images += y.len();
    }
    Ok(total / images as f32)
}

/// Validation loss per image: each batch mean is weighted by its batch size, so a short last
/// batch counts for what it holds.
pub fn validation_loss(
    model: &Linear,
    batches: &[(Array2<f32>, Array1<usize>)],
    weights: &ClassWeights<f32>,
) -> Result<f32> {
    let criterion = CrossEntropy::new().weight(weights.clone()).reduction(Mean);
    let mut total = 0.0_f32;
    let mut images = 0_usize;
    for (x, y) in batches {
        let logits = Logits::<MultiClass, f32>::new(model.logits(x))?;
        let loss = criterion.compute(&logits, &ClassIndices::new(y.clone()))?;
        total += loss.value * y.len() as f32;
        images += y.len();
    }
    Ok(total / images as f32)
}

/// Summed validation loss per batch, as first written: the batch *sums* are averaged over the
/// number of batches, so the result scales with the batch size.
pub fn summed_validation_loss_v1(model: &Linear, digits: &Digits, batch_size: usize) -> Result<f32> {
    let weights = ClassWeights::balanced(&digits.train_counts())?;
    let criterion = CrossEntropy::new().weight(weights).reduction(Sum);
    let mut running = 0.0_f32;
    let mut n_batches = 0_usize;
    for (x, y) in digits.batches(batch_size) {
        let logits = Logits::<MultiClass, f32>::new(model.logits(&x))?;
        let loss = criterion.compute(&logits, &ClassIndices::new(y))?;
        running += loss.value;
        n_batches += 1;
    }
    Ok(running / n_batches as f32)
}

/// Summed validation loss divided by the number of images: the per-image loss.
pub fn summed_validation_loss(model: &Linear, digits: &Digits, batch_size: usize) -> Result<f32> {
    let weights = ClassWeights::balanced(&digits.train_counts())?;
    let criterion = CrossEntropy::new().weight(weights).reduction(Sum);
    let mut running = 0.0_f32;
    let mut n_samples = 0_usize;
    for (x, y) in digits.batches(batch_size) {
        let logits = Logits::<MultiClass, f32>::new(model.logits(&x))?;
        let loss = criterion.compute(&logits, &ClassIndices::new(y.clone()))?;
        running += loss.value;
        n_samples += y.len();
    }
    Ok(running / n_samples as f32)
}

/// The mean of the batch means: what the training log prints (batches are all full here).
pub fn mean_of_batch_means(model: &Linear, digits: &Digits, batch_size: usize) -> Result<f32> {
    let weights = ClassWeights::balanced(&digits.train_counts())?;
    let criterion = CrossEntropy::new().weight(weights).reduction(Mean);
    let batches = digits.batches(batch_size);
    let mut sum_of_means = 0.0_f32;
    for (x, y) in &batches {
        let logits = Logits::<MultiClass, f32>::new(model.logits(x))?;
        sum_of_means += criterion.compute(&logits, &ClassIndices::new(y.clone()))?.value;
    }
    Ok(sum_of_means / batches.len() as f32)
}
