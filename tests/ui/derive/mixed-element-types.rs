// The total adds the heads: one element type for all.
use lossfit::ModelOutput;
use ndarray::Array2;

#[derive(ModelOutput)]
struct Detector {
    #[head(task = MultiClass, loss = CrossEntropy, reduction = mean)]
    logits: Array2<f32>,
    #[head(task = Regression, loss = Huber, reduction = mean)]
    boxes: Array2<f64>,
}

fn main() {}
