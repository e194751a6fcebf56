// SoftmaxFocal applies its own softmax.
use lossfit::{ClassIndices, Logits, Mean, MultiClass, SoftmaxFocal};
use ndarray::array;

fn main() {
    let logits = Logits::<MultiClass, f32>::new(array![[2.0, -1.0]]).unwrap();
    let _ = SoftmaxFocal::new().reduction(Mean).compute(&logits.softmax(), &ClassIndices::new(array![0]));
}
