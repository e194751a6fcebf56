// Every Regression pairing of the guide's table.
use lossfit::{GaussianNll, GaussianPredictions, Huber, L1, Mean, Mse, PerSample, PoissonNll, Predictions, SmoothL1, Targets};
use ndarray::array;

fn main() -> Result<(), lossfit::LossError> {
    let predictions = Predictions::new(array![[0.5_f32, 2.0], [1.0, -1.0]]);
    let targets = Targets::new(array![[0.0_f32, 2.5], [1.0, 0.0]])?;
    let _: f32 = Mse::new().reduction(Mean).compute(&predictions, &targets)?.value;
    let _ = L1::new().reduction(PerSample).compute(&predictions, &targets)?.values;
    let _ = SmoothL1::new().beta(0.5).reduction(Mean).compute(&predictions, &targets)?;
    let _ = Huber::new().delta(2.0).reduction(Mean).compute(&predictions, &targets)?;
    let counts = Targets::new(array![[0.0_f32, 3.0], [1.0, 2.0]])?;
    let _ = PoissonNll::new().full(true).reduction(Mean).compute(&predictions, &counts)?;
    let head = GaussianPredictions::new(array![[0.5_f32, 2.0], [1.0, -1.0]], array![[0.1_f32, 0.2], [0.3, 0.4]])?;
    let _ = GaussianNll::new().reduction(Mean).compute(&head, &targets)?;
    Ok(())
}
