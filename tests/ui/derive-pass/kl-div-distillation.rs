// A distillation head: `KlDiv` with `batchmean`, the KL divergence per sample.
use lossfit::{ClassProbabilities, ModelOutput};
use ndarray::{Array2, array};

#[derive(ModelOutput)]
struct Student {
    #[head(task = MultiClass, loss = KlDiv, reduction = batchmean, input = log_probabilities)]
    log_probs: Array2<f64>,
}

fn main() -> Result<(), lossfit::LossError> {
    let half = 0.5_f64.ln();
    let output = Student { log_probs: array![[half, half], [half, half]] };
    let targets = StudentTargets { log_probs: ClassProbabilities::new(array![[0.5, 0.5], [0.5, 0.5]])? };
    let report = output.loss(&targets)?;
    assert!(report.total.abs() < 1e-12);
    Ok(())
}
