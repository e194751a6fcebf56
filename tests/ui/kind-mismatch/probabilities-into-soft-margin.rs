// SoftMargin works on raw scores.
use lossfit::{Binary, Logits, Mean, SignLabels, SoftMargin};
use ndarray::array;

fn main() {
    let logits = Logits::<Binary, f32>::new(array![2.0, -1.0]).unwrap();
    let labels = SignLabels::new(array![1.0_f32, -1.0]).unwrap();
    let _ = SoftMargin::new().reduction(Mean).compute(&logits.sigmoid(), &labels);
}
