//! The model: a linear layer over the 64 pixel counts, and the outputs it is trained through.

use lossfit::ModelOutput;
use ndarray::{Array1, Array2, Axis};

use crate::data::{CLASSES, PIXELS};

/// `logits = x w + b`, trained by plain gradient descent.
#[derive(Clone, Debug)]
pub struct Linear {
    pub w: Array2<f32>,
    pub b: Array1<f32>,
}

impl Linear {
    /// A zero-initialised layer with `outputs` columns (a softmax over zero logits is uniform).
    pub fn new(outputs: usize) -> Self {
        Linear { w: Array2::zeros((PIXELS, outputs)), b: Array1::zeros(outputs) }
    }

    /// The digit classifier: one logit per class.
    pub fn digits() -> Self {
        Self::new(CLASSES)
    }

    /// Raw scores, one row per image.
    pub fn logits(&self, x: &Array2<f32>) -> Array2<f32> {
        x.dot(&self.w) + &self.b
    }

    /// One gradient step from `d loss / d logits`.
    pub fn step(&mut self, x: &Array2<f32>, d_logits: &Array2<f32>, learning_rate: f32) {
        let d_w = x.t().dot(d_logits);
        let d_b = d_logits.sum_axis(Axis(0));
        self.w.scaled_add(-learning_rate, &d_w);
        self.b.scaled_add(-learning_rate, &d_b);
    }

    /// The most likely class of each row.
    pub fn predict(&self, x: &Array2<f32>) -> Array1<usize> {
        self.logits(x)
            .rows()
            .into_iter()
            .map(|row| {
                row.iter()
                    .enumerate()
                    .fold((0, f32::NEG_INFINITY), |best, (i, &v)| if v > best.1 { (i, v) } else { best })
                    .0
            })
            .collect()
    }
}

/// What the digits model returns during training: the class scores and an auxiliary estimate
/// of how much ink each image has (it regularises the first layer; its target is the mean pixel
/// count).
#[derive(ModelOutput)]
pub struct DigitsOutput {
    #[head(task = MultiClass, loss = CrossEntropy, reduction = mean, weight = balanced,
           labels = "data/train_labels.csv", classes = 10, label_smoothing = 0.05)]
    pub digit_logits: Array2<f32>,
    #[head(task = Regression, loss = Huber, delta = 1.0, reduction = mean, scale = 0.1)]
    pub ink: Array2<f32>,
}

/// The first baseline, kept for the comparison table: the digit predicted as a number.
#[derive(ModelOutput)]
pub struct BaselineOutput {
    #[head(task = MultiClass, loss = Mse, reduction = mean)]
    pub digit_value: Array2<f32>,
}

/// The diagnosis model (same trainer, breast cancer table): one logit per patient.
#[derive(ModelOutput)]
pub struct DiagnosisOutput {
    #[head(task = Binary, loss = BceWithLogits, labels = "data/diagnosis_labels.txt")]
    pub benign_logit: Array1<f32>,
}
