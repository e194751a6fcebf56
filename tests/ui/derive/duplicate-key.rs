// The same key twice.
use lossfit::ModelOutput;
use ndarray::Array2;

#[derive(ModelOutput)]
struct Classifier {
    #[head(task = MultiClass, loss = CrossEntropy, reduction = mean, reduction = sum)]
    logits: Array2<f32>,
}

fn main() {}
