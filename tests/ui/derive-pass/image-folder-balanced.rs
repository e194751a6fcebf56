// A directory per class: the classes in torchvision's order (cat, dog, rabbit), balanced weights
// computed at compile time from the file counts.
use lossfit::{ClassIndices, ModelOutput};
use ndarray::{Array2, array};

#[derive(ModelOutput)]
struct PetClassifier {
    #[head(task = MultiClass, loss = CrossEntropy, reduction = mean, labels = "pets", weight = balanced)]
    logits: Array2<f32>,
}

fn main() -> Result<(), lossfit::LossError> {
    let output = PetClassifier { logits: Array2::zeros((1, 3)) };
    let targets = PetClassifierTargets { logits: ClassIndices::new(array![2]) };
    let report = output.loss(&targets)?;
    assert!(PetClassifier::HEADS[0].weighted);
    assert!(report.total > 0.0);
    Ok(())
}
