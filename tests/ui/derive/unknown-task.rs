// A task name with the wrong case.
use lossfit::ModelOutput;
use ndarray::Array2;

#[derive(ModelOutput)]
struct Classifier {
    #[head(task = Multiclass, loss = CrossEntropy, reduction = mean)]
    logits: Array2<f32>,
}

fn main() {}
