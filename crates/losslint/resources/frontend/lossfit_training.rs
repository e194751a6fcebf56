//! lossfit's three layers: typed builders (one assembled over several statements), the
//! functional layer with options, and derive heads bound to label files.

use lossfit::functional::{self, CrossEntropyOptions};
use lossfit::{
    BceWithLogits, ClassIndices, ClassWeights, CrossEntropy, Logits, ModelOutput, MultiClass,
    MultiLabel, MultiHot, Reduction, Sum,
};
use ndarray::{Array1, Array2};

pub fn typed(scores: Array2<f32>, labels: &ClassIndices, weights: ClassWeights<f32>) -> lossfit::Result<f32> {
    let logits = Logits::<MultiClass, f32>::new(scores)?;
    let criterion = CrossEntropy::new();
    let criterion = criterion.weight(weights);
    Ok(criterion.compute(&logits, labels)?.value)
}

pub fn tags(scores: Array2<f32>, targets: &MultiHot<f32>) -> lossfit::Result<f32> {
    let logits = Logits::<MultiLabel, f32>::new(scores)?;
    Ok(BceWithLogits::new().reduction(Sum).compute(&logits.sigmoid(), targets)?.value)
}

pub fn functional_step(logits: &Array2<f32>, labels: &Array1<i64>) -> lossfit::Result<()> {
    let smoothed = functional::cross_entropy(
        logits,
        labels,
        &CrossEntropyOptions { label_smoothing: 0.1, ..Default::default() },
    )?;
    let summed = functional::cross_entropy(
        logits,
        labels,
        &CrossEntropyOptions { reduction: Reduction::Sum, ..Default::default() },
    )?;
    let defaults = functional::nll_loss(logits, labels, &Default::default())?;
    Ok(())
}

#[derive(ModelOutput)]
pub struct Heads {
    #[head(task = MultiClass, loss = CrossEntropy, labels = "resources/fixtures/labels/digits_counts.json")]
    pub digits: Array2<f32>,
    #[head(task = MultiLabel, loss = BceWithLogits, reduction = mean, pos_weight = balanced,
           labels = "resources/fixtures/labels/tags_positives.json")]
    pub tags: Array2<f32>,
}
