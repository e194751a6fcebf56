// 3 positives in 60 with a loss that cannot weight them.
use lossfit::ModelOutput;
use ndarray::Array1;

#[derive(ModelOutput)]
struct Detector {
    #[head(task = Binary, loss = SoftMargin, reduction = mean, labels = "binary_imbalanced.txt")]
    logit: Array1<f32>,
}

fn main() {}
