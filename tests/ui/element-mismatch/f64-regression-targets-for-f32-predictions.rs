// Regression targets in f64 for f32 predictions.
use lossfit::{Mean, Mse, Predictions, Targets};
use ndarray::array;

fn main() {
    let predictions = Predictions::new(array![1.0_f32, 2.0]);
    let targets = Targets::new(array![1.5_f64, 2.5]).unwrap();
    let _ = Mse::new().reduction(Mean).compute(&predictions, &targets);
}
