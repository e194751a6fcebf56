// The label file does not exist.
use lossfit::ModelOutput;
use ndarray::Array2;

#[derive(ModelOutput)]
struct Classifier {
    #[head(task = MultiClass, loss = CrossEntropy, reduction = mean, labels = "no/such/labels.csv")]
    logits: Array2<f32>,
}

fn main() {}
