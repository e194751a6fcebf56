// A multi-label head with pos_weight from its labels, and a token head.
use lossfit::{ModelOutput, MultiHot, TokenIndices};
use ndarray::{Array2, Array3, array};

#[derive(ModelOutput)]
struct Outputs {
    #[head(task = MultiLabel, loss = BceWithLogits, reduction = mean, labels = "multilabel.csv", pos_weight = balanced)]
    tags: Array2<f64>,
    #[head(task = Sequence, loss = CrossEntropy, reduction = mean, label_smoothing = 0.1)]
    tokens: Array3<f64>,
}

fn main() -> Result<(), lossfit::LossError> {
    let output = Outputs { tags: Array2::zeros((1, 3)), tokens: Array3::zeros((1, 2, 5)) };
    let targets = OutputsTargets {
        tags: MultiHot::new(array![[1.0, 0.0, 1.0]])?,
        tokens: TokenIndices::new(array![[4_i64, -100]])?,
    };
    let report = output.loss(&targets)?;
    assert_eq!(report.grad.tokens.shape(), &[1, 2, 5]);
    Ok(())
}
