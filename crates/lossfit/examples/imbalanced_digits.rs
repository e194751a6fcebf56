//! Accuracy can look fine while the rare classes fail: a softmax classifier on the UCI digits,
//! made imbalanced, trained with three losses.
//!
//! Run with `cargo run --release -p lossfit --example imbalanced_digits`. The data
//! (`examples/data/digits.csv`, 1797 8x8 images, 10 classes, CC BY 4.0) is split into a
//! training and a balanced test set with a fixed seed; then only a fixed, seeded fraction of
//! the training images of three classes is kept. A linear softmax model is trained by plain
//! full-batch gradient descent on `ndarray`, once per loss:
//!
//! - unweighted cross-entropy,
//! - cross-entropy with inverse-frequency class weights (`ClassWeights::balanced`),
//! - softmax focal loss (gamma 2) with the same weights as alpha.
//!
//! The table shows accuracy, macro recall and the worst class's recall on the balanced test set.

use std::error::Error;

use lossfit::{ClassIndices, ClassWeights, CrossEntropy, Logits, Mean, MultiClass, SoftmaxFocal};
use ndarray::{Array1, Array2, Axis};
use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/digits.csv");
const CLASSES: usize = 10;
const SEED: u64 = 7;
/// The classes made rare in the training set, and the fraction of their images kept.
const RARE: [usize; 3] = [3, 5, 8];
const KEPT: f64 = 0.06;
const EPOCHS: usize = 400;
const LEARNING_RATE: f32 = 0.5;

fn main() -> Result<(), Box<dyn Error>> {
    let (features, labels) = load(DATA)?;
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let (train, test) = split(labels.len(), 0.6, &mut rng);
    let train: Vec<usize> = train
        .into_iter()
        .filter(|&i| !RARE.contains(&labels[i]) || unit(&mut rng) < KEPT)
        .collect();
    let counts = class_counts(&train, &labels);
    println!("training images per class: {counts:?} (classes {RARE:?} kept at {KEPT})");
    println!("test images: {} (every class)\n", test.len());

    // The same test images, thinned like the training set: what a test split drawn from the
    // deployed (imbalanced) distribution would look like.
    let skewed_test: Vec<usize> = test
        .iter()
        .copied()
        .filter(|&i| !RARE.contains(&labels[i]) || unit(&mut rng) < KEPT)
        .collect();
    let (x_train, y_train) = subset(&features, &labels, &train);
    let (x_test, y_test) = subset(&features, &labels, &test);
    let (x_skewed, y_skewed) = subset(&features, &labels, &skewed_test);
    let counts: Vec<u64> = counts.iter().map(|&c| c as u64).collect();
    let weights = ClassWeights::<f32>::balanced(&counts)?;

    println!(
        "{:<34} {:>16} {:>9} {:>13} {:>22}",
        "loss", "acc. (skewed)", "accuracy", "macro recall", "worst class (recall)"
    );
    let runs: [(&str, Objective); 3] = [
        (
            "cross-entropy, unweighted",
            Objective::CrossEntropy(CrossEntropy::new().reduction(Mean)),
        ),
        (
            "cross-entropy, balanced weights",
            Objective::CrossEntropy(CrossEntropy::new().weight(weights.clone()).reduction(Mean)),
        ),
        (
            "softmax focal (gamma 2, balanced)",
            Objective::Focal(
                SoftmaxFocal::new()
                    .alpha(weights)
                    .gamma(2.0)
                    .reduction(Mean),
            ),
        ),
    ];
    for (name, objective) in runs {
        let model = train_model(&x_train, &y_train, &objective)?;
        let report = evaluate(&model, &x_test, &y_test);
        let skewed = evaluate(&model, &x_skewed, &y_skewed);
        println!(
            "{name:<34} {:>15.1}% {:>8.1}% {:>12.1}% {:>14} ({:>5.1}%)",
            100.0 * skewed.accuracy,
            100.0 * report.accuracy,
            100.0 * report.macro_recall,
            report.worst_class,
            100.0 * report.worst_recall
        );
    }
    println!(
        "\nacc. (skewed): accuracy on test images thinned like the training set ({} images), \
         the number a team would see;\naccuracy, macro recall, worst class: on the balanced \
         test set. Accuracy on skewed data looks fine while a rare class is never recognised; \
         weighting (or focusing) the loss is what raises the worst class's recall.",
        skewed_test.len()
    );
    Ok(())
}

/// The losses compared; both come from the typed layer, which checks they fit a
/// `MultiClass` head with class-index targets.
enum Objective {
    CrossEntropy(CrossEntropy<f32, Mean>),
    Focal(SoftmaxFocal<f32, Mean>),
}

impl Objective {
    /// The gradient of the loss with respect to the logits.
    fn gradient(
        &self,
        logits: &Logits<MultiClass, f32>,
        labels: &ClassIndices,
    ) -> Result<Array2<f32>, lossfit::LossError> {
        let grad = match self {
            Objective::CrossEntropy(loss) => loss.compute(logits, labels)?.grad.input,
            Objective::Focal(loss) => loss.compute(logits, labels)?.grad.input,
        };
        grad.into_dimensionality()
            .map_err(|_| lossfit::LossError::Shape {
                loss: "imbalanced_digits",
                arg: "logits",
                found: Vec::new(),
                expected: "[N, C]".to_string(),
                fix: "the logits of a MultiClass head are 2-D".to_string(),
            })
    }
}

/// A linear softmax classifier: `logits = x W + b`.
struct Model {
    weights: Array2<f32>,
    bias: Array1<f32>,
}

fn train_model(
    x: &Array2<f32>,
    y: &[usize],
    objective: &Objective,
) -> Result<Model, Box<dyn Error>> {
    let mut model = Model {
        weights: Array2::zeros((x.ncols(), CLASSES)),
        bias: Array1::zeros(CLASSES),
    };
    let labels = ClassIndices::new(Array1::from(y.to_vec()));
    for _ in 0..EPOCHS {
        let logits = Logits::<MultiClass, f32>::new(x.dot(&model.weights) + &model.bias)?;
        let d_logits = objective.gradient(&logits, &labels)?;
        // backpropagate through the linear layer
        model
            .weights
            .scaled_add(-LEARNING_RATE, &x.t().dot(&d_logits));
        model
            .bias
            .scaled_add(-LEARNING_RATE, &d_logits.sum_axis(Axis(0)));
    }
    Ok(model)
}

struct Report {
    accuracy: f64,
    macro_recall: f64,
    worst_class: usize,
    worst_recall: f64,
}

fn evaluate(model: &Model, x: &Array2<f32>, y: &[usize]) -> Report {
    let logits = x.dot(&model.weights) + &model.bias;
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
        accuracy: hits.iter().sum::<usize>() as f64 / y.len() as f64,
        macro_recall: recalls.iter().sum::<f64>() / CLASSES as f64,
        worst_class,
        worst_recall,
    }
}

/// Reads the 64 pixel counts (scaled to [0, 1]) and the class of every row.
fn load(path: &str) -> Result<(Array2<f32>, Vec<usize>), Box<dyn Error>> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let (mut pixels, mut labels) = (Vec::new(), Vec::new());
    for (line_no, line) in text.lines().enumerate() {
        let fields: Vec<&str> = line.split(',').collect();
        if fields.len() != 65 {
            return Err(format!(
                "{path}:{}: expected 65 fields, found {}",
                line_no + 1,
                fields.len()
            )
            .into());
        }
        for field in &fields[..64] {
            pixels.push(
                field
                    .trim()
                    .parse::<f32>()
                    .map_err(|e| format!("{path}:{}: {e}", line_no + 1))?
                    / 16.0,
            );
        }
        labels.push(
            fields[64]
                .trim()
                .parse::<usize>()
                .map_err(|e| format!("{path}:{}: {e}", line_no + 1))?,
        );
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

fn class_counts(rows: &[usize], labels: &[usize]) -> [usize; CLASSES] {
    let mut counts = [0; CLASSES];
    for &i in rows {
        counts[labels[i]] += 1;
    }
    counts
}

fn subset(features: &Array2<f32>, labels: &[usize], rows: &[usize]) -> (Array2<f32>, Vec<usize>) {
    let x = features.select(Axis(0), rows);
    (x, rows.iter().map(|&i| labels[i]).collect())
}
