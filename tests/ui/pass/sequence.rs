// Token-level cross-entropy with padding and label smoothing.
use lossfit::{CrossEntropy, Logits, Mean, Sequence, TokenIndices};
use ndarray::{Array3, array};

fn main() -> Result<(), lossfit::LossError> {
    let logits = Logits::<Sequence, f32>::new(Array3::zeros((2, 3, 7)))?;
    let tokens = TokenIndices::new(array![[1_i64, 6, 0], [2, 0, 0]])?.with_ignore_index(0);
    let loss = CrossEntropy::new().label_smoothing(0.1).reduction(Mean).compute(&logits, &tokens)?;
    assert_eq!(loss.grad.input.shape(), &[2, 3, 7]);
    Ok(())
}
