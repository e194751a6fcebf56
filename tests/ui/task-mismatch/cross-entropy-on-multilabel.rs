// Softmax cross-entropy on a multi-label head: the labels are independent, not exclusive.
use lossfit::{CrossEntropy, Logits, Mean, MultiHot, MultiLabel};
use ndarray::array;

fn main() {
    let logits = Logits::<MultiLabel, f32>::new(array![[2.0, -1.0, 0.5]]).unwrap();
    let labels = MultiHot::new(array![[1.0_f32, 0.0, 1.0]]).unwrap();
    let _ = CrossEntropy::new().reduction(Mean).compute(&logits, &labels);
}
