// A ragged row in the label file.
use lossfit::ModelOutput;
use ndarray::Array2;

#[derive(ModelOutput)]
struct Classifier {
    #[head(task = MultiClass, loss = CrossEntropy, reduction = mean, labels = "malformed.csv")]
    logits: Array2<f32>,
}

fn main() {}
