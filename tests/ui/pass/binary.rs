// Every Binary pairing of the guide's table.
use lossfit::{Bce, BceWithLogits, Binary, BinaryLabels, Logits, Mean, SigmoidFocal, SignLabels, SoftMargin, Sum};
use ndarray::array;

fn main() -> Result<(), lossfit::LossError> {
    let logits = Logits::<Binary, f32>::new(array![2.0, -1.0, 0.5])?;
    let labels = BinaryLabels::new(array![1.0_f32, 0.0, 1.0])?;
    let _ = BceWithLogits::new().pos_weight(array![3.0_f32]).reduction(Sum).compute(&logits, &labels)?;
    let _ = SigmoidFocal::new().alpha(0.25).reduction(Mean).compute(&logits, &labels)?;
    let _ = SoftMargin::new().reduction(Mean).compute(&logits, &SignLabels::new(array![1.0_f32, -1.0, 1.0])?)?;
    let _ = Bce::new().reduction(Mean).compute(&logits.sigmoid(), &labels)?;
    Ok(())
}
