// A directory per class (torchvision's ImageFolder layout) as the label statistics: 12 cats,
// 2 dogs, 1 rabbit, unweighted.
use lossfit::ModelOutput;
use ndarray::Array2;

#[derive(ModelOutput)]
struct PetClassifier {
    #[head(task = MultiClass, loss = CrossEntropy, reduction = mean, labels = "pets")]
    logits: Array2<f32>,
}

fn main() {}
