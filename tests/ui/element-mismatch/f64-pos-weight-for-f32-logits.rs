// pos_weight in f64 with f32 logits and f32 labels: one error, at the logits, naming both types.
use lossfit::{BceWithLogits, Logits, Mean, MultiHot, MultiLabel};
use ndarray::array;

fn main() {
    let logits = Logits::<MultiLabel, f32>::new(array![[2.0, -1.0]]).unwrap();
    let labels = MultiHot::new(array![[1.0_f32, 0.0]]).unwrap();
    let _ = BceWithLogits::new()
        .pos_weight(array![3.0_f64, 1.0])
        .reduction(Mean)
        .compute(&logits, &labels);
}
