// The head declares 2 classes; the file has class 2.
use lossfit::ModelOutput;
use ndarray::Array2;

#[derive(ModelOutput)]
struct Classifier {
    #[head(task = MultiClass, loss = CrossEntropy, reduction = mean, labels = "balanced.csv", classes = 2)]
    logits: Array2<f32>,
}

fn main() {}
