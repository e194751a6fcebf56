// A counts file (what `GROUP BY label` gives) showing 505:15 classes, and no weights.
use lossfit::ModelOutput;
use ndarray::Array2;

#[derive(ModelOutput)]
struct Species {
    #[head(task = MultiClass, loss = MultiMargin, reduction = sum, labels = "species_counts.json")]
    logits: Array2<f64>,
}

fn main() {}
