//! Task markers, and the traits that say which losses fit each task.
//!
//! A loss fits a task when it implements that task's trait (`MultiClassLoss`, ...) for the
//! prediction and target kinds it takes. Each trait carries a compiler message naming the task
//! and the losses that do fit it, so `Mse` on `MultiClass` logits fails to compile with
//! "`Mse` is not a loss for `MultiClass` outputs" and a list of what to use instead.

use std::fmt::Debug;

use super::families::TargetFamily;
use crate::{Loss, Real, Result};

mod sealed {
    pub trait Sealed {}
}

/// What a model head predicts; decides which losses fit (sealed).
///
/// ```
/// use lossfit::{MultiClass, Task};
/// assert_eq!(MultiClass::NAME, "MultiClass");
/// ```
pub trait Task: sealed::Sealed + Copy + Default + Debug + Send + Sync + 'static {
    /// The marker's name, as messages print it.
    const NAME: &'static str;
}

macro_rules! task {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub struct $name;
        impl sealed::Sealed for $name {}
        impl Task for $name {
            const NAME: &'static str = stringify!($name);
        }
    };
}

task! {
    /// Exactly one class per sample out of `C`: logits `[N, C]`, class indices `[N]`.
    MultiClass
}
task! {
    /// Any number of labels per sample out of `L`: logits `[N, L]`, multi-hot targets `[N, L]`.
    MultiLabel
}
task! {
    /// One yes/no label per sample: logits `[N]`, labels `[N]` in `[0, 1]`.
    Binary
}
task! {
    /// Real-valued targets of the prediction's shape.
    Regression
}
task! {
    /// Embeddings or scores compared in pairs or triplets.
    Ranking
}
task! {
    /// One class per token: logits `[N, T, C]`, token indices `[N, T]` with padding ignored.
    Sequence
}

/// A typed loss: its element type and the gradients it returns, whatever the task.
pub trait TypedLoss {
    /// The element type (`f32` or `f64`).
    type Elem: Real;
    /// The gradients `compute` returns, one field per differentiable input.
    type Grad;
}

/// Implemented by a task marker for every loss `L` that fits it with prediction `P`; this is
/// the bound a typed loss's `compute` checks for the prediction (the target is checked apart,
/// through [`TargetOf`](super::TargetOf), so each error points at the argument to change).
///
/// You never implement it: it forwards to the task's own trait ([`MultiClassLoss`], ...).
pub trait Accepts<L: TypedLoss, P> {
    /// The family of targets the loss reads on this task.
    type Family: TargetFamily;

    /// Evaluates the loss, unreduced or reduced as `L` says.
    ///
    /// # Errors
    /// Whatever the loss returns for data it cannot take (shapes, indices, parameters).
    fn evaluate(
        loss: &L,
        prediction: &P,
        target: <Self::Family as TargetFamily>::Data<'_>,
    ) -> Result<Loss<L::Elem, L::Grad>>;
}

macro_rules! task_trait {
    ($task:ident, $trait:ident, $message:literal, $label:literal, $note:literal) => {
        #[doc = concat!("A loss that fits `", stringify!($task), "` outputs given as `P`.")]
        ///
        /// Implemented by the typed losses for exactly the prediction kinds of the table in the
        /// crate's guide, each naming the family of targets it reads; anything else does not
        /// compile.
        #[diagnostic::on_unimplemented(message = $message, label = $label, note = $note)]
        pub trait $trait<P>: TypedLoss {
            /// The family of targets the loss reads.
            type Family: TargetFamily;

            /// Evaluates the loss.
            ///
            /// # Errors
            /// Whatever the loss returns for data it cannot take.
            fn evaluate(
                &self,
                prediction: &P,
                target: <Self::Family as TargetFamily>::Data<'_>,
            ) -> Result<Loss<Self::Elem, Self::Grad>>;
        }

        impl<L: $trait<P>, P> Accepts<L, P> for $task {
            type Family = L::Family;

            fn evaluate(
                loss: &L,
                prediction: &P,
                target: <Self::Family as TargetFamily>::Data<'_>,
            ) -> Result<Loss<L::Elem, L::Grad>> {
                loss.evaluate(prediction, target)
            }
        }
    };
}

task_trait!(
    MultiClass,
    MultiClassLoss,
    "`{Self}` is not a loss for `MultiClass` outputs",
    "not a loss for `MultiClass` outputs",
    "losses that fit `MultiClass` outputs (one class per sample): `CrossEntropy`, `SoftmaxFocal` and `MultiMargin` on raw `Logits`; `Nll` on `LogProbabilities`; `KlDiv` on `LogProbabilities` against soft targets"
);
task_trait!(
    MultiLabel,
    MultiLabelLoss,
    "`{Self}` is not a loss for `MultiLabel` outputs",
    "not a loss for `MultiLabel` outputs",
    "losses that fit `MultiLabel` outputs (several labels per sample): `BceWithLogits`, `SigmoidFocal` and `MultiLabelSoftMargin` on raw `Logits`; `Bce` on `Probabilities`"
);
task_trait!(
    Binary,
    BinaryLoss,
    "`{Self}` is not a loss for `Binary` outputs",
    "not a loss for `Binary` outputs",
    "losses that fit `Binary` outputs (one yes/no label per sample): `BceWithLogits`, `SigmoidFocal` and `SoftMargin` on raw `Logits`; `Bce` on `Probabilities`"
);
task_trait!(
    Regression,
    RegressionLoss,
    "`{Self}` is not a loss for `Regression` outputs",
    "not a loss for `Regression` outputs",
    "losses that fit `Regression` outputs: `Mse`, `L1`, `SmoothL1`, `Huber`, `PoissonNll` on `Predictions`; `GaussianNll` on `GaussianPredictions` (mean and variance)"
);
task_trait!(
    Ranking,
    RankingLoss,
    "`{Self}` is not a loss for `Ranking` outputs",
    "not a loss for `Ranking` outputs",
    "losses that fit `Ranking` outputs: `TripletMargin` on `Triplets`; `Contrastive`, `CosineEmbedding` and `InfoNce` on `EmbeddingPairs`; `MarginRanking` on `ScorePairs`; `HingeEmbedding` on `Distances`"
);
task_trait!(
    Sequence,
    SequenceLoss,
    "`{Self}` is not a loss for `Sequence` outputs",
    "not a loss for `Sequence` outputs",
    "losses that fit `Sequence` outputs (one class per token): `CrossEntropy` on raw `Logits` `[N, T, C]` with `TokenIndices` `[N, T]`"
);
