// The classic double softmax: CrossEntropy applies its own.
use lossfit::{ClassIndices, CrossEntropy, Logits, Mean, MultiClass};
use ndarray::array;

fn main() {
    let logits = Logits::<MultiClass, f32>::new(array![[2.0, 0.5, -1.0]]).unwrap();
    let probabilities = logits.softmax();
    let _ = CrossEntropy::new().reduction(Mean).compute(&probabilities, &ClassIndices::new(array![0]));
}
