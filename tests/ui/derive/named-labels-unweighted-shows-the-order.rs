// Names with a declared class order and no weights: the suggested weights name their classes.
use lossfit::ModelOutput;
use ndarray::Array2;

#[derive(ModelOutput)]
struct Classifier {
    #[head(task = MultiClass, loss = CrossEntropy, reduction = mean, labels = "pets_counts.json",
           classes = ["cat", "dog", "bird"])]
    logits: Array2<f32>,
}

fn main() {}
