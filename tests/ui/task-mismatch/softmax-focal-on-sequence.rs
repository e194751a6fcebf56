// SoftmaxFocal is defined for MultiClass heads; token-level heads use CrossEntropy.
use lossfit::{Logits, Mean, Sequence, SoftmaxFocal, TokenIndices};
use ndarray::Array3;
use ndarray::array;

fn main() {
    let logits = Logits::<Sequence, f32>::new(Array3::zeros((1, 2, 4))).unwrap();
    let tokens = TokenIndices::new(array![[1_i64, 3]]).unwrap();
    let _ = SoftmaxFocal::new().reduction(Mean).compute(&logits, &tokens);
}
