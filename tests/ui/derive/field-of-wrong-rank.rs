// Multi-class logits are [N, C], not [N].
use lossfit::ModelOutput;
use ndarray::Array1;

#[derive(ModelOutput)]
struct Classifier {
    #[head(task = MultiClass, loss = CrossEntropy, reduction = mean)]
    logits: Array1<f32>,
}

fn main() {}
