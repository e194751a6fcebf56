// MultiLabelSoftMargin applies its own sigmoid.
use lossfit::{Logits, Mean, MultiHot, MultiLabel, MultiLabelSoftMargin};
use ndarray::array;

fn main() {
    let logits = Logits::<MultiLabel, f32>::new(array![[2.0, -1.0]]).unwrap();
    let labels = MultiHot::new(array![[1.0_f32, 0.0]]).unwrap();
    let _ = MultiLabelSoftMargin::new().reduction(Mean).compute(&logits.sigmoid(), &labels);
}
