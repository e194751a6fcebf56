// Label smoothing is a probability mass.
use lossfit::ModelOutput;
use ndarray::Array2;

#[derive(ModelOutput)]
struct Classifier {
    #[head(task = MultiClass, loss = CrossEntropy, reduction = mean, label_smoothing = 1.5)]
    logits: Array2<f32>,
}

fn main() {}
