//! The prediction and target kinds shared by the class-index losses (`Nll`, `SoftmaxFocal`,
//! `MultiMargin`).

use ndarray::ArrayViewD;

use crate::Real;
use crate::typed::LossElement;
use crate::typed::{ClassIndices, LogProbabilities, Logits, LogitsView, SoftmaxTask};

/// Raw logits for a loss that normalises them itself (`SoftmaxFocal`, `MultiMargin`).
#[diagnostic::on_unimplemented(
    message = "`{L}` expects raw `Logits`, but got `{Self}`",
    label = "not raw logits",
    note = "pass the scores the model produced, not `softmax(logits)`: the loss works on raw scores"
)]
pub trait RawLogits<T, L> {
    /// The raw scores.
    fn logits(&self) -> ArrayViewD<'_, T>;
}

impl<K: SoftmaxTask, T, U: Real + LossElement<T>, L> RawLogits<T, L> for Logits<K, U> {
    fn logits(&self) -> ArrayViewD<'_, T> {
        U::view(self.view())
    }
}

impl<K: SoftmaxTask, T, U: Real + LossElement<T>, L> RawLogits<T, L> for LogitsView<'_, K, U> {
    fn logits(&self) -> ArrayViewD<'_, T> {
        U::view(self.view())
    }
}

/// Log-probabilities, for `Nll` and `KlDiv`.
#[diagnostic::on_unimplemented(
    message = "`{L}` expects `LogProbabilities`, but got `{Self}`",
    label = "not log-probabilities",
    note = "apply `log_softmax()` to the logits first, or use `CrossEntropy`, which takes the raw logits and applies log-softmax itself"
)]
pub trait LogProbabilityInput<T, L> {
    /// The log-probabilities.
    fn log_probabilities(&self) -> ArrayViewD<'_, T>;
}

impl<K: SoftmaxTask, T, U: Real + LossElement<T>, L> LogProbabilityInput<T, L>
    for LogProbabilities<K, U>
{
    fn log_probabilities(&self) -> ArrayViewD<'_, T> {
        U::view(self.view())
    }
}

/// Class-index targets.
#[diagnostic::on_unimplemented(
    message = "`{L}` expects `ClassIndices` [N], but got `{Self}`",
    label = "not class indices",
    note = "multi-hot rows mean several labels per sample: a `MultiLabel` head with `BceWithLogits`; token indices [N, T] go with a `Sequence` head and `CrossEntropy`; class probabilities go with `CrossEntropy` or `KlDiv`"
)]
pub trait ClassTarget<L> {
    /// The class indices and the index that marks ignored samples (if any).
    fn indices(&self) -> (ArrayViewD<'_, i64>, Option<i64>);
}

impl<L> ClassTarget<L> for ClassIndices {
    fn indices(&self) -> (ArrayViewD<'_, i64>, Option<i64>) {
        (self.view(), self.ignore_index())
    }
}
