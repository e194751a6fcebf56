// No reduction: PyTorch would silently take the mean.
use lossfit::ModelOutput;
use ndarray::Array2;

#[derive(ModelOutput)]
struct Classifier {
    #[head(task = MultiClass, loss = CrossEntropy)]
    logits: Array2<f32>,
}

fn main() {}
