//! The tch trainer refactored the way real code grows: a model type with `forward` and
//! `predict`, a step output struct, a decoder returning a tuple, a sequential head, helper
//! functions for the losses and for the epoch loss. Each mistake below crosses a function, a
//! struct field or a tuple; losslint follows the value to the loss (see EXPECTED.md).
// The weighting of these losses is `train_tch.rs`'s subject; this file is about value flow.
// losslint: allow-file(LL002)

use tch::nn::{self, Module};
use tch::{Kind, Reduction, Tensor};

use crate::data::{CLASSES, PIXELS};

/// The classifier: `forward` for the loss, `predict` for reports.
pub struct Classifier {
    hidden: nn::Linear,
    out: nn::Linear,
}

/// What one training step keeps: the probabilities for the report and for the loss.
pub struct StepOutput {
    pub probs: Tensor,
    pub logits: Tensor,
}

impl Classifier {
    pub fn new(vs: &nn::Path) -> Self {
        Classifier {
            hidden: nn::linear(vs / "hidden", PIXELS as i64, 64, Default::default()),
            out: nn::linear(vs / "out", 64, CLASSES as i64, Default::default()),
        }
    }

    /// The logits: what the loss needs.
    pub fn forward(&self, images: &Tensor) -> Tensor {
        images.apply(&self.hidden).relu().apply(&self.out)
    }

    /// Class probabilities, for reports only.
    pub fn predict(&self, images: &Tensor) -> Tensor {
        self.forward(images).softmax(-1, Kind::Float)
    }

    /// One step's outputs, probabilities included.
    pub fn step(&self, images: &Tensor) -> StepOutput {
        let logits = self.forward(images);
        StepOutput { probs: logits.softmax(-1, Kind::Float), logits }
    }

    /// The decoder of the two-stage variant: log-probabilities and the hidden state.
    pub fn decode(&self, images: &Tensor) -> (Tensor, Tensor) {
        let state = images.apply(&self.hidden).relu();
        (state.apply(&self.out).log_softmax(-1, Kind::Float), state)
    }
}

/// The diagnosis head as a sequential model whose last layer is a sigmoid.
pub fn diagnosis_head(vs: &nn::Path) -> impl Module {
    nn::seq()
        .add(nn::linear(vs / "diag", PIXELS as i64, 1, Default::default()))
        .add_fn(|xs| xs.sigmoid())
}

/// A report helper: the probabilities of a batch.
fn class_probs(logits: &Tensor) -> Tensor {
    logits.softmax(-1, Kind::Float)
}

/// The reconstruction term, written once for every caller.
fn reconstruction_loss(recon: &Tensor, target: &Tensor) -> Tensor {
    // losslint: labels = "../data/diagnosis_labels.txt"
    recon.binary_cross_entropy::<Tensor>(target, None, Reduction::Sum)
}

/// The mean loss of one batch, as a number.
fn batch_loss(model: &Classifier, images: &Tensor, y: &Tensor) -> f64 {
    let loss = model.forward(images).cross_entropy_loss::<Tensor>(y, None, Reduction::Mean, -100, 0.0);
    f64::try_from(&loss).unwrap_or(f64::NAN)
}

/// The mistakes, one per line that losslint reports.
pub fn train_step(vs: &nn::Path, model: &Classifier, images: &Tensor, y: &Tensor, benign: &Tensor) -> Tensor {
    let head = diagnosis_head(vs);
    // `predict` returns probabilities: softmax twice.
    let wrong = model.predict(images).cross_entropy_loss::<Tensor>(y, None, Reduction::Mean, -100, 0.0);
    // The probabilities stored in the step output, flattened on the way.
    let out = model.step(images);
    let stored = out.probs.view([-1, CLASSES as i64]).cross_entropy_loss::<Tensor>(y, None, Reduction::Mean, -100, 0.0);
    // The decoder's first element is already log-probabilities.
    let (log_probs, _state) = model.decode(images);
    let decoded = log_probs.cross_entropy_loss::<Tensor>(y, None, Reduction::Mean, -100, 0.0);
    // A report helper's output fed to NLL: it wants log-probabilities.
    let nll = class_probs(&model.forward(images)).g_nll_loss::<Tensor>(y, None, Reduction::Mean, -100);
    // The sequential head ends in a sigmoid; the with-logits loss applies another one.
    let diag = images.apply(&head).squeeze_dim(1);
    // losslint: labels = "../data/diagnosis_labels.txt"
    let bce = diag.binary_cross_entropy_with_logits::<Tensor>(benign, None, None, Reduction::Mean);
    // The helper's caller passes sigmoid output: BCE on probabilities.
    let recon = reconstruction_loss(&head.forward(images), benign);
    // Correct: the logits from `forward` and from the step output.
    let right = model.forward(images).cross_entropy_loss::<Tensor>(y, None, Reduction::Mean, -100, 0.0);
    let also_right = out.logits.cross_entropy_loss::<Tensor>(y, None, Reduction::Mean, -100, 0.0);
    wrong + stored + decoded + nll + bce + recon + right + also_right
}

/// The epoch loss from a helper that returns a batch mean, over the number of images.
pub fn epoch_loss(model: &Classifier, batches: &[(Tensor, Tensor)], train_images: &Tensor) -> f64 {
    let mut total = 0.0;
    for (images, y) in batches {
        total += batch_loss(model, images, y);
    }
    total / train_images.size()[0] as f64
}
