// Labels that are names ("cat", "dog", "bird") and `weight = balanced`: which weight belongs to
// which of the model's outputs is not known until the head declares the class order.
use lossfit::ModelOutput;
use ndarray::Array2;

#[derive(ModelOutput)]
struct Classifier {
    #[head(task = MultiClass, loss = CrossEntropy, reduction = mean, labels = "pets_counts.json", weight = balanced)]
    logits: Array2<f32>,
}

fn main() {}
