// A softmax makes labels compete; multi-label labels are independent.
use lossfit::{Logits, MultiLabel, softmax};
use ndarray::array;

fn main() {
    let logits = Logits::<MultiLabel, f32>::new(array![[2.0, -1.0]]).unwrap();
    let _ = softmax(&logits);
}
