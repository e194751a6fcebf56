// A mean squared error on class scores: regression loss, classification task.
use lossfit::{ClassIndices, Logits, Mean, Mse, MultiClass};
use ndarray::array;

fn main() {
    let logits = Logits::<MultiClass, f32>::new(array![[2.0, 0.5, -1.0]]).unwrap();
    let labels = ClassIndices::new(array![0]);
    let _ = Mse::new().reduction(Mean).compute(&logits, &labels);
}
