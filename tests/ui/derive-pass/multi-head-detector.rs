// Classification, box regression and objectness heads, scaled in the total.
use lossfit::{BinaryLabels, ClassIndices, ModelOutput, Targets};
use ndarray::{Array1, Array2, array};

#[derive(ModelOutput)]
pub struct Detector {
    #[head(task = MultiClass, loss = CrossEntropy, reduction = mean, label_smoothing = 0.1)]
    pub class_logits: Array2<f32>,
    #[head(task = Regression, loss = Huber, delta = 1.0, reduction = mean, scale = 5.0)]
    pub boxes: Array2<f32>,
    #[head(task = Binary, loss = BceWithLogits, reduction = mean, pos_weight = [3.0])]
    pub objectness: Array1<f32>,
}

fn main() -> Result<(), lossfit::LossError> {
    let output = Detector {
        class_logits: Array2::zeros((2, 4)),
        boxes: Array2::zeros((2, 4)),
        objectness: Array1::zeros(2),
    };
    let targets = DetectorTargets {
        class_logits: ClassIndices::new(array![1, 3]),
        boxes: Targets::new(Array2::from_elem((2, 4), 0.5))?,
        objectness: BinaryLabels::new(array![1.0, 0.0])?,
    };
    let report = output.loss(&targets)?;
    let by_hand: f32 = report.heads.iter().map(|h| h.value * h.scale).sum();
    assert!((report.total - by_hand).abs() < 1e-5);
    assert_eq!(report.grad.boxes.shape(), &[2, 4]);
    assert_eq!(report.grad.objectness.len(), 2);
    Ok(())
}
