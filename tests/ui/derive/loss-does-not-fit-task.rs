// A regression loss declared on a multi-class head.
use lossfit::ModelOutput;
use ndarray::Array2;

#[derive(ModelOutput)]
struct Classifier {
    #[head(task = MultiClass, loss = Mse, reduction = mean)]
    logits: Array2<f32>,
}

fn main() {}
