// A regression loss on pairs of embeddings.
use lossfit::{EmbeddingPairs, Mean, Mse, Targets};
use ndarray::array;

fn main() {
    let pairs = EmbeddingPairs::new(array![[0.0_f32, 1.0]], array![[1.0, 0.0]]).unwrap();
    let targets = Targets::new(array![1.0_f32]).unwrap();
    let _ = Mse::new().reduction(Mean).compute(&pairs, &targets);
}
