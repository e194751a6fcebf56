// Class ids as the element type of logits.
use lossfit::{Logits, MultiClass};
use ndarray::array;

fn main() {
    let _ = Logits::<MultiClass, i64>::new(array![[2, 0, 1]]);
}
