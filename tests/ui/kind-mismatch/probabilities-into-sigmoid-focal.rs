// SigmoidFocal applies its own sigmoid.
use lossfit::{Binary, BinaryLabels, Logits, Mean, SigmoidFocal};
use ndarray::array;

fn main() {
    let logits = Logits::<Binary, f32>::new(array![2.0, -1.0]).unwrap();
    let labels = BinaryLabels::new(array![1.0_f32, 0.0]).unwrap();
    let _ = SigmoidFocal::new().reduction(Mean).compute(&logits.sigmoid(), &labels);
}
