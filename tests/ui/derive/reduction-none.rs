// Per-sample losses cannot be added into the total.
use lossfit::ModelOutput;
use ndarray::Array2;

#[derive(ModelOutput)]
struct Classifier {
    #[head(task = MultiClass, loss = CrossEntropy, reduction = none)]
    logits: Array2<f32>,
}

fn main() {}
