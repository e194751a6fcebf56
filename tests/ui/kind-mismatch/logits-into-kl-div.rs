// KlDiv compares log-probabilities with a target distribution.
use lossfit::{BatchMean, ClassProbabilities, KlDiv, Logits, MultiClass};
use ndarray::array;

fn main() {
    let student = Logits::<MultiClass, f32>::new(array![[2.0, 0.5]]).unwrap();
    let teacher = ClassProbabilities::new(array![[0.8_f32, 0.2]]).unwrap();
    let _ = KlDiv::new().reduction(BatchMean).compute(&student, &teacher);
}
