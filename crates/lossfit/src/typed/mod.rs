//! The typed layer: a loss that does not fit the task, or the kind of numbers it is given, does
//! not compile.
//!
//! Model outputs are wrapped in a *prediction kind* tagged with a *task*
//! ([`Logits<MultiClass, f32>`](Logits), [`Probabilities<Binary, f64>`](Probabilities),
//! [`Predictions`], ...), labels in a *target kind* ([`ClassIndices`], [`MultiHot`],
//! [`Targets`], ...), and each typed loss's `compute` accepts exactly the combinations of
//! the table below. Everything else is a compile error that names the loss, the task or
//! input kind, and the losses that do fit. The math is the [`functional`](crate::functional)
//! layer's; this layer adds none.
//!
//! See the [guide](crate::guide) for the table, one correct and one rejected example per task,
//! and the errors the compiler prints.

mod element;
pub mod families;
mod losses;
mod mode;
mod predictions;
mod targets;
mod task;
mod weights;

pub(crate) use element::as_loss;
pub use element::{LossElement, TargetElement};
pub use families::{FamilyOf, TargetKind, TargetOf};
pub use losses::*;
pub use mode::{
    ChosenReduction, Mean, PerSample, ReductionMode, SampleLosses, ScalarLoss, Sum, Unchosen, Unset,
};
pub use predictions::{
    ClassificationTask, Distances, EmbeddingPairs, GaussianPredictions, LogProbabilities, Logits,
    LogitsView, Prediction, Predictions, Probabilities, RawScores, ScorePairs, SigmoidTask,
    SoftmaxTask, Triplets, log_softmax, sigmoid, softmax,
};
pub use targets::{
    BinaryLabels, ClassIndices, ClassProbabilities, MultiHot, PairLabels, SignLabels, Targets,
    TokenIndices,
};
pub use task::{
    Accepts, Binary, BinaryLoss, MultiClass, MultiClassLoss, MultiLabel, MultiLabelLoss, Ranking,
    RankingLoss, Regression, RegressionLoss, Sequence, SequenceLoss, Task, TypedLoss,
};
pub use weights::ClassWeights;
