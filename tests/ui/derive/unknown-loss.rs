// PyTorch's class name instead of lossfit's.
use lossfit::ModelOutput;
use ndarray::Array2;

#[derive(ModelOutput)]
struct Classifier {
    #[head(task = MultiClass, loss = CrossEntropyLoss, reduction = mean)]
    logits: Array2<f32>,
}

fn main() {}
