// A sequence head needs one index per token.
use lossfit::{ClassIndices, CrossEntropy, Logits, Mean, Sequence};
use ndarray::Array3;
use ndarray::array;

fn main() {
    let logits = Logits::<Sequence, f32>::new(Array3::zeros((1, 3, 5))).unwrap();
    let _ = CrossEntropy::new().reduction(Mean).compute(&logits, &ClassIndices::new(array![4]));
}
