// Class indices on a multi-label head: one label per sample is a multi-class task.
use lossfit::{BceWithLogits, ClassIndices, Logits, Mean, MultiLabel};
use ndarray::array;

fn main() {
    let logits = Logits::<MultiLabel, f32>::new(array![[2.0, -1.0, 0.5]]).unwrap();
    let _ = BceWithLogits::new().reduction(Mean).compute(&logits, &ClassIndices::new(array![2]));
}
