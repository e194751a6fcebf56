// SoftMargin is a binary loss; a multi-label head needs a multi-label loss.
use lossfit::{Logits, Mean, MultiHot, MultiLabel, SoftMargin};
use ndarray::array;

fn main() {
    let logits = Logits::<MultiLabel, f32>::new(array![[1.5, -0.5]]).unwrap();
    let labels = MultiHot::new(array![[1.0_f32, 0.0]]).unwrap();
    let _ = SoftMargin::new().reduction(Mean).compute(&logits, &labels);
}
