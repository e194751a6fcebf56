// Balanced labels need no weights.
use lossfit::{ClassIndices, ModelOutput};
use ndarray::{Array2, array};

#[derive(ModelOutput)]
struct Classifier {
    #[head(task = MultiClass, loss = CrossEntropy, reduction = mean, labels = "balanced.csv", classes = 3)]
    logits: Array2<f32>,
}

fn main() -> Result<(), lossfit::LossError> {
    let output = Classifier { logits: Array2::zeros((2, 3)) };
    let report = output.loss(&ClassifierTargets { logits: ClassIndices::new(array![0, 2]) })?;
    assert!((report.total - 3.0_f32.ln()).abs() < 1e-6);
    Ok(())
}
