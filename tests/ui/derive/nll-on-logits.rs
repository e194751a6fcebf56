// Nll wants log-probabilities; the head does not say it outputs them.
use lossfit::ModelOutput;
use ndarray::Array2;

#[derive(ModelOutput)]
struct Classifier {
    #[head(task = MultiClass, loss = Nll, reduction = mean)]
    logits: Array2<f32>,
}

fn main() {}
