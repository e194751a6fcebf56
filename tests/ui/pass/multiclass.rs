// Every MultiClass pairing of the guide's table.
use lossfit::{
    BatchMean, ClassIndices, ClassProbabilities, ClassWeights, CrossEntropy, KlDiv, Logits, Mean,
    MultiClass, MultiMargin, Nll, PerSample, SoftmaxFocal, Sum,
};
use ndarray::array;

fn main() -> Result<(), lossfit::LossError> {
    let logits = Logits::<MultiClass, f32>::new(array![[2.0, 0.5, -1.0], [0.1, 1.7, 0.3]])?;
    let labels = ClassIndices::new(array![0, 1]);
    let soft = ClassProbabilities::new(array![[0.7_f32, 0.2, 0.1], [0.1, 0.8, 0.1]])?;
    let weights = ClassWeights::balanced(&[50, 30, 20])?;

    let ce = CrossEntropy::new().weight(weights.clone()).label_smoothing(0.1).reduction(Mean);
    let scalar: f32 = ce.compute(&logits, &labels)?.value;
    let _: f32 = CrossEntropy::new().reduction(Sum).compute(&logits, &soft)?.value;
    let per_sample = CrossEntropy::new().reduction(PerSample).compute(&logits, &labels)?;
    assert_eq!(per_sample.values.len(), 2);
    let _ = SoftmaxFocal::new().alpha(weights.clone()).gamma(2.0).reduction(Mean).compute(&logits, &labels)?;
    let _ = MultiMargin::new().p(2.0).reduction(Mean).compute(&logits, &labels)?;
    let log_p = logits.log_softmax();
    let _ = Nll::new().weight(weights).reduction(Mean).compute(&log_p, &labels)?;
    let _ = KlDiv::new().reduction(BatchMean).compute(&log_p, &soft)?;
    let _ = KlDiv::new().reduction(BatchMean).compute(&log_p, &logits.log_softmax())?;
    assert!(scalar > 0.0);
    Ok(())
}
