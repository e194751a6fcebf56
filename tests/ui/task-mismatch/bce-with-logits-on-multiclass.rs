// Independent sigmoids on a head whose classes are mutually exclusive.
use lossfit::{BceWithLogits, ClassIndices, Logits, Mean, MultiClass};
use ndarray::array;

fn main() {
    let logits = Logits::<MultiClass, f64>::new(array![[2.0, -1.0, 0.5]]).unwrap();
    let labels = ClassIndices::new(array![0]);
    let _ = BceWithLogits::new().reduction(Mean).compute(&logits, &labels);
}
