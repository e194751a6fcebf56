// One mistake (no reduction) in a program that goes on to build the targets and call `loss`:
// the derive's error is the only one.
use lossfit::{ClassIndices, ModelOutput};
use ndarray::{Array2, array};

#[derive(ModelOutput)]
struct Classifier {
    #[head(task = MultiClass, loss = CrossEntropy)]
    logits: Array2<f32>,
}

fn main() -> Result<(), lossfit::LossError> {
    let output = Classifier { logits: Array2::zeros((1, 3)) };
    let targets = ClassifierTargets { logits: ClassIndices::new(array![2]) };
    let report = output.loss(&targets)?;
    println!("{}", report.total);
    Ok(())
}
