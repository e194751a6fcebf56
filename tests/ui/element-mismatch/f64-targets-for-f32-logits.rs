// Multi-hot labels in f64 for f32 logits: the error is under the targets.
use lossfit::{BceWithLogits, Logits, Mean, MultiHot, MultiLabel};
use ndarray::array;

fn main() {
    let logits = Logits::<MultiLabel, f32>::new(array![[2.0, -1.0]]).unwrap();
    let labels = MultiHot::new(array![[1.0_f64, 0.0]]).unwrap();
    let _ = BceWithLogits::new().reduction(Mean).compute(&logits, &labels);
}
