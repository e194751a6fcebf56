// Class indices as regression targets: an MSE on labels.
use lossfit::{ClassIndices, Mean, Mse, Predictions};
use ndarray::array;

fn main() {
    let predictions = Predictions::new(array![0.4_f32, 2.2]);
    let _ = Mse::new().reduction(Mean).compute(&predictions, &ClassIndices::new(array![0, 2]));
}
