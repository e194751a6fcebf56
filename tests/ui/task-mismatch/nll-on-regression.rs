// A likelihood of class indices on regression outputs.
use lossfit::{ClassIndices, Mean, Nll, Predictions};
use ndarray::array;

fn main() {
    let predictions = Predictions::new(array![[0.1_f64, 0.9]]);
    let _ = Nll::new().reduction(Mean).compute(&predictions, &ClassIndices::new(array![1]));
}
