// BatchMean is the KL divergence's reduction only.
use lossfit::{BatchMean, CrossEntropy};

fn main() {
    let _ = CrossEntropy::<f32>::new().reduction(BatchMean);
}
