// Every MultiLabel pairing of the guide's table.
use lossfit::{Bce, BceWithLogits, Logits, Mean, MultiHot, MultiLabel, MultiLabelSoftMargin, SigmoidFocal};
use ndarray::array;

fn main() -> Result<(), lossfit::LossError> {
    let logits = Logits::<MultiLabel, f64>::new(array![[2.0, -1.0, 0.5]])?;
    let labels = MultiHot::new(array![[1.0, 0.0, 1.0]])?;
    let _ = BceWithLogits::new().pos_weight(array![1.0, 4.0, 2.0]).reduction(Mean).compute(&logits, &labels)?;
    let _ = SigmoidFocal::new().reduction(Mean).compute(&logits, &labels)?;
    let _ = MultiLabelSoftMargin::new().reduction(Mean).compute(&logits, &labels)?;
    let _ = Bce::new().reduction(Mean).compute(&logits.sigmoid(), &labels)?;
    Ok(())
}
