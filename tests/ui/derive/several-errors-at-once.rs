// Every mistake of the struct is reported in one pass.
use lossfit::ModelOutput;
use ndarray::Array2;

#[derive(ModelOutput)]
struct Detector {
    #[head(task = MultiClass, loss = CrossEntropy)]
    logits: Array2<f32>,
    #[head(task = Regression, loss = Hubber, reduction = mean)]
    boxes: Array2<f32>,
}

fn main() {}
