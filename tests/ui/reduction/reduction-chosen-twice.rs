// `.reduction(Mean)...reduction(Sum)`: the last call would silently win.
use lossfit::{ClassIndices, CrossEntropy, Logits, Mean, MultiClass, Sum};
use ndarray::array;

fn main() {
    let logits = Logits::<MultiClass, f32>::new(array![[2.0, -1.0]]).unwrap();
    let criterion = CrossEntropy::new().reduction(Mean).label_smoothing(0.1).reduction(Sum);
    let _ = criterion.compute(&logits, &ClassIndices::new(array![0]));
}
