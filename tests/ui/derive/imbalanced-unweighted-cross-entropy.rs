// Labels 50:45:5 and an unweighted cross-entropy.
use lossfit::ModelOutput;
use ndarray::Array2;

#[derive(ModelOutput)]
struct Classifier {
    #[head(task = MultiClass, loss = CrossEntropy, reduction = mean, labels = "imbalanced.csv")]
    logits: Array2<f32>,
}

fn main() {}
