//! Shared by the digits examples: loading the UCI digits, the seeded imbalanced split, a
//! linear softmax model trained by gradient descent, and the evaluation table.

// Shared by two examples, each of which uses a part.
#![allow(dead_code)]

use std::error::Error;

use ndarray::{Array1, Array2, Axis};
use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

pub(crate) const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/digits.csv");
pub(crate) const CLASSES: usize = 10;
const SEED: u64 = 7;
/// The classes made rare in the training set, and the fraction of their images kept.
pub(crate) const RARE: [usize; 3] = [3, 5, 8];
pub(crate) const KEPT: f64 = 0.06;
pub(crate) const EPOCHS: usize = 400;
pub(crate) const LEARNING_RATE: f32 = 0.5;

/// The seeded splits every digits example uses.
pub(crate) struct Splits {
    pub(crate) x_train: Array2<f32>,
    pub(crate) y_train: Vec<usize>,
    pub(crate) x_test: Array2<f32>,
    pub(crate) y_test: Vec<usize>,
    /// The test images thinned like the training set.
    pub(crate) x_skewed: Array2<f32>,
    pub(crate) y_skewed: Vec<usize>,
    pub(crate) train_counts: [usize; CLASSES],
}

/// Loads the data and builds the imbalanced training split and the two test splits.
pub(crate) fn splits() -> Result<Splits, Box<dyn Error>> {
    let (features, labels) = load(DATA)?;
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let (train, test) = split(labels.len(), 0.6, &mut rng);
    let train: Vec<usize> = train
        .into_iter()
        .filter(|&i| !RARE.contains(&labels[i]) || unit(&mut rng) < KEPT)
        .collect();
    // what a test split drawn from the deployed (imbalanced) distribution looks like
    let skewed: Vec<usize> = test
        .iter()
        .copied()
        .filter(|&i| !RARE.contains(&labels[i]) || unit(&mut rng) < KEPT)
        .collect();
    let mut train_counts = [0; CLASSES];
    for &i in &train {
        train_counts[labels[i]] += 1;
    }
    let (x_train, y_train) = subset(&features, &labels, &train);
    let (x_test, y_test) = subset(&features, &labels, &test);
    let (x_skewed, y_skewed) = subset(&features, &labels, &skewed);
    Ok(Splits {
        x_train,
        y_train,
        x_test,
        y_test,
        x_skewed,
        y_skewed,
        train_counts,
    })
}

/// A linear softmax classifier: `logits = x W + b`.
pub(crate) struct Model {
    pub(crate) weights: Array2<f32>,
    pub(crate) bias: Array1<f32>,
}

impl Model {
    pub(crate) fn new(features: usize) -> Self {
        Model {
            weights: Array2::zeros((features, CLASSES)),
            bias: Array1::zeros(CLASSES),
        }
    }

    pub(crate) fn logits(&self, x: &Array2<f32>) -> Array2<f32> {
        x.dot(&self.weights) + &self.bias
    }

    /// One gradient-descent step given d loss / d logits.
    pub(crate) fn step(&mut self, x: &Array2<f32>, d_logits: &Array2<f32>) {
        self.weights
            .scaled_add(-LEARNING_RATE, &x.t().dot(d_logits));
        self.bias
            .scaled_add(-LEARNING_RATE, &d_logits.sum_axis(Axis(0)));
    }
}

/// Accuracy, macro recall and the worst class's recall.
pub(crate) struct Report {
    pub(crate) accuracy: f64,
    pub(crate) macro_recall: f64,
    pub(crate) worst_class: usize,
    pub(crate) worst_recall: f64,
}

pub(crate) fn evaluate(model: &Model, x: &Array2<f32>, y: &[usize]) -> Report {
    let logits = model.logits(x);
    let (mut hits, mut totals) = ([0_usize; CLASSES], [0_usize; CLASSES]);
    for (row, &label) in logits.rows().into_iter().zip(y) {
        let predicted = row
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map_or(0, |(class, _)| class);
        totals[label] += 1;
        hits[label] += usize::from(predicted == label);
    }
    let recalls: Vec<f64> = hits
        .iter()
        .zip(&totals)
        .map(|(&h, &t)| h as f64 / t.max(1) as f64)
        .collect();
    let (worst_class, worst_recall) = recalls
        .iter()
        .copied()
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap_or((0, 0.0));
    Report {
        accuracy: hits.iter().sum::<usize>() as f64 / y.len().max(1) as f64,
        macro_recall: recalls.iter().sum::<f64>() / CLASSES as f64,
        worst_class,
        worst_recall,
    }
}

pub(crate) fn print_header() {
    println!(
        "{:<34} {:>16} {:>9} {:>13} {:>22}",
        "loss", "acc. (skewed)", "accuracy", "macro recall", "worst class (recall)"
    );
}

pub(crate) fn print_row(name: &str, model: &Model, splits: &Splits) {
    let report = evaluate(model, &splits.x_test, &splits.y_test);
    let skewed = evaluate(model, &splits.x_skewed, &splits.y_skewed);
    println!(
        "{name:<34} {:>15.1}% {:>8.1}% {:>12.1}% {:>14} ({:>5.1}%)",
        100.0 * skewed.accuracy,
        100.0 * report.accuracy,
        100.0 * report.macro_recall,
        report.worst_class,
        100.0 * report.worst_recall
    );
}

/// Reads the 64 pixel counts (scaled to [0, 1]) and the class of every row.
fn load(path: &str) -> Result<(Array2<f32>, Vec<usize>), Box<dyn Error>> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let (mut pixels, mut labels) = (Vec::new(), Vec::new());
    for (line_no, line) in text.lines().enumerate() {
        let at = |e: &dyn std::fmt::Display| format!("{path}:{}: {e}", line_no + 1);
        let fields: Vec<&str> = line.split(',').collect();
        if fields.len() != 65 {
            return Err(at(&format!("expected 65 fields, found {}", fields.len())).into());
        }
        for field in &fields[..64] {
            pixels.push(field.trim().parse::<f32>().map_err(|e| at(&e))? / 16.0);
        }
        labels.push(fields[64].trim().parse::<usize>().map_err(|e| at(&e))?);
    }
    Ok((Array2::from_shape_vec((labels.len(), 64), pixels)?, labels))
}

/// A seeded shuffle of `0..n`, split at `fraction`.
fn split(n: usize, fraction: f64, rng: &mut ChaCha8Rng) -> (Vec<usize>, Vec<usize>) {
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        order.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
    }
    let test = order.split_off((n as f64 * fraction) as usize);
    (order, test)
}

/// A uniform number in [0, 1).
fn unit(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1_u64 << 53) as f64
}

fn subset(features: &Array2<f32>, labels: &[usize], rows: &[usize]) -> (Array2<f32>, Vec<usize>) {
    (
        features.select(Axis(0), rows),
        rows.iter().map(|&i| labels[i]).collect(),
    )
}
