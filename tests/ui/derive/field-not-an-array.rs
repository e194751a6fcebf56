// A head must be an ndarray array.
use lossfit::ModelOutput;

#[derive(ModelOutput)]
struct Regressor {
    #[head(task = Regression, loss = Mse, reduction = mean)]
    values: Vec<f32>,
}

fn main() {}
