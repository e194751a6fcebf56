// Class weights built from f64 counts, logits in f32: the loss computes in one type.
use lossfit::{ClassIndices, ClassWeights, CrossEntropy, Logits, Mean, MultiClass};
use ndarray::array;

fn main() {
    let logits = Logits::<MultiClass, f32>::new(array![[2.0, -1.0, 0.5]]).unwrap();
    let weights = ClassWeights::new(array![1.0_f64, 4.0, 2.0]).unwrap();
    let _ = CrossEntropy::new()
        .weight(weights)
        .reduction(Mean)
        .compute(&logits, &ClassIndices::new(array![2]));
}
