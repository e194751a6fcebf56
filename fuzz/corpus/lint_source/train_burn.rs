//! Training with burn: the linear classifier as a burn `Module`, with burn's loss configs, a
//! distillation loss and the binary diagnosis head.

use burn::backend::{Autodiff, NdArray};
use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig as CeConfig;
use burn::nn::loss::{BinaryCrossEntropyLossConfig, CrossEntropyLoss, KLDivLossConfig, MseLoss, Reduction};
use burn::nn::{Linear, LinearConfig};
use burn::optim::{AdamConfig, GradientsParams, Optimizer};
use burn::tensor::activation::{log_softmax, sigmoid, softmax};
use burn::tensor::backend::{AutodiffBackend, Backend};
use burn::tensor::{ElementConversion, Int, Tensor, TensorData};

use crate::data::{CLASSES, Digits, PIXELS};

type Train = Autodiff<NdArray<f32>>;

/// One linear layer: 64 pixels to 10 class scores.
#[derive(Module, Debug)]
pub struct DigitsNet<B: Backend> {
    linear: Linear<B>,
}

impl<B: Backend> DigitsNet<B> {
    pub fn new(outputs: usize, device: &B::Device) -> Self {
        Self { linear: LinearConfig::new(PIXELS, outputs).init(device) }
    }

    /// Raw class scores.
    pub fn forward(&self, images: Tensor<B, 2>) -> Tensor<B, 2> {
        self.linear.forward(images)
    }
}

/// The batches of the training split as burn tensors.
fn batches<B: Backend>(digits: &Digits, size: usize, device: &B::Device) -> Vec<(Tensor<B, 2>, Tensor<B, 1, Int>)> {
    digits
        .batches(size)
        .into_iter()
        .map(|(x, y)| {
            let rows = x.nrows();
            let images =
                Tensor::<B, 2>::from_data(TensorData::new(x.into_raw_vec_and_offset().0, [rows, PIXELS]), device);
            let labels = y.iter().map(|&c| c as i64).collect::<Vec<_>>();
            let targets = Tensor::<B, 1, Int>::from_data(TensorData::new(labels, [rows]), device);
            (images, targets)
        })
        .collect()
}

/// Inverse-frequency class weights as burn takes them.
fn class_weights(digits: &Digits) -> Vec<f32> {
    let counts = digits.train_counts();
    let total: u64 = counts.iter().sum();
    let raw: Vec<f32> = counts.iter().map(|&n| total as f32 / (CLASSES as f32 * n as f32)).collect();
    let mean = raw.iter().sum::<f32>() / CLASSES as f32;
    raw.iter().map(|w| w / mean).collect()
}

pub fn run(digits: &Digits, epochs: usize) -> anyhow::Result<()> {
    let device = Default::default();
    let mut model = DigitsNet::<Train>::new(CLASSES, &device);
    let train = batches::<Train>(digits, 64, &device);
    for epoch in 0..epochs {
        let (next, loss) = train_epoch(model, &train, class_weights(digits), &device);
        model = next;
        println!("epoch {epoch:>3}  loss {loss:.4}");
    }
    Ok(())
}

/// One epoch of class-weighted, smoothed cross-entropy. The config is built in steps.
pub fn train_epoch<B: AutodiffBackend>(
    mut model: DigitsNet<B>,
    batches: &[(Tensor<B, 2>, Tensor<B, 1, Int>)],
    weights: Vec<f32>,
    device: &B::Device,
) -> (DigitsNet<B>, f32) {
    let config = CeConfig::new().with_weights(Some(weights));
    let config = config.with_smoothing(Some(0.05));
    let criterion = config.init(device);
    let mut optim = AdamConfig::new().init();
    let mut epoch_loss = 0.0_f32;
    let mut seen = 0_usize;
    for (images, targets) in batches {
        let batch_size = targets.dims()[0];
        let logits = model.forward(images.clone());
        let loss = criterion.forward(logits, targets.clone());
        epoch_loss += loss.clone().into_scalar().elem::<f32>() * batch_size as f32;
        seen += batch_size;
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = optim.step(1e-3, model, grads);
    }
    (model, epoch_loss / seen as f32)
}

/// The baseline of the comparison table: plain cross-entropy.
pub fn baseline_loss<B: Backend>(logits: Tensor<B, 2>, targets: Tensor<B, 1, Int>, device: &B::Device) -> Tensor<B, 1> {
    let criterion = CeConfig::new().init(device);
    criterion.forward(logits, targets)
}

/// The criterion the command line asks for (`--weights` may be absent).
pub fn criterion_from_args<B: Backend>(weights: Option<Vec<f32>>, device: &B::Device) -> CrossEntropyLoss<B> {
    CeConfig::new().with_weights(weights).init(device)
}

/// Loss of temperature-scaled scores (used while fitting the temperature).
pub fn calibrated_loss<B: Backend>(
    model: &DigitsNet<B>,
    images: Tensor<B, 2>,
    targets: Tensor<B, 1, Int>,
    temperature: f32,
    weights: Vec<f32>,
    device: &B::Device,
) -> Tensor<B, 1> {
    let criterion = CeConfig::new().with_weights(Some(weights)).init(device);
    let scaled = model.forward(images) / temperature;
    let probs = softmax(scaled, 1);
    criterion.forward(probs, targets)
}

/// Loss of the calibrated probabilities themselves (they are also logged for the reliability
/// plot): burn's cross-entropy takes probabilities when `logits` is off.
pub fn probability_loss<B: Backend>(
    model: &DigitsNet<B>,
    images: Tensor<B, 2>,
    targets: Tensor<B, 1, Int>,
    weights: Vec<f32>,
    device: &B::Device,
) -> Tensor<B, 1> {
    let criterion = CeConfig::new().with_weights(Some(weights)).with_logits(false).init(device);
    let probs = softmax(model.forward(images), 1);
    criterion.forward(probs, targets)
}

/// The "digit as a number" baseline: one output regressed onto the class index.
pub fn value_baseline_loss<B: Backend>(value: Tensor<B, 2>, targets: Tensor<B, 1, Int>) -> Tensor<B, 1> {
    let target_value = targets.float().unsqueeze_dim(1);
    MseLoss::new().forward(value, target_value, Reduction::Auto)
}

/// Distillation, first version: mean over all elements.
pub fn distillation_loss_v1<B: Backend>(student_logits: Tensor<B, 2>, teacher_logits: Tensor<B, 2>) -> Tensor<B, 1> {
    let kl = KLDivLossConfig::new().init();
    let student = log_softmax(student_logits, 1);
    let teacher = softmax(teacher_logits, 1);
    kl.forward(student, teacher, Reduction::Mean)
}

/// Distillation with burn's default reduction (for `KLDivLoss`, `Auto` is the batch mean).
pub fn distillation_loss_auto<B: Backend>(student_logits: Tensor<B, 2>, teacher_logits: Tensor<B, 2>) -> Tensor<B, 1> {
    let kl = KLDivLossConfig::new().init();
    let student = log_softmax(student_logits, 1);
    let teacher = softmax(teacher_logits, 1);
    kl.forward(student, teacher, Reduction::Auto)
}

/// Distillation: the KL divergence per sample, averaged over the batch.
pub fn distillation_loss<B: Backend>(student_logits: Tensor<B, 2>, teacher_logits: Tensor<B, 2>) -> Tensor<B, 1> {
    let kl = KLDivLossConfig::new().init();
    let student = log_softmax(student_logits, 1);
    let teacher = softmax(teacher_logits, 1);
    kl.forward(student, teacher, Reduction::BatchMean)
}

/// The diagnosis head (breast cancer table), first version: probabilities into plain BCE.
pub fn diagnosis_loss_v1<B: Backend>(
    logit: Tensor<B, 1>,
    benign: Tensor<B, 1, Int>,
    device: &B::Device,
) -> Tensor<B, 1> {
    // losslint: labels = "../data/diagnosis_labels.txt"
    let bce = BinaryCrossEntropyLossConfig::new().init(device);
    bce.forward(sigmoid(logit), benign)
}

/// Second version: switched to logits mode but kept the sigmoid.
pub fn diagnosis_loss_v2<B: Backend>(
    logit: Tensor<B, 1>,
    benign: Tensor<B, 1, Int>,
    device: &B::Device,
) -> Tensor<B, 1> {
    // losslint: labels = "../data/diagnosis_labels.txt"
    let bce = BinaryCrossEntropyLossConfig::new().with_logits(true).init(device);
    let p_benign = sigmoid(logit);
    bce.forward(p_benign, benign)
}

/// The diagnosis head: raw logits into the with-logits BCE (212 / 357 labels need no weights).
pub fn diagnosis_loss<B: Backend>(logit: Tensor<B, 1>, benign: Tensor<B, 1, Int>, device: &B::Device) -> Tensor<B, 1> {
    // losslint: labels = "../data/diagnosis_labels.txt"
    let bce = BinaryCrossEntropyLossConfig::new().with_logits(true).init(device);
    bce.forward(logit, benign)
}
