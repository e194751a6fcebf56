// Nll needs log-probabilities: raw logits give a meaningless (even negative) loss.
use lossfit::{ClassIndices, Logits, Mean, MultiClass, Nll};
use ndarray::array;

fn main() {
    let logits = Logits::<MultiClass, f32>::new(array![[2.0, 0.5, -1.0]]).unwrap();
    let _ = Nll::new().reduction(Mean).compute(&logits, &ClassIndices::new(array![0]));
}
