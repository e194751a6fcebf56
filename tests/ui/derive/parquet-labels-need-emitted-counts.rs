// The derive reads label files at compile time without the Parquet reader (a proc macro should
// not carry it): a Parquet path is an error that says how to summarise it once.
use lossfit::ModelOutput;
use ndarray::Array2;

#[derive(ModelOutput)]
struct Sentiment {
    #[head(task = MultiClass, loss = CrossEntropy, reduction = mean, labels = "reviews.parquet")]
    logits: Array2<f32>,
}

fn main() {}
