// A second softmax on probabilities squashes them again.
use lossfit::{Logits, MultiClass};
use ndarray::array;

fn main() {
    let logits = Logits::<MultiClass, f32>::new(array![[2.0, -1.0]]).unwrap();
    let probabilities = logits.softmax();
    let _ = probabilities.softmax();
}
