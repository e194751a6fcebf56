// SoftMargin wants ±1 labels; 0/1 labels silently give a wrong loss there.
use lossfit::{Binary, BinaryLabels, Logits, Mean, SoftMargin};
use ndarray::array;

fn main() {
    let logits = Logits::<Binary, f32>::new(array![2.0, -1.0]).unwrap();
    let labels = BinaryLabels::new(array![1.0_f32, 0.0]).unwrap();
    let _ = SoftMargin::new().reduction(Mean).compute(&logits, &labels);
}
