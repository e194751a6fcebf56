// Labels 50:45:5 and class weights that are all equal: the imbalance is left as it is.
use lossfit::ModelOutput;
use ndarray::Array2;

#[derive(ModelOutput)]
struct Classifier {
    #[head(task = MultiClass, loss = CrossEntropy, reduction = mean, labels = "imbalanced.csv", weight = [1.0, 1.0, 1.0])]
    logits: Array2<f32>,
}

fn main() {}
