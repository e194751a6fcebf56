// MultiMargin compares raw scores.
use lossfit::{ClassIndices, Logits, Mean, MultiClass, MultiMargin};
use ndarray::array;

fn main() {
    let logits = Logits::<MultiClass, f64>::new(array![[2.0, -1.0]]).unwrap();
    let _ = MultiMargin::new().reduction(Mean).compute(&logits.softmax(), &ClassIndices::new(array![0]));
}
