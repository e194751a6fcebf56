// Two weights for three classes.
use lossfit::ModelOutput;
use ndarray::Array2;

#[derive(ModelOutput)]
struct Classifier {
    #[head(task = MultiClass, loss = CrossEntropy, reduction = mean, labels = "imbalanced.csv", weight = [1.0, 2.0])]
    logits: Array2<f32>,
}

fn main() {}
