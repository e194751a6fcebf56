// A pairwise embedding loss on binary classification logits.
use lossfit::{Binary, CosineEmbedding, Logits, Mean, SignLabels};
use ndarray::array;

fn main() {
    let logits = Logits::<Binary, f64>::new(array![0.2, -0.8]).unwrap();
    let labels = SignLabels::new(array![1.0, -1.0]).unwrap();
    let _ = CosineEmbedding::new().reduction(Mean).compute(&logits, &labels);
}
