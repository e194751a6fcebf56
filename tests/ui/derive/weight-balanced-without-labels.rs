// Balanced weights need label statistics to be computed from.
use lossfit::ModelOutput;
use ndarray::Array2;

#[derive(ModelOutput)]
struct Classifier {
    #[head(task = MultiClass, loss = CrossEntropy, reduction = mean, weight = balanced)]
    logits: Array2<f32>,
}

fn main() {}
