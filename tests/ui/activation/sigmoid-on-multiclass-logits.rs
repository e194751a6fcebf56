// Independent sigmoids do not give a distribution over exclusive classes.
use lossfit::{Logits, MultiClass, sigmoid};
use ndarray::array;

fn main() {
    let logits = Logits::<MultiClass, f32>::new(array![[2.0, -1.0]]).unwrap();
    let _ = sigmoid(&logits);
}
