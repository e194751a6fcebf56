// Per-token targets on a per-sample head.
use lossfit::{CrossEntropy, Logits, Mean, MultiClass, TokenIndices};
use ndarray::array;

fn main() {
    let logits = Logits::<MultiClass, f32>::new(array![[2.0, -1.0, 0.5]]).unwrap();
    let tokens = TokenIndices::new(array![[0_i64, 2, 1]]).unwrap();
    let _ = CrossEntropy::new().reduction(Mean).compute(&logits, &tokens);
}
