// "A reduction nobody chose": the typed layer does not compute without one.
use lossfit::{ClassIndices, CrossEntropy, Logits, MultiClass};
use ndarray::array;

fn main() {
    let logits = Logits::<MultiClass, f32>::new(array![[2.0, -1.0]]).unwrap();
    let _ = CrossEntropy::new().compute(&logits, &ClassIndices::new(array![0]));
}
