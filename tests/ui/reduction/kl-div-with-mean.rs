// `Mean` on `KlDiv` divides by the number of elements: the KL divergence over the class count.
use lossfit::{ClassProbabilities, KlDiv, Logits, Mean, MultiClass};
use ndarray::array;

fn main() {
    let student = Logits::<MultiClass, f32>::new(array![[2.0, 0.5]]).unwrap().log_softmax();
    let teacher = ClassProbabilities::new(array![[0.8_f32, 0.2]]).unwrap();
    let _ = KlDiv::new().reduction(Mean).compute(&student, &teacher);
}
