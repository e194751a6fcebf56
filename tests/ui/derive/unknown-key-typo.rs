// A misspelled option.
use lossfit::ModelOutput;
use ndarray::Array2;

#[derive(ModelOutput)]
struct Classifier {
    #[head(task = MultiClass, loss = CrossEntropy, reduction = mean, label_smothing = 0.1)]
    logits: Array2<f32>,
}

fn main() {}
