// Multi-hot rows are several labels per sample: a multi-label task.
use lossfit::{CrossEntropy, Logits, Mean, MultiClass, MultiHot};
use ndarray::array;

fn main() {
    let logits = Logits::<MultiClass, f32>::new(array![[2.0, -1.0, 0.5]]).unwrap();
    let labels = MultiHot::new(array![[1.0_f32, 0.0, 1.0]]).unwrap();
    let _ = CrossEntropy::new().reduction(Mean).compute(&logits, &labels);
}
