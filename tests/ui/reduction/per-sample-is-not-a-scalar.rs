// Unreduced losses are an array, not a number to step on.
use lossfit::{ClassIndices, CrossEntropy, Logits, MultiClass, PerSample};
use ndarray::array;

fn main() {
    let logits = Logits::<MultiClass, f32>::new(array![[2.0, -1.0]]).unwrap();
    let losses = CrossEntropy::new().reduction(PerSample).compute(&logits, &ClassIndices::new(array![0])).unwrap();
    let value: f32 = losses.value;
    let _ = value;
}
