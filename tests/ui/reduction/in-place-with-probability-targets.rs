// Probability targets have no in-place form: `compute_into` takes a buffer of your own.
use lossfit::{ClassProbabilities, CrossEntropy, Logits, Mean, MultiClass};
use ndarray::array;

fn main() {
    let logits = Logits::<MultiClass, f32>::new(array![[2.0, -1.0]]).unwrap();
    let soft = ClassProbabilities::new(array![[0.9_f32, 0.1]]).unwrap();
    let _ = CrossEntropy::new().reduction(Mean).compute_in_place(logits, &soft);
}
