// Contrastive wants 0/1 pair labels.
use lossfit::{Contrastive, EmbeddingPairs, Mean, SignLabels};
use ndarray::array;

fn main() {
    let pairs = EmbeddingPairs::new(array![[0.0_f32, 1.0]], array![[1.0, 0.0]]).unwrap();
    let labels = SignLabels::new(array![-1.0_f32]).unwrap();
    let _ = Contrastive::new().reduction(Mean).compute(&pairs, &labels);
}
