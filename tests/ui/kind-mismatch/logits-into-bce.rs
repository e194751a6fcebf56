// Bce needs probabilities; on raw logits the with-logits form is the right (and stable) loss.
use lossfit::{Bce, Binary, BinaryLabels, Logits, Mean};
use ndarray::array;

fn main() {
    let logits = Logits::<Binary, f64>::new(array![3.0, -2.0]).unwrap();
    let labels = BinaryLabels::new(array![1.0, 0.0]).unwrap();
    let _ = Bce::new().reduction(Mean).compute(&logits, &labels);
}
