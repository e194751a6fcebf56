//! The prediction and target kinds shared by several losses: sigmoid inputs, probabilities,
//! ±1 labels, pairs of embeddings and scores.

use ndarray::ArrayViewD;

use crate::Real;
use crate::typed::{
    Distances, EmbeddingPairs, PairLabels, Probabilities, ScorePairs, SigmoidTask, SignLabels,
};
use crate::typed::{LossElement, TargetElement};

/// Probabilities from a sigmoid, for `Bce`.
#[diagnostic::on_unimplemented(
    message = "`{L}` expects `Probabilities`, but got `{Self}`",
    label = "not probabilities",
    note = "raw logits go to `BceWithLogits`, which applies the sigmoid itself and stays finite for large logits; `sigmoid` followed by `Bce` loses precision"
)]
pub trait ProbabilityInput<T, L> {
    /// The probabilities.
    fn probabilities(&self) -> ArrayViewD<'_, T>;
}

impl<K: SigmoidTask, T, U: Real + LossElement<T>, L> ProbabilityInput<T, L>
    for Probabilities<K, U>
{
    fn probabilities(&self) -> ArrayViewD<'_, T> {
        U::view(self.view())
    }
}

/// ±1 labels, for `SoftMargin`, `CosineEmbedding`, `MarginRanking`, `HingeEmbedding`.
#[diagnostic::on_unimplemented(
    message = "`{L}` expects ±1 `SignLabels`, but got `{Self}`",
    label = "not ±1 labels",
    note = "build them with `SignLabels::new(labels)`: 1 for similar / positive / first-ranks-higher, -1 for the opposite (0/1 labels map to 2y - 1)"
)]
pub trait SignTarget<T, L> {
    /// The labels.
    fn signs(&self) -> ArrayViewD<'_, T>;
}

impl<E, U: Real + TargetElement<E>, L> SignTarget<E, L> for SignLabels<U> {
    fn signs(&self) -> ArrayViewD<'_, E> {
        U::view(self.view())
    }
}

/// 0/1 pair labels, for `Contrastive`.
#[diagnostic::on_unimplemented(
    message = "`{L}` expects 0/1 `PairLabels` (1: similar), but got `{Self}`",
    label = "not pair labels",
    note = "build them with `PairLabels::new(labels)`; ±1 labels go with `CosineEmbedding`"
)]
pub trait PairTarget<T, L> {
    /// The labels.
    fn labels(&self) -> ArrayViewD<'_, T>;
}

impl<E, U: Real + TargetElement<E>, L> PairTarget<E, L> for PairLabels<U> {
    fn labels(&self) -> ArrayViewD<'_, E> {
        U::view(self.view())
    }
}

/// Two embeddings per sample, for `Contrastive`, `CosineEmbedding`, `InfoNce`.
#[diagnostic::on_unimplemented(
    message = "`{L}` expects `EmbeddingPairs`, but got `{Self}`",
    label = "not pairs of embeddings",
    note = "wrap both views with `EmbeddingPairs::new(first, second)`; classification logits need a classification loss"
)]
pub trait PairInput<T, L> {
    /// The first and second embeddings.
    fn pairs(&self) -> (ArrayViewD<'_, T>, ArrayViewD<'_, T>);
}

impl<T, U: Real + LossElement<T>, L> PairInput<T, L> for EmbeddingPairs<U> {
    fn pairs(&self) -> (ArrayViewD<'_, T>, ArrayViewD<'_, T>) {
        (U::view(self.first()), U::view(self.second()))
    }
}

/// Two scores per sample, for `MarginRanking`.
#[diagnostic::on_unimplemented(
    message = "`{L}` expects `ScorePairs`, but got `{Self}`",
    label = "not pairs of scores",
    note = "wrap both scores with `ScorePairs::new(first, second)`"
)]
pub trait ScorePairInput<T, L> {
    /// The first and second scores.
    fn scores(&self) -> (ArrayViewD<'_, T>, ArrayViewD<'_, T>);
}

impl<T, U: Real + LossElement<T>, L> ScorePairInput<T, L> for ScorePairs<U> {
    fn scores(&self) -> (ArrayViewD<'_, T>, ArrayViewD<'_, T>) {
        (U::view(self.first()), U::view(self.second()))
    }
}

/// One distance per pair, for `HingeEmbedding`.
#[diagnostic::on_unimplemented(
    message = "`{L}` expects `Distances`, but got `{Self}`",
    label = "not distances",
    note = "wrap the pairwise distances with `Distances::new(distance)`"
)]
pub trait DistanceInput<T, L> {
    /// The distances.
    fn distances(&self) -> ArrayViewD<'_, T>;
}

impl<T, U: Real + LossElement<T>, L> DistanceInput<T, L> for Distances<U> {
    fn distances(&self) -> ArrayViewD<'_, T> {
        U::view(self.distance())
    }
}
