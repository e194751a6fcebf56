// An unchosen reduction is observable (tools report it), and computing needs a chosen one:
// `.reduction(Mean)` is PyTorch's default written down.
use lossfit::{ClassIndices, CrossEntropy, Logits, Mean, MultiClass, Reduction};
use ndarray::array;

fn main() -> Result<(), lossfit::LossError> {
    let implicit = CrossEntropy::<f32>::new();
    assert!(!implicit.is_reduction_explicit());
    assert_eq!(implicit.reduction_in_force(), Reduction::Mean);
    let explicit = implicit.reduction(Mean);
    assert!(explicit.is_reduction_explicit());
    let logits = Logits::<MultiClass, f32>::new(array![[2.0, -1.0]])?;
    let labels = ClassIndices::new(array![0]);
    let pytorch_style = CrossEntropy::<f32>::new().reduction(Reduction::Mean);
    assert_eq!(
        explicit.compute(&logits, &labels)?.value,
        pytorch_style.compute(&logits, &labels)?.value
    );
    Ok(())
}
