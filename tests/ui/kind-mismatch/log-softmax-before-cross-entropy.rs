// log_softmax then CrossEntropy normalises twice; that pair is Nll's.
use lossfit::{ClassIndices, CrossEntropy, Logits, Mean, MultiClass};
use ndarray::array;

fn main() {
    let logits = Logits::<MultiClass, f32>::new(array![[2.0, 0.5, -1.0]]).unwrap();
    let _ = CrossEntropy::new().reduction(Mean).compute(&logits.log_softmax(), &ClassIndices::new(array![0]));
}
