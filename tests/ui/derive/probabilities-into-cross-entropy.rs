// The head outputs softmax probabilities; CrossEntropy applies its own softmax.
use lossfit::ModelOutput;
use ndarray::Array2;

#[derive(ModelOutput)]
struct Classifier {
    #[head(task = MultiClass, loss = CrossEntropy, reduction = mean, input = probabilities)]
    probs: Array2<f32>,
}

fn main() {}
