use lossfit::functional::{cross_entropy, CrossEntropyOptions};
fn step(x: &ndarray::Array2<f32>, y: &ndarray::Array1<i64>) -> f32 {
    // losslint: labels = "labels/digits_counts.json"
    let loss = cross_entropy(x, y, &CrossEntropyOptions::default()).unwrap();
    loss.value.sum()
}
