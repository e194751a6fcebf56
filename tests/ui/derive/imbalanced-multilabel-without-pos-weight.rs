// One label is positive in 1 row out of 40; no pos_weight.
use lossfit::ModelOutput;
use ndarray::Array2;

#[derive(ModelOutput)]
struct Tagger {
    #[head(task = MultiLabel, loss = BceWithLogits, reduction = mean, labels = "multilabel.csv")]
    logits: Array2<f32>,
}

fn main() {}
