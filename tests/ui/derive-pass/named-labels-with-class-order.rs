// Names with a declared class order: `weight = balanced` follows it, so the majority class
// `cat` (output 0) gets the smallest weight and `bird` (output 2) the largest.
use lossfit::{ClassIndices, ModelOutput};
use ndarray::{Array2, array};

#[derive(ModelOutput)]
struct Classifier {
    #[head(task = MultiClass, loss = CrossEntropy, reduction = mean, labels = "pets_counts.json",
           classes = ["cat", "dog", "bird"], weight = balanced)]
    logits: Array2<f32>,
}

fn main() -> Result<(), lossfit::LossError> {
    // Equal logits: each sample's loss is ln 3 times its class weight.
    let output = Classifier { logits: Array2::zeros((3, 3)) };
    let targets = ClassifierTargets { logits: ClassIndices::new(array![0, 1, 2]) };
    let report = output.loss(&targets)?;
    assert!(Classifier::HEADS[0].weighted);
    assert!(report.total.is_finite());
    Ok(())
}
