// `delta` belongs to Huber.
use lossfit::ModelOutput;
use ndarray::Array2;

#[derive(ModelOutput)]
struct Classifier {
    #[head(task = MultiClass, loss = CrossEntropy, reduction = mean, delta = 1.0)]
    logits: Array2<f32>,
}

fn main() {}
