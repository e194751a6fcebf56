// The method form of the wrong activation gets the same message as the function form.
use lossfit::{Logits, MultiClass};
use ndarray::array;

fn main() {
    let logits = Logits::<MultiClass, f32>::new(array![[2.0, -1.0]]).unwrap();
    let _ = logits.sigmoid();
}
