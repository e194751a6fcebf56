// Regression outputs are not class scores.
use lossfit::{Logits, Regression};
use ndarray::array;

fn main() {
    let _ = Logits::<Regression, f32>::new(array![0.5, 1.5]);
}
