// An unchosen reduction compiles (it is PyTorch's mean) and stays observable.
use lossfit::{ClassIndices, CrossEntropy, Logits, Mean, MultiClass, Reduction};
use ndarray::array;

fn main() -> Result<(), lossfit::LossError> {
    let implicit = CrossEntropy::<f32>::new();
    assert!(!implicit.is_reduction_explicit());
    assert_eq!(implicit.reduction_in_force(), Reduction::Mean);
    let explicit = CrossEntropy::<f32>::new().reduction(Mean);
    assert!(explicit.is_reduction_explicit());
    let logits = Logits::<MultiClass, f32>::new(array![[2.0, -1.0]])?;
    let labels = ClassIndices::new(array![0]);
    assert_eq!(implicit.compute(&logits, &labels)?.value, explicit.compute(&logits, &labels)?.value);
    Ok(())
}
