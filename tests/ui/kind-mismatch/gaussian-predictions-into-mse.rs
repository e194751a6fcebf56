// A mean-and-variance head belongs to GaussianNll.
use lossfit::{GaussianPredictions, Mean, Mse, Targets};
use ndarray::array;

fn main() {
    let head = GaussianPredictions::new(array![0.5_f32], array![0.1_f32]).unwrap();
    let _ = Mse::new().reduction(Mean).compute(&head, &Targets::new(array![1.0_f32]).unwrap());
}
