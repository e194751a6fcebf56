// Cross-entropy on real-valued regression outputs.
use lossfit::{CrossEntropy, Mean, Predictions, Targets};
use ndarray::array;

fn main() {
    let predictions = Predictions::new(array![[0.3_f32, 1.2]]);
    let targets = Targets::new(array![[0.0_f32, 1.0]]).unwrap();
    let _ = CrossEntropy::new().reduction(Mean).compute(&predictions, &targets);
}
