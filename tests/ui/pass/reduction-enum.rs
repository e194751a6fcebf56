// PyTorch's spelling of the reduction works too: Mean and Sum give a scalar loss, and
// Reduction::None is refused at run time (use PerSample for per-sample losses).
use lossfit::{ClassIndices, CrossEntropy, Logits, MultiClass, Reduction};
use ndarray::array;

fn main() -> Result<(), lossfit::LossError> {
    let logits = Logits::<MultiClass, f32>::new(array![[2.0, -1.0], [0.0, 0.5]])?;
    let labels = ClassIndices::new(array![0, 1]);
    let sum: f32 = CrossEntropy::new().reduction(Reduction::Sum).compute(&logits, &labels)?.value;
    let mean: f32 = CrossEntropy::new().reduction(Reduction::Mean).compute(&logits, &labels)?.value;
    assert!((sum - 2.0 * mean).abs() < 1e-6);
    assert!(CrossEntropy::new().reduction(Reduction::None).compute(&logits, &labels).is_err());
    Ok(())
}
