// A distillation head with `reduction = mean`: the KL divergence divided by the class count.
use lossfit::ModelOutput;
use ndarray::Array2;

#[derive(ModelOutput)]
struct Student {
    #[head(task = MultiClass, loss = KlDiv, reduction = mean, input = log_probabilities)]
    log_probs: Array2<f32>,
}

fn main() {}
