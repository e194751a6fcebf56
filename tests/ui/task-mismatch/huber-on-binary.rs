// A regression loss on binary classification logits.
use lossfit::{Binary, BinaryLabels, Huber, Logits, Mean};
use ndarray::array;

fn main() {
    let logits = Logits::<Binary, f32>::new(array![1.5, -0.5]).unwrap();
    let labels = BinaryLabels::new(array![1.0_f32, 0.0]).unwrap();
    let _ = Huber::new().reduction(Mean).compute(&logits, &labels);
}
