// Imbalanced labels with balanced weights, pasted weights, a focal loss, or a stated reason.
use lossfit::{ClassIndices, ModelOutput};
use ndarray::{Array2, array};

#[derive(ModelOutput)]
struct Classifier {
    #[head(task = MultiClass, loss = CrossEntropy, reduction = mean, labels = "imbalanced.csv", weight = balanced)]
    balanced: Array2<f32>,
    #[head(task = MultiClass, loss = CrossEntropy, reduction = mean, labels = "imbalanced.csv", weight = [0.2, 0.3, 2.5])]
    pasted: Array2<f32>,
    #[head(task = MultiClass, loss = SoftmaxFocal, reduction = mean, labels = "imbalanced.csv", gamma = 2.0)]
    focal: Array2<f32>,
    #[head(task = MultiClass, loss = CrossEntropy, reduction = sum, labels = "imbalanced.csv",
           allow_imbalance = "the data loader oversamples class 2")]
    allowed: Array2<f32>,
}

fn main() -> Result<(), lossfit::LossError> {
    let zeros = || Array2::zeros((1, 3));
    let output = Classifier { balanced: zeros(), pasted: zeros(), focal: zeros(), allowed: zeros() };
    let labels = || ClassIndices::new(array![2]);
    let targets = ClassifierTargets { balanced: labels(), pasted: labels(), focal: labels(), allowed: labels() };
    let report = output.loss(&targets)?;
    assert_eq!(report.heads.len(), 4);
    assert!(Classifier::HEADS.iter().take(3).all(|h| h.weighted));
    Ok(())
}
