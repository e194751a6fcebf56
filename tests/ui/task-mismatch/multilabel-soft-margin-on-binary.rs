// MultiLabelSoftMargin averages over labels; a binary head has one score per sample.
use lossfit::{Binary, BinaryLabels, Logits, Mean, MultiLabelSoftMargin};
use ndarray::array;

fn main() {
    let logits = Logits::<Binary, f32>::new(array![1.5, -0.5]).unwrap();
    let labels = BinaryLabels::new(array![1.0_f32, 0.0]).unwrap();
    let _ = MultiLabelSoftMargin::new().reduction(Mean).compute(&logits, &labels);
}
